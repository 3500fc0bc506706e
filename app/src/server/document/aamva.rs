//! The PDF417 barcode on the back of US and Canadian driving licences and ID cards: decoded by
//! `rxing` (a port of ZXing), its text parsed as an AAMVA card design standard file (header,
//! subfile directory, one data element per line).

use std::collections::HashMap;

use image::GrayImage;

/// What a licence barcode says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Licence {
    /// `DL` (driving licence) or `ID` (identification card): the first subfile.
    pub subfile: String,
    /// `USA` or `CAN` (ISO 3166 alpha-3).
    pub country: Option<String>,
    /// The state or province (`DAJ`), e.g. `CA`.
    pub jurisdiction: Option<String>,
    pub number: Option<String>,
    pub surname: Option<String>,
    pub given_names: Option<String>,
    /// `YYYY-MM-DD`
    pub birth_date: Option<String>,
    pub expiry_date: Option<String>,
    /// `M`, `F`, or `X` (not specified).
    pub sex: Option<String>,
    /// The AAMVA version number in the header.
    pub version: u32,
}

/// The width the barcode is levelled to: about four pixels a module for a licence's code
/// (13 to 17 data columns). Measured on the evaluation set: 1,000 to 1,200 px decode the most
/// blurred codes, 1,600 and more fewer (`idv eval documents`, BENCHMARKS.md).
const RECTIFIED_WIDTH: u32 = 1200;

/// The barcode on a photo, decoded and parsed; `None` when no PDF417 was found or its text is
/// not an AAMVA file. Blocking (a few hundred ms on a large photo).
pub fn read(gray: &GrayImage) -> Option<Licence> {
    let (w, h) = gray.dimensions();
    let mut hints = rxing::DecodeHints {
        TryHarder: Some(true),
        ..Default::default()
    };
    let attempt = |img: &GrayImage, hints: &mut rxing::DecodeHints| {
        rxing::helpers::detect_in_luma_with_hints(
            img.as_raw().clone(),
            img.width(),
            img.height(),
            Some(rxing::BarcodeFormat::PDF_417),
            hints,
        )
        .ok()
        .and_then(|r| parse(r.getText()))
    };
    // the barcode levelled first: a photo at a slant defeats the detector more often than not
    if let Some(q) = super::zone::find_barcode(gray) {
        let level = super::zone::rectify(gray, &q, RECTIFIED_WIDTH, 40);
        if let Some(l) = attempt(&level, &mut hints) {
            return Some(l);
        }
        // a blurred code under uneven light: sharpened (unsharp mask, amount 2), then each pixel
        // cut at the mean of its neighbourhood (about six modules), then the code a size smaller
        let (lw, lh) = level.dimensions();
        let (w, h) = (lw as usize, lh as usize);
        let raw = level.as_raw();
        let soft = super::zone::box_mean(raw, w, h, 2);
        let sharp: Vec<u8> = raw
            .iter()
            .zip(&soft)
            .map(|(p, s)| {
                (f32::from(*p) + 2.0 * (f32::from(*p) - f32::from(*s))).clamp(0.0, 255.0) as u8
            })
            .collect();
        let local = super::zone::box_mean(&sharp, w, h, 24);
        let cut: Vec<u8> = sharp
            .iter()
            .zip(&local)
            .map(|(p, m)| if *p > *m { 255 } else { 0 })
            .collect();
        let cut = GrayImage::from_raw(lw, lh, cut).expect("same size");
        if let Some(l) = attempt(&cut, &mut hints) {
            return Some(l);
        }
        let smaller = image::imageops::resize(
            &level,
            lw * 2 / 3,
            lh * 2 / 3,
            image::imageops::FilterType::Triangle,
        );
        if let Some(l) = attempt(&smaller, &mut hints) {
            return Some(l);
        }
    }
    if let Some(l) = attempt(gray, &mut hints) {
        return Some(l);
    }
    // a small photo as it is: ZXing's detector wants modules a few pixels wide, so twice the size
    if w.max(h) < 1600 {
        let big =
            image::imageops::resize(gray, w * 2, h * 2, image::imageops::FilterType::Triangle);
        return attempt(&big, &mut hints);
    }
    None
}

/// An AAMVA file's text into its fields; `None` when it is not one.
pub fn parse(text: &str) -> Option<Licence> {
    let start = text.find("ANSI ").or_else(|| text.find("AAMVA"))?;
    let header = &text[start..];
    // "ANSI " + IIN (6) + version (2) + jurisdiction version (2) + entries (2)
    let digits: String = header.chars().skip(5).take(10).collect();
    if digits.len() < 10 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let version: u32 = digits[6..8].parse().ok()?;
    // the header ("ANSI ", IIN, version, jurisdiction version from version 2 on, the number of
    // entries) and the subfile directory (10 characters an entry) come before the first
    // subfile, often on the same line as its first element: skip them
    let (entries_at, head_len) = if version <= 1 { (13, 15) } else { (15, 17) };
    let body = header
        .get(entries_at..head_len)
        .and_then(|n| n.parse::<usize>().ok())
        .and_then(|n| header.get(head_len + 10 * n..))
        .unwrap_or(header);
    let mut fields: HashMap<&str, &str> = HashMap::new();
    let mut subfile = None;
    for raw in body.split(['\n', '\r', '\u{1e}']) {
        let line = raw.trim_matches(|c: char| c.is_control() || c == ' ');
        // the first element of a subfile follows its type: "DLDAQ…", "IDDAQ…"
        // (by `get`: a line of other text may have a multi-byte character anywhere)
        let line = match line.get(..2) {
            Some(t @ ("DL" | "ID")) if line.get(2..5).is_some_and(is_element) && line.len() > 5 => {
                subfile.get_or_insert(t.to_string());
                &line[2..]
            }
            _ => line,
        };
        if let (Some(id), Some(value)) = (line.get(..3), line.get(3..))
            && !value.is_empty()
            && is_element(id)
        {
            fields.entry(id).or_insert(value.trim());
        }
    }
    fields.retain(|_, v| !v.is_empty() && !matches!(*v, "NONE" | "unavl" | "UNAVL"));
    let country = fields.get("DCG").map(|c| c.to_string());
    let canadian = country.as_deref() == Some("CAN");
    let date = |k: &str| fields.get(k).and_then(|v| aamva_date(v, canadian));
    let given = match (fields.get("DAC").or(fields.get("DCT")), fields.get("DAD")) {
        (Some(f), Some(m)) => Some(format!("{f} {m}")),
        (Some(f), None) => Some(f.to_string()),
        _ => None,
    }
    .map(|g| {
        g.replace(',', " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    });
    let licence = Licence {
        subfile: subfile.unwrap_or_else(|| "DL".into()),
        country,
        jurisdiction: fields.get("DAJ").map(|s| s.to_string()),
        number: fields.get("DAQ").map(|s| s.to_string()),
        surname: fields.get("DCS").map(|s| s.to_string()),
        given_names: given,
        birth_date: date("DBB"),
        expiry_date: date("DBA"),
        sex: fields.get("DBC").and_then(|s| match *s {
            "1" | "M" => Some("M".to_string()),
            "2" | "F" => Some("F".to_string()),
            "9" | "X" => Some("X".to_string()),
            _ => None,
        }),
        version,
    };
    // a file without a number, a name and a date of birth is not a licence we can use
    (licence.number.is_some() && licence.surname.is_some() && licence.birth_date.is_some())
        .then_some(licence)
}

/// A data element id: `D` + two capitals (`DAQ`, `DCS`, …) or a jurisdiction's `Z…`.
fn is_element(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 3 && (b[0] == b'D' || b[0] == b'Z') && b[1..].iter().all(u8::is_ascii_uppercase)
}

/// `MMDDCCYY` (USA) or `CCYYMMDD` (Canada) into `YYYY-MM-DD`; a year-first value is taken as
/// such whatever the country (older Canadian files).
fn aamva_date(v: &str, canadian: bool) -> Option<String> {
    if v.len() != 8 || !v.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let century = |s: &str| matches!(s, "19" | "20");
    let year_first = canadian || (century(&v[..2]) && !century(&v[4..6]));
    let (y, m, d) = if year_first {
        (&v[..4], &v[4..6], &v[6..])
    } else {
        (&v[4..], &v[..2], &v[2..4])
    };
    let date = chrono::NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)?;
    Some(date.format("%Y-%m-%d").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(country: &str, dob: &str, exp: &str) -> String {
        format!(
            "@\n\u{1e}\rANSI 636014090002DL00410278ZC03190008DLDAQD1234562\nDCSSAMPLE\nDDEN\nDACMICHAEL\nDDFN\nDADJOHN\nDDGN\nDCAC\nDCBNONE\nDCDNONE\nDBD06062016\nDBB{dob}\nDBA{exp}\nDBC1\nDAU068 in\nDAYBRO\nDAG2300 WEST BROAD STREET\nDAIRICHMOND\nDAJCA\nDAK232690000  \nDCF2424244747474786102204\nDCG{country}\nDCK123456789\r\nZCZCAY\r"
        )
    }

    #[test]
    fn a_us_file_parses() {
        let l = parse(&sample("USA", "01071990", "08082029")).unwrap();
        assert_eq!(l.number.as_deref(), Some("D1234562"));
        assert_eq!(l.surname.as_deref(), Some("SAMPLE"));
        assert_eq!(l.given_names.as_deref(), Some("MICHAEL JOHN"));
        assert_eq!(l.birth_date.as_deref(), Some("1990-01-07"));
        assert_eq!(l.expiry_date.as_deref(), Some("2029-08-08"));
        assert_eq!(l.sex.as_deref(), Some("M"));
        assert_eq!(l.jurisdiction.as_deref(), Some("CA"));
        assert_eq!(l.country.as_deref(), Some("USA"));
        assert_eq!(l.subfile, "DL");
        assert_eq!(l.version, 9);
    }

    #[test]
    fn a_canadian_file_has_year_first_dates() {
        let l = parse(&sample("CAN", "19900107", "20290808")).unwrap();
        assert_eq!(l.birth_date.as_deref(), Some("1990-01-07"));
        assert_eq!(l.expiry_date.as_deref(), Some("2029-08-08"));
    }

    /// Latin-1 text read as characters (a name with an accent, a stray byte) is parsed, never
    /// a panic: an element id cut through a multi-byte character is not an element.
    #[test]
    fn text_with_multi_byte_characters_is_parsed_without_a_panic() {
        let file = sample("USA", "01151990", "01152030").replace(
            "DCSSAMPLE",
            "DCSS\u{c4}MPLE\nDA\u{e9}xyz\n\u{e9}\u{e9}\u{e9}\nDLD\u{e9}\nDLDA\u{e9}Q",
        );
        let licence = parse(&file).expect("still a licence");
        assert_eq!(licence.surname.as_deref(), Some("S\u{c4}MPLE"));
        for text in [
            "DA\u{e9}",
            "DLDA\u{e9}Q",
            "ANSI 6360140900\u{e9}\u{e9}\u{e9}",
        ] {
            assert!(parse(text).is_none());
        }
    }

    #[test]
    fn other_text_is_not_a_licence() {
        assert!(parse("https://example.com").is_none());
        assert!(parse("@\n\u{1e}\rANSI 6360140900").is_none());
    }
}
