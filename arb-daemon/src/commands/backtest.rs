//! `arb-daemon backtest`: replays a recording through the engine against simulated venues (see
//! `arb_backtest`) and writes the report files.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use arb_backtest::backtest::BacktestSettings;
use arb_backtest::recording::RecordingReader;
use arb_backtest::replay::{DecoderFactories, Latency, RecordSource, SourceError, record_source};
use arb_backtest::report::ReportOptions;
use arb_backtest::suite;
use arb_core::model::VenueId;
use arb_core::record::NativeDecoder;

use super::CommandError;
use crate::cli::BacktestArgs;
use crate::config::Config;

/// Runs the backtest `args` describe with the engine settings of `config`, and writes the report.
///
/// # Errors
/// The recording cannot be read or decoded (naming where), the engine refuses the settings, or
/// a report file cannot be written.
pub async fn backtest(
    config: &Config,
    args: &BacktestArgs,
    out: &mut (dyn Write + Send),
) -> Result<(), CommandError> {
    let settings = settings(config, args);
    let options = ReportOptions {
        dislocation_gap: chrono::TimeDelta::milliseconds(i64::from(args.dislocation_gap_ms)),
    };
    let dir = args.from.clone();
    let capacity = args.capacity.0.clone();
    // The replay runs on its own runtime with paused time: off this runtime's threads.
    let report = tokio::task::spawn_blocking(move || {
        let open = || open_recording(&dir);
        suite::backtest_report(&open, &decoders(), &settings, &capacity, options)
    })
    .await
    .map_err(|e| CommandError::Panicked(format!("the backtest stopped: {e}")))??;
    suite::write_report(&args.out, &report)?;
    let t = &report.totals;
    writeln!(
        out,
        "backtest of {} ({} to {}): {} opportunities, {} executed, {} refused, {} unhedged, fees ${}, PnL ${}",
        args.from.display(),
        report.recording.start,
        report.recording.end,
        t.opportunities,
        t.executed,
        t.refused,
        t.unhedged,
        t.fees.round_dp(4),
        t.pnl.round_dp(4)
    )?;
    for name in suite::REPORT_FILES {
        writeln!(out, "  wrote {}", args.out.join(name).display())?;
    }
    Ok(())
}

/// The backtest's settings: the engine's from the configuration, the rest from the arguments.
fn settings(config: &Config, args: &BacktestArgs) -> BacktestSettings {
    let mut settings = BacktestSettings::new(super::engine_config(config));
    let jitter = Duration::from_millis(args.jitter_ms);
    let latency = |ms| Latency {
        base: Duration::from_millis(ms),
        jitter,
    };
    settings.latency = latency(args.latency_ms.default_ms);
    for (venue, ms) in &args.latency_ms.venues {
        settings
            .venue_latency
            .insert(VenueId::new(venue), latency(*ms));
    }
    settings.seed = args.seed;
    settings.starting_cash = args.starting_cash;
    if let Some(max) = args.max_trade_size {
        settings.engine.risk.max_trade_usd = max;
    }
    settings
}

/// The recording in `dir`, streamed.
fn open_recording(dir: &Path) -> Result<RecordSource, SourceError> {
    Ok(record_source(RecordingReader::open(dir)?))
}

/// The parsers a recording's raw messages are read back with: every venue's own. The daemon
/// subscribes to Kalshi's books with the adapter's default `use_yes_price`, so recorded `no`
/// levels are read the same way here.
fn decoders() -> DecoderFactories {
    let kalshi = arb_kalshi::KalshiConfig::for_environment(arb_kalshi::Environment::Production);
    Arc::new(vec![
        Box::new(NativeDecoder),
        Box::new(arb_kalshi::KalshiDecoders::new(kalshi.ws_use_yes_price)),
        Box::new(arb_polymarket::PolymarketDecoders),
    ])
}
