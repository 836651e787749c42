//! The form itself: its fields, their checks, and what a user sees when a send succeeds.

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

use crate::support::*;

#[wasm_bindgen_test]
async fn renders_labelled_fields_in_an_open_shadow_root() {
    let w = Widget::mount("labels").await;
    assert_eq!(w.root().mode(), web_sys::ShadowRootMode::Open);
    for (id, label) in [
        ("title", "Subject"),
        ("email", "Your email"),
        ("name", "Your name (optional)"),
    ] {
        let l = w.el(&format!("label[for=moov-{id}]"));
        assert_eq!(l.text_content().unwrap(), label);
        assert!(w.query(&format!("#moov-{id}")).is_some());
    }
    // The message editor is a multi-line textbox named by its visible label.
    let editor = w.el("#moov-body");
    assert_eq!(editor.get_attribute("role").as_deref(), Some("textbox"));
    assert_eq!(
        editor.get_attribute("aria-multiline").as_deref(),
        Some("true")
    );
    let label_id = editor.get_attribute("aria-labelledby").unwrap();
    assert_eq!(
        w.el(&format!("#{label_id}")).text_content().unwrap().trim(),
        "Message"
    );
    assert_eq!(w.el("button.moov-send").text_content().unwrap(), "Send");
    // The session token's contact details prefill the form.
    assert_eq!(w.value("email"), "jordan@example.com");
    assert!(w.saw("ready").is_some());
    w.remove();
}

#[wasm_bindgen_test]
async fn a_field_is_checked_when_left_and_cleared_when_fixed() {
    let w = Widget::mount("live").await;
    w.type_in("email", "not-an-email");
    assert_eq!(w.error_of("email"), None, "no error while typing");
    w.leave("email");
    sleep(30).await;
    let email = w.el("#moov-email");
    assert_eq!(
        w.error_of("email").as_deref(),
        Some("Enter an email address like name@example.com.")
    );
    assert_eq!(email.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(
        email.get_attribute("aria-describedby").as_deref(),
        Some("moov-email-error")
    );
    w.type_in("email", "fixed@example.com");
    sleep(30).await;
    assert_eq!(w.error_of("email"), None);
    assert_eq!(email.get_attribute("aria-invalid"), None);
    // Other fields were never left, so they show nothing yet.
    assert_eq!(w.error_of("title"), None);
    w.remove();
}

#[wasm_bindgen_test]
async fn submit_checks_every_field_and_focuses_the_first_invalid() {
    let w = Widget::mount("submit-rules").await;
    w.type_in("email", "");
    w.type_in("name", "x".repeat(101).as_str());
    w.press_send();
    wait_for("errors", || w.error_of("title").is_some()).await;
    assert_eq!(w.error_of("title").as_deref(), Some("Enter a subject."));
    assert_eq!(w.error_of("body").as_deref(), Some("Write a message."));
    assert_eq!(
        w.error_of("email").as_deref(),
        Some("Enter your email address so support can reply.")
    );
    assert_eq!(
        w.error_of("name").as_deref(),
        Some("Keep this under 100 characters.")
    );
    assert_eq!(w.focused_id().as_deref(), Some("moov-title"));
    assert!(w.saw("submitted").is_none());
    assert!(w.text().contains("Some fields need attention."));
    // Fixing every field removes the summary too.
    w.fill_valid();
    sleep(30).await;
    assert_eq!(w.error_of("title"), None);
    assert!(
        !w.text().contains("Some fields need attention."),
        "{}",
        w.text()
    );
    w.remove();
}

#[wasm_bindgen_test]
async fn a_422_from_the_server_shows_on_the_same_fields() {
    clear_faults().await;
    let w = Widget::mount("server-422").await;
    w.fill_valid();
    fault(r#"{"status":422,"body":{"contact":{"email":"This mailbox does not accept mail."},"body":"Too many links."}}"#).await;
    w.press_send();
    wait_for("server errors", || w.error_of("email").is_some()).await;
    assert_eq!(
        w.error_of("email").as_deref(),
        Some("This mailbox does not accept mail.")
    );
    assert_eq!(w.error_of("body").as_deref(), Some("Too many links."));
    assert_eq!(w.error_of("title"), None);
    assert_eq!(w.focused_id().as_deref(), Some("moov-body"));
    let error = w.saw("error").expect("an error event");
    assert_eq!(error["status"], 422);
    assert!(error["requestId"].as_str().is_some_and(|s| !s.is_empty()));
    w.remove();
}

#[wasm_bindgen_test]
async fn success_shows_the_ticket_number_and_clears_the_draft() {
    clear_faults().await;
    let w = Widget::mount("success").await;
    w.fill_valid();
    assert!(w.stored_draft().is_some(), "typing is saved");
    w.press_send();
    w.wait_text("confirmation", "created").await;
    let detail = w.saw("submitted").expect("a submitted event");
    let number = detail["number"].as_i64().expect("ticket number");
    assert!(w.text().contains(&format!("Ticket #{number} created")));
    assert!(w.text().contains("Status: new"));
    assert_eq!(w.stored_draft(), None, "draft cleared");
    // Starting over gives an empty form with a fresh idempotency key.
    w.el("button.moov-again")
        .unchecked_into::<HtmlElement>()
        .click();
    w.wait_text("the form again", "Send").await;
    assert_eq!(w.value("title"), "");
    w.remove();
}
