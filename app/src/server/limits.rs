//! Request budgets, per process: the partner API's per-key minute windows
//! (`IDV_API_RATE_LIMIT`), and the per-IP limits (`governor`'s keyed GCRA limiters) of
//! submissions, capture-page loads and dashboard sign-ins (`IDV_IP_*_PER_MINUTE`). The
//! middlewares that apply them live with their routes (`api_v1`, `guard`).

use std::{
    net::{IpAddr, Ipv6Addr},
    num::NonZeroU32,
};

use governor::{
    Quota, RateLimiter as Gcra, clock::Clock, clock::DefaultClock,
    state::keyed::DefaultKeyedStateStore,
};

use super::{config::GuardConfig, error::AppError};

/// Per-key request budget for the partner API: a fixed one-minute window per key (keyed by the
/// SHA-256 of the presented key, so unknown keys are limited too), per process.
#[derive(Debug, Default)]
pub struct RateLimiter {
    windows: std::sync::Mutex<std::collections::HashMap<String, (u64, u32)>>,
}

impl RateLimiter {
    /// `Ok(remaining)` or `Err(seconds until the window resets)`; also the reset time.
    pub fn take(&self, key: &str, limit: u32) -> (Result<u32, u64>, u64) {
        let now = super::db::now_ms().max(0) as u64 / 1000;
        let window = now / 60;
        let reset = (window + 1) * 60 - now;
        let id = super::crypto::sha256_hex(key.as_bytes());
        let mut map = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 10_000 {
            map.retain(|_, (w, _)| *w == window);
        }
        let entry = map.entry(id).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        if entry.1 >= limit {
            return (Err(reset), reset);
        }
        entry.1 += 1;
        (Ok(limit - entry.1), reset)
    }
}

/// The limiter key of an address: IPv6 clients by their /64 (one subscriber's network).
fn limiter_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        v4 => v4,
    }
}

/// The request kinds limited per IP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limited {
    Submit,
    Page,
    SignIn,
}

type KeyedLimiter = Gcra<IpAddr, DefaultKeyedStateStore<IpAddr>, DefaultClock>;

/// Per-IP limiters, one per [`Limited`] kind, per process.
pub struct IpLimits {
    submit: KeyedLimiter,
    page: KeyedLimiter,
    sign_in: KeyedLimiter,
    submit_rate: u32,
    page_rate: u32,
    sign_in_rate: u32,
}

impl std::fmt::Debug for IpLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IpLimits")
            .field("submit_per_minute", &self.submit_rate)
            .field("page_per_minute", &self.page_rate)
            .field("sign_in_per_minute", &self.sign_in_rate)
            .finish()
    }
}

fn per_minute(n: u32) -> KeyedLimiter {
    Gcra::keyed(Quota::per_minute(
        NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN),
    ))
}

impl IpLimits {
    pub fn new(cfg: &GuardConfig) -> Self {
        Self {
            submit: per_minute(cfg.ip_submit_per_minute),
            page: per_minute(cfg.ip_page_per_minute),
            sign_in: per_minute(cfg.ip_sign_in_per_minute),
            submit_rate: cfg.ip_submit_per_minute,
            page_rate: cfg.ip_page_per_minute,
            sign_in_rate: cfg.ip_sign_in_per_minute,
        }
    }

    /// Takes one request of `kind` from `ip`'s budget, or says how long to wait.
    pub fn check(&self, kind: Limited, ip: IpAddr) -> Result<(), AppError> {
        let (limiter, rate, what) = match kind {
            Limited::Submit => (&self.submit, self.submit_rate, "submissions"),
            Limited::Page => (&self.page, self.page_rate, "verification page loads"),
            Limited::SignIn => (&self.sign_in, self.sign_in_rate, "sign-in attempts"),
        };
        limiter.check_key(&limiter_key(ip)).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            AppError::TooManyRequests {
                message: format!(
                    "Too many {what} from this address (at most {rate} a minute); retry after {} s",
                    secs.max(1)
                ),
                retry_after_secs: secs.max(1),
            }
        })
    }

    /// Forgets addresses whose budget is full again (bounded memory); the sweeper calls it.
    pub fn forget_idle(&self) {
        self.submit.retain_recent();
        self.page.retain_recent();
        self.sign_in.retain_recent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn ipv6_clients_share_their_slash_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        assert_eq!(limiter_key(a), limiter_key(b));
    }

    #[test]
    fn a_limit_refuses_with_a_wait() {
        let cfg = GuardConfig {
            spool_max_bytes: 1,
            max_concurrent_uploads: 1,
            media_concurrency: 1,
            header_read_timeout: Duration::from_secs(1),
            body_min_rate: 1,
            body_rate_window: Duration::from_secs(1),
            ip_submit_per_minute: 2,
            ip_page_per_minute: 1,
            ip_sign_in_per_minute: 1,
            trusted_proxies: vec![],
            ip_limits_exempt: vec![],
        };
        let l = IpLimits::new(&cfg);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        l.check(Limited::Submit, ip).unwrap();
        l.check(Limited::Submit, ip).unwrap();
        let e = l.check(Limited::Submit, ip).unwrap_err();
        assert_eq!(e.status(), axum::http::StatusCode::TOO_MANY_REQUESTS);
        assert!(e.retry_after().is_some_and(|s| (1..=60).contains(&s)));
        // other kinds and other addresses have their own budgets
        l.check(Limited::Page, ip).unwrap();
        l.check(Limited::Submit, "192.0.2.2".parse().unwrap())
            .unwrap();
    }
}
