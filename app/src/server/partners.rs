//! Partners, their themes, their keys and their per-mode settings.
//!
//! Each partner has two kinds of key in each mode (live, test):
//! - a **capture key** (`idv_live_…` / `idv_test_…`): the guide's `api_key`. It may sit in a
//!   capture URL, an iframe `src` or a browser's history, so it only opens the capture page and
//!   submits checks (`GET /verif/`, `POST /verif/submit`); it reads and changes nothing else.
//! - a **secret key** (`idv_sk_live_…` / `idv_sk_test_…`): the partner's server credential for
//!   `/v1` and the dashboard. It never belongs in a browser: a capture URL refuses it.
//!
//! Every key is a prefix and 48 hex characters (192 random bits). The first 16 of those are a
//! lookup id; only the SHA-256 of the whole key is stored, and it is compared in constant time.
//! A fast hash is right here: the keys are random, not passwords.
//!
//! The webhook URL, the allowed origins and the webhook secret are kept per mode (as Stripe
//! does), so a test key can never point live payloads at a server of its choosing. The webhook
//! secret (`whsec_` + base64 of 32 random bytes) must be usable for signing, so it is stored
//! encrypted under the master key.

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum KeyMode {
    #[default]
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
    pub fn from_livemode(livemode: bool) -> Self {
        if livemode { Self::Live } else { Self::Test }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "live" => Some(Self::Live),
            "test" => Some(Self::Test),
            _ => None,
        }
    }
    pub fn is_live(self) -> bool {
        self == Self::Live
    }
}

/// What a key may do: capture (the guide's `/verif/` endpoints only) or everything (secret).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum KeyKind {
    #[default]
    Capture,
    Secret,
}

impl KeyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Capture => "capture",
            Self::Secret => "secret",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "capture" => Some(Self::Capture),
            "secret" => Some(Self::Secret),
            _ => None,
        }
    }
    fn prefix(self, mode: KeyMode) -> &'static str {
        match (self, mode) {
            (Self::Capture, KeyMode::Live) => "idv_live_",
            (Self::Capture, KeyMode::Test) => "idv_test_",
            (Self::Secret, KeyMode::Live) => "idv_sk_live_",
            (Self::Secret, KeyMode::Test) => "idv_sk_test_",
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
    pub fn generate(kind: KeyKind, mode: KeyMode) -> Self {
        let secret = hex::encode(random_bytes::<24>());
        let key = format!("{}{secret}", kind.prefix(mode));
        Self {
            lookup: secret[..16].to_string(),
            hash: sha256_hex(key.as_bytes()),
            key,
        }
    }
}

/// A presented key's shape: (kind, mode, lookup id) when it looks like one of ours.
pub fn key_lookup(key: &str) -> Option<(KeyKind, KeyMode, &str)> {
    let (kind, mode, secret) = [
        (KeyKind::Secret, KeyMode::Live),
        (KeyKind::Secret, KeyMode::Test),
        (KeyKind::Capture, KeyMode::Live),
        (KeyKind::Capture, KeyMode::Test),
    ]
    .into_iter()
    .find_map(|(k, m)| key.strip_prefix(k.prefix(m)).map(|s| (k, m, s)))?;
    (secret.len() == 48
        && secret
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()))
    .then(|| (kind, mode, &secret[..16]))
}

pub fn generate_webhook_secret() -> String {
    format!("whsec_{}", B64.encode(random_bytes::<32>()))
}

/// What a mode (live or test) of a partner is configured with.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ModeSettings {
    pub webhook_url: Option<String>,
    /// Origins that may embed the capture page and receive its redirects and messages.
    pub allowed_origins: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Partner {
    pub id: String,
    pub name: String,
    pub theme: Theme,
    /// Live mode's settings (shown at the top level of `idv partner list`).
    #[serde(flatten)]
    pub live: ModeSettings,
    pub test: ModeSettings,
    pub disabled: bool,
    /// Whether the retention sweep keeps what was read off identity documents when it deletes
    /// the files (README "Documents"); off by default.
    pub keep_document_data: bool,
    /// The capture page's language when the user's browser names none of its languages
    /// (one of `i18n::LANGUAGES`' tags).
    pub default_locale: Option<String>,
    /// The partner's help page, offered on the capture page to a user who cannot use the
    /// camera.
    pub help_url: Option<String>,
    pub created_at: i64,
}

impl Partner {
    pub fn settings(&self, mode: KeyMode) -> &ModeSettings {
        match mode {
            KeyMode::Live => &self.live,
            KeyMode::Test => &self.test,
        }
    }
}

/// The partner a key belongs to, as authenticated.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub partner: Partner,
    pub mode: KeyMode,
    /// The key's row (None when the partner was reached through a capture session).
    pub key_id: Option<String>,
}

impl Authenticated {
    /// The settings of the mode this key (or session) is in.
    pub fn settings(&self) -> &ModeSettings {
        self.partner.settings(self.mode)
    }
}

#[derive(Debug, Default)]
pub struct NewPartner {
    pub name: String,
    pub display_name: Option<String>,
    /// For both modes at creation; each mode changes its own afterwards.
    pub webhook_url: Option<String>,
    pub primary_color: Option<String>,
    pub accent_color: Option<String>,
    pub logo_url: Option<String>,
    /// For both modes at creation.
    pub allowed_origins: Vec<String>,
    /// See [`Partner::keep_document_data`].
    pub keep_document_data: bool,
    /// See [`Partner::default_locale`].
    pub default_locale: Option<String>,
    /// See [`Partner::help_url`].
    pub help_url: Option<String>,
}

/// Changes to a partner; `None` leaves a field as it is. An empty string clears an optional URL.
/// The name and theme are the partner's (what its live users see); the webhook URL and the
/// allowed origins are those of `mode`.
#[derive(Debug, Default)]
pub struct PartnerUpdate {
    pub name: Option<String>,
    pub display_name: Option<String>,
    pub primary_color: Option<String>,
    pub accent_color: Option<String>,
    pub logo_url: Option<String>,
    pub mode: KeyMode,
    pub webhook_url: Option<String>,
    pub allowed_origins: Option<Vec<String>>,
    /// Partner-wide: see [`Partner::keep_document_data`].
    pub keep_document_data: Option<bool>,
    /// Partner-wide; an empty string clears it.
    pub default_locale: Option<String>,
    /// Partner-wide; an empty string clears it.
    pub help_url: Option<String>,
}

impl PartnerUpdate {
    /// Whether it changes what only a live credential may change (name and theme).
    pub fn touches_partner_wide(&self) -> bool {
        self.name.is_some()
            || self.display_name.is_some()
            || self.primary_color.is_some()
            || self.accent_color.is_some()
            || self.logo_url.is_some()
            || self.keep_document_data.is_some()
            || self.default_locale.is_some()
            || self.help_url.is_some()
    }
}

/// What `idv partner create` prints: the only time the keys and secrets are shown.
#[derive(Debug, Serialize)]
pub struct CreatedPartner {
    pub partner_id: String,
    /// Live capture key (`idv_live_…`): the guide's `api_key`, for capture links only.
    pub api_key: String,
    /// Test capture key (`idv_test_…`): checks marked `livemode: false`, magic user identifiers.
    pub test_api_key: String,
    /// Live secret key (`idv_sk_live_…`): `/v1` and the dashboard; server-side only.
    pub secret_key: String,
    /// Test secret key (`idv_sk_test_…`).
    pub test_secret_key: String,
    /// Signs live webhooks.
    pub webhook_secret: String,
    /// Signs test webhooks.
    pub test_webhook_secret: String,
}

/// A partner's default page language: a supported tag, or none (empty).
fn optional_locale(v: Option<String>) -> Result<Option<String>, Invalid> {
    match v {
        Some(s) if !s.trim().is_empty() => super::i18n::parse_locale(&s)
            .map(|t| Some(t.to_string()))
            .map_err(|e| invalid("locale", e)),
        _ => Ok(None),
    }
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

const PARTNER_COLUMNS: &str = "id, name, display_name, primary_color, accent_color, logo_url, disabled, keep_document_data, default_locale, help_url, created_at";

fn ms(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 4)
}

async fn partner_from_row(db: &Db, row: &sqlx::any::AnyRow) -> Result<Partner, sqlx::Error> {
    let id: String = row.try_get("id")?;
    let mut live = ModeSettings::default();
    let mut test = ModeSettings::default();
    for m in sqlx::query(
        "SELECT mode, webhook_url, allowed_origins FROM partner_modes WHERE partner_id = $1",
    )
    .bind(&id)
    .fetch_all(&db.pool)
    .await?
    {
        let origins: String = m.try_get("allowed_origins")?;
        let settings = ModeSettings {
            webhook_url: m.try_get("webhook_url")?,
            allowed_origins: serde_json::from_str(&origins).unwrap_or_default(),
        };
        match m.try_get::<String, _>("mode")?.as_str() {
            "live" => live = settings,
            _ => test = settings,
        }
    }
    Ok(Partner {
        id,
        name: row.try_get("name")?,
        theme: Theme {
            display_name: row.try_get("display_name")?,
            primary_color: row.try_get("primary_color")?,
            accent_color: row.try_get("accent_color")?,
            logo_url: row.try_get("logo_url")?,
        },
        live,
        test,
        disabled: row.try_get::<i16, _>("disabled")? != 0,
        keep_document_data: row.try_get::<i16, _>("keep_document_data")? != 0,
        default_locale: row.try_get("default_locale")?,
        help_url: row.try_get("help_url")?,
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
    let help = optional_url("help_url", new.help_url)?;
    let locale = optional_locale(new.default_locale)?;
    let webhook = optional_url("webhook_url", new.webhook_url)?;
    let allowed = origins(&new.allowed_origins)?;

    let id = uuid::Uuid::new_v4().to_string();
    let now = now_ms();
    let keys = [
        (KeyKind::Capture, KeyMode::Live),
        (KeyKind::Capture, KeyMode::Test),
        (KeyKind::Secret, KeyMode::Live),
        (KeyKind::Secret, KeyMode::Test),
    ]
    .map(|(k, m)| (k, m, NewApiKey::generate(k, m)));
    let secrets = [generate_webhook_secret(), generate_webhook_secret()];

    let mut tx = db.pool.begin().await?;
    sqlx::query(
        "INSERT INTO partners (id, name, display_name, primary_color, accent_color, logo_url, \
         disabled, created_at, updated_at, keep_document_data, default_locale, help_url) \
         VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $7, $8, $9, $10)",
    )
    .bind(&id)
    .bind(&name)
    .bind(&display_name)
    .bind(primary.as_str())
    .bind(accent.as_str())
    .bind(logo)
    .bind(now)
    .bind(i16::from(new.keep_document_data))
    .bind(locale)
    .bind(help)
    .execute(&mut *tx)
    .await?;
    for (mode, secret) in [KeyMode::Live, KeyMode::Test].iter().zip(&secrets) {
        sqlx::query(
            "INSERT INTO partner_modes (partner_id, mode, webhook_url, allowed_origins, webhook_secret_enc, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(mode.as_str())
        .bind(&webhook)
        .bind(&allowed)
        .bind(master.encrypt(secret))
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    for (kind, mode, key) in &keys {
        insert_key(&mut tx, &id, *kind, *mode, key, now).await?;
    }
    super::audit::record(
        &mut *tx,
        super::audit::Entry::new(
            &id,
            &super::audit::Actor::Operator,
            super::audit::Action::PartnerCreated,
        )
        .detail(format!("name {name}")),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(partner_id = %id, "partner created");
    let [capture_live, capture_test, secret_live, secret_test] = keys.map(|(_, _, k)| k.key);
    let [webhook_secret, test_webhook_secret] = secrets;
    Ok(CreatedPartner {
        partner_id: id,
        api_key: capture_live,
        test_api_key: capture_test,
        secret_key: secret_live,
        test_secret_key: secret_test,
        webhook_secret,
        test_webhook_secret,
    })
}

async fn insert_key(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    partner_id: &str,
    kind: KeyKind,
    mode: KeyMode,
    key: &NewApiKey,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO api_keys (id, partner_id, kind, mode, lookup, key_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)")
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(partner_id)
        .bind(kind.as_str())
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
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(partner_from_row(db, r).await?);
    }
    Ok(out)
}

pub async fn get(db: &Db, id: &str) -> Result<Option<Partner>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {PARTNER_COLUMNS} FROM partners WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    match row {
        Some(r) => Ok(Some(partner_from_row(db, &r).await?)),
        None => Ok(None),
    }
}

/// Applies `upd`, recorded in the audit log as `actor`'s (inside the same transaction).
pub async fn update(
    db: &Db,
    id: &str,
    upd: PartnerUpdate,
    actor: &super::audit::Actor,
) -> Result<Partner, PartnerError> {
    let current = get(db, id)
        .await?
        .ok_or_else(|| PartnerError::NotFound(id.into()))?;
    let mut changed: Vec<&str> = Vec::new();
    let mut note = |field: &'static str, differs: bool| {
        if differs {
            changed.push(field);
        }
    };
    let name = match upd.name.as_deref() {
        Some(n) => parse_name(n)?,
        None => current.name.clone(),
    };
    note("name", name != current.name);
    let display_name = match upd.display_name {
        Some(d) => parse_name(&d).map_err(|e| invalid("display_name", e.problem))?,
        None => current.theme.display_name.clone(),
    };
    note("display_name", display_name != current.theme.display_name);
    let primary = match upd.primary_color {
        Some(c) => HexColor::parse("primary_color", &c)?.0,
        None => current.theme.primary_color.clone(),
    };
    note("primary_color", primary != current.theme.primary_color);
    let accent = match upd.accent_color {
        Some(c) => HexColor::parse("accent_color", &c)?.0,
        None => current.theme.accent_color.clone(),
    };
    note("accent_color", accent != current.theme.accent_color);
    let logo = match upd.logo_url {
        Some(u) => optional_url("logo_url", Some(u))?,
        None => current.theme.logo_url.clone(),
    };
    note("logo_url", logo != current.theme.logo_url);
    let keep_document_data = upd.keep_document_data.unwrap_or(current.keep_document_data);
    note(
        "keep_document_data",
        keep_document_data != current.keep_document_data,
    );
    let default_locale = match upd.default_locale {
        Some(l) => optional_locale(Some(l))?,
        None => current.default_locale.clone(),
    };
    note("default_locale", default_locale != current.default_locale);
    let help_url = match upd.help_url {
        Some(u) => optional_url("help_url", Some(u))?,
        None => current.help_url.clone(),
    };
    note("help_url", help_url != current.help_url);
    let mode_now = current.settings(upd.mode);
    let webhook = match upd.webhook_url {
        Some(u) => optional_url("webhook_url", Some(u))?,
        None => mode_now.webhook_url.clone(),
    };
    note("webhook_url", webhook != mode_now.webhook_url);
    let allowed = match upd.allowed_origins {
        Some(list) => origins(&list)?,
        None => serde_json::to_string(&mode_now.allowed_origins).expect("strings serialize"),
    };
    note(
        "allowed_origins",
        allowed != serde_json::to_string(&mode_now.allowed_origins).expect("strings serialize"),
    );
    let now = now_ms();
    let mut tx = db.pool.begin().await?;
    sqlx::query(
        "UPDATE partners SET name = $2, display_name = $3, primary_color = $4, accent_color = $5, logo_url = $6, \
         updated_at = $7, keep_document_data = $8, default_locale = $9, help_url = $10 WHERE id = $1",
    )
    .bind(id)
    .bind(name)
    .bind(display_name)
    .bind(primary)
    .bind(accent)
    .bind(logo)
    .bind(now)
    .bind(i16::from(keep_document_data))
    .bind(default_locale)
    .bind(help_url)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE partner_modes SET webhook_url = $3, allowed_origins = $4, updated_at = $5 \
         WHERE partner_id = $1 AND mode = $2",
    )
    .bind(id)
    .bind(upd.mode.as_str())
    .bind(webhook)
    .bind(allowed)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    super::audit::record(
        &mut *tx,
        super::audit::Entry::new(id, actor, super::audit::Action::SettingsUpdated)
            .mode(upd.mode.is_live())
            .detail(if changed.is_empty() {
                "no change".into()
            } else {
                format!("{} ({} mode)", changed.join(", "), upd.mode.as_str())
            }),
    )
    .await?;
    tx.commit().await?;
    get(db, id)
        .await?
        .ok_or_else(|| PartnerError::NotFound(id.into()))
}

pub async fn set_disabled(
    db: &Db,
    id: &str,
    disabled: bool,
    actor: &super::audit::Actor,
) -> Result<(), PartnerError> {
    let mut tx = db.pool.begin().await?;
    let res = sqlx::query("UPDATE partners SET disabled = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(i16::from(disabled))
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
    if res.rows_affected() == 0 {
        return Err(PartnerError::NotFound(id.into()));
    }
    super::audit::record(
        &mut *tx,
        super::audit::Entry::new(
            id,
            actor,
            if disabled {
                super::audit::Action::PartnerDisabled
            } else {
                super::audit::Action::PartnerEnabled
            },
        ),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(partner_id = %id, disabled, "partner status changed");
    Ok(())
}

/// How the keys a rotation replaces stop working.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retire {
    /// They keep working this long (IDV_KEY_ROTATION_GRACE by default).
    After(std::time::Duration),
    /// They fail on the next request (a leaked key).
    Now,
}

impl Retire {
    fn describe(self) -> String {
        match self {
            Retire::After(d) => format!("the old one works for {} s", d.as_secs()),
            Retire::Now => "the old one was revoked at once".into(),
        }
    }
}

/// Issues a new key of `kind` in `mode` (shown once) and retires the partner's other keys of
/// that kind and mode as `retire` says; keys that already expire sooner keep their expiry, and
/// nothing touches the new key. Also issues a partner's first secret key (partners created
/// before secret keys existed). Recorded in the audit log.
pub async fn rotate_key(
    db: &Db,
    id: &str,
    kind: KeyKind,
    mode: KeyMode,
    retire: Retire,
    actor: &super::audit::Actor,
) -> Result<String, PartnerError> {
    get(db, id)
        .await?
        .ok_or_else(|| PartnerError::NotFound(id.into()))?;
    let now = now_ms();
    let until = match retire {
        Retire::After(grace) => now.saturating_add(ms(grace)),
        Retire::Now => now,
    };
    let key = NewApiKey::generate(kind, mode);
    let mut tx = db.pool.begin().await?;
    sqlx::query(
        "UPDATE api_keys SET expires_at = $4 WHERE partner_id = $1 AND kind = $2 AND mode = $3 \
         AND (expires_at IS NULL OR expires_at > $4)",
    )
    .bind(id)
    .bind(kind.as_str())
    .bind(mode.as_str())
    .bind(until)
    .execute(&mut *tx)
    .await?;
    insert_key(&mut tx, id, kind, mode, &key, now).await?;
    super::audit::record(
        &mut *tx,
        super::audit::Entry::new(id, actor, super::audit::Action::ApiKeyRotated)
            .mode(mode.is_live())
            .detail(format!(
                "{} {} key; {}",
                mode.as_str(),
                kind.as_str(),
                retire.describe()
            )),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(partner_id = %id, kind = kind.as_str(), mode = mode.as_str(), revoked_now = retire == Retire::Now, "API key rotated");
    Ok(key.key)
}

/// Issues a new webhook signing secret for `mode` (returned once). Webhooks of that mode are
/// signed with the old one too, a second signature in the same header, until `grace` has
/// passed.
pub async fn rotate_webhook_secret(
    db: &Db,
    master: &MasterKey,
    id: &str,
    mode: KeyMode,
    grace: std::time::Duration,
    actor: &super::audit::Actor,
) -> Result<String, PartnerError> {
    let secret = generate_webhook_secret();
    let now = now_ms();
    let mut tx = db.pool.begin().await?;
    let n = sqlx::query(
        "UPDATE partner_modes SET webhook_secret_prev_enc = webhook_secret_enc, webhook_secret_prev_until = $4, \
         webhook_secret_enc = $3, updated_at = $5 WHERE partner_id = $1 AND mode = $2",
    )
    .bind(id)
    .bind(mode.as_str())
    .bind(master.encrypt(&secret))
    .bind(now.saturating_add(ms(grace)))
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(PartnerError::NotFound(id.into()));
    }
    super::audit::record(
        &mut *tx,
        super::audit::Entry::new(id, actor, super::audit::Action::WebhookSecretRotated)
            .mode(mode.is_live())
            .detail(format!(
                "{} mode; the old secret also signs for {} s",
                mode.as_str(),
                grace.as_secs()
            )),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(partner_id = %id, mode = mode.as_str(), grace_secs = grace.as_secs(), "webhook secret rotated");
    Ok(secret)
}

/// The secrets `mode`'s webhooks are signed with now: the current one, and the previous one
/// while its rotation grace lasts.
pub async fn webhook_signing_secrets(
    db: &Db,
    master: &MasterKey,
    id: &str,
    mode: KeyMode,
) -> anyhow::Result<Vec<String>> {
    let row = sqlx::query(
        "SELECT webhook_secret_enc, webhook_secret_prev_enc, webhook_secret_prev_until FROM partner_modes \
         WHERE partner_id = $1 AND mode = $2",
    )
    .bind(id)
    .bind(mode.as_str())
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

/// `mode`'s webhook signing secret, decrypted.
pub async fn webhook_secret(
    db: &Db,
    master: &MasterKey,
    id: &str,
    mode: KeyMode,
) -> anyhow::Result<String> {
    let sealed: String = sqlx::query_scalar(
        "SELECT webhook_secret_enc FROM partner_modes WHERE partner_id = $1 AND mode = $2",
    )
    .bind(id)
    .bind(mode.as_str())
    .fetch_one(&db.pool)
    .await?;
    master.decrypt(&sealed)
}

/// Why a presented key does not authenticate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRefused {
    /// Unknown, malformed, expired, revoked, or its partner is disabled.
    Invalid,
    /// A valid-looking key of the other kind: a capture key where a secret key is needed, or
    /// a secret key in a capture URL (never looked up: it must not be used there at all).
    WrongKind(KeyKind),
}

/// The active, enabled partner that owns `api_key`, when it is a key of `kind`.
pub async fn authenticate(
    db: &Db,
    api_key: &str,
    kind: KeyKind,
) -> Result<Result<Authenticated, KeyRefused>, sqlx::Error> {
    let api_key = api_key.trim();
    let Some((presented_kind, mode, lookup)) = key_lookup(api_key) else {
        return Ok(Err(KeyRefused::Invalid));
    };
    if presented_kind != kind {
        return Ok(Err(KeyRefused::WrongKind(presented_kind)));
    }
    let presented = sha256_hex(api_key.as_bytes());
    let row = sqlx::query(
        "SELECT id, partner_id, kind, mode, key_hash, expires_at FROM api_keys WHERE lookup = $1",
    )
    .bind(lookup)
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else {
        // Same work as a hit, so timing does not tell a near-miss from a stranger.
        let _ = ct_eq(presented.as_bytes(), sha256_hex(b"").as_bytes());
        return Ok(Err(KeyRefused::Invalid));
    };
    let stored: String = row.try_get("key_hash")?;
    let stored_mode: String = row.try_get("mode")?;
    let stored_kind: String = row.try_get("kind")?;
    let expires_at: Option<i64> = row.try_get("expires_at")?;
    if !ct_eq(presented.as_bytes(), stored.as_bytes())
        || stored_mode != mode.as_str()
        || stored_kind != kind.as_str()
        || expires_at.is_some_and(|t| t <= now_ms())
    {
        return Ok(Err(KeyRefused::Invalid));
    }
    let partner_id: String = row.try_get("partner_id")?;
    let key_id: String = row.try_get("id")?;
    Ok(get(db, &partner_id)
        .await?
        .filter(|p| !p.disabled)
        .map(|partner| Authenticated {
            partner,
            mode,
            key_id: Some(key_id),
        })
        .ok_or(KeyRefused::Invalid))
}

/// Whether the key `key_id` still works (not expired or revoked, partner enabled): dashboard
/// sessions live only as long as the key that opened them.
pub async fn key_active(db: &Db, key_id: &str) -> Result<bool, sqlx::Error> {
    key_active_on(&db.pool, key_id).await
}

/// [`key_active`] on a connection or transaction of the caller's.
pub async fn key_active_on<'c, E>(exec: E, key_id: &str) -> Result<bool, sqlx::Error>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM api_keys k JOIN partners p ON p.id = k.partner_id \
         WHERE k.id = $1 AND p.disabled = 0 AND (k.expires_at IS NULL OR k.expires_at > $2)",
    )
    .bind(key_id)
    .bind(now_ms())
    .fetch_one(exec)
    .await?;
    Ok(n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_shape() {
        let k = NewApiKey::generate(KeyKind::Capture, KeyMode::Live);
        assert!(k.key.starts_with("idv_live_"));
        assert_eq!(k.key.len(), 9 + 48);
        assert_eq!(
            key_lookup(&k.key),
            Some((KeyKind::Capture, KeyMode::Live, &k.key[9..25]))
        );
        let s = NewApiKey::generate(KeyKind::Secret, KeyMode::Test);
        assert!(s.key.starts_with("idv_sk_test_"));
        assert_eq!(
            key_lookup(&s.key),
            Some((KeyKind::Secret, KeyMode::Test, &s.key[12..28]))
        );
        assert!(key_lookup(&s.key.replace("idv_sk_test_", "idv_sk_prod_")).is_none());
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
