//! The `idv` service: `Application::build(config)` prepares everything (data dir, keys,
//! database, storage, face model, listener) and `run_until_stopped` serves until SIGINT/SIGTERM.
//! Tests build it on port 0 with a fresh database and data dir.
#![forbid(unsafe_code)]

use std::{future::Future, net::SocketAddr, path::Path, sync::Arc};

use anyhow::Context;
use app::server::{
    config::{Config, StorageConfig},
    crypto::MasterKey,
    db::Db,
    retention, routes,
    state::AppState,
    storage::{AzureStorage, LocalStorage, Storage},
    verify::{
        SharedVerifier,
        local::{LocalVerifier, Thresholds},
    },
    webhooks::Dispatcher,
};
use tokio::{net::TcpListener, sync::Semaphore};

pub use app::server::config;
use app::server::config::settings as S;

mod http;

/// Makes sure the data dir exists (created 0700: uploads and keys live there) and is
/// writable, with a message naming the setting.
pub fn prepare_data_dir(dir: &Path) -> anyhow::Result<()> {
    app::server::private_fs::create_dir(dir)
        .with_context(|| format!("{}: cannot create {}", S::DATA_DIR.name, dir.display()))?;
    let probe = dir.join(".write-test");
    std::fs::write(&probe, b"ok")
        .with_context(|| format!("{}: {} is not writable", S::DATA_DIR.name, dir.display()))?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}

/// What every command needs: the data dir, the master key and the (migrated) database.
pub struct Core {
    pub config: Config,
    pub db: Db,
    pub master_key: MasterKey,
}

pub async fn open_core(config: Config) -> anyhow::Result<Core> {
    prepare_data_dir(&config.data_dir)?;
    let master_key = match &config.secret_key {
        Some(k) => MasterKey::from_base64(k.expose())
            .map_err(|e| anyhow::anyhow!("{}: {e}", S::SECRET_KEY.name))?,
        None => MasterKey::load_or_create(&config.data_dir.join("secret.key"))?,
    };
    let db = Db::connect(&config).await.context("DATABASE_URL")?;
    db.migrate().await?;
    Ok(Core {
        config,
        db,
        master_key,
    })
}

/// The configured storage backend, ready (Azure container created when missing).
pub async fn open_storage(config: &Config, key: &MasterKey) -> anyhow::Result<Storage> {
    let backend: Storage = match &config.storage {
        StorageConfig::Local => Arc::new(
            LocalStorage::new(
                config.data_dir.join("files"),
                config.public_url.clone(),
                key.clone(),
            )
            .context(S::DATA_DIR.name)?,
        ),
        StorageConfig::Azure(s) => Arc::new(
            AzureStorage::connect(s)
                .await
                .with_context(|| format!("{}=azure", S::STORAGE.name))?,
        ),
    };
    Ok(app::server::storage::Observed::wrap(backend))
}

/// The database, the master key and the file storage (what `serve` and `worker` share).
pub async fn open_core_and_storage(config: Config) -> anyhow::Result<(Core, Storage)> {
    let core = open_core(config).await?;
    let storage = open_storage(&core.config, &core.master_key).await?;
    Ok((core, storage))
}

/// Everything the service runs with; `verifier` replaces the configured face engine.
pub async fn open_state(
    config: Config,
    verifier: Option<SharedVerifier>,
) -> anyhow::Result<AppState> {
    let (
        Core {
            config,
            db,
            master_key,
        },
        storage,
    ) = open_core_and_storage(config).await?;
    let verifier = match verifier {
        Some(v) => v,
        None => load_verifier(&config).await?,
    };
    let documents = app::server::document::Reader::new(&config.models_dir, config.media_timeout)
        .context(S::MODELS_DIR.name)?;
    // the process's metrics recorder (before anything counts)
    app::server::observe::handle();
    Ok(AppState {
        leptos_options: config.leptos.clone(),
        scoring_slots: Arc::new(Semaphore::new(config.scoring_concurrency)),
        webhook_notify: Arc::new(tokio::sync::Notify::new()),
        api_rate: Arc::new(app::server::limits::RateLimiter::new(
            app::server::limits::shared_store(&config, &db),
        )),
        ip_limits: Arc::new(app::server::limits::IpLimits::new(
            &config.guard,
            app::server::limits::shared_store(&config, &db),
        )),
        uploads: app::server::uploads::Uploads::new(&config.guard),
        spool: app::server::intake::SpoolBudget::new(config.guard.spool_max_bytes),
        media_slots: Arc::new(Semaphore::new(config.guard.media_concurrency)),
        config: Arc::new(config),
        db,
        master_key,
        storage,
        verifier,
        documents,
    })
}

/// The local face engine, models loaded once (readiness waits for them).
pub async fn load_verifier(config: &Config) -> anyhow::Result<SharedVerifier> {
    let thresholds = Thresholds {
        match_at: config.match_threshold,
        mismatch_below: config.mismatch_threshold,
        ..Default::default()
    };
    let (dir, timeout, threads) = (
        config.models_dir.clone(),
        config.media_timeout,
        config.scoring_concurrency,
    );
    let verifier = tokio::task::spawn_blocking(move || {
        LocalVerifier::load(&dir, thresholds, timeout, threads)
    })
    .await?
    .context(S::MODELS_DIR.name)?;
    let verifier = match &config.openai {
        Some(openai) => verifier.with_remote(
            app::server::verify::openai::VisionClient::new(openai)
                .context(S::OPENAI_BASE_URL.name)?,
            config.verifier_mode,
        ),
        None => verifier,
    };
    Ok(Arc::new(verifier))
}

pub struct Application {
    listener: TcpListener,
    /// `IDV_METRICS_ADDR`: `GET /metrics` on its own address.
    metrics_listener: Option<TcpListener>,
    router: axum::Router,
    state: AppState,
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        Self::build_with(config, None).await
    }

    /// As [`Application::build`], with another scoring backend (tests use a failing one).
    pub async fn build_with(
        mut config: Config,
        verifier: Option<SharedVerifier>,
    ) -> anyhow::Result<Self> {
        let addr = config.leptos.site_addr;
        let listener = TcpListener::bind(addr).await.map_err(|e| {
            let why = if e.kind() == std::io::ErrorKind::AddrInUse {
                "is already in use".to_string()
            } else {
                e.to_string()
            };
            anyhow::anyhow!("{}: cannot listen on {addr}: {why}", S::SITE_ADDR.name)
        })?;
        config.set_bound_addr(listener.local_addr()?);
        let metrics_listener = match config.metrics.addr {
            Some(addr) => Some(TcpListener::bind(addr).await.map_err(|e| {
                anyhow::anyhow!("{}: cannot listen on {addr}: {e}", S::METRICS_ADDR.name)
            })?),
            None => None,
        };
        let state = open_state(config, verifier).await?;
        // spool files a crash left behind (a live upload writes at least every few seconds)
        let swept = app::server::intake::sweep_spool(
            &state.config.data_dir.join("tmp"),
            std::time::Duration::from_secs(600),
        );
        if swept > 0 {
            tracing::info!(
                files = swept,
                "deleted upload spool files left by an earlier run"
            );
        }
        let router = routes::router(state.clone());
        Ok(Self {
            listener,
            metrics_listener,
            router,
            state,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// The metrics address, when `IDV_METRICS_ADDR` is set.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_listener
            .as_ref()
            .and_then(|l| l.local_addr().ok())
    }

    pub fn port(&self) -> u16 {
        self.local_addr().port()
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until SIGINT or SIGTERM, then finishes in-flight requests.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `stop` resolves; in-flight requests get `IDV_SHUTDOWN_TIMEOUT` to finish.
    pub async fn run_until(
        self,
        stop: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let grace = self.state.config.shutdown_timeout;
        let sweeper = retention::spawn_sweeper(
            self.state.clone(),
            self.state.config.retention_sweep_interval,
        );
        let dispatcher = if self.state.config.webhooks.dispatch {
            let d = Dispatcher::new(
                &self.state.config,
                self.state.db.clone(),
                self.state.master_key.clone(),
                self.state.storage.clone(),
                self.state.webhook_notify.clone(),
            )?;
            Some(tokio::spawn(Arc::new(d).run()))
        } else {
            None
        };
        let metrics = self.metrics_listener.map(|l| {
            tokio::spawn(async move {
                if let Err(e) = axum::serve(l, app::server::observe::metrics_router()).await {
                    tracing::error!(error = %e, "the metrics listener stopped");
                }
            })
        });
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let serve = http::serve(
            self.listener,
            self.router,
            self.state.config.guard.header_read_timeout,
            async move {
                stop.await;
                tracing::info!("shutting down: finishing in-flight requests");
                let _ = tx.send(());
            },
        );
        let server = tokio::spawn(serve);
        let abort = server.abort_handle();
        tokio::select! {
            res = server => res.context("server task")?,
            _ = async { let _ = rx.await; tokio::time::sleep(grace).await } => {
                tracing::warn!(grace_secs = grace.as_secs(), "in-flight requests did not finish in time");
                abort.abort();
            }
        }
        sweeper.abort();
        if let Some(m) = metrics {
            m.abort();
        }
        if let Some(d) = dispatcher {
            // deliveries in flight keep their lease and are retried by the next dispatcher
            d.abort();
        }
        self.state.db.pool.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// `idv worker`: webhook delivery without the HTTP service or the face model, until `stop`
/// (SIGINT/SIGTERM from the CLI). Scale deliveries out with more workers; every `idv serve`
/// also delivers unless `IDV_WEBHOOK_DISPATCH=false`.
pub async fn run_worker(
    config: Config,
    stop: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    // a worker's metrics (its webhook attempts) on IDV_METRICS_ADDR; it has no other listener
    let metrics = match config.metrics.addr {
        Some(addr) => {
            let l = TcpListener::bind(addr).await.map_err(|e| {
                anyhow::anyhow!("{}: cannot listen on {addr}: {e}", S::METRICS_ADDR.name)
            })?;
            app::server::observe::handle();
            Some(tokio::spawn(async move {
                if let Err(e) = axum::serve(l, app::server::observe::metrics_router()).await {
                    tracing::error!(error = %e, "the metrics listener stopped");
                }
            }))
        }
        None => None,
    };
    let (core, storage) = open_core_and_storage(config).await?;
    let dispatcher = Arc::new(Dispatcher::new(
        &core.config,
        core.db.clone(),
        core.master_key.clone(),
        storage,
        Arc::new(tokio::sync::Notify::new()),
    )?);
    let run = tokio::spawn(dispatcher.run());
    stop.await;
    run.abort();
    if let Some(m) = metrics {
        m.abort();
    }
    core.db.pool.close().await;
    tracing::info!("worker stopped");
    Ok(())
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
