//! Reconciliation of our positions against what a venue reports.

use rust_decimal::Decimal;

use super::Portfolio;
use crate::model::{MarketKey, Outcome, Position, VenueId};
use crate::notify::{Notification, Severity};

/// A position on which we and the venue disagree by more than the tolerance.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Drift {
    /// The market.
    pub market: MarketKey,
    /// The outcome.
    pub outcome: Outcome,
    /// Contracts we think we hold.
    pub ours: Decimal,
    /// Contracts the venue says we hold.
    pub venue: Decimal,
}

impl std::fmt::Display for Drift {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: we hold {}, the venue reports {} (difference {})",
            self.market,
            self.outcome,
            self.ours,
            self.venue,
            self.venue - self.ours
        )
    }
}

impl Portfolio {
    /// Compares our positions on `venue` with the venue's report; returns every difference
    /// larger than the tolerance (positions missing on either side count as zero).
    #[must_use]
    pub fn reconcile(&self, venue: &VenueId, venue_positions: &[Position]) -> Vec<Drift> {
        let mut keys: Vec<(MarketKey, Outcome)> = self
            .holdings
            .keys()
            .filter(|(m, _)| &m.venue == venue)
            .cloned()
            .collect();
        for p in venue_positions {
            keys.push((p.market.clone(), p.outcome));
        }
        keys.sort();
        keys.dedup();
        keys.into_iter()
            .filter_map(|(market, outcome)| {
                let ours = self.qty(&market, outcome);
                let theirs: Decimal = venue_positions
                    .iter()
                    .filter(|p| p.market == market && p.outcome == outcome)
                    .map(|p| p.qty.value())
                    .sum();
                let off = |held: Decimal| (theirs - held).abs() > self.drift_tolerance;
                // A venue that took the buys' fees in shares holds their worth in contracts
                // fewer than were filled: the same position, read the other way.
                let fees_in_shares = ours - self.fee_contracts(&market, outcome);
                if off(ours) && !off(fees_in_shares) {
                    tracing::info!(%market, %outcome, ours = %ours, venue = %theirs, "the venue holds the filled contracts less the fees' worth: fees taken in shares");
                }
                (off(ours) && off(fees_in_shares)).then_some(Drift {
                    market,
                    outcome,
                    ours,
                    venue: theirs,
                })
            })
            .collect()
    }
}

impl Portfolio {
    /// [`Portfolio::reconcile`] for a venue that nets each market's YES and NO (Kalshi: holding
    /// both pays $1 a pair at once and reports one signed position), comparing like with like:
    /// each market's net YES − NO, ours against the venue's. A drift is reported on `Yes` with
    /// net quantities (negative: NO).
    #[must_use]
    pub fn reconcile_netted(&self, venue: &VenueId, venue_positions: &[Position]) -> Vec<Drift> {
        let signed = |outcome: Outcome, qty: Decimal| match outcome {
            Outcome::Yes => qty,
            Outcome::No => -qty,
        };
        let mut markets: Vec<MarketKey> = self
            .holdings
            .keys()
            .filter(|(m, _)| &m.venue == venue)
            .map(|(m, _)| m.clone())
            .chain(venue_positions.iter().map(|p| p.market.clone()))
            .collect();
        markets.sort();
        markets.dedup();
        markets
            .into_iter()
            .filter_map(|market| {
                let ours = self.qty(&market, Outcome::Yes) - self.qty(&market, Outcome::No);
                let theirs: Decimal = venue_positions
                    .iter()
                    .filter(|p| p.market == market)
                    .map(|p| signed(p.outcome, p.qty.value()))
                    .sum();
                ((theirs - ours).abs() > self.drift_tolerance).then_some(Drift {
                    market,
                    outcome: Outcome::Yes,
                    ours,
                    venue: theirs,
                })
            })
            .collect()
    }
}

/// The critical alert for drifts found on a venue, if any.
#[must_use]
pub fn drift_alert(venue: &VenueId, drifts: &[Drift]) -> Option<Notification> {
    if drifts.is_empty() {
        return None;
    }
    let lines: Vec<String> = drifts.iter().map(ToString::to_string).collect();
    Some(Notification::Alert {
        severity: Severity::Critical,
        message: format!(
            "position drift on {venue} ({} position(s)): {}",
            drifts.len(),
            lines.join("; ")
        ),
    })
}
