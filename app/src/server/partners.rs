//! Partners, their themes and their API keys.
//!
//! API keys are `idv_live_` / `idv_test_` followed by 48 hex characters (192 random bits). The
//! first 16 of those are a lookup id; only the SHA-256 of the whole key is stored, and it is
//! compared in constant time. A fast hash is right here: the keys are random, not passwords.
//! The webhook secret (`whsec_` + base64 of 32 random bytes) must be usable for signing, so it
//! is stored encrypted under the master key.

use base64::{Engine, engine::general_purpose::STANDARD as B64};
use serde::Serialize;
use sqlx::Row;

use super::{
    crypto::{MasterKey, ct_eq, random_bytes, sha256_hex},
    db::{Db, now_ms},
};
use crate::{contract::Theme, theme::parse_hex};

pub const DEFAULT_PRIMARY: &str = "#1f4ed8";
pub const DEFAULT_ACCENT: &str = "#0ea5e9";

/// A rejected value, naming the field.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{field}: {problem}")]
pub struct Invalid {
    pub field: &'static str,
    pub problem: String,
}

fn invalid(field: &'static str, problem: impl Into<String>) -> Invalid {
    Invalid {
        field,
        problem: problem.into(),
    }
}

/// `#rrggbb`, normalised to lower case (`#rgb` is expanded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HexColor(String);

impl HexColor {
    pub fn parse(field: &'static str, s: &str) -> Result<Self, Invalid> {
        let (r, g, b) = parse_hex(s.trim())
            .ok_or_else(|| invalid(field, format!("`{s}` is not a colour like #1f4ed8")))?;
        Ok(Self(format!("#{r:02x}{g:02x}{b:02x}")))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An absolute http(s) URL with a host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl(String);

impl HttpUrl {
    pub fn parse(field: &'static str, s: &str) -> Result<Self, Invalid> {
        let u = url::Url::parse(s.trim())
            .map_err(|e| invalid(field, format!("`{s}` is not a URL: {e}")))?;
        if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
            return Err(invalid(
                field,
                format!("`{s}` must be an http:// or https:// URL"),
            ));
        }
        if !u.username().is_empty() || u.password().is_some() {
            return Err(invalid(field, "must not contain credentials"));
        }
        Ok(Self(u.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A web origin: scheme, host and port only (`https://partner.example`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin(String);

impl Origin {
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let field = "allowed_origin";
        let u = url::Url::parse(s.trim())
            .map_err(|e| invalid(field, format!("`{s}` is not a URL: {e}")))?;
        if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
            return Err(invalid(
                field,
                format!("`{s}` must be an http(s) origin like https://partner.example"),
            ));
        }
        if u.path() != "/" || u.query().is_some() || u.fragment().is_some() {
            return Err(invalid(
                field,
                format!("`{s}` must be an origin only, without a path"),
            ));
        }
        Ok(Self(u.origin().ascii_serialization()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn parse_name(s: &str) -> Result<String, Invalid> {
    let t = s.trim();
    if t.is_empty() || t.chars().count() > 100 || t.chars().any(char::is_control) {
        return Err(invalid("name", "must be 1 to 100 printable characters"));
    }
    Ok(t.to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyMode {
    Live,
    Test,
}

impl KeyMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Live => "live",
            Self::Test => "test",
        }
    }
}

/// A freshly generated API key: the full key is shown once, then only its hash is kept.
pub struct NewApiKey {
    pub key: String,
    pub lookup: String,
    pub hash: String,
}

impl NewApiKey {
    pub fn generate(mode: KeyMode) -> Self {
        let secret = hex::encode(random_bytes::<24>());
        let key = format!("idv_{}_{secret}", mode.as_str());
        Self {
            lookup: secret[..16].to_string(),
            hash: sha256_hex(key.as_bytes()),
            key,
        }
    }
}

/// Splits a presented key into (mode, lookup id) when it has the right shape.
fn key_lookup(key: &str) -> Option<(KeyMode, &str)> {
    let (mode, secret) = if let Some(s) = key.strip_prefix("idv_live_") {
        (KeyMode::Live, s)
    } else if let Some(s) = key.strip_prefix("idv_test_") {
        (KeyMode::Test, s)
    } else {
        return None;
    };
    (secret.len() == 48
        && secret
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()))
    .then(|| (mode, &secret[..16]))
}

pub fn generate_webhook_secret() -> String {
    format!("whsec_{}", B64.encode(random_bytes::<32>()))
}

#[derive(Debug, Clone, Serialize)]
pub struct Partner {
    pub id: String,
    pub name: String,
    pub theme: Theme,
    pub webhook_url: Option<String>,
    pub allowed_origins: Vec<String>,
    pub disabled: bool,
    pub created_at: i64,
}

/// The partner an API key belongs to, as authenticated.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub partner: Partner,
    pub mode: KeyMode,
}

#[derive(Debug, Default)]
pub struct NewPartner {
    pub name: String,
    pub display_name: Option<String>,
    pub webhook_url: Option<String>,
    pub primary_color: Option<String>,
    pub accent_color: Option<String>,
    pub logo_url: Option<String>,
    pub allowed_origins: Vec<String>,
}

/// Changes to a partner; `None` leaves a field as it is. An empty string clears an optional URL.
#[derive(Debug, Default)]
pub struct PartnerUpdate {
    pub name: Option<String>,
    pub display_name: Option<String>,
    pub webhook_url: Option<String>,
    pub primary_color: Option<String>,
    pub accent_color: Option<String>,
    pub logo_url: Option<String>,
    pub allowed_origins: Option<Vec<String>>,
}

/// What `idv partner create` prints: the only time the key and secret are shown.
#[derive(Debug, Serialize)]
pub struct CreatedPartner {
    pub partner_id: String,
    pub api_key: String,
    /// `idv_test_…`: test mode (checks marked `livemode: false`, magic user identifiers).
    pub test_api_key: String,
    pub webhook_secret: String,
}

fn optional_url(field: &'static str, v: Option<String>) -> Result<Option<String>, Invalid> {
    match v {
        Some(s) if !s.trim().is_empty() => Ok(Some(HttpUrl::parse(field, &s)?.0)),
        _ => Ok(None),
    }
}

fn origins(list: &[String]) -> Result<String, Invalid> {
    let parsed = list
        .iter()
        .map(|o| Origin::parse(o).map(|o| o.0))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(serde_json::to_string(&parsed).expect("strings serialize"))
}

#[derive(Debug, thiserror::Error)]
pub enum PartnerError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("no partner with id {0}")]
    NotFound(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

const PARTNER_COLUMNS: &str = "id, name, display_name, primary_color, accent_color, logo_url, webhook_url, allowed_origins, disabled, created_at";

fn partner_from_row(row: &sqlx::any::AnyRow) -> Result<Partner, sqlx::Error> {
    let origins: String = row.try_get("allowed_origins")?;
    Ok(Partner {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        theme: Theme {
            display_name: row.try_get("display_name")?,
            primary_color: row.try_get("primary_color")?,
            accent_color: row.try_get("accent_color")?,
            logo_url: row.try_get("logo_url")?,
        },
        webhook_url: row.try_get("webhook_url")?,
        allowed_origins: serde_json::from_str(&origins).unwrap_or_default(),
        disabled: row.try_get::<i16, _>("disabled")? != 0,
        created_at: row.try_get("created_at")?,
    })
}

pub async fn create(
    db: &Db,
    master: &MasterKey,
    new: NewPartner,
) -> Result<CreatedPartner, PartnerError> {
    let name = parse_name(&new.name)?;
    let display_name = match new.display_name {
        Some(d) => parse_name(&d).map_err(|e| invalid("display_name", e.problem))?,
        None => name.clone(),
    };
    let primary = HexColor::parse(
        "primary_color",
        new.primary_color.as_deref().unwrap_or(DEFAULT_PRIMARY),
    )?;
    let accent = HexColor::parse(
        "accent_color",
        new.accent_color.as_deref().unwrap_or(DEFAULT_ACCENT),
    )?;
    let logo = optional_url("logo_url", new.logo_url)?;
    let webhook = optional_url("webhook_url", new.webhook_url)?;
    let allowed = origins(&new.allowed_origins)?;

    let id = uuid::Uuid::new_v4().to_string();
    let secret = generate_webhook_secret();
    let key = NewApiKey::generate(KeyMode::Live);
    let test_key = NewApiKey::generate(KeyMode::Test);
    let now = now_ms();

    let mut tx = db.pool.begin().await?;
    sqlx::query(
        "INSERT INTO partners (id, name, display_name, primary_color, accent_color, logo_url, webhook_url, \
         webhook_secret_enc, allowed_origins, disabled, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $10)",
    )
    .bind(&id)
    .bind(&name)
    .bind(&display_name)
    .bind(primary.as_str())
    .bind(accent.as_str())
    .bind(logo)
    .bind(webhook)
    .bind(master.encrypt(&secret))
    .bind(allowed)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    insert_key(&mut tx, &id, KeyMode::Live, &key, now).await?;
    insert_key(&mut tx, &id, KeyMode::Test, &test_key, now).await?;
    tx.commit().await?;
    tracing::info!(partner_id = %id, "partner created");
    Ok(CreatedPartner {
        partner_id: id,
        api_key: key.key,
        test_api_key: test_key.key,
        webhook_secret: secret,
    })
}

async fn insert_key(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    partner_id: &str,
    mode: KeyMode,
    key: &NewApiKey,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO api_keys (id, partner_id, mode, lookup, key_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, NULL)")
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(partner_id)
        .bind(mode.as_str())
        .bind(&key.lookup)
        .bind(&key.hash)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn list(db: &Db) -> Result<Vec<Partner>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT {PARTNER_COLUMNS} FROM partners ORDER BY created_at, id"
    ))
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(partner_from_row).collect()
}

pub async fn get(db: &Db, id: &str) -> Result<Option<Partner>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {PARTNER_COLUMNS} FROM partners WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    row.as_ref().map(partner_from_row).transpose()
}

pub async fn update(db: &Db, id: &str, upd: PartnerUpdate) -> Result<Partner, PartnerError> {
    let current = get(db, id)
        .await?
        .ok_or_else(|| PartnerError::NotFound(id.into()))?;
    let name = upd
        .name
        .as_deref()
        .map(parse_name)
        .transpose()?
        .unwrap_or(current.name);
    let display_name = match upd.display_name {
        Some(d) => parse_name(&d).map_err(|e| invalid("display_name", e.problem))?,
        None => current.theme.display_name,
    };
    let primary = match upd.primary_color {
        Some(c) => HexColor::parse("primary_color", &c)?.0,
        None => current.theme.primary_color,
    };
    let accent = match upd.accent_color {
        Some(c) => HexColor::parse("accent_color", &c)?.0,
        None => current.theme.accent_color,
    };
    let logo = match upd.logo_url {
        Some(u) => optional_url("logo_url", Some(u))?,
        None => current.theme.logo_url,
    };
    let webhook = match upd.webhook_url {
        Some(u) => optional_url("webhook_url", Some(u))?,
        None => current.webhook_url,
    };
    let allowed = match upd.allowed_origins {
        Some(list) => origins(&list)?,
        None => serde_json::to_string(&current.allowed_origins).expect("strings serialize"),
    };
    sqlx::query(
        "UPDATE partners SET name = $2, display_name = $3, primary_color = $4, accent_color = $5, logo_url = $6, \
         webhook_url = $7, allowed_origins = $8, updated_at = $9 WHERE id = $1",
    )
    .bind(id)
    .bind(name)
    .bind(display_name)
    .bind(primary)
    .bind(accent)
    .bind(logo)
    .bind(webhook)
    .bind(allowed)
    .bind(now_ms())
    .execute(&db.pool)
    .await?;
    get(db, id)
        .await?
        .ok_or_else(|| PartnerError::NotFound(id.into()))
}

pub async fn set_disabled(db: &Db, id: &str, disabled: bool) -> Result<(), PartnerError> {
    let res = sqlx::query("UPDATE partners SET disabled = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(i16::from(disabled))
        .bind(now_ms())
        .execute(&db.pool)
        .await?;
    if res.rows_affected() == 0 {
        return Err(PartnerError::NotFound(id.into()));
    }
    tracing::info!(partner_id = %id, disabled, "partner status changed");
    Ok(())
}

/// Issues a new key of `mode`. Keys of that mode issued before keep working until `grace` has
/// passed. Recorded in the audit log.
pub async fn rotate_key(
    db: &Db,
    id: &str,
    mode: KeyMode,
    grace: std::time::Duration,
    actor: &super::audit::Actor,
) -> Result<String, PartnerError> {
    get(db, id)
        .await?
        .ok_or_else(|| PartnerError::NotFound(id.into()))?;
    let now = now_ms();
    let until = now + i64::try_from(grace.as_millis()).unwrap_or(i64::MAX / 2);
    let key = NewApiKey::generate(mode);
    let mut tx = db.pool.begin().await?;
    sqlx::query(
        "UPDATE api_keys SET expires_at = $3 WHERE partner_id = $1 AND mode = $2 AND (expires_at IS NULL OR expires_at > $3)",
    )
    .bind(id)
    .bind(mode.as_str())
    .bind(until)
    .execute(&mut *tx)
    .await?;
    insert_key(&mut tx, id, mode, &key, now).await?;
    super::audit::record(
        &mut *tx,
        super::audit::Entry {
            partner_id: id,
            actor,
            action: super::audit::Action::ApiKeyRotated,
            check_id: None,
            detail: Some(format!(
                "{} key; the old one works for {} s",
                mode.as_str(),
                grace.as_secs()
            )),
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(partner_id = %id, grace_secs = grace.as_secs(), "API key rotated");
    Ok(key.key)
}

/// Issues a new webhook signing secret (returned once). Webhooks are signed with the old one
/// too, a second signature in the same header, until `grace` has passed.
pub async fn rotate_webhook_secret(
    db: &Db,
    master: &MasterKey,
    id: &str,
    grace: std::time::Duration,
    actor: &super::audit::Actor,
) -> Result<String, PartnerError> {
    let secret = generate_webhook_secret();
    let until = now_ms() + i64::try_from(grace.as_millis()).unwrap_or(i64::MAX / 2);
    let mut tx = db.pool.begin().await?;
    let n = sqlx::query(
        "UPDATE partners SET webhook_secret_prev_enc = webhook_secret_enc, webhook_secret_prev_until = $3, \
         webhook_secret_enc = $2, updated_at = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(master.encrypt(&secret))
    .bind(until)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(PartnerError::NotFound(id.into()));
    }
    super::audit::record(
        &mut *tx,
        super::audit::Entry {
            partner_id: id,
            actor,
            action: super::audit::Action::WebhookSecretRotated,
            check_id: None,
            detail: Some(format!(
                "the old secret also signs for {} s",
                grace.as_secs()
            )),
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(partner_id = %id, grace_secs = grace.as_secs(), "webhook secret rotated");
    Ok(secret)
}

/// The secrets webhooks are signed with now: the current one, and the previous one while its
/// rotation grace lasts.
pub async fn webhook_signing_secrets(
    db: &Db,
    master: &MasterKey,
    id: &str,
) -> anyhow::Result<Vec<String>> {
    let row = sqlx::query(
        "SELECT webhook_secret_enc, webhook_secret_prev_enc, webhook_secret_prev_until FROM partners WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&db.pool)
    .await?;
    let mut out = vec![master.decrypt(&row.try_get::<String, _>("webhook_secret_enc")?)?];
    let prev: Option<String> = row.try_get("webhook_secret_prev_enc")?;
    let until: Option<i64> = row.try_get("webhook_secret_prev_until")?;
    if let (Some(prev), Some(until)) = (prev, until)
        && until > now_ms()
    {
        out.push(master.decrypt(&prev)?);
    }
    Ok(out)
}

/// The webhook signing secret, decrypted.
pub async fn webhook_secret(db: &Db, master: &MasterKey, id: &str) -> anyhow::Result<String> {
    let sealed: String =
        sqlx::query_scalar("SELECT webhook_secret_enc FROM partners WHERE id = $1")
            .bind(id)
            .fetch_one(&db.pool)
            .await?;
    master.decrypt(&sealed)
}

/// The active, enabled partner that owns `api_key`, or `None`.
pub async fn authenticate(db: &Db, api_key: &str) -> Result<Option<Authenticated>, sqlx::Error> {
    let Some((mode, lookup)) = key_lookup(api_key.trim()) else {
        return Ok(None);
    };
    let presented = sha256_hex(api_key.trim().as_bytes());
    let row = sqlx::query(
        "SELECT partner_id, mode, key_hash, expires_at FROM api_keys WHERE lookup = $1",
    )
    .bind(lookup)
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else {
        // Same work as a hit, so timing does not tell a near-miss from a stranger.
        let _ = ct_eq(presented.as_bytes(), sha256_hex(b"").as_bytes());
        return Ok(None);
    };
    let stored: String = row.try_get("key_hash")?;
    let stored_mode: String = row.try_get("mode")?;
    let expires_at: Option<i64> = row.try_get("expires_at")?;
    if !ct_eq(presented.as_bytes(), stored.as_bytes()) || stored_mode != mode.as_str() {
        return Ok(None);
    }
    if expires_at.is_some_and(|t| t <= now_ms()) {
        return Ok(None);
    }
    let partner_id: String = row.try_get("partner_id")?;
    Ok(get(db, &partner_id)
        .await?
        .filter(|p| !p.disabled)
        .map(|partner| Authenticated { partner, mode }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_shape() {
        let k = NewApiKey::generate(KeyMode::Live);
        assert!(k.key.starts_with("idv_live_"));
        assert_eq!(k.key.len(), 9 + 48);
        assert_eq!(key_lookup(&k.key), Some((KeyMode::Live, &k.key[9..25])));
        assert_ne!(k.hash, k.key);
        assert!(key_lookup("idv_live_short").is_none());
        assert!(key_lookup(&k.key.to_uppercase()).is_none());
        assert!(key_lookup(&k.key.replace("idv_live_", "idv_prod_")).is_none());
    }

    #[test]
    fn webhook_secret_shape() {
        let s = generate_webhook_secret();
        let raw = B64.decode(s.strip_prefix("whsec_").unwrap()).unwrap();
        assert_eq!(raw.len(), 32);
    }

    #[test]
    fn validation() {
        assert_eq!(HexColor::parse("c", "#ABC").unwrap().as_str(), "#aabbcc");
        assert!(HexColor::parse("c", "red").is_err());
        assert!(HttpUrl::parse("u", "ftp://x").is_err());
        assert!(HttpUrl::parse("u", "https://user:pw@x").is_err());
        assert_eq!(
            Origin::parse("https://Partner.example:443")
                .unwrap()
                .as_str(),
            "https://partner.example"
        );
        assert!(Origin::parse("https://partner.example/path").is_err());
        assert!(parse_name("  ").is_err());
    }
}
