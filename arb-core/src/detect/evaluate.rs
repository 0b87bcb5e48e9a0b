//! The independent recomputation of an opportunity from the book levels and the fee models, in
//! plain `Decimal`: the detector's final guard, and the brute-force oracle of its tests. It
//! shares nothing with the fixed-point search but the fee models it checks against.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::{DetectLimits, Direction, PairView};
use crate::fees::FeeModel;
use crate::fixed::{Round, to_count};
use crate::model::{
    BinaryBook, LegId, Level, Liquidity, Market, Opportunity, OpportunityLeg, Outcome, Qty,
    Rounding,
};

/// Prices buying `qty` contracts on both legs of `direction` by walking the books from the best
/// ask, with each leg charged as one taker order by its fee model. `None` when `qty` is zero, a
/// book is too shallow, a leg's worst price has no grid price at or above it, or a value is too
/// large for `Decimal`.
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
        view.markets[LegId::A],
        view.books[LegId::A],
        direction.outcome_a(),
        qty,
        view.fees[LegId::A],
    )?;
    let (leg_b, total_b) = price_leg(
        view.markets[LegId::B],
        view.books[LegId::B],
        direction.outcome_b(view.pair.polarity),
        qty,
        view.fees[LegId::B],
    )?;
    let total_cost = total_a.checked_add(total_b)?;
    if total_cost <= Decimal::ZERO {
        return None;
    }
    let profit = qty.value().checked_sub(total_cost)?;
    Some(Opportunity {
        pair_id: view.pair.id,
        leg_a,
        leg_b,
        qty,
        total_cost,
        profit,
        profit_fraction: fraction(profit, total_cost)?,
        detected_at: now,
    })
}

/// Decimals of an opportunity's profit fraction.
const FRACTION_PLACES: u32 = 10;

/// `profit / total` (`total` > 0) rounded down to [`FRACTION_PLACES`] decimals: never overstated.
/// `Decimal`'s division keeps 28 digits and may round the last one up, which can carry into the
/// tenth decimal: the floor is then one step too high, and `fraction × total > profit` shows it.
fn fraction(profit: Decimal, total: Decimal) -> Option<Decimal> {
    let quotient = profit.checked_div(total)?;
    let floor = to_count(quotient, FRACTION_PLACES, Round::Down)
        .and_then(|count| Decimal::try_from_i128_with_scale(count, FRACTION_PLACES).ok())?;
    if floor.checked_mul(total)? > profit {
        floor.checked_sub(Decimal::new(1, FRACTION_PLACES))
    } else {
        Some(floor)
    }
}

/// One leg and its cost plus fee.
fn price_leg(
    market: &Market,
    book: &BinaryBook,
    outcome: Outcome,
    qty: Qty,
    fees: &dyn FeeModel,
) -> Option<(OpportunityLeg, Decimal)> {
    let (levels, cost) = fill(book.buy_levels(outcome), qty)?;
    let worst = levels.last()?.price;
    let limit_price = market.snap_price(worst, Rounding::Up)?;
    let fee = fees.order_fee(&levels, Liquidity::Taker);
    let total = cost.checked_add(fee)?;
    let leg = OpportunityLeg {
        market: market.key.clone(),
        outcome,
        qty,
        limit_price,
        cost,
        fee,
        levels,
    };
    Some((leg, total))
}

/// The fills of buying `qty` (> 0) from the best ask down — whole levels, then the rest of `qty`
/// at the level that completes it — and their cost `Σ qty × price`; `None` when the book is too
/// shallow.
fn fill(book_levels: &[Level], qty: Qty) -> Option<(Vec<Level>, Decimal)> {
    let mut remaining = qty.value();
    let mut cost = Decimal::ZERO;
    let mut levels = Vec::with_capacity(book_levels.len().min(8));
    for level in book_levels {
        let (price, available) = (level.price.value(), level.qty.value());
        if available < remaining {
            levels.push(*level);
            cost = cost.checked_add(available.checked_mul(price)?)?;
            remaining -= available;
        } else {
            levels.push(Level::new(level.price, Qty::new(remaining).ok()?));
            return Some((levels, cost.checked_add(remaining.checked_mul(price)?)?));
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
    for (leg, market) in [
        (&o.leg_a, view.markets[LegId::A]),
        (&o.leg_b, view.markets[LegId::B]),
    ] {
        if let Err(e) = market.validate_qty(leg.qty) {
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
            // Exactly, not on the rounded fraction: `profit ≥ minimum × cost`.
            match limits.min_profit_fraction.checked_mul(o.total_cost) {
                Some(least) => o.profit >= least,
                // Beyond `Decimal`: a minimum no profit reaches, unless it is negative.
                None => limits.min_profit_fraction.is_sign_negative(),
            },
            "profit fraction below the minimum",
        ),
        (
            o.total_cost <= limits.max_trade_usd,
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
    total <= exposure && total <= balance
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
                let f = fraction(profit, total).unwrap();
                assert!(f * total <= profit, "{profit} / {total} = {f}");
                assert!(profit < (f + step) * total, "{profit} / {total} = {f}");
                assert!(f.scale() <= 10);
            }
        }
        assert_eq!(fraction(dec!(1.30), dec!(30.70)), Some(dec!(0.0423452768)));
        // `Decimal` gives 2 / 3 as 0.666…67, its last digit rounded up: still floored.
        assert_eq!(fraction(dec!(2), dec!(3)), Some(dec!(0.6666666666)));
    }

    /// Whole levels, then the rest at the level that completes the quantity, with its cost; a
    /// book too shallow for the quantity gives nothing.
    #[test]
    fn the_fill_walks_the_book_from_the_best_ask() {
        let book = [
            level(dec!(0.44), dec!(37)),
            level(dec!(0.455), dec!(120.5)),
            level(dec!(0.46), dec!(64)),
        ];
        let (levels, cost) = fill(&book, Qty::new(dec!(157.75)).unwrap()).unwrap();
        assert_eq!(
            levels,
            [
                level(dec!(0.44), dec!(37)),
                level(dec!(0.455), dec!(120.5)),
                level(dec!(0.46), dec!(0.25))
            ]
        );
        // 37 × 0.44 + 120.5 × 0.455 + 0.25 × 0.46 = 16.28 + 54.8275 + 0.115
        assert_eq!(cost, dec!(71.2225));
        assert_eq!(fill(&book, Qty::new(dec!(221.75)).unwrap()), None);
        let (exact, _) = fill(&book, Qty::new(dec!(37)).unwrap()).unwrap();
        assert_eq!(exact, [level(dec!(0.44), dec!(37))]);
    }
}
