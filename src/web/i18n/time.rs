//! Dates and "5 minutes ago" in the user's language and time zone, written by the browser's
//! `Intl`, so no date library or calendar data goes into the widget.

use js_sys::{Array, Date, Intl, Object, Reflect};
use wasm_bindgen::JsValue;

use super::Locale;

/// Milliseconds since the epoch of an RFC 3339 timestamp, as the browser reads it.
pub fn parse(rfc3339: &str) -> Option<f64> {
    let ms = Date::parse(rfc3339);
    (!ms.is_nan()).then_some(ms)
}

/// Now, in milliseconds since the epoch.
pub fn now() -> f64 {
    Date::now()
}

/// `then` relative to `now` ("2 hours ago", "yesterday") in `locale`, in the largest unit
/// that fits; beyond four weeks, the date itself.
pub fn relative(locale: Locale, then: f64, now: f64) -> String {
    const UNITS: [(&str, f64); 5] = [
        ("second", 60.0),
        ("minute", 60.0),
        ("hour", 24.0),
        ("day", 7.0),
        ("week", 4.0),
    ];
    // The server's clock may run a little ahead of the browser's: a message just sent is
    // "now", not "in 3 seconds".
    let then = if then > now && then - now < 60_000.0 {
        now
    } else {
        then
    };
    let mut value = (then - now) / 1000.0;
    for (unit, per_next) in UNITS {
        // Rounded first, so 59.6 seconds reads "1 minute ago", never "60 seconds ago".
        let rounded = value.round();
        if rounded.abs() < per_next {
            let options = options(&[("numeric", "auto")]);
            return Intl::RelativeTimeFormat::new(&locales(locale), &options)
                .format(rounded, unit)
                .into();
        }
        value /= per_next;
    }
    date(locale, then)
}

/// `at` as a date and time ("Nov 29, 2026, 4:05 PM") in `locale` and the browser's time zone.
pub fn date_time(locale: Locale, at: f64) -> String {
    Date::new(&JsValue::from_f64(at))
        .to_locale_string(
            locale.tag(),
            &options(&[("dateStyle", "medium"), ("timeStyle", "short")]).into(),
        )
        .into()
}

/// `at` as a date ("Nov 29, 2026") in `locale` and the browser's time zone.
pub fn date(locale: Locale, at: f64) -> String {
    Date::new(&JsValue::from_f64(at))
        .to_locale_date_string(locale.tag(), &options(&[("dateStyle", "medium")]).into())
        .into()
}

fn locales(locale: Locale) -> Array {
    Array::of1(&JsValue::from_str(locale.tag()))
}

fn options(pairs: &[(&str, &str)]) -> Object {
    let object = Object::new();
    for (key, value) in pairs {
        let _ = Reflect::set(&object, &(*key).into(), &(*value).into());
    }
    object
}
