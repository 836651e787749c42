//! A language's strings, fetched once per page when a form first speaks it.

use std::cell::RefCell;

use thiserror::Error;

use super::{en, Locale, Strings};

/// Why a language's strings could not be used; the form then speaks English.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LocaleError {
    #[error("the {0} strings could not be downloaded ({1}); the form is shown in English")]
    Unavailable(&'static str, String),
    #[error("the {0} strings are not valid ({1}); the form is shown in English")]
    Malformed(&'static str, String),
}

thread_local! {
    /// The languages settled on this page, so a form never waits twice for the same file:
    /// their strings, or `None` for one that failed and is shown in English.
    static SETTLED: RefCell<Vec<(Locale, Option<&'static Strings>)>> = const { RefCell::new(Vec::new()) };
}

/// `locale`'s strings when they need no download (English, a settled language, or every
/// language with `inline-locales`): `Some(None)` when English stands in for them.
fn settled(locale: Locale) -> Option<Option<&'static Strings>> {
    if locale.file().is_none() {
        return Some(Some(&en::STRINGS));
    }
    if let Some(strings) = SETTLED.with_borrow(|s| {
        s.iter()
            .find(|(settled, _)| *settled == locale)
            .map(|(_, strings)| *strings)
    }) {
        return Some(strings);
    }
    if cfg!(feature = "inline-locales") {
        let strings = locale.bundled().and_then(|text| parse(locale, text).ok());
        settle(locale, strings);
        return Some(strings);
    }
    None
}

/// The strings a form in `locale` can be drawn with now, without a download.
pub(super) fn loaded(locale: Locale) -> Option<&'static Strings> {
    settled(locale).map(|strings| strings.unwrap_or(&en::STRINGS))
}

/// Whether `locale`'s own strings are here (not English standing in, not still on the way).
pub(super) fn has_own(locale: Locale) -> bool {
    matches!(settled(locale), Some(Some(_)))
}

fn settle(locale: Locale, strings: Option<&'static Strings>) {
    SETTLED.with_borrow_mut(|s| {
        if !s.iter().any(|(settled, _)| *settled == locale) {
            s.push((locale, strings));
        }
    });
}

/// Makes `locale`'s strings ready. The file is fetched once per page; the script-tag loader
/// has usually fetched and parsed it already for its static form, and hands it over (see
/// `fetchJson` in `element.js`). After a failure the
/// language is settled as English for the page's life.
pub async fn load(locale: Locale) -> Result<(), LocaleError> {
    let Some(file) = locale.file() else {
        return Ok(());
    };
    if loaded(locale).is_some() {
        return Ok(());
    }
    let fetched = fetch(locale, file).await;
    settle(locale, fetched.as_ref().ok().copied());
    fetched.map(|_| ())
}

async fn fetch(locale: Locale, file: &str) -> Result<&'static Strings, LocaleError> {
    let value = crate::web::embed::fetch_json(&format!("locales/{file}.json"))
        .await
        .map_err(|e| {
            let why = js_sys::Error::from(e).message().as_string();
            LocaleError::Unavailable(locale.tag(), why.unwrap_or_default())
        })?;
    read(locale, value)
}

/// Reads a language file's text; the error says which keys are wrong.
pub fn parse(locale: Locale, text: &str) -> Result<&'static Strings, LocaleError> {
    let value = js_sys::JSON::parse(text)
        .map_err(|_| LocaleError::Malformed(locale.tag(), "not JSON".into()))?;
    read(locale, value)
}

/// Reads a parsed language file; kept for the page's life, as its form may be drawn again.
fn read(locale: Locale, value: wasm_bindgen::JsValue) -> Result<&'static Strings, LocaleError> {
    let strings = super::read::file::<Strings>(value)
        .map_err(|why| LocaleError::Malformed(locale.tag(), why))?;
    Ok(Box::leak(Box::new(strings)))
}
