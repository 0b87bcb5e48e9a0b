//! Hot paths: parsing + applying one order-book delta, and signing one request (RSA, Ed25519).

use std::hint::black_box;

use arb_kalshi::Credentials;
use arb_kalshi::ws::frame;
use arb_kalshi::ws::state::{Books, NoPriceScale};
use chrono::DateTime;
use criterion::{Criterion, criterion_group, criterion_main};

const SNAPSHOT: &str = r#"{"type":"orderbook_snapshot","sid":2,"seq":2,"msg":{"market_ticker":"FED-23DEC-T3.00","market_id":"9b0f6b43-5b68-4f9f-9f02-9a2d1b8ac1a1","yes_dollars_fp":[["0.0800","300.00"],["0.1500","100.00"],["0.2000","50.00"],["0.2200","333.00"]],"no_dollars_fp":[["0.5400","20.00"],["0.5600","146.00"],["0.6000","10.00"]]}}"#;
const DELTAS: [&str; 2] = [
    r#"{"type":"orderbook_delta","sid":2,"seq":3,"msg":{"market_ticker":"FED-23DEC-T3.00","market_id":"9b0f6b43-5b68-4f9f-9f02-9a2d1b8ac1a1","price_dollars":"0.2100","delta_fp":"54.00","side":"yes","ts":"2022-11-22T20:44:01Z","ts_ms":1669149841000}}"#,
    r#"{"type":"orderbook_delta","sid":2,"seq":4,"msg":{"market_ticker":"FED-23DEC-T3.00","market_id":"9b0f6b43-5b68-4f9f-9f02-9a2d1b8ac1a1","price_dollars":"0.2100","delta_fp":"-54.00","side":"yes","ts":"2022-11-22T20:44:01Z","ts_ms":1669149841000}}"#,
];

fn apply(books: &mut Books, text: &str) {
    let f = frame::parse(text).expect("frame");
    let msg = f.msg.expect("msg");
    let as_of = DateTime::from_timestamp_millis(msg.ts_ms.unwrap_or_default()).unwrap_or_default();
    let applied = books
        .delta(
            msg.market_ticker.as_deref().unwrap_or_default(),
            msg.side.as_deref().unwrap_or_default(),
            msg.price_dollars.as_deref().unwrap_or_default(),
            msg.delta_fp.as_deref().unwrap_or_default(),
            as_of,
        )
        .expect("delta");
    black_box(applied.is_some());
}

fn delta(c: &mut Criterion) {
    let mut books = Books::new(NoPriceScale { yes_scale: false });
    let f = frame::parse(SNAPSHOT).expect("snapshot");
    let msg = f.msg.expect("msg");
    books
        .snapshot(
            "FED-23DEC-T3.00",
            msg.yes_dollars_fp.as_deref().unwrap_or_default(),
            msg.no_dollars_fp.as_deref().unwrap_or_default(),
            DateTime::UNIX_EPOCH,
        )
        .expect("snapshot applies");
    let mut i = 0usize;
    // Alternating +54 / −54 at a new level: every iteration inserts or removes a level.
    c.bench_function("ws_orderbook_delta_parse_and_apply", |b| {
        b.iter(|| {
            apply(&mut books, black_box(DELTAS[i % 2]));
            i += 1;
        });
    });
}

fn signing(c: &mut Criterion) {
    let vector: serde_json::Value =
        serde_json::from_str(include_str!("../tests/fixtures/auth-test-vector.json"))
            .expect("vector");
    let rsa = Credentials::from_pem("k", vector["private_key_pem_pkcs1"].as_str().expect("pem"))
        .expect("rsa key");
    let ed_pem = {
        use ed25519_dalek::pkcs8::EncodePrivateKey;
        ed25519_dalek::SigningKey::from_bytes(&[7u8; 32])
            .to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
            .expect("pem")
    };
    let ed = Credentials::from_pem("k", &ed_pem).expect("ed25519 key");
    c.bench_function("sign_request_rsa_pss_2048", |b| {
        b.iter(|| {
            rsa.headers(
                black_box(1_703_123_456_789),
                "POST",
                "/trade-api/v2/portfolio/events/orders",
            )
        });
    });
    c.bench_function("sign_request_ed25519", |b| {
        b.iter(|| {
            ed.headers(
                black_box(1_703_123_456_789),
                "POST",
                "/trade-api/v2/portfolio/events/orders",
            )
        });
    });
}

criterion_group!(benches, delta, signing);
criterion_main!(benches);
