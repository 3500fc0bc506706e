//! Retention: files are deleted `IDV_RETENTION` after a check completes, by a sweeper driven by
//! `files_expire_at` in the database (so it survives restarts). Each batch is claimed with a
//! lease (PostgreSQL `FOR UPDATE SKIP LOCKED`, SQLite a single `UPDATE … RETURNING`), so with
//! several nodes only one sweeps a given check. The record stays, marked with the deletion time.

use std::time::Duration;

use sqlx::Row;

use super::{
    audit,
    db::{LeasedRows, now_ms},
    state::AppState,
};

const BATCH: i64 = 50;
const LEASE_MS: i64 = 5 * 60 * 1000;

/// Checks whose files' retention has passed.
const EXPIRED_FILES: LeasedRows = LeasedRows {
    table: "checks",
    key: "id",
    lease: "sweep_lease_until",
    due: "files_expire_at",
    only: "files_deleted_at IS NULL",
    returning: "id, partner_id, livemode, selfie_key, id_key, id_back_key",
};

/// Notes of submissions that stored files and never committed, once their grace is over.
const UNFINISHED_SUBMISSIONS: LeasedRows = LeasedRows {
    table: "pending_files",
    key: "check_id",
    lease: "lease_until",
    due: "expires_at",
    only: "",
    returning: "check_id, keys",
};

#[derive(Debug, Default, PartialEq, Eq)]
pub struct SweepStats {
    pub deleted: usize,
    pub failed: usize,
}

/// Deletes the files of every check whose retention has passed.
pub async fn sweep_once(state: &AppState) -> anyhow::Result<SweepStats> {
    let mut stats = SweepStats::default();
    loop {
        let now = now_ms();
        let claimed = state
            .db
            .claim_due(EXPIRED_FILES, BATCH, now, now + LEASE_MS)
            .await?;
        if claimed.is_empty() {
            break;
        }
        let mut progressed = false;
        for row in &claimed {
            let id: String = row.try_get("id")?;
            let keys = super::checks::file_keys(
                row.try_get("selfie_key")?,
                row.try_get("id_key")?,
                row.try_get("id_back_key")?,
            );
            let mut ok = true;
            for k in &keys {
                if let Err(e) = state.storage.delete(k).await {
                    tracing::warn!(check_id = %id, error = format!("{e:#}"), "retention: could not delete a file; retried after the lease");
                    ok = false;
                }
            }
            if ok {
                let partner_id: String = row.try_get("partner_id")?;
                let mut tx = state.db.pool.begin().await?;
                // the document data goes with the files unless the partner keeps it
                sqlx::query(
                    "UPDATE checks SET files_deleted_at = $2, selfie_sha256 = NULL, sweep_lease_until = NULL, \
                     document = CASE WHEN (SELECT keep_document_data FROM partners WHERE partners.id = checks.partner_id) = 1 \
                     THEN document ELSE NULL END WHERE id = $1",
                )
                .bind(&id)
                    .bind(now_ms())
                    .execute(&mut *tx)
                    .await?;
                audit::record(
                    &mut *tx,
                    audit::Entry::new(
                        &partner_id,
                        &audit::Actor::System,
                        audit::Action::FilesDeletedByRetention,
                    )
                    .mode(row.try_get::<i16, _>("livemode")? != 0)
                    .check(&id),
                )
                .await?;
                tx.commit().await?;
                metrics::counter!(super::observe::RETENTION, "result" => "deleted").increment(1);
                stats.deleted += 1;
                progressed = true;
            } else {
                metrics::counter!(super::observe::RETENTION, "result" => "failed").increment(1);
                stats.failed += 1;
            }
        }
        if !progressed {
            break;
        }
    }
    if stats != SweepStats::default() {
        tracing::info!(
            deleted = stats.deleted,
            failed = stats.failed,
            "retention sweep"
        );
    }
    Ok(stats)
}

/// How long a submission's files may stay in storage without their check: far longer than a
/// store and a commit take, so only a process that died leaves files this old.
pub const PENDING_GRACE: Duration = Duration::from_secs(15 * 60);

/// Writes down the storage keys a submission is about to store, before it stores them.
pub async fn note_pending(
    db: &super::db::Db,
    check_id: &str,
    keys: &[String],
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO pending_files (check_id, keys, expires_at) VALUES ($1, $2, $3)")
        .bind(check_id)
        .bind(keys.join("\n"))
        .bind(now_ms() + i64::try_from(PENDING_GRACE.as_millis()).unwrap_or(0))
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Forgets the note once its files are gone.
pub async fn forget_pending(db: &super::db::Db, check_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM pending_files WHERE check_id = $1")
        .bind(check_id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Deletes the files of submissions that stored them and never committed (their process was
/// killed between the two), then their notes. Claimed under a lease like the retention sweep,
/// so with several nodes one deletes each. Returns how many submissions' files were deleted.
pub async fn sweep_orphans(state: &AppState) -> anyhow::Result<usize> {
    let now = now_ms();
    let claimed = state
        .db
        .claim_due(UNFINISHED_SUBMISSIONS, BATCH, now, now + LEASE_MS)
        .await?;
    let mut deleted = 0;
    let mut keys_deleted = 0;
    for row in &claimed {
        let check_id: String = row.try_get("check_id")?;
        let keys: String = row.try_get("keys")?;
        // a check that did commit keeps its files (the note outlived a commit it should not have)
        let committed: Option<String> = sqlx::query_scalar("SELECT id FROM checks WHERE id = $1")
            .bind(&check_id)
            .fetch_optional(&state.db.pool)
            .await?;
        let mut ok = true;
        if committed.is_none() {
            for k in keys.lines().filter(|k| !k.is_empty()) {
                match state.storage.delete(k).await {
                    Ok(()) => keys_deleted += 1,
                    Err(e) => {
                        ok = false;
                        tracing::warn!(check_id = %check_id, error = format!("{e:#}"), "could not delete a file of an unfinished submission; retried after the lease");
                    }
                }
            }
        }
        if ok {
            forget_pending(&state.db, &check_id).await?;
            if committed.is_none() {
                deleted += 1;
            }
        }
    }
    if deleted > 0 {
        metrics::counter!(super::observe::ORPHANS).increment(deleted as u64);
        tracing::info!(
            submissions = deleted,
            keys = keys_deleted,
            "deleted the files of submissions that never completed"
        );
    }
    Ok(deleted)
}

/// Capture links that were never used are deleted this long after they expired (with the
/// contact data the partner put on them); expired dashboard sessions too.
pub const UNUSED_LINK_GRACE: Duration = Duration::from_secs(3600);

/// What else the sweep clears: unused expired capture links, dead dashboard sessions, idle
/// per-IP limiter entries.
pub async fn sweep_sessions(state: &AppState) -> anyhow::Result<(u64, u64)> {
    let links = super::capture_links::delete_expired_unused(&state.db, UNUSED_LINK_GRACE).await?;
    let dash =
        sqlx::query("DELETE FROM dashboard_sessions WHERE expires_at < $1 OR revoked_at < $1")
            .bind(now_ms() - i64::try_from(UNUSED_LINK_GRACE.as_millis()).unwrap_or(0))
            .execute(&state.db.pool)
            .await?
            .rows_affected();
    state.ip_limits.forget_idle().await?;
    // attempts are kept as long as files are
    let retention = i64::try_from(state.config.retention.as_millis()).unwrap_or(i64::MAX / 4);
    let attempts = super::attempts::delete_before(&state.db, now_ms() - retention).await?;
    if attempts > 0 {
        tracing::info!(attempts, "attempts older than the retention deleted");
    }
    super::idempotency::delete_expired(&state.db).await?;
    if links + dash > 0 {
        tracing::info!(
            capture_links = links,
            dashboard_sessions = dash,
            "expired sessions deleted"
        );
    }
    Ok((links, dash))
}

/// Runs [`sweep_once`] and [`sweep_sessions`] every `interval` until the process stops.
pub fn spawn_sweeper(state: AppState, interval: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = sweep_orphans(&state).await {
                super::observe::internal_error(&e);
                tracing::error!(
                    error = format!("{e:#}"),
                    "sweeping files of unfinished submissions failed"
                );
            }
            if let Err(e) = sweep_once(&state).await {
                super::observe::internal_error(&e);
                tracing::error!(error = format!("{e:#}"), "retention sweep failed");
            }
            if let Err(e) = sweep_sessions(&state).await {
                super::observe::internal_error(&e);
                tracing::error!(error = format!("{e:#}"), "session sweep failed");
            }
        }
    })
}
