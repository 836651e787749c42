//! The HTML sanitizer as the form meets it: loaded on intent, run in a Web Worker, and a
//! sanitizer that never arrives.

use std::path::Path;
use std::time::Duration;

use super::{fetched, wait_signed_in, wait_widget, HOST};
use crate::run::Result;
use crate::webdriver::Browser;

pub(super) fn sanitizer_stalled(b: &Browser, base: &str, _shots: &Path) -> Result<()> {
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

pub(super) fn sanitizer_on_intent(b: &Browser, base: &str, _shots: &Path) -> Result<()> {
    const LAUNCHER: &str = "moov-support-form[launcher]";
    let loaded = |b: &Browser| -> Result<bool> {
        Ok(fetched(b)?
            .iter()
            .any(|n| n.contains("moov-support-sanitizer")))
    };
    b.goto(&format!("{base}launcher.html"))?;
    wait_widget(b)?;
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
