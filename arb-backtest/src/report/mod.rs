//! The backtest report: how often and how long the pairs were dislocated, what the engine did
//! about it (executed, refused and why), the fills, fees and PnL, and the capacity curve. Built
//! from a [`RunResult`]; written as text ([`Report::to_text`]) and JSON ([`Report::to_json`]).
//! Every figure is an exact decimal; nothing depends on the machine or the wall clock, so the
//! same run gives the same bytes.

mod build;
mod text;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

use arb_core::model::PairId;

pub use build::{DEFAULT_DISLOCATION_GAP, ReportOptions};

/// The whole report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    /// What was replayed.
    pub recording: Span,
    /// The settings of the run.
    pub settings: ReportSettings,
    /// Totals over the whole run.
    pub totals: Totals,
    /// Refusals, by reason (figures in the reason replaced by `#`), most frequent first.
    pub refusals: Vec<Count>,
    /// Executions, by final state.
    pub execution_states: Vec<Count>,
    /// Per pair.
    pub pairs: Vec<PairReport>,
    /// Per hour (UTC) of detection.
    pub hours: Vec<HourReport>,
    /// Total PnL after each instant something filled (marked at the recording's last books).
    pub pnl_curve: Vec<CurvePoint>,
    /// Total PnL of the same recording rerun for each maximum trade size.
    pub capacity: Vec<CapacityPoint>,
}

/// The replayed span.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Span {
    /// First record's time.
    pub start: DateTime<Utc>,
    /// Last record's time.
    pub end: DateTime<Utc>,
    /// Book events replayed.
    pub book_updates: u64,
}

/// The settings a report was made with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReportSettings {
    /// One-way latency per venue: `(base ms, jitter ms)`.
    pub latency_ms: BTreeMap<String, (u64, u64)>,
    /// Seed of the latency jitter.
    pub seed: u64,
    /// The per-trade limit, dollars.
    pub max_trade_usd: Decimal,
    /// Paper cash per venue at the start, dollars.
    pub starting_cash_usd: Decimal,
    /// Detections further apart than this start a new dislocation, milliseconds.
    pub dislocation_gap_ms: i64,
}

/// Totals over the run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Opportunities detected (each detection, also of an opportunity still open).
    pub opportunities: u64,
    /// Detections an execution was started for.
    pub executed: u64,
    /// Detections risk refused.
    pub refused: u64,
    /// Dislocations (runs of detections of one pair, see `dislocation_gap_ms`).
    pub dislocations: u64,
    /// Executions that ended unhedged (one leg held more than the other).
    pub unhedged: u64,
    /// Fills on both venues.
    pub fills: u64,
    /// Contracts filled.
    pub contracts: Decimal,
    /// Fees paid, dollars.
    pub fees: Decimal,
    /// Profit locked in by hedged contracts (each pays $1 whatever the result), dollars.
    pub locked_in: Decimal,
    /// Realised PnL (contracts sold back), dollars.
    pub realized: Decimal,
    /// Unhedged contracts marked at the last recorded best bid, minus their cost, dollars.
    pub unrealized: Decimal,
    /// `locked_in + realized + unrealized`.
    pub pnl: Decimal,
}

/// A label and how often it occurred.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Count {
    /// The label.
    pub label: String,
    /// How often.
    pub count: u64,
}

/// One pair's figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PairReport {
    /// The pair's id in the run.
    pub pair: PairId,
    /// Its first market.
    pub a: String,
    /// Its second market.
    pub b: String,
    /// Detections.
    pub opportunities: u64,
    /// Detections executed.
    pub executed: u64,
    /// Detections refused.
    pub refused: u64,
    /// Dislocations.
    pub dislocations: u64,
    /// The longest dislocation, first to last detection, milliseconds.
    pub longest_dislocation_ms: i64,
    /// The mean dislocation, milliseconds (rounded down).
    pub mean_dislocation_ms: i64,
    /// The best profit detected, dollars.
    pub best_profit: Decimal,
    /// Fills on its two markets.
    pub fills: u64,
    /// Fees of those fills, dollars.
    pub fees: Decimal,
    /// Contracts held on both sides.
    pub hedged_qty: Decimal,
    /// Contracts held on one side only.
    pub unhedged_qty: Decimal,
    /// Locked-in profit, dollars.
    pub locked_in: Decimal,
    /// Unhedged contracts marked to market, dollars.
    pub unrealized: Decimal,
}

/// One hour's figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HourReport {
    /// The hour (UTC), at its start.
    pub hour: DateTime<Utc>,
    /// Detections.
    pub opportunities: u64,
    /// Detections executed.
    pub executed: u64,
    /// Detections refused.
    pub refused: u64,
}

/// Total PnL at an instant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CurvePoint {
    /// When.
    pub at: DateTime<Utc>,
    /// Total PnL then, dollars.
    pub pnl: Decimal,
}

/// The result of one run of the capacity curve.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CapacityPoint {
    /// The per-trade limit, dollars.
    pub max_trade_usd: Decimal,
    /// Executions.
    pub executions: u64,
    /// Fees paid, dollars.
    pub fees: Decimal,
    /// Total PnL, dollars.
    pub pnl: Decimal,
}

impl Report {
    /// The report as pretty-printed JSON (decimals as exact strings), ending with a newline.
    ///
    /// # Errors
    /// Serialisation failed (it does not for these types).
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        let mut out = serde_json::to_string_pretty(self)?;
        out.push('\n');
        Ok(out)
    }
}
