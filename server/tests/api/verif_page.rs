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
    let framed = app
        .partner_on("Framed", &["https://shop.example", "http://127.0.0.1:8080"])
        .await;
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
    let framed_csp = csp(framed.api_key.clone()).await;
    assert!(
        framed_csp.ends_with("; frame-ancestors 'self' https://shop.example http://127.0.0.1:8080"),
        "{framed_csp}"
    );
    // nothing by default; only our own scripts and the inline ones carrying this answer's
    // nonce; requests and the live channel's socket to this host only; forms posted here only
    let host = app.base.trim_start_matches("http://");
    assert!(
        framed_csp.starts_with("default-src 'none'; script-src 'self' 'nonce-")
            && framed_csp.contains("'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; ")
            && framed_csp.contains("; img-src 'self' data: blob:; media-src 'self' blob:; ")
            && framed_csp.contains(&format!("; connect-src 'self' ws://{host} wss://{host}; "))
            && framed_csp.contains("; form-action 'self'; object-src 'none'; base-uri 'none'; "),
        "{framed_csp}"
    );
    assert!(
        csp(plain.api_key.clone())
            .await
            .ends_with("; frame-ancestors 'self'")
    );
    assert!(
        csp("idv_live_000000000000000000000000000000000000000000000000".into())
            .await
            .ends_with("frame-ancestors 'none'")
    );
}

#[tokio::test]
async fn disabled_partner_gets_401() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    partners::set_disabled(
        &app.state.db,
        &p.partner_id,
        true,
        &app::server::audit::Actor::Operator,
    )
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

/// The capture token the page was rendered with (it is in the page's serialized data).
fn token_in(html: &str) -> String {
    let at = html.find("cap_").expect("a capture token in the page");
    html[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect()
}

#[tokio::test]
async fn the_page_records_consent_and_a_checked_redirect_url_on_its_session() {
    let app = spawn_app().await;
    let p = app.partner_on("Shop", &["https://shop.example"]).await;
    let page = |redirect: &str| {
        let url = app.url(&format!(
            "/verif/?api_key={}&user_identifier=u-9&redirect_url={}",
            p.api_key,
            url::form_urlencoded::byte_serialize(redirect.as_bytes()).collect::<String>()
        ));
        let client = app.client.clone();
        async move {
            let r = client.get(url).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    // a redirect elsewhere is refused, plainly
    let (status, html) = page("https://evil.example/x").await;
    assert_eq!(status, 400);
    assert!(html.contains("redirect_url must be on one of the partner"));
    let (status, html) = page("ftp://shop.example/x").await;
    assert_eq!(status, 400, "{html}");

    let (status, html) = page("https://shop.example/back?order=7").await;
    assert_eq!(status, 200);
    assert!(html.contains("https://shop.example/back?order=7"));
    let token = token_in(&html);

    let consent = |token: String, version: &str| {
        let form = [
            ("capture_token", token),
            ("consent_version", version.to_string()),
        ];
        let req = app.client.post(app.url("/api/give_consent")).form(&form);
        async move {
            let r = req.send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    // one mapping for every door a token comes through (capture_links::Lookup → AppError)
    assert_eq!(consent("cap_nope".into(), "2026-11-26").await.0, 401);
    assert_eq!(consent(token.clone(), "").await.0, 400);
    let (status, body) = consent(token.clone(), app::capture::CONSENT_VERSION).await;
    assert_eq!(status, 200, "{body}");

    let form = crate::common::media_form("seq_obama.webm", "id_obama.jpg")
        .text("capture_token", token.clone());
    let r = app.submit(form).await;
    assert_eq!(r.status().as_u16(), 200);
    let v: serde_json::Value = r.json().await.unwrap();
    let check = app
        .stored_check(&p.partner_id, v["check_id"].as_str().unwrap())
        .await;
    assert_eq!(
        check.consent_version.as_deref(),
        Some(app::capture::CONSENT_VERSION)
    );
    let at = check.consented_at.expect("the consent time");
    assert!(at <= check.created_at);

    // the partner API shows it; a used link takes no more consent
    let r = app
        .client
        .get(app.url(&format!("/v1/checks/{}", check.id)))
        .bearer_auth(&p.secret_key)
        .send()
        .await
        .unwrap();
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["consent"]["version"], app::capture::CONSENT_VERSION);
    let (status, body) = consent(token, app::capture::CONSENT_VERSION).await;
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("already used"));
}

#[tokio::test]
async fn the_open_page_renews_its_token_up_to_a_fixed_lifetime() {
    let app = crate::common::spawn_app_with(&[("IDV_CAPTURE_TOKEN_TTL", "10m")]).await;
    let p = app.partner("Renew").await;
    let html = app
        .client
        .get(app.url(&format!("/verif/?api_key={}&user_identifier=u", p.api_key)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = token_in(&html);
    let hash = app::server::crypto::sha256_hex(token.as_bytes());
    let now = app::server::db::now_ms();
    let set = |created: i64, expires: i64| {
        let (db, hash) = (app.state.db.clone(), hash.clone());
        async move {
            sqlx::query(
                "UPDATE capture_sessions SET created_at = $1, expires_at = $2 WHERE token_hash = $3",
            )
            .bind(created)
            .bind(expires)
            .bind(hash)
            .execute(&db.pool)
            .await
            .unwrap();
        }
    };
    let renew = |token: String| {
        let req = app
            .client
            .post(app.url("/api/renew_capture_token"))
            .form(&[("capture_token", token)]);
        async move {
            let r = req.send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    // about to expire: pushed to ten minutes from now
    set(now - 60_000, now + 10_000).await;
    let (status, body) = renew(token.clone()).await;
    assert_eq!(status, 200, "{body}");
    let expiry: i64 = body.parse().unwrap();
    assert!(
        (now + 590_000..now + 620_000).contains(&expiry),
        "{expiry} vs {now}"
    );
    // never past two hours after it was made
    let created = now - 2 * 3600 * 1000 + 20_000;
    set(created, now + 10_000).await;
    let (_, body) = renew(token.clone()).await;
    assert_eq!(body.parse::<i64>().unwrap(), created + 2 * 3600 * 1000);
    // expired is expired
    set(now - 60_000, now - 1).await;
    let (status, body) = renew(token).await;
    assert_eq!(status, 410, "{body}");

    // a partner API session keeps the expiry the partner chose
    let r: serde_json::Value = app
        .client
        .post(app.url("/v1/sessions"))
        .bearer_auth(&p.secret_key)
        .json(&serde_json::json!({"user_identifier": "u2", "expires_in": 120}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = r["url"].as_str().unwrap();
    let v1_token = url.split("session=").nth(1).unwrap().to_string();
    let (_, before) = renew(v1_token.clone()).await;
    let (status, after) = renew(v1_token).await;
    assert_eq!(status, 200);
    assert_eq!(before, after);
}
