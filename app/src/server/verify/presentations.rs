//! `idv eval liveness`: an attack evaluation in the manner of ISO/IEC 30107-3. Every
//! presentation is made here from the labelled photos of `scripts/eval-media.sh` (registry
//! packages; nothing committed), encoded as the capture page records (VP8 WebM at the page's
//! bitrate), and judged end to end by the local verifier with a capture link's challenge and
//! timeline, the photo's ID-card copy (`ids/`) as the ID. Accepted means `verified`.
//!
//! Species (each judged against a fresh challenge `A`):
//! - `genuine`: the *functional* genuine of the challenge flow: a synthetic person (`synth`)
//!   performing `A`, against the ID card of another capture of that person when the set has
//!   one. It is a re-animated photo, so the appearance checks (`appearance`) rightly catch it:
//!   its BPCER is reported without them (what it proves: the challenge logic follows a
//!   performance of the right prompts), and how many the appearance checks caught beside;
//! - `reanimated_id`: the ID card's own portrait re-animated to perform `A` (a stolen card);
//! - `reanimated_portrait`: the photo the card was printed from, re-animated, against the card;
//! - `reanimated_other`: another photo of the person (another capture), re-animated, against
//!   the card; each of the three also `_noisy`: with a camera's fresh noise and a slow drift
//!   of the light's strength, colour and direction;
//! - `still_photo`: the photo, looped; `still_zoom_pan`: slowly zoomed and panned;
//! - `composite`: other photos of the same person, cut in at each prompt and back;
//! - `other_challenge`: a live performance of another challenge `B` (another prompt order);
//! - `replay`: the very same file as an accepted genuine one, submitted again;
//! - `screen_replay`: a performance of `B` shown on a screen: bezel, gamma, moiré;
//! - `print`: the photo printed (paper texture, warm tint) and tilted at each head prompt;
//! - `realtime_puppet`: the strongest attacker this machine can build: the genuine's re-animated
//!   photo reacting to each prompt as it shows *and* taking on the screen's colours as they
//!   show (what a renderer driven by the live channel's messages does), judged with every check.
//!
//! Every presentation is judged as a live recording with the screen's light (a random sequence
//! drawn per presentation, `challenge::Light`): only the genuine and the puppet are lit by it.

use std::{
    collections::{BTreeMap, HashSet},
    path::{Path, PathBuf},
};

use anyhow::Context;
use image::{Rgb, RgbImage};
use serde_json::{Value, json};

use super::{
    face::FaceModels,
    local::{self, Thresholds},
    mesh::{FaceMesh, bilinear},
    synth::{self, Actor, Pose},
};
use crate::{
    challenge::{Challenge, Light, Prompt, Timeline},
    contract::{RiskFactor, Status},
};

/// Frames per second of the presentations (a phone camera's rate).
const FPS: u32 = 15;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Species {
    Genuine,
    StillPhoto,
    StillZoomPan,
    Composite,
    OtherChallenge,
    Replay,
    ScreenReplay,
    Print,
    ReanimatedId,
    ReanimatedIdNoisy,
    ReanimatedPortrait,
    ReanimatedPortraitNoisy,
    ReanimatedOther,
    ReanimatedOtherNoisy,
    RealtimePuppet,
}

impl Species {
    fn name(self) -> &'static str {
        match self {
            Self::Genuine => "genuine",
            Self::StillPhoto => "still_photo",
            Self::StillZoomPan => "still_zoom_pan",
            Self::Composite => "composite",
            Self::OtherChallenge => "other_challenge",
            Self::Replay => "replay",
            Self::ScreenReplay => "screen_replay",
            Self::Print => "print",
            Self::ReanimatedId => "reanimated_id",
            Self::ReanimatedIdNoisy => "reanimated_id_noisy",
            Self::ReanimatedPortrait => "reanimated_portrait",
            Self::ReanimatedPortraitNoisy => "reanimated_portrait_noisy",
            Self::ReanimatedOther => "reanimated_other",
            Self::ReanimatedOtherNoisy => "reanimated_other_noisy",
            Self::RealtimePuppet => "realtime_puppet",
        }
    }
}

/// One judged presentation.
struct Judged {
    species: Species,
    photo: String,
    status: Status,
    risks: Vec<String>,
    /// For the functional genuine: whether the appearance checks caught it.
    caught: bool,
    /// The appearance scores (shading, shading without the light gradient, ID pixels).
    scores: Value,
}

/// A challenge whose prompt order differs from `a`'s.
fn other_than(a: &Challenge) -> Challenge {
    let order = |c: &Challenge| c.steps.iter().map(|s| s.prompt).collect::<Vec<_>>();
    loop {
        let b = Challenge::random();
        if order(&b) != order(a) {
            return b;
        }
    }
}

fn timeline(c: &Challenge) -> Timeline {
    Timeline::page(c.steps.iter().map(|s| s.at_ms).collect())
}

fn frame_count(c: &Challenge) -> usize {
    (c.record_ms as usize * FPS as usize).div_ceil(1000)
}

fn at_ms(i: usize) -> f32 {
    i as f32 * 1000.0 / FPS as f32
}

/// `img` scaled by `zoom` about its centre and moved by (dx, dy), the wall around it.
fn zoom_pan(img: &RgbImage, zoom: f32, dx: f32, dy: f32) -> RgbImage {
    let (w, h) = img.dimensions();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let raw = img.as_raw();
    RgbImage::from_fn(w, h, |x, y| {
        let sx = (x as f32 - cx - dx) / zoom + cx;
        let sy = (y as f32 - cy - dy) / zoom + cy;
        let p = bilinear(raw, w, h, sx, sy);
        Rgb([p[0] as u8, p[1] as u8, p[2] as u8])
    })
}

/// A flat picture turned in front of the camera: a plane rotated `yaw`/`pitch` degrees about
/// the face's centre, seen in perspective (focal length 900 px).
fn tilt(img: &RgbImage, yaw: f32, pitch: f32) -> RgbImage {
    const F: f32 = 900.0;
    let (w, h) = img.dimensions();
    let (cx, cy) = (w as f32 / 2.0, h as f32 * 0.45);
    let (sy, cyw) = yaw.to_radians().sin_cos();
    let (sp, cp) = pitch.to_radians().sin_cos();
    let raw = img.as_raw();
    RgbImage::from_fn(w, h, |x, y| {
        let (u, v) = (x as f32 - cx, y as f32 - cy);
        // invert the projection of the rotated plane (one axis at a time is enough here)
        let (px, py) = if yaw != 0.0 {
            let px = u * F / (F * cyw - u * sy);
            (px, v * (F + px * sy) / F)
        } else {
            let py = v * F / (F * cp - v * sp);
            (u * (F + py * sp) / F, py)
        };
        let p = bilinear(raw, w, h, px + cx, py + cy);
        Rgb([p[0] as u8, p[1] as u8, p[2] as u8])
    })
}

/// A pseudo-random number in [0, 1) from a position (paper grain, without a generator).
fn grain(x: u32, y: u32, seed: u32) -> f32 {
    let mut h = x.wrapping_mul(374_761_393) ^ y.wrapping_mul(668_265_263) ^ seed;
    h = (h ^ (h >> 13)).wrapping_mul(1_274_126_177);
    (h ^ (h >> 16)) as f32 / u32::MAX as f32
}

/// A camera's look over a rendered frame at `t_ms`: fresh sensor noise in every frame
/// (signal-dependent luma noise, half as much in colour, a little correlated between
/// neighbours) and a light that drifts slowly in strength (±6 % over 4.3 s), colour (±3 levels
/// of red against blue) and direction (a ±5 % gradient turning across the picture).
fn camera(img: &RgbImage, t_ms: f32, seed: u32) -> RgbImage {
    let (w, h) = img.dimensions();
    let t = t_ms / 1000.0;
    let gain = 1.0 + 0.06 * (std::f32::consts::TAU * t / 4.3).sin();
    let warm = 3.0 * (std::f32::consts::TAU * t / 6.1).sin();
    let angle = std::f32::consts::TAU * t / 9.0;
    let (gx, gy) = (0.05 * angle.cos(), 0.05 * angle.sin());
    let frame_seed = seed ^ (t_ms as u32).wrapping_mul(2_654_435_761);
    let normal = |x: u32, y: u32, k: u32| {
        // about N(0, 1): the sum of three uniforms, rescaled
        (grain(x, y, frame_seed ^ k)
            + grain(x, y, frame_seed ^ (k + 1))
            + grain(x, y, frame_seed ^ (k + 2))
            - 1.5)
            * 2.0
    };
    RgbImage::from_fn(w, h, |x, y| {
        let p = img.get_pixel(x, y).0;
        let luma = 0.299 * f32::from(p[0]) + 0.587 * f32::from(p[1]) + 0.114 * f32::from(p[2]);
        let sd = (2.0 + 0.05 * luma).sqrt();
        let n = (normal(x, y, 11) + 0.5 * normal(x / 2, y / 2, 23)) * sd / 1.12;
        let light = gain
            * (1.0
                + gx * (x as f32 / w as f32 - 0.5) * 2.0
                + gy * (y as f32 / h as f32 - 0.5) * 2.0);
        let c = |v: u8, shift: f32, k: u32| {
            (f32::from(v) * light + shift + n + 0.5 * normal(x, y, k)).clamp(0.0, 255.0) as u8
        };
        Rgb([c(p[0], warm, 31), c(p[1], 0.0, 41), c(p[2], -warm, 51)])
    })
}

/// The photo printed: warm paper, grain, a little less contrast.
fn printed(img: &RgbImage) -> RgbImage {
    RgbImage::from_fn(img.width(), img.height(), |x, y| {
        let p = img.get_pixel(x, y).0;
        let g = (grain(x, y, 7) - 0.5) * 18.0;
        let tone =
            |c: u8, warm: f32| (f32::from(c) * 0.85 + 30.0 + warm + g).clamp(0.0, 255.0) as u8;
        Rgb([tone(p[0], 8.0), tone(p[1], 3.0), tone(p[2], -6.0)])
    })
}

/// A frame shown on a screen and filmed: smaller, inside a dark bezel, gamma-shifted, with
/// the moiré of the screen's pixel grid against the camera's.
fn on_screen(img: &RgbImage, t: f32) -> RgbImage {
    let (w, h) = img.dimensions();
    let (sx0, sy0) = (w as f32 * 0.1, h as f32 * 0.1);
    let raw = img.as_raw();
    RgbImage::from_fn(w, h, |x, y| {
        let (fx, fy) = (x as f32, y as f32);
        if fx < sx0 || fy < sy0 || fx > w as f32 - sx0 || fy > h as f32 - sy0 {
            return Rgb([18, 18, 22]);
        }
        let p = bilinear(raw, w, h, (fx - sx0) / 0.8, (fy - sy0) / 0.8);
        let moire = 1.0 + 0.08 * ((fx * 0.9 + fy * 0.35 + t * 3.0).sin() * (fy * 0.82).sin());
        let c = |v: f32| (255.0 * (v / 255.0).powf(1.4) * moire).clamp(0.0, 255.0) as u8;
        Rgb([c(p[0]), c(p[1]), c(p[2] * 1.05)])
    })
}

/// The frames of one presentation of `species` against challenge `a`.
fn make(
    species: Species,
    actor: &Actor,
    others: &[Actor],
    (a, lights): (&Challenge, &[Light]),
    b: &Challenge,
) -> Vec<RgbImage> {
    let n = frame_count(a);
    let shown_b: Vec<u32> = b.steps.iter().map(|s| s.at_ms).collect();
    let shown_a: Vec<u32> = a.steps.iter().map(|s| s.at_ms).collect();
    let still = actor.render(Pose::default());
    match species {
        // performed live: each prompt answered as it shows, the screen's light on the face
        Species::Genuine | Species::RealtimePuppet => (0..n)
            .map(|i| {
                let t = at_ms(i);
                let mut frame = actor.render(synth::performance(a, &shown_a, t));
                if let Some(rgb) = synth::light_at(lights, t) {
                    synth::screen_lit(&mut frame, rgb);
                }
                frame
            })
            .collect(),
        Species::Replay
        | Species::ReanimatedId
        | Species::ReanimatedPortrait
        | Species::ReanimatedOther => (0..n)
            .map(|i| actor.render(synth::performance(a, &shown_a, at_ms(i))))
            .collect(),
        Species::ReanimatedIdNoisy
        | Species::ReanimatedPortraitNoisy
        | Species::ReanimatedOtherNoisy => (0..n)
            .map(|i| {
                let t = at_ms(i);
                camera(&actor.render(synth::performance(a, &shown_a, t)), t, 97)
            })
            .collect(),
        Species::StillPhoto => vec![still; n],
        Species::StillZoomPan => (0..n)
            .map(|i| {
                let t = i as f32 / n as f32;
                zoom_pan(&still, 1.0 + 0.25 * t, 40.0 * t, -15.0 * t)
            })
            .collect(),
        Species::Composite => {
            let frames: Vec<RgbImage> = std::iter::once(still.clone())
                .chain(others.iter().map(|o| o.render(Pose::default())))
                .collect();
            (0..n)
                .map(|i| {
                    let t = at_ms(i);
                    // another photo from 500 ms after each prompt until 1,200 ms after it
                    let k = shown_a
                        .iter()
                        .position(|&s| t >= s as f32 + 500.0 && t < s as f32 + 1_200.0)
                        .map_or(0, |k| 1 + k % (frames.len() - 1).max(1));
                    frames[k.min(frames.len() - 1)].clone()
                })
                .collect()
        }
        Species::OtherChallenge => (0..n)
            .map(|i| actor.render(synth::performance(b, &shown_b, at_ms(i))))
            .collect(),
        Species::ScreenReplay => (0..n)
            .map(|i| {
                on_screen(
                    &actor.render(synth::performance(b, &shown_b, at_ms(i))),
                    at_ms(i),
                )
            })
            .collect(),
        Species::Print => {
            let paper = printed(&still);
            (0..n)
                .map(|i| {
                    // tilted the way each head prompt asks, for as long as a head would move
                    let t = at_ms(i);
                    let (mut yaw, mut pitch) = (0.0, 0.0);
                    for (s, &shown) in a.steps.iter().zip(&shown_a) {
                        let u = t - shown as f32 - 400.0;
                        let k = if (0.0..850.0).contains(&u) {
                            (u / 850.0 * std::f32::consts::PI).sin()
                        } else {
                            0.0
                        };
                        match s.prompt {
                            Prompt::TurnLeft => yaw += 35.0 * k,
                            Prompt::TurnRight => yaw -= 35.0 * k,
                            Prompt::LookUp => pitch -= 30.0 * k,
                            Prompt::LookDown => pitch += 30.0 * k,
                            Prompt::Blink => {}
                        }
                    }
                    if yaw == 0.0 && pitch == 0.0 {
                        paper.clone()
                    } else {
                        tilt(&paper, yaw, pitch)
                    }
                })
                .collect()
        }
    }
}

/// Encodes frames as the capture page records them (VP8 WebM at the page's default bitrate,
/// `IDV_CAPTURE_VIDEO_BITRATE`, in libvpx's real-time mode as MediaRecorder) into `out`.
fn encode(frames: &[RgbImage], out: &Path) -> anyhow::Result<()> {
    let bitrate = crate::server::config::settings::CAPTURE_VIDEO_BITRATE
        .default
        .unwrap_or("800000");
    let y4m = out.with_extension("y4m");
    std::fs::write(&y4m, synth::y4m(frames.iter().cloned(), FPS))?;
    let status = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y", "-i"])
        .arg(&y4m)
        .args([
            "-c:v",
            "libvpx",
            "-b:v",
            bitrate,
            "-deadline",
            "realtime",
            "-cpu-used",
            "8",
        ])
        .arg(out)
        .status()
        .context("running ffmpeg")?;
    std::fs::remove_file(&y4m).ok();
    anyhow::ensure!(
        status.success(),
        "ffmpeg could not encode {}",
        out.display()
    );
    Ok(())
}

/// The verdict on one video file, as a live recording with challenge `a` and the screen's
/// `lights` would give it.
async fn judge(
    models: &FaceModels,
    mesh: &FaceMesh,
    video: &Path,
    id: &image::DynamicImage,
    (a, lights): (&Challenge, &[Light]),
) -> anyhow::Result<local::Evidence> {
    let limit = std::time::Duration::from_secs(60);
    let mut v = super::eval::video_file(video, Some((a.clone(), timeline(a))), limit).await?;
    v.lights = lights.to_vec();
    local::gather(models, mesh, &v, id, Thresholds::default())
}

fn sha256(path: &Path) -> anyhow::Result<String> {
    use sha2::{Digest, Sha256};
    Ok(hex::encode(Sha256::digest(std::fs::read(path)?)))
}

/// The independent photos of the labelled set, by person (crops of one photo share an origin:
/// only the first counts).
fn photos_by_person(dir: &Path) -> anyhow::Result<BTreeMap<String, Vec<String>>> {
    let mut photos: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let text = std::fs::read_to_string(dir.join("manifest.tsv"))
        .with_context(|| format!("{}/manifest.tsv", dir.display()))?;
    let mut seen_origin = HashSet::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() >= 5 && cols[2] == "photo" && seen_origin.insert(cols[4].to_string()) {
            photos
                .entry(cols[1].to_string())
                .or_default()
                .push(cols[0].to_string());
        }
    }
    Ok(photos)
}

/// What the evaluation carries from one presentation to the next: the models, where files
/// go, every file submitted so far (by SHA-256, as the service remembers them), the verdicts.
struct Bench<'a> {
    models: &'a FaceModels,
    mesh: &'a FaceMesh,
    work: &'a Path,
    submitted: HashSet<String>,
    judged: Vec<Judged>,
}

impl Bench<'_> {
    /// Judges `video` against a capture link with challenge `a`, the photo as the ID, and
    /// records the verdict.
    async fn judge_file(
        &mut self,
        species: Species,
        photo: &str,
        video: &Path,
        id: &image::DynamicImage,
        (a, lights): (&Challenge, &[Light]),
    ) -> anyhow::Result<()> {
        let ev = judge(self.models, self.mesh, video, id, (a, lights)).await?;
        let cmp = ev
            .similarity
            .map(|s| local::local_comparison(s, Thresholds::default()));
        let scores = json!({
            "shading": ev.appearance.shading.score(),
            "shading_unregistered": ev.appearance.shading.median(|f| f.normal_part),
            "shading_frames": ev.appearance.shading.frames.len(),
            "change": ev.appearance.shading.median(|f| f.change),
            "change_registered": ev.appearance.shading.median(|f| f.change_registered),
            "normal_registered": ev.appearance.shading.median(|f| f.normal_registered),
            "id_correlation": ev.appearance.id_pixels.map(|p| p.correlation),
            "id_detail": ev.appearance.id_pixels.map(|p| p.detail),
            "similarity": ev.similarity,
        });
        let caught = ev.risks.iter().any(|r| local::APPEARANCE_RISKS.contains(r));
        let ev = if species == Species::Genuine {
            // the functional genuine: judged without the checks that rightly catch it
            local::without(ev, &local::APPEARANCE_RISKS)
        } else {
            ev
        };
        let mut outcome = local::decide(ev, cmp);
        if !self.submitted.insert(sha256(video)?) {
            super::add_risk(&mut outcome, RiskFactor::ReplayedVideo);
        }
        eprintln!(
            "idv: {:<26} {photo:<28} {:<9} {} {scores}",
            species.name(),
            outcome.status.as_str(),
            outcome.risk_codes().join(",")
        );
        self.judged.push(Judged {
            species,
            photo: photo.to_string(),
            status: outcome.status,
            risks: outcome.risk_codes(),
            caught,
            scores,
        });
        Ok(())
    }

    /// Makes, encodes and judges one presentation; returns its file.
    async fn present(
        &mut self,
        species: Species,
        (actor, others): (&Actor, &[Actor]),
        photo: &str,
        id: &image::DynamicImage,
    ) -> anyhow::Result<PathBuf> {
        let a = Challenge::random();
        // the screen's light of this recording, drawn as the live channel draws it
        let lights = Light::random(a.record_ms, false);
        let b = other_than(&a);
        let frames = make(species, actor, others, (&a, &lights), &b);
        let out = self.work.join(format!(
            "{}-{}.webm",
            species.name(),
            photo.replace('/', "_")
        ));
        encode(&frames, &out)?;
        drop(frames);
        self.judge_file(species, photo, &out, id, (&a, &lights))
            .await?;
        Ok(out)
    }
}

/// The species made from the `n`th photo of a person with `photos` independent photos.
fn species_for(n: usize, photos: usize) -> Vec<Species> {
    let mut kinds = vec![
        Species::Genuine,
        Species::RealtimePuppet,
        Species::ReanimatedId,
        Species::ReanimatedIdNoisy,
        Species::ReanimatedPortrait,
        Species::ReanimatedPortraitNoisy,
    ];
    if photos > 1 {
        kinds.extend([Species::ReanimatedOther, Species::ReanimatedOtherNoisy]);
    }
    if n == 0 {
        kinds.extend([
            Species::StillPhoto,
            Species::StillZoomPan,
            Species::OtherChallenge,
            Species::ScreenReplay,
            Species::Print,
        ]);
        if photos > 1 {
            kinds.push(Species::Composite);
        }
    }
    kinds
}

/// The ID-card copy of `photos/X.jpg`: `ids/X.jpg`.
fn card_of(photo: &str) -> String {
    photo.replacen("photos/", "ids/", 1)
}

/// Runs the evaluation over `dir` (photos/, ids/ and manifest.tsv of scripts/eval-media.sh)
/// with at most `per_species` attacks of each species; work files go to `work`. Returns the
/// JSON report.
pub async fn run(
    models: &FaceModels,
    mesh: &FaceMesh,
    dir: &Path,
    per_species: usize,
    work: &Path,
) -> anyhow::Result<Value> {
    std::fs::create_dir_all(work)?;
    let mut bench = Bench {
        models,
        mesh,
        work,
        submitted: HashSet::new(),
        judged: Vec::new(),
    };
    let mut genuine = Vec::new();
    let mut attacks: BTreeMap<Species, usize> = BTreeMap::new();
    let open = |f: &str| image::open(dir.join(f)).with_context(|| f.to_string());
    for files in photos_by_person(dir)?.values() {
        for (n, file) in files.iter().enumerate() {
            let img = open(file)?;
            let card = open(&card_of(file))?;
            // another capture's card, when the person has one
            let other_card = match files.len() {
                1 => None,
                len => Some(open(&card_of(&files[(n + 1) % len]))?),
            };
            let actor = match Actor::new(models, mesh, &img.to_rgb8()) {
                Ok(a) => a,
                Err(e) => {
                    eprintln!("idv: {file}: no presentation made ({e})");
                    continue;
                }
            };
            let kinds = species_for(n, files.len());
            let card_actor = Actor::new(models, mesh, &card.to_rgb8()).ok();
            let others: Vec<Actor> = if kinds.contains(&Species::Composite) {
                files[1..]
                    .iter()
                    .filter_map(|f| image::open(dir.join(f)).ok())
                    .filter_map(|i| Actor::new(models, mesh, &i.to_rgb8()).ok())
                    .collect()
            } else {
                Vec::new()
            };
            for species in kinds {
                let count = attacks.entry(species).or_default();
                if species != Species::Genuine && *count >= per_species
                    || species == Species::Composite && others.is_empty()
                {
                    continue;
                }
                let (who, id) = match species {
                    Species::ReanimatedId | Species::ReanimatedIdNoisy => {
                        let Some(a) = card_actor.as_ref() else {
                            eprintln!("idv: {file}: the card's portrait cannot be animated");
                            continue;
                        };
                        (a, &card)
                    }
                    Species::Genuine
                    | Species::RealtimePuppet
                    | Species::ReanimatedOther
                    | Species::ReanimatedOtherNoisy => {
                        (&actor, other_card.as_ref().unwrap_or(&card))
                    }
                    _ => (&actor, &card),
                };
                *count += 1;
                let out = bench.present(species, (who, &others), file, id).await?;
                if species == Species::Genuine {
                    genuine.push((out, id.clone(), file.clone()));
                } else {
                    std::fs::remove_file(&out).ok();
                }
            }
        }
    }
    // the same recordings submitted again, each through a new link with its own challenge
    for (out, id, file) in genuine.iter().take(per_species) {
        let a = Challenge::random();
        let lights = Light::random(a.record_ms, false);
        bench
            .judge_file(Species::Replay, file, out, id, (&a, &lights))
            .await?;
    }
    for (out, _, _) in &genuine {
        std::fs::remove_file(out).ok();
    }
    Ok(report(&bench.judged))
}

fn report(judged: &[Judged]) -> Value {
    let mut species: BTreeMap<Species, (usize, usize, BTreeMap<String, usize>, usize)> =
        BTreeMap::new();
    for j in judged {
        let e = species.entry(j.species).or_default();
        e.0 += 1;
        if j.status == Status::Verified {
            e.1 += 1;
        }
        if j.caught {
            e.3 += 1;
        }
        for r in &j.risks {
            *e.2.entry(r.clone()).or_default() += 1;
        }
    }
    let rows: Vec<Value> = species
        .iter()
        .map(|(s, (n, accepted, codes, caught))| {
            json!({
                "species": s.name(),
                "presentations": n,
                "verified": accepted,
                "caught_by_appearance": caught,
                "rate": if *n == 0 { 0.0 } else { *accepted as f64 / *n as f64 },
                "risk_factors": codes,
            })
        })
        .collect();
    let failures: Vec<Value> = judged
        .iter()
        .filter(|j| (j.species == Species::Genuine) != (j.status == Status::Verified))
        .map(|j| json!({"species": j.species.name(), "photo": j.photo, "status": j.status.as_str(), "risk_factors": j.risks}))
        .collect();
    let presentations: Vec<Value> = judged
        .iter()
        .map(|j| json!({"species": j.species.name(), "photo": j.photo, "status": j.status.as_str(), "risk_factors": j.risks, "scores": j.scores}))
        .collect();
    json!({"species": rows, "errors": failures, "presentations": presentations})
}

/// The report as a Markdown table: APCER per attack species, BPCER for the genuine ones.
pub fn table(report: &Value) -> String {
    let mut out = String::from(
        "| species | presentations | verified | APCER / BPCER | risk factors raised |\n|---|---|---|---|---|\n",
    );
    for r in report["species"].as_array().into_iter().flatten() {
        let n = r["presentations"].as_u64().unwrap_or(0);
        let v = r["verified"].as_u64().unwrap_or(0);
        let genuine = r["species"] == "genuine";
        let wrong = if genuine { n - v } else { v };
        let rate = if n == 0 {
            0.0
        } else {
            wrong as f64 * 100.0 / n as f64
        };
        let codes: Vec<String> = r["risk_factors"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, c)| format!("`{k}` {c}"))
            .collect();
        out.push_str(&format!(
            "| {} | {n} | {v} | {} {wrong}/{n} = {rate:.1} % | {} |\n",
            r["species"].as_str().unwrap_or(""),
            if genuine { "BPCER" } else { "APCER" },
            codes.join(", ")
        ));
    }
    out
}
