use std::time::Duration;

use app::server::partners::{self, KeyKind, KeyMode};
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
    // one that is long or odd is replaced by a fresh one: it never reaches the logs
    for odd in ["x".repeat(65), "a b".into(), "<script>".into()] {
        let r = app
            .client
            .get(app.url("/healthz"))
            .header("x-request-id", odd.as_str())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let id = r.headers()["x-request-id"].to_str().unwrap();
        assert!(
            id != odd && uuid::Uuid::parse_str(id).is_ok(),
            "{odd:?} -> {id}"
        );
    }

    // readiness follows the database
    app.state.db.pool.close().await;
    let r = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status(), 503);
}

/// `authenticate` as a capture endpoint does it: Some when the key works.
async fn capture(db: &app::server::db::Db, key: &str) -> Option<partners::Authenticated> {
    partners::authenticate(db, key, KeyKind::Capture)
        .await
        .unwrap()
        .ok()
}

#[tokio::test]
async fn api_keys_are_stored_only_as_hashes() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    assert!(p.api_key.starts_with("idv_live_"));
    assert!(p.test_api_key.starts_with("idv_test_"));
    assert!(p.secret_key.starts_with("idv_sk_live_"));
    assert!(p.test_secret_key.starts_with("idv_sk_test_"));
    assert!(p.webhook_secret.starts_with("whsec_"));
    assert_ne!(p.webhook_secret, p.test_webhook_secret);
    let auth = capture(&app.state.db, &p.api_key).await.expect("key works");
    assert_eq!(auth.partner.id, p.partner_id);
    // each kind works where it belongs only
    assert_eq!(
        partners::authenticate(&app.state.db, &p.api_key, KeyKind::Secret)
            .await
            .unwrap()
            .unwrap_err(),
        partners::KeyRefused::WrongKind(KeyKind::Capture)
    );
    assert_eq!(
        partners::authenticate(&app.state.db, &p.secret_key, KeyKind::Capture)
            .await
            .unwrap()
            .unwrap_err(),
        partners::KeyRefused::WrongKind(KeyKind::Secret)
    );
    assert!(
        partners::authenticate(&app.state.db, &p.secret_key, KeyKind::Secret)
            .await
            .unwrap()
            .is_ok()
    );

    // nothing in the database contains a key or a webhook secret in clear
    let rows = sqlx::query("SELECT lookup, key_hash FROM api_keys")
        .fetch_all(&app.state.db.pool)
        .await
        .unwrap();
    for row in rows {
        for col in ["lookup", "key_hash"] {
            let v: String = row.try_get(col).unwrap();
            for key in [
                &p.api_key,
                &p.secret_key,
                &p.test_api_key,
                &p.test_secret_key,
            ] {
                assert!(
                    !v.contains(key.as_str()) && !key.ends_with(&v),
                    "{col} reveals a key"
                );
            }
        }
    }
    for sealed in sqlx::query_scalar::<_, String>("SELECT webhook_secret_enc FROM partner_modes")
        .fetch_all(&app.state.db.pool)
        .await
        .unwrap()
    {
        assert!(!sealed.contains(p.webhook_secret.trim_start_matches("whsec_")));
        assert!(!sealed.contains(p.test_webhook_secret.trim_start_matches("whsec_")));
    }
    for (mode, want) in [
        (KeyMode::Live, &p.webhook_secret),
        (KeyMode::Test, &p.test_webhook_secret),
    ] {
        let secret =
            partners::webhook_secret(&app.state.db, &app.state.master_key, &p.partner_id, mode)
                .await
                .unwrap();
        assert_eq!(&secret, want);
    }

    // a near miss (last character changed) is refused
    let mut wrong = p.api_key.clone();
    let last = wrong.pop().unwrap();
    wrong.push(if last == '0' { '1' } else { '0' });
    assert!(capture(&app.state.db, &wrong).await.is_none());
    assert!(capture(&app.state.db, "").await.is_none());
}

#[tokio::test]
async fn rotation_keeps_the_old_key_for_the_grace_period_only() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    let db = &app.state.db;
    let rotate = |retire| {
        partners::rotate_key(
            db,
            &p.partner_id,
            KeyKind::Capture,
            KeyMode::Live,
            retire,
            &app::server::audit::Actor::Operator,
        )
    };
    let k2 = rotate(partners::Retire::After(Duration::from_secs(3600)))
        .await
        .unwrap();
    assert!(
        capture(db, &p.api_key).await.is_some(),
        "old key in grace period"
    );
    assert!(capture(db, &k2).await.is_some());
    let k3 = rotate(partners::Retire::After(Duration::ZERO))
        .await
        .unwrap();
    assert!(
        capture(db, &p.api_key).await.is_none(),
        "grace 0 ends the old key now"
    );
    assert!(capture(db, &k2).await.is_none());
    assert!(capture(db, &k3).await.is_some());
    // a capture key rotation never touches the secret keys, nor the other mode's keys
    assert!(
        partners::authenticate(db, &p.secret_key, KeyKind::Secret)
            .await
            .unwrap()
            .is_ok()
    );
    assert!(capture(db, &p.test_api_key).await.is_some());
    // the new key has no expiry, whatever came before
    let k4 = rotate(partners::Retire::Now).await.unwrap();
    let expiry: Option<i64> =
        sqlx::query_scalar("SELECT expires_at FROM api_keys WHERE lookup = $1")
            .bind(&k4[9..25])
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(expiry, None);
    assert!(capture(db, &k3).await.is_none(), "revoked now");
}

#[tokio::test]
async fn disabled_partner_is_refused_and_can_be_enabled() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    let op = app::server::audit::Actor::Operator;
    partners::set_disabled(&app.state.db, &p.partner_id, true, &op)
        .await
        .unwrap();
    assert!(capture(&app.state.db, &p.api_key).await.is_none());
    partners::set_disabled(&app.state.db, &p.partner_id, false, &op)
        .await
        .unwrap();
    assert!(capture(&app.state.db, &p.api_key).await.is_some());
    assert!(
        partners::set_disabled(&app.state.db, "nope", true, &op)
            .await
            .is_err()
    );
    // the operator's actions are in the audit log
    let actions: Vec<String> =
        app::server::audit::list(&app.state.db, &p.partner_id, true, None, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
    for a in ["partner.created", "partner.disabled", "partner.enabled"] {
        assert!(actions.contains(&a.to_string()), "{a}: {actions:?}");
    }
}

#[tokio::test]
async fn partner_update_validates_each_field() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    let db = &app.state.db;
    let op = app::server::audit::Actor::Operator;
    let updated = partners::update(
        db,
        &p.partner_id,
        partners::PartnerUpdate {
            primary_color: Some("#ABC".into()),
            webhook_url: Some("https://hooks.acme.example/idv".into()),
            allowed_origins: Some(vec!["https://acme.example".into()]),
            ..Default::default()
        },
        &op,
    )
    .await
    .unwrap();
    assert_eq!(updated.theme.primary_color, "#aabbcc");
    assert_eq!(
        updated.live.webhook_url.as_deref(),
        Some("https://hooks.acme.example/idv")
    );
    assert_eq!(
        updated.live.allowed_origins,
        vec!["https://acme.example".to_string()]
    );
    // the other mode keeps its own
    assert_eq!(updated.test.webhook_url, None);
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
        let e = partners::update(db, &p.partner_id, bad, &op)
            .await
            .unwrap_err();
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
