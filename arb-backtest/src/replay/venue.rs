//! [`ReplayVenue`]: a venue whose market data is a recording, as it stood at the current virtual
//! time. It only shows data: wrap it in [`arb_core::sim::PaperExchange`] to trade against it.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::StreamExt;

use arb_core::clock::Clock;
use arb_core::exchange::{BookStream, Exchange, ExchangeError, MarketListing};
use arb_core::model::{
    Balance, BinaryBook, ClientOrderId, Fill, Market, MarketId, MarketKey, Order, OrderRequest,
    Position, VenueId, VenueOrderId,
};

use super::tape::Tape;

/// One venue of a recording (see the module documentation).
#[derive(Debug, Clone)]
pub struct ReplayVenue {
    venue: VenueId,
    tape: Arc<Tape>,
    clock: Arc<dyn Clock>,
}

impl ReplayVenue {
    /// `venue`'s data on `tape`, at the time `clock` reads.
    pub fn new(venue: VenueId, tape: Arc<Tape>, clock: Arc<dyn Clock>) -> Self {
        Self { venue, tape, clock }
    }

    fn key(&self, market: &MarketId) -> MarketKey {
        MarketKey {
            venue: self.venue.clone(),
            market: market.clone(),
        }
    }

    fn unsupported(&self, what: &str) -> ExchangeError {
        ExchangeError::Unsupported(format!(
            "{what}: the replayed venue {} only shows recorded market data (trade through PaperExchange)",
            self.venue
        ))
    }
}

#[async_trait]
impl Exchange for ReplayVenue {
    fn venue(&self) -> VenueId {
        self.venue.clone()
    }

    /// Every market the recording defined for this venue so far.
    async fn list_markets(&self) -> Result<MarketListing, ExchangeError> {
        self.tape.advance_to(self.clock.now());
        Ok(MarketListing::complete(self.tape.markets_of(&self.venue)))
    }

    async fn market(&self, market: &MarketId) -> Result<Market, ExchangeError> {
        self.tape.advance_to(self.clock.now());
        self.tape.market(&self.key(market)).ok_or_else(|| {
            ExchangeError::NotFound(format!(
                "market {market} is not defined in the recording of {}",
                self.venue
            ))
        })
    }

    /// The book as recorded up to now (every message received at or before now applied), dated
    /// now: what a REST request would have answered then, as nothing recorded changed it since.
    async fn order_book(&self, market: &MarketId) -> Result<BinaryBook, ExchangeError> {
        let now = self.clock.now();
        self.tape.advance_to(now);
        match self.tape.book(&self.key(market)) {
            Some(Some(book)) => {
                let mut book = (*book).clone();
                book.as_of = book.as_of.max(now);
                Ok(book)
            }
            Some(None) => Err(ExchangeError::Unavailable(format!(
                "the recorded book of {market} on {} is invalidated at {}",
                self.venue,
                self.clock.now()
            ))),
            None => Err(ExchangeError::Unavailable(format!(
                "no book of {market} on {} recorded by {}",
                self.venue,
                self.clock.now()
            ))),
        }
    }

    async fn order_books(
        &self,
        markets: &[MarketId],
    ) -> Result<Vec<(MarketId, BinaryBook)>, ExchangeError> {
        let mut out = Vec::with_capacity(markets.len());
        for market in markets {
            out.push((market.clone(), self.order_book(market).await?));
        }
        Ok(out)
    }

    /// The recorded books of `markets`, then their recorded changes at their receive times.
    async fn subscribe_books(&self, markets: &[MarketId]) -> Result<BookStream, ExchangeError> {
        self.tape.advance_to(self.clock.now());
        let mut events = self.tape.subscribe(&self.venue, markets);
        let stream = futures::stream::poll_fn(move |cx| events.poll_recv(cx));
        Ok(stream.boxed())
    }

    async fn place_order(&self, _request: &OrderRequest) -> Result<Order, ExchangeError> {
        Err(self.unsupported("placing an order"))
    }

    async fn cancel_order(&self, _order: &VenueOrderId) -> Result<Order, ExchangeError> {
        Err(self.unsupported("cancelling an order"))
    }

    async fn order(&self, _order: &VenueOrderId) -> Result<Order, ExchangeError> {
        Err(self.unsupported("reading an order"))
    }

    async fn order_by_client_id(
        &self,
        _client_order_id: &ClientOrderId,
    ) -> Result<Option<Order>, ExchangeError> {
        Err(self.unsupported("reading an order"))
    }

    async fn fills_since(&self, _since: DateTime<Utc>) -> Result<Vec<Fill>, ExchangeError> {
        Err(self.unsupported("reading fills"))
    }

    async fn positions(&self) -> Result<Vec<Position>, ExchangeError> {
        Err(self.unsupported("reading positions"))
    }

    async fn balance(&self) -> Result<Balance, ExchangeError> {
        Err(self.unsupported("reading the balance"))
    }
}
