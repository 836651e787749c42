//! `moov-support:*` events on the host element, so the partner's page can react to the form
//! (close a panel on success, log an error with its request id, …). The form reports through
//! Rust callbacks; these are the callbacks the custom element gives it.

use js_sys::Reflect;
use leptos::prelude::*;
use serde::Serialize;
use wasm_bindgen::JsValue;

use crate::ticket::Ticket;
use crate::web::client::Failure;
use crate::web::inbox_report::Reply;
use crate::web::wire;

/// Dispatches events on the host element.
#[derive(Clone, Copy)]
pub struct Emitter(StoredValue<web_sys::EventTarget, LocalStorage>);

impl Emitter {
    pub fn new(target: web_sys::EventTarget) -> Self {
        Emitter(StoredValue::new_local(target))
    }

    /// Dispatches `moov-support:<name>`, bubbling and composed so it leaves the shadow root.
    pub fn emit<T: Serialize + ?Sized>(&self, name: &str, detail: &T) {
        self.emit_value(name, &wire::to_js(detail).unwrap_or(JsValue::NULL));
    }

    /// [`Emitter::emit`] with a detail already built.
    fn emit_value(&self, name: &str, detail: &JsValue) {
        self.0.with_value(|target| {
            let init = web_sys::CustomEventInit::new();
            init.set_bubbles(true);
            init.set_composed(true);
            init.set_detail(detail);
            if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict(
                &format!("moov-support:{name}"),
                &init,
            ) {
                let _ = target.dispatch_event(&event);
            }
        });
    }

    /// `moov-support:error` with `{status, message, requestId}`.
    pub fn emit_error(&self, failure: &Failure) {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Detail<'a> {
            status: Option<u16>,
            message: String,
            request_id: Option<&'a str>,
        }
        self.emit(
            "error",
            &Detail {
                status: failure.status,
                message: failure.error.to_string(),
                request_id: failure.request_id.as_deref(),
            },
        );
    }

    /// A form callback that dispatches `moov-support:<name>` with no detail.
    pub fn on(self, name: &'static str) -> UnsyncCallback<()> {
        UnsyncCallback::new(move |()| self.emit(name, &()))
    }

    /// The form's `on_submitted`: `moov-support:submitted` with the ticket.
    pub fn on_submitted(self) -> UnsyncCallback<Ticket> {
        UnsyncCallback::new(move |ticket: Ticket| self.emit("submitted", &ticket))
    }

    /// The form's `on_reply`: `moov-support:reply` with `{ticketID, number}`.
    pub fn on_reply(self) -> UnsyncCallback<Reply> {
        UnsyncCallback::new(move |reply: Reply| {
            let detail = js_sys::Object::new();
            let _ = Reflect::set(&detail, &"ticketID".into(), &reply.ticket_id.into());
            let _ = Reflect::set(&detail, &"number".into(), &(reply.number as f64).into());
            self.emit_value("reply", &detail);
        })
    }

    /// The form's `on_unread`: `moov-support:unread` with `{count}`, and `also` (the
    /// launcher's badge).
    pub fn on_unread(self, also: impl Fn(usize) + 'static) -> UnsyncCallback<usize> {
        UnsyncCallback::new(move |count: usize| {
            also(count);
            let detail = js_sys::Object::new();
            let _ = Reflect::set(&detail, &"count".into(), &(count as f64).into());
            self.emit_value("unread", &detail);
        })
    }

    /// The form's `on_error`: `moov-support:error`.
    pub fn on_error(self) -> UnsyncCallback<Failure> {
        UnsyncCallback::new(move |failure: Failure| self.emit_error(&failure))
    }
}
