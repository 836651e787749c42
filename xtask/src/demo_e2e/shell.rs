//! The loader's static form (the shell) and the Rust form taking it over, on the test page
//! `handoff.html`, whose `handoff.js` holds the form's wasm until a check lets it through
//! (the same in Chromium and Firefox): what the checks share, no layout shift or flash across
//! the handoff, a wasm that never arrives, the launcher before the wasm, and axe-core over the
//! shell. The markup's comparison is in `shell_markup.rs`, typing and sending through the
//! handoff in `handoff.rs`.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::a11y::axe;
use super::{verdict, wait_email_prefilled, HOST};
use crate::run::Result;
use crate::webdriver::Browser;

/// The test page, beside the demo's.
const PAGE: &str = "handoff.html";
/// The floating button's instance on the same page (`id="support-launcher"`).
pub(super) const LAUNCHER: &str = "moov-support-form[launcher]";
/// The shell's root in a host's shadow root; the Rust form's root has no `data-static`.
pub(super) const STATIC: &str = ".moov-root[data-static]";
/// The English the shell and the Rust form say (`SHELL.en`).
pub(super) const SENDING: &str = "Sending…";
const LOAD_FAILED: &str = "The form could not load.";

/// Opens the test page, its wasm held; waits for both forms' shells and watches, from now
/// on, when each is taken over (`window.takenOver[id]`, the page's clock) and whether a
/// shadow root is ever seen without a form (`window.flashes`).
pub(super) fn open_held(b: &Browser, base: &str) -> Result<()> {
    b.goto(&format!("{base}{PAGE}"))?;
    for host in [HOST, LAUNCHER] {
        b.in_shadow(host, STATIC)
            .map_err(|e| format!("no static form was drawn while the wasm is held: {e}"))?;
    }
    let state = b.execute(
        "if (!window.moovWasm) return 'handoff.js did not run';
         window.takenOver = {};
         window.flashes = [];
         for (const host of document.querySelectorAll('moov-support-form')) {
           const root = host.shadowRoot;
           const done = () => root.querySelector('.moov-root') && !root.querySelector('[data-static]');
           new MutationObserver((_, observer) => {
             if (!root.querySelector('.moov-root')) window.flashes.push(host.id);
             if (done()) { window.takenOver[host.id] = performance.now(); observer.disconnect(); }
           }).observe(root, { childList: true });
         }
         return [window.moovWasm.requested, performance.getEntriesByName('moov-support:ready').length];",
        json!([]),
    )?;
    match (state[0].as_u64(), state[1].as_u64()) {
        (Some(asked), Some(0)) if asked >= 1 => Ok(()),
        (Some(0), _) => Err("the loader never asked for the wasm".into()),
        _ => Err(format!("before the wasm was let through: {state}").into()),
    }
}

/// Lets the held wasm through; returns when it was (the page's clock).
pub(super) fn release(b: &Browser) -> Result<f64> {
    let at = b.execute(
        "window.moovReleaseWasm(); return window.moovWasm.releasedAt;",
        json!([]),
    )?;
    at.as_f64()
        .ok_or_else(|| "the wasm could not be let through".into())
}

/// When the Rust form took over the host with `id` (the page's clock), waiting up to 30 s.
pub(super) fn taken_over(b: &Browser, id: &str) -> Result<f64> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let at = b.execute("return window.takenOver[arguments[0]];", json!([id]))?;
        if let Some(at) = at.as_f64() {
            return Ok(at);
        }
        if Instant::now() > deadline {
            return Err(format!("the Rust form never took over #{id}'s static form").into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Every element's box in `host`'s form, in document order, and the host's and the
/// paragraph's below it: what the user sees move, if anything does.
const BOXES: &str = "const root = document.querySelector(arguments[0]).shadowRoot;
   const top = root.querySelector('.moov-root');
   const box = (e) => { const r = e.getBoundingClientRect(); return [r.x, r.y, r.width, r.height].map((v) => Math.round(v * 10) / 10); };
   return {
     page: [box(document.querySelector(arguments[0])), box(document.getElementById('below'))],
     // The form's own elements (not the message's): name, box, and a leaf's text.
     form: [...top.querySelectorAll('*')].filter((e) => !e.parentElement.closest('#moov-body'))
       .map((e) => [e.localName + (e.id ? '#' + e.id : '') + (e.classList[0] ? '.' + e.classList[0] : ''),
                    box(e), e.children.length ? null : e.textContent]),
     scroll: [scrollX, scrollY, root.getElementById('moov-body').scrollTop],
   };";

pub(super) fn no_layout_shift(b: &Browser, base: &str, _shots: &Path) -> Result<()> {
    open_held(b, base)?;
    wait_email_prefilled(b)?;
    b.type_text(&b.in_shadow(HOST, "#moov-title")?, "Nothing moves")?;
    b.type_text(
        &b.in_shadow(HOST, "#moov-body")?,
        "Not the fields, not the page below.",
    )?;
    let observing = b.execute(
        "window.shifts = [];
         const supported = (PerformanceObserver.supportedEntryTypes || []).includes('layout-shift');
         if (supported) new PerformanceObserver((list) => window.shifts.push(...list.getEntries()
             .map((e) => ({ at: e.startTime, value: e.value, input: e.hadRecentInput }))))
           .observe({ type: 'layout-shift', buffered: true });
         return supported;",
        json!([]),
    )?;
    let before = b.execute(BOXES, json!([HOST]))?;
    let released = release(b)?;
    taken_over(b, "support")?;
    // Whatever the Rust form does in its first moments counts too.
    std::thread::sleep(Duration::from_millis(1000));
    let after = b.execute(BOXES, json!([HOST]))?;
    let mut problems = Vec::new();
    if before["page"] != after["page"] {
        problems.push(format!(
            "the form or the page below moved: [form, paragraph below] {} → {}",
            before["page"], after["page"]
        ));
    }
    if before["scroll"] != after["scroll"] {
        problems.push(format!(
            "scroll [page x, page y, message] {} → {}",
            before["scroll"], after["scroll"]
        ));
    }
    let (old, new) = (
        before["form"].as_array().cloned().unwrap_or_default(),
        after["form"].as_array().cloned().unwrap_or_default(),
    );
    if old.len() != new.len() {
        problems.push(format!(
            "{} elements in the shell, {} in the Rust form",
            old.len(),
            new.len()
        ));
    }
    // What grew or shrank says why, better than the many elements it pushed.
    let resized = old
        .iter()
        .zip(&new)
        .find(|(o, n)| o[2].is_string() && (o[1][2] != n[1][2] || o[1][3] != n[1][3]));
    if let Some((o, n)) = resized.or_else(|| {
        old.iter()
            .zip(&new)
            .find(|(o, n)| o[0] != n[0] || o[1] != n[1])
    }) {
        problems.push(format!("first element that changed: {o} → {n}"));
    }
    let shifts = b.execute("return window.shifts;", json!([]))?;
    if observing == json!(true) {
        let across: f64 = shifts
            .as_array()
            .into_iter()
            .flatten()
            .filter(|s| s["at"].as_f64().unwrap_or(0.0) >= released)
            .map(|s| s["value"].as_f64().unwrap_or(0.0))
            .sum();
        if across > 0.0 {
            problems.push(format!(
                "layout shift across the handoff: {across} ({shifts})"
            ));
        }
    }
    let flashes = b.execute("return window.flashes;", json!([]))?;
    if flashes != json!([]) {
        problems.push(format!(
            "a shadow root held no form for a moment (a flash): {flashes}"
        ));
    }
    verdict(problems)
}

/// The form's state as its user meets it: `[title, message text, Send's label,
/// aria-busy, notice]` in `host`.
pub(super) fn form_state(b: &Browser, host: &str) -> Result<Value> {
    b.execute(
        "const root = document.querySelector(arguments[0]).shadowRoot;
         const q = (s) => root.querySelector(s);
         return [q('#moov-title').value, q('#moov-body').textContent,
                 q('button.moov-send').textContent.trim(), q('form').getAttribute('aria-busy'),
                 q('.moov-notice').textContent.trim()];",
        json!([host]),
    )
}

/// The saved draft of the demo user in the inline form, parsed, or null.
pub(super) fn saved_draft(b: &Browser, base: &str) -> Result<Value> {
    let session = crate::http::get_json(&format!("{base}api/dev/session"), None)?;
    let sub = session["sub"].as_str().ok_or("no sub in the dev session")?;
    let key = format!("moov-support:draft:v1:/api/support/tickets:{sub}#support");
    let raw = b.execute("return localStorage.getItem(arguments[0]);", json!([key]))?;
    match raw.as_str() {
        Some(raw) => Ok(serde_json::from_str(raw)?),
        None => Ok(Value::Null),
    }
}

pub(super) fn wasm_never_arrives(b: &Browser, base: &str, _shots: &Path) -> Result<()> {
    open_held(b, base)?;
    wait_email_prefilled(b)?;
    let (title, message) = (
        "Kept without the wasm",
        "Typed while the form never loaded.",
    );
    b.type_text(&b.in_shadow(HOST, "#moov-title")?, title)?;
    b.type_text(&b.in_shadow(HOST, "#moov-body")?, message)?;
    // Send before the form gives up: it waits, and says so.
    b.click(&b.in_shadow(HOST, "button.moov-send")?)?;
    let waiting = form_state(b, HOST)?;
    if waiting[2] != json!(SENDING) || waiting[3] != json!("true") {
        return Err(format!("Send pressed while the wasm is on its way: {waiting}").into());
    }
    let notice = b.wait_text(HOST, ".moov-notice", LOAD_FAILED)?;
    let after = b.execute("return performance.now();", json!([]))?;
    let after = after.as_f64().unwrap_or_default();
    if !(9_000.0..=15_000.0).contains(&after) {
        return Err(format!(
            "the notice {notice:?} came {after:.0} ms after navigation, not after ~10 s"
        )
        .into());
    }
    let mut problems = Vec::new();
    let gave_up = form_state(b, HOST)?;
    if gave_up[2] == json!(SENDING) || gave_up[3] == json!("true") {
        problems.push(format!(
            "the form gave up but still says it is sending: {gave_up}"
        ));
    }
    b.click(&b.in_shadow(HOST, "button.moov-send")?)?;
    std::thread::sleep(Duration::from_millis(300));
    let again = form_state(b, HOST)?;
    if again[2] == json!(SENDING) || again[3] == json!("true") {
        problems.push(format!(
            "Send pressed after the failure pretends to send: {again}"
        ));
    }
    if !again[4]
        .as_str()
        .unwrap_or_default()
        .starts_with(LOAD_FAILED)
    {
        problems.push(format!("after Send the notice reads {}", again[4]));
    }
    if again[0] != json!(title) || again[1] != json!(message) {
        problems.push(format!("the fields hold [{}, {}]", again[0], again[1]));
    }
    let draft = saved_draft(b, base)?;
    if draft["title"] != json!(title)
        || !draft["message"]
            .as_str()
            .unwrap_or_default()
            .contains(message)
    {
        problems.push(format!("the saved draft is {draft}"));
    }
    verdict(problems)
}

/// `[dialog open, focused id or class]` in the launcher.
fn launcher_state(b: &Browser) -> Result<Value> {
    b.execute(
        "const root = document.querySelector(arguments[0]).shadowRoot;
         const a = root.activeElement;
         return [root.querySelector('dialog').open, a ? (a.id || a.className) : null];",
        json!([LAUNCHER]),
    )
}

pub(super) fn launcher_before_wasm(b: &Browser, base: &str, _shots: &Path) -> Result<()> {
    const ESCAPE: &str = "\u{E00C}";
    open_held(b, base)?;
    wait_email_prefilled(b)?;
    b.click(&b.in_shadow(LAUNCHER, "button.moov-launcher")?)?;
    let open = launcher_state(b)?;
    if open != json!([true, "moov-title"]) {
        return Err(format!("the shell's button: [dialog open, focus] = {open}").into());
    }
    b.keys(&[ESCAPE])?;
    let closed = launcher_state(b)?;
    if closed != json!([false, "moov-launcher"]) {
        return Err(
            format!("Escape in the shell's dialog: [dialog open, focus] = {closed}").into(),
        );
    }
    b.click(&b.in_shadow(LAUNCHER, "button.moov-launcher")?)?;
    b.click(&b.in_shadow(LAUNCHER, "button.moov-close")?)?;
    let closed = launcher_state(b)?;
    if closed != json!([false, "moov-launcher"]) {
        return Err(format!("the shell's close button: [dialog open, focus] = {closed}").into());
    }
    b.click(&b.in_shadow(LAUNCHER, "button.moov-launcher")?)?;
    // Typing at 10 characters a second while the Rust form takes over.
    let text = "Typed in the floating form, across the handoff";
    let typed = super::handoff::type_through(b, "support-launcher", text)?;
    let mut problems = typed.problems();
    let state = launcher_state(b)?;
    if state != json!([true, "moov-title"]) {
        problems.push(format!("after the handoff: [dialog open, focus] = {state}"));
    }
    let value = b.value(&b.in_shadow(LAUNCHER, "#moov-title")?)?;
    if value != text {
        problems.push(format!("the subject reads {value:?}, typed {text:?}"));
    }
    // The Rust form's dialog closes the same way.
    b.keys(&[ESCAPE])?;
    let closed = launcher_state(b)?;
    if closed != json!([false, "moov-launcher"]) {
        problems.push(format!(
            "Escape after the handoff: [dialog open, focus] = {closed}"
        ));
    }
    let inline = b.value(&b.in_shadow(HOST, "#moov-title")?)?;
    if !inline.is_empty() {
        problems.push(format!("the inline form got {inline:?}"));
    }
    verdict(problems)
}

pub(super) fn shell_accessibility(b: &Browser, base: &str, _shots: &Path) -> Result<()> {
    open_held(b, base)?;
    wait_email_prefilled(b)?;
    let mut violations = axe(b, "shell, empty")?;
    b.type_text(
        &b.in_shadow(HOST, "#moov-title")?,
        "Accessible before the wasm",
    )?;
    b.type_text(&b.in_shadow(HOST, "#moov-body")?, "Typed into the shell")?;
    b.click(&b.in_shadow(HOST, "button.moov-send")?)?;
    b.wait_text(HOST, "button.moov-send", SENDING)?;
    violations.extend(axe(b, "shell, Send waiting for the wasm")?);
    b.click(&b.in_shadow(LAUNCHER, "button.moov-launcher")?)?;
    violations.extend(axe(b, "shell, launcher dialog open")?);
    let still = b.execute(
        "return document.querySelectorAll('moov-support-form').length === 2 &&
           [...document.querySelectorAll('moov-support-form')]
             .every((h) => h.shadowRoot.querySelector('[data-static]'));",
        json!([]),
    )?;
    if still != json!(true) {
        violations.push("the forms were no longer the shell when axe ran".into());
    }
    verdict(violations)
}
