//! The two-phase executor: a persisted state machine that buys both legs of an opportunity,
//! hedges what actually filled, unwinds or flags what could not be hedged, and recovers after a crash.
//!
//! Every step is written to the [`Store`] before it is acted on: client order ids are minted and
//! stored with the execution before each order is sent, and every venue answer is stored when it
//! arrives. Pending, delayed and unknown answers are never read as "nothing filled": the order is
//! polled (by venue id, then by client order id) until it resolves or times out, then cancelled
//! and read back. An execution's progress is a function of its stored orders, so
//! [`Executor::recover`] resumes any execution from the store alone, never sending an order twice.

mod config;
mod leases;
pub mod pricing;
mod run;
mod venue;

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use thiserror::Error;

pub use config::{ExecutionConfig, FirstLegRule};
pub use leases::PairLeases;

/// How long a pair lease lasts without renewal unless configured (`LEASE_TTL`).
pub const DEFAULT_LEASE_TTL: std::time::Duration = std::time::Duration::from_secs(15);

use crate::clock::{Clock, IdSource};
use crate::exchange::Exchange;
use crate::model::{
    BinaryBook, ClientOrderId, ExecutionId, ExecutionRecord, LegId, Legs, Market, MarketKey,
    ModelError, Opportunity, OpportunityId, PairId, PairStatus, VenueId, VerifiedPair,
};
use crate::notify::Notifier;
use crate::risk::RiskManager;
use crate::store::{Store, StoreError};
use run::Run;

/// Why an execution could not start or could not finish.
#[derive(Debug, Error)]
pub enum ExecuteError {
    /// A setting is invalid; nothing was sent.
    #[error("invalid execution config: {0}")]
    Config(String),
    /// The opportunity does not belong to the pair or markets given; nothing was sent.
    #[error("opportunity does not match its pair: {0}")]
    PlanMismatch(String),
    /// No exchange was given for a venue the pair trades on; nothing was sent.
    #[error("no exchange configured for venue {0}")]
    UnknownVenue(VenueId),
    /// The pair is not active (paused by a person or by the executor); nothing was sent.
    #[error("pair {0} is {1:?}, not active")]
    PairNotActive(crate::model::PairId, PairStatus),
    /// The kill switch is on; nothing was sent.
    #[error("trading halted: {0}")]
    Halted(String),
    /// A market of the execution is unknown to the store and to its venue (recovery).
    #[error("market {0} not found")]
    MarketNotFound(MarketKey),
    /// An order's outcome could not be established before the timeout. The execution stays open
    /// (it is resumed by [`Executor::recover`]), its pair is paused and a critical alert is raised.
    #[error("order {client_order_id} of execution {execution} is unresolved: {detail}")]
    Unresolved {
        /// The execution.
        execution: ExecutionId,
        /// The order whose state is unknown.
        client_order_id: ClientOrderId,
        /// The last thing the venue said.
        detail: String,
    },
    /// A store write or read failed; the executor stopped before acting on the unsaved step.
    #[error("store failed: {0}")]
    Store(#[from] StoreError),
    /// A value computed for an order was invalid.
    #[error(transparent)]
    Model(#[from] ModelError),
}

/// What the caller of [`Executor::execute_with`] may already know.
#[derive(Clone, Copy, Debug, Default)]
pub struct ExecutionContext<'a> {
    /// The stored opportunity's id, recorded on the execution.
    pub opportunity_id: Option<OpportunityId>,
    /// The books of markets A and B the opportunity was found on.
    pub books: Option<Legs<&'a BinaryBook>>,
}

/// Runs opportunities to a terminal state and recovers interrupted ones. Safe to share.
pub struct Executor {
    venues: HashMap<VenueId, Arc<dyn Exchange>>,
    store: Arc<dyn Store>,
    notifier: Arc<dyn Notifier>,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdSource>,
    config: ExecutionConfig,
    risk: Option<Arc<RiskManager>>,
    leases: Arc<PairLeases>,
}

impl std::fmt::Debug for Executor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Executor")
            .field("venues", &self.venues.keys().collect::<Vec<_>>())
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Executor {
    /// An executor trading on `venues` (one per venue id), persisting to `store`.
    #[must_use]
    pub fn new(
        venues: Vec<Arc<dyn Exchange>>,
        store: Arc<dyn Store>,
        notifier: Arc<dyn Notifier>,
        clock: Arc<dyn Clock>,
        ids: Arc<dyn IdSource>,
        config: ExecutionConfig,
    ) -> Self {
        Self {
            venues: venues.into_iter().map(|v| (v.venue(), v)).collect(),
            store,
            notifier,
            clock,
            ids,
            config,
            risk: None,
            leases: Arc::new(PairLeases::on_demand(
                crate::store::LeaseOwner::this_process("default"),
                DEFAULT_LEASE_TTL,
            )),
        }
    }

    /// Uses these pair leases (an engine's, which it acquires and renews) instead of taking
    /// leases on demand: every execution write carries the pair's lease token, and an execution
    /// whose pair lease is not held stops before its next write or order.
    #[must_use]
    pub fn with_leases(mut self, leases: Arc<PairLeases>) -> Self {
        self.leases = leases;
        self
    }

    /// The pair leases this executor writes under.
    #[must_use]
    pub const fn leases(&self) -> &Arc<PairLeases> {
        &self.leases
    }

    /// Connects the risk manager: its kill switch stops new executions (in-flight ones still
    /// finish hedging) and venue call failures and successes feed its consecutive-error count.
    #[must_use]
    pub fn with_risk(mut self, risk: Arc<RiskManager>) -> Self {
        self.risk = Some(risk);
        self
    }

    /// The settings in use.
    #[must_use]
    pub const fn config(&self) -> &ExecutionConfig {
        &self.config
    }

    /// Runs one opportunity to a terminal state; persists every step before acting.
    pub async fn execute<'m>(
        &self,
        pair: &VerifiedPair,
        markets: impl Into<Legs<&'m Market>>,
        opportunity: &Opportunity,
    ) -> Result<ExecutionRecord, ExecuteError> {
        self.execute_with(
            pair,
            markets.into(),
            opportunity,
            ExecutionContext::default(),
        )
        .await
    }

    /// [`Executor::execute`] with what the caller already knows: the stored opportunity's id
    /// (kept on the execution record) and the books the opportunity was found on (then the
    /// first-leg rule uses them instead of reading both books again, saving a round trip).
    pub async fn execute_with<'m>(
        &self,
        pair: &VerifiedPair,
        markets: impl Into<Legs<&'m Market>>,
        opportunity: &Opportunity,
        context: ExecutionContext<'_>,
    ) -> Result<ExecutionRecord, ExecuteError> {
        let markets = markets.into();
        self.config.validate()?;
        check_plan(pair, markets, opportunity)?;
        if let Some(reason) = self.halt_reason() {
            return Err(ExecuteError::Halted(reason));
        }
        let stored = self.store.pair(pair.id).await?;
        let status = stored.map_or(pair.status, |p| p.status);
        if status != PairStatus::Active {
            return Err(ExecuteError::PairNotActive(pair.id, status));
        }
        let venues = Legs::new(self.venue(&pair.a.venue)?, self.venue(&pair.b.venue)?);
        let mut run = Run::plan(
            self,
            markets.map(|_, m| Cow::Borrowed(m)),
            venues,
            opportunity,
            context.opportunity_id,
        )
        .await?;
        let outcome = run.start(context.books).await;
        run.settle_outcome(outcome).await
    }

    /// At start-up: reconciles every non-terminal execution in the store with the venues and
    /// resumes or closes it. Returns the executions as they ended (an execution whose orders are
    /// still unresolved is returned in its non-terminal state, its pair paused and an alert raised).
    ///
    /// An execution that cannot be reconciled at all (its venue is not configured, its market
    /// cannot be loaded, the store fails) does not stop the others: every execution is tried, and
    /// then the first such error is returned, so a caller that fails closed still starts from as
    /// reconciled a state as the venues allow.
    pub async fn recover(&self) -> Result<Vec<ExecutionRecord>, ExecuteError> {
        self.recover_matching(|_| true).await
    }

    /// [`Executor::recover`] for the executions of one pair only: what a process does when it
    /// takes a pair's lease over (the previous holder may have died mid-execution).
    pub async fn recover_pair(&self, pair: PairId) -> Result<Vec<ExecutionRecord>, ExecuteError> {
        self.recover_matching(|r| r.pair_id == pair).await
    }

    async fn recover_matching(
        &self,
        wanted: impl Fn(&ExecutionRecord) -> bool,
    ) -> Result<Vec<ExecutionRecord>, ExecuteError> {
        self.config.validate()?;
        let mut out = Vec::new();
        let mut first_error = None;
        let open = self.store.open_executions().await?;
        for record in open.into_iter().filter(|r| wanted(r)) {
            let id = record.id.clone();
            match self.recover_one(record).await {
                Ok(record) => out.push(record),
                Err(e) => {
                    tracing::error!(execution = %id, error = %e, "cannot reconcile execution; carrying on with the others");
                    first_error.get_or_insert(e);
                }
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(out),
        }
    }

    /// Reconciles one stored execution (see [`Executor::recover`]).
    async fn recover_one(&self, record: ExecutionRecord) -> Result<ExecutionRecord, ExecuteError> {
        let orders = self.store.execution_orders(&record.id).await?;
        let (key_a, key_b) = (&record.plan.leg_a.market, &record.plan.leg_b.market);
        let venues = Legs::new(self.venue(&key_a.venue)?, self.venue(&key_b.venue)?);
        let markets = Legs::new(
            self.load_market(key_a, &venues[LegId::A]).await?,
            self.load_market(key_b, &venues[LegId::B]).await?,
        );
        let mut run = Run::resume(
            self,
            markets.map(|_, m| Cow::Owned(m)),
            venues,
            record,
            orders,
        );
        let outcome = run.recover().await;
        match run.settle_outcome(outcome).await {
            Ok(record) => Ok(record),
            Err(ExecuteError::Unresolved { .. }) => Ok(run.record().clone()),
            Err(e) => Err(e),
        }
    }

    fn venue(&self, venue: &VenueId) -> Result<Arc<dyn Exchange>, ExecuteError> {
        self.venues
            .get(venue)
            .cloned()
            .ok_or_else(|| ExecuteError::UnknownVenue(venue.clone()))
    }

    async fn load_market(
        &self,
        key: &MarketKey,
        venue: &Arc<dyn Exchange>,
    ) -> Result<Market, ExecuteError> {
        if let Some(m) = self.store.market(key).await? {
            return Ok(m);
        }
        venue
            .market(&key.market)
            .await
            .map_err(|_| ExecuteError::MarketNotFound(key.clone()))
    }

    fn halt_reason(&self) -> Option<String> {
        self.risk.as_ref().and_then(|r| r.halt_reason())
    }
}

fn check_plan(
    pair: &VerifiedPair,
    markets: Legs<&Market>,
    opportunity: &Opportunity,
) -> Result<(), ExecuteError> {
    let mismatch = |what: String| Err(ExecuteError::PlanMismatch(what));
    if opportunity.pair_id != pair.id {
        return mismatch(format!(
            "opportunity is for pair {}, not {}",
            opportunity.pair_id, pair.id
        ));
    }
    for (leg, (key, market)) in opportunity
        .legs()
        .into_iter()
        .zip([(&pair.a, markets[LegId::A]), (&pair.b, markets[LegId::B])])
    {
        if &leg.market != key || &market.key != key {
            return mismatch(format!(
                "leg on {} does not match the pair's market {key} (given {})",
                leg.market, market.key
            ));
        }
        if leg.qty != opportunity.qty || leg.qty.is_zero() {
            return mismatch(format!(
                "leg on {} buys {} but the opportunity is for {}",
                leg.market, leg.qty, opportunity.qty
            ));
        }
    }
    let expected = pair.polarity.map(opportunity.leg_a.outcome).opposite();
    if opportunity.leg_b.outcome != expected {
        return mismatch(format!(
            "with {} polarity, buying {} on A must be hedged by {} on B, not {}",
            pair.polarity, opportunity.leg_a.outcome, expected, opportunity.leg_b.outcome
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
