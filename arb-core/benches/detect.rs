//! One book update on one pair: both directions, 10 ask levels per side, a Kalshi leg and a
//! Polymarket leg, through the pair's kept [`PairDetector`] as the engine runs it; each update
//! changes book A's best level. `cargo bench -p arb-core --bench detect`.
#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;

use arb_core::Decimal;
use arb_core::detect::{DetectLimits, PairDetector, PairView, best_opportunity};
use arb_core::fees::{FeeModel, FeeRule, FeeSchedule};
use arb_core::model::{
    BinaryBook, Legs, Level, Market, MarketExt, MarketKey, MarketStatus, OrderBook, PairId,
    PairStatus, Polarity, Price, PriceGrid, Qty, VerifiedPair,
};
use chrono::{DateTime, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use rust_decimal_macros::dec;

fn levels(first_cents: i64, sizes: &[i64]) -> Vec<Level> {
    sizes
        .iter()
        .enumerate()
        .map(|(i, size)| {
            Level::new(
                Price::new(Decimal::new(first_cents + i as i64, 2)).unwrap(),
                Qty::new(Decimal::from(*size)).unwrap(),
            )
        })
        .collect()
}

fn market(venue: &str, fees: FeeSchedule) -> Market {
    Market {
        key: MarketKey::new(venue, "M"),
        title: "Will it happen?".into(),
        subtitle: String::new(),
        rules: String::new(),
        resolution_source: None,
        close_time: DateTime::<Utc>::MAX_UTC,
        status: MarketStatus::Open,
        price_grid: PriceGrid::uniform(dec!(0.01)).unwrap(),
        size_step: Qty::new(dec!(0.01)).unwrap(),
        min_order_qty: Qty::new(dec!(1)).unwrap(),
        fees,
        ext: MarketExt::default(),
    }
}

fn bench(c: &mut Criterion) {
    let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
    let sizes = [37, 120, 64, 250, 80, 45, 300, 150, 90, 500];
    // YES on A from 0.44 and NO on B from 0.49: an edge over the first levels only.
    // Each update changes book A's best level (37 ↔ 38 contracts), as a venue's delta would.
    let book_a_of = |best: i64| {
        let mut yes = sizes;
        yes[0] = best;
        BinaryBook::new(
            OrderBook::new([], levels(44, &yes)),
            OrderBook::new([], levels(53, &sizes)),
            now,
        )
    };
    let books_a = [book_a_of(37), book_a_of(38)];
    let book_b = BinaryBook::new(
        OrderBook::new([], levels(50, &sizes)),
        OrderBook::new([], levels(49, &sizes)),
        now,
    );
    let market_a = market(
        "kalshi",
        // Kalshi's schedule: 0.07 × p × (1 − p), fills up to $0.0001, the order to the cent.
        FeeSchedule::taker_only(FeeRule::quadratic(
            dec!(0.07),
            dec!(0.0001),
            Some(dec!(0.01)),
        )),
    );
    let market_b = market(
        "polymarket",
        // Polymarket's production schedule: 0.03 × p × (1 − p), fills up to $0.00001.
        FeeSchedule::taker_only(FeeRule::quadratic(dec!(0.03), dec!(0.00001), None)),
    );
    let pair = VerifiedPair {
        id: PairId(1),
        a: market_a.key.clone(),
        b: market_b.key.clone(),
        polarity: Polarity::Same,
        status: PairStatus::Active,
        rules_hash_a: String::new(),
        rules_hash_b: String::new(),
        approved_by: "bench".into(),
        approved_at: now,
    };
    let views = books_a.each_ref().map(|book_a| PairView {
        pair: &pair,
        markets: Legs::new(&market_a, &market_b),
        books: Legs::new(book_a, &book_b),
        fees: Legs::<&dyn FeeModel>::new(&market_a.fees, &market_b.fees),
    });
    let limits = DetectLimits {
        min_profit_fraction: dec!(0.005),
        min_profit_usd: dec!(0.10),
        max_trade_usd: dec!(2000),
        remaining_exposure_a_usd: dec!(5000),
        remaining_exposure_b_usd: dec!(5000),
        balance_a_usd: dec!(10000),
        balance_b_usd: dec!(10000),
        max_book_age: chrono::Duration::seconds(5),
    };
    for view in &views {
        assert!(best_opportunity(view, &limits, now).is_ok());
    }
    // The engine keeps one detector per pair: the fee rules and limits are converted once.
    let mut detector = PairDetector::default();
    let mut update = 0;
    c.bench_function("detect/10_levels_kalshi_polymarket", |b| {
        b.iter(|| {
            update ^= 1;
            let view = black_box(&views[update]);
            detector.best_opportunity(view, black_box(&limits), now)
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
