//! The price-time priority matching engine of one simulated market.
//!
//! Everything is kept in YES terms: a NO buy at `q` is a YES sell at `1 − q`, a NO sell at `q`
//! a YES buy at `1 − q` (see [`to_yes_terms`]). Resting orders come from two owners: scripted
//! "other traders" ([`Maker::External`]) and our own GTC orders ([`Maker::Own`]). Orders at a
//! better price trade first; at the same price, the one that arrived first trades first.

use rust_decimal::Decimal;

use crate::model::{Level, OrderBook, Outcome, Price, Qty, Side, VenueOrderId};

/// Who placed a resting order.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) enum Maker {
    /// Scripted liquidity from other traders.
    External,
    /// One of our orders.
    Own(VenueOrderId),
}

/// Who sends an incoming order.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Taker {
    /// Us: never trades against our own resting orders (self-trade prevention).
    Own,
    /// Another trader: trades against every resting order, ours included.
    External,
}

/// One resting order.
#[derive(Clone, PartialEq, Eq, Debug)]
struct Resting {
    maker: Maker,
    price: Price,
    qty: Qty,
    seq: u64,
}

/// One trade against a resting order, at that order's YES price.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct Match {
    /// The resting order that traded.
    pub(crate) maker: Maker,
    /// YES price of the trade.
    pub(crate) price: Price,
    /// Contracts traded.
    pub(crate) qty: Qty,
}

/// The result of an incoming order.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub(crate) struct Taken {
    /// Trades, best price first.
    pub(crate) matches: Vec<Match>,
    /// Matching stopped at one of our own resting orders (only for [`Taker::Own`]).
    pub(crate) blocked_by_own: bool,
}

impl Taken {
    /// Contracts traded in total.
    pub(crate) fn filled(&self) -> Qty {
        self.matches.iter().fold(Qty::ZERO, |acc, m| acc + m.qty)
    }
}

/// How much an incoming order wants.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Want {
    /// A number of contracts.
    Contracts(Qty),
    /// As many contracts as `budget` dollars buy, in lots of `lot`, each contract of an outcome
    /// whose YES price is `p` costing `p` (`yes`) or `1 − p` (not `yes`): how a venue that fills
    /// a marketable buy by its cash amount (Polymarket's FOK/FAK) trades.
    Cash {
        /// Dollars left to spend.
        budget: Decimal,
        /// The smallest tradable quantity.
        lot: Decimal,
        /// Whether the contracts bought are the YES outcome (else NO, at the complement).
        yes: bool,
    },
}

impl Want {
    fn unit_cost(yes: bool, yes_price: Price) -> Decimal {
        if yes {
            yes_price.value()
        } else {
            yes_price.complement().value()
        }
    }

    /// Contracts still wanted at a level priced `yes_price`.
    fn at(&self, yes_price: Price) -> Qty {
        match *self {
            Self::Contracts(q) => q,
            Self::Cash { budget, lot, yes } => {
                let cost = Self::unit_cost(yes, yes_price);
                if cost.is_zero() || lot.is_zero() {
                    return Qty::ZERO;
                }
                let lots = (budget / cost / lot).floor();
                Qty::new(lots * lot).unwrap_or(Qty::ZERO)
            }
        }
    }

    fn consume(&mut self, yes_price: Price, traded: Qty) {
        match self {
            Self::Contracts(q) => *q = q.saturating_sub(traded),
            Self::Cash { budget, yes, .. } => {
                *budget -= traded.value() * Self::unit_cost(*yes, yes_price);
            }
        }
    }
}

/// Converts an order on `outcome` into YES terms: the side and limit it has on the YES book.
pub(crate) fn to_yes_terms(outcome: Outcome, side: Side, limit: Price) -> (Side, Price) {
    match outcome {
        Outcome::Yes => (side, limit),
        Outcome::No => (opposite(side), limit.complement()),
    }
}

/// The price on `outcome` of a trade at `yes_price`.
pub(crate) fn from_yes_price(outcome: Outcome, yes_price: Price) -> Price {
    match outcome {
        Outcome::Yes => yes_price,
        Outcome::No => yes_price.complement(),
    }
}

const fn opposite(side: Side) -> Side {
    match side {
        Side::Buy => Side::Sell,
        Side::Sell => Side::Buy,
    }
}

/// Whether a resting order at `resting` is reachable by an order on `side` limited at `limit`.
fn crosses(side: Side, limit: Price, resting: Price) -> bool {
    match side {
        Side::Buy => resting <= limit,
        Side::Sell => resting >= limit,
    }
}

/// The YES book of one market: bids and asks, each sorted best price first, then oldest first.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub(crate) struct MatchingBook {
    bids: Vec<Resting>,
    asks: Vec<Resting>,
    next_seq: u64,
}

impl MatchingBook {
    fn side_mut(&mut self, side: Side) -> &mut Vec<Resting> {
        match side {
            Side::Buy => &mut self.bids,
            Side::Sell => &mut self.asks,
        }
    }

    fn next_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// Replaces all external liquidity. A price level that existed before keeps its place in
    /// the queue; new levels queue behind the orders already resting at their price.
    pub(crate) fn replace_external(&mut self, bids: &[Level], asks: &[Level]) {
        for (side, levels) in [(Side::Buy, bids), (Side::Sell, asks)] {
            let old = std::mem::take(self.side_mut(side));
            let mut kept: Vec<Resting> = old
                .iter()
                .filter(|r| matches!(r.maker, Maker::Own(_)))
                .cloned()
                .collect();
            for level in levels.iter().filter(|l| !l.qty.is_zero()) {
                let previous = old
                    .iter()
                    .find(|r| r.maker == Maker::External && r.price == level.price)
                    .map(|r| r.seq);
                let seq = match previous {
                    Some(seq) => seq,
                    None => self.next_seq(),
                };
                kept.push(Resting {
                    maker: Maker::External,
                    price: level.price,
                    qty: level.qty,
                    seq,
                });
            }
            match side {
                Side::Buy => kept.sort_by_key(|r| (std::cmp::Reverse(r.price), r.seq)),
                Side::Sell => kept.sort_by_key(|r| (r.price, r.seq)),
            }
            *self.side_mut(side) = kept;
        }
    }

    /// An incoming order on `side` (YES terms) for `qty` contracts, limited at `limit`. It trades
    /// against the opposite side in priority order; nothing of it rests.
    pub(crate) fn take(&mut self, side: Side, limit: Price, qty: Qty, taker: Taker) -> Taken {
        self.take_wanted(side, limit, Want::Contracts(qty), taker)
    }

    /// An incoming order on `side` (YES terms), limited at `limit`, taking until `want` is met.
    pub(crate) fn take_wanted(
        &mut self,
        side: Side,
        limit: Price,
        mut want: Want,
        taker: Taker,
    ) -> Taken {
        let book = self.side_mut(opposite(side));
        let mut taken = Taken::default();
        while let Some(best) = book.first_mut() {
            if !crosses(side, limit, best.price) {
                break;
            }
            if taker == Taker::Own && matches!(best.maker, Maker::Own(_)) {
                taken.blocked_by_own = true;
                break;
            }
            let traded = want.at(best.price).min(best.qty);
            if traded.is_zero() {
                break;
            }
            want.consume(best.price, traded);
            taken.matches.push(Match {
                maker: best.maker.clone(),
                price: best.price,
                qty: traded,
            });
            best.qty = best.qty.saturating_sub(traded);
            if best.qty.is_zero() {
                book.remove(0);
            }
        }
        taken
    }

    /// Rests one of our orders on `side` (YES terms), behind everything already at its price.
    pub(crate) fn rest(&mut self, id: VenueOrderId, side: Side, price: Price, qty: Qty) {
        let seq = self.next_seq();
        let book = self.side_mut(side);
        let at = book.partition_point(|r| match side {
            Side::Buy => r.price >= price,
            Side::Sell => r.price <= price,
        });
        book.insert(
            at,
            Resting {
                maker: Maker::Own(id),
                price,
                qty,
                seq,
            },
        );
    }

    /// Removes one of our resting orders; returns the quantity that was still resting.
    pub(crate) fn remove(&mut self, id: &VenueOrderId) -> Option<Qty> {
        for book in [&mut self.bids, &mut self.asks] {
            if let Some(at) = book
                .iter()
                .position(|r| matches!(&r.maker, Maker::Own(own) if own == id))
            {
                return Some(book.remove(at).qty);
            }
        }
        None
    }

    /// Removes every resting order, ours and external.
    pub(crate) fn clear(&mut self) {
        self.bids.clear();
        self.asks.clear();
    }

    /// After external liquidity moved through our resting orders, trades them against it at our
    /// (resting) price. Returns our trades, each with our order as the maker.
    pub(crate) fn uncross(&mut self) -> Vec<Match> {
        let mut trades = Vec::new();
        while let (Some(bid), Some(ask)) = (self.bids.first(), self.asks.first()) {
            if bid.price < ask.price {
                break;
            }
            let (ours, price) = match (&bid.maker, &ask.maker) {
                (Maker::Own(_), Maker::External) => (bid.maker.clone(), bid.price),
                (Maker::External, Maker::Own(_)) => (ask.maker.clone(), ask.price),
                // Never happens: external input is checked not to cross, and our own orders
                // never cross each other (self-trade prevention).
                _ => break,
            };
            let qty = bid.qty.min(ask.qty);
            trades.push(Match {
                maker: ours,
                price,
                qty,
            });
            for book in [&mut self.bids, &mut self.asks] {
                book[0].qty = book[0].qty.saturating_sub(qty);
                if book[0].qty.is_zero() {
                    book.remove(0);
                }
            }
        }
        trades
    }

    /// Other traders' YES liquidity as it stands (bids, asks), without our orders.
    pub(crate) fn external_levels(&self) -> (Vec<Level>, Vec<Level>) {
        let levels = |side: &[Resting]| {
            side.iter()
                .filter(|r| r.maker == Maker::External)
                .map(|r| Level::new(r.price, r.qty))
                .collect::<Vec<_>>()
        };
        (levels(&self.bids), levels(&self.asks))
    }

    /// The aggregated YES book (ours included, as a venue shows it).
    pub(crate) fn yes_book(&self) -> OrderBook {
        let levels = |side: &[Resting]| {
            side.iter()
                .map(|r| Level::new(r.price, r.qty))
                .collect::<Vec<_>>()
        };
        OrderBook::new(levels(&self.bids), levels(&self.asks))
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use rust_decimal_macros::dec;

    use super::*;

    fn p(d: Decimal) -> Price {
        Price::new(d).unwrap()
    }

    fn q(d: Decimal) -> Qty {
        Qty::new(d).unwrap()
    }

    fn lv(price: Decimal, qty: Decimal) -> Level {
        Level::new(p(price), q(qty))
    }

    fn book() -> MatchingBook {
        let mut b = MatchingBook::default();
        b.replace_external(
            &[lv(dec!(0.40), dec!(10)), lv(dec!(0.39), dec!(20))],
            &[lv(dec!(0.42), dec!(5)), lv(dec!(0.43), dec!(7))],
        );
        b
    }

    fn trades(t: &Taken) -> Vec<(Decimal, Decimal)> {
        t.matches
            .iter()
            .map(|m| (m.price.value(), m.qty.value()))
            .collect()
    }

    #[test]
    fn buy_walks_asks_best_first_within_limit() {
        let mut b = book();
        let t = b.take(Side::Buy, p(dec!(0.43)), q(dec!(8)), Taker::Own);
        assert_eq!(
            trades(&t),
            vec![(dec!(0.42), dec!(5)), (dec!(0.43), dec!(3))]
        );
        assert_eq!(t.filled(), q(dec!(8)));
        assert_eq!(b.yes_book().asks(), &[lv(dec!(0.43), dec!(4))]);
    }

    #[test]
    fn limit_stops_matching() {
        let mut b = book();
        let t = b.take(Side::Sell, p(dec!(0.40)), q(dec!(25)), Taker::Own);
        assert_eq!(trades(&t), vec![(dec!(0.40), dec!(10))]);
        assert_eq!(b.yes_book().bids(), &[lv(dec!(0.39), dec!(20))]);
    }

    #[test]
    fn no_orders_map_to_the_complement() {
        assert_eq!(
            to_yes_terms(Outcome::No, Side::Buy, p(dec!(0.58))),
            (Side::Sell, p(dec!(0.42)))
        );
        assert_eq!(
            to_yes_terms(Outcome::Yes, Side::Sell, p(dec!(0.3))),
            (Side::Sell, p(dec!(0.3)))
        );
        assert_eq!(from_yes_price(Outcome::No, p(dec!(0.4))), p(dec!(0.6)));
    }

    #[test]
    fn same_price_trades_oldest_first() {
        let mine = || Maker::Own(VenueOrderId::new("mine"));
        let mut b = book();
        b.rest(
            VenueOrderId::new("mine"),
            Side::Buy,
            p(dec!(0.40)),
            q(dec!(3)),
        );
        // An external seller hits the older external bid before ours.
        let t = b.take(Side::Sell, p(dec!(0.40)), q(dec!(5)), Taker::External);
        assert_eq!(trades(&t), vec![(dec!(0.40), dec!(5))]);
        assert_eq!(t.matches[0].maker, Maker::External);
        // A re-scripted level that still existed keeps its place ahead of ours…
        b.replace_external(&[lv(dec!(0.40), dec!(4))], &[]);
        let t = b.take(Side::Sell, p(dec!(0.40)), q(dec!(5)), Taker::External);
        assert_eq!(
            t.matches,
            vec![
                Match {
                    maker: Maker::External,
                    price: p(dec!(0.40)),
                    qty: q(dec!(4))
                },
                Match {
                    maker: mine(),
                    price: p(dec!(0.40)),
                    qty: q(dec!(1))
                },
            ]
        );
        // …but a level that had gone queues behind ours (2 of ours left).
        b.replace_external(&[lv(dec!(0.40), dec!(6))], &[]);
        let t = b.take(Side::Sell, p(dec!(0.40)), q(dec!(3)), Taker::External);
        assert_eq!(t.matches[0].maker, mine());
        assert_eq!(t.matches[0].qty, q(dec!(2)));
        assert_eq!(t.matches[1].maker, Maker::External);
        assert_eq!(t.matches[1].qty, q(dec!(1)));
    }

    #[test]
    fn our_orders_never_trade_with_each_other() {
        let mut b = book();
        b.rest(
            VenueOrderId::new("mine"),
            Side::Buy,
            p(dec!(0.41)),
            q(dec!(3)),
        );
        let t = b.take(Side::Sell, p(dec!(0.39)), q(dec!(5)), Taker::Own);
        assert!(t.blocked_by_own);
        assert!(t.matches.is_empty());
    }

    #[test]
    fn external_book_moving_through_our_order_fills_it_at_our_price() {
        let mut b = book();
        b.rest(
            VenueOrderId::new("mine"),
            Side::Buy,
            p(dec!(0.41)),
            q(dec!(6)),
        );
        b.replace_external(&[], &[lv(dec!(0.38), dec!(4)), lv(dec!(0.41), dec!(5))]);
        let trades = b.uncross();
        assert_eq!(
            trades,
            vec![
                Match {
                    maker: Maker::Own(VenueOrderId::new("mine")),
                    price: p(dec!(0.41)),
                    qty: q(dec!(4))
                },
                Match {
                    maker: Maker::Own(VenueOrderId::new("mine")),
                    price: p(dec!(0.41)),
                    qty: q(dec!(2))
                },
            ]
        );
        assert_eq!(b.yes_book().asks(), &[lv(dec!(0.41), dec!(3))]);
        assert!(b.yes_book().bids().is_empty());
    }

    #[test]
    fn removing_our_order_returns_what_rested() {
        let mut b = book();
        b.rest(
            VenueOrderId::new("mine"),
            Side::Sell,
            p(dec!(0.45)),
            q(dec!(2)),
        );
        assert_eq!(b.yes_book().asks().len(), 3);
        assert_eq!(b.remove(&VenueOrderId::new("mine")), Some(q(dec!(2))));
        assert_eq!(b.remove(&VenueOrderId::new("mine")), None);
        assert_eq!(b.yes_book().asks().len(), 2);
    }
}
