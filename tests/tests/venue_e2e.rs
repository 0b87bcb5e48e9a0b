//! The release daemon against servers that behave like Kalshi and Polymarket
//! (`../shared/fakevenues`: every signature and order checked with the venues' official Python
//! clients, every request logged with a verdict).
//!
//! One run, as a user would go: `config check`, `markets sync`, `match`, `pairs approve` (the
//! mayoral runoff as inverse), then `run` in monitor, paper and live mode while presets open
//! arbitrage. Live runs cover both Kalshi keys (RSA, Ed25519), both Polymarket wallets (EOA,
//! Safe), both readings of a Polymarket FOK/FAK buy (filled by its cash amount or by shares) and
//! both Kalshi IOC `remaining_count` conventions; then faults on both venues' order endpoints
//! (500, 429, malformed 200, a timeout after the venue acted, Polymarket's delayed mode) and
//! SIGKILL between the legs and during a hedge, each followed by a restart. After each run: zero
//! violations, every order accepted, every execution terminal (every live one hedged), nothing
//! sent twice, venue positions equal the daemon's, PnL equal to the venues' cash changes, and no
//! false drift alarm.
//!
//! Reported as ignored (`SKIPPED: …`) when `../shared/fakevenues` or python3 is absent (see
//! `build.rs`); `ARB_REQUIRE_E2E=1` (set by `.ci/run`) makes that a failure.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)]

mod venues;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

use arb_core::model::{ExecutionRecord, ExecutionState, MarketKey, OpportunityDecision, Outcome};
use arb_core::portfolio::Portfolio;
use arb_core::store::Store;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use venues::{
    Daemon, FED_KALSHI, FED_POLY, Fakes, KalshiKey, MAYOR_KALSHI, MAYOR_POLY, PolyWallet, dec,
    wait_for,
};

/// What one live run showed, for the summary printed at the end.
#[derive(Debug, Default)]
struct Figures {
    orders: usize,
    verdicts: BTreeMap<String, usize>,
    executions: BTreeMap<String, usize>,
    preset_to_order_ms: Vec<u128>,
}

impl Figures {
    fn add(&mut self, other: &Self) {
        self.orders += other.orders;
        for (k, v) in &other.verdicts {
            *self.verdicts.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &other.executions {
            *self.executions.entry(k.clone()).or_default() += v;
        }
        self.preset_to_order_ms.extend(&other.preset_to_order_ms);
    }
}

fn is_order_post(r: &Value) -> bool {
    r["method"] == "POST"
        && matches!(
            r["path"].as_str(),
            Some("/trade-api/v2/portfolio/events/orders" | "/order" | "/orders")
        )
}

async fn executions(daemon: &Daemon) -> Vec<ExecutionRecord> {
    daemon
        .store()
        .await
        .executions(1000)
        .await
        .expect("executions")
}

/// Waits until the store holds `n` executions, all terminal.
async fn wait_for_executions(daemon: &Daemon, n: usize, timeout: Duration) -> Vec<ExecutionRecord> {
    wait_for(
        timeout,
        || executions(daemon),
        |e| e.len() >= n && e.iter().all(|x| x.state.is_terminal()),
    )
    .await
}

/// Applies `preset` and returns when it was applied.
async fn apply(fakes: &Fakes, preset: &str) -> std::time::SystemTime {
    let at = std::time::SystemTime::now();
    fakes.preset(preset).await;
    at
}

/// The first order request logged after `at`, in ms after it (venue time = wall time).
fn first_order_after(log: &Value, at: std::time::SystemTime) -> Option<u128> {
    let at = at.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs_f64();
    log["requests"]
        .as_array()?
        .iter()
        .filter(|r| is_order_post(r))
        .filter_map(|r| r["ts"].as_f64())
        .filter(|ts| *ts >= at)
        .map(|ts| ((ts - at) * 1000.0).max(0.0))
        .reduce(f64::min)
        .map(|ms| {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let ms = ms.round() as u128;
            ms
        })
}

/// Every check the issue names, on one venue log: no violation, every order accepted (a killed
/// FOK/FAK or a market-state note is an answer, not a violation), nothing sent twice.
fn check_log(name: &str, log: &Value, allow_fault_verdicts: bool) -> Figures {
    let venue = name.split(' ').next().unwrap_or(name);
    let violations = log["violations"].as_array().cloned().unwrap_or_default();
    assert!(violations.is_empty(), "{name}: violations: {violations:#?}");
    let mut figures = Figures::default();
    let mut client_ids = HashSet::new();
    for r in log["requests"].as_array().into_iter().flatten() {
        let verdict = r["verdict"].as_str().unwrap_or("").to_owned();
        assert_ne!(verdict, "fake-internal-error", "{name}: {r:#}");
        if !is_order_post(r) {
            continue;
        }
        figures.orders += 1;
        *figures
            .verdicts
            .entry(format!("{venue} {verdict}"))
            .or_default() += 1;
        let faulted = verdict.starts_with("fault:");
        assert!(
            verdict == "ok" || (allow_fault_verdicts && faulted) || is_market_state_note(r),
            "{name}: an order was not accepted: {r:#}"
        );
        let body: Value =
            serde_json::from_str(r["body"].as_str().unwrap_or("null")).unwrap_or_default();
        if let Some(id) = body["client_order_id"].as_str() {
            // A faulted request that the venue dropped may be looked up, never resent.
            assert!(
                client_ids.insert(id.to_owned()) || faulted,
                "{name}: client order id {id} sent twice"
            );
        }
        let response = r["response"].as_str().unwrap_or("");
        assert!(
            !response.contains("Duplicated"),
            "{name}: an order was sent twice: {r:#}"
        );
    }
    figures
}

/// A refusal caused by market state (a FOK/FAK that found nothing): a normal answer.
fn is_market_state_note(r: &Value) -> bool {
    let response = r["response"].as_str().unwrap_or("");
    r["verdict"] == "rejected"
        && r["violations"].as_array().is_none_or(Vec::is_empty)
        && (response.contains("fill_or_kill")
            || response.contains("FAK")
            || response.contains("FOK"))
}

/// Token id → (condition id, outcome) from Gamma.
async fn tokens(fakes: &Fakes) -> HashMap<String, (String, Outcome)> {
    let mut out = HashMap::new();
    for cid in [FED_POLY, MAYOR_POLY] {
        let markets = fakes
            .get(fakes.gamma, &format!("/markets?condition_ids={cid}"))
            .await;
        let m = &markets[0];
        let ids: Vec<String> = serde_json::from_str(m["clobTokenIds"].as_str().unwrap()).unwrap();
        let labels: Vec<String> = serde_json::from_str(m["outcomes"].as_str().unwrap()).unwrap();
        for (id, label) in ids.into_iter().zip(labels) {
            let outcome = if label.eq_ignore_ascii_case("yes") {
                Outcome::Yes
            } else {
                Outcome::No
            };
            out.insert(id, (cid.to_owned(), outcome));
        }
    }
    out
}

/// The venues' positions as (market, outcome) → contracts.
async fn venue_positions(fakes: &Fakes, funder: &str) -> BTreeMap<(MarketKey, Outcome), Decimal> {
    let (kalshi, poly) = fakes.states().await;
    let mut out = BTreeMap::new();
    for (ticker, p) in kalshi["positions"].as_object().into_iter().flatten() {
        let signed = dec(&p["position"]);
        if signed.is_zero() {
            continue;
        }
        let outcome = if signed > Decimal::ZERO {
            Outcome::Yes
        } else {
            Outcome::No
        };
        out.insert(
            (MarketKey::new("kalshi", ticker.as_str()), outcome),
            signed.abs(),
        );
    }
    let map = tokens(fakes).await;
    let account = poly["accounts"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| {
            a["funder"]
                .as_str()
                .is_some_and(|f| f.eq_ignore_ascii_case(funder))
        })
        .expect("the daemon's Polymarket account");
    for (token, size) in account["positions"].as_object().into_iter().flatten() {
        let size = dec(size);
        if size.is_zero() {
            continue;
        }
        let (cid, outcome) = map.get(token).cloned().expect("a scenario token");
        out.insert((MarketKey::new("polymarket", cid.as_str()), outcome), size);
    }
    out
}

/// Cash on each venue: (Kalshi dollars, Polymarket pUSD of `funder`).
async fn cash(fakes: &Fakes, funder: &str) -> (Decimal, Decimal) {
    let (kalshi, poly) = fakes.states().await;
    let usd = poly["accounts"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| {
            a["funder"]
                .as_str()
                .is_some_and(|f| f.eq_ignore_ascii_case(funder))
        })
        .map(|a| dec(&a["usd"]))
        .expect("account");
    (dec(&kalshi["cash_dollars"]), usd)
}

/// The daemon's positions and cash flows rebuilt from its stored fills must equal the venues'.
async fn check_books(daemon: &Daemon, fakes: &Fakes, funder: &str, start_cash: (Decimal, Decimal)) {
    let store = daemon.store().await;
    let mut portfolio = Portfolio::new(arb_core::model::Qty::ZERO);
    let misfits = portfolio.apply_fills(&store.fills(None).await.unwrap());
    assert!(misfits.is_empty(), "{misfits:?}");
    let ours: BTreeMap<(MarketKey, Outcome), Decimal> = portfolio
        .positions()
        .into_iter()
        .map(|p| ((p.market, p.outcome), p.qty.value()))
        .collect();
    let theirs = venue_positions(fakes, funder).await;
    assert_eq!(
        ours, theirs,
        "positions: ours (left) vs the venues' (right)"
    );
    let stored: BTreeMap<(MarketKey, Outcome), Decimal> = store
        .positions()
        .await
        .unwrap()
        .into_iter()
        .filter(|p| !p.qty.is_zero())
        .map(|p| ((p.market, p.outcome), p.qty.value()))
        .collect();
    assert_eq!(
        stored, theirs,
        "`arb-daemon positions` (left) vs the venues' (right)"
    );
    let (kalshi, poly) = cash(fakes, funder).await;
    assert_eq!(
        portfolio.cash_flow(&"kalshi".into()),
        kalshi - start_cash.0,
        "Kalshi cash change"
    );
    assert_eq!(
        portfolio.cash_flow(&"polymarket".into()),
        poly - start_cash.1,
        "Polymarket cash change"
    );
}

fn assert_no_false_alarm(log: &str) {
    assert!(!log.contains("position drift"), "false drift alarm:\n{log}");
    assert!(
        !log.contains("contradicts"),
        "a venue answer was read as a contradiction:\n{log}"
    );
    assert!(!log.contains("ERROR"), "errors in the daemon's log:\n{log}");
}

fn funder_of(fakes: &Fakes, wallet: PolyWallet) -> String {
    let keys = fakes.keys();
    match wallet {
        PolyWallet::Eoa => keys["polymarket"]["eoa"]["address"]
            .as_str()
            .unwrap()
            .to_owned(),
        PolyWallet::Safe => keys["polymarket"]["safe"]["funder"]
            .as_str()
            .unwrap()
            .to_owned(),
    }
}

/// A scenario variant: Kalshi's IOC `remaining_count` convention.
fn scenario(fakes: &Fakes, ioc_unfilled: bool) -> Value {
    let mut s = fakes.scenario();
    if ioc_unfilled {
        s["kalshi"]["ioc_remaining_count"] = json!("unfilled");
    }
    s
}

/// A fresh daemon and store over freshly reset venues, with both pairs approved.
async fn fresh(
    fakes: &Fakes,
    scenario: &Value,
    mode: &str,
    key: KalshiKey,
    wallet: PolyWallet,
) -> (Daemon, (Decimal, Decimal)) {
    fakes.reset(scenario).await;
    let daemon = Daemon::new(fakes, mode, key, wallet);
    daemon.sync_and_approve();
    fakes.control(fakes.clob, "log/clear", json!({})).await;
    fakes.control(fakes.kalshi, "log/clear", json!({})).await;
    let start = cash(fakes, &funder_of(fakes, wallet)).await;
    (daemon, start)
}

/// One live run: both presets, two hedged executions, every check.
async fn live_run(
    fakes: &Fakes,
    key: KalshiKey,
    wallet: PolyWallet,
    basis: &str,
    ioc_unfilled: bool,
) -> Figures {
    let label = format!(
        "{key:?}/{wallet:?}/{basis}/ioc-{}",
        if ioc_unfilled { "unfilled" } else { "zero" }
    );
    let (daemon, start) = fresh(fakes, &scenario(fakes, ioc_unfilled), "live", key, wallet).await;
    fakes
        .control(
            fakes.clob,
            "settings",
            json!({ "fok_buy_fill_basis": basis }),
        )
        .await;
    let running = daemon.start();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut latencies = Vec::new();
    for (n, preset) in [(1, "fed-arb"), (2, "mayor-arb")] {
        let at = apply(fakes, preset).await;
        let done = wait_for_executions(&daemon, n, Duration::from_secs(30)).await;
        assert_eq!(
            done.len(),
            n,
            "{label}: {preset} was not executed:\n{}",
            running.read_log()
        );
        let (k, p) = fakes.logs().await;
        let first = [first_order_after(&k, at), first_order_after(&p, at)]
            .into_iter()
            .flatten()
            .min();
        latencies.extend(first);
    }
    // Let the reconciliation after the last execution store its fills.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let log = running.stop();
    assert_no_false_alarm(&log);
    let records = executions(&daemon).await;
    for r in &records {
        assert_eq!(r.state, ExecutionState::Hedged, "{label}: {r:#?}\n{log}");
    }
    let (k, p) = fakes.logs().await;
    let mut figures = check_log(&format!("kalshi ({label})"), &k, false);
    figures.add(&check_log(&format!("polymarket ({label})"), &p, false));
    check_books(&daemon, fakes, &funder_of(fakes, wallet), start).await;
    for r in &records {
        *figures
            .executions
            .entry(format!("{:?}", r.state))
            .or_default() += 1;
    }
    figures.preset_to_order_ms = latencies;
    println!(
        "live {label}: {} executions hedged, {} orders",
        records.len(),
        figures.orders
    );
    figures
}

/// The checks after a run with faults: no false drift alarm, nothing sent twice, every order
/// accepted but the faulted ones, and the books agree with the venues'.
async fn check_faulted_run(
    fakes: &Fakes,
    daemon: &Daemon,
    name: &str,
    log: &str,
    start: (Decimal, Decimal),
) -> Figures {
    assert!(
        !log.contains("position drift"),
        "{name}: false drift alarm:\n{log}"
    );
    let (k, p) = fakes.logs().await;
    let mut figures = check_log(&format!("kalshi ({name})"), &k, true);
    figures.add(&check_log(&format!("polymarket ({name})"), &p, true));
    check_books(daemon, fakes, &funder_of(fakes, PolyWallet::Eoa), start).await;
    for r in executions(daemon).await {
        *figures
            .executions
            .entry(format!("{:?}", r.state))
            .or_default() += 1;
    }
    figures
}

/// A fault queued on an order endpoint, then the Fed preset: every execution must end terminal,
/// nothing sent twice, the books must agree.
async fn fault_run(fakes: &Fakes, name: &str, port_is_kalshi: bool, fault: Value) -> Figures {
    let (daemon, start) = fresh(
        fakes,
        &fakes.scenario(),
        "live",
        KalshiKey::Ed25519,
        PolyWallet::Eoa,
    )
    .await;
    let port = if port_is_kalshi {
        fakes.kalshi
    } else {
        fakes.clob
    };
    if name == "polymarket delayed" {
        fakes.control(port, "delay", fault).await;
    } else {
        fakes.control(port, "faults", fault).await;
    }
    let running = daemon.start();
    tokio::time::sleep(Duration::from_secs(2)).await;
    apply(fakes, "fed-arb").await;
    let done = wait_for_executions(&daemon, 1, Duration::from_secs(45)).await;
    assert!(
        !done.is_empty() && done.iter().all(|e| e.state.is_terminal()),
        "{name}: no terminal execution: {done:#?}\n{}",
        running.read_log()
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    let log = running.stop();
    let figures = check_faulted_run(fakes, &daemon, name, &log, start).await;
    println!("fault {name}: executions {:?}", figures.executions);
    figures
}

/// SIGKILL while the second leg's answer is held, then a restart that recovers the execution.
async fn kill_run(fakes: &Fakes, name: &str, process: bool) -> Figures {
    let (daemon, start) = fresh(
        fakes,
        &fakes.scenario(),
        "live",
        KalshiKey::Ed25519,
        PolyWallet::Eoa,
    )
    .await;
    // Kalshi goes first (the thinner leg); the Polymarket leg's answer never comes back.
    let hold = json!({"method": "POST", "path": "/order", "kind": "timeout", "seconds": 20, "process": process, "times": 1});
    fakes.control(fakes.clob, "faults", hold).await;
    let running = daemon.start();
    tokio::time::sleep(Duration::from_secs(2)).await;
    apply(fakes, "fed-arb").await;
    let kalshi_sent = wait_for(
        Duration::from_secs(20),
        || async {
            let (k, _) = fakes.logs().await;
            k["requests"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|r| is_order_post(r))
                .count()
        },
        |n| *n > 0,
    )
    .await;
    assert!(
        kalshi_sent > 0,
        "{name}: the first leg was never sent:\n{}",
        running.read_log()
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    let killed_log = running.kill();
    let open = executions(&daemon).await;
    assert!(
        open.iter().any(|e| !e.state.is_terminal()),
        "{name}: the kill did not interrupt an execution: {open:#?}\n{killed_log}"
    );
    let restarted = daemon.start();
    let done = wait_for_executions(&daemon, 1, Duration::from_secs(45)).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let log = restarted.stop();
    assert!(
        done.iter().all(|e| e.state.is_terminal()),
        "{name}: {done:#?}\n{log}"
    );
    let figures = check_faulted_run(fakes, &daemon, name, &log, start).await;
    println!("kill {name}: executions {:?}", figures.executions);
    figures
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    e2e_unavailable,
    ignore = "SKIPPED: ../shared/fakevenues or python3 is absent (ARB_REQUIRE_E2E=1 makes this a failure)"
)]
async fn the_daemon_syncs_trades_and_recovers_against_venue_faithful_servers() {
    let Some(dir) = venues::fakevenues_dir() else {
        venues::skip("../shared/fakevenues is absent");
        return;
    };
    if !venues::python_available() {
        venues::skip("python3 is absent");
        return;
    }
    let started = Instant::now();
    venues::daemon_binary();
    let fakes = Fakes::start(&dir);

    // The first steps, as a new user takes them.
    fakes.reset(&fakes.scenario()).await;
    let daemon = Daemon::new(&fakes, "live", KalshiKey::Rsa, PolyWallet::Eoa);
    let check = daemon.ok(&["config", "check"]);
    assert!(check.contains("configuration OK"), "{check}");
    let synced = daemon.ok(&["markets", "sync", "--create-store"]);
    assert!(
        synced.contains("polymarket: 6 open markets stored"),
        "{synced}"
    );
    let matched = daemon.ok(&["match", "--min-score", "0"]);
    assert!(
        matched.contains(FED_KALSHI) && matched.contains(FED_POLY),
        "{matched}"
    );
    assert!(
        matched.contains("Fed rate cut in December 2026?"),
        "questions shown: {matched}"
    );
    // The two-way runoff is read from the rules: Alice's YES is Ben's NO, offered as inverse.
    let lines: Vec<&str> = matched.lines().collect();
    let mayor = lines
        .iter()
        .position(|l| l.contains(MAYOR_KALSHI))
        .expect("the runoff is suggested");
    assert!(
        lines.get(mayor + 1).is_some_and(|l| l.contains(MAYOR_POLY)),
        "its best suggestion is Ben's market: {matched}"
    );
    assert_eq!(
        lines[mayor].matches("inverse").count(),
        2,
        "polarity and relation both inverse: {matched}"
    );
    daemon.sync_and_approve();
    let pairs = daemon.ok(&["pairs", "list"]);
    assert!(
        pairs.contains("inverse") && pairs.contains(MAYOR_POLY),
        "{pairs}"
    );

    // Monitor: opportunities recorded, nothing sent.
    let (monitor, _) = fresh(
        &fakes,
        &fakes.scenario(),
        "monitor",
        KalshiKey::Rsa,
        PolyWallet::Eoa,
    )
    .await;
    let running = monitor.start();
    tokio::time::sleep(Duration::from_secs(2)).await;
    apply(&fakes, "fed-arb").await;
    let seen = wait_for(
        Duration::from_secs(20),
        || async { monitor.store().await.opportunities(None, 10).await.unwrap() },
        |o| !o.is_empty(),
    )
    .await;
    let log = running.stop();
    assert!(
        !seen.is_empty(),
        "monitor mode recorded no opportunity:\n{log}"
    );
    assert!(
        seen.iter()
            .all(|o| o.decision == OpportunityDecision::Observed)
    );
    let (k, p) = fakes.logs().await;
    assert_eq!(check_log("kalshi (monitor)", &k, false).orders, 0);
    assert_eq!(check_log("polymarket (monitor)", &p, false).orders, 0);

    // Paper: executed on paper against the live books, nothing sent.
    let (paper, _) = fresh(
        &fakes,
        &fakes.scenario(),
        "paper",
        KalshiKey::Rsa,
        PolyWallet::Eoa,
    )
    .await;
    let running = paper.start();
    tokio::time::sleep(Duration::from_secs(2)).await;
    apply(&fakes, "fed-arb").await;
    let done = wait_for_executions(&paper, 1, Duration::from_secs(30)).await;
    let log = running.stop();
    assert_eq!(done.len(), 1, "paper mode did not execute:\n{log}");
    assert_eq!(done[0].state, ExecutionState::Hedged, "{:#?}", done[0]);
    let (k, p) = fakes.logs().await;
    assert_eq!(check_log("kalshi (paper)", &k, false).orders, 0);
    assert_eq!(check_log("polymarket (paper)", &p, false).orders, 0);

    // Live, every key, wallet and venue reading.
    let mut total = Figures::default();
    for (key, wallet, basis, ioc_unfilled) in [
        (KalshiKey::Rsa, PolyWallet::Eoa, "usd", false),
        (KalshiKey::Ed25519, PolyWallet::Safe, "shares", true),
        (KalshiKey::Ed25519, PolyWallet::Eoa, "shares", false),
        (KalshiKey::Rsa, PolyWallet::Safe, "usd", true),
    ] {
        total.add(&live_run(&fakes, key, wallet, basis, ioc_unfilled).await);
    }

    // Faults on both venues' order endpoints.
    let kalshi_orders = "/trade-api/v2/portfolio/events/orders";
    let faults = [
        (
            "kalshi 500",
            true,
            json!({"method": "POST", "path": kalshi_orders, "kind": "http", "status": 500, "times": 1}),
        ),
        (
            "kalshi 429",
            true,
            json!({"method": "POST", "path": kalshi_orders, "kind": "http", "status": 429, "times": 1}),
        ),
        (
            "kalshi malformed 200",
            true,
            json!({"method": "POST", "path": kalshi_orders, "kind": "malformed", "times": 1}),
        ),
        (
            "kalshi timeout after acting",
            true,
            json!({"method": "POST", "path": kalshi_orders, "kind": "timeout", "seconds": 15, "process": true, "times": 1}),
        ),
        (
            "polymarket 500",
            false,
            json!({"method": "POST", "path": "/order", "kind": "http", "status": 500, "times": 1}),
        ),
        (
            "polymarket 429",
            false,
            json!({"method": "POST", "path": "/order", "kind": "http", "status": 429, "times": 1}),
        ),
        (
            "polymarket malformed 200",
            false,
            json!({"method": "POST", "path": "/order", "kind": "malformed", "times": 1}),
        ),
        (
            "polymarket timeout after acting",
            false,
            json!({"method": "POST", "path": "/order", "kind": "timeout", "seconds": 15, "process": true, "times": 1}),
        ),
        (
            "polymarket delayed",
            false,
            json!({"condition_id": FED_POLY, "seconds": 2}),
        ),
    ];
    for (name, kalshi, fault) in faults {
        total.add(&fault_run(&fakes, name, kalshi, fault).await);
    }
    total.add(&kill_run(&fakes, "SIGKILL between the legs", false).await);
    total.add(&kill_run(&fakes, "SIGKILL during the hedge", true).await);

    let mut ms = total.preset_to_order_ms.clone();
    ms.sort_unstable();
    println!(
        "E2E SUMMARY: {} orders; verdicts {:?}; executions {:?}; preset→first order ms (min/median/max) {:?}/{:?}/{:?}; {:.0} s",
        total.orders,
        total.verdicts,
        total.executions,
        ms.first(),
        ms.get(ms.len() / 2),
        ms.last(),
        started.elapsed().as_secs_f64()
    );
}
