//! A live recording read while it arrives: ffmpeg decodes the chunks from a pipe into the
//! liveness frames (what [`super::frames::dense`] makes of the finished file: 10 fps, at most
//! `DENSE_SIDE` px), and a watcher thread tracks the face in each frame as it comes out. When
//! the recording ends only its last moments are left to decode and track, so the verdict comes
//! sooner than an upload's (issue 31).
//!
//! It is only a head start: anything that goes wrong (no watcher free, ffmpeg refusing the
//! stream, a stalled pipe, a tracking error) leaves the recording to be read whole after it
//! ends, exactly as an upload is. The number of watches at once is bounded (each holds up to
//! `MAX_FRAMES` decoded frames, ~45 MB), and a watch lives no longer than its recording.

use std::{process::Stdio, sync::Arc, time::Duration};

use image::RgbImage;
use tokio::{
    io::{AsyncWriteExt, BufReader},
    sync::{OwnedSemaphorePermit, Semaphore, mpsc, oneshot},
};

use super::{
    InferencePool,
    face::FaceModels,
    frames::{DENSE_SIDE, filter, read_one},
    liveness::{FPS, MAX_FRAMES, Track, Tracker},
    mesh::FaceMesh,
};

/// Chunks queued for ffmpeg before the watch gives up on a pipe that does not keep up (the
/// page sends one every 250 ms; ffmpeg reads them in microseconds).
const QUEUED_CHUNKS: usize = 32;

/// The frames of a live recording and the face's track through them, read as it arrived.
pub struct Watched {
    pub frames: Vec<RgbImage>,
    pub step_ms: u32,
    pub track: Track,
    /// The watcher's own time tracking (the liveness stage's time).
    pub tracking: Duration,
}

impl Watched {
    /// Whether these frames are the ones [`super::frames::dense`] would take from the finished
    /// file of `duration_secs`: at `FPS` (a recording longer than `MAX_FRAMES` allow would be
    /// sampled more sparsely) and at least one.
    pub fn fits(&self, duration_secs: Option<f64>) -> bool {
        !self.frames.is_empty() && duration_secs.is_none_or(|d| d <= MAX_FRAMES as f64 / FPS)
    }
}

/// Where watches come from: the models, a few watcher threads, and as many permits.
pub struct Watchers {
    models: Arc<FaceModels>,
    mesh: Arc<FaceMesh>,
    threads: InferencePool,
    permits: Arc<Semaphore>,
    detect_threshold: f32,
}

impl Watchers {
    pub fn new(
        models: Arc<FaceModels>,
        mesh: Arc<FaceMesh>,
        count: usize,
        detect_threshold: f32,
    ) -> Self {
        Self {
            models,
            mesh,
            threads: InferencePool::named("watch", count),
            permits: Arc::new(Semaphore::new(count.max(1))),
            detect_threshold,
        }
    }

    /// A watch of a recording in `demuxer`'s container, or `None` when every watcher is busy
    /// or ffmpeg cannot start (the recording is then read after it ends).
    pub fn start(&self, demuxer: &'static str) -> Option<Watch> {
        let permit = self.permits.clone().try_acquire_owned().ok()?;
        let filter = filter(FPS, DENSE_SIDE);
        let max = MAX_FRAMES.to_string();
        let mut child = tokio::process::Command::new("ffmpeg")
            .args([
                "-v",
                "error",
                "-threads",
                "1",
                "-protocol_whitelist",
                "pipe",
                "-f",
                demuxer,
                "-i",
                "pipe:0",
                "-vf",
                &filter,
                "-frames:v",
                &max,
                "-f",
                "image2pipe",
                "-vcodec",
                "ppm",
                "pipe:1",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| tracing::warn!(error = %e, "ffmpeg did not start for a live watch"))
            .ok()?;
        let (mut stdin, stdout) = (child.stdin.take()?, child.stdout.take()?);
        // the chunks, in order, to ffmpeg; closing the queue ends its input
        let (input, mut queue) = mpsc::channel::<Vec<u8>>(QUEUED_CHUNKS);
        let writer = tokio::spawn(async move {
            while let Some(chunk) = queue.recv().await {
                if stdin.write_all(&chunk).await.is_err() {
                    return;
                }
            }
        });
        // its frames, as they come out, to the watcher thread
        let (frames_tx, frames_rx) = std::sync::mpsc::channel::<RgbImage>();
        let reader = tokio::spawn(async move {
            let mut out = BufReader::with_capacity(1 << 16, stdout);
            for _ in 0..MAX_FRAMES {
                let Some(frame) = read_one(&mut out).await else {
                    break;
                };
                if frames_tx.send(frame).is_err() {
                    break;
                }
            }
            drop((frames_tx, out));
            let _ = child.wait().await;
        });
        let (done_tx, done) = oneshot::channel();
        let (models, mesh, threshold) = (
            self.models.clone(),
            self.mesh.clone(),
            self.detect_threshold,
        );
        let step_ms = (1000.0 / FPS).round() as u32;
        let span = tracing::Span::current();
        let job = move || {
            let _in = span.enter();
            let mut tracker = Tracker::new(0, step_ms, threshold);
            let mut frames = Vec::new();
            let mut tracking = Duration::ZERO;
            for frame in frames_rx {
                let t0 = std::time::Instant::now();
                if let Err(e) = tracker.push(&models, &mesh, &frame) {
                    tracing::warn!(error = %e, "a live watch could not track a frame; the recording is read after it ends");
                    return;
                }
                tracking += t0.elapsed();
                frames.push(frame);
            }
            let _ = done_tx.send(Watched {
                frames,
                step_ms,
                track: tracker.finish(),
                tracking,
            });
        };
        // the job holds its thread until the frames end (the permit guarantees a free one)
        if !self.threads.spawn(job) {
            return None;
        }
        Some(Watch {
            input: Some(input),
            writer,
            reader,
            done,
            _permit: permit,
        })
    }
}

/// One recording being read as it arrives. Dropped unfinished, its ffmpeg is killed and its
/// watcher thread freed.
pub struct Watch {
    input: Option<mpsc::Sender<Vec<u8>>>,
    writer: tokio::task::JoinHandle<()>,
    reader: tokio::task::JoinHandle<()>,
    done: oneshot::Receiver<Watched>,
    _permit: OwnedSemaphorePermit,
}

impl Watch {
    /// The next chunk of the recording. A pipe that does not keep up ends the watch (the
    /// recording is read after it ends); the recording itself never waits for it.
    pub fn feed(&mut self, chunk: &[u8]) {
        let Some(input) = &self.input else { return };
        if input.try_send(chunk.to_vec()).is_err() {
            tracing::warn!("a live watch fell behind; the recording is read after it ends");
            self.input = None;
            self.writer.abort();
            self.reader.abort();
        }
    }

    /// The recording has ended: its last frames, and the whole watch, within `limit`; `None`
    /// when the watch failed or fell behind.
    pub async fn finish(mut self, limit: Duration) -> Option<Watched> {
        drop(self.input.take()?);
        let done = &mut self.done;
        match tokio::time::timeout(limit, done).await {
            Ok(Ok(w)) => Some(w),
            Ok(Err(_)) => None,
            Err(_) => {
                tracing::warn!("a live watch did not finish in time; the recording is read whole");
                None
            }
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.writer.abort();
        self.reader.abort();
    }
}
