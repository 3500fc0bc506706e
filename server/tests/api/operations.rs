//! Running several nodes and seeing inside them: limits shared through the database, the
//! Prometheus endpoint and what a submission moves on it, the sweep of files a killed node left.

use crate::common::{TestApp, spawn_app_with, spawn_node};

/// The value of the series `name{labels…}` (labels in any order) in a Prometheus exposition;
/// 0 when absent.
fn series(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (head, value) = l.rsplit_once(' ')?;
            let (metric, rest) = match head.split_once('{') {
                Some((m, r)) => (m, r.trim_end_matches('}')),
                None => (head, ""),
            };
            if metric != name {
                return None;
            }
            let ok = labels
                .iter()
                .all(|(k, v)| rest.split(',').any(|kv| kv == format!("{k}=\"{v}\"")));
            ok.then(|| value.parse::<f64>().ok()).flatten()
        })
        .sum()
}

async fn scrape(client: &reqwest::Client, url: &str, token: Option<&str>) -> (u16, String) {
    let mut req = client.get(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

const TOKEN: &str = "metrics-token-0123456789";

#[tokio::test]
async fn metrics_need_their_token_and_a_submission_moves_them() {
    let app = spawn_app_with(&[("IDV_METRICS_TOKEN", TOKEN)]).await;
    let url = app.url("/metrics");
    assert_eq!(scrape(&app.client, &url, None).await.0, 401);
    assert_eq!(
        scrape(&app.client, &url, Some("metrics-token-wrong-0000"))
            .await
            .0,
        401
    );
    let (status, before) = scrape(&app.client, &url, Some(TOKEN)).await;
    assert_eq!(status, 200);
    assert!(before.contains("# TYPE idv_build_info gauge"), "{before}");

    let p = app.partner("Acme").await;
    let user = "person-7f3a@example.org";
    let v = app
        .submit_media(&p.api_key, user, "seq_obama.webm", "id_obama.jpg")
        .await;
    // a sequence of photos, not a live recording: a verdict all the same, with every stage run
    let status = v["result"]["status"].as_str().unwrap().to_string();
    let (_, after) = scrape(&app.client, &url, Some(TOKEN)).await;

    let checks = [
        ("status", status.as_str()),
        ("method", "local_face_model"),
        ("livemode", "true"),
    ];
    assert!(
        series(&after, "idv_checks_total", &checks)
            >= series(&before, "idv_checks_total", &checks) + 1.0,
        "{after}"
    );
    for stage in app::server::observe::STAGES {
        let count = "idv_submit_stage_seconds_count";
        assert!(
            series(&after, count, &[("stage", stage)])
                >= series(&before, count, &[("stage", stage)]) + 1.0,
            "stage {stage} is timed: {after}"
        );
    }
    let whole = [("outcome", "completed")];
    assert!(series(&after, "idv_submit_seconds_count", &whole) >= 1.0);
    let requests = [
        ("route", "/verif/submit"),
        ("method", "POST"),
        ("status", "200"),
    ];
    assert!(
        series(&after, "idv_http_requests_total", &requests) >= 1.0,
        "{after}"
    );
    // nothing about the person, the key or the check in any series
    let check_id = v["check_id"].as_str().unwrap();
    for secret in [user, check_id, p.api_key.as_str(), "obama"] {
        assert!(!after.contains(secret), "{secret} in /metrics");
    }
    app.assert_up().await;
}

#[tokio::test]
async fn metrics_on_their_own_address_and_not_on_the_service_without_a_token() {
    let app = spawn_app_with(&[("IDV_METRICS_ADDR", "127.0.0.1:0")]).await;
    let own = app.metrics_base.clone().expect("a metrics address");
    let (status, text) = scrape(&app.client, &format!("{own}/metrics"), None).await;
    assert_eq!(status, 200);
    assert!(text.contains("idv_build_info"), "{text}");
    // the service's own address has no /metrics without a token configured
    let (status, _) = scrape(&app.client, &app.url("/metrics"), None).await;
    assert_eq!(status, 404);
    // and the metrics address serves nothing else
    let (status, _) = scrape(&app.client, &format!("{own}/v1/checks"), None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_short_metrics_token_is_refused_at_start() {
    let (_dir, env) = crate::common::test_env(&[("IDV_METRICS_TOKEN", "short")]).await;
    let e = app::server::config::Config::load(&env)
        .unwrap_err()
        .to_string();
    assert!(e.contains("IDV_METRICS_TOKEN"), "{e}");
}

/// Two nodes on one database take from one budget: the key's limit of 4 a minute allows 4
/// requests in all, alternating between the nodes, not 4 on each.
#[tokio::test]
async fn two_nodes_share_the_api_rate_limit() {
    let a = spawn_app_with(&[("IDV_API_RATE_LIMIT", "4"), ("IDV_METRICS_TOKEN", TOKEN)]).await;
    let b = spawn_node(&a, &[]).await;
    let p = a.partner("Acme").await;
    let secs = app::server::db::now_ms() / 1000 % 60;
    if secs >= 55 {
        tokio::time::sleep(std::time::Duration::from_secs(6)).await;
    }
    let mut statuses = Vec::new();
    let mut remaining = Vec::new();
    for i in 0..6 {
        let node = if i % 2 == 0 { &a } else { &b };
        let r = node
            .client
            .get(node.url("/v1/checks"))
            .bearer_auth(&p.secret_key)
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
        remaining.push(
            r.headers()["ratelimit-remaining"]
                .to_str()
                .unwrap()
                .to_string(),
        );
    }
    assert_eq!(statuses, [200, 200, 200, 200, 429, 429]);
    assert_eq!(remaining, ["3", "2", "1", "0", "0", "0"]);
    let (_, text) = scrape(&a.client, &a.url("/metrics"), Some(TOKEN)).await;
    assert!(series(&text, "idv_rate_limited_total", &[("limit", "api_key")]) >= 2.0);
}

/// `GET path` `n` times, node `a` then node `b` in turn; the statuses.
async fn alternate(a: &TestApp, b: &TestApp, path: &str, n: usize) -> Vec<u16> {
    let mut statuses = Vec::new();
    for i in 0..n {
        let node = if i % 2 == 0 { a } else { b };
        let r = node.client.get(node.url(path)).send().await.unwrap();
        statuses.push(r.status().as_u16());
    }
    statuses
}

/// The per-IP limits too: 3 page loads a minute from one address, over two nodes.
#[tokio::test]
async fn two_nodes_share_the_per_ip_limits() {
    let a = spawn_app_with(&[("IDV_IP_PAGE_PER_MINUTE", "3")]).await;
    let b = spawn_node(&a, &[]).await;
    let p = a.partner("Acme").await;
    let page = format!("/verif/?api_key={}&user_identifier=u", p.api_key);
    let statuses = alternate(&a, &b, &page, 5).await;
    assert_eq!(statuses, [200, 200, 200, 429, 429]);
}

/// `IDV_RATE_LIMITS=process`: each node counts on its own (the documented arithmetic: N nodes
/// allow N times the limit).
#[tokio::test]
async fn process_limits_are_per_node() {
    let a = spawn_app_with(&[
        ("IDV_IP_PAGE_PER_MINUTE", "2"),
        ("IDV_RATE_LIMITS", "process"),
    ])
    .await;
    let b = spawn_node(&a, &[]).await;
    let p = a.partner("Acme").await;
    let page = format!("/verif/?api_key={}&user_identifier=u", p.api_key);
    let statuses = alternate(&a, &b, &page, 6).await;
    assert_eq!(statuses, [200, 200, 200, 200, 429, 429]);
}

/// A node killed between storing a submission's files and committing its check leaves the
/// files and their note; the sweep deletes them once the note is old enough, and leaves the
/// files of a check that did commit.
#[tokio::test]
async fn files_of_a_submission_that_never_committed_are_swept() {
    use app::server::pending_files;
    let app = spawn_app_with(&[]).await;
    let storage = &app.state.storage;
    let dir = tempfile::tempdir().unwrap();
    let put = |key: &'static str| {
        let src = dir.path().join(key.replace('/', "_"));
        std::fs::write(&src, b"bytes").unwrap();
        async move {
            storage
                .put_file(key, &src, "image/jpeg", "f.jpg")
                .await
                .unwrap();
        }
    };
    // the dead node's submission: its note, then its files
    let keys = vec![
        "p1/dead/selfie.webm".to_string(),
        "p1/dead/id.jpg".to_string(),
    ];
    pending_files::note(&app.state.db, "dead", &keys)
        .await
        .unwrap();
    put("p1/dead/selfie.webm").await;
    put("p1/dead/id.jpg").await;
    // not yet: a live submission between its store and its commit looks the same
    assert_eq!(pending_files::sweep(&app.state).await.unwrap(), 0);
    sqlx::query("UPDATE pending_files SET expires_at = 0")
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    // this sweep, or the node's own sweeper running beside it: one of them deletes them
    let mut deleted = 0;
    for _ in 0..50 {
        deleted += pending_files::sweep(&app.state).await.unwrap();
        if app.count("pending_files").await == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(deleted <= 1, "one submission's files");
    assert_eq!(app.count("pending_files").await, 0);
    for k in &keys {
        let link = storage
            .read_url(k, std::time::Duration::from_secs(60))
            .await
            .unwrap();
        let r = app.client.get(&link).send().await.unwrap();
        assert!(r.status().is_client_error(), "{k} is gone: {}", r.status());
    }

    // a real submission commits and leaves no note behind
    let p = app.partner("Acme").await;
    let v = app
        .submit_media(&p.api_key, "u", "seq_obama.webm", "id_obama.jpg")
        .await;
    assert_eq!(app.count("pending_files").await, 0, "{v}");
    app.assert_up().await;
}

/// The one claim behind the retention sweep, the orphan sweep and the webhook outbox: due rows
/// only, earliest first, the condition kept, a leased row left alone until its lease runs out,
/// and claimants racing for the same rows getting disjoint sets (PostgreSQL: `SKIP LOCKED`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn due_rows_are_claimed_once_per_lease() {
    use app::server::db::LeasedRows;
    let app = spawn_app_with(&[]).await;
    let db = &app.state.db;
    sqlx::query(
        "CREATE TABLE claim_probe (id TEXT PRIMARY KEY, due_at BIGINT NOT NULL, \
         state TEXT NOT NULL, lease_until BIGINT)",
    )
    .execute(&db.pool)
    .await
    .unwrap();
    const ROWS: LeasedRows = LeasedRows {
        table: "claim_probe",
        key: "id",
        lease: "lease_until",
        due: "due_at",
        only: "state = 'open'",
        returning: "id",
    };
    let insert = |id: String, due: i64, state: &'static str| {
        sqlx::query("INSERT INTO claim_probe (id, due_at, state) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(due)
            .bind(state)
            .execute(&db.pool)
    };
    insert("later".into(), 100, "open").await.unwrap();
    insert("first".into(), 50, "open").await.unwrap();
    insert("closed".into(), 10, "closed").await.unwrap();
    insert("not_due".into(), 10_000, "open").await.unwrap();
    fn ids(rows: Vec<sqlx::any::AnyRow>) -> Vec<String> {
        use sqlx::Row;
        let mut v: Vec<String> = rows.iter().map(|r| r.get::<String, _>("id")).collect();
        v.sort();
        v
    }
    // earliest due first, one at a time; the closed row and the one not due are never taken
    assert_eq!(
        ids(db.claim_due(ROWS, 1, 1000, 2000).await.unwrap()),
        ["first"]
    );
    assert_eq!(
        ids(db.claim_due(ROWS, 10, 1000, 2000).await.unwrap()),
        ["later"]
    );
    // both are leased until 2000
    assert!(db.claim_due(ROWS, 10, 1500, 2500).await.unwrap().is_empty());
    // the leases ran out (a claimant that died): the rows come back, still without the others
    assert_eq!(
        ids(db.claim_due(ROWS, 10, 2001, 3000).await.unwrap()),
        ["first", "later"]
    );

    // two claimants racing over 40 due rows: each row goes to exactly one of them
    sqlx::query("DELETE FROM claim_probe")
        .execute(&db.pool)
        .await
        .unwrap();
    for i in 0..40 {
        insert(format!("r{i:02}"), i, "open").await.unwrap();
    }
    let claimant = || {
        let db = db.clone();
        tokio::spawn(async move {
            let mut got = Vec::new();
            loop {
                let rows = db.claim_due(ROWS, 3, 5000, 60_000).await.unwrap();
                if rows.is_empty() {
                    break got;
                }
                got.extend(ids(rows));
                tokio::task::yield_now().await;
            }
        })
    };
    let (a, b) = (claimant(), claimant());
    let (a, b) = (a.await.unwrap(), b.await.unwrap());
    let mut all: Vec<String> = a.iter().chain(&b).cloned().collect();
    all.sort();
    let expected: Vec<String> = (0..40).map(|i| format!("r{i:02}")).collect();
    assert_eq!(all, expected, "every row claimed once: {a:?} / {b:?}");
    app.assert_up().await;
}
