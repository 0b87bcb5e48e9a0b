//! Order books. Polymarket's two token books are mirrors of one another (the CLOB shows a NO bid
//! at q as a YES ask at 1 − q), so the [`BinaryBook`] is built from the YES token's book alone
//! and the NO side is its complement: merging both token books would count every order twice.

use arb_core::exchange::ExchangeError;
use arb_core::model::{BinaryBook, BookSide, Level, OrderBook, Price, Qty};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::wire::{WireBook, WireLevel, num};

fn decode_err(what: &str, message: String) -> ExchangeError {
    ExchangeError::Decode {
        what: what.to_owned(),
        message,
    }
}

/// Parses a wire price (`"0.48"`, `".48"`).
pub fn parse_price(s: &str) -> Result<Price, ExchangeError> {
    let d = num::parse(s).ok_or_else(|| decode_err("book price", format!("{s:?}")))?;
    Price::new(d).map_err(|e| decode_err("book price", e.to_string()))
}

/// The most shares a book level (or a position) may hold: beyond any real book, and far below
/// where summing repeated levels could outgrow a `Decimal`.
pub(crate) const MAX_LEVEL_SIZE: Decimal = Decimal::from_parts(0xD4A5_1000, 0xE8, 0, false, 0); // 10^12

/// Parses a wire size (at most 10¹² shares).
pub fn parse_qty(s: &str) -> Result<Qty, ExchangeError> {
    let d = num::parse(s).ok_or_else(|| decode_err("book size", format!("{s:?}")))?;
    shares("book size", d)
}

/// A share count from the venue, at most 10¹² shares; `what` names the field in the error.
pub(crate) fn shares(what: &str, d: Decimal) -> Result<Qty, ExchangeError> {
    if d > MAX_LEVEL_SIZE {
        return Err(decode_err(what, format!("{d} shares is out of range")));
    }
    Qty::new(d).map_err(|e| decode_err(what, e.to_string()))
}

fn levels(wire: &[WireLevel]) -> Result<Vec<Level>, ExchangeError> {
    wire.iter()
        .map(|l| Ok(Level::new(parse_price(&l.price)?, parse_qty(&l.size)?)))
        .collect()
}

/// Milliseconds string → time; `fallback` when absent or malformed.
#[must_use]
pub fn parse_ms(ts: Option<&str>, fallback: DateTime<Utc>) -> DateTime<Utc> {
    ts.and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(DateTime::<Utc>::from_timestamp_millis)
        .unwrap_or(fallback)
}

/// One token's book, sorted best-first whatever the wire order.
pub fn token_book(wire: &WireBook) -> Result<OrderBook, ExchangeError> {
    Ok(OrderBook::new(levels(&wire.bids)?, levels(&wire.asks)?))
}

/// The binary book of a market from its YES token's book.
pub fn binary_from_yes(wire: &WireBook, now: DateTime<Utc>) -> Result<BinaryBook, ExchangeError> {
    Ok(BinaryBook::from_yes_book(
        token_book(wire)?,
        parse_ms(wire.timestamp.as_deref(), now),
    ))
}

/// The live YES-token book of one market, updated by WebSocket deltas.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveBook {
    yes: OrderBook,
    as_of: DateTime<Utc>,
}

impl LiveBook {
    /// From a `book` snapshot of the YES token.
    pub fn from_snapshot(wire: &WireBook, now: DateTime<Utc>) -> Result<Self, ExchangeError> {
        Ok(Self {
            yes: token_book(wire)?,
            as_of: parse_ms(wire.timestamp.as_deref(), now),
        })
    }

    /// Applies one `price_changes[]` entry of the YES token: `size` is the new total at `price`
    /// (`"0"` removes the level); `BUY` is the bid side.
    pub fn apply_change(
        &mut self,
        side: &str,
        price: &str,
        size: &str,
        at: DateTime<Utc>,
    ) -> Result<(), ExchangeError> {
        let side = match side {
            "BUY" | "buy" => BookSide::Bids,
            "SELL" | "sell" => BookSide::Asks,
            other => return Err(decode_err("price_change side", format!("{other:?}"))),
        };
        self.yes
            .set_level(side, parse_price(price)?, parse_qty(size)?);
        self.as_of = at;
        Ok(())
    }

    /// The binary view of the current state.
    #[must_use]
    pub fn binary(&self) -> BinaryBook {
        BinaryBook::from_yes_book(self.yes.clone(), self.as_of)
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    fn prices(levels: &[Level]) -> Vec<(Decimal, Decimal)> {
        levels
            .iter()
            .map(|l| (l.price.value(), l.qty.value()))
            .collect()
    }

    #[test]
    fn ws_book_sample_with_dot_prices_sorts_best_first_and_complements() {
        let raw = include_str!("../tests/samples/ws_book.json");
        let wire: WireBook = serde_json::from_str(raw).unwrap();
        let book = binary_from_yes(&wire, DateTime::UNIX_EPOCH).unwrap();
        assert_eq!(
            prices(book.yes.bids()),
            vec![
                (dec!(0.50), dec!(15)),
                (dec!(0.49), dec!(20)),
                (dec!(0.48), dec!(30))
            ]
        );
        assert_eq!(
            prices(book.yes.asks()),
            vec![
                (dec!(0.52), dec!(25)),
                (dec!(0.53), dec!(60)),
                (dec!(0.54), dec!(10))
            ]
        );
        // Buying NO = selling YES: NO asks are 1 − YES bids with the same depth, counted once.
        assert_eq!(
            prices(book.no.asks()),
            vec![
                (dec!(0.50), dec!(15)),
                (dec!(0.51), dec!(20)),
                (dec!(0.52), dec!(30))
            ]
        );
        assert_eq!(
            prices(book.no.bids()),
            vec![
                (dec!(0.48), dec!(25)),
                (dec!(0.47), dec!(60)),
                (dec!(0.46), dec!(10))
            ]
        );
        assert_eq!(
            book.as_of,
            DateTime::<Utc>::from_timestamp_millis(123_456_789_000).unwrap()
        );
    }

    #[test]
    fn repeated_levels_beyond_any_book_are_refused_not_summed_into_a_panic() {
        let max = "79228162514264337593543950335";
        let level = WireLevel {
            price: "0.5".into(),
            size: max.into(),
        };
        assert!(parse_qty(max).is_err());
        assert!(levels(&[level.clone(), level]).is_err());
        assert_eq!(parse_qty("1000000000000").unwrap().value(), MAX_LEVEL_SIZE);
    }

    #[test]
    fn deltas_set_replace_and_remove_levels() {
        let raw = include_str!("../tests/samples/ws_book.json");
        let wire: WireBook = serde_json::from_str(raw).unwrap();
        let mut live = LiveBook::from_snapshot(&wire, DateTime::UNIX_EPOCH).unwrap();
        let t = DateTime::<Utc>::from_timestamp_millis(5).unwrap();
        live.apply_change("BUY", "0.51", "7", t).unwrap();
        live.apply_change("BUY", "0.50", "0", t).unwrap();
        live.apply_change("SELL", "0.52", "1.5", t).unwrap();
        let b = live.binary();
        assert_eq!(
            prices(b.yes.bids()),
            vec![
                (dec!(0.51), dec!(7)),
                (dec!(0.49), dec!(20)),
                (dec!(0.48), dec!(30))
            ]
        );
        assert_eq!(b.yes.best_ask().unwrap().qty.value(), dec!(1.5));
        assert_eq!(b.as_of, t);
        assert!(live.apply_change("HOLD", "0.5", "1", t).is_err());
        assert!(live.apply_change("BUY", "1.5", "1", t).is_err());
        assert!(live.apply_change("BUY", "0.5", "-1", t).is_err());
    }
}
