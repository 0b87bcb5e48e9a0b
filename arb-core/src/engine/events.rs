//! What flows into the engine's [`Processor`](super::processor::Processor) and what comes out:
//! [`Event`]s (a book arrived, a timer fired, an I/O task finished) and [`Command`]s (execute
//! this, persist that, fetch or reconcile something, tell people). The processor turns one into
//! the other without awaiting anything; the runner's tasks do the I/O.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::exchange::BookEvent;
use crate::fees::FeeModel;
use crate::model::{
    BinaryBook, DailyPnl, ExecutionRecord, Fill, Legs, Market, MarketId, MarketKey, Opportunity,
    OpportunityRecord, Outcome, PairId, Position, PriceSnapshot, VenueId, VerifiedPair,
};
use crate::notify::Notification;

/// Something that happened, stamped with the engine clock's time when it reached the engine:
/// the processor reads time only from here, so replaying events replays decisions.
#[derive(Clone, Debug)]
pub(crate) struct Event {
    /// When the event reached the engine.
    pub at: DateTime<Utc>,
    /// What happened.
    pub kind: EventKind,
}

/// A timer of the engine's loop.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Tick {
    /// Poll the books of venues whose stream is not delivering (`PRICE_FETCH_INTERVAL`).
    Poll,
    /// Persist prices, re-read the kill switch and the pairs (`control_poll_interval`).
    Control,
    /// Reconcile positions against the venues (`reconcile_interval`).
    Reconcile,
    /// Renew the lease share (`LEASE_RENEW`).
    Leases,
    /// The catalogue re-sync is due.
    Catalogue,
}

/// A background job that runs one at a time (a timer that fires while it runs is skipped).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(crate) enum Job {
    /// Reading the persisted kill switch.
    KillSwitch,
    /// Re-reading the active pairs.
    Pairs,
    /// A lease rebalancing round.
    Leases,
    /// A catalogue re-sync.
    Catalogue,
    /// A reconciliation round.
    Reconcile,
    /// A balance fetch.
    Balances,
    /// Reading the stored fills.
    Fills,
    /// A REST poll of one venue's books.
    Poll(VenueId),
}

impl std::fmt::Display for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::KillSwitch => f.write_str("kill_switch"),
            Self::Pairs => f.write_str("pairs"),
            Self::Leases => f.write_str("leases"),
            Self::Catalogue => f.write_str("catalogue_sync"),
            Self::Reconcile => f.write_str("reconcile"),
            Self::Balances => f.write_str("balances"),
            Self::Fills => f.write_str("fills"),
            Self::Poll(venue) => write!(f, "poll:{venue}"),
        }
    }
}

/// The kinds of [`Event`].
#[derive(Clone, Debug)]
pub(crate) enum EventKind {
    /// The engine starts: read the store, lease and recover pairs, watch them.
    Started,
    /// Shutdown was asked for: no new executions; in-flight ones finish.
    ShutdownRequested,
    /// A book event from a venue's stream.
    Streamed {
        /// The venue.
        venue: VenueId,
        /// What its stream said.
        event: BookEvent,
    },
    /// A REST poll of a venue's books ended.
    Polled {
        /// The venue.
        venue: VenueId,
        /// The books, or why the poll failed.
        result: Result<Vec<(MarketId, Arc<BinaryBook>)>, String>,
    },
    /// A timer fired.
    Tick(Tick),
    /// A handle changed the pairs (approval, pause, resume).
    PairsChanged,
    /// The persisted kill switch: its reason when set.
    KillSwitch(Option<String>),
    /// The stored fills (start-up).
    FillsLoaded(Vec<Fill>),
    /// The active pairs (only the leased ones when trading), with the markets and fee models of
    /// those the processor did not know yet.
    PairsRefreshed {
        /// Every active pair.
        active: Vec<VerifiedPair>,
        /// The newly loaded ones.
        loaded: Vec<LoadedPair>,
    },
    /// Available balances (venues that answered).
    Balances(Vec<(VenueId, Decimal)>),
    /// A reconciliation round's findings.
    Reconciled(Box<Reconciliation>),
    /// A reconciliation round panicked.
    ReconcilePanicked {
        /// The round.
        round: u64,
        /// The panic message.
        cause: String,
    },
    /// A lease rebalancing round ended.
    LeasesRebalanced {
        /// Pairs newly leased (to recover before trading them).
        acquired: Vec<PairId>,
        /// Pairs given up.
        released: Vec<PairId>,
        /// Pairs whose lease was lost.
        lost: Vec<PairId>,
    },
    /// A newly leased pair's recovery ended.
    Recovered {
        /// The pair.
        pair: PairId,
        /// How.
        end: RecoveryEnd,
    },
    /// An execution ended.
    ExecutionEnded {
        /// The pair.
        pair: PairId,
        /// How.
        end: ExecutionEnd,
    },
    /// A catalogue re-sync ended (its outcome is in the catalogue status).
    CataloguesSynced,
    /// A background job other than the above panicked.
    JobPanicked {
        /// The job.
        job: Job,
        /// The panic message.
        cause: String,
    },
}

/// A pair with everything needed to evaluate it, as loaded from the store and the venues.
#[derive(Clone)]
pub(crate) struct LoadedPair {
    /// The pair.
    pub pair: VerifiedPair,
    /// Its markets A and B.
    pub markets: Legs<Market>,
    /// Their fee models.
    pub fees: Legs<Arc<dyn FeeModel>>,
}

impl std::fmt::Debug for LoadedPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedPair")
            .field("pair", &self.pair.id)
            .finish_non_exhaustive()
    }
}

/// What one venue told a reconciliation round.
#[derive(Clone, Debug)]
pub(crate) struct VenueReconcile {
    /// The venue.
    pub venue: VenueId,
    /// Fills since the round's start point (already stored); `None` when they could not be read
    /// (the rest of the venue is then skipped).
    pub fills: Option<Vec<Fill>>,
    /// Markets of ours the venue reports settled, with the winning outcome.
    pub settled: Vec<(MarketKey, Outcome)>,
    /// The venue's positions, if it answered.
    pub positions: Option<Vec<Position>>,
    /// Whether the venue nets YES and NO positions in one market.
    pub nets_positions: bool,
}

/// A reconciliation round's findings.
#[derive(Clone, Debug)]
pub(crate) struct Reconciliation {
    /// The round.
    pub round: u64,
    /// The time the round was asked for (its fills and day).
    pub now: DateTime<Utc>,
    /// Per venue, in configuration order.
    pub venues: Vec<VenueReconcile>,
    /// Executions created today.
    pub executions_today: u32,
    /// Every pair (for the day's PnL).
    pub pairs: Vec<VerifiedPair>,
    /// Balances of the venues that answered.
    pub balances: Vec<(VenueId, Decimal)>,
}

/// How an execution ended.
#[derive(Clone, Debug)]
pub(crate) enum ExecutionEnd {
    /// It ran to a terminal state.
    Finished {
        /// Its final record.
        record: Box<ExecutionRecord>,
        /// The opportunity it acted on.
        opportunity: Box<Opportunity>,
    },
    /// The executor failed.
    Failed(String),
    /// The account-wide exposure budget refused it before any order.
    Refused {
        /// The opportunity.
        opportunity: Box<Opportunity>,
        /// Why.
        reason: String,
    },
    /// The pair's lease was no longer held: nothing was done.
    NotLeased,
    /// It panicked.
    Panicked(String),
}

/// How a recovery ended.
#[derive(Clone, Debug)]
pub(crate) enum RecoveryEnd {
    /// The pair's open executions, as recovered.
    Recovered(Vec<ExecutionRecord>),
    /// The recovery failed.
    Failed(String),
    /// It panicked.
    Panicked(String),
}

/// Something to do, as decided by the processor.
#[derive(Clone, PartialEq, Debug)]
pub(crate) enum Command {
    /// Tell people.
    Notify(Box<Notification>),
    /// Show a venue's feed as delivering or not (and when its last book arrived).
    VenueConnected {
        /// The venue.
        venue: VenueId,
        /// Whether it delivers.
        connected: bool,
        /// When its last book arrived, if this is a book.
        at: Option<DateTime<Utc>>,
    },
    /// Show a venue as polled over REST or not.
    VenuePolling {
        /// The venue.
        venue: VenueId,
        /// Whether it is polled.
        polling: bool,
    },
    /// (Re)subscribe the venues' book streams to these markets.
    WatchMarkets(Vec<(VenueId, Vec<MarketId>)>),
    /// Poll a venue's books over REST.
    PollBooks {
        /// The venue.
        venue: VenueId,
        /// Its watched markets.
        markets: Vec<MarketId>,
    },
    /// Reserve the trade's budget and execute the opportunity.
    Execute(Box<ExecutionOrder>),
    /// Write to the store, in order.
    Persist(Persist),
    /// Read the persisted kill switch.
    ReadKillSwitch,
    /// Read the stored fills (start-up).
    LoadFills,
    /// Join the lease group (start-up, trading modes).
    JoinLeaseGroup,
    /// Rebalance the pair leases; never give up a busy pair.
    RebalanceLeases {
        /// Pairs with an execution or recovery in flight.
        busy: Vec<PairId>,
    },
    /// Recover a newly leased pair's open executions.
    Recover(PairId),
    /// Re-read the active pairs; load the markets of pairs not in `known`.
    RefreshPairs {
        /// Pairs already loaded.
        known: Vec<PairId>,
    },
    /// Fetch the venues' balances.
    FetchBalances,
    /// A reconciliation round.
    Reconcile(ReconcileOrder),
    /// Re-sync the catalogues.
    SyncCatalogues,
    /// Schedule the next catalogue re-sync from the catalogue status.
    ScheduleCatalogueSync,
    /// Set the persisted kill switch after a task panicked.
    HaltAfterPanic {
        /// The task.
        task: String,
        /// The panic message.
        cause: String,
        /// What happens next, for the alert.
        next: String,
    },
    /// Count and alert a panic of a background job (it runs again at its next tick).
    ReportPanic {
        /// The job.
        job: Job,
        /// The panic message.
        cause: String,
    },
}

/// An opportunity to execute, with what the execution needs.
#[derive(Clone, PartialEq, Debug)]
pub(crate) struct ExecutionOrder {
    /// The pair.
    pub pair: VerifiedPair,
    /// Its markets A and B (shared with the processor's watched pair, not copied per execution).
    pub markets: Legs<Arc<Market>>,
    /// The opportunity.
    pub opportunity: Opportunity,
    /// The books it was found on.
    pub books: Option<Legs<Arc<BinaryBook>>>,
    /// The account's exposure when it was decided (for the budget reservation).
    pub exposure_usd: Decimal,
}

/// A reconciliation round to run.
#[derive(Clone, PartialEq, Debug)]
pub(crate) struct ReconcileOrder {
    /// The round's number.
    pub round: u64,
    /// Fetch fills from this time on.
    pub since: DateTime<Utc>,
    /// The round's time.
    pub now: DateTime<Utc>,
    /// Markets held, whose settlement to check.
    pub held: Vec<MarketKey>,
}

/// A store write, carried out in order by one task.
#[derive(Clone, PartialEq, Debug)]
pub(crate) enum Persist {
    /// Record an opportunity; notify it when `announce` and the store kept it (not a repeat).
    Opportunity {
        /// The record.
        record: Box<OpportunityRecord>,
        /// Whether to notify it.
        announce: bool,
    },
    /// The best prices of the watched books.
    Prices(Vec<PriceSnapshot>),
    /// Positions and the day's PnL after a reconciliation.
    Portfolio {
        /// Open positions.
        positions: Vec<Position>,
        /// Today's PnL.
        daily: Box<DailyPnl>,
    },
}
