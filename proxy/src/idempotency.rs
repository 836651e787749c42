//! Makes a retried submission safe although Moov's ticket creation has no idempotency key.
//!
//! The widget sends one `Idempotency-Key` per draft and reuses it on every retry; the proxy
//! puts it in the ticket's `foreignID`. This ledger remembers, per account and key, what the
//! last attempt came to:
//! - a ticket: a retry gets that same ticket back without calling Moov;
//! - no definite answer (a timeout, a dropped connection, a 5xx): Moov may have created the
//!   ticket, so a retry first looks the key up at Moov and only creates when none exists;
//! - a definite refusal: nothing was created, the next attempt simply tries again.
//!
//! Attempts with the same key run one at a time. The ledger is in memory: after a restart a
//! retry is treated as a first attempt.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use moov_support::Ticket;
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};
use uuid::Uuid;

/// How long a key is remembered.
pub const KEEP_FOR: Duration = Duration::from_secs(24 * 60 * 60);
/// Above this many keys, forgotten ones are swept out.
const SWEEP_ABOVE: usize = 10_000;

/// What the last attempt with one key came to.
#[derive(Debug, Clone, Default)]
pub enum Outcome {
    /// Never tried, or refused outright.
    #[default]
    None,
    /// Moov created this ticket.
    Created(Box<Ticket>),
    /// Moov may or may not have created it.
    Unknown,
}

type Shared = Arc<AsyncMutex<Outcome>>;

#[derive(Default)]
pub struct Ledger {
    entries: Mutex<HashMap<(Uuid, Uuid), (Shared, Instant)>>,
}

/// Exclusive access to one key's entry for the length of an attempt.
pub struct Attempt {
    guard: OwnedMutexGuard<Outcome>,
}

impl Attempt {
    pub fn outcome(&self) -> &Outcome {
        &self.guard
    }

    pub fn record(&mut self, outcome: Outcome) {
        *self.guard = outcome;
    }
}

impl Ledger {
    /// Waits until no other attempt with this key runs, then starts this one.
    pub async fn begin(&self, account: Uuid, key: Uuid) -> Attempt {
        let shared = {
            let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            if entries.len() > SWEEP_ABOVE {
                entries.retain(|_, (entry, last)| {
                    Arc::strong_count(entry) > 1 || now.duration_since(*last) < KEEP_FOR
                });
            }
            let (entry, last) = entries
                .entry((account, key))
                .or_insert_with(|| (Shared::default(), now));
            *last = now;
            entry.clone()
        };
        Attempt {
            guard: shared.lock_owned().await,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.lock().map(|e| e.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn remembers_per_account_and_key() {
        let ledger = Ledger::default();
        let (a, b, k) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        {
            let mut attempt = ledger.begin(a, k).await;
            assert!(matches!(attempt.outcome(), Outcome::None));
            attempt.record(Outcome::Unknown);
        }
        assert!(matches!(
            ledger.begin(a, k).await.outcome(),
            Outcome::Unknown
        ));
        assert!(matches!(ledger.begin(b, k).await.outcome(), Outcome::None));
        assert_eq!(ledger.len(), 2);
    }

    #[tokio::test]
    async fn attempts_with_one_key_run_one_at_a_time() {
        let ledger = Arc::new(Ledger::default());
        let (a, k) = (Uuid::new_v4(), Uuid::new_v4());
        let first = ledger.begin(a, k).await;
        let l2 = ledger.clone();
        let second = tokio::spawn(async move { l2.begin(a, k).await.outcome().clone() });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!second.is_finished());
        let mut first = first;
        first.record(Outcome::Unknown);
        drop(first);
        assert!(matches!(second.await.unwrap(), Outcome::Unknown));
    }
}
