//! The capture page at `/verif/`: partner-themed, server-rendered, then driven by the WASM.
//!
//! The server validates the partner's key (or session link) in `GET /verif/` (see
//! `server::verif_page`) and provides [`CapturePageData`] as context; the page reads it
//! through [`load_capture_page`], whose value is serialized into the HTML so hydration never
//! calls back. The flow: consent (recorded on the capture session by [`give_consent`]), a
//! selfie video with a timed head-turn challenge, the document type and an ID photo (camera or
//! file), its back for an ID card or a licence, the upload with real progress, and the
//! result, which is also posted to a framing partner page and, when asked, sent back to the
//! partner's `redirect_url`.

mod browser;
mod id_photo;
mod selfie;
#[cfg(feature = "ssr")]
pub mod server;
mod submit;

use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;

use browser::{CameraError, Facing, Media, Slot, UploadEnd};
use id_photo::*;
use selfie::*;
use submit::*;

use crate::{
    contract::{CapturePageData, ChallengeRetryBody, DocumentType, ErrorBody, Status},
    theme::css_variables,
};

/// The version of the consent text below; stored with every check made through the page.
/// Change it whenever the text changes.
pub const CONSENT_VERSION: &str = "2026-11-26";
/// Seconds of selfie video when the link has no challenge (made before challenges existed).
const RECORD_SECONDS: u32 = 6;
const COUNTDOWN_SECONDS: u32 = 3;

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
/// and `POST /verif/submit`'s; a failure of ours is logged and not described.
#[cfg(feature = "ssr")]
fn refuse(e: crate::server::error::AppError) -> ServerFnError {
    use crate::server::error::AppError;
    e.log();
    expect_context::<leptos_axum::ResponseOptions>().set_status(e.status());
    ServerFnError::ServerError(match e {
        AppError::Internal { .. } => "Something went wrong on our side; please try again".into(),
        other => other.public_message(),
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Consent,
    Selfie,
    Id,
    /// The back of an ID card or a licence (part of "ID photo" in the progress list).
    IdBack,
    Submit,
    Done,
}

impl Step {
    const SHOWN: [(Step, &'static str); 4] = [
        (Step::Consent, "Consent"),
        (Step::Selfie, "Selfie video"),
        (Step::Id, "ID photo"),
        (Step::Submit, "Submit"),
    ];

    /// Its name in `data-step` (for tests and styles). Not `Debug` lower-cased: that would
    /// bring Unicode case tables into the page.
    fn name(self) -> &'static str {
        match self {
            Step::Consent => "consent",
            Step::Selfie => "selfie",
            Step::Id => "id",
            Step::IdBack => "idback",
            Step::Submit => "submit",
            Step::Done => "done",
        }
    }

    /// The step of the progress list this one belongs to.
    fn shown(self) -> Step {
        match self {
            Step::IdBack => Step::Id,
            s => s,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Camera {
    Off,
    Starting,
    Live,
    Countdown(u32),
    Recording(u32),
    Failed(CameraError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trouble {
    /// No answer: retry sends the same files again.
    Network,
    /// The server refused a file: retake it.
    Files,
    /// The link is used or expired: nothing to retry here.
    Link,
    /// Busy or failing server: retry later.
    Server,
    /// The recording did not follow its prompts: record again with the new challenge (this
    /// many recordings left, the next one included).
    Challenge(u32),
}

#[derive(Debug, Clone, PartialEq)]
enum Sending {
    Idle,
    Uploading { sent: f64, total: f64 },
    Processing,
    Failed { message: String, trouble: Trouble },
}

#[derive(Debug, Clone, PartialEq)]
struct Outcome {
    check_id: String,
    status: Status,
    risk_factors: Vec<String>,
    /// The partner's `redirect_url` with the result added.
    redirect: Option<String>,
}

/// The page's state: plain signals, so the server render and the browser agree.
#[derive(Clone, Copy)]
struct Flow {
    data: StoredValue<CapturePageData>,
    step: RwSignal<Step>,
    camera: RwSignal<Camera>,
    selfie: RwSignal<Option<Media>>,
    id_photo: RwSignal<Option<Media>>,
    /// The document the user said they photograph; `None` until they choose (then the upload
    /// carries no `document_type`, as before the choice existed).
    doc_type: RwSignal<Option<DocumentType>>,
    /// The back of an ID card or a licence.
    id_back: RwSignal<Option<Media>>,
    id_camera: RwSignal<bool>,
    sending: RwSignal<Sending>,
    outcome: RwSignal<Option<Outcome>>,
    /// The `aria-live` status line.
    status: RwSignal<String>,
    /// A problem the user must act on (`role=alert`).
    problem: RwSignal<Option<String>>,
    busy: RwSignal<bool>,
    /// The challenge prompt on screen while recording (`None`: look at the camera).
    cue: RwSignal<Option<crate::challenge::Prompt>>,
    /// When each prompt appeared, in ms after the recording started; `Some` only for a video
    /// recorded here with the challenge (an uploaded file answered none).
    timeline: RwSignal<Option<Vec<u32>>>,
}

impl Flow {
    fn new(data: CapturePageData) -> Self {
        Self {
            data: StoredValue::new(data),
            step: RwSignal::new(Step::Consent),
            camera: RwSignal::new(Camera::Off),
            selfie: RwSignal::new(None),
            id_photo: RwSignal::new(None),
            doc_type: RwSignal::new(None),
            id_back: RwSignal::new(None),
            id_camera: RwSignal::new(false),
            sending: RwSignal::new(Sending::Idle),
            outcome: RwSignal::new(None),
            status: RwSignal::new("Please read and accept to continue.".into()),
            problem: RwSignal::new(None),
            busy: RwSignal::new(false),
            cue: RwSignal::new(None),
            timeline: RwSignal::new(None),
        }
    }

    fn partner(&self) -> String {
        self.data.with_value(|d| d.theme.display_name.clone())
    }

    fn say(&self, s: impl Into<String>) {
        self.status.set(s.into());
    }

    /// Moves to `step`: the camera stops, old problems go, focus goes to the step's heading.
    fn go(&self, step: Step) {
        browser::close_camera();
        self.camera.set(Camera::Off);
        self.id_camera.set(false);
        self.problem.set(None);
        self.step.set(step);
        request_animation_frame(|| browser::focus("step-title"));
    }
}

/// A size for people: "830 KB", "2.4 MB" (integer arithmetic: no float formatting in the WASM).
fn mb(bytes: f64) -> String {
    let b = bytes.max(0.0) as u64;
    if b < 1_000_000 {
        format!("{} KB", b.div_ceil(1000))
    } else {
        let tenths = (b + 50_000) / 100_000;
        format!("{}.{} MB", tenths / 10, tenths % 10)
    }
}

/// A picked or recorded file over the server's limit is refused here, before any upload. The
/// limit reads as the server's own 413 message writes it.
fn too_big(kind: &str, m: &Media, max: u64) -> Option<String> {
    const MIB: u64 = 1024 * 1024;
    let limit = if max.is_multiple_of(MIB) {
        format!("{} MB", max / MIB)
    } else {
        mb(max as f64)
    };
    (m.size > max)
        .then(|| format!("This {kind} is larger than the {limit} limit. Choose a smaller one."))
}

// --- the page --------------------------------------------------------------------------------

/// Renews the capture token a few minutes before it expires, while the user is still at it.
fn keep_token_alive(f: Flow) {
    let expires_at = f.data.with_value(|d| d.expires_at) as f64;
    let wait_ms = (expires_at - js_sys::Date::now() - 5.0 * 60_000.0).max(30_000.0);
    set_timeout(
        move || {
            if f.step.get_untracked() == Step::Done {
                return;
            }
            let token = f.data.with_value(|d| d.capture_token.clone());
            spawn_local(async move {
                match renew_capture_token(token).await {
                    Ok(new_expiry) if new_expiry as f64 > expires_at => {
                        f.data.update_value(|d| d.expires_at = new_expiry);
                        keep_token_alive(f);
                    }
                    // not renewable (a partner API link keeps its expiry), or gone: the
                    // submit answer will say so
                    _ => {}
                }
            });
        },
        Duration::from_millis(wait_ms as u64),
    );
}

#[component]
fn Capture(data: CapturePageData) -> impl IntoView {
    let theme = data.theme.clone();
    let style = css_variables(&theme);
    let retention_days = data.retention_days;
    let f = Flow::new(data);
    let (consented, set_consented) = signal(false);
    // Set once the WASM has taken over, so tests (and styles) can tell a live page.
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| {
        browser::strip_api_key_from_address_bar();
        set_hydrated.set(true);
    });
    on_cleanup(browser::close_camera);
    Effect::new(move |_| keep_token_alive(f));

    let start = move |_| {
        f.busy.set(true);
        f.say("Starting the camera…");
        let token = f.data.with_value(|d| d.capture_token.clone());
        spawn_local(async move {
            let r = give_consent(token, CONSENT_VERSION.to_string()).await;
            f.busy.set(false);
            match r {
                Ok(()) => {
                    f.go(Step::Selfie);
                    start_camera(f, Facing::User, "selfie-video");
                }
                Err(e) => {
                    let m = error_text(&e);
                    f.say(m.clone());
                    f.problem.set(Some(m));
                }
            }
        });
    };
    let partner = theme.display_name.clone();

    view! {
        <main class="page capture" style=style data-hydrated=move || hydrated.get().to_string() data-step=move || f.step.get().name()>
            <header class="brand">
                {theme.logo_url.clone().map(|src| view! { <img class="logo" src=src alt=format!("{} logo", theme.display_name)/> })}
                <span class="brand-name">{theme.display_name.clone()}</span>
            </header>
            <Show when=move || f.step.get() != Step::Done>
                <ol class="steps" aria-label="Progress">
                    {Step::SHOWN.iter().enumerate().map(|(i, (s, label))| {
                        let s = *s;
                        let passed = move || f.step.get().shown() as u8 > s as u8;
                        view! {
                            <li aria-current=move || (f.step.get().shown() == s).then_some("step") class:done=passed>
                                <span class="num">{i + 1}</span><span class="label">{*label}</span>
                            </li>
                        }
                    }).collect_view()}
                </ol>
            </Show>
            {move || f.problem.get().map(|p| view! { <div class="problem" role="alert" id="problem">{p}</div> })}
            {move || match f.step.get() {
                Step::Consent => {
                    let partner = partner.clone();
                    view! {
                        <section class="card step" aria-labelledby="step-title">
                            <h1 id="step-title" tabindex="-1">"Verify your identity"</h1>
                            <p>{format!("{partner} asks you to confirm that you are the person on your ID. It takes about a minute.")}</p>
                            <ul class="facts">
                                <li><strong>"What we capture: "</strong>"a 6-second selfie video and a photo of your government ID."</li>
                                <li><strong>"Why: "</strong>"to compare your face with the photo on your ID, and to check that you are there in person."</li>
                                <li><strong>"Who receives it: "</strong>{format!("{partner}, who asked for this check. Nobody else.")}</li>
                                <li><strong>"How long: "</strong>{format!("the files are deleted after {retention_days} days; the result is kept by {partner}.")}</li>
                            </ul>
                            <label class="consent">
                                <input
                                    type="checkbox"
                                    id="consent"
                                    prop:checked=consented
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        set_consented.set(on);
                                        f.say(if on { "Ready when you are." } else { "Please read and accept to continue." });
                                    }
                                />
                                <span>"I agree that my selfie video and ID photo are processed for this verification."</span>
                            </label>
                            <button class="primary" id="start" disabled=move || !consented.get() || f.busy.get() on:click=start>
                                "Start"
                            </button>
                        </section>
                    }.into_any()
                }
                Step::Selfie => view! { <SelfieStep f=f/> }.into_any(),
                Step::Id => view! { <IdStep f=f/> }.into_any(),
                Step::IdBack => view! { <IdBackStep f=f/> }.into_any(),
                Step::Submit => view! { <SubmitStep f=f/> }.into_any(),
                Step::Done => view! { <DoneStep f=f/> }.into_any(),
            }}
            <p class="status" id="status" role="status" aria-live="polite">{move || f.status.get()}</p>
        </main>
    }
}
