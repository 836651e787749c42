//! Accessibility: axe-core over every state of the form and of "Your requests", and both
//! from the keyboard alone.

use std::path::Path;

use super::inbox_page::{
    self as page, file, reply, session, unique, Words, CLOSE, CLOSED_ON, CLOSE_YES, CONFIRMATION,
    EMPTY, HOST, INBOX, LOAD_FAILED, MESSAGES,
};
use super::languages::choose_language;
use super::{verdict, wait_signed_in};
use crate::run::Result;
use crate::tools::axe_script;
use crate::webdriver::Browser;

/// Runs axe-core (WCAG 2.0/2.1 A and AA rules) on the page as it is now; describes each
/// violation with the elements it found.
pub(super) fn axe(b: &Browser, state: &str) -> Result<Vec<String>> {
    let loaded = b.execute(
        "return typeof window.axe === 'object';",
        serde_json::json!([]),
    )?;
    if loaded != serde_json::json!(true) {
        let source = std::fs::read_to_string(axe_script())
            .map_err(|e| format!("{}: {e}", axe_script().display()))?;
        b.execute(&format!("{source}\nreturn true;"), serde_json::json!([]))?;
    }
    let found = b.execute_async(
        "const done = arguments[arguments.length - 1];
         axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })
           .then((r) => done(r.violations.map((v) =>
             `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`)))
           .catch((e) => done([`axe failed: ${e}`]));",
        serde_json::json!([]),
    )?;
    Ok(found
        .as_array()
        .map(|v| {
            v.iter()
                .map(|x| format!("[{state}] {}", x.as_str().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default())
}

/// Scripts the sandbox's next answer, from the page (same origin as the proxy).
fn fault(b: &Browser, json: &str) -> Result<()> {
    b.execute_async(
        "const done = arguments[arguments.length - 1];
         fetch('/api/dev/faults', { method: 'POST', headers: { 'content-type': 'application/json' }, body: arguments[0] })
           .then((r) => done(r.status), (e) => done(String(e)));",
        serde_json::json!([json]),
    )?;
    Ok(())
}

pub(super) fn accessibility(b: &Browser, base: &str, _shots: &Path) -> Result<()> {
    b.goto(base)?;
    wait_signed_in(b)?;
    let mut violations = axe(b, "empty")?;
    b.click(&b.in_shadow(HOST, "button.moov-send")?)?;
    b.wait_text(HOST, "#moov-title-error", "Enter a subject.")?;
    violations.extend(axe(b, "errors shown")?);
    b.type_text(&b.in_shadow(HOST, "#moov-title")?, "Accessible subject")?;
    b.type_text(&b.in_shadow(HOST, "#moov-body")?, "Accessible message")?;
    fault(b, r#"{"delayMs":1500}"#)?;
    b.click(&b.in_shadow(HOST, "button.moov-send")?)?;
    violations.extend(axe(b, "sending")?);
    b.wait_text(HOST, ".moov-success", "created")?;
    b.click(&b.in_shadow(HOST, "button.moov-again")?)?;
    b.type_text(&b.in_shadow(HOST, "#moov-title")?, "Second message")?;
    b.type_text(&b.in_shadow(HOST, "#moov-body")?, "This one fails")?;
    fault(b, r#"{"status":500}"#)?;
    b.click(&b.in_shadow(HOST, "button.moov-send")?)?;
    b.wait_text(HOST, ".moov-failure", "Support is having trouble")?;
    violations.extend(axe(b, "failure")?);
    b.click(&b.in_shadow(HOST, "button.moov-send")?)?;
    b.wait_text(HOST, ".moov-success", "created")?;
    violations.extend(axe(b, "success")?);
    b.click(&b.find("#theme-toggle")?)?;
    violations.extend(axe(b, "success, dark")?);
    b.click(&b.in_shadow(HOST, "button.moov-again")?)?;
    b.click(&b.in_shadow(HOST, "button.moov-send")?)?;
    b.wait_text(HOST, "#moov-title-error", "Enter a subject.")?;
    violations.extend(axe(b, "errors shown, dark")?);
    b.click(&b.in_shadow("moov-support-form[launcher]", "button.moov-launcher")?)?;
    violations.extend(axe(b, "launcher dialog, dark")?);
    verdict(violations)
}

pub(super) fn keyboard_only(b: &Browser, base: &str, _shots: &Path) -> Result<()> {
    const TAB: &str = "\u{E004}";
    const ENTER: &str = "\u{E007}";
    b.goto(base)?;
    wait_signed_in(b)?;
    // Start in the Subject field, as a page's own skip link would.
    b.execute(
        "document.querySelector(arguments[0]).shadowRoot.getElementById('moov-title').focus();",
        serde_json::json!([HOST]),
    )?;
    let expect_focus = |what: &str| -> Result<()> {
        let at = b.focused_in(HOST)?;
        if at.contains(what) {
            Ok(())
        } else {
            Err(format!("focus is on {at:?}, expected {what:?}").into())
        }
    };
    b.keys(&["Sent by keyboard", TAB])?;
    expect_focus("moov-tool-bold")?;
    b.keys(&[TAB])?;
    expect_focus("moov-body")?;
    b.keys(&["Plain and ", "ctrl+b", "bold", "ctrl+b", " text"])?;
    let html = b.execute(
        "return document.querySelector(arguments[0]).shadowRoot.getElementById('moov-body').innerHTML;",
        serde_json::json!([HOST]),
    )?;
    if !html.as_str().unwrap_or_default().contains("<b>bold</b>") {
        return Err(format!("Ctrl+B did not make bold text: {html}").into());
    }
    b.keys(&[TAB])?;
    expect_focus("moov-email")?;
    b.keys(&[TAB])?;
    expect_focus("moov-name")?;
    b.keys(&[TAB])?;
    expect_focus("moov-your-requests")?;
    b.keys(&[TAB])?;
    expect_focus("moov-send")?;
    b.keys(&[ENTER])?;
    b.wait_text(HOST, ".moov-success", "created")?;
    Ok(())
}

/// axe-core over every state of "Your requests" (empty, a list, a request with a reply, the
/// close confirmation, closed, an error), in English and in Arabic, right to left.
pub(super) fn inbox_accessibility(b: &Browser, base: &str, shots: &Path) -> Result<()> {
    let mut violations = Vec::new();
    for language in ["en", "ar"] {
        violations.extend(inbox_states(b, base, shots, language)?);
    }
    verdict(violations)
}

fn inbox_states(b: &Browser, base: &str, shots: &Path, language: &str) -> Result<Vec<String>> {
    let words = Words::of(language)?;
    let state = |name: &str| format!("{language}: {name}");

    // A user who has never written to support.
    let newcomer = session(base, Some(&format!("a11y-new-{language}-{}", unique())))?;
    open_inbox(b, base, language, &newcomer)?;
    b.wait_text(HOST, EMPTY, &words.empty)?;
    let mut violations = axe(b, &state("empty list"))?;

    // A user with a request support has answered.
    let user = session(base, Some(&format!("a11y-{language}-{}", unique())))?;
    let request = file(base, &user, &format!("Statement totals {}", unique()))?;
    let answer = format!("The totals are corrected {}", unique());
    reply(base, &request, &answer)?;
    open_inbox(b, base, language, &user)?;
    page::row(b, HOST, &request)?;
    violations.extend(axe(b, &state("list"))?);
    page::open(b, HOST, &request)?;
    b.wait_text(HOST, MESSAGES, &answer)?;
    violations.extend(axe(b, &state("a request with a reply"))?);
    b.screenshot(&shots.join(format!("inbox-request-{language}.png")))?;
    page::press(b, HOST, CLOSE, &words.close)?;
    b.wait_text(HOST, CONFIRMATION, &words.close_confirm)?;
    violations.extend(axe(b, &state("close confirmation"))?);
    page::press(b, HOST, CLOSE_YES, &words.close_yes)?;
    b.wait_text(HOST, CLOSED_ON, &words.closed_on)?;
    violations.extend(axe(b, &state("closed"))?);

    // A session the proxy refuses: its signature no longer matches its claims.
    let refused = format!("{}AAAA", &user[..user.len() - 4]);
    open_inbox(b, base, language, &refused)?;
    b.wait_text(HOST, LOAD_FAILED, &words.load_failed)?;
    violations.extend(axe(b, &state("list that could not be loaded"))?);
    Ok(violations)
}

/// Opens the demo page in `language`, signed in with `token`, on "Your requests"; checks
/// the inbox's direction follows the language.
fn open_inbox(b: &Browser, base: &str, language: &str, token: &str) -> Result<()> {
    b.goto(base)?;
    wait_signed_in(b)?;
    if language != "en" {
        choose_language(b, language)?;
        wait_language(b, language)?;
    }
    page::sign_in_and_show(b, HOST, token)?;
    b.in_shadow(HOST, INBOX)?;
    let dir = b.execute(
        "const inbox = document.querySelector(arguments[0]).shadowRoot.querySelector(arguments[1]);
         const marked = inbox.closest('[dir]');
         return [marked && marked.getAttribute('dir'), getComputedStyle(inbox).direction];",
        serde_json::json!([HOST, INBOX]),
    )?;
    let expected = if language == "ar" { "rtl" } else { "ltr" };
    if dir != serde_json::json!([expected, expected]) {
        return Err(format!("the inbox in {language}: [dir, direction] = {dir}").into());
    }
    Ok(())
}

/// Waits until the form is drawn in `language` (its `lang` attribute).
fn wait_language(b: &Browser, language: &str) -> Result<()> {
    for _ in 0..100 {
        let lang = b.execute(
            "const r = document.querySelector(arguments[0]).shadowRoot.querySelector('.moov-support');
             return r && r.getAttribute('lang');",
            serde_json::json!([HOST]),
        )?;
        if lang.as_str().is_some_and(|l| l.starts_with(language)) {
            return Ok(());
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    Err(format!("the form was never drawn in {language}").into())
}

/// From the keyboard alone: Tab to "Your requests", open a request, close it.
pub(super) fn inbox_keyboard_only(b: &Browser, base: &str, _shots: &Path) -> Result<()> {
    const ENTER: &str = "\u{E007}";
    let words = Words::english();
    let token = session(base, Some(&format!("keyboard-{}", unique())))?;
    let request = file(base, &token, &format!("Keyboard only {}", unique()))?;
    b.goto(base)?;
    wait_signed_in(b)?;
    b.execute(
        "for (const w of document.querySelectorAll('moov-support-form')) w.sessionToken = arguments[0];
         document.getElementById('theme-toggle').focus();",
        serde_json::json!([token]),
    )?;
    tab_to(b, &words.your_requests, None, false)?;
    b.keys(&[ENTER])?;
    page::row(b, HOST, &request)?;
    tab_to(b, &request.title, None, false)?;
    b.keys(&[ENTER])?;
    b.wait_text(HOST, ".moov-request-title", &request.title)?;
    tab_to(b, &words.close, None, false)?;
    b.keys(&[ENTER])?;
    b.wait_text(HOST, CONFIRMATION, &words.close_confirm)?;
    // Focus starts on the safe answer, "Keep it open"; "Close request" is before it.
    tab_to(b, &words.close_yes, Some(CONFIRMATION), true)?;
    b.keys(&[ENTER])?;
    b.wait_text(HOST, CLOSED_ON, &words.closed_on)?;
    Ok(())
}

/// Presses Tab (Shift+Tab when `backwards`) until the focused control inside the widget
/// reads `label` (and lies inside `within`, when given); fails after 40 presses.
fn tab_to(b: &Browser, label: &str, within: Option<&str>, backwards: bool) -> Result<()> {
    let tab = if backwards {
        "shift+\u{E004}"
    } else {
        "\u{E004}"
    };
    let mut seen = Vec::new();
    for _ in 0..40 {
        let at = b.execute(
            "const root = document.querySelector(arguments[0]).shadowRoot;
             const a = root.activeElement;
             if (!a) return [null, false];
             return [a.textContent.trim(), !arguments[1] || !!a.closest(arguments[1])];",
            serde_json::json!([HOST, within]),
        )?;
        let text = at[0].as_str().unwrap_or_default().to_owned();
        if text.contains(label) && at[1] == serde_json::json!(true) {
            return Ok(());
        }
        seen.push(text);
        b.keys(&[tab])?;
    }
    Err(format!("Tab never reached {label:?}; focus went through {seen:?}").into())
}
