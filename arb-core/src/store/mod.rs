//! The `Store` trait: every record the engine keeps, written ahead of the action it describes.
//!
//! A failed write is an error the caller sees (the engine halts trading: fail closed), never a log
//! line only. [`MemoryStore`] implements it for tests and embedding; `arb-store` for SQLite and PostgreSQL.

mod lease;
mod memory;
mod throttle;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use thiserror::Error;

pub use lease::{ExposureReservation, Fence, Lease, LeaseOwner, LeaseScope};
pub use memory::MemoryStore;
pub use throttle::OpportunityThrottle;

use crate::model::{
    ClientOrderId, DailyPnl, ExecutionId, ExecutionRecord, Fill, Market, MarketKey,
    MatchSuggestion, NewPair, OpportunityId, OpportunityRecord, OrderRecord, PairEvent, PairId,
    PairStatus, Position, PriceSnapshot, SuggestionId, SuggestionStatus, VenueId, Verdict,
    VerdictKey, VerifiedPair,
};

/// A storage failure.
#[derive(Debug, Clone, Error)]
pub enum StoreError {
    /// The database failed or is unreachable (retryable).
    #[error("storage backend error: {0}")]
    Backend(String),
    /// The write contradicts what is stored (e.g. a client order id reused for another order).
    #[error("conflict: {0}")]
    Conflict(String),
    /// A record the write refers to does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// A stored row could not be read back into a domain value.
    #[error("corrupt record in {what}: {message}")]
    Corrupt {
        /// Table and column.
        what: String,
        /// What was wrong.
        message: String,
    },
    /// The database was migrated by a newer version of this program.
    #[error(
        "database schema version {database} is newer than this program supports ({supported}); upgrade the program"
    )]
    SchemaTooNew {
        /// Version found in the database.
        database: i64,
        /// Newest version this build knows.
        supported: i64,
    },
    /// Bad connection settings (e.g. an unsupported `DATABASE_URL`).
    #[error("store configuration: {0}")]
    Config(String),
    /// Another live process holds the lease asked for.
    #[error("{} is held by {}", .0.scope, .0.holder())]
    LeaseHeld(Box<Lease>),
    /// A SQLite file already has a trading process (one per file): who it is.
    #[error(
        "this SQLite file already has a trading process: {}; only one process may trade on a \
         SQLite file (stop it, or use PostgreSQL to run several daemons)",
        .0.holder()
    )]
    TraderRunning(Box<Lease>),
    /// A renewal or release of a lease that is no longer held under that token (it expired and
    /// another process took it, or it was released).
    #[error("lease on {scope} (token {token}) is no longer held")]
    LeaseLost {
        /// What the lease covered.
        scope: String,
        /// The token the caller held.
        token: u64,
    },
    /// The account-wide total exposure limit would be exceeded, counting every daemon's
    /// reservations: nothing was reserved.
    #[error(
        "total exposure would reach ${total} across daemons (open ${committed}, reserved by \
         executions in flight ${reserved}, this trade ${amount}); the limit is ${limit}"
    )]
    ExposureLimit {
        /// What it would reach.
        total: rust_decimal::Decimal,
        /// Open exposure as the caller sees it.
        committed: rust_decimal::Decimal,
        /// Live reservations of every daemon.
        reserved: rust_decimal::Decimal,
        /// This reservation.
        amount: rust_decimal::Decimal,
        /// The limit.
        limit: rust_decimal::Decimal,
    },
    /// This process does not hold (or no longer trusts) the lease a write or trade needs.
    #[error("this process does not hold the lease on {0}")]
    NotLeased(String),
    /// An execution write whose fencing token is not the pair's current lease token: refused,
    /// nothing written.
    #[error("write refused: {fence} is stale ({current})")]
    StaleFence {
        /// The fence the write carried.
        fence: Fence,
        /// What the store holds instead.
        current: String,
    },
}

impl StoreError {
    /// Whether retrying the same call may succeed.
    #[must_use]
    pub const fn is_retryable(&self) -> bool {
        matches!(self, Self::Backend(_))
    }

    /// Whether this refuses a write or renewal because another process owns the lease now.
    #[must_use]
    pub const fn is_lease_lost(&self) -> bool {
        matches!(
            self,
            Self::LeaseLost { .. } | Self::StaleFence { .. } | Self::NotLeased(_)
        )
    }
}

/// Refuses a reservation that would take open exposure plus live reservations past `limit`
/// (shared by every `Store` implementation).
///
/// # Errors
/// [`StoreError::ExposureLimit`] with the figures.
pub fn check_budget(
    committed: rust_decimal::Decimal,
    reserved: rust_decimal::Decimal,
    amount: rust_decimal::Decimal,
    limit: rust_decimal::Decimal,
) -> Result<(), StoreError> {
    let total = committed + reserved + amount;
    if total > limit {
        return Err(StoreError::ExposureLimit {
            total,
            committed,
            reserved,
            amount,
            limit,
        });
    }
    Ok(())
}

/// Persistent state of the engine. All methods are safe to call concurrently.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait Store: Send + Sync {
    /// Inserts or replaces markets (keyed by venue and id).
    async fn upsert_markets(&self, markets: &[Market]) -> Result<(), StoreError>;
    /// One market.
    async fn market(&self, key: &MarketKey) -> Result<Option<Market>, StoreError>;
    /// All markets, or those of one venue.
    async fn markets<'a>(&self, venue: Option<&'a VenueId>) -> Result<Vec<Market>, StoreError>;

    /// Stores new suggestions and returns their ids, in order. A suggestion for a pair of markets
    /// that already has an open suggestion replaces it (same id).
    async fn insert_suggestions(
        &self,
        suggestions: &[MatchSuggestion],
    ) -> Result<Vec<SuggestionId>, StoreError>;
    /// One suggestion.
    async fn suggestion(&self, id: SuggestionId) -> Result<Option<MatchSuggestion>, StoreError>;
    /// Suggestions with this status (all if `None`), best score first, at most `limit`.
    async fn suggestions(
        &self,
        status: Option<SuggestionStatus>,
        limit: usize,
    ) -> Result<Vec<MatchSuggestion>, StoreError>;
    /// Marks a suggestion approved or dismissed.
    async fn set_suggestion_status(
        &self,
        id: SuggestionId,
        status: SuggestionStatus,
    ) -> Result<(), StoreError>;

    /// Stores an approved pair together with its `Approved` event (one transaction) and, when it
    /// came from a suggestion, marks that approved. Approving the same two markets again is a conflict.
    async fn insert_pair(&self, pair: &NewPair) -> Result<VerifiedPair, StoreError>;
    /// One pair.
    async fn pair(&self, id: PairId) -> Result<Option<VerifiedPair>, StoreError>;
    /// Pairs with this status (all if `None`), by id.
    async fn pairs(&self, status: Option<PairStatus>) -> Result<Vec<VerifiedPair>, StoreError>;
    /// Changes a pair's status and records why (one transaction).
    async fn set_pair_status(
        &self,
        id: PairId,
        status: PairStatus,
        event: &PairEvent,
    ) -> Result<VerifiedPair, StoreError>;
    /// Re-approves a pair whose rules changed, after a person reviewed them: stores the new rules
    /// hashes, makes it active and records the event (one transaction).
    async fn reapprove_pair(
        &self,
        id: PairId,
        rules_hash_a: &str,
        rules_hash_b: &str,
        event: &PairEvent,
    ) -> Result<VerifiedPair, StoreError>;
    /// A pair's audit trail, oldest first.
    async fn pair_events(&self, id: PairId) -> Result<Vec<PairEvent>, StoreError>;

    /// Records an opportunity. Non-executed ones are throttled per pair ([`OpportunityThrottle`]):
    /// `Ok(None)` means it was deliberately not stored. Executed ones are always stored.
    async fn record_opportunity(
        &self,
        record: &OpportunityRecord,
    ) -> Result<Option<OpportunityId>, StoreError>;
    /// Recent opportunities, newest first, optionally of one pair.
    async fn opportunities(
        &self,
        pair: Option<PairId>,
        limit: usize,
    ) -> Result<Vec<OpportunityRecord>, StoreError>;

    /// Inserts or updates an execution and the given orders of it, in one transaction: either
    /// everything is written or nothing is. `fence` must be the current lease of the execution's
    /// pair, else nothing is written ([`StoreError::StaleFence`]).
    async fn save_execution(
        &self,
        fence: Fence,
        execution: &ExecutionRecord,
        orders: &[OrderRecord],
    ) -> Result<(), StoreError>;
    /// One execution.
    async fn execution(&self, id: &ExecutionId) -> Result<Option<ExecutionRecord>, StoreError>;
    /// Executions not in a terminal state (to reconcile at start-up), oldest first.
    async fn open_executions(&self) -> Result<Vec<ExecutionRecord>, StoreError>;
    /// Recent executions, newest first.
    async fn executions(&self, limit: usize) -> Result<Vec<ExecutionRecord>, StoreError>;

    /// Inserts or updates an order, keyed by client order id. Reusing a client order id for a
    /// different order (other market, outcome, side or execution) is a [`StoreError::Conflict`].
    /// `fence` must be the current lease of the pair the order's execution belongs to
    /// ([`StoreError::StaleFence`] otherwise).
    async fn upsert_order(&self, fence: Fence, order: &OrderRecord) -> Result<(), StoreError>;
    /// An order by client order id.
    async fn order(&self, id: &ClientOrderId) -> Result<Option<OrderRecord>, StoreError>;
    /// An execution's orders, in the order they were first stored.
    async fn execution_orders(&self, id: &ExecutionId) -> Result<Vec<OrderRecord>, StoreError>;

    /// Stores fills, ignoring ones already stored (same venue and fill id); returns how many were new.
    async fn insert_fills(&self, fills: &[Fill]) -> Result<usize, StoreError>;
    /// Stored fills, optionally of one market, oldest first.
    async fn fills<'a>(&self, market: Option<&'a MarketKey>) -> Result<Vec<Fill>, StoreError>;

    /// Replaces the stored positions of these (market, outcome)s.
    async fn upsert_positions(&self, positions: &[Position]) -> Result<(), StoreError>;
    /// All stored positions.
    async fn positions(&self) -> Result<Vec<Position>, StoreError>;

    /// Replaces the cached best prices of these markets.
    async fn put_prices(&self, snapshots: &[PriceSnapshot]) -> Result<(), StoreError>;
    /// The cached best prices of a market.
    async fn price(&self, market: &MarketKey) -> Result<Option<PriceSnapshot>, StoreError>;

    /// Sets (or, with `None`, clears) a named engine setting such as the kill switch, so it
    /// survives restarts and reaches every process sharing the store.
    async fn put_setting<'a>(&self, key: &str, value: Option<&'a str>) -> Result<(), StoreError>;
    /// A named engine setting.
    async fn setting(&self, key: &str) -> Result<Option<String>, StoreError>;

    /// The semantic verifier's cached verdict under `key`, if any.
    async fn verdict(&self, key: &VerdictKey) -> Result<Option<Verdict>, StoreError>;
    /// Caches a verdict under `key` (replacing any), judged at `judged_at`.
    async fn put_verdict(
        &self,
        key: &VerdictKey,
        verdict: &Verdict,
        judged_at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Takes a lease for `owner` for `ttl` (the store's clock): when it is free, expired or
    /// already `owner`'s, with a token greater than any the scope had before. Another live
    /// holder is [`StoreError::LeaseHeld`]; on SQLite any live lease of another process is
    /// [`StoreError::TraderRunning`] (one trading process per file).
    async fn acquire_lease(
        &self,
        scope: &LeaseScope,
        owner: &LeaseOwner,
        ttl: std::time::Duration,
    ) -> Result<Lease, StoreError>;
    /// Extends a held lease to `ttl` from now; [`StoreError::LeaseLost`] when its token is no
    /// longer the scope's current one.
    async fn renew_lease(
        &self,
        lease: &Lease,
        ttl: std::time::Duration,
    ) -> Result<Lease, StoreError>;
    /// Gives a held lease up at once (it keeps its token, so the next holder's is greater);
    /// releasing one no longer held does nothing.
    async fn release_lease(&self, lease: &Lease) -> Result<(), StoreError>;
    /// Every live (unexpired) lease, by name.
    async fn leases(&self) -> Result<Vec<Lease>, StoreError>;
    /// Reserves `reservation.amount` of the account-wide exposure budget when `committed` (the
    /// caller's open exposure) plus every live reservation plus the amount stays within `limit`;
    /// otherwise [`StoreError::ExposureLimit`] and nothing is reserved. Reservations are checked
    /// one at a time across processes and lapse after their time to live.
    async fn reserve_exposure(
        &self,
        reservation: &ExposureReservation,
        committed: rust_decimal::Decimal,
        limit: rust_decimal::Decimal,
    ) -> Result<(), StoreError>;

    /// Inserts or replaces one day's PnL.
    async fn upsert_daily_pnl(&self, pnl: &DailyPnl) -> Result<(), StoreError>;
    /// Daily PnL from `from` to `to` inclusive, oldest first.
    async fn daily_pnl(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<DailyPnl>, StoreError>;
}
