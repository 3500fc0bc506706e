//! Check records: written once, in one transaction with their webhook outbox row; read back into
//! the guide's `result` object with freshly minted file links.

use sqlx::Row;

use super::{
    db::{Db, now_ms},
    storage::Storage,
};
use crate::contract::{
    ConfidenceLevel, FaceComparison, FileRef, Files, Status, VerificationAssessment,
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
}

/// The event a completed check puts in the outbox.
pub const EVENT_COMPLETED: &str = "verification.completed";
/// A `review` check decided by a person (same payload as completed, final status).
pub const EVENT_REVIEWED: &str = "verification.reviewed";
/// A check redacted by the partner (files deleted, contact details blanked).
pub const EVENT_REDACTED: &str = "verification.redacted";

/// Queues a webhook event for a check, in the caller's transaction.
pub async fn enqueue_event(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    check_id: &str,
    partner_id: &str,
    event_type: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO webhook_deliveries (id, check_id, partner_id, event_type, status, attempts, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5)",
    )
    .bind(format!("msg_{}", uuid::Uuid::new_v4().simple()))
    .bind(check_id)
    .bind(partner_id)
    .bind(event_type)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// RFC 3339 UTC with milliseconds and `Z`, as the guide shows.
pub fn rfc3339_ms(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Stores the check and its outbox row in the caller's transaction.
pub async fn insert(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    c: &CheckRecord,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO checks (id, partner_id, livemode, user_identifier, user_email, user_phone, status, is_identical, confidence, \
         similarity_score, method, overall_score, confidence_level, summary, risk_factors, review_reason, storage_backend, \
         selfie_key, selfie_file_name, id_key, id_file_name, consent_version, consented_at, created_at, completed_at, files_expire_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)",
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
    .execute(&mut **tx)
    .await?;
    enqueue_event(tx, &c.id, &c.partner_id, EVENT_COMPLETED).await
}

const COLUMNS: &str = "id, partner_id, livemode, user_identifier, user_email, user_phone, status, is_identical, confidence, \
    similarity_score, method, overall_score, confidence_level, summary, risk_factors, review_reason, storage_backend, \
    selfie_key, selfie_file_name, id_key, id_file_name, consent_version, consented_at, created_at, completed_at, files_expire_at, files_deleted_at, redacted_at, reviewed_at";

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
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn timestamps_have_millis_and_z() {
        assert_eq!(
            super::rfc3339_ms(1_705_314_600_000),
            "2024-01-15T10:30:00.000Z"
        );
    }
}
