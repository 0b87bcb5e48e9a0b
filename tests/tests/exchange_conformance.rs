//! The `Exchange` conformance suite (`conformance/suite.rs`) run against every implementation:
//! `SimExchange` (filling buys by contracts, and by cash), `PaperExchange`, and the Kalshi and
//! Polymarket adapters over the venue-faithful fakes (`../shared/fakevenues`).
//!
//! One test per (implementation, case): `sim::partial_fill_then_cancel_keeps_the_filled_quantity`,
//! `kalshi::…`. A case an implementation cannot express is reported as ignored with
//! `SKIPPED: <why>`. The adapters' tests are reported as ignored when the
//! fakes or python3 are absent (`build.rs`); `ARB_REQUIRE_E2E=1` makes that a failure.

mod conformance;
mod venues;

use arb_core::sim::BuyFill;
use conformance::fakes::{Kalshi, Polymarket};
use conformance::sim::{Paper, Sim};
use conformance::{run, suite};

/// One test per (implementation, case). A case an implementation cannot express is listed with
/// `#[ignore = "SKIPPED: why"]`, so it is reported as ignored, never as a pass; if a case that is
/// not so marked finds its implementation unable to run it, the test fails.
macro_rules! conformance {
    ($($(#[$attr:meta])* $imp:ident => $make:expr, $cases:tt);* $(;)?) => {
        $( conformance!(@imp [$(#[$attr])*] $imp, $make, $cases); )*
    };
    (@imp $attrs:tt $imp:ident, $make:expr, [$($(#[$skip:meta])* $case:ident),* $(,)?]) => {
        mod $imp {
            use super::*;
            $( conformance!(@case $attrs [$(#[$skip])*] $case, $make); )*
        }
    };
    (@case [$(#[$attr:meta])*] [$(#[$skip:meta])*] $case:ident, $make:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        $(#[$attr])*
        $(#[$skip])*
        async fn $case() {
            let Some(harness) = $make.await else { return };
            run(harness, stringify!($case), suite::$case).await;
        }
    };
}

conformance! {
    sim => async { Some(Sim::new(BuyFill::Contracts)) }, [
        resting_order_fills_when_crossed,
        marketable_order_fills_at_once,
        partial_fill_then_cancel_keeps_the_filled_quantity,
        #[ignore = "SKIPPED: BuyFill::Contracts never fills beyond the quantity asked"]
        a_buy_filled_beyond_its_quantity_is_reported,
        a_pending_answer_is_followed_to_its_fill,
        a_lost_answer_may_exist_and_is_found_by_client_id,
        an_unavailable_venue_is_retryable,
        a_rate_limited_order_is_retryable,
        a_rejected_order_is_not_retryable,
        #[ignore = "SKIPPED: SimExchange answers in memory: nothing to garble"]
        a_garbled_answer_may_hide_an_order,
        an_order_beyond_the_cash_is_refused,
    ];
    sim_cash => async { Some(Sim::new(BuyFill::Cash)) }, [
        resting_order_fills_when_crossed,
        marketable_order_fills_at_once,
        partial_fill_then_cancel_keeps_the_filled_quantity,
        a_buy_filled_beyond_its_quantity_is_reported,
        a_pending_answer_is_followed_to_its_fill,
        a_lost_answer_may_exist_and_is_found_by_client_id,
        an_unavailable_venue_is_retryable,
        a_rate_limited_order_is_retryable,
        a_rejected_order_is_not_retryable,
        #[ignore = "SKIPPED: SimExchange answers in memory: nothing to garble"]
        a_garbled_answer_may_hide_an_order,
        an_order_beyond_the_cash_is_refused,
    ];
    paper => async { Some(Paper::new()) }, [
        resting_order_fills_when_crossed,
        marketable_order_fills_at_once,
        partial_fill_then_cancel_keeps_the_filled_quantity,
        #[ignore = "SKIPPED: PaperExchange fills by contracts, never beyond the quantity asked"]
        a_buy_filled_beyond_its_quantity_is_reported,
        #[ignore = "SKIPPED: paper orders are matched in process: no answer is ever pending"]
        a_pending_answer_is_followed_to_its_fill,
        #[ignore = "SKIPPED: paper orders never leave the process: no answer can be lost"]
        a_lost_answer_may_exist_and_is_found_by_client_id,
        an_unavailable_venue_is_retryable,
        a_rate_limited_order_is_retryable,
        #[ignore = "SKIPPED: paper trading refuses only what the simulator refuses (see the cash case)"]
        a_rejected_order_is_not_retryable,
        #[ignore = "SKIPPED: paper orders are answered in memory: nothing to garble"]
        a_garbled_answer_may_hide_an_order,
        an_order_beyond_the_cash_is_refused,
    ];
    #[cfg_attr(e2e_unavailable, ignore = "SKIPPED: ../shared/fakevenues or python3 is absent (ARB_REQUIRE_E2E=1 makes this a failure)")]
    kalshi => Kalshi::start(), [
        resting_order_fills_when_crossed,
        marketable_order_fills_at_once,
        partial_fill_then_cancel_keeps_the_filled_quantity,
        #[ignore = "SKIPPED: Kalshi fills by contract count: an order never fills beyond it"]
        a_buy_filled_beyond_its_quantity_is_reported,
        #[ignore = "SKIPPED: Kalshi answers every order at once (the fake has no delayed mode)"]
        a_pending_answer_is_followed_to_its_fill,
        a_lost_answer_may_exist_and_is_found_by_client_id,
        an_unavailable_venue_is_retryable,
        a_rate_limited_order_is_retryable,
        a_rejected_order_is_not_retryable,
        a_garbled_answer_may_hide_an_order,
        an_order_beyond_the_cash_is_refused,
    ];
    #[cfg_attr(e2e_unavailable, ignore = "SKIPPED: ../shared/fakevenues or python3 is absent (ARB_REQUIRE_E2E=1 makes this a failure)")]
    polymarket => Polymarket::start(), [
        resting_order_fills_when_crossed,
        marketable_order_fills_at_once,
        partial_fill_then_cancel_keeps_the_filled_quantity,
        a_buy_filled_beyond_its_quantity_is_reported,
        a_pending_answer_is_followed_to_its_fill,
        a_lost_answer_may_exist_and_is_found_by_client_id,
        an_unavailable_venue_is_retryable,
        a_rate_limited_order_is_retryable,
        a_rejected_order_is_not_retryable,
        a_garbled_answer_may_hide_an_order,
        an_order_beyond_the_cash_is_refused,
    ];
}
