//! Prometheus metrics (hand-rolled, text exposition format 0.0.4) and the `/health` +
//! `/metrics` HTTP server.
//!
//! | metric | type | labels |
//! |---|---|---|
//! | `arb_book_age_seconds` | gauge | `venue` |
//! | `arb_opportunities_detected_total` | counter | |
//! | `arb_executions_total` | counter | `outcome` |
//! | `arb_tick_to_order_seconds` | histogram | |
//! | `arb_order_round_trip_seconds` | histogram | `venue` |
//! | `arb_venue_connected` | gauge | `venue` |
//! | `arb_venue_polling` | gauge | `venue` |
//! | `arb_catalogue_last_success_timestamp_seconds` | gauge | |
//! | `arb_catalogue_consecutive_failures` | gauge | |
//! | `arb_catalogue_sync_failures_total` | counter | |

pub mod health;
mod histogram;
mod server;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use arb_core::engine::EngineStatus;

pub use self::histogram::{Histogram, LATENCY_BUCKETS_NANOS, nanos_as_seconds};
pub use self::server::{HealthCheck, HealthReport, router, serve, start};

/// The daemon's metrics. Share it as an `Arc<Metrics>`; every method takes `&self`.
#[derive(Debug, Default)]
pub struct Metrics {
    book_updates: Mutex<BTreeMap<String, Instant>>,
    opportunities: AtomicU64,
    executions: Mutex<BTreeMap<String, u64>>,
    tick_to_order: Histogram,
    order_round_trip: Mutex<BTreeMap<String, Histogram>>,
    /// The engine's latest status (venues, catalogue), refreshed by the daemon.
    status: Mutex<Option<EngineStatus>>,
}

impl Metrics {
    /// Empty metrics.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A book update from `venue` was received at `at` (its age is measured from the latest).
    pub fn book_updated(&self, venue: &str, at: Instant) {
        let mut updates = lock(&self.book_updates);
        let latest = updates.entry(venue.to_string()).or_insert(at);
        *latest = (*latest).max(at);
    }

    /// One opportunity was detected.
    pub fn opportunity_detected(&self) {
        self.opportunities.fetch_add(1, Ordering::Relaxed);
    }

    /// One execution ended with `outcome` (e.g. `hedged`, `unwound`, `unhedged`, `aborted`).
    pub fn execution_finished(&self, outcome: &str) {
        *lock(&self.executions)
            .entry(outcome.to_string())
            .or_insert(0) += 1;
    }

    /// The time from a book update's arrival to the first order request written.
    pub fn observe_tick_to_order(&self, latency: Duration) {
        self.tick_to_order.observe(latency);
    }

    /// The time from sending an order to `venue` to its acknowledgement.
    pub fn observe_order_round_trip(&self, venue: &str, latency: Duration) {
        lock(&self.order_round_trip)
            .entry(venue.to_string())
            .or_default()
            .observe(latency);
    }

    /// The engine's current status: venue connectivity, REST fallback, catalogue syncs.
    pub fn set_status(&self, status: &EngineStatus) {
        *lock(&self.status) = Some(status.clone());
    }

    /// The metrics in Prometheus text format, book ages measured at `now`.
    #[must_use]
    pub fn render(&self, now: Instant) -> String {
        let mut out = String::new();
        header(
            &mut out,
            "arb_book_age_seconds",
            "gauge",
            "Seconds since the latest order-book update per venue.",
        );
        for (venue, at) in lock(&self.book_updates).iter() {
            let nanos =
                u64::try_from(now.saturating_duration_since(*at).as_nanos()).unwrap_or(u64::MAX);
            let age = nanos_as_seconds(nanos);
            let _ = writeln!(
                out,
                "arb_book_age_seconds{{venue=\"{}\"}} {age}",
                escape(venue)
            );
        }
        header(
            &mut out,
            "arb_opportunities_detected_total",
            "counter",
            "Opportunities detected.",
        );
        let _ = writeln!(
            out,
            "arb_opportunities_detected_total {}",
            self.opportunities.load(Ordering::Relaxed)
        );
        header(
            &mut out,
            "arb_executions_total",
            "counter",
            "Executions finished, by outcome.",
        );
        for (outcome, count) in lock(&self.executions).iter() {
            let _ = writeln!(
                out,
                "arb_executions_total{{outcome=\"{}\"}} {count}",
                escape(outcome)
            );
        }
        header(
            &mut out,
            "arb_tick_to_order_seconds",
            "histogram",
            "Book update received to first order request written.",
        );
        self.tick_to_order
            .render(&mut out, "arb_tick_to_order_seconds", "");
        header(
            &mut out,
            "arb_order_round_trip_seconds",
            "histogram",
            "Order sent to venue acknowledgement, per venue.",
        );
        for (venue, histogram) in lock(&self.order_round_trip).iter() {
            let labels = format!("venue=\"{}\"", escape(venue));
            histogram.render(&mut out, "arb_order_round_trip_seconds", &labels);
        }
        if let Some(status) = lock(&self.status).as_ref() {
            render_status(&mut out, status);
        }
        out
    }
}

/// Venue connectivity and catalogue-sync gauges from the engine's status.
fn render_status(out: &mut String, status: &EngineStatus) {
    header(
        out,
        "arb_venue_connected",
        "gauge",
        "1 when the venue's book feed (stream or REST polling) is delivering.",
    );
    for v in &status.venues {
        let venue = escape(v.venue.as_str());
        let _ = writeln!(
            out,
            "arb_venue_connected{{venue=\"{venue}\"}} {}",
            u8::from(v.connected)
        );
    }
    header(
        out,
        "arb_venue_polling",
        "gauge",
        "1 while the venue's books are polled over REST because its stream is not delivering.",
    );
    for v in &status.venues {
        let venue = escape(v.venue.as_str());
        let _ = writeln!(
            out,
            "arb_venue_polling{{venue=\"{venue}\"}} {}",
            u8::from(v.polling)
        );
    }
    let c = &status.catalogue;
    header(
        out,
        "arb_catalogue_last_success_timestamp_seconds",
        "gauge",
        "Unix time of the last catalogue sync that read every venue completely (0: none yet).",
    );
    let last = c.last_success.map_or(0, |t| t.timestamp());
    let _ = writeln!(out, "arb_catalogue_last_success_timestamp_seconds {last}");
    header(
        out,
        "arb_catalogue_consecutive_failures",
        "gauge",
        "Incomplete catalogue syncs in a row.",
    );
    let _ = writeln!(
        out,
        "arb_catalogue_consecutive_failures {}",
        c.consecutive_failures
    );
    header(
        out,
        "arb_catalogue_sync_failures_total",
        "counter",
        "Incomplete catalogue syncs since start.",
    );
    let _ = writeln!(
        out,
        "arb_catalogue_sync_failures_total {}",
        c.failures_total
    );
}

/// Appends the `# HELP` and `# TYPE` lines of a metric.
fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// A label value escaped for the text format (backslash, quote, newline).
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Locks a metrics map; a panic elsewhere while holding it leaves plain counters, still valid.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
