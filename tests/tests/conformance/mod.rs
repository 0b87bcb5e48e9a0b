//! The `Exchange` conformance suite: the same behavioural cases ([`suite`]) run against every
//! implementation through a [`Harness`] that can set a market's book, fill our resting orders
//! and make the venue misbehave on the next order.
//!
//! A case an implementation cannot express (a venue that never fills beyond the quantity, has
//! no delayed answers…) ends [`Verdict::Skipped`] with the reason; such a case is listed as ignored
//! (`SKIPPED: …`) in `exchange_conformance.rs`, and a skip that is not listed fails.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers

pub mod fakes;
pub mod sim;
pub mod suite;

use std::future::Future;
use std::time::{Duration, Instant};

use arb_core::exchange::Exchange;
use arb_core::model::MarketKey;
use async_trait::async_trait;
use rust_decimal::Decimal;

/// Why an implementation cannot run a case.
#[derive(Clone, Copy, Debug)]
pub struct Unsupported(pub &'static str);

/// Whether a harness can do what a case asks.
pub type Support = Result<(), Unsupported>;

/// How a case ended.
#[derive(Debug)]
pub enum Verdict {
    /// Every assertion held.
    Passed,
    /// The implementation cannot express the case.
    Skipped(&'static str),
}

impl From<Unsupported> for Verdict {
    fn from(u: Unsupported) -> Self {
        Self::Skipped(u.0)
    }
}

/// A failure the venue answers to the next order instead of acting on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The venue is down or overloaded (HTTP 5xx).
    Unavailable,
    /// The rate limit was hit (HTTP 429).
    RateLimited,
    /// The venue refuses the order (HTTP 400).
    Rejected,
    /// The answer cannot be read (HTTP 200 with truncated JSON).
    Garbled,
}

/// One implementation of `Exchange` with one binary market to trade, and the means to drive
/// it as another trader or a faulty network would.
#[async_trait]
pub trait Harness: Send + Sync {
    /// The implementation's name, for messages.
    fn name(&self) -> &'static str;

    /// The venue under test.
    fn exchange(&self) -> &dyn Exchange;

    /// The market the cases trade: $0.01 grid, orders of 10 contracts allowed, cash for ≥ $100.
    fn market(&self) -> MarketKey;

    /// Replaces other traders' YES liquidity (`(price, qty)` levels). Our resting orders the
    /// new book crosses trade as makers at their own price.
    async fn set_book(&self, yes_bids: &[(Decimal, Decimal)], yes_asks: &[(Decimal, Decimal)]);

    /// Whether marketable buys fill by the cash they may spend, so a better price buys more
    /// contracts than asked.
    async fn fills_buys_by_cash(&self) -> Support;

    /// The next marketable order is answered "pending" and executes a little later.
    async fn delay_next_order(&self) -> Support;

    /// The next order is executed but its answer never arrives (the call times out).
    async fn lose_next_answer(&self) -> Support;

    /// The next order is answered with `failure`, and nothing is done.
    async fn fail_next_order(&self, failure: Failure) -> Support;

    /// After a case: checks what only the venue can tell (the fakes' protocol violations).
    async fn check_venue(&self) {}
}

/// Runs `case` on the harness, then the venue's own checks; prints a skip.
pub async fn run<H, F, Fut>(harness: H, case_name: &str, case: F)
where
    H: Harness + 'static,
    F: FnOnce(std::sync::Arc<dyn Harness>) -> Fut,
    Fut: Future<Output = Verdict>,
{
    let harness: std::sync::Arc<dyn Harness> = std::sync::Arc::new(harness);
    let name = harness.name();
    match case(harness.clone()).await {
        Verdict::Passed => harness.check_venue().await,
        // Reached only by a case not marked skipped in exchange_conformance.rs (or one run with
        // `--ignored`): never a silent pass.
        Verdict::Skipped(reason) => {
            panic!("{name} cannot run {case_name}: {reason} (mark it SKIPPED where it is listed)")
        }
    }
}

/// Asks `read` until `done` holds (up to 15 s); returns the last answer.
pub async fn eventually<T, F, Fut>(mut read: F, done: impl Fn(&T) -> bool) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = T>,
{
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let value = read().await;
        if done(&value) || Instant::now() > deadline {
            return value;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
