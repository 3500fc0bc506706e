//! The `idv` binary as an operator uses it: partner commands, and clear one-line failures for
//! bad configuration.

// a test reads as one story; the function-length limit is for the service's code
#![allow(clippy::too_many_lines)]

mod common;

use std::process::{Command, Output};

use common::test_env;

fn idv(env: &std::collections::HashMap<String, String>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_idv"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run idv")
}

fn json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object on stdout")
}

#[tokio::test]
async fn partner_lifecycle_through_the_cli() {
    let (_dir, env) = test_env(&[]).await;
    let created = json(&idv(
        &env,
        &[
            "partner",
            "create",
            "--name",
            "Acme",
            "--primary-color",
            "#123456",
            "--allowed-origin",
            "https://acme.example",
        ],
    ));
    let id = created["partner_id"].as_str().unwrap().to_string();
    let key = created["api_key"].as_str().unwrap().to_string();
    assert!(key.starts_with("idv_live_"));
    assert!(
        created["webhook_secret"]
            .as_str()
            .unwrap()
            .starts_with("whsec_")
    );

    let list = idv(&env, &["partner", "list"]);
    assert!(list.status.success());
    let text = String::from_utf8(list.stdout).unwrap();
    assert!(text.contains(&id) && text.contains("#123456"));
    assert!(!text.contains(&key), "list never shows keys");

    let upd = json(&idv(
        &env,
        &["partner", "update", &id, "--accent-color", "#ff0000"],
    ));
    assert_eq!(upd["theme"]["accent_color"], "#ff0000");
    let rot = json(&idv(&env, &["partner", "rotate-key", &id]));
    assert_ne!(rot["api_key"], key.as_str());
    let dis = json(&idv(&env, &["partner", "disable", &id]));
    assert_eq!(dis["disabled"], true);

    let bad = idv(
        &env,
        &[
            "partner",
            "create",
            "--name",
            "X",
            "--primary-color",
            "blue",
        ],
    );
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("primary_color"));
    let missing = idv(&env, &["partner", "disable", "no-such-id"]);
    assert!(!missing.status.success());
}

/// A leaked key: `rotate-key --revoke-now` makes it fail on the running service's next
/// request; `--kind secret` issues the server key, `--mode test` the test mode's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_now_ends_a_leaked_key_on_the_next_request() {
    let app = common::spawn_app().await;
    let created = json(&idv(&app.env, &["partner", "create", "--name", "Leaky"]));
    let id = created["partner_id"].as_str().unwrap().to_string();
    for field in [
        "api_key",
        "test_api_key",
        "secret_key",
        "test_secret_key",
        "webhook_secret",
        "test_webhook_secret",
    ] {
        assert!(
            created[field].as_str().is_some(),
            "{field} printed once at creation"
        );
    }
    let page = |key: String| {
        let app = &app;
        async move {
            app.client
                .get(app.url(&format!("/verif/?api_key={key}&user_identifier=u")))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let v1 = |key: String| {
        let app = &app;
        async move {
            app.client
                .get(app.url("/v1/checks"))
                .bearer_auth(key)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let old = created["api_key"].as_str().unwrap().to_string();
    assert_eq!(page(old.clone()).await, 200);
    // with the default grace, the old key works on
    let rot = json(&idv(
        &app.env,
        &["partner", "rotate-key", &id, "--grace", "1h"],
    ));
    assert_eq!(rot["previous_key_valid_for_secs"], 3600);
    assert_eq!(page(old.clone()).await, 200);
    // revoked now: the next request fails, the new key works
    let rot = json(&idv(
        &app.env,
        &["partner", "rotate-key", &id, "--revoke-now"],
    ));
    assert_eq!(rot["previous_key_valid_for_secs"], 0);
    let new = rot["api_key"].as_str().unwrap().to_string();
    assert_eq!(page(old).await, 401);
    assert_eq!(page(new).await, 200);
    // the same for a secret key, and per mode
    let secret = created["test_secret_key"].as_str().unwrap().to_string();
    assert_eq!(v1(secret.clone()).await, 200);
    let rot = json(&idv(
        &app.env,
        &[
            "partner",
            "rotate-key",
            &id,
            "--kind",
            "secret",
            "--mode",
            "test",
            "--revoke-now",
        ],
    ));
    let new_secret = rot["api_key"].as_str().unwrap().to_string();
    assert!(new_secret.starts_with("idv_sk_test_"));
    assert_eq!(v1(secret).await, 401);
    assert_eq!(v1(new_secret).await, 200);
    assert_eq!(
        v1(created["secret_key"].as_str().unwrap().to_string()).await,
        200,
        "the live secret key is untouched"
    );
    // the operator's actions are audited
    let log = app::server::audit::list(&app.state.db, &id, true, None, 20)
        .await
        .unwrap();
    assert!(log.iter().any(|e| {
        e.action == "api_key.rotated"
            && e.detail
                .as_deref()
                .unwrap_or("")
                .contains("revoked at once")
    }));
}

/// What an operator does to a partner from the command line is in its audit log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_changes_to_a_partner_are_audited() {
    let app = common::spawn_app().await;
    let created = json(&idv(&app.env, &["partner", "create", "--name", "Audited"]));
    let id = created["partner_id"].as_str().unwrap().to_string();
    json(&idv(
        &app.env,
        &["partner", "update", &id, "--display-name", "Audited Bank"],
    ));
    json(&idv(
        &app.env,
        &[
            "partner",
            "update",
            &id,
            "--mode",
            "test",
            "--allowed-origin",
            "https://sandbox.example",
        ],
    ));
    json(&idv(&app.env, &["partner", "disable", &id]));
    json(&idv(&app.env, &["partner", "enable", &id]));
    let entries = |livemode| {
        let app = &app;
        let id = id.clone();
        async move {
            app::server::audit::list(&app.state.db, &id, livemode, None, 50)
                .await
                .unwrap()
        }
    };
    let live = entries(true).await;
    let actions: Vec<&str> = live.iter().map(|e| e.action.as_str()).collect();
    for a in [
        "partner.created",
        "settings.updated",
        "partner.disabled",
        "partner.enabled",
    ] {
        assert!(actions.contains(&a), "{a} missing: {actions:?}");
    }
    assert!(
        live.iter()
            .all(|e| e.actor == "operator (idv command line)")
    );
    // the test-mode change is in the test mode's log
    let test = entries(false).await;
    assert!(test.iter().any(|e| {
        e.action == "settings.updated"
            && e.detail
                .as_deref()
                .unwrap_or("")
                .contains("allowed_origins (test mode)")
    }));
}

fn assert_one_line_failure(out: &Output, must_contain: &str) {
    assert!(!out.status.success(), "should fail");
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "exactly one line, got: {err}");
    assert!(lines[0].contains(must_contain), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[tokio::test]
async fn bad_configuration_exits_with_one_clear_line() {
    // an unreachable database fails after IDV_DB_CONNECT_TIMEOUT (10 s by default)
    let (_dir, base) = test_env(&[("IDV_DB_CONNECT_TIMEOUT", "1s")]).await;
    let with = |k: &str, v: &str| {
        let mut e = base.clone();
        e.insert(k.into(), v.into());
        e
    };
    assert_one_line_failure(
        &idv(&with("DATABASE_URL", "::not a url::"), &["migrate"]),
        "DATABASE_URL",
    );
    assert_one_line_failure(
        &idv(
            &with("DATABASE_URL", "postgres://idv@127.0.0.1:1/idv"),
            &["migrate"],
        ),
        "DATABASE_URL",
    );
    assert_one_line_failure(
        &idv(&with("IDV_DATA_DIR", "/proc/self/idv-data"), &["migrate"]),
        "IDV_DATA_DIR",
    );
    assert_one_line_failure(
        &idv(&with("IDV_LOG_FORMAT", "xml"), &["serve"]),
        "IDV_LOG_FORMAT",
    );

    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    assert_one_line_failure(
        &idv(&with("LEPTOS_SITE_ADDR", &addr), &["serve"]),
        "LEPTOS_SITE_ADDR",
    );
}

/// The service's binary cannot turn a photo into a performance: the attack makers live in
/// `idv-eval`, which the release build of scripts/build.sh leaves out.
#[tokio::test]
async fn the_service_binary_has_no_attack_makers() {
    let (_dir, env) = common::test_env(&[]).await;
    for sub in ["render", "liveness"] {
        let out = idv(&env, &["eval", sub, "--help"]);
        assert!(!out.status.success(), "idv eval {sub} exists");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("unrecognized subcommand"), "{err}");
    }
    // beside it, built by the test command (scripts/lib.sh's SERVER_CARGO_ARGS)
    #[cfg(feature = "eval-tools")]
    {
        let eval = std::path::Path::new(env!("CARGO_BIN_EXE_idv")).with_file_name("idv-eval");
        let out = Command::new(eval)
            .args(["render", "--help"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
    }
}
