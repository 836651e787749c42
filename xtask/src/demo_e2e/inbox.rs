//! "Your requests" end to end: a ticket filed through the demo's form, answered by a support
//! agent from the sandbox's agent page, the answer drawn in the open request without a
//! reload, the unread marks while the request is not open, and the request closed.

use std::path::Path;
use std::time::Duration;

use super::inbox_page::{
    self as page, epoch_ms, message_shown_at, press, reply, row_unread, unique, wait_badge,
    watch_for_message, Request, Words, BACK, HOST, LAUNCHER, MESSAGES, VIEW_REQUESTS,
    YOUR_REQUESTS,
};
use super::wait_signed_in;
use crate::http::get_json;
use crate::run::{step, Result};
use crate::webdriver::Browser;

/// The promise: a reply is on screen within this long of the agent sending it.
const LIVE_REPLY_LIMIT_MS: f64 = 3000.0;

pub(super) fn reply_arrives_live(b: &Browser, base: &str, shots: &Path) -> Result<()> {
    let words = Words::english();
    b.goto(base)?;
    wait_signed_in(b)?;
    let request = file_through_the_form(b, base)?;
    press(b, HOST, VIEW_REQUESTS, &words.view_requests)?;
    page::open(b, HOST, &request)?;
    let widget = b.window()?;

    // The agent works in a window of their own; the user's page stays open meanwhile.
    let first = format!("We found your payout {}", unique());
    watch_for_message(b, HOST, &first)?;
    b.open_window()?;
    b.goto(&format!("{base}agent.html"))?;
    let sent = agent_answers(b, &request, &first)?;
    b.switch_to(&widget)?;
    let shown = message_shown_at(b, Duration::from_secs(10))?;
    let latency = shown.map(|at| at - sent);
    step(&format!(
        "live reply: agent's POST → message in the open request: {}",
        latency.map_or("never (10 s)".into(), |ms| format!("{ms:.0} ms"))
    ));
    match latency {
        Some(ms) if ms <= LIVE_REPLY_LIMIT_MS => {}
        Some(ms) => return Err(format!("the reply took {ms:.0} ms to appear, over 3 s").into()),
        None => return Err("the reply did not appear within 10 s without a reload".into()),
    }
    let message = b.in_shadow_with_text(HOST, ".moov-from-support", &first)?;
    let author = b.text(&message)?;
    if !author.contains(&words.from_support) {
        return Err(format!("the reply is not shown as Moov support's: {author:?}").into());
    }
    b.screenshot(&shots.join("inbox-reply.png"))?;

    // Not open: the list marks the request, and the floating button counts it.
    press(b, HOST, BACK, &words.back)?;
    page::row(b, HOST, &request)?;
    let second = format!("Anything else? {}", unique());
    reply(base, &request, &second)?;
    wait_until(Duration::from_secs(3), || {
        row_unread(b, HOST, &request, &words)
    })
    .map_err(|_| "the list never marked the request as having an unread reply")?;
    wait_badge(b, Duration::from_secs(3), |n| n == 1)?;
    b.screenshot(&shots.join("inbox-unread.png"))?;

    // Where the badge is: the floating button's dialog, its requests, the request read.
    b.click(&b.in_shadow(LAUNCHER, "button.moov-launcher")?)?;
    press(b, LAUNCHER, YOUR_REQUESTS, &words.your_requests)?;
    if !row_unread(b, LAUNCHER, &request, &words)? {
        return Err("the launcher's list does not mark the request as unread".into());
    }
    page::open(b, LAUNCHER, &request)?;
    b.wait_text(LAUNCHER, MESSAGES, &second)?;
    wait_badge(b, Duration::from_secs(3), |n| n == 0)
        .map_err(|e| format!("reading the request left the badge: {e}"))?;

    page::close(b, LAUNCHER, &words)?;
    b.screenshot(&shots.join("inbox-closed.png"))?;
    let token = page::session(base, None)?;
    let ticket = get_json(
        &format!("{base}api/support/tickets/{}", request.id),
        Some(&token),
    )?;
    if ticket["status"] != "closed" {
        return Err(format!(
            "after closing, the proxy has #{} as {}",
            request.number, ticket["status"]
        )
        .into());
    }
    Ok(())
}

/// Types a request into the demo's form and sends it; returns it as the proxy knows it.
fn file_through_the_form(b: &Browser, base: &str) -> Result<Request> {
    let title = format!("Payout missing since Friday {}", unique());
    b.type_text(&b.in_shadow(HOST, "#moov-title")?, &title)?;
    b.type_text(
        &b.in_shadow(HOST, "#moov-body")?,
        "The payout from Friday has not arrived.",
    )?;
    b.click(&b.in_shadow(HOST, "button.moov-send")?)?;
    let shown = b.wait_text(HOST, ".moov-success", "created")?;
    let number: u64 = shown
        .split('#')
        .nth(1)
        .and_then(|s| s.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("no ticket number in {shown:?}"))?;
    let request = page::find(base, &page::session(base, None)?, number)?;
    if request.title != title {
        return Err(format!("#{number} is titled {:?}, not {title:?}", request.title).into());
    }
    Ok(request)
}

/// The agent page, in the current window: picks `request` from its list and answers it with
/// `text`. Returns when the agent pressed Send (ms since the epoch).
fn agent_answers(b: &Browser, request: &Request, text: &str) -> Result<f64> {
    let entry = format!("#{} {}", request.number, request.title);
    // The page redraws its list every few seconds; a button it replaced is looked up again.
    let mut picked = Err("the agent page never listed the request".into());
    for _ in 0..3 {
        picked = b
            .find_with_text("#tickets button", &entry)
            .and_then(|button| b.click(&button));
        if picked.is_ok() {
            break;
        }
    }
    picked.map_err(|e| format!("the agent page: {e}"))?;
    wait_until(Duration::from_secs(5), || {
        Ok(b.text(&b.find("#ticket-title")?)?.contains(&request.title))
    })
    .map_err(|_| format!("the agent page did not open {entry:?}"))?;
    let field = b.find("#reply-body")?;
    b.execute(
        "document.getElementById('reply-body').value = '';",
        serde_json::json!([]),
    )?;
    b.type_text(&field, &format!("<p>{text}</p>"))?;
    let sent = epoch_ms();
    b.click(&b.find("#send")?)?;
    wait_until(Duration::from_secs(5), || {
        Ok(b.text(&b.find("#send-status")?)?.starts_with("Sent."))
    })
    .map_err(|_| "the agent page did not say the reply was sent")?;
    Ok(sent)
}

/// Polls `ok` every 100 ms until it holds or `within` passes.
fn wait_until(within: Duration, mut ok: impl FnMut() -> Result<bool>) -> Result<()> {
    let deadline = std::time::Instant::now() + within;
    loop {
        if ok().unwrap_or(false) {
            return Ok(());
        }
        if std::time::Instant::now() > deadline {
            return Err(format!("not within {within:?}").into());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
