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

/// The guide's error envelope: `{"success": false, "error": "<message>"}`.
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
}
