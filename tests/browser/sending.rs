//! A send that fails, is retried or is still in flight: the draft is kept and each message
//! is filed exactly once, under its idempotency key.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

use crate::support::*;

#[wasm_bindgen_test]
async fn a_failed_send_keeps_the_draft_and_shows_the_request_id() {
    clear_faults().await;
    let w = Widget::mount("failure").await;
    w.fill_valid();
    fault(r#"{"status":500}"#).await;
    w.press_send();
    w.wait_text("failure", "Support is having trouble right now")
        .await;
    let reference = w.el(".moov-reference").text_content().unwrap();
    assert!(
        reference.starts_with("Reference: ") && reference.len() > 20,
        "{reference}"
    );
    assert_eq!(w.value("title"), "Payout missing");
    assert_eq!(w.value("body"), "My payout from Monday\nhas not arrived.");
    let draft = w.stored_draft().expect("draft kept after failure");
    let key = draft["idempotency_key"].as_str().unwrap().to_owned();
    assert!(!w
        .el("button.moov-send")
        .unchecked_into::<web_sys::HtmlButtonElement>()
        .disabled());
    // A retry sends the same draft, with the same idempotency key, and succeeds.
    w.press_send();
    w.wait_text("confirmation", "created").await;
    let ticket = w.saw("submitted").unwrap();
    assert_eq!(ticket["foreignID"].as_str(), Some(key.as_str()));
    assert_eq!(tickets_under("failure", &key).await, 1);
    w.remove();
}

/// One way for Moov, or the way to it, to fail.
enum Cause {
    /// A scripted answer of the sandbox (`/api/dev/faults`).
    Fault(&'static str),
    /// The proxy's cached Moov token is refused, and the token endpoint gives no new one.
    TokenEndpointDown,
}

impl Cause {
    async fn start(&self) {
        match self {
            Cause::Fault(json) => fault(json).await,
            Cause::TokenEndpointDown => {
                fault(r#"{"status":401}"#).await;
                token_endpoint_fails(Some(503)).await;
            }
        }
    }

    async fn end(&self) {
        if let Cause::TokenEndpointDown = self {
            token_endpoint_fails(None).await;
        }
        clear_faults().await;
    }
}

#[wasm_bindgen_test]
async fn upstream_faults_keep_the_draft_and_a_retry_files_exactly_one_ticket() {
    clear_faults().await;
    // (user, cause, what the user is told, the widget's timeout)
    let cases = [
        (
            "fault-504",
            Cause::Fault(r#"{"status":504}"#),
            "Support took too long to answer",
            None,
        ),
        (
            "fault-latency",
            Cause::Fault(r#"{"delayMs":1500}"#),
            "The request timed out",
            Some("300"),
        ),
        (
            "fault-drop",
            Cause::Fault(r#"{"drop":true}"#),
            "Support could not be reached",
            None,
        ),
        (
            "fault-token",
            Cause::TokenEndpointDown,
            "Support could not be reached",
            None,
        ),
    ];
    for (user, cause, message, timeout_ms) in cases {
        let token = session(user).await;
        let mut attributes = vec![("endpoint", endpoint()), ("session-token", token)];
        if let Some(ms) = timeout_ms {
            attributes.push(("timeout-ms", ms.to_owned()));
        }
        let attributes: Vec<(&str, &str)> =
            attributes.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let w = Widget::mount_with(&attributes).await;
        w.fill_valid();
        let key = w.draft_key();
        cause.start().await;
        w.press_send();
        w.wait_text(user, message).await;
        assert!(w.saw("error").is_some(), "{user}");
        assert_eq!(w.value("title"), "Payout missing", "{user}");
        assert_eq!(w.draft_key(), key, "{user}: draft kept, same key");
        cause.end().await;
        if timeout_ms.is_some() {
            // Moov stored the late ticket at once; let its answer reach the proxy first.
            sleep(1500).await;
        }
        // The draft was not edited: Send again goes out under the same key.
        w.press_send();
        w.wait_text(user, "created").await;
        let ticket = w.saw("submitted").unwrap();
        assert_eq!(ticket["foreignID"].as_str(), Some(key.as_str()), "{user}");
        assert_eq!(tickets_under(user, &key).await, 1, "{user}");
        assert_eq!(w.stored_draft(), None, "{user}");
        w.remove();
    }
}

#[wasm_bindgen_test]
async fn an_edit_after_a_failed_send_goes_out_under_a_new_key() {
    clear_faults().await;
    let w = Widget::mount("failure-edit").await;
    w.fill_valid();
    fault(r#"{"status":500}"#).await;
    w.press_send();
    w.wait_text("failure", "Support is having trouble right now")
        .await;
    let first_key = w.stored_draft().unwrap()["idempotency_key"]
        .as_str()
        .unwrap()
        .to_owned();
    // The proxy still holds the failed attempt under the first key and would refuse a
    // different ticket under it (409).
    w.type_in("title", "Payout missing since Monday");
    let second_key = w.stored_draft().unwrap()["idempotency_key"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(first_key, second_key);
    w.press_send();
    w.wait_text("confirmation", "created").await;
    let ticket = w.saw("submitted").unwrap();
    assert_eq!(ticket["foreignID"].as_str(), Some(second_key.as_str()));
    assert_eq!(ticket["title"], "Payout missing since Monday");
    w.remove();
}

#[wasm_bindgen_test]
async fn an_edit_undone_after_a_failed_send_keeps_its_key_and_files_one_ticket() {
    clear_faults().await;
    let token = session("undone").await;
    let w = Widget::mount_with(&[
        ("endpoint", &endpoint()),
        ("session-token", &token),
        ("timeout-ms", "300"),
    ])
    .await;
    w.fill_valid();
    let key = w.draft_key();
    // Moov files the ticket at once but answers after the widget stopped waiting.
    fault(r#"{"delayMs":1500}"#).await;
    w.press_send();
    w.wait_text("timeout", "The request timed out").await;
    clear_faults().await;
    w.type_in("title", "Payout missing!");
    assert_ne!(w.draft_key(), key, "an edited message is a new submission");
    // Deleted again, with a space the rules trim: the message is the one already filed.
    w.type_in("title", "Payout missing ");
    assert_eq!(w.draft_key(), key);
    sleep(1500).await;
    w.press_send();
    w.wait_text("confirmation", "created").await;
    let ticket = w.saw("submitted").unwrap();
    assert_eq!(ticket["foreignID"].as_str(), Some(key.as_str()));
    assert_eq!(tickets_under("undone", &key).await, 1);
    w.remove();
}

#[wasm_bindgen_test]
async fn a_rate_limit_says_when_to_try_again() {
    clear_faults().await;
    let w = Widget::mount("statuses").await;
    w.fill_valid();
    fault(r#"{"status":429,"retryAfter":7}"#).await;
    w.press_send();
    w.wait_text("rate limit", "Try again in 7 seconds").await;
    w.remove();
}

/// Fills the form and presses Send with the proxy answering 400 ms late; returns once the
/// send is in flight (its button disabled).
async fn send_slowly(w: &Widget) -> web_sys::HtmlButtonElement {
    w.fill_valid();
    fault(r#"{"delayMs":400}"#).await;
    w.press_send();
    let button = w
        .el("button.moov-send")
        .unchecked_into::<web_sys::HtmlButtonElement>();
    wait_for("the send in flight", || button.disabled()).await;
    button
}

#[wasm_bindgen_test]
async fn submit_is_disabled_while_in_flight() {
    clear_faults().await;
    let w = Widget::mount("in-flight").await;
    let button = send_slowly(&w).await;
    assert_eq!(button.text_content().unwrap(), "Sending…");
    // What is typed now would be neither sent nor kept: the fields wait for the answer.
    for field in ["title", "email", "name"] {
        assert!(is_read_only(&w, field), "{field} while sending");
    }
    let editor = w.el("#moov-body");
    assert_eq!(
        editor.get_attribute("aria-readonly").as_deref(),
        Some("true")
    );
    let init = web_sys::InputEventInit::new();
    init.set_cancelable(true);
    init.set_input_type("insertText");
    init.set_data(Some("x"));
    let typing = web_sys::InputEvent::new_with_event_init_dict("beforeinput", &init).unwrap();
    editor.dispatch_event(&typing).unwrap();
    assert!(
        typing.default_prevented(),
        "typing in the message while sending"
    );
    w.wait_text("confirmation", "created").await;
    w.remove();
}

#[wasm_bindgen_test]
async fn a_form_removed_while_sending_lets_the_answer_go_without_an_error() {
    clear_faults().await;
    let errors = Rc::new(RefCell::new(Vec::<String>::new()));
    let log = errors.clone();
    let on_error = Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |e: web_sys::ErrorEvent| {
        log.borrow_mut().push(e.message());
    });
    let window = web_sys::window().unwrap();
    window
        .add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref())
        .unwrap();

    let w = Widget::mount("removed-mid-send").await;
    send_slowly(&w).await;
    // The page takes the form away mid-send; the answer arrives after it is gone.
    w.remove();
    sleep(900).await;
    clear_faults().await;
    window
        .remove_event_listener_with_callback("error", on_error.as_ref().unchecked_ref())
        .unwrap();
    assert_eq!(*errors.borrow(), Vec::<String>::new());

    // The ticket was filed, so its message does not come back as unsent.
    let again = Widget::mount("removed-mid-send").await;
    assert_eq!(again.value("title"), "");
    assert_eq!(again.stored_draft(), None);
    again.remove();
}
