//! Request budgets: the partner API's per-key minute windows (`IDV_API_RATE_LIMIT`), and the
//! per-IP limits (GCRA, like `governor`'s) of submissions, capture-page loads and dashboard
//! sign-ins (`IDV_IP_*_PER_MINUTE`). By default (`IDV_RATE_LIMITS=shared`) they are counted in
//! the database, one atomic upsert per request, so every node behind a load balancer takes from
//! the same budget; `process` keeps them in each node's memory (N nodes allow N times each
//! limit). The middlewares that apply them live with their routes (`api_v1`, `guard`).

use std::{
    net::{IpAddr, Ipv6Addr},
    num::NonZeroU32,
};

use governor::{
    Quota, RateLimiter as Gcra, clock::Clock, clock::DefaultClock,
    state::keyed::DefaultKeyedStateStore,
};

use super::{
    config::{Config, GuardConfig, RateLimitStore},
    db::{Db, now_ms},
    error::AppError,
};

/// Per-key request budget for the partner API: a fixed one-minute window per key (keyed by the
/// SHA-256 of the presented key, so unknown keys are limited too).
#[derive(Debug)]
pub struct RateLimiter {
    /// `Some` when the windows are shared through the database.
    shared: Option<Db>,
    windows: std::sync::Mutex<std::collections::HashMap<String, (u64, u32)>>,
}

impl RateLimiter {
    /// `shared`: the database when the windows are shared (`IDV_RATE_LIMITS=shared`).
    pub fn new(shared: Option<Db>) -> Self {
        Self {
            shared,
            windows: Default::default(),
        }
    }

    /// `Ok(remaining)` or `Err(seconds until the window resets)`; also the reset time.
    pub async fn take(&self, key: &str, limit: u32) -> Result<(Result<u32, u64>, u64), AppError> {
        let now = now_ms().max(0) as u64 / 1000;
        let window = now / 60;
        let reset = (window + 1) * 60 - now;
        let id = super::crypto::sha256_hex(key.as_bytes());
        // a shared window is a row: only for what could be a secret key, so that made-up
        // headers cannot write rows at will (they get the process's window, then 401)
        let shared = self.shared.as_ref().filter(|_| could_be_secret_key(key));
        let hits = match shared {
            Some(db) => {
                let hits: i64 = sqlx::query_scalar(
                    "INSERT INTO api_rate_windows (bucket, window_id, hits) VALUES ($1, $2, 1) \
                     ON CONFLICT (bucket) DO UPDATE SET \
                       hits = CASE WHEN excluded.window_id > api_rate_windows.window_id \
                                   THEN 1 ELSE api_rate_windows.hits + 1 END, \
                       window_id = CASE WHEN excluded.window_id > api_rate_windows.window_id \
                                   THEN excluded.window_id ELSE api_rate_windows.window_id END \
                     RETURNING hits",
                )
                .bind(&id)
                .bind(window as i64)
                .fetch_one(&db.pool)
                .await
                .map_err(|e| AppError::internal("counting an API request", e))?;
                u32::try_from(hits).unwrap_or(u32::MAX)
            }
            None => {
                let mut map = self.windows.lock().unwrap_or_else(|p| p.into_inner());
                if map.len() > 10_000 {
                    map.retain(|_, (w, _)| *w == window);
                }
                let entry = map.entry(id).or_insert((window, 0));
                if entry.0 != window {
                    *entry = (window, 0);
                }
                if entry.1 < limit {
                    entry.1 += 1;
                    entry.1
                } else {
                    limit.saturating_add(1)
                }
            }
        };
        if hits > limit {
            super::observe::rate_limited("api_key");
            return Ok((Err(reset), reset));
        }
        Ok((Ok(limit - hits), reset))
    }
}

/// `Bearer idv_sk_live_…` / `Bearer idv_sk_test_…` of a plausible length.
fn could_be_secret_key(header: &str) -> bool {
    let Some(key) = header.strip_prefix("Bearer ") else {
        return false;
    };
    (key.starts_with("idv_sk_live_") || key.starts_with("idv_sk_test_"))
        && (20..=128).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The database, when `config` shares the limits through it.
pub fn shared_store(config: &Config, db: &Db) -> Option<Db> {
    (config.rate_limits == RateLimitStore::Shared).then(|| db.clone())
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

impl Limited {
    /// The metric label and the shared bucket's prefix.
    fn label(self) -> &'static str {
        match self {
            Self::Submit => "ip_submit",
            Self::Page => "ip_page",
            Self::SignIn => "ip_sign_in",
        }
    }
}

type KeyedLimiter = Gcra<IpAddr, DefaultKeyedStateStore<IpAddr>, DefaultClock>;

/// Per-IP limiters, one per [`Limited`] kind: in the database, or in this process.
pub struct IpLimits {
    shared: Option<Db>,
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
            .field("shared", &self.shared.is_some())
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

/// The GCRA's period: a budget of `rate` a minute is full again a minute after it was spent.
const PERIOD_MS: i64 = 60_000;

impl IpLimits {
    /// `shared`: the database when the limits are shared (`IDV_RATE_LIMITS=shared`).
    pub fn new(cfg: &GuardConfig, shared: Option<Db>) -> Self {
        Self {
            shared,
            submit: per_minute(cfg.ip_submit_per_minute),
            page: per_minute(cfg.ip_page_per_minute),
            sign_in: per_minute(cfg.ip_sign_in_per_minute),
            submit_rate: cfg.ip_submit_per_minute,
            page_rate: cfg.ip_page_per_minute,
            sign_in_rate: cfg.ip_sign_in_per_minute,
        }
    }

    /// Takes one request of `kind` from `ip`'s budget, or says how long to wait.
    pub async fn check(&self, kind: Limited, ip: IpAddr) -> Result<(), AppError> {
        let (limiter, rate, what) = match kind {
            Limited::Submit => (&self.submit, self.submit_rate, "submissions"),
            Limited::Page => (&self.page, self.page_rate, "verification page loads"),
            Limited::SignIn => (&self.sign_in, self.sign_in_rate, "sign-in attempts"),
        };
        let wait_ms = match &self.shared {
            Some(db) => shared_gcra(db, kind, limiter_key(ip), rate).await?,
            None => limiter.check_key(&limiter_key(ip)).err().map(|not_until| {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                i64::try_from(wait.as_millis()).unwrap_or(PERIOD_MS)
            }),
        };
        let Some(wait_ms) = wait_ms else {
            return Ok(());
        };
        super::observe::rate_limited(kind.label());
        let secs = u64::try_from((wait_ms + 999) / 1000).unwrap_or(1).max(1);
        Err(AppError::TooManyRequests {
            message: format!(
                "Too many {what} from this address (at most {rate} a minute); retry after {secs} s"
            ),
            retry_after_secs: secs,
        })
    }

    /// Forgets addresses whose budget is full again (bounded memory); the sweeper calls it.
    pub async fn forget_idle(&self) -> Result<(), sqlx::Error> {
        self.submit.retain_recent();
        self.page.retain_recent();
        self.sign_in.retain_recent();
        if let Some(db) = &self.shared {
            let now = now_ms();
            sqlx::query("DELETE FROM ip_rate_limits WHERE tat < $1")
                .bind(now)
                .execute(&db.pool)
                .await?;
            sqlx::query("DELETE FROM api_rate_windows WHERE window_id < $1")
                .bind(now / 1000 / 60)
                .execute(&db.pool)
                .await?;
        }
        Ok(())
    }
}

/// One request against a shared GCRA bucket in one statement: the theoretical arrival time
/// moves on by `60 s / rate` when that stays within a minute of now; otherwise nothing changes
/// and the answer is how long until it would. `None`: allowed.
async fn shared_gcra(
    db: &Db,
    kind: Limited,
    ip: IpAddr,
    rate: u32,
) -> Result<Option<i64>, AppError> {
    let step = (PERIOD_MS / i64::from(rate.max(1))).max(1);
    let bucket = format!("{}:{ip}", kind.label());
    let now = now_ms();
    let fail = |e| AppError::internal("counting a request against a per-IP limit", e);
    let taken: Option<i64> = sqlx::query_scalar(
        "INSERT INTO ip_rate_limits (bucket, tat) VALUES ($1, $2 + $3) \
         ON CONFLICT (bucket) DO UPDATE SET \
           tat = (CASE WHEN ip_rate_limits.tat > $2 THEN ip_rate_limits.tat ELSE $2 END) + $3 \
         WHERE (CASE WHEN ip_rate_limits.tat > $2 THEN ip_rate_limits.tat ELSE $2 END) + $3 - $2 <= $4 \
         RETURNING tat",
    )
    .bind(&bucket)
    .bind(now)
    .bind(step)
    .bind(PERIOD_MS)
    .fetch_optional(&db.pool)
    .await
    .map_err(fail)?;
    if taken.is_some() {
        return Ok(None);
    }
    let tat: i64 = sqlx::query_scalar("SELECT tat FROM ip_rate_limits WHERE bucket = $1")
        .bind(&bucket)
        .fetch_optional(&db.pool)
        .await
        .map_err(fail)?
        .unwrap_or(now);
    Ok(Some((tat + step - PERIOD_MS - now).max(1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn only_a_plausible_secret_key_gets_a_shared_window() {
        let key = format!("Bearer idv_sk_live_{}", "ab".repeat(24));
        assert!(could_be_secret_key(&key));
        assert!(could_be_secret_key(&key.replace("live", "test")));
        for other in [
            "",
            "Bearer x",
            "Basic abc",
            "Bearer idv_live_abc",
            &format!("{key}!"),
            &format!("Bearer idv_sk_live_{}", "a".repeat(200)),
        ] {
            assert!(!could_be_secret_key(other), "{other}");
        }
    }

    #[test]
    fn ipv6_clients_share_their_slash_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        assert_eq!(limiter_key(a), limiter_key(b));
    }

    #[tokio::test]
    async fn a_limit_refuses_with_a_wait() {
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
        let l = IpLimits::new(&cfg, None);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        l.check(Limited::Submit, ip).await.unwrap();
        l.check(Limited::Submit, ip).await.unwrap();
        let e = l.check(Limited::Submit, ip).await.unwrap_err();
        assert_eq!(e.status(), axum::http::StatusCode::TOO_MANY_REQUESTS);
        assert!(e.retry_after().is_some_and(|s| (1..=60).contains(&s)));
        // other kinds and other addresses have their own budgets
        l.check(Limited::Page, ip).await.unwrap();
        l.check(Limited::Submit, "192.0.2.2".parse().unwrap())
            .await
            .unwrap();
    }
}
