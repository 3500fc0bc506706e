//! What an operator sees of a running node: Prometheus metrics (`GET /metrics`, behind a
//! bearer token or on its own address) and the spans of each submission's stages (exported
//! over OTLP by [`super::telemetry`] when configured).
//!
//! Every metric is named here, once, with the labels it takes. Labels are closed sets (a
//! status, a stage, an outcome, a route template): never a check id, a user identifier, a key,
//! an address or anything else about a person.

use std::{
    sync::OnceLock,
    time::{Duration, Instant},
};

use axum::{
    extract::{MatchedPath, Request},
    http::{HeaderMap, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use metrics::{counter, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Checks completed: `status`, `method` (the face comparison's), `livemode` (`true`/`false`).
pub const CHECKS: &str = "idv_checks_total";
/// Time of each stage of a submission: `stage` is one of [`STAGES`].
pub const STAGE_SECONDS: &str = "idv_submit_stage_seconds";
/// A whole submission, first byte to answer: `outcome` = `completed` | `refused` | `failed`.
pub const SUBMIT_SECONDS: &str = "idv_submit_seconds";
/// Submissions waiting for a scoring slot (gauge), and being scored (gauge).
pub const SCORING_QUEUE: &str = "idv_scoring_queue_depth";
pub const SCORING_ACTIVE: &str = "idv_scoring_in_progress";
/// Live recordings under way on this node's live channel (`GET /verif/live`), from `record`
/// to `end` (gauge).
pub const LIVE_RECORDINGS: &str = "idv_live_recordings_in_progress";
/// 503s because a gate stayed full: `gate` = `scoring` | `media` | `uploads` | `spool`.
pub const OVERLOAD: &str = "idv_overload_rejections_total";
/// Webhook attempts: `outcome` = `delivered` | `retry` (failed, will retry) | `gave_up` (the
/// last attempt failed, or the delivery cannot be made) | `skipped` (the partner has no URL).
pub const WEBHOOK_ATTEMPTS: &str = "idv_webhook_attempts_total";
pub const WEBHOOK_ATTEMPT_SECONDS: &str = "idv_webhook_attempt_seconds";
/// Attempts that outlived their lease: another dispatcher may send the same event again (the
/// receiver deduplicates by `webhook-id`); each is one possible duplicate.
pub const WEBHOOK_LEASE_LOST: &str = "idv_webhook_lease_lost_total";
/// Files deleted by retention: `result` = `deleted` | `failed`; checks whose files went.
pub const RETENTION: &str = "idv_retention_deletions_total";
/// Submissions that stored files and never committed (a node killed mid-way) whose files the
/// sweeper deleted.
pub const ORPHANS: &str = "idv_orphaned_files_deleted_total";
/// Storage operations that failed: `op` = `put` | `delete` | `link` | `check`.
pub const STORAGE_ERRORS: &str = "idv_storage_errors_total";
/// Database errors behind a 5xx or a background task's failure.
pub const DATABASE_ERRORS: &str = "idv_database_errors_total";
/// Internal failures: 5xx answers and failed background runs (each logged with its context).
pub const INTERNAL_ERRORS: &str = "idv_internal_errors_total";
/// 429s: `limit` = `api_key` | `ip_submit` | `ip_page` | `ip_sign_in`.
pub const RATE_LIMITED: &str = "idv_rate_limited_total";
/// Every request: `route` (the route's template, or `other`), `method`, `status` (the code).
pub const HTTP_REQUESTS: &str = "idv_http_requests_total";
pub const HTTP_SECONDS: &str = "idv_http_request_duration_seconds";
/// 1, with the version: which build a node runs.
pub const BUILD_INFO: &str = "idv_build_info";

/// The stages of a submission, in order (README "Operations" and the trace's span names).
pub const STAGES: [&str; 10] = [
    "intake", "probe", "frames", "detect", "embed", "liveness", "document", "decide", "store",
    "commit",
];

/// The process's recorder, installed on first use (the service, or the first test that starts
/// one: tests share it, so they compare counts before and after).
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let fast = [
            0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
        ];
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Prefix("idv_".into()), &fast)
            .and_then(|b| {
                b.set_buckets_for_metric(
                    Matcher::Full(SUBMIT_SECONDS.into()),
                    &[0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 20.0, 30.0, 60.0, 120.0],
                )
            })
            .expect("bucket lists are not empty")
            .build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was already installed; /metrics stays empty");
        }
        describe();
        gauge!(BUILD_INFO, "version" => env!("CARGO_PKG_VERSION")).set(1.0);
        handle
    })
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        CHECKS,
        "Checks completed, by status, comparison method and mode"
    );
    describe_histogram!(
        STAGE_SECONDS,
        Unit::Seconds,
        "Time of each submission stage"
    );
    describe_histogram!(SUBMIT_SECONDS, Unit::Seconds, "Time of a whole submission");
    describe_gauge!(SCORING_QUEUE, "Submissions waiting for a scoring slot");
    describe_gauge!(SCORING_ACTIVE, "Submissions being scored");
    describe_gauge!(
        LIVE_RECORDINGS,
        "Live recordings under way on this node (record to end)"
    );
    describe_counter!(OVERLOAD, "503 answers because a gate stayed full");
    describe_counter!(WEBHOOK_ATTEMPTS, "Webhook delivery attempts by outcome");
    describe_histogram!(
        WEBHOOK_ATTEMPT_SECONDS,
        Unit::Seconds,
        "Time of each webhook attempt"
    );
    describe_counter!(
        WEBHOOK_LEASE_LOST,
        "Webhook attempts that outlived their lease (possible duplicates)"
    );
    describe_counter!(
        RETENTION,
        "Checks whose files retention deleted (or failed to)"
    );
    describe_counter!(
        ORPHANS,
        "Submissions that never committed whose stored files were deleted"
    );
    describe_counter!(STORAGE_ERRORS, "Failed storage operations");
    describe_counter!(DATABASE_ERRORS, "Database errors");
    describe_counter!(
        INTERNAL_ERRORS,
        "Internal failures: 5xx answers and failed background runs"
    );
    describe_counter!(RATE_LIMITED, "Requests refused by a rate limit");
    describe_counter!(
        HTTP_REQUESTS,
        "Requests by route template, method and status"
    );
    describe_histogram!(HTTP_SECONDS, Unit::Seconds, "Request latency by route");
    describe_gauge!(BUILD_INFO, "The running version");
}

/// The text the endpoint answers.
pub fn render() -> String {
    let h = handle();
    h.run_upkeep();
    h.render()
}

/// `GET /metrics` on the main address: only with `Authorization: Bearer <token>`; without a
/// token configured it is not there at all (404, like any unknown path).
pub fn guarded(token: Option<&str>, headers: &HeaderMap) -> Response {
    let Some(token) = token else {
        return not_found();
    };
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if !super::crypto::ct_eq(presented.as_bytes(), token.as_bytes()) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer realm=\"metrics\"")],
            axum::Json(crate::contract::ErrorBody::new(
                "GET /metrics needs Authorization: Bearer <IDV_METRICS_TOKEN>",
            )),
        )
            .into_response();
    }
    exposition()
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        axum::Json(crate::contract::ErrorBody::new("Not found")),
    )
        .into_response()
}

/// The exposition as Prometheus scrapes it.
pub fn exposition() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        render(),
    )
        .into_response()
}

/// The router of the separate metrics address (`IDV_METRICS_ADDR`): `/metrics` only, no token.
pub fn metrics_router() -> axum::Router {
    axum::Router::new()
        .route("/metrics", axum::routing::get(|| async { exposition() }))
        .fallback(|| async { not_found() })
}

/// The route template a request matched, passed out on its response to [`http_metrics`].
#[derive(Clone)]
struct RouteTemplate(String);

/// A route layer: notes the matched route's template on the response.
pub async fn mark_route(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| RouteTemplate(p.as_str().to_string()));
    let mut resp = next.run(req).await;
    if let Some(r) = route {
        resp.extensions_mut().insert(r);
    }
    resp
}

/// Counts and times every request by its route template (never the path itself: it can name a
/// check) and status.
pub async fn http_metrics(req: Request, next: Next) -> Response {
    let fallback = route_of(req.uri().path());
    let method: &'static str = match req.method().as_str() {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        _ => "other",
    };
    let start = Instant::now();
    let resp = next.run(req).await;
    let route = resp
        .extensions()
        .get::<RouteTemplate>()
        .map(|r| r.0.clone())
        .unwrap_or_else(|| fallback.to_string());
    let status = resp.status().as_u16().to_string();
    counter!(HTTP_REQUESTS, "route" => route.clone(), "method" => method, "status" => status)
        .increment(1);
    histogram!(HTTP_SECONDS, "route" => route).record(start.elapsed().as_secs_f64());
    resp
}

/// The routes the router does not match by template (server functions, the page's files, the
/// Leptos pages): a fixed set of names.
fn route_of(path: &str) -> &'static str {
    match path {
        "/verif/submit" => "/verif/submit",
        p if p.starts_with("/api/") => "/api/{server_fn}",
        p if p.starts_with("/pkg/") => "/pkg/{file}",
        _ => "other",
    }
}

/// Records the time of one stage.
pub fn stage_time(stage: &'static str, took: Duration) {
    histogram!(STAGE_SECONDS, "stage" => stage).record(took.as_secs_f64());
}

/// Runs one stage of a submission inside its span (`submit.<stage>`, with the check id when it
/// is known) and records its time.
pub async fn stage<T>(
    stage: &'static str,
    check_id: Option<&str>,
    fut: impl Future<Output = T>,
) -> T {
    use tracing::Instrument;
    let span = tracing::info_span!(
        "submit.stage",
        otel.name = stage_name(stage),
        stage,
        check_id = tracing::field::Empty
    );
    if let Some(id) = check_id {
        span.record("check_id", id);
    }
    let start = Instant::now();
    let out = fut.instrument(span).await;
    stage_time(stage, start.elapsed());
    out
}

/// The span name of a stage: `submit.<stage>`.
pub fn stage_name(stage: &'static str) -> &'static str {
    match stage {
        "intake" => "submit.intake",
        "probe" => "submit.probe",
        "frames" => "submit.frames",
        "detect" => "submit.detect",
        "embed" => "submit.embed",
        "liveness" => "submit.liveness",
        "document" => "submit.document",
        "decide" => "submit.decide",
        "store" => "submit.store",
        "commit" => "submit.commit",
        _ => "submit.other",
    }
}

/// A completed check.
pub fn check_completed(status: &str, method: &str, livemode: bool) {
    counter!(CHECKS, "status" => status.to_string(), "method" => method.to_string(), "livemode" => if livemode { "true" } else { "false" }).increment(1);
}

/// Counts its own lifetime in a gauge: up when made, down when dropped (on every path out,
/// cancellation included).
pub struct InGauge(&'static str);

impl InGauge {
    /// Waiting for a scoring slot ([`SCORING_QUEUE`]).
    pub fn queued() -> Self {
        Self::enter(SCORING_QUEUE)
    }
    /// Being scored ([`SCORING_ACTIVE`]).
    pub fn scoring() -> Self {
        Self::enter(SCORING_ACTIVE)
    }
    /// A live recording under way ([`LIVE_RECORDINGS`]).
    pub fn recording() -> Self {
        Self::enter(LIVE_RECORDINGS)
    }
    fn enter(name: &'static str) -> Self {
        gauge!(name).increment(1.0);
        Self(name)
    }
}

impl Drop for InGauge {
    fn drop(&mut self) {
        gauge!(self.0).decrement(1.0);
    }
}

pub fn overloaded(gate: &'static str) {
    counter!(OVERLOAD, "gate" => gate).increment(1);
}

pub fn rate_limited(limit: &'static str) {
    counter!(RATE_LIMITED, "limit" => limit).increment(1);
}

pub fn webhook_attempt(outcome: &'static str, took: Duration) {
    counter!(WEBHOOK_ATTEMPTS, "outcome" => outcome).increment(1);
    histogram!(WEBHOOK_ATTEMPT_SECONDS, "outcome" => outcome).record(took.as_secs_f64());
}

pub fn storage_error(op: &'static str) {
    counter!(STORAGE_ERRORS, "op" => op).increment(1);
}

/// An internal failure; a database one is counted as such too.
pub fn internal_error(source: &anyhow::Error) {
    counter!(INTERNAL_ERRORS).increment(1);
    if source
        .chain()
        .any(|e| e.downcast_ref::<sqlx::Error>().is_some())
    {
        counter!(DATABASE_ERRORS).increment(1);
    }
}

pub fn database_error() {
    counter!(DATABASE_ERRORS).increment(1);
}
