//! The sanitizer's own bundle: the ammonia policy, kept out of the widget's first bytes.
//!
//! Loaded as a module Web Worker it answers `{id, html}` messages with `{id, html: clean}`
//! (after a `{ready: true}`); loaded on the main thread it exports [`clean`].

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

/// Cleans a message body with the shared policy.
#[wasm_bindgen]
pub fn clean(html: &str) -> String {
    moov_support::sanitize::clean(html)
}

fn main() {
    let Ok(scope) = js_sys::global().dyn_into::<DedicatedWorkerGlobalScope>() else {
        return;
    };
    let replies = scope.clone();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        let data = event.data();
        let id = Reflect::get(&data, &"id".into()).unwrap_or(JsValue::NULL);
        let html = Reflect::get(&data, &"html".into())
            .ok()
            .and_then(|h| h.as_string())
            .unwrap_or_default();
        let _ = replies.post_message(&message(&[("id", id), ("html", clean(&html).into())]));
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let _ = scope.post_message(&message(&[("ready", true.into())]));
}

fn message(fields: &[(&str, JsValue)]) -> Object {
    let m = Object::new();
    for (k, v) in fields {
        let _ = Reflect::set(&m, &(*k).into(), v);
    }
    m
}
