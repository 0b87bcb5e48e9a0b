//! Risk checks fed from live (simulated) venues: exposure from the portfolio rebuilt from fills,
//! cash from the venues' balances, cooldown and consecutive errors from the executor's run.
#![allow(clippy::unwrap_used)]

mod execute_support;

use std::collections::HashMap;
use std::sync::Arc;

use arb_core::exchange::Exchange;
use arb_core::model::ExecutionState;
use arb_core::risk::{ExecutionOutcome, RefusalReason, RiskLimits, RiskManager, RiskState};
use arb_core::sim::Fault;
use execute_support::Harness;
use rust_decimal_macros::dec;

fn limits() -> RiskLimits {
    RiskLimits {
        max_trade_usd: dec!(50),
        max_exposure_per_market_usd: dec!(8),
        max_total_exposure_usd: dec!(100),
        pair_cooldown: chrono::Duration::seconds(30),
        max_daily_loss_usd: dec!(10),
        max_consecutive_errors: 3,
        min_balance_reserve_usd: dec!(100),
    }
}

async fn state(h: &Harness) -> RiskState {
    let portfolio = h.assert_books_agree().await;
    let mut available_usd = HashMap::new();
    for venue in [&h.a, &h.b] {
        available_usd.insert(venue.venue(), venue.balance().await.unwrap().available);
    }
    RiskState {
        exposure_usd: portfolio.exposure_by_market(),
        available_usd,
        now: arb_core::clock::Clock::now(h.clock.as_ref()),
    }
}

#[tokio::test(start_paused = true)]
async fn limits_apply_to_what_the_venues_hold() {
    let h = Harness::new().await;
    h.book_a(&[(dec!(0.38), dec!(100))], &[(dec!(0.40), dec!(100))]);
    h.book_b(&[(dec!(0.45), dec!(100))], &[(dec!(0.47), dec!(100))]);
    let risk = Arc::new(RiskManager::new(limits()).unwrap());
    let ex = h.executor(Harness::config()).with_risk(risk.clone());
    let opp = h.opportunity(dec!(10), dec!(0.40), dec!(0.55));
    assert_eq!(risk.check(&opp, &state(&h).await), Ok(()));
    let rec = ex.execute(&h.pair, h.markets(), &opp).await.unwrap();
    assert_eq!(rec.state, ExecutionState::Hedged);
    risk.record_outcome(&ExecutionOutcome {
        pair_id: h.pair.id,
        finished_at: rec.updated_at,
        realized_pnl: dec!(0),
    });

    // Holding $4.17 on A, another $4.00 + fee would pass $8 on market A.
    let after = state(&h).await;
    assert_eq!(after.exposure_usd[&h.markets[0].key], dec!(4.17));
    let refusal = risk.check(&opp, &after).unwrap_err();
    assert_eq!(
        refusal.reason,
        RefusalReason::MarketExposure {
            market: h.markets[0].key.clone(),
            after_usd: dec!(8.17),
            max_usd: dec!(8),
        }
    );

    // With room for exposure, the pair is still cooling down.
    let roomy = RiskManager::new(RiskLimits {
        max_exposure_per_market_usd: dec!(100),
        ..limits()
    })
    .unwrap();
    roomy.record_outcome(&ExecutionOutcome {
        pair_id: h.pair.id,
        finished_at: rec.updated_at,
        realized_pnl: dec!(0),
    });
    assert!(matches!(
        roomy.check(&opp, &after).unwrap_err().reason,
        RefusalReason::Cooldown { .. }
    ));

    // A venue that stops answering mid-hedge: every failed call counts, in a row.
    h.b.sim.inject(Fault::Unavailable { calls: 1_000 });
    let later = h.opportunity(dec!(1), dec!(0.40), dec!(0.55));
    let _ = ex.execute(&h.pair, h.markets(), &later).await;
    let venue_b = h.markets[1].key.venue.clone();
    let failed = risk.venue_errors(&venue_b);
    assert!(failed >= 3, "{failed}");
    let mut blocked = after.clone();
    blocked.exposure_usd.clear();
    blocked.now += chrono::Duration::minutes(5);
    assert_eq!(
        risk.check(&opp, &blocked).unwrap_err().reason,
        RefusalReason::VenueErrors {
            venue: venue_b,
            count: failed
        }
    );

    // The reserve uses the venue's real cash: $1000 − $4.17 spent leaves too little for a $992 reserve.
    let strict = RiskManager::new(RiskLimits {
        min_balance_reserve_usd: dec!(992),
        max_exposure_per_market_usd: dec!(100),
        pair_cooldown: chrono::Duration::zero(),
        ..limits()
    })
    .unwrap();
    assert_eq!(
        strict.check(&opp, &after).unwrap_err().reason,
        RefusalReason::BalanceReserve {
            venue: h.markets[0].key.venue.clone(),
            available_usd: dec!(995.83),
            needed_usd: dec!(4.0),
            reserve_usd: dec!(992),
        }
    );
}
