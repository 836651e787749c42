//! `moov-support:*` events on the host element, so the partner's page can react to the form
//! (close a panel on success, log an error with its request id, …). The form reports through
//! Rust callbacks; these are the callbacks the custom element gives it.

use js_sys::Reflect;
use leptos::prelude::*;
use serde::Serialize;
use wasm_bindgen::JsValue;

use crate::embed_events::{self, Detail, EmbedEvent};
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

    /// Dispatches `event`, bubbling and composed so it leaves the shadow root.
    pub fn emit<T: Serialize + ?Sized>(&self, event: EmbedEvent, detail: &T) {
        self.emit_value(event, &wire::to_js(detail).unwrap_or(JsValue::NULL));
    }

    /// [`Emitter::emit`] with a detail already built.
    fn emit_value(&self, event: EmbedEvent, detail: &JsValue) {
        self.0.with_value(|target| {
            let init = web_sys::CustomEventInit::new();
            init.set_bubbles(true);
            init.set_composed(true);
            init.set_detail(detail);
            if let Ok(event) =
                web_sys::CustomEvent::new_with_event_init_dict(&event.dom_name(), &init)
            {
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
            embed_events::ERROR,
            &Detail {
                status: failure.status,
                message: failure.error.to_string(),
                request_id: failure.request_id.as_deref(),
            },
        );
    }

    /// A form callback that dispatches `event`, whose detail is `null`.
    pub fn on(self, event: EmbedEvent) -> UnsyncCallback<()> {
        debug_assert_eq!(event.detail(), Detail::Nothing, "{}", event.name());
        UnsyncCallback::new(move |()| self.emit(event, &()))
    }

    /// The form's `on_submitted`: `moov-support:submitted` with the ticket.
    pub fn on_submitted(self) -> UnsyncCallback<Ticket> {
        UnsyncCallback::new(move |ticket: Ticket| self.emit(embed_events::SUBMITTED, &ticket))
    }

    /// The form's `on_reply`: `moov-support:reply` with `{ticketID, number}`.
    pub fn on_reply(self) -> UnsyncCallback<Reply> {
        UnsyncCallback::new(move |reply: Reply| {
            let [ticket_id, number] = field_names(embed_events::REPLY);
            let detail = js_sys::Object::new();
            let _ = Reflect::set(&detail, &ticket_id.into(), &reply.ticket_id.into());
            let _ = Reflect::set(&detail, &number.into(), &(reply.number as f64).into());
            self.emit_value(embed_events::REPLY, &detail);
        })
    }

    /// The form's `on_unread`: `moov-support:unread` with `{count}`, and `also` (the
    /// launcher's badge).
    pub fn on_unread(self, also: impl Fn(usize) + 'static) -> UnsyncCallback<usize> {
        UnsyncCallback::new(move |count: usize| {
            also(count);
            let [count_key] = field_names(embed_events::UNREAD);
            let detail = js_sys::Object::new();
            let _ = Reflect::set(&detail, &count_key.into(), &(count as f64).into());
            self.emit_value(embed_events::UNREAD, &detail);
        })
    }

    /// The form's `on_error`: `moov-support:error`.
    pub fn on_error(self) -> UnsyncCallback<Failure> {
        UnsyncCallback::new(move |failure: Failure| self.emit_error(&failure))
    }
}

/// The keys of `event`'s detail, in the table's order. A debug build asserts the caller sets
/// every field the table lists, so the two cannot drift apart unnoticed in the browser tests.
fn field_names<const N: usize>(event: EmbedEvent) -> [&'static str; N] {
    let fields = event.detail().fields();
    debug_assert_eq!(fields.len(), N, "{}", event.name());
    std::array::from_fn(|i| fields.get(i).map_or("", |f| f.name))
}
