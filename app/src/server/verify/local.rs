//! The default backend: the local face model plus liveness evidence from the video.
//!
//! Evidence and the risk factor each failure raises (README, "Risk factors"):
//! - a face in most frames (`no_face_in_video`, `face_not_visible`), only one (`multiple_faces`);
//! - the same identity throughout (`identity_changed`);
//! - a head turn left and right (`liveness_challenge_failed`), from the landmark yaw;
//! - frames that are not one still picture, looped, panned or zoomed (`still_image_video`):
//!   aligned face crops of a photo stay identical however it is moved;
//! - length, light and sharpness (`video_too_short`, `low_light`, `blurry`);
//! - the ID: one prominent usable face (`no_face_in_id`, `multiple_faces_in_id`,
//!   `id_face_too_small`, `id_blurry`, `id_glare`), not a copy of a selfie frame
//!   (`id_matches_selfie_frame`);
//! - and the comparison itself (`face_mismatch`, `low_similarity`).

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::{Arc, Mutex, OnceLock, PoisonError},
    time::Duration,
};

use image::{GrayImage, RgbImage};

use super::{
    Comparison, Inputs, Outcome, Verifier,
    face::{Face, FaceModels, LARGE, SMALL, cosine, largest},
    frames, liveness,
    mesh::{Crop, FaceMesh},
};
use crate::{
    contract::{ConfidenceLevel, FaceComparison, RiskFactor, Status},
    server::config::VerifierMode,
};

pub const METHOD: &str = "local_face_model";

/// Decision thresholds (cosine similarity of SFace embeddings), configurable.
#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    /// At or above: the same person.
    pub match_at: f32,
    /// Below: a different person. Between the two: a human decides.
    pub mismatch_below: f32,
    pub min_duration_secs: f64,
    /// Range of the yaw proxy the head turn must cover on each side of its median.
    pub min_turn: f32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            match_at: 0.45,
            mismatch_below: 0.40,
            min_duration_secs: 2.0,
            min_turn: 0.12,
        }
    }
}

pub struct LocalVerifier {
    models: Arc<FaceModels>,
    mesh: Arc<FaceMesh>,
    pool: super::InferencePool,
    thresholds: Thresholds,
    media_timeout: Duration,
    /// The OpenAI-compatible backend, with `openai` or `both` (IDV_VERIFIER).
    remote: Option<(super::openai::VisionClient, VerifierMode)>,
    /// Live recordings read while they arrive, as many at once as there are inference threads.
    watchers: super::watch::Watchers,
}

impl LocalVerifier {
    /// Loads the models once; `threads` inference threads (IDV_SCORING_CONCURRENCY).
    pub fn load(
        models_dir: &Path,
        thresholds: Thresholds,
        media_timeout: Duration,
        threads: usize,
    ) -> anyhow::Result<Self> {
        let (models, mesh) = shared_models(models_dir)?;
        Ok(Self {
            watchers: super::watch::Watchers::new(
                models.clone(),
                mesh.clone(),
                threads,
                DETECT_THRESHOLD,
            ),
            models,
            mesh,
            pool: super::InferencePool::new(threads),
            thresholds,
            media_timeout,
            remote: None,
        })
    }

    /// Lets the vision backend compare the faces (`openai`) or co-decide (`both`).
    pub fn with_remote(mut self, client: super::openai::VisionClient, mode: VerifierMode) -> Self {
        if mode != VerifierMode::Local {
            self.remote = Some((client, mode));
        }
        self
    }
}

/// The face models of `dir`, loaded once per process and shared by every verifier built in it
/// (a service builds one; the tests build one per test app): tract parses and optimises the
/// three graphs in about a second of CPU. Loads under the lock, so two at once load once.
pub fn shared_models(dir: &Path) -> anyhow::Result<(Arc<FaceModels>, Arc<FaceMesh>)> {
    type Loaded = (Arc<FaceModels>, Arc<FaceMesh>);
    static LOADED: OnceLock<Mutex<HashMap<PathBuf, Loaded>>> = OnceLock::new();
    let mut loaded = LOADED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(m) = loaded.get(dir) {
        return Ok(m.clone());
    }
    let m = (
        Arc::new(FaceModels::load(dir)?),
        Arc::new(FaceMesh::load(dir)?),
    );
    loaded.insert(dir.to_path_buf(), m.clone());
    Ok(m)
}

/// Frames of the video that get a full detection (faces, people, sharpness, identity), spread
/// over it; the liveness track sees every analysed frame.
pub const FRAME_COUNT: usize = 6;
const DETECT_THRESHOLD: f32 = 0.6;

#[async_trait::async_trait]
impl Verifier for LocalVerifier {
    fn method(&self) -> &'static str {
        match &self.remote {
            None => METHOD,
            Some((_, VerifierMode::Both)) => super::openai::BOTH_METHOD,
            Some(_) => super::openai::METHOD,
        }
    }

    fn watch(&self, demuxer: &'static str) -> Option<super::watch::Watch> {
        self.watchers.start(demuxer)
    }

    async fn verify(&self, inputs: &Inputs) -> anyhow::Result<Outcome> {
        // a live recording read while it arrived: its frames and track are ready
        let watched = inputs
            .watched
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .filter(|w| w.fits(inputs.video_info.duration_secs));
        let (video, tracked, id_seen) = match watched {
            // the ID photo's evidence is worked out beside the video's (`gather`)
            Some(w) => {
                let video = Video {
                    frames: w.frames,
                    step_ms: w.step_ms,
                    duration: inputs.video_info.duration_secs,
                    challenge: inputs.challenge.clone(),
                    test_mode: inputs.test_mode,
                    lights: inputs.lights.clone(),
                };
                (video, Some((w.track, w.tracking)), None)
            }
            None => {
                let (video, id_seen) = self.read(inputs).await?;
                (video, None, Some(id_seen))
            }
        };
        let job = Gathering {
            models: self.models.clone(),
            mesh: self.mesh.clone(),
            video,
            id_seen,
            photo: inputs.id_photo.clone(),
            t: self.thresholds,
            tracked,
        };
        let t = self.thresholds;
        let Some((client, mode)) = &self.remote else {
            return self
                .pool
                .run(move || {
                    let (ev, _) = job.gather()?;
                    let cmp = ev.similarity.map(|s| local_comparison(s, t));
                    Ok(timed_decide(ev, cmp))
                })
                .await?;
        };
        // Local evidence first (liveness, ID checks, the local comparison); the images for the
        // vision model are encoded on the same thread, and only when there is a face on both
        // sides to compare.
        let (ev, images) = self
            .pool
            .run(move || -> anyhow::Result<_> {
                let (ev, video) = job.gather()?;
                let images = match ev.similarity {
                    Some(_) => {
                        let mut selfies = Vec::new();
                        for &i in ev.best_frames.iter().take(super::openai::FRAMES_SENT) {
                            selfies.push(super::openai::jpeg(&video.frames[i], frames::MAX_SIDE)?);
                        }
                        Some((selfies, super::openai::id_jpeg(&ev.id_upright)?))
                    }
                    None => None,
                };
                Ok((ev, images))
            })
            .await??;
        let local = ev.similarity.map(|s| local_comparison(s, t));
        let cmp = match (local, images) {
            (Some(local), Some((selfies, id_jpeg))) => {
                match client.compare(&selfies, &id_jpeg).await {
                    Ok(verdict) => {
                        let remote = super::openai::comparison(&verdict);
                        Some(match mode {
                            VerifierMode::Both => super::openai::combine(local, remote),
                            _ => remote,
                        })
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "vision backend failed; the local face model decides this check");
                        Some(local)
                    }
                }
            }
            (local, _) => local,
        };
        Ok(timed_decide(ev, cmp))
    }
}

/// What [`gather_parts`] needs, moved onto an inference thread.
struct Gathering {
    models: Arc<FaceModels>,
    mesh: Arc<FaceMesh>,
    video: Video,
    id_seen: Option<IdEvidence>,
    photo: Arc<image::DynamicImage>,
    t: Thresholds,
    tracked: Option<(liveness::Track, Duration)>,
}

impl Gathering {
    /// The evidence, and the video it was gathered from.
    fn gather(self) -> anyhow::Result<(Evidence, Video)> {
        let id = IdSource::of(self.id_seen, &self.photo);
        let ev = gather_parts(
            &self.models,
            &self.mesh,
            &self.video,
            id,
            self.t,
            self.tracked,
        )?;
        Ok((ev, self.video))
    }
}

impl LocalVerifier {
    /// The video's frames decoded from the file, with the ID photo's evidence worked out while
    /// ffmpeg decodes (a core is free).
    async fn read(&self, inputs: &Inputs) -> anyhow::Result<(Video, IdEvidence)> {
        let (models, mesh, id) = (
            self.models.clone(),
            self.mesh.clone(),
            inputs.id_photo.clone(),
        );
        let (decoded, id_seen) = tokio::join!(
            crate::server::observe::stage(
                "frames",
                None,
                frames::dense(&inputs.video, &inputs.video_info, self.media_timeout)
            ),
            self.pool.run(move || id_evidence(&models, &mesh, &id)),
        );
        let (frames, step_ms) = decoded.map_err(|e| anyhow::anyhow!("frame extraction: {e}"))?;
        let id_seen = id_seen??;
        Ok((
            Video {
                frames,
                step_ms,
                duration: inputs.video_info.duration_secs,
                challenge: inputs.challenge.clone(),
                test_mode: inputs.test_mode,
                lights: inputs.lights.clone(),
            },
            id_seen,
        ))
    }
}

/// The selfie video as the model sees it: frames every `step_ms` from the start, and the
/// challenge it answered (with the page's timeline) when it was recorded on the capture page.
pub struct Video {
    pub frames: Vec<RgbImage>,
    pub step_ms: u32,
    pub duration: Option<f64>,
    pub challenge: Option<(crate::challenge::Challenge, crate::challenge::Timeline)>,
    /// A test-mode check: the appearance checks (`APPEARANCE_RISKS`) are computed and logged,
    /// not applied (see `gather`).
    pub test_mode: bool,
    /// A live recording's screen light (`light`), each state when the server sent it.
    pub lights: Vec<crate::challenge::Light>,
}

/// One sampled frame, analysed.
struct FrameFace {
    face: Face,
    faces: usize,
    frame: usize,
    sharpness: f32,
}

fn gray(img: &RgbImage) -> GrayImage {
    image::imageops::grayscale(img)
}

/// Variance of the Laplacian over the face box: low means blurry.
fn sharpness(g: &GrayImage, f: &Face) -> f32 {
    let (w, h) = g.dimensions();
    let x0 = f.x.max(1.0) as u32;
    let y0 = f.y.max(1.0) as u32;
    let x1 = ((f.x + f.w) as u32).min(w.saturating_sub(2));
    let y1 = ((f.y + f.h) as u32).min(h.saturating_sub(2));
    let (mut n, mut sum, mut sq) = (0f32, 0f32, 0f32);
    for y in y0..y1 {
        for x in x0..x1 {
            let c = f32::from(g.get_pixel(x, y)[0]);
            let l = f32::from(g.get_pixel(x - 1, y)[0])
                + f32::from(g.get_pixel(x + 1, y)[0])
                + f32::from(g.get_pixel(x, y - 1)[0])
                + f32::from(g.get_pixel(x, y + 1)[0])
                - 4.0 * c;
            n += 1.0;
            sum += l;
            sq += l * l;
        }
    }
    if n < 1.0 {
        0.0
    } else {
        (sq / n - (sum / n).powi(2)).max(0.0)
    }
}

/// Share of nearly white pixels in the face box (glare on a laminated card).
fn glare(img: &RgbImage, f: &Face) -> f32 {
    let (w, h) = img.dimensions();
    let (x0, y0) = (f.x.max(0.0) as u32, f.y.max(0.0) as u32);
    let (x1, y1) = (((f.x + f.w) as u32).min(w), ((f.y + f.h) as u32).min(h));
    let (mut n, mut hot) = (0u32, 0u32);
    for y in y0..y1 {
        for x in x0..x1 {
            let p = img.get_pixel(x, y).0;
            n += 1;
            if p.iter().all(|&c| c >= 250) {
                hot += 1;
            }
        }
    }
    if n == 0 { 0.0 } else { hot as f32 / n as f32 }
}

/// A small grey thumbnail of the aligned face, to compare frames pixel by pixel.
fn thumb(img: &RgbImage, f: &Face) -> Vec<f32> {
    let aligned = super::face::align(img, f);
    let small = image::imageops::resize(
        &gray(&aligned),
        32,
        32,
        image::imageops::FilterType::Triangle,
    );
    small.pixels().map(|p| f32::from(p[0])).collect()
}

fn mean_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum::<f32>() / a.len().max(1) as f32
}

fn push(v: &mut Vec<RiskFactor>, r: RiskFactor) {
    if !v.contains(&r) {
        v.push(r);
    }
}

/// Smallest face side, in pixels of the 320 px detector's input, whose landmarks are trusted
/// without a second look at 640 px.
const MIN_SMALL_FACE: f32 = 48.0;

/// Faces on an ID photo: the 320 px detector first (enough when the portrait is large, as on a
/// card that fills the picture), then the 640 px one when it finds no face that big (a card
/// photographed from afar, a small portrait).
pub fn detect_id_faces(
    mut detect: impl FnMut(&RgbImage, u32) -> anyhow::Result<Vec<Face>>,
    img: &RgbImage,
) -> anyhow::Result<Vec<Face>> {
    let faces = detect(img, SMALL)?;
    let scale = SMALL as f32 / img.width().max(img.height()).max(1) as f32;
    if faces.iter().any(|f| f.w.min(f.h) * scale >= MIN_SMALL_FACE) {
        return Ok(faces);
    }
    detect(img, LARGE)
}

/// What the local model found in the video and on the ID, before any decision.
pub struct Evidence {
    pub risks: Vec<RiskFactor>,
    /// Whether one of them rejects outright (see `RiskFactor::rejects`).
    pub hard_reject: bool,
    /// The local model's best cosine between the ID face and the video faces; `None` when
    /// either side has no face.
    pub similarity: Option<f32>,
    /// The frames whose faces were compared (the sharpest, in video order).
    pub best_frames: Vec<usize>,
    /// The ID photo turned upright (the rotation in which its face was found).
    pub id_upright: RgbImage,
    /// Time spent in each model (for the benchmark and the debug log).
    pub timings: StageTimes,
    /// What the face's appearance says (the evaluation prints it).
    pub appearance: Appearance,
}

/// The codes of the appearance checks (`appearance`): what a synthetic performer, being a
/// re-animated photo, rightly gets, and the evaluation's functional genuine is judged without.
pub const APPEARANCE_RISKS: [RiskFactor; 2] = [
    RiskFactor::SelfieMatchesIdPhoto,
    RiskFactor::SyntheticFaceSuspected,
];

/// `ev` without the risk factors `drop`.
pub fn without(mut ev: Evidence, drop: &[RiskFactor]) -> Evidence {
    ev.risks.retain(|r| !drop.contains(r));
    ev.hard_reject = ev.risks.iter().any(|r| r.rejects());
    ev
}

/// The appearance evidence of a check (`appearance`): the shading across turned frames, and
/// the video's pixels against the ID portrait's.
#[derive(Debug, Clone, Default)]
pub struct Appearance {
    pub shading: super::appearance::Shading,
    pub id_pixels: Option<super::appearance::IdPixels>,
}

impl Appearance {
    /// What the appearance says of a tracked face: the codes of [`APPEARANCE_RISKS`] it
    /// raises, and whether a recording that answered a challenge (`challenge`) could not be
    /// read (a followed head prompt always turns far enough: unreadable is not a pass).
    pub fn risks(&self, challenge: bool) -> (Vec<RiskFactor>, bool) {
        let mut codes = Vec::new();
        if self.id_pixels.is_some_and(|p| {
            p.correlation >= cut::ID_PIXELS_CORRELATION && p.detail >= cut::ID_PIXELS_DETAIL
        }) {
            codes.push(RiskFactor::SelfieMatchesIdPhoto);
        }
        let synthetic = self.shading.synthetic();
        if synthetic == Some(true) {
            codes.push(RiskFactor::SyntheticFaceSuspected);
        }
        (codes, challenge && synthetic.is_none())
    }
}

/// Where the scoring time goes.
#[derive(Debug, Clone, Copy, Default)]
pub struct StageTimes {
    /// The face mesh tracked through every analysed frame (its detections included).
    pub liveness: Duration,
    /// Face detection, the spread frames and the ID (its rotations included).
    pub detect: Duration,
    /// Alignment and embedding.
    pub embed: Duration,
}

/// The local model's comparison of a cosine similarity.
pub fn local_comparison(similarity: f32, t: Thresholds) -> Comparison {
    let is_identical = similarity >= t.match_at;
    // a probability-like confidence in the match decision, steep around the threshold
    let p_match = 1.0 / (1.0 + (-(similarity - t.match_at) / cut::MATCH_SPREAD).exp());
    Comparison {
        similarity: similarity.clamp(0.0, 1.0),
        match_at: t.match_at,
        is_identical,
        mismatch: similarity < t.mismatch_below,
        confidence: if is_identical { p_match } else { 1.0 - p_match },
        method: METHOD.into(),
    }
}

/// The local verdict end to end (what `IDV_VERIFIER=local` does).
pub fn analyse(
    models: &FaceModels,
    mesh: &FaceMesh,
    video: &Video,
    id: &image::DynamicImage,
    t: Thresholds,
) -> anyhow::Result<Outcome> {
    analyse_parts(models, mesh, video, IdSource::Photo(id), t)
}

fn analyse_parts(
    models: &FaceModels,
    mesh: &FaceMesh,
    video: &Video,
    id: IdSource<'_>,
    t: Thresholds,
) -> anyhow::Result<Outcome> {
    let ev = gather_parts(models, mesh, video, id, t, None)?;
    let cmp = ev.similarity.map(|s| local_comparison(s, t));
    Ok(timed_decide(ev, cmp))
}

/// [`decide`] in its span, timed.
fn timed_decide(ev: Evidence, cmp: Option<Comparison>) -> Outcome {
    let _in = stage_span("decide").entered();
    let t0 = std::time::Instant::now();
    let out = decide(ev, cmp);
    crate::server::observe::stage_time("decide", t0.elapsed());
    out
}

/// The span of a scoring stage on this thread (a child of the submission's).
fn stage_span(stage: &'static str) -> tracing::Span {
    tracing::info_span!(
        "submit.stage",
        otel.name = crate::server::observe::stage_name(stage),
        stage
    )
}

/// The evidence thresholds of the local model that are not settings, each named once. Luma
/// and pixel differences are on the 0–255 scale; sharpness is the variance of the Laplacian
/// over the face box.
mod cut {
    /// Mean luma of the frames below which the video is `low_light`.
    pub const LOW_LIGHT_LUMA: f32 = 40.0;
    /// Fewer decoded frames than this: `video_too_short`, whatever the container says.
    pub const MIN_FRAMES: usize = 3;
    /// Share of the frames that must show a face, else `face_not_visible`.
    pub const MIN_FACE_SHARE: f32 = 0.6;
    /// Another face in a frame counts when it is at least this share of the largest one's area
    /// and the detector is at least this sure of it.
    pub const OTHER_FACE_AREA: f32 = 0.25;
    pub const OTHER_FACE_SCORE: f32 = 0.7;
    /// `multiple_faces` when at least one in this many face frames has another face.
    pub const MULTIPLE_FACES_ONE_IN: usize = 3;
    /// Median sharpness of the video's faces below which it is `blurry`.
    pub const VIDEO_SHARPNESS: f32 = 20.0;
    /// Frames embedded and compared: the sharpest, spread over the video.
    pub const EMBEDDED_FRAMES: usize = 4;
    /// Two of those frames less alike than this (cosine): `identity_changed`.
    pub const SAME_PERSON_IN_VIDEO: f32 = 0.35;
    /// Aligned face crops of neighbouring frames that never differ by more than this, with
    /// less than the turn setting of yaw: `still_image_video`.
    pub const STILL_MAX_CHANGE: f32 = 2.5;
    /// Another face on the ID photo counts when it is at least this share of the largest's area.
    pub const ID_OTHER_FACE_AREA: f32 = 0.5;
    /// The ID face's shorter side below this (pixels): `id_face_too_small`.
    pub const ID_MIN_FACE_PX: f32 = 40.0;
    /// ID face sharpness below this: `id_blurry`.
    pub const ID_SHARPNESS: f32 = 15.0;
    /// Share of saturated pixels on the ID face above this: `id_glare`.
    pub const ID_GLARE_SHARE: f32 = 0.15;
    /// The ID face's crop within this of a video frame's crop: `id_matches_selfie_frame`.
    pub const ID_COPY_OF_FRAME: f32 = 3.0;
    /// The video's face, aligned by the mesh onto the ID portrait's layout, correlates with the
    /// portrait at least this much in brightness *and* this much in fine detail:
    /// `selfie_matches_id_photo` (the portrait re-animated). Measured (`idv eval liveness`,
    /// BENCHMARKS.md): re-animated portraits 0.98–1.00 and 0.90–0.98; two captures of one
    /// person at most 0.95 and 0.79 (frames of one video), 0.78 and 0.63 otherwise.
    pub const ID_PIXELS_CORRELATION: f32 = 0.96;
    pub const ID_PIXELS_DETAIL: f32 = 0.85;
    /// `overallScore`: this many tenths from the face score, the rest from the liveness score.
    pub const OVERALL_FACE_TENTHS: u32 = 6;
    /// A `verified` check's confidence is `high` when the similarity clears the match threshold
    /// by this margin and the comparison's confidence is at least this; else `medium`.
    pub const CLEAR_MATCH_MARGIN: f32 = 0.1;
    pub const CLEAR_MATCH_CONFIDENCE: f32 = 0.9;
    /// How fast the match confidence rises around the threshold (a logistic's scale, in
    /// cosine): 0.04 puts 0.05 above the threshold at 78 %.
    pub const MATCH_SPREAD: f32 = 0.04;
}

/// The model's evidence, in named steps: the video's faces and conditions, the identity and
/// motion across frames, then the ID photo's face and its comparison with the video's.
///
/// Three jobs run at once on scoped threads (a submission is waited for, and the machine has
/// cores to spare while one check scores): the liveness track (itself two halves), the video's
/// detections and embeddings, and the ID photo's. The stage times are each job's own, so they
/// add up to more than the wall time.
pub fn gather(
    models: &FaceModels,
    mesh: &FaceMesh,
    video: &Video,
    id: &image::DynamicImage,
    t: Thresholds,
) -> anyhow::Result<Evidence> {
    gather_parts(models, mesh, video, IdSource::Photo(id), t, None)
}

/// The ID photo's side of [`gather`]: the photo itself, or its evidence already worked out
/// (`LocalVerifier::verify` does it while the video decodes).
enum IdSource<'a> {
    Photo(&'a image::DynamicImage),
    Seen(IdEvidence),
}

impl<'a> IdSource<'a> {
    /// The evidence when it is worked out, else the photo.
    fn of(seen: Option<IdEvidence>, photo: &'a image::DynamicImage) -> Self {
        seen.map_or(IdSource::Photo(photo), IdSource::Seen)
    }
}

/// `tracked`: the liveness track and its time, already made while a live recording arrived.
fn gather_parts(
    models: &FaceModels,
    mesh: &FaceMesh,
    video: &Video,
    id: IdSource<'_>,
    t: Thresholds,
    tracked: Option<(liveness::Track, Duration)>,
) -> anyhow::Result<Evidence> {
    let frames = &video.frames[..];
    let parent = tracing::Span::current();
    let (track, seen, id_seen) = std::thread::scope(|s| {
        let seen = s.spawn(|| parent.in_scope(|| video_evidence(models, video, t)));
        let id_job = match id {
            IdSource::Photo(photo) => Err(s.spawn(move || id_evidence(models, mesh, photo))),
            IdSource::Seen(done) => Ok(done),
        };
        let t0 = std::time::Instant::now();
        let track = match tracked {
            Some((track, took)) => Ok((track, took)),
            None => stage_span("liveness")
                .in_scope(|| liveness::track(models, mesh, frames, video.step_ms, DETECT_THRESHOLD))
                .map(|tr| (tr, t0.elapsed())),
        };
        let panicked = || anyhow::anyhow!("a scoring thread panicked");
        (
            track,
            seen.join().map_err(|_| panicked()),
            match id_job {
                Ok(done) => Ok(Ok(done)),
                Err(job) => job.join().map_err(|_| panicked()),
            },
        )
    });
    let (track, liveness_time) = track?;
    let seen = seen??;
    let id_seen = id_seen??;
    let mut risks = seen.risks;
    if !seen.found.is_empty() {
        let challenge = video.challenge.as_ref().map(|(c, tl)| (c, tl));
        for r in liveness::assess(&track, challenge) {
            push(&mut risks, r);
        }
    }

    let t0 = std::time::Instant::now();
    let until = video
        .challenge
        .as_ref()
        .and_then(|(c, _)| c.steps.first().map(|s| s.at_ms));
    let appearance = Appearance {
        shading: super::appearance::shading(&track, frames, until),
        id_pixels: id_seen
            .mesh
            .as_ref()
            .and_then(|m| super::appearance::id_pixels(&id_seen.upright, m, &track, frames)),
    };
    tracing::debug!(
        took_ms = t0.elapsed().as_secs_f64() * 1000.0,
        shading = ?appearance.shading.score(),
        shading_frames = appearance.shading.frames.len(),
        id_pixels = ?appearance.id_pixels,
        "appearance"
    );
    let (seen_by_appearance, unread) =
        if !seen.found.is_empty() && track.samples.iter().flatten().count() >= 3 {
            appearance.risks(video.challenge.is_some())
        } else {
            (Vec::new(), false)
        };
    if unread {
        push(&mut risks, RiskFactor::LivenessNotAssessed);
    }
    let mut seen_by_appearance = seen_by_appearance;
    if !seen.found.is_empty() {
        seen_by_appearance.extend(screen_light(&track, video));
    }
    if video.test_mode && !seen_by_appearance.is_empty() {
        // test mode: the synthetic performer of a partner's (and our) tests is a re-animated
        // photo that no screen lights; these checks are logged and not applied (a test check is never a live
        // verification). Live mode always applies them.
        tracing::info!(
            codes = ?seen_by_appearance.iter().map(|r| r.code()).collect::<Vec<_>>(),
            "test mode: appearance and screen-light checks not applied"
        );
    } else {
        for r in seen_by_appearance {
            push(&mut risks, r);
        }
    }

    // --- the ID photo against the video ---------------------------------------------------
    for r in id_seen.risks {
        push(&mut risks, r);
    }
    let mut similarity = None;
    if let Some((id_embed, id_thumb)) = &id_seen.face {
        if !seen.embeds.is_empty() {
            similarity = Some(
                seen.embeds
                    .iter()
                    .map(|e| cosine(e, id_embed))
                    .fold(f32::MIN, f32::max)
                    .max(0.0),
            );
        }
        if seen
            .thumbs
            .iter()
            .any(|th| mean_abs_diff(th, id_thumb) < cut::ID_COPY_OF_FRAME)
        {
            push(&mut risks, RiskFactor::IdMatchesSelfieFrame);
        }
    }
    Ok(Evidence {
        hard_reject: risks.iter().any(|r| r.rejects()),
        risks,
        similarity,
        best_frames: seen.best_frames,
        id_upright: id_seen.upright,
        appearance,
        timings: {
            let times = StageTimes {
                liveness: liveness_time,
                detect: seen.detect + id_seen.detect,
                embed: seen.embed + id_seen.embed,
            };
            use crate::server::observe::stage_time;
            stage_time("liveness", times.liveness);
            stage_time("detect", times.detect);
            stage_time("embed", times.embed);
            times
        },
    })
}

/// The screen light's code for a live recording that had one (`light`), logged.
fn screen_light(track: &liveness::Track, video: &Video) -> Option<RiskFactor> {
    if video.lights.is_empty() {
        return None;
    }
    let verdict = super::light::assess(track, &video.frames, &video.lights);
    tracing::info!(verdict = ?verdict, "screen light");
    match verdict {
        super::light::Verdict::Followed { .. } => None,
        super::light::Verdict::NotFollowed { .. } => Some(RiskFactor::ScreenLightNotFollowed),
        super::light::Verdict::Unmeasured { .. } => Some(RiskFactor::ScreenLightNotMeasured),
    }
}

/// YuNet at `DETECT_THRESHOLD`, its time added to `total`.
fn timed_detect<'a>(
    models: &'a FaceModels,
    total: &'a mut Duration,
) -> impl FnMut(&RgbImage, u32) -> anyhow::Result<Vec<Face>> + 'a {
    move |img, side| {
        let t0 = std::time::Instant::now();
        let r = models.detect(img, side, DETECT_THRESHOLD);
        *total += t0.elapsed();
        r
    }
}

/// What the video's spread frames show: faces and conditions, the sharpest faces' embeddings
/// (`identity_changed` between them) and aligned thumbnails (a still picture, a copied ID).
struct VideoEvidence {
    risks: Vec<RiskFactor>,
    found: Vec<FrameFace>,
    embeds: Vec<Vec<f32>>,
    best_frames: Vec<usize>,
    thumbs: Vec<Vec<f32>>,
    detect: Duration,
    embed: Duration,
}

fn video_evidence(
    models: &FaceModels,
    video: &Video,
    t: Thresholds,
) -> anyhow::Result<VideoEvidence> {
    let frames = &video.frames[..];
    let mut risks = Vec::new();
    let mut detect_time = Duration::ZERO;
    let found = stage_span("detect").in_scope(|| {
        video_faces(
            frames,
            video.duration,
            t,
            &mut timed_detect(models, &mut detect_time),
            &mut risks,
        )
    })?;
    let _embed = stage_span("embed").entered();

    // embeddings of the sharpest frames, spread over the video
    let t0 = std::time::Instant::now();
    let mut picks: Vec<&FrameFace> = found.iter().collect();
    picks.sort_by(|a, b| b.sharpness.total_cmp(&a.sharpness));
    picks.truncate(cut::EMBEDDED_FRAMES);
    picks.sort_by_key(|f| f.frame);
    let mut embeds = Vec::new();
    for p in &picks {
        embeds.push(models.embed(&frames[p.frame], &p.face)?);
    }
    let embed_time = t0.elapsed();
    let mut min_pair = 1f32;
    for i in 0..embeds.len() {
        for j in i + 1..embeds.len() {
            min_pair = min_pair.min(cosine(&embeds[i], &embeds[j]));
        }
    }
    if embeds.len() >= 2 && min_pair < cut::SAME_PERSON_IN_VIDEO {
        push(&mut risks, RiskFactor::IdentityChanged);
    }
    let thumbs: Vec<Vec<f32>> = found
        .iter()
        .map(|f| thumb(&frames[f.frame], &f.face))
        .collect();
    motion(&found, &thumbs, t, &mut risks);
    Ok(VideoEvidence {
        risks,
        best_frames: picks.iter().map(|p| p.frame).collect(),
        found,
        embeds,
        thumbs,
        detect: detect_time,
        embed: embed_time,
    })
}

/// The ID photo upright, its face's checks (size, sharpness, glare, other faces), and that
/// face's embedding and aligned thumbnail.
struct IdEvidence {
    risks: Vec<RiskFactor>,
    upright: RgbImage,
    face: Option<(Vec<f32>, Vec<f32>)>,
    /// The portrait's face mesh (468 points), when the mesh finds it.
    mesh: Option<Vec<[f32; 3]>>,
    detect: Duration,
    embed: Duration,
}

/// The mesh of the face `f` on the ID portrait: a first pass on the detector's box, a second
/// on the first pass's points (as the liveness track does frame to frame).
fn id_mesh(mesh: &FaceMesh, img: &RgbImage, f: &Face) -> anyhow::Result<Option<Vec<[f32; 3]>>> {
    let first = mesh.run(img, Crop::around_face(f))?;
    if first.presence < liveness::cut::PRESENCE {
        return Ok(None);
    }
    let second = mesh.run(img, first.next_crop())?;
    Ok(Some(if second.presence >= liveness::cut::PRESENCE {
        second.points
    } else {
        first.points
    }))
}

fn id_evidence(
    models: &FaceModels,
    mesh: &FaceMesh,
    id: &image::DynamicImage,
) -> anyhow::Result<IdEvidence> {
    let mut risks = Vec::new();
    let mut detect_time = Duration::ZERO;
    let (upright, found) = id_face(id, &mut timed_detect(models, &mut detect_time), &mut risks)?;
    let mut embed_time = Duration::ZERO;
    let mut points = None;
    let face = match found {
        Some(f) => {
            if f.w.min(f.h) < cut::ID_MIN_FACE_PX {
                push(&mut risks, RiskFactor::IdFaceTooSmall);
            }
            if sharpness(&gray(&upright), &f) < cut::ID_SHARPNESS {
                push(&mut risks, RiskFactor::IdBlurry);
            }
            if glare(&upright, &f) > cut::ID_GLARE_SHARE {
                push(&mut risks, RiskFactor::IdGlare);
            }
            let t0 = std::time::Instant::now();
            let embed = models.embed(&upright, &f)?;
            embed_time = t0.elapsed();
            points = id_mesh(mesh, &upright, &f)?;
            Some((embed, thumb(&upright, &f)))
        }
        None => {
            push(&mut risks, RiskFactor::NoFaceInId);
            None
        }
    };
    Ok(IdEvidence {
        risks,
        upright,
        face,
        mesh: points,
        detect: detect_time,
        embed: embed_time,
    })
}

/// The largest face of each frame (with how many prominent faces it shares the frame with and
/// how sharp it is), and the conditions of the recording: unreadable, too short, too dark, no
/// face or too few, several people, blurred.
fn video_faces(
    frames: &[RgbImage],
    duration: Option<f64>,
    t: Thresholds,
    detect: &mut impl FnMut(&RgbImage, u32) -> anyhow::Result<Vec<Face>>,
    risks: &mut Vec<RiskFactor>,
) -> anyhow::Result<Vec<FrameFace>> {
    let mut found: Vec<FrameFace> = Vec::new();
    let mut luma = 0f32;
    let every = frames.len().div_ceil(FRAME_COUNT).max(1);
    let spread = frames.len().div_ceil(every);
    for (i, frame) in frames.iter().enumerate().step_by(every) {
        let g = gray(frame);
        luma += g.pixels().map(|p| f32::from(p[0])).sum::<f32>() / (g.len().max(1) as f32);
        let faces = detect(frame, SMALL)?;
        if let Some(best) = largest(&faces) {
            let prominent = faces
                .iter()
                .filter(|f| {
                    f.area() >= cut::OTHER_FACE_AREA * best.area()
                        && f.score >= cut::OTHER_FACE_SCORE
                })
                .count();
            found.push(FrameFace {
                face: best,
                faces: prominent,
                frame: i,
                sharpness: sharpness(&g, &best),
            });
        }
    }
    let n = spread.max(1);
    luma /= n as f32;
    if frames.is_empty() {
        // it passed the intake probe, but no frame decodes: damaged after its first frame
        push(risks, RiskFactor::VideoUnreadable);
    } else {
        if duration.is_some_and(|d| d < t.min_duration_secs) || spread < cut::MIN_FRAMES {
            push(risks, RiskFactor::VideoTooShort);
        }
        if luma < cut::LOW_LIGHT_LUMA {
            push(risks, RiskFactor::LowLight);
        }
        if found.is_empty() {
            push(risks, RiskFactor::NoFaceInVideo);
        } else if (found.len() as f32) < cut::MIN_FACE_SHARE * n as f32 {
            push(risks, RiskFactor::FaceNotVisible);
        }
    }
    if !found.is_empty()
        && found.iter().filter(|f| f.faces > 1).count() * cut::MULTIPLE_FACES_ONE_IN >= found.len()
    {
        push(risks, RiskFactor::MultipleFaces);
    }
    if !found.is_empty() {
        let mut sharp: Vec<f32> = found.iter().map(|f| f.sharpness).collect();
        sharp.sort_by(f32::total_cmp);
        if sharp[sharp.len() / 2] < cut::VIDEO_SHARPNESS {
            push(risks, RiskFactor::Blurry);
        }
    }
    Ok(found)
}

/// A still image (looped, panned, zoomed) barely changes its aligned crops and does not turn.
/// Head turns, blinks and the challenge are the liveness track's (`liveness::assess`).
fn motion(found: &[FrameFace], thumbs: &[Vec<f32>], t: Thresholds, risks: &mut Vec<RiskFactor>) {
    let max_change = thumbs
        .windows(2)
        .map(|w| mean_abs_diff(&w[0], &w[1]))
        .fold(0f32, f32::max);
    let yaws: Vec<f32> = found.iter().map(|f| f.face.yaw()).collect();
    let yaw_range = yaws.iter().copied().fold(f32::MIN, f32::max)
        - yaws.iter().copied().fold(f32::MAX, f32::min);
    if thumbs.len() >= 3 && max_change < cut::STILL_MAX_CHANGE && yaw_range < t.min_turn {
        push(risks, RiskFactor::StillImageVideo);
    }
}

/// The ID photo turned upright (each quarter turn tried until a face is found) and its largest
/// face; several prominent faces are `multiple_faces_in_id`.
fn id_face(
    id: &image::DynamicImage,
    detect: &mut impl FnMut(&RgbImage, u32) -> anyhow::Result<Vec<Face>>,
    risks: &mut Vec<RiskFactor>,
) -> anyhow::Result<(RgbImage, Option<Face>)> {
    let mut id_img = id.to_rgb8();
    for turns in 0..4 {
        if turns > 0 {
            // each pass turns the previous one a further quarter
            id_img = image::imageops::rotate90(&id_img);
        }
        let faces = detect_id_faces(&mut *detect, &id_img)?;
        if let Some(best) = largest(&faces) {
            let others = faces
                .iter()
                .filter(|f| f.area() >= cut::ID_OTHER_FACE_AREA * best.area())
                .count();
            if others > 1 {
                push(risks, RiskFactor::MultipleFacesInId);
            }
            return Ok((id_img, Some(best)));
        }
    }
    // nothing found in any rotation: hand the photo on as it came
    Ok((image::imageops::rotate90(&id_img), None))
}

/// The verdict from the evidence and the face comparison (`None`: nothing to compare).
pub fn decide(ev: Evidence, cmp: Option<Comparison>) -> Outcome {
    let Evidence { mut risks, .. } = ev;
    let is_identical = cmp.as_ref().is_some_and(|c| c.is_identical);
    if let Some(c) = &cmp {
        if c.mismatch {
            push(&mut risks, RiskFactor::FaceMismatch);
        } else if !c.is_identical {
            push(&mut risks, RiskFactor::LowSimilarity);
        }
    }
    let similarity = cmp.as_ref().map_or(0.0, |c| c.similarity);
    let similarity_score = (similarity.clamp(0.0, 1.0) * 100.0).round() as u32;

    let hard_reject = risks.iter().any(|r| r.rejects());
    let liveness_penalty: u32 = risks.iter().map(|r| r.weight()).sum();
    let liveness_score = 100u32.saturating_sub(liveness_penalty);
    let face_score = match &cmp {
        Some(c) => ((c.similarity / c.match_at.max(0.01)).min(1.0) * 100.0).round() as u32,
        None => 0,
    };
    let overall = ((face_score * cut::OVERALL_FACE_TENTHS
        + liveness_score * (10 - cut::OVERALL_FACE_TENTHS))
        / 10)
        .min(100);

    let status = if hard_reject {
        Status::Rejected
    } else if is_identical && risks.is_empty() {
        Status::Verified
    } else {
        Status::Review
    };
    let clear_match = cmp.as_ref().is_some_and(|c| {
        c.similarity >= c.match_at + cut::CLEAR_MATCH_MARGIN
            && c.confidence >= cut::CLEAR_MATCH_CONFIDENCE
    });
    let confidence_level = match status {
        Status::Verified if clear_match => ConfidenceLevel::High,
        Status::Verified => ConfidenceLevel::Medium,
        Status::Rejected
            if risks.iter().any(|r| {
                matches!(
                    r,
                    RiskFactor::FaceMismatch | RiskFactor::StillImageVideo | RiskFactor::NoFaceInId
                )
            }) =>
        {
            ConfidenceLevel::High
        }
        Status::Rejected => ConfidenceLevel::Medium,
        Status::Review => ConfidenceLevel::Low,
    };
    let summary = match status {
        Status::Verified => {
            "Verification completed successfully: the live selfie matches the ID photo".to_string()
        }
        Status::Rejected => format!("Verification failed: {}", describe(&risks)),
        Status::Review => format!("Needs manual review: {}", describe(&risks)),
    };
    let (confidence, method) = match cmp {
        Some(c) => (c.confidence, c.method),
        // nothing to compare: "not identical" is certain
        None => (1.0, METHOD.to_string()),
    };
    Outcome {
        face: FaceComparison {
            is_identical,
            confidence: (f64::from(confidence) * 1000.0).round() / 1000.0,
            similarity_score,
            method,
        },
        overall_score: overall,
        status,
        confidence_level,
        summary,
        risk_factors: risks.to_vec(),
    }
}

/// Plain words for risk factors, for the summary.
pub fn describe(risks: &[RiskFactor]) -> String {
    if risks.is_empty() {
        return "no specific risk found".into();
    }
    risks
        .iter()
        .map(|r| r.meaning())
        .collect::<Vec<_>>()
        .join("; ")
}

/// What a stored risk code means (codes from before a rename read as unspecified).
pub fn meaning(code: &str) -> &'static str {
    RiskFactor::parse(code).map_or("unspecified risk", RiskFactor::meaning)
}

#[cfg(test)]
mod tests {
    use super::*;
    use RiskFactor::*;

    fn evidence(risks: &[RiskFactor]) -> Evidence {
        Evidence {
            risks: risks.to_vec(),
            hard_reject: risks.iter().any(|r| r.rejects()),
            similarity: None,
            best_frames: vec![],
            id_upright: RgbImage::new(1, 1),
            timings: StageTimes::default(),
            appearance: Appearance::default(),
        }
    }

    fn compared(similarity: f32) -> Comparison {
        let match_at = 0.45;
        Comparison {
            similarity,
            match_at,
            is_identical: similarity >= match_at,
            mismatch: similarity < 0.40,
            confidence: 0.95,
            method: METHOD.into(),
        }
    }

    /// The evidence, the face similarity (None: no face to compare), and the status and risk
    /// codes that must come out.
    type Row = (
        &'static [RiskFactor],
        Option<f32>,
        Status,
        &'static [&'static str],
    );

    /// One row per combination that matters.
    #[test]
    fn the_decision_table() {
        let rows: &[Row] = &[
            // a clean match verifies
            (&[], Some(0.80), Status::Verified, &[]),
            // a clear mismatch rejects, whatever else
            (&[], Some(0.20), Status::Rejected, &["face_mismatch"]),
            (
                &[LowLight],
                Some(0.20),
                Status::Rejected,
                &["low_light", "face_mismatch"],
            ),
            // between the thresholds: review
            (&[], Some(0.42), Status::Review, &["low_similarity"]),
            // a match with a fixable problem goes to review, never verified
            (&[LowLight], Some(0.80), Status::Review, &["low_light"]),
            (
                &[LivenessChallengeFailed],
                Some(0.80),
                Status::Review,
                &["liveness_challenge_failed"],
            ),
            (
                &[IdGlare, Blurry],
                Some(0.80),
                Status::Review,
                &["id_glare", "blurry"],
            ),
            // attack signals reject even with a matching face
            (
                &[StillImageVideo],
                Some(0.90),
                Status::Rejected,
                &["still_image_video"],
            ),
            (
                &[IdentityChanged],
                Some(0.90),
                Status::Rejected,
                &["identity_changed"],
            ),
            (
                &[IdMatchesSelfieFrame],
                Some(0.99),
                Status::Rejected,
                &["id_matches_selfie_frame"],
            ),
            (
                &[MultipleFaces],
                Some(0.90),
                Status::Rejected,
                &["multiple_faces"],
            ),
            // nothing to compare
            (&[NoFaceInId], None, Status::Rejected, &["no_face_in_id"]),
            (
                &[NoFaceInVideo],
                None,
                Status::Rejected,
                &["no_face_in_video"],
            ),
            (
                &[VideoUnreadable],
                None,
                Status::Rejected,
                &["video_unreadable"],
            ),
        ];
        for (risks, similarity, status, codes) in rows {
            let o = decide(evidence(risks), similarity.map(compared));
            assert_eq!(o.status, *status, "{risks:?} at {similarity:?}");
            assert_eq!(o.risk_codes(), *codes, "{risks:?} at {similarity:?}");
            assert!(o.overall_score <= 100);
            if *status == Status::Verified {
                assert!(o.face.is_identical);
            }
        }
    }

    #[test]
    fn every_risk_factor_has_a_stable_code_and_a_meaning() {
        for r in RiskFactor::ALL {
            assert_eq!(RiskFactor::parse(r.code()), Some(r));
            assert_ne!(meaning(r.code()), "unspecified risk");
            assert!(r.weight() <= 100);
        }
        // attack signals give the user no advice on how to get around them
        for r in [
            StillImageVideo,
            IdentityChanged,
            IdMatchesSelfieFrame,
            FaceMismatch,
        ] {
            assert_eq!(r.advice(), None, "{r:?}");
        }
        assert_eq!(meaning("no_such_code"), "unspecified risk");
    }

    /// README's "Risk factors" table is the partner's list: every code in it, and nothing else.
    #[test]
    fn readme_lists_every_risk_factor() {
        let readme = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"),
        )
        .unwrap();
        let table = readme
            .split("### Risk factors")
            .nth(1)
            .and_then(|s| s.split("\n#").next())
            .expect("README has a Risk factors section");
        let mut listed = std::collections::BTreeSet::new();
        for line in table.lines().filter(|l| l.starts_with("| `")) {
            let first = line.split('|').nth(1).unwrap_or_default();
            for code in first.split('`').skip(1).step_by(2) {
                listed.insert(code.to_string());
            }
        }
        let codes: std::collections::BTreeSet<String> = RiskFactor::ALL
            .iter()
            .map(|r| r.code().to_string())
            .collect();
        assert_eq!(
            listed, codes,
            "README's risk table and RiskFactor::ALL differ"
        );
    }
}
