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
/// models.
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
    if total.mantissa() <= 0 {
        return None;
    }
    let total_cost = total.to_decimal()?;
    let exact_profit = Exact::of(qty.value()).sub(total)?;
    let profit = exact_profit.to_decimal()?;
    Some(Opportunity {
        pair_id: view.pair.id,
        leg_a,
        leg_b,
        qty,
        total_cost,
        profit,
        profit_fraction: fraction(exact_profit, total)?,
        detected_at: now,
    })
}

/// Decimals of an opportunity's profit fraction.
const FRACTION_PLACES: u32 = 10;

/// `profit / total` (`total` > 0) rounded down to [`FRACTION_PLACES`] decimals: never overstated,
/// and in integers — one division, where `Decimal` would divide to 28 digits.
fn fraction(profit: Exact, total: Exact) -> Option<Decimal> {
    // profit / total × 10^places = (profit mantissa × 10^(places + total scale − profit scale))
    // / total mantissa, the power of ten moving to the divisor when negative.
    let (p, ps) = (profit.mantissa(), profit.scale());
    let (t, ts) = (total.mantissa(), total.scale());
    let (num, den) = match (FRACTION_PLACES + ts).checked_sub(ps) {
        Some(up) => (p.checked_mul(exact::pow10(up)?)?, t),
        None => (p, t.checked_mul(exact::pow10(ps - FRACTION_PLACES - ts)?)?),
    };
    let floor = match (u64::try_from(num), u64::try_from(den)) {
        (Ok(num), Ok(den)) => i128::from(num / den),
        _ => num.div_euclid(den),
    };
    Exact::new(floor, FRACTION_PLACES)?.to_decimal()
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
    fill_in_units(book_levels, qty).unwrap_or_else(|| fill_exact(book_levels, qty))
}

/// [`fill`] in 64-bit counts of 10⁻⁸ (every venue price and size); `None` when a value has more
/// decimals or is too large, for [`fill_exact`] to do instead.
#[allow(clippy::option_option)] // outer: whether this path applies; inner: `fill`'s answer
fn fill_in_units(book_levels: &[Level], qty: Qty) -> Option<Option<(Vec<Level>, Exact)>> {
    let mut remaining = exact::units(qty.value())?;
    let mut levels = Vec::with_capacity(book_levels.len());
    // Σ qty × price in 10⁻¹⁶: each term below 2⁶³ × 10⁸, far inside `i128`.
    let mut cost: i128 = 0;
    // The cost's natural scale (what `Decimal` would give): the most decimals of a term.
    let mut scale = 0;
    // The most decimals of a quantity so far: the rest of `qty` has no more.
    let mut qty_scale = qty.value().scale();
    for level in book_levels {
        let (p, q) = (level.price.value(), level.qty.value());
        let (price, available) = (exact::units(p)?, exact::units(q)?);
        if available < remaining {
            levels.push(*level);
            cost += i128::from(available) * i128::from(price);
            scale = scale.max(p.scale() + q.scale());
            qty_scale = qty_scale.max(q.scale());
            remaining -= available;
            continue;
        }
        // Brought to its own decimals first (one division), so that few zeros are left to strip.
        let divisor = i64::try_from(exact::pow10(exact::UNITS_SCALE - qty_scale)?).ok()?;
        let rest =
            Exact::new(i128::from(remaining / divisor), qty_scale).and_then(Qty::from_exact)?;
        cost += i128::from(remaining) * i128::from(price);
        scale = scale.max(p.scale() + rest.value().scale());
        levels.push(Level::new(level.price, rest));
        // The dropped decimals are zeros: every term has at most `scale`. One 64-bit division
        // when the cost fits (under $1,800).
        let divisor = exact::pow10(2 * exact::UNITS_SCALE - scale)?;
        let cost = match (u64::try_from(cost), u64::try_from(divisor)) {
            (Ok(cost), Ok(divisor)) => i128::from(cost / divisor),
            _ => cost / divisor,
        };
        return Exact::new(cost, scale).map(|cost| Some((levels, cost)));
    }
    Some(None)
}

/// [`fill`] on exact 128-bit mantissas at any scale.
fn fill_exact(book_levels: &[Level], qty: Qty) -> Option<(Vec<Level>, Exact)> {
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
            // Exactly, not on the rounded fraction: `profit ≥ minimum × cost`.
            Exact::of(limits.min_profit_fraction)
                .mul(Exact::of(o.total_cost))
                .and_then(|least| Exact::of(o.profit).try_cmp(least))
                .map_or_else(
                    || match limits.min_profit_fraction.checked_mul(o.total_cost) {
                        Some(least) => o.profit >= least,
                        // Beyond `Decimal`: a minimum no profit reaches, unless it is negative.
                        None => limits.min_profit_fraction.is_sign_negative(),
                    },
                    Ordering::is_ge,
                ),
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
    let all_units = (|| {
        let total = exact::units(leg.cost)?.checked_add(exact::units(leg.fee)?)?;
        Some(total <= exact::units(exposure)? && total <= exact::units(balance)?)
    })();
    all_units.unwrap_or_else(|| {
        let total = leg.total_cost();
        exact::cmp(total, exposure).is_le() && exact::cmp(total, balance).is_le()
    })
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;
    use crate::model::Price;

    fn level(price: Decimal, qty: Decimal) -> Level {
        Level::new(Price::new(price).unwrap(), Qty::new(qty).unwrap())
    }

    /// The fraction is `profit / total` rounded down to 10 decimals: `F × total ≤ profit <
    /// (F + 10⁻¹⁰) × total`, checked exactly, for losses too.
    #[test]
    fn the_profit_fraction_is_rounded_down_to_ten_decimals() {
        let profits = [
            dec!(5.02147),
            dec!(1.30),
            dec!(0.0001),
            dec!(-0.37),
            dec!(123456.789),
        ];
        let totals = [dec!(215.7725), dec!(30.70), dec!(95), dec!(0.03), dec!(7)];
        let step = dec!(0.0000000001);
        for profit in profits {
            for total in totals {
                let f = fraction(Exact::of(profit), Exact::of(total)).unwrap();
                assert!(f * total <= profit, "{profit} / {total} = {f}");
                assert!(profit < (f + step) * total, "{profit} / {total} = {f}");
                assert!(f.scale() <= 10);
            }
        }
        assert_eq!(
            fraction(Exact::of(dec!(1.30)), Exact::of(dec!(30.70))),
            Some(dec!(0.0423452768))
        );
    }

    /// The 64-bit fill gives exactly the 128-bit one's fills and cost (value and scale), and
    /// values it cannot hold fall back to the 128-bit one.
    #[test]
    fn the_fill_in_units_matches_the_exact_fill() {
        let book = [
            level(dec!(0.44), dec!(37)),
            level(dec!(0.455), dec!(120.5)),
            level(dec!(0.46), dec!(64)),
            level(dec!(0.47), dec!(2.000001)),
        ];
        for qty in [
            dec!(1),
            dec!(37),
            dec!(37.01),
            dec!(157.5),
            dec!(220.79),
            dec!(223.5),
        ] {
            let qty = Qty::new(qty).unwrap();
            let fast = fill_in_units(&book, qty).unwrap();
            let exact = fill_exact(&book, qty);
            assert_eq!(fast, exact, "{qty}");
            let (_, cost) = fast.unwrap();
            let (_, exact_cost) = exact.unwrap();
            let (a, b) = (cost.to_decimal().unwrap(), exact_cost.to_decimal().unwrap());
            assert_eq!(
                (a.mantissa(), a.scale()),
                (b.mantissa(), b.scale()),
                "{qty}"
            );
        }
        // Too shallow: the same answer.
        let deep = Qty::new(dec!(224)).unwrap();
        assert_eq!(fill_in_units(&book, deep), Some(None));
        assert_eq!(fill_exact(&book, deep), None);
        // Nine decimals: not for the 64-bit fill, and `fill` still answers.
        let fine = Qty::new(dec!(0.000000001)).unwrap();
        assert_eq!(fill_in_units(&book, fine), None);
        assert!(fill(&book, fine).is_some());
    }
}
