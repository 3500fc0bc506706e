//! Frames from the selfie video: ffmpeg samples them at 10 fps from the start (at most
//! `liveness::MAX_FRAMES`, at most `DENSE_SIDE` px on the long side, rotation applied) and
//! pipes them out as PPM, so memory is bounded whatever the input. Time-limited subprocess.

use std::{path::Path, time::Duration};

use image::RgbImage;

use crate::server::media::{ToolError, VideoInfo, run_tool};

pub const MAX_SIDE: u32 = 640;

/// The long side of the dense frames (the liveness track and the face comparison).
pub const DENSE_SIDE: u32 = 480;

/// Frames from the start at `liveness::FPS` (fewer per second for videos longer than
/// `liveness::MAX_FRAMES` allow), at most `DENSE_SIDE` px long, and the time between them.
pub async fn dense(
    video: &Path,
    info: &VideoInfo,
    limit: Duration,
) -> Result<(Vec<RgbImage>, u32), ToolError> {
    use super::liveness::{FPS, MAX_FRAMES};
    let fps = match info.duration_secs {
        Some(d) if d > 0.5 => FPS.min(MAX_FRAMES as f64 / d),
        _ => FPS,
    };
    let frames = sample_at(video, info, fps, MAX_FRAMES, DENSE_SIDE, limit).await?;
    Ok((frames, (1000.0 / fps).round() as u32))
}

async fn sample_at(
    video: &Path,
    info: &VideoInfo,
    fps: f64,
    count: usize,
    side: u32,
    limit: Duration,
) -> Result<Vec<RgbImage>, ToolError> {
    let filter = format!(
        "fps={fps:.4},scale='if(gte(iw,ih),min({side},iw),-2)':'if(gte(iw,ih),-2,min({side},ih))'"
    );
    let p = video.to_string_lossy();
    let frames = count.to_string();
    let out = run_tool(
        "ffmpeg",
        &[
            "-nostdin",
            "-v",
            "error",
            "-threads",
            "2",
            "-t",
            "60",
            // only the demuxer the probe chose, only the spool file (see `media`)
            "-protocol_whitelist",
            "file",
            "-f",
            info.demuxer,
            "-i",
            &p,
            "-vf",
            &filter,
            "-frames:v",
            &frames,
            "-f",
            "image2pipe",
            "-vcodec",
            "ppm",
            "-",
        ],
        limit,
    )
    .await?;
    Ok(parse_ppm_stream(&out.stdout))
}

/// Splits concatenated binary PPM (P6, maxval 255) images.
pub fn parse_ppm_stream(mut data: &[u8]) -> Vec<RgbImage> {
    let mut frames = Vec::new();
    while let Some((img, rest)) = parse_one(data) {
        frames.push(img);
        data = rest;
    }
    frames
}

fn parse_one(data: &[u8]) -> Option<(RgbImage, &[u8])> {
    let mut fields = Vec::with_capacity(4);
    let mut pos = 0;
    while fields.len() < 4 {
        while pos < data.len() && (data[pos].is_ascii_whitespace() || data[pos] == b'#') {
            if data[pos] == b'#' {
                while pos < data.len() && data[pos] != b'\n' {
                    pos += 1;
                }
            }
            pos += 1;
        }
        let start = pos;
        while pos < data.len() && !data[pos].is_ascii_whitespace() {
            pos += 1;
        }
        if start == pos {
            return None;
        }
        fields.push(std::str::from_utf8(&data[start..pos]).ok()?);
    }
    pos += 1; // the single whitespace before the raster
    if fields[0] != "P6" || fields[3] != "255" {
        return None;
    }
    let (w, h): (u32, u32) = (fields[1].parse().ok()?, fields[2].parse().ok()?);
    let len = (w as usize).checked_mul(h as usize)?.checked_mul(3)?;
    let raster = data.get(pos..pos + len)?;
    Some((
        RgbImage::from_raw(w, h, raster.to_vec())?,
        &data[pos + len..],
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_concatenated_ppm() {
        let mut data = b"P6\n2 1\n255\n".to_vec();
        data.extend_from_slice(&[1, 2, 3, 4, 5, 6]);
        data.extend_from_slice(b"P6\n1 1\n255\n");
        data.extend_from_slice(&[7, 8, 9]);
        data.extend_from_slice(b"P6\n9 9\n255\ntruncated");
        let frames = super::parse_ppm_stream(&data);
        assert_eq!(frames.len(), 2);
        assert_eq!(frames[0].get_pixel(1, 0).0, [4, 5, 6]);
        assert_eq!(frames[1].get_pixel(0, 0).0, [7, 8, 9]);
    }
}
