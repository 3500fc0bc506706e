//! Local disk: files under `<data dir>/files`, written under a temporary name and renamed when
//! complete. Links are served by the service itself (`GET /files/{key}?exp=…&sig=…`), signed
//! with an HMAC over (key, expiry) and checked in constant time.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use anyhow::Context;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as B64URL};

use axum::{
    Json,
    extract::Request,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

use super::{FileLink, StorageBackend};
use crate::server::crypto::{MasterKey, ct_eq};

const LINK_PURPOSE: &str = "file-link";

#[derive(Debug)]
pub struct LocalStorage {
    root: PathBuf,
    public_url: url::Url,
    key: MasterKey,
}

impl LocalStorage {
    pub fn new(root: PathBuf, public_url: url::Url, key: MasterKey) -> anyhow::Result<Self> {
        crate::server::private_fs::create_dir(&root)
            .with_context(|| format!("cannot create {}", root.display()))?;
        Ok(Self {
            root,
            public_url,
            key,
        })
    }

    /// The file for `key`, refusing anything that could leave the root.
    pub fn path_for(&self, key: &str) -> Option<PathBuf> {
        valid_key(key).then(|| self.root.join(key))
    }
}

/// Keys are `segment/segment/name` of `[A-Za-z0-9._-]`, no `..`, no empty segment.
pub fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 512
        && key.split('/').all(|seg| {
            !seg.is_empty()
                && seg != "."
                && seg != ".."
                && seg
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        })
}

fn signature(key: &MasterKey, object: &str, exp: i64) -> String {
    B64URL.encode(key.sign(LINK_PURPOSE, format!("{object}\n{exp}").as_bytes()))
}

#[derive(Debug, PartialEq, Eq)]
pub enum LinkCheck {
    Valid,
    Expired,
    Invalid,
}

/// Checks a local link's signature (constant time) and expiry.
pub fn verify_link(key: &MasterKey, object: &str, exp: i64, sig: &str, now_secs: i64) -> LinkCheck {
    let expected = signature(key, object, exp);
    if !ct_eq(expected.as_bytes(), sig.as_bytes()) {
        return LinkCheck::Invalid;
    }
    if exp < now_secs {
        LinkCheck::Expired
    } else {
        LinkCheck::Valid
    }
}

#[async_trait::async_trait]
impl StorageBackend for LocalStorage {
    fn name(&self) -> &'static str {
        "local"
    }

    async fn put_file(
        &self,
        key: &str,
        path: &Path,
        _content_type: &str,
        _file_name: &str,
    ) -> anyhow::Result<()> {
        let dest = self
            .path_for(key)
            .with_context(|| format!("invalid storage key {key}"))?;
        let dir = dest.parent().expect("keys have a folder");
        // folders 0700; the files keep the spool file's 0600 (renamed, or copied with its mode)
        let d = dir.to_path_buf();
        tokio::task::spawn_blocking(move || crate::server::private_fs::create_dir(&d)).await??;
        let tmp = dest.with_extension("part");
        // rename within the data dir; copy when the spool lives on another file system
        if tokio::fs::rename(path, &tmp).await.is_err() {
            tokio::fs::copy(path, &tmp).await?;
            let _ = tokio::fs::remove_file(path).await;
        }
        tokio::fs::File::open(&tmp).await?.sync_all().await?;
        tokio::fs::rename(&tmp, &dest).await?;
        Ok(())
    }

    async fn delete(&self, key: &str) -> anyhow::Result<()> {
        let Some(path) = self.path_for(key) else {
            return Ok(());
        };
        // what a put killed between its two renames left (retention and the sweep of
        // unfinished submissions delete keys: the half-moved copy goes with its key)
        let _ = tokio::fs::remove_file(path.with_extension("part")).await;
        match tokio::fs::remove_file(&path).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e).with_context(|| format!("delete {}", path.display())),
        }
    }

    async fn read_url(&self, key: &str, ttl: Duration) -> anyhow::Result<String> {
        let exp =
            chrono::Utc::now().timestamp() + i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX / 4);
        let mut url = self.public_url.join(&format!("files/{key}"))?;
        url.query_pairs_mut()
            .append_pair("exp", &exp.to_string())
            .append_pair("sig", &signature(&self.key, key, exp));
        Ok(url.to_string())
    }

    async fn check(&self) -> anyhow::Result<()> {
        tokio::fs::metadata(&self.root)
            .await
            .map(|_| ())
            .context("local storage root")
    }

    /// Local-disk file links: 403 when tampered or expired, 410 once the file is deleted.
    async fn serve(&self, link: FileLink, req: Request) -> Response {
        let err = |status: StatusCode, msg: &str| {
            (status, Json(crate::contract::ErrorBody::new(msg))).into_response()
        };
        let (Some(exp), Some(sig)) = (link.exp, link.sig) else {
            return err(StatusCode::FORBIDDEN, "This link is not signed");
        };
        let now = chrono::Utc::now().timestamp();
        match verify_link(&self.key, &link.key, exp, &sig, now) {
            LinkCheck::Invalid => return err(StatusCode::FORBIDDEN, "This link is invalid"),
            LinkCheck::Expired => return err(StatusCode::FORBIDDEN, "This link has expired"),
            LinkCheck::Valid => {}
        }
        let Some(path) = self.path_for(&link.key) else {
            return err(StatusCode::NOT_FOUND, "No such file");
        };
        if !path.exists() {
            // a validly signed link to a missing file: it existed and was deleted
            return err(
                StatusCode::GONE,
                "This file has been deleted (retention period over)",
            );
        }
        let mut resp = match tower::ServiceExt::oneshot(
            tower_http::services::ServeFile::new(&path),
            req,
        )
        .await
        {
            Ok(r) => r.map(axum::body::Body::new),
            Err(e) => {
                tracing::error!(error = %e, "serving a file failed");
                return err(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    crate::contract::messages::PROCESSING_FAILED,
                );
            }
        };
        let h = resp.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(super::content_type_for(&link.key)),
        );
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
        h.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_cannot_escape() {
        assert!(valid_key("p/c/abc_selfie_1.webm"));
        for bad in [
            "",
            "../x",
            "a/../b",
            "/abs",
            "a//b",
            "a/b/",
            "a\\b",
            "a/%2e%2e/b",
            "a b",
        ] {
            assert!(!valid_key(bad), "{bad}");
        }
    }

    #[test]
    fn links_are_signed_and_expire() {
        let k = MasterKey::generate();
        let sig = signature(&k, "a/b.webm", 100);
        assert_eq!(verify_link(&k, "a/b.webm", 100, &sig, 50), LinkCheck::Valid);
        assert_eq!(
            verify_link(&k, "a/b.webm", 100, &sig, 101),
            LinkCheck::Expired
        );
        assert_eq!(
            verify_link(&k, "a/c.webm", 100, &sig, 50),
            LinkCheck::Invalid
        );
        assert_eq!(
            verify_link(&k, "a/b.webm", 200, &sig, 50),
            LinkCheck::Invalid
        );
        assert_eq!(
            verify_link(&MasterKey::generate(), "a/b.webm", 100, &sig, 50),
            LinkCheck::Invalid
        );
    }
}
