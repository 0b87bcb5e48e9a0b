//! Positions, PnL and reconciliation built from fills, with exact dollar figures.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use arb_core::model::{
    Fill, FillId, Liquidity, MarketKey, Outcome, PairId, PairStatus, Polarity, Position, Price,
    Qty, Side, VenueOrderId, VerifiedPair,
};
use arb_core::notify::{Notification, Severity};
use arb_core::portfolio::{Drift, Portfolio, PortfolioError, drift_alert};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn t(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_700_000_000 + secs, 0).unwrap()
}

fn a() -> MarketKey {
    MarketKey::new("kalshi", "RAIN")
}

fn b() -> MarketKey {
    MarketKey::new("polymarket", "0xrain")
}

#[allow(clippy::too_many_arguments)]
fn fill(
    id: &str,
    market: MarketKey,
    outcome: Outcome,
    side: Side,
    price: Decimal,
    qty: Decimal,
    fee: Decimal,
    at: DateTime<Utc>,
) -> Fill {
    Fill {
        fill_id: FillId::new(id),
        market,
        outcome,
        side,
        price: Price::new(price).unwrap(),
        qty: Qty::new(qty).unwrap(),
        fee,
        liquidity: Liquidity::Taker,
        venue_order_id: VenueOrderId::new(format!("o-{id}")),
        client_order_id: None,
        ts: at,
    }
}

fn pair(polarity: Polarity) -> VerifiedPair {
    VerifiedPair {
        id: PairId(1),
        a: a(),
        b: b(),
        polarity,
        status: PairStatus::Active,
        rules_hash_a: String::new(),
        rules_hash_b: String::new(),
        approved_by: "alice".into(),
        approved_at: t(0),
    }
}

fn position(market: MarketKey, outcome: Outcome, qty: Decimal) -> Position {
    Position {
        market,
        outcome,
        qty: Qty::new(qty).unwrap(),
        avg_price: None,
        fees_paid: Decimal::ZERO,
        realized_pnl: Decimal::ZERO,
        updated_at: t(0),
    }
}

/// A hedged pair (inverse polarity: A.YES ≡ B.NO, so YES on A is hedged by YES on B):
/// 10 YES on A at 0.40 + 0.30 and 0.42 + 0.20 in two fills; 8 YES on B at 0.50 + 0.10.
fn hedged_portfolio() -> Portfolio {
    let mut p = Portfolio::new(Qty::ZERO);
    for f in [
        fill(
            "1",
            a(),
            Outcome::Yes,
            Side::Buy,
            dec!(0.40),
            dec!(6),
            dec!(0.30),
            t(10),
        ),
        fill(
            "2",
            a(),
            Outcome::Yes,
            Side::Buy,
            dec!(0.42),
            dec!(4),
            dec!(0.20),
            t(11),
        ),
        fill(
            "3",
            b(),
            Outcome::Yes,
            Side::Buy,
            dec!(0.50),
            dec!(8),
            dec!(0.10),
            t(12),
        ),
    ] {
        assert!(p.apply_fill(&f).unwrap());
    }
    p
}

#[test]
fn positions_carry_average_cost_and_fees() {
    let p = hedged_portfolio();
    let positions = p.positions();
    assert_eq!(positions.len(), 2);
    let on_a = positions.iter().find(|x| x.market == a()).unwrap();
    assert_eq!(on_a.qty.value(), dec!(10));
    // (6 × 0.40 + 4 × 0.42) / 10 = 4.08 / 10.
    assert_eq!(on_a.avg_price.unwrap().value(), dec!(0.408));
    assert_eq!(on_a.fees_paid, dec!(0.50));
    assert_eq!(on_a.cost_basis(), dec!(4.08));
    assert_eq!(p.exposure_by_market()[&a()], dec!(4.58));
    assert_eq!(p.exposure_by_market()[&b()], dec!(4.10));
    assert_eq!(p.cash_flow(&a().venue), dec!(-4.58));
}

#[test]
fn a_fill_seen_twice_counts_once() {
    let mut p = hedged_portfolio();
    let again = fill(
        "1",
        a(),
        Outcome::Yes,
        Side::Buy,
        dec!(0.40),
        dec!(6),
        dec!(0.30),
        t(10),
    );
    assert!(!p.apply_fill(&again).unwrap());
    assert_eq!(p.qty(&a(), Outcome::Yes), dec!(10));
}

#[test]
fn hedged_quantity_locks_in_profit_and_the_rest_is_marked_to_market() {
    let p = hedged_portfolio();
    let pnl = p.pair_pnl(&pair(Polarity::Inverse), |m, o| {
        (m == &a() && o == Outcome::Yes).then(|| Price::new(dec!(0.35)).unwrap())
    });
    assert_eq!(pnl.hedged_qty.value(), dec!(8));
    // 8 hedged: $8 − 8/10 × (4.08 + 0.50) − (4.00 + 0.10) = 8 − 3.664 − 4.10 = 0.236.
    assert_eq!(pnl.locked_in, dec!(0.236));
    assert_eq!(
        pnl.unhedged,
        vec![(a(), Outcome::Yes, Qty::new(dec!(2)).unwrap())]
    );
    // 2 unhedged marked at 0.35: 0.70 − 2/10 × 4.58 = 0.70 − 0.916.
    assert_eq!(pnl.unrealized, dec!(-0.216));
    // With the wrong polarity nothing is hedged: both sides are exposure.
    let same = p.pair_pnl(&pair(Polarity::Same), |_, _| None);
    assert_eq!(same.hedged_qty, Qty::ZERO);
    assert_eq!(same.locked_in, Decimal::ZERO);
    assert_eq!(same.unrealized, dec!(-8.68));
}

#[test]
fn a_sale_realises_pnl_against_average_cost() {
    let mut p = hedged_portfolio();
    // Unwind the 2 unhedged on A at 0.38 paying 0.01.
    let sale = fill(
        "4",
        a(),
        Outcome::Yes,
        Side::Sell,
        dec!(0.38),
        dec!(2),
        dec!(0.01),
        t(20),
    );
    p.apply_fill(&sale).unwrap();
    // 0.76 − 0.01 − 2/10 × (4.08 + 0.50) = 0.75 − 0.916 = −0.166.
    assert_eq!(p.realized_on(t(20).date_naive()), dec!(-0.166));
    assert_eq!(p.qty(&a(), Outcome::Yes), dec!(8));
    assert_eq!(p.cash_flow(&a().venue), dec!(-4.58) + dec!(0.75));
    let over = fill(
        "5",
        a(),
        Outcome::Yes,
        Side::Sell,
        dec!(0.38),
        dec!(9),
        dec!(0),
        t(21),
    );
    assert_eq!(
        p.apply_fill(&over).unwrap_err(),
        PortfolioError::Oversold {
            fill: FillId::new("5"),
            market: a(),
            outcome: Outcome::Yes,
            held: dec!(8),
            sold: dec!(9),
        }
    );
}

#[test]
fn settlement_realises_the_locked_in_profit() {
    let mut p = hedged_portfolio();
    // The event does not happen: A.YES loses, B.YES (≡ A.NO) wins.
    let on_a = p.settle(&a(), Outcome::No, t(100));
    let on_b = p.settle(&b(), Outcome::Yes, t(100));
    assert_eq!(on_a, dec!(-4.58));
    assert_eq!(on_b, dec!(8) - dec!(4.10));
    assert_eq!(p.realized_total(), dec!(-0.68));
    assert!(p.positions().is_empty());
    assert_eq!(p.cash_flow(&b().venue), dec!(-4.10) + dec!(8));
}

#[test]
fn daily_snapshot_sums_the_day() {
    let mut p = hedged_portfolio();
    p.apply_fill(&fill(
        "4",
        a(),
        Outcome::Yes,
        Side::Sell,
        dec!(0.38),
        dec!(2),
        dec!(0.01),
        t(20),
    ))
    .unwrap();
    let day = p.daily_pnl(
        t(0).date_naive(),
        &[pair(Polarity::Inverse)],
        |_, _| None,
        3,
    );
    assert_eq!(day.date, t(0).date_naive());
    assert_eq!(day.realized, dec!(-0.166));
    assert_eq!(day.locked_in, dec!(0.236));
    assert_eq!(day.unrealized, Decimal::ZERO);
    assert_eq!(day.fees, dec!(0.61));
    assert_eq!(day.executions, 3);
}

#[test]
fn reconciliation_reports_drift_beyond_tolerance() {
    let p = {
        let mut p = Portfolio::new(Qty::new(dec!(0.5)).unwrap());
        p.apply_fill(&fill(
            "1",
            a(),
            Outcome::Yes,
            Side::Buy,
            dec!(0.40),
            dec!(10),
            dec!(0),
            t(1),
        ))
        .unwrap();
        p
    };
    let venue = a().venue;
    assert!(
        p.reconcile(&venue, &[position(a(), Outcome::Yes, dec!(10.4))])
            .is_empty()
    );
    let drifts = p.reconcile(
        &venue,
        &[
            position(a(), Outcome::Yes, dec!(7)),
            position(MarketKey::new("kalshi", "OTHER"), Outcome::No, dec!(3)),
        ],
    );
    assert_eq!(
        drifts,
        vec![
            Drift {
                market: MarketKey::new("kalshi", "OTHER"),
                outcome: Outcome::No,
                ours: dec!(0),
                venue: dec!(3)
            },
            Drift {
                market: a(),
                outcome: Outcome::Yes,
                ours: dec!(10),
                venue: dec!(7)
            },
        ]
    );
    let Some(Notification::Alert { severity, message }) = drift_alert(&venue, &drifts) else {
        panic!("expected an alert");
    };
    assert_eq!(severity, Severity::Critical);
    assert_eq!(
        message,
        "position drift on kalshi (2 position(s)): kalshi:OTHER NO: we hold 0, the venue reports 3 \
         (difference 3); kalshi:RAIN YES: we hold 10, the venue reports 7 (difference -3)"
    );
    assert_eq!(drift_alert(&venue, &[]), None);
    // Positions on another venue are not this venue's business.
    assert!(p.reconcile(&b().venue, &[]).is_empty());
}

/// Kalshi nets a market's YES and NO into one signed position: 10 YES and 4 NO bought there are
/// reported as 6 YES. Compared net against net, that is no drift; a real difference still is.
#[test]
fn a_netting_venue_is_reconciled_on_net_positions() {
    let mut p = Portfolio::new(Qty::new(dec!(0.01)).unwrap());
    for (id, outcome, qty) in [("1", Outcome::Yes, dec!(10)), ("2", Outcome::No, dec!(4))] {
        p.apply_fill(&fill(
            id,
            a(),
            outcome,
            Side::Buy,
            dec!(0.40),
            qty,
            dec!(0),
            t(1),
        ))
        .unwrap();
    }
    let venue = a().venue;
    let reported = [position(a(), Outcome::Yes, dec!(6))];
    assert_eq!(
        p.reconcile(&venue, &reported).len(),
        2,
        "per outcome it looks like drift"
    );
    assert!(p.reconcile_netted(&venue, &reported).is_empty());
    let drifts = p.reconcile_netted(&venue, &[position(a(), Outcome::No, dec!(2))]);
    assert_eq!(
        drifts,
        vec![Drift {
            market: a(),
            outcome: Outcome::Yes,
            ours: dec!(6),
            venue: dec!(-2)
        }]
    );
}

/// Polymarket's SDKs add a buy's fee to the cash spent; a venue might instead deliver the fee's
/// worth fewer shares. Either reading of the same fills is no drift; anything else still is.
#[test]
fn a_venue_that_takes_buy_fees_in_shares_is_no_drift() {
    let mut p = Portfolio::new(Qty::new(dec!(0.01)).unwrap());
    // 100 YES at 0.55 with a $0.7425 fee: 1.35 shares' worth.
    p.apply_fill(&fill(
        "1",
        a(),
        Outcome::Yes,
        Side::Buy,
        dec!(0.55),
        dec!(100),
        dec!(0.7425),
        t(1),
    ))
    .unwrap();
    let venue = a().venue;
    for held in [dec!(100), dec!(98.65)] {
        assert!(
            p.reconcile(&venue, &[position(a(), Outcome::Yes, held)])
                .is_empty(),
            "{held}"
        );
    }
    assert_eq!(
        p.reconcile(&venue, &[position(a(), Outcome::Yes, dec!(97))])
            .len(),
        1
    );
}

/// Fills from a venue that did not bound them: two of `Decimal::MAX` contracts would overflow
/// the position's sum. Each is refused with a typed error naming the field; nothing is applied.
#[test]
fn fills_beyond_any_real_trade_are_refused_not_summed() {
    let mut p = Portfolio::new(Qty::ZERO);
    let huge = fill(
        "h1",
        a(),
        Outcome::Yes,
        Side::Buy,
        dec!(0.5),
        Decimal::MAX,
        Decimal::ZERO,
        t(1),
    );
    let err = p.apply_fill(&huge).unwrap_err();
    assert!(
        matches!(err, PortfolioError::OutOfRange { field: "qty", .. }),
        "{err}"
    );
    let costly = fill(
        "h2",
        a(),
        Outcome::Yes,
        Side::Buy,
        dec!(0.5),
        dec!(1),
        Decimal::MIN,
        t(2),
    );
    let err = p.apply_fill(&costly).unwrap_err();
    assert!(err.to_string().contains("fee"), "{err}");
    assert!(p.positions().is_empty());
}
