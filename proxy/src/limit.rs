//! Rate limits: [`WindowLimit`] counts in the shared [`Store`] so every proxy instance sees
//! the same counts (tickets per user, requests per IP); [`RateLimiter`] is the in-process
//! token bucket the sandbox uses to limit per IP and account the way Moov does.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::store::Store;

/// At most `limit` hits per key in each fixed window, counted in a [`Store`].
pub struct WindowLimit {
    store: Arc<dyn Store>,
    prefix: &'static str,
    limit: u64,
    window: Duration,
}

impl WindowLimit {
    pub fn new(store: Arc<dyn Store>, prefix: &'static str, limit: u32, window: Duration) -> Self {
        WindowLimit {
            store,
            prefix,
            limit: u64::from(limit),
            window,
        }
    }

    /// Counts one hit for `key`, or says how long until the window resets. When the store
    /// cannot answer the request is let through: a limit is not worth an outage.
    pub async fn check(&self, key: &str) -> Result<(), Duration> {
        let key = format!("moov-support:rl:{}:{key}", self.prefix);
        match self.store.hit(&key, self.window).await {
            Ok(hits) if hits.count > self.limit => Err(hits.reset_in),
            Ok(_) => Ok(()),
            Err(e) => {
                tracing::warn!(error = %e, limit = self.prefix, "rate limit not checked");
                Ok(())
            }
        }
    }
}

/// Allows bursts up to `capacity` and refills `capacity` tokens per `period`.
pub struct RateLimiter<K> {
    capacity: f64,
    per_second: f64,
    buckets: Mutex<HashMap<K, Bucket>>,
}

#[derive(Clone, Copy)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

/// Buckets are forgotten once full again; this bounds how many are kept between sweeps.
const SWEEP_ABOVE: usize = 10_000;

impl<K: Eq + Hash + Clone> RateLimiter<K> {
    pub fn new(capacity: u32, period: Duration) -> Self {
        let capacity = f64::from(capacity.max(1));
        RateLimiter {
            capacity,
            per_second: capacity / period.as_secs_f64().max(0.001),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `key`, or says how long until one is free.
    pub fn check(&self, key: &K) -> Result<(), Duration> {
        self.check_at(key, Instant::now())
    }

    pub fn check_at(&self, key: &K, now: Instant) -> Result<(), Duration> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() > SWEEP_ABOVE {
            let (cap, rate) = (self.capacity, self.per_second);
            buckets.retain(|_, b| refilled(b, now, cap, rate) < cap);
        }
        let bucket = buckets.entry(key.clone()).or_insert(Bucket {
            tokens: self.capacity,
            last: now,
        });
        bucket.tokens = refilled(bucket, now, self.capacity, self.per_second);
        bucket.last = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64(
                (1.0 - bucket.tokens) / self.per_second,
            ))
        }
    }
}

fn refilled(b: &Bucket, now: Instant, capacity: f64, per_second: f64) -> f64 {
    let elapsed = now.saturating_duration_since(b.last).as_secs_f64();
    (b.tokens + elapsed * per_second).min(capacity)
}

/// Whole seconds for a `Retry-After` header, never 0.
pub fn retry_after_secs(wait: Duration) -> u64 {
    wait.as_secs_f64().ceil().max(1.0) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_then_refills() {
        let l = RateLimiter::new(3, Duration::from_secs(1));
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(l.check_at(&"a", t0).is_ok());
        }
        let wait = l.check_at(&"a", t0).unwrap_err();
        assert!(wait > Duration::from_millis(300) && wait <= Duration::from_millis(334));
        assert_eq!(retry_after_secs(wait), 1);
        // Other keys are untouched.
        assert!(l.check_at(&"b", t0).is_ok());
        // One token back after a third of a second.
        let t1 = t0 + Duration::from_millis(340);
        assert!(l.check_at(&"a", t1).is_ok());
        assert!(l.check_at(&"a", t1).is_err());
        // Never more than the capacity, however long the pause.
        let t2 = t1 + Duration::from_secs(60);
        for _ in 0..3 {
            assert!(l.check_at(&"a", t2).is_ok());
        }
        assert!(l.check_at(&"a", t2).is_err());
    }
}
