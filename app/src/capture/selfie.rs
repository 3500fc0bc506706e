//! The selfie video step: camera, countdown, the live recording (the server sends each prompt
//! and screen colour when due: `live`), and the "upload a video" fallback with its review.

use crate::challenge::Prompt;

use super::*;

pub(super) fn start_camera(f: Flow, facing: Facing, video_id: &'static str) {
    f.problem.set(None);
    f.camera.set(Camera::Starting);
    f.say(f.t(Msg::CameraStarting));
    spawn_local(async move {
        match browser::open_camera(facing, video_id).await {
            Ok(()) => {
                f.camera.set(Camera::Live);
                f.say(f.t(match facing {
                    Facing::User => Msg::CameraReadySelfie,
                    Facing::Environment => Msg::CameraReadyId,
                }));
            }
            Err(e) => {
                f.say(camera_problem(f, &e).0);
                f.camera.set(Camera::Failed(e));
            }
        }
    });
}

/// Headline and help for a camera that did not start.
pub(super) fn camera_problem(f: Flow, e: &CameraError) -> (String, String) {
    let (head, help) = match e {
        CameraError::Denied => (
            Msg::CameraDenied,
            match browser::browser_family() {
                "firefox" => Msg::CameraDeniedHelpFirefox,
                "safari" => Msg::CameraDeniedHelpSafari,
                _ => Msg::CameraDeniedHelp,
            },
        ),
        CameraError::NoCamera => (Msg::CameraNone, Msg::CameraNoneHelp),
        CameraError::InUse => (Msg::CameraBusy, Msg::CameraBusyHelp),
        CameraError::Unsupported => (Msg::CameraUnsupported, Msg::CameraUnsupportedHelp),
        CameraError::Other(m) => {
            return (
                f.tf(Msg::CameraOther, &[("detail", m)]),
                f.t(Msg::CameraOtherHelp).to_string(),
            );
        }
    };
    (f.t(head).to_string(), f.t(help).to_string())
}

/// The selfie step begins: the camera starts and the live channel opens (its `welcome` sends
/// the ID photos while the user gets ready).
pub(super) fn begin_selfie(f: Flow) {
    if f.step.get_untracked() != Step::Selfie {
        f.go(Step::Selfie);
    }
    start_camera(f, Facing::User, "selfie-video");
    live::connect(f);
}

/// Record: the countdown, then the server starts the recording (`live`).
pub(super) fn record(f: Flow) {
    if browser::recorder_mime().is_none() {
        browser::close_camera();
        f.camera.set(Camera::Failed(CameraError::Unsupported));
        f.say(f.t(Msg::CannotRecord));
        return;
    }
    f.sending.set(Sending::Idle);
    live::connect(f);
    countdown(f, COUNTDOWN_SECONDS);
}

pub(super) fn countdown(f: Flow, n: u32) {
    if f.step.get_untracked() != Step::Selfie
        || !matches!(
            f.camera.get_untracked(),
            Camera::Live | Camera::Countdown(_)
        )
    {
        return;
    }
    f.camera.set(Camera::Countdown(n));
    if n == 0 {
        live::arm(f);
        return;
    }
    f.say(f.tf(Msg::Countdown, &[("n", &n.to_string())]));
    set_timeout(move || countdown(f, n - 1), Duration::from_secs(1));
}

/// How long a prompt stays on screen before "look at the camera" again (its response window).
const PROMPT_SHOWN_MS: u64 = 1_300;

/// Shows and announces a prompt the server just sent.
pub(super) fn show_prompt(f: Flow, p: Prompt) {
    if !matches!(f.camera.get_untracked(), Camera::Recording) {
        return;
    }
    f.cue.set(Some(p));
    f.say(f.t(p.msg()));
    set_timeout(
        move || {
            if f.cue.get_untracked() == Some(p) {
                f.cue.set(None);
            }
        },
        Duration::from_millis(PROMPT_SHOWN_MS),
    );
}

pub(super) fn set_selfie(f: Flow, m: Media) {
    if let Some(p) = too_big(
        f,
        Msg::TooBigVideo,
        &m,
        f.data.with_value(|d| d.max_video_bytes),
    ) {
        browser::discard(Slot::Selfie, Some(&m));
        f.problem.set(Some(p));
        return;
    }
    f.problem.set(None);
    f.selfie.set(Some(m));
    f.say(f.t(Msg::VideoReady));
    request_animation_frame(|| browser::focus("selfie-accept"));
}

pub(super) fn retake_selfie(f: Flow) {
    let old = f.selfie.get_untracked();
    browser::discard(Slot::Selfie, old.as_ref());
    f.selfie.set(None);
    f.sending.set(Sending::Idle);
    begin_selfie(f);
}

#[component]
pub(super) fn SelfieStep(f: Flow) -> impl IntoView {
    // the overlay follows the camera's state; the video element stays (the preview keeps
    // running from the countdown into the recording)
    let overlay = move || match f.camera.get() {
        Camera::Countdown(n) if n > 0 => {
            Some(view! { <div class="overlay count" aria-hidden="true">{n}</div> }.into_any())
        }
        Camera::Recording => {
            let text = move || f.t(f.cue.get().map_or(Msg::PromptLook, Prompt::msg));
            let cue = move || f.cue.get().map_or("cue", Prompt::css_class);
            let bar = move || {
                let ms = f.record_ms.get();
                (ms > 0).then(|| format!("animation-duration: {ms}ms"))
            };
            Some(view! {
                <div class="overlay prompt" id="challenge-prompt" data-cue=move || f.cue.get().map(Prompt::css_class)>
                    <span class="rec-dot" aria-hidden="true"></span>
                    <span class=cue aria-hidden="true"></span>
                    {text}
                </div>
                <div class="rec-bar" aria-hidden="true">{move || bar().map(|b| view! { <span style=b></span> })}</div>
            }.into_any())
        }
        Camera::Starting => {
            Some(view! { <div class="overlay note">{f.t(Msg::CameraStarting)}</div> }.into_any())
        }
        _ => None,
    };
    // the screen's light: a wide frame of the server's colour around the preview
    let light = move || {
        f.light
            .get()
            .map(|[r, g, b]| format!("--light: rgb({r}, {g}, {b})"))
    };
    let camera_view = move || {
        view! {
            <div
                class="camera"
                id="selfie-camera"
                class:recording=move || matches!(f.camera.get(), Camera::Recording)
                class:lit=move || f.light.get().is_some()
                data-light=move || f.light.get().map(|[r, g, b]| format!("{r},{g},{b}"))
                style=light
            >
                <video id="selfie-video" class="mirror" autoplay=true playsinline=true prop:muted=true aria-label=f.t(Msg::CameraPreview)></video>
                <div class="guide oval" aria-hidden="true"></div>
                {overlay}
            </div>
        }
    };
    let failed = move || match f.camera.get() {
        Camera::Failed(e) => {
            let (head, help) = camera_problem(f, &e);
            Some(view! {
                <div class="problem" role="alert" id="camera-problem">
                    <strong>{head}</strong>
                    <p>{help}</p>
                    <button class="secondary" id="camera-retry" on:click=move |_| start_camera(f, Facing::User, "selfie-video")>{f.t(Msg::TryAgain)}</button>
                    {f.data.with_value(|d| d.help_url.clone()).map(|url| view! {
                        <p><a id="camera-help" href=url target="_blank" rel="noopener">{f.tp(Msg::HelpLink)}</a></p>
                    })}
                </div>
            })
        }
        _ => None,
    };
    view! {
        <section class="card step" aria-labelledby="step-title">
            <h1 id="step-title" tabindex="-1">{f.t(Msg::SelfieTitle)}</h1>
            {move || match f.selfie.get() {
                None => view! {
                    <p>{f.tc(Msg::SelfieIntroChallenge, u64::from(RECORD_SECONDS))}</p>
                    <p class="light-note">{f.t(Msg::SelfieLight)}</p>
                    {camera_view}
                    {failed}
                    <SendingPanel f=f live=true/>
                    <button
                        class="primary"
                        id="record"
                        class:hidden=move || !matches!(f.sending.get(), Sending::Idle)
                        disabled=move || f.camera.get() != Camera::Live
                        on:click=move |_| record(f)
                    >
                        {move || f.t(match f.camera.get() {
                            Camera::Countdown(_) | Camera::Recording => Msg::Recording,
                            _ => Msg::Record,
                        })}
                    </button>
                    <div class:hidden=move || matches!(f.sending.get(), Sending::Processing)>
                    <p class="meta" id="no-challenge-help">{f.t(Msg::NoCameraHelp)}</p>
                    <FilePick id="selfie-file" accept="video/*" capture="user" label=f.t(Msg::UploadVideo)
                        on_pick=move || {
                            if let Some(m) = browser::take_file("selfie-file", Slot::Selfie) {
                                browser::close_camera();
                                f.camera.set(Camera::Off);
                                // a file answered no prompt: scored on passive evidence, at
                                // most to review (the multipart upload)
                                live::close(f);
                                f.sending.set(Sending::Idle);
                                set_selfie(f, m);
                            }
                        }/>
                    </div>
                }.into_any(),
                Some(m) => view! {
                    <p>{f.t(Msg::SelfieCheck)}</p>
                    <video id="selfie-playback" class="playback" src=m.url controls=true playsinline=true aria-label=f.t(Msg::YourSelfie)></video>
                    <p class="meta">{format!("{} · {}", m.file_name, f.size(m.size as f64))}</p>
                    <div class="actions">
                        <button class="secondary" id="selfie-retake" on:click=move |_| retake_selfie(f)>{f.t(Msg::RecordAgain)}</button>
                        <button class="primary" id="selfie-accept" on:click=move |_| { f.go(Step::Submit); f.say(f.t(Msg::ReadyToSend)); }>{f.t(Msg::UseVideo)}</button>
                    </div>
                }.into_any(),
            }}
        </section>
    }
}

/// A file input styled as a button (the input stays focusable for keyboards).
#[component]
pub(super) fn FilePick(
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
