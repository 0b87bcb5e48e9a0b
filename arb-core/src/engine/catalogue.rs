//! Catalogue syncs: what one sync read from each venue, and how recent syncs went (for
//! `/health`, `/metrics` and the runner's retry schedule).

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::backoff::Backoff;
use crate::exchange::{ExchangeError, ListingGap};
use crate::model::VenueId;

/// What a sync read from one venue.
#[derive(Clone, Debug)]
pub struct VenueSync {
    /// The venue.
    pub venue: VenueId,
    /// Markets read and stored.
    pub stored: usize,
    /// Parts of its catalogue that could not be read, each named with the venue's answer.
    pub gaps: Vec<ListingGap>,
    /// Why the listing failed outright, if it did.
    pub failure: Option<ExchangeError>,
}

impl VenueSync {
    /// Whether the venue yielded no market at all because of failures (an empty catalogue read
    /// without failures is not one).
    #[must_use]
    pub fn yielded_nothing(&self) -> bool {
        self.failure.is_some() || (self.stored == 0 && !self.gaps.is_empty())
    }

    /// Whether every part of the venue's catalogue was read.
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.failure.is_none() && self.gaps.is_empty()
    }
}

/// What one catalogue sync did, venue by venue.
#[derive(Clone, Debug, Default)]
pub struct SyncReport {
    /// One entry per configured venue, in order.
    pub venues: Vec<VenueSync>,
}

impl SyncReport {
    /// Whether every venue's catalogue was read completely.
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.venues.iter().all(VenueSync::is_complete)
    }

    /// The venues that yielded nothing.
    #[must_use]
    pub fn empty_venues(&self) -> Vec<&VenueId> {
        self.venues
            .iter()
            .filter(|v| v.yielded_nothing())
            .map(|v| &v.venue)
            .collect()
    }

    /// A one-line summary of what went wrong, if anything did.
    #[must_use]
    pub fn problems(&self) -> Option<String> {
        let parts: Vec<String> = self
            .venues
            .iter()
            .filter(|v| !v.is_complete())
            .map(|v| match &v.failure {
                Some(e) => format!("{}: nothing listed: {e}", v.venue),
                None => format!(
                    "{}: {} part(s) unread ({})",
                    v.venue,
                    v.gaps.len(),
                    v.gaps
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            })
            .collect();
        (!parts.is_empty()).then(|| parts.join(" | "))
    }
}

/// How recent catalogue syncs went.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueStatus {
    /// When a sync last read every venue completely.
    pub last_success: Option<DateTime<Utc>>,
    /// When a sync last ran.
    pub last_attempt: Option<DateTime<Utc>>,
    /// Syncs in a row that were not complete (0 after a complete one).
    pub consecutive_failures: u32,
    /// Incomplete syncs since start.
    pub failures_total: u64,
    /// What went wrong in the last incomplete sync.
    pub last_problem: Option<String>,
}

/// How an incomplete sync is retried by default: after 5 s, doubling to at most 5 minutes.
pub const SYNC_RETRY: Backoff = Backoff::new(Duration::from_secs(5), Duration::from_secs(300));

impl CatalogueStatus {
    /// Records a sync's outcome at `at`.
    pub fn record(&mut self, report: &SyncReport, at: DateTime<Utc>) {
        if report.is_complete() {
            self.last_attempt = Some(at);
            self.last_success = Some(at);
            self.consecutive_failures = 0;
            self.last_problem = None;
        } else {
            self.record_failure(report.problems(), at);
        }
    }

    /// Records a sync at `at` that did not complete, for `problem` (retried with backoff).
    pub fn record_failure(&mut self, problem: Option<String>, at: DateTime<Utc>) {
        self.last_attempt = Some(at);
        self.consecutive_failures = self.consecutive_failures.saturating_add(1);
        self.failures_total = self.failures_total.saturating_add(1);
        self.last_problem = problem;
    }

    /// How long after the last sync the next one is due: `interval` after a complete sync (or
    /// none yet), `retry`'s backoff (never beyond `interval`) after incomplete ones.
    #[must_use]
    pub fn next_after(&self, interval: Duration, retry: Backoff) -> Duration {
        match self.consecutive_failures {
            0 => interval,
            n => Backoff::new(retry.first, retry.max.min(interval)).delay(n - 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(stored: usize, gap: bool, failed: bool) -> SyncReport {
        SyncReport {
            venues: vec![VenueSync {
                venue: VenueId::new("v"),
                stored,
                gaps: if gap {
                    vec![ListingGap {
                        what: "series S".into(),
                        error: ExchangeError::Unavailable("500".into()),
                    }]
                } else {
                    Vec::new()
                },
                failure: failed.then(|| ExchangeError::Network("refused".into())),
            }],
        }
    }

    #[test]
    fn incomplete_syncs_are_retried_with_backoff_then_hourly_again() {
        let hour = Duration::from_secs(3600);
        let mut status = CatalogueStatus::default();
        assert_eq!(status.next_after(hour, SYNC_RETRY), hour);
        let at = DateTime::UNIX_EPOCH;
        status.record(&report(3, true, false), at);
        assert_eq!(status.next_after(hour, SYNC_RETRY), Duration::from_secs(5));
        status.record(&report(0, false, true), at);
        assert_eq!(status.next_after(hour, SYNC_RETRY), Duration::from_secs(10));
        for _ in 0..10 {
            status.record(&report(0, false, true), at);
        }
        assert_eq!(status.next_after(hour, SYNC_RETRY), SYNC_RETRY.max);
        assert_eq!(status.failures_total, 12);
        assert!(
            status
                .last_problem
                .as_deref()
                .is_some_and(|p| p.contains("refused"))
        );
        status.record(&report(3, false, false), at);
        assert_eq!(status.next_after(hour, SYNC_RETRY), hour);
        assert_eq!(status.last_success, Some(at));
        assert_eq!(status.last_problem, None);
    }

    #[test]
    fn a_venue_yields_nothing_only_through_failures() {
        assert!(report(0, false, true).venues[0].yielded_nothing());
        assert!(report(0, true, false).venues[0].yielded_nothing());
        assert!(!report(0, false, false).venues[0].yielded_nothing());
        assert!(!report(2, true, false).venues[0].yielded_nothing());
        assert_eq!(report(2, true, false).empty_venues().len(), 0);
    }
}
