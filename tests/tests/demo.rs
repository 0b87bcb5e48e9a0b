//! `arb-daemon demo` run to completion through the daemon's own command dispatch.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use arb_core::model::ExecutionState;
use arb_core::store::Store;
use arb_daemon::cli::{Cli, Command, DemoArgs};
use arb_daemon::commands::dispatch;
use arb_daemon::config::{Config, ConfigSources};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_runs_to_completion() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("demo.db");
    let config = Config::load(&ConfigSources::new()).unwrap();
    let cli = Cli {
        config: None,
        create_store: false,
        command: Command::Demo(DemoArgs {
            seconds: 6,
            database: Some(database.clone()),
            seed: 7,
            force: false,
            console: false,
            record: None,
        }),
    };
    let mut out = Vec::new();
    dispatch(&cli, &config, &mut out).await.unwrap();
    let text = String::from_utf8(out).unwrap();

    for section in [
        "== 1. Catalogue sync",
        "== 2. Matching suggestions (best first)",
        "== 3. Approval — DEMO BEHAVIOUR",
        "== 4. Live detection and execution for 6 s",
        "== 5. Results",
        "at least one first leg filled only partly and was hedged for exactly the filled quantity",
        "realised PnL: $",
    ] {
        assert!(text.contains(section), "missing {section:?} in:\n{text}");
    }
    let approvals = text
        .lines()
        .filter(|l| l.trim_start().starts_with("approved pair"))
        .count();
    assert!(approvals >= 1, "no pair approved:\n{text}");
    let hedged_rows = text
        .lines()
        .filter(|l| l.split_whitespace().nth(2) == Some("Hedged"))
        .count();
    assert!(hedged_rows >= 1, "no Hedged execution row:\n{text}");

    // The SQLite file the demo names holds what it printed.
    let url = format!("sqlite://{}", database.display());
    let store = arb_store::connect(&url).await.unwrap();
    let executions = store.executions(100_000).await.unwrap();
    let printed = format!("executions: {}", executions.len());
    assert!(text.contains(&printed), "expected {printed:?} in:\n{text}");
    let hedged: Vec<_> = executions
        .iter()
        .filter(|e| e.state == ExecutionState::Hedged)
        .collect();
    assert!(!hedged.is_empty(), "store holds no hedged execution");
    for execution in hedged {
        let orders = store.execution_orders(&execution.id).await.unwrap();
        assert!(
            orders.len() >= 2,
            "hedged execution {} has {} orders in the store",
            execution.id.as_str(),
            orders.len()
        );
    }
    let pairs = store.pairs(None).await.unwrap();
    assert_eq!(pairs.len(), approvals, "approved pairs in the store");
}
