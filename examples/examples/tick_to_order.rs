//! Measures the engine's internal tick-to-order latency: from a book update reaching the engine
//! to the first order request of the resulting execution being written to the venue, with an
//! RSA-2048 and with an Ed25519 Kalshi key.
//!
//! Set-up: an [`Engine`] in `live` mode over two zero-latency [`SimExchange`]s (`kalshi-sim` as
//! venue A, `poly-sim` as venue B) and a [`MemoryStore`], one approved pair, pair cooldown zero.
//! Each venue is wrapped in [`Timed`]: on venue A, `place_order` first signs the request exactly
//! as the Kalshi adapter does (`Credentials::headers_now("POST",
//! "/trade-api/v2/portfolio/events/orders")`), then notes the instant the signed request is
//! ready to be written, then hands it to the simulated venue. Each round dislocates venue A's
//! book (YES offered at $0.40 against NO at $0.51 on B), waits for the execution to end,
//! restores quiet books on both venues and lets the engine reconcile the fills (20 ms idle, 4 s
//! under load: the pair trades again once they are reconciled). Two intervals are printed per
//! run:
//!
//! - **received → order**: from the moment the engine first receives the dislocated book of
//!   venue A (noted inside the book stream it reads, or in the REST read that polls a quiet
//!   stream's books, whichever delivers it first) to the first order request written on either
//!   venue. This is the issue's "book update
//!   received → first order request written": detection, risk checks, the execution record
//!   written to the store, first-leg choice, order id minting and request signing.
//! - **set_book → order**: the same end point, measured from just before `SimExchange::set_book`
//!   publishes the book; it adds the in-process broadcast hand-off and task wake-up.
//!
//! The first rounds are a warm-up and are not counted. For context, the time to sign one order
//! request by itself is printed too (`signing alone`, measured outside the engine).
//!
//! With the Ed25519 key the engine is measured twice: **idle**, and **under background I/O**:
//! every venue read (`list_markets`, `market`, `order_book(s)`, `fills_since`, `positions`,
//! `balance`) takes 200 ms, positions are reconciled every second and the catalogues re-synced
//! 250 ms after each sync ends (each sync lists both venues: at least 400 ms), so a
//! reconciliation or a catalogue sync is nearly always in flight while books arrive. Order
//! placement keeps the simulated venue's zero latency: the measurement ends when the request is
//! written. The targets: idle p99 ≤ 200 µs, p99 under load ≤ 2 × idle p99.
//!
//! Run it with `cargo run --release -p arb-examples --example tick_to_order`.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use arb_core::Decimal;
use arb_core::clock::{Clock, IdSource, SystemClock, UniqueIds};
use arb_core::engine::{Engine, EngineConfig, EngineParts, TradingMode};
use arb_core::exchange::{BookEvent, BookStream, Exchange, ExchangeError, MarketListing};
use arb_core::model::{
    Balance, BinaryBook, ClientOrderId, Fill, Level, Market, MarketId, MarketKey, Order,
    OrderRequest, Polarity, Position, VenueId, VenueOrderId,
};
use arb_core::notify::{Notification, Notifier, NotifyError};
use arb_core::sim::{SimConfig, SimExchange, binary_market, levels};
use arb_core::store::{MemoryStore, Store};
use arb_examples::Result;
use arb_kalshi::Credentials;
use arb_kalshi::KalshiFees;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use rust_decimal_macros::dec;
use tokio::sync::{mpsc, watch};

/// Counted rounds per idle run.
const ROUNDS: usize = 300;
/// Counted rounds under load (each waits for a slow reconciliation).
const LOADED_ROUNDS: usize = 100;
/// Uncounted rounds first under load.
const LOADED_WARMUP: usize = 5;
/// Uncounted rounds first.
const WARMUP: usize = 20;
/// How long a round may take before the measurement gives up.
const PATIENCE: Duration = Duration::from_secs(10);
/// The path the Kalshi adapter signs when it places an order.
const ORDER_PATH: &str = "/trade-api/v2/portfolio/events/orders";
/// The throwaway RSA-2048 test key of the Kalshi signing test vector (not a credential).
const RSA_TEST_KEY: &str = include_str!("../fixtures/kalshi-test-key-rsa2048.pem");
/// Venue A's market and venue B's market.
const MARKET_A: &str = "RAIN-A";
const MARKET_B: &str = "rain-b";
/// The YES ask on venue A that makes the books dislocate.
const DISLOCATED_ASK: Decimal = dec!(0.40);
/// Venue read latency under load.
const READ_LATENCY: Duration = Duration::from_millis(200);

/// What the engine's calls left behind, shared between the wrappers and the measurement.
#[derive(Debug, Default)]
struct Marks {
    /// When venue A's stream yielded the first dislocated book of this round.
    received: Option<Instant>,
    /// When the first order request of this round was ready to be written.
    first_order: Option<(VenueId, Instant)>,
}

/// A venue wrapper that signs orders like the Kalshi adapter (when it has credentials) and
/// notes when book updates are received and when order requests are written.
struct Timed {
    inner: SimExchange,
    credentials: Option<Credentials>,
    marks: Arc<Mutex<Marks>>,
    /// How long every read takes (zero when idle).
    read_latency: Duration,
}

impl Timed {
    fn marks(&self) -> std::sync::MutexGuard<'_, Marks> {
        self.marks.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Notes the first receipt of the dislocated book, whether streamed or polled (a quiet
    /// stream is also polled, and the poll may deliver the book first).
    fn mark_if_dislocated(&self, book: &BinaryBook) {
        mark_if_dislocated(&self.marks, book);
    }

    /// Waits as long as a read takes.
    async fn read(&self) {
        if !self.read_latency.is_zero() {
            tokio::time::sleep(self.read_latency).await;
        }
    }
}

/// Notes now as the first receipt of the dislocated book this round, if `book` is it.
fn mark_if_dislocated(marks: &Mutex<Marks>, book: &BinaryBook) {
    if is_dislocated(book) {
        let now = Instant::now();
        let mut marks = marks.lock().unwrap_or_else(PoisonError::into_inner);
        marks.received.get_or_insert(now);
    }
}

/// Whether a book event is the dislocated book of venue A.
fn is_dislocated(book: &BinaryBook) -> bool {
    book.yes.best_ask().map(|l| l.price.value()) == Some(DISLOCATED_ASK)
}

#[async_trait]
impl Exchange for Timed {
    fn venue(&self) -> VenueId {
        self.inner.venue()
    }
    async fn list_markets(&self) -> std::result::Result<MarketListing, ExchangeError> {
        self.read().await;
        self.inner.list_markets().await
    }
    async fn market(&self, market: &MarketId) -> std::result::Result<Market, ExchangeError> {
        self.read().await;
        self.inner.market(market).await
    }
    async fn order_book(
        &self,
        market: &MarketId,
    ) -> std::result::Result<BinaryBook, ExchangeError> {
        self.read().await;
        let book = self.inner.order_book(market).await?;
        self.mark_if_dislocated(&book);
        Ok(book)
    }
    async fn order_books(
        &self,
        markets: &[MarketId],
    ) -> std::result::Result<Vec<(MarketId, BinaryBook)>, ExchangeError> {
        self.read().await;
        let books = self.inner.order_books(markets).await?;
        for (_, book) in &books {
            self.mark_if_dislocated(book);
        }
        Ok(books)
    }
    async fn subscribe_books(
        &self,
        markets: &[MarketId],
    ) -> std::result::Result<BookStream, ExchangeError> {
        let marks = Arc::clone(&self.marks);
        let stream = self.inner.subscribe_books(markets).await?;
        Ok(Box::pin(stream.map(move |event| {
            if let BookEvent::Book { book, .. } = &event {
                mark_if_dislocated(&marks, book);
            }
            event
        })))
    }
    async fn place_order(
        &self,
        request: &OrderRequest,
    ) -> std::result::Result<Order, ExchangeError> {
        if let Some(credentials) = &self.credentials {
            let headers = credentials
                .headers_now("POST", ORDER_PATH)
                .map_err(|e| ExchangeError::Auth(e.to_string()))?;
            std::hint::black_box(headers);
        }
        let now = Instant::now();
        self.marks()
            .first_order
            .get_or_insert_with(|| (self.inner.venue(), now));
        self.inner.place_order(request).await
    }
    async fn cancel_order(
        &self,
        order: &VenueOrderId,
    ) -> std::result::Result<Order, ExchangeError> {
        self.inner.cancel_order(order).await
    }
    async fn order(&self, order: &VenueOrderId) -> std::result::Result<Order, ExchangeError> {
        self.inner.order(order).await
    }
    async fn order_by_client_id(
        &self,
        client_order_id: &ClientOrderId,
    ) -> std::result::Result<Option<Order>, ExchangeError> {
        self.inner.order_by_client_id(client_order_id).await
    }
    async fn fills_since(
        &self,
        since: DateTime<Utc>,
    ) -> std::result::Result<Vec<Fill>, ExchangeError> {
        self.read().await;
        self.inner.fills_since(since).await
    }
    async fn positions(&self) -> std::result::Result<Vec<Position>, ExchangeError> {
        self.read().await;
        self.inner.positions().await
    }
    async fn balance(&self) -> std::result::Result<Balance, ExchangeError> {
        self.read().await;
        self.inner.balance().await
    }
}

/// Forwards execution updates that ended to the measurement loop.
struct Finished(mpsc::UnboundedSender<()>);

impl Notifier for Finished {
    fn notify(&self, notification: Notification) -> std::result::Result<(), NotifyError> {
        if let Notification::ExecutionUpdate { execution } = notification
            && execution.state.is_terminal()
        {
            self.0
                .send(())
                .map_err(|e| NotifyError(format!("measurement stopped: {e}")))?;
        }
        Ok(())
    }
}

/// One zero-latency simulated venue listing `market` with a quiet book.
fn venue(name: &str, market: &str, clock: &Arc<dyn Clock>) -> Result<SimExchange> {
    let ids: Arc<dyn IdSource> = Arc::new(UniqueIds::default());
    let venue = SimExchange::new(
        SimConfig::new(name, dec!(10_000_000)),
        Arc::clone(clock),
        ids,
    );
    venue.add_market(binary_market(
        MarketKey::new(name, market),
        "Will it rain in Paris on Dec 31, 2026?",
        KalshiFees::quadratic(Decimal::ONE).schedule(),
        clock.now() + chrono::Duration::days(30),
    )?)?;
    quiet(&venue, market)?;
    Ok(venue)
}

/// YES bid $0.49 / ask $0.51: no opportunity between the two venues.
fn quiet(venue: &SimExchange, market: &str) -> Result<()> {
    let (bids, asks) = (quiet_bids()?, levels(&[(dec!(0.51), dec!(50))])?);
    venue.set_book(&market.into(), &bids, &asks)?;
    Ok(())
}

fn quiet_bids() -> Result<Vec<Level>> {
    Ok(levels(&[(dec!(0.49), dec!(50))])?)
}

/// Latencies of one key, in microseconds.
struct Samples {
    from_received: Vec<u128>,
    from_set_book: Vec<u128>,
    first_on_b: usize,
}

/// Idle, or with slow venue reads and busy background work.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scenario {
    Idle,
    Loaded,
}

/// The engine's settings for `scenario`: live, no cooldown, limits out of the way.
fn config(scenario: Scenario) -> EngineConfig {
    let mut config = EngineConfig::new(TradingMode::Live);
    config.risk.pair_cooldown = chrono::Duration::zero();
    config.risk.max_exposure_per_market_usd = dec!(1_000_000_000);
    config.risk.max_total_exposure_usd = dec!(1_000_000_000);
    config.reconcile_interval = Duration::from_millis(500);
    config.control_poll_interval = Duration::from_millis(500);
    config.execution.poll_interval = Duration::from_millis(5);
    if scenario == Scenario::Loaded {
        config.reconcile_interval = Duration::from_secs(1);
        config.catalogue_sync_interval = Duration::from_millis(250);
    }
    config
}

/// Runs the engine with `credentials` signing venue A's orders and measures every round.
async fn measure(credentials: Credentials, scenario: Scenario) -> Result<Samples> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let (a, b) = (
        venue("kalshi-sim", MARKET_A, &clock)?,
        venue("poly-sim", MARKET_B, &clock)?,
    );
    let marks = Arc::new(Mutex::new(Marks::default()));
    let read_latency = match scenario {
        Scenario::Idle => Duration::ZERO,
        Scenario::Loaded => READ_LATENCY,
    };
    let timed = |inner: &SimExchange, credentials: Option<Credentials>| -> Arc<dyn Exchange> {
        Arc::new(Timed {
            inner: inner.clone(),
            credentials,
            marks: Arc::clone(&marks),
            read_latency,
        })
    };
    let config = config(scenario);
    let (done_tx, mut done) = mpsc::unbounded_channel();
    let engine = Arc::new(Engine::new(EngineParts {
        venues: vec![timed(&a, Some(credentials)), timed(&b, None)],
        store: Arc::new(MemoryStore::new()) as Arc<dyn Store>,
        notifier: Arc::new(Finished(done_tx)),
        clock,
        ids: Arc::new(UniqueIds::default()),
        config,
    })?);
    let handle = engine.handle();
    handle.sync_markets().await?;
    handle
        .approve_pair(
            &MarketKey::new("kalshi-sim", MARKET_A),
            &MarketKey::new("poly-sim", MARKET_B),
            Polarity::Same,
            "measure",
        )
        .await?;
    let (shutdown, shutdown_rx) = watch::channel(false);
    let task = tokio::spawn({
        let engine = Arc::clone(&engine);
        async move { engine.run(shutdown_rx).await }
    });
    // Let the engine subscribe and read the first books (and, under load, the first
    // reconciliation and catalogue sync start).
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let dislocated_asks = levels(&[(DISLOCATED_ASK, dec!(20))])?;
    let dislocated_bids = levels(&[(dec!(0.38), dec!(20))])?;
    let mut samples = Samples {
        from_received: Vec::with_capacity(ROUNDS),
        from_set_book: Vec::with_capacity(ROUNDS),
        first_on_b: 0,
    };
    let (rounds, warmup, settle) = match scenario {
        Scenario::Idle => (ROUNDS, WARMUP, Duration::from_millis(20)),
        // The pair trades again once the reconciliation that started after its execution ended
        // has picked up the fills: the running round and a whole new one (≈ 1.6 s each).
        Scenario::Loaded => (LOADED_ROUNDS, LOADED_WARMUP, Duration::from_secs(4)),
    };
    for round in 0..warmup + rounds {
        *marks.lock().unwrap_or_else(PoisonError::into_inner) = Marks::default();
        let published = Instant::now();
        a.set_book(&MARKET_A.into(), &dislocated_bids, &dislocated_asks)?;
        tokio::time::timeout(PATIENCE, done.recv())
            .await
            .map_err(|_| format!("round {round}: no execution ended in time"))?
            .ok_or("the engine dropped its notifier")?;
        let Marks {
            received,
            first_order,
        } = std::mem::take(&mut *marks.lock().unwrap_or_else(PoisonError::into_inner));
        let received = received.ok_or("the dislocated book was never received")?;
        let (venue, ordered) = first_order.ok_or("the execution sent no order")?;
        if round >= warmup {
            samples
                .from_received
                .push(ordered.duration_since(received).as_micros());
            samples
                .from_set_book
                .push(ordered.duration_since(published).as_micros());
            samples.first_on_b += usize::from(venue != a.venue());
        }
        quiet(&a, MARKET_A)?;
        quiet(&b, MARKET_B)?;
        // Let the engine take in the quiet books and reconcile before the next dislocation.
        tokio::time::sleep(settle).await;
    }
    shutdown.send(true)?;
    task.await??;
    Ok(samples)
}

/// How long signing one order request takes by itself, in microseconds, for context.
fn signing_alone(credentials: &Credentials) -> Result<Vec<u128>> {
    (0..ROUNDS)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(credentials.headers_now("POST", ORDER_PATH)?);
            Ok(start.elapsed().as_micros())
        })
        .collect()
}

/// `count median p90 p99 max` of microsecond samples.
fn summary(samples: &mut [u128]) -> String {
    samples.sort_unstable();
    let at = |percent| percentile(samples, percent);
    format!(
        "n={:<4} median {:>6} µs  p90 {:>6} µs  p99 {:>6} µs  max {:>6} µs",
        samples.len(),
        at(50),
        at(90),
        at(99),
        samples.last().copied().unwrap_or(0)
    )
}

/// The `p`th percentile (nearest rank) of sorted samples.
fn percentile(sorted: &[u128], p: usize) -> u128 {
    let rank = (p * sorted.len()).div_ceil(100);
    sorted
        .get(rank.clamp(1, sorted.len().max(1)) - 1)
        .copied()
        .unwrap_or(0)
}

#[tokio::main]
async fn main() -> Result<()> {
    let ed25519_pem = {
        use ed25519_dalek::pkcs8::EncodePrivateKey;
        use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
        // A fixed throwaway seed: signing time does not depend on the key's value.
        let key = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
        key.to_pkcs8_pem(LineEnding::LF)?
    };
    let runs = [
        (
            "RSA-2048 (RSA-PSS SHA-256), idle",
            RSA_TEST_KEY.to_owned(),
            Scenario::Idle,
        ),
        ("Ed25519, idle", ed25519_pem.to_string(), Scenario::Idle),
        (
            "Ed25519, under background I/O (200 ms reads, reconcile every 1 s, catalogue sync running)",
            ed25519_pem.to_string(),
            Scenario::Loaded,
        ),
    ];
    println!(
        "tick-to-order on simulated venues, {ROUNDS} dislocations per idle run and \
         {LOADED_ROUNDS} under load ({WARMUP} and {LOADED_WARMUP} warm-up rounds not counted)"
    );
    let mut ed25519_p99 = Vec::new();
    for (name, pem, scenario) in runs {
        let credentials = Credentials::from_pem("measure-key", &pem)?;
        let mut signing = signing_alone(&credentials)?;
        let mut samples = measure(credentials, scenario).await?;
        println!("\n{name}:");
        println!("  signing alone:     {}", summary(&mut signing));
        println!(
            "  received → order:  {}",
            summary(&mut samples.from_received)
        );
        println!(
            "  set_book → order:  {}",
            summary(&mut samples.from_set_book)
        );
        if samples.first_on_b > 0 {
            println!(
                "  ({} rounds sent their first (unsigned) order to venue B)",
                samples.first_on_b
            );
        }
        if name.starts_with("Ed25519") {
            ed25519_p99.push(percentile(&samples.from_received, 99));
        }
    }
    if let [idle, loaded] = ed25519_p99[..] {
        let hundredths = loaded * 100 / idle.max(1);
        println!(
            "\nEd25519 received → order p99: idle {idle} µs (target ≤ 200 µs: {}), under load \
             {loaded} µs = {}.{:02} × idle (target ≤ 2 ×: {})",
            if idle <= 200 { "met" } else { "NOT met" },
            hundredths / 100,
            hundredths % 100,
            if loaded <= 2 * idle { "met" } else { "NOT met" },
        );
    }
    Ok(())
}
