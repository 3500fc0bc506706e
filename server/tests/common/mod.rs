//! Test harness: the real service on port 0, a fresh database (SQLite file, or a new PostgreSQL
//! database when IDV_TEST_POSTGRES_URL is set) and a fresh data dir per test.
#![allow(dead_code)]

use std::collections::HashMap;

use app::server::{config::Config, partners, state::AppState};
use idv::Application;
use tokio::sync::oneshot;

pub struct TestApp {
    pub base: String,
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

/// A scoring backend that always fails, as a crashed model or a dead OpenAI endpoint would.
pub struct FailingVerifier;

#[async_trait::async_trait]
impl app::server::verify::Verifier for FailingVerifier {
    fn method(&self) -> &'static str {
        "local_face_model"
    }
    async fn verify(
        &self,
        _: &app::server::verify::Inputs,
    ) -> anyhow::Result<app::server::verify::Outcome> {
        anyhow::bail!("model crashed")
    }
}

pub async fn spawn_app_with_verifier(verifier: app::server::verify::SharedVerifier) -> TestApp {
    spawn_inner(&[], Some(verifier)).await
}
