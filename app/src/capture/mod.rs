//! The capture page at `/verif/`: partner-themed, server-rendered, then driven by the WASM.
//!
//! The server validates the partner's key (or session link) in `GET /verif/` (see
//! `server::capture_page`) and provides [`CapturePageData`] as context; the page reads it
//! as a `SharedValue`, serialized into the HTML and read back synchronously when the WASM
//! hydrates (no suspense: the page hydrates in one pass, and its download carries no async
//! hydration code). The flow: consent (recorded on the capture session by `crate::api::give_consent`),
//! the document type and an ID photo (camera or file), its back for an ID card or a licence,
//! then the selfie video recorded live (`live`: the server sends each prompt and screen colour
//! when due, and answers when the recording ends; a picked video file is uploaded instead,
//! with real progress), and the result, which is also posted to a framing partner page and,
//! when asked, sent back to the partner's `redirect_url`.

mod browser;
mod id_photo;
mod live;
mod selfie;
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
    i18n::{LANGUAGES, Msg, PageText},
    theme::css_variables,
};

/// The version of the consent text below; stored with every check made through the page.
/// Change it whenever the text changes.
pub const CONSENT_VERSION: &str = "2026-11-26";
/// About how long a live recording lasts, in whole seconds (the server draws at most
/// `MAX_RECORD_MS`: `Challenge::random`).
const RECORD_SECONDS: u32 = crate::challenge::MAX_RECORD_MS / 1000;
const COUNTDOWN_SECONDS: u32 = 3;

/// The page. Its data exists only in the server render of `GET /verif/` (the route is not
/// reachable otherwise: `server::verif_page` answers it), and reaches the browser inside the
/// HTML.
#[component]
pub fn CapturePage() -> impl IntoView {
    let data = leptos::prelude::SharedValue::new(use_context::<CapturePageData>);
    match data.into_inner() {
        Some(d) => view! { <Capture data=d/> }.into_any(),
        None => view! {
            <main class="page plain"><h1>"Verification unavailable"</h1><p>"This verification link has expired. Open it again from the partner's site."</p></main>
        }
        .into_any(),
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
    Id,
    /// The back of an ID card or a licence (part of "ID photo" in the progress list).
    IdBack,
    /// The live recording (sent as it is made, with the ID photos), or a video file.
    Selfie,
    /// The upload of a picked video file (a live recording is answered in the selfie step).
    Submit,
    Done,
}

impl Step {
    const SHOWN: [(Step, Msg); 4] = [
        (Step::Consent, Msg::StepConsent),
        (Step::Id, Msg::StepId),
        (Step::Selfie, Msg::StepSelfie),
        (Step::Submit, Msg::StepSubmit),
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
    Recording,
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
    /// The page's words; a new language re-renders the step on screen. Kept for the page's
    /// life (see [`keep`]), so its messages are `&'static str` like the literals they replace.
    text: RwSignal<&'static PageText>,
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
    /// The live channel's state (`live`).
    live: RwSignal<live::Live>,
    /// The countdown is over: `ready` goes as soon as the channel is open.
    armed: RwSignal<bool>,
    /// The screen's colour the server asked for while recording.
    light: RwSignal<Option<[u8; 3]>>,
    /// The recording's length the server chose (ms; 0 before `record`).
    record_ms: RwSignal<u32>,
}

impl Flow {
    fn new(mut data: CapturePageData) -> Self {
        let text = crate::api::page_text(std::mem::take(&mut data.text));
        let waiting = text.get(Msg::ConsentWaiting).to_string();
        Self {
            data: StoredValue::new(data),
            text: RwSignal::new(text),
            step: RwSignal::new(Step::Consent),
            camera: RwSignal::new(Camera::Off),
            selfie: RwSignal::new(None),
            id_photo: RwSignal::new(None),
            doc_type: RwSignal::new(None),
            id_back: RwSignal::new(None),
            id_camera: RwSignal::new(false),
            sending: RwSignal::new(Sending::Idle),
            outcome: RwSignal::new(None),
            status: RwSignal::new(waiting),
            problem: RwSignal::new(None),
            busy: RwSignal::new(false),
            cue: RwSignal::new(None),
            live: RwSignal::new(live::Live::Closed),
            armed: RwSignal::new(false),
            light: RwSignal::new(None),
            record_ms: RwSignal::new(0),
        }
    }

    fn partner(&self) -> String {
        self.data.with_value(|d| d.theme.display_name.clone())
    }

    fn say(&self, s: impl Into<String>) {
        self.status.set(s.into());
    }

    /// Message `m` in the page's language (read untracked: the step on screen re-renders
    /// when the language changes).
    fn t(&self, m: Msg) -> &'static str {
        self.text.get_untracked().get(m)
    }

    /// `m` with values filled in.
    fn tf(&self, m: Msg, args: &[(&str, &str)]) -> String {
        self.text.get_untracked().fill(m, args)
    }

    /// `m` with the partner's name filled in.
    fn tp(&self, m: Msg) -> String {
        self.tf(m, &[("partner", &self.partner())])
    }

    /// `m` in the plural form for `n`.
    fn tc(&self, m: Msg, n: u64) -> String {
        self.text
            .get_untracked()
            .count(m, n, &[("partner", &self.partner())])
    }

    /// A file size in the page's language.
    fn size(&self, bytes: f64) -> String {
        crate::i18n::size(self.lang(), bytes)
    }

    /// The page's language as a BCP 47 tag.
    fn lang(&self) -> &'static str {
        self.text.get_untracked().tag()
    }

    /// Moves to `step`: the camera stops, old problems go, focus goes to the step's heading.
    fn go(&self, step: Step) {
        if step != Step::Selfie {
            live::close(*self);
        }
        browser::close_camera();
        self.camera.set(Camera::Off);
        self.id_camera.set(false);
        self.problem.set(None);
        self.step.set(step);
        request_animation_frame(|| browser::focus("step-title"));
    }
}

/// A picked or recorded file over the server's limit is refused here, before any upload
/// (`msg`: the video's or the photo's words). The limit reads as the server's own 413 message
/// writes it: whole "MB" of 2^20 bytes.
fn too_big(f: Flow, msg: Msg, m: &Media, max: u64) -> Option<String> {
    const MIB: u64 = 1024 * 1024;
    let shown = if max.is_multiple_of(MIB) {
        (max / MIB) as f64 * 1e6
    } else {
        max as f64
    };
    (m.size > max).then(|| f.tf(msg, &[("limit", &f.size(shown))]))
}

/// Shows the page in language `lang` (an index in `LANGUAGES`): its words come from the
/// server; the step on screen is drawn again (a camera that was on starts again).
fn switch_language(f: Flow, lang: u8) {
    if f.text.with_untracked(|t| t.lang) == lang {
        return;
    }
    spawn_local(async move {
        let Ok(text) = crate::api::capture_text(lang).await else {
            return;
        };
        let step = f.step.get_untracked();
        let camera_on = !matches!(f.camera.get_untracked(), Camera::Off | Camera::Failed(_));
        browser::show_language(&text);
        f.text.set(crate::api::page_text(text));
        // a recording under way goes on in the old words (its prompts come in the new ones)
        let recording = f.live.get_untracked() != live::Live::Closed
            && matches!(
                f.camera.get_untracked(),
                Camera::Countdown(_) | Camera::Recording
            );
        if camera_on && !recording {
            f.go(step);
            if step == Step::Selfie {
                start_camera(f, Facing::User, "selfie-video");
            }
        }
        f.say(if step == Step::Consent {
            f.t(Msg::ConsentWaiting)
        } else {
            ""
        });
    });
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
                match crate::api::renew_capture_token(token).await {
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

/// The language switcher: each language named in itself. Its options are written as markup
/// (twelve option views would cost the page's download several kilobytes); a language the
/// page takes by itself is selected by `browser::show_language`.
#[component]
fn LanguagePicker(f: Flow) -> impl IntoView {
    let current = usize::from(f.text.get_untracked().lang);
    let options: String = LANGUAGES
        .iter()
        .enumerate()
        .map(|(i, (tag, name, _))| {
            let selected = if i == current { " selected" } else { "" };
            format!("<option value=\"{i}\" lang=\"{tag}\"{selected}>{name}</option>")
        })
        .collect();
    view! {
        <select id="language" aria-label=f.t(Msg::Language) inner_html=options on:change=move |ev| {
            if let Ok(lang) = event_target_value(&ev).parse::<u8>() {
                switch_language(f, lang);
            }
        }></select>
    }
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
        // a link that did not choose a language follows the browser's own list
        if !f.text.get_untracked().chosen
            && let Some(lang) = browser::preferred_language()
        {
            switch_language(f, lang);
        }
    });
    on_cleanup(browser::close_camera);
    Effect::new(move |_| keep_token_alive(f));

    let start = move |_| {
        f.busy.set(true);
        f.say(f.t(Msg::CameraStarting));
        let token = f.data.with_value(|d| d.capture_token.clone());
        spawn_local(async move {
            let r = crate::api::give_consent(token, CONSENT_VERSION.to_string()).await;
            f.busy.set(false);
            match r {
                Ok(()) => {
                    f.go(Step::Id);
                    f.say(f.t(Msg::NowId));
                }
                Err(e) => {
                    let m = error_text(&e);
                    f.say(m.clone());
                    f.problem.set(Some(m));
                }
            }
        });
    };
    let help_url = f.data.with_value(|d| d.help_url.clone());

    view! {
        <main class="page capture" style=style data-hydrated=move || hydrated.get().to_string() data-step=move || f.step.get().name()>
            <header class="brand">
                {theme.logo_url.clone().map(|src| view! { <img class="logo" src=src alt=move || { f.text.track(); f.tp(Msg::LogoAlt) }/> })}
                <span class="brand-name">{theme.display_name.clone()}</span>
                <LanguagePicker f=f/>
            </header>
            <Show when=move || f.step.get() != Step::Done>
                {move || {
                    f.text.track();
                    view! {
                        <ol class="steps" aria-label=f.t(Msg::Progress)>
                            // Send is a step of its own only for an uploaded video: a live
                            // recording's verdict comes at the end of the selfie step
                            {Step::SHOWN.iter().filter(|(s, _)| *s != Step::Submit || f.step.get() == Step::Submit).enumerate().map(|(i, (s, label))| {
                                let s = *s;
                                let passed = move || f.step.get().shown() as u8 > s as u8;
                                view! {
                                    <li aria-current=move || (f.step.get().shown() == s).then_some("step") class:done=passed>
                                        <span class="num">{i + 1}</span><span class="label">{f.t(*label)}</span>
                                    </li>
                                }
                            }).collect_view()}
                        </ol>
                    }
                }}
            </Show>
            {move || f.problem.get().map(|p| view! { <div class="problem" role="alert" id="problem">{p}</div> })}
            {move || { f.text.track(); match f.step.get() {
                Step::Consent => {
                    view! {
                        <section class="card step" aria-labelledby="step-title">
                            <h1 id="step-title" tabindex="-1">{f.t(Msg::ConsentTitle)}</h1>
                            <p>{f.tp(Msg::ConsentIntro)}</p>
                            <ul class="facts">
                                <li><strong>{f.t(Msg::ConsentWhatLabel)}</strong>" "{f.t(Msg::ConsentWhat)}</li>
                                <li><strong>{f.t(Msg::ConsentWhyLabel)}</strong>" "{f.t(Msg::ConsentWhy)}</li>
                                <li><strong>{f.t(Msg::ConsentWhoLabel)}</strong>" "{f.tp(Msg::ConsentWho)}</li>
                                <li><strong>{f.t(Msg::ConsentHowLongLabel)}</strong>" "{f.tc(Msg::ConsentHowLong, retention_days)}</li>
                            </ul>
                            <label class="consent">
                                <input
                                    type="checkbox"
                                    id="consent"
                                    prop:checked=consented
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        set_consented.set(on);
                                        f.say(f.t(if on { Msg::ConsentReady } else { Msg::ConsentWaiting }));
                                    }
                                />
                                <span>{f.t(Msg::ConsentAgree)}</span>
                            </label>
                            <button class="primary" id="start" disabled=move || !consented.get() || f.busy.get() on:click=start>
                                {f.t(Msg::Start)}
                            </button>
                            {help_url.clone().map(|url| view! {
                                <p class="meta"><a id="help-link" href=url target="_blank" rel="noopener">{f.tp(Msg::HelpLink)}</a></p>
                            })}
                        </section>
                    }.into_any()
                }
                Step::Selfie => view! { <SelfieStep f=f/> }.into_any(),
                Step::Id => view! { <IdStep f=f/> }.into_any(),
                Step::IdBack => view! { <IdBackStep f=f/> }.into_any(),
                Step::Submit => view! { <SubmitStep f=f/> }.into_any(),
                Step::Done => view! { <DoneStep f=f/> }.into_any(),
            }}}
            <p class="status" id="status" role="status" aria-live="polite">{move || f.status.get()}</p>
        </main>
    }
}
