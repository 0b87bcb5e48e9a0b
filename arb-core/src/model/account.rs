//! What an account holds on a venue: positions and cash.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{MarketKey, Outcome, Price, Qty, VenueId};

/// Contracts of one outcome held on one market.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Position {
    /// The market.
    pub market: MarketKey,
    /// Which outcome's contracts.
    pub outcome: Outcome,
    /// Contracts held.
    pub qty: Qty,
    /// Average price paid per contract (fees excluded), when known.
    pub avg_price: Option<Price>,
    /// Fees paid to build the position, in dollars.
    pub fees_paid: Decimal,
    /// Realised profit and loss so far, in dollars (sales and settlement).
    pub realized_pnl: Decimal,
    /// When this was observed.
    pub updated_at: DateTime<Utc>,
}

impl Position {
    /// Dollars paid for the contracts still held (average price × quantity), fees excluded.
    #[must_use]
    pub fn cost_basis(&self) -> Decimal {
        self.avg_price
            .map_or(Decimal::ZERO, |p| self.qty.notional(p))
    }
}

/// Cash on a venue, in dollars.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Balance {
    /// The venue.
    pub venue: VenueId,
    /// What can be spent on new orders now.
    pub available: Decimal,
    /// Available plus what is reserved by resting orders.
    pub total: Decimal,
    /// When this was observed.
    pub updated_at: DateTime<Utc>,
}
