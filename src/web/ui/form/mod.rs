//! The "Contact support" form: a component that sets the form up and draws it. What it holds
//! is [`crate::form_state::FormState`]; how a ticket leaves is [`crate::web::send`].

mod actions;
mod adapters;
mod layout;
mod notify;
mod shell;
mod sync;
mod view;

use leptos::prelude::*;

use crate::form_state::FormState;
use crate::rules;
use crate::ticket::{Field, FieldErrors, Ticket};
use crate::web::client::Failure;
use crate::web::embed::Options;
use crate::web::handoff;
use crate::web::i18n::Locale;
use crate::web::inbox_loader::{InboxLoader, Screen, Setup};
use crate::web::inbox_report::{Reply, Report};
use crate::web::inbox_tokens::InboxTokens;
use crate::web::storage::{new_idempotency_key, DraftStore};
use crate::web::token_provider::Tokens;
use crate::web::wire;

use actions::{Form, KnownContact, Route};
use notify::Notify;
pub use shell::static_form;
use sync::Owner;
use view::Nodes;

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
    // Taking over the loader's static form, what the user typed there is the draft.
    let handoff = handoff::take();
    let (restored, mut draft) = match &handoff {
        Some(h) => h.over(saved),
        None => (
            saved.as_ref().is_some_and(|d| !d.is_blank()),
            saved.unwrap_or_default(),
        ),
    };
    // A locked field the user could not correct would keep Send from ever working: the
    // lock holds only for an email the rules accept (and then for the name beside it).
    let lock_contact = lock_contact && rules::check_field(Field::Email, &known.email).is_ok();
    // Contact details the partner already knows prefill what the user has not typed, and
    // replace it when the partner locked them.
    // What the user typed in the loader's form is final, an emptied field included: the
    // field they see keeps what they left in it.
    let typed = handoff.as_ref().is_some_and(|h| h.edited);
    if lock_contact || (draft.email.is_empty() && !typed) {
        draft.email = known.email.clone();
    }
    if lock_contact || (draft.name.is_empty() && !typed) {
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

    if handoff.as_ref().is_some_and(|h| h.send) {
        // Pressed while the form was loading: sent now, as a press would, once it is drawn.
        leptos::prelude::queue_microtask(move || form.submit());
    } else if typed {
        form.persist();
        // Typed before anyone could say who is signed in: asked now, as a first edit would.
        owner.identify(form);
    }
    layout::draw(form, inbox, locale, lock_contact, owner)
}
