//! An in-memory `Store`: for tests, simulations and embedders that persist elsewhere.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use super::{
    ExposureReservation, Fence, Lease, LeaseOwner, LeaseScope, OpportunityThrottle, Store,
    StoreError,
};
use crate::clock::{Clock, SystemClock};
use crate::model::{
    ClientOrderId, DailyPnl, ExecutionId, ExecutionRecord, Fill, Market, MarketKey,
    MatchSuggestion, NewPair, OpportunityId, OpportunityRecord, OrderRecord, Outcome, PairAction,
    PairEvent, PairId, PairStatus, Position, PriceSnapshot, SuggestionId, SuggestionStatus,
    VenueId, Verdict, VerdictKey, VerifiedPair,
};

#[derive(Default)]
struct State {
    markets: BTreeMap<MarketKey, Market>,
    suggestions: BTreeMap<SuggestionId, MatchSuggestion>,
    pairs: BTreeMap<PairId, VerifiedPair>,
    pair_events: Vec<PairEvent>,
    opportunities: Vec<OpportunityRecord>,
    executions: BTreeMap<ExecutionId, (u64, ExecutionRecord)>,
    orders: HashMap<ClientOrderId, (u64, OrderRecord)>,
    fills: Vec<Fill>,
    fill_keys: HashSet<(VenueId, String)>,
    positions: BTreeMap<(MarketKey, Outcome), Position>,
    prices: HashMap<MarketKey, PriceSnapshot>,
    daily_pnl: BTreeMap<NaiveDate, DailyPnl>,
    settings: HashMap<String, String>,
    verdicts: HashMap<VerdictKey, Verdict>,
    /// Leases by scope; released and expired ones stay (their token is the floor of the next).
    leases: BTreeMap<LeaseScope, Lease>,
    /// Exposure reservations: amount and expiry, by id.
    reservations: HashMap<String, (rust_decimal::Decimal, DateTime<Utc>)>,
    next_id: i64,
    next_seq: u64,
}

impl State {
    fn next_id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    fn next_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    fn check_order(&self, record: &OrderRecord) -> Result<(), StoreError> {
        if let Some((_, existing)) = self.orders.get(&record.order.request.client_order_id) {
            let (a, b) = (&existing.order.request, &record.order.request);
            if existing.execution_id != record.execution_id
                || a.market != b.market
                || a.outcome != b.outcome
                || a.side != b.side
            {
                return Err(StoreError::Conflict(format!(
                    "client order id {} already belongs to another order",
                    b.client_order_id
                )));
            }
        }
        Ok(())
    }

    /// Refuses a write whose fence is not the pair's current, unexpired lease.
    fn check_fence(&self, fence: Fence, now: DateTime<Utc>) -> Result<(), StoreError> {
        let current = match self.leases.get(&LeaseScope::Pair(fence.pair)) {
            Some(l) if l.token == fence.token && l.expires_at > now => return Ok(()),
            Some(l) if l.token == fence.token => format!("the lease expired at {}", l.expires_at),
            Some(l) => format!("the pair's lease is at token {}", l.token),
            None => "the pair has no lease".to_owned(),
        };
        Err(StoreError::StaleFence { fence, current })
    }

    /// Refuses a fence of another pair than the execution's.
    fn check_fence_pair(&self, fence: Fence, execution: &ExecutionId) -> Result<(), StoreError> {
        match self.executions.get(execution) {
            Some((_, e)) if e.pair_id != fence.pair => Err(fence_mismatch(fence, e.pair_id)),
            _ => Ok(()),
        }
    }

    fn put_order(&mut self, record: &OrderRecord) {
        let seq = match self.orders.get(&record.order.request.client_order_id) {
            Some((seq, _)) => *seq,
            None => self.next_seq(),
        };
        self.orders.insert(
            record.order.request.client_order_id.clone(),
            (seq, record.clone()),
        );
    }
}

/// A lease's time to live as a `chrono` duration.
fn lease_ttl(ttl: std::time::Duration) -> Result<chrono::Duration, StoreError> {
    chrono::Duration::from_std(ttl)
        .map_err(|e| StoreError::Config(format!("lease time to live {ttl:?}: {e}")))
}

/// The error of a write fenced by another pair's lease than the one it writes to.
fn fence_mismatch(fence: Fence, pair: PairId) -> StoreError {
    StoreError::StaleFence {
        fence,
        current: format!("the execution belongs to pair {pair}"),
    }
}

/// A `Store` kept in memory; everything is lost when it is dropped.
///
/// Leases and exposure reservations expire on its clock: the system clock unless another is
/// given ([`MemoryStore::with_clock`]), so a simulation on virtual time (a backtest) sees them
/// expire in its own time, not the wall clock's.
pub struct MemoryStore {
    state: Mutex<State>,
    throttle: OpportunityThrottle,
    clock: Arc<dyn Clock>,
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::with_throttle(OpportunityThrottle::default())
    }
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStore").finish_non_exhaustive()
    }
}

impl MemoryStore {
    /// An empty store with the default opportunity throttle.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty store with a custom opportunity throttle.
    #[must_use]
    pub fn with_throttle(throttle: OpportunityThrottle) -> Self {
        Self {
            state: Mutex::default(),
            throttle,
            clock: Arc::new(SystemClock),
        }
    }

    /// The same store with leases and reservations timed by `clock` instead of the system clock.
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[async_trait]
impl Store for MemoryStore {
    async fn upsert_markets(&self, markets: &[Market]) -> Result<(), StoreError> {
        let mut s = self.state();
        for m in markets {
            s.markets.insert(m.key.clone(), m.clone());
        }
        Ok(())
    }

    async fn market(&self, key: &MarketKey) -> Result<Option<Market>, StoreError> {
        Ok(self.state().markets.get(key).cloned())
    }

    async fn markets<'a>(&self, venue: Option<&'a VenueId>) -> Result<Vec<Market>, StoreError> {
        Ok(self
            .state()
            .markets
            .values()
            .filter(|m| venue.is_none_or(|v| &m.key.venue == v))
            .cloned()
            .collect())
    }

    async fn insert_suggestions(
        &self,
        suggestions: &[MatchSuggestion],
    ) -> Result<Vec<SuggestionId>, StoreError> {
        let mut s = self.state();
        let mut ids = Vec::with_capacity(suggestions.len());
        for sug in suggestions {
            let existing = s
                .suggestions
                .values()
                .find(|o| o.status == SuggestionStatus::Open && o.a == sug.a && o.b == sug.b)
                .and_then(|o| o.id);
            let id = existing.unwrap_or_else(|| SuggestionId(s.next_id()));
            let mut stored = sug.clone();
            stored.id = Some(id);
            stored.status = SuggestionStatus::Open;
            s.suggestions.insert(id, stored);
            ids.push(id);
        }
        Ok(ids)
    }

    async fn suggestion(&self, id: SuggestionId) -> Result<Option<MatchSuggestion>, StoreError> {
        Ok(self.state().suggestions.get(&id).cloned())
    }

    async fn suggestions(
        &self,
        status: Option<SuggestionStatus>,
        limit: usize,
    ) -> Result<Vec<MatchSuggestion>, StoreError> {
        let mut out: Vec<_> = self
            .state()
            .suggestions
            .values()
            .filter(|s| status.is_none_or(|st| s.status == st))
            .cloned()
            .collect();
        out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
        out.truncate(limit);
        Ok(out)
    }

    async fn set_suggestion_status(
        &self,
        id: SuggestionId,
        status: SuggestionStatus,
    ) -> Result<(), StoreError> {
        let mut s = self.state();
        let sug = s
            .suggestions
            .get_mut(&id)
            .ok_or_else(|| StoreError::NotFound(format!("suggestion {id}")))?;
        sug.status = status;
        Ok(())
    }

    async fn insert_pair(&self, pair: &NewPair) -> Result<VerifiedPair, StoreError> {
        let mut s = self.state();
        if s.pairs.values().any(|p| p.a == pair.a && p.b == pair.b) {
            return Err(StoreError::Conflict(format!(
                "{} and {} are already paired",
                pair.a, pair.b
            )));
        }
        if let Some(id) = pair.suggestion
            && !s.suggestions.contains_key(&id)
        {
            return Err(StoreError::NotFound(format!("suggestion {id}")));
        }
        let id = PairId(s.next_id());
        let stored = VerifiedPair {
            id,
            a: pair.a.clone(),
            b: pair.b.clone(),
            polarity: pair.polarity,
            status: PairStatus::Active,
            rules_hash_a: pair.rules_hash_a.clone(),
            rules_hash_b: pair.rules_hash_b.clone(),
            approved_by: pair.approved_by.clone(),
            approved_at: pair.approved_at,
        };
        if let Some(sug) = pair.suggestion.and_then(|sid| s.suggestions.get_mut(&sid)) {
            sug.status = SuggestionStatus::Approved;
        }
        s.pairs.insert(id, stored.clone());
        s.pair_events.push(PairEvent {
            pair_id: id,
            action: PairAction::Approved,
            actor: pair.approved_by.clone(),
            reason: pair.approval_reason(),
            at: pair.approved_at,
        });
        Ok(stored)
    }

    async fn pair(&self, id: PairId) -> Result<Option<VerifiedPair>, StoreError> {
        Ok(self.state().pairs.get(&id).cloned())
    }

    async fn pairs(&self, status: Option<PairStatus>) -> Result<Vec<VerifiedPair>, StoreError> {
        Ok(self
            .state()
            .pairs
            .values()
            .filter(|p| status.is_none_or(|st| p.status == st))
            .cloned()
            .collect())
    }

    async fn set_pair_status(
        &self,
        id: PairId,
        status: PairStatus,
        event: &PairEvent,
    ) -> Result<VerifiedPair, StoreError> {
        let mut s = self.state();
        let pair = s
            .pairs
            .get_mut(&id)
            .ok_or_else(|| StoreError::NotFound(format!("pair {id}")))?;
        pair.status = status;
        let updated = pair.clone();
        s.pair_events.push(event.clone());
        Ok(updated)
    }

    async fn reapprove_pair(
        &self,
        id: PairId,
        rules_hash_a: &str,
        rules_hash_b: &str,
        event: &PairEvent,
    ) -> Result<VerifiedPair, StoreError> {
        let mut s = self.state();
        let pair = s
            .pairs
            .get_mut(&id)
            .ok_or_else(|| StoreError::NotFound(format!("pair {id}")))?;
        pair.rules_hash_a = rules_hash_a.to_owned();
        pair.rules_hash_b = rules_hash_b.to_owned();
        pair.status = PairStatus::Active;
        let updated = pair.clone();
        s.pair_events.push(event.clone());
        Ok(updated)
    }

    async fn pair_events(&self, id: PairId) -> Result<Vec<PairEvent>, StoreError> {
        Ok(self
            .state()
            .pair_events
            .iter()
            .filter(|e| e.pair_id == id)
            .cloned()
            .collect())
    }

    async fn record_opportunity(
        &self,
        record: &OpportunityRecord,
    ) -> Result<Option<OpportunityId>, StoreError> {
        if !self.throttle.admit(record) {
            return Ok(None);
        }
        let mut s = self.state();
        let id = OpportunityId(s.next_id());
        let mut stored = record.clone();
        stored.id = Some(id);
        s.opportunities.push(stored);
        Ok(Some(id))
    }

    async fn opportunities(
        &self,
        pair: Option<PairId>,
        limit: usize,
    ) -> Result<Vec<OpportunityRecord>, StoreError> {
        Ok(self
            .state()
            .opportunities
            .iter()
            .rev()
            .filter(|o| pair.is_none_or(|p| o.opportunity.pair_id == p))
            .take(limit)
            .cloned()
            .collect())
    }

    async fn save_execution(
        &self,
        fence: Fence,
        execution: &ExecutionRecord,
        orders: &[OrderRecord],
    ) -> Result<(), StoreError> {
        let mut s = self.state();
        s.check_fence(fence, self.clock.now())?;
        if execution.pair_id != fence.pair {
            return Err(fence_mismatch(fence, execution.pair_id));
        }
        s.check_fence_pair(fence, &execution.id)?;
        for o in orders {
            s.check_order(o)?;
        }
        let seq = match s.executions.get(&execution.id) {
            Some((seq, _)) => *seq,
            None => s.next_seq(),
        };
        s.executions
            .insert(execution.id.clone(), (seq, execution.clone()));
        for o in orders {
            s.put_order(o);
        }
        Ok(())
    }

    async fn execution(&self, id: &ExecutionId) -> Result<Option<ExecutionRecord>, StoreError> {
        Ok(self.state().executions.get(id).map(|(_, e)| e.clone()))
    }

    async fn open_executions(&self) -> Result<Vec<ExecutionRecord>, StoreError> {
        let s = self.state();
        let mut out: Vec<_> = s
            .executions
            .values()
            .filter(|(_, e)| !e.state.is_terminal())
            .cloned()
            .collect();
        out.sort_by_key(|(seq, _)| *seq);
        Ok(out.into_iter().map(|(_, e)| e).collect())
    }

    async fn executions(&self, limit: usize) -> Result<Vec<ExecutionRecord>, StoreError> {
        let s = self.state();
        let mut out: Vec<_> = s.executions.values().cloned().collect();
        out.sort_by_key(|(seq, _)| std::cmp::Reverse(*seq));
        Ok(out.into_iter().take(limit).map(|(_, e)| e).collect())
    }

    async fn upsert_order(&self, fence: Fence, order: &OrderRecord) -> Result<(), StoreError> {
        let mut s = self.state();
        s.check_fence(fence, self.clock.now())?;
        if let Some(execution) = &order.execution_id {
            s.check_fence_pair(fence, execution)?;
        }
        s.check_order(order)?;
        s.put_order(order);
        Ok(())
    }

    async fn order(&self, id: &ClientOrderId) -> Result<Option<OrderRecord>, StoreError> {
        Ok(self.state().orders.get(id).map(|(_, o)| o.clone()))
    }

    async fn execution_orders(&self, id: &ExecutionId) -> Result<Vec<OrderRecord>, StoreError> {
        let s = self.state();
        let mut out: Vec<_> = s
            .orders
            .values()
            .filter(|(_, o)| o.execution_id.as_ref() == Some(id))
            .cloned()
            .collect();
        out.sort_by_key(|(seq, _)| *seq);
        Ok(out.into_iter().map(|(_, o)| o).collect())
    }

    async fn insert_fills(&self, fills: &[Fill]) -> Result<usize, StoreError> {
        let mut s = self.state();
        let mut added = 0;
        for f in fills {
            let key = (f.market.venue.clone(), f.fill_id.as_str().to_owned());
            if s.fill_keys.insert(key) {
                s.fills.push(f.clone());
                added += 1;
            }
        }
        Ok(added)
    }

    async fn fills<'a>(&self, market: Option<&'a MarketKey>) -> Result<Vec<Fill>, StoreError> {
        Ok(self
            .state()
            .fills
            .iter()
            .filter(|f| market.is_none_or(|m| &f.market == m))
            .cloned()
            .collect())
    }

    async fn upsert_positions(&self, positions: &[Position]) -> Result<(), StoreError> {
        let mut s = self.state();
        for p in positions {
            s.positions.insert((p.market.clone(), p.outcome), p.clone());
        }
        Ok(())
    }

    async fn positions(&self) -> Result<Vec<Position>, StoreError> {
        Ok(self.state().positions.values().cloned().collect())
    }

    async fn put_prices(&self, snapshots: &[PriceSnapshot]) -> Result<(), StoreError> {
        let mut s = self.state();
        for p in snapshots {
            s.prices.insert(p.market.clone(), p.clone());
        }
        Ok(())
    }

    async fn price(&self, market: &MarketKey) -> Result<Option<PriceSnapshot>, StoreError> {
        Ok(self.state().prices.get(market).cloned())
    }

    async fn put_setting<'a>(&self, key: &str, value: Option<&'a str>) -> Result<(), StoreError> {
        let mut s = self.state();
        match value {
            Some(v) => s.settings.insert(key.to_owned(), v.to_owned()),
            None => s.settings.remove(key),
        };
        Ok(())
    }

    async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.state().settings.get(key).cloned())
    }

    async fn verdict(&self, key: &VerdictKey) -> Result<Option<Verdict>, StoreError> {
        Ok(self.state().verdicts.get(key).cloned())
    }

    /// Keeps the verdict only: nothing in memory reads when it was judged.
    async fn put_verdict(
        &self,
        key: &VerdictKey,
        verdict: &Verdict,
        _judged_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.state().verdicts.insert(key.clone(), verdict.clone());
        Ok(())
    }

    async fn acquire_lease(
        &self,
        scope: &LeaseScope,
        owner: &LeaseOwner,
        ttl: std::time::Duration,
    ) -> Result<Lease, StoreError> {
        let now = self.clock.now();
        let expires_at = now + lease_ttl(ttl)?;
        let mut s = self.state();
        let token = match s.leases.get(scope) {
            Some(l) if l.expires_at > now && l.owner.id != owner.id => {
                return Err(StoreError::LeaseHeld(Box::new(l.clone())));
            }
            Some(l) => l.token + 1,
            None => 1,
        };
        let lease = Lease {
            scope: scope.clone(),
            owner: owner.clone(),
            token,
            acquired_at: now,
            expires_at,
        };
        s.leases.insert(scope.clone(), lease.clone());
        Ok(lease)
    }

    async fn renew_lease(
        &self,
        lease: &Lease,
        ttl: std::time::Duration,
    ) -> Result<Lease, StoreError> {
        let now = self.clock.now();
        let expires_at = now + lease_ttl(ttl)?;
        let mut s = self.state();
        match s.leases.get_mut(&lease.scope) {
            Some(l) if l.token == lease.token && l.owner.id == lease.owner.id => {
                l.expires_at = expires_at;
                Ok(l.clone())
            }
            _ => Err(StoreError::LeaseLost {
                scope: lease.scope.name(),
                token: lease.token,
            }),
        }
    }

    async fn release_lease(&self, lease: &Lease) -> Result<(), StoreError> {
        let now = self.clock.now();
        let mut s = self.state();
        if let Some(l) = s.leases.get_mut(&lease.scope)
            && l.token == lease.token
            && l.owner.id == lease.owner.id
        {
            l.expires_at = l.expires_at.min(now);
        }
        Ok(())
    }

    async fn leases(&self) -> Result<Vec<Lease>, StoreError> {
        let now = self.clock.now();
        let mut live: Vec<Lease> = self
            .state()
            .leases
            .values()
            .filter(|l| l.expires_at > now)
            .cloned()
            .collect();
        live.sort_by_key(|l| l.scope.name());
        Ok(live)
    }

    async fn reserve_exposure(
        &self,
        reservation: &ExposureReservation,
        committed: rust_decimal::Decimal,
        limit: rust_decimal::Decimal,
    ) -> Result<(), StoreError> {
        let now = self.clock.now();
        let expires = now + lease_ttl(reservation.ttl)?;
        let mut s = self.state();
        s.reservations.retain(|_, (_, until)| *until > now);
        let reserved = s.reservations.values().map(|(amount, _)| *amount).sum();
        super::check_budget(committed, reserved, reservation.amount, limit)?;
        s.reservations
            .insert(reservation.id.clone(), (reservation.amount, expires));
        Ok(())
    }

    async fn upsert_daily_pnl(&self, pnl: &DailyPnl) -> Result<(), StoreError> {
        self.state().daily_pnl.insert(pnl.date, pnl.clone());
        Ok(())
    }

    async fn daily_pnl(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<DailyPnl>, StoreError> {
        Ok(self
            .state()
            .daily_pnl
            .range(from..=to)
            .map(|(_, p)| p.clone())
            .collect())
    }
}
