//! "Your requests" without support's side: the list and its paging, a request's
//! conversation, read marks and the launcher's badge across a reload, the `view` option,
//! switching screens without losing a draft, right to left.

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

use crate::inbox_support::*;
use crate::support::*;

#[wasm_bindgen_test]
async fn the_list_shows_the_users_requests_newest_first_and_loads_more() {
    let user = &unique("inbox-paging");
    let token = user_session(user).await;
    let mut numbers = Vec::new();
    for n in 1..=21 {
        let t = file(
            &token,
            user,
            &format!("Paging {n}"),
            "<p>A payout question</p>",
        )
        .await;
        numbers.push(t["number"].as_i64().unwrap());
        // Each filing costs the proxy several calls to the sandbox, which limits them per
        // second as Moov does; the other tests share that budget.
        sleep(150).await;
    }
    let w = mount_requests(&token, &[]).await;
    let rows = w.rows();
    assert_eq!(rows.len(), 20, "a page: {rows:?}");
    assert!(rows[0].contains("Paging 21"), "newest first: {rows:?}");
    assert!(rows[0].contains(&format!("#{}", numbers[20])));
    assert!(rows[0].contains("New"), "the status as a word: {}", rows[0]);
    assert!(rows[19].contains("Paging 2"));
    let when = w.el(".moov-request-row .moov-row-when");
    assert!(
        when.text_content().unwrap().starts_with("Last activity "),
        "{:?}",
        when.text_content()
    );
    assert!(!when.get_attribute("title").unwrap_or_default().is_empty());

    w.click(".moov-load-more");
    wait_for("the second page", || w.rows().len() == 21).await;
    assert!(w.rows()[20].contains("Paging 1"));
    assert!(
        w.query(".moov-load-more").is_none(),
        "every request is there"
    );
    w.remove();
}

#[wasm_bindgen_test]
async fn an_empty_list_says_so() {
    let token = user_session("inbox-empty").await;
    let w = mount_requests(&token, &[]).await;
    w.wait_text("the empty state", "You have no requests yet.")
        .await;
    assert!(w.rows().is_empty());
    w.remove();
}

#[wasm_bindgen_test]
async fn a_request_shows_its_messages_and_who_wrote_them_and_focus_follows() {
    let user = &unique("inbox-request");
    let token = user_session(user).await;
    let t = file(
        &token,
        user,
        "Card declined",
        "<p>My card was <b>declined</b>.</p>",
    )
    .await;
    let id = id_of(&t);
    let w = mount_requests(&token, &[]).await;
    sleep(50).await;
    assert_eq!(
        w.focused_id(),
        None,
        "a page that shows the inbox keeps its focus"
    );
    w.open(&id).await;
    sleep(50).await;
    assert_eq!(w.focused_id().as_deref(), Some("moov-request-title"));
    assert_eq!(
        w.el("#moov-request-title").text_content().unwrap(),
        "Card declined"
    );
    let meta = w.el(".moov-request-meta").text_content().unwrap();
    assert!(
        meta.contains(&format!("Request #{}", t["number"])),
        "{meta}"
    );
    assert!(meta.contains("New"), "{meta}");
    let message = w.el(".moov-messages .moov-message");
    assert!(message.class_list().contains("moov-from-user"));
    assert_eq!(
        message
            .query_selector(".moov-author")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap(),
        "You"
    );
    let sent = message.query_selector(".moov-sent-on").unwrap().unwrap();
    assert!(!sent.text_content().unwrap().is_empty());
    wait_for("the cleaned body", || {
        message
            .query_selector(".moov-message-body b")
            .unwrap()
            .is_some()
    })
    .await;

    // Back to the list puts focus on the request's row; "New request" on the way back in.
    w.click(".moov-back");
    w.wait_for_el("the list", ".moov-request-list").await;
    sleep(50).await;
    let focused = w.root().active_element().unwrap();
    assert_eq!(
        focused.get_attribute("data-ticket").as_deref(),
        Some(id.as_str())
    );
    w.click(".moov-new-request");
    sleep(50).await;
    assert!(w.query(".moov-inbox").is_none());
    assert!(w
        .root()
        .active_element()
        .unwrap()
        .class_list()
        .contains("moov-your-requests"));
    w.remove();
}

#[wasm_bindgen_test]
async fn unread_marks_and_the_badge_survive_a_reload_and_reading_clears_them() {
    let user = &unique("inbox-unread");
    let token = user_session(user).await;
    let a = id_of(&file(&token, user, "Unread A", "<p>a</p>").await);
    let b = id_of(&file(&token, user, "Unread B", "<p>b</p>").await);
    let c = id_of(&file(&token, user, "Seen C", "<p>c</p>").await);
    // This browser last saw A and B before their latest message; C it has never seen.
    let marks = format!("{{\"{a}\":0,\"{b}\":0}}");
    storage().set_item(&seen_key(user), &marks).unwrap();
    let with_launcher = [("launcher", "")];

    let w = mount_requests(&token, &with_launcher).await;
    let launcher = w.el("button.moov-launcher");
    wait_for("the badge", || {
        w.query(".moov-badge")
            .and_then(|b| b.text_content())
            .as_deref()
            == Some("2")
    })
    .await;
    assert_eq!(
        launcher.get_attribute("aria-label").as_deref(),
        Some("Contact support (2 unread replies)")
    );
    assert!(w.is_unread(&a) && w.is_unread(&b) && !w.is_unread(&c));
    assert!(w
        .row(&a)
        .unwrap()
        .text_content()
        .unwrap()
        .contains("New reply"));
    assert_eq!(w.saw("unread"), Some(serde_json::json!({ "count": 2 })));
    w.remove();

    // After a reload the marks are still there; reading one clears it.
    let w = mount_requests(&token, &with_launcher).await;
    wait_for("the marks", || w.is_unread(&a) && w.is_unread(&b)).await;
    w.el("button.moov-launcher")
        .unchecked_into::<HtmlElement>()
        .click();
    w.open(&a).await;
    wait_for("one unread", || {
        w.el("button.moov-launcher")
            .get_attribute("aria-label")
            .as_deref()
            == Some("Contact support (1 unread reply)")
    })
    .await;
    assert_eq!(w.el(".moov-badge").text_content().as_deref(), Some("1"));
    w.remove();

    let w = mount_requests(&token, &with_launcher).await;
    wait_for("B still unread", || w.is_unread(&b)).await;
    assert!(!w.is_unread(&a), "read stays read");
    assert!(!w.is_unread(&c));
    w.remove();
}

#[wasm_bindgen_test]
async fn the_view_option_and_switching_screens_keep_the_draft() {
    let user = &unique("inbox-view");
    let token = user_session(user).await;
    let w = Widget::mount_with(&[("endpoint", &endpoint()), ("session-token", &token)]).await;
    assert!(w.query(".moov-inbox").is_none(), "the form first");
    w.type_in("title", "Half-written");
    w.click(".moov-your-requests");
    w.wait_for_el("the inbox", ".moov-inbox").await;
    sleep(50).await;
    assert_eq!(w.focused_id().as_deref(), Some("moov-inbox-title"));
    assert!(w.el(".moov-form-screen").has_attribute("hidden"));
    w.click(".moov-new-request");
    sleep(50).await;
    assert_eq!(
        w.value("title"),
        "Half-written",
        "switching never loses typing"
    );

    // The property reflects to the attribute and opens the inbox.
    js_sys::Reflect::set(&w.host, &"view".into(), &"requests".into()).unwrap();
    assert_eq!(w.host.get_attribute("view").as_deref(), Some("requests"));
    w.wait_for_el("the inbox", ".moov-inbox").await;
    w.click(".moov-new-request");
    sleep(50).await;
    assert_eq!(w.value("title"), "Half-written");

    // Filed from the form: "View your requests" shows it, read.
    w.fill_valid();
    w.press_send();
    w.wait_for_el("the confirmation", ".moov-view-requests")
        .await;
    let number = w.saw("submitted").unwrap()["number"].as_i64().unwrap();
    let id = w.saw("submitted").unwrap()["ticketID"]
        .as_str()
        .unwrap()
        .to_owned();
    w.click(".moov-view-requests");
    wait_for("the new request", || w.row(&id).is_some()).await;
    assert!(w.rows()[0].contains(&format!("#{number}")));
    assert!(!w.is_unread(&id), "a request the user filed here is read");
    w.remove();
}

#[wasm_bindgen_test]
async fn arabic_lays_the_inbox_out_right_to_left() {
    let user = &unique("inbox-rtl");
    let token = user_session(user).await;
    file(&token, user, "RTL", "<p>x</p>").await;
    let w = mount_requests(&token, &[("locale", "ar")]).await;
    let root = w.el(".moov-support");
    assert_eq!(root.get_attribute("dir").as_deref(), Some("rtl"));
    assert_eq!(root.get_attribute("lang").as_deref(), Some("ar"));
    assert_eq!(computed(&w.el(".moov-inbox"), "direction"), "rtl");
    assert_eq!(computed(&w.el(".moov-request-row"), "text-align"), "start");
    w.remove();
}
