//! A lock-free latency histogram with fixed buckets, in Prometheus' cumulative text form.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rust_decimal::Decimal;

/// The upper bounds of the latency buckets, in nanoseconds: 50 µs … 30 s.
pub const LATENCY_BUCKETS_NANOS: [u64; 18] = [
    50_000,
    100_000,
    250_000,
    500_000,
    1_000_000,
    2_500_000,
    5_000_000,
    10_000_000,
    25_000_000,
    50_000_000,
    100_000_000,
    250_000_000,
    500_000_000,
    1_000_000_000,
    2_500_000_000,
    5_000_000_000,
    10_000_000_000,
    30_000_000_000,
];

/// Durations counted into [`LATENCY_BUCKETS_NANOS`] (plus an overflow bucket), with their sum.
#[derive(Debug, Default)]
pub struct Histogram {
    buckets: [AtomicU64; LATENCY_BUCKETS_NANOS.len() + 1],
    sum_nanos: AtomicU64,
}

impl Histogram {
    /// Counts one duration.
    pub fn observe(&self, duration: Duration) {
        let nanos = u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX);
        let index = LATENCY_BUCKETS_NANOS.partition_point(|bound| *bound < nanos);
        self.buckets[index].fetch_add(1, Ordering::Relaxed);
        self.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    /// How many durations were counted.
    #[must_use]
    pub fn count(&self) -> u64 {
        self.buckets
            .iter()
            .map(|bucket| bucket.load(Ordering::Relaxed))
            .sum()
    }

    /// Appends the `_bucket`, `_sum` and `_count` lines of `name` with `labels` (`key="value"`
    /// pairs, already escaped, possibly empty).
    pub(crate) fn render(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        let mut cumulative = 0;
        for (bound, bucket) in LATENCY_BUCKETS_NANOS.iter().zip(&self.buckets) {
            cumulative += bucket.load(Ordering::Relaxed);
            let le = nanos_as_seconds(*bound);
            let _ = writeln!(
                out,
                "{name}_bucket{{{labels}{sep}le=\"{le}\"}} {cumulative}"
            );
        }
        let overflow = self.buckets[LATENCY_BUCKETS_NANOS.len()].load(Ordering::Relaxed);
        let count = cumulative + overflow;
        let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {count}");
        let sum = nanos_as_seconds(self.sum_nanos.load(Ordering::Relaxed));
        let braces = if labels.is_empty() {
            String::new()
        } else {
            format!("{{{labels}}}")
        };
        let _ = writeln!(out, "{name}_sum{braces} {sum}");
        let _ = writeln!(out, "{name}_count{braces} {count}");
    }
}

/// Nanoseconds as exact decimal seconds (`1500000` → `0.0015`).
#[must_use]
pub fn nanos_as_seconds(nanos: u64) -> Decimal {
    Decimal::from_i128_with_scale(i128::from(nanos), 9).normalize()
}
