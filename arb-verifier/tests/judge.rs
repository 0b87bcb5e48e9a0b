//! The judge against a local mock server that speaks the OpenAI Chat Completions format: good
//! verdicts, demotion, the cache, malformed answers, HTTP errors, timeouts, refusals, and the key
//! never shown.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use arb_core::clock::SystemClock;
use arb_core::fees::FeeSchedule;
use arb_core::matching::verify::{
    CachedVerifier, MarketText, SuggestionVerifier, Verifier, VerifyConfig, VerifyError,
};
use arb_core::model::{Market, MarketKey, MatchSuggestion, Polarity, Relation, SuggestionStatus};
use arb_core::sim::binary_market;
use arb_core::store::{MemoryStore, Store};
use arb_verifier::{ApiKey, JudgeSettings, OpenAiJudge};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::post;
use serde_json::{Value, json};

const KEY: &str = "sk-test-0123456789abcdefSECRET";

/// What the mock answers.
#[derive(Clone)]
enum Reply {
    /// 200 with a completion whose message content is this text.
    Content(String),
    /// This status and raw body.
    Raw(u16, String),
    /// 200 with a completion whose message is a refusal.
    Refusal(String),
    /// A good answer, only after this long.
    Slow(Duration),
}

/// The mock's state: its reply, how many requests it got and the last one.
struct Mock {
    reply: Reply,
    requests: AtomicUsize,
    last: Mutex<Option<(String, Value)>>,
}

fn completion(message: &Value) -> String {
    json!({
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": "judge-model-2026-01",
        "choices": [{ "index": 0, "message": message, "finish_reason": "stop" }],
    })
    .to_string()
}

fn verdict_json(relation: &str, differences: &[&str]) -> String {
    json!({ "relation": relation, "differences": differences }).to_string()
}

async fn chat(
    State(mock): State<Arc<Mock>>,
    headers: HeaderMap,
    body: String,
) -> impl IntoResponse {
    mock.requests.fetch_add(1, Ordering::SeqCst);
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    *mock.last.lock().unwrap() = Some((auth, body));
    let (status, text) = match &mock.reply {
        Reply::Content(content) => (
            200,
            completion(&json!({ "role": "assistant", "content": content })),
        ),
        Reply::Raw(status, body) => (*status, body.clone()),
        Reply::Refusal(refusal) => (
            200,
            completion(&json!({ "role": "assistant", "content": null, "refusal": refusal })),
        ),
        Reply::Slow(delay) => {
            tokio::time::sleep(*delay).await;
            (
                200,
                completion(&json!({ "role": "assistant",
                "content": verdict_json("equivalent", &[]) })),
            )
        }
    };
    (
        StatusCode::from_u16(status).unwrap(),
        [(header::CONTENT_TYPE, "application/json")],
        text,
    )
}

/// Starts a mock answering `reply` on `/v1/chat/completions`; returns its `/v1` endpoint.
async fn start(reply: Reply) -> (String, Arc<Mock>) {
    let mock = Arc::new(Mock {
        reply,
        requests: AtomicUsize::new(0),
        last: Mutex::new(None),
    });
    let app = Router::new()
        .route("/v1/chat/completions", post(chat))
        .with_state(Arc::clone(&mock));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/v1"), mock)
}

fn judge(endpoint: &str, timeout: Duration) -> OpenAiJudge {
    OpenAiJudge::new(JudgeSettings {
        endpoint: endpoint.to_owned(),
        model: "judge-model".into(),
        api_key: Some(ApiKey::new(KEY)),
        timeout,
    })
    .unwrap()
}

fn text(title: &str, rules: &str) -> MarketText {
    MarketText {
        title: title.into(),
        subtitle: "Yes".into(),
        rules: rules.into(),
        resolution_source: None,
    }
}

async fn ask(reply: Reply) -> (Result<arb_core::model::Verdict, VerifyError>, Arc<Mock>) {
    let (endpoint, mock) = start(reply).await;
    let answer = judge(&endpoint, Duration::from_secs(5))
        .verify(
            &text("Bitcoin above $100k on Dec 31?", "Coinbase close"),
            &text("BTC > 100k in 2026?", "Any Binance trade"),
        )
        .await;
    (answer, mock)
}

/// Asserts the key appears in none of the error's renderings.
fn assert_no_key(e: &VerifyError) {
    let shown = format!("{e} {e:?}");
    assert!(!shown.contains(KEY), "{shown}");
    assert!(!shown.contains("SECRET"), "{shown}");
}

#[tokio::test]
async fn a_good_verdict_is_read_from_an_openai_shaped_exchange() {
    let (answer, mock) = ask(Reply::Content(verdict_json(
        "subset",
        &["A settles on the Dec 31 Coinbase close, B on any Binance trade in 2026"],
    )))
    .await;
    let verdict = answer.unwrap();
    assert_eq!(verdict.relation, Relation::Subset);
    assert_eq!(
        verdict.differences,
        vec!["A settles on the Dec 31 Coinbase close, B on any Binance trade in 2026".to_owned()]
    );
    assert_eq!(verdict.model, "judge-model");
    let (auth, body) = mock.last.lock().unwrap().clone().unwrap();
    assert_eq!(auth, format!("Bearer {KEY}"));
    assert_eq!(body["model"], "judge-model");
    assert_eq!(body["response_format"]["type"], "json_object");
    assert_eq!(body["messages"][0]["role"], "system");
    let markets: Value =
        serde_json::from_str(body["messages"][1]["content"].as_str().unwrap()).unwrap();
    assert_eq!(
        markets["market_a"]["title"],
        "Bitcoin above $100k on Dec 31?"
    );
    assert_eq!(markets["market_a"]["rules"], "Coinbase close");
    assert_eq!(markets["market_b"]["rules"], "Any Binance trade");
}

#[tokio::test]
async fn malformed_answers_and_refusals_are_typed_errors() {
    for (reply, what) in [
        (
            Reply::Content("{\"relation\": \"equivalent\"".into()),
            "cut JSON",
        ),
        (Reply::Content("They look the same to me.".into()), "prose"),
        (
            Reply::Content(verdict_json("same", &[])),
            "unknown relation",
        ),
        (
            Reply::Raw(200, "<html>gateway</html>".into()),
            "not a completion",
        ),
    ] {
        let (answer, _) = ask(reply).await;
        let e = answer.unwrap_err();
        assert!(matches!(e, VerifyError::Malformed(_)), "{what}: {e:?}");
        assert_no_key(&e);
    }
    let (answer, _) = ask(Reply::Refusal("I can't help with gambling.".into())).await;
    match answer.unwrap_err() {
        VerifyError::Refused(why) => assert_eq!(why, "I can't help with gambling."),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn http_errors_are_typed_and_never_show_the_key_even_when_echoed() {
    let echoed =
        json!({ "error": { "message": format!("Incorrect API key provided: {KEY}") } }).to_string();
    let (answer, _) = ask(Reply::Raw(401, echoed.clone())).await;
    let e = answer.unwrap_err();
    assert!(matches!(e, VerifyError::Unauthorized(401)), "{e:?}");
    assert!(e.ends_the_run());
    assert_no_key(&e);

    let overloaded =
        json!({ "error": { "message": format!("overloaded (request by {KEY})") } }).to_string();
    let (answer, _) = ask(Reply::Raw(500, overloaded)).await;
    let e = answer.unwrap_err();
    match &e {
        VerifyError::Status { status, message } => {
            assert_eq!(*status, 500);
            assert_eq!(message, "overloaded (request by <redacted>)");
        }
        other => panic!("{other:?}"),
    }
    assert!(!e.ends_the_run());
    assert_no_key(&e);
}

#[tokio::test]
async fn a_slow_judge_times_out_and_an_unreachable_one_is_a_network_error() {
    let (endpoint, mock) = start(Reply::Slow(Duration::from_secs(5))).await;
    let started = std::time::Instant::now();
    let e = judge(&endpoint, Duration::from_millis(300))
        .verify(&text("a", "x"), &text("b", "y"))
        .await
        .unwrap_err();
    assert!(matches!(e, VerifyError::Timeout(_)), "{e:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(mock.requests.load(Ordering::SeqCst), 1);
    assert_no_key(&e);

    // Nothing listens on port 1.
    let e = judge("http://127.0.0.1:1/v1", Duration::from_secs(5))
        .verify(&text("a", "x"), &text("b", "y"))
        .await
        .unwrap_err();
    assert!(matches!(e, VerifyError::Network(_)), "{e:?}");
    assert_no_key(&e);
}

#[tokio::test]
async fn settings_that_cannot_work_are_refused_and_debug_hides_the_key() {
    let settings = JudgeSettings {
        endpoint: "ftp://example.com".into(),
        model: "m".into(),
        api_key: Some(ApiKey::new(KEY)),
        timeout: Duration::from_secs(1),
    };
    let shown = format!("{settings:?}");
    assert!(
        !shown.contains(KEY) && shown.contains("<redacted>"),
        "{shown}"
    );
    let e = OpenAiJudge::new(settings.clone()).unwrap_err();
    assert!(matches!(e, VerifyError::Config(_)), "{e:?}");
    assert_no_key(&e);
    let e = OpenAiJudge::new(JudgeSettings {
        endpoint: "http://localhost:8080/v1/".into(),
        model: " ".into(),
        ..settings
    })
    .unwrap_err();
    assert!(matches!(e, VerifyError::Config(_)), "{e:?}");

    let judge = judge("http://localhost:8080/v1/", Duration::from_secs(1));
    let shown = format!("{judge:?}");
    assert!(!shown.contains(KEY), "{shown}");
    assert!(
        shown.contains("http://localhost:8080/v1/chat/completions"),
        "{shown}"
    );
}

fn market(venue: &str, id: &str, title: &str) -> Market {
    binary_market(
        MarketKey::new(venue, id),
        title,
        FeeSchedule::FREE,
        chrono::DateTime::UNIX_EPOCH,
    )
    .unwrap()
}

fn suggestion(a: &Market, b: &Market, score: f64) -> MatchSuggestion {
    MatchSuggestion {
        id: None,
        a: a.key.clone(),
        b: b.key.clone(),
        score,
        parts: Vec::new(),
        polarity: Polarity::Same,
        diffs: Vec::new(),
        warnings: Vec::new(),
        relation: Relation::Equivalent,
        settlement: Vec::new(),
        status: SuggestionStatus::Open,
        created_at: chrono::DateTime::UNIX_EPOCH,
    }
}

#[tokio::test]
async fn a_verdict_demotes_the_suggestion_and_the_cache_saves_the_second_request() {
    let (endpoint, mock) = start(Reply::Content(verdict_json(
        "different",
        &["A is the March meeting, B the May meeting"],
    )))
    .await;
    let store = Arc::new(MemoryStore::new());
    let cached = CachedVerifier::new(
        Arc::new(judge(&endpoint, Duration::from_secs(5))),
        Arc::clone(&store) as Arc<dyn Store>,
        Arc::new(SystemClock),
    );
    let verifier = SuggestionVerifier::new(Arc::new(cached), VerifyConfig::default());
    let a = market("kalshi", "FED-MAR", "Fed cuts rates in March?");
    let b = market("polymarket", "fed-may", "Fed rate cut in May?");
    let markets = [&a, &b];

    for run in 0..2 {
        let mut suggestions = vec![suggestion(&a, &b, 82.0)];
        let report = verifier.verify_all(&mut suggestions, &markets).await;
        assert_eq!((report.judged, report.demoted), (1, 1), "run {run}");
        assert!((suggestions[0].score - 41.0).abs() < 1e-9, "run {run}");
        assert_eq!(
            suggestions[0].warnings,
            vec![
                "verifier (judge-model): judged different (unrelated events), not equivalent: \
                 not tradable"
                    .to_owned(),
                "verifier (judge-model): A is the March meeting, B the May meeting".to_owned(),
            ]
        );
    }
    assert_eq!(
        mock.requests.load(Ordering::SeqCst),
        1,
        "the second run was answered from the store"
    );
}

#[tokio::test]
async fn a_failing_judge_leaves_the_suggestion_as_the_matcher_made_it() {
    let (endpoint, mock) = start(Reply::Raw(500, "{}".into())).await;
    let cached = CachedVerifier::new(
        Arc::new(judge(&endpoint, Duration::from_secs(5))),
        Arc::new(MemoryStore::new()),
        Arc::new(SystemClock),
    );
    let verifier = SuggestionVerifier::new(Arc::new(cached), VerifyConfig::default());
    let a = market("kalshi", "FED-MAR", "Fed cuts rates in March?");
    let b = market("polymarket", "fed-mar", "Fed rate cut in March?");
    let mut suggestions = vec![suggestion(&a, &b, 82.0)];
    let before = suggestions.clone();
    let report = verifier.verify_all(&mut suggestions, &[&a, &b]).await;
    assert_eq!(suggestions, before);
    assert_eq!((report.failed, report.judged), (1, 0));
    assert_eq!(mock.requests.load(Ordering::SeqCst), 1);
}
