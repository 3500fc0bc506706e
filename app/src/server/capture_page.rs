//! The capture page's server side: `GET /verif/` (the partner's key or a capture link checked,
//! a capture token made, the page rendered with its data under a nonce CSP) and the guard in
//! front of `POST /verif/submit`. The page itself is `crate::capture`, its server functions
//! `crate::api`.

use std::sync::{Arc, OnceLock};

use axum::{
    Json, Router,
    body::Body,
    extract::{RawQuery, Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Response},
    routing::get,
};
use leptos::prelude::provide_context;
use serde::Deserialize;

use crate::{
    contract::{CapturePageData, messages},
    i18n::Msg,
    server::{
        capture_links,
        domain::{Contact, UserIdentifier},
        error::AppError,
        i18n, intake,
        partners::{self, KeyKind},
        state::AppState,
    },
    shell,
};

/// Paths served by this module's handlers rather than by the Leptos route list.
pub const OWN_PAGE_PATHS: [&str; 2] = ["/verif", "/verif/"];

/// The capture page's routes (the submit guard is a layer over the whole router:
/// `POST /verif/submit` is a Leptos server function).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/verif", get(verif_page))
        .route("/verif/", get(verif_page))
}

#[derive(Debug, Default, Deserialize)]
struct VerifQuery {
    /// A partner API session (`POST /v1/sessions`): the page without any API key.
    session: Option<String>,
    api_key: Option<String>,
    user_identifier: Option<String>,
    user_id: Option<String>,
    user_email: Option<String>,
    user_phone: Option<String>,
    /// Where to send the user when done; must be on one of the partner's allowed origins.
    redirect_url: Option<String>,
    /// The page's language (BCP 47; see `server::i18n::Choice`).
    locale: Option<String>,
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// Whether the client asked for JSON rather than a page.
fn prefers_json(headers: &HeaderMap) -> bool {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    match (accept.find("application/json"), accept.find("text/html")) {
        (Some(_), None) => true,
        (Some(j), Some(h)) => j < h,
        _ => false,
    }
}

/// `GET /verif/`: checks the partner's key (or the capture link) server-side, then renders the
/// themed page: [`page_caller`] → [`CapturePageData`] → [`render_page`].
async fn verif_page(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    req: Request<Body>,
) -> Response {
    let json = prefers_json(req.headers());
    let q: VerifQuery = serde_urlencoded_query(raw.as_deref());
    let accept_language = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    let mut choice = i18n::Choice {
        param: q.locale.as_deref(),
        accept_language,
        ..Default::default()
    };
    let caller = page_caller(&state, &q).await;
    if let Ok(c) = &caller {
        choice.link = c.locale.as_deref();
        choice.partner_default = c.auth.partner.default_locale.as_deref();
    }
    let (lang, chosen) = choice.decide();
    let data = caller.map(|c| {
        let cfg = &state.config;
        CapturePageData {
            theme: c.auth.partner.theme.clone(),
            user_identifier: c.user_identifier,
            capture_token: c.capture_token,
            expires_at: c.expires_at,
            // the mode's own origins: a test key cannot open live pages to its own sites
            allowed_origins: c.auth.settings().allowed_origins.clone(),
            redirect_url: c.redirect_url,
            max_video_bytes: cfg.max_video_bytes,
            max_photo_bytes: cfg.max_photo_bytes,
            retention_days: cfg.retention.as_secs().div_ceil(86_400),
            challenge: c.challenge,
            video_bits_per_second: cfg.capture_video_bitrate,
            help_url: c.auth.partner.help_url.clone(),
            text: Default::default(),
        }
    });
    match data {
        // the page's data for a client that renders its own capture screen (a partner's app,
        // the browser tests): the capture token and the challenge to perform
        Ok(data) if json => with_page_headers(
            axum::Json(data).into_response(),
            None,
            "frame-ancestors 'none'",
            Loads::default(),
        ),
        Ok(data) => {
            let data = CapturePageData {
                text: i18n::text(lang, chosen),
                ..data
            };
            render_page(&state, data, req).await
        }
        Err(e) if json => with_page_headers(
            e.into_response(),
            None,
            "frame-ancestors 'none'",
            Loads::default(),
        ),
        Err(e) => {
            let status = e.status();
            let msg = e.public_message();
            // log internal errors through the same path as JSON answers
            let _ = e.into_response();
            let resp = (status, Html(error_page(&msg, lang))).into_response();
            // who may frame the page: nobody when there is no partner
            with_page_headers(resp, None, "frame-ancestors 'none'", Loads::default())
        }
    }
}

/// Who opens the page, for whom, with which token.
struct PageCaller {
    auth: partners::Authenticated,
    user_identifier: String,
    capture_token: String,
    redirect_url: Option<String>,
    /// Epoch ms.
    expires_at: i64,
    challenge: Option<crate::challenge::Challenge>,
    /// The link's `locale` (`POST /v1/sessions`).
    locale: Option<String>,
}

/// A capture link (`?session=`) stands for the partner and the user; otherwise the guide's
/// `api_key` and `user_identifier` are checked in the guide's order, the contact data parsed
/// like submit's, and a capture token is made for the page.
async fn page_caller(state: &AppState, q: &VerifQuery) -> Result<PageCaller, AppError> {
    if q.api_key.is_none()
        && let Some(token) = non_empty(q.session.clone())
    {
        let s = capture_links::find(&state.db, &token).await??;
        return Ok(PageCaller {
            auth: s.auth,
            user_identifier: s.user.user_identifier,
            capture_token: token,
            redirect_url: s.user.redirect_url,
            expires_at: s.expires_at,
            challenge: s.challenge,
            locale: s.user.locale,
        });
    }
    let api_key = non_empty(q.api_key.clone())
        .ok_or_else(|| AppError::bad_request(messages::API_KEY_REQUIRED))?;
    let user_identifier = UserIdentifier::parse(
        non_empty(q.user_identifier.clone())
            .or_else(|| non_empty(q.user_id.clone()))
            .as_deref(),
    )?
    .into_string();
    // a capture key only: a secret key in a capture URL is refused like a wrong one
    let auth = partners::authenticate(&state.db, &api_key, KeyKind::Capture)
        .await?
        .map_err(|_| AppError::invalid_api_key())?;
    let redirect_url = capture_links::redirect_url(auth.settings(), q.redirect_url.clone())?;
    let contact = Contact::parse(q.user_email.as_deref(), q.user_phone.as_deref())?;
    let session = capture_links::NewCaptureLink {
        user_identifier: user_identifier.clone(),
        user_email: contact.email(),
        user_phone: contact.phone(),
        redirect_url: redirect_url.clone(),
        renewable: true,
        expected: Default::default(),
        locale: None,
    };
    let created =
        capture_links::create(&state.db, &auth, &session, state.config.capture_token_ttl).await?;
    let sandbox = auth.mode == crate::server::partners::KeyMode::Test;
    Ok(PageCaller {
        auth,
        user_identifier,
        capture_token: created.token,
        redirect_url,
        expires_at: created.expires_at,
        // a live link's prompts are secret until the live channel sends each one
        challenge: sandbox.then_some(created.challenge),
        locale: None,
    })
}

/// Server-renders the capture page with its data in context, under a CSP whose scripts carry
/// this answer's nonce and whose `frame-ancestors` are the partner's allowed origins.
async fn render_page(state: &AppState, data: CapturePageData, req: Request<Body>) -> Response {
    let frame = frame_ancestors(&data.allowed_origins);
    // the live channel's host: the public one when configured (a proxy may pass `Host`
    // without its port), else the request's (HTTP/2 names it in the authority)
    let host = if state.config.public_url_is_default {
        req.headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_string)
            .or_else(|| req.uri().authority().map(|a| a.to_string()))
    } else {
        let public = &state.config.public_url;
        Some(public[url::Position::BeforeHost..url::Position::AfterPort].to_string())
    };
    let logo = data.theme.logo_url.clone();
    let nonce: Arc<OnceLock<String>> = Arc::new(OnceLock::new());
    let opts = state.leptos_options.clone();
    let st = state.clone();
    let n = nonce.clone();
    let handler = leptos_axum::render_app_to_stream_with_context(
        move || {
            provide_context(st.clone());
            provide_context(data.clone());
            leptos::nonce::provide_nonce();
            if let Some(v) = leptos::nonce::use_nonce() {
                let _ = n.set(v.to_string());
            }
        },
        move || shell(opts.clone()),
    );
    let resp = handler(req).await.into_response();
    let loads = Loads {
        host: host.as_deref(),
        logo: logo.as_deref(),
    };
    with_page_headers(resp, nonce.get().map(String::as_str), &frame, loads)
}

/// The capture page's headers: no referrer, no caching, and a CSP that allows nothing by
/// default: scripts only the page's own files and inline scripts with `nonce` (none at all
/// without one), styles and fonts from this origin (and the theme's inline styles), images from
/// here, `data:`/`blob:` (the ID photo's preview) and the partner's logo's origin, the recording
/// as a `blob:`, requests to this origin and the live channel's socket on `host`, forms posted
/// here only.
fn with_page_headers(
    mut resp: Response,
    nonce: Option<&str>,
    frame: &str,
    loads: Loads<'_>,
) -> Response {
    let csp = page_csp(nonce, frame, loads);
    let h = resp.headers_mut();
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    resp
}

/// What a page may load from elsewhere than its own origin (`page_csp`).
#[derive(Default, Clone, Copy)]
struct Loads<'a> {
    /// The public host (`IDV_PUBLIC_URL`) or the request's: the live channel's socket (`ws://`,
    /// `wss://`).
    host: Option<&'a str>,
    /// The partner's logo (`theme.logo_url`).
    logo: Option<&'a str>,
}

/// A value that cannot extend a CSP (no separator, quote or space), else nothing.
fn csp_safe(v: &str) -> Option<&str> {
    (!v.is_empty() && !v.contains([';', ',', ' ', '\'', '"', '\r', '\n'])).then_some(v)
}

fn page_csp(nonce: Option<&str>, frame: &str, loads: Loads<'_>) -> String {
    let scripts = match nonce {
        Some(n) => format!("script-src 'self' 'nonce-{n}' 'wasm-unsafe-eval'"),
        None => "script-src 'none'".to_string(),
    };
    let mut images = String::from("img-src 'self' data: blob:");
    if let Some(origin) = loads
        .logo
        .and_then(|l| url::Url::parse(l).ok())
        .filter(|u| matches!(u.scheme(), "https" | "http"))
        .map(|u| u.origin().ascii_serialization())
        && let Some(o) = csp_safe(&origin)
    {
        images.push(' ');
        images.push_str(o);
    }
    let mut connect = String::from("connect-src 'self'");
    if let Some(host) = loads.host.and_then(csp_safe) {
        connect.push_str(&format!(" ws://{host} wss://{host}"));
    }
    format!(
        "default-src 'none'; {scripts}; style-src 'self' 'unsafe-inline'; font-src 'self'; \
         {images}; media-src 'self' blob:; {connect}; form-action 'self'; object-src 'none'; \
         base-uri 'none'; {frame}"
    )
}

/// `Content-Security-Policy: frame-ancestors` for a partner: this origin and the partner's
/// allowed origins (validated `scheme://host[:port]` strings, see `partners::Origin`).
pub fn frame_ancestors(origins: &[String]) -> String {
    let mut v = String::from("frame-ancestors 'self'");
    for o in origins {
        // defensive: an origin never holds these, but a CSP must not be extendable
        if !o.contains([';', ',', ' ', '\'', '"']) {
            v.push(' ');
            v.push_str(o);
        }
    }
    v
}

/// `POST /verif/submit` must be a multipart POST with a boundary: the server function's codec
/// panics without one, so such requests are answered here with the guide's JSON envelope.
/// Then, before anything is parsed or anyone authenticated: a slot among
/// `IDV_MAX_CONCURRENT_UPLOADS` (else 503), a body no larger than both file limits allow (413
/// from `Content-Length` at once, else when the limit is passed), and the framing guard in
/// front of the multipart parser (part headers, part count; see `intake`).
pub async fn guard_submit(
    State(state): State<AppState>,
    req: Request<Body>,
    next: axum::middleware::Next,
) -> Response {
    if req.uri().path() != "/verif/submit" {
        return next.run(req).await;
    }
    let json_err = |status: StatusCode, msg: &str| {
        (status, Json(crate::contract::ErrorBody::new(msg))).into_response()
    };
    if req.method() != axum::http::Method::POST {
        let mut r = json_err(
            StatusCode::METHOD_NOT_ALLOWED,
            "Use POST with multipart/form-data",
        );
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return r;
    }
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let boundary = multer::parse_boundary(ct)
        .ok()
        .filter(|_| ct.to_ascii_lowercase().starts_with("multipart/form-data"));
    let Some(boundary) = boundary else {
        return json_err(
            StatusCode::BAD_REQUEST,
            "Request must be multipart/form-data with a boundary",
        );
    };
    let cfg = &state.config;
    let max_body = cfg
        .max_video_bytes
        // the ID photo and its back side (`id_photo_back`)
        .saturating_add(cfg.max_photo_bytes.saturating_mul(2))
        .saturating_add(intake::BODY_OVERHEAD_BYTES);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > max_body) {
        let mut r = intake::Framing::BodyTooLarge(max_body)
            .into_app_error()
            .into_response();
        r.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        return r;
    }
    // a bad Idempotency-Key is refused before the body is read
    if let Err(e) = crate::server::idempotency::Key::of(req.headers()) {
        return e.into_response();
    }
    // the process's upload slots are taken once the credentials are known (`submission`)
    let refused = Arc::new(OnceLock::new());
    let (parts, body) = req.into_parts();
    let body = intake::guard_body(body, &boundary, max_body, refused.clone());
    let resp = next.run(Request::from_parts(parts, body)).await;
    match refused.get() {
        Some(why) => {
            tracing::info!(reason = %why, "submission body refused by the framing guard");
            let mut r = why.clone().into_app_error().into_response();
            r.headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            r
        }
        None => resp,
    }
}

fn serde_urlencoded_query(raw: Option<&str>) -> VerifQuery {
    let mut q = VerifQuery::default();
    for (k, v) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        let v = Some(v.into_owned());
        match k.as_ref() {
            "api_key" => q.api_key = v,
            "session" => q.session = v,
            "user_identifier" => q.user_identifier = v,
            "user_id" => q.user_id = v,
            "user_email" => q.user_email = v,
            "user_phone" => q.user_phone = v,
            "redirect_url" => q.redirect_url = v,
            "locale" => q.locale = v,
            _ => {}
        }
    }
    q
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A plain page for errors a browser user sees (no WASM needed), in the user's language; the
/// service's own message stays in English (the guide's words), marked as such.
fn error_page(message: &str, lang: usize) -> String {
    let text = i18n::shared(lang);
    let (tag, dir) = (text.tag(), text.dir());
    let title = html_escape(text.get(Msg::UnavailableTitle));
    format!(
        "<!DOCTYPE html><html lang=\"{tag}\" dir=\"{dir}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"/pkg/idv.css\"></head>\
         <body><main class=\"page plain\"><h1>{title}</h1><p class=\"error\" role=\"alert\" lang=\"en\" dir=\"ltr\">{}</p>\
         <p>{}</p></main></body></html>",
        html_escape(message),
        html_escape(text.get(Msg::UnavailableBack)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_preference() {
        let mut h = HeaderMap::new();
        assert!(!prefers_json(&h));
        h.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        assert!(prefers_json(&h));
        h.insert(
            header::ACCEPT,
            HeaderValue::from_static("text/html,application/xhtml+xml,application/json;q=0.9"),
        );
        assert!(!prefers_json(&h));
    }

    #[test]
    fn query_accepts_user_id_alias() {
        let q = serde_urlencoded_query(Some("api_key=a&user_id=u%201"));
        assert_eq!(q.user_id.as_deref(), Some("u 1"));
        assert_eq!(non_empty(Some("  ".into())), None);
    }

    #[test]
    fn the_page_policy_names_the_logos_origin_and_the_socket_and_cannot_be_extended() {
        let csp = page_csp(
            Some("abc"),
            "frame-ancestors 'self'",
            Loads {
                host: Some("idv.example:8443"),
                logo: Some("https://cdn.acme.example/brand/logo.png?v=2"),
            },
        );
        assert!(csp.contains("; img-src 'self' data: blob: https://cdn.acme.example; "));
        assert!(
            csp.contains("; connect-src 'self' ws://idv.example:8443 wss://idv.example:8443; ")
        );
        // a hostile Host header or logo adds nothing
        let csp = page_csp(
            None,
            "frame-ancestors 'none'",
            Loads {
                host: Some("x; script-src *"),
                logo: Some("javascript:alert(1)"),
            },
        );
        assert!(csp.contains("; img-src 'self' data: blob:; "), "{csp}");
        assert!(csp.contains("; connect-src 'self'; "), "{csp}");
        assert!(
            csp.contains("script-src 'none'") && !csp.contains('*'),
            "{csp}"
        );
    }

    #[test]
    fn escapes() {
        assert_eq!(
            html_escape("<a href=\"x\">&"),
            "&lt;a href=&quot;x&quot;&gt;&amp;"
        );
    }
}
