//! Shared harness of the executor tests: two simulated venues behind a recording wrapper, a
//! store, a notifier, a pair and opportunity builders.
#![allow(dead_code, clippy::unwrap_used)] // each test file uses a different part of it

use std::sync::{Arc, Mutex};
use std::time::Duration;

use arb_core::clock::{Clock, IdSource, SequentialIds};
use arb_core::exchange::{BookStream, Exchange, ExchangeError, MarketListing};
use arb_core::execute::{ExecutionConfig, Executor, FirstLegRule};
use arb_core::fees::{FeeRule, FeeSchedule};
use arb_core::model::{
    Balance, BinaryBook, ClientOrderId, Fill, Level, Market, MarketId, MarketKey, NewPair,
    Opportunity, OpportunityLeg, Order, OrderRequest, Outcome, Polarity, Position, Price, Qty,
    VenueId, VenueOrderId, VerifiedPair,
};
use arb_core::notify::{Notification, RecordingNotifier, Severity};
use arb_core::portfolio::Portfolio;
use arb_core::sim::{BuyFill, SimConfig, SimExchange, binary_market, levels};
use arb_core::store::{MemoryStore, Store};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

/// A clock that follows tokio's (paused, auto-advancing) time, so latency shows in timestamps.
#[derive(Debug)]
pub struct TokioClock {
    start: DateTime<Utc>,
    origin: tokio::time::Instant,
}

impl TokioClock {
    pub fn new() -> Self {
        Self {
            start: DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
            origin: tokio::time::Instant::now(),
        }
    }
}

impl Clock for TokioClock {
    fn now(&self) -> DateTime<Utc> {
        let elapsed = tokio::time::Instant::now() - self.origin;
        self.start + chrono::Duration::from_std(elapsed).unwrap_or_default()
    }
}

/// What a test may do at a given moment of a venue call.
pub enum Call<'a> {
    /// `place_order` just answered.
    Placed(&'a OrderRequest),
    /// `cancel_order` is about to be processed.
    Cancelling,
}

type Hook = Box<dyn Fn(&SimExchange, Call<'_>) + Send + Sync>;

/// A `SimExchange` that records every order sent (to prove nothing is sent twice) and runs a
/// test's hook at chosen moments (to move books or release delayed fills deterministically).
pub struct Recorded {
    pub sim: SimExchange,
    pub sent: Mutex<Vec<ClientOrderId>>,
    hook: Mutex<Option<Hook>>,
}

impl Recorded {
    pub fn new(sim: SimExchange) -> Self {
        Self {
            sim,
            sent: Mutex::new(Vec::new()),
            hook: Mutex::new(None),
        }
    }

    pub fn on(&self, hook: impl Fn(&SimExchange, Call<'_>) + Send + Sync + 'static) {
        *self.hook.lock().unwrap() = Some(Box::new(hook));
    }

    fn run(&self, call: Call<'_>) {
        if let Some(hook) = self.hook.lock().unwrap().as_ref() {
            hook(&self.sim, call);
        }
    }

    pub fn sent(&self) -> Vec<ClientOrderId> {
        self.sent.lock().unwrap().clone()
    }
}

#[async_trait]
impl Exchange for Recorded {
    fn venue(&self) -> VenueId {
        self.sim.venue()
    }
    async fn list_markets(&self) -> Result<MarketListing, ExchangeError> {
        self.sim.list_markets().await
    }
    async fn market(&self, market: &MarketId) -> Result<Market, ExchangeError> {
        self.sim.market(market).await
    }
    async fn order_book(&self, market: &MarketId) -> Result<BinaryBook, ExchangeError> {
        self.sim.order_book(market).await
    }
    async fn order_books(
        &self,
        markets: &[MarketId],
    ) -> Result<Vec<(MarketId, BinaryBook)>, ExchangeError> {
        self.sim.order_books(markets).await
    }
    async fn subscribe_books(&self, markets: &[MarketId]) -> Result<BookStream, ExchangeError> {
        self.sim.subscribe_books(markets).await
    }
    async fn place_order(&self, request: &OrderRequest) -> Result<Order, ExchangeError> {
        self.sent
            .lock()
            .unwrap()
            .push(request.client_order_id.clone());
        let answer = self.sim.place_order(request).await;
        self.run(Call::Placed(request));
        answer
    }
    async fn cancel_order(&self, order: &VenueOrderId) -> Result<Order, ExchangeError> {
        self.run(Call::Cancelling);
        self.sim.cancel_order(order).await
    }
    async fn order(&self, order: &VenueOrderId) -> Result<Order, ExchangeError> {
        self.sim.order(order).await
    }
    async fn order_by_client_id(
        &self,
        client_order_id: &ClientOrderId,
    ) -> Result<Option<Order>, ExchangeError> {
        self.sim.order_by_client_id(client_order_id).await
    }
    async fn fills_since(&self, since: DateTime<Utc>) -> Result<Vec<Fill>, ExchangeError> {
        self.sim.fills_since(since).await
    }
    async fn positions(&self) -> Result<Vec<Position>, ExchangeError> {
        self.sim.positions().await
    }
    async fn balance(&self) -> Result<Balance, ExchangeError> {
        self.sim.balance().await
    }
}

pub const CASH: Decimal = dec!(1000);

/// Two venues (`sim-a` with Kalshi fees, `sim-b` with Polymarket fees), 50 ms per call, one
/// market each, approved as a pair with `Same` polarity (A.YES is hedged by B.NO).
pub struct Harness {
    pub a: Arc<Recorded>,
    pub b: Arc<Recorded>,
    pub store: Arc<MemoryStore>,
    pub notifier: Arc<RecordingNotifier>,
    pub clock: Arc<TokioClock>,
    pub pair: VerifiedPair,
    pub markets: [Market; 2],
}

pub fn p(d: Decimal) -> Price {
    Price::new(d).unwrap()
}

pub fn q(d: Decimal) -> Qty {
    Qty::new(d).unwrap()
}

/// How one simulated venue of the harness trades.
struct VenueShape {
    name: &'static str,
    fees: FeeSchedule,
    buy_fill: BuyFill,
    size_step: Decimal,
    min_order: Decimal,
}

impl Harness {
    /// Whole-contract markets on both venues, both filling buys by contracts.
    pub async fn new() -> Self {
        Self::with_venues(
            Self::kalshi_like(Decimal::ONE),
            Self::shape_b(BuyFill::Contracts, Decimal::ONE, Decimal::ONE),
        )
        .await
    }

    /// Venues shaped like the real ones: A trades 0.01-contract steps; B fills marketable buys by
    /// their cash amount (a better price buys more shares than asked), in 0.01-share steps with a
    /// 5-share minimum order, as Polymarket does.
    pub async fn venue_like() -> Self {
        Self::with_venues(
            Self::kalshi_like(dec!(0.01)),
            Self::shape_b(BuyFill::Cash, dec!(0.01), dec!(5)),
        )
        .await
    }

    fn kalshi_like(step: Decimal) -> VenueShape {
        VenueShape {
            name: "sim-a",
            fees: FeeSchedule::taker_only(FeeRule::quadratic(
                dec!(0.07),
                dec!(0.0001),
                Some(dec!(0.01)),
            )),
            buy_fill: BuyFill::Contracts,
            size_step: step,
            min_order: step,
        }
    }

    fn shape_b(buy_fill: BuyFill, size_step: Decimal, min_order: Decimal) -> VenueShape {
        VenueShape {
            name: "sim-b",
            fees: FeeSchedule::taker_only(FeeRule {
                coefficient: dec!(0.03),
                exponent: Decimal::ONE,
                fill_quantum: dec!(0.00001),
                cash_quantum: None,
            }),
            buy_fill,
            size_step,
            min_order,
        }
    }

    async fn with_venues(shape_a: VenueShape, shape_b: VenueShape) -> Self {
        let clock = Arc::new(TokioClock::new());
        let venue = |shape: VenueShape| {
            let ids: Arc<dyn IdSource> = Arc::new(SequentialIds::default());
            let sim = SimExchange::new(
                SimConfig::new(shape.name, CASH)
                    .with_latency(Duration::from_millis(50))
                    .with_buy_fill(shape.buy_fill),
                clock.clone(),
                ids,
            );
            let mut market = binary_market(
                MarketKey::new(shape.name, "M"),
                "Will it rain?",
                shape.fees,
                clock.now(),
            )
            .unwrap();
            market.size_step = q(shape.size_step);
            market.min_order_qty = q(shape.min_order);
            sim.add_market(market.clone()).unwrap();
            (Arc::new(Recorded::new(sim)), market)
        };
        let (a, ma) = venue(shape_a);
        let (b, mb) = venue(shape_b);
        let store = Arc::new(MemoryStore::new());
        store
            .upsert_markets(&[ma.clone(), mb.clone()])
            .await
            .unwrap();
        let pair = store
            .insert_pair(&NewPair {
                a: ma.key.clone(),
                b: mb.key.clone(),
                polarity: Polarity::Same,
                rules_hash_a: ma.rules_hash(),
                rules_hash_b: mb.rules_hash(),
                approved_by: "alice".into(),
                approved_at: clock.now(),
                suggestion: None,
                reading: None,
            })
            .await
            .unwrap();
        Self {
            a,
            b,
            store,
            notifier: Arc::new(RecordingNotifier::default()),
            clock,
            pair,
            markets: [ma, mb],
        }
    }

    /// Other traders' YES book on venue A (asks are where we buy YES).
    pub fn book_a(&self, bids: &[(Decimal, Decimal)], asks: &[(Decimal, Decimal)]) {
        let id = self.markets[0].key.market.clone();
        self.a
            .sim
            .set_book(&id, &levels(bids).unwrap(), &levels(asks).unwrap())
            .unwrap();
    }

    /// Other traders' YES book on venue B (we buy NO there: from YES bids at 1 − price).
    pub fn book_b(&self, bids: &[(Decimal, Decimal)], asks: &[(Decimal, Decimal)]) {
        let id = self.markets[1].key.market.clone();
        self.b
            .sim
            .set_book(&id, &levels(bids).unwrap(), &levels(asks).unwrap())
            .unwrap();
    }

    /// Default settings, except market A first and a 5 s order timeout.
    pub fn config() -> ExecutionConfig {
        ExecutionConfig {
            first_leg_rule: FirstLegRule::MarketA,
            order_timeout: Duration::from_secs(5),
            ..ExecutionConfig::default()
        }
    }

    pub fn executor(&self, config: ExecutionConfig) -> Executor {
        self.executor_on(self.store.clone(), config, 0)
    }

    /// An executor over `store`; `ids_after` keeps ids unique across "restarts".
    pub fn executor_on(
        &self,
        store: Arc<dyn Store>,
        config: ExecutionConfig,
        ids_after: u64,
    ) -> Executor {
        Executor::new(
            vec![self.a.clone(), self.b.clone()],
            store,
            self.notifier.clone(),
            self.clock.clone(),
            Arc::new(SequentialIds::starting_after(ids_after)),
            config,
        )
    }

    pub fn markets(&self) -> [&Market; 2] {
        [&self.markets[0], &self.markets[1]]
    }

    /// Buy `qty` YES on A at up to `pa` and NO on B at up to `pb` (fees left to the venues).
    pub fn opportunity(&self, qty: Decimal, pa: Decimal, pb: Decimal) -> Opportunity {
        let leg = |market: &Market, outcome, price: Decimal| OpportunityLeg {
            market: market.key.clone(),
            outcome,
            qty: q(qty),
            limit_price: p(price),
            cost: qty * price,
            fee: Decimal::ZERO,
            levels: vec![Level::new(p(price), q(qty))],
        };
        let total = qty * (pa + pb);
        Opportunity {
            pair_id: self.pair.id,
            leg_a: leg(&self.markets[0], Outcome::Yes, pa),
            leg_b: leg(&self.markets[1], Outcome::No, pb),
            qty: q(qty),
            total_cost: total,
            profit: qty - total,
            profit_fraction: (qty - total) / total,
            detected_at: self.clock.now(),
        }
    }

    /// Contracts the venue says we hold.
    pub async fn venue_qty(&self, venue: &Recorded, outcome: Outcome) -> Decimal {
        venue
            .positions()
            .await
            .unwrap()
            .iter()
            .filter(|p| p.outcome == outcome)
            .map(|p| p.qty.value())
            .sum()
    }

    /// Checks the books: no order sent twice, every order sent is in the store, and a portfolio
    /// rebuilt from the venues' fills matches their positions and cash exactly. Returns it.
    pub async fn assert_books_agree(&self) -> Portfolio {
        let mut portfolio = Portfolio::new(Qty::ZERO);
        for venue in [&self.a, &self.b] {
            let sent = venue.sent();
            let mut unique = sent.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(
                unique.len(),
                sent.len(),
                "an order was sent twice: {sent:?}"
            );
            for id in &sent {
                let stored = self.store.order(id).await.unwrap();
                assert!(stored.is_some(), "order {id} was sent but not stored");
                if let Some(on_venue) = venue.order_by_client_id(id).await.unwrap() {
                    assert_eq!(
                        stored.unwrap().order.filled_qty,
                        on_venue.filled_qty,
                        "stored fills of {id} differ from the venue's"
                    );
                }
            }
            for fill in venue.fills_since(DateTime::UNIX_EPOCH).await.unwrap() {
                portfolio.apply_fill(&fill).unwrap();
            }
            let id = venue.venue();
            let positions = venue.positions().await.unwrap();
            assert_eq!(portfolio.reconcile(&id, &positions), vec![]);
            let balance = venue.balance().await.unwrap();
            assert_eq!(
                balance.total - CASH,
                portfolio.cash_flow(&id),
                "cash of {id}"
            );
        }
        portfolio
    }

    pub fn alerts(&self, severity: Severity) -> Vec<String> {
        self.notifier
            .received()
            .into_iter()
            .filter_map(|n| match n {
                Notification::Alert {
                    severity: s,
                    message,
                } if s == severity => Some(message),
                _ => None,
            })
            .collect()
    }
}
