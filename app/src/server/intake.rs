//! Reading the multipart body of `POST /verif/submit`: text fields into memory (small, capped),
//! files streamed chunk by chunk into spool files under `<data dir>/tmp`, each stopped the moment
//! it passes its size limit. A spool file deletes itself unless the submission keeps it.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
};

use tokio::io::AsyncWriteExt;

use super::error::AppError;

/// Text fields we read; anything else is ignored (and capped).
pub const TEXT_FIELDS: [&str; 7] = [
    "api_key",
    "capture_token",
    "user_identifier",
    "user_id",
    "user_email",
    "user_phone",
    "consent_version",
];
pub const SELFIE_FIELD: &str = "selfie_video";
pub const ID_FIELD: &str = "id_photo";

const MAX_TEXT_BYTES: usize = 1024;
const MAX_IGNORED_BYTES: usize = 64 * 1024;
const MAX_FIELDS: usize = 32;
const HEAD_BYTES: usize = 64;

/// A temporary file that is removed when dropped, unless it was handed on.
#[derive(Debug)]
pub struct Spool {
    path: PathBuf,
    armed: bool,
}

impl Spool {
    pub fn path(&self) -> &Path {
        &self.path
    }
    /// The file is now someone else's (moved into storage).
    pub fn disarm(&mut self) {
        self.armed = false;
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        if self.armed {
            let _ = std::fs::remove_file(&self.path);
        }
    }
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
}

impl Intake {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.text
            .get(name)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }
}

pub struct Limits {
    pub max_video_bytes: u64,
    pub max_photo_bytes: u64,
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

pub async fn read(
    mut mp: multer::Multipart<'static>,
    tmp_dir: &Path,
    limits: &Limits,
) -> Result<Intake, AppError> {
    tokio::fs::create_dir_all(tmp_dir)
        .await
        .map_err(|e| AppError::internal("create spool dir", e))?;
    let mut intake = Intake::default();
    let mut count = 0;
    while let Some(mut field) = mp.next_field().await.map_err(malformed)? {
        count += 1;
        if count > MAX_FIELDS {
            return Err(AppError::bad_request(format!(
                "Too many form fields (at most {MAX_FIELDS})"
            )));
        }
        let name = field.name().unwrap_or("").to_string();
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
        } else if name == SELFIE_FIELD || name == ID_FIELD {
            let (slot, limit) = if name == SELFIE_FIELD {
                (&mut intake.selfie, limits.max_video_bytes)
            } else {
                (&mut intake.id_photo, limits.max_photo_bytes)
            };
            if slot.is_some() {
                return Err(AppError::bad_request(format!("Duplicate field `{name}`")));
            }
            let mut spool = Spool {
                path: tmp_dir.join(format!("{}.upload", uuid::Uuid::new_v4())),
                armed: true,
            };
            let file = tokio::fs::File::create(&spool.path)
                .await
                .map_err(|e| AppError::internal("create spool file", e))?;
            let mut out = tokio::io::BufWriter::with_capacity(256 * 1024, file);
            let mut size: u64 = 0;
            let mut head = Vec::with_capacity(HEAD_BYTES);
            while let Some(chunk) = field.chunk().await.map_err(malformed)? {
                size += chunk.len() as u64;
                if size > limit {
                    return Err(AppError::PayloadTooLarge(format!(
                        "`{name}` is larger than the {} limit",
                        human(limit)
                    )));
                }
                if head.len() < HEAD_BYTES {
                    let take = (HEAD_BYTES - head.len()).min(chunk.len());
                    head.extend_from_slice(&chunk[..take]);
                }
                out.write_all(&chunk)
                    .await
                    .map_err(|e| AppError::internal("write spool file", e))?;
            }
            out.flush()
                .await
                .map_err(|e| AppError::internal("flush spool file", e))?;
            if size == 0 {
                return Err(AppError::bad_request(format!(
                    "`{name}` is empty (0 bytes)"
                )));
            }
            spool.armed = true;
            *slot = Some(Upload { spool, size, head });
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
    }
    Ok(intake)
}
