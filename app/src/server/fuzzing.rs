//! Entry points for the fuzz targets (`fuzz/`, run by `scripts/fuzz.sh`), here so the targets
//! and the regression tests call the very same code. Each takes arbitrary bytes and must never
//! panic, hang or allocate without bound, whatever the bytes are; any input that ever made one
//! do so is kept under `fuzz/regressions/<target>/` and replayed by the test suite
//! (`regressions_replay` below).

use std::collections::HashMap;

/// A fuzz target: bytes in, no panic out.
pub type Target = fn(&[u8]);

/// The fuzz targets, by name (also the folder names under `fuzz/regressions/`).
pub const TARGETS: [(&str, Target); 7] = [
    ("multipart_intake", multipart_intake),
    ("content_sniffing", content_sniffing),
    ("image_header", image_header),
    ("webhook_url", webhook_url),
    ("settings", settings),
    ("aamva", aamva),
    ("mrz", mrz),
];

/// The first byte says how to cut the rest into chunks, as a network would.
fn chunks(data: &[u8]) -> (usize, &[u8]) {
    match data.split_first() {
        Some((c, rest)) => (usize::from(*c % 64) + 1, rest),
        None => (1, data),
    }
}

/// The submit body's framing guard in front of multer and our intake reader, with small limits
/// and a fixed boundary: refusals are fine, panics and unbounded reads are not.
pub fn multipart_intake(data: &[u8]) {
    use super::intake::{FramingGuard, Limits, Reader, SpoolBudget};
    let (size, body) = chunks(data);
    let mut guard = FramingGuard::new("XyZ", 1 << 20);
    let mut passed: Vec<bytes::Bytes> = Vec::new();
    for c in body.chunks(size) {
        if guard.feed(c).is_err() {
            break;
        }
        passed.push(bytes::Bytes::copy_from_slice(c));
    }
    let Ok(rt) = tokio::runtime::Builder::new_current_thread().build() else {
        return;
    };
    let Ok(dir) = tempfile::tempdir() else { return };
    rt.block_on(async {
        let stream = futures::stream::iter(passed.into_iter().map(Ok::<_, std::io::Error>));
        let mp = multer::Multipart::new(stream, "XyZ");
        let spool = SpoolBudget::new(1 << 20);
        let limits = Limits {
            max_video_bytes: 64 * 1024,
            max_photo_bytes: 64 * 1024,
            spool: &spool,
        };
        let Ok(mut reader) = Reader::new(mp, dir.path(), &limits) else {
            return;
        };
        if reader.read_fields().await.is_ok() {
            let _ = reader.finish().await;
        }
        assert_eq!(spool.used(), 0, "the spool budget is given back");
    });
}

/// What a file is, from its first bytes, and the demuxer it would get.
pub fn content_sniffing(data: &[u8]) {
    use super::media::{Sniffed, demuxer_for, sniff};
    let head = &data[..data.len().min(64)];
    match sniff(head) {
        Sniffed::Video(ext) => assert!(demuxer_for(ext).is_some(), "{ext} has no demuxer"),
        Sniffed::Image(_) | Sniffed::Playlist(_) | Sniffed::Unknown => {}
    }
}

/// The ID photo's checks and decoding (header dimensions first, EXIF, pixel limit) on a small
/// budget. For HEIC, the box walk that reads its declared size (the converter is a subprocess
/// in the service; not here).
pub fn image_header(data: &[u8]) {
    use super::media::{ImageFormat, ImageLimits, Sniffed, decode_image, heif_dimensions, sniff};
    let Ok(file) = tempfile::NamedTempFile::new() else {
        return;
    };
    if std::fs::write(file.path(), data).is_err() {
        return;
    }
    if matches!(sniff(data), Sniffed::Image(ImageFormat::Heic)) {
        let _ = heif_dimensions(file.path());
        return;
    }
    let head = &data[..data.len().min(64)];
    let limits = ImageLimits {
        max_pixels: 1 << 20,
        timeout: std::time::Duration::from_secs(1),
        cancel: None,
    };
    if let Ok(img) = decode_image(file.path(), head, "id_photo", &limits) {
        assert!(u64::from(img.image.width()) * u64::from(img.image.height()) <= 1 << 20);
    }
}

/// A webhook URL as a partner could set it, the SSRF checks on it, and the address scrubbing of
/// error texts.
pub fn webhook_url(data: &[u8]) {
    use super::webhooks::ssrf::{allowed, check_url, has_ipv4_quad, is_internal, redact_addresses};
    let text = String::from_utf8_lossy(data);
    let allow: Vec<ipnet::IpNet> = vec!["127.0.0.0/8".parse().expect("a network")];
    if let Ok(u) = url::Url::parse(&text) {
        let _ = check_url(&u, &[]);
        let _ = check_url(&u, &allow);
        if let Some(url::Host::Ipv4(v4)) = u.host() {
            let ip = std::net::IpAddr::V4(v4);
            assert_eq!(allowed(ip, &[]), !is_internal(ip));
        }
    }
    let _ = super::partners::HttpUrl::parse("webhook_url", &text);
    let _ = super::partners::Origin::parse(&text);
    if data.len() >= 16 {
        let mut b = [0u8; 16];
        b.copy_from_slice(&data[..16]);
        let ip = std::net::IpAddr::V6(std::net::Ipv6Addr::from(b));
        assert_eq!(allowed(ip, &[]), !is_internal(ip), "{ip}");
    }
    let scrubbed = redact_addresses(&text);
    assert!(
        !has_ipv4_quad(&scrubbed),
        "an IPv4 address is left in {scrubbed:?}"
    );
}

/// Settings as the environment or a config file gives them: `NAME=value` lines. Files are never
/// named (`IDV_CONFIG`, `IDV_LEPTOS_CONFIG` are dropped), so only parsing is exercised.
pub fn settings(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut env: HashMap<String, String> = HashMap::new();
    for line in text.lines() {
        if let Some((k, v)) = line.split_once('=') {
            let k = k.trim();
            use super::config::settings::{CONFIG, DATA_DIR, LEPTOS_CONFIG};
            if k.starts_with(CONFIG.name) || k == LEPTOS_CONFIG.name || k == DATA_DIR.name {
                continue;
            }
            env.insert(k.to_string(), v.to_string());
        }
    }
    env.insert(
        super::config::settings::DATA_DIR.name.into(),
        "/nonexistent/idv-fuzz".into(),
    );
    let _ = super::config::Config::load(&env);
    let _ = super::config::parse_duration("IDV_FUZZ", Some(text.to_string()), "1s");
}

/// A licence barcode's text as the decoder hands it over: the bytes as UTF-8 (lossily) and as
/// Latin-1, one character a byte (barcodes carry either), through the AAMVA parser.
pub fn aamva(data: &[u8]) {
    use super::document::aamva::parse;
    let _ = parse(&String::from_utf8_lossy(data));
    let latin: String = data.iter().map(|&b| char::from(b)).collect();
    let _ = parse(&latin);
}

/// OCR output as tesseract hands it over, through the MRZ parser (its damaged-capture search
/// included: a hang is a finding too).
pub fn mrz(data: &[u8]) {
    let _ = super::document::mrz_read::parse(&String::from_utf8_lossy(data));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every input kept under `fuzz/regressions/<target>/` (crashes found once, and seeds)
    /// still runs through its target without a panic.
    #[test]
    fn regressions_replay() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/regressions");
        let mut replayed = 0;
        for (name, target) in TARGETS {
            let dir = root.join(name);
            let entries =
                std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
            for e in entries.flatten() {
                if e.file_name().to_string_lossy().starts_with('.') {
                    continue;
                }
                let data = std::fs::read(e.path()).unwrap();
                target(&data);
                replayed += 1;
            }
        }
        assert!(replayed >= TARGETS.len(), "at least one input per target");
    }
}
