//! Opportunities: a sized, fee-exact plan to buy complementary outcomes on two venues.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{ExecutionId, LegId, Level, MarketKey, OpportunityId, Outcome, PairId, Price, Qty};

/// One leg of an opportunity: buy `qty` of `outcome` on `market`, paying at worst `limit_price`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct OpportunityLeg {
    /// The market.
    pub market: MarketKey,
    /// The outcome bought.
    pub outcome: Outcome,
    /// Contracts bought.
    pub qty: Qty,
    /// The worst (highest) price paid: the order's limit.
    pub limit_price: Price,
    /// Σ price × qty over the consumed levels, fees excluded, in dollars.
    pub cost: Decimal,
    /// The venue's fee for this one order, in dollars.
    pub fee: Decimal,
    /// The book levels consumed, best first (the last may be partially consumed).
    pub levels: Vec<Level>,
}

impl OpportunityLeg {
    /// Cost plus fee.
    #[must_use]
    pub fn total_cost(&self) -> Decimal {
        self.cost + self.fee
    }
}

/// A guaranteed-profit trade on a verified pair: both legs pay $1 per contract in exactly one outcome.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Opportunity {
    /// The pair.
    pub pair_id: PairId,
    /// Leg on the pair's market A.
    pub leg_a: OpportunityLeg,
    /// Leg on the pair's market B.
    pub leg_b: OpportunityLeg,
    /// Contracts per leg (both legs buy the same quantity).
    pub qty: Qty,
    /// Both legs' cost and fees, in dollars.
    pub total_cost: Decimal,
    /// `qty × $1 − total_cost`, in dollars.
    pub profit: Decimal,
    /// `profit / total_cost`, rounded down to 10 decimals (so never overstated).
    pub profit_fraction: Decimal,
    /// When it was found.
    pub detected_at: DateTime<Utc>,
}

impl Opportunity {
    /// The two legs, A first.
    #[must_use]
    pub fn legs(&self) -> [&OpportunityLeg; 2] {
        [&self.leg_a, &self.leg_b]
    }

    /// One leg of the opportunity.
    #[must_use]
    pub const fn leg(&self, leg: LegId) -> &OpportunityLeg {
        match leg {
            LegId::A => &self.leg_a,
            LegId::B => &self.leg_b,
        }
    }
}

/// What became of a detected opportunity.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "detail")]
pub enum OpportunityDecision {
    /// Seen and recorded; not acted on (monitor mode, or superseded).
    Observed,
    /// An execution was started for it.
    Executed(ExecutionId),
    /// Risk refused it, with the reason shown to the user.
    Refused(String),
}

impl OpportunityDecision {
    /// Whether this opportunity was acted on: such records are always kept, never throttled.
    #[must_use]
    pub const fn is_executed(&self) -> bool {
        matches!(self, Self::Executed(_))
    }
}

/// An opportunity as recorded in the store.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct OpportunityRecord {
    /// The store's id (`None` before it is stored).
    pub id: Option<OpportunityId>,
    /// The opportunity.
    pub opportunity: Opportunity,
    /// What happened to it.
    pub decision: OpportunityDecision,
}
