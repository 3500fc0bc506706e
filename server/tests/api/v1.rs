//! The partner API's read side: `GET /v1/checks/{id}` and `GET /v1/checks`, Bearer-authenticated,
//! each partner confined to its own checks.

use serde_json::Value;

use app::server::partners;

use crate::common::{TestApp, seed_checks, spawn_app};

pub(crate) async fn get(app: &TestApp, path: &str, key: Option<&str>) -> (u16, Value) {
    let mut req = app.client.get(app.url(path));
    if let Some(k) = key {
        req = req.bearer_auth(k);
    }
    send(req).await
}

#[tokio::test]
async fn a_check_reads_back_as_submitted_and_only_by_its_partner() {
    let app = spawn_app().await;
    let a = app.partner("A").await;
    let b = app.partner("B").await;
    let submitted = app
        .submit_media(&a.api_key, "user-9", "seq_obama.webm", "id_obama.jpg")
        .await;
    let id = submitted["check_id"].as_str().unwrap();

    let (status, v) = get(&app, &format!("/v1/checks/{id}"), Some(&a.secret_key)).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["success"], true);
    assert_eq!(v["check_id"], id);
    assert_eq!(v["user_identifier"], "user-9");
    assert_eq!(v["livemode"], true);
    let (got, want) = (&v["result"], &submitted["result"]);
    for f in [
        "sessionId",
        "timestamp",
        "status",
        "faceComparison",
        "verificationAssessment",
    ] {
        assert_eq!(got[f], want[f], "{f}");
    }
    // fresh links that work
    let link = got["files"]["idPhoto"]["url"].as_str().unwrap();
    assert_eq!(reqwest::get(link).await.unwrap().status(), 200);
    assert_eq!(v["webhook_deliveries"].as_array().unwrap().len(), 1);

    // another partner, no key, a wrong key
    let (status, v) = get(&app, &format!("/v1/checks/{id}"), Some(&b.secret_key)).await;
    assert_eq!(
        (status, v["error"].as_str()),
        (404, Some("Check not found"))
    );
    assert_eq!(v["success"], false);
    let (status, v) = get(&app, &format!("/v1/checks/{id}"), None).await;
    assert_eq!(
        (status, v["error"].as_str()),
        (401, Some("API key is required"))
    );
    let (status, v) = get(
        &app,
        &format!("/v1/checks/{id}"),
        Some("idv_sk_live_000000000000000000000000000000000000000000000000"),
    )
    .await;
    assert_eq!(
        (status, v["error"].as_str()),
        (401, Some("Invalid API key"))
    );
    let (status, _) = get(&app, "/v1/checks/no-such-check", Some(&a.secret_key)).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_list_pages_filters_and_stays_within_the_partner() {
    let app = spawn_app().await;
    let a = app.partner("A").await;
    let b = app.partner("B").await;
    let ids = seed_checks(&app.state.db, &a.partner_id, 25).await;
    seed_checks(&app.state.db, &b.partner_id, 3).await;

    let mut seen = Vec::new();
    let mut cursor = String::new();
    let mut pages = 0;
    loop {
        let (status, v) = get(
            &app,
            &format!("/v1/checks?limit=10&cursor={cursor}"),
            Some(&a.secret_key),
        )
        .await;
        assert_eq!(status, 200, "{v}");
        pages += 1;
        for c in v["data"].as_array().unwrap() {
            seen.push(c["check_id"].as_str().unwrap().to_string());
        }
        match v["next_cursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 25, "every check once, none of B's");
    let mut want = ids.clone();
    want.sort();
    assert_eq!(sorted, want);

    // filters: (query, how many of A's 25 checks match)
    for (q, n) in [
        ("user_identifier=seeded-3", 1),
        ("status=review", 0),
        ("status=verified&limit=100", 25),
        ("since=2999-01-01T00:00:00Z", 0),
        ("since=2000-01-01T00:00:00Z&limit=100", 25),
    ] {
        let (status, v) = get(&app, &format!("/v1/checks?{q}"), Some(&a.secret_key)).await;
        assert_eq!(status, 200, "{q}");
        assert_eq!(v["data"].as_array().unwrap().len(), n, "{q}");
        if n == 1 {
            assert_eq!(v["data"][0]["user_identifier"], "seeded-3");
        }
    }

    for (q, msg) in [
        (
            "status=maybe",
            "status must be one of verified, rejected, review",
        ),
        ("limit=0", "limit must be a number from 1 to 100"),
        ("limit=101", "limit must be a number from 1 to 100"),
        (
            "since=yesterday",
            "since must be an RFC 3339 time such as 2026-01-15T10:30:00Z",
        ),
        ("cursor=zzz", "cursor is not valid"),
    ] {
        let (status, v) = get(&app, &format!("/v1/checks?{q}"), Some(&a.secret_key)).await;
        assert_eq!((status, v["error"].as_str()), (400, Some(msg)), "{q}");
    }
}

pub(crate) async fn post_session(app: &TestApp, key: &str, body: Value) -> (u16, Value) {
    let r = app
        .client
        .post(app.url("/v1/sessions"))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

/// A capture link made through `POST /v1/sessions`, then expired in the database a minute ago
/// (not long enough for the retention sweep, which may run meanwhile, to delete it).
async fn expired_session(app: &TestApp, secret_key: &str) -> Value {
    let (_, v) = post_session(
        app,
        secret_key,
        serde_json::json!({"user_identifier": "u", "expires_in": 60}),
    )
    .await;
    sqlx::query("UPDATE capture_sessions SET expires_at = $2 WHERE id = $1")
        .bind(v["session_id"].as_str().unwrap())
        .bind(app::server::db::now_ms() - 60_000)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    v
}

/// The path and query of a session URL, on the test server.
fn local(app: &TestApp, url: &str) -> String {
    let u = url::Url::parse(url).unwrap();
    app.url(&format!("{}?{}", u.path(), u.query().unwrap()))
}

async fn submit_token(app: &TestApp, token: &str) -> (u16, Value) {
    let form = crate::common::media_form("seq_obama.webm", "id_obama.jpg")
        .text("capture_token", token.to_string());
    send(app.client.post(app.url("/verif/submit")).multipart(form)).await
}

/// A page as a browser asks for it: status and HTML.
async fn html(app: &TestApp, url: &str) -> (u16, String) {
    let r = app
        .client
        .get(url)
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn a_session_url_opens_the_page_without_a_key_once() {
    let app = spawn_app().await;
    let p = app
        .partner_on("Session Bank", &["https://shop.example"])
        .await;
    let (status, v) = post_session(
        &app,
        &p.secret_key,
        serde_json::json!({"user_identifier": "u-55", "redirect_url": "https://shop.example/done?x=1"}),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["success"], true);
    let url = v["url"].as_str().unwrap();
    assert!(
        !url.contains(&p.api_key) && !url.contains(&p.secret_key) && url.contains("session=cap_"),
        "{url}"
    );
    assert!(v["session_id"].as_str().is_some() && v["expires_at"].as_str().is_some());

    let page = app
        .client
        .get(local(&app, url))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.ends_with("frame-ancestors 'self' https://shop.example"),
        "{csp}"
    );
    let body = page.text().await.unwrap();
    assert!(
        body.contains("Session Bank")
            && !body.contains(&p.api_key)
            && !body.contains(&p.secret_key)
    );

    let token = url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "session")
        .unwrap()
        .1
        .to_string();
    let (status, v) = submit_token(&app, &token).await;
    assert_eq!(status, 200, "{v}");
    let check_id = v["check_id"].as_str().unwrap();
    let (_, c) = get(&app, &format!("/v1/checks/{check_id}"), Some(&p.secret_key)).await;
    assert_eq!(c["user_identifier"], "u-55");

    // used: the page and a second submission are refused
    let (status, page) = html(&app, &local(&app, url)).await;
    assert_eq!(status, 409);
    assert!(page.contains("This verification link was already used"));
    let (status, _) = submit_token(&app, &token).await;
    assert_eq!(status, 409);
}

#[tokio::test]
async fn expired_and_unknown_session_links_get_a_clear_page() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    let v = expired_session(&app, &p.secret_key).await;
    let (status, page) = html(&app, &local(&app, v["url"].as_str().unwrap())).await;
    assert_eq!(status, 410);
    assert!(page.contains("This verification link has expired"));
    // a token stands for the guide's credentials: one that matches nothing is a 401
    let (status, page) = html(&app, &app.url("/verif/?session=cap_nonsense")).await;
    assert_eq!(status, 401);
    assert!(page.contains("This verification link is not valid"));
}

#[tokio::test]
async fn session_requests_are_validated() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    for (body, msg) in [
        (serde_json::json!({}), "User identifier is required"),
        (
            serde_json::json!({"user_identifier": "u", "expires_in": 5}),
            "expires_in must be from 60 to 604800 seconds",
        ),
        (
            serde_json::json!({"user_identifier": "u", "redirect_url": "https://evil.example/x"}),
            "redirect_url must be on one of the partner's allowed origins",
        ),
        (
            serde_json::json!({"user_identifier": "u", "redirect_url": "javascript:alert(1)"}),
            "redirect_url must be an http(s) URL",
        ),
    ] {
        let (status, v) = post_session(&app, &p.secret_key, body.clone()).await;
        assert_eq!((status, v["error"].as_str()), (400, Some(msg)), "{body}");
    }
    let r = app
        .client
        .post(app.url("/v1/sessions"))
        .bearer_auth(&p.secret_key)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .starts_with("Invalid JSON body"),
        "{v}"
    );
    let r = app
        .client
        .post(app.url("/v1/sessions"))
        .json(&serde_json::json!({"user_identifier": "u"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

async fn send(req: reqwest::RequestBuilder) -> (u16, Value) {
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

pub(crate) async fn hooked_app() -> (
    TestApp,
    std::sync::Arc<crate::common::receiver::Receiver>,
    partners::CreatedPartner,
) {
    let (rx, url) = crate::common::receiver::Receiver::start(vec![]).await;
    let app = crate::common::spawn_app_with(&[
        ("IDV_WEBHOOK_ALLOWED_CIDRS", "127.0.0.0/8"),
        ("IDV_WEBHOOK_POLL_INTERVAL", "100ms"),
    ])
    .await;
    let p = partners::create(
        &app.state.db,
        &app.state.master_key,
        partners::NewPartner {
            name: "Hooked".into(),
            webhook_url: Some(url),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    (app, rx, p)
}

fn event_types(rx: &crate::common::receiver::Receiver) -> Vec<String> {
    rx.all()
        .iter()
        .map(|r| {
            serde_json::from_slice::<Value>(&r.body).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[tokio::test]
async fn redaction_deletes_the_files_blanks_contacts_and_sends_a_signed_event() {
    let (app, rx, p) = hooked_app().await;
    let other = app.partner("Other").await;
    let v = app
        .submit_media(&p.api_key, "user-r", "seq_obama.webm", "id_obama.jpg")
        .await;
    let id = v["check_id"].as_str().unwrap().to_string();
    let links: Vec<String> = ["selfieVideo", "idPhoto"]
        .iter()
        .map(|k| v["result"]["files"][k]["url"].as_str().unwrap().to_string())
        .collect();
    sqlx::query("UPDATE checks SET user_email = 'a@b.example', user_phone = '+100' WHERE id = $1")
        .bind(&id)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    rx.wait_for(1, std::time::Duration::from_secs(10)).await;

    let del = |key: &str| {
        app.client
            .delete(app.url(&format!("/v1/checks/{id}")))
            .bearer_auth(key.to_string())
    };
    let (status, _) = send(del(&other.secret_key)).await;
    assert_eq!(status, 404, "another partner cannot redact");
    let (status, r) = send(del(&p.secret_key)).await;
    assert_eq!(status, 200, "{r}");
    let redacted_at = r["redacted_at"].as_str().unwrap().to_string();
    for l in &links {
        let s = app.client.get(l).send().await.unwrap().status().as_u16();
        assert!(s == 404 || s == 410, "{l}: {s}");
    }
    let row = sqlx::query("SELECT user_email, user_phone FROM checks WHERE id = $1")
        .bind(&id)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    use sqlx::Row;
    assert_eq!(row.get::<Option<String>, _>("user_email"), None);
    assert_eq!(row.get::<Option<String>, _>("user_phone"), None);
    let (_, c) = get(&app, &format!("/v1/checks/{id}"), Some(&p.secret_key)).await;
    assert_eq!(c["redacted_at"], redacted_at.as_str());
    assert_eq!(c["result"]["files"]["idPhoto"]["url"], "");

    let got = rx.wait_for(2, std::time::Duration::from_secs(10)).await;
    assert_eq!(
        event_types(&rx),
        ["verification.completed", "verification.redacted"]
    );
    let ev = &got[1];
    assert!(crate::common::verify_standard_webhook(
        &p.webhook_secret,
        &ev.headers,
        &ev.body
    ));
    let body: Value = serde_json::from_slice(&ev.body).unwrap();
    assert_eq!(body["check_id"], id.as_str());
    assert_eq!(body["redacted_at"], redacted_at.as_str());
    assert!(body.get("selfie_video_url").is_none());

    // again: nothing changes, no second event
    let (status, r) = send(del(&p.secret_key)).await;
    assert_eq!(
        (status, r["redacted_at"].as_str()),
        (200, Some(redacted_at.as_str()))
    );
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(rx.count(), 2);
}

#[tokio::test]
async fn a_review_decision_is_final_and_sends_the_webhook() {
    let (app, rx, p) = hooked_app().await;
    let other = app.partner("Other").await;
    let ids = seed_checks(&app.state.db, &p.partner_id, 2).await;
    for id in &ids {
        sqlx::query("UPDATE checks SET status = 'review' WHERE id = $1")
            .bind(id)
            .execute(&app.state.db.pool)
            .await
            .unwrap();
    }
    rx.wait_for(2, std::time::Duration::from_secs(10)).await;
    let review = |key: &str, id: &str, body: Value| {
        app.client
            .post(app.url(&format!("/v1/checks/{id}/review")))
            .bearer_auth(key.to_string())
            .json(&body)
    };
    let ok = serde_json::json!({"decision": "rejected", "note": "document looks altered"});
    let (status, _) = send(review(&other.secret_key, &ids[0], ok.clone())).await;
    assert_eq!(status, 404);
    let (status, v) = send(review(
        &p.secret_key,
        &ids[0],
        serde_json::json!({"decision": "maybe"}),
    ))
    .await;
    assert_eq!(
        (status, v["error"].as_str()),
        (400, Some("decision must be verified or rejected"))
    );
    let (status, v) = send(review(&p.secret_key, &ids[0], ok.clone())).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["status"], "rejected");
    let (status, v) = send(review(&p.secret_key, &ids[0], ok.clone())).await;
    assert_eq!(status, 409, "decided once: {v}");

    let (_, c) = get(&app, &format!("/v1/checks/{}", ids[0]), Some(&p.secret_key)).await;
    assert_eq!(c["result"]["status"], "rejected");
    assert_eq!(
        c["result"]["verificationAssessment"]["verificationStatus"],
        "rejected"
    );
    assert!(c["reviewed_at"].as_str().is_some());

    let got = rx.wait_for(3, std::time::Duration::from_secs(10)).await;
    let last: Value = serde_json::from_slice(&got[2].body).unwrap();
    assert_eq!(last["type"], "verification.reviewed");
    assert_eq!(last["check_id"], ids[0].as_str());
    assert_eq!(last["verification_result"]["status"], "rejected");
    assert!(crate::common::verify_standard_webhook(
        &p.webhook_secret,
        &got[2].headers,
        &got[2].body
    ));

    // a redacted check cannot be decided
    let (status, _) = send(
        app.client
            .delete(app.url(&format!("/v1/checks/{}", ids[1])))
            .bearer_auth(p.secret_key.clone()),
    )
    .await;
    assert_eq!(status, 200);
    let (status, v) = send(review(&p.secret_key, &ids[1], ok)).await;
    assert_eq!(
        (status, v["error"].as_str()),
        (409, Some("This check was redacted"))
    );
}

#[tokio::test]
async fn test_mode_keys_force_outcomes_and_never_mix_with_live() {
    let (app, rx, p) = hooked_app().await;
    assert!(p.test_api_key.starts_with("idv_test_"));
    // no face at all in this video: the magic identifier decides, not the model
    for (user, status) in [
        ("test_verified", "verified"),
        ("test_rejected", "rejected"),
        ("test_review", "review"),
    ] {
        let v = app
            .submit_media(&p.test_api_key, user, "noface.webm", "id_obama.jpg")
            .await;
        assert_eq!(v["result"]["status"], status, "{v}");
        assert_eq!(v["result"]["faceComparison"]["method"], "test_mode");
        let id = v["check_id"].as_str().unwrap();
        let (code, c) = get(&app, &format!("/v1/checks/{id}"), Some(&p.test_secret_key)).await;
        assert_eq!((code, c["livemode"].as_bool()), (200, Some(false)));
        let (code, _) = get(&app, &format!("/v1/checks/{id}"), Some(&p.secret_key)).await;
        assert_eq!(code, 404, "a live key does not see test checks");
    }
    // an ordinary identifier with a test key is scored for real
    let v = app
        .submit_media(&p.test_api_key, "someone", "noface.webm", "id_obama.jpg")
        .await;
    assert_eq!(v["result"]["status"], "rejected");
    assert_eq!(v["result"]["faceComparison"]["method"], "local_face_model");

    let (_, live) = get(&app, "/v1/checks", Some(&p.secret_key)).await;
    assert_eq!(live["data"].as_array().unwrap().len(), 0);
    let (_, test) = get(&app, "/v1/checks", Some(&p.test_secret_key)).await;
    assert_eq!(test["data"].as_array().unwrap().len(), 4);
    let got = rx.wait_for(4, std::time::Duration::from_secs(10)).await;
    for r in got {
        let body: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(body["livemode"], false);
    }
}

#[tokio::test]
async fn each_key_has_its_own_rate_limit() {
    let app = crate::common::spawn_app_with(&[("IDV_API_RATE_LIMIT", "3")]).await;
    let a = app.partner("A").await;
    let b = app.partner("B").await;
    // stay inside one one-minute window
    let secs = app::server::db::now_ms() / 1000 % 60;
    if secs >= 57 {
        tokio::time::sleep(std::time::Duration::from_secs(4)).await;
    }
    for remaining in ["2", "1", "0"] {
        let r = app
            .client
            .get(app.url("/v1/checks"))
            .bearer_auth(&a.secret_key)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["ratelimit-limit"], "3");
        assert_eq!(r.headers()["ratelimit-remaining"], remaining);
        let reset: u64 = r.headers()["ratelimit-reset"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&reset));
    }
    let r = app
        .client
        .get(app.url("/v1/checks"))
        .bearer_auth(&a.secret_key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait));
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["success"], false);
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .starts_with("Rate limit exceeded"),
        "{v}"
    );
    // another key is not affected, and the capture page is not rate limited this way
    let r = app
        .client
        .get(app.url("/v1/checks"))
        .bearer_auth(&b.secret_key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

/// The budget belongs to the key, not to the header's spelling; requests without a valid key
/// take from their address's budget and never write a per-key window (issue 32, item 3).
#[tokio::test]
async fn the_rate_limit_is_the_keys_whatever_its_spelling_and_unknown_keys_are_limited_per_address()
{
    let app = crate::common::spawn_app_with(&[
        ("IDV_API_RATE_LIMIT", "3"),
        ("IDV_IP_API_PER_MINUTE", "4"),
    ])
    .await;
    let a = app.partner("A").await;
    let secs = app::server::db::now_ms() / 1000 % 60;
    if secs >= 55 {
        tokio::time::sleep(std::time::Duration::from_secs(6)).await;
    }
    let send = |authorization: String| {
        let app = &app;
        async move {
            app.client
                .get(app.url("/v1/checks"))
                .header("authorization", authorization)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let k = &a.secret_key;
    let mut statuses = Vec::new();
    for spelling in [
        format!("Bearer {k}"),
        format!("Bearer  {k}"),
        format!("Bearer \t{k}"),
        format!("Bearer   {k}"),
    ] {
        statuses.push(send(spelling).await);
    }
    assert_eq!(statuses, [200, 200, 200, 429]);
    // made-up keys of the right shape: 401 until the address's budget is spent, then 429;
    // no window row for any of them
    let windows = app.count("api_rate_windows").await;
    let mut statuses = Vec::new();
    for n in 0..6 {
        statuses.push(send(format!("Bearer idv_sk_live_{n:0>48}")).await);
    }
    assert_eq!(statuses, [401, 401, 401, 401, 429, 429]);
    assert_eq!(app.count("api_rate_windows").await, windows);
    // the valid key of another partner is not held back by the address's refusals
    let b = app.partner("B").await;
    assert_eq!(send(format!("Bearer {}", b.secret_key)).await, 200);
}

#[tokio::test]
async fn the_openapi_document_matches_the_routes() {
    let app = spawn_app().await;
    let doc: Value = app
        .client
        .get(app.url("/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{doc}");
    assert_eq!(
        doc["components"]["securitySchemes"]["api_key"]["scheme"],
        "bearer"
    );
    let mut documented = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let concrete = app.url(&path.replace("{check_id}", "no-such-check"));
        for m in ["get", "post", "put", "patch", "delete"] {
            let method = reqwest::Method::from_bytes(m.to_uppercase().as_bytes()).unwrap();
            let r = app.client.request(method, &concrete).send().await.unwrap();
            match item.get(m) {
                Some(op) => {
                    documented.push(format!("{} {path}", m.to_uppercase()));
                    // every operation needs the key, and says so
                    assert_eq!(r.status().as_u16(), 401, "{m} {path}");
                    for status in ["401", "429"] {
                        assert_eq!(
                            op["responses"][status]["content"]["application/json"]["schema"]["$ref"],
                            "#/components/schemas/ErrorBody",
                            "{m} {path} {status}"
                        );
                    }
                    if path.contains("{check_id}") {
                        assert!(op["responses"].get("404").is_some(), "{m} {path}");
                    }
                    assert_eq!(op["security"][0]["api_key"], serde_json::json!([]));
                }
                None => assert_eq!(
                    r.status().as_u16(),
                    405,
                    "{m} {path} answers but is not documented"
                ),
            }
        }
    }
    documented.sort();
    assert_eq!(
        documented,
        [
            "DELETE /v1/checks/{check_id}",
            "GET /v1/attempts",
            "GET /v1/checks",
            "GET /v1/checks/{check_id}",
            "POST /v1/checks/{check_id}/review",
            "POST /v1/sessions",
        ]
    );
    // the schemas the operations name are all there
    let text = doc.to_string();
    for schema in [
        "AttemptOutcome",
        "CheckResponse",
        "VerificationResult",
        "DeliveryView",
        "ErrorBody",
        "NewSessionBody",
    ] {
        assert!(
            doc["components"]["schemas"].get(schema).is_some(),
            "{schema}"
        );
        assert!(text.contains(&format!("#/components/schemas/{schema}")));
    }
}

#[tokio::test]
async fn contact_data_is_checked_the_same_at_every_entry() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    let cases = [
        (
            "user_email",
            "not-an-email",
            "user_email is not a valid email address",
        ),
        (
            "user_phone",
            "call me",
            "user_phone is not a valid phone number",
        ),
    ];
    for (field, value, msg) in cases {
        // POST /v1/sessions
        let (status, v) = post_session(
            &app,
            &p.secret_key,
            serde_json::json!({"user_identifier": "u", field: value}),
        )
        .await;
        assert_eq!((status, v["error"].as_str()), (400, Some(msg)), "{field}");
        // GET /verif/
        let url = reqwest::Url::parse_with_params(
            &app.url("/verif/"),
            &[
                ("api_key", p.api_key.as_str()),
                ("user_identifier", "u"),
                (field, value),
            ],
        )
        .unwrap();
        let (status, v) = send(app.client.get(url).header("accept", "application/json")).await;
        assert_eq!((status, v["error"].as_str()), (400, Some(msg)), "{field}");
        // POST /verif/submit
        let form = crate::common::media_form("seq_obama.webm", "id_obama.jpg")
            .text("api_key", p.api_key.clone())
            .text("user_identifier", "u")
            .text(field, value);
        let (status, v) = send(app.client.post(app.url("/verif/submit")).multipart(form)).await;
        assert_eq!((status, v["error"].as_str()), (400, Some(msg)), "{field}");
    }
    // nothing was stored for them
    let (_, list) = get(&app, "/v1/checks", Some(&p.secret_key)).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 0);
}

/// One mapping from a capture link's state to an error: the page, its server functions and
/// submit agree on the status and the message (before, an expired link was 401 on submit and
/// 410 on the page).
#[tokio::test]
async fn every_door_answers_a_dead_link_alike() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    let v = expired_session(&app, &p.secret_key).await;
    let url = v["url"].as_str().unwrap().to_string();
    let token = url::Url::parse(&url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "session")
        .unwrap()
        .1
        .to_string();
    for (token, status, message) in [
        (
            token.as_str(),
            410,
            "This verification link has expired; open it again from the partner's site",
        ),
        ("cap_nonsense", 401, "This verification link is not valid"),
    ] {
        let (s, page) = html(&app, &app.url(&format!("/verif/?session={token}"))).await;
        assert_eq!((s, page.contains(message)), (status, true), "page: {page}");
        let (s, v) = send(
            app.client
                .get(app.url(&format!("/verif/?session={token}")))
                .header("accept", "application/json"),
        )
        .await;
        assert_eq!(
            (s, v["error"].as_str()),
            (status, Some(message)),
            "page JSON"
        );
        for f in ["give_consent", "renew_capture_token"] {
            let r = app
                .client
                .post(app.url(&format!("/api/{f}")))
                .form(&[("capture_token", token), ("consent_version", "2026-11-26")])
                .send()
                .await
                .unwrap();
            let s = r.status().as_u16();
            let body = r.text().await.unwrap();
            assert_eq!((s, body.contains(message)), (status, true), "{f}: {body}");
        }
        let (s, v) = submit_token(&app, token).await;
        assert_eq!((s, v["error"].as_str()), (status, Some(message)), "submit");
    }
}

// --- Idempotency-Key (issue 32) ---------------------------------------------------------------

/// A submission of the test media with `key`, to `app` (a node).
async fn keyed_submit(
    app: &TestApp,
    api_key: &str,
    user: &str,
    key: Option<&str>,
) -> reqwest::Response {
    keyed_submit_of(app, api_key, user, key, "id_obama.jpg").await
}

async fn keyed_submit_of(
    app: &TestApp,
    api_key: &str,
    user: &str,
    key: Option<&str>,
    id_photo: &str,
) -> reqwest::Response {
    let form = crate::common::media_form("seq_obama.webm", id_photo)
        .text("api_key", api_key.to_string())
        .text("user_identifier", user.to_string());
    let mut req = app.client.post(app.url("/verif/submit")).multipart(form);
    if let Some(k) = key {
        req = req.header("Idempotency-Key", k);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn a_submission_retried_with_its_idempotency_key_on_another_node_makes_one_check() {
    let a = spawn_app().await;
    let b = crate::common::spawn_node(&a, &[]).await;
    let p = a.partner("Acme").await;
    let r = keyed_submit(&a, &p.api_key, "u-idem", Some("order-42")).await;
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("idempotent-replayed").is_none());
    let first: Value = r.json().await.unwrap();
    // the answer was lost: the partner retries through the other node
    let r = keyed_submit(&b, &p.api_key, "u-idem", Some("order-42")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["idempotent-replayed"], "true");
    let again: Value = r.json().await.unwrap();
    assert_eq!(again["check_id"], first["check_id"]);
    assert_eq!(again["result"]["status"], first["result"]["status"]);
    assert_eq!(a.count("checks").await, 1);
    assert_eq!(a.count("webhook_deliveries").await, 1);
    // another request with the same key (another ID photo)
    let r = keyed_submit_of(&b, &p.api_key, "u-idem", Some("order-42"), "id_obama.heic").await;
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    assert!(
        v["error"].as_str().unwrap().contains("different request"),
        "{v}"
    );
    // a submission's keys are its user's: another user's key of the same name is its own
    let r = keyed_submit(&b, &p.api_key, "someone-else", Some("order-42")).await;
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("idempotent-replayed").is_none());
    // a bad key is refused before the body is read
    let long = "k".repeat(256);
    let r = keyed_submit(&a, &p.api_key, "u-idem", Some(&long)).await;
    assert_eq!(r.status(), 400);
    // without the header, a retry is a new check, as it always was
    for _ in 0..2 {
        assert_eq!(
            keyed_submit(&a, &p.api_key, "u-idem", None).await.status(),
            200
        );
    }
    assert_eq!(a.count("checks").await, 4);
}

#[tokio::test]
async fn a_check_whose_answer_was_lost_is_replayed_not_made_again() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    // a node committed a check under the key and died before it answered: the key is still
    // "running", its lease lapsed, the check's id on it
    let ids = seed_checks(&app.state.db, &p.partner_id, 1).await;
    let fingerprint = {
        // what the same submission hashes to: made by submitting it under another key first
        let r = keyed_submit(&app, &p.api_key, "u-lost", Some("probe")).await;
        assert_eq!(r.status(), 200);
        let row = sqlx::query(
            "SELECT fingerprint FROM idempotency_keys WHERE idem_key = 'submit:u-lost:probe'",
        )
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
        sqlx::Row::get::<String, _>(&row, "fingerprint")
    };
    sqlx::query(
        "INSERT INTO idempotency_keys (partner_id, livemode, idem_key, fingerprint, state, locked_until, check_id, created_at, expires_at) \
         VALUES ($1, 1, 'submit:u-lost:lost', $2, 'running', 0, $3, 0, 9999999999999)",
    )
    .bind(&p.partner_id)
    .bind(&fingerprint)
    .bind(&ids[0])
    .execute(&app.state.db.pool)
    .await
    .unwrap();
    let before = app.count("checks").await;
    let r = keyed_submit(&app, &p.api_key, "u-lost", Some("lost")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["idempotent-replayed"], "true");
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["check_id"], ids[0].as_str());
    assert_eq!(app.count("checks").await, before, "no second check");
}

#[tokio::test]
async fn a_session_created_twice_with_one_idempotency_key_is_one_link() {
    let a = spawn_app().await;
    let b = crate::common::spawn_node(&a, &[]).await;
    let p = a.partner("Acme").await;
    let post = |app: &TestApp, body: Value, key: &str| {
        app.client
            .post(app.url("/v1/sessions"))
            .bearer_auth(&p.secret_key)
            .header("Idempotency-Key", key.to_string())
            .json(&body)
            .send()
    };
    let body = serde_json::json!({"user_identifier": "u-session"});
    let r = post(&a, body.clone(), "s-1").await.unwrap();
    assert_eq!(r.status(), 201);
    let first: Value = r.json().await.unwrap();
    let r = post(&b, body.clone(), "s-1").await.unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["idempotent-replayed"], "true");
    let again: Value = r.json().await.unwrap();
    assert_eq!(again, first);
    assert_eq!(a.count("capture_sessions").await, 1);
    // another body with the same key; a key too long
    let r = post(&b, serde_json::json!({"user_identifier": "other"}), "s-1")
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = post(&a, body, &"k".repeat(256)).await.unwrap();
    assert_eq!(r.status(), 400);
    // the kept answer holds the link's token: stored encrypted
    let rows = sqlx::query("SELECT body_enc FROM idempotency_keys")
        .fetch_all(&a.state.db.pool)
        .await
        .unwrap();
    let token = first["session_id"].as_str().unwrap_or_default().to_string();
    for row in rows {
        let sealed: Option<String> = sqlx::Row::get(&row, "body_enc");
        assert!(!sealed.unwrap_or_default().contains("cap_"), "{token}");
    }
}
