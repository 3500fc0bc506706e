//! The partner API's read side (`Authorization: Bearer <api_key>`, the guide's error envelope):
//! `GET /v1/checks/{check_id}` returns the `result` object `POST /verif/submit` returned (file
//! links minted afresh while the files exist) with the webhook delivery state;
//! `GET /v1/checks` lists a partner's checks, newest first, with keyset pagination. A key sees
//! only its partner's checks of its own mode (live or test); anything else reads as 404.

use axum::{
    Json,
    extract::{FromRequestParts, Path, Query, State},
    http::request::Parts,
};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{
    audit::Actor,
    checks::{self, rfc3339_ms},
    error::{AppError, AppResult},
    partners::{self, Authenticated, KeyMode},
    sessions,
    state::AppState,
    webhooks,
};
use crate::contract::messages;

/// The partner a Bearer key authenticates.
pub struct Partner(pub Authenticated);

impl FromRequestParts<AppState> for Partner {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        let key = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .ok_or_else(|| AppError::Unauthorized(messages::API_KEY_REQUIRED.into()))?;
        partners::authenticate(&state.db, key)
            .await?
            .map(Partner)
            .ok_or_else(AppError::invalid_api_key)
    }
}

fn livemode(auth: &Authenticated) -> bool {
    auth.mode == KeyMode::Live
}

const NOT_FOUND: &str = "Check not found";

/// `GET /v1/checks/{check_id}`
pub async fn get_check(
    State(state): State<AppState>,
    Partner(auth): Partner,
    Path(check_id): Path<String>,
) -> AppResult<Json<Value>> {
    let check = own_check(&state, &auth, &check_id).await?;
    let result = checks::to_result(&check, &state.storage, state.config.link_ttl)
        .await
        .map_err(|e| AppError::internal(format!("check {check_id}: file links"), e))?;
    let deliveries = webhooks::list_for_check(&state.db, &check.id).await?;
    Ok(Json(json!({
        "success": true,
        "check_id": check.id,
        "user_identifier": check.user_identifier,
        "livemode": check.livemode,
        "created_at": rfc3339_ms(check.created_at),
        "completed_at": rfc3339_ms(check.completed_at),
        "files_deleted_at": check.files_deleted_at.map(rfc3339_ms),
        "redacted_at": check.redacted_at.map(rfc3339_ms),
        "reviewed_at": check.reviewed_at.map(rfc3339_ms),
        "consent": check.consent_version.as_ref().map(|v| json!({
            "version": v,
            "given_at": check.consented_at.map(rfc3339_ms),
        })),
        "result": result,
        "webhook_deliveries": deliveries,
    })))
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    user_identifier: Option<String>,
    status: Option<String>,
    /// RFC 3339: checks created at or after it.
    since: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
}

/// `GET /v1/checks?user_identifier=&status=&since=&limit=&cursor=`
pub async fn list_checks(
    State(state): State<AppState>,
    Partner(auth): Partner,
    Query(q): Query<ListQuery>,
) -> AppResult<Json<Value>> {
    let filter = checks::ListFilter::parse(
        q.user_identifier,
        q.status.as_deref(),
        q.since.as_deref(),
        q.limit.as_deref(),
        q.cursor.as_deref(),
    )?;
    let (data, next_cursor) =
        checks::list(&state.db, &auth.partner.id, livemode(&auth), &filter).await?;
    Ok(Json(
        json!({ "success": true, "data": data, "next_cursor": next_cursor }),
    ))
}

/// A JSON request body, or a 400 saying what is wrong with it.
fn json_body<T>(body: Result<Json<T>, axum::extract::rejection::JsonRejection>) -> AppResult<T> {
    body.map(|Json(b)| b)
        .map_err(|e| AppError::bad_request(format!("Invalid JSON body: {}", e.body_text())))
}

/// The partner's own check of the key's mode, or 404.
async fn own_check(
    state: &AppState,
    auth: &Authenticated,
    id: &str,
) -> AppResult<checks::CheckRecord> {
    checks::get(&state.db, &auth.partner.id, id)
        .await?
        .filter(|c| c.livemode == livemode(auth))
        .ok_or_else(|| AppError::NotFound(NOT_FOUND.into()))
}

/// `DELETE /v1/checks/{check_id}`: redacts now. Both files are deleted from storage, email and
/// phone blanked; the record stays with `redacted_at`, and a `verification.redacted` webhook is
/// queued. Repeating it changes nothing.
pub async fn delete_check(
    State(state): State<AppState>,
    Partner(auth): Partner,
    Path(check_id): Path<String>,
) -> AppResult<Json<Value>> {
    let check = own_check(&state, &auth, &check_id).await?;
    let actor = Actor::Api {
        livemode: livemode(&auth),
    };
    let at = checks::redact(&state, &check, &actor).await?;
    Ok(Json(
        json!({"success": true, "check_id": check.id, "redacted_at": rfc3339_ms(at)}),
    ))
}

#[derive(Debug, Deserialize)]
pub struct ReviewBody {
    decision: Option<String>,
    note: Option<String>,
}

/// `POST /v1/checks/{check_id}/review` `{decision: verified|rejected, note}`: decides a check in
/// `review` and queues the final webhook (`verification.reviewed`, the completed payload).
pub async fn review_check(
    State(state): State<AppState>,
    Partner(auth): Partner,
    Path(check_id): Path<String>,
    body: Result<Json<ReviewBody>, axum::extract::rejection::JsonRejection>,
) -> AppResult<Json<Value>> {
    let b = json_body(body)?;
    let (decision, note) = checks::review_input(b.decision.as_deref(), b.note)?;
    let check = own_check(&state, &auth, &check_id).await?;
    let actor = Actor::Api {
        livemode: livemode(&auth),
    };
    let at = checks::review(&state, &check, decision, note, &actor).await?;
    Ok(Json(json!({
        "success": true,
        "check_id": check.id,
        "status": decision.as_str(),
        "reviewed_at": rfc3339_ms(at),
    })))
}

#[derive(Debug, Deserialize)]
pub struct NewSessionBody {
    user_identifier: Option<String>,
    user_email: Option<String>,
    user_phone: Option<String>,
    redirect_url: Option<String>,
    /// Seconds, 60 to 604800 (7 days); 24 hours by default.
    expires_in: Option<u64>,
}

/// `POST /v1/sessions`: a single-use capture link without any API key in it.
pub async fn create_session(
    State(state): State<AppState>,
    Partner(auth): Partner,
    body: Result<Json<NewSessionBody>, axum::extract::rejection::JsonRejection>,
) -> AppResult<(axum::http::StatusCode, Json<Value>)> {
    let b = json_body(body)?;
    let user_identifier =
        sessions::user_identifier(b.user_identifier.map(|u| u.trim().to_string()))?;
    let ttl = b.expires_in.unwrap_or(86_400);
    if !(60..=604_800).contains(&ttl) {
        return Err(AppError::bad_request(
            "expires_in must be from 60 to 604800 seconds",
        ));
    }
    let redirect_url = sessions::redirect_url(&auth.partner, b.redirect_url)?;
    let new = sessions::NewSession {
        user_identifier,
        user_email: b.user_email.filter(|e| !e.trim().is_empty()),
        user_phone: b.user_phone.filter(|p| !p.trim().is_empty()),
        redirect_url,
        renewable: false,
    };
    let created =
        sessions::create(&state.db, &auth, &new, std::time::Duration::from_secs(ttl)).await?;
    let mut url = state
        .config
        .public_url
        .join("verif/")
        .map_err(|e| AppError::internal("session URL", e))?;
    url.query_pairs_mut().append_pair("session", &created.token);
    Ok((
        axum::http::StatusCode::CREATED,
        Json(json!({
            "success": true,
            "session_id": created.id,
            "url": url.to_string(),
            "expires_at": rfc3339_ms(created.expires_at),
            "livemode": livemode(&auth),
        })),
    ))
}

/// Per-key request budget for the partner API: a fixed one-minute window per key (keyed by the
/// SHA-256 of the presented key, so unknown keys are limited too), per process.
#[derive(Debug, Default)]
pub struct RateLimiter {
    windows: std::sync::Mutex<std::collections::HashMap<String, (u64, u32)>>,
}

impl RateLimiter {
    /// `Ok(remaining)` or `Err(seconds until the window resets)`; also the reset time.
    fn take(&self, key: &str, limit: u32) -> (Result<u32, u64>, u64) {
        let now = crate::server::db::now_ms().max(0) as u64 / 1000;
        let window = now / 60;
        let reset = (window + 1) * 60 - now;
        let id = crate::server::crypto::sha256_hex(key.as_bytes());
        let mut map = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 10_000 {
            map.retain(|_, (w, _)| *w == window);
        }
        let entry = map.entry(id).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        if entry.1 >= limit {
            return (Err(reset), reset);
        }
        entry.1 += 1;
        (Ok(limit - entry.1), reset)
    }
}

/// Middleware for `/v1/*`: `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` on every
/// answer; 429 with `Retry-After` when the key's budget for this minute is spent.
pub async fn rate_limit(
    State(state): State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::{http::HeaderValue, response::IntoResponse};
    let limit = state.config.api_rate_limit;
    let key = req
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let (taken, reset) = state.api_rate.take(&key, limit);
    let mut resp = match taken {
        Ok(_) => next.run(req).await,
        Err(wait) => {
            let mut r = (
                axum::http::StatusCode::TOO_MANY_REQUESTS,
                Json(crate::contract::ErrorBody::new(format!(
                    "Rate limit exceeded: {limit} requests per minute; retry after {wait} s"
                ))),
            )
                .into_response();
            r.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, HeaderValue::from(wait));
            r
        }
    };
    let h = resp.headers_mut();
    h.insert("ratelimit-limit", HeaderValue::from(limit));
    h.insert("ratelimit-remaining", HeaderValue::from(taken.unwrap_or(0)));
    h.insert("ratelimit-reset", HeaderValue::from(reset));
    resp
}
