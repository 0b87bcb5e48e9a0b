//! Property test: the detector against a brute force that tries every quantity on the size grid.
#![allow(clippy::unwrap_used)]

mod detect_support;

use arb_core::Decimal;
use arb_core::detect::{
    DetectLimits, Direction, NoOpportunity, PairDetector, best_opportunity, evaluate,
};
use arb_core::fees::{FeeModel, FeeSchedule};
use arb_core::model::{Level, Liquidity, Outcome, Polarity};
use detect_support::*;
use proptest::prelude::*;
use rust_decimal_macros::dec;

fn fee_schedule() -> impl Strategy<Value = FeeSchedule> {
    prop_oneof![
        Just(FeeSchedule::FREE),
        prop::sample::select(vec![dec!(0.5), dec!(1), dec!(1.5)]).prop_map(kalshi_like),
        (
            prop::sample::select(vec![dec!(0.03), dec!(0.07), dec!(0.25)]),
            prop::sample::select(vec![dec!(1), dec!(2)])
        )
            .prop_map(|(r, e)| polymarket(r, e)),
    ]
}

/// Asks around `centre` (in ticks), 1–50 levels of 0.05–0.20 contracts.
fn side(tick: Decimal, centre: u32) -> impl Strategy<Value = Vec<Level>> {
    prop::collection::vec((0u32..60, 1u32..=4), 1..=50).prop_map(move |raw| {
        raw.into_iter()
            .map(|(offset, k)| {
                let ticks = (centre + offset).min(990);
                lv(
                    Decimal::from(ticks) * tick * dec!(10) / dec!(10),
                    Decimal::from(k) * dec!(0.05),
                )
            })
            .collect()
    })
}

#[derive(Debug, Clone)]
struct Case {
    tick: Decimal,
    fees: (FeeSchedule, FeeSchedule),
    steps: (Decimal, Decimal),
    mins: (Decimal, Decimal),
    polarity: Polarity,
    books: (Vec<Level>, Vec<Level>, Vec<Level>, Vec<Level>),
    limits: DetectLimits,
}

fn case() -> impl Strategy<Value = Case> {
    let tick = prop::sample::select(vec![dec!(0.01), dec!(0.001)]);
    tick.prop_flat_map(|tick| {
        let centre = if tick == dec!(0.01) { 40 } else { 400 };
        // Spread over 60 ticks of 0.01 or 60 of 0.001 around 0.40–0.46: many profitable cases.
        let book = move || side(tick, centre);
        (
            (fee_schedule(), fee_schedule()),
            (
                prop::sample::select(vec![dec!(0.01), dec!(1)]),
                prop::sample::select(vec![dec!(0.01), dec!(0.1)]),
            ),
            (
                prop::sample::select(vec![dec!(0), dec!(0.5), dec!(1)]),
                prop::sample::select(vec![dec!(0), dec!(0.3)]),
            ),
            prop::sample::select(vec![Polarity::Same, Polarity::Inverse]),
            (book(), book(), book(), book()),
            limits(),
        )
            .prop_map(move |(fees, steps, mins, polarity, books, limits)| Case {
                tick,
                fees,
                steps,
                mins,
                polarity,
                books,
                limits,
            })
    })
}

fn limits() -> impl Strategy<Value = DetectLimits> {
    let usd = || prop::sample::select(vec![dec!(1000000), dec!(3), dec!(1.5), dec!(0.7)]);
    (
        prop::sample::select(vec![dec!(0), dec!(0.01), dec!(0.05)]),
        prop::sample::select(vec![dec!(0), dec!(0.01), dec!(0.03)]),
        usd(),
        usd(),
        usd(),
        usd(),
        usd(),
    )
        .prop_map(|(fraction, min_usd, trade, ea, eb, ba, bb)| DetectLimits {
            min_profit_fraction: fraction,
            min_profit_usd: min_usd,
            max_trade_usd: trade,
            remaining_exposure_a_usd: ea,
            remaining_exposure_b_usd: eb,
            balance_a_usd: ba,
            balance_b_usd: bb,
            max_book_age: chrono::Duration::seconds(5),
        })
}

fn fixture(c: &Case) -> Fixture {
    Fixture {
        pair: pair(c.polarity),
        market_a: market("kalshi", c.tick, c.steps.0, c.mins.0, c.fees.0.clone()),
        market_b: market("polymarket", c.tick, c.steps.1, c.mins.1, c.fees.1.clone()),
        book_a: asks(c.books.0.clone(), c.books.1.clone()),
        book_b: asks(c.books.2.clone(), c.books.3.clone()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn detector_matches_brute_force(c in case()) {
        let f = fixture(&c);
        let view = f.view();
        let found = best_opportunity(&view, &c.limits, t0());
        let best = oracle(&f, &c.limits);
        match (found, best) {
            (Ok(d), Some(o)) => {
                prop_assert!(acceptable(&d, &f, &c.limits), "detector broke a limit: {d:?}");
                prop_assert_eq!(d.profit, o.profit, "detector {:?} vs oracle {:?}", d, o);
                // Never overstated: recompute from the consumed levels and the fee models.
                let direction = if d.leg_a.outcome == Outcome::Yes { Direction::YesOnA } else { Direction::NoOnA };
                let again = evaluate(&view, direction, d.qty, t0());
                prop_assert_eq!(Some(&d), again.as_ref());
                for (leg, fees) in [(&d.leg_a, &c.fees.0), (&d.leg_b, &c.fees.1)] {
                    let qty: Decimal = leg.levels.iter().map(|l| l.qty.value()).sum();
                    let cost: Decimal = leg.levels.iter().map(|l| l.qty.value() * l.price.value()).sum();
                    prop_assert_eq!(qty, d.qty.value());
                    prop_assert_eq!(cost, leg.cost);
                    prop_assert_eq!(fees.order_fee(&leg.levels, Liquidity::Taker), leg.fee);
                    prop_assert_eq!(leg.limit_price, leg.levels.last().unwrap().price);
                }
                prop_assert_eq!(d.profit, d.qty.value() - d.leg_a.cost - d.leg_a.fee - d.leg_b.cost - d.leg_b.fee);
            }
            (Ok(d), None) => prop_assert!(false, "oracle found nothing, detector found {d:?}"),
            (Err(e), Some(o)) => prop_assert!(false, "detector missed {o:?}: {e}"),
            (Err(e), None) => prop_assert!(!matches!(e, NoOpportunity::Unverified { .. }), "{e}"),
        }
    }

    /// A detector kept across updates — fee schedules, limits, sizes and books all changing
    /// between calls, and sometimes repeating — answers exactly what a fresh one does.
    #[test]
    fn kept_detector_matches_a_fresh_one(cases in prop::collection::vec(case(), 2..6), repeat in 0usize..6) {
        let mut kept = PairDetector::default();
        let order = (0..cases.len()).chain(std::iter::once(repeat % cases.len()));
        for i in order {
            let f = fixture(&cases[i]);
            let view = f.view();
            prop_assert_eq!(
                kept.best_opportunity(&view, &cases[i].limits, t0()),
                best_opportunity(&view, &cases[i].limits, t0())
            );
        }
    }
}
