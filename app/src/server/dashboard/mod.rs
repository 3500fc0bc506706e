//! The partner dashboard under `/dashboard`: sign-in with the partner's *secret* key (a capture
//! key is refused), exchanged for a session cookie (HttpOnly, SameSite=Strict; over https
//! `Secure` and the `__Host-` prefix); a session lives only as long as the key that opened it.
//! A partner sees only its own checks, of the signed-in key's mode; a test-mode session cannot
//! change live settings. Every POST carries the session's CSRF token and must come from this
//! origin; rotating a key or secret asks for the current secret key again. Pages are
//! server-rendered Leptos ([`pages`]).

pub mod pages;

use axum::{
    Form, Router,
    extract::{FromRequestParts, Path, Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts},
    response::{Html, IntoResponse, Redirect, Response},
    routing::{get, post},
};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD as B64URL};
use serde::Deserialize;
use sqlx::Row;
use std::time::Duration;

use super::{
    audit::{self, Action, Actor},
    checks,
    crypto::{random_bytes, sha256_hex},
    db::{Db, now_ms},
    error::AppError,
    outbox,
    partners::{self, KeyKind, KeyMode, Partner},
    state::AppState,
    verify,
};
use crate::contract::Theme;
use pages::{ListForm, Nav, SettingsForm};

/// The session cookie over plain http (development, tests on loopback).
const COOKIE: &str = "idv_dashboard";
/// Over https: `__Host-` makes browsers refuse it unless Secure, host-only and `Path=/`.
const HOST_COOKIE: &str = "__Host-idv_dashboard";
/// A dashboard session lasts this long.
const SESSION_TTL: Duration = Duration::from_secs(8 * 3600);
/// Image links on the check page.
const IMAGE_LINK_TTL: Duration = Duration::from_secs(300);

/// The dashboard's routes: sign-in, the pages and their guarded actions.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/dashboard",
            get(|| async { Redirect::to("/dashboard/checks") }),
        )
        .route(
            "/dashboard/",
            get(|| async { Redirect::to("/dashboard/checks") }),
        )
        .route("/dashboard/sign-in", get(sign_in_page).post(sign_in))
        .route("/dashboard/sign-out", post(sign_out))
        .route("/dashboard/checks", get(checks_page))
        .route("/dashboard/checks/export.csv", get(export_csv))
        .route("/dashboard/checks/{check_id}", get(check_page))
        .route("/dashboard/checks/{check_id}/{action}", post(check_action))
        .route("/dashboard/review", get(review_queue))
        .route("/dashboard/webhooks", get(webhooks_page))
        .route(
            "/dashboard/settings",
            get(settings_page).post(save_settings),
        )
        .route("/dashboard/settings/{rotation}", post(rotate))
        .route("/dashboard/preview", get(preview))
        .route("/dashboard/audit", get(audit_page))
        .layer(axum::middleware::map_response(secure_headers))
}

/// No caching, no framing (the preview may be framed by the dashboard itself), and a strict
/// content policy.
async fn secure_headers(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' http: https: data:; media-src 'self' http: https:; \
                 frame-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'",
            ),
        );
    }
    resp
}

// --- dashboard logins (table `dashboard_sessions`) -------------------------------------------

/// A dashboard login: a partner signed in with a secret key, in that key's mode.
#[derive(Debug, Clone)]
pub struct Login {
    pub id: String,
    pub partner: Partner,
    pub livemode: bool,
    pub csrf: String,
}

impl Login {
    fn mode(&self) -> KeyMode {
        KeyMode::from_livemode(self.livemode)
    }
    fn actor(&self) -> Actor {
        Actor::Dashboard {
            session: self.id.clone(),
        }
    }
    fn nav(&self, active: &'static str) -> Nav {
        Nav {
            partner_name: self.partner.theme.display_name.clone(),
            livemode: self.livemode,
            csrf: self.csrf.clone(),
            active,
        }
    }
}

/// The session cookie's name: `__Host-` over https.
fn cookie_name(state: &AppState) -> &'static str {
    if state.config.public_url.scheme() == "https" {
        HOST_COOKIE
    } else {
        COOKIE
    }
}

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| {
            c.trim()
                .strip_prefix(&format!("{name}="))
                .map(str::to_string)
        })
        .next()
}

async fn find_login(db: &Db, token: &str) -> Result<Option<Login>, sqlx::Error> {
    // the key that opened it must still work: a revoked or rotated-out key ends its sessions
    let row = sqlx::query(
        "SELECT s.id, s.partner_id, s.livemode, s.csrf_token FROM dashboard_sessions s \
         JOIN api_keys k ON k.id = s.api_key_id \
         WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 \
           AND (k.expires_at IS NULL OR k.expires_at > $2)",
    )
    .bind(sha256_hex(token.as_bytes()))
    .bind(now_ms())
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let partner_id: String = row.try_get("partner_id")?;
    let Some(partner) = partners::get(db, &partner_id)
        .await?
        .filter(|p| !p.disabled)
    else {
        return Ok(None);
    };
    Ok(Some(Login {
        id: row.try_get("id")?,
        partner,
        livemode: row.try_get::<i16, _>("livemode")? != 0,
        csrf: row.try_get("csrf_token")?,
    }))
}

/// Not signed in: back to the sign-in page.
pub struct SignIn;

impl IntoResponse for SignIn {
    fn into_response(self) -> Response {
        Redirect::to("/dashboard/sign-in").into_response()
    }
}

impl FromRequestParts<AppState> for Login {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Some(token) = cookie_value(&parts.headers, cookie_name(state)) else {
            return Err(SignIn.into_response());
        };
        match find_login(&state.db, &token).await {
            Ok(Some(s)) => Ok(s),
            Ok(None) => Err(SignIn.into_response()),
            Err(e) => Err(AppError::from(e).into_response()),
        }
    }
}

/// A form a state-changing dashboard request posts: it carries the login's CSRF token.
trait CsrfProtected {
    fn csrf(&self) -> &str;
}

/// A dashboard POST that passed the guard: a login, this origin (when the browser names it),
/// and the login's CSRF token in the form. Handlers that change anything take it, so none can
/// forget the check.
struct Guarded<F> {
    login: Login,
    form: F,
}

impl<F> axum::extract::FromRequest<AppState> for Guarded<F>
where
    F: serde::de::DeserializeOwned + CsrfProtected + Send,
{
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let login = Login::from_request_parts(&mut parts, state).await?;
        let headers = parts.headers.clone();
        let req = axum::extract::Request::from_parts(parts, body);
        let Form(form) = Form::<F>::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        guard(&login, &headers, state, form.csrf()).map_err(IntoResponse::into_response)?;
        Ok(Self { login, form })
    }
}

/// A POST must carry the session's CSRF token and, when the browser names it, come from this
/// origin.
fn guard(s: &Login, headers: &HeaderMap, state: &AppState, csrf: &str) -> Result<(), DashError> {
    use subtle::ConstantTimeEq;
    if !same_origin(headers, state) || !bool::from(s.csrf.as_bytes().ct_eq(csrf.as_bytes())) {
        return Err(DashError::Refused);
    }
    Ok(())
}

/// What a dashboard request can end in besides its page.
pub enum DashError {
    /// CSRF token or origin wrong: 403.
    Refused,
    /// Not this partner's (or this mode's) check: 404.
    NotFound,
    App(AppError),
}

impl<E: Into<AppError>> From<E> for DashError {
    fn from(e: E) -> Self {
        DashError::App(e.into())
    }
}

impl IntoResponse for DashError {
    fn into_response(self) -> Response {
        match self {
            DashError::Refused => (StatusCode::FORBIDDEN, Html(forbidden())).into_response(),
            DashError::NotFound => (
                StatusCode::NOT_FOUND,
                Html(pages::message("Not found", "Check not found.")),
            )
                .into_response(),
            DashError::App(e) => {
                let status = e.status();
                let msg = e.public_message();
                // logs internal errors the same way as the API
                let _ = e.into_response();
                (status, Html(pages::message("Something went wrong", msg))).into_response()
            }
        }
    }
}

type DashResult = Result<Response, DashError>;

/// Whether a POST comes from this site: `Sec-Fetch-Site` where the browser sends it, else the
/// `Origin` header (a request with neither is let through: the CSRF token and the SameSite
/// cookie still hold).
fn same_origin(headers: &HeaderMap, state: &AppState) -> bool {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site") {
        return matches!(site, "same-origin" | "none");
    }
    let Some(origin) = header("origin").filter(|o| *o != "null") else {
        return true;
    };
    let ours = state.config.public_url.origin().ascii_serialization();
    let host = header("host").map(|h| format!("{}://{h}", state.config.public_url.scheme()));
    origin == ours || Some(origin) == host.as_deref()
}

fn forbidden() -> String {
    pages::message(
        "Refused",
        "This action was refused: the form is stale or came from another site. Go back, reload the page and try again.",
    )
}

#[derive(Deserialize)]
struct SignInForm {
    api_key: String,
}

async fn sign_in_page() -> Html<String> {
    Html(pages::sign_in(None))
}

async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<SignInForm>,
) -> DashResult {
    if !same_origin(&headers, &state) {
        return Ok((StatusCode::FORBIDDEN, Html(forbidden())).into_response());
    }
    let auth = match partners::authenticate(&state.db, &f.api_key, KeyKind::Secret).await? {
        Ok(auth) => auth,
        Err(refused) => {
            let msg = match refused {
                partners::KeyRefused::WrongKind(_) => {
                    crate::contract::api_messages::SECRET_KEY_REQUIRED
                }
                partners::KeyRefused::Invalid => crate::contract::messages::INVALID_API_KEY,
            };
            return Ok((
                StatusCode::UNAUTHORIZED,
                Html(pages::sign_in(Some(msg.into()))),
            )
                .into_response());
        }
    };
    let token = B64URL.encode(random_bytes::<32>());
    let id = format!("ds_{}", hex::encode(random_bytes::<6>()));
    let livemode = auth.mode == KeyMode::Live;
    let now = now_ms();
    let mut tx = state.db.pool.begin().await?;
    sqlx::query(
        "INSERT INTO dashboard_sessions (id, token_hash, partner_id, livemode, csrf_token, created_at, expires_at, api_key_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(sha256_hex(token.as_bytes()))
    .bind(&auth.partner.id)
    .bind(i16::from(livemode))
    .bind(B64URL.encode(random_bytes::<32>()))
    .bind(now)
    .bind(now + SESSION_TTL.as_millis() as i64)
    .bind(&auth.key_id)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        audit::Entry::new(
            &auth.partner.id,
            &Actor::Dashboard {
                session: id.clone(),
            },
            Action::SignedIn,
        )
        .mode(livemode)
        .detail(format!("{} key", auth.mode.as_str())),
    )
    .await?;
    tx.commit().await?;
    let cookie = if state.config.public_url.scheme() == "https" {
        format!(
            "{HOST_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}; Secure",
            SESSION_TTL.as_secs()
        )
    } else {
        format!(
            "{COOKIE}={token}; Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age={}",
            SESSION_TTL.as_secs()
        )
    };
    let mut resp = Redirect::to("/dashboard/checks").into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(|e| AppError::internal("session cookie", e))?,
    );
    Ok(resp)
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: String,
}

impl CsrfProtected for CsrfForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

async fn sign_out(
    State(state): State<AppState>,
    Guarded { login: s, form: _ }: Guarded<CsrfForm>,
) -> DashResult {
    let mut tx = state.db.pool.begin().await?;
    sqlx::query("UPDATE dashboard_sessions SET revoked_at = $2 WHERE id = $1")
        .bind(&s.id)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut *tx,
        audit::Entry::new(&s.partner.id, &s.actor(), Action::SignedOut).mode(s.livemode),
    )
    .await?;
    tx.commit().await?;
    let mut resp = Redirect::to("/dashboard/sign-in").into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static(if cookie_name(&state) == HOST_COOKIE {
            "__Host-idv_dashboard=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure"
        } else {
            "idv_dashboard=; Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age=0"
        }),
    );
    Ok(resp)
}

// --- checks ----------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
struct ListQuery {
    status: Option<String>,
    user: Option<String>,
    /// `YYYY-MM-DD` (the date input), from midnight UTC.
    since: Option<String>,
    cursor: Option<String>,
}

impl ListQuery {
    fn filter(&self, limit: &str) -> Result<checks::ListFilter, AppError> {
        let since = self
            .since
            .as_deref()
            .filter(|d| !d.is_empty())
            .map(|d| {
                chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .map(|d| format!("{d}T00:00:00Z"))
                    .map_err(|_| AppError::bad_request("since must be a date such as 2026-01-15"))
            })
            .transpose()?;
        checks::ListFilter::parse(
            self.user.clone(),
            self.status.as_deref().filter(|s| !s.is_empty()),
            since.as_deref(),
            Some(limit),
            self.cursor.as_deref(),
        )
    }
    fn form(&self) -> ListForm {
        ListForm {
            status: self.status.clone().unwrap_or_default(),
            user: self.user.clone().unwrap_or_default(),
            since: self.since.clone().unwrap_or_default(),
        }
    }
}

async fn checks_page(
    State(state): State<AppState>,
    s: Login,
    Query(q): Query<ListQuery>,
) -> DashResult {
    let (rows, next, problem) = match q.filter("50") {
        Ok(f) => {
            let (rows, next) = checks::list(&state.db, &s.partner.id, s.livemode, &f).await?;
            (rows, next, None)
        }
        Err(e) => (Vec::new(), None, Some(e.public_message())),
    };
    let status = if problem.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Html(pages::checks(
            s.nav("checks"),
            "Checks",
            q.form(),
            rows,
            next,
            problem,
        )),
    )
        .into_response())
}

async fn review_queue(State(state): State<AppState>, s: Login) -> Result<Html<String>, DashError> {
    // the hundred newest waiting (decided checks leave the queue)
    let f = checks::ListFilter::parse(None, Some("review"), None, Some("100"), None)?;
    let (rows, _) = checks::list(&state.db, &s.partner.id, s.livemode, &f).await?;
    Ok(Html(pages::checks(
        s.nav("review"),
        "Review queue",
        ListForm::default(),
        rows,
        None,
        None,
    )))
}

/// CSV of the filtered checks (up to 10,000 rows, newest first); recorded in the audit log.
async fn export_csv(
    State(state): State<AppState>,
    s: Login,
    Query(q): Query<ListQuery>,
) -> DashResult {
    let mut f = q.filter("100")?;
    let mut out = String::from(
        "check_id,user_identifier,status,similarity_score,overall_score,created_at,completed_at\n",
    );
    let mut n = 0usize;
    loop {
        let (rows, next) = checks::list(&state.db, &s.partner.id, s.livemode, &f).await?;
        for r in &rows {
            out.push_str(&format!(
                "{},{},{},{},{},{},{}\n",
                csv(&r.check_id),
                csv(&r.user_identifier),
                r.status,
                r.similarity_score,
                r.overall_score,
                r.created_at,
                r.completed_at
            ));
        }
        n += rows.len();
        match next {
            Some(c) if n < 10_000 => f.cursor = checks::cursor_decode(&c),
            _ => break,
        }
    }
    audit::record(
        &state.db.pool,
        audit::Entry::new(&s.partner.id, &s.actor(), Action::ChecksExported)
            .mode(s.livemode)
            .detail(format!("{n} checks as CSV; filter: {}", q.form().query())),
    )
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"checks.csv\"",
            ),
        ],
        out,
    )
        .into_response())
}

/// A CSV field: quoted when needed; a leading formula character (OWASP's list: `=`, `+`, `-`,
/// `@`, tab, carriage return) is neutralised.
fn csv(v: &str) -> String {
    let v = if v.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{v}")
    } else {
        v.to_string()
    };
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}

async fn own_check(
    state: &AppState,
    s: &Login,
    id: &str,
) -> Result<checks::CheckRecord, DashError> {
    checks::get(&state.db, &s.partner.id, id)
        .await?
        .filter(|c| c.livemode == s.livemode)
        .ok_or(DashError::NotFound)
}

#[derive(Deserialize, Default)]
struct NoticeQuery {
    notice: Option<String>,
}

fn notice_text(code: Option<&str>) -> Option<String> {
    Some(
        match code? {
            "redelivered" => "Webhooks queued again; new attempts appear below.",
            "reviewed" => "Decision saved; the final webhook is on its way.",
            "redacted" => "Redacted: the files are deleted and contact details blanked.",
            "saved" => "Settings saved.",
            _ => return None,
        }
        .to_string(),
    )
}

async fn check_page(
    State(state): State<AppState>,
    s: Login,
    Path(id): Path<String>,
    Query(n): Query<NoticeQuery>,
) -> DashResult {
    let c = own_check(&state, &s, &id).await?;
    let links = if c.files_deleted_at.is_none() {
        let selfie = state.storage.read_url(&c.selfie_key, IMAGE_LINK_TTL).await;
        let photo = state.storage.read_url(&c.id_key, IMAGE_LINK_TTL).await;
        let (selfie, photo) = (
            selfie.map_err(|e| AppError::internal(format!("check {id}: links"), e))?,
            photo.map_err(|e| AppError::internal(format!("check {id}: links"), e))?,
        );
        audit::record(
            &state.db.pool,
            audit::Entry::new(&s.partner.id, &s.actor(), Action::ImagesViewed)
                .mode(s.livemode)
                .check(&c.id),
        )
        .await?;
        Some((selfie, photo))
    } else {
        None
    };
    let deliveries = outbox::list_for_check(&state.db, &c.id).await?;
    let audit_entries = audit::list(&state.db, &s.partner.id, s.livemode, Some(&c.id), 100).await?;
    let risk_meanings = c
        .risk_factors
        .iter()
        .map(|r| (r.clone(), verify::local::meaning(r)))
        .collect();
    let view = pages::CheckView {
        check: c,
        links,
        deliveries,
        audit: audit_entries,
        risk_meanings,
    };
    Ok(Html(pages::check(
        s.nav("checks"),
        view,
        notice_text(n.notice.as_deref()),
        None,
    ))
    .into_response())
}

/// The form of every action on one check; each action reads the fields it needs.
#[derive(Deserialize)]
struct CheckActionForm {
    csrf: String,
    /// `review`: `verified` or `rejected`, and an optional note.
    decision: Option<String>,
    note: Option<String>,
    /// `redact`: `yes` when the user ticked the confirmation.
    confirm: Option<String>,
}

impl CsrfProtected for CheckActionForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /dashboard/checks/{id}/{redeliver|review|redact}`: one guarded door (session, CSRF,
/// the check is this partner's in this mode) for the actions on a check; each is a service
/// call that writes its own audit entry.
async fn check_action(
    State(state): State<AppState>,
    Path((id, action)): Path<(String, String)>,
    Guarded { login: s, form: f }: Guarded<CheckActionForm>,
) -> DashResult {
    let c = own_check(&state, &s, &id).await?;
    let notice = match action.as_str() {
        "redeliver" => {
            outbox::redeliver(&state.db, &c.id, &s.actor())
                .await
                .map_err(|e| AppError::internal(format!("check {id}: redeliver"), e))?;
            state.webhook_notify.notify_one();
            "redelivered"
        }
        "review" => {
            let (decision, note) = checks::review_input(f.decision.as_deref(), f.note)?;
            checks::review(&state, &c, decision, note, &s.actor()).await?;
            "reviewed"
        }
        "redact" => {
            if f.confirm.as_deref() != Some("yes") {
                return Err(AppError::bad_request("Tick the confirmation to redact").into());
            }
            checks::redact(&state, &c, &s.actor()).await?;
            "redacted"
        }
        _ => return Err(AppError::NotFound("No such action".into()).into()),
    };
    Ok(Redirect::to(&format!("/dashboard/checks/{id}?notice={notice}")).into_response())
}

// --- webhooks, audit -----------------------------------------------------------------------

async fn webhooks_page(State(state): State<AppState>, s: Login) -> Result<Html<String>, DashError> {
    let rows = outbox::recent(&state.db, &s.partner.id, s.livemode, 100).await?;
    Ok(Html(pages::webhooks(
        s.nav("webhooks"),
        s.partner.settings(s.mode()).webhook_url.clone(),
        rows,
    )))
}

async fn audit_page(State(state): State<AppState>, s: Login) -> Result<Html<String>, DashError> {
    let entries = audit::list(&state.db, &s.partner.id, s.livemode, None, 500).await?;
    Ok(Html(pages::audit(s.nav("audit"), entries)))
}

// --- settings ------------------------------------------------------------------------------

fn settings_form(p: &Partner, mode: KeyMode) -> SettingsForm {
    let m = p.settings(mode);
    SettingsForm {
        display_name: p.theme.display_name.clone(),
        primary_color: p.theme.primary_color.clone(),
        accent_color: p.theme.accent_color.clone(),
        logo_url: p.theme.logo_url.clone().unwrap_or_default(),
        webhook_url: m.webhook_url.clone().unwrap_or_default(),
        allowed_origins: m.allowed_origins.join("\n"),
    }
}

async fn settings_page(s: Login, Query(n): Query<NoticeQuery>) -> Html<String> {
    Html(pages::settings(
        s.nav("settings"),
        settings_form(&s.partner, s.mode()),
        None,
        notice_text(n.notice.as_deref()),
        None,
    ))
}

/// The settings form. The theme fields are the partner's (live users see them): a test-mode
/// session's form has none, and a test-mode request carrying them is refused.
#[derive(Deserialize)]
struct SettingsInput {
    csrf: String,
    display_name: Option<String>,
    primary_color: Option<String>,
    accent_color: Option<String>,
    logo_url: Option<String>,
    webhook_url: String,
    allowed_origins: String,
}

impl CsrfProtected for SettingsInput {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

const TEST_MODE_LIVE_SETTINGS: &str = "A test-mode session cannot change live settings (the theme live users see); sign in with a live secret key";

async fn save_settings(
    State(state): State<AppState>,
    Guarded { login: s, form: f }: Guarded<SettingsInput>,
) -> DashResult {
    let origins: Vec<String> = f
        .allowed_origins
        .lines()
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(str::to_string)
        .collect();
    let current = settings_form(&s.partner, s.mode());
    let form = SettingsForm {
        display_name: f.display_name.clone().unwrap_or(current.display_name),
        primary_color: f.primary_color.clone().unwrap_or(current.primary_color),
        accent_color: f.accent_color.clone().unwrap_or(current.accent_color),
        logo_url: f.logo_url.clone().unwrap_or(current.logo_url),
        webhook_url: f.webhook_url.clone(),
        allowed_origins: f.allowed_origins.clone(),
    };
    let upd = partners::PartnerUpdate {
        display_name: f.display_name,
        primary_color: f.primary_color,
        accent_color: f.accent_color,
        logo_url: f.logo_url,
        mode: s.mode(),
        webhook_url: Some(f.webhook_url),
        allowed_origins: Some(origins),
        ..Default::default()
    };
    if !s.livemode && upd.touches_partner_wide() {
        return Err(AppError::Forbidden(TEST_MODE_LIVE_SETTINGS.into()).into());
    }
    match partners::update(&state.db, &s.partner.id, upd, &s.actor()).await {
        Ok(_) => Ok(Redirect::to("/dashboard/settings?notice=saved").into_response()),
        Err(partners::PartnerError::Invalid(e)) => Ok((
            StatusCode::BAD_REQUEST,
            Html(pages::settings(
                s.nav("settings"),
                form,
                None,
                None,
                Some(e.to_string()),
            )),
        )
            .into_response()),
        Err(e) => Err(AppError::internal("saving partner settings", e).into()),
    }
}

/// A rotation: the current secret key again (a stolen session alone cannot rotate), and how
/// the old key goes.
#[derive(Deserialize)]
struct RotateInput {
    csrf: String,
    current_secret_key: String,
    /// `capture` or `secret` (key rotations).
    kind: Option<String>,
    /// Present: the old key fails at once (a leaked key).
    revoke_now: Option<String>,
}

impl CsrfProtected for RotateInput {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// Checks the re-entered secret key: it must be a working secret key of this session's
/// partner and mode.
async fn confirm_secret_key(
    state: &AppState,
    s: &Login,
    presented: &str,
) -> Result<Option<Response>, DashError> {
    let ok = match partners::authenticate(&state.db, presented, KeyKind::Secret).await? {
        Ok(a) => a.partner.id == s.partner.id && a.mode == s.mode(),
        Err(_) => false,
    };
    if ok {
        return Ok(None);
    }
    Ok(Some(
        (
            StatusCode::UNAUTHORIZED,
            Html(pages::settings(
                s.nav("settings"),
                settings_form(&s.partner, s.mode()),
                None,
                None,
                Some(format!(
                    "Enter this account's current {} secret key to rotate a key or secret.",
                    s.mode().as_str()
                )),
            )),
        )
            .into_response(),
    ))
}

/// `POST /dashboard/settings/rotate-key` and `…/rotate-webhook-secret`: one guarded door (session,
/// CSRF, and the mode's current secret key typed again) for the rotations.
async fn rotate(
    State(state): State<AppState>,
    Path(what): Path<String>,
    Guarded { login: s, form: f }: Guarded<RotateInput>,
) -> DashResult {
    if let Some(refusal) = confirm_secret_key(&state, &s, &f.current_secret_key).await? {
        return Ok(refusal);
    }
    match what.as_str() {
        "rotate-key" => rotate_key(&state, &s, &f).await,
        "rotate-webhook-secret" => rotate_secret(&state, &s).await,
        _ => Err(AppError::NotFound("No such action".into()).into()),
    }
}

async fn rotate_key(state: &AppState, s: &Login, f: &RotateInput) -> DashResult {
    let kind = f
        .kind
        .as_deref()
        .and_then(KeyKind::parse)
        .ok_or_else(|| AppError::bad_request("kind must be capture or secret"))?;
    let grace = state.config.key_rotation_grace;
    let retire = if f.revoke_now.is_some() {
        partners::Retire::Now
    } else {
        partners::Retire::After(grace)
    };
    let key = partners::rotate_key(&state.db, &s.partner.id, kind, s.mode(), retire, &s.actor())
        .await
        .map_err(|e| AppError::internal("rotating the API key", e))?;
    let old = match retire {
        partners::Retire::Now => "The previous one stopped working now.".to_string(),
        partners::Retire::After(g) => format!(
            "The previous one keeps working for {}.",
            humantime::format_duration(g)
        ),
    };
    let ends_session = kind == KeyKind::Secret && retire == partners::Retire::Now;
    let notice = format!(
        "New {} {} key issued. {old}{}",
        s.mode().as_str(),
        kind.as_str(),
        if ends_session {
            " This session was opened with the revoked key: sign in again with the new one."
        } else {
            ""
        }
    );
    let label = match kind {
        KeyKind::Capture => "Your new capture key",
        KeyKind::Secret => "Your new secret key",
    };
    Ok(shown_once(s, label, key, notice))
}

/// The settings page showing a new key or secret, once (never cached: see `secure_headers`).
fn shown_once(s: &Login, label: &'static str, value: String, notice: String) -> Response {
    Html(pages::settings(
        s.nav("settings"),
        settings_form(&s.partner, s.mode()),
        Some((label, value)),
        Some(notice),
        None,
    ))
    .into_response()
}

async fn rotate_secret(state: &AppState, s: &Login) -> DashResult {
    let grace = state.config.key_rotation_grace;
    let secret = partners::rotate_webhook_secret(
        &state.db,
        &state.master_key,
        &s.partner.id,
        s.mode(),
        grace,
        &s.actor(),
    )
    .await
    .map_err(|e| AppError::internal("rotating the webhook secret", e))?;
    let notice = format!(
        "New {} webhook secret issued. Webhooks carry a signature with the previous one too for {}.",
        s.mode().as_str(),
        humantime::format_duration(grace)
    );
    Ok(shown_once(s, "Your new webhook secret", secret, notice))
}

#[derive(Deserialize)]
struct PreviewQuery {
    display_name: Option<String>,
    primary_color: Option<String>,
    accent_color: Option<String>,
    logo_url: Option<String>,
}

/// The themed first screen with unsaved values, for the settings page's preview frame.
async fn preview(s: Login, Query(q): Query<PreviewQuery>) -> Response {
    let color = |v: Option<String>, current: &str| {
        v.filter(|c| crate::theme::parse_hex(c).is_some())
            .unwrap_or_else(|| current.to_string())
    };
    let theme = Theme {
        display_name: q
            .display_name
            .map(|d| d.trim().chars().take(100).collect::<String>())
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| s.partner.theme.display_name.clone()),
        primary_color: color(q.primary_color, &s.partner.theme.primary_color),
        accent_color: color(q.accent_color, &s.partner.theme.accent_color),
        logo_url: q
            .logo_url
            .filter(|u| u.starts_with("https://") || u.starts_with("http://")),
    };
    let mut resp = Html(pages::preview(theme)).into_response();
    resp.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' http: https: data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'self'",
        ),
    );
    resp
}
