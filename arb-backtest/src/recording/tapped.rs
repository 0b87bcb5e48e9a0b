//! [`TappedExchange`]: records the books of a venue that has no wire format of its own.

use std::sync::Arc;

use arb_core::exchange::{BookEvent, BookStream, Exchange, ExchangeError, MarketListing};
use arb_core::fees::FeeModel;
use arb_core::model::{
    Balance, BinaryBook, ClientOrderId, Fill, Market, MarketId, Order, OrderRequest, Position,
    VenueId, VenueOrderId,
};
use arb_core::record::{NATIVE_BOOK_FORMAT, SharedTap, native_payload};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::StreamExt;

/// Wraps any [`Exchange`] and hands every book it returns or streams to a tap, as a
/// [`NATIVE_BOOK_FORMAT`] message: for the simulated venues and user venues, which have no wire
/// format to record. Everything else is forwarded unchanged.
///
/// Only whole books are recorded: a stream's `Invalidated` events carry no book and are not.
pub struct TappedExchange<E> {
    inner: E,
    tap: SharedTap,
}

impl<E: Exchange> TappedExchange<E> {
    /// `inner`, with its books recorded through `tap`.
    pub fn new(inner: E, tap: SharedTap) -> Self {
        Self { inner, tap }
    }

    /// The wrapped venue.
    pub const fn inner(&self) -> &E {
        &self.inner
    }
}

impl<E> std::fmt::Debug for TappedExchange<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TappedExchange")
            .field("tap", &self.tap)
            .finish_non_exhaustive()
    }
}

/// Hands one book to the tap; a book that cannot be serialised is logged, never fatal.
fn record_book(tap: &SharedTap, venue: &VenueId, market: &MarketId, book: &BinaryBook) {
    match native_payload(market, book) {
        Ok(payload) => tap.received(venue, NATIVE_BOOK_FORMAT, Some(market), &payload),
        Err(e) => tracing::warn!(%venue, %market, error = %e, "could not record a book"),
    }
}

#[async_trait]
impl<E: Exchange> Exchange for TappedExchange<E> {
    fn venue(&self) -> VenueId {
        self.inner.venue()
    }

    async fn list_markets(&self) -> Result<MarketListing, ExchangeError> {
        self.inner.list_markets().await
    }

    async fn market(&self, market: &MarketId) -> Result<Market, ExchangeError> {
        self.inner.market(market).await
    }

    async fn order_book(&self, market: &MarketId) -> Result<BinaryBook, ExchangeError> {
        let book = self.inner.order_book(market).await?;
        record_book(&self.tap, &self.inner.venue(), market, &book);
        Ok(book)
    }

    async fn order_books(
        &self,
        markets: &[MarketId],
    ) -> Result<Vec<(MarketId, BinaryBook)>, ExchangeError> {
        let books = self.inner.order_books(markets).await?;
        let venue = self.inner.venue();
        for (market, book) in &books {
            record_book(&self.tap, &venue, market, book);
        }
        Ok(books)
    }

    async fn subscribe_books(&self, markets: &[MarketId]) -> Result<BookStream, ExchangeError> {
        let stream = self.inner.subscribe_books(markets).await?;
        let tap = Arc::clone(&self.tap);
        let venue = self.inner.venue();
        Ok(Box::pin(stream.inspect(move |event| {
            if let BookEvent::Book { market, book } = event {
                record_book(&tap, &venue, market, book);
            }
        })))
    }

    async fn place_order(&self, request: &OrderRequest) -> Result<Order, ExchangeError> {
        self.inner.place_order(request).await
    }

    async fn cancel_order(&self, order: &VenueOrderId) -> Result<Order, ExchangeError> {
        self.inner.cancel_order(order).await
    }

    async fn order(&self, order: &VenueOrderId) -> Result<Order, ExchangeError> {
        self.inner.order(order).await
    }

    async fn order_by_client_id(
        &self,
        client_order_id: &ClientOrderId,
    ) -> Result<Option<Order>, ExchangeError> {
        self.inner.order_by_client_id(client_order_id).await
    }

    async fn order_by_request(
        &self,
        request: &OrderRequest,
    ) -> Result<Option<Order>, ExchangeError> {
        self.inner.order_by_request(request).await
    }

    async fn fills_since(&self, since: DateTime<Utc>) -> Result<Vec<Fill>, ExchangeError> {
        self.inner.fills_since(since).await
    }

    async fn positions(&self) -> Result<Vec<Position>, ExchangeError> {
        self.inner.positions().await
    }

    async fn balance(&self) -> Result<Balance, ExchangeError> {
        self.inner.balance().await
    }

    fn nets_positions(&self) -> bool {
        self.inner.nets_positions()
    }

    fn fee_model(&self, market: &Market) -> Arc<dyn FeeModel> {
        self.inner.fee_model(market)
    }
}
