//! Book streams of a simulated venue: a snapshot per market, then every change.

use std::collections::BTreeSet;

use futures::StreamExt;
use tokio::sync::broadcast;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;

use crate::exchange::{BookEvent, BookStream};
use crate::model::MarketId;

/// Whether a subscriber to `markets` should see `event`.
fn wanted(markets: &BTreeSet<MarketId>, event: &BookEvent) -> bool {
    match event {
        BookEvent::Book { market, .. } => markets.contains(market),
        BookEvent::Invalidated { market, .. } => {
            market.as_ref().is_none_or(|m| markets.contains(m))
        }
    }
}

/// A stream over `markets`: first `snapshot()`, then the venue's events for those markets.
/// A subscriber that falls behind gets `Invalidated` for all its markets, then `snapshot()` again.
pub(crate) fn book_stream<F>(
    receiver: broadcast::Receiver<BookEvent>,
    markets: BTreeSet<MarketId>,
    snapshot: F,
) -> BookStream
where
    F: Fn() -> Vec<BookEvent> + Send + Sync + 'static,
{
    let initial = futures::stream::iter(snapshot());
    let live = BroadcastStream::new(receiver).flat_map(move |item| {
        let events = match item {
            Ok(event) if wanted(&markets, &event) => vec![event],
            Ok(_) => Vec::new(),
            Err(BroadcastStreamRecvError::Lagged(missed)) => {
                let mut events = vec![BookEvent::Invalidated {
                    market: None,
                    reason: format!("subscriber fell behind by {missed} events"),
                }];
                events.extend(snapshot());
                events
            }
        };
        futures::stream::iter(events)
    });
    Box::pin(initial.chain(live))
}
