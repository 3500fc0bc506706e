//! The liveness challenge through the real endpoint: a capture link's challenge, a synthetic live
//! person performing it (`verify::synth`, the real face models), and what happens to the same
//! performance through another link, to the same file twice, and without any challenge.

use std::path::Path;

use app::{
    challenge::{Challenge, Timeline},
    server::{
        capture_links,
        verify::{local, synth},
    },
};
use reqwest::multipart::{Form, Part};
use serde_json::Value;

use crate::common::{TestApp, media, read_media, risks, spawn_app};

/// A capture link for the partner's live capture key, with its challenge.
async fn link(app: &TestApp, api_key: &str, user: &str) -> capture_links::Created {
    app.capture_link(api_key, user, None).await
}

fn order(c: &Challenge) -> Vec<app::challenge::Prompt> {
    c.steps.iter().map(|s| s.prompt).collect()
}

/// `c` with its prompts moved one step (each at its neighbour's time): a performance of it
/// answers every prompt of `c` at the wrong moment.
fn moved(c: &Challenge) -> Challenge {
    let mut m = c.clone();
    let prompts = order(c);
    for (i, step) in m.steps.iter_mut().enumerate() {
        step.prompt = prompts[(i + 1) % prompts.len()];
    }
    m
}

/// The synthetic live person (from obama3.jpg: the ID card, `id_obama.jpg`, is made from
/// another photo, obama.jpg, and the card's own portrait made to move is
/// `selfie_matches_id_photo`) performing `c` from the recording's start, encoded as the page
/// records (VP8 WebM) at `bitrate`, with libvpx's real-time settings as a browser's
/// MediaRecorder encodes (measured: 1.1 s a clip here, against 5.9 s and twice the CPU for
/// libvpx's default "good" mode, which no recorder uses).
pub(crate) fn perform(c: &Challenge, dir: &Path, name: &str, bitrate: &str) -> Vec<u8> {
    perform_as("obama3.jpg", c, dir, name, bitrate)
}

/// [`perform`] by the face of the test photo `photo`.
fn perform_as(photo: &str, c: &Challenge, dir: &Path, name: &str, bitrate: &str) -> Vec<u8> {
    let models_dir = crate::common::workspace_root().join("models");
    let (models, mesh) = local::shared_models(&models_dir).unwrap();
    let actor = synth::Actor::from_file(&models, &mesh, &media(photo)).unwrap();
    let y4m = dir.join(format!("{name}.y4m"));
    let webm = dir.join(format!("{name}.webm"));
    std::fs::write(&y4m, synth::perform(&actor, c, 0, 15)).unwrap();
    let ok = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y", "-i"])
        .arg(&y4m)
        .args(["-c:v", "libvpx", "-b:v", bitrate])
        .args(["-deadline", "realtime", "-cpu-used", "8"])
        .arg(&webm)
        .status()
        .unwrap()
        .success();
    assert!(ok, "ffmpeg encodes the performance");
    std::fs::read(webm).unwrap()
}

fn form(video: Vec<u8>) -> Form {
    Form::new()
        .part("selfie_video", Part::bytes(video).file_name("selfie.webm"))
        .part(
            "id_photo",
            Part::bytes(read_media("id_obama.jpg")).file_name("id.jpg"),
        )
}

pub(crate) fn timeline(c: &Challenge) -> String {
    serde_json::to_string(&Timeline::page(c.steps.iter().map(|s| s.at_ms).collect())).unwrap()
}

async fn submit_through(app: &TestApp, l: &capture_links::Created, video: Vec<u8>) -> Value {
    let (status, v) = submit_once(app, &l.token, &l.challenge, video).await;
    assert_eq!(status, 200, "{v}");
    v
}

/// One submission through a capture link, with `challenge`'s timeline: the status and body.
async fn submit_once(
    app: &TestApp,
    token: &str,
    challenge: &Challenge,
    video: Vec<u8>,
) -> (u16, Value) {
    let f = form(video)
        .text("capture_token", token.to_string())
        .text("challenge_timeline", timeline(challenge));
    let r = app.submit(f).await;
    (r.status().as_u16(), r.json().await.unwrap())
}

/// The capture page's data for a link (`GET /verif/?session=…` as JSON), which must answer 200.
pub(crate) async fn page_data(app: &TestApp, token: &str) -> Value {
    let r = app
        .client
        .get(app.url(&format!("/verif/?session={token}")))
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

/// A 422 `challenge_retry`: no check, a new challenge for the link. Returns it.
fn retry_of(status: u16, v: &Value, attempts_left: u64, old: &Challenge) -> Challenge {
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["success"], false);
    assert_eq!(v["code"], "challenge_retry", "{v}");
    assert_eq!(v["attempts_left"], attempts_left, "{v}");
    let new: Challenge = serde_json::from_value(v["challenge"].clone()).unwrap();
    assert_ne!(&new, old, "a retry draws a new challenge");
    new
}

#[tokio::test]
async fn in_live_mode_a_re_animated_photo_is_never_verified_and_test_mode_lets_it_through() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    let dir = tempfile::tempdir().unwrap();

    // another photo of the person made to perform the link's own challenge, right on time:
    // its shading stays with the skin as the head turns. (A live link's challenge is in no
    // page data and no upload answers it: README, "The live recording"; here the test reads
    // it from the database, a stronger attacker than any.)
    let live = link(&app, &p.api_key, "victim").await;
    assert!(
        page_data(&app, &live.token).await["challenge"].is_null(),
        "a live link's page data has no challenge"
    );
    let other_photo = perform(&live.challenge, dir.path(), "other-photo", "800k");
    let v = submit_through(&app, &live, other_photo.clone()).await;
    assert_ne!(v["result"]["status"], "verified", "{v}");
    assert!(
        risks(&v).contains(&"synthetic_face_suspected".into()),
        "{v}"
    );
    // the upload's timeline is not taken for a live link: it answered no challenge
    assert!(risks(&v).contains(&"no_liveness_challenge".into()), "{v}");
    assert!(!risks(&v).contains(&"challenge_not_followed".into()), "{v}");

    // the ID card's own portrait (the photo it was printed from) made to perform: never
    // verified, and named as an attack (`selfie_matches_id_photo` rejects it when the selfie's
    // frames match the card's very picture: 13 of 24 card portraits in `idv eval liveness`, so
    // not every time; the shading check sees the re-animation in any case)
    let live = link(&app, &p.api_key, "victim-2").await;
    let portrait = perform_as("obama.jpg", &live.challenge, dir.path(), "portrait", "800k");
    let v = submit_through(&app, &live, portrait).await;
    assert_ne!(v["result"]["status"], "verified", "{v}");
    assert!(
        risks(&v).contains(&"selfie_matches_id_photo".into())
            || risks(&v).contains(&"synthetic_face_suspected".into()),
        "{v}"
    );

    // the same kind of performance through a test-mode link completes (README, "Liveness"):
    // the checks are logged, not applied, and the check is `livemode: false`
    let test = link(&app, &p.test_api_key, "tester").await;
    let performed = perform(&test.challenge, dir.path(), "test-mode", "800k");
    let v = submit_through(&app, &test, performed).await;
    assert_eq!(v["result"]["status"], "verified", "{}", risks(&v).join(","));
    let id = v["check_id"].as_str().unwrap();
    let test_checks: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM checks WHERE id = $1 AND livemode = 0")
            .bind(id)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(test_checks, 1, "a test-mode check");
}

#[tokio::test]
async fn a_live_recording_answers_its_own_link_only() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    let dir = tempfile::tempdir().unwrap();
    // the synthetic performer is a re-animated photo, which live mode never verifies (above):
    // the links of this test are the partner's test mode's, whose checks skip the appearance
    // checks; replays are live mode's, at the end
    let own = link(&app, &p.test_api_key, "live-user").await;
    let recording = perform(&own.challenge, dir.path(), "own", "1500k");

    // the page's data carries the link's challenge
    assert_eq!(
        page_data(&app, &own.token).await["challenge"],
        serde_json::to_value(&own.challenge).unwrap()
    );

    let v = submit_through(&app, &own, recording.clone()).await;
    assert_eq!(v["result"]["status"], "verified", "{}", risks(&v).join(","));

    // another link, whose prompts come in another order
    let mut other = link(&app, &p.test_api_key, "replayer").await;
    while order(&other.challenge) == order(&own.challenge) {
        other = link(&app, &p.test_api_key, "replayer").await;
    }
    // the same performance, encoded again (another file): the challenge stops it. A recording
    // that only missed its prompts gets a new challenge instead of a verdict, while the link has
    // recordings left (IDV_CHALLENGE_ATTEMPTS, 3): no check is made and nothing is kept
    let copy = perform(&own.challenge, dir.path(), "copy", "900k");
    // A retry's challenge is drawn at random: when it has the copied prompts' order (1 in 24),
    // the copy would be a right performance of it, so that attempt replays a performance that
    // fits it nowhere (its prompts moved one step) instead.
    let replay = |c: &Challenge| {
        if order(c) == order(&own.challenge) {
            perform(&moved(c), dir.path(), "moved", "900k")
        } else {
            copy.clone()
        }
    };
    let checks_before = app.count("checks").await;
    let mut challenge = other.challenge.clone();
    for left in [2, 1] {
        let (status, v) = submit_once(&app, &other.token, &challenge, replay(&challenge)).await;
        challenge = retry_of(status, &v, left, &challenge);
    }
    assert_eq!(
        app.count("checks").await,
        checks_before,
        "a retry makes no check"
    );
    // the page's data now carries the new challenge
    assert_eq!(
        page_data(&app, &other.token).await["challenge"],
        serde_json::to_value(&challenge).unwrap()
    );
    // the last recording gets its verdict
    let (status, v) = submit_once(&app, &other.token, &challenge, replay(&challenge)).await;
    assert_eq!(status, 200, "{v}");
    assert_ne!(v["result"]["status"], "verified");
    assert!(risks(&v).contains(&"challenge_not_followed".into()), "{v}");
    // the retries made no check, but the partner sees them (`GET /v1/attempts`)
    let attempts: Value = app
        .client
        .get(app.url("/v1/attempts?user_identifier=replayer"))
        .bearer_auth(&p.test_secret_key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let seen: Vec<(&str, bool)> = attempts["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            // why each was sent back (or judged): its risk codes
            let risky = !a["risk_factors"].as_array().unwrap().is_empty();
            (a["outcome"].as_str().unwrap(), risky)
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("check", true),
            ("challenge_retry", true),
            ("challenge_retry", true)
        ],
        "{attempts}"
    );

    // a person who misread the prompts records again, following the new ones: verified
    let mut retrier = link(&app, &p.test_api_key, "retrier").await;
    while order(&retrier.challenge) == order(&own.challenge) {
        retrier = link(&app, &p.test_api_key, "retrier").await;
    }
    let missed = perform(&own.challenge, dir.path(), "missed", "1100k");
    let (status, v) = submit_once(&app, &retrier.token, &retrier.challenge, missed).await;
    let new = retry_of(status, &v, 2, &retrier.challenge);
    let again = perform(&new, dir.path(), "again", "1500k");
    let (status, v) = submit_once(&app, &retrier.token, &new, again).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["result"]["status"], "verified", "{}", risks(&v).join(","));

    // the very same file in live mode, twice: the second is rejected as a replay
    let first = link(&app, &p.api_key, "replayer-1").await;
    let v = submit_through(&app, &first, recording.clone()).await;
    assert!(!risks(&v).contains(&"replayed_video".into()), "{v}");
    let third = link(&app, &p.api_key, "replayer-2").await;
    let v = submit_through(&app, &third, recording).await;
    assert_eq!(v["result"]["status"], "rejected");
    assert!(risks(&v).contains(&"replayed_video".into()), "{v}");

    // the partner's own upload of a live-looking video answered no challenge: review at most
    let upload = perform(&own.challenge, dir.path(), "upload", "1200k");
    let f = form(upload)
        .text("api_key", p.api_key.clone())
        .text("user_identifier", "uploader");
    let v: Value = app.submit(f).await.json().await.unwrap();
    assert_eq!(v["result"]["status"], "review", "{v}");
    assert!(risks(&v).contains(&"no_liveness_challenge".into()), "{v}");
}

#[tokio::test]
async fn a_malformed_timeline_is_refused_and_the_link_stays_usable() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    // a test-mode link: a live link's upload answers no challenge, its timeline unread
    let l = link(&app, &p.test_api_key, "u").await;
    let f = form(read_media("seq_obama.webm"))
        .text("capture_token", l.token.clone())
        .text("challenge_timeline", "[1, 2, 3]");
    let r = app.submit(f).await;
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert!(
        v["error"].as_str().unwrap().contains("challenge_timeline"),
        "{v}"
    );
    // nothing was stored; the link works for a proper submission
    let f = form(read_media("seq_obama.webm"))
        .text("capture_token", l.token.clone())
        .text("challenge_timeline", timeline(&l.challenge));
    let r = app.submit(f).await;
    let status = r.status().as_u16();
    let v: Value = r.json().await.unwrap();
    // three photos cut together answer no prompt: new prompts (a 422), or a verdict that is not
    // verified
    assert!(
        (status == 422 && v["code"] == "challenge_retry")
            || (status == 200 && v["result"]["status"] != "verified"),
        "{status} {v}"
    );
}

#[tokio::test]
async fn replays_count_in_live_mode_only() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    for (key, user) in [(&p.test_api_key, "t"), (&p.test_api_key, "t")] {
        let v = app
            .submit_media(key, user, "seq_obama.webm", "id_obama.jpg")
            .await;
        assert!(!risks(&v).contains(&"replayed_video".into()), "{v}");
    }
    let first = app
        .submit_media(&p.api_key, "a", "seq_obama.webm", "id_obama.jpg")
        .await;
    assert!(!risks(&first).contains(&"replayed_video".into()), "{first}");
    let again = app
        .submit_media(&p.api_key, "b", "seq_obama.webm", "id_obama.jpg")
        .await;
    assert!(risks(&again).contains(&"replayed_video".into()), "{again}");
    assert_eq!(again["result"]["status"], "rejected");
}
