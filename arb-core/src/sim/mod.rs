//! A simulated venue: [`SimExchange`] implements [`crate::exchange::Exchange`] in memory, for
//! tests, demos and strategy experiments.
//!
//! - **Markets**: a catalogue you fill with [`SimExchange::add_market`] ([`binary_market`] makes a
//!   typical one); [`SimExchange::settle`] pays $1 per winning contract.
//! - **Books**: each market has one YES book; NO is its complement (a NO buy at `q` trades against
//!   YES bids at `1 − q`). Other traders' liquidity is scripted with [`SimExchange::set_book`] or
//!   driven by a seeded random walk ([`SimMarketMaker`]); [`SimExchange::cross_resting`] sends
//!   another trader's order against resting liquidity, ours included.
//! - **Orders**: price-time priority matching; FOK fills all or nothing (a killed FOK ends
//!   `Cancelled` with nothing filled), IOC fills what it can and cancels the rest, GTC rests the
//!   rest. Fees follow the market's [`crate::fees::FeeSchedule`], one order rounded as one.
//!   Duplicate client order ids return the existing order. Our own orders never trade with each
//!   other: an order that would is rejected (`self_trade`).
//! - **Account**: cash and positions move with fills; an order whose worst case (limit × qty +
//!   the highest fee it could pay) exceeds the available cash, or that sells more than is held,
//!   fails with [`ExchangeError::InsufficientBalance`] and fills nothing.
//! - **Latency and faults**: every call waits [`SimConfig::latency`]; [`Fault`]s reject, time out,
//!   delay orders, drop book streams, make the venue unavailable or rate limit it.
//!
//! Time and ids come from the injected [`Clock`] and [`IdSource`], so runs are deterministic.

mod account;
mod api;
mod faults;
mod matching;
mod paper;
mod stream;
mod taken;
mod venue;
mod walk;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use tokio::sync::broadcast;

pub use faults::Fault;
pub use paper::{DEFAULT_SETTLE_INTERVAL, PaperExchange, SettlementReport, VoidedMarket};
pub use walk::{PairStep, PairedMarkets, RandomWalk, SimMarketMaker};

use crate::clock::{Clock, IdSource};
use crate::exchange::{BookEvent, ExchangeError};
use crate::fees::FeeSchedule;
use crate::model::{
    Level, Market, MarketExt, MarketId, MarketKey, MarketStatus, ModelError, Outcome, Position,
    Price, PriceGrid, Qty, Side, VenueId,
};
use faults::OrderFault;
use venue::{Changed, VenueState};

/// How a simulated venue starts.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SimConfig {
    /// The venue's id (`sim-a`, `sim-b`…).
    pub venue: VenueId,
    /// Cash in the account at the start, in dollars.
    pub starting_cash: Decimal,
    /// How long every `Exchange` call takes.
    pub latency: Duration,
    /// How marketable buys (FOK/IOC) are filled: by contracts, or by cash as Polymarket does.
    pub buy_fill: BuyFill,
}

/// How a venue fills a marketable (FOK or IOC) buy.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum BuyFill {
    /// Up to the quantity asked (Kalshi; Polymarket's `shares` reading).
    #[default]
    Contracts,
    /// Up to the cash `qty × limit` spends, in 10⁻⁶ lots: a better price buys more contracts
    /// than asked (Polymarket's FOK/FAK, whose signed amount is the cash to spend).
    Cash,
}

impl SimConfig {
    /// A venue with `starting_cash` dollars and no latency.
    pub fn new(venue: impl Into<VenueId>, starting_cash: Decimal) -> Self {
        Self {
            venue: venue.into(),
            starting_cash,
            latency: Duration::ZERO,
            buy_fill: BuyFill::Contracts,
        }
    }

    /// The same, filling marketable buys as `buy_fill` says.
    #[must_use]
    pub const fn with_buy_fill(mut self, buy_fill: BuyFill) -> Self {
        self.buy_fill = buy_fill;
        self
    }

    /// The same, with every call taking `latency`.
    #[must_use]
    pub const fn with_latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }
}

/// An open binary market with a uniform $0.01 grid, whole-contract sizes (minimum 1) and the
/// given fees, closing at `close_time`: the usual shape of a simulated market.
pub fn binary_market(
    key: MarketKey,
    title: impl Into<String>,
    fees: FeeSchedule,
    close_time: DateTime<Utc>,
) -> Result<Market, ModelError> {
    let title = title.into();
    Ok(Market {
        key,
        rules: format!("Resolves YES if: {title}"),
        title,
        subtitle: "Yes".into(),
        resolution_source: None,
        close_time,
        status: MarketStatus::Open,
        price_grid: PriceGrid::uniform(Decimal::new(1, 2))?,
        size_step: Qty::new(Decimal::ONE)?,
        min_order_qty: Qty::new(Decimal::ONE)?,
        fees,
        ext: MarketExt::default(),
    })
}

/// Book levels from `(price, qty)` pairs, checking each value.
pub fn levels(pairs: &[(Decimal, Decimal)]) -> Result<Vec<Level>, ModelError> {
    pairs
        .iter()
        .map(|&(price, qty)| Ok(Level::new(Price::new(price)?, Qty::new(qty)?)))
        .collect()
}

/// What all handles of one simulated venue share.
#[derive(Debug)]
struct Inner {
    venue: VenueId,
    state: Mutex<VenueState>,
    latency: Mutex<Duration>,
    events: broadcast::Sender<BookEvent>,
}

/// A simulated venue. Cloning gives another handle to the same venue.
#[derive(Clone, Debug)]
pub struct SimExchange {
    inner: Arc<Inner>,
}

/// How many book events a slow subscriber may fall behind before it is told to resynchronise.
const STREAM_BUFFER: usize = 1024;

impl SimExchange {
    /// An empty venue: no markets, `config.starting_cash` dollars.
    pub fn new(config: SimConfig, clock: Arc<dyn Clock>, ids: Arc<dyn IdSource>) -> Self {
        let (events, _) = broadcast::channel(STREAM_BUFFER);
        Self {
            inner: Arc::new(Inner {
                venue: config.venue.clone(),
                state: Mutex::new(
                    VenueState::new(config.venue, config.starting_cash, clock, ids)
                        .with_buy_fill(config.buy_fill),
                ),
                latency: Mutex::new(config.latency),
                events,
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, VenueState> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Tells subscribers about the current books of `markets`.
    fn publish(&self, state: &VenueState, markets: &Changed) {
        for market in markets {
            if let Ok(book) = state.book(market) {
                // No subscriber is not an error.
                let _ = self.inner.events.send(BookEvent::Book {
                    market: market.clone(),
                    book: Arc::new(book),
                });
            }
        }
    }

    /// Lists a market, or replaces its description (status, fees…) keeping its book and orders.
    /// The market must belong to this venue.
    pub fn add_market(&self, market: Market) -> Result<(), ExchangeError> {
        self.state().add_market(market)
    }

    /// Replaces other traders' YES liquidity on a market (NO follows as the complement) and
    /// tells subscribers. Our resting orders that the new book crosses trade at their own price.
    /// Prices must be on the market's grid and the book must not be crossed.
    pub fn set_book(
        &self,
        market: &MarketId,
        yes_bids: &[Level],
        yes_asks: &[Level],
    ) -> Result<(), ExchangeError> {
        self.set_book_left(market, yes_bids, yes_asks).map(|_| ())
    }

    /// [`Self::set_book`], returning what is left of the new liquidity (bids, asks) once our
    /// resting orders have traded against it, read under the same lock.
    pub(crate) fn set_book_left(
        &self,
        market: &MarketId,
        yes_bids: &[Level],
        yes_asks: &[Level],
    ) -> Result<(Vec<Level>, Vec<Level>), ExchangeError> {
        let mut state = self.state();
        let changed = state.set_book(market, yes_bids, yes_asks)?;
        self.publish(&state, &changed);
        state.external_book(market)
    }

    /// Another trader's immediate order on `outcome`: it trades against resting liquidity in
    /// price-time priority (ours included, filling our GTC orders as makers) and the rest of it
    /// is dropped. Returns the contracts it traded.
    pub fn cross_resting(
        &self,
        market: &MarketId,
        outcome: Outcome,
        side: Side,
        limit: Price,
        qty: Qty,
    ) -> Result<Qty, ExchangeError> {
        let mut state = self.state();
        let (traded, changed) = state.cross_resting(market, outcome, side, limit, qty)?;
        self.publish(&state, &changed);
        Ok(traded)
    }

    /// Settles a market on `winner`: status `Settled`, our open orders on it cancelled, $1 paid
    /// per winning contract, both positions closed with their profit realised.
    pub fn settle(&self, market: &MarketId, winner: Outcome) -> Result<(), ExchangeError> {
        let mut state = self.state();
        let changed = state.settle(market, winner)?;
        self.publish(&state, &changed);
        Ok(())
    }

    /// Injects a fault (see [`Fault`] for when each one fires).
    pub fn inject(&self, fault: Fault) {
        let mut state = self.state();
        match fault {
            Fault::RejectNextOrder { code, message } => state
                .faults
                .push_order_fault(OrderFault::Reject { code, message }),
            Fault::Timeout { after, executed } => state
                .faults
                .push_order_fault(OrderFault::Timeout { after, executed }),
            Fault::Delayed { polls } => {
                state.faults.push_order_fault(OrderFault::Delayed { polls })
            }
            Fault::Unavailable { calls } => state.faults.add_unavailable(calls),
            Fault::RateLimited { calls } => state.faults.add_rate_limited(calls),
            Fault::DropBookStream => {
                let _ = self.inner.events.send(BookEvent::Invalidated {
                    market: None,
                    reason: "simulated disconnect".into(),
                });
                let all: Changed = state.markets().map(|m| m.key.market.clone()).collect();
                self.publish(&state, &all);
            }
        }
    }

    /// Executes every delayed order now, without waiting for queries.
    pub fn release_delayed(&self) {
        let mut state = self.state();
        let changed = state.release_delayed();
        self.publish(&state, &changed);
    }

    /// Changes how long every call takes from now on.
    pub fn set_latency(&self, latency: Duration) {
        *self
            .inner
            .latency
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = latency;
    }

    /// The position in one outcome of one market, also after it went to zero (its realised
    /// profit remains); `None` if never traded.
    #[must_use]
    pub fn position(&self, market: &MarketId, outcome: Outcome) -> Option<Position> {
        self.state()
            .all_positions()
            .into_iter()
            .find(|p| &p.market.market == market && p.outcome == outcome)
    }
}
