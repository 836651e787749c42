//! What a check's Send filed, read back from the sandbox through the proxy: the number the
//! confirmation names, the ticket's title and its first message as text, and how many of the
//! demo user's tickets carry a title. Shared by the checks that type through the handoff.

use std::time::{Duration, Instant};

use serde_json::json;

use super::inbox_page::session;
use crate::http::get_json;
use crate::run::Result;
use crate::webdriver::Browser;

/// The editor's text with its non-breaking spaces (the browser's way to keep a typed space)
/// read as spaces.
pub(super) fn plain(text: &str) -> String {
    text.replace('\u{a0}', " ")
}

/// The text of an HTML body: tags dropped, entities read, non-breaking spaces as spaces.
fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    plain(
        &out.replace("&nbsp;", "\u{a0}")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&"),
    )
}

/// The number in the confirmation `Ticket #N created…`.
fn number(confirmation: &str) -> Result<u64> {
    confirmation
        .split('#')
        .nth(1)
        .map(|s| {
            s.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("no ticket number in {confirmation:?}").into())
}

/// The demo user's ticket numbered `number` as the sandbox holds it: (title, first
/// message's HTML), read through the proxy.
fn filed(base: &str, number: u64) -> Result<(String, String)> {
    let token = session(base, None)?;
    let request = super::inbox_page::find(base, &token, number)?;
    let messages = get_json(
        &format!("{base}api/support/tickets/{}/messages", request.id),
        Some(&token),
    )?;
    let body = messages[0]["body"]
        .as_str()
        .ok_or_else(|| format!("ticket #{number} has no message: {messages}"))?;
    Ok((request.title, body.to_owned()))
}

/// How many of the demo user's tickets are titled `title`.
pub(super) fn titled(base: &str, title: &str) -> Result<usize> {
    let token = session(base, None)?;
    let page = get_json(
        &format!("{base}api/support/tickets?count=200"),
        Some(&token),
    )?;
    Ok(page["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["title"] == json!(title))
        .count())
}

/// Presses Send in `host` and checks the ticket filed holds exactly `title` and `message`.
pub(super) fn send_and_check(
    b: &Browser,
    base: &str,
    host: &str,
    title: &str,
    message: &str,
) -> Result<()> {
    b.click(&b.in_shadow(host, "button.moov-send")?)?;
    check_filed(b, base, host, title, message)
}

/// Waits (up to a minute: a throttled first Send fetches the sanitizer) for the confirmation
/// in `host`, then reads the ticket back.
pub(super) fn check_filed(
    b: &Browser,
    base: &str,
    host: &str,
    title: &str,
    message: &str,
) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    let shown = loop {
        match b.wait_text(host, ".moov-success", "created") {
            Ok(shown) => break shown,
            Err(e) if Instant::now() > deadline => return Err(e),
            Err(_) => {}
        }
    };
    let (filed_title, body) = filed(base, number(&shown)?)?;
    if filed_title != title || text_of(&body) != message {
        return Err(format!(
            "typed [{title:?}, {message:?}]; the ticket holds [{filed_title:?}, {body:?}]"
        )
        .into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_is_read_as_its_text() {
        assert_eq!(
            text_of("<p>Tom &amp; Jerry&nbsp;&lt;3</p>"),
            "Tom & Jerry <3"
        );
        assert_eq!(number("Ticket #42 created. Status: new").unwrap(), 42);
    }
}
