//! Frames from the selfie video: ffmpeg samples them at 10 fps from the start (at most
//! `liveness::MAX_FRAMES`, at most `DENSE_SIDE` px on the long side, rotation applied) and
//! pipes them out as PPM, so memory is bounded whatever the input. Time-limited subprocess;
//! each frame is read straight into its own buffer as it arrives (collecting the whole output
//! first and then cutting it up cost two extra copies of it: ~80 ms of a 2-core machine).

use std::{path::Path, process::Stdio, time::Duration};

use image::RgbImage;
use tokio::io::{AsyncRead, AsyncReadExt, BufReader};

use crate::server::media::{ToolError, VideoInfo};

/// The largest frame a PPM header may announce (ffmpeg's output is scaled far below this).
const MAX_FRAME_BYTES: usize = 4096 * 4096 * 3;

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

/// ffmpeg's filter for frames at `fps`, at most `side` px on the long side (area scaling).
pub fn filter(fps: f64, side: u32) -> String {
    format!(
        "fps={fps:.4},scale='if(gte(iw,ih),min({side},iw),-2)':'if(gte(iw,ih),-2,min({side},ih))':flags=area"
    )
}

async fn sample_at(
    video: &Path,
    info: &VideoInfo,
    fps: f64,
    count: usize,
    side: u32,
    limit: Duration,
) -> Result<Vec<RgbImage>, ToolError> {
    let filter = filter(fps, side);
    let p = video.to_string_lossy();
    let frames = count.to_string();
    let args = [
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
    ];
    let mut child = tokio::process::Command::new("ffmpeg")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| ToolError::Spawn(format!("ffmpeg: {e}")))?;
    let stdout = child.stdout.take().expect("stdout is piped");
    let run = async {
        let frames = read_ppm_stream(BufReader::with_capacity(1 << 16, stdout), count).await;
        // what ffmpeg says on exit does not matter: the frames it gave are the evidence
        let _ = child.wait().await;
        frames
    };
    tokio::time::timeout(limit, run)
        .await
        .map_err(|_| ToolError::TimedOut)
}

/// Reads up to `max` concatenated binary PPM (P6, maxval 255) images; a truncated or malformed
/// one ends the stream.
pub async fn read_ppm_stream(mut r: impl AsyncRead + Unpin, max: usize) -> Vec<RgbImage> {
    let mut frames = Vec::new();
    while frames.len() < max {
        match read_one(&mut r).await {
            Some(img) => frames.push(img),
            None => break,
        }
    }
    frames
}

/// One binary PPM image; `None` at the end of the stream or on a malformed one.
pub async fn read_one(r: &mut (impl AsyncRead + Unpin)) -> Option<RgbImage> {
    let mut fields: Vec<String> = Vec::with_capacity(4);
    let mut byte = r.read_u8().await.ok()?;
    while fields.len() < 4 {
        // whitespace and comments between the fields
        loop {
            if byte == b'#' {
                while byte != b'\n' {
                    byte = r.read_u8().await.ok()?;
                }
            } else if !byte.is_ascii_whitespace() {
                break;
            }
            byte = r.read_u8().await.ok()?;
        }
        let mut field = String::new();
        while !byte.is_ascii_whitespace() {
            if field.len() >= 16 {
                return None;
            }
            field.push(char::from(byte));
            byte = r.read_u8().await.ok()?;
        }
        fields.push(field);
    }
    // `byte` is the single whitespace before the raster
    if fields[0] != "P6" || fields[3] != "255" {
        return None;
    }
    let (w, h): (u32, u32) = (fields[1].parse().ok()?, fields[2].parse().ok()?);
    let len = (w as usize).checked_mul(h as usize)?.checked_mul(3)?;
    if len == 0 || len > MAX_FRAME_BYTES {
        return None;
    }
    let mut raster = vec![0u8; len];
    r.read_exact(&mut raster).await.ok()?;
    RgbImage::from_raw(w, h, raster)
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn reads_concatenated_ppm() {
        let mut data = b"P6\n2 1\n255\n".to_vec();
        data.extend_from_slice(&[1, 2, 3, 4, 5, 6]);
        data.extend_from_slice(b"P6 # a comment\n1 1\n255\n");
        data.extend_from_slice(&[7, 8, 9]);
        data.extend_from_slice(b"P6\n9 9\n255\ntruncated");
        let frames = super::read_ppm_stream(&data[..], 10).await;
        assert_eq!(frames.len(), 2);
        assert_eq!(frames[0].get_pixel(1, 0).0, [4, 5, 6]);
        assert_eq!(frames[1].get_pixel(0, 0).0, [7, 8, 9]);
        assert_eq!(super::read_ppm_stream(&data[..], 1).await.len(), 1);
        // a header announcing an absurd size is not believed
        assert!(
            super::read_ppm_stream(&b"P6\n99999 99999\n255\n"[..], 10)
                .await
                .is_empty()
        );
    }
}
