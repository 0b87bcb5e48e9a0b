//! Runs a parsed [`Command`] against the loaded [`Config`].

mod backtest;
mod build;
pub mod health;
mod import_pmxt;
mod instrument;
pub(crate) mod print;
mod record;
mod run;
mod table;

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;

use arb_core::engine::{EngineError, EngineHandle};
use arb_core::exchange::ExchangeError;
use arb_core::model::ModelError;
use arb_core::notify::{LogNotifier, Notification, Notifier, NotifyError};
use arb_core::store::StoreError;
use arb_store::OpenMode;

pub use build::{demo_engine_config, engine_config, open_store};
pub use record::finish as finish_recording;

use crate::cli::{Cli, Command, ConfigCommand, MarketsCommand, PairsCommand};
use crate::config::{Config, ConfigError};

/// Who the CLI acts as in pair histories and alerts.
const CLI_ACTOR: &str = "cli";

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The configuration is invalid for this command.
    #[error("configuration error: {0}")]
    Config(#[from] ConfigError),
    /// The store failed.
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// `DATABASE_URL` names a SQLite file that does not exist, and the command does not create one.
    #[error(
        "store: {0}; check DATABASE_URL and the working directory, or pass --create-store to create it (`run` creates it on first start)"
    )]
    StoreMissing(String),
    /// `demo --database PATH` would replace a file the demo did not write.
    #[error(
        "demo: {0} exists and is not a demo store; pass --force to replace it, or choose another --database"
    )]
    NotADemoStore(String),
    /// The engine refused or failed.
    #[error("{0}")]
    Engine(#[from] EngineError),
    /// A venue failed.
    #[error("venue: {0}")]
    Exchange(#[from] ExchangeError),
    /// The semantic verifier cannot be built from its settings.
    #[error("verifier: {0}")]
    Verifier(#[from] arb_core::matching::verify::VerifyError),
    /// A value broke a domain rule.
    #[error("{0}")]
    Model(#[from] ModelError),
    /// `markets sync` read nothing from these venues.
    #[error("catalogue sync failed: no market could be listed from {0}")]
    CatalogueEmpty(String),
    /// A task of the daemon panicked and the daemon stops (logged, counted and alerted).
    #[error("{0}")]
    Panicked(String),
    /// `health`: the daemon is unhealthy or cannot be asked.
    #[error("unhealthy: {0}")]
    Unhealthy(String),
    /// The demo could not run.
    #[error("demo: {0}")]
    Demo(String),
    /// `record` found nothing to record.
    #[error("record: {0}")]
    NothingToRecord(String),
    /// A recording could not be written.
    #[error("{0}")]
    Recording(#[from] arb_backtest::recording::WriteError),
    /// Writing the output failed.
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
    /// The backtest could not run.
    #[error("backtest: {0}")]
    Backtest(#[from] arb_backtest::backtest::BacktestError),
    /// `import-pmxt` has no stored Polymarket market to import for.
    #[error(
        "import-pmxt: no Polymarket market is stored; run `arb-daemon markets sync` first (rows are matched to stored markets by condition id)"
    )]
    NoMarketsToImport,
    /// A pmxt archive file could not be imported (the error names the file, row and column).
    #[error("import-pmxt: {0}")]
    Pmxt(#[from] arb_backtest::pmxt::PmxtError),
    /// The backtest's report could not be written.
    #[error("backtest report: {0}")]
    Report(#[from] arb_backtest::suite::OutputError),
}

impl CommandError {
    /// The process exit code: 2 for bad configuration (like clap's usage errors), 1 otherwise.
    #[must_use]
    pub const fn exit_code(&self) -> u8 {
        match self {
            Self::Config(_) | Self::Verifier(_) => 2,
            _ => 1,
        }
    }
}

/// Runs the command line's command, writing its human output to `out`.
///
/// # Errors
/// See [`CommandError`].
pub async fn dispatch(
    cli: &Cli,
    config: &Config,
    out: &mut (dyn Write + Send),
) -> Result<(), CommandError> {
    let command = &cli.command;
    if command.trades() {
        config.ensure_live_ready()?;
    }
    let mode = command.store_mode(cli.create_store);
    match command {
        Command::Config(ConfigCommand::Check) => config_check(config, out),
        Command::Demo(args) => {
            let mut options = crate::demo::DemoOptions::from(args);
            if args.console {
                options.console = Some(config.console.clone());
            }
            crate::demo::run(&options, build::demo_engine_config(), out).await?;
            Ok(())
        }
        Command::Run => run::run(config, out).await,
        Command::Record(args) => record::record(config, args, mode, out).await,
        Command::Backtest(args) => backtest::backtest(config, args, out).await,
        Command::ImportPmxt(args) => import_pmxt::import(config, args, mode, out).await,
        Command::Health => {
            let addr = config.metrics.addr.ok_or_else(|| {
                CommandError::Unhealthy("METRICS_ADDR is off: there is no /health to ask".into())
            })?;
            let addr = health::local(addr);
            let (code, body) = health::probe(addr)
                .await
                .map_err(|e| CommandError::Unhealthy(format!("http://{addr}/health: {e}")))?;
            writeln!(out, "{body}")?;
            if code == 200 {
                Ok(())
            } else {
                Err(CommandError::Unhealthy(format!(
                    "http://{addr}/health answered {code}"
                )))
            }
        }
        Command::Markets(MarketsCommand::Sync) => {
            let report = handle(config, mode).await?.sync_markets().await?;
            print::sync_report(out, &report)?;
            let empty = report.empty_venues();
            if empty.is_empty() {
                return Ok(());
            }
            let names: Vec<String> = empty.iter().map(ToString::to_string).collect();
            Err(CommandError::CatalogueEmpty(names.join(", ")))
        }
        Command::Match(args) => {
            let handle = handle(config, mode).await?;
            let suggestions = handle.find_matches(args.min_score).await?;
            let mut titles = HashMap::new();
            for key in suggestions.iter().flat_map(|s| [&s.a, &s.b]) {
                if let Some(m) = handle.market(key).await? {
                    titles.insert(key.clone(), m.title);
                }
            }
            print::suggestions(out, &suggestions, &titles)
        }
        Command::Pairs(PairsCommand::Approve(args)) => {
            let handle = handle(config, mode).await?;
            // What the rules say, side by side, before the pair is made (or refused).
            let reading = handle.read_pair(&args.a, &args.b).await?;
            print::reading(out, &reading, args.polarity)?;
            let pair = handle
                .approve_pair(&args.a, &args.b, args.polarity, CLI_ACTOR)
                .await?;
            writeln!(
                out,
                "approved pair {}: {} ≡ {} ({})",
                pair.id, pair.a, pair.b, pair.polarity
            )?;
            Ok(())
        }
        Command::Pairs(PairsCommand::List) => {
            let handle = handle(config, mode).await?;
            print::pairs(
                out,
                &handle.list_pairs(None).await?,
                &handle.leases().await?,
            )
        }
        Command::Pairs(PairsCommand::Pause { id, reason }) => {
            let reason = reason.as_deref().unwrap_or("paused from the command line");
            let pair = handle(config, mode)
                .await?
                .pause_pair(*id, CLI_ACTOR, reason)
                .await?;
            writeln!(
                out,
                "pair {} is now {}",
                pair.id,
                print::status(pair.status)
            )?;
            Ok(())
        }
        Command::Pairs(PairsCommand::Resume { id }) => {
            let pair = handle(config, mode)
                .await?
                .resume_pair(*id, CLI_ACTOR)
                .await?;
            writeln!(
                out,
                "pair {} is now {}",
                pair.id,
                print::status(pair.status)
            )?;
            Ok(())
        }
        Command::Positions => {
            print::positions(out, &handle(config, mode).await?.positions().await?)
        }
        Command::Opportunities(args) => {
            let limit = usize::try_from(args.limit).unwrap_or(usize::MAX);
            print::opportunities(
                out,
                &handle(config, mode).await?.opportunities(limit).await?,
            )
        }
        Command::Halt(args) => {
            let reason = args
                .reason
                .as_deref()
                .unwrap_or("halted from the command line");
            confirmed_handle(config, mode)
                .await?
                .halt(CLI_ACTOR, reason)
                .await?;
            writeln!(
                out,
                "trading halted: no new executions (in-flight ones finish hedging)"
            )?;
            Ok(())
        }
        Command::Resume => {
            confirmed_handle(config, mode)
                .await?
                .resume(CLI_ACTOR)
                .await?;
            writeln!(out, "trading resumed")?;
            Ok(())
        }
    }
}

/// An engine handle over the configured store and the venues' public data: enough for every
/// command that only reads or changes the store (`markets sync` and `match` read public market
/// data), so none of them needs trading credentials.
async fn handle(config: &Config, mode: OpenMode) -> Result<EngineHandle, CommandError> {
    let store = open_store(config, mode).await?;
    Ok(build::engine(config, store, build::data_venues(config)?)?.handle())
}

/// [`handle`] for the kill-switch commands: the alert `halt` / `resume` raise is the confirmation
/// of what the operator just did, logged at INFO (not as an error: nothing went wrong). A running
/// daemon picks the switch up from the store.
async fn confirmed_handle(config: &Config, mode: OpenMode) -> Result<EngineHandle, CommandError> {
    let store = open_store(config, mode).await?;
    let venues = build::data_venues(config)?;
    Ok(build::engine_with(config, store, venues, Arc::new(Confirmations))?.handle())
}

/// Logs the kill switch's alerts at INFO, everything else as [`LogNotifier`] does.
struct Confirmations;

impl Notifier for Confirmations {
    fn notify(&self, notification: Notification) -> Result<(), NotifyError> {
        match notification {
            Notification::Alert { message, .. } => {
                tracing::info!(%message, "done");
                Ok(())
            }
            other => LogNotifier.notify(other),
        }
    }
}

/// `config check`: validates what `run` would need and prints every setting, secrets as
/// set/unset.
///
/// # Errors
/// [`CommandError::Config`] if `live` mode lacks credentials; [`CommandError::Output`].
pub fn config_check(config: &Config, out: &mut (dyn Write + Send)) -> Result<(), CommandError> {
    config.ensure_live_ready()?;
    out.write_all(config.render().as_bytes())?;
    writeln!(out, "configuration OK")?;
    Ok(())
}
