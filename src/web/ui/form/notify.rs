//! What the form reports to whoever embeds it, as Rust callbacks.

use leptos::prelude::*;

use crate::ticket::Ticket;
use crate::web::client::Failure;

/// What the form tells whoever embeds it. The form knows no DOM events: the custom element
/// turns these into `moov-support:*` events.
#[derive(Clone, Copy, Default)]
pub struct Notify {
    pub ready: Option<UnsyncCallback<()>>,
    pub draft_restored: Option<UnsyncCallback<()>>,
    pub queued: Option<UnsyncCallback<()>>,
    pub submitted: Option<UnsyncCallback<Ticket>>,
    pub error: Option<UnsyncCallback<Failure>>,
}

impl Notify {
    fn send<T: 'static>(callback: Option<UnsyncCallback<T>>, value: T) {
        if let Some(callback) = callback {
            callback.run(value);
        }
    }

    pub fn ready(&self) {
        Self::send(self.ready, ());
    }

    pub fn draft_restored(&self) {
        Self::send(self.draft_restored, ());
    }

    pub fn queued(&self) {
        Self::send(self.queued, ());
    }

    pub fn submitted(&self, ticket: Ticket) {
        Self::send(self.submitted, ticket);
    }

    pub fn error(&self, failure: Failure) {
        Self::send(self.error, failure);
    }
}
