//! The `arb-daemon` binary: `config check` output and exit codes, `.env` loading, usage errors.

use std::path::Path;
use std::process::{Command, Output};

fn run(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_arb-daemon"))
        .args(args)
        .env_clear()
        .envs(env.iter().copied())
        .current_dir(dir)
        .output()
        .expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 stdout")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("UTF-8 stderr")
}

#[test]
fn config_check_prints_redacted_settings_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".env"),
        "DISCORD_BOT_TOKEN=tok-SECRET\nDISCORD_CHANNEL_ID=42\nMAX_TRADE_SIZE=250\nLOG_DIR=from-dotenv\n",
    )
    .unwrap();
    let output = run(
        dir.path(),
        &[("LOG_DIR", "from-env"), ("TRADING_MODE", "paper")],
        &["config", "check"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(!out.contains("tok-SECRET"));
    let squeeze = |line: &str| line.split_whitespace().collect::<Vec<_>>().join(" ");
    let lines: Vec<String> = out.lines().map(squeeze).collect();
    for expected in [
        "TRADING_MODE = paper (environment)",
        "DISCORD_BOT_TOKEN = set (.env)",
        "MAX_TRADE_SIZE = 250 (.env)",
        "LOG_DIR = from-env (environment)",
        "configuration OK",
    ] {
        assert!(
            lines.iter().any(|l| l == expected),
            "missing `{expected}` in\n{out}"
        );
    }
    // `config check` only reads: no log directory appears.
    assert!(!dir.path().join("from-env").exists());
}

#[test]
fn config_check_with_a_bad_value_exits_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(
        dir.path(),
        &[("SLIPPAGE_TOLERANCE", "5%")],
        &["config", "check"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output).trim_end(),
        "error: configuration error: SLIPPAGE_TOLERANCE (from environment): invalid value `5%`: \
         expected a decimal in [0, 0.5]"
    );
    assert!(stdout(&output).is_empty());
}

#[test]
fn config_check_in_live_mode_without_credentials_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(
        dir.path(),
        &[("TRADING_MODE", "live")],
        &["config", "check"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains(
            "missing: KALSHI_API_KEY, KALSHI_API_SECRET or KALSHI_PRIVATE_KEY_PATH, POLYMARKET_PRIVATE_KEY"
        ),
        "{}",
        stderr(&output)
    );
}

#[test]
fn config_flag_reads_a_toml_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("arb.toml"), "max_trade_size = 75\n").unwrap();
    let output = run(
        dir.path(),
        &[],
        &["--config", "arb.toml", "config", "check"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).lines().any(|l| {
        l.split_whitespace().collect::<Vec<_>>().join(" ") == "MAX_TRADE_SIZE = 75 (config file)"
    }));
    let output = run(
        dir.path(),
        &[("ARB_CONFIG", "missing.toml")],
        &["config", "check"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("missing.toml: cannot read"));
}

#[test]
fn bad_command_line_exits_2_with_usage() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(dir.path(), &[], &["pairs", "approve"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("Usage:"), "{}", stderr(&output));
}
