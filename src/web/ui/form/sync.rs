//! Keeping the form in step with what is outside it: who is signed in (asked of the token
//! provider when the page did not say), another tab with the same draft, and the network
//! coming back for a queued send.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::form_state::{FormState, Phase};
use crate::ticket::Field;
use crate::web::storage::DraftStore;
use crate::web::wire;

use super::actions::Form;

/// Whose draft this is, when only the token provider can say.
#[derive(Clone, Copy)]
pub struct Owner {
    /// Nothing is restored or saved until the provider answers, so on a shared computer one
    /// user never sees another's draft.
    pub identify_later: bool,
    asked: StoredValue<bool>,
    instance: StoredValue<Option<String>>,
}

impl Owner {
    pub fn new(identify_later: bool, instance: Option<String>) -> Self {
        Owner {
            identify_later,
            asked: StoredValue::new(false),
            instance: StoredValue::new(instance),
        }
    }

    /// Whether anyone has a draft saved for this form.
    pub fn any_saved(&self, endpoint: &str) -> bool {
        self.instance
            .with_value(|i| DraftStore::any_saved(endpoint, i.as_deref()))
    }

    /// Asks the provider who is signed in, then restores that user's draft and saves to it.
    /// Asked when the form is drawn if this form has any saved draft, else at the first
    /// edit, so a page whose user never writes costs the partner no call.
    pub fn identify(&self, form: Form) {
        if !self.identify_later || self.asked.get_value() {
            return;
        }
        self.asked.set_value(true);
        let instance = self.instance;
        spawn_local(async move {
            let token = match form.route.tokens.get_value() {
                Some(provider) => provider.token().await,
                None => None,
            };
            if form.state.is_disposed() {
                return;
            }
            let claims = token.as_deref().and_then(wire::session_claims);
            let user = claims.as_ref().map_or("anonymous", |c| c.sub.as_str());
            let owner = instance.with_value(|i| {
                DraftStore::new(&form.route.endpoint.get_value(), user, i.as_deref())
            });
            // What the user typed meanwhile wins over what was saved.
            let untouched = form.state.with_untracked(|s| {
                s.value(Field::Title).is_empty() && s.value(Field::Body).is_empty()
            });
            let saved = owner.load().filter(|d| !d.is_blank());
            form.store.set_value(Some(owner));
            if let (Some(saved), true) = (saved, untouched) {
                form.state.update(|s| s.restore(saved));
                form.show_message();
                form.restored_notice.set(true);
                form.notify.draft_restored();
            }
            // The token's own claims prefill what is still empty, now and after a send.
            if let Some(claims) = claims {
                form.known.update_value(|k| {
                    if k.email.is_empty() {
                        k.email = claims.email.unwrap_or_default();
                    }
                    if k.name.is_empty() {
                        k.name = claims.name.unwrap_or_default();
                    }
                });
                form.known
                    .with_value(|k| form.state.update(|s| s.prefill(&k.email, &k.name)));
            }
            // Whatever was typed before the answer, in any field, is saved now.
            form.persist();
        });
    }
}

/// Another tab with this form keeps the same draft (same endpoint and user). This one
/// follows it, so neither overwrites the other's text unseen, and a message sent there is
/// not sent again from here. The listener goes with the form.
pub fn follow_other_tabs(form: Form) {
    let handle = window_event_listener(leptos::ev::storage, move |ev| {
        let ours = form.store.with_value(|s| {
            s.as_ref()
                .is_some_and(|s| ev.key().as_deref() == Some(s.key()))
        });
        let busy = form
            .state
            .with_untracked(|s| matches!(s.phase(), Phase::Sending | Phase::Sent(_)));
        if !ours || busy {
            return;
        }
        let Some(saved) = ev.new_value() else {
            // Sent, or started over, there.
            form.blank();
            return;
        };
        let Some(draft) = wire::parse(&saved).and_then(|v| wire::draft(&v)) else {
            return;
        };
        form.state.update(|s| s.follow(draft));
        form.show_message();
        for field in Field::ALL {
            form.recheck(field);
        }
    });
    on_cleanup(move || handle.remove());
}

/// A queued send goes out when the browser is back online. The listener goes with the form.
pub fn send_when_online(form: Form) {
    let handle = window_event_listener(leptos::ev::online, move |_| {
        if form.state.with_untracked(FormState::is_queued) {
            form.submit();
        }
    });
    on_cleanup(move || handle.remove());
}
