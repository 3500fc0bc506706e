//! `POST /verif/submit`, the service behind the server function: read the multipart body
//! (streamed to spool files), authenticate, check both files by content, score, store the files,
//! write the check and its webhook outbox row in one transaction, answer with the guide's JSON.
//! Any failure before the commit leaves nothing behind: spool files delete themselves and stored
//! objects are deleted again.

use std::sync::Arc;

use super::{
    checks::{self, CheckRecord},
    db::now_ms,
    error::AppError,
    intake::{self, Limits},
    media,
    partners::{self, KeyMode},
    sessions,
    state::AppState,
    verify::{self, Inputs},
};
use crate::contract::{SubmitSuccess, messages};

const MAX_USER_IDENTIFIER: usize = 255;

fn validate_contact(intake: &intake::Intake) -> Result<(Option<String>, Option<String>), AppError> {
    let email = intake.get("user_email").map(str::to_string);
    if let Some(e) = &email
        && (e.len() > 254
            || !e.contains('@')
            || e.starts_with('@')
            || e.ends_with('@')
            || e.chars().any(char::is_whitespace))
    {
        return Err(AppError::bad_request(
            "user_email is not a valid email address",
        ));
    }
    let phone = intake.get("user_phone").map(str::to_string);
    if let Some(p) = &phone
        && (p.len() > 32
            || !p
                .chars()
                .all(|c| c.is_ascii_digit() || " +-().".contains(c))
            || !p.chars().any(|c| c.is_ascii_digit()))
    {
        return Err(AppError::bad_request(
            "user_phone is not a valid phone number",
        ));
    }
    Ok((email, phone))
}

pub async fn submit(
    state: &AppState,
    mp: multer::Multipart<'static>,
) -> Result<SubmitSuccess, AppError> {
    let cfg = &state.config;
    let limits = Limits {
        max_video_bytes: cfg.max_video_bytes,
        max_photo_bytes: cfg.max_photo_bytes,
    };
    let intake = intake::read(mp, &cfg.data_dir.join("tmp"), &limits).await?;

    // Credentials and user, in the guide's order: key present, user present, key valid.
    let user_field = intake
        .get("user_identifier")
        .or_else(|| intake.get("user_id"))
        .map(str::to_string);
    let (auth, user_identifier, email, phone, session_id, page_consent) =
        if let Some(token) = intake.get("capture_token") {
            let session = match sessions::find(&state.db, token).await? {
                Ok(s) => s,
                Err(sessions::Lookup::Expired) => {
                    return Err(AppError::Unauthorized(
                        "This verification link has expired; open it again from the partner's site"
                            .into(),
                    ));
                }
                Err(sessions::Lookup::Used) => {
                    return Err(AppError::Conflict(
                        "This verification link was already used".into(),
                    ));
                }
                Err(sessions::Lookup::Unknown) => {
                    return Err(AppError::Unauthorized("Invalid capture token".into()));
                }
            };
            if let Some(u) = &user_field
                && u != &session.user.user_identifier
            {
                return Err(AppError::bad_request(
                    "user_identifier does not match this verification link",
                ));
            }
            let (email, phone) = validate_contact(&intake)?;
            let u = session.user;
            (
                session.auth,
                u.user_identifier,
                email.or(u.user_email),
                phone.or(u.user_phone),
                Some(session.id),
                session.consent,
            )
        } else {
            let api_key = intake
                .get("api_key")
                .ok_or_else(|| AppError::bad_request(messages::API_KEY_REQUIRED))?;
            let user = user_field
                .ok_or_else(|| AppError::bad_request(messages::USER_IDENTIFIER_REQUIRED))?;
            let auth = partners::authenticate(&state.db, api_key)
                .await?
                .ok_or_else(AppError::invalid_api_key)?;
            let (email, phone) = validate_contact(&intake)?;
            (auth, user, email, phone, None, None)
        };
    if user_identifier.chars().count() > MAX_USER_IDENTIFIER {
        return Err(AppError::bad_request(format!(
            "user_identifier must be at most {MAX_USER_IDENTIFIER} characters"
        )));
    }
    let (Some(selfie), Some(id_photo)) = (intake.selfie, intake.id_photo) else {
        return Err(AppError::bad_request(messages::FILES_REQUIRED));
    };

    // Both files, by content.
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
    let permit = tokio::time::timeout(
        cfg.scoring_queue_timeout,
        state.scoring_slots.clone().acquire_owned(),
    )
    .await
    .map_err(|_| AppError::Unavailable {
        retry_after_secs: 10,
    })?
    .map_err(|e| AppError::internal("scoring slots closed", e))?;
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
            return Err(AppError::Conflict(
                "This verification link was already used".into(),
            ));
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
