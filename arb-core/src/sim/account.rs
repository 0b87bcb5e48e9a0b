//! The simulated account: cash and positions, moved by fills and settlement.
//!
//! YES and NO contracts of one market are held as two separate positions (as Polymarket's two
//! tokens are); nothing nets them.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::model::{MarketKey, Outcome, Position, Price, Qty, Side};

/// Contracts of one outcome held on one market.
#[derive(Clone, PartialEq, Eq, Debug)]
struct Holding {
    qty: Decimal,
    /// Dollars paid for the contracts still held, fees excluded.
    cost: Decimal,
    fees_paid: Decimal,
    realized_pnl: Decimal,
    updated_at: DateTime<Utc>,
}

/// One fill as the account sees it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Trade {
    /// Outcome traded.
    pub(crate) outcome: Outcome,
    /// Our side.
    pub(crate) side: Side,
    /// Price per contract.
    pub(crate) price: Price,
    /// Contracts.
    pub(crate) qty: Qty,
    /// Fee in dollars.
    pub(crate) fee: Decimal,
}

/// Cash and positions.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct Account {
    cash: Decimal,
    holdings: BTreeMap<(MarketKey, Outcome), Holding>,
}

impl Account {
    /// An account holding `cash` dollars and nothing else.
    pub(crate) const fn new(cash: Decimal) -> Self {
        Self {
            cash,
            holdings: BTreeMap::new(),
        }
    }

    /// Cash in dollars, reservations of resting orders not deducted.
    pub(crate) const fn cash(&self) -> Decimal {
        self.cash
    }

    /// Contracts of `outcome` held on `market`.
    pub(crate) fn held(&self, market: &MarketKey, outcome: Outcome) -> Qty {
        self.holdings
            .get(&(market.clone(), outcome))
            .and_then(|h| Qty::new(h.qty).ok())
            .unwrap_or(Qty::ZERO)
    }

    /// Applies one fill: a buy costs price × qty + fee; a sale brings price × qty − fee and
    /// realises its profit against the average price paid.
    pub(crate) fn apply(&mut self, market: &MarketKey, trade: Trade, now: DateTime<Utc>) {
        let h = self
            .holdings
            .entry((market.clone(), trade.outcome))
            .or_insert_with(|| Holding {
                qty: Decimal::ZERO,
                cost: Decimal::ZERO,
                fees_paid: Decimal::ZERO,
                realized_pnl: Decimal::ZERO,
                updated_at: now,
            });
        let notional = trade.qty.notional(trade.price);
        match trade.side {
            Side::Buy => {
                self.cash -= notional + trade.fee;
                h.qty += trade.qty.value();
                h.cost += notional;
                h.fees_paid += trade.fee;
            }
            Side::Sell => {
                self.cash += notional - trade.fee;
                let sold_cost = if h.qty.is_zero() {
                    Decimal::ZERO
                } else {
                    h.cost * trade.qty.value() / h.qty
                };
                h.qty -= trade.qty.value();
                h.cost -= sold_cost;
                if h.qty.is_zero() {
                    h.cost = Decimal::ZERO;
                }
                h.realized_pnl += notional - sold_cost - trade.fee;
            }
        }
        h.updated_at = now;
    }

    /// Settles `market`: each contract of `winner` pays $1; the other outcome's contracts expire
    /// worthless. Both positions go to zero and their profit is realised.
    pub(crate) fn settle(&mut self, market: &MarketKey, winner: Outcome, now: DateTime<Utc>) {
        for outcome in [Outcome::Yes, Outcome::No] {
            let Some(h) = self.holdings.get_mut(&(market.clone(), outcome)) else {
                continue;
            };
            let payout = if outcome == winner {
                h.qty
            } else {
                Decimal::ZERO
            };
            self.cash += payout;
            h.realized_pnl += payout - h.cost;
            h.qty = Decimal::ZERO;
            h.cost = Decimal::ZERO;
            h.updated_at = now;
        }
    }

    /// Every position ever held, including those now at zero (their realised PnL remains).
    pub(crate) fn positions(&self) -> Vec<Position> {
        self.holdings
            .iter()
            .map(|((market, outcome), h)| Position {
                market: market.clone(),
                outcome: *outcome,
                qty: Qty::new(h.qty).unwrap_or(Qty::ZERO),
                avg_price: if h.qty.is_zero() {
                    None
                } else {
                    Price::new(h.cost / h.qty).ok()
                },
                fees_paid: h.fees_paid,
                realized_pnl: h.realized_pnl,
                updated_at: h.updated_at,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    fn trade(outcome: Outcome, side: Side, price: Decimal, qty: Decimal, fee: Decimal) -> Trade {
        Trade {
            outcome,
            side,
            price: Price::new(price).unwrap(),
            qty: Qty::new(qty).unwrap(),
            fee,
        }
    }

    #[test]
    fn buys_and_sales_move_cash_and_realise_pnl() {
        let m = MarketKey::new("sim", "M");
        let now = DateTime::UNIX_EPOCH;
        let mut a = Account::new(dec!(100));
        a.apply(
            &m,
            trade(Outcome::Yes, Side::Buy, dec!(0.40), dec!(10), dec!(0.17)),
            now,
        );
        a.apply(
            &m,
            trade(Outcome::Yes, Side::Buy, dec!(0.50), dec!(10), dec!(0.18)),
            now,
        );
        assert_eq!(
            a.cash(),
            dec!(100) - dec!(4) - dec!(0.17) - dec!(5) - dec!(0.18)
        );
        let pos = &a.positions()[0];
        assert_eq!(pos.qty.value(), dec!(20));
        assert_eq!(pos.avg_price.unwrap().value(), dec!(0.45));
        assert_eq!(pos.fees_paid, dec!(0.35));

        a.apply(
            &m,
            trade(Outcome::Yes, Side::Sell, dec!(0.60), dec!(5), dec!(0.09)),
            now,
        );
        let pos = &a.positions()[0];
        assert_eq!(pos.qty.value(), dec!(15));
        // (0.60 − 0.45) × 5 − 0.09
        assert_eq!(pos.realized_pnl, dec!(0.66));
        assert_eq!(a.held(&m, Outcome::Yes).value(), dec!(15));
        assert_eq!(a.held(&m, Outcome::No), Qty::ZERO);
    }

    #[test]
    fn settlement_pays_winners_and_zeroes_both_sides() {
        let m = MarketKey::new("sim", "M");
        let now = DateTime::UNIX_EPOCH;
        let mut a = Account::new(dec!(10));
        a.apply(
            &m,
            trade(Outcome::Yes, Side::Buy, dec!(0.40), dec!(10), dec!(0)),
            now,
        );
        a.apply(
            &m,
            trade(Outcome::No, Side::Buy, dec!(0.55), dec!(4), dec!(0)),
            now,
        );
        a.settle(&m, Outcome::No, now);
        assert_eq!(a.cash(), dec!(10) - dec!(4) - dec!(2.2) + dec!(4));
        let positions = a.positions();
        assert!(positions.iter().all(|p| p.qty.is_zero()));
        let yes = positions
            .iter()
            .find(|p| p.outcome == Outcome::Yes)
            .unwrap();
        let no = positions.iter().find(|p| p.outcome == Outcome::No).unwrap();
        assert_eq!(yes.realized_pnl, dec!(-4));
        assert_eq!(no.realized_pnl, dec!(1.8));
    }
}
