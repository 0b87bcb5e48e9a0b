//! Book state per market, fed by snapshots and deltas, and sequence tracking per subscription.

use std::collections::HashMap;
use std::str::FromStr;

use arb_core::model::{BinaryBook, BookSide, Level, OrderBook, Price, Qty};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::frame::RawLevel;

/// What a frame's sequence number says about the stream.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SeqCheck {
    /// The next expected number, or the first of a subscription.
    InOrder,
    /// A number was skipped, repeated or reset: the subscription's books are not trustworthy.
    Gap {
        /// What we expected.
        expected: u64,
        /// What came.
        got: u64,
    },
}

/// The most contracts a book level may hold (sums of levels stay far inside a `Decimal`).
const MAX_LEVEL_QTY: Decimal = Decimal::from_parts(0xD4A5_1000, 0xE8, 0, false, 0); // 10^12

/// Last sequence number per subscription id (every frame with a `sid` and `seq`, acks included).
#[derive(Debug, Default)]
pub struct SeqTracker {
    last: HashMap<u64, u64>,
}

impl SeqTracker {
    /// Records `seq` for `sid` and says whether it follows the previous one.
    pub fn check(&mut self, sid: u64, seq: u64) -> SeqCheck {
        match self.last.insert(sid, seq) {
            Some(last) if Some(seq) != last.checked_add(1) => SeqCheck::Gap {
                expected: last.saturating_add(1),
                got: seq,
            },
            _ => SeqCheck::InOrder,
        }
    }
}

/// A level update that could not be applied.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct BadLevel(pub String);

fn dec(field: &str, text: &str) -> Result<Decimal, BadLevel> {
    Decimal::from_str(text)
        .map_err(|_| BadLevel(format!("field `{field}`: `{text}` is not a decimal")))
}

fn price(field: &str, value: Decimal) -> Result<Price, BadLevel> {
    Price::new(value).map_err(|e| BadLevel(format!("field `{field}`: {e}")))
}

/// The market's books plus whether they can be trusted.
#[derive(Debug)]
struct MarketBook {
    book: BinaryBook,
    live: bool,
}

/// Which convention the `no` levels use: NO-leg prices (the default) or YES-scale prices
/// (`use_yes_price: true`, where a `no` level at x is a NO bid at 1 − x).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct NoPriceScale {
    /// Whether `no` levels are on the YES scale.
    pub yes_scale: bool,
}

impl NoPriceScale {
    fn no_bid(self, p: Price) -> Price {
        if self.yes_scale { p.complement() } else { p }
    }
}

/// All subscribed markets' books.
#[derive(Debug)]
pub struct Books {
    scale: NoPriceScale,
    markets: HashMap<String, MarketBook>,
}

fn qty_at(levels: &[Level], p: Price) -> Decimal {
    // Bids are sorted highest first.
    levels
        .binary_search_by(|l| p.cmp(&l.price))
        .map_or(Decimal::ZERO, |i| levels[i].qty.value())
}

fn set_bid(bids_book: &mut OrderBook, asks_book: &mut OrderBook, p: Price, q: Qty) {
    bids_book.set_level(BookSide::Bids, p, q);
    asks_book.set_level(BookSide::Asks, p.complement(), q);
}

impl Books {
    /// Empty state for the given `no` price convention.
    #[must_use]
    pub fn new(scale: NoPriceScale) -> Self {
        Self {
            scale,
            markets: HashMap::new(),
        }
    }

    /// Replaces a market's book with a snapshot and marks it live.
    pub fn snapshot(
        &mut self,
        ticker: &str,
        yes: &[RawLevel<'_>],
        no: &[RawLevel<'_>],
        as_of: DateTime<Utc>,
    ) -> Result<&BinaryBook, BadLevel> {
        let parse = |levels: &[RawLevel<'_>], field: &str, no_side: bool| {
            levels
                .iter()
                .map(|(p, q)| {
                    let p = price(field, dec(field, p)?)?;
                    let p = if no_side { self.scale.no_bid(p) } else { p };
                    let q = dec(field, q)?;
                    if q > MAX_LEVEL_QTY {
                        return Err(BadLevel(format!(
                            "field `{field}`: {q} contracts is out of range"
                        )));
                    }
                    let q = Qty::new(q).map_err(|e| BadLevel(format!("field `{field}`: {e}")))?;
                    Ok(Level::new(p, q))
                })
                .collect::<Result<Vec<_>, BadLevel>>()
        };
        let yes = parse(yes, "yes_dollars_fp", false)?;
        let no = parse(no, "no_dollars_fp", true)?;
        let entry = self
            .markets
            .entry(ticker.to_owned())
            .or_insert_with(|| MarketBook {
                book: BinaryBook::from_bids([], [], as_of),
                live: false,
            });
        entry.book = BinaryBook::from_bids(yes, no, as_of);
        entry.live = true;
        Ok(&entry.book)
    }

    /// Applies one delta to a live book. `Ok(None)` when the market is not live (awaiting a
    /// snapshot): the delta is dropped, the snapshot will carry it.
    pub fn delta(
        &mut self,
        ticker: &str,
        side: &str,
        price_text: &str,
        delta_text: &str,
        as_of: DateTime<Utc>,
    ) -> Result<Option<&BinaryBook>, BadLevel> {
        let Some(market) = self.markets.get_mut(ticker).filter(|m| m.live) else {
            return Ok(None);
        };
        let p = price("price_dollars", dec("price_dollars", price_text)?)?;
        let delta = dec("delta_fp", delta_text)?;
        let book = &mut market.book;
        let (bid, bids, asks) = match side {
            "yes" => (p, &mut book.yes, &mut book.no),
            "no" => (self.scale.no_bid(p), &mut book.no, &mut book.yes),
            other => return Err(BadLevel(format!("field `side`: unknown value `{other}`"))),
        };
        let new = qty_at(bids.bids(), bid)
            .checked_add(delta)
            .filter(|q| q.abs() <= MAX_LEVEL_QTY)
            .ok_or_else(|| {
                BadLevel(format!(
                    "field `delta_fp`: {delta} takes the level out of range"
                ))
            })?
            .max(Decimal::ZERO);
        let q = Qty::new(new).map_err(|e| BadLevel(e.to_string()))?;
        set_bid(bids, asks, bid, q);
        book.as_of = as_of;
        Ok(Some(&market.book))
    }

    /// Marks every market not live; returns their tickers.
    pub fn invalidate_all(&mut self) -> Vec<String> {
        self.markets.values_mut().for_each(|m| m.live = false);
        self.markets.keys().cloned().collect()
    }

    /// Marks one market not live.
    pub fn invalidate(&mut self, ticker: &str) {
        if let Some(m) = self.markets.get_mut(ticker) {
            m.live = false;
        }
    }

    /// Whether every known market is live.
    #[must_use]
    pub fn all_live(&self) -> bool {
        self.markets.values().all(|m| m.live)
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use rust_decimal_macros::dec;

    use super::*;

    #[test]
    fn the_largest_sequence_number_is_a_gap_check_not_a_panic() {
        let mut t = SeqTracker::default();
        assert_eq!(t.check(1, u64::MAX), SeqCheck::InOrder);
        assert!(matches!(t.check(1, u64::MAX), SeqCheck::Gap { .. }));
        assert!(matches!(t.check(1, 0), SeqCheck::Gap { .. }));
    }

    #[test]
    fn a_delta_near_the_decimal_maximum_is_refused_not_a_panic() {
        let mut books = Books::new(NoPriceScale { yes_scale: true });
        books
            .snapshot(
                "T",
                &raw(&[("0.40", "10")]),
                &raw(&[]),
                DateTime::UNIX_EPOCH,
            )
            .unwrap();
        const MAX: &str = "79228162514264337593543950335";
        for delta in [MAX, "-79228162514264337593543950335"] {
            let r = books.delta("T", "yes", "0.40", delta, DateTime::UNIX_EPOCH);
            assert!(r.is_err() || delta.starts_with('-'), "{delta}: {r:?}");
        }
        let r = books.snapshot("T", &raw(&[("0.40", MAX)]), &raw(&[]), DateTime::UNIX_EPOCH);
        assert!(r.is_err());
    }

    fn raw(levels: &[(&'static str, &'static str)]) -> Vec<RawLevel<'static>> {
        levels
            .iter()
            .map(|&(p, q)| (Cow::Borrowed(p), Cow::Borrowed(q)))
            .collect()
    }

    fn top(levels: &[Level]) -> (Decimal, Decimal) {
        (levels[0].price.value(), levels[0].qty.value())
    }

    #[test]
    fn sequence_gaps_duplicates_and_resets_are_gaps() {
        let mut t = SeqTracker::default();
        assert_eq!(t.check(1, 1), SeqCheck::InOrder);
        assert_eq!(t.check(1, 2), SeqCheck::InOrder);
        assert_eq!(t.check(2, 7), SeqCheck::InOrder);
        assert_eq!(
            t.check(1, 4),
            SeqCheck::Gap {
                expected: 3,
                got: 4
            }
        );
        assert_eq!(t.check(1, 5), SeqCheck::InOrder);
        assert_eq!(
            t.check(1, 5),
            SeqCheck::Gap {
                expected: 6,
                got: 5
            }
        );
        assert_eq!(
            t.check(1, 1),
            SeqCheck::Gap {
                expected: 6,
                got: 1
            }
        );
    }

    #[test]
    fn both_no_price_conventions_give_the_same_book() {
        let now = DateTime::UNIX_EPOCH;
        let mut leg = Books::new(NoPriceScale { yes_scale: false });
        let mut yes = Books::new(NoPriceScale { yes_scale: true });
        let a = leg
            .snapshot(
                "M",
                &raw(&[("0.40", "5.00")]),
                &raw(&[("0.55", "7.00")]),
                now,
            )
            .unwrap()
            .clone();
        let b = yes
            .snapshot(
                "M",
                &raw(&[("0.40", "5.00")]),
                &raw(&[("0.45", "7.00")]),
                now,
            )
            .unwrap()
            .clone();
        assert_eq!(a, b);
        assert_eq!(top(a.yes.asks()), (dec!(0.45), dec!(7)));
        assert_eq!(top(a.no.bids()), (dec!(0.55), dec!(7)));
        let a = leg
            .delta("M", "no", "0.55", "-2.00", now)
            .unwrap()
            .unwrap()
            .clone();
        let b = yes
            .delta("M", "no", "0.45", "-2.00", now)
            .unwrap()
            .unwrap()
            .clone();
        assert_eq!(a, b);
        assert_eq!(top(a.yes.asks()), (dec!(0.45), dec!(5)));
    }

    #[test]
    fn deltas_add_create_and_remove_levels_and_wait_for_snapshots() {
        let now = DateTime::UNIX_EPOCH;
        let mut books = Books::new(NoPriceScale { yes_scale: false });
        assert_eq!(books.delta("M", "yes", "0.40", "1.00", now).unwrap(), None);
        books
            .snapshot("M", &raw(&[("0.40", "5.00")]), &[], now)
            .unwrap();
        let b = books
            .delta("M", "yes", "0.42", "3.50", now)
            .unwrap()
            .unwrap();
        assert_eq!(top(b.yes.bids()), (dec!(0.42), dec!(3.5)));
        assert_eq!(top(b.no.asks()), (dec!(0.58), dec!(3.5)));
        let b = books
            .delta("M", "yes", "0.42", "-9.00", now)
            .unwrap()
            .unwrap();
        assert_eq!(top(b.yes.bids()), (dec!(0.40), dec!(5)));
        assert_eq!(b.no.asks().len(), 1);
        assert!(books.delta("M", "maybe", "0.42", "1", now).is_err());
        assert!(books.delta("M", "yes", "1.42", "1", now).is_err());
        assert_eq!(books.invalidate_all(), vec!["M".to_owned()]);
        assert!(!books.all_live());
        assert_eq!(books.delta("M", "yes", "0.40", "1.00", now).unwrap(), None);
    }
}
