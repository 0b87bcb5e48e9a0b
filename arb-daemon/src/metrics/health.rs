//! What `/health` answers: healthy only when the daemon can do its job in its mode, with every
//! reason it cannot; and the throttled write probe that tells whether the store can be written.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use arb_core::store::Store;

use arb_core::engine::EngineStatus;
use chrono::{DateTime, Utc};

use super::{HealthReport, VenueCalls};

/// How often `/health` writes its heartbeat to the store (the write probe is throttled to this).
pub const STORE_PROBE_EVERY: Duration = Duration::from_secs(30);

/// The setting the write probe writes (its value is the time of the write).
pub const HEARTBEAT_SETTING: &str = "health_heartbeat";

/// Whether the store can be written: a heartbeat setting written at most every `every`, the last
/// outcome remembered in between.
pub struct StoreProbe {
    store: Arc<dyn Store>,
    every: Duration,
    last: Option<(tokio::time::Instant, Option<String>)>,
}

impl StoreProbe {
    /// A probe of `store`, writing at most every `every`.
    #[must_use]
    pub fn new(store: Arc<dyn Store>, every: Duration) -> Self {
        Self {
            store,
            every,
            last: None,
        }
    }

    /// The error of the latest heartbeat write (`None`: it was written), writing a new one at
    /// `now` when the last is older than `every`.
    pub async fn write_error(&mut self, now: DateTime<Utc>) -> Option<String> {
        let due = self
            .last
            .as_ref()
            .is_none_or(|(at, _)| at.elapsed() >= self.every);
        if due {
            let written = self
                .store
                .put_setting(HEARTBEAT_SETTING, Some(&now.to_rfc3339()))
                .await;
            let error = written.err().map(|e| e.to_string());
            if let Some(e) = &error {
                tracing::error!(error = %e, "the store cannot be written");
            }
            self.last = Some((tokio::time::Instant::now(), error));
        }
        self.last.as_ref().and_then(|(_, error)| error.clone())
    }
}

/// What `/health` judges besides the engine's status.
#[derive(Clone, Debug, Default)]
pub struct Probes {
    /// The last store write probe's error (`None`: the store could be written).
    pub store_write_error: Option<String>,
    /// How each venue's calls went.
    pub venue_calls: BTreeMap<String, VenueCalls>,
}

/// The health of a daemon whose engine reports `status` at `now`. Unhealthy (each with a reason)
/// when the store cannot be written, trading is halted in a trading mode, the last catalogue sync
/// was incomplete, or, while pairs are watched, a venue has delivered no book for longer than
/// `stale_after`, or a venue's calls keep failing with none successful for longer than it.
#[must_use]
pub fn assess(
    status: &EngineStatus,
    probes: &Probes,
    now: DateTime<Utc>,
    stale_after: Duration,
) -> HealthReport {
    let mut reasons = Vec::new();
    if let Some(e) = &probes.store_write_error {
        reasons.push(format!("store cannot be written: {e}"));
    }
    if let Some(reason) = &status.halted
        && status.mode.executes()
    {
        reasons.push(format!("trading halted: {reason}"));
    }
    if status.catalogue.consecutive_failures > 0 {
        reasons.push(format!(
            "catalogue sync incomplete ({} in a row): {}",
            status.catalogue.consecutive_failures,
            status
                .catalogue
                .last_problem
                .as_deref()
                .unwrap_or("unknown")
        ));
    }
    let stale = chrono::Duration::from_std(stale_after).unwrap_or(chrono::Duration::MAX);
    let limit = stale_after.as_secs();
    if status.active_pairs > 0 {
        for v in &status.venues {
            match v.last_book_at {
                None => reasons.push(format!("{}: no book received yet", v.venue)),
                Some(at) if now - at > stale => reasons.push(format!(
                    "{}: no fresh book for {} s (limit {limit} s)",
                    v.venue,
                    (now - at).num_seconds(),
                )),
                Some(_) => {}
            }
        }
    }
    for (venue, calls) in &probes.venue_calls {
        let Some(error) = &calls.last_error else {
            continue;
        };
        match calls.last_success {
            Some(at) if now - at <= stale => {}
            Some(at) => reasons.push(format!(
                "{venue}: no successful call for {} s (limit {limit} s); last error: {error}",
                (now - at).num_seconds()
            )),
            None => reasons.push(format!(
                "{venue}: no successful call yet; last error: {error}"
            )),
        }
    }
    let mut details = serde_json::to_value(status).unwrap_or_default();
    if let Some(map) = details.as_object_mut() {
        map.insert("reasons".into(), serde_json::json!(reasons));
    }
    HealthReport {
        healthy: reasons.is_empty(),
        details,
    }
}

#[cfg(test)]
mod tests {
    use arb_core::engine::{CatalogueStatus, TradingMode, VenueStatus};
    use arb_core::model::VenueId;

    use super::*;

    fn status(mode: TradingMode) -> EngineStatus {
        EngineStatus {
            leased_pairs: vec![],
            mode,
            halted: None,
            venues: vec![VenueStatus {
                venue: VenueId::new("kalshi"),
                connected: true,
                polling: false,
                last_book_at: Some(DateTime::UNIX_EPOCH),
            }],
            active_pairs: 1,
            inactive_pairs: 0,
            last_opportunity: None,
            today: None,
            catalogue: CatalogueStatus::default(),
            tasks: std::collections::BTreeMap::new(),
        }
    }

    fn reasons(r: &HealthReport) -> Vec<String> {
        serde_json::from_value(r.details["reasons"].clone()).unwrap_or_default()
    }

    #[test]
    fn healthy_only_when_the_daemon_can_do_its_job() {
        let none = Probes::default();
        let limit = Duration::from_secs(60);
        let fresh = DateTime::UNIX_EPOCH + chrono::Duration::seconds(30);
        assert!(assess(&status(TradingMode::Live), &none, fresh, limit).healthy);

        let late = DateTime::UNIX_EPOCH + chrono::Duration::seconds(90);
        let r = assess(&status(TradingMode::Live), &none, late, limit);
        assert!(!r.healthy);
        assert_eq!(reasons(&r), ["kalshi: no fresh book for 90 s (limit 60 s)"]);

        let mut halted = status(TradingMode::Live);
        halted.halted = Some("drill (by cli)".into());
        halted.catalogue.consecutive_failures = 2;
        halted.catalogue.last_problem = Some("kalshi: nothing listed".into());
        let r = assess(&halted, &none, fresh, limit);
        assert_eq!(
            reasons(&r),
            [
                "trading halted: drill (by cli)",
                "catalogue sync incomplete (2 in a row): kalshi: nothing listed"
            ]
        );
        halted.mode = TradingMode::Monitor;
        halted.catalogue = CatalogueStatus::default();
        assert!(
            assess(&halted, &none, fresh, limit).healthy,
            "monitoring goes on while halted"
        );

        let mut idle = status(TradingMode::Live);
        idle.active_pairs = 0;
        idle.venues[0].last_book_at = None;
        assert!(
            assess(&idle, &none, late, limit).healthy,
            "no pair watched, no book expected"
        );
    }

    #[test]
    fn an_unwritable_store_and_a_failing_venue_are_unhealthy() {
        let limit = Duration::from_secs(60);
        let at = |s| DateTime::UNIX_EPOCH + chrono::Duration::seconds(s);
        let mut probes = Probes {
            store_write_error: Some(
                "sqlite:///data/arb.db: attempt to write a readonly database".into(),
            ),
            venue_calls: BTreeMap::new(),
        };
        probes.venue_calls.insert(
            "kalshi".into(),
            VenueCalls {
                last_success: Some(at(0)),
                failures: 3,
                last_error: Some("authentication failed: 401".into()),
            },
        );
        let r = assess(&status(TradingMode::Live), &probes, at(30), limit);
        assert_eq!(
            reasons(&r),
            [
                "store cannot be written: sqlite:///data/arb.db: attempt to write a readonly database"
            ],
            "a failure within the limit after a success is tolerated"
        );
        probes.store_write_error = None;
        let mut status = status(TradingMode::Live);
        status.venues[0].last_book_at = Some(at(100));
        let r = assess(&status, &probes, at(90 + 30), limit);
        assert_eq!(
            reasons(&r),
            [
                "kalshi: no successful call for 120 s (limit 60 s); last error: authentication failed: 401"
            ]
        );
        if let Some(c) = probes.venue_calls.get_mut("kalshi") {
            c.last_error = None;
        }
        assert!(
            assess(&status, &probes, at(120), limit).healthy,
            "the last call succeeded"
        );
    }
}
