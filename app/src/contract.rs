//! The partner contract (`integration-guide.txt`): wire types and the exact error messages.
//! Every promise the guide makes about names and messages lives here, in one place.

use serde::{Deserialize, Serialize};

/// The guide's error messages, word for word. Partners match on these strings.
pub mod messages {
    pub const API_KEY_REQUIRED: &str = "API key is required";
    pub const USER_IDENTIFIER_REQUIRED: &str = "User identifier is required";
    pub const INVALID_API_KEY: &str = "Invalid API key";
    pub const FILES_REQUIRED: &str = "Both selfie video and ID photo are required";
    pub const PROCESSING_FAILED: &str = "Verification processing failed";
}

/// Messages of our own endpoints (`/v1`, the dashboard): not the guide's, but as stable.
pub mod api_messages {
    /// A capture key (`idv_live_…`/`idv_test_…`) where a secret key is needed.
    pub const SECRET_KEY_REQUIRED: &str = "A secret API key is required (idv_sk_live_… or idv_sk_test_…); capture keys (idv_live_…, idv_test_…) only open the capture page and submit checks";
}

/// The guide's error envelope: `{"success": false, "error": "<message>"}`.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ErrorBody {
    pub success: bool,
    pub error: String,
}

impl ErrorBody {
    pub fn new(error: impl Into<String>) -> Self {
        Self {
            success: false,
            error: error.into(),
        }
    }
}

/// A partner's look on the capture page.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Theme {
    pub display_name: String,
    /// `#rrggbb`
    pub primary_color: String,
    /// `#rrggbb`
    pub accent_color: String,
    pub logo_url: Option<String>,
}

/// What the capture page needs to render, produced server-side by `GET /verif/`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CapturePageData {
    pub theme: Theme,
    pub user_identifier: String,
    /// Single-use token the page submits with instead of the partner's API key.
    pub capture_token: String,
    /// When the token expires (epoch ms); the open page renews it before then.
    pub expires_at: i64,
    /// The partner's allowed origins: the only targets of the page's `postMessage` events.
    pub allowed_origins: Vec<String>,
    /// Where the user goes when done (`check_id` and `status` are added); already checked
    /// against the allowed origins.
    pub redirect_url: Option<String>,
    /// Upload limits, checked in the browser before sending.
    pub max_video_bytes: u64,
    pub max_photo_bytes: u64,
    /// How long the files are kept, in days (for the consent text).
    pub retention_days: u64,
}

/// `verified`, `rejected`, or `review` (a human decides).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Verified,
    Rejected,
    Review,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Verified => "verified",
            Self::Rejected => "rejected",
            Self::Review => "review",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "verified" => Some(Self::Verified),
            "rejected" => Some(Self::Rejected),
            "review" => Some(Self::Review),
            _ => None,
        }
    }
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ConfidenceLevel {
    High,
    Medium,
    Low,
}

impl ConfidenceLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::High => "high",
            Self::Medium => "medium",
            Self::Low => "low",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "high" => Some(Self::High),
            "medium" => Some(Self::Medium),
            "low" => Some(Self::Low),
            _ => None,
        }
    }
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileRef {
    pub url: String,
    #[serde(rename = "fileName")]
    pub file_name: String,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Files {
    #[serde(rename = "selfieVideo")]
    pub selfie_video: FileRef,
    #[serde(rename = "idPhoto")]
    pub id_photo: FileRef,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FaceComparison {
    #[serde(rename = "isIdentical")]
    pub is_identical: bool,
    /// 0..1
    pub confidence: f64,
    /// 0..100
    #[serde(rename = "similarityScore")]
    pub similarity_score: u32,
    pub method: String,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct VerificationAssessment {
    /// 0..100
    #[serde(rename = "overallScore")]
    pub overall_score: u32,
    #[serde(rename = "verificationStatus")]
    pub verification_status: Status,
    #[serde(rename = "confidenceLevel")]
    pub confidence_level: ConfidenceLevel,
    pub summary: String,
    /// Stable machine codes (README: "Risk factors").
    #[serde(rename = "riskFactors")]
    pub risk_factors: Vec<String>,
}

/// The guide's `result` object.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct VerificationResult {
    #[serde(rename = "sessionId")]
    pub session_id: String,
    /// RFC 3339 UTC with milliseconds and `Z`.
    pub timestamp: String,
    pub files: Files,
    #[serde(rename = "faceComparison")]
    pub face_comparison: FaceComparison,
    #[serde(rename = "verificationAssessment")]
    pub verification_assessment: VerificationAssessment,
    pub status: Status,
}

/// `POST /verif/submit` success body.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SubmitSuccess {
    pub success: bool,
    pub check_id: String,
    pub result: VerificationResult,
}

/// What `POST /verif/submit` answers: the result, or the guide's error envelope.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum SubmitReply {
    Ok(Box<SubmitSuccess>),
    Err(ErrorBody),
}
