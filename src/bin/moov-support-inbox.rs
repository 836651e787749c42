//! "Your requests" as its own bundle: the list, a request's conversation and the live
//! channel, kept out of the form's first bytes. The form loads it when the inbox is needed
//! (see `moov_support::web::inbox_loader`) and calls [`mount`].

use wasm_bindgen::prelude::*;

/// Draws the inbox into `container` (inside the form's shadow root) and answers its handle:
/// `{show(takeFocus), hide(), start(), filed(ticket), destroy()}`.
#[wasm_bindgen]
pub async fn mount(
    container: web_sys::Element,
    config: JsValue,
    hooks: JsValue,
) -> Result<JsValue, JsValue> {
    moov_support::web::inbox::mount::mount(container, config, hooks).await
}

fn main() {}
