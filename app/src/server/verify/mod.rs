//! Scoring: does the live person in the selfie video match the face on the ID? A backend
//! implements [`Verifier`]; the service holds one and calls it for each submission, on a bounded
//! number of slots so that overload queues (then sheds with 503) instead of thrashing.

pub mod face;
pub mod frames;
pub mod local;

use std::{path::PathBuf, sync::Arc};

use crate::contract::{ConfidenceLevel, FaceComparison, Status};

use super::media::VideoInfo;

/// What a backend gets to look at.
pub struct Inputs {
    pub video: PathBuf,
    pub video_info: VideoInfo,
    /// The decoded, upright ID photo.
    pub id_photo: Arc<image::DynamicImage>,
}

/// A backend's verdict.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub face: FaceComparison,
    pub overall_score: u32,
    pub status: Status,
    pub confidence_level: ConfidenceLevel,
    pub summary: String,
    pub risk_factors: Vec<String>,
}

#[async_trait::async_trait]
pub trait Verifier: Send + Sync {
    /// The `faceComparison.method` this backend reports.
    fn method(&self) -> &'static str;
    async fn verify(&self, inputs: &Inputs) -> anyhow::Result<Outcome>;
}

pub type SharedVerifier = Arc<dyn Verifier>;

/// The outcome recorded when scoring itself failed: a human decides, the partner is told why.
pub fn scoring_failed(method: &str) -> Outcome {
    Outcome {
        face: FaceComparison {
            is_identical: false,
            confidence: 0.0,
            similarity_score: 0,
            method: method.to_string(),
        },
        overall_score: 0,
        status: Status::Review,
        confidence_level: ConfidenceLevel::Low,
        summary: "Automatic scoring failed; the check awaits manual review".into(),
        risk_factors: vec!["scoring_failed".into()],
    }
}
