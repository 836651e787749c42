//! The form's handle: its state, where its draft is saved, what it tells the page, and the
//! actions the view calls. Copy, so every handler holds the same form.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::claims::SessionClaims;
use crate::form_state::{FormState, Phase};
use crate::rules::{self, Problem};
use crate::ticket::{Field, FieldErrors, Ticket};
use crate::web::client::{Endpoint, Failure, SubmitError};
use crate::web::i18n::Strings;
use crate::web::send::{self, Pipeline};
use crate::web::storage::{new_idempotency_key, DraftStore};
use crate::web::token_provider::Tokens;

use super::adapters::{NotingSanitizer, PageTokens};
use super::notify::Notify;
use super::view::Nodes;

/// The contact details the partner handed over, from its options or its session token.
#[derive(Debug, Clone, Default)]
pub struct KnownContact {
    pub email: String,
    pub name: String,
}

impl KnownContact {
    pub fn new(
        email: Option<String>,
        name: Option<String>,
        claims: Option<&SessionClaims>,
    ) -> Self {
        KnownContact {
            email: email
                .or_else(|| claims.and_then(|c| c.email.clone()))
                .unwrap_or_default(),
            name: name
                .or_else(|| claims.and_then(|c| c.name.clone()))
                .unwrap_or_default(),
        }
    }
}

/// Where a send goes and with which token.
#[derive(Clone, Copy)]
pub struct Route {
    pub endpoint: StoredValue<String>,
    pub timeout_ms: i32,
    pub session_token: Signal<Option<String>>,
    pub tokens: StoredValue<Option<Tokens>, LocalStorage>,
    /// The page's token once the proxy refused it.
    pub refused_token: StoredValue<Option<String>>,
}

/// The form: what every handler holds.
#[derive(Clone, Copy)]
pub struct Form {
    pub state: RwSignal<FormState<Failure>>,
    pub errors: RwSignal<FieldErrors>,
    /// After a send was refused, a summary stays until every field is fixed.
    pub attempted: RwSignal<bool>,
    pub restored_notice: RwSignal<bool>,
    /// Where this user's draft is saved; `None` until the form knows who is signed in.
    pub store: StoredValue<Option<DraftStore>>,
    pub known: StoredValue<KnownContact>,
    pub notify: Notify,
    pub nodes: Nodes,
    pub route: Route,
    pub t: &'static Strings,
}

impl Form {
    /// Every keystroke is saved at once, not in a later effect: a tab closed right after
    /// typing still keeps the last character.
    pub fn persist(&self) {
        self.state.with_untracked(|s| {
            self.store.with_value(|store| {
                if let Some(store) = store {
                    store.save(s.draft());
                }
            })
        });
    }

    pub fn check(&self, field: Field) {
        let t = self.t;
        let message = self
            .state
            .with_untracked(|s| rules::check_field(field, s.value(field)))
            .err()
            .map(|p: Problem| t.problem(&p, field));
        self.errors.update(|e| e.set(field, message));
    }

    /// Re-checks the fields that show an error, while the user fixes them.
    pub fn recheck(&self, field: Field) {
        if self.errors.with_untracked(|e| e.get(field).is_some()) {
            self.check(field);
        }
    }

    pub fn focus(&self, field: Field) {
        let el: Option<web_sys::HtmlElement> = match field {
            Field::Body => self.nodes.message.get_untracked().map(Into::into),
            f => self.nodes.input(f).get_untracked().map(Into::into),
        };
        if let Some(el) = el {
            let _ = el.focus();
        }
    }

    /// The editor keeps its own DOM: a message changed other than by typing is written in.
    pub fn show_message(&self) {
        if let Some(el) = self.nodes.message.get_untracked() {
            el.set_inner_html(
                &self
                    .state
                    .with_untracked(|s| s.value(Field::Body).to_owned()),
            );
        }
    }

    pub fn edit(&self, field: Field, value: String) {
        self.state
            .update(|s| s.edit(field, value, new_idempotency_key));
        self.persist();
        self.recheck(field);
    }

    /// The editor's cleaned form of the message (not an edit).
    pub fn show_cleaned(&self, html: String) {
        let mut changed = false;
        self.state.update(|s| changed = s.show_cleaned(html));
        if changed {
            self.persist();
        }
    }

    pub fn queue(&self) {
        let mut queued = false;
        self.state.update(|s| queued = s.queue());
        if queued {
            self.notify.queued();
        }
    }

    /// An empty form with the partner's contact details.
    pub fn blank(&self) {
        self.known.with_value(|k| {
            self.state
                .update(|s| s.start_over(&k.email, &k.name, new_idempotency_key))
        });
        self.show_message();
        self.errors.set(FieldErrors::default());
        self.attempted.set(false);
    }

    pub fn submit(self) {
        if self.state.with_untracked(FormState::is_sending) {
            return;
        }
        self.restored_notice.set(false);
        self.attempted.set(true);
        if !is_online() {
            // Checked when it goes out: offline, the sanitizer may not have arrived yet.
            self.queue();
            return;
        }
        let mut raw = None;
        self.state.update(|s| raw = s.submit());
        let Some(raw) = raw else { return };
        let key = self.state.with_untracked(|s| s.key().to_owned());
        // A page can unmount the form while a send is on its way; what comes back after
        // that has no form to update (the draft and its key stay saved for the next one,
        // unless the ticket was filed).
        let state = self.state;
        let gone = move || state.is_disposed();
        let drafts = self.store.get_value();
        let pipeline = Pipeline {
            sanitizer: NotingSanitizer { state },
            tokens: PageTokens {
                page: self.route.session_token,
                refused: self.route.refused_token,
                provider: self.route.tokens.get_value(),
                sent_page_token: Default::default(),
            },
            post: Endpoint {
                url: self.route.endpoint.get_value(),
                timeout_ms: self.route.timeout_ms,
            },
        };
        spawn_local(async move {
            let answer = pipeline.send(raw, &key, gone).await;
            // Filed: the draft goes, even when the page removed the form meanwhile, so the
            // sent message does not come back as unsent.
            if let (Ok(_), Some(drafts)) = (&answer, &drafts) {
                drafts.clear();
            }
            if gone() {
                return;
            }
            match answer {
                Ok(created) => self.sent(created),
                Err(failure) => self.failed(failure),
            }
        });
    }

    fn sent(&self, ticket: Ticket) {
        self.errors.set(FieldErrors::default());
        self.notify.submitted(ticket.clone());
        self.state.update(|s| s.sent(ticket, new_idempotency_key));
    }

    fn failed(&self, failure: send::Failure) {
        let (failure, wait_for_network) = match failure {
            send::Failure::Abandoned => return,
            send::Failure::Rules(problems) => {
                // The rules speak English; the user sees the same problems in their language.
                let mut field_errors = FieldErrors::default();
                for (f, p) in &problems {
                    field_errors.set(*f, Some(self.t.problem(p, *f)));
                }
                self.state.update(|s| s.refused());
                self.refuse(field_errors);
                return;
            }
            // Nothing was sent; the draft stays, and the download is tried again when the
            // send goes out: at once when the user sends again, or when the browser is back
            // online.
            send::Failure::Sanitizer(_) => {
                let failure = Failure {
                    error: SubmitError::Network,
                    request_id: None,
                    status: None,
                };
                (failure, !is_online())
            }
            send::Failure::Proxy(failure) => {
                match &failure.error {
                    SubmitError::Invalid(server_errors) => self.refuse(server_errors.clone()),
                    _ => self.errors.set(FieldErrors::default()),
                }
                let offline = failure.error == SubmitError::Network;
                (failure, offline)
            }
        };
        self.notify.error(failure.clone());
        if wait_for_network {
            self.queue();
        } else {
            self.state.update(|s| s.failed(failure));
        }
    }

    /// Shows the fields' errors and puts the cursor in the first.
    fn refuse(&self, errors: FieldErrors) {
        let first = errors.first_invalid();
        self.errors.set(errors);
        if let Some(f) = first {
            self.focus(f);
        }
    }

    /// Stops a queued send.
    pub fn cancel_queued(&self) {
        self.state.update(FormState::cancel_queued);
    }

    pub fn phase(&self) -> Phase<Failure> {
        self.state.with(|s| s.phase().clone())
    }
}

/// What the browser believes; a failed send is the other sign of being offline.
pub fn is_online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}
