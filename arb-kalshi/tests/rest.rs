//! REST behaviour against a local mock server serving the reference payloads. Every
//! authenticated mock verifies the RSA-PSS signature, so a wrong signed path or timestamp fails.
#![allow(clippy::unwrap_used, clippy::result_large_err)] // test helpers outside #[test] fns

mod common;

use std::sync::Arc;
use std::time::Duration;

use arb_core::exchange::{Exchange, ExchangeError};
use arb_core::model::{
    ClientOrderId, Liquidity, MarketId, MarketKey, MarketStatus, OrderRequest, OrderStatus,
    Outcome, Price, Qty, Side, TimeInForce, VenueOrderId,
};
use arb_core::record::{MemoryTap, TappedMessage};
use arb_kalshi::{KalshiConfig, KalshiExchange, KalshiFees, KalshiMarketExt, RetryPolicy};
use chrono::{DateTime, TimeZone, Utc};
use common::{SignedByReferenceKey, Unsigned, credentials, fixture};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::json;
use wiremock::matchers::{body_json, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

const BASE: &str = "/trade-api/v2";

fn config(server: &MockServer) -> KalshiConfig {
    let mut c = KalshiConfig::production()
        .with_hosts(format!("{}{BASE}", server.uri()), "ws://127.0.0.1:9/unused")
        .with_credentials(credentials());
    c.retry = RetryPolicy {
        max_retries: 2,
        base_delay: Duration::from_millis(2),
        max_delay: Duration::from_millis(10),
    };
    c.request_timeout = Duration::from_millis(300);
    c
}

fn exchange(server: &MockServer) -> KalshiExchange {
    KalshiExchange::new(config(server)).unwrap()
}

fn p(v: &str) -> String {
    format!("{BASE}{v}")
}

fn price(d: Decimal) -> Price {
    Price::new(d).unwrap()
}

fn real_market() -> serde_json::Value {
    fixture("rest-get-market.real-2026-05.json")
}

fn ok(body: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

fn starship_event() -> serde_json::Value {
    json!({
        "event_ticker": "KXSPACEXSTARSHIP-12",
        "series_ticker": "KXSPACEXSTARSHIP",
        "title": "When will SpaceX launch Starship flight 12?",
        "sub_title": "Flight 12",
        "collateral_return_type": "MECNET",
        "mutually_exclusive": true,
        "fee_type_override": null,
        "fee_multiplier_override": null,
        "settlement_sources": [{"name": "FAA", "url": "https://www.faa.gov"}],
        "some_future_field": {"x": 1}
    })
}

fn starship_series() -> serde_json::Value {
    json!({
        "ticker": "KXSPACEXSTARSHIP",
        "frequency": "custom",
        "title": "Starship launches",
        "category": "Science and Technology",
        "fee_type": "quadratic_with_maker_fees",
        "fee_multiplier": 1,
        "settlement_sources": []
    })
}

async fn mount_market_lookup(server: &MockServer, ticker: &str) {
    Mock::given(method("GET"))
        .and(path(p(&format!("/markets/{ticker}"))))
        .and(Unsigned)
        .respond_with(ok(real_market()))
        .mount(server)
        .await;
}

#[tokio::test]
async fn list_markets_paginates_and_maps_every_field() {
    let server = MockServer::start().await;
    let first = real_market()["market"].clone();
    let mut second = first.clone();
    second["ticker"] = json!("KXSPACEXSTARSHIP-12-26MAY26");
    second["event_ticker"] = json!("KXOTHER-1");
    second["yes_sub_title"] = json!("Before May 27");
    second["rules_secondary"] = json!("");
    second["price_level_structure"] = json!("tapered_deci_cent");
    second["price_ranges"] = json!([
        {"start": "0.0000", "end": "0.1000", "step": "0.0010"},
        {"start": "0.1000", "end": "0.9000", "step": "0.0100"},
        {"start": "0.9000", "end": "1.0000", "step": "0.0010"}
    ]);
    second["fee_waiver_expiration_time"] = json!("2026-06-01T00:00:00Z");
    Mock::given(method("GET"))
        .and(path(p("/markets")))
        .and(query_param("status", "open"))
        .and(query_param("mve_filter", "exclude"))
        .and(query_param_is_missing("cursor"))
        .and(Unsigned)
        .respond_with(ok(json!({"markets": [first], "cursor": "page-2"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(p("/markets")))
        .and(query_param("status", "open"))
        .and(query_param("mve_filter", "exclude"))
        .and(query_param("cursor", "page-2"))
        .respond_with(ok(
            json!({"markets": [second, {"ticker": "BROKEN"}], "cursor": ""}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let mut other_event = starship_event();
    other_event["event_ticker"] = json!("KXOTHER-1");
    other_event["series_ticker"] = json!("KXOTHER");
    other_event["title"] = json!("Other question?");
    other_event["fee_type_override"] = json!("quadratic");
    other_event["fee_multiplier_override"] = json!(0.5);
    other_event["settlement_sources"] = json!([]);
    Mock::given(method("GET"))
        .and(path(p("/events")))
        .and(query_param("tickers", "KXOTHER-1,KXSPACEXSTARSHIP-12"))
        .respond_with(ok(
            json!({"events": [starship_event(), other_event], "cursor": ""}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let mut other_series = starship_series();
    other_series["ticker"] = json!("KXOTHER");
    Mock::given(method("GET"))
        .and(path(p("/series")))
        .respond_with(ok(json!({"series": [starship_series(), other_series]})))
        .expect(1)
        .mount(&server)
        .await;

    let listing = exchange(&server).list_markets().await.unwrap();
    assert!(listing.is_complete(), "{:?}", listing.gaps);
    let markets = listing.markets;
    assert_eq!(
        markets.len(),
        2,
        "the undecodable market is skipped, the others kept"
    );

    let m = &markets[0];
    assert_eq!(
        m.key,
        MarketKey::new("kalshi", "KXSPACEXSTARSHIP-12-26MAY19")
    );
    assert_eq!(m.title, "When will SpaceX launch Starship flight 12?");
    assert_eq!(m.subtitle, "Before May 20");
    assert_eq!(
        m.rules,
        "If SpaceX launches Starship flight test number 12 before May 20, 2026, then the market resolves to Yes.\n\nIf source agency data from FAA is delayed due to a data delay, then the market will expire following data updating in accordance with Kalshi Rule 6.3b."
    );
    assert_eq!(m.resolution_source.as_deref(), Some("FAA"));
    assert_eq!(
        m.close_time,
        Utc.with_ymd_and_hms(2026, 5, 20, 3, 59, 0).unwrap()
    );
    assert_eq!(m.status, MarketStatus::Open);
    assert_eq!(m.price_grid.min_price(), dec!(0.01));
    assert_eq!(m.price_grid.max_price(), dec!(0.99));
    assert!(m.price_grid.contains(price(dec!(0.37))));
    assert!(!m.price_grid.contains(price(dec!(0.375))));
    assert!(!m.price_grid.contains(Price::ZERO));
    assert!(!m.price_grid.contains(Price::ONE));
    assert_eq!(m.size_step.value(), dec!(0.01));
    assert_eq!(m.min_order_qty.value(), dec!(0.01));
    assert_eq!(
        m.fees,
        KalshiFees {
            taker_rate: dec!(0.07),
            maker_rate: dec!(0.0175),
            waived_until: None
        }
        .schedule()
    );
    assert_eq!(
        m.ext.get::<KalshiMarketExt>().unwrap().unwrap(),
        KalshiMarketExt {
            event_ticker: "KXSPACEXSTARSHIP-12".into(),
            series_ticker: "KXSPACEXSTARSHIP".into(),
            fee_type: "quadratic_with_maker_fees".into(),
            fee_multiplier: dec!(1),
            price_level_structure: Some("linear_cent".into()),
            exchange_index: None,
        }
    );

    let m = &markets[1];
    assert_eq!(m.title, "Other question?");
    assert_eq!(m.subtitle, "Before May 27");
    assert!(
        m.rules.ends_with("resolves to Yes."),
        "no empty secondary rules appended"
    );
    assert_eq!(m.resolution_source, None);
    assert_eq!(
        m.fees,
        KalshiFees {
            taker_rate: dec!(0.035),
            maker_rate: dec!(0),
            waived_until: Some(Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap()),
        }
        .schedule()
    );
    assert!(m.price_grid.contains(price(dec!(0.001))));
    assert!(m.price_grid.contains(price(dec!(0.095))));
    assert!(!m.price_grid.contains(price(dec!(0.455))));
    assert!(m.price_grid.contains(price(dec!(0.999))));
    assert_eq!(m.price_grid.max_price(), dec!(0.999));
}

/// One failing part of the catalogue costs only that part: the series list fails (so each series
/// is read on its own), one series keeps failing after its retries, and the second market page
/// fails; everything else is listed and each failure is named with the venue's answer.
#[tokio::test]
async fn a_failing_series_or_page_is_a_named_gap_and_the_rest_still_lists() {
    let server = MockServer::start().await;
    let first = real_market()["market"].clone();
    let mut second = first.clone();
    second["ticker"] = json!("KXOTHER-1-A");
    second["event_ticker"] = json!("KXOTHER-1");
    Mock::given(method("GET"))
        .and(path(p("/markets")))
        .and(query_param_is_missing("cursor"))
        .respond_with(ok(json!({"markets": [first, second], "cursor": "page-2"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(p("/markets")))
        .and(query_param("cursor", "page-2"))
        .respond_with(ResponseTemplate::new(503))
        .expect(3)
        .mount(&server)
        .await;
    let mut other_event = starship_event();
    other_event["event_ticker"] = json!("KXOTHER-1");
    other_event["series_ticker"] = json!("KXOTHER");
    Mock::given(method("GET"))
        .and(path(p("/events")))
        .respond_with(ok(
            json!({"events": [starship_event(), other_event], "cursor": ""}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(p("/series")))
        .respond_with(ResponseTemplate::new(500))
        .expect(3)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(p("/series/KXSPACEXSTARSHIP")))
        .respond_with(ok(json!({"series": starship_series()})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(p("/series/KXOTHER")))
        .respond_with(
            ResponseTemplate::new(500)
                .set_body_json(json!({"error": {"code": "internal", "message": "boom"}})),
        )
        .expect(3)
        .mount(&server)
        .await;
    let listing = exchange(&server).list_markets().await.unwrap();
    let tickers: Vec<&str> = listing
        .markets
        .iter()
        .map(|m| m.key.market.as_str())
        .collect();
    assert_eq!(tickers, ["KXSPACEXSTARSHIP-12-26MAY19"]);
    let gaps: Vec<String> = listing.gaps.iter().map(ToString::to_string).collect();
    assert_eq!(gaps.len(), 2, "{gaps:?}");
    assert!(
        gaps[0].starts_with("market pages from cursor page-2 on: "),
        "{gaps:?}"
    );
    assert!(gaps[1].starts_with("series KXOTHER: "), "{gaps:?}");
    assert!(
        gaps[1].contains("boom"),
        "the venue's answer is kept: {gaps:?}"
    );
}

#[tokio::test]
async fn a_catalogue_whose_first_page_fails_is_an_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(p("/markets")))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let err = exchange(&server).list_markets().await.unwrap_err();
    assert!(err.is_retryable(), "{err:?}");
}

#[tokio::test]
async fn one_market_uses_its_event_and_series_and_names_missing_fields() {
    let server = MockServer::start().await;
    mount_market_lookup(&server, "KXSPACEXSTARSHIP-12-26MAY19").await;
    Mock::given(method("GET"))
        .and(path(p("/events/KXSPACEXSTARSHIP-12")))
        .respond_with(ok(json!({"event": starship_event(), "markets": []})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(p("/series/KXSPACEXSTARSHIP")))
        .respond_with(ok(json!({"series": starship_series()})))
        .mount(&server)
        .await;
    let mut broken = real_market();
    broken["market"]
        .as_object_mut()
        .unwrap()
        .remove("close_time");
    Mock::given(method("GET"))
        .and(path(p("/markets/BROKEN")))
        .respond_with(ok(broken))
        .mount(&server)
        .await;
    let kalshi = exchange(&server);
    let m = kalshi
        .market(&MarketId::new("KXSPACEXSTARSHIP-12-26MAY19"))
        .await
        .unwrap();
    assert_eq!(m.title, "When will SpaceX launch Starship flight 12?");
    assert_eq!(m.status, MarketStatus::Open);
    match kalshi.market(&MarketId::new("BROKEN")).await.unwrap_err() {
        ExchangeError::Decode { what, message } => {
            assert_eq!(what, "GET /markets/{ticker}");
            assert!(message.contains("missing field `close_time`"), "{message}");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn settled_market_statuses_map_to_results() {
    use arb_kalshi::convert::market_status;
    assert_eq!(
        market_status("finalized", Some("yes")),
        Ok(MarketStatus::Settled(Outcome::Yes))
    );
    assert_eq!(
        market_status("finalized", Some("no")),
        Ok(MarketStatus::Settled(Outcome::No))
    );
    assert_eq!(
        market_status("finalized", Some("")),
        Ok(MarketStatus::Voided)
    );
    assert_eq!(
        market_status("determined", Some("yes")),
        Ok(MarketStatus::Closed)
    );
    assert_eq!(market_status("inactive", None), Ok(MarketStatus::Paused));
    assert_eq!(
        market_status("initialized", None),
        Ok(MarketStatus::Upcoming)
    );
    assert!(market_status("weird", None).unwrap_err().contains("status"));
}

fn levels(levels: &[arb_core::model::Level]) -> Vec<(Decimal, Decimal)> {
    levels
        .iter()
        .map(|l| (l.price.value(), l.qty.value()))
        .collect()
}

#[tokio::test]
async fn rest_order_book_is_bids_only_with_complement_asks() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(p("/markets/HIGHNY-24JAN01-T60/orderbook")))
        .and(Unsigned)
        .respond_with(ok(fixture("rest-get-orderbook.docs.json")))
        .mount(&server)
        .await;
    let book = exchange(&server)
        .order_book(&MarketId::new("HIGHNY-24JAN01-T60"))
        .await
        .unwrap();
    assert_eq!(book.yes.bids().len(), 12);
    assert_eq!(book.no.bids().len(), 10);
    assert_eq!(
        levels(&book.yes.bids()[..2]),
        vec![(dec!(0.42), dec!(13)), (dec!(0.41), dec!(10))]
    );
    assert_eq!(
        levels(&book.yes.asks()[..2]),
        vec![(dec!(0.44), dec!(17)), (dec!(0.55), dec!(20))]
    );
    assert_eq!(levels(&book.no.bids()[..1]), vec![(dec!(0.56), dec!(17))]);
    assert_eq!(levels(&book.no.asks()[..1]), vec![(dec!(0.58), dec!(13))]);
    assert_eq!(levels(&book.yes.asks()[9..]), vec![(dec!(0.99), dec!(100))]);
    assert!(!book.is_crossed());
}

#[tokio::test]
async fn batch_order_books_use_repeated_tickers() {
    let server = MockServer::start().await;
    let sample = fixture("rest-get-orderbook.docs.json");
    Mock::given(method("GET"))
        .and(path(p("/markets/orderbooks")))
        .and(query_param("tickers", "A"))
        .and(query_param("tickers", "B"))
        .respond_with(ok(json!({"orderbooks": [
            {"ticker": "A", "orderbook_fp": sample["orderbook_fp"]},
            {"ticker": "B", "orderbook_fp": {"yes_dollars": [], "no_dollars": [["0.0100", "100.00"]]}}
        ]})))
        .expect(1)
        .mount(&server)
        .await;
    let books = exchange(&server)
        .order_books(&[MarketId::new("A"), MarketId::new("B")])
        .await
        .unwrap();
    assert_eq!(books.len(), 2);
    assert_eq!(books[0].0, MarketId::new("A"));
    assert_eq!(
        levels(&books[0].1.yes.bids()[..1]),
        vec![(dec!(0.42), dec!(13))]
    );
    assert_eq!(books[1].0, MarketId::new("B"));
    assert!(books[1].1.yes.bids().is_empty());
    assert_eq!(levels(books[1].1.yes.asks()), vec![(dec!(0.99), dec!(100))]);
}

fn order_request(
    outcome: Outcome,
    side: Side,
    limit: Decimal,
    qty: Decimal,
    tif: TimeInForce,
) -> OrderRequest {
    OrderRequest {
        client_order_id: ClientOrderId::new("8c35ecb3-328f-4f52-8c7c-0f4b9862f8d1"),
        market: MarketKey::new("kalshi", "HIGHNY-24JAN01-T60"),
        outcome,
        side,
        limit_price: price(limit),
        qty: Qty::new(qty).unwrap(),
        time_in_force: tif,
    }
}

fn v2_examples() -> serde_json::Value {
    fixture("rest-order-v2-examples.docs.json")
}

#[tokio::test]
async fn buy_yes_posts_the_documented_v2_body_signed() {
    let server = MockServer::start().await;
    mount_market_lookup(&server, "HIGHNY-24JAN01-T60").await;
    let examples = v2_examples();
    Mock::given(method("POST"))
        .and(path(p("/portfolio/events/orders")))
        .and(SignedByReferenceKey)
        .and(body_json(json!({
            "ticker": "HIGHNY-24JAN01-T60",
            "client_order_id": "8c35ecb3-328f-4f52-8c7c-0f4b9862f8d1",
            "side": "bid",
            "count": "10.00",
            "price": "0.5600",
            "time_in_force": "good_till_canceled",
            "self_trade_prevention_type": "taker_at_cross"
        })))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(&examples["POST /portfolio/events/orders 201 response"]),
        )
        .expect(1)
        .mount(&server)
        .await;
    let request = order_request(
        Outcome::Yes,
        Side::Buy,
        dec!(0.56),
        dec!(10),
        TimeInForce::Gtc,
    );
    let order = exchange(&server).place_order(&request).await.unwrap();
    assert_eq!(order.request, request);
    assert_eq!(
        order.venue_order_id,
        Some(VenueOrderId::new("3b23c1c7-f4ef-4f0d-8b9a-9e53c61f1a0d"))
    );
    assert_eq!(order.status, OrderStatus::Open);
    assert_eq!(order.filled_qty, Qty::ZERO);
    assert_eq!(order.avg_fill_price, None);
    assert_eq!(
        order.updated_at,
        DateTime::from_timestamp_millis(1_715_793_600_123).unwrap()
    );
}

#[tokio::test]
async fn buy_no_is_an_ask_at_the_complement_and_fills_map_back() {
    let server = MockServer::start().await;
    mount_market_lookup(&server, "HIGHNY-24JAN01-T60").await;
    Mock::given(method("POST"))
        .and(path(p("/portfolio/events/orders")))
        .and(SignedByReferenceKey)
        .and(body_json(json!({
            "ticker": "HIGHNY-24JAN01-T60",
            "client_order_id": "8c35ecb3-328f-4f52-8c7c-0f4b9862f8d1",
            "side": "ask",
            "count": "5.50",
            "price": "0.4400",
            "time_in_force": "immediate_or_cancel",
            "self_trade_prevention_type": "taker_at_cross"
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "order_id": "o-1", "client_order_id": "8c35ecb3-328f-4f52-8c7c-0f4b9862f8d1",
            "fill_count": "5.00", "remaining_count": "0.00",
            "average_fill_price": "0.4300", "average_fee_paid": "0.0174", "ts_ms": 1715793600456_i64
        })))
        .expect(1)
        .mount(&server)
        .await;
    let request = order_request(
        Outcome::No,
        Side::Buy,
        dec!(0.56),
        dec!(5.5),
        TimeInForce::Ioc,
    );
    let order = exchange(&server).place_order(&request).await.unwrap();
    assert_eq!(
        order.status,
        OrderStatus::Cancelled,
        "IOC remainder cancelled after a partial fill"
    );
    assert_eq!(order.filled_qty.value(), dec!(5));
    assert_eq!(
        order.avg_fill_price,
        Some(price(dec!(0.57))),
        "YES 0.43 is NO 0.57"
    );
    assert_eq!(order.fees_paid, dec!(0.087));
}

#[tokio::test]
async fn off_grid_out_of_range_and_bad_sizes_are_refused_before_sending() {
    let server = MockServer::start().await;
    mount_market_lookup(&server, "HIGHNY-24JAN01-T60").await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let kalshi = exchange(&server);
    for (limit, qty) in [
        (dec!(0.565), dec!(1)),
        (dec!(1), dec!(1)),
        (dec!(0), dec!(1)),
        (dec!(0.56), dec!(0.005)),
        (dec!(0.56), dec!(0)),
    ] {
        let request = order_request(Outcome::Yes, Side::Buy, limit, qty, TimeInForce::Fok);
        let err = kalshi.place_order(&request).await.unwrap_err();
        assert!(
            matches!(err, ExchangeError::InvalidRequest(_)),
            "{limit} x {qty}: {err:?}"
        );
    }
    let mut foreign = order_request(
        Outcome::Yes,
        Side::Buy,
        dec!(0.5),
        dec!(1),
        TimeInForce::Fok,
    );
    foreign.market = MarketKey::new("polymarket", "HIGHNY-24JAN01-T60");
    assert!(matches!(
        kalshi.place_order(&foreign).await,
        Err(ExchangeError::InvalidRequest(_))
    ));
}

#[tokio::test]
async fn order_posts_are_never_retried() {
    let server = MockServer::start().await;
    mount_market_lookup(&server, "HIGHNY-24JAN01-T60").await;
    Mock::given(method("POST"))
        .and(path(p("/portfolio/events/orders")))
        .and(SignedByReferenceKey)
        .respond_with(
            ResponseTemplate::new(503).set_body_json(
                json!({"error": {"code": "service_unavailable", "message": "down"}}),
            ),
        )
        .expect(1)
        .mount(&server)
        .await;
    let kalshi = exchange(&server);
    let request = order_request(
        Outcome::Yes,
        Side::Buy,
        dec!(0.56),
        dec!(1),
        TimeInForce::Ioc,
    );
    let err = kalshi.place_order(&request).await.unwrap_err();
    assert!(matches!(err, ExchangeError::Unavailable(_)), "{err:?}");
    assert!(err.order_may_exist());
}

#[tokio::test]
async fn an_order_post_timeout_is_reported_once_and_may_exist() {
    let server = MockServer::start().await;
    mount_market_lookup(&server, "HIGHNY-24JAN01-T60").await;
    Mock::given(method("POST"))
        .and(path(p("/portfolio/events/orders")))
        .respond_with(ResponseTemplate::new(201).set_delay(Duration::from_secs(2)))
        .expect(1)
        .mount(&server)
        .await;
    let request = order_request(
        Outcome::Yes,
        Side::Buy,
        dec!(0.56),
        dec!(1),
        TimeInForce::Ioc,
    );
    let err = exchange(&server).place_order(&request).await.unwrap_err();
    assert!(matches!(err, ExchangeError::Timeout(_)), "{err:?}");
    assert!(err.order_may_exist());
}

#[tokio::test]
async fn reads_retry_429_then_succeed_and_balance_is_in_dollars() {
    let server = MockServer::start().await;
    let limited = fixture("rest-errors.real.json")["429 rate limited (docs.kalshi.com/getting_started/rate_limits, documented body)"].clone();
    Mock::given(method("GET"))
        .and(path(p("/portfolio/balance")))
        .respond_with(ResponseTemplate::new(429).set_body_json(limited))
        .up_to_n_times(2)
        .expect(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(p("/portfolio/balance")))
        .and(SignedByReferenceKey)
        .respond_with(ok(
            json!({"balance": 12345, "portfolio_value": 5000, "updated_ts": 1715793600}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let balance = exchange(&server).balance().await.unwrap();
    assert_eq!(balance.available, dec!(123.45));
    assert_eq!(balance.total, dec!(123.45));
    assert_eq!(balance.venue.as_str(), "kalshi");
}

#[tokio::test]
async fn reads_give_up_after_the_retry_budget() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(p("/portfolio/balance")))
        .respond_with(
            ResponseTemplate::new(429).set_body_json(json!({"error": "too many requests"})),
        )
        .expect(3)
        .mount(&server)
        .await;
    let err = exchange(&server).balance().await.unwrap_err();
    assert!(
        matches!(err, ExchangeError::RateLimited { retry_after: None }),
        "{err:?}"
    );
}

#[tokio::test]
async fn read_timeouts_are_retried_then_reported() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(p("/portfolio/balance")))
        .respond_with(ok(json!({"balance": 1})).set_delay(Duration::from_secs(2)))
        .expect(3)
        .mount(&server)
        .await;
    let err = exchange(&server).balance().await.unwrap_err();
    assert!(matches!(err, ExchangeError::Timeout(_)), "{err:?}");
}

#[tokio::test]
async fn balance_prefers_exact_dollars() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(p("/portfolio/balance")))
        .and(SignedByReferenceKey)
        .respond_with(ok(json!({"balance": 12345, "balance_dollars": "123.4567", "portfolio_value": 0, "updated_ts": 1})))
        .mount(&server)
        .await;
    assert_eq!(
        exchange(&server).balance().await.unwrap().available,
        dec!(123.4567)
    );
}

#[tokio::test]
async fn every_error_shape_maps_to_a_typed_error() {
    let errors = fixture("rest-errors.real.json");
    let pick = |prefix: &str| {
        errors
            .as_object()
            .unwrap()
            .iter()
            .find(|(k, _)| k.starts_with(prefix))
            .unwrap()
            .1
            .clone()
    };
    let server = MockServer::start().await;
    type Check = Box<dyn Fn(&ExchangeError) -> bool>;
    let cases: Vec<(u16, serde_json::Value, Check)> = vec![
        (
            400,
            pick("400 invalid_order"),
            Box::new(
                |e| matches!(e, ExchangeError::Rejected { code, message } if code == "invalid_order" && message == "invalid order: exactly one of yes_price, no_price, yes_price_dollars, or no_price_dollars should be provided"),
            ),
        ),
        (
            400,
            pick("400 invalid_price"),
            Box::new(
                |e| matches!(e, ExchangeError::Rejected { code, message } if code == "invalid_price" && message == "invalid price"),
            ),
        ),
        (
            200,
            pick("legacy V1"),
            Box::new(
                |e| matches!(e, ExchangeError::Rejected { code, message } if code == "deprecated_v1_order_endpoint" && message.starts_with("Please switch to the V2 endpoints")),
            ),
        ),
        (
            400,
            json!({"code": "invalid_order_size", "message": "bad size", "details": "min 0.01"}),
            Box::new(
                |e| matches!(e, ExchangeError::Rejected { code, message } if code == "invalid_order_size" && message == "bad size: min 0.01"),
            ),
        ),
        (
            400,
            json!({"error": {"code": "available_balance_too_low", "message": "no money"}}),
            Box::new(
                |e| matches!(e, ExchangeError::InsufficientBalance(m) if m.contains("no money")),
            ),
        ),
        (
            409,
            json!({"error": {"code": "order_already_exists", "message": "duplicate client_order_id"}}),
            Box::new(
                |e| matches!(e, ExchangeError::Rejected { code, .. } if code == "order_already_exists"),
            ),
        ),
        (
            404,
            json!({"error": {"code": "not_found", "message": "no such market"}}),
            Box::new(|e| matches!(e, ExchangeError::NotFound(_))),
        ),
        (
            401,
            json!({"error": {"code": "authentication_error", "message": "bad signature"}}),
            Box::new(|e| matches!(e, ExchangeError::Auth(m) if m.contains("bad signature"))),
        ),
        (
            429,
            pick("429 rate limited"),
            Box::new(|e| matches!(e, ExchangeError::RateLimited { .. })),
        ),
        (
            502,
            json!({}),
            Box::new(|e| matches!(e, ExchangeError::Unavailable(_))),
        ),
        (
            400,
            json!("plain"),
            Box::new(|e| matches!(e, ExchangeError::Rejected { code, .. } if code == "http_400")),
        ),
    ];
    mount_market_lookup(&server, "HIGHNY-24JAN01-T60").await;
    for (status, body, check) in cases {
        server.reset().await;
        mount_market_lookup(&server, "HIGHNY-24JAN01-T60").await;
        Mock::given(method("POST"))
            .and(path(p("/portfolio/events/orders")))
            .and(SignedByReferenceKey)
            .respond_with(ResponseTemplate::new(status).set_body_json(&body))
            .expect(1)
            .mount(&server)
            .await;
        let request = order_request(
            Outcome::Yes,
            Side::Buy,
            dec!(0.56),
            dec!(1),
            TimeInForce::Ioc,
        );
        let err = exchange(&server).place_order(&request).await.unwrap_err();
        assert!(check(&err), "{status} {body}: {err:?}");
        server.verify().await;
    }
}

fn wire_order(status: &str) -> serde_json::Value {
    json!({
        "order_id": "3b23c1c7-f4ef-4f0d-8b9a-9e53c61f1a0d",
        "user_id": "u-1",
        "client_order_id": "8c35ecb3-328f-4f52-8c7c-0f4b9862f8d1",
        "ticker": "HIGHNY-24JAN01-T60",
        "outcome_side": "no",
        "book_side": "ask",
        "side": "no",
        "action": "buy",
        "type": "limit",
        "status": status,
        "yes_price_dollars": "0.5600",
        "no_price_dollars": "0.4400",
        "fill_count_fp": "4.00",
        "remaining_count_fp": if status == "resting" { "6.00" } else { "0.00" },
        "initial_count_fp": "10.00",
        "taker_fill_cost_dollars": "1.7600",
        "maker_fill_cost_dollars": "0.0000",
        "taker_fees_dollars": "0.0700",
        "maker_fees_dollars": "0.0000",
        "created_time": "2026-05-13T01:51:41.778164Z",
        "last_update_time": "2026-05-13T01:52:00Z",
        "self_trade_prevention_type": "taker_at_cross"
    })
}

#[tokio::test]
async fn order_reads_map_status_fills_and_fees() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(p(
            "/portfolio/orders/3b23c1c7-f4ef-4f0d-8b9a-9e53c61f1a0d",
        )))
        .and(SignedByReferenceKey)
        .respond_with(ok(json!({"order": wire_order("resting")})))
        .mount(&server)
        .await;
    let order = exchange(&server)
        .order(&VenueOrderId::new("3b23c1c7-f4ef-4f0d-8b9a-9e53c61f1a0d"))
        .await
        .unwrap();
    assert_eq!(order.request.outcome, Outcome::No);
    assert_eq!(order.request.side, Side::Buy);
    assert_eq!(order.request.limit_price, price(dec!(0.44)));
    assert_eq!(order.request.qty.value(), dec!(10));
    assert_eq!(
        order.request.client_order_id,
        ClientOrderId::new("8c35ecb3-328f-4f52-8c7c-0f4b9862f8d1")
    );
    assert_eq!(order.status, OrderStatus::PartiallyFilled);
    assert_eq!(order.filled_qty.value(), dec!(4));
    assert_eq!(order.avg_fill_price, Some(price(dec!(0.44))));
    assert_eq!(order.fees_paid, dec!(0.07));
    assert_eq!(
        order.updated_at,
        Utc.with_ymd_and_hms(2026, 5, 13, 1, 52, 0).unwrap()
    );
}

#[tokio::test]
async fn cancel_uses_the_v2_delete_then_reads_the_final_state() {
    let server = MockServer::start().await;
    let examples = v2_examples();
    Mock::given(method("DELETE"))
        .and(path(p(
            "/portfolio/events/orders/3b23c1c7-f4ef-4f0d-8b9a-9e53c61f1a0d",
        )))
        .and(SignedByReferenceKey)
        .respond_with(ok(
            examples["DELETE /portfolio/events/orders/{order_id} 200 response"].clone(),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(p(
            "/portfolio/orders/3b23c1c7-f4ef-4f0d-8b9a-9e53c61f1a0d",
        )))
        .and(SignedByReferenceKey)
        .respond_with(ok(json!({"order": wire_order("canceled")})))
        .expect(1)
        .mount(&server)
        .await;
    let order = exchange(&server)
        .cancel_order(&VenueOrderId::new("3b23c1c7-f4ef-4f0d-8b9a-9e53c61f1a0d"))
        .await
        .unwrap();
    assert_eq!(order.status, OrderStatus::Cancelled);
    assert_eq!(order.filled_qty.value(), dec!(4));
    assert_eq!(order.remaining_qty(), Qty::ZERO);
}

#[tokio::test]
async fn order_by_client_id_searches_every_page() {
    let server = MockServer::start().await;
    let mut other = wire_order("executed");
    other["order_id"] = json!("other");
    other["client_order_id"] = json!("someone-else");
    Mock::given(method("GET"))
        .and(path(p("/portfolio/orders")))
        .and(query_param_is_missing("cursor"))
        .and(SignedByReferenceKey)
        .respond_with(ok(json!({"orders": [other], "cursor": "next"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(p("/portfolio/orders")))
        .and(query_param("cursor", "next"))
        .and(SignedByReferenceKey)
        .respond_with(ok(
            json!({"orders": [wire_order("executed")], "cursor": ""}),
        ))
        .mount(&server)
        .await;
    let kalshi = exchange(&server);
    let found = kalshi
        .order_by_client_id(&ClientOrderId::new("8c35ecb3-328f-4f52-8c7c-0f4b9862f8d1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        found.venue_order_id,
        Some(VenueOrderId::new("3b23c1c7-f4ef-4f0d-8b9a-9e53c61f1a0d"))
    );
    assert_eq!(found.status, OrderStatus::Filled);
    assert_eq!(
        kalshi
            .order_by_client_id(&ClientOrderId::new("never-sent"))
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn fills_since_paginate_and_map_outcome_price_and_fee() {
    let server = MockServer::start().await;
    let since = Utc.with_ymd_and_hms(2026, 5, 13, 0, 0, 0).unwrap();
    let fill = |id: &str, outcome: &str, book: &str, taker: bool| {
        json!({
            "fill_id": id, "trade_id": id, "order_id": "o-9",
            "ticker": "HIGHNY-24JAN01-T60", "market_ticker": "HIGHNY-24JAN01-T60",
            "outcome_side": outcome, "book_side": book,
            "count_fp": "2.50", "yes_price_dollars": "0.3600", "no_price_dollars": "0.6400",
            "is_taker": taker, "fee_cost": "0.0403",
            "created_time": "2026-05-13T02:00:00.5Z", "ts": 1778637600
        })
    };
    Mock::given(method("GET"))
        .and(path(p("/portfolio/fills")))
        .and(query_param("min_ts", since.timestamp().to_string()))
        .and(query_param_is_missing("cursor"))
        .and(SignedByReferenceKey)
        .respond_with(ok(
            json!({"fills": [fill("f-1", "yes", "bid", true)], "cursor": "2"}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(p("/portfolio/fills")))
        .and(query_param("cursor", "2"))
        .and(SignedByReferenceKey)
        .respond_with(ok(
            json!({"fills": [fill("f-2", "no", "ask", false)], "cursor": null}),
        ))
        .mount(&server)
        .await;
    let fills = exchange(&server).fills_since(since).await.unwrap();
    assert_eq!(fills.len(), 2);
    let f = &fills[0];
    assert_eq!(
        (f.outcome, f.side, f.price, f.qty.value()),
        (Outcome::Yes, Side::Buy, price(dec!(0.36)), dec!(2.5))
    );
    assert_eq!((f.fee, f.liquidity), (dec!(0.0403), Liquidity::Taker));
    assert_eq!(
        f.ts,
        DateTime::parse_from_rfc3339("2026-05-13T02:00:00.5Z").unwrap()
    );
    assert_eq!(f.venue_order_id, VenueOrderId::new("o-9"));
    let f = &fills[1];
    assert_eq!(
        (f.outcome, f.side, f.price, f.liquidity),
        (Outcome::No, Side::Buy, price(dec!(0.64)), Liquidity::Maker)
    );
}

#[tokio::test]
async fn positions_are_signed_negative_is_no() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(p("/portfolio/positions")))
        .and(SignedByReferenceKey)
        .respond_with(ok(json!({
            "market_positions": [
                {"ticker": "A", "position_fp": "-12.50", "market_exposure_dollars": "5.0000", "realized_pnl_dollars": "1.2500", "fees_paid_dollars": "0.3100", "total_traded_dollars": "9.0000", "last_updated_ts": "2026-05-13T02:00:00Z"},
                {"ticker": "B", "position_fp": "0.00", "market_exposure_dollars": "0.0000"},
                {"ticker": "C", "position_fp": "3.00", "market_exposure_dollars": "1.2000", "realized_pnl_dollars": "0.0000", "fees_paid_dollars": "0.0500"}
            ],
            "event_positions": [],
            "cursor": ""
        })))
        .mount(&server)
        .await;
    let positions = exchange(&server).positions().await.unwrap();
    assert_eq!(positions.len(), 2);
    let a = &positions[0];
    assert_eq!(
        (a.market.market.as_str(), a.outcome, a.qty.value()),
        ("A", Outcome::No, dec!(12.5))
    );
    assert_eq!(
        (a.avg_price, a.realized_pnl, a.fees_paid),
        (Some(price(dec!(0.4))), dec!(1.25), dec!(0.31))
    );
    let c = &positions[1];
    assert_eq!(
        (
            c.market.market.as_str(),
            c.outcome,
            c.qty.value(),
            c.avg_price
        ),
        ("C", Outcome::Yes, dec!(3), Some(price(dec!(0.4))))
    );
}

#[tokio::test]
async fn public_data_needs_no_credentials_and_trading_does() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(p("/markets/T/orderbook")))
        .and(Unsigned)
        .respond_with(ok(
            json!({"orderbook_fp": {"yes_dollars": [["0.5000", "1.00"]]}}),
        ))
        .mount(&server)
        .await;
    let mut c = config(&server);
    c.credentials = None;
    let kalshi = KalshiExchange::new(c).unwrap();
    let book = kalshi.order_book(&MarketId::new("T")).await.unwrap();
    assert_eq!(levels(book.yes.bids()), vec![(dec!(0.5), dec!(1))]);
    assert!(matches!(
        kalshi.balance().await,
        Err(ExchangeError::Unsupported(_))
    ));
    let request = order_request(
        Outcome::Yes,
        Side::Buy,
        dec!(0.56),
        dec!(1),
        TimeInForce::Ioc,
    );
    assert!(matches!(
        kalshi.place_order(&request).await,
        Err(ExchangeError::Unsupported(_))
    ));
    assert!(matches!(
        kalshi.subscribe_books(&[MarketId::new("T")]).await,
        Err(ExchangeError::Unsupported(_))
    ));
}

#[test]
fn hosts_default_to_production_and_demo_is_one_setting() {
    let prod = KalshiConfig::default();
    assert_eq!(
        prod.rest_url,
        "https://external-api.kalshi.com/trade-api/v2"
    );
    assert_eq!(
        prod.ws_url,
        "wss://external-api-ws.kalshi.com/trade-api/ws/v2"
    );
    let demo = KalshiConfig::for_environment(arb_kalshi::Environment::Demo);
    assert_eq!(
        demo.rest_url,
        "https://external-api.demo.kalshi.co/trade-api/v2"
    );
    assert_eq!(
        demo.ws_url,
        "wss://external-api-ws.demo.kalshi.co/trade-api/ws/v2"
    );
    let debug = format!("{:?}", prod.with_credentials(credentials()));
    assert!(
        debug.contains("<redacted>") && !debug.contains("MIIE"),
        "{debug}"
    );
}

#[test]
fn the_mock_signature_check_rejects_a_wrong_path_timestamp_or_method() {
    let creds = credentials();
    let h = creds
        .headers(1_703_123_456_789, "GET", "/trade-api/v2/portfolio/balance")
        .unwrap();
    let check = |ts: &str, m: &str, path: &str| {
        common::verify_headers(Some(&h.key_id), Some(ts), Some(&h.signature), m, path)
    };
    assert!(check(
        &h.timestamp_ms,
        "GET",
        "/trade-api/v2/portfolio/balance"
    ));
    assert!(!check(&h.timestamp_ms, "GET", "/portfolio/balance"));
    assert!(!check(
        "1703123456790",
        "GET",
        "/trade-api/v2/portfolio/balance"
    ));
    assert!(!check(
        &h.timestamp_ms,
        "POST",
        "/trade-api/v2/portfolio/balance"
    ));
}

#[tokio::test]
async fn order_book_answers_are_tapped_byte_for_byte_before_parsing() {
    let server = MockServer::start().await;
    // Spacing no serialiser would produce: the tap must hand over the body as received.
    let single = r#"{"orderbook_fp":  {"yes_dollars": [["0.4200", "13.00"]], "no_dollars": []}}"#;
    let batch = r#"{"orderbooks": [ {"ticker": "A", "orderbook_fp": {"yes_dollars": [], "no_dollars": [["0.0100", "100.00"]]}} ]}"#;
    Mock::given(method("GET"))
        .and(path(p("/markets/T/orderbook")))
        .respond_with(ResponseTemplate::new(200).set_body_string(single))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(p("/markets/orderbooks")))
        .respond_with(ResponseTemplate::new(200).set_body_string(batch))
        .mount(&server)
        .await;
    let tap = Arc::new(MemoryTap::default());
    let kalshi = exchange(&server).with_raw_tap(tap.clone());
    let book = kalshi.order_book(&MarketId::new("T")).await.unwrap();
    assert_eq!(levels(book.yes.bids()), vec![(dec!(0.42), dec!(13))]);
    kalshi.order_books(&[MarketId::new("A")]).await.unwrap();
    let tapped = tap.take();
    let message = |market: Option<&str>, payload: &str| TappedMessage {
        venue: "kalshi".into(),
        format: "kalshi.rest.orderbook".into(),
        market: market.map(MarketId::new),
        payload: payload.to_owned(),
    };
    assert_eq!(
        tapped,
        vec![message(Some("T"), single), message(None, batch)]
    );
}
