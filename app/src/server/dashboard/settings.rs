//! The settings page: theme and per-mode settings, the live preview, and the rotations of
//! keys and webhook secrets.

use super::*;

pub(super) fn settings_form(p: &Partner, mode: KeyMode) -> SettingsForm {
    let m = p.settings(mode);
    SettingsForm {
        display_name: p.theme.display_name.clone(),
        primary_color: p.theme.primary_color.clone(),
        accent_color: p.theme.accent_color.clone(),
        logo_url: p.theme.logo_url.clone().unwrap_or_default(),
        webhook_url: m.webhook_url.clone().unwrap_or_default(),
        allowed_origins: m.allowed_origins.join("\n"),
    }
}

pub(super) async fn settings_page(s: Login, Query(n): Query<NoticeQuery>) -> Html<String> {
    Html(pages::settings(
        s.nav("settings"),
        settings_form(&s.partner, s.mode()),
        None,
        notice_text(n.notice.as_deref()),
        None,
    ))
}

/// The settings form. The theme fields are the partner's (live users see them): a test-mode
/// session's form has none, and a test-mode request carrying them is refused.
#[derive(Deserialize)]
pub(super) struct SettingsInput {
    pub(super) csrf: String,
    pub(super) display_name: Option<String>,
    pub(super) primary_color: Option<String>,
    pub(super) accent_color: Option<String>,
    pub(super) logo_url: Option<String>,
    pub(super) webhook_url: String,
    pub(super) allowed_origins: String,
}

impl CsrfProtected for SettingsInput {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

pub(super) const TEST_MODE_LIVE_SETTINGS: &str = "A test-mode session cannot change live settings (the theme live users see); sign in with a live secret key";

pub(super) async fn save_settings(
    State(state): State<AppState>,
    Guarded { login: s, form: f }: Guarded<SettingsInput>,
) -> DashResult {
    let origins: Vec<String> = f
        .allowed_origins
        .lines()
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(str::to_string)
        .collect();
    let current = settings_form(&s.partner, s.mode());
    let form = SettingsForm {
        display_name: f.display_name.clone().unwrap_or(current.display_name),
        primary_color: f.primary_color.clone().unwrap_or(current.primary_color),
        accent_color: f.accent_color.clone().unwrap_or(current.accent_color),
        logo_url: f.logo_url.clone().unwrap_or(current.logo_url),
        webhook_url: f.webhook_url.clone(),
        allowed_origins: f.allowed_origins.clone(),
    };
    let upd = partners::PartnerUpdate {
        display_name: f.display_name,
        primary_color: f.primary_color,
        accent_color: f.accent_color,
        logo_url: f.logo_url,
        mode: s.mode(),
        webhook_url: Some(f.webhook_url),
        allowed_origins: Some(origins),
        ..Default::default()
    };
    if !s.livemode && upd.touches_partner_wide() {
        return Err(AppError::Forbidden(TEST_MODE_LIVE_SETTINGS.into()).into());
    }
    match partners::update(&state.db, &s.partner.id, upd, &s.actor()).await {
        Ok(_) => Ok(Redirect::to("/dashboard/settings?notice=saved").into_response()),
        Err(partners::PartnerError::Invalid(e)) => Ok((
            StatusCode::BAD_REQUEST,
            Html(pages::settings(
                s.nav("settings"),
                form,
                None,
                None,
                Some(e.to_string()),
            )),
        )
            .into_response()),
        Err(e) => Err(AppError::internal("saving partner settings", e).into()),
    }
}

/// A rotation: the current secret key again (a stolen session alone cannot rotate), and how
/// the old key goes.
#[derive(Deserialize)]
pub(super) struct RotateInput {
    pub(super) csrf: String,
    pub(super) current_secret_key: String,
    /// `capture` or `secret` (key rotations).
    pub(super) kind: Option<String>,
    /// Present: the old key fails at once (a leaked key).
    pub(super) revoke_now: Option<String>,
}

impl CsrfProtected for RotateInput {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// Checks the re-entered secret key: it must be a working secret key of this session's
/// partner and mode.
pub(super) async fn confirm_secret_key(
    state: &AppState,
    s: &Login,
    presented: &str,
) -> Result<Option<Response>, DashError> {
    let ok = match partners::authenticate(&state.db, presented, KeyKind::Secret).await? {
        Ok(a) => a.partner.id == s.partner.id && a.mode == s.mode(),
        Err(_) => false,
    };
    if ok {
        return Ok(None);
    }
    Ok(Some(
        (
            StatusCode::UNAUTHORIZED,
            Html(pages::settings(
                s.nav("settings"),
                settings_form(&s.partner, s.mode()),
                None,
                None,
                Some(format!(
                    "Enter this account's current {} secret key to rotate a key or secret.",
                    s.mode().as_str()
                )),
            )),
        )
            .into_response(),
    ))
}

/// `POST /dashboard/settings/rotate-key` and `…/rotate-webhook-secret`: one guarded door (session,
/// CSRF, and the mode's current secret key typed again) for the rotations.
pub(super) async fn rotate(
    State(state): State<AppState>,
    Path(what): Path<String>,
    Guarded { login: s, form: f }: Guarded<RotateInput>,
) -> DashResult {
    if let Some(refusal) = confirm_secret_key(&state, &s, &f.current_secret_key).await? {
        return Ok(refusal);
    }
    match what.as_str() {
        "rotate-key" => rotate_key(&state, &s, &f).await,
        "rotate-webhook-secret" => rotate_secret(&state, &s).await,
        _ => Err(AppError::NotFound("No such action".into()).into()),
    }
}

pub(super) async fn rotate_key(state: &AppState, s: &Login, f: &RotateInput) -> DashResult {
    let kind = f
        .kind
        .as_deref()
        .and_then(KeyKind::parse)
        .ok_or_else(|| AppError::bad_request("kind must be capture or secret"))?;
    let grace = state.config.key_rotation_grace;
    let retire = if f.revoke_now.is_some() {
        partners::Retire::Now
    } else {
        partners::Retire::After(grace)
    };
    let key = partners::rotate_key(&state.db, &s.partner.id, kind, s.mode(), retire, &s.actor())
        .await
        .map_err(|e| AppError::internal("rotating the API key", e))?;
    let old = match retire {
        partners::Retire::Now => "The previous one stopped working now.".to_string(),
        partners::Retire::After(g) => format!(
            "The previous one keeps working for {}.",
            humantime::format_duration(g)
        ),
    };
    let ends_session = kind == KeyKind::Secret && retire == partners::Retire::Now;
    let notice = format!(
        "New {} {} key issued. {old}{}",
        s.mode().as_str(),
        kind.as_str(),
        if ends_session {
            " This session was opened with the revoked key: sign in again with the new one."
        } else {
            ""
        }
    );
    let label = match kind {
        KeyKind::Capture => "Your new capture key",
        KeyKind::Secret => "Your new secret key",
    };
    Ok(shown_once(s, label, key, notice))
}

/// The settings page showing a new key or secret, once (never cached: see `secure_headers`).
pub(super) fn shown_once(
    s: &Login,
    label: &'static str,
    value: String,
    notice: String,
) -> Response {
    Html(pages::settings(
        s.nav("settings"),
        settings_form(&s.partner, s.mode()),
        Some((label, value)),
        Some(notice),
        None,
    ))
    .into_response()
}

pub(super) async fn rotate_secret(state: &AppState, s: &Login) -> DashResult {
    let grace = state.config.key_rotation_grace;
    let secret = partners::rotate_webhook_secret(
        &state.db,
        &state.master_key,
        &s.partner.id,
        s.mode(),
        grace,
        &s.actor(),
    )
    .await
    .map_err(|e| AppError::internal("rotating the webhook secret", e))?;
    let notice = format!(
        "New {} webhook secret issued. Webhooks carry a signature with the previous one too for {}.",
        s.mode().as_str(),
        humantime::format_duration(grace)
    );
    Ok(shown_once(s, "Your new webhook secret", secret, notice))
}

#[derive(Deserialize)]
pub(super) struct PreviewQuery {
    pub(super) display_name: Option<String>,
    pub(super) primary_color: Option<String>,
    pub(super) accent_color: Option<String>,
    pub(super) logo_url: Option<String>,
}

/// The themed first screen with unsaved values, for the settings page's preview frame.
pub(super) async fn preview(s: Login, Query(q): Query<PreviewQuery>) -> Response {
    let color = |v: Option<String>, current: &str| {
        v.filter(|c| crate::theme::parse_hex(c).is_some())
            .unwrap_or_else(|| current.to_string())
    };
    let theme = Theme {
        display_name: q
            .display_name
            .map(|d| d.trim().chars().take(100).collect::<String>())
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| s.partner.theme.display_name.clone()),
        primary_color: color(q.primary_color, &s.partner.theme.primary_color),
        accent_color: color(q.accent_color, &s.partner.theme.accent_color),
        logo_url: q
            .logo_url
            .filter(|u| u.starts_with("https://") || u.starts_with("http://")),
    };
    let mut resp = Html(pages::preview(theme)).into_response();
    resp.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' http: https: data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'self'",
        ),
    );
    resp
}
