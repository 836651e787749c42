//! The widget's look for a form drawn in the page's own DOM (a Leptos app's
//! [`crate::SupportForm`]), where no shadow root scopes the stylesheet.
//!
//! The same rules as the element's, nested under the form's root with CSS nesting: `:host`
//! and the element's container become the root itself, every other rule applies only inside
//! it. Adopted once per document as a constructed stylesheet, so a strict CSP
//! (`style-src 'self'`) needs no exception, and themed with the same `--moov-*` variables.

use std::cell::Cell;

use wasm_bindgen::JsCast;

use crate::web::embed::STYLESHEET;

/// The class of the form's root element, which the rules are nested under.
const ROOT: &str = ".moov-support";

thread_local! {
    static ADOPTED: Cell<bool> = const { Cell::new(false) };
}

/// The element's stylesheet, scoped to the form's root.
pub(crate) fn scoped() -> String {
    let rules = STYLESHEET.replace(":host", "&").replace(".moov-root", "&");
    format!("{ROOT} {{\n{rules}\n}}\n")
}

/// Adopts the scoped stylesheet into the document once, unless `root` (the form's root) is in
/// a shadow root: the element's form has its own sheet there, and is attached to it before it
/// is drawn. A form not attached yet is one an app is about to put in its page.
pub(crate) fn adopt_for(root: &web_sys::Node) {
    if ADOPTED.get() || root.get_root_node().is_instance_of::<web_sys::ShadowRoot>() {
        return;
    }
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(sheet) = web_sys::CssStyleSheet::new() else {
        return;
    };
    if sheet.replace_sync(&scoped()).is_err() {
        return;
    }
    let sheets = document.adopted_style_sheets();
    sheets.push(&sheet);
    document.set_adopted_style_sheets(&sheets);
    ADOPTED.set(true);
}
