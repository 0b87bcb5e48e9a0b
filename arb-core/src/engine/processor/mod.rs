//! The engine's decisions as a synchronous state machine: books, pairs, risk state, portfolio,
//! busy pairs and balances live here; [`Processor::on_event`] turns one [`Event`] into the
//! [`Command`]s it calls for, never awaiting and doing no I/O. Time comes in with the event, so a
//! recorded event sequence replayed through a fresh processor gives the same commands.

mod account;
mod detection;
mod pairs;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::events::{Command, Event, EventKind, Job, Tick};
use super::fallback::Fallback;
use super::{BookCache, EngineConfig};
use crate::detect::PairDetector;
use crate::fees::FeeModel;
use crate::model::{Legs, Market, PairId, VenueId, VerifiedPair};
use crate::portfolio::Portfolio;
use crate::risk::RiskManager;

/// One approved pair with everything needed to evaluate it.
struct WatchedPair {
    pair: VerifiedPair,
    /// Shared with the executions of the pair.
    markets: Legs<Arc<Market>>,
    fees: Legs<Arc<dyn FeeModel>>,
    /// Kept between book updates: the fee rules and limits are converted once.
    detector: PairDetector,
}

/// An execution that ended, whose risk outcome waits for the reconciliation that picks up its
/// fills (its pair stays busy until then, so the cooldown applies before it trades again).
struct AwaitedOutcome {
    pair: PairId,
    finished_at: DateTime<Utc>,
    realized_before: Decimal,
    /// The first reconciliation round that started after it ended.
    round: u64,
}

/// Reconciliation rounds: one at a time, another asked for while one runs.
#[derive(Default)]
struct Rounds {
    /// The last round started.
    started: u64,
    /// Whether another round is wanted after the running one.
    again: bool,
    awaited: Vec<AwaitedOutcome>,
}

/// The engine's state and decisions (see the module documentation).
pub(crate) struct Processor {
    config: EngineConfig,
    venues: Vec<VenueId>,
    risk: Arc<RiskManager>,
    books: BookCache,
    pairs: BTreeMap<PairId, WatchedPair>,
    /// Pairs with an execution or recovery in flight, or an outcome awaited (one at a time).
    busy: BTreeSet<PairId>,
    balances: HashMap<VenueId, Decimal>,
    /// Positions and PnL built from our fills.
    portfolio: Portfolio,
    /// Fills are fetched from the venues from this time on.
    fills_since: DateTime<Utc>,
    /// Which venues' streams deliver, which are polled instead.
    fallback: Fallback,
    /// Executions in flight (at most `max_concurrent_executions`).
    executions: usize,
    /// Recoveries of newly leased pairs in flight.
    recoveries: usize,
    /// Background jobs in flight.
    jobs: BTreeSet<Job>,
    /// Whether the pairs must be re-read again once the running read ends.
    pairs_again: bool,
    rounds: Rounds,
    /// Pairs whose evaluation waits for the running lease round (it may give them up).
    deferred: BTreeSet<PairId>,
    /// Pairs awaiting their execution's reconciliation whose books moved meanwhile: evaluated
    /// once free (as the books that arrived while the loop reconciled used to be).
    missed: BTreeSet<PairId>,
    /// Shutting down: no new executions, leases or background reads.
    stopping: bool,
}

impl Processor {
    /// A processor with nothing loaded yet; `risk` is shared with the handle (kill switch) and
    /// the executor (venue errors, cooldowns).
    pub(crate) fn new(config: EngineConfig, venues: Vec<VenueId>, risk: Arc<RiskManager>) -> Self {
        let portfolio = Portfolio::new(config.drift_tolerance);
        Self {
            config,
            venues,
            risk,
            books: BookCache::default(),
            pairs: BTreeMap::new(),
            busy: BTreeSet::new(),
            balances: HashMap::new(),
            portfolio,
            fills_since: DateTime::UNIX_EPOCH,
            fallback: Fallback::default(),
            executions: 0,
            recoveries: 0,
            jobs: BTreeSet::new(),
            pairs_again: false,
            rounds: Rounds::default(),
            deferred: BTreeSet::new(),
            missed: BTreeSet::new(),
            stopping: false,
        }
    }

    /// The commands `event` calls for, in the order they are to be carried out.
    pub(crate) fn on_event(&mut self, event: Event) -> Vec<Command> {
        let mut out = Vec::new();
        let at = event.at;
        match event.kind {
            EventKind::Started => self.on_started(at, &mut out),
            EventKind::ShutdownRequested => self.stopping = true,
            EventKind::Streamed { venue, event } => self.on_streamed(&venue, event, at, &mut out),
            EventKind::Polled { venue, result } => self.on_polled(venue, result, at, &mut out),
            EventKind::Tick(tick) => self.on_tick(tick, at, &mut out),
            EventKind::PairsChanged => self.request_pairs(&mut out),
            EventKind::KillSwitch(reason) => self.on_kill_switch(reason, &mut out),
            EventKind::FillsLoaded(fills) => self.on_fills_loaded(&fills),
            EventKind::PairsRefreshed { active, loaded } => {
                self.on_pairs_refreshed(active, loaded, &mut out);
            }
            EventKind::Balances(balances) => self.on_balances(balances),
            EventKind::Reconciled(found) => self.on_reconciled(*found, at, &mut out),
            EventKind::ReconcilePanicked { round, cause } => {
                self.on_reconcile_panicked(round, cause, at, &mut out);
            }
            EventKind::LeasesRebalanced {
                acquired,
                released,
                lost,
            } => self.on_leases(&acquired, &released, &lost, at, &mut out),
            EventKind::Recovered { pair, end } => self.on_recovered(pair, end, &mut out),
            EventKind::ExecutionEnded { pair, end } => {
                self.on_execution_end(pair, end, at, &mut out)
            }
            EventKind::CataloguesSynced => {
                self.jobs.remove(&Job::Catalogue);
                out.push(Command::ScheduleCatalogueSync);
            }
            EventKind::JobPanicked { job, cause } => {
                self.job_ended(&job, at, &mut out);
                out.push(Command::ReportPanic { job, cause });
            }
        }
        out
    }

    /// Start-up, in order: the kill switch and portfolio from the store, the lease group joined
    /// and this engine's share of the pairs leased and recovered, then the pairs watched and
    /// the balances read.
    fn on_started(&mut self, at: DateTime<Utc>, out: &mut Vec<Command>) {
        self.fills_since = at - chrono::Duration::days(1);
        self.start_job(Job::KillSwitch, Command::ReadKillSwitch, out);
        self.start_job(Job::Fills, Command::LoadFills, out);
        if self.config.mode.executes() {
            out.push(Command::JoinLeaseGroup);
            self.start_leases(out);
        }
        self.request_pairs(out);
        self.request_balances(out);
    }

    fn on_tick(&mut self, tick: Tick, at: DateTime<Utc>, out: &mut Vec<Command>) {
        if self.stopping {
            return;
        }
        match tick {
            Tick::Poll => self.poll(at, out),
            Tick::Control => {
                self.persist_prices(out);
                self.start_job(Job::KillSwitch, Command::ReadKillSwitch, out);
                self.request_pairs(out);
            }
            // Not while a taken-over pair is being recovered: positions move under it.
            Tick::Reconcile if self.recoveries == 0 => self.request_reconcile(at, out),
            Tick::Reconcile => {}
            Tick::Leases if self.config.mode.executes() => self.start_leases(out),
            Tick::Leases => {}
            Tick::Catalogue => self.start_job(Job::Catalogue, Command::SyncCatalogues, out),
        }
    }

    /// Emits `command` unless `job` is already running.
    fn start_job(&mut self, job: Job, command: Command, out: &mut Vec<Command>) {
        if self.jobs.insert(job) {
            out.push(command);
        }
    }

    /// A job panicked: it may run again; what waited for it goes on.
    fn job_ended(&mut self, job: &Job, at: DateTime<Utc>, out: &mut Vec<Command>) {
        self.jobs.remove(job);
        match job {
            Job::Pairs if std::mem::take(&mut self.pairs_again) => self.request_pairs(out),
            Job::Leases => self.evaluate_deferred(at, out),
            Job::Catalogue => out.push(Command::ScheduleCatalogueSync),
            _ => {}
        }
    }
}
