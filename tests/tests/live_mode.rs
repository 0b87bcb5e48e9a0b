//! `arb-daemon run` in `live` mode against mock Kalshi and Polymarket servers serving the
//! reference payloads: a pair approved through the CLI, a dislocation in the books, and correctly
//! signed orders arriving at both venues, with the store checked afterwards.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

mod common;

use std::sync::{Arc, Mutex};

use arb_core::model::{ExecutionState, MarketKey, Outcome};
use arb_core::store::Store;
use arb_polymarket::signing::ApiCreds;
use base64::Engine as _;
use common::{
    KALSHI_BASE, KALSHI_TICKER, POLY_ADDRESS, POLY_API_KEY, POLY_API_PASSPHRASE, POLY_API_SECRET,
    POLY_CONDITION, POLY_NO_TOKEN, POLY_PRIVATE_KEY, POLY_YES_TOKEN, cli, fixture,
};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn ok(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

/// Kalshi's account endpoints: $10,000 of cash, no fills or positions yet, and an order endpoint
/// that fills every order completely at its limit.
async fn mount_kalshi_account(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path(format!("{KALSHI_BASE}/portfolio/balance")))
        .respond_with(ok(
            json!({"balance": 1_000_000, "portfolio_value": 0, "updated_ts": 1_715_793_600}),
        ))
        .mount(server)
        .await;
    let posted: Arc<Mutex<Vec<Value>>> = Arc::default();
    let fills_of = Arc::clone(&posted);
    Mock::given(method("GET"))
        .and(path(format!("{KALSHI_BASE}/portfolio/fills")))
        .respond_with(move |_: &Request| {
            let fills: Vec<Value> = fills_of
                .lock()
                .unwrap()
                .iter()
                .enumerate()
                .map(|(i, body)| {
                    json!({
                        "fill_id": format!("fill-{i}"), "trade_id": format!("trade-{i}"),
                        "order_id": "3b23c1c7-f4ef-4f0d-8b9a-9e53c61f1a0d",
                        "ticker": body["ticker"], "outcome_side": "yes", "book_side": "bid",
                        "count_fp": body["count"], "yes_price_dollars": body["price"],
                        "is_taker": true, "fee_cost": "0.00",
                        "created_time": chrono_now_rfc3339()
                    })
                })
                .collect();
            ok(json!({ "fills": fills, "cursor": "" }))
        })
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{KALSHI_BASE}/portfolio/positions")))
        .respond_with(ok(json!({"market_positions": [], "cursor": ""})))
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{KALSHI_BASE}/portfolio/events/orders")))
        .respond_with(move |req: &Request| {
            let body: Value = serde_json::from_slice(&req.body).unwrap();
            posted.lock().unwrap().push(body.clone());
            ResponseTemplate::new(201).set_body_json(json!({
                "order_id": "3b23c1c7-f4ef-4f0d-8b9a-9e53c61f1a0d",
                "client_order_id": body["client_order_id"],
                "fill_count": body["count"],
                "remaining_count": "0.00",
                "average_fill_price": body["price"],
                "ts_ms": 1_715_793_600_123_i64
            }))
        })
        .mount(server)
        .await;
}

/// Polymarket's account endpoints: $10,000 of collateral, no trades or positions yet, and an
/// order endpoint that matches every order completely at its limit.
async fn mount_polymarket_account(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/balance-allowance"))
        .respond_with(ok(json!({"balance": "10000000000", "allowances": {
            "0xE111180000d2663C0091e4f400237545B87B996B": "115792089237316195423570985008687907853269984665640564039457584007913129639935"
        }})))
        .mount(server)
        .await;
    let matched: Arc<Mutex<Vec<Value>>> = Arc::default();
    let trades_of = Arc::clone(&matched);
    Mock::given(method("GET"))
        .and(path("/data/trades"))
        .respond_with(move |_: &Request| {
            let data: Vec<Value> = trades_of
                .lock()
                .unwrap()
                .iter()
                .enumerate()
                .map(|(i, order)| {
                    json!({
                        "id": format!("trade-{i}"), "taker_order_id": order["id"],
                        "market": POLY_CONDITION, "asset_id": order["asset_id"], "side": "BUY",
                        "size": order["size_matched"], "price": order["price"],
                        "status": "MATCHED", "match_time": unix_now().to_string(),
                        "trader_side": "TAKER", "maker_orders": []
                    })
                })
                .collect();
            let count = data.len();
            ok(json!({"data": data, "next_cursor": "LTE=", "limit": 100, "count": count}))
        })
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/positions"))
        .respond_with(ok(json!([])))
        .mount(server)
        .await;
    let posted: Arc<Mutex<Vec<Value>>> = Arc::default();
    let record = Arc::clone(&posted);
    Mock::given(method("POST"))
        .and(path("/order"))
        .respond_with(move |req: &Request| {
            let body: Value = serde_json::from_slice(&req.body).unwrap();
            record.lock().unwrap().push(body);
            ok(json!({"success": true, "errorMsg": "", "orderID": "", "status": "matched"}))
        })
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex("^/data/order/0x[0-9a-f]{64}$"))
        .respond_with(move |req: &Request| {
            let id = req.url.path().trim_start_matches("/data/order/");
            // The order as matched: sizes from the signed amounts of the posted BUY (6 decimals).
            let posted = posted.lock().unwrap();
            let Some(order) = posted.last().map(|b| b["order"].clone()) else {
                return ResponseTemplate::new(404);
            };
            let amount = |field: &str| {
                order[field].as_str().unwrap().parse::<Decimal>().unwrap()
                    / Decimal::from(1_000_000)
            };
            let (paid, tokens) = (amount("makerAmount"), amount("takerAmount"));
            let token = order["tokenId"].as_str().unwrap();
            let record = json!({
                "id": id, "status": "MATCHED", "owner": POLY_API_KEY, "maker_address": POLY_ADDRESS,
                "market": POLY_CONDITION, "asset_id": token, "side": "BUY",
                "original_size": tokens.to_string(), "size_matched": tokens.to_string(),
                "price": (paid / tokens).round_dp(3).to_string(),
                "outcome": if token == POLY_YES_TOKEN { "Yes" } else { "No" },
                "expiration": "0", "order_type": "GTC", "associate_trades": [],
                "created_at": 1_767_225_600
            });
            let mut matched = matched.lock().unwrap();
            if !matched.iter().any(|m| m["id"] == record["id"]) {
                matched.push(record.clone());
            }
            ok(record)
        })
        .mount(server)
        .await;
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The current time as RFC 3339 (Kalshi's `created_time`).
fn chrono_now_rfc3339() -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp(i64::try_from(unix_now()).unwrap(), 0)
        .unwrap()
        .to_rfc3339()
}

/// Verifies Kalshi's RSA-PSS headers over `timestamp + METHOD + path` with the test key.
fn kalshi_signature_valid(req: &Request) -> bool {
    let vector = fixture("auth-test-vector.json");
    let header = |name: &str| req.headers.get(name).and_then(|v| v.to_str().ok());
    let (Some(key), Some(ts), Some(sig)) = (
        header("KALSHI-ACCESS-KEY"),
        header("KALSHI-ACCESS-TIMESTAMP"),
        header("KALSHI-ACCESS-SIGNATURE"),
    ) else {
        return false;
    };
    if key != vector["key_id"].as_str().unwrap() {
        return false;
    }
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(sig) else {
        return false;
    };
    let Ok(signature) = rsa::pss::Signature::try_from(bytes.as_slice()) else {
        return false;
    };
    let public =
        rsa::PublicKey::from_public_key_pem(vector["public_key_pem_spki"].as_str().unwrap())
            .unwrap();
    let message = format!("{ts}{}{}", req.method.as_str(), req.url.path());
    rsa::pss::VerifyingKey::<sha2::Sha256>::new(public)
        .verify(message.as_bytes(), &signature)
        .is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_mode_sends_signed_orders_to_both_venues() {
    let kalshi = common::kalshi_server().await;
    let poly = common::polymarket_server().await;
    common::mount_dislocated_books(&kalshi, &poly).await;
    mount_kalshi_account(&kalshi).await;
    mount_polymarket_account(&poly).await;

    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("live.db");
    let vector = fixture("auth-test-vector.json");
    let mut env = common::base_env(&kalshi, &poly, &database);
    for (var, value) in [
        ("TRADING_MODE", "live"),
        ("PRICE_FETCH_INTERVAL", "1"),
        ("KALSHI_API_KEY", vector["key_id"].as_str().unwrap()),
        (
            "KALSHI_API_SECRET",
            vector["private_key_pem_pkcs1"].as_str().unwrap(),
        ),
        ("POLYMARKET_PRIVATE_KEY", POLY_PRIVATE_KEY),
        ("POLYMARKET_API_KEY", POLY_API_KEY),
        ("POLYMARKET_API_SECRET", POLY_API_SECRET),
        ("POLYMARKET_API_PASSPHRASE", POLY_API_PASSPHRASE),
    ] {
        env.push((var.to_owned(), value.to_owned()));
    }
    let config = common::config(&env);

    cli(&config, "markets sync --create-store").await;
    let approved = cli(
        &config,
        &format!("pairs approve {KALSHI_TICKER} {POLY_CONDITION} --polarity same"),
    )
    .await;
    assert!(approved.contains("\napproved pair 1:"), "{approved}");

    let store = arb_store::connect(&format!("sqlite://{}", database.display()))
        .await
        .unwrap();
    let kalshi_key = MarketKey::new("kalshi", KALSHI_TICKER);
    let poly_key = MarketKey::new("polymarket", POLY_CONDITION);
    let out = common::run_daemon_until(config.clone(), || async {
        let finished = store
            .executions(100)
            .await
            .unwrap()
            .iter()
            .any(|e| e.state.is_terminal());
        let positions = store.positions().await.unwrap();
        let held = |key: &MarketKey| {
            positions
                .iter()
                .any(|p| &p.market == key && !p.qty.is_zero())
        };
        finished && held(&kalshi_key) && held(&poly_key)
    })
    .await;
    assert!(out.starts_with("arb-daemon running in live mode"), "{out}");

    // Kalshi: a signed v2 order buying YES.
    let kalshi_orders: Vec<Request> = kalshi
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method.as_str() == "POST")
        .collect();
    assert_eq!(kalshi_orders.len(), 1, "one order to Kalshi");
    let order = &kalshi_orders[0];
    assert_eq!(
        order.url.path(),
        format!("{KALSHI_BASE}/portfolio/events/orders")
    );
    assert!(
        kalshi_signature_valid(order),
        "Kalshi order not signed with the key"
    );
    let body: Value = serde_json::from_slice(&order.body).unwrap();
    assert_eq!(body["ticker"], KALSHI_TICKER);
    assert_eq!(body["side"], "bid", "buying YES is a bid");
    let kalshi_qty: Decimal = body["count"].as_str().unwrap().parse().unwrap();
    let kalshi_price: Decimal = body["price"].as_str().unwrap().parse().unwrap();
    assert!(kalshi_qty > Decimal::ZERO);
    assert!(
        kalshi_price >= Decimal::new(40, 2) && kalshi_price < Decimal::new(55, 2),
        "YES limit {kalshi_price} near the 0.40 ask"
    );

    // Polymarket: an EIP-712-signed BUY of the NO token with L2 HMAC headers.
    let poly_orders: Vec<Request> = poly
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method.as_str() == "POST" && r.url.path() == "/order")
        .collect();
    assert_eq!(poly_orders.len(), 1, "one order to Polymarket");
    let order = &poly_orders[0];
    let header = |name: &str| {
        order
            .headers
            .get(name)
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned()
    };
    let creds = ApiCreds::new(POLY_API_KEY, POLY_API_SECRET, POLY_API_PASSPHRASE).unwrap();
    let ts: u64 = header("POLY_TIMESTAMP").parse().unwrap();
    let body_text = String::from_utf8(order.body.clone()).unwrap();
    assert_eq!(
        header("POLY_SIGNATURE"),
        creds
            .hmac_signature(ts, "POST", "/order", Some(&body_text))
            .unwrap()
    );
    assert_eq!(header("POLY_API_KEY"), POLY_API_KEY);
    assert_eq!(header("POLY_PASSPHRASE"), POLY_API_PASSPHRASE);
    assert_eq!(header("POLY_ADDRESS"), POLY_ADDRESS);
    let body: Value = serde_json::from_str(&body_text).unwrap();
    assert_eq!(body["owner"], POLY_API_KEY);
    assert_eq!(body["order"]["tokenId"], POLY_NO_TOKEN);
    assert_eq!(body["order"]["side"], "BUY");
    assert_eq!(body["order"]["maker"], POLY_ADDRESS);
    assert_eq!(body["order"]["signer"], POLY_ADDRESS);
    let signature = body["order"]["signature"].as_str().unwrap();
    assert!(
        signature.len() == 132
            && signature.starts_with("0x")
            && signature[2..].chars().all(|c| c.is_ascii_hexdigit()),
        "65-byte hex signature, got {signature}"
    );
    let poly_qty = body["order"]["takerAmount"]
        .as_str()
        .unwrap()
        .parse::<Decimal>()
        .unwrap()
        / Decimal::from(1_000_000);
    assert_eq!(poly_qty, kalshi_qty, "both legs for the same quantity");

    // The store: one hedged execution with both orders filled, and the positions.
    let executions = store.executions(100).await.unwrap();
    assert_eq!(executions.len(), 1);
    let execution = &executions[0];
    assert_eq!(execution.state, ExecutionState::Hedged, "{execution:?}");
    let orders = store.execution_orders(&execution.id).await.unwrap();
    let filled = |key: &MarketKey, outcome: Outcome| {
        orders
            .iter()
            .filter(|o| o.order.request.market == *key && o.order.request.outcome == outcome)
            .map(|o| o.order.filled_qty.value())
            .sum::<Decimal>()
    };
    assert_eq!(filled(&kalshi_key, Outcome::Yes), kalshi_qty);
    assert_eq!(filled(&poly_key, Outcome::No), kalshi_qty);
    // Positions, rebuilt from the fills the venues report: YES on Kalshi, NO on Polymarket.
    let positions = store.positions().await.unwrap();
    let held = |key: &MarketKey, outcome: Outcome| {
        positions
            .iter()
            .find(|p| &p.market == key && p.outcome == outcome)
            .map(|p| p.qty.value())
    };
    assert_eq!(held(&kalshi_key, Outcome::Yes), Some(kalshi_qty));
    assert_eq!(held(&poly_key, Outcome::No), Some(kalshi_qty));
}
