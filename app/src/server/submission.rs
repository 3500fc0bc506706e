//! `POST /verif/submit`, the service behind the server function, as named steps:
//! 1. read the multipart body (`intake`: bounded, streamed to spool files), checking the
//!    credentials (`credentials`: a capture key, or a capture link's token, which is reserved
//!    so it drives one submission at a time) as soon as they have arrived, before any file is
//!    spooled when they come first;
//! 2. the user and contact data against what a capture link fixed (`contact`);
//! 3. both files by content, on a bounded number of media slots (`media`);
//! 4. score on the scoring slots; store both files; write the check and its webhook outbox row
//!    in one transaction (consuming the link); answer with the guide's JSON.
//!
//! Any failure before the commit leaves nothing behind: spool files delete themselves, stored
//! objects are deleted again, and the link's reservation is released.

use std::sync::Arc;

use super::{
    checks::{self, CheckRecord},
    db::now_ms,
    domain::{Contact, UserIdentifier},
    error::AppError,
    intake::{self, Limits},
    media,
    partners::{self, KeyKind, KeyMode},
    sessions,
    state::AppState,
    verify::{self, Inputs},
};
use crate::contract::{SubmitSuccess, messages};

/// Who is submitting, once the credentials are checked: the partner and mode, the user, the
/// contact data and consent a capture link already carries, and the link's reservation.
struct Caller {
    auth: partners::Authenticated,
    user_identifier: String,
    /// Set by the partner (capture link): the submitter cannot replace them.
    preset_email: Option<String>,
    preset_phone: Option<String>,
    /// The capture session this submission holds reserved (released on failure).
    session_id: Option<String>,
    page_consent: Option<(String, i64)>,
}

/// The credentials, in the guide's order: key present, user present, key valid (a capture
/// link's token stands for all three). With `complete` false (the gate, before the files),
/// missing fields are not an error yet: `Ok(None)` means "check again after the body".
async fn credentials(
    state: &AppState,
    fields: &intake::Intake,
    complete: bool,
) -> Result<Option<Caller>, AppError> {
    if let Some(token) = fields.get("capture_token") {
        let session = sessions::reserve(&state.db, token)
            .await?
            .map_err(AppError::from)?;
        let u = session.user;
        return Ok(Some(Caller {
            auth: session.auth,
            user_identifier: u.user_identifier,
            preset_email: u.user_email,
            preset_phone: u.user_phone,
            session_id: Some(session.id),
            page_consent: session.consent,
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
    }))
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

/// Waits for a slot of `slots` (at most `wait`), else 503 with `Retry-After`.
async fn slot(
    slots: &Arc<tokio::sync::Semaphore>,
    wait: std::time::Duration,
) -> Result<tokio::sync::OwnedSemaphorePermit, AppError> {
    tokio::time::timeout(wait, slots.clone().acquire_owned())
        .await
        .map_err(|_| AppError::Unavailable {
            retry_after_secs: 10,
        })?
        .map_err(|e| AppError::internal("slots closed", e))
}

pub async fn submit(
    state: &AppState,
    mp: multer::Multipart<'static>,
) -> Result<SubmitSuccess, AppError> {
    let mut reserved: Option<String> = None;
    let result = run(state, mp, &mut reserved).await;
    if result.is_err()
        && let Some(session_id) = reserved
        && let Err(e) = sessions::release(&state.db, &session_id).await
    {
        tracing::warn!(error = %e, "could not release a capture token's reservation; it lapses on its own");
    }
    result
}

async fn run(
    state: &AppState,
    mp: multer::Multipart<'static>,
    reserved: &mut Option<String>,
) -> Result<SubmitSuccess, AppError> {
    let cfg = &state.config;
    let limits = Limits {
        max_video_bytes: cfg.max_video_bytes,
        max_photo_bytes: cfg.max_photo_bytes,
        spool: &state.spool,
    };
    // Credentials that arrive before the files are checked before any file is spooled.
    let tmp_dir = cfg.data_dir.join("tmp");
    let mut reader = intake::Reader::new(mp, &tmp_dir, &limits)?;
    reader.read_fields().await?;
    let early = credentials(state, reader.fields(), false).await?;
    if let Some(c) = &early {
        *reserved = c.session_id.clone();
    }
    let intake = reader.finish().await?;
    let caller = match early {
        Some(c) => c,
        None => {
            let c = credentials(state, &intake, true)
                .await?
                .expect("complete credentials or an error");
            *reserved = c.session_id.clone();
            c
        }
    };
    let (email, phone) = contact(&caller, &intake)?;
    let Caller {
        auth,
        user_identifier,
        session_id,
        page_consent,
        ..
    } = caller;
    let (Some(selfie), Some(id_photo)) = (intake.selfie, intake.id_photo) else {
        return Err(AppError::bad_request(messages::FILES_REQUIRED));
    };

    // Both files, by content, on a bounded number of slots.
    let media_permit = slot(&state.media_slots, cfg.scoring_queue_timeout).await?;
    let video = media::probe_video(
        selfie.spool.path(),
        &selfie.head,
        "selfie_video",
        cfg.media_timeout,
    )
    .await
    .map_err(|e| AppError::internal("probing the selfie video", e))?
    .map_err(|r| AppError::BadRequest(r.0))?;
    let image = {
        let (path, head, max, limit) = (
            id_photo.spool.path().to_path_buf(),
            id_photo.head.clone(),
            cfg.max_image_pixels,
            cfg.media_timeout,
        );
        tokio::task::spawn_blocking(move || {
            media::decode_image(&path, &head, "id_photo", max, limit)
        })
        .await
        .map_err(|e| AppError::internal("decoding the ID photo", e))?
        .map_err(|r| AppError::BadRequest(r.0))?
    };
    drop(media_permit);

    let check_id = uuid::Uuid::new_v4().to_string();
    let created_at = now_ms();
    let selfie_name = format!("{check_id}_selfie_{created_at}.{}", video.ext);
    let id_name = format!("{check_id}_id_{created_at}.{}", image.format.ext());
    let partner_id = auth.partner.id.clone();
    let selfie_key = format!("{partner_id}/{check_id}/{selfie_name}");
    let id_key = format!("{partner_id}/{check_id}/{id_name}");

    // Test mode's magic user identifiers decide without the model.
    let forced = (auth.mode == KeyMode::Test)
        .then(|| verify::test_mode_outcome(&user_identifier))
        .flatten();
    // Score, on a bounded number of slots: overload waits, then sheds.
    let permit = slot(&state.scoring_slots, cfg.scoring_queue_timeout).await?;
    let inputs = Inputs {
        video: selfie.spool.path().to_path_buf(),
        video_info: video.clone(),
        id_photo: Arc::new(image.image),
    };
    let scored = match forced {
        Some(o) => Ok(o),
        None => state.verifier.verify(&inputs).await,
    };
    let (outcome, review_reason) = match scored {
        Ok(o) => (o, None),
        Err(e) => {
            tracing::error!(check_id = %check_id, error = format!("{e:#}"), "scoring failed; the check goes to review");
            (
                verify::scoring_failed(state.verifier.method()),
                Some(format!("scoring failed: {e}")),
            )
        }
    };
    drop(permit);

    // Store both files; on failure remove whatever got stored.
    let storage = &state.storage;
    let stored = async {
        storage
            .put_file(&selfie_key, selfie.spool.path(), video.mime, &selfie_name)
            .await?;
        storage
            .put_file(
                &id_key,
                id_photo.spool.path(),
                super::storage::content_type_for(&id_name),
                &id_name,
            )
            .await
    }
    .await;
    let cleanup = {
        let keys = [selfie_key.clone(), id_key.clone()];
        move || async move {
            for k in &keys {
                let _ = storage.delete(k).await;
            }
        }
    };
    if let Err(e) = stored {
        cleanup().await;
        return Err(AppError::internal(
            format!("storing files of check {check_id}"),
            e,
        ));
    }

    let completed_at = now_ms();
    // Consent: what the page recorded on the session; else what the submitter declares.
    let (consent_version, consented_at) = match page_consent {
        Some((v, at)) => (Some(v), Some(at)),
        None => {
            let v = intake.text.get("consent_version").cloned();
            let at = v.as_ref().map(|_| created_at);
            (v, at)
        }
    };
    let record = CheckRecord {
        id: check_id.clone(),
        partner_id,
        livemode: auth.mode == KeyMode::Live,
        user_identifier,
        user_email: email,
        user_phone: phone,
        status: outcome.status,
        face: outcome.face,
        overall_score: outcome.overall_score,
        confidence_level: outcome.confidence_level,
        summary: outcome.summary,
        risk_factors: outcome.risk_factors,
        review_reason,
        storage_backend: storage.name().to_string(),
        selfie_key,
        selfie_file_name: selfie_name,
        id_key,
        id_file_name: id_name,
        consent_version,
        consented_at,
        created_at,
        completed_at,
        files_expire_at: completed_at
            + i64::try_from(cfg.retention.as_millis()).unwrap_or(i64::MAX / 4),
        files_deleted_at: None,
        redacted_at: None,
        reviewed_at: None,
        review_note: None,
    };
    let committed: Result<bool, sqlx::Error> = async {
        let mut tx = state.db.pool.begin().await?;
        if let Some(sid) = &session_id
            && !sessions::consume(&mut tx, sid, &check_id).await?
        {
            tx.rollback().await?;
            return Ok(false);
        }
        checks::insert(&mut tx, &record).await?;
        tx.commit().await?;
        Ok(true)
    }
    .await;
    match committed {
        Ok(true) => state.webhook_notify.notify_one(),
        Ok(false) => {
            cleanup().await;
            return Err(sessions::Lookup::Used.into());
        }
        Err(e) => {
            cleanup().await;
            return Err(AppError::internal(format!("saving check {check_id}"), e));
        }
    }
    tracing::info!(check_id = %check_id, status = record.status.as_str(), similarity = record.face.similarity_score, "check completed");

    let result = checks::to_result(&record, storage, cfg.link_ttl)
        .await
        .map_err(|e| AppError::internal(format!("minting links for check {check_id}"), e))?;
    Ok(SubmitSuccess {
        success: true,
        check_id,
        result,
    })
}
