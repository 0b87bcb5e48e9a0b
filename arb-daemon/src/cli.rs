//! The command line (clap). Parsing only: [`crate::commands::dispatch`] runs the commands.

use std::path::PathBuf;

use arb_core::model::{MarketKey, PairId, Polarity};
use clap::{Args, Parser, Subcommand};

/// The venue a bare market id given as `<a>` of `pairs approve` belongs to.
pub const DEFAULT_VENUE_A: &str = "kalshi";
/// The venue a bare market id given as `<b>` of `pairs approve` belongs to.
pub const DEFAULT_VENUE_B: &str = "polymarket";

/// Cross-venue prediction-market arbitrage: Kalshi and Polymarket.
#[derive(Debug, Parser, PartialEq)]
#[command(name = "arb-daemon", version, about, propagate_version = true)]
pub struct Cli {
    /// A TOML configuration file (lowest precedence after the defaults: environment and `.env`
    /// override it).
    #[arg(long, global = true, env = "ARB_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Create the SQLite store file named by DATABASE_URL if it does not exist (only `run` and
    /// `demo` create one unasked; every other command refuses a missing file, which usually
    /// means a mistyped path or another working directory).
    #[arg(long, global = true)]
    pub create_store: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The daemon's commands.
#[derive(Debug, Subcommand, PartialEq)]
pub enum Command {
    /// Run the daemon: watch approved pairs and trade per TRADING_MODE until SIGINT/SIGTERM.
    Run,
    /// Run the whole pipeline on simulated venues: no credentials, network or database server.
    Demo(DemoArgs),
    /// Venue market catalogues.
    #[command(subcommand)]
    Markets(MarketsCommand),
    /// Suggest equivalent markets across the venues.
    Match(MatchArgs),
    /// Verified pairs: approve, list, pause, resume.
    #[command(subcommand)]
    Pairs(PairsCommand),
    /// Open positions and PnL.
    Positions,
    /// Recent opportunities.
    Opportunities(OpportunitiesArgs),
    /// Stop all new executions (in-flight ones finish hedging).
    Halt(ReasonArgs),
    /// Allow executions again after a halt.
    Resume,
    /// Configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Ask the running daemon's /health (at METRICS_ADDR): exit 0 when healthy, 1 otherwise.
    Health,
    /// Record the chosen markets' raw book messages on both venues, with their definitions,
    /// into hourly zstd files until SIGINT/SIGTERM (for backtests).
    Record(RecordArgs),
    /// Replay a recording through the engine against simulated venues and report what it
    /// would have detected, done and earned (report.txt, report.json, report.svg).
    Backtest(BacktestArgs),
    /// Convert pmxt's hourly Parquet archive of Polymarket's order-book stream into a recording
    /// (for `backtest`), for the Polymarket markets stored by `markets sync`.
    ImportPmxt(ImportPmxtArgs),
}

impl Command {
    /// The command as typed, for messages (`pairs approve`, `config check`).
    #[must_use]
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Run => "run",
            Self::Demo(_) => "demo",
            Self::Markets(MarketsCommand::Sync) => "markets sync",
            Self::Match(_) => "match",
            Self::Pairs(PairsCommand::Approve(_)) => "pairs approve",
            Self::Pairs(PairsCommand::List) => "pairs list",
            Self::Pairs(PairsCommand::Pause { .. }) => "pairs pause",
            Self::Pairs(PairsCommand::Resume { .. }) => "pairs resume",
            Self::Positions => "positions",
            Self::Opportunities(_) => "opportunities",
            Self::Halt(_) => "halt",
            Self::Resume => "resume",
            Self::Config(ConfigCommand::Check) => "config check",
            Self::Health => "health",
            Self::Record(_) => "record",
            Self::Backtest(_) => "backtest",
            Self::ImportPmxt(_) => "import-pmxt",
        }
    }

    /// How the command opens the store: `run` creates it on first start; `pairs list`,
    /// `positions`, `opportunities` and `import-pmxt` only read it (a read-only file will do); every other
    /// command needs it to exist unless `create` (`--create-store`). `demo`, `config check`,
    /// `health` and `backtest` do not open `DATABASE_URL`.
    #[must_use]
    pub const fn store_mode(&self, create: bool) -> arb_store::OpenMode {
        match self {
            Self::Run | Self::Demo(_) | Self::Config(_) | Self::Health | Self::Backtest(_) => {
                arb_store::OpenMode::Create
            }
            _ if create => arb_store::OpenMode::Create,
            Self::Pairs(PairsCommand::List)
            | Self::Positions
            | Self::Opportunities(_)
            | Self::ImportPmxt(_) => arb_store::OpenMode::ReadOnly,
            _ => arb_store::OpenMode::Existing,
        }
    }

    /// Whether the command trades, and so needs venue credentials in `live` mode. Commands that
    /// only read or change the store do not.
    #[must_use]
    pub const fn trades(&self) -> bool {
        matches!(self, Self::Run)
    }
}

/// `demo [--seconds N] [--database PATH] [--seed N]`
#[derive(Debug, Args, PartialEq, Eq)]
pub struct DemoArgs {
    /// How long the live detection and execution phase runs (1–600 s).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub seconds: u64,
    /// The SQLite file the demo writes (replaced at the start; default: `arb-demo.db` in the
    /// system's temporary directory). An existing file that is not a demo store is refused
    /// unless `--force` is given.
    #[arg(long, value_name = "PATH")]
    pub database: Option<PathBuf>,
    /// Replace the `--database` file even if it is not a store the demo wrote.
    #[arg(long)]
    pub force: bool,
    /// Seed of the simulated books (the same seed moves the books the same way).
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Serve the web console (at CONSOLE_ADDR) over the demo, and keep serving its data after
    /// the demo until Ctrl-C. Without CONSOLE_TOKENS a one-time trader token is printed.
    #[arg(long)]
    pub console: bool,
    /// Record the demo's books and the approved pairs into this directory (hourly zstd files,
    /// as `record` writes them), for `backtest --from DIR`.
    #[arg(long, value_name = "DIR")]
    pub record: Option<PathBuf>,
}

/// `record --out DIR [--markets active|suggested|all]`
#[derive(Debug, Args, PartialEq, Eq)]
pub struct RecordArgs {
    /// The directory the recording is written to (created if missing; files already there are
    /// never overwritten).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Which stored markets to record.
    #[arg(long, value_enum, default_value_t = RecordMarkets::Active)]
    pub markets: RecordMarkets,
}

/// Which stored markets `record` records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RecordMarkets {
    /// The markets of active approved pairs.
    Active,
    /// The markets of open match suggestions, and of active pairs.
    Suggested,
    /// Every stored open market of the configured venues.
    All,
}

/// `import-pmxt FILE... --out DIR`
#[derive(Debug, Args, PartialEq, Eq)]
pub struct ImportPmxtArgs {
    /// pmxt's hourly files (`polymarket_orderbook_YYYY-MM-DDTHH.parquet`); consecutive hours
    /// together, so each token's `book` snapshot comes with the changes that follow it.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// The recording directory written (created if missing; existing files are never touched).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// `backtest --from DIR [--out DIR] [--latency-ms SPEC] [--jitter-ms N] [--seed N]
/// [--max-trade-size USD] [--capacity LIST] [--starting-cash USD] [--dislocation-gap-ms N]`
#[derive(Debug, Args, PartialEq, Eq)]
pub struct BacktestArgs {
    /// The recording's directory (`record --out`, `RECORD_DIR`, `demo --record`).
    #[arg(long, value_name = "DIR")]
    pub from: PathBuf,
    /// Where report.txt, report.json and report.svg are written (created if missing).
    #[arg(long, value_name = "DIR", default_value = "backtest-report")]
    pub out: PathBuf,
    /// One-way latency to the venues in milliseconds: `N` for every venue, or per venue as
    /// `kalshi=80,polymarket=30` (a bare `N` in the list sets the others).
    #[arg(long, value_name = "SPEC", default_value = "0", value_parser = parse_latencies)]
    pub latency_ms: LatencySpec,
    /// Up to this many milliseconds added to each one-way delay, drawn from `--seed`.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub jitter_ms: u64,
    /// Seed of the latency jitter (the same seed gives the same run).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// The per-trade limit in dollars (default: MAX_TRADE_SIZE).
    #[arg(long, value_name = "USD", value_parser = parse_usd)]
    pub max_trade_size: Option<rust_decimal::Decimal>,
    /// Per-trade limits in dollars to rerun the recording with for the capacity curve
    /// (comma-separated; `none` for no curve).
    #[arg(long, value_name = "LIST", default_value = "10,50,100,500,1000", value_parser = parse_capacity)]
    pub capacity: CapacityList,
    /// Paper cash on each venue at the start, in dollars.
    #[arg(long, value_name = "USD", default_value = "100000", value_parser = parse_usd)]
    pub starting_cash: rust_decimal::Decimal,
    /// Detections of a pair further apart than this many milliseconds count as separate
    /// dislocations in the report.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub dislocation_gap_ms: u32,
}

/// `--latency-ms`: milliseconds for every venue, and per venue.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LatencySpec {
    /// For venues not named.
    pub default_ms: u64,
    /// Per venue.
    pub venues: Vec<(String, u64)>,
}

/// `--capacity`: per-trade limits, dollars.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CapacityList(pub Vec<rust_decimal::Decimal>);

fn parse_latencies(text: &str) -> Result<LatencySpec, String> {
    let mut spec = LatencySpec::default();
    for item in text.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let millis = |n: &str| {
            n.trim().parse::<u64>().map_err(|_| {
                format!("`{item}` is not a latency: expected milliseconds, as `50` or `kalshi=50`")
            })
        };
        match item.split_once('=') {
            Some((venue, n)) if !venue.trim().is_empty() => {
                spec.venues
                    .push((venue.trim().to_ascii_lowercase(), millis(n)?));
            }
            Some(_) => return Err(format!("`{item}` names no venue")),
            None => spec.default_ms = millis(item)?,
        }
    }
    Ok(spec)
}

fn parse_usd(text: &str) -> Result<rust_decimal::Decimal, String> {
    match text
        .trim()
        .trim_start_matches('$')
        .parse::<rust_decimal::Decimal>()
    {
        Ok(usd) if usd > rust_decimal::Decimal::ZERO => Ok(usd),
        _ => Err(format!(
            "`{text}` is not an amount: expected dollars above zero, as `250` or `99.5`"
        )),
    }
}

fn parse_capacity(text: &str) -> Result<CapacityList, String> {
    if text.trim().eq_ignore_ascii_case("none") {
        return Ok(CapacityList::default());
    }
    text.split(',')
        .map(parse_usd)
        .collect::<Result<Vec<_>, _>>()
        .map(CapacityList)
}

/// `markets …`
#[derive(Debug, Subcommand, PartialEq, Eq)]
pub enum MarketsCommand {
    /// Fetch both venues' open markets into the store.
    Sync,
}

/// `match [--min-score N]`
#[derive(Debug, Args, PartialEq)]
pub struct MatchArgs {
    /// Only suggestions scoring at least this (0–100; the matcher's default if omitted).
    #[arg(long, value_name = "N", value_parser = parse_score)]
    pub min_score: Option<f64>,
}

/// `pairs …`
#[derive(Debug, Subcommand, PartialEq)]
pub enum PairsCommand {
    /// Approve two markets as the same event (a person's confirmation).
    Approve(ApproveArgs),
    /// List verified pairs.
    List,
    /// Stop trading a pair.
    Pause {
        /// The pair's id (from `pairs list`).
        id: PairId,
        /// Why (recorded with the pair's history).
        #[arg(long)]
        reason: Option<String>,
    },
    /// Trade a paused pair again.
    Resume {
        /// The pair's id (from `pairs list`).
        id: PairId,
    },
}

/// `pairs approve <a> <b> [--polarity same|inverse]`
#[derive(Debug, Args, PartialEq)]
pub struct ApproveArgs {
    /// Market A as `venue:id`, or a bare Kalshi ticker.
    #[arg(value_parser = parse_market_a)]
    pub a: MarketKey,
    /// Market B as `venue:id`, or a bare Polymarket condition id.
    #[arg(value_parser = parse_market_b)]
    pub b: MarketKey,
    /// `same` (A.YES is B.YES) or `inverse` (A.YES is B.NO).
    #[arg(long, default_value = "same", value_parser = parse_polarity)]
    pub polarity: Polarity,
}

/// `opportunities [--limit N]`
#[derive(Debug, Args, PartialEq, Eq)]
pub struct OpportunitiesArgs {
    /// How many of the most recent to show (1–10000).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub limit: u32,
}

/// `halt [--reason …]`
#[derive(Debug, Args, PartialEq, Eq)]
pub struct ReasonArgs {
    /// Why (shown in status and alerts).
    #[arg(long)]
    pub reason: Option<String>,
}

/// `config …`
#[derive(Debug, Subcommand, PartialEq, Eq)]
pub enum ConfigCommand {
    /// Validate the configuration and print every setting (secrets only as set/unset).
    Check,
}

/// A market reference: `venue:id`, or a bare id on `default_venue`.
///
/// # Errors
/// An empty venue or id.
pub fn parse_market(text: &str, default_venue: &str) -> Result<MarketKey, String> {
    let text = text.trim();
    let (venue, id) = text.split_once(':').unwrap_or((default_venue, text));
    if venue.is_empty() || id.is_empty() {
        return Err(format!(
            "`{text}` is not a market: expected `venue:id` or a bare {default_venue} id"
        ));
    }
    Ok(MarketKey::new(venue.to_ascii_lowercase(), id))
}

fn parse_market_a(text: &str) -> Result<MarketKey, String> {
    parse_market(text, DEFAULT_VENUE_A)
}

fn parse_market_b(text: &str) -> Result<MarketKey, String> {
    parse_market(text, DEFAULT_VENUE_B)
}

fn parse_polarity(text: &str) -> Result<Polarity, String> {
    text.parse()
}

fn parse_score(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(score) if (0.0..=100.0).contains(&score) => Ok(score),
        _ => Err(format!(
            "`{text}` is not a score: expected a number in 0..=100"
        )),
    }
}
