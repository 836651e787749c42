//! What the "Your requests" tests share: a user with an email of their own (so the proxy
//! shows them only their tickets), tickets filed straight through the proxy, support's
//! reply through the sandbox, and the inbox as a user sees it.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::HtmlElement;

use crate::support::*;

/// `name` made unique to this run, so a test run again never sees the tickets of the last.
pub fn unique(name: &str) -> String {
    let id = web_sys::window().unwrap().crypto().unwrap().random_uuid();
    format!("{name}-{}", &id[..8])
}

/// Support's replies carry Moov's times, which the sandbox writes in whole seconds: waiting a
/// second keeps a reply from sharing its second with what came before.
pub async fn next_second() {
    sleep(1100).await;
}

/// A dev session for `user`, whose email is theirs alone.
pub async fn user_session(user: &str) -> String {
    let url = format!("{PROXY}/api/dev/session?sub={user}&email={user}%40example.com");
    let v = fetch_json("GET", &url, None).await;
    v["token"].as_str().expect("token").to_owned()
}

/// Files a ticket as the holder of `token`, as the form would, and returns it. The sandbox
/// limits requests per second as Moov does: a refusal is waited out, as a partner would.
pub async fn file(token: &str, user: &str, title: &str, body: &str) -> serde_json::Value {
    for _ in 0..10 {
        if let Some(ticket) = file_once(token, user, title, body).await {
            return ticket;
        }
        sleep(1000).await;
    }
    panic!("filing {title:?}: still rate limited after 10 s");
}

async fn file_once(token: &str, user: &str, title: &str, body: &str) -> Option<serde_json::Value> {
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    let headers = web_sys::Headers::new().unwrap();
    headers.set("content-type", "application/json").unwrap();
    headers
        .set("authorization", &format!("Bearer {token}"))
        .unwrap();
    let key = web_sys::window().unwrap().crypto().unwrap().random_uuid();
    headers.set("idempotency-key", &key).unwrap();
    init.set_headers(&headers);
    let ticket = serde_json::json!({
        "title": title,
        "body": body,
        "contact": { "email": format!("{user}@example.com") },
    });
    init.set_body(&JsValue::from_str(&ticket.to_string()));
    let window = web_sys::window().unwrap();
    let response: web_sys::Response =
        JsFuture::from(window.fetch_with_str_and_init(&endpoint(), &init))
            .await
            .expect("the proxy answers")
            .unchecked_into();
    let text = JsFuture::from(response.text().unwrap()).await.unwrap();
    let text = text.as_string().unwrap();
    if response.status() == 429 {
        return None;
    }
    assert!(response.ok(), "filing: HTTP {}: {text}", response.status());
    Some(serde_json::from_str(&text).unwrap())
}

/// Support answers `ticket_id` through the sandbox (the proxy's dev route).
pub async fn reply(ticket_id: &str, body: &str, status: Option<&str>) {
    let json = serde_json::json!({ "body": body, "status": status }).to_string();
    let url = format!("{PROXY}/api/dev/tickets/{ticket_id}/reply");
    fetch_json("POST", &url, Some(&json)).await;
}

/// A widget showing "Your requests" first.
pub async fn mount_requests(token: &str, more: &[(&str, &str)]) -> Widget {
    let endpoint = endpoint();
    let mut attributes = vec![
        ("endpoint", endpoint.as_str()),
        ("session-token", token),
        ("view", "requests"),
    ];
    attributes.extend_from_slice(more);
    let w = Widget::attach(&attributes);
    w.wait_for_el("the list", ".moov-request-list:not([hidden]), .moov-empty")
        .await;
    w
}

/// Polls for `seconds` until `cond` holds.
pub async fn wait_secs(what: &str, seconds: u32, mut cond: impl FnMut() -> bool) {
    for _ in 0..seconds * 50 {
        if cond() {
            return;
        }
        sleep(20).await;
    }
    panic!("timed out after {seconds} s waiting for: {what}");
}

impl Widget {
    pub async fn wait_for_el(&self, what: &str, selector: &str) {
        wait_for(what, || self.query(selector).is_some()).await;
    }

    pub fn click(&self, selector: &str) {
        self.el(selector).unchecked_into::<HtmlElement>().click();
    }

    /// Each row's text, top to bottom.
    pub fn rows(&self) -> Vec<String> {
        let list = self.root().query_selector_all(".moov-request-row").unwrap();
        (0..list.length())
            .map(|i| list.item(i).unwrap().text_content().unwrap_or_default())
            .collect()
    }

    /// The row of ticket `id`.
    pub fn row(&self, id: &str) -> Option<web_sys::Element> {
        self.query(&format!(".moov-request-row[data-ticket=\"{id}\"]"))
    }

    pub async fn open(&self, id: &str) {
        self.row(id)
            .expect("the row")
            .unchecked_into::<HtmlElement>()
            .click();
        self.wait_for_el("the conversation", ".moov-messages").await;
    }

    pub fn is_unread(&self, id: &str) -> bool {
        self.row(id)
            .is_some_and(|r| r.query_selector(".moov-unread").unwrap().is_some())
    }
}

/// The read marks the widget keeps for `user`.
pub fn seen_key(user: &str) -> String {
    format!("moov-support:seen:v1:{}:{user}", endpoint())
}

pub fn storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

pub fn id_of(ticket: &serde_json::Value) -> String {
    ticket["ticketID"].as_str().unwrap().to_owned()
}

/// A new user with one filed request: their session token and the request's id.
pub async fn user_with_request(name: &str, title: &str, body: &str) -> (String, String) {
    let user = unique(name);
    let token = user_session(&user).await;
    let id = id_of(&file(&token, &user, title, body).await);
    (token, id)
}
