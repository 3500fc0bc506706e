//! The selfie recorded live: the page's side of `GET /verif/live` (`crate::live`, README "The
//! live recording"). The socket opens when the selfie step starts and sends the ID photo(s)
//! while the user gets ready; after the countdown the page says `ready` and the server paces
//! the rest: it starts the recorder (each chunk goes out as it is made), sends each prompt and
//! screen colour when due, stops the recorder, and answers with the verdict, or with new
//! prompts for another recording on the same socket.

use crate::{challenge::Prompt, live::Kind};

use super::*;

/// Where the live channel is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Live {
    /// No socket (the next Record opens one).
    Closed,
    /// Opening, until the server's `welcome`.
    Opening,
    /// Welcomed, the photos sent: a recording may start.
    Open,
    /// `ready` said: the recording runs, or is about to.
    Recording,
    /// The recording is sent: the server is scoring it.
    Scoring,
}

/// What the page reads of a server message (`crate::live::ServerMsg`, tagged by `t`; other
/// fields are the business of clients that draw their own screen). One flat struct rather than
/// the tagged enum: serde's internally tagged enums buffer each message and cost the page's
/// download some 10 KB. `body` (of `result`) is read as the upload's answer is.
#[derive(serde::Deserialize)]
struct Heard {
    t: String,
    #[serde(default)]
    record_ms: u32,
    #[serde(default)]
    timeslice_ms: u32,
    #[serde(default)]
    prompt: Option<Prompt>,
    #[serde(default)]
    rgb: Option<[u8; 3]>,
    #[serde(default)]
    body: Option<Answer>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    attempts_left: u32,
    #[serde(default)]
    status: u16,
    #[serde(default)]
    error: Option<String>,
}

/// The page's `hello` (`crate::live::ClientMsg::Hello`, as a flat struct for the same reason).
#[derive(serde::Serialize)]
pub(super) struct Hello<'a> {
    pub t: &'static str,
    pub token: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_type: Option<&'a str>,
    pub reduced_motion: bool,
}

/// Opens the channel unless it is open.
pub(super) fn connect(f: Flow) {
    if f.live.get_untracked() != Live::Closed {
        return;
    }
    f.live.set(Live::Opening);
    if browser::live_open("/verif/live", move |ev| heard(f, ev)).is_err() {
        // a browser without WebSocket: Record reports it when the countdown ends
        f.live.set(Live::Closed);
    }
}

/// Closes the channel (the step is left, or a file is uploaded instead).
pub(super) fn close(f: Flow) {
    browser::live_close();
    f.live.set(Live::Closed);
    f.armed.set(false);
    f.light.set(None);
}

/// The countdown is over: the recording starts as soon as the channel is open.
pub(super) fn arm(f: Flow) {
    f.armed.set(true);
    match f.live.get_untracked() {
        Live::Open => ready(f),
        Live::Opening => f.say(f.t(Msg::CameraStarting)),
        // the channel closed since Record (or never opened)
        _ => lost(f),
    }
}

fn ready(f: Flow) {
    f.armed.set(false);
    if !browser::live_send(r#"{"t":"ready"}"#) {
        lost(f);
        return;
    }
    f.live.set(Live::Recording);
    f.record_ms.set(0);
    f.cue.set(None);
    f.camera.set(Camera::Recording);
}

fn heard(f: Flow, ev: browser::LiveEvent) {
    match ev {
        browser::LiveEvent::Open => {
            let token = f.data.with_value(|d| d.capture_token.clone());
            let hello = Hello {
                t: "hello",
                token: &token,
                document_type: f.doc_type.get_untracked().map(DocumentType::as_str),
                reduced_motion: browser::reduced_motion(),
            };
            if let Ok(text) = serde_json::to_string(&hello) {
                browser::live_send(&text);
            }
        }
        browser::LiveEvent::Text(text) => {
            if let Ok(m) = serde_json::from_str::<Heard>(&text) {
                said(f, m);
            }
        }
        browser::LiveEvent::Closed => closed(f),
    }
}

fn said(f: Flow, m: Heard) {
    match m.t.as_str() {
        "welcome" => {
            let sent = browser::live_send_file(Kind::IdPhoto, Slot::Id).and_then(|()| {
                if has_back(f) {
                    browser::live_send_file(Kind::IdPhotoBack, Slot::IdBack)
                } else {
                    Ok(())
                }
            });
            if sent.is_err() {
                lost(f);
                return;
            }
            f.live.set(Live::Open);
            if f.armed.get_untracked() {
                ready(f);
            }
        }
        "record" => {
            let Some(mime) = browser::recorder_mime() else {
                lost(f);
                return;
            };
            let bits = f.data.with_value(|d| d.video_bits_per_second);
            if let Err(e) =
                browser::start_streaming(mime, bits, m.timeslice_ms, move |r| streamed(f, r))
            {
                close(f);
                f.camera.set(Camera::Failed(CameraError::Other(e)));
                return;
            }
            f.record_ms.set(m.record_ms);
            f.say(f.t(Msg::PromptLook));
        }
        "prompt" => {
            if let Some(p) = m.prompt {
                show_prompt(f, p);
            }
        }
        "light" => f.light.set(m.rgb),
        "stop" => {
            f.cue.set(None);
            f.light.set(None);
            browser::stop_recording();
            f.say(f.t(Msg::RecordingFinishing));
        }
        "processing" => {
            f.sending.set(Sending::Processing);
            f.say(f.t(Msg::Processing));
        }
        "result" => {
            close(f);
            match m.body {
                Some(body) => done(f, body),
                None => fail(f, f.t(Msg::AnswerUnreadable).into(), Trouble::Server),
            }
        }
        "retry" => {
            // the socket stays, the photos with it: Record again starts a new recording
            f.live.set(Live::Open);
            let message = server_or_page(f, m.message, || f.t(Msg::ChallengeRetry).into());
            fail(f, message, Trouble::Challenge(m.attempts_left));
        }
        "error" => {
            close(f);
            end_recording(f);
            let (message, trouble) = refused(f, m.status, m.error);
            fail(f, message, trouble);
        }
        _ => {}
    }
}

/// The recorder stopped and its last chunk is queued: the recording is sent.
fn streamed(f: Flow, r: Result<(), String>) {
    browser::close_camera();
    f.camera.set(Camera::Off);
    f.light.set(None);
    if f.live.get_untracked() != Live::Recording {
        return;
    }
    if r.is_err() || !browser::live_send(r#"{"t":"end"}"#) {
        lost(f);
        return;
    }
    f.live.set(Live::Scoring);
    f.sending.set(Sending::Processing);
    f.say(f.t(Msg::Processing));
}

/// Stops whatever the recording left running.
fn end_recording(f: Flow) {
    browser::stop_recording();
    browser::close_camera();
    f.camera.set(Camera::Off);
    f.cue.set(None);
    f.light.set(None);
}

/// The channel closed without a verdict.
fn closed(f: Flow) {
    let was = f.live.get_untracked();
    f.live.set(Live::Closed);
    f.light.set(None);
    match was {
        Live::Recording | Live::Scoring => lost(f),
        Live::Opening if f.armed.get_untracked() => lost(f),
        // idle (the server's idle limit, a restart): the next Record opens a new one
        _ => {}
    }
}

/// The recording cannot go on (the connection dropped, or the browser failed): another one
/// starts from Record, on a new connection.
fn lost(f: Flow) {
    close(f);
    end_recording(f);
    fail(f, f.t(Msg::LiveLost).into(), Trouble::Network);
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::live::{ClientMsg, ServerMsg};

    #[test]
    fn the_pages_hello_is_the_protocols() {
        let text = serde_json::to_string(&Hello {
            t: "hello",
            token: "cap_x",
            document_type: Some("id_card"),
            reduced_motion: true,
        })
        .unwrap();
        assert_eq!(
            serde_json::from_str::<ClientMsg>(&text).unwrap(),
            ClientMsg::Hello {
                token: "cap_x".into(),
                document_type: Some("id_card".into()),
                user_email: None,
                user_phone: None,
                reduced_motion: true,
            }
        );
        for (page, protocol) in [
            (r#"{"t":"ready"}"#, ClientMsg::Ready),
            (r#"{"t":"end"}"#, ClientMsg::End),
        ] {
            assert_eq!(serde_json::from_str::<ClientMsg>(page).unwrap(), protocol);
        }
    }

    #[test]
    fn the_page_reads_what_the_server_says() {
        let heard = |m: ServerMsg| -> Heard {
            serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap()
        };
        let h = heard(ServerMsg::Welcome {
            max_video_bytes: 1,
            max_photo_bytes: 2,
            attempts_left: 3,
        });
        assert_eq!((h.t.as_str(), h.attempts_left), ("welcome", 3));
        let h = heard(ServerMsg::Record {
            record_ms: 7_000,
            timeslice_ms: 250,
        });
        assert_eq!(
            (h.t.as_str(), h.record_ms, h.timeslice_ms),
            ("record", 7_000, 250)
        );
        let h = heard(ServerMsg::Prompt {
            seq: 1,
            prompt: Prompt::Blink,
        });
        assert_eq!((h.t.as_str(), h.prompt), ("prompt", Some(Prompt::Blink)));
        let h = heard(ServerMsg::Light {
            seq: 2,
            rgb: [1, 2, 3],
        });
        assert_eq!((h.t.as_str(), h.rgb), ("light", Some([1, 2, 3])));
        for (m, t) in [
            (ServerMsg::Stop, "stop"),
            (ServerMsg::Processing, "processing"),
        ] {
            assert_eq!(heard(m).t, t);
        }
        let h = heard(ServerMsg::Result {
            body: serde_json::json!({"success": true, "check_id": "c1", "result": {
                "status": "review", "verificationAssessment": {"riskFactors": ["no_blink"]}}}),
        });
        let body = h.body.expect("the answer is read");
        assert_eq!(body.check_id, "c1");
        let h = heard(ServerMsg::Retry {
            message: "again".into(),
            attempts_left: 2,
        });
        assert_eq!((h.message.as_deref(), h.attempts_left), (Some("again"), 2));
        let h = heard(ServerMsg::Error {
            status: 409,
            error: "used".into(),
            retry_after: Some(3),
        });
        assert_eq!((h.status, h.error.as_deref()), (409, Some("used")));
    }
}
