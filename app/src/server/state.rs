//! The one shared state of the running service.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use tokio::sync::Semaphore;

use super::{config::Config, crypto::MasterKey, db::Db, storage::Storage, verify::SharedVerifier};

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Db,
    pub master_key: MasterKey,
    pub leptos_options: LeptosOptions,
    pub storage: Storage,
    pub verifier: SharedVerifier,
    /// Reads identity documents (the MRZ model and Tesseract, checked at start).
    pub documents: super::document::Reader,
    /// Submissions being scored at once (IDV_SCORING_CONCURRENCY).
    pub scoring_slots: Arc<Semaphore>,
    /// Wakes this process's webhook dispatcher when a check commits.
    pub webhook_notify: Arc<tokio::sync::Notify>,
    /// Partner API request budgets (IDV_API_RATE_LIMIT).
    pub api_rate: Arc<super::limits::RateLimiter>,
    /// Per-IP limits of submissions, page loads and sign-ins (IDV_IP_*_PER_MINUTE).
    pub ip_limits: Arc<super::limits::IpLimits>,
    /// Uploads received at once: per address, authenticated, unauthenticated.
    pub uploads: Arc<super::uploads::Uploads>,
    /// Disk held by uploads being received (IDV_SPOOL_MAX_BYTES).
    pub spool: Arc<super::intake::SpoolBudget>,
    /// ffprobe/ffmpeg probes and image decodes at once (IDV_MEDIA_CONCURRENCY).
    pub media_slots: Arc<Semaphore>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("db", &self.db)
            .field("storage", &self.storage)
            .finish_non_exhaustive()
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(s: &AppState) -> Self {
        s.leptos_options.clone()
    }
}
