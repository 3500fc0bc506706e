//! The HTTP surface: each surface's own router merged into one (the capture page
//! `capture_page`, the partner API `api_v1`, the dashboard `dashboard`, the files, the
//! Leptos routes and health checks), and the layers every request passes through (request id,
//! tracing without query strings, security headers, per-IP limits, the minimum body rate, the
//! submit guard).

use std::time::Duration;

use axum::{
    Json, Router,
    body::Body,
    extract::{Request, State},
    http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list_with_exclusions};
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer},
    trace::TraceLayer,
};

use super::{state::AppState, storage::FileLink};
use crate::{App, shell};

/// The page's WASM, JS and CSS, as `build_site` left them beside their gzip and brotli
/// copies: a browser that accepts either gets the smaller file (the WASM travels at about 40 %
/// of its size), the rest the file itself.
fn site_files(state: &AppState) -> tower_http::services::ServeDir {
    let o = &state.leptos_options;
    tower_http::services::ServeDir::new(std::path::Path::new(&*o.site_root).join(&*o.site_pkg_dir))
        .precompressed_br()
        .precompressed_gzip()
}

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list_with_exclusions(
        App,
        Some(
            super::capture_page::OWN_PAGE_PATHS
                .iter()
                .map(|p| p.to_string())
                .collect(),
        ),
    );
    let x_request_id = HeaderName::from_static("x-request-id");
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .merge(super::capture_page::router())
        .merge(super::live::router())
        .route("/files/{*key}", get(serve_file))
        .merge(super::api_v1::router(state.clone()))
        .merge(super::dashboard::router())
        .nest_service(
            &format!("/{}", state.leptos_options.site_pkg_dir),
            site_files(&state),
        )
        .leptos_routes_with_context(&state, routes, provide_state(state.clone()), {
            let opts = state.leptos_options.clone();
            move || shell(opts.clone())
        })
        .route_layer(axum::middleware::from_fn(super::observe::mark_route))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .with_state(state.clone())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<Body>| {
                    // Never the query string: it can hold an API key.
                    let request_id = req
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id)
                })
                .on_request(())
                .on_response(|res: &Response, latency: Duration, _span: &tracing::Span| {
                    tracing::info!(status = res.status().as_u16(), latency_ms = latency.as_millis() as u64, "response");
                }),
        )
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            super::capture_page::guard_submit,
        ))
        .layer(axum::middleware::map_response_with_state(
            state.clone(),
            |State(s): State<AppState>, mut resp: Response| async move {
                secure_transport_headers(resp.headers_mut(), &s);
                resp
            },
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            super::guard::limit_by_ip,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            super::guard::min_body_rate,
        ))
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(SetRequestIdLayer::new(x_request_id, MakeRequestUuid))
        .layer(axum::middleware::map_request(drop_odd_request_id))
        .layer(axum::middleware::from_fn(super::observe::http_metrics))
}

/// `GET /files/{key}`: a read link this service minted, answered by the storage backend.
async fn serve_file(
    State(state): State<AppState>,
    axum::extract::Path(key): axum::extract::Path<String>,
    axum::extract::Query(link): axum::extract::Query<FileLink>,
    req: Request<Body>,
) -> Response {
    state.storage.serve(FileLink { key, ..link }, req).await
}

fn provide_state(state: AppState) -> impl Fn() + Clone + Send + Sync + 'static {
    move || provide_context(state.clone())
}

/// `GET /metrics` with `IDV_METRICS_TOKEN` (`IDV_METRICS_ADDR` serves it without one).
async fn metrics(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    let token = state.config.metrics.token.as_ref().map(|t| t.expose());
    super::observe::guarded(token, &headers)
}

async fn healthz() -> impl IntoResponse {
    Json(serde_json::json!({ "status": "ok" }))
}

async fn readyz(State(state): State<AppState>) -> Response {
    if state.db.ping().await {
        Json(serde_json::json!({ "status": "ready" })).into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "status": "database unreachable" })),
        )
            .into_response()
    }
}

/// `nosniff` everywhere, and HSTS when the service is served over https.
pub fn secure_transport_headers(h: &mut HeaderMap, state: &AppState) {
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if state.config.public_url.scheme() == "https" {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
}

/// A client's `X-Request-Id` is kept only when it is a plain id: at most 64 letters, digits,
/// `-`, `_`, `.` or `:`. Anything else is dropped and a fresh one made (`SetRequestIdLayer`),
/// so logs, spans and answers never carry a client's long or odd text.
async fn drop_odd_request_id(mut req: Request<Body>) -> Request<Body> {
    let plain = |v: &axum::http::HeaderValue| {
        let b = v.as_bytes();
        !b.is_empty()
            && b.len() <= 64
            && b.iter()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b':'))
    };
    let odd = req
        .headers()
        .get_all("x-request-id")
        .iter()
        .enumerate()
        .any(|(i, v)| i > 0 || !plain(v));
    if odd {
        req.headers_mut().remove("x-request-id");
    }
    req
}

/// The request id of the current request, for handlers that log or answer with it.
pub fn request_id(req: &Request<Body>) -> Option<String> {
    req.extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .map(str::to_string)
}
