//! Configuration: built-in defaults, then an optional TOML file (`IDV_CONFIG`), then environment
//! variables (`IDV_*`, `DATABASE_URL`, `LEPTOS_*`). Validated once at start; every failure names
//! the setting. Secrets are wrapped in [`Secret`] so `Debug` never prints them.

use std::{
    collections::HashMap,
    fmt,
    net::SocketAddr,
    path::{Path, PathBuf},
    time::Duration,
};

use leptos::config::LeptosOptions;
use serde::Deserialize;

/// A value that must never be printed (database passwords, keys).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

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
    /// Partner API requests per key per minute (`IDV_API_RATE_LIMIT`), per process.
    pub api_rate_limit: u32,
    /// What bounds the work anyone can cause before being authenticated.
    pub guard: GuardConfig,
}

/// Limits that hold before anyone is authenticated: uploads, slow clients, per-IP request
/// rates, and the expensive work (probing, decoding) behind a bounded gate.
#[derive(Debug, Clone)]
pub struct GuardConfig {
    /// Disk all uploads being received at once may hold (`IDV_SPOOL_MAX_BYTES`).
    pub spool_max_bytes: u64,
    /// Uploads (`POST /verif/submit`) received at once per process; more get 503.
    pub max_concurrent_uploads: usize,
    /// ffprobe/ffmpeg probes and image decodes at once; more wait (scoring's queue timeout).
    pub media_concurrency: usize,
    /// A connection must send a complete request head within this, also between requests on a
    /// kept-alive connection (so it is the idle keep-alive limit too).
    pub header_read_timeout: Duration,
    /// A request body must arrive at this many bytes per second at least, measured over each
    /// `body_rate_window`; a slower one is cut (408) and its connection closed.
    pub body_min_rate: u64,
    pub body_rate_window: Duration,
    /// Requests per minute per client IP: submissions, capture-page loads, dashboard sign-ins.
    pub ip_submit_per_minute: u32,
    pub ip_page_per_minute: u32,
    pub ip_sign_in_per_minute: u32,
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

/// The default retry schedule (8 attempts over about 28 hours).
pub const DEFAULT_RETRY_SCHEDULE: &str = "0s,5s,5m,30m,2h,5h,10h,10h";

fn parse_schedule(v: &str) -> Result<Vec<Duration>, ConfigError> {
    let name = "IDV_WEBHOOK_RETRY_SCHEDULE";
    let list = v
        .split(',')
        .map(|p| {
            humantime::parse_duration(p.trim())
                .map_err(|e| ConfigError::new(name, format!("`{}`: {e}", p.trim())))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if list.is_empty() || list.len() > 50 {
        return Err(ConfigError::new(
            name,
            "needs 1 to 50 comma-separated durations",
        ));
    }
    Ok(list)
}

fn parse_cidrs(v: &str) -> Result<Vec<ipnet::IpNet>, ConfigError> {
    parse_cidrs_for("IDV_WEBHOOK_ALLOWED_CIDRS", v)
}

fn parse_cidrs_for(name: &str, v: &str) -> Result<Vec<ipnet::IpNet>, ConfigError> {
    v.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.parse::<ipnet::IpNet>()
                .or_else(|_| p.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    ConfigError::new(
                        name,
                        format!("`{p}` is not a network such as 127.0.0.0/8 or an address"),
                    )
                })
        })
        .collect()
}

/// The keys a config file may hold (same names as the variables, without `IDV_`, lower case).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<String>,
    database_url: Option<String>,
    db_max_connections: Option<String>,
    db_connect_timeout: Option<String>,
    public_url: Option<String>,
    log_format: Option<String>,
    secret_key: Option<String>,
    key_rotation_grace: Option<String>,
    shutdown_timeout: Option<String>,
    leptos_config: Option<String>,
    site_addr: Option<String>,
    storage: Option<String>,
    azure_connection_string: Option<String>,
    azure_account: Option<String>,
    azure_access_key: Option<String>,
    azure_container: Option<String>,
    azure_endpoint: Option<String>,
    link_ttl: Option<String>,
    retention: Option<String>,
    retention_sweep_interval: Option<String>,
    max_video_bytes: Option<String>,
    max_photo_bytes: Option<String>,
    max_image_pixels: Option<String>,
    media_timeout: Option<String>,
    capture_token_ttl: Option<String>,
    models_dir: Option<String>,
    scoring_concurrency: Option<String>,
    scoring_queue_timeout: Option<String>,
    match_threshold: Option<String>,
    mismatch_threshold: Option<String>,
    verifier: Option<String>,
    openai_base_url: Option<String>,
    openai_model: Option<String>,
    openai_api_key: Option<String>,
    openai_timeout: Option<String>,
    openai_retries: Option<String>,
    webhook_retry_schedule: Option<String>,
    webhook_timeout: Option<String>,
    webhook_concurrency: Option<String>,
    webhook_poll_interval: Option<String>,
    webhook_allowed_cidrs: Option<String>,
    webhook_dispatch: Option<String>,
    api_rate_limit: Option<String>,
    spool_max_bytes: Option<String>,
    max_concurrent_uploads: Option<String>,
    media_concurrency: Option<String>,
    header_read_timeout: Option<String>,
    body_min_rate: Option<String>,
    body_rate_window: Option<String>,
    ip_submit_per_minute: Option<String>,
    ip_page_per_minute: Option<String>,
    ip_sign_in_per_minute: Option<String>,
    trusted_proxies: Option<String>,
    ip_limits_exempt: Option<String>,
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

const MIB: u64 = 1024 * 1024;

/// The Leptos site settings file the binary reads when run without cargo-leptos.
pub const DEFAULT_LEPTOS_CONFIG: &str = "Leptos.toml";

impl Config {
    /// Loads from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::load(&ProcessEnv)
    }

    pub fn load(env: &dyn Source) -> Result<Self, ConfigError> {
        let file = match env.get("IDV_CONFIG") {
            Some(path) => {
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    ConfigError::new("IDV_CONFIG", format!("cannot read {path}: {e}"))
                })?;
                toml::from_str::<FileConfig>(&text).map_err(|e| {
                    ConfigError::new("IDV_CONFIG", format!("{path}: {}", e.message()))
                })?
            }
            None => FileConfig::default(),
        };
        // env wins over the file, which wins over the default
        let pick =
            |var: &str, from_file: &Option<String>| env.get(var).or_else(|| from_file.clone());

        let data_dir =
            PathBuf::from(pick("IDV_DATA_DIR", &file.data_dir).unwrap_or_else(|| "./data".into()));

        let database_url = match pick("DATABASE_URL", &file.database_url) {
            Some(u) => u,
            None => format!("sqlite://{}/idv.db?mode=rwc", data_dir.display()),
        };
        validate_database_url(&database_url)?;

        let db_max_connections = parse_num(
            "IDV_DB_MAX_CONNECTIONS",
            pick("IDV_DB_MAX_CONNECTIONS", &file.db_max_connections),
            10,
        )?;
        if db_max_connections == 0 {
            return Err(ConfigError::new(
                "IDV_DB_MAX_CONNECTIONS",
                "must be at least 1",
            ));
        }

        let db_connect_timeout = parse_duration(
            "IDV_DB_CONNECT_TIMEOUT",
            pick("IDV_DB_CONNECT_TIMEOUT", &file.db_connect_timeout),
            "10s",
        )?;

        let log_format = match pick("IDV_LOG_FORMAT", &file.log_format).as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError::new(
                    "IDV_LOG_FORMAT",
                    format!("`{other}` is not `text` or `json`"),
                ));
            }
        };

        let secret_key = pick("IDV_SECRET_KEY", &file.secret_key).map(Secret::new);
        if let Some(k) = &secret_key {
            crate::server::crypto::MasterKey::from_base64(k.expose())
                .map_err(|e| ConfigError::new("IDV_SECRET_KEY", e))?;
        }

        let key_rotation_grace = parse_duration(
            "IDV_KEY_ROTATION_GRACE",
            pick("IDV_KEY_ROTATION_GRACE", &file.key_rotation_grace),
            "24h",
        )?;
        let shutdown_timeout = parse_duration(
            "IDV_SHUTDOWN_TIMEOUT",
            pick("IDV_SHUTDOWN_TIMEOUT", &file.shutdown_timeout),
            "30s",
        )?;

        let mut leptos = load_leptos_options(pick("IDV_LEPTOS_CONFIG", &file.leptos_config))?;
        if let Some(addr) = pick("LEPTOS_SITE_ADDR", &file.site_addr) {
            leptos.site_addr = addr
                .parse::<SocketAddr>()
                .map_err(|e| ConfigError::new("LEPTOS_SITE_ADDR", format!("`{addr}`: {e}")))?;
        }

        let public_url_is_default = pick("IDV_PUBLIC_URL", &file.public_url).is_none();
        let public_url = match pick("IDV_PUBLIC_URL", &file.public_url) {
            Some(u) => {
                let url = url::Url::parse(&u)
                    .map_err(|e| ConfigError::new("IDV_PUBLIC_URL", format!("`{u}`: {e}")))?;
                if !matches!(url.scheme(), "http" | "https") {
                    return Err(ConfigError::new("IDV_PUBLIC_URL", "must be an http(s) URL"));
                }
                url
            }
            None => default_public_url(leptos.site_addr),
        };

        let storage = match pick("IDV_STORAGE", &file.storage).as_deref() {
            None | Some("local") => StorageConfig::Local,
            Some("azure") => {
                let container = pick("IDV_AZURE_CONTAINER", &file.azure_container)
                    .unwrap_or_else(|| "idv".into());
                let settings = match pick("IDV_AZURE_CONNECTION_STRING", &file.azure_connection_string) {
                    Some(cs) => crate::server::storage::AzureSettings::from_connection_string(&cs, container)
                        .map_err(|e| ConfigError::new("IDV_AZURE_CONNECTION_STRING", e))?,
                    None => crate::server::storage::AzureSettings {
                        account: pick("IDV_AZURE_ACCOUNT", &file.azure_account).ok_or_else(|| {
                            ConfigError::new("IDV_AZURE_ACCOUNT", "required with IDV_STORAGE=azure (or IDV_AZURE_CONNECTION_STRING)")
                        })?,
                        access_key: Secret::new(pick("IDV_AZURE_ACCESS_KEY", &file.azure_access_key).ok_or_else(|| {
                            ConfigError::new("IDV_AZURE_ACCESS_KEY", "required with IDV_STORAGE=azure (or IDV_AZURE_CONNECTION_STRING)")
                        })?),
                        container,
                        endpoint: pick("IDV_AZURE_ENDPOINT", &file.azure_endpoint),
                    },
                };
                if let Some(e) = &settings.endpoint {
                    url::Url::parse(e).map_err(|err| {
                        ConfigError::new("IDV_AZURE_ENDPOINT", format!("`{e}`: {err}"))
                    })?;
                }
                StorageConfig::Azure(settings)
            }
            Some(other) => {
                return Err(ConfigError::new(
                    "IDV_STORAGE",
                    format!("`{other}` is not `local` or `azure`"),
                ));
            }
        };
        let link_ttl = parse_duration("IDV_LINK_TTL", pick("IDV_LINK_TTL", &file.link_ttl), "1h")?;
        let retention = parse_duration(
            "IDV_RETENTION",
            pick("IDV_RETENTION", &file.retention),
            "7d",
        )?;
        let retention_sweep_interval = parse_duration(
            "IDV_RETENTION_SWEEP_INTERVAL",
            pick(
                "IDV_RETENTION_SWEEP_INTERVAL",
                &file.retention_sweep_interval,
            ),
            "5m",
        )?;
        let max_video_bytes = parse_num(
            "IDV_MAX_VIDEO_BYTES",
            pick("IDV_MAX_VIDEO_BYTES", &file.max_video_bytes),
            50 * MIB,
        )?;
        let max_photo_bytes = parse_num(
            "IDV_MAX_PHOTO_BYTES",
            pick("IDV_MAX_PHOTO_BYTES", &file.max_photo_bytes),
            15 * MIB,
        )?;
        let max_image_pixels = parse_num(
            "IDV_MAX_IMAGE_PIXELS",
            pick("IDV_MAX_IMAGE_PIXELS", &file.max_image_pixels),
            60_000_000,
        )?;
        let media_timeout = parse_duration(
            "IDV_MEDIA_TIMEOUT",
            pick("IDV_MEDIA_TIMEOUT", &file.media_timeout),
            "20s",
        )?;
        let capture_token_ttl = parse_duration(
            "IDV_CAPTURE_TOKEN_TTL",
            pick("IDV_CAPTURE_TOKEN_TTL", &file.capture_token_ttl),
            "30m",
        )?;
        for (name, v) in [
            ("IDV_MAX_VIDEO_BYTES", max_video_bytes),
            ("IDV_MAX_PHOTO_BYTES", max_photo_bytes),
            ("IDV_MAX_IMAGE_PIXELS", max_image_pixels),
        ] {
            if v == 0 {
                return Err(ConfigError::new(name, "must be greater than 0"));
            }
        }

        let models_dir = PathBuf::from(
            pick("IDV_MODELS_DIR", &file.models_dir).unwrap_or_else(|| "./models".into()),
        );
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        let scoring_concurrency = parse_num(
            "IDV_SCORING_CONCURRENCY",
            pick("IDV_SCORING_CONCURRENCY", &file.scoring_concurrency),
            cores,
        )?;
        if scoring_concurrency == 0 {
            return Err(ConfigError::new(
                "IDV_SCORING_CONCURRENCY",
                "must be at least 1",
            ));
        }
        let scoring_queue_timeout = parse_duration(
            "IDV_SCORING_QUEUE_TIMEOUT",
            pick("IDV_SCORING_QUEUE_TIMEOUT", &file.scoring_queue_timeout),
            "30s",
        )?;
        let match_threshold: f32 = parse_num(
            "IDV_MATCH_THRESHOLD",
            pick("IDV_MATCH_THRESHOLD", &file.match_threshold),
            0.45,
        )?;
        let mismatch_threshold: f32 = parse_num(
            "IDV_MISMATCH_THRESHOLD",
            pick("IDV_MISMATCH_THRESHOLD", &file.mismatch_threshold),
            0.40,
        )?;
        if !(0.0..=1.0).contains(&match_threshold) {
            return Err(ConfigError::new(
                "IDV_MATCH_THRESHOLD",
                "must be between 0 and 1",
            ));
        }
        if !(0.0..=match_threshold).contains(&mismatch_threshold) {
            return Err(ConfigError::new(
                "IDV_MISMATCH_THRESHOLD",
                "must be between 0 and IDV_MATCH_THRESHOLD",
            ));
        }

        let verifier_mode = match pick("IDV_VERIFIER", &file.verifier).as_deref() {
            None | Some("local") => VerifierMode::Local,
            Some("openai") => VerifierMode::OpenAi,
            Some("both") => VerifierMode::Both,
            Some(other) => {
                return Err(ConfigError::new(
                    "IDV_VERIFIER",
                    format!("`{other}` is not one of local, openai, both"),
                ));
            }
        };
        let openai = if verifier_mode == VerifierMode::Local {
            None
        } else {
            let raw = pick("IDV_OPENAI_BASE_URL", &file.openai_base_url).ok_or_else(|| {
                ConfigError::new(
                    "IDV_OPENAI_BASE_URL",
                    "required with IDV_VERIFIER=openai or both (e.g. https://api.openai.com/v1)",
                )
            })?;
            let base_url = url::Url::parse(&raw)
                .map_err(|e| ConfigError::new("IDV_OPENAI_BASE_URL", format!("`{raw}`: {e}")))?;
            if !matches!(base_url.scheme(), "http" | "https") {
                return Err(ConfigError::new(
                    "IDV_OPENAI_BASE_URL",
                    "must be an http(s) URL",
                ));
            }
            let timeout = parse_duration(
                "IDV_OPENAI_TIMEOUT",
                pick("IDV_OPENAI_TIMEOUT", &file.openai_timeout),
                "30s",
            )?;
            let retries = parse_num(
                "IDV_OPENAI_RETRIES",
                pick("IDV_OPENAI_RETRIES", &file.openai_retries),
                2u32,
            )?;
            if retries > 10 {
                return Err(ConfigError::new("IDV_OPENAI_RETRIES", "must be at most 10"));
            }
            Some(OpenAiConfig {
                base_url,
                model: pick("IDV_OPENAI_MODEL", &file.openai_model)
                    .unwrap_or_else(|| "gpt-4o".into()),
                api_key: pick("IDV_OPENAI_API_KEY", &file.openai_api_key).map(Secret::new),
                timeout,
                retries,
            })
        };

        let webhooks = WebhookConfig {
            retry_schedule: parse_schedule(
                &pick("IDV_WEBHOOK_RETRY_SCHEDULE", &file.webhook_retry_schedule)
                    .unwrap_or_else(|| DEFAULT_RETRY_SCHEDULE.into()),
            )?,
            timeout: parse_duration(
                "IDV_WEBHOOK_TIMEOUT",
                pick("IDV_WEBHOOK_TIMEOUT", &file.webhook_timeout),
                "10s",
            )?,
            concurrency: parse_num(
                "IDV_WEBHOOK_CONCURRENCY",
                pick("IDV_WEBHOOK_CONCURRENCY", &file.webhook_concurrency),
                32usize,
            )?,
            poll_interval: parse_duration(
                "IDV_WEBHOOK_POLL_INTERVAL",
                pick("IDV_WEBHOOK_POLL_INTERVAL", &file.webhook_poll_interval),
                "1s",
            )?,
            allowed_cidrs: parse_cidrs(
                &pick("IDV_WEBHOOK_ALLOWED_CIDRS", &file.webhook_allowed_cidrs).unwrap_or_default(),
            )?,
            dispatch: match pick("IDV_WEBHOOK_DISPATCH", &file.webhook_dispatch).as_deref() {
                None | Some("true" | "1" | "on") => true,
                Some("false" | "0" | "off") => false,
                Some(other) => {
                    return Err(ConfigError::new(
                        "IDV_WEBHOOK_DISPATCH",
                        format!("`{other}` is not true or false"),
                    ));
                }
            },
        };
        if webhooks.concurrency == 0 {
            return Err(ConfigError::new(
                "IDV_WEBHOOK_CONCURRENCY",
                "must be at least 1",
            ));
        }
        if webhooks.timeout.is_zero() || webhooks.poll_interval.is_zero() {
            return Err(ConfigError::new(
                "IDV_WEBHOOK_TIMEOUT",
                "IDV_WEBHOOK_TIMEOUT and IDV_WEBHOOK_POLL_INTERVAL must be more than 0",
            ));
        }

        let api_rate_limit = parse_num(
            "IDV_API_RATE_LIMIT",
            pick("IDV_API_RATE_LIMIT", &file.api_rate_limit),
            600u32,
        )?;
        if api_rate_limit == 0 {
            return Err(ConfigError::new("IDV_API_RATE_LIMIT", "must be at least 1"));
        }

        let guard = GuardConfig {
            spool_max_bytes: at_least_one(
                "IDV_SPOOL_MAX_BYTES",
                parse_num(
                    "IDV_SPOOL_MAX_BYTES",
                    pick("IDV_SPOOL_MAX_BYTES", &file.spool_max_bytes),
                    2048 * MIB,
                )?,
            )?,
            max_concurrent_uploads: at_least_one(
                "IDV_MAX_CONCURRENT_UPLOADS",
                parse_num(
                    "IDV_MAX_CONCURRENT_UPLOADS",
                    pick("IDV_MAX_CONCURRENT_UPLOADS", &file.max_concurrent_uploads),
                    64,
                )?,
            )?,
            media_concurrency: at_least_one(
                "IDV_MEDIA_CONCURRENCY",
                parse_num(
                    "IDV_MEDIA_CONCURRENCY",
                    pick("IDV_MEDIA_CONCURRENCY", &file.media_concurrency),
                    cores,
                )?,
            )?,
            header_read_timeout: parse_duration(
                "IDV_HEADER_READ_TIMEOUT",
                pick("IDV_HEADER_READ_TIMEOUT", &file.header_read_timeout),
                "20s",
            )?,
            body_min_rate: parse_num(
                "IDV_BODY_MIN_RATE",
                pick("IDV_BODY_MIN_RATE", &file.body_min_rate),
                2048,
            )?,
            body_rate_window: parse_duration(
                "IDV_BODY_RATE_WINDOW",
                pick("IDV_BODY_RATE_WINDOW", &file.body_rate_window),
                "30s",
            )?,
            ip_submit_per_minute: at_least_one(
                "IDV_IP_SUBMIT_PER_MINUTE",
                parse_num(
                    "IDV_IP_SUBMIT_PER_MINUTE",
                    pick("IDV_IP_SUBMIT_PER_MINUTE", &file.ip_submit_per_minute),
                    60,
                )?,
            )?,
            ip_page_per_minute: at_least_one(
                "IDV_IP_PAGE_PER_MINUTE",
                parse_num(
                    "IDV_IP_PAGE_PER_MINUTE",
                    pick("IDV_IP_PAGE_PER_MINUTE", &file.ip_page_per_minute),
                    120,
                )?,
            )?,
            ip_sign_in_per_minute: at_least_one(
                "IDV_IP_SIGN_IN_PER_MINUTE",
                parse_num(
                    "IDV_IP_SIGN_IN_PER_MINUTE",
                    pick("IDV_IP_SIGN_IN_PER_MINUTE", &file.ip_sign_in_per_minute),
                    10,
                )?,
            )?,
            trusted_proxies: parse_cidrs_for(
                "IDV_TRUSTED_PROXIES",
                &pick("IDV_TRUSTED_PROXIES", &file.trusted_proxies).unwrap_or_default(),
            )?,
            ip_limits_exempt: parse_cidrs_for(
                "IDV_IP_LIMITS_EXEMPT",
                &pick("IDV_IP_LIMITS_EXEMPT", &file.ip_limits_exempt).unwrap_or_default(),
            )?,
        };
        for (name, d) in [
            ("IDV_HEADER_READ_TIMEOUT", guard.header_read_timeout),
            ("IDV_BODY_RATE_WINDOW", guard.body_rate_window),
        ] {
            if d.is_zero() {
                return Err(ConfigError::new(name, "must be more than 0"));
            }
        }

        Ok(Self {
            guard,
            api_rate_limit,
            webhooks,
            verifier_mode,
            openai,
            models_dir,
            scoring_concurrency,
            scoring_queue_timeout,
            match_threshold,
            mismatch_threshold,
            storage,
            link_ttl,
            retention,
            retention_sweep_interval,
            max_video_bytes,
            max_photo_bytes,
            max_image_pixels,
            media_timeout,
            capture_token_ttl,
            data_dir,
            database_url: Secret::new(database_url),
            db_max_connections,
            db_connect_timeout,
            public_url,
            public_url_is_default,
            log_format,
            secret_key,
            key_rotation_grace,
            shutdown_timeout,
            leptos,
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
    let parsed = url::Url::parse(url)
        .map_err(|e| ConfigError::new("DATABASE_URL", format!("cannot parse it: {e}")))?;
    match parsed.scheme() {
        "sqlite" | "postgres" | "postgresql" => Ok(()),
        other => Err(ConfigError::new(
            "DATABASE_URL",
            format!("scheme `{other}` is not supported (use sqlite:// or postgres://)"),
        )),
    }
}

fn at_least_one<T: PartialEq + From<u8>>(name: &str, v: T) -> Result<T, ConfigError> {
    if v == T::from(0) {
        return Err(ConfigError::new(name, "must be at least 1"));
    }
    Ok(v)
}

fn parse_num<T: std::str::FromStr>(
    name: &str,
    value: Option<String>,
    default: T,
) -> Result<T, ConfigError>
where
    T::Err: fmt::Display,
{
    match value {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse()
            .map_err(|e| ConfigError::new(name, format!("`{v}`: {e}"))),
    }
}

/// Durations as `30s`, `5m`, `2h`, `7d` (humantime syntax).
pub fn parse_duration(
    name: &str,
    value: Option<String>,
    default: &str,
) -> Result<Duration, ConfigError> {
    let v = value.unwrap_or_else(|| default.to_string());
    humantime::parse_duration(v.trim()).map_err(|e| ConfigError::new(name, format!("`{v}`: {e}")))
}

/// Leptos site settings: Leptos.toml, with the process's `LEPTOS_*` variables on top (leptos
/// reads those itself; cargo-leptos sets them all when it runs the binary, the build scripts
/// set `LEPTOS_OUTPUT_NAME` to the value the file has).
fn load_leptos_options(path: Option<String>) -> Result<LeptosOptions, ConfigError> {
    let explicit = path.is_some();
    let path = path.unwrap_or_else(|| DEFAULT_LEPTOS_CONFIG.to_string());
    if !Path::new(&path).exists() {
        if explicit {
            return Err(ConfigError::new(
                "IDV_LEPTOS_CONFIG",
                format!("{path} does not exist"),
            ));
        }
        // Run from another folder without the file: the same values as the shipped Leptos.toml.
        return leptos_options_from_str(
            include_str!("../../../Leptos.toml"),
            "Leptos.toml (built in)",
        );
    }
    let text = std::fs::read_to_string(&path)
        .map_err(|e| ConfigError::new("IDV_LEPTOS_CONFIG", format!("cannot read {path}: {e}")))?;
    leptos_options_from_str(&text, &path)
}

pub fn leptos_options_from_str(text: &str, origin: &str) -> Result<LeptosOptions, ConfigError> {
    leptos::config::get_config_from_str(text)
        .map_err(|e| ConfigError::new("IDV_LEPTOS_CONFIG", format!("{origin}: {e}")))
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
