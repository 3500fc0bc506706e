//! The capture page at `/verif/`: partner-themed, server-rendered, then driven by the WASM.
//!
//! The server validates the partner's key (or session link) in `GET /verif/` (see
//! `server::verif_page`) and provides [`CapturePageData`] as context; the page reads it
//! through [`load_capture_page`], whose value is serialized into the HTML so hydration never
//! calls back. The flow: consent (recorded on the capture session by [`give_consent`]), a
//! selfie video with a timed head-turn challenge, an ID photo (camera or file), the upload with
//! real progress, and the result, which is also posted to a framing partner page and, when
//! asked, sent back to the partner's `redirect_url`.

mod browser;
#[cfg(feature = "ssr")]
pub mod server;

use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;

use browser::{CameraError, Facing, Media, Slot, UploadEnd};

use crate::{
    contract::{CapturePageData, ErrorBody, Status, SubmitSuccess},
    theme::css_variables,
};

/// The version of the consent text below; stored with every check made through the page.
/// Change it whenever the text changes.
pub const CONSENT_VERSION: &str = "2026-11-26";
/// Seconds of selfie video: straight, left, right, two seconds each.
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
    id_camera: RwSignal<bool>,
    sending: RwSignal<Sending>,
    outcome: RwSignal<Option<Outcome>>,
    /// The `aria-live` status line.
    status: RwSignal<String>,
    /// A problem the user must act on (`role=alert`).
    problem: RwSignal<Option<String>>,
    busy: RwSignal<bool>,
}

impl Flow {
    fn new(data: CapturePageData) -> Self {
        Self {
            data: StoredValue::new(data),
            step: RwSignal::new(Step::Consent),
            camera: RwSignal::new(Camera::Off),
            selfie: RwSignal::new(None),
            id_photo: RwSignal::new(None),
            id_camera: RwSignal::new(false),
            sending: RwSignal::new(Sending::Idle),
            outcome: RwSignal::new(None),
            status: RwSignal::new("Please read and accept to continue.".into()),
            problem: RwSignal::new(None),
            busy: RwSignal::new(false),
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

// --- selfie video ------------------------------------------------------------------------

fn start_camera(f: Flow, facing: Facing, video_id: &'static str) {
    f.problem.set(None);
    f.camera.set(Camera::Starting);
    f.say("Starting the camera…");
    spawn_local(async move {
        match browser::open_camera(facing, video_id).await {
            Ok(()) => {
                f.camera.set(Camera::Live);
                f.say(match facing {
                    Facing::User => {
                        "Camera ready. Put your face inside the oval, then press Record."
                    }
                    Facing::Environment => {
                        "Camera ready. Fit your ID inside the frame, then press Take photo."
                    }
                });
            }
            Err(e) => {
                f.say(camera_problem(&e).0);
                f.camera.set(Camera::Failed(e));
            }
        }
    });
}

/// Headline and help for a camera that did not start.
fn camera_problem(e: &CameraError) -> (String, String) {
    match e {
        CameraError::Denied => (
            "Camera access is blocked.".into(),
            match browser::browser_family() {
                "firefox" => "Click the camera icon in the address bar, remove the block, then press Try again.",
                "safari" => "On iPhone or iPad: Settings › Safari › Camera › Allow. On a Mac: Safari › Settings › Websites › Camera › Allow. Then press Try again.",
                _ => "Click the camera icon (or the site settings icon) in the address bar, choose Allow, then press Try again.",
            }
            .into(),
        ),
        CameraError::NoCamera => (
            "No camera was found on this device.".into(),
            "Upload a short video of your face instead, or open this link on a phone.".into(),
        ),
        CameraError::InUse => (
            "The camera is busy.".into(),
            "Close other apps or tabs that use the camera, then press Try again.".into(),
        ),
        CameraError::Unsupported => (
            "This browser cannot use the camera here.".into(),
            "Upload a short video of your face instead, or use a recent Chrome, Firefox or Safari.".into(),
        ),
        CameraError::Other(m) => (
            format!("The camera could not start ({m})."),
            "Press Try again, or upload a video instead.".into(),
        ),
    }
}

fn record(f: Flow) {
    let Some(mime) = browser::recorder_mime() else {
        browser::close_camera();
        f.camera.set(Camera::Failed(CameraError::Unsupported));
        f.say("This browser cannot record video. Upload a short video of your face instead.");
        return;
    };
    countdown(f, mime, COUNTDOWN_SECONDS);
}

fn countdown(f: Flow, mime: &'static str, n: u32) {
    if f.step.get_untracked() != Step::Selfie {
        return;
    }
    if n == 0 {
        if let Err(e) = browser::start_recording(mime, move |r| recorded(f, r)) {
            f.camera.set(Camera::Failed(CameraError::Other(e)));
            return;
        }
        recording(f, 0);
        return;
    }
    f.camera.set(Camera::Countdown(n));
    f.say(format!("Recording starts in {n}…"));
    set_timeout(move || countdown(f, mime, n - 1), Duration::from_secs(1));
}

/// The challenge prompt for second `s` of the recording.
fn prompt(s: u32) -> &'static str {
    match s {
        0 | 1 => "Look straight at the camera",
        2 | 3 => "Slowly turn your head to the left",
        _ => "Now slowly turn your head to the right",
    }
}

fn recording(f: Flow, s: u32) {
    if !matches!(
        f.camera.get_untracked(),
        Camera::Recording(_) | Camera::Countdown(_)
    ) {
        return;
    }
    if s >= RECORD_SECONDS {
        browser::stop_recording();
        f.say("Finishing the recording…");
        return;
    }
    f.camera.set(Camera::Recording(s));
    if s.is_multiple_of(2) {
        f.say(prompt(s));
    }
    set_timeout(move || recording(f, s + 1), Duration::from_secs(1));
}

fn recorded(f: Flow, r: Result<Media, String>) {
    browser::close_camera();
    f.camera.set(Camera::Off);
    match r {
        Ok(m) => set_selfie(f, m),
        Err(e) => {
            f.problem.set(Some(format!(
                "The recording failed ({e}). Please record again."
            )));
            f.camera.set(Camera::Failed(CameraError::Other(e)));
        }
    }
}

fn set_selfie(f: Flow, m: Media) {
    if let Some(p) = too_big("video", &m, f.data.with_value(|d| d.max_video_bytes)) {
        browser::discard(Slot::Selfie, Some(&m));
        f.problem.set(Some(p));
        return;
    }
    f.problem.set(None);
    f.selfie.set(Some(m));
    f.say("Your video is ready. Watch it, then use it or record again.");
    request_animation_frame(|| browser::focus("selfie-accept"));
}

fn retake_selfie(f: Flow) {
    let old = f.selfie.get_untracked();
    browser::discard(Slot::Selfie, old.as_ref());
    f.selfie.set(None);
    if f.step.get_untracked() != Step::Selfie {
        f.go(Step::Selfie);
    }
    start_camera(f, Facing::User, "selfie-video");
}

#[component]
fn SelfieStep(f: Flow) -> impl IntoView {
    let camera_view = move || {
        let cam = f.camera.get();
        let recording = matches!(cam, Camera::Recording(_));
        view! {
            <div class="camera" class:recording=recording>
                <video id="selfie-video" class="mirror" autoplay=true playsinline=true prop:muted=true aria-label="Camera preview"></video>
                <div class="guide oval" aria-hidden="true"></div>
                {match cam {
                    Camera::Countdown(n) => Some(view! { <div class="overlay count" aria-hidden="true">{n}</div> }.into_any()),
                    Camera::Recording(s) => Some(view! {
                        <div class="overlay prompt" id="challenge-prompt">
                            <span class="rec-dot" aria-hidden="true"></span>
                            {prompt(s)}
                        </div>
                        <div class="rec-bar" aria-hidden="true"><span></span></div>
                    }.into_any()),
                    Camera::Starting => Some(view! { <div class="overlay note">"Starting the camera…"</div> }.into_any()),
                    _ => None,
                }}
            </div>
        }
    };
    let failed = move || match f.camera.get() {
        Camera::Failed(e) => {
            let (head, help) = camera_problem(&e);
            Some(view! {
                <div class="problem" role="alert" id="camera-problem">
                    <strong>{head}</strong>
                    <p>{help}</p>
                    <button class="secondary" id="camera-retry" on:click=move |_| start_camera(f, Facing::User, "selfie-video")>"Try again"</button>
                </div>
            })
        }
        _ => None,
    };
    view! {
        <section class="card step" aria-labelledby="step-title">
            <h1 id="step-title" tabindex="-1">"Record a short selfie video"</h1>
            {move || match f.selfie.get() {
                None => view! {
                    <p>"Hold your phone at eye level in good light. When recording starts, look at the camera, then turn your head slowly to the left, then to the right. It takes "{RECORD_SECONDS}" seconds."</p>
                    {camera_view}
                    {failed}
                    <button
                        class="primary"
                        id="record"
                        disabled=move || f.camera.get() != Camera::Live
                        on:click=move |_| record(f)
                    >
                        {move || match f.camera.get() {
                            Camera::Countdown(_) | Camera::Recording(_) => "Recording…",
                            _ => "Record",
                        }}
                    </button>
                    <FilePick id="selfie-file" accept="video/*" capture="user" label="Upload a recorded video instead"
                        on_pick=move || {
                            if let Some(m) = browser::take_file("selfie-file", Slot::Selfie) {
                                browser::close_camera();
                                f.camera.set(Camera::Off);
                                set_selfie(f, m);
                            }
                        }/>
                }.into_any(),
                Some(m) => view! {
                    <p>"Check that your face is clear and that you turned your head."</p>
                    <video id="selfie-playback" class="playback" src=m.url controls=true playsinline=true aria-label="Your selfie video"></video>
                    <p class="meta">{format!("{} · {}", m.file_name, mb(m.size as f64))}</p>
                    <div class="actions">
                        <button class="secondary" id="selfie-retake" on:click=move |_| retake_selfie(f)>"Record again"</button>
                        <button class="primary" id="selfie-accept" on:click=move |_| { f.go(Step::Id); f.say("Now a photo of your ID."); }>"Use this video"</button>
                    </div>
                }.into_any(),
            }}
        </section>
    }
}

/// A file input styled as a button (the input stays focusable for keyboards).
#[component]
fn FilePick(
    id: &'static str,
    accept: &'static str,
    #[prop(optional)] capture: Option<&'static str>,
    label: &'static str,
    on_pick: impl Fn() + 'static,
) -> impl IntoView {
    view! {
        <label class="file-pick secondary" for=id>
            <input type="file" class="visually-hidden" id=id accept=accept capture=capture on:change=move |_| on_pick()/>
            {label}
        </label>
    }
}

// --- ID photo ------------------------------------------------------------------------------

fn set_id_photo(f: Flow, m: Media) {
    if let Some(p) = too_big("photo", &m, f.data.with_value(|d| d.max_photo_bytes)) {
        browser::discard(Slot::Id, Some(&m));
        f.problem.set(Some(p));
        return;
    }
    browser::close_camera();
    f.camera.set(Camera::Off);
    f.id_camera.set(false);
    f.problem.set(None);
    f.id_photo.set(Some(m));
    f.say("Check that the whole ID is sharp and readable, without glare.");
    request_animation_frame(|| browser::focus("id-accept"));
}

fn retake_id(f: Flow) {
    let old = f.id_photo.get_untracked();
    browser::discard(Slot::Id, old.as_ref());
    f.id_photo.set(None);
    f.say("Choose another photo of your ID.");
    if f.step.get_untracked() != Step::Id {
        f.go(Step::Id);
    }
}

#[component]
fn IdStep(f: Flow) -> impl IntoView {
    let take = move |_| {
        let r = browser::snapshot("id-video", move |r| match r {
            Ok(m) => set_id_photo(f, m),
            Err(e) => f
                .problem
                .set(Some(format!("The photo failed ({e}). Try again."))),
        });
        if let Err(e) = r {
            f.problem
                .set(Some(format!("The photo failed ({e}). Try again.")));
        }
    };
    view! {
        <section class="card step" aria-labelledby="step-title">
            <h1 id="step-title" tabindex="-1">"Add a photo of your ID"</h1>
            {move || match (f.id_photo.get(), f.id_camera.get()) {
                (Some(m), _) => view! {
                    <img id="id-preview" class="id-preview" src=m.url alt="Your ID photo"/>
                    <p class="meta">{format!("{} · {}", m.file_name, mb(m.size as f64))}</p>
                    <div class="actions">
                        <button class="secondary" id="id-retake" on:click=move |_| retake_id(f)>"Choose another"</button>
                        <button class="primary" id="id-accept" on:click=move |_| { f.go(Step::Submit); f.say("Ready to send."); }>"Use this photo"</button>
                    </div>
                }.into_any(),
                (None, true) => view! {
                    <p>"Place your passport, ID card or driving licence flat, in good light, and fit it inside the frame."</p>
                    <div class="camera id">
                        <video id="id-video" autoplay=true playsinline=true prop:muted=true aria-label="Camera preview"></video>
                        <div class="guide card-frame" aria-hidden="true"></div>
                    </div>
                    {move || match f.camera.get() {
                        Camera::Failed(e) => {
                            let (head, help) = camera_problem(&e);
                            Some(view! { <div class="problem" role="alert"><strong>{head}</strong><p>{help}</p></div> })
                        }
                        _ => None,
                    }}
                    <button class="primary" id="id-capture" disabled=move || f.camera.get() != Camera::Live on:click=take>"Take photo"</button>
                    <FilePick id="id-file" accept="image/*,.heic,.heif" label="Upload a photo instead"
                        on_pick=move || if let Some(m) = browser::take_file("id-file", Slot::Id) { set_id_photo(f, m) }/>
                }.into_any(),
                (None, false) => view! {
                    <p>"A passport, ID card or driving licence. The photo on it must be sharp; avoid glare and cover nothing."</p>
                    <button class="primary" id="id-camera-start" on:click=move |_| {
                        f.id_camera.set(true);
                        start_camera(f, Facing::Environment, "id-video");
                    }>"Take a photo with the camera"</button>
                    <FilePick id="id-file" accept="image/*,.heic,.heif" label="Upload a photo"
                        on_pick=move || if let Some(m) = browser::take_file("id-file", Slot::Id) { set_id_photo(f, m) }/>
                }.into_any(),
            }}
        </section>
    }
}

// --- submit and result -----------------------------------------------------------------------

fn submit(f: Flow) {
    let (Some(selfie), Some(id)) = (f.selfie.get_untracked(), f.id_photo.get_untracked()) else {
        return;
    };
    let token = f.data.with_value(|d| d.capture_token.clone());
    f.problem.set(None);
    f.sending.set(Sending::Uploading {
        sent: 0.0,
        total: (selfie.size + id.size) as f64,
    });
    f.say("Uploading…");
    let started = browser::upload(
        "/verif/submit",
        &[
            ("capture_token", token.as_str()),
            ("consent_version", CONSENT_VERSION),
        ],
        move |sent, total| {
            if sent >= total {
                if f.sending.get_untracked() != Sending::Processing {
                    f.sending.set(Sending::Processing);
                    f.say("Uploaded. Checking your video and ID…");
                }
            } else {
                f.sending.set(Sending::Uploading { sent, total });
            }
        },
        move |end| answered(f, end),
        &selfie.file_name,
        &id.file_name,
    );
    if let Err(e) = started {
        fail(
            f,
            format!("The upload could not start ({e})."),
            Trouble::Network,
        );
    }
}

fn fail(f: Flow, message: String, trouble: Trouble) {
    f.say(message.clone());
    let origins = f.data.with_value(|d| d.allowed_origins.clone());
    browser::post_to_parent(
        &origins,
        browser::ParentMessage::Error {
            error: &message,
            retryable: !matches!(trouble, Trouble::Link),
        },
    );
    f.sending.set(Sending::Failed { message, trouble });
}

fn answered(f: Flow, end: UploadEnd) {
    match end {
        UploadEnd::NetworkFailed => fail(
            f,
            "The upload did not get through. Check your connection and try again; your video and photo are kept.".into(),
            Trouble::Network,
        ),
        UploadEnd::Answered { status: 200, body } => match serde_json::from_str::<SubmitSuccess>(&body) {
            Ok(ok) => done(f, ok),
            Err(_) => fail(f, "The answer from the server could not be read. Please try again.".into(), Trouble::Server),
        },
        UploadEnd::Answered { status, body } => {
            let message = serde_json::from_str::<ErrorBody>(&body)
                .map(|e| e.error)
                .unwrap_or_else(|_| format!("The server answered with an error ({status})."));
            let trouble = match status {
                400 | 413 | 415 | 422 => Trouble::Files,
                401 | 403 | 404 | 409 | 410 => Trouble::Link,
                _ => Trouble::Server,
            };
            fail(f, message, trouble);
        }
    }
}

fn done(f: Flow, ok: SubmitSuccess) {
    let status = ok.result.status;
    let (origins, redirect) = f
        .data
        .with_value(|d| (d.allowed_origins.clone(), d.redirect_url.clone()));
    let redirect = redirect.and_then(|u| browser::with_result(&u, &ok.check_id, status.as_str()));
    browser::post_to_parent(
        &origins,
        browser::ParentMessage::Completed {
            check_id: &ok.check_id,
            status: status.as_str(),
        },
    );
    // the page keeps nothing once the partner has it
    browser::discard(Slot::Selfie, f.selfie.get_untracked().as_ref());
    browser::discard(Slot::Id, f.id_photo.get_untracked().as_ref());
    f.outcome.set(Some(Outcome {
        check_id: ok.check_id,
        status,
        risk_factors: ok.result.verification_assessment.risk_factors,
        redirect: redirect.clone(),
    }));
    f.sending.set(Sending::Idle);
    f.go(Step::Done);
    f.say(match status {
        Status::Verified => "Done: your identity is verified.",
        Status::Review => "Done: your verification is under review.",
        Status::Rejected => "Done: your identity could not be verified.",
    });
    if let Some(url) = redirect {
        set_timeout(move || browser::go_to(&url), Duration::from_secs(4));
    }
}

#[component]
fn SubmitStep(f: Flow) -> impl IntoView {
    let sending = move || !matches!(f.sending.get(), Sending::Idle | Sending::Failed { .. });
    view! {
        <section class="card step" aria-labelledby="step-title">
            <h1 id="step-title" tabindex="-1">"Send for verification"</h1>
            <p>{move || format!("Your video and ID photo go to {} for this check only.", f.partner())}</p>
            <div class="review-media">
                {move || f.selfie.get().map(|m| view! { <video src=m.url muted=true playsinline=true aria-label="Your selfie video"></video> })}
                {move || f.id_photo.get().map(|m| view! { <img src=m.url alt="Your ID photo"/> })}
            </div>
            {move || match f.sending.get() {
                Sending::Uploading { sent, total } => Some(view! {
                    <label class="progress-label" for="upload-progress">{format!("Uploading {} of {}", mb(sent), mb(total))}</label>
                    <progress id="upload-progress" max=total value=sent></progress>
                }.into_any()),
                Sending::Processing => Some(view! {
                    <div class="processing" id="processing"><span class="spinner" aria-hidden="true"></span>"Checking your video and ID… this takes a few seconds."</div>
                }.into_any()),
                Sending::Failed { message, trouble } => Some(view! {
                    <div class="problem" role="alert" id="submit-problem">
                        <strong>{message}</strong>
                        {match trouble {
                            Trouble::Link => view! { <p>{format!("Return to {} and start the verification again.", f.partner())}</p> }.into_any(),
                            Trouble::Files => view! {
                                <div class="actions">
                                    <button class="secondary" id="retake-selfie" on:click=move |_| { f.sending.set(Sending::Idle); retake_selfie(f) }>"Record the video again"</button>
                                    <button class="secondary" id="retake-id" on:click=move |_| { f.sending.set(Sending::Idle); retake_id(f) }>"Choose another ID photo"</button>
                                </div>
                            }.into_any(),
                            Trouble::Network | Trouble::Server => view! {
                                <button class="primary" id="retry" on:click=move |_| submit(f)>"Try again"</button>
                            }.into_any(),
                        }}
                    </div>
                }.into_any()),
                Sending::Idle => None,
            }}
            <div class="actions" class:hidden=move || sending() || matches!(f.sending.get(), Sending::Failed { .. })>
                <button class="secondary" id="back" on:click=move |_| f.go(Step::Id)>"Back"</button>
                <button class="primary" id="submit" disabled=sending on:click=move |_| submit(f)>"Submit"</button>
            </div>
        </section>
    }
}

/// Advice for the user after a rejection, for the causes they can fix. Attack signals get none
/// (the table: `contract::RiskFactor`).
fn advice(code: &str) -> Option<&'static str> {
    crate::contract::RiskFactor::parse(code).and_then(crate::contract::RiskFactor::advice)
}

#[component]
fn DoneStep(f: Flow) -> impl IntoView {
    move || {
        f.outcome.get().map(|o| {
            let partner = f.partner();
            let (title, text) = match o.status {
                Status::Verified => ("You're verified", format!("Thank you. {partner} now knows that your identity is confirmed.")),
                Status::Review => ("Thanks, we're checking", format!("Your video and ID need a closer look by a person. {partner} will tell you the result.")),
                Status::Rejected => ("We could not verify you", format!("The video and the ID photo could not be confirmed as the same person. Ask {partner} for a new verification link to try again.")),
            };
            let mut tips: Vec<&'static str> = if o.status == Status::Rejected {
                o.risk_factors.iter().filter_map(|c| advice(c)).collect()
            } else {
                Vec::new()
            };
            tips.dedup();
            view! {
                <section class="card step result" aria-labelledby="step-title" data-status=o.status.as_str() id="result">
                    <div class=format!("badge {}", o.status.as_str()) aria-hidden="true">
                        {match o.status { Status::Verified => "✓", Status::Review => "…", Status::Rejected => "!" }}
                    </div>
                    <h1 id="step-title" tabindex="-1">{title}</h1>
                    <p>{text}</p>
                    {(!tips.is_empty()).then(|| view! {
                        <ul class="tips">{tips.into_iter().map(|t| view! { <li>{t}</li> }).collect_view()}</ul>
                    })}
                    <p class="meta">"Reference: "<code id="check-id">{o.check_id.clone()}</code></p>
                    {o.redirect.map(|url| view! {
                        <a class="button primary" id="continue" href=url>{format!("Continue to {partner}")}</a>
                    })}
                </section>
            }
        })
    }
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
        <main class="page capture" style=style data-hydrated=move || hydrated.get().to_string() data-step=move || format!("{:?}", f.step.get()).to_lowercase()>
            <header class="brand">
                {theme.logo_url.clone().map(|src| view! { <img class="logo" src=src alt=format!("{} logo", theme.display_name)/> })}
                <span class="brand-name">{theme.display_name.clone()}</span>
            </header>
            <Show when=move || f.step.get() != Step::Done>
                <ol class="steps" aria-label="Progress">
                    {Step::SHOWN.iter().enumerate().map(|(i, (s, label))| {
                        let s = *s;
                        let passed = move || f.step.get() as u8 > s as u8;
                        view! {
                            <li aria-current=move || (f.step.get() == s).then_some("step") class:done=passed>
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
                Step::Submit => view! { <SubmitStep f=f/> }.into_any(),
                Step::Done => view! { <DoneStep f=f/> }.into_any(),
            }}
            <p class="status" id="status" role="status" aria-live="polite">{move || f.status.get()}</p>
        </main>
    }
}
