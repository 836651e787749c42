//! The "Contact support" form: a component that sets the form up and draws it. What it holds
//! is [`crate::form_state::FormState`]; how a ticket leaves is [`crate::web::send`].

mod actions;
mod adapters;
mod notify;
mod sync;
mod view;

use leptos::prelude::*;

use crate::draft::Draft;
use crate::form_state::{FormState, Phase};
use crate::rules;
use crate::ticket::{Field, FieldErrors, Ticket};
use crate::web::client::Failure;
use crate::web::embed::Options;
use crate::web::i18n::Locale;
use crate::web::inbox_loader::{InboxLoader, Screen, Setup};
use crate::web::inbox_report::{Reply, Report};
use crate::web::inbox_tokens::InboxTokens;
use crate::web::page_style;
use crate::web::sanitizer_worker;
use crate::web::storage::{new_idempotency_key, DraftStore};
use crate::web::token_provider::Tokens;
use crate::web::ui::editor::RichTextEditor;
use crate::web::wire;

use actions::{Form, KnownContact, Route};
use notify::Notify;
use sync::Owner;
use view::{Actions, FailureBanner, FieldError, InboxLoadFailed, Nodes, Success};

/// The form, mounted by the `<moov-support-form>` element or directly by a Leptos app.
#[component]
pub fn SupportForm(
    /// What the partner configured: the element's attributes, or `MoovSupport.mount`'s
    /// options.
    options: Options,
    /// The session token while it can change under a mounted form (the element's
    /// `session-token` for the same user); `options.session_token` when absent. Read again
    /// at every send.
    #[prop(optional, into)]
    session_token: Option<Signal<Option<String>>>,
    /// Gives a token when there is none, and once more after the proxy refused one.
    #[prop(optional, into)]
    token_provider: Option<Tokens>,
    /// Called once the form is drawn.
    #[prop(optional, into)]
    on_ready: Option<UnsyncCallback<()>>,
    /// Called when a saved draft was put back in the form.
    #[prop(optional, into)]
    on_draft_restored: Option<UnsyncCallback<()>>,
    /// Called when a send waits for the browser to be back online.
    #[prop(optional, into)]
    on_queued: Option<UnsyncCallback<()>>,
    /// Called with the ticket once it was filed.
    #[prop(optional, into)]
    on_submitted: Option<UnsyncCallback<Ticket>>,
    /// Called with every failed send.
    #[prop(optional, into)]
    on_error: Option<UnsyncCallback<Failure>>,
    /// Called when support replies to one of the user's requests.
    #[prop(optional, into)]
    on_reply: Option<UnsyncCallback<Reply>>,
    /// Called with how many requests have an unread reply, whenever that changes.
    #[prop(optional, into)]
    on_unread: Option<UnsyncCallback<usize>>,
) -> impl IntoView {
    let Options {
        endpoint,
        session_token: first_token,
        contact_email,
        contact_name,
        lock_contact,
        locale,
        timeout_ms,
        instance,
        launcher,
        requests_first,
    } = options;
    let session_token = session_token.unwrap_or_else(|| Signal::stored(first_token));
    let locale = Locale::choose(locale.as_deref()).spoken();
    let inbox = InboxLoader::new(
        Setup {
            endpoint: endpoint.clone(),
            timeout_ms,
            locale: locale.tag(),
            tokens: InboxTokens::new(session_token, token_provider.clone()),
            report: Report {
                reply: on_reply,
                unread: on_unread,
            },
            launcher,
        },
        if requests_first {
            Screen::Shown
        } else {
            Screen::Form
        },
    );
    let screen = inbox.screen();
    let on_submitted = inbox.on_filed(on_submitted);
    let t = locale.strings();
    let claims = session_token
        .get_untracked()
        .as_deref()
        .and_then(wire::session_claims);
    let identify_later =
        claims.is_none() && token_provider.as_ref().is_some_and(Tokens::is_available);
    let owner = Owner::new(identify_later, instance.clone());
    let store = StoredValue::new((!identify_later).then(|| {
        let user = claims.as_ref().map_or("anonymous", |c| c.sub.as_str());
        DraftStore::new(&endpoint, user, instance.as_deref())
    }));
    let known = KnownContact::new(contact_email, contact_name, claims.as_ref());

    let saved = store.with_value(|s| s.as_ref().and_then(DraftStore::load));
    let restored = saved.as_ref().is_some_and(|d| !d.is_blank());
    let mut draft: Draft = saved.unwrap_or_default();
    // A locked field the user could not correct would keep Send from ever working: the
    // lock holds only for an email the rules accept (and then for the name beside it).
    let lock_contact = lock_contact && rules::check_field(Field::Email, &known.email).is_ok();
    // Contact details the partner already knows prefill what the user has not typed, and
    // replace it when the partner locked them.
    if lock_contact || draft.email.is_empty() {
        draft.email = known.email.clone();
    }
    if lock_contact || draft.name.is_empty() {
        draft.name = known.name.clone();
    }

    let form = Form {
        state: RwSignal::new(FormState::new(draft, lock_contact, new_idempotency_key)),
        errors: RwSignal::new(FieldErrors::default()),
        attempted: RwSignal::new(false),
        restored_notice: RwSignal::new(restored),
        store,
        known: StoredValue::new(known),
        notify: Notify {
            ready: on_ready,
            draft_restored: on_draft_restored,
            queued: on_queued,
            submitted: on_submitted,
            error: on_error,
        },
        nodes: Nodes::new(),
        route: Route {
            endpoint: StoredValue::new(endpoint),
            timeout_ms,
            session_token,
            tokens: StoredValue::new_local(token_provider),
            refused_token: StoredValue::new(None),
        },
        t,
    };
    let notify = form.notify;
    if restored {
        Effect::new(move |_| notify.draft_restored());
    }
    Effect::new(move |_| notify.ready());
    if owner.identify_later && owner.any_saved(&form.route.endpoint.get_value()) {
        owner.identify(form);
    }
    sync::send_when_online(form);
    sync::follow_other_tabs(form);

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
