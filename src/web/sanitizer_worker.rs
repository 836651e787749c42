//! The sanitizing policy ([`crate::sanitize`]) as the form reaches it: asynchronous, because
//! the ammonia policy is most of the widget's bytes. The first bundle draws the form; the policy comes in its own module
//! (`moov-support-sanitizer`), run in a Web Worker, once a form is about to need it.
//!
//! With the `inline-sanitizer` feature the policy is linked into the widget instead: one
//! bundle, the same answers, which is what the browser tests exercise the form with.

use thiserror::Error;

/// Why a message could not be cleaned in the browser.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SanitizerError {
    /// The sanitizer's module did not load (offline, blocked, or a failed download).
    #[error("the message checker could not load ({0}); check the connection and try again")]
    Unavailable(String),
}

/// Starts loading the sanitizer, so the first paste or Send does not wait for it.
pub fn warm() {
    #[cfg(not(feature = "inline-sanitizer"))]
    bridge::warm();
}

/// Cleans a message body with the shared policy ([`crate::sanitize::policy`]).
pub async fn clean(html: &str) -> Result<String, SanitizerError> {
    #[cfg(feature = "inline-sanitizer")]
    {
        Ok(crate::sanitize::clean(html))
    }
    #[cfg(not(feature = "inline-sanitizer"))]
    {
        bridge::clean(html).await
    }
}

/// The sanitizer the form sends with.
#[derive(Debug, Clone, Copy, Default)]
pub struct Worker;

impl crate::web::send::Sanitizer for Worker {
    async fn clean(&self, html: &str) -> Result<String, SanitizerError> {
        clean(html).await
    }
}

#[cfg(not(feature = "inline-sanitizer"))]
mod bridge {
    use wasm_bindgen::prelude::*;

    use super::SanitizerError;

    #[wasm_bindgen(module = "/src/web/sanitizer.js")]
    extern "C" {
        #[wasm_bindgen(js_name = warm)]
        fn warm_js();
        #[wasm_bindgen(js_name = clean, catch)]
        async fn clean_js(html: &str) -> Result<JsValue, JsValue>;
    }

    pub fn warm() {
        warm_js();
    }

    pub async fn clean(html: &str) -> Result<String, SanitizerError> {
        match clean_js(html).await {
            Ok(v) => v
                .as_string()
                .ok_or_else(|| SanitizerError::Unavailable("no answer".into())),
            Err(e) => Err(SanitizerError::Unavailable(
                js_sys::Error::from(e)
                    .message()
                    .as_string()
                    .unwrap_or_default(),
            )),
        }
    }
}
