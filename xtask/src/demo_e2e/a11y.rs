//! Accessibility: axe-core over every state of the form, and the whole form from the
//! keyboard alone.

use std::path::Path;

use super::{wait_signed_in, HOST};
use crate::run::Result;
use crate::tools::axe_script;
use crate::webdriver::Browser;

/// Runs axe-core (WCAG 2.0/2.1 A and AA rules) on the page as it is now; describes each
/// violation with the elements it found.
fn axe(b: &Browser, state: &str) -> Result<Vec<String>> {
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
    if violations.is_empty() {
        Ok(())
    } else {
        Err(violations.join("\n    ").into())
    }
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
    expect_focus("moov-send")?;
    b.keys(&[ENTER])?;
    b.wait_text(HOST, ".moov-success", "created")?;
    Ok(())
}
