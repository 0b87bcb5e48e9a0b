//! The `Exchange` trait: everything the engine needs from a venue. Adapters implement it.

use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::Stream;
use thiserror::Error;

use crate::fees::FeeModel;
use crate::model::{
    Balance, BinaryBook, ClientOrderId, Fill, Market, MarketId, ModelError, Order, OrderRequest,
    Position, VenueId, VenueOrderId,
};

/// A change in a subscribed market's book.
#[derive(Clone, Debug, PartialEq)]
pub enum BookEvent {
    /// The market's full, current book (after a snapshot or after applying a delta).
    Book {
        /// The market.
        market: MarketId,
        /// Its book.
        book: Arc<BinaryBook>,
    },
    /// The book can no longer be trusted (sequence gap, disconnect) until the next `Book` event
    /// for the market: do not trade on it. `None` means every market of the stream.
    Invalidated {
        /// The market, or all of them.
        market: Option<MarketId>,
        /// Why, for logs.
        reason: String,
    },
}

/// A stream of book events. It ends only when the subscription is dropped or can never recover.
pub type BookStream = Pin<Box<dyn Stream<Item = BookEvent> + Send>>;

/// A venue's catalogue as listed: every market that could be read, and what could not.
///
/// A venue's catalogue comes in many requests (pages, events, series, per-market details); one
/// of them failing (after its retries) leaves a named gap instead of failing the whole listing,
/// so the rest still syncs. [`Exchange::list_markets`] returns an error only when nothing could
/// be listed at all.
#[derive(Clone, Debug, Default)]
pub struct MarketListing {
    /// The markets read.
    pub markets: Vec<Market>,
    /// The parts of the catalogue that could not be read.
    pub gaps: Vec<ListingGap>,
}

impl MarketListing {
    /// A complete listing.
    #[must_use]
    pub const fn complete(markets: Vec<Market>) -> Self {
        Self {
            markets,
            gaps: Vec::new(),
        }
    }

    /// Whether every part of the catalogue was read.
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.gaps.is_empty()
    }
}

/// One part of a catalogue that could not be read.
#[derive(Clone, Debug)]
pub struct ListingGap {
    /// What was missed, named for people (`series KXFED`, `page after cursor 42`,
    /// `market 0xab…`).
    pub what: String,
    /// The venue's answer to the last attempt.
    pub error: ExchangeError,
}

impl std::fmt::Display for ListingGap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.what, self.error)
    }
}

/// A venue failure. Each variant says whether retrying the same call may succeed.
#[derive(Debug, Clone, Error)]
pub enum ExchangeError {
    /// The connection failed or broke.
    #[error("network error: {0}")]
    Network(String),
    /// No answer in time. For an order, it may or may not exist: reconcile by client order id.
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    /// The venue's rate limit was hit.
    #[error("rate limited (retry after {retry_after:?})")]
    RateLimited {
        /// How long to wait, when the venue says.
        retry_after: Option<Duration>,
    },
    /// The venue is down or overloaded (5xx, maintenance).
    #[error("venue unavailable: {0}")]
    Unavailable(String),
    /// Credentials missing, wrong or expired. Never contains the secret itself.
    #[error("authentication failed: {0}")]
    Auth(String),
    /// The venue refused the request (invalid order, market closed…).
    #[error("rejected by venue ({code}): {message}")]
    Rejected {
        /// The venue's error code.
        code: String,
        /// The venue's message.
        message: String,
    },
    /// Not enough funds for the order.
    #[error("insufficient balance: {0}")]
    InsufficientBalance(String),
    /// The order, market or resource does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The request was invalid before it was sent (off-grid price, size below minimum…).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// A venue answer we could not parse; `what` names the payload and field.
    #[error("could not decode {what}: {message}")]
    Decode {
        /// The payload or field.
        what: String,
        /// The parser's complaint.
        message: String,
    },
    /// The operation is not available on this venue or in this mode (e.g. trading without keys).
    #[error("unsupported: {0}")]
    Unsupported(String),
}

impl ExchangeError {
    /// Whether the same call may succeed if retried later. Order placement is never retried
    /// blindly whatever this says: the executor reconciles by client order id first.
    #[must_use]
    pub const fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::Network(_) | Self::Timeout(_) | Self::RateLimited { .. } | Self::Unavailable(_)
        )
    }

    /// Whether, after this error from `place_order`, the order might nonetheless exist on the venue
    /// (so it must be looked up by client order id before anything else is sent).
    #[must_use]
    pub const fn order_may_exist(&self) -> bool {
        matches!(
            self,
            Self::Network(_) | Self::Timeout(_) | Self::Unavailable(_) | Self::Decode { .. }
        )
    }
}

impl From<ModelError> for ExchangeError {
    fn from(e: ModelError) -> Self {
        Self::InvalidRequest(e.to_string())
    }
}

/// A venue. Implementations convert venue units at the edge: everything here is dollars,
/// probabilities and contracts.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait Exchange: Send + Sync {
    /// The venue's id (`kalshi`, `polymarket`, `sim-a`…).
    fn venue(&self) -> VenueId;

    /// Every market open for trading, all pages fetched; parts that cannot be read (after
    /// retries) are reported as gaps, not as a failure of the whole listing.
    async fn list_markets(&self) -> Result<MarketListing, ExchangeError>;

    /// One market, whatever its status (used to follow settlement).
    async fn market(&self, market: &MarketId) -> Result<Market, ExchangeError>;

    /// The current book of one market.
    async fn order_book(&self, market: &MarketId) -> Result<BinaryBook, ExchangeError>;

    /// Current books of several markets (one batch request where the venue has one).
    async fn order_books(
        &self,
        markets: &[MarketId],
    ) -> Result<Vec<(MarketId, BinaryBook)>, ExchangeError>;

    /// A live stream of book events for these markets (WebSocket where available).
    async fn subscribe_books(&self, markets: &[MarketId]) -> Result<BookStream, ExchangeError>;

    /// Sends an order. The answer may be `Pending`/`Unknown`: that is never "nothing filled".
    async fn place_order(&self, request: &OrderRequest) -> Result<Order, ExchangeError>;

    /// Cancels an order and returns its final state.
    async fn cancel_order(&self, order: &VenueOrderId) -> Result<Order, ExchangeError>;

    /// An order by the venue's id.
    async fn order(&self, order: &VenueOrderId) -> Result<Order, ExchangeError>;

    /// An order by our client order id; `None` if the venue never received it.
    async fn order_by_client_id(
        &self,
        client_order_id: &ClientOrderId,
    ) -> Result<Option<Order>, ExchangeError>;

    /// An order by the request that created it; `None` if the venue never received it. Venues
    /// without client order ids override this to rebuild the venue's id from the request
    /// (Polymarket signs deterministic orders); the default asks
    /// [`Exchange::order_by_client_id`]. Wrappers must forward it.
    async fn order_by_request(
        &self,
        request: &OrderRequest,
    ) -> Result<Option<Order>, ExchangeError> {
        self.order_by_client_id(&request.client_order_id).await
    }

    /// Our fills since `since`.
    async fn fills_since(&self, since: DateTime<Utc>) -> Result<Vec<Fill>, ExchangeError>;

    /// Our open positions.
    async fn positions(&self) -> Result<Vec<Position>, ExchangeError>;

    /// Our cash.
    async fn balance(&self) -> Result<Balance, ExchangeError>;

    /// Whether the venue nets a market's YES and NO positions (a YES and a NO pay $1 at once
    /// and the venue reports one signed position, as Kalshi does), so that reconciliation
    /// compares net positions. `false` by default. Wrappers must forward it.
    fn nets_positions(&self) -> bool {
        false
    }

    /// The fee model for a market: by default the schedule the market carries.
    fn fee_model(&self, market: &Market) -> Arc<dyn FeeModel> {
        Arc::new(market.fees.clone())
    }
}
