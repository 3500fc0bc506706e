//! Retention: files are deleted `IDV_RETENTION` after a check completes, by a sweeper driven by
//! `files_expire_at` in the database (so it survives restarts). Each batch is claimed with a
//! lease (PostgreSQL `FOR UPDATE SKIP LOCKED`, SQLite a single `UPDATE … RETURNING`), so with
//! several nodes only one sweeps a given check. The record stays, marked with the deletion time.

use std::time::Duration;

use sqlx::Row;

use super::{audit, db::now_ms, state::AppState};

const BATCH: i64 = 50;
const LEASE_MS: i64 = 5 * 60 * 1000;

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
        let claimed =
            super::checks::claim_expired_files(&state.db, BATCH, now, now + LEASE_MS).await?;
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
                super::checks::files_deleted(&mut tx, &id, now_ms()).await?;
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

/// Capture links that were never used are deleted this long after they expired (with the
/// contact data the partner put on them); expired dashboard sessions too.
pub const UNUSED_LINK_GRACE: Duration = Duration::from_secs(3600);

/// What else the sweep clears: unused expired capture links, dead dashboard sessions, idle
/// per-IP limiter entries.
pub async fn sweep_sessions(state: &AppState) -> anyhow::Result<(u64, u64)> {
    let links = super::capture_links::delete_expired_unused(&state.db, UNUSED_LINK_GRACE).await?;
    let dash = super::dashboard::delete_ended_logins(
        &state.db,
        now_ms() - i64::try_from(UNUSED_LINK_GRACE.as_millis()).unwrap_or(0),
    )
    .await?;
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

/// Runs `pending_files::sweep`, [`sweep_once`] and [`sweep_sessions`] every `interval` until the process stops.
pub fn spawn_sweeper(state: AppState, interval: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = super::pending_files::sweep(&state).await {
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
