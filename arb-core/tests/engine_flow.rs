//! The engine end to end on two simulated venues: approval, detection, execution, records,
//! monitor mode, the kill switch (also set from another handle), and rules changes.

// Test set-up helpers: a failure there is a broken test and should panic.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use arb_core::clock::{Clock, SequentialIds, SystemClock};
use arb_core::engine::{Engine, EngineConfig, EngineError, EngineHandle, EngineParts, TradingMode};
use arb_core::exchange::Exchange;
use arb_core::fees::{FeeRule, FeeSchedule};
use arb_core::matching::verify::{
    MarketText, SuggestionVerifier, Verifier, VerifyConfig, VerifyError,
};
use arb_core::model::{
    ExecutionState, MarketKey, OpportunityDecision, Outcome, PairStatus, Polarity, Qty, Relation,
    Verdict, WarningKind,
};
use arb_core::notify::{Notification, RecordingNotifier, Severity};
use arb_core::sim::{SimConfig, SimExchange, binary_market, levels};
use arb_core::store::{MemoryStore, Store};
use chrono::{Duration as ChronoDuration, Utc};
use rust_decimal_macros::dec;

struct Rig {
    a: SimExchange,
    b: SimExchange,
    store: Arc<MemoryStore>,
    notifier: Arc<RecordingNotifier>,
    engine: Arc<Engine>,
    handle: EngineHandle,
}

fn venue(name: &str, clock: &Arc<dyn Clock>) -> SimExchange {
    SimExchange::new(
        SimConfig::new(name, dec!(1000)),
        Arc::clone(clock),
        Arc::new(SequentialIds::default()),
    )
}

async fn rig(mode: TradingMode) -> Rig {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let (a, b) = (venue("va", &clock), venue("vb", &clock));
    let close = Utc::now() + ChronoDuration::days(30);
    let fees = FeeSchedule::taker_only(FeeRule::quadratic(
        dec!(0.07),
        dec!(0.0001),
        Some(dec!(0.01)),
    ));
    a.add_market(
        binary_market(
            MarketKey::new("va", "A1"),
            "Will it rain in Paris on Dec 31, 2026?",
            fees.clone(),
            close,
        )
        .unwrap(),
    )
    .unwrap();
    b.add_market(
        binary_market(
            MarketKey::new("vb", "B1"),
            "Will it rain in Paris on Dec 31, 2026?",
            fees,
            close,
        )
        .unwrap(),
    )
    .unwrap();
    // Quiet, fair books: YES 0.49/0.51 on both venues — no opportunity.
    for (v, m) in [(&a, "A1"), (&b, "B1")] {
        v.set_book(
            &m.into(),
            &levels(&[(dec!(0.49), dec!(50))]).unwrap(),
            &levels(&[(dec!(0.51), dec!(50))]).unwrap(),
        )
        .unwrap();
    }
    let store = Arc::new(MemoryStore::new());
    let notifier = Arc::new(RecordingNotifier::default());
    let mut config = EngineConfig::new(mode);
    config.control_poll_interval = Duration::from_millis(50);
    config.reconcile_interval = Duration::from_millis(200);
    config.price_fetch_interval = Duration::from_millis(100);
    config.execution.order_timeout = Duration::from_secs(2);
    config.execution.poll_interval = Duration::from_millis(20);
    let engine = Engine::new(EngineParts {
        venues: vec![
            Arc::new(a.clone()) as Arc<dyn Exchange>,
            Arc::new(b.clone()),
        ],
        store: Arc::clone(&store) as Arc<dyn Store>,
        notifier: Arc::clone(&notifier) as _,
        clock,
        ids: Arc::new(SequentialIds::default()),
        config,
    })
    .unwrap();
    let handle = engine.handle();
    Rig {
        a,
        b,
        store,
        notifier,
        engine: Arc::new(engine),
        handle,
    }
}

impl Rig {
    async fn approve(&self) -> arb_core::model::VerifiedPair {
        self.handle.sync_markets().await.unwrap();
        self.handle
            .approve_pair(
                &MarketKey::new("va", "A1"),
                &MarketKey::new("vb", "B1"),
                Polarity::Same,
                "tester",
            )
            .await
            .unwrap()
    }

    /// YES on A at 0.40 and NO on B at 0.45 (YES bids 0.55): 0.85 + fees < $1.
    fn dislocate(&self) {
        self.a
            .set_book(
                &"A1".into(),
                &levels(&[(dec!(0.38), dec!(20))]).unwrap(),
                &levels(&[(dec!(0.40), dec!(20))]).unwrap(),
            )
            .unwrap();
        self.b
            .set_book(
                &"B1".into(),
                &levels(&[(dec!(0.55), dec!(20))]).unwrap(),
                &levels(&[(dec!(0.57), dec!(20))]).unwrap(),
            )
            .unwrap();
    }

    fn start(
        &self,
    ) -> (
        tokio::sync::watch::Sender<bool>,
        tokio::task::JoinHandle<()>,
    ) {
        let (tx, rx) = tokio::sync::watch::channel(false);
        let engine = Arc::clone(&self.engine);
        let task = tokio::spawn(async move { engine.run(rx).await.unwrap() });
        (tx, task)
    }
}

/// Reads with `read` every 25 ms until `done` holds (5 s at most) and returns the last value.
async fn eventually<T, F, Fut>(mut read: F, done: impl Fn(&T) -> bool) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, arb_core::store::StoreError>>,
{
    let mut value = read().await.unwrap();
    for _ in 0..200 {
        if done(&value) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
        value = read().await.unwrap();
    }
    value
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dislocation_on_an_approved_pair_is_executed_and_recorded() {
    let rig = rig(TradingMode::Live).await;
    let pair = rig.approve().await;
    let (stop, task) = rig.start();
    rig.dislocate();
    let store = Arc::clone(&rig.store);
    let executions = eventually(
        || store.executions(10),
        |e| e.iter().any(|e| e.state.is_terminal()),
    )
    .await;
    stop.send(true).unwrap();
    task.await.unwrap();

    let done = executions
        .iter()
        .find(|e| e.state.is_terminal())
        .expect("an execution finished");
    assert_eq!(done.state, ExecutionState::Hedged, "{done:?}");
    assert_eq!(done.pair_id, pair.id);
    // Both venues hold the same quantity of complementary outcomes.
    let yes_a = rig.a.position(&"A1".into(), Outcome::Yes).unwrap().qty;
    let no_b = rig.b.position(&"B1".into(), Outcome::No).unwrap().qty;
    assert_eq!(yes_a, no_b);
    assert!(yes_a > Qty::ZERO);
    // The executed opportunity is stored and points at the execution.
    let opps = store.opportunities(Some(pair.id), 10).await.unwrap();
    assert!(
        opps.iter()
            .any(|o| o.decision == OpportunityDecision::Executed(done.id.clone())),
        "{opps:?}"
    );
    // Positions were reconciled into the store.
    let stored = store.positions().await.unwrap();
    assert!(stored.iter().any(|p| p.market == MarketKey::new("va", "A1")
        && p.outcome == Outcome::Yes
        && p.qty == yes_a));
    assert!(
        rig.notifier
            .received()
            .iter()
            .any(|n| matches!(n, Notification::Opportunity { .. }))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn monitor_mode_records_but_never_trades() {
    let rig = rig(TradingMode::Monitor).await;
    let pair = rig.approve().await;
    let (stop, task) = rig.start();
    rig.dislocate();
    let store = Arc::clone(&rig.store);
    let opps = eventually(|| store.opportunities(Some(pair.id), 10), |o| !o.is_empty()).await;
    // Watching and recording need no lease: another daemon may trade the pair meanwhile.
    let leases = store.leases().await.unwrap();
    stop.send(true).unwrap();
    task.await.unwrap();
    assert!(leases.is_empty(), "monitor mode holds no lease: {leases:?}");
    assert!(!opps.is_empty(), "monitor mode records the opportunity");
    assert!(
        opps.iter()
            .all(|o| o.decision == OpportunityDecision::Observed)
    );
    assert!(store.executions(10).await.unwrap().is_empty());
    assert!(rig.a.positions().await.unwrap().is_empty());
    assert!(rig.b.positions().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_kill_switch_from_another_handle_stops_new_executions() {
    let rig = rig(TradingMode::Live).await;
    let pair = rig.approve().await;
    // Another process sharing the store (e.g. `arb-daemon halt`) sets the kill switch.
    let other = Engine::new(EngineParts {
        venues: vec![],
        store: Arc::clone(&rig.store) as Arc<dyn Store>,
        notifier: Arc::new(RecordingNotifier::default()),
        clock: Arc::new(SystemClock),
        ids: Arc::new(SequentialIds::default()),
        config: EngineConfig::new(TradingMode::Live),
    })
    .unwrap();
    other.handle().halt("cli", "maintenance").await.unwrap();
    let (stop, task) = rig.start();
    tokio::time::sleep(Duration::from_millis(200)).await;
    rig.dislocate();
    let store = Arc::clone(&rig.store);
    let opps = eventually(|| store.opportunities(Some(pair.id), 10), |o| !o.is_empty()).await;
    let status = rig.handle.status().await.unwrap();
    stop.send(true).unwrap();
    task.await.unwrap();
    assert!(
        store.executions(10).await.unwrap().is_empty(),
        "halted: nothing executed"
    );
    match &opps
        .first()
        .expect("the refused opportunity is recorded")
        .decision
    {
        OpportunityDecision::Refused(reason) => assert!(reason.contains("maintenance"), "{reason}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(status.halted.as_deref(), Some("maintenance (by cli)"));
    // The running engine alerts the halt it picked up from the store.
    let alerted = rig.notifier.received().into_iter().any(|n| {
        matches!(n, Notification::Alert { severity: Severity::Critical, message }
            if message == "Trading halted: maintenance (by cli)")
    });
    assert!(alerted, "{:?}", rig.notifier.received());
}

#[tokio::test]
async fn a_rules_change_pauses_the_pair_until_re_approved() {
    let rig = rig(TradingMode::Monitor).await;
    let pair = rig.approve().await;
    let mut market = rig.a.market(&"A1".into()).await.unwrap();
    market.rules.push_str(" Amended: measured at Orly.");
    rig.a.add_market(market).unwrap();
    rig.handle.sync_markets().await.unwrap();
    let paused = rig.store.pair(pair.id).await.unwrap().unwrap();
    assert_eq!(paused.status, PairStatus::NeedsReapproval);
    let resumed = rig.handle.resume_pair(pair.id, "reviewer").await.unwrap();
    assert_eq!(resumed.status, PairStatus::Active);
    // The new rules are now the approved ones: another sync leaves the pair active.
    rig.handle.sync_markets().await.unwrap();
    assert_eq!(
        rig.store.pair(pair.id).await.unwrap().unwrap().status,
        PairStatus::Active
    );
    let events = rig.store.pair_events(pair.id).await.unwrap();
    let actions: Vec<_> = events.iter().map(|e| e.action).collect();
    use arb_core::model::PairAction::*;
    assert_eq!(actions, vec![Approved, RulesChanged, Approved]);
}

#[tokio::test]
async fn handle_commands_reject_bad_input_clearly() {
    let rig = rig(TradingMode::Monitor).await;
    rig.handle.sync_markets().await.unwrap();
    let err = rig.handle.find_matches(Some(101.0)).await.unwrap_err();
    assert!(err.to_string().contains("between 0 and 100"), "{err}");
    let err = rig
        .handle
        .approve_pair(
            &MarketKey::new("va", "NOPE"),
            &MarketKey::new("vb", "B1"),
            Polarity::Same,
            "t",
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("unknown market `va:NOPE`"),
        "{err}"
    );
    let err = rig
        .handle
        .approve_pair(
            &MarketKey::new("va", "A1"),
            &MarketKey::new("va", "A1"),
            Polarity::Same,
            "t",
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("two venues"), "{err}");
    let err = rig
        .handle
        .pause_pair(arb_core::model::PairId(99), "t", "x")
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "no pair with id 99");
    let pair = rig.approve().await;
    let err = rig.handle.resume_pair(pair.id, "t").await.unwrap_err();
    assert!(err.to_string().contains("already active"), "{err}");
    let dup = rig
        .handle
        .approve_pair(
            &MarketKey::new("va", "A1"),
            &MarketKey::new("vb", "B1"),
            Polarity::Same,
            "t",
        )
        .await
        .unwrap_err();
    assert!(dup.to_string().contains("already paired"), "{dup}");
}

#[tokio::test]
async fn find_matches_suggests_the_equivalent_market_and_approval_uses_its_polarity() {
    let rig = rig(TradingMode::Monitor).await;
    rig.handle.sync_markets().await.unwrap();
    let suggestions = rig.handle.find_matches(None).await.unwrap();
    let top = suggestions.first().expect("a suggestion");
    assert_eq!((top.a.market.as_str(), top.b.market.as_str()), ("A1", "B1"));
    let id = top.id.expect("stored");
    let pair = rig.handle.approve_suggestion(id, "tester").await.unwrap();
    assert_eq!(pair.polarity, top.polarity);
    // The audit trail keeps how the rules read at approval.
    let approval = &rig.store.pair_events(pair.id).await.unwrap()[0];
    assert!(
        approval
            .reason
            .contains(&format!("rules read as {} (score", top.relation)),
        "{}",
        approval.reason
    );
    assert!(
        rig.handle.approve_suggestion(id, "tester").await.is_err(),
        "approved twice"
    );
    assert!(
        rig.handle.find_matches(None).await.unwrap().is_empty(),
        "paired markets are not suggested again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_engine_notices_a_rules_change_at_the_next_catalogue_sync() {
    let mut rig = rig(TradingMode::Monitor).await;
    let pair = rig.approve().await;
    // A fresh engine over the same venues and store, re-syncing every 100 ms.
    let mut config = EngineConfig::new(TradingMode::Monitor);
    config.catalogue_sync_interval = Duration::from_millis(100);
    config.control_poll_interval = Duration::from_millis(50);
    rig.engine = Arc::new(
        Engine::new(EngineParts {
            venues: vec![
                Arc::new(rig.a.clone()) as Arc<dyn Exchange>,
                Arc::new(rig.b.clone()),
            ],
            store: Arc::clone(&rig.store) as Arc<dyn Store>,
            notifier: Arc::clone(&rig.notifier) as _,
            clock: Arc::new(SystemClock),
            ids: Arc::new(SequentialIds::default()),
            config,
        })
        .unwrap(),
    );
    let (stop, task) = rig.start();
    let mut market = rig.b.market(&"B1".into()).await.unwrap();
    market.rules.push_str(" Measured at Orly airport.");
    rig.b.add_market(market).unwrap();
    let store = Arc::clone(&rig.store);
    let pairs = eventually(
        || store.pairs(Some(PairStatus::NeedsReapproval)),
        |p| !p.is_empty(),
    )
    .await;
    stop.send(true).unwrap();
    task.await.unwrap();
    assert_eq!(
        pairs.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![pair.id]
    );
    assert!(rig.notifier.received().iter().any(|n| matches!(
        n,
        Notification::Alert { message, .. } if message.contains("rules")
    )));
}

/// A venue that cannot be listed does not stop the other's sync; the engine records the failure
/// and, while running, retries with its short backoff instead of waiting for the next hourly sync.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_catalogue_sync_is_reported_per_venue_and_retried_soon() {
    let mut rig = rig(TradingMode::Monitor).await;
    rig.b.inject(arb_core::sim::Fault::Unavailable { calls: 1 });
    let report = rig.handle.sync_markets().await.unwrap();
    assert_eq!(report.venues[0].stored, 1);
    assert!(report.venues[0].is_complete());
    assert!(report.venues[1].yielded_nothing());
    assert_eq!(
        report
            .empty_venues()
            .iter()
            .map(|v| v.as_str())
            .collect::<Vec<_>>(),
        ["vb"]
    );
    let status = rig.handle.status().await.unwrap().catalogue;
    assert_eq!(status.consecutive_failures, 1);
    assert!(
        status
            .last_problem
            .as_deref()
            .is_some_and(|p| p.starts_with("vb: nothing listed"))
    );
    assert!(
        rig.store
            .market(&MarketKey::new("va", "A1"))
            .await
            .unwrap()
            .is_some()
    );

    let mut config = EngineConfig::new(TradingMode::Monitor);
    config.catalogue_retry =
        arb_core::backoff::Backoff::new(Duration::from_millis(50), Duration::from_secs(1));
    rig.engine = Arc::new(
        Engine::new(EngineParts {
            venues: vec![
                Arc::new(rig.a.clone()) as Arc<dyn Exchange>,
                Arc::new(rig.b.clone()),
            ],
            store: Arc::clone(&rig.store) as Arc<dyn Store>,
            notifier: Arc::clone(&rig.notifier) as _,
            clock: Arc::new(SystemClock),
            ids: Arc::new(SequentialIds::default()),
            config,
        })
        .unwrap(),
    );
    rig.handle = rig.engine.handle();
    rig.b.inject(arb_core::sim::Fault::Unavailable { calls: 1 });
    rig.handle.sync_markets().await.unwrap();
    let (stop, task) = rig.start();
    let store = Arc::clone(&rig.store);
    eventually(
        || async {
            store
                .market(&MarketKey::new("vb", "B1"))
                .await
                .map(|m| m.is_some())
        },
        |found| *found,
    )
    .await;
    let mut status = rig.handle.status().await.unwrap().catalogue;
    for _ in 0..100 {
        if status.consecutive_failures == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        status = rig.handle.status().await.unwrap().catalogue;
    }
    stop.send(true).unwrap();
    task.await.unwrap();
    assert_eq!(
        status.consecutive_failures, 0,
        "retried well before the hourly sync"
    );
    assert!(status.last_success.is_some());
    assert_eq!(status.failures_total, 1);
}

/// A verifier that judges every pair `different` and counts the questions.
struct Skeptic(std::sync::atomic::AtomicUsize);

#[async_trait::async_trait]
impl Verifier for Skeptic {
    fn model(&self) -> &str {
        "skeptic"
    }

    async fn verify(&self, _: &MarketText, _: &MarketText) -> Result<Verdict, VerifyError> {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(Verdict {
            relation: Relation::Different,
            differences: vec!["A counts drizzle, B does not".into()],
            model: "skeptic".into(),
        })
    }
}

#[tokio::test]
async fn find_matches_stores_and_announces_suggestions_as_the_verifier_left_them() {
    let plain = rig(TradingMode::Monitor).await;
    plain.handle.sync_markets().await.unwrap();
    let unverified = plain.handle.find_matches(None).await.unwrap()[0].score;

    let rig = rig(TradingMode::Monitor).await;
    let skeptic = Arc::new(Skeptic(std::sync::atomic::AtomicUsize::new(0)));
    let verifier = || SuggestionVerifier::new(skeptic.clone(), VerifyConfig::default());
    rig.engine.set_verifier(verifier()).unwrap();
    let again = rig.engine.set_verifier(verifier()).unwrap_err();
    assert!(again.to_string().contains("already set"), "{again}");
    rig.handle.sync_markets().await.unwrap();
    let suggestions = rig.handle.find_matches(None).await.unwrap();
    assert_eq!(skeptic.0.load(std::sync::atomic::Ordering::SeqCst), 1);
    let top = &suggestions[0];
    assert!((top.score - unverified / 2.0).abs() < 1e-9, "{}", top.score);
    assert_eq!(top.relation, Relation::Different);
    let refused = rig
        .handle
        .approve_suggestion(top.id.unwrap(), "tester")
        .await
        .unwrap_err();
    assert!(
        matches!(refused, EngineError::NotTradable { .. }),
        "{refused:?}"
    );
    assert!(
        top.warnings
            .contains(&"verifier (skeptic): A counts drizzle, B does not".to_owned()),
        "{:?}",
        top.warnings
    );
    let stored = rig
        .store
        .suggestion(top.id.unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&stored, top);
    let announced = rig.notifier.received().into_iter().any(
        |n| matches!(n, Notification::MatchSuggestions { suggestions } if suggestions[0] == *top),
    );
    assert!(
        announced,
        "the announcement carries the verifier's warnings"
    );
}

#[tokio::test]
async fn a_subset_pair_is_suggested_as_such_and_cannot_be_approved() {
    let rig = rig(TradingMode::Monitor).await;
    let close = Utc::now() + ChronoDuration::days(30);
    for (venue, id, title) in [
        (
            &rig.a,
            MarketKey::new("va", "A2"),
            "Will it snow in Oslo by November 30, 2026?",
        ),
        (
            &rig.b,
            MarketKey::new("vb", "B2"),
            "Will it snow in Oslo by December 31, 2026?",
        ),
    ] {
        venue
            .add_market(binary_market(id, title, FeeSchedule::FREE, close).unwrap())
            .unwrap();
    }
    rig.handle.sync_markets().await.unwrap();
    let suggestions = rig.handle.find_matches(Some(0.0)).await.unwrap();
    let snow = suggestions
        .iter()
        .find(|s| s.a.market.as_str() == "A2" && s.b.market.as_str() == "B2")
        .expect("the look-alike is suggested, for a person to see");
    assert_eq!(
        snow.relation,
        Relation::Subset,
        "never offered as equivalent"
    );
    assert!(
        snow.settlement.iter().any(|w| w.kind == WarningKind::Date),
        "{:?}",
        snow.settlement
    );
    let refused = rig
        .handle
        .approve_suggestion(snow.id.unwrap(), "tester")
        .await
        .unwrap_err();
    assert!(
        matches!(
            refused,
            EngineError::NotTradable {
                relation: Relation::Subset,
                ..
            }
        ),
        "{refused:?}"
    );
    assert!(
        refused.to_string().contains("only equivalent or inverse"),
        "{refused}"
    );
    let direct = rig
        .handle
        .approve_pair(
            &MarketKey::new("va", "A2"),
            &MarketKey::new("vb", "B2"),
            Polarity::Same,
            "tester",
        )
        .await
        .unwrap_err();
    assert!(
        matches!(direct, EngineError::NotTradable { .. }),
        "{direct:?}"
    );
    assert!(rig.handle.list_pairs(None).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_daemon_takes_over_at_once_from_a_crashed_process_of_its_host() {
    use arb_core::store::{LeaseOwner, LeaseScope};
    let rig = rig(TradingMode::Live).await;
    let pair = rig.approve().await;
    // A process of this host that crashed holding the pair's lease for ten more minutes.
    let me = LeaseOwner::this_process("default");
    let crashed = LeaseOwner::new(&me.host, u32::MAX - 1, "crashed", "default");
    let old = rig
        .store
        .acquire_lease(
            &LeaseScope::Pair(pair.id),
            &crashed,
            Duration::from_secs(600),
        )
        .await
        .unwrap();
    let (stop, task) = rig.start();
    let store = Arc::clone(&rig.store);
    let leases = eventually(
        || store.leases(),
        |l| {
            l.iter()
                .any(|l| l.scope == LeaseScope::Pair(pair.id) && l.owner == me)
        },
    )
    .await;
    stop.send(true).unwrap();
    task.await.unwrap();
    let held = leases
        .iter()
        .find(|l| l.scope == LeaseScope::Pair(pair.id))
        .expect("the pair is leased");
    assert_eq!(held.owner, me, "{leases:#?}");
    assert!(held.token > old.token);
    assert!(leases.iter().all(|l| l.owner != crashed), "{leases:#?}");
}
