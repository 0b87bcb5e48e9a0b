//! Worked examples of the detector with hand-computed numbers.
#![allow(clippy::unwrap_used)]

mod detect_support;

use arb_core::detect::{NoOpportunity, best_opportunity};
use arb_core::fees::FeeSchedule;
use arb_core::model::{
    BinaryBook, MarketStatus, OrderBook, Outcome, Polarity, Price, Qty, VenueId,
};
use detect_support::*;
use rust_decimal_macros::dec;

/// Free fees, steps of 0.01, minimum 1 contract.
fn free_fixture(polarity: Polarity, book_a: BinaryBook, book_b: BinaryBook) -> Fixture {
    Fixture {
        pair: pair(polarity),
        market_a: market("kalshi", dec!(0.01), dec!(0.01), dec!(1), FeeSchedule::FREE),
        market_b: market(
            "polymarket",
            dec!(0.01),
            dec!(0.01),
            dec!(1),
            FeeSchedule::FREE,
        ),
        book_a,
        book_b,
    }
}

/// YES on A at 0.45 and NO on B at 0.50, 100 each: $0.05 a contract; the other way costs $1.15.
fn five_cent_edge() -> Fixture {
    free_fixture(
        Polarity::Same,
        asks(
            vec![lv(dec!(0.45), dec!(100))],
            vec![lv(dec!(0.60), dec!(100))],
        ),
        asks(
            vec![lv(dec!(0.55), dec!(100))],
            vec![lv(dec!(0.50), dec!(100))],
        ),
    )
}

#[test]
fn depth_is_profitable_where_top_of_book_is_below_threshold() {
    // Top level: 2 × (1 − 0.45 − 0.50) = $0.10 < $1. Depth: + 30 × (1 − 0.46 − 0.50) = $1.20.
    let f = free_fixture(
        Polarity::Same,
        asks(
            vec![
                lv(dec!(0.45), dec!(2)),
                lv(dec!(0.46), dec!(30)),
                lv(dec!(0.51), dec!(50)),
            ],
            vec![lv(dec!(0.60), dec!(100))],
        ),
        asks(
            vec![lv(dec!(0.55), dec!(100))],
            vec![lv(dec!(0.50), dec!(100))],
        ),
    );
    let limits = DetectLimitsExt::min_usd(dec!(1));
    let o = best_opportunity(&f.view(), &limits, t0()).unwrap();
    assert_eq!(o.qty.value(), dec!(32));
    assert_eq!(o.leg_a.outcome, Outcome::Yes);
    assert_eq!(o.leg_b.outcome, Outcome::No);
    assert_eq!(
        o.leg_a.levels,
        vec![lv(dec!(0.45), dec!(2)), lv(dec!(0.46), dec!(30))]
    );
    assert_eq!(o.leg_a.limit_price, Price::new(dec!(0.46)).unwrap());
    assert_eq!(o.leg_a.cost, dec!(14.70));
    assert_eq!(o.leg_b.cost, dec!(16.00));
    assert_eq!(o.leg_b.limit_price, Price::new(dec!(0.50)).unwrap());
    assert_eq!(o.total_cost, dec!(30.70));
    assert_eq!(o.profit, dec!(1.30));
    // 1.30 / 30.70 = 0.04234527687…, rounded down to 10 decimals.
    assert_eq!(o.profit_fraction, dec!(0.0423452768));
}

#[test]
fn kalshi_rounding_makes_a_smaller_quantity_better() {
    // Kalshi YES at 0.50 (fee 0.07 × 0.25 = $0.0175 a contract), free NO at 0.48, 10 each.
    // All 10: debit ceil¢(5.00 + 0.1750) = $5.18, profit 10 − 5.18 − 4.80 = $0.02.
    // 9.99:   debit ceil¢(4.995 + 0.1749) = $5.17, profit 9.99 − 5.17 − 4.7952 = $0.0248 (best).
    let mut f = free_fixture(
        Polarity::Same,
        asks(
            vec![lv(dec!(0.50), dec!(10))],
            vec![lv(dec!(0.60), dec!(10))],
        ),
        asks(
            vec![lv(dec!(0.60), dec!(10))],
            vec![lv(dec!(0.48), dec!(10))],
        ),
    );
    f.market_a.fees = kalshi();
    f.market_a.min_order_qty = Qty::new(dec!(0.01)).unwrap();
    let o = best_opportunity(&f.view(), &unlimited(), t0()).unwrap();
    assert_eq!(o.qty.value(), dec!(9.99));
    assert_eq!(o.leg_a.cost, dec!(4.995));
    assert_eq!(o.leg_a.fee, dec!(0.175));
    assert_eq!(o.leg_b.cost, dec!(4.7952));
    assert_eq!(o.leg_b.fee, dec!(0));
    assert_eq!(o.profit, dec!(0.0248));
}

#[test]
fn inverse_pair_hedges_yes_with_yes() {
    // A.YES ≡ B.NO, so YES on A is hedged by YES on B: 0.40 + 0.55 = 0.95, $0.05 × 10.
    // B's NO at 0.30 would look like a $0.30 edge to a scanner that assumes Same.
    let f = free_fixture(
        Polarity::Inverse,
        asks(
            vec![lv(dec!(0.40), dec!(10))],
            vec![lv(dec!(0.70), dec!(10))],
        ),
        asks(
            vec![lv(dec!(0.55), dec!(10))],
            vec![lv(dec!(0.30), dec!(10))],
        ),
    );
    let o = best_opportunity(&f.view(), &unlimited(), t0()).unwrap();
    assert_eq!(o.leg_a.outcome, Outcome::Yes);
    assert_eq!(o.leg_b.outcome, Outcome::Yes);
    assert_eq!(o.qty.value(), dec!(10));
    assert_eq!(o.profit, dec!(0.50));
}

#[test]
fn limits_bind_the_quantity() {
    let f = five_cent_edge();
    let qty_profit = |limits| {
        let o = best_opportunity(&f.view(), &limits, t0()).unwrap();
        (o.qty.value(), o.profit)
    };
    // $9.50 of trade at $0.95 a pair: 10 contracts.
    let mut l = unlimited();
    l.max_trade_usd = dec!(9.50);
    assert_eq!(qty_profit(l), (dec!(10), dec!(0.50)));
    // $2.25 of balance on A at $0.45: 5 contracts.
    let mut l = unlimited();
    l.balance_a_usd = dec!(2.25);
    assert_eq!(qty_profit(l), (dec!(5), dec!(0.25)));
    // $1.01 of exposure left on B at $0.50: 2.02 contracts.
    let mut l = unlimited();
    l.remaining_exposure_b_usd = dec!(1.01);
    assert_eq!(qty_profit(l), (dec!(2.02), dec!(0.101)));
    // $0.90 of trade cannot buy the 1-contract minimum.
    let mut l = unlimited();
    l.max_trade_usd = dec!(0.90);
    assert_eq!(
        best_opportunity(&f.view(), &l, t0()),
        Err(NoOpportunity::LimitsTooSmall {
            min_qty: Qty::new(dec!(1)).unwrap()
        })
    );
}

/// A venue's absurd minimum order (10²⁵ contracts, beyond what a `Decimal` holds in 10⁻⁶
/// contracts) is an answer, never a panic: no book is that deep.
#[test]
fn an_absurd_minimum_order_is_an_answer_not_a_panic() {
    let mut f = five_cent_edge();
    f.market_a.min_order_qty = Qty::new(dec!(10000000000000000000000000)).unwrap();
    let found = best_opportunity(&f.view(), &unlimited(), t0());
    assert_eq!(found, Err(NoOpportunity::NoEdge));
}

/// Absurd thresholds (a minimum profit of `Decimal::MAX` dollars, or of a fraction no trade can
/// reach) are answers, never a panic or a wrapped integer.
#[test]
fn absurd_thresholds_are_answers_not_panics() {
    let f = five_cent_edge();
    let below = |l: &arb_core::detect::DetectLimits| {
        matches!(
            best_opportunity(&f.view(), l, t0()),
            Err(NoOpportunity::BelowThreshold { .. })
        )
    };
    assert!(below(&DetectLimitsExt::min_usd(arb_core::Decimal::MAX)));
    let mut l = unlimited();
    l.min_profit_fraction = arb_core::Decimal::MAX;
    assert!(below(&l));
}

#[test]
fn thresholds_and_no_edge_are_reported() {
    let f = five_cent_edge();
    // 100 contracts: profit $5.00 on $95.00, 5.26%.
    let mut l = unlimited();
    l.min_profit_fraction = dec!(0.06);
    assert_eq!(
        best_opportunity(&f.view(), &l, t0()),
        Err(NoOpportunity::BelowThreshold {
            profit: dec!(5.00),
            // 5 / 95 = 0.05263157894…, rounded down to 10 decimals.
            profit_fraction: dec!(0.0526315789),
            qty: Qty::new(dec!(100)).unwrap(),
        })
    );
    let flat = free_fixture(
        Polarity::Same,
        asks(
            vec![lv(dec!(0.50), dec!(10))],
            vec![lv(dec!(0.55), dec!(10))],
        ),
        asks(
            vec![lv(dec!(0.50), dec!(10))],
            vec![lv(dec!(0.50), dec!(10))],
        ),
    );
    assert_eq!(
        best_opportunity(&flat.view(), &unlimited(), t0()),
        Err(NoOpportunity::NoEdge)
    );
}

#[test]
fn stale_crossed_closed_and_empty_books_say_why() {
    let mut f = five_cent_edge();
    f.book_b.as_of = t0() - chrono::Duration::seconds(9);
    assert_eq!(
        best_opportunity(&f.view(), &unlimited(), t0()),
        Err(NoOpportunity::StaleBook {
            venue: VenueId::new("polymarket"),
            age: chrono::Duration::seconds(9)
        })
    );

    let mut f = five_cent_edge();
    f.book_a.yes = OrderBook::new([lv(dec!(0.46), dec!(1))], [lv(dec!(0.45), dec!(100))]);
    assert_eq!(
        best_opportunity(&f.view(), &unlimited(), t0()),
        Err(NoOpportunity::CrossedBook {
            venue: VenueId::new("kalshi")
        })
    );

    let mut f = five_cent_edge();
    f.market_a.status = MarketStatus::Closed;
    let err = best_opportunity(&f.view(), &unlimited(), t0()).unwrap_err();
    assert!(matches!(
        err,
        NoOpportunity::MarketNotTradable {
            status: MarketStatus::Closed,
            ..
        }
    ));
    assert_eq!(
        err.to_string(),
        "market kalshi:kalshi-M is not accepting orders (Closed)"
    );

    let f = free_fixture(
        Polarity::Same,
        asks(vec![], vec![lv(dec!(0.60), dec!(10))]),
        asks(
            vec![lv(dec!(0.55), dec!(10))],
            vec![lv(dec!(0.50), dec!(10))],
        ),
    );
    // YES on A has no asks; the other direction needs YES on B, which has asks: that direction
    // is priced (no edge) — an empty side is reported only when no direction can be priced.
    assert_eq!(
        best_opportunity(&f.view(), &unlimited(), t0()),
        Err(NoOpportunity::NoEdge)
    );
    let f = free_fixture(
        Polarity::Same,
        asks(vec![], vec![]),
        asks(
            vec![lv(dec!(0.55), dec!(10))],
            vec![lv(dec!(0.50), dec!(10))],
        ),
    );
    assert_eq!(
        best_opportunity(&f.view(), &unlimited(), t0()),
        Err(NoOpportunity::EmptySide {
            venue: VenueId::new("kalshi"),
            outcome: Outcome::Yes
        })
    );
}

/// Limits builders for the examples.
struct DetectLimitsExt;

impl DetectLimitsExt {
    fn min_usd(usd: arb_core::Decimal) -> arb_core::detect::DetectLimits {
        let mut l = unlimited();
        l.min_profit_usd = usd;
        l
    }
}
