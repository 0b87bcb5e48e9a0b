//! [`SqlStore`]: one type over both backends.

use arb_core::model::{
    ClientOrderId, DailyPnl, ExecutionId, ExecutionRecord, Fill, Market, MarketKey,
    MatchSuggestion, NewPair, OpportunityId, OpportunityRecord, OrderRecord, PairEvent, PairId,
    PairStatus, Position, PriceSnapshot, SuggestionId, SuggestionStatus, VenueId, VerifiedPair,
};
use arb_core::store::{Store, StoreError};
use async_trait::async_trait;
use chrono::NaiveDate;

use crate::backend::{postgres, sqlite};
use crate::connect::BackendKind;

/// A [`Store`] on PostgreSQL or SQLite, opened with [`crate::connect`].
///
/// Cloning is not offered: share it as `Arc<dyn Store>`. Its `Debug` names the backend only,
/// never the connection settings.
pub struct SqlStore {
    inner: Inner,
}

enum Inner {
    Postgres(postgres::Backend),
    Sqlite(sqlite::Backend),
}

impl SqlStore {
    pub(crate) const fn postgres(backend: postgres::Backend) -> Self {
        Self {
            inner: Inner::Postgres(backend),
        }
    }

    pub(crate) const fn sqlite(backend: sqlite::Backend) -> Self {
        Self {
            inner: Inner::Sqlite(backend),
        }
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
        match &self.inner {
            Inner::Postgres(b) => b.migrate().await,
            Inner::Sqlite(b) => b.migrate().await,
        }
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
        self.store().upsert_markets(markets).await
    }

    async fn market(&self, key: &MarketKey) -> Result<Option<Market>, StoreError> {
        self.store().market(key).await
    }

    async fn markets<'a>(&self, venue: Option<&'a VenueId>) -> Result<Vec<Market>, StoreError> {
        self.store().markets(venue).await
    }

    async fn insert_suggestions(
        &self,
        suggestions: &[MatchSuggestion],
    ) -> Result<Vec<SuggestionId>, StoreError> {
        self.store().insert_suggestions(suggestions).await
    }

    async fn suggestion(&self, id: SuggestionId) -> Result<Option<MatchSuggestion>, StoreError> {
        self.store().suggestion(id).await
    }

    async fn suggestions(
        &self,
        status: Option<SuggestionStatus>,
        limit: usize,
    ) -> Result<Vec<MatchSuggestion>, StoreError> {
        self.store().suggestions(status, limit).await
    }

    async fn set_suggestion_status(
        &self,
        id: SuggestionId,
        status: SuggestionStatus,
    ) -> Result<(), StoreError> {
        self.store().set_suggestion_status(id, status).await
    }

    async fn insert_pair(&self, pair: &NewPair) -> Result<VerifiedPair, StoreError> {
        self.store().insert_pair(pair).await
    }

    async fn pair(&self, id: PairId) -> Result<Option<VerifiedPair>, StoreError> {
        self.store().pair(id).await
    }

    async fn pairs(&self, status: Option<PairStatus>) -> Result<Vec<VerifiedPair>, StoreError> {
        self.store().pairs(status).await
    }

    async fn set_pair_status(
        &self,
        id: PairId,
        status: PairStatus,
        event: &PairEvent,
    ) -> Result<VerifiedPair, StoreError> {
        self.store().set_pair_status(id, status, event).await
    }

    async fn reapprove_pair(
        &self,
        id: PairId,
        rules_hash_a: &str,
        rules_hash_b: &str,
        event: &PairEvent,
    ) -> Result<VerifiedPair, StoreError> {
        self.store()
            .reapprove_pair(id, rules_hash_a, rules_hash_b, event)
            .await
    }

    async fn pair_events(&self, id: PairId) -> Result<Vec<PairEvent>, StoreError> {
        self.store().pair_events(id).await
    }

    async fn record_opportunity(
        &self,
        record: &OpportunityRecord,
    ) -> Result<Option<OpportunityId>, StoreError> {
        self.store().record_opportunity(record).await
    }

    async fn opportunities(
        &self,
        pair: Option<PairId>,
        limit: usize,
    ) -> Result<Vec<OpportunityRecord>, StoreError> {
        self.store().opportunities(pair, limit).await
    }

    async fn save_execution(
        &self,
        execution: &ExecutionRecord,
        orders: &[OrderRecord],
    ) -> Result<(), StoreError> {
        self.store().save_execution(execution, orders).await
    }

    async fn execution(&self, id: &ExecutionId) -> Result<Option<ExecutionRecord>, StoreError> {
        self.store().execution(id).await
    }

    async fn open_executions(&self) -> Result<Vec<ExecutionRecord>, StoreError> {
        self.store().open_executions().await
    }

    async fn executions(&self, limit: usize) -> Result<Vec<ExecutionRecord>, StoreError> {
        self.store().executions(limit).await
    }

    async fn upsert_order(&self, order: &OrderRecord) -> Result<(), StoreError> {
        self.store().upsert_order(order).await
    }

    async fn order(&self, id: &ClientOrderId) -> Result<Option<OrderRecord>, StoreError> {
        self.store().order(id).await
    }

    async fn execution_orders(&self, id: &ExecutionId) -> Result<Vec<OrderRecord>, StoreError> {
        self.store().execution_orders(id).await
    }

    async fn insert_fills(&self, fills: &[Fill]) -> Result<usize, StoreError> {
        self.store().insert_fills(fills).await
    }

    async fn fills<'a>(&self, market: Option<&'a MarketKey>) -> Result<Vec<Fill>, StoreError> {
        self.store().fills(market).await
    }

    async fn upsert_positions(&self, positions: &[Position]) -> Result<(), StoreError> {
        self.store().upsert_positions(positions).await
    }

    async fn positions(&self) -> Result<Vec<Position>, StoreError> {
        self.store().positions().await
    }

    async fn put_prices(&self, snapshots: &[PriceSnapshot]) -> Result<(), StoreError> {
        self.store().put_prices(snapshots).await
    }

    async fn price(&self, market: &MarketKey) -> Result<Option<PriceSnapshot>, StoreError> {
        self.store().price(market).await
    }

    async fn put_setting<'a>(&self, key: &str, value: Option<&'a str>) -> Result<(), StoreError> {
        self.store().put_setting(key, value).await
    }

    async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.store().setting(key).await
    }

    async fn upsert_daily_pnl(&self, pnl: &DailyPnl) -> Result<(), StoreError> {
        self.store().upsert_daily_pnl(pnl).await
    }

    async fn daily_pnl(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<DailyPnl>, StoreError> {
        self.store().daily_pnl(from, to).await
    }
}
