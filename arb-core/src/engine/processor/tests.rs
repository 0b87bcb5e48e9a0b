//! Replaying a recorded event sequence through fresh processors.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::Processor;
use crate::engine::events::{
    Command, Event, EventKind, ExecutionEnd, LoadedPair, Persist, Reconciliation, RecoveryEnd,
    VenueReconcile,
};
use crate::engine::{EngineConfig, TradingMode};
use crate::exchange::BookEvent;
use crate::fees::{FeeModel, FeeSchedule};
use crate::model::{
    BinaryBook, ExecutionId, ExecutionMode, ExecutionRecord, ExecutionState, Legs, MarketKey,
    OpportunityDecision, OrderBook, Outcome, PairId, PairStatus, Polarity, VenueId, VerifiedPair,
};
use crate::risk::RiskManager;
use crate::sim::{binary_market, levels};

const PAIR: PairId = PairId(1);

fn t(seconds: i64) -> DateTime<Utc> {
    DateTime::UNIX_EPOCH + Duration::days(20_000) + Duration::seconds(seconds)
}

fn key(venue: &str) -> MarketKey {
    MarketKey::new(venue, format!("{venue}-rain"))
}

fn pair() -> VerifiedPair {
    VerifiedPair {
        id: PAIR,
        a: key("venue-a"),
        b: key("venue-b"),
        polarity: Polarity::Same,
        status: PairStatus::Active,
        rules_hash_a: "a".into(),
        rules_hash_b: "b".into(),
        approved_by: "test".into(),
        approved_at: t(0),
    }
}

fn loaded() -> LoadedPair {
    let market = |venue| {
        binary_market(key(venue), "Rain?", FeeSchedule::default(), t(86_400))
            .unwrap_or_else(|e| panic!("market: {e}"))
    };
    let fees = || Arc::new(FeeSchedule::default()) as Arc<dyn FeeModel>;
    LoadedPair {
        pair: pair(),
        markets: Legs::new(market("venue-a"), market("venue-b")),
        fees: Legs::new(fees(), fees()),
    }
}

/// A book event: YES bid and ask with 20 and 50 contracts, as of `at`.
fn book(venue: &str, bid: Decimal, ask: Decimal, at: i64) -> Event {
    let bids = levels(&[(bid, dec!(50))]).unwrap_or_else(|e| panic!("levels: {e}"));
    let asks = levels(&[(ask, dec!(20))]).unwrap_or_else(|e| panic!("levels: {e}"));
    let book = BinaryBook::from_yes_book(OrderBook::new(bids, asks), t(at));
    event(
        at,
        EventKind::Streamed {
            venue: VenueId::new(venue),
            event: BookEvent::Book {
                market: key(venue).market,
                book: Arc::new(book),
            },
        },
    )
}

fn event(at: i64, kind: EventKind) -> Event {
    Event { at: t(at), kind }
}

fn quiet(venue: &str, at: i64) -> Event {
    book(venue, dec!(0.49), dec!(0.51), at)
}

/// YES offered at $0.40 on venue A against NO at $0.51 on B: 20 contracts, $1.80 profit.
fn dislocated(at: i64) -> Event {
    book("venue-a", dec!(0.38), dec!(0.40), at)
}

fn finished(at: i64) -> Event {
    let opportunity = Box::new(dummy_opportunity());
    let record = ExecutionRecord {
        id: ExecutionId::new("exec-1"),
        pair_id: PAIR,
        opportunity_id: None,
        plan: (*opportunity).clone(),
        first_leg: key("venue-a"),
        mode: ExecutionMode::Sequential,
        state: ExecutionState::Hedged,
        hedge_attempts: 0,
        note: None,
        created_at: t(2),
        updated_at: t(at),
    };
    event(
        at,
        EventKind::ExecutionEnded {
            pair: PAIR,
            end: ExecutionEnd::Finished {
                record: Box::new(record),
                opportunity,
            },
        },
    )
}

/// The opportunity the executor reports back (its content is only echoed into the record).
fn dummy_opportunity() -> crate::model::Opportunity {
    let leg = |venue, outcome| crate::model::OpportunityLeg {
        market: key(venue),
        outcome,
        qty: crate::model::Qty::ZERO,
        limit_price: crate::model::Price::ZERO,
        cost: Decimal::ZERO,
        fee: Decimal::ZERO,
        levels: Vec::new(),
    };
    crate::model::Opportunity {
        pair_id: PAIR,
        leg_a: leg("venue-a", Outcome::Yes),
        leg_b: leg("venue-b", Outcome::No),
        qty: crate::model::Qty::ZERO,
        total_cost: Decimal::ZERO,
        profit: Decimal::ZERO,
        profit_fraction: Decimal::ZERO,
        detected_at: t(0),
    }
}

fn reconciled(round: u64, at: i64) -> Event {
    let venue = |name| VenueReconcile {
        venue: VenueId::new(name),
        fills: Some(Vec::new()),
        settled: Vec::new(),
        positions: Some(Vec::new()),
        nets_positions: false,
    };
    let found = Reconciliation {
        round,
        now: t(at),
        venues: vec![venue("venue-a"), venue("venue-b")],
        executions_today: 1,
        pairs: vec![pair()],
        balances: vec![(VenueId::new("venue-a"), dec!(900))],
    };
    event(at, EventKind::Reconciled(Box::new(found)))
}

/// A live session: start-up with one leased pair, quiet books, a dislocation executed (repeats
/// ignored while it runs and until its fills are reconciled), the cooldown refusing the next
/// one, then a halt from the store refusing a later one.
fn recorded() -> Vec<Event> {
    let balances = [("venue-a", dec!(1000)), ("venue-b", dec!(1000))]
        .map(|(v, b)| (VenueId::new(v), b))
        .to_vec();
    vec![
        event(0, EventKind::Started),
        event(0, EventKind::KillSwitch(None)),
        event(0, EventKind::FillsLoaded(Vec::new())),
        event(
            0,
            EventKind::LeasesRebalanced {
                acquired: vec![PAIR],
                released: Vec::new(),
                lost: Vec::new(),
            },
        ),
        event(
            0,
            EventKind::Recovered {
                pair: PAIR,
                end: RecoveryEnd::Recovered(Vec::new()),
            },
        ),
        event(
            0,
            EventKind::PairsRefreshed {
                active: vec![pair()],
                loaded: vec![loaded()],
            },
        ),
        event(0, EventKind::Balances(balances)),
        quiet("venue-a", 1),
        quiet("venue-b", 1),
        dislocated(2),
        dislocated(3),
        finished(4),
        dislocated(5),
        reconciled(1, 6),
        dislocated(7),
        event(8, EventKind::KillSwitch(Some("by a person".into()))),
        quiet("venue-b", 69),
        dislocated(70),
    ]
}

fn replay(events: Vec<Event>) -> Vec<Vec<Command>> {
    let config = EngineConfig::new(TradingMode::Live);
    let risk = RiskManager::new(config.risk.clone()).unwrap_or_else(|e| panic!("risk: {e}"));
    let venues = vec![VenueId::new("venue-a"), VenueId::new("venue-b")];
    let mut processor = Processor::new(config, venues, Arc::new(risk));
    events.into_iter().map(|e| processor.on_event(e)).collect()
}

fn refusals(commands: &[Vec<Command>]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, step) in commands.iter().enumerate() {
        for command in step {
            if let Command::Persist(Persist::Opportunity { record, .. }) = command
                && let OpportunityDecision::Refused(reason) = &record.decision
            {
                out.push((i, reason.clone()));
            }
        }
    }
    out
}

#[test]
fn a_recorded_session_replays_to_the_same_commands_and_trades() {
    let first = replay(recorded());
    let second = replay(recorded());
    assert_eq!(first, second, "a replay decided differently");

    let executions: Vec<(usize, &Command)> = first
        .iter()
        .enumerate()
        .flat_map(|(i, step)| step.iter().map(move |c| (i, c)))
        .filter(|(_, c)| matches!(c, Command::Execute(_)))
        .collect();
    assert_eq!(executions.len(), 1, "one execution: {executions:?}");
    let (step, Command::Execute(order)) = executions[0] else {
        unreachable!("filtered on Execute");
    };
    assert_eq!(step, 9, "the first dislocation is executed");
    let opportunity = &order.opportunity;
    assert_eq!(opportunity.qty.value(), dec!(20));
    assert_eq!(opportunity.leg_a.outcome, Outcome::Yes);
    assert_eq!(opportunity.leg_a.limit_price.value(), dec!(0.40));
    assert_eq!(opportunity.leg_b.outcome, Outcome::No);
    assert_eq!(opportunity.leg_b.limit_price.value(), dec!(0.51));
    assert_eq!(opportunity.total_cost, dec!(18.20));
    assert_eq!(opportunity.profit, dec!(1.80));

    assert!(
        first[11]
            .iter()
            .any(|c| matches!(c, Command::Reconcile(r) if r.round == 1)),
        "the finished execution asks for a reconciliation: {:?}",
        first[11]
    );
    let refused = refusals(&first);
    let steps: Vec<usize> = refused.iter().map(|(step, _)| *step).collect();
    // 13: the book that moved while the fills were reconciled, evaluated once the pair is free.
    assert_eq!(steps, [13, 14, 17], "{refused:?}");
    assert!(refused[0].1.contains("cooling down"), "{}", refused[0].1);
    assert!(refused[1].1.contains("cooling down"), "{}", refused[1].1);
    assert!(
        refused[2].1.contains("halted: by a person"),
        "{}",
        refused[2].1
    );
}

#[test]
fn an_execution_that_ended_keeps_its_pair_busy_until_its_fills_are_reconciled() {
    let first = replay(recorded());
    for step in [10, 12] {
        assert!(
            !first[step].iter().any(|c| matches!(
                c,
                Command::Execute(_) | Command::Persist(Persist::Opportunity { .. })
            )),
            "step {step} acted on a busy pair: {:?}",
            first[step]
        );
    }
}
