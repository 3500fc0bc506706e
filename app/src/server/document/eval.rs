//! `idv eval documents DIR`: every photo of a labelled set (`labels.json`, made at test set-up
//! by scripts/document_set.py: synthetic TD1/TD3 zones and AAMVA barcodes, degraded, some with
//! one check digit altered, plus two real specimen passports) through [`Reader::read`] the way
//! a check reads it; reports the exact-read rate, the field-level read rate, the check-digit
//! pass rate, altered documents reported valid (must be none) and the time per document.

use std::{
    collections::BTreeMap,
    path::Path,
    time::{Duration, Instant},
};

use anyhow::Context;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Reader, Reading};
use crate::contract::{DocumentData, DocumentType};

#[derive(Debug, Deserialize)]
struct Labels {
    #[serde(default)]
    level: Option<String>,
    documents: Vec<Doc>,
}

#[derive(Debug, Deserialize)]
struct Doc {
    file: String,
    kind: String,
    format: String,
    source: String,
    valid: bool,
    #[serde(default)]
    fields: BTreeMap<String, Value>,
}

/// The label's field names and how to read each off a reading.
const FIELDS: [&str; 8] = [
    "issuing_country",
    "number",
    "surname",
    "given_names",
    "nationality",
    "birth_date",
    "sex",
    "expiry_date",
];

fn field(d: &DocumentData, name: &str) -> Option<String> {
    match name {
        "issuing_country" => d.issuing_country.clone(),
        "number" => d.document_number.clone(),
        "surname" => d.surname.clone(),
        "given_names" => d.given_names.clone(),
        "nationality" => d.nationality.clone(),
        "birth_date" => d.date_of_birth.clone(),
        "sex" => d.sex.clone(),
        "expiry_date" => d.expiry_date.clone(),
        _ => None,
    }
}

/// A label's value in the reading's terms (`<` for an unspecified sex reads as `X`).
fn label_value(v: &Value, name: &str) -> Option<String> {
    let s = v.as_str()?.trim().to_string();
    if name == "sex" && (s == "<" || s.is_empty()) {
        return Some("X".into());
    }
    (!s.is_empty()).then_some(s)
}

/// One group's tallies (a format × source).
#[derive(Debug, Default)]
struct Tally {
    documents: usize,
    found: usize,
    exact: usize,
    check_digits_valid: usize,
    fields_right: BTreeMap<&'static str, (usize, usize)>,
    invalid: usize,
    invalid_reported_valid: usize,
    times_ms: Vec<f64>,
}

pub fn documents(reader: &Reader, dir: &Path, limit: Option<usize>) -> anyhow::Result<Value> {
    let path = dir.join("labels.json");
    let labels: Labels = serde_json::from_str(
        &std::fs::read_to_string(&path).with_context(|| path.display().to_string())?,
    )
    .with_context(|| path.display().to_string())?;
    let mut groups: BTreeMap<String, Tally> = BTreeMap::new();
    let mut misreads = Vec::new();
    let today = chrono::Utc::now().date_naive();
    for doc in labels.documents.iter().take(limit.unwrap_or(usize::MAX)) {
        let img = image::open(dir.join(&doc.file)).with_context(|| doc.file.clone())?;
        let requested = match doc.kind.as_str() {
            "pdf417" => Some(DocumentType::DrivingLicence),
            _ => None,
        };
        let start = Instant::now();
        let reading = reader.read(&img, None, requested, &super::Cancel::default())?;
        let elapsed = start.elapsed();
        let data = super::assess(&reading, None, &super::Expected::default(), today).data;
        let t = groups
            .entry(format!("{} {}", doc.format, doc.source))
            .or_default();
        t.documents += 1;
        t.times_ms.push(ms(elapsed));
        let reported_valid = match &reading {
            Reading::Mrz(m) => m.check_digits_valid,
            Reading::Licence(_) => true,
            Reading::Nothing => false,
        };
        if !doc.valid {
            t.invalid += 1;
            if reported_valid {
                t.invalid_reported_valid += 1;
                misreads
                    .push(json!({"file": doc.file, "problem": "altered document reported valid"}));
            }
            continue;
        }
        let Some(data) = data.filter(|d| d.read) else {
            misreads.push(json!({"file": doc.file, "problem": "nothing read"}));
            continue;
        };
        t.found += 1;
        if reported_valid {
            t.check_digits_valid += 1;
        }
        let mut all = true;
        let mut wrong = Vec::new();
        for name in FIELDS {
            let Some(want) = doc.fields.get(name).and_then(|v| label_value(v, name)) else {
                continue;
            };
            let right = field(&data, name).as_deref() == Some(want.as_str());
            let e = t.fields_right.entry(name).or_default();
            e.1 += 1;
            if right {
                e.0 += 1;
            } else {
                all = false;
                wrong.push(name);
            }
        }
        if all && reported_valid {
            t.exact += 1;
        } else {
            misreads.push(json!({"file": doc.file, "fields_wrong": wrong, "check_digits_valid": reported_valid}));
        }
    }
    let mut out = serde_json::Map::new();
    for (name, t) in &groups {
        let mut times = t.times_ms.clone();
        times.sort_by(f64::total_cmp);
        let valid = t.documents - t.invalid;
        out.insert(
            name.clone(),
            json!({
                "documents": t.documents,
                "valid_documents": valid,
                "read": t.found,
                "exact": t.exact,
                "exact_rate": rate(t.exact, valid),
                "check_digits_valid": t.check_digits_valid,
                "check_digit_pass_rate": rate(t.check_digits_valid, valid),
                "field_read_rate": t.fields_right.iter().map(|(k, (r, n))| (k.to_string(), json!(rate(*r, *n)))).collect::<serde_json::Map<_, _>>(),
                "altered_documents": t.invalid,
                "altered_reported_valid": t.invalid_reported_valid,
                "ms_p50": pct(&times, 0.5),
                "ms_p95": pct(&times, 0.95),
                "ms_mean": times.iter().sum::<f64>() / times.len().max(1) as f64,
            }),
        );
    }
    Ok(json!({"level": labels.level, "groups": out, "misreads": misreads}))
}

/// The report as a table.
pub fn table(report: &Value) -> String {
    let mut s = format!(
        "{:<22} {:>5} {:>7} {:>7} {:>9} {:>9} {:>8} {:>8}\n",
        "group", "docs", "exact", "digits", "altered", "→valid", "p50 ms", "p95 ms"
    );
    if let Some(groups) = report["groups"].as_object() {
        for (name, g) in groups {
            s.push_str(&format!(
                "{:<22} {:>5} {:>6.1}% {:>6.1}% {:>9} {:>9} {:>8.0} {:>8.0}\n",
                name,
                g["valid_documents"],
                g["exact_rate"].as_f64().unwrap_or(0.0) * 100.0,
                g["check_digit_pass_rate"].as_f64().unwrap_or(0.0) * 100.0,
                g["altered_documents"],
                g["altered_reported_valid"],
                g["ms_p50"].as_f64().unwrap_or(0.0),
                g["ms_p95"].as_f64().unwrap_or(0.0),
            ));
        }
    }
    s
}

fn rate(a: usize, n: usize) -> f64 {
    if n == 0 {
        0.0
    } else {
        (a as f64 / n as f64 * 10_000.0).round() / 10_000.0
    }
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e5).round() / 100.0
}
