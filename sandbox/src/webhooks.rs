//! Ticket events delivered the way Moov delivers webhooks, so the proxy's webhook route and
//! the widget's live updates run locally against something that behaves like Moov.
//!
//! Each event is POSTed as `{eventID, type, data, createdOn}` (field names as in Moov's Go
//! SDK, `mhooks`) with `X-Timestamp` (RFC 3339), `X-Nonce`, `X-Webhook-ID` and
//! `X-Signature`, the hex HMAC-SHA512 of `{X-Timestamp}|{X-Nonce}|{X-Webhook-ID}` keyed with
//! the target's signing secret. Moov's signature does not cover the body; neither does this
//! one. Delivery runs in the background, one ticket's events in the order they happened; a
//! non-2xx answer or a failed connection is retried with a doubling pause, the same event
//! (same `eventID`, same body) under a fresh timestamp, nonce and signature, until
//! [`MAX_ATTEMPTS`] have failed.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hmac::{Hmac, Mac};
use moov_support::Ticket;
use serde::Serialize;
use sha2::Sha512;
use uuid::Uuid;

use crate::{lock, WebhookTarget};

/// Tries per event, the first included; Moov retries a failing endpoint a few times too.
pub const MAX_ATTEMPTS: u32 = 5;
/// How long one attempt may take before it counts as failed.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

/// What happened to a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventKind {
    Created,
    Updated,
    MessageAdded,
}

impl EventKind {
    fn name(self) -> &'static str {
        match self {
            EventKind::Created => "ticket.created",
            EventKind::Updated => "ticket.updated",
            EventKind::MessageAdded => "ticket.messageAdded",
        }
    }
}

/// How deliveries went so far, for tests and the dev tools.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WebhookStats {
    /// Events a target acknowledged with a 2xx.
    pub delivered: u64,
    /// Attempts that got a non-2xx answer or none.
    pub failed_attempts: u64,
    /// Events given up after [`MAX_ATTEMPTS`] failed attempts.
    pub abandoned: u64,
    /// Events waiting or being delivered.
    pub pending: usize,
}

#[derive(Serialize)]
struct Event<'a> {
    #[serde(rename = "eventID")]
    event_id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    data: EventData<'a>,
    #[serde(rename = "createdOn")]
    created_on: String,
}

#[derive(Serialize)]
struct EventData<'a> {
    #[serde(rename = "accountID")]
    account_id: String,
    #[serde(rename = "ticketID")]
    ticket_id: &'a str,
    #[serde(rename = "foreignID", skip_serializing_if = "Option::is_none")]
    foreign_id: Option<&'a str>,
    /// Only `ticket.updated` carries the status.
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'a str>,
}

/// A target as registered: Moov gives every webhook an id, sent in `X-Webhook-ID`.
#[derive(Clone)]
struct Registered {
    target: WebhookTarget,
    webhook_id: Uuid,
}

/// One event on its way to one target.
#[derive(Clone)]
struct Delivery {
    to: Registered,
    event_id: Uuid,
    kind: &'static str,
    body: Vec<u8>,
}

/// The sandbox's webhook registration and its delivery queues.
pub(crate) struct Webhooks {
    registered: Mutex<Option<Registered>>,
    /// Per ticket, events not yet delivered; the front one is in flight. A queue exists
    /// exactly while a task drains it.
    queues: Mutex<HashMap<String, VecDeque<Delivery>>>,
    first_retry: Duration,
    client: reqwest::Client,
    delivered: AtomicU64,
    failed_attempts: AtomicU64,
    abandoned: AtomicU64,
}

impl Webhooks {
    /// `first_retry` is the pause before the second attempt; each later pause doubles.
    pub(crate) fn new(first_retry: Duration) -> Self {
        let client = reqwest::Client::builder()
            .timeout(ATTEMPT_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .unwrap_or_default();
        Webhooks {
            registered: Mutex::new(None),
            queues: Mutex::new(HashMap::new()),
            first_retry,
            client,
            delivered: AtomicU64::new(0),
            failed_attempts: AtomicU64::new(0),
            abandoned: AtomicU64::new(0),
        }
    }

    /// Registers `target` (a new one gets a new webhook id; the same one keeps its id).
    pub(crate) fn set(&self, target: Option<WebhookTarget>) {
        let mut registered = lock(&self.registered);
        *registered = match target {
            None => None,
            Some(t) if registered.as_ref().is_some_and(|r| r.target == t) => registered.take(),
            Some(target) => Some(Registered {
                target,
                webhook_id: Uuid::new_v4(),
            }),
        };
    }

    pub(crate) fn target(&self) -> Option<WebhookTarget> {
        lock(&self.registered).as_ref().map(|r| r.target.clone())
    }

    pub(crate) fn stats(&self) -> WebhookStats {
        WebhookStats {
            delivered: self.delivered.load(Ordering::SeqCst),
            failed_attempts: self.failed_attempts.load(Ordering::SeqCst),
            abandoned: self.abandoned.load(Ordering::SeqCst),
            pending: lock(&self.queues).values().map(VecDeque::len).sum(),
        }
    }

    /// Queues `kind` about `ticket` for the registered target, if any.
    pub(crate) fn emit(self: &Arc<Self>, kind: EventKind, account: Uuid, ticket: &Ticket) {
        let Some(to) = lock(&self.registered).clone() else {
            return;
        };
        let event_id = Uuid::new_v4();
        let event = Event {
            event_id: event_id.to_string(),
            kind: kind.name(),
            data: EventData {
                account_id: account.to_string(),
                ticket_id: &ticket.ticket_id,
                foreign_id: ticket.foreign_id.as_deref(),
                status: (kind == EventKind::Updated).then(|| ticket.status.as_str()),
            },
            created_on: crate::tickets::now_rfc3339(),
        };
        let body = serde_json::to_vec(&event).expect("an event serializes");
        let delivery = Delivery {
            to,
            event_id,
            kind: event.kind,
            body,
        };
        let key = format!("{account}/{}", ticket.ticket_id);
        let mut queues = lock(&self.queues);
        if let Some(queue) = queues.get_mut(&key) {
            queue.push_back(delivery);
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::warn!(
                event = delivery.kind,
                "no async runtime to deliver the webhook on; event dropped"
            );
            self.abandoned.fetch_add(1, Ordering::SeqCst);
            return;
        };
        queues.insert(key.clone(), VecDeque::from([delivery]));
        drop(queues);
        runtime.spawn(self.clone().drain(key));
    }

    /// Delivers a ticket's queued events one after the other until none is left.
    async fn drain(self: Arc<Self>, key: String) {
        loop {
            let next = lock(&self.queues)
                .get(&key)
                .and_then(|q| q.front().cloned());
            let Some(delivery) = next else {
                lock(&self.queues).remove(&key);
                return;
            };
            self.deliver(&delivery).await;
            let mut queues = lock(&self.queues);
            let Some(queue) = queues.get_mut(&key) else {
                return;
            };
            queue.pop_front();
            if queue.is_empty() {
                queues.remove(&key);
                return;
            }
        }
    }

    async fn deliver(&self, delivery: &Delivery) {
        for attempt in 0..MAX_ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(self.first_retry * 2u32.pow(attempt - 1)).await;
            }
            match self.attempt(delivery).await {
                Ok(()) => {
                    self.delivered.fetch_add(1, Ordering::SeqCst);
                    return;
                }
                Err(why) => {
                    self.failed_attempts.fetch_add(1, Ordering::SeqCst);
                    tracing::warn!(
                        url = %delivery.to.target.url,
                        event = delivery.kind,
                        event_id = %delivery.event_id,
                        attempt = attempt + 1,
                        "webhook delivery failed: {why}"
                    );
                }
            }
        }
        self.abandoned.fetch_add(1, Ordering::SeqCst);
        tracing::warn!(
            url = %delivery.to.target.url,
            event = delivery.kind,
            event_id = %delivery.event_id,
            "webhook abandoned after {MAX_ATTEMPTS} attempts"
        );
    }

    /// One POST, freshly signed.
    async fn attempt(&self, delivery: &Delivery) -> Result<(), String> {
        let timestamp = crate::tickets::now_rfc3339();
        let nonce = Uuid::new_v4().simple().to_string();
        let webhook_id = delivery.to.webhook_id.to_string();
        let signature = sign(&delivery.to.target.secret, &timestamp, &nonce, &webhook_id);
        let answer = self
            .client
            .post(&delivery.to.target.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("X-Timestamp", timestamp)
            .header("X-Nonce", nonce)
            .header("X-Webhook-ID", webhook_id)
            .header("X-Signature", signature)
            .body(delivery.body.clone())
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if answer.status().is_success() {
            Ok(())
        } else {
            Err(format!("the endpoint answered {}", answer.status()))
        }
    }
}

/// Moov's signature: hex HMAC-SHA512 of `{timestamp}|{nonce}|{webhookID}`.
fn sign(secret: &str, timestamp: &str, nonce: &str, webhook_id: &str) -> String {
    let mut mac =
        Hmac::<Sha512>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any size");
    mac.update(format!("{timestamp}|{nonce}|{webhook_id}").as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_like_moovs_documentation() {
        // The same input gives the same 128 hex digits; any header changed gives others.
        let a = sign("secret", "2026-01-02T03:04:05Z", "n1", "w1");
        assert_eq!(a.len(), 128);
        assert!(a
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_eq!(a, sign("secret", "2026-01-02T03:04:05Z", "n1", "w1"));
        assert_ne!(a, sign("secret", "2026-01-02T03:04:05Z", "n2", "w1"));
        assert_ne!(a, sign("other", "2026-01-02T03:04:05Z", "n1", "w1"));
    }

    #[test]
    fn the_same_target_keeps_its_webhook_id() {
        let hooks = Webhooks::new(Duration::from_millis(1));
        let target = WebhookTarget {
            url: "http://127.0.0.1:1/hook".into(),
            secret: "s".into(),
        };
        hooks.set(Some(target.clone()));
        let first = lock(&hooks.registered).as_ref().unwrap().webhook_id;
        hooks.set(Some(target.clone()));
        assert_eq!(lock(&hooks.registered).as_ref().unwrap().webhook_id, first);
        hooks.set(Some(WebhookTarget {
            secret: "t".into(),
            ..target
        }));
        assert_ne!(lock(&hooks.registered).as_ref().unwrap().webhook_id, first);
        hooks.set(None);
        assert_eq!(hooks.target(), None);
    }
}
