//! The partner contract (`integration-guide.txt`): wire types and the exact error messages.
//! Every promise the guide makes about names and messages lives here, in one place.

use serde::{Deserialize, Serialize};

use crate::i18n::{Msg, PageText};

/// The guide's error messages, word for word. Partners match on these strings.
pub mod messages {
    pub const API_KEY_REQUIRED: &str = "API key is required";
    pub const USER_IDENTIFIER_REQUIRED: &str = "User identifier is required";
    pub const INVALID_API_KEY: &str = "Invalid API key";
    /// 409: another submission holds the capture link (or a node that died did, for up to a
    /// minute): the page offers a retry.
    pub const LINK_IN_USE: &str =
        "This verification link is being used by another submission; wait for its result";
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

/// `code` of a [`ChallengeRetryBody`].
pub const CHALLENGE_RETRY: &str = "challenge_retry";
/// Its `error`: what the user is told (the page shows it above the new prompts' recording).
pub const CHALLENGE_RETRY_MESSAGE: &str =
    "The recording did not follow the prompts on screen. Record again: new prompts will be shown.";

/// The 422 a capture link's submission gets when its recording did not follow the link's
/// challenge and the link has recordings left: no check was made, and the page records again
/// with `challenge`. An addition for the capture page (the guide's key-and-user submissions
/// have no challenge and never get it); `success` and `error` are as in [`ErrorBody`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ChallengeRetryBody {
    pub success: bool,
    pub error: String,
    pub code: String,
    pub challenge: crate::challenge::Challenge,
    pub attempts_left: u32,
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
    /// The liveness challenge the page shows while recording (links made before challenges
    /// existed have none).
    #[serde(default)]
    pub challenge: Option<crate::challenge::Challenge>,
    /// The bitrate the page asks MediaRecorder for (`IDV_CAPTURE_VIDEO_BITRATE`; 0: the
    /// browser's own).
    #[serde(default)]
    pub video_bits_per_second: u32,
    /// The partner's help page for users who cannot use the camera.
    #[serde(default)]
    pub help_url: Option<String>,
    /// The page's words in the language chosen for this user (`i18n`); not in the JSON answer
    /// of `GET /verif/` (a client there draws its own screens).
    #[serde(default, skip_serializing_if = "PageText::is_empty")]
    pub text: PageText,
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
    /// The ID's back side, when the user sent one (`id_photo_back`; an addition).
    #[serde(
        rename = "idPhotoBack",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub id_photo_back: Option<FileRef>,
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
    /// What was read off the identity document (an addition to the guide's object): absent
    /// when no document type was chosen, no data was expected and nothing was read, and once
    /// the check is redacted or its files expire (unless the partner keeps document data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<DocumentData>,
}

/// The identity document a user photographs (`document_type` on `POST /verif/submit`).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DocumentType {
    Passport,
    IdCard,
    DrivingLicence,
}

impl DocumentType {
    pub const ALL: [DocumentType; 3] = [Self::Passport, Self::IdCard, Self::DrivingLicence];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Passport => "passport",
            Self::IdCard => "id_card",
            Self::DrivingLicence => "driving_licence",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
    /// Words for people (the page, the dashboard).
    pub fn label(self) -> &'static str {
        match self {
            Self::Passport => "Passport",
            Self::IdCard => "ID card",
            Self::DrivingLicence => "Driving licence",
        }
    }
    /// Whether the data this type carries is on the back (an ID card's zone, a licence's
    /// barcode): the page asks for that side too.
    pub fn has_back(self) -> bool {
        !matches!(self, Self::Passport)
    }
}

/// `result.document`: the identity document's data and which checks passed.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct DocumentData {
    /// What the user said they photographed, when they said.
    pub requested_type: Option<DocumentType>,
    /// Whether a machine-readable zone or a licence barcode was read.
    pub read: bool,
    /// What was read: from the zone's document code, or the barcode's subfile.
    #[serde(rename = "type")]
    pub document_type: Option<DocumentType>,
    /// `mrz_td1`, `mrz_td2`, `mrz_td3`, `mrz_visa` or `aamva_pdf417`.
    pub format: Option<String>,
    /// ICAO code of the issuing state (`GBR`), or `USA`/`CAN` for a licence.
    pub issuing_country: Option<String>,
    /// A licence's state or province (`CA`, `ON`).
    pub jurisdiction: Option<String>,
    pub document_number: Option<String>,
    pub surname: Option<String>,
    pub given_names: Option<String>,
    /// ICAO code (passports and ID cards).
    pub nationality: Option<String>,
    /// `YYYY-MM-DD`
    pub date_of_birth: Option<String>,
    /// `M`, `F` or `X` (not specified).
    pub sex: Option<String>,
    /// `YYYY-MM-DD`
    pub expiry_date: Option<String>,
    pub checks: DocumentChecks,
}

/// Each check on the document: `true` passed, `false` failed, `null` not made (nothing to
/// check it against, or the read not trustworthy enough to judge it).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct DocumentChecks {
    /// Every check digit of the zone verified (`null` for a licence: its barcode has none).
    pub check_digits: Option<bool>,
    pub not_expired: Option<bool>,
    /// The document read is the type the user chose.
    pub type_match: Option<bool>,
    /// The partner's expected name.
    pub name_match: Option<bool>,
    /// The partner's expected date of birth.
    pub date_of_birth_match: Option<bool>,
    /// The partner's minimum age.
    pub minimum_age: Option<bool>,
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
    /// 422 `challenge_retry` (before `Err`: its body is an error envelope with more fields).
    Retry(Box<ChallengeRetryBody>),
    Err(ErrorBody),
}

/// The risk factors of `verificationAssessment.riskFactors`: each code's wire string, what it
/// means, its weight in the liveness score, whether it rejects outright, and the advice the
/// capture page gives for it (only for causes the user can fix; attack signals get none). One
/// table: the decision, the dashboard, README and the page all read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RiskFactor {
    FaceMismatch,
    LowSimilarity,
    NoFaceInId,
    MultipleFacesInId,
    IdFaceTooSmall,
    IdBlurry,
    IdGlare,
    IdMatchesSelfieFrame,
    NoFaceInVideo,
    FaceNotVisible,
    MultipleFaces,
    IdentityChanged,
    LivenessChallengeFailed,
    StillImageVideo,
    VideoTooShort,
    LowLight,
    VideoUnreadable,
    Blurry,
    ScoringFailed,
    ChallengeNotFollowed,
    MotionDiscontinuous,
    ScreenOrPrintSuspected,
    ReplayedVideo,
    NoLivenessChallenge,
    NoBlink,
    DocumentUnreadable,
    DocumentCheckDigitFailed,
    DocumentExpired,
    DocumentDataMismatch,
    DocumentTypeMismatch,
    Underage,
    LivenessNotAssessed,
    SelfieMatchesIdPhoto,
    SyntheticFaceSuspected,
    RecordingNotLive,
    ScreenLightNotFollowed,
    ScreenLightNotMeasured,
}

/// One row of [`RiskFactor`]'s table.
struct RiskRow {
    /// The factor this row describes; only the order test reads it (the table is indexed by
    /// the enum's discriminant).
    #[cfg_attr(not(test), allow(dead_code))]
    factor: RiskFactor,
    code: &'static str,
    /// Points taken off the liveness score (0 to 100).
    weight: u32,
    rejects: bool,
    /// The page's advice (a message of `locales/*.ftl`).
    advice: Option<Msg>,
}

impl RiskFactor {
    pub const ALL: [RiskFactor; 37] = [
        Self::FaceMismatch,
        Self::LowSimilarity,
        Self::NoFaceInId,
        Self::MultipleFacesInId,
        Self::IdFaceTooSmall,
        Self::IdBlurry,
        Self::IdGlare,
        Self::IdMatchesSelfieFrame,
        Self::NoFaceInVideo,
        Self::FaceNotVisible,
        Self::MultipleFaces,
        Self::IdentityChanged,
        Self::LivenessChallengeFailed,
        Self::StillImageVideo,
        Self::VideoTooShort,
        Self::LowLight,
        Self::VideoUnreadable,
        Self::Blurry,
        Self::ScoringFailed,
        Self::ChallengeNotFollowed,
        Self::MotionDiscontinuous,
        Self::ScreenOrPrintSuspected,
        Self::ReplayedVideo,
        Self::NoLivenessChallenge,
        Self::NoBlink,
        Self::DocumentUnreadable,
        Self::DocumentCheckDigitFailed,
        Self::DocumentExpired,
        Self::DocumentDataMismatch,
        Self::DocumentTypeMismatch,
        Self::Underage,
        Self::LivenessNotAssessed,
        Self::SelfieMatchesIdPhoto,
        Self::SyntheticFaceSuspected,
        Self::RecordingNotLive,
        Self::ScreenLightNotFollowed,
        Self::ScreenLightNotMeasured,
    ];

    fn row(self) -> &'static RiskRow {
        &RISK_TABLE[self as usize]
    }

    /// The code on the wire (`riskFactors`), stable.
    pub fn code(self) -> &'static str {
        self.row().code
    }
    /// What it means, in plain words (summaries, the dashboard, README).
    pub fn meaning(self) -> &'static str {
        RISK_MEANINGS[self as usize]
    }
    /// Points it takes off the liveness score.
    pub fn weight(self) -> u32 {
        self.row().weight
    }
    /// Whether it rejects the check outright (else it sends it to review).
    pub fn rejects(self) -> bool {
        self.row().rejects
    }
    /// What the user can do about it, when anything.
    pub fn advice(self) -> Option<Msg> {
        self.row().advice
    }
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// [`RiskFactor`]'s table, in the enum's declaration order (a test holds them together).
const RISK_TABLE: [RiskRow; RiskFactor::ALL.len()] = [
    RiskRow {
        factor: RiskFactor::FaceMismatch,
        code: "face_mismatch",
        weight: 0,
        rejects: true,
        advice: None,
    },
    RiskRow {
        factor: RiskFactor::LowSimilarity,
        code: "low_similarity",
        weight: 0,
        rejects: false,
        advice: None,
    },
    RiskRow {
        factor: RiskFactor::NoFaceInId,
        code: "no_face_in_id",
        weight: 0,
        rejects: true,
        advice: Some(Msg::AdviceIdPhotoVisible),
    },
    RiskRow {
        factor: RiskFactor::MultipleFacesInId,
        code: "multiple_faces_in_id",
        weight: 10,
        rejects: false,
        advice: Some(Msg::AdviceIdAlone),
    },
    RiskRow {
        factor: RiskFactor::IdFaceTooSmall,
        code: "id_face_too_small",
        weight: 10,
        rejects: false,
        advice: Some(Msg::AdviceIdPhotoVisible),
    },
    RiskRow {
        factor: RiskFactor::IdBlurry,
        code: "id_blurry",
        weight: 10,
        rejects: false,
        advice: Some(Msg::AdviceIdLight),
    },
    RiskRow {
        factor: RiskFactor::IdGlare,
        code: "id_glare",
        weight: 10,
        rejects: false,
        advice: Some(Msg::AdviceIdLight),
    },
    RiskRow {
        factor: RiskFactor::IdMatchesSelfieFrame,
        code: "id_matches_selfie_frame",
        weight: 60,
        rejects: true,
        advice: None,
    },
    RiskRow {
        factor: RiskFactor::NoFaceInVideo,
        code: "no_face_in_video",
        weight: 60,
        rejects: true,
        advice: Some(Msg::AdviceFaceOval),
    },
    RiskRow {
        factor: RiskFactor::FaceNotVisible,
        code: "face_not_visible",
        weight: 20,
        rejects: false,
        advice: Some(Msg::AdviceFaceOval),
    },
    RiskRow {
        factor: RiskFactor::MultipleFaces,
        code: "multiple_faces",
        weight: 60,
        rejects: true,
        advice: Some(Msg::AdviceAlone),
    },
    RiskRow {
        factor: RiskFactor::IdentityChanged,
        code: "identity_changed",
        weight: 60,
        rejects: true,
        advice: None,
    },
    RiskRow {
        factor: RiskFactor::LivenessChallengeFailed,
        code: "liveness_challenge_failed",
        weight: 35,
        rejects: false,
        advice: Some(Msg::AdviceTurn),
    },
    RiskRow {
        factor: RiskFactor::StillImageVideo,
        code: "still_image_video",
        weight: 60,
        rejects: true,
        advice: None,
    },
    RiskRow {
        factor: RiskFactor::VideoTooShort,
        code: "video_too_short",
        weight: 20,
        rejects: false,
        advice: Some(Msg::AdviceFullVideo),
    },
    RiskRow {
        factor: RiskFactor::LowLight,
        code: "low_light",
        weight: 10,
        rejects: false,
        advice: Some(Msg::AdviceGoodLight),
    },
    RiskRow {
        factor: RiskFactor::VideoUnreadable,
        code: "video_unreadable",
        weight: 60,
        rejects: true,
        advice: Some(Msg::AdviceFullVideo),
    },
    RiskRow {
        factor: RiskFactor::Blurry,
        code: "blurry",
        weight: 10,
        rejects: false,
        advice: Some(Msg::AdviceGoodLight),
    },
    RiskRow {
        factor: RiskFactor::ScoringFailed,
        code: "scoring_failed",
        weight: 0,
        rejects: false,
        advice: None,
    },
    RiskRow {
        factor: RiskFactor::ChallengeNotFollowed,
        code: "challenge_not_followed",
        weight: 60,
        rejects: false,
        advice: Some(Msg::AdviceChallenge),
    },
    RiskRow {
        factor: RiskFactor::MotionDiscontinuous,
        code: "motion_discontinuous",
        weight: 60,
        rejects: true,
        advice: None,
    },
    RiskRow {
        factor: RiskFactor::ScreenOrPrintSuspected,
        code: "screen_or_print_suspected",
        weight: 60,
        rejects: true,
        advice: None,
    },
    RiskRow {
        factor: RiskFactor::ReplayedVideo,
        code: "replayed_video",
        weight: 60,
        rejects: true,
        advice: None,
    },
    RiskRow {
        factor: RiskFactor::NoLivenessChallenge,
        code: "no_liveness_challenge",
        weight: 40,
        rejects: false,
        advice: Some(Msg::AdviceRecordHere),
    },
    RiskRow {
        factor: RiskFactor::NoBlink,
        code: "no_blink",
        weight: 20,
        rejects: false,
        advice: None,
    },
    RiskRow {
        factor: RiskFactor::DocumentUnreadable,
        code: "document_unreadable",
        weight: 20,
        rejects: false,
        advice: Some(Msg::AdviceDocumentPhoto),
    },
    RiskRow {
        factor: RiskFactor::DocumentCheckDigitFailed,
        code: "document_check_digit_failed",
        weight: 30,
        rejects: false,
        advice: Some(Msg::AdviceDocumentPhoto),
    },
    RiskRow {
        factor: RiskFactor::DocumentExpired,
        code: "document_expired",
        weight: 0,
        rejects: true,
        advice: Some(Msg::AdviceDocumentValid),
    },
    RiskRow {
        factor: RiskFactor::DocumentDataMismatch,
        code: "document_data_mismatch",
        weight: 20,
        rejects: false,
        advice: None,
    },
    RiskRow {
        factor: RiskFactor::DocumentTypeMismatch,
        code: "document_type_mismatch",
        weight: 20,
        rejects: false,
        advice: Some(Msg::AdviceDocumentType),
    },
    RiskRow {
        factor: RiskFactor::Underage,
        code: "underage",
        weight: 0,
        rejects: true,
        advice: None,
    },
    RiskRow {
        factor: RiskFactor::LivenessNotAssessed,
        code: "liveness_not_assessed",
        weight: 60,
        rejects: false,
        advice: Some(Msg::AdviceFaceOval),
    },
    RiskRow {
        factor: RiskFactor::SelfieMatchesIdPhoto,
        code: "selfie_matches_id_photo",
        weight: 60,
        rejects: true,
        advice: None,
    },
    RiskRow {
        factor: RiskFactor::SyntheticFaceSuspected,
        code: "synthetic_face_suspected",
        weight: 60,
        rejects: false,
        advice: None,
    },
    RiskRow {
        factor: RiskFactor::RecordingNotLive,
        code: "recording_not_live",
        weight: 60,
        rejects: true,
        advice: None,
    },
    RiskRow {
        factor: RiskFactor::ScreenLightNotFollowed,
        code: "screen_light_not_followed",
        weight: 60,
        rejects: false,
        advice: None,
    },
    RiskRow {
        factor: RiskFactor::ScreenLightNotMeasured,
        code: "screen_light_not_measured",
        weight: 40,
        rejects: false,
        advice: Some(Msg::AdviceFaceOval),
    },
];

/// What each factor means, in plain words, in `RISK_TABLE`'s order: apart from the table so
/// that the capture page, which never shows them, does not carry them.
const RISK_MEANINGS: [&str; RiskFactor::ALL.len()] = [
    "the selfie and the ID show different people",
    "the selfie and the ID photo are not similar enough to decide automatically",
    "no face was found on the ID photo",
    "more than one prominent face on the ID photo",
    "the face on the ID photo is too small",
    "the ID photo is blurry",
    "glare covers the face on the ID photo",
    "the ID photo is a copy of a selfie frame",
    "no face was found in the selfie video",
    "the face is missing from many video frames",
    "more than one person appears in the selfie video",
    "the person changes during the selfie video",
    "the head-turn challenge was not completed",
    "the selfie video shows a still picture, not a live person",
    "the selfie video is too short",
    "the selfie video is too dark",
    "the selfie video could not be decoded past its start",
    "the selfie video is blurry",
    "automatic scoring failed",
    "the recording did not answer this session's prompts in their time windows and order (a recording made for another session, or prompts missed)",
    "the face jumps between neighbouring frames: the video is cut together from pictures",
    "the face turns like a flat picture, with no depth: a photo or a screen held to the camera",
    "this selfie video was already submitted in an earlier check",
    "the video was not recorded live on the capture page (the partner's own upload, or the page's upload path), so it answered no challenge; at most review",
    "no blink in a video recorded without a challenge",
    "no machine-readable zone or licence barcode could be read where the document type carries one, or none was read to check the partner's expected data against",
    "a check digit of the machine-readable zone does not match its field: the zone was altered or misread; its data is not used",
    "the document's expiry date has passed",
    "the name or date of birth on the document differs from what the partner expected",
    "the document read is not the type the user chose",
    "the date of birth on the document is below the partner's minimum age",
    "a face was found but could not be followed through enough frames to judge liveness (too small, too far turned, or mostly out of view): never verified",
    "the video's face carries the ID portrait's own pixels (its light, texture and expression): the ID photo made to move, not a second capture of the person",
    "the face's shading does not change as the head turns: one picture made to move (a re-animated photo), not a head in front of the camera; never verified",
    "the live recording arrived faster than a camera films it: a video made before its prompts were sent",
    "the face's colour did not follow the random colours the screen showed during the live recording: not a face in front of that screen at that time",
    "the screen's colours on the face could not be read (the face too small or too far, too few frames, clipped light)",
];

#[cfg(test)]
mod tests {
    use super::RiskFactor;

    /// `RISK_TABLE` is indexed by the enum's discriminant: each row must name its own factor.
    #[test]
    fn the_risk_table_is_in_the_enums_order() {
        for (i, r) in RiskFactor::ALL.into_iter().enumerate() {
            assert_eq!((r as usize, r.row().factor), (i, r), "table order");
        }
    }
}
