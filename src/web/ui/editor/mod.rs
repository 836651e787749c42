//! The message editor: a small rich-text field (bold, italic, lists, link, code).
//!
//! Whatever enters it, typed or pasted, ends up as HTML the shared ammonia policy keeps as is:
//! pasted HTML is cleaned before it is inserted, and the content is normalized by the same
//! policy when the user leaves the field, so what the user sees is what is sent.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::sanitize;
use crate::web::i18n::Strings;
use crate::web::sanitizer_worker;

mod commands;

use commands::{apply, exec, Action};

/// The labelled, accessible rich-text field with its toolbar.
#[component]
pub fn RichTextEditor(
    /// The editor element's id.
    id: &'static str,
    /// The id of the element naming the field.
    labelled_by: &'static str,
    /// The user's language, for the toolbar.
    t: &'static Strings,
    /// The HTML shown when the editor is created.
    initial: String,
    /// Reaches the editable element, to focus it.
    node_ref: NodeRef<html::Div>,
    /// While a send is on its way the message cannot change: what is typed then would be
    /// neither sent nor kept.
    #[prop(into)]
    read_only: Signal<bool>,
    /// Whether the field is currently invalid.
    #[prop(into)]
    invalid: Signal<bool>,
    /// The ids describing the field (hint, error).
    #[prop(into)]
    described_by: Signal<String>,
    /// Receives the editor's HTML after every change.
    on_change: Callback<String>,
    /// Called when the user leaves the field, with the normalized HTML.
    on_leave: Callback<String>,
) -> impl IntoView {
    // `None` too once the form is gone (a blur can arrive while it is being removed).
    let editor = move || {
        node_ref
            .try_get_untracked()
            .flatten()
            .map(web_sys::HtmlElement::from)
    };
    let changed = move || {
        if let Some(el) = editor() {
            on_change.run(el.inner_html());
        }
    };
    let run = move |action: Action| {
        if read_only.get_untracked() {
            return;
        }
        if let Some(el) = editor() {
            apply(action, &el, t);
            on_change.run(el.inner_html());
        }
    };
    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        if !(ev.ctrl_key() || ev.meta_key()) || ev.alt_key() {
            return;
        }
        if let Some(action) = Action::shortcut(&ev.key()) {
            ev.prevent_default();
            run(action);
        }
    };
    // Pasted or dropped HTML passes through the policy before it enters the editor; plain
    // text becomes paragraphs.
    let insert = move |html: String, text: String| {
        spawn_local(async move {
            // Should the sanitizer be out of reach, the paste still lands, as plain text.
            let clean = if html.trim().is_empty() {
                sanitize::text_to_html(&text)
            } else {
                sanitizer_worker::clean(&html)
                    .await
                    .unwrap_or_else(|_| sanitize::text_to_html(&text))
            };
            if let Some(el) = editor() {
                let _ = el.focus();
                // Without a caret in the editor (e.g. Firefox right after focus()), append.
                let before = el.inner_html();
                if !exec("insertHTML", &clean) || el.inner_html() == before {
                    let _ = el.insert_adjacent_html("beforeend", &clean);
                }
                // The form may be gone by now (sent, or unmounted by the page).
                on_change.try_run(el.inner_html());
            }
        });
    };
    let on_paste = move |ev: web_sys::ClipboardEvent| {
        let Some(data) = ev.clipboard_data() else {
            return;
        };
        ev.prevent_default();
        if read_only.get_untracked() {
            return;
        }
        insert(
            data.get_data("text/html").unwrap_or_default(),
            data.get_data("text/plain").unwrap_or_default(),
        );
    };
    // A drop would put the dragged markup in as it is; it takes the paste's way instead (at
    // the caret), and dropped files are not a message.
    let on_drop = move |ev: web_sys::DragEvent| {
        let Some(data) = ev.data_transfer() else {
            return;
        };
        ev.prevent_default();
        let files = data.files().is_some_and(|f| f.length() > 0);
        if read_only.get_untracked() || files {
            return;
        }
        insert(
            data.get_data("text/html").unwrap_or_default(),
            data.get_data("text/plain").unwrap_or_default(),
        );
    };
    let on_beforeinput = move |ev: web_sys::InputEvent| {
        if read_only.get_untracked() {
            ev.prevent_default();
        }
    };
    let on_blur = move |_| {
        let Some(el) = editor() else { return };
        // Taken off the page (the message was sent, or the page removed the form): there is
        // nothing left to tidy.
        if !el.is_connected() {
            return;
        }
        let raw = el.inner_html();
        spawn_local(async move {
            // Unchecked HTML is still checked by the rules and cleaned again before sending.
            let clean = sanitizer_worker::clean(&raw)
                .await
                .unwrap_or_else(|_| raw.clone());
            let Some(el) = editor() else { return };
            // The user came back and typed while the sanitizer ran: this answer is stale, and
            // applying it would undo what they typed.
            if el.inner_html() != raw {
                return;
            }
            if raw != clean {
                el.set_inner_html(&clean);
            }
            // Sending with the caret still here removes the editor, which blurs it: by the
            // time the answer comes the form may be gone, and so is its callback.
            on_leave.try_run(clean);
        });
    };
    // The toolbar is one Tab stop; arrow keys, Home and End move along it (WAI-ARIA toolbar).
    let active_tool = RwSignal::new(0usize);
    let on_toolbar_keydown = move |ev: web_sys::KeyboardEvent| {
        let Some(toolbar) = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        let rtl = toolbar.closest("[dir=rtl]").ok().flatten().is_some();
        let last = Action::ALL.len() - 1;
        let now = active_tool.get_untracked();
        let (forward, back) = if rtl {
            ("ArrowLeft", "ArrowRight")
        } else {
            ("ArrowRight", "ArrowLeft")
        };
        let next = match ev.key().as_str() {
            k if k == forward => (now + 1) % (last + 1),
            k if k == back => now.checked_sub(1).unwrap_or(last),
            "Home" => 0,
            "End" => last,
            _ => return,
        };
        ev.prevent_default();
        let button = toolbar
            .query_selector_all("button")
            .ok()
            .and_then(|list| list.item(next as u32))
            .and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(button) = button {
            active_tool.set(next);
            let _ = button.focus();
        }
    };
    // Enter starts a paragraph (the policy keeps <p>, not the <div> browsers make).
    Effect::new(move |_| exec("defaultParagraphSeparator", "p"));

    view! {
        <div class="moov-editor">
            <div
                class="moov-toolbar"
                role="toolbar"
                aria-label=t.formatting
                aria-controls=id
                on:keydown=on_toolbar_keydown
            >
                {Action::ALL
                    .into_iter()
                    .enumerate()
                    .map(|(i, action)| {
                        view! {
                            <button
                                type="button"
                                class=action.class()
                                aria-label=action.label(t)
                                title=action.label(t)
                                tabindex=move || if active_tool.get() == i { "0" } else { "-1" }
                                on:mousedown=|ev| ev.prevent_default()
                                on:focus=move |_| active_tool.set(i)
                                on:click=move |_| run(action)
                            >
                                {action.glyph(t)}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
            <div
                node_ref=node_ref
                id=id
                class="moov-editor-area"
                contenteditable="true"
                role="textbox"
                aria-multiline="true"
                aria-required="true"
                aria-readonly=move || read_only.get().then_some("true")
                aria-labelledby=labelled_by
                aria-invalid=move || invalid.get().then_some("true")
                aria-describedby=move || described_by.get()
                inner_html=initial
                on:input=move |_| changed()
                on:keydown=on_keydown
                on:paste=on_paste
                on:drop=on_drop
                on:beforeinput=on_beforeinput
                on:blur=on_blur
            ></div>
        </div>
    }
}
