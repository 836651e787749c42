//! The widget in a real headless browser, talking to a real proxy in sandbox mode.
//!
//! `cargo xtask test` starts `moov-support-proxy` (sandbox mode) and compiles these tests with
//! `MOOV_SUPPORT_TEST_PROXY` pointing at it. Each test mounts `<moov-support-form>` exactly as a
//! partner page does, acts on the real DOM inside its shadow root and asserts on what a user
//! would see.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use moov_support::web::embed;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, HtmlInputElement, ShadowRoot};

wasm_bindgen_test_configure!(run_in_browser);

const PROXY: &str = match option_env!("MOOV_SUPPORT_TEST_PROXY") {
    Some(url) => url,
    None => "http://127.0.0.1:3999",
};

fn endpoint() -> String {
    format!("{PROXY}/api/support/tickets")
}

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// Polls until `cond` holds, failing the test with `what` after five seconds.
async fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
    for _ in 0..250 {
        if cond() {
            return;
        }
        sleep(20).await;
    }
    panic!("timed out waiting for: {what}");
}

async fn fetch_json(method: &str, url: &str, body: Option<&str>) -> serde_json::Value {
    fetch_json_as(None, method, url, body).await
}

/// [`fetch_json`] with a session token, as the widget sends it.
async fn fetch_json_as(
    token: Option<&str>,
    method: &str,
    url: &str,
    body: Option<&str>,
) -> serde_json::Value {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().unwrap();
    if let Some(body) = body {
        init.set_body(&JsValue::from_str(body));
        headers.set("content-type", "application/json").unwrap();
    }
    if let Some(token) = token {
        headers
            .set("authorization", &format!("Bearer {token}"))
            .unwrap();
    }
    init.set_headers(&headers);
    let window = web_sys::window().unwrap();
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .unwrap_or_else(|e| panic!("{method} {url} failed: {e:?}; is the test proxy running?"))
        .unchecked_into();
    assert!(response.ok(), "{method} {url}: HTTP {}", response.status());
    let text = JsFuture::from(response.text().unwrap()).await.unwrap();
    serde_json::from_str(&text.as_string().unwrap()).unwrap_or(serde_json::Value::Null)
}

/// A dev session token for a user of its own, so tests never share a draft.
async fn session(user: &str) -> String {
    let v = fetch_json("GET", &format!("{PROXY}/api/dev/session?sub={user}"), None).await;
    v["token"].as_str().expect("token").to_owned()
}

/// Scripts the sandbox's next answer to a ticket creation.
async fn fault(json: &str) {
    fetch_json("POST", &format!("{PROXY}/api/dev/faults"), Some(json)).await;
}

async fn clear_faults() {
    fetch_json("DELETE", &format!("{PROXY}/api/dev/faults"), None).await;
}

/// Makes the sandbox's OAuth token endpoint answer `status` (`None`: work again).
async fn token_endpoint_fails(status: Option<u16>) {
    let body = serde_json::json!({ "status": status }).to_string();
    fetch_json(
        "POST",
        &format!("{PROXY}/api/dev/token-failure"),
        Some(&body),
    )
    .await;
}

/// How many of the account's tickets carry `key`, read back through the proxy as `user`:
/// the proxy files a draft's idempotency key as the ticket's `foreignID`.
async fn tickets_under(user: &str, key: &str) -> usize {
    let token = session(user).await;
    let url = format!("{}?count=200", endpoint());
    let page = fetch_json_as(Some(&token), "GET", &url, None).await;
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("a page of tickets: {page}"))
        .iter()
        .filter(|t| t["foreignID"].as_str() == Some(key))
        .count()
}

/// One `<moov-support-form>` on the page.
struct Widget {
    host: HtmlElement,
    events: Rc<RefCell<Vec<(String, serde_json::Value)>>>,
    _listeners: Vec<Closure<dyn FnMut(web_sys::CustomEvent)>>,
}

impl Widget {
    async fn mount(user: &str) -> Widget {
        let token = session(user).await;
        Widget::mount_with(&[("endpoint", &endpoint()), ("session-token", &token)]).await
    }

    async fn mount_with(attributes: &[(&str, &str)]) -> Widget {
        embed::register();
        let host: HtmlElement = document()
            .create_element(embed::TAG)
            .unwrap()
            .unchecked_into();
        for (k, v) in attributes {
            host.set_attribute(k, v).unwrap();
        }
        let w = Widget::listen(host.clone());
        document().body().unwrap().append_child(&host).unwrap();
        w.wait_text("the form", "Send").await;
        // Field values are applied on the next turn of the reactive system.
        sleep(50).await;
        w
    }

    /// Records the `moov-support:*` events `host` dispatches.
    fn listen(host: HtmlElement) -> Widget {
        let events = Rc::new(RefCell::new(Vec::new()));
        let mut listeners = Vec::new();
        for name in ["ready", "submitted", "error", "draft-restored", "queued"] {
            let log = events.clone();
            let listener =
                Closure::<dyn FnMut(web_sys::CustomEvent)>::new(move |e: web_sys::CustomEvent| {
                    let detail = serde_wasm_bindgen::from_value(e.detail())
                        .unwrap_or(serde_json::Value::Null);
                    log.borrow_mut().push((name.to_owned(), detail));
                });
            host.add_event_listener_with_callback(
                &format!("moov-support:{name}"),
                listener.as_ref().unchecked_ref(),
            )
            .unwrap();
            listeners.push(listener);
        }
        Widget {
            host,
            events,
            _listeners: listeners,
        }
    }

    fn root(&self) -> ShadowRoot {
        self.host.shadow_root().expect("an open shadow root")
    }

    fn query(&self, selector: &str) -> Option<web_sys::Element> {
        self.root().query_selector(selector).unwrap()
    }

    fn el(&self, selector: &str) -> web_sys::Element {
        self.query(selector)
            .unwrap_or_else(|| panic!("no element matches {selector}"))
    }

    fn text(&self) -> String {
        self.root()
            .text_content()
            .unwrap_or_default()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    async fn wait_text(&self, what: &str, needle: &str) {
        wait_for(&format!("{what} ({needle:?})"), || {
            self.text().contains(needle)
        })
        .await;
    }

    /// What the field shows: an input's value, the message editor's text.
    fn value(&self, field: &str) -> String {
        let el = self.el(&format!("#moov-{field}"));
        match el.dyn_ref::<HtmlInputElement>() {
            Some(input) => input.value(),
            None => el.unchecked_into::<HtmlElement>().inner_text(),
        }
    }

    /// Types into a field the way a browser reports it: set the value (in the message editor,
    /// the paragraphs a user would type), fire `input`.
    fn type_in(&self, field: &str, value: &str) {
        let el = self.el(&format!("#moov-{field}"));
        match el.dyn_ref::<HtmlInputElement>() {
            Some(input) => input.set_value(value),
            None => el.set_inner_html(&moov_support::sanitize::text_to_html(value)),
        }
        let ev = web_sys::Event::new("input").unwrap();
        el.dispatch_event(&ev).unwrap();
    }

    /// Leaves a field, which triggers its live validation.
    fn leave(&self, field: &str) {
        let el = self.el(&format!("#moov-{field}"));
        el.dispatch_event(&web_sys::Event::new("blur").unwrap())
            .unwrap();
    }

    fn fill_valid(&self) {
        self.type_in("title", "Payout missing");
        self.type_in("body", "My payout from Monday\nhas not arrived.");
        self.type_in("email", "jordan@example.com");
        self.type_in("name", "Jordan Lee");
    }

    fn press_send(&self) {
        self.el("button.moov-send")
            .unchecked_into::<HtmlElement>()
            .click();
    }

    fn error_of(&self, field: &str) -> Option<String> {
        let el = self.el(&format!("#moov-{field}-error"));
        if el.has_attribute("hidden") {
            None
        } else {
            el.text_content()
        }
    }

    fn focused_id(&self) -> Option<String> {
        self.root().active_element().map(|e| e.id())
    }

    fn saw(&self, event: &str) -> Option<serde_json::Value> {
        self.events
            .borrow()
            .iter()
            .find(|(n, _)| n == event)
            .map(|(_, d)| d.clone())
    }

    /// The idempotency key of the saved draft.
    fn draft_key(&self) -> String {
        let draft = self.stored_draft().expect("a saved draft");
        draft["idempotency_key"].as_str().unwrap().to_owned()
    }

    /// This widget's user's saved draft.
    fn stored_draft(&self) -> Option<serde_json::Value> {
        let token = self.host.get_attribute("session-token")?;
        let user = moov_support::draft::session_hint(&token)?.sub;
        let endpoint = self.host.get_attribute("endpoint")?;
        let mut key = format!("moov-support:draft:v1:{endpoint}:{user}");
        if !self.host.id().is_empty() {
            key = format!("{key}#{}", self.host.id());
        }
        let storage = web_sys::window()?.local_storage().ok()??;
        let raw = storage.get_item(&key).ok()??;
        serde_json::from_str(&raw).ok()
    }

    fn remove(self) {
        self.host.remove();
    }
}

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
        let user = moov_support::draft::session_hint(&token).unwrap().sub;
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

/// `window.MoovSupport`, as a partner's script sees it.
fn moov_support() -> JsValue {
    js_sys::Reflect::get(&web_sys::window().unwrap(), &"MoovSupport".into()).unwrap()
}

fn call(target: &JsValue, method: &str, args: &[&JsValue]) -> Result<JsValue, JsValue> {
    let f: js_sys::Function = js_sys::Reflect::get(target, &method.into())?.unchecked_into();
    f.apply(target, &args.iter().copied().collect::<js_sys::Array>())
}

/// A JS object from string pairs.
fn object(pairs: &[(&str, JsValue)]) -> js_sys::Object {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        js_sys::Reflect::set(&o, &(*k).into(), v).unwrap();
    }
    o
}

/// A `getSessionToken` callback answering `token` asynchronously, and how often it was called.
fn token_callback(token: String) -> (JsValue, Rc<RefCell<u32>>) {
    let calls = Rc::new(RefCell::new(0));
    let counted = calls.clone();
    let callback = Closure::<dyn FnMut() -> js_sys::Promise>::new(move || {
        *counted.borrow_mut() += 1;
        let token = token.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            sleep(10).await;
            Ok(JsValue::from_str(&token))
        })
    });
    (callback.into_js_value(), calls)
}

fn is_read_only(w: &Widget, field: &str) -> bool {
    w.el(&format!("#moov-{field}"))
        .unchecked_into::<HtmlInputElement>()
        .read_only()
}

#[wasm_bindgen_test]
async fn a_locked_contact_the_rules_refuse_stays_editable() {
    let token = session("locked").await;
    let locked = |email: &'static str| {
        let token = token.clone();
        async move {
            Widget::mount_with(&[
                ("endpoint", &endpoint()),
                ("session-token", &token),
                ("contact-email", email),
                ("lock-contact", ""),
            ])
            .await
        }
    };
    let w = locked("jordan@example.com").await;
    assert!(is_read_only(&w, "email"));
    w.remove();
    // A field the user could not correct would keep Send from ever working.
    let w = locked("jordan at example").await;
    assert!(!is_read_only(&w, "email"));
    assert!(!is_read_only(&w, "name"));
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
async fn without_a_page_token_the_callback_is_asked_at_every_send() {
    clear_faults().await;
    let w = Widget::mount_with(&[("endpoint", &endpoint()), ("id", "per-send")]).await;
    let (callback, calls) = token_callback(session("per-send").await);
    js_sys::Reflect::set(&w.host, &"getSessionToken".into(), &callback).unwrap();
    for sent in 1..=2 {
        w.fill_valid();
        w.press_send();
        w.wait_text("confirmation", "created").await;
        // A user who signed out between two messages must not send the second one.
        assert_eq!(*calls.borrow(), sent);
        w.el("button.moov-again")
            .unchecked_into::<HtmlElement>()
            .click();
        wait_for("the form again", || w.query("#moov-title").is_some()).await;
    }
    w.remove();
}

#[wasm_bindgen_test]
async fn the_js_api_mounts_a_configured_form_and_unmounts_it() {
    embed::register();
    let api = moov_support();
    let keys = js_sys::Object::keys(api.unchecked_ref::<js_sys::Object>());
    assert_eq!(
        keys.iter()
            .map(|k| k.as_string().unwrap())
            .collect::<Vec<_>>(),
        ["mount", "unmount"]
    );
    assert!(js_sys::Object::is_frozen(
        api.unchecked_ref::<js_sys::Object>()
    ));

    // No draft saved for this endpoint by anyone: nobody's draft to restore.
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let prefix = format!("moov-support:draft:v1:{}:", endpoint());
    let saved: Vec<String> = (0..storage.length().unwrap())
        .filter_map(|i| storage.key(i).unwrap())
        .filter(|k| k.starts_with(&prefix))
        .collect();
    for key in saved {
        storage.remove_item(&key).unwrap();
    }
    let container = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&container).unwrap();
    let (callback, calls) = token_callback(session("js-api").await);
    let options = object(&[
        ("endpoint", endpoint().into()),
        ("contactEmail", "partner-known@example.com".into()),
        ("contactName", "Sam Partner".into()),
        ("lockContact", true.into()),
        ("getSessionToken", callback),
    ]);
    let host: HtmlElement = call(&api, "mount", &[&container, &options])
        .unwrap()
        .unchecked_into();
    assert_eq!(host.local_name(), embed::TAG);
    assert_eq!(host.parent_element().unwrap(), container);
    // camelCase properties reflect to kebab-case attributes.
    assert_eq!(
        host.get_attribute("contact-email").as_deref(),
        Some("partner-known@example.com")
    );
    assert!(host.has_attribute("lock-contact"));
    let w = Widget::listen(host);
    w.wait_text("the form", "Send").await;
    sleep(50).await;
    assert_eq!(w.value("email"), "partner-known@example.com");
    assert_eq!(w.value("name"), "Sam Partner");
    assert!(is_read_only(&w, "email") && is_read_only(&w, "name"));
    assert!(!is_read_only(&w, "title"));

    // No token was given, and nothing saved to restore: a page that only shows the form
    // costs the partner no call. The first edit asks whose draft it is; the send asks again.
    clear_faults().await;
    assert_eq!(*calls.borrow(), 0);
    w.type_in("title", "Mounted from script");
    sleep(50).await;
    assert_eq!(*calls.borrow(), 1);
    w.type_in("body", "Hello");
    w.press_send();
    w.wait_text("confirmation", "created").await;
    assert_eq!(*calls.borrow(), 2);

    call(&api, "unmount", &[&container]).unwrap();
    assert!(container.query_selector(embed::TAG).unwrap().is_none());
    assert!(call(
        &api,
        "mount",
        &[&container, &object(&[("colour", "red".into())])]
    )
    .is_err());
    container.remove();
}

/// How many forms have been drawn on this page so far (`moov-support:ready` marks).
fn forms_drawn() -> u32 {
    web_sys::window()
        .unwrap()
        .performance()
        .unwrap()
        .get_entries_by_name("moov-support:ready")
        .length()
}

#[wasm_bindgen_test]
async fn markup_with_many_attributes_draws_its_form_once_and_an_attribute_change_redraws_it() {
    embed::register();
    let container = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&container).unwrap();
    let before = forms_drawn();
    // Parsed markup upgrades the element with every attribute already set, which reports
    // each as a change before the element connects.
    container.set_inner_html(&format!(
        r#"<{} endpoint="{}" locale="es" contact-email="a@example.com" contact-name="A" timeout-ms="9000"></{0}>"#,
        embed::TAG,
        endpoint()
    ));
    let host: HtmlElement = container
        .query_selector(embed::TAG)
        .unwrap()
        .unwrap()
        .unchecked_into();
    let w = Widget::listen(host.clone());
    w.wait_text("the form", "Enviar").await;
    assert_eq!(forms_drawn() - before, 1, "one form for one element");
    host.set_attribute("locale", "fr").unwrap();
    w.wait_text("the form in French", "Envoyer").await;
    assert_eq!(
        forms_drawn() - before,
        2,
        "a changed attribute draws it again"
    );
    container.remove();
}

#[wasm_bindgen_test]
async fn a_refused_token_is_renewed_once_through_the_callback() {
    clear_faults().await;
    let w = Widget::mount_with(&[
        ("endpoint", &endpoint()),
        ("session-token", "expired.token.value"),
        ("id", "renewal"),
    ])
    .await;
    let (callback, calls) = token_callback(session("renewal").await);
    js_sys::Reflect::set(&w.host, &"getSessionToken".into(), &callback).unwrap();
    w.fill_valid();
    w.press_send();
    w.wait_text("confirmation", "created").await;
    assert_eq!(*calls.borrow(), 1);
    assert!(w.saw("error").is_none());
    w.remove();

    // Without a callback the same refusal is reported.
    let plain = Widget::mount_with(&[
        ("endpoint", &endpoint()),
        ("session-token", "expired.token.value"),
        ("id", "no-renewal"),
    ])
    .await;
    plain.fill_valid();
    plain.press_send();
    plain
        .wait_text("session expired", "Your session has expired")
        .await;
    assert_eq!(plain.saw("error").unwrap()["status"], 401);
    plain.remove();
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

/// Adds a `<style>` to the test page; removed when dropped.
struct PageStyle(web_sys::Element);

impl PageStyle {
    fn add(css: &str) -> PageStyle {
        let style = document().create_element("style").unwrap();
        style.set_text_content(Some(css));
        document().head().unwrap().append_child(&style).unwrap();
        PageStyle(style)
    }
}

impl Drop for PageStyle {
    fn drop(&mut self) {
        self.0.remove();
    }
}

fn computed(el: &web_sys::Element, property: &str) -> String {
    web_sys::window()
        .unwrap()
        .get_computed_style(el)
        .unwrap()
        .unwrap()
        .get_property_value(property)
        .unwrap()
}

#[wasm_bindgen_test]
async fn page_css_and_widget_css_stay_on_their_side() {
    let _hostile = PageStyle::add(
        "html { font-size: 40px } * { color: red !important; font-size: 40px } \
         input, textarea { display: none } label { visibility: hidden }",
    );
    let w = Widget::mount("isolation").await;
    let title = w.el("#moov-title");
    assert_eq!(computed(&title, "display"), "block");
    assert_eq!(computed(&title, "font-size"), "16px");
    let label = w.el("label[for=moov-title]");
    assert_ne!(computed(&label, "color"), "rgb(255, 0, 0)");
    assert_eq!(computed(&label, "visibility"), "visible");
    assert_eq!(computed(&w.el(".moov-hint"), "font-size"), "13.6px");
    // Nothing is styled inline, so `style-src 'self'` needs no exception.
    assert_eq!(w.root().query_selector_all("[style]").unwrap().length(), 0);
    // The widget's rules do not style the page's own buttons.
    let page_button = document().create_element("button").unwrap();
    document()
        .body()
        .unwrap()
        .append_child(&page_button)
        .unwrap();
    assert_ne!(computed(&page_button, "border-radius"), "6px");
    assert_ne!(
        computed(&page_button, "background-color"),
        computed(&w.el("button.moov-send"), "background-color")
    );
    page_button.remove();
    w.remove();
}

#[wasm_bindgen_test]
async fn theme_variables_from_the_page_style_the_form() {
    let _theme = PageStyle::add(
        ":root { --moov-font-family: Georgia, serif } \
         moov-support-form#themed { --moov-color-primary: rgb(1, 2, 3); \
         --moov-color-on-primary: rgb(250, 250, 250); --moov-color-background: rgb(17, 24, 39); \
         --moov-color-high-contrast: rgb(243, 244, 246); --moov-color-danger: rgb(255, 138, 128); \
         --moov-radius-small: 3px; --moov-radius-large: 20px }",
    );
    let token = session("theme").await;
    let w = Widget::mount_with(&[
        ("endpoint", &endpoint()),
        ("session-token", &token),
        ("id", "themed"),
    ])
    .await;
    let send = w.el("button.moov-send");
    assert_eq!(computed(&send, "background-color"), "rgb(1, 2, 3)");
    assert_eq!(computed(&send, "color"), "rgb(250, 250, 250)");
    assert_eq!(computed(&send, "border-top-left-radius"), "3px");
    let panel = w.el(".moov-support");
    assert_eq!(computed(&panel, "background-color"), "rgb(17, 24, 39)");
    assert_eq!(computed(&panel, "border-top-left-radius"), "20px");
    assert_eq!(
        computed(&w.el("label[for=moov-title]"), "color"),
        "rgb(243, 244, 246)"
    );
    assert!(computed(&panel, "font-family").starts_with("Georgia"));
    // Errors take the danger color.
    w.type_in("email", "nope");
    w.leave("email");
    sleep(30).await;
    assert_eq!(
        computed(&w.el("#moov-email-error"), "color"),
        "rgb(255, 138, 128)"
    );
    w.remove();

    // Without variables the defaults apply.
    let plain = Widget::mount("theme-default").await;
    assert_eq!(
        computed(&plain.el("button.moov-send"), "background-color"),
        "rgb(11, 95, 255)"
    );
    plain.remove();
}

#[wasm_bindgen_test]
async fn each_locale_translates_labels_and_messages_and_arabic_is_rtl() {
    let token = session("locales").await;
    let cases = [
        ("en", "Subject", "Send", "Enter a subject.", "ltr"),
        ("es-MX", "Asunto", "Enviar", "Escribe un asunto.", "ltr"),
        ("fr", "Objet", "Envoyer", "Saisissez un objet.", "ltr"),
        (
            "de-DE",
            "Betreff",
            "Senden",
            "Geben Sie einen Betreff ein.",
            "ltr",
        ),
        ("pt-BR", "Assunto", "Enviar", "Informe um assunto.", "ltr"),
        ("ja", "件名", "送信", "件名を入力してください。", "ltr"),
        ("ar", "الموضوع", "إرسال", "أدخل موضوعًا.", "rtl"),
    ];
    for (locale, subject, send, required, dir) in cases {
        embed::register();
        let host: HtmlElement = document()
            .create_element(embed::TAG)
            .unwrap()
            .unchecked_into();
        for (k, v) in [
            ("endpoint", endpoint().as_str()),
            ("session-token", &token),
            ("locale", locale),
            ("id", &format!("locale-{locale}")),
        ] {
            host.set_attribute(k, v).unwrap();
        }
        let w = Widget::listen(host.clone());
        document().body().unwrap().append_child(&host).unwrap();
        w.wait_text(&format!("the {locale} form"), send).await;
        sleep(30).await;
        assert_eq!(
            w.el("label[for=moov-title]").text_content().unwrap(),
            subject,
            "{locale}"
        );
        assert_eq!(w.el("button.moov-send").text_content().unwrap(), send);
        let root = w.el(".moov-support");
        assert_eq!(root.get_attribute("dir").as_deref(), Some(dir), "{locale}");
        assert_eq!(computed(&root, "direction"), dir, "{locale}");
        w.type_in("title", "");
        w.press_send();
        wait_for(&format!("{locale} error"), || w.error_of("title").is_some()).await;
        assert_eq!(w.error_of("title").as_deref(), Some(required), "{locale}");
        w.remove();
    }
}

#[wasm_bindgen_test]
async fn without_a_locale_the_browser_language_is_used_and_server_errors_stay_as_sent() {
    clear_faults().await;
    let navigator = web_sys::window().unwrap().navigator();
    let languages = js_sys::Array::of2(&"xx-YY".into(), &"de-AT".into());
    let descriptor = object(&[("value", languages.into()), ("configurable", true.into())]);
    js_sys::Reflect::define_property(&navigator, &"languages".into(), &descriptor).unwrap();
    let w = Widget::mount_with(&[
        ("endpoint", &endpoint()),
        ("session-token", &session("browser-language").await),
        ("locale", "zz"),
    ])
    .await;
    js_sys::Reflect::delete_property(&navigator, &"languages".into()).unwrap();
    assert_eq!(
        w.el("label[for=moov-title]").text_content().unwrap(),
        "Betreff"
    );
    w.fill_valid();
    fault(r#"{"status":422,"body":{"title":"Server says no."}}"#).await;
    w.press_send();
    wait_for("server error", || w.error_of("title").is_some()).await;
    assert_eq!(w.error_of("title").as_deref(), Some("Server says no."));
    fault(r#"{"status":500}"#).await;
    w.press_send();
    w.wait_text("translated failure", "Der Support hat gerade Probleme")
        .await;
    w.remove();
}

/// Selects the first occurrence of `needle` in the message editor, as a user's drag would.
fn select_in_editor(w: &Widget, needle: &str) {
    let select = js_sys::Function::new_with_args(
        "editor, needle",
        "editor.focus();
         const walker = document.createTreeWalker(editor, NodeFilter.SHOW_TEXT);
         for (let n = walker.nextNode(); n; n = walker.nextNode()) {
           const i = n.data.indexOf(needle);
           if (i >= 0) {
             const range = document.createRange();
             range.setStart(n, i);
             range.setEnd(n, i + needle.length);
             const selection = document.getSelection();
             selection.removeAllRanges();
             selection.addRange(range);
             return true;
           }
         }
         return false;",
    );
    let found = select
        .call2(&JsValue::NULL, &w.el("#moov-body"), &needle.into())
        .unwrap();
    assert_eq!(found, JsValue::TRUE, "{needle:?} is in the editor");
}

/// Presses Ctrl+`key` in the message editor.
fn shortcut(w: &Widget, key: &str) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_ctrl_key(true);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let ev = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    w.el("#moov-body").dispatch_event(&ev).unwrap();
}

fn click_tool(w: &Widget, class: &str) {
    w.el(&format!("button.moov-tool-{class}"))
        .unchecked_into::<HtmlElement>()
        .click();
}

fn editor_html(w: &Widget) -> String {
    w.el("#moov-body").inner_html()
}

#[wasm_bindgen_test]
async fn the_editor_formats_by_toolbar_and_shortcut_and_keeps_html_in_the_draft() {
    let w = Widget::mount("editor").await;
    let toolbar = w.el("[role=toolbar]");
    assert_eq!(
        toolbar.get_attribute("aria-label").as_deref(),
        Some("Formatting")
    );
    for (class, name) in [
        ("bold", "Bold"),
        ("italic", "Italic"),
        ("ul", "Bulleted list"),
        ("ol", "Numbered list"),
        ("link", "Link"),
        ("code", "Code"),
    ] {
        let b = w.el(&format!("button.moov-tool-{class}"));
        assert_eq!(b.get_attribute("aria-label").as_deref(), Some(name));
    }
    w.type_in(
        "body",
        "make this bold and this slanted, run ls -la, see https://example.com/help",
    );
    select_in_editor(&w, "bold");
    click_tool(&w, "bold");
    select_in_editor(&w, "slanted");
    shortcut(&w, "i");
    select_in_editor(&w, "ls -la");
    click_tool(&w, "code");
    select_in_editor(&w, "https://example.com/help");
    shortcut(&w, "k");
    sleep(30).await;
    let html = editor_html(&w);
    assert!(html.contains("<b>bold</b>"), "{html}");
    assert!(html.contains("<i>slanted</i>"), "{html}");
    assert!(html.contains("<code>ls -la</code>"), "{html}");
    assert!(
        html.contains(r#"<a href="https://example.com/help">https://example.com/help</a>"#),
        "{html}"
    );
    select_in_editor(&w, "make");
    click_tool(&w, "ul");
    sleep(30).await;
    assert!(editor_html(&w).contains("<ul><li>"), "{}", editor_html(&w));
    // The draft keeps the formatting.
    let draft = w.stored_draft().unwrap();
    let saved = draft["message"].as_str().unwrap();
    assert!(
        saved.contains("<b>bold</b>") && saved.contains("<ul>"),
        "{saved}"
    );
    // Leaving the field shows exactly what the policy sends.
    w.leave("body");
    sleep(50).await;
    let shown = editor_html(&w);
    assert_eq!(shown, moov_support::sanitize::clean(&shown));
    assert!(
        shown.contains(r#"rel="noopener noreferrer nofollow""#),
        "{shown}"
    );
    w.remove();
}

/// Whether a script-made event's data, as its handler sees it, still holds the probe's "x".
fn carries_x(data: Option<web_sys::DataTransfer>) -> bool {
    data.and_then(|d| d.get_data("text/plain").ok())
        .is_some_and(|t| t == "x")
}

/// A form for `user` with an empty message editor holding the focus.
async fn empty_focused_editor(user: &str) -> Widget {
    let w = Widget::mount(user).await;
    w.type_in("body", "");
    w.el("#moov-body")
        .unchecked_into::<HtmlElement>()
        .focus()
        .unwrap();
    w
}

#[wasm_bindgen_test]
async fn pasted_html_is_cleaned_before_it_enters_the_editor() {
    // Firefox hides the contents of a script-made DataTransfer from event handlers, so a
    // scripted paste carries nothing there; only a real one would.
    let probe = web_sys::DataTransfer::new().unwrap();
    probe.set_data("text/plain", "x").unwrap();
    let init = web_sys::ClipboardEventInit::new();
    init.set_clipboard_data(Some(&probe));
    let probe = web_sys::ClipboardEvent::new_with_event_init_dict("paste", &init).unwrap();
    if !carries_x(probe.clipboard_data()) {
        web_sys::console::log_1(&"skipped: this browser cannot script clipboard data".into());
        return;
    }
    let w = empty_focused_editor("paste").await;
    let paste = |html: &str, text: &str| {
        let data = web_sys::DataTransfer::new().unwrap();
        if !html.is_empty() {
            data.set_data("text/html", html).unwrap();
        }
        data.set_data("text/plain", text).unwrap();
        let init = web_sys::ClipboardEventInit::new();
        init.set_clipboard_data(Some(&data));
        init.set_bubbles(true);
        init.set_cancelable(true);
        let ev = web_sys::ClipboardEvent::new_with_event_init_dict("paste", &init).unwrap();
        w.el("#moov-body").dispatch_event(&ev).unwrap();
    };
    paste(
        r#"<meta charset="utf-8"><p class="MsoNormal" style="color:red" onclick="alert(1)">Hello <b>there</b><script>alert(2)</script><img src="https://x/y.png" onerror="alert(3)"><a href="javascript:alert(4)">click</a></p>"#,
        "Hello there click",
    );
    sleep(50).await;
    let html = editor_html(&w);
    assert!(html.contains("Hello <b>there</b>"), "{html}");
    for bad in [
        "script",
        "alert",
        "onclick",
        "style",
        "class",
        "<img",
        "javascript",
        "meta",
    ] {
        assert!(!html.contains(bad), "{bad} survived: {html}");
    }
    // Plain text becomes paragraphs, its markup shown as text.
    paste("", "line <one>\n\nline two");
    sleep(50).await;
    let html = editor_html(&w);
    assert!(html.contains("line &lt;one&gt;"), "{html}");
    assert!(w.value("body").contains("line two"));
    assert!(w.stored_draft().unwrap()["message"]
        .as_str()
        .unwrap()
        .contains("<b>there</b>"));
    w.remove();
}

#[wasm_bindgen_test]
async fn dropped_html_is_cleaned_before_it_enters_the_editor() {
    let probe = web_sys::DataTransfer::new().unwrap();
    probe.set_data("text/plain", "x").unwrap();
    let init = web_sys::DragEventInit::new();
    init.set_data_transfer(Some(&probe));
    let probe = web_sys::DragEvent::new_with_event_init_dict("drop", &init).unwrap();
    if !carries_x(probe.data_transfer()) {
        web_sys::console::log_1(&"skipped: this browser cannot script drag data".into());
        return;
    }
    let w = empty_focused_editor("drop").await;
    let data = web_sys::DataTransfer::new().unwrap();
    data.set_data(
        "text/html",
        r#"<p>Dragged <i>in</i><img src="https://x/y.png" onerror="alert(1)"><style>*{}</style></p>"#,
    )
    .unwrap();
    data.set_data("text/plain", "Dragged in").unwrap();
    let init = web_sys::DragEventInit::new();
    init.set_data_transfer(Some(&data));
    init.set_bubbles(true);
    init.set_cancelable(true);
    let drop = web_sys::DragEvent::new_with_event_init_dict("drop", &init).unwrap();
    w.el("#moov-body").dispatch_event(&drop).unwrap();
    assert!(
        drop.default_prevented(),
        "the browser would insert the markup as it is"
    );
    wait_for("the dropped text", || editor_html(&w).contains("Dragged")).await;
    let html = editor_html(&w);
    assert!(html.contains("Dragged <i>in</i>"), "{html}");
    for bad in ["<img", "alert", "style"] {
        assert!(!html.contains(bad), "{bad} survived: {html}");
    }
    assert!(!w.stored_draft().unwrap()["message"]
        .as_str()
        .unwrap()
        .contains("<img"));
    w.remove();
}

fn key(target: &web_sys::Element, key: &str, shift: bool) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_shift_key(shift);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let ev = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    target.dispatch_event(&ev).unwrap();
}

fn dialog_open(w: &Widget) -> bool {
    w.el("dialog").has_attribute("open")
}

#[wasm_bindgen_test]
async fn the_launcher_opens_a_modal_dialog_that_keeps_and_returns_focus() {
    let token = session("launcher").await;
    let w = Widget::mount_with(&[
        ("endpoint", &endpoint()),
        ("session-token", &token),
        ("launcher", ""),
    ])
    .await;
    let button = w.el("button.moov-launcher");
    assert_eq!(button.text_content().unwrap(), "Contact support");
    assert_eq!(
        button.get_attribute("aria-haspopup").as_deref(),
        Some("dialog")
    );
    assert!(!dialog_open(&w), "closed until asked for");
    assert_eq!(computed(&w.el("dialog"), "display"), "none");
    assert_eq!(w.el("#moov-title").get_client_rects().length(), 0);
    assert_eq!(computed(&button, "position"), "fixed");

    button.clone().unchecked_into::<HtmlElement>().click();
    sleep(30).await;
    assert!(dialog_open(&w));
    let dialog = w.el("dialog");
    let title_id = dialog.get_attribute("aria-labelledby").unwrap();
    assert_eq!(
        w.el(&format!("#{title_id}")).text_content().unwrap(),
        "Contact support"
    );
    assert_eq!(w.focused_id().as_deref(), Some("moov-title"));

    // Tab from the last control wraps to the first, Shift+Tab from the first to the last.
    let send = w.el("button.moov-send");
    send.clone()
        .unchecked_into::<HtmlElement>()
        .focus()
        .unwrap();
    key(&send, "Tab", false);
    let close = w.el("button.moov-close");
    assert_eq!(w.root().active_element().as_ref(), Some(&close));
    key(&close, "Tab", true);
    assert_eq!(w.root().active_element().as_ref(), Some(&send));

    // Escape closes and gives focus back to the launcher.
    key(&send, "Escape", false);
    sleep(30).await;
    assert!(!dialog_open(&w));
    assert_eq!(w.root().active_element().as_ref(), Some(&button));

    // The close button does the same; what was typed stays.
    button.clone().unchecked_into::<HtmlElement>().click();
    w.type_in("title", "Typed in the dialog");
    close.unchecked_into::<HtmlElement>().click();
    sleep(30).await;
    assert!(!dialog_open(&w));
    assert_eq!(w.root().active_element().as_ref(), Some(&button));
    assert_eq!(w.value("title"), "Typed in the dialog");
    w.remove();
}

#[wasm_bindgen_test]
async fn the_toolbar_is_one_tab_stop_moved_along_by_arrow_keys() {
    let w = Widget::mount("toolbar-keys").await;
    let tools = w.root().query_selector_all("button.moov-tool").unwrap();
    let tabbable = |i: u32| {
        tools
            .item(i)
            .unwrap()
            .unchecked_into::<web_sys::Element>()
            .get_attribute("tabindex")
    };
    assert_eq!(tabbable(0).as_deref(), Some("0"));
    assert_eq!(tabbable(1).as_deref(), Some("-1"));
    let first: web_sys::Element = tools.item(0).unwrap().unchecked_into();
    first
        .clone()
        .unchecked_into::<HtmlElement>()
        .focus()
        .unwrap();
    key(&first, "ArrowRight", false);
    sleep(20).await;
    let italic = w.el("button.moov-tool-italic");
    assert_eq!(w.root().active_element().as_ref(), Some(&italic));
    assert_eq!(tabbable(1).as_deref(), Some("0"));
    assert_eq!(tabbable(0).as_deref(), Some("-1"));
    key(&italic, "End", false);
    assert_eq!(
        w.root().active_element().as_ref(),
        Some(&w.el("button.moov-tool-code"))
    );
    key(&w.el("button.moov-tool-code"), "ArrowRight", false);
    assert_eq!(w.root().active_element().as_ref(), Some(&first));
    w.remove();
}

// The language tables: pure logic, run here because the browser-only half of the crate is
// tested in browsers.
use moov_support::rules::Problem;
use moov_support::ticket::Field;
use moov_support::web::client::SubmitError;
use moov_support::web::i18n::Locale;

#[wasm_bindgen_test]
fn i18n_tags_map_to_the_closest_language() {
    assert_eq!(Locale::from_tag("pt-BR"), Some(Locale::PtBr));
    assert_eq!(Locale::from_tag("pt_PT"), Some(Locale::PtBr));
    assert_eq!(Locale::from_tag("es-419"), Some(Locale::Es));
    assert_eq!(Locale::from_tag("AR-eg"), Some(Locale::Ar));
    assert_eq!(Locale::from_tag("zh-CN"), None);
    assert_eq!(Locale::from_tag(""), None);
    assert_eq!(Locale::Ar.dir(), "rtl");
    assert!(Locale::ALL
        .iter()
        .filter(|l| **l != Locale::Ar)
        .all(|l| l.dir() == "ltr"));
}

/// Every translation keeps the placeholders the form fills in.
/// The language files as the release build serves them.
const LANGUAGE_FILES: [(&str, &str); 6] = [
    ("es", include_str!("../locales/es.json")),
    ("fr", include_str!("../locales/fr.json")),
    ("de", include_str!("../locales/de.json")),
    ("pt", include_str!("../locales/pt.json")),
    ("ja", include_str!("../locales/ja.json")),
    ("ar", include_str!("../locales/ar.json")),
];

#[wasm_bindgen_test]
fn i18n_every_language_file_is_read_whole_and_the_loader_knows_it() {
    for locale in Locale::ALL.into_iter().filter(|l| *l != Locale::En) {
        let file = locale.file().unwrap();
        let (_, text) = LANGUAGE_FILES
            .iter()
            .find(|(name, _)| *name == file)
            .unwrap_or_else(|| panic!("no locales/{file}.json"));
        // Every key present, none unknown.
        let strings = moov_support::web::i18n::parse(locale, text)
            .unwrap_or_else(|e| panic!("locales/{file}.json: {e}"));
        assert_ne!(strings.send, Locale::En.strings().send, "{file}");
        assert_eq!(locale.strings().send, strings.send, "{file}");
    }
    // The loader requests a language's file early only if it knows the language.
    let mut files: Vec<&str> = Locale::ALL.iter().filter_map(|l| l.file()).collect();
    files.sort_unstable();
    let listed = format!(
        "const LANGUAGES = [{}];",
        files
            .iter()
            .map(|f| format!("\"{f}\""))
            .collect::<Vec<_>>()
            .join(", ")
    );
    assert!(
        include_str!("../moov-support.js").contains(&listed),
        "moov-support.js should list {listed}"
    );
    // A key missing, one misspelt: both named.
    let missing = moov_support::web::i18n::parse(Locale::Es, r#"{"subject": "Asunto"}"#)
        .unwrap_err()
        .to_string();
    assert!(missing.contains("`message`"), "{missing}");
    let es = LANGUAGE_FILES[0].1.replacen("\"subject\"", "\"subjet\"", 1);
    let misspelt = moov_support::web::i18n::parse(Locale::Es, &es)
        .unwrap_err()
        .to_string();
    assert!(misspelt.contains("`subjet`"), "{misspelt}");
}

#[wasm_bindgen_test]
fn i18n_translations_keep_their_placeholders() {
    for locale in Locale::ALL {
        let t = locale.strings();
        for (text, placeholder) in [
            (t.created, "{number}"),
            (t.status, "{status}"),
            (t.reference, "{id}"),
            (t.problems.too_long, "{max}"),
            (t.errors.bad_request, "{reason}"),
            (t.errors.conflict, "{reason}"),
            (t.errors.rate_limited, "{seconds}"),
            (t.errors.unexpected, "{status}"),
        ] {
            assert!(text.contains(placeholder), "{locale:?}: {text:?}");
        }
        assert!(t
            .submit_error(&SubmitError::RateLimited(Some(7)))
            .contains('7'));
        assert!(t
            .problem(&Problem::TooLong { max: 100 }, Field::Name)
            .contains("100"));
    }
}

/// English stays word for word what the rules and the client say, so logs and the UI agree.
#[wasm_bindgen_test]
fn i18n_english_matches_the_core_messages() {
    let t = Locale::En.strings();
    for field in Field::ALL {
        for p in [
            Problem::Required,
            Problem::TooLong { max: 200 },
            Problem::ControlCharacters,
            Problem::InvalidEmail,
            Problem::NoVisibleText,
            Problem::BodyTooLarge,
        ] {
            assert_eq!(t.problem(&p, field), p.message(field));
        }
    }
    for e in [
        SubmitError::BadRequest("why".into()),
        SubmitError::SessionExpired,
        SubmitError::RateLimited(None),
        SubmitError::ServerError,
        SubmitError::Network,
        SubmitError::Unexpected(418),
    ] {
        assert_eq!(t.submit_error(&e), e.to_string());
    }
}

use moov_support::draft::{session_hint, Draft};
use moov_support::ticket::{
    Contact, ContactErrors, CreateTicket, FieldErrors, Ticket, TicketStatus,
};
use moov_support::web::wire;

fn through_the_browser(json: &str) -> JsValue {
    wire::parse(json).unwrap_or_else(|| panic!("not JSON: {json}"))
}

#[wasm_bindgen_test]
fn the_wire_reads_and_writes_what_serde_does() {
    let full = Ticket {
        ticket_id: "t-1".into(),
        number: 4_294_967_296,
        title: "Payout missing".into(),
        contact: Contact {
            email: "jordan@example.com".into(),
            name: Some("Jordan Lee".into()),
        },
        status: TicketStatus::InProgress,
        created_on: "2026-11-27T10:00:00Z".into(),
        updated_on: "2026-11-27T10:05:00Z".into(),
        latest_message_on: Some("2026-11-27T10:05:00Z".into()),
        closed_on: Some("2026-11-28T09:00:00Z".into()),
        foreign_id: Some("key-1".into()),
    };
    let minimal = Ticket {
        contact: Contact {
            email: "a@example.com".into(),
            name: None,
        },
        status: TicketStatus::Unknown("escalated".into()),
        latest_message_on: None,
        closed_on: None,
        foreign_id: None,
        ..full.clone()
    };
    for t in [&full, &minimal] {
        let json = serde_json::to_string(t).unwrap();
        assert_eq!(
            wire::ticket(&through_the_browser(&json)).as_ref(),
            Some(t),
            "{json}"
        );
    }
    // Moov writes absent optional fields as null.
    let nulls = r#"{"ticketID":"t-1","number":7,"title":"x","contact":{"email":"a@b.c","name":null},
        "status":"new","createdOn":"c","updatedOn":"u","latestMessageOn":null,"closedOn":null,"foreignID":null}"#;
    let t = wire::ticket(&through_the_browser(nulls)).unwrap();
    assert_eq!(t, serde_json::from_str::<Ticket>(nulls).unwrap());
    // What serde refuses is not a ticket here either.
    for broken in [
        r#"{"ticketID":"t","number":7.5,"title":"x","contact":{"email":"a@b.c"},"status":"new","createdOn":"c","updatedOn":"u"}"#,
        r#"{"ticketID":"t","number":7,"title":"x","status":"new","createdOn":"c","updatedOn":"u"}"#,
        r#"[1, 2]"#,
    ] {
        assert!(serde_json::from_str::<Ticket>(broken).is_err(), "{broken}");
        assert_eq!(wire::ticket(&through_the_browser(broken)), None, "{broken}");
    }
    assert_eq!(wire::parse("not JSON"), None);
    // Numbers a double holds exactly are read; past them, what arrives may not be what was
    // sent, so the answer is refused rather than shown with another ticket's number.
    let numbered = |n: &str| {
        format!(
            r#"{{"ticketID":"t","number":{n},"title":"x","contact":{{"email":"a@b.c"}},"status":"new","createdOn":"c","updatedOn":"u"}}"#
        )
    };
    let largest = wire::ticket(&through_the_browser(&numbered("9007199254740991"))).unwrap();
    assert_eq!(largest.number, 9_007_199_254_740_991);
    assert_eq!(
        wire::ticket(&through_the_browser(&numbered("9007199254740993"))),
        None
    );
    assert_eq!(wire::ticket(&through_the_browser(&numbered("1e300"))), None);

    let errors = FieldErrors {
        title: Some("Enter a subject.".into()),
        body: Some("Enter a message.".into()),
        author: Some("a".into()),
        foreign_id: Some("f".into()),
        contact: ContactErrors {
            email: Some("Enter an email.".into()),
            name: Some("Too long.".into()),
        },
    };
    let json = serde_json::to_string(&errors).unwrap();
    assert_eq!(wire::field_errors(&through_the_browser(&json)), errors);
    assert!(wire::field_errors(&through_the_browser("{}")).is_empty());
    assert_eq!(
        wire::error_message(&through_the_browser(r#"{"error":"nope"}"#)).as_deref(),
        Some("nope")
    );

    // What the widget sends and stores is byte for byte what serde_json writes.
    let ticket = CreateTicket {
        title: "Payout \"missing\"".into(),
        body: "<p>Friday’s payout</p>".into(),
        contact: Contact {
            email: "jordan@example.com".into(),
            name: None,
        },
        ..Default::default()
    };
    assert_eq!(wire::to_json(&ticket), serde_json::to_string(&ticket).ok());
    let draft = Draft {
        title: "t".into(),
        message: "<p>m</p>".into(),
        email: "e@example.com".into(),
        name: String::new(),
        idempotency_key: "k".into(),
    };
    let stored = wire::to_json(&draft).unwrap();
    assert_eq!(Some(&stored), serde_json::to_string(&draft).ok().as_ref());
    assert_eq!(wire::draft(&through_the_browser(&stored)), Some(draft));
    // A draft saved by an older version, with fields missing, still restores.
    assert_eq!(
        wire::draft(&through_the_browser(r#"{"title":"old"}"#)).map(|d| d.title),
        Some("old".into())
    );

    // {"sub":"u-1","moov_account_id":"x","email":"a@b.c"}, base64url without padding.
    let token = "h.eyJzdWIiOiJ1LTEiLCJtb292X2FjY291bnRfaWQiOiJ4IiwiZW1haWwiOiJhQGIuYyJ9.s";
    assert_eq!(wire::session_hint(token), session_hint(token));
    assert_eq!(
        wire::session_hint(token).unwrap().email.as_deref(),
        Some("a@b.c")
    );
    assert_eq!(wire::session_hint("garbage"), None);
}
