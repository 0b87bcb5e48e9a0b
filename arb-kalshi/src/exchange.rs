//! [`KalshiExchange`]: arb-core's [`Exchange`] over Kalshi's Trade API v2.

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::{Mutex, PoisonError};

use arb_core::exchange::{BookStream, Exchange, ExchangeError, MarketListing};
use arb_core::record::SharedTap;
use arb_core::model::{
    Balance, BinaryBook, ClientOrderId, Fill, Market, MarketId, Order, OrderRequest, Position,
    PriceGrid, VenueId, VenueOrderId,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use reqwest::Method;

use crate::config::KalshiConfig;
use crate::convert;
use crate::ratelimit::cost;
use crate::rest::{Access, RestClient};
use crate::wire::{
    BalanceResponse, BatchOrderbooksResponse, CancelOrderV2Response, CreateOrderV2Response,
    EventsResponse, FillsResponse, MarketResponse, OrderResponse, OrderbookResponse,
    OrdersResponse, PositionsResponse, SeriesData, SeriesResponse, WireMarket,
};
use crate::ws;

/// The recorded format of an order-book answer: the body of `GET /markets/{ticker}/orderbook`
/// (recorded with its market) or of `GET /markets/orderbooks` (no market: entries name theirs).
pub const REST_BOOK_FORMAT: &str = "kalshi.rest.orderbook";

/// Tickers per `GET /markets/orderbooks` call.
const BOOKS_PER_CALL: usize = 100;

/// Orders this process sent, so reads map back onto our requests.
#[derive(Debug, Default)]
struct SentOrders {
    by_client_id: HashMap<ClientOrderId, OrderRequest>,
    client_id_by_venue_id: HashMap<VenueOrderId, ClientOrderId>,
}

/// The Kalshi venue.
#[derive(Debug)]
pub struct KalshiExchange {
    config: KalshiConfig,
    pub(crate) rest: RestClient,
    grids: Mutex<HashMap<MarketId, PriceGrid>>,
    sent: Mutex<SentOrders>,
    raw_tap: Option<SharedTap>,
}

fn next_cursor(cursor: Option<String>) -> Option<String> {
    cursor.filter(|c| !c.is_empty())
}

/// A page of a cursor-paginated listing.
pub(crate) trait Paged: serde::de::DeserializeOwned {
    /// Takes the cursor of the next page (`None` or `""` on the last page).
    fn take_cursor(&mut self) -> Option<String>;
}

macro_rules! paged {
    ($($page:ty),*) => {$(
        impl Paged for $page {
            fn take_cursor(&mut self) -> Option<String> {
                self.cursor.take()
            }
        }
    )*};
}

paged!(
    EventsResponse,
    OrdersResponse,
    FillsResponse,
    PositionsResponse
);

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl KalshiExchange {
    /// Reads a cursor-paginated listing: `query` on every page, plus the cursor after the first,
    /// handing each page to `visit` until the last page or until `visit` breaks.
    pub(crate) async fn for_each_page<P: Paged>(
        &self,
        path: &str,
        query: &[(&str, String)],
        access: Access,
        mut visit: impl FnMut(P) -> Result<ControlFlow<()>, ExchangeError>,
    ) -> Result<(), ExchangeError> {
        let what = format!("GET {path}");
        let mut cursor: Option<String> = None;
        loop {
            let mut page_query = query.to_vec();
            if let Some(c) = &cursor {
                page_query.push(("cursor", c.clone()));
            }
            let mut page: P = self
                .rest
                .get(path, &page_query, access, cost::READ, &what)
                .await?;
            cursor = next_cursor(page.take_cursor());
            if visit(page)?.is_break() || cursor.is_none() {
                return Ok(());
            }
        }
    }

    /// An adapter for `config`. Without credentials only public market data works.
    pub fn new(config: KalshiConfig) -> Result<Self, ExchangeError> {
        let rest = RestClient::new(&config)?;
        Ok(Self {
            config,
            rest,
            grids: Mutex::new(HashMap::new()),
            sent: Mutex::new(SentOrders::default()),
            raw_tap: None,
        })
    }

    /// Hands every raw book message (WebSocket frames as `kalshi.ws`, order-book answers as
    /// `kalshi.rest.orderbook`) to `tap` as received, before parsing, for recording.
    #[must_use]
    pub fn with_raw_tap(mut self, tap: SharedTap) -> Self {
        self.raw_tap = Some(tap);
        self
    }

    /// Reads an order-book answer, handing its body to the tap (if any) before it is parsed.
    async fn book_body<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
        market: Option<&MarketId>,
        what: &str,
    ) -> Result<T, ExchangeError> {
        let body = self
            .rest
            .get_body(path, query, Access::Public, cost::READ, what)
            .await?;
        if let Some(tap) = &self.raw_tap {
            match std::str::from_utf8(&body) {
                Ok(text) => tap.received(&convert::venue(), REST_BOOK_FORMAT, market, text),
                Err(e) => tracing::warn!(what, error = %e, "order book answer not recorded: not UTF-8"),
            }
        }
        crate::rest::decode(&body, what)
    }

    /// The configuration in use.
    #[must_use]
    pub const fn config(&self) -> &KalshiConfig {
        &self.config
    }

    pub(crate) async fn one_series(&self, ticker: &str) -> Result<SeriesData, ExchangeError> {
        let path = format!("/series/{ticker}");
        let r: SeriesResponse = self
            .rest
            .get(
                &path,
                &[],
                Access::Public,
                cost::READ,
                "GET /series/{ticker}",
            )
            .await?;
        Ok(r.series)
    }

    pub(crate) fn remember_grid(&self, market: &Market) {
        lock(&self.grids).insert(market.key.market.clone(), market.price_grid.clone());
    }

    async fn grid(&self, market: &MarketId) -> Result<PriceGrid, ExchangeError> {
        if let Some(grid) = lock(&self.grids).get(market) {
            return Ok(grid.clone());
        }
        let r = self.raw_market(market).await?;
        let grid =
            convert::price_grid(&r.price_ranges).map_err(|message| ExchangeError::Decode {
                what: format!("market {market}"),
                message,
            })?;
        lock(&self.grids).insert(market.clone(), grid.clone());
        Ok(grid)
    }

    async fn raw_market(&self, market: &MarketId) -> Result<WireMarket, ExchangeError> {
        let path = format!("/markets/{market}");
        let r: MarketResponse = self
            .rest
            .get(
                &path,
                &[],
                Access::Public,
                cost::READ,
                "GET /markets/{ticker}",
            )
            .await?;
        Ok(r.market)
    }

    fn known_request(
        &self,
        client_order_id: Option<&str>,
        venue_id: &VenueOrderId,
    ) -> Option<OrderRequest> {
        let sent = lock(&self.sent);
        let by_venue = sent.client_id_by_venue_id.get(venue_id);
        let coid = client_order_id
            .map(ClientOrderId::new)
            .or_else(|| by_venue.cloned())?;
        sent.by_client_id.get(&coid).cloned()
    }

    fn remember_sent(&self, request: &OrderRequest, venue_id: Option<&VenueOrderId>) {
        let mut sent = lock(&self.sent);
        sent.by_client_id
            .insert(request.client_order_id.clone(), request.clone());
        if let Some(id) = venue_id {
            sent.client_id_by_venue_id
                .insert(id.clone(), request.client_order_id.clone());
        }
    }

    /// Looks for an order by client order id among our orders, optionally on one market.
    pub async fn find_order_by_client_id(
        &self,
        client_order_id: &ClientOrderId,
        market: Option<&MarketId>,
    ) -> Result<Option<Order>, ExchangeError> {
        let mut query = vec![("limit", "1000".to_owned())];
        if let Some(m) = market {
            query.push(("ticker", m.as_str().to_owned()));
        }
        let mut found = None;
        self.for_each_page(
            "/portfolio/orders",
            &query,
            Access::Signed,
            |page: OrdersResponse| {
                found = page
                    .orders
                    .into_iter()
                    .find(|o| o.client_order_id.as_deref() == Some(client_order_id.as_str()));
                Ok(if found.is_some() {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                })
            },
        )
        .await?;
        let Some(w) = found else {
            return Ok(None);
        };
        let venue_id = VenueOrderId::new(&w.order_id);
        let known = self.known_request(Some(client_order_id.as_str()), &venue_id);
        if let Some(k) = &known {
            self.remember_sent(k, Some(&venue_id));
        }
        convert::order(&w, known.as_ref(), Utc::now()).map(Some)
    }
}

#[async_trait]
impl Exchange for KalshiExchange {
    fn venue(&self) -> VenueId {
        convert::venue()
    }

    async fn list_markets(&self) -> Result<MarketListing, ExchangeError> {
        self.list_catalogue().await
    }

    /// Kalshi nets a market's YES and NO: `position_fp` is signed.
    fn nets_positions(&self) -> bool {
        true
    }

    async fn market(&self, market: &MarketId) -> Result<Market, ExchangeError> {
        let m = self.raw_market(market).await?;
        let path = format!("/events/{}", m.event_ticker);
        let event: crate::wire::EventResponse = self
            .rest
            .get(
                &path,
                &[],
                Access::Public,
                cost::READ,
                "GET /events/{event_ticker}",
            )
            .await?;
        let series = self.one_series(&event.event.series_ticker).await?;
        let mapped = convert::market(&m, &event.event, &series)?;
        self.remember_grid(&mapped);
        Ok(mapped)
    }

    async fn order_book(&self, market: &MarketId) -> Result<BinaryBook, ExchangeError> {
        let path = format!("/markets/{market}/orderbook");
        let r: OrderbookResponse = self
            .book_body(
                &path,
                &[("depth", "0".to_owned())],
                Some(market),
                "GET /markets/{ticker}/orderbook",
            )
            .await?;
        convert::book(&r.orderbook_fp, Utc::now(), &format!("order book {market}"))
    }

    async fn order_books(
        &self,
        markets: &[MarketId],
    ) -> Result<Vec<(MarketId, BinaryBook)>, ExchangeError> {
        let mut out = Vec::with_capacity(markets.len());
        for chunk in markets.chunks(BOOKS_PER_CALL) {
            let query: Vec<(&str, String)> = chunk
                .iter()
                .map(|m| ("tickers", m.as_str().to_owned()))
                .collect();
            let r: BatchOrderbooksResponse = self
                .book_body(
                    "/markets/orderbooks",
                    &query,
                    None,
                    "GET /markets/orderbooks",
                )
                .await?;
            let now = Utc::now();
            for entry in r.orderbooks {
                let book = convert::book(
                    &entry.orderbook_fp,
                    now,
                    &format!("order book {}", entry.ticker),
                )?;
                out.push((MarketId::new(entry.ticker), book));
            }
        }
        Ok(out)
    }

    async fn subscribe_books(&self, markets: &[MarketId]) -> Result<BookStream, ExchangeError> {
        ws::subscribe_books(&self.config, markets, self.raw_tap.clone())
    }

    async fn place_order(&self, request: &OrderRequest) -> Result<Order, ExchangeError> {
        if !self.rest.has_credentials() {
            return Err(ExchangeError::Unsupported(
                "placing orders needs Kalshi API credentials".into(),
            ));
        }
        let grid = self.grid(&request.market.market).await?;
        let body = convert::create_order(request, &grid, self.config.self_trade_prevention)?;
        self.remember_sent(request, None);
        let r: CreateOrderV2Response = self
            .rest
            .write(
                Method::POST,
                "/portfolio/events/orders",
                &[],
                Some(&body),
                cost::CREATE_ORDER,
                "POST /portfolio/events/orders",
            )
            .await?;
        let order = convert::order_from_create(request, &r, Utc::now())?;
        self.remember_sent(request, order.venue_order_id.as_ref());
        Ok(order)
    }

    async fn cancel_order(&self, order: &VenueOrderId) -> Result<Order, ExchangeError> {
        let path = format!("/portfolio/events/orders/{order}");
        let r: CancelOrderV2Response = self
            .rest
            .write::<_, ()>(
                Method::DELETE,
                &path,
                &[],
                None,
                cost::CANCEL_ORDER,
                "DELETE /portfolio/events/orders/{id}",
            )
            .await?;
        tracing::debug!(order = %r.order_id, reduced_by = %r.reduced_by, "Kalshi order cancelled");
        // The cancel answer has been known to describe the wrong order: read the final state.
        self.order(order).await
    }

    async fn order(&self, order: &VenueOrderId) -> Result<Order, ExchangeError> {
        let path = format!("/portfolio/orders/{order}");
        let r: OrderResponse = self
            .rest
            .get(
                &path,
                &[],
                Access::Signed,
                cost::GET_ORDER,
                "GET /portfolio/orders/{id}",
            )
            .await?;
        let known = self.known_request(r.order.client_order_id.as_deref(), order);
        convert::order(&r.order, known.as_ref(), Utc::now())
    }

    async fn order_by_client_id(
        &self,
        client_order_id: &ClientOrderId,
    ) -> Result<Option<Order>, ExchangeError> {
        let market = lock(&self.sent)
            .by_client_id
            .get(client_order_id)
            .map(|r| r.market.market.clone());
        self.find_order_by_client_id(client_order_id, market.as_ref())
            .await
    }

    async fn fills_since(&self, since: DateTime<Utc>) -> Result<Vec<Fill>, ExchangeError> {
        let mut out = Vec::new();
        let query = [
            ("min_ts", since.timestamp().to_string()),
            ("limit", "1000".to_owned()),
        ];
        self.for_each_page(
            "/portfolio/fills",
            &query,
            Access::Signed,
            |page: FillsResponse| {
                for f in &page.fills {
                    let known = self.known_request(None, &VenueOrderId::new(&f.order_id));
                    out.push(convert::fill(f, known.as_ref())?);
                }
                Ok(ControlFlow::Continue(()))
            },
        )
        .await?;
        Ok(out)
    }

    async fn positions(&self) -> Result<Vec<Position>, ExchangeError> {
        let mut out = Vec::new();
        let now = Utc::now();
        let query = [
            ("limit", "1000".to_owned()),
            ("count_filter", "position".to_owned()),
        ];
        self.for_each_page(
            "/portfolio/positions",
            &query,
            Access::Signed,
            |page: PositionsResponse| {
                for p in &page.market_positions {
                    out.extend(convert::position(p, now)?);
                }
                Ok(ControlFlow::Continue(()))
            },
        )
        .await?;
        Ok(out)
    }

    async fn balance(&self) -> Result<Balance, ExchangeError> {
        let r: BalanceResponse = self
            .rest
            .get(
                "/portfolio/balance",
                &[],
                Access::Signed,
                cost::READ,
                "GET /portfolio/balance",
            )
            .await?;
        convert::balance(&r, Utc::now())
    }
}
