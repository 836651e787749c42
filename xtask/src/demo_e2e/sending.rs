//! The message from typing to ticket: the draft a reload restores, Send filing it, Send
//! pressed while the editor still has focus.

use std::path::Path;

use super::{wait_signed_in, wait_widget, HOST};
use crate::run::{step, Result};
use crate::webdriver::Browser;

pub(super) fn reload_restores_draft(b: &Browser, base: &str, _shots: &Path) -> Result<()> {
    b.goto(base)?;
    wait_widget(b)?;
    let title = b.in_shadow(HOST, "#moov-title")?;
    b.type_text(&title, "Card declined at checkout")?;
    let body = b.in_shadow(HOST, "#moov-body")?;
    b.type_text(&body, "Half of my mess")?;
    b.reload()?;
    // What the widget's form restores, not the static copy the loader draws first.
    wait_widget(b)?;
    let title = b.in_shadow(HOST, "#moov-title")?;
    let restored = b.value(&title)?;
    if restored != "Card declined at checkout" {
        return Err(format!("subject after reload: {restored:?}").into());
    }
    b.wait_text(HOST, "#moov-body", "Half of my mess")?;
    b.wait_text(HOST, ".moov-notice", "Your unsent message was restored.")?;
    Ok(())
}

pub(super) fn send_files_a_ticket(b: &Browser, base: &str, shots: &Path) -> Result<()> {
    b.goto(base)?;
    // The widget's form, once the session token prefilled its email.
    wait_signed_in(b)?;
    let title = b.in_shadow(HOST, "#moov-title")?;
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
pub(super) fn send_from_the_editor(b: &Browser, base: &str, _shots: &Path) -> Result<()> {
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
