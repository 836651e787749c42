//! `Retry-After` in whole seconds, as the proxy and the sandbox write it and the widget reads
//! it.

use std::time::Duration;

/// Whole seconds for a `Retry-After` header, rounded up and never 0: a client told "0" would
/// retry at once and be refused again.
pub fn retry_after_secs(wait: Duration) -> u64 {
    wait.as_secs_f64().ceil().max(1.0) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_seconds_rounded_up_never_zero() {
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1001)), 2);
        assert_eq!(retry_after_secs(Duration::from_secs(7)), 7);
    }
}
