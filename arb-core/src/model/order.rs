//! Orders, their lifecycle, and fills.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{ClientOrderId, FillId, MarketKey, ModelError, Price, Qty, VenueOrderId};

/// One of the two outcomes of a binary market.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The event happens.
    Yes,
    /// The event does not happen.
    No,
}

impl Outcome {
    /// The other outcome.
    #[must_use]
    pub const fn opposite(self) -> Self {
        match self {
            Self::Yes => Self::No,
            Self::No => Self::Yes,
        }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Yes => "YES",
            Self::No => "NO",
        })
    }
}

/// Buy or sell.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// Acquire contracts.
    Buy,
    /// Dispose of contracts.
    Sell,
}

/// How long an order may rest.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeInForce {
    /// Fill completely at once or not at all.
    Fok,
    /// Fill what is available at once, cancel the rest (Polymarket calls it FAK).
    Ioc,
    /// Rest until filled or cancelled.
    Gtc,
}

/// Whether a fill added or removed liquidity; venues charge them differently.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Liquidity {
    /// The order rested and was hit.
    Maker,
    /// The order crossed the spread.
    Taker,
}

/// What we ask a venue to do. The client order id is minted (and persisted) before sending.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct OrderRequest {
    /// Our id for the order; venues echo it so a retry or a restart can find the order.
    pub client_order_id: ClientOrderId,
    /// The market to trade.
    pub market: MarketKey,
    /// Which outcome's contracts to trade.
    pub outcome: Outcome,
    /// Buy or sell.
    pub side: Side,
    /// Worst acceptable price per contract.
    pub limit_price: Price,
    /// Contracts wanted.
    pub qty: Qty,
    /// Lifetime of the order.
    pub time_in_force: TimeInForce,
}

/// Where an order stands on its venue.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Accepted but not yet matched or resolved (e.g. Polymarket's `delayed`): may still fill.
    Pending,
    /// Resting on the book with nothing filled.
    Open,
    /// Some, not all, filled; may fill more unless terminal information says otherwise.
    PartiallyFilled,
    /// Completely filled.
    Filled,
    /// Cancelled (possibly after partial fills: see `filled_qty`).
    Cancelled,
    /// Refused by the venue; nothing filled.
    Rejected,
    /// The venue's answer could not be interpreted. Never read as "nothing filled": the
    /// executor must ask again (by venue id, then by client order id) until it knows.
    Unknown,
}

impl OrderStatus {
    /// Whether the order can no longer change.
    #[must_use]
    pub const fn is_terminal(self) -> bool {
        matches!(self, Self::Filled | Self::Cancelled | Self::Rejected)
    }

    /// Whether moving from `self` to `next` is possible. Terminal states are final; anything
    /// non-terminal may move to any state (venues skip steps, and `Unknown` may resolve to anything).
    #[must_use]
    pub const fn can_become(self, next: Self) -> bool {
        !self.is_terminal() || (self as u8 == next as u8)
    }
}

/// An order as the venue reports it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Order {
    /// What was asked.
    pub request: OrderRequest,
    /// The venue's id, once known.
    pub venue_order_id: Option<VenueOrderId>,
    /// Current status.
    pub status: OrderStatus,
    /// Contracts filled so far.
    pub filled_qty: Qty,
    /// Volume-weighted average fill price, if anything filled.
    pub avg_fill_price: Option<Price>,
    /// Fees charged so far, in dollars.
    pub fees_paid: Decimal,
    /// The venue's reason, for rejections and cancellations.
    pub reason: Option<String>,
    /// When this state was observed.
    pub updated_at: DateTime<Utc>,
}

impl Order {
    /// A freshly minted order that has not been answered yet.
    #[must_use]
    pub fn pending(request: OrderRequest, now: DateTime<Utc>) -> Self {
        Self {
            request,
            venue_order_id: None,
            status: OrderStatus::Pending,
            filled_qty: Qty::ZERO,
            avg_fill_price: None,
            fees_paid: Decimal::ZERO,
            reason: None,
            updated_at: now,
        }
    }

    /// Contracts that may still fill.
    #[must_use]
    pub fn remaining_qty(&self) -> Qty {
        if self.status.is_terminal() {
            Qty::ZERO
        } else {
            self.request.qty.saturating_sub(self.filled_qty)
        }
    }

    /// Moves to a newer venue report, refusing impossible changes: leaving a terminal state,
    /// a filled quantity that shrinks, or a sale that fills more than was offered.
    ///
    /// A buy may fill *more* contracts than asked: venues that fill a marketable buy by the
    /// cash it may spend (Polymarket's FOK/FAK) pay a better price in extra shares. That is a
    /// normal answer, not a contradiction; the executor hedges what actually filled.
    pub fn apply_update(&mut self, update: &Self) -> Result<(), ModelError> {
        if !self.status.can_become(update.status) {
            return Err(ModelError::InvalidTransition {
                from: self.status,
                to: update.status,
            });
        }
        let oversold = self.request.side == Side::Sell && update.filled_qty > self.request.qty;
        if update.filled_qty < self.filled_qty || oversold {
            return Err(ModelError::InvalidFilledQty {
                filled: update.filled_qty.value(),
                previous: self.filled_qty.value(),
                qty: self.request.qty.value(),
            });
        }
        self.status = update.status;
        self.filled_qty = update.filled_qty;
        self.avg_fill_price = update.avg_fill_price.or(self.avg_fill_price);
        self.fees_paid = update.fees_paid.max(self.fees_paid);
        if update.venue_order_id.is_some() {
            self.venue_order_id.clone_from(&update.venue_order_id);
        }
        if update.reason.is_some() {
            self.reason.clone_from(&update.reason);
        }
        self.updated_at = update.updated_at;
        Ok(())
    }
}

/// One execution of (part of) an order.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Fill {
    /// The venue's id of the fill.
    pub fill_id: FillId,
    /// The market traded.
    pub market: MarketKey,
    /// Outcome traded.
    pub outcome: Outcome,
    /// Our side.
    pub side: Side,
    /// Price per contract.
    pub price: Price,
    /// Contracts.
    pub qty: Qty,
    /// Fee charged for this fill, in dollars.
    pub fee: Decimal,
    /// Maker or taker.
    pub liquidity: Liquidity,
    /// The order it belongs to.
    pub venue_order_id: VenueOrderId,
    /// Our id of the order, when the venue reports it.
    pub client_order_id: Option<ClientOrderId>,
    /// When it happened.
    pub ts: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    fn order(qty: Decimal) -> Order {
        Order::pending(
            OrderRequest {
                client_order_id: ClientOrderId::new("c1"),
                market: MarketKey::new("sim", "M"),
                outcome: Outcome::Yes,
                side: Side::Buy,
                limit_price: Price::new(dec!(0.5)).unwrap(),
                qty: Qty::new(qty).unwrap(),
                time_in_force: TimeInForce::Ioc,
            },
            DateTime::UNIX_EPOCH,
        )
    }

    fn with(o: &Order, status: OrderStatus, filled: Decimal) -> Order {
        let mut u = o.clone();
        u.status = status;
        u.filled_qty = Qty::new(filled).unwrap();
        u
    }

    #[test]
    fn terminal_states_are_final() {
        for t in [
            OrderStatus::Filled,
            OrderStatus::Cancelled,
            OrderStatus::Rejected,
        ] {
            assert!(t.is_terminal());
            assert!(t.can_become(t));
            for next in [
                OrderStatus::Pending,
                OrderStatus::Open,
                OrderStatus::PartiallyFilled,
                OrderStatus::Unknown,
            ] {
                assert!(!t.can_become(next), "{t:?} -> {next:?}");
            }
        }
        assert!(!OrderStatus::Unknown.is_terminal());
        assert!(!OrderStatus::Pending.is_terminal());
    }

    #[test]
    fn updates_follow_the_lifecycle() {
        let mut o = order(dec!(10));
        assert_eq!(o.remaining_qty().value(), dec!(10));
        o.apply_update(&with(&o, OrderStatus::Unknown, dec!(0)))
            .unwrap();
        o.apply_update(&with(&o, OrderStatus::PartiallyFilled, dec!(4)))
            .unwrap();
        assert_eq!(o.remaining_qty().value(), dec!(6));
        let err = o
            .apply_update(&with(&o, OrderStatus::PartiallyFilled, dec!(3)))
            .unwrap_err();
        assert!(matches!(err, ModelError::InvalidFilledQty { .. }));
        let mut sale = order(dec!(10));
        sale.request.side = Side::Sell;
        assert!(
            sale.apply_update(&with(&sale, OrderStatus::Filled, dec!(11)))
                .is_err(),
            "a sale cannot fill more than was offered"
        );
        o.apply_update(&with(&o, OrderStatus::Cancelled, dec!(4)))
            .unwrap();
        assert_eq!(o.remaining_qty(), Qty::ZERO);
        let err = o
            .apply_update(&with(&o, OrderStatus::Open, dec!(4)))
            .unwrap_err();
        assert!(matches!(err, ModelError::InvalidTransition { .. }));
    }

    #[test]
    fn a_buy_may_fill_more_than_asked() {
        let mut o = order(dec!(229.97));
        o.apply_update(&with(&o, OrderStatus::Filled, dec!(237.508771)))
            .unwrap();
        assert_eq!(o.filled_qty.value(), dec!(237.508771));
        assert_eq!(o.remaining_qty(), Qty::ZERO);
    }

    #[test]
    fn outcome_opposites() {
        assert_eq!(Outcome::Yes.opposite(), Outcome::No);
        assert_eq!(Outcome::No.opposite().opposite(), Outcome::No);
    }
}
