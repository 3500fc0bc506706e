//! The live recording (`GET /verif/live`) over a real socket: a synthetic person rendered as
//! the prompts arrive (the strongest performer this machine can run: it reacts to each prompt
//! the moment the server sends it), a recording made before its prompts (sent at once, or
//! paced as if live), and the channel's gates.

use std::{
    io::{Read, Write},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::Instant,
};

use app::{
    challenge::{Challenge, Prompt},
    live::{ClientMsg, Kind, ServerMsg},
    server::{
        media,
        verify::{local, synth},
    },
};
use futures::{SinkExt, StreamExt};
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;

use crate::common::{TestApp, media as media_file, read_media, spawn_app};

/// One performance at a time: each renders and encodes in real time, and two at once on a
/// small machine would starve each other.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// One live channel, as the capture page drives it.
struct Live {
    ws: Socket,
}

impl Live {
    async fn open(app: &TestApp) -> Self {
        let url = format!("{}/verif/live", app.base.replacen("http", "ws", 1));
        let (ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        Self { ws }
    }

    async fn send(&mut self, m: &ClientMsg) {
        let text = serde_json::to_string(m).unwrap();
        self.ws.send(Message::Text(text.into())).await.unwrap();
    }

    async fn send_file(&mut self, kind: Kind, bytes: &[u8]) {
        for piece in bytes.chunks(256 * 1024) {
            self.send_bin(kind, piece).await;
        }
    }

    async fn send_bin(&mut self, kind: Kind, bytes: &[u8]) {
        let mut frame = vec![kind as u8];
        frame.extend_from_slice(bytes);
        self.ws.send(Message::Binary(frame.into())).await.unwrap();
    }

    /// The server's next message; `None` once it closed the socket.
    async fn next(&mut self) -> Option<ServerMsg> {
        loop {
            match self.ws.next().await? {
                Ok(Message::Text(t)) => return Some(serde_json::from_str(t.as_str()).unwrap()),
                Ok(Message::Close(_)) | Err(_) => return None,
                Ok(_) => {}
            }
        }
    }

    /// Hello with `token`, the ID photo, `ready`: returns the welcome.
    async fn start(app: &TestApp, token: &str) -> (Self, ServerMsg) {
        let mut live = Self::open(app).await;
        live.send(&hello(token)).await;
        let welcome = live.next().await.expect("an answer to hello");
        if matches!(welcome, ServerMsg::Welcome { .. }) {
            live.send_file(Kind::IdPhoto, &read_media("id_obama.jpg"))
                .await;
        }
        (live, welcome)
    }
}

fn hello(token: &str) -> ClientMsg {
    ClientMsg::Hello {
        token: token.to_string(),
        document_type: None,
        user_email: None,
        user_phone: None,
        reduced_motion: false,
    }
}

/// What one recording ended with, and the prompts it was sent.
struct Take {
    end: ServerMsg,
    prompts: Vec<Prompt>,
}

/// A synthetic person made from `photo`, rendered frame by frame at the camera's pace and
/// encoded as a browser records (VP8 in WebM, real-time settings, ~250 ms clusters): each
/// prompt is answered from the moment it arrives. Sends `ready`, performs, sends `end` after
/// the server's `stop`, and returns the verdict message (`result`, `retry` or `error`).
async fn perform_live(live: &mut Live, photo: &str, reflect: bool) -> Take {
    let models_dir = crate::common::workspace_root().join("models");
    let (models, mesh) = local::shared_models(&models_dir).unwrap();
    let actor = Arc::new(synth::Actor::from_file(&models, &mesh, &media_file(photo)).unwrap());
    live.send(&ClientMsg::Ready).await;
    match live.next().await {
        Some(ServerMsg::Record { .. }) => {}
        other => panic!("no record: {other:?}"),
    }
    let start = Instant::now();
    let shown: Arc<Mutex<Vec<(Prompt, u32)>>> = Arc::default();
    let lit: Arc<Mutex<Vec<app::challenge::Light>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut ffmpeg = std::process::Command::new("ffmpeg")
        // each frame stamped with the time it arrives, as a camera stamps its frames: a
        // renderer slowed down by a busy machine drops frames instead of falling behind
        .args([
            "-nostdin",
            "-v",
            "error",
            "-use_wallclock_as_timestamps",
            "1",
        ])
        .args(["-f", "yuv4mpegpipe", "-i", "-"])
        .args(["-c:v", "libvpx", "-b:v", "800k", "-deadline", "realtime"])
        .args([
            "-cpu-used",
            "8",
            "-lag-in-frames",
            "0",
            "-fps_mode",
            "passthrough",
        ])
        .args(["-f", "webm", "-cluster_time_limit", "250", "-live", "1"])
        .args(["-flush_packets", "1", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = ffmpeg.stdin.take().unwrap();
    let mut stdout = ffmpeg.stdout.take().unwrap();
    let renderer = {
        let (shown, stop, lit) = (shown.clone(), stop.clone(), lit.clone());
        std::thread::spawn(move || {
            // the rate the server analyses at
            const FPS: u32 = 10;
            let period = std::time::Duration::from_millis(u64::from(1000 / FPS));
            let mut due = start;
            for i in 0.. {
                std::thread::sleep(due.saturating_duration_since(Instant::now()));
                if stop.load(Ordering::Acquire) {
                    break;
                }
                // the frame of now: when rendering falls behind, the frames in between are
                // dropped (a camera's clock does not wait for its CPU)
                due = (due + period).max(Instant::now());
                let t_ms = u32::try_from(start.elapsed().as_millis()).unwrap();
                let (challenge, at): (Challenge, Vec<u32>) = {
                    let s = shown.lock().unwrap();
                    let steps = s
                        .iter()
                        .map(|&(prompt, at_ms)| app::challenge::Step { prompt, at_ms })
                        .collect();
                    (
                        Challenge {
                            steps,
                            record_ms: 0,
                        },
                        s.iter().map(|p| p.1).collect(),
                    )
                };
                let mut frame = actor.render(synth::performance(&challenge, &at, t_ms as f32));
                // the screen's colour on the face, 100 ms after it showed (a camera's delay)
                let colour = synth::light_at(&lit.lock().unwrap(), t_ms as f32);
                if let Some(c) = colour.filter(|_| reflect) {
                    synth::screen_lit(&mut frame, c);
                }
                let y4m = synth::y4m(std::iter::once(frame), FPS);
                let body = if i == 0 {
                    &y4m[..]
                } else {
                    let header = y4m.iter().position(|&b| b == b'\n').unwrap() + 1;
                    &y4m[header..]
                };
                if stdin.write_all(body).is_err() {
                    break;
                }
            }
        })
    };
    let (tx, mut chunks) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();
    let reader = std::thread::spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut prompts = Vec::new();
    let mut streaming = true;
    let end = loop {
        tokio::select! {
            chunk = chunks.recv(), if streaming => match chunk {
                Some(c) => live.send_bin(Kind::Video, &c).await,
                None => {
                    streaming = false;
                    live.send(&ClientMsg::End).await;
                }
            },
            msg = live.next() => match msg.expect("the server answers") {
                ServerMsg::Light { rgb, .. } => {
                    let at = u32::try_from(start.elapsed().as_millis()).unwrap();
                    lit.lock().unwrap().push(app::challenge::Light { at_ms: at, rgb });
                }
                ServerMsg::Prompt { prompt, .. } => {
                    let at = u32::try_from(start.elapsed().as_millis()).unwrap();
                    shown.lock().unwrap().push((prompt, at));
                    prompts.push(prompt);
                }
                // the renderer stops and closes ffmpeg's input: its last cluster follows
                ServerMsg::Stop => stop.store(true, Ordering::Release),
                ServerMsg::Processing => {}
                other => break other,
            },
        }
    };
    stop.store(true, Ordering::Release);
    renderer.join().unwrap();
    let _ = ffmpeg.wait();
    reader.join().unwrap();
    Take { end, prompts }
}

/// A file made before its prompts: sent at once (`paced` false) or at the pace of its own
/// clock, as if a camera filmed it now. Returns the verdict message.
async fn perform_recorded(live: &mut Live, video: &[u8], paced: bool) -> Take {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("recorded.webm");
    std::fs::write(&path, video).unwrap();
    let packets = media::packet_times(
        &path,
        &video[..64],
        "selfie_video",
        std::time::Duration::from_secs(20),
    )
    .await
    .unwrap()
    .unwrap();
    live.send(&ClientMsg::Ready).await;
    match live.next().await {
        Some(ServerMsg::Record { .. }) => {}
        other => panic!("no record: {other:?}"),
    }
    let start = Instant::now();
    let mut sent = 0usize;
    let mut ticker = tokio::time::interval(std::time::Duration::from_millis(250));
    let mut prompts = Vec::new();
    let mut ended = false;
    let end = loop {
        tokio::select! {
            _ = ticker.tick(), if !ended && sent < video.len() => {
                let now = u32::try_from(start.elapsed().as_millis()).unwrap();
                // what a camera would have delivered by now (its last cluster a little late)
                let upto = if paced { due(&packets, now) } else { video.len() };
                if upto > sent {
                    live.send_file(Kind::Video, &video[sent..upto]).await;
                    sent = upto;
                }
            },
            msg = live.next() => match msg.expect("the server answers") {
                ServerMsg::Prompt { prompt, .. } => prompts.push(prompt),
                ServerMsg::Light { .. } => {}
                // a camera stops here: what was filmed by now, then `end`
                ServerMsg::Stop => {
                    let now = u32::try_from(start.elapsed().as_millis()).unwrap();
                    let upto = if paced { due(&packets, now) } else { video.len() };
                    if upto > sent {
                        live.send_file(Kind::Video, &video[sent..upto]).await;
                        sent = upto;
                    }
                    live.send(&ClientMsg::End).await;
                    ended = true;
                }
                ServerMsg::Processing => {}
                other => break other,
            },
        }
    };
    Take { end, prompts }
}

/// The bytes a camera would have delivered `now` ms into the recording: every packet filmed
/// by then, its cluster a little later.
fn due(packets: &[media::Packet], now: u32) -> usize {
    packets
        .iter()
        .filter(|p| p.at_ms + 300 <= now)
        .map(|p| usize::try_from(p.end).unwrap())
        .max()
        .unwrap_or(0)
}

fn body(m: &ServerMsg) -> &Value {
    match m {
        ServerMsg::Result { body } => body,
        other => panic!("expected a result, got {other:?}"),
    }
}

fn risks(v: &Value) -> Vec<String> {
    crate::common::risks(v)
}

#[tokio::test]
async fn a_person_answering_the_prompts_as_they_arrive_is_verified_over_the_live_channel() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    // the performer is a re-animated photo, which live mode never verifies (liveness.rs): a
    // test-mode link, whose checks skip the appearance checks, shows the channel's own verdict
    let (v, token) = clean_performance(&app, &p.test_api_key, "live-user", true).await;
    assert_eq!(v["success"], true, "{v}");
    assert_eq!(v["result"]["status"], "verified", "{}", risks(&v).join(","));
    // the check is the link's: the link is used now
    let again = Live::start(&app, &token).await.1;
    assert!(
        matches!(&again, ServerMsg::Error { status: 409, error, .. } if error == app::server::capture_links::LINK_USED),
        "{again:?}"
    );
}

#[tokio::test]
async fn the_face_must_take_on_the_screens_colours_as_they_are_sent() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    // live mode (the light is applied there; the synthetic person is also a re-animated
    // photo, so neither recording is verified: the codes are what this test reads)
    for (user, reflect) in [("lit", true), ("unlit", false)] {
        let (v, _) = clean_performance(&app, &p.api_key, user, reflect).await;
        assert_ne!(v["result"]["status"], "verified", "{v}");
        assert_eq!(
            risks(&v).contains(&"screen_light_not_followed".into()),
            !reflect,
            "{user}: {v}"
        );
    }
}

#[tokio::test]
async fn a_recording_made_before_its_prompts_is_never_verified() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    let dir = tempfile::tempdir().unwrap();

    // the challenge of the link's page data, performed right on time, made in advance and
    // sent at once: it arrives faster than a camera films, a rejection
    let link = app.capture_link(&p.api_key, "victim", None).await;
    let made = crate::liveness::perform(&link.challenge, dir.path(), "made", "800k");
    let (mut live, _) = Live::start(&app, &link.token).await;
    let take = perform_recorded(&mut live, &made, false).await;
    let v = body(&take.end);
    assert_eq!(v["result"]["status"], "rejected", "{v}");
    assert!(risks(v).contains(&"recording_not_live".into()), "{v}");

    // the same kind of file paced as if filmed now: its moves answer prompts it could not
    // know, and it is not verified (the prompts drawn for it match the file's only by chance,
    // about once in a hundred: then the appearance checks still stop it)
    let (v, matched, _) = paced_until_a_verdict(&app, &p.api_key, "victim-2").await;
    assert_ne!(v["result"]["status"], "verified", "{v}");
    assert!(!risks(&v).contains(&"recording_not_live".into()), "{v}");
    // no screen lit the face when the file was made
    assert!(
        risks(&v).contains(&"screen_light_not_followed".into()),
        "{v}"
    );
    // (a recording that misses its prompts is retried only when nothing else is wrong: this
    // one is also a re-animated photo, so its first recording gets its verdict)
    if !matched {
        assert!(risks(&v).contains(&"challenge_not_followed".into()), "{v}");
    }
    // through a test-mode link (no appearance checks) the prompts alone stop it: each
    // recording that missed them is retried on the same socket, the photos kept, and the
    // last one gets its verdict
    let (v, matched, retries) = paced_until_a_verdict(&app, &p.test_api_key, "tester").await;
    if !matched {
        assert_ne!(v["result"]["status"], "verified", "{v}");
        assert_eq!(
            retries, 2,
            "each recording that missed its prompts was retried"
        );
        assert!(risks(&v).contains(&"challenge_not_followed".into()), "{v}");
    }
}

/// The live performer (lit by the screen or not) through a new link of `key`, until a
/// recording the machine rendered cleanly: on a busy 2-core machine the renderer can be
/// starved like a phone's camera, dropping frames (`motion_discontinuous`) or answering a
/// prompt late (`challenge_not_followed`), or leaving too few frames for the light (then
/// `screen_light_not_measured` and a `retry`); at most three links. Returns the verdict and
/// the link's token. Every recording's verdict is printed.
async fn clean_performance(app: &TestApp, key: &str, user: &str, lit: bool) -> (Value, String) {
    let starved = [
        "motion_discontinuous",
        "challenge_not_followed",
        "screen_light_not_measured",
    ];
    let mut seen = Vec::new();
    for n in 0..3 {
        let link = app.capture_link(key, &format!("{user}-{n}"), None).await;
        let (mut live, welcome) = Live::start(app, &link.token).await;
        assert!(
            matches!(
                welcome,
                ServerMsg::Welcome {
                    attempts_left: 3,
                    ..
                }
            ),
            "{welcome:?}"
        );
        let take = perform_live(&mut live, "obama3.jpg", lit).await;
        // a `retry` (the prompts missed, recordings left) is a starved recording too
        let v = match take.end {
            ServerMsg::Result { body } => body,
            other => {
                println!("{user}-{n}: {:?} {other:?}", take.prompts);
                seen.push(serde_json::to_value(&other).unwrap());
                continue;
            }
        };
        let codes = risks(&v);
        println!("{user}-{n}: {:?} {}", take.prompts, codes.join(","));
        if take.prompts.len() == 4 && !codes.iter().any(|r| starved.contains(&r.as_str())) {
            return (v, link.token);
        }
        seen.push(v);
    }
    panic!("no clean recording in three: {seen:?}");
}

/// A file made before its prompts (a performance of the link's page-data challenge), paced as
/// if filmed now, through a new link of `key`, recorded again on each `retry` until a verdict:
/// the verdict, whether any recording's prompts happened to be the file's, and the retries.
async fn paced_until_a_verdict(app: &TestApp, key: &str, user: &str) -> (Value, bool, u32) {
    let dir = tempfile::tempdir().unwrap();
    let link = app.capture_link(key, user, None).await;
    let made = crate::liveness::perform(&link.challenge, dir.path(), user, "800k");
    let performed: Vec<Prompt> = link.challenge.steps.iter().map(|s| s.prompt).collect();
    let (mut live, _) = Live::start(app, &link.token).await;
    let (mut matched, mut retries) = (false, 0);
    loop {
        let take = perform_recorded(&mut live, &made, true).await;
        matched |= take.prompts == performed;
        match take.end {
            ServerMsg::Retry { attempts_left, .. } => {
                retries += 1;
                assert_eq!(attempts_left, 3 - retries, "{retries}");
            }
            other => return (body(&other).clone(), matched, retries),
        }
    }
}

#[tokio::test]
async fn the_live_channel_refuses_what_a_submission_would() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;

    // an unknown token: the guide's answer for credentials that do not match, and a close
    let (_, answer) = Live::start(&app, "cap_not-a-real-token").await;
    assert!(
        matches!(&answer, ServerMsg::Error { status: 401, error, .. } if error == app::server::capture_links::LINK_NOT_VALID),
        "{answer:?}"
    );

    // anything but hello first
    let mut live = Live::open(&app).await;
    live.send(&ClientMsg::Ready).await;
    assert!(matches!(
        live.next().await,
        Some(ServerMsg::Error { status: 400, .. })
    ));

    // one socket per link at a time: a second one is told the link is in use
    let link = app.capture_link(&p.test_api_key, "busy", None).await;
    let (mut first, _) = Live::start(&app, &link.token).await;
    let (_, second) = Live::start(&app, &link.token).await;
    assert!(
        matches!(&second, ServerMsg::Error { status: 409, error, .. } if error == app::contract::messages::LINK_IN_USE),
        "{second:?}"
    );
    // video before the server's `record`, and `ready` without an ID photo, are refused
    first.send_bin(Kind::Video, b"\x1a\x45\xdf\xa3").await;
    assert!(matches!(
        first.next().await,
        Some(ServerMsg::Error { status: 400, .. })
    ));
    // the first socket's reservation ended with it: the link is usable again
    let mut third = Live::open(&app).await;
    third.send(&hello(&link.token)).await;
    assert!(matches!(
        third.next().await,
        Some(ServerMsg::Welcome { .. })
    ));
    third.send(&ClientMsg::Ready).await;
    let answer = third.next().await;
    assert!(
        matches!(&answer, Some(ServerMsg::Error { status: 400, error, .. }) if error == app::contract::messages::FILES_REQUIRED),
        "{answer:?}"
    );
    // a page on another origin may not open the channel
    let mut req = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(
        format!("{}/verif/live", app.base.replacen("http", "ws", 1)),
    )
    .unwrap();
    req.headers_mut()
        .insert("Origin", "https://attacker.example".parse().unwrap());
    let refused = tokio_tungstenite::connect_async(req).await;
    assert!(
        refused.is_err(),
        "a foreign origin is refused before the upgrade"
    );
}

#[tokio::test]
async fn a_live_socket_holds_an_upload_slot_only_while_its_bytes_pay_for_it() {
    use crate::security::until;
    let app = crate::common::spawn_app_with(&[
        ("IDV_MAX_CONCURRENT_UPLOADS", "1"),
        ("IDV_BODY_MIN_RATE", "1000"),
        ("IDV_BODY_TIMEOUT", "8s"),
    ])
    .await;
    let p = app.partner("Acme").await;
    let slots = || app.state.uploads.authenticated_free();
    // a socket waiting for its user (the screen read before Record) holds no slot
    let first = app.capture_link(&p.test_api_key, "first", None).await;
    let mut a = Live::open(&app).await;
    a.send(&hello(&first.token)).await;
    assert!(matches!(a.next().await, Some(ServerMsg::Welcome { .. })));
    assert_eq!(slots(), 1);
    // a thousand bytes of photo at 1000 B/s buy it about a second, then it goes back
    a.send_bin(Kind::IdPhoto, &[0u8; 999]).await;
    until("the photo's bytes take the slot", || slots() == 0).await;
    until("the slot goes back once they are paid for", || slots() == 1).await;
    // so another user's socket gets it, and keeps it while its photo pays (100 KB: the
    // whole rate window)
    let second = app.capture_link(&p.test_api_key, "second", None).await;
    let t0 = Instant::now();
    let mut b = Live::open(&app).await;
    b.send(&hello(&second.token)).await;
    assert!(matches!(b.next().await, Some(ServerMsg::Welcome { .. })));
    b.send_file(Kind::IdPhoto, &vec![0u8; 100_000]).await;
    until("the second photo takes the slot", || slots() == 0).await;
    // the first socket's next bytes find no slot free: the service's busy answer
    a.send_bin(Kind::IdPhoto, &[0u8; 999]).await;
    let busy = a.next().await;
    assert!(
        matches!(&busy, Some(ServerMsg::Error { status: 503, .. })),
        "{busy:?}"
    );
    // a socket, however it pays, ends at IDV_BODY_TIMEOUT
    let ended = b.next().await;
    assert!(
        matches!(&ended, Some(ServerMsg::Error { status: 408, error, .. }) if error.contains("did not end within 8 s")),
        "{ended:?}"
    );
    let took = t0.elapsed();
    assert!(took < std::time::Duration::from_secs(12), "{took:?}");
    until("the ended socket gives its slot back", || slots() == 1).await;
}

#[tokio::test]
async fn a_recording_whose_video_does_not_arrive_ends_early() {
    let app = spawn_app().await;
    let p = app.partner("Acme").await;
    let link = app.capture_link(&p.test_api_key, "silent", None).await;
    let mut live = Live::open(&app).await;
    live.send(&hello(&link.token)).await;
    let welcome = live.next().await;
    assert!(
        matches!(welcome, Some(ServerMsg::Welcome { .. })),
        "{welcome:?}"
    );
    // a photo of a few bytes (they pay for the slot a few milliseconds)
    live.send_bin(Kind::IdPhoto, b"\xff\xd8\xff").await;
    live.send(&ClientMsg::Ready).await;
    let record = live.next().await;
    assert!(
        matches!(record, Some(ServerMsg::Record { .. })),
        "{record:?}"
    );
    let t0 = Instant::now();
    // a recording that sends no video holds no upload slot
    let all = app.state.config.guard.max_concurrent_uploads;
    crate::security::until("no slot is held", || {
        app.state.uploads.authenticated_free() == all
    })
    .await;
    assert!(t0.elapsed() < std::time::Duration::from_secs(1));
    // and it ends once the recorder has had its time to start, not at the server's stop
    let end = loop {
        match live.next().await {
            Some(ServerMsg::Prompt { .. } | ServerMsg::Light { .. }) => {}
            other => break other,
        }
    };
    assert!(
        matches!(&end, Some(ServerMsg::Error { status: 408, error, .. }) if error.contains("not arriving")),
        "{end:?}"
    );
    let took = t0.elapsed();
    assert!(took < std::time::Duration::from_secs(5), "{took:?}");
}
