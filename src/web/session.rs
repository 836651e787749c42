//! The partner's `getSessionToken` callback: how the form gets a token when the page did not
//! hand one over, or when the one it has was refused.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Reads `getSessionToken` from the host element each time it is needed, so a partner can set
/// or replace the callback after the form is mounted.
#[derive(Clone, Debug)]
pub struct TokenSource(web_sys::EventTarget);

impl TokenSource {
    pub fn new(host: web_sys::EventTarget) -> Self {
        TokenSource(host)
    }

    /// Whether the page has given a callback (it may still answer nothing).
    pub fn is_set(&self) -> bool {
        js_sys::Reflect::get(&self.0, &"getSessionToken".into()).is_ok_and(|f| f.is_function())
    }

    /// Calls the callback and awaits its answer (a string or a promise of one); `None` when
    /// there is no callback, it throws, or it does not answer with a non-empty string.
    pub async fn fetch(&self) -> Option<String> {
        let callback = js_sys::Reflect::get(&self.0, &"getSessionToken".into())
            .ok()?
            .dyn_into::<js_sys::Function>()
            .ok()?;
        let answer = callback.call0(&self.0).ok()?;
        let token = JsFuture::from(js_sys::Promise::resolve(&answer))
            .await
            .ok()?
            .as_string()?;
        (!token.is_empty()).then_some(token)
    }
}
