//! Configuration: built-in defaults, then an optional TOML file (`IDV_CONFIG`), then environment
//! variables (`IDV_*`, `DATABASE_URL`, `LEPTOS_*`). Every setting is declared once, in
//! [`settings`]; here they become typed sections, validated once at start. Every failure names
//! the setting. Secrets are wrapped in [`Secret`] so `Debug` never prints them.

pub mod settings;

use std::{
    collections::HashMap,
    fmt,
    net::SocketAddr,
    path::{Path, PathBuf},
    time::Duration,
};

use leptos::config::LeptosOptions;

pub use super::secret::Secret;

/// A configuration error: one line naming the setting and what is wrong with it.
#[derive(Debug, thiserror::Error)]
#[error("invalid setting {name}: {problem}")]
pub struct ConfigError {
    pub name: String,
    pub problem: String,
}

impl ConfigError {
    pub fn new(name: impl Into<String>, problem: impl fmt::Display) -> Self {
        Self {
            name: name.into(),
            problem: problem.to_string(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Every setting of the service. README's "Settings" table lists each with its default.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where SQLite, local files and the generated secret key live.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; SQLite under the data dir when unset.
    pub database_url: Secret,
    pub db_max_connections: u32,
    /// How long opening the database (and each pool checkout) may wait before failing.
    pub db_connect_timeout: Duration,
    /// Base of every absolute URL the service hands out (file links, page URLs).
    pub public_url: url::Url,
    /// True when `public_url` was derived from the listen address (and follows it).
    pub public_url_is_default: bool,
    pub log_format: LogFormat,
    /// 32-byte master key (base64) for encrypting stored secrets and signing links; generated
    /// into `<data_dir>/secret.key` on first start when unset.
    pub secret_key: Option<Secret>,
    /// How long a rotated-out API key keeps working.
    pub key_rotation_grace: Duration,
    /// How long graceful shutdown waits for in-flight requests.
    pub shutdown_timeout: Duration,
    /// Leptos site settings (address, site root, output name).
    pub leptos: LeptosOptions,
    /// Where uploaded files go.
    pub storage: StorageConfig,
    /// Lifetime of every file link handed out.
    pub link_ttl: Duration,
    /// Files are deleted this long after a check completes.
    pub retention: Duration,
    /// How often the retention sweeper looks for expired files.
    pub retention_sweep_interval: Duration,
    pub max_video_bytes: u64,
    pub max_photo_bytes: u64,
    /// Images larger than this many pixels are refused (decompression bombs).
    pub max_image_pixels: u64,
    /// Time limit for each ffprobe/ffmpeg subprocess.
    pub media_timeout: Duration,
    /// Lifetime of the single-use capture token `GET /verif/` gives the page.
    pub capture_token_ttl: Duration,
    /// Recordings a capture link may make: one that did not follow its challenge (and failed
    /// for nothing else) gets a new challenge instead of a verdict, until the last.
    pub challenge_attempts: u32,
    /// A user's checks and challenge retries per hour, across capture links; more are refused
    /// with 429 (`attempts`).
    pub user_attempts_per_hour: u32,
    /// The bitrate the capture page asks MediaRecorder for (README "Slow networks").
    pub capture_video_bitrate: u32,
    /// Folder holding the YuNet and SFace ONNX files.
    pub models_dir: PathBuf,
    /// Submissions scored at once; more wait (up to `scoring_queue_timeout`), then get 503.
    pub scoring_concurrency: usize,
    pub scoring_queue_timeout: Duration,
    /// Cosine similarity at or above which faces match.
    pub match_threshold: f32,
    /// Cosine similarity below which faces are a mismatch (between: review).
    pub mismatch_threshold: f32,
    /// Which backend compares the faces (`IDV_VERIFIER`): local | openai | both.
    pub verifier_mode: VerifierMode,
    /// The OpenAI-compatible vision endpoint, when `verifier_mode` is not local.
    pub openai: Option<OpenAiConfig>,
    pub webhooks: WebhookConfig,
    /// Partner API requests per key per minute (`IDV_API_RATE_LIMIT`).
    pub api_rate_limit: u32,
    /// Where request budgets are counted (`IDV_RATE_LIMITS`).
    pub rate_limits: RateLimitStore,
    /// `GET /metrics` and OTLP traces.
    pub metrics: MetricsConfig,
    /// What bounds the work anyone can cause before being authenticated.
    pub guard: GuardConfig,
}

/// Where the API's per-key and the per-IP request budgets are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateLimitStore {
    /// In the database: every node takes from the same budget (the default).
    Shared,
    /// In each process: N nodes allow N times each limit.
    Process,
}

/// What an operator sees: the metrics endpoint and the trace exporter.
#[derive(Debug, Clone, Default)]
pub struct MetricsConfig {
    /// Bearer token of `GET /metrics` on the service's own address.
    pub token: Option<Secret>,
    /// A separate listen address for `GET /metrics` (no token).
    pub addr: Option<SocketAddr>,
    /// OTLP/HTTP collector base URL; traces are exported only when set.
    pub otlp_endpoint: Option<url::Url>,
}

/// Limits that hold before anyone is authenticated: uploads, slow clients, per-IP request
/// rates, and the expensive work (probing, decoding) behind a bounded gate.
#[derive(Debug, Clone)]
pub struct GuardConfig {
    /// Disk all uploads being received at once may hold (`IDV_SPOOL_MAX_BYTES`).
    pub spool_max_bytes: u64,
    /// Uploads (`POST /verif/submit`, the live channel) received at once per process once
    /// their credentials are accepted; more get 503.
    pub max_concurrent_uploads: usize,
    /// Uploads received at once whose first file came before any credentials (a separate,
    /// smaller pool: strangers cannot take the slots of authenticated uploads); more get 503.
    pub max_unauthenticated_uploads: usize,
    /// Submissions and live recordings in progress at once per client address (an IPv6
    /// client's /64); more get 429.
    pub max_uploads_per_address: usize,
    /// ffprobe/ffmpeg probes and image decodes at once; more wait (scoring's queue timeout).
    pub media_concurrency: usize,
    /// A connection must send a complete request head within this, also between requests on a
    /// kept-alive connection (so it is the idle keep-alive limit too).
    pub header_read_timeout: Duration,
    /// A request body must arrive at this many bytes per second at least, measured over each
    /// `body_rate_window`; a slower one is cut (408) and its connection closed.
    pub body_min_rate: u64,
    pub body_rate_window: Duration,
    /// A request body must have arrived in full within this (408, connection closed).
    pub body_timeout: Duration,
    /// Requests per minute per client IP: submissions, capture-page loads, dashboard sign-ins.
    pub ip_submit_per_minute: u32,
    pub ip_page_per_minute: u32,
    pub ip_sign_in_per_minute: u32,
    /// `/v1` requests per minute per client IP whose key is missing, unknown or of the
    /// wrong kind (a known key has its own budget, `IDV_API_RATE_LIMIT`).
    pub ip_api_per_minute: u32,
    /// Reverse proxies whose `X-Forwarded-For` names the client (per-IP limits, logs).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Client networks the per-IP limits do not apply to (a partner's servers that submit for
    /// their users, server to server, as the guide allows).
    pub ip_limits_exempt: Vec<ipnet::IpNet>,
}

#[derive(Debug, Clone)]
pub enum StorageConfig {
    Local,
    Azure(crate::server::storage::AzureSettings),
}

/// Which backend compares the faces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifierMode {
    /// The local face model only (the default: no data leaves the machine).
    Local,
    /// The OpenAI-compatible vision model compares the faces; liveness stays local.
    OpenAi,
    /// Both must say "same person" for `verified`.
    Both,
}

/// An OpenAI-compatible chat completions endpoint with vision.
#[derive(Debug, Clone)]
pub struct OpenAiConfig {
    /// Up to and including the version path, e.g. `https://api.openai.com/v1`.
    pub base_url: url::Url,
    pub model: String,
    pub api_key: Option<Secret>,
    /// Per request.
    pub timeout: Duration,
    /// Further attempts after a 429, a 5xx, a timeout or a connection error.
    pub retries: u32,
}

/// Webhook delivery (`IDV_WEBHOOK_*`).
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    /// Delay before each attempt: the first is normally `0s`; its length is the attempt count.
    pub retry_schedule: Vec<Duration>,
    /// Per attempt, connection included.
    pub timeout: Duration,
    /// Deliveries in flight at once per process.
    pub concurrency: usize,
    /// How often a dispatcher looks for due deliveries (new checks wake it at once).
    pub poll_interval: Duration,
    /// Networks that webhooks may reach although they are private, loopback or link-local.
    pub allowed_cidrs: Vec<ipnet::IpNet>,
    /// Whether `idv serve` runs a dispatcher (`idv worker` always does).
    pub dispatch: bool,
}

/// Where settings come from: the process environment, or a map in tests.
pub trait Source {
    fn get(&self, key: &str) -> Option<String>;
}

pub struct ProcessEnv;

impl Source for ProcessEnv {
    fn get(&self, key: &str) -> Option<String> {
        std::env::var(key).ok().filter(|v| !v.is_empty())
    }
}

impl Source for HashMap<String, String> {
    fn get(&self, key: &str) -> Option<String> {
        HashMap::get(self, key).cloned()
    }
}

impl Config {
    /// Loads from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::load(&ProcessEnv)
    }

    pub fn load(env: &dyn Source) -> Result<Self, ConfigError> {
        use settings as S;
        let raw = settings::Raw::load(env)?;
        let data_dir = raw.path(&S::DATA_DIR);
        let database_url = raw
            .get(&S::DATABASE_URL)
            .unwrap_or_else(|| format!("sqlite://{}/idv.db?mode=rwc", data_dir.display()));
        validate_database_url(&database_url)?;
        let secret_key = raw.get(&S::SECRET_KEY).map(Secret::new);
        if let Some(k) = &secret_key {
            crate::server::crypto::MasterKey::from_base64(k.expose())
                .map_err(|e| ConfigError::new(S::SECRET_KEY.name, e))?;
        }
        let mut leptos = load_leptos_options(raw.explicit(&S::LEPTOS_CONFIG))?;
        if let Some(addr) = raw.get(&S::SITE_ADDR) {
            leptos.site_addr = addr
                .parse::<SocketAddr>()
                .map_err(|e| ConfigError::new(S::SITE_ADDR.name, format!("`{addr}`: {e}")))?;
        }
        let public_url = raw.http_url(&S::PUBLIC_URL)?;
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        let (match_threshold, mismatch_threshold) = thresholds(&raw)?;
        let verifier_mode = raw.choice(
            &S::VERIFIER,
            &[
                ("local", VerifierMode::Local),
                ("openai", VerifierMode::OpenAi),
                ("both", VerifierMode::Both),
            ],
        )?;
        Ok(Self {
            database_url: Secret::new(database_url),
            db_max_connections: raw.count(&S::DB_MAX_CONNECTIONS, None)?,
            db_connect_timeout: raw.duration(&S::DB_CONNECT_TIMEOUT)?,
            public_url_is_default: public_url.is_none(),
            public_url: public_url.unwrap_or_else(|| default_public_url(leptos.site_addr)),
            log_format: raw.choice(
                &S::LOG_FORMAT,
                &[("text", LogFormat::Text), ("json", LogFormat::Json)],
            )?,
            secret_key,
            key_rotation_grace: raw.duration(&S::KEY_ROTATION_GRACE)?,
            shutdown_timeout: raw.duration(&S::SHUTDOWN_TIMEOUT)?,
            leptos,
            storage: storage(&raw)?,
            link_ttl: raw.duration(&S::LINK_TTL)?,
            retention: raw.duration(&S::RETENTION)?,
            retention_sweep_interval: raw.duration(&S::RETENTION_SWEEP_INTERVAL)?,
            max_video_bytes: raw.count(&S::MAX_VIDEO_BYTES, None)?,
            max_photo_bytes: raw.count(&S::MAX_PHOTO_BYTES, None)?,
            max_image_pixels: raw.count(&S::MAX_IMAGE_PIXELS, None)?,
            media_timeout: raw.duration(&S::MEDIA_TIMEOUT)?,
            capture_token_ttl: raw.duration(&S::CAPTURE_TOKEN_TTL)?,
            challenge_attempts: raw.count(&S::CHALLENGE_ATTEMPTS, None)?,
            user_attempts_per_hour: raw.count(&S::USER_ATTEMPTS_PER_HOUR, None)?,
            capture_video_bitrate: raw.count(&S::CAPTURE_VIDEO_BITRATE, None)?,
            models_dir: raw.path(&S::MODELS_DIR),
            scoring_concurrency: raw.count(&S::SCORING_CONCURRENCY, Some(cores))?,
            scoring_queue_timeout: raw.duration(&S::SCORING_QUEUE_TIMEOUT)?,
            match_threshold,
            mismatch_threshold,
            verifier_mode,
            openai: if verifier_mode == VerifierMode::Local {
                None
            } else {
                Some(openai(&raw)?)
            },
            webhooks: webhooks(&raw)?,
            api_rate_limit: raw.count(&S::API_RATE_LIMIT, None)?,
            rate_limits: raw.choice(
                &S::RATE_LIMITS,
                &[
                    ("shared", RateLimitStore::Shared),
                    ("process", RateLimitStore::Process),
                ],
            )?,
            metrics: metrics(&raw)?,
            guard: guard(&raw, cores)?,
            data_dir,
        })
    }

    pub fn is_postgres(&self) -> bool {
        self.database_url.expose().starts_with("postgres")
    }

    /// The public base URL with the actual port, once the listener is bound (port 0 in tests).
    pub fn set_bound_addr(&mut self, addr: SocketAddr) {
        self.leptos.site_addr = addr;
        if self.public_url_is_default {
            self.public_url = default_public_url(addr);
        }
    }
}

/// Where uploaded files go: local disk, or Azure Blob Storage with its credentials.
fn storage(raw: &settings::Raw) -> Result<StorageConfig, ConfigError> {
    use settings as S;
    #[derive(Clone, Copy)]
    enum Kind {
        Local,
        Azure,
    }
    let kind = raw.choice(
        &S::STORAGE,
        &[("local", Kind::Local), ("azure", Kind::Azure)],
    )?;
    if let Kind::Local = kind {
        return Ok(StorageConfig::Local);
    }
    let container = raw.text(&S::AZURE_CONTAINER);
    let required = |s: &settings::Setting| {
        raw.get(s).ok_or_else(|| {
            ConfigError::new(
                s.name,
                format!(
                    "required with {}=azure (or {})",
                    S::STORAGE.name,
                    S::AZURE_CONNECTION_STRING.name
                ),
            )
        })
    };
    let settings = match raw.get(&S::AZURE_CONNECTION_STRING) {
        Some(cs) => crate::server::storage::AzureSettings::from_connection_string(&cs, container)
            .map_err(|e| ConfigError::new(S::AZURE_CONNECTION_STRING.name, e))?,
        None => crate::server::storage::AzureSettings {
            account: required(&S::AZURE_ACCOUNT)?,
            access_key: Secret::new(required(&S::AZURE_ACCESS_KEY)?),
            container,
            endpoint: raw.get(&S::AZURE_ENDPOINT),
        },
    };
    if let Some(e) = &settings.endpoint {
        url::Url::parse(e)
            .map_err(|err| ConfigError::new(S::AZURE_ENDPOINT.name, format!("`{e}`: {err}")))?;
    }
    Ok(StorageConfig::Azure(settings))
}

/// The face match thresholds: (match at or above, mismatch below).
fn thresholds(raw: &settings::Raw) -> Result<(f32, f32), ConfigError> {
    use settings as S;
    let match_at: f32 = raw.num(&S::MATCH_THRESHOLD, None)?;
    let mismatch_below: f32 = raw.num(&S::MISMATCH_THRESHOLD, None)?;
    if !(0.0..=1.0).contains(&match_at) {
        return Err(ConfigError::new(
            S::MATCH_THRESHOLD.name,
            "must be between 0 and 1",
        ));
    }
    if !(0.0..=match_at).contains(&mismatch_below) {
        return Err(ConfigError::new(
            S::MISMATCH_THRESHOLD.name,
            format!("must be between 0 and {}", S::MATCH_THRESHOLD.name),
        ));
    }
    Ok((match_at, mismatch_below))
}

/// The OpenAI-compatible vision endpoint (when the verifier is not local only).
fn openai(raw: &settings::Raw) -> Result<OpenAiConfig, ConfigError> {
    use settings as S;
    let base_url = raw.http_url(&S::OPENAI_BASE_URL)?.ok_or_else(|| {
        ConfigError::new(
            S::OPENAI_BASE_URL.name,
            format!(
                "required with {}=openai or both (e.g. https://api.openai.com/v1)",
                S::VERIFIER.name
            ),
        )
    })?;
    let retries: u32 = raw.num(&S::OPENAI_RETRIES, None)?;
    if retries > 10 {
        return Err(ConfigError::new(
            S::OPENAI_RETRIES.name,
            "must be at most 10",
        ));
    }
    Ok(OpenAiConfig {
        base_url,
        model: raw.text(&S::OPENAI_MODEL),
        api_key: raw.get(&S::OPENAI_API_KEY).map(Secret::new),
        timeout: raw.duration(&S::OPENAI_TIMEOUT)?,
        retries,
    })
}

/// Webhook delivery.
fn webhooks(raw: &settings::Raw) -> Result<WebhookConfig, ConfigError> {
    use settings as S;
    let name = S::WEBHOOK_RETRY_SCHEDULE.name;
    let retry_schedule = raw
        .text(&S::WEBHOOK_RETRY_SCHEDULE)
        .split(',')
        .map(|p| settings::parse_duration(name, p))
        .collect::<Result<Vec<_>, _>>()?;
    if retry_schedule.is_empty() || retry_schedule.len() > 50 {
        return Err(ConfigError::new(
            name,
            "needs 1 to 50 comma-separated durations",
        ));
    }
    Ok(WebhookConfig {
        retry_schedule,
        timeout: raw.positive_duration(&S::WEBHOOK_TIMEOUT)?,
        concurrency: raw.count(&S::WEBHOOK_CONCURRENCY, None)?,
        poll_interval: raw.positive_duration(&S::WEBHOOK_POLL_INTERVAL)?,
        allowed_cidrs: raw.networks(&S::WEBHOOK_ALLOWED_CIDRS)?,
        dispatch: raw.flag(&S::WEBHOOK_DISPATCH)?,
    })
}

/// `IDV_METRICS_TOKEN`, `IDV_METRICS_ADDR`, `IDV_OTLP_ENDPOINT` (or the standard
/// `OTEL_EXPORTER_OTLP_ENDPOINT`).
fn metrics(raw: &settings::Raw) -> Result<MetricsConfig, ConfigError> {
    use settings as S;
    let token = raw.get(&S::METRICS_TOKEN).filter(|t| !t.is_empty());
    if let Some(t) = &token
        && t.len() < 16
    {
        return Err(ConfigError::new(
            S::METRICS_TOKEN.name,
            "must be at least 16 characters (it guards the metrics)",
        ));
    }
    let addr = match raw.get(&S::METRICS_ADDR).filter(|a| !a.is_empty()) {
        None => None,
        Some(a) => Some(a.parse::<SocketAddr>().map_err(|e| {
            ConfigError::new(S::METRICS_ADDR.name, format!("`{a}`: {e} (want host:port)"))
        })?),
    };
    let otlp_endpoint = match raw.http_url(&S::OTLP_ENDPOINT)? {
        Some(u) => Some(u),
        None => match std::env::var("OTEL_EXPORTER_OTLP_ENDPOINT") {
            Ok(v) if !v.trim().is_empty() => {
                let u = url::Url::parse(v.trim()).map_err(|e| {
                    ConfigError::new("OTEL_EXPORTER_OTLP_ENDPOINT", format!("`{v}`: {e}"))
                })?;
                if !matches!(u.scheme(), "http" | "https") {
                    return Err(ConfigError::new(
                        "OTEL_EXPORTER_OTLP_ENDPOINT",
                        format!("`{v}` must be an http(s) URL"),
                    ));
                }
                Some(u)
            }
            _ => None,
        },
    };
    Ok(MetricsConfig {
        token: token.map(Secret::new),
        addr,
        otlp_endpoint,
    })
}

/// The limits that hold before anyone is authenticated.
fn guard(raw: &settings::Raw, cores: usize) -> Result<GuardConfig, ConfigError> {
    use settings as S;
    Ok(GuardConfig {
        spool_max_bytes: raw.count(&S::SPOOL_MAX_BYTES, None)?,
        max_concurrent_uploads: raw.count(&S::MAX_CONCURRENT_UPLOADS, None)?,
        max_unauthenticated_uploads: raw.count(&S::MAX_UNAUTHENTICATED_UPLOADS, None)?,
        max_uploads_per_address: raw.count(&S::MAX_UPLOADS_PER_ADDRESS, None)?,
        media_concurrency: raw.count(&S::MEDIA_CONCURRENCY, Some(cores))?,
        header_read_timeout: raw.positive_duration(&S::HEADER_READ_TIMEOUT)?,
        body_min_rate: raw.num(&S::BODY_MIN_RATE, None)?,
        body_rate_window: raw.positive_duration(&S::BODY_RATE_WINDOW)?,
        body_timeout: raw.positive_duration(&S::BODY_TIMEOUT)?,
        ip_submit_per_minute: raw.count(&S::IP_SUBMIT_PER_MINUTE, None)?,
        ip_page_per_minute: raw.count(&S::IP_PAGE_PER_MINUTE, None)?,
        ip_sign_in_per_minute: raw.count(&S::IP_SIGN_IN_PER_MINUTE, None)?,
        ip_api_per_minute: raw.count(&S::IP_API_PER_MINUTE, None)?,
        trusted_proxies: raw.networks(&S::TRUSTED_PROXIES)?,
        ip_limits_exempt: raw.networks(&S::IP_LIMITS_EXEMPT)?,
    })
}

pub fn default_public_url(addr: SocketAddr) -> url::Url {
    let host = if addr.ip().is_unspecified() {
        "127.0.0.1".to_string()
    } else {
        addr.ip().to_string()
    };
    let host = if addr.is_ipv6() && !addr.ip().is_unspecified() {
        format!("[{host}]")
    } else {
        host
    };
    url::Url::parse(&format!("http://{host}:{}/", addr.port()))
        .expect("a socket address makes a valid URL")
}

fn validate_database_url(url: &str) -> Result<(), ConfigError> {
    let parsed = url::Url::parse(url).map_err(|e| {
        ConfigError::new(settings::DATABASE_URL.name, format!("cannot parse it: {e}"))
    })?;
    match parsed.scheme() {
        "sqlite" | "postgres" | "postgresql" => Ok(()),
        other => Err(ConfigError::new(
            settings::DATABASE_URL.name,
            format!("scheme `{other}` is not supported (use sqlite:// or postgres://)"),
        )),
    }
}

/// Durations as `30s`, `5m`, `2h`, `7d` (humantime syntax).
/// A duration setting's value (`30s`, `5m`, `2h`, `7d`), `default` when unset.
pub fn parse_duration(
    name: &str,
    value: Option<String>,
    default: &str,
) -> Result<Duration, ConfigError> {
    settings::parse_duration(name, &value.unwrap_or_else(|| default.to_string()))
}

/// Leptos site settings: Leptos.toml, with the process's `LEPTOS_*` variables on top (leptos
/// reads those itself; cargo-leptos sets them all when it runs the binary, the build scripts
/// set `LEPTOS_OUTPUT_NAME` to the value the file has).
fn load_leptos_options(path: Option<String>) -> Result<LeptosOptions, ConfigError> {
    let explicit = path.is_some();
    let path = path.unwrap_or_else(|| {
        settings::LEPTOS_CONFIG
            .default
            .unwrap_or_default()
            .to_string()
    });
    if !Path::new(&path).exists() {
        if explicit {
            return Err(ConfigError::new(
                settings::LEPTOS_CONFIG.name,
                format!("{path} does not exist"),
            ));
        }
        // Run from another folder without the file: the same values as the shipped Leptos.toml.
        return leptos_options_from_str(
            include_str!("../../../../Leptos.toml"),
            "Leptos.toml (built in)",
        );
    }
    let text = std::fs::read_to_string(&path).map_err(|e| {
        ConfigError::new(
            settings::LEPTOS_CONFIG.name,
            format!("cannot read {path}: {e}"),
        )
    })?;
    leptos_options_from_str(&text, &path)
}

pub fn leptos_options_from_str(text: &str, origin: &str) -> Result<LeptosOptions, ConfigError> {
    leptos::config::get_config_from_str(text)
        .map_err(|e| ConfigError::new(settings::LEPTOS_CONFIG.name, format!("{origin}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_are_embedded_sqlite_under_data() {
        let c = Config::load(&env(&[])).unwrap();
        assert_eq!(c.data_dir, PathBuf::from("./data"));
        assert_eq!(c.database_url.expose(), "sqlite://./data/idv.db?mode=rwc");
        assert!(!c.is_postgres());
        assert_eq!(c.log_format, LogFormat::Text);
        assert_eq!(c.key_rotation_grace, Duration::from_secs(24 * 3600));
        assert_eq!(c.public_url.as_str(), "http://127.0.0.1:3000/");
        assert!(matches!(c.storage, StorageConfig::Local));
        assert_eq!(c.retention, Duration::from_secs(7 * 86400));
        assert_eq!(c.max_video_bytes, 50 * 1024 * 1024);
        assert_eq!(c.max_photo_bytes, 15 * 1024 * 1024);
    }

    #[test]
    fn webhook_settings_parse_and_name_their_errors() {
        let c = Config::load(&env(&[])).unwrap();
        assert_eq!(c.webhooks.retry_schedule.len(), 8);
        assert_eq!(c.webhooks.retry_schedule[3], Duration::from_secs(1800));
        assert_eq!(c.webhooks.timeout, Duration::from_secs(10));
        assert!(c.webhooks.allowed_cidrs.is_empty());
        let c = Config::load(&env(&[
            ("IDV_WEBHOOK_RETRY_SCHEDULE", "0s, 2s,1m"),
            ("IDV_WEBHOOK_ALLOWED_CIDRS", "127.0.0.0/8, ::1"),
        ]))
        .unwrap();
        assert_eq!(
            c.webhooks.retry_schedule,
            [0, 2, 60].map(Duration::from_secs).to_vec()
        );
        assert_eq!(c.webhooks.allowed_cidrs.len(), 2);
        let e = Config::load(&env(&[("IDV_WEBHOOK_RETRY_SCHEDULE", "0s,soon")])).unwrap_err();
        assert_eq!(e.name, "IDV_WEBHOOK_RETRY_SCHEDULE");
        let e = Config::load(&env(&[("IDV_WEBHOOK_ALLOWED_CIDRS", "localhost")])).unwrap_err();
        assert_eq!(e.name, "IDV_WEBHOOK_ALLOWED_CIDRS");
    }

    #[test]
    fn the_vision_backend_is_off_unless_configured() {
        let c = Config::load(&env(&[])).unwrap();
        assert_eq!(c.verifier_mode, VerifierMode::Local);
        assert!(c.openai.is_none());
        let e = Config::load(&env(&[("IDV_VERIFIER", "openai")])).unwrap_err();
        assert_eq!(e.name, "IDV_OPENAI_BASE_URL");
        let e = Config::load(&env(&[("IDV_VERIFIER", "cloud")])).unwrap_err();
        assert_eq!(e.name, "IDV_VERIFIER");
        let c = Config::load(&env(&[
            ("IDV_VERIFIER", "both"),
            ("IDV_OPENAI_BASE_URL", "http://127.0.0.1:9/v1"),
            ("IDV_OPENAI_API_KEY", "sk-very-secret"),
        ]))
        .unwrap();
        assert_eq!(c.verifier_mode, VerifierMode::Both);
        let o = c.openai.as_ref().unwrap();
        assert_eq!(o.model, "gpt-4o");
        assert_eq!(o.retries, 2);
        assert_eq!(o.timeout, Duration::from_secs(30));
        assert!(!format!("{c:?}").contains("sk-very-secret"));
    }

    #[test]
    fn azure_needs_credentials() {
        let e = Config::load(&env(&[("IDV_STORAGE", "azure")])).unwrap_err();
        assert_eq!(e.name, "IDV_AZURE_ACCOUNT");
        let c = Config::load(&env(&[
            ("IDV_STORAGE", "azure"),
            ("IDV_AZURE_ACCOUNT", "acct"),
            ("IDV_AZURE_ACCESS_KEY", "c2VjcmV0"),
            ("IDV_AZURE_ENDPOINT", "http://127.0.0.1:10000/acct"),
        ]))
        .unwrap();
        assert!(matches!(c.storage, StorageConfig::Azure(_)));
        assert!(!format!("{c:?}").contains("c2VjcmV0"));
    }

    #[test]
    fn leptos_toml_is_read_and_env_overrides_it() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("L.toml");
        std::fs::write(&p, "[package.metadata.leptos]\noutput-name = \"x\"\nsite-root = \"site\"\nsite-addr = \"127.0.0.1:4567\"\n").unwrap();
        let c = Config::load(&env(&[("IDV_LEPTOS_CONFIG", p.to_str().unwrap())])).unwrap();
        // the process's own LEPTOS_OUTPUT_NAME wins over the file (the test scripts set it)
        let want = std::env::var("LEPTOS_OUTPUT_NAME").unwrap_or_else(|_| "x".into());
        assert_eq!(&*c.leptos.output_name, want);
        assert_eq!(&*c.leptos.site_root, "site");
        assert_eq!(c.leptos.site_addr.port(), 4567);
        assert_eq!(c.public_url.as_str(), "http://127.0.0.1:4567/");
        let c = Config::load(&env(&[
            ("IDV_LEPTOS_CONFIG", p.to_str().unwrap()),
            ("LEPTOS_SITE_ADDR", "127.0.0.1:9"),
        ]))
        .unwrap();
        assert_eq!(c.leptos.site_addr.port(), 9);
    }

    #[test]
    fn leptos_toml_matches_cargo_metadata() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let from_file = leptos_options_from_str(
            &std::fs::read_to_string(root.join("Leptos.toml")).unwrap(),
            "Leptos.toml",
        )
        .unwrap();
        let from_cargo = leptos_options_from_str(
            &std::fs::read_to_string(root.join("Cargo.toml")).unwrap(),
            "Cargo.toml",
        )
        .unwrap();
        assert_eq!(from_file.output_name, from_cargo.output_name);
        assert_eq!(from_file.site_root, from_cargo.site_root);
        assert_eq!(from_file.site_pkg_dir, from_cargo.site_pkg_dir);
        assert_eq!(from_file.site_addr, from_cargo.site_addr);
        assert_eq!(from_file.reload_port, from_cargo.reload_port);
    }

    #[test]
    fn explicit_missing_leptos_config_is_an_error() {
        let e = Config::load(&env(&[("IDV_LEPTOS_CONFIG", "/nonexistent/L.toml")])).unwrap_err();
        assert_eq!(e.name, "IDV_LEPTOS_CONFIG");
    }

    #[test]
    fn file_then_env() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("idv.toml");
        std::fs::write(&p, "data_dir = \"/tmp/fromfile\"\nlog_format = \"json\"\n").unwrap();
        let c = Config::load(&env(&[("IDV_CONFIG", p.to_str().unwrap())])).unwrap();
        assert_eq!(c.data_dir, PathBuf::from("/tmp/fromfile"));
        assert_eq!(c.log_format, LogFormat::Json);
        let c = Config::load(&env(&[
            ("IDV_CONFIG", p.to_str().unwrap()),
            ("IDV_DATA_DIR", "/tmp/env"),
        ]))
        .unwrap();
        assert_eq!(c.data_dir, PathBuf::from("/tmp/env"));
        std::fs::write(&p, "no_such_key = 1\n").unwrap();
        let e = Config::load(&env(&[("IDV_CONFIG", p.to_str().unwrap())])).unwrap_err();
        assert!(e.to_string().contains("no_such_key"), "{e}");
    }

    #[test]
    fn bad_settings_name_themselves() {
        for (k, v) in [
            ("DATABASE_URL", "not a url"),
            ("DATABASE_URL", "mysql://x/y"),
            ("IDV_LOG_FORMAT", "xml"),
            ("IDV_KEY_ROTATION_GRACE", "soon"),
            ("IDV_DB_MAX_CONNECTIONS", "0"),
            ("LEPTOS_SITE_ADDR", "localhost"),
            ("IDV_PUBLIC_URL", "ftp://x"),
            ("IDV_SECRET_KEY", "short"),
            ("IDV_STORAGE", "s3"),
            ("IDV_RETENTION", "a week"),
            ("IDV_MAX_VIDEO_BYTES", "0"),
        ] {
            let e = Config::load(&env(&[(k, v)])).unwrap_err();
            assert_eq!(e.name, k, "{e}");
            assert!(!e.to_string().contains('\n'));
        }
    }

    #[test]
    fn secrets_are_redacted_in_debug() {
        let c = Config::load(&env(&[(
            "DATABASE_URL",
            "postgres://u:hunter2@127.0.0.1/db",
        )]))
        .unwrap();
        assert!(c.is_postgres());
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
