//! Identity documents: the machine-readable zone of passports and ID cards (ICAO 9303 TD1, TD2,
//! TD3) and the PDF417 barcode of US and Canadian licences (AAMVA), read offline from the ID
//! photos, checked (check digits, expiry, the type the user chose, the partner's expected name,
//! date of birth and minimum age) into `result.document` and risk factors.
//!
//! [`Reader::read`] finds and reads what the document carries; [`assess`] judges a reading.
//! Neither logs what it read: document data is personal data (README: "Documents").

pub mod aamva;
pub mod eval;
pub mod mrz_read;
pub mod zone;

use std::{
    cell::Cell,
    path::{Path, PathBuf},
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::contract::{DocumentChecks, DocumentData, DocumentType, RiskFactor};

/// Set when the submission that asked for a reading is gone (its client hung up): the reading
/// stops at its next step and kills the Tesseract it runs.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// A guard that cancels when dropped: held by the submission's future, it cancels when
    /// that future is dropped mid-way (and harmlessly after the reading ended).
    pub fn on_drop(&self) -> CancelOnDrop {
        CancelOnDrop(self.clone())
    }
}

pub struct CancelOnDrop(Cancel);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

/// One reading's limits: a deadline for all its steps together (every Tesseract run of both
/// sides included) and its submission's [`Cancel`].
#[derive(Debug, Clone)]
pub struct Budget {
    pub deadline: Instant,
    pub cancel: Cancel,
}

impl Budget {
    /// `Err` once cancelled or past the deadline: the reading stops there.
    pub fn check(&self) -> anyhow::Result<()> {
        if self.cancel.is_cancelled() {
            anyhow::bail!("the document reading was cancelled (its submission is gone)");
        }
        if Instant::now() >= self.deadline {
            anyhow::bail!("the document reading ran out of time");
        }
        Ok(())
    }
}

thread_local! {
    static HOLDS_DOCUMENT_DATA: Cell<bool> = const { Cell::new(false) };
}

/// While one lives, this thread handles a document's text: a panic here is reported without
/// its message (`telemetry`'s panic hook), which may quote that text (a parser slicing a
/// name, say). [`Reader::read`] holds one throughout.
pub struct HoldsDocumentData(bool);

impl HoldsDocumentData {
    pub fn enter() -> Self {
        Self(HOLDS_DOCUMENT_DATA.replace(true))
    }
}

impl Drop for HoldsDocumentData {
    fn drop(&mut self) {
        HOLDS_DOCUMENT_DATA.set(self.0);
    }
}

/// Whether this thread handles a document's text now ([`HoldsDocumentData`]).
pub fn holds_document_data() -> bool {
    HOLDS_DOCUMENT_DATA.get()
}

/// The Tesseract model for the zone, under the models directory (`scripts/lib.sh`
/// `ensure_mrz_model`).
pub const MRZ_MODEL: &str = "tessdata/mrz.traineddata";

/// What the partner expects the document to say (`POST /v1/sessions`' `expected`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Expected {
    /// The holder's full name as the partner knows it (any order of given names and surname;
    /// accents and case do not matter).
    #[schema(max_length = 200)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `YYYY-MM-DD`
    #[schema(format = Date)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<String>,
    /// Years; a younger holder is `underage` (rejected).
    #[schema(minimum = 1, maximum = 125)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_age: Option<u32>,
}

impl Expected {
    /// Validates what a partner sent; a 400 message names the bad field.
    pub fn validate(self) -> Result<Self, String> {
        let name = self
            .name
            .map(|n| n.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|n| !n.is_empty());
        if name.as_ref().is_some_and(|n| n.chars().count() > 200) {
            return Err("expected.name must be at most 200 characters".into());
        }
        let date_of_birth = self.date_of_birth.map(|d| d.trim().to_string());
        if let Some(d) = &date_of_birth
            && NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err()
        {
            return Err("expected.date_of_birth must be a date such as 1990-04-25".into());
        }
        if self.minimum_age.is_some_and(|a| !(1..=125).contains(&a)) {
            return Err("expected.minimum_age must be from 1 to 125".into());
        }
        Ok(Self {
            name,
            date_of_birth,
            minimum_age: self.minimum_age,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.date_of_birth.is_none() && self.minimum_age.is_none()
    }
}

/// What was read off the document.
#[derive(Debug, Clone)]
pub enum Reading {
    Mrz(mrz_read::MrzRead),
    Licence(aamva::Licence),
    /// Nothing machine-readable on the photos.
    Nothing,
}

/// Reads documents: Tesseract's MRZ model (checked at start) and the barcode decoder.
#[derive(Debug, Clone)]
pub struct Reader {
    tessdata: PathBuf,
    timeout: Duration,
    /// `idv eval documents --trace DIR`: every zone crop and its OCR text, for tuning on the
    /// labelled set (never set in the service: these are documents).
    trace: Option<PathBuf>,
}

impl Reader {
    /// Fails when the MRZ model or the `tesseract` program is missing (the service does not
    /// start half able to read documents).
    pub fn new(models_dir: &Path, timeout: Duration) -> anyhow::Result<Self> {
        let model = models_dir.join(MRZ_MODEL);
        if !model.is_file() {
            anyhow::bail!(
                "the MRZ model {} is missing (run ./scripts/run.sh, which fetches it)",
                model.display()
            );
        }
        let version = std::process::Command::new("tesseract")
            .arg("--version")
            .output()
            .map_err(|e| {
                anyhow::anyhow!("tesseract is not installed (apt install tesseract-ocr): {e}")
            })?;
        if !version.status.success() {
            anyhow::bail!("tesseract --version failed");
        }
        Ok(Self {
            tessdata: model.parent().expect("tessdata dir").to_path_buf(),
            timeout,
            trace: None,
        })
    }

    /// Writes every zone crop and its OCR text into `dir` (evaluation only).
    pub fn with_trace(mut self, dir: Option<PathBuf>) -> Self {
        self.trace = dir;
        self
    }

    /// Looks where the chosen type carries its data first: a passport's zone on its photo
    /// page, an ID card's on the back, a licence's barcode on the back; then the other side.
    /// Without a type (the guide's partners, one photo): the zone on the photo, and on a back
    /// if one came. All of it within the reader's timeout (one deadline for every Tesseract
    /// run), and it stops when `cancel` is set. Blocking: call from a blocking thread.
    pub fn read(
        &self,
        front: &image::DynamicImage,
        back: Option<&image::DynamicImage>,
        requested: Option<DocumentType>,
        cancel: &Cancel,
    ) -> anyhow::Result<Reading> {
        let _quiet = HoldsDocumentData::enter();
        let budget = Budget {
            deadline: Instant::now() + self.timeout,
            cancel: cancel.clone(),
        };
        let front = front.to_luma8();
        let back = back.map(image::DynamicImage::to_luma8);
        let sides: Vec<&image::GrayImage> = match (requested, &back) {
            (Some(DocumentType::IdCard | DocumentType::DrivingLicence), Some(b)) => {
                vec![b, &front]
            }
            (_, Some(b)) => vec![&front, b],
            (_, None) => vec![&front],
        };
        let barcode_first = requested == Some(DocumentType::DrivingLicence);
        let mut partial = None;
        for side in &sides {
            budget.check()?;
            if barcode_first && let Some(l) = aamva::read(side) {
                return Ok(Reading::Licence(l));
            }
            if let Some(m) = mrz_read::read(side, &self.tessdata, &budget, self.trace.as_deref())? {
                if m.check_digits_valid {
                    return Ok(Reading::Mrz(m));
                }
                partial.get_or_insert(m);
            }
        }
        if let Some(m) = partial {
            return Ok(Reading::Mrz(m));
        }
        // a licence chosen as something else, or no type: its barcode on the back
        budget.check()?;
        if !barcode_first
            && let Some(b) = &back
            && let Some(l) = aamva::read(b)
        {
            return Ok(Reading::Licence(l));
        }
        Ok(Reading::Nothing)
    }
}

/// A reading judged: `result.document` and the risk factors it raises.
#[derive(Debug, Clone, Default)]
pub struct Assessment {
    pub data: Option<DocumentData>,
    pub risks: Vec<RiskFactor>,
}

/// Judges a reading against the type the user chose and what the partner expects, on `today`.
/// No type, no expectations and nothing read: no document data and no risk (the guide's
/// partners who send one photo of any ID see nothing new).
pub fn assess(
    reading: &Reading,
    requested: Option<DocumentType>,
    expected: &Expected,
    today: NaiveDate,
) -> Assessment {
    let mut risks = Vec::new();
    let fields = match reading {
        Reading::Nothing => {
            if requested.is_none() && expected.is_empty() {
                return Assessment::default();
            }
            risks.push(RiskFactor::DocumentUnreadable);
            return Assessment {
                data: Some(DocumentData {
                    requested_type: requested,
                    read: false,
                    ..DocumentData::default()
                }),
                risks,
            };
        }
        Reading::Mrz(m) => from_mrz(m),
        Reading::Licence(l) => from_licence(l),
    };
    let mut data = DocumentData {
        requested_type: requested,
        read: true,
        ..fields
    };
    // dates and names are only as good as the read: a failed check digit leaves them unjudged
    let trusted = data.checks.check_digits != Some(false);
    if !trusted {
        risks.push(RiskFactor::DocumentCheckDigitFailed);
    }
    let date = |s: &Option<String>| {
        s.as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    };
    let (birth, expiry) = (date(&data.date_of_birth), date(&data.expiry_date));
    let mut checks = DocumentChecks {
        check_digits: data.checks.check_digits,
        ..DocumentChecks::default()
    };
    if trusted && let Some(e) = expiry {
        checks.not_expired = Some(e >= today);
    }
    if let Some(r) = requested {
        checks.type_match = Some(data.document_type == Some(r));
    }
    if trusted && let Some(name) = &expected.name {
        checks.name_match = Some(names_match(
            name,
            data.surname.as_deref().unwrap_or(""),
            data.given_names.as_deref().unwrap_or(""),
        ));
    }
    if trusted
        && let Some(want) = date(&expected.date_of_birth)
        && let Some(b) = birth
    {
        checks.date_of_birth_match = Some(want == b);
    }
    if trusted
        && let Some(min) = expected.minimum_age
        && let Some(b) = birth
    {
        checks.minimum_age = Some(age_on(b, today) >= min);
    }
    for (check, risk) in [
        (checks.not_expired, RiskFactor::DocumentExpired),
        (checks.type_match, RiskFactor::DocumentTypeMismatch),
        (checks.minimum_age, RiskFactor::Underage),
    ] {
        if check == Some(false) {
            risks.push(risk);
        }
    }
    if checks.name_match == Some(false) || checks.date_of_birth_match == Some(false) {
        risks.push(RiskFactor::DocumentDataMismatch);
    }
    data.checks = checks;
    Assessment {
        data: Some(data),
        risks,
    }
}

/// Whole years from `birth` to `today`.
pub fn age_on(birth: NaiveDate, today: NaiveDate) -> u32 {
    let mut years = today.year() - birth.year();
    if (today.month(), today.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    u32::try_from(years).unwrap_or(0)
}

/// A name as the zone would print it: transliterated to A–Z (ICAO 9303 Part 3 §6), split into
/// words.
fn words(name: &str) -> Vec<String> {
    mrz::transliterate(name, mrz::TransliterationStyle::Simple)
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// The partner's name against the document's: every word the partner gave is on the
/// document, and every word of the surname is among the partner's. A document word may be cut
/// short (the zone truncates long names): it matches a longer word it begins.
pub fn names_match(expected: &str, surname: &str, given: &str) -> bool {
    let want = words(expected);
    let (sur, giv) = (words(surname), words(given));
    if want.is_empty() || sur.is_empty() {
        return false;
    }
    let doc: Vec<&String> = sur.iter().chain(&giv).collect();
    let same = |a: &str, b: &str| a == b || (b.len() >= 2 && a.starts_with(b));
    want.iter().all(|w| doc.iter().any(|d| same(w, d)))
        && sur.iter().all(|s| want.iter().any(|w| same(w, s)))
}

fn document_type_of_mrz(code: &str) -> Option<DocumentType> {
    match code.chars().next() {
        Some('P') => Some(DocumentType::Passport),
        Some('I' | 'A' | 'C') => Some(DocumentType::IdCard),
        _ => None,
    }
}

fn from_mrz(m: &mrz_read::MrzRead) -> DocumentData {
    let d = &m.data;
    let date = |x: mrz::MrzDate| {
        x.calendar()
            .map(|c| format!("{:04}-{:02}-{:02}", c.year, c.month, c.day))
    };
    let text = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let format = match d.format {
        mrz::Format::Td1 => "mrz_td1",
        mrz::Format::Td2 => "mrz_td2",
        mrz::Format::Td3 => "mrz_td3",
        _ => "mrz_visa",
    };
    DocumentData {
        document_type: document_type_of_mrz(&d.document_type),
        format: Some(format.into()),
        issuing_country: text(&d.issuing_country),
        document_number: text(d.full_document_number().trim_end_matches('<')),
        surname: text(&d.surname),
        given_names: text(&d.given_names),
        nationality: text(&d.nationality),
        date_of_birth: date(d.date_of_birth),
        sex: Some(match d.sex.zone_char() {
            c @ ('M' | 'F') => c.to_string(),
            _ => "X".into(),
        }),
        expiry_date: date(d.date_of_expiry),
        checks: DocumentChecks {
            check_digits: Some(m.check_digits_valid),
            ..DocumentChecks::default()
        },
        ..DocumentData::default()
    }
}

fn from_licence(l: &aamva::Licence) -> DocumentData {
    DocumentData {
        document_type: Some(if l.subfile == "ID" {
            DocumentType::IdCard
        } else {
            DocumentType::DrivingLicence
        }),
        format: Some("aamva_pdf417".into()),
        issuing_country: l.country.clone(),
        jurisdiction: l.jurisdiction.clone(),
        document_number: l.number.clone(),
        surname: l.surname.clone(),
        given_names: l.given_names.clone(),
        // a licence states no nationality
        nationality: None,
        date_of_birth: l.birth_date.clone(),
        sex: l.sex.clone(),
        expiry_date: l.expiry_date.clone(),
        ..DocumentData::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const L1: &str = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<";
    const L2: &str = "L898902C36UTO7408122F1204159ZE184226B<<<<<10";

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn specimen(l2: &str) -> Reading {
        Reading::Mrz(mrz_read::parse(&format!("{L1}\n{l2}")).unwrap())
    }

    #[test]
    fn names_match_across_accents_order_and_truncation() {
        assert!(names_match("Anna Maria Eriksson", "ERIKSSON", "ANNA MARIA"));
        assert!(names_match("ERIKSSON, Anna", "ERIKSSON", "ANNA MARIA"));
        assert!(names_match("Ánna Eriksson", "ERIKSSON", "ANNA"));
        assert!(names_match(
            "Anna Marianne Eriksson",
            "ERIKSSON",
            "ANNA MARIAN"
        ));
        assert!(!names_match("Anna Svensson", "ERIKSSON", "ANNA MARIA"));
        assert!(!names_match("Anna Maria", "ERIKSSON", "ANNA MARIA"));
        assert!(!names_match("", "ERIKSSON", "ANNA"));
    }

    #[test]
    fn ages_count_whole_years() {
        assert_eq!(age_on(day("2008-12-02"), day("2026-12-01")), 17);
        assert_eq!(age_on(day("2008-12-01"), day("2026-12-01")), 18);
    }

    #[test]
    fn the_icao_specimen_is_expired_and_otherwise_sound() {
        let a = assess(
            &specimen(L2),
            Some(DocumentType::Passport),
            &Expected::default(),
            day("2026-12-01"),
        );
        let d = a.data.unwrap();
        assert_eq!(d.document_number.as_deref(), Some("L898902C3"));
        assert_eq!(d.date_of_birth.as_deref(), Some("1974-08-12"));
        assert_eq!(d.expiry_date.as_deref(), Some("2012-04-15"));
        assert_eq!(d.checks.check_digits, Some(true));
        assert_eq!(d.checks.not_expired, Some(false));
        assert_eq!(d.checks.type_match, Some(true));
        assert_eq!(a.risks, vec![RiskFactor::DocumentExpired]);
    }

    #[test]
    fn each_failure_has_its_own_code() {
        let before_expiry = day("2011-01-01");
        let expect = |name: &str, dob: &str, age| Expected {
            name: Some(name.into()),
            date_of_birth: Some(dob.into()),
            minimum_age: age,
        };
        let ok = assess(
            &specimen(L2),
            None,
            &expect("Anna Maria Eriksson", "1974-08-12", Some(18)),
            before_expiry,
        );
        assert!(ok.risks.is_empty(), "{:?}", ok.risks);
        let mismatch = assess(
            &specimen(L2),
            None,
            &expect("Anna Svensson", "1974-08-12", None),
            before_expiry,
        );
        assert_eq!(mismatch.risks, vec![RiskFactor::DocumentDataMismatch]);
        let young = assess(
            &specimen(L2),
            None,
            &expect("Anna Eriksson", "1974-08-12", Some(40)),
            before_expiry,
        );
        assert_eq!(young.risks, vec![RiskFactor::Underage]);
        let card = assess(
            &specimen(L2),
            Some(DocumentType::IdCard),
            &Expected::default(),
            before_expiry,
        );
        assert_eq!(card.risks, vec![RiskFactor::DocumentTypeMismatch]);
        let altered = assess(
            &specimen(&L2.replacen("7408122", "7408123", 1)),
            None,
            &expect("Anna Svensson", "1974-08-12", Some(40)),
            before_expiry,
        );
        assert_eq!(
            altered.risks,
            vec![RiskFactor::DocumentCheckDigitFailed],
            "an untrusted read is not judged further"
        );
    }

    #[test]
    fn nothing_read_is_only_a_risk_when_a_document_was_expected() {
        let today = day("2026-12-01");
        assert!(
            assess(&Reading::Nothing, None, &Expected::default(), today)
                .data
                .is_none()
        );
        let a = assess(
            &Reading::Nothing,
            Some(DocumentType::Passport),
            &Expected::default(),
            today,
        );
        assert_eq!(a.risks, vec![RiskFactor::DocumentUnreadable]);
        assert!(!a.data.unwrap().read);
    }

    #[test]
    fn expected_data_is_validated() {
        let e = Expected {
            date_of_birth: Some("25/04/1990".into()),
            ..Expected::default()
        };
        assert!(e.validate().unwrap_err().contains("date_of_birth"));
        let e = Expected {
            minimum_age: Some(0),
            ..Expected::default()
        };
        assert!(e.validate().unwrap_err().contains("minimum_age"));
    }
}
