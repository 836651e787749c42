//! The offline queue under Chromium's own network emulation (DevTools' "Offline" switch):
//! nothing leaves while offline, and the ticket is filed once when the network returns.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use super::{wait_signed_in, HOST};
use crate::http::get_json;
use crate::run::Result;
use crate::webdriver::Browser;

const QUEUED: &str = "You're offline. Your message will be sent when you're back online.";

pub(super) fn queued_until_online(b: &Browser, base: &str, shots: &Path) -> Result<()> {
    b.goto(base)?;
    wait_signed_in(b)?;
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH)?.as_nanos();
    let title = format!("Sent from a train {nanos}");
    b.type_text(&b.in_shadow(HOST, "#moov-title")?, &title)?;
    b.type_text(
        &b.in_shadow(HOST, "#moov-body")?,
        "The tunnel cut my connection.",
    )?;
    let key = draft_key(b, &title)?;

    b.set_offline(true)?;
    b.click(&b.in_shadow(HOST, "button.moov-send")?)?;
    b.wait_text(HOST, ".moov-notice", QUEUED)?;
    b.in_shadow(HOST, "button.moov-cancel")?;
    b.screenshot(&shots.join("form-queued.png"))?;
    std::thread::sleep(Duration::from_millis(500));
    let filed = tickets_under(base, &key)?;
    if filed != 0 {
        return Err(format!("{filed} tickets were filed while offline").into());
    }
    if draft_key(b, &title)? != key {
        return Err("the queued draft changed its idempotency key".into());
    }

    b.set_offline(false)?;
    b.wait_text(HOST, ".moov-success", "created")?;
    let filed = tickets_under(base, &key)?;
    if filed != 1 {
        return Err(format!("{filed} tickets under the draft's key once back online").into());
    }
    if b.execute(DRAFT_KEY, json!([title]))? != Value::Null {
        return Err("the draft is still saved after the ticket was filed".into());
    }
    Ok(())
}

/// The idempotency key of the saved draft whose subject is `title`, or null.
const DRAFT_KEY: &str = "for (let i = 0; i < localStorage.length; i++) {
       const k = localStorage.key(i);
       if (!k.startsWith('moov-support:draft:')) continue;
       const d = JSON.parse(localStorage.getItem(k));
       if (d.title === arguments[0]) return d.idempotency_key;
     }
     return null;";

fn draft_key(b: &Browser, title: &str) -> Result<String> {
    let key = b.execute(DRAFT_KEY, json!([title]))?;
    key.as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("no saved draft titled {title:?}").into())
}

/// How many of the demo account's tickets carry `key` as their `foreignID`, asked from
/// outside the browser, whose network is cut.
fn tickets_under(base: &str, key: &str) -> Result<usize> {
    let session = get_json(&format!("{base}api/dev/session"), None)?;
    let token = session["token"].as_str().ok_or("no dev session token")?;
    let page = get_json(&format!("{base}api/support/tickets?count=200"), Some(token))?;
    let items = page["items"]
        .as_array()
        .ok_or_else(|| format!("not a page of tickets: {page}"))?;
    Ok(items
        .iter()
        .filter(|t| t["foreignID"].as_str() == Some(key))
        .count())
}
