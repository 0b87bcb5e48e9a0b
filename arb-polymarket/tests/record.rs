//! Recorded Polymarket messages read back through the decoder: the live market-channel parsing
//! (YES token book, NO as its complement) on the reference samples, and REST `/book` answers.
#![allow(clippy::unwrap_used)]

mod common;

use arb_core::exchange::BookEvent;
use arb_core::model::{BinaryBook, Level, Market};
use arb_core::record::{BookDecoder, DecodeError, DecoderFactory};
use arb_polymarket::markets::build_market;
use arb_polymarket::record::{REST_BOOK_FORMAT, WS_FORMAT};
use arb_polymarket::wire::{ClobMarketInfo, GammaMarket};
use arb_polymarket::{PolymarketDecoder, PolymarketDecoders};
use chrono::{DateTime, Utc};
use common::{CID_UD, DOWN_TOKEN, UP_TOKEN, clob_up_down, sample};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::{Value, json};

fn market() -> Market {
    let gamma: GammaMarket = serde_json::from_value(sample("gamma_market.json")).unwrap();
    let info: ClobMarketInfo = serde_json::from_value(clob_up_down()).unwrap();
    build_market(&gamma, &info).unwrap().market
}

fn at(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap()
}

fn decode(d: &mut PolymarketDecoder, ms: i64, frame: &Value) -> Vec<BookEvent> {
    d.decode(at(ms), WS_FORMAT, None, &frame.to_string())
        .unwrap()
}

fn levels(levels: &[Level]) -> Vec<(Decimal, Decimal)> {
    levels
        .iter()
        .map(|l| (l.price.value(), l.qty.value()))
        .collect()
}

fn book(event: &BookEvent) -> BinaryBook {
    match event {
        BookEvent::Book { market, book } if market.as_str() == CID_UD => (**book).clone(),
        other => panic!("expected the Up/Down market's book, got {other:?}"),
    }
}

/// The samples, re-addressed to a token of the Up/Down market.
fn samples_for(token: &str) -> (Value, Value) {
    let mut b = sample("ws_book.json");
    b["asset_id"] = json!(token);
    let mut change = sample("ws_price_change.json");
    change["price_changes"][0]["asset_id"] = json!(token);
    (b, change)
}

#[test]
fn book_and_price_change_samples_give_the_yes_book_and_its_complement() {
    let mut d = PolymarketDecoder::new(&[market()]);
    let (b, change) = samples_for(UP_TOKEN);
    let first = book(&decode(&mut d, 1, &b)[0]);
    assert_eq!(
        levels(first.yes.bids()),
        vec![
            (dec!(0.50), dec!(15)),
            (dec!(0.49), dec!(20)),
            (dec!(0.48), dec!(30))
        ]
    );
    assert_eq!(levels(first.no.asks())[0], (dec!(0.50), dec!(15)));
    assert_eq!(
        first.as_of,
        at(123_456_789_000),
        "the frame's own timestamp"
    );
    let after = book(&decode(&mut d, 2, &change)[0]);
    assert_eq!(levels(after.yes.bids())[0], (dec!(0.51), dec!(150)));
    assert_eq!(after.as_of, at(1_703_875_201_000));
    // Without a timestamp, the receive time: a replay never reads the clock.
    let mut untimed = change.clone();
    untimed.as_object_mut().unwrap().remove("timestamp");
    untimed["price_changes"][0]["size"] = json!("3");
    let later = book(&decode(&mut d, 3, &untimed)[0]);
    assert_eq!(
        (levels(later.yes.bids())[0], later.as_of),
        ((dec!(0.51), dec!(3)), at(3))
    );
    // An array frame: both events, in order.
    let both = decode(&mut d, 4, &json!([b, change]));
    assert_eq!(both.len(), 2);
    assert_eq!(
        levels(book(&both[1]).yes.bids())[0],
        (dec!(0.51), dec!(150))
    );
}

#[test]
fn messages_without_a_yes_book_give_no_events() {
    let mut d = PolymarketDecoder::new(&[market()]);
    let (b, _) = samples_for(UP_TOKEN);
    decode(&mut d, 1, &b);
    let (no_book, no_change) = samples_for(DOWN_TOKEN);
    assert!(
        decode(&mut d, 2, &no_book).is_empty(),
        "the NO token's book is the complement, not read"
    );
    assert!(decode(&mut d, 3, &no_change).is_empty());
    for name in [
        "ws_last_trade_price.json",
        "ws_tick_size_change.json",
        "ws_best_bid_ask.json",
        "ws_new_market.json",
    ] {
        assert!(decode(&mut d, 4, &sample(name)).is_empty(), "{name}");
    }
    assert!(d.decode(at(5), WS_FORMAT, None, "PONG").unwrap().is_empty());
    // A price change before any snapshot of the token is dropped, as live.
    let mut fresh = PolymarketDecoder::new(&[market()]);
    let (_, change) = samples_for(UP_TOKEN);
    assert!(decode(&mut fresh, 6, &change).is_empty());
}

#[test]
fn a_malformed_frame_is_an_error_naming_the_field_and_forgets_the_books() {
    let mut d = PolymarketDecoder::new(&[market()]);
    let (b, change) = samples_for(UP_TOKEN);
    decode(&mut d, 1, &b);
    let mut bad = change.clone();
    bad["price_changes"][0]["side"] = json!("HOLD");
    let err = d
        .decode(at(2), WS_FORMAT, None, &bad.to_string())
        .unwrap_err();
    assert!(
        matches!(&err, DecodeError::Malformed { format, reason } if format == WS_FORMAT && reason.contains("side")),
        "{err}"
    );
    let mut missing = change.clone();
    missing["price_changes"][0]
        .as_object_mut()
        .unwrap()
        .remove("price");
    let err = d
        .decode(at(3), WS_FORMAT, None, &missing.to_string())
        .unwrap_err();
    assert!(err.to_string().contains("price"), "{err}");
    // Next read: the invalidations first; deltas wait for a new snapshot.
    let events = decode(&mut d, 4, &change);
    assert!(
        events
            .iter()
            .all(|e| matches!(e, BookEvent::Invalidated { market: None, .. })),
        "{events:?}"
    );
    assert_eq!(events.len(), 2);
    assert_eq!(decode(&mut d, 5, &b).len(), 1);
}

#[test]
fn rest_book_answers_single_and_batch() {
    let factory = PolymarketDecoders;
    assert!(
        factory.reads(WS_FORMAT) && factory.reads(REST_BOOK_FORMAT) && !factory.reads("kalshi.ws")
    );
    let m = market();
    let mut d = factory.decoder(&m.key.venue, std::slice::from_ref(&m));
    let mut answer = sample("clob_book.json");
    answer["asset_id"] = json!(UP_TOKEN);
    let events = d
        .decode(
            at(9),
            REST_BOOK_FORMAT,
            Some(&m.key.market),
            &answer.to_string(),
        )
        .unwrap();
    let b = book(&events[0]);
    assert_eq!(levels(b.yes.bids()), vec![(dec!(0.45), dec!(100))]);
    assert_eq!(levels(b.no.bids()), vec![(dec!(0.54), dec!(150))]);
    let mut other = answer.clone();
    other["asset_id"] = json!(DOWN_TOKEN);
    let events = d
        .decode(
            at(9),
            REST_BOOK_FORMAT,
            None,
            &json!([other, answer]).to_string(),
        )
        .unwrap();
    assert_eq!(events.len(), 1, "only the YES token's book: {events:?}");
    let err = d
        .decode(at(9), REST_BOOK_FORMAT, None, "{\"bids\": []}")
        .unwrap_err();
    assert!(err.to_string().contains("asset_id"), "{err}");
}
