//! Test fixtures: a real engine on two simulated venues (`kalshi`, `polymarket`) and a
//! `MemoryStore`, actors and policies.

#![allow(dead_code, clippy::unwrap_used)]

use std::sync::Arc;

use arb_core::clock::{Clock, ManualClock, SequentialIds};
use arb_core::engine::{Engine, EngineConfig, EngineHandle, EngineParts, TradingMode};
use arb_core::exchange::Exchange;
use arb_core::fees::FeeSchedule;
use arb_core::model::{
    DailyPnl, ExecutionId, ExecutionMode, ExecutionRecord, ExecutionState, MarketKey,
    MatchSuggestion, Opportunity, OpportunityLeg, Outcome, PairEvent, PairId, Position, Price, Qty,
    SuggestionId, SuggestionStatus, VerifiedPair,
};
use arb_core::notify::{Notification, RecordingNotifier};
use arb_core::sim::{SimConfig, SimExchange, binary_market};
use arb_core::store::{MemoryStore, Store};
use arb_discord::{Actor, Policy};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use rust_decimal_macros::dec;

pub const TRADER: u64 = 111_111_111_111_111_111;
pub const ROLE_TRADER: u64 = 777;
pub const STRANGER: u64 = 222_222_222_222_222_222;
pub const KALSHI_TICKER: &str = "KXFEDDECISION-25DEC-H0";
pub const POLY_ID: &str = "0x1111111111111111111111111111111111111111111111111111111111111111";
pub const KALSHI_TICKER_2: &str = "KXBTC-26DEC31-T150000";
pub const POLY_ID_2: &str = "0x2222222222222222222222222222222222222222222222222222222222222222";

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap()
}

pub fn kalshi(id: &str) -> MarketKey {
    MarketKey::new("kalshi", id)
}

pub fn poly(id: &str) -> MarketKey {
    MarketKey::new("polymarket", id)
}

pub fn trader() -> Actor {
    Actor {
        user_id: TRADER,
        roles: vec![],
        in_home_channel: true,
    }
}

pub fn stranger() -> Actor {
    Actor {
        user_id: STRANGER,
        roles: vec![5],
        in_home_channel: true,
    }
}

pub fn policy(readonly_open: bool) -> Policy {
    Policy::new([TRADER], [ROLE_TRADER], readonly_open)
}

/// A paper-mode engine over two simulated venues with two matching market pairs in their
/// catalogues (synced into the store), one position and today's PnL row.
pub struct Rig {
    pub engine: Engine,
    pub handle: EngineHandle,
    pub store: Arc<MemoryStore>,
    pub notifier: Arc<RecordingNotifier>,
    pub clock: Arc<ManualClock>,
}

fn venue(name: &str, clock: &Arc<dyn Clock>) -> SimExchange {
    SimExchange::new(
        SimConfig::new(name, dec!(1000)),
        Arc::clone(clock),
        Arc::new(SequentialIds::default()),
    )
}

fn market(venue: &SimExchange, key: MarketKey, title: &str, close: DateTime<Utc>) {
    venue
        .add_market(binary_market(key, title, FeeSchedule::FREE, close).unwrap())
        .unwrap();
}

impl Rig {
    pub async fn new() -> Self {
        let clock = Arc::new(ManualClock::new(now()));
        let dyn_clock: Arc<dyn Clock> = Arc::clone(&clock) as _;
        let (k, p) = (venue("kalshi", &dyn_clock), venue("polymarket", &dyn_clock));
        let close = now() + Duration::days(20);
        market(
            &k,
            kalshi(KALSHI_TICKER),
            "Will the Fed cut interest rates at the December 2026 meeting?",
            close,
        );
        market(
            &p,
            poly(POLY_ID),
            "Will the Fed cut interest rates at the December 2026 meeting?",
            close,
        );
        market(
            &k,
            kalshi(KALSHI_TICKER_2),
            "Will Bitcoin close above $150,000 on December 31, 2026?",
            close,
        );
        market(
            &p,
            poly(POLY_ID_2),
            "Will Bitcoin close above $150,000 on December 31, 2026?",
            close + Duration::days(3),
        );
        let store = Arc::new(MemoryStore::new());
        let notifier = Arc::new(RecordingNotifier::default());
        let engine = Engine::new(EngineParts {
            venues: vec![Arc::new(k) as Arc<dyn Exchange>, Arc::new(p)],
            store: Arc::clone(&store) as Arc<dyn Store>,
            notifier: Arc::clone(&notifier) as _,
            clock: dyn_clock,
            ids: Arc::new(SequentialIds::default()),
            config: EngineConfig::new(TradingMode::Paper),
        })
        .unwrap();
        let handle = engine.handle();
        handle.sync_markets().await.unwrap();
        store
            .upsert_positions(&[Position {
                market: kalshi(KALSHI_TICKER),
                outcome: Outcome::Yes,
                qty: Qty::new(dec!(10)).unwrap(),
                avg_price: Some(Price::new(dec!(0.45)).unwrap()),
                fees_paid: dec!(0.12),
                realized_pnl: dec!(1.5),
                updated_at: now(),
            }])
            .await
            .unwrap();
        store.upsert_daily_pnl(&today()).await.unwrap();
        Self {
            engine,
            handle,
            store,
            notifier,
            clock,
        }
    }

    pub async fn pairs(&self) -> Vec<VerifiedPair> {
        self.store.pairs(None).await.unwrap()
    }

    pub async fn events(&self, id: i64) -> Vec<PairEvent> {
        self.store.pair_events(PairId(id)).await.unwrap()
    }

    pub async fn halted(&self) -> Option<String> {
        self.store.setting("kill_switch").await.unwrap()
    }

    pub async fn suggestions(&self) -> Vec<MatchSuggestion> {
        self.store.suggestions(None, 100).await.unwrap()
    }

    pub async fn suggestion_status(&self, id: SuggestionId) -> Option<SuggestionStatus> {
        self.store.suggestion(id).await.unwrap().map(|s| s.status)
    }

    /// Runs the matcher and returns the suggestion for the Bitcoin markets (close times differ).
    pub async fn bitcoin_suggestion(&self) -> MatchSuggestion {
        self.handle
            .find_matches(None)
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.a == kalshi(KALSHI_TICKER_2))
            .unwrap()
    }

    pub fn notifications(&self) -> Vec<Notification> {
        self.notifier.received()
    }
}

pub fn today() -> DailyPnl {
    DailyPnl {
        date: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        realized: dec!(2.5),
        locked_in: dec!(4.75),
        unrealized: dec!(-0.3),
        fees: dec!(0.4),
        executions: 3,
    }
}

fn leg(market: MarketKey, outcome: Outcome, price: rust_decimal::Decimal) -> OpportunityLeg {
    OpportunityLeg {
        market,
        outcome,
        qty: Qty::new(dec!(10)).unwrap(),
        limit_price: Price::new(price).unwrap(),
        cost: price * dec!(10),
        fee: dec!(0.10),
        levels: vec![],
    }
}

/// 10 contracts: YES on Kalshi at 0.40 and NO on Polymarket at 0.55, $0.10 fee each: $9.70 for
/// $10, $0.30 profit.
pub fn opportunity(pair: i64) -> Opportunity {
    let total_cost = dec!(9.70);
    Opportunity {
        pair_id: PairId(pair),
        leg_a: leg(kalshi(KALSHI_TICKER), Outcome::Yes, dec!(0.40)),
        leg_b: leg(poly(POLY_ID), Outcome::No, dec!(0.55)),
        qty: Qty::new(dec!(10)).unwrap(),
        total_cost,
        profit: dec!(0.30),
        profit_fraction: dec!(0.30) / total_cost,
        detected_at: now(),
    }
}

pub fn execution(state: ExecutionState) -> ExecutionRecord {
    ExecutionRecord {
        id: ExecutionId::new("ex-1"),
        pair_id: PairId(7),
        opportunity_id: None,
        plan: opportunity(7),
        first_leg: kalshi(KALSHI_TICKER),
        mode: ExecutionMode::Sequential,
        state,
        hedge_attempts: 0,
        note: None,
        created_at: now(),
        updated_at: now(),
    }
}
