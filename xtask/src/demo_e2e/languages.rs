//! Languages: Arabic right to left, strings fetched early by the loader and reused by the
//! widget, and a language whose strings fail or stall drawn in English.

use std::path::Path;
use std::time::Duration;

use super::shell::{open_held, release, taken_over};
use super::{fetched, style_in_widget, wait_signed_in, HOST};
use crate::run::Result;
use crate::webdriver::Browser;

pub(super) fn arabic(b: &Browser, base: &str, shots: &Path) -> Result<()> {
    let languages = |b: &Browser| -> Result<Vec<String>> {
        Ok(fetched(b)?
            .into_iter()
            .filter(|n| n.contains("/locales/"))
            .collect())
    };
    b.goto(base)?;
    wait_signed_in(b)?;
    // English is built in: the browser speaks it, so no language file is fetched.
    if !languages(b)?.is_empty() {
        return Err(format!("an English page fetched {:?}", languages(b)?).into());
    }
    choose_language(b, "ar")?;
    b.wait_text(HOST, "button.moov-send", "إرسال")?;
    let dir = style_in_widget(b, ".moov-support", "direction")?;
    if dir != "rtl" {
        return Err(format!("direction in Arabic: {dir}").into());
    }
    let label = b.text(&b.in_shadow(HOST, "label[for=moov-title]")?)?;
    if label != "الموضوع" {
        return Err(format!("subject label in Arabic: {label:?}").into());
    }
    b.screenshot(&shots.join("form-arabic.png"))?;
    let fetched = languages(b)?;
    if fetched.len() != 1 || !fetched[0].ends_with("/locales/ar.json") {
        return Err(
            format!("choosing Arabic fetched {fetched:?}, not locales/ar.json alone").into(),
        );
    }
    Ok(())
}

/// Picks a language in the demo page's own language menu, as its user would.
pub(super) fn choose_language(b: &Browser, tag: &str) -> Result<()> {
    b.execute(
        "const select = document.getElementById('locale-select');
         select.value = arguments[0];
         select.dispatchEvent(new Event('change'));",
        serde_json::json!([tag]),
    )?;
    Ok(())
}

pub(super) fn language_fetched_early(b: &Browser, base: &str, _shots: &Path) -> Result<()> {
    b.emulate_language("es-ES")?;
    // The test page holds the widget's wasm: until it is let through, only the loader can
    // have asked for the strings its static form is drawn in.
    open_held(b, base)?;
    let shell = b.text(&b.in_shadow(HOST, "button.moov-send")?)?;
    let early = spanish_requests(b)?;
    if shell != "Enviar" || early.len() != 1 {
        return Err(format!(
            "while the wasm was held the static form's Send read {shell:?}, with {} requests \
             for locales/es.json: the loader did not draw it in Spanish",
            early.len()
        )
        .into());
    }
    // The widget draws its form in Spanish with the loader's strings (`fetchJson` takes them
    // from the element's class): no second request, not even one the HTTP cache answers.
    release(b)?;
    for id in ["support", "support-launcher"] {
        taken_over(b, id)?;
    }
    b.wait_text(HOST, "button.moov-send", "Enviar")?;
    let all = spanish_requests(b)?;
    if all.len() != 1 {
        return Err(format!(
            "{} requests for locales/es.json ({all:?}): the widget asked again for the strings \
             the loader had",
            all.len()
        )
        .into());
    }
    Ok(())
}

/// The page's requests for `locales/es.json`: `[bytes over the network, body bytes]` each.
fn spanish_requests(b: &Browser) -> Result<Vec<serde_json::Value>> {
    let requests = b.execute(
        "return performance.getEntriesByType('resource')
           .filter(r => r.name.endsWith('/locales/es.json'))
           .map(r => [r.transferSize, r.encodedBodySize]);",
        serde_json::json!([]),
    )?;
    Ok(requests.as_array().cloned().unwrap_or_default())
}

pub(super) fn language_unavailable(b: &Browser, base: &str, _shots: &Path) -> Result<()> {
    b.goto(base)?;
    wait_signed_in(b)?;
    // Offline, Arabic's file cannot come; the form is drawn in English, and laid out and
    // labelled as English, not right to left.
    let drawn = ready_marks(b)?;
    b.set_offline(true)?;
    choose_language(b, "ar")?;
    let redrawn = wait_for_ready_marks(b, drawn + 1, Duration::from_secs(10));
    b.set_offline(false)?;
    redrawn?;
    expect_english(b)
}

pub(super) fn language_stalled(b: &Browser, base: &str, _shots: &Path) -> Result<()> {
    b.goto(base)?;
    wait_signed_in(b)?;
    let drawn = ready_marks(b)?;
    b.stall("*/locales/ja.json")?;
    let asked = std::time::Instant::now();
    choose_language(b, "ja")?;
    // While Japanese is on its way, the English form stays on the page.
    std::thread::sleep(Duration::from_millis(500));
    let send = b.text(&b.in_shadow(HOST, "button.moov-send")?)?;
    let marks = ready_marks(b)?;
    if send != "Send" || marks != drawn {
        return Err(format!(
            "while Japanese was on its way the form read {send:?} and was drawn {} more times",
            marks - drawn
        )
        .into());
    }
    wait_for_ready_marks(b, drawn + 1, Duration::from_secs(15))?;
    let waited = asked.elapsed();
    if waited < Duration::from_secs(4) {
        return Err(
            format!("the form was drawn again after {waited:?}, with its file held").into(),
        );
    }
    expect_english(b)
}

/// How many times a form has been drawn on the page (`moov-support:ready` marks).
fn ready_marks(b: &Browser) -> Result<u64> {
    let n = b.execute(
        "return performance.getEntriesByName('moov-support:ready').length;",
        serde_json::json!([]),
    )?;
    n.as_u64().ok_or_else(|| format!("not a count: {n}").into())
}

fn wait_for_ready_marks(b: &Browser, count: u64, limit: Duration) -> Result<()> {
    let started = std::time::Instant::now();
    while ready_marks(b)? < count {
        if started.elapsed() > limit {
            return Err(format!("the form was not drawn again within {limit:?}").into());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}

/// The form speaks English and says so: English text, `lang="en"`, left to right.
fn expect_english(b: &Browser) -> Result<()> {
    let label = b.text(&b.in_shadow(HOST, "label[for=moov-title]")?)?;
    let send = b.text(&b.in_shadow(HOST, "button.moov-send")?)?;
    let root = b.execute(
        "const r = document.querySelector(arguments[0]).shadowRoot.querySelector('.moov-support');
         return [r.getAttribute('lang'), r.getAttribute('dir'), getComputedStyle(r).direction];",
        serde_json::json!([HOST]),
    )?;
    if label != "Subject" || send != "Send" {
        return Err(format!("without its language the form reads {label:?} / {send:?}").into());
    }
    if root != serde_json::json!(["en", "ltr", "ltr"]) {
        return Err(format!("English text with lang, dir, direction = {root}").into());
    }
    Ok(())
}
