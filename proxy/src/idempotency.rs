//! Makes a retried submission safe although Moov's ticket creation has no idempotency key.
//!
//! The widget sends one `Idempotency-Key` per draft and reuses it on every retry; the proxy
//! puts it in the ticket's `foreignID`. A record per account and key, in the shared
//! [`Store`], says what the attempts came to:
//! - `created`: a retry with the same ticket gets that ticket back without calling Moov;
//! - `pending`: an attempt started and did not come to a definite answer (a timeout, a 5xx, a
//!   crash): Moov may hold the ticket, so the next attempt looks the key up first;
//! - no record: never tried, or refused outright (nothing was created, so a corrected ticket
//!   may reuse the key);
//! - `pending` without a fingerprint: a look-up found a ticket at Moov under the key that is
//!   not the one then submitted. Every attempt looks it up again and compares: the ticket's
//!   own retry gets it back, any other ticket a conflict.
//!
//! A store kept in the proxy's memory dies with the process, and so does every `pending`
//! record: a retry after a crash or a restart finds no record although the ticket may be at
//! Moov. So for [`KEEP_FOR`] after such a store starts (the longest a key is remembered
//! anyway), a key with no record is looked up too before it is created.
//!
//! A record remembers a fingerprint of the cleaned ticket: the same key with another ticket
//! is a conflict. Only the holder of the key's claim (an atomic set-if-absent with expiry)
//! calls Moov; others wait for its record, on this instance or any other sharing the store.

use std::sync::Arc;
use std::time::{Duration, Instant};

use moov_support::{CreateTicket, Ticket};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;
use uuid::Uuid;

use crate::config::random_hex;
use crate::store::{Store, StoreError};

/// How long a key is remembered.
pub const KEEP_FOR: Duration = Duration::from_secs(24 * 60 * 60);
/// First pause while another attempt holds the key; doubles up to [`MAX_POLL`].
const FIRST_POLL: Duration = Duration::from_millis(10);
const MAX_POLL: Duration = Duration::from_millis(100);

/// Why an attempt cannot start.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IdempotencyError {
    #[error("this Idempotency-Key was already used for a different ticket; use a new key for a new ticket")]
    Conflict,
    #[error("a submission with this Idempotency-Key is still in progress; retry in a moment")]
    InProgress,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A fingerprint of the ticket as it would be sent, after cleaning: two submissions that
/// differ only in what the rules normalize away count as the same ticket.
pub fn fingerprint(ticket: &CreateTicket) -> String {
    let canonical = serde_json::json!({
        "title": ticket.title,
        "body": ticket.body,
        "email": ticket.contact.email,
        "name": ticket.contact.name,
    });
    let digest = Sha256::digest(canonical.to_string().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "camelCase")]
enum State {
    Pending,
    Created { ticket: Box<Ticket> },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Record {
    /// Absent when Moov holds a ticket under the key whose whole content is not known (a
    /// found ticket has no body to fingerprint).
    fingerprint: Option<String>,
    #[serde(flatten)]
    state: State,
}

impl Record {
    fn conflicts_with(&self, fingerprint: &str) -> bool {
        self.fingerprint
            .as_deref()
            .is_some_and(|f| f != fingerprint)
    }
}

/// What a submission with a key should do.
pub enum Begin {
    /// An earlier attempt created this ticket: answer with it.
    Replay(Box<Ticket>),
    /// This request holds the key: call Moov, then [`Attempt::finish`].
    Attempt(Attempt),
}

/// How an attempt ended.
pub enum Outcome<'a> {
    Created(&'a Ticket),
    /// Moov may or may not have created it.
    Unknown,
    /// Moov refused; nothing was created.
    Refused,
    /// A look-up found another ticket at Moov under this key.
    Taken,
}

/// The records and claims of idempotency keys in a [`Store`].
pub struct Idempotency {
    store: Arc<dyn Store>,
    claim_ttl: Duration,
    wait_for: Duration,
    /// Until then, a key with no record may have been tried by an earlier process whose
    /// records were lost with it. `None` when the store outlives restarts.
    unsure_until: Option<Instant>,
}

impl Idempotency {
    /// `claim_ttl` must outlast the longest attempt (its whole request), so a live attempt
    /// never loses its claim; a crashed one frees the key after it. Waiters give up after
    /// `wait_for`.
    pub fn new(store: Arc<dyn Store>, claim_ttl: Duration, wait_for: Duration) -> Self {
        let unsure_until = (!store.outlives_restarts()).then(|| Instant::now() + KEEP_FOR);
        Idempotency {
            store,
            claim_ttl,
            wait_for,
            unsure_until,
        }
    }

    /// True when a missing record does not prove that the key was never tried.
    fn unsure_of_missing(&self) -> bool {
        self.unsure_until.is_some_and(|t| Instant::now() < t)
    }

    /// Waits until no other attempt holds `key`, then replays its ticket or starts this one.
    pub async fn begin(
        &self,
        account: Uuid,
        key: Uuid,
        fingerprint: &str,
    ) -> Result<Begin, IdempotencyError> {
        let record_key = format!("moov-support:idem:{account}:{key}");
        let claim_key = format!("{record_key}:claim");
        let owner = random_hex(16);
        let deadline = Instant::now() + self.wait_for;
        let mut pause = FIRST_POLL;
        loop {
            if let Some(done) = self.settled(&record_key, fingerprint).await? {
                return Ok(done);
            }
            if self.store.claim(&claim_key, &owner, self.claim_ttl).await? {
                let attempt = Attempt {
                    store: self.store.clone(),
                    record_key,
                    claim_key,
                    owner,
                    fingerprint: fingerprint.to_owned(),
                    look_first: self.unsure_of_missing(),
                    finished: false,
                };
                return attempt.start().await;
            }
            if Instant::now() >= deadline {
                return Err(IdempotencyError::InProgress);
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(MAX_POLL);
        }
    }

    /// A replay or a conflict when the record already decides the answer.
    async fn settled(
        &self,
        record_key: &str,
        fingerprint: &str,
    ) -> Result<Option<Begin>, IdempotencyError> {
        match read(&*self.store, record_key).await? {
            Some(r) if r.conflicts_with(fingerprint) => Err(IdempotencyError::Conflict),
            Some(Record {
                state: State::Created { ticket },
                ..
            }) => Ok(Some(Begin::Replay(ticket))),
            _ => Ok(None),
        }
    }
}

async fn read(store: &dyn Store, key: &str) -> Result<Option<Record>, StoreError> {
    Ok(store
        .get(key)
        .await?
        .and_then(|raw| serde_json::from_str(&raw).ok()))
}

/// The right to call Moov with one key, until [`Attempt::finish`] or drop.
pub struct Attempt {
    store: Arc<dyn Store>,
    record_key: String,
    claim_key: String,
    owner: String,
    fingerprint: String,
    look_first: bool,
    finished: bool,
}

impl Attempt {
    /// Rereads the record under the claim (the previous holder may have finished since it
    /// was read), then marks the key pending before Moov is called, so that even a crash
    /// mid-call leaves the next attempt looking before it creates (when the store survives
    /// the crash; otherwise `look_first` is already set for keys with no record).
    async fn start(mut self) -> Result<Begin, IdempotencyError> {
        match read(&*self.store, &self.record_key).await? {
            Some(r) if r.conflicts_with(&self.fingerprint) => {
                self.release().await;
                return Err(IdempotencyError::Conflict);
            }
            Some(Record {
                state: State::Created { ticket },
                ..
            }) => {
                self.release().await;
                return Ok(Begin::Replay(ticket));
            }
            Some(Record {
                fingerprint: None, ..
            }) => {
                // Kept as it is: this attempt's ticket may not be the one Moov holds.
                self.look_first = true;
                return Ok(Begin::Attempt(self));
            }
            Some(_) => self.look_first = true,
            None => {}
        }
        self.write(Some(&self.fingerprint), State::Pending).await?;
        Ok(Begin::Attempt(self))
    }

    /// True when an earlier attempt may have created the ticket: look it up before creating.
    pub fn look_first(&self) -> bool {
        self.look_first
    }

    /// Records how the attempt ended and frees the key.
    pub async fn finish(mut self, outcome: Outcome<'_>) -> Result<(), StoreError> {
        let written = match outcome {
            Outcome::Created(ticket) => {
                let state = State::Created {
                    ticket: Box::new(ticket.clone()),
                };
                self.write(Some(&self.fingerprint), state).await
            }
            Outcome::Unknown => Ok(()),
            Outcome::Refused => self.store.delete(&self.record_key).await,
            Outcome::Taken => self.write(None, State::Pending).await,
        };
        self.release().await;
        written
    }

    async fn write(&self, fingerprint: Option<&str>, state: State) -> Result<(), StoreError> {
        let record = Record {
            fingerprint: fingerprint.map(str::to_owned),
            state,
        };
        let json = serde_json::to_string(&record).expect("a record serializes");
        self.store.set(&self.record_key, &json, KEEP_FOR).await
    }

    async fn release(&mut self) {
        self.finished = true;
        if let Err(e) = self.store.release(&self.claim_key, &self.owner).await {
            tracing::warn!(error = %e, "could not release an idempotency claim; it expires on its own");
        }
    }
}

impl Drop for Attempt {
    /// A request cut short (client gone, request timeout) frees the key at once; its record
    /// stays pending, so the next attempt looks before it creates.
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        let (store, key, owner) = (
            self.store.clone(),
            std::mem::take(&mut self.claim_key),
            std::mem::take(&mut self.owner),
        );
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let _ = store.release(&key, &owner).await;
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;
    use moov_support::{Contact, TicketStatus};

    /// A ledger whose store is trusted to hold every key ever tried.
    fn ledger() -> Idempotency {
        Idempotency {
            unsure_until: None,
            ..fresh_memory_ledger()
        }
    }

    fn fresh_memory_ledger() -> Idempotency {
        Idempotency::new(
            Arc::new(MemoryStore::default()),
            Duration::from_secs(5),
            Duration::from_millis(300),
        )
    }

    fn ticket(n: i64) -> Ticket {
        Ticket {
            ticket_id: format!("t-{n}"),
            number: n,
            title: "t".into(),
            contact: Contact::default(),
            status: TicketStatus::New,
            created_on: "2026-01-01T00:00:00Z".into(),
            updated_on: "2026-01-01T00:00:00Z".into(),
            latest_message_on: None,
            closed_on: None,
            foreign_id: None,
        }
    }

    fn attempt(b: Begin) -> Attempt {
        match b {
            Begin::Attempt(a) => a,
            Begin::Replay(_) => panic!("expected an attempt"),
        }
    }

    #[tokio::test]
    async fn replays_conflicts_and_retries_after_refusals() {
        let l = ledger();
        let (acct, key) = (Uuid::new_v4(), Uuid::new_v4());
        let a = attempt(l.begin(acct, key, "fp1").await.unwrap());
        assert!(!a.look_first());
        a.finish(Outcome::Refused).await.unwrap();
        // Refused: a corrected ticket may reuse the key.
        let a = attempt(l.begin(acct, key, "fp2").await.unwrap());
        a.finish(Outcome::Unknown).await.unwrap();
        let a = attempt(l.begin(acct, key, "fp2").await.unwrap());
        assert!(a.look_first());
        a.finish(Outcome::Created(&ticket(7))).await.unwrap();
        match l.begin(acct, key, "fp2").await.unwrap() {
            Begin::Replay(t) => assert_eq!(t.number, 7),
            Begin::Attempt(_) => panic!("expected a replay"),
        }
        assert_eq!(
            l.begin(acct, key, "fp3").await.err(),
            Some(IdempotencyError::Conflict)
        );
        // Keys are per account.
        attempt(l.begin(Uuid::new_v4(), key, "fp3").await.unwrap());
    }

    #[tokio::test]
    async fn a_key_taken_by_another_ticket_is_looked_up_by_every_attempt() {
        let l = ledger();
        let (acct, key) = (Uuid::new_v4(), Uuid::new_v4());
        let a = attempt(l.begin(acct, key, "fp1").await.unwrap());
        a.finish(Outcome::Taken).await.unwrap();
        // No fingerprint to conflict with: each attempt must ask Moov and compare.
        for fp in ["fp1", "fp2", "fp1"] {
            let a = attempt(l.begin(acct, key, fp).await.unwrap());
            assert!(a.look_first(), "{fp}");
            a.finish(Outcome::Unknown).await.unwrap();
        }
        let a = attempt(l.begin(acct, key, "fp2").await.unwrap());
        a.finish(Outcome::Created(&ticket(3))).await.unwrap();
        assert!(matches!(
            l.begin(acct, key, "fp2").await,
            Ok(Begin::Replay(_))
        ));
        assert_eq!(
            l.begin(acct, key, "fp1").await.err(),
            Some(IdempotencyError::Conflict)
        );
    }

    #[tokio::test]
    async fn waiters_get_the_holders_result_or_give_up() {
        let l = Arc::new(ledger());
        let (acct, key) = (Uuid::new_v4(), Uuid::new_v4());
        let held = attempt(l.begin(acct, key, "fp").await.unwrap());
        let l2 = l.clone();
        let waiter = tokio::spawn(async move { l2.begin(acct, key, "fp").await });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiter.is_finished());
        held.finish(Outcome::Created(&ticket(1))).await.unwrap();
        assert!(matches!(waiter.await.unwrap(), Ok(Begin::Replay(_))));

        let other = Uuid::new_v4();
        let _held = attempt(l.begin(acct, other, "fp").await.unwrap());
        assert_eq!(
            l.begin(acct, other, "fp").await.err(),
            Some(IdempotencyError::InProgress)
        );
    }

    #[tokio::test]
    async fn a_dropped_attempt_frees_the_key_and_leaves_it_pending() {
        let l = ledger();
        let (acct, key) = (Uuid::new_v4(), Uuid::new_v4());
        drop(attempt(l.begin(acct, key, "fp").await.unwrap()));
        let a = attempt(l.begin(acct, key, "fp").await.unwrap());
        assert!(a.look_first());
    }

    #[tokio::test]
    async fn a_memory_store_looks_up_unknown_keys_until_it_remembers_a_whole_keep_for() {
        let l = fresh_memory_ledger();
        let (acct, key) = (Uuid::new_v4(), Uuid::new_v4());
        // Just started: an earlier process may have sent this key to Moov before it died.
        let a = attempt(l.begin(acct, key, "fp").await.unwrap());
        assert!(a.look_first());
        a.finish(Outcome::Refused).await.unwrap();
        let l = Idempotency {
            unsure_until: Some(Instant::now()),
            ..l
        };
        // Up for KEEP_FOR: every key it could be asked about was tried in this process.
        assert!(!attempt(l.begin(acct, key, "fp").await.unwrap()).look_first());
    }

    #[test]
    fn only_a_store_that_dies_with_the_proxy_makes_missing_records_doubtful() {
        assert!(fresh_memory_ledger().unsure_of_missing());
        let redis = crate::store::RedisStore::new("redis://127.0.0.1:1").unwrap();
        let l = Idempotency::new(Arc::new(redis), Duration::from_secs(1), Duration::ZERO);
        assert!(!l.unsure_of_missing());
    }
}
