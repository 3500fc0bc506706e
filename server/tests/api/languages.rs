//! The capture page's language: the browser's `Accept-Language`, the `locale` of the page's
//! address and of `POST /v1/sessions`, the partner's default; the guide's messages stay English.

use crate::common::{TestApp, spawn_app};
use crate::v1::post_session;
use app::server::partners;

/// The page at `path_and_query` as a browser with `accept_language` gets it: its `<html>`
/// opening tag and the whole document.
async fn page(
    app: &TestApp,
    path_and_query: &str,
    accept_language: Option<&str>,
) -> (u16, String, String) {
    let mut req = app
        .client
        .get(app.url(path_and_query))
        .header("accept", "text/html");
    if let Some(l) = accept_language {
        req = req.header("accept-language", l);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let html = r.text().await.unwrap();
    let open = html
        .find("<html")
        .map(|i| html[i..].split('>').next().unwrap_or("").to_string())
        .unwrap_or_default();
    (status, open, html)
}

#[tokio::test]
async fn the_browser_languages_choose_and_locale_overrides() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    let q = format!("/verif/?api_key={}&user_identifier=u1", p.api_key);

    // no preference: English
    let (s, html_tag, html) = page(&app, &q, None).await;
    assert_eq!(s, 200);
    assert!(
        html_tag.contains(r#"lang="en""#) && html_tag.contains(r#"dir="ltr""#),
        "{html_tag}"
    );
    assert!(html.contains("Verify your identity"));

    // the browser's list, best supported first: German
    let (_, html_tag, html) = page(&app, &q, Some("xx-YY, de-AT;q=0.9, en;q=0.5")).await;
    assert!(html_tag.contains(r#"lang="de""#), "{html_tag}");
    assert!(
        html.contains("Bestätigen Sie Ihre Identität"),
        "German consent title"
    );
    assert!(!html.contains("Verify your identity"));

    // `locale` on the address wins over the browser; Arabic runs right to left
    let (_, html_tag, html) = page(&app, &format!("{q}&locale=ar"), Some("de")).await;
    assert!(
        html_tag.contains(r#"lang="ar""#) && html_tag.contains(r#"dir="rtl""#),
        "{html_tag}"
    );
    assert!(html.contains("التحقق من هويتك"), "Arabic consent title");

    // a regional tag picks its language; an unknown one leaves the browser's choice
    let (_, html_tag, _) = page(&app, &format!("{q}&locale=pt"), None).await;
    assert!(html_tag.contains(r#"lang="pt-BR""#), "{html_tag}");
    let (_, html_tag, _) = page(&app, &format!("{q}&locale=tlh"), Some("es-MX")).await;
    assert!(html_tag.contains(r#"lang="es""#), "{html_tag}");

    // the guide's error messages stay in English; the page around them is the user's
    let (s, html_tag, html) = page(
        &app,
        "/verif/?api_key=nope&user_identifier=u1",
        Some("fr-FR"),
    )
    .await;
    assert_eq!(s, 401);
    assert!(html_tag.contains(r#"lang="fr""#), "{html_tag}");
    assert!(
        html.contains("Invalid API key"),
        "the guide's message, unchanged"
    );
    assert!(
        html.contains("<h1>Vérification indisponible</h1>"),
        "{html}"
    );
}

#[tokio::test]
async fn a_session_link_carries_its_locale_and_bad_ones_are_refused() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    let (s, v) = post_session(
        &app,
        &p.secret_key,
        serde_json::json!({"user_identifier": "u-fr", "locale": "fr-CA"}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let url = v["url"].as_str().unwrap();
    let path = &url[url.find("/verif/").unwrap()..];
    // the link's language beats the browser's
    let (s, html_tag, html) = page(&app, path, Some("de")).await;
    assert_eq!(s, 200);
    assert!(html_tag.contains(r#"lang="fr""#), "{html_tag}");
    assert!(html.contains("Vérifiez votre identité"));

    for bad in [
        serde_json::json!("klingon"),
        serde_json::json!(""),
        serde_json::json!(7),
        serde_json::json!("x".repeat(300)),
    ] {
        let (s, v) = post_session(
            &app,
            &p.secret_key,
            serde_json::json!({"user_identifier": "u", "locale": bad}),
        )
        .await;
        assert_eq!(s, 400, "{bad}: {v}");
        assert_eq!(v["success"], false);
        assert!(v["error"].as_str().unwrap().contains("locale"), "{v}");
    }
}

#[tokio::test]
async fn the_partners_default_applies_when_the_browser_names_no_page_language() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    let op = app::server::audit::Actor::Operator;
    let updated = partners::update(
        &app.state.db,
        &p.partner_id,
        partners::PartnerUpdate {
            default_locale: Some("pt-br".into()),
            help_url: Some("https://help.acme.example/camera".into()),
            ..Default::default()
        },
        &op,
    )
    .await
    .unwrap();
    assert_eq!(updated.default_locale.as_deref(), Some("pt-BR"));
    let q = format!("/verif/?api_key={}&user_identifier=u1", p.api_key);
    let (_, html_tag, html) = page(&app, &q, Some("xx, yy")).await;
    assert!(html_tag.contains(r#"lang="pt-BR""#), "{html_tag}");
    assert!(
        html.contains("https://help.acme.example/camera"),
        "the help link is offered"
    );
    // a browser language the page has still comes first
    let (_, html_tag, _) = page(&app, &q, Some("it-IT")).await;
    assert!(html_tag.contains(r#"lang="it""#), "{html_tag}");

    // an unsupported default is refused, naming the field; empty clears it
    let e = partners::update(
        &app.state.db,
        &p.partner_id,
        partners::PartnerUpdate {
            default_locale: Some("klingon".into()),
            ..Default::default()
        },
        &op,
    )
    .await
    .unwrap_err();
    assert!(e.to_string().contains("locale"), "{e}");
    let cleared = partners::update(
        &app.state.db,
        &p.partner_id,
        partners::PartnerUpdate {
            default_locale: Some(String::new()),
            ..Default::default()
        },
        &op,
    )
    .await
    .unwrap();
    assert_eq!(cleared.default_locale, None);
}
