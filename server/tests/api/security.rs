//! Security hardening (issue 13), each over real HTTP: capture keys that read nothing, bounded
//! parsing before authentication, per-IP limits, slow clients cut, one submission per capture
//! link at a time, ffmpeg kept to the formats we expect, test mode walled off from live, leaked
//! keys contained, and the smaller items of the same review.

use std::{
    io::{Read, Write},
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use app::server::{
    audit::Actor,
    partners::{self, KeyKind, KeyMode, Retire},
};
use reqwest::multipart::{Form, Part};
use serde_json::Value;

use crate::common::{
    TestApp, media_form, read_media, receiver::Receiver, seed_checks, spawn_app, spawn_app_with,
    stored_files,
};

async fn json(r: reqwest::RequestBuilder) -> (u16, Value) {
    let r = r.send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn submit_form(api_key: &str, user: &str) -> Form {
    media_form("seq_obama.webm", "id_obama.jpg")
        .text("api_key", api_key.to_string())
        .text("user_identifier", user.to_string())
}

async fn capture_token(app: &TestApp, api_key: &str, email: Option<&str>) -> String {
    app.capture_link(api_key, "u-token", email).await.token
}

/// A raw connection to the test app (for what a well-behaved client would never send).
fn connect(app: &TestApp) -> std::net::TcpStream {
    let addr = app.base.trim_start_matches("http://");
    let s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    s
}

/// A raw connection that starts a multipart upload of `length` bytes and sends only its
/// first boundary.
fn start_upload(app: &TestApp, length: u64) -> std::net::TcpStream {
    let mut s = connect(app);
    s.write_all(
        format!(
            "POST /verif/submit HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: {length}\r\n\r\n--XyZ\r\n"
        )
        .as_bytes(),
    )
    .unwrap();
    s
}

/// Reads until the server closes the connection (or the read times out); returns what came.
fn read_until_closed(mut s: std::net::TcpStream) -> (String, Duration) {
    let t0 = Instant::now();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) => panic!("connection still open after {:?}: {e}", t0.elapsed()),
        }
    }
    (String::from_utf8_lossy(&out).into_owned(), t0.elapsed())
}

// --- 1. two kinds of key -------------------------------------------------------------------

#[tokio::test]
async fn a_capture_key_reads_nothing_and_a_secret_key_never_captures() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    // a capture key on the partner API: 401 saying a secret key is needed
    for key in [&p.api_key, &p.test_api_key] {
        let (status, v) = json(app.client.get(app.url("/v1/checks")).bearer_auth(key)).await;
        assert_eq!(status, 401, "{v}");
        assert!(
            v["error"]
                .as_str()
                .unwrap()
                .contains("secret API key is required"),
            "{v}"
        );
    }
    // nor can it sign in to the dashboard
    let r = app
        .client
        .post(app.url("/dashboard/sign-in"))
        .form(&[("api_key", p.api_key.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers().get("set-cookie").is_none());
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("secret API key is required")
    );
    // the secret key works there
    let (status, _) = json(
        app.client
            .get(app.url("/v1/checks"))
            .bearer_auth(&p.secret_key),
    )
    .await;
    assert_eq!(status, 200);
    // and is refused in a capture URL and on submit, like a wrong key
    let (status, v) = json(
        app.client
            .get(app.url(&format!(
                "/verif/?api_key={}&user_identifier=u",
                p.secret_key
            )))
            .header("accept", "application/json"),
    )
    .await;
    assert_eq!(
        (status, v["error"].as_str()),
        (401, Some("Invalid API key"))
    );
    let (status, v) = json(
        app.client
            .post(app.url("/verif/submit"))
            .multipart(submit_form(&p.secret_key, "u")),
    )
    .await;
    assert_eq!(
        (status, v["error"].as_str()),
        (401, Some("Invalid API key"))
    );
    assert_eq!(
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM checks")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn keys_from_before_the_migration_keep_capturing_and_read_nothing() {
    use sqlx::migrate::Migrator;
    let (_dir, env) = crate::common::test_env(&[]).await;
    let url = env["DATABASE_URL"].clone();
    let db = app::server::db::Db::connect(&app::server::config::Config::load(&env).unwrap())
        .await
        .unwrap();
    // the schema as it was before this change (migrations 1 to 7), with a partner of then
    let folder = if url.starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    };
    let mut before = Migrator::new(
        crate::common::workspace_root()
            .join("app/migrations")
            .join(folder)
            .as_path(),
    )
    .await
    .unwrap();
    before.migrations = before
        .migrations
        .iter()
        .filter(|m| m.version <= 7)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    before.run(&db.pool).await.unwrap();
    let data_dir = std::path::PathBuf::from(&env["IDV_DATA_DIR"]);
    std::fs::create_dir_all(&data_dir).unwrap();
    let master =
        app::server::crypto::MasterKey::load_or_create(&data_dir.join("secret.key")).unwrap();
    let key = partners::NewApiKey::generate(KeyKind::Capture, KeyMode::Live);
    sqlx::query(
        "INSERT INTO partners (id, name, display_name, primary_color, accent_color, webhook_url, webhook_secret_enc, allowed_origins, disabled, created_at, updated_at) \
         VALUES ('p-old', 'Old', 'Old Bank', '#112233', '#445566', 'https://hooks.old.example/idv', $1, '[\"https://old.example\"]', 0, 1, 1)",
    )
    .bind(master.encrypt("whsec_b2xk"))
    .execute(&db.pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO api_keys (id, partner_id, mode, lookup, key_hash, created_at, expires_at) VALUES ('k-old', 'p-old', 'live', $1, $2, 1, NULL)",
    )
    .bind(&key.lookup)
    .bind(&key.hash)
    .execute(&db.pool)
    .await
    .unwrap();
    db.pool.close().await;

    // the service migrates at start
    let mut config = app::server::config::Config::load(&env).unwrap();
    config.leptos.site_root = "target/site".into();
    let app = idv::Application::build(config).await.unwrap();
    let state = app.state().clone();
    let base = format!("http://{}", app.local_addr());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run_until(async move {
        let _ = rx.await;
    }));
    let client = reqwest::Client::new();
    let r = client
        .get(format!(
            "{base}/verif/?api_key={}&user_identifier=u",
            key.key
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "the old key still opens the capture page");
    let r = client
        .get(format!("{base}/v1/checks"))
        .bearer_auth(&key.key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "and reads nothing");
    // both modes kept the partner's settings and secret
    let p = partners::get(&state.db, "p-old").await.unwrap().unwrap();
    for m in [&p.live, &p.test] {
        assert_eq!(
            m.webhook_url.as_deref(),
            Some("https://hooks.old.example/idv")
        );
        assert_eq!(m.allowed_origins, ["https://old.example"]);
    }
    for mode in [KeyMode::Live, KeyMode::Test] {
        assert_eq!(
            partners::webhook_secret(&state.db, &state.master_key, "p-old", mode)
                .await
                .unwrap(),
            "whsec_b2xk"
        );
    }
    // the operator issues its first secret key
    let secret = partners::rotate_key(
        &state.db,
        "p-old",
        KeyKind::Secret,
        KeyMode::Live,
        Retire::Now,
        &Actor::Operator,
    )
    .await
    .unwrap();
    let r = client
        .get(format!("{base}/v1/checks"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let _ = tx.send(());
}

// --- 2. bounded parsing before authentication -----------------------------------------------

// raw sockets block: the server needs a thread of its own
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_part_header_is_cut_off_before_anyone_is_authenticated() {
    let app = spawn_app().await;
    let mut s = connect(&app);
    s.set_write_timeout(Some(Duration::from_secs(10))).unwrap();
    let head = "POST /verif/submit HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nTransfer-Encoding: chunked\r\n\r\n";
    s.write_all(head.as_bytes()).unwrap();
    let first = "--XyZ\r\nContent-Disposition: form-data; name=\"selfie_video\"\r\nX-Junk: ";
    s.write_all(format!("{:x}\r\n{first}\r\n", first.len()).as_bytes())
        .unwrap();
    // 64 KB of one header line, far past the limit; then wait for the answer (a parser that
    // buffers header bytes until the header ends would wait for more, and never answer)
    let junk = vec![b'a'; 4096];
    for _ in 0..16 {
        let chunk = format!("{:x}\r\n", junk.len());
        if s.write_all(chunk.as_bytes()).is_err()
            || s.write_all(&junk).is_err()
            || s.write_all(b"\r\n").is_err()
        {
            break;
        }
    }
    let (answer, _) = read_until_closed(s);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(
        answer.contains("headers are longer than 8192 bytes"),
        "{answer}"
    );
    assert!(stored_files(&app).is_empty(), "nothing left behind");
    // the server is still up
    let r = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
}

// raw sockets block: the server needs a thread of its own
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_both_limits_is_refused_from_its_length() {
    let app = spawn_app_with(&[
        ("IDV_MAX_VIDEO_BYTES", "1000"),
        ("IDV_MAX_PHOTO_BYTES", "1000"),
    ])
    .await;
    let s = start_upload(&app, 900000000);
    let (answer, took) = read_until_closed(s);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("larger than the"), "{answer}");
    assert!(took < Duration::from_secs(5));
}

#[tokio::test]
async fn per_ip_limits_answer_429_with_retry_after() {
    let app = spawn_app_with(&[
        ("IDV_IP_SUBMIT_PER_MINUTE", "2"),
        ("IDV_IP_PAGE_PER_MINUTE", "3"),
        ("IDV_IP_SIGN_IN_PER_MINUTE", "2"),
    ])
    .await;
    let p = app.partner("Acme").await;
    let page = format!("/verif/?api_key={}&user_identifier=u", p.api_key);
    for _ in 0..3 {
        let r = app.client.get(app.url(&page)).send().await.unwrap();
        assert_eq!(r.status(), 200);
    }
    let r = app.client.get(app.url(&page)).send().await.unwrap();
    assert_eq!(r.status(), 429);
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait));
    // submissions have their own budget, counted before anything is read
    for _ in 0..2 {
        let (status, _) = json(
            app.client
                .post(app.url("/verif/submit"))
                .multipart(Form::new().text("api_key", "idv_live_x")),
        )
        .await;
        assert_eq!(status, 400);
    }
    let (status, v) = json(
        app.client
            .post(app.url("/verif/submit"))
            .multipart(Form::new().text("api_key", "idv_live_x")),
    )
    .await;
    assert_eq!(status, 429, "{v}");
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .starts_with("Too many submissions")
    );
    // and so do sign-in attempts
    for expect in [401, 401, 429] {
        let r = app
            .client
            .post(app.url("/dashboard/sign-in"))
            .form(&[("api_key", "idv_sk_live_wrong")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), expect);
    }
    // other routes are not limited per IP
    let r = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);

    // an exempt network (a partner's own servers) is not limited
    let exempt = spawn_app_with(&[
        ("IDV_IP_PAGE_PER_MINUTE", "1"),
        ("IDV_IP_LIMITS_EXEMPT", "127.0.0.0/8"),
    ])
    .await;
    let q = exempt.partner("Acme").await;
    for _ in 0..3 {
        let r = exempt
            .client
            .get(exempt.url(&format!("/verif/?api_key={}&user_identifier=u", q.api_key)))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
}

#[tokio::test]
async fn a_full_spool_refuses_new_uploads_with_503() {
    let app = spawn_app_with(&[("IDV_SPOOL_MAX_BYTES", "50000")]).await;
    let p = app.partner("Acme").await;
    let (status, v) = json(
        app.client
            .post(app.url("/verif/submit"))
            .multipart(submit_form(&p.api_key, "u")),
    )
    .await;
    assert_eq!(status, 503, "{v}");
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains("too many uploads at once"),
        "{v}"
    );
    assert!(stored_files(&app).is_empty(), "nothing left behind");
    assert_eq!(app.state.spool.used(), 0, "the budget is given back");
}

/// A raw upload that sends `fields` (in order), then a file part's head, and stops there:
/// its body is still coming.
fn upload_held_at_a_file(app: &TestApp, fields: &[(&str, &str)]) -> std::net::TcpStream {
    let mut s = start_upload(app, 1_000_000);
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!(
            "Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n--XyZ\r\n"
        ));
    }
    body.push_str(
        "Content-Disposition: form-data; name=\"selfie_video\"; filename=\"v.webm\"\r\nContent-Type: video/webm\r\n\r\n",
    );
    s.write_all(body.as_bytes()).unwrap();
    // the first bytes of a WebM file
    s.write_all(b"\x1a\x45\xdf\xa3").unwrap();
    s
}

/// Waits until `cond` holds (10 s at most): the server's own state, not a fixed sleep.
pub(crate) async fn until(what: &str, cond: impl Fn() -> bool) {
    let t0 = Instant::now();
    while !cond() {
        assert!(t0.elapsed() < Duration::from_secs(10), "never: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

const LOOPBACK: std::net::IpAddr = std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

/// A submission that needs an upload slot (credentials, then a file) and is refused right after
/// it: the status and the body.
async fn credentials_then_a_bad_file(app: &TestApp, api_key: &str) -> (u16, Value) {
    json(
        app.client.post(app.url("/verif/submit")).multipart(
            Form::new()
                .text("api_key", api_key.to_string())
                .text("user_identifier", "u-slot")
                .part(
                    "selfie_video",
                    reqwest::multipart::Part::bytes(b"not a video".to_vec()).file_name("v.webm"),
                ),
        ),
    )
    .await
}

// raw sockets block: the server needs a thread of its own
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_at_once_are_limited_per_process() {
    let app = spawn_app_with(&[("IDV_MAX_CONCURRENT_UPLOADS", "1")]).await;
    let p = app.partner("Acme").await;
    // one authenticated upload in progress: its file is still coming
    let s = upload_held_at_a_file(&app, &[("api_key", &p.api_key), ("user_identifier", "u1")]);
    until("the upload holds the slot", || {
        app.state.uploads.authenticated_free() == 0
    })
    .await;
    let (status, v) = credentials_then_a_bad_file(&app, &p.api_key).await;
    assert_eq!(status, 503, "{v}");
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains("too many uploads at once"),
        "{v}"
    );
    drop(s);
    until("the slot is given back", || {
        app.state.uploads.authenticated_free() == 1
    })
    .await;
    let (status, v) = credentials_then_a_bad_file(&app, &p.api_key).await;
    assert_eq!(status, 400, "the slot is free again: {v}");
}

// raw sockets block: the server needs a thread of its own
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_nobody_has_authenticated_hold_no_upload_slot() {
    let app = spawn_app_with(&[
        ("IDV_MAX_CONCURRENT_UPLOADS", "1"),
        ("IDV_MAX_UNAUTHENTICATED_UPLOADS", "1"),
    ])
    .await;
    let p = app.partner("Acme").await;
    // a stranger's upload that has sent nothing yet, and one whose file came first
    let waiting = start_upload(&app, 1_000_000);
    let files_first = upload_held_at_a_file(&app, &[("user_identifier", "u1")]);
    until("both uploads have started", || {
        app.state.uploads.held_by(LOOPBACK) == 2 && app.state.uploads.unauthenticated_free() == 0
    })
    .await;
    assert_eq!(app.state.uploads.authenticated_free(), 1);
    // a second files-first upload is refused, with the way around it (a small body: the
    // answer comes before the rest of a large one is read)
    let (status, v) = json(
        app.client.post(app.url("/verif/submit")).multipart(
            Form::new()
                .part(
                    "selfie_video",
                    Part::bytes(vec![0u8; 64]).file_name("v.webm"),
                )
                .text("api_key", p.api_key.clone())
                .text("user_identifier", "u2"),
        ),
    )
    .await;
    assert_eq!(status, 503, "{v}");
    assert!(
        v["error"].as_str().unwrap().contains("before the files"),
        "{v}"
    );
    // an upload whose credentials come first still gets the process's one slot
    let form = Form::new()
        .text("api_key", p.api_key.clone())
        .text("user_identifier", "u3");
    let form = ["selfie_video", "id_photo"]
        .into_iter()
        .zip(["seq_obama.webm", "id_obama.jpg"])
        .fold(form, |f, (field, file)| {
            f.part(
                field,
                reqwest::multipart::Part::bytes(read_media(file)).file_name(file),
            )
        });
    let (status, v) = json(app.client.post(app.url("/verif/submit")).multipart(form)).await;
    assert_eq!(status, 200, "{v}");
    drop((waiting, files_first));
}

// raw sockets block: the server needs a thread of its own
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_at_once_are_limited_per_address() {
    let app = spawn_app_with(&[("IDV_MAX_UPLOADS_PER_ADDRESS", "2")]).await;
    let a = start_upload(&app, 100000);
    let b = start_upload(&app, 100000);
    until("both uploads have started", || {
        app.state.uploads.held_by(LOOPBACK) == 2
    })
    .await;
    let r = app
        .client
        .post(app.url("/verif/submit"))
        .multipart(Form::new().text("api_key", "x"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 429);
    assert!(r.headers().contains_key("retry-after"));
    let v: Value = r.json().await.unwrap();
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains("Too many uploads at once from this address"),
        "{v}"
    );
    drop(a);
    until("the address has a place again", || {
        app.state.uploads.held_by(LOOPBACK) == 1
    })
    .await;
    let (status, _) = json(
        app.client
            .post(app.url("/verif/submit"))
            .multipart(Form::new().text("api_key", "x")),
    )
    .await;
    assert_eq!(status, 400, "the address has a place again");
    drop(b);
}

// raw sockets block: the server needs a thread of its own
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_has_an_absolute_deadline() {
    let app = spawn_app_with(&[
        ("IDV_BODY_TIMEOUT", "3s"),
        ("IDV_BODY_MIN_RATE", "1"),
        ("IDV_BODY_RATE_WINDOW", "1s"),
    ])
    .await;
    let s = start_upload(&app, 100000);
    let writer = s.try_clone().unwrap();
    let t0 = Instant::now();
    // 50 bytes a second: well over the minimum rate, for ever
    std::thread::spawn(move || {
        let mut w = writer;
        for _ in 0..100 {
            if w.write_all(b"aaaaaaaaaa").is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    });
    let (answer, _) = read_until_closed(s);
    let took = t0.elapsed();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        answer.contains("did not arrive in full within 3 s"),
        "{answer}"
    );
    assert!(took < Duration::from_secs(7), "closed after {took:?}");
}

// raw sockets block: the server needs a thread of its own
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_h2c_connection_is_refused_at_its_preface() {
    let app = spawn_app_with(&[("IDV_HEADER_READ_TIMEOUT", "5s")]).await;
    let mut s = connect(&app);
    // the HTTP/2 connection preface and an empty SETTINGS frame
    s.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00")
        .unwrap();
    let (answer, took) = read_until_closed(s);
    // an HTTP/2 server would answer with its own SETTINGS frame and keep the connection
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 "),
        "{answer:?}"
    );
    assert!(took < Duration::from_secs(3), "open for {took:?}");
}

// raw sockets block: the server needs a thread of its own
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_trickle_upload_is_cut_and_its_connection_closed() {
    let app = spawn_app_with(&[
        ("IDV_BODY_MIN_RATE", "1000"),
        ("IDV_BODY_RATE_WINDOW", "2s"),
    ])
    .await;
    let s = start_upload(&app, 100000);
    let writer = s.try_clone().unwrap();
    let t0 = Instant::now();
    std::thread::spawn(move || {
        let mut w = writer;
        for _ in 0..60 {
            if w.write_all(b"a").is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    });
    let (answer, _) = read_until_closed(s);
    let took = t0.elapsed();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("arrived too slowly"), "{answer}");
    assert!(
        took < Duration::from_secs(7),
        "closed after {took:?}, the window is 2 s"
    );
}

// raw sockets block: the server needs a thread of its own
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_head_that_never_ends_and_an_idle_connection_are_closed() {
    let app = spawn_app_with(&[("IDV_HEADER_READ_TIMEOUT", "1s")]).await;
    let mut s = connect(&app);
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .unwrap();
    let (_, took) = read_until_closed(s);
    assert!(took < Duration::from_secs(4), "open for {took:?}");
    // kept alive but idle after a request
    let mut s = connect(&app);
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let (answer, took) = read_until_closed(s);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        took < Duration::from_secs(4),
        "idle connection open for {took:?}"
    );
}

// --- 3. expensive work behind the gate -------------------------------------------------------

#[tokio::test]
async fn one_capture_token_drives_one_submission_at_a_time() {
    let calls = Arc::new(AtomicUsize::new(0));
    let app = crate::common::spawn_app_with_verifier(Arc::new(crate::common::ScriptedVerifier {
        calls: calls.clone(),
        delay: Duration::from_millis(1500),
        fail: false,
    }))
    .await;
    let p = app.partner("Acme").await;
    let token = capture_token(&app, &p.api_key, None).await;
    let send = || {
        let form = Form::new()
            .text("capture_token", token.clone())
            .part(
                "selfie_video",
                Part::bytes(read_media("seq_obama.webm")).file_name("v.webm"),
            )
            .part(
                "id_photo",
                Part::bytes(read_media("id_obama.jpg")).file_name("i.jpg"),
            );
        json(app.client.post(app.url("/verif/submit")).multipart(form))
    };
    let first = send();
    let second = async {
        tokio::time::sleep(Duration::from_millis(400)).await;
        send().await
    };
    let ((s1, v1), (s2, v2)) = tokio::join!(first, second);
    assert_eq!(s1, 200, "{v1}");
    assert_eq!(s2, 409, "{v2}");
    assert_eq!(
        v2["error"],
        "This verification link is being used by another submission; wait for its result"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1, "scored once");
    // a refused submission releases the token for a retry; a used one stays used
    let (s3, v3) = send().await;
    assert_eq!(
        (s3, v3["error"].as_str()),
        (409, Some("This verification link was already used"))
    );
}

#[tokio::test]
async fn a_failed_submission_frees_its_token_for_a_retry() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    let token = capture_token(&app, &p.api_key, None).await;
    let bad = Form::new()
        .text("capture_token", token.clone())
        .part(
            "selfie_video",
            Part::bytes(b"not a video at all".to_vec()).file_name("v.webm"),
        )
        .part(
            "id_photo",
            Part::bytes(read_media("id_obama.jpg")).file_name("i.jpg"),
        );
    let (status, _) = json(app.client.post(app.url("/verif/submit")).multipart(bad)).await;
    assert_eq!(status, 400);
    let good = media_form("seq_obama.webm", "id_obama.jpg").text("capture_token", token);
    let (status, v) = json(app.client.post(app.url("/verif/submit")).multipart(good)).await;
    assert_eq!(status, 200, "{v}");
}

#[tokio::test]
async fn probing_waits_for_a_media_slot() {
    let app = spawn_app_with(&[
        ("IDV_MEDIA_CONCURRENCY", "1"),
        ("IDV_SCORING_QUEUE_TIMEOUT", "1s"),
    ])
    .await;
    let p = app.partner("Acme").await;
    let held = app.state.media_slots.clone().acquire_owned().await.unwrap();
    let (status, v) = json(
        app.client
            .post(app.url("/verif/submit"))
            .multipart(submit_form(&p.api_key, "u")),
    )
    .await;
    assert_eq!(status, 503, "{v}");
    drop(held);
    let (status, _) = json(
        app.client
            .post(app.url("/verif/submit"))
            .multipart(submit_form(&p.api_key, "u")),
    )
    .await;
    assert_eq!(status, 200);
}

// --- 4. ffmpeg kept to the formats we expect -------------------------------------------------

#[tokio::test]
async fn playlists_are_refused_without_ffmpeg_opening_anything() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    // a named pipe: opening it for reading would block a reader, and we would see it
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("segment.ts");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let opened = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watch = {
        let (fifo, opened) = (fifo.clone(), opened.clone());
        std::thread::spawn(move || {
            use std::os::unix::fs::OpenOptionsExt;
            for _ in 0..40 {
                // a non-blocking open for writing succeeds only while someone reads the pipe
                if std::fs::OpenOptions::new()
                    .write(true)
                    .custom_flags(libc_o_nonblock())
                    .open(&fifo)
                    .is_ok()
                {
                    opened.store(true, Ordering::SeqCst);
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        })
    };
    let f = fifo.display();
    for (body, kind) in [
        (
            format!("#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nfile://{f}\n#EXT-X-ENDLIST\n"),
            "an HLS/M3U playlist",
        ),
        (
            format!("ffconcat version 1.0\nfile '{f}'\n"),
            "an ffconcat script",
        ),
        (
            format!(
                "<?xml version=\"1.0\"?><MPD><Period><BaseURL>file://{f}</BaseURL></Period></MPD>"
            ),
            "a DASH manifest (XML)",
        ),
        (
            "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\nm=video 9 RTP/AVP 96\r\n".into(),
            "an SDP session description",
        ),
    ] {
        let form = Form::new()
            .text("api_key", p.api_key.clone())
            .text("user_identifier", "u")
            .part(
                "selfie_video",
                Part::bytes(body.into_bytes()).file_name("selfie.webm"),
            )
            .part(
                "id_photo",
                Part::bytes(read_media("id_obama.jpg")).file_name("i.jpg"),
            );
        let t0 = Instant::now();
        let (status, v) = json(app.client.post(app.url("/verif/submit")).multipart(form)).await;
        assert_eq!(status, 400, "{v}");
        assert_eq!(
            v["error"].as_str().unwrap(),
            format!(
                "selfie_video is {kind}, not a video file; send the recording itself (WebM, MP4, MOV, Matroska or AVI)"
            )
        );
        assert!(t0.elapsed() < Duration::from_secs(5));
    }
    watch.join().unwrap();
    assert!(
        !opened.load(Ordering::SeqCst),
        "something opened the playlist's segment"
    );
}

/// `O_NONBLOCK` on Linux (no libc crate needed for one constant).
fn libc_o_nonblock() -> i32 {
    0o4000
}

// --- 5. test mode walled off from live -------------------------------------------------------

#[tokio::test]
async fn test_mode_cannot_touch_live_settings_and_each_mode_has_its_own() {
    let (live_rx, live_url) = Receiver::start(vec![]).await;
    let (test_rx, test_url) = Receiver::start(vec![]).await;
    let app = spawn_app_with(&[
        ("IDV_WEBHOOK_ALLOWED_CIDRS", "127.0.0.0/8"),
        ("IDV_WEBHOOK_POLL_INTERVAL", "100ms"),
    ])
    .await;
    let p = partners::create(
        &app.state.db,
        &app.state.master_key,
        partners::NewPartner {
            name: "Acme".into(),
            webhook_url: Some(live_url.clone()),
            allowed_origins: vec!["https://shop.example".into()],
            ..Default::default()
        },
    )
    .await
    .unwrap();
    // a test-mode dashboard session
    let mut b = crate::dashboard::Browser::new(&app);
    b.sign_in(&p.test_secret_key).await;
    let csrf = b.csrf().await;
    // the theme is live: refused, nothing changes
    let (status, _) = b
        .post(
            "/dashboard/settings",
            &[
                ("csrf", &csrf),
                ("display_name", "Hacked"),
                ("webhook_url", "https://evil.example/hook"),
                ("allowed_origins", "https://evil.example"),
            ],
            None,
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::FORBIDDEN);
    // its own mode's webhook URL and origins: changed for test mode only
    let (status, _) = b
        .post(
            "/dashboard/settings",
            &[
                ("csrf", &csrf),
                ("webhook_url", test_url.as_str()),
                ("allowed_origins", "https://sandbox.example"),
            ],
            None,
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::SEE_OTHER);
    let after = partners::get(&app.state.db, &p.partner_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.theme.display_name, "Acme");
    assert_eq!(after.live.webhook_url.as_deref(), Some(live_url.as_str()));
    assert_eq!(after.live.allowed_origins, ["https://shop.example"]);
    assert_eq!(after.test.webhook_url.as_deref(), Some(test_url.as_str()));
    assert_eq!(after.test.allowed_origins, ["https://sandbox.example"]);

    // a live check's webhook goes to the live URL, signed with the live secret; a test one to
    // the test URL with the test secret
    app.submit_media(&p.api_key, "live-user", "seq_obama.webm", "id_obama.jpg")
        .await;
    app.submit_media(
        &p.test_api_key,
        "test_verified",
        "seq_obama.webm",
        "id_obama.jpg",
    )
    .await;
    let live = live_rx.wait_for(1, Duration::from_secs(10)).await;
    let test = test_rx.wait_for(1, Duration::from_secs(10)).await;
    let body = |r: &crate::common::receiver::Received| -> Value {
        serde_json::from_slice(&r.body).unwrap()
    };
    assert_eq!(body(&live[0])["livemode"], true);
    assert_eq!(body(&test[0])["livemode"], false);
    assert!(crate::common::verify_standard_webhook(
        &p.webhook_secret,
        &live[0].headers,
        &live[0].body
    ));
    assert!(crate::common::verify_standard_webhook(
        &p.test_webhook_secret,
        &test[0].headers,
        &test[0].body
    ));
    assert!(!crate::common::verify_standard_webhook(
        &p.test_webhook_secret,
        &live[0].headers,
        &live[0].body
    ));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(live_rx.count(), 1);
    assert_eq!(test_rx.count(), 1);

    // the capture page of each mode may be framed by that mode's origins only
    for (key, origin) in [
        (&p.api_key, "https://shop.example"),
        (&p.test_api_key, "https://sandbox.example"),
    ] {
        let r = app
            .client
            .get(app.url(&format!("/verif/?api_key={key}&user_identifier=u")))
            .send()
            .await
            .unwrap();
        let csp = r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            csp.ends_with(&format!("frame-ancestors 'self' {origin}")),
            "{csp}"
        );
    }

    // the audit log by mode: the live partner's entries are not the test session's
    let (_, audit) = b.get("/dashboard/audit").await;
    assert!(audit.contains("settings.updated"));
    assert!(
        !audit.contains("partner.created"),
        "a partner-wide (live) entry in the test log"
    );
    let mut live_b = crate::dashboard::Browser::new(&app);
    live_b.sign_in(&p.secret_key).await;
    let (_, live_audit) = live_b.get("/dashboard/audit").await;
    assert!(live_audit.contains("partner.created"));
    assert!(
        !live_audit.contains("test mode"),
        "a test-mode entry in the live log"
    );
}

// --- 6. containing a leaked key -------------------------------------------------------------

#[tokio::test]
async fn dashboard_sessions_die_with_their_key() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    let mut b = crate::dashboard::Browser::new(&app);
    b.sign_in(&p.secret_key).await;
    assert_eq!(b.get("/dashboard/checks").await.0, reqwest::StatusCode::OK);
    // with a grace period the session lives on; revoked now, it ends
    partners::rotate_key(
        &app.state.db,
        &p.partner_id,
        KeyKind::Secret,
        KeyMode::Live,
        Retire::After(Duration::from_secs(3600)),
        &Actor::Operator,
    )
    .await
    .unwrap();
    assert_eq!(b.get("/dashboard/checks").await.0, reqwest::StatusCode::OK);
    let newest = partners::rotate_key(
        &app.state.db,
        &p.partner_id,
        KeyKind::Secret,
        KeyMode::Live,
        Retire::Now,
        &Actor::Operator,
    )
    .await
    .unwrap();
    assert_eq!(
        b.get("/dashboard/checks").await.0,
        reqwest::StatusCode::SEE_OTHER,
        "signed out with the revoked key"
    );
    let (status, _) = json(
        app.client
            .get(app.url("/v1/checks"))
            .bearer_auth(&p.secret_key),
    )
    .await;
    assert_eq!(status, 401);
    let (status, _) = json(app.client.get(app.url("/v1/checks")).bearer_auth(&newest)).await;
    assert_eq!(status, 200);
}

// --- 7. smaller items -------------------------------------------------------------------------

#[tokio::test]
async fn a_capture_link_keeps_the_contact_data_its_partner_set() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    let token = capture_token(&app, &p.api_key, Some("real@acme.example")).await;
    let form = media_form("seq_obama.webm", "id_obama.jpg")
        .text("capture_token", token.clone())
        .text("user_email", "attacker@evil.example");
    let (status, v) = json(app.client.post(app.url("/verif/submit")).multipart(form)).await;
    assert_eq!(
        (status, v["error"].as_str()),
        (
            400,
            Some("user_email does not match this verification link")
        )
    );
    // the same address (any case) or none: the partner's stays
    let form = media_form("seq_obama.webm", "id_obama.jpg")
        .text("capture_token", token)
        .text("user_email", "REAL@acme.example");
    let (status, v) = json(app.client.post(app.url("/verif/submit")).multipart(form)).await;
    assert_eq!(status, 200, "{v}");
    let c = app
        .stored_check(&p.partner_id, v["check_id"].as_str().unwrap())
        .await;
    assert_eq!(c.user_email.as_deref(), Some("real@acme.example"));
}

#[tokio::test]
async fn unused_expired_capture_links_are_deleted_with_their_contact_data() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    let token = capture_token(&app, &p.api_key, Some("someone@acme.example")).await;
    let r = app
        .client
        .get(app.url(&format!("/verif/?session={token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    sqlx::query("UPDATE capture_sessions SET expires_at = 1")
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    app::server::retention::sweep_sessions(&app.state)
        .await
        .unwrap();
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM capture_sessions")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(left, 0);
    let r = app
        .client
        .get(app.url(&format!("/verif/?session={token}")))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    // gone from the database: a token that matches nothing
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn spool_files_left_by_a_crash_are_swept_at_start_and_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, env) = crate::common::test_env(&[]).await;
    let tmp = std::path::Path::new(&env["IDV_DATA_DIR"]).join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let stale = tmp.join("idv-crashed.upload");
    // a HEIC's converted copy, left by a crash mid-conversion
    let converted = tmp.join("idv-crashed.heic.jpg");
    let old = std::time::SystemTime::now() - Duration::from_secs(3600);
    for f in [&stale, &converted] {
        std::fs::write(f, b"half a file").unwrap();
        std::fs::File::options()
            .write(true)
            .open(f)
            .unwrap()
            .set_modified(old)
            .unwrap();
    }
    // the converter's folder, with what it wrote
    let folder = tmp.join("idv-crashed.heic.d");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("image-1.jpg"), b"half a file").unwrap();
    std::fs::File::open(&folder)
        .unwrap()
        .set_modified(old)
        .unwrap();
    let fresh = tmp.join("idv-running.upload");
    std::fs::write(&fresh, b"an upload of a running node").unwrap();
    let mut config = app::server::config::Config::load(&env).unwrap();
    config.leptos.site_root = "target/site".into();
    let app = idv::Application::build(config).await.unwrap();
    assert!(!stale.exists(), "a crash's spool file is swept at start");
    assert!(!converted.exists(), "and a crash's converted HEIC");
    assert!(!folder.exists(), "and the converter's folder");
    assert!(fresh.exists(), "a recent one may belong to a live upload");
    drop(app);
    drop(dir);

    // what a submission stores is the service's alone
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    app.submit_media(&p.api_key, "u", "seq_obama.webm", "id_obama.jpg")
        .await;
    if crate::common::storage_backend() == "local" {
        let files = stored_files(&app);
        assert_eq!(files.len(), 2);
        for f in &files {
            let mode = std::fs::metadata(f).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", f.display());
            let mut d = f.parent().unwrap().to_path_buf();
            let data = std::path::PathBuf::from(&app.env["IDV_DATA_DIR"]);
            while d != data {
                let mode = std::fs::metadata(&d).unwrap().permissions().mode() & 0o777;
                assert_eq!(mode, 0o700, "{}", d.display());
                d = d.parent().unwrap().to_path_buf();
            }
        }
    }
}

#[tokio::test]
async fn partners_never_see_internal_addresses_or_host_names() {
    let app = spawn_app_with(&[("IDV_WEBHOOK_POLL_INTERVAL", "100ms")]).await;
    // `localhost` resolves to loopback, which is not allow-listed here
    let p = partners::create(
        &app.state.db,
        &app.state.master_key,
        partners::NewPartner {
            name: "Acme".into(),
            webhook_url: Some("http://localhost:9/hook".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let ids = seed_checks(&app.state.db, &p.partner_id, 1).await;
    app.state.webhook_notify.notify_one();
    let t0 = Instant::now();
    let v = loop {
        let (_, v) = json(
            app.client
                .get(app.url(&format!("/v1/checks/{}", ids[0])))
                .bearer_auth(&p.secret_key),
        )
        .await;
        if v["webhook_deliveries"][0]["attempt_log"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
        {
            break v;
        }
        assert!(t0.elapsed() < Duration::from_secs(10), "{v}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let attempt = &v["webhook_deliveries"][0]["attempt_log"][0];
    let error = attempt["error"].as_str().unwrap();
    assert!(error.contains("refused"), "{error}");
    assert!(
        !error.contains("127.0.0.1") && !error.contains("::1"),
        "{error}"
    );
    let node = attempt["node"].as_str().unwrap();
    let host = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
    assert!(
        node.starts_with("node-")
            && node.len() == 13
            && (host.trim().is_empty() || !node.contains(host.trim())),
        "{node}"
    );
}

#[tokio::test]
async fn webhooks_never_reach_tunnelled_or_translated_internal_addresses() {
    let app = spawn_app_with(&[("IDV_WEBHOOK_POLL_INTERVAL", "100ms")]).await;
    for url in [
        "http://[2002:7f00:1::1]:9/hook", // 6to4 of 127.0.0.1
        "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]:9/hook", // Teredo
        "http://[64:ff9b::a9fe:a9fe]:9/hook", // NAT64 of 169.254.169.254
        "http://[fec0::1]:9/hook",        // site-local
    ] {
        let p = partners::create(
            &app.state.db,
            &app.state.master_key,
            partners::NewPartner {
                name: "Acme".into(),
                webhook_url: Some(url.into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let ids = seed_checks(&app.state.db, &p.partner_id, 1).await;
        app.state.webhook_notify.notify_one();
        let t0 = Instant::now();
        loop {
            let d = &app::server::outbox::list_for_check(&app.state.db, &ids[0])
                .await
                .unwrap()[0];
            if let Some(a) = d.attempt_log.first() {
                let e = a.error.as_deref().unwrap_or_default();
                assert!(e.contains("refused"), "{url}: {e}");
                break;
            }
            assert!(t0.elapsed() < Duration::from_secs(10), "{url}: no attempt");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

#[tokio::test]
async fn csv_cells_starting_with_tab_or_carriage_return_are_neutralised() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    let ids = seed_checks(&app.state.db, &p.partner_id, 2).await;
    for (id, user) in ids.iter().zip(["\tcmd|' /C calc'!A0", "\r=1+1"]) {
        sqlx::query("UPDATE checks SET user_identifier = $2 WHERE id = $1")
            .bind(id)
            .bind(user)
            .execute(&app.state.db.pool)
            .await
            .unwrap();
    }
    let mut b = crate::dashboard::Browser::new(&app);
    b.sign_in(&p.secret_key).await;
    let (status, csv) = b.get("/dashboard/checks/export.csv").await;
    assert_eq!(status, reqwest::StatusCode::OK);
    assert!(csv.contains(",'\tcmd|' /C calc'!A0,"), "{csv:?}");
    assert!(csv.contains(",\"'\r=1+1\","), "{csv:?}");
}

#[tokio::test]
async fn over_https_the_cookie_is_host_only_and_transport_is_strict() {
    let app = spawn_app_with(&[("IDV_PUBLIC_URL", "https://idv.example/")]).await;
    let p = app.partner("Acme").await;
    let r = app
        .client
        .post(app.url("/dashboard/sign-in"))
        .header("origin", "https://idv.example")
        .form(&[("api_key", p.secret_key.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("__Host-idv_dashboard="), "{cookie}");
    for part in ["Path=/;", "Secure", "HttpOnly", "SameSite=Strict"] {
        assert!(cookie.contains(part), "{cookie}");
    }
    assert!(!cookie.contains("Domain"), "{cookie}");
    assert!(
        r.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .starts_with("max-age=")
    );
    let r = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
}

// --- the test shortcuts are a test key's only (issue 32, item 11) --------------------------

/// `test_verified`, `test_rejected` and `test_review` force an outcome with a test key only: a
/// live key's check with any of them is scored by the verifier like any other, on the guide's
/// submit and on a capture link; a test key's is forced and never scored.
#[tokio::test]
async fn a_live_key_with_a_test_user_identifier_is_scored_normally() {
    let calls = Arc::new(AtomicUsize::new(0));
    let app = crate::common::spawn_app_with_verifier(Arc::new(crate::common::ScriptedVerifier {
        calls: calls.clone(),
        delay: Duration::ZERO,
        fail: false,
    }))
    .await;
    let p = app.partner("Acme").await;
    for user in ["test_verified", "test_rejected", "test_review"] {
        for via_link in [false, true] {
            let before = calls.load(Ordering::SeqCst);
            let form = media_form("seq_obama.webm", "id_obama.jpg");
            let form = if via_link {
                let link = app.capture_link(&p.api_key, user, None).await;
                form.text("capture_token", link.token)
            } else {
                form.text("api_key", p.api_key.clone())
                    .text("user_identifier", user)
            };
            let (status, v) = json(app.client.post(app.url("/verif/submit")).multipart(form)).await;
            assert_eq!(status, 200, "{user} (link: {via_link}): {v}");
            assert_eq!(
                calls.load(Ordering::SeqCst),
                before + 1,
                "{user} (link: {via_link}) with a live key was not scored"
            );
            // the scripted verifier's comparison (similarity 90), never a forced one (the
            // status itself is judged further: the same video again is a replay)
            assert_eq!(
                v["result"]["faceComparison"]["similarityScore"], 90,
                "{user} (link: {via_link}): {v}"
            );
        }
    }
    // the same identifiers with the test key: forced, the verifier never called
    let before = calls.load(Ordering::SeqCst);
    for (user, want) in [
        ("test_verified", "verified"),
        ("test_rejected", "rejected"),
        ("test_review", "review"),
    ] {
        let v = app
            .submit_media(&p.test_api_key, user, "seq_obama.webm", "id_obama.jpg")
            .await;
        assert_eq!(v["result"]["status"], want, "{v}");
    }
    assert_eq!(calls.load(Ordering::SeqCst), before);
}

// --- links die with their key (issue 32, item 4) ---------------------------------------------

/// A capture link works as long as the key that made it: the capture key's link (`GET /verif/`)
/// outlives a rotation's grace but not `--revoke-now`; a `/v1/sessions` link dies with the
/// secret key that made it, not with the capture key.
#[tokio::test]
async fn capture_links_die_with_the_key_that_made_them() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    let status = |token: String| {
        let app = &app;
        async move {
            app.client
                .get(app.url(&format!("/verif/?session={token}")))
                .header("accept", "application/json")
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let by_capture_key = app.capture_link(&p.api_key, "u-1", None).await.token;
    let (s, v) = crate::v1::post_session(
        &app,
        &p.secret_key,
        serde_json::json!({"user_identifier": "u-2"}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let url = v["url"].as_str().unwrap();
    let by_secret_key = url[url.find("session=").unwrap() + 8..]
        .split('&')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(status(by_capture_key.clone()).await, 200);
    assert_eq!(status(by_secret_key.clone()).await, 200);
    let rotate = |kind, retire| {
        partners::rotate_key(
            &app.state.db,
            &p.partner_id,
            kind,
            KeyMode::Live,
            retire,
            &Actor::Operator,
        )
    };
    // a rotation with a grace period: the old key and its links still work
    rotate(KeyKind::Capture, Retire::After(Duration::from_secs(3600)))
        .await
        .unwrap();
    assert_eq!(status(by_capture_key.clone()).await, 200);
    // revoked now: its link is a token that matches nothing; the secret key's link lives on
    rotate(KeyKind::Capture, Retire::Now).await.unwrap();
    assert_eq!(status(by_capture_key.clone()).await, 401);
    let form = media_form("seq_obama.webm", "id_obama.jpg").text("capture_token", by_capture_key);
    let (s, v) = json(app.client.post(app.url("/verif/submit")).multipart(form)).await;
    assert_eq!(s, 401, "{v}");
    assert_eq!(status(by_secret_key.clone()).await, 200);
    rotate(KeyKind::Secret, Retire::Now).await.unwrap();
    assert_eq!(status(by_secret_key).await, 401);
}

// --- attempts per user, across links, visible (issue 32, item 5) ---------------------------

#[tokio::test]
async fn a_users_attempts_are_limited_across_links_and_listed() {
    let app = spawn_app_with(&[("IDV_USER_ATTEMPTS_PER_HOUR", "2")]).await;
    let p = app.partner("Acme").await;
    let mut checks = Vec::new();
    for _ in 0..2 {
        let (status, v) = json(
            app.client
                .post(app.url("/verif/submit"))
                .multipart(submit_form(&p.api_key, "many")),
        )
        .await;
        assert_eq!(status, 200, "{v}");
        checks.push(v["check_id"].as_str().unwrap().to_string());
    }
    // a fresh capture link has fresh recordings of its own, but the user has made two checks
    // in the hour: refused before anything is read
    let link = app.capture_link(&p.api_key, "many", None).await;
    let r = app
        .client
        .post(app.url("/verif/submit"))
        .multipart(
            Form::new()
                .text("capture_token", link.token.clone())
                .part(
                    "selfie_video",
                    Part::bytes(read_media("seq_obama.webm")).file_name("v.webm"),
                )
                .part(
                    "id_photo",
                    Part::bytes(read_media("id_obama.jpg")).file_name("id.jpg"),
                ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 429);
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=3600).contains(&wait), "{wait}");
    let v: Value = r.json().await.unwrap();
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains("Too many verification attempts for this user"),
        "{v}"
    );
    assert_eq!(app.count("checks").await, 2);
    // another user, and test mode's magic identifiers, are not held back
    let (status, v) = json(
        app.client
            .post(app.url("/verif/submit"))
            .multipart(submit_form(&p.api_key, "someone-else")),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    for _ in 0..3 {
        let (status, v) = json(
            app.client
                .post(app.url("/verif/submit"))
                .multipart(submit_form(&p.test_api_key, "test_verified")),
        )
        .await;
        assert_eq!(status, 200, "{v}");
    }

    // the partner sees every attempt, the refused one included
    let list = |q: &str| {
        app.client
            .get(app.url(&format!("/v1/attempts?{q}")))
            .bearer_auth(&p.secret_key)
    };
    let (status, v) = json(list("user_identifier=many")).await;
    assert_eq!(status, 200, "{v}");
    let outcomes: Vec<&str> = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["refused_limit", "check", "check"], "{v}");
    let listed: Vec<&str> = v["data"].as_array().unwrap()[1..]
        .iter()
        .map(|a| a["check_id"].as_str().unwrap())
        .collect();
    assert!(listed.iter().all(|c| checks.iter().any(|k| k == c)), "{v}");
    assert_eq!(v["data"][0]["check_id"], Value::Null);
    let (_, v) = json(list("outcome=refused_limit")).await;
    assert_eq!(v["data"].as_array().unwrap().len(), 1, "{v}");
    let (status, v) = json(list("outcome=maybe")).await;
    assert_eq!(status, 400, "{v}");
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains("outcome must be one of"),
        "{v}"
    );
    // a test key sees test mode's attempts only
    let (_, v) = json(
        app.client
            .get(app.url("/v1/attempts"))
            .bearer_auth(&p.test_secret_key),
    )
    .await;
    assert_eq!(v["data"].as_array().unwrap().len(), 3, "{v}");
    // and the dashboard lists them
    let mut browser = crate::dashboard::Browser::new(&app);
    browser.sign_in(&p.secret_key).await;
    let (status, page) = browser
        .get("/dashboard/attempts?user_identifier=many")
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("refused_limit"), "{page}");
    assert!(!page.contains("someone-else"), "{page}");
}

#[tokio::test]
async fn a_users_recordings_sent_at_once_are_counted_as_they_are_let_in() {
    let app = spawn_app_with(&[("IDV_USER_ATTEMPTS_PER_HOUR", "2")]).await;
    let p = app.partner("Acme").await;
    let sent = (0..4).map(|_| {
        json(
            app.client
                .post(app.url("/verif/submit"))
                .multipart(submit_form(&p.api_key, "burst")),
        )
    });
    let mut statuses: Vec<u16> = futures::future::join_all(sent)
        .await
        .into_iter()
        .map(|(status, _)| status)
        .collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 200, 429, 429]);
    assert_eq!(app.count("checks").await, 2);
}

/// A link's recording that is under way when its key is revoked makes no check: the commit
/// checks the key again.
#[tokio::test]
async fn a_link_whose_key_is_revoked_mid_recording_makes_no_check() {
    let app = crate::common::spawn_app_with_verifier(Arc::new(crate::common::ScriptedVerifier {
        calls: Arc::default(),
        delay: Duration::from_millis(1500),
        fail: false,
    }))
    .await;
    let p = app.partner("Acme").await;
    let token = app.capture_link(&p.api_key, "u-revoked", None).await.token;
    let form = media_form("seq_obama.webm", "id_obama.jpg").text("capture_token", token);
    let submitting = app.submit(form);
    let revoking = async {
        // while the (slow) scoring runs
        tokio::time::sleep(Duration::from_millis(800)).await;
        partners::rotate_key(
            &app.state.db,
            &p.partner_id,
            KeyKind::Capture,
            KeyMode::Live,
            Retire::Now,
            &Actor::Operator,
        )
        .await
        .unwrap();
    };
    let (r, ()) = tokio::join!(submitting, revoking);
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(app.count("checks").await, 0);
}
