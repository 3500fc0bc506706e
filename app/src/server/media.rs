//! What an upload really is, decided by content (magic bytes, then probing), never by the
//! client's content type or file name. Video probing and decoding run in ffprobe/ffmpeg
//! subprocesses with a time limit, so a hostile file cannot hang or crash the service.
//!
//! ffmpeg is locked to what we expect: the magic bytes choose the demuxer (Matroska/WebM,
//! MP4/MOV or AVI) and every call names it with `-f`, with `-protocol_whitelist file`, so
//! ffmpeg never guesses a format, never follows a playlist (HLS, DASH, ffconcat, SDP) and never
//! opens a path or URL but the spool file. Anything else is refused before ffmpeg runs, with a
//! 400 naming the field (and what the file is, when it is a known text format).

use std::{path::Path, process::Stdio, time::Duration};

use serde::Deserialize;
use tokio::process::Command;

/// What the first bytes of a file say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    Image(ImageFormat),
    /// A video container, with the file extension we store it under.
    Video(&'static str),
    /// A text format that points ffmpeg at other files or URLs (what it is, for the message).
    Playlist(&'static str),
    Unknown,
}

/// The ffmpeg demuxer for a stored video extension (the only ones we hand to ffmpeg).
pub fn demuxer_for(ext: &str) -> Option<&'static str> {
    match ext {
        "webm" | "mkv" => Some("matroska"),
        "mp4" | "mov" => Some("mov"),
        "avi" => Some("avi"),
        _ => None,
    }
}

/// Text formats ffmpeg would follow to other files or URLs, recognised to say what they are.
fn playlist_kind(head: &[u8]) -> Option<&'static str> {
    let text = head
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(head)
        .trim_ascii_start();
    let starts = |p: &[u8]| text.len() >= p.len() && text[..p.len()].eq_ignore_ascii_case(p);
    if starts(b"#EXTM3U") || starts(b"#EXT-X-") {
        Some("an HLS/M3U playlist")
    } else if starts(b"ffconcat") || starts(b"file ") || starts(b"file\t") {
        Some("an ffconcat script")
    } else if starts(b"<?xml") || starts(b"<MPD") || text.windows(4).any(|w| w == b"<MPD") {
        Some("a DASH manifest (XML)")
    } else if starts(b"v=0") {
        Some("an SDP session description")
    } else if starts(b"[playlist]") || starts(b"<asx") || starts(b"<smil") {
        Some("a playlist")
    } else if !head.is_empty()
        && head
            .iter()
            .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace())
    {
        Some("a text file")
    } else {
        None
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Jpeg,
    Png,
    Gif,
    WebP,
    Bmp,
    Tiff,
    Heic,
}

impl ImageFormat {
    pub fn ext(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Gif => "gif",
            Self::WebP => "webp",
            Self::Bmp => "bmp",
            Self::Tiff => "tif",
            Self::Heic => "heic",
        }
    }
    fn mime(self) -> &'static str {
        crate::server::storage::content_type_for(self.ext())
    }
}

const HEIF_BRANDS: [&[u8; 4]; 8] = [
    b"heic", b"heix", b"hevc", b"heim", b"heis", b"hevm", b"mif1", b"msf1",
];

/// Decides from the first bytes (64 are enough).
pub fn sniff(head: &[u8]) -> Sniffed {
    let at = |i: usize, magic: &[u8]| {
        head.len() >= i + magic.len() && &head[i..i + magic.len()] == magic
    };
    if at(0, &[0xFF, 0xD8, 0xFF]) {
        Sniffed::Image(ImageFormat::Jpeg)
    } else if at(0, b"\x89PNG\r\n\x1a\n") {
        Sniffed::Image(ImageFormat::Png)
    } else if at(0, b"GIF87a") || at(0, b"GIF89a") {
        Sniffed::Image(ImageFormat::Gif)
    } else if at(0, b"RIFF") && at(8, b"WEBP") {
        Sniffed::Image(ImageFormat::WebP)
    } else if at(0, b"RIFF") && at(8, b"AVI ") {
        Sniffed::Video("avi")
    } else if at(0, b"II*\0") || at(0, b"MM\0*") {
        Sniffed::Image(ImageFormat::Tiff)
    } else if at(0, b"BM") && head.len() >= 14 {
        Sniffed::Image(ImageFormat::Bmp)
    } else if at(4, b"ftyp") {
        let brand = &head[8..12.min(head.len())];
        if HEIF_BRANDS.iter().any(|b| brand == &b[..]) {
            Sniffed::Image(ImageFormat::Heic)
        } else if brand == b"qt  " {
            Sniffed::Video("mov")
        } else {
            Sniffed::Video("mp4")
        }
    } else if at(0, &[0x1A, 0x45, 0xDF, 0xA3]) {
        let webm = head.windows(4).any(|w| w == b"webm");
        Sniffed::Video(if webm { "webm" } else { "mkv" })
    } else if let Some(kind) = playlist_kind(head) {
        Sniffed::Playlist(kind)
    } else {
        Sniffed::Unknown
    }
}

/// A problem with an upload the client can fix (a 4xx).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Rejected(pub String);

#[derive(Debug, Clone)]
pub struct VideoInfo {
    pub ext: &'static str,
    /// The ffmpeg demuxer every later call must name (`-f`).
    pub demuxer: &'static str,
    pub mime: &'static str,
    pub width: u32,
    pub height: u32,
    pub duration_secs: Option<f64>,
    pub codec: String,
}

#[derive(Deserialize)]
struct Probe {
    #[serde(default)]
    streams: Vec<ProbeStream>,
    format: Option<ProbeFormat>,
    /// The first video frame, when ffprobe could decode it (`-show_frames`).
    #[serde(default)]
    frames: Vec<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
struct ProbeStream {
    codec_type: Option<String>,
    codec_name: Option<String>,
    width: Option<u32>,
    height: Option<u32>,
    duration: Option<String>,
}

#[derive(Deserialize)]
struct ProbeFormat {
    format_name: Option<String>,
    duration: Option<String>,
}

/// Runs a media tool with a time limit; the child is killed when the limit passes.
pub async fn run_tool(
    program: &str,
    args: &[&str],
    limit: Duration,
) -> Result<std::process::Output, ToolError> {
    let child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| ToolError::Spawn(format!("{program}: {e}")))?;
    match tokio::time::timeout(limit, child.wait_with_output()).await {
        Ok(Ok(out)) => Ok(out),
        Ok(Err(e)) => Err(ToolError::Spawn(format!("{program}: {e}"))),
        Err(_) => Err(ToolError::TimedOut),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    /// Our problem (ffmpeg missing): a 5xx.
    #[error("cannot run {0}")]
    Spawn(String),
    #[error("timed out")]
    TimedOut,
}

const MAX_VIDEO_SIDE: u32 = 4096;

/// Checks that `path` is a decodable video; `field` names it in messages: the container by its
/// first bytes, then ffprobe's view of it (under that container's demuxer only) with its first
/// video frame decoded, in one run.
pub async fn probe_video(
    path: &Path,
    head: &[u8],
    field: &str,
    limit: Duration,
) -> Result<Result<VideoInfo, Rejected>, ToolError> {
    let (ext, demuxer) = match container(head, field) {
        Ok(c) => c,
        Err(r) => return Ok(Err(r)),
    };
    let p = path.to_string_lossy();
    let (probe, v) = match ffprobe(&p, demuxer, field, limit).await? {
        Ok(found) => found,
        Err(r) => return Ok(Err(r)),
    };
    let (width, height) = (v.width.unwrap_or(0), v.height.unwrap_or(0));
    if width == 0 || height == 0 {
        return Ok(Err(Rejected(format!(
            "{field} has no readable video frames (truncated or corrupt)"
        ))));
    }
    if width > MAX_VIDEO_SIDE || height > MAX_VIDEO_SIDE {
        return Ok(Err(Rejected(format!(
            "{field} is {width}×{height}; the limit is {MAX_VIDEO_SIDE} pixels per side"
        ))));
    }
    // decoding one frame proves the stream is usable (a header alone is not enough)
    if probe.frames.is_empty() {
        return Ok(Err(Rejected(format!(
            "{field} could not be decoded (truncated or corrupt video)"
        ))));
    }
    let duration_secs = probe
        .format
        .as_ref()
        .and_then(|f| f.duration.as_deref())
        .or(v.duration.as_deref())
        .and_then(|d| d.parse::<f64>().ok())
        .filter(|d| d.is_finite() && *d >= 0.0);
    Ok(Ok(VideoInfo {
        ext,
        demuxer,
        mime: crate::server::storage::content_type_for(ext),
        width,
        height,
        duration_secs,
        codec: v.codec_name.clone().unwrap_or_default(),
    }))
}

/// The ffmpeg demuxer of a video by its first bytes (`None`: not a video we read).
pub fn video_demuxer(head: &[u8]) -> Option<&'static str> {
    container(head, "").ok().map(|(_, d)| d)
}

/// The container by its first bytes: its extension and the ffmpeg demuxer every later call
/// names. Images, playlists and unknown formats are refused here, before any tool runs.
fn container(head: &[u8], field: &str) -> Result<(&'static str, &'static str), Rejected> {
    let unknown = || {
        Rejected(format!(
            "{field} is not a recognised video format (WebM, MP4, MOV, Matroska or AVI)"
        ))
    };
    let ext = match sniff(head) {
        Sniffed::Image(f) => {
            return Err(Rejected(format!(
                "{field} is an image ({}), not a video",
                f.mime()
            )));
        }
        Sniffed::Playlist(kind) => {
            return Err(Rejected(format!(
                "{field} is {kind}, not a video file; send the recording itself (WebM, MP4, MOV, Matroska or AVI)"
            )));
        }
        Sniffed::Video(ext) => ext,
        Sniffed::Unknown => return Err(unknown()),
    };
    let demuxer = demuxer_for(ext).ok_or_else(unknown)?;
    Ok((ext, demuxer))
}

/// ffprobe's description of the file and its first video stream, with that stream's first
/// frame decoded (only the video stream is shown; nothing past its first packet is read for
/// the frame).
async fn ffprobe(
    p: &str,
    demuxer: &str,
    field: &str,
    limit: Duration,
) -> Result<Result<(Probe, ProbeStream), Rejected>, ToolError> {
    let args = [
        "-v",
        "error",
        "-protocol_whitelist",
        "file",
        "-f",
        demuxer,
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
        "-select_streams",
        "v:0",
        "-show_frames",
        "-read_intervals",
        "%+#1",
        p,
    ];
    let out = match run_on_upload("ffprobe", &args, limit, field, "read").await? {
        Ok(o) => o,
        Err(r) => return Ok(Err(r)),
    };
    let probe: Option<Probe> = serde_json::from_slice(&out.stdout).ok();
    let Some(mut probe) = probe.filter(|p| p.format.is_some()) else {
        return Ok(Err(Rejected(format!(
            "{field} is not a recognised video format"
        ))));
    };
    let format_name = probe
        .format
        .as_ref()
        .and_then(|f| f.format_name.clone())
        .unwrap_or_default();
    if format_name.contains("image2") || format_name.ends_with("_pipe") || format_name == "gif" {
        return Ok(Err(Rejected(format!("{field} is an image, not a video"))));
    }
    let Some(i) = probe
        .streams
        .iter()
        .position(|s| s.codec_type.as_deref() == Some("video"))
    else {
        return Ok(Err(Rejected(format!("{field} has no video track"))));
    };
    let v = probe.streams.swap_remove(i);
    Ok(Ok((probe, v)))
}

/// One video packet of a file: where it ends in the file, and its time on the stream's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Packet {
    /// The byte after its last one.
    pub end: u64,
    /// Its timestamp in milliseconds from the stream's first packet.
    pub at_ms: u32,
}

/// The video packets of a file, in file order: what a live
/// recording's log needs to know how much video had arrived at a moment (the newest packet
/// whose bytes had all arrived).
pub async fn packet_times(
    path: &Path,
    head: &[u8],
    field: &str,
    limit: Duration,
) -> Result<Result<Vec<Packet>, Rejected>, ToolError> {
    let demuxer = match container(head, field) {
        Ok((_, d)) => d,
        Err(r) => return Ok(Err(r)),
    };
    let p = path.to_string_lossy();
    let args = [
        "-v",
        "error",
        "-protocol_whitelist",
        "file",
        "-f",
        demuxer,
        "-select_streams",
        "v:0",
        "-show_entries",
        "packet=pts_time,dts_time,pos,size",
        "-of",
        "csv=p=0",
        &p,
    ];
    let out = match run_on_upload("ffprobe", &args, limit, field, "read").await? {
        Ok(o) => o,
        Err(r) => return Ok(Err(r)),
    };
    Ok(Ok(parse_packets(&String::from_utf8_lossy(&out.stdout))))
}

/// ffprobe's `pts_time,dts_time,size,pos` lines (the order it prints them in) as packets;
/// lines without a position or a time are skipped.
fn parse_packets(csv: &str) -> Vec<Packet> {
    let mut raw: Vec<(u64, f64)> = Vec::new();
    for line in csv.lines() {
        let f: Vec<&str> = line.trim().split(',').collect();
        if f.len() < 4 {
            continue;
        }
        let time = f[0].parse::<f64>().or_else(|_| f[1].parse::<f64>());
        let (Ok(t), Ok(size), Ok(pos)) = (time, f[2].parse::<u64>(), f[3].parse::<u64>()) else {
            continue;
        };
        if t.is_finite() {
            raw.push((pos + size, t));
        }
    }
    let first = raw.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    raw.into_iter()
        .map(|(end, t)| Packet {
            end,
            at_ms: ((t - first) * 1000.0)
                .round()
                .clamp(0.0, f64::from(u32::MAX)) as u32,
        })
        .collect()
}

/// The newest time of the packets whose bytes all lie within the first `bytes` of the file
/// (`None`: not one packet had arrived).
pub fn arrived_ms(packets: &[Packet], bytes: u64) -> Option<u32> {
    packets
        .iter()
        .filter(|p| p.end <= bytes)
        .map(|p| p.at_ms)
        .max()
}

/// `run_tool` on an uploaded file: running out of time is the file's fault (a corrupt or
/// hostile file), answered as a rejection naming `field` and what could not be done in time.
async fn run_on_upload(
    program: &str,
    args: &[&str],
    limit: Duration,
    field: &str,
    done: &str,
) -> Result<Result<std::process::Output, Rejected>, ToolError> {
    match run_tool(program, args, limit).await {
        Ok(o) => Ok(Ok(o)),
        Err(ToolError::TimedOut) => Ok(Err(Rejected(format!(
            "{field} could not be {done} in time (corrupt or hostile file)"
        )))),
        Err(e) => Err(e),
    }
}

/// A decoded, upright ID photo.
pub struct DecodedImage {
    pub format: ImageFormat,
    pub image: image::DynamicImage,
}

/// What decoding an ID photo may cost: its pixels, the converter's time, and when to stop.
#[derive(Debug, Clone, Copy)]
pub struct ImageLimits<'a> {
    /// Larger images are refused from their header, before anything is decoded.
    pub max_pixels: u64,
    /// The time limit of a converter subprocess (HEIC).
    pub timeout: Duration,
    /// Set when the submission is gone: a converter subprocess is killed.
    pub cancel: Option<&'a super::document::Cancel>,
}

/// Checks and decodes the ID photo: known format, dimensions within limits (checked from the
/// header before decoding, a HEIC's from its box tree before the converter runs), a sound EXIF
/// block, EXIF orientation applied. Blocking: call from a blocking thread.
pub fn decode_image(
    path: &Path,
    head: &[u8],
    field: &str,
    limits: &ImageLimits<'_>,
) -> Result<DecodedImage, Rejected> {
    let max_pixels = limits.max_pixels;
    let format = match sniff(head) {
        Sniffed::Image(f) => f,
        Sniffed::Video(_) => return Err(Rejected(format!("{field} is a video, not an image"))),
        Sniffed::Unknown | Sniffed::Playlist(_) => {
            return Err(Rejected(format!(
                "{field} is not a supported image format (JPEG, PNG, WebP, GIF, BMP, TIFF, HEIC)"
            )));
        }
    };
    let orientation = read_orientation(path, field)?;
    let image = if format == ImageFormat::Heic {
        decode_heic(path, field, limits)?
    } else {
        let reader = || {
            image::ImageReader::open(path)
                .and_then(|r| r.with_guessed_format())
                .map_err(|e| Rejected(format!("{field} could not be read: {e}")))
        };
        let (w, h) = reader()?
            .into_dimensions()
            .map_err(|e| Rejected(format!("{field} is not a valid image: {e}")))?;
        check_pixels(field, w, h, max_pixels)?;
        let mut r = reader()?;
        let mut limits = image::Limits::default();
        limits.max_image_width = Some(w);
        limits.max_image_height = Some(h);
        limits.max_alloc = Some(max_pixels.saturating_mul(4).saturating_add(64 << 20));
        r.limits(limits);
        r.decode().map_err(|e| {
            Rejected(format!(
                "{field} could not be decoded (truncated or corrupt image): {e}"
            ))
        })?
    };
    Ok(DecodedImage {
        format,
        image: apply_orientation(image, orientation),
    })
}

/// The disk a HEIC's conversion may write (a JPEG of at most `max_pixels`), for the caller to
/// charge to the spool before [`decode_image`] runs.
pub fn heic_output_bytes(max_pixels: u64) -> u64 {
    max_pixels.saturating_mul(3).saturating_add(1 << 20)
}

fn check_pixels(field: &str, w: u32, h: u32, max_pixels: u64) -> Result<(), Rejected> {
    if w == 0 || h == 0 {
        return Err(Rejected(format!("{field} has no pixels")));
    }
    if u64::from(w) * u64::from(h) > max_pixels {
        return Err(Rejected(format!(
            "{field} is {w}×{h} pixels; the limit is {:.0} megapixels",
            max_pixels as f64 / 1e6
        )));
    }
    Ok(())
}

/// EXIF orientation (1 when there is no EXIF). A present but corrupt EXIF block is refused:
/// cameras do not write one, tools that tamper with images do.
fn read_orientation(path: &Path, field: &str) -> Result<u32, Rejected> {
    let file = std::fs::File::open(path)
        .map_err(|e| Rejected(format!("{field} could not be read: {e}")))?;
    let mut reader = std::io::BufReader::new(file);
    match exif::Reader::new().read_from_container(&mut reader) {
        Ok(exif) => Ok(exif
            .get_field(exif::Tag::Orientation, exif::In::PRIMARY)
            .and_then(|f| f.value.get_uint(0))
            .filter(|o| (1..=8).contains(o))
            .unwrap_or(1)),
        Err(exif::Error::NotFound(_)) => Ok(1),
        // A container the EXIF reader does not know (GIF, BMP): no EXIF to apply.
        Err(exif::Error::NotSupported(_)) => Ok(1),
        Err(_) => Err(Rejected(format!(
            "{field} has a corrupt EXIF block; save the photo again or take a new one"
        ))),
    }
}

fn apply_orientation(img: image::DynamicImage, o: u32) -> image::DynamicImage {
    match o {
        2 => img.fliph(),
        3 => img.rotate180(),
        4 => img.flipv(),
        5 => img.rotate90().fliph(),
        6 => img.rotate90(),
        7 => img.rotate270().fliph(),
        8 => img.rotate270(),
        _ => img,
    }
}

/// HEIC/HEIF (iPhone photos): the size its box tree declares is checked first
/// ([`heif_dimensions`]), then Debian's `heif-convert` (libheif) converts it in a subprocess,
/// under a memory cap (a file whose tiles say more than its `ispe` cannot take the host's
/// memory), killed at the time limit or when the submission is gone. Its output sits beside
/// the upload, in a folder named so that the spool's sweep finds it after a crash (`*.heic.d`).
fn decode_heic(
    path: &Path,
    field: &str,
    limits: &ImageLimits<'_>,
) -> Result<image::DynamicImage, Rejected> {
    let undecodable = || Rejected(format!("{field} is a HEIC image that could not be decoded"));
    let (w, h) = heif_dimensions(path).ok_or_else(undecodable)?;
    check_pixels(field, w, h, limits.max_pixels)?;
    // the converter writes in a folder of its own (a file it takes as several images would
    // become several files), removed with everything in it
    let folder = path.with_extension(HEIC_OUTPUT_EXT);
    let out = folder.join("image.jpg");
    if super::private_fs::create_dir(&folder).is_err() {
        return Err(undecodable());
    }
    // RGB and RGBA planes of the declared size, the JPEG encoder's own, and the libraries
    let memory = u64::from(w)
        .saturating_mul(u64::from(h))
        .saturating_mul(8)
        .saturating_add(256 << 20);
    // the data segment and private writable mappings (not the address space: thread stacks
    // and the allocator's reserved arenas would count there), few allocator arenas
    let child = std::process::Command::new("prlimit")
        .arg(format!("--data={memory}"))
        .arg("--")
        .arg("heif-convert")
        .env("MALLOC_ARENA_MAX", "2")
        .arg(path)
        .arg(&out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let converted = child.is_ok_and(|mut child| {
        let deadline = std::time::Instant::now() + limits.timeout;
        loop {
            match child.try_wait() {
                Ok(Some(status)) => break status.success(),
                Ok(None) => {}
                Err(_) => break false,
            }
            let cancelled = limits
                .cancel
                .is_some_and(super::document::Cancel::is_cancelled);
            if cancelled || std::time::Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                break false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    });
    let result = if converted {
        (|| {
            let r =
                image::ImageReader::open(&out).map_err(|e| Rejected(format!("{field}: {e}")))?;
            let (w, h) = r
                .into_dimensions()
                .map_err(|e| Rejected(format!("{field} could not be converted: {e}")))?;
            check_pixels(field, w, h, limits.max_pixels)?;
            image::open(&out).map_err(|e| Rejected(format!("{field} could not be converted: {e}")))
        })()
    } else {
        Err(undecodable())
    };
    let _ = std::fs::remove_dir_all(&folder);
    result
}

/// The extension of the folder beside an upload in which `heif-convert` writes its converted
/// copy (`image.jpg`: it chooses its encoder by the extension); the spool's sweep removes such
/// folders too, and the `*.heic.jpg` files of earlier versions.
pub const HEIC_OUTPUT_EXT: &str = "heic.d";

/// The box tree's part read into memory (the `meta` box; an iPhone photo's is a few KB).
const HEIF_META_CAP: u64 = 1 << 20;

/// The largest image a HEIF file declares: every image item, a grid included, carries an
/// image spatial extent (`ispe`) property in `meta`/`iprp`/`ipco`. Read from the box tree
/// (top-level boxes skipped by their sizes, only `meta` read), nothing decoded. `None` when the
/// tree is malformed or declares no size.
pub fn heif_dimensions(path: &Path) -> Option<(u32, u32)> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path).ok()?;
    let len = f.metadata().ok()?.len();
    let mut pos = 0u64;
    // a HEIF file has a handful of top-level boxes (ftyp, meta, mdat, free, ...)
    for _ in 0..64 {
        if pos.checked_add(8)? > len {
            return None;
        }
        f.seek(SeekFrom::Start(pos)).ok()?;
        let mut head = [0u8; 16];
        f.read_exact(&mut head[..8]).ok()?;
        let size32 = u32::from_be_bytes(head[0..4].try_into().ok()?);
        let (size, header) = match size32 {
            0 => (len - pos, 8),
            1 => {
                f.read_exact(&mut head[8..16]).ok()?;
                (u64::from_be_bytes(head[8..16].try_into().ok()?), 16)
            }
            n => (u64::from(n), 8),
        };
        if size < header || pos.checked_add(size)? > len {
            return None;
        }
        if &head[4..8] == b"meta" {
            let body = size - header;
            if body > HEIF_META_CAP {
                return None;
            }
            let mut meta = vec![0u8; usize::try_from(body).ok()?];
            f.read_exact(&mut meta).ok()?;
            // a full box: version and flags first
            let meta = meta.get(4..)?;
            let grids = grid_sizes(meta, &mut f, len)?;
            return largest_ispe(meta)
                .into_iter()
                .chain(grids)
                .max_by_key(|&(w, h)| u64::from(w) * u64::from(h));
        }
        pos += size;
    }
    None
}

/// The item types a HEIC may hold: HEVC images, grids of them, identity and tone-map derived
/// images (their sizes are their `ispe`), and metadata. Any other coded image (AV1, JPEG,
/// H.264, uncompressed, ...) or overlay is refused before the converter sees it: its size is
/// not read here.
const HEIF_ITEM_TYPES: [&[u8; 4]; 7] = [
    b"hvc1", b"grid", b"iden", b"tmap", b"Exif", b"mime", b"uri ",
];

/// The output size of every grid item (its descriptor, in `idat` or in the file, located
/// through `iloc`), and the coded size of every parameter set an HEVC item carries in its own
/// data: what the converter allocates, whatever `ispe` and `hvcC` say. `None` when an item is
/// of a type not in [`HEIF_ITEM_TYPES`], the file shows more than one image, or a descriptor
/// or an item's first units cannot be read.
fn grid_sizes(meta: &[u8], f: &mut std::fs::File, len: u64) -> Option<Vec<(u32, u32)>> {
    use std::io::{Read, Seek, SeekFrom};
    let boxes = heif_boxes(meta)?;
    let find = |kind: &[u8; 4]| boxes.iter().find(|(k, _)| k == kind).map(|(_, b)| *b);
    let Some(iinf) = find(b"iinf") else {
        return Some(Vec::new());
    };
    // iinf: a full box, then an entry count (16 bits in version 0)
    let skip = if iinf.first()? == &0 { 6 } else { 8 };
    let mut grids = Vec::new();
    let mut coded = Vec::new();
    // the images a converter writes out: not hidden, not a thumbnail, auxiliary or tile
    let mut shown = Vec::new();
    for (kind, infe) in heif_boxes(iinf.get(skip..)?)? {
        if &kind != b"infe" {
            continue;
        }
        // infe versions 2 and 3: item id (16 or 32 bits), protection index, item type
        let (id, at) = match infe.first()? {
            2 => (
                u32::from(u16::from_be_bytes(infe.get(4..6)?.try_into().ok()?)),
                8,
            ),
            3 => (u32::from_be_bytes(infe.get(4..8)?.try_into().ok()?), 10),
            _ => return None,
        };
        let item_type: &[u8; 4] = infe.get(at..at + 4)?.try_into().ok()?;
        if !HEIF_ITEM_TYPES.contains(&item_type) {
            return None;
        }
        if item_type == b"grid" {
            grids.push(id);
        }
        if item_type == b"hvc1" {
            coded.push(id);
        }
        let hidden = infe.get(3)? & 1 == 1;
        if [b"hvc1", b"grid", b"iden"].contains(&item_type) && !hidden {
            shown.push(id);
        }
    }
    if let Some(iref) = find(b"iref") {
        let wide = iref.first()? != &0;
        for (kind, r) in heif_boxes(iref.get(4..)?)? {
            let mut b = Bytes { data: r, pos: 0 };
            let id_size = if wide { 4 } else { 2 };
            let from = u32::try_from(b.uint(id_size)?).ok()?;
            let count = b.uint(2)?;
            let mut to = Vec::new();
            for _ in 0..count {
                to.push(u32::try_from(b.uint(id_size)?).ok()?);
            }
            match &kind {
                b"thmb" | b"auxl" => shown.retain(|&i| i != from),
                b"dimg" => shown.retain(|i| !to.contains(i)),
                _ => {}
            }
        }
    }
    // a file of several photos: the converter would write each (and take its time)
    if shown.len() > 1 {
        return None;
    }
    let mut out = Vec::new();
    let read = |f: &mut std::fs::File, method: u8, offset: u64, length: u64, cap: u64| {
        match method {
            // in `idat`
            1 => {
                let idat = find(b"idat")?;
                let start = usize::try_from(offset).ok()?;
                let n = usize::try_from(length.min(cap)).ok()?;
                idat.get(start..start.checked_add(n)?).map(<[u8]>::to_vec)
            }
            // in the file
            0 => {
                let n = length.min(cap);
                if offset.checked_add(n)? > len {
                    return None;
                }
                f.seek(SeekFrom::Start(offset)).ok()?;
                let mut b = vec![0u8; usize::try_from(n).ok()?];
                f.read_exact(&mut b).ok()?;
                Some(b)
            }
            _ => None,
        }
    };
    // parameter sets sent in an item's data ("in band") come before its first slice
    for id in coded {
        let (method, offset, length) = item_location(find(b"iloc")?, id)?;
        let data = read(f, method, offset, length, INBAND_READ)?;
        out.extend(inband_coded_sizes(&data, length)?);
    }
    for id in grids {
        let (method, offset, length) = item_location(find(b"iloc")?, id)?;
        if length > 64 {
            return None;
        }
        let descriptor = read(f, method, offset, length, 64)?;
        // version, flags (bit 0: 32-bit sizes), rows - 1, columns - 1, width, height
        let wide = descriptor.get(1)? & 1 == 1;
        let size = if wide {
            (
                u32::from_be_bytes(descriptor.get(4..8)?.try_into().ok()?),
                u32::from_be_bytes(descriptor.get(8..12)?.try_into().ok()?),
            )
        } else {
            (
                u32::from(u16::from_be_bytes(descriptor.get(4..6)?.try_into().ok()?)),
                u32::from(u16::from_be_bytes(descriptor.get(6..8)?.try_into().ok()?)),
            )
        };
        out.push(size);
    }
    Some(out)
}

/// How much of an HEVC item's data is read for its in-band parameter sets.
const INBAND_READ: u64 = 4096;

/// The coded sizes of the sequence parameter sets among an HEVC item's first NAL units (4-byte
/// lengths, as HEIF writers use), up to its first slice. `None` when that slice is not within
/// the first [`INBAND_READ`] bytes (something long before it), or a parameter set is malformed.
fn inband_coded_sizes(data: &[u8], item_length: u64) -> Option<Vec<(u32, u32)>> {
    let mut out = Vec::new();
    let mut pos = 0usize;
    loop {
        if pos == data.len() && u64::try_from(pos).ok()? == item_length {
            return Some(out);
        }
        let n =
            usize::try_from(u32::from_be_bytes(data.get(pos..pos + 4)?.try_into().ok()?)).ok()?;
        let nal = data.get(pos + 4..)?;
        let kind = (nal.first()? >> 1) & 0x3f;
        // 0..=31: a slice of the picture itself; nothing after it is read
        if kind < 32 {
            return Some(out);
        }
        if kind == 33 {
            out.push(sps_coded_size(nal.get(..n.min(nal.len()))?)?);
        }
        pos = pos.checked_add(4)?.checked_add(n)?;
    }
}

/// Where item `id`'s data lies, from the `iloc` box (ISO/IEC 14496-12 8.11.3): its construction
/// method (0 the file, 1 `idat`), offset and length (its first extent).
fn item_location(iloc: &[u8], id: u32) -> Option<(u8, u64, u64)> {
    let version = *iloc.first()?;
    let mut r = Bytes { data: iloc, pos: 4 };
    let sizes = r.uint(1)?;
    let (offset_size, length_size) = ((sizes >> 4) as usize, (sizes & 15) as usize);
    let more = r.uint(1)?;
    let base_size = (more >> 4) as usize;
    let index_size = if version >= 1 {
        (more & 15) as usize
    } else {
        0
    };
    let count = r.uint(if version < 2 { 2 } else { 4 })?;
    for _ in 0..count {
        let item = r.uint(if version < 2 { 2 } else { 4 })?;
        let method = if version >= 1 { r.uint(2)? & 15 } else { 0 };
        r.uint(2)?; // data reference index
        let base = r.uint(base_size)?;
        let extents = r.uint(2)?;
        let mut first = None;
        for _ in 0..extents {
            r.uint(index_size)?;
            let offset = r.uint(offset_size)?;
            let length = r.uint(length_size)?;
            first.get_or_insert((offset, length));
        }
        if item == u64::from(id) {
            let (offset, length) = first?;
            return Some((
                u8::try_from(method).ok()?,
                base.checked_add(offset)?,
                length,
            ));
        }
    }
    None
}

/// A big-endian reader of unsigned fields of 0, 1, 2, 4 or 8 bytes.
struct Bytes<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Bytes<'_> {
    fn uint(&mut self, size: usize) -> Option<u64> {
        if !matches!(size, 0 | 1 | 2 | 4 | 8) {
            return None;
        }
        let b = self.data.get(self.pos..self.pos.checked_add(size)?)?;
        self.pos += size;
        Some(b.iter().fold(0u64, |v, &x| (v << 8) | u64::from(x)))
    }
}

/// The boxes one after another in `data`: each one's type and body. `None` if any is malformed.
fn heif_boxes(mut data: &[u8]) -> Option<Vec<([u8; 4], &[u8])>> {
    let mut out = Vec::new();
    while !data.is_empty() {
        let size32 = u32::from_be_bytes(data.get(0..4)?.try_into().ok()?);
        let kind: [u8; 4] = data.get(4..8)?.try_into().ok()?;
        let (size, header) = match size32 {
            0 => (data.len(), 8),
            1 => (
                usize::try_from(u64::from_be_bytes(data.get(8..16)?.try_into().ok()?)).ok()?,
                16,
            ),
            n => (usize::try_from(n).ok()?, 8),
        };
        if size < header {
            return None;
        }
        out.push((kind, data.get(header..size)?));
        data = &data[size..];
    }
    Some(out)
}

/// The largest size among the `ipco` properties: each image's declared extent (`ispe`) and
/// each HEVC configuration's coded picture size (the `hvcC`'s sequence parameter set, what the
/// decoder allocates whatever `ispe` says). `None` when a property is malformed.
fn largest_ispe(meta: &[u8]) -> Option<(u32, u32)> {
    let iprp = heif_boxes(meta)?.into_iter().find(|(k, _)| k == b"iprp")?.1;
    let ipco = heif_boxes(iprp)?.into_iter().find(|(k, _)| k == b"ipco")?.1;
    let mut sizes = Vec::new();
    for (kind, b) in heif_boxes(ipco)? {
        match &kind {
            b"ispe" => {
                // a full box: version and flags, then width and height
                let w = u32::from_be_bytes(b.get(4..8)?.try_into().ok()?);
                let h = u32::from_be_bytes(b.get(8..12)?.try_into().ok()?);
                sizes.push((w, h));
            }
            b"hvcC" => sizes.extend(hvcc_coded_sizes(b)?),
            _ => {}
        }
    }
    sizes
        .into_iter()
        .filter(|&(w, h)| w > 0 && h > 0)
        .max_by_key(|&(w, h)| u64::from(w) * u64::from(h))
}

/// The coded picture sizes of the sequence parameter sets in an HEVC decoder configuration
/// record (ISO/IEC 14496-15 8.3.3): 22 bytes of fields, then arrays of NAL units.
fn hvcc_coded_sizes(b: &[u8]) -> Option<Vec<(u32, u32)>> {
    let arrays = *b.get(22)?;
    let mut rest = b.get(23..)?;
    let mut out = Vec::new();
    for _ in 0..arrays {
        let count = u16::from_be_bytes(rest.get(1..3)?.try_into().ok()?);
        rest = rest.get(3..)?;
        for _ in 0..count {
            let len = usize::from(u16::from_be_bytes(rest.get(0..2)?.try_into().ok()?));
            let nal = rest.get(2..2 + len)?;
            rest = &rest[2 + len..];
            // 33: a sequence parameter set, by its own header (the decoder reads that, not the
            // array's label)
            if (nal.first()? >> 1) & 0x3f == 33 {
                out.push(sps_coded_size(nal)?);
            }
        }
    }
    Some(out)
}

/// `pic_width_in_luma_samples` × `pic_height_in_luma_samples` of an HEVC sequence parameter
/// set NAL unit (ITU-T H.265 7.3.2.2.1; the two-byte NAL header first).
fn sps_coded_size(nal: &[u8]) -> Option<(u32, u32)> {
    // the payload without its emulation prevention bytes (00 00 03 → 00 00); what the sizes
    // need lies in the first few dozen bytes
    let mut rbsp = Vec::with_capacity(64);
    let mut zeros = 0;
    for &byte in nal.get(2..)?.iter().take(256) {
        if zeros >= 2 && byte == 3 {
            zeros = 0;
            continue;
        }
        zeros = if byte == 0 { zeros + 1 } else { 0 };
        rbsp.push(byte);
    }
    let mut r = Bits {
        data: &rbsp,
        pos: 0,
    };
    r.skip(4)?; // sps_video_parameter_set_id
    let sub_layers = r.read(3)?; // sps_max_sub_layers_minus1
    r.skip(1)?; // sps_temporal_id_nesting_flag
    // profile_tier_level(1, sps_max_sub_layers_minus1): the general profile and level
    r.skip(88 + 8)?;
    let mut present = Vec::new();
    for _ in 0..sub_layers {
        present.push((r.read(1)? == 1, r.read(1)? == 1));
    }
    if sub_layers > 0 {
        r.skip(2 * (8 - sub_layers as usize))?;
    }
    for (profile, level) in present {
        r.skip(if profile { 88 } else { 0 } + if level { 8 } else { 0 })?;
    }
    r.ue()?; // sps_seq_parameter_set_id
    if r.ue()? == 3 {
        r.skip(1)?; // separate_colour_plane_flag
    }
    Some((r.ue()?, r.ue()?))
}

/// A big-endian bit reader over a byte slice.
struct Bits<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Bits<'_> {
    fn read(&mut self, n: u32) -> Option<u32> {
        let mut v = 0u32;
        for _ in 0..n {
            let byte = *self.data.get(self.pos / 8)?;
            v = (v << 1) | u32::from((byte >> (7 - self.pos % 8)) & 1);
            self.pos += 1;
        }
        Some(v)
    }

    fn skip(&mut self, n: usize) -> Option<()> {
        self.pos += n;
        (self.pos <= self.data.len() * 8).then_some(())
    }

    /// An unsigned Exp-Golomb number (at most 32 bits of value).
    fn ue(&mut self) -> Option<u32> {
        let mut zeros = 0;
        while self.read(1)? == 0 {
            zeros += 1;
            if zeros > 31 {
                return None;
            }
        }
        let rest = self.read(zeros)?;
        u32::try_from((1u64 << zeros) - 1 + u64::from(rest)).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bx(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut b = u32::try_from(body.len() + 8)
            .unwrap()
            .to_be_bytes()
            .to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(body);
        b
    }

    /// A HEIF file's box tree declaring `sizes` (tiles and a grid), with garbage for pixels.
    fn heif_file(sizes: &[(u32, u32)]) -> Vec<u8> {
        heif_file_with(sizes, &[])
    }

    /// The same with more `ipco` properties (`extra`, whole boxes) after the sizes.
    fn heif_file_with(sizes: &[(u32, u32)], extra: &[u8]) -> Vec<u8> {
        heif_file_full(sizes, extra, &[])
    }

    /// The same with more boxes in `meta` (`meta_extra`, whole boxes).
    fn heif_file_full(sizes: &[(u32, u32)], extra: &[u8], meta_extra: &[u8]) -> Vec<u8> {
        let ispes: Vec<u8> = sizes
            .iter()
            .flat_map(|&(w, h)| {
                let mut body = vec![0u8; 4];
                body.extend_from_slice(&w.to_be_bytes());
                body.extend_from_slice(&h.to_be_bytes());
                bx(b"ispe", &body)
            })
            .chain(extra.iter().copied())
            .collect();
        let mut meta = vec![0u8; 4];
        meta.extend(bx(b"hdlr", &[0u8; 24]));
        meta.extend(bx(b"iprp", &bx(b"ipco", &ispes)));
        meta.extend_from_slice(meta_extra);
        let mut file = bx(b"ftyp", b"heic\0\0\0\0mif1heic");
        file.extend(bx(b"meta", &meta));
        file.extend(bx(b"mdat", &[0x55; 300]));
        file
    }

    #[test]
    fn a_heif_files_largest_declared_size_is_read_from_its_boxes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.upload");
        let file = heif_file(&[(512, 512), (20000, 20000), (512, 512)]);
        std::fs::write(&path, &file).unwrap();
        assert_eq!(heif_dimensions(&path), Some((20000, 20000)));
        // refused from the declared size, before any converter runs (it would fail on the
        // garbage pixels with another message)
        let limits = ImageLimits {
            max_pixels: 60_000_000,
            timeout: Duration::from_secs(5),
            cancel: None,
        };
        let Err(e) = decode_image(&path, &file[..64], "id_photo", &limits) else {
            panic!("decoded");
        };
        assert!(e.0.contains("20000×20000 pixels"), "{}", e.0);
        // no size declared, truncated anywhere, a box larger than its parent: no size, no panic
        std::fs::write(&path, heif_file(&[])).unwrap();
        assert_eq!(heif_dimensions(&path), None);
        // the tree ends with `meta` here; the pixels follow
        let meta_end = file.len() - 308;
        for cut in 0..meta_end {
            std::fs::write(&path, &file[..cut]).unwrap();
            assert_eq!(heif_dimensions(&path), None, "cut at {cut}");
        }
        let mut lying = file.clone();
        // `hdlr`'s size, inside `meta`
        lying[36..40].copy_from_slice(&u32::MAX.to_be_bytes());
        std::fs::write(&path, &lying).unwrap();
        assert_eq!(heif_dimensions(&path), None);
    }

    /// A minimal HEVC configuration record with one sequence parameter set coding `w`×`h`.
    fn hvcc(w: u32, h: u32) -> Vec<u8> {
        let nal = sps_nal(w, h);
        let mut rec = vec![1u8; 22];
        rec.push(1); // one array
        rec.push(33); // of sequence parameter sets
        rec.extend_from_slice(&1u16.to_be_bytes());
        rec.extend_from_slice(&u16::try_from(nal.len()).unwrap().to_be_bytes());
        rec.extend(nal);
        bx(b"hvcC", &rec)
    }

    /// A sequence parameter set NAL unit coding `w`×`h` (two sub-layers, so that their
    /// profile and level flags are walked too).
    fn sps_nal(w: u32, h: u32) -> Vec<u8> {
        let mut bits = String::new();
        let ue = |v: u32| {
            let n = format!("{:b}", v + 1);
            format!("{}{n}", "0".repeat(n.len() - 1))
        };
        bits += "0000"; // vps id
        bits += "001"; // max_sub_layers_minus1 = 1
        bits += "1";
        bits += &"0".repeat(96); // general profile, tier and level
        bits += "11"; // the sub-layer's profile and level present
        bits += &"0".repeat(14); // reserved, up to 8 sub-layers
        bits += &"0".repeat(88 + 8);
        bits += &ue(0); // sps id
        bits += &ue(1); // 4:2:0
        bits += &ue(w);
        bits += &ue(h);
        bits += "1";
        while !bits.len().is_multiple_of(8) {
            bits.push('0');
        }
        let mut nal = vec![0x42, 0x01];
        nal.extend(
            bits.as_bytes()
                .chunks(8)
                .map(|c| u8::from_str_radix(std::str::from_utf8(c).unwrap(), 2).unwrap()),
        );
        nal
    }

    #[test]
    fn a_heif_files_coded_size_counts_whatever_its_ispe_says() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.upload");
        // an image that declares 64×64 and codes 20000×20000: its coded size
        std::fs::write(&path, heif_file_with(&[(64, 64)], &hvcc(20000, 20000))).unwrap();
        assert_eq!(heif_dimensions(&path), Some((20000, 20000)));
        // the array that holds the parameter set labelled as another type: read all the same
        let mut relabelled = hvcc(20000, 20000);
        relabelled[8 + 23] = 39;
        std::fs::write(&path, heif_file_with(&[(64, 64)], &relabelled)).unwrap();
        assert_eq!(heif_dimensions(&path), Some((20000, 20000)));
        // and the other way round: the larger of the two
        std::fs::write(&path, heif_file_with(&[(4000, 3000)], &hvcc(512, 512))).unwrap();
        assert_eq!(heif_dimensions(&path), Some((4000, 3000)));
        // a configuration cut anywhere in its parameter set is malformed: no size, no panic
        let whole = hvcc(20000, 20000);
        for cut in 8 + 23 + 5..whole.len() - 1 {
            let mut short = whole[..cut].to_vec();
            short[0..4].copy_from_slice(&u32::try_from(cut).unwrap().to_be_bytes());
            std::fs::write(&path, heif_file_with(&[(64, 64)], &short)).unwrap();
            assert_eq!(heif_dimensions(&path), None, "cut at {cut}");
        }
    }

    /// `iinf` with one item of `item_type` (id 1), and, for a grid, its descriptor in `idat`
    /// (located by `iloc`) declaring `w`×`h`.
    fn one_item(item_type: &[u8; 4], w: u16, h: u16) -> Vec<u8> {
        let mut infe = vec![2, 0, 0, 0, 0, 1, 0, 0];
        infe.extend_from_slice(item_type);
        infe.push(0);
        let mut iinf = vec![0, 0, 0, 0, 0, 1];
        iinf.extend(bx(b"infe", &infe));
        let mut iloc = vec![1, 0, 0, 0, 0x44, 0x00, 0, 1, 0, 1, 0, 1, 0, 0, 0, 1];
        iloc.extend_from_slice(&0u32.to_be_bytes());
        iloc.extend_from_slice(&8u32.to_be_bytes());
        let mut grid = vec![0, 0, 0, 0];
        grid.extend_from_slice(&w.to_be_bytes());
        grid.extend_from_slice(&h.to_be_bytes());
        let mut out = bx(b"iinf", &iinf);
        out.extend(bx(b"iloc", &iloc));
        out.extend(bx(b"idat", &grid));
        out
    }

    /// `iinf` with two HEVC images (ids 1 and 2) and `iref` holding `refs` (whole boxes).
    fn two_images(refs: &[u8]) -> Vec<u8> {
        let mut iinf = vec![0, 0, 0, 0, 0, 2];
        for id in [1u8, 2] {
            let mut infe = vec![2, 0, 0, 0, 0, id, 0, 0];
            infe.extend_from_slice(b"hvc1");
            infe.push(0);
            iinf.extend(bx(b"infe", &infe));
        }
        let mut iref = vec![0, 0, 0, 0];
        iref.extend_from_slice(refs);
        // both items' data: one slice of a picture (a 2-byte NAL unit of type 1) in `idat`
        let mut iloc = vec![1, 0, 0, 0, 0x44, 0x00, 0, 2];
        for id in [1u8, 2] {
            iloc.extend_from_slice(&[0, id, 0, 1, 0, 0, 0, 1]);
            iloc.extend_from_slice(&0u32.to_be_bytes());
            iloc.extend_from_slice(&6u32.to_be_bytes());
        }
        let mut out = bx(b"iinf", &iinf);
        out.extend(bx(b"iref", &iref));
        out.extend(bx(b"iloc", &iloc));
        out.extend(bx(b"idat", &[0, 0, 0, 2, 0x02, 0x01]));
        out
    }

    #[test]
    fn a_parameter_set_in_an_items_own_data_counts_too() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.upload");
        // one HEVC item whose data starts with a parameter set of 20000×20000, then its slice
        let sps = sps_nal(20000, 20000);
        let mut data = u32::try_from(sps.len()).unwrap().to_be_bytes().to_vec();
        data.extend(&sps);
        data.extend([0, 0, 0, 2, 0x02, 0x01]);
        let mut infe = vec![2, 0, 0, 0, 0, 1, 0, 0];
        infe.extend_from_slice(b"hvc1");
        infe.push(0);
        let mut iinf = vec![0, 0, 0, 0, 0, 1];
        iinf.extend(bx(b"infe", &infe));
        let mut iloc = vec![1, 0, 0, 0, 0x44, 0x00, 0, 1, 0, 1, 0, 1, 0, 0, 0, 1];
        iloc.extend_from_slice(&0u32.to_be_bytes());
        iloc.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
        let mut meta = bx(b"iinf", &iinf);
        meta.extend(bx(b"iloc", &iloc));
        meta.extend(bx(b"idat", &data));
        std::fs::write(&path, heif_file_full(&[(64, 64)], &hvcc(64, 64), &meta)).unwrap();
        assert_eq!(heif_dimensions(&path), Some((20000, 20000)));
        // its slice beyond what is read (a long unit first): refused, not guessed
        let mut long = 5000u32.to_be_bytes().to_vec();
        long.extend([0x4e, 0x01]); // an SEI
        long.extend(vec![0u8; 4998]);
        long.extend([0, 0, 0, 2, 0x02, 0x01]);
        let mut iloc = vec![1, 0, 0, 0, 0x44, 0x00, 0, 1, 0, 1, 0, 1, 0, 0, 0, 1];
        iloc.extend_from_slice(&0u32.to_be_bytes());
        iloc.extend_from_slice(&u32::try_from(long.len()).unwrap().to_be_bytes());
        let mut meta = bx(b"iinf", &iinf);
        meta.extend(bx(b"iloc", &iloc));
        meta.extend(bx(b"idat", &long));
        std::fs::write(&path, heif_file_full(&[(64, 64)], &[], &meta)).unwrap();
        assert_eq!(heif_dimensions(&path), None);
    }

    #[test]
    fn a_heif_of_several_photos_is_refused_and_its_thumbnail_is_not_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.upload");
        // two images shown: the converter would write both
        std::fs::write(&path, heif_file_full(&[(640, 480)], &[], &two_images(&[]))).unwrap();
        assert_eq!(heif_dimensions(&path), None);
        // the second a thumbnail of the first (from 2, one reference, to 1)
        let thumb = bx(b"thmb", &[0, 2, 0, 1, 0, 1]);
        std::fs::write(
            &path,
            heif_file_full(&[(640, 480)], &[], &two_images(&thumb)),
        )
        .unwrap();
        assert_eq!(heif_dimensions(&path), Some((640, 480)));
    }

    #[test]
    fn a_heif_grids_output_size_and_item_types_are_read_before_any_decode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.upload");
        // a grid whose descriptor says 4096×4096 while its ispe says 64×64: the descriptor
        std::fs::write(
            &path,
            heif_file_full(&[(64, 64)], &[], &one_item(b"grid", 4096, 4096)),
        )
        .unwrap();
        assert_eq!(heif_dimensions(&path), Some((4096, 4096)));
        // an HEVC image item: its ispe
        std::fs::write(
            &path,
            heif_file_full(&[(640, 480)], &[], &one_item(b"hvc1", 0, 0)),
        )
        .unwrap();
        assert_eq!(heif_dimensions(&path), Some((640, 480)));
        // an AV1 (or any other coded) image in a HEIF: refused, its size is not read here
        for other in [b"av01", b"jpeg", b"unci", b"iovl"] {
            std::fs::write(
                &path,
                heif_file_full(&[(64, 64)], &[], &one_item(other, 0, 0)),
            )
            .unwrap();
            assert_eq!(heif_dimensions(&path), None);
        }
    }

    #[test]
    fn packets_say_how_much_video_had_arrived() {
        // ffprobe's order: pts_time, dts_time, size, pos (the first packet after the header)
        let p = parse_packets(
            "0.500000,0.500000,100,400\n0.567000,0.567000,50,500\nN/A,0.633000,60,550\nbad\n",
        );
        assert_eq!(
            p,
            [
                Packet { end: 500, at_ms: 0 },
                Packet {
                    end: 550,
                    at_ms: 67
                },
                Packet {
                    end: 610,
                    at_ms: 133
                },
            ]
        );
        assert_eq!(arrived_ms(&p, 499), None);
        assert_eq!(arrived_ms(&p, 560), Some(67));
        assert_eq!(arrived_ms(&p, 10_000), Some(133));
    }

    #[test]
    fn sniffs_by_content() {
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Sniffed::Image(ImageFormat::Jpeg)
        );
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\n...."),
            Sniffed::Image(ImageFormat::Png)
        );
        assert_eq!(
            sniff(b"RIFF\0\0\0\0WEBPVP8 "),
            Sniffed::Image(ImageFormat::WebP)
        );
        assert_eq!(sniff(b"RIFF\0\0\0\0AVI LIST"), Sniffed::Video("avi"));
        assert_eq!(
            sniff(b"\0\0\0\x18ftypheic\0\0\0\0"),
            Sniffed::Image(ImageFormat::Heic)
        );
        assert_eq!(sniff(b"\0\0\0\x18ftypisom\0\0\0\0"), Sniffed::Video("mp4"));
        assert_eq!(sniff(b"\0\0\0\x14ftypqt  \0\0\0\0"), Sniffed::Video("mov"));
        assert_eq!(
            sniff(b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm"),
            Sniffed::Video("webm")
        );
        assert_eq!(
            sniff(b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x88matroska"),
            Sniffed::Video("mkv")
        );
        assert_eq!(
            sniff(b"hello, this is text"),
            Sniffed::Playlist("a text file")
        );
        assert_eq!(sniff(b""), Sniffed::Unknown);
        assert_eq!(sniff(&[0u8, 1, 2, 3, 0xfe]), Sniffed::Unknown);
    }

    #[test]
    fn playlists_and_manifests_are_named() {
        for (head, kind) in [
            (&b"#EXTM3U\n#EXT-X-VERSION:3\n"[..], "an HLS/M3U playlist"),
            (b"\xEF\xBB\xBF#EXTM3U\n", "an HLS/M3U playlist"),
            (
                b"ffconcat version 1.0\nfile '/etc/passwd'\n",
                "an ffconcat script",
            ),
            (b"file 'a.webm'\n", "an ffconcat script"),
            (b"<?xml version=\"1.0\"?><MPD>", "a DASH manifest (XML)"),
            (b"  <MPD xmlns=", "a DASH manifest (XML)"),
            (
                b"v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\n",
                "an SDP session description",
            ),
        ] {
            assert_eq!(sniff(head), Sniffed::Playlist(kind), "{head:?}");
        }
        assert_eq!(demuxer_for("webm"), Some("matroska"));
        assert_eq!(demuxer_for("mov"), Some("mov"));
        assert_eq!(demuxer_for("video"), None);
    }
}
