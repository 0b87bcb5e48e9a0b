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

/// The contents of every log file under `dir`.
fn logs(dir: &Path) -> String {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_missing_sqlite_store_is_refused_unless_created_and_halt_confirms_at_info() {
    let dir = tempfile::tempdir().unwrap();
    let env = [
        ("DATABASE_URL", "sqlite://arb.db"),
        ("LOG_DIR", "logs"),
        ("LOG_FORMAT", "json"),
    ];
    let output = run(dir.path(), &env, &["pairs", "list"]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(err.contains("SQLite file arb.db does not exist"), "{err}");
    assert!(err.contains("--create-store"), "{err}");
    // A first run, before the log directory exists, says nothing about reading it.
    assert!(!err.contains("Error reading the log directory"), "{err}");
    assert!(!dir.path().join("arb.db").exists(), "nothing is created");
    let output = run(dir.path(), &env, &["halt", "--reason", "drill"]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "halt does not create a store"
    );

    let output = run(
        dir.path(),
        &env,
        &["halt", "--reason", "drill", "--create-store"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        !stderr(&output).contains("Error reading the log directory"),
        "{}",
        stderr(&output)
    );
    let log = logs(&dir.path().join("logs"));
    let line = log
        .lines()
        .find(|l| l.contains("Trading halted: drill (by cli)"))
        .unwrap_or_else(|| panic!("halt is logged:\n{log}"));
    assert!(line.contains("\"level\":\"INFO\""), "{line}");
    assert!(!log.contains("\"level\":\"ERROR\""), "{log}");

    let output = run(dir.path(), &env, &["pairs", "list"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "no pairs approved yet\n");
}

#[test]
fn read_only_commands_read_a_read_only_store() {
    let dir = tempfile::tempdir().unwrap();
    let env = [("DATABASE_URL", "sqlite://arb.db"), ("LOG_DIR", "logs")];
    let output = run(dir.path(), &env, &["resume", "--create-store"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let file = dir.path().join("arb.db");
    let before = std::fs::read(&file).unwrap();
    let mut permissions = std::fs::metadata(&file).unwrap().permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(&file, permissions).unwrap();
    for args in [
        &["pairs", "list"][..],
        &["positions"][..],
        &["opportunities"][..],
    ] {
        let output = run(dir.path(), &env, args);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    assert_eq!(std::fs::read(&file).unwrap(), before, "nothing was written");
}

#[test]
fn store_errors_name_the_server_and_what_failed_with_only_the_password_masked() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing listens on port 1; the password `test` is also the database's name.
    let env = [
        ("DATABASE_URL", "postgres://postgres:test@127.0.0.1:1/test"),
        ("LOG_DIR", "logs"),
    ];
    let output = run(dir.path(), &env, &["pairs", "list"]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("PostgreSQL at 127.0.0.1:1/test (user postgres): connection refused"),
        "{err}"
    );
    assert!(!err.contains(":test@"), "{err}");
}

#[test]
fn demo_refuses_a_file_it_did_not_write_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let env = [("LOG_DIR", "logs")];
    std::fs::write(dir.path().join("notes.db"), b"precious").unwrap();
    let output = run(
        dir.path(),
        &env,
        &["demo", "--seconds", "1", "--database", "notes.db"],
    );
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("notes.db exists and is not a demo store"),
        "{err}"
    );
    assert!(err.contains("--force"), "{err}");
    assert_eq!(
        std::fs::read(dir.path().join("notes.db")).unwrap(),
        b"precious"
    );

    let forced = [
        "demo",
        "--seconds",
        "1",
        "--database",
        "notes.db",
        "--force",
    ];
    let output = run(dir.path(), &env, &forced);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // The file is now a demo store: the demo replaces it without being forced.
    let again = ["demo", "--seconds", "1", "--database", "notes.db"];
    let output = run(dir.path(), &env, &again);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn health_answers_1_when_nothing_listens() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("0.0.0.0:{port}");
    let output = run(dir.path(), &[("METRICS_ADDR", &addr)], &["health"]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains(&format!("unhealthy: http://127.0.0.1:{port}/health:")),
        "{err}"
    );
    assert!(!dir.path().join("logs").exists(), "health writes no logs");
}

/// `import-pmxt` reads the store only: with no Polymarket market stored it says to sync first,
/// and a file that is not pmxt's Parquet is refused by name; neither writes a recording file.
#[test]
fn import_pmxt_needs_stored_markets_and_names_a_bad_file() {
    let dir = tempfile::tempdir().unwrap();
    let env = [("DATABASE_URL", "sqlite://arb.db"), ("LOG_DIR", "logs")];
    let output = run(dir.path(), &env, &["resume", "--create-store"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    std::fs::write(dir.path().join("hour.parquet"), "not parquet").unwrap();
    let args = ["import-pmxt", "hour.parquet", "--out", "rec"];
    let output = run(dir.path(), &env, &args);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(err.contains("no Polymarket market is stored"), "{err}");
    assert!(err.contains("markets sync"), "{err}");
    assert!(!dir.path().join("rec").exists(), "nothing is written");

    // With a stored Polymarket market, the file itself is read and refused by name.
    let url = format!("sqlite://{}", dir.path().join("arb.db").display());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = arb_store::connect(&url).await.unwrap();
        let market = arb_core::model::Market::builder(
            arb_core::model::MarketKey::new("polymarket", "0xabc"),
            "Will it rain?",
            chrono::Utc::now() + chrono::Duration::days(3),
        )
        .build()
        .unwrap();
        arb_core::store::Store::upsert_markets(&store, &[market])
            .await
            .unwrap();
    });
    let output = run(dir.path(), &env, &args);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("import-pmxt") && err.contains("hour.parquet"),
        "{err}"
    );
    let written = std::fs::read_dir(dir.path().join("rec"))
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "zst"))
                .count()
        })
        .unwrap_or(0);
    assert!(written <= 1, "at most an opened, empty recording file");
}
