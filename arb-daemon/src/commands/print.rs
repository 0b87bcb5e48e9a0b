//! Plain-text tables for the CLI.

use std::io::Write;

use std::collections::HashMap;

use arb_core::engine::{PositionsReport, SyncReport};
use arb_core::matching::PairReading;
use arb_core::model::{
    MarketKey, MatchSuggestion, OpportunityDecision, OpportunityRecord, PairStatus, Polarity,
    VerifiedPair,
};
use arb_core::store::{Lease, LeaseScope};
use rust_decimal::Decimal;

use super::CommandError;
use super::table::{Align, Table};

/// A pair status as a word.
#[must_use]
pub fn status(status: PairStatus) -> &'static str {
    match status {
        PairStatus::Active => "active",
        PairStatus::Paused => "paused",
        PairStatus::NeedsReapproval => "awaiting re-approval (rules changed)",
    }
}

/// Quantities are shown to the finest precision a venue fills (Polymarket: 10⁻⁶ shares).
const QTY_DP: u32 = 6;
/// Prices and dollars are shown to the finest precision a venue quotes (Kalshi: $0.0001).
const DOLLAR_DP: u32 = 4;

fn qty(q: arb_core::model::Qty) -> String {
    q.value().round_dp(QTY_DP).normalize().to_string()
}

fn dollars(d: Decimal) -> String {
    d.round_dp(DOLLAR_DP).to_string()
}

/// Suggestions with score, polarity, both markets' titles and warnings; ids are what
/// `pairs approve` and Discord use. `titles` gives each market's question, when stored.
pub fn suggestions(
    out: &mut (dyn Write + Send),
    list: &[MatchSuggestion],
    titles: &HashMap<MarketKey, String>,
) -> Result<(), CommandError> {
    if list.is_empty() {
        writeln!(
            out,
            "no suggestions (run `markets sync` first, or lower --min-score)"
        )?;
        return Ok(());
    }
    let title = |k: &MarketKey| titles.get(k).cloned().unwrap_or_default();
    let mut t = Table::new(&[
        ("id", Align::Right),
        ("score", Align::Right),
        ("polarity", Align::Left),
        ("relation", Align::Left),
        ("", Align::Left),
        ("market", Align::Left),
        ("question", Align::Left),
    ]);
    for s in list {
        let id = s.id.map(|i| i.to_string()).unwrap_or_default();
        let (score, polarity) = (format!("{:.1}", s.score), s.polarity.to_string());
        t.row(vec![
            id,
            score,
            polarity,
            s.relation.to_string(),
            "A".into(),
            s.a.to_string(),
            title(&s.a),
        ]);
        t.row(vec![
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            "B".into(),
            s.b.to_string(),
            title(&s.b),
        ]);
        for w in &s.warnings {
            t.row(vec![
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                "!".into(),
                w.clone(),
            ]);
        }
    }
    t.write(out)?;
    Ok(())
}

/// How two markets' rules relate, with every settlement difference side by side: printed by
/// `pairs approve` before the pair is made or refused.
pub fn reading(
    out: &mut (dyn Write + Send),
    reading: &PairReading,
    chosen: Polarity,
) -> Result<(), CommandError> {
    writeln!(
        out,
        "rules read as {} (score {:.1}){}",
        reading.relation,
        reading.score,
        if reading.relation.is_tradable() {
            ""
        } else {
            ": not tradable"
        }
    )?;
    if reading.relation.polarity().is_some_and(|p| p != chosen) {
        writeln!(
            out,
            "! the rules suggest polarity {}, you chose {chosen}: check which outcomes match",
            reading.polarity
        )?;
    }
    for w in &reading.settlement {
        writeln!(out, "! {} differs\n    A: {}\n    B: {}", w.kind, w.a, w.b)?;
    }
    Ok(())
}

/// Verified pairs.
pub fn pairs(
    out: &mut (dyn Write + Send),
    list: &[VerifiedPair],
    leases: &[Lease],
) -> Result<(), CommandError> {
    if list.is_empty() {
        writeln!(out, "no pairs approved yet")?;
        return Ok(());
    }
    let mut t = Table::new(&[
        ("id", Align::Right),
        ("market A", Align::Left),
        ("market B", Align::Left),
        ("polarity", Align::Left),
        ("status", Align::Left),
        ("approved by", Align::Left),
        ("traded by", Align::Left),
    ]);
    let holder = |id| {
        leases
            .iter()
            .find(|l| l.scope == LeaseScope::Pair(id))
            .map_or_else(
                || "nobody".to_owned(),
                |l| {
                    format!(
                        "{} (pid {}, until {})",
                        l.owner.host,
                        l.owner.pid,
                        l.expires_at.format("%H:%M:%S UTC")
                    )
                },
            )
    };
    for p in list {
        t.row(vec![
            p.id.to_string(),
            p.a.to_string(),
            p.b.to_string(),
            p.polarity.to_string(),
            status(p.status).to_owned(),
            format!(
                "{} at {}",
                p.approved_by,
                p.approved_at.format("%Y-%m-%d %H:%M UTC")
            ),
            holder(p.id),
        ]);
    }
    t.write(out)?;
    Ok(())
}

/// Who holds what: every live pair lease and lease-group member, or that nobody does.
pub fn leases(out: &mut (dyn Write + Send), leases: &[Lease]) -> Result<(), CommandError> {
    if leases.is_empty() {
        writeln!(out, "leases: no daemon holds any pair of this store")?;
        return Ok(());
    }
    for l in leases {
        writeln!(out, "leases: {} held by {}", l.scope, l.holder())?;
    }
    Ok(())
}

/// Positions and the PnL summary, at venue precision.
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
        let mut t = Table::new(&[
            ("market", Align::Left),
            ("side", Align::Left),
            ("qty", Align::Right),
            ("avg", Align::Right),
            ("fees", Align::Right),
        ]);
        for p in held {
            t.row(vec![
                p.market.to_string(),
                p.outcome.to_string(),
                qty(p.qty),
                p.avg_price.map(|x| dollars(x.value())).unwrap_or_default(),
                dollars(p.fees_paid),
            ]);
        }
        t.write(out)?;
    }
    let pnl = &report.pnl;
    writeln!(
        out,
        "realised PnL ${}  fees ${}  cost of open positions ${}",
        dollars(pnl.realized),
        dollars(pnl.fees),
        dollars(pnl.cost_basis)
    )?;
    if let Some(today) = &pnl.today {
        writeln!(
            out,
            "today: realised ${}  locked in ${}  unrealised ${}  executions {}",
            dollars(today.realized),
            dollars(today.locked_in),
            dollars(today.unrealized),
            today.executions
        )?;
    }
    Ok(())
}

/// What `markets sync` stored per venue, and every part of a catalogue it could not read.
pub fn sync_report(out: &mut (dyn Write + Send), report: &SyncReport) -> Result<(), CommandError> {
    for v in &report.venues {
        match &v.failure {
            Some(e) => writeln!(out, "{}: nothing listed: {e}", v.venue)?,
            None => writeln!(out, "{}: {} open markets stored", v.venue, v.stored)?,
        }
        for gap in &v.gaps {
            writeln!(out, "  ! not read: {gap}")?;
        }
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
            qty(opp.qty),
            dollars(opp.profit),
            opp.profit_fraction * rust_decimal::Decimal::ONE_HUNDRED,
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use arb_core::model::{
        MarketKey, PairId, PairStatus, Polarity, Relation, SettlementWarning, VerifiedPair,
        WarningKind,
    };
    use arb_core::store::{Lease, LeaseOwner, LeaseScope};
    use chrono::{DateTime, Utc};

    use super::*;

    fn text(write: impl FnOnce(&mut Vec<u8>) -> Result<(), CommandError>) -> String {
        let mut out = Vec::new();
        write(&mut out).unwrap_or_else(|e| panic!("{e}"));
        String::from_utf8(out).unwrap_or_else(|e| panic!("{e}"))
    }

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_796_000_000 + secs, 0).unwrap_or_default()
    }

    /// `pairs approve` shows every settlement difference with both sides, and that the pair
    /// cannot be traded, before it refuses it.
    #[test]
    fn a_reading_prints_each_difference_side_by_side() {
        let read = PairReading {
            relation: Relation::Overlapping,
            polarity: Polarity::Same,
            score: 71.0,
            settlement: vec![SettlementWarning {
                kind: WarningKind::Location,
                a: "Central Park".into(),
                b: "LaGuardia Airport".into(),
            }],
            warnings: vec![],
        };
        let out = text(|o| reading(o, &read, Polarity::Inverse));
        let expected = format!(
            "rules read as overlapping (score 71.0): not tradable\n\
             ! {} differs\n    A: Central Park\n    B: LaGuardia Airport\n",
            WarningKind::Location
        );
        assert_eq!(out, expected);
    }

    /// `pairs list` names the daemon trading each pair, or nobody.
    #[test]
    fn the_pairs_table_names_each_pairs_holder() {
        let pair = |id| VerifiedPair {
            id: PairId(id),
            a: MarketKey::new("kalshi", format!("K{id}")),
            b: MarketKey::new("polymarket", format!("0x{id}")),
            polarity: Polarity::Same,
            status: PairStatus::Active,
            rules_hash_a: String::new(),
            rules_hash_b: String::new(),
            approved_by: "cli".into(),
            approved_at: at(0),
        };
        let lease = Lease {
            scope: LeaseScope::Pair(PairId(2)),
            owner: LeaseOwner {
                id: "box-7/4242/ab".into(),
                host: "box-7".into(),
                pid: 4242,
                group: "default".into(),
            },
            token: 9,
            acquired_at: at(10),
            expires_at: at(40),
        };
        let out = text(|o| pairs(o, &[pair(1), pair(2)], std::slice::from_ref(&lease)));
        let rows: Vec<&str> = out.lines().collect();
        assert!(rows[0].trim_end().ends_with("traded by"), "{out}");
        assert!(rows[1].trim_end().ends_with("nobody"), "{out}");
        let until = at(40).format("%H:%M:%S UTC").to_string();
        assert!(
            rows[2]
                .trim_end()
                .ends_with(&format!("box-7 (pid 4242, until {until})")),
            "{out}"
        );
        let out = text(|o| leases(o, &[lease]));
        assert!(out.starts_with("leases: "), "{out}");
        assert!(
            out.contains("box-7") && out.contains("pid 4242") && out.contains("token 9"),
            "{out}"
        );
        assert_eq!(
            text(|o| leases(o, &[])),
            "leases: no daemon holds any pair of this store\n"
        );
    }
}
