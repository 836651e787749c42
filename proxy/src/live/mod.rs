//! The live bus: changes to tickets, from the webhook that learned of them to every event
//! stream that may show them.
//!
//! One instance alone keeps the bus in its own memory ([`LocalBus`]). Behind one address,
//! a webhook reaches one instance while a user's stream is held by another: with
//! `REDIS_URL` the bus is Redis pub/sub ([`RedisBus`]), so every instance hears every change.

mod local;
mod redis;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use moov_support::Ticket;
use serde::{Deserialize, Serialize};
use thiserror::Error;
use tokio::sync::broadcast;
use uuid::Uuid;

pub use local::LocalBus;
pub use redis::RedisBus;

/// How many messages a slow stream may fall behind before it is told to refresh instead.
pub const BACKLOG: usize = 1024;

/// A ticket as Moov returned it after a change, and the account it belongs to. Carries the
/// whole ticket, so each stream can apply the visibility rule without asking Moov again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketChange {
    pub account: Uuid,
    pub ticket: Ticket,
}

/// What a stream hears.
#[derive(Debug, Clone, PartialEq)]
pub enum LiveMessage {
    Ticket(Arc<TicketChange>),
    /// Changes may have been missed (the bus reconnected): listeners should refresh.
    Resync,
}

/// Why a change could not be sent on.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BusError {
    #[error("could not publish a ticket change through Redis: {0}")]
    Publish(String),
    #[error("could not subscribe to ticket changes in Redis: {0}")]
    Subscribe(String),
}

/// A boxed future, so buses can be used as trait objects.
pub type BusFuture<'a> = Pin<Box<dyn Future<Output = Result<(), BusError>> + Send + 'a>>;

/// Carries ticket changes to every listener, on this instance or all of them.
pub trait Bus: Send + Sync + 'static {
    /// Sends `change` to every listener.
    fn publish<'a>(&'a self, change: &'a TicketChange) -> BusFuture<'a>;

    /// Listens from now on.
    fn subscribe(&self) -> broadcast::Receiver<LiveMessage>;
}

/// Redis pub/sub when `redis_url` is set, memory otherwise. With Redis, returns once this
/// instance is subscribed, so nothing published after start is missed.
pub async fn open(redis_url: Option<&str>) -> Result<Arc<dyn Bus>, BusError> {
    match redis_url {
        None => Ok(Arc::new(LocalBus::default())),
        Some(url) => Ok(Arc::new(RedisBus::connect(url).await?)),
    }
}
