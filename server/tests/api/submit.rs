//! POST /verif/submit: the guide's fields, JSON, statuses and messages, and every kind of bad
//! input answered with a specific 4xx, nothing left behind, the server still up.

use reqwest::multipart::{Form, Part};
use serde_json::Value;

use crate::common::{TestApp, read_media, spawn_app, stored_files};

fn file(name: &str, bytes: Vec<u8>) -> Part {
    Part::bytes(bytes).file_name(name.to_string())
}

fn form(api_key: &str, user: &str) -> Form {
    Form::new()
        .text("api_key", api_key.to_string())
        .text("user_identifier", user.to_string())
}

async fn post(app: &TestApp, form: Form) -> (u16, Value) {
    let r = app.submit(form).await;
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}")),
    )
}

fn is_uuid(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok()
}

#[tokio::test]
async fn success_json_is_exactly_the_guides() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    let f = form(&p.api_key, "user123")
        .text("user_email", "user@example.com")
        .text("user_phone", "+1 555 0100")
        .part(
            "selfie_video",
            file("selfie.webm", read_media("seq_obama.webm")),
        )
        .part("id_photo", file("id.jpg", read_media("id_obama.jpg")));
    let (status, body) = post(&app, f).await;
    assert_eq!(status, 200, "{body}");
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&body), ["check_id", "result", "success"]);
    assert_eq!(body["success"], true);
    let check_id = body["check_id"].as_str().unwrap();
    assert!(is_uuid(check_id));
    let r = &body["result"];
    assert_eq!(
        keys(r),
        [
            "faceComparison",
            "files",
            "sessionId",
            "status",
            "timestamp",
            "verificationAssessment"
        ]
    );
    assert_eq!(r["sessionId"], check_id);
    let ts = r["timestamp"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(ts).is_ok() && ts.ends_with('Z') && ts.len() == 24,
        "{ts}"
    );
    let files = &r["files"];
    assert_eq!(keys(files), ["idPhoto", "selfieVideo"]);
    let sv = &files["selfieVideo"];
    let name = sv["fileName"].as_str().unwrap();
    assert!(
        name.starts_with(&format!("{check_id}_selfie_")) && name.ends_with(".webm"),
        "{name}"
    );
    let idn = files["idPhoto"]["fileName"].as_str().unwrap();
    assert!(
        idn.starts_with(&format!("{check_id}_id_")) && idn.ends_with(".jpg"),
        "{idn}"
    );
    let fc = &r["faceComparison"];
    assert_eq!(
        keys(fc),
        ["confidence", "isIdentical", "method", "similarityScore"]
    );
    assert!(fc["isIdentical"].is_boolean());
    let c = fc["confidence"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&c));
    assert!(fc["similarityScore"].as_u64().unwrap() <= 100);
    assert_eq!(fc["method"], "local_face_model");
    let va = &r["verificationAssessment"];
    assert_eq!(
        keys(va),
        [
            "confidenceLevel",
            "overallScore",
            "riskFactors",
            "summary",
            "verificationStatus"
        ]
    );
    assert!(va["overallScore"].as_u64().unwrap() <= 100);
    assert!(["high", "medium", "low"].contains(&va["confidenceLevel"].as_str().unwrap()));
    assert!(!va["summary"].as_str().unwrap().is_empty());
    assert!(va["riskFactors"].is_array());
    let status_s = r["status"].as_str().unwrap();
    assert!(["verified", "rejected", "review"].contains(&status_s));
    assert_eq!(va["verificationStatus"], r["status"]);

    // the links are absolute and work: the stored file is the uploaded one
    for (k, media) in [
        ("selfieVideo", "seq_obama.webm"),
        ("idPhoto", "id_obama.jpg"),
    ] {
        let url = files[k]["url"].as_str().unwrap();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        let resp = app.client.get(url).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{url}");
        assert_eq!(
            resp.bytes().await.unwrap().as_ref(),
            read_media(media).as_slice()
        );
        // tampering and missing signatures are refused
        let bad = url.replace("sig=", "sig=x");
        assert_eq!(app.client.get(&bad).send().await.unwrap().status(), 403);
        let unsigned = url.split('?').next().unwrap();
        let st = app
            .client
            .get(unsigned)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        assert!(st == 403 || st == 404, "unsigned link answered {st}");
    }

    // stored with its webhook outbox row, in one go
    assert_eq!(app.count("checks").await, 1);
    assert_eq!(app.count("webhook_deliveries").await, 1);
    let rec = app.stored_check(&p.partner_id, check_id).await;
    assert_eq!(rec.user_email.as_deref(), Some("user@example.com"));
    assert_eq!(rec.user_identifier, "user123");
    // another partner cannot read it
    let q = app.partner("Other").await;
    assert!(
        app::server::checks::get(&app.state.db, &q.partner_id, check_id)
            .await
            .unwrap()
            .is_none()
    );
    // nothing left in the spool
    let spool = std::path::Path::new(&app.env["IDV_DATA_DIR"]).join("tmp");
    assert!(
        stored_files(&app).iter().all(|p| !p.starts_with(&spool)),
        "spool files left"
    );
}

#[tokio::test]
async fn user_id_alias_and_mp4_are_accepted() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    let f = Form::new()
        .text("api_key", p.api_key.clone())
        .text("user_id", "u-9")
        .part(
            "selfie_video",
            file("clip.bin", read_media("seq_obama.mp4")),
        )
        .part("id_photo", file("photo", read_media("id_obama.jpg")));
    let (status, body) = post(&app, f).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body["result"]["files"]["selfieVideo"]["fileName"]
            .as_str()
            .unwrap()
            .ends_with(".mp4"),
        "decided by content"
    );
}

#[tokio::test]
async fn guide_error_table() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    let video = || file("v.webm", read_media("seq_obama.webm"));
    let photo = || file("i.jpg", read_media("id_obama.jpg"));
    let cases: Vec<(Form, u16, &str)> = vec![
        (
            Form::new()
                .text("user_identifier", "u")
                .part("selfie_video", video())
                .part("id_photo", photo()),
            400,
            "API key is required",
        ),
        (
            Form::new()
                .text("api_key", p.api_key.clone())
                .part("selfie_video", video())
                .part("id_photo", photo()),
            400,
            "User identifier is required",
        ),
        (
            form(
                "idv_live_0000000000000000000000000000000000000000000000000000",
                "u",
            )
            .part("selfie_video", video())
            .part("id_photo", photo()),
            401,
            "Invalid API key",
        ),
        (form("garbage", "u"), 401, "Invalid API key"),
        (
            form(&p.api_key, "u").part("selfie_video", video()),
            400,
            "Both selfie video and ID photo are required",
        ),
        (
            form(&p.api_key, "u").part("id_photo", photo()),
            400,
            "Both selfie video and ID photo are required",
        ),
        (
            form(&p.api_key, "u"),
            400,
            "Both selfie video and ID photo are required",
        ),
    ];
    for (f, status, msg) in cases {
        let (s, body) = post(&app, f).await;
        assert_eq!(
            (s, body.clone()),
            (status, serde_json::json!({"success": false, "error": msg}))
        );
    }
    assert_eq!(app.count("checks").await, 0);
    assert!(stored_files(&app).is_empty(), "{:?}", stored_files(&app));
}

/// Builds a PNG whose header claims `w`×`h` (a decompression bomb never needs its pixels).
fn png_header_only(w: u32, h: u32) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut c = kind.to_vec();
        c.extend_from_slice(data);
        out.extend_from_slice(&c);
        out.extend_from_slice(&crc32(&c).to_be_bytes());
    }
    fn crc32(d: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for &b in d {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(
        &mut out,
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    chunk(&mut out, b"IEND", &[]);
    out
}

/// A JPEG with an APP1 Exif segment whose TIFF header is garbage.
fn jpeg_with_broken_exif() -> Vec<u8> {
    let jpg = read_media("id_obama.jpg");
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(b"XX\x2a\x00\xff\xff\xff\x7f garbage garbage");
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpg[2..]);
    out
}

#[tokio::test]
async fn bad_input_gets_a_specific_4xx_and_leaves_nothing() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    let webm = read_media("seq_obama.webm");
    let jpg = read_media("id_obama.jpg");
    // (what, video bytes, photo bytes, status, part of the message)
    type Case<'a> = (&'a str, Vec<u8>, Vec<u8>, u16, &'a str);
    let cases: Vec<Case> = vec![
        (
            "zero-byte video",
            vec![],
            jpg.clone(),
            400,
            "`selfie_video` is empty",
        ),
        (
            "zero-byte photo",
            webm.clone(),
            vec![],
            400,
            "`id_photo` is empty",
        ),
        (
            "truncated WebM",
            webm[..600].to_vec(),
            jpg.clone(),
            400,
            "selfie_video",
        ),
        (
            "text named .mp4",
            b"this is not a video at all, just text\n".repeat(20),
            jpg.clone(),
            400,
            "selfie_video is a text file, not a video file",
        ),
        (
            "image as the video",
            jpg.clone(),
            jpg.clone(),
            400,
            "is an image",
        ),
        (
            "video as the photo",
            webm.clone(),
            webm.clone(),
            400,
            "id_photo is a video",
        ),
        (
            "30000x30000 PNG",
            webm.clone(),
            png_header_only(30000, 30000),
            400,
            "30000×30000",
        ),
        (
            "broken EXIF",
            webm.clone(),
            jpeg_with_broken_exif(),
            400,
            "EXIF",
        ),
        (
            "text as the photo",
            webm.clone(),
            b"hello".to_vec(),
            400,
            "not a supported image format",
        ),
    ];
    for (what, v, i, status, needle) in cases {
        let f = form(&p.api_key, "u")
            .part("selfie_video", file("v.mp4", v))
            .part("id_photo", file("i.jpg", i));
        let (s, body) = post(&app, f).await;
        assert_eq!(s, status, "{what}: {body}");
        assert_eq!(body["success"], false, "{what}");
        let err = body["error"].as_str().unwrap();
        assert!(err.contains(needle), "{what}: {err}");
    }
    // duplicates
    let f = form(&p.api_key, "u")
        .text("api_key", p.api_key.clone())
        .part("selfie_video", file("v.webm", webm.clone()))
        .part("id_photo", file("i.jpg", jpg.clone()));
    let (s, body) = post(&app, f).await;
    assert_eq!(
        (s, body["error"].as_str().unwrap()),
        (400, "Duplicate field `api_key`")
    );
    let f = form(&p.api_key, "u")
        .part("selfie_video", file("v.webm", webm.clone()))
        .part("selfie_video", file("v.webm", webm.clone()))
        .part("id_photo", file("i.jpg", jpg.clone()));
    let (s, body) = post(&app, f).await;
    assert_eq!(
        (s, body["error"].as_str().unwrap()),
        (400, "Duplicate field `selfie_video`")
    );

    assert_eq!(app.count("checks").await, 0);
    assert_eq!(app.count("webhook_deliveries").await, 0);
    assert!(
        stored_files(&app).is_empty(),
        "left behind: {:?}",
        stored_files(&app)
    );
    app.assert_up().await;
}

#[tokio::test]
async fn malformed_requests_get_json_400() {
    let app = spawn_app().await;
    let url = app.url("/verif/submit");
    // no boundary (the codec would panic on this)
    let r = app
        .client
        .post(&url)
        .header("content-type", "multipart/form-data")
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"],
        "Request must be multipart/form-data with a boundary"
    );
    // not multipart at all
    let r = app
        .client
        .post(&url)
        .json(&serde_json::json!({"api_key": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // a boundary, then garbage
    let r = app
        .client
        .post(&url)
        .header("content-type", "multipart/form-data; boundary=XyZ")
        .body("--XyZ\r\nContent-Disposition: form-data; name=\"api_key\"\r\n\r\nabc\r\n--XyZ\r\nbroken")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(
        r.json::<Value>().await.unwrap()["error"]
            .as_str()
            .unwrap()
            .starts_with("Malformed multipart body")
    );
    // GET is not the way
    let r = app.client.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 405);
    app.assert_up().await;
}

#[tokio::test]
async fn video_over_the_limit_is_413_while_streaming() {
    let app = crate::common::spawn_app_with(&[("IDV_MAX_VIDEO_BYTES", "1048576")]).await;
    let p = app.partner("Acme").await;
    let mut big = read_media("seq_obama.webm");
    big.resize(1_048_577, 0);
    let f = form(&p.api_key, "u")
        .part("selfie_video", file("v.webm", big))
        .part("id_photo", file("i.jpg", read_media("id_obama.jpg")));
    let (s, body) = post(&app, f).await;
    assert_eq!(s, 413, "{body}");
    assert_eq!(
        body["error"],
        "`selfie_video` is larger than the 1 MB limit"
    );
    assert!(stored_files(&app).is_empty());
}

#[tokio::test]
async fn capture_token_submits_once_without_the_key() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    let auth = app::server::partners::authenticate(
        &app.state.db,
        &p.api_key,
        app::server::partners::KeyKind::Capture,
    )
    .await
    .unwrap()
    .unwrap();
    let s = app::server::capture_links::NewCaptureLink {
        user_identifier: "u-7".into(),
        user_email: None,
        user_phone: None,
        redirect_url: None,
        renewable: false,
        expected: Default::default(),
        locale: None,
    };
    let token = app::server::capture_links::create(
        &app.state.db,
        &auth,
        &s,
        std::time::Duration::from_secs(600),
    )
    .await
    .unwrap()
    .token;
    let mk = || {
        Form::new()
            .text("capture_token", token.clone())
            .part("selfie_video", file("v.webm", read_media("seq_obama.webm")))
            .part("id_photo", file("i.jpg", read_media("id_obama.jpg")))
    };
    let (s1, b1) = post(&app, mk()).await;
    assert_eq!(s1, 200, "{b1}");
    let id = b1["check_id"].as_str().unwrap();
    let rec = app.stored_check(&p.partner_id, id).await;
    assert_eq!(rec.user_identifier, "u-7");
    let (s2, b2) = post(&app, mk()).await;
    assert_eq!(s2, 409, "{b2}");
    assert_eq!(b2["error"], "This verification link was already used");
    assert_eq!(app.count("checks").await, 1);
}

#[tokio::test]
async fn scoring_failure_keeps_the_upload_as_review_with_a_webhook() {
    let app = crate::common::spawn_app_with_verifier(std::sync::Arc::new(
        crate::common::ScriptedVerifier::failing(),
    ))
    .await;
    let p = app.partner("Acme").await;
    let f = form(&p.api_key, "u")
        .part("selfie_video", file("v.webm", read_media("seq_obama.webm")))
        .part("id_photo", file("i.jpg", read_media("id_obama.jpg")));
    let (s, body) = post(&app, f).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["result"]["status"], "review");
    assert_eq!(
        body["result"]["verificationAssessment"]["riskFactors"],
        serde_json::json!(["scoring_failed"])
    );
    let id = body["check_id"].as_str().unwrap();
    let rec = app.stored_check(&p.partner_id, id).await;
    assert!(rec.review_reason.unwrap().contains("model crashed"));
    assert_eq!(
        app.count("webhook_deliveries").await,
        1,
        "the partner still gets a webhook"
    );
    let url = body["result"]["files"]["selfieVideo"]["url"]
        .as_str()
        .unwrap();
    assert_eq!(
        app.client.get(url).send().await.unwrap().status(),
        200,
        "the upload is kept"
    );
}

#[tokio::test]
async fn heic_id_photo_is_accepted() {
    // its size is read from its boxes before any decode: the declared 856×540, or the coded
    // size of its parameter set (a few rows more: coding blocks), whichever is larger
    let (w, h) = app::server::media::heif_dimensions(&crate::common::media("id_obama.heic"))
        .expect("the real HEIC's size");
    assert!(
        (856..=872).contains(&w) && (540..=552).contains(&h),
        "{w}×{h}"
    );
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    let f = form(&p.api_key, "u")
        .part("selfie_video", file("v.webm", read_media("seq_obama.webm")))
        .part(
            "id_photo",
            file("IMG_0001.HEIC", read_media("id_obama.heic")),
        );
    let (s, body) = post(&app, f).await;
    assert_eq!(s, 200, "{body}");
    assert!(
        body["result"]["files"]["idPhoto"]["fileName"]
            .as_str()
            .unwrap()
            .ends_with(".heic")
    );
    assert_eq!(
        body["result"]["faceComparison"]["isIdentical"], true,
        "{body}"
    );
}
