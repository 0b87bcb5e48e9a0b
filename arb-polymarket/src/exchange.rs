//! [`PolymarketExchange`]: arb-core's [`Exchange`] over Gamma, the CLOB V2 and the Data API.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use arb_core::clock::minted_at_ms;
use arb_core::exchange::{BookStream, Exchange, ExchangeError, MarketListing};
use arb_core::record::SharedTap;
use arb_core::model::{
    Balance, BinaryBook, ClientOrderId, Fill, FillId, Liquidity, Market, MarketId, MarketKey,
    Order, OrderRequest, OrderStatus, Position, Price, Qty, Side, TimeInForce, VenueId,
    VenueOrderId,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use reqwest::Method;
use rust_decimal::{Decimal, RoundingStrategy};
use sha2::{Digest, Sha256};

use crate::books::{binary_from_yes, shares};
use crate::client::{Auth, Client, Host, unix_now};
use crate::config::PolymarketConfig;
use crate::error::PolymarketError;
use crate::http::{Call, decode, is_balance_message};
use crate::markets::{MarketInfo, VENUE};
use crate::orders::{
    from_units, is_kill_message, order_side, order_type, parse_side, post_status, time_in_force,
    venue_status,
};
use crate::signing::{
    MAX_SALT, OrderParams, SignedOrder, limit_amounts, market_amounts, sign_order,
};
use crate::wire::{
    BalanceAllowance, CancelResponse, DataPosition, Paged, PostOrderResponse, WireBook, WireOrder,
    WireTrade,
};

/// The end-of-pages cursor of the CLOB (`base64("-1")`).
const END_CURSOR: &str = "LTE=";
/// Safety bound on pagination loops.
const MAX_PAGES: usize = 10_000;

/// Orders sent by this process: client order id ↔ venue order id (the EIP-712 hash, known
/// before sending), and the request of each.
#[derive(Debug, Default)]
struct SentOrders {
    by_client: HashMap<ClientOrderId, VenueOrderId>,
    requests: HashMap<VenueOrderId, OrderRequest>,
}

/// The Polymarket venue.
#[derive(Debug, Clone)]
pub struct PolymarketExchange {
    client: Arc<Client>,
    sent: Arc<Mutex<SentOrders>>,
    raw_tap: Option<SharedTap>,
}

/// The recorded format of an order-book answer: the body of `GET /book` (recorded with its
/// market) or of `POST /books` (no market: each book names its token).
pub const REST_BOOK_FORMAT: &str = "polymarket.rest.book";

fn sent_lock(m: &Mutex<SentOrders>) -> std::sync::MutexGuard<'_, SentOrders> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn decode_err(what: &str, message: impl Into<String>) -> ExchangeError {
    ExchangeError::Decode {
        what: what.into(),
        message: message.into(),
    }
}

impl PolymarketExchange {
    /// An adapter for `cfg`.
    pub fn new(cfg: PolymarketConfig) -> Result<Self, PolymarketError> {
        Ok(Self {
            client: Arc::new(Client::new(cfg)?),
            sent: Arc::new(Mutex::new(SentOrders::default())),
            raw_tap: None,
        })
    }

    /// Hands every raw book message (market-channel frames as `polymarket.ws`, order-book
    /// answers as `polymarket.rest.book`) to `tap` as received, before parsing, for recording.
    #[must_use]
    pub fn with_raw_tap(mut self, tap: SharedTap) -> Self {
        self.raw_tap = Some(tap);
        self
    }

    /// Reads an order-book answer, handing its body to the tap (if any) before it is parsed.
    async fn book_body<T: serde::de::DeserializeOwned>(
        &self,
        call: &Call<'_>,
        market: Option<&MarketId>,
        what: &str,
    ) -> Result<T, ExchangeError> {
        let body = self
            .client
            .text(Host::Clob, Auth::Public, call, what)
            .await?;
        if let Some(tap) = &self.raw_tap {
            tap.received(&VenueId::new(VENUE), REST_BOOK_FORMAT, market, &body);
        }
        decode(what, &body)
    }

    /// The shared client (hosts, auth, market cache).
    #[must_use]
    pub fn client(&self) -> &Arc<Client> {
        &self.client
    }

    /// The cached market data of a market (tick size, tokens…), if known.
    #[must_use]
    pub fn cached_market(&self, id: &MarketId) -> Option<Arc<MarketInfo>> {
        self.client.cached(id)
    }

    fn check_venue(key: &MarketKey) -> Result<(), ExchangeError> {
        if key.venue.as_str() == VENUE {
            Ok(())
        } else {
            Err(ExchangeError::InvalidRequest(format!(
                "market {key} is not a Polymarket market"
            )))
        }
    }

    /// Validates and signs an order for `request` without sending it.
    pub fn build_order(
        &self,
        info: &MarketInfo,
        request: &OrderRequest,
        salt: u64,
        timestamp_ms: u64,
    ) -> Result<SignedOrder, ExchangeError> {
        let wallet = self.client.wallet()?;
        let qty = request.qty.value();
        let price = request.limit_price.value();
        if !(qty * Decimal::ONE_HUNDRED).fract().is_zero() {
            return Err(PolymarketError::SizeOffStep(qty).into());
        }
        if qty < info.min_size {
            return Err(PolymarketError::BelowMinimumSize {
                size: qty,
                min: info.min_size,
            }
            .into());
        }
        let side = order_side(request.side);
        let otype = order_type(request.time_in_force);
        let amounts = match (request.time_in_force, request.side) {
            // Market buys spend pUSD: qty × price rounded up to the cent, so that a venue that
            // fills such a buy by shares (`amount / price`) fills at least `qty`; one that fills
            // by cash buys more at a better price. Either way the executor hedges what filled.
            (TimeInForce::Fok | TimeInForce::Ioc, Side::Buy) => {
                let spend =
                    (qty * price).round_dp_with_strategy(2, RoundingStrategy::ToPositiveInfinity);
                let a = market_amounts(side, price, spend, info.tick)?;
                let shares = from_units(a.taker);
                if shares < info.min_size {
                    return Err(PolymarketError::BelowMinimumSize {
                        size: shares,
                        min: info.min_size,
                    }
                    .into());
                }
                a
            }
            _ => limit_amounts(side, price, qty, info.tick)?,
        };
        let params = OrderParams {
            token_id: info.ext.token(request.outcome).to_owned(),
            side,
            amounts,
            salt,
            timestamp_ms,
            expiration: 0,
            order_type: otype,
            post_only: false,
        };
        Ok(sign_order(
            wallet,
            self.client.domain(info.ext.neg_risk),
            &params,
        )?)
    }

    /// The salt and creation time (ms) signed for `request`. When the client order id carries
    /// its mint time ([`minted_at_ms`], as the engine's ids do) both derive from the id alone:
    /// the same request always signs to the same order, so a resend can never become a second
    /// order and a restarted process can rebuild the order id ([`Exchange::order_by_request`]).
    /// Other ids get a salt mixed with the current time, and the current time.
    fn order_identity(request: &OrderRequest) -> (u64, u64) {
        let id = &request.client_order_id;
        match minted_at_ms(id.as_str()) {
            Some(ms) => (Self::salt_for(id, 0), ms),
            None => {
                let now = unix_now();
                (
                    Self::salt_for(id, now.as_nanos()),
                    u64::try_from(now.as_millis()).unwrap_or(u64::MAX),
                )
            }
        }
    }

    fn salt_for(client_order_id: &ClientOrderId, nanos: u128) -> u64 {
        let digest = Sha256::new()
            .chain_update(client_order_id.as_str().as_bytes())
            .chain_update(nanos.to_be_bytes())
            .finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(first) & MAX_SALT
    }

    /// The order as the venue reports it; a size out of range is a decode error naming it.
    fn order_from_wire(
        &self,
        w: &WireOrder,
        request: OrderRequest,
    ) -> Result<Order, ExchangeError> {
        let original = match w.original_size {
            Some(d) => shares("order original_size", d)?,
            None => request.qty,
        };
        let matched = match w.size_matched {
            Some(d) => shares("order size_matched", d)?,
            None => Qty::ZERO,
        };
        let status = venue_status(&w.status, original, matched, request.time_in_force);
        Ok(Order {
            venue_order_id: Some(VenueOrderId::new(&w.id)),
            status,
            filled_qty: matched,
            avg_fill_price: None,
            fees_paid: Decimal::ZERO,
            reason: (status == OrderStatus::Cancelled || status == OrderStatus::Rejected)
                .then(|| w.status.clone()),
            updated_at: Utc::now(),
            request,
        })
    }

    /// The request of an order: the one we sent, or rebuilt from the venue's record.
    async fn request_for(&self, w: &WireOrder) -> Result<OrderRequest, ExchangeError> {
        if let Some(r) = sent_lock(&self.sent)
            .requests
            .get(&VenueOrderId::new(&w.id))
            .cloned()
        {
            return Ok(r);
        }
        let info = match self.client.market_of_token(&w.asset_id) {
            Some(i) => i,
            None => self.client.market_info(&MarketId::new(&w.market)).await?,
        };
        let outcome = info
            .ext
            .outcome_of(&w.asset_id)
            .ok_or_else(|| decode_err("order asset_id", w.asset_id.clone()))?;
        let side = parse_side(&w.side).ok_or_else(|| decode_err("order side", w.side.clone()))?;
        let price = w
            .price
            .and_then(|p| Price::new(p).ok())
            .ok_or_else(|| decode_err("order price", format!("{:?}", w.price)))?;
        let qty = w
            .original_size
            .ok_or_else(|| decode_err("order original_size", "missing"))
            .and_then(|q| shares("order original_size", q))?;
        Ok(OrderRequest {
            client_order_id: ClientOrderId::new(&w.id),
            market: info.market.key.clone(),
            outcome,
            side,
            limit_price: price,
            qty,
            time_in_force: time_in_force(&w.order_type),
        })
    }

    /// Records that `request` signs to the venue order `venue_id`, so that look-ups by our id
    /// and answers about that order both find the request.
    fn remember(&self, request: &OrderRequest, venue_id: &VenueOrderId) {
        let mut sent = sent_lock(&self.sent);
        sent.by_client
            .insert(request.client_order_id.clone(), venue_id.clone());
        sent.requests.insert(venue_id.clone(), request.clone());
    }

    /// The order with this id, or `None` when the venue never received it.
    async fn order_if_received(&self, id: &VenueOrderId) -> Result<Option<Order>, ExchangeError> {
        match self.fetch_order(id).await {
            Ok(o) => Ok(Some(o)),
            Err(ExchangeError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn fetch_order(&self, id: &VenueOrderId) -> Result<Order, ExchangeError> {
        let path = format!("/data/order/{}", id.as_str());
        let body = self
            .client
            .send(Host::Clob, Auth::L2, &Call::get(&path))
            .await?;
        let value: serde_json::Value = decode("order", &body)?;
        if value.is_null() || value.as_object().is_some_and(serde_json::Map::is_empty) {
            return Err(ExchangeError::NotFound(format!("order {id}")));
        }
        let wire: WireOrder =
            serde_json::from_value(value).map_err(|e| decode_err("order", e.to_string()))?;
        let request = self.request_for(&wire).await?;
        self.order_from_wire(&wire, request)
    }

    /// What a fill cost beyond `qty × price`: the fee the venue charged (from the market's
    /// schedule `fd`, never `/fee-rate` nor the trade's `fee_rate_bps`, which may read 0 while a
    /// fee was taken), plus the rounding of the fill's cash to pUSD's 10⁻⁶ (half to even, as the
    /// venue-faithful servers move it; a fill of 137.508771 shares at 0.57 moves $78.380000,
    /// not $78.37999947). Booked this way, the fills' cash equals the venue's cash change.
    fn fill_fee(
        info: &MarketInfo,
        price: Price,
        qty: Qty,
        side: Side,
        liquidity: Liquidity,
    ) -> Decimal {
        let fill = arb_core::model::Level::new(price, qty);
        let fee = crate::fees::charged(&info.market.fees, fill, liquidity);
        let exact = qty.notional(price);
        let moved =
            exact.round_dp_with_strategy(6, rust_decimal::RoundingStrategy::MidpointNearestEven);
        let rounding = match side {
            Side::Buy => moved - exact,
            Side::Sell => exact - moved,
        };
        (fee + rounding).normalize()
    }

    async fn fills_of_trade(
        &self,
        t: &WireTrade,
        funder: &str,
    ) -> Result<Vec<Fill>, ExchangeError> {
        let ts = t
            .match_time
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|s| DateTime::<Utc>::from_timestamp(s, 0))
            .ok_or_else(|| decode_err("trade match_time", t.match_time.clone()))?;
        let mut legs = Vec::new();
        if t.trader_side.eq_ignore_ascii_case("MAKER") {
            for m in t
                .maker_orders
                .iter()
                .filter(|m| m.maker_address.eq_ignore_ascii_case(funder))
            {
                legs.push((
                    format!("{}:{}", t.id, m.order_id),
                    m.order_id.clone(),
                    m.asset_id.clone(),
                    m.side.clone(),
                    m.price,
                    m.matched_amount,
                    Liquidity::Maker,
                ));
            }
        } else {
            legs.push((
                t.id.clone(),
                t.taker_order_id.clone(),
                t.asset_id.clone(),
                t.side.clone(),
                t.price,
                t.size,
                Liquidity::Taker,
            ));
        }
        let mut fills = Vec::with_capacity(legs.len());
        for (fill_id, order_id, asset, side, price, size, liquidity) in legs {
            let info = match self.client.market_of_token(&asset) {
                Some(i) => i,
                None => self.client.market_info(&MarketId::new(&t.market)).await?,
            };
            let outcome = info
                .ext
                .outcome_of(&asset)
                .ok_or_else(|| decode_err("trade asset_id", asset.clone()))?;
            let side = parse_side(&side).ok_or_else(|| decode_err("trade side", side.clone()))?;
            let price = Price::new(price).map_err(|e| decode_err("trade price", e.to_string()))?;
            let qty = shares("trade size", size)?;
            let venue_order_id = VenueOrderId::new(&order_id);
            let client_order_id = sent_lock(&self.sent)
                .requests
                .get(&venue_order_id)
                .map(|r| r.client_order_id.clone());
            fills.push(Fill {
                fill_id: FillId::new(fill_id),
                market: info.market.key.clone(),
                outcome,
                side,
                price,
                qty,
                fee: Self::fill_fee(&info, price, qty, side, liquidity),
                liquidity,
                venue_order_id,
                client_order_id,
                ts,
            });
        }
        Ok(fills)
    }

    /// Maps a `POST /order` answer.
    async fn order_after_post(
        &self,
        request: &OrderRequest,
        order_id: &str,
        resp: PostOrderResponse,
    ) -> Result<Order, ExchangeError> {
        let now = Utc::now();
        let base = Order {
            venue_order_id: Some(VenueOrderId::new(order_id)),
            ..Order::pending(request.clone(), now)
        };
        if !resp.success || !resp.error_msg.is_empty() {
            let msg = resp.error_msg.clone();
            if is_kill_message(&msg) {
                return Ok(Order {
                    status: OrderStatus::Cancelled,
                    reason: Some(msg),
                    ..base
                });
            }
            if is_balance_message(&msg) {
                return Err(ExchangeError::InsufficientBalance(msg));
            }
            return Err(ExchangeError::Rejected {
                code: "order_rejected".into(),
                message: msg,
            });
        }
        match post_status(&resp.status) {
            Some(OrderStatus::Cancelled) => Ok(Order {
                status: OrderStatus::Cancelled,
                reason: Some(format!("unmatched ({})", resp.status)),
                ..base
            }),
            Some(status) => Ok(Order { status, ..base }),
            // Matched: the filled quantity comes from the order record; if that look-up fails the
            // state is Unknown (never "nothing filled").
            None => match self.fetch_order(&VenueOrderId::new(order_id)).await {
                Ok(o) => Ok(o),
                Err(e) => Ok(Order {
                    status: OrderStatus::Unknown,
                    reason: Some(format!("matched; order look-up failed: {e}")),
                    ..base
                }),
            },
        }
    }
}

#[async_trait]
impl Exchange for PolymarketExchange {
    fn venue(&self) -> VenueId {
        VenueId::new(VENUE)
    }

    async fn list_markets(&self) -> Result<MarketListing, ExchangeError> {
        crate::catalogue::list(&self.client).await
    }

    async fn market(&self, market: &MarketId) -> Result<Market, ExchangeError> {
        Ok(self.client.refresh_market(market).await?.market.clone())
    }

    async fn order_book(&self, market: &MarketId) -> Result<BinaryBook, ExchangeError> {
        let info = self.client.market_info(market).await?;
        let call = Call::get("/book").query("token_id", info.ext.yes_token_id.clone());
        let wire: WireBook = self.book_body(&call, Some(market), "book").await?;
        binary_from_yes(&wire, Utc::now())
    }

    async fn order_books(
        &self,
        markets: &[MarketId],
    ) -> Result<Vec<(MarketId, BinaryBook)>, ExchangeError> {
        let mut infos = Vec::with_capacity(markets.len());
        for m in markets {
            infos.push(self.client.market_info(m).await?);
        }
        let request: Vec<serde_json::Value> = infos
            .iter()
            .map(|i| serde_json::json!({ "token_id": i.ext.yes_token_id }))
            .collect();
        let body = serde_json::Value::Array(request).to_string();
        let call = Call::with_body(Method::POST, "/books", body).read();
        let wires: Vec<WireBook> = self.book_body(&call, None, "books").await?;
        let by_token: HashMap<&str, &WireBook> =
            wires.iter().map(|w| (w.asset_id.as_str(), w)).collect();
        let now = Utc::now();
        let mut out = Vec::with_capacity(infos.len());
        for info in &infos {
            match by_token.get(info.ext.yes_token_id.as_str()) {
                Some(w) => out.push((info.market.key.market.clone(), binary_from_yes(w, now)?)),
                None => tracing::warn!(market = %info.market.key, "no book returned"),
            }
        }
        Ok(out)
    }

    async fn subscribe_books(&self, markets: &[MarketId]) -> Result<BookStream, ExchangeError> {
        let mut infos = Vec::with_capacity(markets.len());
        for m in markets {
            infos.push(self.client.market_info(m).await?);
        }
        Ok(crate::ws::subscribe(
            Arc::clone(&self.client),
            &infos,
            self.raw_tap.clone(),
        ))
    }

    async fn place_order(&self, request: &OrderRequest) -> Result<Order, ExchangeError> {
        Self::check_venue(&request.market)?;
        let info = self.client.market_info(&request.market.market).await?;
        if !info.market.status.is_tradable() {
            return Err(ExchangeError::InvalidRequest(format!(
                "market {} is not open ({:?})",
                request.market, info.market.status
            )));
        }
        let (salt, ts_ms) = Self::order_identity(request);
        let signed = self.build_order(&info, request, salt, ts_ms)?;
        let creds = self.client.api_creds().await?;
        let order_id = signed.order_id();
        let venue_id = VenueOrderId::new(&order_id);
        self.remember(request, &venue_id);
        let call = Call::with_body(Method::POST, "/order", signed.body(&creds.api_key));
        // Never retried here: on a transport error the order may exist (look it up by id).
        let body = match self.client.send(Host::Clob, Auth::L2, &call).await {
            Ok(b) => b,
            Err(ExchangeError::Rejected { message, .. }) if is_kill_message(&message) => {
                return Ok(Order {
                    venue_order_id: Some(VenueOrderId::new(&order_id)),
                    status: OrderStatus::Cancelled,
                    reason: Some(message),
                    ..Order::pending(request.clone(), Utc::now())
                });
            }
            Err(e) => return Err(e),
        };
        let resp: PostOrderResponse = decode("post order response", &body)?;
        if !resp.order_id.is_empty() && !resp.order_id.eq_ignore_ascii_case(&order_id) {
            tracing::warn!(ours = %order_id, venue = %resp.order_id, "venue order id differs from the signed hash");
        }
        self.order_after_post(request, &order_id, resp).await
    }

    async fn cancel_order(&self, order: &VenueOrderId) -> Result<Order, ExchangeError> {
        let body = serde_json::json!({ "orderID": order.as_str() }).to_string();
        let call = Call::with_body(Method::DELETE, "/order", body);
        let resp: CancelResponse = self
            .client
            .json(Host::Clob, Auth::L2, &call, "cancel response")
            .await?;
        if let Some(reason) = resp.not_canceled.get(order.as_str()) {
            tracing::info!(order = %order, reason = %reason, "order not cancelled");
        }
        self.fetch_order(order).await
    }

    async fn order(&self, order: &VenueOrderId) -> Result<Order, ExchangeError> {
        self.fetch_order(order).await
    }

    async fn order_by_client_id(
        &self,
        client_order_id: &ClientOrderId,
    ) -> Result<Option<Order>, ExchangeError> {
        let venue_id = sent_lock(&self.sent)
            .by_client
            .get(client_order_id)
            .cloned();
        let Some(venue_id) = venue_id else {
            // Polymarket has no client order ids: without the request, only orders signed by this
            // process are known (`order_by_request` rebuilds the others).
            return Err(ExchangeError::Unsupported(format!(
                "order {client_order_id} was not sent by this process (Polymarket has no client order ids)"
            )));
        };
        self.order_if_received(&venue_id).await
    }

    async fn order_by_request(
        &self,
        request: &OrderRequest,
    ) -> Result<Option<Order>, ExchangeError> {
        let id = &request.client_order_id;
        let known = sent_lock(&self.sent).by_client.get(id).cloned();
        if let Some(venue_id) = known {
            return self.order_if_received(&venue_id).await;
        }
        if minted_at_ms(id.as_str()).is_none() {
            return self.order_by_client_id(id).await;
        }
        // Sign the request again exactly as `place_order` did: same salt, same time, same hash.
        Self::check_venue(&request.market)?;
        let info = self.client.market_info(&request.market.market).await?;
        let (salt, ts_ms) = Self::order_identity(request);
        let venue_id = VenueOrderId::new(self.build_order(&info, request, salt, ts_ms)?.order_id());
        self.remember(request, &venue_id);
        self.order_if_received(&venue_id).await
    }

    async fn fills_since(&self, since: DateTime<Utc>) -> Result<Vec<Fill>, ExchangeError> {
        let funder = self.client.wallet()?.funder().to_checksum(None);
        let mut fills = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut call = Call::get("/data/trades")
                .query("maker_address", funder.clone())
                .query("after", since.timestamp().to_string());
            if let Some(c) = &cursor {
                call = call.query("next_cursor", c.clone());
            }
            let page: Paged<WireTrade> = self
                .client
                .json(Host::Clob, Auth::L2, &call, "trades")
                .await?;
            for t in page
                .data
                .iter()
                .filter(|t| !t.status.eq_ignore_ascii_case("FAILED"))
            {
                fills.extend(
                    self.fills_of_trade(t, &funder)
                        .await?
                        .into_iter()
                        .filter(|f| f.ts >= since),
                );
            }
            match page
                .next_cursor
                .filter(|c| !c.is_empty() && c != END_CURSOR)
            {
                Some(next) if cursor.as_deref() != Some(next.as_str()) => cursor = Some(next),
                _ => {
                    fills.sort_by(|a, b| a.ts.cmp(&b.ts).then_with(|| a.fill_id.cmp(&b.fill_id)));
                    return Ok(fills);
                }
            }
        }
        Err(ExchangeError::Unavailable(
            "trades pagination did not end".into(),
        ))
    }

    async fn positions(&self) -> Result<Vec<Position>, ExchangeError> {
        const LIMIT: usize = 500;
        let funder = self.client.wallet()?.funder().to_checksum(None);
        let mut raw: Vec<DataPosition> = Vec::new();
        for page in 0..MAX_PAGES {
            let call = Call::get("/positions")
                .query("user", funder.clone())
                .query("sizeThreshold", "0")
                .query("limit", LIMIT.to_string())
                .query("offset", (page * LIMIT).to_string());
            let items: Vec<DataPosition> = self
                .client
                .json(Host::Data, Auth::Public, &call, "positions")
                .await?;
            let n = items.len();
            raw.extend(items);
            if n < LIMIT {
                break;
            }
        }
        let now = Utc::now();
        let mut out = Vec::new();
        for p in raw.into_iter().filter(|p| p.size > Decimal::ZERO) {
            let info = match self.client.market_of_token(&p.asset) {
                Some(i) => i,
                None => {
                    self.client
                        .market_info(&MarketId::new(&p.condition_id))
                        .await?
                }
            };
            out.push(crate::positions::position(&p, &info, now)?);
        }
        Ok(out)
    }

    async fn balance(&self) -> Result<Balance, ExchangeError> {
        let sig = self.client.wallet()?.signature_type().as_u8();
        let call = Call::get("/balance-allowance")
            .query("asset_type", "COLLATERAL")
            .query("signature_type", sig.to_string());
        let b: BalanceAllowance = self
            .client
            .json(Host::Clob, Auth::L2, &call, "balance")
            .await?;
        let dollars = balance_dollars(b.balance)?;
        Ok(Balance {
            venue: self.venue(),
            available: dollars,
            total: dollars,
            updated_at: Utc::now(),
        })
    }
}

/// The most a balance may read, in dollars: beyond any real account, far below where sums of
/// balances and costs could outgrow a `Decimal`.
const MAX_BALANCE_USD: Decimal = Decimal::from_parts(0xA4C6_8000, 0x38D7E, 0, false, 0); // 10^15

/// `/balance-allowance`'s collateral balance (micro-units of pUSD) in dollars, within ±10¹⁵.
fn balance_dollars(micros: Decimal) -> Result<Decimal, ExchangeError> {
    let dollars = micros / Decimal::from(1_000_000u32);
    if dollars.abs() > MAX_BALANCE_USD {
        return Err(decode_err(
            "balance",
            format!("field `balance`: {micros} is out of range (at most 10^15 dollars)"),
        ));
    }
    Ok(dollars)
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    /// A balance near `Decimal::MIN` overflowed the engine's reserve subtraction.
    #[test]
    fn a_balance_beyond_any_account_is_a_decode_error() {
        for micros in [Decimal::MIN, Decimal::MAX, dec!(-1000000000000000000001)] {
            let err = balance_dollars(micros).unwrap_err().to_string();
            assert!(err.contains("balance"), "{micros}: {err}");
        }
        assert_eq!(balance_dollars(dec!(12340000)).ok(), Some(dec!(12.34)));
    }

    /// Order and trade sizes are bounded like book sizes, naming the field.
    #[test]
    fn sizes_beyond_any_market_are_decode_errors_naming_the_field() {
        let err = shares("trade size", Decimal::MAX).unwrap_err().to_string();
        assert!(err.contains("trade size"), "{err}");
        assert!(shares("order size_matched", dec!(-1)).is_err());
        assert_eq!(
            shares("trade size", dec!(1000000000000))
                .ok()
                .map(|q| q.value()),
            Some(dec!(1000000000000))
        );
    }
}
