//! Crash recovery: the executor is stopped after every persisted step (its store fails the next
//! write), restarted on the same store and venues, and must finish the execution without sending
//! any order twice, without forgetting any, and with positions equal to the venues'.
#![allow(clippy::unwrap_used)]

mod execute_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use arb_core::model::{
    ClientOrderId, DailyPnl, ExecutionId, ExecutionRecord, ExecutionState, Fill, Market, MarketKey,
    MatchSuggestion, NewPair, OpportunityId, OpportunityRecord, OrderRecord, Outcome, PairEvent,
    PairId, PairStatus, Position, PriceSnapshot, SuggestionId, SuggestionStatus, VenueId, Verdict,
    VerdictKey, VerifiedPair,
};
use arb_core::sim::Fault;
use arb_core::store::{
    ExposureReservation, Fence, Lease, LeaseOwner, LeaseScope, MemoryStore, Store, StoreError,
};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use execute_support::{Call, Harness};
use rust_decimal_macros::dec;

/// A store whose writes fail once `budget` writes have succeeded: the process "dies" there.
struct FailingStore {
    inner: Arc<MemoryStore>,
    budget: usize,
    writes: AtomicUsize,
}

impl FailingStore {
    fn write(&self) -> Result<(), StoreError> {
        if self.writes.fetch_add(1, Ordering::SeqCst) >= self.budget {
            return Err(StoreError::Backend("simulated crash".into()));
        }
        Ok(())
    }
}

#[async_trait]
impl Store for FailingStore {
    async fn upsert_markets(&self, markets: &[Market]) -> Result<(), StoreError> {
        self.write()?;
        self.inner.upsert_markets(markets).await
    }
    async fn market(&self, key: &MarketKey) -> Result<Option<Market>, StoreError> {
        self.inner.market(key).await
    }
    async fn markets<'a>(&self, venue: Option<&'a VenueId>) -> Result<Vec<Market>, StoreError> {
        self.inner.markets(venue).await
    }
    async fn insert_suggestions(
        &self,
        suggestions: &[MatchSuggestion],
    ) -> Result<Vec<SuggestionId>, StoreError> {
        self.write()?;
        self.inner.insert_suggestions(suggestions).await
    }
    async fn suggestion(&self, id: SuggestionId) -> Result<Option<MatchSuggestion>, StoreError> {
        self.inner.suggestion(id).await
    }
    async fn suggestions(
        &self,
        status: Option<SuggestionStatus>,
        limit: usize,
    ) -> Result<Vec<MatchSuggestion>, StoreError> {
        self.inner.suggestions(status, limit).await
    }
    async fn set_suggestion_status(
        &self,
        id: SuggestionId,
        status: SuggestionStatus,
    ) -> Result<(), StoreError> {
        self.write()?;
        self.inner.set_suggestion_status(id, status).await
    }
    async fn insert_pair(&self, pair: &NewPair) -> Result<VerifiedPair, StoreError> {
        self.write()?;
        self.inner.insert_pair(pair).await
    }
    async fn pair(&self, id: PairId) -> Result<Option<VerifiedPair>, StoreError> {
        self.inner.pair(id).await
    }
    async fn pairs(&self, status: Option<PairStatus>) -> Result<Vec<VerifiedPair>, StoreError> {
        self.inner.pairs(status).await
    }
    async fn set_pair_status(
        &self,
        id: PairId,
        status: PairStatus,
        event: &PairEvent,
    ) -> Result<VerifiedPair, StoreError> {
        self.write()?;
        self.inner.set_pair_status(id, status, event).await
    }
    async fn reapprove_pair(
        &self,
        id: PairId,
        rules_hash_a: &str,
        rules_hash_b: &str,
        event: &PairEvent,
    ) -> Result<VerifiedPair, StoreError> {
        self.write()?;
        self.inner
            .reapprove_pair(id, rules_hash_a, rules_hash_b, event)
            .await
    }
    async fn pair_events(&self, id: PairId) -> Result<Vec<PairEvent>, StoreError> {
        self.inner.pair_events(id).await
    }
    async fn record_opportunity(
        &self,
        record: &OpportunityRecord,
    ) -> Result<Option<OpportunityId>, StoreError> {
        self.write()?;
        self.inner.record_opportunity(record).await
    }
    async fn opportunities(
        &self,
        pair: Option<PairId>,
        limit: usize,
    ) -> Result<Vec<OpportunityRecord>, StoreError> {
        self.inner.opportunities(pair, limit).await
    }
    async fn save_execution(
        &self,
        fence: Fence,
        execution: &ExecutionRecord,
        orders: &[OrderRecord],
    ) -> Result<(), StoreError> {
        self.write()?;
        self.inner.save_execution(fence, execution, orders).await
    }
    async fn execution(&self, id: &ExecutionId) -> Result<Option<ExecutionRecord>, StoreError> {
        self.inner.execution(id).await
    }
    async fn open_executions(&self) -> Result<Vec<ExecutionRecord>, StoreError> {
        self.inner.open_executions().await
    }
    async fn executions(&self, limit: usize) -> Result<Vec<ExecutionRecord>, StoreError> {
        self.inner.executions(limit).await
    }
    async fn upsert_order(&self, fence: Fence, order: &OrderRecord) -> Result<(), StoreError> {
        self.write()?;
        self.inner.upsert_order(fence, order).await
    }
    async fn order(&self, id: &ClientOrderId) -> Result<Option<OrderRecord>, StoreError> {
        self.inner.order(id).await
    }
    async fn execution_orders(&self, id: &ExecutionId) -> Result<Vec<OrderRecord>, StoreError> {
        self.inner.execution_orders(id).await
    }
    async fn insert_fills(&self, fills: &[Fill]) -> Result<usize, StoreError> {
        self.write()?;
        self.inner.insert_fills(fills).await
    }
    async fn fills<'a>(&self, market: Option<&'a MarketKey>) -> Result<Vec<Fill>, StoreError> {
        self.inner.fills(market).await
    }
    async fn upsert_positions(&self, positions: &[Position]) -> Result<(), StoreError> {
        self.write()?;
        self.inner.upsert_positions(positions).await
    }
    async fn positions(&self) -> Result<Vec<Position>, StoreError> {
        self.inner.positions().await
    }
    async fn put_prices(&self, snapshots: &[PriceSnapshot]) -> Result<(), StoreError> {
        self.write()?;
        self.inner.put_prices(snapshots).await
    }
    async fn price(&self, market: &MarketKey) -> Result<Option<PriceSnapshot>, StoreError> {
        self.inner.price(market).await
    }
    async fn put_setting<'a>(&self, key: &str, value: Option<&'a str>) -> Result<(), StoreError> {
        self.write()?;
        self.inner.put_setting(key, value).await
    }
    async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.inner.setting(key).await
    }
    async fn verdict(&self, key: &VerdictKey) -> Result<Option<Verdict>, StoreError> {
        self.inner.verdict(key).await
    }
    async fn put_verdict(
        &self,
        key: &VerdictKey,
        verdict: &Verdict,
        judged_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.write()?;
        self.inner.put_verdict(key, verdict, judged_at).await
    }
    // Leases are not execution steps: they never count towards the crash.
    async fn acquire_lease(
        &self,
        scope: &LeaseScope,
        owner: &LeaseOwner,
        ttl: std::time::Duration,
    ) -> Result<Lease, StoreError> {
        self.inner.acquire_lease(scope, owner, ttl).await
    }
    async fn renew_lease(
        &self,
        lease: &Lease,
        ttl: std::time::Duration,
    ) -> Result<Lease, StoreError> {
        self.inner.renew_lease(lease, ttl).await
    }
    async fn release_lease(&self, lease: &Lease) -> Result<(), StoreError> {
        self.inner.release_lease(lease).await
    }
    async fn leases(&self) -> Result<Vec<Lease>, StoreError> {
        self.inner.leases().await
    }
    async fn reserve_exposure(
        &self,
        reservation: &ExposureReservation,
        committed: rust_decimal::Decimal,
        limit: rust_decimal::Decimal,
    ) -> Result<(), StoreError> {
        self.inner
            .reserve_exposure(reservation, committed, limit)
            .await
    }
    async fn upsert_daily_pnl(&self, pnl: &DailyPnl) -> Result<(), StoreError> {
        self.write()?;
        self.inner.upsert_daily_pnl(pnl).await
    }
    async fn daily_pnl(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<DailyPnl>, StoreError> {
        self.inner.daily_pnl(from, to).await
    }
}

/// Which scenario to crash through.
#[derive(Clone, Copy, Debug)]
enum Scenario {
    /// Both legs fill.
    Hedged,
    /// The hedge is short once, then the retry fills on a refreshed book.
    Retried,
    /// Every hedge is rejected; the first leg is sold back.
    Unwound,
    /// The first leg is delayed and fills as it is cancelled.
    Delayed,
}

async fn prepare(scenario: Scenario) -> Harness {
    let h = Harness::new().await;
    h.book_a(&[(dec!(0.38), dec!(100))], &[(dec!(0.40), dec!(100))]);
    h.book_b(&[(dec!(0.45), dec!(100))], &[(dec!(0.47), dec!(100))]);
    match scenario {
        Scenario::Hedged => {}
        Scenario::Retried => {
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
        }
        Scenario::Unwound => {
            for _ in 0..4 {
                h.b.sim.inject(Fault::RejectNextOrder {
                    code: "halted".into(),
                    message: "trading paused".into(),
                });
            }
        }
        Scenario::Delayed => {
            h.a.sim.inject(Fault::Delayed { polls: 10_000 });
            h.a.on(|sim, call| {
                if matches!(call, Call::Cancelling) {
                    sim.release_delayed();
                }
            });
        }
    }
    h
}

/// Crashes after each write in turn; returns how many crash points were exercised.
async fn crash_everywhere(scenario: Scenario, expected: ExecutionState) -> usize {
    for budget in 0.. {
        let h = prepare(scenario).await;
        let failing = Arc::new(FailingStore {
            inner: h.store.clone(),
            budget,
            writes: AtomicUsize::new(0),
        });
        let opp = h.opportunity(dec!(10), dec!(0.40), dec!(0.55));
        let first = h
            .executor_on(failing, Harness::config(), 0)
            .execute(&h.pair, h.markets(), &opp)
            .await;
        let finished = match first {
            Ok(record) => {
                assert_eq!(record.state, expected, "{scenario:?} without a crash");
                println!("{scenario:?}: recovered from a crash after each of {budget} writes");
                h.assert_books_agree().await;
                return budget;
            }
            Err(e) => {
                assert!(
                    e.to_string().contains("simulated crash"),
                    "{scenario:?}/{budget}: {e}"
                );
                // Restart on the same store and venues, with ids that cannot collide.
                h.executor_on(h.store.clone(), Harness::config(), 1_000)
                    .recover()
                    .await
                    .unwrap()
            }
        };
        assert!(
            h.store.open_executions().await.unwrap().is_empty(),
            "{scenario:?}/{budget}: an execution was left open"
        );
        for record in &finished {
            assert!(
                record.state.is_terminal(),
                "{scenario:?}/{budget}: {record:?}"
            );
        }
        h.assert_books_agree().await;
        // Whatever happened, the account is never one-sided unless flagged.
        let (a, b) = (
            h.venue_qty(&h.a, Outcome::Yes).await,
            h.venue_qty(&h.b, Outcome::No).await,
        );
        let states: Vec<_> = h
            .store
            .executions(10)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.state)
            .collect();
        if !states.contains(&ExecutionState::Unhedged) {
            assert_eq!(
                a, b,
                "{scenario:?}/{budget}: one-sided position, states {states:?}"
            );
        }
    }
    unreachable!("the loop returns once the execution completes without a crash")
}

#[tokio::test(start_paused = true)]
async fn a_crash_after_any_step_of_a_plain_hedge_is_recovered() {
    let points = crash_everywhere(Scenario::Hedged, ExecutionState::Hedged).await;
    assert_eq!(points, 7, "crash points");
}

#[tokio::test(start_paused = true)]
async fn a_crash_after_any_step_of_a_retried_hedge_is_recovered() {
    let points = crash_everywhere(Scenario::Retried, ExecutionState::Hedged).await;
    assert_eq!(points, 9, "crash points");
}

#[tokio::test(start_paused = true)]
async fn a_crash_after_any_step_of_an_unwind_is_recovered() {
    let points = crash_everywhere(Scenario::Unwound, ExecutionState::Unwound).await;
    assert_eq!(points, 17, "crash points");
}

#[tokio::test(start_paused = true)]
async fn a_crash_while_a_delayed_order_is_pending_is_recovered() {
    let points = crash_everywhere(Scenario::Delayed, ExecutionState::Hedged).await;
    assert_eq!(points, 8, "crash points");
}
