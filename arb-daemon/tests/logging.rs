//! Log lines reach `LOG_DIR/arbitrage.<date>.log`, in text or JSON, filtered by level.

use std::path::{Path, PathBuf};

use arb_daemon::config::{LogFormat, LogLevel, LoggingConfig};
use arb_daemon::logging;

fn config(dir: &Path, format: LogFormat, filter: Option<&str>) -> LoggingConfig {
    LoggingConfig {
        level: LogLevel::Info,
        filter: filter.map(str::to_string),
        format,
        dir: dir.to_path_buf(),
        max_files: 3,
    }
}

/// Logs through a fresh subscriber, flushes it, and returns the one log file's content.
fn log_and_read(config: &LoggingConfig) -> (PathBuf, String) {
    let (subscriber, guard) = logging::subscriber(config, false).expect("subscriber");
    tracing::subscriber::with_default(subscriber, || {
        tracing::debug!("hidden at info");
        tracing::info!(pair = 42, "opportunity found");
        tracing::warn!("book stale");
    });
    drop(guard);
    let files: Vec<PathBuf> = std::fs::read_dir(&config.dir)
        .expect("log dir exists")
        .map(|entry| entry.expect("dir entry").path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let content = std::fs::read_to_string(&files[0]).expect("log file readable");
    (files[0].clone(), content)
}

#[test]
fn text_logs_go_to_a_dated_file_without_colours() {
    let dir = tempfile::tempdir().unwrap();
    let (path, content) = log_and_read(&config(&dir.path().join("logs"), LogFormat::Text, None));
    let name = path.file_name().unwrap().to_str().unwrap();
    assert!(
        name.starts_with("arbitrage.") && name.ends_with(".log"),
        "{name}"
    );
    let lines: Vec<&str> = content.lines().collect();
    assert_eq!(lines.len(), 2, "{content}");
    assert!(lines[0].contains("INFO") && lines[0].contains("opportunity found pair=42"));
    assert!(lines[1].contains("WARN") && lines[1].contains("book stale"));
    assert!(!content.contains('\u{1b}'), "ANSI escapes in the file");
}

#[test]
fn json_logs_are_one_object_per_line() {
    let dir = tempfile::tempdir().unwrap();
    let (_, content) = log_and_read(&config(dir.path(), LogFormat::Json, None));
    let lines: Vec<serde_json::Value> = content
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["level"], "INFO");
    assert_eq!(lines[0]["fields"]["message"], "opportunity found");
    assert_eq!(lines[0]["fields"]["pair"], 42);
    assert_eq!(lines[1]["level"], "WARN");
}

#[test]
fn rust_log_filter_replaces_the_level() {
    let dir = tempfile::tempdir().unwrap();
    let (_, content) = log_and_read(&config(dir.path(), LogFormat::Text, Some("warn")));
    assert_eq!(content.lines().count(), 1, "{content}");
    assert!(content.contains("book stale"));
}

#[test]
fn unwritable_log_dir_is_a_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "").unwrap();
    let err = logging::subscriber(&config(&file, LogFormat::Text, None), false)
        .err()
        .unwrap();
    assert!(
        matches!(&err, logging::LoggingError::File { dir, .. } if *dir == file),
        "{err}"
    );
}
