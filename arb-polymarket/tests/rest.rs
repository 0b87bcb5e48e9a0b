//! Every REST endpoint against wiremock, with payloads shaped like the reference samples and
//! exact-value assertions.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use arb_core::clock::{IdSource, UniqueIds};
use arb_core::exchange::{Exchange, ExchangeError};
use arb_core::fees::FeeSchedule;
use arb_core::model::{
    ClientOrderId, Liquidity, MarketId, MarketKey, MarketStatus, OrderRequest, OrderStatus,
    Outcome, Price, Qty, Side, TimeInForce, VenueOrderId,
};
use arb_core::record::{MemoryTap, TappedMessage};
use arb_polymarket::signing::{ApiCreds, SignatureType, Wallet, l1_signature};
use arb_polymarket::{
    OutcomeMapping, PolymarketConfig, PolymarketExchange, PolymarketFees, PolymarketMarketExt,
    TradingCredentials,
};
use chrono::DateTime;
use rust_decimal_macros::dec;
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use common::*;

const ORDER_ID: &str = "0x5166244c960e8153b669b666c36b59d97895bbd17ba194b0377728388ec32dbb";

fn exchange(server: &MockServer, with_creds: bool) -> PolymarketExchange {
    let mut cfg = PolymarketConfig::with_base_url(&server.uri());
    cfg.request_timeout = Duration::from_secs(5);
    cfg.credentials = Some(TradingCredentials {
        wallet: Wallet::from_hex(PK, None, SignatureType::Eoa).unwrap(),
        api_creds: with_creds.then(|| ApiCreds::new(API_KEY, SECRET, "test-passphrase").unwrap()),
    });
    PolymarketExchange::new(cfg).unwrap()
}

fn request(
    price: rust_decimal::Decimal,
    qty: rust_decimal::Decimal,
    tif: TimeInForce,
) -> OrderRequest {
    OrderRequest {
        client_order_id: ClientOrderId::new("c-1"),
        market: MarketKey::new("polymarket", CID_YN),
        outcome: Outcome::Yes,
        side: Side::Buy,
        limit_price: Price::new(price).unwrap(),
        qty: Qty::new(qty).unwrap(),
        time_in_force: tif,
    }
}

fn header_str(req: &Request, name: &str) -> String {
    req.headers.get(name).unwrap().to_str().unwrap().to_owned()
}

/// Checks the L2 headers of a request against the exact bytes received.
fn assert_l2_signed(req: &Request, creds: &ApiCreds) {
    let ts: u64 = header_str(req, "POLY_TIMESTAMP").parse().unwrap();
    let body = (!req.body.is_empty()).then(|| String::from_utf8(req.body.clone()).unwrap());
    let expected = creds
        .hmac_signature(ts, req.method.as_str(), req.url.path(), body.as_deref())
        .unwrap();
    assert_eq!(header_str(req, "POLY_SIGNATURE"), expected);
    assert_eq!(header_str(req, "POLY_ADDRESS"), ADDRESS);
    assert_eq!(header_str(req, "POLY_API_KEY"), creds.api_key);
}

fn creds() -> ApiCreds {
    ApiCreds::new(API_KEY, SECRET, "test-passphrase").unwrap()
}

#[tokio::test]
async fn lists_markets_over_keyset_pages_mapping_outcomes_by_label() {
    let server = MockServer::start().await;
    mount_markets(&server).await;
    let listing = exchange(&server, true).list_markets().await.unwrap();
    assert!(listing.is_complete(), "{:?}", listing.gaps);
    let markets = listing.markets;
    assert_eq!(markets.len(), 2, "the closed market is left out");
    let yn = markets
        .iter()
        .find(|m| m.key.market.as_str() == CID_YN)
        .unwrap();
    let ext: PolymarketMarketExt = yn.ext.get().unwrap().unwrap();
    // Listed "No" first: YES is still the token labelled Yes.
    assert_eq!(ext.yes_token_id, YES_TOKEN);
    assert_eq!(ext.no_token_id, NO_TOKEN);
    assert_eq!(ext.mapping, OutcomeMapping::YesNoLabels);
    assert!(ext.neg_risk);
    assert_eq!(yn.key, MarketKey::new("polymarket", CID_YN));
    assert_eq!(yn.title, "Will Team Falcons win?");
    assert_eq!(yn.subtitle, "Yes");
    assert_eq!(yn.status, MarketStatus::Open);
    assert_eq!(
        yn.close_time,
        DateTime::parse_from_rfc3339("2026-04-18T18:00:00Z").unwrap()
    );
    assert_eq!(yn.min_order_qty.value(), dec!(5));
    assert_eq!(yn.size_step.value(), dec!(0.01));
    assert!(yn.price_grid.contains(Price::new(dec!(0.001)).unwrap()));
    assert!(!yn.price_grid.contains(Price::new(dec!(0.0005)).unwrap()));
    assert!(!yn.price_grid.contains(Price::new(dec!(1)).unwrap()));
    assert_eq!(
        yn.fees,
        PolymarketFees {
            rate: dec!(0.03),
            exponent: dec!(1),
            taker_only: true
        }
        .schedule()
    );
    let ud = markets
        .iter()
        .find(|m| m.key.market.as_str() == CID_UD)
        .unwrap();
    let ext: PolymarketMarketExt = ud.ext.get().unwrap().unwrap();
    assert_eq!(ext.mapping, OutcomeMapping::FirstOutcomeAsYes);
    assert_eq!(
        (ext.yes_label.as_str(), ext.no_label.as_str()),
        ("Up", "Down")
    );
    assert_eq!(ext.yes_token_id, UP_TOKEN);
    assert_eq!(ud.subtitle, "Up");
    assert_eq!(ud.fees, FeeSchedule::FREE);
    assert_eq!(ud.title, "Bitcoin Up or Down - March 12, 5:20AM-5:25AM ET");
    assert_eq!(ext.slug.as_deref(), Some("btc-updown-5m-1773307200"));
}

#[tokio::test]
async fn single_market_book_and_batch_books_sorted_and_complemented() {
    let server = MockServer::start().await;
    mount_markets(&server).await;
    let mut book = sample("clob_book.json");
    book["asset_id"] = json!(YES_TOKEN);
    // Worst-first wire order.
    book["bids"] = json!([{"price": "0.43", "size": "5"}, {"price": "0.45", "size": "100"}]);
    book["asks"] = json!([{"price": "0.48", "size": "9"}, {"price": "0.46", "size": "150"}]);
    book["timestamp"] = json!("1767225600000");
    Mock::given(method("GET"))
        .and(path("/book"))
        .and(query_param("token_id", YES_TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(&book))
        .mount(&server)
        .await;
    let mut ud = sample("clob_book.json");
    ud["asset_id"] = json!(UP_TOKEN);
    Mock::given(method("POST"))
        .and(path("/books"))
        .and(body_json(
            json!([{"token_id": YES_TOKEN}, {"token_id": UP_TOKEN}]),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([ud, book])))
        .mount(&server)
        .await;
    let ex = exchange(&server, true);
    let b = ex.order_book(&MarketId::new(CID_YN)).await.unwrap();
    let lv = |ls: &[arb_core::model::Level]| {
        ls.iter()
            .map(|l| (l.price.value(), l.qty.value()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        lv(b.yes.bids()),
        vec![(dec!(0.45), dec!(100)), (dec!(0.43), dec!(5))]
    );
    assert_eq!(
        lv(b.yes.asks()),
        vec![(dec!(0.46), dec!(150)), (dec!(0.48), dec!(9))]
    );
    assert_eq!(
        lv(b.no.asks()),
        vec![(dec!(0.55), dec!(100)), (dec!(0.57), dec!(5))]
    );
    assert_eq!(
        lv(b.no.bids()),
        vec![(dec!(0.54), dec!(150)), (dec!(0.52), dec!(9))]
    );
    assert_eq!(b.as_of.timestamp_millis(), 1_767_225_600_000);
    let books = ex
        .order_books(&[MarketId::new(CID_YN), MarketId::new(CID_UD)])
        .await
        .unwrap();
    assert_eq!(books.len(), 2);
    assert_eq!(books[0].0.as_str(), CID_YN);
    assert_eq!(books[0].1.yes, b.yes);
    assert_eq!(books[1].0.as_str(), CID_UD);
    assert_eq!(lv(books[1].1.yes.bids()), vec![(dec!(0.45), dec!(100))]);
    assert_eq!(lv(books[1].1.yes.asks()), vec![(dec!(0.46), dec!(150))]);
}

#[tokio::test]
async fn places_a_signed_order_with_l2_headers_over_the_exact_body() {
    let server = MockServer::start().await;
    mount_markets(&server).await;
    Mock::given(method("POST"))
        .and(path("/order"))
        .respond_with(ResponseTemplate::new(200).set_body_json(sample("order_response.json")))
        .expect(1)
        .mount(&server)
        .await;
    let ex = exchange(&server, true);
    let order = ex
        .place_order(&request(dec!(0.337), dec!(10.5), TimeInForce::Gtc))
        .await
        .unwrap();
    assert_eq!(order.status, OrderStatus::Open);
    assert_eq!(order.filled_qty, Qty::ZERO);
    let reqs = server.received_requests().await.unwrap();
    let post = reqs.iter().find(|r| r.url.path() == "/order").unwrap();
    assert_l2_signed(post, &creds());
    let body: Value = serde_json::from_slice(&post.body).unwrap();
    assert_eq!(body["order"]["tokenId"], YES_TOKEN);
    assert_eq!(body["order"]["makerAmount"], "3538500");
    assert_eq!(body["order"]["takerAmount"], "10500000");
    assert_eq!(body["order"]["side"], "BUY");
    assert_eq!(body["order"]["maker"], ADDRESS);
    assert_eq!(body["order"]["signatureType"], 0);
    assert_eq!(body["owner"], API_KEY);
    assert_eq!(body["orderType"], "GTC");
    assert!(body["order"]["salt"].as_u64().unwrap() < (1 << 53));
    // The order id we know before sending is the id of the returned order.
    assert_eq!(order.venue_order_id.as_ref().unwrap().as_str().len(), 66);
}

#[tokio::test]
async fn fok_buy_uses_market_amounts_and_delayed_is_pending() {
    let server = MockServer::start().await;
    mount_markets(&server).await;
    Mock::given(method("POST"))
        .and(path("/order"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"success": true, "errorMsg": "", "orderID": ORDER_ID, "status": "delayed"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let ex = exchange(&server, true);
    let order = ex
        .place_order(&request(dec!(0.333), dec!(30.03), TimeInForce::Fok))
        .await
        .unwrap();
    assert_eq!(order.status, OrderStatus::Pending);
    let reqs = server.received_requests().await.unwrap();
    let body: Value =
        serde_json::from_slice(&reqs.iter().find(|r| r.url.path() == "/order").unwrap().body)
            .unwrap();
    // 30.03 × 0.333 = 9.99999, rounded up to $10.00 so that a fill by shares is not short:
    // $10.00 / 0.333 → 30.03003 shares (the official client's vector for a $10 market buy).
    assert_eq!(body["order"]["makerAmount"], "10000000");
    assert_eq!(body["order"]["takerAmount"], "30030030");
    assert_eq!(body["orderType"], "FOK");
}

#[tokio::test]
async fn invalid_orders_fail_locally_before_anything_is_sent() {
    let server = MockServer::start().await;
    mount_markets(&server).await;
    Mock::given(method("POST"))
        .and(path("/order"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let ex = exchange(&server, true);
    for (price, qty) in [
        (dec!(0.3335), dec!(10)),
        (dec!(0.5), dec!(4.99)),
        (dec!(0.5), dec!(10.001)),
        (dec!(0.9995), dec!(10)),
    ] {
        let err = ex
            .place_order(&request(price, qty, TimeInForce::Gtc))
            .await
            .unwrap_err();
        assert!(
            matches!(err, ExchangeError::InvalidRequest(_)),
            "{price} {qty}: {err:?}"
        );
    }
}

#[tokio::test]
async fn venue_errors_are_typed_and_order_posts_are_not_retried() {
    type Check = fn(&ExchangeError) -> bool;
    let cases: Vec<(ResponseTemplate, Check)> = vec![
        (ResponseTemplate::new(400).set_body_json(json!({"error": "not enough balance / allowance"})), |e| matches!(e, ExchangeError::InsufficientBalance(_))),
        (ResponseTemplate::new(425).set_body_json(json!({"error": "too early"})), |e| matches!(e, ExchangeError::Unavailable(_)) && e.is_retryable()),
        (ResponseTemplate::new(429).insert_header("retry-after", "7"), |e| matches!(e, ExchangeError::RateLimited { retry_after: Some(d) } if *d == Duration::from_secs(7))),
        (ResponseTemplate::new(503).set_body_json(json!({"error": "Trading is currently disabled"})), |e| matches!(e, ExchangeError::Unavailable(_))),
        (ResponseTemplate::new(401).set_body_json(json!({"error": "Unauthorized/Invalid api key"})), |e| matches!(e, ExchangeError::Auth(_)) && !e.is_retryable()),
        (ResponseTemplate::new(400).set_body_json(json!({"error": "invalid post-only order: order crosses book"})), |e| matches!(e, ExchangeError::Rejected { code, .. } if code == "400")),
        (ResponseTemplate::new(200).set_body_json(json!({"error": "the market is not yet ready to process new orders"})), |e| matches!(e, ExchangeError::Rejected { .. })),
        (ResponseTemplate::new(200).set_body_json(json!({"success": false, "errorMsg": "invalid expiration", "orderID": "", "status": ""})), |e| matches!(e, ExchangeError::Rejected { message, .. } if message == "invalid expiration")),
    ];
    for (i, (resp, check)) in cases.into_iter().enumerate() {
        let server = MockServer::start().await;
        mount_markets(&server).await;
        Mock::given(method("POST"))
            .and(path("/order"))
            .respond_with(resp)
            .expect(1)
            .mount(&server)
            .await;
        let err = exchange(&server, true)
            .place_order(&request(dec!(0.5), dec!(10), TimeInForce::Gtc))
            .await
            .unwrap_err();
        assert!(check(&err), "case {i}: {err:?}");
        assert!(!err.to_string().contains(SECRET), "case {i}");
    }
}

#[tokio::test]
async fn fok_kill_is_a_cancelled_order_with_nothing_filled() {
    let server = MockServer::start().await;
    mount_markets(&server).await;
    Mock::given(method("POST"))
        .and(path("/order"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": "order couldn't be fully filled. FOK orders are fully filled or killed."})))
        .expect(1)
        .mount(&server)
        .await;
    let order = exchange(&server, true)
        .place_order(&request(dec!(0.5), dec!(10), TimeInForce::Fok))
        .await
        .unwrap();
    assert_eq!(order.status, OrderStatus::Cancelled);
    assert_eq!(order.filled_qty, Qty::ZERO);
}

fn wire_order(id: &str, status: &str, matched: &str) -> Value {
    json!({"id": id, "status": status, "owner": API_KEY, "maker_address": ADDRESS, "market": CID_YN,
           "asset_id": YES_TOKEN, "side": "BUY", "original_size": "10", "size_matched": matched,
           "price": "0.5", "outcome": "Yes", "expiration": "0", "order_type": "GTC",
           "associate_trades": [], "created_at": 1767225600})
}

#[tokio::test]
async fn matched_order_is_looked_up_and_found_by_client_id() {
    let server = MockServer::start().await;
    mount_markets(&server).await;
    Mock::given(method("POST"))
        .and(path("/order"))
        .respond_with(|req: &Request| {
            // Answer with the id we signed, computed from nothing but the body's fields.
            let body: Value = serde_json::from_slice(&req.body).unwrap();
            assert!(body["order"]["signature"].as_str().unwrap().len() == 132);
            ResponseTemplate::new(200).set_body_json(
                json!({"success": true, "errorMsg": "", "orderID": "", "status": "matched"}),
            )
        })
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::path_regex(
            "^/data/order/0x[0-9a-f]{64}$",
        ))
        .respond_with(|req: &Request| {
            let id = req.url.path().trim_start_matches("/data/order/").to_owned();
            ResponseTemplate::new(200).set_body_json(wire_order(&id, "MATCHED", "10"))
        })
        .mount(&server)
        .await;
    let ex = exchange(&server, true);
    let req = request(dec!(0.5), dec!(10), TimeInForce::Gtc);
    let order = ex.place_order(&req).await.unwrap();
    assert_eq!(order.status, OrderStatus::Filled);
    assert_eq!(order.filled_qty.value(), dec!(10));
    assert_eq!(order.request, req);
    let again = ex
        .order_by_client_id(&ClientOrderId::new("c-1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.venue_order_id, order.venue_order_id);
    assert!(matches!(
        ex.order_by_client_id(&ClientOrderId::new("never-sent"))
            .await,
        Err(ExchangeError::Unsupported(_))
    ));
    let gets = server.received_requests().await.unwrap();
    for r in gets
        .iter()
        .filter(|r| r.url.path().starts_with("/data/order/"))
    {
        assert_l2_signed(r, &creds());
    }
}

/// The crash window between sending an order and storing the answer: a new process (nothing in
/// memory) rebuilds the order id from the stored request, finds the order if the venue has it and
/// answers "never received" if not; sending the same request again makes the very same order.
#[tokio::test]
async fn a_restarted_process_finds_an_order_by_its_request() {
    let server = MockServer::start().await;
    mount_markets(&server).await;
    Mock::given(method("POST"))
        .and(path("/order"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"success": true, "errorMsg": "", "orderID": "", "status": "live"}),
        ))
        .mount(&server)
        .await;
    let posted: Arc<Mutex<HashSet<String>>> = Arc::default();
    let known = Arc::clone(&posted);
    Mock::given(method("GET"))
        .and(wiremock::matchers::path_regex(
            "^/data/order/0x[0-9a-f]{64}$",
        ))
        .respond_with(move |req: &Request| {
            let id = req.url.path().trim_start_matches("/data/order/").to_owned();
            if known.lock().unwrap().contains(&id) {
                ResponseTemplate::new(200).set_body_json(wire_order(&id, "LIVE", "0"))
            } else {
                ResponseTemplate::new(200).set_body_json(Value::Null)
            }
        })
        .mount(&server)
        .await;
    let ids = UniqueIds::new();
    let minted = |_| OrderRequest {
        client_order_id: ClientOrderId::new(ids.next_id("ord")),
        ..request(dec!(0.5), dec!(10), TimeInForce::Gtc)
    };
    let (req, never_sent) = (minted(()), minted(()));

    let sent = exchange(&server, true).place_order(&req).await.unwrap();
    let venue_id = sent.venue_order_id.clone().unwrap();
    posted.lock().unwrap().insert(venue_id.as_str().to_owned());

    let restarted = exchange(&server, true);
    let found = restarted.order_by_request(&req).await.unwrap().unwrap();
    assert_eq!(found.venue_order_id, Some(venue_id.clone()));
    assert_eq!(found.status, OrderStatus::Open);
    assert_eq!(found.request, req);
    assert_eq!(restarted.order_by_request(&never_sent).await.unwrap(), None);
    // Ids without a mint time cannot be rebuilt: said plainly, never a false "not found".
    assert!(matches!(
        restarted
            .order_by_request(&request(dec!(0.5), dec!(10), TimeInForce::Gtc))
            .await,
        Err(ExchangeError::Unsupported(_))
    ));

    let resent = exchange(&server, true).place_order(&req).await.unwrap();
    assert_eq!(resent.venue_order_id, Some(venue_id));
    let bodies: Vec<Vec<u8>> = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method.as_str() == "POST" && r.url.path() == "/order")
        .map(|r| r.body)
        .collect();
    assert_eq!(bodies.len(), 2);
    assert_eq!(
        bodies[0], bodies[1],
        "the same request signs to the same order"
    );
}

#[tokio::test]
async fn cancel_and_order_status() {
    let server = MockServer::start().await;
    mount_markets(&server).await;
    Mock::given(method("DELETE"))
        .and(path("/order"))
        .and(body_json(json!({"orderID": ORDER_ID})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"canceled": [ORDER_ID], "not_canceled": {}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/data/order/{ORDER_ID}")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(wire_order(ORDER_ID, "CANCELED", "3")),
        )
        .mount(&server)
        .await;
    let ex = exchange(&server, true);
    let o = ex.cancel_order(&VenueOrderId::new(ORDER_ID)).await.unwrap();
    assert_eq!(o.status, OrderStatus::Cancelled);
    assert_eq!(o.filled_qty.value(), dec!(3));
    assert_eq!(o.request.outcome, Outcome::Yes);
    assert_eq!(o.request.limit_price.value(), dec!(0.5));
    assert_eq!(o.request.qty.value(), dec!(10));
    let reqs = server.received_requests().await.unwrap();
    let del = reqs.iter().find(|r| r.method.as_str() == "DELETE").unwrap();
    assert_eq!(
        String::from_utf8(del.body.clone()).unwrap(),
        format!("{{\"orderID\":\"{ORDER_ID}\"}}")
    );
    assert_l2_signed(del, &creds());
    let o = ex.order(&VenueOrderId::new(ORDER_ID)).await.unwrap();
    assert_eq!(o.status, OrderStatus::Cancelled);
}

#[tokio::test]
async fn derives_api_credentials_with_l1_when_none_are_configured() {
    let server = MockServer::start().await;
    mount_markets(&server).await;
    Mock::given(method("POST"))
        .and(path("/auth/api-key"))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(json!({"error": "Could not create api key"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/auth/derive-api-key"))
        .and(header("POLY_ADDRESS", ADDRESS))
        .and(header("POLY_NONCE", "0"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"apiKey": API_KEY, "secret": SECRET, "passphrase": "test-passphrase"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/balance-allowance"))
        .and(query_param("asset_type", "COLLATERAL"))
        .and(query_param("signature_type", "0"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"balance": "12500000", "allowances": {"0xE111180000d2663C0091e4f400237545B87B996B": "1000"}})))
        .mount(&server)
        .await;
    let ex = exchange(&server, false);
    let b = ex.balance().await.unwrap();
    assert_eq!(b.available, dec!(12.5));
    assert_eq!(b.total, dec!(12.5));
    let reqs = server.received_requests().await.unwrap();
    let derive = reqs
        .iter()
        .find(|r| r.url.path() == "/auth/derive-api-key")
        .unwrap();
    let ts: u64 = header_str(derive, "POLY_TIMESTAMP").parse().unwrap();
    let wallet = Wallet::from_hex(PK, None, SignatureType::Eoa).unwrap();
    assert_eq!(
        header_str(derive, "POLY_SIGNATURE"),
        l1_signature(&wallet, 137, ts, 0).unwrap()
    );
    let bal = reqs
        .iter()
        .find(|r| r.url.path() == "/balance-allowance")
        .unwrap();
    assert_l2_signed(bal, &creds());
    // A second call reuses the derived credentials.
    ex.balance().await.unwrap();
}

#[tokio::test]
async fn fills_from_taker_and_maker_trades() {
    let server = MockServer::start().await;
    mount_markets(&server).await;
    let taker = json!({"id": "t1", "taker_order_id": ORDER_ID, "market": CID_YN, "asset_id": YES_TOKEN, "side": "BUY",
        "size": "10", "fee_rate_bps": "300", "price": "0.5", "status": "CONFIRMED", "match_time": "1767225600",
        "last_update": "1767225601", "outcome": "Yes", "owner": API_KEY, "maker_address": ADDRESS,
        "transaction_hash": "0xabc", "bucket_index": 0, "maker_orders": [], "trader_side": "TAKER"});
    let maker = json!({"id": "t2", "taker_order_id": "0xother", "market": CID_YN, "asset_id": YES_TOKEN, "side": "BUY",
    "size": "8", "fee_rate_bps": "0", "price": "0.6", "status": "MATCHED", "match_time": "1767225700",
    "last_update": "1767225700", "outcome": "Yes", "owner": "x", "maker_address": "0xsomeone",
    "transaction_hash": "", "bucket_index": 0, "trader_side": "MAKER",
    "maker_orders": [
        {"order_id": "0xmine", "owner": API_KEY, "maker_address": ADDRESS.to_lowercase(), "matched_amount": "4", "price": "0.4", "fee_rate_bps": "0", "asset_id": NO_TOKEN, "outcome": "No", "side": "BUY"},
        {"order_id": "0xtheirs", "owner": "y", "maker_address": "0x0000000000000000000000000000000000000001", "matched_amount": "4", "price": "0.4", "fee_rate_bps": "0", "asset_id": NO_TOKEN, "outcome": "No", "side": "BUY"}
    ]});
    let failed = json!({"id": "t3", "taker_order_id": ORDER_ID, "market": CID_YN, "asset_id": YES_TOKEN, "side": "BUY",
        "size": "1", "price": "0.5", "status": "FAILED", "match_time": "1767225600", "trader_side": "TAKER", "maker_orders": []});
    Mock::given(method("GET"))
        .and(path("/data/trades"))
        .and(query_param("next_cursor", "Mg=="))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"data": [maker], "next_cursor": "LTE=", "limit": 100, "count": 1}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/data/trades"))
        .and(query_param("maker_address", ADDRESS))
        .and(query_param("after", "1767225000"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"data": [taker, failed], "next_cursor": "Mg==", "limit": 100, "count": 2}),
        ))
        .with_priority(10)
        .mount(&server)
        .await;
    let ex = exchange(&server, true);
    let fills = ex
        .fills_since(DateTime::from_timestamp(1_767_225_000, 0).unwrap())
        .await
        .unwrap();
    assert_eq!(fills.len(), 2);
    assert_eq!(fills[0].fill_id.as_str(), "t1");
    assert_eq!(fills[0].liquidity, Liquidity::Taker);
    assert_eq!((fills[0].outcome, fills[0].side), (Outcome::Yes, Side::Buy));
    assert_eq!(
        (fills[0].price.value(), fills[0].qty.value()),
        (dec!(0.5), dec!(10))
    );
    // 10 × 0.03 × 0.5 × 0.5
    assert_eq!(fills[0].fee, dec!(0.075));
    assert_eq!(fills[0].venue_order_id.as_str(), ORDER_ID);
    assert_eq!(fills[1].fill_id.as_str(), "t2:0xmine");
    assert_eq!(fills[1].liquidity, Liquidity::Maker);
    assert_eq!((fills[1].outcome, fills[1].side), (Outcome::No, Side::Buy));
    assert_eq!(
        (fills[1].price.value(), fills[1].qty.value()),
        (dec!(0.4), dec!(4))
    );
    assert_eq!(fills[1].fee, dec!(0));
    assert_eq!(fills[1].ts.timestamp(), 1_767_225_700);
}

#[tokio::test]
async fn positions_from_the_data_api() {
    let server = MockServer::start().await;
    mount_markets(&server).await;
    let items = sample("data_api_positions_v1.json");
    let mut yes = items[0].clone();
    yes["asset"] = json!(YES_TOKEN);
    yes["conditionId"] = json!(CID_YN);
    let mut down = items[2].clone();
    down["asset"] = json!(DOWN_TOKEN);
    down["conditionId"] = json!(CID_UD);
    let mut empty = items[1].clone();
    empty["asset"] = json!(NO_TOKEN);
    empty["conditionId"] = json!(CID_YN);
    Mock::given(method("GET"))
        .and(path("/positions"))
        .and(query_param("user", ADDRESS))
        .and(query_param("offset", "0"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([yes, empty, down])))
        .mount(&server)
        .await;
    let ps = exchange(&server, true).positions().await.unwrap();
    assert_eq!(ps.len(), 2, "the zero-size position is left out");
    assert_eq!(ps[0].market, MarketKey::new("polymarket", CID_YN));
    assert_eq!(ps[0].outcome, Outcome::Yes);
    assert_eq!(ps[0].qty.value(), dec!(150.5));
    assert_eq!(ps[0].avg_price.unwrap().value(), dec!(0.55));
    assert_eq!(ps[1].market, MarketKey::new("polymarket", CID_UD));
    assert_eq!(ps[1].outcome, Outcome::No);
    assert_eq!(ps[1].qty.value(), dec!(42));
    assert_eq!(ps[1].avg_price.unwrap().value(), dec!(0.3));
}

/// A keyset page whose limit the venue refuses would fail the listing: the page size never exceeds
/// the venue's 100. A CLOB market that keeps failing (after its retries) is a named gap; the rest
/// of the catalogue is listed.
#[tokio::test]
async fn a_failing_market_is_a_named_gap_and_pages_stay_within_the_venue_limit() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/markets/keyset"))
        .and(query_param("limit", "100"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"markets": [gamma_yes_no(), sample("gamma_market.json")]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/clob-markets/{CID_YN}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(clob_yes_no()))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/clob-markets/{CID_UD}")))
        .respond_with(
            ResponseTemplate::new(500).set_body_json(json!({"error": "matching engine busy"})),
        )
        .expect(4)
        .mount(&server)
        .await;
    let mut cfg = PolymarketConfig::with_base_url(&server.uri());
    cfg.gamma_page_size = 500;
    cfg.read_retry.base_delay = Duration::from_millis(1);
    let listing = PolymarketExchange::new(cfg)
        .unwrap()
        .list_markets()
        .await
        .unwrap();
    let ids: Vec<&str> = listing
        .markets
        .iter()
        .map(|m| m.key.market.as_str())
        .collect();
    assert_eq!(ids, [CID_YN]);
    assert_eq!(listing.gaps.len(), 1);
    let gap = listing.gaps[0].to_string();
    assert!(gap.starts_with(&format!("market {CID_UD} (")), "{gap}");
    assert!(gap.contains("matching engine busy"), "{gap}");
}

#[test]
fn config_and_adapter_debug_hide_secrets() {
    let cfg = PolymarketConfig {
        credentials: Some(TradingCredentials {
            wallet: Wallet::from_hex(PK, None, SignatureType::Eoa).unwrap(),
            api_creds: Some(ApiCreds::new(API_KEY, SECRET, "test-passphrase").unwrap()),
        }),
        ..PolymarketConfig::default()
    };
    let ex = PolymarketExchange::new(cfg.clone()).unwrap();
    for dbg in [format!("{cfg:?}"), format!("{ex:?}")] {
        assert!(!dbg.contains(&PK[2..]));
        assert!(!dbg.contains(SECRET));
        assert!(!dbg.contains("test-passphrase"));
        assert!(dbg.contains("https://clob.polymarket.com"));
    }
}

#[tokio::test]
async fn book_answers_are_tapped_byte_for_byte_before_parsing() {
    let server = MockServer::start().await;
    mount_markets(&server).await;
    let mut book = sample("clob_book.json");
    book["asset_id"] = json!(YES_TOKEN);
    // Spacing no serialiser would produce: the tap must hand over the body as received.
    let single = format!("{{ \"spaced\": true,  {}", &book.to_string()[1..]);
    let batch = format!("[ {book} ]");
    Mock::given(method("GET"))
        .and(path("/book"))
        .respond_with(ResponseTemplate::new(200).set_body_string(single.clone()))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/books"))
        .respond_with(ResponseTemplate::new(200).set_body_string(batch.clone()))
        .mount(&server)
        .await;
    let tap = Arc::new(MemoryTap::default());
    let ex = exchange(&server, false).with_raw_tap(tap.clone());
    let market = MarketId::new(CID_YN);
    ex.order_book(&market).await.unwrap();
    ex.order_books(std::slice::from_ref(&market)).await.unwrap();
    let message = |market: Option<MarketId>, payload: String| TappedMessage {
        venue: "polymarket".into(),
        format: "polymarket.rest.book".into(),
        market,
        payload,
    };
    assert_eq!(
        tap.take(),
        vec![message(Some(market), single), message(None, batch)]
    );
}
