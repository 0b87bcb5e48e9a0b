//! A reconciliation round's I/O: what the venues and the store say; the processor applies it.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::Io;
use crate::engine::EngineError;
use crate::engine::events::{EventKind, ReconcileOrder, Reconciliation, VenueReconcile};
use crate::exchange::Exchange;
use crate::model::{MarketKey, MarketStatus};

impl Io {
    /// Pulls new fills into the store, asks which held markets settled and what positions each
    /// venue reports, counts today's executions, reads the pairs and the balances.
    pub(super) async fn reconcile(&self, order: ReconcileOrder) -> Result<EventKind, EngineError> {
        let store = &self.shared.store;
        let mut venues = Vec::with_capacity(self.shared.venues.len());
        for venue in &self.shared.venues {
            venues.push(self.reconcile_venue(venue, &order).await?);
        }
        let today = order.now.date_naive();
        let executions_today = store
            .executions(100_000)
            .await?
            .iter()
            .filter(|e| e.created_at.date_naive() == today)
            .count();
        let found = Reconciliation {
            round: order.round,
            now: order.now,
            venues,
            executions_today: u32::try_from(executions_today).unwrap_or(u32::MAX),
            pairs: store.pairs(None).await?,
            balances: self.balances().await,
        };
        Ok(EventKind::Reconciled(Box::new(found)))
    }

    async fn reconcile_venue(
        &self,
        venue: &Arc<dyn Exchange>,
        order: &ReconcileOrder,
    ) -> Result<VenueReconcile, EngineError> {
        let id = venue.venue();
        let mut found = VenueReconcile {
            venue: id.clone(),
            fills: None,
            settled: Vec::new(),
            positions: None,
            nets_positions: venue.nets_positions(),
        };
        let fills = match venue.fills_since(order.since).await {
            Ok(fills) => fills,
            Err(e) => {
                tracing::warn!(venue = %id, error = %e, "fills fetch failed");
                return Ok(found);
            }
        };
        self.shared.store.insert_fills(&fills).await?;
        // Markets held before the round, and any the new fills touch.
        let candidates: BTreeSet<MarketKey> = order
            .held
            .iter()
            .chain(fills.iter().map(|f| &f.market))
            .filter(|k| k.venue == id)
            .cloned()
            .collect();
        for key in candidates {
            match venue.market(&key.market).await {
                Ok(market) => {
                    if let MarketStatus::Settled(winner) = market.status {
                        found.settled.push((key, winner));
                    }
                }
                Err(e) => tracing::warn!(market = %key, error = %e, "market status fetch failed"),
            }
        }
        found.fills = Some(fills);
        match venue.positions().await {
            Ok(positions) => found.positions = Some(positions),
            Err(e) => tracing::warn!(venue = %id, error = %e, "positions fetch failed"),
        }
        Ok(found)
    }
}
