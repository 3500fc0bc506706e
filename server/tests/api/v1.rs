//! The partner API's read side: `GET /v1/checks/{id}` and `GET /v1/checks`, Bearer-authenticated,
//! each partner confined to its own checks.

use serde_json::Value;

use crate::common::{TestApp, seed_checks, spawn_app};

async fn get(app: &TestApp, path: &str, key: Option<&str>) -> (u16, Value) {
    let mut req = app.client.get(app.url(path));
    if let Some(k) = key {
        req = req.bearer_auth(k);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
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

    let (status, v) = get(&app, &format!("/v1/checks/{id}"), Some(&a.api_key)).await;
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
    let (status, v) = get(&app, &format!("/v1/checks/{id}"), Some(&b.api_key)).await;
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
        Some("idv_live_000000000000000000000000000000000000000000000000"),
    )
    .await;
    assert_eq!(
        (status, v["error"].as_str()),
        (401, Some("Invalid API key"))
    );
    let (status, _) = get(&app, "/v1/checks/no-such-check", Some(&a.api_key)).await;
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
            Some(&a.api_key),
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

    let (_, v) = get(
        &app,
        "/v1/checks?user_identifier=seeded-3",
        Some(&a.api_key),
    )
    .await;
    assert_eq!(v["data"].as_array().unwrap().len(), 1);
    assert_eq!(v["data"][0]["user_identifier"], "seeded-3");
    let (_, v) = get(&app, "/v1/checks?status=review", Some(&a.api_key)).await;
    assert_eq!(v["data"].as_array().unwrap().len(), 0);
    let (_, v) = get(
        &app,
        "/v1/checks?since=2999-01-01T00:00:00Z",
        Some(&a.api_key),
    )
    .await;
    assert_eq!(v["data"].as_array().unwrap().len(), 0);
    let (_, v) = get(
        &app,
        "/v1/checks?since=2000-01-01T00:00:00Z&limit=100",
        Some(&a.api_key),
    )
    .await;
    assert_eq!(v["data"].as_array().unwrap().len(), 25);

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
        let (status, v) = get(&app, &format!("/v1/checks?{q}"), Some(&a.api_key)).await;
        assert_eq!((status, v["error"].as_str()), (400, Some(msg)), "{q}");
    }
}
