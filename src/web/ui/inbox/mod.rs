//! "Your requests": the list of the user's requests and one request's conversation, beside
//! the form. The form stays on the page (hidden) while this shows, so nothing typed is lost.

mod close;
mod list;
mod request;

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::inbox_state::Connection;
use crate::web::i18n::{Locale, Strings};
use crate::web::inbox::Model;

/// Focuses the first element under `root` matching `selector` once the view has drawn it.
pub(super) fn focus_later(root: NodeRef<html::Section>, selector: impl Into<String>) {
    let selector = selector.into();
    request_animation_frame(move || {
        let target = root
            .try_get_untracked()
            .flatten()
            .and_then(|r| r.query_selector(&selector).ok().flatten())
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(target) = target {
            let _ = target.focus();
        }
    });
}

/// The inbox view: its heading, the way back to the form, the connection's state, and the
/// list or the open request.
#[component]
pub fn Requests(
    model: Model,
    locale: Locale,
    t: &'static Strings,
    /// Whether the user opened it (then focus moves to its heading).
    take_focus: bool,
    /// Back to the form.
    on_new_request: impl Fn() + Copy + 'static,
) -> impl IntoView {
    let i = &t.inbox;
    let root = NodeRef::<html::Section>::new();
    if take_focus {
        focus_later(root, "#moov-inbox-title");
    }
    let notice = move || match model.connection.get() {
        Connection::Offline => Some(i.offline),
        Connection::Reconnecting => Some(i.reconnecting),
        Connection::Connecting | Connection::Live => None,
    };
    // Focus goes to the control that leads here again, on the form or its confirmation.
    let new_request = move |_| {
        let widget = root
            .try_get_untracked()
            .flatten()
            .and_then(|r| r.closest(".moov-support").ok().flatten());
        on_new_request();
        request_animation_frame(move || {
            let target = widget
                .and_then(|w| {
                    w.query_selector(".moov-your-requests, .moov-view-requests")
                        .ok()
                })
                .flatten()
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
            if let Some(target) = target {
                let _ = target.focus();
            }
        });
    };
    let announcement = move || {
        model
            .announcement
            .get()
            .map(|n| i.reply_announcement.replace("{number}", &n.to_string()))
    };
    view! {
        <section
            class="moov-inbox"
            node_ref=root
            aria-labelledby="moov-inbox-title"
            data-connection=move || match model.connection.get() {
                Connection::Connecting => "connecting",
                Connection::Live => "live",
                Connection::Reconnecting => "reconnecting",
                Connection::Offline => "offline",
            }
        >
            <div class="moov-inbox-bar">
                <h2 class="moov-inbox-title" id="moov-inbox-title" tabindex="-1">
                    {i.your_requests}
                </h2>
                <button type="button" class="moov-new-request" on:click=new_request>
                    {i.new_request}
                </button>
            </div>
            <p class="moov-connection" role="status" hidden=move || notice().is_none()>
                {notice}
            </p>
            {move || match model.open.get() {
                None => list::list(model, locale, t, root).into_any(),
                Some(id) => request::request(model, locale, t, root, id).into_any(),
            }}
            <p class="moov-sr-only" aria-live="polite">{announcement}</p>
        </section>
    }
}
