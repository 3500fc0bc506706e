//! Scoring: does the live person in the selfie video match the face on the ID? A backend
//! implements [`Verifier`]; the service holds one and calls it for each submission, on a bounded
//! number of slots so that overload queues (then sheds with 503) instead of thrashing.

pub mod appearance;
pub mod eval;
pub mod face;
pub mod frames;
pub mod light;
pub mod liveness;
pub mod local;
pub mod mesh;
pub mod openai;
pub mod presentations;
pub mod synth;
pub mod watch;

use std::{path::PathBuf, sync::Arc};

use crate::contract::{ConfidenceLevel, FaceComparison, Status};

use super::media::VideoInfo;

/// What a backend gets to look at.
pub struct Inputs {
    pub video: PathBuf,
    pub video_info: VideoInfo,
    /// The decoded, upright ID photo.
    pub id_photo: Arc<image::DynamicImage>,
    /// The capture link's challenge and the page's timeline, for a video recorded live on the
    /// capture page; `None` for an uploaded file (see `liveness`).
    pub challenge: Option<(crate::challenge::Challenge, crate::challenge::Timeline)>,
    /// A test-mode check (the partner's test keys): the appearance checks that catch a
    /// re-animated photo are logged, not applied, so a test suite's synthetic performer can
    /// complete a flow. Live mode always applies them.
    pub test_mode: bool,
    /// A live recording's screen light, each state when the server sent it (empty: none).
    pub lights: Vec<crate::challenge::Light>,
    /// A live recording's frames and track, read while it arrived (`watch`); taken by the
    /// backend that uses them.
    pub watched: std::sync::Mutex<Option<watch::Watched>>,
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

    /// Starts reading a live recording in `demuxer`'s container while it arrives (fed chunk by
    /// chunk, its result given back in [`Inputs::watched`]); `None`: this backend reads the
    /// recording after it ends.
    fn watch(&self, _demuxer: &'static str) -> Option<watch::Watch> {
        None
    }
}

pub type SharedVerifier = Arc<dyn Verifier>;

/// Adds a risk factor found outside the backend (a replayed file): a rejecting one rejects.
pub fn add_risk(outcome: &mut Outcome, risk: crate::contract::RiskFactor) {
    let code = risk.code().to_string();
    if outcome.risk_factors.contains(&code) {
        return;
    }
    outcome.risk_factors.push(code);
    outcome.overall_score = outcome.overall_score.saturating_sub(risk.weight());
    if risk.rejects() {
        outcome.status = Status::Rejected;
        outcome.confidence_level = ConfidenceLevel::High;
        outcome.summary = format!("Rejected: {}", risk.meaning());
    } else if outcome.status == Status::Verified {
        outcome.status = Status::Review;
        outcome.confidence_level = ConfidenceLevel::Medium;
    }
}

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
        risk_factors: vec![crate::contract::RiskFactor::ScoringFailed.code().into()],
    }
}

/// Test mode (an `idv_test_` key): these user identifiers force an outcome without scoring,
/// so partners can run their integration end to end, webhooks included.
pub fn test_mode_outcome(user_identifier: &str) -> Option<Outcome> {
    use crate::contract::RiskFactor;
    let (status, is_identical, similarity, overall, level, risks): (
        _,
        _,
        u32,
        u32,
        _,
        &[RiskFactor],
    ) = match user_identifier {
        "test_verified" => (Status::Verified, true, 90, 95, ConfidenceLevel::High, &[]),
        "test_rejected" => (
            Status::Rejected,
            false,
            12,
            10,
            ConfidenceLevel::High,
            &[RiskFactor::FaceMismatch],
        ),
        "test_review" => (
            Status::Review,
            false,
            45,
            55,
            ConfidenceLevel::Low,
            &[RiskFactor::LowSimilarity],
        ),
        _ => return None,
    };
    Some(Outcome {
        face: FaceComparison {
            is_identical,
            confidence: 0.99,
            similarity_score: similarity,
            method: "test_mode".into(),
        },
        overall_score: overall,
        status,
        confidence_level: level,
        summary: format!("Test mode: outcome forced by user_identifier {user_identifier}"),
        risk_factors: risks.iter().map(|r| r.code().to_string()).collect(),
    })
}

/// A fixed set of threads for model inference. Scoring never runs on the async runtime, and
/// always on the same few threads, so the allocator's per-thread arenas are reused instead of
/// growing one per short-lived blocking thread (measured: 326 MB of extra peak RSS for eight
/// concurrent submissions on tokio's blocking pool, see BENCHMARKS.md).
pub struct InferencePool {
    tx: std::sync::Mutex<std::sync::mpsc::Sender<Box<dyn FnOnce() + Send>>>,
}

impl InferencePool {
    pub fn new(threads: usize) -> Self {
        Self::named("inference", threads)
    }

    /// `threads` threads named `{name}-{i}`.
    pub fn named(name: &str, threads: usize) -> Self {
        let (tx, rx) = std::sync::mpsc::channel::<Box<dyn FnOnce() + Send>>();
        let rx = Arc::new(std::sync::Mutex::new(rx));
        for i in 0..threads.max(1) {
            let rx = rx.clone();
            std::thread::Builder::new()
                .name(format!("{name}-{i}"))
                .spawn(move || {
                    loop {
                        let job = match rx.lock() {
                            Ok(guard) => guard.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                })
                .expect("spawn a pool thread");
        }
        Self {
            tx: std::sync::Mutex::new(tx),
        }
    }

    /// Queues `f` on the pool without waiting for it; `false` when the pool has stopped.
    pub fn spawn(&self, f: impl FnOnce() + Send + 'static) -> bool {
        let job: Box<dyn FnOnce() + Send> = Box::new(move || {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
        });
        self.tx.lock().is_ok_and(|tx| tx.send(job).is_ok())
    }

    /// Runs `f` on the pool and waits for it without blocking the async runtime.
    pub async fn run<R: Send + 'static>(
        &self,
        f: impl FnOnce() -> R + Send + 'static,
    ) -> anyhow::Result<R> {
        let (done, result) = tokio::sync::oneshot::channel();
        // the caller's span goes with the job (a submission's trace continues on the thread)
        let span = tracing::Span::current();
        let job: Box<dyn FnOnce() + Send> = Box::new(move || {
            let _in = span.enter();
            let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
            let _ = done.send(out);
        });
        self.tx
            .lock()
            .map_err(|_| anyhow::anyhow!("inference pool poisoned"))?
            .send(job)
            .map_err(|_| anyhow::anyhow!("inference pool stopped"))?;
        match result.await {
            Ok(Ok(r)) => Ok(r),
            Ok(Err(_)) => anyhow::bail!("inference panicked"),
            Err(_) => anyhow::bail!("inference pool dropped the job"),
        }
    }
}
