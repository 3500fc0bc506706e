//! Identity documents through the real endpoint: the passport's zone and the licence's barcode
//! read off the photos (Tesseract with the MRZ model, rxing), checked against the partner's
//! expected data, returned in `result.document`, the webhook and `GET /v1/checks/{id}`, and
//! blanked by `DELETE /v1/checks/{id}` and by the retention sweep.

use std::time::Duration;

use app::{
    challenge::Challenge,
    server::{partners, retention},
};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::{
    common::{TestApp, read_media, risks, spawn_app, spawn_app_with},
    liveness::{page_data, perform, timeline},
    v1::{get, hooked_app, post_session},
};

/// A form with the selfie `video` bytes, the ID photos (front, optional back) and the type.
fn form(video: Vec<u8>, front: &str, back: Option<&str>, document_type: Option<&str>) -> Form {
    let mut f = Form::new()
        .part("selfie_video", Part::bytes(video).file_name("selfie.webm"))
        .part(
            "id_photo",
            Part::bytes(read_media(front)).file_name(front.to_string()),
        );
    if let Some(b) = back {
        f = f.part(
            "id_photo_back",
            Part::bytes(read_media(b)).file_name(b.to_string()),
        );
    }
    if let Some(t) = document_type {
        f = f.text("document_type", t.to_string());
    }
    f
}

/// `POST /v1/sessions` with `expected`: the link's token and challenge.
async fn session(
    app: &TestApp,
    secret_key: &str,
    user: &str,
    expected: Value,
) -> (String, Challenge) {
    let (status, v) = post_session(
        app,
        secret_key,
        json!({"user_identifier": user, "expected": expected}),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    let url = v["url"].as_str().unwrap();
    let token = url.split("session=").nth(1).unwrap().to_string();
    let challenge =
        serde_json::from_value(page_data(app, &token).await["challenge"].clone()).unwrap();
    (token, challenge)
}

/// A live performance of the link's challenge with `front` as the passport: the answer.
async fn live_passport(
    app: &TestApp,
    token: &str,
    c: &Challenge,
    dir: &std::path::Path,
    name: &str,
    front: &str,
) -> Value {
    let video = perform(c, dir, name, "1500k");
    let f = form(video, front, None, Some("passport"))
        .text("capture_token", token.to_string())
        .text("challenge_timeline", timeline(c));
    let r = app.submit(f).await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

#[tokio::test]
async fn a_live_passport_is_read_checked_returned_everywhere_and_blanked_on_delete() {
    let (app, rx, p) = hooked_app().await;
    let dir = tempfile::tempdir().unwrap();
    // the partner's test key: the synthetic performer is a re-animated photo, which live mode
    // never verifies (`synthetic_face_suspected`, liveness.rs); test mode logs that and lets
    // the flow complete

    // the partner's expectations, written as people write them: the passport agrees
    let (token, c) = session(
        &app,
        &p.test_secret_key,
        "holder",
        json!({"name": "Barack Hussein Obama", "date_of_birth": "1961-08-04", "minimum_age": 18}),
    )
    .await;
    let v = live_passport(&app, &token, &c, dir.path(), "holder", "passport_obama.jpg").await;
    assert_eq!(v["result"]["status"], "verified", "{}", risks(&v).join(","));
    let d = &v["result"]["document"];
    assert_eq!(d["read"], true, "{d}");
    assert_eq!(d["requestedType"], "passport");
    assert_eq!(d["type"], "passport");
    assert_eq!(d["format"], "mrz_td3");
    assert_eq!(d["issuingCountry"], "UTO");
    assert_eq!(d["documentNumber"], "L898902C3");
    assert_eq!(d["surname"], "OBAMA");
    assert_eq!(d["givenNames"], "BARACK HUSSEIN");
    assert_eq!(d["dateOfBirth"], "1961-08-04");
    assert_eq!(d["sex"], "M");
    assert_eq!(d["expiryDate"], "2034-08-15");
    for check in [
        "checkDigits",
        "notExpired",
        "typeMatch",
        "nameMatch",
        "dateOfBirthMatch",
        "minimumAge",
    ] {
        assert_eq!(d["checks"][check], true, "{check}: {d}");
    }
    let id = v["check_id"].as_str().unwrap().to_string();

    // the same data in GET /v1/checks/{id} and in the webhook
    let (status, got) = get(&app, &format!("/v1/checks/{id}"), Some(&p.test_secret_key)).await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(got["result"]["document"], *d);
    let delivered = rx.wait_for(1, Duration::from_secs(20)).await;
    let body: Value = serde_json::from_slice(&delivered[0].body).unwrap();
    assert_eq!(body["verification_result"]["document"], *d, "{body}");

    // a name the passport does not carry: review with its own code, never verified
    let (token, c) = session(
        &app,
        &p.test_secret_key,
        "someone-else",
        json!({"name": "Joseph Robinette Biden"}),
    )
    .await;
    let v = live_passport(&app, &token, &c, dir.path(), "other", "passport_obama.jpg").await;
    assert_eq!(v["result"]["status"], "review", "{v}");
    assert!(risks(&v).contains(&"document_data_mismatch".into()), "{v}");
    assert_eq!(v["result"]["document"]["checks"]["nameMatch"], false);

    // DELETE blanks the document data with the files
    let r = app
        .client
        .delete(app.url(&format!("/v1/checks/{id}")))
        .bearer_auth(&p.test_secret_key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        app.stored_check(&p.partner_id, &id)
            .await
            .document
            .is_none()
    );
    let (status, got) = get(&app, &format!("/v1/checks/{id}"), Some(&p.test_secret_key)).await;
    assert_eq!(status, 200, "{got}");
    assert!(got["result"].get("document").is_none(), "{got}");
}

/// A photo (front, optional back), the type chosen, the code expected and the statuses it may
/// come with.
type Case = (
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static str,
    &'static [&'static str],
);

#[tokio::test]
async fn each_document_problem_gets_its_code_and_is_never_verified() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    let video = read_media("seq_obama.webm");
    let submit = |front: &'static str, back: Option<&'static str>, t: Option<&'static str>| {
        let f = form(video.clone(), front, back, t)
            .text("api_key", p.api_key.clone())
            .text("user_identifier", "u");
        let app = &app;
        async move {
            let r = app.submit(f).await;
            let status = r.status().as_u16();
            let v: Value = r.json().await.unwrap();
            assert_eq!(status, 200, "{front}: {v}");
            v
        }
    };
    // (front, back, type, the code, the statuses it may have)
    let cases: [Case; 4] = [
        (
            "passport_obama_expired.jpg",
            None,
            "passport",
            "document_expired",
            &["rejected"],
        ),
        (
            "passport_obama_bad_digit.jpg",
            None,
            "passport",
            "document_check_digit_failed",
            &["review", "rejected"],
        ),
        (
            "id_obama.jpg",
            None,
            "passport",
            "document_unreadable",
            &["review", "rejected"],
        ),
        (
            "licence_obama.jpg",
            Some("licence_obama_back.jpg"),
            "passport",
            "document_type_mismatch",
            &["review", "rejected"],
        ),
    ];
    for (front, back, t, code, statuses) in cases {
        let v = submit(front, back, Some(t)).await;
        let status = v["result"]["status"].as_str().unwrap();
        assert!(
            risks(&v).contains(&code.to_string()),
            "{front}: {code} missing from {v}"
        );
        assert!(statuses.contains(&status), "{front}: {status}");
    }
    let v = submit("passport_obama_expired.jpg", None, Some("passport")).await;
    assert_eq!(v["result"]["document"]["checks"]["notExpired"], false);
    let v = submit("passport_obama_bad_digit.jpg", None, Some("passport")).await;
    assert_eq!(v["result"]["document"]["checks"]["checkDigits"], false);

    // an ID card's zone on its back, a licence's barcode on its back
    let v = submit(
        "idcard_obama.jpg",
        Some("idcard_obama_back.jpg"),
        Some("id_card"),
    )
    .await;
    let d = &v["result"]["document"];
    assert_eq!(
        (d["read"].clone(), d["format"].clone()),
        (json!(true), json!("mrz_td1")),
        "{d}"
    );
    assert_eq!(d["surname"], "OBAMA");
    assert_eq!(d["checks"]["checkDigits"], true);
    assert_eq!(d["checks"]["typeMatch"], true);
    assert!(
        v["result"]["files"]["idPhotoBack"]["url"]
            .as_str()
            .is_some_and(|u| !u.is_empty())
    );
    let v = submit(
        "licence_obama.jpg",
        Some("licence_obama_back.jpg"),
        Some("driving_licence"),
    )
    .await;
    let d = &v["result"]["document"];
    assert_eq!(d["format"], "aamva_pdf417", "{d}");
    assert_eq!(d["type"], "driving_licence");
    assert_eq!(d["jurisdiction"], "CA");
    assert_eq!(d["documentNumber"], "G5331190");
    assert_eq!(d["dateOfBirth"], "1961-08-04");
    assert_eq!(d["checks"]["notExpired"], true);

    // the guide's partner, one photo and no type: the answer has no `document` at all
    let v = submit("id_obama.jpg", None, None).await;
    assert!(v["result"].get("document").is_none(), "{v}");
    assert!(v["result"]["files"].get("idPhotoBack").is_none(), "{v}");

    // a type that is not one: 400 naming the field, nothing stored
    let before = app.count("checks").await;
    let f = form(video.clone(), "passport_obama.jpg", None, Some("visa"))
        .text("api_key", p.api_key.clone())
        .text("user_identifier", "u");
    let r = app.submit(f).await;
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v["error"],
        "document_type must be one of passport, id_card, driving_licence"
    );
    assert_eq!(app.count("checks").await, before);
    // bad expectations: 400 naming the field
    for (expected, msg) in [
        (
            json!([null, null]),
            "expected must be an object with name, date_of_birth and minimum_age",
        ),
        (
            json!({"date_of_birth": "04/08/1961"}),
            "expected.date_of_birth must be a date such as 1990-04-25",
        ),
        (
            json!({"minimum_age": 0}),
            "expected.minimum_age must be from 1 to 125",
        ),
    ] {
        let (status, v) = post_session(
            &app,
            &p.secret_key,
            json!({"user_identifier": "u", "expected": expected}),
        )
        .await;
        assert_eq!(status, 400);
        assert_eq!(v["error"], msg);
    }
    app.assert_up().await;
}

#[tokio::test]
async fn the_retention_sweep_removes_document_data_unless_the_partner_keeps_it() {
    let app = spawn_app_with(&[
        ("IDV_RETENTION", "1s"),
        ("IDV_RETENTION_SWEEP_INTERVAL", "1h"),
    ])
    .await;
    let mut ids = Vec::new();
    for keep in [false, true] {
        let p = partners::create(
            &app.state.db,
            &app.state.master_key,
            partners::NewPartner {
                name: format!("Keep {keep}"),
                keep_document_data: keep,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let f = form(
            read_media("seq_obama.webm"),
            "idcard_obama.jpg",
            Some("idcard_obama_back.jpg"),
            Some("id_card"),
        )
        .text("api_key", p.api_key.clone())
        .text("user_identifier", "u");
        let v: Value = app.submit(f).await.json().await.unwrap();
        assert_eq!(v["result"]["document"]["read"], true, "{v}");
        ids.push((p.partner_id, v["check_id"].as_str().unwrap().to_string()));
    }
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let stats = retention::sweep_once(&app.state).await.unwrap();
    assert_eq!((stats.deleted, stats.failed), (2, 0));
    let (dropped, kept) = (
        app.stored_check(&ids[0].0, &ids[0].1).await,
        app.stored_check(&ids[1].0, &ids[1].1).await,
    );
    assert!(dropped.document.is_none());
    assert_eq!(
        kept.document.and_then(|d| d.surname).as_deref(),
        Some("OBAMA")
    );
    // the back photo went with the other files
    assert!(dropped.files_deleted_at.is_some() && kept.files_deleted_at.is_some());
    assert!(
        crate::common::stored_files(&app).is_empty(),
        "{:?}",
        crate::common::stored_files(&app)
    );
}
