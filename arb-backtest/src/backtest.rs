//! The backtest driver: the real engine (processor, detector, risk, executor) trading a
//! recording's pairs against paper venues that fill at the recorded books, on tokio's paused
//! clock anchored at the recording's start, so a run is as fast as the CPU allows and the same
//! recording with the same settings always gives the same result.
//!
//! Records are pumped in order: the pump sleeps (virtual time) until a record's receive time,
//! then applies it to the [`Tape`], which decodes it with the venue's own parser and delivers the
//! book events to the engine's streams. Orders reach a venue after its [`Latency`] and fill
//! against the book recorded up to their arrival ([`PaperExchange`] over [`ReplayVenue`]).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use thiserror::Error;

use arb_core::clock::{Clock, IdSource, SequentialIds};
use arb_core::engine::{Engine, EngineConfig, EngineError, EngineParts, TradingMode};
use arb_core::exchange::{Exchange, ExchangeError};
use arb_core::model::{
    BinaryBook, ExecutionRecord, Fill, MarketKey, NewPair, OpportunityRecord, PairStatus, VenueId,
    VerifiedPair,
};
use arb_core::notify::NullNotifier;
use arb_core::sim::PaperExchange;
use arb_core::store::{LeaseOwner, MemoryStore, OpportunityThrottle, Store, StoreError};

use crate::replay::{
    DecoderFactories, Definition, Delayed, Latency, RecordSource, ReplayError, ReplayVenue, Tape,
    VirtualClock,
};

/// How a backtest trades.
#[derive(Clone, Debug)]
pub struct BacktestSettings {
    /// The engine's settings (risk limits, minimum profit, slippage, timeouts…); the mode is
    /// forced to paper and the leases to this process alone.
    pub engine: EngineConfig,
    /// Latency to venues not named in `venue_latency`.
    pub latency: Latency,
    /// Latency per venue.
    pub venue_latency: BTreeMap<VenueId, Latency>,
    /// Seed of the latency jitter.
    pub seed: u64,
    /// Paper cash on each venue at the start, in dollars.
    pub starting_cash: Decimal,
}

impl BacktestSettings {
    /// The engine's `config` with no latency, seed 0 and $100,000 per venue.
    #[must_use]
    pub fn new(engine: EngineConfig) -> Self {
        Self {
            engine,
            latency: Latency::default(),
            venue_latency: BTreeMap::new(),
            seed: 0,
            starting_cash: Decimal::from(100_000),
        }
    }

    /// The latency to `venue`.
    #[must_use]
    pub fn latency_of(&self, venue: &VenueId) -> Latency {
        self.venue_latency
            .get(venue)
            .copied()
            .unwrap_or(self.latency)
    }
}

/// Why a backtest failed.
#[derive(Debug, Error)]
pub enum BacktestError {
    /// The recording could not be read or decoded.
    #[error(transparent)]
    Replay(#[from] ReplayError),
    /// The engine refused its settings or stopped.
    #[error("engine: {0}")]
    Engine(#[from] EngineError),
    /// The in-memory store refused a write.
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// A simulated venue failed when the results were read.
    #[error("venue {venue}: {source}")]
    Exchange {
        /// The venue.
        venue: VenueId,
        /// What failed.
        source: ExchangeError,
    },
    /// The recording's pairs cannot be traded as one engine does.
    #[error("recording: {0}")]
    Pairs(String),
    /// A rerun of the capacity curve failed.
    #[error("capacity run with a ${size} trade limit: {source}")]
    Capacity {
        /// Its per-trade limit, dollars.
        size: Decimal,
        /// Why it failed.
        source: Box<BacktestError>,
    },
    /// The replay's runtime could not be built.
    #[error("cannot start the replay runtime: {0}")]
    Runtime(#[source] std::io::Error),
}

/// What one backtest run did: the raw material of the report.
#[derive(Clone, Debug)]
pub struct RunResult {
    /// The recording's first record's time.
    pub start: DateTime<Utc>,
    /// The last record's time (when the engine was stopped).
    pub end: DateTime<Utc>,
    /// Book events replayed.
    pub book_updates: u64,
    /// The pairs traded (ids as the run's store numbered them).
    pub pairs: Vec<VerifiedPair>,
    /// Every opportunity the engine detected, with its decision, in detection order.
    pub opportunities: Vec<OpportunityRecord>,
    /// Every execution, oldest first.
    pub executions: Vec<ExecutionRecord>,
    /// Every fill on the paper venues, by time.
    pub fills: Vec<Fill>,
    /// The pairs' books as recorded at the end (marks for unhedged contracts).
    pub final_books: BTreeMap<MarketKey, Arc<BinaryBook>>,
}

/// Runs one backtest of `source` on its own current-thread runtime with paused time.
///
/// # Errors
/// See [`BacktestError`]: a read or decode error names the entry and what failed.
pub fn run(
    source: RecordSource,
    factories: DecoderFactories,
    settings: &BacktestSettings,
) -> Result<RunResult, BacktestError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .map_err(BacktestError::Runtime)?;
    runtime.block_on(drive(source, factories, settings))
}

async fn drive(
    source: RecordSource,
    factories: DecoderFactories,
    settings: &BacktestSettings,
) -> Result<RunResult, BacktestError> {
    let tape = Arc::new(Tape::open(source, factories)?);
    let start = tape.start();
    let clock = Arc::new(VirtualClock::anchored(start));
    tape.read_head();
    tape.advance_to(start);
    if let Some(failure) = tape.take_failure() {
        return Err(failure.into());
    }
    // Every detection is kept: the report counts them all.
    let throttle = OpportunityThrottle::new(chrono::Duration::zero(), Decimal::ZERO);
    let store = Arc::new(MemoryStore::with_throttle(throttle).with_clock(clock.clone()));
    let initial = tape.take_definitions();
    let (venue_a, venue_b) = venues_of(&initial)?;
    let mut definitions = Definitions::between(venue_a.clone(), venue_b.clone());
    definitions.store(store.as_ref(), initial).await?;

    let ids: Arc<dyn IdSource> = Arc::new(SequentialIds::default());
    let venues: Vec<Arc<Delayed>> = [venue_a, venue_b]
        .into_iter()
        .map(|venue| paper_venue(venue, &tape, &clock, &ids, settings))
        .collect();
    let engine = Arc::new(Engine::new(EngineParts {
        venues: venues
            .iter()
            .map(|v| Arc::clone(v) as Arc<dyn Exchange>)
            .collect(),
        store: store.clone(),
        notifier: Arc::new(NullNotifier),
        clock: clock.clone(),
        ids,
        config: engine_config(settings),
    })?);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let runner = tokio::spawn({
        let engine = Arc::clone(&engine);
        async move { engine.run(stopped).await }
    });

    let pumped = pump(&tape, &clock, store.as_ref(), &mut definitions, &runner).await;
    let end = clock.now();
    // Stop: no new executions; those in flight finish against the last books.
    let _ = stop.send(true);
    let ran = runner
        .await
        .map_err(|e| EngineError::TaskFailed(format!("the engine task failed: {e}")))?;
    if let Some(failure) = tape.take_failure() {
        return Err(failure.into());
    }
    pumped?;
    ran?;
    collect(&tape, store.as_ref(), &venues, start, end).await
}

/// Delivers the records at their receive times until the recording ends (or the engine stops).
async fn pump(
    tape: &Tape,
    clock: &VirtualClock,
    store: &dyn Store,
    definitions: &mut Definitions,
    runner: &tokio::task::JoinHandle<Result<(), EngineError>>,
) -> Result<(), BacktestError> {
    while let Some(at) = tape.next_at() {
        tokio::time::sleep_until(clock.instant_of(at)).await;
        tape.advance_to(clock.now());
        definitions.store(store, tape.take_definitions()).await?;
        if runner.is_finished() {
            break;
        }
    }
    Ok(())
}

/// The engine's settings for a backtest: paper mode, leases held by this run alone.
fn engine_config(settings: &BacktestSettings) -> EngineConfig {
    let mut config = settings.engine.clone();
    config.mode = TradingMode::Paper;
    config.leases.group = "backtest".to_owned();
    config.leases.owner = Some(LeaseOwner {
        id: "backtest".to_owned(),
        host: "backtest".to_owned(),
        pid: 0,
        group: "backtest".to_owned(),
    });
    config
}

/// A paper venue over `venue`'s recorded data, behind its latency.
fn paper_venue(
    venue: VenueId,
    tape: &Arc<Tape>,
    clock: &Arc<VirtualClock>,
    ids: &Arc<dyn IdSource>,
    settings: &BacktestSettings,
) -> Arc<Delayed> {
    let latency = settings.latency_of(&venue);
    let replay = ReplayVenue::new(venue, Arc::clone(tape), clock.clone());
    let paper = PaperExchange::new(
        Arc::new(replay),
        settings.starting_cash,
        clock.clone(),
        Arc::clone(ids),
    );
    Arc::new(Delayed::new(Arc::new(paper), latency, settings.seed))
}

/// The two venues a backtest trades between: those of the recording's first active pair (A:
/// its first market's venue). Pairs between other venues are not traded (and logged).
fn venues_of(definitions: &[Definition]) -> Result<(VenueId, VenueId), BacktestError> {
    let first = definitions.iter().find_map(|d| match d {
        Definition::Pair(pair) if pair.status == PairStatus::Active => Some(pair),
        _ => None,
    });
    match first {
        Some(pair) if pair.a.venue == pair.b.venue => Err(BacktestError::Pairs(format!(
            "pair {} has both markets on venue {}",
            pair.id, pair.a.venue
        ))),
        Some(pair) => Ok((pair.a.venue.clone(), pair.b.venue.clone())),
        None => Err(BacktestError::Pairs(
            "no active pair is defined at the start of the recording (record with pairs approved)"
                .to_owned(),
        )),
    }
}

/// The definitions stored so far: markets upserted, active pairs between the run's two venues
/// approved once each.
struct Definitions {
    venues: (VenueId, VenueId),
    pairs: BTreeSet<(MarketKey, MarketKey)>,
}

impl Definitions {
    const fn between(a: VenueId, b: VenueId) -> Self {
        Self {
            venues: (a, b),
            pairs: BTreeSet::new(),
        }
    }

    async fn store(&mut self, store: &dyn Store, found: Vec<Definition>) -> Result<(), StoreError> {
        for definition in found {
            match definition {
                Definition::Market(market) => store.upsert_markets(&[*market]).await?,
                Definition::Pair(pair) => {
                    if pair.status != PairStatus::Active
                        || !self.pairs.insert((pair.a.clone(), pair.b.clone()))
                    {
                        continue;
                    }
                    if (&pair.a.venue, &pair.b.venue) != (&self.venues.0, &self.venues.1) {
                        tracing::warn!(pair = %pair.id, a = %pair.a, b = %pair.b, "recorded pair is not between the backtest's two venues; not traded");
                        continue;
                    }
                    store.insert_pair(&new_pair(&pair)).await?;
                }
            }
        }
        Ok(())
    }
}

fn new_pair(pair: &VerifiedPair) -> NewPair {
    NewPair {
        a: pair.a.clone(),
        b: pair.b.clone(),
        polarity: pair.polarity,
        rules_hash_a: pair.rules_hash_a.clone(),
        rules_hash_b: pair.rules_hash_b.clone(),
        approved_by: pair.approved_by.clone(),
        approved_at: pair.approved_at,
        suggestion: None,
        reading: None,
    }
}

/// Reads what the run did from the store and the paper venues.
async fn collect(
    tape: &Tape,
    store: &dyn Store,
    venues: &[Arc<Delayed>],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<RunResult, BacktestError> {
    let pairs = store.pairs(None).await?;
    let mut opportunities = store.opportunities(None, usize::MAX).await?;
    opportunities.reverse();
    let mut executions = store.executions(usize::MAX).await?;
    executions.reverse();
    let mut fills = Vec::new();
    let since = start - chrono::Duration::days(1);
    for venue in venues {
        let found = venue
            .fills_since(since)
            .await
            .map_err(|source| BacktestError::Exchange {
                venue: venue.venue(),
                source,
            })?;
        fills.extend(found);
    }
    fills.sort_by(|x, y| {
        (x.ts, &x.market, x.fill_id.as_str()).cmp(&(y.ts, &y.market, y.fill_id.as_str()))
    });
    let mut final_books = BTreeMap::new();
    for pair in &pairs {
        for key in [&pair.a, &pair.b] {
            if let Some(Some(book)) = tape.book(key) {
                final_books.insert(key.clone(), book);
            }
        }
    }
    Ok(RunResult {
        start,
        end,
        book_updates: tape.updates(),
        pairs,
        opportunities,
        executions,
        fills,
        final_books,
    })
}
