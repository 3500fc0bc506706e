//! The audit log: who did what to which check, when. Append-only: the code only inserts, and
//! database triggers refuse any UPDATE or DELETE of its rows.
//!
//! Recorded: views of a check's images, exports, redactions, review decisions, key and secret
//! rotations, settings changes, partners created, disabled and enabled, redeliveries,
//! dashboard sign-ins and sign-outs, and every file deletion by the retention sweep. Each
//! entry carries the mode it concerns (live, test, or none for partner-wide operator actions);
//! a dashboard session sees its own mode's entries (a live one also the partner-wide ones).

use sqlx::Row;

use super::db::{Db, now_ms};

/// Who acted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A partner API call, with the key's mode.
    Api { livemode: bool },
    /// A dashboard session (its public id).
    Dashboard { session: String },
    /// The `idv` command line, on the server.
    Operator,
    /// The service itself (the retention sweep).
    System,
}

impl Actor {
    pub fn label(&self) -> String {
        match self {
            Actor::Api { livemode: true } => "api (live key)".into(),
            Actor::Api { livemode: false } => "api (test key)".into(),
            Actor::Dashboard { session } => format!("dashboard session {session}"),
            Actor::Operator => "operator (idv command line)".into(),
            Actor::System => "system (retention sweep)".into(),
        }
    }
}

/// What was done; the stored names are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    ImagesViewed,
    ChecksExported,
    CheckRedacted,
    CheckReviewed,
    ApiKeyRotated,
    WebhookSecretRotated,
    SettingsUpdated,
    WebhookRedelivered,
    FilesDeletedByRetention,
    SignedIn,
    SignedOut,
    PartnerCreated,
    PartnerDisabled,
    PartnerEnabled,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::ImagesViewed => "check.images_viewed",
            Action::ChecksExported => "checks.exported",
            Action::CheckRedacted => "check.redacted",
            Action::CheckReviewed => "check.reviewed",
            Action::ApiKeyRotated => "api_key.rotated",
            Action::WebhookSecretRotated => "webhook_secret.rotated",
            Action::SettingsUpdated => "settings.updated",
            Action::WebhookRedelivered => "webhook.redelivered",
            Action::FilesDeletedByRetention => "retention.files_deleted",
            Action::SignedIn => "dashboard.signed_in",
            Action::SignedOut => "dashboard.signed_out",
            Action::PartnerCreated => "partner.created",
            Action::PartnerDisabled => "partner.disabled",
            Action::PartnerEnabled => "partner.enabled",
        }
    }
}

/// One entry to append.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub partner_id: &'a str,
    pub actor: &'a Actor,
    pub action: Action,
    /// The mode it concerns: `Some(true)` live, `Some(false)` test, `None` partner-wide.
    pub livemode: Option<bool>,
    pub check_id: Option<&'a str>,
    /// Short, never biometric, never a secret.
    pub detail: Option<String>,
}

impl<'a> Entry<'a> {
    /// A partner-wide entry with no detail; the methods below add the rest.
    pub fn new(partner_id: &'a str, actor: &'a Actor, action: Action) -> Self {
        Self {
            partner_id,
            actor,
            action,
            livemode: None,
            check_id: None,
            detail: None,
        }
    }
    /// The mode it concerns (`true`: live).
    pub fn mode(mut self, live: bool) -> Self {
        self.livemode = Some(live);
        self
    }
    pub fn check(mut self, check_id: &'a str) -> Self {
        self.check_id = Some(check_id);
        self
    }
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

/// Appends `e`, inside the caller's transaction or on a pool connection.
pub async fn record<'c, E>(exec: E, e: Entry<'_>) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO audit_log (id, partner_id, at, actor, action, livemode, check_id, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(e.partner_id)
    .bind(now_ms())
    .bind(e.actor.label())
    .bind(e.action.as_str())
    .bind(e.livemode.map(i16::from))
    .bind(e.check_id)
    .bind(e.detail)
    .execute(exec)
    .await?;
    Ok(())
}

/// A recorded entry.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Recorded {
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub check_id: Option<String>,
    pub detail: Option<String>,
}

/// A partner's entries of one mode, newest first (a live view also shows the partner-wide
/// entries); `check_id` narrows to one check.
pub async fn list(
    db: &Db,
    partner_id: &str,
    livemode: bool,
    check_id: Option<&str>,
    limit: i64,
) -> Result<Vec<Recorded>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT at, actor, action, check_id, detail FROM audit_log WHERE partner_id = $1 \
         AND (livemode = $2 OR ($2 = 1 AND livemode IS NULL)) \
         AND ($3 IS NULL OR check_id = $3) ORDER BY at DESC, id DESC LIMIT $4",
    )
    .bind(partner_id)
    .bind(i16::from(livemode))
    .bind(check_id)
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Recorded {
                at: r.try_get("at")?,
                actor: r.try_get("actor")?,
                action: r.try_get("action")?,
                check_id: r.try_get("check_id")?,
                detail: r.try_get("detail")?,
            })
        })
        .collect()
}
