//! Liveness from the whole recording at 10 frames a second: the face mesh tracked frame to
//! frame (YuNet only where the track starts or is lost), and from it, per frame, head yaw and
//! pitch and eye openness. Then:
//! - the challenge: each prompt's response (a head move or a blink) inside its window after
//!   the prompt appeared, in order, and no other move in its place (`challenge_not_followed`);
//! - continuity: no jump of the face between neighbouring frames, as a cut between photos
//!   makes (`motion_discontinuous`);
//! - depth: a turned head shows parallax between the nose and the face's outline; a photo or a
//!   screen tilted in front of the camera moves all its points as one plane
//!   (`screen_or_print_suspected`);
//! - without a challenge (the partner's own upload, the page's "upload a video" path): passive
//!   evidence only, a head turn and a blink, and never more than `review`
//!   (`no_liveness_challenge`, `no_blink`).

use image::RgbImage;

use super::{
    face::FaceModels,
    mesh::{Crop, FaceMesh, Mesh},
};
use crate::{
    challenge::{
        Challenge, LIVE_CLOCK_SLACK_MS, LIVE_MAX_LAG_MS, ONSET_WINDOW_MS, Prompt,
        RESPONSE_WINDOW_MS, TIMELINE_SLACK_MS, Timeline,
    },
    contract::RiskFactor,
};

/// Frames analysed per second of video.
pub const FPS: f64 = 10.0;
/// At most this many frames (12 s at 10 fps); longer uploads are sampled more sparsely.
pub const MAX_FRAMES: usize = 120;

/// The evidence thresholds, each named once (degrees, ratios of the face's width).
pub mod cut {
    /// The mesh's face presence below which the track is lost.
    pub const PRESENCE: f32 = 0.5;
    /// A head turn: yaw this far from the resting pose.
    pub const TURN_DEG: f32 = 12.0;
    /// Looking up or down: pitch this far above or below the resting pose.
    pub const LOOK_UP_DEG: f32 = 8.0;
    /// A blink: eye openness below this share of the resting openness.
    pub const BLINK_SHARE: f32 = 0.6;
    /// Or: the eye patches' change (1 − correlation with the same eyes around that moment, in
    /// the same pose) plus the lids' relative closing reach this.
    pub const BLINK_CHANGE: f32 = 0.22;
    /// The eye patches of a moment are compared with those up to this far around it (the
    /// nearest frames, which a blink spans, left out).
    pub const BLINK_CONTEXT_MS: u32 = 600;
    pub const BLINK_SPAN_MS: u32 = 250;
    /// A blink is read only where the head is steady: its yaw within this (degrees) of the
    /// frames around, and those frames' poses within this of their median.
    pub const STEADY_DEG: f32 = 5.0;
    /// ... and its pitch no more than this below theirs (closing lids read to the mesh as the
    /// head tipping down: 4–7° on a synthetic blink, `idv eval trace`).
    pub const BLINK_DIP_DEG: f32 = 9.0;
    /// A response counts from this long after its prompt appeared (reaction time).
    pub const REACTION_MS: u32 = 150;
    /// A jump between neighbouring frames: the face's points move by more than this share of
    /// its width on average, beyond the motion of the frames around it.
    pub const JUMP_SHARE: f32 = 0.22;
    /// A jump: yaw and pitch together change more than this between neighbouring frames (a
    /// prompted turn moves about 9° in 100 ms).
    pub const JUMP_DEG: f32 = 25.0;
    /// Neighbouring frames this far apart or more (dropped frames) are not compared.
    pub const NEIGHBOUR_MS: u32 = 250;
    /// Turned frames whose points fit a plane's motion from the resting frame within this
    /// share of the face's width: a flat picture.
    pub const PLANAR_RESIDUAL: f32 = 0.012;
}

/// One frame's measurements.
#[derive(Debug, Clone)]
pub struct Sample {
    pub t_ms: u32,
    pub yaw: f32,
    pub pitch: f32,
    /// The mesh's eye openness (lid gap).
    pub eye: f32,
    /// How unlike the eyes look against the same eyes around this moment (1 − correlation of
    /// `Mesh::eye_patches`; 0 where the head is not steady): a blink is brief and large.
    pub eye_change: f32,
    patches: Vec<f32>,
    pub width: f32,
    /// A subset of the mesh's points (every 8th), for continuity and depth.
    pub points: Vec<[f32; 2]>,
    /// All 468 points of the mesh, for the face's appearance (`appearance`).
    pub mesh: Vec<[f32; 3]>,
}

impl Sample {
    fn of(mesh: &Mesh, frame: &RgbImage, t_ms: u32) -> Self {
        let (yaw, pitch) = mesh.pose();
        Self {
            t_ms,
            yaw,
            pitch,
            eye: mesh.eye_openness(),
            eye_change: 0.0,
            patches: mesh.eye_patches(frame),
            width: mesh.width().max(1.0),
            points: mesh
                .points
                .iter()
                .step_by(8)
                .map(|p| [p[0], p[1]])
                .collect(),
            mesh: mesh.points.clone(),
        }
    }
}

/// The face through the recording: one entry per analysed frame, `None` where no face was.
#[derive(Debug, Clone, Default)]
pub struct Track {
    pub samples: Vec<Option<Sample>>,
}

/// Tracks the face through `frames` (taken every `step_ms`): YuNet finds it, the mesh follows
/// it from frame to frame, YuNet again only when the mesh loses it. The two halves of the
/// recording are tracked on two threads (each starts with a detection): the mesh is most of
/// the scoring time, and a submission is waited for.
pub fn track(
    models: &FaceModels,
    mesh: &FaceMesh,
    frames: &[RgbImage],
    step_ms: u32,
    detect_threshold: f32,
) -> anyhow::Result<Track> {
    let mid = frames.len() / 2;
    if mid < 10 {
        let samples = track_from(models, mesh, frames, 0, step_ms, detect_threshold)?;
        let mut track = Track { samples };
        track.eye_changes();
        return Ok(track);
    }
    let (first, second) = std::thread::scope(|s| {
        let later =
            s.spawn(|| track_from(models, mesh, &frames[mid..], mid, step_ms, detect_threshold));
        let first = track_from(models, mesh, &frames[..mid], 0, step_ms, detect_threshold);
        (first, later.join())
    });
    let mut samples = first?;
    samples.extend(second.map_err(|_| anyhow::anyhow!("the tracking thread panicked"))??);
    let mut track = Track { samples };
    track.eye_changes();
    Ok(track)
}

/// [`track`] on consecutive frames, the first being frame number `offset`.
fn track_from(
    models: &FaceModels,
    mesh: &FaceMesh,
    frames: &[RgbImage],
    offset: usize,
    step_ms: u32,
    detect_threshold: f32,
) -> anyhow::Result<Vec<Option<Sample>>> {
    let mut tracker = Tracker::new(offset, step_ms, detect_threshold);
    tracker.samples.reserve(frames.len());
    for frame in frames {
        tracker.push(models, mesh, frame)?;
    }
    Ok(tracker.samples)
}

/// The track built one frame at a time, as the frames arrive (a live recording is tracked
/// while it is streamed, `verify::watch`): what [`track`] does to each half.
pub struct Tracker {
    samples: Vec<Option<Sample>>,
    crop: Option<Crop>,
    offset: usize,
    step_ms: u32,
    detect_threshold: f32,
}

impl Tracker {
    /// A track whose first frame is frame number `offset`, one every `step_ms`.
    pub fn new(offset: usize, step_ms: u32, detect_threshold: f32) -> Self {
        Self {
            samples: Vec::new(),
            crop: None,
            offset,
            step_ms,
            detect_threshold,
        }
    }

    /// The next frame: the mesh follows the face from the last one, YuNet finds it again
    /// when the mesh loses it.
    pub fn push(
        &mut self,
        models: &FaceModels,
        mesh: &FaceMesh,
        frame: &RgbImage,
    ) -> anyhow::Result<()> {
        let t_ms = (self.offset + self.samples.len()) as u32 * self.step_ms;
        let mut found = None;
        for attempt in 0..2 {
            let c = match (attempt, self.crop) {
                (0, Some(c)) => c,
                (0, None) | (1, Some(_)) => {
                    let faces = models.detect(frame, super::face::SMALL, self.detect_threshold)?;
                    match super::face::largest(&faces) {
                        Some(f) => Crop::around_face(&f),
                        None => break,
                    }
                }
                _ => break,
            };
            let m = mesh.run(frame, c)?;
            if m.presence >= cut::PRESENCE {
                found = Some(m);
                break;
            }
            if self.crop.is_none() {
                break;
            }
            self.crop = None;
        }
        self.crop = found.as_ref().map(Mesh::next_crop);
        self.samples
            .push(found.map(|m| Sample::of(&m, frame, t_ms)));
        Ok(())
    }

    /// The track of every frame pushed (from frame 0), its eye changes worked out.
    pub fn finish(self) -> Track {
        let mut track = Track {
            samples: self.samples,
        };
        track.eye_changes();
        track
    }
}

/// The middle value (the upper one of an even count); `None` when empty.
pub(super) fn median(mut v: Vec<f32>) -> Option<f32> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f32::total_cmp);
    Some(v[v.len() / 2])
}

/// The resting pose and eye openness: medians over the frames before `until_ms` (the first
/// prompt), or over all frames.
#[derive(Debug, Clone, Copy)]
struct Rest {
    yaw: f32,
    pitch: f32,
    eye: f32,
}

fn correlation(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len()).max(1) as f32;
    let (ma, mb) = (a.iter().sum::<f32>() / n, b.iter().sum::<f32>() / n);
    let (mut ab, mut aa, mut bb) = (0f32, 0f32, 0f32);
    for (x, y) in a.iter().zip(b) {
        ab += (x - ma) * (y - mb);
        aa += (x - ma).powi(2);
        bb += (y - mb).powi(2);
    }
    ab / (aa * bb).sqrt().max(1e-6)
}

impl Track {
    /// Sets each steady sample's `eye_change`: its eye patches against those around it
    /// (within `BLINK_CONTEXT_MS`, the nearest `BLINK_SPAN_MS` left out), value by value the
    /// median of the ones in the pose the head holds around that moment.
    ///
    /// The pose around the moment is the median of those frames, not the sample's own: lids
    /// drawn down read to the mesh as the head tipping down by up to `BLINK_DIP_DEG`, so the
    /// sample may sit that much lower (and only lower). The median keeps the closed eyes of a
    /// second blink nearby out of the reference.
    fn eye_changes(&mut self) {
        let faces: Vec<(u32, f32, f32, Vec<f32>)> = self
            .faces()
            .map(|s| (s.t_ms, s.yaw, s.pitch, s.patches.clone()))
            .collect();
        for s in self.samples.iter_mut().flatten() {
            let context: Vec<&(u32, f32, f32, Vec<f32>)> = faces
                .iter()
                .filter(|f| {
                    let d = f.0.abs_diff(s.t_ms);
                    d > cut::BLINK_SPAN_MS && d <= cut::BLINK_CONTEXT_MS
                })
                .collect();
            let (Some(yaw), Some(pitch)) = (
                median(context.iter().map(|f| f.1).collect()),
                median(context.iter().map(|f| f.2).collect()),
            ) else {
                continue;
            };
            let dip = pitch - s.pitch;
            let steady = (s.yaw - yaw).abs() < cut::STEADY_DEG
                && dip > -cut::STEADY_DEG
                && dip < cut::BLINK_DIP_DEG;
            let around: Vec<&(u32, f32, f32, Vec<f32>)> = context
                .into_iter()
                .filter(|f| (f.1 - yaw).abs() + (f.2 - pitch).abs() < cut::STEADY_DEG)
                .collect();
            // frames on both sides: the first and last moments have nothing to differ from
            let sides = around.iter().any(|f| f.0 < s.t_ms) && around.iter().any(|f| f.0 > s.t_ms);
            if !steady || !sides || s.patches.is_empty() {
                continue;
            }
            let mut column = Vec::with_capacity(around.len());
            let reference: Vec<f32> = (0..s.patches.len())
                .map(|i| {
                    column.clear();
                    column.extend(around.iter().filter_map(|f| f.3.get(i).copied()));
                    median(column.clone()).unwrap_or(0.0)
                })
                .collect();
            s.eye_change = 1.0 - correlation(&s.patches, &reference);
        }
    }

    fn faces(&self) -> impl Iterator<Item = &Sample> {
        self.samples.iter().flatten()
    }

    fn rest(&self, until_ms: Option<u32>) -> Option<Rest> {
        let before: Vec<&Sample> = self
            .faces()
            .filter(|s| until_ms.is_none_or(|u| s.t_ms < u))
            .collect();
        let pick: Vec<&Sample> = if before.len() >= 3 {
            before
        } else {
            self.faces().collect()
        };
        Some(Rest {
            yaw: median(pick.iter().map(|s| s.yaw).collect())?,
            pitch: median(pick.iter().map(|s| s.pitch).collect())?,
            eye: median(self.faces().map(|s| s.eye).collect())?,
        })
    }

    /// The resting head pose (yaw, pitch): medians over the faces before `until_ms` (the
    /// first prompt), or over all of them.
    pub fn rest_pose(&self, until_ms: Option<u32>) -> Option<(f32, f32)> {
        self.rest(until_ms).map(|r| (r.yaw, r.pitch))
    }

    /// Which moves a sample shows against the resting pose, in [`index`] order; `share` of
    /// the full move (1: reached; 0.5: started).
    /// A frame shows one head move at most: the one along the axis (yaw or pitch) that is
    /// furthest from rest for its threshold (a turned head also reads a little up or down).
    fn moves(s: &Sample, r: Rest, share: f32) -> [bool; 5] {
        let (dy, dp) = (
            (s.yaw - r.yaw) / cut::TURN_DEG,
            (s.pitch - r.pitch) / cut::LOOK_UP_DEG,
        );
        let turning = dy.abs() >= dp.abs();
        [
            turning && dy >= share,
            turning && -dy >= share,
            !turning && dp >= share,
            !turning && -dp >= share,
            Self::closed(s, r),
        ]
    }

    /// Eyes closed: the lids' gap shrunk, or the openings as light as the skin around.
    fn closed(s: &Sample, r: Rest) -> bool {
        s.eye < cut::BLINK_SHARE * r.eye
            || s.eye_change + (1.0 - s.eye / r.eye.max(1e-3)).max(0.0) >= cut::BLINK_CHANGE
    }

    /// Whether the face jumps between neighbouring frames anywhere (a cut): its points move
    /// much further than usual, or its pose turns further than a head turns in that time.
    pub fn discontinuous(&self) -> bool {
        let faces: Vec<&Sample> = self.faces().collect();
        let mut steps = Vec::new();
        for w in faces.windows(2) {
            let (a, b) = (w[0], w[1]);
            if b.t_ms - a.t_ms < cut::NEIGHBOUR_MS {
                let turn = (b.yaw - a.yaw).abs() + (b.pitch - a.pitch).abs();
                if turn > cut::JUMP_DEG {
                    return true;
                }
                let d = a
                    .points
                    .iter()
                    .zip(&b.points)
                    .map(|(p, q)| ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2)).sqrt())
                    .sum::<f32>()
                    / a.points.len().max(1) as f32;
                steps.push(d / a.width.max(b.width));
            }
        }
        let typical = median(steps.clone()).unwrap_or(0.0);
        steps
            .iter()
            .any(|&d| d > cut::JUMP_SHARE && d > 4.0 * typical)
    }

    /// The largest departure from a plane's motion, over the frames turned away from the
    /// resting pose, as a share of the face's width; `None` when the head never turns.
    pub fn depth_residual(&self) -> Option<f32> {
        let r = self.rest(None)?;
        let reference = self
            .faces()
            .min_by(|a, b| {
                ((a.yaw - r.yaw).abs() + (a.pitch - r.pitch).abs())
                    .total_cmp(&((b.yaw - r.yaw).abs() + (b.pitch - r.pitch).abs()))
            })?
            .clone();
        self.faces()
            .filter(|s| {
                (s.yaw - r.yaw).abs() >= cut::TURN_DEG
                    || (s.pitch - r.pitch).abs() >= cut::LOOK_UP_DEG
            })
            .map(|s| affine_residual(&reference.points, &s.points) / s.width)
            .max_by(f32::total_cmp)
    }

    /// Blinks: dips of eye openness under the threshold, as their first frame's time.
    pub fn blinks(&self) -> Vec<u32> {
        let Some(r) = self.rest(None) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut closed = false;
        for s in self.faces() {
            let now = Self::closed(s, r);
            if now && !closed {
                out.push(s.t_ms);
            }
            closed = now;
        }
        out
    }

    /// Whether the recording followed `challenge`, with the page's `timeline`: `Err` names what
    /// went wrong, for the log (never shown to the user as a hint to an attacker).
    pub fn follows(&self, challenge: &Challenge, timeline: &Timeline) -> Result<(), String> {
        if timeline.shown_ms.len() != challenge.steps.len() {
            return Err(format!(
                "{} prompt times for {} prompts",
                timeline.shown_ms.len(),
                challenge.steps.len()
            ));
        }
        let live = !timeline.arrived_ms.is_empty();
        if live && timeline.arrived_ms.len() != challenge.steps.len() {
            return Err("live evidence does not match the prompts".into());
        }
        for (i, (step, &shown)) in challenge.steps.iter().zip(&timeline.shown_ms).enumerate() {
            if live && shown.saturating_sub(timeline.arrived_ms[i]) > LIVE_MAX_LAG_MS {
                return Err(format!(
                    "{:?} sent at {shown} ms with video up to {} ms only: the upload lagged",
                    step.prompt, timeline.arrived_ms[i]
                ));
            }
            if shown.abs_diff(step.at_ms) > TIMELINE_SLACK_MS {
                return Err(format!(
                    "{:?} reported at {shown} ms, scheduled at {} ms",
                    step.prompt, step.at_ms
                ));
            }
        }
        let r = self.rest(None).ok_or("no face")?;
        for (i, (step, &shown)) in challenge.steps.iter().zip(&timeline.shown_ms).enumerate() {
            let want = index(step.prompt);
            // live: the prompt may show up to the clock slack before its send time, and its
            // answer lies in video that arrived after it was sent
            let (from, to) = if live {
                let seen = shown
                    .saturating_sub(LIVE_CLOCK_SLACK_MS)
                    .max(timeline.arrived_ms[i]);
                (
                    seen + cut::REACTION_MS,
                    shown + RESPONSE_WINDOW_MS + LIVE_CLOCK_SLACK_MS,
                )
            } else {
                (shown + cut::REACTION_MS, shown + RESPONSE_WINDOW_MS)
            };
            // the answer: the first frame that reaches the move inside the window; for a head
            // move, the run of frames leading up to it must start after the prompt, within
            // the onset window (people blink on their own too: blinks have no onset rule)
            let faces: Vec<&Sample> = self.faces().collect();
            let Some(hit) = faces
                .iter()
                .position(|s| s.t_ms >= from && s.t_ms <= to && Self::moves(s, r, 1.0)[want])
            else {
                return Err(format!("no {:?} within its window", step.prompt));
            };
            if step.prompt != Prompt::Blink {
                let mut first = hit;
                while first > 0 && Self::moves(faces[first - 1], r, 0.5)[want] {
                    first -= 1;
                }
                let onset = faces[first].t_ms;
                if onset < from {
                    return Err(format!(
                        "{:?} under way at {onset} ms, before it was asked",
                        step.prompt
                    ));
                }
                let slack = if live { LIVE_CLOCK_SLACK_MS } else { 0 };
                if onset > shown + ONSET_WINDOW_MS + slack {
                    return Err(format!("{:?} started late, at {onset} ms", step.prompt));
                }
            }
            let window: Vec<[bool; 5]> = self
                .faces()
                .filter(|s| s.t_ms >= from && s.t_ms <= to)
                .map(|s| Self::moves(s, r, 1.0))
                .collect();
            if !window.iter().any(|m| m[want]) {
                return Err(format!("no {:?} within its window", step.prompt));
            }
            // a head move that was not asked for, in this prompt's window, held for two frames
            // with the eyes open (a blink shifts the mesh's pitch for a frame)
            for other in 0..4 {
                let held = window
                    .windows(2)
                    .any(|w| w.iter().all(|m| m[other] && !m[4]));
                if other != want && held {
                    return Err(format!(
                        "{:?} answered with another move ({other})",
                        step.prompt
                    ));
                }
            }
        }
        Ok(())
    }

    /// The passive evidence: a head turn either way and a blink somewhere in the recording.
    pub fn turns_and_blinks(&self) -> (bool, bool) {
        let Some(r) = self.rest(None) else {
            return (false, false);
        };
        let turned = self
            .faces()
            .any(|s| Self::moves(s, r, 1.0)[..4].iter().any(|&m| m));
        (turned, !self.blinks().is_empty())
    }
}

fn index(p: Prompt) -> usize {
    match p {
        Prompt::TurnLeft => 0,
        Prompt::TurnRight => 1,
        Prompt::LookUp => 2,
        Prompt::LookDown => 3,
        Prompt::Blink => 4,
    }
}

#[allow(clippy::needless_range_loop)]
/// Root-mean-square distance left after the best 2D affine map from `a` to `b` (least squares).
fn affine_residual(a: &[[f32; 2]], b: &[[f32; 2]]) -> f32 {
    let n = a.len().min(b.len());
    if n < 4 {
        return 0.0;
    }
    // normal equations for [x y 1] · M = target, solved per output coordinate
    let mut ata = [[0f64; 3]; 3];
    let mut atb = [[0f64; 2]; 3];
    for k in 0..n {
        let row = [f64::from(a[k][0]), f64::from(a[k][1]), 1.0];
        for i in 0..3 {
            for j in 0..3 {
                ata[i][j] += row[i] * row[j];
            }
            atb[i][0] += row[i] * f64::from(b[k][0]);
            atb[i][1] += row[i] * f64::from(b[k][1]);
        }
    }
    let Some(inv) = invert3(ata) else {
        return 0.0;
    };
    let mut m = [[0f64; 2]; 3];
    for i in 0..3 {
        for c in 0..2 {
            m[i][c] = (0..3).map(|j| inv[i][j] * atb[j][c]).sum();
        }
    }
    let mut sq = 0f64;
    for k in 0..n {
        let (x, y) = (f64::from(a[k][0]), f64::from(a[k][1]));
        let px = x * m[0][0] + y * m[1][0] + m[2][0];
        let py = x * m[0][1] + y * m[1][1] + m[2][1];
        sq += (px - f64::from(b[k][0])).powi(2) + (py - f64::from(b[k][1])).powi(2);
    }
    (sq / n as f64).sqrt() as f32
}

#[allow(clippy::needless_range_loop)] // matrix indices read clearer than iterators here
fn invert3(m: [[f64; 3]; 3]) -> Option<[[f64; 3]; 3]> {
    let det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
        - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
        + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    if det.abs() < 1e-9 {
        return None;
    }
    let mut inv = [[0f64; 3]; 3];
    for i in 0..3 {
        for j in 0..3 {
            let (a, b) = ((j + 1) % 3, (j + 2) % 3);
            let (c, d) = ((i + 1) % 3, (i + 2) % 3);
            inv[i][j] = (m[a][c] * m[b][d] - m[a][d] * m[b][c]) / det;
        }
    }
    Some(inv)
}

/// The liveness risk factors of a track, with or without a challenge.
pub fn assess(track: &Track, challenge: Option<(&Challenge, &Timeline)>) -> Vec<RiskFactor> {
    let mut risks = Vec::new();
    if track.faces().count() < 3 {
        // faces were found (the caller asks only then), but the mesh followed too few of them
        // to judge anything: silence here would read as "no liveness risk"
        risks.push(RiskFactor::LivenessNotAssessed);
        if challenge.is_none() {
            risks.push(RiskFactor::NoLivenessChallenge);
        }
        return risks;
    }
    if track.discontinuous() {
        risks.push(RiskFactor::MotionDiscontinuous);
    }
    if track
        .depth_residual()
        .is_some_and(|r| r < cut::PLANAR_RESIDUAL)
    {
        risks.push(RiskFactor::ScreenOrPrintSuspected);
    }
    match challenge {
        Some((c, t)) => {
            if let Err(why) = track.follows(c, t) {
                tracing::info!(reason = %why, "liveness challenge not followed");
                risks.push(RiskFactor::ChallengeNotFollowed);
            }
        }
        None => {
            risks.push(RiskFactor::NoLivenessChallenge);
            let (turned, blinked) = track.turns_and_blinks();
            if !turned {
                risks.push(RiskFactor::LivenessChallengeFailed);
            }
            if !blinked {
                risks.push(RiskFactor::NoBlink);
            }
        }
    }
    risks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::challenge::Step;

    fn sample(t_ms: u32, yaw: f32, pitch: f32, eye: f32, shift: f32) -> Option<Sample> {
        Some(Sample {
            t_ms,
            yaw,
            pitch,
            eye,
            eye_change: if eye < 0.1 { 0.5 } else { 0.0 },
            patches: Vec::new(),
            width: 100.0,
            points: (0..20)
                .map(|k| [shift + (k % 5) as f32 * 20.0, (k / 5) as f32 * 25.0])
                .collect(),
            mesh: Vec::new(),
        })
    }

    fn challenge() -> (Challenge, Timeline) {
        let steps = vec![
            Step {
                prompt: Prompt::TurnLeft,
                at_ms: 1_000,
            },
            Step {
                prompt: Prompt::Blink,
                at_ms: 3_000,
            },
            Step {
                prompt: Prompt::TurnRight,
                at_ms: 5_000,
            },
        ];
        (
            Challenge {
                steps,
                record_ms: 7_000,
            },
            Timeline::page(vec![1_050, 3_020, 5_010]),
        )
    }

    /// A head that does what `script` says at each 100 ms frame.
    fn performed(script: impl Fn(u32) -> (f32, f32, f32)) -> Track {
        Track {
            samples: (0..70)
                .map(|i| {
                    let t = i * 100;
                    let (yaw, pitch, eye) = script(t);
                    sample(t, yaw, pitch, eye, t as f32 * 0.05)
                })
                .collect(),
        }
    }

    #[test]
    fn a_face_followed_in_too_few_frames_is_a_risk_not_silence() {
        let (c, t) = challenge();
        let short = Track {
            samples: vec![
                sample(0, 0.0, 0.0, 1.0, 0.0),
                None,
                sample(200, 0.0, 0.0, 1.0, 1.0),
            ],
        };
        assert_eq!(
            assess(&short, Some((&c, &t))),
            [RiskFactor::LivenessNotAssessed]
        );
        assert_eq!(
            assess(&short, None),
            [
                RiskFactor::LivenessNotAssessed,
                RiskFactor::NoLivenessChallenge
            ]
        );
    }

    /// A head answering [`challenge`] on time: left at 1.5 s, a blink at 3.5 s, right at 5.5 s.
    fn on_time(ms: u32) -> (f32, f32, f32) {
        let yaw = match ms {
            1_500..=2_200 => 25.0,
            5_500..=6_200 => -25.0,
            _ => 0.0,
        };
        let eye = if (3_500..=3_600).contains(&ms) {
            0.05
        } else {
            0.3
        };
        (yaw, 0.0, eye)
    }

    #[test]
    fn a_performance_of_the_challenge_follows_it_and_a_shifted_one_does_not() {
        let (c, t) = challenge();
        let live = |offset: u32| move |ms: u32| on_time(ms.saturating_sub(offset));
        assert_eq!(performed(live(0)).follows(&c, &t), Ok(()));
        // the same performance 1.5 s late: every response outside its window
        assert!(performed(live(1_500)).follows(&c, &t).is_err());
        // the moves swapped: left asked, right done
        let swapped = performed(|ms| {
            let (yaw, p, e) = live(0)(ms);
            (-yaw, p, e)
        });
        assert!(swapped.follows(&c, &t).is_err());
        // a timeline that does not match the schedule
        let late = Timeline::page(vec![1_800, 3_020, 5_010]);
        assert!(performed(live(0)).follows(&c, &late).is_err());
        // turning both ways in every window is not following either
        let busy = performed(|ms| {
            let yaw = match ms % 2_000 {
                500..=800 => 25.0,
                1_000..=1_300 => -25.0,
                _ => 0.0,
            };
            (yaw, 0.0, if ms % 1000 < 100 { 0.05 } else { 0.3 })
        });
        assert!(busy.follows(&c, &t).is_err());
    }

    #[test]
    fn a_live_answer_must_lie_in_video_that_arrived_after_its_prompt() {
        let (c, _) = challenge();
        let live = on_time;
        let sent = |arrived_ms: Vec<u32>| Timeline {
            shown_ms: vec![1_000, 3_000, 5_000],
            arrived_ms,
        };
        // a camera's video, 400 ms behind the server's clock: followed
        assert_eq!(
            performed(live).follows(&c, &sent(vec![600, 2_600, 4_600])),
            Ok(())
        );
        // the video of the first answer had already arrived when its prompt was sent: made
        // before the prompt
        assert!(
            performed(live)
                .follows(&c, &sent(vec![2_300, 2_600, 4_600]))
                .is_err()
        );
        // the upload lagged 3 s behind when a prompt was sent: time a renderer could use
        assert!(
            performed(live)
                .follows(&c, &sent(vec![600, 0, 4_600]))
                .is_err()
        );
    }

    /// Two blinks 450 ms apart whose closed frames read 6° lower to the mesh (as drawn lids
    /// do), a look down held, and the rest open: the eye patches tell the closed frames only.
    #[test]
    fn a_blink_is_read_from_the_eye_patches_though_it_tips_the_pitch() {
        let open: Vec<f32> = (0..256).map(|i| (i as f32 * 0.3).sin()).collect();
        let closed: Vec<f32> = (0..256).map(|i| (i as f32 * 0.7).cos()).collect();
        let blink = |t: u32| matches!(t, 1_700 | 1_800 | 2_100 | 2_200);
        let down = |t: u32| (4_000..=4_300).contains(&t);
        let mut track = Track {
            samples: (0..60)
                .map(|i| {
                    let t = i * 100;
                    let pitch = if blink(t) {
                        -6.0
                    } else if down(t) {
                        -20.0
                    } else {
                        0.0
                    };
                    let mut s = sample(t, 0.0, pitch, 0.3, 0.0)?;
                    s.patches = if blink(t) || down(t) {
                        closed.clone()
                    } else {
                        open.iter().map(|x| x + 0.01 * (i as f32).sin()).collect()
                    };
                    Some(s)
                })
                .collect(),
        };
        track.eye_changes();
        let read: Vec<u32> = track
            .faces()
            .filter(|s| s.eye_change >= cut::BLINK_CHANGE)
            .map(|s| s.t_ms)
            .collect();
        assert_eq!(read, [1_700, 1_800, 2_100, 2_200]);
        assert_eq!(track.blinks(), [1_700, 2_100]);
    }

    #[test]
    fn a_cut_between_two_pictures_is_a_jump() {
        let smooth = performed(|ms| ((ms as f32 / 300.0).sin() * 20.0, 0.0, 0.3));
        assert!(!smooth.discontinuous());
        let mut cut = smooth.clone();
        for s in cut.samples.iter_mut().skip(35).flatten() {
            for p in &mut s.points {
                p[0] += 40.0;
            }
        }
        assert!(cut.discontinuous());
    }

    #[test]
    fn points_moving_as_one_plane_have_no_depth() {
        let a: Vec<[f32; 2]> = (0..20)
            .map(|k| [(k % 5) as f32 * 20.0, (k / 5) as f32 * 25.0])
            .collect();
        // a plane turned: every point mapped by one affine transform
        let plane: Vec<[f32; 2]> = a
            .iter()
            .map(|p| [0.8 * p[0] + 5.0, p[1] + 0.1 * p[0]])
            .collect();
        assert!(affine_residual(&a, &plane) < 1e-3);
        // a head turned: the middle points (the nose) move further than the outline
        let head: Vec<[f32; 2]> = a
            .iter()
            .map(|p| {
                let depth = if (20.0..=60.0).contains(&p[0]) {
                    12.0
                } else {
                    0.0
                };
                [0.8 * p[0] + depth, p[1]]
            })
            .collect();
        assert!(affine_residual(&a, &head) > 3.0);
    }
}
