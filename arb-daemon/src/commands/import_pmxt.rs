//! `arb-daemon import-pmxt`: pmxt's hourly Parquet archive of Polymarket's order-book stream
//! into a recording that `backtest` reads (see `arb_backtest::pmxt`).

use std::io::Write;
use std::path::PathBuf;

use arb_backtest::pmxt::{self, ImportSummary};
use arb_backtest::recording::RecordingWriter;
use arb_core::model::VenueId;

use super::{CommandError, open_store};
use crate::cli::ImportPmxtArgs;
use crate::config::Config;

/// Imports `args.files` for the Polymarket markets stored in the configured store, and writes
/// what was imported and what was skipped.
///
/// # Errors
/// The store cannot be read, no Polymarket market is stored, a file cannot be read or is not
/// pmxt's layout (naming the file, row and column), or the recording cannot be written.
pub async fn import(
    config: &Config,
    args: &ImportPmxtArgs,
    mode: arb_store::OpenMode,
    out: &mut (dyn Write + Send),
) -> Result<(), CommandError> {
    let store = open_store(config, mode).await?;
    let markets = store
        .markets(Some(&VenueId::new(arb_polymarket::VENUE)))
        .await?;
    if markets.is_empty() {
        return Err(CommandError::NoMarketsToImport);
    }
    let files = args.files.clone();
    let dir = args.out.clone();
    // Parquet decoding and compression are CPU work: off the runtime's threads.
    let summary = tokio::task::spawn_blocking(move || convert(&files, &markets, dir))
        .await
        .map_err(|e| CommandError::Panicked(format!("the import stopped: {e}")))??;
    report(&summary, args, out)
}

/// Streams the files into a new recording in `dir`, through a spill file beside it that is
/// removed at the end.
fn convert(
    files: &[PathBuf],
    markets: &[arb_core::model::Market],
    dir: PathBuf,
) -> Result<ImportSummary, CommandError> {
    let mut writer = RecordingWriter::create(&dir)?;
    let spill = dir.join(format!(".pmxt-import-{}.spill", std::process::id()));
    let summary = pmxt::import(files, markets, &spill, |record| writer.write(&record))?;
    writer.finish()?;
    Ok(summary)
}

fn report(
    summary: &ImportSummary,
    args: &ImportPmxtArgs,
    out: &mut (dyn Write + Send),
) -> Result<(), CommandError> {
    writeln!(
        out,
        "imported {} rows of {} markets as {} records into {}",
        summary.rows,
        summary.markets.len(),
        summary.records,
        args.out.display()
    )?;
    if let Some((first, last)) = summary.span {
        writeln!(out, "  received {first} to {last}")?;
    }
    if summary.ignored > 0 {
        writeln!(
            out,
            "  {} rows of imported markets carry no book (NO-token rows, trades)",
            summary.ignored
        )?;
    }
    for (condition, rows) in &summary.skipped {
        writeln!(
            out,
            "  ! skipped {condition}: {rows} rows, market not stored"
        )?;
    }
    Ok(())
}
