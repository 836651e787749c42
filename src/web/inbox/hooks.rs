//! The inbox's side of its boundary with the form: the configuration and the hooks the form
//! hands over as plain JS values, read into Rust.
//!
//! config `{endpoint, timeoutMs, locale, view, takeFocus, start}`; hooks
//! `{token(renew) -> Promise<string | null>, onUnread(count), onReply({ticketID, number}),
//! onNewRequest()}`.

use js_sys::{Function, Object, Reflect};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::web::inbox_report::{Reply, Report};
use crate::web::send::SessionTokens;

fn field(object: &JsValue, name: &str) -> JsValue {
    Reflect::get(object, &name.into()).unwrap_or(JsValue::UNDEFINED)
}

/// What the form configured the inbox with.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The proxy's ticket URL (the form's `endpoint`).
    pub endpoint: String,
    pub timeout_ms: i32,
    /// The language the form speaks, as a tag.
    pub locale: String,
    /// Whether the list shows at once (`view` = `requests`, or the user opened it).
    pub shown: bool,
    /// Whether the user opened it: focus then moves to its heading.
    pub take_focus: bool,
    /// Whether to read the list and open the live channel at once.
    pub start: bool,
}

impl Config {
    pub fn read(config: &JsValue) -> Config {
        let text = |name| field(config, name).as_string().unwrap_or_default();
        let flag = |name| field(config, name).is_truthy();
        Config {
            endpoint: text("endpoint"),
            timeout_ms: field(config, "timeoutMs")
                .as_f64()
                .map_or(15_000, |ms| ms as i32),
            locale: text("locale"),
            shown: text("view") == "requests",
            take_focus: flag("takeFocus"),
            start: flag("start"),
        }
    }
}

/// The form's functions, called by name on the hooks object.
#[derive(Clone)]
pub struct Hooks(JsValue);

impl Hooks {
    pub fn new(hooks: JsValue) -> Self {
        Hooks(hooks)
    }

    fn call(&self, name: &str, argument: &JsValue) -> JsValue {
        field(&self.0, name)
            .dyn_into::<Function>()
            .ok()
            .and_then(|f| f.call1(&self.0, argument).ok())
            .unwrap_or(JsValue::UNDEFINED)
    }

    pub fn new_request(&self) {
        self.call("onNewRequest", &JsValue::UNDEFINED);
    }

    /// The form's callbacks as the model reports through.
    pub fn report(&self) -> Report {
        let (replies, counts) = (self.clone(), self.clone());
        Report {
            reply: Some(UnsyncCallback::new(move |reply: Reply| {
                let detail = Object::new();
                let _ = Reflect::set(&detail, &"ticketID".into(), &reply.ticket_id.into());
                let _ = Reflect::set(&detail, &"number".into(), &(reply.number as f64).into());
                replies.call("onReply", &detail);
            })),
            unread: Some(UnsyncCallback::new(move |count: usize| {
                counts.call("onUnread", &(count as f64).into());
            })),
        }
    }

    async fn token(&self, renew: bool) -> Option<String> {
        let answer = self.call("token", &renew.into());
        let promise = answer.dyn_into::<js_sys::Promise>().ok()?;
        JsFuture::from(promise).await.ok()?.as_string()
    }
}

impl SessionTokens for Hooks {
    async fn current(&self) -> Option<String> {
        self.token(false).await
    }

    async fn renew(&self) -> Option<String> {
        self.token(true).await
    }
}
