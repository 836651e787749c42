//! "Your requests" with support's side: replies arriving live (through the sandbox's signed
//! webhooks, the proxy's event stream), rendered inert, closing, and the live channel coming
//! back after it drops.

use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

use crate::inbox_support::*;
use crate::support::*;

/// Whether the live channel is connected.
fn live(w: &Widget) -> bool {
    w.el(".moov-inbox")
        .get_attribute("data-connection")
        .as_deref()
        == Some("live")
}

#[wasm_bindgen_test]
async fn a_reply_arrives_within_3_seconds_marked_moved_up_and_announced() {
    let user = &unique("inbox-live");
    let token = user_session(user).await;
    let first = file(&token, user, "Older request", "<p>one</p>").await;
    let newer = file(&token, user, "Newer request", "<p>two</p>").await;
    let (id, number) = (id_of(&first), first["number"].as_i64().unwrap());
    let w = mount_requests(&token, &[("launcher", "")]).await;
    assert!(w.rows()[0].contains("Newer request"));
    assert!(w.row(&id_of(&newer)).is_some());
    // Connected: the stream said "ready" and nothing is reported as wrong.
    wait_secs("connected", 10, || live(&w)).await;
    sleep(300).await;

    next_second().await;
    reply(&id, "<p>We are on it.</p>", Some("in-progress")).await;
    wait_secs("the reply, live", 3, || w.is_unread(&id)).await;
    assert!(
        w.rows()[0].contains("Older request"),
        "moved to the top: {:?}",
        w.rows()
    );
    wait_secs("the status", 3, || w.rows()[0].contains("In progress")).await;
    assert_eq!(w.el(".moov-badge").text_content().as_deref(), Some("1"));
    assert_eq!(
        w.saw("reply"),
        Some(serde_json::json!({ "ticketID": id, "number": number }))
    );
    assert!(w
        .events
        .borrow()
        .iter()
        .any(|(n, d)| n == "unread" && d["count"] == 1));

    // Open: both messages, support's last; a second reply appears in place, announced.
    w.open(&id).await;
    wait_for("two messages", || {
        w.root()
            .query_selector_all(".moov-message")
            .unwrap()
            .length()
            == 2
    })
    .await;
    let last = w.el(".moov-message:last-child");
    assert!(last.class_list().contains("moov-from-support"));
    assert!(last.text_content().unwrap().contains("Moov support"));
    wait_for("read", || w.query(".moov-badge").is_none()).await;
    next_second().await;
    reply(&id, "<p>Fixed now.</p>", None).await;
    wait_secs("the second reply in the open request", 3, || {
        w.root()
            .query_selector_all(".moov-message")
            .unwrap()
            .length()
            == 3
    })
    .await;
    let live = w.el(".moov-inbox > [aria-live=polite]");
    wait_for("the announcement", || {
        live.text_content().unwrap_or_default()
            == format!("New reply from Moov support on request #{number}")
    })
    .await;
    assert!(w.query(".moov-badge").is_none(), "read as it arrived");
    w.remove();
}

#[wasm_bindgen_test]
async fn a_hostile_reply_renders_inert() {
    let (token, id) = user_with_request("inbox-xss", "Hostile", "<p>hi</p>").await;
    reply(
        &id,
        "<p>ok</p><img src=\"x\" onerror=\"window.__moovPwned=1\"><script>window.__moovPwned=2</script>",
        None,
    )
    .await;
    let w = mount_requests(&token, &[]).await;
    w.open(&id).await;
    wait_for("the reply", || w.text().contains("ok")).await;
    sleep(300).await;
    let body = w
        .el(".moov-message:last-child .moov-message-body")
        .inner_html();
    assert!(
        !body.contains("onerror") && !body.contains("<script"),
        "{body}"
    );
    let window = web_sys::window().unwrap();
    let pwned = js_sys::Reflect::get(&window, &"__moovPwned".into()).unwrap();
    assert_eq!(pwned, JsValue::UNDEFINED);
    w.remove();
}

#[wasm_bindgen_test]
async fn closing_asks_first_then_shows_the_closing_date_and_twice_is_harmless() {
    let (token, id) = user_with_request("inbox-close", "Close me", "<p>done soon</p>").await;
    let w = mount_requests(&token, &[]).await;
    w.open(&id).await;
    w.click(".moov-close-request");
    w.wait_for_el("the question", ".moov-close-confirm").await;
    sleep(50).await;
    assert!(w
        .root()
        .active_element()
        .unwrap()
        .class_list()
        .contains("moov-close-no"));
    w.click(".moov-close-no");
    sleep(50).await;
    assert!(w
        .root()
        .active_element()
        .unwrap()
        .class_list()
        .contains("moov-close-request"));

    w.click(".moov-close-request");
    w.wait_for_el("the question", ".moov-close-yes").await;
    w.click(".moov-close-yes");
    wait_for("closed", || {
        !w.el(".moov-closed-on").has_attribute("hidden")
    })
    .await;
    let closed = w.el(".moov-closed-on").text_content().unwrap();
    assert!(closed.starts_with("Closed on "), "{closed}");
    assert!(w
        .el(".moov-request-meta")
        .text_content()
        .unwrap()
        .contains("Closed"));
    assert!(w.query(".moov-close-request").is_none());

    // Closing a closed request again answers the ticket, still closed.
    let url = format!("{}/{id}", endpoint());
    let again = fetch_json_as(Some(&token), "PATCH", &url, Some(r#"{"status":"closed"}"#)).await;
    assert_eq!(again["status"], "closed");
    w.remove();
}

#[wasm_bindgen_test]
async fn the_live_channel_comes_back_after_it_drops() {
    let (token, id) = user_with_request("inbox-reconnect", "Reconnect", "<p>x</p>").await;
    let w = mount_requests(&token, &[]).await;
    let notice = w.el(".moov-connection");
    wait_secs("connected", 10, || live(&w)).await;

    let window = web_sys::window().unwrap();
    window
        .dispatch_event(&web_sys::Event::new("offline").unwrap())
        .unwrap();
    wait_for("the notice", || !notice.has_attribute("hidden")).await;
    assert!(
        w.rows().iter().any(|r| r.contains("Reconnect")),
        "what is shown stays"
    );
    window
        .dispatch_event(&web_sys::Event::new("online").unwrap())
        .unwrap();
    wait_secs("connected again", 10, || live(&w)).await;
    assert!(notice.has_attribute("hidden"));

    next_second().await;
    reply(&id, "<p>Back.</p>", None).await;
    wait_secs("a reply after reconnecting", 3, || w.is_unread(&id)).await;
    w.remove();
}

/// One user's launcher and inline form on one page, both live, and a reply from support
/// that both show as unread: the ticket's id and the two widgets.
async fn two_widgets_with_a_reply(name: &str) -> (String, Widget, Widget) {
    let (token, id) = user_with_request(name, name, "<p>x</p>").await;
    let launcher = mount_requests(&token, &[("launcher", "")]).await;
    wait_secs("the launcher connected", 10, || live(&launcher)).await;
    let inline = mount_requests(&token, &[]).await;
    wait_secs("the inline form connected as well", 10, || live(&inline)).await;
    sleep(300).await;

    next_second().await;
    reply(&id, "<p>Both of you.</p>", None).await;
    wait_secs("the reply in the inline form", 3, || inline.is_unread(&id)).await;
    wait_secs("the reply in the launcher", 3, || launcher.is_unread(&id)).await;
    (id, launcher, inline)
}

/// A page with an inline form and the launcher reads the same stream twice at once: each
/// widget is live and gets the reply, not only the one that connected first.
#[wasm_bindgen_test]
async fn two_widgets_on_one_page_both_get_a_reply_live() {
    let (_, launcher, inline) = two_widgets_with_a_reply("inbox-two-widgets").await;
    inline.remove();
    launcher.remove();
}

/// A reply read in one widget is read in every widget of the page: the launcher's mark (and
/// so its badge) clears when the inline form opens the request.
#[wasm_bindgen_test]
async fn a_reply_read_in_one_widget_is_read_in_the_others() {
    let (id, launcher, inline) = two_widgets_with_a_reply("inbox-read-once").await;
    inline.open(&id).await;
    wait_secs("the launcher's mark cleared", 3, || {
        !launcher.is_unread(&id)
    })
    .await;
    inline.remove();
    launcher.remove();
}
