//! Files stored for a check that is not committed yet: owns `pending_files`. A submission
//! writes its storage keys down ([`note`]) before the first byte goes out and holds them in a
//! [`StoredFiles`] guard; its commit clears the note in the check's own transaction
//! ([`clear_in`]). A submission that failed or was cancelled deletes its files as the guard
//! drops; one whose process died leaves the note, and [`sweep`] deletes its files after
//! [`GRACE`]. Both go through one [`discard`]: a check that did commit keeps its files.

use std::time::Duration;

use sqlx::Row;

use super::{
    db::{Db, LeasedRows, now_ms},
    state::AppState,
    storage::Storage,
};

/// How long a submission's files may stay in storage without their check: far longer than a
/// store and a commit take, so only a process that died leaves files this old.
pub const GRACE: Duration = Duration::from_secs(15 * 60);

const BATCH: i64 = 50;
const LEASE_MS: i64 = 5 * 60 * 1000;

/// Notes of submissions that stored files and never committed, once their grace is over.
const LAPSED: LeasedRows = LeasedRows {
    table: "pending_files",
    key: "check_id",
    lease: "lease_until",
    due: "expires_at",
    only: "",
    returning: "check_id, keys",
};

/// Writes down the storage keys a submission is about to store, before it stores them.
pub async fn note(db: &Db, check_id: &str, keys: &[String]) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO pending_files (check_id, keys, expires_at) VALUES ($1, $2, $3)")
        .bind(check_id)
        .bind(keys.join("\n"))
        .bind(now_ms() + i64::try_from(GRACE.as_millis()).unwrap_or(0))
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Forgets the note once its files are gone.
pub async fn forget(db: &Db, check_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM pending_files WHERE check_id = $1")
        .bind(check_id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// The commit's part, in the check's transaction: the note goes, unless a sweeper has claimed
/// it (it outlived [`GRACE`]: a stalled submission) and is deleting the files. `false` then:
/// the check must not be made.
pub async fn clear_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    check_id: &str,
) -> Result<bool, sqlx::Error> {
    let noted =
        sqlx::query("DELETE FROM pending_files WHERE check_id = $1 AND lease_until IS NULL")
            .bind(check_id)
            .execute(&mut **tx)
            .await?
            .rows_affected();
    Ok(noted == 1)
}

/// Stored objects of a check not committed yet. Unless [`StoredFiles::keep`] is called (after
/// the commit), dropping it deletes them ([`discard`]): on an error, and also when the request
/// is cancelled (the client went away) between the upload and the commit.
#[must_use]
pub struct StoredFiles {
    storage: Storage,
    keys: Vec<String>,
    /// The note naming these keys (the database, the check id): deleted with the files here,
    /// or by the commit; left behind only by a process that died.
    pending: Option<(Db, String)>,
}

impl StoredFiles {
    /// A guard over nothing yet, for the files of `check_id` noted in `db` (none: no note).
    pub fn new(storage: Storage, pending: Option<(Db, String)>) -> Self {
        Self {
            storage,
            keys: Vec::with_capacity(3),
            pending,
        }
    }

    /// `key` is about to be stored: from now on it is this guard's.
    pub fn add(&mut self, key: String) {
        self.keys.push(key);
    }

    /// The check committed: its files stay.
    pub fn keep(mut self) {
        self.keys.clear();
    }
}

impl Drop for StoredFiles {
    fn drop(&mut self) {
        if self.keys.is_empty() {
            return;
        }
        let (storage, keys) = (self.storage.clone(), std::mem::take(&mut self.keys));
        let pending = self.pending.take();
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return;
        };
        rt.spawn(async move {
            let (db, check_id) = match &pending {
                Some((db, id)) => (Some(db), id.as_str()),
                None => (None, ""),
            };
            if let Err(e) = discard(db, &storage, check_id, &keys).await {
                tracing::warn!(
                    error = format!("{e:#}"),
                    "deleting an uncommitted file failed; the sweep of unfinished submissions removes it"
                );
            }
        });
    }
}

/// Deletes `keys` of check `check_id` unless the check committed (a commit whose answer was
/// lost may have made it: then they are its files), then the note (when `db` names it).
/// `Ok(true)` when the files were deleted; an error leaves the note for a later sweep.
pub async fn discard(
    db: Option<&Db>,
    storage: &Storage,
    check_id: &str,
    keys: &[String],
) -> anyhow::Result<bool> {
    if let Some(db) = db {
        // unknown (the database failed): the note stays and a sweep decides after its grace
        if super::checks::exists(db, check_id).await? {
            forget(db, check_id).await?;
            return Ok(false);
        }
    }
    let mut failed = None;
    for k in keys {
        if let Err(e) = storage.delete(k).await {
            failed = Some(e);
        }
    }
    if let Some(e) = failed {
        return Err(e.context(format!("deleting a file of unfinished check {check_id}")));
    }
    if let Some(db) = db {
        forget(db, check_id).await?;
    }
    Ok(true)
}

/// Deletes the files of submissions that stored them and never committed (their process was
/// killed between the two), then their notes. Claimed under a lease, so with several nodes one
/// deletes each. Returns how many submissions' files were deleted.
pub async fn sweep(state: &AppState) -> anyhow::Result<usize> {
    let now = now_ms();
    let claimed = state
        .db
        .claim_due(LAPSED, BATCH, now, now + LEASE_MS)
        .await?;
    let mut deleted = 0;
    let mut keys_deleted = 0;
    for row in &claimed {
        let check_id: String = row.try_get("check_id")?;
        let keys: Vec<String> = row
            .try_get::<String, _>("keys")?
            .lines()
            .filter(|k| !k.is_empty())
            .map(str::to_string)
            .collect();
        match discard(Some(&state.db), &state.storage, &check_id, &keys).await {
            Ok(true) => {
                deleted += 1;
                keys_deleted += keys.len();
            }
            Ok(false) => {}
            Err(e) => tracing::warn!(
                check_id = %check_id,
                error = format!("{e:#}"),
                "could not delete a file of an unfinished submission; retried after the lease"
            ),
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
