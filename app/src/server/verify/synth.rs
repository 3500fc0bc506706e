//! Synthetic presentations for the liveness evaluation, the benchmark and the browser tests'
//! fake camera, made from one photo: the photo's face mesh is turned in 3D and re-projected,
//! and the picture is warped triangle by triangle onto it (far triangles first), so a head
//! turns with real parallax, looks up and blinks (the upper lids drawn down over the eyes).
//! A "performance" follows a challenge's prompts on a timeline, with a little idle motion
//! throughout, as a live person would.
//!
//! No registry package ships face videos; this is how genuine presentations are made here
//! (README, "Liveness").

use image::{Rgb, RgbImage};

use super::{
    face::FaceModels,
    mesh::{Crop, FaceMesh, bilinear},
};
use crate::challenge::{Challenge, Prompt};

/// The frame the actor is rendered in.
pub const WIDTH: u32 = 640;
pub const HEIGHT: u32 = 480;
/// The face's width in the frame, in pixels.
const FACE_WIDTH: f32 = 190.0;
const WALL: [u8; 3] = [180, 180, 180];

/// Upper and lower lid points of each eye, paired (MediaPipe's canonical mesh).
const LIDS: [(usize, usize); 14] = [
    (246, 7),
    (161, 163),
    (160, 144),
    (159, 145),
    (158, 153),
    (157, 154),
    (173, 155),
    (466, 249),
    (388, 390),
    (387, 373),
    (386, 374),
    (385, 380),
    (384, 381),
    (398, 382),
];

/// The face's outline (MediaPipe's face oval), which the head around it follows.
const OVAL: [usize; 36] = [
    10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152,
    148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
];
/// The creases above the upper lids, which close half as far as the lids (same order as the
/// upper lids in `LIDS`).
const CREASES: [usize; 14] = [
    247, 30, 29, 27, 28, 56, 190, 467, 260, 259, 257, 258, 286, 414,
];

/// A head pose to render: degrees (yaw positive to the person's left, pitch positive up), eye
/// closure 0 (open) to 1 (closed), and a shift of the whole picture in pixels.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Pose {
    pub yaw: f32,
    pub pitch: f32,
    pub closed: f32,
    pub dx: f32,
    pub dy: f32,
}

/// A photo made ready to perform: framed, with its mesh and triangles.
pub struct Actor {
    base: RgbImage,
    /// The mesh's 468 points, then a ring around the outline (hair, ears, jaw: they turn with
    /// the head, set back from the face), then a fixed outer ring (shoulders, wall: they stay).
    points: Vec<[f32; 3]>,
    triangles: Vec<[usize; 3]>,
}

/// Where the head's ring and the fixed ring sit, as multiples of the outline's distance from
/// the face's centre; how far the ring is set back, as a share of the face's width.
const HEAD_RING: f32 = 1.3;
const FIXED_RING: f32 = 2.2;
const HEAD_RING_DEPTH: f32 = 0.25;

impl Actor {
    /// Frames the photo's largest face in a 640×480 picture on a grey wall and meshes it.
    pub fn new(models: &FaceModels, mesh: &FaceMesh, photo: &RgbImage) -> anyhow::Result<Self> {
        let faces = models.detect(photo, super::face::LARGE, 0.6)?;
        let face =
            super::face::largest(&faces).ok_or_else(|| anyhow::anyhow!("no face in the photo"))?;
        let scale = FACE_WIDTH / face.w.max(1.0);
        let (fcx, fcy) = (face.x + face.w / 2.0, face.y + face.h / 2.0);
        let (tx, ty) = (WIDTH as f32 / 2.0, HEIGHT as f32 * 0.45);
        let (pw, ph) = photo.dimensions();
        let raw = photo.as_raw();
        let base = RgbImage::from_fn(WIDTH, HEIGHT, |x, y| {
            let sx = (x as f32 - tx) / scale + fcx;
            let sy = (y as f32 - ty) / scale + fcy;
            if sx < 0.0 || sy < 0.0 || sx >= pw as f32 - 1.0 || sy >= ph as f32 - 1.0 {
                return Rgb(WALL);
            }
            let p = bilinear(raw, pw, ph, sx, sy);
            Rgb([p[0] as u8, p[1] as u8, p[2] as u8])
        });
        let faces = models.detect(&base, super::face::SMALL, 0.6)?;
        let face = super::face::largest(&faces)
            .ok_or_else(|| anyhow::anyhow!("no face in the framed photo"))?;
        let m = mesh.run(&base, Crop::around_face(&face))?;
        let m = mesh.run(&base, m.next_crop())?;
        let mut points = m.points.clone();
        let n = points.len() as f32;
        let c = points.iter().fold([0f32; 3], |a, p| {
            [a[0] + p[0] / n, a[1] + p[1] / n, a[2] + p[2] / n]
        });
        let width = m.width();
        for &i in &OVAL {
            let p = m.points[i];
            points.push([
                c[0] + HEAD_RING * (p[0] - c[0]),
                c[1] + HEAD_RING * (p[1] - c[1]),
                p[2] + HEAD_RING_DEPTH * width,
            ]);
        }
        for &i in &OVAL {
            let p = m.points[i];
            points.push([
                c[0] + FIXED_RING * (p[0] - c[0]),
                c[1] + FIXED_RING * (p[1] - c[1]),
                f32::NAN,
            ]);
        }
        let flat: Vec<[f32; 2]> = points.iter().map(|p| [p[0], p[1]]).collect();
        Ok(Self {
            triangles: delaunay(&flat),
            points,
            base,
        })
    }

    /// [`Actor::new`] for a photo file.
    pub fn from_file(
        models: &FaceModels,
        mesh: &FaceMesh,
        path: &std::path::Path,
    ) -> anyhow::Result<Self> {
        let img = image::open(path)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
            .to_rgb8();
        Self::new(models, mesh, &img)
    }

    /// The picture in `pose`.
    pub fn render(&self, pose: Pose) -> RgbImage {
        let face = &self.points[..468];
        let n = face.len() as f32;
        let c = face.iter().fold([0f32; 3], |a, p| {
            [a[0] + p[0] / n, a[1] + p[1] / n, a[2] + p[2] / n]
        });
        let mut src = self.points.clone();
        for (&(up, low), &crease) in LIDS.iter().zip(&CREASES) {
            let (u, l) = (src[up], src[low]);
            let k = pose.closed;
            let (dx, dy) = (k * (l[0] - u[0]), k * (l[1] - u[1]));
            src[up] = [u[0] + dx, u[1] + dy, u[2]];
            let cr = src[crease];
            src[crease] = [cr[0] + dx / 2.0, cr[1] + dy / 2.0, cr[2]];
        }
        let (sy, cy) = pose.yaw.to_radians().sin_cos();
        let (sp, cp) = pose.pitch.to_radians().sin_cos();
        // turn each point about the head's centre: yaw about the vertical axis, then pitch
        let dst: Vec<[f32; 3]> = src
            .iter()
            .map(|p| {
                if p[2].is_nan() {
                    // the fixed ring: the picture around the head, only shifted
                    return [p[0] + pose.dx, p[1] + pose.dy, f32::MAX];
                }
                let (x, y, z) = (p[0] - c[0], p[1] - c[1], p[2] - c[2]);
                let (x1, z1) = (x * cy - z * sy, x * sy + z * cy);
                let (y2, z2) = (y * cp + z1 * sp, -y * sp + z1 * cp);
                [c[0] + x1 + pose.dx, c[1] + y2 + pose.dy, z2]
            })
            .collect();
        // the texture stays where each point was in the base picture: lids drawn down stretch
        // the skin above them over the eye, and the triangles across the eye collapse
        let tex: Vec<[f32; 2]> = self.points.iter().map(|p| [p[0], p[1]]).collect();
        let mut out = shifted(&self.base, pose.dx, pose.dy);
        let mut order: Vec<&[usize; 3]> = self.triangles.iter().collect();
        let depth = |t: &[usize; 3]| dst[t[0]][2] + dst[t[1]][2] + dst[t[2]][2];
        order.sort_by(|a, b| depth(b).total_cmp(&depth(a)));
        for t in order {
            fill(&mut out, &self.base, t.map(|i| dst[i]), t.map(|i| tex[i]));
        }
        out
    }
}

/// The base picture moved by (dx, dy), the wall filling in.
fn shifted(base: &RgbImage, dx: f32, dy: f32) -> RgbImage {
    if dx == 0.0 && dy == 0.0 {
        return base.clone();
    }
    let (w, h) = base.dimensions();
    let raw = base.as_raw();
    RgbImage::from_fn(w, h, |x, y| {
        let (sx, sy) = (x as f32 - dx, y as f32 - dy);
        if sx < 0.0 || sy < 0.0 || sx >= w as f32 - 1.0 || sy >= h as f32 - 1.0 {
            return Rgb(WALL);
        }
        let p = bilinear(raw, w, h, sx, sy);
        Rgb([p[0] as u8, p[1] as u8, p[2] as u8])
    })
}

/// Paints triangle `d` (destination, frame pixels) with the texture of triangle `s` of `base`.
fn fill(out: &mut RgbImage, base: &RgbImage, d: [[f32; 3]; 3], s: [[f32; 2]; 3]) {
    let (w, h) = out.dimensions();
    let x0 = d
        .iter()
        .map(|p| p[0])
        .fold(f32::MAX, f32::min)
        .floor()
        .max(0.0) as u32;
    let x1 = d
        .iter()
        .map(|p| p[0])
        .fold(f32::MIN, f32::max)
        .ceil()
        .min(w as f32 - 1.0) as u32;
    let y0 = d
        .iter()
        .map(|p| p[1])
        .fold(f32::MAX, f32::min)
        .floor()
        .max(0.0) as u32;
    let y1 = d
        .iter()
        .map(|p| p[1])
        .fold(f32::MIN, f32::max)
        .ceil()
        .min(h as f32 - 1.0) as u32;
    let det = (d[1][1] - d[2][1]) * (d[0][0] - d[2][0]) + (d[2][0] - d[1][0]) * (d[0][1] - d[2][1]);
    if det.abs() < 1e-3 {
        return;
    }
    let (bw, bh) = base.dimensions();
    let raw = base.as_raw();
    for y in y0..=y1 {
        for x in x0..=x1 {
            let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
            let a =
                ((d[1][1] - d[2][1]) * (px - d[2][0]) + (d[2][0] - d[1][0]) * (py - d[2][1])) / det;
            let b =
                ((d[2][1] - d[0][1]) * (px - d[2][0]) + (d[0][0] - d[2][0]) * (py - d[2][1])) / det;
            let c = 1.0 - a - b;
            if a < -0.01 || b < -0.01 || c < -0.01 {
                continue;
            }
            let sx = a * s[0][0] + b * s[1][0] + c * s[2][0];
            let sy = a * s[0][1] + b * s[1][1] + c * s[2][1];
            let p = bilinear(raw, bw, bh, sx, sy);
            out.put_pixel(x, y, Rgb([p[0] as u8, p[1] as u8, p[2] as u8]));
        }
    }
}

/// Delaunay triangles of `pts` (Bowyer–Watson; a few hundred points).
pub(super) fn delaunay(pts: &[[f32; 2]]) -> Vec<[usize; 3]> {
    let n = pts.len();
    let mut all: Vec<[f64; 2]> = pts
        .iter()
        .map(|p| [f64::from(p[0]), f64::from(p[1])])
        .collect();
    let (mut lo, mut hi) = ([f64::MAX; 2], [f64::MIN; 2]);
    for p in &all {
        lo = [lo[0].min(p[0]), lo[1].min(p[1])];
        hi = [hi[0].max(p[0]), hi[1].max(p[1])];
    }
    let span = (hi[0] - lo[0]).max(hi[1] - lo[1]).max(1.0) * 20.0;
    let mid = [(lo[0] + hi[0]) / 2.0, (lo[1] + hi[1]) / 2.0];
    all.push([mid[0] - span, mid[1] - span]);
    all.push([mid[0] + span, mid[1] - span]);
    all.push([mid[0], mid[1] + span]);
    let mut tris: Vec<[usize; 3]> = vec![[n, n + 1, n + 2]];
    let circum = |t: &[usize; 3]| -> ([f64; 2], f64) {
        let (a, b, c) = (all[t[0]], all[t[1]], all[t[2]]);
        let d = 2.0 * (a[0] * (b[1] - c[1]) + b[0] * (c[1] - a[1]) + c[0] * (a[1] - b[1]));
        if d.abs() < 1e-12 {
            return ([0.0, 0.0], f64::MAX);
        }
        let sq = |p: [f64; 2]| p[0] * p[0] + p[1] * p[1];
        let ux = (sq(a) * (b[1] - c[1]) + sq(b) * (c[1] - a[1]) + sq(c) * (a[1] - b[1])) / d;
        let uy = (sq(a) * (c[0] - b[0]) + sq(b) * (a[0] - c[0]) + sq(c) * (b[0] - a[0])) / d;
        ([ux, uy], (a[0] - ux).powi(2) + (a[1] - uy).powi(2))
    };
    for (i, &p) in all.iter().enumerate().take(n) {
        let (bad, keep): (Vec<[usize; 3]>, Vec<[usize; 3]>) = tris.into_iter().partition(|t| {
            let (c, r2) = circum(t);
            (p[0] - c[0]).powi(2) + (p[1] - c[1]).powi(2) < r2
        });
        tris = keep;
        let mut edges: Vec<[usize; 2]> = Vec::new();
        for t in &bad {
            for e in [[t[0], t[1]], [t[1], t[2]], [t[2], t[0]]] {
                let shared = bad
                    .iter()
                    .filter(|o| o.contains(&e[0]) && o.contains(&e[1]));
                if shared.count() == 1 {
                    edges.push(e);
                }
            }
        }
        for e in edges {
            tris.push([e[0], e[1], i]);
        }
    }
    tris.retain(|t| t.iter().all(|&v| v < n));
    tris
}

/// The pose at `t_ms` of a person answering `challenge` whose prompts appeared at `shown_ms`:
/// each move starts 400 ms after its prompt, reaches its peak in 300 ms, holds 250 ms and comes
/// back in 300 ms; "blink twice" is two 300 ms blinks (120 ms closed) 450 ms apart; idle sway
/// throughout.
pub fn performance(challenge: &Challenge, shown_ms: &[u32], t_ms: f32) -> Pose {
    let t = t_ms / 1000.0;
    let mut pose = Pose {
        yaw: 2.0 * (t * std::f32::consts::TAU / 2.3).sin(),
        pitch: 1.5 * (t * std::f32::consts::TAU / 3.1).sin(),
        closed: 0.0,
        dx: 4.0 * (t * std::f32::consts::TAU / 4.1).sin(),
        dy: 2.0 * (t * std::f32::consts::TAU / 3.7).sin(),
    };
    for (step, &shown) in challenge.steps.iter().zip(shown_ms) {
        let s = t_ms - shown as f32 - 400.0;
        let amount = if s < 0.0 {
            0.0
        } else if s < 300.0 {
            s / 300.0
        } else if s < 550.0 {
            1.0
        } else if s < 850.0 {
            1.0 - (s - 550.0) / 300.0
        } else {
            0.0
        };
        match step.prompt {
            Prompt::TurnLeft => pose.yaw += 30.0 * amount,
            Prompt::TurnRight => pose.yaw -= 30.0 * amount,
            Prompt::LookUp => pose.pitch += 20.0 * amount,
            Prompt::LookDown => pose.pitch -= 20.0 * amount,
            Prompt::Blink => {
                let blink = |from: f32| {
                    let u = s - from;
                    if (0.0..80.0).contains(&u) {
                        u / 80.0
                    } else if (80.0..200.0).contains(&u) {
                        1.0
                    } else if (200.0..300.0).contains(&u) {
                        1.0 - (u - 200.0) / 100.0
                    } else {
                        0.0
                    }
                };
                pose.closed = pose.closed.max(blink(0.0)).max(blink(450.0));
            }
        }
    }
    pose
}

/// A screen's light `rgb` on a rendered face: the skin takes on the colour's chroma (a gain of
/// 0.35 at the face's centre, fading out at its edge), the wall behind takes none. The face of
/// an [`Actor`]'s render is centred at (320, 216), 190 px wide.
pub fn screen_lit(frame: &mut RgbImage, rgb: [u8; 3]) {
    let c = rgb.map(|v| f32::from(v) / 255.0);
    let mean = (c[0] + c[1] + c[2]) / 3.0;
    for (x, y, p) in frame.enumerate_pixels_mut() {
        let (dx, dy) = ((x as f32 - 320.0) / 130.0, (y as f32 - 216.0) / 170.0);
        let w = (1.0 - (dx * dx + dy * dy).sqrt()).max(0.0).sqrt();
        if w > 0.0 {
            for (v, &cc) in p.0.iter_mut().zip(&c) {
                let f = 1.0 + 0.35 * w * (cc - mean);
                *v = (f32::from(*v) * f).round().clamp(0.0, 255.0) as u8;
            }
        }
    }
}

/// The colour of `lights` a camera sees at `t_ms` (100 ms after the screen showed it).
pub fn light_at(lights: &[crate::challenge::Light], t_ms: f32) -> Option<[u8; 3]> {
    lights
        .iter()
        .rev()
        .find(|l| l.at_ms as f32 + 100.0 <= t_ms)
        .map(|l| l.rgb)
}

/// Frames of a performance as a YUV4MPEG2 stream (4:2:0, full range), what Chromium's fake
/// camera reads and ffmpeg encodes.
pub fn y4m(frames: impl Iterator<Item = RgbImage>, fps: u32) -> Vec<u8> {
    let mut out = format!("YUV4MPEG2 W{WIDTH} H{HEIGHT} F{fps}:1 Ip A1:1 C420jpeg\n").into_bytes();
    for f in frames {
        out.extend_from_slice(b"FRAME\n");
        let (w, h) = (WIDTH as usize, HEIGHT as usize);
        let raw = f.as_raw();
        let px = |x: usize, y: usize| {
            let o = (y * w + x) * 3;
            (
                f32::from(raw[o]),
                f32::from(raw[o + 1]),
                f32::from(raw[o + 2]),
            )
        };
        for y in 0..h {
            for x in 0..w {
                let (r, g, b) = px(x, y);
                out.push(
                    (0.299 * r + 0.587 * g + 0.114 * b)
                        .round()
                        .clamp(0.0, 255.0) as u8,
                );
            }
        }
        let mut u = Vec::with_capacity(w * h / 4);
        let mut v = Vec::with_capacity(w * h / 4);
        for y in (0..h).step_by(2) {
            for x in (0..w).step_by(2) {
                let (mut r, mut g, mut b) = (0.0, 0.0, 0.0);
                for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                    let p = px(x + dx, y + dy);
                    r += p.0 / 4.0;
                    g += p.1 / 4.0;
                    b += p.2 / 4.0;
                }
                u.push(
                    (128.0 - 0.168_736 * r - 0.331_264 * g + 0.5 * b)
                        .round()
                        .clamp(0.0, 255.0) as u8,
                );
                v.push(
                    (128.0 + 0.5 * r - 0.418_688 * g - 0.081_312 * b)
                        .round()
                        .clamp(0.0, 255.0) as u8,
                );
            }
        }
        out.extend_from_slice(&u);
        out.extend_from_slice(&v);
    }
    out
}

/// Renders `challenge` performed by `actor` after `lead_ms` of idle (a camera that started
/// before the recording), at `fps`, as Y4M. The prompts appear at their scheduled times.
pub fn perform(actor: &Actor, challenge: &Challenge, lead_ms: u32, fps: u32) -> Vec<u8> {
    let shown: Vec<u32> = challenge.steps.iter().map(|s| s.at_ms).collect();
    let total = lead_ms + challenge.record_ms + 1_000;
    let count = (total as usize * fps as usize).div_ceil(1000);
    y4m(
        (0..count).map(|i| {
            let t = (i as f32 * 1000.0 / fps as f32) - lead_ms as f32;
            actor.render(performance(challenge, &shown, t))
        }),
        fps,
    )
}
