//! One request: opening it (which reads it), its conversation, and closing it.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::inbox_state::{Author, Inbox};

use super::model::{Closing, Model, Thread};

impl Model {
    /// Shows the request `id`: the list's copy at once, then the ticket and its messages
    /// read afresh. Opening it reads it.
    pub fn open_request(self, id: String) {
        self.closing.set(Closing::Idle);
        self.announcement.set(None);
        self.open.set(Some(id));
        self.thread.set(Thread::Loading);
        self.reload_thread(false);
    }

    /// Back to the list.
    pub fn close_view(self) {
        self.open.set(None);
        self.closing.set(Closing::Idle);
    }

    /// Reads the open request and its messages again; with `announce`, screen readers are
    /// told when a message from support joined the conversation.
    pub(super) fn reload_thread(self, announce: bool) {
        let Some(id) = self.open.get_untracked() else {
            return;
        };
        let api = self.api();
        spawn_local(async move {
            let (ticket, messages) = (api.get(&id).await, api.messages(&id).await);
            if self.open.try_get_untracked().flatten().as_deref() != Some(&id) {
                return; // the user moved on meanwhile
            }
            let before = self.thread.with_untracked(|t| match t {
                Thread::Loaded(m) => m.len(),
                _ => usize::MAX,
            });
            let support_added = messages.as_ref().is_ok_and(|m| {
                m.len() > before && m.last().is_some_and(|m| m.from == Author::Support)
            });
            if let Ok(ticket) = &ticket {
                self.mark_seen(ticket);
                if announce && support_added {
                    self.announcement.set(Some(ticket.number));
                }
                self.inbox.update(|i| i.upsert(ticket.clone()));
            }
            self.thread.set(match (ticket, messages) {
                (Ok(_), Ok(messages)) => Thread::Loaded(messages),
                (Err(e), _) | (_, Err(e)) => Thread::Failed(e),
            });
        });
    }

    /// Closes the open request once the user confirmed; closing a closed one is harmless.
    pub fn close_request(self) {
        let Some(id) = self.open.get_untracked() else {
            return;
        };
        self.closing.set(Closing::Closing);
        let api = self.api();
        spawn_local(async move {
            let answer = api.close(&id).await;
            if self.inbox.is_disposed() {
                return;
            }
            match answer {
                Ok(ticket) => {
                    self.inbox.update(|i| i.upsert(ticket));
                    self.closing.set(Closing::Idle);
                }
                Err(_) => self.closing.set(Closing::Failed),
            }
        });
    }

    /// Whether the list has its first page.
    pub fn is_loaded(&self) -> bool {
        self.inbox.with(Inbox::is_loaded)
    }
}
