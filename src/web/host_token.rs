//! The page's `getSessionToken` callback on the `<moov-support-form>` element, as the form's
//! [`TokenProvider`].

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::web::token_provider::{TokenFuture, TokenProvider};

/// Reads `getSessionToken` from the host element each time it is needed, so a partner can set
/// or replace the callback after the form is mounted.
#[derive(Clone, Debug)]
pub struct HostTokenCallback(web_sys::EventTarget);

impl HostTokenCallback {
    pub fn new(host: web_sys::EventTarget) -> Self {
        HostTokenCallback(host)
    }

    /// Calls the callback and awaits its answer (a string or a promise of one); `None` when
    /// there is no callback, it throws, or it does not answer with a non-empty string.
    async fn fetch(host: web_sys::EventTarget) -> Option<String> {
        let callback = js_sys::Reflect::get(&host, &"getSessionToken".into())
            .ok()?
            .dyn_into::<js_sys::Function>()
            .ok()?;
        let answer = callback.call0(&host).ok()?;
        let token = JsFuture::from(js_sys::Promise::resolve(&answer))
            .await
            .ok()?
            .as_string()?;
        (!token.is_empty()).then_some(token)
    }
}

impl TokenProvider for HostTokenCallback {
    fn token(&self) -> TokenFuture {
        Box::pin(Self::fetch(self.0.clone()))
    }

    /// Whether the page has given a callback (it may still answer nothing).
    fn is_available(&self) -> bool {
        js_sys::Reflect::get(&self.0, &"getSessionToken".into()).is_ok_and(|f| f.is_function())
    }
}
