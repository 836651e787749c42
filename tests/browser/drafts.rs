//! Drafts: restored on a new page, followed across tabs, kept per user and per form.

use moov_support::web::embed;

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

use crate::support::*;

#[wasm_bindgen_test]
async fn a_new_page_restores_what_was_typed() {
    let w = Widget::mount("reload").await;
    w.type_in("title", "Half-written subject");
    w.type_in("body", "Started typing…");
    w.remove();
    let again = Widget::mount("reload").await;
    assert_eq!(again.value("title"), "Half-written subject");
    assert_eq!(again.value("body"), "Started typing…");
    assert!(again.saw("draft-restored").is_some());
    assert!(again.text().contains("Your unsent message was restored."));
    again.remove();
    // Another user on the same computer does not see it.
    let other = Widget::mount("reload-other-user").await;
    assert_eq!(other.value("title"), "");
    other.remove();
}

/// What another tab's copy of the form does to the shared draft: the `storage` event a
/// browser fires in every other tab of the origin.
fn another_tab_saves(w: &Widget, draft: Option<&serde_json::Value>) {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let key = {
        let token = w.host.get_attribute("session-token").unwrap();
        let user = moov_support::claims::read(&token).unwrap().sub;
        format!(
            "moov-support:draft:v1:{}:{user}",
            w.host.get_attribute("endpoint").unwrap()
        )
    };
    let value = draft.map(|d| d.to_string());
    match &value {
        Some(v) => storage.set_item(&key, v).unwrap(),
        None => storage.remove_item(&key).unwrap(),
    }
    let init = web_sys::StorageEventInit::new();
    init.set_key(Some(&key));
    init.set_new_value(value.as_deref());
    init.set_storage_area(Some(&storage));
    let event = web_sys::StorageEvent::new_with_event_init_dict("storage", &init).unwrap();
    web_sys::window().unwrap().dispatch_event(&event).unwrap();
}

#[wasm_bindgen_test]
async fn a_draft_edited_in_another_tab_is_followed_here_and_a_send_there_empties_this_form() {
    clear_faults().await;
    let w = Widget::mount("two-tabs").await;
    w.fill_valid();
    let there = serde_json::json!({
        "title": "Payout missing, details added in the other tab",
        "message": "<p>It was due on <b>Monday</b>.</p>",
        "email": "jordan@example.com",
        "name": "Jordan Lee",
        "idempotency_key": "0b5d6a7e-1c2f-4e3a-9b8c-7d6e5f4a3b2c",
    });
    another_tab_saves(&w, Some(&there));
    sleep(50).await;
    assert_eq!(w.value("title"), there["title"]);
    assert_eq!(editor_html(&w), there["message"]);
    // Sent from here, it is that draft, under its key.
    w.press_send();
    w.wait_text("confirmation", "created").await;
    let ticket = w.saw("submitted").unwrap();
    assert_eq!(ticket["foreignID"], there["idempotency_key"]);
    assert_eq!(ticket["title"], there["title"]);
    w.remove();

    // The other tab sent it: this form empties rather than offering it again.
    let w = Widget::mount("two-tabs").await;
    w.fill_valid();
    another_tab_saves(&w, None);
    sleep(50).await;
    assert_eq!(w.value("title"), "");
    assert_eq!(editor_html(&w), "");
    w.remove();
}

#[wasm_bindgen_test]
async fn with_only_a_callback_the_draft_is_the_signed_in_users() {
    embed::register();
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let key = |user: &str| format!("moov-support:draft:v1:{}:{user}#by-callback", endpoint());
    let draft = |title: &str| {
        serde_json::json!({
            "title": title, "message": "<p>Saved.</p>", "email": "", "name": "",
            "idempotency_key": "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b",
        })
        .to_string()
    };
    // Someone before, whom no page identified, and this user's own earlier message.
    storage
        .set_item(&key("anonymous"), &draft("Somebody else's message"))
        .unwrap();
    storage
        .set_item(&key("callback-owner"), &draft("My own earlier message"))
        .unwrap();
    let host: HtmlElement = document()
        .create_element(embed::TAG)
        .unwrap()
        .unchecked_into();
    host.set_attribute("endpoint", &endpoint()).unwrap();
    host.set_id("by-callback");
    let (callback, _) = token_callback(session("callback-owner").await);
    js_sys::Reflect::set(&host, &"getSessionToken".into(), &callback).unwrap();
    let w = Widget::listen(host.clone());
    document().body().unwrap().append_child(&host).unwrap();
    w.wait_text("the form", "Send").await;
    wait_for("the owner's draft", || {
        w.value("title") == "My own earlier message"
    })
    .await;
    assert!(w.saw("draft-restored").is_some());
    // What is typed now is saved for that user alone.
    w.type_in("title", "My own message, edited");
    let mine: serde_json::Value =
        serde_json::from_str(&storage.get_item(&key("callback-owner")).unwrap().unwrap()).unwrap();
    assert_eq!(mine["title"], "My own message, edited");
    let theirs: serde_json::Value =
        serde_json::from_str(&storage.get_item(&key("anonymous")).unwrap().unwrap()).unwrap();
    assert_eq!(theirs["title"], "Somebody else's message");
    storage.remove_item(&key("anonymous")).unwrap();
    storage.remove_item(&key("callback-owner")).unwrap();
    w.remove();
}

#[wasm_bindgen_test]
async fn two_forms_on_one_page_keep_their_own_state_and_drafts() {
    clear_faults().await;
    let token = session("two-forms").await;
    let a = Widget::mount_with(&[
        ("endpoint", &endpoint()),
        ("session-token", &token),
        ("id", "first"),
    ])
    .await;
    let b = Widget::mount_with(&[
        ("endpoint", &endpoint()),
        ("session-token", &token),
        ("id", "second"),
    ])
    .await;
    a.fill_valid();
    b.type_in("title", "Only in the second");
    assert_eq!(b.value("body"), "");
    assert_eq!(a.value("title"), "Payout missing");
    assert_eq!(a.stored_draft().unwrap()["title"], "Payout missing");
    assert_eq!(b.stored_draft().unwrap()["title"], "Only in the second");
    a.press_send();
    a.wait_text("confirmation", "created").await;
    assert!(a.saw("submitted").is_some());
    assert!(b.saw("submitted").is_none(), "events stay on their element");
    assert!(b.text().contains("Send"));
    assert_eq!(b.stored_draft().unwrap()["title"], "Only in the second");
    a.remove();
    b.remove();
}
