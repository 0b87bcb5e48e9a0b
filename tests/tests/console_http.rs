//! The web console over plain HTTP (no browser needed): sign-in and its cookie, the CSRF token and
//! the trader / read-only split on every change, clear refusals that change nothing, and live
//! updates as server-sent events that end at shutdown.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

mod console_support;

use std::time::Duration;

use arb_core::model::PairStatus;
use console_support::{Fixture, TRADER_TOKEN, VIEWER_TOKEN};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_SECURITY_POLICY, COOKIE, LOCATION, SET_COOKIE};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// `application/x-www-form-urlencoded` of `fields`.
fn form(fields: &[(&str, &str)]) -> String {
    let encode = |text: &str| {
        text.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect::<String>()
    };
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A POST of `fields` to `path`, with the session `cookie` if any: status and body.
async fn post(
    f: &Fixture,
    path: &str,
    cookie: Option<&str>,
    fields: &[(&str, &str)],
) -> (StatusCode, String) {
    let mut request = client()
        .post(format!("{}{path}", f.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(fields));
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    let response = request.send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

/// A GET of `path` with the session `cookie`: status and body.
async fn get(f: &Fixture, path: &str, cookie: &str) -> (StatusCode, String) {
    let response = client()
        .get(format!("{}{path}", f.base))
        .header(COOKIE, cookie)
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

/// Signs in with `token`: the `Cookie` header to send and the session's CSRF token.
async fn sign_in(f: &Fixture, token: &str) -> (String, String) {
    let response = client()
        .post(format!("{}/login", f.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[("token", token)]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let set_cookie = response.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Strict"), "{set_cookie}");
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    let (status, body) = get(f, "/", &cookie).await;
    assert_eq!(status, StatusCode::OK);
    let csrf = body
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    (cookie, csrf)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_need_a_session_and_sign_in_sets_a_strict_http_only_cookie() {
    let f = console_support::start().await;
    let response = client()
        .get(format!("{}/pairs", f.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[LOCATION], "/login");
    let (status, body) = post(&f, "/login", None, &[("token", "wrong-token-0123456789")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("That token is not valid"), "{body}");
    let (status, _) = get(&f, "/events?page=status", "arb_session=forged").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (cookie, _) = sign_in(&f, TRADER_TOKEN).await;
    let response = client()
        .get(format!("{}/positions", f.base))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let policy = response.headers()[CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(policy.contains("script-src 'self'"), "{policy}");
    let body = response.text().await.unwrap();
    assert!(body.contains("alice (trader)"));
    assert!(
        body.contains("<svg id=\"pnl-daily\""),
        "the PnL chart is drawn"
    );
    f.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_need_the_csrf_token_and_a_trader() {
    let f = console_support::start().await;
    let (alice, csrf) = sign_in(&f, TRADER_TOKEN).await;
    let (bob, bob_csrf) = sign_in(&f, VIEWER_TOKEN).await;
    let halt = |csrf: &str| vec![("csrf", csrf.to_owned()), ("reason", "test".to_owned())];
    let refusals = [
        (None, halt(&csrf), StatusCode::UNAUTHORIZED, "Sign in first"),
        (
            Some(alice.as_str()),
            vec![("reason", "test".to_owned())],
            StatusCode::FORBIDDEN,
            "no valid CSRF token",
        ),
        (
            Some(alice.as_str()),
            halt("0123"),
            StatusCode::FORBIDDEN,
            "no valid CSRF token",
        ),
        (
            Some(alice.as_str()),
            halt(&bob_csrf),
            StatusCode::FORBIDDEN,
            "no valid CSRF token",
        ),
        (
            Some(bob.as_str()),
            halt(&bob_csrf),
            StatusCode::FORBIDDEN,
            "Signed in as bob, a read-only user",
        ),
        (
            Some(alice.as_str()),
            vec![("csrf", csrf.clone())],
            StatusCode::BAD_REQUEST,
            "A halt needs a reason",
        ),
    ];
    for (cookie, fields, status, message) in refusals {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (got, body) = post(&f, "/halt", cookie, &fields).await;
        assert_eq!(got, status, "{body}");
        assert!(body.contains(message), "{body}");
        assert!(body.contains("Nothing was changed"), "{body}");
        assert_eq!(f.handle.status().await.unwrap().halted, None);
    }
    let (status, _) = post(
        &f,
        "/halt",
        Some(&alice),
        &halt(&csrf)
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .collect::<Vec<_>>(),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        f.handle.status().await.unwrap().halted.as_deref(),
        Some("test (by web:alice)")
    );
    let (_, page) = get(&f, "/", &alice).await;
    assert!(
        page.contains("Trading halted"),
        "the change is reported once: {page}"
    );
    f.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_say_what_is_wrong_and_change_nothing() {
    let f = console_support::start().await;
    let (alice, csrf) = sign_in(&f, TRADER_TOKEN).await;
    let token = [("csrf", csrf.as_str())];
    for (path, status, message) in [
        (
            "/pairs/abc/pause",
            StatusCode::BAD_REQUEST,
            "`abc` is not a pair id",
        ),
        (
            "/pairs/999/pause",
            StatusCode::NOT_FOUND,
            "no pair with id 999",
        ),
        (
            "/pairs/999/resume",
            StatusCode::NOT_FOUND,
            "no pair with id 999",
        ),
        (
            "/suggestions/999/approve",
            StatusCode::NOT_FOUND,
            "no suggestion with id 999",
        ),
        ("/nowhere", StatusCode::NOT_FOUND, "There is no such page"),
    ] {
        let (got, body) = post(&f, path, Some(&alice), &token).await;
        assert_eq!(got, status, "{path}: {body}");
        assert!(body.contains(message), "{path}: {body}");
    }
    let suggestion = f.handle.suggestions(1).await.unwrap()[0].id.unwrap();
    let (status, _) = post(
        &f,
        &format!("/suggestions/{suggestion}/approve"),
        Some(&alice),
        &token,
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, body) = post(
        &f,
        &format!("/suggestions/{suggestion}/approve"),
        Some(&alice),
        &token,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.contains("already"), "{body}");
    let pair = f.handle.list_pairs(None).await.unwrap()[0].id;
    let (status, body) = post(&f, &format!("/pairs/{pair}/resume"), Some(&alice), &token).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.contains("already active"), "{body}");
    assert_eq!(
        f.handle
            .list_pairs(Some(PairStatus::Active))
            .await
            .unwrap()
            .len(),
        1
    );
    let (status, body) = post(&f, &format!("/pairs/{pair}/explode"), Some(&alice), &token).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body.contains("`explode` is not something the console can do"),
        "{body}"
    );
    let pause = [("csrf", csrf.as_str()), ("reason", "rules to re-read")];
    let (status, _) = post(&f, &format!("/pairs/{pair}/pause"), Some(&alice), &pause).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let events = f.store.pair_events(pair).await.unwrap();
    let paused = events
        .iter()
        .find(|e| e.reason == "rules to re-read")
        .unwrap();
    assert_eq!(
        paused.actor, "web:alice",
        "the audit trail names the web user"
    );
    f.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_updates_stream_each_change_and_end_at_shutdown() {
    let f = console_support::start().await;
    let (alice, _) = sign_in(&f, TRADER_TOKEN).await;
    let mut events = client()
        .get(format!("{}/events?page=status", f.base))
        .header(COOKIE, &alice)
        .send()
        .await
        .unwrap();
    assert_eq!(events.status(), StatusCode::OK);
    let mut seen = String::new();
    let mut read_until = async |needle: &str| {
        tokio::time::timeout(Duration::from_secs(10), async {
            while !seen.contains(needle) {
                let chunk = events
                    .chunk()
                    .await
                    .unwrap()
                    .expect("the stream stays open");
                seen.push_str(&String::from_utf8_lossy(&chunk));
            }
        })
        .await
        .unwrap_or_else(|_| panic!("no {needle:?} in {seen}"));
    };
    read_until("event: update").await;
    read_until("off (trading allowed)").await;
    f.handle.halt("test", "streamed").await.unwrap();
    read_until("HALTED: streamed (by test)").await;
    f.handle.resume("test").await.unwrap();

    // An execution appears on the executions page's stream as it happens.
    let mut executions = client()
        .get(format!("{}/events?page=executions", f.base))
        .header(COOKIE, &alice)
        .send()
        .await
        .unwrap();
    let first = executions.chunk().await.unwrap().unwrap();
    assert!(String::from_utf8_lossy(&first).contains("No execution yet"));
    let suggestion = f.handle.suggestions(1).await.unwrap()[0].id.unwrap();
    f.handle
        .approve_suggestion(suggestion, "test")
        .await
        .unwrap();
    let (stop_engine, stopped) = tokio::sync::watch::channel(false);
    let engine = std::sync::Arc::clone(&f.engine);
    let runner = tokio::spawn(async move { engine.run(stopped).await });
    let pairs = f.handle.list_pairs(Some(PairStatus::Active)).await.unwrap();
    let mut log = Vec::new();
    f.venues
        .drive(&pairs, Duration::from_secs(6), f.store.as_ref(), &mut log)
        .await
        .unwrap();
    let mut streamed = String::new();
    tokio::time::timeout(Duration::from_secs(10), async {
        while !streamed.contains("<article class=\"execution\"") {
            let chunk = executions
                .chunk()
                .await
                .unwrap()
                .expect("the stream stays open");
            streamed.push_str(&String::from_utf8_lossy(&chunk));
        }
    })
    .await
    .expect("an execution is streamed");
    let _ = stop_engine.send(true);
    runner.await.unwrap().unwrap();
    // Each order lists its own fills only (both venues number their orders alike).
    let (_, page) = get(&f, "/executions", &alice).await;
    assert_eq!(
        page.matches(" fee $").count(),
        f.store.fills(None).await.unwrap().len(),
        "{page}"
    );
    // Shutdown ends the open stream, so the server stops promptly.
    f.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_read_access_shows_pages_without_controls_and_changes_nothing() {
    let f = console_support::start_with(true).await;
    let response = client()
        .get(format!("{}/pairs", f.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.unwrap();
    assert!(page.contains("anonymous (read-only)"), "{page}");
    assert!(
        !page.contains("<form"),
        "no controls for an anonymous reader: {page}"
    );
    let (status, body) = post(&f, "/halt", None, &[("reason", "anonymous")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(f.handle.status().await.unwrap().halted, None);
    f.stop().await;
}
