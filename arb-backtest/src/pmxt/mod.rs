//! Import of pmxt's free hourly archive of Polymarket's order-book stream into a recording.
//!
//! pmxt publishes, per hour, a Parquet file of every market-channel event it received
//! (`polymarket_orderbook_YYYY-MM-DDTHH.parquet`, layout "v2", described on pmxt's own page
//! `archive.pmxt.dev/docs/v2-data-overview`). Each row is one event; the import rebuilds the
//! market-channel frames Polymarket sent (`book`, `price_change`, `tick_size_change`) and writes
//! them as [`WS_FORMAT`] raw records stamped with pmxt's receive time, so a backtest reads them
//! through the Polymarket adapter's own parser, exactly as a recording made by this daemon.
//!
//! Only markets the caller defines (from the store, matched by condition id) are imported, and
//! of those only the YES token's rows (the live adapter subscribes to that token alone; its book
//! gives both outcomes). Rows of other markets are skipped and counted per condition id;
//! `last_trade_price` rows carry no book and are dropped. Files are sorted by market, token and
//! time: rows are merged across markets and files by receive time through a spill file, with
//! memory bounded by the number of (file, token) runs (see [`merge`]), never by the rows.

mod frames;
pub mod merge;
mod rows;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use arb_core::model::{Market, MarketId, VenueId};
use arb_core::record::Record;
use arb_polymarket::PolymarketMarketExt;
use arb_polymarket::record::WS_FORMAT;
use chrono::{DateTime, Utc};
use thiserror::Error;

pub use rows::PmxtRow;

/// Why an import failed. Every variant names the file (and the row and column when one is bad).
#[derive(Debug, Error)]
pub enum PmxtError {
    /// The file could not be opened.
    #[error("{}: cannot open: {source}", file.display())]
    Open {
        /// The file.
        file: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not readable Parquet.
    #[error("{}: not a readable Parquet file: {reason}", file.display())]
    Parquet {
        /// The file.
        file: PathBuf,
        /// The Parquet reader's message (with the row, when it failed on one).
        reason: String,
    },
    /// The file is Parquet, but not pmxt's v2 order-book layout.
    #[error("{}: not pmxt's v2 order-book layout: {problem}", file.display())]
    Schema {
        /// The file.
        file: PathBuf,
        /// What is missing or different.
        problem: String,
    },
    /// A cell could not be read.
    #[error("{}: row {row}: column `{column}`: {reason}", file.display())]
    Row {
        /// The file.
        file: PathBuf,
        /// The row, counted from 0 across the file's row groups.
        row: u64,
        /// The column.
        column: String,
        /// What was wrong.
        reason: String,
    },
    /// The rows are so far from pmxt's order that merging them would need too much memory.
    #[error(
        "{}: rows are not sorted by (market, asset_id, timestamp_received): more than {max} runs to merge",
        file.display()
    )]
    TooManyRuns {
        /// The file being read when the limit was reached.
        file: PathBuf,
        /// The limit.
        max: usize,
    },
    /// The temporary spill file failed.
    #[error("spill file {}: {source}", path.display())]
    Spill {
        /// Its path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The recording could not be written.
    #[error("writing the recording: {0}")]
    Sink(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// What an import did.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct ImportSummary {
    /// Rows read, over all files.
    pub rows: u64,
    /// Raw records written (one per rebuilt frame).
    pub records: u64,
    /// Markets imported (they had rows), in condition-id order.
    pub markets: Vec<MarketId>,
    /// Condition ids with rows in the files but no definition given, with their row counts.
    pub skipped: BTreeMap<String, u64>,
    /// Rows of imported markets left out: NO-token rows and events without a book.
    pub ignored: u64,
    /// Receive time of the first and last imported row.
    pub span: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

/// The markets to import, by lower-case condition id, with their YES token.
fn wanted(markets: &[Market]) -> HashMap<String, (&Market, String)> {
    markets
        .iter()
        .filter(|m| m.key.venue.as_str() == arb_polymarket::VENUE)
        .filter_map(|m| {
            let ext = m.ext.get::<PolymarketMarketExt>().ok().flatten()?;
            Some((ext.condition_id.to_ascii_lowercase(), (m, ext.yes_token_id)))
        })
        .collect()
}

/// Imports `files` (given in any order: they are read in file-name order, which for pmxt's
/// names is hour order, so rows received at the same millisecond keep a fixed order) for
/// `markets`, handing the records to `sink` in receive-time
/// order: first a `Market` record of each imported market, then the raw frames. `spill` is a
/// path for the temporary spill file (it must not exist; it is removed at the end).
pub fn import<E>(
    files: &[PathBuf],
    markets: &[Market],
    spill: &Path,
    mut sink: impl FnMut(Record) -> Result<(), E>,
) -> Result<ImportSummary, PmxtError>
where
    E: std::error::Error + Send + Sync + 'static,
{
    let wanted = wanted(markets);
    let mut summary = ImportSummary::default();
    let mut spilled = merge::Spill::create(spill)?;
    let mut seen: BTreeMap<String, &Market> = BTreeMap::new();
    let mut files = files.to_vec();
    files.sort_by(|a, b| a.file_name().cmp(&b.file_name()).then_with(|| a.cmp(b)));
    for file in &files {
        for row in rows::FileRows::open(file)? {
            let (index, row) = row?;
            summary.rows += 1;
            let Some((market, yes)) = wanted.get(&row.market.to_ascii_lowercase()) else {
                *summary.skipped.entry(row.market).or_default() += 1;
                continue;
            };
            let bad = |(column, reason): (String, String)| PmxtError::Row {
                file: file.clone(),
                row: index,
                column,
                reason,
            };
            let at = time(row.received_ms).map_err(|r| bad(("timestamp_received".into(), r)))?;
            let entry = frames::entry(&row).map_err(bad)?;
            match entry {
                Some(entry) if row.asset_id == *yes => {
                    seen.insert(row.market.to_ascii_lowercase(), market);
                    summary.span = Some(
                        summary
                            .span
                            .map_or((at, at), |(a, b)| (a.min(at), b.max(at))),
                    );
                    spilled.push(&entry, file)?;
                }
                _ => summary.ignored += 1,
            }
        }
    }
    let Some((first, _)) = summary.span else {
        return Ok(summary);
    };
    let sink_err = |e: E| PmxtError::Sink(Box::new(e));
    for market in seen.values() {
        summary.markets.push(market.key.market.clone());
        sink(Record::Market {
            at: first,
            market: Box::new((*market).clone()),
        })
        .map_err(sink_err)?;
    }
    let venue = VenueId::new(arb_polymarket::VENUE);
    let mut pending: Vec<frames::Entry> = Vec::new();
    let mut flush = |pending: &mut Vec<frames::Entry>, summary: &mut ImportSummary| {
        let Some(payload) = frames::frame(pending) else {
            return Ok(());
        };
        let at = time(pending[0].at).unwrap_or(first);
        pending.clear();
        summary.records += 1;
        sink(Record::Raw {
            at,
            venue: venue.clone(),
            format: WS_FORMAT.to_owned(),
            market: None,
            payload,
        })
        .map_err(sink_err)
    };
    for entry in spilled.merge()? {
        let entry = entry?;
        if pending
            .first()
            .is_some_and(|f| !frames::same_frame(f, &entry))
        {
            flush(&mut pending, &mut summary)?;
        }
        pending.push(entry);
    }
    flush(&mut pending, &mut summary)?;
    Ok(summary)
}

fn time(ms: i64) -> Result<DateTime<Utc>, String> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| format!("{ms} ms is out of range"))
}
