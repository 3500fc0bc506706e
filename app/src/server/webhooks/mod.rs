//! Webhook delivery from the outbox.
//!
//! A completed check writes its `webhook_deliveries` row in the same transaction as the check
//! (`checks::insert`); nothing is sent from the request handler. Dispatchers (inside every
//! `idv serve`, and `idv worker`) claim due rows with a lease, PostgreSQL with
//! `FOR UPDATE SKIP LOCKED`, SQLite with one `UPDATE … RETURNING`, so a row is attempted by one
//! process at a time and a row claimed by a process that died is claimed again when its lease
//! runs out (at-least-once). Each attempt is one POST of the guide's payload, signed the
//! Standard Webhooks way, cut at `IDV_WEBHOOK_TIMEOUT`; it is recorded in `webhook_attempts`
//! together with the row's new state in one transaction. Failures are retried on
//! `IDV_WEBHOOK_RETRY_SCHEDULE` with jitter, `Retry-After` honoured on 429 and 503.

pub mod sign;
pub mod ssrf;

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use rand::Rng;
use tokio::sync::{Notify, Semaphore};

use super::{
    checks::{self, CheckRecord, rfc3339_ms},
    config::{Config, WebhookConfig},
    crypto::MasterKey,
    db::{Db, now_ms},
    outbox::{self, Claimed, Event},
    partners::{self, KeyMode},
    storage::Storage,
};

pub const USER_AGENT: &str = "IdentityVerification/1.0";
/// Response bytes kept per attempt.
const EXCERPT_BYTES: usize = 1024;
/// Rows claimed per query.
const BATCH: usize = 64;

/// Everything a dispatcher needs (no face model: `idv worker` runs without one).
pub struct Dispatcher {
    db: Db,
    master_key: MasterKey,
    storage: Storage,
    cfg: WebhookConfig,
    link_ttl: Duration,
    http: reqwest::Client,
    /// Who made an attempt (host, process, random), recorded with it.
    node: String,
    notify: Arc<Notify>,
}

/// What one attempt came to.
#[derive(Debug, Default)]
struct Attempt {
    status_code: Option<u16>,
    excerpt: Option<String>,
    error: Option<String>,
    retry_after: Option<Duration>,
    delivered: bool,
    /// A final state without retries (`skipped`: the partner has no webhook URL).
    terminal: Option<&'static str>,
}

/// This process's name in attempt records: opaque (`node-` and 8 hex digits), so partners who
/// read their attempts never learn host names; the start-up log line maps it to the host and
/// process id for the operator.
fn node_name() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "node".into());
    let salt = rand::thread_rng().r#gen::<u64>();
    let pid = std::process::id();
    let name = format!(
        "node-{}",
        &super::crypto::sha256_hex(format!("{host}:{pid}:{salt}").as_bytes())[..8]
    );
    tracing::info!(node = %name, host = %host, pid, "webhook node name");
    name
}

/// The body of `verification.completed` and `verification.reviewed`: the guide's payload
/// (field for field), plus `type` and `livemode`; the guide's `result` object carries our extra
/// fields (`method`, `summary`, `riskFactors`, `files`).
#[derive(Debug, serde::Serialize)]
pub struct CheckEvent<'a> {
    #[serde(rename = "type")]
    pub event: &'static str,
    pub check_id: &'a str,
    pub user_identifier: &'a str,
    pub livemode: bool,
    pub verification_result: &'a crate::contract::VerificationResult,
    pub selfie_video_url: &'a str,
    pub id_photo_url: &'a str,
    pub completed_at: String,
}

/// The body of `verification.redacted`: which check, and when; nothing else is left to send.
#[derive(Debug, serde::Serialize)]
pub struct RedactedEvent<'a> {
    #[serde(rename = "type")]
    pub event: &'static str,
    pub check_id: &'a str,
    pub user_identifier: &'a str,
    pub livemode: bool,
    pub redacted_at: Option<String>,
}

pub fn payload<'a>(
    event: Event,
    c: &'a CheckRecord,
    result: &'a crate::contract::VerificationResult,
) -> CheckEvent<'a> {
    CheckEvent {
        event: event.as_str(),
        check_id: &c.id,
        user_identifier: &c.user_identifier,
        livemode: c.livemode,
        verification_result: result,
        selfie_video_url: &result.files.selfie_video.url,
        id_photo_url: &result.files.id_photo.url,
        completed_at: rfc3339_ms(c.completed_at),
    }
}

impl Dispatcher {
    pub fn new(
        config: &Config,
        db: Db,
        master_key: MasterKey,
        storage: Storage,
        notify: Arc<Notify>,
    ) -> anyhow::Result<Self> {
        let cfg = config.webhooks.clone();
        let http = reqwest::Client::builder()
            .timeout(cfg.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .user_agent(USER_AGENT)
            .dns_resolver(Arc::new(ssrf::GuardedResolver {
                allow: cfg.allowed_cidrs.clone(),
            }))
            .pool_max_idle_per_host(cfg.concurrency)
            .build()?;
        Ok(Self {
            db,
            master_key,
            storage,
            link_ttl: config.link_ttl,
            cfg,
            http,
            node: node_name(),
            notify,
        })
    }

    fn lease_ms(&self) -> i64 {
        (self.cfg.timeout + Duration::from_secs(15)).as_millis() as i64
    }

    /// Claims up to `limit` due deliveries for this process.
    pub async fn claim(&self, limit: usize) -> Result<Vec<Claimed>, sqlx::Error> {
        outbox::claim(&self.db, limit, self.lease_ms()).await
    }

    /// Makes one attempt and records it with the delivery's new state.
    #[tracing::instrument(name = "webhook.attempt", skip_all, fields(check_id = %d.check_id, delivery_id = %d.id, attempt = d.attempts + 1))]
    pub async fn deliver(&self, d: &Claimed) -> anyhow::Result<()> {
        let started = now_ms();
        let t0 = Instant::now();
        let mut a = match self.attempt(d).await {
            Ok(a) => a,
            Err(e) => {
                // the partner reads attempt errors: the detail (database, storage, key) stays
                // in the server's log
                tracing::error!(delivery_id = %d.id, check_id = %d.check_id, error = format!("{e:#}"), "webhook attempt failed inside the service");
                Attempt {
                    error: Some(
                        "internal error of the service (logged with the delivery id)".into(),
                    ),
                    ..Default::default()
                }
            }
        };
        a.error = a.error.map(|e| ssrf::redact_addresses(&e));
        let duration_ms = t0.elapsed().as_millis() as i64;
        let number = d.attempts + 1;
        let now = now_ms();
        let schedule = &self.cfg.retry_schedule;
        let (status, next_at) = if a.delivered {
            ("delivered", now)
        } else if let Some(terminal) = a.terminal {
            (terminal, now)
        } else if let Some(delay) = schedule.get(number as usize) {
            let jitter = rand::thread_rng().gen_range(0.8..1.2);
            let mut wait = delay.mul_f64(jitter);
            if let Some(ra) = a.retry_after {
                wait = wait.max(ra.min(Duration::from_secs(24 * 3600)));
            }
            ("pending", now + wait.as_millis() as i64)
        } else {
            ("failed", now)
        };
        let updated = outbox::record_attempt(
            &self.db,
            d,
            &outbox::AttemptRecord {
                number,
                started_at: started,
                duration_ms,
                status_code: a.status_code,
                excerpt: a.excerpt.as_deref(),
                error: a.error.as_deref(),
                node: &self.node,
            },
            status,
            next_at,
            a.delivered.then_some(now),
        )
        .await?;
        crate::server::observe::webhook_attempt(
            match status {
                "delivered" => "delivered",
                "pending" => "retry",
                // no webhook URL (or events off): nothing to send, nothing failed
                "skipped" => "skipped",
                _ => "gave_up",
            },
            t0.elapsed(),
        );
        if updated == 0 {
            // at-least-once: the next owner may send it again (counted, bounded by the lease)
            metrics::counter!(crate::server::observe::WEBHOOK_LEASE_LOST).increment(1);
            tracing::warn!(delivery_id = %d.id, check_id = %d.check_id, "webhook attempt outlived its lease; another dispatcher owns the delivery now");
        }
        match status {
            "delivered" => {
                tracing::debug!(delivery_id = %d.id, check_id = %d.check_id, attempt = number, "webhook delivered")
            }
            "pending" => {
                tracing::info!(delivery_id = %d.id, check_id = %d.check_id, attempt = number, status_code = a.status_code, error = a.error.as_deref().unwrap_or(""), "webhook attempt failed; retry scheduled")
            }
            other => {
                tracing::warn!(delivery_id = %d.id, check_id = %d.check_id, attempt = number, final_status = other, error = a.error.as_deref().unwrap_or(""), "webhook delivery ended without success")
            }
        }
        Ok(())
    }

    async fn attempt(&self, d: &Claimed) -> anyhow::Result<Attempt> {
        let Some(partner) = partners::get(&self.db, &d.partner_id).await? else {
            anyhow::bail!("partner {} not found", d.partner_id);
        };
        let Some(check) = checks::get(&self.db, &d.partner_id, &d.check_id).await? else {
            return Ok(Attempt {
                error: Some(format!("check {} not found", d.check_id)),
                terminal: Some("failed"),
                ..Default::default()
            });
        };
        // the check's own mode's settings: a test key never steers live payloads
        let mode = KeyMode::from_livemode(check.livemode);
        let Some(url) = partner
            .settings(mode)
            .webhook_url
            .clone()
            .filter(|u| !u.is_empty())
        else {
            return Ok(Attempt {
                error: Some("the partner has no webhook URL".into()),
                terminal: Some("skipped"),
                ..Default::default()
            });
        };
        let url = url::Url::parse(&url)?;
        if let Err(refused) = ssrf::check_url(&url, &self.cfg.allowed_cidrs) {
            return Ok(Attempt {
                error: Some(refused),
                ..Default::default()
            });
        }
        let keys =
            partners::webhook_signing_secrets(&self.db, &self.master_key, &d.partner_id, mode)
                .await?
                .iter()
                .map(|s| sign::secret_key(s))
                .collect::<anyhow::Result<Vec<_>>>()?;
        let body = if d.event == Event::Redacted {
            serde_json::to_vec(&RedactedEvent {
                event: d.event.as_str(),
                check_id: &check.id,
                user_identifier: &check.user_identifier,
                livemode: check.livemode,
                redacted_at: check.redacted_at.map(rfc3339_ms),
            })?
        } else {
            let result = checks::to_result(&check, &self.storage, self.link_ttl).await?;
            serde_json::to_vec(&payload(d.event, &check, &result))?
        };
        let timestamp = now_ms() / 1000;
        let signature = sign::header(&keys, &d.id, timestamp, &body);
        let sent = self
            .http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("webhook-id", &d.id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body)
            .send()
            .await;
        let mut resp = match sent {
            Ok(r) => r,
            Err(e) => {
                let error = if e.is_timeout() {
                    format!("timed out after {:?}", self.cfg.timeout)
                } else {
                    super::error::reqwest_error_text(&e)
                };
                return Ok(Attempt {
                    error: Some(error),
                    ..Default::default()
                });
            }
        };
        let status = resp.status();
        let mut excerpt = Vec::new();
        let mut body_error = None;
        while excerpt.len() < EXCERPT_BYTES {
            match resp.chunk().await {
                Ok(Some(c)) => excerpt.extend_from_slice(&c),
                Ok(None) => break,
                Err(e) => {
                    body_error = Some(if e.is_timeout() {
                        format!(
                            "timed out after {:?} reading the response",
                            self.cfg.timeout
                        )
                    } else {
                        super::error::reqwest_error_text(&e)
                    });
                    break;
                }
            }
        }
        excerpt.truncate(EXCERPT_BYTES);
        let delivered = status.is_success() && body_error.is_none();
        Ok(Attempt {
            status_code: Some(status.as_u16()),
            excerpt: Some(String::from_utf8_lossy(&excerpt).into_owned()),
            error: if delivered {
                None
            } else {
                Some(body_error.unwrap_or_else(|| format!("HTTP {}", status.as_u16())))
            },
            retry_after: matches!(status.as_u16(), 429 | 503)
                .then(|| super::error::retry_after(resp.headers()))
                .flatten(),
            delivered,
            terminal: None,
        })
    }

    /// Claims and delivers until the task is dropped, `IDV_WEBHOOK_CONCURRENCY` at a time.
    pub async fn run(self: Arc<Self>) {
        let slots = Arc::new(Semaphore::new(self.cfg.concurrency));
        tracing::info!(node = %self.node, concurrency = self.cfg.concurrency, "webhook dispatcher started");
        loop {
            let free = slots.available_permits();
            if free == 0 {
                // wait for a delivery to finish
                let _ = slots.acquire().await;
                continue;
            }
            let want = free.min(BATCH);
            let batch = match self.claim(want).await {
                Ok(b) => b,
                Err(e) => {
                    crate::server::observe::database_error();
                    tracing::error!(error = %e, "webhook dispatcher could not claim deliveries");
                    Vec::new()
                }
            };
            let full = batch.len() == want;
            for d in batch {
                let Ok(permit) = slots.clone().acquire_owned().await else {
                    return;
                };
                let me = self.clone();
                tokio::spawn(async move {
                    if let Err(e) = me.deliver(&d).await {
                        crate::server::observe::internal_error(&e);
                        tracing::error!(delivery_id = %d.id, check_id = %d.check_id, error = format!("{e:#}"), "webhook attempt could not be recorded; the delivery is retried when its lease ends");
                    }
                    drop(permit);
                });
            }
            if !full {
                tokio::select! {
                    _ = self.notify.notified() => {}
                    _ = tokio::time::sleep(self.cfg.poll_interval) => {}
                }
            }
        }
    }
}
