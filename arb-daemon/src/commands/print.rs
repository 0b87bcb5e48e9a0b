//! Plain-text tables for the CLI.

use std::io::Write;

use arb_core::engine::PositionsReport;
use arb_core::model::{
    MatchSuggestion, OpportunityDecision, OpportunityRecord, PairStatus, VerifiedPair,
};

use super::CommandError;

/// A pair status as a word.
#[must_use]
pub fn status(status: PairStatus) -> &'static str {
    match status {
        PairStatus::Active => "active",
        PairStatus::Paused => "paused",
        PairStatus::NeedsReapproval => "awaiting re-approval (rules changed)",
    }
}

/// Suggestions with score, polarity and warnings; ids are what `pairs approve` and Discord use.
pub fn suggestions(
    out: &mut (dyn Write + Send),
    list: &[MatchSuggestion],
) -> Result<(), CommandError> {
    if list.is_empty() {
        writeln!(
            out,
            "no suggestions (run `markets sync` first, or lower --min-score)"
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "{:>5} {:>6}  {:<8} {:<40} market B",
        "id", "score", "polarity", "market A"
    )?;
    for s in list {
        let id = s.id.map(|i| i.to_string()).unwrap_or_default();
        writeln!(
            out,
            "{id:>5} {:>6.1}  {:<8} {:<40} {}",
            s.score,
            s.polarity.to_string(),
            s.a.to_string(),
            s.b
        )?;
        for w in &s.warnings {
            writeln!(out, "{:>15} ! {w}", "")?;
        }
    }
    Ok(())
}

/// Verified pairs.
pub fn pairs(out: &mut (dyn Write + Send), list: &[VerifiedPair]) -> Result<(), CommandError> {
    if list.is_empty() {
        writeln!(out, "no pairs approved yet")?;
        return Ok(());
    }
    writeln!(
        out,
        "{:>5}  {:<38} {:<40} {:<8} {:<10} approved by",
        "id", "market A", "market B", "polarity", "status"
    )?;
    for p in list {
        writeln!(
            out,
            "{:>5}  {:<38} {:<40} {:<8} {:<10} {} at {}",
            p.id,
            p.a.to_string(),
            p.b.to_string(),
            p.polarity.to_string(),
            status(p.status),
            p.approved_by,
            p.approved_at.format("%Y-%m-%d %H:%M UTC")
        )?;
    }
    Ok(())
}

/// Positions and the PnL summary.
pub fn positions(
    out: &mut (dyn Write + Send),
    report: &PositionsReport,
) -> Result<(), CommandError> {
    let held: Vec<_> = report
        .positions
        .iter()
        .filter(|p| !p.qty.is_zero())
        .collect();
    if held.is_empty() {
        writeln!(out, "no open positions")?;
    } else {
        writeln!(
            out,
            "{:<44} {:<4} {:>10} {:>8} {:>10}",
            "market", "side", "qty", "avg", "fees"
        )?;
        for p in held {
            writeln!(
                out,
                "{:<44} {:<4} {:>10} {:>8} {:>10}",
                p.market.to_string(),
                p.outcome.to_string(),
                p.qty,
                p.avg_price.map(|x| x.to_string()).unwrap_or_default(),
                p.fees_paid.round_dp(4)
            )?;
        }
    }
    let pnl = &report.pnl;
    writeln!(
        out,
        "realised PnL ${}  fees ${}  cost of open positions ${}",
        pnl.realized.round_dp(4),
        pnl.fees.round_dp(4),
        pnl.cost_basis.round_dp(4)
    )?;
    if let Some(today) = &pnl.today {
        writeln!(
            out,
            "today: realised ${}  locked in ${}  unrealised ${}  executions {}",
            today.realized.round_dp(4),
            today.locked_in.round_dp(4),
            today.unrealized.round_dp(4),
            today.executions
        )?;
    }
    Ok(())
}

/// Recent opportunities with what became of them.
pub fn opportunities(
    out: &mut (dyn Write + Send),
    list: &[OpportunityRecord],
) -> Result<(), CommandError> {
    if list.is_empty() {
        writeln!(out, "no opportunities recorded")?;
        return Ok(());
    }
    for o in list {
        let opp = &o.opportunity;
        let decision = match &o.decision {
            OpportunityDecision::Observed => "observed".to_owned(),
            OpportunityDecision::Executed(id) => format!("executed ({id})"),
            OpportunityDecision::Refused(reason) => format!("refused: {reason}"),
        };
        writeln!(
            out,
            "{}  pair {:>4}  {} {} @≤{} + {} {} @≤{}  qty {}  profit ${} ({:.2}%)  {decision}",
            opp.detected_at.format("%Y-%m-%d %H:%M:%S"),
            opp.pair_id,
            opp.leg_a.outcome,
            opp.leg_a.market,
            opp.leg_a.limit_price,
            opp.leg_b.outcome,
            opp.leg_b.market,
            opp.leg_b.limit_price,
            opp.qty,
            opp.profit.round_dp(4),
            opp.profit_fraction * rust_decimal::Decimal::ONE_HUNDRED,
        )?;
    }
    Ok(())
}
