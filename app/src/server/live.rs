//! `GET /verif/live`: the live recording. A WebSocket per capture (`crate::live` has the
//! messages): the page says which capture link it drives (`hello`), sends the ID photo(s),
//! then asks for a recording (`ready`); the server draws that recording's prompts only now,
//! tells the page to record, and sends each prompt when it is due **on its own clock** while
//! the video streams in chunk by chunk. For every prompt it notes when it was sent and how
//! much video had arrived by then; the answer must lie in video that arrived after the prompt
//! was sent (`verify::liveness`), and a video that arrives faster than a camera films it was
//! made before its prompts (`recording_not_live`, a rejection). The finished recording goes
//! through the same steps as an upload (`submission::process`) and the answer is the guide's
//! JSON; a recording that missed its prompts, with recordings left, is answered `retry` and
//! the page records again on the same socket, the photos kept.
//!
//! Bounds, before and after the link is known: the per-IP limit of submissions (`guard`), the
//! hello within [`HELLO_TIMEOUT`], frames of at most `crate::live::MAX_FRAME_BYTES`; then the
//! file size limits and the spool budget (`intake::SpoolWriter`), [`IDLE_TIMEOUT`] between
//! messages, the recording's video at `IDV_BODY_MIN_RATE` from [`RECORDER_START`] after
//! `record`, its end within [`END_GRACE`] of the server's `stop`, and the whole
//! socket within `IDV_BODY_TIMEOUT`. An upload slot (`IDV_MAX_CONCURRENT_UPLOADS`) is held
//! only while the socket uses it ([`PaidSlot`]): while the bytes of its photos and of its
//! recording's video pay for it at `IDV_BODY_MIN_RATE`. A socket that waits (the user reading
//! the screen before Record, or after a retry), that trickles, or that records without sending
//! video, holds none.

use std::{sync::Arc, time::Duration};

use axum::{
    Extension, Router,
    extract::{
        State,
        ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade},
    },
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use tokio::time::Instant;

use super::{
    capture_links,
    error::AppError,
    intake::{self, SpoolWriter},
    media,
    state::AppState,
    submission::{self, Files, Recording},
    uploads::AddressPermit,
};
use crate::{
    challenge::{Challenge, Light, Timeline},
    live::{ClientMsg, Kind, MAX_FRAME_BYTES, MAX_TEXT_BYTES, ServerMsg},
};

/// The first message must come within this.
pub const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
/// Outside a recording, the longest silence between two messages.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// After `stop`, the time for the recorder's last chunk and `end`.
pub const END_GRACE: Duration = Duration::from_secs(5);
/// After `record`, the time a recorder has to start before its video must keep arriving at
/// `IDV_BODY_MIN_RATE`.
pub const RECORDER_START: Duration = Duration::from_secs(2);
/// The recorder's chunk length the page is asked for.
pub const TIMESLICE_MS: u32 = 250;
/// How far the video that has arrived may run ahead of the server's clock since `record`
/// (the recorder starts after `record` reaches it, so a camera's video is always behind).
pub const AHEAD_SLACK_MS: u32 = 300;

pub fn router() -> Router<AppState> {
    Router::new().route("/verif/live", get(upgrade))
}

async fn upgrade(
    State(state): State<AppState>,
    headers: HeaderMap,
    address: Option<Extension<Arc<AddressPermit>>>,
    ws: WebSocketUpgrade,
) -> Response {
    // a browser says which page opened the socket: only the capture page's own origin
    if let Some(origin) = headers.get(header::ORIGIN) {
        let ours = state.config.public_url.origin().ascii_serialization();
        if origin.to_str().ok() != Some(ours.as_str()) {
            return (
                StatusCode::FORBIDDEN,
                "This origin may not open the live channel",
            )
                .into_response();
        }
    }
    ws.max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES)
        .on_upgrade(move |socket| async move {
            // the address's upload place lives as long as the socket
            let _address = address;
            serve(state, socket).await;
        })
}

/// The socket's life: the conversation, then its error (if any) as the last message.
async fn serve(state: AppState, mut socket: WebSocket) {
    let mut held: Option<String> = None;
    // a recording's whole socket, like a request body, ends at IDV_BODY_TIMEOUT: one message a
    // minute cannot hold an upload slot for longer
    let limit = state.config.guard.body_timeout;
    let result = tokio::time::timeout(limit, converse(&state, &mut socket, &mut held))
        .await
        .unwrap_or_else(|_| {
            Err(Ended::Refused(AppError::RequestTimeout(format!(
                "The live recording did not end within {} s",
                limit.as_secs()
            ))))
        });
    if let Some(session_id) = held {
        submission::release(&state, &session_id).await;
    }
    let close = match result {
        Ok(()) => CloseFrame {
            code: 1000,
            reason: "".into(),
        },
        Err(Ended::Left) => return,
        Err(Ended::Refused(e)) => {
            e.log();
            let status = e.status();
            let msg = ServerMsg::Error {
                status: status.as_u16(),
                error: e.public_message(),
                retry_after: e.retry_after(),
            };
            let _ = send(&mut socket, &msg).await;
            CloseFrame {
                // 4000 + the HTTP status, as the application's own close codes
                code: 4000 + status.as_u16(),
                reason: "".into(),
            }
        }
    };
    let _ = socket.send(Message::Close(Some(close))).await;
}

/// How a conversation ended early.
enum Ended {
    /// The client closed the socket or went away: nothing to answer.
    Left,
    /// Answered with the error's status and message.
    Refused(AppError),
}

impl From<AppError> for Ended {
    fn from(e: AppError) -> Self {
        Self::Refused(e)
    }
}

async fn send(socket: &mut WebSocket, msg: &ServerMsg) -> Result<(), Ended> {
    let text = serde_json::to_string(msg).map_err(|e| AppError::internal("live message", e))?;
    socket
        .send(Message::Text(text.into()))
        .await
        .map_err(|_| Ended::Left)
}

/// A client's message, or `None` when the socket closed.
enum Incoming {
    Text(ClientMsg),
    Binary(Kind, axum::body::Bytes),
}

async fn receive(socket: &mut WebSocket) -> Result<Incoming, Ended> {
    loop {
        let Some(Ok(msg)) = socket.recv().await else {
            return Err(Ended::Left);
        };
        match msg {
            Message::Text(t) => {
                if t.len() > MAX_TEXT_BYTES {
                    return Err(AppError::bad_request("A live message is too long").into());
                }
                let m = serde_json::from_str::<ClientMsg>(t.as_str()).map_err(|e| {
                    AppError::bad_request(format!("Not a live message this server knows: {e}"))
                })?;
                return Ok(Incoming::Text(m));
            }
            Message::Binary(b) => {
                let kind = b
                    .first()
                    .copied()
                    .and_then(Kind::from_byte)
                    .ok_or_else(|| {
                        AppError::bad_request("A binary frame must start with its kind (1, 2 or 3)")
                    })?;
                return Ok(Incoming::Binary(kind, b.slice(1..)));
            }
            Message::Close(_) => return Err(Ended::Left),
            Message::Ping(_) | Message::Pong(_) => {}
        }
    }
}

async fn receive_within(socket: &mut WebSocket, limit: Duration) -> Result<Incoming, Ended> {
    tokio::time::timeout(limit, receive(socket))
        .await
        .map_err(|_| {
            Ended::Refused(AppError::RequestTimeout(
                "The live channel was silent for too long".into(),
            ))
        })?
}

async fn converse(
    state: &AppState,
    socket: &mut WebSocket,
    held: &mut Option<String>,
) -> Result<(), Ended> {
    let cfg = &state.config;
    let (token, fields, reduced_motion) = hello(socket).await?;
    let mut caller = Some(reserve(state, &token, held).await?);
    // a slot among the uploads only once the link is known (a stranger holds none), and only
    // while it is used
    let mut slot = PaidSlot::new(&cfg.guard);
    let session_id = held.clone().unwrap_or_default();
    let attempts_left =
        capture_links::attempts_left(&state.db, &session_id, cfg.challenge_attempts)
            .await
            .map_err(|e| AppError::internal("reading a capture link's attempts", e))?;
    send(
        socket,
        &ServerMsg::Welcome {
            max_video_bytes: cfg.max_video_bytes,
            max_photo_bytes: cfg.max_photo_bytes,
            attempts_left,
        },
    )
    .await?;
    let mut photos = Photos::default();
    let mut heard = Instant::now();
    loop {
        let silent_until = heard + IDLE_TIMEOUT;
        let wake = slot
            .paid_until()
            .map_or(silent_until, |t| t.min(silent_until));
        let incoming = match tokio::time::timeout_at(wake, receive(socket)).await {
            Ok(incoming) => incoming?,
            // the bytes paid for no more: the slot goes back until more come
            Err(_) if Instant::now() < silent_until => {
                slot.release();
                continue;
            }
            Err(_) => {
                return Err(Ended::Refused(AppError::RequestTimeout(
                    "The live channel was silent for too long".into(),
                )));
            }
        };
        heard = Instant::now();
        match incoming {
            Incoming::Binary(Kind::Video, _) => {
                return Err(
                    AppError::bad_request("Video arrived before the server's record").into(),
                );
            }
            Incoming::Binary(kind, b) => {
                slot.pay(state, b.len() + 1)?;
                photos.add(state, kind, &b).await?;
            }
            Incoming::Text(ClientMsg::Ready) => {
                let c = match caller.take() {
                    Some(c) => c,
                    None => reserve(state, &token, held).await?,
                };
                let (id_photo, id_photo_back) = photos.finish().await?;
                let photos = (id_photo, id_photo_back);
                let done = attempt(
                    state,
                    socket,
                    c,
                    &fields,
                    photos,
                    (reduced_motion, &mut slot),
                )
                .await?;
                // committed, or the retry ended the reservation (the next `ready` takes it
                // again)
                *held = None;
                slot.release();
                if done {
                    return Ok(());
                }
                heard = Instant::now();
            }
            Incoming::Text(ClientMsg::Hello { .. }) => {
                return Err(AppError::bad_request("hello was already said").into());
            }
            Incoming::Text(ClientMsg::End | ClientMsg::Shown { .. }) => {
                return Err(AppError::bad_request("No recording is under way").into());
            }
        }
    }
}

/// A socket's upload slot (`IDV_MAX_CONCURRENT_UPLOADS`), held only while it is used. The
/// bytes of the photos and of the recording's video buy it time: each byte
/// `1/IDV_BODY_MIN_RATE` s, at most one `IDV_BODY_RATE_WINDOW` ahead, so holding it costs what
/// an upload's body must carry (a trickle holds it a moment per message, an idle socket or a
/// recording that sends nothing not at all). What a recording's end still holds goes back
/// with its answer.
struct PaidSlot {
    permit: Option<tokio::sync::OwnedSemaphorePermit>,
    paid_until: Instant,
    min_rate: u64,
    window: Duration,
}

impl PaidSlot {
    fn new(cfg: &super::config::GuardConfig) -> Self {
        Self {
            permit: None,
            paid_until: Instant::now(),
            min_rate: cfg.body_min_rate,
            window: cfg.body_rate_window,
        }
    }

    /// When the slot goes back unless more bytes come (`None`: none held).
    fn paid_until(&self) -> Option<Instant> {
        self.permit.is_some().then_some(self.paid_until)
    }

    fn take(&mut self, state: &AppState) -> Result<(), AppError> {
        if self.permit.is_none() {
            self.permit = Some(state.uploads.authenticated()?);
            self.paid_until = Instant::now();
        }
        Ok(())
    }

    /// `bytes` arrived: the slot (taken if need be, else 503) is held for their worth.
    fn pay(&mut self, state: &AppState, bytes: usize) -> Result<(), AppError> {
        self.take(state)?;
        let now = Instant::now();
        let worth = match self.min_rate {
            // no minimum rate: any message holds it for a window
            0 => self.window,
            rate => Duration::from_secs_f64(bytes as f64 / rate as f64),
        };
        self.paid_until = (self.paid_until.max(now) + worth).min(now + self.window);
        Ok(())
    }

    fn release(&mut self) {
        self.permit = None;
    }
}

/// The first message: the token, the text fields an upload would carry, and whether the
/// user asked for reduced motion.
async fn hello(socket: &mut WebSocket) -> Result<(String, intake::Intake, bool), Ended> {
    let Incoming::Text(ClientMsg::Hello {
        token,
        document_type,
        user_email,
        user_phone,
        reduced_motion,
    }) = receive_within(socket, HELLO_TIMEOUT).await?
    else {
        return Err(AppError::bad_request("The first live message must be hello").into());
    };
    let mut fields = intake::Intake::default();
    for (name, v) in [
        ("document_type", document_type),
        ("user_email", user_email),
        ("user_phone", user_phone),
    ] {
        if let Some(v) = v {
            fields.text.insert(name, v);
        }
    }
    Ok((token, fields, reduced_motion))
}

/// The ID photo(s) as their pieces arrive, kept for every recording of the socket.
#[derive(Default)]
struct Photos {
    front: Option<SpoolWriter>,
    back: Option<SpoolWriter>,
    done: Option<(intake::Upload, Option<intake::Upload>)>,
}

impl Photos {
    async fn add(&mut self, state: &AppState, kind: Kind, bytes: &[u8]) -> Result<(), AppError> {
        if self.done.is_some() {
            return Err(AppError::bad_request("The ID photos were already sent"));
        }
        let (slot, field) = match kind {
            Kind::IdPhotoBack => (&mut self.back, intake::ID_BACK_FIELD),
            _ => (&mut self.front, intake::ID_FIELD),
        };
        let w = match slot {
            Some(w) => w,
            None => slot.insert(SpoolWriter::create(
                &state.config.data_dir.join("tmp"),
                &state.spool,
                state.config.max_photo_bytes,
                field,
            )?),
        };
        w.write(bytes).await
    }

    /// The photos, complete (the first `ready` ends them).
    async fn finish(&mut self) -> Result<(&intake::Upload, Option<&intake::Upload>), AppError> {
        if self.done.is_none() {
            let Some(front) = self.front.take() else {
                return Err(AppError::bad_request(
                    crate::contract::messages::FILES_REQUIRED,
                ));
            };
            let back = match self.back.take() {
                Some(b) => Some(b.finish().await?),
                None => None,
            };
            self.done = Some((front.finish().await?, back));
        }
        let (front, back) = self.done.as_ref().expect("set above");
        Ok((front, back.as_ref()))
    }
}

/// One recording and its answer: `true` when it was the verdict (`result`), `false` when the
/// page is asked to record again (`retry`).
async fn attempt(
    state: &AppState,
    socket: &mut WebSocket,
    caller: submission::Caller,
    fields: &intake::Intake,
    (id_photo, id_photo_back): (&intake::Upload, Option<&intake::Upload>),
    (reduced_motion, slot): (bool, &mut PaidSlot),
) -> Result<bool, Ended> {
    use tracing::Instrument;
    // the user's attempts across links, before the prompts are drawn
    let mut caller = caller;
    submission::admit(state, &mut caller).await?;
    let mut recorded = record(
        state,
        socket,
        caller.sandbox_challenge(),
        (reduced_motion, slot),
    )
    .await?;
    let ended = Instant::now();
    send(socket, &ServerMsg::Processing).await?;
    let files = Files {
        selfie: &recorded.video,
        id_photo,
        id_photo_back,
    };
    // the recording's arrival, its media and its last frames are read at once
    let watch = recorded.watch.take();
    let watched = async {
        match watch {
            Some(w) => w.finish(state.config.media_timeout).await,
            None => None,
        }
    };
    let (evidence, inspected, watched) = tokio::join!(
        evidence(state, &recorded),
        submission::inspect_files(state, files),
        watched
    );
    let (mut evidence, inspected) = (evidence?, inspected?);
    let read_while_arriving = watched.is_some();
    if let Recording::Live { watched: slot, .. } = &mut evidence {
        *slot = watched;
    }
    let span = tracing::info_span!("submission", check_id = tracing::field::Empty);
    match submission::process_inspected(state, caller, fields, files, inspected, evidence)
        .instrument(span)
        .await
    {
        Ok(done) => {
            let body = serde_json::to_value(&done)
                .map_err(|e| AppError::internal("the live answer", e))?;
            send(socket, &ServerMsg::Result { body }).await?;
            tracing::info!(
                after_end_ms = ended.elapsed().as_millis() as u64,
                read_while_arriving,
                "live recording answered"
            );
            Ok(true)
        }
        Err(AppError::ChallengeRetry {
            message,
            attempts_left,
            ..
        }) => {
            send(
                socket,
                &ServerMsg::Retry {
                    message,
                    attempts_left,
                },
            )
            .await?;
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

/// The capture link of `token`, reserved for one recording; `held` names it for the release.
async fn reserve(
    state: &AppState,
    token: &str,
    held: &mut Option<String>,
) -> Result<submission::Caller, Ended> {
    let caller = submission::live_caller(state, token).await?;
    *held = caller.session_id().map(str::to_string);
    Ok(caller)
}

/// One recording as it arrived.
struct Recorded {
    video: intake::Upload,
    plan: Challenge,
    /// Per prompt sent: milliseconds after `record` was sent, and the video bytes received by
    /// then.
    sent: Vec<(u32, u64)>,
    /// The screen's light, each state when it was sent.
    lights: Vec<Light>,
    /// Per video chunk: milliseconds after `record` when it arrived, and the bytes received
    /// with it.
    arrivals: Vec<(u32, u64)>,
    /// The recording read while it arrived (`verify::watch`), when a watcher was free.
    watch: Option<crate::server::verify::watch::Watch>,
}

fn since(t0: Instant) -> u32 {
    u32::try_from(t0.elapsed().as_millis()).unwrap_or(u32::MAX)
}

/// What is due next during a recording.
enum Due {
    Prompt,
    Light,
    Stop,
    Late,
}

/// A recording: the prompts (a test-mode link's own) and the screen's colours drawn now, each sent when due on the
/// server's clock, the video spooled as it arrives, until the client's `end` after the
/// server's `stop`.
async fn record(
    state: &AppState,
    socket: &mut WebSocket,
    sandbox: Option<Challenge>,
    (reduced_motion, slot): (bool, &mut PaidSlot),
) -> Result<Recorded, Ended> {
    let cfg = &state.config;
    // a test-mode link performs its challenge, known in advance (`CaptureLink::challenge`);
    // a live link's is drawn now, and each prompt stays secret until it is sent
    let plan = sandbox.unwrap_or_else(Challenge::random);
    let _on_air = super::observe::InGauge::recording();
    let colours = Light::random(plan.record_ms, reduced_motion);
    let mut video = SpoolWriter::create(
        &cfg.data_dir.join("tmp"),
        &state.spool,
        cfg.max_video_bytes,
        intake::SELFIE_FIELD,
    )?;
    let t0 = Instant::now();
    send(
        socket,
        &ServerMsg::Record {
            record_ms: plan.record_ms,
            timeslice_ms: TIMESLICE_MS,
        },
    )
    .await?;
    let (mut sent, mut lights, mut arrivals) = (Vec::new(), Vec::<Light>::new(), Vec::new());
    let mut stopped = false;
    let mut watch = None;
    let ms = |v: u32| t0 + Duration::from_millis(u64::from(v));
    // the video must keep arriving at IDV_BODY_MIN_RATE once the recorder has had time to
    // start, like an upload's body: a recording that sends nothing holds no slot for long
    let min_rate = cfg.guard.body_min_rate;
    let mut pace = t0 + RECORDER_START;
    loop {
        let prompt = plan.steps.get(sent.len()).map(|s| s.at_ms);
        let light = colours.get(lights.len()).map(|l| l.at_ms);
        let (at, due) = match (prompt, light) {
            (Some(p), Some(l)) if l < p => (l, Due::Light),
            (Some(p), _) => (p, Due::Prompt),
            (None, Some(l)) if l < plan.record_ms => (l, Due::Light),
            _ if !stopped => (plan.record_ms, Due::Stop),
            _ => (
                plan.record_ms + u32::try_from(END_GRACE.as_millis()).unwrap_or(5_000),
                Due::Late,
            ),
        };
        let paid_until = slot.paid_until();
        tokio::select! {
            // the video paid for no more: the slot goes back until more comes
            () = tokio::time::sleep_until(paid_until.unwrap_or(pace)), if paid_until.is_some() => {
                slot.release();
            }
            () = tokio::time::sleep_until(pace), if min_rate > 0 => {
                let owed = min_rate.saturating_mul((pace - t0 - RECORDER_START).as_secs());
                if video.size() < owed {
                    return Err(AppError::RequestTimeout(format!(
                        "The recording is not arriving (at least {min_rate} bytes a second)"
                    ))
                    .into());
                }
                pace += Duration::from_secs(1);
            }
            () = tokio::time::sleep_until(ms(at)) => match due {
                Due::Prompt => {
                    let (seq, prompt) = (sent.len(), plan.steps[sent.len()].prompt);
                    sent.push((since(t0), video.size()));
                    let seq = u32::try_from(seq).unwrap_or(0);
                    send(socket, &ServerMsg::Prompt { seq, prompt }).await?;
                }
                Due::Light => {
                    let (seq, rgb) = (lights.len(), colours[lights.len()].rgb);
                    lights.push(Light { at_ms: since(t0), rgb });
                    let seq = u32::try_from(seq).unwrap_or(0);
                    send(socket, &ServerMsg::Light { seq, rgb }).await?;
                }
                Due::Stop => {
                    stopped = true;
                    send(socket, &ServerMsg::Stop).await?;
                }
                Due::Late => {
                    return Err(AppError::RequestTimeout(
                        "The recording's last chunk did not arrive in time".into(),
                    )
                    .into());
                }
            },
            msg = receive(socket) => match msg? {
                Incoming::Binary(Kind::Video, b) => {
                    slot.pay(state, b.len() + 1)?;
                    video.write(&b).await?;
                    arrivals.push((since(t0), video.size()));
                    // read while it arrives, from its first chunk (which names its container)
                    if arrivals.len() == 1 {
                        watch = media::video_demuxer(&b).and_then(|d| state.verifier.watch(d));
                    }
                    if let Some(w) = &mut watch {
                        w.feed(&b);
                    }
                }
                Incoming::Text(ClientMsg::End) if stopped => break,
                Incoming::Text(ClientMsg::End) => {
                    return Err(AppError::bad_request(
                        "The recording ended before the server's stop",
                    )
                    .into());
                }
                Incoming::Text(ClientMsg::Shown { .. }) => {}
                Incoming::Binary(..) | Incoming::Text(_) => {
                    return Err(AppError::bad_request("Only video may arrive while recording").into());
                }
            }
        }
    }
    Ok(Recorded {
        video: video.finish().await?,
        plan,
        sent,
        lights,
        arrivals,
        watch,
    })
}

/// What the recording's arrival proves: each prompt at the time it was sent, with the video
/// that had arrived by then, and whether any of it arrived ahead of the server's clock.
async fn evidence(state: &AppState, r: &Recorded) -> Result<Recording, Ended> {
    let v = &r.video;
    let packets = media::packet_times(
        v.spool.path(),
        &v.head,
        intake::SELFIE_FIELD,
        state.config.media_timeout,
    )
    .await
    .map_err(|e| AppError::internal("reading the live recording's packets", e))?
    .map_err(|r| AppError::BadRequest(r.0))?;
    let arrived = |bytes: u64| media::arrived_ms(&packets, bytes).unwrap_or(0);
    let ahead = r
        .arrivals
        .iter()
        .map(|&(at, bytes)| i64::from(arrived(bytes)) - i64::from(at))
        .max()
        .unwrap_or(0);
    let not_live = ahead > i64::from(AHEAD_SLACK_MS);
    let mut challenge = r.plan.clone();
    for (step, &(at, _)) in challenge.steps.iter_mut().zip(&r.sent) {
        step.at_ms = at;
    }
    let timeline = Timeline {
        shown_ms: r.sent.iter().map(|s| s.0).collect(),
        arrived_ms: r.sent.iter().map(|s| arrived(s.1)).collect(),
    };
    tracing::info!(
        prompts = ?challenge.steps.iter().map(|s| s.prompt).collect::<Vec<_>>(),
        sent_ms = ?timeline.shown_ms,
        arrived_ms = ?timeline.arrived_ms,
        bytes = v.size,
        ahead_ms = ahead,
        not_live,
        "live recording received"
    );
    Ok(Recording::Live {
        answered: (challenge, timeline),
        not_live,
        lights: r.lights.clone(),
        watched: None,
    })
}
