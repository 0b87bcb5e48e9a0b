//! A panic in an engine task is never silent: a panicking book feed is counted, alerted and
//! restarted; a panicking execution or reconciliation is counted and halts trading (the persisted
//! kill switch) with a critical alert; a panicking catalogue sync counts as an incomplete sync.

// Test set-up helpers: a failure there is a broken test and should panic.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Duration;

use arb_core::clock::{Clock, SequentialIds, SystemClock};
use arb_core::engine::{Engine, EngineConfig, EngineHandle, EngineParts, TaskCounts, TradingMode};
use arb_core::exchange::{BookStream, Exchange, ExchangeError, MarketListing};
use arb_core::fees::FeeSchedule;
use arb_core::model::{
    Balance, BinaryBook, ClientOrderId, Fill, Market, MarketId, MarketKey, Order, OrderRequest,
    Polarity, Position, VenueId, VenueOrderId,
};
use arb_core::notify::{Notification, RecordingNotifier, Severity};
use arb_core::sim::{SimConfig, SimExchange, binary_market, levels};
use arb_core::store::{MemoryStore, Store};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use rust_decimal_macros::dec;

/// A simulated venue whose first `stream_panics` book streams panic on their first event, and
/// whose orders, positions (reconciliation) or listing (catalogue sync) panic while the flag is
/// set.
struct Panicky {
    sim: SimExchange,
    subscriptions: AtomicU32,
    stream_panics: u32,
    orders_panic: AtomicBool,
    positions_panic: AtomicBool,
    listing_panics: AtomicBool,
}

#[async_trait]
impl Exchange for Panicky {
    fn venue(&self) -> VenueId {
        self.sim.venue()
    }
    async fn list_markets(&self) -> Result<MarketListing, ExchangeError> {
        assert!(
            !self.listing_panics.load(Ordering::SeqCst),
            "catalogue parser bug"
        );
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
        let n = self.subscriptions.fetch_add(1, Ordering::SeqCst);
        let stream = self.sim.subscribe_books(markets).await?;
        if n >= self.stream_panics {
            return Ok(stream);
        }
        Ok(Box::pin(stream.map(|_| -> arb_core::exchange::BookEvent {
            panic!("feed decoder bug")
        })))
    }
    async fn place_order(&self, request: &OrderRequest) -> Result<Order, ExchangeError> {
        assert!(
            !self.orders_panic.load(Ordering::SeqCst),
            "order encoder bug"
        );
        self.sim.place_order(request).await
    }
    async fn cancel_order(&self, order: &VenueOrderId) -> Result<Order, ExchangeError> {
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
        assert!(
            !self.positions_panic.load(Ordering::SeqCst),
            "positions parser bug"
        );
        self.sim.positions().await
    }
    async fn balance(&self) -> Result<Balance, ExchangeError> {
        self.sim.balance().await
    }
}

struct Rig {
    a: Arc<Panicky>,
    b: SimExchange,
    store: Arc<MemoryStore>,
    notifier: Arc<RecordingNotifier>,
    engine: Arc<Engine>,
    handle: EngineHandle,
}

fn sim(name: &str, market: &str, clock: &Arc<dyn Clock>) -> SimExchange {
    let sim = SimExchange::new(
        SimConfig::new(name, dec!(1000)),
        Arc::clone(clock),
        Arc::new(SequentialIds::default()),
    );
    let close = Utc::now() + chrono::Duration::days(30);
    sim.add_market(
        binary_market(
            MarketKey::new(name, market),
            "Will it rain in Paris on Dec 31, 2026?",
            FeeSchedule::FREE,
            close,
        )
        .unwrap(),
    )
    .unwrap();
    sim.set_book(
        &market.into(),
        &levels(&[(dec!(0.49), dec!(50))]).unwrap(),
        &levels(&[(dec!(0.51), dec!(50))]).unwrap(),
    )
    .unwrap();
    sim
}

async fn rig(mode: TradingMode, stream_panics: u32, orders_panic: bool) -> Rig {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let a = Arc::new(Panicky {
        sim: sim("va", "A1", &clock),
        subscriptions: AtomicU32::new(0),
        stream_panics,
        orders_panic: AtomicBool::new(orders_panic),
        positions_panic: AtomicBool::new(false),
        listing_panics: AtomicBool::new(false),
    });
    let b = sim("vb", "B1", &clock);
    let store = Arc::new(MemoryStore::new());
    let notifier = Arc::new(RecordingNotifier::default());
    let mut config = EngineConfig::new(mode);
    config.control_poll_interval = Duration::from_millis(50);
    config.reconcile_interval = Duration::from_millis(200);
    config.price_fetch_interval = Duration::from_millis(100);
    config.catalogue_sync_interval = Duration::from_millis(200);
    config.execution.order_timeout = Duration::from_secs(2);
    config.execution.poll_interval = Duration::from_millis(20);
    let engine = Engine::new(EngineParts {
        venues: vec![Arc::clone(&a) as Arc<dyn Exchange>, Arc::new(b.clone())],
        store: Arc::clone(&store) as Arc<dyn Store>,
        notifier: Arc::clone(&notifier) as _,
        clock,
        ids: Arc::new(SequentialIds::default()),
        config,
    })
    .unwrap();
    let handle = engine.handle();
    handle.sync_markets().await.unwrap();
    handle
        .approve_pair(
            &MarketKey::new("va", "A1"),
            &MarketKey::new("vb", "B1"),
            Polarity::Same,
            "tester",
        )
        .await
        .unwrap();
    Rig {
        a,
        b,
        store,
        notifier,
        engine: Arc::new(engine),
        handle,
    }
}

impl Rig {
    fn start(
        &self,
    ) -> (
        tokio::sync::watch::Sender<bool>,
        tokio::task::JoinHandle<()>,
    ) {
        let (tx, rx) = tokio::sync::watch::channel(false);
        let engine = Arc::clone(&self.engine);
        (
            tx,
            tokio::spawn(async move { engine.run(rx).await.unwrap() }),
        )
    }

    /// YES on A at 0.40 and NO on B at 0.45 (YES bids 0.55): 0.85 < $1.
    fn dislocate(&self) {
        self.a
            .sim
            .set_book(
                &"A1".into(),
                &levels(&[(dec!(0.38), dec!(20))]).unwrap(),
                &levels(&[(dec!(0.40), dec!(20))]).unwrap(),
            )
            .unwrap();
        self.b
            .set_book(
                &"B1".into(),
                &levels(&[(dec!(0.55), dec!(20))]).unwrap(),
                &levels(&[(dec!(0.57), dec!(20))]).unwrap(),
            )
            .unwrap();
    }

    /// Waits (10 s at most) until `done` holds of the engine's task counts.
    async fn tasks_until(&self, done: impl Fn(&TaskCounts) -> bool, task: &str) -> TaskCounts {
        for _ in 0..400 {
            let counts = self.handle.status().await.unwrap().tasks;
            if let Some(c) = counts.get(task).filter(|c| done(c)) {
                return *c;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        self.handle
            .status()
            .await
            .unwrap()
            .tasks
            .get(task)
            .copied()
            .unwrap_or_default()
    }

    fn critical_alerts(&self) -> Vec<String> {
        self.notifier
            .received()
            .into_iter()
            .filter_map(|n| match n {
                Notification::Alert {
                    severity: Severity::Critical,
                    message,
                } => Some(message),
                _ => None,
            })
            .collect()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_book_feed_is_counted_alerted_and_restarted() {
    let rig = rig(TradingMode::Monitor, 1, false).await;
    let (stop, task) = rig.start();
    rig.dislocate();
    let counts = rig.tasks_until(|c| c.restarts >= 1, "feed:va").await;
    // The restarted feed subscribes again and delivers: the dislocation is seen.
    rig.dislocate();
    let subscriptions = rig.a.subscriptions.load(Ordering::SeqCst);
    stop.send(true).unwrap();
    task.await.unwrap();
    assert_eq!(
        counts,
        TaskCounts {
            panics: 1,
            restarts: 1
        }
    );
    assert!(subscriptions >= 2, "the feed subscribed again");
    let alerts = rig.critical_alerts();
    assert!(
        alerts
            .iter()
            .any(|a| a == "task `feed:va` panicked: feed decoder bug; restarting it in 1s"),
        "{alerts:?}"
    );
    assert!(
        rig.handle.status().await.unwrap().halted.is_none(),
        "a feed panic does not halt trading"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_execution_halts_trading_with_an_alert() {
    let rig = rig(TradingMode::Live, 0, true).await;
    let (stop, task) = rig.start();
    rig.dislocate();
    let counts = rig.tasks_until(|c| c.panics >= 1, "execution").await;
    let mut halted = None;
    for _ in 0..200 {
        halted = rig.store.setting("kill_switch").await.unwrap();
        if halted.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    stop.send(true).unwrap();
    task.await.unwrap();
    assert_eq!(counts.panics, 1);
    let reason = halted.expect("the kill switch is persisted");
    assert_eq!(
        reason,
        "task `execution` panicked: order encoder bug; recovery runs at next start (by engine)"
    );
    assert_eq!(
        rig.handle.status().await.unwrap().halted.as_deref(),
        Some(reason.as_str())
    );
    let alerts = rig.critical_alerts();
    assert!(
        alerts.contains(&format!("Trading halted: {reason}")),
        "{alerts:?}"
    );
}

/// Waits (5 s at most) for the persisted kill switch.
async fn kill_switch(store: &MemoryStore) -> Option<String> {
    for _ in 0..200 {
        if let Some(reason) = store.setting("kill_switch").await.unwrap() {
            return Some(reason);
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_reconciliation_halts_trading_with_an_alert() {
    let rig = rig(TradingMode::Live, 0, false).await;
    rig.a.positions_panic.store(true, Ordering::SeqCst);
    let (stop, task) = rig.start();
    let counts = rig.tasks_until(|c| c.panics >= 1, "reconcile").await;
    let halted = kill_switch(&rig.store).await;
    stop.send(true).unwrap();
    task.await.unwrap();
    assert!(counts.panics >= 1, "{counts:?}");
    let reason = halted.expect("the kill switch is persisted");
    assert!(
        reason.starts_with("task `reconcile` panicked: positions parser bug"),
        "{reason}"
    );
    let alerts = rig.critical_alerts();
    assert!(
        alerts.contains(&format!("Trading halted: {reason}")),
        "{alerts:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_catalogue_sync_counts_as_an_incomplete_sync() {
    let rig = rig(TradingMode::Monitor, 0, false).await;
    rig.a.listing_panics.store(true, Ordering::SeqCst);
    let (stop, task) = rig.start();
    let counts = rig.tasks_until(|c| c.panics >= 1, "catalogue_sync").await;
    let mut status = rig.handle.status().await.unwrap();
    for _ in 0..200 {
        if status.catalogue.failures_total >= 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
        status = rig.handle.status().await.unwrap();
    }
    stop.send(true).unwrap();
    task.await.unwrap();
    assert!(counts.panics >= 1, "{counts:?}");
    assert!(
        status.catalogue.failures_total >= 1,
        "{:?}",
        status.catalogue
    );
    let problem = status.catalogue.last_problem.unwrap_or_default();
    assert!(problem.contains("catalogue parser bug"), "{problem}");
    assert!(
        status.halted.is_none(),
        "a catalogue panic does not halt trading"
    );
    assert!(
        rig.critical_alerts()
            .iter()
            .any(|a| a.starts_with("task `catalogue_sync` panicked: catalogue parser bug")),
        "{:?}",
        rig.critical_alerts()
    );
}
