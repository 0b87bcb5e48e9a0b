//! The command layer without Discord, on a real engine over two simulated venues: every
//! command, refusal and bad input.

#![allow(clippy::unwrap_used)]

mod common;

use arb_core::model::{
    PairAction, PairId, PairStatus, Polarity, Relation, SettlementWarning, SuggestionId,
    SuggestionStatus, WarningKind,
};
use arb_core::notify::Notification;
use arb_discord::command::{self, ArgValue, Invocation, Outcome, Verdict};
use arb_discord::{Actor, Policy, Tone};
use common::*;

async fn run(rig: &Rig, policy: &Policy, actor: &Actor, input: Invocation) -> Outcome {
    command::handle(&rig.handle, policy, actor, &input).await
}

async fn as_trader(rig: &Rig, input: Invocation) -> Outcome {
    run(rig, &policy(false), &trader(), input).await
}

fn text(s: &str) -> ArgValue {
    ArgValue::Text(s.to_owned())
}

fn approve(kalshi: &str, poly: &str) -> Invocation {
    Invocation::new("approve_pair")
        .arg("kalshi_id", text(kalshi))
        .arg("poly_id", text(poly))
}

async fn with_pair(engine: &Rig) {
    let out = as_trader(engine, approve(KALSHI_TICKER, POLY_ID)).await;
    assert_eq!(out.reply.title, "Pair #1 approved");
}

#[tokio::test]
async fn find_matches_posts_each_suggestion_with_score_polarity_and_warnings() {
    let rig = Rig::new().await;
    let out = as_trader(&rig, Invocation::new("find_matches")).await;
    assert_eq!(out.reply.title, "2 match suggestion(s)");
    assert!(out.reply.description.ends_with(&format!(
        "\n#1 · 99.5 · `kalshi:{KALSHI_TICKER_2}` ↔ `polymarket:{POLY_ID_2}`\n#2 · 97.0 · `kalshi:{KALSHI_TICKER}` ↔ `polymarket:{POLY_ID}`"
    )));
    assert_eq!(out.suggestions.len(), 2);
    // The engine stored them and announced them (the Discord notifier posts each once).
    assert_eq!(rig.suggestions().await.len(), 2);
    assert!(matches!(
        rig.notifications().as_slice(),
        [Notification::MatchSuggestions { suggestions }] if suggestions.len() == 2
    ));

    let bitcoin = &out.suggestions[0];
    let message = arb_discord::format::suggestion(bitcoin);
    assert_eq!(message.title, "Match suggestion #1 · score 99.5");
    assert_eq!(
        message.description,
        format!(
            "**A** `kalshi:{KALSHI_TICKER_2}`\n**B** `polymarket:{POLY_ID_2}`\n**Relation** equivalent\n**Polarity** same (A.YES ≡ B.YES)"
        )
    );
    assert_eq!(
        message.field_value("Other warnings"),
        Some("⚠️ close times differ by 3 days")
    );
    for diff in &bitcoin.diffs {
        assert_eq!(
            message.field_value(&diff.field),
            Some(format!("A: {}\nB: {}", diff.a, diff.b).as_str())
        );
    }
    assert_eq!(message.reactions, ["✅", "❌"]);
    assert_eq!(message.tone, Tone::Warning);
    assert_eq!(
        message.footer.as_deref(),
        Some("Suggestion #1 · ✅ approves with polarity same, ❌ dismisses")
    );
    let fed = arb_discord::format::suggestion(&out.suggestions[1]);
    assert_eq!(fed.field_value("Other warnings"), None);
    assert_eq!(fed.tone, Tone::Info);
}

#[tokio::test]
async fn an_untradable_suggestion_shows_its_differences_and_offers_only_dismissal() {
    let rig = Rig::new().await;
    let mut subset = rig.bitcoin_suggestion().await;
    subset.relation = Relation::Subset;
    subset.settlement = vec![SettlementWarning {
        kind: WarningKind::Scope,
        a: "at one moment (close or stated time)".into(),
        b: "at any time in the window".into(),
    }];
    let message = arb_discord::format::suggestion(&subset);
    assert!(
        message
            .description
            .contains("**Relation** subset — not tradable"),
        "{}",
        message.description
    );
    assert_eq!(
        message.field_value("⚠️ scope differs"),
        Some("A: at one moment (close or stated time)\nB: at any time in the window")
    );
    assert_eq!(
        message.reactions,
        ["❌"],
        "no ✅ on a pair that cannot be traded"
    );
    assert!(
        message
            .footer
            .as_deref()
            .is_some_and(|f| f.contains("settles as subset: cannot be approved")),
        "{:?}",
        message.footer
    );
}

#[tokio::test]
async fn find_matches_passes_the_similarity_threshold() {
    let rig = Rig::new().await;
    let out = as_trader(
        &rig,
        Invocation::new("find_matches").arg("similarity", ArgValue::Number(98.0)),
    )
    .await;
    assert_eq!(out.reply.title, "1 match suggestion(s)");
    assert!(
        out.reply
            .description
            .starts_with("Scored at least similarity 98, best first.")
    );
    assert_eq!(out.suggestions.len(), 1);
    assert_eq!(out.suggestions[0].a, kalshi(KALSHI_TICKER_2));

    let none = as_trader(
        &rig,
        Invocation::new("find_matches").arg("similarity", ArgValue::Integer(100)),
    )
    .await;
    assert_eq!(none.reply.title, "No new match suggestions");
    assert!(none.suggestions.is_empty());
}

#[tokio::test]
async fn find_matches_leaves_out_paired_markets() {
    let rig = Rig::new().await;
    with_pair(&rig).await;
    let out = as_trader(&rig, Invocation::new("find_matches")).await;
    assert_eq!(out.reply.title, "1 match suggestion(s)");
    assert_eq!(out.suggestions[0].a, kalshi(KALSHI_TICKER_2));
}

#[tokio::test]
async fn similarity_out_of_range_or_not_a_number_is_explained_without_calling_the_engine() {
    let rig = Rig::new().await;
    for (value, problem) in [
        (
            ArgValue::Number(150.0),
            "`similarity` must be between 0 and 100, got 150.",
        ),
        (
            ArgValue::Number(-1.0),
            "`similarity` must be between 0 and 100, got -1.",
        ),
        (
            ArgValue::Number(f64::NAN),
            "`similarity` must be between 0 and 100, got NaN.",
        ),
        (text("high"), "`similarity` must be a number, got `high`."),
    ] {
        let out = as_trader(
            &rig,
            Invocation::new("find_matches").arg("similarity", value),
        )
        .await;
        assert_eq!(out.reply.title, "I could not read that");
        assert_eq!(
            out.reply.description,
            format!("{problem}\nUsage: `/find_matches [similarity]`")
        );
        assert!(out.reply.private);
        assert!(out.suggestions.is_empty());
    }
    assert!(rig.suggestions().await.is_empty());
}

#[tokio::test]
async fn approve_pair_records_who_with_the_chosen_polarity() {
    let rig = Rig::new().await;
    let out = as_trader(
        &rig,
        approve(
            &KALSHI_TICKER.to_lowercase(),
            &POLY_ID.to_uppercase().replace("0X", "0x"),
        )
        .arg("polarity", text("inverse")),
    )
    .await;
    assert_eq!(out.reply.title, "Pair #1 approved");
    assert_eq!(out.reply.tone, Tone::Success);
    assert_eq!(
        out.reply.field_value("Approved by"),
        Some("discord:111111111111111111")
    );
    let pairs = rig.pairs().await;
    assert_eq!(pairs.len(), 1);
    assert_eq!(pairs[0].a, kalshi(KALSHI_TICKER));
    assert_eq!(pairs[0].b, poly(POLY_ID));
    assert_eq!(pairs[0].polarity, Polarity::Inverse);
    assert_eq!(pairs[0].approved_by, "discord:111111111111111111");
}

#[tokio::test]
async fn approve_pair_defaults_to_same_polarity() {
    let rig = Rig::new().await;
    with_pair(&rig).await;
    assert_eq!(rig.pairs().await[0].polarity, Polarity::Same);
}

#[tokio::test]
async fn malformed_market_ids_and_polarity_are_explained() {
    let rig = Rig::new().await;
    let cases = [
        (
            approve("KX FED!", POLY_ID),
            "`KX FED!` is not a Kalshi ticker (letters, digits and `-`, like `KXFEDDECISION-25DEC-H0`).",
        ),
        (
            approve(KALSHI_TICKER, "0x1234"),
            "`0x1234` is not a Polymarket condition id (`0x` followed by 64 hex digits).",
        ),
        (
            approve(KALSHI_TICKER, &format!("0x{}", "g".repeat(64))),
            &format!(
                "`0x{}` is not a Polymarket condition id (`0x` followed by 64 hex digits).",
                "g".repeat(64)
            ),
        ),
        (
            approve(KALSHI_TICKER, POLY_ID).arg("polarity", text("opposite")),
            "unknown polarity `opposite` (expected `same` or `inverse`)",
        ),
        (
            Invocation::new("approve_pair").arg("kalshi_id", text(KALSHI_TICKER)),
            "`poly_id` is required.",
        ),
    ];
    for (input, problem) in cases {
        let out = as_trader(&rig, input).await;
        assert_eq!(out.reply.title, "I could not read that");
        assert_eq!(
            out.reply.description,
            format!("{problem}\nUsage: `/approve_pair <kalshi_id> <poly_id> [polarity]`")
        );
    }
    assert!(rig.pairs().await.is_empty());
}

#[tokio::test]
async fn approving_markets_not_in_the_catalogue_says_which() {
    let rig = Rig::new().await;
    let missing = format!("0x{}", "3".repeat(64));
    let out = as_trader(&rig, approve(KALSHI_TICKER, &missing)).await;
    assert_eq!(out.reply.title, "That did not work");
    assert_eq!(
        out.reply.description,
        format!(
            "unknown market `polymarket:{missing}`: run `markets sync` first or check the id. Check the id on the venue's site."
        )
    );
    assert!(rig.pairs().await.is_empty());
}

#[tokio::test]
async fn list_pairs_shows_each_pair_and_its_status() {
    let rig = Rig::new().await;
    let empty = as_trader(&rig, Invocation::new("list_pairs")).await;
    assert_eq!(empty.reply.title, "No pairs yet");

    with_pair(&rig).await;
    as_trader(&rig, approve(KALSHI_TICKER_2, POLY_ID_2)).await;
    as_trader(
        &rig,
        Invocation::new("pause_pair").arg("pair_id", ArgValue::Integer(2)),
    )
    .await;
    let out = as_trader(&rig, Invocation::new("list_pairs")).await;
    assert_eq!(out.reply.title, "2 pair(s), 1 active");
    assert_eq!(
        out.reply.description,
        format!(
            "**#1** `kalshi:{KALSHI_TICKER}` ↔ `polymarket:{POLY_ID}` · same · active\n**#2** `kalshi:{KALSHI_TICKER_2}` ↔ `polymarket:{POLY_ID_2}` · same · paused"
        )
    );
}

#[tokio::test]
async fn positions_show_holdings_and_pnl() {
    let rig = Rig::new().await;
    let out = as_trader(&rig, Invocation::new("positions")).await;
    assert_eq!(out.reply.title, "1 open position(s)");
    assert_eq!(
        out.reply.description,
        format!("`kalshi:{KALSHI_TICKER}` YES × 10 @ 0.45 · realised $1.50")
    );
    assert_eq!(out.reply.field_value("Realised PnL"), Some("$1.50"));
    assert_eq!(out.reply.field_value("Fees paid"), Some("$0.12"));
    assert_eq!(out.reply.field_value("Cost basis"), Some("$4.50"));
    assert_eq!(
        out.reply.field_value("Today"),
        Some("realised $2.50 · locked in $4.75 · unrealised -$0.30 · 3 execution(s)")
    );
}

#[tokio::test]
async fn pause_and_resume_a_pair() {
    let rig = Rig::new().await;
    with_pair(&rig).await;
    let paused = as_trader(
        &rig,
        Invocation::new("pause_pair").arg("pair_id", ArgValue::Integer(1)),
    )
    .await;
    assert_eq!(paused.reply.title, "Pair #1 paused");
    assert_eq!(rig.pairs().await[0].status, PairStatus::Paused);

    let again = as_trader(
        &rig,
        Invocation::new("pause_pair").arg("pair_id", text("#1")),
    )
    .await;
    assert_eq!(again.reply.description, "pair 1 is not active.");

    let resumed = as_trader(
        &rig,
        Invocation::new("resume_pair").arg("pair_id", ArgValue::Integer(1)),
    )
    .await;
    assert_eq!(resumed.reply.title, "Pair #1 resumed");
    assert_eq!(rig.pairs().await[0].status, PairStatus::Active);
    let events = rig.events(1).await;
    let trail: Vec<(PairAction, &str)> = events
        .iter()
        .map(|e| (e.action, e.actor.as_str()))
        .collect();
    assert_eq!(
        trail,
        [
            (PairAction::Approved, "discord:111111111111111111"),
            (PairAction::Paused, "discord:111111111111111111"),
            (PairAction::Resumed, "discord:111111111111111111"),
        ]
    );
    assert!(events.iter().all(|e| e.at == now()));
}

#[tokio::test]
async fn unknown_and_malformed_pair_ids_are_explained() {
    let rig = Rig::new().await;
    let unknown = as_trader(
        &rig,
        Invocation::new("pause_pair").arg("pair_id", ArgValue::Integer(99)),
    )
    .await;
    assert_eq!(
        unknown.reply.description,
        "no pair with id 99. Use `/list_pairs` to see pair ids."
    );
    for (input, problem) in [
        (
            Invocation::new("resume_pair").arg("pair_id", text("abc")),
            "`abc` is not a pair id: use the number shown by `/list_pairs`, like `42`.",
        ),
        (
            Invocation::new("resume_pair").arg("pair_id", ArgValue::Integer(0)),
            "`0` is not a pair id: pair ids start at 1.",
        ),
        (
            Invocation::new("resume_pair").arg("pair_id", ArgValue::Number(1.5)),
            "`1.5` is not a pair id: use the whole number shown by `/list_pairs`.",
        ),
        (
            Invocation::new("resume_pair"),
            "`pair_id` is required (see `/list_pairs`).",
        ),
    ] {
        let out = as_trader(&rig, input).await;
        assert_eq!(
            out.reply.description,
            format!("{problem}\nUsage: `/resume_pair <pair_id>`")
        );
    }
}

#[tokio::test]
async fn halt_and_resume_flip_the_kill_switch_and_status_shows_it() {
    let rig = Rig::new().await;
    let halted = as_trader(
        &rig,
        Invocation::new("halt").arg("reason", text("  venue maintenance ")),
    )
    .await;
    assert_eq!(halted.reply.title, "Trading halted");
    assert_eq!(halted.reply.tone, Tone::Danger);
    assert_eq!(
        rig.halted().await.as_deref(),
        Some("venue maintenance (by discord:111111111111111111)")
    );
    let status = as_trader(&rig, Invocation::new("status")).await;
    assert_eq!(status.reply.title, "Trading halted");
    assert!(
        status
            .reply
            .description
            .starts_with("Kill switch: venue maintenance (by discord:111111111111111111)\n")
    );

    let resumed = as_trader(&rig, Invocation::new("resume")).await;
    assert_eq!(resumed.reply.title, "Trading resumed");
    assert_eq!(rig.halted().await, None);

    as_trader(&rig, Invocation::new("halt")).await;
    assert_eq!(
        rig.halted().await.as_deref(),
        Some("halted from Discord (by discord:111111111111111111)")
    );
}

#[tokio::test]
async fn status_shows_venues_pairs_last_opportunity_and_todays_pnl() {
    let rig = Rig::new().await;
    with_pair(&rig).await;
    let out = as_trader(&rig, Invocation::new("status")).await;
    assert_eq!(out.reply.title, "Running · paper mode");
    assert_eq!(out.reply.tone, Tone::Success);
    assert_eq!(
        out.reply.field_value("Venues"),
        Some("🔴 kalshi · no book yet\n🔴 polymarket · no book yet")
    );
    assert_eq!(
        out.reply.field_value("Pairs"),
        Some("1 active · 0 inactive")
    );
    assert_eq!(out.reply.field_value("Last opportunity"), Some("none yet"));
    assert_eq!(
        out.reply.field_value("Today's PnL"),
        Some("realised $2.50 · locked in $4.75 · 3 execution(s)")
    );
}

#[tokio::test]
async fn help_lists_every_command_and_marks_the_locked_ones() {
    let rig = Rig::new().await;
    let out = as_trader(&rig, Invocation::new("help")).await;
    assert_eq!(out.reply.title, "Commands");
    for line in [
        "`/find_matches [similarity]` 🔒",
        "`/approve_pair <kalshi_id> <poly_id> [polarity]` 🔒",
        "`/list_pairs` List",
        "`/positions` Open",
        "`/pause_pair <pair_id>` 🔒",
        "`/resume_pair <pair_id>` 🔒",
        "`/halt [reason]` 🔒",
        "`/resume` 🔒",
        "`/status` Venues",
        "`/help` What",
    ] {
        assert!(out.reply.description.contains(line), "{line}");
    }
}

#[tokio::test]
async fn unknown_commands_are_explained() {
    let rig = Rig::new().await;
    let out = as_trader(&rig, Invocation::new("buy_everything")).await;
    assert_eq!(
        out.reply.description,
        "`/buy_everything` is not a command I know."
    );
}

#[tokio::test]
async fn strangers_are_politely_refused_every_change_and_nothing_changes() {
    let rig = Rig::new().await;
    let mutating = [
        Invocation::new("find_matches"),
        approve(KALSHI_TICKER, POLY_ID),
        Invocation::new("pause_pair").arg("pair_id", ArgValue::Integer(1)),
        Invocation::new("resume_pair").arg("pair_id", ArgValue::Integer(1)),
        Invocation::new("halt"),
        Invocation::new("resume"),
    ];
    for input in mutating {
        let name = input.name.clone();
        let out = run(&rig, &policy(true), &stranger(), input).await;
        assert_eq!(out.reply.title, "Sorry, you are not allowed to do that");
        assert_eq!(
            out.reply.description,
            format!(
                "<@{STRANGER}> only configured traders may use `/{name}`. The attempt was logged; ask a trader if you need it done."
            )
        );
        assert!(out.reply.private);
        assert!(out.suggestions.is_empty());
    }
    assert!(rig.suggestions().await.is_empty());
    assert!(rig.pairs().await.is_empty());
    assert_eq!(rig.halted().await, None);
}

#[tokio::test]
async fn read_only_commands_are_open_to_the_channel_only_when_configured() {
    let rig = Rig::new().await;
    for name in ["list_pairs", "positions", "status", "help"] {
        let closed = run(&rig, &policy(false), &stranger(), Invocation::new(name)).await;
        assert_eq!(
            closed.reply.title, "Sorry, you are not allowed to do that",
            "{name}"
        );

        let open = run(&rig, &policy(true), &stranger(), Invocation::new(name)).await;
        assert_ne!(
            open.reply.title, "Sorry, you are not allowed to do that",
            "{name}"
        );

        let elsewhere = Actor {
            in_home_channel: false,
            ..stranger()
        };
        let outside = run(&rig, &policy(true), &elsewhere, Invocation::new(name)).await;
        assert_eq!(
            outside.reply.title, "Sorry, you are not allowed to do that",
            "{name}"
        );
    }
}

#[tokio::test]
async fn a_trader_role_is_enough() {
    let rig = Rig::new().await;
    let by_role = Actor {
        user_id: 333,
        roles: vec![1, ROLE_TRADER],
        in_home_channel: false,
    };
    let out = run(
        &rig,
        &policy(false),
        &by_role,
        approve(KALSHI_TICKER, POLY_ID),
    )
    .await;
    assert_eq!(out.reply.title, "Pair #1 approved");
    assert_eq!(rig.pairs().await[0].approved_by, "discord:333");
}

#[tokio::test]
async fn approve_reaction_creates_the_pair_with_the_suggested_polarity() {
    let rig = Rig::new().await;
    let bitcoin = rig.bitcoin_suggestion().await;
    let id = bitcoin.id.unwrap();
    let reply = command::react(&rig.handle, &policy(false), &trader(), id, Verdict::Approve).await;
    let pair = &rig.pairs().await[0];
    assert_eq!(reply.title, format!("Pair #{} approved", pair.id));
    assert!(
        reply
            .description
            .starts_with(&format!("From suggestion #{id}.\n"))
    );
    assert_eq!((&pair.a, &pair.b), (&bitcoin.a, &bitcoin.b));
    assert_eq!(pair.polarity, bitcoin.polarity);
    assert_eq!(pair.approved_by, "discord:111111111111111111");
    assert_eq!(pair.approved_at, now());
    assert_eq!(
        rig.suggestion_status(id).await,
        Some(SuggestionStatus::Approved)
    );
    let events = rig.events(pair.id.0).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].action, PairAction::Approved);
    assert_eq!(events[0].actor, "discord:111111111111111111");
    assert_eq!(events[0].at, now());

    let again = command::react(&rig.handle, &policy(false), &trader(), id, Verdict::Approve).await;
    assert_eq!(
        again.description,
        format!("suggestion {id} is already Approved.")
    );
    assert_eq!(rig.pairs().await.len(), 1);
}

#[tokio::test]
async fn dismiss_reaction_dismisses_the_suggestion() {
    let rig = Rig::new().await;
    let id = rig.bitcoin_suggestion().await.id.unwrap();
    let reply = command::react(&rig.handle, &policy(false), &trader(), id, Verdict::Dismiss).await;
    assert_eq!(reply.title, format!("Suggestion #{id} dismissed"));
    assert_eq!(reply.description, format!("Dismissed by <@{TRADER}>."));
    assert_eq!(
        rig.suggestion_status(id).await,
        Some(SuggestionStatus::Dismissed)
    );
    assert!(rig.pairs().await.is_empty());
}

#[tokio::test]
async fn reactions_from_strangers_are_refused_and_change_nothing() {
    let rig = Rig::new().await;
    let id = rig.bitcoin_suggestion().await.id.unwrap();
    for verdict in [Verdict::Approve, Verdict::Dismiss] {
        let reply = command::react(&rig.handle, &policy(true), &stranger(), id, verdict).await;
        assert_eq!(reply.title, "Sorry, you are not allowed to do that");
        assert!(
            reply
                .description
                .starts_with(&format!("<@{STRANGER}> only configured traders may"))
        );
    }
    assert_eq!(
        rig.suggestion_status(id).await,
        Some(SuggestionStatus::Open)
    );
    assert!(rig.pairs().await.is_empty());
}

#[tokio::test]
async fn reactions_on_unknown_suggestions_are_explained() {
    let rig = Rig::new().await;
    let reply = command::react(
        &rig.handle,
        &policy(false),
        &trader(),
        SuggestionId(404),
        Verdict::Approve,
    )
    .await;
    assert_eq!(
        reply.description,
        "no suggestion with id 404. Run `/find_matches` for fresh suggestions."
    );
}

#[test]
fn only_check_and_cross_marks_are_verdicts() {
    assert_eq!(Verdict::from_emoji("✅"), Some(Verdict::Approve));
    assert_eq!(Verdict::from_emoji("❌"), Some(Verdict::Dismiss));
    assert_eq!(Verdict::from_emoji("👍"), None);
    assert_eq!(Verdict::from_emoji(""), None);
}

#[test]
fn pair_ids_parse_from_text_with_a_hash() {
    let cmd = command::Command::parse(&Invocation::new("pause_pair").arg("pair_id", text(" #42 ")));
    assert_eq!(cmd, Ok(command::Command::PausePair(PairId(42))));
}

#[tokio::test(start_paused = true)]
async fn the_daily_summary_reports_positions_and_todays_pnl_at_the_set_time() {
    let rig = Rig::new().await;
    let recorder = std::sync::Arc::new(arb_core::notify::RecordingNotifier::default());
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(arb_discord::service::daily_summaries(
        std::sync::Arc::new(rig.handle.clone()),
        std::sync::Arc::clone(&recorder) as _,
        std::sync::Arc::clone(&rig.clock) as _,
        chrono::NaiveTime::from_hms_opt(18, 30, 0).unwrap(),
        shutdown,
    ));
    // Six and a half hours from the rig's noon: nothing before, one summary after.
    tokio::time::sleep(std::time::Duration::from_secs(6 * 3600 + 29 * 60)).await;
    assert!(recorder.received().is_empty());
    tokio::time::sleep(std::time::Duration::from_secs(120)).await;
    stop.send(true).unwrap();
    task.await.unwrap();
    match recorder.received().as_slice() {
        [
            Notification::PositionSummary {
                positions,
                realized_today,
                locked_in,
            },
        ] => {
            assert_eq!(positions.len(), 1);
            assert_eq!(*realized_today, rust_decimal_macros::dec!(2.5));
            assert_eq!(*locked_in, rust_decimal_macros::dec!(4.75));
        }
        other => panic!("expected one summary, got {other:?}"),
    }
}
