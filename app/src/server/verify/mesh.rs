//! The 468-point face mesh: MediaPipe's face_landmark model (converted to ONNX at set-up by
//! `scripts/face_mesh_onnx.py` from the pinned PyPI wheel), run with tract on a square crop
//! around the face. From its 3D points: head pose (yaw, pitch) and eye openness.
//!
//! The crop comes from a YuNet box for the first frame and from the previous frame's mesh after
//! that (tracking), so detection runs only where the track is lost.

use std::{path::Path, sync::Arc};

use anyhow::{Context, bail};
use image::RgbImage;
use tract_onnx::prelude::*;

use super::face::Face;

pub const MESH_FILE: &str = "face_mesh_468.onnx";
/// Columns and rows of an eye patch ([`Mesh::eye_patches`]).
pub const EYE_PATCH: (usize, usize) = (16, 8);
/// Side of the model's square input, in pixels.
const SIDE: usize = 192;
/// The crop's side against the face's size (the model was trained on crops with this margin).
const CROP_MARGIN: f32 = 1.6;

/// Indices of named points of the mesh (MediaPipe's canonical face).
mod point {
    pub const FOREHEAD: usize = 10;
    pub const CHIN: usize = 152;
    /// The cheek's edge on the image's left (the person's right) and right.
    pub const CHEEK_IMAGE_LEFT: usize = 234;
    pub const CHEEK_IMAGE_RIGHT: usize = 454;
    /// Eyelids (upper, lower) and the brow points that scale them, per eye.
    pub const EYE_A: [usize; 4] = [159, 145, 223, 230];
    pub const EYE_B: [usize; 4] = [386, 374, 443, 450];
    /// Each eye's corners.
    pub const EYE_CORNERS_A: [usize; 2] = [33, 133];
    pub const EYE_CORNERS_B: [usize; 2] = [362, 263];
}

/// A square region of a frame: centre and side, in frame pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Crop {
    pub cx: f32,
    pub cy: f32,
    pub side: f32,
}

impl Crop {
    /// Around a detected face.
    pub fn around_face(f: &Face) -> Self {
        Self {
            cx: f.x + f.w / 2.0,
            cy: f.y + f.h / 2.0,
            side: f.w.max(f.h) * CROP_MARGIN,
        }
    }
}

/// The mesh of one face: 468 points (x, y in frame pixels, z in the same scale, smaller is
/// nearer the camera) and the model's confidence that a face is there.
#[derive(Debug, Clone)]
pub struct Mesh {
    pub points: Vec<[f32; 3]>,
    pub presence: f32,
}

impl Mesh {
    /// The crop for the next frame: around this mesh's points.
    pub fn next_crop(&self) -> Crop {
        let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
        for p in &self.points {
            x0 = x0.min(p[0]);
            y0 = y0.min(p[1]);
            x1 = x1.max(p[0]);
            y1 = y1.max(p[1]);
        }
        Crop {
            cx: (x0 + x1) / 2.0,
            cy: (y0 + y1) / 2.0,
            side: (x1 - x0).max(y1 - y0) * CROP_MARGIN,
        }
    }

    /// Width of the face (cheek to cheek), in frame pixels.
    pub fn width(&self) -> f32 {
        width_of(&self.points)
    }

    /// Head pose in degrees: yaw positive when the person turns to their left (the nose moves
    /// to the image's right in an unmirrored recording), pitch positive when they look up.
    pub fn pose(&self) -> (f32, f32) {
        let p = &self.points;
        let across = sub(p[point::CHEEK_IMAGE_RIGHT], p[point::CHEEK_IMAGE_LEFT]);
        let down = sub(p[point::CHIN], p[point::FOREHEAD]);
        // the face's normal points away from the camera (+z) on a frontal face; facing is its
        // opposite
        let n = cross(across, down);
        let len = (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]).sqrt().max(1e-6);
        let f = [-n[0] / len, -n[1] / len, -n[2] / len];
        let yaw = f[0].atan2(-f[2]).to_degrees();
        let pitch = (-f[1]).atan2(-f[2]).to_degrees();
        (yaw, pitch)
    }

    /// Eye openness, the mean of both eyes: lid gap over the brow-to-cheek span under the eye.
    /// About 0.3 open; below about 0.2 closed (calibrated in `liveness`).
    pub fn eye_openness(&self) -> f32 {
        let eye = |[up, low, a, b]: [usize; 4]| {
            dist2(self.points[up], self.points[low])
                / dist2(self.points[a], self.points[b]).max(1e-3)
        };
        (eye(point::EYE_A) + eye(point::EYE_B)) / 2.0
    }

    /// Both eyes' regions resampled to 16×8 grey patches on the eye's own axis (corner to
    /// corner, centred between the lids), each normalised to zero mean and unit variance: 256
    /// values. A closing eye changes its patch (the iris goes under the lid) much more than
    /// its mesh points move, so blinks are read from these (`liveness`).
    pub fn eye_patches(&self, img: &RgbImage) -> Vec<f32> {
        let p = &self.points;
        let (w, h) = img.dimensions();
        let raw = img.as_raw();
        let mut out = Vec::with_capacity(2 * EYE_PATCH.0 * EYE_PATCH.1);
        for ([up, low, ..], [c0, c1]) in [
            (point::EYE_A, point::EYE_CORNERS_A),
            (point::EYE_B, point::EYE_CORNERS_B),
        ] {
            let (a, b) = (p[c0], p[c1]);
            let (ux, uy) = (b[0] - a[0], b[1] - a[1]);
            let (vx, vy) = (-uy, ux);
            let (mx, my) = ((p[up][0] + p[low][0]) / 2.0, (p[up][1] + p[low][1]) / 2.0);
            let start = out.len();
            for j in 0..EYE_PATCH.1 {
                let v = (j as f32 + 0.5) / EYE_PATCH.1 as f32 * 0.6 - 0.3;
                for i in 0..EYE_PATCH.0 {
                    let u = (i as f32 + 0.5) / EYE_PATCH.0 as f32 * 1.2 - 0.6;
                    let q = bilinear(raw, w, h, mx + u * ux + v * vx, my + u * uy + v * vy);
                    out.push(0.299 * q[0] + 0.587 * q[1] + 0.114 * q[2]);
                }
            }
            let patch = &mut out[start..];
            let n = patch.len() as f32;
            let mean = patch.iter().sum::<f32>() / n;
            let sd = (patch.iter().map(|x| (x - mean).powi(2)).sum::<f32>() / n)
                .sqrt()
                .max(1.0);
            for x in patch.iter_mut() {
                *x = (*x - mean) / sd;
            }
        }
        out
    }
}

fn sub(a: [f32; 3], b: [f32; 3]) -> [f32; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

fn cross(a: [f32; 3], b: [f32; 3]) -> [f32; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

/// Width (cheek to cheek, in pixels) of a face whose mesh points are `points`.
pub(super) fn width_of(points: &[[f32; 3]]) -> f32 {
    dist2(
        points[point::CHEEK_IMAGE_LEFT],
        points[point::CHEEK_IMAGE_RIGHT],
    )
}

fn dist2(a: [f32; 3], b: [f32; 3]) -> f32 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

pub struct FaceMesh {
    plan: Arc<TypedRunnableModel>,
}

impl FaceMesh {
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        let path = dir.join(MESH_FILE);
        if !path.exists() {
            bail!(
                "face mesh model {} is missing (scripts/run.sh makes it; set {})",
                path.display(),
                crate::server::config::settings::MODELS_DIR.name
            );
        }
        Self::from_plan(super::face::plan(&path, [1, SIDE, SIDE, 3])?, &path)
    }

    /// The mesh over a loaded plan, which must have the face-presence output (the second):
    /// without it every frame would read "no face" and liveness would go silent, so a model
    /// without it does not load.
    fn from_plan(plan: Arc<TypedRunnableModel>, path: &Path) -> anyhow::Result<Self> {
        let outputs = plan.model().outputs.len();
        if outputs < 2 {
            bail!(
                "face mesh model {} has {outputs} output(s), not the landmarks and the face's \
                 presence (scripts/run.sh makes it with both)",
                path.display()
            );
        }
        Ok(Self { plan })
    }

    /// The mesh of the face in `crop` of `img` (the crop may reach outside the frame: black).
    pub fn run(&self, img: &RgbImage, crop: Crop) -> anyhow::Result<Mesh> {
        let scale = crop.side / SIDE as f32;
        let (x0, y0) = (crop.cx - crop.side / 2.0, crop.cy - crop.side / 2.0);
        let input = crop_input(img, x0, y0, scale);
        let out = self.plan.run(tvec!(input.into()))?;
        let lm = out[0].to_plain_array_view::<f32>()?;
        let logit = out[1]
            .to_plain_array_view::<f32>()?
            .iter()
            .next()
            .copied()
            .context("face mesh gave no presence value")?;
        let lm: Vec<f32> = lm.iter().copied().collect();
        if lm.len() != 468 * 3 {
            bail!("face mesh gave {} values, not 1404", lm.len());
        }
        let points = lm
            .chunks_exact(3)
            .map(|c| [x0 + c[0] * scale, y0 + c[1] * scale, c[2] * scale])
            .collect();
        Ok(Mesh {
            points,
            presence: 1.0 / (1.0 + (-logit).exp()),
        })
    }
}

/// The model's input: the crop resampled bilinearly to 192×192, RGB in [0, 1], black outside
/// the frame. Columns' source pixels and weights are worked out once per crop.
fn crop_input(img: &RgbImage, x0: f32, y0: f32, scale: f32) -> Tensor {
    let (w, h) = img.dimensions();
    let raw = img.as_raw();
    // per output column/row: first source index (or None outside), and the weight of the next
    let axis = |origin: f32| -> Vec<(i64, f32)> {
        (0..SIDE)
            .map(|i| {
                let s = origin + (i as f32 + 0.5) * scale - 0.5;
                let f = s.floor();
                (f as i64, s - f)
            })
            .collect()
    };
    let (xs, ys) = (axis(x0), axis(y0));
    let (wi, hi) = (i64::from(w), i64::from(h));
    let mut data = vec![0f32; SIDE * SIDE * 3];
    let px = |x: i64, y: i64, c: usize| -> f32 {
        if x < 0 || y < 0 || x >= wi || y >= hi {
            0.0
        } else {
            f32::from(raw[((y * wi + x) * 3) as usize + c])
        }
    };
    for (j, &(y, fy)) in ys.iter().enumerate() {
        if y + 1 < 0 || y >= hi {
            continue;
        }
        for (i, &(x, fx)) in xs.iter().enumerate() {
            if x + 1 < 0 || x >= wi {
                continue;
            }
            let o = (j * SIDE + i) * 3;
            let inside = x >= 0 && y >= 0 && x + 1 < wi && y + 1 < hi;
            for c in 0..3 {
                let (a, b, cc, d) = if inside {
                    let base = ((y * wi + x) * 3) as usize + c;
                    let row = (wi * 3) as usize;
                    (
                        f32::from(raw[base]),
                        f32::from(raw[base + 3]),
                        f32::from(raw[base + row]),
                        f32::from(raw[base + row + 3]),
                    )
                } else {
                    (
                        px(x, y, c),
                        px(x + 1, y, c),
                        px(x, y + 1, c),
                        px(x + 1, y + 1, c),
                    )
                };
                let top = a + (b - a) * fx;
                let bot = cc + (d - cc) * fx;
                data[o + c] = (top + (bot - top) * fy) / 255.0;
            }
        }
    }
    Tensor::from_shape(&[1, SIDE, SIDE, 3], &data).expect("the shape fits the data")
}

/// A pixel at fractional coordinates, black outside the image.
pub fn bilinear(raw: &[u8], w: u32, h: u32, x: f32, y: f32) -> [f32; 3] {
    let (w, h) = (w as i64, h as i64);
    let (fx, fy) = (x.floor(), y.floor());
    let (ax, ay) = (x - fx, y - fy);
    let (ix, iy) = (fx as i64, fy as i64);
    let at = |xx: i64, yy: i64| -> [f32; 3] {
        if xx < 0 || yy < 0 || xx >= w || yy >= h {
            return [0.0; 3];
        }
        let o = ((yy * w + xx) * 3) as usize;
        [
            f32::from(raw[o]),
            f32::from(raw[o + 1]),
            f32::from(raw[o + 2]),
        ]
    };
    let (a, b, c, d) = (
        at(ix, iy),
        at(ix + 1, iy),
        at(ix, iy + 1),
        at(ix + 1, iy + 1),
    );
    let mut out = [0f32; 3];
    for k in 0..3 {
        let top = a[k] * (1.0 - ax) + b[k] * ax;
        let bot = c[k] * (1.0 - ax) + d[k] * ax;
        out[k] = top * (1.0 - ay) + bot * ay;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A plan of the mesh's input shape with one output only.
    fn one_output_plan() -> Arc<TypedRunnableModel> {
        let mut model = TypedModel::default();
        let input = model
            .add_source("input", f32::fact([1, SIDE, SIDE, 3]))
            .unwrap();
        model.select_output_outlets(&[input]).unwrap();
        model.into_runnable().unwrap()
    }

    #[test]
    fn a_mesh_model_without_its_presence_output_does_not_load() {
        let err = FaceMesh::from_plan(one_output_plan(), Path::new("mesh.onnx"))
            .err()
            .expect("a model without the presence output is refused");
        assert!(err.to_string().contains("1 output(s)"), "{err}");
    }
}
