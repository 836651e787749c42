//! How many event streams are open, per user and in all, on this instance.
//!
//! Counted in memory: a stream lives on the instance that holds its connection, and a
//! count in a shared store would outlive a crashed instance's streams.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The open streams of one instance and their limits.
#[derive(Clone)]
pub(super) struct Streams(Arc<Counts>);

struct Counts {
    per_user: u32,
    max: u32,
    open: Mutex<Open>,
}

#[derive(Default)]
struct Open {
    total: u32,
    by_user: HashMap<String, u32>,
}

/// Which limit refused a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Full {
    User,
    Instance,
}

/// One open stream, counted until dropped.
pub(super) struct StreamSlot {
    counts: Arc<Counts>,
    user: String,
}

impl Streams {
    pub(super) fn new(per_user: u32, max: u32) -> Self {
        Streams(Arc::new(Counts {
            per_user,
            max,
            open: Mutex::new(Open::default()),
        }))
    }

    /// Takes a slot for `user`, or says which limit is reached.
    pub(super) fn open(&self, user: &str) -> Result<StreamSlot, Full> {
        let mut open = lock(&self.0.open);
        if open.total >= self.0.max {
            return Err(Full::Instance);
        }
        let mine = open.by_user.get(user).copied().unwrap_or(0);
        if mine >= self.0.per_user {
            return Err(Full::User);
        }
        open.total += 1;
        open.by_user.insert(user.to_owned(), mine + 1);
        Ok(StreamSlot {
            counts: self.0.clone(),
            user: user.to_owned(),
        })
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = lock(&self.counts.open);
        open.total = open.total.saturating_sub(1);
        if let Some(n) = open.by_user.get_mut(&self.user) {
            *n -= 1;
            if *n == 0 {
                open.by_user.remove(&self.user);
            }
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_limited_per_user_and_in_all_and_freed_on_drop() {
        let streams = Streams::new(2, 3);
        let a1 = streams.open("a").unwrap();
        let _a2 = streams.open("a").unwrap();
        assert_eq!(streams.open("a").err(), Some(Full::User));
        let _b1 = streams.open("b").unwrap();
        assert_eq!(streams.open("c").err(), Some(Full::Instance));
        drop(a1);
        let a3 = streams.open("a").unwrap();
        assert_eq!(streams.open("c").err(), Some(Full::Instance));
        drop(a3);
        assert!(streams.open("c").is_ok());
    }
}
