//! Moov support's side of a conversation. Moov's API has no call for it (answers come from
//! Moov's staff), so the sandbox offers it to tests and to the demo's agent page.
//!
//! A reply adds a message, stamps `latestMessageOn` and `updatedOn`, and moves the ticket to
//! the status given, if any. Reading of what Moov's staff tools do, written down here: a
//! reply to a closed ticket without a status leaves it closed (the user sees the answer, the
//! request stays done); with another status it reopens the ticket, and `closedOn` goes
//! away. Closing by reply stamps `closedOn` like `PATCH` does. Every reply sends
//! `ticket.messageAdded`, then `ticket.updated` when the status changed.

use moov_support::{Ticket, TicketStatus};
use uuid::Uuid;

use crate::tickets::now_rfc3339;
use crate::webhooks::EventKind;
use crate::{lock, Message, SandboxHandle};

/// The author Moov's messages from support carry.
pub const SUPPORT_AUTHOR: &str = "support@moov.io";

impl SandboxHandle {
    /// Adds a reply from Moov support to a ticket of `account`, moves it to `status` when
    /// given, and answers the ticket as it now is; `None` when there is no such ticket.
    pub fn reply(
        &self,
        account: Uuid,
        ticket_id: &str,
        body: &str,
        status: Option<TicketStatus>,
    ) -> Option<Ticket> {
        self.reply_as(account, ticket_id, SUPPORT_AUTHOR, body, status)
    }

    /// Adds a reply by `author` without touching the status; false when there is no such
    /// ticket.
    pub fn add_reply(&self, account: Uuid, ticket_id: &str, author: &str, body: &str) -> bool {
        self.reply_as(account, ticket_id, author, body, None)
            .is_some()
    }

    fn reply_as(
        &self,
        account: Uuid,
        ticket_id: &str,
        author: &str,
        body: &str,
        status: Option<TicketStatus>,
    ) -> Option<Ticket> {
        let (ticket, moved) = {
            let mut books = lock(&self.0.books);
            let stored = books
                .get_mut(&account)?
                .tickets
                .iter_mut()
                .find(|t| t.ticket.ticket_id == ticket_id)?;
            let now = now_rfc3339();
            stored.replies.push(Message {
                author: author.to_owned(),
                body: body.to_owned(),
                sent_on: now.clone(),
            });
            let ticket = &mut stored.ticket;
            ticket.latest_message_on = Some(now.clone());
            ticket.updated_on = now.clone();
            let moved = match status {
                Some(status) if status != ticket.status => {
                    set_status(ticket, status, &now);
                    true
                }
                _ => false,
            };
            (ticket.clone(), moved)
        };
        self.emit(EventKind::MessageAdded, account, &ticket);
        if moved {
            self.emit(EventKind::Updated, account, &ticket);
        }
        Some(ticket)
    }
}

/// Moves `ticket` to `status` at `now`: closing stamps `closedOn`, any other status clears it.
pub(crate) fn set_status(ticket: &mut Ticket, status: TicketStatus, now: &str) {
    ticket.closed_on = (status == TicketStatus::Closed).then(|| now.to_owned());
    ticket.status = status;
    ticket.updated_on = now.to_owned();
}
