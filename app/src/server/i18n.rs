//! The capture page's words: the Fluent files of `app/locales` (compiled into the binary),
//! resolved once per language into a [`PageText`], and the choice of a language for a request.
//!
//! Resolution: each message of [`Msg`] from the language's bundle, else from English (a
//! missing translation falls back; the unit tests refuse a shipped file with one missing).
//! The page's values are not known here, so every variable resolves to its `{name}` marker,
//! which the page fills in (`i18n::fill`). `$count` chooses a plural form: the message is
//! resolved once per CLDR category of the language, with a number of that category, and
//! formatted as the `{count}` marker.

use std::sync::LazyLock;

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

use crate::i18n::{LANGUAGES, Msg, PageText};

/// The Fluent sources, in [`LANGUAGES`]' order.
const SOURCES: [&str; LANGUAGES.len()] = [
    include_str!("../../locales/en.ftl"),
    include_str!("../../locales/es.ftl"),
    include_str!("../../locales/fr.ftl"),
    include_str!("../../locales/de.ftl"),
    include_str!("../../locales/pt-BR.ftl"),
    include_str!("../../locales/it.ftl"),
    include_str!("../../locales/nl.ftl"),
    include_str!("../../locales/pl.ftl"),
    include_str!("../../locales/tr.ftl"),
    include_str!("../../locales/ar.ftl"),
    include_str!("../../locales/hi.ftl"),
    include_str!("../../locales/zh-CN.ftl"),
];

/// The variables the page fills in, each resolved to its marker.
const MARKERS: [&str; 10] = [
    "partner", "n", "detail", "limit", "sent", "total", "document", "date", "status", "count",
];

const PLURAL_CATEGORIES: [&str; 5] = ["zero", "one", "two", "few", "many"];

/// Every language's page text, resolved at first use.
static TEXTS: LazyLock<Vec<PageText>> = LazyLock::new(|| {
    let english = Fallback {
        bundle: bundle(0),
        examples: category_examples(LANGUAGES[0].0),
    };
    (0..LANGUAGES.len()).map(|l| resolve(l, &english)).collect()
});

/// The page text of language `lang` (an index in [`LANGUAGES`]).
pub fn text(lang: usize, chosen: bool) -> PageText {
    let mut t = shared(lang).clone();
    t.chosen = chosen;
    t
}

/// The shared page text of language `lang` (`chosen` unset), for the server render.
pub fn shared(lang: usize) -> &'static PageText {
    &TEXTS[lang.min(LANGUAGES.len() - 1)]
}

fn bundle(lang: usize) -> FluentBundle<FluentResource> {
    let id: LanguageIdentifier = LANGUAGES[lang].0.parse().unwrap_or_default();
    let mut b = FluentBundle::new(vec![id]);
    // bidi isolation around values only where the page runs right to left
    b.set_use_isolating(LANGUAGES[lang].2);
    b.set_formatter(Some(count_marker));
    let resource = match FluentResource::try_new(SOURCES[lang].to_string()) {
        Ok(r) => r,
        Err((r, errors)) => {
            tracing::error!(
                language = LANGUAGES[lang].0,
                ?errors,
                "a Fluent file has errors; its other messages are used"
            );
            r
        }
    };
    if let Err(errors) = b.add_resource(resource) {
        tracing::error!(
            language = LANGUAGES[lang].0,
            ?errors,
            "a Fluent file repeats messages"
        );
    }
    b
}

/// Numbers are shown as the `{count}` marker: the page writes the real one.
fn count_marker<M>(v: &FluentValue, _: &M) -> Option<String> {
    matches!(v, FluentValue::Number(_)).then(|| "{count}".to_string())
}

/// The smallest whole number of each CLDR category of `tag` (0 to 200 covers them all).
fn category_examples(tag: &str) -> Vec<(&'static str, u64)> {
    let mut found: Vec<(&'static str, u64)> = Vec::new();
    for n in 0..=200u64 {
        let c = crate::i18n::plural_category(tag, n);
        if let Some(known) = PLURAL_CATEGORIES.iter().find(|k| **k == c)
            && !found.iter().any(|(k, _)| k == known)
        {
            found.push((known, n));
        }
    }
    found
}

/// `id` formatted by `b` with every marker and `count` = `n`; `None` when `b` lacks it.
fn format(b: &FluentBundle<FluentResource>, id: &str, n: u64) -> Option<String> {
    let pattern = b.get_message(id)?.value()?;
    let mut args = FluentArgs::new();
    for m in MARKERS {
        args.set(m, FluentValue::from(format!("{{{m}}}")));
    }
    args.set("count", FluentValue::from(n));
    let mut errors = Vec::new();
    let s = b.format_pattern(pattern, Some(&args), &mut errors);
    Some(s.into_owned())
}

/// English, where a language lacks a message: its bundle and its plural examples, made once.
struct Fallback {
    bundle: FluentBundle<FluentResource>,
    examples: Vec<(&'static str, u64)>,
}

fn resolve(lang: usize, english: &Fallback) -> PageText {
    let own = bundle(lang);
    let examples = category_examples(LANGUAGES[lang].0);
    let mut messages = Vec::with_capacity(Msg::ALL.len());
    let mut plurals = Vec::new();
    for (m, id) in Msg::ALL {
        // a missing translation falls back to English, in English's plural rules
        let (b, examples) = if own.has_message(id) {
            (&own, examples.as_slice())
        } else {
            (&english.bundle, english.examples.as_slice())
        };
        // 1000 is `other` in every language shipped
        let other = format(b, id, 1000).unwrap_or_default();
        for (category, n) in examples {
            if let Some(s) = format(b, id, *n)
                && s != other
            {
                plurals.push((*m as u16, (*category).to_string(), s));
            }
        }
        messages.push(other);
    }
    PageText {
        lang: lang as u8,
        chosen: false,
        messages,
        plurals,
    }
}

/// The language of [`LANGUAGES`] that serves a requested tag best ("pt" → pt-BR, "fr-CA" →
/// fr), if any.
pub fn supported(tag: &str) -> Option<usize> {
    let requested: LanguageIdentifier = tag.trim().parse().ok()?;
    best(&[requested])
}

/// [`LANGUAGES`]' tags, parsed once (every page request negotiates against them).
static AVAILABLE: LazyLock<Vec<LanguageIdentifier>> = LazyLock::new(|| {
    LANGUAGES
        .iter()
        .map(|(t, _, _)| t.parse().expect("LANGUAGES holds valid tags"))
        .collect()
});

fn best(requested: &[LanguageIdentifier]) -> Option<usize> {
    let available = &*AVAILABLE;
    let found = fluent_langneg::negotiate_languages(
        requested,
        available,
        None,
        fluent_langneg::NegotiationStrategy::Lookup,
    );
    let first = found.first()?;
    available.iter().position(|a| a == *first)
}

/// What decides the page's language, strongest first.
#[derive(Debug, Default)]
pub struct Choice<'a> {
    /// `locale` on the page's address.
    pub param: Option<&'a str>,
    /// `locale` of the capture link (`POST /v1/sessions`).
    pub link: Option<&'a str>,
    /// The browser's `Accept-Language`.
    pub accept_language: Option<&'a str>,
    /// The partner's default (`idv partner update --locale`).
    pub partner_default: Option<&'a str>,
}

impl Choice<'_> {
    /// The language (index in [`LANGUAGES`]) and whether it was asked for (`locale`).
    pub fn decide(&self) -> (usize, bool) {
        for asked in [self.param, self.link].into_iter().flatten() {
            if let Some(i) = supported(asked) {
                return (i, true);
            }
        }
        let browser = self
            .accept_language
            .map(fluent_langneg::accepted_languages::parse)
            .and_then(|l| best(&l));
        let lang = browser
            .or_else(|| self.partner_default.and_then(supported))
            .unwrap_or(0);
        (lang, false)
    }
}

/// A `locale` given to the API (`POST /v1/sessions`, the partner's default): the supported
/// language's tag it stands for, or the error message naming the problem.
pub fn parse_locale(tag: &str) -> Result<&'static str, String> {
    supported(tag).map(|i| LANGUAGES[i].0).ok_or_else(|| {
        let all: Vec<&str> = LANGUAGES.iter().map(|(t, _, _)| *t).collect();
        format!(
            "locale is not a supported language; use one of: {}",
            all.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every shipped language has every message, parses cleanly, and uses the same variables
    /// as English: a missing or broken translation fails here, not on a user's phone.
    #[test]
    fn every_language_has_every_message() {
        let english = FluentResource::try_new(SOURCES[0].to_string()).expect("en.ftl parses");
        let ids = |r: &FluentResource| -> Vec<String> {
            r.entries()
                .filter_map(|e| match e {
                    fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
                    _ => None,
                })
                .collect()
        };
        let en_ids = ids(&english);
        for (m, id) in Msg::ALL {
            assert!(
                en_ids.iter().any(|e| e == id),
                "{m:?} ({id}) is not in en.ftl"
            );
        }
        assert_eq!(
            en_ids.len(),
            Msg::ALL.len(),
            "en.ftl has messages the page does not use"
        );
        let mut problems = Vec::new();
        for (lang, src) in SOURCES.iter().enumerate() {
            let tag = LANGUAGES[lang].0;
            let r = match FluentResource::try_new(src.to_string()) {
                Ok(r) => r,
                Err((_, e)) => {
                    problems.push(format!("{tag}: syntax errors {e:?}"));
                    continue;
                }
            };
            let own = ids(&r);
            for id in &en_ids {
                if !own.contains(id) {
                    problems.push(format!("{tag}: missing {id}"));
                }
            }
            for id in &own {
                if !en_ids.contains(id) {
                    problems.push(format!("{tag}: {id} is not an English message"));
                }
            }
            let b = bundle(lang);
            let en = bundle(0);
            for (_, id) in Msg::ALL {
                let markers = |s: &str| {
                    let mut v: Vec<&str> = MARKERS
                        .iter()
                        .copied()
                        .filter(|m| s.contains(&format!("{{{m}}}")))
                        .collect();
                    v.sort_unstable();
                    v
                };
                let (Some(theirs), Some(ours)) = (format(&b, id, 1000), format(&en, id, 1000))
                else {
                    continue;
                };
                if markers(&theirs) != markers(&ours) {
                    problems.push(format!(
                        "{tag}: {id} uses {:?}, English {:?}",
                        markers(&theirs),
                        markers(&ours)
                    ));
                }
                let mut errors = Vec::new();
                let pattern = b.get_message(id).and_then(|m| m.value());
                if let Some(p) = pattern {
                    let mut args = FluentArgs::new();
                    for m in MARKERS {
                        args.set(m, FluentValue::from("x"));
                    }
                    args.set("count", FluentValue::from(3));
                    let _ = b.format_pattern(p, Some(&args), &mut errors);
                }
                if !errors.is_empty() {
                    problems.push(format!("{tag}: {id}: {errors:?}"));
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn missing_messages_fall_back_to_english() {
        let t = text(0, false);
        assert_eq!(t.messages.len(), Msg::ALL.len());
        assert_eq!(t.get(Msg::ConsentTitle), "Verify your identity");
        assert_eq!(
            t.count(Msg::ConsentHowLong, 1, &[("partner", "Acme")]),
            "the files are deleted after 1 day; the result is kept by Acme."
        );
        assert_eq!(
            t.count(Msg::ConsentHowLong, 7, &[("partner", "Acme")]),
            "the files are deleted after 7 days; the result is kept by Acme."
        );
        // a bundle without a message resolves it from English
        let mut b = FluentBundle::new(vec!["fr".parse::<LanguageIdentifier>().unwrap()]);
        b.add_resource(FluentResource::try_new("start = Commencer\n".into()).unwrap())
            .unwrap();
        assert!(!b.has_message("consent-title"));
        for lang in 0..LANGUAGES.len() {
            let t = text(lang, false);
            assert!(t.messages.iter().all(|m| !m.is_empty()), "{}", t.tag());
        }
    }

    #[test]
    fn plural_forms_follow_each_language() {
        let pl = text(7, false);
        let few = pl.count(Msg::TriesLeft, 2, &[]);
        let many = pl.count(Msg::TriesLeft, 5, &[]);
        assert!(few.contains('2') && many.contains('5'));
        assert_ne!(
            few.replace('2', ""),
            many.replace('5', ""),
            "Polish has few and many"
        );
        let ar = text(9, false);
        assert!(ar.rtl());
        assert!(ar.plurals.iter().any(|(_, c, _)| c == "two"));
    }

    #[test]
    fn languages_are_chosen_in_order() {
        let c = Choice {
            param: Some("de"),
            link: Some("fr"),
            accept_language: Some("es-MX,es;q=0.9"),
            partner_default: Some("it"),
        };
        assert_eq!(c.decide(), (3, true));
        let c = Choice {
            param: Some("xx"),
            link: Some("fr-CA"),
            ..Default::default()
        };
        assert_eq!(c.decide(), (2, true));
        let c = Choice {
            accept_language: Some("xx, es-MX;q=0.9, en;q=0.5"),
            partner_default: Some("it"),
            ..Default::default()
        };
        assert_eq!(c.decide(), (1, false));
        let c = Choice {
            accept_language: Some("xx"),
            partner_default: Some("pt"),
            ..Default::default()
        };
        assert_eq!(c.decide(), (4, false));
        assert_eq!(Choice::default().decide(), (0, false));
        assert_eq!(parse_locale("zh"), Ok("zh-CN"));
        assert!(parse_locale("klingon").unwrap_err().contains("pt-BR"));
    }
}
