//! `arb-daemon demo`: the whole pipeline on two simulated venues with the embedded SQLite store —
//! no credentials, no network, no database server.
//!
//! Catalogue sync → matching suggestions → the best equivalent pairs auto-approved (demo
//! behaviour only: the real daemon never approves a pair by itself) → live detection on
//! random-walk books with dislocations → executions (one scripted so that the first leg fills
//! only partly and the hedge follows the filled quantity) → final tables.

pub mod catalogue;
mod console;
mod report;
mod venues;

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use arb_core::clock::{Clock, SystemClock, UniqueIds};
use arb_core::engine::{Engine, EngineConfig, EngineParts};
use arb_core::exchange::Exchange;
use arb_backtest::recording::{RecordingTap, TappedExchange};
use arb_core::model::{PairStatus, VerifiedPair};
use arb_core::record::SharedTap;
use arb_core::notify::LogNotifier;
use arb_core::store::Store;

use crate::commands::CommandError;

pub use venues::DemoVenues;

/// Demo settings.
#[derive(Clone, Debug)]
pub struct DemoOptions {
    /// How long the live phase runs.
    pub duration: Duration,
    /// The SQLite file (replaced at the start).
    pub database: PathBuf,
    /// Seed of the simulated books.
    pub seed: u64,
    /// How many equivalent pairs to auto-approve.
    pub max_pairs: usize,
    /// Replace `database` even if it is not a store the demo wrote.
    pub force: bool,
    /// Serve the web console with these settings (`--console`), until Ctrl-C after the demo.
    pub console: Option<crate::config::ConsoleConfig>,
    /// Record the simulated venues' books and the approved pairs into this directory
    /// (`--record`).
    pub record: Option<PathBuf>,
}

impl From<&crate::cli::DemoArgs> for DemoOptions {
    fn from(args: &crate::cli::DemoArgs) -> Self {
        let defaults = Self::default();
        Self {
            duration: Duration::from_secs(args.seconds),
            database: args.database.clone().unwrap_or(defaults.database),
            seed: args.seed,
            max_pairs: defaults.max_pairs,
            force: args.force,
            console: None,
            record: args.record.clone(),
        }
    }
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            duration: Duration::from_secs(20),
            database: std::env::temp_dir().join("arb-demo.db"),
            seed: 7,
            max_pairs: 6,
            force: false,
            console: None,
            record: None,
        }
    }
}

/// What the demo did, for tests and the closing summary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DemoSummary {
    /// Suggestions the matcher made.
    pub suggestions: usize,
    /// Pairs approved.
    pub pairs: usize,
    /// Opportunities recorded.
    pub opportunities: usize,
    /// Executions by final state name.
    pub executions: Vec<(String, usize)>,
    /// Whether an execution hedged a partial first leg.
    pub partial_fill_hedged: bool,
}

/// Runs the demo, printing progress and the final tables to `out`.
///
/// # Errors
/// A store, engine or output failure.
pub async fn run(
    options: &DemoOptions,
    engine_config: EngineConfig,
    out: &mut (dyn Write + Send),
) -> Result<DemoSummary, CommandError> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let venues = DemoVenues::new(Arc::clone(&clock), options.seed)?;
    let store = open_store(&options.database, options.force).await?;
    writeln!(
        out,
        "== arb-daemon demo: two simulated venues, SQLite store at {}",
        options.database.display()
    )?;

    let tap = match &options.record {
        Some(dir) => Some(Arc::new(RecordingTap::create(dir, Arc::clone(&clock))?)),
        None => None,
    };
    let raw_tap = tap.as_ref().map(|t| Arc::clone(t) as SharedTap);
    let engine = venues.tapped_engine(Arc::clone(&store), clock, engine_config, raw_tap)?;
    let handle = engine.handle();
    let (stop_console, console_signal) = crate::shutdown::channel();
    let served = match &options.console {
        Some(config) => Some(console::start(config, &handle, console_signal, out).await?),
        None => None,
    };

    writeln!(out, "\n== 1. Catalogue sync")?;
    for synced in handle.sync_markets().await?.venues {
        writeln!(
            out,
            "   {:<16} {} open markets",
            synced.venue, synced.stored
        )?;
    }

    writeln!(out, "\n== 2. Matching suggestions (best first)")?;
    let suggestions = handle.find_matches(None).await?;
    report::suggestions(out, &suggestions)?;

    writeln!(
        out,
        "\n== 3. Approval — DEMO BEHAVIOUR: auto-approving up to {} suggestions with no settlement warning (a polarity note is fine).",
        options.max_pairs
    )?;
    writeln!(
        out,
        "   (The real daemon never approves a pair by itself: a person does, on Discord or with `pairs approve`.)"
    )?;
    let mut approved = Vec::new();
    let settles_alike = |s: &&arb_core::model::MatchSuggestion| {
        s.relation.is_tradable()
            && s.warnings
                .iter()
                .all(|w| w.starts_with("suggested polarity"))
    };
    for s in suggestions
        .iter()
        .filter(settles_alike)
        .take(options.max_pairs)
    {
        let Some(id) = s.id else { continue };
        let pair = handle.approve_suggestion(id, "demo").await?;
        writeln!(
            out,
            "   approved pair {:>3}: {} ≡ {} ({})",
            pair.id, pair.a, pair.b, pair.polarity
        )?;
        approved.push(pair);
    }
    if let Some(tap) = &tap {
        record_definitions(tap, store.as_ref(), &approved).await?;
    }

    writeln!(
        out,
        "\n== 4. Live detection and execution for {} s",
        options.duration.as_secs()
    )?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let engine = Arc::new(engine);
    let runner = {
        let engine = Arc::clone(&engine);
        tokio::spawn(async move { engine.run(stop_rx).await })
    };
    venues
        .drive(&approved, options.duration, store.as_ref(), out)
        .await?;
    // Stop: no new executions; in-flight ones finish hedging.
    let _ = stop_tx.send(true);
    match runner.await {
        Ok(result) => result?,
        Err(e) => return Err(CommandError::Demo(format!("engine task failed: {e}"))),
    }

    if let (Some(tap), Some(dir)) = (tap, &options.record) {
        let stats = crate::commands::finish_recording(tap).await;
        writeln!(
            out,
            "\n   recorded {} records into {} ({} could not be written); replay it with `arb-daemon backtest --from {}`",
            stats.written,
            dir.display(),
            stats.failed,
            dir.display()
        )?;
    }

    writeln!(out, "\n== 5. Results")?;
    let summary =
        report::results(out, store.as_ref(), &venues, &suggestions, approved.len()).await?;
    let active = handle.list_pairs(Some(PairStatus::Active)).await?.len();
    writeln!(
        out,
        "\n   pairs still active: {active} of {}",
        approved.len()
    )?;
    writeln!(
        out,
        "\nDone. Every record above is in {}.",
        options.database.display()
    )?;
    if let Some(served) = served {
        console::serve_until_interrupted(served, stop_console, out).await?;
    }
    Ok(summary)
}

/// Records the approved pairs and their markets' definitions (the venues' books are recorded
/// as they are read).
async fn record_definitions(
    tap: &RecordingTap,
    store: &dyn Store,
    pairs: &[VerifiedPair],
) -> Result<(), CommandError> {
    for pair in pairs {
        for key in [&pair.a, &pair.b] {
            if let Some(market) = store.market(key).await? {
                tap.market(&market);
            }
        }
        tap.pair(pair);
    }
    Ok(())
}

impl DemoVenues {
    /// An engine trading these two venues over `store`, logging its notifications.
    ///
    /// # Errors
    /// Unusable settings.
    pub fn engine(
        &self,
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        config: EngineConfig,
    ) -> Result<Engine, CommandError> {
        self.tapped_engine(store, clock, config, None)
    }

    /// [`DemoVenues::engine`], every book the venues return or stream handed to `tap` (as
    /// [`arb_core::record::NATIVE_BOOK_FORMAT`]) when there is one.
    ///
    /// # Errors
    /// Unusable settings.
    pub fn tapped_engine(
        &self,
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        config: EngineConfig,
        tap: Option<SharedTap>,
    ) -> Result<Engine, CommandError> {
        let venue = |sim: &arb_core::sim::SimExchange| -> Arc<dyn Exchange> {
            match &tap {
                Some(tap) => Arc::new(TappedExchange::new(sim.clone(), Arc::clone(tap))),
                None => Arc::new(sim.clone()),
            }
        };
        Ok(Engine::new(EngineParts {
            venues: vec![venue(&self.a), venue(&self.b)],
            store,
            notifier: Arc::new(LogNotifier),
            clock,
            ids: Arc::new(UniqueIds::new()),
            config,
        })?)
    }
}

/// The setting that marks a store as written by the demo (so the demo may replace it).
pub const DEMO_MARKER: &str = "demo_store";

/// A fresh demo store at `path`. An existing file there is replaced only if the demo wrote it
/// (or `force`): `--database` must never clobber a real store.
async fn open_store(path: &std::path::Path, force: bool) -> Result<Arc<dyn Store>, CommandError> {
    let url = format!("sqlite://{}", path.display());
    if path.exists() && !force && !is_demo_store(&url).await {
        return Err(CommandError::NotADemoStore(path.display().to_string()));
    }
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        match std::fs::remove_file(&file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(CommandError::Output(e)),
        }
    }
    let store = arb_store::connect(&url).await?;
    store
        .put_setting(DEMO_MARKER, Some("written by arb-daemon demo"))
        .await?;
    Ok(Arc::new(store))
}

/// Whether the SQLite file at `url` is a store the demo wrote (read without writing anything).
async fn is_demo_store(url: &str) -> bool {
    let Ok(store) = arb_store::open(url, arb_store::OpenMode::ReadOnly).await else {
        return false;
    };
    let marked = matches!(store.setting(DEMO_MARKER).await, Ok(Some(_)));
    store.close().await;
    marked
}
