//! The demo page end to end, as a user meets it: the trunk-built bundle served by the proxy,
//! the proxy talking to the sandbox, headless Chromium typing and clicking.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::run::{step, Result};
use crate::webdriver::{profile_dir, Browser, Engine};

mod a11y;
mod embedding;
mod filed;
mod handoff;
mod inbox;
mod inbox_lazy;
pub(crate) mod inbox_page;
mod languages;
mod offline;
mod sanitizer;
mod sending;
mod shell;
mod shell_markup;

/// The inline form on the demo's Help page.
pub(crate) const HOST: &str = "moov-support-form";

/// One end-to-end check; returns an error describing what the user would have seen.
type Check = fn(&Browser, &str, &Path) -> Result<()>;

/// What a check needs from the browser.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Needs {
    /// Plain WebDriver: runs in every browser.
    WebDriver,
    /// Chromium's DevTools (network emulation, held requests, another language): Chromium only.
    DevTools,
}

/// Runs every check `engine` can run against `base_url` (or those whose name contains
/// `only`) and returns (passed, failed).
pub fn run(
    base_url: &str,
    shots: &Path,
    only: Option<&str>,
    engine: Engine,
) -> Result<(usize, usize)> {
    let (_driver, driver_addr) = engine.start_driver()?;
    step(&format!("end-to-end checks in headless {}", engine.name()));

    let checks: [(&str, Check, Needs); 30] = [
        (
            "a reload mid-typing restores the draft",
            sending::reload_restores_draft,
            Needs::WebDriver,
        ),
        (
            "filling the form and pressing Send files a ticket",
            sending::send_files_a_ticket,
            Needs::WebDriver,
        ),
        (
            "Send with the caret still in the message files it without a script error",
            sending::send_from_the_editor,
            Needs::WebDriver,
        ),
        (
            "the bundle adds nothing to window but MoovSupport",
            embedding::only_one_global,
            Needs::WebDriver,
        ),
        (
            "under a strict CSP, with hostile page styles, the form looks and works the same",
            embedding::strict_csp_and_hostile_styles,
            Needs::WebDriver,
        ),
        (
            "the dark theme toggle restyles the form through --moov-* variables",
            embedding::dark_theme,
            Needs::WebDriver,
        ),
        (
            "the floating launcher opens the form in a dialog; Escape closes it",
            embedding::launcher_dialog,
            Needs::WebDriver,
        ),
        (
            "axe-core finds no violations: empty, errors, sending, failure, success; light and dark",
            a11y::accessibility,
            Needs::WebDriver,
        ),
        (
            "choosing Arabic on the demo page fetches its strings alone and lays the form out right to left",
            languages::arabic,
            Needs::WebDriver,
        ),
        (
            "a browser in Spanish gets its strings from the loader early; the widget reuses them, no second request",
            languages::language_fetched_early,
            Needs::DevTools,
        ),
        (
            "a language whose strings cannot be fetched is drawn in English, left to right",
            languages::language_unavailable,
            Needs::DevTools,
        ),
        (
            "a language whose file stalls keeps the English form, then draws it again in English",
            languages::language_stalled,
            Needs::DevTools,
        ),
        (
            "the whole form works from the keyboard alone",
            a11y::keyboard_only,
            Needs::WebDriver,
        ),
        (
            "a sanitizer that never arrives lets Send go after 15 s, the draft kept; the next Send files it",
            sanitizer::sanitizer_stalled,
            Needs::DevTools,
        ),
        (
            "the sanitizer loads on intent, runs in a Web Worker, and cleans what is sent once",
            sanitizer::sanitizer_on_intent,
            Needs::WebDriver,
        ),
        (
            "offline (DevTools emulation), Send waits with a notice; back online, one ticket is filed",
            offline::queued_until_online,
            Needs::DevTools,
        ),
        (
            "inbox: its module stalls: the form stays usable, the failure is said with a retry that opens it",
            inbox_lazy::inbox_stalled,
            Needs::DevTools,
        ),
        (
            "inbox: a request filed in the form gets the agent's reply live, an unread mark and badge, and is closed",
            inbox::reply_arrives_live,
            Needs::WebDriver,
        ),
        (
            "inbox: axe-core finds no violations: empty, list, a reply, closing, closed, an error; English and Arabic (right to left)",
            a11y::inbox_accessibility,
            Needs::WebDriver,
        ),
        (
            "inbox: from the keyboard alone, reach Your requests, open a request and close it",
            a11y::inbox_keyboard_only,
            Needs::WebDriver,
        ),
        (
            "shell: drawn while the wasm is held, its markup and styles equal the Rust form's (inline and launcher)",
            shell_markup::markup_equals_rust,
            Needs::WebDriver,
        ),
        (
            "shell: typing, a paste as plain text and focus before the wasm; the draft under the Rust key; all kept across the handoff",
            handoff::typing_paste_focus,
            Needs::WebDriver,
        ),
        (
            "shell: Send pressed before the wasm says Sending…, then the Rust form files exactly what was typed",
            handoff::send_while_held,
            Needs::WebDriver,
        ),
        (
            "shell: typing the subject at 10 keys/s through the handoff loses and doubles nothing; the ticket holds it",
            handoff::typing_through_title,
            Needs::WebDriver,
        ),
        (
            "shell: typing the message at 10 keys/s through the handoff loses and doubles nothing; the ticket holds it",
            handoff::typing_through_message,
            Needs::WebDriver,
        ),
        (
            "shell: no layout shift, no moved element and no flash across the handoff",
            shell::no_layout_shift,
            Needs::WebDriver,
        ),
        (
            "shell: a wasm that never arrives: after ~10 s the form says so, Send does not pretend, the draft stays",
            shell::wasm_never_arrives,
            Needs::WebDriver,
        ),
        (
            "shell: the launcher opens its dialog before the wasm, focus in the subject; typing goes on through the handoff",
            shell::launcher_before_wasm,
            Needs::WebDriver,
        ),
        (
            "shell: axe-core finds no violations: empty, Send waiting, launcher dialog open",
            shell::shell_accessibility,
            Needs::WebDriver,
        ),
        (
            "shell: the demo under a slow mobile network: typing through the handoff, the ticket holds exactly what was typed",
            handoff::throttled_demo,
            Needs::DevTools,
        ),
    ];
    let (mut passed, mut failed) = (0, 0);
    for (i, (name, check, needs)) in checks.into_iter().enumerate() {
        if only.is_some_and(|text| !name.contains(text)) {
            continue;
        }
        if needs == Needs::DevTools && engine != Engine::Chromium {
            println!("test demo e2e: {name} ... not run (needs Chromium's DevTools)");
            continue;
        }
        let profile = profile_dir(&format!("e2e-{i}"))?;
        let browser = Browser::open_engine(&driver_addr, engine, &profile)?;
        let result = check(&browser, base_url, shots);
        let _ = browser.close();
        let _ = std::fs::remove_dir_all(&profile);
        match result {
            Ok(()) => {
                passed += 1;
                println!("test demo e2e: {name} ... ok");
            }
            Err(e) => {
                failed += 1;
                println!("test demo e2e: {name} ... FAILED\n    {e}");
            }
        }
    }
    Ok((passed, failed))
}

/// Waits until the widget's own form has taken over every form on the page. The loader draws
/// a static copy first (`.moov-root[data-static]`), which the Rust form replaces when the wasm
/// starts: an element found in the copy is gone after that ("stale element reference"), and
/// what a check means is the widget's form. Every check of the widget's form starts here
/// (through [`wait_signed_in`] on the demo's pages); the shell's checks hold the wasm instead.
pub(crate) fn wait_widget(b: &Browser) -> Result<()> {
    // Generous: a debug build's wasm compiles for seconds, in Firefox longer.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let waiting = b.execute(
            "const hosts = [...document.querySelectorAll(arguments[0])];
             if (!hosts.length) return ['no form on the page'];
             return hosts.filter((host) => {
               const root = host.shadowRoot;
               return !root || !root.querySelector('.moov-root') || root.querySelector('.moov-root[data-static]');
             }).map((host) => host.id || host.outerHTML.slice(0, 80));",
            serde_json::json!([HOST]),
        )?;
        match waiting.as_array() {
            Some(hosts) if hosts.is_empty() => return Ok(()),
            _ if Instant::now() > deadline => {
                return Err(format!(
                    "the widget's form never took over from the static one in {waiting}"
                )
                .into())
            }
            _ => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// Waits until the widget's form is on the page ([`wait_widget`]) and the session token has
/// prefilled its email, i.e. the demo page finished signing in.
pub(crate) fn wait_signed_in(b: &Browser) -> Result<()> {
    wait_widget(b)?;
    wait_email_prefilled(b)
}

/// Waits until the session token has prefilled the email of the form shown now: the static
/// one, while a shell check holds the wasm.
pub(crate) fn wait_email_prefilled(b: &Browser) -> Result<()> {
    let email = b.in_shadow(HOST, "#moov-email")?;
    for _ in 0..50 {
        if !b.value(&email)?.is_empty() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err("the session token never prefilled the email".into())
}

/// The files this page has fetched so far (its Resource Timing entries).
pub(crate) fn fetched(b: &Browser) -> Result<Vec<String>> {
    let names = b.execute(
        "return performance.getEntriesByType('resource').map(e => e.name);",
        serde_json::json!([]),
    )?;
    Ok(names
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|n| n.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default())
}

/// The computed `property` of `selector` inside the widget.
fn style_in_widget(b: &Browser, selector: &str, property: &str) -> Result<String> {
    let v = b.execute(
        "const root = document.querySelector(arguments[0]).shadowRoot;
         return getComputedStyle(root.querySelector(arguments[1])).getPropertyValue(arguments[2]);",
        serde_json::json!([HOST, selector, property]),
    )?;
    Ok(v.as_str().unwrap_or_default().to_owned())
}

/// Every problem a check found, one per line, or none.
pub(crate) fn verdict(problems: Vec<String>) -> Result<()> {
    match problems.is_empty() {
        true => Ok(()),
        false => Err(problems.join("\n    ").into()),
    }
}
