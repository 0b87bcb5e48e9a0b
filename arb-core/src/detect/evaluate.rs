//! The independent recomputation of an opportunity in exact decimal arithmetic from the book
//! levels and the fee models: the detector's final guard, and the brute-force oracle of its tests.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::{DetectLimits, Direction, PairView};
use crate::exact::{self, Exact};
use crate::fees::FeeModel;
use crate::model::{
    BinaryBook, Level, Liquidity, Market, Opportunity, OpportunityLeg, Outcome, Qty, Rounding,
};

/// Prices buying `qty` contracts on both legs of `direction` by walking the books from the best
/// ask, with each leg charged as one taker order by its fee model. `None` when `qty` is zero, a
/// book is too shallow, a leg's worst price has no grid price at or above it, or a value is too
/// large to price exactly.
///
/// Sums and comparisons run on exact 128-bit mantissas ([`Exact`]), the fees through the fee
/// models; only the profit fraction needs a `Decimal` division.
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
    let (leg_a, total_a) = price_leg(
        view.market_a,
        view.book_a,
        direction.outcome_a(),
        qty,
        view.fees_a,
    )?;
    let (leg_b, total_b) = price_leg(
        view.market_b,
        view.book_b,
        direction.outcome_b(view.pair.polarity),
        qty,
        view.fees_b,
    )?;
    let total = total_a.add(total_b)?;
    if total.try_cmp(Exact::ZERO)? != Ordering::Greater {
        return None;
    }
    let total_cost = total.to_decimal()?;
    let profit = Exact::of(qty.value()).sub(total)?.to_decimal()?;
    Some(Opportunity {
        pair_id: view.pair.id,
        leg_a,
        leg_b,
        qty,
        total_cost,
        profit,
        profit_fraction: profit.checked_div(total_cost)?,
        detected_at: now,
    })
}

/// One leg and its cost plus fee.
fn price_leg(
    market: &Market,
    book: &BinaryBook,
    outcome: Outcome,
    qty: Qty,
    fees: &dyn FeeModel,
) -> Option<(OpportunityLeg, Exact)> {
    let (levels, cost) = fill(book.buy_levels(outcome), qty)?;
    let worst = levels.last()?.price;
    let limit_price = market.snap_price(worst, Rounding::Up)?;
    let fee = fees.order_fee(&levels, Liquidity::Taker);
    let total = cost.add(Exact::of(fee))?;
    let leg = OpportunityLeg {
        market: market.key.clone(),
        outcome,
        qty,
        limit_price,
        cost: cost.to_decimal()?,
        fee,
        levels,
    };
    Some((leg, total))
}

/// The fills of buying `qty` (> 0) from the best ask down — whole levels, then the rest of `qty`
/// at the level that completes it — and their cost `Σ qty × price`, exactly; `None` when the book
/// is too shallow.
fn fill(book_levels: &[Level], qty: Qty) -> Option<(Vec<Level>, Exact)> {
    let mut remaining = Exact::of(qty.value());
    let mut cost = Exact::ZERO;
    let mut levels = Vec::with_capacity(book_levels.len());
    for level in book_levels {
        let available = Exact::of(level.qty.value());
        let price = Exact::of(level.price.value());
        if available.try_cmp(remaining)? == Ordering::Less {
            levels.push(*level);
            cost = cost.add(available.mul(price)?)?;
            remaining = remaining.sub(available)?;
        } else {
            levels.push(Level::new(level.price, Qty::from_exact(remaining)?));
            cost = cost.add(remaining.mul(price)?)?;
            return Some((levels, cost));
        }
    }
    None
}

/// Why a recomputed opportunity may not be reported, if it may not.
pub(super) fn violation(
    view: &PairView<'_>,
    opportunity: &Opportunity,
    limits: &DetectLimits,
) -> Option<String> {
    let o = opportunity;
    // Each limit price is on its grid by construction (`snap_price` returns only grid prices).
    for (leg, market) in [(&o.leg_a, view.market_a), (&o.leg_b, view.market_b)] {
        if let Err(e) = market.validate_qty(leg.qty) {
            return Some(format!("{}: {e}", market.key));
        }
    }
    let at_most = |x: Decimal, limit: Decimal| exact::cmp(x, limit) != Ordering::Greater;
    let at_least = |x: Decimal, limit: Decimal| exact::cmp(x, limit) != Ordering::Less;
    let checks = [
        (
            exact::cmp(o.profit, Decimal::ZERO) == Ordering::Greater,
            "profit is not positive",
        ),
        (
            at_least(o.profit, limits.min_profit_usd),
            "profit below the minimum",
        ),
        (
            at_least(o.profit_fraction, limits.min_profit_fraction),
            "profit fraction below the minimum",
        ),
        (
            at_most(o.total_cost, limits.max_trade_usd),
            "cost above the maximum trade",
        ),
        (
            leg_within(
                &o.leg_a,
                limits.remaining_exposure_a_usd,
                limits.balance_a_usd,
            ),
            "leg A above its exposure or balance",
        ),
        (
            leg_within(
                &o.leg_b,
                limits.remaining_exposure_b_usd,
                limits.balance_b_usd,
            ),
            "leg B above its exposure or balance",
        ),
    ];
    checks
        .iter()
        .find(|(ok, _)| !ok)
        .map(|(_, why)| format!("{why}: profit ${} on cost ${}", o.profit, o.total_cost))
}

/// Whether a leg's cost plus fee is within both its exposure and its balance.
fn leg_within(leg: &OpportunityLeg, exposure: Decimal, balance: Decimal) -> bool {
    let total = leg.total_cost();
    exact::cmp(total, exposure) != Ordering::Greater
        && exact::cmp(total, balance) != Ordering::Greater
}
