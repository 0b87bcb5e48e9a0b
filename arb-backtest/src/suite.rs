//! A full backtest as the command runs it: the run with the settings given, one rerun per
//! maximum trade size of the capacity curve, the report, and its three files.

use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use thiserror::Error;

use crate::backtest::{self, BacktestError, BacktestSettings};
use crate::replay::{DecoderFactories, RecordSource, ReplayError, SourceError};
use crate::report::{CapacityPoint, Report, ReportOptions, ReportSettings};

/// The files a report is written to, in the output directory.
pub const REPORT_FILES: [&str; 3] = ["report.txt", "report.json", "report.svg"];

/// Why a report could not be written.
#[derive(Debug, Error)]
pub enum OutputError {
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The JSON could not be made.
    #[error("cannot serialise the report: {0}")]
    Json(#[from] serde_json::Error),
}

/// Runs the backtest of the recording `open` opens (once per run), with a capacity curve over
/// `capacity` (per-trade limits in dollars; empty: no curve), and builds its report.
///
/// # Errors
/// The first run that fails, naming its per-trade limit when it is a capacity rerun.
pub fn backtest_report(
    open: &dyn Fn() -> Result<RecordSource, SourceError>,
    factories: &DecoderFactories,
    settings: &BacktestSettings,
    capacity: &[Decimal],
    options: ReportOptions,
) -> Result<Report, BacktestError> {
    let opened = |entry| open().map_err(|source| ReplayError::Read { entry, source });
    let run = backtest::run(opened(1)?, factories.clone(), settings)?;
    let mut curve = Vec::with_capacity(capacity.len());
    for &size in capacity {
        let mut sized = settings.clone();
        sized.engine.risk.max_trade_usd = size;
        let rerun = opened(1)
            .map_err(BacktestError::from)
            .and_then(|source| backtest::run(source, factories.clone(), &sized))
            .map_err(|e| BacktestError::Capacity {
                size,
                source: Box::new(e),
            })?;
        curve.push(CapacityPoint::of(&rerun, size));
    }
    let report_settings = ReportSettings::of(settings, &run, options);
    Ok(Report::build(&run, report_settings, curve, options))
}

/// Writes `report.txt`, `report.json` and `report.svg` into `dir` (created if missing).
///
/// # Errors
/// A file could not be written.
pub fn write_report(dir: &Path, report: &Report) -> Result<(), OutputError> {
    std::fs::create_dir_all(dir).map_err(|source| OutputError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let contents = [
        report.to_text(),
        report.to_json()?,
        crate::chart::svg(report),
    ];
    for (name, body) in REPORT_FILES.iter().zip(contents) {
        let path = dir.join(name);
        std::fs::write(&path, body).map_err(|source| OutputError::Io { path, source })?;
    }
    Ok(())
}
