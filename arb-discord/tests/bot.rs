//! The serenity glue against a wiremock Discord and a real engine: slash-command replies
//! (deferred answer, private refusals and bad input) and ✅ / ❌ reactions on suggestions.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use arb_core::clock::Clock;
use arb_core::engine::EngineHandle;
use arb_core::model::{PairStatus, SuggestionStatus};
use arb_discord::{BotToken, DiscordHttp, DiscordNotifier, RetryPolicy, bot::Bot, delivery};
use serde_json::{Value, json};
use serenity::all::{ApplicationId, ChannelId, CommandInteraction, Http, Reaction, UserId};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use common::*;

const CHANNEL: u64 = 4242;
const BOT_USER: u64 = 999;

struct Harness {
    server: MockServer,
    http: Arc<Http>,
    bot: Bot<EngineHandle>,
    rig: Rig,
}

async fn harness(readonly_open: bool) -> Harness {
    let server = MockServer::start().await;
    let discord = DiscordHttp::new(&BotToken::new("test-token"), Some(&server.uri())).unwrap();
    let http = discord.http();
    http.set_application_id(ApplicationId::new(6001));
    let (outbox, _worker) = delivery::spawn(
        discord.transport(ChannelId::new(CHANNEL)),
        100,
        RetryPolicy {
            initial_backoff: Duration::from_millis(20),
            max_backoff: Duration::from_millis(100),
        },
    );
    let rig = Rig::new().await;
    let policy = Arc::new(policy(readonly_open));
    let notifier = Arc::new(DiscordNotifier::new(
        outbox,
        Arc::clone(&policy),
        Arc::clone(&rig.clock) as Arc<dyn Clock>,
        Duration::from_secs(300),
    ));
    let bot = Bot::new(
        Arc::new(rig.handle.clone()),
        policy,
        ChannelId::new(CHANNEL),
        notifier,
    );
    Harness {
        server,
        http,
        bot,
        rig,
    }
}

fn user(id: u64) -> Value {
    json!({"id": id.to_string(), "username": format!("user{id}"), "discriminator": "0", "avatar": null})
}

fn member(id: u64, roles: &[u64]) -> Value {
    json!({
        "user": user(id),
        "roles": roles.iter().map(u64::to_string).collect::<Vec<_>>(),
        "joined_at": "2026-01-01T00:00:00Z",
        "deaf": false,
        "mute": false,
        "flags": 0
    })
}

fn interaction(user_id: u64, name: &str, options: Value) -> CommandInteraction {
    serde_json::from_value(json!({
        "id": "5001",
        "application_id": "6001",
        "type": 2,
        "data": {"id": "7001", "name": name, "type": 1, "options": options},
        "guild_id": "8001",
        "channel_id": CHANNEL.to_string(),
        "member": member(user_id, &[]),
        "token": "itoken",
        "version": 1,
        "locale": "en-US",
        "app_permissions": "0",
        "entitlements": [],
        "authorizing_integration_owners": {},
        "attachment_size_limit": 0
    }))
    .unwrap()
}

fn message(id: u64, author: u64, embeds: Value) -> Value {
    json!({
        "id": id.to_string(),
        "channel_id": CHANNEL.to_string(),
        "author": user(author),
        "content": "",
        "timestamp": "2026-11-23T12:00:00Z",
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": embeds,
        "pinned": false,
        "type": 0
    })
}

async fn mount_interaction_endpoints(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/api/v10/interactions/5001/itoken/callback"))
        .respond_with(ResponseTemplate::new(204))
        .mount(server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/api/v10/webhooks/6001/itoken/messages/@original"))
        .respond_with(ResponseTemplate::new(200).set_body_json(message(9100, BOT_USER, json!([]))))
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v10/channels/4242/messages"))
        .respond_with(ResponseTemplate::new(200).set_body_json(message(9200, BOT_USER, json!([]))))
        .mount(server)
        .await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(204))
        .mount(server)
        .await;
}

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

fn body(request: &Request) -> Value {
    serde_json::from_slice(&request.body).unwrap()
}

fn route(request: &Request) -> String {
    format!("{} {}", request.method, request.url.path())
}

#[tokio::test]
async fn a_command_is_deferred_then_answered_with_its_embed() {
    let h = harness(false).await;
    mount_interaction_endpoints(&h.server).await;
    h.rig
        .handle
        .approve_pair(
            &kalshi(KALSHI_TICKER),
            &poly(POLY_ID),
            arb_core::model::Polarity::Same,
            "cli",
        )
        .await
        .unwrap();
    let pair_id = h.rig.pairs().await[0].id;
    let command = interaction(
        TRADER,
        "pause_pair",
        json!([{"name": "pair_id", "type": 4, "value": pair_id.0}]),
    );
    h.bot.handle_command(&h.http, &command).await.unwrap();

    let received = requests(&h.server, 2).await;
    assert_eq!(
        route(&received[0]),
        "POST /api/v10/interactions/5001/itoken/callback"
    );
    assert_eq!(body(&received[0])["type"], json!(5));
    assert_eq!(
        route(&received[1]),
        "PATCH /api/v10/webhooks/6001/itoken/messages/@original"
    );
    let edit = body(&received[1]);
    assert_eq!(
        edit["embeds"][0]["title"],
        json!(format!("Pair #{pair_id} paused"))
    );
    assert_eq!(edit["embeds"][0]["color"], json!(0x002E_CC71));
    assert_eq!(
        edit["allowed_mentions"],
        json!({"parse": [], "roles": [], "users": []})
    );
    assert_eq!(h.rig.pairs().await[0].status, PairStatus::Paused);
    let events = h.rig.events(pair_id.0).await;
    assert_eq!(
        events.last().map(|e| e.actor.as_str()),
        Some("discord:111111111111111111")
    );
}

#[tokio::test]
async fn a_stranger_gets_a_private_refusal_and_nothing_runs() {
    let h = harness(false).await;
    mount_interaction_endpoints(&h.server).await;
    let command = interaction(STRANGER, "halt", json!([]));
    h.bot.handle_command(&h.http, &command).await.unwrap();

    let received = requests(&h.server, 1).await;
    assert_eq!(received.len(), 1);
    let refusal = body(&received[0]);
    assert_eq!(refusal["type"], json!(4));
    assert_eq!(refusal["data"]["flags"], json!(64));
    assert_eq!(
        refusal["data"]["embeds"][0]["title"],
        json!("Sorry, you are not allowed to do that")
    );
    assert_eq!(h.rig.halted().await, None);
}

#[tokio::test]
async fn bad_input_gets_a_private_explanation() {
    let h = harness(false).await;
    mount_interaction_endpoints(&h.server).await;
    let command = interaction(
        TRADER,
        "approve_pair",
        json!([
            {"name": "kalshi_id", "type": 3, "value": KALSHI_TICKER},
            {"name": "poly_id", "type": 3, "value": "0xnothex"}
        ]),
    );
    h.bot.handle_command(&h.http, &command).await.unwrap();
    let received = requests(&h.server, 1).await;
    let reply = body(&received[0]);
    assert_eq!(reply["type"], json!(4));
    assert_eq!(reply["data"]["flags"], json!(64));
    assert_eq!(
        reply["data"]["embeds"][0]["description"],
        json!(
            "`0xnothex` is not a Polymarket condition id (`0x` followed by 64 hex digits).\nUsage: `/approve_pair <kalshi_id> <poly_id> [polarity]`"
        )
    );
    assert!(h.rig.pairs().await.is_empty());
}

#[tokio::test]
async fn find_matches_answers_then_posts_each_suggestion_with_reactions() {
    let h = harness(false).await;
    mount_interaction_endpoints(&h.server).await;
    let command = interaction(
        TRADER,
        "find_matches",
        json!([{"name": "similarity", "type": 10, "value": 90.0}]),
    );
    h.bot.handle_command(&h.http, &command).await.unwrap();
    // callback, edit, then per suggestion: message, ✅, ❌.
    let received = requests(&h.server, 8).await;
    let routes: Vec<String> = received.iter().map(route).collect();
    assert_eq!(
        routes,
        [
            "POST /api/v10/interactions/5001/itoken/callback",
            "PATCH /api/v10/webhooks/6001/itoken/messages/@original",
            "POST /api/v10/channels/4242/messages",
            "PUT /api/v10/channels/4242/messages/9200/reactions/%E2%9C%85/@me",
            "PUT /api/v10/channels/4242/messages/9200/reactions/%E2%9D%8C/@me",
            "POST /api/v10/channels/4242/messages",
            "PUT /api/v10/channels/4242/messages/9200/reactions/%E2%9C%85/@me",
            "PUT /api/v10/channels/4242/messages/9200/reactions/%E2%9D%8C/@me",
        ]
    );
    assert_eq!(
        body(&received[1])["embeds"][0]["title"],
        json!("2 match suggestion(s)")
    );
    assert_eq!(
        body(&received[2])["embeds"][0]["title"],
        json!("Match suggestion #1 · score 99.5")
    );
    assert_eq!(
        body(&received[5])["embeds"][0]["title"],
        json!("Match suggestion #2 · score 97.0")
    );
}

fn reaction(user_id: u64, emoji: &str) -> Reaction {
    serde_json::from_value(json!({
        "user_id": user_id.to_string(),
        "channel_id": CHANNEL.to_string(),
        "message_id": "9001",
        "guild_id": "8001",
        "member": member(user_id, &[]),
        "emoji": {"id": null, "name": emoji},
        "message_author_id": BOT_USER.to_string(),
        "burst": false,
        "type": 0
    }))
    .unwrap()
}

async fn suggestion_message(h: &Harness, id: i64) {
    let footer = format!("Suggestion #{id} · ✅ approves with polarity same, ❌ dismisses");
    Mock::given(method("GET"))
        .and(path("/api/v10/channels/4242/messages/9001"))
        .respond_with(ResponseTemplate::new(200).set_body_json(message(
            9001,
            BOT_USER,
            json!([{"type": "rich", "title": "Match suggestion", "footer": {"text": footer}}]),
        )))
        .mount(&h.server)
        .await;
}

#[tokio::test]
async fn a_check_mark_from_a_trader_approves_the_suggestion() {
    let h = harness(false).await;
    mount_interaction_endpoints(&h.server).await;
    let suggestion = h.rig.bitcoin_suggestion().await;
    let id = suggestion.id.unwrap();
    suggestion_message(&h, id.0).await;
    h.bot
        .handle_reaction(&h.http, &reaction(TRADER, "✅"), UserId::new(BOT_USER))
        .await
        .unwrap();
    let received = requests(&h.server, 2).await;
    assert_eq!(
        route(&received[0]),
        "GET /api/v10/channels/4242/messages/9001"
    );
    assert_eq!(route(&received[1]), "POST /api/v10/channels/4242/messages");
    let pair = &h.rig.pairs().await[0];
    assert_eq!(
        body(&received[1])["embeds"][0]["title"],
        json!(format!("Pair #{} approved", pair.id))
    );
    assert_eq!(
        (&pair.a, &pair.b, pair.polarity),
        (&suggestion.a, &suggestion.b, suggestion.polarity)
    );
    assert_eq!(pair.approved_by, "discord:111111111111111111");
    assert_eq!(
        h.rig.suggestion_status(id).await,
        Some(SuggestionStatus::Approved)
    );
}

#[tokio::test]
async fn a_cross_from_a_stranger_is_refused_in_the_channel() {
    let h = harness(true).await;
    mount_interaction_endpoints(&h.server).await;
    let id = h.rig.bitcoin_suggestion().await.id.unwrap();
    suggestion_message(&h, id.0).await;
    h.bot
        .handle_reaction(&h.http, &reaction(STRANGER, "❌"), UserId::new(BOT_USER))
        .await
        .unwrap();
    let received = requests(&h.server, 2).await;
    let refusal = body(&received[1]);
    assert_eq!(
        refusal["embeds"][0]["title"],
        json!("Sorry, you are not allowed to do that")
    );
    assert_eq!(
        h.rig.suggestion_status(id).await,
        Some(SuggestionStatus::Open)
    );
}

#[tokio::test]
async fn the_bots_own_and_unrelated_reactions_are_ignored() {
    let h = harness(false).await;
    mount_interaction_endpoints(&h.server).await;
    let id = h.rig.bitcoin_suggestion().await.id.unwrap();
    suggestion_message(&h, id.0).await;
    for r in [reaction(BOT_USER, "✅"), reaction(TRADER, "👍")] {
        h.bot
            .handle_reaction(&h.http, &r, UserId::new(BOT_USER))
            .await
            .unwrap();
    }
    assert!(
        h.server
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty()
    );
    assert_eq!(
        h.rig.suggestion_status(id).await,
        Some(SuggestionStatus::Open)
    );
}
