//! The bus of one instance alone: a Tokio broadcast channel.

use std::sync::Arc;

use tokio::sync::broadcast;

use super::{Bus, BusFuture, LiveMessage, TicketChange, BACKLOG};

pub struct LocalBus {
    sender: broadcast::Sender<LiveMessage>,
}

impl Default for LocalBus {
    fn default() -> Self {
        LocalBus {
            sender: broadcast::channel(BACKLOG).0,
        }
    }
}

impl Bus for LocalBus {
    fn publish<'a>(&'a self, change: &'a TicketChange) -> BusFuture<'a> {
        // No listener is no error: nobody is looking.
        let _ = self
            .sender
            .send(LiveMessage::Ticket(Arc::new(change.clone())));
        Box::pin(async { Ok(()) })
    }

    fn subscribe(&self) -> broadcast::Receiver<LiveMessage> {
        self.sender.subscribe()
    }
}
