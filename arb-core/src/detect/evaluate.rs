//! The independent recomputation of an opportunity in `Decimal` from the book levels and the fee
//! models: the detector's final guard, and the brute-force oracle of its tests.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::{DetectLimits, Direction, PairView};
use crate::exact::Exact;
use crate::fees::FeeModel;
use crate::model::{
    BinaryBook, Level, Liquidity, Market, Opportunity, OpportunityLeg, Outcome, Qty, Rounding,
};

/// Prices buying `qty` contracts on both legs of `direction` by walking the books from the best
/// ask, with each leg charged as one taker order by its fee model. `None` when `qty` is zero, a
/// book is too shallow, or a leg's worst price has no grid price at or above it.
#[must_use]
pub fn evaluate(
    view: &PairView<'_>,
    direction: Direction,
    qty: Qty,
    now: DateTime<Utc>,
) -> Option<Opportunity> {
    if qty.is_zero() {
        return None;
    }
    let leg_a = price_leg(
        view.market_a,
        view.book_a,
        direction.outcome_a(),
        qty,
        view.fees_a,
    )?;
    let leg_b = price_leg(
        view.market_b,
        view.book_b,
        direction.outcome_b(view.pair.polarity),
        qty,
        view.fees_b,
    )?;
    let total_cost = leg_a.total_cost() + leg_b.total_cost();
    if total_cost <= Decimal::ZERO {
        return None;
    }
    let profit = qty.value() - total_cost;
    Some(Opportunity {
        pair_id: view.pair.id,
        leg_a,
        leg_b,
        qty,
        total_cost,
        profit,
        profit_fraction: profit / total_cost,
        detected_at: now,
    })
}

fn price_leg(
    market: &Market,
    book: &BinaryBook,
    outcome: Outcome,
    qty: Qty,
    fees: &dyn FeeModel,
) -> Option<OpportunityLeg> {
    let levels = fill(book.buy_levels(outcome), qty)?;
    let cost = cost_of(&levels);
    let worst = levels.last()?.price;
    let limit_price = market.snap_price(worst, Rounding::Up)?;
    let fee = fees.order_fee(&levels, Liquidity::Taker);
    Some(OpportunityLeg {
        market: market.key.clone(),
        outcome,
        qty,
        limit_price,
        cost,
        fee,
        levels,
    })
}

/// The fills of buying `qty` (> 0) from the best ask down: whole levels, then the rest of `qty`
/// at the level that completes it; `None` when the book is too shallow.
fn fill(book_levels: &[Level], qty: Qty) -> Option<Vec<Level>> {
    let mut remaining = qty.value();
    let mut levels = Vec::with_capacity(book_levels.len());
    for level in book_levels {
        if level.qty.value() < remaining {
            levels.push(*level);
            remaining -= level.qty.value();
        } else {
            levels.push(Level::new(level.price, Qty::new(remaining).ok()?));
            return Some(levels);
        }
    }
    None
}

/// `Σ qty × price` of `levels`, exactly (in 128-bit integers when the values allow).
fn cost_of(levels: &[Level]) -> Decimal {
    levels
        .iter()
        .try_fold(Exact::ZERO, |sum, l| {
            sum.add(Exact::of(l.qty.value()).mul(Exact::of(l.price.value()))?)
        })
        .and_then(Exact::to_decimal)
        .unwrap_or_else(|| levels.iter().map(|l| l.qty.notional(l.price)).sum())
}

/// Why a recomputed opportunity may not be reported, if it may not.
pub(super) fn violation(
    view: &PairView<'_>,
    opportunity: &Opportunity,
    limits: &DetectLimits,
) -> Option<String> {
    let o = opportunity;
    for (leg, market) in [(&o.leg_a, view.market_a), (&o.leg_b, view.market_b)] {
        if let Err(e) = market.validate_order(leg.limit_price, leg.qty) {
            return Some(format!("{}: {e}", market.key));
        }
    }
    let checks = [
        (o.profit > Decimal::ZERO, "profit is not positive"),
        (
            o.profit >= limits.min_profit_usd,
            "profit below the minimum",
        ),
        (
            o.profit_fraction >= limits.min_profit_fraction,
            "profit fraction below the minimum",
        ),
        (
            o.total_cost <= limits.max_trade_usd,
            "cost above the maximum trade",
        ),
        (
            o.leg_a.total_cost() <= limits.remaining_exposure_a_usd.min(limits.balance_a_usd),
            "leg A above its exposure or balance",
        ),
        (
            o.leg_b.total_cost() <= limits.remaining_exposure_b_usd.min(limits.balance_b_usd),
            "leg B above its exposure or balance",
        ),
    ];
    checks
        .iter()
        .find(|(ok, _)| !ok)
        .map(|(_, why)| format!("{why}: profit ${} on cost ${}", o.profit, o.total_cost))
}
