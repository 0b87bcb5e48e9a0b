//! Orders: the V2 create/cancel bodies and the order read model.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// `POST /portfolio/events/orders` body. `side` is the YES-book side and `price` the YES price.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct CreateOrderV2Request {
    /// Market ticker.
    pub ticker: String,
    /// Idempotency key (a duplicate is refused with 409).
    pub client_order_id: String,
    /// `bid` (buy YES) or `ask` (sell YES).
    pub side: &'static str,
    /// Contracts, 2 decimals.
    pub count: String,
    /// YES price in dollars, on the market's grid.
    pub price: String,
    /// `fill_or_kill`, `good_till_canceled` or `immediate_or_cancel`.
    pub time_in_force: &'static str,
    /// `taker_at_cross` or `maker`.
    pub self_trade_prevention_type: &'static str,
}

/// `POST /portfolio/events/orders` 201 answer: no status, derive it from the counts.
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
pub struct CreateOrderV2Response {
    /// The venue's id.
    pub order_id: String,
    /// Our id, echoed.
    #[serde(default)]
    pub client_order_id: Option<String>,
    /// Contracts filled.
    pub fill_count: Decimal,
    /// Contracts still resting (0 once an IOC/FOK remainder is cancelled).
    pub remaining_count: Decimal,
    /// Average fill price (YES price), if anything filled.
    #[serde(default)]
    pub average_fill_price: Option<Decimal>,
    /// Average fee per contract.
    #[serde(default)]
    pub average_fee_paid: Option<Decimal>,
    /// Venue time, milliseconds.
    #[serde(default)]
    pub ts_ms: Option<i64>,
}

/// `DELETE /portfolio/events/orders/{id}` answer.
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
pub struct CancelOrderV2Response {
    /// The order.
    pub order_id: String,
    /// Our id.
    #[serde(default)]
    pub client_order_id: Option<String>,
    /// Contracts cancelled.
    pub reduced_by: Decimal,
    /// Venue time, milliseconds.
    #[serde(default)]
    pub ts_ms: Option<i64>,
}

/// An order as `GET /portfolio/orders[/{id}]` returns it.
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
pub struct WireOrder {
    /// The venue's id.
    pub order_id: String,
    /// Our id.
    #[serde(default)]
    pub client_order_id: Option<String>,
    /// Market ticker.
    pub ticker: String,
    /// `yes` or `no`.
    #[serde(default)]
    pub outcome_side: Option<String>,
    /// `bid` or `ask`.
    #[serde(default)]
    pub book_side: Option<String>,
    /// Deprecated: `yes` or `no`.
    #[serde(default)]
    pub side: Option<String>,
    /// Deprecated: `buy` or `sell`.
    #[serde(default)]
    pub action: Option<String>,
    /// `resting`, `canceled` or `executed`.
    pub status: String,
    /// YES limit price.
    #[serde(default)]
    pub yes_price_dollars: Option<Decimal>,
    /// NO limit price.
    #[serde(default)]
    pub no_price_dollars: Option<Decimal>,
    /// Contracts filled.
    pub fill_count_fp: Decimal,
    /// Contracts still resting.
    #[serde(default)]
    pub remaining_count_fp: Option<Decimal>,
    /// Contracts ordered.
    #[serde(default)]
    pub initial_count_fp: Option<Decimal>,
    /// Cost of taker fills.
    #[serde(default)]
    pub taker_fill_cost_dollars: Option<Decimal>,
    /// Cost of maker fills.
    #[serde(default)]
    pub maker_fill_cost_dollars: Option<Decimal>,
    /// Taker fees paid.
    #[serde(default)]
    pub taker_fees_dollars: Option<Decimal>,
    /// Maker fees paid.
    #[serde(default)]
    pub maker_fees_dollars: Option<Decimal>,
    /// Created.
    #[serde(default)]
    pub created_time: Option<DateTime<Utc>>,
    /// Last change.
    #[serde(default)]
    pub last_update_time: Option<DateTime<Utc>>,
    /// Why it last changed (`PostOnlyCrossCancel`…), when present.
    #[serde(default)]
    pub last_update_reason: Option<String>,
}

/// `GET /portfolio/orders/{id}`.
#[derive(Clone, Debug, Deserialize)]
pub struct OrderResponse {
    /// The order.
    pub order: WireOrder,
}

/// `GET /portfolio/orders`.
#[derive(Clone, Debug, Deserialize)]
pub struct OrdersResponse {
    /// One page of orders.
    pub orders: Vec<WireOrder>,
    /// Next page.
    #[serde(default)]
    pub cursor: Option<String>,
}
