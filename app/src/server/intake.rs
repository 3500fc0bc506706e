//! Reading the multipart body of `POST /verif/submit`, before anyone is authenticated, within
//! hard bounds:
//!
//! - [`FramingGuard`] watches the raw body in front of the multipart parser: the whole body, the
//!   preamble, each part's header block and the number of parts are capped, so a part header
//!   that never ends is cut off after [`MAX_PART_HEADER_BYTES`] instead of being buffered.
//! - Text fields go into memory (small, capped); files stream chunk by chunk into spool files
//!   (`tempfile`, mode 0600, deleted on drop unless the submission keeps them) under
//!   `<data dir>/tmp`, each stopped the moment it passes its size limit, and all of them
//!   together within a process-wide [`SpoolBudget`].
//! - A gate runs before the first file is spooled: when the credentials came first (as the
//!   capture page and most partner code send them), a bad key or link is refused before any
//!   file touches the disk.

use std::{
    collections::HashMap,
    path::Path,
    sync::{
        Arc, OnceLock,
        atomic::{AtomicU64, Ordering},
    },
};

use bytes::Bytes;
use futures::StreamExt;
use tokio::io::AsyncWriteExt;

use super::error::AppError;

/// Text fields we read; anything else is ignored (and capped).
pub const TEXT_FIELDS: [&str; 9] = [
    "api_key",
    "capture_token",
    "user_identifier",
    "user_id",
    "user_email",
    "user_phone",
    "consent_version",
    "challenge_timeline",
    "document_type",
];
pub const SELFIE_FIELD: &str = "selfie_video";
pub const ID_FIELD: &str = "id_photo";
/// The ID's back side (an ID card's zone, a licence's barcode): optional, an addition.
pub const ID_BACK_FIELD: &str = "id_photo_back";

fn is_file_field(name: &str) -> bool {
    matches!(name, SELFIE_FIELD | ID_FIELD | ID_BACK_FIELD)
}

const MAX_TEXT_BYTES: usize = 1024;
const MAX_IGNORED_BYTES: usize = 64 * 1024;
/// Parts per body: the fields above, both files and a little room (the framing guard counts
/// the same parts).
pub const MAX_PARTS: usize = 32;
/// One part's header block (`Content-Disposition`, `Content-Type`, …).
pub const MAX_PART_HEADER_BYTES: usize = 8 * 1024;
/// Bytes before the first boundary, and after the last one.
pub const MAX_PREAMBLE_BYTES: usize = 8 * 1024;
/// Besides the two files: text fields, part headers, boundaries.
pub const BODY_OVERHEAD_BYTES: u64 = 1024 * 1024;
const HEAD_BYTES: usize = 64;

// --- the framing guard -----------------------------------------------------------------------

/// Why the framing guard stopped a body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Framing {
    #[error("The request body is larger than the {} limit", human(*.0))]
    BodyTooLarge(u64),
    #[error(
        "Malformed multipart body: a part's headers are longer than {MAX_PART_HEADER_BYTES} bytes"
    )]
    PartHeadersTooLong,
    #[error("Malformed multipart body: more than {MAX_PARTS} parts")]
    TooManyParts,
    #[error("Malformed multipart body: more than {MAX_PREAMBLE_BYTES} bytes outside the parts")]
    OutsideParts,
    #[error("Malformed multipart body: a boundary line is not followed by a line break")]
    BadBoundaryLine,
}

impl Framing {
    pub fn into_app_error(self) -> AppError {
        match self {
            Framing::BodyTooLarge(_) => AppError::PayloadTooLarge(self.to_string()),
            other => AppError::bad_request(other.to_string()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Before the first boundary.
    Preamble,
    /// After a boundary: the rest of its line (`--` closes the body).
    BoundaryLine,
    /// A part's header block, up to its empty line.
    Headers,
    /// A part's content, up to the next boundary.
    Content,
    /// After the closing boundary.
    Epilogue,
}

/// The multipart framing of a body, checked incrementally (chunks may split anything anywhere)
/// without keeping more than a boundary's length of it. It only guards; the parser behind it
/// still parses. Pure, so it is fuzzed (`fuzz/`).
#[derive(Debug)]
pub struct FramingGuard {
    /// `\r\n--boundary`.
    delimiter: Vec<u8>,
    max_body: u64,
    stage: Stage,
    /// Unconsumed bytes that may start a pattern (kept between chunks).
    carry: Vec<u8>,
    seen: u64,
    parts: usize,
    /// Bytes of the current stage so far (header block, preamble, epilogue, boundary line).
    stage_bytes: usize,
}

impl FramingGuard {
    pub fn new(boundary: &str, max_body: u64) -> Self {
        let mut delimiter = b"\r\n--".to_vec();
        delimiter.extend_from_slice(boundary.as_bytes());
        Self {
            delimiter,
            max_body,
            stage: Stage::Preamble,
            // the first boundary may open the body without a line break before it
            carry: b"\r\n".to_vec(),
            seen: 0,
            parts: 0,
            stage_bytes: 0,
        }
    }

    /// Parts started so far.
    pub fn parts(&self) -> usize {
        self.parts
    }

    /// Checks the next chunk of the body.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), Framing> {
        self.seen += chunk.len() as u64;
        if self.seen > self.max_body {
            return Err(Framing::BodyTooLarge(self.max_body));
        }
        // The carry joins the chunk only when a pattern may start in it: a file's chunks (the
        // bulk of a body) are scanned in place, without a copy.
        let carry = std::mem::take(&mut self.carry);
        let joined: Vec<u8>;
        let buf: &[u8] = if carry.is_empty() {
            chunk
        } else if matches!(self.stage, Stage::Content | Stage::Preamble)
            && chunk.len() >= self.delimiter.len()
            && {
                // a delimiter starting in the carry ends within the chunk's first bytes
                let mut w = carry.clone();
                w.extend_from_slice(&chunk[..chunk.len().min(self.delimiter.len())]);
                memchr::memmem::find(&w, &self.delimiter).is_none_or(|i| i >= carry.len())
            }
        {
            self.count_outside(carry.len())?;
            chunk
        } else {
            joined = [carry.as_slice(), chunk].concat();
            &joined
        };
        let mut pos = 0;
        loop {
            let rest = &buf[pos..];
            match self.stage {
                Stage::Preamble | Stage::Content | Stage::Epilogue => {
                    let found = if self.stage == Stage::Epilogue {
                        None
                    } else {
                        memchr::memmem::find(rest, &self.delimiter)
                    };
                    match found {
                        Some(i) => {
                            self.count_outside(i)?;
                            pos += i + self.delimiter.len();
                            self.enter(Stage::BoundaryLine);
                        }
                        None => {
                            let keep = if self.stage == Stage::Epilogue {
                                0
                            } else {
                                rest.len().min(self.delimiter.len() - 1)
                            };
                            self.count_outside(rest.len() - keep)?;
                            self.carry = rest[rest.len() - keep..].to_vec();
                            return Ok(());
                        }
                    }
                }
                Stage::BoundaryLine => match memchr::memmem::find(rest, b"\r\n") {
                    Some(i) => {
                        let line = &rest[..i];
                        self.stage_bytes += i;
                        if self.stage_bytes > 256 {
                            return Err(Framing::BadBoundaryLine);
                        }
                        pos += i + 2;
                        if line.starts_with(b"--") {
                            self.enter(Stage::Epilogue);
                        } else if line.iter().all(|b| matches!(b, b' ' | b'\t')) {
                            self.parts += 1;
                            if self.parts > MAX_PARTS {
                                return Err(Framing::TooManyParts);
                            }
                            self.enter(Stage::Headers);
                        } else {
                            return Err(Framing::BadBoundaryLine);
                        }
                    }
                    None => {
                        // `--` right after the last boundary may end the body without a break
                        if rest.starts_with(b"--") {
                            self.enter(Stage::Epilogue);
                            pos += 2;
                            continue;
                        }
                        let keep = rest.len().min(1);
                        self.stage_bytes += rest.len() - keep;
                        if self.stage_bytes > 256 {
                            return Err(Framing::BadBoundaryLine);
                        }
                        self.carry = rest[rest.len() - keep..].to_vec();
                        return Ok(());
                    }
                },
                Stage::Headers => {
                    // an empty header block is a lone CRLF; otherwise it ends at CRLF CRLF
                    let end = if rest.starts_with(b"\r\n") && self.stage_bytes == 0 {
                        Some(0)
                    } else {
                        memchr::memmem::find(rest, b"\r\n\r\n").map(|i| i + 2)
                    };
                    match end {
                        Some(i) => {
                            self.stage_bytes += i;
                            if self.stage_bytes > MAX_PART_HEADER_BYTES {
                                return Err(Framing::PartHeadersTooLong);
                            }
                            pos += i + 2;
                            // (empty content is followed by the delimiter's own line break)
                            self.enter(Stage::Content);
                        }
                        None => {
                            let keep = rest.len().min(3);
                            self.stage_bytes += rest.len() - keep;
                            if self.stage_bytes > MAX_PART_HEADER_BYTES {
                                return Err(Framing::PartHeadersTooLong);
                            }
                            self.carry = rest[rest.len() - keep..].to_vec();
                            return Ok(());
                        }
                    }
                }
            }
        }
    }

    fn enter(&mut self, stage: Stage) {
        self.stage = stage;
        self.stage_bytes = 0;
    }

    /// Bytes consumed outside any boundary: capped in the preamble and the epilogue.
    fn count_outside(&mut self, n: usize) -> Result<(), Framing> {
        if matches!(self.stage, Stage::Preamble | Stage::Epilogue) {
            self.stage_bytes += n;
            if self.stage_bytes > MAX_PREAMBLE_BYTES {
                return Err(Framing::OutsideParts);
            }
        }
        Ok(())
    }
}

/// Puts a [`FramingGuard`] in front of `body`. When it stops the body, the parser behind sees
/// a read error and `refused` says why (the caller answers with that, not the parser's error).
pub fn guard_body(
    body: axum::body::Body,
    boundary: &str,
    max_body: u64,
    refused: Arc<OnceLock<Framing>>,
) -> axum::body::Body {
    let mut guard = FramingGuard::new(boundary, max_body);
    let mut stopped = false;
    let stream = body.into_data_stream().map(move |chunk| {
        if stopped {
            return Err(axum::Error::new(std::io::Error::other("body refused")));
        }
        let chunk: Bytes = chunk?;
        if let Err(why) = guard.feed(&chunk) {
            stopped = true;
            let _ = refused.set(why.clone());
            return Err(axum::Error::new(why));
        }
        Ok(chunk)
    });
    axum::body::Body::from_stream(stream)
}

// --- the spool -------------------------------------------------------------------------------

/// The disk all uploads being received at once may use (IDV_SPOOL_MAX_BYTES): when it is
/// spent, new bytes are refused with 503 and `Retry-After`, and the data disk never fills.
#[derive(Debug)]
pub struct SpoolBudget {
    limit: u64,
    used: AtomicU64,
}

impl SpoolBudget {
    pub fn new(limit: u64) -> Arc<Self> {
        Arc::new(Self {
            limit,
            used: AtomicU64::new(0),
        })
    }
    /// Bytes held by spool files now.
    pub fn used(&self) -> u64 {
        self.used.load(Ordering::Relaxed)
    }
    fn charge(self: &Arc<Self>) -> Charge {
        Charge {
            budget: self.clone(),
            bytes: 0,
        }
    }

    /// `n` bytes of the budget, held until the charge drops: for a file written beside the
    /// spool (a HEIC's converted copy). 503 with `Retry-After` when it would go over.
    pub fn reserve(self: &Arc<Self>, n: u64) -> Result<Charge, AppError> {
        let mut c = self.charge();
        c.add(n)?;
        Ok(c)
    }
}

/// One spool file's share of the budget, given back when the file goes.
#[derive(Debug)]
pub struct Charge {
    budget: Arc<SpoolBudget>,
    bytes: u64,
}

impl Charge {
    fn add(&mut self, n: u64) -> Result<(), AppError> {
        let before = self.budget.used.fetch_add(n, Ordering::AcqRel);
        if before.saturating_add(n) > self.budget.limit {
            self.budget.used.fetch_sub(n, Ordering::AcqRel);
            super::observe::overloaded("spool");
            return Err(AppError::Busy {
                message: "The service is receiving too many uploads at once; retry shortly".into(),
                retry_after_secs: 30,
            });
        }
        self.bytes += n;
        Ok(())
    }
}

impl Drop for Charge {
    fn drop(&mut self) {
        self.budget.used.fetch_sub(self.bytes, Ordering::AcqRel);
    }
}

/// A spool file (mode 0600): deleted when dropped (storage may have moved it away already).
#[derive(Debug)]
pub struct Spool {
    path: tempfile::TempPath,
    _charge: Charge,
}

impl Spool {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Deletes spool files that a crash left behind (older than `older_than`), at start. Returns
/// how many went.
pub fn sweep_spool(dir: &Path, older_than: std::time::Duration) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let now = std::time::SystemTime::now();
    let mut n = 0;
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        // uploads, the HEIC converter's folders, and its files of earlier versions
        let converted = name.ends_with(&format!(".{}", super::media::HEIC_OUTPUT_EXT));
        let is_spool = name.ends_with(".upload") || converted || name.ends_with(".heic.jpg");
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age >= older_than);
        if !(is_spool && old) {
            continue;
        }
        let removed = if converted {
            std::fs::remove_dir_all(e.path())
        } else {
            std::fs::remove_file(e.path())
        };
        if removed.is_ok() {
            n += 1;
        }
    }
    n
}

#[derive(Debug)]
pub struct Upload {
    pub spool: Spool,
    pub size: u64,
    /// The first bytes, for content sniffing.
    pub head: Vec<u8>,
}

#[derive(Debug, Default)]
pub struct Intake {
    pub text: HashMap<&'static str, String>,
    pub selfie: Option<Upload>,
    pub id_photo: Option<Upload>,
    pub id_photo_back: Option<Upload>,
}

impl Intake {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.text
            .get(name)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }
}

pub struct Limits<'a> {
    pub max_video_bytes: u64,
    pub max_photo_bytes: u64,
    pub spool: &'a Arc<SpoolBudget>,
}

fn human(bytes: u64) -> String {
    if bytes.is_multiple_of(1024 * 1024) {
        format!("{} MB", bytes / (1024 * 1024))
    } else {
        format!("{bytes} bytes")
    }
}

fn malformed(e: multer::Error) -> AppError {
    AppError::bad_request(format!("Malformed multipart body: {e}"))
}

/// Reads the body in two steps: [`Reader::read_fields`] takes the text fields up to the first
/// file (so the caller can check credentials before anything is spooled), then
/// [`Reader::finish`] takes the rest.
pub struct Reader<'a> {
    mp: multer::Multipart<'static>,
    tmp_dir: &'a Path,
    limits: &'a Limits<'a>,
    intake: Intake,
    /// The first file part, met by `read_fields` and not read yet.
    pending: Option<multer::Field<'static>>,
    parts: usize,
}

impl<'a> Reader<'a> {
    pub fn new(
        mp: multer::Multipart<'static>,
        tmp_dir: &'a Path,
        limits: &'a Limits<'a>,
    ) -> Result<Self, AppError> {
        super::private_fs::create_dir(tmp_dir)
            .map_err(|e| AppError::internal("create spool dir", e))?;
        Ok(Self {
            mp,
            tmp_dir,
            limits,
            intake: Intake::default(),
            pending: None,
            parts: 0,
        })
    }

    /// The text fields read so far.
    pub fn fields(&self) -> &Intake {
        &self.intake
    }

    /// Whether [`Reader::read_fields`] stopped at a file (the body goes on).
    pub fn file_waiting(&self) -> bool {
        self.pending.is_some()
    }

    /// The next part of the body, counted against [`MAX_PARTS`].
    async fn next_part(&mut self) -> Result<Option<multer::Field<'static>>, AppError> {
        let Some(field) = self.mp.next_field().await.map_err(malformed)? else {
            return Ok(None);
        };
        self.parts += 1;
        if self.parts > MAX_PARTS {
            return Err(AppError::bad_request(format!(
                "Too many form fields (at most {MAX_PARTS})"
            )));
        }
        Ok(Some(field))
    }

    /// Reads parts until the first file (kept for [`Reader::finish`]) or the end.
    pub async fn read_fields(&mut self) -> Result<(), AppError> {
        while self.pending.is_none() {
            let Some(field) = self.next_part().await? else {
                return Ok(());
            };
            let name = field.name().unwrap_or("").to_string();
            if is_file_field(&name) {
                self.pending = Some(field);
            } else {
                read_text_or_skip(&mut self.intake, field, &name).await?;
            }
        }
        Ok(())
    }

    /// Reads the rest of the body, files included.
    pub async fn finish(mut self) -> Result<Intake, AppError> {
        loop {
            let field = match self.pending.take() {
                Some(f) => f,
                None => match self.next_part().await? {
                    Some(f) => f,
                    None => return Ok(self.intake),
                },
            };
            let name = field.name().unwrap_or("").to_string();
            if is_file_field(&name) {
                let name = match name.as_str() {
                    SELFIE_FIELD => SELFIE_FIELD,
                    ID_BACK_FIELD => ID_BACK_FIELD,
                    _ => ID_FIELD,
                };
                spool_file(&mut self.intake, field, name, self.tmp_dir, self.limits).await?;
            } else {
                read_text_or_skip(&mut self.intake, field, &name).await?;
            }
        }
    }
}

/// A text field we know into memory (capped); any other field read and dropped (capped).
async fn read_text_or_skip(
    intake: &mut Intake,
    mut field: multer::Field<'static>,
    name: &str,
) -> Result<(), AppError> {
    if let Some(&known) = TEXT_FIELDS.iter().find(|f| **f == name) {
        if intake.text.contains_key(known) {
            return Err(AppError::bad_request(format!("Duplicate field `{known}`")));
        }
        let mut buf = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(malformed)? {
            buf.extend_from_slice(&chunk);
            if buf.len() > MAX_TEXT_BYTES {
                return Err(AppError::bad_request(format!(
                    "Field `{known}` is too long (at most {MAX_TEXT_BYTES} bytes)"
                )));
            }
        }
        let text = String::from_utf8(buf).map_err(|_| {
            AppError::bad_request(format!("Field `{known}` is not valid UTF-8 text"))
        })?;
        intake.text.insert(known, text);
    } else {
        let mut seen = 0usize;
        while let Some(chunk) = field.chunk().await.map_err(malformed)? {
            seen += chunk.len();
            if seen > MAX_IGNORED_BYTES {
                return Err(AppError::bad_request(format!(
                    "Unexpected field `{name}` is too large"
                )));
            }
        }
    }
    Ok(())
}

/// A file part into a spool file, within its size limit and the spool budget.
async fn spool_file(
    intake: &mut Intake,
    mut field: multer::Field<'static>,
    name: &'static str,
    tmp_dir: &Path,
    limits: &Limits<'_>,
) -> Result<(), AppError> {
    let (slot, limit) = match name {
        SELFIE_FIELD => (&mut intake.selfie, limits.max_video_bytes),
        ID_BACK_FIELD => (&mut intake.id_photo_back, limits.max_photo_bytes),
        _ => (&mut intake.id_photo, limits.max_photo_bytes),
    };
    if slot.is_some() {
        return Err(AppError::bad_request(format!("Duplicate field `{name}`")));
    }
    let mut out = SpoolWriter::create(tmp_dir, limits.spool, limit, name)?;
    while let Some(chunk) = field.chunk().await.map_err(malformed)? {
        out.write(&chunk).await?;
    }
    *slot = Some(out.finish().await?);
    Ok(())
}

/// A file arriving piece by piece into a spool file (mode 0600, named for the crash sweep),
/// stopped the moment it passes its size limit or the spool budget; `field` names it in
/// errors. Dropped unfinished, the file is deleted.
#[derive(Debug)]
pub struct SpoolWriter {
    out: tokio::io::BufWriter<tokio::fs::File>,
    path: tempfile::TempPath,
    charge: Charge,
    size: u64,
    head: Vec<u8>,
    limit: u64,
    field: &'static str,
}

impl SpoolWriter {
    pub fn create(
        tmp_dir: &Path,
        budget: &Arc<SpoolBudget>,
        limit: u64,
        field: &'static str,
    ) -> Result<Self, AppError> {
        super::private_fs::create_dir(tmp_dir)
            .map_err(|e| AppError::internal("create spool dir", e))?;
        let (file, path) = tempfile::Builder::new()
            .prefix("idv-")
            .suffix(".upload")
            .tempfile_in(tmp_dir)
            .map_err(|e| AppError::internal("create spool file", e))?
            .into_parts();
        Ok(Self {
            out: tokio::io::BufWriter::with_capacity(256 * 1024, tokio::fs::File::from_std(file)),
            path,
            charge: budget.charge(),
            size: 0,
            head: Vec::with_capacity(HEAD_BYTES),
            limit,
            field,
        })
    }

    /// Bytes written so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), AppError> {
        self.size += chunk.len() as u64;
        if self.size > self.limit {
            return Err(AppError::PayloadTooLarge(format!(
                "`{}` is larger than the {} limit",
                self.field,
                human(self.limit)
            )));
        }
        self.charge.add(chunk.len() as u64)?;
        if self.head.len() < HEAD_BYTES {
            let take = (HEAD_BYTES - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        self.out
            .write_all(chunk)
            .await
            .map_err(|e| AppError::internal("write spool file", e))
    }

    /// The whole file, flushed; an empty one is refused.
    pub async fn finish(mut self) -> Result<Upload, AppError> {
        self.out
            .flush()
            .await
            .map_err(|e| AppError::internal("flush spool file", e))?;
        if self.size == 0 {
            return Err(AppError::bad_request(format!(
                "`{}` is empty (0 bytes)",
                self.field
            )));
        }
        Ok(Upload {
            spool: Spool {
                path: self.path,
                _charge: self.charge,
            },
            size: self.size,
            head: self.head,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const B: &str = "XyZ";

    fn body(parts: &[(&str, &[u8])]) -> Vec<u8> {
        let mut v = Vec::new();
        for (name, content) in parts {
            v.extend_from_slice(
                format!("--{B}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n")
                    .as_bytes(),
            );
            v.extend_from_slice(content);
            v.extend_from_slice(b"\r\n");
        }
        v.extend_from_slice(format!("--{B}--\r\n").as_bytes());
        v
    }

    fn feed_in(chunk: usize, data: &[u8], max: u64) -> Result<FramingGuard, Framing> {
        let mut g = FramingGuard::new(B, max);
        for c in data.chunks(chunk) {
            g.feed(c)?;
        }
        Ok(g)
    }

    #[test]
    fn well_formed_bodies_pass_in_any_chunking() {
        let data = body(&[
            ("api_key", b"k"),
            ("user_identifier", b"u"),
            (
                "selfie_video",
                &[0x1a, 0x45, 0xdf, 0xa3, b'\r', b'\n', b'-', b'-'],
            ),
            ("empty", b""),
        ]);
        for chunk in (1..=48).chain([64, 4096, data.len()]) {
            let g = feed_in(chunk, &data, 1 << 20).unwrap();
            assert_eq!(g.parts(), 4, "chunk {chunk}");
        }
        // no line break after the closing boundary, a preamble, a header-less part
        let mut d = b"preamble\r\n".to_vec();
        d.extend_from_slice(format!("--{B}\r\n\r\nno headers\r\n--{B}--").as_bytes());
        assert_eq!(feed_in(3, &d, 1 << 20).unwrap().parts(), 1);
    }

    #[test]
    fn an_endless_part_header_is_cut_off() {
        let mut d = format!("--{B}\r\nX-Junk: ").into_bytes();
        d.extend(std::iter::repeat_n(b'a', 100_000));
        for chunk in [1, 1000, 65536] {
            assert_eq!(
                feed_in(chunk, &d, 1 << 30).unwrap_err(),
                Framing::PartHeadersTooLong
            );
        }
        let mut g = FramingGuard::new(B, 1 << 30);
        g.feed(format!("--{B}\r\nX-Junk: ").as_bytes()).unwrap();
        let mut fed = 0;
        while g.feed(&[b'a'; 512]).is_ok() {
            fed += 512;
            assert!(fed <= MAX_PART_HEADER_BYTES + 512);
        }
    }

    #[test]
    fn parts_preambles_and_size_are_capped() {
        let many: Vec<(&str, &[u8])> = (0..MAX_PARTS + 1).map(|_| ("f", &b"x"[..])).collect();
        assert_eq!(
            feed_in(100, &body(&many), 1 << 20).unwrap_err(),
            Framing::TooManyParts
        );
        let junk = vec![b'j'; MAX_PREAMBLE_BYTES + 64];
        assert_eq!(
            feed_in(100, &junk, 1 << 20).unwrap_err(),
            Framing::OutsideParts
        );
        let big = body(&[("selfie_video", &[0u8; 5000])]);
        assert_eq!(
            feed_in(1000, &big, 4000).unwrap_err(),
            Framing::BodyTooLarge(4000)
        );
        let mut bad = format!("--{B}garbage\r\n").into_bytes();
        bad.extend_from_slice(b"x");
        assert_eq!(
            feed_in(4, &bad, 1 << 20).unwrap_err(),
            Framing::BadBoundaryLine
        );
    }

    #[test]
    fn the_spool_budget_refuses_and_gives_back() {
        let b = SpoolBudget::new(100);
        let mut c1 = b.charge();
        c1.add(60).unwrap();
        let mut c2 = b.charge();
        assert!(matches!(c2.add(50), Err(AppError::Busy { .. })));
        c2.add(40).unwrap();
        assert_eq!(b.used(), 100);
        drop(c1);
        assert_eq!(b.used(), 40);
        drop(c2);
        assert_eq!(b.used(), 0);
    }
}
