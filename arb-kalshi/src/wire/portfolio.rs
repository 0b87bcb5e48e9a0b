//! Fills, positions and balance.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;

/// A fill as `GET /portfolio/fills` returns it.
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
pub struct WireFill {
    /// Fill id.
    #[serde(default)]
    pub fill_id: Option<String>,
    /// Legacy name of the fill id.
    #[serde(default)]
    pub trade_id: Option<String>,
    /// The order it belongs to.
    pub order_id: String,
    /// Market ticker.
    #[serde(default)]
    pub ticker: Option<String>,
    /// Legacy name of the ticker.
    #[serde(default)]
    pub market_ticker: Option<String>,
    /// `yes` or `no`.
    #[serde(default)]
    pub outcome_side: Option<String>,
    /// `bid` or `ask`.
    #[serde(default)]
    pub book_side: Option<String>,
    /// Deprecated `yes`/`no`.
    #[serde(default)]
    pub side: Option<String>,
    /// Deprecated `buy`/`sell`.
    #[serde(default)]
    pub action: Option<String>,
    /// Contracts.
    pub count_fp: Decimal,
    /// YES price of the fill.
    pub yes_price_dollars: Decimal,
    /// NO price of the fill.
    #[serde(default)]
    pub no_price_dollars: Option<Decimal>,
    /// Whether we took liquidity.
    pub is_taker: bool,
    /// Fee in dollars.
    #[serde(default)]
    pub fee_cost: Option<Decimal>,
    /// When it happened.
    #[serde(default)]
    pub created_time: Option<DateTime<Utc>>,
    /// Legacy Unix seconds.
    #[serde(default)]
    pub ts: Option<i64>,
}

/// `GET /portfolio/fills`.
#[derive(Clone, Debug, Deserialize)]
pub struct FillsResponse {
    /// One page of fills.
    pub fills: Vec<WireFill>,
    /// Next page.
    #[serde(default)]
    pub cursor: Option<String>,
}

/// One market position; `position_fp` is signed (negative = NO contracts).
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
pub struct MarketPosition {
    /// Market ticker.
    pub ticker: String,
    /// Signed contracts.
    pub position_fp: Decimal,
    /// Cost of the position held.
    #[serde(default)]
    pub market_exposure_dollars: Option<Decimal>,
    /// Realised PnL.
    #[serde(default)]
    pub realized_pnl_dollars: Option<Decimal>,
    /// Fees paid.
    #[serde(default)]
    pub fees_paid_dollars: Option<Decimal>,
    /// Last change.
    #[serde(default)]
    pub last_updated_ts: Option<DateTime<Utc>>,
}

/// `GET /portfolio/positions`.
#[derive(Clone, Debug, Deserialize)]
pub struct PositionsResponse {
    /// Per-market positions.
    #[serde(default)]
    pub market_positions: Vec<MarketPosition>,
    /// Next page.
    #[serde(default)]
    pub cursor: Option<String>,
}

/// `GET /portfolio/balance`: `balance` and `portfolio_value` are integer cents.
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
pub struct BalanceResponse {
    /// Available cash in cents (truncated).
    pub balance: i64,
    /// Available cash as a dollar string (more precise for direct members), when sent.
    #[serde(default)]
    pub balance_dollars: Option<Decimal>,
    /// Value of open positions in cents.
    #[serde(default)]
    pub portfolio_value: Option<i64>,
    /// Update time (unit undocumented, probably seconds).
    #[serde(default)]
    pub updated_ts: Option<i64>,
}
