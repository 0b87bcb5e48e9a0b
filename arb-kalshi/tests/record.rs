//! Recorded Kalshi messages read back through the decoder: the live feed's parsing, sequence
//! checks and resynchronisation, on the reference frames and REST answers.
#![allow(clippy::unwrap_used)]

use arb_core::exchange::BookEvent;
use arb_core::model::{BinaryBook, Level, MarketId};
use arb_core::record::{BookDecoder, DecodeError, DecoderFactory};
use arb_kalshi::record::{REST_ORDERBOOK_FORMAT, WS_FORMAT};
use arb_kalshi::{KalshiDecoder, KalshiDecoders};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::{Value, json};

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn at(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap()
}

fn ws(d: &mut KalshiDecoder, ms: i64, frame: &Value) -> Vec<BookEvent> {
    d.decode(at(ms), WS_FORMAT, None, &frame.to_string())
        .unwrap()
}

fn top(levels: &[Level]) -> Vec<(Decimal, Decimal)> {
    levels
        .iter()
        .map(|l| (l.price.value(), l.qty.value()))
        .collect()
}

fn book(event: &BookEvent, ticker: &str) -> BinaryBook {
    match event {
        BookEvent::Book { market, book } if market.as_str() == ticker => (**book).clone(),
        other => panic!("expected a book of {ticker}, got {other:?}"),
    }
}

fn invalidated(event: &BookEvent) -> Option<&str> {
    match event {
        BookEvent::Invalidated { market, .. } => Some(market.as_ref().map_or("*", |m| m.as_str())),
        BookEvent::Book { .. } => None,
    }
}

#[test]
fn the_real_demo_frames_read_as_the_live_stream_reads_them() {
    let gold = "KXGOLDH-26AUG2711-T4615.99";
    let frames = fixture("ws-orderbook.real-demo-2026-08-27.json");
    let frames = frames.as_array().unwrap();
    let mut d = KalshiDecoder::new(false);
    assert!(
        ws(&mut d, 1, &frames[0]).is_empty(),
        "the subscription ack has no book"
    );
    let snap = ws(&mut d, 2, &frames[1]);
    let b = book(&snap[0], gold);
    assert_eq!(top(b.yes.bids()), vec![(dec!(0.01), dec!(1410))]);
    assert_eq!(
        top(b.yes.asks()),
        vec![(dec!(0.98), dec!(2500)), (dec!(0.99), dec!(100))]
    );
    assert_eq!(
        b.as_of,
        at(2),
        "a snapshot without ts_ms is stamped with its receive time"
    );
    let delta = ws(&mut d, 3, &frames[2]);
    let b = book(&delta[0], gold);
    assert_eq!(top(b.yes.bids()), vec![(dec!(0.01), dec!(1420))]);
    assert_eq!(b.as_of, at(1_787_838_983_996), "the delta's own ts_ms");
    assert!(
        ws(&mut d, 4, &frames[3]).is_empty(),
        "ticker frames carry no book"
    );
    // `ok` with seq 108 after 2: a gap, every book invalidated as live.
    let gap = ws(&mut d, 5, &frames[4]);
    assert_eq!(
        gap.iter().map(invalidated).collect::<Vec<_>>(),
        vec![Some(gold)]
    );
    assert!(
        ws(&mut d, 6, &frames[5]).is_empty(),
        "a non-terminal error names no market"
    );
    // seq 1 again: a reset (a gap too), then the snapshot is applied.
    let reset = ws(&mut d, 7, &frames[6]);
    assert_eq!(invalidated(&reset[0]), Some(gold));
    let b = book(&reset[1], "KXBTCD-25AUG2617-T112999.99");
    assert!(b.yes.bids().is_empty() && b.no.bids().is_empty());
}

#[test]
fn deltas_after_a_gap_are_dropped_until_the_snapshot_the_live_stream_asked_for() {
    let mut d = KalshiDecoder::new(true);
    let snapshot = |seq: u64, qty: &str| {
        json!({"type": "orderbook_snapshot", "sid": 1, "seq": seq, "msg": {"market_ticker": "M",
            "yes_dollars_fp": [["0.40", qty]], "no_dollars_fp": [["0.45", "7"]]}})
    };
    let delta = |seq: u64| {
        json!({"type": "orderbook_delta", "sid": 1, "seq": seq, "msg": {"market_ticker": "M",
            "price_dollars": "0.40", "delta_fp": "1.00", "side": "yes", "ts_ms": 9}})
    };
    let b = book(&ws(&mut d, 1, &snapshot(1, "5"))[0], "M");
    // `use_yes_price`: a `no` level at 0.45 is a NO bid at 0.55, a YES ask at 0.45.
    assert_eq!(top(b.yes.asks()), vec![(dec!(0.45), dec!(7))]);
    assert_eq!(
        top(book(&ws(&mut d, 2, &delta(2))[0], "M").yes.bids()),
        vec![(dec!(0.40), dec!(6))]
    );
    let gap = ws(&mut d, 3, &delta(4));
    assert_eq!(
        gap.len(),
        1,
        "the gap invalidates, the delta itself is dropped: {gap:?}"
    );
    assert_eq!(invalidated(&gap[0]), Some("M"));
    assert!(ws(&mut d, 4, &delta(5)).is_empty());
    let b = book(&ws(&mut d, 5, &snapshot(6, "9"))[0], "M");
    assert_eq!(top(b.yes.bids()), vec![(dec!(0.40), dec!(9))]);
    assert_eq!(
        top(book(&ws(&mut d, 6, &delta(7))[0], "M").yes.bids()),
        vec![(dec!(0.40), dec!(10))]
    );
}

#[test]
fn a_malformed_frame_is_an_error_naming_the_field_and_invalidates_the_books() {
    let mut d = KalshiDecoder::new(false);
    let snap = json!({"type": "orderbook_snapshot", "sid": 1, "seq": 1, "msg": {"market_ticker": "M",
        "yes_dollars_fp": [["0.40", "5"]]}});
    ws(&mut d, 1, &snap);
    let bad = json!({"type": "orderbook_delta", "sid": 1, "seq": 2, "msg": {"market_ticker": "M",
        "price_dollars": "0.40", "delta_fp": "lots", "side": "yes"}});
    let err = d
        .decode(at(2), WS_FORMAT, None, &bad.to_string())
        .unwrap_err();
    assert!(
        matches!(&err, DecodeError::Malformed { format, reason } if format == WS_FORMAT && reason.contains("delta_fp")),
        "{err}"
    );
    let err = d.decode(at(3), WS_FORMAT, None, "{\"type\": ").unwrap_err();
    assert!(err.to_string().contains("undecodable frame"), "{err}");
    // The invalidations come out first on the next read; the book stays invalid.
    let next = json!({"type": "orderbook_delta", "sid": 1, "seq": 3, "msg": {"market_ticker": "M",
        "price_dollars": "0.40", "delta_fp": "1", "side": "yes"}});
    let events = ws(&mut d, 4, &next);
    assert_eq!(
        events.iter().map(invalidated).collect::<Vec<_>>(),
        vec![Some("M"), Some("M")]
    );
    let err = d.decode(at(5), "kalshi.fix", None, "{}").unwrap_err();
    assert_eq!(err, DecodeError::UnknownFormat("kalshi.fix".into()));
}

#[test]
fn a_terminal_server_error_forgets_every_book_as_a_reconnect_does() {
    let mut d = KalshiDecoder::new(false);
    ws(
        &mut d,
        1,
        &json!({"type": "orderbook_snapshot", "sid": 1, "seq": 1,
        "msg": {"market_ticker": "M", "yes_dollars_fp": [["0.40", "5"]]}}),
    );
    let events = ws(
        &mut d,
        2,
        &json!({"type": "error", "id": 9, "msg": {"code": 9, "msg": "gone"}}),
    );
    assert_eq!(
        events.iter().map(invalidated).collect::<Vec<_>>(),
        vec![Some("*")]
    );
    // A new connection starts its sequence again without a gap.
    let delta = json!({"type": "orderbook_delta", "sid": 1, "seq": 2, "msg": {"market_ticker": "M",
        "price_dollars": "0.40", "delta_fp": "1", "side": "yes"}});
    assert!(ws(&mut d, 3, &delta).is_empty(), "no book until a snapshot");
}

#[test]
fn rest_order_book_answers_single_and_batch() {
    let factory = KalshiDecoders::new(true);
    assert!(factory.reads(WS_FORMAT) && factory.reads(REST_ORDERBOOK_FORMAT));
    assert!(!factory.reads("polymarket.ws"));
    let mut d = factory.decoder(&arb_kalshi::convert::venue(), &[]);
    let body = fixture("rest-get-orderbook.docs.json");
    let m = MarketId::new("FED-23DEC-T3.00");
    let events = d
        .decode(at(7), REST_ORDERBOOK_FORMAT, Some(&m), &body.to_string())
        .unwrap();
    let b = book(&events[0], "FED-23DEC-T3.00");
    assert_eq!(b.yes.best_bid().unwrap().price.value(), dec!(0.42));
    // NO bids are in NO terms on REST whatever `use_yes_price`: best NO bid 0.56 → YES ask 0.44.
    assert_eq!(b.yes.best_ask().unwrap().price.value(), dec!(0.44));
    assert_eq!(b.as_of, at(7));
    let batch = json!({"orderbooks": [{"ticker": "A", "orderbook_fp": body["orderbook_fp"]},
        {"ticker": "B", "orderbook_fp": {"yes_dollars": [], "no_dollars": null}}]});
    let events = d
        .decode(at(8), REST_ORDERBOOK_FORMAT, None, &batch.to_string())
        .unwrap();
    assert_eq!(book(&events[0], "A"), BinaryBook { as_of: at(8), ..b });
    assert!(book(&events[1], "B").yes.bids().is_empty());
    let bad = json!({"orderbook_fp": {"yes_dollars": [["1.50", "1"]]}});
    let err = d
        .decode(at(9), REST_ORDERBOOK_FORMAT, Some(&m), &bad.to_string())
        .unwrap_err();
    assert!(err.to_string().contains("yes_dollars"), "{err}");
}
