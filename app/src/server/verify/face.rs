//! The local face model, in pure Rust with tract: YuNet (detection + 5 landmarks) and SFace
//! (128-d embedding of a face aligned by its landmarks). Models are loaded once.
//!
//! tract does not run the block-quantized weights of the int8 files, so at load every
//! `DequantizeLinear` node whose inputs are all constants is folded into an f32 constant. And
//! tract runs `PRelu` as a compare, a select and a broadcast multiply, half of SFace's and of
//! the face mesh's time: each one with a constant slope is rewritten as `x + (slope - 1) ·
//! min(x, 0)`, which tract fuses into one pass (the same values; see [`fast_prelu`]).

use std::{collections::HashSet, path::Path, sync::Arc};

use anyhow::{Context, bail};
use image::RgbImage;
use tract_onnx::{
    pb::{self, tensor_proto::DataType},
    prelude::*,
};

type Plan = Arc<TypedRunnableModel>;

pub const YUNET_FILE: &str = "face_detection_yunet_2023mar_int8bq.onnx";
pub const SFACE_FILE: &str = "face_recognition_sface_2021dec_int8bq.onnx";

/// A detected face in the coordinates of the image it was found in.
#[derive(Debug, Clone, Copy)]
pub struct Face {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
    pub score: f32,
    /// right eye, left eye, nose tip, right mouth corner, left mouth corner (image coordinates)
    pub landmarks: [[f32; 2]; 5],
}

impl Face {
    pub fn area(&self) -> f32 {
        self.w.max(0.0) * self.h.max(0.0)
    }
    /// Head yaw proxy: how far the nose tip sits from the eye midpoint, in inter-ocular
    /// distances. A real head turning moves it; a flat photo turned in front of the camera
    /// foreshortens but keeps it centred.
    pub fn yaw(&self) -> f32 {
        let [re, le, nose, _, _] = self.landmarks;
        let mid = (re[0] + le[0]) / 2.0;
        let iod = ((le[0] - re[0]).powi(2) + (le[1] - re[1]).powi(2))
            .sqrt()
            .max(1.0);
        (nose[0] - mid) / iod
    }
}

pub struct FaceModels {
    det_small: Plan,
    det_large: Plan,
    embed: Plan,
}

/// Side of the square detector input for video frames and for ID photos.
pub const SMALL: u32 = 320;
pub const LARGE: u32 = 640;

impl FaceModels {
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        let yunet = dir.join(YUNET_FILE);
        let sface = dir.join(SFACE_FILE);
        for f in [&yunet, &sface] {
            if !f.exists() {
                bail!(
                    "face model {} is missing (scripts/run.sh fetches it; set {})",
                    f.display(),
                    crate::server::config::settings::MODELS_DIR.name
                );
            }
        }
        Ok(Self {
            det_small: plan(&yunet, [1, 3, SMALL as usize, SMALL as usize])?,
            det_large: plan(&yunet, [1, 3, LARGE as usize, LARGE as usize])?,
            embed: plan(&sface, [1, 3, 112, 112])?,
        })
    }

    /// Faces in `img`, found on a letterboxed `side`×`side` copy (SMALL or LARGE), strongest
    /// first, in `img` coordinates.
    pub fn detect(&self, img: &RgbImage, side: u32, threshold: f32) -> anyhow::Result<Vec<Face>> {
        let plan = if side == SMALL {
            &self.det_small
        } else {
            &self.det_large
        };
        let (w, h) = img.dimensions();
        let scale = side as f32 / w.max(h) as f32;
        let (nw, nh) = (
            ((w as f32 * scale).round() as u32).clamp(1, side),
            ((h as f32 * scale).round() as u32).clamp(1, side),
        );
        let resized = image::imageops::resize(img, nw, nh, image::imageops::FilterType::Triangle);
        let s = side as usize;
        let mut input = tract_ndarray::Array4::<f32>::zeros((1, 3, s, s));
        for (x, y, p) in resized.enumerate_pixels() {
            // BGR, 0..255
            input[[0, 0, y as usize, x as usize]] = f32::from(p[2]);
            input[[0, 1, y as usize, x as usize]] = f32::from(p[1]);
            input[[0, 2, y as usize, x as usize]] = f32::from(p[0]);
        }
        let out = plan.run(tvec!(Tensor::from(input).into()))?;
        anyhow::ensure!(out.len() == 12, "unexpected YuNet outputs: {}", out.len());
        let mut faces = Vec::new();
        for (i, stride) in [8usize, 16, 32].into_iter().enumerate() {
            let cls = out[i].to_plain_array_view::<f32>()?;
            let obj = out[3 + i].to_plain_array_view::<f32>()?;
            let bbox = out[6 + i].to_plain_array_view::<f32>()?;
            let kps = out[9 + i].to_plain_array_view::<f32>()?;
            let (cls, obj, bbox, kps) = (
                cls.as_slice().unwrap_or(&[]),
                obj.as_slice().unwrap_or(&[]),
                bbox.as_slice().unwrap_or(&[]),
                kps.as_slice().unwrap_or(&[]),
            );
            let cols = s / stride;
            let n = cols * (s / stride);
            anyhow::ensure!(
                cls.len() >= n && obj.len() >= n && bbox.len() >= 4 * n && kps.len() >= 10 * n,
                "unexpected YuNet output shape"
            );
            for idx in 0..n {
                let score = (cls[idx].clamp(0.0, 1.0) * obj[idx].clamp(0.0, 1.0)).sqrt();
                if score < threshold {
                    continue;
                }
                let (r, c) = ((idx / cols) as f32, (idx % cols) as f32);
                let st = stride as f32;
                let b = &bbox[4 * idx..4 * idx + 4];
                let (cx, cy) = ((c + b[0]) * st, (r + b[1]) * st);
                let (bw, bh) = (b[2].exp() * st, b[3].exp() * st);
                let k = &kps[10 * idx..10 * idx + 10];
                let mut landmarks = [[0f32; 2]; 5];
                for (j, l) in landmarks.iter_mut().enumerate() {
                    *l = [(k[2 * j] + c) * st / scale, (k[2 * j + 1] + r) * st / scale];
                }
                faces.push(Face {
                    x: (cx - bw / 2.0) / scale,
                    y: (cy - bh / 2.0) / scale,
                    w: bw / scale,
                    h: bh / scale,
                    score,
                    landmarks,
                });
            }
        }
        Ok(nms(faces, 0.3))
    }

    /// The L2-normalised SFace embedding of `face`, aligned to the 112×112 template.
    pub fn embed(&self, img: &RgbImage, face: &Face) -> anyhow::Result<Vec<f32>> {
        let crop = align(img, face);
        let mut input = tract_ndarray::Array4::<f32>::zeros((1, 3, 112, 112));
        for (x, y, p) in crop.enumerate_pixels() {
            for ch in 0..3 {
                input[[0, ch, y as usize, x as usize]] = f32::from(p[ch]);
            }
        }
        let out = self.embed.run(tvec!(Tensor::from(input).into()))?;
        let v: Vec<f32> = out[0]
            .to_plain_array_view::<f32>()?
            .iter()
            .copied()
            .collect();
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-6);
        Ok(v.into_iter().map(|x| x / norm).collect())
    }
}

pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn iou(a: &Face, b: &Face) -> f32 {
    let (x1, y1) = (a.x.max(b.x), a.y.max(b.y));
    let (x2, y2) = ((a.x + a.w).min(b.x + b.w), (a.y + a.h).min(b.y + b.h));
    let inter = (x2 - x1).max(0.0) * (y2 - y1).max(0.0);
    inter / (a.area() + b.area() - inter).max(1e-6)
}

fn nms(mut faces: Vec<Face>, thr: f32) -> Vec<Face> {
    faces.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut keep: Vec<Face> = Vec::new();
    for f in faces {
        if keep.iter().all(|k| iou(k, &f) < thr) {
            keep.push(f);
        }
    }
    keep
}

/// ArcFace 112×112 template for the 5 landmarks.
const TEMPLATE: [[f32; 2]; 5] = [
    [38.2946, 51.6963],
    [73.5318, 51.5014],
    [56.0252, 71.7366],
    [41.5493, 92.3655],
    [70.7299, 92.2041],
];

/// Similarity transform (scale, rotation, translation) taking `src` onto `dst`, least squares.
fn similarity(src: &[[f32; 2]; 5], dst: &[[f32; 2]; 5]) -> (f32, f32, f32, f32) {
    let mean = |p: &[[f32; 2]; 5]| {
        let (sx, sy) = p.iter().fold((0.0, 0.0), |(a, b), q| (a + q[0], b + q[1]));
        (sx / 5.0, sy / 5.0)
    };
    let (msx, msy) = mean(src);
    let (mdx, mdy) = mean(dst);
    let (mut num_a, mut num_b, mut den) = (0f32, 0f32, 0f32);
    for (s, d) in src.iter().zip(dst) {
        let (xs, ys, xd, yd) = (s[0] - msx, s[1] - msy, d[0] - mdx, d[1] - mdy);
        num_a += xs * xd + ys * yd;
        num_b += xs * yd - ys * xd;
        den += xs * xs + ys * ys;
    }
    let a = num_a / den.max(1e-6);
    let b = num_b / den.max(1e-6);
    let tx = mdx - (a * msx - b * msy);
    let ty = mdy - (b * msx + a * msy);
    (a, b, tx, ty)
}

/// The face warped onto the 112×112 template (bilinear; small faces are upsampled here).
pub fn align(img: &RgbImage, face: &Face) -> RgbImage {
    let (a, b, tx, ty) = similarity(&face.landmarks, &TEMPLATE);
    let det = (a * a + b * b).max(1e-9);
    let (w, h) = img.dimensions();
    RgbImage::from_fn(112, 112, |u, v| {
        let (du, dv) = (u as f32 - tx, v as f32 - ty);
        let x = (a * du + b * dv) / det;
        let y = (-b * du + a * dv) / det;
        sample(img, x, y, w, h)
    })
}

fn sample(img: &RgbImage, x: f32, y: f32, w: u32, h: u32) -> image::Rgb<u8> {
    if x < 0.0 || y < 0.0 || x > (w - 1) as f32 || y > (h - 1) as f32 {
        return image::Rgb([0, 0, 0]);
    }
    let (x0, y0) = (x.floor() as u32, y.floor() as u32);
    let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let p = |xx, yy| img.get_pixel(xx, yy).0;
    let (p00, p10, p01, p11) = (p(x0, y0), p(x1, y0), p(x0, y1), p(x1, y1));
    let mut out = [0u8; 3];
    for c in 0..3 {
        let top = f32::from(p00[c]) * (1.0 - fx) + f32::from(p10[c]) * fx;
        let bot = f32::from(p01[c]) * (1.0 - fx) + f32::from(p11[c]) * fx;
        out[c] = (top * (1.0 - fy) + bot * fy).round().clamp(0.0, 255.0) as u8;
    }
    image::Rgb(out)
}

/// Loads an ONNX file, folds constant `DequantizeLinear` nodes, fixes the input shape,
/// optimises and plans it.
pub fn plan(path: &Path, shape: [usize; 4]) -> anyhow::Result<Plan> {
    let bytes = std::fs::read(path).with_context(|| format!("read {}", path.display()))?;
    let onnx = tract_onnx::onnx();
    let mut proto = onnx
        .proto_model_for_read(&mut bytes.as_slice())
        .with_context(|| format!("parse {}", path.display()))?;
    let graph = proto.graph.as_mut().context("model has no graph")?;
    fold_dequantize(graph)?;
    fast_prelu(graph)?;
    let model = onnx
        .model_for_proto_model(&proto)
        .with_context(|| format!("load {}", path.display()))?
        .with_input_fact(0, f32::fact(shape).into())?
        .into_optimized()?
        .into_runnable()?;
    Ok(model)
}

fn tensor_f32(t: &pb::TensorProto) -> anyhow::Result<Vec<f32>> {
    Ok(match DataType::try_from(t.data_type).ok() {
        Some(DataType::Float) if !t.raw_data.is_empty() => t
            .raw_data
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect(),
        Some(DataType::Float) => t.float_data.clone(),
        Some(DataType::Int8) if !t.raw_data.is_empty() => {
            t.raw_data.iter().map(|&b| f32::from(b as i8)).collect()
        }
        Some(DataType::Uint8) if !t.raw_data.is_empty() => {
            t.raw_data.iter().map(|&b| f32::from(b)).collect()
        }
        Some(DataType::Int8 | DataType::Uint8 | DataType::Int32) => {
            t.int32_data.iter().map(|&v| v as f32).collect()
        }
        other => bail!("unsupported initializer type {other:?} in {}", t.name),
    })
}

/// Each `PRelu` whose slope is a constant becomes `Add(x, Mul(Min(x, 0), slope - 1))`: for
/// x ≥ 0 that is x, below it is slope · x, as `PRelu` says; the slope keeps its shape, so it
/// broadcasts as before. tract 0.23 runs `PRelu` as three full passes over the tensor
/// (13.2 → 6.8 ms per face mesh, 64.7 → about 33 ms per SFace embedding on this machine).
fn fast_prelu(graph: &mut pb::GraphProto) -> anyhow::Result<()> {
    const ZERO: &str = "idv_prelu_zero";
    let mut nodes = Vec::with_capacity(graph.node.len());
    let mut rewritten = 0;
    for node in std::mem::take(&mut graph.node) {
        let slope = (node.op_type == "PRelu" && node.input.len() == 2)
            .then(|| graph.initializer.iter().find(|t| t.name == node.input[1]))
            .flatten();
        let Some(slope) = slope else {
            nodes.push(node);
            continue;
        };
        let beta: Vec<f32> = tensor_f32(slope)?.iter().map(|a| a - 1.0).collect();
        let (x, y) = (node.input[0].clone(), node.output[0].clone());
        let names = [
            format!("{y}_beta"),
            format!("{y}_neg"),
            format!("{y}_scaled"),
        ];
        // a per-channel slope is [C, 1, 1] against NCHW; as [1, C, 1, 1] (the same broadcast)
        // tract sees the per-channel pattern and takes its fast path instead of a generic one
        let mut dims = slope.dims.clone();
        if dims.len() == 3 {
            dims.insert(0, 1);
        }
        let beta = pb::TensorProto {
            dims,
            data_type: DataType::Float as i32,
            name: names[0].clone(),
            raw_data: beta.iter().flat_map(|v| v.to_le_bytes()).collect(),
            ..Default::default()
        };
        graph.initializer.push(beta);
        let op = |op: &str, input: [&str; 2], output: &str| pb::NodeProto {
            op_type: op.into(),
            input: input.iter().map(|s| s.to_string()).collect(),
            output: vec![output.into()],
            name: format!("{output}_{op}"),
            ..Default::default()
        };
        nodes.push(op("Min", [&x, ZERO], &names[1]));
        nodes.push(op("Mul", [&names[1], &names[0]], &names[2]));
        nodes.push(op("Add", [&x, &names[2]], &y));
        rewritten += 1;
    }
    graph.node = nodes;
    if rewritten > 0 {
        graph.initializer.push(pb::TensorProto {
            dims: vec![],
            data_type: DataType::Float as i32,
            name: ZERO.into(),
            raw_data: 0f32.to_le_bytes().to_vec(),
            ..Default::default()
        });
    }
    tracing::debug!(rewritten, "rewrote PRelu nodes");
    Ok(())
}

/// `(x - zero_point) * scale`, per tensor, per axis, or per block along `axis`.
fn fold_dequantize(graph: &mut pb::GraphProto) -> anyhow::Result<()> {
    let mut folded = 0;
    let mut i = 0;
    while i < graph.node.len() {
        let node = &graph.node[i];
        let init = |name: &str| graph.initializer.iter().position(|t| t.name == name);
        let all_const = node.op_type == "DequantizeLinear"
            && node
                .input
                .iter()
                .filter(|n| !n.is_empty())
                .all(|n| init(n).is_some());
        if !all_const {
            i += 1;
            continue;
        }
        let x = &graph.initializer[init(&node.input[0]).expect("checked")];
        let scale = &graph.initializer[init(&node.input[1]).expect("checked")];
        let zp = node
            .input
            .get(2)
            .filter(|n| !n.is_empty())
            .and_then(|n| init(n))
            .map(|j| &graph.initializer[j]);
        let attr = |name: &str, default: i64| {
            node.attribute
                .iter()
                .find(|a| a.name == name)
                .map(|a| a.i)
                .unwrap_or(default)
        };
        let dims: Vec<usize> = x.dims.iter().map(|&d| d as usize).collect();
        let xs = tensor_f32(x)?;
        let ss = tensor_f32(scale)?;
        let zs = match zp {
            Some(z) => tensor_f32(z)?,
            None => vec![0.0; ss.len()],
        };
        let rank = dims.len() as i64;
        let axis = if dims.is_empty() {
            0
        } else {
            attr("axis", 1).rem_euclid(rank.max(1)) as usize
        };
        let block = attr("block_size", 0) as usize;
        let inner: usize = dims.iter().skip(axis + 1).product();
        let axis_len = dims.get(axis).copied().unwrap_or(1);
        let mut out = Vec::with_capacity(xs.len());
        for (idx, &q) in xs.iter().enumerate() {
            let si = if ss.len() == 1 {
                0
            } else {
                let outer = idx / (axis_len * inner);
                let a = (idx / inner) % axis_len;
                let rest = idx % inner;
                if block > 0 {
                    let blocks = axis_len.div_ceil(block);
                    (outer * blocks + a / block) * inner + rest
                } else {
                    a
                }
            };
            let (s, z) = (
                ss.get(si).copied().unwrap_or(1.0),
                zs.get(si).copied().unwrap_or(0.0),
            );
            out.push((q - z) * s);
        }
        let out_name = node.output[0].clone();
        let tensor = pb::TensorProto {
            dims: x.dims.clone(),
            data_type: DataType::Float as i32,
            name: out_name,
            raw_data: out.iter().flat_map(|v| v.to_le_bytes()).collect(),
            ..Default::default()
        };
        graph.initializer.push(tensor);
        graph.node.remove(i);
        folded += 1;
    }
    // Graph inputs that are really constants (or unused) confuse the input-fact setting.
    let used: HashSet<String> = graph
        .node
        .iter()
        .flat_map(|n| n.input.iter().cloned())
        .collect();
    let consts: HashSet<String> = graph.initializer.iter().map(|t| t.name.clone()).collect();
    graph
        .input
        .retain(|i| !consts.contains(&i.name) && used.contains(&i.name));
    graph
        .initializer
        .retain(|t| used.contains(&t.name) || graph.output.iter().any(|o| o.name == t.name));
    // Shape annotations recorded for one input size would contradict another.
    graph.value_info.clear();
    for o in &mut graph.output {
        o.r#type = None;
    }
    tracing::debug!(folded, "folded DequantizeLinear constants");
    Ok(())
}

/// The largest face found, when any.
pub fn largest(faces: &[Face]) -> Option<Face> {
    faces
        .iter()
        .copied()
        .max_by(|a, b| a.area().total_cmp(&b.area()))
}
