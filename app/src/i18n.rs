//! The capture page's languages. The words live in Fluent files (`app/locales/<tag>.ftl`,
//! English the reference); the server resolves them (`server::i18n`) into a [`PageText`] per
//! language: every message of [`Msg`] in order, with `{name}` markers where the page fills in
//! values, and the plural forms of the messages that count. The page indexes it by [`Msg`], so
//! the WASM carries neither the words nor a Fluent runtime; the browser's own `Intl` picks
//! plural forms and formats sizes and dates.

use serde::{Deserialize, Serialize};

/// The page's languages, in the switcher's order: BCP 47 tag, the language's name in itself,
/// and whether it is written right to left. `server::i18n` holds one Fluent file per entry.
pub const LANGUAGES: [(&str, &str, bool); 12] = [
    ("en", "English", false),
    ("es", "Español", false),
    ("fr", "Français", false),
    ("de", "Deutsch", false),
    ("pt-BR", "Português (Brasil)", false),
    ("it", "Italiano", false),
    ("nl", "Nederlands", false),
    ("pl", "Polski", false),
    ("tr", "Türkçe", false),
    ("ar", "العربية", true),
    ("hi", "हिन्दी", false),
    ("zh-CN", "简体中文", false),
];

macro_rules! messages {
    ($($name:ident = $id:literal,)*) => {
        /// A message of the page, by its Fluent id (`Msg::ALL`). Its discriminant indexes
        /// [`PageText::messages`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Msg {
            $($name,)*
        }

        impl Msg {
            /// Every message with its Fluent id, in discriminant order.
            #[cfg(feature = "ssr")]
            pub const ALL: &[(Msg, &str)] = &[$((Msg::$name, $id),)*];
        }
    };
}

messages! {
    Language = "language",
    LogoAlt = "logo-alt",
    Progress = "progress",
    StepConsent = "step-consent",
    StepSelfie = "step-selfie",
    StepId = "step-id",
    StepSubmit = "step-submit",
    TryAgain = "try-again",
    CameraPreview = "camera-preview",
    CameraStarting = "camera-starting",
    ConsentTitle = "consent-title",
    ConsentIntro = "consent-intro",
    ConsentWhatLabel = "consent-what-label",
    ConsentWhat = "consent-what",
    ConsentWhyLabel = "consent-why-label",
    ConsentWhy = "consent-why",
    ConsentWhoLabel = "consent-who-label",
    ConsentWho = "consent-who",
    ConsentHowLongLabel = "consent-how-long-label",
    ConsentHowLong = "consent-how-long",
    ConsentAgree = "consent-agree",
    ConsentWaiting = "consent-waiting",
    ConsentReady = "consent-ready",
    Start = "start",
    HelpLink = "help-link",
    SelfieTitle = "selfie-title",
    SelfieIntroChallenge = "selfie-intro-challenge",
    SelfieLight = "selfie-light",
    CameraReadySelfie = "camera-ready-selfie",
    CameraReadyId = "camera-ready-id",
    Record = "record",
    Recording = "recording",
    Countdown = "countdown",
    RecordingFinishing = "recording-finishing",
    RecordingFailed = "recording-failed",
    CannotRecord = "cannot-record",
    NoCameraHelp = "no-camera-help",
    UploadVideo = "upload-video",
    VideoReady = "video-ready",
    SelfieCheck = "selfie-check",
    YourSelfie = "your-selfie",
    RecordAgain = "record-again",
    UseVideo = "use-video",
    NowId = "now-id",
    PromptLook = "prompt-look",
    PromptLeftSlow = "prompt-left-slow",
    PromptRightSlow = "prompt-right-slow",
    PromptTurnLeft = "prompt-turn-left",
    PromptTurnRight = "prompt-turn-right",
    PromptLookUp = "prompt-look-up",
    PromptLookDown = "prompt-look-down",
    PromptBlink = "prompt-blink",
    CameraDenied = "camera-denied",
    CameraDeniedHelp = "camera-denied-help",
    CameraDeniedHelpFirefox = "camera-denied-help-firefox",
    CameraDeniedHelpSafari = "camera-denied-help-safari",
    CameraNone = "camera-none",
    CameraNoneHelp = "camera-none-help",
    CameraBusy = "camera-busy",
    CameraBusyHelp = "camera-busy-help",
    CameraUnsupported = "camera-unsupported",
    CameraUnsupportedHelp = "camera-unsupported-help",
    CameraOther = "camera-other",
    CameraOtherHelp = "camera-other-help",
    IdTitle = "id-title",
    DocQuestion = "doc-question",
    DocPassport = "doc-passport",
    DocIdCard = "doc-id-card",
    DocLicence = "doc-licence",
    DocChosen = "doc-chosen",
    SideAnyFront = "side-any-front",
    SidePassport = "side-passport",
    SideIdCardFront = "side-id-card-front",
    SideLicenceFront = "side-licence-front",
    SideIdCardBack = "side-id-card-back",
    SideLicenceBack = "side-licence-back",
    SideAnyBack = "side-any-back",
    BackTitleIdCard = "back-title-id-card",
    BackTitleLicence = "back-title-licence",
    BackTitleAny = "back-title-any",
    Tips = "tips",
    TipCorners = "tip-corners",
    TipFlat = "tip-flat",
    TipGlare = "tip-glare",
    TipSharp = "tip-sharp",
    CameraPhoto = "camera-photo",
    TakePhoto = "take-photo",
    UploadPhoto = "upload-photo",
    UploadPhotoInstead = "upload-photo-instead",
    PhotoFailed = "photo-failed",
    PhotoCheck = "photo-check",
    IdCheckFront = "id-check-front",
    IdCheckBack = "id-check-back",
    IdAnotherFront = "id-another-front",
    IdAnotherBack = "id-another-back",
    ChooseAnother = "choose-another",
    UsePhoto = "use-photo",
    YourIdPhoto = "your-id-photo",
    YourIdBack = "your-id-back",
    TooBigVideo = "too-big-video",
    TooBigPhoto = "too-big-photo",
    SendTitle = "send-title",
    SendIntro = "send-intro",
    SendIntroBack = "send-intro-back",
    ReadyToSend = "ready-to-send",
    Back = "back",
    Submit = "submit",
    Uploading = "uploading",
    UploadProgress = "upload-progress",
    Uploaded = "uploaded",
    Processing = "processing",
    UploadNotStarted = "upload-not-started",
    UploadNetwork = "upload-network",
    LiveLost = "live-lost",
    AnswerUnreadable = "answer-unreadable",
    RetakeVideo = "retake-video",
    RetakeId = "retake-id",
    RetakeBack = "retake-back",
    LinkReturn = "link-return",
    ChallengeRetry = "challenge-retry",
    ChallengeFollow = "challenge-follow",
    TriesLeft = "tries-left",
    ErrorFiles = "error-files",
    ErrorTooLarge = "error-too-large",
    ErrorFileType = "error-file-type",
    ErrorLinkInvalid = "error-link-invalid",
    ErrorLinkUsed = "error-link-used",
    ErrorLinkExpired = "error-link-expired",
    ErrorTooMany = "error-too-many",
    ErrorBusy = "error-busy",
    ErrorServer = "error-server",
    ErrorOther = "error-other",
    UnavailableTitle = "unavailable-title",
    UnavailableBack = "unavailable-back",
    DoneVerified = "done-verified",
    DoneReview = "done-review",
    DoneRejected = "done-rejected",
    VerifiedTitle = "verified-title",
    VerifiedText = "verified-text",
    ReviewTitle = "review-title",
    ReviewText = "review-text",
    RejectedTitle = "rejected-title",
    RejectedText = "rejected-text",
    Reference = "reference",
    FilesDeletedOn = "files-deleted-on",
    Continue = "continue",
    AdviceIdPhotoVisible = "advice-id-photo-visible",
    AdviceIdAlone = "advice-id-alone",
    AdviceIdLight = "advice-id-light",
    AdviceFaceOval = "advice-face-oval",
    AdviceAlone = "advice-alone",
    AdviceTurn = "advice-turn",
    AdviceFullVideo = "advice-full-video",
    AdviceGoodLight = "advice-good-light",
    AdviceChallenge = "advice-challenge",
    AdviceRecordHere = "advice-record-here",
    AdviceDocumentPhoto = "advice-document-photo",
    AdviceDocumentValid = "advice-document-valid",
    AdviceDocumentType = "advice-document-type",
}

/// The page's words in one language, as the server resolved them. On the wire it is one JSON
/// string (fields apart by U+001F, see [`PageText::encode`]): a struct of lists would bring a
/// deserialiser per shape into the page's download.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub struct PageText {
    /// Index in [`LANGUAGES`].
    pub lang: u8,
    /// The language was asked for (the `locale` of the link or the page address): the page
    /// does not replace it by the browser's languages.
    pub chosen: bool,
    /// Every [`Msg`] in order; a plural message in its `other` form.
    pub messages: Vec<String>,
    /// The plural forms other than `other`: (message, CLDR category, text).
    pub plurals: Vec<(u16, String, String)>,
}

/// Between the fields of an encoded [`PageText`] (a control character no message contains).
const SEPARATOR: char = '\u{1f}';

impl PageText {
    /// `lang`, `chosen` (1 or 0), the number of messages, the messages, then each plural form's
    /// message index, category and text; all apart by [`SEPARATOR`].
    pub fn encode(&self) -> String {
        let mut fields = vec![
            self.lang.to_string(),
            u8::from(self.chosen).to_string(),
            self.messages.len().to_string(),
        ];
        fields.extend(self.messages.iter().map(|m| m.replace(SEPARATOR, " ")));
        for (i, c, t) in &self.plurals {
            fields.extend([i.to_string(), c.clone(), t.replace(SEPARATOR, " ")]);
        }
        fields.join(&SEPARATOR.to_string())
    }

    /// The inverse of [`encode`](Self::encode); anything malformed reads as empty text.
    pub fn decode(s: &str) -> Self {
        let mut it = s.split(SEPARATOR);
        let mut number = || it.next().and_then(|f| f.parse::<usize>().ok()).unwrap_or(0);
        let (lang, chosen, count) = (number() as u8, number() == 1, number());
        let messages: Vec<String> = it.by_ref().take(count).map(str::to_string).collect();
        let rest: Vec<&str> = it.collect();
        let plurals = rest
            .chunks_exact(3)
            .filter_map(|p| Some((p[0].parse().ok()?, p[1].to_string(), p[2].to_string())))
            .collect();
        Self {
            lang,
            chosen,
            messages,
            plurals,
        }
    }

    /// No messages: nothing to send (a client that draws its own screens).
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    /// The BCP 47 tag.
    pub fn tag(&self) -> &'static str {
        LANGUAGES[usize::from(self.lang) % LANGUAGES.len()].0
    }

    pub fn rtl(&self) -> bool {
        LANGUAGES[usize::from(self.lang) % LANGUAGES.len()].2
    }

    /// The HTML `dir` of the language.
    pub fn dir(&self) -> &'static str {
        if self.rtl() { "rtl" } else { "ltr" }
    }

    /// `m` as written (its `{name}` markers, if any, left in).
    pub fn get(&self, m: Msg) -> &str {
        self.messages.get(m as usize).map_or("", String::as_str)
    }

    /// `m` with its markers filled in.
    pub fn fill(&self, m: Msg, args: &[(&str, &str)]) -> String {
        fill(self.get(m), args)
    }

    /// `m` in the plural form for `count` (CLDR rules of the language), filled in.
    pub fn count(&self, m: Msg, count: u64, args: &[(&str, &str)]) -> String {
        let category = plural_category(self.tag(), count);
        let template = self
            .plurals
            .iter()
            .find(|(i, c, _)| *i == m as u16 && *c == category)
            .map_or_else(|| self.get(m), |(_, _, t)| t.as_str());
        let n = count.to_string();
        let mut all = vec![("count", n.as_str())];
        all.extend_from_slice(args);
        fill(template, &all)
    }
}

impl From<String> for PageText {
    fn from(s: String) -> Self {
        Self::decode(&s)
    }
}

impl From<PageText> for String {
    fn from(t: PageText) -> Self {
        t.encode()
    }
}

/// Replaces each `{name}` of `template` by its value in `args`, in one pass (a value is never
/// searched for markers); unknown markers stay as they are.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after
            .find('}')
            .and_then(|close| Some((close, args.iter().find(|(k, _)| *k == &after[..close])?)))
        {
            Some((close, (_, v))) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The CLDR plural category of `n` in `tag`: the server's rules (`intl_pluralrules`) while
/// rendering, the browser's `Intl.PluralRules` on the page.
#[cfg(feature = "ssr")]
pub fn plural_category(tag: &str, n: u64) -> String {
    use intl_pluralrules::{PluralCategory, PluralRuleType, PluralRules};
    let Ok(id) = tag.parse::<unic_langid::LanguageIdentifier>() else {
        return "other".into();
    };
    let category = match PluralRules::create(id, PluralRuleType::CARDINAL).map(|r| r.select(n)) {
        Ok(Ok(PluralCategory::ZERO)) => "zero",
        Ok(Ok(PluralCategory::ONE)) => "one",
        Ok(Ok(PluralCategory::TWO)) => "two",
        Ok(Ok(PluralCategory::FEW)) => "few",
        Ok(Ok(PluralCategory::MANY)) => "many",
        _ => "other",
    };
    category.into()
}

#[cfg(not(feature = "ssr"))]
pub fn plural_category(tag: &str, n: u64) -> String {
    let rules = js_sys::Intl::PluralRules::new(&locales(tag), &js_sys::Object::new());
    rules.select(n as f64).into()
}

#[cfg(not(feature = "ssr"))]
fn locales(tag: &str) -> js_sys::Array {
    js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(tag))
}

/// Options for `Intl` formats: Western digits in every language (the server's numbers are
/// plain digits too), plus `pairs`.
#[cfg(not(feature = "ssr"))]
fn intl_options(pairs: &[(&str, wasm_bindgen::JsValue)]) -> js_sys::Object {
    let o = js_sys::Object::new();
    let mut all = vec![("numberingSystem", wasm_bindgen::JsValue::from_str("latn"))];
    all.extend(pairs.iter().cloned());
    for (k, v) in all {
        let _ = js_sys::Reflect::set(&o, &wasm_bindgen::JsValue::from_str(k), &v);
    }
    o
}

/// A file size for people in the page's language: "830 kB", "2.4 MB", "2,4 Mo".
#[cfg(not(feature = "ssr"))]
pub fn size(tag: &str, bytes: f64) -> String {
    use wasm_bindgen::JsValue;
    let (value, unit, digits) = if bytes < 1e6 {
        ((bytes / 1e3).ceil(), "kilobyte", 0.0)
    } else {
        (bytes / 1e6, "megabyte", 1.0)
    };
    let options = intl_options(&[
        ("style", JsValue::from_str("unit")),
        ("unit", JsValue::from_str(unit)),
        ("maximumFractionDigits", JsValue::from_f64(digits)),
    ]);
    let format = js_sys::Intl::NumberFormat::new(&locales(tag), &options).format();
    format
        .call1(&JsValue::NULL, &JsValue::from_f64(value))
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

/// The server never shows sizes (they appear once the page has a file).
#[cfg(feature = "ssr")]
pub fn size(_tag: &str, bytes: f64) -> String {
    format!("{} kB", (bytes / 1e3).ceil())
}

/// A date (epoch ms) in the page's language, long form: "8 December 2026", "8 décembre 2026".
#[cfg(not(feature = "ssr"))]
pub fn date(tag: &str, epoch_ms: f64) -> String {
    use wasm_bindgen::JsValue;
    let options = intl_options(&[("dateStyle", JsValue::from_str("long"))]);
    let format = js_sys::Intl::DateTimeFormat::new(&locales(tag), &options).format();
    format
        .call1(
            &JsValue::NULL,
            &js_sys::Date::new(&JsValue::from_f64(epoch_ms)),
        )
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

#[cfg(feature = "ssr")]
pub fn date(_tag: &str, epoch_ms: f64) -> String {
    format!("{epoch_ms}")
}

/// The best of [`LANGUAGES`] for the browser's preferred languages (`navigator.languages`):
/// an exact tag first, else the first language with the same primary subtag.
pub fn best_match<'a>(preferred: impl IntoIterator<Item = &'a str>) -> Option<u8> {
    let primary = |t: &str| {
        t.split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase()
    };
    for p in preferred {
        if let Some(i) = LANGUAGES
            .iter()
            .position(|(t, _, _)| t.eq_ignore_ascii_case(p))
        {
            return Some(i as u8);
        }
        if let Some(i) = LANGUAGES
            .iter()
            .position(|(t, _, _)| primary(t) == primary(p))
        {
            return Some(i as u8);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_known_markers_once() {
        assert_eq!(
            fill("{partner} asks {x} {n}…", &[("partner", "{n}"), ("n", "3")]),
            "{n} asks {x} 3…"
        );
        assert_eq!(fill("a { b", &[("b", "c")]), "a { b");
    }

    #[test]
    fn text_round_trips_as_one_string() {
        let t = PageText {
            lang: 9,
            chosen: true,
            messages: vec!["a".into(), String::new(), "{partner} ب".into()],
            plurals: vec![(2, "two".into(), "x {count}".into())],
        };
        let json = serde_json::to_string(&t).unwrap();
        assert!(json.starts_with('"'), "{json}");
        assert_eq!(serde_json::from_str::<PageText>(&json).unwrap(), t);
        assert_eq!(PageText::decode("garbage"), PageText::default());
    }

    #[test]
    fn browser_languages_match_by_tag_then_language() {
        assert_eq!(best_match(["pt-PT"]), Some(4));
        assert_eq!(best_match(["xx", "zh-TW", "en"]), Some(11));
        assert_eq!(best_match(["ar-EG"]), Some(9));
        assert_eq!(best_match(["xx"]), None);
        assert_eq!(plural_category("pl", 5), "many");
        assert_eq!(plural_category("pl", 2), "few");
        assert_eq!(plural_category("ar", 2), "two");
        assert_eq!(plural_category("en", 1), "one");
    }
}
