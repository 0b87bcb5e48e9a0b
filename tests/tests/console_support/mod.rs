//! A web console over the demo's simulated venues and a fresh SQLite store, with a trader
//! (`alice`) and a read-only user (`bob`): shared by the console's HTTP and browser tests.

use std::sync::Arc;
use std::time::Duration;

use arb_core::clock::{Clock, SystemClock};
use arb_core::engine::{Engine, EngineHandle};
use arb_core::model::DailyPnl;
use arb_core::store::Store;
use arb_daemon::Secret;
use arb_daemon::commands::demo_engine_config;
use arb_daemon::config::{ConsoleConfig, ConsoleRole, ConsoleToken};
use arb_daemon::console::{self, Console};
use arb_daemon::demo::DemoVenues;
use arb_daemon::shutdown::ShutdownTrigger;
use rust_decimal_macros::dec;
use tokio::task::JoinHandle;

/// `alice`'s token: a trader.
pub const TRADER_TOKEN: &str = "alice-trader-token-0123456789";
/// `bob`'s token: read-only.
pub const VIEWER_TOKEN: &str = "bob-viewer-token-0123456789";

/// A console being served, and what is behind it.
pub struct Fixture {
    /// The simulated venues (to move their books).
    pub venues: DemoVenues,
    /// The engine, not running yet.
    pub engine: Arc<Engine>,
    /// Its handle.
    pub handle: EngineHandle,
    /// The store.
    pub store: Arc<dyn Store>,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    stop: ShutdownTrigger,
    served: JoinHandle<std::io::Result<()>>,
    _dir: tempfile::TempDir,
}

impl Fixture {
    /// Stops the console and checks it ends promptly, open live streams included.
    pub async fn stop(self) {
        self.stop.trigger();
        tokio::time::timeout(Duration::from_secs(10), self.served)
            .await
            .expect("the console stops at shutdown, live streams included")
            .unwrap()
            .unwrap();
    }
}

fn users(readonly_open: bool) -> ConsoleConfig {
    let token = |name: &str, role, token: &str| ConsoleToken {
        name: name.into(),
        role,
        token: Secret::new(token),
    };
    ConsoleConfig {
        addr: None,
        tokens: vec![
            token("alice", ConsoleRole::Trader, TRADER_TOKEN),
            token("bob", ConsoleRole::Viewer, VIEWER_TOKEN),
        ],
        readonly_open,
    }
}

/// [`start_with`] pages closed to anyone not signed in.
pub async fn start() -> Fixture {
    start_with(false).await
}

/// The demo's venues, engine and store with a synced catalogue, suggestions and three earlier
/// days of PnL (so the charts have history), and the console over them on a free port; with
/// `readonly_open`, anyone may read it without signing in.
pub async fn start_with(readonly_open: bool) -> Fixture {
    // The tests' HTTP clients (reqwest over rustls) need a crypto provider; this one is ring.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let venues = DemoVenues::new(Arc::clone(&clock), 7).unwrap();
    let url = format!("sqlite://{}", dir.path().join("console.db").display());
    let store: Arc<dyn Store> = Arc::new(arb_store::connect(&url).await.unwrap());
    let engine = venues
        .engine(Arc::clone(&store), clock, demo_engine_config())
        .unwrap();
    let handle = engine.handle();
    handle.sync_markets().await.unwrap();
    assert!(!handle.find_matches(None).await.unwrap().is_empty());
    let today = handle.today();
    for (days_ago, realized, locked_in) in [
        (3, dec!(1.20), dec!(0)),
        (2, dec!(-0.45), dec!(0.80)),
        (1, dec!(2.10), dec!(0.80)),
    ] {
        let day = DailyPnl {
            date: today - chrono::Duration::days(days_ago),
            realized,
            locked_in,
            unrealized: dec!(0),
            fees: dec!(0.05),
            executions: 2,
        };
        store.upsert_daily_pnl(&day).await.unwrap();
    }
    let (stop, signal) = arb_daemon::shutdown::channel();
    let web = Console::new(&users(readonly_open), handle.clone(), signal)
        .with_refresh(Duration::from_millis(300));
    let (addr, served) = console::serve("127.0.0.1:0".parse().unwrap(), web)
        .await
        .unwrap();
    Fixture {
        venues,
        engine: Arc::new(engine),
        handle,
        store,
        base: format!("http://{addr}"),
        stop,
        served,
        _dir: dir,
    }
}
