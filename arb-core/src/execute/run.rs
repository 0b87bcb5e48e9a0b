//! One execution in progress: its record, its orders, and the steps that move it to a terminal state.

use std::borrow::Cow;
use std::sync::Arc;

use tokio::time::Instant;

use super::pricing::{depth_to_buy, depth_to_sell, hedge_limit, tradable_qty, unwind_limit};
use super::venue::{Lookup, PlaceAnswer, VenueCalls};
use super::{ExecuteError, Executor, FirstLegRule};
use crate::exchange::Exchange;
use crate::model::{
    BinaryBook, ClientOrderId, ExecutionId, ExecutionMode, ExecutionRecord, ExecutionState, LegId,
    Legs, Market, Opportunity, OpportunityId, OpportunityLeg, Order, OrderRecord, OrderRequest,
    OrderRole, OrderStatus, PairAction, PairEvent, PairStatus, Price, Qty, Side, TimeInForce,
};
use crate::notify::{Notification, Severity};

/// What one unwind step did.
enum UnwindStep {
    /// An unwind order was sent and resolved.
    Sent,
    /// The book could not be read; try again after a pause.
    BookUnavailable,
    /// The excess is below the venue's minimum order: it cannot be traded at all and is kept
    /// as residual inventory (counted in positions and PnL), not an unhedged failure.
    Dust,
    /// Unwinding is not possible (holding is then cheaper than selling): why.
    Impossible(String),
}

/// Contracts left on one leg that could neither be hedged nor sold back.
struct Residual {
    leg: LegId,
    qty: Qty,
}

pub(super) struct Run<'e> {
    ex: &'e Executor,
    record: ExecutionRecord,
    orders: Vec<OrderRecord>,
    /// Borrowed from the caller of a new execution (not copied on the way to its first order);
    /// owned when loaded for a recovery.
    markets: Legs<Cow<'e, Market>>,
    venues: Legs<Arc<dyn Exchange>>,
}

impl<'e> Run<'e> {
    /// Creates and stores a new execution (state `Planned`): nothing is sent before this is saved.
    pub(super) async fn plan(
        ex: &'e Executor,
        markets: Legs<Cow<'e, Market>>,
        venues: Legs<Arc<dyn Exchange>>,
        opportunity: &Opportunity,
        opportunity_id: Option<OpportunityId>,
    ) -> Result<Self, ExecuteError> {
        let now = ex.clock.now();
        let record = ExecutionRecord {
            id: ExecutionId::new(ex.ids.next_id("exec")),
            pair_id: opportunity.pair_id,
            opportunity_id,
            plan: opportunity.clone(),
            first_leg: opportunity.leg_a.market.clone(),
            mode: ex.config.mode,
            state: ExecutionState::Planned,
            hedge_attempts: 0,
            note: None,
            created_at: now,
            updated_at: now,
        };
        let mut run = Self::resume(ex, markets, venues, record, Vec::new());
        run.save().await?;
        Ok(run)
    }

    /// An execution loaded from the store.
    pub(super) fn resume(
        ex: &'e Executor,
        markets: Legs<Cow<'e, Market>>,
        venues: Legs<Arc<dyn Exchange>>,
        record: ExecutionRecord,
        orders: Vec<OrderRecord>,
    ) -> Self {
        Self {
            ex,
            record,
            orders,
            markets,
            venues,
        }
    }

    pub(super) const fn record(&self) -> &ExecutionRecord {
        &self.record
    }

    /// Sends the first leg(s) and balances whatever filled.
    pub(super) async fn start(
        &mut self,
        books: Option<Legs<&BinaryBook>>,
    ) -> Result<(), ExecuteError> {
        if let Some(reason) = self.ex.halt_reason() {
            return self
                .conclude(
                    ExecutionState::Aborted,
                    format!("kill switch on before sending: {reason}"),
                )
                .await;
        }
        let tif = self.ex.config.first_leg_time_in_force;
        match self.record.mode {
            ExecutionMode::Sequential => {
                let first = self.choose_first_leg(books).await;
                self.record.first_leg = self.markets[first].key.clone();
                self.record.state = ExecutionState::FirstLegSent;
                let (price, qty) = (self.plan_leg(first).limit_price, self.record.plan.qty);
                let idx = self.push_order(first, OrderRole::FirstLeg, Side::Buy, price, qty, tif);
                self.save().await?;
                self.place(idx).await?;
                self.resolve(idx).await?;
            }
            ExecutionMode::Concurrent => {
                self.record.state = ExecutionState::FirstLegSent;
                let qty = self.record.plan.qty;
                let a = self.plan_leg(LegId::A).limit_price;
                let b = self.plan_leg(LegId::B).limit_price;
                let ia = self.push_order(LegId::A, OrderRole::FirstLeg, Side::Buy, a, qty, tif);
                let ib = self.push_order(LegId::B, OrderRole::FirstLeg, Side::Buy, b, qty, tif);
                self.save().await?;
                self.fence().await?;
                let (ra, rb) = {
                    let (ca, cb) = (self.calls(LegId::A), self.calls(LegId::B));
                    let (qa, qb) = (
                        &self.orders[ia].order.request,
                        &self.orders[ib].order.request,
                    );
                    futures::join!(ca.place(qa), cb.place(qb))
                };
                self.apply_answer(ia, ra);
                self.apply_answer(ib, rb);
                self.save().await?;
                self.resolve(ia).await?;
                self.resolve(ib).await?;
            }
        }
        self.record.state = ExecutionState::FirstLegDone;
        self.save().await?;
        self.balance().await
    }

    /// After a restart: asks the venues about every unresolved order, then balances.
    pub(super) async fn recover(&mut self) -> Result<(), ExecuteError> {
        if self.record.state == ExecutionState::Planned && self.orders.is_empty() {
            return self
                .conclude(
                    ExecutionState::Aborted,
                    "interrupted before any order was sent".to_owned(),
                )
                .await;
        }
        for idx in 0..self.orders.len() {
            if self.orders[idx].order.status.is_terminal() {
                continue;
            }
            let leg = self.leg_of(idx);
            let lookup = self.calls(leg).lookup(&self.orders[idx].order).await;
            self.apply_lookup(idx, lookup);
            self.save().await?;
            self.resolve(idx).await?;
        }
        self.balance().await
    }

    /// Ends the run: on an unresolved order, pauses the pair and raises a critical alert; on
    /// success, returns the final record.
    pub(super) async fn settle_outcome(
        &mut self,
        outcome: Result<(), ExecuteError>,
    ) -> Result<ExecutionRecord, ExecuteError> {
        match outcome {
            Ok(()) => Ok(self.record.clone()),
            Err(e @ ExecuteError::Unresolved { .. }) => {
                let message = format!(
                    "execution {} on pair {} cannot establish an order's fills ({e}); pair paused, \
                     execution left open for recovery",
                    self.record.id, self.record.pair_id
                );
                self.alert(Severity::Critical, message.clone());
                self.pause_pair(&message).await?;
                Err(e)
            }
            Err(e) => {
                self.alert(
                    Severity::Critical,
                    format!(
                        "execution {} on pair {} stopped: {e}",
                        self.record.id, self.record.pair_id
                    ),
                );
                Err(e)
            }
        }
    }

    /// Hedges, then unwinds, until both legs hold the same quantity or the bounded attempts are
    /// used up. Never re-enters hedging once unwinding started; never loops unboundedly.
    async fn balance(&mut self) -> Result<(), ExecuteError> {
        let config = self.ex.config.clone();
        let hedge_deadline = Instant::now() + config.order_timeout;
        let mut unwind_orders = 0_u32;
        loop {
            let (long, need) = self.imbalance();
            let short = long.other();
            if need.is_zero() {
                return self.conclude_balanced(None).await;
            }
            let Some(hedge_qty) = tradable_qty(&self.markets[short], need) else {
                // Below the hedging venue's minimum order: no hedge can be placed, and selling
                // back what no hedge can balance is not worth pausing the pair. It is residual
                // inventory, counted in positions and PnL.
                let residual = Residual {
                    leg: long,
                    qty: need,
                };
                return self.conclude_balanced(Some(residual)).await;
            };
            let first_hedge = !self
                .orders
                .iter()
                .any(|o| o.order.request.market == self.markets[short].key);
            let may_retry = self.record.hedge_attempts < config.max_hedge_attempts
                && Instant::now() < hedge_deadline;
            let hedging = self.record.state != ExecutionState::Unwinding;
            if hedging && (first_hedge || may_retry) {
                self.hedge_once(short, hedge_qty, first_hedge).await?;
                continue;
            }
            if self.record.state != ExecutionState::Unwinding {
                self.record.state = ExecutionState::Unwinding;
                self.save().await?;
            }
            if unwind_orders >= config.max_hedge_attempts.max(1) {
                return self
                    .conclude(
                        ExecutionState::Unhedged,
                        format!(
                            "{need} contracts on {} remain unhedged after {unwind_orders} unwind orders",
                            self.markets[long].key
                        ),
                    )
                    .await;
            }
            match self.unwind_once(long, need).await? {
                UnwindStep::Dust => {
                    let residual = Residual {
                        leg: long,
                        qty: need,
                    };
                    return self.conclude_balanced(Some(residual)).await;
                }
                UnwindStep::Impossible(reason) => {
                    return self.conclude(ExecutionState::Unhedged, reason).await;
                }
                UnwindStep::Sent => unwind_orders += 1,
                UnwindStep::BookUnavailable => {
                    unwind_orders += 1;
                    tokio::time::sleep(config.poll_interval).await;
                }
            }
        }
    }

    /// One hedge order of `qty` (a tradable quantity) on the short leg: the plain second leg
    /// first, then retries that re-read the book.
    async fn hedge_once(
        &mut self,
        short: LegId,
        qty: Qty,
        first: bool,
    ) -> Result<(), ExecuteError> {
        let limit = hedge_limit(
            &self.markets[short],
            self.plan_leg(short).limit_price,
            self.ex.config.slippage_tolerance,
        );
        if first {
            self.record.state = ExecutionState::SecondLegSent;
            let idx = self.push_order(
                short,
                OrderRole::SecondLeg,
                Side::Buy,
                limit,
                qty,
                TimeInForce::Ioc,
            );
            self.save().await?;
            self.place(idx).await?;
            return self.resolve(idx).await;
        }
        self.record.state = ExecutionState::Hedging;
        self.record.hedge_attempts += 1;
        let outcome = self.plan_leg(short).outcome;
        let market_id = self.markets[short].key.market.clone();
        let available = self
            .calls(short)
            .book(&market_id)
            .await
            .map_or(Qty::ZERO, |b| depth_to_buy(b.buy_levels(outcome), limit));
        if available < self.markets[short].min_order_qty || available.is_zero() {
            self.record.note = Some(format!(
                "hedge retry {}: nothing to buy at or below {limit}",
                self.record.hedge_attempts
            ));
            self.save().await?;
            tokio::time::sleep(self.ex.config.poll_interval).await;
            return Ok(());
        }
        let idx = self.push_order(
            short,
            OrderRole::HedgeRetry,
            Side::Buy,
            limit,
            qty,
            TimeInForce::Ioc,
        );
        self.save().await?;
        self.place(idx).await?;
        self.resolve(idx).await
    }

    /// One unwind order selling the excess on the long leg, never below the floor.
    async fn unwind_once(&mut self, long: LegId, need: Qty) -> Result<UnwindStep, ExecuteError> {
        let market = &self.markets[long];
        let floor = self.ex.config.unwind_floor_price;
        let Some(limit) = unwind_limit(market, floor) else {
            return Ok(UnwindStep::Impossible(format!(
                "no valid price at or above the floor {floor} on {}",
                market.key
            )));
        };
        let Some(qty) = tradable_qty(market, need) else {
            return Ok(UnwindStep::Dust);
        };
        let outcome = self.plan_leg(long).outcome;
        let market_id = market.key.market.clone();
        let key = market.key.clone();
        let Some(book) = self.calls(long).book(&market_id).await else {
            return Ok(UnwindStep::BookUnavailable);
        };
        let bids = depth_to_sell(book.sell_levels(outcome), limit);
        if tradable_qty(&self.markets[long], bids).is_none() {
            return Ok(UnwindStep::Impossible(format!(
                "{need} contracts on {key} unhedged: no bids at or above the floor {limit}, \
                 so holding costs less than unwinding"
            )));
        }
        let idx = self.push_order(
            long,
            OrderRole::Unwind,
            Side::Sell,
            limit,
            qty,
            TimeInForce::Ioc,
        );
        self.save().await?;
        self.place(idx).await?;
        self.resolve(idx).await?;
        Ok(UnwindStep::Sent)
    }

    /// Ends a run whose legs hold equal quantities, or differ only by `residual`.
    ///
    /// It is `Hedged` when nothing was sold back, or when what was sold back on each leg is no
    /// more than that leg's buys filled beyond their orders (a venue that fills a buy by its cash
    /// budget pays price improvement in extra shares: shedding those is not a failed hedge). It
    /// is `Unwound` (and the pair paused) when contracts bought as planned had to be sold.
    async fn conclude_balanced(&mut self, residual: Option<Residual>) -> Result<(), ExecuteError> {
        let bought = self.traded(LegId::A, Side::Buy) + self.traded(LegId::B, Side::Buy);
        if bought.is_zero() {
            return self
                .conclude(ExecutionState::Aborted, "nothing filled".to_owned())
                .await;
        }
        let sold = self.traded(LegId::A, Side::Sell) + self.traded(LegId::B, Side::Sell);
        let shed_only_overfill = LegId::BOTH
            .into_iter()
            .all(|leg| self.traded(leg, Side::Sell) <= self.overfilled(leg));
        let (state, mut note) = if sold.is_zero() || shed_only_overfill {
            let hedged = self.net(LegId::A).min(self.net(LegId::B));
            let mut note = format!(
                "hedged {hedged} of {} planned contracts",
                self.record.plan.qty
            );
            if !sold.is_zero() {
                note.push_str(&format!(
                    "; sold back {sold} contracts the venue filled beyond the order"
                ));
            }
            (ExecutionState::Hedged, note)
        } else {
            (
                ExecutionState::Unwound,
                format!("hedge fell short; sold back {sold} excess contracts"),
            )
        };
        if let Some(r) = residual {
            note.push_str(&format!(
                "; residual {} {} on {} kept as inventory (below the venue's minimum order)",
                r.qty,
                self.plan_leg(r.leg).outcome,
                self.markets[r.leg].key
            ));
        }
        self.conclude(state, note).await
    }

    /// Writes the terminal state and tells people. After an unwound or unhedged end the pair is
    /// paused first, so a crash in between can never leave it trading.
    async fn conclude(&mut self, state: ExecutionState, note: String) -> Result<(), ExecuteError> {
        let severity = match state {
            ExecutionState::Unhedged => Some(Severity::Critical),
            ExecutionState::Unwound => Some(Severity::Warning),
            _ => None,
        };
        let message = format!(
            "execution {} on pair {} ended {state:?}: {note}; pair paused until resumed",
            self.record.id, self.record.pair_id
        );
        if severity.is_some() {
            self.pause_pair(&message).await?;
        }
        self.record.state = state;
        self.record.note = Some(note);
        self.save().await?;
        self.notify(Notification::ExecutionUpdate {
            execution: self.record.clone(),
        });
        if let Some(severity) = severity {
            self.alert(severity, message);
        }
        Ok(())
    }

    async fn pause_pair(&self, reason: &str) -> Result<(), ExecuteError> {
        let event = PairEvent {
            pair_id: self.record.pair_id,
            action: PairAction::Paused,
            actor: "executor".to_owned(),
            reason: reason.to_owned(),
            at: self.ex.clock.now(),
        };
        self.ex
            .store
            .set_pair_status(self.record.pair_id, PairStatus::Paused, &event)
            .await?;
        Ok(())
    }

    fn alert(&self, severity: Severity, message: String) {
        self.notify(Notification::Alert { severity, message });
    }

    fn notify(&self, notification: Notification) {
        if let Err(e) = self.ex.notifier.notify(notification) {
            tracing::warn!(error = %e, execution = %self.record.id, "notification dropped");
        }
    }

    /// The leg holding more contracts (net of sales) and by how much.
    fn imbalance(&self) -> (LegId, Qty) {
        let (a, b) = (self.net(LegId::A), self.net(LegId::B));
        let long = LegId::b_if(b > a);
        (long, a.abs_diff(b))
    }

    /// Contracts a leg holds: bought less sold.
    fn net(&self, leg: LegId) -> Qty {
        self.traded(leg, Side::Buy)
            .saturating_sub(self.traded(leg, Side::Sell))
    }

    /// Contracts a leg's buys filled beyond what they asked for.
    fn overfilled(&self, leg: LegId) -> Qty {
        self.orders
            .iter()
            .filter(|o| {
                o.order.request.market == self.markets[leg].key && o.order.request.side == Side::Buy
            })
            .fold(Qty::ZERO, |acc, o| {
                acc + o.order.filled_qty.saturating_sub(o.order.request.qty)
            })
    }

    /// Contracts filled on a leg's market on one side.
    fn traded(&self, leg: LegId, side: Side) -> Qty {
        self.orders
            .iter()
            .filter(|o| {
                o.order.request.market == self.markets[leg].key && o.order.request.side == side
            })
            .fold(Qty::ZERO, |acc, o| acc + o.order.filled_qty)
    }

    fn plan_leg(&self, leg: LegId) -> &OpportunityLeg {
        self.record.plan.leg(leg)
    }

    fn leg_of(&self, idx: usize) -> LegId {
        LegId::b_if(self.orders[idx].order.request.market == self.markets[LegId::B].key)
    }

    fn calls(&self, leg: LegId) -> VenueCalls<'_> {
        VenueCalls {
            exchange: self.venues[leg].as_ref(),
            risk: self.ex.risk.as_deref(),
        }
    }

    /// The leg to send first. With `LessDepth`, the books given by the caller are used, else
    /// both are read now (concurrently).
    async fn choose_first_leg(&self, books: Option<Legs<&BinaryBook>>) -> LegId {
        match &self.ex.config.first_leg_rule {
            FirstLegRule::MarketA => LegId::A,
            FirstLegRule::Venue(v) => LegId::b_if(&self.markets[LegId::B].key.venue == v),
            FirstLegRule::LessDepth => {
                let depth = |leg: LegId, book: Option<&BinaryBook>| {
                    let plan = self.plan_leg(leg);
                    book.map(|b| depth_to_buy(b.buy_levels(plan.outcome), plan.limit_price))
                };
                let (a, b) = match books {
                    Some(books) => (
                        depth(LegId::A, Some(books[LegId::A])),
                        depth(LegId::B, Some(books[LegId::B])),
                    ),
                    None => {
                        let (ca, cb) = (self.calls(LegId::A), self.calls(LegId::B));
                        let (ba, bb) = futures::join!(
                            ca.book(&self.markets[LegId::A].key.market),
                            cb.book(&self.markets[LegId::B].key.market)
                        );
                        (depth(LegId::A, ba.as_ref()), depth(LegId::B, bb.as_ref()))
                    }
                };
                LegId::b_if(matches!((a, b), (Some(a), Some(b)) if b < a))
            }
        }
    }

    /// Mints a client order id and adds the order (not yet sent) to the execution.
    fn push_order(
        &mut self,
        leg: LegId,
        role: OrderRole,
        side: Side,
        limit_price: Price,
        qty: Qty,
        time_in_force: TimeInForce,
    ) -> usize {
        let request = OrderRequest {
            client_order_id: ClientOrderId::new(self.ex.ids.next_id("ord")),
            market: self.markets[leg].key.clone(),
            outcome: self.plan_leg(leg).outcome,
            side,
            limit_price,
            qty,
            time_in_force,
        };
        self.orders.push(OrderRecord {
            execution_id: Some(self.record.id.clone()),
            role,
            order: Order::pending(request, self.ex.clock.now()),
        });
        self.orders.len() - 1
    }

    /// Sends a stored order and stores the answer.
    async fn place(&mut self, idx: usize) -> Result<(), ExecuteError> {
        self.fence().await?;
        let answer = self
            .calls(self.leg_of(idx))
            .place(&self.orders[idx].order.request)
            .await;
        self.apply_answer(idx, answer);
        self.save().await
    }

    /// Polls a non-terminal order until it resolves or times out, then cancels it and reads it
    /// back. Every answer is stored. An order still unresolved after that is an error.
    async fn resolve(&mut self, idx: usize) -> Result<(), ExecuteError> {
        let leg = self.leg_of(idx);
        let deadline = Instant::now() + self.ex.config.order_timeout;
        while !self.orders[idx].order.status.is_terminal() && Instant::now() < deadline {
            tokio::time::sleep(self.ex.config.poll_interval).await;
            let lookup = self.calls(leg).lookup(&self.orders[idx].order).await;
            if self.apply_lookup(idx, lookup) {
                self.save().await?;
            }
        }
        if self.orders[idx].order.status.is_terminal() {
            return Ok(());
        }
        let venue_id = self.orders[idx].order.venue_order_id.clone();
        if let Some(id) = venue_id
            && let Some(order) = self.calls(leg).cancel(&id).await
        {
            self.merge(idx, order);
        }
        if !self.orders[idx].order.status.is_terminal() {
            let lookup = self.calls(leg).lookup(&self.orders[idx].order).await;
            self.apply_lookup(idx, lookup);
        }
        self.save().await?;
        let order = &self.orders[idx].order;
        if order.status.is_terminal() {
            return Ok(());
        }
        Err(ExecuteError::Unresolved {
            execution: self.record.id.clone(),
            client_order_id: order.request.client_order_id.clone(),
            detail: format!(
                "{:?} with {} filled after {:?}{}",
                order.status,
                order.filled_qty,
                self.ex.config.order_timeout,
                order
                    .reason
                    .as_deref()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default()
            ),
        })
    }

    fn apply_answer(&mut self, idx: usize, answer: PlaceAnswer) {
        match answer {
            PlaceAnswer::Order(order) => self.merge(idx, order),
            PlaceAnswer::NotReceived(reason) => {
                self.mark(
                    idx,
                    OrderStatus::Rejected,
                    format!("not received by the venue: {reason}"),
                );
            }
            PlaceAnswer::Refused(reason) => self.mark(idx, OrderStatus::Rejected, reason),
            PlaceAnswer::Unknown(reason) => self.mark(idx, OrderStatus::Unknown, reason),
        }
    }

    /// Applies a lookup; returns whether anything changed.
    fn apply_lookup(&mut self, idx: usize, lookup: Lookup) -> bool {
        match lookup {
            Lookup::Found(order) => {
                let before = self.orders[idx].order.clone();
                self.merge(idx, order);
                before != self.orders[idx].order
            }
            // A venue that never acknowledged the order and has no trace of it never got it.
            Lookup::Missing if self.orders[idx].order.venue_order_id.is_none() => {
                self.mark(
                    idx,
                    OrderStatus::Rejected,
                    "the venue has no order with this client order id".to_owned(),
                );
                true
            }
            Lookup::Missing | Lookup::Failed(_) => false,
        }
    }

    /// Takes the venue's view of an order (keeping our request). A venue report that contradicts
    /// ours is accepted only when it is final (the venue is the ledger), and logged.
    fn merge(&mut self, idx: usize, mut remote: Order) {
        let local = &mut self.orders[idx].order;
        remote.request = local.request.clone();
        if let Err(e) = local.apply_update(&remote) {
            tracing::warn!(
                error = %e,
                client_order_id = %local.request.client_order_id,
                "venue report contradicts the stored order"
            );
            if remote.status.is_terminal() {
                *local = remote;
            }
        }
    }

    fn mark(&mut self, idx: usize, status: OrderStatus, reason: String) {
        let order = &mut self.orders[idx].order;
        if order.status.is_terminal() {
            return;
        }
        order.status = status;
        order.reason = Some(reason);
        order.updated_at = self.ex.clock.now();
    }

    /// Writes the execution and all its orders in one transaction.
    /// Under the pair's lease: refused (nothing written, and the caller stops) when this
    /// process no longer holds it.
    async fn save(&mut self) -> Result<(), ExecuteError> {
        self.record.updated_at = self.ex.clock.now();
        let fence = self.fence().await?;
        self.ex
            .store
            .save_execution(fence, &self.record, &self.orders)
            .await?;
        Ok(())
    }

    /// The fence of this execution's pair lease; an error when it is no longer held, so that no
    /// order is sent for a pair another process may have taken over.
    async fn fence(&self) -> Result<crate::store::Fence, ExecuteError> {
        Ok(self
            .ex
            .leases
            .fence(self.ex.store.as_ref(), self.record.pair_id)
            .await?)
    }
}
