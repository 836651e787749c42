//! The widget's "Your requests" as its user meets it, and the sandbox's support agent: where
//! the inbox's controls are, and the requests and replies a check sets up over HTTP.
//!
//! Controls are found by the words their user reads (the English strings), so a check
//! breaks when what a person sees changes, not when the markup is rearranged.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

pub(crate) use super::HOST;
use crate::http::{self, get_json};
use crate::run::Result;
use crate::webdriver::{Browser, Element};

/// The floating button's instance on the same page.
pub(crate) const LAUNCHER: &str = "moov-support-form[launcher]";
/// The inbox's outermost element.
pub(crate) const INBOX: &str = ".moov-inbox";
/// One request in the list, a button.
pub(crate) const ROW: &str = ".moov-request-row";
/// One message of a request.
pub(crate) const MESSAGE: &str = ".moov-message";
/// A request's messages, all of them: what a wait for one message's text reads.
pub(crate) const MESSAGES: &str = ".moov-messages";
/// The launcher's unread count.
pub(crate) const BADGE: &str = ".moov-badge";
/// The question before a request is closed.
pub(crate) const CONFIRMATION: &str = ".moov-close-confirm";
/// The form's way to "Your requests", the confirmation's, and the request's way back.
pub(crate) const YOUR_REQUESTS: &str = ".moov-your-requests";
pub(crate) const VIEW_REQUESTS: &str = ".moov-view-requests";
pub(crate) const BACK: &str = ".moov-back";
/// "Close request", and the confirmation's "Close request".
pub(crate) const CLOSE: &str = ".moov-close-request";
pub(crate) const CLOSE_YES: &str = ".moov-close-yes";
/// The list's states besides rows.
pub(crate) const EMPTY: &str = ".moov-empty";
pub(crate) const LOAD_FAILED: &str = ".moov-load-failed";
/// A closed request's closing date.
pub(crate) const CLOSED_ON: &str = ".moov-closed-on";

/// What the inbox's controls and states read, in one language: how a check finds them.
#[derive(Debug, Clone)]
pub(crate) struct Words {
    pub(crate) your_requests: String,
    pub(crate) view_requests: String,
    pub(crate) back: String,
    pub(crate) close: String,
    pub(crate) close_confirm: String,
    pub(crate) close_yes: String,
    /// The fixed part of "Closed on {date}".
    pub(crate) closed_on: String,
    pub(crate) unread: String,
    pub(crate) empty: String,
    pub(crate) load_failed: String,
    pub(crate) from_support: String,
}

impl Words {
    /// The widget's built-in English (`src/web/i18n/en.rs`).
    pub(crate) fn english() -> Words {
        Words {
            your_requests: "Your requests".into(),
            view_requests: "View your requests".into(),
            back: "Back to your requests".into(),
            close: "Close request".into(),
            close_confirm: "Close this request?".into(),
            close_yes: "Close request".into(),
            closed_on: "Closed on".into(),
            unread: "New reply".into(),
            empty: "You have no requests yet.".into(),
            load_failed: "Your requests could not be loaded.".into(),
            from_support: "Moov support".into(),
        }
    }

    /// The words of `language` (`en`, or a file in `locales/`), as the widget reads them.
    pub(crate) fn of(language: &str) -> Result<Words> {
        if language == "en" {
            return Ok(Words::english());
        }
        let path = crate::workspace_root().join(format!("locales/{language}.json"));
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let all: Value = serde_json::from_str(&text)?;
        let inbox = &all["inbox"];
        let word = |key: &str| -> Result<String> {
            inbox[key]
                .as_str()
                .map(|s| s.trim().to_owned())
                .ok_or_else(|| format!("{}: no inbox.{key}", path.display()).into())
        };
        Ok(Words {
            your_requests: word("your_requests")?,
            view_requests: word("view_requests")?,
            back: word("back")?,
            close: word("close")?,
            close_confirm: word("close_confirm")?,
            close_yes: word("close_yes")?,
            closed_on: fixed_part(&word("closed_on")?),
            unread: word("unread")?,
            empty: word("empty")?,
            load_failed: word("load_failed")?,
            from_support: word("from_support")?,
        })
    }
}

/// The longest run of a phrase outside its placeholders, which the page fills in: what a
/// check can look for whatever the placeholder becomes.
fn fixed_part(phrase: &str) -> String {
    phrase
        .split('{')
        .filter_map(|part| part.rsplit('}').next())
        .map(str::trim)
        .max_by_key(|p| p.chars().count())
        .unwrap_or_default()
        .to_owned()
}

/// A request the sandbox holds.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub(crate) id: String,
    pub(crate) number: u64,
    pub(crate) title: String,
}

/// Something unique to this run, for titles and reply bodies a check looks for.
pub(crate) fn unique() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default()
}

/// Milliseconds since the Unix epoch: the clock a page's `Date.now()` reads, so a time taken
/// here and one taken in a page can be subtracted.
pub(crate) fn epoch_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or_default()
}

/// A session token for the dev account: the demo's own user, or with `user` another one
/// (`user@example.com`), whose requests no other check touches.
pub(crate) fn session(base: &str, user: Option<&str>) -> Result<String> {
    let url = match user {
        Some(u) => format!("{base}api/dev/session?sub={u}&email={u}@example.com&name={u}"),
        None => format!("{base}api/dev/session"),
    };
    let s = get_json(&url, None)?;
    s["token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("no token in {s}").into())
}

/// Files a request as the holder of `token` would through the widget, straight to the proxy.
pub(crate) fn file(base: &str, token: &str, title: &str) -> Result<Request> {
    let claims = claims(token)?;
    let body = json!({
        "title": title,
        "body": "<p>Where is my payout?</p>",
        "contact": { "email": claims["email"], "name": claims["name"] },
    });
    let r = http::post(
        &http::agent(),
        &format!("{base}api/support/tickets"),
        &[
            ("authorization", format!("Bearer {token}")),
            ("content-type", "application/json".into()),
        ],
        &body.to_string(),
    )?;
    if r.status != 201 && r.status != 200 {
        return Err(format!("filing {title:?}: {} {}", r.status, r.body).into());
    }
    let t: Value = serde_json::from_str(&r.body)?;
    Ok(Request {
        id: t["ticketID"].as_str().unwrap_or_default().to_owned(),
        number: t["number"].as_u64().unwrap_or_default(),
        title: title.to_owned(),
    })
}

/// The session token's claims, unverified: what the page itself reads from it.
fn claims(token: &str) -> Result<Value> {
    use base64::Engine as _;
    let payload = token
        .split('.')
        .nth(1)
        .ok_or("a session token has three parts")?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload)?;
    Ok(serde_json::from_slice(&bytes)?)
}

/// The request numbered `number` among what `token` may see.
pub(crate) fn find(base: &str, token: &str, number: u64) -> Result<Request> {
    let page = get_json(&format!("{base}api/support/tickets?count=200"), Some(token))?;
    let t = page["items"]
        .as_array()
        .and_then(|items| items.iter().find(|t| t["number"].as_u64() == Some(number)))
        .ok_or_else(|| format!("request #{number} is not among the user's requests"))?;
    Ok(Request {
        id: t["ticketID"].as_str().unwrap_or_default().to_owned(),
        number,
        title: t["title"].as_str().unwrap_or_default().to_owned(),
    })
}

/// What a support agent does: `POST /api/dev/tickets/{id}/reply`, as the agent page does.
pub(crate) fn reply(base: &str, request: &Request, body: &str) -> Result<()> {
    let r = http::post(
        &http::agent(),
        &format!("{base}api/dev/tickets/{}/reply", request.id),
        &[("content-type", "application/json".into())],
        &json!({ "body": format!("<p>{body}</p>"), "status": "in-progress" }).to_string(),
    )?;
    if r.status != 200 {
        return Err(format!(
            "the agent's reply to #{}: {} {}",
            request.number, r.status, r.body
        )
        .into());
    }
    Ok(())
}

/// Gives both widgets on the page `token` and opens `host`'s "Your requests" through its
/// `view` property, as a host page would.
pub(crate) fn sign_in_and_show(b: &Browser, host: &str, token: &str) -> Result<()> {
    b.execute(
        "for (const w of document.querySelectorAll('moov-support-form')) w.sessionToken = arguments[1];
         document.querySelector(arguments[0]).view = 'requests';",
        json!([host, token]),
    )?;
    Ok(())
}

/// Presses the control `selector` inside `host`, once it reads `label`.
pub(crate) fn press(b: &Browser, host: &str, selector: &str, label: &str) -> Result<()> {
    let e = b.in_shadow_with_text(host, selector, label)?;
    b.click(&e)
}

/// Closes the open request, confirming, and waits for it to say so.
pub(crate) fn close(b: &Browser, host: &str, words: &Words) -> Result<()> {
    press(b, host, CLOSE, &words.close)?;
    b.wait_text(host, CONFIRMATION, &words.close_confirm)?;
    press(b, host, CLOSE_YES, &words.close_yes)?;
    b.wait_text(host, CLOSED_ON, &words.closed_on)?;
    Ok(())
}

/// The list's row of `request`, once shown.
pub(crate) fn row(b: &Browser, host: &str, request: &Request) -> Result<Element> {
    b.in_shadow_with_text(host, ROW, &request.title)
}

/// Opens `request` from the list.
pub(crate) fn open(b: &Browser, host: &str, request: &Request) -> Result<()> {
    let row = row(b, host, request)?;
    b.click(&row)?;
    b.wait_text(host, INBOX, &request.title)?;
    Ok(())
}

/// Whether `request`'s row carries the unread mark.
pub(crate) fn row_unread(
    b: &Browser,
    host: &str,
    request: &Request,
    words: &Words,
) -> Result<bool> {
    let text = b.text(&row(b, host, request)?)?;
    Ok(text.contains(&words.unread))
}

/// The launcher's unread count: 0 when it shows no badge.
pub(crate) fn badge(b: &Browser) -> Result<u64> {
    let v = b.execute(
        "const root = document.querySelector(arguments[0]).shadowRoot;
         const badge = root && root.querySelector(arguments[1]);
         return badge && !badge.hidden ? badge.textContent.trim() : '';",
        json!([LAUNCHER, BADGE]),
    )?;
    let text = v.as_str().unwrap_or_default();
    Ok(text
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or(0))
}

/// Waits until `ok` holds for the launcher's count, up to `within`.
pub(crate) fn wait_badge(b: &Browser, within: Duration, ok: impl Fn(u64) -> bool) -> Result<u64> {
    let deadline = Instant::now() + within;
    loop {
        let n = badge(b)?;
        if ok(n) {
            return Ok(n);
        }
        if Instant::now() > deadline {
            return Err(format!("the launcher's badge stayed at {n}").into());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// From now on the page notes (`window.replyShownAt`, `Date.now()`) when a message
/// containing `needle` is first drawn in `host`'s request view.
pub(crate) fn watch_for_message(b: &Browser, host: &str, needle: &str) -> Result<()> {
    b.execute(
        "const [host, selector, needle] = arguments;
         const root = document.querySelector(host).shadowRoot;
         window.replyShownAt = null;
         const seen = () => [...root.querySelectorAll(selector)].some((m) => m.textContent.includes(needle));
         const observer = new MutationObserver(() => {
           if (seen()) { window.replyShownAt = Date.now(); observer.disconnect(); }
         });
         observer.observe(root, { childList: true, subtree: true, characterData: true });",
        json!([host, MESSAGE, needle]),
    )?;
    Ok(())
}

/// When [`watch_for_message`]'s message was drawn (ms since the epoch), waiting up to
/// `within` for it.
pub(crate) fn message_shown_at(b: &Browser, within: Duration) -> Result<Option<f64>> {
    let deadline = Instant::now() + within;
    loop {
        if let Some(at) = b
            .execute("return window.replyShownAt;", json!([]))?
            .as_f64()
        {
            return Ok(Some(at));
        }
        if Instant::now() > deadline {
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phrase_is_found_by_its_words_outside_the_placeholder() {
        assert_eq!(fixed_part("Closed on {date}"), "Closed on");
        assert_eq!(fixed_part("{date} に終了"), "に終了");
        assert_eq!(fixed_part("Geschlossen am {date}."), "Geschlossen am");
        assert_eq!(fixed_part("No placeholder"), "No placeholder");
    }

    #[test]
    fn every_language_file_names_the_inbox_words() {
        for language in ["ar", "de", "es", "fr", "ja", "pt"] {
            let words = Words::of(language).unwrap();
            assert!(
                !words.close_yes.is_empty() && !words.closed_on.is_empty(),
                "{language}"
            );
        }
    }
}
