//! `Idempotency-Key` on `POST /verif/submit` and the `/v1` POSTs: a partner that retries a
//! request after a lost answer (a 502 or 504 of its proxy, a timeout) with the same key gets
//! the first answer again instead of a second check or a second link.
//!
//! - The first request with a key takes it (a lease of [`LEASE_MS`], on the database's clock so
//!   that every node agrees); the same key again while it runs gets 409.
//! - A submission that made a check keeps the check's id, set in the check's own transaction:
//!   a retry (on any node, even after the first node died before answering) gets the check
//!   again, with freshly signed file links; never a second check.
//! - A `/v1` answer below 500 is kept whole (status and body, the body encrypted under the
//!   master key: a session's answer holds its link) and returned as it was.
//! - Answers that made nothing (a 4xx of a submission, any 5xx, 429 or 503) are not kept: the
//!   key is released, and the same key may be sent again (corrected, or later).
//! - The same key with another request (another body, other fields or files) gets 422.
//! - Keys are kept 24 hours, per partner, mode and surface (a submission's per user too: the
//!   capture key that submits is public, and must not reach the keys of `/v1` calls).
//! - A request whose node died keeps its key until the lease lapses (409 meanwhile); then the
//!   same request may take it over and run again, except a submission whose check committed,
//!   which is replayed. A lapsed request can no longer touch the key (`lease_id`).
//!
//! This module owns the `idempotency_keys` table.

use sqlx::Row;

use super::{crypto::MasterKey, db::Db, error::AppError};

/// The header.
pub const HEADER: &str = "idempotency-key";

/// The answer header that says an answer is a replay.
pub const REPLAYED_HEADER: &str = "idempotent-replayed";

/// How long a request holds its key before another node may take it over (the owner died):
/// longer than any request runs once its body has arrived (a submission's scoring waits at
/// most `IDV_SCORING_QUEUE_TIMEOUT`, its document reading `IDV_MEDIA_TIMEOUT`).
const LEASE_MS: i64 = 5 * 60 * 1000;

/// How long a key is kept.
const KEEP_MS: i64 = 24 * 3600 * 1000;

/// A valid key: 1 to 255 printable ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key(String);

/// Where a key is used: each surface has its own keys, and a submission's keys are its user's
/// (the capture key that submits is public: whoever holds it cannot take the keys of the
/// partner's `/v1` calls or of another user's submissions).
#[derive(Debug, Clone, Copy)]
pub enum Surface<'a> {
    /// `POST /verif/submit`, for this user identifier.
    Submit { user_identifier: &'a str },
    /// A `/v1` POST.
    V1,
}

impl Key {
    /// The header's value: absent is `None`, a bad one a 400 naming the header.
    pub fn parse(value: Option<&[u8]>) -> Result<Option<Self>, AppError> {
        let Some(v) = value else {
            return Ok(None);
        };
        let ok = (1..=255).contains(&v.len()) && v.iter().all(|b| (0x20..0x7f).contains(b));
        if !ok {
            return Err(AppError::bad_request(
                "Idempotency-Key must be 1 to 255 printable ASCII characters",
            ));
        }
        Ok(Some(Self(String::from_utf8_lossy(v).into_owned())))
    }

    /// The key of a request's headers.
    pub fn of(headers: &axum::http::HeaderMap) -> Result<Option<Self>, AppError> {
        Self::parse(headers.get(HEADER).map(axum::http::HeaderValue::as_bytes))
    }
}

/// Whose key it is.
#[derive(Debug, Clone)]
pub struct Scope {
    pub partner_id: String,
    pub livemode: bool,
}

/// The stored key: the header's value in its surface's namespace.
fn stored_key(surface: Surface<'_>, key: &Key) -> String {
    match surface {
        // the user's `%` and `:` escaped, so that no user and key can spell another's
        Surface::Submit { user_identifier } => format!(
            "submit:{}:{}",
            user_identifier.replace('%', "%25").replace(':', "%3A"),
            key.0
        ),
        Surface::V1 => format!("v1:{}", key.0),
    }
}

/// What a key says about a request.
#[derive(Debug)]
pub enum Claimed {
    /// This request holds the key: run it, then [`Lease::keep`] its answer (dropped, the key
    /// is released).
    Owned(Lease),
    /// The same request made this check.
    Check(String),
    /// The same request was answered this way (`/v1`).
    Answer { status: u16, body: String },
}

/// Takes `key` for a request whose content hashes to `fingerprint` (SHA-256 hex), or says why
/// not: the same request's answer, 409 while it runs, 422 for another request.
pub async fn claim(
    db: &Db,
    master: &MasterKey,
    scope: &Scope,
    surface: Surface<'_>,
    key: &Key,
    fingerprint: &str,
) -> Result<Claimed, AppError> {
    let now = db.now_ms_sql();
    let key = stored_key(surface, key);
    let lease_id = uuid::Uuid::new_v4().to_string();
    let taken = sqlx::query(&format!(
        "INSERT INTO idempotency_keys (partner_id, livemode, idem_key, fingerprint, state, locked_until, lease_id, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, 'running', {now} + $5, $7, {now}, {now} + $6) \
         ON CONFLICT (partner_id, livemode, idem_key) DO UPDATE SET \
           fingerprint = excluded.fingerprint, state = 'running', locked_until = excluded.locked_until, \
           lease_id = excluded.lease_id, status = NULL, body_enc = NULL, check_id = NULL, \
           created_at = excluded.created_at, expires_at = excluded.expires_at \
         WHERE idempotency_keys.expires_at <= excluded.created_at \
            OR (idempotency_keys.state = 'running' AND idempotency_keys.locked_until <= excluded.created_at \
                AND idempotency_keys.check_id IS NULL AND idempotency_keys.fingerprint = excluded.fingerprint) \
         RETURNING state"
    ))
    .bind(&scope.partner_id)
    .bind(i16::from(scope.livemode))
    .bind(&key)
    .bind(fingerprint)
    .bind(LEASE_MS)
    .bind(KEEP_MS)
    .bind(&lease_id)
    .fetch_optional(&db.pool)
    .await?;
    if taken.is_some() {
        return Ok(Claimed::Owned(Lease {
            db: db.clone(),
            held: Held {
                scope: scope.clone(),
                key,
                lease_id,
            },
            done: false,
        }));
    }
    let row = sqlx::query(
        "SELECT fingerprint, state, status, body_enc, check_id FROM idempotency_keys \
         WHERE partner_id = $1 AND livemode = $2 AND idem_key = $3",
    )
    .bind(&scope.partner_id)
    .bind(i16::from(scope.livemode))
    .bind(&key)
    .fetch_optional(&db.pool)
    .await?
    .ok_or_else(|| {
        // released between the two statements: the client may send it again at once
        AppError::Conflict("This Idempotency-Key was just released; send the request again".into())
    })?;
    let stored: String = row.try_get("fingerprint")?;
    if stored != fingerprint {
        return Err(AppError::Unprocessable(
            "This Idempotency-Key was used with a different request; use a new key for a new request".into(),
        ));
    }
    if let Some(check_id) = row.try_get::<Option<String>, _>("check_id")? {
        return Ok(Claimed::Check(check_id));
    }
    let state: String = row.try_get("state")?;
    match (state.as_str(), row.try_get::<Option<i16>, _>("status")?) {
        ("done", Some(status)) => {
            let sealed: Option<String> = row.try_get("body_enc")?;
            let body = match sealed {
                Some(s) => master
                    .decrypt(&s)
                    .map_err(|e| AppError::internal("reading a kept answer", e))?,
                None => String::new(),
            };
            Ok(Claimed::Answer {
                status: u16::try_from(status).unwrap_or(500),
                body,
            })
        }
        _ => Err(AppError::Conflict(
            "A request with this Idempotency-Key is in progress; retry in a few seconds".into(),
        )),
    }
}

/// Which request holds a running key (cheap to clone: what the check's transaction needs).
#[derive(Debug, Clone)]
pub struct Held {
    scope: Scope,
    key: String,
    lease_id: String,
}

impl Held {
    /// Puts the check's id on the key, in the check's own transaction; an error when this
    /// request no longer holds the key (its lease lapsed and another request took it over):
    /// the transaction is then rolled back, never a second check under one key.
    pub async fn attach_check<'c, E>(&self, exec: E, check_id: &str) -> Result<(), sqlx::Error>
    where
        E: sqlx::Executor<'c, Database = sqlx::Any>,
    {
        let n = sqlx::query(
            "UPDATE idempotency_keys SET check_id = $5 \
             WHERE partner_id = $1 AND livemode = $2 AND idem_key = $3 AND lease_id = $4",
        )
        .bind(&self.scope.partner_id)
        .bind(i16::from(self.scope.livemode))
        .bind(&self.key)
        .bind(&self.lease_id)
        .bind(check_id)
        .execute(exec)
        .await?
        .rows_affected();
        if n != 1 {
            return Err(sqlx::Error::Protocol(
                "the Idempotency-Key of this submission was taken over by another request".into(),
            ));
        }
        Ok(())
    }
}

/// A key held by a running request: [`Lease::keep`] its answer, or [`Lease::release`] it
/// (awaited, so that a retry sent at once finds it free). Dropped (its client went away), the
/// key is released in the background, unless a check was made under it.
#[derive(Debug)]
pub struct Lease {
    db: Db,
    held: Held,
    done: bool,
}

impl Lease {
    pub fn held(&self) -> &Held {
        &self.held
    }

    /// Keeps the request's answer: `body` (encrypted) with `status`, or, for a submission
    /// whose check holds the key already, nothing more. When this fails, the key stays
    /// running until its lease lapses (a retry meanwhile gets 409).
    pub async fn keep(
        mut self,
        master: &MasterKey,
        status: u16,
        body: Option<&str>,
    ) -> Result<(), AppError> {
        self.done = true;
        let h = &self.held;
        sqlx::query(
            "UPDATE idempotency_keys SET state = 'done', status = $5, body_enc = $6, locked_until = NULL \
             WHERE partner_id = $1 AND livemode = $2 AND idem_key = $3 AND lease_id = $4",
        )
        .bind(&h.scope.partner_id)
        .bind(i16::from(h.scope.livemode))
        .bind(&h.key)
        .bind(&h.lease_id)
        .bind(i16::try_from(status).unwrap_or(500))
        .bind(body.map(|b| master.encrypt(b)))
        .execute(&self.db.pool)
        .await?;
        Ok(())
    }

    /// Frees the key (the request made nothing to keep).
    pub async fn release(mut self) {
        self.done = true;
        release(&self.db, &self.held).await;
    }
}

async fn release(db: &Db, h: &Held) {
    let released = sqlx::query(
        "DELETE FROM idempotency_keys WHERE partner_id = $1 AND livemode = $2 AND idem_key = $3 \
         AND lease_id = $4 AND check_id IS NULL",
    )
    .bind(&h.scope.partner_id)
    .bind(i16::from(h.scope.livemode))
    .bind(&h.key)
    .bind(&h.lease_id)
    .execute(&db.pool)
    .await;
    if let Err(e) = released {
        tracing::warn!(error = %e, "could not release an idempotency key; it lapses with its lease");
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let (db, held) = (self.db.clone(), self.held.clone());
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move { release(&db, &held).await });
        }
    }
}

/// Deletes keys kept longer than 24 hours; returns how many went.
pub async fn delete_expired(db: &Db) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(&format!(
        "DELETE FROM idempotency_keys WHERE expires_at < {}",
        db.now_ms_sql()
    ))
    .execute(&db.pool)
    .await?
    .rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_short_and_plain() {
        assert_eq!(Key::parse(None).unwrap(), None);
        assert!(Key::parse(Some(b"order-42:retry")).unwrap().is_some());
        for bad in [&b""[..], &[b'a'; 256], b"tab\there", "é".as_bytes()] {
            assert!(Key::parse(Some(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn no_user_and_key_spell_another_users_key() {
        let stored = |user: &str, key: &[u8]| {
            let key = Key::parse(Some(key)).unwrap().unwrap();
            stored_key(
                Surface::Submit {
                    user_identifier: user,
                },
                &key,
            )
        };
        assert_eq!(stored("u-idem", b"order-42"), "submit:u-idem:order-42");
        assert_ne!(stored("acme", b"42:K"), stored("acme:42", b"K"));
        assert_ne!(stored("a%3A", b"K"), stored("a:", b"K"));
    }
}
