//! `POST /verif/submit`, the service behind the server function, as named steps ([`run`]):
//! 1. [`resolve`] the caller: read the multipart body (`intake`: bounded, streamed to spool
//!    files), checking the credentials ([`credentials`]: a capture key, or a capture link's
//!    token, which is reserved so it drives one submission at a time) as soon as they have
//!    arrived, before any file is spooled when they come first; then the user and contact data
//!    against what a capture link fixed ([`contact`]);
//! 2. [`inspect`] both files by content, on a bounded number of media slots (`media`);
//! 3. [`score`] on the scoring slots;
//! 4. [`store`] both files, under a guard (`pending_files::StoredFiles`) that deletes them unless the check
//!    is committed;
//! 5. [`commit`] the check and its webhook outbox row in one transaction (consuming the link),
//!    and answer with the guide's JSON.
//!
//! Any failure before the commit leaves nothing behind: spool files delete themselves, stored
//! objects are deleted by the guard, and the link's reservation is released ([`submit`]).

use std::sync::Arc;

use super::{
    attempts, capture_links,
    checks::{self, CheckRecord},
    db::now_ms,
    document,
    domain::{Contact, UserIdentifier},
    error::AppError,
    idempotency::{self, Claimed},
    intake::{self, Limits},
    media, observe,
    partners::{self, KeyKind, KeyMode},
    pending_files::{self, StoredFiles},
    state::AppState,
    verify::{self, Inputs},
};
use crate::contract::{DocumentType, SubmitSuccess, messages};

/// Who is submitting, once the credentials are checked: the partner and mode, the user, the
/// contact data and consent a capture link already carries, and the link's reservation.
pub(super) struct Caller {
    auth: partners::Authenticated,
    user_identifier: String,
    /// Set by the partner (capture link): the submitter cannot replace them.
    preset_email: Option<String>,
    preset_phone: Option<String>,
    /// The capture session this submission holds reserved (released on failure).
    session_id: Option<String>,
    page_consent: Option<(String, i64)>,
    /// The capture link's liveness challenge (none for the guide's key-and-user submissions).
    challenge: Option<crate::challenge::Challenge>,
    /// What the partner expects the document to say (a capture link's `expected`).
    expected: document::Expected,
    /// Keeps the capture link's reservation alive while this submission runs.
    _renewal: Option<capture_links::Renewal>,
    /// The `Idempotency-Key` this submission holds: the check's id goes on it when it commits.
    idempotency: Option<idempotency::Held>,
    /// This recording's attempt (`attempts`), once it was let in.
    attempt: Option<String>,
}

/// The credentials, in the guide's order: key present, user present, key valid (a capture
/// link's token stands for all three). With `complete` false (the gate, before the files),
/// missing fields are not an error yet: `Ok(None)` means "check again after the body". A
/// capture link is reserved under `lease` (an upload's or a live recording's).
async fn credentials(
    state: &AppState,
    fields: &intake::Intake,
    complete: bool,
    lease: capture_links::Lease,
) -> Result<Option<Caller>, AppError> {
    if let Some(token) = fields.get("capture_token") {
        let session = capture_links::reserve(&state.db, token, lease)
            .await?
            .map_err(AppError::from)?;
        let u = session.user;
        let renewal = capture_links::Renewal::start(&state.db, &session.id, lease);
        return Ok(Some(Caller {
            _renewal: Some(renewal),
            idempotency: None,
            attempt: None,
            auth: session.auth,
            user_identifier: u.user_identifier,
            preset_email: u.user_email,
            preset_phone: u.user_phone,
            session_id: Some(session.id),
            page_consent: session.consent,
            challenge: session.challenge,
            expected: u.expected,
        }));
    }
    let user = fields
        .get("user_identifier")
        .or_else(|| fields.get("user_id"))
        .map(str::to_string);
    let (Some(api_key), Some(user)) = (fields.get("api_key"), user) else {
        if !complete {
            return Ok(None);
        }
        if fields.get("api_key").is_none() {
            return Err(AppError::bad_request(messages::API_KEY_REQUIRED));
        }
        return Err(AppError::bad_request(messages::USER_IDENTIFIER_REQUIRED));
    };
    // a capture key only: a secret key is refused here like a wrong one
    let auth = partners::authenticate(&state.db, api_key, KeyKind::Capture)
        .await?
        .map_err(|_| AppError::invalid_api_key())?;
    Ok(Some(Caller {
        auth,
        user_identifier: user,
        preset_email: None,
        preset_phone: None,
        session_id: None,
        page_consent: None,
        challenge: None,
        expected: document::Expected::default(),
        _renewal: None,
        idempotency: None,
        attempt: None,
    }))
}

impl Caller {
    /// Whose attempt this is (`attempts`).
    fn attempt_user(&self) -> attempts::User<'_> {
        attempts::User {
            partner_id: &self.auth.partner.id,
            livemode: self.auth.mode == KeyMode::Live,
            user_identifier: &self.user_identifier,
            session_id: self.session_id.as_deref(),
        }
    }
}

/// The per-user limit (`IDV_USER_ATTEMPTS_PER_HOUR`, [`attempts::admit`]), before a recording
/// is read or, on the live channel, its prompts drawn. Test mode's magic user identifiers
/// (`test_verified` and the like) are not counted: a partner's test suite repeats them.
pub(super) async fn admit(state: &AppState, caller: &mut Caller) -> Result<(), AppError> {
    if caller.auth.mode == KeyMode::Test
        && verify::test_mode_outcome(&caller.user_identifier).is_some()
    {
        return Ok(());
    }
    let attempt = attempts::admit(
        &state.db,
        caller.attempt_user(),
        state.config.user_attempts_per_hour,
    )
    .await?;
    caller.attempt = Some(attempt);
    Ok(())
}

/// The submitted user and contact data against what the caller already fixed.
fn contact(
    caller: &Caller,
    fields: &intake::Intake,
) -> Result<(Option<String>, Option<String>), AppError> {
    if caller.session_id.is_some()
        && let Some(u) = fields
            .get("user_identifier")
            .or_else(|| fields.get("user_id"))
        && u != caller.user_identifier
    {
        return Err(AppError::bad_request(
            "user_identifier does not match this verification link",
        ));
    }
    UserIdentifier::parse(Some(&caller.user_identifier))?;
    let given = Contact::parse(fields.get("user_email"), fields.get("user_phone"))?;
    let (email, phone) = (given.email(), given.phone());
    // what the partner put on the link is the partner's: the user cannot replace it
    if let (Some(preset), Some(given)) = (&caller.preset_email, &email)
        && !preset.eq_ignore_ascii_case(given)
    {
        return Err(AppError::bad_request(
            "user_email does not match this verification link",
        ));
    }
    if let (Some(preset), Some(given)) = (&caller.preset_phone, &phone)
        && preset != given
    {
        return Err(AppError::bad_request(
            "user_phone does not match this verification link",
        ));
    }
    Ok((
        caller.preset_email.clone().or(email),
        caller.preset_phone.clone().or(phone),
    ))
}

/// Waits for a slot of `slots` (at most `wait`), else 503 with `Retry-After`; `gate` names
/// the slots in the metrics.
async fn slot(
    slots: &Arc<tokio::sync::Semaphore>,
    wait: std::time::Duration,
    gate: &'static str,
) -> Result<tokio::sync::OwnedSemaphorePermit, AppError> {
    tokio::time::timeout(wait, slots.clone().acquire_owned())
        .await
        .map_err(|_| {
            observe::overloaded(gate);
            AppError::Unavailable {
                retry_after_secs: 10,
            }
        })?
        .map_err(|e| AppError::internal("slots closed", e))
}

/// A submission's answer, and whether it is a replay of an earlier request with the same
/// `Idempotency-Key` (the answer then says so: `Idempotent-Replayed: true`).
pub struct Submitted {
    pub success: SubmitSuccess,
    pub replayed: bool,
}

pub async fn submit(
    state: &AppState,
    mp: multer::Multipart<'static>,
    key: Option<idempotency::Key>,
) -> Result<Submitted, AppError> {
    use tracing::Instrument;
    let mut reserved: Option<String> = None;
    let start = std::time::Instant::now();
    // the root of the submission's trace; the check id is recorded once it exists
    let span = tracing::info_span!("submission", check_id = tracing::field::Empty);
    // the key's lease stays here: kept when the check is made, released (awaited) when not,
    // released in the background when this future is dropped
    let mut lease: Option<idempotency::Lease> = None;
    let result = run(state, mp, &mut reserved, key, &mut lease)
        .instrument(span)
        .await;
    if let Some(lease) = lease {
        match &result {
            Ok(s) if !s.replayed => {
                if let Err(e) = lease.keep(&state.master_key, 200, None).await {
                    // the check holds the key already: a retry replays it all the same
                    tracing::warn!(error = %e, "could not mark an idempotency key done");
                }
            }
            _ => lease.release().await,
        }
    }
    let outcome = match &result {
        Ok(_) => "completed",
        Err(e) if e.status().is_server_error() => "failed",
        Err(_) => "refused",
    };
    metrics::histogram!(observe::SUBMIT_SECONDS, "outcome" => outcome)
        .record(start.elapsed().as_secs_f64());
    if result.is_err()
        && let Some(session_id) = reserved
        && let Err(e) = capture_links::release(&state.db, &session_id).await
    {
        tracing::warn!(error = %e, "could not release a capture token's reservation; it lapses on its own");
    }
    result
}

/// The multipart door: resolve the caller, take the `Idempotency-Key` (or replay its check),
/// then the steps every door shares ([`process`]).
async fn run(
    state: &AppState,
    mp: multer::Multipart<'static>,
    reserved: &mut Option<String>,
    key: Option<idempotency::Key>,
    lease: &mut Option<idempotency::Lease>,
) -> Result<Submitted, AppError> {
    let (mut caller, intake) = observe::stage("intake", None, resolve(state, mp, reserved)).await?;
    let (Some(selfie), Some(id_photo)) = (&intake.selfie, &intake.id_photo) else {
        contact(&caller, &intake)?;
        return Err(AppError::bad_request(messages::FILES_REQUIRED));
    };
    let timeline = intake.get("challenge_timeline");
    let answered = answered_challenge(&caller, timeline)?;
    if let Some(key) = key {
        let scope = idempotency::Scope {
            partner_id: caller.auth.partner.id.clone(),
            livemode: caller.auth.mode == KeyMode::Live,
        };
        let surface = idempotency::Surface::Submit {
            user_identifier: &caller.user_identifier,
        };
        let fingerprint = fingerprint(&intake).await?;
        let claimed = idempotency::claim(
            &state.db,
            &state.master_key,
            &scope,
            surface,
            &key,
            &fingerprint,
        )
        .await?;
        match claimed {
            Claimed::Owned(owned) => {
                caller.idempotency = Some(owned.held().clone());
                *lease = Some(owned);
            }
            Claimed::Check(check_id) => {
                return Ok(Submitted {
                    success: replay(state, &caller, &check_id).await?,
                    replayed: true,
                });
            }
            Claimed::Answer { .. } => {
                return Err(AppError::Unprocessable(
                    "This Idempotency-Key was used with another kind of request".into(),
                ));
            }
        }
    }
    let files = Files {
        selfie,
        id_photo,
        id_photo_back: intake.id_photo_back.as_ref(),
    };
    let success = process(state, caller, &intake, files, Recording::Uploaded(answered)).await?;
    Ok(Submitted {
        success,
        replayed: false,
    })
}

/// What makes two submissions the same request for `Idempotency-Key`: their text fields but
/// the credentials (a rotated key replays too) and the SHA-256 of each file.
async fn fingerprint(intake: &intake::Intake) -> Result<String, AppError> {
    use sha2::{Digest, Sha256};
    let mut fields: Vec<(&str, &str)> = intake
        .text
        .iter()
        .filter(|(k, _)| !matches!(**k, "api_key" | "capture_token"))
        .map(|(k, v)| (*k, v.as_str()))
        .collect();
    fields.sort_unstable();
    let mut h = Sha256::new();
    h.update(b"POST /verif/submit\n");
    for (k, v) in fields {
        h.update(format!("{k}={}\n", v.len()).as_bytes());
        h.update(v.as_bytes());
    }
    let files = [
        (intake::SELFIE_FIELD, intake.selfie.as_ref()),
        (intake::ID_FIELD, intake.id_photo.as_ref()),
        (intake::ID_BACK_FIELD, intake.id_photo_back.as_ref()),
    ];
    for (name, upload) in files {
        let Some(upload) = upload else { continue };
        let digest = sha256_file(upload, "hashing an upload").await?;
        h.update(format!("{name}={digest}\n").as_bytes());
    }
    Ok(hex::encode(h.finalize()))
}

/// An upload's SHA-256 (hex), read on a blocking thread; `doing` names it in an error.
async fn sha256_file(upload: &intake::Upload, doing: &'static str) -> Result<String, AppError> {
    use sha2::{Digest, Sha256};
    let path = upload.spool.path().to_path_buf();
    tokio::task::spawn_blocking(move || -> std::io::Result<String> {
        let mut file = std::fs::File::open(path)?;
        let mut hasher = Sha256::new();
        std::io::copy(&mut file, &mut hasher)?;
        Ok(hex::encode(hasher.finalize()))
    })
    .await
    .map_err(|e| AppError::internal(doing, e))?
    .map_err(|e| AppError::internal(doing, e))
}

/// The answer of a check made under the same `Idempotency-Key`: the check as it is now, its
/// file links signed afresh.
async fn replay(
    state: &AppState,
    caller: &Caller,
    check_id: &str,
) -> Result<SubmitSuccess, AppError> {
    let record = checks::get(&state.db, &caller.auth.partner.id, check_id)
        .await?
        .ok_or_else(|| {
            AppError::internal(
                "replaying a check",
                anyhow::anyhow!("check {check_id} is gone"),
            )
        })?;
    let result = checks::to_result(&record, &state.storage, state.config.link_ttl)
        .await
        .map_err(|e| AppError::internal(format!("minting links for check {check_id}"), e))?;
    tracing::info!(
        check_id,
        "a submission with the same Idempotency-Key: its check is replayed"
    );
    Ok(SubmitSuccess {
        success: true,
        check_id: record.id,
        result,
    })
}

/// The files of one submission (the ID photos of a live recording serve each of its attempts).
#[derive(Clone, Copy)]
pub(super) struct Files<'a> {
    pub selfie: &'a intake::Upload,
    pub id_photo: &'a intake::Upload,
    pub id_photo_back: Option<&'a intake::Upload>,
}

/// How the selfie video came, and the challenge it answered.
pub(super) enum Recording {
    /// Uploaded whole (`POST /verif/submit`): the capture link's challenge with the page's
    /// own timeline (`challenge_timeline`), or none.
    Uploaded(Option<(crate::challenge::Challenge, crate::challenge::Timeline)>),
    /// Streamed over the live channel (`live`): the prompts as the server sent them, and
    /// whether the video arrived faster than a camera films (made before its prompts).
    Live {
        answered: (crate::challenge::Challenge, crate::challenge::Timeline),
        not_live: bool,
        /// The screen's light, each state when it was sent.
        lights: Vec<crate::challenge::Light>,
        /// Its frames and track, read while it arrived (`verify::watch`), for the verifier to
        /// take; `None`: it is read now.
        watched: Option<verify::watch::Watched>,
    },
}

impl Recording {
    fn answered(&self) -> Option<&(crate::challenge::Challenge, crate::challenge::Timeline)> {
        match self {
            Self::Uploaded(a) => a.as_ref(),
            Self::Live { answered, .. } => Some(answered),
        }
    }

    fn lights(&self) -> &[crate::challenge::Light] {
        match self {
            Self::Uploaded(_) => &[],
            Self::Live { lights, .. } => lights,
        }
    }

    fn take_watched(&mut self) -> Option<verify::watch::Watched> {
        match self {
            Self::Uploaded(_) => None,
            Self::Live { watched, .. } => watched.take(),
        }
    }
}

/// A live recording's caller: the capture link of `token`, reserved for one attempt (its
/// reservation is renewed while the returned caller lives; [`release`] it after a failure).
pub(super) async fn live_caller(state: &AppState, token: &str) -> Result<Caller, AppError> {
    let mut fields = intake::Intake::default();
    fields.text.insert("capture_token", token.to_string());
    credentials(state, &fields, false, capture_links::LIVE_LEASE)
        .await?
        .ok_or_else(|| AppError::Unauthorized(capture_links::LINK_NOT_VALID.into()))
}

impl Caller {
    /// The capture link this caller holds reserved.
    pub(super) fn session_id(&self) -> Option<&str> {
        self.session_id.as_deref()
    }

    /// A test-mode link's challenge, known in advance (`capture_links::CaptureLink::challenge`);
    /// `None` for a live link.
    pub(super) fn sandbox_challenge(&self) -> Option<crate::challenge::Challenge> {
        self.challenge.clone()
    }
}

/// Ends a caller's reservation after a failure (the link stays usable).
pub(super) async fn release(state: &AppState, session_id: &str) {
    if let Err(e) = capture_links::release(&state.db, session_id).await {
        tracing::warn!(error = %e, "could not release a capture token's reservation; it lapses on its own");
    }
}

/// The steps every door shares, each named: inspect the media → score → store → commit.
pub(super) async fn process(
    state: &AppState,
    caller: Caller,
    fields: &intake::Intake,
    files: Files<'_>,
    recording: Recording,
) -> Result<SubmitSuccess, AppError> {
    contact(&caller, fields)?;
    document_type(fields.get("document_type"))?;
    let mut caller = caller;
    admit(state, &mut caller).await?;
    let inspected = inspect_files(state, files).await?;
    process_inspected(state, caller, fields, files, inspected, recording).await
}

/// The media of a submission, read: the video probed, the photos decoded ([`inspect`]).
pub(super) struct Inspected(
    media::VideoInfo,
    media::DecodedImage,
    Option<media::DecodedImage>,
);

/// Step 1 of [`process`], on its own: a live recording's is done beside the reading of its
/// arrival.
pub(super) async fn inspect_files(
    state: &AppState,
    files: Files<'_>,
) -> Result<Inspected, AppError> {
    let (video, image, back) = observe::stage(
        "probe",
        None,
        inspect(state, files.selfie, files.id_photo, files.id_photo_back),
    )
    .await?;
    Ok(Inspected(video, image, back))
}

/// [`process`] after its media were inspected.
pub(super) async fn process_inspected(
    state: &AppState,
    caller: Caller,
    fields: &intake::Intake,
    files: Files<'_>,
    Inspected(video, image, back): Inspected,
    mut recording: Recording,
) -> Result<SubmitSuccess, AppError> {
    let (email, phone) = contact(&caller, fields)?;
    let Files {
        selfie,
        id_photo,
        id_photo_back,
    } = files;
    let text = &fields.text;
    let requested = document_type(text.get("document_type").map(String::as_str))?;
    let names = Names::new(&caller.auth.partner.id, &video, &image, back.as_ref());
    tracing::Span::current().record("check_id", names.check_id.as_str());
    let answered = recording.answered().cloned();
    let mut scored = score(
        state,
        &caller,
        &names.check_id,
        selfie,
        &video,
        (image, back),
        &mut recording,
        requested,
    )
    .await?;
    let (outcome, forced) = (&mut scored.outcome, scored.forced);
    // a video that arrived faster than it could be filmed was made before its prompts: a
    // verdict, never another recording
    if let Recording::Live { not_live: true, .. } = &recording {
        verify::add_risk(outcome, crate::contract::RiskFactor::RecordingNotLive);
    }
    // a replay is refused outright, never offered another challenge
    let selfie_sha256 = replay_check(state, &caller, selfie, outcome).await?;
    retry_challenge(state, &caller, answered.is_some(), outcome).await?;
    // the document's findings after the retry decision: a retry is about the recording only
    if !forced {
        for risk in &scored.document.risks {
            verify::add_risk(&mut scored.outcome, *risk);
        }
    }
    let stored = observe::stage(
        "store",
        Some(&names.check_id),
        store(state, &names, selfie, id_photo, id_photo_back, video.mime),
    )
    .await?;

    let record = check_record(state, &caller, fields, names, (email, phone), scored);
    let Caller {
        session_id,
        idempotency,
        attempt,
        ..
    } = caller;
    observe::stage(
        "commit",
        Some(&record.id),
        commit(
            state,
            session_id.as_deref(),
            &record,
            &selfie_sha256,
            idempotency.as_ref(),
            attempt.as_deref(),
        ),
    )
    .await?;
    stored.keep();
    observe::check_completed(record.status.as_str(), &record.face.method, record.livemode);
    tracing::info!(check_id = %record.id, status = record.status.as_str(), similarity = record.face.similarity_score, "check completed");

    let result = checks::to_result(&record, &state.storage, state.config.link_ttl)
        .await
        .map_err(|e| AppError::internal(format!("minting links for check {}", record.id), e))?;
    Ok(SubmitSuccess {
        success: true,
        check_id: record.id,
        result,
    })
}

/// The check's record: what the steps decided, under the names its files were stored with.
fn check_record(
    state: &AppState,
    caller: &Caller,
    fields: &intake::Intake,
    names: Names,
    (user_email, user_phone): (Option<String>, Option<String>),
    scored: Scored,
) -> CheckRecord {
    let completed_at = now_ms();
    // Consent: what the page recorded on the session; else what the submitter declares.
    let (consent_version, consented_at) = match &caller.page_consent {
        Some((v, at)) => (Some(v.clone()), Some(*at)),
        None => {
            let v = fields.get("consent_version").map(str::to_string);
            let at = v.as_ref().map(|_| names.created_at);
            (v, at)
        }
    };
    let outcome = scored.outcome;
    let risk_factors = outcome.risk_codes();
    CheckRecord {
        id: names.check_id.clone(),
        partner_id: caller.auth.partner.id.clone(),
        livemode: caller.auth.mode == KeyMode::Live,
        user_identifier: caller.user_identifier.clone(),
        user_email,
        user_phone,
        status: outcome.status,
        face: outcome.face,
        overall_score: outcome.overall_score,
        confidence_level: outcome.confidence_level,
        summary: outcome.summary,
        risk_factors,
        review_reason: scored.review_reason,
        storage_backend: state.storage.name().to_string(),
        selfie_key: names.selfie_key,
        selfie_file_name: names.selfie_name,
        id_key: names.id_key,
        id_file_name: names.id_name,
        consent_version,
        consented_at,
        created_at: names.created_at,
        completed_at,
        files_expire_at: completed_at
            + i64::try_from(state.config.retention.as_millis()).unwrap_or(i64::MAX / 4),
        files_deleted_at: None,
        redacted_at: None,
        reviewed_at: None,
        review_note: None,
        document: scored.document.data,
        id_back_key: names.id_back.as_ref().map(|(key, _)| key.clone()),
        id_back_file_name: names.id_back.map(|(_, name)| name),
    }
}

/// Step 1: reads the body, checking the credentials as soon as they have arrived (before any
/// file is spooled when they come first). A capture link's token is reserved: `reserved` names
/// it, so that [`submit`] releases it if a later step fails.
async fn resolve(
    state: &AppState,
    mp: multer::Multipart<'static>,
    reserved: &mut Option<String>,
) -> Result<(Caller, intake::Intake), AppError> {
    let cfg = &state.config;
    let limits = Limits {
        max_video_bytes: cfg.max_video_bytes,
        max_photo_bytes: cfg.max_photo_bytes,
        spool: &state.spool,
    };
    let tmp_dir = cfg.data_dir.join("tmp");
    let mut reader = intake::Reader::new(mp, &tmp_dir, &limits)?;
    reader.read_fields().await?;
    let early = credentials(state, reader.fields(), false, capture_links::UPLOAD_LEASE).await?;
    if let Some(c) = &early {
        reserved.clone_from(&c.session_id);
    }
    // the files are received on one of the process's upload slots: an authenticated one when
    // the credentials came first and hold, else one of the few for files before credentials
    let _slot = match (&early, reader.file_waiting()) {
        (_, false) => None,
        (Some(_), true) => Some(state.uploads.authenticated()?),
        (None, true) => Some(state.uploads.unauthenticated()?),
    };
    let intake = reader.finish().await?;
    let caller = match early {
        Some(c) => c,
        None => {
            let c = credentials(state, &intake, true, capture_links::UPLOAD_LEASE)
                .await?
                .expect("complete credentials or an error");
            reserved.clone_from(&c.session_id);
            c
        }
    };
    Ok((caller, intake))
}

/// Step 2: both files by content (the video probed by ffmpeg, the photo decoded), on a bounded
/// number of media slots. A file that is not what its field says is a 400 naming the field.
async fn inspect(
    state: &AppState,
    selfie: &intake::Upload,
    id_photo: &intake::Upload,
    id_photo_back: Option<&intake::Upload>,
) -> Result<
    (
        media::VideoInfo,
        media::DecodedImage,
        Option<media::DecodedImage>,
    ),
    AppError,
> {
    let cfg = &state.config;
    // the slot goes with the decodes: a decode goes on when its submission is dropped, and
    // holds the slot until it ends
    let permit = Arc::new(slot(&state.media_slots, cfg.scoring_queue_timeout, "media").await?);
    let (max, limit) = (cfg.max_image_pixels, cfg.media_timeout);
    // a HEIC's converted copy (one at a time) is charged to the spool while it exists
    let heic = |u: &intake::Upload| {
        media::sniff(&u.head) == media::Sniffed::Image(media::ImageFormat::Heic)
    };
    let _converted = match heic(id_photo) || id_photo_back.is_some_and(heic) {
        true => Some(state.spool.reserve(media::heic_output_bytes(max))?),
        false => None,
    };
    // a converter still running when this submission is dropped is killed
    let cancel = document::Cancel::default();
    let _stop_converting = cancel.on_drop();
    let decode = |upload: &intake::Upload, field: &'static str| {
        let (path, head) = (upload.spool.path().to_path_buf(), upload.head.clone());
        let (cancel, permit) = (cancel.clone(), permit.clone());
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let limits = media::ImageLimits {
                max_pixels: max,
                timeout: limit,
                cancel: Some(&cancel),
            };
            media::decode_image(&path, &head, field, &limits)
        })
    };
    let photos = async {
        let front = decode(id_photo, intake::ID_FIELD).await;
        let back = match id_photo_back {
            Some(b) => Some(decode(b, intake::ID_BACK_FIELD).await),
            None => None,
        };
        (front, back)
    };
    // at once: the probe mostly waits for ffprobe
    let (video, (image, back)) = tokio::join!(
        media::probe_video(
            selfie.spool.path(),
            &selfie.head,
            "selfie_video",
            cfg.media_timeout,
        ),
        photos,
    );
    let video = video
        .map_err(|e| AppError::internal("probing the selfie video", e))?
        .map_err(|r| AppError::BadRequest(r.0))?;
    let image = image
        .map_err(|e| AppError::internal("decoding the ID photo", e))?
        .map_err(|r| AppError::BadRequest(r.0))?;
    let back = back
        .transpose()
        .map_err(|e| AppError::internal("decoding the ID photo's back", e))?
        .transpose()
        .map_err(|r| AppError::BadRequest(r.0))?;
    Ok((video, image, back))
}

/// The `document_type` field: absent, or one of the [`DocumentType`]s.
fn document_type(v: Option<&str>) -> Result<Option<DocumentType>, AppError> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => DocumentType::parse(v).map(Some).ok_or_else(|| {
            AppError::bad_request("document_type must be one of passport, id_card, driving_licence")
        }),
    }
}

/// The new check's id, time and storage names.
struct Names {
    check_id: String,
    created_at: i64,
    selfie_name: String,
    id_name: String,
    selfie_key: String,
    id_key: String,
    /// The back side's key and file name, when there is one.
    id_back: Option<(String, String)>,
}

impl Names {
    fn new(
        partner_id: &str,
        video: &media::VideoInfo,
        image: &media::DecodedImage,
        back: Option<&media::DecodedImage>,
    ) -> Self {
        let check_id = uuid::Uuid::new_v4().to_string();
        let created_at = now_ms();
        let selfie_name = format!("{check_id}_selfie_{created_at}.{}", video.ext);
        let id_name = format!("{check_id}_id_{created_at}.{}", image.format.ext());
        let id_back = back.map(|b| {
            let name = format!("{check_id}_id_back_{created_at}.{}", b.format.ext());
            (format!("{partner_id}/{check_id}/{name}"), name)
        });
        Self {
            selfie_key: format!("{partner_id}/{check_id}/{selfie_name}"),
            id_key: format!("{partner_id}/{check_id}/{id_name}"),
            check_id,
            created_at,
            selfie_name,
            id_name,
            id_back,
        }
    }
}

/// What [`score`] found: the face and liveness outcome, why it went to review when scoring
/// failed, whether test mode forced it, and the document's assessment.
struct Scored {
    outcome: verify::Outcome,
    review_reason: Option<String>,
    forced: bool,
    document: document::Assessment,
}

/// Step 3: the decision, on a bounded number of scoring slots (overload waits, then sheds with
/// 503), the document read at the same time. Test mode's magic user identifiers decide without
/// the model (the document is still read, for its data). A scoring failure is not the user's:
/// the check is kept as `review` with the reason for the reviewer.
#[allow(clippy::too_many_arguments)]
async fn score(
    state: &AppState,
    caller: &Caller,
    check_id: &str,
    selfie: &intake::Upload,
    video: &media::VideoInfo,
    (image, back): (media::DecodedImage, Option<media::DecodedImage>),
    recording: &mut Recording,
    requested: Option<DocumentType>,
) -> Result<Scored, AppError> {
    let forced = (caller.auth.mode == KeyMode::Test)
        .then(|| verify::test_mode_outcome(&caller.user_identifier))
        .flatten();
    let queued = observe::InGauge::queued();
    let permit = slot(
        &state.scoring_slots,
        state.config.scoring_queue_timeout,
        "scoring",
    )
    .await?;
    drop(queued);
    // the slot and the gauge go with the work: every inference job and the document reading
    // hold them until they end, so a submission whose client hung up keeps its slot until its
    // work has stopped (the gates and gauges say what the process is doing)
    let hold: Arc<dyn std::any::Any + Send + Sync> =
        Arc::new((permit, observe::InGauge::scoring()));
    let front = Arc::new(image.image);
    let inputs = Inputs {
        video: selfie.spool.path().to_path_buf(),
        video_info: video.clone(),
        id_photo: front.clone(),
        challenge: recording.answered().cloned(),
        test_mode: caller.auth.mode == KeyMode::Test,
        lights: recording.lights().to_vec(),
        watched: std::sync::Mutex::new(recording.take_watched()),
    };
    // the reading stops (and kills its Tesseract) when this submission is dropped: a client
    // that hangs up leaves no reading behind
    let cancel = document::Cancel::default();
    let _stop_reading = cancel.on_drop();
    let read = {
        let (reader, back) = (state.documents.clone(), back.map(|b| b.image));
        let span = tracing::info_span!(
            "submit.stage",
            otel.name = "submit.document",
            stage = "document",
            check_id
        );
        let hold = hold.clone();
        tokio::task::spawn_blocking(move || {
            let _hold = hold;
            let _in = span.enter();
            let start = std::time::Instant::now();
            let read = reader.read(&front, back.as_ref(), requested, &cancel);
            observe::stage_time("document", start.elapsed());
            read
        })
    };
    let forced_flag = forced.is_some();
    let face = async {
        match forced {
            Some(o) => Ok(o),
            None => {
                use tracing::Instrument;
                let span = tracing::info_span!("submit.score", check_id);
                let verify = state.verifier.verify(&inputs).instrument(span);
                verify::holding(hold.clone(), verify).await
            }
        }
    };
    let (scored, read) = tokio::join!(face, read);
    drop(hold);
    let (outcome, mut review_reason) = match scored {
        Ok(o) => (o, None),
        // over capacity is not the user's failure: no check, a 503 to retry
        Err(e) if e.downcast_ref::<verify::Overloaded>().is_some() => {
            return Err(AppError::Unavailable {
                retry_after_secs: 10,
            });
        }
        Err(e) => {
            tracing::error!(check_id = %check_id, error = format!("{e:#}"), "scoring failed; the check goes to review");
            (
                verify::scoring_failed(state.verifier.method()),
                Some(format!("scoring failed: {e}")),
            )
        }
    };
    // a panic's own text may quote the document: never the JoinError's Display
    let read = read.map_err(|e| {
        anyhow::anyhow!(if e.is_panic() {
            "the document reader panicked"
        } else {
            "the document reader was cancelled"
        })
    });
    let reading = match read.and_then(|r| r) {
        Ok(r) => r,
        Err(e) => {
            // never the document's data in the log: only that reading it failed
            tracing::error!(check_id = %check_id, error = format!("{e:#}"), "reading the document failed");
            review_reason.get_or_insert_with(|| format!("reading the document failed: {e}"));
            document::Reading::Nothing
        }
    };
    let today = chrono::Utc::now().date_naive();
    Ok(Scored {
        outcome,
        review_reason,
        forced: forced_flag,
        document: document::assess(&reading, requested, &caller.expected, today),
    })
}

/// A capture link's recording that failed its challenge and nothing else is not a verdict
/// while the link has recordings left (`IDV_CHALLENGE_ATTEMPTS`): the link gets a new
/// challenge and the page records again (a 422 carrying it; no check, no webhook, nothing
/// stored). A person who misread a prompt is not rejected for it; a recording made in advance
/// meets a new random challenge each time. The last attempt gets its verdict as usual.
async fn retry_challenge(
    state: &AppState,
    caller: &Caller,
    answered: bool,
    outcome: &verify::Outcome,
) -> Result<(), AppError> {
    use crate::contract::RiskFactor;
    let Some(session_id) = &caller.session_id else {
        return Ok(());
    };
    if !answered {
        return Ok(());
    }
    let only_the_challenge = !outcome.risk_factors.is_empty()
        && outcome.risk_factors.iter().all(|risk| {
            matches!(
                risk,
                RiskFactor::ChallengeNotFollowed
                    | RiskFactor::NoBlink
                    | RiskFactor::ScreenLightNotMeasured
            )
        });
    if outcome.status == crate::contract::Status::Verified || !only_the_challenge {
        return Ok(());
    }
    let Some((challenge, attempts_left)) =
        capture_links::retry_challenge(&state.db, session_id, state.config.challenge_attempts)
            .await?
    else {
        return Ok(());
    };
    tracing::info!(
        session_id = %session_id,
        attempts_left,
        risk_factors = outcome.risk_codes().join(","),
        "recording did not follow its challenge; a new challenge was drawn"
    );
    // no check is made: the attempt is the partner's only trace of this recording
    attempts::settle(
        &state.db.pool,
        caller.attempt.as_deref(),
        caller.attempt_user(),
        attempts::Outcome::ChallengeRetry,
        None,
        &outcome.risk_codes(),
    )
    .await?;
    Err(AppError::ChallengeRetry {
        message: crate::contract::CHALLENGE_RETRY_MESSAGE.into(),
        challenge,
        attempts_left,
    })
}

/// The selfie file's SHA-256, and `replayed_video` (a rejection) when an earlier live check
/// was made from the same file: a recording is evidence once. Test mode is exempt (a partner's
/// test suite sends its sample files again and again).
async fn replay_check(
    state: &AppState,
    caller: &Caller,
    selfie: &intake::Upload,
    outcome: &mut verify::Outcome,
) -> Result<String, AppError> {
    let hash = sha256_file(selfie, "hashing the selfie video").await?;
    let seen = checks::live_check_with_selfie(&state.db, &hash)
        .await
        .map_err(|e| AppError::internal("looking for a replayed video", e))?;
    if seen && caller.auth.mode == KeyMode::Live {
        verify::add_risk(outcome, crate::contract::RiskFactor::ReplayedVideo);
    }
    Ok(hash)
}

/// The challenge an uploaded recording answered: a test-mode link's, with the timeline its
/// client sent (`challenge_timeline`, for a partner's automated tests). A live link's upload
/// answered none whatever it sends (its prompts exist only on the live channel), nor does a
/// submission without a timeline (the partner's own upload, the page's upload path): scored
/// on passive evidence, at most to `review`.
fn answered_challenge(
    caller: &Caller,
    timeline: Option<&str>,
) -> Result<Option<(crate::challenge::Challenge, crate::challenge::Timeline)>, AppError> {
    let (Some(challenge), Some(timeline)) = (&caller.challenge, timeline) else {
        return Ok(None);
    };
    let timeline: crate::challenge::Timeline = serde_json::from_str(timeline).map_err(|e| {
        AppError::bad_request(format!(
            "challenge_timeline is not valid: {e} (expected {{\"shown_ms\": [numbers]}})"
        ))
    })?;
    Ok(Some((challenge.clone(), timeline)))
}

/// Step 4: both files into storage. The guard it returns deletes them again unless the check
/// is committed.
async fn store(
    state: &AppState,
    names: &Names,
    selfie: &intake::Upload,
    id_photo: &intake::Upload,
    id_photo_back: Option<&intake::Upload>,
    video_mime: &str,
) -> Result<StoredFiles, AppError> {
    let storage = &state.storage;
    let mut files = vec![
        (&names.selfie_key, selfie, video_mime, &names.selfie_name),
        (
            &names.id_key,
            id_photo,
            super::storage::content_type_for(&names.id_name),
            &names.id_name,
        ),
    ];
    if let (Some((key, name)), Some(upload)) = (&names.id_back, id_photo_back) {
        files.push((key, upload, super::storage::content_type_for(name), name));
    }
    // the keys are written down before the first byte goes out: a node killed between here and
    // the commit leaves the row, and the sweeper deletes its files
    let keys: Vec<String> = files.iter().map(|f| f.0.clone()).collect();
    pending_files::note(&state.db, &names.check_id, &keys)
        .await
        .map_err(|e| AppError::internal(format!("noting files of check {}", names.check_id), e))?;
    let mut stored = StoredFiles::new(
        storage.clone(),
        Some((state.db.clone(), names.check_id.clone())),
    );
    for (key, upload, mime, name) in files {
        // a failed put leaves nothing under its key; the guard deletes the ones before it
        stored.add(key.clone());
        storage
            .put_file(key, upload.spool.path(), mime, name)
            .await
            .map_err(|e| {
                AppError::internal(format!("storing files of check {}", names.check_id), e)
            })?;
    }
    Ok(stored)
}

/// Step 5: the check and its webhook outbox row in one transaction, consuming the capture
/// link; a link used meanwhile by another submission is a 409 and nothing is written.
async fn commit(
    state: &AppState,
    session_id: Option<&str>,
    record: &CheckRecord,
    selfie_sha256: &str,
    idempotency: Option<&idempotency::Held>,
    attempt: Option<&str>,
) -> Result<(), AppError> {
    let committed: Result<Result<(), capture_links::Lookup>, sqlx::Error> = async {
        let mut tx = state.db.pool.begin().await?;
        // a write first: on SQLite the transaction takes the write lock now (waiting for it as
        // long as the busy timeout allows) rather than at the link's update after its reads,
        // where another commit in between makes it fail ("database is locked")
        checks::insert(&mut tx, record).await?;
        if let Some(sid) = session_id
            && let Err(refused) = capture_links::consume(&mut tx, sid, &record.id).await?
        {
            tx.rollback().await?;
            return Ok(Err(refused));
        }
        checks::set_selfie_sha256(&mut tx, &record.id, selfie_sha256).await?;
        // the note of its files goes in the same transaction; a sweeper that has claimed it
        // (a stalled submission) is deleting the files, so this check must not exist
        if !pending_files::clear_in(&mut tx, &record.id).await? {
            tx.rollback().await?;
            return Err(sqlx::Error::Protocol(
                "the files of this submission were claimed by the sweep of unfinished submissions"
                    .into(),
            ));
        }
        let user = attempts::User {
            partner_id: &record.partner_id,
            livemode: record.livemode,
            user_identifier: &record.user_identifier,
            session_id,
        };
        attempts::settle(
            &mut *tx,
            attempt,
            user,
            attempts::Outcome::Check,
            Some(&record.id),
            &record.risk_factors,
        )
        .await?;
        // a retry with the same key replays this check, even if this answer is lost
        if let Some(held) = idempotency {
            held.attach_check(&mut *tx, &record.id).await?;
        }
        tx.commit().await?;
        Ok(Ok(()))
    }
    .await;
    match committed {
        Ok(Ok(())) => {
            state.webhook_notify.notify_one();
            Ok(())
        }
        Ok(Err(refused)) => Err(refused.into()),
        Err(e) => Err(AppError::internal(format!("saving check {}", record.id), e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::{crypto::MasterKey, storage::LocalStorage};

    async fn put(storage: &super::super::storage::Storage, dir: &std::path::Path, key: &str) {
        let src = dir.join(format!("{}.src", key.replace('/', "_")));
        std::fs::write(&src, b"bytes").unwrap();
        storage
            .put_file(key, &src, "video/webm", "f.webm")
            .await
            .unwrap();
    }

    /// The store step's guard: dropped (an error or a cancelled request before the commit),
    /// it deletes what was stored; kept (after the commit), it leaves it.
    #[tokio::test]
    async fn uncommitted_files_are_deleted_when_the_guard_drops() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("files");
        let storage: super::super::storage::Storage = Arc::new(
            LocalStorage::new(
                root.clone(),
                "http://127.0.0.1/".parse().unwrap(),
                MasterKey::generate(),
            )
            .unwrap(),
        );
        for key in ["p/c1/a.webm", "p/c1/b.jpg", "p/c2/a.webm"] {
            put(&storage, dir.path(), key).await;
        }
        let count = |root: &std::path::Path| walk(root).len();
        assert_eq!(count(&root), 3);
        let mut guard = StoredFiles::new(storage.clone(), None);
        guard.add("p/c1/a.webm".into());
        guard.add("p/c1/b.jpg".into());
        drop(guard);
        let mut left = count(&root);
        for _ in 0..100 {
            if left == 1 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            left = count(&root);
        }
        assert_eq!(
            left, 1,
            "the dropped guard's files are deleted, the other stays"
        );
        let mut guard = StoredFiles::new(storage.clone(), None);
        guard.add("p/c2/a.webm".into());
        guard.keep();
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        assert_eq!(count(&root), 1, "kept files stay");
    }

    fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
        out
    }
}
