//! When the widget tries its live connection again, and how often it checks for news when
//! there is none: plain numbers, so the schedule is tested without a browser or a clock.

/// The first wait after a dropped connection.
pub const FIRST_DELAY_MS: u32 = 1_000;
/// The longest wait: a partner's proxy that is down for an hour is tried twice a minute.
pub const MAX_DELAY_MS: u32 = 30_000;
/// How often the list is checked while the page is visible: replies still arrive for
/// partners who have not set up Moov's webhooks, a minute late at most.
pub const POLL_VISIBLE_MS: u32 = 60_000;
/// How often it is checked while the tab is hidden: nobody is looking, so the proxy is
/// spared.
pub const POLL_HIDDEN_MS: u32 = 300_000;

/// The waits between attempts: 1, 2, 4 … 30 s, each spread by ±20 % so that widgets
/// disconnected together (a proxy restart) do not all come back in the same second.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Backoff {
    failures: u32,
}

impl Backoff {
    /// The wait before the next attempt, in milliseconds; `jitter` is a random number in
    /// `0.0..1.0`. `at_least` is what the server asked for (`Retry-After`), if anything.
    pub fn next_delay(&mut self, jitter: f64, at_least_ms: Option<u32>) -> u32 {
        let base = FIRST_DELAY_MS
            .saturating_mul(1 << self.failures.min(5))
            .min(MAX_DELAY_MS);
        self.failures = self.failures.saturating_add(1);
        let spread = f64::from(base) * (0.8 + 0.4 * jitter.clamp(0.0, 1.0));
        (spread as u32)
            .min(MAX_DELAY_MS)
            .max(at_least_ms.unwrap_or(0))
    }

    /// A connection that worked starts the schedule over.
    pub fn reset(&mut self) {
        self.failures = 0;
    }

    /// Attempts that failed since the last connection that worked.
    pub fn failures(&self) -> u32 {
        self.failures
    }
}

/// How long until the next check of the list.
pub fn poll_interval(page_visible: bool) -> u32 {
    if page_visible {
        POLL_VISIBLE_MS
    } else {
        POLL_HIDDEN_MS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule(jitter: f64, n: usize) -> Vec<u32> {
        let mut backoff = Backoff::default();
        (0..n).map(|_| backoff.next_delay(jitter, None)).collect()
    }

    #[test]
    fn waits_double_up_to_thirty_seconds() {
        assert_eq!(
            schedule(0.5, 8),
            [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]
        );
    }

    #[test]
    fn jitter_spreads_each_wait_by_a_fifth_and_never_past_the_cap() {
        assert_eq!(schedule(0.0, 6), [800, 1_600, 3_200, 6_400, 12_800, 24_000]);
        assert_eq!(
            schedule(1.0, 6),
            [1_200, 2_400, 4_800, 9_600, 19_200, 30_000]
        );
        assert_eq!(schedule(7.0, 1), [1_200], "jitter outside 0..1 is clamped");
    }

    #[test]
    fn a_connection_that_worked_starts_over_and_retry_after_is_honoured() {
        let mut backoff = Backoff::default();
        backoff.next_delay(0.5, None);
        backoff.next_delay(0.5, None);
        assert_eq!(backoff.failures(), 2);
        backoff.reset();
        assert_eq!(backoff.next_delay(0.5, None), 1_000);
        assert_eq!(backoff.next_delay(0.5, Some(45_000)), 45_000);
        assert_eq!(backoff.next_delay(0.5, Some(10)), 4_000);
    }

    #[test]
    fn hidden_pages_are_checked_less_often() {
        assert_eq!(poll_interval(true), 60_000);
        assert_eq!(poll_interval(false), 300_000);
    }
}
