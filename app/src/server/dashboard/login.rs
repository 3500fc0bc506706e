//! Dashboard logins: sign-in with a secret key, the session cookie, sign-out, and the guard
//! (login, origin, CSRF) every state-changing POST passes.

use super::*;

/// A dashboard login: a partner signed in with a secret key, in that key's mode.
#[derive(Debug, Clone)]
pub struct Login {
    pub id: String,
    pub partner: Partner,
    pub livemode: bool,
    pub csrf: String,
}

impl Login {
    pub(super) fn mode(&self) -> KeyMode {
        KeyMode::from_livemode(self.livemode)
    }
    pub(super) fn actor(&self) -> Actor {
        Actor::Dashboard {
            session: self.id.clone(),
        }
    }
    pub(super) fn nav(&self, active: &'static str) -> Nav {
        Nav {
            partner_name: self.partner.theme.display_name.clone(),
            livemode: self.livemode,
            csrf: self.csrf.clone(),
            active,
        }
    }
}

/// The session cookie's name: `__Host-` over https.
pub(super) fn cookie_name(state: &AppState) -> &'static str {
    if state.config.public_url.scheme() == "https" {
        HOST_COOKIE
    } else {
        COOKIE
    }
}

pub(super) fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| {
            c.trim()
                .strip_prefix(&format!("{name}="))
                .map(str::to_string)
        })
        .next()
}

pub(super) async fn find_login(db: &Db, token: &str) -> Result<Option<Login>, sqlx::Error> {
    // the key that opened it must still work: a revoked or rotated-out key ends its sessions
    let row = sqlx::query(
        "SELECT s.id, s.partner_id, s.livemode, s.csrf_token FROM dashboard_sessions s \
         JOIN api_keys k ON k.id = s.api_key_id \
         WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 \
           AND (k.expires_at IS NULL OR k.expires_at > $2)",
    )
    .bind(sha256_hex(token.as_bytes()))
    .bind(now_ms())
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let partner_id: String = row.try_get("partner_id")?;
    let Some(partner) = partners::get(db, &partner_id)
        .await?
        .filter(|p| !p.disabled)
    else {
        return Ok(None);
    };
    Ok(Some(Login {
        id: row.try_get("id")?,
        partner,
        livemode: row.try_get::<i16, _>("livemode")? != 0,
        csrf: row.try_get("csrf_token")?,
    }))
}

/// Not signed in: back to the sign-in page.
pub struct SignIn;

impl IntoResponse for SignIn {
    fn into_response(self) -> Response {
        Redirect::to("/dashboard/sign-in").into_response()
    }
}

impl FromRequestParts<AppState> for Login {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Some(token) = cookie_value(&parts.headers, cookie_name(state)) else {
            return Err(SignIn.into_response());
        };
        match find_login(&state.db, &token).await {
            Ok(Some(s)) => Ok(s),
            Ok(None) => Err(SignIn.into_response()),
            Err(e) => Err(AppError::from(e).into_response()),
        }
    }
}

/// A form a state-changing dashboard request posts: it carries the login's CSRF token.
pub(super) trait CsrfProtected {
    fn csrf(&self) -> &str;
}

/// A dashboard POST that passed the guard: a login, this origin (when the browser names it),
/// and the login's CSRF token in the form. Handlers that change anything take it, so none can
/// forget the check.
pub(super) struct Guarded<F> {
    pub(super) login: Login,
    pub(super) form: F,
}

impl<F> axum::extract::FromRequest<AppState> for Guarded<F>
where
    F: serde::de::DeserializeOwned + CsrfProtected + Send,
{
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let login = Login::from_request_parts(&mut parts, state).await?;
        let headers = parts.headers.clone();
        let req = axum::extract::Request::from_parts(parts, body);
        let Form(form) = Form::<F>::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        guard(&login, &headers, state, form.csrf()).map_err(IntoResponse::into_response)?;
        Ok(Self { login, form })
    }
}

/// A POST must carry the session's CSRF token and, when the browser names it, come from this
/// origin.
pub(super) fn guard(
    s: &Login,
    headers: &HeaderMap,
    state: &AppState,
    csrf: &str,
) -> Result<(), DashError> {
    use subtle::ConstantTimeEq;
    if !same_origin(headers, state) || !bool::from(s.csrf.as_bytes().ct_eq(csrf.as_bytes())) {
        return Err(DashError::Refused);
    }
    Ok(())
}

/// What a dashboard request can end in besides its page.
pub enum DashError {
    /// CSRF token or origin wrong: 403.
    Refused,
    /// Not this partner's (or this mode's) check: 404.
    NotFound,
    App(AppError),
}

impl<E: Into<AppError>> From<E> for DashError {
    fn from(e: E) -> Self {
        DashError::App(e.into())
    }
}

impl IntoResponse for DashError {
    fn into_response(self) -> Response {
        match self {
            DashError::Refused => (StatusCode::FORBIDDEN, Html(forbidden())).into_response(),
            DashError::NotFound => (
                StatusCode::NOT_FOUND,
                Html(pages::message("Not found", "Check not found.")),
            )
                .into_response(),
            DashError::App(e) => {
                let status = e.status();
                let msg = e.public_message();
                // logs internal errors the same way as the API
                let _ = e.into_response();
                (status, Html(pages::message("Something went wrong", msg))).into_response()
            }
        }
    }
}

pub(super) type DashResult = Result<Response, DashError>;

/// Whether a POST comes from this site: `Sec-Fetch-Site` where the browser sends it, else the
/// `Origin` header (a request with neither is let through: the CSRF token and the SameSite
/// cookie still hold).
pub(super) fn same_origin(headers: &HeaderMap, state: &AppState) -> bool {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site") {
        return matches!(site, "same-origin" | "none");
    }
    let Some(origin) = header("origin").filter(|o| *o != "null") else {
        return true;
    };
    let ours = state.config.public_url.origin().ascii_serialization();
    let host = header("host").map(|h| format!("{}://{h}", state.config.public_url.scheme()));
    origin == ours || Some(origin) == host.as_deref()
}

pub(super) fn forbidden() -> String {
    pages::message(
        "Refused",
        "This action was refused: the form is stale or came from another site. Go back, reload the page and try again.",
    )
}

#[derive(Deserialize)]
pub(super) struct SignInForm {
    pub(super) api_key: String,
}

pub(super) async fn sign_in_page() -> Html<String> {
    Html(pages::sign_in(None))
}

pub(super) async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<SignInForm>,
) -> DashResult {
    if !same_origin(&headers, &state) {
        return Ok((StatusCode::FORBIDDEN, Html(forbidden())).into_response());
    }
    let auth = match partners::authenticate(&state.db, &f.api_key, KeyKind::Secret).await? {
        Ok(auth) => auth,
        Err(refused) => {
            let msg = match refused {
                partners::KeyRefused::WrongKind(_) => {
                    crate::contract::api_messages::SECRET_KEY_REQUIRED
                }
                partners::KeyRefused::Invalid => crate::contract::messages::INVALID_API_KEY,
            };
            return Ok((
                StatusCode::UNAUTHORIZED,
                Html(pages::sign_in(Some(msg.into()))),
            )
                .into_response());
        }
    };
    let token = B64URL.encode(random_bytes::<32>());
    let id = format!("ds_{}", hex::encode(random_bytes::<6>()));
    let livemode = auth.mode == KeyMode::Live;
    let now = now_ms();
    let mut tx = state.db.pool.begin().await?;
    sqlx::query(
        "INSERT INTO dashboard_sessions (id, token_hash, partner_id, livemode, csrf_token, created_at, expires_at, api_key_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(sha256_hex(token.as_bytes()))
    .bind(&auth.partner.id)
    .bind(i16::from(livemode))
    .bind(B64URL.encode(random_bytes::<32>()))
    .bind(now)
    .bind(now + SESSION_TTL.as_millis() as i64)
    .bind(&auth.key_id)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        audit::Entry::new(
            &auth.partner.id,
            &Actor::Dashboard {
                session: id.clone(),
            },
            Action::SignedIn,
        )
        .mode(livemode)
        .detail(format!("{} key", auth.mode.as_str())),
    )
    .await?;
    tx.commit().await?;
    let cookie = if state.config.public_url.scheme() == "https" {
        format!(
            "{HOST_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}; Secure",
            SESSION_TTL.as_secs()
        )
    } else {
        format!(
            "{COOKIE}={token}; Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age={}",
            SESSION_TTL.as_secs()
        )
    };
    let mut resp = Redirect::to("/dashboard/checks").into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(|e| AppError::internal("session cookie", e))?,
    );
    Ok(resp)
}

#[derive(Deserialize)]
pub(super) struct CsrfForm {
    pub(super) csrf: String,
}

impl CsrfProtected for CsrfForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// Deletes dashboard logins that expired or were revoked before `before` (epoch ms). Returns
/// how many.
pub async fn delete_ended_logins(db: &Db, before: i64) -> Result<u64, sqlx::Error> {
    Ok(
        sqlx::query("DELETE FROM dashboard_sessions WHERE expires_at < $1 OR revoked_at < $1")
            .bind(before)
            .execute(&db.pool)
            .await?
            .rows_affected(),
    )
}

pub(super) async fn sign_out(
    State(state): State<AppState>,
    Guarded { login: s, form: _ }: Guarded<CsrfForm>,
) -> DashResult {
    let mut tx = state.db.pool.begin().await?;
    sqlx::query("UPDATE dashboard_sessions SET revoked_at = $2 WHERE id = $1")
        .bind(&s.id)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut *tx,
        audit::Entry::new(&s.partner.id, &s.actor(), Action::SignedOut).mode(s.livemode),
    )
    .await?;
    tx.commit().await?;
    let mut resp = Redirect::to("/dashboard/sign-in").into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static(if cookie_name(&state) == HOST_COOKIE {
            "__Host-idv_dashboard=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure"
        } else {
            "idv_dashboard=; Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age=0"
        }),
    );
    Ok(resp)
}
