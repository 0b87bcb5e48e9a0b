//! The engine's clock during a replay: tokio's virtual time, anchored at the recording's start.

use chrono::{DateTime, Utc};

use arb_core::clock::Clock;

/// Now = the recording's start plus the virtual time elapsed since the replay began.
///
/// The replay runs on tokio's paused clock, which jumps to the next timer whenever every task
/// waits: timestamps, timers and sleeps all follow recorded time, as fast as the CPU allows.
#[derive(Debug, Clone, Copy)]
pub struct VirtualClock {
    start: DateTime<Utc>,
    origin: tokio::time::Instant,
}

impl VirtualClock {
    /// A clock reading `start` now (call it inside the replay's runtime).
    #[must_use]
    pub fn anchored(start: DateTime<Utc>) -> Self {
        Self {
            start,
            origin: tokio::time::Instant::now(),
        }
    }

    /// The virtual instant at which the clock reads `at` (the origin for times before the start).
    #[must_use]
    pub fn instant_of(&self, at: DateTime<Utc>) -> tokio::time::Instant {
        let elapsed = (at - self.start).to_std().unwrap_or_default();
        self.origin + elapsed
    }
}

impl Clock for VirtualClock {
    fn now(&self) -> DateTime<Utc> {
        let elapsed = tokio::time::Instant::now() - self.origin;
        chrono::Duration::from_std(elapsed).map_or(DateTime::<Utc>::MAX_UTC, |d| {
            self.start
                .checked_add_signed(d)
                .unwrap_or(DateTime::<Utc>::MAX_UTC)
        })
    }
}
