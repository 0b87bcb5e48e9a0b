//! The I/O side of the engine: carries out the processor's commands that touch venues or the
//! store, each as its own task, and reports back as events. A panic inside one becomes an event
//! naming what panicked.

mod persist;
mod reconcile;

use std::collections::{BTreeSet, HashSet};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures::FutureExt;

use super::events::{
    Command, EventKind, ExecutionEnd, ExecutionOrder, Job, LoadedPair, RecoveryEnd,
};
use super::handle::{HALT_SETTING, Shared};
use super::leasing::Leasing;
use super::{EngineError, EngineHandle};
use crate::execute::{ExecutionContext, Executor};
use crate::model::{Legs, MarketId, PairId, PairStatus, VenueId, VerifiedPair};
use crate::store::{ExposureReservation, StoreError};

pub(super) use persist::persister;

/// What a task reports: the events it produced, or a failure that stops the engine (a store
/// failure: fail closed).
pub(super) type Report = Result<Vec<EventKind>, EngineError>;

/// What the tasks work with.
#[derive(Clone)]
pub(super) struct Io {
    pub shared: Arc<Shared>,
    pub executor: Arc<Executor>,
    /// Pair leases, when trading (monitor mode takes none).
    pub leasing: Option<Arc<Leasing>>,
}

impl Io {
    /// Carries out `command`. Commands without I/O (notifications, status, feeds, persistence)
    /// are the runner's and report nothing here.
    pub(super) async fn perform(self, command: Command) -> Report {
        let job = job_of(&command);
        let result = AssertUnwindSafe(self.run(command)).catch_unwind().await;
        result.unwrap_or_else(|payload| {
            let cause = super::panic_cause(payload.as_ref());
            Ok(vec![match job {
                Panicked::Execution(pair) => EventKind::ExecutionEnded {
                    pair,
                    end: ExecutionEnd::Panicked(cause),
                },
                Panicked::Recovery(pair) => EventKind::Recovered {
                    pair,
                    end: RecoveryEnd::Panicked(cause),
                },
                Panicked::Reconcile(round) => EventKind::ReconcilePanicked { round, cause },
                Panicked::Job(job) => EventKind::JobPanicked { job, cause },
                Panicked::Unreported => {
                    tracing::error!(%cause, "an engine task panicked");
                    return Ok(Vec::new());
                }
            }])
        })
    }

    async fn run(self, command: Command) -> Report {
        let store = &self.shared.store;
        Ok(match command {
            Command::ReadKillSwitch => {
                vec![EventKind::KillSwitch(store.setting(HALT_SETTING).await?)]
            }
            Command::LoadFills => vec![EventKind::FillsLoaded(store.fills(None).await?)],
            Command::JoinLeaseGroup => {
                if let Some(leasing) = &self.leasing {
                    leasing.join().await?;
                }
                Vec::new()
            }
            Command::RebalanceLeases { busy } => self.rebalance(&busy).await?,
            Command::Recover(pair) => vec![EventKind::Recovered {
                pair,
                end: match self.executor.recover_pair(pair).await {
                    Ok(records) => RecoveryEnd::Recovered(records),
                    Err(e) => RecoveryEnd::Failed(e.to_string()),
                },
            }],
            Command::RefreshPairs { known } => self.refresh_pairs(&known).await?,
            Command::FetchBalances => vec![EventKind::Balances(self.balances().await)],
            Command::PollBooks { venue, markets } => vec![self.poll(venue, &markets).await],
            Command::Reconcile(order) => vec![self.reconcile(order).await?],
            Command::SyncCatalogues => self.sync_catalogues().await?,
            Command::Execute(order) => vec![self.execute(*order).await?],
            Command::HaltAfterPanic { task, cause, next } => {
                self.halt_after_panic(&task, &cause, &next).await;
                Vec::new()
            }
            Command::Notify(_)
            | Command::VenueConnected { .. }
            | Command::VenuePolling { .. }
            | Command::WatchMarkets(_)
            | Command::Persist(_)
            | Command::ScheduleCatalogueSync
            | Command::ReportPanic { .. } => Vec::new(),
        })
    }

    /// The pairs a trading engine wants leased: the active ones, and any with an execution
    /// left open (to recover it, even on a paused pair); then one lease round.
    async fn rebalance(&self, busy: &[PairId]) -> Report {
        let Some(leasing) = &self.leasing else {
            return Ok(Vec::new());
        };
        let store = &self.shared.store;
        let mut wanted: BTreeSet<PairId> = store
            .pairs(Some(PairStatus::Active))
            .await?
            .into_iter()
            .map(|p| p.id)
            .collect();
        wanted.extend(store.open_executions().await?.iter().map(|e| e.pair_id));
        let busy: HashSet<PairId> = busy.iter().copied().collect();
        let round = leasing.rebalance(&wanted, &busy).await?;
        Ok(vec![EventKind::LeasesRebalanced {
            acquired: round.acquired,
            released: round.released,
            lost: round.lost,
        }])
    }

    /// The active pairs (a trading engine watches only those it holds the lease of), with the
    /// markets and fee models of those not `known` yet.
    async fn refresh_pairs(&self, known: &[PairId]) -> Report {
        let store = &self.shared.store;
        let mut active = store.pairs(Some(PairStatus::Active)).await?;
        if self.leasing.is_some() {
            let leased: HashSet<PairId> = self.shared.leases.pairs().into_iter().collect();
            active.retain(|p| leased.contains(&p.id));
        }
        let mut loaded = Vec::new();
        for pair in active.iter().filter(|p| !known.contains(&p.id)) {
            if let Some(pair) = self.load_pair(pair).await? {
                loaded.push(pair);
            }
        }
        Ok(vec![EventKind::PairsRefreshed { active, loaded }])
    }

    async fn load_pair(&self, pair: &VerifiedPair) -> Result<Option<LoadedPair>, EngineError> {
        let store = &self.shared.store;
        let (Some(a), Some(b)) = (store.market(&pair.a).await?, store.market(&pair.b).await?)
        else {
            return Ok(None);
        };
        let (Some(venue_a), Some(venue_b)) = (
            self.shared.venue(&a.key.venue),
            self.shared.venue(&b.key.venue),
        ) else {
            return Ok(None);
        };
        let fees = Legs::new(venue_a.fee_model(&a), venue_b.fee_model(&b));
        Ok(Some(LoadedPair {
            pair: pair.clone(),
            markets: Legs::new(a, b),
            fees,
        }))
    }

    /// The available balance of every venue that answers.
    async fn balances(&self) -> Vec<(VenueId, rust_decimal::Decimal)> {
        let mut balances = Vec::new();
        for venue in &self.shared.venues {
            match venue.balance().await {
                Ok(b) => balances.push((venue.venue(), b.available)),
                Err(e) => {
                    tracing::warn!(venue = %venue.venue(), error = %e, "balance fetch failed");
                }
            }
        }
        balances
    }

    /// One venue's books over REST.
    async fn poll(&self, venue: VenueId, markets: &[MarketId]) -> EventKind {
        let result = match self.shared.venue(&venue) {
            Some(exchange) => exchange
                .order_books(markets)
                .await
                .map(|books| {
                    books
                        .into_iter()
                        .map(|(market, book)| (market, Arc::new(book)))
                        .collect()
                })
                .map_err(|e| e.to_string()),
            None => Err(format!("venue `{venue}` is not configured")),
        };
        EventKind::Polled { venue, result }
    }

    /// Re-syncs the catalogues (rules changes pause their pairs). A venue that cannot be listed,
    /// wholly or in part, is logged and retried with backoff; a store failure stops the engine
    /// (fail closed); a panic counts as an incomplete sync (retried with backoff) and is alerted.
    async fn sync_catalogues(&self) -> Report {
        let handle = EngineHandle::from_shared(Arc::clone(&self.shared));
        match AssertUnwindSafe(handle.sync_markets()).catch_unwind().await {
            Ok(report) => {
                let report = report?;
                match report.problems() {
                    None => {
                        for v in &report.venues {
                            tracing::info!(venue = %v.venue, markets = v.stored, "catalogue re-synced");
                        }
                    }
                    Some(problems) => {
                        tracing::warn!(%problems, "catalogue re-sync incomplete; retrying with backoff");
                    }
                }
            }
            Err(payload) => {
                let cause = super::panic_cause(payload.as_ref());
                let what = self.shared.tasks.panicked("catalogue_sync", &cause);
                self.shared
                    .catalogue
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .record_failure(Some(what.clone()), self.shared.clock.now());
                self.shared
                    .tasks
                    .alert(format!("{what}; retrying with backoff"));
            }
        }
        Ok(vec![EventKind::CataloguesSynced])
    }

    /// Checks the lease, reserves the trade's budget, announces the opportunity and executes it.
    async fn execute(&self, order: ExecutionOrder) -> Result<EventKind, EngineError> {
        let pair = order.pair.id;
        let ended = |end| EventKind::ExecutionEnded { pair, end };
        if self.leasing.is_some() && !self.shared.leases.holds(pair) {
            return Ok(ended(ExecutionEnd::NotLeased));
        }
        if let Some(reason) = self.reserve_exposure(&order).await? {
            return Ok(ended(ExecutionEnd::Refused {
                opportunity: Box::new(order.opportunity),
                reason,
            }));
        }
        self.shared
            .notify(crate::notify::Notification::Opportunity {
                opportunity: order.opportunity.clone(),
            });
        let context = ExecutionContext {
            opportunity_id: None,
            books: order
                .books
                .as_ref()
                .map(|books| books.each_ref().map(|_, book| book.as_ref())),
        };
        let result = self
            .executor
            .execute_with(
                &order.pair,
                order.markets.each_ref().map(|_, m| m.as_ref()),
                &order.opportunity,
                context,
            )
            .await;
        Ok(ended(match result {
            Ok(record) => ExecutionEnd::Finished {
                record: Box::new(record),
                opportunity: Box::new(order.opportunity),
            },
            Err(e) => ExecutionEnd::Failed(e.to_string()),
        }))
    }

    /// Reserves the trade's cost in the store's account-wide budget, so daemons sharing the venue
    /// accounts count each other's executions in flight against the total exposure limit; the
    /// refusal's reason when that would exceed it.
    async fn reserve_exposure(
        &self,
        order: &ExecutionOrder,
    ) -> Result<Option<String>, EngineError> {
        let config = &self.shared.config;
        // Until the execution ended (every order may take its timeout) and every daemon
        // reconciled its fills.
        let rounds = config.execution.max_hedge_attempts.saturating_add(3);
        let ttl = config
            .execution
            .order_timeout
            .saturating_mul(rounds)
            .saturating_add(config.reconcile_interval.saturating_mul(2));
        let reservation = ExposureReservation {
            id: self.shared.ids.next_id("budget"),
            owner: self.shared.leases.owner().id.clone(),
            amount: order.opportunity.total_cost,
            ttl,
        };
        let limit = config.risk.max_total_exposure_usd;
        match self
            .shared
            .store
            .reserve_exposure(&reservation, order.exposure_usd, limit)
            .await
        {
            Ok(()) => Ok(None),
            Err(e @ StoreError::ExposureLimit { .. }) => Ok(Some(e.to_string())),
            Err(e) => Err(e.into()),
        }
    }

    /// Halts trading (the persisted kill switch, so a person must lift it) after `task` panicked:
    /// what it was doing may be half done. Logged, counted and alerted.
    async fn halt_after_panic(&self, task: &str, cause: &str, next: &str) {
        let what = self.shared.tasks.panicked(task, cause);
        let reason = format!("{what}; {next}");
        let handle = EngineHandle::from_shared(Arc::clone(&self.shared));
        if let Err(e) = handle.halt("engine", &reason).await {
            tracing::error!(error = %e, "could not persist the kill switch after a panic");
            self.shared.risk.halt(reason.clone());
            self.shared.tasks.alert(format!("Trading halted: {reason}"));
        }
    }
}

/// What to report when a command's task panics.
enum Panicked {
    Execution(PairId),
    Recovery(PairId),
    Reconcile(u64),
    Job(Job),
    /// Joining the lease group or halting: logged only.
    Unreported,
}

fn job_of(command: &Command) -> Panicked {
    match command {
        Command::Execute(order) => Panicked::Execution(order.pair.id),
        Command::Recover(pair) => Panicked::Recovery(*pair),
        Command::Reconcile(order) => Panicked::Reconcile(order.round),
        Command::PollBooks { venue, .. } => Panicked::Job(Job::Poll(venue.clone())),
        Command::RefreshPairs { .. } => Panicked::Job(Job::Pairs),
        Command::RebalanceLeases { .. } => Panicked::Job(Job::Leases),
        Command::FetchBalances => Panicked::Job(Job::Balances),
        Command::LoadFills => Panicked::Job(Job::Fills),
        Command::SyncCatalogues => Panicked::Job(Job::Catalogue),
        Command::ReadKillSwitch => Panicked::Job(Job::KillSwitch),
        _ => Panicked::Unreported,
    }
}
