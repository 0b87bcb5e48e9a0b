//! A venue decorator that feeds `/metrics` and `/health`: book arrivals (book age per venue and
//! per market), the outcome of every call (last success, failures), order round trips, and the
//! tick-to-order latency — from the arrival of the latest book update of a market to the first
//! order request for it being sent.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use arb_core::exchange::{BookEvent, BookStream, Exchange, ExchangeError, MarketListing};
use arb_core::fees::FeeModel;
use arb_core::model::{
    Balance, BinaryBook, ClientOrderId, Fill, Market, MarketId, Order, OrderRequest, Position,
    VenueId, VenueOrderId,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::StreamExt;

use crate::metrics::Metrics;

/// Wraps a venue and records its timings into [`Metrics`]; behaviour is otherwise unchanged.
pub struct Instrumented {
    inner: Arc<dyn Exchange>,
    metrics: Arc<Metrics>,
    /// When the latest book update of each market arrived.
    last_book: Arc<Mutex<HashMap<MarketId, Instant>>>,
}

impl Instrumented {
    /// Instruments `inner`.
    pub fn new(inner: Arc<dyn Exchange>, metrics: Arc<Metrics>) -> Self {
        Self {
            inner,
            metrics,
            last_book: Arc::default(),
        }
    }

    fn book_arrived(&self, market: &MarketId) {
        book_arrived(&self.metrics, &self.last_book, &self.inner.venue(), market);
    }

    /// Records how a call ended and passes its result on. The venue failed when it could not be
    /// reached or used (network, timeout, rate limit, unavailable, authentication, an answer that
    /// cannot be read); a refusal or "not found" is an answer, so the call succeeded.
    fn observe<T>(&self, result: Result<T, ExchangeError>) -> Result<T, ExchangeError> {
        let error = match &result {
            Err(
                e @ (ExchangeError::Network(_)
                | ExchangeError::Timeout(_)
                | ExchangeError::RateLimited { .. }
                | ExchangeError::Unavailable(_)
                | ExchangeError::Auth(_)
                | ExchangeError::Decode { .. }),
            ) => Some(e.to_string()),
            _ => None,
        };
        self.metrics
            .venue_call(self.inner.venue().as_str(), error.as_deref(), Utc::now());
        result
    }
}

fn book_arrived(
    metrics: &Metrics,
    last_book: &Mutex<HashMap<MarketId, Instant>>,
    venue: &VenueId,
    market: &MarketId,
) {
    let now = Instant::now();
    metrics.market_book_updated(venue.as_str(), market.as_str(), now);
    last_book
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert(market.clone(), now);
}

#[async_trait]
impl Exchange for Instrumented {
    fn venue(&self) -> VenueId {
        self.inner.venue()
    }

    async fn list_markets(&self) -> Result<MarketListing, ExchangeError> {
        self.observe(self.inner.list_markets().await)
    }

    async fn market(&self, market: &MarketId) -> Result<Market, ExchangeError> {
        self.observe(self.inner.market(market).await)
    }

    async fn order_book(&self, market: &MarketId) -> Result<BinaryBook, ExchangeError> {
        let book = self.observe(self.inner.order_book(market).await)?;
        self.book_arrived(market);
        Ok(book)
    }

    async fn order_books(
        &self,
        markets: &[MarketId],
    ) -> Result<Vec<(MarketId, BinaryBook)>, ExchangeError> {
        let books = self.observe(self.inner.order_books(markets).await)?;
        for (market, _) in &books {
            self.book_arrived(market);
        }
        Ok(books)
    }

    async fn subscribe_books(&self, markets: &[MarketId]) -> Result<BookStream, ExchangeError> {
        let stream = self.observe(self.inner.subscribe_books(markets).await)?;
        let (metrics, last_book, venue) = (
            Arc::clone(&self.metrics),
            Arc::clone(&self.last_book),
            self.inner.venue(),
        );
        Ok(Box::pin(stream.inspect(move |event| {
            if let BookEvent::Book { market, .. } = event {
                book_arrived(&metrics, &last_book, &venue, market);
            }
        })))
    }

    async fn place_order(&self, request: &OrderRequest) -> Result<Order, ExchangeError> {
        let sent = Instant::now();
        let last_book = self
            .last_book
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&request.market.market)
            .copied();
        if let Some(arrived) = last_book {
            self.metrics
                .observe_tick_to_order(sent.duration_since(arrived));
        }
        let result = self.observe(self.inner.place_order(request).await);
        self.metrics
            .observe_order_round_trip(self.inner.venue().as_str(), sent.elapsed());
        result
    }

    async fn cancel_order(&self, order: &VenueOrderId) -> Result<Order, ExchangeError> {
        self.observe(self.inner.cancel_order(order).await)
    }

    async fn order(&self, order: &VenueOrderId) -> Result<Order, ExchangeError> {
        self.observe(self.inner.order(order).await)
    }

    async fn order_by_client_id(
        &self,
        client_order_id: &ClientOrderId,
    ) -> Result<Option<Order>, ExchangeError> {
        self.observe(self.inner.order_by_client_id(client_order_id).await)
    }

    async fn order_by_request(
        &self,
        request: &OrderRequest,
    ) -> Result<Option<Order>, ExchangeError> {
        self.observe(self.inner.order_by_request(request).await)
    }

    async fn fills_since(&self, since: DateTime<Utc>) -> Result<Vec<Fill>, ExchangeError> {
        self.observe(self.inner.fills_since(since).await)
    }

    async fn positions(&self) -> Result<Vec<Position>, ExchangeError> {
        self.observe(self.inner.positions().await)
    }

    async fn balance(&self) -> Result<Balance, ExchangeError> {
        self.observe(self.inner.balance().await)
    }

    fn fee_model(&self, market: &Market) -> Arc<dyn FeeModel> {
        self.inner.fee_model(market)
    }

    fn nets_positions(&self) -> bool {
        self.inner.nets_positions()
    }
}

#[cfg(test)]
mod tests {
    use arb_core::clock::{SequentialIds, SystemClock};
    use arb_core::fees::FeeSchedule;
    use arb_core::model::{MarketKey, Outcome, Price, Qty, Side, TimeInForce};
    use arb_core::sim::{SimConfig, SimExchange, binary_market, levels};
    use rust_decimal_macros::dec;

    use super::*;

    #[tokio::test]
    async fn orders_and_book_updates_feed_the_metrics() {
        let sim = SimExchange::new(
            SimConfig::new("sim", dec!(100)),
            Arc::new(SystemClock),
            Arc::new(SequentialIds::default()),
        );
        let key = MarketKey::new("sim", "M");
        sim.add_market(
            binary_market(
                key.clone(),
                "m",
                FeeSchedule::FREE,
                Utc::now() + chrono::Duration::days(1),
            )
            .expect("market"),
        )
        .expect("add");
        sim.set_book(
            &key.market,
            &[],
            &levels(&[(dec!(0.5), dec!(10))]).expect("levels"),
        )
        .expect("book");
        let metrics = Arc::new(Metrics::new());
        let sim_faults = sim.clone();
        let venue = Instrumented::new(Arc::new(sim), Arc::clone(&metrics));
        venue.order_book(&key.market).await.expect("book");
        let request = OrderRequest {
            client_order_id: ClientOrderId::new("c1"),
            market: key,
            outcome: Outcome::Yes,
            side: Side::Buy,
            limit_price: Price::new(dec!(0.5)).expect("price"),
            qty: Qty::new(dec!(2)).expect("qty"),
            time_in_force: TimeInForce::Ioc,
        };
        venue.place_order(&request).await.expect("order");
        let text = metrics.render(Instant::now());
        assert!(text.contains("arb_tick_to_order_seconds_count 1"), "{text}");
        assert!(
            text.contains("arb_market_book_age_seconds{venue=\"sim\",market=\"M\"}"),
            "{text}"
        );
        assert!(
            text.contains("arb_venue_call_failures_total{venue=\"sim\"} 0"),
            "{text}"
        );
        venue
            .order_book(&MarketId::new("nope"))
            .await
            .expect_err("not found: an answer, not a failure");
        assert_eq!(metrics.venue_calls()["sim"].failures, 0);
        sim_faults.inject(arb_core::sim::Fault::Timeout {
            after: std::time::Duration::from_millis(1),
            executed: false,
        });
        let retry = OrderRequest {
            client_order_id: ClientOrderId::new("c2"),
            ..request
        };
        venue.place_order(&retry).await.expect_err("timed out");
        let calls = metrics.venue_calls();
        assert_eq!(calls["sim"].failures, 1);
        assert!(calls["sim"].last_success.is_some() && calls["sim"].last_error.is_some());
        assert!(text.contains("venue=\"sim\""), "{text}");
    }
}
