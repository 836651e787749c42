//! Dates and "5 minutes ago" as each language writes them, from RFC 3339 timestamps.

use moov_support::web::i18n::time::{date, date_time, parse, relative};
use moov_support::web::i18n::Locale;

use js_sys::{Array, Intl, Object, Reflect};
use wasm_bindgen_test::*;

const SECOND: f64 = 1000.0;
const MINUTE: f64 = 60.0 * SECOND;
const HOUR: f64 = 60.0 * MINUTE;
const DAY: f64 = 24.0 * HOUR;

/// 2026-11-29T12:00:00Z: midday, so the date is the same in every time zone from UTC−11
/// to UTC+11, wherever the browser runs.
const NOON: f64 = 1_795_953_600_000.0;

#[wasm_bindgen_test]
fn i18n_parse_reads_rfc3339_with_any_offset_and_refuses_the_rest() {
    let utc = parse("2026-11-29T15:05:00Z").unwrap();
    assert_eq!(utc, 1_795_964_700_000.0);
    assert_eq!(parse("2026-11-29T16:05:00+01:00"), Some(utc));
    assert_eq!(parse("2026-11-29T10:05:00-05:00"), Some(utc));
    assert_eq!(parse("2026-11-29T15:05:00.250Z"), Some(utc + 250.0));
    for bad in [
        "",
        "yesterday",
        "2026-13-45T00:00:00Z",
        "29/11/2026",
        "not a date",
    ] {
        assert_eq!(parse(bad), None, "{bad:?}");
    }
}

#[wasm_bindgen_test]
fn i18n_relative_times_in_english_and_spanish() {
    let en = |ago: f64| relative(Locale::En, NOON - ago, NOON);
    assert_eq!(en(0.0), "now");
    assert_eq!(en(30.0 * SECOND), "30 seconds ago");
    assert_eq!(en(59.6 * SECOND), "1 minute ago");
    assert_eq!(en(90.0 * SECOND), "2 minutes ago");
    assert_eq!(en(3.0 * HOUR), "3 hours ago");
    assert_eq!(en(DAY), "yesterday");
    assert_eq!(en(3.0 * DAY), "3 days ago");
    assert_eq!(en(14.0 * DAY), "2 weeks ago");
    // A server clock a little ahead of the browser's.
    assert_eq!(en(-3.0 * SECOND), "now");
    // Beyond four weeks, the date itself.
    let long_ago = NOON - 60.0 * DAY;
    assert_eq!(
        relative(Locale::En, long_ago, NOON),
        date(Locale::En, long_ago)
    );
    assert_eq!(date(Locale::En, long_ago), "Sep 30, 2026");

    let es = |ago: f64| relative(Locale::Es, NOON - ago, NOON);
    assert_eq!(es(90.0 * SECOND), "hace 2 minutos");
    assert_eq!(es(DAY), "ayer");
    assert_eq!(es(3.0 * HOUR), "hace 3 horas");
}

#[wasm_bindgen_test]
fn i18n_relative_times_in_every_language() {
    let cases = [
        (Locale::Fr, "il y a 2 minutes", "hier"),
        (Locale::De, "vor 2 Minuten", "gestern"),
        (Locale::PtBr, "há 2 minutos", "ontem"),
        (Locale::Ja, "2 分前", "昨日"),
        (Locale::Ar, "قبل دقيقتين", "أمس"),
    ];
    for (locale, two_minutes, yesterday) in cases {
        assert_eq!(
            relative(locale, NOON - 90.0 * SECOND, NOON),
            two_minutes,
            "{locale:?}"
        );
        assert_eq!(relative(locale, NOON - DAY, NOON), yesterday, "{locale:?}");
    }
}

#[wasm_bindgen_test]
fn i18n_dates_carry_the_year_and_follow_the_language() {
    let at = parse("2026-03-07T12:34:56Z").unwrap();
    assert_eq!(date(Locale::En, at), "Mar 7, 2026");
    assert_eq!(date(Locale::De, at), "07.03.2026");
    assert_eq!(date(Locale::Ja, at), "2026/03/07");
    assert_eq!(date(Locale::Es, at), "7 mar 2026");
    let mut seen = Vec::new();
    for locale in Locale::ALL {
        let year = year_in_digits_of(locale, 2026);
        let day = date(locale, at);
        let moment = date_time(locale, at);
        assert!(day.contains(&year), "{locale:?}: {day}");
        assert!(moment.contains(&year), "{locale:?}: {moment}");
        assert!(moment.contains(&day), "{locale:?}: {moment} lacks {day}");
        assert!(moment.len() > day.len(), "{locale:?}: {moment} has no time");
        seen.push(day);
    }
    let count = seen.len();
    seen.sort_unstable();
    seen.dedup();
    // English, Spanish, French, German, Portuguese, Japanese and Arabic each write it
    // their own way.
    assert_eq!(seen.len(), count, "{seen:?}");
}

/// `year` as `locale` writes it (Arabic may use Arabic-Indic digits).
fn year_in_digits_of(locale: Locale, year: u32) -> String {
    let options = Object::new();
    Reflect::set(&options, &"useGrouping".into(), &false.into()).unwrap();
    Intl::NumberFormat::new(&Array::of1(&locale.tag().into()), &options)
        .format()
        .call1(&wasm_bindgen::JsValue::NULL, &year.into())
        .unwrap()
        .as_string()
        .unwrap()
}
