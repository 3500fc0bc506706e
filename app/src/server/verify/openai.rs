//! The OpenAI-compatible vision backend: a few selfie frames and the ID photo, as base64 JPEG
//! data URLs, to `{IDV_OPENAI_BASE_URL}/chat/completions` with a strict JSON-schema answer,
//! mapped into a [`Comparison`]. Used only when `IDV_VERIFIER` is `openai` or `both`: by
//! default nothing leaves the machine.
//!
//! Failures are retried on 429, 5xx, timeouts, connection errors and unusable answers, with
//! exponential backoff and jitter (`Retry-After` honoured); after the last attempt the caller
//! falls back to the local model and says so in `faceComparison.method`.

use std::time::Duration;

use base64::Engine as _;
use image::RgbImage;
use serde::Deserialize;
use serde_json::{Value, json};

use super::Comparison;
use crate::server::config::{OpenAiConfig, Secret};

pub const METHOD: &str = "openai_vision";
/// `faceComparison.method` when both backends decided together.
pub const BOTH_METHOD: &str = "local_face_model+openai_vision";

/// Selfie frames sent per check.
pub const FRAMES_SENT: usize = 3;
/// Longest side of the ID photo sent.
const ID_MAX_SIDE: u32 = 1024;
/// The longest wait a `Retry-After` may ask for before we give up on the backend.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(20);

const SYSTEM_PROMPT: &str = "You are the face-comparison step of an identity verification \
service. You receive frames of a live selfie video and a photo of a government ID document. \
Decide whether the person in the selfie frames is the same person as the portrait on the ID. \
Judge facial features only (not hair, glasses, age, lighting or image quality). Answer only \
with the JSON object the schema describes.";

/// The answer the schema forces.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Verdict {
    pub same_person: bool,
    /// 0..1: how sure the model is of `same_person`.
    pub confidence: f64,
    /// 0..100: how alike the faces are.
    pub similarity_score: f64,
    pub face_in_selfie: bool,
    pub face_in_id: bool,
    pub reason: String,
}

#[derive(Debug, thiserror::Error)]
pub enum VisionError {
    #[error("the vision endpoint answered HTTP {status}: {body}")]
    Status {
        status: u16,
        body: String,
        retry_after: Option<Duration>,
    },
    #[error("the vision endpoint could not be reached: {0}")]
    Transport(String),
    #[error("the vision endpoint's answer is unusable: {0}")]
    Answer(String),
}

impl VisionError {
    fn retryable(&self) -> bool {
        match self {
            Self::Status { status, .. } => *status == 429 || *status >= 500,
            Self::Transport(_) | Self::Answer(_) => true,
        }
    }
}

pub struct VisionClient {
    http: reqwest::Client,
    endpoint: url::Url,
    model: String,
    api_key: Option<Secret>,
    retries: u32,
}

/// The request body's response format: strict JSON schema.
pub fn response_format() -> Value {
    json!({
        "type": "json_schema",
        "json_schema": {
            "name": "face_comparison",
            "strict": true,
            "schema": {
                "type": "object",
                "properties": {
                    "same_person": {"type": "boolean"},
                    "confidence": {"type": "number", "description": "0 to 1"},
                    "similarity_score": {"type": "number", "description": "0 to 100"},
                    "face_in_selfie": {"type": "boolean"},
                    "face_in_id": {"type": "boolean"},
                    "reason": {"type": "string"}
                },
                "required": ["same_person", "confidence", "similarity_score",
                             "face_in_selfie", "face_in_id", "reason"],
                "additionalProperties": false
            }
        }
    })
}

fn data_url(jpeg: &[u8]) -> String {
    format!(
        "data:image/jpeg;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(jpeg)
    )
}

impl VisionClient {
    pub fn new(cfg: &OpenAiConfig) -> anyhow::Result<Self> {
        let mut base = cfg.base_url.clone();
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        let endpoint = base.join("chat/completions")?;
        let http = reqwest::Client::builder()
            .timeout(cfg.timeout)
            .connect_timeout(cfg.timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("IdentityVerification/1.0")
            .build()?;
        Ok(Self {
            http,
            endpoint,
            model: cfg.model.clone(),
            api_key: cfg.api_key.clone(),
            retries: cfg.retries,
        })
    }

    pub fn body(&self, selfies: &[Vec<u8>], id_jpeg: &[u8]) -> Value {
        let mut content = vec![json!({
            "type": "text",
            "text": format!(
                "The first {} image(s) are frames of the selfie video; the last image is the \
                 ID document. Is the selfie person the person on the ID?",
                selfies.len()
            )
        })];
        for s in selfies {
            content.push(
                json!({"type": "image_url", "image_url": {"url": data_url(s), "detail": "high"}}),
            );
        }
        content.push(
            json!({"type": "image_url", "image_url": {"url": data_url(id_jpeg), "detail": "high"}}),
        );
        json!({
            "model": self.model,
            "temperature": 0,
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": content}
            ],
            "response_format": response_format()
        })
    }

    /// Asks the model, retrying what is worth retrying.
    pub async fn compare(
        &self,
        selfies: &[Vec<u8>],
        id_jpeg: &[u8],
    ) -> Result<Verdict, VisionError> {
        let body = self.body(selfies, id_jpeg);
        let mut attempt = 0u32;
        loop {
            let err = match self.once(&body).await {
                Ok(v) => return Ok(v),
                Err(e) => e,
            };
            if !err.retryable() || attempt >= self.retries {
                return Err(err);
            }
            let backoff = Duration::from_millis(500 * 2u64.pow(attempt.min(6)));
            let jitter = rand::Rng::gen_range(&mut rand::thread_rng(), 0.75..1.25);
            let mut wait = backoff.mul_f64(jitter);
            if let VisionError::Status {
                retry_after: Some(ra),
                ..
            } = &err
            {
                if *ra > MAX_RETRY_AFTER {
                    return Err(err);
                }
                wait = wait.max(*ra);
            }
            tracing::warn!(attempt = attempt + 1, error = %err, wait_ms = wait.as_millis() as u64, "vision request failed; retrying");
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    async fn once(&self, body: &Value) -> Result<Verdict, VisionError> {
        let mut req = self.http.post(self.endpoint.clone()).json(body);
        if let Some(key) = &self.api_key {
            req = req.bearer_auth(key.expose());
        }
        let resp = req
            .send()
            .await
            .map_err(|e| VisionError::Transport(crate::server::error::reqwest_error_text(&e)))?;
        let status = resp.status();
        if !status.is_success() {
            let retry_after = crate::server::error::retry_after(resp.headers());
            let body = resp.text().await.unwrap_or_default();
            return Err(VisionError::Status {
                status: status.as_u16(),
                body: body.chars().take(300).collect(),
                retry_after,
            });
        }
        let value: Value = resp.json().await.map_err(|e| {
            VisionError::Answer(format!(
                "not JSON: {}",
                crate::server::error::reqwest_error_text(&e)
            ))
        })?;
        parse_answer(&value)
    }
}

/// `choices[0].message.content` holds the schema's JSON object (or a `refusal`).
pub fn parse_answer(value: &Value) -> Result<Verdict, VisionError> {
    let message = &value["choices"][0]["message"];
    if let Some(refusal) = message["refusal"].as_str() {
        return Err(VisionError::Answer(format!("refused: {refusal}")));
    }
    let content = message["content"]
        .as_str()
        .ok_or_else(|| VisionError::Answer("no choices[0].message.content".into()))?;
    let v: Verdict = serde_json::from_str(content)
        .map_err(|e| VisionError::Answer(format!("content does not match the schema: {e}")))?;
    if !(0.0..=1.0).contains(&v.confidence) || !(0.0..=100.0).contains(&v.similarity_score) {
        return Err(VisionError::Answer(
            "confidence or similarity_score out of range".into(),
        ));
    }
    Ok(v)
}

/// The model's answer as a comparison on our scale.
pub fn comparison(v: &Verdict) -> Comparison {
    let faces = v.face_in_selfie && v.face_in_id;
    let confidence = v.confidence as f32;
    let is_identical = faces && v.same_person && confidence >= 0.5;
    Comparison {
        similarity: (v.similarity_score / 100.0) as f32,
        match_at: 0.5,
        is_identical,
        mismatch: faces && !v.same_person && confidence >= 0.8,
        confidence: if is_identical == v.same_person {
            confidence
        } else {
            1.0 - confidence
        },
        method: METHOD.into(),
    }
}

/// Both backends together: `verified` needs both to say "same person"; either one sure of a
/// different person is a mismatch; the weaker similarity is reported.
pub fn combine(local: Comparison, remote: Comparison) -> Comparison {
    let is_identical = local.is_identical && remote.is_identical;
    let ratio = |c: &Comparison| c.similarity / c.match_at.max(0.01);
    let weaker = if ratio(&local) <= ratio(&remote) {
        &local
    } else {
        &remote
    };
    let confidence = if is_identical {
        local.confidence.min(remote.confidence)
    } else {
        [&local, &remote]
            .iter()
            .filter(|c| !c.is_identical)
            .map(|c| c.confidence)
            .fold(0.0, f32::max)
    };
    Comparison {
        similarity: weaker.similarity,
        match_at: weaker.match_at,
        is_identical,
        mismatch: local.mismatch || remote.mismatch,
        confidence,
        method: BOTH_METHOD.into(),
    }
}

/// JPEG bytes of an image, shrunk to `max_side`.
pub fn jpeg(img: &RgbImage, max_side: u32) -> anyhow::Result<Vec<u8>> {
    let (w, h) = img.dimensions();
    let scaled;
    let img = if w.max(h) > max_side {
        let f = max_side as f32 / w.max(h) as f32;
        scaled = image::imageops::resize(
            img,
            ((w as f32 * f).round() as u32).max(1),
            ((h as f32 * f).round() as u32).max(1),
            image::imageops::FilterType::Triangle,
        );
        &scaled
    } else {
        img
    };
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85).encode_image(img)?;
    Ok(out)
}

/// The ID photo as sent.
pub fn id_jpeg(img: &RgbImage) -> anyhow::Result<Vec<u8>> {
    jpeg(img, ID_MAX_SIDE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(content: &str) -> Value {
        json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}]})
    }

    #[test]
    fn parses_the_schema_answer_and_maps_it() {
        let v = parse_answer(&answer(
            r#"{"same_person":true,"confidence":0.93,"similarity_score":88,"face_in_selfie":true,"face_in_id":true,"reason":"same"}"#,
        ))
        .unwrap();
        let c = comparison(&v);
        assert!(c.is_identical && !c.mismatch);
        assert_eq!(c.method, METHOD);
        assert!((c.similarity - 0.88).abs() < 1e-6);

        let no = comparison(
            &parse_answer(&answer(
                r#"{"same_person":false,"confidence":0.9,"similarity_score":12,"face_in_selfie":true,"face_in_id":true,"reason":"different"}"#,
            ))
            .unwrap(),
        );
        assert!(!no.is_identical && no.mismatch);
        // unsure "same person": not identical, not a mismatch either (a human decides)
        let unsure = comparison(
            &parse_answer(&answer(
                r#"{"same_person":true,"confidence":0.3,"similarity_score":55,"face_in_selfie":true,"face_in_id":true,"reason":"?"}"#,
            ))
            .unwrap(),
        );
        assert!(!unsure.is_identical && !unsure.mismatch);
    }

    #[test]
    fn refuses_answers_outside_the_schema() {
        for bad in [
            answer("not json"),
            answer(r#"{"same_person":true}"#),
            answer(
                r#"{"same_person":true,"confidence":7,"similarity_score":88,"face_in_selfie":true,"face_in_id":true,"reason":""}"#,
            ),
            json!({"choices": [{"message": {"refusal": "I can't help with that"}}]}),
            json!({"error": "x"}),
        ] {
            assert!(
                matches!(parse_answer(&bad), Err(VisionError::Answer(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn both_needs_both() {
        let local = Comparison {
            similarity: 0.7,
            match_at: 0.5,
            is_identical: true,
            mismatch: false,
            confidence: 0.99,
            method: "local_face_model".into(),
        };
        let remote_no = Comparison {
            similarity: 0.2,
            match_at: 0.5,
            is_identical: false,
            mismatch: true,
            confidence: 0.9,
            method: METHOD.into(),
        };
        let c = combine(local.clone(), remote_no);
        assert!(!c.is_identical && c.mismatch);
        assert_eq!(c.method, BOTH_METHOD);
        assert!((c.similarity - 0.2).abs() < 1e-6);
        let remote_yes = Comparison {
            similarity: 0.9,
            is_identical: true,
            mismatch: false,
            confidence: 0.8,
            ..local.clone()
        };
        let c = combine(local, remote_yes);
        assert!(c.is_identical && (c.confidence - 0.8).abs() < 1e-6);
    }
}
