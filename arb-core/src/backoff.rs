//! Exponential backoff: how long to wait before retrying a read, reconnecting a stream or
//! re-syncing a catalogue. One rule for the adapters and the engine.

use std::time::Duration;

use crate::exchange::BookEvent;

/// Waits that double from `first` up to `max`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Backoff {
    /// The wait before the first retry.
    pub first: Duration,
    /// The longest wait.
    pub max: Duration,
}

impl Backoff {
    /// Waits doubling from `first` to at most `max`.
    #[must_use]
    pub const fn new(first: Duration, max: Duration) -> Self {
        Self { first, max }
    }

    /// The wait before retry number `attempt` (0 for the first): `first × 2^attempt`, at most
    /// `max`.
    #[must_use]
    pub fn delay(&self, attempt: u32) -> Duration {
        self.first
            .saturating_mul(2u32.saturating_pow(attempt.min(31)))
            .min(self.max)
    }

    /// [`Backoff::delay`] with equal jitter: half of it fixed, the other half chosen by `random`
    /// (any value, e.g. from a random number generator), so many clients retrying at once
    /// spread out instead of arriving together.
    #[must_use]
    pub fn jittered(&self, attempt: u32, random: u64) -> Duration {
        let millis = u64::try_from(self.delay(attempt).as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        let half = millis / 2;
        Duration::from_millis(half + random % (millis - half + 1))
    }
}

/// How often and how patiently an idempotent read is retried (order placement never is).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 disables retrying).
    pub max_retries: u32,
    /// First backoff; doubles each retry, with jitter.
    pub base_delay: Duration,
    /// Longest backoff.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// Three retries, 250 ms doubling to at most 5 s.
    fn default() -> Self {
        Self {
            max_retries: 3,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// The backoff between retries.
    #[must_use]
    pub const fn backoff(&self) -> Backoff {
        Backoff::new(self.base_delay, self.max_delay)
    }
}

/// A reconnecting connection (a venue's WebSocket): the wait before each new attempt, and one
/// log line per change of state — lost, delivering again — instead of two lines per attempt.
#[derive(Clone, Debug)]
pub struct Reconnector {
    name: &'static str,
    backoff: Backoff,
    /// Attempts failed since the connection last delivered data.
    failures: u32,
}

impl Reconnector {
    /// A connection called `name` in logs, reconnecting with `backoff`.
    #[must_use]
    pub const fn new(name: &'static str, backoff: Backoff) -> Self {
        Self {
            name,
            backoff,
            failures: 0,
        }
    }

    /// Attempts failed since the connection last delivered data.
    #[must_use]
    pub const fn failures(&self) -> u32 {
        self.failures
    }

    /// A connection attempt failed or a session ended. Returns the wait before the next attempt
    /// (jittered by `random`) and whether the connection has just been lost (the first failure
    /// since it last delivered, or since start): only then is a warning logged, and only then
    /// need the consumer be told its data is stale.
    pub fn failed(&mut self, reason: &str, random: u64) -> (Duration, bool) {
        let lost = self.failures == 0;
        let wait = self.backoff.jittered(self.failures, random);
        if lost {
            tracing::warn!(
                connection = self.name,
                %reason,
                ceiling = ?self.backoff.max,
                "connection lost; reconnecting with backoff"
            );
        } else {
            tracing::debug!(connection = self.name, %reason, attempt = self.failures, ?wait, "reconnect failed");
        }
        self.failures = self.failures.saturating_add(1);
        (wait, lost)
    }

    /// After a book stream's connection ended for `reason`: tells the consumer its books are
    /// stale (once per loss, [`BookEvent::Invalidated`] for every market), then waits out the
    /// backoff. Returns `false` when the consumer has gone (the stream task should end).
    pub async fn book_stream_lost(
        &mut self,
        reason: String,
        tx: &tokio::sync::mpsc::Sender<BookEvent>,
        random: u64,
    ) -> bool {
        let (delay, lost) = self.failed(&reason, random);
        if lost {
            let event = BookEvent::Invalidated {
                market: None,
                reason,
            };
            if tx.send(event).await.is_err() {
                return false;
            }
        }
        tokio::select! {
            () = tokio::time::sleep(delay) => true,
            () = tx.closed() => false,
        }
    }

    /// The connection delivered data: it is up again (logged once, after a loss).
    pub fn delivering(&mut self) {
        if self.failures > 0 {
            tracing::info!(
                connection = self.name,
                failed_attempts = self.failures,
                "connection delivering again"
            );
            self.failures = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_ceiling_and_jitter_stays_within_half() {
        let b = Backoff::new(Duration::from_millis(500), Duration::from_secs(60));
        let waits: Vec<u64> = (0..10)
            .map(|a| u64::try_from(b.delay(a).as_millis()).unwrap_or(u64::MAX))
            .collect();
        assert_eq!(
            waits,
            [
                500, 1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000
            ]
        );
        assert_eq!(b.delay(u32::MAX), Duration::from_secs(60));
        for random in [0, 1, 7, u64::MAX] {
            let j = b.jittered(3, random);
            assert!(
                j >= Duration::from_millis(2000) && j <= Duration::from_millis(4000),
                "{j:?}"
            );
        }
        let tiny = Backoff::new(Duration::ZERO, Duration::ZERO);
        assert!(tiny.jittered(0, u64::MAX) <= Duration::from_millis(1));
    }

    #[test]
    fn a_reconnector_reports_a_loss_once_and_backs_off_until_data_flows() {
        let mut r = Reconnector::new(
            "test",
            Backoff::new(Duration::from_secs(1), Duration::from_secs(60)),
        );
        let (wait, lost) = r.failed("refused", 0);
        assert!(lost);
        assert_eq!(wait, Duration::from_millis(500));
        let later: Vec<bool> = (0..10).map(|_| r.failed("refused", 0).1).collect();
        assert!(later.iter().all(|l| !l), "only the first failure is a loss");
        let ceiling = r.failed("refused", 0).0;
        assert_eq!(
            ceiling,
            Duration::from_secs(30),
            "half of the 60 s ceiling, plus jitter"
        );
        r.delivering();
        assert_eq!(r.failures(), 0);
        assert!(
            r.failed("closed", 0).1,
            "a loss after data flowed again is reported"
        );
    }
}
