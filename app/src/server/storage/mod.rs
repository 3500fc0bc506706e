//! File storage behind one trait: local disk (default) or Azure Blob Storage.
//!
//! The database keeps storage *keys*, never URLs; links are minted when a result or a webhook
//! is produced, and expire (`IDV_LINK_TTL`). Every link is absolute.

mod azure;
mod local;

use std::{path::Path, sync::Arc, time::Duration};

pub use azure::{AzureSettings, AzureStorage};
pub use local::{LinkCheck, LocalStorage, valid_key, verify_link};

#[async_trait::async_trait]
pub trait StorageBackend: Send + Sync + std::fmt::Debug {
    /// A stable name recorded with each check (`local`, `azure`).
    fn name(&self) -> &'static str;

    /// Stores the finished file at `path` under `key`. On success the object is complete and
    /// visible; on failure nothing is left under `key`. The file at `path` is consumed.
    async fn put_file(
        &self,
        key: &str,
        path: &Path,
        content_type: &str,
        file_name: &str,
    ) -> anyhow::Result<()>;

    /// Deletes `key`; deleting a missing object is not an error (retention runs may repeat).
    async fn delete(&self, key: &str) -> anyhow::Result<()>;

    /// An absolute, expiring read link.
    async fn read_url(&self, key: &str, ttl: Duration) -> anyhow::Result<String>;

    /// Readiness: the backend is reachable.
    async fn check(&self) -> anyhow::Result<()>;

    /// Answers `GET /files/{key}?exp=…&sig=…`, a read link this service minted. Only local
    /// storage serves its files itself; other backends' links point at the backend, so here
    /// such a path is unknown.
    async fn serve(
        &self,
        _link: FileLink,
        _req: axum::extract::Request,
    ) -> axum::response::Response {
        use axum::response::IntoResponse;
        let body = crate::contract::ErrorBody::new("No such file");
        (axum::http::StatusCode::NOT_FOUND, axum::Json(body)).into_response()
    }
}

/// A read link as it arrives: the key from the path, the expiry and signature from the query.
#[derive(Debug, serde::Deserialize)]
pub struct FileLink {
    #[serde(skip)]
    pub key: String,
    pub exp: Option<i64>,
    pub sig: Option<String>,
}

pub type Storage = Arc<dyn StorageBackend>;

/// MIME type of a stored file, from the extension we gave it.
pub fn content_type_for(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or("") {
        "webm" => "video/webm",
        "mp4" => "video/mp4",
        "mov" => "video/quicktime",
        "mkv" => "video/x-matroska",
        "avi" => "video/x-msvideo",
        "jpg" => "image/jpeg",
        "png" => "image/png",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "bmp" => "image/bmp",
        "tif" => "image/tiff",
        "heic" => "image/heic",
        _ => "application/octet-stream",
    }
}

/// A backend whose failures are counted (`idv_storage_errors_total{op}`); what the service runs.
#[derive(Debug)]
pub struct Observed(pub Storage);

impl Observed {
    pub fn wrap(inner: Storage) -> Storage {
        Arc::new(Self(inner))
    }
}

fn counted<T>(op: &'static str, r: anyhow::Result<T>) -> anyhow::Result<T> {
    if r.is_err() {
        super::observe::storage_error(op);
    }
    r
}

#[async_trait::async_trait]
impl StorageBackend for Observed {
    fn name(&self) -> &'static str {
        self.0.name()
    }

    async fn put_file(
        &self,
        key: &str,
        path: &Path,
        content_type: &str,
        file_name: &str,
    ) -> anyhow::Result<()> {
        counted(
            "put",
            self.0.put_file(key, path, content_type, file_name).await,
        )
    }

    async fn delete(&self, key: &str) -> anyhow::Result<()> {
        counted("delete", self.0.delete(key).await)
    }

    async fn read_url(&self, key: &str, ttl: Duration) -> anyhow::Result<String> {
        counted("link", self.0.read_url(key, ttl).await)
    }

    async fn check(&self) -> anyhow::Result<()> {
        counted("check", self.0.check().await)
    }

    async fn serve(&self, link: FileLink, req: axum::extract::Request) -> axum::response::Response {
        self.0.serve(link, req).await
    }
}
