//! Standard Webhooks signatures (<https://www.standardwebhooks.com>): `webhook-signature:
//! v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}">`, keyed with the bytes
//! the `whsec_` secret's base64 decodes to, so the spec's reference libraries verify ours.

use base64::{Engine as _, engine::general_purpose::STANDARD as B64};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The HMAC key inside a `whsec_…` secret.
pub fn secret_key(secret: &str) -> anyhow::Result<Vec<u8>> {
    let b64 = secret.strip_prefix("whsec_").unwrap_or(secret);
    let key = B64
        .decode(b64)
        .map_err(|_| anyhow::anyhow!("webhook secret is not whsec_ + base64"))?;
    anyhow::ensure!(
        (24..=64).contains(&key.len()),
        "webhook secret must hold 24 to 64 bytes"
    );
    Ok(key)
}

/// One `v1,<base64>` signature.
pub fn sign(key: &[u8], msg_id: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(msg_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1,{}", B64.encode(mac.finalize().into_bytes()))
}

/// The `webhook-signature` header: one signature per key, space-separated (two while a secret
/// rotation is in its grace period).
pub fn header(keys: &[Vec<u8>], msg_id: &str, timestamp: i64, body: &[u8]) -> String {
    keys.iter()
        .map(|k| sign(k, msg_id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks specification (its reference test vector).
    #[test]
    fn matches_the_specification_example() {
        let key = secret_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            sign(&key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn refuses_bad_secrets_and_joins_signatures() {
        assert!(secret_key("whsec_not base64!").is_err());
        assert!(secret_key("whsec_AAAA").is_err());
        let a = secret_key(&format!("whsec_{}", B64.encode([1u8; 32]))).unwrap();
        let b = secret_key(&format!("whsec_{}", B64.encode([2u8; 32]))).unwrap();
        let h = header(&[a, b], "msg_1", 1, b"{}");
        assert_eq!(h.split(' ').count(), 2);
        assert!(h.split(' ').all(|s| s.starts_with("v1,")));
    }
}
