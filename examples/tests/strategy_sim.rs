//! Runs the `strategy_sim` example's simulation and checks its results.
#![allow(clippy::unwrap_used)]

use arb_core::model::{ExecutionState, Qty};
use arb_examples::strategy_sim::{MinEdge, SimResults, SimSettings, run};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn min_edge(fraction: Decimal, qty: Decimal) -> MinEdge {
    MinEdge {
        min_profit_fraction: fraction,
        min_qty: Qty::new(qty).unwrap(),
    }
}

async fn simulate(seed: u64, steps: u32, strategy: &MinEdge) -> (SimResults, String) {
    let mut out = Vec::new();
    let results = run(SimSettings { seed, steps }, strategy, &mut out)
        .await
        .unwrap();
    (results, String::from_utf8(out).unwrap())
}

#[tokio::test]
async fn the_same_seed_gives_the_same_run_and_the_profit_arrives_in_cash() {
    let strategy = min_edge(dec!(0.02), dec!(10));
    let (first, text_first) = simulate(7, 300, &strategy).await;
    let (second, text_second) = simulate(7, 300, &strategy).await;
    assert_eq!(first, second);
    assert_eq!(text_first, text_second);

    assert!(!first.trades.is_empty(), "{text_first}");
    // Every trade passed the strategy and ended hedged.
    for t in &first.trades {
        assert_eq!(t.state, ExecutionState::Hedged);
        assert!(t.profit / t.cost >= dec!(0.02), "{t:?}");
        assert!(t.qty >= dec!(10), "{t:?}");
    }
    // The cash made on both venues after settlement is exactly the profit locked in.
    let promised: Decimal = first.trades.iter().map(|t| t.profit).sum();
    assert_eq!(first.locked_in, promised);
    assert_eq!(first.pnl(), promised);
    assert!(first.pnl() > Decimal::ZERO);
    // Each trade bought the same quantity on both venues.
    let bought: Decimal = first.trades.iter().map(|t| dec!(2) * t.qty).sum();
    assert_eq!(first.contracts, bought);
    // Every opportunity was either traded or skipped for a reason.
    let skipped: u32 = first.skipped.values().sum();
    assert_eq!(
        first.opportunities,
        skipped + u32::try_from(first.trades.len()).unwrap()
    );
    assert!(text_first.contains(&format!("{:>11}", arb_examples::usd(first.pnl()))));
}

#[tokio::test]
async fn a_stricter_strategy_trades_less_and_an_impossible_one_not_at_all() {
    let (strict, _) = simulate(7, 300, &min_edge(dec!(0.02), dec!(10))).await;
    let (loose, _) = simulate(7, 300, &min_edge(Decimal::ZERO, dec!(1))).await;
    assert!(loose.trades.len() > strict.trades.len());
    assert!(loose.skipped.is_empty());
    assert_eq!(loose.pnl(), loose.locked_in);

    let (never, text) = simulate(7, 300, &min_edge(dec!(1), dec!(10))).await;
    assert!(never.trades.is_empty());
    assert_eq!(never.fills, 0);
    assert_eq!(never.pnl(), Decimal::ZERO);
    assert_eq!(
        never.skipped.get("profit below 100%"),
        Some(&never.opportunities)
    );
    assert!(never.opportunities > 0);
    assert!(text.contains("skipped: profit below 100%"));
}

#[tokio::test]
async fn different_seeds_give_different_markets() {
    let strategy = min_edge(dec!(0.02), dec!(10));
    let (a, _) = simulate(1, 200, &strategy).await;
    let (b, _) = simulate(2, 200, &strategy).await;
    assert_ne!(a, b);
}
