//! Secrets at rest and in transit: the master key (encrypts stored webhook secrets, signs
//! links), random tokens, and constant-time comparison.

use base64::{Engine, engine::general_purpose::STANDARD as B64};
use chacha20poly1305::{
    ChaCha20Poly1305, Key, Nonce,
    aead::{Aead, KeyInit},
};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// 32 random bytes from the OS generator.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Constant-time equality for secrets and digests.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

#[derive(Clone)]
pub struct MasterKey([u8; 32]);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(***)")
    }
}

impl MasterKey {
    pub fn generate() -> Self {
        Self(random_bytes())
    }

    pub fn from_base64(s: &str) -> Result<Self, String> {
        let bytes = B64
            .decode(s.trim())
            .map_err(|_| "must be base64 of 32 random bytes".to_string())?;
        let arr: [u8; 32] = bytes.try_into().map_err(|_| {
            "must be base64 of exactly 32 bytes (openssl rand -base64 32)".to_string()
        })?;
        Ok(Self(arr))
    }

    pub fn to_base64(&self) -> String {
        B64.encode(self.0)
    }

    /// Loads `<data_dir>/secret.key`, creating it (mode 0600) on first start.
    pub fn load_or_create(path: &std::path::Path) -> anyhow::Result<Self> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                Self::from_base64(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = Self::generate();
                let tmp = path.with_extension("tmp");
                {
                    use std::io::Write;
                    let mut opts = std::fs::OpenOptions::new();
                    opts.write(true).create(true).truncate(true);
                    #[cfg(unix)]
                    {
                        use std::os::unix::fs::OpenOptionsExt;
                        opts.mode(0o600);
                    }
                    let mut f = opts.open(&tmp)?;
                    f.write_all(key.to_base64().as_bytes())?;
                    f.sync_all()?;
                }
                std::fs::rename(&tmp, path)?;
                Ok(key)
            }
            Err(e) => Err(anyhow::anyhow!("cannot read {}: {e}", path.display())),
        }
    }

    /// Encrypts with ChaCha20-Poly1305; output is base64(nonce || ciphertext).
    pub fn encrypt(&self, plaintext: &str) -> String {
        let cipher = ChaCha20Poly1305::new(Key::from_slice(&self.0));
        let nonce: [u8; 12] = random_bytes();
        let ct = cipher
            .encrypt(Nonce::from_slice(&nonce), plaintext.as_bytes())
            .expect("encryption of an in-memory buffer cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        B64.encode(out)
    }

    pub fn decrypt(&self, sealed: &str) -> anyhow::Result<String> {
        let raw = B64.decode(sealed)?;
        anyhow::ensure!(raw.len() > 12, "sealed value too short");
        let cipher = ChaCha20Poly1305::new(Key::from_slice(&self.0));
        let pt = cipher
            .decrypt(Nonce::from_slice(&raw[..12]), &raw[12..])
            .map_err(|_| {
                anyhow::anyhow!("cannot decrypt: sealed under another master key, or corrupted")
            })?;
        Ok(String::from_utf8(pt)?)
    }

    /// HMAC-SHA256 of `msg` under a key derived for `purpose`, so one master key serves several
    /// independent uses.
    pub fn sign(&self, purpose: &str, msg: &[u8]) -> [u8; 32] {
        let mut derive = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("any key length");
        derive.update(purpose.as_bytes());
        let sub = derive.finalize().into_bytes();
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&sub).expect("any key length");
        mac.update(msg);
        mac.finalize().into_bytes().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encrypt_round_trip_and_tamper() {
        let k = MasterKey::generate();
        let sealed = k.encrypt("whsec_abc");
        assert!(!sealed.contains("whsec"));
        assert_eq!(k.decrypt(&sealed).unwrap(), "whsec_abc");
        assert!(MasterKey::generate().decrypt(&sealed).is_err());
        let mut raw = B64.decode(&sealed).unwrap();
        raw[20] ^= 1;
        assert!(k.decrypt(&B64.encode(raw)).is_err());
    }

    #[test]
    fn key_file_is_created_once_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("secret.key");
        let a = MasterKey::load_or_create(&p).unwrap();
        let b = MasterKey::load_or_create(&p).unwrap();
        assert_eq!(a.0, b.0);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
    }

    #[test]
    fn sign_depends_on_purpose() {
        let k = MasterKey::generate();
        assert_ne!(k.sign("a", b"x"), k.sign("b", b"x"));
        assert_eq!(k.sign("a", b"x"), k.sign("a", b"x"));
        assert!(ct_eq(&k.sign("a", b"x"), &k.sign("a", b"x")));
        assert!(!ct_eq(b"ab", b"abc"));
    }
}
