//! The adapter: [`BookieExchange`] implements [`Exchange`] on top of the house's wire API.
//!
//! This is the part a new venue has to write. Its one rule: venue units stop here. Every method
//! converts the house's basis points, micro-dollars, tickets and milliseconds into the core's
//! [`Price`]s, dollar [`Decimal`]s, [`Qty`]s and UTC times on the way in — and back on the way
//! out — and maps the house's error codes onto [`ExchangeError`] variants, which tell the
//! engine whether a retry may help and whether an order may exist despite an error.

use std::collections::{BTreeSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use arb_core::Decimal;
use arb_core::clock::Clock;
use arb_core::exchange::{BookEvent, BookStream, Exchange, ExchangeError, MarketListing};
use arb_core::fees::{FeeModel, FeeSchedule};
use arb_core::model::{
    Balance, BinaryBook, ClientOrderId, Fill, FillId, Level, Liquidity, Market, MarketExt,
    MarketId, MarketKey, MarketStatus, Order, OrderBook, OrderRequest, OrderStatus, Outcome,
    Position, Price, PriceGrid, Qty, Side, TimeInForce, VenueId, VenueOrderId,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rust_decimal::prelude::ToPrimitive;
use tokio::sync::broadcast;

use super::fees::FlatCommission;
use super::house::{
    BPS_PER_DOLLAR, House, WireBuy, WireError, WireHolding, WireMarket, WireQuote, WireState,
    WireTicket,
};

/// How many book events a slow subscriber may fall behind before it is resynchronised.
const STREAM_BUFFER: usize = 256;

// ---------------------------------------------------------------------------------------------
// Unit conversion at the edge. Each function checks what it converts: a value the core cannot
// represent is a clear error, never a silent truncation.
// ---------------------------------------------------------------------------------------------

/// Basis points (wire) → a price.
fn price_from_bps(bps: u32) -> Result<Price, ExchangeError> {
    Price::new(Decimal::new(i64::from(bps), 4).normalize()).map_err(|e| ExchangeError::Decode {
        what: "price (basis points)".into(),
        message: e.to_string(),
    })
}

/// A price → basis points, refusing prices off the house's $0.0001 grid.
fn bps_from_price(price: Price) -> Result<u32, ExchangeError> {
    let bps = price.value() * Decimal::from(BPS_PER_DOLLAR);
    if !bps.fract().is_zero() {
        return Err(ExchangeError::InvalidRequest(format!(
            "price {price} is off the bookie's $0.0001 grid"
        )));
    }
    bps.to_u32()
        .ok_or_else(|| ExchangeError::InvalidRequest(format!("price {price} out of range")))
}

/// Micro-dollars (wire) → dollars.
fn usd_from_micros(micros: i64) -> Decimal {
    Decimal::new(micros, 6).normalize()
}

/// Tickets (wire) → contracts.
fn qty_from_tickets(tickets: u64) -> Qty {
    // A u64 always fits a non-negative Decimal: `Qty::new` cannot fail here.
    Qty::new(Decimal::from(tickets)).unwrap_or(Qty::ZERO)
}

/// Contracts → whole tickets, refusing fractions.
fn tickets_from_qty(qty: Qty) -> Result<u64, ExchangeError> {
    let value = qty.value();
    if !value.fract().is_zero() {
        return Err(ExchangeError::InvalidRequest(format!(
            "{qty} contracts: the bookie sells whole tickets only"
        )));
    }
    value
        .to_u64()
        .ok_or_else(|| ExchangeError::InvalidRequest(format!("{qty} contracts is too many")))
}

/// Unix milliseconds (wire) → a UTC time.
fn time_from_ms(ms: i64) -> Result<DateTime<Utc>, ExchangeError> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| ExchangeError::Decode {
        what: "timestamp (ms)".into(),
        message: format!("{ms} is out of range"),
    })
}

/// An outcome → the house's side code.
const fn side_code(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Yes => "Y",
        Outcome::No => "N",
    }
}

/// The house's side code → an outcome.
fn outcome_from_code(code: &str) -> Result<Outcome, ExchangeError> {
    match code {
        "Y" => Ok(Outcome::Yes),
        "N" => Ok(Outcome::No),
        other => Err(ExchangeError::Decode {
            what: "side".into(),
            message: format!("unknown side `{other}`"),
        }),
    }
}

/// The house's error codes → the core's error kinds.
fn exchange_error(e: WireError) -> ExchangeError {
    match e.code {
        "unknown_market" | "unknown_ticket" => ExchangeError::NotFound(e.message),
        "insufficient_funds" => ExchangeError::InsufficientBalance(e.message),
        "bad_side" | "bad_size" => ExchangeError::InvalidRequest(e.message),
        code => ExchangeError::Rejected {
            code: code.into(),
            message: e.message,
        },
    }
}

// ---------------------------------------------------------------------------------------------
// The adapter.
// ---------------------------------------------------------------------------------------------

/// The Bookie venue as an [`Exchange`]. Cloning gives another handle to the same venue.
#[derive(Clone, Debug)]
pub struct BookieExchange {
    venue: VenueId,
    house: Arc<Mutex<House>>,
    clock: Arc<dyn Clock>,
    events: broadcast::Sender<BookEvent>,
}

impl BookieExchange {
    /// An adapter named `venue` in front of `house`, reading time from `clock`.
    pub fn new(venue: impl Into<VenueId>, house: House, clock: Arc<dyn Clock>) -> Self {
        let (events, _) = broadcast::channel(STREAM_BUFFER);
        Self {
            venue: venue.into(),
            house: Arc::new(Mutex::new(house)),
            clock,
            events,
        }
    }

    fn house(&self) -> MutexGuard<'_, House> {
        self.house.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn now_ms(&self) -> i64 {
        self.clock.now().timestamp_millis()
    }

    // --- The house's side (what the venue itself would do; not part of `Exchange`). ---

    /// The house lists a market.
    pub fn list(&self, market: WireMarket) {
        let code = MarketId::new(&market.code);
        self.house().list(market);
        self.publish(&code);
    }

    /// The house changes a quote; subscribers get the new book.
    pub fn requote(&self, code: &str, quote: WireQuote) -> Result<(), ExchangeError> {
        self.house().requote(code, quote).map_err(exchange_error)?;
        self.publish(&MarketId::new(code));
        Ok(())
    }

    /// The house settles a market on `winner`, paying $1 per winning ticket.
    pub fn settle(&self, market: &MarketId, winner: Outcome) -> Result<(), ExchangeError> {
        self.house()
            .settle(market.as_str(), winner == Outcome::Yes)
            .map_err(exchange_error)
    }

    /// Sends the current book of `market` to subscribers.
    fn publish(&self, market: &MarketId) {
        if let Ok(book) = self.book_of(market) {
            // Nobody listening is not an error.
            let _ = self.events.send(BookEvent::Book {
                market: market.clone(),
                book: Arc::new(book),
            });
        }
    }

    // --- Wire → core conversions of whole records. ---

    fn to_market(&self, m: &WireMarket) -> Result<Market, ExchangeError> {
        Ok(Market {
            key: MarketKey::new(self.venue.clone(), m.code.as_str()),
            title: m.question.clone(),
            subtitle: "Yes".into(),
            rules: format!("A YES ticket pays $1 if: {}", m.question),
            resolution_source: None,
            close_time: time_from_ms(m.closes_at_ms)?,
            status: match m.state {
                WireState::Open => MarketStatus::Open,
                WireState::Suspended => MarketStatus::Paused,
                WireState::Settled { yes_won: true } => MarketStatus::Settled(Outcome::Yes),
                WireState::Settled { yes_won: false } => MarketStatus::Settled(Outcome::No),
            },
            price_grid: PriceGrid::uniform(Decimal::new(1, 4))?,
            size_step: Qty::new(Decimal::ONE)?,
            min_order_qty: Qty::new(Decimal::ONE)?,
            // This venue's fee is its own `FeeModel`, `FlatCommission`, which the engine and the
            // detector get from `fee_model` below; the stored schedule is not used.
            fees: FeeSchedule::FREE,
            ext: MarketExt::default(),
        })
    }

    /// The house's quote as a binary book: it sells each outcome at one price and never bids.
    fn book_of(&self, market: &MarketId) -> Result<BinaryBook, ExchangeError> {
        let quote = self
            .house()
            .market(market.as_str())
            .map_err(exchange_error)?
            .quote;
        let asks = |bps, tickets| -> Result<_, ExchangeError> {
            Ok([Level::new(price_from_bps(bps)?, qty_from_tickets(tickets))])
        };
        Ok(BinaryBook::new(
            OrderBook::new([], asks(quote.yes_bps, quote.yes_tickets)?),
            OrderBook::new([], asks(quote.no_bps, quote.no_tickets)?),
            self.clock.now(),
        ))
    }

    fn to_order(&self, t: &WireTicket) -> Result<Order, ExchangeError> {
        let request = OrderRequest {
            client_order_id: ClientOrderId::new(&t.request.client_ref),
            market: MarketKey::new(self.venue.clone(), t.request.code.as_str()),
            outcome: outcome_from_code(&t.request.side)?,
            side: Side::Buy,
            limit_price: price_from_bps(t.request.max_bps)?,
            qty: qty_from_tickets(t.request.tickets),
            time_in_force: if t.request.all_or_none {
                TimeInForce::Fok
            } else {
                TimeInForce::Ioc
            },
        };
        // A ticket is final as soon as it is answered: what did not fill was cancelled.
        let complete = t.filled == t.request.tickets;
        Ok(Order {
            request,
            venue_order_id: Some(VenueOrderId::new(t.id.to_string())),
            status: if complete {
                OrderStatus::Filled
            } else {
                OrderStatus::Cancelled
            },
            filled_qty: qty_from_tickets(t.filled),
            avg_fill_price: t.price_bps.map(price_from_bps).transpose()?,
            fees_paid: usd_from_micros(t.commission_micros),
            reason: (!complete).then(|| {
                format!(
                    "the house sold {} of {} tickets at or below the limit",
                    t.filled, t.request.tickets
                )
            }),
            updated_at: time_from_ms(t.placed_at_ms)?,
        })
    }

    fn to_fill(&self, t: &WireTicket) -> Result<Option<Fill>, ExchangeError> {
        let Some(bps) = t.price_bps else {
            return Ok(None);
        };
        Ok(Some(Fill {
            fill_id: FillId::new(format!("{}-1", t.id)),
            market: MarketKey::new(self.venue.clone(), t.request.code.as_str()),
            outcome: outcome_from_code(&t.request.side)?,
            side: Side::Buy,
            price: price_from_bps(bps)?,
            qty: qty_from_tickets(t.filled),
            fee: usd_from_micros(t.commission_micros),
            liquidity: Liquidity::Taker,
            venue_order_id: VenueOrderId::new(t.id.to_string()),
            client_order_id: Some(ClientOrderId::new(&t.request.client_ref)),
            ts: time_from_ms(t.placed_at_ms)?,
        }))
    }

    fn to_position(
        &self,
        code: &str,
        side: &str,
        h: &WireHolding,
    ) -> Result<Position, ExchangeError> {
        let avg_price = (h.tickets > 0)
            .then(|| Price::new(usd_from_micros(h.cost_micros) / Decimal::from(h.tickets)))
            .transpose()?;
        Ok(Position {
            market: MarketKey::new(self.venue.clone(), code),
            outcome: outcome_from_code(side)?,
            qty: qty_from_tickets(h.tickets),
            avg_price,
            fees_paid: usd_from_micros(h.commission_micros),
            realized_pnl: usd_from_micros(h.realized_micros),
            updated_at: self.clock.now(),
        })
    }

    /// The current books of `markets` as stream events (skipping markets delisted since).
    fn snapshot(&self, markets: &BTreeSet<MarketId>) -> VecDeque<BookEvent> {
        markets
            .iter()
            .filter_map(|m| {
                self.book_of(m).ok().map(|book| BookEvent::Book {
                    market: m.clone(),
                    book: Arc::new(book),
                })
            })
            .collect()
    }
}

#[async_trait]
impl Exchange for BookieExchange {
    fn venue(&self) -> VenueId {
        self.venue.clone()
    }

    /// The house answers in one call, so the listing is complete or fails as a whole.
    async fn list_markets(&self) -> Result<MarketListing, ExchangeError> {
        let house = self.house();
        house
            .markets()
            .filter(|m| m.state == WireState::Open)
            .map(|m| self.to_market(m))
            .collect::<Result<Vec<_>, _>>()
            .map(MarketListing::complete)
    }

    async fn market(&self, market: &MarketId) -> Result<Market, ExchangeError> {
        let house = self.house();
        self.to_market(house.market(market.as_str()).map_err(exchange_error)?)
    }

    async fn order_book(&self, market: &MarketId) -> Result<BinaryBook, ExchangeError> {
        self.book_of(market)
    }

    async fn order_books(
        &self,
        markets: &[MarketId],
    ) -> Result<Vec<(MarketId, BinaryBook)>, ExchangeError> {
        markets
            .iter()
            .map(|m| Ok((m.clone(), self.book_of(m)?)))
            .collect()
    }

    /// The current book of every market first, then every change. A subscriber that falls
    /// behind is told its books are stale and gets fresh ones.
    async fn subscribe_books(&self, markets: &[MarketId]) -> Result<BookStream, ExchangeError> {
        for m in markets {
            self.house().market(m.as_str()).map_err(exchange_error)?;
        }
        let wanted: BTreeSet<MarketId> = markets.iter().cloned().collect();
        let state = (
            self.events.subscribe(),
            self.snapshot(&wanted),
            self.clone(),
            wanted,
        );
        let stream = futures::stream::unfold(state, |(mut rx, mut queue, venue, wanted)| async {
            loop {
                if let Some(event) = queue.pop_front() {
                    return Some((event, (rx, queue, venue, wanted)));
                }
                match rx.recv().await {
                    Ok(BookEvent::Book { market, book }) if wanted.contains(&market) => {
                        queue.push_back(BookEvent::Book { market, book });
                    }
                    Ok(_) => {}
                    Err(broadcast::error::RecvError::Lagged(missed)) => {
                        queue.push_back(BookEvent::Invalidated {
                            market: None,
                            reason: format!("subscriber fell behind by {missed} updates"),
                        });
                        queue.extend(venue.snapshot(&wanted));
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            }
        });
        Ok(Box::pin(stream))
    }

    async fn place_order(&self, request: &OrderRequest) -> Result<Order, ExchangeError> {
        // Refuse what the house cannot do before sending anything.
        if request.side == Side::Sell {
            return Err(ExchangeError::Unsupported(
                "the bookie never buys tickets back".into(),
            ));
        }
        let all_or_none = match request.time_in_force {
            TimeInForce::Fok => true,
            TimeInForce::Ioc => false,
            TimeInForce::Gtc => {
                return Err(ExchangeError::Unsupported(
                    "the bookie does not rest orders: use IOC or FOK".into(),
                ));
            }
        };
        if request.market.venue != self.venue {
            return Err(ExchangeError::InvalidRequest(format!(
                "market {} is not on {}",
                request.market, self.venue
            )));
        }
        let wire = WireBuy {
            client_ref: request.client_order_id.as_str().to_owned(),
            code: request.market.market.as_str().to_owned(),
            side: side_code(request.outcome).to_owned(),
            max_bps: bps_from_price(request.limit_price)?,
            tickets: tickets_from_qty(request.qty)?,
            all_or_none,
        };
        if wire.tickets == 0 {
            return Err(ExchangeError::InvalidRequest(
                "an order needs at least 1 ticket".into(),
            ));
        }
        let ticket = self
            .house()
            .buy(wire, self.now_ms())
            .map_err(exchange_error)?;
        self.publish(&request.market.market);
        self.to_order(&ticket)
    }

    /// Tickets are final the moment they are answered, so cancelling returns the final state.
    async fn cancel_order(&self, order: &VenueOrderId) -> Result<Order, ExchangeError> {
        self.order(order).await
    }

    async fn order(&self, order: &VenueOrderId) -> Result<Order, ExchangeError> {
        let id: u64 = order
            .as_str()
            .parse()
            .map_err(|_| ExchangeError::NotFound(format!("no ticket `{order}`")))?;
        let house = self.house();
        self.to_order(house.ticket(id).map_err(exchange_error)?)
    }

    async fn order_by_client_id(
        &self,
        client_order_id: &ClientOrderId,
    ) -> Result<Option<Order>, ExchangeError> {
        let house = self.house();
        house
            .ticket_by_ref(client_order_id.as_str())
            .map(|t| self.to_order(t))
            .transpose()
    }

    async fn fills_since(&self, since: DateTime<Utc>) -> Result<Vec<Fill>, ExchangeError> {
        let since_ms = since.timestamp_millis();
        let house = self.house();
        let mut fills = Vec::new();
        for ticket in house.tickets().filter(|t| t.placed_at_ms >= since_ms) {
            fills.extend(self.to_fill(ticket)?);
        }
        Ok(fills)
    }

    async fn positions(&self) -> Result<Vec<Position>, ExchangeError> {
        let house = self.house();
        house
            .holdings()
            .filter(|(_, h)| h.tickets > 0)
            .map(|((code, side), h)| self.to_position(code, side, h))
            .collect()
    }

    async fn balance(&self) -> Result<Balance, ExchangeError> {
        // Nothing rests, so no cash is ever reserved.
        let cash = usd_from_micros(self.house().cash_micros());
        Ok(Balance {
            venue: self.venue.clone(),
            available: cash,
            total: cash,
            updated_at: self.clock.now(),
        })
    }

    fn fee_model(&self, _market: &Market) -> Arc<dyn FeeModel> {
        Arc::new(FlatCommission {
            per_contract: usd_from_micros(self.house().commission_micros_per_ticket()),
        })
    }
}
