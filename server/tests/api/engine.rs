//! The local face engine through the real endpoint: each attack or defect gets its risk code and
//! a status, never `verified` and never a 500.

use reqwest::multipart::{Form, Part};
use serde_json::Value;

use crate::common::{TestApp, read_media, risks, spawn_app};

async fn submit(app: &TestApp, key: &str, video: &str, id: &str) -> Value {
    app.submit_media(key, "u", video, id).await
}

#[tokio::test]
async fn attacks_and_defects_get_their_risk_codes() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    // (video, id photo, acceptable statuses, one of these codes must be present)
    let cases: [(&str, &str, &[&str], &[&str]); 6] = [
        (
            "still_obama.webm",
            "id_obama.jpg",
            &["rejected", "review"],
            &["still_image_video", "liveness_challenge_failed"],
        ),
        (
            "pan_obama.webm",
            "id_obama.jpg",
            &["rejected", "review"],
            &["still_image_video", "liveness_challenge_failed"],
        ),
        (
            "black.webm",
            "id_obama.jpg",
            &["rejected"],
            &["no_face_in_video"],
        ),
        (
            "noface.webm",
            "id_obama.jpg",
            &["rejected"],
            &["no_face_in_video"],
        ),
        (
            "two_faces.webm",
            "id_obama.jpg",
            &["rejected", "review"],
            &["multiple_faces"],
        ),
        (
            "seq_obama.webm",
            "id_biden.jpg",
            &["rejected"],
            &["face_mismatch"],
        ),
    ];
    for (video, id, statuses, codes) in cases {
        let v = submit(&app, &p.api_key, video, id).await;
        let status = v["result"]["status"].as_str().unwrap();
        let r = risks(&v);
        assert!(
            statuses.contains(&status),
            "{video} + {id}: status {status}, risks {r:?}"
        );
        assert!(
            codes.iter().any(|c| r.iter().any(|x| x == c)),
            "{video} + {id}: risks {r:?}"
        );
    }
}

#[tokio::test]
async fn no_face_on_the_id_is_its_own_code() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    // a frame of the test pattern as the "ID"
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("blank.png");
    image::RgbImage::from_pixel(640, 400, image::Rgb([200, 190, 170]))
        .save(&png)
        .unwrap();
    let f = Form::new()
        .text("api_key", p.api_key.clone())
        .text("user_identifier", "u")
        .part(
            "selfie_video",
            Part::bytes(read_media("seq_obama.webm")).file_name("v.webm"),
        )
        .part(
            "id_photo",
            Part::bytes(std::fs::read(&png).unwrap()).file_name("id.png"),
        );
    let r = app.submit(f).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["result"]["status"], "rejected");
    assert!(risks(&v).contains(&"no_face_in_id".to_string()), "{v}");
    assert_eq!(v["result"]["faceComparison"]["isIdentical"], false);
}

/// The acceptance pairs on the test photos, straight through the model and the default
/// thresholds: every same-person pair matches, no different-person pair does.
#[test]
fn same_person_pairs_match_and_different_people_never_do() {
    use app::server::verify::{
        face::{FaceModels, cosine},
        local::{self, Thresholds},
    };
    let models = FaceModels::load(&crate::common::workspace_root().join("models")).unwrap();
    let t = Thresholds::default();
    let photos = [
        ("obama", "obama.jpg"),
        ("obama", "obama2.jpg"),
        ("obama", "obama3.jpg"),
        ("obama", "id_obama.jpg"),
        ("biden", "biden.jpg"),
        ("biden", "id_biden.jpg"),
    ];
    let embeds: Vec<(&str, &str, Vec<f32>)> = photos
        .iter()
        .map(|(who, file)| {
            let img = image::open(crate::common::media(file)).unwrap().to_rgb8();
            let faces =
                local::detect_id_faces(|i, side| models.detect(i, side, 0.6), &img).unwrap();
            let face = faces
                .iter()
                .max_by(|a, b| a.area().total_cmp(&b.area()))
                .unwrap_or_else(|| panic!("no face in {file}"));
            (*who, *file, models.embed(&img, face).unwrap())
        })
        .collect();
    for (i, (wa, fa, ea)) in embeds.iter().enumerate() {
        for (wb, fb, eb) in &embeds[i + 1..] {
            let c = local::local_comparison(cosine(ea, eb), t);
            if wa == wb {
                assert!(c.is_identical, "{fa} ~ {fb}: {c:?}");
            } else {
                assert!(!c.is_identical && c.mismatch, "{fa} ~ {fb}: {c:?}");
            }
        }
    }
}

/// A video whose first frame decodes (so intake accepts it) but nothing after it does: its own
/// code, `rejected`. (A video that does not decode at all is refused at intake with a 400.)
#[test]
fn an_undecodable_video_is_its_own_code() {
    use app::server::verify::{face::FaceModels, local, mesh::FaceMesh};
    let dir = crate::common::workspace_root().join("models");
    let models = FaceModels::load(&dir).unwrap();
    let mesh = FaceMesh::load(&dir).unwrap();
    let id = image::open(crate::common::media("id_obama.jpg")).unwrap();
    let video = local::Video {
        frames: Vec::new(),
        step_ms: 100,
        duration: Some(6.0),
        challenge: None,
        test_mode: false,
        lights: Vec::new(),
    };
    let out = local::analyse(&models, &mesh, &video, &id, local::Thresholds::default()).unwrap();
    assert_eq!(out.status, app::contract::Status::Rejected);
    assert!(
        out.risk_codes().contains(&"video_unreadable".to_string()),
        "{:?}",
        out.risk_factors
    );
    assert!(!out.risk_codes().contains(&"no_face_in_video".to_string()));
    assert!(!out.face.is_identical);
}

/// A live recording read while it arrives (`verify::watch`: ffmpeg on a pipe, the face tracked
/// frame by frame) gives the frames and the track that reading the finished file gives; what
/// is not a video gives nothing to use, and the recording is then read whole.
#[tokio::test]
async fn a_recording_read_while_it_arrives_is_read_as_the_finished_file() {
    use std::time::Duration;

    use app::server::{
        media,
        verify::{frames, liveness, local, watch::Watchers},
    };
    let dir = crate::common::workspace_root().join("models");
    let (models, mesh) = local::shared_models(&dir).unwrap();
    let watchers = Watchers::new(models.clone(), mesh.clone(), 1, 0.6);
    let path = crate::common::media("seq_obama.webm");
    let bytes = std::fs::read(&path).unwrap();
    let limit = Duration::from_secs(60);

    let mut watch = watchers
        .start(media::video_demuxer(&bytes).unwrap())
        .unwrap();
    // one watcher: a second recording at once is read after it ends
    assert!(watchers.start("matroska").is_none());
    for chunk in bytes.chunks(16 * 1024) {
        watch.feed(chunk);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let watched = watch.finish(limit).await.expect("the watch finished");

    let info = media::probe_video(&path, &bytes[..64], "selfie_video", limit)
        .await
        .unwrap()
        .unwrap();
    assert!(watched.fits(info.duration_secs));
    let (frames, step_ms) = frames::dense(&path, &info, limit).await.unwrap();
    assert_eq!(watched.step_ms, step_ms);
    assert_eq!(watched.frames.len(), frames.len());
    assert!(
        watched.frames.iter().zip(&frames).all(|(a, b)| a == b),
        "the same pixels"
    );
    let track = liveness::track(&models, &mesh, &frames, step_ms, 0.6).unwrap();
    let faces = |t: &liveness::Track| t.samples.iter().flatten().count();
    assert!(faces(&track) >= frames.len() / 2, "a face in most frames");
    // one thread from the first frame instead of two halves: the same faces, give or take the
    // frame where the second half starts
    assert!(faces(&watched.track).abs_diff(faces(&track)) <= 1);
    let yaw = |t: &liveness::Track| t.samples.iter().flatten().map(|s| s.yaw).sum::<f32>();
    assert!((yaw(&watched.track) - yaw(&track)).abs() / faces(&track) as f32 <= 1.0);

    // the watcher is free again; bytes that are no video give no frames to use
    let mut watch = watchers.start("matroska").expect("a free watcher");
    watch.feed(b"\x1a\x45\xdf\xa3 not really a recording");
    let garbage = watch.finish(limit).await;
    assert!(garbage.is_none_or(|w| !w.fits(Some(1.0))));
}
