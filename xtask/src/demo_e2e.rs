//! The demo page end to end, as a user meets it: the trunk-built bundle served by the proxy,
//! the proxy talking to the sandbox, headless Chromium typing and clicking.

use std::path::Path;
use std::time::Duration;

use crate::run::{step, Result};
use crate::tools::axe_script;
use crate::webdriver::{profile_dir, Browser, Engine};

mod offline;

const HOST: &str = "moov-support-form";

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

    let checks: [(&str, Check, Needs); 16] = [
        (
            "a reload mid-typing restores the draft",
            reload_restores_draft,
            Needs::WebDriver,
        ),
        (
            "filling the form and pressing Send files a ticket",
            send_files_a_ticket,
            Needs::WebDriver,
        ),
        (
            "Send with the caret still in the message files it without a script error",
            send_from_the_editor,
            Needs::WebDriver,
        ),
        (
            "the bundle adds nothing to window but MoovSupport",
            only_one_global,
            Needs::WebDriver,
        ),
        (
            "under a strict CSP, with hostile page styles, the form looks and works the same",
            strict_csp_and_hostile_styles,
            Needs::WebDriver,
        ),
        (
            "the dark theme toggle restyles the form through --moov-* variables",
            dark_theme,
            Needs::WebDriver,
        ),
        (
            "the floating launcher opens the form in a dialog; Escape closes it",
            launcher_dialog,
            Needs::WebDriver,
        ),
        (
            "axe-core finds no violations: empty, errors, sending, failure, success; light and dark",
            accessibility,
            Needs::WebDriver,
        ),
        (
            "choosing Arabic on the demo page fetches its strings alone and lays the form out right to left",
            arabic,
            Needs::WebDriver,
        ),
        (
            "a browser in Spanish gets its strings from the loader early, then from the cache",
            language_fetched_early,
            Needs::DevTools,
        ),
        (
            "a language whose strings cannot be fetched is drawn in English, left to right",
            language_unavailable,
            Needs::DevTools,
        ),
        (
            "a language whose file stalls keeps the English form, then draws it again in English",
            language_stalled,
            Needs::DevTools,
        ),
        (
            "the whole form works from the keyboard alone",
            keyboard_only,
            Needs::WebDriver,
        ),
        (
            "a sanitizer that never arrives lets Send go after 15 s, the draft kept; the next Send files it",
            sanitizer_stalled,
            Needs::DevTools,
        ),
        (
            "the sanitizer loads on intent, runs in a Web Worker, and cleans what is sent once",
            sanitizer_on_intent,
            Needs::WebDriver,
        ),
        (
            "offline (DevTools emulation), Send waits with a notice; back online, one ticket is filed",
            offline::queued_until_online,
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

fn reload_restores_draft(b: &Browser, base: &str, _shots: &Path) -> Result<()> {
    b.goto(base)?;
    let title = b.in_shadow(HOST, "#moov-title")?;
    b.type_text(&title, "Card declined at checkout")?;
    let body = b.in_shadow(HOST, "#moov-body")?;
    b.type_text(&body, "Half of my mess")?;
    b.reload()?;
    let title = b.in_shadow(HOST, "#moov-title")?;
    let restored = b.value(&title)?;
    if restored != "Card declined at checkout" {
        return Err(format!("subject after reload: {restored:?}").into());
    }
    b.wait_text(HOST, "#moov-body", "Half of my mess")?;
    b.wait_text(HOST, ".moov-notice", "Your unsent message was restored.")?;
    Ok(())
}

fn send_files_a_ticket(b: &Browser, base: &str, shots: &Path) -> Result<()> {
    b.goto(base)?;
    let title = b.in_shadow(HOST, "#moov-title")?;
    // Wait for the session token: it prefills the email.
    let email = b.in_shadow(HOST, "#moov-email")?;
    for _ in 0..50 {
        if !b.value(&email)?.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    b.screenshot(&shots.join("form-empty.png"))?;
    let send = b.in_shadow(HOST, "button.moov-send")?;
    b.click(&send)?;
    b.wait_text(HOST, "#moov-title-error", "Enter a subject.")?;
    b.screenshot(&shots.join("form-errors.png"))?;
    let title = b.in_shadow(HOST, "#moov-title").unwrap_or(title);
    b.type_text(&title, "Payout to my bank account is late")?;
    let body = b.in_shadow(HOST, "#moov-body")?;
    b.type_text(
        &body,
        "Hi! The payout from Monday has not arrived yet.\n\nCould you check <b>what happened</b>?",
    )?;
    let name = b.in_shadow(HOST, "#moov-name")?;
    b.type_text(&name, " ")?;
    b.screenshot(&shots.join("form-filled.png"))?;
    let send = b.in_shadow(HOST, "button.moov-send")?;
    b.click(&send)?;
    let text = b.wait_text(HOST, ".moov-success", "created")?;
    if !text.contains("Ticket #") || !text.contains("Status: new") {
        return Err(format!("confirmation reads {text:?}").into());
    }
    b.screenshot(&shots.join("form-sent.png"))?;
    step(&format!(
        "demo e2e confirmation: {}",
        text.replace('\n', " / ")
    ));
    Ok(())
}

/// A script's Send (or a shortcut) while the message still has focus: the confirmation
/// replaces the editor, which blurs it while its last cleaning is under way.
fn send_from_the_editor(b: &Browser, base: &str, _shots: &Path) -> Result<()> {
    b.goto(base)?;
    wait_signed_in(b)?;
    let outcome = b.execute_async(
        "const done = arguments[arguments.length - 1];
         const errors = [];
         addEventListener('error', e => errors.push(String(e.message)));
         addEventListener('unhandledrejection', e => errors.push(String(e.reason)));
         const sleep = ms => new Promise(r => setTimeout(r, ms));
         const q = s => document.querySelector('#support').shadowRoot.querySelector(s);
         (async () => {
           const title = q('#moov-title');
           title.value = 'Sent from the editor';
           title.dispatchEvent(new Event('input', { bubbles: true }));
           const editor = q('#moov-body');
           editor.focus();
           editor.innerHTML = '<p>Sent with the caret <b>here</b></p>';
           editor.dispatchEvent(new InputEvent('input', { bubbles: true }));
           q('button.moov-send').click();
           for (let i = 0; i < 200 && !q('.moov-success'); i++) await sleep(25);
           if (!q('.moov-success')) return 'no confirmation: ' + q('.moov-root').textContent;
           await sleep(500);
           return errors;
         })().then(done, e => done(String(e)));",
        serde_json::json!([]),
    )?;
    match outcome.as_array() {
        Some(errors) if errors.is_empty() => Ok(()),
        Some(errors) => Err(format!("the page reported errors: {errors:?}").into()),
        None => Err(format!("{outcome}").into()),
    }
}

/// Waits until the session token has prefilled the email, i.e. the demo page finished signing in.
fn wait_signed_in(b: &Browser) -> Result<()> {
    let email = b.in_shadow(HOST, "#moov-email")?;
    for _ in 0..50 {
        if !b.value(&email)?.is_empty() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err("the session token never prefilled the email".into())
}

/// The widget files this page has fetched so far (its Resource Timing entries).
fn fetched(b: &Browser) -> Result<Vec<String>> {
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

fn sanitizer_stalled(b: &Browser, base: &str, _shots: &Path) -> Result<()> {
    // Every file of the sanitizer is held, as on a connection that stalls mid-download.
    b.stall("*moov-support-sanitizer*")?;
    b.goto(base)?;
    wait_signed_in(b)?;
    let title = b.in_shadow(HOST, "#moov-title")?;
    b.type_text(&title, "Statement totals look wrong")?;
    let body = b.in_shadow(HOST, "#moov-body")?;
    b.type_text(
        &body,
        "The October statement adds up to more than its lines.",
    )?;
    let asked = std::time::Instant::now();
    b.click(&b.in_shadow(HOST, "button.moov-send")?)?;
    b.wait_text(HOST, ".moov-failure", "send it again")?;
    let waited = asked.elapsed();
    if waited < Duration::from_secs(14) {
        return Err(format!("Send gave up after {waited:?}, before the sanitizer's time").into());
    }
    let kept = b.value(&b.in_shadow(HOST, "#moov-title")?)?;
    if kept != "Statement totals look wrong" {
        return Err(format!("after the failed send the subject reads {kept:?}").into());
    }
    // The sanitizer can come now; the same Send starts it over and files the ticket.
    b.unstall()?;
    b.click(&b.in_shadow(HOST, "button.moov-send")?)?;
    b.wait_text(HOST, ".moov-success", "created")?;
    Ok(())
}

fn sanitizer_on_intent(b: &Browser, base: &str, _shots: &Path) -> Result<()> {
    const LAUNCHER: &str = "moov-support-form[launcher]";
    let loaded = |b: &Browser| -> Result<bool> {
        Ok(fetched(b)?
            .iter()
            .any(|n| n.contains("moov-support-sanitizer")))
    };
    b.goto(&format!("{base}launcher.html"))?;
    let button = b.in_shadow(LAUNCHER, "button.moov-launcher")?;
    // Longer than the inline form's idle delay: a launcher alone waits for intent.
    std::thread::sleep(Duration::from_millis(2500));
    if loaded(b)? {
        return Err(format!("the sanitizer loaded before any intent: {:?}", fetched(b)?).into());
    }
    b.click(&button)?;
    let title = b.in_shadow(LAUNCHER, "#moov-title")?;
    b.type_text(&title, "Sanitized on the way out")?;
    let body = b.in_shadow(LAUNCHER, "#moov-body")?;
    b.type_text(&body, "Plain words")?;
    // Markup the editor could hold only through a bug: the sanitizer still removes it.
    b.execute(
        "const root = document.querySelector(arguments[0]).shadowRoot;
         const editor = root.querySelector('#moov-body');
         editor.insertAdjacentHTML('beforeend', '<p>more<img src=x onerror=\"window.pwned=1\"></p>');
         editor.dispatchEvent(new InputEvent('input', { bubbles: true }));",
        serde_json::json!([LAUNCHER]),
    )?;
    // Every request to the sanitizer's worker is counted from here on.
    b.execute(
        "window.sanitizerRequests = 0;
         const post = Worker.prototype.postMessage;
         Worker.prototype.postMessage = function (...args) {
           window.sanitizerRequests += 1;
           return post.apply(this, args);
         };",
        serde_json::json!([]),
    )?;
    // Leaving the editor cleans the message in place.
    let email = b.in_shadow(LAUNCHER, "#moov-email")?;
    b.click(&email)?;
    let mut cleaned = false;
    for _ in 0..50 {
        let html = b.execute(
            "return document.querySelector(arguments[0]).shadowRoot
               .querySelector('#moov-body').innerHTML;",
            serde_json::json!([LAUNCHER]),
        )?;
        if html
            .as_str()
            .is_some_and(|h| h.contains("more") && !h.contains("<img"))
        {
            cleaned = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    if !cleaned {
        return Err("leaving the editor did not clean the message in place".into());
    }
    for _ in 0..50 {
        if !b.value(&email)?.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    b.click(&b.in_shadow(LAUNCHER, "button.moov-send")?)?;
    let shown = b.wait_text(LAUNCHER, ".moov-success", "created")?;
    // Send asked for what leaving the editor had already cleaned: no second trip.
    let requests = b.execute("return window.sanitizerRequests;", serde_json::json!([]))?;
    if requests != serde_json::json!(1) {
        return Err(format!(
            "the sanitizer was asked {requests} times for one message; Send should reuse \
             the answer from leaving the editor"
        )
        .into());
    }
    let names = fetched(b)?;
    if !names
        .iter()
        .any(|n| n.ends_with("moov-support-sanitizer_loader.js"))
    {
        return Err(format!("no sanitizer worker was started: {names:?}").into());
    }
    // The wasm was fetched by the worker, so it is not in the page's own timeline.
    if names
        .iter()
        .any(|n| n.ends_with("moov-support-sanitizer_bg.wasm"))
    {
        return Err("the sanitizer ran on the main thread, not in a worker".into());
    }
    let pwned = b.execute("return window.pwned === 1;", serde_json::json!([]))?;
    if pwned != serde_json::json!(false) {
        return Err("an event handler from the message ran".into());
    }
    // What was filed is what the policy allows.
    let number = shown
        .split('#')
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .ok_or_else(|| format!("no ticket number in {shown:?}"))?
        .to_owned();
    let body = b.execute_async(
        "const done = arguments[arguments.length - 1];
         (async () => {
           const s = await (await fetch('/api/dev/session')).json();
           const auth = { headers: { authorization: 'Bearer ' + s.token } };
           const list = await (await fetch('/api/support/tickets', auth)).json();
           const ticket = list.items.find(t => String(t.number) === arguments[0]);
           if (!ticket) return 'no ticket #' + arguments[0];
           const url = '/api/support/tickets/' + ticket.ticketID + '/messages';
           return (await fetch(url, auth)).json();
         })().then(done, e => done(String(e)));",
        serde_json::json!([number]),
    )?;
    let text = body.to_string();
    if text.contains("onerror") || text.contains("<img") {
        return Err(format!("ticket #{number} was filed with active markup: {text}").into());
    }
    if !text.contains("more") {
        return Err(format!("ticket #{number}'s message is not what was typed: {text}").into());
    }
    Ok(())
}

fn only_one_global(b: &Browser, base: &str, _shots: &Path) -> Result<()> {
    b.goto(base)?;
    b.in_shadow(HOST, "button.moov-send")?;
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

fn strict_csp_and_hostile_styles(b: &Browser, base: &str, _shots: &Path) -> Result<()> {
    b.goto(&format!("{base}csp.html"))?;
    wait_signed_in(b)?;
    let look = b.execute(
        r##"const root = document.querySelector("moov-support-form").shadowRoot;
           const style = (sel) => getComputedStyle(root.querySelector(sel));
           return {
             inputDisplay: style("#moov-title").display,
             inputFontSize: style("#moov-title").fontSize,
             labelColor: style("label").color,
             labelVisibility: style("label").visibility,
             buttonDisplay: style("button.moov-send").display,
             fieldDisplay: style(".moov-field").display,
           };"##,
        serde_json::json!([]),
    )?;
    let expect = |key: &str, ok: &dyn Fn(&str) -> bool| -> Result<()> {
        let v = look[key].as_str().unwrap_or_default();
        if ok(v) {
            Ok(())
        } else {
            Err(format!("{key} inside the widget is {v:?}; the page's CSS reached it").into())
        }
    };
    expect("inputDisplay", &|v| v != "none")?;
    expect("inputFontSize", &|v| v == "16px")?;
    expect("labelColor", &|v| v != "rgb(255, 0, 0)")?;
    expect("labelVisibility", &|v| v == "visible")?;
    expect("buttonDisplay", &|v| v != "none")?;
    expect("fieldDisplay", &|v| v == "grid")?;

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

/// The computed `property` of `selector` inside the widget.
fn style_in_widget(b: &Browser, selector: &str, property: &str) -> Result<String> {
    let v = b.execute(
        "const root = document.querySelector(arguments[0]).shadowRoot;
         return getComputedStyle(root.querySelector(arguments[1])).getPropertyValue(arguments[2]);",
        serde_json::json!([HOST, selector, property]),
    )?;
    Ok(v.as_str().unwrap_or_default().to_owned())
}

fn dark_theme(b: &Browser, base: &str, shots: &Path) -> Result<()> {
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

fn launcher_dialog(b: &Browser, base: &str, shots: &Path) -> Result<()> {
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

fn accessibility(b: &Browser, base: &str, _shots: &Path) -> Result<()> {
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

fn arabic(b: &Browser, base: &str, shots: &Path) -> Result<()> {
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
fn choose_language(b: &Browser, tag: &str) -> Result<()> {
    b.execute(
        "const select = document.getElementById('locale-select');
         select.value = arguments[0];
         select.dispatchEvent(new Event('change'));",
        serde_json::json!([tag]),
    )?;
    Ok(())
}

fn language_fetched_early(b: &Browser, base: &str, _shots: &Path) -> Result<()> {
    b.emulate_language("es-ES")?;
    b.goto(base)?;
    b.wait_text(HOST, "button.moov-send", "Enviar")?;
    // The loader asks for the page's language as it starts, while the widget's own files are
    // still on their way; the widget asks again when it draws the form, and the browser
    // answers that from its cache. Timing the two against the widget's scripts would race
    // the release build's preloads; counting them and where the body came from does not.
    let requests = b.execute(
        "return performance.getEntriesByType('resource')
           .filter(r => r.name.endsWith('/locales/es.json'))
           .map(r => ({ body: r.encodedBodySize, network: r.transferSize }));",
        serde_json::json!([]),
    )?;
    let requests = requests.as_array().cloned().unwrap_or_default();
    let bytes = |r: &serde_json::Value, key: &str| r[key].as_u64().unwrap_or(0);
    match requests.as_slice() {
        [_loader, widget] if bytes(widget, "network") < bytes(widget, "body") => Ok(()),
        [_, widget] => Err(format!(
            "the widget's request for locales/es.json moved {} bytes for a {}-byte body: \
             the loader's answer was not kept",
            bytes(widget, "network"),
            bytes(widget, "body")
        )
        .into()),
        [_] => {
            Err("locales/es.json was requested once, by the widget: the loader did not ask".into())
        }
        other => Err(format!("{} requests for locales/es.json, not 2", other.len()).into()),
    }
}

fn language_unavailable(b: &Browser, base: &str, _shots: &Path) -> Result<()> {
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

fn language_stalled(b: &Browser, base: &str, _shots: &Path) -> Result<()> {
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

fn keyboard_only(b: &Browser, base: &str, _shots: &Path) -> Result<()> {
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
