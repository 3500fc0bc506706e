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
    /// In the order found, each once.
    pub risk_factors: Vec<crate::contract::RiskFactor>,
}

impl Outcome {
    /// The risk factors' codes, as the guide's `riskFactors` and the stored records carry them.
    pub fn risk_codes(&self) -> Vec<String> {
        self.risk_factors
            .iter()
            .map(|r| r.code().to_string())
            .collect()
    }
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
    if outcome.risk_factors.contains(&risk) {
        return;
    }
    outcome.risk_factors.push(risk);
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
        risk_factors: vec![crate::contract::RiskFactor::ScoringFailed],
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
        risk_factors: risks.to_vec(),
    })
}

tokio::task_local! {
    /// What the work of one submission holds while it runs (its scoring slot): each job that
    /// [`InferencePool::run`] queues on its behalf keeps a clone, so the slot is free only when
    /// the last of its jobs has ended, even after the submission itself is gone.
    static HOLD: Arc<dyn std::any::Any + Send + Sync>;
}

/// Runs `work` with `hold` (a scoring slot) kept alive by every inference job it queues.
pub async fn holding<F: std::future::Future>(
    hold: Arc<dyn std::any::Any + Send + Sync>,
    work: F,
) -> F::Output {
    HOLD.scope(hold, work).await
}

/// The inference queue is full: the service is over its capacity (503 with `Retry-After`).
#[derive(Debug, thiserror::Error)]
#[error("the inference queue is full")]
pub struct Overloaded;

/// Jobs that may wait per pool thread; more are refused ([`Overloaded`]). A submission queues
/// at most two at once, and scoring slots bound the submissions: the queue fills only when
/// jobs pile up faster than the gates let them in.
const QUEUE_PER_THREAD: usize = 8;

type Job = Box<dyn FnOnce() + Send>;

/// A fixed set of threads for model inference. Scoring never runs on the async runtime, and
/// always on the same few threads, so the allocator's per-thread arenas are reused instead of
/// growing one per short-lived blocking thread (measured: 326 MB of extra peak RSS for eight
/// concurrent submissions on tokio's blocking pool, see BENCHMARKS.md). Its queue is bounded,
/// and a job whose caller has gone is dropped unrun (with the images it holds).
pub struct InferencePool {
    tx: std::sync::Mutex<std::sync::mpsc::SyncSender<Job>>,
}

impl InferencePool {
    pub fn new(threads: usize) -> Self {
        Self::named("inference", threads)
    }

    /// `threads` threads named `{name}-{i}`.
    pub fn named(name: &str, threads: usize) -> Self {
        let threads = threads.max(1);
        let (tx, rx) = std::sync::mpsc::sync_channel::<Job>(threads * QUEUE_PER_THREAD);
        let rx = Arc::new(std::sync::Mutex::new(rx));
        for i in 0..threads {
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

    fn queue(&self, job: Job) -> anyhow::Result<()> {
        use std::sync::mpsc::TrySendError;
        let tx = self
            .tx
            .lock()
            .map_err(|_| anyhow::anyhow!("inference pool poisoned"))?;
        match tx.try_send(job) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_)) => {
                super::observe::overloaded("inference");
                Err(Overloaded.into())
            }
            Err(TrySendError::Disconnected(_)) => anyhow::bail!("inference pool stopped"),
        }
    }

    /// Queues `f` on the pool without waiting for it; `false` when the pool has stopped or its
    /// queue is full.
    pub fn spawn(&self, f: impl FnOnce() + Send + 'static) -> bool {
        let job: Job = Box::new(move || {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
        });
        self.queue(job).is_ok()
    }

    /// Runs `f` on the pool and waits for it without blocking the async runtime. The job
    /// keeps the caller's [`holding`] value until it ends; if the caller is gone before the
    /// job starts, it is dropped unrun. A full queue is an [`Overloaded`] error.
    pub async fn run<R: Send + 'static>(
        &self,
        f: impl FnOnce() -> R + Send + 'static,
    ) -> anyhow::Result<R> {
        let (done, result) = tokio::sync::oneshot::channel();
        // the caller's span goes with the job (a submission's trace continues on the thread)
        let span = tracing::Span::current();
        let hold = HOLD.try_with(Arc::clone).ok();
        let job: Job = Box::new(move || {
            let _hold = hold;
            if done.is_closed() {
                return;
            }
            let _in = span.enter();
            let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
            let _ = done.send(out);
        });
        self.queue(job)?;
        match result.await {
            Ok(Ok(r)) => Ok(r),
            Ok(Err(_)) => anyhow::bail!("inference panicked"),
            Err(_) => anyhow::bail!("inference pool dropped the job"),
        }
    }
}

/// A face comparison by one backend (or by two together).
#[derive(Debug, Clone)]
pub struct Comparison {
    /// 0..1 on the backend's own scale.
    pub similarity: f32,
    /// The similarity at which this backend starts to say "same person".
    pub match_at: f32,
    pub is_identical: bool,
    /// Confident it is a different person.
    pub mismatch: bool,
    /// 0..1, in the decision `is_identical`.
    pub confidence: f32,
    pub method: String,
}

#[cfg(test)]
mod tests {
    use std::{
        sync::atomic::{AtomicBool, Ordering},
        time::Duration,
    };

    use super::*;

    #[tokio::test]
    async fn a_full_pool_refuses_at_once_and_a_gone_callers_job_never_runs() {
        let pool = InferencePool::named("test", 1);
        // the one thread busy until released
        let (started_tx, started_rx) = std::sync::mpsc::channel::<()>();
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        assert!(pool.spawn(move || {
            let _ = started_tx.send(());
            let _ = release_rx.recv();
        }));
        started_rx.recv().unwrap();
        // a queued job whose caller goes away before it starts, holding a slot-like value
        let ran = Arc::new(AtomicBool::new(false));
        let held = Arc::new(());
        {
            let r = ran.clone();
            let job = holding(
                held.clone(),
                pool.run(move || r.store(true, Ordering::SeqCst)),
            );
            assert!(
                tokio::time::timeout(Duration::from_millis(20), job)
                    .await
                    .is_err()
            );
        }
        assert_eq!(Arc::strong_count(&held), 2, "the queued job holds it");
        for _ in 1..QUEUE_PER_THREAD {
            assert!(pool.spawn(|| {}));
        }
        let e = pool.run(|| ()).await.unwrap_err();
        assert!(e.downcast_ref::<Overloaded>().is_some(), "{e}");
        release_tx.send(()).unwrap();
        // the queue drains: the gone caller's job first, dropped unrun with what it held
        for _ in 0..200 {
            if Arc::strong_count(&held) == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(Arc::strong_count(&held), 1, "it let go of what it held");
        assert!(!ran.load(Ordering::SeqCst), "the gone caller's job ran");
    }
}
