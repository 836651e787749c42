//! The optional floating "Contact support" button and the modal dialog it opens.
//!
//! The dialog is a native modal `<dialog>` (the page behind it is inert), with focus kept
//! inside by Tab and Shift+Tab, closed by Escape or its Close button, and focus handed back
//! to the button that opened it.

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::web::i18n::{Locale, Strings};
use crate::web::sanitizer_worker;

/// What can take focus inside the dialog, in order.
const FOCUSABLE: &str = "button:not([disabled]), input:not([disabled]), select, textarea, \
                         a[href], [contenteditable=\"true\"], [tabindex]:not([tabindex=\"-1\"])";

fn focusables(dialog: &web_sys::Element) -> Vec<web_sys::HtmlElement> {
    let Ok(list) = dialog.query_selector_all(FOCUSABLE) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
        .filter(|e| e.offset_parent().is_some() || e.get_client_rects().length() > 0)
        .collect()
}

/// The floating button and the dialog holding `children` (the form).
#[component]
pub fn Launcher(
    /// The user's language, and its strings.
    locale: Locale,
    t: &'static Strings,
    /// How many requests have an unread reply: a badge on the button.
    #[prop(optional, into)]
    unread: Signal<usize>,
    /// The form shown in the dialog.
    children: Children,
) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    let button = NodeRef::<html::Button>::new();

    let open = move |_| {
        let Some(d) = dialog.get_untracked() else {
            return;
        };
        let _ = d.show_modal();
        // Start where the user will type.
        let first_field = d
            .query_selector(
                ".moov-form-screen:not([hidden]) input:not([readonly]), \
                 .moov-form-screen:not([hidden]) [contenteditable=\"true\"], #moov-inbox-title",
            )
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(field) = first_field {
            let _ = field.focus();
        }
    };
    let close = move || {
        if let Some(d) = dialog.get_untracked() {
            d.close();
        }
        if let Some(b) = button.get_untracked() {
            let _ = b.focus();
        }
    };
    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        let Some(d) = dialog.get_untracked() else {
            return;
        };
        match ev.key().as_str() {
            "Escape" => {
                ev.prevent_default();
                close();
            }
            "Tab" => {
                let items = focusables(&d);
                let (Some(first), Some(last)) = (items.first(), items.last()) else {
                    return;
                };
                let active = d
                    .get_root_node()
                    .dyn_into::<web_sys::ShadowRoot>()
                    .ok()
                    .and_then(|r| r.active_element());
                let at = |e: &web_sys::HtmlElement| {
                    active.as_ref() == Some(e.unchecked_ref::<web_sys::Element>())
                };
                if ev.shift_key() && at(first) {
                    ev.prevent_default();
                    let _ = last.focus();
                } else if !ev.shift_key() && at(last) {
                    ev.prevent_default();
                    let _ = first.focus();
                }
            }
            _ => {}
        }
    };

    // Read out as "Contact support (2 unread replies)", in the language's plural form.
    let badge = move || {
        let n = unread.get();
        (n > 0).then(|| t.inbox.unread_count.format(locale, n as u64, "{count}"))
    };
    view! {
        <button
            type="button"
            class="moov-launcher"
            aria-haspopup="dialog"
            node_ref=button
            // Pointing at or tabbing to the button is intent: the sanitizer starts loading.
            on:pointerenter=|_| sanitizer_worker::warm()
            on:focus=|_| sanitizer_worker::warm()
            on:click=open
            aria-label=move || badge().map(|b| format!("{} ({b})", t.launcher))
        >
            {t.launcher}
            {move || {
                let n = unread.get();
                (n > 0).then(|| view! { <span class="moov-badge" aria-hidden="true">{n}</span> })
            }}
        </button>
        <dialog
            class="moov-dialog"
            node_ref=dialog
            aria-labelledby="moov-dialog-title"
            on:keydown=on_keydown
            on:cancel=move |ev: web_sys::Event| {
                ev.prevent_default();
                close();
            }
        >
            <div class="moov-dialog-header">
                <h2 id="moov-dialog-title" class="moov-dialog-title">{t.launcher}</h2>
                <button
                    type="button"
                    class="moov-close"
                    aria-label=t.close
                    on:click=move |_| close()
                >
                    "×"
                </button>
            </div>
            {children()}
        </dialog>
    }
}
