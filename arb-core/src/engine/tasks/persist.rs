//! Store writes decided by the processor, carried out in order by one task off the event loop.

use std::sync::Arc;

use tokio::sync::mpsc;

use crate::engine::EngineError;
use crate::engine::events::Persist;
use crate::engine::handle::Shared;
use crate::notify::Notification;

/// Writes every [`Persist`] received, in order, until the sender is dropped. A store failure
/// ends it with the error (the engine then stops: fail closed).
pub(in crate::engine) async fn persister(
    shared: Arc<Shared>,
    mut writes: mpsc::UnboundedReceiver<Persist>,
) -> Result<(), EngineError> {
    let store = &shared.store;
    while let Some(write) = writes.recv().await {
        match write {
            Persist::Opportunity { record, announce } => {
                if store.record_opportunity(&record).await?.is_some() && announce {
                    shared.notify(Notification::Opportunity {
                        opportunity: record.opportunity,
                    });
                }
            }
            Persist::Prices(snapshots) => store.put_prices(&snapshots).await?,
            Persist::Portfolio { positions, daily } => {
                store.upsert_positions(&positions).await?;
                store.upsert_daily_pnl(&daily).await?;
            }
        }
    }
    Ok(())
}
