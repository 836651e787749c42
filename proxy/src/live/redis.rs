//! The bus of several instances: Redis pub/sub on one channel.
//!
//! Each instance keeps one subscriber connection and hands what it hears to its own streams
//! through a broadcast channel; publishing goes through a separate, reconnecting connection.
//! When the subscription is lost the instance reconnects with backoff and tells its streams
//! to refresh ([`LiveMessage::Resync`]), since changes published meanwhile were not heard.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::Client;
use tokio::sync::{broadcast, oneshot};
use tokio::task::JoinHandle;

use super::{Bus, BusError, BusFuture, LiveMessage, TicketChange, BACKLOG};

/// The channel every instance publishes to and listens on.
pub const CHANNEL: &str = "moov-support:live:tickets";
const COMMAND_TIMEOUT: Duration = Duration::from_secs(2);
/// How often an idle subscription is checked, so a silently dead connection is noticed.
const PING_EVERY: Duration = Duration::from_secs(15);
const RETRY_MIN: Duration = Duration::from_millis(100);
const RETRY_MAX: Duration = Duration::from_secs(5);
/// How long start-up waits for the first subscription.
const FIRST_SUBSCRIPTION: Duration = Duration::from_secs(5);

pub struct RedisBus {
    publisher: ConnectionManager,
    local: broadcast::Sender<LiveMessage>,
    listener: JoinHandle<()>,
}

impl RedisBus {
    /// Connects, subscribes, and keeps the subscription alive in the background.
    pub async fn connect(url: &str) -> Result<RedisBus, BusError> {
        let client = Client::open(url).map_err(|e| BusError::Subscribe(e.to_string()))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(COMMAND_TIMEOUT))
            .set_response_timeout(Some(COMMAND_TIMEOUT))
            .set_number_of_retries(2);
        let publisher = ConnectionManager::new_lazy_with_config(client.clone(), config)
            .map_err(|e| BusError::Publish(e.to_string()))?;
        let local = broadcast::channel(BACKLOG).0;
        let (subscribed, first) = oneshot::channel();
        let listener = tokio::spawn(listen(client, local.clone(), subscribed));
        match tokio::time::timeout(FIRST_SUBSCRIPTION, first).await {
            Ok(Ok(())) => {}
            _ => {
                listener.abort();
                return Err(BusError::Subscribe(format!(
                    "not subscribed within {FIRST_SUBSCRIPTION:?}"
                )));
            }
        }
        Ok(RedisBus {
            publisher,
            local,
            listener,
        })
    }
}

impl Drop for RedisBus {
    fn drop(&mut self) {
        self.listener.abort();
    }
}

impl Bus for RedisBus {
    fn publish<'a>(&'a self, change: &'a TicketChange) -> BusFuture<'a> {
        Box::pin(async move {
            let payload =
                serde_json::to_string(change).map_err(|e| BusError::Publish(e.to_string()))?;
            let mut connection = self.publisher.clone();
            let mut command = redis::cmd("PUBLISH");
            command.arg(CHANNEL).arg(payload);
            match tokio::time::timeout(COMMAND_TIMEOUT, command.query_async::<i64>(&mut connection))
                .await
            {
                Ok(Ok(_listeners)) => Ok(()),
                Ok(Err(e)) => Err(BusError::Publish(e.to_string())),
                Err(_) => Err(BusError::Publish(format!(
                    "Redis did not answer within {COMMAND_TIMEOUT:?}"
                ))),
            }
        })
    }

    fn subscribe(&self) -> broadcast::Receiver<LiveMessage> {
        self.local.subscribe()
    }
}

/// Subscribes, forwards, and on any loss reconnects with backoff, for as long as the bus
/// lives. `subscribed` is told of the first subscription.
async fn listen(
    client: Client,
    local: broadcast::Sender<LiveMessage>,
    subscribed: oneshot::Sender<()>,
) {
    let mut subscribed = Some(subscribed);
    let mut delay = RETRY_MIN;
    loop {
        match subscribe(&client).await {
            Ok(pubsub) => {
                delay = RETRY_MIN;
                match subscribed.take() {
                    Some(first) => {
                        let _ = first.send(());
                    }
                    None => {
                        tracing::info!("subscribed to ticket changes in Redis again");
                        let _ = local.send(LiveMessage::Resync);
                    }
                }
                forward(pubsub, &local).await;
                tracing::warn!("lost the Redis subscription to ticket changes; reconnecting");
            }
            Err(e) => tracing::warn!(error = %e, "could not subscribe to ticket changes in Redis"),
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(RETRY_MAX);
    }
}

async fn subscribe(client: &Client) -> Result<redis::aio::PubSub, redis::RedisError> {
    let timed_out = || redis::RedisError::from(std::io::Error::from(std::io::ErrorKind::TimedOut));
    let mut pubsub = tokio::time::timeout(COMMAND_TIMEOUT, client.get_async_pubsub())
        .await
        .map_err(|_| timed_out())??;
    tokio::time::timeout(COMMAND_TIMEOUT, pubsub.subscribe(CHANNEL))
        .await
        .map_err(|_| timed_out())??;
    Ok(pubsub)
}

/// Hands each message on until the connection ends or stops answering pings.
async fn forward(pubsub: redis::aio::PubSub, local: &broadcast::Sender<LiveMessage>) {
    let (mut sink, mut messages) = pubsub.split();
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    loop {
        tokio::select! {
            message = messages.next() => {
                let Some(message) = message else { return };
                match serde_json::from_slice::<TicketChange>(message.get_payload_bytes()) {
                    Ok(change) => {
                        let _ = local.send(LiveMessage::Ticket(Arc::new(change)));
                    }
                    Err(e) => tracing::warn!(error = %e, "an unreadable ticket change on the live channel"),
                }
            }
            _ = ping.tick() => {
                let answer = tokio::time::timeout(COMMAND_TIMEOUT, sink.ping::<redis::Value>()).await;
                if !matches!(answer, Ok(Ok(_))) {
                    return;
                }
            }
        }
    }
}
