//! GET /verif/: the guide's parameters, statuses and messages, for browsers (HTML) and for
//! clients that ask for JSON.

use crate::common::spawn_app;
use app::server::partners;

async fn get_json(app: &crate::common::TestApp, query: &str) -> (u16, serde_json::Value) {
    let r = app
        .client
        .get(app.url(&format!("/verif/?{query}")))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

#[tokio::test]
async fn guide_errors_as_json() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    let cases = [
        ("user_identifier=u1".to_string(), 400, "API key is required"),
        ("api_key=&user_identifier=u1".to_string(), 400, "API key is required"),
        (format!("api_key={}", p.api_key), 400, "User identifier is required"),
        (format!("api_key={}&user_identifier=", p.api_key), 400, "User identifier is required"),
        ("api_key=idv_live_nope&user_identifier=u1".to_string(), 401, "Invalid API key"),
        ("api_key=idv_live_0000000000000000000000000000000000000000000000000000&user_identifier=u1".to_string(), 401, "Invalid API key"),
    ];
    for (q, status, msg) in cases {
        let (s, body) = get_json(&app, &q).await;
        assert_eq!(s, status, "{q}");
        assert_eq!(
            body,
            serde_json::json!({ "success": false, "error": msg }),
            "{q}"
        );
    }
}

#[tokio::test]
async fn guide_errors_as_html_for_browsers() {
    let app = spawn_app().await;
    let r = app
        .client
        .get(app.url("/verif/?user_identifier=u1"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(r.headers()["cache-control"], "no-store");
    let body = r.text().await.unwrap();
    assert!(body.contains("API key is required"), "{body}");
    let r = app
        .client
        .get(app.url("/verif/?api_key=x&user_identifier=u1"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.text().await.unwrap().contains("Invalid API key"));
}

#[tokio::test]
async fn valid_key_renders_the_themed_page_without_the_key() {
    let app = spawn_app().await;
    let p = app.partner("Acme Bank").await;
    for path in ["/verif/", "/verif"] {
        let r = app
            .client
            .get(app.url(&format!(
                "{path}?api_key={}&user_id=user-42&user_email=a%40b.example",
                p.api_key
            )))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.headers()["referrer-policy"], "no-referrer");
        assert_eq!(r.headers()["cache-control"], "no-store");
        let html = r.text().await.unwrap();
        assert!(html.contains("Acme Bank"), "partner name shown");
        assert!(html.contains("--primary:#aa3300"), "partner colour applied");
        assert!(
            html.contains("--on-primary:#ffffff"),
            "readable text on the partner colour"
        );
        assert!(html.contains("/pkg/idv.js"), "hydration script referenced");
        assert!(
            !html.contains(&p.api_key),
            "the API key never reaches the page"
        );
        assert!(
            !html.contains(&p.api_key[9..25]),
            "not even its lookup part"
        );
    }
}

#[tokio::test]
async fn only_the_partners_allowed_origins_may_frame_the_page() {
    let app = spawn_app().await;
    let framed = partners::create(
        &app.state.db,
        &app.state.master_key,
        partners::NewPartner {
            name: "Framed".into(),
            allowed_origins: vec![
                "https://shop.example".into(),
                "http://127.0.0.1:8080".into(),
            ],
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let plain = app.partner("Plain").await;
    let csp = |key: String| {
        let app = &app;
        async move {
            let r = app
                .client
                .get(app.url(&format!("/verif/?api_key={key}&user_identifier=u")))
                .send()
                .await
                .unwrap();
            r.headers()["content-security-policy"]
                .to_str()
                .unwrap()
                .to_string()
        }
    };
    assert_eq!(
        csp(framed.api_key.clone()).await,
        "frame-ancestors 'self' https://shop.example http://127.0.0.1:8080"
    );
    assert_eq!(csp(plain.api_key.clone()).await, "frame-ancestors 'self'");
    assert_eq!(
        csp("idv_live_000000000000000000000000000000000000000000000000".into()).await,
        "frame-ancestors 'none'"
    );
}

#[tokio::test]
async fn disabled_partner_gets_401() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    partners::set_disabled(&app.state.db, &p.partner_id, true)
        .await
        .unwrap();
    let (s, body) = get_json(&app, &format!("api_key={}&user_identifier=u1", p.api_key)).await;
    assert_eq!(s, 401);
    assert_eq!(body["error"], "Invalid API key");
}

#[tokio::test]
async fn unknown_page_is_404_and_server_stays_up() {
    let app = spawn_app().await;
    let r = app
        .client
        .get(app.url("/no/such/page"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
}
