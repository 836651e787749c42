//! "Your requests" as its own module, loaded when needed: a form whose inbox cannot arrive
//! stays usable, says so beside "Your requests", and opens the inbox on the next try.

use std::path::Path;
use std::time::{Duration, Instant};

use super::inbox_page::{press, Words, INBOX, YOUR_REQUESTS};
use super::{fetched, wait_signed_in, HOST};
use crate::run::Result;
use crate::webdriver::Browser;

/// The loader's own failure, beside the form's "Your requests".
const INBOX_LOAD_FAILED: &str = ".moov-inbox-load-failed";
const INBOX_RETRY: &str = ".moov-inbox-retry";
/// Its button's words in English (`inbox.retry`).
const TRY_AGAIN: &str = "Try again";

pub(super) fn inbox_stalled(b: &Browser, base: &str, _shots: &Path) -> Result<()> {
    let words = Words::english();
    // Every file of the inbox is held, as on a connection that stalls mid-download.
    b.stall("*moov-support-inbox*")?;
    b.goto(base)?;
    wait_signed_in(b)?;
    // The form is drawn and takes typing without the inbox's module.
    let title = b.in_shadow(HOST, "#moov-title")?;
    b.type_text(&title, "Where is my payout?")?;
    let asked = Instant::now();
    press(b, HOST, YOUR_REQUESTS, &words.your_requests)?;
    // The form stays while the inbox is on its way, then the failure is said with a retry.
    b.in_shadow(HOST, ".moov-form-screen:not([hidden]) #moov-title")?;
    b.wait_text(HOST, INBOX_LOAD_FAILED, &words.load_failed)?;
    let waited = asked.elapsed();
    if waited < Duration::from_secs(14) {
        return Err(format!("the inbox gave up after {waited:?}, before its time").into());
    }
    let kept = b.value(&b.in_shadow(HOST, "#moov-title")?)?;
    if kept != "Where is my payout?" {
        return Err(format!("after the failed load the subject reads {kept:?}").into());
    }
    // The module can come now: trying again opens "Your requests".
    b.unstall()?;
    press(b, HOST, INBOX_RETRY, TRY_AGAIN)?;
    b.in_shadow(HOST, INBOX)?;
    b.in_shadow(HOST, ".moov-form-screen[hidden]")?;
    if !fetched(b)?
        .iter()
        .any(|n| n.ends_with("moov-support-inbox_bg.wasm"))
    {
        return Err(format!("the inbox was drawn without its module: {:?}", fetched(b)?).into());
    }
    Ok(())
}
