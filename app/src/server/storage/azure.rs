//! Azure Blob Storage through `azure_storage_blobs` (shared-key auth, so it is tested against
//! Azurite). Files go up in blocks of `BLOCK_SIZE` read from the spooled file (memory stays at
//! one block), then the block list is committed with Content-Type and Content-Disposition.
//! Read links are blob SAS URLs with read permission only and an expiry.

use std::{path::Path, time::Duration};

use anyhow::Context;
use azure_storage::{
    CloudLocation, StorageCredentials, shared_access_signature::service_sas::BlobSasPermissions,
};
use azure_storage_blobs::prelude::*;
use base64::{Engine, engine::general_purpose::STANDARD as B64};
use tokio::io::AsyncReadExt;

use super::StorageBackend;
use crate::server::secret::Secret;

const BLOCK_SIZE: usize = 4 * 1024 * 1024;

#[derive(Clone, Debug)]
pub struct AzureSettings {
    pub account: String,
    pub access_key: Secret,
    pub container: String,
    /// e.g. `http://127.0.0.1:10000/devstoreaccount1` for Azurite; Azure public cloud when None.
    pub endpoint: Option<String>,
}

impl AzureSettings {
    /// Parses `DefaultEndpointsProtocol=…;AccountName=…;AccountKey=…;BlobEndpoint=…`.
    pub fn from_connection_string(s: &str, container: String) -> Result<Self, String> {
        let mut account = None;
        let mut key = None;
        let mut endpoint = None;
        for part in s.split(';').filter(|p| !p.trim().is_empty()) {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| "expected Key=Value pairs separated by ;".to_string())?;
            match k.trim() {
                "AccountName" => account = Some(v.trim().to_string()),
                "AccountKey" => key = Some(v.trim().to_string()),
                "BlobEndpoint" => endpoint = Some(v.trim().trim_end_matches('/').to_string()),
                _ => {}
            }
        }
        Ok(Self {
            account: account.ok_or("AccountName is missing")?,
            access_key: Secret::new(key.ok_or("AccountKey is missing")?),
            container,
            endpoint,
        })
    }
}

pub struct AzureStorage {
    container: ContainerClient,
}

impl std::fmt::Debug for AzureStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AzureStorage")
            .field("container", &self.container.container_name())
            .finish()
    }
}

impl AzureStorage {
    /// Connects and creates the container when it is missing.
    pub async fn connect(s: &AzureSettings) -> anyhow::Result<Self> {
        let creds =
            StorageCredentials::access_key(s.account.clone(), s.access_key.expose().to_string());
        let location = match &s.endpoint {
            Some(uri) => CloudLocation::Custom {
                account: s.account.clone(),
                uri: uri.clone(),
            },
            None => CloudLocation::Public {
                account: s.account.clone(),
            },
        };
        let container =
            ClientBuilder::with_location(location, creds).container_client(&s.container);
        let storage = Self { container };
        if !storage
            .container
            .exists()
            .await
            .context("cannot reach Azure Blob Storage")?
        {
            match storage.container.create().await {
                Ok(_) => tracing::info!(container = %s.container, "created Azure container"),
                // another node created it in the meantime
                Err(e) if status_of(&e) == Some(409) => {}
                Err(e) => return Err(e).context("cannot create the Azure container"),
            }
        }
        Ok(storage)
    }
}

fn status_of(e: &azure_core::Error) -> Option<u16> {
    match e.kind() {
        azure_core::error::ErrorKind::HttpResponse { status, .. } => Some(u16::from(*status)),
        _ => None,
    }
}

fn block_id(i: usize) -> String {
    B64.encode(format!("block-{i:08}"))
}

#[async_trait::async_trait]
impl StorageBackend for AzureStorage {
    fn name(&self) -> &'static str {
        "azure"
    }

    async fn put_file(
        &self,
        key: &str,
        path: &Path,
        content_type: &str,
        file_name: &str,
    ) -> anyhow::Result<()> {
        let blob = self.container.blob_client(key);
        let mut file = tokio::fs::File::open(path).await?;
        let mut list = BlockList::default();
        let mut buf = vec![0u8; BLOCK_SIZE];
        let mut i = 0;
        loop {
            let mut filled = 0;
            while filled < BLOCK_SIZE {
                let n = file.read(&mut buf[filled..]).await?;
                if n == 0 {
                    break;
                }
                filled += n;
            }
            if filled == 0 {
                break;
            }
            let id = block_id(i);
            blob.put_block(id.clone(), buf[..filled].to_vec())
                .await
                .context("put_block")?;
            list.blocks.push(BlobBlockType::new_uncommitted(id));
            i += 1;
            if filled < BLOCK_SIZE {
                break;
            }
        }
        blob.put_block_list(list)
            .content_type(content_type.to_string())
            .content_disposition(format!("inline; filename=\"{file_name}\""))
            .await
            .context("put_block_list")?;
        let _ = tokio::fs::remove_file(path).await;
        Ok(())
    }

    async fn delete(&self, key: &str) -> anyhow::Result<()> {
        match self.container.blob_client(key).delete().await {
            Ok(_) => Ok(()),
            Err(e) if status_of(&e) == Some(404) => Ok(()),
            Err(e) => Err(e).context("delete blob"),
        }
    }

    async fn read_url(&self, key: &str, ttl: Duration) -> anyhow::Result<String> {
        let blob = self.container.blob_client(key);
        let expiry = time::OffsetDateTime::now_utc() + ttl;
        let sas = blob
            .shared_access_signature(
                BlobSasPermissions {
                    read: true,
                    ..Default::default()
                },
                expiry,
            )
            .await?;
        Ok(blob.generate_signed_blob_url(&sas)?.to_string())
    }

    async fn check(&self) -> anyhow::Result<()> {
        self.container
            .exists()
            .await
            .map(|_| ())
            .context("Azure Blob Storage unreachable")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_string() {
        let s = AzureSettings::from_connection_string(
            "DefaultEndpointsProtocol=http;AccountName=dev;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:10000/dev/;",
            "c".into(),
        )
        .unwrap();
        assert_eq!(s.account, "dev");
        assert_eq!(s.endpoint.as_deref(), Some("http://127.0.0.1:10000/dev"));
        assert!(!format!("{s:?}").contains("a2V5"));
        assert!(AzureSettings::from_connection_string("AccountName=x", "c".into()).is_err());
    }

    #[test]
    fn block_ids_have_equal_length() {
        assert_eq!(block_id(0).len(), block_id(99_999).len());
    }
}
