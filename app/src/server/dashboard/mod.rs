//! The partner dashboard under `/dashboard`: sign-in with the partner's *secret* key (a capture
//! key is refused), exchanged for a session cookie (HttpOnly, SameSite=Strict; over https
//! `Secure` and the `__Host-` prefix); a session lives only as long as the key that opened it.
//! A partner sees only its own checks, of the signed-in key's mode; a test-mode session cannot
//! change live settings. Every POST carries the session's CSRF token and must come from this
//! origin; rotating a key or secret asks for the current secret key again. Pages are
//! server-rendered Leptos ([`pages`]).

mod check_pages;
mod login;
pub mod pages;
mod settings;

pub use login::delete_ended_logins;

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
    attempts,
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
use check_pages::*;
use login::*;
use pages::{ListForm, Nav, SettingsForm};
use settings::*;

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
        .route("/dashboard/attempts", get(attempts_page))
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

#[derive(Debug, Deserialize)]
struct AttemptsQuery {
    user_identifier: Option<String>,
}

/// Every recording of the mode's users, newest first (200), or one user's: checks, retries
/// after a missed challenge and refusals by the per-user limit.
async fn attempts_page(
    State(state): State<AppState>,
    s: Login,
    Query(q): Query<AttemptsQuery>,
) -> Result<Html<String>, DashError> {
    let filter = attempts::ListFilter {
        user_identifier: q
            .user_identifier
            .map(|u| u.trim().to_string())
            .filter(|u| !u.is_empty()),
        limit: 200,
        ..Default::default()
    };
    let (rows, _) = attempts::list(&state.db, &s.partner.id, s.livemode, &filter).await?;
    Ok(Html(pages::attempts(
        s.nav("attempts"),
        filter.user_identifier.unwrap_or_default(),
        rows,
        state.config.user_attempts_per_hour,
    )))
}
