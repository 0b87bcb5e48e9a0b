//! Read-only views of the store's trading records (executions, their orders and fills, daily
//! PnL) for front-ends such as the daemon's web console.

use chrono::NaiveDate;

use super::EngineHandle;
use crate::engine::EngineError;
use crate::model::{DailyPnl, ExecutionId, ExecutionRecord, Fill, MarketKey, OrderRecord};

impl EngineHandle {
    /// The latest executions, newest first.
    pub async fn executions(&self, limit: usize) -> Result<Vec<ExecutionRecord>, EngineError> {
        Ok(self.shared.store.executions(limit).await?)
    }

    /// The orders an execution sent (each leg, hedge retry and unwind), with their latest state.
    pub async fn execution_orders(
        &self,
        id: &ExecutionId,
    ) -> Result<Vec<OrderRecord>, EngineError> {
        Ok(self.shared.store.execution_orders(id).await?)
    }

    /// Recorded fills, of one market or all.
    pub async fn fills(&self, market: Option<&MarketKey>) -> Result<Vec<Fill>, EngineError> {
        Ok(self.shared.store.fills(market).await?)
    }

    /// The daily PnL rows from `from` to `to` (inclusive), oldest first.
    pub async fn daily_pnl(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DailyPnl>, EngineError> {
        Ok(self.shared.store.daily_pnl(from, to).await?)
    }

    /// Today's date (UTC) by the engine's clock.
    #[must_use]
    pub fn today(&self) -> NaiveDate {
        self.shared.clock.now().date_naive()
    }
}
