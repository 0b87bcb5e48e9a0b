//! Every risk limit refuses with a reason a person can read, and the kill switch stops new trades.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use std::collections::HashMap;

use arb_core::model::{
    Level, MarketKey, Opportunity, OpportunityDecision, OpportunityLeg, Outcome, PairId, Price,
    Qty, VenueId,
};
use arb_core::risk::{ExecutionOutcome, RefusalReason, RiskLimits, RiskManager, RiskState};
use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn t(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_700_000_000 + secs, 0).unwrap()
}

fn leg(venue: &str, outcome: Outcome, price: Decimal, qty: Decimal) -> OpportunityLeg {
    let price = Price::new(price).unwrap();
    let qty = Qty::new(qty).unwrap();
    OpportunityLeg {
        market: MarketKey::new(venue, "M"),
        outcome,
        qty,
        limit_price: price,
        cost: qty.notional(price),
        fee: Decimal::ZERO,
        levels: vec![Level::new(price, qty)],
    }
}

/// 10 contracts: YES at 0.40 on `a`, NO at 0.55 on `b`: $4 + $5.50 = $9.50, profit $0.50.
fn opportunity() -> Opportunity {
    let a = leg("a", Outcome::Yes, dec!(0.40), dec!(10));
    let b = leg("b", Outcome::No, dec!(0.55), dec!(10));
    Opportunity {
        pair_id: PairId(7),
        total_cost: a.total_cost() + b.total_cost(),
        profit: dec!(0.50),
        profit_fraction: dec!(0.50) / dec!(9.50),
        qty: Qty::new(dec!(10)).unwrap(),
        leg_a: a,
        leg_b: b,
        detected_at: t(0),
    }
}

fn limits() -> RiskLimits {
    RiskLimits {
        max_trade_usd: dec!(100),
        max_exposure_per_market_usd: dec!(50),
        max_total_exposure_usd: dec!(200),
        pair_cooldown: Duration::seconds(60),
        max_daily_loss_usd: dec!(20),
        max_consecutive_errors: 3,
        min_balance_reserve_usd: dec!(10),
    }
}

fn state(now: DateTime<Utc>) -> RiskState {
    RiskState {
        exposure_usd: HashMap::new(),
        available_usd: HashMap::from([
            (VenueId::new("a"), dec!(100)),
            (VenueId::new("b"), dec!(100)),
        ]),
        now,
    }
}

fn refusal(manager: &RiskManager, state: &RiskState) -> (RefusalReason, String) {
    let refusal = manager.check(&opportunity(), state).unwrap_err();
    let text = refusal.to_string();
    (refusal.reason, text)
}

#[test]
fn a_trade_within_every_limit_passes() {
    let manager = RiskManager::new(limits()).unwrap();
    assert_eq!(manager.check(&opportunity(), &state(t(0))), Ok(()));
}

#[test]
fn trade_size_limit_refuses() {
    let manager = RiskManager::new(RiskLimits {
        max_trade_usd: dec!(9),
        ..limits()
    })
    .unwrap();
    let (reason, text) = refusal(&manager, &state(t(0)));
    assert_eq!(
        reason,
        RefusalReason::TradeTooLarge {
            cost_usd: dec!(9.50),
            max_usd: dec!(9)
        }
    );
    assert_eq!(text, "trade costs $9.50, above the $9.00 per-trade limit");
    // Stored with the opportunity as the user-facing reason.
    let decision = OpportunityDecision::Refused(text.clone());
    assert_eq!(decision, OpportunityDecision::Refused(text));
}

#[test]
fn per_market_exposure_refuses() {
    let manager = RiskManager::new(limits()).unwrap();
    let mut s = state(t(0));
    s.exposure_usd.insert(MarketKey::new("b", "M"), dec!(45));
    let (reason, text) = refusal(&manager, &s);
    assert_eq!(
        reason,
        RefusalReason::MarketExposure {
            market: MarketKey::new("b", "M"),
            after_usd: dec!(50.50),
            max_usd: dec!(50)
        }
    );
    assert_eq!(
        text,
        "exposure on b:M would reach $50.50, above the $50.00 per-market limit"
    );
}

#[test]
fn total_exposure_refuses() {
    let manager = RiskManager::new(limits()).unwrap();
    let mut s = state(t(0));
    s.exposure_usd.insert(MarketKey::new("c", "X"), dec!(40));
    s.exposure_usd.insert(MarketKey::new("d", "Y"), dec!(40));
    s.exposure_usd.insert(MarketKey::new("e", "Z"), dec!(40));
    s.exposure_usd.insert(MarketKey::new("f", "W"), dec!(40));
    s.exposure_usd.insert(MarketKey::new("g", "V"), dec!(35));
    let (reason, _) = refusal(&manager, &s);
    assert_eq!(
        reason,
        RefusalReason::TotalExposure {
            after_usd: dec!(204.50),
            max_usd: dec!(200)
        }
    );
}

#[test]
fn pair_cooldown_refuses_until_it_expires() {
    let manager = RiskManager::new(limits()).unwrap();
    manager.record_outcome(&ExecutionOutcome {
        pair_id: PairId(7),
        finished_at: t(0),
        realized_pnl: Decimal::ZERO,
    });
    let (reason, text) = refusal(&manager, &state(t(59)));
    assert_eq!(
        reason,
        RefusalReason::Cooldown {
            pair: PairId(7),
            until: t(60)
        }
    );
    assert!(text.starts_with("pair 7 is cooling down until "), "{text}");
    assert_eq!(manager.check(&opportunity(), &state(t(60))), Ok(()));
}

#[test]
fn daily_loss_limit_refuses_for_the_rest_of_the_day() {
    let manager = RiskManager::new(RiskLimits {
        pair_cooldown: Duration::zero(),
        ..limits()
    })
    .unwrap();
    for pnl in [dec!(-12), dec!(3), dec!(-11)] {
        manager.record_outcome(&ExecutionOutcome {
            pair_id: PairId(1),
            finished_at: t(0),
            realized_pnl: pnl,
        });
    }
    assert_eq!(manager.realized_on(t(0).date_naive()), dec!(-20));
    let (reason, text) = refusal(&manager, &state(t(10)));
    assert_eq!(
        reason,
        RefusalReason::DailyLoss {
            loss_usd: dec!(20),
            max_usd: dec!(20)
        }
    );
    assert_eq!(
        text,
        "today's realised loss $20.00 reached the $20.00 daily limit"
    );
    // A new UTC day starts from zero.
    assert_eq!(manager.check(&opportunity(), &state(t(86_400))), Ok(()));
}

#[test]
fn consecutive_venue_errors_refuse_until_a_call_succeeds() {
    let manager = RiskManager::new(limits()).unwrap();
    let b = VenueId::new("b");
    for _ in 0..3 {
        manager.record_venue_error(&b);
    }
    let (reason, text) = refusal(&manager, &state(t(0)));
    assert_eq!(
        reason,
        RefusalReason::VenueErrors {
            venue: b.clone(),
            count: 3
        }
    );
    assert_eq!(
        text,
        "venue b failed 3 calls in a row; waiting for a successful call"
    );
    manager.record_venue_success(&b);
    assert_eq!(manager.venue_errors(&b), 0);
    assert_eq!(manager.check(&opportunity(), &state(t(0))), Ok(()));
}

#[test]
fn balance_reserve_refuses_and_unknown_balance_fails_closed() {
    let manager = RiskManager::new(limits()).unwrap();
    let mut s = state(t(0));
    s.available_usd.insert(VenueId::new("a"), dec!(13.99));
    let (reason, text) = refusal(&manager, &s);
    assert_eq!(
        reason,
        RefusalReason::BalanceReserve {
            venue: VenueId::new("a"),
            available_usd: dec!(13.99),
            needed_usd: dec!(4.00),
            reserve_usd: dec!(10)
        }
    );
    assert_eq!(
        text,
        "a has $13.99; paying $4.00 would leave less than the $10.00 reserve"
    );
    s.available_usd.remove(&VenueId::new("a"));
    let (reason, _) = refusal(&manager, &s);
    assert_eq!(
        reason,
        RefusalReason::UnknownBalance {
            venue: VenueId::new("a")
        }
    );
}

#[test]
fn kill_switch_refuses_everything_until_resumed() {
    let manager = RiskManager::new(limits()).unwrap();
    manager.halt("operator pressed stop");
    assert!(manager.is_halted());
    let (reason, text) = refusal(&manager, &state(t(0)));
    assert_eq!(
        reason,
        RefusalReason::Halted {
            reason: "operator pressed stop".into()
        }
    );
    assert_eq!(text, "trading is halted: operator pressed stop");
    manager.resume();
    assert!(!manager.is_halted());
    assert_eq!(manager.check(&opportunity(), &state(t(0))), Ok(()));
}

#[test]
fn invalid_limits_are_named() {
    let err = RiskManager::new(RiskLimits {
        max_daily_loss_usd: dec!(-1),
        ..limits()
    })
    .unwrap_err();
    assert!(err.to_string().contains("max_daily_loss_usd"));
    let err = RiskManager::new(RiskLimits {
        max_consecutive_errors: 0,
        ..limits()
    })
    .unwrap_err();
    assert!(err.to_string().contains("max_consecutive_errors"));
}
