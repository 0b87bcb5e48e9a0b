//! Paper trading: [`PaperExchange`] shows a live venue's real market data and trades against it
//! with paper money.
//!
//! - **Identity**: it reports the live venue's id ([`Exchange::venue`]), so verified pairs, stored
//!   markets and order requests keep naming the real venue. Use it *instead of* the live adapter
//!   for that venue, never next to it: its orders, fills, positions and cash are paper only.
//! - **Market data** (`list_markets`, `market`, `order_book(s)`, `subscribe_books`, `fee_model`)
//!   comes straight from the live venue.
//! - **Trading** never reaches the live venue. Each order is matched by an internal
//!   [`SimExchange`] after loading the live market (once) and its current live YES book (every
//!   order), so fills walk the real depth, pay the market's real fee schedule and honour FOK/IOC/GTC
//!   exactly as the simulator does. Our marketable paper fills do not consume live liquidity: the
//!   next order sees the live book again, as it is on the venue.
//! - **Resting orders** (GTC) trade when a later reload of the live book crosses them: each paper
//!   order on the market reloads it, and so does querying a still-open order (`order`,
//!   `order_by_client_id`). The live liquidity a resting order traded against is not offered
//!   again while the live level still shows it (the live venue never saw our paper trade): a
//!   level of 6 fills 6 of a resting order of 10, however often the book is reloaded; what the
//!   level gains afterwards is new liquidity.
//! - **Settlement** ([`PaperExchange::settle_resolved`]): every market loaded into the paper
//!   venue and not yet resolved is looked up on the live venue. `Settled(outcome)` settles it on
//!   paper: open orders cancelled, $1 paid per winning contract, both positions closed with their
//!   profit realised (the losing side goes to zero). Any other status refreshes the paper market's
//!   description, so a market that closed on the venue stops taking paper orders.
//!   `positions()` and `balance()` run this check themselves at most once per settle interval
//!   ([`PaperExchange::with_settle_interval`], 60 s by default); a live failure there is logged and
//!   the paper answer is still returned (the check is retried on the next call), whereas an explicit
//!   `settle_resolved()` returns the error.
//! - **Voided markets** settle "at a venue-defined price" that the live model does not carry, so
//!   they are **kept and alerted**: open paper orders on the market are cancelled, the market stops
//!   trading, its positions stay listed at their cost basis (neither won nor lost), a warning is
//!   logged and [`SettlementReport::voided`] names them once, for the operator to act on.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::taken::Taken;
use super::{SimConfig, SimExchange};
use crate::clock::{Clock, IdSource};
use crate::exchange::{BookStream, Exchange, ExchangeError, MarketListing};
use crate::fees::FeeModel;
use crate::model::{
    Balance, BinaryBook, ClientOrderId, Fill, Market, MarketId, MarketStatus, Order, OrderRequest,
    Outcome, Position, VenueId, VenueOrderId,
};

/// How often `positions()` and `balance()` check the live venue for resolved markets by default.
pub const DEFAULT_SETTLE_INTERVAL: Duration = Duration::from_secs(60);

/// What one [`PaperExchange::settle_resolved`] pass did.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct SettlementReport {
    /// Markets settled on paper, with the winning outcome.
    pub settled: Vec<(MarketId, Outcome)>,
    /// Markets the live venue voided: their positions are kept at cost basis, for the operator.
    pub voided: Vec<VoidedMarket>,
}

/// A market the live venue voided, and the paper positions left on it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct VoidedMarket {
    /// The market.
    pub market: MarketId,
    /// Paper positions still held on it, at cost basis.
    pub positions: Vec<Position>,
}

/// Which markets the paper venue knows, and when settlement was last checked.
#[derive(Debug, Default)]
struct PaperState {
    /// Markets loaded into the simulator.
    loaded: BTreeSet<MarketId>,
    /// Loaded markets not yet settled or voided: the ones settlement checks.
    unresolved: BTreeSet<MarketId>,
    /// Our paper orders, by market (to cancel them when a market is voided).
    orders: BTreeMap<MarketId, Vec<VenueOrderId>>,
    /// The last successful settlement check.
    last_check: Option<DateTime<Utc>>,
    /// Live liquidity our resting paper orders took, by market: not offered again.
    taken: BTreeMap<MarketId, Taken>,
}

/// A paper-trading venue: live market data, simulated fills against the live books, paper
/// positions that settle when the real market resolves (see the module documentation).
pub struct PaperExchange {
    live: Arc<dyn Exchange>,
    sim: SimExchange,
    clock: Arc<dyn Clock>,
    settle_interval: Duration,
    state: Mutex<PaperState>,
}

impl fmt::Debug for PaperExchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PaperExchange")
            .field("venue", &self.live.venue())
            .field("sim", &self.sim)
            .field("settle_interval", &self.settle_interval)
            .finish_non_exhaustive()
    }
}

impl PaperExchange {
    /// Paper trading on `live`'s market data with `starting_cash` paper dollars. Time and ids
    /// (paper order and fill ids) come from `clock` and `ids`.
    pub fn new(
        live: Arc<dyn Exchange>,
        starting_cash: Decimal,
        clock: Arc<dyn Clock>,
        ids: Arc<dyn IdSource>,
    ) -> Self {
        let sim = SimExchange::new(
            SimConfig::new(live.venue(), starting_cash),
            clock.clone(),
            ids,
        );
        Self {
            live,
            sim,
            clock,
            settle_interval: DEFAULT_SETTLE_INTERVAL,
            state: Mutex::new(PaperState::default()),
        }
    }

    /// The same, with `positions()`/`balance()` checking for resolved markets at most once per
    /// `interval` (zero: on every call).
    #[must_use]
    pub const fn with_settle_interval(mut self, interval: Duration) -> Self {
        self.settle_interval = interval;
        self
    }

    fn state(&self) -> MutexGuard<'_, PaperState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The paper position in one outcome of one market, also after it went to zero (its realised
    /// profit remains); `None` if never traded.
    #[must_use]
    pub fn position(&self, market: &MarketId, outcome: Outcome) -> Option<Position> {
        self.sim.position(market, outcome)
    }

    /// Looks up every loaded, unresolved market on the live venue and settles on paper those it
    /// reports `Settled`; voided ones are kept and reported (see the module documentation).
    /// Stops at the first live error; markets handled before it stay handled, and a new call
    /// carries on where it failed.
    pub async fn settle_resolved(&self) -> Result<SettlementReport, ExchangeError> {
        let markets: Vec<MarketId> = self.state().unresolved.iter().cloned().collect();
        let mut report = SettlementReport::default();
        for id in markets {
            let live = self.live.market(&id).await?;
            match live.status {
                MarketStatus::Settled(winner) => {
                    self.sim.settle(&id, winner)?;
                    self.state().unresolved.remove(&id);
                    tracing::info!(venue = %self.live.venue(), market = %id, %winner, "paper market settled");
                    report.settled.push((id, winner));
                }
                MarketStatus::Voided => report.voided.push(self.void(live).await?),
                _ => self.sim.add_market(live)?,
            }
        }
        self.state().last_check = Some(self.clock.now());
        Ok(report)
    }

    /// Stops trading on a voided market and keeps its positions, for the operator.
    async fn void(&self, live: Market) -> Result<VoidedMarket, ExchangeError> {
        let id = live.key.market.clone();
        let orders = self.state().orders.get(&id).cloned().unwrap_or_default();
        for order in &orders {
            self.sim.cancel_order(order).await?;
        }
        self.sim.add_market(live)?;
        self.state().unresolved.remove(&id);
        let positions: Vec<Position> = self
            .sim
            .positions()
            .await?
            .into_iter()
            .filter(|p| p.market.market == id)
            .collect();
        tracing::warn!(
            venue = %self.live.venue(),
            market = %id,
            positions = positions.len(),
            "live market voided: paper positions kept at cost basis, resolve them by hand"
        );
        Ok(VoidedMarket {
            market: id,
            positions,
        })
    }

    /// Runs [`Self::settle_resolved`] if the settle interval has passed since the last
    /// successful check; a failure is logged and retried on the next call.
    async fn settle_if_due(&self) {
        let due = self.state().last_check.is_none_or(|last| {
            (self.clock.now() - last)
                .to_std()
                .is_ok_and(|elapsed| elapsed >= self.settle_interval)
        });
        if due && let Err(e) = self.settle_resolved().await {
            tracing::warn!(venue = %self.live.venue(), error = %e, "paper settlement check failed; retrying on the next call");
        }
    }

    /// Loads a market's live description into the simulator the first time it is traded.
    async fn ensure_market(&self, id: &MarketId) -> Result<(), ExchangeError> {
        if self.state().loaded.contains(id) {
            return Ok(());
        }
        let market = self.live.market(id).await?;
        self.sim.add_market(market)?;
        let mut state = self.state();
        state.loaded.insert(id.clone());
        state.unresolved.insert(id.clone());
        Ok(())
    }

    /// Replaces the simulator's book of a tradable market with the live YES book.
    async fn load_live_book(&self, id: &MarketId) -> Result<(), ExchangeError> {
        if !self.sim.market(id).await?.status.is_tradable() {
            return Ok(());
        }
        let book = self.live.order_book(id).await?;
        let (bids, asks) = {
            let mut state = self.state();
            let taken = state.taken.entry(id.clone()).or_default();
            (
                taken.bids.discount(book.yes.bids()),
                taken.asks.discount(book.yes.asks()),
            )
        };
        let (left_bids, left_asks) =
            self.sim
                .set_book_left(id, &bids, &asks)
                .map_err(|e| ExchangeError::Rejected {
                    code: "paper_book_unusable".into(),
                    message: format!(
                        "live book of {id} on {} cannot be simulated: {e}",
                        self.live.venue()
                    ),
                })?;
        let mut state = self.state();
        let taken = state.taken.entry(id.clone()).or_default();
        taken.bids.record(&bids, &left_bids);
        taken.asks.record(&asks, &left_asks);
        Ok(())
    }

    /// Before answering about an order still open: reloads its market's live book so a
    /// resting paper order trades if the live market reached its price. Best effort: a live
    /// failure is logged and the paper state answered as it is.
    async fn refresh_open(&self, order: &Order) -> bool {
        if order.status.is_terminal() {
            return false;
        }
        let market = &order.request.market.market;
        match self.load_live_book(market).await {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(venue = %self.live.venue(), %market, error = %e, "could not reload the live book for an open paper order");
                false
            }
        }
    }
}

#[async_trait]
impl Exchange for PaperExchange {
    /// The live venue's id: pairs and stored markets keep working unchanged.
    fn venue(&self) -> VenueId {
        self.live.venue()
    }

    async fn list_markets(&self) -> Result<MarketListing, ExchangeError> {
        self.live.list_markets().await
    }

    async fn market(&self, market: &MarketId) -> Result<Market, ExchangeError> {
        self.live.market(market).await
    }

    async fn order_book(&self, market: &MarketId) -> Result<BinaryBook, ExchangeError> {
        self.live.order_book(market).await
    }

    async fn order_books(
        &self,
        markets: &[MarketId],
    ) -> Result<Vec<(MarketId, BinaryBook)>, ExchangeError> {
        self.live.order_books(markets).await
    }

    async fn subscribe_books(&self, markets: &[MarketId]) -> Result<BookStream, ExchangeError> {
        self.live.subscribe_books(markets).await
    }

    /// Matches the order on paper against the market's current live book. Nothing is sent to
    /// the live venue's trading endpoints.
    async fn place_order(&self, request: &OrderRequest) -> Result<Order, ExchangeError> {
        let venue = self.live.venue();
        if request.market.venue != venue {
            return Err(ExchangeError::InvalidRequest(format!(
                "order for {} sent to paper venue {venue}",
                request.market
            )));
        }
        if let Some(existing) = self
            .sim
            .order_by_client_id(&request.client_order_id)
            .await?
        {
            return Ok(existing);
        }
        let market = &request.market.market;
        self.ensure_market(market).await?;
        self.load_live_book(market).await?;
        let order = self.sim.place_order(request).await?;
        if let Some(id) = &order.venue_order_id {
            self.state()
                .orders
                .entry(market.clone())
                .or_default()
                .push(id.clone());
        }
        Ok(order)
    }

    async fn cancel_order(&self, order: &VenueOrderId) -> Result<Order, ExchangeError> {
        self.sim.cancel_order(order).await
    }

    async fn order(&self, order: &VenueOrderId) -> Result<Order, ExchangeError> {
        let current = self.sim.order(order).await?;
        if self.refresh_open(&current).await {
            self.sim.order(order).await
        } else {
            Ok(current)
        }
    }

    async fn order_by_client_id(
        &self,
        client_order_id: &ClientOrderId,
    ) -> Result<Option<Order>, ExchangeError> {
        let Some(current) = self.sim.order_by_client_id(client_order_id).await? else {
            return Ok(None);
        };
        if self.refresh_open(&current).await {
            self.sim.order_by_client_id(client_order_id).await
        } else {
            Ok(Some(current))
        }
    }

    async fn fills_since(&self, since: DateTime<Utc>) -> Result<Vec<Fill>, ExchangeError> {
        self.sim.fills_since(since).await
    }

    /// Paper positions, after settling markets the live venue resolved (when due).
    async fn positions(&self) -> Result<Vec<Position>, ExchangeError> {
        self.settle_if_due().await;
        self.sim.positions().await
    }

    /// Paper cash, after settling markets the live venue resolved (when due).
    async fn balance(&self) -> Result<Balance, ExchangeError> {
        self.settle_if_due().await;
        self.sim.balance().await
    }

    fn fee_model(&self, market: &Market) -> Arc<dyn FeeModel> {
        self.live.fee_model(market)
    }
}
