//! Webhook delivery against a real HTTP receiver on loopback: the guide's payload, Standard
//! Webhooks signatures, retries (same id, fresh timestamp), the timeout cut, a receiver that comes
//! back, Retry-After, the SSRF guard, secret rotation and redelivery.

use std::time::Duration;

use app::server::{outbox, partners};
use serde_json::Value;

use crate::common::{
    TestApp,
    receiver::{Receiver, Reply},
    seed_checks, spawn_app_with, verify_standard_webhook,
};

const FAST: &[(&str, &str)] = &[
    ("IDV_WEBHOOK_ALLOWED_CIDRS", "127.0.0.0/8"),
    ("IDV_WEBHOOK_POLL_INTERVAL", "100ms"),
];

async fn app_with(schedule: &str) -> TestApp {
    let mut env = FAST.to_vec();
    env.push(("IDV_WEBHOOK_RETRY_SCHEDULE", schedule));
    spawn_app_with(&env).await
}

async fn partner_with_hook(app: &TestApp, url: &str) -> partners::CreatedPartner {
    partners::create(
        &app.state.db,
        &app.state.master_key,
        partners::NewPartner {
            name: format!("Hooked {}", uuid::Uuid::new_v4()),
            webhook_url: Some(url.into()),
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

/// Waits until the check's (first) delivery reaches `status`.
async fn wait_status(
    app: &TestApp,
    check_id: &str,
    status: &str,
    limit: Duration,
) -> outbox::DeliveryView {
    let t0 = std::time::Instant::now();
    loop {
        let list = outbox::list_for_check(&app.state.db, check_id)
            .await
            .unwrap();
        if let Some(d) = list.into_iter().next() {
            if d.status == status {
                return d;
            }
            assert!(
                t0.elapsed() < limit,
                "delivery still {} after {limit:?}: {d:?}",
                d.status
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn json(body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap()
}

#[tokio::test]
async fn the_webhook_is_the_guides_payload_signed_the_standard_way() {
    let (rx, url) = Receiver::start(vec![]).await;
    let app = app_with("0s").await;
    let p = partner_with_hook(&app, &url).await;
    let submitted = app
        .submit_media(&p.api_key, "user-77", "seq_obama.webm", "id_obama.jpg")
        .await;
    let check_id = submitted["check_id"].as_str().unwrap();

    let got = rx.wait_for(1, Duration::from_secs(10)).await;
    let req = &got[0];
    let h = &req.headers;
    assert_eq!(h["user-agent"], "IdentityVerification/1.0");
    assert_eq!(h["content-type"], "application/json");
    assert!(h["webhook-id"].to_str().unwrap().starts_with("msg_"));
    let ts: i64 = h["webhook-timestamp"].to_str().unwrap().parse().unwrap();
    assert!((ts - app::server::db::now_ms() / 1000).abs() < 60);
    assert!(
        verify_standard_webhook(&p.webhook_secret, h, &req.body),
        "signature"
    );
    // and by the Standard Webhooks reference library, as a partner would
    standardwebhooks::Webhook::new(&p.webhook_secret)
        .unwrap()
        .verify(&req.body, h)
        .expect("the reference library accepts our webhook");
    assert!(!verify_standard_webhook(
        &partners::generate_webhook_secret(),
        h,
        &req.body
    ));

    // field by field, as the guide lists them
    let w = json(&req.body);
    let result = &submitted["result"];
    assert_eq!(w["check_id"], check_id);
    assert_eq!(w["user_identifier"], "user-77");
    let vr = &w["verification_result"];
    assert_eq!(vr["sessionId"], check_id);
    assert_eq!(vr["timestamp"], result["timestamp"]);
    assert_eq!(vr["status"], result["status"]);
    for f in ["isIdentical", "confidence", "similarityScore"] {
        assert_eq!(vr["faceComparison"][f], result["faceComparison"][f], "{f}");
    }
    for f in ["overallScore", "verificationStatus", "confidenceLevel"] {
        assert_eq!(
            vr["verificationAssessment"][f], result["verificationAssessment"][f],
            "{f}"
        );
    }
    assert_eq!(w["completed_at"], result["timestamp"]);
    let ts_re = |s: &str| s.len() == 24 && s.ends_with('Z') && s.as_bytes()[19] == b'.';
    assert!(ts_re(w["completed_at"].as_str().unwrap()));
    // the file links work
    for f in ["selfie_video_url", "id_photo_url"] {
        let link = w[f].as_str().unwrap();
        let r = reqwest::get(link).await.unwrap();
        assert_eq!(r.status(), 200, "{f}");
    }
    // recorded as delivered, one attempt
    let d = wait_status(&app, check_id, "delivered", Duration::from_secs(5)).await;
    assert_eq!(d.attempt_log.len(), 1);
    assert_eq!(d.attempt_log[0].status_code, Some(200));
    assert_eq!(d.id, h["webhook-id"].to_str().unwrap());
}

#[tokio::test]
async fn a_failed_attempt_is_retried_with_the_same_id_and_a_fresh_timestamp() {
    let (rx, url) = Receiver::start(vec![Reply::Status(500)]).await;
    let app = app_with("0s,2s").await;
    let p = partner_with_hook(&app, &url).await;
    let ids = seed_checks(&app.state.db, &p.partner_id, 1).await;
    app.state.webhook_notify.notify_one();
    let got = rx.wait_for(2, Duration::from_secs(10)).await;
    let (a, b) = (&got[0].headers, &got[1].headers);
    assert_eq!(a["webhook-id"], b["webhook-id"]);
    assert_ne!(a["webhook-timestamp"], b["webhook-timestamp"]);
    assert!(verify_standard_webhook(&p.webhook_secret, a, &got[0].body));
    assert!(verify_standard_webhook(&p.webhook_secret, b, &got[1].body));
    let d = wait_status(&app, &ids[0], "delivered", Duration::from_secs(5)).await;
    let codes: Vec<_> = d.attempt_log.iter().map(|a| a.status_code).collect();
    assert_eq!(codes, [Some(500), Some(200)]);
    assert_eq!(d.attempt_log[0].error.as_deref(), Some("HTTP 500"));
    assert_eq!(
        d.attempt_log[0].response_excerpt.as_deref(),
        Some("scripted")
    );
}

/// The guide's 10 s cut is IDV_WEBHOOK_TIMEOUT's default (a config unit test holds it); here
/// the same cut at 2 s, so the test does not spend 10 s waiting.
#[tokio::test]
async fn a_receiver_slower_than_the_timeout_is_cut_and_retried() {
    let (rx, url) = Receiver::start(vec![Reply::Slow(Duration::from_secs(4))]).await;
    let mut env = FAST.to_vec();
    env.extend([
        ("IDV_WEBHOOK_RETRY_SCHEDULE", "0s,1s"),
        ("IDV_WEBHOOK_TIMEOUT", "2s"),
    ]);
    let app = spawn_app_with(&env).await;
    let p = partner_with_hook(&app, &url).await;
    let ids = seed_checks(&app.state.db, &p.partner_id, 1).await;
    app.state.webhook_notify.notify_one();
    let d = wait_status(&app, &ids[0], "delivered", Duration::from_secs(15)).await;
    assert_eq!(d.attempt_log.len(), 2, "{d:?}");
    let first = &d.attempt_log[0];
    assert!(
        (1_900..=3_500).contains(&first.duration_ms),
        "cut after {} ms",
        first.duration_ms
    );
    assert!(
        first.error.as_deref().unwrap().contains("timed out"),
        "{first:?}"
    );
    assert_eq!(first.status_code, None);
    assert_eq!(d.attempt_log[1].status_code, Some(200));
    assert_eq!(rx.count(), 2);
}

#[tokio::test]
async fn a_receiver_that_was_down_gets_the_webhook_when_it_is_back() {
    // a free loopback port with nothing listening yet
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/hook");
    let app = app_with("0s,1s,1s,1s,1s,1s,1s,1s,1s,1s").await;
    let p = partner_with_hook(&app, &url).await;
    let ids = seed_checks(&app.state.db, &p.partner_id, 1).await;
    app.state.webhook_notify.notify_one();
    // at least two refused connections first
    let t0 = std::time::Instant::now();
    loop {
        let d = &outbox::list_for_check(&app.state.db, &ids[0])
            .await
            .unwrap()[0];
        if d.attempt_log.len() >= 2 {
            assert_eq!(d.status, "pending");
            assert!(
                d.attempt_log.iter().all(|a| a.status_code.is_none()
                    && a.error.as_deref().unwrap().contains("connection")),
                "{d:?}"
            );
            break;
        }
        assert!(t0.elapsed() < Duration::from_secs(10), "{d:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let (rx, _) = Receiver::serve_on(listener, vec![]).await;
    let d = wait_status(&app, &ids[0], "delivered", Duration::from_secs(10)).await;
    assert_eq!(rx.count(), 1);
    assert_eq!(d.attempt_log.last().unwrap().status_code, Some(200));
}

#[tokio::test]
async fn retry_after_is_honoured_and_the_last_failure_is_final() {
    let (rx, url) = Receiver::start(vec![
        Reply::RetryAfter(429, 3),
        Reply::Status(503),
        Reply::Status(500),
    ])
    .await;
    let app = app_with("0s,0s,0s").await;
    let p = partner_with_hook(&app, &url).await;
    let ids = seed_checks(&app.state.db, &p.partner_id, 1).await;
    app.state.webhook_notify.notify_one();
    let d = wait_status(&app, &ids[0], "failed", Duration::from_secs(15)).await;
    let got = rx.all();
    assert_eq!(got.len(), 3, "schedule of 3 attempts, then failed");
    let gap = got[1].at - got[0].at;
    assert!(
        gap >= Duration::from_millis(2900),
        "waited only {gap:?} after Retry-After: 3"
    );
    assert_eq!(d.attempts, 3);
    assert_eq!(d.last_error.as_deref(), Some("HTTP 500"));
}

#[tokio::test]
async fn internal_destinations_are_refused_unless_allow_listed() {
    let (rx, url) = Receiver::start(vec![]).await;
    // no IDV_WEBHOOK_ALLOWED_CIDRS: loopback is off limits, by name or by address
    let app = spawn_app_with(&[
        ("IDV_WEBHOOK_POLL_INTERVAL", "100ms"),
        ("IDV_WEBHOOK_RETRY_SCHEDULE", "0s"),
    ])
    .await;
    let by_name = url.replace("127.0.0.1", "localhost");
    for u in [url.as_str(), by_name.as_str()] {
        let p = partner_with_hook(&app, u).await;
        let ids = seed_checks(&app.state.db, &p.partner_id, 1).await;
        app.state.webhook_notify.notify_one();
        let d = wait_status(&app, &ids[0], "failed", Duration::from_secs(10)).await;
        let err = d.attempt_log[0].error.clone().unwrap();
        assert!(
            err.contains("refused") && err.contains("IDV_WEBHOOK_ALLOWED_CIDRS"),
            "{u}: {err}"
        );
    }
    assert_eq!(rx.count(), 0, "nothing may reach an internal address");
}

#[tokio::test]
async fn a_rotated_secret_signs_alongside_the_new_one_and_redelivery_keeps_the_id() {
    let (rx, url) = Receiver::start(vec![]).await;
    let app = app_with("0s").await;
    let p = partner_with_hook(&app, &url).await;
    let new_secret = partners::rotate_webhook_secret(
        &app.state.db,
        &app.state.master_key,
        &p.partner_id,
        partners::KeyMode::Live,
        Duration::from_secs(3600),
        &app::server::audit::Actor::Operator,
    )
    .await
    .unwrap();
    let ids = seed_checks(&app.state.db, &p.partner_id, 1).await;
    app.state.webhook_notify.notify_one();
    let got = rx.wait_for(1, Duration::from_secs(10)).await;
    let h = &got[0].headers;
    assert_eq!(
        h["webhook-signature"].to_str().unwrap().split(' ').count(),
        2
    );
    assert!(verify_standard_webhook(&p.webhook_secret, h, &got[0].body));
    assert!(verify_standard_webhook(&new_secret, h, &got[0].body));
    for secret in [&p.webhook_secret, &new_secret] {
        standardwebhooks::Webhook::new(secret)
            .unwrap()
            .verify(&got[0].body, h)
            .expect("the reference library accepts either signature");
    }

    wait_status(&app, &ids[0], "delivered", Duration::from_secs(5)).await;
    assert_eq!(
        outbox::redeliver(&app.state.db, &ids[0], &app::server::audit::Actor::Operator)
            .await
            .unwrap(),
        1
    );
    app.state.webhook_notify.notify_one();
    let got = rx.wait_for(2, Duration::from_secs(10)).await;
    assert_eq!(got[0].headers["webhook-id"], got[1].headers["webhook-id"]);
    let d = wait_status(&app, &ids[0], "delivered", Duration::from_secs(5)).await;
    assert_eq!(d.attempt_log.len(), 2);
    assert!(
        outbox::redeliver(
            &app.state.db,
            "no-such-check",
            &app::server::audit::Actor::Operator
        )
        .await
        .is_err()
    );
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let (rx, url) = Receiver::start(vec![Reply::Status(302)]).await;
    let app = app_with("0s,0s").await;
    let p = partner_with_hook(&app, &url).await;
    let ids = seed_checks(&app.state.db, &p.partner_id, 1).await;
    app.state.webhook_notify.notify_one();
    let d = wait_status(&app, &ids[0], "delivered", Duration::from_secs(10)).await;
    assert_eq!(d.attempt_log[0].status_code, Some(302));
    assert_eq!(d.attempt_log[0].error.as_deref(), Some("HTTP 302"));
    assert_eq!(rx.count(), 2, "the 302 is a failed attempt, then the retry");
}

#[tokio::test]
async fn a_partner_without_a_webhook_url_is_skipped() {
    let app = app_with("0s").await;
    let p = app.partner("No hook").await;
    let ids = seed_checks(&app.state.db, &p.partner_id, 1).await;
    app.state.webhook_notify.notify_one();
    let d = wait_status(&app, &ids[0], "skipped", Duration::from_secs(5)).await;
    assert_eq!(
        d.last_error.as_deref(),
        Some("the partner has no webhook URL")
    );
}
