//! The selfie video step: camera, countdown, the recording with the server's challenge (each
//! prompt shown at its time, announced, and its time on the recording's clock noted for the
//! upload), review.

use crate::challenge::Prompt;

use super::*;

pub(super) fn start_camera(f: Flow, facing: Facing, video_id: &'static str) {
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
pub(super) fn camera_problem(e: &CameraError) -> (String, String) {
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

pub(super) fn record(f: Flow) {
    let Some(mime) = browser::recorder_mime() else {
        browser::close_camera();
        f.camera.set(Camera::Failed(CameraError::Unsupported));
        f.say("This browser cannot record video. Upload a short video of your face instead.");
        return;
    };
    countdown(f, mime, COUNTDOWN_SECONDS);
}

pub(super) fn countdown(f: Flow, mime: &'static str, n: u32) {
    if f.step.get_untracked() != Step::Selfie {
        return;
    }
    if n == 0 {
        if let Err(e) = browser::start_recording(mime, move |r| recorded(f, r)) {
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
    f.say(format!("Recording starts in {n}…"));
    set_timeout(move || countdown(f, mime, n - 1), Duration::from_secs(1));
}

/// The challenge prompt for second `s` of the recording.
pub(super) fn prompt(s: u32) -> &'static str {
    match s {
        0 | 1 => "Look straight at the camera",
        2 | 3 => "Slowly turn your head to the left",
        _ => "Now slowly turn your head to the right",
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
    f.say(p.text());
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
        f.say("Finishing the recording…");
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
        f.say("Finishing the recording…");
        return;
    }
    f.camera.set(Camera::Recording(s));
    if seconds != u32::MAX && s.is_multiple_of(2) {
        f.say(prompt(s));
    }
    set_timeout(move || recording(f, s + 1, seconds), Duration::from_secs(1));
}

pub(super) fn recorded(f: Flow, r: Result<Media, String>) {
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

pub(super) fn set_selfie(f: Flow, m: Media) {
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
                <video id="selfie-video" class="mirror" autoplay=true playsinline=true prop:muted=true aria-label="Camera preview"></video>
                <div class="guide oval" aria-hidden="true"></div>
                {match cam {
                    Camera::Countdown(n) => Some(view! { <div class="overlay count" aria-hidden="true">{n}</div> }.into_any()),
                    Camera::Recording(s) => {
                        let challenge = f.data.with_value(|d| d.challenge.is_some());
                        let text = move || match f.cue.get() {
                            Some(p) => p.text(),
                            None if challenge => "Look straight at the camera",
                            None => prompt(s),
                        };
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
                    <p>{move || match f.data.with_value(|d| d.challenge.as_ref().map(|c| c.record_ms.div_ceil(1000))) {
                        Some(secs) => format!("Hold your phone at eye level in good light. While recording, short prompts ask you to turn your head, look up or blink: do each one when it appears, then look back at the camera. It takes about {secs} seconds."),
                        None => format!("Hold your phone at eye level in good light. When recording starts, look at the camera, then turn your head slowly to the left, then to the right. It takes {RECORD_SECONDS} seconds."),
                    }}</p>
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
                    <p class="meta" id="no-challenge-help">"Can't do the movements, or no camera here? Upload a short video of your face instead: a person will review it, which takes longer."</p>
                    <FilePick id="selfie-file" accept="video/*" capture="user" label="Upload a recorded video instead"
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
