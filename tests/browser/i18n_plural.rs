//! Counted phrases: every language has a form for each plural category the browser's
//! `Intl.PluralRules` picks, keeps the number, and the rate-limit banner counts right.

use moov_support::web::client::SubmitError;
use moov_support::web::i18n::plural::category;
use moov_support::web::i18n::{Locale, Plural, Strings};

use js_sys::{Array, Intl, Object, Reflect};
use moov_support::web::embed;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

use crate::support::{clear_faults, document, endpoint, fault, session, sleep, Widget};

/// Every counted phrase of a language, named for the failure messages.
fn plurals(t: &'static Strings) -> [(&'static str, &'static Plural); 2] {
    [
        ("errors.rate_limited", &t.errors.rate_limited),
        ("inbox.unread_count", &t.inbox.unread_count),
    ]
}

/// The placeholder each counted phrase's number goes into.
fn placeholder(name: &str) -> &'static str {
    if name == "errors.rate_limited" {
        "{seconds}"
    } else {
        "{count}"
    }
}

/// The categories the browser says `locale` uses.
fn categories_of(locale: Locale) -> Vec<String> {
    let rules = Intl::PluralRules::new(&Array::of1(&locale.tag().into()), &Object::new());
    let options = rules.resolved_options();
    let list: Array = Reflect::get(&options, &"pluralCategories".into())
        .unwrap()
        .into();
    list.iter().filter_map(|c| c.as_string()).collect()
}

/// `count` as `locale` writes numbers.
fn number(locale: Locale, count: u64) -> String {
    Intl::NumberFormat::new(&Array::of1(&locale.tag().into()), &Object::new())
        .format()
        .call1(&JsValue::NULL, &JsValue::from_f64(count as f64))
        .unwrap()
        .as_string()
        .unwrap()
}

/// Each language's own strings (linked in with `inline-locales`), not English standing in.
fn own_strings(locale: Locale) -> &'static Strings {
    assert_eq!(locale.spoken(), locale, "{locale:?}'s file did not load");
    locale.strings()
}

#[wasm_bindgen_test]
fn i18n_every_plural_category_the_browser_picks_has_its_own_form() {
    for locale in Locale::ALL {
        let used = categories_of(locale);
        assert!(used.iter().any(|c| c == "other"), "{locale:?}: {used:?}");
        for (name, plural) in plurals(own_strings(locale)) {
            for c in &used {
                assert!(
                    plural.get(c).is_some(),
                    "{locale:?} {name}: no `{c}` form, so it would fall back to `other`"
                );
            }
            for c in ["zero", "one", "two", "few", "many"] {
                assert!(
                    plural.get(c).is_none() || used.iter().any(|u| u == c),
                    "{locale:?} {name}: a `{c}` form the language never uses"
                );
            }
            for count in 0..=200 {
                let c = category(locale, count);
                assert!(
                    plural.get(&c).is_some(),
                    "{locale:?} {name}: {count} is `{c}`, which has no form"
                );
                assert_eq!(plural.form(locale, count), plural.get(&c).unwrap());
            }
        }
    }
}

/// The number is in every phrase, except where a form stands for one number alone and
/// says it in words (Arabic writes "two replies" as one word, ردّان).
#[wasm_bindgen_test]
fn i18n_counted_phrases_keep_their_number() {
    for locale in Locale::ALL {
        for (name, plural) in plurals(own_strings(locale)) {
            let placeholder = placeholder(name);
            let mut counts_of = std::collections::HashMap::<&str, Vec<u64>>::new();
            for count in 0..=200 {
                counts_of
                    .entry(plural.form(locale, count))
                    .or_default()
                    .push(count);
                let text = plural.format(locale, count, placeholder);
                assert!(!text.contains(placeholder), "{locale:?} {name}: {text}");
                if plural.form(locale, count).contains(placeholder) {
                    assert!(
                        text.contains(&number(locale, count)),
                        "{locale:?} {name} {count}: {text}"
                    );
                }
            }
            for form in plural.forms() {
                if !form.contains(placeholder) {
                    let counts = counts_of.get(form).cloned().unwrap_or_default();
                    assert_eq!(
                        counts.len(),
                        1,
                        "{locale:?} {name}: {form:?} has no {placeholder} yet stands for {counts:?}"
                    );
                }
                let other_braces = form.replace(placeholder, "");
                assert!(
                    !other_braces.contains('{'),
                    "{locale:?} {name}: {form:?} has an unknown placeholder"
                );
            }
        }
    }
}

#[wasm_bindgen_test]
fn i18n_english_counts_one_second_and_many_seconds() {
    let en = Locale::En.strings();
    let wait = |seconds| en.submit_error(Locale::En, &SubmitError::RateLimited(Some(seconds)));
    assert_eq!(
        wait(1),
        "Too many messages were sent. Try again in 1 second."
    );
    assert_eq!(
        wait(2),
        "Too many messages were sent. Try again in 2 seconds."
    );
    assert_eq!(
        wait(0),
        "Too many messages were sent. Try again in 0 seconds."
    );
    for seconds in [0, 1, 2, 30, 61] {
        let error = SubmitError::RateLimited(Some(seconds));
        assert_eq!(wait(seconds), error.to_string(), "the core says the same");
    }
    let unread = &en.inbox.unread_count;
    assert_eq!(unread.format(Locale::En, 1, "{count}"), "1 unread reply");
    assert_eq!(unread.format(Locale::En, 3, "{count}"), "3 unread replies");
    assert_eq!(
        unread.format(Locale::En, 1200, "{count}"),
        "1,200 unread replies"
    );
}

#[wasm_bindgen_test]
fn i18n_each_language_counts_seconds_in_its_own_words() {
    let cases = [
        (Locale::Es, "en 1 segundo.", "en 5 segundos."),
        (Locale::Fr, "dans 1 seconde.", "dans 5 secondes."),
        (Locale::De, "in 1 Sekunde erneut.", "in 5 Sekunden erneut."),
        (Locale::PtBr, "em 1 segundo.", "em 5 segundos."),
        (Locale::Ja, "1 秒後", "5 秒後"),
        (Locale::Ar, "بعد ثانية واحدة.", "ثوانٍ."),
    ];
    for (locale, one, five) in cases {
        let t = own_strings(locale);
        let wait = |s| t.submit_error(locale, &SubmitError::RateLimited(Some(s)));
        assert!(wait(1).contains(one), "{}", wait(1));
        assert!(wait(5).contains(five), "{}", wait(5));
        assert!(wait(5).contains(&number(locale, 5)), "{}", wait(5));
        // Without Retry-After the banner still names a wait, in the language's words.
        let default = t.submit_error(locale, &SubmitError::RateLimited(None));
        assert!(default.contains(&number(locale, 30)), "{default}");
    }
    // French and Portuguese say "0 second" like "1 second"; the browser decides, not us.
    assert!(own_strings(Locale::Fr)
        .submit_error(Locale::Fr, &SubmitError::RateLimited(Some(0)))
        .contains("0 seconde."));
}

/// The banner a user sees after the proxy's 429, in the form's language.
#[wasm_bindgen_test]
async fn i18n_the_rate_limit_banner_counts_in_the_form_language() {
    clear_faults().await;
    let token = session("plural-banner").await;
    for (locale, seconds, expected) in [
        ("en", 1, "Try again in 1 second."),
        ("es", 1, "Vuelve a intentarlo en 1 segundo."),
        ("ar", 2, "حاول مرة أخرى بعد ثانيتين."),
    ] {
        let w = mount_in(locale, &token).await;
        w.fill_valid();
        fault(&format!(r#"{{"status":429,"retryAfter":{seconds}}}"#)).await;
        w.press_send();
        w.wait_text(&format!("the {locale} rate-limit banner"), expected)
            .await;
        let banner = w.el(".moov-failure-message").text_content().unwrap();
        assert!(banner.ends_with(expected), "{locale}: {banner}");
        w.remove();
    }
}

/// A form in `locale`, once it shows its Send button in that language.
async fn mount_in(locale: &str, token: &str) -> Widget {
    embed::register();
    let host: web_sys::HtmlElement = document()
        .create_element(embed::TAG)
        .unwrap()
        .unchecked_into();
    for (k, v) in [
        ("endpoint", endpoint().as_str()),
        ("session-token", token),
        ("locale", locale),
    ] {
        host.set_attribute(k, v).unwrap();
    }
    let w = Widget::listen(host.clone());
    document().body().unwrap().append_child(&host).unwrap();
    let send = Locale::from_tag(locale).unwrap().strings().send;
    w.wait_text(&format!("the {locale} form"), send).await;
    sleep(50).await;
    w
}

#[wasm_bindgen_test]
fn i18n_arabic_has_six_distinct_counted_phrases() {
    let t = own_strings(Locale::Ar);
    let counts = [0, 1, 2, 3, 11, 100];
    let picked: Vec<String> = counts.iter().map(|n| category(Locale::Ar, *n)).collect();
    assert_eq!(picked, ["zero", "one", "two", "few", "many", "other"]);
    for (name, plural) in plurals(t) {
        let mut forms: Vec<&str> = counts.iter().map(|n| plural.form(Locale::Ar, *n)).collect();
        let mut texts: Vec<String> = counts
            .iter()
            .map(|n| plural.format(Locale::Ar, *n, placeholder(name)))
            .collect();
        forms.sort_unstable();
        forms.dedup();
        texts.sort_unstable();
        texts.dedup();
        assert_eq!(forms.len(), 6, "{name}: {forms:?}");
        assert_eq!(texts.len(), 6, "{name}: {texts:?}");
    }
    assert_eq!(
        t.inbox.unread_count.format(Locale::Ar, 2, "{count}"),
        "ردّان غير مقروءين"
    );
}

#[wasm_bindgen_test]
fn i18n_a_plural_in_a_file_is_checked_form_by_form() {
    let es = include_str!("../../locales/es.json");
    let parse = |text: &str| {
        moov_support::web::i18n::parse(Locale::Es, text)
            .map(|_| ())
            .map_err(|e| e.to_string())
    };
    // A flat string where a counted phrase belongs.
    let flat = replace_plural(es, "\"unread_count\"", "\"{count} sin leer\"");
    assert!(parse(&flat).unwrap_err().contains("`unread_count`"));
    // No `other`.
    let no_other = replace_plural(es, "\"unread_count\"", r#"{"one": "{count} respuesta"}"#);
    let why = parse(&no_other).unwrap_err();
    assert!(
        why.contains("`unread_count` needs an `other` form"),
        "{why}"
    );
    // A form that is not text, and a category that does not exist.
    let not_text = replace_plural(es, "\"unread_count\"", r#"{"one": 1, "other": "{count}"}"#);
    assert!(parse(&not_text).unwrap_err().contains("`unread_count.one`"));
    let unknown = replace_plural(
        es,
        "\"unread_count\"",
        r#"{"single": "{count}", "other": "{count}"}"#,
    );
    assert!(parse(&unknown).unwrap_err().contains("`single`"));
    // The object it replaces is the one in the real file.
    parse(&replace_plural(
        es,
        "\"unread_count\"",
        r#"{"one": "{count}", "many": "{count}", "other": "{count}"}"#,
    ))
    .unwrap();
}

/// `text` with the object after `key` (a section's member, indented by four) replaced by
/// `value`.
fn replace_plural(text: &str, key: &str, value: &str) -> String {
    let at = text.find(key).expect("key in file") + key.len();
    let open = at + text[at..].find('{').unwrap();
    let end = "\n    }";
    let close = open + text[open..].find(end).unwrap() + end.len();
    format!("{}{}{}", &text[..open], value, &text[close..])
}
