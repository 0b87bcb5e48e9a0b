//! The demo's printed tables.

use std::collections::BTreeMap;
use std::io::Write;

use arb_core::exchange::Exchange;
use arb_core::model::{
    ExecutionState, MatchSuggestion, OpportunityDecision, OrderRole, Outcome, Side,
};
use arb_core::store::Store;
use rust_decimal::Decimal;

use super::DemoSummary;
use super::venues::DemoVenues;
use crate::commands::CommandError;

/// The matcher's suggestions, one line each with its warnings.
pub(super) fn suggestions(
    out: &mut (dyn Write + Send),
    list: &[MatchSuggestion],
) -> Result<(), CommandError> {
    writeln!(
        out,
        "   {:>5}  {:<8} {:<11} {:<34} venue B market",
        "score", "polarity", "relation", "venue A market"
    )?;
    for s in list {
        writeln!(
            out,
            "   {:>5.1}  {:<8} {:<11} {:<34} {}",
            s.score,
            s.polarity.to_string(),
            s.relation.to_string(),
            s.a.market.as_str(),
            s.b.market.as_str()
        )?;
        for w in &s.warnings {
            writeln!(out, "          ! {w}")?;
        }
    }
    if list.is_empty() {
        writeln!(out, "   (none)")?;
    }
    Ok(())
}

/// Opportunities, executions, positions and PnL; settles the paired markets to show realised PnL.
pub(super) async fn results(
    out: &mut (dyn Write + Send),
    store: &dyn Store,
    venues: &DemoVenues,
    suggestions: &[MatchSuggestion],
    pairs: usize,
) -> Result<DemoSummary, CommandError> {
    let opportunities = store.opportunities(None, 100_000).await?;
    let refused = opportunities
        .iter()
        .filter(|o| matches!(o.decision, OpportunityDecision::Refused(_)))
        .count();
    writeln!(
        out,
        "   opportunities recorded: {} ({refused} refused by risk limits)",
        opportunities.len()
    )?;
    for o in opportunities.iter().take(5) {
        let opp = &o.opportunity;
        writeln!(
            out,
            "     pair {:>3}: {} {} @≤{} + {} {} @≤{}  qty {}  profit ${} ({:.2}%)",
            opp.pair_id,
            opp.leg_a.outcome,
            opp.leg_a.market.market,
            opp.leg_a.limit_price,
            opp.leg_b.outcome,
            opp.leg_b.market.market,
            opp.leg_b.limit_price,
            opp.qty,
            opp.profit.round_dp(4),
            opp.profit_fraction * Decimal::ONE_HUNDRED
        )?;
    }

    let executions = store.executions(100_000).await?;
    writeln!(out, "\n   executions: {}", executions.len())?;
    writeln!(
        out,
        "   {:<28} {:>4} {:<10} {:>8} {:>8} {:>8}",
        "id", "pair", "state", "planned", "leg 1", "leg 2"
    )?;
    let mut by_state: BTreeMap<String, usize> = BTreeMap::new();
    let mut partial_fill_hedged = false;
    for e in &executions {
        let orders = store.execution_orders(&e.id).await?;
        let filled = |first: bool| -> Decimal {
            orders
                .iter()
                .filter(|o| o.order.request.side == Side::Buy)
                .filter(|o| (o.order.request.market == e.first_leg) == first)
                .filter(|o| o.role != OrderRole::Unwind)
                .map(|o| o.order.filled_qty.value())
                .sum()
        };
        let (first, second) = (filled(true), filled(false));
        if e.state == ExecutionState::Hedged && first > Decimal::ZERO && first < e.plan.qty.value()
        {
            partial_fill_hedged = true;
        }
        *by_state.entry(format!("{:?}", e.state)).or_default() += 1;
        writeln!(
            out,
            "   {:<28} {:>4} {:<10} {:>8} {:>8} {:>8}{}",
            e.id.as_str(),
            e.pair_id,
            format!("{:?}", e.state),
            e.plan.qty,
            first,
            second,
            e.note
                .as_deref()
                .map(|n| format!("  ({n})"))
                .unwrap_or_default()
        )?;
    }
    if partial_fill_hedged {
        writeln!(
            out,
            "   ↳ at least one first leg filled only partly and was hedged for exactly the filled quantity"
        )?;
    }

    writeln!(out, "\n   positions:")?;
    writeln!(
        out,
        "   {:<16} {:<30} {:<4} {:>8} {:>8} {:>9}",
        "venue", "market", "side", "qty", "avg", "fees"
    )?;
    for venue in [&venues.a, &venues.b] {
        for p in venue.positions().await? {
            writeln!(
                out,
                "   {:<16} {:<30} {:<4} {:>8} {:>8} {:>9}",
                p.market.venue.as_str(),
                p.market.market.as_str(),
                p.outcome.to_string(),
                p.qty,
                p.avg_price
                    .map(|x| format!("{:.4}", x.value()))
                    .unwrap_or_default(),
                format!("{:.4}", p.fees_paid)
            )?;
        }
    }
    let cash_before = venues.a.balance().await?.total + venues.b.balance().await?.total;
    let settled = settle_all(venues).await?;
    let cash_after = venues.a.balance().await?.total + venues.b.balance().await?.total;
    let start = super::venues::starting_cash_total();
    writeln!(
        out,
        "\n   PnL: simulated resolution of {settled} held markets (each pair's venues resolve consistently)"
    )?;
    writeln!(
        out,
        "   cash before resolution ${}  after ${}  (started with ${start})",
        cash_before.round_dp(4),
        cash_after.round_dp(4)
    )?;
    writeln!(
        out,
        "   realised PnL: ${}",
        (cash_after - start).round_dp(4)
    )?;
    Ok(DemoSummary {
        suggestions: suggestions.len(),
        pairs,
        opportunities: opportunities.len(),
        executions: by_state.into_iter().collect(),
        partial_fill_hedged,
    })
}

/// Resolves every market with a position: venue A's YES wins for even-numbered events, and venue
/// B's market resolves to the equivalent outcome. Returns how many markets were settled.
async fn settle_all(venues: &DemoVenues) -> Result<usize, CommandError> {
    let mut settled = 0;
    for (i, event) in super::catalogue::events().into_iter().enumerate() {
        let a_wins = if i % 2 == 0 {
            Outcome::Yes
        } else {
            Outcome::No
        };
        let b_wins = match event.relation {
            super::catalogue::Relation::Inverse => a_wins.opposite(),
            _ => a_wins,
        };
        let a_id = arb_core::model::MarketId::new(event.a.id);
        let b_id = arb_core::model::MarketId::new(event.b.id);
        let held_a = venues
            .a
            .positions()
            .await?
            .iter()
            .any(|p| p.market.market == a_id);
        let held_b = venues
            .b
            .positions()
            .await?
            .iter()
            .any(|p| p.market.market == b_id);
        if held_a || held_b {
            venues.a.settle(&a_id, a_wins)?;
            venues.b.settle(&b_id, b_wins)?;
            settled += 2;
        }
    }
    Ok(settled)
}
