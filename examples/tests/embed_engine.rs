//! Runs the `embed_engine` example and checks what the host bot saw.
#![allow(clippy::unwrap_used)]

use arb_core::engine::TradingMode;
use arb_core::model::{ExecutionState, MarketKey, Outcome, PairId, Polarity};
use arb_core::notify::{Notification, Notifier, Severity};
use arb_examples::embed_engine::{BotEvent, BotNotifier, run};
use rust_decimal_macros::dec;
use tokio::sync::mpsc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_host_bot_sees_the_execution_and_the_engine_stops_cleanly() {
    let mut out = Vec::new();
    let s = run(&mut out).await.unwrap();
    let text = String::from_utf8(out).unwrap();

    assert_eq!(s.pair.id, PairId(1));
    assert_eq!(s.pair.a, MarketKey::new("sim-a", "RAIN-A"));
    assert_eq!(s.pair.polarity, Polarity::Same);
    assert_eq!(s.pair.approved_by, "host-bot");

    // 20 YES at $0.40 (+$0.34 Kalshi fee) and 20 NO at $0.51 (+$0.35): $18.89 for $20.
    assert_eq!(
        s.events.first(),
        Some(&BotEvent::Opportunity {
            pair: PairId(1),
            qty: dec!(20),
            profit: dec!(1.11),
        })
    );
    assert!(matches!(
        s.events.last(),
        Some(BotEvent::Execution {
            pair: PairId(1),
            state: ExecutionState::Hedged,
            ..
        })
    ));
    assert_eq!(s.execution_state, ExecutionState::Hedged);

    let mut held: Vec<_> = s
        .positions
        .iter()
        .map(|p| (p.market.to_string(), p.outcome, p.qty.value(), p.fees_paid))
        .collect();
    held.sort();
    assert_eq!(
        held,
        vec![
            (
                "sim-a:RAIN-A".to_owned(),
                Outcome::Yes,
                dec!(20),
                dec!(0.34)
            ),
            ("sim-b:rain-b".to_owned(), Outcome::No, dec!(20), dec!(0.35)),
        ]
    );

    assert_eq!(s.status.mode, TradingMode::Live);
    assert_eq!(s.status.active_pairs, 1);
    assert_eq!(s.status.halted, None);
    assert!(text.contains("[bot] opportunity on pair 1: 20 contracts, $1.11 guaranteed"));
    assert!(text.ends_with("engine stopped cleanly\n"));
}

#[tokio::test]
async fn the_notifier_never_waits_for_a_slow_bot() {
    let (tx, mut rx) = mpsc::channel(1);
    let notifier = BotNotifier::new(tx);
    let alert = |message: &str| Notification::Alert {
        severity: Severity::Critical,
        message: message.to_owned(),
    };
    notifier.notify(alert("first")).unwrap();
    // The channel is full: refused at once, not awaited.
    let refused = notifier.notify(alert("second")).unwrap_err();
    assert!(
        refused.to_string().contains("host bot channel"),
        "{refused}"
    );
    assert_eq!(
        rx.recv().await,
        Some(BotEvent::Alert {
            urgent: true,
            message: "first".to_owned(),
        })
    );
}
