//! Counted phrases ("1 second", "5 seconds"; Arabic's six forms), chosen by the browser's
//! `Intl.PluralRules`, so no plural data goes into the widget.

use js_sys::{Array, Intl, Object};
use wasm_bindgen::JsValue;

use super::read::{self, Read, Values};
use super::Locale;

/// One phrase in each plural category its language uses. `other` is always there; a
/// category a language file leaves out falls back to it.
#[derive(Debug)]
pub struct Plural {
    pub zero: Option<&'static str>,
    pub one: Option<&'static str>,
    pub two: Option<&'static str>,
    pub few: Option<&'static str>,
    pub many: Option<&'static str>,
    pub other: &'static str,
}

/// The plural category `Intl.PluralRules` gives `count` in `locale`: `zero`, `one`, `two`,
/// `few`, `many` or `other`.
pub fn category(locale: Locale, count: u64) -> String {
    Intl::PluralRules::new(&locales(locale), &Object::new())
        .select(count as f64)
        .as_string()
        .unwrap_or_default()
}

impl Plural {
    /// The phrase for `count` things in `locale`, with `placeholder` replaced by the count
    /// written in that language's digits.
    pub fn format(&self, locale: Locale, count: u64, placeholder: &str) -> String {
        let number = Intl::NumberFormat::new(&locales(locale), &Object::new())
            .format()
            .call1(&JsValue::NULL, &JsValue::from_f64(count as f64))
            .ok()
            .and_then(|n| n.as_string())
            .unwrap_or_else(|| count.to_string());
        self.form(locale, count).replace(placeholder, &number)
    }

    /// The phrase, placeholder unfilled, that `count` things take in `locale`.
    pub fn form(&self, locale: Locale, count: u64) -> &'static str {
        self.get(&category(locale, count)).unwrap_or(self.other)
    }

    /// The phrase written for exactly `category`, if any (no falling back to `other`).
    pub fn get(&self, category: &str) -> Option<&'static str> {
        match category {
            "zero" => self.zero,
            "one" => self.one,
            "two" => self.two,
            "few" => self.few,
            "many" => self.many,
            "other" => Some(self.other),
            _ => None,
        }
    }

    /// Every phrase given, `other` first.
    pub fn forms(&self) -> impl Iterator<Item = &'static str> + '_ {
        [
            Some(self.other),
            self.zero,
            self.one,
            self.two,
            self.few,
            self.many,
        ]
        .into_iter()
        .flatten()
    }
}

fn locales(locale: Locale) -> Array {
    Array::of1(&JsValue::from_str(locale.tag()))
}

const CATEGORIES: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

impl Read for Plural {
    fn read(values: &mut Values, at: &str, problems: &mut Vec<String>) -> Self {
        let mut forms = read::section(values, at, &CATEGORIES, problems);
        let [zero, one, two, few, many, other] = CATEGORIES.map(|category| {
            let value = forms.next().unwrap_or_default();
            if value.is_undefined() {
                return None;
            }
            let text = value.as_string();
            if text.is_none() {
                problems.push(format!("`{at}.{category}` is not text"));
            }
            text.map(|t| &*Box::leak(t.into_boxed_str()))
        });
        let other = other.unwrap_or_else(|| {
            problems.push(format!("`{at}` needs an `other` form"));
            ""
        });
        Plural {
            zero,
            one,
            two,
            few,
            many,
            other,
        }
    }
}

/// A counted phrase stands for its key as a whole: the static form shows none.
impl read::Keyed for Plural {
    fn marked(at: &str) -> Self {
        Plural {
            zero: None,
            one: None,
            two: None,
            few: None,
            many: None,
            other: read::Keyed::marked(at),
        }
    }

    fn each(&self, _at: &str, _out: &mut dyn FnMut(String, &'static str)) {}
}
