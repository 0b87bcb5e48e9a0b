//! Calls to a venue about one order, with every failure classified (never read as "nothing filled")
//! and reported to the risk manager's consecutive-error count.

use crate::exchange::{Exchange, ExchangeError};
use crate::model::{BinaryBook, MarketId, Order, OrderRequest, VenueOrderId};
use crate::risk::RiskManager;

/// What sending an order produced.
pub(super) enum PlaceAnswer {
    /// The venue's view of the order (possibly still pending or unknown).
    Order(Order),
    /// The send failed in a way that may have reached the venue, and the venue says it has no
    /// order with our client order id: nothing was placed.
    NotReceived(String),
    /// The send failed, the order may exist, and the venue could not be asked: still unknown.
    Unknown(String),
    /// The venue refused the order: nothing was placed.
    Refused(String),
}

/// What asking a venue about an order produced.
pub(super) enum Lookup {
    /// The venue's view of the order.
    Found(Order),
    /// The venue has no order with our client order id.
    Missing,
    /// The venue could not be asked.
    Failed(String),
}

/// One venue, as seen by one execution.
pub(super) struct VenueCalls<'a> {
    pub(super) exchange: &'a dyn Exchange,
    pub(super) risk: Option<&'a RiskManager>,
}

impl VenueCalls<'_> {
    fn note<T>(&self, result: &Result<T, ExchangeError>) {
        if let Some(risk) = self.risk {
            let venue = self.exchange.venue();
            match result {
                Ok(_) => risk.record_venue_success(&venue),
                Err(e) if e.is_retryable() || matches!(e, ExchangeError::Decode { .. }) => {
                    risk.record_venue_error(&venue);
                }
                Err(_) => {}
            }
        }
    }

    /// Sends an order; when the failure means it may exist, looks it up by client order id
    /// before anything else.
    pub(super) async fn place(&self, request: &OrderRequest) -> PlaceAnswer {
        let result = self.exchange.place_order(request).await;
        self.note(&result);
        match result {
            Ok(order) => PlaceAnswer::Order(order),
            Err(e) if e.order_may_exist() => match self.by_client_id(request).await {
                Lookup::Found(order) => PlaceAnswer::Order(order),
                Lookup::Missing => PlaceAnswer::NotReceived(e.to_string()),
                Lookup::Failed(detail) => PlaceAnswer::Unknown(format!("{e}; lookup: {detail}")),
            },
            Err(e) => PlaceAnswer::Refused(e.to_string()),
        }
    }

    /// The order's current state: by venue id when known, else (or when that fails) by client order id.
    pub(super) async fn lookup(&self, order: &Order) -> Lookup {
        if let Some(id) = &order.venue_order_id {
            let result = self.exchange.order(id).await;
            self.note(&result);
            if let Ok(found) = result {
                return Lookup::Found(found);
            }
        }
        self.by_client_id(&order.request).await
    }

    async fn by_client_id(&self, request: &OrderRequest) -> Lookup {
        let result = self.exchange.order_by_request(request).await;
        self.note(&result);
        match result {
            Ok(Some(order)) => Lookup::Found(order),
            Ok(None) => Lookup::Missing,
            Err(e) => Lookup::Failed(e.to_string()),
        }
    }

    /// Cancels an order and returns its final state, if the venue answered.
    pub(super) async fn cancel(&self, id: &VenueOrderId) -> Option<Order> {
        let result = self.exchange.cancel_order(id).await;
        self.note(&result);
        result.ok()
    }

    /// The market's current book, if the venue answered.
    pub(super) async fn book(&self, market: &MarketId) -> Option<BinaryBook> {
        let result = self.exchange.order_book(market).await;
        self.note(&result);
        result.ok()
    }
}
