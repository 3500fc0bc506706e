//! Every server function, thin over the services in `server::`: the guide's submit, and the
//! capture page's consent, token renewal and texts. The page (`crate::capture`) calls them;
//! nothing here is the page's own.

use leptos::prelude::*;
use leptos::server_fn::codec::{MultipartData, MultipartFormData};

use crate::{contract::SubmitReply, i18n::PageText};

/// `POST /verif/submit` (exactly this path): the guide's submission endpoint, for the capture
/// page and for partners' servers alike. Errors are the guide's JSON envelope with the guide's
/// status codes, so the function always returns `Ok` and sets the status itself.
#[server(prefix = "/verif", endpoint = "submit", input = MultipartFormData)]
pub async fn submit(data: MultipartData) -> Result<SubmitReply, ServerFnError> {
    use crate::{
        contract::ErrorBody,
        server::{error::AppError, state::AppState, submission},
    };
    use axum::http::{HeaderValue, header};

    let state = expect_context::<AppState>();
    let response = expect_context::<leptos_axum::ResponseOptions>();
    // the guard in front checked the header already
    let key = use_context::<axum::http::request::Parts>()
        .map(|p| crate::server::idempotency::Key::of(&p.headers))
        .transpose()
        .map(Option::flatten);
    let result = match (data.into_inner(), key) {
        (_, Err(e)) => Err(e),
        (Some(mp), Ok(key)) => submission::submit(&state, mp, key).await,
        (None, _) => Err(AppError::bad_request("Request must be multipart/form-data")),
    };
    match result {
        Ok(submitted) => {
            if submitted.replayed {
                response.insert_header(
                    header::HeaderName::from_static(crate::server::idempotency::REPLAYED_HEADER),
                    HeaderValue::from_static("true"),
                );
            }
            Ok(SubmitReply::Ok(Box::new(submitted.success)))
        }
        Err(e) => {
            e.log();
            response.set_status(e.status());
            if let Some(secs) = e.retry_after() {
                response.insert_header(header::RETRY_AFTER, HeaderValue::from(secs));
            }
            Ok(match e.challenge_retry_body() {
                Some(body) => SubmitReply::Retry(Box::new(body)),
                None => SubmitReply::Err(ErrorBody::new(e.public_message())),
            })
        }
    }
}

/// Records the user's consent (this text's version, now) on the capture session.
#[server(prefix = "/api", endpoint = "give_consent")]
pub async fn give_consent(
    capture_token: String,
    consent_version: String,
) -> Result<(), ServerFnError> {
    use crate::server::{capture_links, error::AppError, state::AppState};
    let state = expect_context::<AppState>();
    if consent_version.is_empty() || consent_version.len() > 64 {
        return Err(refuse(AppError::bad_request(
            "consent_version is not valid",
        )));
    }
    match capture_links::record_consent(&state.db, &capture_token, &consent_version).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(lookup)) => Err(refuse(lookup.into())),
        Err(e) => Err(refuse(AppError::internal("recording consent", e))),
    }
}

/// The page's words in another language (the switcher, or the browser's languages when the
/// link did not choose one). Public text: no token needed.
#[server(prefix = "/api", endpoint = "capture_text")]
pub async fn capture_text(lang: u8) -> Result<PageText, ServerFnError> {
    if usize::from(lang) >= crate::i18n::LANGUAGES.len() {
        return Err(ServerFnError::new("unknown language"));
    }
    Ok(crate::server::i18n::text(usize::from(lang), true))
}

/// Keeps the open page's capture token alive (see `capture_links::renew`); returns its expiry
/// (epoch ms).
#[server(prefix = "/api", endpoint = "renew_capture_token")]
pub async fn renew_capture_token(capture_token: String) -> Result<i64, ServerFnError> {
    use crate::server::{capture_links, error::AppError, state::AppState};
    let state = expect_context::<AppState>();
    match capture_links::renew(&state.db, &capture_token, state.config.capture_token_ttl).await {
        Ok(Ok(expires_at)) => Ok(expires_at),
        Ok(Err(lookup)) => Err(refuse(lookup.into())),
        Err(e) => Err(refuse(AppError::internal("renewing a capture token", e))),
    }
}

/// A server function's refusal: the error's status on the response, its message for the page.
/// The statuses and messages are the service's own (`AppError`), the same as `GET /verif/`'s
/// and `POST /verif/submit`'s (`AppError::public_message`: a failure of ours is logged and
/// not described).
#[cfg(feature = "ssr")]
fn refuse(e: crate::server::error::AppError) -> ServerFnError {
    e.log();
    expect_context::<leptos_axum::ResponseOptions>().set_status(e.status());
    ServerFnError::ServerError(e.public_message())
}

/// The page's words for the page's life: on the server the shared copy of the language (no
/// allocation per page), in the browser one copy per language shown (kept: a user switches
/// a few times at most).
#[cfg(feature = "ssr")]
pub fn page_text(t: PageText) -> &'static PageText {
    crate::server::i18n::shared(usize::from(t.lang))
}

#[cfg(not(feature = "ssr"))]
pub fn page_text(t: PageText) -> &'static PageText {
    Box::leak(Box::new(t))
}
