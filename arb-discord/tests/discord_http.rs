//! serenity's HTTP client pointed at a wiremock server: notification and reply payloads, rate
//! limits, outages (5xx and connection refused) and refusals.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use arb_core::clock::{Clock, ManualClock};
use arb_core::notify::{Notification, Notifier, Severity};
use arb_discord::delivery::{self, DeliveryStats, Outbox};
use arb_discord::{BotToken, Discord, DiscordHttp, DiscordNotifier, DiscordSettings, RetryPolicy};
use serde_json::{Value, json};
use serenity::all::ChannelId;
use tokio::time::Instant;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use common::*;

const CHANNEL: u64 = 4242;
const MESSAGES: &str = "/api/v10/channels/4242/messages";

fn retry() -> RetryPolicy {
    RetryPolicy {
        initial_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(100),
    }
}

fn discord(base: &str) -> DiscordHttp {
    DiscordHttp::new(&BotToken::new("test-token"), Some(base)).unwrap()
}

fn outbox(base: &str, capacity: usize) -> Outbox {
    let (outbox, _worker) = delivery::spawn(
        discord(base).transport(ChannelId::new(CHANNEL)),
        capacity,
        retry(),
    );
    outbox
}

fn notifier(outbox: Outbox, clock: Arc<ManualClock>) -> DiscordNotifier {
    DiscordNotifier::new(
        outbox,
        Arc::new(policy(false)),
        clock as Arc<dyn Clock>,
        Duration::from_secs(300),
    )
}

fn posted(id: u64) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_json(json!({ "id": id.to_string(), "channel_id": CHANNEL.to_string() }))
}

async fn ok_messages(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path(MESSAGES))
        .respond_with(posted(9001))
        .mount(server)
        .await;
}

/// Waits (at most 10 s, so a broken build fails instead of hanging) until `n` requests arrived.
async fn requests(server: &MockServer, n: usize) -> Vec<Request> {
    for _ in 0..1000 {
        let received = server.received_requests().await.unwrap_or_default();
        if received.len() >= n {
            return received;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!(
        "expected {n} requests; got {:?}",
        server.received_requests().await.map(|r| r.len())
    );
}

async fn stats_when(outbox: &Outbox, done: impl Fn(&DeliveryStats) -> bool) -> DeliveryStats {
    for _ in 0..1000 {
        let stats = outbox.stats();
        if done(&stats) {
            return stats;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!(
        "delivery never reached the expected state: {:?}",
        outbox.stats()
    );
}

fn body(request: &Request) -> Value {
    serde_json::from_slice(&request.body).unwrap()
}

fn title(request: &Request) -> String {
    body(request)["embeds"][0]["title"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn alert(message: &str) -> Notification {
    Notification::Alert {
        severity: Severity::Warning,
        message: message.to_owned(),
    }
}

#[tokio::test]
async fn a_critical_alert_is_posted_red_and_pings_the_traders() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(MESSAGES))
        .and(header("authorization", "Bot test-token"))
        .respond_with(posted(9001))
        .expect(1)
        .mount(&server)
        .await;
    let notifier = notifier(
        outbox(&server.uri(), 100),
        Arc::new(ManualClock::new(now())),
    );
    notifier
        .notify(Notification::Alert {
            severity: Severity::Critical,
            message: "Kalshi unreachable for 60 s".into(),
        })
        .unwrap();
    let received = requests(&server, 1).await;
    assert_eq!(
        body(&received[0]),
        json!({
            "content": format!("<@{TRADER}> <@&{ROLE_TRADER}>"),
            "tts": false,
            "embeds": [{
                "title": "🚨 Critical",
                "description": "Kalshi unreachable for 60 s",
                "color": 0x00E7_4C3C,
                "type": "rich"
            }],
            "attachments": [],
            "enforce_nonce": false,
            "sticker_ids": [],
            "allowed_mentions": {
                "parse": [],
                "users": [TRADER.to_string()],
                "roles": [ROLE_TRADER.to_string()]
            }
        })
    );
}

#[tokio::test]
async fn suggestions_are_posted_once_each_with_check_and_cross_reactions() {
    let server = MockServer::start().await;
    ok_messages(&server).await;
    Mock::given(method("PUT"))
        .and(path(
            "/api/v10/channels/4242/messages/9001/reactions/%E2%9C%85/@me",
        ))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(
            "/api/v10/channels/4242/messages/9001/reactions/%E2%9D%8C/@me",
        ))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let rig = Rig::new().await;
    let suggestion = rig.bitcoin_suggestion().await;
    let notifier = notifier(outbox(&server.uri(), 100), Arc::clone(&rig.clock));
    let announcement = Notification::MatchSuggestions {
        suggestions: vec![suggestion.clone()],
    };
    notifier.notify(announcement.clone()).unwrap();
    // The same suggestions again (the engine's announcement and /find_matches' own posting).
    notifier.post_suggestions(&[suggestion]).unwrap();
    notifier.notify(announcement).unwrap();
    notifier.notify(alert("after")).unwrap();

    let received = requests(&server, 4).await;
    let calls: Vec<(String, String)> = received
        .iter()
        .map(|r| (r.method.to_string(), r.url.path().to_owned()))
        .collect();
    assert_eq!(
        calls,
        [
            ("POST".to_owned(), MESSAGES.to_owned()),
            (
                "PUT".to_owned(),
                "/api/v10/channels/4242/messages/9001/reactions/%E2%9C%85/@me".to_owned()
            ),
            (
                "PUT".to_owned(),
                "/api/v10/channels/4242/messages/9001/reactions/%E2%9D%8C/@me".to_owned()
            ),
            ("POST".to_owned(), MESSAGES.to_owned()),
        ]
    );
    let message = body(&received[0]);
    assert_eq!(
        message["embeds"][0]["title"],
        json!("Match suggestion #1 · score 99.5")
    );
    assert_eq!(
        message["embeds"][0]["fields"][0]["name"],
        json!("⚠️ close_time differs"),
        "settlement differences come first, side by side"
    );
    assert_eq!(
        message["embeds"][0]["fields"][1]["name"],
        json!("Other warnings")
    );
    assert_eq!(
        message["embeds"][0]["fields"][1]["value"],
        json!("⚠️ close times differ by 3 days")
    );
    assert_eq!(
        message["embeds"][0]["footer"]["text"],
        json!("Suggestion #1 · ✅ approves with polarity same, ❌ dismisses")
    );
    assert_eq!(title(&received[3]), "⚠️ Warning");
}

#[tokio::test]
async fn opportunities_are_throttled_per_pair() {
    let server = MockServer::start().await;
    ok_messages(&server).await;
    let clock = Arc::new(ManualClock::new(now()));
    let outbox = outbox(&server.uri(), 100);
    let notifier = notifier(outbox.clone(), Arc::clone(&clock));
    let opportunity = |pair: i64| Notification::Opportunity {
        opportunity: opportunity(pair),
    };
    notifier.notify(opportunity(1)).unwrap();
    notifier.notify(opportunity(1)).unwrap(); // held back
    notifier.notify(opportunity(2)).unwrap(); // another pair: posted
    clock.advance(chrono::Duration::seconds(299));
    notifier.notify(opportunity(1)).unwrap(); // held back
    clock.advance(chrono::Duration::seconds(1));
    notifier.notify(opportunity(1)).unwrap(); // window over: posted, counting the held ones
    notifier.notify(alert("end")).unwrap();

    let received = requests(&server, 4).await;
    let titles: Vec<String> = received.iter().map(title).collect();
    assert_eq!(
        titles,
        [
            "Opportunity on pair #1",
            "Opportunity on pair #2",
            "Opportunity on pair #1",
            "⚠️ Warning"
        ]
    );
    let third = body(&received[2]);
    assert_eq!(
        third["embeds"][0]["footer"]["text"],
        json!("2 more on this pair since the last message were not posted")
    );
    assert_eq!(
        third["embeds"][0]["fields"][2]["value"],
        json!("$0.30 (3.09%)")
    );
    assert_eq!(outbox.stats().delivered, 4);
}

#[tokio::test]
async fn an_unhedged_execution_is_red_and_pings_the_traders() {
    let server = MockServer::start().await;
    ok_messages(&server).await;
    let notifier = notifier(
        outbox(&server.uri(), 100),
        Arc::new(ManualClock::new(now())),
    );
    notifier
        .notify(Notification::ExecutionUpdate {
            execution: execution(arb_core::model::ExecutionState::Unhedged),
        })
        .unwrap();
    notifier
        .notify(Notification::ExecutionUpdate {
            execution: execution(arb_core::model::ExecutionState::Hedged),
        })
        .unwrap();
    let received = requests(&server, 2).await;
    let unhedged = body(&received[0]);
    assert_eq!(
        unhedged["embeds"][0]["title"],
        json!("🚨 Execution ex-1 on pair #7 UNHEDGED")
    );
    assert_eq!(unhedged["embeds"][0]["color"], json!(0x00E7_4C3C));
    assert_eq!(
        unhedged["content"],
        json!(format!("<@{TRADER}> <@&{ROLE_TRADER}>"))
    );
    let hedged = body(&received[1]);
    assert_eq!(
        hedged["embeds"][0]["title"],
        json!("Execution ex-1 on pair #7: hedged")
    );
    assert_eq!(hedged["embeds"][0]["color"], json!(0x002E_CC71));
    assert!(hedged.get("content").is_none());
}

#[tokio::test]
async fn the_daily_pnl_summary_is_posted() {
    let server = MockServer::start().await;
    ok_messages(&server).await;
    let notifier = notifier(
        outbox(&server.uri(), 100),
        Arc::new(ManualClock::new(now())),
    );
    notifier
        .notify(Notification::PositionSummary {
            positions: vec![],
            realized_today: rust_decimal_macros::dec!(12.345),
            locked_in: rust_decimal_macros::dec!(3.2),
        })
        .unwrap();
    let received = requests(&server, 1).await;
    let embed = &body(&received[0])["embeds"][0];
    assert_eq!(embed["title"], json!("Daily PnL summary"));
    assert_eq!(
        embed["fields"][0],
        json!({"name": "Realised today", "value": "$12.35", "inline": true})
    );
    assert_eq!(
        embed["fields"][1],
        json!({"name": "Locked in", "value": "$3.20", "inline": true})
    );
}

#[tokio::test]
async fn a_429_is_honoured_by_waiting_retry_after_then_retrying() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(MESSAGES))
        .respond_with(ResponseTemplate::new(429).set_body_json(json!({
            "message": "You are being rate limited.",
            "retry_after": 0.3,
            "global": false
        })))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    ok_messages(&server).await;
    let outbox = outbox(&server.uri(), 100);
    let notifier = notifier(outbox.clone(), Arc::new(ManualClock::new(now())));
    let start = Instant::now();
    notifier.notify(alert("first")).unwrap();
    notifier.notify(alert("second")).unwrap();
    let received = requests(&server, 3).await;
    assert!(
        start.elapsed() >= Duration::from_millis(300),
        "{:?}",
        start.elapsed()
    );
    let messages: Vec<String> = received
        .iter()
        .map(|r| {
            body(r)["embeds"][0]["description"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(messages, ["first", "first", "second"]);
    let stats = stats_when(&outbox, |s| s.delivered == 2).await;
    assert_eq!(stats.rate_limited, 1);
    assert_eq!(stats.failed_attempts, 0);
}

#[tokio::test]
async fn an_exhausted_rate_limit_bucket_is_waited_out_before_the_next_message() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(MESSAGES))
        .respond_with(
            posted(9001)
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-reset-after", "0.3"),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    ok_messages(&server).await;
    let notifier = notifier(
        outbox(&server.uri(), 100),
        Arc::new(ManualClock::new(now())),
    );
    notifier.notify(alert("first")).unwrap();
    requests(&server, 1).await;
    let after_first = Instant::now();
    notifier.notify(alert("second")).unwrap();
    requests(&server, 2).await;
    assert!(
        after_first.elapsed() >= Duration::from_millis(250),
        "{:?}",
        after_first.elapsed()
    );
}

#[tokio::test]
async fn a_5xx_outage_queues_messages_and_delivers_them_in_order_afterwards() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(MESSAGES))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(3)
        .with_priority(1)
        .mount(&server)
        .await;
    ok_messages(&server).await;
    let outbox = outbox(&server.uri(), 100);
    let notifier = notifier(outbox.clone(), Arc::new(ManualClock::new(now())));
    for m in ["one", "two", "three"] {
        notifier.notify(alert(m)).unwrap();
    }
    let received = requests(&server, 6).await;
    let messages: Vec<String> = received
        .iter()
        .map(|r| {
            body(r)["embeds"][0]["description"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(messages, ["one", "one", "one", "one", "two", "three"]);
    let stats = stats_when(&outbox, |s| s.delivered == 3).await;
    assert_eq!(stats.failed_attempts, 3);
    assert_eq!(stats.queued, 0);
}

#[tokio::test]
async fn messages_wait_while_discord_is_unreachable_and_go_out_when_it_returns() {
    // A port nobody listens on: connection refused.
    let reserved = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = reserved.local_addr().unwrap();
    drop(reserved);
    let outbox = outbox(&format!("http://{address}"), 100);
    let notifier = notifier(outbox.clone(), Arc::new(ManualClock::new(now())));
    for m in ["one", "two", "three"] {
        notifier.notify(alert(m)).unwrap();
    }
    let down = stats_when(&outbox, |s| s.failed_attempts >= 3).await;
    assert_eq!(down.delivered, 0);
    assert!(down.queued >= 2, "{down:?}");

    let listener = std::net::TcpListener::bind(address).unwrap();
    let server = MockServer::builder().listener(listener).start().await;
    ok_messages(&server).await;
    let received = requests(&server, 3).await;
    let messages: Vec<String> = received
        .iter()
        .map(|r| {
            body(r)["embeds"][0]["description"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(messages, ["one", "two", "three"]);
    stats_when(&outbox, |s| s.delivered == 3).await;
}

#[tokio::test]
async fn a_refused_message_is_skipped_and_the_queue_moves_on() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(MESSAGES))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(json!({"message": "Missing Permissions", "code": 50013})),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    ok_messages(&server).await;
    let outbox = outbox(&server.uri(), 100);
    let notifier = notifier(outbox.clone(), Arc::new(ManualClock::new(now())));
    notifier.notify(alert("refused")).unwrap();
    notifier.notify(alert("next")).unwrap();
    requests(&server, 2).await;
    let stats = stats_when(&outbox, |s| s.delivered == 1).await;
    assert_eq!(stats.rejected, 1);
}

#[tokio::test]
async fn notify_never_waits_and_refuses_only_when_the_queue_is_full() {
    // Discord unreachable: every message stays queued.
    let reserved = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = reserved.local_addr().unwrap();
    drop(reserved);
    let notifier = notifier(
        outbox(&format!("http://{address}"), 3),
        Arc::new(ManualClock::new(now())),
    );
    // One message is taken by the worker (retrying), three wait in the queue.
    notifier.notify(alert("1")).unwrap();
    stats_when(notifier.outbox(), |s| s.failed_attempts >= 1).await;
    for m in ["2", "3", "4"] {
        notifier.notify(alert(m)).unwrap();
    }
    let full = notifier.notify(alert("5")).unwrap_err();
    assert_eq!(full.0, "the Discord queue is full; message not queued");
}

#[tokio::test]
async fn the_service_delivers_through_its_notifier_and_flushes_on_shutdown() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(MESSAGES))
        .and(header("authorization", "Bot secret-token-xyz"))
        .respond_with(posted(9001))
        .mount(&server)
        .await;
    let mut settings =
        DiscordSettings::new(BotToken::new("secret-token-xyz"), CHANNEL, policy(false));
    settings.api_base = Some(server.uri());
    settings.retry = retry();
    let discord = Discord::start(&settings, Arc::new(ManualClock::new(now()))).unwrap();
    let debug = format!("{discord:?} {settings:?}");
    assert!(!debug.contains("secret-token-xyz"), "{debug}");
    discord.notifier().notify(alert("last words")).unwrap();
    discord.flush().await;
    let received = server.received_requests().await.unwrap_or_default();
    assert_eq!(received.len(), 1);
    assert_eq!(
        body(&received[0])["embeds"][0]["description"],
        json!("last words")
    );
}
