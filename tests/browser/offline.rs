//! Sends while offline or with the proxy unreachable: queued, sent once when back online,
//! or cancelled.

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

use crate::support::*;

const QUEUED: &str = "You're offline. Your message will be sent when you're back online.";

/// Makes `navigator.onLine` read `online`, and tells the page as a browser does when it
/// changes.
fn set_online(online: bool) {
    let navigator = web_sys::window().unwrap().navigator();
    if online {
        js_sys::Reflect::delete_property(&navigator, &"onLine".into()).unwrap();
    } else {
        let descriptor = object(&[("value", false.into()), ("configurable", true.into())]);
        js_sys::Reflect::define_property(&navigator, &"onLine".into(), &descriptor).unwrap();
    }
    let name = if online { "online" } else { "offline" };
    web_sys::window()
        .unwrap()
        .dispatch_event(&web_sys::Event::new(name).unwrap())
        .unwrap();
}

#[wasm_bindgen_test]
async fn offline_a_send_waits_and_goes_out_once_when_back_online() {
    clear_faults().await;
    let w = Widget::mount("offline").await;
    w.fill_valid();
    let key = w.draft_key();
    set_online(false);
    w.press_send();
    w.wait_text("queued", QUEUED).await;
    let notice = w.el(".moov-notice");
    assert_eq!(notice.get_attribute("role").as_deref(), Some("status"));
    assert_eq!(notice.get_attribute("aria-live").as_deref(), Some("polite"));
    assert!(notice.text_content().unwrap().contains(QUEUED));
    assert!(w.saw("queued").is_some());
    assert!(w.saw("error").is_none(), "nothing was sent, nothing failed");
    w.el("button.moov-cancel");
    // Nothing leaves while offline, and the draft stays.
    sleep(300).await;
    assert_eq!(tickets_under("offline", &key).await, 0);
    assert_eq!(w.draft_key(), key);
    set_online(true);
    w.wait_text("confirmation", "created").await;
    let ticket = w.saw("submitted").unwrap();
    assert_eq!(ticket["foreignID"].as_str(), Some(key.as_str()));
    assert_eq!(tickets_under("offline", &key).await, 1);
    assert_eq!(w.stored_draft(), None);
    w.remove();
}

#[wasm_bindgen_test]
async fn an_unreachable_proxy_queues_the_send_until_cancelled() {
    let token = session("unreachable").await;
    let w = Widget::mount_with(&[
        ("endpoint", "http://127.0.0.1:9/api/support/tickets"),
        ("session-token", &token),
    ])
    .await;
    w.fill_valid();
    let key = w.draft_key();
    w.press_send();
    w.wait_text("queued", QUEUED).await;
    let error = w.saw("error").expect("the network failure is reported");
    assert_eq!(error["status"], serde_json::Value::Null);
    assert!(w.saw("queued").is_some());
    assert_eq!(w.value("title"), "Payout missing");
    assert_eq!(w.draft_key(), key);
    // Cancel goes back to editing; the `online` event then sends nothing.
    w.el("button.moov-cancel")
        .unchecked_into::<HtmlElement>()
        .click();
    sleep(30).await;
    assert!(!w.text().contains(QUEUED), "{}", w.text());
    assert!(w.query("button.moov-cancel").is_none());
    let errors = || {
        w.events
            .borrow()
            .iter()
            .filter(|(n, _)| n == "error")
            .count()
    };
    let before = errors();
    set_online(true);
    sleep(200).await;
    assert_eq!(errors(), before, "a cancelled send stays cancelled");
    assert_eq!(w.draft_key(), key, "unedited: same key");
    // Editing a waiting send takes it back too, under a new key.
    w.press_send();
    w.wait_text("queued again", QUEUED).await;
    w.type_in("title", "Payout missing since Monday");
    sleep(30).await;
    assert!(!w.text().contains(QUEUED), "{}", w.text());
    assert_ne!(w.draft_key(), key);
    w.remove();
}
