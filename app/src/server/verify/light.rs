//! The screen's light on the face: during a live recording the page fills the screen with a
//! random sequence of colours the server sends as they are due (`challenge::Light`); a face in
//! front of that screen takes on its colour, a picture made before the sequence was drawn (a
//! pre-rendered video, a photo re-animated without it) does not.
//!
//! Per analysed frame with a face: the mean colour of the skin under the face mesh (forehead,
//! cheeks, nose: patches around 26 mesh points) against the background's (the frame's side
//! patches outside the face), as chroma of the log ratio, `(ln R − ln G, ln B − ln G)` of
//! skin minus background: the division takes out the camera's exposure and white balance, the
//! chroma the head's own shading. The screen's colour shown at each frame's time (minus a
//! latency of −250…400 ms, the best fit) predicts it linearly per channel; the fit's R² is
//! compared with the same fit for 199 other colour sequences on the same times, drawn like the
//! real one. The face **follows** the light when the real sequence fits better than 99 % of the
//! others, with both gains positive and R² ≥ [`cut::MIN_R2`].

use image::RgbImage;
use rand::{Rng, SeedableRng};

use super::liveness::Track;
use crate::challenge::{LIGHT_PALETTE, Light};

pub mod cut {
    /// A face narrower than this (pixels of the analysed frame) is too far to read.
    pub const MIN_FACE_PX: f32 = 60.0;
    /// The share of the sequence's frames that must show a readable face.
    pub const MIN_FRAMES_SHARE: f32 = 0.6;
    /// The real sequence's fit must beat this share of the other sequences'.
    pub const RANK: f32 = 0.99;
    /// And explain at least this share of the skin's colour changes.
    pub const MIN_R2: f32 = 0.3;
    /// Frames this close after a change of colour are left out (the camera's exposure).
    pub const SETTLE_MS: u32 = 100;
    /// Other sequences drawn to compare with.
    pub const OTHERS: usize = 199;
}

/// Mesh points on smooth skin: forehead, both cheeks, the nose's bridge.
const SKIN_POINTS: [usize; 26] = [
    10, 67, 109, 338, 297, 151, 108, 337, 9, 50, 101, 118, 117, 36, 205, 187, 280, 330, 347, 346,
    266, 425, 411, 6, 197, 195,
];

/// What the light check found.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// The skin's colour follows the sequence.
    Followed { r2: f32, rank: f32 },
    /// It could be read and does not follow it.
    NotFollowed { r2: f32, rank: f32 },
    /// Too few frames show a face large enough, against a background, with a colour pair
    /// not clipped.
    Unmeasured { frames: usize, of: usize },
}

/// One frame's reading: its time and the skin's chroma against the background's, `(R − G,
/// B − G)`; a component is `None` where one of its skin channels is at the sensor's end (a
/// bright, warm face's red near 255 cannot take on a colour's red: the other is still read).
#[derive(Debug, Clone, Copy)]
pub struct Reading {
    pub t_ms: u32,
    pub chroma: [Option<f32>; 2],
}

/// The skin-against-background chroma of every frame with a readable face.
pub fn readings(track: &Track, frames: &[RgbImage]) -> Vec<Reading> {
    track
        .samples
        .iter()
        .zip(frames)
        .filter_map(|(s, frame)| {
            let s = s.as_ref()?;
            if s.width < cut::MIN_FACE_PX || s.mesh.len() < 468 {
                return None;
            }
            let half = (s.width / 40.0).max(2.0) as i64;
            let skin = mean(
                frame,
                SKIN_POINTS.iter().map(|&i| {
                    let p = s.mesh[i];
                    (p[0] as i64 - half, p[1] as i64 - half, 2 * half + 1)
                }),
            )?;
            let fine = |v: f32| (8.0..=247.0).contains(&v);
            let read = [
                fine(skin[0]) && fine(skin[1]),
                fine(skin[2]) && fine(skin[1]),
            ];
            if !read[0] && !read[1] {
                return None;
            }
            // the background: the frame's side patches that lie outside the face's box (1.3×)
            let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
            for p in &s.mesh {
                x0 = x0.min(p[0]);
                y0 = y0.min(p[1]);
                x1 = x1.max(p[0]);
                y1 = y1.max(p[1]);
            }
            let (cx, cy, hw, hh) = (
                (x0 + x1) / 2.0,
                (y0 + y1) / 2.0,
                (x1 - x0) * 0.65,
                (y1 - y0) * 0.65,
            );
            let (w, h) = (frame.width() as i64, frame.height() as i64);
            let side = (w.min(h) / 8).max(4);
            let patches = [
                (0, 0),
                (w - side, 0),
                (0, h / 2 - side / 2),
                (w - side, h / 2 - side / 2),
            ];
            let outside = patches.into_iter().filter(|&(px, py)| {
                let (qx, qy) = (px as f32 + side as f32 / 2.0, py as f32 + side as f32 / 2.0);
                (qx - cx).abs() > hw + side as f32 / 2.0 || (qy - cy).abs() > hh + side as f32 / 2.0
            });
            let back = mean(frame, outside.map(|(px, py)| (px, py, side)))?;
            let ln = |v: f32| v.max(1.0).ln();
            Some(Reading {
                t_ms: s.t_ms,
                chroma: [
                    read[0].then(|| (ln(skin[0]) - ln(skin[1])) - (ln(back[0]) - ln(back[1]))),
                    read[1].then(|| (ln(skin[2]) - ln(skin[1])) - (ln(back[2]) - ln(back[1]))),
                ],
            })
        })
        .collect()
}

/// The mean colour of the square patches `(x, y, side)` (clipped to the frame); `None` when
/// none lies in it.
fn mean(frame: &RgbImage, patches: impl Iterator<Item = (i64, i64, i64)>) -> Option<[f32; 3]> {
    let (w, h) = (i64::from(frame.width()), i64::from(frame.height()));
    let mut sum = [0f64; 3];
    let mut n = 0u64;
    for (x, y, side) in patches {
        for yy in y.max(0)..(y + side).min(h) {
            for xx in x.max(0)..(x + side).min(w) {
                let p = frame.get_pixel(xx as u32, yy as u32).0;
                for c in 0..3 {
                    sum[c] += f64::from(p[c]);
                }
                n += 1;
            }
        }
    }
    (n > 0).then(|| sum.map(|v| (v / n as f64) as f32))
}

/// The screen colour's chroma, as the skin would take it on.
fn screen_chroma(rgb: [u8; 3]) -> [f32; 2] {
    let [r, g, b] = rgb.map(|v| f32::from(v) / 255.0);
    [r - g, b - g]
}

/// How well `lights` (shown `delay_ms` before each reading's time) predicts the readings: R²
/// over the channels read (each with at least 8 readings), 0 unless every such gain is
/// positive or none is read.
fn fit(readings: &[Reading], lights: &[Light], delay_ms: i64) -> f32 {
    let mut pairs: [Vec<(f32, f32)>; 2] = [Vec::new(), Vec::new()];
    for r in readings {
        let t = i64::from(r.t_ms) - delay_ms;
        let Some(i) = lights.iter().rposition(|l| i64::from(l.at_ms) <= t) else {
            continue;
        };
        if t - i64::from(lights[i].at_ms) < i64::from(cut::SETTLE_MS) {
            continue;
        }
        let screen = screen_chroma(lights[i].rgb);
        for c in 0..2 {
            if let Some(v) = r.chroma[c] {
                pairs[c].push((screen[c], v));
            }
        }
    }
    let (mut res, mut tot) = (0.0, 0.0);
    for pairs in pairs.iter().filter(|p| p.len() >= 8) {
        let n = pairs.len() as f32;
        let mx = pairs.iter().map(|p| p.0).sum::<f32>() / n;
        let my = pairs.iter().map(|p| p.1).sum::<f32>() / n;
        let sxx: f32 = pairs.iter().map(|p| (p.0 - mx).powi(2)).sum();
        let sxy: f32 = pairs.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
        let syy: f32 = pairs.iter().map(|p| (p.1 - my).powi(2)).sum();
        if sxx <= f32::EPSILON || syy <= f32::EPSILON || sxy <= 0.0 {
            return 0.0;
        }
        res += syy - sxy * sxy / sxx;
        tot += syy;
    }
    if tot <= 0.0 {
        return 0.0;
    }
    1.0 - res / tot
}

/// The best fit over the latencies a camera and a screen can add.
fn best_fit(readings: &[Reading], lights: &[Light]) -> f32 {
    (-5..=8)
        .map(|k| fit(readings, lights, k * 50))
        .fold(0.0, f32::max)
}

/// Whether the face in `track` followed `lights` (the states as the server sent them).
pub fn assess(track: &Track, frames: &[RgbImage], lights: &[Light]) -> Verdict {
    let (Some(first), Some(last)) = (lights.first(), lights.last()) else {
        return Verdict::Unmeasured { frames: 0, of: 0 };
    };
    let span = first.at_ms..last.at_ms + 700;
    let of = track
        .samples
        .iter()
        .filter(|s| s.as_ref().is_none_or(|s| span.contains(&s.t_ms)))
        .count();
    let readings: Vec<Reading> = readings(track, frames)
        .into_iter()
        .filter(|r| span.contains(&r.t_ms))
        .collect();
    if (readings.len() as f32) < cut::MIN_FRAMES_SHARE * of as f32 || readings.len() < 8 {
        return Verdict::Unmeasured {
            frames: readings.len(),
            of,
        };
    }
    judge(&readings, lights)
}

/// The statistic of [`assess`] on readings already taken.
pub fn judge(readings: &[Reading], lights: &[Light]) -> Verdict {
    let r2 = best_fit(readings, lights);
    // the other sequences: the same times, colours drawn as the real ones are; seeded by the
    // sequence itself, so a verdict can be computed again
    let seed = lights.iter().fold(0u64, |h, l| {
        h.wrapping_mul(1_000_003)
            .wrapping_add(u64::from(l.at_ms) ^ (u64::from(l.rgb[0]) << 32))
    });
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let beaten = (0..cut::OTHERS)
        .filter(|_| {
            let mut other = lights.to_vec();
            for i in 0..other.len() {
                other[i].rgb = loop {
                    let c = LIGHT_PALETTE[rng.gen_range(0..LIGHT_PALETTE.len())];
                    if i == 0 || other[i - 1].rgb != c {
                        break c;
                    }
                };
            }
            best_fit(readings, &other) < r2
        })
        .count();
    let rank = beaten as f32 / cut::OTHERS as f32;
    if r2 >= cut::MIN_R2 && rank >= cut::RANK {
        Verdict::Followed { r2, rank }
    } else {
        Verdict::NotFollowed { r2, rank }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sequence() -> Vec<Light> {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let mut out: Vec<Light> = Vec::new();
        let mut at = 300;
        while at < 7_500 {
            let rgb = loop {
                let c = LIGHT_PALETTE[rng.gen_range(0..LIGHT_PALETTE.len())];
                if out.last().is_none_or(|l| l.rgb != c) {
                    break c;
                }
            };
            out.push(Light { at_ms: at, rgb });
            at += 50 * rng.gen_range(8..=14);
        }
        out
    }

    /// Readings every 100 ms of a face lit by `lights` `delay` ms late with gain `gain`, with
    /// some noise.
    fn lit(lights: &[Light], gain: f32, delay: u32) -> Vec<Reading> {
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        (3..76)
            .map(|i| {
                let t = i * 100;
                let c = lights
                    .iter()
                    .rev()
                    .find(|l| l.at_ms + delay <= t)
                    .map_or([0.0, 0.0], |l| screen_chroma(l.rgb));
                Reading {
                    t_ms: t,
                    chroma: [
                        Some(0.2 + gain * c[0] + rng.gen_range(-0.01..0.01)),
                        Some(-0.1 + gain * c[1] + rng.gen_range(-0.01..0.01)),
                    ],
                }
            })
            .collect()
    }

    /// Another sequence on the same times as `lights`, each colour different from its own.
    fn another(lights: &[Light]) -> Vec<Light> {
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        let mut other = lights.to_vec();
        for i in 0..other.len() {
            other[i].rgb = loop {
                let c = LIGHT_PALETTE[rng.gen_range(0..LIGHT_PALETTE.len())];
                if c != lights[i].rgb && (i == 0 || other[i - 1].rgb != c) {
                    break c;
                }
            };
        }
        other
    }

    /// A bright, warm face whose red is at the sensor's end in every frame: the blue against
    /// green alone is read, and decides (measured: `cage-1`'s render read `not measured` in 4
    /// of 5 sequences when a clipped red dropped the whole frame).
    #[test]
    fn a_clipped_channel_leaves_the_other_to_decide() {
        let lights = sequence();
        let red_clipped = |r: Vec<Reading>| -> Vec<Reading> {
            r.into_iter()
                .map(|mut r| {
                    r.chroma[0] = None;
                    r
                })
                .collect()
        };
        assert!(matches!(
            judge(&red_clipped(lit(&lights, 0.08, 150)), &lights),
            Verdict::Followed { .. }
        ));
        assert!(matches!(
            judge(&red_clipped(lit(&another(&lights), 0.08, 150)), &lights),
            Verdict::NotFollowed { .. }
        ));
        assert!(matches!(
            judge(&red_clipped(lit(&lights, 0.0, 150)), &lights),
            Verdict::NotFollowed { .. }
        ));
    }

    #[test]
    fn a_face_lit_by_the_sequence_follows_it_and_one_lit_by_another_does_not() {
        let lights = sequence();
        assert!(matches!(
            judge(&lit(&lights, 0.08, 150), &lights),
            Verdict::Followed { .. }
        ));
        // not lit at all: noise only
        assert!(matches!(
            judge(&lit(&lights, 0.0, 150), &lights),
            Verdict::NotFollowed { .. }
        ));
        // lit by another sequence of the same times (a render made for another recording)
        assert!(matches!(
            judge(&lit(&another(&lights), 0.08, 150), &lights),
            Verdict::NotFollowed { .. }
        ));
    }
}
