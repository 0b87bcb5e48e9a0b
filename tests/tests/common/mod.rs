//! Shared helpers: mock Kalshi and Polymarket servers serving the reference payloads, the daemon's
//! configuration pointed at them, and running CLI commands through the daemon's own parser and
//! dispatcher.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use arb_daemon::cli::Cli;
use arb_daemon::commands::dispatch;
use arb_daemon::config::{Config, ConfigSources};
use clap::Parser;
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Kalshi's REST base path.
pub const KALSHI_BASE: &str = "/trade-api/v2";
/// The Kalshi market of the reference sample.
pub const KALSHI_TICKER: &str = "KXSPACEXSTARSHIP-12-26MAY19";
/// Its event and series.
pub const KALSHI_EVENT: &str = "KXSPACEXSTARSHIP-12";
/// The Polymarket market (condition id of the CLOB market-info sample).
pub const POLY_CONDITION: &str =
    "0x4c27acaae6b9528e6121c226f0c7e253073c0ecdee87eed1bca5b2fe4028e6ee";
/// Its YES token.
pub const POLY_YES_TOKEN: &str =
    "58932827438818170513230893392684302873716776312144361528238673171092470840229";
/// Its NO token.
pub const POLY_NO_TOKEN: &str =
    "40344658068671585656605708535625590803520666310734316014770600867572158300800";
/// Hardhat account #0: a public throwaway key.
pub const POLY_PRIVATE_KEY: &str =
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
/// Its address.
pub const POLY_ADDRESS: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
/// Configured L2 API credentials (test values).
pub const POLY_API_KEY: &str = "00000000-0000-0000-0000-000000000000";
/// L2 secret (URL-safe base64).
pub const POLY_API_SECRET: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
/// L2 passphrase.
pub const POLY_API_PASSPHRASE: &str = "test-passphrase";

/// A JSON fixture from `tests/fixtures`.
pub fn fixture(name: &str) -> Value {
    let path = format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn ok(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

/// The reference Kalshi market, its close moved a year ahead so it is still open.
pub fn kalshi_market() -> Value {
    let mut m = fixture("rest-get-market.real-2026-05.json")["market"].clone();
    for (field, value) in [
        ("close_time", "2027-05-20T03:59:00Z"),
        ("expected_expiration_time", "2027-06-01T14:00:00Z"),
        ("expiration_time", "2027-05-26T14:00:00Z"),
        ("latest_expiration_time", "2027-05-26T14:00:00Z"),
        ("occurrence_datetime", "2027-05-19T14:00:00Z"),
    ] {
        m[field] = json!(value);
    }
    // Its rules follow the dates a year ahead too.
    m["rules_primary"] = json!(
        "If SpaceX launches Starship flight test number 12 before May 20, 2027, then the market \
         resolves to Yes."
    );
    m
}

/// A Kalshi server listing the reference market (with its event and series).
pub async fn kalshi_server() -> MockServer {
    let server = MockServer::start().await;
    let market = kalshi_market();
    Mock::given(method("GET"))
        .and(path(format!("{KALSHI_BASE}/markets")))
        .respond_with(ok(json!({"markets": [market.clone()], "cursor": ""})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{KALSHI_BASE}/markets/{KALSHI_TICKER}")))
        .respond_with(ok(json!({ "market": market })))
        .mount(&server)
        .await;
    let event = json!({
        "event_ticker": KALSHI_EVENT,
        "series_ticker": "KXSPACEXSTARSHIP",
        "title": "When will SpaceX launch Starship flight 12?",
        "sub_title": "Flight 12",
        "collateral_return_type": "MECNET",
        "mutually_exclusive": true,
        "fee_type_override": null,
        "fee_multiplier_override": null,
        "settlement_sources": [{"name": "FAA", "url": "https://www.faa.gov"}]
    });
    Mock::given(method("GET"))
        .and(path(format!("{KALSHI_BASE}/events")))
        .respond_with(ok(json!({"events": [event.clone()], "cursor": ""})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{KALSHI_BASE}/events/{KALSHI_EVENT}")))
        .respond_with(ok(json!({ "event": event })))
        .mount(&server)
        .await;
    let series = json!({
        "ticker": "KXSPACEXSTARSHIP",
        "frequency": "custom",
        "title": "Starship launches",
        "category": "Science and Technology",
        "fee_type": "quadratic_with_maker_fees",
        "fee_multiplier": 1,
        "settlement_sources": []
    });
    Mock::given(method("GET"))
        .and(path(format!("{KALSHI_BASE}/series")))
        .respond_with(ok(json!({ "series": [series.clone()] })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{KALSHI_BASE}/series/KXSPACEXSTARSHIP")))
        .respond_with(ok(json!({ "series": series })))
        .mount(&server)
        .await;
    server
}

/// The Gamma sample re-labelled as the Yes/No market of the CLOB sample, ending a year ahead.
pub fn gamma_market() -> Value {
    let mut g = fixture("polymarket-gamma-market.json");
    g["id"] = json!("42");
    g["question"] = json!("Will SpaceX launch Starship flight 12 by May 19, 2027?");
    g["conditionId"] = json!(POLY_CONDITION);
    g["outcomes"] = json!("[\"Yes\", \"No\"]");
    g["clobTokenIds"] = json!(format!("[\"{POLY_YES_TOKEN}\", \"{POLY_NO_TOKEN}\"]"));
    g["negRisk"] = json!(false);
    g["endDate"] = json!("2027-05-20T03:59:00Z");
    // The sample's rules are a Bitcoin market's; these are the same event as the Kalshi market.
    g["description"] = json!(
        "This market will resolve to \"Yes\" if SpaceX launches Starship flight test number 12 \
         before May 20, 2027. Otherwise, this market will resolve to \"No\". The resolution \
         source for this market is the FAA."
    );
    g["resolutionSource"] = json!("FAA");
    g
}

/// The CLOB market-info sample with its outcomes labelled Yes / No.
pub fn clob_market_info() -> Value {
    let mut c = fixture("polymarket-clob-market-info.json");
    c["t"][0]["o"] = json!("Yes");
    c["t"][1]["o"] = json!("No");
    c
}

/// A Polymarket server (Gamma + CLOB on one host) listing the market.
pub async fn polymarket_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/markets/keyset"))
        .respond_with(ok(
            json!({"markets": [gamma_market()], "next_cursor": null}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/markets"))
        .and(query_param("condition_ids", POLY_CONDITION))
        .respond_with(ok(json!([gamma_market()])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/clob-markets/{POLY_CONDITION}")))
        .respond_with(ok(clob_market_info()))
        .mount(&server)
        .await;
    server
}

/// Daemon settings pointing every venue host at the mocks, with a SQLite store at `database`.
pub fn base_env(kalshi: &MockServer, poly: &MockServer, database: &Path) -> Vec<(String, String)> {
    let closed_ws = "ws://127.0.0.1:9".to_owned();
    vec![
        (
            "DATABASE_URL".into(),
            format!("sqlite://{}", database.display()),
        ),
        (
            "KALSHI_API_URL".into(),
            format!("{}{KALSHI_BASE}", kalshi.uri()),
        ),
        ("KALSHI_WS_URL".into(), closed_ws.clone()),
        ("POLYMARKET_CLOB_URL".into(), poly.uri()),
        ("POLYMARKET_GAMMA_URL".into(), poly.uri()),
        ("POLYMARKET_DATA_URL".into(), poly.uri()),
        ("POLYMARKET_WS_URL".into(), closed_ws),
        ("METRICS_ADDR".into(), "off".into()),
    ]
}

/// The configuration those settings load to.
pub fn config(env: &[(String, String)]) -> Config {
    Config::load(&ConfigSources::new().with_env(env.iter().cloned())).unwrap()
}

/// Runs `arb-daemon <args>` through the daemon's own parser and dispatcher; returns its output.
pub async fn cli(config: &Config, args: &str) -> String {
    let cli = Cli::try_parse_from(std::iter::once("arb-daemon").chain(args.split_whitespace()))
        .unwrap_or_else(|e| panic!("`{args}` does not parse: {e}"));
    let mut out = Vec::new();
    dispatch(&cli, config, &mut out)
        .await
        .unwrap_or_else(|e| panic!("`{args}` failed: {e}"));
    String::from_utf8(out).unwrap()
}

/// Kalshi's book of the market: YES bid 0.38 × 50, NO bid 0.60 × 100, so YES asks at 0.40.
pub fn kalshi_book() -> Value {
    json!({
        "yes_dollars": [["0.3000", "20.00"], ["0.3800", "50.00"]],
        "no_dollars": [["0.5000", "40.00"], ["0.6000", "100.00"]]
    })
}

/// Polymarket's YES book: bid 0.55 × 100 (so NO asks at 0.45), ask 0.57 × 100, stamped now (the
/// venue stamps every book it serves; a stale stamp makes the book too old to trade on).
pub fn polymarket_book() -> Value {
    let mut book = fixture("polymarket-clob-book.json");
    book["market"] = json!(POLY_CONDITION);
    book["asset_id"] = json!(POLY_YES_TOKEN);
    book["bids"] = json!([{"price": "0.50", "size": "40"}, {"price": "0.55", "size": "100"}]);
    book["asks"] = json!([{"price": "0.60", "size": "40"}, {"price": "0.57", "size": "100"}]);
    book["tick_size"] = json!("0.001");
    book["min_order_size"] = json!("5");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    book["timestamp"] = json!(now.as_millis().to_string());
    book
}

/// Serves books that dislocate: YES on Kalshi at 0.40 plus NO on Polymarket at 0.45 cost 0.85,
/// well under $1 after both venues' fees. Single and batch endpoints of both venues.
pub async fn mount_dislocated_books(kalshi: &MockServer, poly: &MockServer) {
    Mock::given(method("GET"))
        .and(path(format!("{KALSHI_BASE}/markets/orderbooks")))
        .respond_with(ok(json!({"orderbooks": [
            {"ticker": KALSHI_TICKER, "orderbook_fp": kalshi_book()}
        ]})))
        .mount(kalshi)
        .await;
    Mock::given(method("GET"))
        .and(path(format!(
            "{KALSHI_BASE}/markets/{KALSHI_TICKER}/orderbook"
        )))
        .respond_with(ok(json!({ "orderbook_fp": kalshi_book() })))
        .mount(kalshi)
        .await;
    Mock::given(method("POST"))
        .and(path("/books"))
        .respond_with(|_: &wiremock::Request| ok(json!([polymarket_book()])))
        .mount(poly)
        .await;
    Mock::given(method("GET"))
        .and(path("/book"))
        .and(query_param("token_id", POLY_YES_TOKEN))
        .respond_with(|_: &wiremock::Request| ok(polymarket_book()))
        .mount(poly)
        .await;
}

/// Runs `arb-daemon run` (the real daemon loop, signal handling included) until `done` says the
/// store shows what the test waits for, or 60 s pass; then stops it with SIGTERM as an operator
/// would and returns its output.
pub async fn run_daemon_until<F, Fut>(config: Config, mut done: F) -> String
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let daemon = tokio::spawn(async move {
        let mut out = Vec::new();
        let run = Cli::try_parse_from(["arb-daemon", "run"]).unwrap();
        let result = dispatch(&run, &config, &mut out).await;
        (result.map_err(|e| e.to_string()), out)
    });
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
    let mut reached = false;
    while tokio::time::Instant::now() < deadline && !daemon.is_finished() {
        if done().await {
            reached = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    if !daemon.is_finished() {
        // `run` installs its SIGINT/SIGTERM handlers before anything else, so this stops it.
        let status = std::process::Command::new("kill")
            .args(["-TERM", &std::process::id().to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill -TERM failed");
    }
    let (result, out) = tokio::time::timeout(std::time::Duration::from_secs(30), daemon)
        .await
        .expect("the daemon did not stop within 30 s of SIGTERM")
        .unwrap();
    let out = String::from_utf8(out).unwrap();
    assert!(result.is_ok(), "daemon failed: {result:?}\n{out}");
    assert!(
        reached,
        "the daemon never reached the expected state:\n{out}"
    );
    assert!(out.ends_with("arb-daemon stopped\n"), "{out}");
    out
}
