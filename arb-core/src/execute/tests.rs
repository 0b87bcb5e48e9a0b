//! Executor behaviour against scripted venues (mockall): answers that are not final are never
//! read as "nothing filled", and a send that may have reached the venue is never repeated.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use chrono::DateTime;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::{ExecuteError, ExecutionConfig, Executor, FirstLegRule};
use crate::clock::{ManualClock, SequentialIds};
use crate::exchange::{ExchangeError, MockExchange};
use crate::fees::FeeSchedule;
use crate::model::{
    ExecutionState, Level, Market, MarketExt, MarketKey, MarketStatus, NewPair, Opportunity,
    OpportunityLeg, Order, OrderRequest, OrderStatus, Outcome, PairStatus, Polarity, Price,
    PriceGrid, Qty, VenueOrderId, VerifiedPair,
};
use crate::notify::{Notification, RecordingNotifier, Severity};
use crate::store::{MemoryStore, Store};

fn market(venue: &str) -> Market {
    Market {
        key: MarketKey::new(venue, "M"),
        title: "t".into(),
        subtitle: String::new(),
        rules: String::new(),
        resolution_source: None,
        close_time: DateTime::UNIX_EPOCH,
        status: MarketStatus::Open,
        price_grid: PriceGrid::uniform(dec!(0.01)).unwrap(),
        size_step: Qty::new(dec!(1)).unwrap(),
        min_order_qty: Qty::new(dec!(1)).unwrap(),
        fees: FeeSchedule::FREE,
        ext: MarketExt::default(),
    }
}

fn leg(venue: &str, outcome: Outcome, price: Decimal) -> OpportunityLeg {
    let (price, qty) = (Price::new(price).unwrap(), Qty::new(dec!(10)).unwrap());
    OpportunityLeg {
        market: MarketKey::new(venue, "M"),
        outcome,
        qty,
        limit_price: price,
        cost: qty.notional(price),
        fee: Decimal::ZERO,
        levels: vec![Level::new(price, qty)],
    }
}

async fn setup(store: &MemoryStore) -> (VerifiedPair, Opportunity) {
    let pair = store
        .insert_pair(&NewPair {
            a: MarketKey::new("a", "M"),
            b: MarketKey::new("b", "M"),
            polarity: Polarity::Same,
            rules_hash_a: String::new(),
            rules_hash_b: String::new(),
            approved_by: "alice".into(),
            approved_at: DateTime::UNIX_EPOCH,
            suggestion: None,
            reading: None,
        })
        .await
        .unwrap();
    let opportunity = Opportunity {
        pair_id: pair.id,
        leg_a: leg("a", Outcome::Yes, dec!(0.40)),
        leg_b: leg("b", Outcome::No, dec!(0.55)),
        qty: Qty::new(dec!(10)).unwrap(),
        total_cost: dec!(9.5),
        profit: dec!(0.5),
        profit_fraction: dec!(0.05),
        detected_at: DateTime::UNIX_EPOCH,
    };
    (pair, opportunity)
}

fn answer(request: &OrderRequest, status: OrderStatus, filled: Decimal) -> Order {
    Order {
        request: request.clone(),
        venue_order_id: Some(VenueOrderId::new(format!("v-{}", request.client_order_id))),
        status,
        filled_qty: Qty::new(filled).unwrap(),
        avg_fill_price: (filled > Decimal::ZERO).then_some(request.limit_price),
        fees_paid: Decimal::ZERO,
        reason: None,
        updated_at: DateTime::UNIX_EPOCH,
    }
}

fn venue(name: &'static str) -> MockExchange {
    let mut m = MockExchange::new();
    m.expect_venue().returning(move || name.into());
    m
}

fn executor(
    a: MockExchange,
    b: MockExchange,
    store: Arc<MemoryStore>,
) -> (Executor, Arc<RecordingNotifier>) {
    let notifier = Arc::new(RecordingNotifier::default());
    let config = ExecutionConfig {
        first_leg_rule: FirstLegRule::MarketA,
        poll_interval: Duration::from_millis(100),
        order_timeout: Duration::from_secs(1),
        ..ExecutionConfig::default()
    };
    let ex = Executor::new(
        vec![Arc::new(a), Arc::new(b)],
        store,
        notifier.clone(),
        Arc::new(ManualClock::new(DateTime::UNIX_EPOCH)),
        Arc::new(SequentialIds::default()),
        config,
    );
    (ex, notifier)
}

/// A hedge leg that fills completely.
fn filling_b() -> MockExchange {
    let mut b = venue("b");
    b.expect_place_order()
        .times(1)
        .returning(|r| Ok(answer(r, OrderStatus::Filled, r.qty.value())));
    b
}

#[tokio::test(start_paused = true)]
async fn a_timed_out_send_is_looked_up_by_client_id_and_never_resent() {
    let store = Arc::new(MemoryStore::new());
    let (pair, opp) = setup(&store).await;
    let mut a = venue("a");
    a.expect_place_order()
        .times(1)
        .returning(|_| Err(ExchangeError::Timeout(Duration::from_secs(2))));
    a.expect_order_by_request().times(1).returning(|sent| {
        let request = OrderRequest {
            client_order_id: sent.client_order_id.clone(),
            market: MarketKey::new("a", "M"),
            outcome: Outcome::Yes,
            side: crate::model::Side::Buy,
            limit_price: Price::new(dec!(0.40)).unwrap(),
            qty: Qty::new(dec!(10)).unwrap(),
            time_in_force: crate::model::TimeInForce::Ioc,
        };
        Ok(Some(answer(&request, OrderStatus::Cancelled, dec!(6))))
    });
    let (ex, _) = executor(a, filling_b(), store.clone());
    let rec = ex
        .execute(&pair, [&market("a"), &market("b")], &opp)
        .await
        .unwrap();
    assert_eq!(rec.state, ExecutionState::Hedged);
    let orders = store.execution_orders(&rec.id).await.unwrap();
    assert_eq!(orders.len(), 2);
    assert_eq!(orders[0].order.filled_qty.value(), dec!(6));
    // The hedge buys exactly what the first leg filled.
    assert_eq!(orders[1].order.request.qty.value(), dec!(6));
}

#[tokio::test(start_paused = true)]
async fn a_pending_answer_is_polled_until_it_fills_never_read_as_zero() {
    let store = Arc::new(MemoryStore::new());
    let (pair, opp) = setup(&store).await;
    let mut a = venue("a");
    a.expect_place_order()
        .times(1)
        .returning(|r| Ok(answer(r, OrderStatus::Pending, dec!(0))));
    let polls = Arc::new(AtomicU32::new(0));
    let seen = polls.clone();
    a.expect_order().returning(move |id| {
        let n = seen.fetch_add(1, Ordering::SeqCst);
        let request = OrderRequest {
            client_order_id: id.as_str().trim_start_matches("v-").into(),
            market: MarketKey::new("a", "M"),
            outcome: Outcome::Yes,
            side: crate::model::Side::Buy,
            limit_price: Price::new(dec!(0.40)).unwrap(),
            qty: Qty::new(dec!(10)).unwrap(),
            time_in_force: crate::model::TimeInForce::Ioc,
        };
        Ok(if n < 3 {
            answer(&request, OrderStatus::Pending, dec!(0))
        } else {
            answer(&request, OrderStatus::Filled, dec!(10))
        })
    });
    let (ex, _) = executor(a, filling_b(), store.clone());
    let rec = ex
        .execute(&pair, [&market("a"), &market("b")], &opp)
        .await
        .unwrap();
    assert_eq!(rec.state, ExecutionState::Hedged);
    assert_eq!(polls.load(Ordering::SeqCst), 4);
    let orders = store.execution_orders(&rec.id).await.unwrap();
    assert_eq!(orders[1].order.filled_qty.value(), dec!(10));
}

#[tokio::test(start_paused = true)]
async fn an_order_that_never_resolves_stays_open_pauses_the_pair_and_alerts() {
    let store = Arc::new(MemoryStore::new());
    let (pair, opp) = setup(&store).await;
    let mut a = venue("a");
    a.expect_place_order().times(1).returning(|r| {
        let mut o = answer(r, OrderStatus::Unknown, dec!(0));
        o.venue_order_id = None;
        Ok(o)
    });
    a.expect_order_by_request()
        .returning(|_| Err(ExchangeError::Network("connection reset".into())));
    let mut b = venue("b");
    b.expect_place_order().times(0);
    let (ex, notifier) = executor(a, b, store.clone());
    let err = ex
        .execute(&pair, [&market("a"), &market("b")], &opp)
        .await
        .unwrap_err();
    assert!(matches!(err, ExecuteError::Unresolved { .. }), "{err}");
    let open = store.open_executions().await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].state, ExecutionState::FirstLegSent);
    let orders = store.execution_orders(&open[0].id).await.unwrap();
    assert_eq!(orders[0].order.status, OrderStatus::Unknown);
    let stored = store.pair(pair.id).await.unwrap().unwrap();
    assert_eq!(stored.status, PairStatus::Paused);
    let events = store.pair_events(pair.id).await.unwrap();
    assert_eq!(events.last().unwrap().actor, "executor");
    assert!(notifier.received().iter().any(|n| matches!(
        n,
        Notification::Alert {
            severity: Severity::Critical,
            ..
        }
    )));
    // A paused pair takes no new execution.
    let again = ex.execute(&pair, [&market("a"), &market("b")], &opp).await;
    assert!(matches!(
        again,
        Err(ExecuteError::PairNotActive(_, PairStatus::Paused))
    ));
}

#[tokio::test]
async fn a_plan_that_does_not_match_its_pair_sends_nothing() {
    let store = Arc::new(MemoryStore::new());
    let (pair, mut opp) = setup(&store).await;
    opp.leg_b.outcome = Outcome::Yes;
    let (ex, _) = executor(venue("a"), venue("b"), store.clone());
    let err = ex
        .execute(&pair, [&market("a"), &market("b")], &opp)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "opportunity does not match its pair: with same polarity, buying YES on A must be hedged by NO on B, not YES"
    );
    assert!(store.executions(10).await.unwrap().is_empty());
}

#[tokio::test]
async fn executions_can_run_on_spawned_tasks() {
    fn assert_send<T: Send>(value: T) -> T {
        value
    }
    let store = Arc::new(MemoryStore::new());
    let (pair, opp) = setup(&store).await;
    let (ex, _) = executor(venue("a"), venue("b"), store.clone());
    let ex = Arc::new(ex);
    let (ma, mb) = (market("a"), market("b"));
    // Compile-time proof that the futures are Send (the engine spawns them). The kill switch is
    // on, so the execution stops before any order is sent.
    let halted = Arc::new(
        crate::risk::RiskManager::new(crate::risk::RiskLimits {
            max_trade_usd: dec!(1),
            max_exposure_per_market_usd: dec!(1),
            max_total_exposure_usd: dec!(1),
            pair_cooldown: chrono::Duration::zero(),
            max_daily_loss_usd: dec!(1),
            max_consecutive_errors: 1,
            min_balance_reserve_usd: dec!(0),
        })
        .unwrap(),
    );
    halted.halt("test");
    let ex2 = Executor::new(
        vec![Arc::new(venue("a")), Arc::new(venue("b"))],
        store.clone(),
        Arc::new(RecordingNotifier::default()),
        Arc::new(ManualClock::new(DateTime::UNIX_EPOCH)),
        Arc::new(SequentialIds::default()),
        ExecutionConfig::default(),
    )
    .with_risk(halted);
    let result = tokio::spawn(async move {
        assert_send(ex2.execute(&pair, [&ma, &mb], &opp))
            .await
            .map(|r| r.state)
    })
    .await
    .unwrap();
    assert_eq!(result.unwrap_err().to_string(), "trading halted: test");
    let recovered = tokio::spawn(async move { assert_send(ex.recover()).await.map(|v| v.len()) })
        .await
        .unwrap();
    assert_eq!(recovered.unwrap(), 0);
}
