//! The partner API's read side (`Authorization: Bearer <secret key>`, the guide's error
//! envelope; capture keys are refused with a message saying a secret key is needed):
//! `GET /v1/checks/{check_id}` returns the `result` object `POST /verif/submit` returned (file
//! links minted afresh while the files exist) with the webhook delivery state;
//! `GET /v1/checks` lists a partner's checks, newest first, with keyset pagination. A key sees
//! only its partner's checks of its own mode (live or test); anything else reads as 404.

use axum::{
    Json, Router,
    extract::{FromRequestParts, Path, Query, State},
    http::request::Parts,
    routing::{get, post},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::{
    attempts,
    audit::Actor,
    capture_links,
    checks::{self, rfc3339_ms},
    domain::{Contact, UserIdentifier},
    error::{AppError, AppResult},
    idempotency, outbox,
    partners::{self, Authenticated, KeyKind, KeyMode, KeyRefused},
    state::AppState,
};
use crate::contract::{ErrorBody, Status, VerificationResult, api_messages, messages};

/// The partner a Bearer key authenticates.
pub struct Partner(pub Authenticated);

impl FromRequestParts<AppState> for Partner {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        // the rate limit in front of every operation authenticated the key already
        if let Some(auth) = parts.extensions.get::<Authenticated>() {
            return Ok(Partner(auth.clone()));
        }
        authenticate(&parts.headers, state).await.map(Partner)
    }
}

/// The request's `Authorization: Bearer` key, as a secret key; the guide's 401 otherwise.
async fn authenticate(
    headers: &axum::http::HeaderMap,
    state: &AppState,
) -> AppResult<Authenticated> {
    let key = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        // the scheme's name is case-insensitive (RFC 9110, 11.1)
        .and_then(|v| {
            v.get(..7)
                .filter(|s| s.eq_ignore_ascii_case("bearer "))
                .map(|_| &v[7..])
        })
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .ok_or_else(|| AppError::Unauthorized(messages::API_KEY_REQUIRED.into()))?;
    match partners::authenticate(&state.db, key, KeyKind::Secret).await? {
        Ok(auth) => Ok(auth),
        Err(KeyRefused::WrongKind(_)) => Err(AppError::Unauthorized(
            api_messages::SECRET_KEY_REQUIRED.into(),
        )),
        Err(KeyRefused::Invalid) => Err(AppError::invalid_api_key()),
    }
}

/// The `{check_id}` path segment; a malformed one is a 400 in the API's JSON envelope.
pub struct CheckId(pub String);

impl FromRequestParts<AppState> for CheckId {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        Path::<String>::from_request_parts(parts, state)
            .await
            .map(|Path(id)| CheckId(id))
            .map_err(|e| AppError::bad_request(format!("Invalid check id: {}", e.body_text())))
    }
}

fn livemode(auth: &Authenticated) -> bool {
    auth.mode == KeyMode::Live
}

const NOT_FOUND: &str = "Check not found";

/// The consent the user gave on the capture page.
#[derive(Debug, Serialize, ToSchema)]
pub struct Consent {
    /// Version of the consent text shown.
    version: String,
    /// RFC 3339 UTC.
    given_at: Option<String>,
}

/// `GET /v1/checks/{check_id}`: the check, its result, and its webhook deliveries.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckResponse {
    success: bool,
    check_id: String,
    user_identifier: String,
    livemode: bool,
    created_at: String,
    completed_at: String,
    files_deleted_at: Option<String>,
    redacted_at: Option<String>,
    reviewed_at: Option<String>,
    /// Null when the submitter declared none.
    consent: Option<Consent>,
    /// The object `POST /verif/submit` returned, with file links minted now (empty strings
    /// once the files are deleted).
    result: VerificationResult,
    webhook_deliveries: Vec<outbox::DeliveryView>,
}

/// A check of the key's partner and mode.
/// The partner API: its OpenAPI document (public), and every operation behind the per-key
/// rate limit (which also authenticates).
pub fn router(state: AppState) -> Router<AppState> {
    // on each route's methods only: an unsupported method stays a 405, an unknown path a 404
    let limited = axum::middleware::from_fn_with_state(state, rate_limit);
    let keyed = Router::new()
        .route("/v1/checks", get(list_checks).route_layer(limited.clone()))
        .route(
            "/v1/attempts",
            get(list_attempts).route_layer(limited.clone()),
        )
        .route(
            "/v1/sessions",
            post(create_session).route_layer(limited.clone()),
        )
        .route(
            "/v1/checks/{check_id}",
            get(get_check)
                .delete(delete_check)
                .route_layer(limited.clone()),
        )
        .route(
            "/v1/checks/{check_id}/review",
            post(review_check).route_layer(limited),
        );
    Router::new()
        .route("/v1/openapi.json", get(openapi))
        .merge(keyed)
}

/// The answers every `/v1` route may give besides its own: a missing or wrong key, and the
/// rate limit (OpenAPI only: the handlers answer through `AppError`).
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
enum KeyErrors {
    #[response(status = 401, description = "No key, or an invalid one")]
    Unauthorized(ErrorBody),
    #[response(status = 429, description = "Rate limit reached; see Retry-After")]
    RateLimited(ErrorBody),
}

/// A route on one check, named by a check id of another partner or mode.
#[derive(utoipa::IntoResponses)]
#[response(
    status = 404,
    description = "Not this partner's check (or the other mode's)"
)]
#[allow(dead_code)]
struct NotOwnCheck(ErrorBody);

#[utoipa::path(
    get,
    path = "/v1/checks/{check_id}",
    tag = "checks",
    params(("check_id" = String, Path, description = "The check id POST /verif/submit returned")),
    responses(
        (status = 200, description = "The check", body = CheckResponse),
        (status = 400, description = "A malformed check id", body = ErrorBody),
        NotOwnCheck,
        KeyErrors,
    ),
    security(("api_key" = []))
)]
pub async fn get_check(
    State(state): State<AppState>,
    Partner(auth): Partner,
    CheckId(check_id): CheckId,
) -> AppResult<Json<CheckResponse>> {
    let check = own_check(&state, &auth, &check_id).await?;
    let result = checks::to_result(&check, &state.storage, state.config.link_ttl)
        .await
        .map_err(|e| AppError::internal(format!("check {check_id}: file links"), e))?;
    let deliveries = outbox::list_for_check(&state.db, &check.id).await?;
    Ok(Json(CheckResponse {
        success: true,
        user_identifier: check.user_identifier,
        livemode: check.livemode,
        created_at: rfc3339_ms(check.created_at),
        completed_at: rfc3339_ms(check.completed_at),
        files_deleted_at: check.files_deleted_at.map(rfc3339_ms),
        redacted_at: check.redacted_at.map(rfc3339_ms),
        reviewed_at: check.reviewed_at.map(rfc3339_ms),
        consent: check.consent_version.map(|version| Consent {
            version,
            given_at: check.consented_at.map(rfc3339_ms),
        }),
        check_id: check.id,
        result,
        webhook_deliveries: deliveries,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only this user's checks.
    user_identifier: Option<String>,
    /// Only checks with this status.
    #[param(value_type = Option<Status>)]
    status: Option<String>,
    /// RFC 3339: checks created at or after it.
    #[param(value_type = Option<String>, format = DateTime)]
    since: Option<String>,
    /// Page size, 1 to 100 (20).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// `GET /v1/checks`: one page of checks, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListResponse {
    success: bool,
    data: Vec<checks::Summary>,
    /// Null on the last page.
    next_cursor: Option<String>,
}

/// The partner's checks of the key's mode, newest first, with keyset pagination.
#[utoipa::path(
    get,
    path = "/v1/checks",
    tag = "checks",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of checks", body = ListResponse),
        (status = 400, description = "A parameter is not valid (named in the message)", body = ErrorBody),
        KeyErrors,
    ),
    security(("api_key" = []))
)]
pub async fn list_checks(
    State(state): State<AppState>,
    Partner(auth): Partner,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> AppResult<Json<ListResponse>> {
    let Query(q) = query
        .map_err(|e| AppError::bad_request(format!("Invalid query string: {}", e.body_text())))?;
    let filter = checks::ListFilter::parse(
        q.user_identifier,
        q.status.as_deref(),
        q.since.as_deref(),
        q.limit.as_deref(),
        q.cursor.as_deref(),
    )?;
    let (data, next_cursor) =
        checks::list(&state.db, &auth.partner.id, livemode(&auth), &filter).await?;
    Ok(Json(ListResponse {
        success: true,
        data,
        next_cursor,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AttemptsQuery {
    /// Only this user's attempts.
    user_identifier: Option<String>,
    /// Only attempts with this outcome.
    #[param(value_type = Option<AttemptOutcome>)]
    outcome: Option<String>,
    /// Page size, 1 to 100 (20).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// What became of an attempt.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum AttemptOutcome {
    /// A check was made (`check_id`).
    Check,
    /// The recording missed its challenge and the link had recordings left: no check, the
    /// user recorded again.
    ChallengeRetry,
    /// Refused before anything was read: too many attempts for this user in the last hour
    /// (`IDV_USER_ATTEMPTS_PER_HOUR`).
    RefusedLimit,
    /// Let in, no verdict: under way, or it failed before one (its files refused, its client
    /// gone). Counted toward the limit.
    Incomplete,
}

/// `GET /v1/attempts`: one page of attempts, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptsResponse {
    success: bool,
    data: Vec<attempts::Attempt>,
    /// Null on the last page.
    next_cursor: Option<String>,
}

/// Every recording the partner's users made in the key's mode, newest first: those that
/// became checks, those sent back to record again (a missed challenge) and those refused by
/// the per-user limit, which leave no check. Kept as long as files are.
#[utoipa::path(
    get,
    path = "/v1/attempts",
    tag = "checks",
    params(AttemptsQuery),
    responses(
        (status = 200, description = "A page of attempts", body = AttemptsResponse),
        (status = 400, description = "A parameter is not valid (named in the message)", body = ErrorBody),
        KeyErrors,
    ),
    security(("api_key" = []))
)]
pub async fn list_attempts(
    State(state): State<AppState>,
    Partner(auth): Partner,
    query: Result<Query<AttemptsQuery>, axum::extract::rejection::QueryRejection>,
) -> AppResult<Json<AttemptsResponse>> {
    let Query(q) = query
        .map_err(|e| AppError::bad_request(format!("Invalid query string: {}", e.body_text())))?;
    let filter = attempts::ListFilter::parse(
        q.user_identifier,
        q.outcome.as_deref(),
        q.limit.as_deref(),
        q.cursor.as_deref(),
    )?;
    let (data, next_cursor) =
        attempts::list(&state.db, &auth.partner.id, livemode(&auth), &filter).await?;
    Ok(Json(AttemptsResponse {
        success: true,
        data,
        next_cursor,
    }))
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

/// `DELETE /v1/checks/{check_id}`'s answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct RedactResponse {
    success: bool,
    check_id: String,
    redacted_at: String,
}

/// Redacts a check now: both files deleted from storage, email and phone blanked; the record
/// stays with `redacted_at`, and a `verification.redacted` webhook is queued. Repeating it
/// changes nothing.
#[utoipa::path(
    delete,
    path = "/v1/checks/{check_id}",
    tag = "checks",
    params(("check_id" = String, Path, description = "The check id")),
    responses(
        (status = 200, description = "Redacted (now or before)", body = RedactResponse),
        (status = 400, description = "A malformed check id", body = ErrorBody),
        NotOwnCheck,
        KeyErrors,
    ),
    security(("api_key" = []))
)]
pub async fn delete_check(
    State(state): State<AppState>,
    Partner(auth): Partner,
    CheckId(check_id): CheckId,
) -> AppResult<Json<RedactResponse>> {
    let check = own_check(&state, &auth, &check_id).await?;
    let actor = Actor::Api {
        livemode: livemode(&auth),
    };
    let at = checks::redact(&state, &check, &actor).await?;
    Ok(Json(RedactResponse {
        success: true,
        check_id: check.id,
        redacted_at: rfc3339_ms(at),
    }))
}

/// A review decision.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReviewBody {
    /// `verified` or `rejected`.
    #[schema(required = true, value_type = String, pattern = "^(verified|rejected)$")]
    decision: Option<String>,
    /// Kept with the decision; at most 2000 characters.
    #[schema(max_length = 2000)]
    note: Option<String>,
}

/// `POST /v1/checks/{check_id}/review`'s answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewResponse {
    success: bool,
    check_id: String,
    status: Status,
    reviewed_at: String,
}

/// `POST /v1/checks/{check_id}/review` `{decision: verified|rejected, note}`: decides a check in
/// `review` and queues the final webhook (`verification.reviewed`, the completed payload).
#[utoipa::path(
    post,
    path = "/v1/checks/{check_id}/review",
    tag = "checks",
    params(
        ("check_id" = String, Path, description = "A check in review"),
        ("Idempotency-Key" = Option<String>, Header, description = "Optional, 1 to 255 printable ASCII characters: the first answer below 500 (but 429) is kept 24 hours and returned again, with `Idempotent-Replayed: true`, for the same key and the same request; the same key with another request gets 422, while the first runs 409."),
    ),
    request_body = ReviewBody,
    responses(
        (status = 200, description = "Decided; the verification.reviewed webhook is queued", body = ReviewResponse),
        (status = 400, description = "The body (or the Idempotency-Key) is not valid (named in the message)", body = ErrorBody),
        NotOwnCheck,
        (status = 409, description = "The check is not in review, or was redacted; or a request with the same Idempotency-Key is in progress", body = ErrorBody),
        (status = 422, description = "The Idempotency-Key was used with a different request", body = ErrorBody),
        KeyErrors,
    ),
    security(("api_key" = []))
)]
pub async fn review_check(
    State(state): State<AppState>,
    Partner(auth): Partner,
    CheckId(check_id): CheckId,
    body: Result<Json<ReviewBody>, axum::extract::rejection::JsonRejection>,
) -> AppResult<Json<ReviewResponse>> {
    let b = json_body(body)?;
    let (decision, note) = checks::review_input(b.decision.as_deref(), b.note)?;
    let check = own_check(&state, &auth, &check_id).await?;
    let actor = Actor::Api {
        livemode: livemode(&auth),
    };
    let at = checks::review(&state, &check, decision, note, &actor).await?;
    Ok(Json(ReviewResponse {
        success: true,
        check_id: check.id,
        status: decision,
        reviewed_at: rfc3339_ms(at),
    }))
}

/// A capture session to create.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewSessionBody {
    /// Your id for the user; at most 255 characters.
    #[schema(required = true, value_type = String, min_length = 1, max_length = 255)]
    user_identifier: Option<String>,
    user_email: Option<String>,
    user_phone: Option<String>,
    /// Where the page returns the user, with `check_id` and `status` added; must be on one
    /// of the partner's allowed origins.
    redirect_url: Option<String>,
    /// Seconds, 60 to 604800 (7 days); 24 hours by default.
    #[schema(minimum = 60, maximum = 604800)]
    expires_in: Option<u64>,
    /// What the identity document should say: checked against what is read off it
    /// (`document_data_mismatch`, `underage`; README "Documents").
    /// (Read as any JSON first: serde would take an array for the object.)
    #[serde(default)]
    #[schema(value_type = Option<crate::server::document::Expected>)]
    expected: Option<serde_json::Value>,
    /// The capture page's language, over the user's browser languages: one of `en`, `es`,
    /// `fr`, `de`, `pt-BR`, `it`, `nl`, `pl`, `tr`, `ar`, `hi`, `zh-CN` (a regional tag such as
    /// `fr-CA` picks its language). The user can still switch on the page.
    #[schema(max_length = 35, example = "pt-BR")]
    locale: Option<String>,
}

/// `POST /v1/sessions`'s answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionResponse {
    success: bool,
    session_id: String,
    /// The capture page for this user: no API key in it; single use.
    url: String,
    expires_at: String,
    livemode: bool,
}

/// `POST /v1/sessions`: a single-use capture link without any API key in it.
#[utoipa::path(
    post,
    path = "/v1/sessions",
    tag = "sessions",
    params(("Idempotency-Key" = Option<String>, Header, description = "Optional, 1 to 255 printable ASCII characters: the first answer below 500 (but 429) is kept 24 hours and returned again, with `Idempotent-Replayed: true`, for the same key and the same request; the same key with another request gets 422, while the first runs 409.")),
    request_body = NewSessionBody,
    responses(
        (status = 201, description = "Created", body = SessionResponse),
        (status = 400, description = "The body (or the Idempotency-Key) is not valid (named in the message)", body = ErrorBody),
        (status = 409, description = "A request with the same Idempotency-Key is in progress", body = ErrorBody),
        (status = 422, description = "The Idempotency-Key was used with a different request", body = ErrorBody),
        KeyErrors,
    ),
    security(("api_key" = []))
)]
pub async fn create_session(
    State(state): State<AppState>,
    Partner(auth): Partner,
    body: Result<Json<NewSessionBody>, axum::extract::rejection::JsonRejection>,
) -> AppResult<(axum::http::StatusCode, Json<SessionResponse>)> {
    let b = json_body(body)?;
    let user_identifier = UserIdentifier::parse(b.user_identifier.as_deref())?.into_string();
    let ttl = b.expires_in.unwrap_or(86_400);
    if !(60..=604_800).contains(&ttl) {
        return Err(AppError::bad_request(
            "expires_in must be from 60 to 604800 seconds",
        ));
    }
    let redirect_url = capture_links::redirect_url(auth.settings(), b.redirect_url)?;
    let contact = Contact::parse(b.user_email.as_deref(), b.user_phone.as_deref())?;
    let expected = match b.expected {
        None | Some(serde_json::Value::Null) => crate::server::document::Expected::default(),
        Some(v @ serde_json::Value::Object(_)) => {
            serde_json::from_value::<crate::server::document::Expected>(v)
                .map_err(|e| AppError::bad_request(format!("expected is not valid: {e}")))?
        }
        Some(_) => {
            return Err(AppError::bad_request(
                "expected must be an object with name, date_of_birth and minimum_age",
            ));
        }
    }
    .validate()
    .map_err(AppError::bad_request)?;
    let locale = b
        .locale
        .as_deref()
        .map(crate::server::i18n::parse_locale)
        .transpose()
        .map_err(AppError::bad_request)?
        .map(str::to_string);
    let new = capture_links::NewCaptureLink {
        user_identifier,
        user_email: contact.email(),
        user_phone: contact.phone(),
        redirect_url,
        renewable: false,
        expected,
        locale,
    };
    let created =
        capture_links::create(&state.db, &auth, &new, std::time::Duration::from_secs(ttl)).await?;
    let mut url = state
        .config
        .public_url
        .join("verif/")
        .map_err(|e| AppError::internal("session URL", e))?;
    url.query_pairs_mut().append_pair("session", &created.token);
    Ok((
        axum::http::StatusCode::CREATED,
        Json(SessionResponse {
            success: true,
            session_id: created.id,
            url: url.to_string(),
            expires_at: rfc3339_ms(created.expires_at),
            livemode: livemode(&auth),
        }),
    ))
}

/// Middleware for `/v1/*`: authenticates the key (one indexed lookup; the handlers reuse the
/// result), then takes the request from that key's budget: `RateLimit-Limit`,
/// `RateLimit-Remaining`, `RateLimit-Reset` on every answer, 429 with `Retry-After` when the
/// budget for this minute is spent. A request without a valid key takes from its address's
/// budget for such requests (`IDV_IP_API_PER_MINUTE`, 429 when spent) and gets its 401: made-up
/// keys share no key's budget and write nothing per key.
pub async fn rate_limit(
    State(state): State<AppState>,
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::{http::HeaderValue, response::IntoResponse};
    let auth = match authenticate(req.headers(), &state).await {
        Ok(auth) => auth,
        Err(AppError::Unauthorized(refusal)) => {
            let guard = &state.config.guard;
            let ip = super::guard::request_ip(&req, &guard.trusted_proxies);
            let exempt = guard.ip_limits_exempt.iter().any(|n| n.contains(&ip));
            if !exempt && let Err(e) = state.ip_limits.check(super::limits::Limited::Api, ip).await
            {
                return e.into_response();
            }
            return AppError::Unauthorized(refusal).into_response();
        }
        Err(e) => return e.into_response(),
    };
    let limit = state.config.api_rate_limit;
    let bucket = auth
        .key_id
        .clone()
        .unwrap_or_else(|| auth.partner.id.clone());
    let (taken, reset) = match state.api_rate.take(&bucket, limit).await {
        Ok(t) => t,
        Err(e) => return e.into_response(),
    };
    req.extensions_mut().insert(auth.clone());
    let mut resp = match taken {
        Ok(_) => idempotent(&state, &auth, req, next).await,
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

/// Request bodies a key is taken for (a `/v1` body is small).
const MAX_KEYED_BODY: usize = 64 * 1024;

/// A POST with an `Idempotency-Key` ([`super::idempotency`]): the first answer below 500 (and
/// not 429) is kept and returned again for the same request; the same key with another request
/// gets 422, and while the first runs 409.
async fn idempotent(
    state: &AppState,
    auth: &Authenticated,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::{
        body::Body,
        http::{HeaderValue, Method, StatusCode, header},
        response::IntoResponse,
    };
    use sha2::{Digest, Sha256};
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let key = match idempotency::Key::of(req.headers()) {
        Ok(Some(k)) => k,
        Ok(None) => return next.run(req).await,
        Err(e) => return e.into_response(),
    };
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_KEYED_BODY).await else {
        return AppError::PayloadTooLarge(format!(
            "A request with an Idempotency-Key may carry at most {MAX_KEYED_BODY} bytes (or its body could not be read)"
        ))
        .into_response();
    };
    let mut h = Sha256::new();
    h.update(format!("{} {}\n", parts.method, parts.uri.path()).as_bytes());
    h.update(&bytes);
    let fingerprint = hex::encode(h.finalize());
    let scope = idempotency::Scope {
        partner_id: auth.partner.id.clone(),
        livemode: livemode(auth),
    };
    let claimed = idempotency::claim(
        &state.db,
        &state.master_key,
        &scope,
        idempotency::Surface::V1,
        &key,
        &fingerprint,
    )
    .await;
    match claimed {
        Err(e) => e.into_response(),
        Ok(idempotency::Claimed::Owned(lease)) => {
            // the operation and the keeping of its answer run to the end together, even when
            // the client hangs up in between (the lost answer is what the key is for)
            let state = state.clone();
            let run = tokio::spawn(async move {
                let resp = next
                    .run(axum::extract::Request::from_parts(parts, Body::from(bytes)))
                    .await;
                let status = resp.status();
                // made nothing to keep: the key is free again before the answer goes
                if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
                    lease.release().await;
                    return resp;
                }
                let (head, body) = resp.into_parts();
                let body = match axum::body::to_bytes(body, usize::MAX).await {
                    Ok(b) => b,
                    Err(e) => {
                        lease.release().await;
                        return AppError::internal("reading an answer to keep", e).into_response();
                    }
                };
                let text = String::from_utf8_lossy(&body);
                if let Err(e) = lease
                    .keep(&state.master_key, status.as_u16(), Some(&text))
                    .await
                {
                    // answered all the same; a retry gets 409 until the lease lapses
                    e.log();
                }
                axum::response::Response::from_parts(head, Body::from(body))
            });
            run.await.unwrap_or_else(|e| {
                AppError::internal("an operation with an Idempotency-Key", e).into_response()
            })
        }
        Ok(idempotency::Claimed::Answer { status, body }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut r = (status, body).into_response();
            let h = r.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            h.insert(
                idempotency::REPLAYED_HEADER,
                HeaderValue::from_static("true"),
            );
            r
        }
        Ok(idempotency::Claimed::Check(_)) => AppError::Unprocessable(
            "This Idempotency-Key was used with another kind of request".into(),
        )
        .into_response(),
    }
}

/// The partner API's OpenAPI 3.1 document, generated from the handlers above.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Identity verification: partner API",
        version = "1",
        description = "Server-to-server API for partners: `Authorization: Bearer <secret key>` (idv_sk_live_… or idv_sk_test_…; the capture key of capture links is refused). Errors are `{\"success\": false, \"error\": \"…\"}`. Every answer to a valid key carries RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset; requests without a valid key are limited per client address."
    ),
    paths(get_check, list_checks, list_attempts, delete_check, review_check, create_session),
    // named by a query parameter only (not reached from a body)
    components(schemas(AttemptOutcome)),
    modifiers(&BearerKey),
    tags(
        (name = "checks", description = "Results, redaction, manual review"),
        (name = "sessions", description = "Capture links without an API key"),
    )
)]
pub struct ApiDoc;

struct BearerKey;

impl utoipa::Modify for BearerKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                "api_key",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .description(Some("The partner's secret key (idv_sk_live_… or idv_sk_test_…); a capture key (idv_live_…, idv_test_…) gets 401"))
                        .build(),
                ),
            );
    }
}

/// `GET /v1/openapi.json`
pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
