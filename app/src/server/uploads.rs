//! Uploads received at once, and from whom:
//!
//! - per client address (an IPv6 client's /64): at most `IDV_MAX_UPLOADS_PER_ADDRESS`
//!   submissions and live recordings in progress, else 429 (taken by `guard::limit_by_ip`);
//! - per process, in two pools: uploads whose credentials came before their files and were
//!   accepted (`IDV_MAX_CONCURRENT_UPLOADS`), and, separately, the few whose files came first
//!   (`IDV_MAX_UNAUTHENTICATED_UPLOADS`; the guide fixes no field order), else 503. Bodies
//!   nobody has authenticated, however slowly they arrive, never hold an authenticated
//!   upload's slot.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{Arc, Mutex},
};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::error::AppError;

/// How many uploads the process receives at once, and from whom.
#[derive(Debug)]
pub struct Uploads {
    /// Uploads whose credentials came before their files and were accepted.
    authenticated: Arc<Semaphore>,
    /// Uploads whose first file came before any credentials (the guide fixes no field order,
    /// so they are taken, but only this many at once).
    unauthenticated: Arc<Semaphore>,
    per_address_cap: usize,
    /// Uploads in progress per client address (an IPv6 client's /64); no entry at zero.
    per_address: Mutex<HashMap<IpAddr, usize>>,
}

/// One of an address's upload places, given back when dropped.
#[derive(Debug)]
pub struct AddressPermit {
    uploads: Arc<Uploads>,
    key: IpAddr,
}

impl Drop for AddressPermit {
    fn drop(&mut self) {
        let mut held = self
            .uploads
            .per_address
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(n) = held.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                held.remove(&self.key);
            }
        }
    }
}

/// Retry-After of a refused upload, in seconds.
const UPLOAD_RETRY_SECS: u64 = 10;

impl Uploads {
    pub fn new(cfg: &super::config::GuardConfig) -> Arc<Self> {
        Arc::new(Self {
            authenticated: Arc::new(Semaphore::new(cfg.max_concurrent_uploads)),
            unauthenticated: Arc::new(Semaphore::new(cfg.max_unauthenticated_uploads)),
            per_address_cap: cfg.max_uploads_per_address,
            per_address: Mutex::new(HashMap::new()),
        })
    }

    /// One of `ip`'s places (`IDV_MAX_UPLOADS_PER_ADDRESS`), else 429 with `Retry-After`.
    pub fn for_address(self: &Arc<Self>, ip: IpAddr) -> Result<AddressPermit, AppError> {
        let key = super::limits::limiter_key(ip);
        let mut held = self
            .per_address
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let n = held.entry(key).or_insert(0);
        if *n >= self.per_address_cap {
            return Err(AppError::TooManyRequests {
                message: format!(
                    "Too many uploads at once from this address (at most {}); retry when one has finished",
                    self.per_address_cap
                ),
                retry_after_secs: UPLOAD_RETRY_SECS,
            });
        }
        *n += 1;
        Ok(AddressPermit {
            uploads: self.clone(),
            key,
        })
    }

    /// A slot for an upload whose credentials were accepted (`IDV_MAX_CONCURRENT_UPLOADS`),
    /// else 503 with `Retry-After`.
    pub fn authenticated(&self) -> Result<OwnedSemaphorePermit, AppError> {
        self.authenticated.clone().try_acquire_owned().map_err(|_| {
            super::observe::overloaded("uploads");
            AppError::Busy {
                message: "The service is receiving too many uploads at once; retry shortly".into(),
                retry_after_secs: UPLOAD_RETRY_SECS,
            }
        })
    }

    /// A slot for an upload whose files come before its credentials
    /// (`IDV_MAX_UNAUTHENTICATED_UPLOADS`), else 503 with `Retry-After` and the way around it.
    pub fn unauthenticated(&self) -> Result<OwnedSemaphorePermit, AppError> {
        self.unauthenticated.clone().try_acquire_owned().map_err(|_| {
            super::observe::overloaded("uploads");
            AppError::Busy {
                message: "The service is receiving too many uploads whose files come before their credentials; send api_key and user_identifier (or capture_token) before the files, or retry shortly".into(),
                retry_after_secs: UPLOAD_RETRY_SECS,
            }
        })
    }

    /// Authenticated upload slots free now (for the tests and the gauges).
    pub fn authenticated_free(&self) -> usize {
        self.authenticated.available_permits()
    }

    /// Slots for files before credentials free now.
    pub fn unauthenticated_free(&self) -> usize {
        self.unauthenticated.available_permits()
    }

    /// Uploads in progress from `ip`'s address (its /64 for IPv6).
    pub fn held_by(&self, ip: IpAddr) -> usize {
        let key = super::limits::limiter_key(ip);
        self.per_address
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&key)
            .copied()
            .unwrap_or(0)
    }
}
