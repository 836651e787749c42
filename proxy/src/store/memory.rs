//! The shared state of a single proxy instance, in its own memory.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::{Hits, Store, StoreFuture};

/// Above this many entries, expired ones are swept out.
const SWEEP_ABOVE: usize = 10_000;

#[derive(Default)]
pub struct MemoryStore {
    values: Mutex<HashMap<String, (String, Instant)>>,
    counters: Mutex<HashMap<String, (u64, Instant)>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn sweep<V>(map: &mut HashMap<String, (V, Instant)>, now: Instant) {
    if map.len() > SWEEP_ABOVE {
        map.retain(|_, (_, until)| *until > now);
    }
}

impl MemoryStore {
    fn live(&self, key: &str) -> Option<String> {
        let values = lock(&self.values);
        values
            .get(key)
            .filter(|(_, until)| *until > Instant::now())
            .map(|(v, _)| v.clone())
    }
}

impl Store for MemoryStore {
    fn get<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<String>> {
        Box::pin(async move { Ok(self.live(key)) })
    }

    fn set<'a>(&'a self, key: &'a str, value: &'a str, ttl: Duration) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let now = Instant::now();
            let mut values = lock(&self.values);
            sweep(&mut values, now);
            values.insert(key.to_owned(), (value.to_owned(), now + ttl));
            Ok(())
        })
    }

    fn claim<'a>(&'a self, key: &'a str, value: &'a str, ttl: Duration) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let now = Instant::now();
            let mut values = lock(&self.values);
            sweep(&mut values, now);
            if values.get(key).is_some_and(|(_, until)| *until > now) {
                return Ok(false);
            }
            values.insert(key.to_owned(), (value.to_owned(), now + ttl));
            Ok(true)
        })
    }

    fn release<'a>(&'a self, key: &'a str, value: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut values = lock(&self.values);
            if values.get(key).is_some_and(|(v, _)| v == value) {
                values.remove(key);
            }
            Ok(())
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            lock(&self.values).remove(key);
            Ok(())
        })
    }

    fn hit<'a>(&'a self, key: &'a str, window: Duration) -> StoreFuture<'a, Hits> {
        Box::pin(async move {
            let now = Instant::now();
            let mut counters = lock(&self.counters);
            sweep(&mut counters, now);
            let entry = counters.entry(key.to_owned()).or_insert((0, now + window));
            if entry.1 <= now {
                *entry = (0, now + window);
            }
            entry.0 += 1;
            Ok(Hits {
                count: entry.0,
                reset_in: entry.1.saturating_duration_since(now),
            })
        })
    }

    fn outlives_restarts(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn claims_are_exclusive_until_released_or_expired() {
        let s = MemoryStore::default();
        assert!(s.claim("k", "a", Duration::from_secs(5)).await.unwrap());
        assert!(!s.claim("k", "b", Duration::from_secs(5)).await.unwrap());
        // Only the holder releases.
        s.release("k", "b").await.unwrap();
        assert_eq!(s.get("k").await.unwrap().as_deref(), Some("a"));
        s.release("k", "a").await.unwrap();
        assert!(s.claim("k", "b", Duration::from_millis(10)).await.unwrap());
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(s.get("k").await.unwrap(), None);
        assert!(s.claim("k", "c", Duration::from_secs(5)).await.unwrap());
    }

    #[tokio::test]
    async fn counts_hits_per_window() {
        let s = MemoryStore::default();
        let w = Duration::from_millis(50);
        assert_eq!(s.hit("ip", w).await.unwrap().count, 1);
        let second = s.hit("ip", w).await.unwrap();
        assert_eq!(second.count, 2);
        assert!(second.reset_in <= w);
        assert_eq!(s.hit("other", w).await.unwrap().count, 1);
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert_eq!(s.hit("ip", w).await.unwrap().count, 1);
    }
}
