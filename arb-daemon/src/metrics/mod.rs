//! Prometheus metrics (hand-rolled, text exposition format 0.0.4) and the `/health` +
//! `/metrics` HTTP server.
//!
//! | metric | type | labels |
//! |---|---|---|
//! | `arb_book_age_seconds` | gauge | `venue` |
//! | `arb_market_book_age_seconds` | gauge | `venue`, `market` |
//! | `arb_venue_last_success_timestamp_seconds` | gauge | `venue` |
//! | `arb_venue_call_failures_total` | counter | `venue` |
//! | `arb_opportunities_detected_total` | counter | |
//! | `arb_executions_total` | counter | `outcome` |
//! | `arb_tick_to_order_seconds` | histogram | |
//! | `arb_order_round_trip_seconds` | histogram | `venue` |
//! | `arb_venue_connected` | gauge | `venue` |
//! | `arb_venue_polling` | gauge | `venue` |
//! | `arb_catalogue_last_success_timestamp_seconds` | gauge | |
//! | `arb_catalogue_consecutive_failures` | gauge | |
//! | `arb_catalogue_sync_failures_total` | counter | |
//! | `arb_task_panics_total` | counter | `task` |
//! | `arb_task_restarts_total` | counter | `task` |
//! | `arb_leases_held` | gauge | |
//! | `arb_pair_lease_held` | gauge | `pair` |

pub mod health;
mod histogram;
mod server;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use arb_core::engine::{EngineStatus, TaskCounts};
use chrono::{DateTime, Utc};

pub use self::health::{Probes, StoreProbe};
pub use self::histogram::{Histogram, LATENCY_BUCKETS_NANOS, nanos_as_seconds};
pub use self::server::{HealthCheck, HealthReport, router, serve, start};

/// The daemon's metrics. Share it as an `Arc<Metrics>`; every method takes `&self`.
#[derive(Debug, Default)]
pub struct Metrics {
    book_updates: Mutex<BTreeMap<String, Instant>>,
    /// The latest book of each market, by (venue, market).
    market_books: Mutex<BTreeMap<(String, String), Instant>>,
    /// Outcomes of each venue's calls.
    calls: Mutex<BTreeMap<String, VenueCalls>>,
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

    /// A book of `market` on `venue` was received at `at` (each market's age is exported too).
    pub fn market_book_updated(&self, venue: &str, market: &str, at: Instant) {
        self.book_updated(venue, at);
        let mut books = lock(&self.market_books);
        let latest = books
            .entry((venue.to_owned(), market.to_owned()))
            .or_insert(at);
        *latest = (*latest).max(at);
    }

    /// A call to `venue` ended at `at`: successfully, or with `error`.
    pub fn venue_call(&self, venue: &str, error: Option<&str>, at: DateTime<Utc>) {
        let mut calls = lock(&self.calls);
        let c = calls.entry(venue.to_owned()).or_default();
        match error {
            None => {
                c.last_success = Some(at);
                c.last_error = None;
            }
            Some(e) => {
                c.failures = c.failures.saturating_add(1);
                c.last_error = Some(e.to_owned());
            }
        }
    }

    /// How each venue's calls went.
    #[must_use]
    pub fn venue_calls(&self) -> BTreeMap<String, VenueCalls> {
        lock(&self.calls).clone()
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
            let age = age_seconds(now, *at);
            let _ = writeln!(
                out,
                "arb_book_age_seconds{{venue=\"{}\"}} {age}",
                escape(venue)
            );
        }
        self.render_markets_and_calls(&mut out, now);
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

    /// Each received book's age per market, and each venue's last successful call and failures.
    fn render_markets_and_calls(&self, out: &mut String, now: Instant) {
        header(
            out,
            "arb_market_book_age_seconds",
            "gauge",
            "Seconds since the latest order book of each market received (watched markets).",
        );
        for ((venue, market), at) in lock(&self.market_books).iter() {
            let _ = writeln!(
                out,
                "arb_market_book_age_seconds{{venue=\"{}\",market=\"{}\"}} {}",
                escape(venue),
                escape(market),
                age_seconds(now, *at)
            );
        }
        let calls = lock(&self.calls);
        header(
            out,
            "arb_venue_last_success_timestamp_seconds",
            "gauge",
            "Unix time of the venue's last successful call (0: none yet).",
        );
        for (venue, c) in calls.iter() {
            let at = c.last_success.map_or(0, |t| t.timestamp());
            let _ = writeln!(
                out,
                "arb_venue_last_success_timestamp_seconds{{venue=\"{}\"}} {at}",
                escape(venue)
            );
        }
        header(
            out,
            "arb_venue_call_failures_total",
            "counter",
            "Calls to the venue that failed.",
        );
        for (venue, c) in calls.iter() {
            let _ = writeln!(
                out,
                "arb_venue_call_failures_total{{venue=\"{}\"}} {}",
                escape(venue),
                c.failures
            );
        }
    }
}

/// How a venue's calls went.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VenueCalls {
    /// When a call last succeeded.
    pub last_success: Option<DateTime<Utc>>,
    /// Calls that failed since start.
    pub failures: u64,
    /// The last call's error, when it failed.
    pub last_error: Option<String>,
}

/// Seconds from `at` to `now`, as the text format writes them.
fn age_seconds(now: Instant, at: Instant) -> rust_decimal::Decimal {
    let nanos = u64::try_from(now.saturating_duration_since(at).as_nanos()).unwrap_or(u64::MAX);
    nanos_as_seconds(nanos)
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
    render_tasks(out, status);
    render_leases(out, status);
}

/// The pair leases this daemon holds (what it trades when several share the store).
fn render_leases(out: &mut String, status: &EngineStatus) {
    header(
        out,
        "arb_leases_held",
        "gauge",
        "Pair leases this daemon holds (pairs it trades; 0 in monitor mode).",
    );
    let _ = writeln!(out, "arb_leases_held {}", status.leased_pairs.len());
    header(
        out,
        "arb_pair_lease_held",
        "gauge",
        "1 for each pair whose lease this daemon holds.",
    );
    for pair in &status.leased_pairs {
        let _ = writeln!(out, "arb_pair_lease_held{{pair=\"{pair}\"}} 1");
    }
}

/// Panics and restarts of supervised tasks.
fn render_tasks(out: &mut String, status: &EngineStatus) {
    for (name, help, count) in [
        (
            "arb_task_panics_total",
            "Panics of a supervised task (each logged and alerted).",
            (|c: &TaskCounts| c.panics) as fn(&TaskCounts) -> u64,
        ),
        (
            "arb_task_restarts_total",
            "Restarts of a supervised task after a panic.",
            |c: &TaskCounts| c.restarts,
        ),
    ] {
        header(out, name, "counter", help);
        for (task, counts) in &status.tasks {
            let _ = writeln!(out, "{name}{{task=\"{}\"}} {}", escape(task), count(counts));
        }
    }
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
