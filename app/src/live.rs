//! The live recording's channel (`GET /verif/live`, a WebSocket): the messages the capture
//! page and the server exchange while a selfie video is recorded and streamed, so that the
//! server can send each liveness prompt only when it is due, on its own clock. The server's
//! side is `server::live`; README ("The live recording") documents the protocol for clients
//! that draw their own screen.
//!
//! Text frames are JSON objects tagged by `"t"`; binary frames are one [`Kind`] byte and the
//! bytes of that file, appended in order.

use serde::{Deserialize, Serialize};

use crate::challenge::Prompt;

/// What a binary frame carries (its first byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    /// A piece of the recording (a MediaRecorder chunk), in order.
    Video = 1,
    /// A piece of the ID photo.
    IdPhoto = 2,
    /// A piece of the ID photo's back side.
    IdPhotoBack = 3,
}

impl Kind {
    pub fn from_byte(b: u8) -> Option<Self> {
        match b {
            1 => Some(Self::Video),
            2 => Some(Self::IdPhoto),
            3 => Some(Self::IdPhotoBack),
            _ => None,
        }
    }
}

/// The largest binary frame a client may send (kind byte included).
pub const MAX_FRAME_BYTES: usize = 256 * 1024 + 1;
/// The largest text frame.
pub const MAX_TEXT_BYTES: usize = 4 * 1024;

/// From the page to the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum ClientMsg {
    /// First, within the server's hello timeout: the capture link's token, and what the
    /// multipart upload's text fields would carry.
    Hello {
        token: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        document_type: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        user_email: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        user_phone: Option<String>,
        /// The user asked for reduced motion: the screen's colours change more slowly.
        #[serde(default)]
        reduced_motion: bool,
    },
    /// The ID photo(s) are sent and the camera runs: the server may start a recording.
    Ready,
    /// The recorder's last chunk is sent: score the recording.
    End,
    /// The page's own clock (milliseconds since its recorder started) when a prompt showed:
    /// a hint for the log, never evidence.
    Shown { seq: u32, media_ms: u32 },
}

/// From the server to the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum ServerMsg {
    /// The token is good: send the ID photo(s), then `ready`.
    Welcome {
        max_video_bytes: u64,
        max_photo_bytes: u64,
        /// Recordings this link has left, this one included.
        attempts_left: u32,
    },
    /// Start the recorder now (chunks of `timeslice_ms`); it lasts `record_ms`. No prompt is
    /// known to the client before this.
    Record { record_ms: u32, timeslice_ms: u32 },
    /// Show this prompt now (and announce it).
    Prompt { seq: u32, prompt: Prompt },
    /// Fill the screen around the preview with this colour now (sRGB).
    Light { seq: u32, rgb: [u8; 3] },
    /// Stop the recorder, send its last chunk, then `end`.
    Stop,
    /// The recording is being scored.
    Processing,
    /// The verdict: the guide's JSON answer of `POST /verif/submit` (`success`, `check_id`,
    /// `result`).
    Result { body: serde_json::Value },
    /// The recording did not follow its prompts and the link has recordings left: the photos
    /// are kept; send `ready` for a new recording with new prompts.
    Retry { message: String, attempts_left: u32 },
    /// What `POST /verif/submit` would answer with this status; the socket closes after it.
    Error {
        status: u16,
        error: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after: Option<u64>,
    },
}
