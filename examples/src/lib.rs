//! The runnable examples' code, kept in a library so that `tests/` can run exactly what
//! `cargo run --example <name>` runs and check its results.
//!
//! - [`embed_engine`]: embedding [`arb_core::engine::Engine`] in another bot;
//! - [`custom_venue`]: adding a venue by implementing [`arb_core::exchange::Exchange`];
//! - [`strategy_sim`]: testing a trading strategy against [`arb_core::sim::SimExchange`].
//!
//! Each module's `run` writes a human-readable account to the writer it is given (stdout in
//! the example binaries) and returns a summary of what happened. Every example also checks
//! its own claims as it goes and fails with an error, instead of printing a wrong story.

pub mod custom_venue;
pub mod embed_engine;
pub mod strategy_sim;

use chrono::{DateTime, Utc};

/// Any error an example can meet: venue, detection, model or output errors.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// The result of an example step.
pub type Result<T> = std::result::Result<T, Error>;

/// Fails the example with `message` unless `ok`: the examples verify what they print.
pub fn ensure(ok: bool, message: impl FnOnce() -> String) -> Result<()> {
    if ok { Ok(()) } else { Err(message().into()) }
}

/// The examples' fixed start time (2026-01-01 00:00 UTC), so every run prints the same.
pub fn start_time() -> Result<DateTime<Utc>> {
    DateTime::from_timestamp(1_767_225_600, 0).ok_or_else(|| "bad start time".into())
}

/// Dollars for display: at least two decimals, no trailing zeros beyond them (`$4.10`,
/// `-$0.00125`).
#[must_use]
pub fn usd(amount: rust_decimal::Decimal) -> String {
    let sign = if amount.is_sign_negative() { "-" } else { "" };
    let amount = amount.abs().normalize();
    if amount.scale() < 2 {
        format!("{sign}${amount:.2}")
    } else {
        format!("{sign}${amount}")
    }
}
