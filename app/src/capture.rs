//! The capture page at `/verif/`: partner-themed. The server validates the partner's key in
//! `GET /verif/` (see `server::routes::verif_page`) and provides [`CapturePageData`] as context;
//! the page reads it through [`load_capture_page`], whose value is serialized into the HTML so
//! hydration never calls back.

use leptos::prelude::*;

use crate::{contract::CapturePageData, theme::css_variables};

/// The data of the page being rendered. Only meaningful during the server render of
/// `GET /verif/`; a direct call has no page context and is refused.
#[server(prefix = "/api", endpoint = "load_capture_page")]
pub async fn load_capture_page() -> Result<CapturePageData, ServerFnError> {
    use_context::<CapturePageData>().ok_or_else(|| {
        ServerFnError::new(
            "This verification link has expired. Open it again from the partner's site.",
        )
    })
}

#[component]
pub fn CapturePage() -> impl IntoView {
    let data = Resource::new_blocking(|| (), |_| load_capture_page());
    view! {
        <Suspense fallback=|| view! { <p class="status">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <Capture data=d/> }.into_any(),
                    Err(e) => view! {
                        <main class="page plain"><h1>"Verification unavailable"</h1><p>{error_text(&e)}</p></main>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn error_text(e: &ServerFnError) -> String {
    match e {
        ServerFnError::ServerError(m) => m.clone(),
        other => other.to_string(),
    }
}

#[component]
fn Capture(data: CapturePageData) -> impl IntoView {
    let theme = data.theme.clone();
    let style = css_variables(&theme);
    let (consented, set_consented) = signal(false);
    let (started, set_started) = signal(false);
    // Set once the WASM has taken over, so tests (and styles) can tell a live page.
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| {
        strip_api_key_from_address_bar();
        set_hydrated.set(true);
    });

    view! {
        <main class="page capture" style=style data-hydrated=move || hydrated.get().to_string()>
            <header class="brand">
                {theme.logo_url.clone().map(|src| view! { <img class="logo" src=src alt=format!("{} logo", theme.display_name)/> })}
                <span class="brand-name">{theme.display_name.clone()}</span>
            </header>
            <section class="card" aria-labelledby="consent-title">
                <h1 id="consent-title">"Verify your identity"</h1>
                <p>
                    {format!("{} asks you to confirm that you are the person on your ID. ", theme.display_name)}
                    "You will record a short selfie video and take a photo of a government ID. "
                    "Both are compared automatically and sent to the partner who asked for this check. "
                    "The files are deleted after 7 days."
                </p>
                <label class="consent">
                    <input
                        type="checkbox"
                        id="consent"
                        prop:checked=consented
                        on:change=move |ev| set_consented.set(event_target_checked(&ev))
                    />
                    <span>"I agree that my selfie video and ID photo are processed for this verification."</span>
                </label>
                <button
                    class="primary"
                    id="start"
                    disabled=move || !consented.get()
                    on:click=move |_| set_started.set(true)
                >
                    "Start"
                </button>
                <p class="status" role="status" aria-live="polite">
                    {move || if started.get() {
                        "Starting the camera…".to_string()
                    } else if consented.get() {
                        "Ready when you are.".to_string()
                    } else {
                        "Please read and accept to continue.".to_string()
                    }}
                </p>
            </section>
        </main>
    }
}

/// The partner's API key must not stay in the address bar (or the history, or a bookmark).
fn strip_api_key_from_address_bar() {
    #[cfg(feature = "hydrate")]
    {
        let Some(window) = web_sys::window() else {
            return;
        };
        let Ok(href) = window.location().href() else {
            return;
        };
        let Ok(url) = web_sys::Url::new(&href) else {
            return;
        };
        if url.search_params().has("api_key") {
            url.search_params().delete("api_key");
            if let Ok(history) = window.history() {
                let _ = history.replace_state_with_url(
                    &wasm_bindgen::JsValue::NULL,
                    "",
                    Some(&url.href()),
                );
            }
        }
    }
}
