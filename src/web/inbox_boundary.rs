//! The plain JS values the form and "Your requests" talk through (see
//! [`crate::web::inbox::hooks`] for the inbox's side): the configuration, the hooks the inbox
//! calls, and the handle's functions the form calls.

use js_sys::{Object, Reflect};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::web::inbox_loader::{InboxLoader, Inner, Screen, Setup};
use crate::web::inbox_report::Reply;
use crate::web::send::SessionTokens;

/// Calls `handle.<name>(argument)`.
pub(super) fn call(handle: &JsValue, name: &str, argument: &JsValue) {
    if let Ok(f) = Reflect::get(handle, &name.into()).and_then(|f| f.dyn_into::<js_sys::Function>())
    {
        let _ = f.call1(handle, argument);
    }
}

pub(super) fn config(inner: &Inner) -> JsValue {
    let setup = &inner.setup;
    let screen = inner.screen.get_untracked();
    let start = setup.launcher && setup.tokens.has_page_token();
    let config = Object::new();
    for (name, value) in [
        ("endpoint", JsValue::from_str(&setup.endpoint)),
        ("timeoutMs", f64::from(setup.timeout_ms).into()),
        ("locale", setup.locale.into()),
        (
            "view",
            if screen == Screen::Form {
                "form"
            } else {
                "requests"
            }
            .into(),
        ),
        ("takeFocus", (screen == Screen::Opened).into()),
        ("start", start.into()),
    ] {
        let _ = Reflect::set(&config, &name.into(), &value);
    }
    config.into()
}

pub(super) fn hooks(loader: InboxLoader, setup: &Setup) -> JsValue {
    let hooks = Object::new();
    let set = |name: &str, f: JsValue| {
        let _ = Reflect::set(&hooks, &name.into(), &f);
    };
    let tokens = setup.tokens.clone();
    set(
        "token",
        Closure::<dyn Fn(JsValue) -> js_sys::Promise>::new(move |renew: JsValue| {
            let tokens = tokens.clone();
            wasm_bindgen_futures::future_to_promise(async move {
                let token = if renew.is_truthy() {
                    tokens.renew().await
                } else {
                    tokens.current().await
                };
                Ok(token.map_or(JsValue::NULL, JsValue::from))
            })
        })
        .into_js_value(),
    );
    let report = setup.report;
    set(
        "onUnread",
        Closure::<dyn Fn(JsValue)>::new(move |count: JsValue| {
            report.unread(count.as_f64().unwrap_or(0.0) as usize);
        })
        .into_js_value(),
    );
    set(
        "onReply",
        Closure::<dyn Fn(JsValue)>::new(move |reply: JsValue| {
            let field = |name: &str| Reflect::get(&reply, &name.into()).unwrap_or_default();
            if let (Some(ticket_id), Some(number)) =
                (field("ticketID").as_string(), field("number").as_f64())
            {
                report.reply(Reply {
                    ticket_id,
                    number: number as i64,
                });
            }
        })
        .into_js_value(),
    );
    set(
        "onNewRequest",
        Closure::<dyn Fn()>::new(move || {
            loader.0.try_with_value(|i| i.screen.try_set(Screen::Form));
        })
        .into_js_value(),
    );
    hooks.into()
}
