//! The selfie video step: camera, countdown, the recording with the server's challenge (each
//! prompt shown at its time, announced, and its time on the recording's clock noted for the
//! upload), review.

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

pub(super) fn record(f: Flow) {
    let Some(mime) = browser::recorder_mime() else {
        browser::close_camera();
        f.camera.set(Camera::Failed(CameraError::Unsupported));
        f.say(f.t(Msg::CannotRecord));
        return;
    };
    countdown(f, mime, COUNTDOWN_SECONDS);
}

pub(super) fn countdown(f: Flow, mime: &'static str, n: u32) {
    if f.step.get_untracked() != Step::Selfie {
        return;
    }
    if n == 0 {
        let bits = f.data.with_value(|d| d.video_bits_per_second);
        if let Err(e) = browser::start_recording(mime, bits, move |r| recorded(f, r)) {
            f.camera.set(Camera::Failed(CameraError::Other(e)));
            return;
        }
        let started = js_sys::Date::now();
        match f.data.with_value(|d| d.challenge.clone()) {
            Some(c) => {
                f.timeline.set(Some(Vec::new()));
                for step in c.steps {
                    set_timeout(
                        move || show_prompt(f, step.prompt, started),
                        Duration::from_millis(u64::from(step.at_ms)),
                    );
                }
                set_timeout(
                    move || finish_recording(f),
                    Duration::from_millis(u64::from(c.record_ms)),
                );
                f.cue.set(None);
                recording(f, 0, u32::MAX);
            }
            None => {
                f.timeline.set(None);
                recording(f, 0, RECORD_SECONDS);
            }
        }
        return;
    }
    f.camera.set(Camera::Countdown(n));
    f.say(f.tf(Msg::Countdown, &[("n", &n.to_string())]));
    set_timeout(move || countdown(f, mime, n - 1), Duration::from_secs(1));
}

/// The prompt for second `s` of a recording without a challenge.
pub(super) fn prompt(s: u32) -> Msg {
    match s {
        0 | 1 => Msg::PromptLook,
        2 | 3 => Msg::PromptLeftSlow,
        _ => Msg::PromptRightSlow,
    }
}

/// How long a prompt stays on screen before "look at the camera" again (its response window).
const PROMPT_SHOWN_MS: u64 = 1_300;

/// Shows and announces a challenge prompt, and notes when it appeared on the recording's clock.
fn show_prompt(f: Flow, p: Prompt, started: f64) {
    if !matches!(f.camera.get_untracked(), Camera::Recording(_)) {
        return;
    }
    let at = (js_sys::Date::now() - started).max(0.0) as u32;
    f.timeline.update(|t| {
        if let Some(t) = t {
            t.push(at);
        }
    });
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

fn finish_recording(f: Flow) {
    if matches!(f.camera.get_untracked(), Camera::Recording(_)) {
        f.cue.set(None);
        browser::stop_recording();
        f.say(f.t(Msg::RecordingFinishing));
    }
}

/// Second `s` of the recording; a recording without a challenge stops after `seconds`.
pub(super) fn recording(f: Flow, s: u32, seconds: u32) {
    if !matches!(
        f.camera.get_untracked(),
        Camera::Recording(_) | Camera::Countdown(_)
    ) {
        return;
    }
    if s >= seconds {
        browser::stop_recording();
        f.say(f.t(Msg::RecordingFinishing));
        return;
    }
    f.camera.set(Camera::Recording(s));
    if seconds != u32::MAX && s.is_multiple_of(2) {
        f.say(f.t(prompt(s)));
    }
    set_timeout(move || recording(f, s + 1, seconds), Duration::from_secs(1));
}

pub(super) fn recorded(f: Flow, r: Result<Media, String>) {
    browser::close_camera();
    f.camera.set(Camera::Off);
    match r {
        Ok(m) => set_selfie(f, m),
        Err(e) => {
            f.problem
                .set(Some(f.tf(Msg::RecordingFailed, &[("detail", &e)])));
            f.camera.set(Camera::Failed(CameraError::Other(e)));
        }
    }
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
    if f.step.get_untracked() != Step::Selfie {
        f.go(Step::Selfie);
    }
    start_camera(f, Facing::User, "selfie-video");
}

#[component]
pub(super) fn SelfieStep(f: Flow) -> impl IntoView {
    let camera_view = move || {
        let cam = f.camera.get();
        let recording = matches!(cam, Camera::Recording(_));
        view! {
            <div class="camera" class:recording=recording>
                <video id="selfie-video" class="mirror" autoplay=true playsinline=true prop:muted=true aria-label=f.t(Msg::CameraPreview)></video>
                <div class="guide oval" aria-hidden="true"></div>
                {match cam {
                    Camera::Countdown(n) => Some(view! { <div class="overlay count" aria-hidden="true">{n}</div> }.into_any()),
                    Camera::Recording(s) => {
                        let challenge = f.data.with_value(|d| d.challenge.is_some());
                        let text = move || f.t(match f.cue.get() {
                            Some(p) => p.msg(),
                            None if challenge => Msg::PromptLook,
                            None => prompt(s),
                        });
                        let cue = move || f.cue.get().map_or("cue", Prompt::css_class);
                        let bar = f.data.with_value(|d| {
                            d.challenge.as_ref().map(|c| format!("animation-duration: {}ms", c.record_ms))
                        });
                        Some(view! {
                            <div class="overlay prompt" id="challenge-prompt" data-cue=move || f.cue.get().map(Prompt::css_class)>
                                <span class="rec-dot" aria-hidden="true"></span>
                                <span class=cue aria-hidden="true"></span>
                                {text}
                            </div>
                            <div class="rec-bar" aria-hidden="true"><span style=bar></span></div>
                        }.into_any())
                    }
                    Camera::Starting => Some(view! { <div class="overlay note">{f.t(Msg::CameraStarting)}</div> }.into_any()),
                    _ => None,
                }}
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
                    <p>{move || match f.data.with_value(|d| d.challenge.as_ref().map(|c| c.record_ms.div_ceil(1000))) {
                        Some(secs) => f.tc(Msg::SelfieIntroChallenge, u64::from(secs)),
                        None => f.tc(Msg::SelfieIntro, u64::from(RECORD_SECONDS)),
                    }}</p>
                    {camera_view}
                    {failed}
                    <button
                        class="primary"
                        id="record"
                        disabled=move || f.camera.get() != Camera::Live
                        on:click=move |_| record(f)
                    >
                        {move || f.t(match f.camera.get() {
                            Camera::Countdown(_) | Camera::Recording(_) => Msg::Recording,
                            _ => Msg::Record,
                        })}
                    </button>
                    <p class="meta" id="no-challenge-help">{f.t(Msg::NoCameraHelp)}</p>
                    <FilePick id="selfie-file" accept="video/*" capture="user" label=f.t(Msg::UploadVideo)
                        on_pick=move || {
                            if let Some(m) = browser::take_file("selfie-file", Slot::Selfie) {
                                browser::close_camera();
                                f.camera.set(Camera::Off);
                                // a file answered no challenge: scored on passive evidence,
                                // at most to review
                                f.timeline.set(None);
                                set_selfie(f, m);
                            }
                        }/>
                }.into_any(),
                Some(m) => view! {
                    <p>{f.t(Msg::SelfieCheck)}</p>
                    <video id="selfie-playback" class="playback" src=m.url controls=true playsinline=true aria-label=f.t(Msg::YourSelfie)></video>
                    <p class="meta">{format!("{} · {}", m.file_name, f.size(m.size as f64))}</p>
                    <div class="actions">
                        <button class="secondary" id="selfie-retake" on:click=move |_| retake_selfie(f)>{f.t(Msg::RecordAgain)}</button>
                        <button class="primary" id="selfie-accept" on:click=move |_| { f.go(Step::Id); f.say(f.t(Msg::NowId)); }>{f.t(Msg::UseVideo)}</button>
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
