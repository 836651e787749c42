//! State that several proxy instances must share: idempotency records and claims, and
//! rate-limit counters.
//!
//! One instance can keep it in memory ([`MemoryStore`], the default). Several instances behind
//! one address must share it, or two of them could each create a ticket for the same retry:
//! [`RedisStore`] (`REDIS_URL`, `redis://` or `rediss://` for TLS) does that with atomic Redis
//! commands.

mod memory;
mod redis;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use thiserror::Error;

pub use memory::MemoryStore;
pub use redis::RedisStore;

/// A boxed future, so stores can be used as trait objects.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// Why the shared store could not answer.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StoreError {
    #[error("REDIS_URL is invalid: {0}")]
    InvalidUrl(String),
    #[error("the certificate authorities given for Redis are unusable: {0}")]
    Certificate(String),
    #[error(
        "could not reach Redis at {addr}: {reason}; check REDIS_URL and that Redis is running"
    )]
    Unreachable { addr: String, reason: String },
    #[error("Redis did not answer within {0:?}")]
    Timeout(Duration),
    #[error("Redis refused a command: {0}")]
    Refused(String),
    #[error("Redis answered something this client cannot read: {0}")]
    Protocol(String),
}

/// Hits counted in the current window of a fixed-window rate limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hits {
    /// Hits in this window, this one included.
    pub count: u64,
    /// Until the window ends and the count starts again from zero.
    pub reset_in: Duration,
}

/// Key-value operations with expiry, each atomic on its own.
pub trait Store: Send + Sync + 'static {
    /// The value under `key`, unless absent or expired.
    fn get<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<String>>;

    /// Stores `value` under `key` for `ttl`, replacing what was there.
    fn set<'a>(&'a self, key: &'a str, value: &'a str, ttl: Duration) -> StoreFuture<'a, ()>;

    /// Stores `value` only when `key` is free; true when this call took it. The claim that
    /// lets exactly one of many instances act on an idempotency key.
    fn claim<'a>(&'a self, key: &'a str, value: &'a str, ttl: Duration) -> StoreFuture<'a, bool>;

    /// Removes `key` if it still holds `value`, so a claim that expired and was taken by
    /// someone else is never released by its former holder.
    fn release<'a>(&'a self, key: &'a str, value: &'a str) -> StoreFuture<'a, ()>;

    fn delete<'a>(&'a self, key: &'a str) -> StoreFuture<'a, ()>;

    /// Counts one hit on `key` in a fixed window of `window` that starts with its first hit.
    fn hit<'a>(&'a self, key: &'a str, window: Duration) -> StoreFuture<'a, Hits>;

    /// True when what is stored survives a restart of the proxy. When it does not, a key
    /// with no record may still have been tried by the process before, and reached Moov.
    fn outlives_restarts(&self) -> bool;
}

/// The store `redis_url` names, or memory when there is none. Redis is checked with a PING
/// so a wrong URL stops start-up instead of failing the first ticket.
pub async fn open(redis_url: Option<&str>) -> Result<Arc<dyn Store>, StoreError> {
    match redis_url {
        None => Ok(Arc::new(MemoryStore::default())),
        Some(url) => {
            let store = RedisStore::new(url)?;
            store.ping().await?;
            Ok(Arc::new(store))
        }
    }
}
