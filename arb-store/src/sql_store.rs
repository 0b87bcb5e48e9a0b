//! [`SqlStore`]: one type over both backends.

use arb_core::model::{
    ClientOrderId, DailyPnl, ExecutionId, ExecutionRecord, Fill, Market, MarketKey,
    MatchSuggestion, NewPair, OpportunityId, OpportunityRecord, OrderRecord, PairEvent, PairId,
    PairStatus, Position, PriceSnapshot, SuggestionId, SuggestionStatus, VenueId, Verdict,
    VerdictKey, VerifiedPair,
};
use arb_core::store::{
    ExposureReservation, Fence, Lease, LeaseOwner, LeaseScope, Store, StoreError,
};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use crate::backend::{postgres, sqlite};
use crate::connect::BackendKind;

/// A [`Store`] on PostgreSQL or SQLite, opened with [`crate::connect`].
///
/// Cloning is not offered: share it as `Arc<dyn Store>`. Its `Debug` names the backend only,
/// never the connection settings.
pub struct SqlStore {
    inner: Inner,
    /// Where it is, for errors: `SQLite file …` or `PostgreSQL at host:port/db (user …)`.
    target: String,
}

enum Inner {
    Postgres(postgres::Backend),
    Sqlite(sqlite::Backend),
}

impl SqlStore {
    pub(crate) const fn postgres(backend: postgres::Backend, target: String) -> Self {
        Self {
            inner: Inner::Postgres(backend),
            target,
        }
    }

    pub(crate) const fn sqlite(backend: sqlite::Backend, target: String) -> Self {
        Self {
            inner: Inner::Sqlite(backend),
            target,
        }
    }

    /// Where the database is: `SQLite file /data/arb.db` or
    /// `PostgreSQL at db:5432/arbitrage (user arb)` (never the password).
    #[must_use]
    pub fn target(&self) -> &str {
        &self.target
    }

    /// A database failure named with where the database is.
    fn named<T>(&self, result: Result<T, StoreError>) -> Result<T, StoreError> {
        result.map_err(|e| match e {
            StoreError::Backend(m) => StoreError::Backend(format!("{}: {m}", self.target)),
            StoreError::Config(m) => StoreError::Config(format!("{}: {m}", self.target)),
            other => other,
        })
    }

    /// Which database this store runs on.
    #[must_use]
    pub const fn kind(&self) -> BackendKind {
        match self.inner {
            Inner::Postgres(_) => BackendKind::Postgres,
            Inner::Sqlite(_) => BackendKind::Sqlite,
        }
    }

    /// Checks the schema version and applies pending migrations (done by `connect`; running it
    /// again is a no-op).
    ///
    /// # Errors
    /// [`StoreError::SchemaTooNew`] when the database was migrated by a newer program,
    /// [`StoreError::Backend`] when migrating fails.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        self.named(match &self.inner {
            Inner::Postgres(b) => b.migrate().await,
            Inner::Sqlite(b) => b.migrate().await,
        })
    }

    /// Refuses a schema that is not this program's, writing nothing (stores opened read-only).
    ///
    /// # Errors
    /// [`StoreError::SchemaTooNew`], or [`StoreError::Config`] for a schema not yet migrated.
    pub async fn check_schema(&self) -> Result<(), StoreError> {
        self.named(match &self.inner {
            Inner::Postgres(b) => b.check_schema().await,
            Inner::Sqlite(b) => b.check_schema().await,
        })
    }

    /// Closes every connection after the queries in flight finish (for a clean shutdown).
    pub async fn close(&self) {
        match &self.inner {
            Inner::Postgres(b) => b.close().await,
            Inner::Sqlite(b) => b.close().await,
        }
    }

    fn store(&self) -> &dyn Store {
        match &self.inner {
            Inner::Postgres(b) => b,
            Inner::Sqlite(b) => b,
        }
    }
}

impl std::fmt::Debug for SqlStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlStore")
            .field("backend", &self.kind())
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl Store for SqlStore {
    async fn upsert_markets(&self, markets: &[Market]) -> Result<(), StoreError> {
        self.named(self.store().upsert_markets(markets).await)
    }

    async fn market(&self, key: &MarketKey) -> Result<Option<Market>, StoreError> {
        self.named(self.store().market(key).await)
    }

    async fn markets<'a>(&self, venue: Option<&'a VenueId>) -> Result<Vec<Market>, StoreError> {
        self.named(self.store().markets(venue).await)
    }

    async fn insert_suggestions(
        &self,
        suggestions: &[MatchSuggestion],
    ) -> Result<Vec<SuggestionId>, StoreError> {
        self.named(self.store().insert_suggestions(suggestions).await)
    }

    async fn suggestion(&self, id: SuggestionId) -> Result<Option<MatchSuggestion>, StoreError> {
        self.named(self.store().suggestion(id).await)
    }

    async fn suggestions(
        &self,
        status: Option<SuggestionStatus>,
        limit: usize,
    ) -> Result<Vec<MatchSuggestion>, StoreError> {
        self.named(self.store().suggestions(status, limit).await)
    }

    async fn set_suggestion_status(
        &self,
        id: SuggestionId,
        status: SuggestionStatus,
    ) -> Result<(), StoreError> {
        self.named(self.store().set_suggestion_status(id, status).await)
    }

    async fn insert_pair(&self, pair: &NewPair) -> Result<VerifiedPair, StoreError> {
        self.named(self.store().insert_pair(pair).await)
    }

    async fn pair(&self, id: PairId) -> Result<Option<VerifiedPair>, StoreError> {
        self.named(self.store().pair(id).await)
    }

    async fn pairs(&self, status: Option<PairStatus>) -> Result<Vec<VerifiedPair>, StoreError> {
        self.named(self.store().pairs(status).await)
    }

    async fn set_pair_status(
        &self,
        id: PairId,
        status: PairStatus,
        event: &PairEvent,
    ) -> Result<VerifiedPair, StoreError> {
        self.named(self.store().set_pair_status(id, status, event).await)
    }

    async fn reapprove_pair(
        &self,
        id: PairId,
        rules_hash_a: &str,
        rules_hash_b: &str,
        event: &PairEvent,
    ) -> Result<VerifiedPair, StoreError> {
        self.named(
            self.store()
                .reapprove_pair(id, rules_hash_a, rules_hash_b, event)
                .await,
        )
    }

    async fn pair_events(&self, id: PairId) -> Result<Vec<PairEvent>, StoreError> {
        self.named(self.store().pair_events(id).await)
    }

    async fn record_opportunity(
        &self,
        record: &OpportunityRecord,
    ) -> Result<Option<OpportunityId>, StoreError> {
        self.named(self.store().record_opportunity(record).await)
    }

    async fn opportunities(
        &self,
        pair: Option<PairId>,
        limit: usize,
    ) -> Result<Vec<OpportunityRecord>, StoreError> {
        self.named(self.store().opportunities(pair, limit).await)
    }

    async fn save_execution(
        &self,
        fence: Fence,
        execution: &ExecutionRecord,
        orders: &[OrderRecord],
    ) -> Result<(), StoreError> {
        self.named(self.store().save_execution(fence, execution, orders).await)
    }

    async fn execution(&self, id: &ExecutionId) -> Result<Option<ExecutionRecord>, StoreError> {
        self.named(self.store().execution(id).await)
    }

    async fn open_executions(&self) -> Result<Vec<ExecutionRecord>, StoreError> {
        self.named(self.store().open_executions().await)
    }

    async fn executions(&self, limit: usize) -> Result<Vec<ExecutionRecord>, StoreError> {
        self.named(self.store().executions(limit).await)
    }

    async fn upsert_order(&self, fence: Fence, order: &OrderRecord) -> Result<(), StoreError> {
        self.named(self.store().upsert_order(fence, order).await)
    }

    async fn order(&self, id: &ClientOrderId) -> Result<Option<OrderRecord>, StoreError> {
        self.named(self.store().order(id).await)
    }

    async fn execution_orders(&self, id: &ExecutionId) -> Result<Vec<OrderRecord>, StoreError> {
        self.named(self.store().execution_orders(id).await)
    }

    async fn insert_fills(&self, fills: &[Fill]) -> Result<usize, StoreError> {
        self.named(self.store().insert_fills(fills).await)
    }

    async fn fills<'a>(&self, market: Option<&'a MarketKey>) -> Result<Vec<Fill>, StoreError> {
        self.named(self.store().fills(market).await)
    }

    async fn upsert_positions(&self, positions: &[Position]) -> Result<(), StoreError> {
        self.named(self.store().upsert_positions(positions).await)
    }

    async fn positions(&self) -> Result<Vec<Position>, StoreError> {
        self.named(self.store().positions().await)
    }

    async fn put_prices(&self, snapshots: &[PriceSnapshot]) -> Result<(), StoreError> {
        self.named(self.store().put_prices(snapshots).await)
    }

    async fn price(&self, market: &MarketKey) -> Result<Option<PriceSnapshot>, StoreError> {
        self.named(self.store().price(market).await)
    }

    async fn put_setting<'a>(&self, key: &str, value: Option<&'a str>) -> Result<(), StoreError> {
        self.named(self.store().put_setting(key, value).await)
    }

    async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.named(self.store().setting(key).await)
    }

    async fn verdict(&self, key: &VerdictKey) -> Result<Option<Verdict>, StoreError> {
        self.named(self.store().verdict(key).await)
    }

    async fn put_verdict(
        &self,
        key: &VerdictKey,
        verdict: &Verdict,
        judged_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.named(self.store().put_verdict(key, verdict, judged_at).await)
    }

    async fn acquire_lease(
        &self,
        scope: &LeaseScope,
        owner: &LeaseOwner,
        ttl: std::time::Duration,
    ) -> Result<Lease, StoreError> {
        self.named(self.store().acquire_lease(scope, owner, ttl).await)
    }

    async fn renew_lease(
        &self,
        lease: &Lease,
        ttl: std::time::Duration,
    ) -> Result<Lease, StoreError> {
        self.named(self.store().renew_lease(lease, ttl).await)
    }

    async fn release_lease(&self, lease: &Lease) -> Result<(), StoreError> {
        self.named(self.store().release_lease(lease).await)
    }

    async fn leases(&self) -> Result<Vec<Lease>, StoreError> {
        self.named(self.store().leases().await)
    }

    async fn reserve_exposure(
        &self,
        reservation: &ExposureReservation,
        committed: arb_core::Decimal,
        limit: arb_core::Decimal,
    ) -> Result<(), StoreError> {
        self.named(
            self.store()
                .reserve_exposure(reservation, committed, limit)
                .await,
        )
    }

    async fn upsert_daily_pnl(&self, pnl: &DailyPnl) -> Result<(), StoreError> {
        self.named(self.store().upsert_daily_pnl(pnl).await)
    }

    async fn daily_pnl(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<DailyPnl>, StoreError> {
        self.named(self.store().daily_pnl(from, to).await)
    }
}
