//! Backtesting (issue #22): the demo records its run (`demo --record DIR`), `backtest --from DIR`
//! replays it through the engine and writes the same report twice; a recording cut by a crash
//! still replays, and a damaged one is refused naming the file.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use std::path::{Path, PathBuf};

use arb_daemon::cli::{BacktestArgs, Cli, Command, DemoArgs};
use arb_daemon::commands::dispatch;
use arb_daemon::config::{Config, ConfigSources};

/// Runs one command through the daemon's dispatch; its output, or its error as shown.
async fn run(command: Command) -> Result<String, String> {
    let config = Config::load(&ConfigSources::new()).unwrap();
    let cli = Cli {
        config: None,
        create_store: false,
        command,
    };
    let mut out = Vec::new();
    dispatch(&cli, &config, &mut out)
        .await
        .map_err(|e| e.to_string())?;
    Ok(String::from_utf8(out).unwrap())
}

fn backtest(from: &Path, out: &Path) -> Command {
    let cli = <Cli as clap::Parser>::try_parse_from([
        "arb-daemon",
        "backtest",
        "--from",
        from.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--latency-ms",
        "20,sim-polymarket=35",
        "--jitter-ms",
        "10",
        "--seed",
        "3",
        "--capacity",
        "10,100,1000",
    ])
    .unwrap();
    cli.command
}

/// The demo's run, recorded into `dir/rec`.
async fn record_demo(dir: &Path) -> PathBuf {
    let recording = dir.join("rec");
    run(Command::Demo(DemoArgs {
        seconds: 3,
        database: Some(dir.join("demo.db")),
        seed: 7,
        force: false,
        console: false,
        record: Some(recording.clone()),
    }))
    .await
    .unwrap();
    recording
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    ["report.txt", "report.json", "report.svg"]
        .iter()
        .map(|name| ((*name).to_owned(), std::fs::read(dir.join(name)).unwrap()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_recorded_replays_into_the_same_report_every_time() {
    let dir = tempfile::tempdir().unwrap();
    let recording = record_demo(dir.path()).await;

    let (first, second) = (dir.path().join("report-1"), dir.path().join("report-2"));
    let said = run(backtest(&recording, &first)).await.unwrap();
    assert!(
        said.contains("opportunities") && said.contains("PnL $"),
        "{said}"
    );
    assert!(
        said.contains(&format!("wrote {}", first.join("report.svg").display())),
        "{said}"
    );
    run(backtest(&recording, &second)).await.unwrap();
    assert_eq!(
        files(&first),
        files(&second),
        "two runs of one recording differ"
    );

    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(first.join("report.json")).unwrap()).unwrap();
    // The demo's approved pairs, between its two simulated venues, traded on their books.
    let pairs = report["pairs"].as_array().unwrap();
    assert!(!pairs.is_empty(), "{report}");
    for pair in pairs {
        assert!(
            pair["a"].as_str().unwrap().starts_with("sim-kalshi:"),
            "{pair}"
        );
        assert!(
            pair["b"].as_str().unwrap().starts_with("sim-polymarket:"),
            "{pair}"
        );
    }
    assert!(
        report["recording"]["book_updates"].as_u64().unwrap() > 10,
        "{report}"
    );
    assert_eq!(report["settings"]["latency_ms"]["sim-polymarket"][0], 35);
    assert_eq!(report["capacity"].as_array().unwrap().len(), 3);
    // The demo's books are made to dislocate: the replay finds and trades them.
    assert!(
        report["totals"]["opportunities"].as_u64().unwrap() > 0,
        "{report}"
    );
    assert!(
        report["totals"]["executed"].as_u64().unwrap() > 0,
        "{report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_cut_recording_replays_and_a_damaged_one_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let recording = record_demo(dir.path()).await;
    let file = std::fs::read_dir(&recording)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".rec.zst"))
        .unwrap();
    let bytes = std::fs::read(&file).unwrap();

    // A crash loses the end of the last record: the rest replays.
    std::fs::write(&file, &bytes[..bytes.len() - 7]).unwrap();
    let said = run(backtest(&recording, &dir.path().join("cut")))
        .await
        .unwrap();
    assert!(said.contains("opportunities"), "{said}");

    // Damage in the middle of the file is an error naming it, not a panic.
    let mut damaged = bytes.clone();
    let middle = damaged.len() / 2;
    for b in &mut damaged[middle..middle + 16] {
        *b ^= 0x5a;
    }
    std::fs::write(&file, &damaged).unwrap();
    let err = run(backtest(&recording, &dir.path().join("damaged")))
        .await
        .unwrap_err();
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    assert!(err.contains(&name) && err.contains("entry"), "{err}");
    assert!(!dir.path().join("damaged").join("report.txt").exists());
}

#[tokio::test]
async fn a_missing_recording_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothing-here");
    let err = run(backtest(&missing, &dir.path().join("out")))
        .await
        .unwrap_err();
    assert!(err.contains("nothing-here"), "{err}");
}

#[test]
fn bad_backtest_options_are_usage_errors() {
    for args in [
        ["--latency-ms", "fast"],
        ["--latency-ms", "=5"],
        ["--capacity", "10,-5"],
        ["--max-trade-size", "0"],
    ] {
        let parsed = <Cli as clap::Parser>::try_parse_from(
            ["arb-daemon", "backtest", "--from", "rec"]
                .into_iter()
                .chain(args),
        );
        assert!(parsed.is_err(), "{args:?} accepted");
    }
    let Command::Backtest(BacktestArgs {
        latency_ms,
        capacity,
        ..
    }) = backtest(Path::new("rec"), Path::new("out"))
    else {
        panic!("not a backtest");
    };
    assert_eq!(latency_ms.default_ms, 20);
    assert_eq!(latency_ms.venues, vec![("sim-polymarket".to_owned(), 35)]);
    assert_eq!(capacity.0.len(), 3);
}
