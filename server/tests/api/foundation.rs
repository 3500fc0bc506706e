use std::time::Duration;

use app::server::partners;
use sqlx::Row;

use crate::common::{backend, spawn_app, spawn_app_with};

#[tokio::test]
async fn health_and_readiness() {
    let app = spawn_app().await;
    let r = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers().get("x-request-id").is_some(),
        "every response carries a request id"
    );
    let r = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["status"], "ready");

    // a caller's request id is kept
    let r = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "abc-123");

    // readiness follows the database
    app.state.db.pool.close().await;
    let r = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status(), 503);
}

#[tokio::test]
async fn api_keys_are_stored_only_as_hashes() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    assert!(p.api_key.starts_with("idv_live_"));
    assert!(p.webhook_secret.starts_with("whsec_"));
    let auth = partners::authenticate(&app.state.db, &p.api_key)
        .await
        .unwrap()
        .expect("key works");
    assert_eq!(auth.partner.id, p.partner_id);

    // nothing in the database contains the key or the webhook secret in clear
    let rows = sqlx::query("SELECT lookup, key_hash FROM api_keys")
        .fetch_all(&app.state.db.pool)
        .await
        .unwrap();
    for row in rows {
        for col in ["lookup", "key_hash"] {
            let v: String = row.try_get(col).unwrap();
            assert!(
                !v.contains(&p.api_key) && !p.api_key.ends_with(&v),
                "{col} reveals the key"
            );
        }
    }
    let sealed: String = sqlx::query_scalar("SELECT webhook_secret_enc FROM partners")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert!(!sealed.contains(p.webhook_secret.trim_start_matches("whsec_")));
    let secret = partners::webhook_secret(&app.state.db, &app.state.master_key, &p.partner_id)
        .await
        .unwrap();
    assert_eq!(secret, p.webhook_secret);

    // a near miss (last character changed) is refused
    let mut wrong = p.api_key.clone();
    let last = wrong.pop().unwrap();
    wrong.push(if last == '0' { '1' } else { '0' });
    assert!(
        partners::authenticate(&app.state.db, &wrong)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        partners::authenticate(&app.state.db, "")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn rotation_keeps_the_old_key_for_the_grace_period_only() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    let db = &app.state.db;
    let k2 = partners::rotate_key(
        db,
        &p.partner_id,
        partners::KeyMode::Live,
        Duration::from_secs(3600),
        &app::server::audit::Actor::Operator,
    )
    .await
    .unwrap();
    assert!(
        partners::authenticate(db, &p.api_key)
            .await
            .unwrap()
            .is_some(),
        "old key in grace period"
    );
    assert!(partners::authenticate(db, &k2).await.unwrap().is_some());
    let k3 = partners::rotate_key(
        db,
        &p.partner_id,
        partners::KeyMode::Live,
        Duration::ZERO,
        &app::server::audit::Actor::Operator,
    )
    .await
    .unwrap();
    assert!(
        partners::authenticate(db, &p.api_key)
            .await
            .unwrap()
            .is_none(),
        "grace 0 ends the old key now"
    );
    assert!(partners::authenticate(db, &k2).await.unwrap().is_none());
    assert!(partners::authenticate(db, &k3).await.unwrap().is_some());
}

#[tokio::test]
async fn disabled_partner_is_refused_and_can_be_enabled() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    partners::set_disabled(&app.state.db, &p.partner_id, true)
        .await
        .unwrap();
    assert!(
        partners::authenticate(&app.state.db, &p.api_key)
            .await
            .unwrap()
            .is_none()
    );
    partners::set_disabled(&app.state.db, &p.partner_id, false)
        .await
        .unwrap();
    assert!(
        partners::authenticate(&app.state.db, &p.api_key)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        partners::set_disabled(&app.state.db, "nope", true)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn partner_update_validates_each_field() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    let db = &app.state.db;
    let updated = partners::update(
        db,
        &p.partner_id,
        partners::PartnerUpdate {
            primary_color: Some("#ABC".into()),
            webhook_url: Some("https://hooks.acme.example/idv".into()),
            allowed_origins: Some(vec!["https://acme.example".into()]),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(updated.theme.primary_color, "#aabbcc");
    assert_eq!(
        updated.webhook_url.as_deref(),
        Some("https://hooks.acme.example/idv")
    );
    assert_eq!(
        updated.allowed_origins,
        vec!["https://acme.example".to_string()]
    );
    for bad in [
        partners::PartnerUpdate {
            primary_color: Some("blue".into()),
            ..Default::default()
        },
        partners::PartnerUpdate {
            webhook_url: Some("ftp://x".into()),
            ..Default::default()
        },
        partners::PartnerUpdate {
            allowed_origins: Some(vec!["https://a.example/path".into()]),
            ..Default::default()
        },
    ] {
        let e = partners::update(db, &p.partner_id, bad).await.unwrap_err();
        assert!(matches!(e, partners::PartnerError::Invalid(_)), "{e}");
    }
    // unchanged by the refused updates
    let again = partners::get(db, &p.partner_id).await.unwrap().unwrap();
    assert_eq!(again.theme.primary_color, "#aabbcc");
}

#[tokio::test]
async fn graceful_shutdown_finishes() {
    let app = spawn_app_with(&[("IDV_SHUTDOWN_TIMEOUT", "5s")]).await;
    let r = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    tokio::time::timeout(Duration::from_secs(10), app.stop())
        .await
        .expect("stops in time")
        .unwrap();
}

#[tokio::test]
async fn backend_is_the_one_requested() {
    let app = spawn_app().await;
    let expect = match backend() {
        "postgres" => app::server::db::Backend::Postgres,
        _ => app::server::db::Backend::Sqlite,
    };
    assert_eq!(app.state.db.backend, expect);
}
