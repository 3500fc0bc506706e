//! The dashboard's pages: Leptos components rendered to HTML on the server. They carry no
//! WASM (the capture page's download stays small) and work with plain links and forms: every
//! action is a POST with the session's CSRF token, answered with a redirect (or, for a secret
//! shown once, a page that is never cached).

use leptos::prelude::*;

use crate::contract::{DocumentData, DocumentType, Theme};
use crate::server::{
    audit::Recorded,
    checks::{CheckRecord, Summary},
    outbox::{DeliveryView, RecentDelivery},
};

/// Renders a page to a complete HTML document.
pub fn render<V: IntoView + 'static>(view: impl FnOnce() -> V) -> String {
    let owner = Owner::new();
    let html = owner.with(|| view().into_view().to_html());
    format!("<!DOCTYPE html>{html}")
}

/// What every signed-in page shows in its header.
#[derive(Debug, Clone)]
pub struct Nav {
    pub partner_name: String,
    pub livemode: bool,
    pub csrf: String,
    pub active: &'static str,
}

const LINKS: [(&str, &str, &str); 6] = [
    ("checks", "/dashboard/checks", "Checks"),
    ("review", "/dashboard/review", "Review queue"),
    ("attempts", "/dashboard/attempts", "Attempts"),
    ("webhooks", "/dashboard/webhooks", "Webhooks"),
    ("settings", "/dashboard/settings", "Settings"),
    ("audit", "/dashboard/audit", "Audit log"),
];

#[component]
pub fn Shell(title: String, nav: Option<Nav>, children: Children) -> impl IntoView {
    view! {
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="referrer" content="no-referrer"/>
                <title>{format!("{title} · Dashboard")}</title>
                <link rel="stylesheet" href="/pkg/idv.css"/>
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
            </head>
            <body class="dash">
                {nav.map(|n| {
                    let active = n.active;
                    view! {
                        <header class="dash-top">
                            <span class="dash-brand">{n.partner_name.clone()}</span>
                            {(!n.livemode).then(|| view! { <span class="mode-test" id="mode">"Test mode"</span> })}
                            <nav aria-label="Dashboard">
                                {LINKS.iter().map(|(key, href, label)| view! {
                                    <a href=*href aria-current=(*key == active).then_some("page")>{*label}</a>
                                }).collect_view()}
                            </nav>
                            <form method="post" action="/dashboard/sign-out" class="inline">
                                <input type="hidden" name="csrf" value=n.csrf.clone()/>
                                <button type="submit" class="link" id="sign-out">"Sign out"</button>
                            </form>
                        </header>
                    }
                })}
                <main class="dash-main">{children()}</main>
            </body>
        </html>
    }
}

#[component]
pub fn Notice(text: Option<String>) -> impl IntoView {
    text.map(|t| view! { <p class="notice" role="status" id="notice">{t}</p> })
}

#[component]
pub fn Problem(text: Option<String>) -> impl IntoView {
    text.map(|t| view! { <p class="problem" role="alert" id="problem">{t}</p> })
}

/// A page with one message and a way back.
pub fn message(title: &'static str, text: impl Into<String>) -> String {
    let text = text.into();
    render(move || {
        view! {
            <Shell title=title.to_string() nav=None>
                <h1>{title}</h1>
                <p class="problem" role="alert">{text}</p>
                <p><a href="/dashboard/checks">"Back to the dashboard"</a></p>
            </Shell>
        }
    })
}

pub fn sign_in(problem: Option<String>) -> String {
    render(move || {
        view! {
            <Shell title="Sign in".into() nav=None>
                <section class="card narrow">
                    <h1>"Partner dashboard"</h1>
                    <p>"Sign in with your secret key (never the capture key that goes in capture links). A live key (idv_sk_live_…) shows live checks; a test key (idv_sk_test_…) shows test checks."</p>
                    <Problem text=problem/>
                    <form method="post" action="/dashboard/sign-in">
                        <label for="api_key">"Secret key"</label>
                        <input type="password" id="api_key" name="api_key" autocomplete="off" required=true/>
                        <button type="submit" class="primary" id="sign-in">"Sign in"</button>
                    </form>
                </section>
            </Shell>
        }
    })
}

fn badge(status: &str) -> impl IntoView + use<> {
    view! { <span class=format!("status {status}")>{status.to_string()}</span> }
}

/// The checks list's filter values, as typed.
#[derive(Debug, Clone, Default)]
pub struct ListForm {
    pub status: String,
    pub user: String,
    pub since: String,
}

impl ListForm {
    pub fn query(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("status", &self.status)
            .append_pair("user", &self.user)
            .append_pair("since", &self.since)
            .finish()
    }
}

pub fn checks(
    nav: Nav,
    title: &'static str,
    form: ListForm,
    rows: Vec<Summary>,
    next: Option<String>,
    problem: Option<String>,
) -> String {
    let filters = title == "Checks";
    render(move || {
        let export = format!("/dashboard/checks/export.csv?{}", form.query());
        let next_href = next.map(|c| format!("?{}&cursor={}", form.query(), urlencode(&c)));
        let empty = rows.is_empty();
        view! {
            <Shell title=title.to_string() nav=Some(nav)>
                <h1>{title}</h1>
                <Problem text=problem/>
                {filters.then(|| view! {
                    <form method="get" class="filters" action="/dashboard/checks">
                        <label>"Status "
                            <select name="status" id="filter-status">
                                {["", "verified", "review", "rejected"].into_iter().map(|s| view! {
                                    <option value=s selected=form.status == s>{if s.is_empty() { "any" } else { s }}</option>
                                }).collect_view()}
                            </select>
                        </label>
                        <label>"User " <input type="text" name="user" id="filter-user" value=form.user.clone()/></label>
                        <label>"Since " <input type="date" name="since" id="filter-since" value=form.since.clone()/></label>
                        <button type="submit" class="secondary small">"Filter"</button>
                        <a class="small" href=export.clone() id="export">"Export CSV"</a>
                    </form>
                })}
                {if empty {
                    view! { <p class="empty">"No checks."</p> }.into_any()
                } else {
                    view! {
                        <table class="list" id="checks">
                            <thead><tr><th>"Created"</th><th>"User"</th><th>"Status"</th><th>"Similarity"</th><th>"Score"</th></tr></thead>
                            <tbody>
                                {rows.into_iter().map(|r| view! {
                                    <tr data-check=r.check_id.clone()>
                                        <td><a href=format!("/dashboard/checks/{}", r.check_id)>{r.created_at.clone()}</a></td>
                                        <td>{r.user_identifier.clone()}</td>
                                        <td>{badge(&r.status)}</td>
                                        <td>{r.similarity_score}</td>
                                        <td>{r.overall_score}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }}
                {next_href.map(|h| view! { <p><a href=h id="older">"Older checks →"</a></p> })}
            </Shell>
        }
    })
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Short-lived links to a check's files.
pub struct FileLinks {
    pub selfie: String,
    pub id_photo: String,
    /// The ID's back side, when one was sent.
    pub id_back: Option<String>,
}

/// Everything the check page shows.
pub struct CheckView {
    pub check: CheckRecord,
    /// Short-lived links to the files, while they exist.
    pub links: Option<FileLinks>,
    pub deliveries: Vec<DeliveryView>,
    pub audit: Vec<Recorded>,
    pub risk_meanings: Vec<(String, &'static str)>,
}

pub fn check(nav: Nav, v: CheckView, notice: Option<String>, problem: Option<String>) -> String {
    render(move || {
        let csrf = nav.csrf.clone();
        let c = v.check;
        let id = c.id.clone();
        let ts = crate::server::checks::rfc3339_ms;
        let timeline = timeline(&c, &v.deliveries);
        let in_review = c.status.as_str() == "review" && c.redacted_at.is_none();
        let redacted = c.redacted_at.is_some();
        view! {
            <Shell title="Check".into() nav=Some(nav)>
                <p><a href="/dashboard/checks">"← Checks"</a></p>
                <h1>"Check " <code id="check-id">{id.clone()}</code></h1>
                <Notice text=notice/>
                <Problem text=problem/>
                <section class="card grid2">
                    <div>
                        <h2>"Decision"</h2>
                        <p id="decision">{badge(c.status.as_str())}" "{c.summary.clone()}</p>
                        <dl>
                            <dt>"User"</dt><dd id="user">{c.user_identifier.clone()}</dd>
                            <dt>"Similarity"</dt><dd>{format!("{} / 100 ({})", c.face.similarity_score, c.face.method)}</dd>
                            <dt>"Overall score"</dt><dd>{format!("{} / 100, confidence {}", c.overall_score, c.confidence_level.as_str())}</dd>
                            <dt>"Mode"</dt><dd>{if c.livemode { "live" } else { "test" }}</dd>
                            {c.consent_version.clone().map(|cv| view! { <dt>"Consent"</dt><dd>{format!("version {cv}{}", c.consented_at.map(|a| format!(", given {}", ts(a))).unwrap_or_default())}</dd> })}
                            {c.review_note.clone().map(|n| view! { <dt>"Review note"</dt><dd id="review-note">{n}</dd> })}
                        </dl>
                        <h3>"Risk factors"</h3>
                        {if v.risk_meanings.is_empty() {
                            view! { <p class="empty">"None."</p> }.into_any()
                        } else {
                            view! {
                                <ul class="risks" id="risks">
                                    {v.risk_meanings.into_iter().map(|(code, meaning)| view! { <li><code>{code}</code>": "{meaning}</li> }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                    </div>
                    <div>
                        <h2>"Images"</h2>
                        <CheckFiles links=v.links/>
                    </div>
                </section>
                {c.document.clone().map(|d| view! { <DocumentSection d=d/> })}
                {in_review.then(|| view! { <ReviewForm id=id.clone() csrf=csrf.clone()/> })}
                <section class="card">
                    <h2>"Timeline"</h2>
                    <ol class="timeline" id="timeline">
                        {timeline.into_iter().map(|(at, what)| view! { <li><time>{at}</time>" "{what}</li> }).collect_view()}
                    </ol>
                </section>
                <section class="card" id="deliveries">
                    <h2>"Webhook deliveries"</h2>
                    {if v.deliveries.is_empty() {
                        view! { <p class="empty">"None."</p> }.into_any()
                    } else {
                        v.deliveries.into_iter().map(|d| view! { <Delivery d=d/> }).collect_view().into_any()
                    }}
                    <form method="post" action=format!("/dashboard/checks/{id}/redeliver")>
                        <input type="hidden" name="csrf" value=csrf.clone()/>
                        <button type="submit" class="secondary" id="redeliver">"Redeliver webhooks"</button>
                    </form>
                </section>
                {(!redacted).then(|| view! { <RedactForm id=id.clone() csrf=csrf.clone()/> })}
                <section class="card">
                    <h2>"Audit log of this check"</h2>
                    <AuditTable entries=v.audit/>
                </section>
            </Shell>
        }
    })
}

/// The check's events in time order: submitted, decided, reviewed, files deleted, redacted,
/// and every webhook attempt.
fn timeline(c: &CheckRecord, deliveries: &[DeliveryView]) -> Vec<(String, String)> {
    let ts = crate::server::checks::rfc3339_ms;
    let mut timeline: Vec<(String, String)> = vec![
        (ts(c.created_at), "submitted".into()),
        (
            ts(c.completed_at),
            format!("decided: {}", c.status.as_str()),
        ),
    ];
    if let Some(at) = c.reviewed_at {
        timeline.push((ts(at), format!("review decision: {}", c.status.as_str())));
    }
    if let Some(at) = c.files_deleted_at {
        timeline.push((ts(at), "files deleted".into()));
    }
    if let Some(at) = c.redacted_at {
        timeline.push((ts(at), "redacted".into()));
    }
    for d in deliveries {
        for a in &d.attempt_log {
            let outcome = match (a.status_code, &a.error) {
                (Some(code), _) => format!("HTTP {code}"),
                (None, Some(e)) => e.clone(),
                _ => "no answer".into(),
            };
            timeline.push((
                a.started_at.clone(),
                format!("webhook {} attempt {}: {outcome}", d.event_type, a.attempt),
            ));
        }
    }
    timeline.sort();
    timeline
}

/// The check's files behind short-lived links, or why they are gone.
#[component]
fn CheckFiles(links: Option<FileLinks>) -> impl IntoView {
    match links {
        Some(FileLinks { selfie, id_photo, id_back }) => view! {
            <figure><img id="id-photo" src=id_photo alt="ID photo"/><figcaption>"ID photo"</figcaption></figure>
            {id_back.map(|src| view! {
                <figure><img id="id-photo-back" src=src alt="ID photo, back"/><figcaption>"ID photo, back"</figcaption></figure>
            })}
            <figure>
                <video id="selfie" src=format!("{selfie}#t=1.5") preload="metadata" controls=true muted=true playsinline=true></video>
                <figcaption>"Selfie video (frame at 1.5 s; play for the whole clip). Links expire in 5 minutes; viewing is recorded in the audit log."</figcaption>
            </figure>
        }.into_any(),
        None => view! { <p class="empty" id="no-images">"The files were deleted (retention or redaction)."</p> }.into_any(),
    }
}

/// Words for a document format code (`DocumentData::format`).
fn format_label(code: &str) -> Option<&'static str> {
    Some(match code {
        "mrz_td1" => "machine-readable zone, 3 lines (TD1, ID card size)",
        "mrz_td2" => "machine-readable zone, 2 lines (TD2)",
        "mrz_td3" => "machine-readable zone, 2 lines (TD3, passport size)",
        "mrz_visa" => "machine-readable zone (visa)",
        "aamva_pdf417" => "PDF417 barcode (AAMVA licence)",
        _ => return None,
    })
}

/// One value read off the document: `name` is its `DocumentData` field as the API spells it
/// (`data-field`, for tests and scripts); "—" when it was not read.
fn doc_field(
    name: &'static str,
    label: &'static str,
    value: Option<String>,
) -> impl IntoView + use<> {
    let missing = value.is_none();
    view! {
        <dt>{label}</dt>
        <dd data-field=name class:empty=missing>{value.unwrap_or_else(|| "—".into())}</dd>
    }
}

/// One check on the document: passed, failed, or not checked (`null`).
fn doc_check(
    name: &'static str,
    label: &'static str,
    result: Option<bool>,
) -> impl IntoView + use<> {
    let (class, text) = match result {
        Some(true) => ("passed", "passed"),
        Some(false) => ("failed", "failed"),
        None => ("unchecked", "not checked"),
    };
    view! {
        <dt>{label}</dt>
        <dd data-field=name data-result=class><span class=format!("status {class}")>{text}</span></dd>
    }
}

/// What was read off the identity document (`result.document`) and each check on it.
#[component]
fn DocumentSection(d: DocumentData) -> impl IntoView {
    let type_label = |t: Option<DocumentType>| t.map(|t| t.label().to_string());
    let chosen = view! {
        <dt>"Type chosen"</dt>
        <dd data-field="requestedType">{type_label(d.requested_type).unwrap_or_else(|| "not chosen".into())}</dd>
    };
    if !d.read {
        return view! {
            <section class="card" id="document" data-read="false">
                <h2>"Document"</h2>
                <p class="empty" id="document-unread">"Nothing machine-readable was read."</p>
                <dl>{chosen}</dl>
            </section>
        }
        .into_any();
    }
    let format = d.format.clone().map(|code| match format_label(&code) {
        Some(label) => format!("{label}: {code}"),
        None => code,
    });
    let k = &d.checks;
    view! {
        <section class="card grid2" id="document" data-read="true">
            <div>
                <h2>"Document"</h2>
                <dl>
                    {chosen}
                    {doc_field("type", "Type read", type_label(d.document_type))}
                    {doc_field("format", "Format", format)}
                    {doc_field("issuingCountry", "Issuing country", d.issuing_country.clone())}
                    {d.jurisdiction.clone().map(|j| doc_field("jurisdiction", "Jurisdiction", Some(j)))}
                    {doc_field("documentNumber", "Document number", d.document_number.clone())}
                    {doc_field("surname", "Surname", d.surname.clone())}
                    {doc_field("givenNames", "Given names", d.given_names.clone())}
                    {doc_field("nationality", "Nationality", d.nationality.clone())}
                    {doc_field("dateOfBirth", "Date of birth", d.date_of_birth.clone())}
                    {doc_field("sex", "Sex", d.sex.clone())}
                    {doc_field("expiryDate", "Expiry date", d.expiry_date.clone())}
                </dl>
            </div>
            <div>
                <h3>"Checks"</h3>
                <dl id="document-checks">
                    {doc_check("checkDigits", "Check digits", k.check_digits)}
                    {doc_check("notExpired", "Not expired", k.not_expired)}
                    {doc_check("typeMatch", "Type matches the one chosen", k.type_match)}
                    {doc_check("nameMatch", "Name matches", k.name_match)}
                    {doc_check("dateOfBirthMatch", "Date of birth matches", k.date_of_birth_match)}
                    {doc_check("minimumAge", "Minimum age", k.minimum_age)}
                </dl>
            </div>
        </section>
    }
    .into_any()
}

/// A reviewer's decision on a check in `review`, with a note kept with it.
#[component]
fn ReviewForm(id: String, csrf: String) -> impl IntoView {
    let action = format!("/dashboard/checks/{id}/review");
    view! {
        <section class="card" id="review">
            <h2>"Manual review"</h2>
            <form method="post" action=action>
                <input type="hidden" name="csrf" value=csrf/>
                <label for="note">"Note (kept with the decision)"</label>
                <textarea id="note" name="note" maxlength="2000" rows="3"></textarea>
                <div class="actions">
                    <button type="submit" name="decision" value="verified" class="primary" id="approve">"Approve (verified)"</button>
                    <button type="submit" name="decision" value="rejected" class="danger" id="reject">"Reject"</button>
                </div>
            </form>
        </section>
    }
}

/// Redaction: files deleted now, contact data blanked, the decision kept.
#[component]
fn RedactForm(id: String, csrf: String) -> impl IntoView {
    view! {
        <section class="card">
            <h2>"Redact"</h2>
            <p>"Deletes the files now and blanks email and phone; the decision stays. Sends a verification.redacted webhook."</p>
            <form method="post" action=format!("/dashboard/checks/{id}/redact")>
                <input type="hidden" name="csrf" value=csrf/>
                <label class="consent"><input type="checkbox" name="confirm" value="yes" required=true/>" I understand this cannot be undone"</label>
                <button type="submit" class="danger" id="redact">"Redact this check"</button>
            </form>
        </section>
    }
}

#[component]
fn Delivery(d: DeliveryView) -> impl IntoView {
    view! {
        <div class="delivery" data-delivery=d.id.clone()>
            <p>
                <code>{d.id.clone()}</code>" "{d.event_type.clone()}" · "{badge(&d.status)}
                {format!(" · {} attempt(s)", d.attempts)}
                {d.next_attempt_at.clone().map(|n| format!(" · next at {n}"))}
            </p>
            <table class="list attempts">
                <thead><tr><th>"#"</th><th>"Started"</th><th>"Status"</th><th>"Duration"</th><th>"Error"</th><th>"Response"</th></tr></thead>
                <tbody>
                    {d.attempt_log.into_iter().map(|a| view! {
                        <tr class="attempt">
                            <td>{a.attempt}</td>
                            <td>{a.started_at}</td>
                            <td>{a.status_code.map(|c| c.to_string()).unwrap_or_else(|| "—".into())}</td>
                            <td>{format!("{} ms", a.duration_ms)}</td>
                            <td>{a.error.unwrap_or_default()}</td>
                            <td><code class="excerpt">{a.response_excerpt.unwrap_or_default()}</code></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn AuditTable(entries: Vec<Recorded>) -> impl IntoView {
    if entries.is_empty() {
        return view! { <p class="empty">"Nothing recorded."</p> }.into_any();
    }
    view! {
        <table class="list" id="audit">
            <thead><tr><th>"When"</th><th>"Who"</th><th>"What"</th><th>"Check"</th><th>"Detail"</th></tr></thead>
            <tbody>
                {entries.into_iter().map(|e| view! {
                    <tr>
                        <td>{crate::server::checks::rfc3339_ms(e.at)}</td>
                        <td>{e.actor}</td>
                        <td><code>{e.action}</code></td>
                        <td>{e.check_id.map(|c| view! { <a href=format!("/dashboard/checks/{c}")>{c.chars().take(8).collect::<String>()}</a> })}</td>
                        <td>{e.detail.unwrap_or_default()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

pub fn audit(nav: Nav, entries: Vec<Recorded>) -> String {
    render(move || {
        view! {
            <Shell title="Audit log".into() nav=Some(nav)>
                <h1>"Audit log"</h1>
                <p>"Every view of a check's images, export, redaction, review decision, key or secret rotation, settings change, redelivery, sign-in, and file deletion by the retention sweep. Entries cannot be changed or deleted."</p>
                <AuditTable entries=entries/>
            </Shell>
        }
    })
}

pub fn attempts(
    nav: Nav,
    user_identifier: String,
    rows: Vec<crate::server::attempts::Attempt>,
    per_hour: u32,
) -> String {
    render(move || {
        view! {
            <Shell title="Attempts".into() nav=Some(nav)>
                <h1>"Attempts"</h1>
                <p>{format!("Every recording your users made: those that became checks, those sent back to record again after a missed challenge, and those refused because the user had made {per_hour} in the last hour (no check is made for the last two). Kept as long as files are.")}</p>
                <form method="get" class="filters" action="/dashboard/attempts">
                    <label>"User " <input type="text" name="user_identifier" id="attempts-user" value=user_identifier/></label>
                    <button type="submit" class="secondary small">"Filter"</button>
                </form>
                {if rows.is_empty() {
                    view! { <p class="empty">"No attempts."</p> }.into_any()
                } else {
                    view! {
                        <table class="list" id="attempts">
                            <thead><tr><th>"When"</th><th>"User"</th><th>"Outcome"</th><th>"Check"</th><th>"Risk factors"</th></tr></thead>
                            <tbody>
                                {rows.into_iter().map(|a| {
                                    let outcome = a.outcome.clone();
                                    view! {
                                    <tr data-outcome=outcome>
                                        <td>{a.created_at}</td>
                                        <td>{a.user_identifier}</td>
                                        <td><code>{a.outcome}</code></td>
                                        <td>{a.check_id.map(|c| view! { <a href=format!("/dashboard/checks/{c}")>{c.chars().take(8).collect::<String>()}</a> })}</td>
                                        <td>{a.risk_factors.join(", ")}</td>
                                    </tr>
                                }}).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }}
            </Shell>
        }
    })
}

pub fn webhooks(nav: Nav, url: Option<String>, rows: Vec<RecentDelivery>) -> String {
    render(move || {
        view! {
            <Shell title="Webhooks".into() nav=Some(nav)>
                <h1>"Webhook deliveries"</h1>
                <p>{match url {
                    Some(u) => format!("Sent to {u}. Open a check to see every attempt and redeliver."),
                    None => "No webhook URL is set (Settings): deliveries are skipped.".to_string(),
                }}</p>
                <table class="list" id="recent-deliveries">
                    <thead><tr><th>"Queued"</th><th>"Event"</th><th>"Check"</th><th>"Status"</th><th>"Attempts"</th><th>"Last error"</th></tr></thead>
                    <tbody>
                        {rows.into_iter().map(|d| view! {
                            <tr data-delivery=d.id>
                                <td>{d.created_at}</td>
                                <td>{d.event_type}</td>
                                <td><a href=format!("/dashboard/checks/{}", d.check_id)>{d.check_id.chars().take(8).collect::<String>()}</a></td>
                                <td>{badge(&d.status)}</td>
                                <td>{d.attempts}</td>
                                <td>{d.last_error.unwrap_or_default()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </Shell>
        }
    })
}

/// The settings form's values.
#[derive(Debug, Clone)]
pub struct SettingsForm {
    pub display_name: String,
    pub primary_color: String,
    pub accent_color: String,
    pub logo_url: String,
    pub webhook_url: String,
    pub allowed_origins: String,
}

pub fn settings(
    nav: Nav,
    f: SettingsForm,
    shown_once: Option<(&'static str, String)>,
    notice: Option<String>,
    problem: Option<String>,
) -> String {
    render(move || {
        let csrf = nav.csrf.clone();
        let preview = preview_src(&f);
        let live = nav.livemode;
        let mode = if live { "live" } else { "test" };
        let theme_fields = if live {
            view! {
                <label for="display_name">"Display name"</label>
                <input type="text" id="display_name" name="display_name" value=f.display_name.clone() required=true/>
                <label for="primary_color">"Primary colour"</label>
                <input type="color" id="primary_color" name="primary_color" value=f.primary_color.clone()/>
                <label for="accent_color">"Accent colour"</label>
                <input type="color" id="accent_color" name="accent_color" value=f.accent_color.clone()/>
                <label for="logo_url">"Logo URL (https)"</label>
                <input type="url" id="logo_url" name="logo_url" value=f.logo_url.clone()/>
            }
            .into_any()
        } else {
            view! {
                <p class="hint" id="theme-live-only">
                    "The theme is what live users see: change it signed in with a live secret key. "
                    {format!("Now: {} ({}, {}).", f.display_name, f.primary_color, f.accent_color)}
                </p>
            }
            .into_any()
        };
        view! {
            <Shell title="Settings".into() nav=Some(nav)>
                <h1>"Settings"</h1>
                <Notice text=notice/>
                <Problem text=problem/>
                {shown_once.map(|(label, value)| view! {
                    <section class="card secret" id="shown-once">
                        <h2>{label}</h2>
                        <p>"Shown once: copy it now. It is stored only as a hash (or encrypted) and cannot be shown again."</p>
                        <code id="secret-value">{value}</code>
                    </section>
                })}
                <section class="card grid2">
                    <form method="post" action="/dashboard/settings" id="settings-form">
                        <input type="hidden" name="csrf" value=csrf.clone()/>
                        <h2>"Capture page"</h2>
                        {theme_fields}
                        <h2>{format!("Integration ({mode} mode)")}</h2>
                        <label for="webhook_url">{format!("Webhook URL for {mode} checks")}</label>
                        <input type="url" id="webhook_url" name="webhook_url" value=f.webhook_url.clone()/>
                        <label for="allowed_origins">"Allowed origins (one per line: may embed the page, receive redirects)"</label>
                        <textarea id="allowed_origins" name="allowed_origins" rows="3">{f.allowed_origins.clone()}</textarea>
                        <button type="submit" class="primary" id="save">"Save"</button>
                    </form>
                    <div>
                        <h2>"Preview"</h2>
                        <iframe id="preview" title="Capture page preview" src=preview class="preview"></iframe>
                        <p class="hint">"Updates as you edit."</p>
                    </div>
                </section>
                <section class="card">
                    <h2>{format!("Keys and secrets ({mode} mode)")}</h2>
                    <p>{format!("The capture key goes in capture links (it can only open the verification page and submit checks). The secret key is for your server: the partner API and this dashboard. A rotated key or secret keeps working for the grace period ({}), so you can deploy the new one without downtime; revoke at once a key that leaked.", crate::server::config::settings::KEY_ROTATION_GRACE.name)}</p>
                    <form method="post" action="/dashboard/settings/rotate-key" id="rotate-key-form">
                        <input type="hidden" name="csrf" value=csrf.clone()/>
                        <label for="current_secret_key">{format!("Your current {mode} secret key (to confirm)")}</label>
                        <input type="password" id="current_secret_key" name="current_secret_key" autocomplete="off" required=true/>
                        <label class="check"><input type="checkbox" name="revoke_now" id="revoke-now" value="1"/>" Revoke the old key now (it leaked)"</label>
                        <button type="submit" class="secondary" name="kind" value="capture" id="rotate-key">"Rotate the capture key"</button>
                        <button type="submit" class="secondary" name="kind" value="secret" id="rotate-secret-key">"Rotate the secret key"</button>
                    </form>
                    <form method="post" action="/dashboard/settings/rotate-webhook-secret" id="rotate-secret-form">
                        <input type="hidden" name="csrf" value=csrf.clone()/>
                        <label for="current_secret_key_2">{format!("Your current {mode} secret key (to confirm)")}</label>
                        <input type="password" id="current_secret_key_2" name="current_secret_key" autocomplete="off" required=true/>
                        <button type="submit" class="secondary" id="rotate-secret">"Rotate the webhook secret"</button>
                    </form>
                </section>
                <script src="/dashboard.js"></script>
            </Shell>
        }
    })
}

pub fn preview_src(f: &SettingsForm) -> String {
    format!(
        "/dashboard/preview?{}",
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("display_name", &f.display_name)
            .append_pair("primary_color", &f.primary_color)
            .append_pair("accent_color", &f.accent_color)
            .append_pair("logo_url", &f.logo_url)
            .finish()
    )
}

/// The capture page's first screen with a theme, for the settings preview.
pub fn preview(theme: Theme) -> String {
    render(move || {
        let style = crate::theme::css_variables(&theme);
        let name = theme.display_name.clone();
        view! {
            <html lang="en">
                <head>
                    <meta charset="utf-8"/>
                    <link rel="stylesheet" href="/pkg/idv.css"/>
                </head>
                <body>
                    <main class="page capture" style=style>
                        <header class="brand">
                            {theme.logo_url.clone().map(|src| view! { <img class="logo" src=src alt=""/> })}
                            <span class="brand-name">{name.clone()}</span>
                        </header>
                        <section class="card">
                            <h1>"Verify your identity"</h1>
                            <p>{format!("{name} asks you to confirm that you are the person on your ID.")}</p>
                            <button class="primary" type="button">"Start"</button>
                        </section>
                    </main>
                </body>
            </html>
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::DocumentChecks;

    fn section(d: DocumentData) -> String {
        render(move || view! { <DocumentSection d=d/> })
    }

    #[test]
    fn the_document_section_shows_each_value_and_check_escaped() {
        let html = section(DocumentData {
            requested_type: Some(DocumentType::Passport),
            read: true,
            document_type: Some(DocumentType::Passport),
            format: Some("mrz_td3".into()),
            document_number: Some("107185703".into()),
            surname: Some("<script>alert(1)</script>".into()),
            checks: DocumentChecks {
                check_digits: Some(true),
                not_expired: Some(false),
                ..DocumentChecks::default()
            },
            ..DocumentData::default()
        });
        assert!(html.contains(r#"id="document""#), "{html}");
        assert!(html.contains(r#"data-field="documentNumber""#), "{html}");
        assert!(html.contains("107185703"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains(r#"data-field="checkDigits" data-result="passed""#));
        assert!(html.contains(r#"data-field="notExpired" data-result="failed""#));
        assert!(html.contains(r#"data-field="minimumAge" data-result="unchecked""#));
        assert!(
            !html.contains(r#"data-field="jurisdiction""#),
            "only when read"
        );
        assert!(!html.contains("Nothing machine-readable"));
    }

    #[test]
    fn an_unread_document_says_so() {
        let html = section(DocumentData {
            requested_type: Some(DocumentType::IdCard),
            read: false,
            ..DocumentData::default()
        });
        assert!(
            html.contains("Nothing machine-readable was read."),
            "{html}"
        );
        assert!(html.contains("ID card"), "{html}");
        assert!(!html.contains(r#"data-field="documentNumber""#), "{html}");
    }
}
