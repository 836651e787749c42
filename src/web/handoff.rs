//! What the loader's static form hands the Rust form when the wasm takes over: what the user
//! typed, whether a saved draft was put back, and whether Send was pressed while waiting.
//! Typing and the swap happen on one thread, so nothing typed can fall between the two.
//! The loader draws that form from the same markup (see `ui::form::shell`); the rest of the
//! handoff (focus, caret, scroll, the swap itself) is in `element.js`.

use std::cell::RefCell;

use wasm_bindgen::{JsCast, JsValue};

use crate::draft::Draft;

thread_local! {
    /// Set by the element just before it draws the form that takes a static form over.
    /// Not a Leptos context: a plain value costs the widget fewer bytes.
    static PENDING: RefCell<Option<Handoff>> = const { RefCell::new(None) };
}

/// What the element's next form takes over; `None` for a form drawn on its own.
pub fn hand_over(handoff: Option<Handoff>) {
    PENDING.with_borrow_mut(|pending| *pending = handoff);
}

/// What this form takes over, once.
pub fn take() -> Option<Handoff> {
    PENDING.with_borrow_mut(Option::take)
}

/// What the form drawn in a static form's place starts from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Handoff {
    /// The four fields as the user left them; the message as the editor's HTML.
    pub values: Draft,
    /// The static form put a saved draft back (and said so).
    pub restored: bool,
    /// Send was pressed before the form was ready: the form sends once drawn.
    pub send: bool,
    /// The user typed in the static form. Otherwise its fields only showed what is stored,
    /// possibly for someone else (the page's session token can arrive at any moment), and
    /// the form reads the store itself.
    pub edited: bool,
}

impl Handoff {
    /// Reads the object `element.js` gives for a host with a static form.
    pub fn from_js(value: &JsValue) -> Option<Handoff> {
        if !value.is_object() {
            return None;
        }
        let text = |key: &str| {
            js_sys::Reflect::get(value, &key.into())
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default()
        };
        let flag = |key: &str| {
            js_sys::Reflect::get(value, &key.into())
                .ok()
                .and_then(|v| v.dyn_into::<js_sys::Boolean>().ok())
                .is_some_and(|b| b.value_of())
        };
        Some(Handoff {
            values: Draft {
                title: text("title"),
                message: text("message"),
                email: text("email"),
                name: text("name"),
                idempotency_key: String::new(),
            },
            restored: flag("restored"),
            send: flag("send"),
            edited: flag("edited"),
        })
    }

    /// The draft to show and whether it counts as restored: what the user typed over
    /// `saved` (which keeps its idempotency key), or `saved` when nothing was typed.
    pub fn over(&self, saved: Option<Draft>) -> (bool, Draft) {
        if !self.edited {
            return (
                saved.as_ref().is_some_and(|d| !d.is_blank()),
                saved.unwrap_or_default(),
            );
        }
        let draft = Draft {
            idempotency_key: saved.map(|d| d.idempotency_key).unwrap_or_default(),
            ..self.values.clone()
        };
        (self.restored, draft)
    }
}
