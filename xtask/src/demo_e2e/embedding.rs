//! The form on a partner's page: one global, a strict CSP and hostile page styles, the dark
//! theme through `--moov-*` variables, and the floating launcher's dialog.

use std::path::Path;

use super::{style_in_widget, wait_signed_in, wait_widget, HOST};
use crate::run::Result;
use crate::webdriver::Browser;

pub(super) fn only_one_global(b: &Browser, base: &str, _shots: &Path) -> Result<()> {
    b.goto(base)?;
    // The bundle has run: its form took over from the loader's.
    wait_widget(b)?;
    // What this page's window has beyond a fresh one's.
    let added = b.execute(
        r#"const frame = document.createElement("iframe");
           document.body.append(frame);
           const fresh = new Set(Object.getOwnPropertyNames(frame.contentWindow));
           frame.remove();
           // chromedriver's own helpers for running scripts and finding elements.
           const driver = new Set(["se_exportedFunctionSymbol", "ret_nodes"]);
           return Object.getOwnPropertyNames(window).filter((k) => !fresh.has(k) && !driver.has(k));"#,
        serde_json::json!([]),
    )?;
    if added != serde_json::json!(["MoovSupport"]) {
        return Err(format!("globals added by the page: {added}").into());
    }
    Ok(())
}

/// The page's hostile styles have not reached the form shown now in the page's host, the
/// loader's static copy or the widget's own.
fn untouched_by_page_styles(b: &Browser) -> Result<()> {
    let look = b.execute(
        r##"const root = document.querySelector(arguments[0]).shadowRoot;
           const style = (sel) => getComputedStyle(root.querySelector(sel));
           return {
             static: !!root.querySelector(".moov-root[data-static]"),
             inputDisplay: style("#moov-title").display,
             inputFontSize: style("#moov-title").fontSize,
             labelColor: style("label").color,
             labelVisibility: style("label").visibility,
             buttonDisplay: style("button.moov-send").display,
             fieldDisplay: style(".moov-field").display,
           };"##,
        serde_json::json!([HOST]),
    )?;
    let which = match look["static"] == serde_json::json!(true) {
        true => "the static form",
        false => "the widget",
    };
    let expect = |key: &str, ok: &dyn Fn(&str) -> bool| -> Result<()> {
        let v = look[key].as_str().unwrap_or_default();
        if ok(v) {
            Ok(())
        } else {
            Err(format!("{key} inside {which} is {v:?}; the page's CSS reached it").into())
        }
    };
    expect("inputDisplay", &|v| v != "none")?;
    expect("inputFontSize", &|v| v == "16px")?;
    expect("labelColor", &|v| v != "rgb(255, 0, 0)")?;
    expect("labelVisibility", &|v| v == "visible")?;
    expect("buttonDisplay", &|v| v != "none")?;
    expect("fieldDisplay", &|v| v == "grid")
}

pub(super) fn strict_csp_and_hostile_styles(b: &Browser, base: &str, _shots: &Path) -> Result<()> {
    b.goto(&format!("{base}csp.html"))?;
    // The first form the user sees: the loader's static copy while the wasm is on its way
    // (when it still is), then the widget's own.
    b.in_shadow(HOST, "#moov-title")?;
    untouched_by_page_styles(b)?;
    wait_signed_in(b)?;
    untouched_by_page_styles(b)?;

    let title = b.in_shadow(HOST, "#moov-title")?;
    b.type_text(&title, "Sent from a strict page")?;
    let body = b.in_shadow(HOST, "#moov-body")?;
    b.type_text(&body, "CSP: default-src 'self'")?;
    b.click(&b.in_shadow(HOST, "button.moov-send")?)?;
    b.wait_text(HOST, ".moov-success", "created")?;
    let violations = b.execute(
        "return document.getElementById('violations').textContent;",
        serde_json::json!([]),
    )?;
    if violations.as_str().is_some_and(|v| !v.trim().is_empty()) {
        return Err(format!("CSP violations: {violations}").into());
    }
    Ok(())
}

pub(super) fn dark_theme(b: &Browser, base: &str, shots: &Path) -> Result<()> {
    b.goto(base)?;
    wait_signed_in(b)?;
    let light = style_in_widget(b, ".moov-support", "background-color")?;
    if light != "rgb(255, 255, 255)" {
        return Err(format!("light background is {light}").into());
    }
    let toggle = b.find("#theme-toggle")?;
    b.click(&toggle)?;
    let dark = style_in_widget(b, ".moov-support", "background-color")?;
    let send = style_in_widget(b, "button.moov-send", "background-color")?;
    if dark != "rgb(17, 24, 39)" || send != "rgb(122, 167, 255)" {
        return Err(format!("dark theme: background {dark}, Send button {send}").into());
    }
    b.screenshot(&shots.join("form-dark.png"))?;
    Ok(())
}

pub(super) fn launcher_dialog(b: &Browser, base: &str, shots: &Path) -> Result<()> {
    const LAUNCHER: &str = "moov-support-form[launcher]";
    b.goto(base)?;
    wait_signed_in(b)?;
    b.click(&b.in_shadow(LAUNCHER, "button.moov-launcher")?)?;
    let title = b.in_shadow(LAUNCHER, "#moov-title")?;
    b.type_text(&title, "From the floating button")?;
    b.screenshot(&shots.join("launcher-open.png"))?;
    // Real key presses: Escape closes the dialog and focus goes back to the button.
    b.type_text(&title, "\u{E00C}")?;
    let state = b.execute(
        "const root = document.querySelector(arguments[0]).shadowRoot;
         return [root.querySelector('dialog').open, root.activeElement && root.activeElement.className];",
        serde_json::json!([LAUNCHER]),
    )?;
    if state != serde_json::json!([false, "moov-launcher"]) {
        return Err(format!("after Escape: [dialog open, focused] = {state}").into());
    }
    // The inline form on the same page did not receive what was typed.
    let inline = b.value(&b.in_shadow(HOST, "#moov-title")?)?;
    if !inline.is_empty() {
        return Err(format!("the other instance shows {inline:?}").into());
    }
    Ok(())
}
