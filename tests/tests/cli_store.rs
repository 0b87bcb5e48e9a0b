//! The store commands of the CLI, parsed and dispatched exactly as `arb-daemon` does, against a
//! SQLite file and mock Kalshi and Polymarket servers serving the reference payloads.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

mod common;

use arb_core::model::{MarketKey, PairStatus, Polarity};
use arb_core::store::Store;
use common::{KALSHI_TICKER, POLY_CONDITION, cli};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_store_commands() {
    let kalshi = common::kalshi_server().await;
    let poly = common::polymarket_server().await;
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("arb.db");
    let config = common::config(&common::base_env(&kalshi, &poly, &database));

    // No credentials are configured: none of these commands needs them.
    let out = cli(&config, "markets sync --create-store").await;
    assert_eq!(
        out,
        "kalshi: 1 open markets stored\npolymarket: 1 open markets stored\n"
    );

    let out = cli(&config, "pairs list").await;
    assert_eq!(out, "no pairs approved yet\n");

    let out = cli(
        &config,
        &format!("pairs approve {KALSHI_TICKER} {POLY_CONDITION} --polarity same"),
    )
    .await;
    assert_eq!(
        out,
        format!(
            "rules read as equivalent (score 100.0)\n\
             approved pair 1: kalshi:{KALSHI_TICKER} ≡ polymarket:{POLY_CONDITION} (same)\n"
        )
    );

    let out = cli(&config, "pairs list").await;
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows.len(), 2, "header + one pair:\n{out}");
    let fields: Vec<&str> = rows[1].split_whitespace().collect();
    assert_eq!(
        &fields[..6],
        &[
            "1",
            &format!("kalshi:{KALSHI_TICKER}"),
            &format!("polymarket:{POLY_CONDITION}"),
            "same",
            "active",
            "cli",
        ]
    );

    let out = cli(&config, "pairs pause 1 --reason maintenance").await;
    assert_eq!(out, "pair 1 is now paused\n");
    let out = cli(&config, "pairs list").await;
    assert!(out.lines().nth(1).unwrap().contains(" paused "), "{out}");
    let out = cli(&config, "pairs resume 1").await;
    assert_eq!(out, "pair 1 is now active\n");

    let out = cli(&config, "halt --reason audit").await;
    assert_eq!(
        out,
        "trading halted: no new executions (in-flight ones finish hedging)\n"
    );
    // The kill switch is persisted for a daemon in another process.
    let store = arb_store::connect(&format!("sqlite://{}", database.display()))
        .await
        .unwrap();
    let halt = store.setting("kill_switch").await.unwrap();
    assert_eq!(halt.as_deref(), Some("audit (by cli)"));
    let out = cli(&config, "resume").await;
    assert_eq!(out, "trading resumed\n");
    assert_eq!(store.setting("kill_switch").await.unwrap(), None);

    let out = cli(&config, "positions").await;
    assert_eq!(
        out.lines().next(),
        Some("no open positions"),
        "nothing traded yet:\n{out}"
    );
    assert!(
        out.contains("realised PnL $0  fees $0  cost of open positions $0"),
        "{out}"
    );
    let out = cli(&config, "opportunities --limit 5").await;
    assert_eq!(out, "no opportunities recorded\n");

    // What the commands did is in the store.
    let markets = store.markets(None).await.unwrap();
    let keys: Vec<String> = markets.iter().map(|m| m.key.to_string()).collect();
    assert_eq!(
        keys,
        vec![
            format!("kalshi:{KALSHI_TICKER}"),
            format!("polymarket:{POLY_CONDITION}")
        ]
    );
    let pairs = store.pairs(None).await.unwrap();
    assert_eq!(pairs.len(), 1);
    assert_eq!(pairs[0].a, MarketKey::new("kalshi", KALSHI_TICKER));
    assert_eq!(pairs[0].b, MarketKey::new("polymarket", POLY_CONDITION));
    assert_eq!(pairs[0].polarity, Polarity::Same);
    assert_eq!(pairs[0].status, PairStatus::Active);
    assert_eq!(pairs[0].approved_by, "cli");
}
