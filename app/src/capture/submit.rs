//! The upload with progress, the answer, and the result screen with advice.

use super::*;

/// The back photo that goes with the upload: only for a document that has one.
fn back_to_send(f: Flow) -> Option<Media> {
    f.id_back.get_untracked().filter(|_| has_back(f))
}

/// The back photo, when it goes with the upload (tracked: for the views).
fn back_shown(f: Flow) -> Option<Media> {
    f.id_back
        .get()
        .filter(|_| f.doc_type.get().is_some_and(DocumentType::has_back))
}

pub(super) fn submit(f: Flow) {
    let (Some(selfie), Some(id)) = (f.selfie.get_untracked(), f.id_photo.get_untracked()) else {
        return;
    };
    let back = back_to_send(f);
    let token = f.data.with_value(|d| d.capture_token.clone());
    // absent (empty, so not sent) until the user chooses: the submission is then as before
    let document_type = f.doc_type.get_untracked().map_or("", DocumentType::as_str);
    let mut files = vec![
        browser::UploadFile {
            field: "selfie_video",
            slot: Slot::Selfie,
            file_name: &selfie.file_name,
        },
        browser::UploadFile {
            field: "id_photo",
            slot: Slot::Id,
            file_name: &id.file_name,
        },
    ];
    if let Some(b) = &back {
        files.push(browser::UploadFile {
            field: "id_photo_back",
            slot: Slot::IdBack,
            file_name: &b.file_name,
        });
    }
    f.problem.set(None);
    f.sending.set(Sending::Uploading {
        sent: 0.0,
        total: (selfie.size + id.size + back.as_ref().map_or(0, |b| b.size)) as f64,
    });
    f.say(f.t(Msg::Uploading));
    let started = browser::upload(
        "/verif/submit",
        &[
            ("capture_token", token.as_str()),
            ("consent_version", CONSENT_VERSION),
            ("document_type", document_type),
        ],
        &files,
        move |sent, total| {
            if sent >= total {
                if f.sending.get_untracked() != Sending::Processing {
                    f.sending.set(Sending::Processing);
                    f.say(f.t(Msg::Uploaded));
                }
            } else {
                f.sending.set(Sending::Uploading { sent, total });
            }
        },
        move |end| answered(f, end),
    );
    if let Err(e) = started {
        fail(
            f,
            f.tf(Msg::UploadNotStarted, &[("detail", &e)]),
            Trouble::Network,
        );
    }
}

pub(super) fn fail(f: Flow, message: String, trouble: Trouble) {
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

/// What the page reads of the 200 answer: the guide's `SubmitSuccess` carries much more (files,
/// scores, the document's data) that is the partner's business, and deserialising all of it
/// would cost the page's download budget.
#[derive(serde::Deserialize)]
pub(super) struct Answer {
    pub(super) check_id: String,
    result: AnswerResult,
}

#[derive(serde::Deserialize)]
struct AnswerResult {
    status: Status,
    #[serde(rename = "verificationAssessment")]
    verification_assessment: AnswerAssessment,
}

#[derive(serde::Deserialize)]
struct AnswerAssessment {
    #[serde(rename = "riskFactors")]
    risk_factors: Vec<String>,
}

/// What the server said, on an English page (the guide's English, the most precise); else
/// the page's own words.
pub(super) fn server_or_page(
    f: Flow,
    server_says: Option<String>,
    page: impl FnOnce() -> String,
) -> String {
    match server_says {
        Some(m) if f.lang() == "en" => m,
        _ => page(),
    }
}

/// The page's words for a refusal with `status`.
fn refusal(f: Flow, status: u16) -> String {
    let m = match status {
        413 => Msg::ErrorTooLarge,
        415 => Msg::ErrorFileType,
        400 | 422 => Msg::ErrorFiles,
        401 | 403 | 404 => Msg::ErrorLinkInvalid,
        409 => Msg::ErrorLinkUsed,
        410 => Msg::ErrorLinkExpired,
        429 => Msg::ErrorTooMany,
        503 => Msg::ErrorBusy,
        500..=599 => Msg::ErrorServer,
        _ => return f.tf(Msg::ErrorOther, &[("status", &status.to_string())]),
    };
    f.t(m).into()
}

pub(super) fn answered(f: Flow, end: UploadEnd) {
    match end {
        UploadEnd::NetworkFailed => fail(f, f.t(Msg::UploadNetwork).into(), Trouble::Network),
        UploadEnd::Answered { status: 200, body } => match serde_json::from_str::<Answer>(&body) {
            Ok(ok) => done(f, ok),
            Err(_) => fail(f, f.t(Msg::AnswerUnreadable).into(), Trouble::Server),
        },
        UploadEnd::Answered { status, body } => {
            if status == 422
                && let Ok(retry) = serde_json::from_str::<ChallengeRetryBody>(&body)
            {
                // a test-mode link's upload that missed its prompts (the page's own uploads
                // answer none): the link has a new challenge
                f.data.update_value(|d| d.challenge = Some(retry.challenge));
                let message =
                    server_or_page(f, Some(retry.error), || f.t(Msg::ChallengeRetry).into());
                fail(f, message, Trouble::Challenge(retry.attempts_left));
                return;
            }
            let said = serde_json::from_str::<ErrorBody>(&body)
                .ok()
                .map(|e| e.error);
            let (message, trouble) = refused(f, status, said);
            fail(f, message, trouble);
        }
    }
}

/// The words and the way out for a refusal with `status` (`said`: the server's message), the
/// same for an upload's answer and the live channel's `error`.
pub(super) fn refused(f: Flow, status: u16, said: Option<String>) -> (String, Trouble) {
    // the link held by an earlier upload or recording (one whose server stopped answering
    // holds it for up to a minute): not the end of the link, try again
    let in_use = status == 409 && said.as_deref() == Some(crate::contract::messages::LINK_IN_USE);
    // (its own words: "wait for its result" would mislead a user whose recording was cut)
    let message = if in_use {
        refusal(f, 503)
    } else {
        server_or_page(f, said, || refusal(f, status))
    };
    let trouble = match status {
        409 if in_use => Trouble::Server,
        400 | 413 | 415 | 422 => Trouble::Files,
        401 | 403 | 404 | 409 | 410 => Trouble::Link,
        _ => Trouble::Server,
    };
    (message, trouble)
}

pub(super) fn done(f: Flow, ok: Answer) {
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
    browser::discard(Slot::IdBack, f.id_back.get_untracked().as_ref());
    f.outcome.set(Some(Outcome {
        check_id: ok.check_id,
        status,
        risk_factors: ok.result.verification_assessment.risk_factors,
        redirect: redirect.clone(),
    }));
    f.sending.set(Sending::Idle);
    f.go(Step::Done);
    f.say(f.t(match status {
        Status::Verified => Msg::DoneVerified,
        Status::Review => Msg::DoneReview,
        Status::Rejected => Msg::DoneRejected,
    }));
    if let Some(url) = redirect {
        set_timeout(move || browser::go_to(&url), Duration::from_secs(4));
    }
}

#[component]
pub(super) fn SubmitStep(f: Flow) -> impl IntoView {
    let sending = move || !matches!(f.sending.get(), Sending::Idle | Sending::Failed { .. });
    let back = move || back_shown(f);
    view! {
        <section class="card step" aria-labelledby="step-title">
            <h1 id="step-title" tabindex="-1">{f.t(Msg::SendTitle)}</h1>
            <p>{move || f.tp(if back().is_some() { Msg::SendIntroBack } else { Msg::SendIntro })}</p>
            <div class="review-media">
                {move || f.selfie.get().map(|m| view! { <video src=m.url muted=true playsinline=true aria-label=f.t(Msg::YourSelfie)></video> })}
                {move || f.id_photo.get().map(|m| view! { <img src=m.url alt=f.t(Msg::YourIdPhoto)/> })}
                {move || back().map(|m| view! { <img src=m.url alt=f.t(Msg::YourIdBack)/> })}
            </div>
            <SendingPanel f=f live=false/>
            <div class="actions" class:hidden=move || sending() || matches!(f.sending.get(), Sending::Failed { .. })>
                <button class="secondary" id="back" on:click=move |_| f.go(Step::Selfie)>{f.t(Msg::Back)}</button>
                <button class="primary" id="submit" disabled=sending on:click=move |_| submit(f)>{f.t(Msg::Submit)}</button>
            </div>
        </section>
    }
}

/// The upload's progress, the scoring, or what went wrong and the way out. `live`: the
/// selfie step's live recording (its retry records again) rather than the upload.
#[component]
pub(super) fn SendingPanel(f: Flow, live: bool) -> impl IntoView {
    let back = move || back_shown(f);
    let again = move || {
        f.sending.set(Sending::Idle);
        if live {
            retake_selfie(f);
        } else {
            submit(f);
        }
    };
    view! {
            {move || match f.sending.get() {
                Sending::Uploading { sent, total } => Some(view! {
                    <label class="progress-label" for="upload-progress">{f.tf(Msg::UploadProgress, &[("sent", &f.size(sent)), ("total", &f.size(total))])}</label>
                    <progress id="upload-progress" max=(total as u64).to_string() value=(sent as u64).to_string()></progress>
                }.into_any()),
                Sending::Processing => Some(view! {
                    <div class="processing" id="processing"><span class="spinner" aria-hidden="true"></span>{f.t(Msg::Processing)}</div>
                }.into_any()),
                Sending::Failed { message, trouble } => Some(view! {
                    <div class="problem" role="alert" id="submit-problem">
                        <strong>{message}</strong>
                        {match trouble {
                            Trouble::Link => view! { <p>{f.tp(Msg::LinkReturn)}</p> }.into_any(),
                            Trouble::Files => view! {
                                <div class="actions">
                                    <button class="secondary" id="retake-selfie" on:click=move |_| { f.sending.set(Sending::Idle); retake_selfie(f) }>{f.t(Msg::RetakeVideo)}</button>
                                    <button class="secondary" id="retake-id" on:click=move |_| { f.sending.set(Sending::Idle); retake_photo(f, Side::Front) }>{f.t(Msg::RetakeId)}</button>
                                    {back().map(|_| view! {
                                        <button class="secondary" id="retake-id-back" on:click=move |_| { f.sending.set(Sending::Idle); retake_photo(f, Side::Back) }>{f.t(Msg::RetakeBack)}</button>
                                    })}
                                </div>
                            }.into_any(),
                            Trouble::Challenge(left) => view! {
                                <p id="challenge-retry">{format!(
                                    "{} {}",
                                    f.t(Msg::ChallengeFollow),
                                    f.tc(Msg::TriesLeft, u64::from(left.max(1)))
                                )}</p>
                                <div class="actions">
                                    <button class="primary" id="record-again" on:click=move |_| { f.sending.set(Sending::Idle); retake_selfie(f) }>{f.t(Msg::RetakeVideo)}</button>
                                </div>
                            }.into_any(),
                            Trouble::Network | Trouble::Server => view! {
                                <button class="primary" id="retry" on:click=move |_| again()>{f.t(Msg::TryAgain)}</button>
                            }.into_any(),
                        }}
                    </div>
                }.into_any()),
                Sending::Idle => None,
            }}
    }
}

/// Advice for the user after a rejection, for the causes they can fix. Attack signals get none
/// (the table: `contract::RiskFactor`).
pub(super) fn advice(code: &str) -> Option<Msg> {
    crate::contract::RiskFactor::parse(code).and_then(crate::contract::RiskFactor::advice)
}

#[component]
pub(super) fn DoneStep(f: Flow) -> impl IntoView {
    move || {
        f.outcome.get().map(|o| {
            let (title, text) = match o.status {
                Status::Verified => (Msg::VerifiedTitle, Msg::VerifiedText),
                Status::Review => (Msg::ReviewTitle, Msg::ReviewText),
                Status::Rejected => (Msg::RejectedTitle, Msg::RejectedText),
            };
            let mut tips: Vec<Msg> = if o.status == Status::Rejected {
                o.risk_factors.iter().filter_map(|c| advice(c)).collect()
            } else {
                Vec::new()
            };
            tips.dedup();
            let deleted_on = {
                let days = f.data.with_value(|d| d.retention_days) as f64;
                crate::i18n::date(f.lang(), js_sys::Date::now() + days * 86_400_000.0)
            };
            view! {
                <section class="card step result" aria-labelledby="step-title" data-status=o.status.as_str() id="result">
                    <div class=format!("badge {}", o.status.as_str()) aria-hidden="true">
                        {match o.status { Status::Verified => "✓", Status::Review => "…", Status::Rejected => "!" }}
                    </div>
                    <h1 id="step-title" tabindex="-1">{f.t(title)}</h1>
                    <p>{f.tp(text)}</p>
                    {(!tips.is_empty()).then(|| view! {
                        <ul class="tips">{tips.into_iter().map(|t| view! { <li>{f.t(t)}</li> }).collect_view()}</ul>
                    })}
                    <p class="meta" id="files-deleted">{f.tf(Msg::FilesDeletedOn, &[("date", &deleted_on)])}</p>
                    <p class="meta">{f.t(Msg::Reference)}" "<code id="check-id">{o.check_id.clone()}</code></p>
                    {o.redirect.map(|url| view! {
                        <a class="button primary" id="continue" href=url>{f.tp(Msg::Continue)}</a>
                    })}
                </section>
            }
        })
    }
}
