//! Every execution path on two simulated venues (50 ms per call): fills, partial fills, retries,
//! unwinds, unhedged exposure, delayed fills, timeouts, venue outages and the kill switch.
//! After each, the venues' positions and cash must match what the executor stored, exactly.
#![allow(clippy::unwrap_used)]

mod execute_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use arb_core::exchange::Exchange;
use arb_core::execute::{ExecuteError, ExecutionConfig, ExecutionContext, FirstLegRule};
use arb_core::model::{
    ExecutionId, ExecutionMode, ExecutionRecord, ExecutionState, MarketKey, Opportunity,
    OpportunityLeg, OrderRole, OrderStatus, Outcome, PairAction, PairId, PairStatus,
};
use arb_core::notify::Severity;
use arb_core::risk::{RiskLimits, RiskManager};
use arb_core::sim::Fault;
use arb_core::store::Store;
use execute_support::{Call, Harness};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

/// A: YES asks 0.40 × 100, bids 0.38 × 100. B: YES bids 0.45 × 100 (NO asks 0.55), asks 0.47
/// (NO bids 0.53).
async fn deep_books() -> Harness {
    let h = Harness::new().await;
    h.book_a(&[(dec!(0.38), dec!(100))], &[(dec!(0.40), dec!(100))]);
    h.book_b(&[(dec!(0.45), dec!(100))], &[(dec!(0.47), dec!(100))]);
    h
}

fn reject_next(h: &Harness, n: usize) {
    for _ in 0..n {
        h.b.sim.inject(Fault::RejectNextOrder {
            code: "market_halted".into(),
            message: "trading paused".into(),
        });
    }
}

async fn roles(
    h: &Harness,
    id: &arb_core::model::ExecutionId,
) -> Vec<(OrderRole, OrderStatus, Decimal)> {
    h.store
        .execution_orders(id)
        .await
        .unwrap()
        .into_iter()
        .map(|o| (o.role, o.order.status, o.order.filled_qty.value()))
        .collect()
}

async fn pair_status(h: &Harness) -> PairStatus {
    h.store.pair(h.pair.id).await.unwrap().unwrap().status
}

#[tokio::test(start_paused = true)]
async fn both_legs_fill_and_lock_in_the_planned_profit() {
    let h = deep_books().await;
    let opp = h.opportunity(dec!(10), dec!(0.40), dec!(0.55));
    let started = tokio::time::Instant::now();
    let rec = h
        .executor(Harness::config())
        .execute(&h.pair, h.markets(), &opp)
        .await
        .unwrap();
    // Two calls of 50 ms: the first leg, then the hedge.
    assert_eq!(started.elapsed(), Duration::from_millis(100));
    assert_eq!(rec.state, ExecutionState::Hedged);
    assert_eq!(
        rec.note.as_deref(),
        Some("hedged 10 of 10 planned contracts")
    );
    assert_eq!(
        roles(&h, &rec.id).await,
        vec![
            (OrderRole::FirstLeg, OrderStatus::Filled, dec!(10)),
            (OrderRole::SecondLeg, OrderStatus::Filled, dec!(10)),
        ]
    );
    assert_eq!(h.venue_qty(&h.a, Outcome::Yes).await, dec!(10));
    assert_eq!(h.venue_qty(&h.b, Outcome::No).await, dec!(10));
    let portfolio = h.assert_books_agree().await;
    // $10 − $4 − $5.50 − Kalshi fee $0.17 − Polymarket fee $0.07425.
    let pnl = portfolio.pair_pnl(&h.pair, |_, _| None);
    assert_eq!(pnl.locked_in, dec!(0.25575));
    assert!(pnl.unhedged.is_empty());
    assert_eq!(pair_status(&h).await, PairStatus::Active);
}

#[tokio::test(start_paused = true)]
async fn a_partial_first_leg_is_hedged_for_exactly_what_filled() {
    let h = Harness::new().await;
    h.book_a(
        &[(dec!(0.38), dec!(100))],
        &[(dec!(0.40), dec!(6)), (dec!(0.42), dec!(100))],
    );
    h.book_b(&[(dec!(0.45), dec!(100))], &[(dec!(0.47), dec!(100))]);
    let opp = h.opportunity(dec!(10), dec!(0.40), dec!(0.55));
    let rec = h
        .executor(Harness::config())
        .execute(&h.pair, h.markets(), &opp)
        .await
        .unwrap();
    assert_eq!(rec.state, ExecutionState::Hedged);
    assert_eq!(
        rec.note.as_deref(),
        Some("hedged 6 of 10 planned contracts")
    );
    assert_eq!(
        roles(&h, &rec.id).await,
        vec![
            (OrderRole::FirstLeg, OrderStatus::Cancelled, dec!(6)),
            (OrderRole::SecondLeg, OrderStatus::Filled, dec!(6)),
        ]
    );
    assert_eq!(h.venue_qty(&h.b, Outcome::No).await, dec!(6));
    h.assert_books_agree().await;
}

#[tokio::test(start_paused = true)]
async fn a_short_second_leg_is_retried_on_the_refreshed_book() {
    let h = Harness::new().await;
    h.book_a(&[(dec!(0.38), dec!(100))], &[(dec!(0.40), dec!(100))]);
    // Only 4 NO at 0.55 on B; after the hedge, 100 more appear at 0.56 (within 2%: limit 0.56).
    h.book_b(&[(dec!(0.45), dec!(4))], &[(dec!(0.47), dec!(100))]);
    let market = h.markets[1].key.market.clone();
    let refilled = AtomicBool::new(false);
    h.b.on(move |sim, call| {
        if matches!(call, Call::Placed(_)) && !refilled.swap(true, Ordering::SeqCst) {
            let bids = arb_core::sim::levels(&[(dec!(0.44), dec!(100))]).unwrap();
            let asks = arb_core::sim::levels(&[(dec!(0.47), dec!(100))]).unwrap();
            sim.set_book(&market, &bids, &asks).unwrap();
        }
    });
    let opp = h.opportunity(dec!(10), dec!(0.40), dec!(0.55));
    let rec = h
        .executor(Harness::config())
        .execute(&h.pair, h.markets(), &opp)
        .await
        .unwrap();
    assert_eq!(rec.state, ExecutionState::Hedged);
    assert_eq!(rec.hedge_attempts, 1);
    assert_eq!(
        roles(&h, &rec.id).await,
        vec![
            (OrderRole::FirstLeg, OrderStatus::Filled, dec!(10)),
            (OrderRole::SecondLeg, OrderStatus::Cancelled, dec!(4)),
            (OrderRole::HedgeRetry, OrderStatus::Filled, dec!(6)),
        ]
    );
    let orders = h.store.execution_orders(&rec.id).await.unwrap();
    assert_eq!(orders[2].order.request.limit_price.value(), dec!(0.56));
    assert_eq!(orders[2].order.avg_fill_price.unwrap().value(), dec!(0.56));
    assert_eq!(h.venue_qty(&h.b, Outcome::No).await, dec!(10));
    h.assert_books_agree().await;
}

#[tokio::test(start_paused = true)]
async fn a_rejected_hedge_is_unwound_and_the_pair_paused() {
    let h = deep_books().await;
    reject_next(&h, 4); // the second leg and all 3 retries
    let opp = h.opportunity(dec!(10), dec!(0.40), dec!(0.55));
    let rec = h
        .executor(Harness::config())
        .execute(&h.pair, h.markets(), &opp)
        .await
        .unwrap();
    assert_eq!(rec.state, ExecutionState::Unwound);
    assert_eq!(rec.hedge_attempts, 3);
    let r = roles(&h, &rec.id).await;
    assert_eq!(r.len(), 6);
    assert_eq!(r[1], (OrderRole::SecondLeg, OrderStatus::Rejected, dec!(0)));
    assert_eq!(
        r[4],
        (OrderRole::HedgeRetry, OrderStatus::Rejected, dec!(0))
    );
    assert_eq!(r[5], (OrderRole::Unwind, OrderStatus::Filled, dec!(10)));
    assert_eq!(h.venue_qty(&h.a, Outcome::Yes).await, dec!(0));
    let portfolio = h.assert_books_agree().await;
    // Bought 10 at 0.40 (+$0.17 fee), sold 10 at 0.38 (−$0.17 fee): −$0.54, bounded.
    assert_eq!(portfolio.realized_total(), dec!(-0.54));
    assert_eq!(pair_status(&h).await, PairStatus::Paused);
    let event = h.store.pair_events(h.pair.id).await.unwrap().pop().unwrap();
    assert_eq!(
        (event.action, event.actor.as_str()),
        (PairAction::Paused, "executor")
    );
    assert_eq!(h.alerts(Severity::Warning).len(), 1);
    // Never loop: the paused pair takes no new execution.
    let again = h
        .executor(Harness::config())
        .execute(&h.pair, h.markets(), &opp)
        .await;
    assert!(matches!(
        again,
        Err(ExecuteError::PairNotActive(_, PairStatus::Paused))
    ));
    assert_eq!(h.a.sent().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn when_unwinding_would_sell_below_the_floor_the_excess_is_held_and_flagged() {
    let h = Harness::new().await;
    h.book_a(&[(dec!(0.03), dec!(100))], &[(dec!(0.40), dec!(100))]);
    h.book_b(&[(dec!(0.45), dec!(100))], &[(dec!(0.47), dec!(100))]);
    reject_next(&h, 4);
    let opp = h.opportunity(dec!(10), dec!(0.40), dec!(0.55));
    let rec = h
        .executor(Harness::config())
        .execute(&h.pair, h.markets(), &opp)
        .await
        .unwrap();
    assert_eq!(rec.state, ExecutionState::Unhedged);
    assert_eq!(
        rec.note.as_deref(),
        Some(
            "10 contracts on sim-a:M unhedged: no bids at or above the floor 0.05, so holding \
             costs less than unwinding"
        )
    );
    assert_eq!(
        h.a.sent().len(),
        1,
        "no unwind order may be sent below the floor"
    );
    assert_eq!(h.venue_qty(&h.a, Outcome::Yes).await, dec!(10));
    assert_eq!(pair_status(&h).await, PairStatus::Paused);
    let critical = h.alerts(Severity::Critical);
    assert_eq!(critical.len(), 1);
    assert!(critical[0].contains("ended Unhedged"), "{}", critical[0]);
    let portfolio = h.assert_books_agree().await;
    let pnl = portfolio.pair_pnl(&h.pair, |_, _| None);
    assert_eq!(pnl.unhedged.len(), 1);
    assert_eq!(pnl.hedged_qty.value(), dec!(0));
}

#[tokio::test(start_paused = true)]
async fn a_delayed_fill_arriving_after_the_timeout_is_counted_and_hedged() {
    let h = deep_books().await;
    h.a.sim.inject(Fault::Delayed { polls: 10_000 });
    // The fill lands just as the executor, having waited out the timeout, cancels the order.
    h.a.on(|sim, call| {
        if matches!(call, Call::Cancelling) {
            sim.release_delayed();
        }
    });
    let opp = h.opportunity(dec!(10), dec!(0.40), dec!(0.55));
    let started = tokio::time::Instant::now();
    let rec = h
        .executor(Harness::config())
        .execute(&h.pair, h.markets(), &opp)
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(5),
        "the order timeout was waited out"
    );
    assert_eq!(rec.state, ExecutionState::Hedged);
    assert_eq!(
        roles(&h, &rec.id).await,
        vec![
            (OrderRole::FirstLeg, OrderStatus::Filled, dec!(10)),
            (OrderRole::SecondLeg, OrderStatus::Filled, dec!(10)),
        ]
    );
    h.assert_books_agree().await;
}

#[tokio::test(start_paused = true)]
async fn a_delayed_order_that_never_fills_is_cancelled_and_nothing_is_hedged() {
    let h = deep_books().await;
    h.a.sim.inject(Fault::Delayed { polls: 10_000 });
    let opp = h.opportunity(dec!(10), dec!(0.40), dec!(0.55));
    let rec = h
        .executor(Harness::config())
        .execute(&h.pair, h.markets(), &opp)
        .await
        .unwrap();
    assert_eq!(rec.state, ExecutionState::Aborted);
    assert_eq!(
        roles(&h, &rec.id).await,
        vec![(OrderRole::FirstLeg, OrderStatus::Cancelled, dec!(0))]
    );
    assert!(h.b.sent().is_empty());
    h.assert_books_agree().await;
}

#[tokio::test(start_paused = true)]
async fn a_hedge_that_timed_out_but_executed_is_found_by_client_id_not_resent() {
    let h = deep_books().await;
    h.b.sim.inject(Fault::Timeout {
        after: Duration::from_secs(2),
        executed: true,
    });
    let opp = h.opportunity(dec!(10), dec!(0.40), dec!(0.55));
    let rec = h
        .executor(Harness::config())
        .execute(&h.pair, h.markets(), &opp)
        .await
        .unwrap();
    assert_eq!(rec.state, ExecutionState::Hedged);
    assert_eq!(h.b.sent().len(), 1);
    assert_eq!(h.venue_qty(&h.b, Outcome::No).await, dec!(10));
    h.assert_books_agree().await;
}

#[tokio::test(start_paused = true)]
async fn a_hedge_that_timed_out_unreceived_is_retried_with_a_new_id() {
    let h = deep_books().await;
    h.b.sim.inject(Fault::Timeout {
        after: Duration::from_secs(2),
        executed: false,
    });
    let opp = h.opportunity(dec!(10), dec!(0.40), dec!(0.55));
    let rec = h
        .executor(Harness::config())
        .execute(&h.pair, h.markets(), &opp)
        .await
        .unwrap();
    assert_eq!(rec.state, ExecutionState::Hedged);
    let r = roles(&h, &rec.id).await;
    assert_eq!(r[1], (OrderRole::SecondLeg, OrderStatus::Rejected, dec!(0)));
    assert_eq!(r[2], (OrderRole::HedgeRetry, OrderStatus::Filled, dec!(10)));
    assert_eq!(h.b.sent().len(), 2);
    h.assert_books_agree().await;
}

#[tokio::test(start_paused = true)]
async fn a_venue_down_mid_hedge_leaves_the_execution_open_until_recovery_finishes_it() {
    let h = deep_books().await;
    h.b.sim.inject(Fault::Timeout {
        after: Duration::from_secs(2),
        executed: true,
    });
    // Right after the (executed) hedge, venue B stops answering for 25 calls.
    h.b.on(|sim, call| {
        if matches!(call, Call::Placed(_)) {
            sim.inject(Fault::Unavailable { calls: 25 });
        }
    });
    let opp = h.opportunity(dec!(10), dec!(0.40), dec!(0.55));
    // An older open execution of another pair on a venue this process no longer has: it cannot
    // be reconciled, but it must not keep the others from being finished.
    let orphan = ExecutionRecord {
        id: ExecutionId::new("exec-orphan"),
        pair_id: PairId(999),
        opportunity_id: None,
        plan: Opportunity {
            pair_id: PairId(999),
            leg_a: OpportunityLeg {
                market: MarketKey::new("ghost", "M"),
                ..opp.leg_a.clone()
            },
            ..opp.clone()
        },
        first_leg: MarketKey::new("ghost", "M"),
        mode: ExecutionMode::Sequential,
        state: ExecutionState::FirstLegSent,
        hedge_attempts: 0,
        note: None,
        created_at: opp.detected_at,
        updated_at: opp.detected_at,
    };
    let executor = h.executor(Harness::config());
    let fence = executor
        .leases()
        .fence(h.store.as_ref(), orphan.pair_id)
        .await
        .unwrap();
    h.store.save_execution(fence, &orphan, &[]).await.unwrap();
    let err = executor
        .execute(&h.pair, h.markets(), &opp)
        .await
        .unwrap_err();
    assert!(matches!(err, ExecuteError::Unresolved { .. }), "{err}");
    let open = h.store.open_executions().await.unwrap();
    assert_eq!(open.len(), 2);
    assert_eq!(open[0].id, orphan.id, "the orphan is reconciled first");
    assert_eq!(open[1].state, ExecutionState::SecondLegSent);
    assert_eq!(pair_status(&h).await, PairStatus::Paused);
    assert_eq!(h.alerts(Severity::Critical).len(), 1);
    // Restart: the venue answers again; the hedge is found by its client order id.
    let err = h
        .executor_on(h.store.clone(), Harness::config(), 1000)
        .recover()
        .await
        .unwrap_err();
    assert!(
        matches!(err, ExecuteError::UnknownVenue(ref v) if v.as_str() == "ghost"),
        "{err}"
    );
    let recovered = h.store.execution(&open[1].id).await.unwrap().unwrap();
    assert_eq!(recovered.state, ExecutionState::Hedged);
    assert_eq!(h.b.sent().len(), 1);
    let still_open = h.store.open_executions().await.unwrap();
    assert_eq!(still_open.len(), 1);
    assert_eq!(still_open[0].id, orphan.id);
    // Still paused: a person resumes it.
    assert_eq!(pair_status(&h).await, PairStatus::Paused);
    h.assert_books_agree().await;
}

#[tokio::test(start_paused = true)]
async fn the_kill_switch_stops_new_executions_but_lets_the_hedge_finish() {
    let h = deep_books().await;
    let risk = Arc::new(
        RiskManager::new(RiskLimits {
            max_trade_usd: dec!(100),
            max_exposure_per_market_usd: dec!(100),
            max_total_exposure_usd: dec!(200),
            pair_cooldown: chrono::Duration::zero(),
            max_daily_loss_usd: dec!(10),
            max_consecutive_errors: 5,
            min_balance_reserve_usd: dec!(0),
        })
        .unwrap(),
    );
    let switch = risk.clone();
    h.a.on(move |_, call| {
        if matches!(call, Call::Placed(_)) {
            switch.halt("operator pressed stop");
        }
    });
    let ex = h.executor(Harness::config()).with_risk(risk.clone());
    let opp = h.opportunity(dec!(10), dec!(0.40), dec!(0.55));
    let rec = ex.execute(&h.pair, h.markets(), &opp).await.unwrap();
    assert!(risk.is_halted());
    assert_eq!(rec.state, ExecutionState::Hedged);
    assert_eq!(h.venue_qty(&h.b, Outcome::No).await, dec!(10));
    let refused = ex.execute(&h.pair, h.markets(), &opp).await.unwrap_err();
    assert_eq!(refused.to_string(), "trading halted: operator pressed stop");
    assert_eq!(h.a.sent().len(), 1);
    assert_eq!(h.store.executions(10).await.unwrap().len(), 1);
    h.assert_books_agree().await;
}

#[tokio::test(start_paused = true)]
async fn concurrent_mode_sends_both_legs_at_once_then_balances() {
    let h = Harness::new().await;
    h.book_a(
        &[(dec!(0.38), dec!(100))],
        &[(dec!(0.40), dec!(6)), (dec!(0.42), dec!(100))],
    );
    h.book_b(&[(dec!(0.45), dec!(100))], &[(dec!(0.47), dec!(100))]);
    let config = ExecutionConfig {
        mode: ExecutionMode::Concurrent,
        ..Harness::config()
    };
    let opp = h.opportunity(dec!(10), dec!(0.40), dec!(0.55));
    let rec = h
        .executor(config)
        .execute(&h.pair, h.markets(), &opp)
        .await
        .unwrap();
    // A filled 6, B 10; A has nothing within 2% of 0.40, so B's extra 4 NO are sold back at 0.53.
    assert_eq!(rec.state, ExecutionState::Unwound);
    let r = roles(&h, &rec.id).await;
    assert_eq!(r[0], (OrderRole::FirstLeg, OrderStatus::Cancelled, dec!(6)));
    assert_eq!(r[1], (OrderRole::FirstLeg, OrderStatus::Filled, dec!(10)));
    assert_eq!(
        *r.last().unwrap(),
        (OrderRole::Unwind, OrderStatus::Filled, dec!(4))
    );
    assert_eq!(h.venue_qty(&h.a, Outcome::Yes).await, dec!(6));
    assert_eq!(h.venue_qty(&h.b, Outcome::No).await, dec!(6));
    h.assert_books_agree().await;
}

#[tokio::test(start_paused = true)]
async fn concurrent_mode_with_both_legs_filled_is_hedged_in_one_round_trip() {
    let h = deep_books().await;
    let config = ExecutionConfig {
        mode: ExecutionMode::Concurrent,
        ..Harness::config()
    };
    let opp = h.opportunity(dec!(10), dec!(0.40), dec!(0.55));
    let started = tokio::time::Instant::now();
    let rec = h
        .executor(config)
        .execute(&h.pair, h.markets(), &opp)
        .await
        .unwrap();
    assert_eq!(started.elapsed(), Duration::from_millis(50));
    assert_eq!(rec.state, ExecutionState::Hedged);
    h.assert_books_agree().await;
}

#[tokio::test(start_paused = true)]
async fn the_thinner_leg_goes_first_by_default() {
    let h = Harness::new().await;
    h.book_a(&[(dec!(0.38), dec!(100))], &[(dec!(0.40), dec!(100))]);
    h.book_b(&[(dec!(0.45), dec!(12))], &[(dec!(0.47), dec!(100))]);
    let config = ExecutionConfig {
        first_leg_rule: FirstLegRule::LessDepth,
        ..ExecutionConfig::default()
    };
    let opp = h.opportunity(dec!(10), dec!(0.40), dec!(0.55));
    let rec = h
        .executor(config)
        .execute(&h.pair, h.markets(), &opp)
        .await
        .unwrap();
    assert_eq!(rec.first_leg, h.markets[1].key);
    let orders = h.store.execution_orders(&rec.id).await.unwrap();
    assert_eq!(orders[0].order.request.market, h.markets[1].key);
    assert_eq!(orders[0].role, OrderRole::FirstLeg);
    assert_eq!(rec.state, ExecutionState::Hedged);
    h.assert_books_agree().await;
}

#[tokio::test(start_paused = true)]
async fn an_unwind_waits_out_a_brief_outage_instead_of_giving_up() {
    let h = deep_books().await;
    reject_next(&h, 4);
    // When the last hedge retry is refused, venue A stops answering for two calls.
    let a = h.a.sim.clone();
    let placed = std::sync::atomic::AtomicUsize::new(0);
    h.b.on(move |_, call| {
        if matches!(call, Call::Placed(_)) && placed.fetch_add(1, Ordering::SeqCst) == 3 {
            a.inject(Fault::Unavailable { calls: 2 });
        }
    });
    let opp = h.opportunity(dec!(10), dec!(0.40), dec!(0.55));
    let rec = h
        .executor(Harness::config())
        .execute(&h.pair, h.markets(), &opp)
        .await
        .unwrap();
    assert_eq!(rec.state, ExecutionState::Unwound);
    assert_eq!(h.venue_qty(&h.a, Outcome::Yes).await, dec!(0));
    assert_eq!(h.a.sent().len(), 2);
    h.assert_books_agree().await;
}

#[tokio::test(start_paused = true)]
async fn books_the_caller_already_has_save_the_first_leg_rule_a_round_trip() {
    let h = Harness::new().await;
    h.book_a(&[(dec!(0.38), dec!(100))], &[(dec!(0.40), dec!(100))]);
    h.book_b(&[(dec!(0.45), dec!(12))], &[(dec!(0.47), dec!(100))]);
    let (book_a, book_b) = (
        h.a.order_book(&h.markets[0].key.market).await.unwrap(),
        h.b.order_book(&h.markets[1].key.market).await.unwrap(),
    );
    let config = ExecutionConfig {
        first_leg_rule: FirstLegRule::LessDepth,
        ..ExecutionConfig::default()
    };
    let opp = h.opportunity(dec!(10), dec!(0.40), dec!(0.55));
    let context = ExecutionContext {
        opportunity_id: Some(arb_core::model::OpportunityId(41)),
        books: Some([&book_a, &book_b].into()),
    };
    let started = tokio::time::Instant::now();
    let rec = h
        .executor(config)
        .execute_with(&h.pair, h.markets(), &opp, context)
        .await
        .unwrap();
    // No book reads: B (thinner) first, then A: two calls.
    assert_eq!(started.elapsed(), Duration::from_millis(100));
    assert_eq!(rec.first_leg, h.markets[1].key);
    assert_eq!(rec.opportunity_id, Some(arb_core::model::OpportunityId(41)));
    assert_eq!(rec.state, ExecutionState::Hedged);
    h.assert_books_agree().await;
}

/// B (Polymarket-like) fills the hedge by its cash budget: 10 NO asked at up to 0.56 spends
/// $5.60, buying 4 at 0.53 and 6.327272 at 0.55. A has nothing left to top up with, and the
/// 0.327272 extra is below B's 5-share minimum: it stays as residual inventory, and the
/// execution is hedged for everything planned, its pair still trading.
#[tokio::test(start_paused = true)]
async fn a_hedge_that_fills_more_than_asked_keeps_the_dust_as_inventory() {
    let h = Harness::venue_like().await;
    h.book_a(&[(dec!(0.38), dec!(100))], &[(dec!(0.40), dec!(10))]);
    h.book_b(
        &[(dec!(0.47), dec!(4)), (dec!(0.45), dec!(100))],
        &[(dec!(0.49), dec!(100))],
    );
    let opp = h.opportunity(dec!(10), dec!(0.40), dec!(0.55));
    let rec = h
        .executor(Harness::config())
        .execute(&h.pair, h.markets(), &opp)
        .await
        .unwrap();
    assert_eq!(rec.state, ExecutionState::Hedged);
    assert_eq!(
        rec.note.as_deref(),
        Some(
            "hedged 10 of 10 planned contracts; residual 0.327272 NO on sim-b:M kept as \
             inventory (below the venue's minimum order)"
        )
    );
    let r = roles(&h, &rec.id).await;
    assert_eq!(r[0], (OrderRole::FirstLeg, OrderStatus::Filled, dec!(10)));
    assert_eq!(
        r[1],
        (OrderRole::SecondLeg, OrderStatus::Filled, dec!(10.327272))
    );
    assert!(
        r[2..].iter().all(|(role, _, _)| *role != OrderRole::Unwind),
        "dust is never sold: {r:?}"
    );
    assert_eq!(h.venue_qty(&h.b, Outcome::No).await, dec!(10.327272));
    assert_eq!(pair_status(&h).await, PairStatus::Active);
    assert!(h.alerts(Severity::Warning).is_empty());
    assert!(h.alerts(Severity::Critical).is_empty());
    let portfolio = h.assert_books_agree().await;
    let pnl = portfolio.pair_pnl(&h.pair, |_, _| None);
    assert_eq!(pnl.hedged_qty.value(), dec!(10));
    assert_eq!(
        pnl.unhedged.len(),
        1,
        "the residual counts in the positions"
    );
}

/// The same on a larger order: 200 NO at up to 0.56 buys 207.272727. The 7.27 extra that A
/// cannot top up is sold back on B; what is left is dust. Shedding what the venue added is not
/// a failed hedge: hedged, not unwound, and the pair keeps trading.
#[tokio::test(start_paused = true)]
async fn overfill_above_the_minimum_is_sold_back_without_pausing_the_pair() {
    let h = Harness::venue_like().await;
    h.book_a(&[(dec!(0.38), dec!(500))], &[(dec!(0.40), dec!(200))]);
    h.book_b(
        &[(dec!(0.47), dec!(100)), (dec!(0.45), dec!(300))],
        &[(dec!(0.49), dec!(100))],
    );
    let opp = h.opportunity(dec!(200), dec!(0.40), dec!(0.55));
    let rec = h
        .executor(Harness::config())
        .execute(&h.pair, h.markets(), &opp)
        .await
        .unwrap();
    assert_eq!(rec.state, ExecutionState::Hedged, "{:?}", rec.note);
    assert_eq!(
        rec.note.as_deref(),
        Some(
            "hedged 200 of 200 planned contracts; sold back 7.27 contracts the venue filled \
             beyond the order; residual 0.002727 NO on sim-b:M kept as inventory (below the \
             venue's minimum order)"
        )
    );
    assert_eq!(h.venue_qty(&h.b, Outcome::No).await, dec!(200.002727));
    assert_eq!(pair_status(&h).await, PairStatus::Active);
    assert!(h.alerts(Severity::Warning).is_empty());
    h.assert_books_agree().await;
}

/// When the venue that fills by cash goes first, the hedge follows what actually filled.
#[tokio::test(start_paused = true)]
async fn a_first_leg_that_fills_more_than_asked_is_hedged_in_full() {
    let h = Harness::venue_like().await;
    h.book_a(&[(dec!(0.38), dec!(500))], &[(dec!(0.40), dec!(300))]);
    h.book_b(
        &[(dec!(0.47), dec!(100)), (dec!(0.45), dec!(300))],
        &[(dec!(0.49), dec!(100))],
    );
    let opp = h.opportunity(dec!(200), dec!(0.40), dec!(0.55));
    let config = ExecutionConfig {
        first_leg_rule: FirstLegRule::Venue(h.b.venue()),
        ..Harness::config()
    };
    let rec = h
        .executor(config)
        .execute(&h.pair, h.markets(), &opp)
        .await
        .unwrap();
    assert_eq!(rec.state, ExecutionState::Hedged, "{:?}", rec.note);
    let r = roles(&h, &rec.id).await;
    // 200 NO at up to 0.55 spends $110: 100 at 0.53 and 103.636363 at 0.55.
    assert_eq!(
        r[0],
        (OrderRole::FirstLeg, OrderStatus::Filled, dec!(203.636363))
    );
    assert_eq!(
        r[1],
        (OrderRole::SecondLeg, OrderStatus::Filled, dec!(203.63))
    );
    assert_eq!(h.venue_qty(&h.a, Outcome::Yes).await, dec!(203.63));
    assert_eq!(pair_status(&h).await, PairStatus::Active);
    h.assert_books_agree().await;
}
