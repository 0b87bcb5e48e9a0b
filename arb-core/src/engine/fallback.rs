//! Which venues' book streams are delivering, and which are polled over REST instead.
//!
//! A venue whose stream is not up (never connected, or lost and not yet delivering again) is
//! polled at every poll tick; so is one whose stream is up but quiet, to keep its books fresh
//! enough to trade on. Only the first is a change of state worth a log line and the venue's
//! `polling` flag: one when polling starts, one when the stream delivers again.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};

use crate::model::VenueId;

/// Stream health per venue.
#[derive(Debug, Default)]
pub(super) struct Fallback {
    last_streamed: HashMap<VenueId, DateTime<Utc>>,
    /// Venues whose stream delivered since it was last lost.
    up: HashSet<VenueId>,
    /// Venues for which polling instead of streaming was announced.
    announced: HashSet<VenueId>,
}

impl Fallback {
    /// A book arrived on `venue`'s stream at `at`. Returns whether this ends an announced
    /// fallback to polling.
    pub(super) fn streamed(&mut self, venue: &VenueId, at: DateTime<Utc>) -> bool {
        self.last_streamed.insert(venue.clone(), at);
        self.up.insert(venue.clone()) && self.announced.remove(venue)
    }

    /// `venue`'s stream was lost (its books are invalid until it delivers again).
    pub(super) fn lost(&mut self, venue: &VenueId) {
        self.up.remove(venue);
    }

    /// Whether `venue` must be polled now (its stream is not up, or delivered nothing for
    /// `quiet_after`), and whether this starts an announced fallback to polling.
    pub(super) fn needs_poll(
        &mut self,
        venue: &VenueId,
        now: DateTime<Utc>,
        quiet_after: Duration,
    ) -> (bool, bool) {
        let up = self.up.contains(venue);
        let quiet = self
            .last_streamed
            .get(venue)
            .is_none_or(|at| now - *at >= quiet_after);
        let starts = !up && self.announced.insert(venue.clone());
        (!up || quiet, starts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_switch_to_polling_and_back_is_reported_once_each() {
        let mut f = Fallback::default();
        let v = VenueId::new("kalshi");
        let t0 = DateTime::UNIX_EPOCH;
        let quiet = Duration::seconds(5);
        assert_eq!(f.needs_poll(&v, t0, quiet), (true, true), "no stream yet");
        assert_eq!(f.needs_poll(&v, t0, quiet), (true, false), "announced once");
        assert!(f.streamed(&v, t0), "the stream delivers: polling ends");
        assert_eq!(
            f.needs_poll(&v, t0 + Duration::seconds(1), quiet),
            (false, false)
        );
        assert_eq!(
            f.needs_poll(&v, t0 + Duration::seconds(9), quiet),
            (true, false),
            "a quiet stream is polled silently"
        );
        assert!(
            !f.streamed(&v, t0 + Duration::seconds(10)),
            "no state change"
        );
        f.lost(&v);
        assert_eq!(
            f.needs_poll(&v, t0 + Duration::seconds(11), quiet),
            (true, true)
        );
        assert!(f.streamed(&v, t0 + Duration::seconds(12)));
    }
}
