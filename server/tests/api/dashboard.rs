//! The partner dashboard over real HTTP: sign-in and its cookie, CSRF and origin checks, two
//! partners kept apart, live and test kept apart, review and redelivery from the dashboard, the
//! audit log (and that it cannot be changed).

use crate::common::{TestApp, seed_checks, spawn_app};
use reqwest::{StatusCode, header};

/// A browser-like session: no automatic redirects, the cookie kept by hand.
pub(crate) struct Browser<'a> {
    app: &'a TestApp,
    http: reqwest::Client,
    cookie: Option<String>,
}

impl<'a> Browser<'a> {
    pub(crate) fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookie: None,
        }
    }

    pub(crate) async fn sign_in(&mut self, key: &str) -> reqwest::Response {
        let r = self
            .http
            .post(self.app.url("/dashboard/sign-in"))
            .form(&[("api_key", key)])
            .send()
            .await
            .unwrap();
        if let Some(c) = r.headers().get(header::SET_COOKIE) {
            self.cookie = Some(c.to_str().unwrap().split(';').next().unwrap().to_string());
        }
        r
    }

    pub(crate) async fn get(&self, path: &str) -> (StatusCode, String) {
        let mut req = self.http.get(self.app.url(path));
        if let Some(c) = &self.cookie {
            req = req.header(header::COOKIE, c);
        }
        let r = req.send().await.unwrap();
        (r.status(), r.text().await.unwrap())
    }

    pub(crate) async fn post(
        &self,
        path: &str,
        form: &[(&str, &str)],
        origin: Option<&str>,
    ) -> (StatusCode, String) {
        let mut req = self.http.post(self.app.url(path)).form(form);
        if let Some(c) = &self.cookie {
            req = req.header(header::COOKIE, c);
        }
        if let Some(o) = origin {
            req = req.header(header::ORIGIN, o);
        }
        let r = req.send().await.unwrap();
        let status = r.status();
        let loc = r
            .headers()
            .get(header::LOCATION)
            .map(|l| l.to_str().unwrap().to_string());
        (status, loc.unwrap_or(r.text().await.unwrap()))
    }

    /// The CSRF token in a signed-in page.
    pub(crate) async fn csrf(&self) -> String {
        let (_, html) = self.get("/dashboard/checks").await;
        let at = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
        html[at..].split('"').next().unwrap().to_string()
    }
}

async fn audit_actions(app: &TestApp, partner_id: &str) -> Vec<String> {
    app::server::audit::list(&app.state.db, partner_id, true, None, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

#[tokio::test]
async fn sign_in_gives_a_strict_cookie_and_every_page_needs_it() {
    let app = spawn_app().await;
    let a = app.partner("Acme").await;
    let mut b = Browser::new(&app);
    let (status, _) = b.get("/dashboard/checks").await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    let r = b.sign_in("idv_live_wrong").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.unwrap().contains("Invalid API key"));
    assert!(b.cookie.is_none());

    let r = b.sign_in(&a.secret_key).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let set = r.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_string();
    for part in ["HttpOnly", "SameSite=Strict", "Path=/dashboard"] {
        assert!(set.contains(part), "{set}");
    }
    assert!(!set.contains("Secure"), "plain http here: {set}");
    assert!(!set.contains(&a.secret_key));

    for page in [
        "/dashboard/checks",
        "/dashboard/review",
        "/dashboard/webhooks",
        "/dashboard/settings",
        "/dashboard/audit",
    ] {
        let (status, html) = b.get(page).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(html.contains("Acme"), "{page}");
        assert!(
            !html.contains(&a.api_key) && !html.contains(&a.secret_key),
            "{page} shows a key"
        );
    }
    // sign-out ends the session for good
    let csrf = b.csrf().await;
    let (status, loc) = b
        .post("/dashboard/sign-out", &[("csrf", &csrf)], None)
        .await;
    assert_eq!(
        (status, loc.as_str()),
        (StatusCode::SEE_OTHER, "/dashboard/sign-in")
    );
    assert_eq!(b.get("/dashboard/checks").await.0, StatusCode::SEE_OTHER);
    let actions = audit_actions(&app, &a.partner_id).await;
    assert!(actions.contains(&"dashboard.signed_in".to_string()));
    assert!(actions.contains(&"dashboard.signed_out".to_string()));
}

#[tokio::test]
async fn a_partner_sees_and_touches_only_its_own_checks_of_its_own_mode() {
    let app = spawn_app().await;
    let a = app.partner("Acme").await;
    let other = app.partner("Other").await;
    let ids = seed_checks(&app.state.db, &a.partner_id, 2).await;

    let mut alice = Browser::new(&app);
    alice.sign_in(&a.secret_key).await;
    let (_, html) = alice.get("/dashboard/checks").await;
    for id in &ids {
        assert!(html.contains(id.as_str()));
    }
    let (status, html) = alice.get(&format!("/dashboard/checks/{}", ids[0])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"id-photo\""), "the ID photo is shown");

    // another partner: 404 for reading and for every action, and nothing changes
    let mut bob = Browser::new(&app);
    bob.sign_in(&other.secret_key).await;
    let (_, html) = bob.get("/dashboard/checks").await;
    assert!(!html.contains(ids[0].as_str()));
    assert_eq!(
        bob.get(&format!("/dashboard/checks/{}", ids[0])).await.0,
        StatusCode::NOT_FOUND
    );
    let csrf = bob.csrf().await;
    for action in ["redeliver", "review", "redact"] {
        let (status, _) = bob
            .post(
                &format!("/dashboard/checks/{}/{action}", ids[0]),
                &[
                    ("csrf", &csrf),
                    ("decision", "verified"),
                    ("confirm", "yes"),
                ],
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{action}");
    }
    let c = app.stored_check(&a.partner_id, &ids[0]).await;
    assert!(c.redacted_at.is_none());

    // the same partner's test key sees test checks only
    let mut tester = Browser::new(&app);
    tester.sign_in(&a.test_secret_key).await;
    let (_, html) = tester.get("/dashboard/checks").await;
    assert!(html.contains("Test mode"));
    assert!(!html.contains(ids[0].as_str()));
    assert_eq!(
        tester.get(&format!("/dashboard/checks/{}", ids[0])).await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn actions_need_the_csrf_token_and_this_origin() {
    let app = spawn_app().await;
    let a = app.partner("Acme").await;
    let ids = seed_checks(&app.state.db, &a.partner_id, 1).await;
    let mut b = Browser::new(&app);
    b.sign_in(&a.secret_key).await;
    let csrf = b.csrf().await;
    let path = format!("/dashboard/checks/{}/redeliver", ids[0]);
    assert_eq!(
        b.post(&path, &[("csrf", "forged")], None).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        b.post(&path, &[("csrf", &csrf)], Some("https://evil.example"))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let ours = app.url("");
    let ours = ours.trim_end_matches('/');
    let (status, loc) = b.post(&path, &[("csrf", &csrf)], Some(ours)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // browsers that say where a request comes from: only this site's own pages
    let cross = b
        .http
        .post(app.url(&path))
        .header(header::COOKIE, b.cookie.clone().unwrap())
        .header("sec-fetch-site", "cross-site")
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), StatusCode::FORBIDDEN);
    assert!(loc.ends_with("?notice=redelivered"));
    // a sign-in posted from another site is refused too
    let r = reqwest::Client::new()
        .post(app.url("/dashboard/sign-in"))
        .header(header::ORIGIN, "https://evil.example")
        .form(&[("api_key", a.secret_key.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn review_and_redelivery_from_the_dashboard_are_audited_and_send_webhooks() {
    let app = spawn_app().await;
    let a = app.partner("Acme").await;
    let ids = seed_checks(&app.state.db, &a.partner_id, 1).await;
    sqlx::query("UPDATE checks SET status = 'review' WHERE id = $1")
        .bind(&ids[0])
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let mut b = Browser::new(&app);
    b.sign_in(&a.secret_key).await;
    let (_, queue) = b.get("/dashboard/review").await;
    assert!(queue.contains(ids[0].as_str()));
    let (_, html) = b.get(&format!("/dashboard/checks/{}", ids[0])).await;
    assert!(html.contains("id=\"approve\""));
    let csrf = b.csrf().await;
    let (status, loc) = b
        .post(
            &format!("/dashboard/checks/{}/review", ids[0]),
            &[
                ("csrf", &csrf),
                ("decision", "verified"),
                ("note", "passport checked by hand"),
            ],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{loc}");
    let c = app.stored_check(&a.partner_id, &ids[0]).await;
    assert_eq!(c.status.as_str(), "verified");
    assert_eq!(c.review_note.as_deref(), Some("passport checked by hand"));
    let events: Vec<String> = sqlx::query_scalar(
        "SELECT event_type FROM webhook_deliveries WHERE check_id = $1 ORDER BY created_at",
    )
    .bind(&ids[0])
    .fetch_all(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(events, ["verification.completed", "verification.reviewed"]);
    // a second decision is refused
    let (status, _) = b
        .post(
            &format!("/dashboard/checks/{}/review", ids[0]),
            &[("csrf", &csrf), ("decision", "rejected")],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    let (_, csv) = b.get("/dashboard/checks/export.csv?status=verified").await;
    assert!(csv.starts_with("check_id,user_identifier,status"));
    assert!(csv.contains(ids[0].as_str()));

    let entries = app::server::audit::list(&app.state.db, &a.partner_id, true, None, 100)
        .await
        .unwrap();
    let find = |action: &str| {
        entries
            .iter()
            .find(|e| e.action == action)
            .unwrap_or_else(|| panic!("{action} not in {entries:?}"))
    };
    assert!(
        find("check.images_viewed")
            .actor
            .starts_with("dashboard session ds_")
    );
    assert_eq!(
        find("check.reviewed").detail.as_deref(),
        Some("decision: verified")
    );
    assert!(
        find("checks.exported")
            .detail
            .as_deref()
            .unwrap()
            .starts_with("1 checks")
    );
    // the page shows the log
    let (_, page) = b.get("/dashboard/audit").await;
    assert!(page.contains("check.reviewed"));
}

#[tokio::test]
async fn the_audit_log_cannot_be_changed() {
    let app = spawn_app().await;
    let a = app.partner("Acme").await;
    let mut b = Browser::new(&app);
    b.sign_in(&a.secret_key).await;
    assert!(!audit_actions(&app, &a.partner_id).await.is_empty());
    let upd = sqlx::query("UPDATE audit_log SET actor = 'someone else'")
        .execute(&app.state.db.pool)
        .await;
    assert!(upd.unwrap_err().to_string().contains("append-only"));
    let del = sqlx::query("DELETE FROM audit_log")
        .execute(&app.state.db.pool)
        .await;
    assert!(del.unwrap_err().to_string().contains("append-only"));
    assert!(!audit_actions(&app, &a.partner_id).await.is_empty());
}

#[tokio::test]
async fn settings_are_validated_and_a_rotated_key_is_shown_once() {
    let app = spawn_app().await;
    let a = app.partner("Acme").await;
    let mut b = Browser::new(&app);
    b.sign_in(&a.secret_key).await;
    let csrf = b.csrf().await;
    let form = |primary: &'static str, origins: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("display_name", "Acme Savings".to_string()),
            ("primary_color", primary.to_string()),
            ("accent_color", "#f2a541".to_string()),
            ("logo_url", String::new()),
            ("webhook_url", String::new()),
            ("allowed_origins", origins.to_string()),
        ]
    };
    let send = |f: Vec<(&'static str, String)>| {
        let b = &b;
        async move {
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            b.post("/dashboard/settings", &pairs, None).await
        }
    };
    let (status, html) = send(form("red", "")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("primary_color"), "{html}");
    let (status, _) = send(form(
        "#112233",
        "https://shop.example\nhttp://127.0.0.1:9000",
    ))
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let p = app::server::partners::get(&app.state.db, &a.partner_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(p.theme.display_name, "Acme Savings");
    assert_eq!(p.theme.primary_color, "#112233");
    assert_eq!(
        p.live.allowed_origins,
        ["https://shop.example", "http://127.0.0.1:9000"]
    );
    let (status, preview) = b
        .get("/dashboard/preview?display_name=Shown&primary_color=%23aa0000")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(preview.contains("Shown") && preview.contains("--primary:#aa0000"));

    // rotating asks for the current secret key again
    let (status, _) = b
        .post(
            "/dashboard/settings/rotate-key",
            &[
                ("csrf", &csrf),
                ("kind", "capture"),
                ("current_secret_key", "idv_sk_live_wrong"),
            ],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, html) = b
        .post(
            "/dashboard/settings/rotate-key",
            &[
                ("csrf", &csrf),
                ("kind", "capture"),
                ("current_secret_key", &a.secret_key),
            ],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let at = html.find("idv_live_").expect("the new key on the page");
    let new_key: String = html[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    assert_ne!(new_key, a.api_key);
    assert!(
        app::server::partners::authenticate(
            &app.state.db,
            &new_key,
            app::server::partners::KeyKind::Capture
        )
        .await
        .unwrap()
        .is_ok()
    );
    let (_, again) = b.get("/dashboard/settings").await;
    assert!(!again.contains(&new_key), "shown once only");
    let actions = audit_actions(&app, &a.partner_id).await;
    assert!(actions.contains(&"api_key.rotated".to_string()));
    assert!(actions.contains(&"settings.updated".to_string()));
}
