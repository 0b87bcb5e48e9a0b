//! Parsing of every subcommand, and clap errors (exit code 2) for bad command lines.

use std::path::PathBuf;

use arb_core::model::{MarketKey, PairId, Polarity};
use arb_daemon::cli::{
    ApproveArgs, Cli, Command, ConfigCommand, DemoArgs, MarketsCommand, MatchArgs,
    OpportunitiesArgs, PairsCommand, ReasonArgs, RecordArgs, RecordMarkets,
};
use clap::Parser;
use clap::error::ErrorKind;

fn parse(args: &[&str]) -> Cli {
    Cli::try_parse_from(std::iter::once("arb-daemon").chain(args.iter().copied()))
        .expect("valid command line")
}

fn command(args: &[&str]) -> Command {
    parse(args).command
}

fn error(args: &[&str]) -> clap::Error {
    Cli::try_parse_from(std::iter::once("arb-daemon").chain(args.iter().copied()))
        .expect_err("invalid command line")
}

#[test]
fn simple_commands() {
    assert_eq!(command(&["run"]), Command::Run);
    assert_eq!(
        command(&["demo"]),
        Command::Demo(DemoArgs {
            seconds: 20,
            database: None,
            seed: 7,
            force: false,
            console: false,
            record: None,
        })
    );
    assert_eq!(
        command(&[
            "demo",
            "--seconds",
            "5",
            "--database",
            "x.db",
            "--seed",
            "3"
        ]),
        Command::Demo(DemoArgs {
            seconds: 5,
            database: Some("x.db".into()),
            seed: 3,
            force: false,
            console: false,
            record: None,
        })
    );
    assert_eq!(command(&["positions"]), Command::Positions);
    assert_eq!(command(&["resume"]), Command::Resume);
    assert_eq!(
        command(&["markets", "sync"]),
        Command::Markets(MarketsCommand::Sync)
    );
    assert_eq!(
        command(&["config", "check"]),
        Command::Config(ConfigCommand::Check)
    );
}

#[test]
fn match_with_and_without_min_score() {
    assert_eq!(
        command(&["match"]),
        Command::Match(MatchArgs { min_score: None })
    );
    assert_eq!(
        command(&["match", "--min-score", "72.5"]),
        Command::Match(MatchArgs {
            min_score: Some(72.5)
        })
    );
}

#[test]
fn min_score_out_of_range_is_a_usage_error() {
    let err = error(&["match", "--min-score", "101"]);
    assert_eq!(err.kind(), ErrorKind::ValueValidation);
    assert_eq!(err.exit_code(), 2);
    assert!(err.to_string().contains("expected a number in 0..=100"));
}

#[test]
fn pairs_approve_with_venues_and_polarity() {
    assert_eq!(
        command(&[
            "pairs",
            "approve",
            "kalshi:KXFEDDECISION-26JUN-H0",
            "polymarket:0xabc",
            "--polarity",
            "inverse"
        ]),
        Command::Pairs(PairsCommand::Approve(ApproveArgs {
            a: MarketKey::new("kalshi", "KXFEDDECISION-26JUN-H0"),
            b: MarketKey::new("polymarket", "0xabc"),
            polarity: Polarity::Inverse,
        }))
    );
}

#[test]
fn pairs_approve_bare_ids_default_to_kalshi_then_polymarket() {
    assert_eq!(
        command(&["pairs", "approve", "KXBTC-26", "0xdef"]),
        Command::Pairs(PairsCommand::Approve(ApproveArgs {
            a: MarketKey::new("kalshi", "KXBTC-26"),
            b: MarketKey::new("polymarket", "0xdef"),
            polarity: Polarity::Same,
        }))
    );
}

#[test]
fn pairs_approve_rejects_bad_polarity_and_empty_ids() {
    assert_eq!(
        error(&["pairs", "approve", "a", "b", "--polarity", "opposite"]).kind(),
        ErrorKind::ValueValidation
    );
    assert_eq!(
        error(&["pairs", "approve", "kalshi:", "b"]).kind(),
        ErrorKind::ValueValidation
    );
    assert_eq!(
        error(&["pairs", "approve", "only-one"]).kind(),
        ErrorKind::MissingRequiredArgument
    );
}

#[test]
fn pairs_list_pause_resume() {
    assert_eq!(
        command(&["pairs", "list"]),
        Command::Pairs(PairsCommand::List)
    );
    assert_eq!(
        command(&["pairs", "pause", "42", "--reason", "rules differ"]),
        Command::Pairs(PairsCommand::Pause {
            id: PairId(42),
            reason: Some("rules differ".into())
        })
    );
    assert_eq!(
        command(&["pairs", "pause", "7"]),
        Command::Pairs(PairsCommand::Pause {
            id: PairId(7),
            reason: None
        })
    );
    assert_eq!(
        command(&["pairs", "resume", "42"]),
        Command::Pairs(PairsCommand::Resume { id: PairId(42) })
    );
    assert_eq!(
        error(&["pairs", "pause", "forty-two"]).kind(),
        ErrorKind::ValueValidation
    );
}

#[test]
fn opportunities_limit() {
    assert_eq!(
        command(&["opportunities"]),
        Command::Opportunities(OpportunitiesArgs { limit: 20 })
    );
    assert_eq!(
        command(&["opportunities", "--limit", "5"]),
        Command::Opportunities(OpportunitiesArgs { limit: 5 })
    );
    assert_eq!(
        error(&["opportunities", "--limit", "0"]).kind(),
        ErrorKind::ValueValidation
    );
}

#[test]
fn halt_with_and_without_reason() {
    assert_eq!(
        command(&["halt"]),
        Command::Halt(ReasonArgs { reason: None })
    );
    assert_eq!(
        command(&["halt", "--reason", "venue outage"]),
        Command::Halt(ReasonArgs {
            reason: Some("venue outage".into())
        })
    );
}

#[test]
fn global_config_flag_before_or_after_the_subcommand() {
    assert_eq!(
        parse(&["--config", "arb.toml", "run"]).config,
        Some(PathBuf::from("arb.toml"))
    );
    assert_eq!(
        parse(&["pairs", "list", "--config", "/etc/arb.toml"]).config,
        Some(PathBuf::from("/etc/arb.toml"))
    );
}

#[test]
fn unknown_or_missing_commands_are_usage_errors() {
    let err = error(&["trade"]);
    assert_eq!(err.kind(), ErrorKind::InvalidSubcommand);
    assert_eq!(err.exit_code(), 2);
    assert_eq!(
        error(&["pairs"]).kind(),
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    );
    assert_eq!(
        error(&["run", "--bogus"]).kind(),
        ErrorKind::UnknownArgument
    );
}

#[test]
fn command_names_and_which_trade() {
    assert_eq!(command(&["pairs", "resume", "1"]).name(), "pairs resume");
    assert_eq!(command(&["config", "check"]).name(), "config check");
    assert!(command(&["run"]).trades());
    assert!(!command(&["pairs", "list"]).trades());
    assert!(!command(&["markets", "sync"]).trades());
}

#[test]
fn cli_definition_is_consistent() {
    use clap::CommandFactory;
    Cli::command().debug_assert();
}

#[test]
fn record_needs_an_output_directory_and_records_active_pairs_by_default() {
    assert_eq!(
        command(&["record", "--out", "rec"]),
        Command::Record(RecordArgs {
            out: "rec".into(),
            markets: RecordMarkets::Active,
        })
    );
    assert_eq!(
        command(&["record", "--out", "rec", "--markets", "suggested"]),
        Command::Record(RecordArgs {
            out: "rec".into(),
            markets: RecordMarkets::Suggested,
        })
    );
    assert_eq!(
        error(&["record"]).kind(),
        ErrorKind::MissingRequiredArgument
    );
    assert_eq!(
        error(&["record", "--out", "rec", "--markets", "some"]).kind(),
        ErrorKind::InvalidValue
    );
}
