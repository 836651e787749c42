//! Typing and sending through the handoff, as a user does while the wasm arrives: keys into
//! the shell, a paste, focus, the draft under the Rust form's key, Send pressed before the
//! Rust form exists, typing at 10 characters a second while it takes over (on the test page,
//! the wasm let through mid-typing; and on the demo page under a slow mobile network), each
//! ending with the ticket the sandbox holds.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::filed::{check_filed, plain, send_and_check, titled};
use super::inbox_page::unique;
use super::shell::{form_state, open_held, release, saved_draft, taken_over, SENDING, STATIC};
use super::{verdict, wait_email_prefilled, wait_signed_in, HOST};
use crate::run::{step, Result};
use crate::webdriver::Browser;

/// One key every 100 ms: the user typing at 10 characters a second.
const PACE: Duration = Duration::from_millis(100);
/// What is typed after the given text when the handoff has not happened yet.
const MORE: &str = " and more";
/// WebDriver's ← and End keys.
const LEFT: &str = "\u{E012}";
const END: &str = "\u{E010}";

/// What [`type_through`] saw.
pub(super) struct Typed {
    /// Everything typed, in order.
    pub(super) text: String,
    /// Keys pressed before the wasm was let through, before the Rust form took over, after.
    pub(super) counts: [usize; 3],
    /// The Rust form took over before the last key (else the handoff was not typed through).
    pub(super) through: bool,
}

impl Typed {
    pub(super) fn problems(&self) -> Vec<String> {
        match self.through {
            true => Vec::new(),
            false => vec![format!(
                "the Rust form took over only after the last key ({:?} keys before release, \
                 before and after the takeover)",
                self.counts
            )],
        }
    }
}

/// Types `text` one key at a time, 100 ms apart, into whatever has focus; lets the held
/// wasm through after `release_at` keys (when given); goes on typing past `text` until the
/// Rust form has taken over the host `id`, and ten keys more.
pub(super) fn type_through(b: &Browser, id: &str, text: &str) -> Result<Typed> {
    type_at_pace(b, id, text, Some(10))
}

fn type_at_pace(b: &Browser, id: &str, text: &str, release_at: Option<usize>) -> Result<Typed> {
    b.execute(
        "window.keyTimes = [];
         document.addEventListener('keydown', () => window.keyTimes.push(performance.now()), true);",
        json!([]),
    )?;
    let start = Instant::now();
    let deadline = start + Duration::from_secs(120);
    let mut typed = String::new();
    let mut released = None;
    let mut taken: Option<f64> = None;
    let mut after_taken = 0;
    let mut more = MORE.chars().cycle();
    let mut source = text.chars();
    let mut i = 0u32;
    loop {
        let c = match source.next() {
            Some(c) => c,
            None if after_taken >= 10 => break,
            None => more.next().unwrap_or(' '),
        };
        if release_at == Some(typed.chars().count()) {
            released = Some(release(b)?);
        }
        let due = start + PACE * i;
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        b.keys(&[&c.to_string()])?;
        typed.push(c);
        i += 1;
        if taken.is_some() {
            after_taken += 1;
        } else if i.is_multiple_of(5) || typed.chars().count() >= text.chars().count() {
            let at = b.execute("return window.takenOver[arguments[0]];", json!([id]))?;
            taken = at.as_f64();
        }
        if Instant::now() > deadline {
            return Err(format!(
                "the Rust form had not taken over #{id} after 2 minutes of typing"
            )
            .into());
        }
    }
    let taken = taken_over(b, id)?;
    let times = b.execute("return window.keyTimes;", json!([]))?;
    let times: Vec<f64> = times
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_f64)
        .collect();
    let released = released.unwrap_or(0.0);
    let counts = [
        times.iter().filter(|&&t| t < released).count(),
        times
            .iter()
            .filter(|&&t| t >= released && t < taken)
            .count(),
        times.iter().filter(|&&t| t >= taken).count(),
    ];
    let held = match release_at {
        Some(_) => format!("{} before the wasm was let through, ", counts[0]),
        None => String::new(),
    };
    step(&format!(
        "typed {} keys at 10/s into #{id}: {held}{} before the Rust form took over \
         ({taken:.0} ms after navigation), {} after",
        typed.chars().count(),
        counts[1],
        counts[2]
    ));
    Ok(Typed {
        text: typed,
        counts,
        through: counts[2] > 0 && counts[0] + counts[1] > 0,
    })
}

/// Where the caret is in `host`'s focused field: `[focused id, collapsed, caret offset,
/// length]` (the offset counted in characters of the field's text).
fn caret(b: &Browser, host: &str) -> Result<Value> {
    b.execute(
        "const root = document.querySelector(arguments[0]).shadowRoot;
         const a = root.activeElement;
         if (!a) return [null];
         if (a.localName === 'input') return [a.id, a.selectionStart === a.selectionEnd, a.selectionEnd, a.value.length];
         const sel = root.getSelection ? root.getSelection() : document.getSelection();
         if (!sel || !sel.rangeCount) return [a.id, 'no selection'];
         const r = sel.getRangeAt(0);
         if (!a.contains(r.endContainer)) return [a.id, 'the selection is elsewhere'];
         const before = document.createRange();
         before.selectNodeContents(a);
         before.setEnd(r.endContainer, r.endOffset);
         return [a.id, sel.isCollapsed, before.toString().length, a.textContent.length];",
        json!([host]),
    )
}

pub(super) fn typing_paste_focus(b: &Browser, base: &str, _shots: &Path) -> Result<()> {
    open_held(b, base)?;
    wait_email_prefilled(b)?;
    let title = "Card declined at checkout";
    b.click(&b.in_shadow(HOST, "#moov-title")?)?;
    b.keys(&[title])?;
    let mut problems = Vec::new();
    if b.focused_in(HOST)? != "moov-title" {
        problems.push(format!(
            "typing in the subject, focus is on {:?}",
            b.focused_in(HOST)?
        ));
    }
    // Rich text copied from the page with a real Ctrl+C, pasted with a real Ctrl+V: the
    // clipboard holds text/html and text/plain, as from any web page.
    b.execute(
        "document.querySelector(arguments[0]).shadowRoot.activeElement?.blur();
         getSelection().selectAllChildren(document.getElementById('copy-source'));",
        json!([HOST]),
    )?;
    b.keys(&["ctrl+c"])?;
    b.click(&b.in_shadow(HOST, "#moov-body")?)?;
    b.keys(&[END, "Typed first. ", "ctrl+v"])?;
    let pasted = b.execute(
        "const editor = document.querySelector(arguments[0]).shadowRoot.getElementById('moov-body');
         return [editor.innerHTML, editor.textContent];",
        json!([HOST]),
    )?;
    let message = "Typed first. Bold and a link";
    let html = pasted[0].as_str().unwrap_or_default().to_owned();
    if html.contains("<b>")
        || html.contains("<strong")
        || html.contains("<a ")
        || html.contains("style")
    {
        problems.push(format!("the paste went in as markup: {html}"));
    }
    if plain(pasted[1].as_str().unwrap_or_default()) != message {
        problems.push(format!("the message reads {}", pasted[1]));
    }
    // The caret a few characters back, where it must still be after the handoff.
    b.keys(&[LEFT, LEFT, LEFT, LEFT, LEFT])?;
    let before = caret(b, HOST)?;
    if before[0] != json!("moov-body") || before[2] != json!(message.chars().count() - 5) {
        problems.push(format!(
            "after the paste and five ←, [focus, collapsed, caret, length] = {before}"
        ));
    }
    let draft = saved_draft(b, base)?;
    let email = b.value(&b.in_shadow(HOST, "#moov-email")?)?;
    let key = draft["idempotency_key"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    if draft["title"] != json!(title)
        || draft["message"] != json!(html)
        || draft["email"] != json!(email)
        || key.is_empty()
    {
        problems.push(format!("the draft under the Rust form's key is {draft}"));
    }
    release(b)?;
    taken_over(b, "support")?;
    let state = form_state(b, HOST)?;
    if state[0] != json!(title) || plain(state[1].as_str().unwrap_or_default()) != message {
        problems.push(format!("after the handoff the form holds {state}"));
    }
    let at = caret(b, HOST)?;
    if at != before {
        problems.push(format!(
            "[focus, collapsed, caret, length] = {before} before the handoff, {at} after"
        ));
    }
    b.keys(&[END, " more"])?;
    let state = form_state(b, HOST)?;
    let message = format!("{message} more");
    if plain(state[1].as_str().unwrap_or_default()) != message {
        problems.push(format!(
            "typing on after the handoff, the message reads {}",
            state[1]
        ));
    }
    std::thread::sleep(Duration::from_millis(500));
    let draft = saved_draft(b, base)?;
    if draft["idempotency_key"] != json!(key)
        || !plain(draft["message"].as_str().unwrap_or_default()).contains("link more")
    {
        problems.push(format!(
            "after the handoff the draft is {draft} (its key was {key})"
        ));
    }
    verdict(problems)
}

pub(super) fn send_while_held(b: &Browser, base: &str, _shots: &Path) -> Result<()> {
    open_held(b, base)?;
    wait_email_prefilled(b)?;
    let title = format!("Sent before the wasm {}", unique());
    let message = "Pressed Send while the form was still the static one.";
    b.type_text(&b.in_shadow(HOST, "#moov-title")?, &title)?;
    b.type_text(&b.in_shadow(HOST, "#moov-body")?, message)?;
    b.click(&b.in_shadow(HOST, "button.moov-send")?)?;
    let waiting = form_state(b, HOST)?;
    if waiting[2] != json!(SENDING) || waiting[3] != json!("true") {
        return Err(format!(
            "Send pressed before the wasm: [title, message, Send, aria-busy, notice] = {waiting}"
        )
        .into());
    }
    std::thread::sleep(Duration::from_millis(1000));
    let still = form_state(b, HOST)?;
    if still[2] != json!(SENDING) {
        return Err(format!("a second later Send reads {}", still[2]).into());
    }
    if titled(base, &title)? != 0 {
        return Err("a ticket was filed before the Rust form existed".into());
    }
    release(b)?;
    check_filed(b, base, HOST, &title, message)?;
    let filed = titled(base, &title)?;
    if filed != 1 {
        return Err(format!("{filed} tickets titled {title:?}").into());
    }
    Ok(())
}

/// The field typed through the handoff.
#[derive(Clone, Copy)]
enum Field {
    Title,
    Message,
}

fn typing_through(b: &Browser, base: &str, field: Field) -> Result<()> {
    open_held(b, base)?;
    wait_email_prefilled(b)?;
    // The first ten keys, typed before the wasm is let through, hold what HTML escapes and
    // end with a space (which an editor keeps as a non-breaking one).
    let (id, given) = match field {
        Field::Title => (
            "moov-title",
            format!(
                "Fee & tax <5% on payout {} never reached me",
                unique() % 100_000
            ),
        ),
        Field::Message => (
            "moov-body",
            "A & B <5> the payout of March 3rd never reached my account, can you check?".to_owned(),
        ),
    };
    let other = match field {
        Field::Title => "Typed after the handoff.".to_owned(),
        Field::Message => format!("Typed through the handoff {}", unique() % 100_000),
    };
    if let Field::Message = field {
        b.type_text(&b.in_shadow(HOST, "#moov-title")?, &other)?;
    }
    b.click(&b.in_shadow(HOST, &format!("#{id}"))?)?;
    let typed = type_through(b, "support", &given)?;
    let mut problems = typed.problems();
    let state = form_state(b, HOST)?;
    let got = match field {
        Field::Title => state[0].as_str().unwrap_or_default().to_owned(),
        Field::Message => plain(state[1].as_str().unwrap_or_default()),
    };
    if got != typed.text {
        problems.push(format!("typed {:?}; the field holds {got:?}", typed.text));
    }
    let at = caret(b, HOST)?;
    if at[0] != json!(id) || at[1] != json!(true) || at[2] != at[3] {
        problems.push(format!("[focus, collapsed, caret, length] = {at}"));
    }
    verdict(problems)?;
    match field {
        Field::Title => {
            b.type_text(&b.in_shadow(HOST, "#moov-body")?, &other)?;
            send_and_check(b, base, HOST, &typed.text, &other)
        }
        Field::Message => send_and_check(b, base, HOST, &other, &typed.text),
    }
}

pub(super) fn typing_through_title(b: &Browser, base: &str, _shots: &Path) -> Result<()> {
    typing_through(b, base, Field::Title)
}

pub(super) fn typing_through_message(b: &Browser, base: &str, _shots: &Path) -> Result<()> {
    typing_through(b, base, Field::Message)
}

/// Lighthouse's mobile network, as `cargo xtask bench` throttles it.
const SLOW: (u64, u64, u64) = (150, 1_600_000 / 8, 750_000 / 8);

pub(super) fn throttled_demo(b: &Browser, base: &str, _shots: &Path) -> Result<()> {
    b.emulate_network(SLOW.0, SLOW.1, SLOW.2)?;
    b.goto(base)?;
    b.in_shadow(HOST, STATIC)
        .map_err(|e| format!("the demo page showed no static form: {e}"))?;
    // When each form is taken over; when a shell is drawn again, and when the page's sign-in
    // hands the forms their session token: what explains a subject that lost its start.
    b.execute(
        "window.takenOver = {};
         window.redrawn = [];
         for (const host of document.querySelectorAll('moov-support-form')) {
           const root = host.shadowRoot;
           const done = () => root.querySelector('.moov-root') && !root.querySelector('[data-static]');
           if (done()) window.takenOver[host.id] = performance.now();
           new MutationObserver((_, observer) => {
             if (done()) { window.takenOver[host.id] = performance.now(); observer.disconnect(); }
             else window.redrawn.push(Math.round(performance.now()));
           }).observe(root, { childList: true });
           new MutationObserver(() => (window.signedInAt ??= Math.round(performance.now())))
             .observe(host, { attributes: true, attributeFilter: ['session-token'] });
         }
         return Math.round(performance.now());",
        json!([]),
    )?;
    b.click(&b.in_shadow(HOST, "#moov-title")?)?;
    let given = format!("Slow network {} but nothing lost", unique() % 100_000);
    let typed = type_at_pace(b, "support", &given, None)?;
    let mut problems = typed.problems();
    let title = b.value(&b.in_shadow(HOST, "#moov-title")?)?;
    if title != typed.text {
        problems.push(format!(
            "typed {:?}; the subject holds {title:?}",
            typed.text
        ));
        let why = b.execute(
            "return [window.redrawn, window.signedInAt ?? null, window.keyTimes.slice(0, 8).map(Math.round)];",
            json!([]),
        )?;
        if why[0].as_array().is_some_and(|r| !r.is_empty()) {
            problems.push(format!(
                "the inline shell was drawn again at {} ms after navigation (the page's \
                 session token was set at {} ms), while the first keys were pressed at {}",
                why[0], why[1], why[2]
            ));
        }
    }
    verdict(problems)?;
    wait_signed_in(b)?;
    let message = "Typed on a phone network while the form loaded.";
    b.type_text(&b.in_shadow(HOST, "#moov-body")?, message)?;
    send_and_check(b, base, HOST, &typed.text, message)
}
