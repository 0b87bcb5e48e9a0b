//! Turning a [`RunResult`] into a [`Report`].

use std::collections::BTreeMap;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use rust_decimal::Decimal;

use arb_core::model::{
    ExecutionState, Fill, MarketKey, OpportunityDecision, OpportunityRecord, Outcome, PairId,
    Price, Qty, VerifiedPair,
};
use arb_core::portfolio::Portfolio;

use super::{
    CapacityPoint, Count, CurvePoint, HourReport, PairReport, Report, ReportSettings, Span, Totals,
};
use crate::backtest::{BacktestSettings, RunResult};

/// Detections of a pair further apart than this belong to different dislocations by default.
pub const DEFAULT_DISLOCATION_GAP: TimeDelta = TimeDelta::seconds(1);

/// How the report reads a run.
#[derive(Clone, Copy, Debug)]
pub struct ReportOptions {
    /// Detections of a pair further apart than this start a new dislocation.
    pub dislocation_gap: TimeDelta,
}

impl Default for ReportOptions {
    fn default() -> Self {
        Self {
            dislocation_gap: DEFAULT_DISLOCATION_GAP,
        }
    }
}

impl ReportSettings {
    /// The settings of a run, for the report.
    #[must_use]
    pub fn of(settings: &BacktestSettings, run: &RunResult, options: ReportOptions) -> Self {
        let mut latency_ms = BTreeMap::new();
        for pair in &run.pairs {
            for venue in [&pair.a.venue, &pair.b.venue] {
                let latency = settings.latency_of(venue);
                let ms = |d: std::time::Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
                latency_ms.insert(venue.to_string(), (ms(latency.base), ms(latency.jitter)));
            }
        }
        Self {
            latency_ms,
            seed: settings.seed,
            max_trade_usd: settings.engine.risk.max_trade_usd,
            starting_cash_usd: settings.starting_cash,
            dislocation_gap_ms: options.dislocation_gap.num_milliseconds(),
        }
    }
}

impl CapacityPoint {
    /// The capacity point of a run made with a per-trade limit of `max_trade_usd`.
    #[must_use]
    pub fn of(run: &RunResult, max_trade_usd: Decimal) -> Self {
        let pnl = Pnl::of(run, &run.fills);
        Self {
            max_trade_usd,
            executions: count(run.executions.len()),
            fees: run.fills.iter().map(|f| f.fee).sum(),
            pnl: pnl.total(),
        }
    }
}

impl Report {
    /// The report of `run`, with the capacity curve measured separately (empty if none).
    #[must_use]
    pub fn build(
        run: &RunResult,
        settings: ReportSettings,
        capacity: Vec<CapacityPoint>,
        options: ReportOptions,
    ) -> Self {
        let pnl = Pnl::of(run, &run.fills);
        let pairs: Vec<PairReport> = run
            .pairs
            .iter()
            .map(|pair| pair_report(run, pair, &pnl, options))
            .collect();
        let (executed, refused) = decisions(&run.opportunities);
        let totals = Totals {
            opportunities: count(run.opportunities.len()),
            executed,
            refused,
            dislocations: pairs.iter().map(|p| p.dislocations).sum(),
            unhedged: count(
                run.executions
                    .iter()
                    .filter(|e| e.state == ExecutionState::Unhedged)
                    .count(),
            ),
            fills: count(run.fills.len()),
            contracts: run.fills.iter().map(|f| f.qty.value()).sum(),
            fees: run.fills.iter().map(|f| f.fee).sum(),
            locked_in: pnl.locked_in,
            realized: pnl.realized,
            unrealized: pnl.unrealized,
            pnl: pnl.total(),
        };
        Self {
            recording: Span {
                start: run.start,
                end: run.end,
                book_updates: run.book_updates,
            },
            settings,
            totals,
            refusals: refusals(&run.opportunities),
            execution_states: execution_states(run),
            pairs,
            hours: hours(&run.opportunities),
            pnl_curve: pnl_curve(run),
            capacity,
        }
    }
}

/// PnL of a set of fills, marked at the run's last books.
#[derive(Clone, Debug, Default)]
struct Pnl {
    locked_in: Decimal,
    realized: Decimal,
    unrealized: Decimal,
    by_pair: BTreeMap<PairId, arb_core::portfolio::PairPnl>,
}

impl Pnl {
    fn of(run: &RunResult, fills: &[Fill]) -> Self {
        let mut portfolio = Portfolio::new(Qty::ZERO);
        apply(&mut portfolio, fills);
        Self::held(run, &portfolio)
    }

    /// What `portfolio` holds and is worth, marked at the run's last books.
    fn held(run: &RunResult, portfolio: &Portfolio) -> Self {
        let mark = |key: &MarketKey, outcome: Outcome| -> Option<Price> {
            run.final_books
                .get(key)
                .and_then(|book| book.sell_levels(outcome).first().map(|l| l.price))
        };
        let mut out = Self {
            realized: portfolio.realized_total(),
            ..Self::default()
        };
        for pair in &run.pairs {
            let p = portfolio.pair_pnl(pair, mark);
            out.locked_in += p.locked_in;
            out.unrealized += p.unrealized;
            out.by_pair.insert(pair.id, p);
        }
        out
    }

    fn total(&self) -> Decimal {
        self.locked_in + self.realized + self.unrealized
    }
}

fn pair_report(
    run: &RunResult,
    pair: &VerifiedPair,
    pnl: &Pnl,
    options: ReportOptions,
) -> PairReport {
    let detections: Vec<&OpportunityRecord> = run
        .opportunities
        .iter()
        .filter(|o| o.opportunity.pair_id == pair.id)
        .collect();
    let (executed, refused) = decisions(detections.iter().copied());
    let times = detections.iter().map(|o| o.opportunity.detected_at);
    let runs = dislocations(times, options.dislocation_gap);
    let longest = runs.iter().copied().max().unwrap_or_default();
    let mean = if runs.is_empty() {
        TimeDelta::zero()
    } else {
        runs.iter().copied().sum::<TimeDelta>() / i32::try_from(runs.len()).unwrap_or(i32::MAX)
    };
    let on_pair = |f: &&Fill| f.market == pair.a || f.market == pair.b;
    let held = pnl.by_pair.get(&pair.id).cloned().unwrap_or_default();
    PairReport {
        pair: pair.id,
        a: pair.a.to_string(),
        b: pair.b.to_string(),
        opportunities: count(detections.len()),
        executed,
        refused,
        dislocations: count(runs.len()),
        longest_dislocation_ms: longest.num_milliseconds(),
        mean_dislocation_ms: mean.num_milliseconds(),
        best_profit: detections
            .iter()
            .map(|o| o.opportunity.profit)
            .max()
            .unwrap_or_default(),
        fills: count(run.fills.iter().filter(on_pair).count()),
        fees: run.fills.iter().filter(on_pair).map(|f| f.fee).sum(),
        hedged_qty: held.hedged_qty.value(),
        unhedged_qty: held.unhedged.iter().map(|(_, _, q)| q.value()).sum(),
        locked_in: held.locked_in,
        unrealized: held.unrealized,
    }
}

/// How long each dislocation lasted: runs of detections no further apart than `gap`, from the
/// first detection to the last.
fn dislocations(detections: impl Iterator<Item = DateTime<Utc>>, gap: TimeDelta) -> Vec<TimeDelta> {
    let mut runs = Vec::new();
    let mut current: Option<(DateTime<Utc>, DateTime<Utc>)> = None;
    for at in detections {
        current = match current {
            Some((first, last)) if at - last <= gap => Some((first, at.max(last))),
            Some((first, last)) => {
                runs.push(last - first);
                Some((at, at))
            }
            None => Some((at, at)),
        };
    }
    if let Some((first, last)) = current {
        runs.push(last - first);
    }
    runs
}

/// (executed, refused) among `records`.
fn decisions<'a>(records: impl IntoIterator<Item = &'a OpportunityRecord>) -> (u64, u64) {
    records
        .into_iter()
        .fold((0, 0), |(executed, refused), r| match r.decision {
            OpportunityDecision::Executed(_) => (executed + 1, refused),
            OpportunityDecision::Refused(_) => (executed, refused + 1),
            OpportunityDecision::Observed => (executed, refused),
        })
}

/// Refusal reasons with their figures replaced by `#`, so that one reason counts as one.
fn refusals(records: &[OpportunityRecord]) -> Vec<Count> {
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for record in records {
        if let OpportunityDecision::Refused(reason) = &record.decision {
            *counts.entry(generalise(reason)).or_default() += 1;
        }
    }
    sorted(counts)
}

/// `reason` with every word holding a digit replaced by `#`.
fn generalise(reason: &str) -> String {
    reason
        .split_whitespace()
        .map(|word| {
            if word.bytes().any(|b| b.is_ascii_digit()) {
                "#"
            } else {
                word
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn execution_states(run: &RunResult) -> Vec<Count> {
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for execution in &run.executions {
        let state = serde_json::to_value(execution.state)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| format!("{:?}", execution.state));
        *counts.entry(state).or_default() += 1;
    }
    sorted(counts)
}

/// Most frequent first, then by label.
fn sorted(counts: BTreeMap<String, u64>) -> Vec<Count> {
    let mut out: Vec<Count> = counts
        .into_iter()
        .map(|(label, count)| Count { label, count })
        .collect();
    out.sort_by(|x, y| y.count.cmp(&x.count).then_with(|| x.label.cmp(&y.label)));
    out
}

fn hours(records: &[OpportunityRecord]) -> Vec<HourReport> {
    let mut by_hour: BTreeMap<DateTime<Utc>, (u64, u64, u64)> = BTreeMap::new();
    for record in records {
        let at = record.opportunity.detected_at;
        let hour = at.duration_trunc(TimeDelta::hours(1)).unwrap_or(at);
        let entry = by_hour.entry(hour).or_default();
        let (executed, refused) = decisions([record]);
        *entry = (entry.0 + 1, entry.1 + executed, entry.2 + refused);
    }
    by_hour
        .into_iter()
        .map(|(hour, (opportunities, executed, refused))| HourReport {
            hour,
            opportunities,
            executed,
            refused,
        })
        .collect()
}

/// Total PnL after each instant with fills (fills of one instant together).
fn pnl_curve(run: &RunResult) -> Vec<CurvePoint> {
    let mut portfolio = Portfolio::new(Qty::ZERO);
    let mut curve = Vec::new();
    let mut rest = run.fills.as_slice();
    while let Some(first) = rest.first() {
        let at = first.ts;
        let same = rest.iter().take_while(|f| f.ts == at).count();
        let (now, later) = rest.split_at(same);
        apply(&mut portfolio, now);
        curve.push(CurvePoint {
            at,
            pnl: Pnl::held(run, &portfolio).total(),
        });
        rest = later;
    }
    curve
}

/// Applies paper fills; one that does not fit the positions (which the simulator never
/// produces) is logged.
fn apply(portfolio: &mut Portfolio, fills: &[Fill]) {
    for problem in portfolio.apply_fills(fills) {
        tracing::warn!(%problem, "a paper fill does not fit the positions");
    }
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dislocation_runs_from_first_to_last_detection_within_the_gap() {
        let t = |ms: i64| DateTime::<Utc>::UNIX_EPOCH + TimeDelta::milliseconds(ms);
        let gap = TimeDelta::seconds(1);
        let times = [0, 400, 1400, 1500, 5000, 9000, 9999].map(t);
        let runs = dislocations(times.into_iter(), gap);
        let ms: Vec<i64> = runs.iter().map(TimeDelta::num_milliseconds).collect();
        assert_eq!(ms, vec![1500, 0, 999]);
        assert!(dislocations(std::iter::empty(), gap).is_empty());
    }

    #[test]
    fn refusal_reasons_count_once_whatever_their_figures() {
        assert_eq!(
            generalise("pair 3 is cooling down until 2026-12-03 18:00:05 UTC"),
            "pair # is cooling down until # # UTC"
        );
        assert_eq!(
            generalise("trade costs $120.50, above the $100.00 per-trade limit"),
            "trade costs # above the # per-trade limit"
        );
    }
}
