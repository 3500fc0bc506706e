//! Every setting, declared once: its name (the environment variable), its key in the
//! `IDV_CONFIG` file, its default, and what it is for. [`Raw`] layers them (`figment`: the
//! defaults, then the file, then the environment) and parses them by kind, every error naming
//! the setting. README's "Settings" table is checked against this list by a test.

use std::{collections::HashMap, path::PathBuf, time::Duration};

use figment::{
    Figment,
    providers::{Format, Serialized, Toml},
    value::Value,
};

use super::{ConfigError, Source};

/// One setting.
#[derive(Debug)]
pub struct Setting {
    /// The environment variable.
    pub name: &'static str,
    /// The key in the `IDV_CONFIG` file when it is not the name without `IDV_`, in lower case.
    pub file_key: Option<&'static str>,
    /// The default, as README shows it; `None` when unset or computed (`computed` says how).
    pub default: Option<&'static str>,
    pub computed: Option<&'static str>,
    /// What it is for, in a line.
    pub doc: &'static str,
}

impl Setting {
    /// The key of this setting in the `IDV_CONFIG` file.
    pub fn key(&self) -> String {
        self.file_key.map(str::to_string).unwrap_or_else(|| {
            self.name
                .strip_prefix("IDV_")
                .unwrap_or(self.name)
                .to_ascii_lowercase()
        })
    }
}

macro_rules! settings {
    ($($id:ident = $name:literal, $default:expr, $doc:literal $(, computed = $computed:literal)? $(, key = $key:literal)?;)*) => {
        $(
            #[doc = $doc]
            pub const $id: Setting = Setting {
                name: $name,
                file_key: settings!(@opt $($key)?),
                default: $default,
                computed: settings!(@opt $($computed)?),
                doc: $doc,
            };
        )*
        /// Every setting, in README's order.
        pub const ALL: &[&Setting] = &[$(&$id),*];
    };
    (@opt $v:literal) => { Some($v) };
    (@opt) => { None };
}

settings! {
    CONFIG = "IDV_CONFIG", None, "path of a TOML settings file";
    DATA_DIR = "IDV_DATA_DIR", Some("./data"), "SQLite file, local uploads and the generated secret.key";
    DATABASE_URL = "DATABASE_URL", None, "sqlite://… or postgres://…", computed = "sqlite://<data dir>/idv.db?mode=rwc", key = "database_url";
    DB_MAX_CONNECTIONS = "IDV_DB_MAX_CONNECTIONS", Some("10"), "database pool size";
    DB_CONNECT_TIMEOUT = "IDV_DB_CONNECT_TIMEOUT", Some("10s"), "how long opening the database may wait";
    PUBLIC_URL = "IDV_PUBLIC_URL", None, "base of every absolute URL handed out", computed = "http://<listen address>/";
    SECRET_KEY = "IDV_SECRET_KEY", None, "base64 of 32 bytes: encrypts stored secrets, signs links", computed = "generated into `<data dir>/secret.key`";
    KEY_ROTATION_GRACE = "IDV_KEY_ROTATION_GRACE", Some("24h"), "how long a rotated-out key keeps working";
    SHUTDOWN_TIMEOUT = "IDV_SHUTDOWN_TIMEOUT", Some("30s"), "how long a stop waits for in-flight requests";
    LOG_FORMAT = "IDV_LOG_FORMAT", Some("text"), "text or json";
    METRICS_TOKEN = "IDV_METRICS_TOKEN", None, "bearer token of GET /metrics on the listen address (no token: no /metrics there)";
    METRICS_ADDR = "IDV_METRICS_ADDR", None, "a separate address serving GET /metrics without a token (e.g. 127.0.0.1:9464)";
    OTLP_ENDPOINT = "IDV_OTLP_ENDPOINT", None, "OTLP/HTTP collector base URL for traces (http://127.0.0.1:4318)", computed = "OTEL_EXPORTER_OTLP_ENDPOINT, else traces are off";
    LEPTOS_CONFIG = "IDV_LEPTOS_CONFIG", Some("Leptos.toml"), "the Leptos site settings file";
    SITE_ADDR = "LEPTOS_SITE_ADDR", None, "listen address", computed = "127.0.0.1:3000", key = "site_addr";
    STORAGE = "IDV_STORAGE", Some("local"), "local or azure";
    AZURE_CONNECTION_STRING = "IDV_AZURE_CONNECTION_STRING", None, "AccountName=…;AccountKey=…[;BlobEndpoint=…]";
    AZURE_ACCOUNT = "IDV_AZURE_ACCOUNT", None, "storage account";
    AZURE_ACCESS_KEY = "IDV_AZURE_ACCESS_KEY", None, "storage account key";
    AZURE_ENDPOINT = "IDV_AZURE_ENDPOINT", None, "blob endpoint", computed = "Azure public cloud";
    AZURE_CONTAINER = "IDV_AZURE_CONTAINER", Some("idv"), "container";
    LINK_TTL = "IDV_LINK_TTL", Some("1h"), "lifetime of every file link";
    RETENTION = "IDV_RETENTION", Some("7d"), "files are deleted this long after a check completes";
    RETENTION_SWEEP_INTERVAL = "IDV_RETENTION_SWEEP_INTERVAL", Some("5m"), "how often the sweeper runs";
    MAX_VIDEO_BYTES = "IDV_MAX_VIDEO_BYTES", Some("52428800"), "selfie_video limit";
    MAX_PHOTO_BYTES = "IDV_MAX_PHOTO_BYTES", Some("15728640"), "id_photo limit";
    MAX_IMAGE_PIXELS = "IDV_MAX_IMAGE_PIXELS", Some("60000000"), "larger images are refused from their header";
    MEDIA_TIMEOUT = "IDV_MEDIA_TIMEOUT", Some("20s"), "time limit of each ffprobe/ffmpeg run";
    CAPTURE_TOKEN_TTL = "IDV_CAPTURE_TOKEN_TTL", Some("30m"), "lifetime of the capture page's token";
    CAPTURE_VIDEO_BITRATE = "IDV_CAPTURE_VIDEO_BITRATE", Some("800000"), "bits per second the capture page asks MediaRecorder for";
    CHALLENGE_ATTEMPTS = "IDV_CHALLENGE_ATTEMPTS", Some("3"), "recordings a capture link may make, each with a new challenge, before a failed one is final";
    USER_ATTEMPTS_PER_HOUR = "IDV_USER_ATTEMPTS_PER_HOUR", Some("10"), "checks and challenge retries per user identifier per hour, across capture links";
    MODELS_DIR = "IDV_MODELS_DIR", Some("./models"), "YuNet and SFace ONNX files";
    SCORING_CONCURRENCY = "IDV_SCORING_CONCURRENCY", None, "submissions scored at once", computed = "number of cores";
    SCORING_QUEUE_TIMEOUT = "IDV_SCORING_QUEUE_TIMEOUT", Some("30s"), "wait for a scoring or media slot before 503";
    MATCH_THRESHOLD = "IDV_MATCH_THRESHOLD", Some("0.45"), "cosine similarity at or above which faces match";
    MISMATCH_THRESHOLD = "IDV_MISMATCH_THRESHOLD", Some("0.40"), "below it: face_mismatch";
    API_RATE_LIMIT = "IDV_API_RATE_LIMIT", Some("600"), "partner API requests per key per minute";
    RATE_LIMITS = "IDV_RATE_LIMITS", Some("shared"), "where the API and per-IP limits are counted: shared (the database, across nodes) or process (each node its own)";
    IP_SUBMIT_PER_MINUTE = "IDV_IP_SUBMIT_PER_MINUTE", Some("60"), "submissions per client IP per minute";
    IP_PAGE_PER_MINUTE = "IDV_IP_PAGE_PER_MINUTE", Some("120"), "capture-page loads per client IP per minute";
    IP_SIGN_IN_PER_MINUTE = "IDV_IP_SIGN_IN_PER_MINUTE", Some("10"), "dashboard sign-ins per client IP per minute";
    IP_API_PER_MINUTE = "IDV_IP_API_PER_MINUTE", Some("60"), "partner API requests without a valid key per client IP per minute";
    IP_LIMITS_EXEMPT = "IDV_IP_LIMITS_EXEMPT", None, "client networks the per-IP limits do not apply to";
    TRUSTED_PROXIES = "IDV_TRUSTED_PROXIES", None, "reverse proxies whose X-Forwarded-For names the client";
    MAX_CONCURRENT_UPLOADS = "IDV_MAX_CONCURRENT_UPLOADS", Some("64"), "submissions received at once";
    MAX_UNAUTHENTICATED_UPLOADS = "IDV_MAX_UNAUTHENTICATED_UPLOADS", Some("8"), "submissions received at once whose files came before their credentials";
    MAX_UPLOADS_PER_ADDRESS = "IDV_MAX_UPLOADS_PER_ADDRESS", Some("8"), "submissions and live recordings in progress at once per client address";
    SPOOL_MAX_BYTES = "IDV_SPOOL_MAX_BYTES", Some("2147483648"), "disk all uploads being received may hold";
    MEDIA_CONCURRENCY = "IDV_MEDIA_CONCURRENCY", None, "probes and decodes at once", computed = "number of cores";
    HEADER_READ_TIMEOUT = "IDV_HEADER_READ_TIMEOUT", Some("20s"), "time to send a request head; idle keep-alive limit";
    BODY_MIN_RATE = "IDV_BODY_MIN_RATE", Some("2048"), "bytes per second a request body must keep up";
    BODY_RATE_WINDOW = "IDV_BODY_RATE_WINDOW", Some("30s"), "the window of the minimum body rate";
    BODY_TIMEOUT = "IDV_BODY_TIMEOUT", Some("10m"), "time a request body may take in all";
    WEBHOOK_RETRY_SCHEDULE = "IDV_WEBHOOK_RETRY_SCHEDULE", Some("0s,5s,5m,30m,2h,5h,10h,10h"), "delay before each attempt";
    WEBHOOK_TIMEOUT = "IDV_WEBHOOK_TIMEOUT", Some("10s"), "per attempt, connection included";
    WEBHOOK_CONCURRENCY = "IDV_WEBHOOK_CONCURRENCY", Some("32"), "deliveries in flight at once";
    WEBHOOK_POLL_INTERVAL = "IDV_WEBHOOK_POLL_INTERVAL", Some("1s"), "how often a dispatcher looks for due deliveries";
    WEBHOOK_ALLOWED_CIDRS = "IDV_WEBHOOK_ALLOWED_CIDRS", None, "non-public networks webhooks may reach";
    WEBHOOK_DISPATCH = "IDV_WEBHOOK_DISPATCH", Some("true"), "whether idv serve delivers webhooks";
    VERIFIER = "IDV_VERIFIER", Some("local"), "local, openai or both";
    OPENAI_BASE_URL = "IDV_OPENAI_BASE_URL", None, "the OpenAI-compatible API root";
    OPENAI_MODEL = "IDV_OPENAI_MODEL", Some("gpt-4o"), "a vision model";
    OPENAI_API_KEY = "IDV_OPENAI_API_KEY", None, "sent as a Bearer token";
    OPENAI_TIMEOUT = "IDV_OPENAI_TIMEOUT", Some("30s"), "per request";
    OPENAI_RETRIES = "IDV_OPENAI_RETRIES", Some("2"), "further attempts";
}

/// The layered values of every setting, as text (defaults, then the file, then the
/// environment), with parsers that name the setting in their errors.
#[derive(Debug)]
pub struct Raw {
    values: HashMap<&'static str, String>,
    /// Settings given by the file or the environment (not defaulted).
    given: std::collections::HashSet<&'static str>,
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(_, s) => Some(s.clone()),
        Value::Char(_, c) => Some(c.to_string()),
        Value::Bool(_, b) => Some(b.to_string()),
        Value::Num(_, n) => n
            .to_i128()
            .map(|i| i.to_string())
            .or_else(|| n.to_f64().map(|f| f.to_string())),
        Value::Empty(..) | Value::Dict(..) | Value::Array(..) => None,
    }
}

impl Raw {
    pub fn load(env: &dyn Source) -> Result<Self, ConfigError> {
        let keyed = |pairs: Vec<(String, String)>| {
            pairs
                .into_iter()
                .collect::<std::collections::BTreeMap<String, String>>()
        };
        let defaults = keyed(
            ALL.iter()
                .filter_map(|s| s.default.map(|d| (s.key(), d.to_string())))
                .collect(),
        );
        let mut figment = Figment::new().merge(Serialized::defaults(defaults));
        let mut given = std::collections::HashSet::new();
        if let Some(path) = env.get(CONFIG.name) {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| ConfigError::new(CONFIG.name, format!("cannot read {path}: {e}")))?;
            let file = Figment::from(Toml::string(&text));
            let keys: std::collections::BTreeMap<String, Value> = file
                .extract()
                .map_err(|e| ConfigError::new(CONFIG.name, format!("{path}: {e}")))?;
            for key in keys.keys() {
                let setting = ALL.iter().find(|s| &s.key() == key).ok_or_else(|| {
                    ConfigError::new(CONFIG.name, format!("{path}: unknown key `{key}`"))
                })?;
                given.insert(setting.name);
            }
            figment = figment.merge(file);
        }
        let from_env = keyed(
            ALL.iter()
                .filter_map(|s| env.get(s.name).map(|v| (s.key(), v)))
                .collect(),
        );
        given.extend(
            ALL.iter()
                .filter(|s| env.get(s.name).is_some())
                .map(|s| s.name),
        );
        figment = figment.merge(Serialized::defaults(from_env));
        let merged: std::collections::BTreeMap<String, Value> = figment
            .extract()
            .map_err(|e| ConfigError::new(CONFIG.name, e.to_string()))?;
        let mut values = HashMap::new();
        for (key, value) in merged {
            let Some(setting) = ALL.iter().find(|s| s.key() == key) else {
                return Err(ConfigError::new(
                    CONFIG.name,
                    format!("unknown key `{key}`"),
                ));
            };
            let text = text_of(&value).ok_or_else(|| {
                ConfigError::new(setting.name, format!("`{key}` must be a single value"))
            })?;
            values.insert(setting.name, text);
        }
        Ok(Self { values, given })
    }

    /// The value when the file or the environment gives it (not a default).
    pub fn explicit(&self, s: &Setting) -> Option<String> {
        self.given.contains(s.name).then(|| self.get(s)).flatten()
    }

    /// The value, when set (or defaulted).
    pub fn get(&self, s: &Setting) -> Option<String> {
        self.values
            .get(s.name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    /// The value of a setting that has a default.
    pub fn text(&self, s: &Setting) -> String {
        self.get(s)
            .or_else(|| s.default.map(str::to_string))
            .unwrap_or_default()
    }

    pub fn path(&self, s: &Setting) -> PathBuf {
        PathBuf::from(self.text(s))
    }

    /// A number; `computed` stands in when the setting has no declared default.
    pub fn num<T: std::str::FromStr>(
        &self,
        s: &Setting,
        computed: Option<T>,
    ) -> Result<T, ConfigError>
    where
        T::Err: std::fmt::Display,
    {
        match self.get(s) {
            Some(v) => v
                .parse()
                .map_err(|e| ConfigError::new(s.name, format!("`{v}`: {e}"))),
            None => computed.ok_or_else(|| ConfigError::new(s.name, "is required")),
        }
    }

    /// A whole number of at least 1.
    pub fn count<T: std::str::FromStr + PartialEq + From<u8>>(
        &self,
        s: &Setting,
        computed: Option<T>,
    ) -> Result<T, ConfigError>
    where
        T::Err: std::fmt::Display,
    {
        let v = self.num(s, computed)?;
        if v == T::from(0) {
            return Err(ConfigError::new(s.name, "must be at least 1"));
        }
        Ok(v)
    }

    /// A duration like `30s`, `5m`, `2h`, `7d`.
    pub fn duration(&self, s: &Setting) -> Result<Duration, ConfigError> {
        parse_duration(s.name, &self.text(s))
    }

    /// A duration that must be more than zero.
    pub fn positive_duration(&self, s: &Setting) -> Result<Duration, ConfigError> {
        let d = self.duration(s)?;
        if d.is_zero() {
            return Err(ConfigError::new(s.name, "must be more than 0"));
        }
        Ok(d)
    }

    /// `true`/`false` (also `1`/`0`, `on`/`off`).
    pub fn flag(&self, s: &Setting) -> Result<bool, ConfigError> {
        match self.text(s).as_str() {
            "true" | "1" | "on" => Ok(true),
            "false" | "0" | "off" => Ok(false),
            other => Err(ConfigError::new(
                s.name,
                format!("`{other}` is not true or false"),
            )),
        }
    }

    /// One of `choices`.
    pub fn choice<T: Copy>(&self, s: &Setting, choices: &[(&str, T)]) -> Result<T, ConfigError> {
        let v = self.text(s);
        choices
            .iter()
            .find(|(name, _)| *name == v)
            .map(|(_, t)| *t)
            .ok_or_else(|| {
                let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
                ConfigError::new(s.name, format!("`{v}` is not one of {}", names.join(", ")))
            })
    }

    /// Comma-separated networks (`10.0.0.0/8`) or addresses.
    pub fn networks(&self, s: &Setting) -> Result<Vec<ipnet::IpNet>, ConfigError> {
        self.get(s)
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                p.parse::<ipnet::IpNet>()
                    .or_else(|_| p.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| {
                        ConfigError::new(
                            s.name,
                            format!("`{p}` is not a network such as 127.0.0.0/8 or an address"),
                        )
                    })
            })
            .collect()
    }

    /// An absolute http(s) URL.
    pub fn http_url(&self, s: &Setting) -> Result<Option<url::Url>, ConfigError> {
        let Some(v) = self.get(s) else {
            return Ok(None);
        };
        let url =
            url::Url::parse(&v).map_err(|e| ConfigError::new(s.name, format!("`{v}`: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(ConfigError::new(s.name, "must be an http(s) URL"));
        }
        Ok(Some(url))
    }
}

/// A duration like `30s`, `5m`, `2h`, `7d`; errors name the setting.
pub fn parse_duration(name: &str, v: &str) -> Result<Duration, ConfigError> {
    humantime::parse_duration(v.trim()).map_err(|e| ConfigError::new(name, format!("`{v}`: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// README's "Settings" rows: (names in the first cell, the default cell).
    fn readme_rows() -> Vec<(Vec<String>, String)> {
        let readme = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"),
        )
        .unwrap();
        let start = readme.find("### Settings").expect("a Settings section");
        let section = &readme[start..];
        let end = section[4..].find("\n#").map_or(section.len(), |e| e + 4);
        section[..end]
            .lines()
            .filter(|l| l.starts_with("| `"))
            .map(|l| {
                let cells: Vec<&str> = l.trim_matches('|').split(" | ").collect();
                let names = cells[0]
                    .split('`')
                    .skip(1)
                    .step_by(2)
                    .map(str::to_string)
                    .collect();
                (names, cells.get(1).copied().unwrap_or("").to_string())
            })
            .collect()
    }

    #[test]
    fn readme_lists_every_setting_with_its_default() {
        let rows = readme_rows();
        for s in ALL {
            let (_, default) = rows
                .iter()
                .find(|(names, _)| names.iter().any(|n| n == s.name))
                .unwrap_or_else(|| panic!("README's Settings table has no row for {}", s.name));
            match (s.default, s.computed) {
                (Some(d), _) | (None, Some(d)) => {
                    assert!(
                        default.contains(d),
                        "{}: README says {default}, the default is {d}",
                        s.name
                    )
                }
                (None, None) => assert!(
                    default.contains("(none)") || default.contains('—'),
                    "{}: README says {default}, there is no default",
                    s.name
                ),
            }
        }
        // and README documents nothing that does not exist
        for (names, _) in &rows {
            for n in names.iter().filter(|n| n.starts_with("IDV_")) {
                assert!(
                    ALL.iter().any(|s| s.name == n),
                    "README documents {n}, which is not a setting"
                );
            }
        }
    }

    #[test]
    fn each_setting_has_its_own_name_and_key() {
        for (i, a) in ALL.iter().enumerate() {
            for b in &ALL[i + 1..] {
                assert_ne!(a.name, b.name);
                assert_ne!(a.key(), b.key());
            }
        }
        assert_eq!(DATABASE_URL.key(), "database_url");
        assert_eq!(MAX_VIDEO_BYTES.key(), "max_video_bytes");
    }
}
