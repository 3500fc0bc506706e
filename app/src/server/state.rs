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
    /// Submissions being scored at once (IDV_SCORING_CONCURRENCY).
    pub scoring_slots: Arc<Semaphore>,
    /// Wakes this process's webhook dispatcher when a check commits.
    pub webhook_notify: Arc<tokio::sync::Notify>,
    /// Partner API request budgets (IDV_API_RATE_LIMIT).
    pub api_rate: Arc<super::api_v1::RateLimiter>,
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
