//! The widget's look for a form drawn in the page's own DOM (a Leptos app's
//! [`crate::SupportForm`]), where no shadow root scopes the stylesheet.
//!
//! The same rules as the element's, nested under the form's root with CSS nesting: `:host`
//! and the element's container become the root itself, every other rule applies only inside
//! it. Adopted once per document as a constructed stylesheet, so a strict CSP
//! (`style-src 'self'`) needs no exception, and themed with the same `--moov-*` variables.

use std::cell::Cell;

use wasm_bindgen::JsCast;

/// The class of the form's root element, which the rules are nested under.
const ROOT: &str = ".moov-support";

thread_local! {
    static ADOPTED: Cell<bool> = const { Cell::new(false) };
}

/// The element's stylesheet, scoped to the form's root: what the element's rules say of its
/// host (`:host`, `:host([hidden])`), of its container (`.moov-root`) and of the form's root
/// (`.moov-support`) is said of the root itself (`&`), and every other rule of what is inside.
pub(crate) fn scoped() -> String {
    let mut rules = crate::web::sheet::text().to_owned();
    // `:host(X)` is the host when it matches X: the root when it matches X.
    while let Some(start) = rules.find(":host(") {
        let inner = start + ":host(".len();
        let Some(len) = rules[inner..].find(')') else {
            break;
        };
        let condition = rules[inner..inner + len].to_owned();
        rules.replace_range(start..inner + len + 1, &format!("&{condition}"));
    }
    let rules = rules.replace(":host", "&").replace(".moov-root", "&");
    format!("{ROOT} {{\n{}\n}}\n", the_root_itself(&rules))
}

/// `css` with the class selector of the form's root (not the longer `.moov-support-…` names)
/// written as `&`.
fn the_root_itself(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(at) = rest.find(ROOT) {
        let after = &rest[at + ROOT.len()..];
        let longer = after
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        out.push_str(&rest[..at]);
        out.push_str(if longer { ROOT } else { "&" });
        rest = after;
    }
    out.push_str(rest);
    out
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
