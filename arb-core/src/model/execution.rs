//! Executions: the persisted state machine of one two-leg attempt, and the orders it sent.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{ExecutionId, MarketKey, Opportunity, OpportunityId, Order, PairId, Price};

/// How the two legs are sent.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExecutionMode {
    /// The riskier leg first, then the hedge for exactly what filled (default).
    #[default]
    Sequential,
    /// Both legs at once (IOC), then balance.
    Concurrent,
}

/// Where an execution stands. Written to the store before each order is sent.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExecutionState {
    /// Created; nothing sent yet.
    Planned,
    /// The first leg's order id is minted and the order sent (or about to be).
    FirstLegSent,
    /// The first leg's result is known.
    FirstLegDone,
    /// The second leg is sent.
    SecondLegSent,
    /// The second leg came up short; retrying within slippage tolerance.
    Hedging,
    /// Selling back the unhedged excess of the first leg.
    Unwinding,
    /// Both legs hold equal quantities (possibly zero): done.
    Hedged,
    /// The excess was sold back: done, with a bounded loss; the pair is paused.
    Unwound,
    /// One leg holds more than the other and unwinding cost more than holding: a person must act;
    /// the pair is paused and an alert raised.
    Unhedged,
    /// Nothing was bought (the first leg did not fill, or the attempt was cancelled before sending).
    Aborted,
}

impl ExecutionState {
    /// Whether the execution is finished.
    #[must_use]
    pub const fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Hedged | Self::Unwound | Self::Unhedged | Self::Aborted
        )
    }
}

/// The role of an order within an execution.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderRole {
    /// The first (riskier) leg, or either leg in concurrent mode.
    FirstLeg,
    /// The hedging leg.
    SecondLeg,
    /// A retry of the hedge.
    HedgeRetry,
    /// Selling back excess.
    Unwind,
}

/// An execution as persisted.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ExecutionRecord {
    /// Its id (minted before anything is written).
    pub id: ExecutionId,
    /// The pair traded.
    pub pair_id: PairId,
    /// The stored opportunity it acts on, if stored.
    pub opportunity_id: Option<OpportunityId>,
    /// The opportunity as planned.
    pub plan: Opportunity,
    /// Which leg goes first: the pair's market A or B.
    pub first_leg: MarketKey,
    /// Sequential or concurrent.
    pub mode: ExecutionMode,
    /// Current state.
    pub state: ExecutionState,
    /// Hedge retries made so far.
    pub hedge_attempts: u32,
    /// Why it ended as it did (shown to users), or the last error.
    pub note: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// An order as persisted, with the execution it belongs to.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct OrderRecord {
    /// The execution, if the order belongs to one.
    pub execution_id: Option<ExecutionId>,
    /// Its role there.
    pub role: OrderRole,
    /// The order and its latest known state.
    pub order: Order,
}

/// Best prices of a market at a moment (the `price_cache` table: fast look-ups, charts, staleness).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PriceSnapshot {
    /// The market.
    pub market: MarketKey,
    /// Best YES bid.
    pub yes_bid: Option<Price>,
    /// Best YES ask.
    pub yes_ask: Option<Price>,
    /// Best NO bid.
    pub no_bid: Option<Price>,
    /// Best NO ask.
    pub no_ask: Option<Price>,
    /// When the book was in this state.
    pub as_of: DateTime<Utc>,
}

/// One day's profit and loss, in dollars.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct DailyPnl {
    /// The day (UTC).
    pub date: NaiveDate,
    /// Realised PnL (sales, settlements), fees included.
    pub realized: Decimal,
    /// Profit locked in by hedged quantity, fees included.
    pub locked_in: Decimal,
    /// Mark-to-market of unhedged quantity.
    pub unrealized: Decimal,
    /// Fees paid.
    pub fees: Decimal,
    /// Executions started.
    pub executions: u32,
}
