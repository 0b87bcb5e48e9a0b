//! The seeded random-walk market maker: deterministic books with cross-venue dislocations.

// Test helpers outside `#[test]` functions unwrap fixtures that are known to be valid.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use arb_core::clock::{ManualClock, SequentialIds};
use arb_core::exchange::{Exchange, ExchangeError};
use arb_core::fees::FeeSchedule;
use arb_core::model::{BinaryBook, MarketId, MarketKey, Outcome, Polarity};
use arb_core::sim::{
    PairStep, PairedMarkets, RandomWalk, SimConfig, SimExchange, SimMarketMaker, binary_market,
};
use chrono::DateTime;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn venue(name: &str, market: &str) -> SimExchange {
    let ex = SimExchange::new(
        SimConfig::new(name, dec!(1000)),
        Arc::new(ManualClock::new(DateTime::UNIX_EPOCH)),
        Arc::new(SequentialIds::default()),
    );
    ex.add_market(
        binary_market(
            MarketKey::new(name, market),
            "Will it rain?",
            FeeSchedule::FREE,
            DateTime::UNIX_EPOCH,
        )
        .unwrap(),
    )
    .unwrap();
    ex
}

struct Run {
    steps: Vec<PairStep>,
    books: Vec<(BinaryBook, BinaryBook)>,
}

async fn run(seed: u64, polarity: Polarity, steps: usize) -> Run {
    let a = venue("sim-a", "A");
    let b = venue("sim-b", "B");
    let pair = PairedMarkets {
        a: MarketId::new("A"),
        b: MarketId::new("B"),
        polarity,
    };
    let mut mm =
        SimMarketMaker::new(a.clone(), b.clone(), vec![pair], RandomWalk::new(seed)).unwrap();
    let mut out = Run {
        steps: Vec::new(),
        books: Vec::new(),
    };
    for _ in 0..steps {
        out.steps.extend(mm.step().unwrap());
        out.books.push((
            a.order_book(&MarketId::new("A")).await.unwrap(),
            b.order_book(&MarketId::new("B")).await.unwrap(),
        ));
    }
    out
}

/// The cheapest cost of buying one outcome on A and its equivalent complement on B.
fn best_pair_cost(a: &BinaryBook, b: &BinaryBook, polarity: Polarity) -> Decimal {
    [Outcome::Yes, Outcome::No]
        .into_iter()
        .map(|on_a| {
            let on_b = polarity.map(on_a).opposite();
            a.book(on_a).best_ask().unwrap().price.value()
                + b.book(on_b).best_ask().unwrap().price.value()
        })
        .min()
        .unwrap()
}

#[tokio::test]
async fn the_same_seed_gives_the_same_books() {
    let first = run(7, Polarity::Same, 60).await;
    let again = run(7, Polarity::Same, 60).await;
    assert_eq!(first.steps, again.steps);
    assert_eq!(first.books, again.books);
    let other = run(8, Polarity::Same, 60).await;
    assert_ne!(first.steps, other.steps);
}

#[tokio::test]
async fn dislocations_open_a_cross_venue_edge_for_a_few_steps() {
    for polarity in [Polarity::Same, Polarity::Inverse] {
        let r = run(7, polarity, 60).await;
        let mut edges = 0;
        for (step, (a, b)) in r.steps.iter().zip(&r.books) {
            // Each venue quotes its view of the event 1 tick either side, so buying both sides
            // costs $1.02 less the gap between the two views.
            let gap = (step.event_a.value() - step.event_b.value()).abs();
            assert_eq!(best_pair_cost(a, b, polarity), dec!(1.02) - gap, "{step:?}");
            assert_eq!(gap.is_zero(), !step.dislocated, "{step:?}");
            if gap > dec!(0.02) {
                edges += 1;
            }
            assert!(!a.is_crossed() && !b.is_crossed());
        }
        assert!(edges >= 1, "{polarity:?}: no dislocation in 60 steps");
        assert!(edges < 60);
    }
}

#[tokio::test]
async fn walk_settings_are_checked() {
    let a = venue("sim-a", "A");
    let b = venue("sim-b", "B");
    let bad = RandomWalk {
        tick: dec!(0.03),
        ..RandomWalk::new(1)
    };
    let err = SimMarketMaker::new(a.clone(), b.clone(), Vec::new(), bad).unwrap_err();
    assert!(matches!(err, ExchangeError::InvalidRequest(_)));
    let crossed = RandomWalk {
        half_spread_ticks: 0,
        ..RandomWalk::new(1)
    };
    assert!(SimMarketMaker::new(a, b, Vec::new(), crossed).is_err());
}
