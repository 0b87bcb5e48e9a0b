//! The engine: wires venues, a store and a notifier; watches approved pairs' books, detects,
//! applies risk, executes, records everything and reconciles positions.
//!
//! [`Engine::run`] is the long-running loop; [`EngineHandle`] is the command surface used by the
//! CLI, Discord and embedders (it works with a store alone, so commands that only read or change
//! the store need no venue credentials).

mod books;
mod catalogue;
mod events;
mod fallback;
mod handle;
mod leasing;
mod processor;
mod runner;
mod supervise;
mod tasks;

use std::sync::Arc;
use std::time::Duration;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use thiserror::Error;

pub use books::BookCache;
pub use catalogue::{CatalogueStatus, SYNC_RETRY, SyncReport, VenueSync};
pub use handle::{EngineHandle, EngineStatus, PnlSummary, PositionsReport, VenueStatus};
pub use supervise::{FEED_RESTART, Supervisor, TaskCounts, panic_cause};

use crate::clock::{Clock, IdSource};
use crate::exchange::{Exchange, ExchangeError};
use crate::execute::{ExecuteError, ExecutionConfig, Executor, PairLeases};
use crate::matching::MatchConfig;
use crate::model::{PairId, Relation, SuggestionId};
use crate::notify::Notifier;
use crate::risk::{RiskLimits, RiskManager};
use crate::store::{Store, StoreError};

/// What the engine does with opportunities.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TradingMode {
    /// Detect, record and notify; never trade.
    #[default]
    Monitor,
    /// Trade against simulated fills on live books (the venues passed in are paper venues).
    Paper,
    /// Trade with real money.
    Live,
}

impl TradingMode {
    /// Whether opportunities are executed.
    #[must_use]
    pub const fn executes(self) -> bool {
        matches!(self, Self::Paper | Self::Live)
    }
}

impl std::fmt::Display for TradingMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Monitor => "monitor",
            Self::Paper => "paper",
            Self::Live => "live",
        })
    }
}

/// Engine settings.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    /// Monitor, paper or live.
    pub mode: TradingMode,
    /// Minimum guaranteed profit as a fraction of cost (`MIN_ARBITRAGE_THRESHOLD`).
    pub min_profit_fraction: Decimal,
    /// Minimum guaranteed profit in dollars.
    pub min_profit_usd: Decimal,
    /// Books older than this are not traded on.
    pub max_book_age: chrono::Duration,
    /// Risk limits.
    pub risk: RiskLimits,
    /// Execution settings.
    pub execution: ExecutionConfig,
    /// Matcher settings.
    pub matching: MatchConfig,
    /// REST polling period (`PRICE_FETCH_INTERVAL`); also the fallback when streams fail.
    pub price_fetch_interval: Duration,
    /// Poll over REST only, never stream.
    pub poll_only: bool,
    /// Executions running at once, across pairs (one at a time per pair regardless).
    pub max_concurrent_executions: usize,
    /// How often positions are reconciled against the venues.
    pub reconcile_interval: Duration,
    /// How often `run` re-syncs the venues' catalogues (new markets; a rules change pauses the
    /// pair it belongs to until a person re-approves it).
    pub catalogue_sync_interval: Duration,
    /// How an incomplete catalogue sync is retried (sooner than the interval).
    pub catalogue_retry: crate::backoff::Backoff,
    /// How often the store is re-read for pair changes and the kill switch made by other processes.
    pub control_poll_interval: Duration,
    /// Position differences with a venue above this many contracts raise an alert.
    pub drift_tolerance: crate::model::Qty,
    /// Pair leases: who trades which pair when several processes share the store.
    pub leases: LeaseConfig,
}

/// How a trading engine leases its pairs (`LEASE_TTL`, `LEASE_RENEW`, `LEASE_GROUP`,
/// `MAX_PAIRS_PER_DAEMON`). Monitor mode takes no leases.
#[derive(Clone, Debug)]
pub struct LeaseConfig {
    /// How long a lease lasts without renewal: after a crash, another process takes the pairs
    /// over this long after the last renewal.
    pub ttl: Duration,
    /// How often leases are renewed, and free pairs looked for (well under `ttl`).
    pub renew_every: Duration,
    /// The group of daemons that share the store's pairs evenly.
    pub group: String,
    /// At most this many pairs per process (`None`: no cap beyond the even share).
    pub max_pairs: Option<usize>,
    /// Who this engine is in the store (`None`: this process, see
    /// [`LeaseOwner::this_process`](crate::store::LeaseOwner::this_process)); several engines
    /// in one process need distinct owners.
    pub owner: Option<crate::store::LeaseOwner>,
}

impl Default for LeaseConfig {
    /// 15 s leases renewed every 5 s, group `default`, no cap, this process as owner.
    fn default() -> Self {
        Self {
            ttl: crate::execute::DEFAULT_LEASE_TTL,
            renew_every: Duration::from_secs(5),
            group: "default".to_owned(),
            max_pairs: None,
            owner: None,
        }
    }
}

impl LeaseConfig {
    /// Refuses a renewal period that would let leases lapse, an empty cap or a group name that
    /// cannot be stored in a lease name.
    ///
    /// # Errors
    /// [`EngineError::Config`] naming the setting.
    pub fn validate(&self) -> Result<(), EngineError> {
        if self.renew_every.is_zero() || self.renew_every.saturating_mul(2) > self.ttl {
            return Err(EngineError::Config(format!(
                "LEASE_RENEW ({:?}) must be positive and at most half of LEASE_TTL ({:?})",
                self.renew_every, self.ttl
            )));
        }
        if self.max_pairs == Some(0) {
            return Err(EngineError::Config(
                "MAX_PAIRS_PER_DAEMON must be at least 1 (leave it unset for no cap)".to_owned(),
            ));
        }
        let valid = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
        if self.group.is_empty() || !self.group.chars().all(valid) {
            return Err(EngineError::Config(format!(
                "LEASE_GROUP `{}` must be letters, digits, `-`, `_` or `.`",
                self.group
            )));
        }
        Ok(())
    }

    /// The owner this engine leases as.
    #[must_use]
    pub fn owner(&self) -> crate::store::LeaseOwner {
        self.owner
            .clone()
            .unwrap_or_else(|| crate::store::LeaseOwner::this_process(&self.group))
    }
}

impl EngineConfig {
    /// The original design's defaults in the given mode: 1% minimum profit and $0.10 minimum,
    /// books trusted for 10 s, $1,000 per trade, $5,000 per market, $25,000 in total, 60 s pair
    /// cooldown, $500 daily loss limit, 5 consecutive venue errors, no balance reserve, the
    /// executor's defaults (sequential, 2% slippage, 30 s timeout), the matcher's defaults,
    /// polling every 5 s as a fallback, 4 concurrent executions, reconciliation every 30 s,
    /// catalogue re-sync every hour (an incomplete one retried after 5 s, doubling to 5 min),
    /// control re-read every 2 s, a 0.01-contract drift tolerance and the default
    /// [`LeaseConfig`].
    #[must_use]
    pub fn new(mode: TradingMode) -> Self {
        Self {
            mode,
            min_profit_fraction: Decimal::new(1, 2),
            min_profit_usd: Decimal::new(10, 2),
            max_book_age: chrono::Duration::seconds(10),
            risk: RiskLimits {
                max_trade_usd: Decimal::from(1000),
                max_exposure_per_market_usd: Decimal::from(5000),
                max_total_exposure_usd: Decimal::from(25_000),
                pair_cooldown: chrono::Duration::seconds(60),
                max_daily_loss_usd: Decimal::from(500),
                max_consecutive_errors: 5,
                min_balance_reserve_usd: Decimal::ZERO,
            },
            execution: ExecutionConfig::default(),
            matching: MatchConfig::default(),
            price_fetch_interval: Duration::from_secs(5),
            poll_only: false,
            max_concurrent_executions: 4,
            reconcile_interval: Duration::from_secs(30),
            catalogue_sync_interval: Duration::from_secs(3600),
            catalogue_retry: SYNC_RETRY,
            control_poll_interval: Duration::from_secs(2),
            drift_tolerance: crate::model::Qty::new(Decimal::new(1, 2))
                .unwrap_or(crate::model::Qty::ZERO),
            leases: LeaseConfig::default(),
        }
    }
}

/// An engine failure.
#[derive(Debug, Error)]
pub enum EngineError {
    /// The store failed (trading halts: fail closed).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A venue failed.
    #[error("{venue}: {source}")]
    Exchange {
        /// The venue.
        venue: String,
        /// What failed.
        source: ExchangeError,
    },
    /// The executor failed.
    #[error(transparent)]
    Execute(#[from] ExecuteError),
    /// No such pair.
    #[error("no pair with id {0}")]
    UnknownPair(PairId),
    /// No such suggestion.
    #[error("no suggestion with id {0}")]
    UnknownSuggestion(SuggestionId),
    /// A market that is not in the catalogue (run a market sync first).
    #[error("unknown market `{0}`: run `markets sync` first or check the id")]
    UnknownMarket(String),
    /// A venue that is not configured.
    #[error("venue `{0}` is not configured")]
    UnknownVenue(String),
    /// A pair whose markets do not settle alike (subset, superset, overlapping or different, as
    /// read from both rules texts): only equivalent and inverse pairs can be approved.
    #[error(
        "{what} reads as `{relation}`: only equivalent or inverse pairs can be approved ({})",
        warnings.join("; ")
    )]
    NotTradable {
        /// The suggestion or the two markets.
        what: String,
        /// The relation read from the rules.
        relation: Relation,
        /// Why (the settlement warnings).
        warnings: Vec<String>,
    },
    /// A request that makes no sense (bad argument, wrong state).
    #[error("{0}")]
    Invalid(String),
    /// Settings that cannot be used.
    #[error("invalid engine configuration: {0}")]
    Config(String),
    /// One of the engine's own tasks stopped unexpectedly (in-flight executions were let finish).
    #[error("engine task failed: {0}")]
    TaskFailed(String),
}

/// The engine. Cheap to clone handles come from [`Engine::handle`].
pub struct Engine {
    shared: Arc<handle::Shared>,
    executor: Arc<Executor>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("mode", &self.shared.config.mode)
            .finish_non_exhaustive()
    }
}

/// Everything an engine is built from.
pub struct EngineParts {
    /// The venues; pairs are approved between the first two (A = first, B = second).
    pub venues: Vec<Arc<dyn Exchange>>,
    /// Persistence.
    pub store: Arc<dyn Store>,
    /// Where alerts go.
    pub notifier: Arc<dyn Notifier>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Ids for executions and orders.
    pub ids: Arc<dyn IdSource>,
    /// Settings.
    pub config: EngineConfig,
}

impl Engine {
    /// An engine from its parts; fails on limits or execution settings that cannot be used.
    pub fn new(parts: EngineParts) -> Result<Self, EngineError> {
        let risk = Arc::new(
            RiskManager::new(parts.config.risk.clone())
                .map_err(|e| EngineError::Config(e.to_string()))?,
        );
        parts
            .config
            .execution
            .validate()
            .map_err(|e| EngineError::Config(e.to_string()))?;
        parts.config.leases.validate()?;
        let leases = Arc::new(PairLeases::managed(
            parts.config.leases.owner(),
            parts.config.leases.ttl,
        ));
        let executor = Arc::new(
            Executor::new(
                parts.venues.clone(),
                Arc::clone(&parts.store),
                Arc::clone(&parts.notifier),
                Arc::clone(&parts.clock),
                Arc::clone(&parts.ids),
                parts.config.execution.clone(),
            )
            .with_risk(Arc::clone(&risk))
            .with_leases(Arc::clone(&leases)),
        );
        let shared = Arc::new(handle::Shared::new(parts, risk, leases));
        Ok(Self { shared, executor })
    }

    /// Sets the semantic verifier [`EngineHandle::find_matches`] asks about its best
    /// suggestions (none by default).
    ///
    /// # Errors
    /// [`EngineError::Config`] when a verifier is already set.
    pub fn set_verifier(
        &self,
        verifier: crate::matching::verify::SuggestionVerifier,
    ) -> Result<(), EngineError> {
        self.shared
            .verifier
            .set(verifier)
            .map_err(|_| EngineError::Config("a verifier is already set".to_owned()))
    }

    /// The command surface.
    #[must_use]
    pub fn handle(&self) -> EngineHandle {
        EngineHandle::from_shared(Arc::clone(&self.shared))
    }

    /// Runs until `shutdown` turns true: recovers unfinished executions, then watches, detects and
    /// trades. On shutdown no new execution starts; in-flight ones finish hedging before it returns.
    pub async fn run(
        &self,
        shutdown: tokio::sync::watch::Receiver<bool>,
    ) -> Result<(), EngineError> {
        let (feed_tx, feed_rx) = tokio::sync::mpsc::channel(4096);
        runner::Runner::new(
            Arc::clone(&self.shared),
            Arc::clone(&self.executor),
            feed_tx,
        )
        .run(shutdown, feed_rx)
        .await
    }
}
