//! Injected time and id generation, so tests and simulations are deterministic.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Duration, Utc};

/// A source of the current time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Now, in UTC.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told to (tests).
#[derive(Debug)]
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    /// A clock stopped at `start`.
    #[must_use]
    pub const fn new(start: DateTime<Utc>) -> Self {
        Self(Mutex::new(start))
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let mut now = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *now += by;
    }

    /// Sets the clock.
    pub fn set(&self, to: DateTime<Utc>) {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = to;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A source of unique ids (client order ids, execution ids).
pub trait IdSource: Send + Sync + std::fmt::Debug {
    /// A new id starting with `prefix`. Ids must never repeat, across restarts too, because venues
    /// deduplicate orders by client order id.
    fn next_id(&self, prefix: &str) -> String;
}

/// `prefix-1`, `prefix-2`, …: deterministic, for tests. Not unique across restarts unless seeded
/// past the ids already used.
#[derive(Debug, Default)]
pub struct SequentialIds(AtomicU64);

impl SequentialIds {
    /// Ids continue after `start`.
    #[must_use]
    pub const fn starting_after(start: u64) -> Self {
        Self(AtomicU64::new(start))
    }
}

impl IdSource for SequentialIds {
    fn next_id(&self, prefix: &str) -> String {
        format!("{prefix}-{}", self.0.fetch_add(1, Ordering::Relaxed) + 1)
    }
}

/// Time-ordered unique ids for production: milliseconds since the epoch, a per-process random
/// tag and a counter (`prefix-<ms>-<tag>-<n>`), so ids differ across restarts and processes.
#[derive(Debug)]
pub struct UniqueIds {
    tag: u32,
    counter: AtomicU64,
}

impl UniqueIds {
    /// A generator with a tag derived from the process id and start time.
    #[must_use]
    pub fn new() -> Self {
        let nanos = Utc::now().timestamp_subsec_nanos();
        Self {
            tag: nanos ^ std::process::id().rotate_left(16),
            counter: AtomicU64::new(0),
        }
    }
}

impl Default for UniqueIds {
    fn default() -> Self {
        Self::new()
    }
}

impl IdSource for UniqueIds {
    fn next_id(&self, prefix: &str) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        format!(
            "{prefix}-{}-{:08x}-{n}",
            Utc::now().timestamp_millis(),
            self.tag
        )
    }
}

/// When a [`UniqueIds`] id was minted: the milliseconds since the epoch it carries; `None` for
/// ids of any other shape. Venues without client order ids derive their signed order fields from
/// it, so the same request always makes the same order and a restarted process can rebuild it.
#[must_use]
pub fn minted_at_ms(id: &str) -> Option<u64> {
    let mut parts = id.rsplitn(4, '-');
    parts.next()?.parse::<u64>().ok()?;
    let tag = parts.next()?;
    if tag.len() != 8 || !tag.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let ms = parts.next()?.parse::<u64>().ok()?;
    parts.next()?;
    (ms > 0).then_some(ms)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let c = ManualClock::new(DateTime::UNIX_EPOCH);
        assert_eq!(c.now(), DateTime::UNIX_EPOCH);
        c.advance(Duration::seconds(5));
        assert_eq!(c.now().timestamp(), 5);
    }

    #[test]
    fn ids_do_not_repeat() {
        let seq = SequentialIds::default();
        assert_eq!(seq.next_id("o"), "o-1");
        assert_eq!(seq.next_id("o"), "o-2");
        let unique = UniqueIds::new();
        let ids: HashSet<_> = (0..1000).map(|_| unique.next_id("x")).collect();
        assert_eq!(ids.len(), 1000);
    }

    #[test]
    fn unique_ids_say_when_they_were_minted() {
        let before = u64::try_from(Utc::now().timestamp_millis()).unwrap();
        let id = UniqueIds::new().next_id("ord-leg");
        let after = u64::try_from(Utc::now().timestamp_millis()).unwrap();
        let minted = minted_at_ms(&id).unwrap();
        assert!((before..=after).contains(&minted), "{id}: {minted}");
        for other in [
            "ord-1",
            "",
            "x-12-zz-1",
            "12-0000abcd-1",
            "x-0-0000abcd-1",
            "x-5-0000abcd-",
        ] {
            assert_eq!(minted_at_ms(other), None, "{other}");
        }
    }
}
