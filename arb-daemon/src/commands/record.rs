//! `arb-daemon record`: the chosen markets' raw book messages on both venues, as received, with
//! their definitions and the active pairs, into hourly zstd files (see the README's
//! "Recording"), until SIGINT/SIGTERM.
//!
//! Books come from the venues' streams; a market whose stream has delivered nothing within
//! `PRICE_FETCH_INTERVAL` (no stream, a lost one, a quiet one) is polled over REST, so the
//! recording holds its book at least that often. Definitions are read from the store at start
//! and again every catalogue interval; a changed one is recorded again.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use arb_backtest::recording::RecordingTap;
use arb_core::clock::SystemClock;
use arb_core::exchange::{BookEvent, Exchange};
use arb_core::model::{
    Market, MarketId, MarketKey, MarketStatus, PairStatus, SuggestionStatus, VenueId,
    VerifiedPair,
};
use arb_core::record::SharedTap;
use arb_core::store::Store;
use futures::StreamExt;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::{CommandError, build, open_store};
use crate::cli::{RecordArgs, RecordMarkets};
use crate::config::Config;
use crate::shutdown::{self, ShutdownSignal};

/// How many open suggestions `--markets suggested` reads.
const SUGGESTIONS_READ: usize = 10_000;

/// Runs `record` until SIGINT/SIGTERM, then writes what is queued and ends the files cleanly.
///
/// # Errors
/// The store, the recording directory or the venues cannot be opened, or nothing is selected.
pub async fn record(
    config: &Config,
    args: &RecordArgs,
    mode: arb_store::OpenMode,
    out: &mut (dyn Write + Send),
) -> Result<(), CommandError> {
    let (trigger, signal) = shutdown::channel();
    let signal_task = shutdown::trigger_on_os_signal(trigger)?;
    let store = open_store(config, mode).await?;
    let tap = Arc::new(RecordingTap::create(&args.out, Arc::new(SystemClock))?);
    let shared: SharedTap = tap.clone();
    let venues = build::recording_venues(config, &shared)?;
    let mut recorder = Recorder::new(venues, Arc::clone(&tap));
    let selection = Selection::read(store.as_ref(), args.markets, &recorder.venue_ids()).await?;
    if selection.markets.is_empty() {
        return Err(CommandError::NothingToRecord(nothing_selected(args.markets)));
    }
    recorder.define(&selection).await;
    writeln!(
        out,
        "recording {} markets and {} pairs into {}; Ctrl-C stops",
        recorder.watched.len(),
        selection.pairs.len(),
        args.out.display()
    )?;
    recorder
        .run(
            store.as_ref(),
            args.markets,
            config.strategy.price_fetch_interval,
            build::engine_config(config).catalogue_sync_interval,
            &signal,
        )
        .await;
    recorder.stop();
    signal_task.abort();
    let stats = finish(tap).await;
    writeln!(
        out,
        "recorded {} records into {} ({} could not be written)",
        stats.written,
        args.out.display(),
        stats.failed
    )?;
    Ok(())
}

/// `tap.finish()` off the async threads (it waits for the disk).
pub async fn finish(tap: Arc<RecordingTap>) -> arb_backtest::recording::TapStats {
    match tokio::task::spawn_blocking(move || tap.finish()).await {
        Ok(stats) => stats,
        Err(e) => {
            tracing::error!(error = %e, "the recording was not finished cleanly");
            arb_backtest::recording::TapStats::default()
        }
    }
}

fn nothing_selected(which: RecordMarkets) -> String {
    match which {
        RecordMarkets::Active => "no active pair in the store (approve pairs first, or use --markets suggested|all)",
        RecordMarkets::Suggested => "no open suggestion or active pair in the store (run `match` first, or use --markets all)",
        RecordMarkets::All => "no open market of the configured venues in the store (run `markets sync` first)",
    }
    .to_owned()
}

/// The markets and pairs to record, read from the store.
#[derive(Debug, Default)]
pub struct Selection {
    /// The markets, in key order.
    pub markets: Vec<Market>,
    /// The active pairs among them.
    pub pairs: Vec<VerifiedPair>,
}

impl Selection {
    /// Reads the selection `which` names: the active pairs' markets, plus those of open
    /// suggestions (`suggested`), or every open market of `venues` (`all`).
    ///
    /// # Errors
    /// The store cannot be read.
    pub async fn read(
        store: &dyn Store,
        which: RecordMarkets,
        venues: &[VenueId],
    ) -> Result<Self, CommandError> {
        let pairs = store.pairs(Some(PairStatus::Active)).await?;
        let mut keys: Vec<MarketKey> = pairs.iter().flat_map(|p| [p.a.clone(), p.b.clone()]).collect();
        let mut markets = BTreeMap::new();
        match which {
            RecordMarkets::Active => {}
            RecordMarkets::Suggested => {
                let open = store.suggestions(Some(SuggestionStatus::Open), SUGGESTIONS_READ);
                keys.extend(open.await?.into_iter().flat_map(|s| [s.a, s.b]));
            }
            RecordMarkets::All => {
                for venue in venues {
                    for m in store.markets(Some(venue)).await? {
                        if m.status == MarketStatus::Open {
                            markets.insert(m.key.clone(), m);
                        }
                    }
                }
            }
        }
        for key in keys {
            if markets.contains_key(&key) {
                continue;
            }
            match store.market(&key).await? {
                Some(m) => {
                    markets.insert(key, m);
                }
                None => tracing::warn!(market = %key, "not in the store; not recorded (run `markets sync`)"),
            }
        }
        let pairs = pairs
            .into_iter()
            .filter(|p| markets.contains_key(&p.a) && markets.contains_key(&p.b))
            .collect();
        Ok(Self {
            markets: markets.into_values().collect(),
            pairs,
        })
    }

    /// Records every definition of the selection (the recording writes a definition again
    /// only when it changed).
    pub fn record(&self, tap: &RecordingTap) {
        for market in &self.markets {
            tap.market(market);
        }
        for pair in &self.pairs {
            tap.pair(pair);
        }
    }
}

/// When each watched market's stream last delivered a book.
type LastStreamed = Arc<Mutex<HashMap<MarketKey, Instant>>>;

/// The recording loop's state.
struct Recorder {
    venues: HashMap<VenueId, Arc<dyn Exchange>>,
    tap: Arc<RecordingTap>,
    /// The markets recorded.
    watched: HashSet<MarketKey>,
    last_streamed: LastStreamed,
    streams: Vec<JoinHandle<()>>,
}

impl Recorder {
    fn new(venues: Vec<Arc<dyn Exchange>>, tap: Arc<RecordingTap>) -> Self {
        Self {
            venues: venues.into_iter().map(|v| (v.venue(), v)).collect(),
            tap,
            watched: HashSet::new(),
            last_streamed: Arc::default(),
            streams: Vec::new(),
        }
    }

    /// The venues recorded, in order.
    fn venue_ids(&self) -> Vec<VenueId> {
        let mut ids: Vec<VenueId> = self.venues.keys().cloned().collect();
        ids.sort();
        ids
    }

    /// Records the selection's definitions and subscribes to the books of markets not watched
    /// yet (markets of venues that are not configured are skipped, with a warning).
    async fn define(&mut self, selection: &Selection) {
        selection.record(&self.tap);
        let mut new: BTreeMap<VenueId, Vec<MarketId>> = BTreeMap::new();
        for market in &selection.markets {
            let key = &market.key;
            if self.watched.contains(key) {
                continue;
            }
            if !self.venues.contains_key(&key.venue) {
                tracing::warn!(market = %key, "its venue is not configured; not recorded");
                continue;
            }
            self.watched.insert(key.clone());
            new.entry(key.venue.clone()).or_default().push(key.market.clone());
        }
        for (venue, markets) in new {
            if let Some(exchange) = self.venues.get(&venue) {
                self.subscribe(Arc::clone(exchange), &markets).await;
            }
        }
    }

    /// Subscribes to `markets` on `venue`; the adapter's tap records what arrives, this notes
    /// when each market last delivered. A failed subscription leaves them to polling.
    async fn subscribe(&mut self, venue: Arc<dyn Exchange>, markets: &[MarketId]) {
        let id = venue.venue();
        let mut stream = match venue.subscribe_books(markets).await {
            Ok(stream) => stream,
            Err(e) => {
                tracing::warn!(venue = %id, error = %e, "no book stream; polling over REST");
                return;
            }
        };
        let last = Arc::clone(&self.last_streamed);
        self.streams.push(tokio::spawn(async move {
            while let Some(event) = stream.next().await {
                if let BookEvent::Book { market, .. } = event {
                    last.lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .insert(MarketKey::new(id.clone(), market), Instant::now());
                }
            }
        }));
    }

    /// Polls, at every `poll_every`, the books of watched markets whose stream delivered
    /// nothing for that long; re-reads the selection every `define_every`; until `signal`.
    async fn run(
        &mut self,
        store: &dyn Store,
        which: RecordMarkets,
        poll_every: Duration,
        define_every: Duration,
        signal: &ShutdownSignal,
    ) {
        let mut poll = tokio::time::interval(poll_every);
        let mut define = tokio::time::interval_at(Instant::now() + define_every, define_every);
        loop {
            tokio::select! {
                () = signal.triggered() => return,
                _ = poll.tick() => self.poll(poll_every).await,
                _ = define.tick() => match Selection::read(store, which, &self.venue_ids()).await {
                    Ok(selection) => self.define(&selection).await,
                    Err(e) => tracing::warn!(error = %e, "could not re-read the definitions; retrying at the next interval"),
                },
            }
        }
    }

    /// Fetches over REST (recorded by the adapters' taps) the books of markets whose stream
    /// delivered nothing within `quiet_after`.
    async fn poll(&self, quiet_after: Duration) {
        let now = Instant::now();
        let mut stale: BTreeMap<&VenueId, Vec<MarketId>> = BTreeMap::new();
        {
            let last = self
                .last_streamed
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            for key in &self.watched {
                if last.get(key).is_none_or(|at| now - *at >= quiet_after) {
                    stale.entry(&key.venue).or_default().push(key.market.clone());
                }
            }
        }
        for (venue, mut markets) in stale {
            let Some(exchange) = self.venues.get(venue) else {
                continue;
            };
            markets.sort();
            if let Err(e) = exchange.order_books(&markets).await {
                tracing::warn!(%venue, markets = markets.len(), error = %e, "could not poll books");
            }
        }
    }

    /// Ends the streams.
    fn stop(&mut self) {
        for stream in self.streams.drain(..) {
            stream.abort();
        }
    }
}

/// Records, for `run` with `RECORD_DIR`, the active pairs and their markets now, then spawns
/// a task recording them again every `every` until `signal` (a changed definition is written
/// again; the adapters' taps record the books).
///
/// # Errors
/// The store cannot be read.
pub async fn record_definitions(
    store: Arc<dyn Store>,
    tap: Arc<RecordingTap>,
    every: Duration,
    signal: ShutdownSignal,
) -> Result<(), CommandError> {
    Selection::read(store.as_ref(), RecordMarkets::Active, &[])
        .await?
        .record(&tap);
    tokio::spawn(redefine(store, tap, every, signal));
    Ok(())
}

/// [`record_definitions`]' task.
async fn redefine(
    store: Arc<dyn Store>,
    tap: Arc<RecordingTap>,
    every: Duration,
    signal: ShutdownSignal,
) {
    let mut tick = tokio::time::interval_at(Instant::now() + every, every);
    loop {
        tokio::select! {
            () = signal.triggered() => return,
            _ = tick.tick() => match Selection::read(store.as_ref(), RecordMarkets::Active, &[]).await {
                Ok(selection) => selection.record(&tap),
                Err(e) => tracing::warn!(error = %e, "could not read the definitions to record"),
            },
        }
    }
}

/// Opens the tap `RECORD_DIR` names for `run`.
///
/// # Errors
/// The directory cannot be created.
pub fn open_tap(dir: &Path) -> Result<Arc<RecordingTap>, CommandError> {
    Ok(Arc::new(RecordingTap::create(dir, Arc::new(SystemClock))?))
}
