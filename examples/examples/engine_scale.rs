//! Measures the engine's resident memory while it watches 1,000 active pairs.
//!
//! Set-up: two zero-latency [`SimExchange`]s with 1,000 binary markets each, a [`MemoryStore`],
//! the catalogues synced and 1,000 pairs approved through the [`EngineHandle`]
//! (`kalshi-sim` market *i* = `poly-sim` market *i*). One [`SimMarketMaker`] moves all 2,000
//! books (10 levels per side, occasional 8-tick dislocations) every 250 ms while the engine runs in
//! `monitor` mode for 10 s: it streams every book, runs the detector on each change and records
//! the opportunities it sees, but never trades.
//!
//! Printed: the process's `VmRSS` before the venues are built, after the venues and books exist
//! (before the engine starts), and at the end with the engine running, plus the peak `VmHWM`,
//! all read from `/proc/self/status` (Linux only). The process holds the venues too, so the
//! engine's own share is the difference between the last two `VmRSS` figures.
//!
//! Run it with `cargo run --release -p arb-examples --example engine_scale`.

use std::sync::Arc;
use std::time::Duration;

use arb_core::Decimal;
use arb_core::clock::{Clock, SystemClock, UniqueIds};
use arb_core::engine::{Engine, EngineConfig, EngineHandle, EngineParts, TradingMode};
use arb_core::exchange::Exchange;
use arb_core::model::{MarketKey, Polarity, Qty};
use arb_core::notify::{Notification, Notifier, NotifyError};
use arb_core::sim::{
    PairedMarkets, RandomWalk, SimConfig, SimExchange, SimMarketMaker, binary_market,
};
use arb_core::store::{MemoryStore, Store};
use arb_examples::Result;
use arb_kalshi::KalshiFees;
use rust_decimal_macros::dec;
use tokio::sync::watch;

/// Active pairs.
const PAIRS: usize = 1_000;
/// How long the engine watches moving books.
const WATCH: Duration = Duration::from_secs(10);
/// How long a handle call or the engine's shutdown may take before the example gives up.
const PATIENCE: Duration = Duration::from_secs(20);
/// How often every book moves.
const STEP: Duration = Duration::from_millis(250);

/// Counts notifications and drops them (a real daemon would send them to Discord).
#[derive(Default)]
struct Counting(std::sync::atomic::AtomicUsize);

impl Notifier for Counting {
    fn notify(&self, _: Notification) -> std::result::Result<(), NotifyError> {
        self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }
}

/// A `/proc/self/status` field in kB.
fn status_kb(field: &str) -> Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find(|l| l.starts_with(field))
        .ok_or_else(|| format!("no {field} in /proc/self/status"))?;
    let kb = line
        .trim_start_matches(field)
        .trim_start_matches(':')
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()?;
    Ok(kb)
}

fn mib(kb: u64) -> String {
    format!("{:.1} MiB", kb as f64 / 1024.0)
}

/// A venue listing markets `{prefix}-0` … `{prefix}-999`.
fn venue(name: &str, prefix: &str, clock: &Arc<dyn Clock>) -> Result<SimExchange> {
    let venue = SimExchange::new(
        SimConfig::new(name, dec!(100_000)),
        Arc::clone(clock),
        Arc::new(UniqueIds::default()),
    );
    for i in 0..PAIRS {
        venue.add_market(binary_market(
            MarketKey::new(name, format!("{prefix}-{i}")),
            format!("Will event number {i} happen by Dec 31, 2026?"),
            KalshiFees::quadratic(Decimal::ONE).schedule(),
            clock.now() + chrono::Duration::days(30),
        )?)?;
    }
    Ok(venue)
}

async fn approve_all(handle: &EngineHandle) -> Result<()> {
    handle.sync_markets().await?;
    for i in 0..PAIRS {
        handle
            .approve_pair(
                &MarketKey::new("kalshi-sim", format!("K-{i}")),
                &MarketKey::new("poly-sim", format!("p-{i}")),
                Polarity::Same,
                "measure",
            )
            .await?;
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    let rss_start = status_kb("VmRSS")?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let (a, b) = (
        venue("kalshi-sim", "K", &clock)?,
        venue("poly-sim", "p", &clock)?,
    );
    let pairs = (0..PAIRS)
        .map(|i| PairedMarkets {
            a: format!("K-{i}").into(),
            b: format!("p-{i}").into(),
            polarity: Polarity::Same,
        })
        .collect();
    let mut walk = RandomWalk::new(9);
    walk.depth_levels = 10;
    walk.level_qty = Qty::new(dec!(50))?;
    walk.dislocation_chance = 0.02;
    // Wide enough to beat both venues' taker fees and the 1% minimum profit.
    walk.dislocation_ticks = 8;
    let mut maker = SimMarketMaker::new(a.clone(), b.clone(), pairs, walk)?;
    maker.step()?;

    let notifications = Arc::new(Counting::default());
    let engine = Arc::new(Engine::new(EngineParts {
        venues: vec![
            Arc::new(a.clone()) as Arc<dyn Exchange>,
            Arc::new(b.clone()),
        ],
        store: Arc::new(MemoryStore::new()) as Arc<dyn Store>,
        notifier: Arc::clone(&notifications) as Arc<dyn Notifier>,
        clock,
        ids: Arc::new(UniqueIds::default()),
        config: EngineConfig::new(TradingMode::Monitor),
    })?);
    let handle = engine.handle();
    approve_all(&handle).await?;
    let rss_before_engine = status_kb("VmRSS")?;

    let (shutdown, shutdown_rx) = watch::channel(false);
    let task = tokio::spawn({
        let engine = Arc::clone(&engine);
        async move { engine.run(shutdown_rx).await }
    });
    let started = tokio::time::Instant::now();
    let mut ticker = tokio::time::interval(STEP);
    let mut steps = 0_usize;
    while started.elapsed() < WATCH {
        ticker.tick().await;
        maker.step()?;
        steps += 1;
    }
    let (rss_running, hwm) = (status_kb("VmRSS")?, status_kb("VmHWM")?);
    let status = tokio::time::timeout(PATIENCE, handle.status())
        .await
        .map_err(|_| "handle.status() did not answer in time")??;
    let opportunities = tokio::time::timeout(PATIENCE, handle.opportunities(usize::MAX))
        .await
        .map_err(|_| "handle.opportunities() did not answer in time")??
        .len();
    shutdown.send(true)?;
    tokio::time::timeout(PATIENCE, task)
        .await
        .map_err(|_| "the engine did not stop in time")???;

    println!(
        "engine in {} mode, {} active pairs, {} markets on two simulated venues, \
         {steps} book moves of all {} books over {} s (10 levels per side)",
        status.mode,
        status.active_pairs,
        2 * PAIRS,
        2 * PAIRS,
        WATCH.as_secs()
    );
    println!(
        "{opportunities} opportunities recorded, {} notifications; venues: {}",
        notifications.0.load(std::sync::atomic::Ordering::Relaxed),
        status
            .venues
            .iter()
            .map(|v| format!(
                "{} {} (last book {})",
                v.venue,
                if v.connected { "streaming" } else { "down" },
                v.last_book_at
                    .map_or_else(|| "never".to_owned(), |t| t.format("%T%.3f").to_string())
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!("VmRSS at start:                 {}", mib(rss_start));
    println!(
        "VmRSS before the engine runs:   {} (venues, books, store, 1,000 pairs)",
        mib(rss_before_engine)
    );
    println!("VmRSS with the engine running:  {}", mib(rss_running));
    println!(
        "engine's share (difference):    {}",
        mib(rss_running.saturating_sub(rss_before_engine))
    );
    println!("VmHWM (peak):                   {}", mib(hwm));
    Ok(())
}
