//! The webhook outbox: every read and write of `webhook_deliveries` and `webhook_attempts`.
//!
//! A change that notifies a partner (a completed, reviewed or redacted check) queues its event
//! here in the same transaction as the change ([`enqueue`]); dispatchers ([`super::webhooks`])
//! [`claim`] due rows under a lease and [`record_attempt`] each try; operators and partners
//! read them ([`list_for_check`], [`recent`]) and queue them again ([`redeliver`]).

use serde::Serialize;
use sqlx::Row;

use super::{
    audit,
    db::{Db, LeasedRows, now_ms, rfc3339_ms},
};

/// The events a partner receives, as typed values; `as_str` is the payload's `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// A check completed (the guide's payload).
    Completed,
    /// A `review` check decided by a person (same payload as completed, final status).
    Reviewed,
    /// A check redacted by the partner (files deleted, contact details blanked).
    Redacted,
}

impl Event {
    pub const ALL: [Event; 3] = [Self::Completed, Self::Reviewed, Self::Redacted];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Completed => "verification.completed",
            Self::Reviewed => "verification.reviewed",
            Self::Redacted => "verification.redacted",
        }
    }
    /// A stored event type; an unknown one is a database error (the column is ours).
    pub fn parse(s: &str) -> Result<Self, sqlx::Error> {
        Self::ALL
            .into_iter()
            .find(|e| e.as_str() == s)
            .ok_or_else(|| sqlx::Error::Decode(format!("unknown webhook event {s:?}").into()))
    }
}

/// Queues a webhook event for a check, in the caller's transaction.
pub async fn enqueue(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    check_id: &str,
    partner_id: &str,
    event: Event,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO webhook_deliveries (id, check_id, partner_id, event_type, status, attempts, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5)",
    )
    .bind(format!("msg_{}", uuid::Uuid::new_v4().simple()))
    .bind(check_id)
    .bind(partner_id)
    .bind(event.as_str())
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A claimed delivery.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: String,
    pub check_id: String,
    pub partner_id: String,
    pub event: Event,
    pub attempts: i64,
    /// The lease this claim holds; the row is updated only while it still holds it.
    pub lease: i64,
}

/// Deliveries whose next attempt is due.
const DUE_DELIVERIES: LeasedRows = LeasedRows {
    table: "webhook_deliveries",
    key: "id",
    lease: "lease_until",
    due: "next_attempt_at",
    only: "status = 'pending'",
    returning: "id, check_id, partner_id, event_type, attempts",
};

/// Claims up to `limit` due deliveries for `lease_ms` (a lease: another process may claim a
/// delivery again once it has run out).
pub async fn claim(db: &Db, limit: usize, lease_ms: i64) -> Result<Vec<Claimed>, sqlx::Error> {
    let now = now_ms();
    let lease = now + lease_ms;
    let rows = db
        .claim_due(
            DUE_DELIVERIES,
            i64::try_from(limit).unwrap_or(i64::MAX),
            now,
            lease,
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Claimed {
                id: r.try_get("id")?,
                check_id: r.try_get("check_id")?,
                partner_id: r.try_get("partner_id")?,
                event: Event::parse(&r.try_get::<String, _>("event_type")?)?,
                attempts: r.try_get("attempts")?,
                lease,
            })
        })
        .collect()
}

/// One attempt of a delivery, as recorded.
pub struct AttemptRecord<'a> {
    pub number: i64,
    pub started_at: i64,
    pub duration_ms: i64,
    pub status_code: Option<u16>,
    pub excerpt: Option<&'a str>,
    pub error: Option<&'a str>,
    /// The process that made it.
    pub node: &'a str,
}

/// Records an attempt and the delivery's new state in one transaction. The delivery row is
/// updated only while `d`'s lease still holds; returns 0 when another process owns it now.
pub async fn record_attempt(
    db: &Db,
    d: &Claimed,
    a: &AttemptRecord<'_>,
    status: &str,
    next_at: i64,
    delivered_at: Option<i64>,
) -> Result<u64, sqlx::Error> {
    let mut tx = db.pool.begin().await?;
    sqlx::query(
        "INSERT INTO webhook_attempts (id, delivery_id, attempt, started_at, duration_ms, status_code, response_excerpt, error, node) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(&d.id)
    .bind(a.number)
    .bind(a.started_at)
    .bind(a.duration_ms)
    .bind(a.status_code.map(i64::from))
    .bind(a.excerpt)
    .bind(a.error)
    .bind(a.node)
    .execute(&mut *tx)
    .await?;
    let updated = sqlx::query(
        "UPDATE webhook_deliveries SET status = $2, attempts = $3, next_attempt_at = $4, lease_until = NULL, \
         delivered_at = $5, last_error = $6 WHERE id = $1 AND lease_until = $7",
    )
    .bind(&d.id)
    .bind(status)
    .bind(a.number)
    .bind(next_at)
    .bind(delivered_at)
    .bind(a.error)
    .bind(d.lease)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(updated)
}

/// One delivery as operators see it (`idv webhook list`, the dashboard).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeliveryView {
    pub id: String,
    pub check_id: String,
    pub event_type: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: Option<String>,
    pub delivered_at: Option<String>,
    pub last_error: Option<String>,
    pub attempt_log: Vec<AttemptView>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AttemptView {
    pub attempt: i64,
    pub started_at: String,
    pub duration_ms: i64,
    pub status_code: Option<i64>,
    pub response_excerpt: Option<String>,
    pub error: Option<String>,
    pub node: String,
}

/// The deliveries of a check, with every attempt.
pub async fn list_for_check(db: &Db, check_id: &str) -> Result<Vec<DeliveryView>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, check_id, event_type, status, attempts, next_attempt_at, delivered_at, last_error \
         FROM webhook_deliveries WHERE check_id = $1 ORDER BY created_at",
    )
    .bind(check_id)
    .fetch_all(&db.pool)
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let id: String = r.try_get("id")?;
        let status: String = r.try_get("status")?;
        let attempts = sqlx::query(
            "SELECT attempt, started_at, duration_ms, status_code, response_excerpt, error, node \
             FROM webhook_attempts WHERE delivery_id = $1 ORDER BY started_at, attempt",
        )
        .bind(&id)
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|a| {
            Ok(AttemptView {
                attempt: a.try_get("attempt")?,
                started_at: rfc3339_ms(a.try_get("started_at")?),
                duration_ms: a.try_get("duration_ms")?,
                status_code: a.try_get("status_code")?,
                response_excerpt: a.try_get("response_excerpt")?,
                error: a.try_get("error")?,
                node: a.try_get("node")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        out.push(DeliveryView {
            check_id: r.try_get("check_id")?,
            event_type: r.try_get("event_type")?,
            attempts: r.try_get("attempts")?,
            next_attempt_at: (status == "pending")
                .then(|| r.try_get::<i64, _>("next_attempt_at").map(rfc3339_ms))
                .transpose()?,
            delivered_at: r.try_get::<Option<i64>, _>("delivered_at")?.map(rfc3339_ms),
            last_error: r.try_get("last_error")?,
            status,
            id,
            attempt_log: attempts,
        });
    }
    Ok(out)
}

/// Queues a check's deliveries again (same `webhook-id`s: receivers deduplicate on it), with a
/// fresh retry schedule. Returns how many were queued.
/// Recorded in the audit log.
pub async fn redeliver(
    db: &Db,
    check_id: &str,
    actor: &crate::server::audit::Actor,
) -> anyhow::Result<u64> {
    let found = sqlx::query(
        "SELECT d.partner_id, c.livemode FROM webhook_deliveries d JOIN checks c ON c.id = d.check_id \
         WHERE d.check_id = $1 LIMIT 1",
    )
    .bind(check_id)
    .fetch_optional(&db.pool)
    .await?;
    let Some((partner_id, livemode)) = found
        .map(|r| {
            Ok::<_, sqlx::Error>((
                r.try_get::<String, _>("partner_id")?,
                r.try_get::<i16, _>("livemode")? != 0,
            ))
        })
        .transpose()?
    else {
        anyhow::bail!("no webhook deliveries for check {check_id}");
    };
    let mut tx = db.pool.begin().await?;
    let n = sqlx::query(
        "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = $2, lease_until = NULL \
         WHERE check_id = $1 AND status <> 'pending'",
    )
    .bind(check_id)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    audit::record(
        &mut *tx,
        audit::Entry::new(&partner_id, actor, audit::Action::WebhookRedelivered)
            .mode(livemode)
            .check(check_id)
            .detail(format!("{n} deliveries queued again")),
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

/// One delivery in the dashboard's recent list.
#[derive(Debug, Clone)]
pub struct RecentDelivery {
    pub id: String,
    pub check_id: String,
    pub event_type: String,
    pub status: String,
    pub attempts: i64,
    pub created_at: String,
    pub last_error: Option<String>,
}

/// A partner's latest deliveries in one mode, newest first.
pub async fn recent(
    db: &Db,
    partner_id: &str,
    livemode: bool,
    limit: u32,
) -> Result<Vec<RecentDelivery>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT d.id, d.check_id, d.event_type, d.status, d.attempts, d.created_at, d.last_error \
         FROM webhook_deliveries d JOIN checks c ON c.id = d.check_id \
         WHERE d.partner_id = $1 AND c.livemode = $2 ORDER BY d.created_at DESC, d.id DESC LIMIT {limit}"
    ))
    .bind(partner_id)
    .bind(i16::from(livemode))
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(|r| {
        Ok(RecentDelivery {
            id: r.try_get("id")?,
            check_id: r.try_get("check_id")?,
            event_type: r.try_get("event_type")?,
            status: r.try_get("status")?,
            attempts: r.try_get("attempts")?,
            created_at: rfc3339_ms(r.try_get("created_at")?),
            last_error: r.try_get("last_error")?,
        })
    })
    .collect()
}
