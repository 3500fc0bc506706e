//! Server functions: thin, they hand over to services in `server::`.

use leptos::prelude::*;
use leptos::server_fn::codec::{MultipartData, MultipartFormData};

use crate::contract::SubmitReply;

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
