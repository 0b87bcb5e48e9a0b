//! Criterion benches: build + sign one V2 order (amounts, EIP-712 hash, ECDSA, JSON body) and
//! apply one WebSocket `price_change` frame to a live book (parse, apply, binary view).

#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;
use std::sync::Arc;

use arb_polymarket::markets::build_market;
use arb_polymarket::signing::{
    ExchangeDomain, OrderParams, OrderSide, OrderType, SignatureType, TickSize, Wallet,
    limit_amounts, sign_order,
};
use arb_polymarket::wire::{ClobMarketInfo, GammaMarket};
use arb_polymarket::ws::FeedState;
use criterion::{Criterion, criterion_group, criterion_main};
use rust_decimal_macros::dec;

const PK: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const TOKEN: &str = "71321045679252212594626385532706912750332728571942532289631379312455583992563";

fn sign_one(c: &mut Criterion) {
    let wallet = Wallet::from_hex(PK, None, SignatureType::Eoa).unwrap();
    let domain = ExchangeDomain::polygon(false);
    let mut salt = 1u64;
    c.bench_function("build_and_sign_order", |b| {
        b.iter(|| {
            salt += 1;
            let amounts = limit_amounts(
                OrderSide::Buy,
                dec!(0.337),
                dec!(10.5),
                TickSize::Thousandth,
            )
            .unwrap();
            let params = OrderParams {
                token_id: TOKEN.to_owned(),
                side: OrderSide::Buy,
                amounts,
                salt,
                timestamp_ms: 1_767_225_600_000,
                expiration: 0,
                order_type: OrderType::Gtc,
                post_only: false,
            };
            let signed = sign_order(&wallet, &domain, black_box(&params)).unwrap();
            black_box(signed.body("00000000-0000-0000-0000-000000000000"))
        });
    });
}

fn price_change(c: &mut Criterion) {
    let gamma: GammaMarket =
        serde_json::from_str(include_str!("../tests/samples/gamma_market.json")).unwrap();
    let up = "104239898038807136052399800151408521467737075933964991162589336683346093173875";
    let down = "71183960810705820955071415844881728181970340514894896943812046065452395013351";
    let info: ClobMarketInfo = serde_json::from_value(serde_json::json!({
        "c": gamma.condition_id, "t": [{"t": up, "o": "Up"}, {"t": down, "o": "Down"}], "mts": 0.01, "mos": 5
    }))
    .unwrap();
    let market = Arc::new(build_market(&gamma, &info).unwrap());
    let mut state = FeedState::new(&[market]);
    let bids: Vec<_> = (1..50)
        .map(|i| serde_json::json!({"price": format!("0.{i:02}"), "size": "100"}))
        .collect();
    let asks: Vec<_> = (51..99)
        .map(|i| serde_json::json!({"price": format!("0.{i:02}"), "size": "100"}))
        .collect();
    let book = serde_json::json!({"event_type": "book", "asset_id": up, "market": gamma.condition_id,
        "bids": bids, "asks": asks, "timestamp": "1703875200000", "hash": "0x0"});
    state
        .apply_frame(&book.to_string(), chrono::DateTime::UNIX_EPOCH)
        .unwrap();
    let frame = serde_json::json!({"event_type": "price_change", "market": gamma.condition_id, "timestamp": "1703875201000",
        "price_changes": [{"asset_id": up, "price": "0.25", "side": "BUY", "size": "150.0", "hash": "0xhash001", "best_bid": "0.49", "best_ask": "0.51"}]})
    .to_string();
    c.bench_function("apply_price_change", |b| {
        b.iter(|| {
            black_box(
                state
                    .apply_frame(black_box(&frame), chrono::DateTime::UNIX_EPOCH)
                    .unwrap(),
            )
        })
    });
}

criterion_group!(benches, sign_one, price_change);
criterion_main!(benches);
