//! Order books: price levels sorted best-first whatever order a venue sends them in.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Outcome, Price, Qty};

/// One price level: resting quantity at a price.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Level {
    /// Price of the level.
    pub price: Price,
    /// Quantity resting at that price.
    pub qty: Qty,
}

impl Level {
    /// A level from its parts.
    #[must_use]
    pub const fn new(price: Price, qty: Qty) -> Self {
        Self { price, qty }
    }
}

/// Which side of a book.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum BookSide {
    /// Buyers: sorted highest price first.
    Bids,
    /// Sellers: sorted lowest price first.
    Asks,
}

/// The book of one instrument (the YES or the NO side of a market).
///
/// Invariants, kept by every constructor and mutator: bids sorted by price descending, asks
/// ascending, one level per price, no zero-quantity levels.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct OrderBook {
    bids: Vec<Level>,
    asks: Vec<Level>,
}

impl OrderBook {
    /// A book from levels in any order; duplicate prices are summed and empty levels dropped.
    #[must_use]
    pub fn new(
        bids: impl IntoIterator<Item = Level>,
        asks: impl IntoIterator<Item = Level>,
    ) -> Self {
        Self {
            bids: normalise(bids, BookSide::Bids),
            asks: normalise(asks, BookSide::Asks),
        }
    }

    /// Bids, best (highest) first.
    #[must_use]
    pub fn bids(&self) -> &[Level] {
        &self.bids
    }

    /// Asks, best (lowest) first.
    #[must_use]
    pub fn asks(&self) -> &[Level] {
        &self.asks
    }

    /// Levels of one side, best first.
    #[must_use]
    pub fn side(&self, side: BookSide) -> &[Level] {
        match side {
            BookSide::Bids => &self.bids,
            BookSide::Asks => &self.asks,
        }
    }

    /// Highest bid.
    #[must_use]
    pub fn best_bid(&self) -> Option<Level> {
        self.bids.first().copied()
    }

    /// Lowest ask.
    #[must_use]
    pub fn best_ask(&self) -> Option<Level> {
        self.asks.first().copied()
    }

    /// Whether the best bid reaches the best ask (a book no venue would leave standing: stale or broken).
    #[must_use]
    pub fn is_crossed(&self) -> bool {
        matches!(
            (self.best_bid(), self.best_ask()),
            (Some(b), Some(a)) if b.price >= a.price
        )
    }

    /// Whether both sides are empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.bids.is_empty() && self.asks.is_empty()
    }

    /// Sets the quantity at `price` on one side (zero removes the level), keeping the order.
    pub fn set_level(&mut self, side: BookSide, price: Price, qty: Qty) {
        let levels = match side {
            BookSide::Bids => &mut self.bids,
            BookSide::Asks => &mut self.asks,
        };
        let search = levels.binary_search_by(|l| match side {
            BookSide::Bids => price.cmp(&l.price),
            BookSide::Asks => l.price.cmp(&price),
        });
        match (search, qty.is_zero()) {
            (Ok(i), true) => {
                levels.remove(i);
            }
            (Ok(i), false) => levels[i].qty = qty,
            (Err(_), true) => {}
            (Err(i), false) => levels.insert(i, Level::new(price, qty)),
        }
    }

    /// The same liquidity seen from the other outcome: a bid at p becomes an ask at 1 − p and
    /// vice versa (buying NO at q is selling YES at 1 − q).
    #[must_use]
    pub fn complement(&self) -> Self {
        Self {
            bids: flipped(&self.asks),
            asks: flipped(&self.bids),
        }
    }
}

/// One side of a book seen from the other outcome: a level at p becomes one at 1 − p. Since
/// 1 − p reverses the order of distinct prices and keeps them distinct, a side sorted best first
/// (no duplicate or empty level) flips into the other side already sorted best first.
fn flipped(levels: &[Level]) -> Vec<Level> {
    levels
        .iter()
        .map(|l| Level::new(l.price.complement(), l.qty))
        .collect()
}

fn normalise(levels: impl IntoIterator<Item = Level>, side: BookSide) -> Vec<Level> {
    let mut out: Vec<Level> = levels.into_iter().filter(|l| !l.qty.is_zero()).collect();
    match side {
        BookSide::Bids => out.sort_by_key(|l| std::cmp::Reverse(l.price)),
        BookSide::Asks => out.sort_by_key(|l| l.price),
    }
    out.dedup_by(|later, kept| {
        if later.price == kept.price {
            kept.qty += later.qty;
            true
        } else {
            false
        }
    });
    out
}

/// Both instruments of a binary market.
///
/// Each side is *complete*: `yes.asks()` is everything one can buy YES from, whatever form the
/// venue publishes it in. Venues that publish only bids (Kalshi) or only one token's book build it
/// with [`BinaryBook::from_bids`] or [`BinaryBook::from_yes_book`], which derive the other side by
/// complement; never merge a venue's own NO bids into YES asks on top of that, or depth counts twice.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct BinaryBook {
    /// The YES instrument's book.
    pub yes: OrderBook,
    /// The NO instrument's book.
    pub no: OrderBook,
    /// When the venue produced this state (or when we received it, if the venue gives no time).
    pub as_of: DateTime<Utc>,
}

impl BinaryBook {
    /// A binary book from two complete books.
    #[must_use]
    pub const fn new(yes: OrderBook, no: OrderBook, as_of: DateTime<Utc>) -> Self {
        Self { yes, no, as_of }
    }

    /// From a venue that publishes bids only (Kalshi): YES asks are 1 − NO bids, NO asks are 1 − YES bids.
    #[must_use]
    pub fn from_bids(
        yes_bids: impl IntoIterator<Item = Level>,
        no_bids: impl IntoIterator<Item = Level>,
        as_of: DateTime<Utc>,
    ) -> Self {
        let yes_bids = normalise(yes_bids, BookSide::Bids);
        let no_bids = normalise(no_bids, BookSide::Bids);
        let yes_asks = flipped(&no_bids);
        let no_asks = flipped(&yes_bids);
        Self {
            yes: OrderBook {
                bids: yes_bids,
                asks: yes_asks,
            },
            no: OrderBook {
                bids: no_bids,
                asks: no_asks,
            },
            as_of,
        }
    }

    /// From the YES instrument's full book alone: the NO book is its complement.
    #[must_use]
    pub fn from_yes_book(yes: OrderBook, as_of: DateTime<Utc>) -> Self {
        let no = yes.complement();
        Self { yes, no, as_of }
    }

    /// The book of one outcome.
    #[must_use]
    pub const fn book(&self, outcome: Outcome) -> &OrderBook {
        match outcome {
            Outcome::Yes => &self.yes,
            Outcome::No => &self.no,
        }
    }

    /// Levels one can buy `outcome` from, cheapest first.
    #[must_use]
    pub fn buy_levels(&self, outcome: Outcome) -> &[Level] {
        self.book(outcome).asks()
    }

    /// Levels one can sell `outcome` into, richest first.
    #[must_use]
    pub fn sell_levels(&self, outcome: Outcome) -> &[Level] {
        self.book(outcome).bids()
    }

    /// Whether either side is crossed.
    #[must_use]
    pub fn is_crossed(&self) -> bool {
        self.yes.is_crossed() || self.no.is_crossed()
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use rust_decimal_macros::dec;

    use super::*;

    fn lv(p: Decimal, q: Decimal) -> Level {
        Level::new(Price::new(p).unwrap(), Qty::new(q).unwrap())
    }

    fn prices(levels: &[Level]) -> Vec<Decimal> {
        levels.iter().map(|l| l.price.value()).collect()
    }

    #[test]
    fn book_sorts_best_first_whatever_the_input_order() {
        // Polymarket sends bids ascending and asks descending (worst first).
        let book = OrderBook::new(
            vec![
                lv(dec!(0.40), dec!(5)),
                lv(dec!(0.42), dec!(3)),
                lv(dec!(0.41), dec!(1)),
            ],
            vec![
                lv(dec!(0.47), dec!(2)),
                lv(dec!(0.45), dec!(4)),
                lv(dec!(0.46), dec!(9)),
            ],
        );
        assert_eq!(
            prices(book.bids()),
            vec![dec!(0.42), dec!(0.41), dec!(0.40)]
        );
        assert_eq!(
            prices(book.asks()),
            vec![dec!(0.45), dec!(0.46), dec!(0.47)]
        );
        assert_eq!(book.best_bid().unwrap().price.value(), dec!(0.42));
        assert_eq!(book.best_ask().unwrap().qty.value(), dec!(4));
        assert!(!book.is_crossed());
    }

    #[test]
    fn duplicate_prices_merge_and_empty_levels_vanish() {
        let book = OrderBook::new(
            vec![
                lv(dec!(0.40), dec!(5)),
                lv(dec!(0.40), dec!(2)),
                lv(dec!(0.30), dec!(0)),
            ],
            vec![],
        );
        assert_eq!(book.bids().len(), 1);
        assert_eq!(book.bids()[0].qty.value(), dec!(7));
    }

    #[test]
    fn set_level_inserts_updates_and_removes_in_order() {
        let mut book = OrderBook::new(vec![lv(dec!(0.40), dec!(5))], vec![lv(dec!(0.50), dec!(5))]);
        book.set_level(
            BookSide::Bids,
            Price::new(dec!(0.45)).unwrap(),
            Qty::new(dec!(1)).unwrap(),
        );
        book.set_level(
            BookSide::Bids,
            Price::new(dec!(0.35)).unwrap(),
            Qty::new(dec!(2)).unwrap(),
        );
        book.set_level(
            BookSide::Asks,
            Price::new(dec!(0.48)).unwrap(),
            Qty::new(dec!(3)).unwrap(),
        );
        assert_eq!(
            prices(book.bids()),
            vec![dec!(0.45), dec!(0.40), dec!(0.35)]
        );
        assert_eq!(prices(book.asks()), vec![dec!(0.48), dec!(0.50)]);
        book.set_level(
            BookSide::Bids,
            Price::new(dec!(0.40)).unwrap(),
            Qty::new(dec!(9)).unwrap(),
        );
        assert_eq!(book.bids()[1].qty.value(), dec!(9));
        book.set_level(BookSide::Bids, Price::new(dec!(0.45)).unwrap(), Qty::ZERO);
        assert_eq!(prices(book.bids()), vec![dec!(0.40), dec!(0.35)]);
        book.set_level(BookSide::Asks, Price::new(dec!(0.70)).unwrap(), Qty::ZERO);
        assert_eq!(book.asks().len(), 2);
    }

    #[test]
    fn crossed_book_is_detected() {
        let book = OrderBook::new(vec![lv(dec!(0.50), dec!(1))], vec![lv(dec!(0.50), dec!(1))]);
        assert!(book.is_crossed());
    }

    #[test]
    fn no_bid_is_a_yes_ask_at_the_complement() {
        // Kalshi's documented example: YES bids 0.41/0.42, NO bids 0.44/0.56.
        let book = BinaryBook::from_bids(
            vec![lv(dec!(0.41), dec!(10)), lv(dec!(0.42), dec!(13))],
            vec![lv(dec!(0.44), dec!(29)), lv(dec!(0.56), dec!(17))],
            DateTime::UNIX_EPOCH,
        );
        assert_eq!(
            prices(book.buy_levels(Outcome::Yes)),
            vec![dec!(0.44), dec!(0.56)]
        );
        assert_eq!(book.buy_levels(Outcome::Yes)[0].qty.value(), dec!(17));
        assert_eq!(
            prices(book.buy_levels(Outcome::No)),
            vec![dec!(0.58), dec!(0.59)]
        );
        assert_eq!(
            prices(book.sell_levels(Outcome::Yes)),
            vec![dec!(0.42), dec!(0.41)]
        );
        assert!(!book.is_crossed());
    }

    #[test]
    fn yes_book_complement_gives_the_no_book() {
        let yes = OrderBook::new(
            vec![lv(dec!(0.30), dec!(4))],
            vec![lv(dec!(0.35), dec!(6)), lv(dec!(0.40), dec!(1))],
        );
        let book = BinaryBook::from_yes_book(yes, DateTime::UNIX_EPOCH);
        assert_eq!(prices(book.no.bids()), vec![dec!(0.65), dec!(0.60)]);
        assert_eq!(prices(book.no.asks()), vec![dec!(0.70)]);
        assert_eq!(book.no.asks()[0].qty.value(), dec!(4));
        assert_eq!(book.no.complement(), book.yes);
    }
}
