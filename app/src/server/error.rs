//! One error type for every HTTP-facing failure, each variant with its status. Bodies are the
//! guide's envelope `{"success": false, "error": "…"}`. Internal errors are logged once, with
//! their cause chain, and answered with a generic message.

use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

use crate::contract::{ErrorBody, messages};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// 422 with the plain envelope (an `Idempotency-Key` used with another request).
    #[error("{0}")]
    Unprocessable(String),
    #[error("{0}")]
    Gone(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("service busy")]
    Unavailable { retry_after_secs: u64 },
    /// 503 with its own message (e.g. the upload spool is full).
    #[error("{message}")]
    Busy {
        message: String,
        retry_after_secs: u64,
    },
    /// 429: a per-IP or per-key limit.
    #[error("{message}")]
    TooManyRequests {
        message: String,
        retry_after_secs: u64,
    },
    /// 408: the client sent its request too slowly.
    #[error("{0}")]
    RequestTimeout(String),
    /// 422: a capture link's recording did not follow its challenge; the page records again
    /// with the new challenge the body carries (`ChallengeRetryBody`). No check was made.
    #[error("{message}")]
    ChallengeRetry {
        message: String,
        challenge: crate::challenge::Challenge,
        attempts_left: u32,
    },
    /// A failure of ours. `context` says what was being done (e.g. the check id).
    #[error("{context}")]
    Internal {
        context: String,
        source: anyhow::Error,
    },
}

impl AppError {
    pub fn bad_request(msg: impl Into<String>) -> Self {
        Self::BadRequest(msg.into())
    }
    pub fn internal(context: impl Into<String>, source: impl Into<anyhow::Error>) -> Self {
        Self::Internal {
            context: context.into(),
            source: source.into(),
        }
    }
    pub fn invalid_api_key() -> Self {
        Self::Unauthorized(messages::INVALID_API_KEY.into())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Gone(_) => StatusCode::GONE,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Unavailable { .. } | Self::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            Self::ChallengeRetry { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The message a client sees.
    pub fn public_message(&self) -> String {
        match self {
            Self::Internal { .. } => messages::PROCESSING_FAILED.into(),
            Self::Unavailable { .. } => "The service is busy; retry shortly".into(),
            other => other.to_string(),
        }
    }

    /// Seconds for `Retry-After`, for the answers that carry one.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Self::Unavailable { retry_after_secs }
            | Self::Busy {
                retry_after_secs, ..
            }
            | Self::TooManyRequests {
                retry_after_secs, ..
            } => Some(*retry_after_secs),
            _ => None,
        }
    }

    /// The 422 body of [`AppError::ChallengeRetry`] (an error envelope with the new challenge).
    pub fn challenge_retry_body(&self) -> Option<crate::contract::ChallengeRetryBody> {
        let Self::ChallengeRetry {
            message,
            challenge,
            attempts_left,
        } = self
        else {
            return None;
        };
        Some(crate::contract::ChallengeRetryBody {
            success: false,
            error: message.clone(),
            code: crate::contract::CHALLENGE_RETRY.into(),
            challenge: challenge.clone(),
            attempts_left: *attempts_left,
        })
    }

    pub fn log(&self) {
        if let Self::Internal { context, source } = self {
            super::observe::internal_error(source);
            tracing::error!(error = format!("{source:#}"), "{context}");
        }
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        Self::internal("database error", e)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        if let Some(body) = self.challenge_retry_body() {
            return (self.status(), Json(body)).into_response();
        }
        let mut resp = (self.status(), Json(ErrorBody::new(self.public_message()))).into_response();
        if let Some(secs) = self.retry_after() {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if matches!(self, Self::RequestTimeout(_)) {
            resp.headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        resp
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// A reqwest error as text for logs and attempt records: its kind and innermost cause, without
/// the URL (a URL may carry a secret in its query).
pub fn reqwest_error_text(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_redirect() {
        "redirect"
    } else if e.is_decode() {
        "bad body"
    } else {
        "request error"
    };
    let mut source = std::error::Error::source(e);
    let mut detail = String::new();
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}: {detail}")
    }
}

/// A `Retry-After` header of an answer we received, in seconds or as an HTTP date.
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<std::time::Duration> {
    let v = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(std::time::Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let ms = at.timestamp_millis() - chrono::Utc::now().timestamp_millis();
    Some(std::time::Duration::from_millis(ms.max(0) as u64))
}
