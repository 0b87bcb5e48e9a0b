//! The order-book WebSocket against a local tokio-tungstenite server that checks the signed
//! handshake and replays the reference frames.
#![allow(clippy::unwrap_used, clippy::result_large_err)] // test helpers outside #[test] fns

mod common;

use std::sync::Arc;
use std::time::Duration;

use arb_core::exchange::{BookEvent, BookStream, Exchange};
use arb_core::model::{BinaryBook, MarketId};
use arb_core::record::MemoryTap;
use arb_kalshi::{KalshiConfig, KalshiExchange, ReconnectPolicy};
use common::{credentials, fixture, verify_headers};
use futures::{SinkExt, StreamExt};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};

type Server = WebSocketStream<TcpStream>;

async fn accept_signed(listener: &TcpListener) -> Server {
    let (tcp, _) = listener.accept().await.unwrap();
    tokio_tungstenite::accept_hdr_async(tcp, |req: &Request, resp: Response| {
        let h = |n: &str| req.headers().get(n).and_then(|v| v.to_str().ok());
        let signed = verify_headers(
            h("KALSHI-ACCESS-KEY"),
            h("KALSHI-ACCESS-TIMESTAMP"),
            h("KALSHI-ACCESS-SIGNATURE"),
            "GET",
            req.uri().path(),
        );
        if signed && req.uri().path() == "/trade-api/ws/v2" {
            Ok(resp)
        } else {
            let mut refused = ErrorResponse::new(Some("bad signature".into()));
            *refused.status_mut() = tokio_tungstenite::tungstenite::http::StatusCode::UNAUTHORIZED;
            Err(refused)
        }
    })
    .await
    .unwrap()
}

async fn recv_json(ws: &mut Server) -> Value {
    loop {
        match ws.next().await.unwrap().unwrap() {
            Message::Text(t) => return serde_json::from_str(t.as_str()).unwrap(),
            Message::Close(_) => panic!("client closed"),
            _ => {}
        }
    }
}

async fn send(ws: &mut Server, frame: &Value) {
    ws.send(Message::text(frame.to_string())).await.unwrap();
}

async fn start(use_yes_price: bool) -> (TcpListener, BookStream) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut config = KalshiConfig::demo()
        .with_hosts(
            "http://127.0.0.1:9/trade-api/v2",
            format!("ws://127.0.0.1:{port}/trade-api/ws/v2"),
        )
        .with_credentials(credentials());
    config.ws_use_yes_price = use_yes_price;
    config.reconnect = ReconnectPolicy {
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        resync_timeout: Duration::from_secs(5),
    };
    let kalshi = KalshiExchange::new(config).unwrap();
    let stream = kalshi
        .subscribe_books(&[MarketId::new("FED-23DEC-T3.00")])
        .await
        .unwrap();
    (listener, stream)
}

async fn next(stream: &mut BookStream) -> BookEvent {
    tokio::time::timeout(Duration::from_secs(10), stream.next())
        .await
        .expect("no book event")
        .expect("stream ended")
}

async fn next_book(stream: &mut BookStream, market: &str) -> BinaryBook {
    match next(stream).await {
        BookEvent::Book { market: m, book } => {
            assert_eq!(m, MarketId::new(market));
            (*book).clone()
        }
        other => panic!("expected a book, got {other:?}"),
    }
}

fn top(levels: &[arb_core::model::Level]) -> Vec<(Decimal, Decimal)> {
    levels
        .iter()
        .map(|l| (l.price.value(), l.qty.value()))
        .collect()
}

#[tokio::test]
async fn snapshot_deltas_and_a_sequence_gap_force_a_fresh_snapshot() {
    let (listener, mut stream) = start(false).await;
    let mut ws = accept_signed(&listener).await;
    let subscribe = recv_json(&mut ws).await;
    assert_eq!(subscribe["cmd"], "subscribe");
    assert_eq!(
        subscribe["params"],
        json!({"channels": ["orderbook_delta"], "market_tickers": ["FED-23DEC-T3.00"], "use_yes_price": false})
    );
    let docs = fixture("ws-orderbook.docs.json");
    send(&mut ws, &json!({"id": subscribe["id"], "type": "subscribed", "msg": {"channel": "orderbook_delta", "sid": 2}})).await;
    send(&mut ws, &docs["orderbook_snapshot"]).await;
    let book = next_book(&mut stream, "FED-23DEC-T3.00").await;
    assert_eq!(
        top(book.yes.bids()),
        vec![(dec!(0.22), dec!(333)), (dec!(0.08), dec!(300))]
    );
    assert_eq!(
        top(book.yes.asks()),
        vec![(dec!(0.44), dec!(146)), (dec!(0.46), dec!(20))]
    );
    assert_eq!(
        top(book.no.asks()),
        vec![(dec!(0.78), dec!(333)), (dec!(0.92), dec!(300))]
    );

    // The documented delta removes 54 at a YES level that is not there: nothing to remove.
    send(&mut ws, &docs["orderbook_delta"]).await;
    let book = next_book(&mut stream, "FED-23DEC-T3.00").await;
    assert_eq!(
        top(book.yes.bids()),
        vec![(dec!(0.22), dec!(333)), (dec!(0.08), dec!(300))]
    );
    assert_eq!(book.as_of.timestamp_millis(), 1_669_149_841_000);

    let mut delta = docs["orderbook_delta"].clone();
    delta["seq"] = json!(4);
    delta["msg"]["price_dollars"] = json!("0.2200");
    delta["msg"]["delta_fp"] = json!("-33.00");
    send(&mut ws, &delta).await;
    let book = next_book(&mut stream, "FED-23DEC-T3.00").await;
    assert_eq!(top(&book.yes.bids()[..1]), vec![(dec!(0.22), dec!(300))]);
    assert_eq!(top(&book.no.asks()[..1]), vec![(dec!(0.78), dec!(300))]);

    let mut no_delta = delta.clone();
    no_delta["seq"] = json!(5);
    no_delta["msg"]["side"] = json!("no");
    no_delta["msg"]["price_dollars"] = json!("0.5700");
    no_delta["msg"]["delta_fp"] = json!("12.00");
    send(&mut ws, &no_delta).await;
    let book = next_book(&mut stream, "FED-23DEC-T3.00").await;
    assert_eq!(top(&book.yes.asks()[..1]), vec![(dec!(0.43), dec!(12))]);

    // seq 6 is lost: 7 arrives. The book is invalidated, never updated from the broken stream.
    let mut after_gap = delta.clone();
    after_gap["seq"] = json!(7);
    send(&mut ws, &after_gap).await;
    match next(&mut stream).await {
        BookEvent::Invalidated { market, reason } => {
            assert_eq!(market, Some(MarketId::new("FED-23DEC-T3.00")));
            assert!(reason.contains("expected 6, got 7"), "{reason}");
        }
        other => panic!("expected invalidation, got {other:?}"),
    }
    let resync = recv_json(&mut ws).await;
    assert_eq!(resync["cmd"], "update_subscription");
    assert_eq!(
        resync["params"],
        json!({"sids": [2], "market_tickers": ["FED-23DEC-T3.00"], "action": "get_snapshot"})
    );
    // A delta before the fresh snapshot is ignored; the snapshot restores the book.
    let mut ignored = delta.clone();
    ignored["seq"] = json!(8);
    send(&mut ws, &ignored).await;
    let mut fresh = docs["orderbook_snapshot"].clone();
    fresh["seq"] = json!(9);
    fresh["msg"]["yes_dollars_fp"] = json!([["0.3000", "5.00"]]);
    send(&mut ws, &fresh).await;
    let book = next_book(&mut stream, "FED-23DEC-T3.00").await;
    assert_eq!(top(book.yes.bids()), vec![(dec!(0.3), dec!(5))]);
    assert_eq!(
        top(book.yes.asks()),
        vec![(dec!(0.44), dec!(146)), (dec!(0.46), dec!(20))]
    );
}

#[tokio::test]
async fn a_dropped_connection_invalidates_and_reconnects_with_a_new_signed_handshake() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut config = KalshiConfig::production()
        .with_hosts(
            "http://127.0.0.1:9/trade-api/v2",
            format!("ws://127.0.0.1:{port}/trade-api/ws/v2"),
        )
        .with_credentials(credentials());
    config.ws_use_yes_price = false;
    config.reconnect = ReconnectPolicy {
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        resync_timeout: Duration::from_secs(5),
    };
    let ticker = "KXGOLDH-26AUG2711-T4615.99";
    let kalshi = KalshiExchange::new(config).unwrap();
    let mut stream = kalshi
        .subscribe_books(&[MarketId::new(ticker)])
        .await
        .unwrap();
    let frames = fixture("ws-orderbook.real-demo-2026-08-27.json");

    for connection in 0..2 {
        let mut ws = accept_signed(&listener).await;
        let subscribe = recv_json(&mut ws).await;
        assert_eq!(subscribe["params"]["market_tickers"], json!([ticker]));
        assert_eq!(subscribe["params"]["use_yes_price"], json!(false));
        for frame in &frames.as_array().unwrap()[..2] {
            send(&mut ws, frame).await;
        }
        let book = next_book(&mut stream, ticker).await;
        assert_eq!(top(book.yes.bids()), vec![(dec!(0.01), dec!(1410))]);
        // The captured ticker frame says the YES ask is 0.98 with 2500: 1 − best NO bid.
        assert_eq!(top(&book.yes.asks()[..1]), vec![(dec!(0.98), dec!(2500))]);
        send(&mut ws, &frames[2]).await;
        let book = next_book(&mut stream, ticker).await;
        assert_eq!(top(book.yes.bids()), vec![(dec!(0.01), dec!(1420))]);
        assert_eq!(top(book.no.asks()), vec![(dec!(0.99), dec!(1420))]);
        // The ticker frame (no seq) is ignored.
        send(&mut ws, &frames[3]).await;
        if connection == 0 {
            drop(ws);
            match next(&mut stream).await {
                BookEvent::Invalidated { market: None, .. } => {}
                other => panic!("expected a stream-wide invalidation, got {other:?}"),
            }
        }
    }
}

#[tokio::test]
async fn yes_scale_no_levels_are_converted_back() {
    let (listener, mut stream) = start(true).await;
    let mut ws = accept_signed(&listener).await;
    let subscribe = recv_json(&mut ws).await;
    assert_eq!(subscribe["params"]["use_yes_price"], json!(true));
    send(
        &mut ws,
        &json!({"id": 1, "type": "subscribed", "msg": {"channel": "orderbook_delta", "sid": 1}}),
    )
    .await;
    send(
        &mut ws,
        &json!({"type": "orderbook_snapshot", "sid": 1, "seq": 1, "msg": {
        "market_ticker": "FED-23DEC-T3.00", "market_id": "x",
        "yes_dollars_fp": [["0.2200", "333.00"]], "no_dollars_fp": [["0.4400", "146.00"]]}}),
    )
    .await;
    let book = next_book(&mut stream, "FED-23DEC-T3.00").await;
    assert_eq!(top(book.yes.asks()), vec![(dec!(0.44), dec!(146))]);
    assert_eq!(top(book.no.bids()), vec![(dec!(0.56), dec!(146))]);
    send(&mut ws, &json!({"type": "orderbook_delta", "sid": 1, "seq": 2, "msg": {
        "market_ticker": "FED-23DEC-T3.00", "price_dollars": "0.4400", "delta_fp": "-146.00", "side": "no"}})).await;
    let book = next_book(&mut stream, "FED-23DEC-T3.00").await;
    assert!(book.yes.asks().is_empty());
}

#[tokio::test]
async fn every_frame_is_tapped_as_received_before_parsing() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let config = KalshiConfig::demo()
        .with_hosts(
            "http://127.0.0.1:9/trade-api/v2",
            format!("ws://127.0.0.1:{port}/trade-api/ws/v2"),
        )
        .with_credentials(credentials());
    let tap = Arc::new(MemoryTap::default());
    let kalshi = KalshiExchange::new(config)
        .unwrap()
        .with_raw_tap(tap.clone());
    let mut stream = kalshi
        .subscribe_books(&[MarketId::new("FED-23DEC-T3.00")])
        .await
        .unwrap();
    let mut ws = accept_signed(&listener).await;
    let subscribe = recv_json(&mut ws).await;
    let ack = format!(
        r#"{{"id": {}, "type": "subscribed",  "msg": {{"channel": "orderbook_delta", "sid": 2}}}}"#,
        subscribe["id"]
    );
    let snapshot = fixture("ws-orderbook.docs.json")["orderbook_snapshot"].to_string();
    for frame in [&ack, &snapshot] {
        ws.send(Message::text(frame.as_str())).await.unwrap();
    }
    next_book(&mut stream, "FED-23DEC-T3.00").await;
    let tapped = tap.take();
    let frames: Vec<&str> = tapped.iter().map(|m| m.payload.as_str()).collect();
    assert_eq!(frames, [ack.as_str(), snapshot.as_str()]);
    assert!(
        tapped
            .iter()
            .all(|m| m.venue.as_str() == "kalshi" && m.format == "kalshi.ws" && m.market.is_none()),
        "{tapped:?}"
    );
}
