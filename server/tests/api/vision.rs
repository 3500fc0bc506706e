//! The OpenAI-compatible vision backend against a local server that speaks the chat completions
//! protocol (no internet here): what is sent, how the answer decides, retries, the fallback to
//! the local model, and `both` mode.

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
};

use axum::{
    Json, Router,
    extract::{DefaultBodyLimit, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::post,
};
use base64::Engine as _;
use serde_json::{Value, json};

use crate::common::{TestApp, risks, spawn_app_with};

/// One scripted answer of the fake endpoint.
#[derive(Clone)]
enum Reply {
    Verdict {
        same: bool,
        confidence: f64,
        similarity: f64,
    },
    Status(u16, Option<&'static str>),
}

#[derive(Default)]
struct Fake {
    script: Mutex<VecDeque<Reply>>,
    /// When the script runs out.
    fallback: Mutex<Option<Reply>>,
    requests: Mutex<Vec<(HeaderMap, Value)>>,
}

async fn completions(
    State(fake): State<Arc<Fake>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    fake.requests.lock().unwrap().push((headers, body));
    let next = fake.script.lock().unwrap().pop_front();
    let reply = next.or_else(|| fake.fallback.lock().unwrap().clone());
    match reply {
        Some(Reply::Verdict {
            same,
            confidence,
            similarity,
        }) => {
            let content = json!({
                "same_person": same, "confidence": confidence, "similarity_score": similarity,
                "face_in_selfie": true, "face_in_id": true, "reason": "scripted"
            })
            .to_string();
            Json(json!({
                "id": "chatcmpl-test", "object": "chat.completion", "created": 0, "model": "test-vision",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": null},
                             "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
            }))
            .into_response()
        }
        Some(Reply::Status(code, retry_after)) => {
            let mut r = (
                StatusCode::from_u16(code).unwrap(),
                Json(json!({"error": {"message": "scripted failure", "type": "server_error"}})),
            )
                .into_response();
            if let Some(ra) = retry_after {
                r.headers_mut().insert("retry-after", ra.parse().unwrap());
            }
            r
        }
        None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// Starts the fake endpoint on loopback; returns its `/v1` base URL.
async fn fake_openai(script: Vec<Reply>, fallback: Option<Reply>) -> (String, Arc<Fake>) {
    let fake = Arc::new(Fake {
        script: Mutex::new(script.into()),
        fallback: Mutex::new(fallback),
        requests: Mutex::default(),
    });
    let router = Router::new()
        .route("/v1/chat/completions", post(completions))
        .layer(DefaultBodyLimit::max(64 * 1024 * 1024))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    (format!("http://{addr}/v1"), fake)
}

async fn app_with_vision(mode: &str, base: &str, retries: &str) -> TestApp {
    spawn_app_with(&[
        ("IDV_VERIFIER", mode),
        ("IDV_OPENAI_BASE_URL", base),
        ("IDV_OPENAI_MODEL", "test-vision"),
        ("IDV_OPENAI_API_KEY", "sk-test-123"),
        ("IDV_OPENAI_RETRIES", retries),
        ("IDV_OPENAI_TIMEOUT", "5s"),
    ])
    .await
}

async fn submit(app: &TestApp, id: &str) -> Value {
    let p = app.partner(&format!("Acme {}", uuid::Uuid::new_v4())).await;
    app.submit_media(&p.api_key, "user-vision", "seq_obama.webm", id)
        .await
}

const SAME: Reply = Reply::Verdict {
    same: true,
    confidence: 0.95,
    similarity: 91.0,
};
const DIFFERENT: Reply = Reply::Verdict {
    same: false,
    confidence: 0.95,
    similarity: 8.0,
};

#[tokio::test]
async fn openai_mode_sends_the_images_and_its_verdict_decides() {
    let (base, fake) = fake_openai(vec![DIFFERENT], None).await;
    let app = app_with_vision("openai", &base, "0").await;
    // the local model alone says "same person" for this pair; the vision model says otherwise
    let v = submit(&app, "id_obama.jpg").await;
    let fc = &v["result"]["faceComparison"];
    assert_eq!(fc["method"], "openai_vision", "{v}");
    assert_eq!(fc["isIdentical"], false);
    assert_eq!(fc["similarityScore"], 8);
    assert_eq!(v["result"]["status"], "rejected");
    assert!(risks(&v).contains(&"face_mismatch".to_string()), "{v}");

    let requests = fake.requests.lock().unwrap();
    assert_eq!(requests.len(), 1);
    let (headers, body) = &requests[0];
    assert_eq!(headers["authorization"], "Bearer sk-test-123");
    assert_eq!(body["model"], "test-vision");
    let rf = &body["response_format"];
    assert_eq!(rf["type"], "json_schema");
    assert_eq!(rf["json_schema"]["strict"], true);
    assert_eq!(
        rf["json_schema"]["schema"]["additionalProperties"], false,
        "{rf}"
    );
    // a few selfie frames and the ID photo, as base64 JPEG data URLs
    let content = body["messages"][1]["content"].as_array().unwrap();
    let images: Vec<&str> = content
        .iter()
        .filter(|c| c["type"] == "image_url")
        .map(|c| c["image_url"]["url"].as_str().unwrap())
        .collect();
    assert!((2..=4).contains(&images.len()), "{} images", images.len());
    for url in &images {
        let b64 = url
            .strip_prefix("data:image/jpeg;base64,")
            .expect("a JPEG data URL");
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        let img = image::load_from_memory(&bytes).expect("a decodable image");
        assert!(img.width().max(img.height()) <= 1024);
    }
    // nothing about the end user but the images
    assert!(!body.to_string().contains("user-vision"));
}

#[tokio::test]
async fn failures_are_retried_with_backoff_and_retry_after() {
    let (base, fake) = fake_openai(
        vec![
            Reply::Status(500, None),
            Reply::Status(429, Some("1")),
            SAME,
        ],
        None,
    )
    .await;
    let app = app_with_vision("openai", &base, "2").await;
    let started = std::time::Instant::now();
    let v = submit(&app, "id_obama.jpg").await;
    assert_eq!(fake.requests.lock().unwrap().len(), 3);
    // Retry-After: 1 was waited for
    assert!(started.elapsed() >= std::time::Duration::from_secs(1));
    let fc = &v["result"]["faceComparison"];
    assert_eq!(fc["method"], "openai_vision", "{v}");
    assert_eq!(fc["isIdentical"], true);
    assert_eq!(fc["similarityScore"], 91);
}

#[tokio::test]
async fn a_failing_backend_falls_back_to_the_local_model() {
    let (base, fake) = fake_openai(vec![], Some(Reply::Status(503, None))).await;
    let app = app_with_vision("openai", &base, "1").await;
    let v = submit(&app, "id_obama.jpg").await;
    // one attempt and one retry, then the local model decided (and says so)
    assert_eq!(fake.requests.lock().unwrap().len(), 2);
    let fc = &v["result"]["faceComparison"];
    assert_eq!(fc["method"], "local_face_model", "{v}");
    assert_eq!(fc["isIdentical"], true, "{v}");

    // a refused request (401) is not retried
    let (base, fake) = fake_openai(vec![], Some(Reply::Status(401, None))).await;
    let app = app_with_vision("openai", &base, "3").await;
    let v = submit(&app, "id_biden.jpg").await;
    assert_eq!(fake.requests.lock().unwrap().len(), 1);
    assert_eq!(v["result"]["faceComparison"]["method"], "local_face_model");
    assert_eq!(v["result"]["faceComparison"]["isIdentical"], false);
}

#[tokio::test]
async fn both_mode_needs_both_to_agree() {
    let (base, _fake) = fake_openai(vec![DIFFERENT, SAME, SAME], None).await;
    let app = app_with_vision("both", &base, "0").await;
    let method = "local_face_model+openai_vision";

    // local: same; vision: different -> not identical
    let v = submit(&app, "id_obama.jpg").await;
    assert_eq!(v["result"]["faceComparison"]["method"], method, "{v}");
    assert_eq!(v["result"]["faceComparison"]["isIdentical"], false);
    assert_ne!(v["result"]["status"], "verified");

    // both: same -> identical
    let v = submit(&app, "id_obama.jpg").await;
    assert_eq!(v["result"]["faceComparison"]["method"], method);
    assert_eq!(v["result"]["faceComparison"]["isIdentical"], true, "{v}");

    // local: different; vision: same -> not identical, a mismatch
    let v = submit(&app, "id_biden.jpg").await;
    assert_eq!(v["result"]["faceComparison"]["isIdentical"], false, "{v}");
    assert_eq!(v["result"]["status"], "rejected");
    assert!(risks(&v).contains(&"face_mismatch".to_string()));
}
