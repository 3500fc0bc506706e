//! Test harness: the real service on port 0, a fresh database (SQLite file, or a new PostgreSQL
//! database when IDV_TEST_POSTGRES_URL is set) and a fresh data dir per test.
#![allow(dead_code)]

use std::collections::HashMap;

use app::server::{config::Config, partners, state::AppState};
use idv::Application;
use tokio::sync::oneshot;

pub struct TestApp {
    pub base: String,
    /// `http://<IDV_METRICS_ADDR>` when the test set one.
    pub metrics_base: Option<String>,
    pub client: reqwest::Client,
    pub state: AppState,
    pub dir: tempfile::TempDir,
    pub env: HashMap<String, String>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

pub fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn storage_backend() -> &'static str {
    if std::env::var("IDV_TEST_AZURE_ENDPOINT").is_ok() {
        "azure"
    } else {
        "local"
    }
}

/// Which backend this run tests against.
pub fn backend() -> &'static str {
    if std::env::var("IDV_TEST_POSTGRES_URL").is_ok() {
        "postgres"
    } else {
        "sqlite"
    }
}

/// A DATABASE_URL for a brand-new, empty database.
pub async fn fresh_database_url(dir: &std::path::Path) -> String {
    match std::env::var("IDV_TEST_POSTGRES_URL") {
        Ok(admin) => {
            use sqlx::Connection;
            let name = format!("idv_test_{}", uuid::Uuid::new_v4().simple());
            let mut conn = sqlx::PgConnection::connect(&admin)
                .await
                .expect("connect to test PostgreSQL");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .expect("create database");
            let mut url = url::Url::parse(&admin).unwrap();
            url.set_path(&name);
            url.to_string()
        }
        Err(_) => format!("sqlite://{}/idv.db?mode=rwc", dir.display()),
    }
}

pub async fn test_env(extra: &[(&str, &str)]) -> (tempfile::TempDir, HashMap<String, String>) {
    let dir = tempfile::tempdir().unwrap();
    let mut env: HashMap<String, String> = HashMap::new();
    env.insert(
        "IDV_DATA_DIR".into(),
        dir.path().join("data").display().to_string(),
    );
    env.insert("DATABASE_URL".into(), fresh_database_url(dir.path()).await);
    env.insert("LEPTOS_SITE_ADDR".into(), "127.0.0.1:0".into());
    // every test app is one client address (loopback): the per-IP limits are tested on their
    // own, with low values, and are out of the way elsewhere
    for k in [
        "IDV_IP_SUBMIT_PER_MINUTE",
        "IDV_IP_PAGE_PER_MINUTE",
        "IDV_IP_SIGN_IN_PER_MINUTE",
        "IDV_IP_API_PER_MINUTE",
        "IDV_MAX_UPLOADS_PER_ADDRESS",
        "IDV_USER_ATTEMPTS_PER_HOUR",
    ] {
        env.insert(k.into(), "100000".into());
    }
    env.insert(
        "IDV_LEPTOS_CONFIG".into(),
        workspace_root().join("Leptos.toml").display().to_string(),
    );
    env.insert(
        "IDV_MODELS_DIR".into(),
        workspace_root().join("models").display().to_string(),
    );
    // Azure Blob Storage (Azurite, started by scripts/test.sh) instead of local disk
    if let Ok(endpoint) = std::env::var("IDV_TEST_AZURE_ENDPOINT") {
        env.insert("IDV_STORAGE".into(), "azure".into());
        env.insert("IDV_AZURE_ACCOUNT".into(), "devstoreaccount1".into());
        // Azurite's documented development key
        env.insert(
            "IDV_AZURE_ACCESS_KEY".into(),
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==".into(),
        );
        env.insert("IDV_AZURE_ENDPOINT".into(), endpoint);
        env.insert(
            "IDV_AZURE_CONTAINER".into(),
            format!("idv-{}", uuid::Uuid::new_v4().simple()),
        );
    }
    for (k, v) in extra {
        env.insert(k.to_string(), v.to_string());
    }
    (dir, env)
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

pub async fn spawn_app_with(extra: &[(&str, &str)]) -> TestApp {
    spawn_inner(extra, None).await
}

async fn spawn_inner(
    extra: &[(&str, &str)],
    verifier: Option<app::server::verify::SharedVerifier>,
) -> TestApp {
    let (dir, env) = test_env(extra).await;
    spawn_from(dir, env, verifier).await
}

/// Another node of `first`'s service: the same database, storage, data dir and secret key, its
/// own listener and its own process state (as `idv serve` on a second machine), with `extra`.
pub async fn spawn_node(first: &TestApp, extra: &[(&str, &str)]) -> TestApp {
    let mut env = first.env.clone();
    for (k, v) in extra {
        env.insert(k.to_string(), v.to_string());
    }
    spawn_from(tempfile::tempdir().unwrap(), env, None).await
}

async fn spawn_from(
    dir: tempfile::TempDir,
    env: HashMap<String, String>,
    verifier: Option<app::server::verify::SharedVerifier>,
) -> TestApp {
    let mut config = Config::load(&env).expect("test config");
    // the page's assets, when a release build exists (browser tests); unused otherwise
    config.leptos.site_root = workspace_root()
        .join("target/site")
        .display()
        .to_string()
        .into();
    let app = Application::build_with(config, verifier)
        .await
        .expect("build app");
    let base = format!("http://{}", app.local_addr());
    let metrics_base = app.metrics_addr().map(|a| format!("http://{a}"));
    let state = app.state().clone();
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(app.run_until(async move {
        let _ = rx.await;
    }));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    TestApp {
        base,
        metrics_base,
        client,
        state,
        dir,
        env,
        stop: Some(tx),
        task: Some(task),
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `POST /verif/submit` with a video and an ID photo from the test media; asserts 200 and
    /// returns the JSON body.
    pub async fn submit_media(
        &self,
        api_key: &str,
        user: &str,
        video: &str,
        id_photo: &str,
    ) -> serde_json::Value {
        let form = media_form(video, id_photo)
            .text("api_key", api_key.to_string())
            .text("user_identifier", user.to_string());
        let r = self.submit(form).await;
        assert_eq!(r.status(), 200, "{video} + {id_photo}");
        r.json().await.unwrap()
    }

    /// A capture link for `user` made with the partner's capture key `api_key` (ten minutes,
    /// not renewable), as `GET /verif/` or `POST /v1/sessions` make them.
    pub async fn capture_link(
        &self,
        api_key: &str,
        user: &str,
        email: Option<&str>,
    ) -> app::server::capture_links::Created {
        use app::server::{
            capture_links,
            partners::{self, KeyKind},
        };
        let auth = partners::authenticate(&self.state.db, api_key, KeyKind::Capture)
            .await
            .unwrap()
            .unwrap();
        capture_links::create(
            &self.state.db,
            &auth,
            &capture_links::NewCaptureLink {
                user_identifier: user.into(),
                user_email: email.map(str::to_string),
                user_phone: None,
                redirect_url: None,
                renewable: false,
                expected: Default::default(),
                locale: None,
            },
            std::time::Duration::from_secs(600),
        )
        .await
        .unwrap()
    }

    /// `POST /verif/submit` with `form`, as it is.
    pub async fn submit(&self, form: reqwest::multipart::Form) -> reqwest::Response {
        self.client
            .post(self.url("/verif/submit"))
            .multipart(form)
            .send()
            .await
            .unwrap()
    }

    /// Asserts the server is still up and answering.
    pub async fn assert_up(&self) {
        let r = self.client.get(self.url("/healthz")).send().await.unwrap();
        assert_eq!(r.status(), 200, "the server is still up");
    }

    /// Rows in `table`.
    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&self.state.db.pool)
            .await
            .unwrap()
    }

    /// A check as stored, which must exist.
    pub async fn stored_check(
        &self,
        partner_id: &str,
        check_id: &str,
    ) -> app::server::checks::CheckRecord {
        app::server::checks::get(&self.state.db, partner_id, check_id)
            .await
            .unwrap()
            .expect("the check exists")
    }

    /// Creates a partner whose pages may be framed by (and redirect to) `origins`.
    pub async fn partner_on(&self, name: &str, origins: &[&str]) -> partners::CreatedPartner {
        partners::create(
            &self.state.db,
            &self.state.master_key,
            partners::NewPartner {
                name: name.into(),
                allowed_origins: origins.iter().map(|o| o.to_string()).collect(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
    }

    /// Creates a partner directly through the service layer.
    pub async fn partner(&self, name: &str) -> partners::CreatedPartner {
        partners::create(
            &self.state.db,
            &self.state.master_key,
            partners::NewPartner {
                name: name.into(),
                primary_color: Some("#aa3300".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
    }

    /// Stops the server and waits until it has finished.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        self.task.take().unwrap().await.unwrap()
    }
}

/// A test media file made by scripts/test.sh (`ensure_test_media`).
pub fn media(name: &str) -> std::path::PathBuf {
    let dir = std::env::var("IDV_TEST_MEDIA")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| workspace_root().join("target/test-media"));
    let p = dir.join(name);
    assert!(
        p.exists(),
        "{} is missing: run scripts/test.sh (or `source scripts/lib.sh; ensure_test_media`)",
        p.display()
    );
    p
}

pub fn read_media(name: &str) -> Vec<u8> {
    std::fs::read(media(name)).unwrap()
}

/// Files under the data dir's storage and spool folders (nothing may be left behind).
pub fn stored_files(app: &TestApp) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let data = std::path::PathBuf::from(&app.env["IDV_DATA_DIR"]);
    for sub in ["files", "tmp"] {
        let mut stack = vec![data.join(sub)];
        while let Some(d) = stack.pop() {
            if let Ok(rd) = std::fs::read_dir(&d) {
                for e in rd.flatten() {
                    if e.path().is_dir() {
                        stack.push(e.path())
                    } else {
                        out.push(e.path())
                    }
                }
            }
        }
    }
    out
}

/// A scoring backend for tests: counts its calls, takes `delay`, then fails (as a crashed model
/// or a dead OpenAI endpoint would) or decides `verified`.
pub struct ScriptedVerifier {
    pub calls: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    pub delay: std::time::Duration,
    pub fail: bool,
}

impl ScriptedVerifier {
    pub fn failing() -> Self {
        Self {
            calls: Default::default(),
            delay: std::time::Duration::ZERO,
            fail: true,
        }
    }
}

#[async_trait::async_trait]
impl app::server::verify::Verifier for ScriptedVerifier {
    fn method(&self) -> &'static str {
        "local_face_model"
    }
    async fn verify(
        &self,
        _: &app::server::verify::Inputs,
    ) -> anyhow::Result<app::server::verify::Outcome> {
        self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        tokio::time::sleep(self.delay).await;
        anyhow::ensure!(!self.fail, "model crashed");
        Ok(app::server::verify::test_mode_outcome("test_verified").unwrap())
    }
}

pub async fn spawn_app_with_verifier(verifier: app::server::verify::SharedVerifier) -> TestApp {
    spawn_inner(&[], Some(verifier)).await
}

/// Completed checks written straight into the database with their webhook outbox rows, as a
/// submission commits them (for webhook tests that do not need the face model).
pub async fn seed_checks(db: &app::server::db::Db, partner_id: &str, n: usize) -> Vec<String> {
    use app::contract::{ConfidenceLevel, FaceComparison, Status};
    use app::server::checks::{self, CheckRecord};
    let now = app::server::db::now_ms();
    let mut ids = Vec::new();
    let mut tx = db.pool.begin().await.unwrap();
    for i in 0..n {
        let id = uuid::Uuid::new_v4().to_string();
        let record = CheckRecord {
            id: id.clone(),
            partner_id: partner_id.into(),
            livemode: true,
            user_identifier: format!("seeded-{i}"),
            user_email: None,
            user_phone: None,
            status: Status::Verified,
            face: FaceComparison {
                is_identical: true,
                confidence: 0.97,
                similarity_score: 81,
                method: "local_face_model".into(),
            },
            overall_score: 88,
            confidence_level: ConfidenceLevel::High,
            summary: "seeded".into(),
            risk_factors: vec![],
            review_reason: None,
            storage_backend: "local".into(),
            selfie_key: format!("{partner_id}/{id}/selfie.webm"),
            selfie_file_name: "selfie.webm".into(),
            id_key: format!("{partner_id}/{id}/id.jpg"),
            id_file_name: "id.jpg".into(),
            consent_version: None,
            consented_at: None,
            review_note: None,
            document: None,
            id_back_key: None,
            id_back_file_name: None,
            created_at: now,
            completed_at: now,
            files_expire_at: now + 7 * 86_400_000,
            files_deleted_at: None,
            redacted_at: None,
            reviewed_at: None,
        };
        checks::insert(&mut tx, &record).await.unwrap();
        ids.push(id);
    }
    tx.commit().await.unwrap();
    ids
}

/// An HTTP receiver on loopback that records every request and answers from a script.
pub mod receiver {
    use std::{
        collections::VecDeque,
        sync::{Arc, Mutex},
        time::{Duration, Instant},
    };

    use axum::{
        Router,
        body::Bytes,
        extract::State,
        http::{HeaderMap, StatusCode},
        response::{IntoResponse, Response},
        routing::post,
    };

    #[derive(Clone, Debug)]
    pub enum Reply {
        Status(u16),
        /// 429 or 503 with `Retry-After: secs`.
        RetryAfter(u16, u64),
        /// Sleeps, then answers 200.
        Slow(Duration),
    }

    #[derive(Clone, Debug)]
    pub struct Received {
        pub headers: HeaderMap,
        pub body: Bytes,
        pub at: Instant,
        pub unix_ms: i64,
    }

    #[derive(Default)]
    pub struct Receiver {
        pub script: Mutex<VecDeque<Reply>>,
        pub received: Mutex<Vec<Received>>,
    }

    async fn hook(State(r): State<Arc<Receiver>>, headers: HeaderMap, body: Bytes) -> Response {
        r.received.lock().unwrap().push(Received {
            headers,
            body,
            at: Instant::now(),
            unix_ms: app::server::db::now_ms(),
        });
        let reply = r.script.lock().unwrap().pop_front();
        match reply {
            None => (StatusCode::OK, "ok").into_response(),
            Some(Reply::Status(c)) => {
                (StatusCode::from_u16(c).unwrap(), "scripted").into_response()
            }
            Some(Reply::RetryAfter(c, s)) => (
                StatusCode::from_u16(c).unwrap(),
                [("retry-after", s.to_string())],
                "later",
            )
                .into_response(),
            Some(Reply::Slow(d)) => {
                tokio::time::sleep(d).await;
                (StatusCode::OK, "late").into_response()
            }
        }
    }

    impl Receiver {
        /// Serves on `listener`; returns the receiver and its webhook URL.
        pub async fn serve_on(
            listener: tokio::net::TcpListener,
            script: Vec<Reply>,
        ) -> (Arc<Receiver>, String) {
            let r = Arc::new(Receiver {
                script: Mutex::new(script.into()),
                received: Mutex::default(),
            });
            let addr = listener.local_addr().unwrap();
            let router = Router::new()
                .route("/hook", post(hook))
                // an OTLP/HTTP collector's traces path (the trace export test)
                .route("/v1/traces", post(hook))
                .with_state(r.clone());
            tokio::spawn(async move { axum::serve(listener, router).await });
            (r, format!("http://{addr}/hook"))
        }

        pub async fn start(script: Vec<Reply>) -> (Arc<Receiver>, String) {
            let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            Self::serve_on(l, script).await
        }

        pub fn count(&self) -> usize {
            self.received.lock().unwrap().len()
        }

        pub fn all(&self) -> Vec<Received> {
            self.received.lock().unwrap().clone()
        }

        /// Waits until `n` requests arrived (panics after `limit`).
        pub async fn wait_for(&self, n: usize, limit: Duration) -> Vec<Received> {
            let t0 = Instant::now();
            while self.count() < n {
                assert!(
                    t0.elapsed() < limit,
                    "{} of {n} webhook requests after {limit:?}",
                    self.count()
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            self.all()
        }
    }
}

/// Verifies a Standard Webhooks signature header, independently of the service's code:
/// HMAC-SHA256 over "{id}.{timestamp}.{body}", keyed with the base64-decoded `whsec_` secret.
pub fn verify_standard_webhook(secret: &str, headers: &axum::http::HeaderMap, body: &[u8]) -> bool {
    use base64::Engine as _;
    use hmac::{Hmac, Mac};
    let b64 = base64::engine::general_purpose::STANDARD;
    let key = b64.decode(secret.strip_prefix("whsec_").unwrap()).unwrap();
    let id = headers["webhook-id"].to_str().unwrap();
    let ts = headers["webhook-timestamp"].to_str().unwrap();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{ts}.").as_bytes());
    mac.update(body);
    let expected = b64.encode(mac.finalize().into_bytes());
    headers["webhook-signature"]
        .to_str()
        .unwrap()
        .split(' ')
        .filter_map(|s| s.strip_prefix("v1,"))
        .any(|sig| sig == expected)
}

/// `verificationAssessment.riskFactors` of a submit answer.
pub fn risks(v: &serde_json::Value) -> Vec<String> {
    v["result"]["verificationAssessment"]["riskFactors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_string())
        .collect()
}

/// A multipart form holding a selfie video and an ID photo from the test media.
pub fn media_form(video: &str, id_photo: &str) -> reqwest::multipart::Form {
    use reqwest::multipart::{Form, Part};
    Form::new()
        .part(
            "selfie_video",
            Part::bytes(read_media(video)).file_name(video.to_string()),
        )
        .part(
            "id_photo",
            Part::bytes(read_media(id_photo)).file_name(id_photo.to_string()),
        )
}
