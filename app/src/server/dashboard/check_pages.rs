//! The checks pages: the list with filters and CSV export, the review queue, a check with
//! its files, deliveries and audit, and the actions on it (redeliver, review, redact).

use super::*;

#[derive(Deserialize, Default)]
pub(super) struct ListQuery {
    pub(super) status: Option<String>,
    pub(super) user: Option<String>,
    /// `YYYY-MM-DD` (the date input), from midnight UTC.
    pub(super) since: Option<String>,
    pub(super) cursor: Option<String>,
}

impl ListQuery {
    fn filter(&self, limit: &str) -> Result<checks::ListFilter, AppError> {
        let since = self
            .since
            .as_deref()
            .filter(|d| !d.is_empty())
            .map(|d| {
                chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .map(|d| format!("{d}T00:00:00Z"))
                    .map_err(|_| AppError::bad_request("since must be a date such as 2026-01-15"))
            })
            .transpose()?;
        checks::ListFilter::parse(
            self.user.clone(),
            self.status.as_deref().filter(|s| !s.is_empty()),
            since.as_deref(),
            Some(limit),
            self.cursor.as_deref(),
        )
    }
    fn form(&self) -> ListForm {
        ListForm {
            status: self.status.clone().unwrap_or_default(),
            user: self.user.clone().unwrap_or_default(),
            since: self.since.clone().unwrap_or_default(),
        }
    }
}

pub(super) async fn checks_page(
    State(state): State<AppState>,
    s: Login,
    Query(q): Query<ListQuery>,
) -> DashResult {
    let (rows, next, problem) = match q.filter("50") {
        Ok(f) => {
            let (rows, next) = checks::list(&state.db, &s.partner.id, s.livemode, &f).await?;
            (rows, next, None)
        }
        Err(e) => (Vec::new(), None, Some(e.public_message())),
    };
    let status = if problem.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Html(pages::checks(
            s.nav("checks"),
            "Checks",
            q.form(),
            rows,
            next,
            problem,
        )),
    )
        .into_response())
}

pub(super) async fn review_queue(
    State(state): State<AppState>,
    s: Login,
) -> Result<Html<String>, DashError> {
    // the hundred newest waiting (decided checks leave the queue)
    let f = checks::ListFilter::parse(None, Some("review"), None, Some("100"), None)?;
    let (rows, _) = checks::list(&state.db, &s.partner.id, s.livemode, &f).await?;
    Ok(Html(pages::checks(
        s.nav("review"),
        "Review queue",
        ListForm::default(),
        rows,
        None,
        None,
    )))
}

/// CSV of the filtered checks (up to 10,000 rows, newest first); recorded in the audit log.
pub(super) async fn export_csv(
    State(state): State<AppState>,
    s: Login,
    Query(q): Query<ListQuery>,
) -> DashResult {
    let mut f = q.filter("100")?;
    let mut out = String::from(
        "check_id,user_identifier,status,similarity_score,overall_score,created_at,completed_at\n",
    );
    let mut n = 0usize;
    loop {
        let (rows, next) = checks::list(&state.db, &s.partner.id, s.livemode, &f).await?;
        for r in &rows {
            out.push_str(&format!(
                "{},{},{},{},{},{},{}\n",
                csv(&r.check_id),
                csv(&r.user_identifier),
                r.status,
                r.similarity_score,
                r.overall_score,
                r.created_at,
                r.completed_at
            ));
        }
        n += rows.len();
        match next {
            Some(c) if n < 10_000 => f.cursor = checks::cursor_decode(&c),
            _ => break,
        }
    }
    audit::record(
        &state.db.pool,
        audit::Entry::new(&s.partner.id, &s.actor(), Action::ChecksExported)
            .mode(s.livemode)
            .detail(format!("{n} checks as CSV; filter: {}", q.form().query())),
    )
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"checks.csv\"",
            ),
        ],
        out,
    )
        .into_response())
}

/// A CSV field: quoted when needed; a leading formula character (OWASP's list: `=`, `+`, `-`,
/// `@`, tab, carriage return) is neutralised.
pub(super) fn csv(v: &str) -> String {
    let v = if v.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{v}")
    } else {
        v.to_string()
    };
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}

pub(super) async fn own_check(
    state: &AppState,
    s: &Login,
    id: &str,
) -> Result<checks::CheckRecord, DashError> {
    checks::get(&state.db, &s.partner.id, id)
        .await?
        .filter(|c| c.livemode == s.livemode)
        .ok_or(DashError::NotFound)
}

#[derive(Deserialize, Default)]
pub(super) struct NoticeQuery {
    pub(super) notice: Option<String>,
}

pub(super) fn notice_text(code: Option<&str>) -> Option<String> {
    Some(
        match code? {
            "redelivered" => "Webhooks queued again; new attempts appear below.",
            "reviewed" => "Decision saved; the final webhook is on its way.",
            "redacted" => "Redacted: the files are deleted and contact details blanked.",
            "saved" => "Settings saved.",
            _ => return None,
        }
        .to_string(),
    )
}

/// A short-lived link to one of check `id`'s files.
async fn file_link(state: &AppState, id: &str, key: &str) -> Result<String, AppError> {
    state
        .storage
        .read_url(key, IMAGE_LINK_TTL)
        .await
        .map_err(|e| AppError::internal(format!("check {id}: links"), e))
}

pub(super) async fn check_page(
    State(state): State<AppState>,
    s: Login,
    Path(id): Path<String>,
    Query(n): Query<NoticeQuery>,
) -> DashResult {
    let c = own_check(&state, &s, &id).await?;
    let links = if c.files_deleted_at.is_none() {
        let selfie = file_link(&state, &id, &c.selfie_key).await?;
        let id_photo = file_link(&state, &id, &c.id_key).await?;
        let id_back = match &c.id_back_key {
            Some(key) => Some(file_link(&state, &id, key).await?),
            None => None,
        };
        audit::record(
            &state.db.pool,
            audit::Entry::new(&s.partner.id, &s.actor(), Action::ImagesViewed)
                .mode(s.livemode)
                .check(&c.id),
        )
        .await?;
        Some(pages::FileLinks {
            selfie,
            id_photo,
            id_back,
        })
    } else {
        None
    };
    let deliveries = outbox::list_for_check(&state.db, &c.id).await?;
    let audit_entries = audit::list(&state.db, &s.partner.id, s.livemode, Some(&c.id), 100).await?;
    let risk_meanings = c
        .risk_factors
        .iter()
        .map(|r| (r.clone(), verify::local::meaning(r)))
        .collect();
    let view = pages::CheckView {
        check: c,
        links,
        deliveries,
        audit: audit_entries,
        risk_meanings,
    };
    Ok(Html(pages::check(
        s.nav("checks"),
        view,
        notice_text(n.notice.as_deref()),
        None,
    ))
    .into_response())
}

/// The form of every action on one check; each action reads the fields it needs.
#[derive(Deserialize)]
pub(super) struct CheckActionForm {
    pub(super) csrf: String,
    /// `review`: `verified` or `rejected`, and an optional note.
    pub(super) decision: Option<String>,
    pub(super) note: Option<String>,
    /// `redact`: `yes` when the user ticked the confirmation.
    pub(super) confirm: Option<String>,
}

impl CsrfProtected for CheckActionForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /dashboard/checks/{id}/{redeliver|review|redact}`: one guarded door (session, CSRF,
/// the check is this partner's in this mode) for the actions on a check; each is a service
/// call that writes its own audit entry.
pub(super) async fn check_action(
    State(state): State<AppState>,
    Path((id, action)): Path<(String, String)>,
    Guarded { login: s, form: f }: Guarded<CheckActionForm>,
) -> DashResult {
    let c = own_check(&state, &s, &id).await?;
    let notice = match action.as_str() {
        "redeliver" => {
            outbox::redeliver(&state.db, &c.id, &s.actor())
                .await
                .map_err(|e| AppError::internal(format!("check {id}: redeliver"), e))?;
            state.webhook_notify.notify_one();
            "redelivered"
        }
        "review" => {
            let (decision, note) = checks::review_input(f.decision.as_deref(), f.note)?;
            checks::review(&state, &c, decision, note, &s.actor()).await?;
            "reviewed"
        }
        "redact" => {
            if f.confirm.as_deref() != Some("yes") {
                return Err(AppError::bad_request("Tick the confirmation to redact").into());
            }
            checks::redact(&state, &c, &s.actor()).await?;
            "redacted"
        }
        _ => return Err(AppError::NotFound("No such action".into()).into()),
    };
    Ok(Redirect::to(&format!("/dashboard/checks/{id}?notice={notice}")).into_response())
}
