//! Logging: `tracing` to stderr, text or JSON (`IDV_LOG_FORMAT`), filtered by `RUST_LOG`.
//! Traces: the same spans exported over OTLP/HTTP (protobuf) when `IDV_OTLP_ENDPOINT` (or
//! `OTEL_EXPORTER_OTLP_ENDPOINT`) is set; with neither, no exporter exists and nothing is sent.

use std::sync::OnceLock;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::{Resource, trace::SdkTracerProvider};
use tracing_subscriber::{EnvFilter, Layer, fmt, prelude::*};

use super::config::{LogFormat, MetricsConfig};

static PROVIDER: OnceLock<SdkTracerProvider> = OnceLock::new();

/// The panic hook, installed once: a panic on a thread that handles a document's text
/// (`document::HoldsDocumentData`) is reported by its place only, to stderr and the log;
/// every other panic as Rust reports it.
pub fn quiet_document_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| match withheld(info) {
            Some(line) => {
                eprintln!("{line}");
                tracing::error!(target: "idv::panic", "{line}");
            }
            None => default(info),
        }));
    });
}

/// The report of a panic whose message must not be shown, or `None` for any other.
pub fn withheld(info: &std::panic::PanicHookInfo<'_>) -> Option<String> {
    if !super::document::holds_document_data() {
        return None;
    }
    let at = info
        .location()
        .map(|l| format!("{}:{}", l.file(), l.line()))
        .unwrap_or_else(|| "an unknown place".into());
    let thread = std::thread::current();
    Some(format!(
        "thread '{}' panicked at {at} while reading a document (the message is withheld: it \
         may quote the document's text)",
        thread.name().unwrap_or("<unnamed>")
    ))
}

/// Installs the global subscriber once; later calls (tests) are no-ops. Call it inside the
/// tokio runtime: the trace exporter sends from it.
pub fn init(format: LogFormat, metrics: &MetricsConfig) {
    quiet_document_panics();
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let (otel, otel_error) = match metrics.otlp_endpoint.as_ref().map(exporter) {
        Some(Ok(provider)) => {
            let tracer = provider.tracer("idv");
            let _ = PROVIDER.set(provider);
            // our own spans at info and above (the request, the submission and its stages, the
            // webhook attempts), whatever RUST_LOG says of the log; no events: a log line is
            // not a trace's business
            let only_ours = tracing_subscriber::filter::filter_fn(|m| {
                m.is_span()
                    && *m.level() <= tracing::Level::INFO
                    && (m.target().starts_with("app") || m.target().starts_with("idv"))
            });
            (
                Some(
                    tracing_opentelemetry::layer()
                        .with_tracer(tracer)
                        .with_filter(only_ours),
                ),
                None,
            )
        }
        Some(Err(e)) => (None, Some(e)),
        None => (None, None),
    };
    let log = match format {
        LogFormat::Json => fmt::layer()
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_writer(std::io::stderr)
            .boxed(),
        LogFormat::Text => fmt::layer().with_writer(std::io::stderr).boxed(),
    };
    let _ = tracing_subscriber::registry()
        .with(otel)
        .with(log.with_filter(filter))
        .try_init();
    match (&metrics.otlp_endpoint, otel_error) {
        (Some(url), None) => tracing::info!(endpoint = %url, "traces: exported over OTLP/HTTP"),
        (Some(_), Some(e)) => {
            tracing::error!(error = %e, "traces: the OTLP exporter could not start; traces are off")
        }
        (None, _) => tracing::debug!("traces: off (no IDV_OTLP_ENDPOINT)"),
    }
}

/// The exporter: batches spans and posts them to `<endpoint>/v1/traces`.
fn exporter(endpoint: &url::Url) -> anyhow::Result<SdkTracerProvider> {
    let traces = traces_url(endpoint);
    let client = Client {
        http: reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()?,
        runtime: tokio::runtime::Handle::try_current()
            .map_err(|_| anyhow::anyhow!("no tokio runtime to send traces from"))?,
    };
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_http_client(client)
        .with_endpoint(traces.as_str())
        .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
        .build()?;
    let resource = Resource::builder()
        .with_service_name("idv")
        .with_attribute(opentelemetry::KeyValue::new(
            "service.version",
            env!("CARGO_PKG_VERSION"),
        ))
        .build();
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(resource)
        .build())
}

/// `<endpoint>/v1/traces`, the OTLP/HTTP signal path under the collector's base URL (a base
/// with a path of its own keeps it, with or without its last slash).
fn traces_url(endpoint: &url::Url) -> url::Url {
    let mut u = endpoint.clone();
    let path = format!("{}/v1/traces", endpoint.path().trim_end_matches('/'));
    u.set_path(&path);
    u
}

/// Sends what is left in the batch; called once as the process stops.
pub fn shutdown() {
    if let Some(p) = PROVIDER.get()
        && let Err(e) = p.shutdown()
    {
        tracing::warn!(error = %e, "traces: flushing the last spans failed");
    }
}

/// The exporter's HTTP client: our reqwest, run on the service's runtime (the batch processor
/// exports from its own thread).
#[derive(Debug)]
struct Client {
    http: reqwest::Client,
    runtime: tokio::runtime::Handle,
}

#[async_trait::async_trait]
impl opentelemetry_http::HttpClient for Client {
    async fn send_bytes(
        &self,
        request: axum::http::Request<bytes::Bytes>,
    ) -> Result<axum::http::Response<bytes::Bytes>, opentelemetry_http::HttpError> {
        let http = self.http.clone();
        let (parts, body) = request.into_parts();
        let send = async move {
            let mut req = http.request(parts.method, parts.uri.to_string()).body(body);
            for (name, value) in &parts.headers {
                req = req.header(name, value);
            }
            let resp = req.send().await?;
            let mut out = axum::http::Response::builder().status(resp.status());
            for (name, value) in resp.headers() {
                out = out.header(name, value);
            }
            let body = resp.bytes().await?;
            Ok::<_, opentelemetry_http::HttpError>(out.body(body)?)
        };
        self.runtime.spawn(send).await?
    }
}

#[cfg(test)]
mod tests {
    /// The AAMVA parser once panicked slicing Latin-1 text, and the message quoted the
    /// licence's line: a panic where document text is handled is reported by its place only.
    #[test]
    fn a_panic_while_reading_a_document_is_reported_without_its_message() {
        use std::sync::{Arc, Mutex};
        let seen = Arc::new(Mutex::new(Vec::new()));
        let previous = std::panic::take_hook();
        let into = seen.clone();
        // a hook of the test's own around `withheld`, so the reports can be read back (other
        // tests' panics meanwhile report `None`)
        std::panic::set_hook(Box::new(move |info| {
            into.lock().unwrap().push(super::withheld(info))
        }));
        let reading = std::thread::spawn(|| {
            let _quiet = crate::server::document::HoldsDocumentData::enter();
            panic!("byte index 3 is not a char boundary of `DCSJOS\u{e9} GARC\u{cd}A`");
        })
        .join();
        let after = std::thread::spawn(|| {
            {
                let _quiet = crate::server::document::HoldsDocumentData::enter();
            }
            panic!("an ordinary panic");
        })
        .join();
        std::panic::set_hook(previous);
        assert!(reading.is_err() && after.is_err());
        let reports: Vec<String> = seen.lock().unwrap().iter().flatten().cloned().collect();
        assert_eq!(reports.len(), 1, "{reports:?}");
        assert!(
            reports[0].contains("while reading a document"),
            "{}",
            reports[0]
        );
        assert!(reports[0].contains("telemetry.rs:"), "{}", reports[0]);
        assert!(!reports[0].contains("DCS") && !reports[0].contains("GARC"));
    }

    #[test]
    fn the_traces_path_goes_under_the_base_url() {
        for (base, want) in [
            ("http://127.0.0.1:4318", "http://127.0.0.1:4318/v1/traces"),
            ("http://127.0.0.1:4318/", "http://127.0.0.1:4318/v1/traces"),
            (
                "https://otlp.example.net/otel",
                "https://otlp.example.net/otel/v1/traces",
            ),
            (
                "https://otlp.example.net/otel/",
                "https://otlp.example.net/otel/v1/traces",
            ),
        ] {
            let url = url::Url::parse(base).unwrap();
            assert_eq!(super::traces_url(&url).as_str(), want);
        }
    }
}
