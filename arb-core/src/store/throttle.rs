//! Per-pair throttling of opportunity records, shared by every `Store` implementation.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;

use crate::model::{OpportunityRecord, PairId};

/// Decides whether a detected-but-not-executed opportunity is worth a row.
///
/// A busy market re-detects the same opportunity on every book change; this keeps at most one row
/// per pair per `interval`, except when the opportunity changed materially (its profit moved by
/// more than `min_profit_change` dollars). Executed opportunities always pass.
#[derive(Debug)]
pub struct OpportunityThrottle {
    interval: Duration,
    min_profit_change: Decimal,
    last: Mutex<HashMap<PairId, (DateTime<Utc>, Decimal)>>,
}

impl OpportunityThrottle {
    /// A throttle with the given spacing and materiality threshold.
    #[must_use]
    pub fn new(interval: Duration, min_profit_change: Decimal) -> Self {
        Self {
            interval,
            min_profit_change,
            last: Mutex::new(HashMap::new()),
        }
    }

    /// Whether to store `record`; if so, remembers it as the pair's latest.
    pub fn admit(&self, record: &OpportunityRecord) -> bool {
        let opp = &record.opportunity;
        let mut last = self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let keep = record.decision.is_executed()
            || last.get(&opp.pair_id).is_none_or(|(at, profit)| {
                opp.detected_at - *at >= self.interval
                    || (opp.profit - *profit).abs() > self.min_profit_change
            });
        if keep {
            last.insert(opp.pair_id, (opp.detected_at, opp.profit));
        }
        keep
    }
}

impl Default for OpportunityThrottle {
    /// One row per pair per 10 s unless profit moves by more than one cent.
    fn default() -> Self {
        Self::new(Duration::seconds(10), Decimal::new(1, 2))
    }
}
