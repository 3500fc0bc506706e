//! The browser side of the capture page: camera, recording, snapshots, file picks, the upload
//! with progress, and messages to a framing partner page. Compiled for every target (web-sys
//! builds anywhere) but only called from event handlers and effects, which run in the browser.
//!
//! Recorded and picked files stay in the browser as `Blob`s in [`SLOTS`]; the reactive state
//! only holds plain descriptions ([`Media`]) so it stays `Send + Sync` for the server render.

use std::cell::RefCell;

use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use web_sys::{Blob, HtmlVideoElement, MediaRecorder, MediaStream};

/// Which file a blob is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Selfie = 0,
    Id = 1,
    /// The back of an ID card or driving licence.
    IdBack = 2,
}

/// A captured or picked file, as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Media {
    /// `blob:` URL for the preview.
    pub url: String,
    pub size: u64,
    pub file_name: String,
}

/// Which camera.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Facing {
    User,
    Environment,
}

/// Why the camera could not start, in the user's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CameraError {
    /// The user or the browser refused camera access.
    Denied,
    /// No camera on this device.
    NoCamera,
    /// Another application holds the camera.
    InUse,
    /// No camera API (an old browser, or a page not served securely).
    Unsupported,
    Other(String),
}

thread_local! {
    static SLOTS: RefCell<[Option<Blob>; 3]> = const { RefCell::new([None, None, None]) };
    static CAMERA: RefCell<Option<MediaStream>> = const { RefCell::new(None) };
    static RECORDER: RefCell<Option<Recording>> = const { RefCell::new(None) };
    static UPLOAD: RefCell<Option<Upload>> = const { RefCell::new(None) };
    static LIVE: RefCell<Option<LiveSocket>> = const { RefCell::new(None) };
}

/// The live recording's socket (`GET /verif/live`) and its handlers.
struct LiveSocket {
    ws: web_sys::WebSocket,
    _handlers: [Closure<dyn FnMut(JsValue)>; 3],
}

/// What the live socket reports.
pub enum LiveEvent {
    Open,
    /// A text message (JSON).
    Text(String),
    /// Closed by the server or the network (never reported for [`live_close`]).
    Closed,
}

struct Recording {
    recorder: MediaRecorder,
    _on_data: Closure<dyn FnMut(web_sys::BlobEvent)>,
}

struct Upload {
    _xhr: web_sys::XmlHttpRequest,
    _on_progress: Closure<dyn FnMut(web_sys::ProgressEvent)>,
}

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

fn element<T: JsCast>(id: &str) -> Option<T> {
    window()?
        .document()?
        .get_element_by_id(id)?
        .dyn_into::<T>()
        .ok()
}

/// Keeps `blob` as the file of `slot` and describes it.
fn keep(slot: Slot, blob: Blob, file_name: String) -> Media {
    let url = web_sys::Url::create_object_url_with_blob(&blob).unwrap_or_default();
    let size = blob.size() as u64;
    SLOTS.with(|s| s.borrow_mut()[slot as usize] = Some(blob));
    Media {
        url,
        size,
        file_name,
    }
}

/// Forgets the file of `slot` and its preview URL.
pub fn discard(slot: Slot, media: Option<&Media>) {
    SLOTS.with(|s| s.borrow_mut()[slot as usize] = None);
    if let Some(m) = media {
        let _ = web_sys::Url::revoke_object_url(&m.url);
    }
}

fn camera_error(e: &JsValue) -> CameraError {
    let name = e
        .dyn_ref::<web_sys::DomException>()
        .map(|d| d.name())
        .unwrap_or_default();
    match name.as_str() {
        "NotAllowedError" | "SecurityError" | "PermissionDeniedError" => CameraError::Denied,
        "NotFoundError" | "DevicesNotFoundError" | "OverconstrainedError" => CameraError::NoCamera,
        "NotReadableError" | "TrackStartError" | "AbortError" => CameraError::InUse,
        _ => CameraError::Other(
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .unwrap_or(name),
        ),
    }
}

fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o.into()
}

fn ideal(v: JsValue) -> JsValue {
    obj(&[("ideal", v)])
}

/// Starts the camera into the `<video id=video_id>` element.
pub async fn open_camera(facing: Facing, video_id: &str) -> Result<(), CameraError> {
    close_camera();
    let devices = window()
        .and_then(|w| w.navigator().media_devices().ok())
        .filter(|d| !JsValue::from(d).is_undefined())
        .ok_or(CameraError::Unsupported)?;
    let (mode, w, h) = match facing {
        Facing::User => ("user", 640.0, 480.0),
        Facing::Environment => ("environment", 1920.0, 1080.0),
    };
    let constraints = web_sys::MediaStreamConstraints::new();
    constraints.set_audio(&JsValue::FALSE);
    constraints.set_video(&obj(&[
        ("facingMode", ideal(JsValue::from_str(mode))),
        ("width", ideal(JsValue::from_f64(w))),
        ("height", ideal(JsValue::from_f64(h))),
    ]));
    let promise = devices
        .get_user_media_with_constraints(&constraints)
        .map_err(|e| camera_error(&e))?;
    let stream: MediaStream = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|e| camera_error(&e))?
        .unchecked_into();
    let Some(video) = element::<HtmlVideoElement>(video_id) else {
        stop_tracks(&stream);
        return Err(CameraError::Other("the page changed".into()));
    };
    video.set_muted(true);
    video.set_src_object(Some(&stream));
    CAMERA.with(|c| *c.borrow_mut() = Some(stream));
    if let Ok(p) = video.play() {
        let _ = wasm_bindgen_futures::JsFuture::from(p).await;
    }
    Ok(())
}

fn stop_tracks(stream: &MediaStream) {
    for t in stream.get_tracks().iter() {
        if let Ok(t) = t.dyn_into::<web_sys::MediaStreamTrack>() {
            t.stop();
        }
    }
}

/// Stops the camera (its light goes off).
pub fn close_camera() {
    if let Some(s) = CAMERA.with(|c| c.borrow_mut().take()) {
        stop_tracks(&s);
    }
}

/// The first container this browser records: WebM (VP9, VP8) in Chromium and Firefox, MP4 in
/// Safari. `None` when MediaRecorder is missing.
pub fn recorder_mime() -> Option<&'static str> {
    let w = window()?;
    if !js_sys::Reflect::has(&w, &JsValue::from_str("MediaRecorder")).unwrap_or(false) {
        return None;
    }
    [
        "video/webm;codecs=vp9",
        "video/webm;codecs=vp8",
        "video/webm",
        "video/mp4;codecs=avc1",
        "video/mp4",
    ]
    .into_iter()
    .find(|m| MediaRecorder::is_type_supported(m))
}

/// Opens the live socket at `path` on the page's own origin (closing one that is open);
/// `on` hears what happens to it.
pub fn live_open(path: &str, on: impl Fn(LiveEvent) + 'static) -> Result<(), String> {
    live_close();
    let location = window().ok_or("no window")?.location();
    let scheme = match location.protocol().as_deref() {
        Ok("https:") => "wss:",
        _ => "ws:",
    };
    let host = location.host().map_err(|e| format!("{e:?}"))?;
    let ws = web_sys::WebSocket::new(&format!("{scheme}//{host}{path}"))
        .map_err(|e| format!("{e:?}"))?;
    let on = std::rc::Rc::new(on);
    let opened = {
        let on = on.clone();
        Closure::<dyn FnMut(JsValue)>::new(move |_| on(LiveEvent::Open))
    };
    let message = {
        let on = on.clone();
        Closure::<dyn FnMut(JsValue)>::new(move |ev: JsValue| {
            if let Some(text) = ev
                .dyn_ref::<web_sys::MessageEvent>()
                .and_then(|m| m.data().as_string())
            {
                on(LiveEvent::Text(text));
            }
        })
    };
    let closed = Closure::<dyn FnMut(JsValue)>::new(move |_| {
        LIVE.with(|l| l.borrow_mut().take());
        on(LiveEvent::Closed);
    });
    ws.set_onopen(Some(opened.as_ref().unchecked_ref()));
    ws.set_onmessage(Some(message.as_ref().unchecked_ref()));
    ws.set_onclose(Some(closed.as_ref().unchecked_ref()));
    LIVE.with(|l| {
        *l.borrow_mut() = Some(LiveSocket {
            ws,
            _handlers: [opened, message, closed],
        })
    });
    Ok(())
}

/// Sends a text message on the live socket; `false` when none is open.
pub fn live_send(text: &str) -> bool {
    LIVE.with(|l| {
        l.borrow()
            .as_ref()
            .is_some_and(|s| s.ws.send_with_str(text).is_ok())
    })
}

/// Sends `blob` on the live socket as binary frames of at most `crate::live::MAX_FRAME_BYTES`,
/// each its `kind` byte and the next piece. The socket sends in order, so a text message sent
/// after this goes after the last piece.
fn live_send_blob(kind: crate::live::Kind, blob: &Blob) -> Result<(), String> {
    let err = |e: JsValue| format!("{e:?}");
    let piece = (crate::live::MAX_FRAME_BYTES - 1) as f64;
    let head = js_sys::Uint8Array::from(&[kind as u8][..]);
    LIVE.with(|l| {
        let l = l.borrow();
        let ws = &l.as_ref().ok_or("the live connection is closed")?.ws;
        let mut at = 0.0;
        while at < blob.size() {
            let part = blob
                .slice_with_f64_and_f64(at, (at + piece).min(blob.size()))
                .map_err(err)?;
            let parts = js_sys::Array::of2(&head, &part);
            ws.send_with_blob(&Blob::new_with_blob_sequence(&parts).map_err(err)?)
                .map_err(err)?;
            at += piece;
        }
        Ok(())
    })
}

/// Sends the kept file of `slot` on the live socket as `kind`.
pub fn live_send_file(kind: crate::live::Kind, slot: Slot) -> Result<(), String> {
    let blob = SLOTS
        .with(|s| s.borrow()[slot as usize].clone())
        .ok_or("a file is missing")?;
    live_send_blob(kind, &blob)
}

/// Closes the live socket, if one is open, without reporting it.
pub fn live_close() {
    if let Some(s) = LIVE.with(|l| l.borrow_mut().take()) {
        s.ws.set_onopen(None);
        s.ws.set_onmessage(None);
        s.ws.set_onclose(None);
        let _ = s.ws.close();
    }
}

/// Whether the user asked the system for reduced motion.
pub fn reduced_motion() -> bool {
    window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|m| m.matches())
}

/// Records the running camera in chunks of `timeslice_ms`, each sent on the live socket as it
/// comes, until [`stop_recording`]; `done` runs once the last chunk is queued.
pub fn start_streaming(
    mime: &'static str,
    bits_per_second: u32,
    timeslice_ms: u32,
    done: impl FnOnce(Result<(), String>) + 'static,
) -> Result<(), String> {
    let stream = CAMERA
        .with(|c| c.borrow().clone())
        .ok_or("the camera is not running")?;
    let opts = web_sys::MediaRecorderOptions::new();
    opts.set_mime_type(mime);
    if bits_per_second > 0 {
        opts.set_video_bits_per_second(bits_per_second);
    }
    let recorder = MediaRecorder::new_with_media_stream_and_media_recorder_options(&stream, &opts)
        .map_err(|e| format!("{e:?}"))?;
    let failed = std::rc::Rc::new(RefCell::new(None::<String>));
    let on_data = {
        let failed = failed.clone();
        Closure::<dyn FnMut(web_sys::BlobEvent)>::new(move |ev: web_sys::BlobEvent| {
            if let Some(b) = ev.data()
                && b.size() > 0.0
                && let Err(e) = live_send_blob(crate::live::Kind::Video, &b)
            {
                failed.borrow_mut().get_or_insert(e);
            }
        })
    };
    recorder.set_ondataavailable(Some(on_data.as_ref().unchecked_ref()));
    let on_stop = Closure::once_into_js(move || {
        RECORDER.with(|r| r.borrow_mut().take());
        done(failed.borrow_mut().take().map_or(Ok(()), Err));
    });
    recorder.set_onstop(Some(on_stop.unchecked_ref()));
    recorder
        .start_with_time_slice(i32::try_from(timeslice_ms).unwrap_or(250))
        .map_err(|e| format!("{e:?}"))?;
    RECORDER.with(|r| {
        *r.borrow_mut() = Some(Recording {
            recorder,
            _on_data: on_data,
        })
    });
    Ok(())
}

/// Ends the recording started by [`start_streaming`].
pub fn stop_recording() {
    RECORDER.with(|r| {
        if let Some(rec) = r.borrow().as_ref()
            && rec.recorder.state() != web_sys::RecordingState::Inactive
        {
            let _ = rec.recorder.stop();
        }
    });
}

/// A JPEG of the current camera frame, at the camera's full resolution, kept as `slot` under
/// `file_name`; `done` gets it.
pub fn snapshot(
    video_id: &str,
    slot: Slot,
    file_name: &'static str,
    done: impl FnOnce(Result<Media, String>) + 'static,
) -> Result<(), String> {
    let video = element::<HtmlVideoElement>(video_id).ok_or("no camera view")?;
    let (w, h) = (video.video_width(), video.video_height());
    if w == 0 || h == 0 {
        return Err("the camera has no picture yet".into());
    }
    let doc = window().and_then(|w| w.document()).ok_or("no document")?;
    let canvas: web_sys::HtmlCanvasElement = doc
        .create_element("canvas")
        .map_err(|e| format!("{e:?}"))?
        .unchecked_into();
    canvas.set_width(w);
    canvas.set_height(h);
    let ctx: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .ok_or("no 2d canvas")?
        .unchecked_into();
    ctx.draw_image_with_html_video_element_and_dw_and_dh(
        &video,
        0.0,
        0.0,
        f64::from(w),
        f64::from(h),
    )
    .map_err(|e| format!("{e:?}"))?;
    let cb = Closure::once_into_js(move |b: JsValue| match b.dyn_into::<Blob>() {
        Ok(b) => done(Ok(keep(slot, b, file_name.into()))),
        Err(_) => done(Err("the photo could not be made".into())),
    });
    canvas
        .to_blob_with_type_and_encoder_options(
            cb.unchecked_ref(),
            "image/jpeg",
            &JsValue::from_f64(0.92),
        )
        .map_err(|e| format!("{e:?}"))
}

/// The file chosen in `<input type=file id=input_id>`, kept as `slot`.
pub fn take_file(input_id: &str, slot: Slot) -> Option<Media> {
    let input = element::<web_sys::HtmlInputElement>(input_id)?;
    let file = input.files()?.get(0)?;
    let name = file.name();
    // let the same file be chosen again after a retake
    input.set_value("");
    Some(keep(slot, file.into(), name))
}

/// How an upload ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadEnd {
    /// The server answered (any status) with this body.
    Answered { status: u16, body: String },
    /// No answer: the network failed or timed out.
    NetworkFailed,
}

/// One kept file of an upload: its form field, its slot and the file name sent.
pub struct UploadFile<'a> {
    pub field: &'a str,
    pub slot: Slot,
    pub file_name: &'a str,
}

/// Sends the kept `files` and the non-empty `fields` as `multipart/form-data` to `url` with
/// `XMLHttpRequest` (fetch reports no upload progress). `progress(sent, total)` follows the
/// bytes on the wire.
pub fn upload(
    url: &str,
    fields: &[(&str, &str)],
    files: &[UploadFile<'_>],
    progress: impl Fn(f64, f64) + 'static,
    done: impl FnOnce(UploadEnd) + 'static,
) -> Result<(), String> {
    let blobs = SLOTS.with(|s| {
        let s = s.borrow();
        files
            .iter()
            .map(|f| s[f.slot as usize].clone())
            .collect::<Option<Vec<Blob>>>()
    });
    let Some(blobs) = blobs else {
        return Err("a file is missing".into());
    };
    let err = |e: JsValue| format!("{e:?}");
    let form = web_sys::FormData::new().map_err(err)?;
    for (k, v) in fields.iter().filter(|(_, v)| !v.is_empty()) {
        form.append_with_str(k, v).map_err(err)?;
    }
    for (f, blob) in files.iter().zip(&blobs) {
        form.append_with_blob_and_filename(f.field, blob, f.file_name)
            .map_err(err)?;
    }
    let xhr = web_sys::XmlHttpRequest::new().map_err(err)?;
    xhr.open_with_async("POST", url, true).map_err(err)?;
    xhr.set_request_header("Accept", "application/json")
        .map_err(err)?;
    // uploads of a few MB on a slow phone line; the server answers within seconds after that
    xhr.set_timeout(180_000);
    let on_progress =
        Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |ev: web_sys::ProgressEvent| {
            if ev.length_computable() {
                progress(ev.loaded(), ev.total());
            }
        });
    xhr.upload()
        .map_err(err)?
        .set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    let done = std::rc::Rc::new(RefCell::new(Some(done)));
    let finish = {
        let xhr = xhr.clone();
        move |network_failed: bool| {
            UPLOAD.with(|u| u.borrow_mut().take());
            let Some(done) = done.borrow_mut().take() else {
                return;
            };
            let status = xhr.status().unwrap_or(0);
            if network_failed || status == 0 {
                done(UploadEnd::NetworkFailed);
            } else {
                let body = xhr.response_text().ok().flatten().unwrap_or_default();
                done(UploadEnd::Answered { status, body });
            }
        }
    };
    let f1 = finish.clone();
    let on_load = Closure::once_into_js(move || f1(false));
    let f2 = finish.clone();
    let on_error = Closure::once_into_js(move || f2(true));
    let on_timeout = Closure::once_into_js(move || finish(true));
    xhr.set_onload(Some(on_load.unchecked_ref()));
    xhr.set_onerror(Some(on_error.unchecked_ref()));
    xhr.set_ontimeout(Some(on_timeout.unchecked_ref()));
    xhr.send_with_opt_form_data(Some(&form)).map_err(err)?;
    UPLOAD.with(|u| {
        *u.borrow_mut() = Some(Upload {
            _xhr: xhr,
            _on_progress: on_progress,
        })
    });
    Ok(())
}

/// Whether the page runs inside another page's frame.
pub fn framed() -> bool {
    window()
        .and_then(|w| {
            let parent = w.parent().ok().flatten()?;
            Some(!js_sys::Object::is(&parent, &w))
        })
        .unwrap_or(false)
}

/// A message for the framing page.
pub enum ParentMessage<'a> {
    /// `{type: "idv:completed", check_id, status}`
    Completed { check_id: &'a str, status: &'a str },
    /// `{type: "idv:error", error, retryable}`
    Error { error: &'a str, retryable: bool },
}

/// Posts `message` to the framing page, addressed to each of the partner's allowed origins:
/// the browser delivers it only if the parent is one of them. Never to `*`.
pub fn post_to_parent(origins: &[String], message: ParentMessage<'_>) {
    if !framed() {
        return;
    }
    let Some(parent) = window().and_then(|w| w.parent().ok().flatten()) else {
        return;
    };
    let s = JsValue::from_str;
    let value = match message {
        ParentMessage::Completed { check_id, status } => obj(&[
            ("type", s("idv:completed")),
            ("check_id", s(check_id)),
            ("status", s(status)),
        ]),
        ParentMessage::Error { error, retryable } => obj(&[
            ("type", s("idv:error")),
            ("error", s(error)),
            ("retryable", JsValue::from_bool(retryable)),
        ]),
    };
    for origin in origins {
        let _ = parent.post_message(&value, origin);
    }
}

/// Sends the browser to `url`.
pub fn go_to(url: &str) {
    if let Some(w) = window() {
        let _ = w.location().assign(url);
    }
}

/// `url` with `check_id` and `status` added to its query.
pub fn with_result(url: &str, check_id: &str, status: &str) -> Option<String> {
    let u = web_sys::Url::new(url).ok()?;
    u.search_params().set("check_id", check_id);
    u.search_params().set("status", status);
    Some(u.href())
}

/// Moves keyboard and screen-reader focus to the element (a step's heading).
pub fn focus(id: &str) {
    if let Some(el) = element::<web_sys::HtmlElement>(id) {
        let _ = el.focus();
    }
}

/// Which browser family, for help text about camera permissions.
pub fn browser_family() -> &'static str {
    let ua = window()
        .and_then(|w| w.navigator().user_agent().ok())
        .unwrap_or_default();
    if ua.contains("Firefox/") {
        "firefox"
    } else if ua.contains("Safari/") && !ua.contains("Chrome/") && !ua.contains("Chromium/") {
        "safari"
    } else {
        "chromium"
    }
}

/// Removes the partner's API key from the address bar (and so from the history and bookmarks).
pub fn strip_api_key_from_address_bar() {
    let Some(window) = window() else {
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
            let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url.href()));
        }
    }
}

/// The document's `lang` and `dir` (the server writes them for the first language; a switch
/// changes them here), and the switcher's choice (its option's value is the language's index).
pub fn show_language(text: &crate::i18n::PageText) {
    let Some(doc) = window().and_then(|w| w.document()) else {
        return;
    };
    if let Some(root) = doc.document_element() {
        let _ = root.set_attribute("lang", text.tag());
        let _ = root.set_attribute("dir", text.dir());
    }
    if let Some(select) = doc.get_element_by_id("language") {
        let _ = js_sys::Reflect::set(
            &select,
            &JsValue::from_str("value"),
            &JsValue::from_str(&text.lang.to_string()),
        );
    }
}

/// The page's best language for the browser's own list (`navigator.languages`).
pub fn preferred_language() -> Option<u8> {
    let list = window()?.navigator().languages();
    let tags: Vec<String> = list.iter().filter_map(|v| v.as_string()).collect();
    crate::i18n::best_match(tags.iter().map(String::as_str))
}
