//! Network latency between the engine and a simulated venue: every trading call travels to the
//! venue for one delay, acts there, and its answer travels back for another. A marketable order
//! therefore fills against the book as it stood when it *arrived*, not when it was sent.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use arb_core::exchange::{BookStream, Exchange, ExchangeError, MarketListing};
use arb_core::fees::FeeModel;
use arb_core::model::{
    Balance, BinaryBook, ClientOrderId, Fill, Market, MarketId, Order, OrderRequest, Position,
    VenueId, VenueOrderId,
};

/// One venue's one-way delay: `base`, plus up to `jitter` drawn from a seeded generator (the
/// same seed gives the same delays in the same order, so a backtest is repeatable).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Latency {
    /// The fixed part.
    pub base: Duration,
    /// The most added on top, uniformly, per message (whole milliseconds).
    pub jitter: Duration,
}

/// A venue reached over a network with [`Latency`]: trading calls (orders, cancels, order
/// lookups) wait one delay before reaching `inner` and one before their answer returns. Market
/// data and account reads pass through at once (the recording already carries the feeds'
/// delay: it holds receive times).
pub struct Delayed {
    inner: Arc<dyn Exchange>,
    latency: Latency,
    rng: Mutex<SplitMix64>,
}

impl std::fmt::Debug for Delayed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Delayed")
            .field("venue", &self.inner.venue())
            .field("latency", &self.latency)
            .finish_non_exhaustive()
    }
}

impl Delayed {
    /// `inner` behind `latency`; the jitter is drawn from `seed` mixed with the venue's name.
    pub fn new(inner: Arc<dyn Exchange>, latency: Latency, seed: u64) -> Self {
        let venue = inner.venue();
        let rng = SplitMix64(seed ^ fnv1a(venue.as_str().as_bytes()));
        Self {
            inner,
            latency,
            rng: Mutex::new(rng),
        }
    }

    /// Waits one one-way delay of virtual time.
    async fn travel(&self) {
        let jitter_ms = u64::try_from(self.latency.jitter.as_millis()).unwrap_or(u64::MAX);
        let extra = if jitter_ms == 0 {
            0
        } else {
            let draw = self
                .rng
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .next();
            draw % jitter_ms.saturating_add(1)
        };
        let delay = self.latency.base + Duration::from_millis(extra);
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
    }
}

#[async_trait]
impl Exchange for Delayed {
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
        self.inner.order_book(market).await
    }

    async fn order_books(
        &self,
        markets: &[MarketId],
    ) -> Result<Vec<(MarketId, BinaryBook)>, ExchangeError> {
        self.inner.order_books(markets).await
    }

    async fn subscribe_books(&self, markets: &[MarketId]) -> Result<BookStream, ExchangeError> {
        self.inner.subscribe_books(markets).await
    }

    async fn place_order(&self, request: &OrderRequest) -> Result<Order, ExchangeError> {
        self.travel().await;
        let answer = self.inner.place_order(request).await;
        self.travel().await;
        answer
    }

    async fn cancel_order(&self, order: &VenueOrderId) -> Result<Order, ExchangeError> {
        self.travel().await;
        let answer = self.inner.cancel_order(order).await;
        self.travel().await;
        answer
    }

    async fn order(&self, order: &VenueOrderId) -> Result<Order, ExchangeError> {
        self.travel().await;
        let answer = self.inner.order(order).await;
        self.travel().await;
        answer
    }

    async fn order_by_client_id(
        &self,
        client_order_id: &ClientOrderId,
    ) -> Result<Option<Order>, ExchangeError> {
        self.travel().await;
        let answer = self.inner.order_by_client_id(client_order_id).await;
        self.travel().await;
        answer
    }

    async fn order_by_request(
        &self,
        request: &OrderRequest,
    ) -> Result<Option<Order>, ExchangeError> {
        self.travel().await;
        let answer = self.inner.order_by_request(request).await;
        self.travel().await;
        answer
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

/// SplitMix64: a small, fast, seedable generator (the jitter needs repeatability, not quality).
#[derive(Debug)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// FNV-1a: a stable hash of the venue's name (std's hasher is randomly keyed per process).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}
