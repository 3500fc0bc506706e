//! Check records: written once, in one transaction with their webhook outbox row; read back into
//! the guide's `result` object with freshly minted file links.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD as B64URL};
use serde::Serialize;
use sqlx::Row;

use super::{
    audit::{self, Action, Actor},
    db::{Db, LeasedRows, now_ms},
    error::AppError,
    outbox::{self, Event},
    state::AppState,
    storage::Storage,
};
use crate::contract::{
    ConfidenceLevel, DocumentData, FaceComparison, FileRef, Files, Status, VerificationAssessment,
    VerificationResult,
};

/// Everything stored about one check.
#[derive(Debug, Clone)]
pub struct CheckRecord {
    pub id: String,
    pub partner_id: String,
    pub livemode: bool,
    pub user_identifier: String,
    pub user_email: Option<String>,
    pub user_phone: Option<String>,
    pub status: Status,
    pub face: FaceComparison,
    pub overall_score: u32,
    pub confidence_level: ConfidenceLevel,
    pub summary: String,
    pub risk_factors: Vec<String>,
    /// Why a check went to review without a full assessment (e.g. scoring failed).
    pub review_reason: Option<String>,
    pub storage_backend: String,
    pub selfie_key: String,
    pub selfie_file_name: String,
    pub id_key: String,
    pub id_file_name: String,
    pub consent_version: Option<String>,
    /// When the user gave that consent (epoch ms).
    pub consented_at: Option<i64>,
    pub created_at: i64,
    pub completed_at: i64,
    pub files_expire_at: i64,
    pub files_deleted_at: Option<i64>,
    /// Set by `DELETE /v1/checks/{id}`: files deleted, email and phone blanked.
    pub redacted_at: Option<i64>,
    /// Set when a `review` check was decided by a person.
    pub reviewed_at: Option<i64>,
    /// The reviewer's note.
    pub review_note: Option<String>,
    /// What was read off the identity document (`result.document`); blanked with the files.
    pub document: Option<DocumentData>,
    /// The back side's photo, when one was sent.
    pub id_back_key: Option<String>,
    pub id_back_file_name: Option<String>,
}

pub use super::db::rfc3339_ms;

/// The selfie file's SHA-256 on a check being committed (the replay check's evidence; cleared
/// with the files).
pub async fn set_selfie_sha256(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: &str,
    sha256: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE checks SET selfie_sha256 = $2 WHERE id = $1")
        .bind(id)
        .bind(sha256)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Whether an earlier live check was made from a selfie file with this SHA-256 (while its files
/// are kept).
pub async fn live_check_with_selfie(db: &Db, sha256: &str) -> Result<bool, sqlx::Error> {
    let seen: Option<String> = sqlx::query_scalar(
        "SELECT id FROM checks WHERE selfie_sha256 = $1 AND livemode = 1 LIMIT 1",
    )
    .bind(sha256)
    .fetch_optional(&db.pool)
    .await?;
    Ok(seen.is_some())
}

/// Whether check `id` exists (was committed).
pub async fn exists(db: &Db, id: &str) -> Result<bool, sqlx::Error> {
    let found: Option<String> = sqlx::query_scalar("SELECT id FROM checks WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.pool)
        .await?;
    Ok(found.is_some())
}

/// Checks whose files' retention has passed.
const EXPIRED_FILES: LeasedRows = LeasedRows {
    table: "checks",
    key: "id",
    lease: "sweep_lease_until",
    due: "files_expire_at",
    only: "files_deleted_at IS NULL",
    returning: "id, partner_id, livemode, selfie_key, id_key, id_back_key",
};

/// Up to `batch` checks whose files' retention has passed, leased until `lease_until` (rows of
/// `id, partner_id, livemode, selfie_key, id_key, id_back_key`).
pub async fn claim_expired_files(
    db: &Db,
    batch: i64,
    now: i64,
    lease_until: i64,
) -> Result<Vec<sqlx::any::AnyRow>, sqlx::Error> {
    db.claim_due(EXPIRED_FILES, batch, now, lease_until).await
}

/// The files of check `id` are deleted: so are its selfie's hash, its lease and (unless its
/// partner keeps it) its document data.
pub async fn files_deleted(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: &str,
    at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE checks SET files_deleted_at = $2, selfie_sha256 = NULL, sweep_lease_until = NULL, \
         document = CASE WHEN (SELECT keep_document_data FROM partners WHERE partners.id = checks.partner_id) = 1 \
         THEN document ELSE NULL END WHERE id = $1",
    )
    .bind(id)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Stores the check and its outbox row in the caller's transaction.
pub async fn insert(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    c: &CheckRecord,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO checks (id, partner_id, livemode, user_identifier, user_email, user_phone, status, is_identical, confidence, \
         similarity_score, method, overall_score, confidence_level, summary, risk_factors, review_reason, storage_backend, \
         selfie_key, selfie_file_name, id_key, id_file_name, consent_version, consented_at, created_at, completed_at, files_expire_at, \
         document, id_back_key, id_back_file_name) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29)",
    )
    .bind(&c.id)
    .bind(&c.partner_id)
    .bind(i16::from(c.livemode))
    .bind(&c.user_identifier)
    .bind(&c.user_email)
    .bind(&c.user_phone)
    .bind(c.status.as_str())
    .bind(i16::from(c.face.is_identical))
    .bind(c.face.confidence)
    .bind(i64::from(c.face.similarity_score))
    .bind(&c.face.method)
    .bind(i64::from(c.overall_score))
    .bind(c.confidence_level.as_str())
    .bind(&c.summary)
    .bind(serde_json::to_string(&c.risk_factors).expect("strings serialize"))
    .bind(&c.review_reason)
    .bind(&c.storage_backend)
    .bind(&c.selfie_key)
    .bind(&c.selfie_file_name)
    .bind(&c.id_key)
    .bind(&c.id_file_name)
    .bind(&c.consent_version)
    .bind(c.consented_at)
    .bind(c.created_at)
    .bind(c.completed_at)
    .bind(c.files_expire_at)
    .bind(
        c.document
            .as_ref()
            .map(|d| serde_json::to_string(d).expect("document data serializes")),
    )
    .bind(&c.id_back_key)
    .bind(&c.id_back_file_name)
    .execute(&mut **tx)
    .await?;
    outbox::enqueue(tx, &c.id, &c.partner_id, Event::Completed).await
}

const COLUMNS: &str = "id, partner_id, livemode, user_identifier, user_email, user_phone, status, is_identical, confidence, \
    similarity_score, method, overall_score, confidence_level, summary, risk_factors, review_reason, storage_backend, \
    selfie_key, selfie_file_name, id_key, id_file_name, consent_version, consented_at, created_at, completed_at, files_expire_at, files_deleted_at, redacted_at, reviewed_at, review_note, document, id_back_key, id_back_file_name";

fn from_row(row: &sqlx::any::AnyRow) -> Result<CheckRecord, sqlx::Error> {
    let decode_err = |what: &str| sqlx::Error::Decode(format!("bad {what} in checks row").into());
    let risk: String = row.try_get("risk_factors")?;
    Ok(CheckRecord {
        id: row.try_get("id")?,
        partner_id: row.try_get("partner_id")?,
        livemode: row.try_get::<i16, _>("livemode")? != 0,
        user_identifier: row.try_get("user_identifier")?,
        user_email: row.try_get("user_email")?,
        user_phone: row.try_get("user_phone")?,
        status: Status::parse(&row.try_get::<String, _>("status")?)
            .ok_or_else(|| decode_err("status"))?,
        face: FaceComparison {
            is_identical: row.try_get::<i16, _>("is_identical")? != 0,
            confidence: row.try_get("confidence")?,
            similarity_score: u32::try_from(row.try_get::<i64, _>("similarity_score")?)
                .unwrap_or(0),
            method: row.try_get("method")?,
        },
        overall_score: u32::try_from(row.try_get::<i64, _>("overall_score")?).unwrap_or(0),
        confidence_level: ConfidenceLevel::parse(&row.try_get::<String, _>("confidence_level")?)
            .ok_or_else(|| decode_err("confidence_level"))?,
        summary: row.try_get("summary")?,
        risk_factors: serde_json::from_str(&risk).unwrap_or_default(),
        review_reason: row.try_get("review_reason")?,
        storage_backend: row.try_get("storage_backend")?,
        selfie_key: row.try_get("selfie_key")?,
        selfie_file_name: row.try_get("selfie_file_name")?,
        id_key: row.try_get("id_key")?,
        id_file_name: row.try_get("id_file_name")?,
        consent_version: row.try_get("consent_version")?,
        consented_at: row.try_get("consented_at")?,
        created_at: row.try_get("created_at")?,
        completed_at: row.try_get("completed_at")?,
        files_expire_at: row.try_get("files_expire_at")?,
        files_deleted_at: row.try_get("files_deleted_at")?,
        redacted_at: row.try_get("redacted_at")?,
        reviewed_at: row.try_get("reviewed_at")?,
        review_note: row.try_get("review_note")?,
        document: row
            .try_get::<Option<String>, _>("document")?
            .and_then(|j| serde_json::from_str(&j).ok()),
        id_back_key: row.try_get("id_back_key")?,
        id_back_file_name: row.try_get("id_back_file_name")?,
    })
}

/// A partner's own check (another partner's id reads as absent).
pub async fn get(
    db: &Db,
    partner_id: &str,
    check_id: &str,
) -> Result<Option<CheckRecord>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM checks WHERE id = $1 AND partner_id = $2"
    ))
    .bind(check_id)
    .bind(partner_id)
    .fetch_optional(&db.pool)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// The guide's `result` object, with links minted now (empty once the files are deleted).
pub async fn to_result(
    c: &CheckRecord,
    storage: &Storage,
    ttl: std::time::Duration,
) -> anyhow::Result<VerificationResult> {
    let link = |key: String| async move {
        if c.files_deleted_at.is_some() {
            Ok::<_, anyhow::Error>(String::new())
        } else {
            storage.read_url(&key, ttl).await
        }
    };
    Ok(VerificationResult {
        session_id: c.id.clone(),
        timestamp: rfc3339_ms(c.completed_at),
        files: Files {
            selfie_video: FileRef {
                url: link(c.selfie_key.clone()).await?,
                file_name: c.selfie_file_name.clone(),
            },
            id_photo: FileRef {
                url: link(c.id_key.clone()).await?,
                file_name: c.id_file_name.clone(),
            },
            id_photo_back: match (&c.id_back_key, &c.id_back_file_name) {
                (Some(key), Some(name)) => Some(FileRef {
                    url: link(key.clone()).await?,
                    file_name: name.clone(),
                }),
                _ => None,
            },
        },
        face_comparison: c.face.clone(),
        verification_assessment: VerificationAssessment {
            overall_score: c.overall_score,
            verification_status: c.status,
            confidence_level: c.confidence_level,
            summary: c.summary.clone(),
            risk_factors: c.risk_factors.clone(),
        },
        status: c.status,
        document: c.document.clone(),
    })
}

/// A check's stored files: the selfie, the ID photo and its back when there is one.
pub fn file_keys(selfie_key: String, id_key: String, id_back_key: Option<String>) -> Vec<String> {
    [Some(selfie_key), Some(id_key), id_back_key]
        .into_iter()
        .flatten()
        .collect()
}

/// Filters of a check list (the partner API and the dashboard), validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListFilter {
    pub user_identifier: Option<String>,
    pub status: Option<Status>,
    /// Epoch ms: created at or after.
    pub since: Option<i64>,
    pub limit: i64,
    /// Keyset position: (created_at, id) of the last row seen.
    pub cursor: Option<(i64, String)>,
}

impl ListFilter {
    /// From the query parameters; a 400 names the bad one. An empty `status`, `since` or
    /// `limit` is refused like any other bad value (the OpenAPI document types them).
    pub fn parse(
        user_identifier: Option<String>,
        status: Option<&str>,
        since: Option<&str>,
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
        let status = match status {
            None => None,
            Some(s) => Some(Status::parse(s).ok_or_else(|| {
                AppError::bad_request("status must be one of verified, rejected, review")
            })?),
        };
        let since = match since {
            None => None,
            Some(s) => Some(
                chrono::DateTime::parse_from_rfc3339(s)
                    .map_err(|_| {
                        AppError::bad_request(
                            "since must be an RFC 3339 time such as 2026-01-15T10:30:00Z",
                        )
                    })?
                    .timestamp_millis(),
            ),
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
            status,
            since,
            limit,
            cursor,
        })
    }
}

/// One row of a check list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Summary {
    pub check_id: String,
    pub user_identifier: String,
    pub status: String,
    pub similarity_score: i64,
    pub overall_score: i64,
    pub created_at: String,
    pub completed_at: String,
}

pub fn cursor_encode(created_at: i64, id: &str) -> String {
    B64URL.encode(format!("{created_at}:{id}"))
}

pub fn cursor_decode(c: &str) -> Option<(i64, String)> {
    let raw = String::from_utf8(B64URL.decode(c).ok()?).ok()?;
    let (t, id) = raw.split_once(':')?;
    Some((t.parse().ok()?, id.to_string()))
}

/// A partner's checks of one mode, newest first, and the cursor of the next page.
pub async fn list(
    db: &Db,
    partner_id: &str,
    livemode: bool,
    f: &ListFilter,
) -> Result<(Vec<Summary>, Option<String>), sqlx::Error> {
    // one statement, optional filters as `($n IS NULL OR …)`, keyset pagination
    let rows = sqlx::query(
        "SELECT id, user_identifier, status, similarity_score, overall_score, created_at, completed_at FROM checks \
         WHERE partner_id = $1 AND livemode = $2 \
         AND ($3 IS NULL OR user_identifier = $3) AND ($4 IS NULL OR status = $4) \
         AND ($5 IS NULL OR created_at >= $5) \
         AND ($6 IS NULL OR created_at < $6 OR (created_at = $6 AND id < $7)) \
         ORDER BY created_at DESC, id DESC LIMIT $8",
    )
    .bind(partner_id)
    .bind(i16::from(livemode))
    .bind(&f.user_identifier)
    .bind(f.status.map(|s| s.as_str()))
    .bind(f.since)
    .bind(f.cursor.as_ref().map(|c| c.0))
    .bind(f.cursor.as_ref().map(|c| c.1.clone()).unwrap_or_default())
    .bind(f.limit + 1)
    .fetch_all(&db.pool)
    .await?;
    let more = rows.len() as i64 > f.limit;
    let mut data = Vec::new();
    for r in rows.iter().take(f.limit as usize) {
        data.push(Summary {
            check_id: r.try_get("id")?,
            user_identifier: r.try_get("user_identifier")?,
            status: r.try_get("status")?,
            similarity_score: r.try_get("similarity_score")?,
            overall_score: r.try_get("overall_score")?,
            created_at: rfc3339_ms(r.try_get("created_at")?),
            completed_at: rfc3339_ms(r.try_get("completed_at")?),
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

/// Redacts a check now: both files deleted from storage, email and phone blanked, the record
/// kept with `redacted_at`, a `verification.redacted` webhook queued, the audit log told.
/// Repeating it changes nothing. Returns the redaction time.
pub async fn redact(state: &AppState, check: &CheckRecord, actor: &Actor) -> Result<i64, AppError> {
    if let Some(at) = check.redacted_at {
        return Ok(at);
    }
    // files first: a failure here leaves the record unredacted, and the call can be repeated
    for key in &file_keys(
        check.selfie_key.clone(),
        check.id_key.clone(),
        check.id_back_key.clone(),
    ) {
        state
            .storage
            .delete(key)
            .await
            .map_err(|e| AppError::internal(format!("check {}: redaction", check.id), e))?;
    }
    let now = now_ms();
    let mut tx = state.db.pool.begin().await?;
    let n = sqlx::query(
        "UPDATE checks SET user_email = NULL, user_phone = NULL, selfie_sha256 = NULL, document = NULL, redacted_at = $2, \
         files_deleted_at = COALESCE(files_deleted_at, $2) WHERE id = $1 AND redacted_at IS NULL",
    )
    .bind(&check.id)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 1 {
        super::capture_links::forget_contact(&mut tx, &check.id).await?;
        outbox::enqueue(&mut tx, &check.id, &check.partner_id, Event::Redacted).await?;
        audit::record(
            &mut *tx,
            audit::Entry::new(&check.partner_id, actor, Action::CheckRedacted)
                .mode(check.livemode)
                .check(&check.id),
        )
        .await?;
    }
    tx.commit().await?;
    state.webhook_notify.notify_one();
    tracing::info!(check_id = %check.id, partner_id = %check.partner_id, "check redacted");
    Ok(now)
}

/// A review decision's input: `verified` or `rejected`, and an optional note (2000 characters).
pub fn review_input(
    decision: Option<&str>,
    note: Option<String>,
) -> Result<(Status, Option<String>), AppError> {
    let decision = match decision {
        Some("verified") => Status::Verified,
        Some("rejected") => Status::Rejected,
        _ => {
            return Err(AppError::bad_request(
                "decision must be verified or rejected",
            ));
        }
    };
    let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > 2000) {
        return Err(AppError::bad_request(
            "note must be at most 2000 characters",
        ));
    }
    Ok((decision, note))
}

/// Decides a check in `review`, queues the final webhook (`verification.reviewed`) and tells
/// the audit log. Returns the decision time; 409 when the check is not in review.
pub async fn review(
    state: &AppState,
    check: &CheckRecord,
    decision: Status,
    note: Option<String>,
    actor: &Actor,
) -> Result<i64, AppError> {
    if check.redacted_at.is_some() {
        return Err(AppError::Conflict("This check was redacted".into()));
    }
    let now = now_ms();
    let mut tx = state.db.pool.begin().await?;
    let n = sqlx::query(
        "UPDATE checks SET status = $2, reviewed_at = $3, review_note = $4 WHERE id = $1 AND status = 'review'",
    )
    .bind(&check.id)
    .bind(decision.as_str())
    .bind(now)
    .bind(&note)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(AppError::Conflict(format!(
            "Only checks in review can be decided; this one is {}",
            check.status.as_str()
        )));
    }
    outbox::enqueue(&mut tx, &check.id, &check.partner_id, Event::Reviewed).await?;
    audit::record(
        &mut *tx,
        audit::Entry::new(&check.partner_id, actor, Action::CheckReviewed)
            .mode(check.livemode)
            .check(&check.id)
            .detail(format!("decision: {}", decision.as_str())),
    )
    .await?;
    tx.commit().await?;
    state.webhook_notify.notify_one();
    tracing::info!(check_id = %check.id, decision = decision.as_str(), "review decided");
    Ok(now)
}

#[cfg(test)]
mod tests {
    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let c = super::cursor_encode(1_700_000_000_123, "a-b:c");
        assert_eq!(
            super::cursor_decode(&c),
            Some((1_700_000_000_123, "a-b:c".to_string()))
        );
        assert_eq!(super::cursor_decode("!!"), None);
        use base64::Engine as _;
        assert_eq!(super::cursor_decode(&super::B64URL.encode("x:y")), None);
    }

    #[test]
    fn timestamps_have_millis_and_z() {
        assert_eq!(
            super::rfc3339_ms(1_705_314_600_000),
            "2024-01-15T10:30:00.000Z"
        );
    }
}
