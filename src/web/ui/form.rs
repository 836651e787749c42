//! The "Contact support" form.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::draft::{Draft, SessionHint};
use crate::rules::{self, Problem};
use crate::sanitize;
use crate::ticket::{Contact, CreateTicket, Field, FieldErrors, Ticket};
use crate::web::client::{self, Failure, Submission, SubmitError};
use crate::web::events::Emitter;
use crate::web::i18n::{Locale, Strings};
use crate::web::sanitizer;
use crate::web::session::TokenSource;
use crate::web::storage::{new_idempotency_key, DraftStore};
use crate::web::ui::editor::RichTextEditor;
use crate::web::wire;

/// Where the form is in its life.
#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Editing,
    Sending,
    /// The browser is offline, or the proxy could not be reached: the send waits for the
    /// `online` event and then goes out under the same idempotency key.
    Queued,
    Sent(Ticket),
    Failed(Failure),
}

/// The four field signals, so handlers can address a field by [`Field`].
#[derive(Clone, Copy)]
struct Values {
    title: RwSignal<String>,
    message: RwSignal<String>,
    email: RwSignal<String>,
    name: RwSignal<String>,
}

impl Values {
    fn signal(&self, field: Field) -> RwSignal<String> {
        match field {
            Field::Title => self.title,
            Field::Body => self.message,
            Field::Email => self.email,
            Field::Name => self.name,
        }
    }

    /// The raw value as the rules see it (the message is the editor's HTML).
    fn raw(&self, field: Field) -> String {
        self.signal(field).get_untracked()
    }
}

/// What the last send carried and under which key. An edit that brings the form back to it
/// (a letter typed and deleted, a toolbar click that changes nothing) keeps that key: the
/// proxy may hold a ticket under it already, and a new key would file a second one.
#[derive(Debug, Clone, PartialEq)]
struct Attempt {
    title: String,
    /// The message as typed, and as cleaned for sending (the editor shows the latter once
    /// the user leaves it).
    messages: [String; 2],
    email: String,
    name: String,
    key: String,
}

impl Attempt {
    fn of(values: &Values, key: String) -> Self {
        let message = values.message.get_untracked();
        Attempt {
            title: values.title.get_untracked().trim().to_owned(),
            messages: [message.clone(), message],
            email: values.email.get_untracked().trim().to_owned(),
            name: values.name.get_untracked().trim().to_owned(),
            key,
        }
    }

    /// Whether the form holds what was sent; spaces around a line do not count, as the
    /// rules trim them before sending.
    fn matches(&self, values: &Values) -> bool {
        values.title.get_untracked().trim() == self.title
            && self.messages.contains(&values.message.get_untracked())
            && values.email.get_untracked().trim() == self.email
            && values.name.get_untracked().trim() == self.name
    }
}

/// The form, mounted by the `<moov-support-form>` element or directly by a Leptos app.
#[component]
pub fn SupportForm(
    /// The partner proxy's ticket endpoint, e.g. `/api/support/tickets`.
    #[prop(into)]
    endpoint: String,
    /// The partner's session token for the signed-in user; read again at every submit.
    #[prop(into)]
    session_token: Signal<Option<String>>,
    /// Where `moov-support:*` events are dispatched (the host element).
    #[prop(optional)]
    emitter: Emitter,
    /// Milliseconds to wait for the proxy before reporting a timeout.
    #[prop(default = client::DEFAULT_TIMEOUT_MS)]
    timeout_ms: i32,
    /// The partner's `getSessionToken` callback: asked when there is no token, and once more
    /// after the proxy refused one.
    #[prop(optional)]
    token_source: Option<TokenSource>,
    /// The user's email as the partner knows it; prefills the form.
    #[prop(optional_no_strip)]
    contact_email: Option<String>,
    /// The user's name as the partner knows it; prefills the form.
    #[prop(optional_no_strip)]
    contact_name: Option<String>,
    /// Shows the partner's contact details read-only instead of letting the user edit them.
    #[prop(optional)]
    lock_contact: bool,
    /// A BCP 47 language tag; the browser's language when absent.
    #[prop(optional_no_strip)]
    locale: Option<String>,
    /// Tells apart the drafts of two forms on one page with the same endpoint and user.
    #[prop(optional_no_strip)]
    instance: Option<String>,
) -> impl IntoView {
    let locale = Locale::choose(locale.as_deref()).spoken();
    let t = locale.strings();
    let hint = session_token
        .get_untracked()
        .as_deref()
        .and_then(wire::session_hint);
    // Whose draft this is. With only the partner's callback to say who is signed in, that is
    // known once it answers (below): until then nothing is restored or saved, so on a shared
    // computer one user never sees another's draft.
    let identify_later = hint.is_none() && token_source.as_ref().is_some_and(TokenSource::is_set);
    let store = StoredValue::new((!identify_later).then(|| {
        let user = hint.as_ref().map_or("anonymous", |h| h.sub.as_str());
        DraftStore::new(&endpoint, user, instance.as_deref())
    }));
    let endpoint = StoredValue::new(endpoint);
    let instance = StoredValue::new(instance);
    let token_source = StoredValue::new_local(token_source);
    // The page's token once the proxy refused it: from then on the callback is asked instead.
    let refused_token = StoredValue::new(None::<String>);
    let attempt = StoredValue::new(None::<Attempt>);
    let known = StoredValue::new(KnownContact::new(
        contact_email,
        contact_name,
        hint.as_ref(),
    ));

    let saved = store.with_value(|s| s.as_ref().and_then(DraftStore::load));
    let restored = saved.as_ref().is_some_and(|d| !d.is_blank());
    let mut draft = saved.unwrap_or_default();
    if draft.idempotency_key.is_empty() {
        draft.idempotency_key = new_idempotency_key();
    }
    // A locked field the user could not correct would keep Send from ever working: the
    // lock holds only for an email the rules accept (and then for the name beside it).
    let lock_contact =
        lock_contact && known.with_value(|k| rules::check_field(Field::Email, &k.email).is_ok());
    // Contact details the partner already knows prefill what the user has not typed, and
    // replace it when the partner locked them.
    known.with_value(|k| {
        if lock_contact || draft.email.is_empty() {
            draft.email = k.email.clone();
        }
        if lock_contact || draft.name.is_empty() {
            draft.name = k.name.clone();
        }
    });

    let values = Values {
        title: RwSignal::new(draft.title),
        message: RwSignal::new(message_html(draft.message)),
        email: RwSignal::new(draft.email),
        name: RwSignal::new(draft.name),
    };
    let idempotency_key = RwSignal::new(draft.idempotency_key);
    let errors = RwSignal::new(FieldErrors::default());
    let phase = RwSignal::new(Phase::Editing);
    let restored_notice = RwSignal::new(restored);
    // After a send was refused, a summary stays until every field is fixed.
    let attempted = RwSignal::new(false);

    // Every keystroke is saved at once, not in a later effect: a tab closed right after
    // typing still keeps the last character.
    let persist = move || {
        let draft = Draft {
            title: values.title.get_untracked(),
            message: values.message.get_untracked(),
            email: values.email.get_untracked(),
            name: values.name.get_untracked(),
            idempotency_key: idempotency_key.get_untracked(),
        };
        store.with_value(|s| {
            if let Some(s) = s {
                s.save(&draft);
            }
        });
    };
    if restored {
        Effect::new(move |_| emitter.emit("draft-restored", &()));
    }
    Effect::new(move |_| emitter.emit("ready", &()));

    let refs: [(Field, NodeRef<html::Input>); 3] = [
        (Field::Title, NodeRef::new()),
        (Field::Email, NodeRef::new()),
        (Field::Name, NodeRef::new()),
    ];
    let message_ref = NodeRef::<html::Div>::new();
    let focus = move |field: Field| {
        let el: Option<web_sys::HtmlElement> = match field {
            Field::Body => message_ref.get_untracked().map(Into::into),
            f => refs
                .iter()
                .find(|(k, _)| *k == f)
                .and_then(|(_, r)| r.get_untracked())
                .map(Into::into),
        };
        if let Some(el) = el {
            let _ = el.focus();
        }
    };

    let check = move |field: Field| {
        let message = rules::check_field(field, &values.raw(field))
            .err()
            .map(|p: Problem| t.problem(&p, field));
        errors.update(|e| e.set(field, message));
    };
    // A field is checked when the user leaves it, and re-checked while they fix it.
    let on_blur = move |field: Field| check(field);
    // The editor keeps its own DOM: a message changed other than by typing is written in.
    let show_message = move |html: &str| {
        if let Some(el) = message_ref.get_untracked() {
            el.set_inner_html(html);
        }
    };
    // Puts a saved draft in the form (a locked contact stays the partner's; an empty field
    // keeps what the form has).
    let show_draft = move |draft: Draft| {
        values.title.set(draft.title);
        let message = message_html(draft.message);
        show_message(&message);
        values.message.set(message);
        if !lock_contact {
            for (field, value) in [(Field::Email, draft.email), (Field::Name, draft.name)] {
                if !value.is_empty() {
                    values.signal(field).set(value);
                }
            }
        }
        if !draft.idempotency_key.is_empty() {
            idempotency_key.set(draft.idempotency_key);
        }
    };
    // Asks the callback who is signed in, then restores that user's draft and saves to it.
    // Asked when the form is drawn if this form has any saved draft, else at the first edit,
    // so a page whose user never writes costs the partner no call.
    let identifying = StoredValue::new(false);
    let identify = move || {
        if !identify_later || identifying.get_value() {
            return;
        }
        identifying.set_value(true);
        spawn_local(async move {
            let token = match token_source.get_value() {
                Some(source) => source.fetch().await,
                None => None,
            };
            if phase.is_disposed() {
                return;
            }
            let claims = token.as_deref().and_then(wire::session_hint);
            let user = claims.as_ref().map_or("anonymous", |h| h.sub.as_str());
            let owner =
                instance.with_value(|i| DraftStore::new(&endpoint.get_value(), user, i.as_deref()));
            // What the user typed meanwhile wins over what was saved.
            let untouched = values.title.with_untracked(String::is_empty)
                && values.message.with_untracked(String::is_empty);
            let saved = owner.load().filter(|d| !d.is_blank());
            store.set_value(Some(owner));
            if let (Some(saved), true) = (saved, untouched) {
                show_draft(saved);
                restored_notice.set(true);
                emitter.emit("draft-restored", &());
            }
            // The token's own claims prefill what is still empty, now and after a send.
            if let Some(claims) = claims {
                known.update_value(|k| {
                    if k.email.is_empty() {
                        k.email = claims.email.unwrap_or_default();
                    }
                    if k.name.is_empty() {
                        k.name = claims.name.unwrap_or_default();
                    }
                });
                known.with_value(|k| {
                    if values.email.with_untracked(String::is_empty) {
                        values.email.set(k.email.clone());
                    }
                    if values.name.with_untracked(String::is_empty) {
                        values.name.set(k.name.clone());
                    }
                });
            }
            // Whatever was typed before the answer, in any field, is saved now.
            persist();
        });
    };
    if identify_later
        && instance.with_value(|i| DraftStore::any_saved(&endpoint.get_value(), i.as_deref()))
    {
        identify();
    }

    let on_input = move |field: Field, value: String| {
        values.signal(field).set(value);
        // The proxy may hold the last send under its key, and it refuses (409) a different
        // ticket under the same key: an edited message is a new submission with a key of its
        // own, and one edited back to what was sent is that send again. Editing a waiting or
        // failed send takes it back, so nothing leaves that the user did not send.
        match attempt.get_value() {
            Some(sent) if sent.matches(&values) => idempotency_key.set(sent.key),
            sent => {
                if matches!(phase.get_untracked(), Phase::Failed(_) | Phase::Queued) {
                    phase.set(Phase::Editing);
                }
                if sent.is_some_and(|s| s.key == idempotency_key.get_untracked()) {
                    idempotency_key.set(new_idempotency_key());
                }
            }
        }
        persist();
        identify();
        if errors.with_untracked(|e| e.get(field).is_some()) {
            check(field);
        }
    };

    let queue = move || {
        if phase.get_untracked() != Phase::Queued {
            phase.set(Phase::Queued);
            emitter.emit("queued", &());
        }
    };

    let submit = move || {
        if matches!(phase.get_untracked(), Phase::Sending) {
            return;
        }
        restored_notice.set(false);
        attempted.set(true);
        if !is_online() {
            // Checked when it goes out: offline, the sanitizer may not have arrived yet.
            queue();
            return;
        }
        let name = values.name.get_untracked();
        let raw = CreateTicket {
            title: values.title.get_untracked(),
            body: values.message.get_untracked(),
            contact: Contact {
                email: values.email.get_untracked(),
                name: Some(name),
            },
            ..Default::default()
        };
        phase.set(Phase::Sending);
        let key = idempotency_key.get_untracked();
        attempt.set_value(Some(Attempt::of(&values, key.clone())));
        // A page can unmount the form while a send is on its way; what comes back after
        // that has no form to update (the draft and its key stay saved for the next one,
        // unless the ticket was filed).
        let gone = move || phase.is_disposed();
        let drafts = store.get_value();
        spawn_local(async move {
            let cleaned = sanitizer::clean(&raw.body).await;
            if gone() {
                return;
            }
            let body = match cleaned {
                Ok(body) => body,
                Err(_) => {
                    // Nothing was sent; the draft stays, and the download is tried again
                    // when the send goes out: at once when the user sends again, or when the
                    // browser is back online.
                    let failure = Failure {
                        error: SubmitError::Network,
                        request_id: None,
                        status: None,
                    };
                    emitter.emit_error(&failure);
                    if is_online() {
                        phase.set(Phase::Failed(failure));
                    } else {
                        queue();
                    }
                    return;
                }
            };
            attempt.update_value(|a| {
                if let Some(a) = a {
                    a.messages[1] = body.clone();
                }
            });
            let raw = CreateTicket { body, ..raw };
            let ticket = match rules::check_sanitized(raw) {
                Ok(t) => t,
                Err(problems) => {
                    // The rules speak English; the user sees the same problems in their language.
                    let mut field_errors = FieldErrors::default();
                    for (f, p) in &problems {
                        field_errors.set(*f, Some(t.problem(p, *f)));
                    }
                    let first = field_errors.first_invalid();
                    errors.set(field_errors);
                    phase.set(Phase::Editing);
                    if let Some(f) = first {
                        focus(f);
                    }
                    return;
                }
            };
            errors.set(FieldErrors::default());
            let source = token_source.get_value();
            // The callback is asked at every send the page has no token for, so a user who
            // signed out and another who signed in never share one.
            let refused = refused_token.get_value();
            let page_token = session_token
                .get_untracked()
                .filter(|t| refused.as_ref() != Some(t));
            let mut token = page_token.clone();
            if token.is_none() {
                if let Some(source) = &source {
                    token = source.fetch().await;
                    if gone() {
                        return;
                    }
                }
            }
            let endpoint_url = endpoint.get_value();
            let mut to = Submission {
                endpoint: &endpoint_url,
                session_token: token.as_deref(),
                idempotency_key: &key,
                timeout_ms,
            };
            let mut answer = client::submit(&to, &ticket).await;
            // A refused token is renewed once through the partner's callback, then retried.
            if let (Err(f), Some(source)) = (&answer, &source) {
                if f.status == Some(401) {
                    if page_token.is_some() && !gone() {
                        refused_token.set_value(page_token);
                    }
                    if let Some(fresh) = source.fetch().await {
                        to.session_token = Some(&fresh);
                        answer = client::submit(&to, &ticket).await;
                    }
                }
            }
            // Filed: the draft goes, even when the page removed the form meanwhile, so the
            // sent message does not come back as unsent.
            if let (Ok(_), Some(drafts)) = (&answer, &drafts) {
                drafts.clear();
            }
            if gone() {
                return;
            }
            match answer {
                Ok(created) => {
                    attempt.set_value(None);
                    emitter.emit("submitted", &created);
                    phase.set(Phase::Sent(created));
                }
                Err(failure) => {
                    if let SubmitError::Invalid(server_errors) = &failure.error {
                        let first = server_errors.first_invalid();
                        errors.set(server_errors.clone());
                        if let Some(f) = first {
                            focus(f);
                        }
                    }
                    emitter.emit_error(&failure);
                    if failure.error == SubmitError::Network {
                        queue();
                    } else {
                        phase.set(Phase::Failed(failure));
                    }
                }
            }
        });
    };
    let online = window_event_listener(leptos::ev::online, move |_| {
        if phase.get_untracked() == Phase::Queued {
            submit();
        }
    });
    on_cleanup(move || online.remove());

    let blank = move || {
        for f in Field::ALL {
            values.signal(f).set(String::new());
        }
        known.with_value(|k| {
            values.email.set(k.email.clone());
            values.name.set(k.name.clone());
        });
        show_message("");
        idempotency_key.set(new_idempotency_key());
        attempt.set_value(None);
        errors.set(FieldErrors::default());
        attempted.set(false);
        phase.set(Phase::Editing);
    };
    let start_over = move |_| {
        blank();
        store.with_value(|s| s.as_ref().map(DraftStore::clear));
    };

    // Another tab with this form keeps the same draft (same endpoint and user). This one
    // follows it, so neither overwrites the other's text unseen, and a message sent there is
    // not sent again from here.
    let other_tab = window_event_listener(leptos::ev::storage, move |ev| {
        let ours = store.with_value(|s| {
            s.as_ref()
                .is_some_and(|s| ev.key().as_deref() == Some(s.key()))
        });
        if !ours || matches!(phase.get_untracked(), Phase::Sending | Phase::Sent(_)) {
            return;
        }
        let Some(saved) = ev.new_value() else {
            // Sent, or started over, there.
            blank();
            return;
        };
        let Some(draft) = wire::parse(&saved).and_then(|v| wire::draft(&v)) else {
            return;
        };
        show_draft(draft);
        if matches!(phase.get_untracked(), Phase::Failed(_) | Phase::Queued) {
            phase.set(Phase::Editing);
        }
        for field in Field::ALL {
            if errors.with_untracked(|e| e.get(field).is_some()) {
                check(field);
            }
        }
    });
    on_cleanup(move || other_tab.remove());

    let error_of = move |field: Field| errors.with(|e| e.get(field).map(str::to_owned));
    let sending = move || matches!(phase.get(), Phase::Sending);
    let queued = move || phase.get() == Phase::Queued;

    let text_field = move |field: Field,
                           label: &'static str,
                           kind: &'static str,
                           autocomplete: &'static str| {
        let node = refs
            .iter()
            .find(|(k, _)| *k == field)
            .map(|(_, r)| *r)
            .unwrap_or_default();
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
                    prop:value=move || values.signal(field).get()
                    aria-invalid=move || error_of(field).map(|_| "true")
                    aria-describedby=move || error_of(field).map(|_| described.clone())
                    on:input=move |ev| on_input(field, event_target_value(&ev))
                    on:blur=move |_| on_blur(field)
                />
                <FieldError id=error_id message=Signal::derive(move || error_of(field)) />
            </div>
        }
    };

    view! {
        <div class="moov-support" dir=locale.dir() lang=locale.tag()>
            <Show
                when=move || matches!(phase.get(), Phase::Sent(_))
                fallback=move || {
                    view! {
                        <form
                            class="moov-form"
                            novalidate=true
                            aria-busy=move || sending().then_some("true")
                            on:focusin=move |_| sanitizer::warm()
                            on:submit=move |ev| {
                                ev.prevent_default();
                                submit();
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
                                    initial=values.message.get_untracked()
                                    node_ref=message_ref
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
                                        // The cleaned form of what was typed, which Send
                                        // sends anyway: not an edit, so a queued or failed
                                        // send keeps its key.
                                        if values.message.get_untracked() != html {
                                            values.message.set(html);
                                            persist();
                                        }
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
                            <FailureBanner phase=phase t=t />
                            <p
                                class="moov-notice"
                                class:moov-queued=queued
                                role="status"
                                aria-live="polite"
                            >
                                {move || {
                                    if queued() {
                                        Some(t.queued)
                                    } else if attempted.get() && errors.with(|e| !e.is_empty()) {
                                        Some(t.fix_fields)
                                    } else if restored_notice.get() {
                                        Some(t.draft_restored)
                                    } else {
                                        None
                                    }
                                }}
                            </p>
                            <div class="moov-actions">
                                <Show when=queued>
                                    <button
                                        type="button"
                                        class="moov-cancel"
                                        on:click=move |_| phase.set(Phase::Editing)
                                    >
                                        {t.cancel_queued}
                                    </button>
                                </Show>
                                <button type="submit" class="moov-send" prop:disabled=sending>
                                    {move || if sending() { t.sending } else { t.send }}
                                </button>
                            </div>
                        </form>
                    }
                }
            >
                <Success phase=phase t=t on_again=start_over />
            </Show>
        </div>
    }
}

/// What the browser believes; a failed send is the other sign of being offline.
fn is_online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

/// A saved message as editor HTML: drafts from before the editor hold plain text.
fn message_html(saved: String) -> String {
    if saved.contains('<') || saved.is_empty() {
        saved
    } else {
        sanitize::text_to_html(&saved)
    }
}

/// The contact details the partner handed over, from its options or its session token.
struct KnownContact {
    email: String,
    name: String,
}

impl KnownContact {
    fn new(email: Option<String>, name: Option<String>, hint: Option<&SessionHint>) -> Self {
        KnownContact {
            email: email
                .or_else(|| hint.and_then(|h| h.email.clone()))
                .unwrap_or_default(),
            name: name
                .or_else(|| hint.and_then(|h| h.name.clone()))
                .unwrap_or_default(),
        }
    }
}

/// The message under a field, announced when it appears.
#[component]
fn FieldError(
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
fn FailureBanner(
    /// The form's phase; the banner shows only for `Failed`.
    phase: RwSignal<Phase>,
    /// The user's language.
    t: &'static Strings,
) -> impl IntoView {
    move || match phase.get() {
        Phase::Failed(f) => {
            let reference = f
                .request_id
                .as_ref()
                .map(|id| t.reference.replace("{id}", id));
            Some(view! {
                <div class="moov-failure" role="alert">
                    <p class="moov-failure-message">{t.submit_error(&f.error)}</p>
                    {reference.map(|r| view! { <p class="moov-reference">{r}</p> })}
                </div>
            })
        }
        _ => None,
    }
}

/// The confirmation after a ticket was created.
#[component]
fn Success(
    /// The form's phase; shows the ticket of `Sent`.
    phase: RwSignal<Phase>,
    /// The user's language.
    t: &'static Strings,
    /// Starts a new, empty message.
    on_again: impl Fn(web_sys::MouseEvent) + 'static,
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
        </div>
    }
}
