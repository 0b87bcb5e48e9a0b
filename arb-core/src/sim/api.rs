//! `Exchange` for [`SimExchange`]: every call waits the configured latency, then honours
//! injected faults, then answers from the venue state.

use std::collections::BTreeSet;
use std::sync::{Arc, MutexGuard, PoisonError};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::SimExchange;
use super::faults::OrderFault;
use super::stream::book_stream;
use super::venue::VenueState;
use crate::exchange::{BookEvent, BookStream, Exchange, ExchangeError, MarketListing};
use crate::model::{
    Balance, BinaryBook, ClientOrderId, Fill, Market, MarketId, Order, OrderRequest, Position,
    VenueId, VenueOrderId,
};

impl SimExchange {
    /// The start of every call: latency, then the outage fault.
    async fn enter(&self) -> Result<(), ExchangeError> {
        let latency = *self
            .inner
            .latency
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        self.state().faults.enter_call()
    }

    /// The state for a query about orders, fills or the account: delayed orders move on first.
    fn queried_state(&self) -> MutexGuard<'_, VenueState> {
        let mut state = self.state();
        let changed = state.poll_delayed();
        self.publish(&state, &changed);
        state
    }

    /// Admits, records and executes an order; a refused order leaves no trace.
    fn submit(&self, request: &OrderRequest) -> Result<Order, ExchangeError> {
        let mut state = self.state();
        state.admit(request)?;
        let id = state.accept(request);
        match state.execute(&id) {
            Ok(changed) => {
                self.publish(&state, &changed);
                state.order(&id)
            }
            Err(e) => {
                state.forget(&id);
                Err(e)
            }
        }
    }

    /// Admits and records an order that will execute later.
    fn submit_delayed(&self, request: &OrderRequest, polls: u32) -> Result<Order, ExchangeError> {
        let mut state = self.state();
        state.admit(request)?;
        let id = state.accept(request);
        state.delay(id.clone(), polls);
        state.order(&id)
    }
}

#[async_trait]
impl Exchange for SimExchange {
    fn venue(&self) -> VenueId {
        self.inner.venue.clone()
    }

    async fn list_markets(&self) -> Result<MarketListing, ExchangeError> {
        self.enter().await?;
        Ok(MarketListing::complete(
            self.state()
                .markets()
                .filter(|m| m.status.is_tradable())
                .cloned()
                .collect(),
        ))
    }

    async fn market(&self, market: &MarketId) -> Result<Market, ExchangeError> {
        self.enter().await?;
        self.state().market(market)
    }

    async fn order_book(&self, market: &MarketId) -> Result<BinaryBook, ExchangeError> {
        self.enter().await?;
        self.state().book(market)
    }

    async fn order_books(
        &self,
        markets: &[MarketId],
    ) -> Result<Vec<(MarketId, BinaryBook)>, ExchangeError> {
        self.enter().await?;
        let state = self.state();
        markets
            .iter()
            .map(|m| Ok((m.clone(), state.book(m)?)))
            .collect()
    }

    async fn subscribe_books(&self, markets: &[MarketId]) -> Result<BookStream, ExchangeError> {
        self.enter().await?;
        let receiver = {
            let state = self.state();
            for m in markets {
                state.market(m)?;
            }
            self.inner.events.subscribe()
        };
        let wanted: BTreeSet<MarketId> = markets.iter().cloned().collect();
        let venue = self.clone();
        let subscribed = wanted.clone();
        let snapshot = move || {
            let state = venue.state();
            subscribed
                .iter()
                .filter_map(|m| {
                    state.book(m).ok().map(|book| BookEvent::Book {
                        market: m.clone(),
                        book: Arc::new(book),
                    })
                })
                .collect()
        };
        Ok(book_stream(receiver, wanted, snapshot))
    }

    async fn place_order(&self, request: &OrderRequest) -> Result<Order, ExchangeError> {
        self.enter().await?;
        let fault = {
            let mut state = self.state();
            if let Some(existing) = state.order_by_client_id(&request.client_order_id) {
                return Ok(existing);
            }
            state.faults.next_order_fault()
        };
        match fault {
            None => self.submit(request),
            Some(OrderFault::Reject { code, message }) => {
                Err(ExchangeError::Rejected { code, message })
            }
            Some(OrderFault::Delayed { polls }) => self.submit_delayed(request, polls),
            Some(OrderFault::Timeout { after, executed }) => {
                if executed {
                    // The venue got it; only the answer is lost. A refusal is lost with it.
                    let _ = self.submit(request);
                }
                tokio::time::sleep(after).await;
                Err(ExchangeError::Timeout(after))
            }
        }
    }

    async fn cancel_order(&self, order: &VenueOrderId) -> Result<Order, ExchangeError> {
        self.enter().await?;
        let mut state = self.state();
        let (order, changed) = state.cancel(order)?;
        self.publish(&state, &changed);
        Ok(order)
    }

    async fn order(&self, order: &VenueOrderId) -> Result<Order, ExchangeError> {
        self.enter().await?;
        self.queried_state().order(order)
    }

    async fn order_by_client_id(
        &self,
        client_order_id: &ClientOrderId,
    ) -> Result<Option<Order>, ExchangeError> {
        self.enter().await?;
        Ok(self.queried_state().order_by_client_id(client_order_id))
    }

    async fn fills_since(&self, since: DateTime<Utc>) -> Result<Vec<Fill>, ExchangeError> {
        self.enter().await?;
        Ok(self.queried_state().fills_since(since))
    }

    async fn positions(&self) -> Result<Vec<Position>, ExchangeError> {
        self.enter().await?;
        Ok(self
            .queried_state()
            .all_positions()
            .into_iter()
            .filter(|p| !p.qty.is_zero())
            .collect())
    }

    async fn balance(&self) -> Result<Balance, ExchangeError> {
        self.enter().await?;
        Ok(self.queried_state().balance())
    }
}
