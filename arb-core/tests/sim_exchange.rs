//! `SimExchange` through the `Exchange` trait: order types, fills, fees, balance, latency, faults,
//! streams and settlement.

// Test helpers outside `#[test]` functions unwrap fixtures that are known to be valid.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use arb_core::clock::{ManualClock, SequentialIds};
use arb_core::exchange::{BookEvent, Exchange, ExchangeError};
use arb_core::fees::{FeeModel, FeeRule, FeeSchedule};
use arb_core::model::{
    ClientOrderId, Level, Liquidity, MarketId, MarketKey, MarketStatus, Order, OrderRequest,
    OrderStatus, Outcome, Price, Qty, Side, TimeInForce,
};
use arb_core::sim::{Fault, SimConfig, SimExchange, binary_market, levels};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp(1_700_000_000, 0).unwrap()
}

fn m1() -> MarketId {
    MarketId::new("RAIN")
}

fn p(d: Decimal) -> Price {
    Price::new(d).unwrap()
}

fn q(d: Decimal) -> Qty {
    Qty::new(d).unwrap()
}

/// Venue `sim-a` with one market whose YES book is bids 0.40×10, 0.39×20 / asks 0.42×5,
/// 0.43×7, 0.45×50.
fn venue_with(cash: Decimal, fees: FeeSchedule) -> (SimExchange, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(t0()));
    let ex = SimExchange::new(
        SimConfig::new("sim-a", cash),
        clock.clone(),
        Arc::new(SequentialIds::default()),
    );
    ex.add_market(
        binary_market(
            MarketKey::new("sim-a", "RAIN"),
            "Will it rain?",
            fees,
            t0() + chrono::Duration::days(30),
        )
        .unwrap(),
    )
    .unwrap();
    ex.set_book(
        &m1(),
        &levels(&[(dec!(0.40), dec!(10)), (dec!(0.39), dec!(20))]).unwrap(),
        &levels(&[
            (dec!(0.42), dec!(5)),
            (dec!(0.43), dec!(7)),
            (dec!(0.45), dec!(50)),
        ])
        .unwrap(),
    )
    .unwrap();
    (ex, clock)
}

fn venue() -> SimExchange {
    venue_with(dec!(1000), FeeSchedule::FREE).0
}

fn kalshi() -> FeeSchedule {
    FeeSchedule::taker_only(FeeRule::quadratic(
        dec!(0.07),
        dec!(0.0001),
        Some(dec!(0.01)),
    ))
}

fn req(
    id: &str,
    outcome: Outcome,
    side: Side,
    price: Decimal,
    qty: Decimal,
    tif: TimeInForce,
) -> OrderRequest {
    OrderRequest {
        client_order_id: ClientOrderId::new(id),
        market: MarketKey::new("sim-a", "RAIN"),
        outcome,
        side,
        limit_price: p(price),
        qty: q(qty),
        time_in_force: tif,
    }
}

fn buy_yes(id: &str, price: Decimal, qty: Decimal, tif: TimeInForce) -> OrderRequest {
    req(id, Outcome::Yes, Side::Buy, price, qty, tif)
}

fn fill_prices(fills: &[arb_core::model::Fill]) -> Vec<(Decimal, Decimal)> {
    fills
        .iter()
        .map(|f| (f.price.value(), f.qty.value()))
        .collect()
}

async fn yes_asks(ex: &SimExchange) -> Vec<(Decimal, Decimal)> {
    let book = ex.order_book(&m1()).await.unwrap();
    book.yes
        .asks()
        .iter()
        .map(|l| (l.price.value(), l.qty.value()))
        .collect()
}

async fn yes_bids(ex: &SimExchange) -> Vec<(Decimal, Decimal)> {
    let book = ex.order_book(&m1()).await.unwrap();
    book.yes
        .bids()
        .iter()
        .map(|l| (l.price.value(), l.qty.value()))
        .collect()
}

async fn cash(ex: &SimExchange) -> (Decimal, Decimal) {
    let b = ex.balance().await.unwrap();
    (b.available, b.total)
}

#[tokio::test]
async fn fok_fills_completely_across_levels() {
    let ex = venue();
    let order = ex
        .place_order(&buy_yes("c1", dec!(0.43), dec!(12), TimeInForce::Fok))
        .await
        .unwrap();
    assert_eq!(order.status, OrderStatus::Filled);
    assert_eq!(order.filled_qty, q(dec!(12)));
    assert_eq!(order.avg_fill_price, Some(p(dec!(5.11) / dec!(12))));
    let fills = ex.fills_since(t0()).await.unwrap();
    assert_eq!(
        fill_prices(&fills),
        vec![(dec!(0.42), dec!(5)), (dec!(0.43), dec!(7))]
    );
    assert!(fills.iter().all(|f| f.liquidity == Liquidity::Taker));
    assert_eq!(cash(&ex).await, (dec!(994.89), dec!(994.89)));
    assert_eq!(yes_asks(&ex).await, vec![(dec!(0.45), dec!(50))]);
}

#[tokio::test]
async fn fok_without_enough_depth_is_killed_and_changes_nothing() {
    let ex = venue();
    let order = ex
        .place_order(&buy_yes("c1", dec!(0.43), dec!(13), TimeInForce::Fok))
        .await
        .unwrap();
    assert_eq!(order.status, OrderStatus::Cancelled);
    assert_eq!(order.filled_qty, Qty::ZERO);
    assert!(order.reason.unwrap().contains("fill-or-kill"));
    assert!(ex.fills_since(t0()).await.unwrap().is_empty());
    assert_eq!(cash(&ex).await, (dec!(1000), dec!(1000)));
    assert_eq!(
        yes_asks(&ex).await,
        vec![
            (dec!(0.42), dec!(5)),
            (dec!(0.43), dec!(7)),
            (dec!(0.45), dec!(50))
        ]
    );
}

#[tokio::test]
async fn ioc_fills_what_is_available_and_cancels_the_rest() {
    let ex = venue();
    let order = ex
        .place_order(&buy_yes("c1", dec!(0.43), dec!(20), TimeInForce::Ioc))
        .await
        .unwrap();
    assert_eq!(order.status, OrderStatus::Cancelled);
    assert_eq!(order.filled_qty, q(dec!(12)));
    assert_eq!(order.remaining_qty(), Qty::ZERO);
    let positions = ex.positions().await.unwrap();
    assert_eq!(positions.len(), 1);
    assert_eq!(positions[0].qty, q(dec!(12)));
    assert_eq!(positions[0].outcome, Outcome::Yes);
    // Nothing of an IOC rests.
    assert_eq!(yes_bids(&ex).await[0], (dec!(0.40), dec!(10)));
}

#[tokio::test]
async fn gtc_partially_fills_then_rests_and_reserves_cash() {
    let ex = venue();
    let order = ex
        .place_order(&buy_yes("c1", dec!(0.42), dec!(8), TimeInForce::Gtc))
        .await
        .unwrap();
    assert_eq!(order.status, OrderStatus::PartiallyFilled);
    assert_eq!(order.filled_qty, q(dec!(5)));
    assert_eq!(yes_bids(&ex).await[0], (dec!(0.42), dec!(3)));
    // 1000 − 5 × 0.42 paid; 3 × 0.42 set aside for the resting rest.
    assert_eq!(cash(&ex).await, (dec!(996.64), dec!(997.90)));
    let id = order.venue_order_id.unwrap();
    let cancelled = ex.cancel_order(&id).await.unwrap();
    assert_eq!(cancelled.status, OrderStatus::Cancelled);
    assert_eq!(cancelled.filled_qty, q(dec!(5)));
    assert_eq!(cash(&ex).await, (dec!(997.90), dec!(997.90)));
    assert_eq!(yes_bids(&ex).await[0], (dec!(0.40), dec!(10)));
}

#[tokio::test]
async fn gtc_rests_then_fills_from_external_flow_and_book_moves() {
    let ex = venue();
    let order = ex
        .place_order(&buy_yes("c1", dec!(0.41), dec!(8), TimeInForce::Gtc))
        .await
        .unwrap();
    assert_eq!(order.status, OrderStatus::Open);
    let id = order.venue_order_id.unwrap();
    assert_eq!(yes_bids(&ex).await[0], (dec!(0.41), dec!(8)));

    // Another trader sells 5 down to 0.40: our bid at 0.41 is first in line.
    let traded = ex
        .cross_resting(&m1(), Outcome::Yes, Side::Sell, p(dec!(0.40)), q(dec!(5)))
        .unwrap();
    assert_eq!(traded, q(dec!(5)));
    let o = ex.order(&id).await.unwrap();
    assert_eq!(o.status, OrderStatus::PartiallyFilled);
    assert_eq!(o.filled_qty, q(dec!(5)));

    // The scripted book moves through our bid: the rest fills at our price.
    ex.set_book(
        &m1(),
        &levels(&[(dec!(0.38), dec!(10))]).unwrap(),
        &levels(&[(dec!(0.40), dec!(10))]).unwrap(),
    )
    .unwrap();
    let o = ex.order(&id).await.unwrap();
    assert_eq!(o.status, OrderStatus::Filled);
    assert_eq!(o.avg_fill_price, Some(p(dec!(0.41))));
    let fills = ex.fills_since(t0()).await.unwrap();
    assert_eq!(
        fill_prices(&fills),
        vec![(dec!(0.41), dec!(5)), (dec!(0.41), dec!(3))]
    );
    assert!(fills.iter().all(|f| f.liquidity == Liquidity::Maker));
    assert_eq!(yes_asks(&ex).await, vec![(dec!(0.40), dec!(7))]);
    assert_eq!(cash(&ex).await, (dec!(996.72), dec!(996.72)));
}

#[tokio::test]
async fn kalshi_fees_are_charged_exactly_per_order() {
    let (ex, _) = venue_with(dec!(1000), kalshi());
    let order = ex
        .place_order(&buy_yes("c1", dec!(0.43), dec!(12), TimeInForce::Ioc))
        .await
        .unwrap();
    let expected = kalshi().order_fee(
        &levels(&[(dec!(0.42), dec!(5)), (dec!(0.43), dec!(7))]).unwrap(),
        Liquidity::Taker,
    );
    // 0.07·5·0.42·0.58 = 0.08526 → 0.0853; 0.07·7·0.43·0.57 = 0.120099 → 0.1201; 0.2054 → $0.21.
    assert_eq!(expected, dec!(0.21));
    assert_eq!(order.fees_paid, expected);
    let fills = ex.fills_since(t0()).await.unwrap();
    assert_eq!(fills.iter().map(|f| f.fee).sum::<Decimal>(), expected);
    assert_eq!(cash(&ex).await.1, dec!(1000) - dec!(5.11) - dec!(0.21));
    let pos = &ex.positions().await.unwrap()[0];
    assert_eq!(pos.fees_paid, dec!(0.21));
}

#[tokio::test]
async fn order_beyond_the_balance_is_rejected_with_nothing_filled() {
    // 12 × 0.43 = 5.16, plus at most 0.07·12·0.43·0.57 = 0.205884 → $0.21 of fees.
    let (ex, _) = venue_with(dec!(5.36), kalshi());
    let err = ex
        .place_order(&buy_yes("c1", dec!(0.43), dec!(12), TimeInForce::Ioc))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ExchangeError::InsufficientBalance(_)),
        "{err}"
    );
    assert!(!err.is_retryable());
    assert!(ex.fills_since(t0()).await.unwrap().is_empty());
    assert_eq!(
        ex.order_by_client_id(&ClientOrderId::new("c1"))
            .await
            .unwrap(),
        None
    );
    assert_eq!(yes_asks(&ex).await[0], (dec!(0.42), dec!(5)));

    let (ex, _) = venue_with(dec!(5.37), kalshi());
    let order = ex
        .place_order(&buy_yes("c1", dec!(0.43), dec!(12), TimeInForce::Ioc))
        .await
        .unwrap();
    assert_eq!(order.status, OrderStatus::Filled);
    assert_eq!(cash(&ex).await.1, dec!(5.37) - dec!(5.11) - dec!(0.21));
}

#[tokio::test]
async fn selling_more_than_held_is_rejected() {
    let ex = venue();
    ex.place_order(&buy_yes("b", dec!(0.42), dec!(5), TimeInForce::Ioc))
        .await
        .unwrap();
    let err = ex
        .place_order(&req(
            "s1",
            Outcome::Yes,
            Side::Sell,
            dec!(0.40),
            dec!(6),
            TimeInForce::Ioc,
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ExchangeError::InsufficientBalance(_)),
        "{err}"
    );
    let err = ex
        .place_order(&req(
            "s2",
            Outcome::No,
            Side::Sell,
            dec!(0.50),
            dec!(1),
            TimeInForce::Ioc,
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ExchangeError::InsufficientBalance(_)),
        "{err}"
    );

    let sold = ex
        .place_order(&req(
            "s3",
            Outcome::Yes,
            Side::Sell,
            dec!(0.40),
            dec!(5),
            TimeInForce::Ioc,
        ))
        .await
        .unwrap();
    assert_eq!(sold.status, OrderStatus::Filled);
    assert!(ex.positions().await.unwrap().is_empty());
    let closed = ex.position(&m1(), Outcome::Yes).unwrap();
    // Bought 5 at 0.42, sold 5 at 0.40.
    assert_eq!(closed.realized_pnl, dec!(-0.10));
    assert_eq!(cash(&ex).await.1, dec!(999.90));
}

#[tokio::test]
async fn buying_no_consumes_yes_bids_at_the_complement() {
    let ex = venue();
    let no_book = ex.order_book(&m1()).await.unwrap().no;
    assert_eq!(no_book.best_ask().unwrap().price, p(dec!(0.60)));
    let order = ex
        .place_order(&req(
            "n1",
            Outcome::No,
            Side::Buy,
            dec!(0.60),
            dec!(15),
            TimeInForce::Ioc,
        ))
        .await
        .unwrap();
    assert_eq!(order.filled_qty, q(dec!(10)));
    assert_eq!(order.avg_fill_price, Some(p(dec!(0.60))));
    let fills = ex.fills_since(t0()).await.unwrap();
    assert_eq!(fill_prices(&fills), vec![(dec!(0.60), dec!(10))]);
    assert_eq!(fills[0].outcome, Outcome::No);
    assert_eq!(yes_bids(&ex).await, vec![(dec!(0.39), dec!(20))]);
    let pos = &ex.positions().await.unwrap()[0];
    assert_eq!((pos.outcome, pos.qty), (Outcome::No, q(dec!(10))));
    assert_eq!(cash(&ex).await.1, dec!(994));
}

#[tokio::test]
async fn a_duplicate_client_order_id_returns_the_existing_order() {
    let ex = venue();
    let request = buy_yes("same", dec!(0.42), dec!(5), TimeInForce::Ioc);
    let first = ex.place_order(&request).await.unwrap();
    let second = ex.place_order(&request).await.unwrap();
    assert_eq!(first, second);
    assert_eq!(ex.fills_since(t0()).await.unwrap().len(), 1);
    assert_eq!(ex.positions().await.unwrap()[0].qty, q(dec!(5)));
}

#[tokio::test]
async fn invalid_orders_are_refused_with_the_reason() {
    let ex = venue();
    for (price, qty) in [
        (dec!(0.425), dec!(5)),
        (dec!(0.42), dec!(1.5)),
        (dec!(0.42), dec!(0)),
    ] {
        let err = ex
            .place_order(&buy_yes("bad", price, qty, TimeInForce::Ioc))
            .await
            .unwrap_err();
        assert!(matches!(err, ExchangeError::InvalidRequest(_)), "{err}");
    }
    let mut unknown = buy_yes("u", dec!(0.42), dec!(5), TimeInForce::Ioc);
    unknown.market = MarketKey::new("sim-a", "NOPE");
    assert!(matches!(
        ex.place_order(&unknown).await.unwrap_err(),
        ExchangeError::NotFound(_)
    ));
    let mut market = ex.market(&m1()).await.unwrap();
    market.status = MarketStatus::Paused;
    ex.add_market(market).unwrap();
    let err = ex
        .place_order(&buy_yes("c", dec!(0.42), dec!(5), TimeInForce::Ioc))
        .await
        .unwrap_err();
    assert!(matches!(err, ExchangeError::Rejected { ref code, .. } if code == "market_not_open"));
    assert!(ex.list_markets().await.unwrap().markets.is_empty());
}

#[tokio::test]
async fn our_orders_never_trade_with_each_other() {
    let ex = venue();
    ex.place_order(&buy_yes("bid", dec!(0.41), dec!(3), TimeInForce::Gtc))
        .await
        .unwrap();
    // A NO buy at 0.60 is a YES sell at 0.40: it would hit our own 0.41 bid first.
    let err = ex
        .place_order(&req(
            "no",
            Outcome::No,
            Side::Buy,
            dec!(0.60),
            dec!(5),
            TimeInForce::Ioc,
        ))
        .await
        .unwrap_err();
    assert!(matches!(err, ExchangeError::Rejected { ref code, .. } if code == "self_trade"));
    assert!(ex.fills_since(t0()).await.unwrap().is_empty());
}

#[tokio::test(start_paused = true)]
async fn every_call_takes_the_configured_latency() {
    let ex = venue();
    ex.set_latency(Duration::from_millis(250));
    let start = tokio::time::Instant::now();
    ex.balance().await.unwrap();
    assert_eq!(start.elapsed(), Duration::from_millis(250));
    let start = tokio::time::Instant::now();
    ex.place_order(&buy_yes("c1", dec!(0.42), dec!(1), TimeInForce::Ioc))
        .await
        .unwrap();
    ex.order_book(&m1()).await.unwrap();
    assert_eq!(start.elapsed(), Duration::from_millis(500));
}

#[tokio::test]
async fn injected_rejection_refuses_the_next_order_only() {
    let ex = venue();
    ex.inject(Fault::RejectNextOrder {
        code: "risk".into(),
        message: "simulated refusal".into(),
    });
    let err = ex
        .place_order(&buy_yes("c1", dec!(0.42), dec!(5), TimeInForce::Ioc))
        .await
        .unwrap_err();
    assert!(matches!(err, ExchangeError::Rejected { ref code, .. } if code == "risk"));
    assert_eq!(
        ex.order_by_client_id(&ClientOrderId::new("c1"))
            .await
            .unwrap(),
        None
    );
    let order = ex
        .place_order(&buy_yes("c1", dec!(0.42), dec!(5), TimeInForce::Ioc))
        .await
        .unwrap();
    assert_eq!(order.status, OrderStatus::Filled);
}

#[tokio::test(start_paused = true)]
async fn a_timed_out_order_may_still_have_executed() {
    let ex = venue();
    ex.inject(Fault::Timeout {
        after: Duration::from_secs(5),
        executed: true,
    });
    let start = tokio::time::Instant::now();
    let err = ex
        .place_order(&buy_yes("c1", dec!(0.42), dec!(5), TimeInForce::Ioc))
        .await
        .unwrap_err();
    assert!(matches!(err, ExchangeError::Timeout(d) if d == Duration::from_secs(5)));
    assert!(err.order_may_exist());
    assert_eq!(start.elapsed(), Duration::from_secs(5));
    let found: Order = ex
        .order_by_client_id(&ClientOrderId::new("c1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.status, OrderStatus::Filled);
    assert_eq!(found.filled_qty, q(dec!(5)));

    ex.inject(Fault::Timeout {
        after: Duration::from_secs(5),
        executed: false,
    });
    ex.place_order(&buy_yes("c2", dec!(0.43), dec!(1), TimeInForce::Ioc))
        .await
        .unwrap_err();
    assert_eq!(
        ex.order_by_client_id(&ClientOrderId::new("c2"))
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn a_delayed_order_answers_pending_and_fills_later() {
    let ex = venue();
    ex.inject(Fault::Delayed { polls: 1 });
    let order = ex
        .place_order(&buy_yes("c1", dec!(0.43), dec!(6), TimeInForce::Ioc))
        .await
        .unwrap();
    assert_eq!(order.status, OrderStatus::Pending);
    assert_eq!(order.filled_qty, Qty::ZERO);
    let id = order.venue_order_id.unwrap();
    let still = ex.order(&id).await.unwrap();
    assert_eq!(still.status, OrderStatus::Pending);
    assert_eq!(yes_asks(&ex).await[0], (dec!(0.42), dec!(5)));
    let done = ex.order(&id).await.unwrap();
    assert_eq!(done.status, OrderStatus::Filled);
    assert_eq!(done.filled_qty, q(dec!(6)));
    assert_eq!(yes_asks(&ex).await[0], (dec!(0.43), dec!(6)));

    ex.inject(Fault::Delayed { polls: 100 });
    let order = ex
        .place_order(&buy_yes("c2", dec!(0.43), dec!(2), TimeInForce::Ioc))
        .await
        .unwrap();
    assert_eq!(order.status, OrderStatus::Pending);
    // Its worst case (2 × 0.43) is set aside while it is pending.
    assert_eq!(cash(&ex).await, (dec!(997.47) - dec!(0.86), dec!(997.47)));
    ex.release_delayed();
    let found = ex
        .order_by_client_id(&ClientOrderId::new("c2"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.status, OrderStatus::Filled);
}

#[tokio::test]
async fn a_dropped_stream_invalidates_then_resumes_with_a_fresh_book() {
    let ex = venue();
    let mut stream = ex.subscribe_books(&[m1()]).await.unwrap();
    let Some(BookEvent::Book { market, book }) = stream.next().await else {
        panic!("expected a snapshot first");
    };
    assert_eq!(market, m1());
    assert_eq!(book.yes.best_ask().unwrap().price, p(dec!(0.42)));

    ex.place_order(&buy_yes("c1", dec!(0.42), dec!(5), TimeInForce::Ioc))
        .await
        .unwrap();
    let Some(BookEvent::Book { book, .. }) = stream.next().await else {
        panic!("expected the book after our fill");
    };
    assert_eq!(book.yes.best_ask().unwrap().price, p(dec!(0.43)));

    ex.inject(Fault::DropBookStream);
    assert!(matches!(
        stream.next().await,
        Some(BookEvent::Invalidated { market: None, .. })
    ));
    let Some(BookEvent::Book { market, book }) = stream.next().await else {
        panic!("expected a fresh book after the drop");
    };
    assert_eq!(market, m1());
    assert_eq!(book.yes.best_ask().unwrap().price, p(dec!(0.43)));

    ex.set_book(&m1(), &[], &levels(&[(dec!(0.55), dec!(1))]).unwrap())
        .unwrap();
    let Some(BookEvent::Book { book, .. }) = stream.next().await else {
        panic!("expected the scripted book");
    };
    assert_eq!(book.yes.asks(), &[Level::new(p(dec!(0.55)), q(dec!(1)))]);
}

#[tokio::test]
async fn an_unavailable_venue_fails_calls_then_recovers() {
    let ex = venue();
    ex.inject(Fault::Unavailable { calls: 2 });
    for _ in 0..2 {
        let err = ex.balance().await.unwrap_err();
        assert!(matches!(err, ExchangeError::Unavailable(_)));
        assert!(err.is_retryable());
    }
    assert_eq!(cash(&ex).await.1, dec!(1000));
}

#[tokio::test]
async fn settlement_pays_winning_contracts() {
    let (ex, clock) = venue_with(dec!(1000), FeeSchedule::FREE);
    ex.place_order(&buy_yes("y", dec!(0.42), dec!(5), TimeInForce::Ioc))
        .await
        .unwrap();
    ex.place_order(&req(
        "n",
        Outcome::No,
        Side::Buy,
        dec!(0.60),
        dec!(10),
        TimeInForce::Ioc,
    ))
    .await
    .unwrap();
    let resting = ex
        .place_order(&buy_yes("g", dec!(0.30), dec!(10), TimeInForce::Gtc))
        .await
        .unwrap();
    clock.advance(chrono::Duration::hours(1));
    ex.settle(&m1(), Outcome::Yes).unwrap();

    assert_eq!(
        ex.market(&m1()).await.unwrap().status,
        MarketStatus::Settled(Outcome::Yes)
    );
    assert!(ex.list_markets().await.unwrap().markets.is_empty());
    assert!(ex.positions().await.unwrap().is_empty());
    // 1000 − 5 × 0.42 − 10 × 0.60 + 5 × $1; the resting order no longer reserves anything.
    assert_eq!(cash(&ex).await, (dec!(996.90), dec!(996.90)));
    let yes = ex.position(&m1(), Outcome::Yes).unwrap();
    assert_eq!(yes.realized_pnl, dec!(2.90));
    let no = ex.position(&m1(), Outcome::No).unwrap();
    assert_eq!((no.qty, no.realized_pnl), (Qty::ZERO, dec!(-6)));
    let g = ex.order(&resting.venue_order_id.unwrap()).await.unwrap();
    assert_eq!(g.status, OrderStatus::Cancelled);
    let err = ex
        .place_order(&buy_yes("late", dec!(0.42), dec!(1), TimeInForce::Ioc))
        .await
        .unwrap_err();
    assert!(matches!(err, ExchangeError::Rejected { .. }));
}

#[tokio::test]
async fn fills_since_filters_by_time() {
    let (ex, clock) = venue_with(dec!(1000), FeeSchedule::FREE);
    ex.place_order(&buy_yes("a", dec!(0.42), dec!(1), TimeInForce::Ioc))
        .await
        .unwrap();
    clock.advance(chrono::Duration::minutes(1));
    ex.place_order(&buy_yes("b", dec!(0.42), dec!(1), TimeInForce::Ioc))
        .await
        .unwrap();
    let recent = ex
        .fills_since(t0() + chrono::Duration::seconds(30))
        .await
        .unwrap();
    assert_eq!(recent.len(), 1);
    assert_eq!(recent[0].client_order_id, Some(ClientOrderId::new("b")));
    assert_eq!(ex.fills_since(t0()).await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_resting_no_bid_is_a_yes_ask_and_fills_when_yes_is_bought() {
    let ex = venue();
    // NO bid at 0.57 rests as a YES ask at 0.43, behind the external 0.43 × 7.
    let order = ex
        .place_order(&req(
            "n",
            Outcome::No,
            Side::Buy,
            dec!(0.57),
            dec!(4),
            TimeInForce::Gtc,
        ))
        .await
        .unwrap();
    assert_eq!(order.status, OrderStatus::Open);
    assert_eq!(yes_asks(&ex).await[1], (dec!(0.43), dec!(11)));
    let traded = ex
        .cross_resting(&m1(), Outcome::Yes, Side::Buy, p(dec!(0.43)), q(dec!(14)))
        .unwrap();
    assert_eq!(traded, q(dec!(14)));
    let o = ex.order(&order.venue_order_id.unwrap()).await.unwrap();
    assert_eq!(
        (o.status, o.filled_qty),
        (OrderStatus::PartiallyFilled, q(dec!(2)))
    );
    let fills = ex.fills_since(t0()).await.unwrap();
    assert_eq!(fill_prices(&fills), vec![(dec!(0.57), dec!(2))]);
    assert_eq!(fills[0].liquidity, Liquidity::Maker);
    assert_eq!(ex.position(&m1(), Outcome::No).unwrap().qty, q(dec!(2)));
}

#[tokio::test]
async fn contracts_offered_by_a_resting_sale_cannot_be_sold_twice() {
    let ex = venue();
    ex.place_order(&buy_yes("b", dec!(0.42), dec!(5), TimeInForce::Ioc))
        .await
        .unwrap();
    let resting = ex
        .place_order(&req(
            "s1",
            Outcome::Yes,
            Side::Sell,
            dec!(0.50),
            dec!(3),
            TimeInForce::Gtc,
        ))
        .await
        .unwrap();
    assert_eq!(resting.status, OrderStatus::Open);
    let err = ex
        .place_order(&req(
            "s2",
            Outcome::Yes,
            Side::Sell,
            dec!(0.40),
            dec!(3),
            TimeInForce::Ioc,
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ExchangeError::InsufficientBalance(_)),
        "{err}"
    );
    let sold = ex
        .place_order(&req(
            "s3",
            Outcome::Yes,
            Side::Sell,
            dec!(0.40),
            dec!(2),
            TimeInForce::Ioc,
        ))
        .await
        .unwrap();
    assert_eq!(sold.status, OrderStatus::Filled);
}
