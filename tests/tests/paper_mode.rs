//! `arb-daemon run` in `paper` mode against mock Kalshi and Polymarket servers: real (mock)
//! market data, a pair approved through the CLI, a dislocation in the books, simulated fills —
//! and not a single order reaching either venue.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

mod common;

use arb_core::model::{ExecutionState, MarketKey, Outcome};
use arb_core::store::Store;
use common::{KALSHI_TICKER, POLY_CONDITION, cli};
use wiremock::matchers::method;
use wiremock::{Mock, ResponseTemplate};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paper_mode_sends_no_orders() {
    let kalshi = common::kalshi_server().await;
    let poly = common::polymarket_server().await;
    common::mount_dislocated_books(&kalshi, &poly).await;
    // Any write to either venue fails the test.
    for server in [&kalshi, &poly] {
        for verb in ["POST", "DELETE", "PUT"] {
            Mock::given(method(verb))
                .and(wiremock::matchers::path_regex(
                    "^/(trade-api/v2/portfolio|order)",
                ))
                .respond_with(ResponseTemplate::new(500))
                .expect(0)
                .named(format!("{verb} order endpoint"))
                .mount(server)
                .await;
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("paper.db");
    let mut env = common::base_env(&kalshi, &poly, &database);
    env.push(("TRADING_MODE".into(), "paper".into()));
    env.push(("PRICE_FETCH_INTERVAL".into(), "1".into()));
    // `run` serves the web console too.
    let console_port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    env.push(("CONSOLE_ADDR".into(), format!("127.0.0.1:{console_port}")));
    env.push((
        "CONSOLE_TOKENS".into(),
        "alice=paper-console-token-0123".into(),
    ));
    let config = common::config(&env);

    cli(&config, "markets sync --create-store").await;
    let approved = cli(
        &config,
        &format!("pairs approve {KALSHI_TICKER} {POLY_CONDITION} --polarity same"),
    )
    .await;
    assert!(approved.contains("\napproved pair 1:"), "{approved}");

    let store = arb_store::connect(&format!("sqlite://{}", database.display()))
        .await
        .unwrap();
    let kalshi_key = MarketKey::new("kalshi", KALSHI_TICKER);
    let poly_key = MarketKey::new("polymarket", POLY_CONDITION);
    let out = common::run_daemon_until(config.clone(), || async {
        let hedged = store
            .executions(100)
            .await
            .unwrap()
            .iter()
            .any(|e| e.state == ExecutionState::Hedged);
        let positions = store.positions().await.unwrap();
        let held = |key: &MarketKey| {
            positions
                .iter()
                .any(|p| &p.market == key && !p.qty.is_zero())
        };
        hedged && held(&kalshi_key) && held(&poly_key) && console_answers(console_port).await
    })
    .await;
    assert!(out.starts_with("arb-daemon running in paper mode"), "{out}");
    assert!(
        out.contains(&format!("web console at http://127.0.0.1:{console_port}/")),
        "{out}"
    );

    // The execution bought YES on Kalshi (ask 0.40) and NO on Polymarket (ask 0.45).
    let executions = store.executions(100).await.unwrap();
    let hedged = executions
        .iter()
        .find(|e| e.state == ExecutionState::Hedged)
        .unwrap();
    assert_eq!(hedged.pair_id.to_string(), "1");
    let legs = [&hedged.plan.leg_a, &hedged.plan.leg_b];
    let kalshi_leg = legs.iter().find(|l| l.market == kalshi_key).unwrap();
    let poly_leg = legs.iter().find(|l| l.market == poly_key).unwrap();
    assert_eq!(kalshi_leg.outcome, Outcome::Yes);
    assert_eq!(poly_leg.outcome, Outcome::No);
    let orders = store.execution_orders(&hedged.id).await.unwrap();
    assert!(orders.len() >= 2, "{orders:?}");

    // Paper positions: equal YES and NO quantities, stored and shown by `positions`.
    let positions = store.positions().await.unwrap();
    let qty = |key: &MarketKey, outcome: Outcome| {
        positions
            .iter()
            .find(|p| &p.market == key && p.outcome == outcome)
            .map(|p| p.qty.value())
    };
    let yes = qty(&kalshi_key, Outcome::Yes).unwrap();
    let no = qty(&poly_key, Outcome::No).unwrap();
    assert!(yes > rust_decimal::Decimal::ZERO);
    assert_eq!(yes, no, "both legs hold the same quantity");
    let shown = cli(&config, "positions").await;
    assert!(
        shown.contains(&format!("kalshi:{KALSHI_TICKER}")),
        "{shown}"
    );
    assert!(
        shown.contains(&format!("polymarket:{POLY_CONDITION}")),
        "{shown}"
    );

    // No order reached either venue (the `.expect(0)` mocks verify on drop, too).
    for server in [&kalshi, &poly] {
        let writes: Vec<_> = server
            .received_requests()
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.method.as_str() != "GET" && r.url.path() != "/books")
            .collect();
        assert!(writes.is_empty(), "orders reached a venue: {writes:?}");
    }
}

/// Whether the web console on `port` answers its sign-in page.
async fn console_answers(port: u16) -> bool {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Ok(mut stream) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await else {
        return false;
    };
    let request = b"GET /login HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    let mut answer = String::new();
    stream.write_all(request).await.is_ok()
        && stream.read_to_string(&mut answer).await.is_ok()
        && answer.starts_with("HTTP/1.1 200")
        && answer.contains("Sign-in token")
}
