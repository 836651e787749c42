//! Rate limits: [`WindowLimit`] counts in the shared [`Store`] so every proxy instance sees
//! the same counts (tickets per user, requests per IP). An in-process limiter such as
//! `governor` would let each instance allow the full limit on its own.

use std::sync::Arc;
use std::time::Duration;

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
