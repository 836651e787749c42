//! What the user has read, kept in `localStorage` per endpoint and user (like drafts), so
//! unread marks survive a reload and one user never sees another's.

use js_sys::{Object, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::inbox_state::Seen;

/// Sent on the window after a widget saved marks: the other widgets of the page hold their
/// own copy of them (other tabs hear of it by the browser's `storage` event).
const SAVED: &str = "moov-support-seen";

/// Where one user's read marks for one endpoint live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenStore {
    key: String,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

impl SeenStore {
    pub fn new(endpoint: &str, user: &str) -> Self {
        SeenStore {
            key: crate::web::storage::seen_key(endpoint, user),
        }
    }

    /// The storage key, exposed for tests.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// What was stored: `{ticketID: last seen message time in ms, or null}`; nothing when
    /// there is none or it cannot be read.
    pub fn load(&self) -> Seen {
        let stored = storage()
            .and_then(|s| s.get_item(&self.key).ok().flatten())
            .and_then(|raw| JSON::parse(&raw).ok())
            .filter(JsValue::is_object);
        let Some(stored) = stored else {
            return Seen::default();
        };
        let object = Object::from(stored);
        Seen::from_entries(Object::keys(&object).iter().filter_map(|k| {
            let at = Reflect::get(&object, &k).ok()?;
            Some((k.as_string()?, at.as_f64().map(|ms| ms as i64)))
        }))
    }

    /// Saves `seen`; full or disabled storage is ignored (the marks then last this visit).
    pub fn save(&self, seen: &Seen) {
        let object = Object::new();
        for (id, at) in seen.entries() {
            let at = at.map_or(JsValue::NULL, |ms| JsValue::from_f64(ms as f64));
            let _ = Reflect::set(&object, &id.into(), &at);
        }
        if let (Some(s), Ok(json)) = (storage(), JSON::stringify(&object)) {
            let _ = s.set_item(&self.key, &String::from(json));
        }
        let init = web_sys::CustomEventInit::new();
        init.set_detail(&JsValue::from_str(&self.key));
        if let (Some(w), Ok(event)) = (
            web_sys::window(),
            web_sys::CustomEvent::new_with_event_init_dict(SAVED, &init),
        ) {
            let _ = w.dispatch_event(&event);
        }
    }

    /// Calls `saved` whenever another widget of this page, or another tab, saves marks under
    /// this key, until the returned [`Watch`] is dropped.
    pub fn watch(&self, saved: impl Fn() + 'static) -> Watch {
        let key = self.key.clone();
        let on_event = Closure::<dyn Fn(web_sys::Event)>::new(move |event: web_sys::Event| {
            let named = ["detail", "key"]
                .iter()
                .filter_map(|field| Reflect::get(&event, &(*field).into()).ok())
                .any(|value| value.as_string().as_deref() == Some(key.as_str()));
            if named {
                saved();
            }
        });
        if let Some(w) = web_sys::window() {
            for name in [SAVED, "storage"] {
                let _ = w.add_event_listener_with_callback(name, on_event.as_ref().unchecked_ref());
            }
        }
        Watch(on_event)
    }
}

/// Listening for marks saved elsewhere; stops when dropped.
pub struct Watch(Closure<dyn Fn(web_sys::Event)>);

impl Drop for Watch {
    fn drop(&mut self) {
        if let Some(w) = web_sys::window() {
            for name in [SAVED, "storage"] {
                let _ =
                    w.remove_event_listener_with_callback(name, self.0.as_ref().unchecked_ref());
            }
        }
    }
}
