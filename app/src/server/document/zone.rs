//! Finding the machine-readable zone on a photo, without a model: the zone is two or three
//! long lines of dark, dense, evenly spaced characters. A black-hat filter keeps dark strokes
//! on a light ground, a horizontal gradient keeps text, closings join the characters of a line
//! and then the lines of the zone, and the wide flat blobs that are left are the candidates
//! (the morphology approach of PassportEye, MIT, re-done here on plain buffers). Each candidate
//! is cut from the full-resolution photo along its own slant (second moments of the blob), so
//! a tilted or slightly turned document gives level lines to the OCR.

use image::GrayImage;

/// The long side of the working copy the zone is looked for in.
const WORK_SIDE: u32 = 900;
/// The width of a candidate's crop handed to the OCR.
pub const CROP_WIDTH: u32 = 1100;

/// A zone candidate in the photo's coordinates: a rotated rectangle.
#[derive(Debug, Clone, Copy)]
pub struct Zone {
    pub cx: f32,
    pub cy: f32,
    pub width: f32,
    pub height: f32,
    /// Radians; the direction of the lines.
    pub angle: f32,
    /// Width × how full the blob's box is: the ranking among candidates.
    pub score: f32,
}

/// Candidates, best first (at most `max`).
pub fn find(gray: &GrayImage, max: usize) -> Vec<Zone> {
    let (w0, h0) = gray.dimensions();
    if w0 < 32 || h0 < 32 {
        return Vec::new();
    }
    let (small, scale) = work_copy(gray);
    let (w, h) = (small.width() as usize, small.height() as usize);
    let img = small.as_raw();
    // black-hat: closing minus the image (dark strokes narrower than the kernel)
    let closed = erode(&dilate(img, w, h, 13, 5), w, h, 13, 5);
    let blackhat: Vec<u8> = closed
        .iter()
        .zip(img)
        .map(|(c, p)| c.saturating_sub(*p))
        .collect();
    let grad = sobel_x(&blackhat, w, h);
    // join the characters of a line, threshold, join the lines, shave
    let joined = erode(&dilate(&grad, w, h, 13, 5), w, h, 13, 5);
    let t = otsu(&joined);
    let lines: Vec<u8> = joined
        .iter()
        .map(|v| if *v > t { 255 } else { 0 })
        .collect();
    // join the lines of the zone: a square closing where they are close, a taller one where
    // the characters are spaced wide or a slanted view pulls the lines apart
    let mut zones: Vec<Zone> = Vec::new();
    for kh in [27, 45] {
        let bin = erode(&dilate(&lines, w, h, 27, kh), w, h, 27, kh);
        let bin = erode(&bin, w, h, 9, 9);
        for mut z in blobs(&bin, w, h).into_iter().filter_map(|b| b.zone(w)) {
            z.cx /= scale;
            z.cy /= scale;
            z.width /= scale;
            z.height /= scale;
            // the same place seen by both closings: keep the one with more lines
            let same = zones.iter().position(|o| {
                (o.cx - z.cx).abs() < 0.2 * o.width.max(z.width)
                    && (o.cy - z.cy).abs() < 0.5 * o.height.max(z.height)
            });
            match same {
                Some(i) if z.height > zones[i].height * 1.3 => zones[i] = z,
                Some(_) => {}
                None => zones.push(z),
            }
        }
    }
    zones.sort_by(|a, b| b.score.total_cmp(&a.score));
    zones.truncate(max);
    zones
}

/// The zone cut from the photo, levelled, with a margin, scaled to [`CROP_WIDTH`]; `flip`
/// turns it half a turn (a document photographed upside down). The blob a zone comes from
/// often stops short of the line ends (a run of `<` fillers is faint text), so the lines'
/// real extent is measured first on a wider cut.
pub fn crop(gray: &GrayImage, z: &Zone, flip: bool) -> GrayImage {
    let z = extent(gray, z);
    // paper beyond the lines' ends: an edge or a mark there would be read as a character
    cut(
        gray,
        &z,
        z.width * 1.05 + z.height * 0.5,
        Some(z.width * 0.515),
        flip,
    )
}

/// The zone stretched or shrunk along its lines to where the ink is: a cut half as wide again,
/// its columns that hold ink, and the run of them around the middle that no gap wider than
/// about two characters breaks.
fn extent(gray: &GrayImage, z: &Zone) -> Zone {
    let wide = z.width * 1.6 + z.height;
    let probe = cut(gray, z, wide, None, false);
    let (pw, ph) = probe.dimensions();
    let raw = probe.as_raw();
    let s = wide / pw as f32;
    // the zone's own rows only: the text above a passport's zone is not part of it
    let half = (z.height / 2.0 / s) as usize;
    let rows = (ph as usize / 2).saturating_sub(half)..(ph as usize / 2 + half).min(ph as usize);
    // ink against paper where the blob already says there is text (outside the photo and
    // beyond the document the ground differs)
    let inner = ((z.width / 2.0 / s) as usize).min(pw as usize / 2);
    let sample: Vec<u8> = rows
        .clone()
        .flat_map(|y| {
            let row = &raw[y * pw as usize..(y + 1) * pw as usize];
            row[pw as usize / 2 - inner..pw as usize / 2 + inner]
                .iter()
                .copied()
        })
        .collect();
    let t = otsu(&sample);
    // a column is ink when some of the zone's rows are dark there, and a wall when most are:
    // the document's edge or the table beyond it, where the run must stop
    let (ink, wall): (Vec<bool>, Vec<bool>) = (0..pw as usize)
        .map(|x| {
            let dark = rows
                .clone()
                .filter(|y| raw[y * pw as usize + x] < t.saturating_sub(10))
                .count();
            (dark > 0, dark * 10 > rows.len() * 9)
        })
        .unzip();
    let gap = (pw as f32 * 0.025).max(4.0) as usize;
    let mid = pw as usize / 2;
    let run_end = |step: isize| -> usize {
        let (mut last, mut x) = (mid, mid as isize);
        while x >= 0 && (x as usize) < ink.len() {
            let xu = x as usize;
            if wall[xu] {
                break;
            }
            if ink[xu] {
                last = xu;
            } else if xu.abs_diff(last) > gap {
                break;
            }
            x += step;
        }
        last
    };
    let (a, b) = (run_end(-1), run_end(1));
    if b <= a || ((b - a) as f32 * s) < z.width * 0.5 {
        return *z;
    }
    let du = ((a + b) as f32 / 2.0 - pw as f32 / 2.0) * s;
    let (sin, cos) = z.angle.sin_cos();
    Zone {
        cx: z.cx + du * cos,
        cy: z.cy + du * sin,
        width: (b - a) as f32 * s,
        ..*z
    }
}

/// The rotated rectangle of `z`, `width` long and with a margin above and below, levelled and
/// scaled to [`CROP_WIDTH`]; white beyond `keep` from the middle along the lines.
fn cut(gray: &GrayImage, z: &Zone, width: f32, keep: Option<f32>, flip: bool) -> GrayImage {
    let (mw, mh) = (width, z.height * 1.5 + 16.0);
    let s = mw / CROP_WIDTH as f32;
    let out_h = ((mh / s).round() as u32).clamp(16, 800);
    let angle = if flip {
        z.angle + std::f32::consts::PI
    } else {
        z.angle
    };
    let (sin, cos) = angle.sin_cos();
    let (gw, gh) = gray.dimensions();
    let src = gray.as_raw();
    let px = |x: i64, y: i64| -> f32 {
        if x < 0 || y < 0 || x >= i64::from(gw) || y >= i64::from(gh) {
            255.0
        } else {
            f32::from(src[y as usize * gw as usize + x as usize])
        }
    };
    GrayImage::from_fn(CROP_WIDTH, out_h, |ox, oy| {
        let u = (ox as f32 - CROP_WIDTH as f32 / 2.0) * s;
        let v = (oy as f32 - out_h as f32 / 2.0) * s;
        if keep.is_some_and(|k| u.abs() > k) {
            return image::Luma([255]);
        }
        let x = z.cx + u * cos - v * sin;
        let y = z.cy + u * sin + v * cos;
        let (x0, y0) = (x.floor(), y.floor());
        let (fx, fy) = (x - x0, y - y0);
        let (x0, y0) = (x0 as i64, y0 as i64);
        let top = px(x0, y0) * (1.0 - fx) + px(x0 + 1, y0) * fx;
        let bottom = px(x0, y0 + 1) * (1.0 - fx) + px(x0 + 1, y0 + 1) * fx;
        image::Luma([(top * (1.0 - fy) + bottom * fy).round().clamp(0.0, 255.0) as u8])
    })
}

/// The photo scaled so its long side is [`WORK_SIDE`], and that scale.
fn work_copy(gray: &GrayImage) -> (GrayImage, f32) {
    let (w0, h0) = gray.dimensions();
    let scale = WORK_SIDE as f32 / w0.max(h0) as f32;
    let (w, h) = (
        ((w0 as f32 * scale).round() as u32).max(1),
        ((h0 as f32 * scale).round() as u32).max(1),
    );
    let small = image::imageops::resize(gray, w, h, image::imageops::FilterType::Triangle);
    (small, scale)
}

/// A four-cornered region in the photo's coordinates (a barcode seen at a slant): top-left,
/// top-right, bottom-right, bottom-left along its own axes.
#[derive(Debug, Clone, Copy)]
pub struct Quad(pub [(f32, f32); 4]);

/// The largest dense, high-contrast, flat block on the photo, where a PDF417 barcode would be:
/// gradient energy, averaged, thresholded, closed into one block, opened to drop text lines;
/// its corners are the blob's extreme points along its own diagonals, so a tilted or
/// slanted view gives a four-sided region and not a box around it.
pub fn find_barcode(gray: &GrayImage) -> Option<Quad> {
    let (w0, h0) = gray.dimensions();
    if w0 < 64 || h0 < 64 {
        return None;
    }
    let (small, scale) = work_copy(gray);
    let (w, h) = (small.width() as usize, small.height() as usize);
    let energy = box_mean(&gradient(small.as_raw(), w, h), w, h, 7);
    let t = otsu(&energy);
    let bin: Vec<u8> = energy
        .iter()
        .map(|v| if *v > t { 255 } else { 0 })
        .collect();
    let bin = erode(&dilate(&bin, w, h, 15, 15), w, h, 15, 15);
    // an opening taller than a line of small print
    let bin = dilate(&erode(&bin, w, h, 19, 19), w, h, 19, 19);
    let mut best: Option<(f64, Vec<(usize, usize)>)> = None;
    for pixels in labelled(&bin, w, h) {
        let b = Blob::of(&pixels);
        let Some((angle, length, thickness, fill)) = b.shape() else {
            continue;
        };
        let aspect = length / thickness.max(1.0);
        if !(1.3..=12.0).contains(&aspect) || fill < 0.6 || angle.abs() > 0.7 {
            continue;
        }
        if length < 0.2 * w as f64 || best.as_ref().is_some_and(|(n, _)| *n >= b.n) {
            continue;
        }
        best = Some((b.n, pixels));
    }
    let (_, pixels) = best?;
    let (angle, ..) = Blob::of(&pixels).shape()?;
    let (sin, cos) = (angle as f32).sin_cos();
    // extremes of ±u ± v in the blob's own frame: its four corners
    let mut corners = [(0f32, 0f32); 4];
    let mut scores = [f32::MIN; 4];
    for (x, y) in pixels {
        let (x, y) = (x as f32, y as f32);
        let u = x * cos + y * sin;
        let v = -x * sin + y * cos;
        for (i, s) in [-u - v, u - v, u + v, -u + v].into_iter().enumerate() {
            if s > scores[i] {
                scores[i] = s;
                corners[i] = (x, y);
            }
        }
    }
    // back to the photo's pixels, pushed out a little: the closing rounds the corners in
    let (mx, my) = (
        corners.iter().map(|c| c.0).sum::<f32>() / 4.0,
        corners.iter().map(|c| c.1).sum::<f32>() / 4.0,
    );
    // (more across the rows than along them: a cut-off row costs the whole code)
    Some(Quad(corners.map(|(x, y)| {
        let (dx, dy) = (x - mx, y - my);
        let (u, v) = (dx * cos + dy * sin, -dx * sin + dy * cos);
        let (u, v) = (u * 1.03, v * 1.12 + 2.0 * v.signum());
        (
            (mx + u * cos - v * sin + 0.5) / scale,
            (my + u * sin + v * cos + 0.5) / scale,
        )
    })))
}

/// The quad mapped onto a level rectangle `width` pixels wide (its height in proportion),
/// inside a white border of `border` pixels (a barcode's quiet zone).
pub fn rectify(gray: &GrayImage, q: &Quad, width: u32, border: u32) -> GrayImage {
    let d = |a: (f32, f32), b: (f32, f32)| ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt();
    let [tl, tr, br, bl] = q.0;
    let qw = (d(tl, tr) + d(bl, br)) / 2.0;
    let qh = (d(tl, bl) + d(tr, br)) / 2.0;
    let height = ((width as f32 * qh / qw.max(1.0)).round() as u32).clamp(8, 4 * width);
    let hm = homography(
        [
            (0.0, 0.0),
            (width as f32, 0.0),
            (width as f32, height as f32),
            (0.0, height as f32),
        ],
        q.0,
    );
    let (gw, gh) = gray.dimensions();
    let src = gray.as_raw();
    GrayImage::from_fn(width + 2 * border, height + 2 * border, |ox, oy| {
        let (x, y) = (ox as f32 - border as f32, oy as f32 - border as f32);
        if x < 0.0 || y < 0.0 || x > width as f32 || y > height as f32 {
            return image::Luma([255]);
        }
        let Some((sx, sy)) = hm.map(|m| {
            let z = m[6] * x + m[7] * y + 1.0;
            (
                (m[0] * x + m[1] * y + m[2]) / z,
                (m[3] * x + m[4] * y + m[5]) / z,
            )
        }) else {
            return image::Luma([255]);
        };
        if sx < 0.0 || sy < 0.0 || sx >= (gw - 1) as f32 || sy >= (gh - 1) as f32 {
            return image::Luma([255]);
        }
        let (x0, y0) = (sx.floor() as usize, sy.floor() as usize);
        let (fx, fy) = (sx - x0 as f32, sy - y0 as f32);
        let p = |x: usize, y: usize| f32::from(src[y * gw as usize + x]);
        let top = p(x0, y0) * (1.0 - fx) + p(x0 + 1, y0) * fx;
        let bottom = p(x0, y0 + 1) * (1.0 - fx) + p(x0 + 1, y0 + 1) * fx;
        image::Luma([(top * (1.0 - fy) + bottom * fy).round() as u8])
    })
}

/// The projective map taking the four `from` points to the four `to` points: `[a..h]` of
/// `x' = (ax + by + c) / (gx + hy + 1)`, `y' = (dx + ey + f) / (gx + hy + 1)`; `None` when
/// the points are degenerate.
fn homography(from: [(f32, f32); 4], to: [(f32, f32); 4]) -> Option<[f32; 8]> {
    let mut m = [[0f64; 9]; 8];
    for i in 0..4 {
        let ((x, y), (u, v)) = (
            (f64::from(from[i].0), f64::from(from[i].1)),
            (f64::from(to[i].0), f64::from(to[i].1)),
        );
        m[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
        m[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
    }
    // Gauss-Jordan with partial pivoting
    for c in 0..8 {
        let p = (c..8).max_by(|a, b| m[*a][c].abs().total_cmp(&m[*b][c].abs()))?;
        if m[p][c].abs() < 1e-9 {
            return None;
        }
        m.swap(c, p);
        let pivot = m[c][c];
        for v in &mut m[c][c..] {
            *v /= pivot;
        }
        let row = m[c];
        for (r, line) in m.iter_mut().enumerate() {
            if r != c {
                let f = line[c];
                for (v, p) in line[c..].iter_mut().zip(&row[c..]) {
                    *v -= f * p;
                }
            }
        }
    }
    Some(std::array::from_fn(|i| m[i][8] as f32))
}

/// |∂/∂x| (Sobel), scaled to 0..255: text's vertical strokes.
fn sobel_x(img: &[u8], w: usize, h: usize) -> Vec<u8> {
    sobel(img, w, h, false)
}

/// |∂/∂x| + |∂/∂y| (Sobel), scaled to 0..255.
fn gradient(img: &[u8], w: usize, h: usize) -> Vec<u8> {
    sobel(img, w, h, true)
}

/// The Sobel magnitude across (and, with `both`, also along) the rows, scaled to 0..255.
fn sobel(img: &[u8], w: usize, h: usize, both: bool) -> Vec<u8> {
    let mut g = vec![0f32; img.len()];
    let mut max = 1f32;
    for y in 1..h.saturating_sub(1) {
        for x in 1..w.saturating_sub(1) {
            let p = |dx: usize, dy: usize| f32::from(img[(y + dy - 1) * w + x + dx - 1]);
            let gx = p(2, 0) + 2.0 * p(2, 1) + p(2, 2) - p(0, 0) - 2.0 * p(0, 1) - p(0, 2);
            let v = if both {
                let gy = p(0, 2) + 2.0 * p(1, 2) + p(2, 2) - p(0, 0) - 2.0 * p(1, 0) - p(2, 0);
                gx.abs() + gy.abs()
            } else {
                gx.abs()
            };
            g[y * w + x] = v;
            max = max.max(v);
        }
    }
    g.iter().map(|v| (v / max * 255.0) as u8).collect()
}

/// The mean over a `(2r+1)`² window (an integral image).
pub fn box_mean(img: &[u8], w: usize, h: usize, r: usize) -> Vec<u8> {
    let mut sum = vec![0u64; (w + 1) * (h + 1)];
    for y in 0..h {
        let mut row = 0u64;
        for x in 0..w {
            row += u64::from(img[y * w + x]);
            sum[(y + 1) * (w + 1) + x + 1] = sum[y * (w + 1) + x + 1] + row;
        }
    }
    let mut out = vec![0u8; img.len()];
    for y in 0..h {
        let (y0, y1) = (y.saturating_sub(r), (y + r + 1).min(h));
        for x in 0..w {
            let (x0, x1) = (x.saturating_sub(r), (x + r + 1).min(w));
            let s = sum[y1 * (w + 1) + x1] + sum[y0 * (w + 1) + x0]
                - sum[y0 * (w + 1) + x1]
                - sum[y1 * (w + 1) + x0];
            out[y * w + x] = (s / ((y1 - y0) * (x1 - x0)) as u64) as u8;
        }
    }
    out
}

/// The pixels of each connected foreground set (4-connected).
fn labelled(bin: &[u8], w: usize, h: usize) -> Vec<Vec<(usize, usize)>> {
    let mut seen = vec![false; bin.len()];
    let mut out = Vec::new();
    let mut stack = Vec::new();
    for start in 0..bin.len() {
        if bin[start] == 0 || seen[start] {
            continue;
        }
        let mut pixels = Vec::new();
        seen[start] = true;
        stack.push(start);
        while let Some(i) = stack.pop() {
            let (x, y) = (i % w, i / w);
            pixels.push((x, y));
            for (ok, j) in [
                (x > 0, i.wrapping_sub(1)),
                (x + 1 < w, i + 1),
                (y > 0, i.wrapping_sub(w)),
                (y + 1 < h, i + w),
            ] {
                if ok && bin[j] != 0 && !seen[j] {
                    seen[j] = true;
                    stack.push(j);
                }
            }
        }
        out.push(pixels);
    }
    out
}

/// A connected set of foreground pixels: its moments.
#[derive(Debug, Default)]
struct Blob {
    n: f64,
    sx: f64,
    sy: f64,
    sxx: f64,
    syy: f64,
    sxy: f64,
}

impl Blob {
    /// The moments of a set of pixels.
    fn of(pixels: &[(usize, usize)]) -> Self {
        let mut b = Self::default();
        for (x, y) in pixels {
            b.add(*x, *y);
        }
        b
    }

    fn add(&mut self, x: usize, y: usize) {
        let (x, y) = (x as f64, y as f64);
        self.n += 1.0;
        self.sx += x;
        self.sy += y;
        self.sxx += x * x;
        self.syy += y * y;
        self.sxy += x * y;
    }

    /// The direction of its long axis (radians, within ±90°), its length and thickness (the
    /// rectangle with the same second moments) and how full that rectangle is.
    fn shape(&self) -> Option<(f64, f64, f64, f64)> {
        if self.n < 200.0 {
            return None;
        }
        let (mx, my) = (self.sx / self.n, self.sy / self.n);
        let cxx = self.sxx / self.n - mx * mx;
        let cyy = self.syy / self.n - my * my;
        let cxy = self.sxy / self.n - mx * my;
        let angle = 0.5 * (2.0 * cxy).atan2(cxx - cyy);
        let d = ((cxx - cyy) * (cxx - cyy) / 4.0 + cxy * cxy).sqrt();
        let (l1, l2) = ((cxx + cyy) / 2.0 + d, ((cxx + cyy) / 2.0 - d).max(1e-6));
        // a uniform rectangle of length L has variance L²/12
        let (length, thickness) = ((12.0 * l1).sqrt(), (12.0 * l2).sqrt());
        let fill = self.n / (length * thickness).max(1.0);
        Some((angle, length, thickness, fill))
    }

    /// A zone when the blob is long, flat and wide enough to be an MRZ.
    fn zone(&self, image_width: usize) -> Option<Zone> {
        let (angle, length, thickness, fill) = self.shape()?;
        let (mx, my) = (self.sx / self.n, self.sy / self.n);
        if length < 0.3 * image_width as f64 || length / thickness < 4.0 || fill < 0.6 {
            return None;
        }
        // lines run left to right: keep the angle within ±90°
        let angle = if angle.abs() > std::f64::consts::FRAC_PI_2 {
            angle - std::f64::consts::PI * angle.signum()
        } else {
            angle
        };
        if angle.abs() > 0.6 {
            return None;
        }
        Some(Zone {
            cx: mx as f32,
            cy: my as f32,
            width: length as f32,
            height: thickness as f32,
            angle: angle as f32,
            score: (length * fill.min(1.0)) as f32,
        })
    }
}

fn blobs(bin: &[u8], w: usize, h: usize) -> Vec<Blob> {
    labelled(bin, w, h).iter().map(|p| Blob::of(p)).collect()
}

/// Max filter over a `kw`×`kh` rectangle (separable).
fn dilate(img: &[u8], w: usize, h: usize, kw: usize, kh: usize) -> Vec<u8> {
    let rows = run_filter(img, w, h, kw, true, u8::max, 0);
    run_filter(&rows, w, h, kh, false, u8::max, 0)
}

/// Min filter over a `kw`×`kh` rectangle (separable).
fn erode(img: &[u8], w: usize, h: usize, kw: usize, kh: usize) -> Vec<u8> {
    let rows = run_filter(img, w, h, kw, true, u8::min, 255);
    run_filter(&rows, w, h, kh, false, u8::min, 255)
}

/// One direction of a min/max filter of width `k`, with the van Herk/Gil-Werman blocks:
/// three comparisons per pixel whatever `k`.
fn run_filter(
    img: &[u8],
    w: usize,
    h: usize,
    k: usize,
    horizontal: bool,
    op: fn(u8, u8) -> u8,
    pad: u8,
) -> Vec<u8> {
    let mut out = vec![0u8; img.len()];
    let (len, lines) = if horizontal { (w, h) } else { (h, w) };
    let r = k / 2;
    let padded = len + 2 * r;
    let blocks = padded.div_ceil(k) * k;
    let mut line = vec![pad; blocks];
    let mut g = vec![pad; blocks];
    let mut hh = vec![pad; blocks];
    for l in 0..lines {
        line.fill(pad);
        for i in 0..len {
            line[r + i] = if horizontal {
                img[l * w + i]
            } else {
                img[i * w + l]
            };
        }
        for b in (0..blocks).step_by(k) {
            g[b] = line[b];
            for i in b + 1..b + k {
                g[i] = op(g[i - 1], line[i]);
            }
            hh[b + k - 1] = line[b + k - 1];
            for i in (b..b + k - 1).rev() {
                hh[i] = op(hh[i + 1], line[i]);
            }
        }
        for i in 0..len {
            // the window [i, i + k) of the padded line is centred on pixel i
            let v = if i + k - 1 < blocks {
                op(hh[i], g[i + k - 1])
            } else {
                hh[i]
            };
            if horizontal {
                out[l * w + i] = v;
            } else {
                out[i * w + l] = v;
            }
        }
    }
    out
}

/// Otsu's threshold of a histogram.
pub fn otsu(img: &[u8]) -> u8 {
    let mut hist = [0f64; 256];
    for v in img {
        hist[*v as usize] += 1.0;
    }
    let total = img.len() as f64;
    let sum: f64 = hist.iter().enumerate().map(|(i, c)| i as f64 * c).sum();
    let (mut wb, mut sb, mut best, mut t) = (0.0, 0.0, 0.0, 0u8);
    for (i, c) in hist.iter().enumerate() {
        wb += c;
        if wb == 0.0 {
            continue;
        }
        let wf = total - wb;
        if wf == 0.0 {
            break;
        }
        sb += i as f64 * c;
        let (mb, mf) = (sb / wb, (sum - sb) / wf);
        let between = wb * wf * (mb - mf) * (mb - mf);
        if between > best {
            best = between;
            t = i as u8;
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_and_max_filters_match_the_naive_ones() {
        let (w, h) = (23, 11);
        let img: Vec<u8> = (0..w * h).map(|i| ((i * 37 + 11) % 251) as u8).collect();
        for (kw, kh) in [(1, 1), (3, 5), (7, 3), (13, 5)] {
            let fast = dilate(&img, w, h, kw, kh);
            for y in 0..h {
                for x in 0..w {
                    let mut m = 0u8;
                    for yy in y.saturating_sub(kh / 2)..(y + kh / 2 + 1).min(h) {
                        for xx in x.saturating_sub(kw / 2)..(x + kw / 2 + 1).min(w) {
                            m = m.max(img[yy * w + xx]);
                        }
                    }
                    assert_eq!(fast[y * w + x], m, "{kw}x{kh} at {x},{y}");
                }
            }
        }
    }

    #[test]
    fn a_block_of_text_lines_is_found_where_it_is() {
        // light page, two long rows of dark "characters" near the bottom, a photo-like blob
        let (w, h) = (1000u32, 700u32);
        let img = GrayImage::from_fn(w, h, |x, y| {
            let in_rows = (560..580).contains(&y) || (600..620).contains(&y);
            let glyph = (80..920).contains(&x) && x % 22 < 12 && in_rows;
            let photo = (60..300).contains(&x) && (80..400).contains(&y);
            image::Luma([if glyph || photo { 30 } else { 220 }])
        });
        let zones = find(&img, 3);
        let z = zones.first().expect("a zone");
        assert!((z.cy - 590.0).abs() < 25.0, "{z:?}");
        assert!((z.cx - 500.0).abs() < 40.0, "{z:?}");
        assert!(z.width > 700.0, "{z:?}");
        assert!(z.angle.abs() < 0.05, "{z:?}");
    }
}
