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

/// Per-key request budget for the partner API: a fixed one-minute window per key, keyed by the
/// id of the key the request authenticated with (so a key's spellings share one budget, and
/// only real keys have windows; requests without a valid key are limited per address,
/// [`Limited::Api`]).
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

    /// One request of the key `key_id` (an authenticated key's id): `Ok(remaining)` or
    /// `Err(seconds until the window resets)`; also the reset time.
    pub async fn take(
        &self,
        key_id: &str,
        limit: u32,
    ) -> Result<(Result<u32, u64>, u64), AppError> {
        let id = key_id.to_string();
        let (hits, now) = match &self.shared {
            // the window on the database's clock: one for every node, however theirs drift
            Some(db) => {
                let (hits, db_now): (i64, i64) = sqlx::query_as(&format!(
                    "INSERT INTO api_rate_windows (bucket, window_id, hits) \
                     VALUES ($1, {now} / 60000, 1) \
                     ON CONFLICT (bucket) DO UPDATE SET \
                       hits = CASE WHEN excluded.window_id > api_rate_windows.window_id \
                                   THEN 1 ELSE api_rate_windows.hits + 1 END, \
                       window_id = CASE WHEN excluded.window_id > api_rate_windows.window_id \
                                   THEN excluded.window_id ELSE api_rate_windows.window_id END \
                     RETURNING hits, {now}",
                    now = db.now_ms_sql()
                ))
                .bind(&id)
                .fetch_one(&db.pool)
                .await
                .map_err(|e| AppError::internal("counting an API request", e))?;
                (
                    u32::try_from(hits).unwrap_or(u32::MAX),
                    db_now.max(0) as u64 / 1000,
                )
            }
            None => {
                let now = now_ms().max(0) as u64 / 1000;
                let window = now / 60;
                let mut map = self.windows.lock().unwrap_or_else(|p| p.into_inner());
                if map.len() > 10_000 {
                    map.retain(|_, (w, _)| *w == window);
                }
                let entry = map.entry(id).or_insert((window, 0));
                if entry.0 != window {
                    *entry = (window, 0);
                }
                let hits = if entry.1 < limit {
                    entry.1 += 1;
                    entry.1
                } else {
                    limit.saturating_add(1)
                };
                (hits, now)
            }
        };
        let reset = (now / 60 + 1) * 60 - now;
        if hits > limit {
            super::observe::rate_limited("api_key");
            return Ok((Err(reset), reset));
        }
        Ok((Ok(limit - hits), reset))
    }
}

/// The database, when `config` shares the limits through it.
pub fn shared_store(config: &Config, db: &Db) -> Option<Db> {
    (config.rate_limits == RateLimitStore::Shared).then(|| db.clone())
}

/// The limiter key of an address: IPv6 clients by their /64 (one subscriber's network).
pub(super) fn limiter_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        v4 => v4,
    }
}

/// An IPv6 client's /48 (a site's delegation: 65,536 /64s), which shares [`WIDE_FACTOR`]
/// times one /64's budget; `None` for IPv4.
fn wide_key(ip: IpAddr) -> Option<IpAddr> {
    match ip {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            Some(IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], 0, 0, 0, 0, 0)))
        }
        IpAddr::V4(_) => None,
    }
}

/// A /48's budget against one /64's: a network that hands out many /64s gets a few
/// subscribers' worth, not 65,536 (a larger site that needs more goes in
/// `IDV_IP_LIMITS_EXEMPT`).
pub const WIDE_FACTOR: u32 = 16;

/// The request kinds limited per IP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limited {
    Submit,
    Page,
    SignIn,
    /// `/v1` requests without a valid key.
    Api,
}

impl Limited {
    /// The metric label and the shared bucket's prefix.
    fn label(self) -> &'static str {
        match self {
            Self::Submit => "ip_submit",
            Self::Page => "ip_page",
            Self::SignIn => "ip_sign_in",
            Self::Api => "ip_api",
        }
    }
}

type KeyedLimiter = Gcra<IpAddr, DefaultKeyedStateStore<IpAddr>, DefaultClock>;

/// One kind's budget a minute, and its limiters in this process: per address (an IPv6
/// client's /64) and per /48.
struct Local {
    rate: u32,
    narrow: KeyedLimiter,
    wide: KeyedLimiter,
}

impl Local {
    fn new(rate: u32) -> Self {
        Self {
            rate,
            narrow: per_minute(rate),
            wide: per_minute(rate.saturating_mul(WIDE_FACTOR)),
        }
    }

    fn retain_recent(&self) {
        self.narrow.retain_recent();
        self.wide.retain_recent();
    }
}

/// Per-IP limiters, one per [`Limited`] kind: in the database, or in this process.
pub struct IpLimits {
    shared: Option<Db>,
    submit: Local,
    page: Local,
    sign_in: Local,
    api: Local,
}

impl std::fmt::Debug for IpLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IpLimits")
            .field("shared", &self.shared.is_some())
            .field("submit_per_minute", &self.submit.rate)
            .field("page_per_minute", &self.page.rate)
            .field("sign_in_per_minute", &self.sign_in.rate)
            .field("api_per_minute", &self.api.rate)
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
            submit: Local::new(cfg.ip_submit_per_minute),
            page: Local::new(cfg.ip_page_per_minute),
            sign_in: Local::new(cfg.ip_sign_in_per_minute),
            api: Local::new(cfg.ip_api_per_minute),
        }
    }

    /// Takes one request of `kind` from `ip`'s budget (and, for IPv6, from its /48's), or says
    /// how long to wait.
    pub async fn check(&self, kind: Limited, ip: IpAddr) -> Result<(), AppError> {
        let (local, what) = match kind {
            Limited::Submit => (&self.submit, "submissions"),
            Limited::Page => (&self.page, "verification page loads"),
            Limited::SignIn => (&self.sign_in, "sign-in attempts"),
            Limited::Api => (&self.api, "API requests without a valid key"),
        };
        let rate = local.rate;
        let mut refused = self
            .take(kind, &local.narrow, limiter_key(ip), "", rate)
            .await?
            .map(|wait| (wait, "this address", rate));
        if refused.is_none()
            && let Some(wide) = wide_key(ip)
        {
            let wide_rate = rate.saturating_mul(WIDE_FACTOR);
            refused = self
                .take(kind, &local.wide, wide, "/48", wide_rate)
                .await?
                .map(|wait| (wait, "this network (/48)", wide_rate));
        }
        let Some((wait_ms, from, rate)) = refused else {
            return Ok(());
        };
        super::observe::rate_limited(kind.label());
        let secs = u64::try_from((wait_ms + 999) / 1000).unwrap_or(1).max(1);
        Err(AppError::TooManyRequests {
            message: format!(
                "Too many {what} from {from} (at most {rate} a minute); retry after {secs} s"
            ),
            retry_after_secs: secs,
        })
    }

    /// One request from `key`'s budget of `rate` a minute: `None` allowed, else the wait in ms.
    async fn take(
        &self,
        kind: Limited,
        local: &KeyedLimiter,
        key: IpAddr,
        suffix: &str,
        rate: u32,
    ) -> Result<Option<i64>, AppError> {
        Ok(match &self.shared {
            Some(db) => shared_gcra(db, &format!("{}:{key}{suffix}", kind.label()), rate).await?,
            None => local.check_key(&key).err().map(|not_until| {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                i64::try_from(wait.as_millis()).unwrap_or(PERIOD_MS)
            }),
        })
    }

    /// Forgets addresses whose budget is full again (bounded memory); the sweeper calls it.
    pub async fn forget_idle(&self) -> Result<(), sqlx::Error> {
        self.submit.retain_recent();
        self.page.retain_recent();
        self.sign_in.retain_recent();
        self.api.retain_recent();
        if let Some(db) = &self.shared {
            let now = db.now_ms_sql();
            sqlx::query(&format!("DELETE FROM ip_rate_limits WHERE tat < {now}"))
                .execute(&db.pool)
                .await?;
            sqlx::query(&format!(
                "DELETE FROM api_rate_windows WHERE window_id < {now} / 60000"
            ))
            .execute(&db.pool)
            .await?;
        }
        Ok(())
    }
}

/// One request against a shared GCRA bucket in one statement, on the database's clock (every
/// node's requests measured by one clock: a node whose own runs fast cannot lock the others'
/// clients out): the theoretical arrival time moves on by `60 s / rate` when that stays within
/// a minute of now; otherwise nothing changes and the answer is how long until it would.
/// `None`: allowed.
async fn shared_gcra(db: &Db, bucket: &str, rate: u32) -> Result<Option<i64>, AppError> {
    let step = (PERIOD_MS / i64::from(rate.max(1))).max(1);
    let now = db.now_ms_sql();
    let fail = |e| AppError::internal("counting a request against a per-IP limit", e);
    let taken: Option<i64> = sqlx::query_scalar(&format!(
        "INSERT INTO ip_rate_limits (bucket, tat) VALUES ($1, {now} + $2) \
         ON CONFLICT (bucket) DO UPDATE SET \
           tat = (CASE WHEN ip_rate_limits.tat > {now} THEN ip_rate_limits.tat ELSE {now} END) + $2 \
         WHERE (CASE WHEN ip_rate_limits.tat > {now} THEN ip_rate_limits.tat ELSE {now} END) + $2 - {now} <= $3 \
         RETURNING tat"
    ))
    .bind(bucket)
    .bind(step)
    .bind(PERIOD_MS)
    .fetch_optional(&db.pool)
    .await
    .map_err(fail)?;
    if taken.is_some() {
        return Ok(None);
    }
    // how far the bucket's time runs ahead of the database's now
    let ahead: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT tat - {now} FROM ip_rate_limits WHERE bucket = $1"
    ))
    .bind(bucket)
    .fetch_optional(&db.pool)
    .await
    .map_err(fail)?;
    Ok(Some((ahead.unwrap_or(0) + step - PERIOD_MS).max(1)))
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

    /// A /48 is 65,536 /64s: each has its own budget, and together they share
    /// `WIDE_FACTOR` times one.
    #[tokio::test]
    async fn ipv6_clients_of_one_slash_48_share_a_wider_budget() {
        let l = IpLimits::new(&guard(1), None);
        for n in 0..WIDE_FACTOR {
            let ip: IpAddr = format!("2001:db8:7:{n:x}::1").parse().unwrap();
            l.check(Limited::Submit, ip).await.unwrap();
            // the /64's own budget is spent
            let e = l.check(Limited::Submit, ip).await.unwrap_err();
            assert!(e.public_message().contains("this address"));
        }
        let e = l
            .check(Limited::Submit, "2001:db8:7:ffff::1".parse().unwrap())
            .await
            .unwrap_err();
        assert_eq!(e.status(), axum::http::StatusCode::TOO_MANY_REQUESTS);
        assert!(e.public_message().contains("this network (/48)"));
        // another /48, and IPv4, are untouched
        l.check(Limited::Submit, "2001:db8:8::1".parse().unwrap())
            .await
            .unwrap();
        l.check(Limited::Submit, "192.0.2.9".parse().unwrap())
            .await
            .unwrap();
    }

    fn guard(submit_per_minute: u32) -> GuardConfig {
        GuardConfig {
            spool_max_bytes: 1,
            max_concurrent_uploads: 1,
            max_unauthenticated_uploads: 1,
            max_uploads_per_address: 1,
            media_concurrency: 1,
            header_read_timeout: Duration::from_secs(1),
            body_min_rate: 1,
            body_rate_window: Duration::from_secs(1),
            body_timeout: Duration::from_secs(1),
            ip_submit_per_minute: submit_per_minute,
            ip_page_per_minute: 1,
            ip_sign_in_per_minute: 1,
            ip_api_per_minute: 1,
            trusted_proxies: vec![],
            ip_limits_exempt: vec![],
        }
    }

    #[tokio::test]
    async fn a_limit_refuses_with_a_wait() {
        let l = IpLimits::new(&guard(2), None);
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
