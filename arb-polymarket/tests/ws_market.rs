//! The market channel against a local WebSocket server: a `book` snapshot, a frame that is an
//! array (`price_change` with `price_changes[]` for two assets + `tick_size_change`), PING/PONG,
//! a dropped connection, the `Invalidated` event, the resubscribe and the fresh snapshot.

#![allow(clippy::unwrap_used, clippy::cast_possible_truncation)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use arb_core::exchange::{BookEvent, Exchange};
use arb_core::model::MarketId;
use arb_core::record::MemoryTap;
use arb_polymarket::signing::TickSize;
use arb_polymarket::{PolymarketConfig, PolymarketExchange};
use futures::{SinkExt, StreamExt};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::json;
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;
use wiremock::MockServer;

use common::*;

fn levels(ls: &[arb_core::model::Level]) -> Vec<(Decimal, Decimal)> {
    ls.iter()
        .map(|l| (l.price.value(), l.qty.value()))
        .collect()
}

async fn next_text<S>(ws: &mut S) -> String
where
    S: futures::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    loop {
        match ws.next().await.unwrap().unwrap() {
            Message::Text(t) => return t.as_str().to_owned(),
            _ => continue,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn book_deltas_tick_change_heartbeat_and_reconnect() {
    let http = MockServer::start().await;
    mount_markets(&http).await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();

    let server = tokio::spawn(async move {
        let mut book = sample("ws_book.json");
        book["asset_id"] = json!(YES_TOKEN);
        book["market"] = json!(CID_YN);
        // Connection 1: snapshot, an array frame, answer one PING, then drop.
        let (tcp, _) = listener.accept().await.unwrap();
        let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
        let sub: serde_json::Value = serde_json::from_str(&next_text(&mut ws).await).unwrap();
        assert_eq!(sub["type"], "market");
        assert_eq!(sub["assets_ids"], json!([YES_TOKEN]));
        ws.send(Message::text(book.to_string())).await.unwrap();
        let mut pc = sample("ws_price_change.json");
        pc["market"] = json!(CID_YN);
        pc["price_changes"] = json!([
            {"asset_id": YES_TOKEN, "price": "0.51", "side": "BUY", "size": "7", "hash": "h1", "best_bid": "0.51", "best_ask": "0.52"},
            {"asset_id": YES_TOKEN, "price": "0.52", "side": "SELL", "size": "0", "hash": "h2", "best_bid": "0.51", "best_ask": "0.53"},
            {"asset_id": NO_TOKEN, "price": "0.49", "side": "SELL", "size": "7", "hash": "h3", "best_bid": "0.47", "best_ask": "0.49"}
        ]);
        let mut tick = sample("ws_tick_size_change.json");
        tick["asset_id"] = json!(YES_TOKEN);
        tick["old_tick_size"] = json!("0.001");
        tick["new_tick_size"] = json!("0.01");
        ws.send(Message::text(json!([pc, tick]).to_string()))
            .await
            .unwrap();
        let ping = next_text(&mut ws).await;
        assert_eq!(ping, "PING");
        ws.send(Message::text("PONG")).await.unwrap();
        drop(ws);
        // Connection 2: resubscribe, fresh snapshot.
        let (tcp, _) = listener.accept().await.unwrap();
        let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
        let sub: serde_json::Value = serde_json::from_str(&next_text(&mut ws).await).unwrap();
        assert_eq!(sub["assets_ids"], json!([YES_TOKEN]));
        let mut fresh = book.clone();
        fresh["bids"] = json!([{"price": "0.40", "size": "1"}]);
        fresh["asks"] = json!([{"price": "0.60", "size": "2"}]);
        fresh["timestamp"] = json!("123456790000");
        ws.send(Message::text(fresh.to_string())).await.unwrap();
        // Keep the connection open until the client is done.
        while let Some(Ok(_)) = ws.next().await {}
        ping
    });

    let mut cfg = PolymarketConfig::with_base_url(&http.uri());
    cfg.ws_market_url = format!("ws://127.0.0.1:{port}/ws/market");
    cfg.ws_ping_interval = Duration::from_millis(50);
    cfg.ws_reconnect_delay = Duration::from_millis(10);
    let ex = PolymarketExchange::new(cfg).unwrap();
    let id = MarketId::new(CID_YN);
    let mut stream = ex.subscribe_books(std::slice::from_ref(&id)).await.unwrap();
    let mut next = async || {
        tokio::time::timeout(Duration::from_secs(20), stream.next())
            .await
            .unwrap()
            .unwrap()
    };

    let BookEvent::Book { market, book } = next().await else {
        panic!("expected the snapshot")
    };
    assert_eq!(market, id);
    assert_eq!(
        levels(book.yes.bids()),
        vec![
            (dec!(0.50), dec!(15)),
            (dec!(0.49), dec!(20)),
            (dec!(0.48), dec!(30))
        ]
    );
    assert_eq!(
        levels(book.no.asks()),
        vec![
            (dec!(0.50), dec!(15)),
            (dec!(0.51), dec!(20)),
            (dec!(0.52), dec!(30))
        ]
    );

    let BookEvent::Book { book, .. } = next().await else {
        panic!("expected the delta")
    };
    assert_eq!(
        levels(book.yes.bids()),
        vec![
            (dec!(0.51), dec!(7)),
            (dec!(0.50), dec!(15)),
            (dec!(0.49), dec!(20)),
            (dec!(0.48), dec!(30))
        ]
    );
    assert_eq!(
        levels(book.yes.asks()),
        vec![(dec!(0.53), dec!(60)), (dec!(0.54), dec!(10))]
    );
    // The NO token's change is not applied on top (it mirrors the YES book): no double count.
    assert_eq!(levels(book.no.asks())[0], (dec!(0.49), dec!(7)));
    assert_eq!(book.as_of.timestamp_millis(), 1_703_875_201_000);

    let BookEvent::Invalidated { market, .. } = next().await else {
        panic!("expected invalidation")
    };
    assert_eq!(market, None);
    assert_eq!(ex.cached_market(&id).unwrap().tick, TickSize::Hundredth);

    let BookEvent::Book { book, .. } = next().await else {
        panic!("expected the fresh snapshot")
    };
    assert_eq!(levels(book.yes.bids()), vec![(dec!(0.40), dec!(1))]);
    assert_eq!(levels(book.yes.asks()), vec![(dec!(0.60), dec!(2))]);
    drop(stream);
    assert_eq!(server.await.unwrap(), "PING");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_frame_but_the_heartbeat_is_tapped_as_received() {
    let http = MockServer::start().await;
    mount_markets(&http).await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut book = sample("ws_book.json");
    book["asset_id"] = json!(YES_TOKEN);
    book["market"] = json!(CID_YN);
    // Spacing no serialiser would produce: the tap must hand over the frame as received.
    let frames = [
        format!("[ {book} ]"),
        format!("{{ \"x\": 1,  {}", &book.to_string()[1..]),
    ];
    let sent = frames.clone();
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
        next_text(&mut ws).await;
        ws.send(Message::text("PONG")).await.unwrap();
        for frame in &sent {
            ws.send(Message::text(frame.as_str())).await.unwrap();
        }
        while let Some(Ok(_)) = ws.next().await {}
    });
    let mut cfg = PolymarketConfig::with_base_url(&http.uri());
    cfg.ws_market_url = format!("ws://127.0.0.1:{port}/ws/market");
    let tap = Arc::new(MemoryTap::default());
    let ex = PolymarketExchange::new(cfg)
        .unwrap()
        .with_raw_tap(tap.clone());
    let mut stream = ex.subscribe_books(&[MarketId::new(CID_YN)]).await.unwrap();
    for _ in 0..2 {
        let event = tokio::time::timeout(Duration::from_secs(20), stream.next())
            .await
            .unwrap()
            .unwrap();
        assert!(matches!(event, BookEvent::Book { .. }), "{event:?}");
    }
    drop(stream);
    server.abort();
    let tapped = tap.take();
    let payloads: Vec<&str> = tapped.iter().map(|m| m.payload.as_str()).collect();
    assert_eq!(payloads, [frames[0].as_str(), frames[1].as_str()]);
    assert!(
        tapped.iter().all(|m| m.venue.as_str() == "polymarket"
            && m.format == "polymarket.ws"
            && m.market.is_none()),
        "{tapped:?}"
    );
}
