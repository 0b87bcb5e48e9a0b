//! What `/health` answers: healthy only when the daemon can do its job in its mode, with every
//! reason it cannot.

use std::time::Duration;

use arb_core::engine::EngineStatus;
use chrono::{DateTime, Utc};

use super::HealthReport;

/// The health of a daemon whose engine reports `status` at `now`. Unhealthy (each with a reason)
/// when trading is halted in a trading mode, the last catalogue sync was incomplete, or, while
/// pairs are watched, a venue has delivered no book for longer than `stale_after`.
#[must_use]
pub fn assess(status: &EngineStatus, now: DateTime<Utc>, stale_after: Duration) -> HealthReport {
    let mut reasons = Vec::new();
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
    if status.active_pairs > 0 {
        for v in &status.venues {
            match v.last_book_at {
                None => reasons.push(format!("{}: no book received yet", v.venue)),
                Some(at) if now - at > stale => reasons.push(format!(
                    "{}: no fresh book for {} s (limit {} s)",
                    v.venue,
                    (now - at).num_seconds(),
                    stale_after.as_secs()
                )),
                Some(_) => {}
            }
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
        }
    }

    fn reasons(r: &HealthReport) -> Vec<String> {
        serde_json::from_value(r.details["reasons"].clone()).unwrap_or_default()
    }

    #[test]
    fn healthy_only_when_the_daemon_can_do_its_job() {
        let limit = Duration::from_secs(60);
        let fresh = DateTime::UNIX_EPOCH + chrono::Duration::seconds(30);
        assert!(assess(&status(TradingMode::Live), fresh, limit).healthy);

        let late = DateTime::UNIX_EPOCH + chrono::Duration::seconds(90);
        let r = assess(&status(TradingMode::Live), late, limit);
        assert!(!r.healthy);
        assert_eq!(reasons(&r), ["kalshi: no fresh book for 90 s (limit 60 s)"]);

        let mut halted = status(TradingMode::Live);
        halted.halted = Some("drill (by cli)".into());
        halted.catalogue.consecutive_failures = 2;
        halted.catalogue.last_problem = Some("kalshi: nothing listed".into());
        let r = assess(&halted, fresh, limit);
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
            assess(&halted, fresh, limit).healthy,
            "monitoring goes on while halted"
        );

        let mut idle = status(TradingMode::Live);
        idle.active_pairs = 0;
        idle.venues[0].last_book_at = None;
        assert!(
            assess(&idle, late, limit).healthy,
            "no pair watched, no book expected"
        );
    }
}
