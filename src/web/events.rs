//! `moov-support:*` events on the host element, so the partner's page can react to the form
//! (close a panel on success, log an error with its request id, …).

use leptos::prelude::*;
use serde::Serialize;
use wasm_bindgen::JsValue;

use crate::web::client::Failure;
use crate::web::wire;

/// Dispatches events on the host element; does nothing when there is none (a form mounted
/// directly by a Leptos app).
#[derive(Clone, Copy)]
pub struct Emitter(StoredValue<Option<web_sys::EventTarget>, LocalStorage>);

impl Default for Emitter {
    fn default() -> Self {
        Emitter(StoredValue::new_local(None))
    }
}

impl Emitter {
    pub fn new(target: web_sys::EventTarget) -> Self {
        Emitter(StoredValue::new_local(Some(target)))
    }

    /// Dispatches `moov-support:<name>`, bubbling and composed so it leaves the shadow root.
    pub fn emit<T: Serialize + ?Sized>(&self, name: &str, detail: &T) {
        let detail = wire::to_js(detail).unwrap_or(JsValue::NULL);
        self.0.with_value(|target| {
            let Some(target) = target else { return };
            let init = web_sys::CustomEventInit::new();
            init.set_bubbles(true);
            init.set_composed(true);
            init.set_detail(&detail);
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
}
