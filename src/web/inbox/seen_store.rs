//! What the user has read, kept in `localStorage` per endpoint and user (like drafts), so
//! unread marks survive a reload and one user never sees another's.

use js_sys::{Object, Reflect, JSON};
use wasm_bindgen::JsValue;

use crate::inbox_state::Seen;

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
    }
}
