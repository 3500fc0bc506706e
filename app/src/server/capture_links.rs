//! Capture links (table `capture_sessions`): `GET /verif/` turns the partner's capture key into
//! a short-lived, single-use token bound to the partner and the user, so the key never reaches
//! the browser; `POST /v1/sessions` makes one for a partner's server. The page submits with the
//! token; only its SHA-256 is stored.

use std::time::Duration;

use crate::challenge::Challenge;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as B64URL};
use sqlx::Row;

use super::{
    crypto::{random_bytes, sha256_hex},
    db::{Db, now_ms},
    error::AppError,
    partners::{self, Authenticated, KeyMode},
};

#[derive(Debug, Clone)]
pub struct NewCaptureLink {
    pub user_identifier: String,
    pub user_email: Option<String>,
    pub user_phone: Option<String>,
    /// Checked against the partner's allowed origins by the caller.
    pub redirect_url: Option<String>,
    /// The open page may push the expiry forward (see [`renew`]).
    pub renewable: bool,
    /// What the partner expects the document to say (`POST /v1/sessions`' `expected`).
    pub expected: super::document::Expected,
    /// The page's language (`POST /v1/sessions`' `locale`, one of `i18n::LANGUAGES`' tags).
    pub locale: Option<String>,
}

/// A `redirect_url` for a session: absent, or an http(s) URL on one of the partner's allowed
/// origins (so a link can never send the user elsewhere).
pub fn redirect_url(
    settings: &partners::ModeSettings,
    v: Option<String>,
) -> Result<Option<String>, super::error::AppError> {
    use super::error::AppError;
    let Some(u) = v.map(|u| u.trim().to_string()).filter(|u| !u.is_empty()) else {
        return Ok(None);
    };
    let parsed = url::Url::parse(&u)
        .ok()
        .filter(|p| matches!(p.scheme(), "http" | "https"))
        .ok_or_else(|| AppError::bad_request("redirect_url must be an http(s) URL"))?;
    let origin = parsed.origin().ascii_serialization();
    if !settings.allowed_origins.iter().any(|o| o == &origin) {
        return Err(AppError::bad_request(
            "redirect_url must be on one of the partner's allowed origins",
        ));
    }
    Ok(Some(parsed.to_string()))
}

/// A new session: its token is shown once (to the page, or in the partner API's URL).
#[derive(Debug, Clone)]
pub struct Created {
    pub id: String,
    pub token: String,
    pub expires_at: i64,
    pub challenge: Challenge,
}

/// Creates a session, tied to the key in `auth` (when there is one): it works as long as
/// that key does ([`find`]).
pub async fn create(
    db: &Db,
    auth: &Authenticated,
    s: &NewCaptureLink,
    ttl: Duration,
) -> Result<Created, sqlx::Error> {
    let token = format!("cap_{}", B64URL.encode(random_bytes::<32>()));
    let now = now_ms();
    let id = uuid::Uuid::new_v4().to_string();
    let expires_at = now + i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX / 4);
    let challenge = Challenge::random();
    sqlx::query(
        "INSERT INTO capture_sessions (id, token_hash, partner_id, livemode, user_identifier, user_email, user_phone, created_at, expires_at, redirect_url, renewable, challenge, expected, locale, key_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(&id)
    .bind(sha256_hex(token.as_bytes()))
    .bind(&auth.partner.id)
    .bind(i16::from(auth.mode == KeyMode::Live))
    .bind(&s.user_identifier)
    .bind(&s.user_email)
    .bind(&s.user_phone)
    .bind(now)
    .bind(expires_at)
    .bind(&s.redirect_url)
    .bind(i16::from(s.renewable))
    .bind(serde_json::to_string(&challenge).ok())
    .bind(
        (!s.expected.is_empty())
            .then(|| serde_json::to_string(&s.expected).ok())
            .flatten(),
    )
    .bind(&s.locale)
    .bind(&auth.key_id)
    .execute(&db.pool)
    .await?;
    Ok(Created {
        id,
        token,
        expires_at,
        challenge,
    })
}

/// A live session found by its token.
#[derive(Debug, Clone)]
pub struct CaptureLink {
    pub id: String,
    pub auth: Authenticated,
    pub user: NewCaptureLink,
    /// Epoch ms.
    pub expires_at: i64,
    /// The consent the user gave on the page: (version of the text, epoch ms).
    pub consent: Option<(String, i64)>,
    /// A test-mode link's liveness challenge, known in advance so that a partner's automated
    /// tests can make a fake camera perform it (README, "The live recording"): in its JSON page
    /// data, performed by the live channel's first recording, and answerable by a multipart
    /// `challenge_timeline`. Always `None` for a live link: its prompts are secret until the
    /// live channel sends each one.
    pub challenge: Option<Challenge>,
}

/// Why a capture link's token cannot be used.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup {
    Expired,
    Used,
    Unknown,
    /// Another submission with this token is running now.
    InUse,
}

/// The one mapping from a capture-link lookup to the error a client sees, whichever door the
/// token came through: `GET /verif/?session=…`, the page's server functions or
/// `POST /verif/submit`. A token stands for the guide's credentials (key and user), so an
/// unknown one gets the guide's status for credentials that do not match, 401.
impl From<Lookup> for AppError {
    fn from(l: Lookup) -> Self {
        match l {
            Lookup::Unknown => AppError::Unauthorized(LINK_NOT_VALID.into()),
            Lookup::Expired => AppError::Gone(LINK_EXPIRED.into()),
            Lookup::Used => AppError::Conflict(LINK_USED.into()),
            Lookup::InUse => AppError::Conflict(crate::contract::messages::LINK_IN_USE.into()),
        }
    }
}

pub const LINK_NOT_VALID: &str = "This verification link is not valid";
pub const LINK_EXPIRED: &str =
    "This verification link has expired; open it again from the partner's site";
pub const LINK_USED: &str = "This verification link was already used";

/// How long a reservation lasts unless renewed (`hold`), and how often its holder renews it
/// while it runs (`renew_every`): a node killed mid-submission frees the link within `hold`,
/// and the user can submit again.
#[derive(Debug, Clone, Copy)]
pub struct Lease {
    pub hold: Duration,
    pub renew_every: Duration,
}

/// An upload's (`POST /verif/submit`): its body may take a while to arrive.
pub const UPLOAD_LEASE: Lease = Lease {
    hold: Duration::from_secs(60),
    renew_every: Duration::from_secs(20),
};

/// A live recording's (`GET /verif/live`): short, so that when the node holding the socket
/// dies the page's new recording on another node gets the link within seconds.
pub const LIVE_LEASE: Lease = Lease {
    hold: Duration::from_secs(10),
    renew_every: Duration::from_secs(3),
};

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 4)
}

/// Renews a reservation until dropped (the submission ended, however it ended).
#[derive(Debug)]
pub struct Renewal(tokio::task::JoinHandle<()>);

impl Renewal {
    pub fn start(db: &Db, session_id: &str, lease: Lease) -> Self {
        let (db, id) = (db.clone(), session_id.to_string());
        Self(tokio::spawn(async move {
            let mut tick = tokio::time::interval(lease.renew_every);
            tick.tick().await;
            loop {
                tick.tick().await;
                let until = now_ms() + ms(lease.hold);
                // only a reservation still held: not after the commit, a release or a retry
                let r = sqlx::query(
                    "UPDATE capture_sessions SET reserved_until = $2 \
                     WHERE id = $1 AND used_at IS NULL AND reserved_until IS NOT NULL",
                )
                .bind(&id)
                .bind(until)
                .execute(&db.pool)
                .await;
                if let Err(e) = r {
                    tracing::warn!(error = %e, "could not renew a capture link's reservation");
                }
            }
        }))
    }
}

impl Drop for Renewal {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Reserves a live session for one submission, so the same token cannot drive two at once;
/// [`consume`] ends the reservation with the check, [`release`] after a failure.
pub async fn reserve(
    db: &Db,
    token: &str,
    lease: Lease,
) -> Result<Result<CaptureLink, Lookup>, sqlx::Error> {
    let session = match find(db, token).await? {
        Ok(s) => s,
        Err(l) => return Ok(Err(l)),
    };
    let now = now_ms();
    let r = sqlx::query(
        "UPDATE capture_sessions SET reserved_until = $2 \
         WHERE id = $1 AND used_at IS NULL AND expires_at > $3 \
           AND (reserved_until IS NULL OR reserved_until <= $3)",
    )
    .bind(&session.id)
    .bind(now + ms(lease.hold))
    .bind(now)
    .execute(&db.pool)
    .await?;
    if r.rows_affected() == 1 {
        return Ok(Ok(session));
    }
    // lost a race: say why
    Ok(Err(match find(db, token).await? {
        Ok(_) => Lookup::InUse,
        Err(l) => l,
    }))
}

/// A recording that did not follow the link's challenge, when the link has attempts left: a
/// new challenge replaces the old one, the attempt is counted and the reservation ends, all in
/// one statement. `Some(challenge)` when that happened; `None` when this was the last attempt
/// (or the link is no longer open), and the recording gets its verdict.
pub async fn retry_challenge(
    db: &Db,
    session_id: &str,
    max_attempts: u32,
) -> Result<Option<(Challenge, u32)>, sqlx::Error> {
    let challenge = Challenge::random();
    let r = sqlx::query(
        "UPDATE capture_sessions SET challenge = $2, challenge_attempts = challenge_attempts + 1,          reserved_until = NULL          WHERE id = $1 AND used_at IS NULL AND challenge_attempts + 1 < $3",
    )
    .bind(session_id)
    .bind(serde_json::to_string(&challenge).ok())
    .bind(i64::from(max_attempts))
    .execute(&db.pool)
    .await?;
    if r.rows_affected() != 1 {
        return Ok(None);
    }
    let used: i64 =
        sqlx::query_scalar("SELECT challenge_attempts FROM capture_sessions WHERE id = $1")
            .bind(session_id)
            .fetch_one(&db.pool)
            .await?;
    let left = i64::from(max_attempts).saturating_sub(used).max(0);
    Ok(Some((challenge, u32::try_from(left).unwrap_or(0))))
}

/// Recordings a link has left of `max_attempts`, the next one included.
pub async fn attempts_left(
    db: &Db,
    session_id: &str,
    max_attempts: u32,
) -> Result<u32, sqlx::Error> {
    let used: i64 =
        sqlx::query_scalar("SELECT challenge_attempts FROM capture_sessions WHERE id = $1")
            .bind(session_id)
            .fetch_one(&db.pool)
            .await?;
    Ok(u32::try_from(i64::from(max_attempts).saturating_sub(used).max(1)).unwrap_or(1))
}

/// Ends a reservation that did not lead to a check (the submission failed; the user may retry).
pub async fn release(db: &Db, session_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE capture_sessions SET reserved_until = NULL WHERE id = $1 AND used_at IS NULL",
    )
    .bind(session_id)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// A redacted check's contact data goes from the link that made it too (in its transaction).
pub async fn forget_contact(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    check_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE capture_sessions SET user_email = NULL, user_phone = NULL, expected = NULL WHERE check_id = $1",
    )
    .bind(check_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Deletes sessions that were never used and expired more than `after` ago, with the contact
/// data the partner gave them. Returns how many.
pub async fn delete_expired_unused(db: &Db, after: Duration) -> Result<u64, sqlx::Error> {
    let before = now_ms() - i64::try_from(after.as_millis()).unwrap_or(0);
    let r = sqlx::query("DELETE FROM capture_sessions WHERE used_at IS NULL AND expires_at < $1")
        .bind(before)
        .execute(&db.pool)
        .await?;
    Ok(r.rows_affected())
}

/// Finds an unused, unexpired session. Does not consume it: [`consume`] does, in the
/// transaction that stores the check.
pub async fn find(db: &Db, token: &str) -> Result<Result<CaptureLink, Lookup>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, partner_id, livemode, user_identifier, user_email, user_phone, expires_at, used_at, redirect_url, consent_version, consented_at, renewable, challenge, expected, locale, key_id FROM capture_sessions WHERE token_hash = $1",
    )
    .bind(sha256_hex(token.trim().as_bytes()))
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else {
        return Ok(Err(Lookup::Unknown));
    };
    if row.try_get::<Option<i64>, _>("used_at")?.is_some() {
        return Ok(Err(Lookup::Used));
    }
    let expires_at: i64 = row.try_get("expires_at")?;
    if expires_at <= now_ms() {
        return Ok(Err(Lookup::Expired));
    }
    let partner_id: String = row.try_get("partner_id")?;
    let Some(partner) = partners::get(db, &partner_id)
        .await?
        .filter(|p| !p.disabled)
    else {
        return Ok(Err(Lookup::Unknown));
    };
    // the link dies with the key that made it: rotated away, revoked (`--revoke-now`)
    if let Some(key_id) = row.try_get::<Option<String>, _>("key_id")?
        && !partners::key_active(db, &key_id).await?
    {
        return Ok(Err(Lookup::Unknown));
    }
    let mode = if row.try_get::<i16, _>("livemode")? != 0 {
        KeyMode::Live
    } else {
        KeyMode::Test
    };
    Ok(Ok(CaptureLink {
        id: row.try_get("id")?,
        auth: Authenticated {
            partner,
            mode,
            key_id: None,
        },
        expires_at,
        user: NewCaptureLink {
            user_identifier: row.try_get("user_identifier")?,
            user_email: row.try_get("user_email")?,
            user_phone: row.try_get("user_phone")?,
            redirect_url: row.try_get("redirect_url")?,
            renewable: row.try_get::<i16, _>("renewable")? != 0,
            expected: row
                .try_get::<Option<String>, _>("expected")?
                .and_then(|j| serde_json::from_str(&j).ok())
                .unwrap_or_default(),
            locale: row.try_get("locale")?,
        },
        consent: row
            .try_get::<Option<String>, _>("consent_version")?
            .zip(row.try_get::<Option<i64>, _>("consented_at")?),
        // a live link's prompts are drawn by the live channel when due (`server::live`)
        challenge: row
            .try_get::<Option<String>, _>("challenge")?
            .and_then(|j| serde_json::from_str(&j).ok())
            .filter(|_| mode == KeyMode::Test),
    }))
}

/// The longest a renewable session lives, however often the page renews it.
pub const MAX_RENEWED_LIFETIME: Duration = Duration::from_secs(2 * 3600);

/// Pushes a live renewable session's expiry to `ttl` from now (never past
/// [`MAX_RENEWED_LIFETIME`] after its creation), so a user who takes their time is not cut off
/// while the page is open. Other sessions keep their expiry. Returns the expiry (epoch ms).
pub async fn renew(
    db: &Db,
    token: &str,
    ttl: Duration,
) -> Result<Result<i64, Lookup>, sqlx::Error> {
    if let Err(l) = find(db, token).await? {
        return Ok(Err(l));
    }
    let now = now_ms();
    let ms = |d: Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 4);
    sqlx::query(
        "UPDATE capture_sessions SET expires_at = \
           CASE WHEN $2 < created_at + $3 THEN $2 ELSE created_at + $3 END \
         WHERE token_hash = $1 AND renewable = 1 AND used_at IS NULL AND expires_at > $4 AND expires_at < $2",
    )
    .bind(sha256_hex(token.trim().as_bytes()))
    .bind(now + ms(ttl))
    .bind(ms(MAX_RENEWED_LIFETIME))
    .bind(now)
    .execute(&db.pool)
    .await?;
    let expires: Option<i64> =
        sqlx::query_scalar("SELECT expires_at FROM capture_sessions WHERE token_hash = $1")
            .bind(sha256_hex(token.trim().as_bytes()))
            .fetch_optional(&db.pool)
            .await?;
    Ok(expires.ok_or(Lookup::Unknown))
}

/// Records the user's consent on a live session (the page calls this before the camera
/// starts). Giving it again replaces the earlier one.
pub async fn record_consent(
    db: &Db,
    token: &str,
    version: &str,
) -> Result<Result<(), Lookup>, sqlx::Error> {
    if let Err(l) = find(db, token).await? {
        return Ok(Err(l));
    }
    let now = now_ms();
    let r = sqlx::query(
        "UPDATE capture_sessions SET consent_version = $2, consented_at = $3 \
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $3",
    )
    .bind(sha256_hex(token.trim().as_bytes()))
    .bind(version)
    .bind(now)
    .execute(&db.pool)
    .await?;
    Ok(if r.rows_affected() == 1 {
        Ok(())
    } else {
        Err(Lookup::Expired)
    })
}

/// Marks the session used by `check_id`: `Used` when another submission got there first (or it
/// expired), `Unknown` when the key that made it was revoked meanwhile (the link is dead).
pub async fn consume(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    session_id: &str,
    check_id: &str,
) -> Result<Result<(), Lookup>, sqlx::Error> {
    // a link whose key was revoked while its recording ran makes no check
    let key_id: Option<String> =
        sqlx::query_scalar("SELECT key_id FROM capture_sessions WHERE id = $1")
            .bind(session_id)
            .fetch_optional(&mut **tx)
            .await?
            .flatten();
    if let Some(key_id) = key_id
        && !partners::key_active_on(&mut **tx, &key_id).await?
    {
        return Ok(Err(Lookup::Unknown));
    }
    let now = now_ms();
    let r = sqlx::query("UPDATE capture_sessions SET used_at = $2, check_id = $3 WHERE id = $1 AND used_at IS NULL AND expires_at > $2")
        .bind(session_id)
        .bind(now)
        .bind(check_id)
        .execute(&mut **tx)
        .await?;
    Ok(if r.rows_affected() == 1 {
        Ok(())
    } else {
        Err(Lookup::Used)
    })
}
