//! The Leptos application (pages and server functions) and, behind the `ssr` feature, every
//! server-side capability. See docs/architecture.md for the map.
#![forbid(unsafe_code)]
#![recursion_limit = "256"]

pub mod api;
pub mod capture;
pub mod challenge;
pub mod contract;
pub mod i18n;
pub mod live;
#[cfg(feature = "ssr")]
pub mod server;
pub mod theme;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    components::{Route, Router, Routes},
    path,
};

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    // the capture page's language (its data is in context while it renders); English elsewhere
    let (lang, dir) = use_context::<contract::CapturePageData>()
        .map_or(("en", "ltr"), |d| (d.text.tag(), d.text.dir()));
    view! {
        <!DOCTYPE html>
        <html lang=lang dir=dir>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="referrer" content="no-referrer"/>
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/idv.css"/>
        <Title text="Identity verification"/>
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=Home/>
                <Route path=path!("/verif") view=capture::CapturePage/>
                <Route path=path!("/verif/") view=capture::CapturePage/>
            </Routes>
        </Router>
    }
}

#[component]
fn Home() -> impl IntoView {
    view! {
        <main class="page plain">
            <h1>"Identity verification service"</h1>
            <p>
                "This service is running. Partners send their users to "
                <code>"/verif/?api_key=…&user_identifier=…"</code>
                " to verify their identity."
            </p>
        </main>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <main class="page plain">
            <h1>"Page not found"</h1>
        </main>
    }
}
