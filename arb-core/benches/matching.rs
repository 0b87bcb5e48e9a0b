//! Matching speed on a synthetic catalogue.
//!
//! - `suggest/10k_x_10k`: full candidate generation + scoring, 10,000 Kalshi-style markets against
//!   10,000 Polymarket-style markets (half of them rephrased counterparts), each with a rules text
//!   in its venue's style (read for sources, times, clauses and names).
//! - `strsim_all_pairs/1k_x_1k`: Jaro–Winkler alone on every pair of 1,000 × 1,000 lower-cased
//!   titles; ×100 extrapolates to 10,000 × 10,000 (an extrapolation, not a measurement).
//!
//! `cargo bench -p arb-core --bench matching`

use std::hint::black_box;

use arb_core::fees::FeeSchedule;
use arb_core::matching::{MatchConfig, Matcher};
use arb_core::model::{Market, MarketExt, MarketKey, MarketStatus, PriceGrid, Qty};
use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use rust_decimal_macros::dec;

/// A small deterministic generator (xorshift), so every run sees the same catalogue.
struct Gen(u64);

impl Gen {
    fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        usize::try_from(self.0 % n as u64).expect("below n, a usize")
    }
}

const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "ren", "sa", "tor", "vel", "an", "dor", "ei", "fa", "gri", "hu", "is", "jo",
    "kel", "lu", "mar", "nor", "os", "pe", "qui", "ra", "sul", "ti", "ur", "vin", "wa", "xe",
    "yor",
];

/// A made-up capitalised name of two or three syllables.
fn name(g: &mut Gen) -> String {
    let n = 2 + g.next(2);
    let s: String = (0..n).map(|_| SYLLABLES[g.next(SYLLABLES.len())]).collect();
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A rules text in the venue's style, so rules reading is part of the measurement.
fn rules(venue: &str, title: &str) -> String {
    let question = title.trim_end_matches('?');
    if venue == "kalshi" {
        format!(
            "If the following happens: {question}, then the market resolves to Yes. The market \
             resolves on official announcements, as reported by Reuters."
        )
    } else {
        format!(
            "This market will resolve to \"Yes\" if the following happens: {question}. \
             Otherwise, this market will resolve to \"No\". The resolution source for this \
             market is official information, according to Reuters."
        )
    }
}

fn market(venue: &str, id: usize, title: String, close: DateTime<Utc>) -> Market {
    Market {
        key: MarketKey::new(venue, format!("{venue}-{id}")),
        rules: rules(venue, &title),
        title,
        subtitle: String::new(),
        resolution_source: None,
        close_time: close,
        status: MarketStatus::Open,
        price_grid: PriceGrid::uniform(dec!(0.01)).expect("valid tick"),
        size_step: Qty::new(dec!(0.01)).expect("valid step"),
        min_order_qty: Qty::new(dec!(1)).expect("valid minimum"),
        fees: FeeSchedule::FREE,
        ext: MarketExt::default(),
    }
}

/// One Kalshi-style question and its Polymarket-style rephrasing.
fn question(g: &mut Gen, people: &[String], places: &[String]) -> (String, String, DateTime<Utc>) {
    let p = &people[g.next(people.len())];
    let c = &places[g.next(places.len())];
    let m = g.next(12);
    let start = Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap();
    let close = start + Duration::days(i64::try_from(g.next(600)).expect("below 600"));
    let (y, mon) = (close.year(), MONTHS[m]);
    match g.next(4) {
        0 => (
            format!("Will {p} visit {c} before {mon} 1, {y}?"),
            format!("Will {p} visit {c} by {mon} 1, {y}?"),
            close,
        ),
        1 => (
            format!("Will {p} leave President of {c} before Jan 1, {y}?"),
            format!("{p} out as President of {c} by December 31, {}?", y - 1),
            close,
        ),
        2 => {
            let k = 50 + 5 * g.next(40);
            (
                format!("{c} index above ${k}k on {mon} 15, {y}?"),
                format!("Will the {c} index be above ${k},000 on {}/15/{y}?", m + 1),
                close,
            )
        }
        _ => (
            format!("Will {p} and {c} sign a trade agreement in {y}?"),
            format!("{p} {c} trade agreement signed before {}?", y + 1),
            close,
        ),
    }
}

/// `n` markets per venue; the first half of venue B rephrases venue A's first half.
fn catalogue(n: usize) -> (Vec<Market>, Vec<Market>) {
    let mut g = Gen(0x9e37_79b9_7f4a_7c15);
    let people: Vec<String> = (0..n / 4)
        .map(|_| format!("{} {}", name(&mut g), name(&mut g)))
        .collect();
    let places: Vec<String> = (0..n / 20).map(|_| name(&mut g)).collect();
    let mut a = Vec::with_capacity(n);
    let mut b = Vec::with_capacity(n);
    for i in 0..n {
        let (ka, pb, close) = question(&mut g, &people, &places);
        a.push(market("kalshi", i, ka, close));
        if i % 2 == 0 {
            b.push(market("polymarket", i, pb, close + Duration::hours(12)));
        } else {
            let (_, other, close) = question(&mut g, &people, &places);
            b.push(market("polymarket", i, other, close));
        }
    }
    (a, b)
}

fn bench(c: &mut Criterion) {
    let now = Utc.with_ymd_and_hms(2026, 3, 22, 0, 0, 0).unwrap();
    let (a, b) = catalogue(10_000);
    let matcher = Matcher::new(MatchConfig::default());
    let found = matcher.suggest(&a, &b, now);
    let rephrased_found = found
        .iter()
        .filter(|s| {
            s.a.market.as_str().strip_prefix("kalshi-")
                == s.b.market.as_str().strip_prefix("polymarket-")
        })
        .count();
    println!(
        "synthetic 10k x 10k: {} suggestions, {rephrased_found} of the 5000 planted counterparts among them",
        found.len()
    );

    let mut group = c.benchmark_group("matching");
    group.sample_size(10);
    group.bench_function("suggest/10k_x_10k", |bench| {
        bench.iter(|| black_box(matcher.suggest(black_box(&a), black_box(&b), now)));
    });
    let ta: Vec<String> = a
        .iter()
        .take(1_000)
        .map(|m| m.title.to_lowercase())
        .collect();
    let tb: Vec<String> = b
        .iter()
        .take(1_000)
        .map(|m| m.title.to_lowercase())
        .collect();
    group.bench_function("strsim_all_pairs/1k_x_1k", |bench| {
        bench.iter(|| {
            let mut best = 0.0_f64;
            for x in &ta {
                for y in &tb {
                    best = best.max(strsim::jaro_winkler(x, y));
                }
            }
            black_box(best)
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
