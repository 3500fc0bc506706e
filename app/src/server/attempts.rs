//! Verification attempts per user, across capture links: every recording a submission or the
//! live channel made, whether it became a check (`check`), was sent back to record again after
//! a missed challenge (`challenge_retry`), or was refused because the user had made too many
//! (`refused_limit`). Kept without media or contact data, as long as files are
//! (`IDV_RETENTION`).
//!
//! A capture link bounds its own recordings (`IDV_CHALLENGE_ATTEMPTS`), but anyone with the
//! partner's capture key can make new links: the per-user limit (`IDV_USER_ATTEMPTS_PER_HOUR`)
//! counts a user's checks and retries of the last hour whatever link they came through, and the
//! partner sees every attempt (`GET /v1/attempts`, the dashboard's Attempts page), the refused
//! and retried ones included, which leave no check.
//!
//! This module owns the `submission_attempts` table.

use serde::Serialize;
use sqlx::Row;

use super::{
    checks::{cursor_decode, cursor_encode},
    db::{Db, now_ms, rfc3339_ms},
    error::AppError,
};

/// What became of an attempt; the stored names are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Let in, no verdict (yet): under way, or it failed before one (its files refused, its
    /// client gone). Counted like the others: the limit is on tries.
    Incomplete,
    /// A check was made (its id is on the attempt).
    Check,
    /// The recording missed its challenge and the link had recordings left: recorded again.
    ChallengeRetry,
    /// Refused before anything was read: too many attempts for this user in the last hour.
    RefusedLimit,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Incomplete => "incomplete",
            Self::Check => "check",
            Self::ChallengeRetry => "challenge_retry",
            Self::RefusedLimit => "refused_limit",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [
            Self::Incomplete,
            Self::Check,
            Self::ChallengeRetry,
            Self::RefusedLimit,
        ]
        .into_iter()
        .find(|o| o.as_str() == s)
    }
}

/// Whose attempt it was.
#[derive(Debug, Clone, Copy)]
pub struct User<'a> {
    pub partner_id: &'a str,
    pub livemode: bool,
    pub user_identifier: &'a str,
    /// The capture link it came through, if any.
    pub session_id: Option<&'a str>,
}

/// Records one attempt (in the check's own transaction for a `check`).
pub async fn record<'c, E>(
    exec: E,
    user: User<'_>,
    outcome: Outcome,
    check_id: Option<&str>,
    risk_factors: &[String],
) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO submission_attempts (id, partner_id, livemode, user_identifier, session_id, check_id, outcome, risk_factors, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(user.partner_id)
    .bind(i16::from(user.livemode))
    .bind(user.user_identifier)
    .bind(user.session_id)
    .bind(check_id)
    .bind(outcome.as_str())
    .bind(serde_json::to_string(risk_factors).unwrap_or_else(|_| "[]".into()))
    .bind(now_ms())
    .execute(exec)
    .await?;
    Ok(())
}

/// What an admitted attempt became: its row (made `incomplete` by [`admit`]) gets the
/// outcome, or, for one never admitted (test mode's magic identifiers), a row is made now.
pub async fn settle<'c, E>(
    exec: E,
    admitted: Option<&str>,
    user: User<'_>,
    outcome: Outcome,
    check_id: Option<&str>,
    risk_factors: &[String],
) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let Some(id) = admitted else {
        return record(exec, user, outcome, check_id, risk_factors).await;
    };
    sqlx::query(
        "UPDATE submission_attempts SET outcome = $2, check_id = $3, risk_factors = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(outcome.as_str())
    .bind(check_id)
    .bind(serde_json::to_string(risk_factors).unwrap_or_else(|_| "[]".into()))
    .execute(exec)
    .await?;
    Ok(())
}

/// The window of the per-user limit.
const WINDOW_MS: i64 = 3_600_000;

/// Lets a user's new recording in, as an `incomplete` attempt whose id is returned (to be
/// [`settle`]d), or refuses it (429 with `Retry-After`, recorded as `refused_limit`) when the
/// user's attempts of the last hour reach `per_hour`. The count and the new row are one
/// statement, and one user's admissions are serialised (SQLite has one writer; on PostgreSQL
/// a transaction-scoped advisory lock per user): recordings sent at once, through any node,
/// are counted as they are let in, not when their verdicts come.
pub async fn admit(db: &Db, user: User<'_>, per_hour: u32) -> Result<String, AppError> {
    let now = now_ms();
    let since = now - WINDOW_MS;
    let id = uuid::Uuid::new_v4().to_string();
    let mut tx = db.pool.begin().await?;
    if db.backend == super::db::Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind(format!(
                "attempts\n{}\n{}\n{}",
                user.partner_id,
                i16::from(user.livemode),
                user.user_identifier
            ))
            .execute(&mut *tx)
            .await?;
    }
    let admitted = sqlx::query(
        "INSERT INTO submission_attempts (id, partner_id, livemode, user_identifier, session_id, check_id, outcome, risk_factors, created_at) \
         SELECT $1, $2, $3, $4, $5, NULL, 'incomplete', '[]', $6 \
         WHERE (SELECT COUNT(*) FROM submission_attempts \
                WHERE partner_id = $2 AND livemode = $3 AND user_identifier = $4 AND created_at > $7 \
                AND outcome IN ('incomplete', 'check', 'challenge_retry')) < $8",
    )
    .bind(&id)
    .bind(user.partner_id)
    .bind(i16::from(user.livemode))
    .bind(user.user_identifier)
    .bind(user.session_id)
    .bind(now)
    .bind(since)
    .bind(i64::from(per_hour))
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    if admitted == 1 {
        return Ok(id);
    }
    let oldest: Option<i64> = sqlx::query_scalar(
        "SELECT MIN(created_at) FROM submission_attempts \
         WHERE partner_id = $1 AND livemode = $2 AND user_identifier = $3 AND created_at > $4 \
         AND outcome IN ('incomplete', 'check', 'challenge_retry')",
    )
    .bind(user.partner_id)
    .bind(i16::from(user.livemode))
    .bind(user.user_identifier)
    .bind(since)
    .fetch_one(&db.pool)
    .await?;
    record(&db.pool, user, Outcome::RefusedLimit, None, &[]).await?;
    tracing::info!(
        partner_id = user.partner_id,
        "verification attempts per user reached: refused"
    );
    // when the oldest counted attempt leaves the window
    let wait_ms = oldest.map_or(WINDOW_MS, |o| o + WINDOW_MS - now_ms());
    let retry_after_secs = u64::try_from(wait_ms / 1000 + 1).unwrap_or(1).max(1);
    Err(AppError::TooManyRequests {
        message: format!(
            "Too many verification attempts for this user (at most {per_hour} an hour); retry after {retry_after_secs} s"
        ),
        retry_after_secs,
    })
}

/// Filters of an attempt list (the partner API and the dashboard), validated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    pub user_identifier: Option<String>,
    pub outcome: Option<&'static str>,
    pub limit: i64,
    /// Keyset position: (created_at, id) of the last row seen.
    pub cursor: Option<(i64, String)>,
}

impl ListFilter {
    /// From the query parameters; a 400 names the bad one.
    pub fn parse(
        user_identifier: Option<String>,
        outcome: Option<&str>,
        limit: Option<&str>,
        cursor: Option<&str>,
    ) -> Result<Self, AppError> {
        let limit: i64 = match limit {
            None => 20,
            Some(v) => v
                .parse()
                .ok()
                .filter(|n| (1..=100).contains(n))
                .ok_or_else(|| AppError::bad_request("limit must be a number from 1 to 100"))?,
        };
        let outcome = match outcome {
            None => None,
            Some(o) => Some(Outcome::parse(o).map(Outcome::as_str).ok_or_else(|| {
                AppError::bad_request(
                    "outcome must be one of check, challenge_retry, refused_limit, incomplete",
                )
            })?),
        };
        let cursor = match cursor.filter(|s| !s.is_empty()) {
            None => None,
            Some(c) => {
                Some(cursor_decode(c).ok_or_else(|| AppError::bad_request("cursor is not valid"))?)
            }
        };
        Ok(Self {
            user_identifier: user_identifier
                .map(|u| u.trim().to_string())
                .filter(|u| !u.is_empty()),
            outcome,
            limit,
            cursor,
        })
    }
}

/// One attempt, as a partner sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Attempt {
    pub attempt_id: String,
    pub user_identifier: String,
    /// `check`, `challenge_retry`, `refused_limit` or `incomplete`.
    pub outcome: String,
    /// The check it became (`check` only).
    pub check_id: Option<String>,
    /// The capture link's session id (`cap_…` links only).
    pub session_id: Option<String>,
    /// The recording's risk codes (`challenge_retry`: why it was sent back).
    pub risk_factors: Vec<String>,
    pub created_at: String,
}

/// A partner's attempts of one mode, newest first, and the cursor of the next page.
pub async fn list(
    db: &Db,
    partner_id: &str,
    livemode: bool,
    f: &ListFilter,
) -> Result<(Vec<Attempt>, Option<String>), sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, user_identifier, outcome, check_id, session_id, risk_factors, created_at FROM submission_attempts \
         WHERE partner_id = $1 AND livemode = $2 \
         AND ($3 IS NULL OR user_identifier = $3) AND ($4 IS NULL OR outcome = $4) \
         AND ($5 IS NULL OR created_at < $5 OR (created_at = $5 AND id < $6)) \
         ORDER BY created_at DESC, id DESC LIMIT $7",
    )
    .bind(partner_id)
    .bind(i16::from(livemode))
    .bind(&f.user_identifier)
    .bind(f.outcome)
    .bind(f.cursor.as_ref().map(|c| c.0))
    .bind(f.cursor.as_ref().map(|c| c.1.clone()).unwrap_or_default())
    .bind(f.limit + 1)
    .fetch_all(&db.pool)
    .await?;
    let more = rows.len() as i64 > f.limit;
    let mut data = Vec::new();
    for r in rows.iter().take(f.limit as usize) {
        let risks: String = r.try_get("risk_factors")?;
        data.push(Attempt {
            attempt_id: r.try_get("id")?,
            user_identifier: r.try_get("user_identifier")?,
            outcome: r.try_get("outcome")?,
            check_id: r.try_get("check_id")?,
            session_id: r.try_get("session_id")?,
            risk_factors: serde_json::from_str(&risks).unwrap_or_default(),
            created_at: rfc3339_ms(r.try_get("created_at")?),
        });
    }
    let next_cursor = if more {
        rows.get(f.limit as usize - 1)
            .map(|r| -> Result<String, sqlx::Error> {
                Ok(cursor_encode(
                    r.try_get("created_at")?,
                    &r.try_get::<String, _>("id")?,
                ))
            })
            .transpose()?
    } else {
        None
    };
    Ok((data, next_cursor))
}

/// Deletes attempts older than `before` (epoch ms); returns how many went.
pub async fn delete_before(db: &Db, before: i64) -> Result<u64, sqlx::Error> {
    Ok(
        sqlx::query("DELETE FROM submission_attempts WHERE created_at < $1")
            .bind(before)
            .execute(&db.pool)
            .await?
            .rows_affected(),
    )
}
