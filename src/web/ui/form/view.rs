//! What the form draws around its fields: a field's error, the failure banner and the
//! confirmation, each reading only what it is given; and the nodes the form reaches into.

use leptos::html;
use leptos::prelude::*;

use crate::form_state::Phase;
use crate::ticket::Field;
use crate::web::client::Failure;
use crate::web::i18n::{Locale, Strings};
use crate::web::inbox_loader::Load;

/// The message under a field, announced when it appears.
#[component]
pub fn FieldError(
    /// Referenced by the field's `aria-describedby`.
    id: String,
    /// The current message, if any.
    message: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <p class="moov-error" id=id hidden=move || message.with(Option::is_none)>
            {move || message.get()}
        </p>
    }
}

/// What went wrong with the last send, with the id support needs to trace it.
#[component]
pub fn FailureBanner(
    /// The form's phase; the banner shows only for `Failed`.
    phase: Signal<Phase<Failure>>,
    /// The user's language.
    t: &'static Strings,
    /// The language `t` is written in, for counted phrases.
    locale: Locale,
) -> impl IntoView {
    move || match phase.get() {
        Phase::Failed(f) => {
            let reference = f
                .request_id
                .as_ref()
                .map(|id| t.reference.replace("{id}", id));
            Some(view! {
                <div class="moov-failure" role="alert">
                    <p class="moov-failure-message">{t.submit_error(locale, &f.error)}</p>
                    {reference.map(|r| view! { <p class="moov-reference">{r}</p> })}
                </div>
            })
        }
        _ => None,
    }
}

/// The confirmation after a ticket was created.
#[component]
pub fn Success(
    /// The form's phase; shows the ticket of `Sent`.
    phase: Signal<Phase<Failure>>,
    /// The user's language.
    t: &'static Strings,
    /// Starts a new, empty message.
    on_again: impl Fn(web_sys::MouseEvent) + 'static,
    /// Opens "Your requests".
    on_requests: impl Fn() + 'static,
) -> impl IntoView {
    let ticket = move || match phase.get() {
        Phase::Sent(ticket) => Some(ticket),
        _ => None,
    };
    view! {
        <div class="moov-success" role="status" aria-live="polite">
            <p class="moov-success-title">
                {move || ticket().map(|tk| t.created.replace("{number}", &tk.number.to_string()))}
            </p>
            <p class="moov-success-status">
                {move || ticket().map(|tk| t.status.replace("{status}", t.ticket_status(&tk.status)))}
            </p>
            <button type="button" class="moov-again" on:click=on_again>
                {t.another}
            </button>
            <button type="button" class="moov-view-requests" on:click=move |_| on_requests()>
                {t.inbox.view_requests}
            </button>
        </div>
    }
}

/// The form's buttons: cancel a waiting send, "Your requests", Send.
#[component]
pub fn Actions(
    t: &'static Strings,
    queued: Signal<bool>,
    sending: Signal<bool>,
    on_cancel: impl Fn() + Copy + Send + Sync + 'static,
    on_requests: impl Fn() + 'static,
) -> impl IntoView {
    view! {
        <div class="moov-actions">
            <Show when=move || queued.get()>
                <button type="button" class="moov-cancel" on:click=move |_| on_cancel()>
                    {t.cancel_queued}
                </button>
            </Show>
            <button type="button" class="moov-your-requests" on:click=move |_| on_requests()>
                {t.inbox.your_requests}
            </button>
            <button type="submit" class="moov-send" prop:disabled=move || sending.get()>
                {move || if sending.get() { t.sending } else { t.send }}
            </button>
        </div>
    }
}

/// The inputs the form focuses and the editor it writes a restored message into.
#[derive(Clone, Copy)]
pub struct Nodes {
    pub inputs: [(Field, NodeRef<html::Input>); 3],
    pub message: NodeRef<html::Div>,
}

impl Nodes {
    pub fn new() -> Self {
        Nodes {
            inputs: [
                (Field::Title, NodeRef::new()),
                (Field::Email, NodeRef::new()),
                (Field::Name, NodeRef::new()),
            ],
            message: NodeRef::new(),
        }
    }

    pub fn input(&self, field: Field) -> NodeRef<html::Input> {
        self.inputs
            .iter()
            .find(|(k, _)| *k == field)
            .map(|(_, r)| *r)
            .unwrap_or_default()
    }
}

/// "Your requests" could not load (offline, blocked): said beside the form, with a way to
/// try again; the form itself is unaffected.
#[component]
pub fn InboxLoadFailed(
    load: RwSignal<Load>,
    t: &'static Strings,
    on_retry: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <Show when=move || load.get() == Load::Failed>
            <p class="moov-inbox-load-failed" role="alert">
                {t.inbox.load_failed}
                " "
                <button type="button" class="moov-inbox-retry" on:click=move |_| on_retry()>
                    {t.inbox.retry}
                </button>
            </p>
        </Show>
    }
}
