//! The semantic verifier through the daemon's `match` command, configured as a user would
//! (`VERIFIER_URL`, `VERIFIER_MODEL`, `VERIFIER_API_KEY`) against a mock judge that speaks the
//! OpenAI Chat Completions format: a look-alike is demoted with the judge's reasons, the verdict is
//! cached in the store (two runs, one request), and a failing judge changes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

mod common;

use std::path::Path;

use arb_core::fees::FeeSchedule;
use arb_core::matching::{MatchConfig, Matcher};
use arb_core::model::{Market, MarketKey, SuggestionStatus};
use arb_core::sim::binary_market;
use arb_core::store::Store;
use chrono::{TimeZone, Utc};
use common::cli;
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "sk-cli-0123SECRET";

/// Two markets whose titles match and whose rules do not (different meetings).
fn markets() -> [Market; 2] {
    let market = |venue: &str, id: &str, rules: &str| {
        let mut m = binary_market(
            MarketKey::new(venue, id),
            "Will the Fed cut rates at its March 2030 meeting?",
            FeeSchedule::FREE,
            Utc.with_ymd_and_hms(2030, 3, 20, 18, 0, 0).unwrap(),
        )
        .unwrap();
        m.rules = rules.into();
        m
    };
    [
        market(
            "kalshi",
            "KXFED-30MAR",
            "Resolves YES if the FOMC lowers the target range at the March 18-19, 2030 meeting.",
        ),
        market(
            "polymarket",
            "0xfed-march-2030",
            "Resolves YES if the upper bound is lower after the May 2030 meeting than now.",
        ),
    ]
}

/// Daemon settings with the verifier at `judge`, and a store holding [`markets`].
async fn setup(judge: &MockServer, database: &Path) -> arb_daemon::config::Config {
    let kalshi = common::kalshi_server().await;
    let poly = common::polymarket_server().await;
    let mut env = common::base_env(&kalshi, &poly, database);
    env.extend([
        ("VERIFIER_URL".to_owned(), format!("{}/v1", judge.uri())),
        ("VERIFIER_MODEL".to_owned(), "judge-model".to_owned()),
        ("VERIFIER_API_KEY".to_owned(), KEY.to_owned()),
    ]);
    let store = arb_store::connect(&format!("sqlite://{}", database.display()))
        .await
        .unwrap();
    store.upsert_markets(&markets()).await.unwrap();
    store.close().await;
    common::config(&env)
}

fn completion(content: &str) -> serde_json::Value {
    json!({
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": "judge-model",
        "choices": [{ "index": 0, "finish_reason": "stop",
                      "message": { "role": "assistant", "content": content } }],
    })
}

/// The matcher's own score for the two markets.
fn local_score() -> f64 {
    let [a, b] = markets();
    let now = Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap();
    let suggestions = Matcher::new(MatchConfig::default()).suggest(&[a], &[b], now);
    assert_eq!(suggestions.len(), 1, "the titles match");
    suggestions[0].score
}

/// The score of the one open suggestion stored in `database`.
async fn stored_score(database: &Path) -> f64 {
    let store = arb_store::connect(&format!("sqlite://{}", database.display()))
        .await
        .unwrap();
    let stored = store
        .suggestions(Some(SuggestionStatus::Open), 10)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1, "one suggestion");
    stored[0].score
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn match_shows_the_verifiers_demotion_and_asks_once() {
    let judge = MockServer::start().await;
    let verdict = json!({
        "relation": "different",
        "differences": ["A is the March 18-19 meeting, B the May meeting"],
    })
    .to_string();
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(completion(&verdict)))
        .expect(1)
        .mount(&judge)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("arb.db");
    let config = setup(&judge, &database).await;

    for run in 0..2 {
        let out = cli(&config, "match").await;
        assert!(
            out.contains(
                "verifier (judge-model): judged different (unrelated events), not equivalent: \
                 not tradable"
            ),
            "run {run}:\n{out}"
        );
        assert!(
            out.contains("verifier (judge-model): A is the March 18-19 meeting, B the May meeting"),
            "run {run}:\n{out}"
        );
        assert!(!out.contains("SECRET"), "{out}");
    }
    // The second run was answered from the store (the mock expects exactly one request).
    judge.verify().await;

    assert!((stored_score(&database).await - local_score() / 2.0).abs() < 1e-9);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_verifier_leaves_the_matchers_suggestions() {
    let judge = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(500).set_body_string("upstream overloaded"))
        .expect(1)
        .mount(&judge)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("arb.db");
    let config = setup(&judge, &database).await;

    let out = cli(&config, "match").await;
    assert!(out.contains("kalshi:KXFED-30MAR"), "{out}");
    assert!(!out.contains("verifier ("), "{out}");
    judge.verify().await;
    assert!((stored_score(&database).await - local_score()).abs() < 1e-9);
}
