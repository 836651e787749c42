//! The form as it is drawn: its fields, the message editor, the notice and the buttons.
//! The same function draws the live form and, rendered to HTML at build time, the static
//! form the loader shows before the wasm arrives (see [`super::shell`]).

use leptos::prelude::*;

use crate::form_state::Phase;
use crate::ticket::Field;
use crate::web::i18n::Locale;
use crate::web::inbox_loader::{InboxLoader, Screen};
use crate::web::page_style;
use crate::web::sanitizer_worker;
use crate::web::storage::DraftStore;
use crate::web::ui::editor::RichTextEditor;

use super::actions::Form;
use super::sync::Owner;
use super::view::{Actions, FailureBanner, FieldError, InboxLoadFailed, Success};

/// Draws `form`; `lock_contact` keeps the partner's contact details read-only.
pub(super) fn draw(
    form: Form,
    inbox: InboxLoader,
    locale: Locale,
    lock_contact: bool,
    owner: Owner,
) -> impl IntoView {
    let t = form.t;
    let screen = inbox.screen();
    let on_input = move |field: Field, value: String| {
        form.edit(field, value);
        owner.identify(form);
    };
    // A field is checked when the user leaves it, and re-checked while they fix it.
    let on_blur = move |field: Field| form.check(field);
    let start_over = move |_| {
        form.blank();
        form.store.with_value(|s| s.as_ref().map(DraftStore::clear));
    };

    let phase = Memo::new(move |_| form.phase());
    let sending = move || matches!(phase.get(), Phase::Sending);
    let queued = move || matches!(phase.get(), Phase::Queued);
    let error_of = move |field: Field| form.errors.with(|e| e.get(field).map(str::to_owned));
    // Not a memo: a field the user typed into and the form then emptied again before
    // drawing (another tab sent the message) must still be written back.
    let value_of = move |field: Field| form.state.with(|s| s.value(field).to_owned());

    let text_field = move |field: Field,
                           label: &'static str,
                           kind: &'static str,
                           autocomplete: &'static str| {
        let node = form.nodes.input(field);
        let id = format!("moov-{}", field.key());
        let error_id = format!("moov-{}-error", field.key());
        let described = error_id.clone();
        view! {
            <div class="moov-field">
                <label for=id.clone()>{label}</label>
                <input
                    node_ref=node
                    id=id
                    name=field.key()
                    type=kind
                    autocomplete=autocomplete
                    required=field != Field::Name
                    readonly=move || {
                        sending() || (lock_contact && matches!(field, Field::Email | Field::Name))
                    }
                    prop:value=move || value_of(field)
                    aria-invalid=move || error_of(field).map(|_| "true")
                    aria-describedby=move || error_of(field).map(|_| described.clone())
                    on:input=move |ev| on_input(field, event_target_value(&ev))
                    on:blur=move |_| on_blur(field)
                />
                <FieldError id=error_id message=Signal::derive(move || error_of(field)) />
            </div>
        }
    };

    let show_requests = move || inbox.open();
    // Drawn in a Leptos app's own DOM, the form brings its look along (see `page_style`).
    let root = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if let Some(root) = root.get() {
            page_style::adopt_for(&root);
        }
    });
    view! {
        <div class="moov-support" node_ref=root dir=locale.dir() lang=locale.tag()>
            <div class="moov-form-screen" hidden=move || screen.get() != Screen::Form>
            <Show
                when=move || matches!(phase.get(), Phase::Sent(_))
                fallback=move || {
                    view! {
                        <form
                            class="moov-form"
                            novalidate=true
                            aria-busy=move || sending().then_some("true")
                            on:focusin=move |_| sanitizer_worker::warm()
                            on:submit=move |ev| {
                                ev.prevent_default();
                                form.submit();
                            }
                        >
                            {text_field(Field::Title, t.subject, "text", "off")}
                            <div class="moov-field">
                                <span class="moov-label" id="moov-body-label">
                                    {t.message}
                                </span>
                                <p class="moov-hint" id="moov-body-hint">{t.message_hint}</p>
                                <RichTextEditor
                                    id="moov-body"
                                    labelled_by="moov-body-label"
                                    t=t
                                    initial=form.state.with_untracked(|s| s.value(Field::Body).to_owned())
                                    node_ref=form.nodes.message
                                    read_only=Signal::derive(sending)
                                    invalid=Signal::derive(move || error_of(Field::Body).is_some())
                                    described_by=Signal::derive(move || {
                                        if error_of(Field::Body).is_some() {
                                            "moov-body-hint moov-body-error".to_owned()
                                        } else {
                                            "moov-body-hint".to_owned()
                                        }
                                    })
                                    on_change=Callback::new(move |html| on_input(Field::Body, html))
                                    on_leave=Callback::new(move |html: String| {
                                        form.show_cleaned(html);
                                        on_blur(Field::Body);
                                    })
                                />
                                <FieldError
                                    id="moov-body-error".to_owned()
                                    message=Signal::derive(move || error_of(Field::Body))
                                />
                            </div>
                            {text_field(Field::Email, t.email, "email", "email")}
                            {text_field(Field::Name, t.name, "text", "name")}
                            <FailureBanner phase=phase.into() t=t locale=locale />
                            <p
                                class="moov-notice"
                                class:moov-queued=queued
                                role="status"
                                aria-live="polite"
                            >
                                {move || {
                                    if queued() {
                                        Some(t.queued)
                                    } else if form.attempted.get()
                                        && form.errors.with(|e| !e.is_empty())
                                    {
                                        Some(t.fix_fields)
                                    } else if form.restored_notice.get() {
                                        Some(t.draft_restored)
                                    } else {
                                        None
                                    }
                                }}
                            </p>
                            <Actions t=t queued=Signal::derive(queued) sending=Signal::derive(sending)
                                on_cancel=move || form.cancel_queued() on_requests=show_requests />
                        </form>
                    }
                }
            >
                <Success phase=phase.into() t=t on_again=start_over on_requests=show_requests />
            </Show>
            <InboxLoadFailed load=inbox.load() t=t on_retry=show_requests />
            </div>
            <div class="moov-inbox-host" node_ref=inbox.host()></div>
        </div>
    }
}
