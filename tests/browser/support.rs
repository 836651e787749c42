//! What every browser test shares: the test proxy's dev routes, and [`Widget`], one
//! `<moov-support-form>` on the page as a user sees and drives it.

use std::cell::RefCell;
use std::rc::Rc;

use moov_support::web::embed;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlElement, HtmlInputElement, ShadowRoot};

pub const PROXY: &str = match option_env!("MOOV_SUPPORT_TEST_PROXY") {
    Some(url) => url,
    None => "http://127.0.0.1:3999",
};

pub fn endpoint() -> String {
    format!("{PROXY}/api/support/tickets")
}

pub fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// Polls until `cond` holds, failing the test with `what` after five seconds.
pub async fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
    for _ in 0..250 {
        if cond() {
            return;
        }
        sleep(20).await;
    }
    panic!("timed out waiting for: {what}");
}

pub async fn fetch_json(method: &str, url: &str, body: Option<&str>) -> serde_json::Value {
    fetch_json_as(None, method, url, body).await
}

/// [`fetch_json`] with a session token, as the widget sends it.
pub async fn fetch_json_as(
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
pub async fn session(user: &str) -> String {
    let v = fetch_json("GET", &format!("{PROXY}/api/dev/session?sub={user}"), None).await;
    v["token"].as_str().expect("token").to_owned()
}

/// Scripts the sandbox's next answer to a ticket creation.
pub async fn fault(json: &str) {
    fetch_json("POST", &format!("{PROXY}/api/dev/faults"), Some(json)).await;
}

pub async fn clear_faults() {
    fetch_json("DELETE", &format!("{PROXY}/api/dev/faults"), None).await;
}

/// Makes the sandbox's OAuth token endpoint answer `status` (`None`: work again).
pub async fn token_endpoint_fails(status: Option<u16>) {
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
pub async fn tickets_under(user: &str, key: &str) -> usize {
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
pub struct Widget {
    pub host: HtmlElement,
    pub events: Rc<RefCell<Vec<(String, serde_json::Value)>>>,
    _listeners: Vec<Closure<dyn FnMut(web_sys::CustomEvent)>>,
}

impl Widget {
    pub async fn mount(user: &str) -> Widget {
        let token = session(user).await;
        Widget::mount_with(&[("endpoint", &endpoint()), ("session-token", &token)]).await
    }

    pub async fn mount_with(attributes: &[(&str, &str)]) -> Widget {
        let w = Widget::attach(attributes);
        w.wait_text("the form", "Send").await;
        // Field values are applied on the next turn of the reactive system.
        sleep(50).await;
        w
    }

    /// A `<moov-support-form>` with `attributes`, listened to, then put in the page.
    pub fn attach(attributes: &[(&str, &str)]) -> Widget {
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
        w
    }

    /// Records the `moov-support:*` events `host` dispatches.
    pub fn listen(host: HtmlElement) -> Widget {
        let events = Rc::new(RefCell::new(Vec::new()));
        let mut listeners = Vec::new();
        for name in [
            "ready",
            "submitted",
            "error",
            "draft-restored",
            "queued",
            "reply",
            "unread",
        ] {
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

    pub fn root(&self) -> ShadowRoot {
        self.host.shadow_root().expect("an open shadow root")
    }

    pub fn query(&self, selector: &str) -> Option<web_sys::Element> {
        self.root().query_selector(selector).unwrap()
    }

    pub fn el(&self, selector: &str) -> web_sys::Element {
        self.query(selector)
            .unwrap_or_else(|| panic!("no element matches {selector}"))
    }

    pub fn text(&self) -> String {
        self.root()
            .text_content()
            .unwrap_or_default()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub async fn wait_text(&self, what: &str, needle: &str) {
        wait_for(&format!("{what} ({needle:?})"), || {
            self.text().contains(needle)
        })
        .await;
    }

    /// What the field shows: an input's value, the message editor's text.
    pub fn value(&self, field: &str) -> String {
        let el = self.el(&format!("#moov-{field}"));
        match el.dyn_ref::<HtmlInputElement>() {
            Some(input) => input.value(),
            None => el.unchecked_into::<HtmlElement>().inner_text(),
        }
    }

    /// Types into a field the way a browser reports it: set the value (in the message editor,
    /// the paragraphs a user would type), fire `input`.
    pub fn type_in(&self, field: &str, value: &str) {
        let el = self.el(&format!("#moov-{field}"));
        match el.dyn_ref::<HtmlInputElement>() {
            Some(input) => input.set_value(value),
            None => el.set_inner_html(&moov_support::sanitize::text_to_html(value)),
        }
        let ev = web_sys::Event::new("input").unwrap();
        el.dispatch_event(&ev).unwrap();
    }

    /// Leaves a field, which triggers its live validation.
    pub fn leave(&self, field: &str) {
        let el = self.el(&format!("#moov-{field}"));
        el.dispatch_event(&web_sys::Event::new("blur").unwrap())
            .unwrap();
    }

    pub fn fill_valid(&self) {
        self.type_in("title", "Payout missing");
        self.type_in("body", "My payout from Monday\nhas not arrived.");
        self.type_in("email", "jordan@example.com");
        self.type_in("name", "Jordan Lee");
    }

    pub fn press_send(&self) {
        self.el("button.moov-send")
            .unchecked_into::<HtmlElement>()
            .click();
    }

    pub fn error_of(&self, field: &str) -> Option<String> {
        let el = self.el(&format!("#moov-{field}-error"));
        if el.has_attribute("hidden") {
            None
        } else {
            el.text_content()
        }
    }

    pub fn focused_id(&self) -> Option<String> {
        self.root().active_element().map(|e| e.id())
    }

    pub fn saw(&self, event: &str) -> Option<serde_json::Value> {
        self.events
            .borrow()
            .iter()
            .find(|(n, _)| n == event)
            .map(|(_, d)| d.clone())
    }

    /// The idempotency key of the saved draft.
    pub fn draft_key(&self) -> String {
        let draft = self.stored_draft().expect("a saved draft");
        draft["idempotency_key"].as_str().unwrap().to_owned()
    }

    /// This widget's user's saved draft.
    pub fn stored_draft(&self) -> Option<serde_json::Value> {
        let token = self.host.get_attribute("session-token")?;
        let user = moov_support::claims::read(&token)?.sub;
        let endpoint = self.host.get_attribute("endpoint")?;
        let mut key = format!("moov-support:draft:v1:{endpoint}:{user}");
        if !self.host.id().is_empty() {
            key = format!("{key}#{}", self.host.id());
        }
        let storage = web_sys::window()?.local_storage().ok()??;
        let raw = storage.get_item(&key).ok()??;
        serde_json::from_str(&raw).ok()
    }

    pub fn remove(self) {
        self.host.remove();
    }
}

/// A JS object from string pairs.
pub fn object(pairs: &[(&str, JsValue)]) -> js_sys::Object {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        js_sys::Reflect::set(&o, &(*k).into(), v).unwrap();
    }
    o
}

/// A `getSessionToken` callback answering `token` asynchronously, and how often it was called.
pub fn token_callback(token: String) -> (JsValue, Rc<RefCell<u32>>) {
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

pub fn is_read_only(w: &Widget, field: &str) -> bool {
    w.el(&format!("#moov-{field}"))
        .unchecked_into::<HtmlInputElement>()
        .read_only()
}

pub fn computed(el: &web_sys::Element, property: &str) -> String {
    web_sys::window()
        .unwrap()
        .get_computed_style(el)
        .unwrap()
        .unwrap()
        .get_property_value(property)
        .unwrap()
}

pub fn editor_html(w: &Widget) -> String {
    w.el("#moov-body").inner_html()
}

pub fn key(target: &web_sys::Element, key: &str, shift: bool) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_shift_key(shift);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let ev = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    target.dispatch_event(&ev).unwrap();
}
