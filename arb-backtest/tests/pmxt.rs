//! pmxt v2 import: files written in pmxt's exact physical schema (with the parquet crate, and
//! with pyarrow when it can be installed) become `polymarket.ws` records in receive-time order,
//! which the Polymarket adapter's decoder reads back into the books pmxt saw.
#![allow(clippy::unwrap_used)]

mod common;

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use arb_backtest::pmxt::{self, ImportSummary, PmxtError};
use arb_core::exchange::BookEvent;
use arb_core::model::{BinaryBook, Level, Market};
use arb_core::record::{BookDecoder, Record};
use arb_polymarket::PolymarketDecoder;
use chrono::DateTime;
use common::{Row, cid, market, no, yes};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::{Value, json};

const BOOK_BIDS: &str = r#"[["0.4700","50.000000"],["0.4800","30.000000"]]"#;
const BOOK_ASKS: &str = r#"[["0.5300","60.000000"],["0.5200","25.000000"]]"#;

/// Three markets, sorted as pmxt sorts (market, asset_id, timestamp_received); market 3 is not
/// defined; market 1 has NO-token rows, a trade, a tick change and a two-level price change.
fn rows() -> Vec<Row> {
    let (m1, m2, m3) = (cid(1), cid(2), cid(3));
    vec![
        Row::book(1_000, &m1, &yes(1), BOOK_BIDS, BOOK_ASKS),
        Row::change(3_000, &m1, &yes(1), "BUY", 4_900, 7_500_000),
        Row::change(3_000, &m1, &yes(1), "SELL", 5_200, 0),
        Row::trade(3_500, &m1, &yes(1)),
        Row::tick(4_000, &m1, &yes(1), 100, 10),
        Row::change(4_500, &m1, &yes(1), "SELL", 5_100, 1_250_000),
        Row::book(1_000, &m1, &no(1), BOOK_BIDS, BOOK_ASKS),
        Row::change(2_000, &m1, &no(1), "BUY", 4_000, 1_000_000),
        Row::book(2_000, &m2, &yes(2), BOOK_BIDS, BOOK_ASKS),
        Row::change(2_500, &m2, &yes(2), "BUY", 4_800, 0),
        Row::book(1_500, &m3, &yes(3), BOOK_BIDS, BOOK_ASKS),
    ]
}

fn import(files: &[PathBuf], markets: &[Market]) -> (ImportSummary, Vec<Record>) {
    let dir = tempfile::tempdir().unwrap();
    let mut records = Vec::new();
    let summary = pmxt::import(files, markets, &dir.path().join("spill"), |r| {
        records.push(r);
        Ok::<_, Infallible>(())
    })
    .unwrap();
    assert!(
        !dir.path().join("spill").exists(),
        "the spill file is removed"
    );
    (summary, records)
}

fn levels(levels: &[Level]) -> Vec<(Decimal, Decimal)> {
    levels
        .iter()
        .map(|l| (l.price.value(), l.qty.value()))
        .collect()
}

/// Replays the raw records through the Polymarket decoder: the last book of each market.
fn replay(records: &[Record], markets: &[Market]) -> Vec<(String, BinaryBook)> {
    let mut decoder = PolymarketDecoder::new(markets);
    let mut books: Vec<(String, BinaryBook)> = Vec::new();
    for r in records {
        let Record::Raw {
            at,
            format,
            market,
            payload,
            ..
        } = r
        else {
            continue;
        };
        for event in decoder
            .decode(*at, format, market.as_ref(), payload)
            .unwrap()
        {
            if let BookEvent::Book { market, book } = event {
                books.retain(|(m, _)| m != market.as_str());
                books.push((market.as_str().to_owned(), (*book).clone()));
            }
        }
    }
    books.sort_by(|a, b| a.0.cmp(&b.0));
    books
}

#[test]
fn a_v2_file_becomes_ws_records_in_receive_time_order_that_replay_to_pmxts_books() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir
        .path()
        .join("polymarket_orderbook_2026-03-01T12.parquet");
    common::write(&file, &rows(), 4);
    let markets = [market(1), market(2)];
    let (summary, records) = import(std::slice::from_ref(&file), &markets);
    assert_eq!(summary.rows, 11);
    assert_eq!(
        summary.skipped.into_iter().collect::<Vec<_>>(),
        vec![(cid(3), 1)]
    );
    assert_eq!(summary.ignored, 3, "two NO-token rows and a trade");
    assert_eq!(
        summary.records, 6,
        "the two-level price change is one frame"
    );
    let span = summary.span.unwrap();
    assert_eq!(
        (span.0.timestamp_millis(), span.1.timestamp_millis()),
        (1_000, 4_500)
    );
    // Definitions first, then the frames by receive time.
    assert!(
        matches!(&records[0], Record::Market { market, .. } if market.key.market.as_str() == cid(1))
    );
    assert!(
        matches!(&records[1], Record::Market { market, .. } if market.key.market.as_str() == cid(2))
    );
    let raw: Vec<(i64, Value)> = records[2..]
        .iter()
        .map(|r| match r {
            Record::Raw {
                at,
                venue,
                format,
                market: None,
                payload,
            } => {
                assert_eq!(
                    (venue.as_str(), format.as_str()),
                    ("polymarket", "polymarket.ws")
                );
                (
                    at.timestamp_millis(),
                    serde_json::from_str(payload).unwrap(),
                )
            }
            other => panic!("expected a raw record, got {other:?}"),
        })
        .collect();
    let times: Vec<i64> = raw.iter().map(|(t, _)| *t).collect();
    assert_eq!(times, vec![1_000, 2_000, 2_500, 3_000, 4_000, 4_500]);
    assert_eq!(
        raw[0].1,
        json!({"event_type": "book", "asset_id": yes(1), "market": cid(1), "timestamp": "995",
            "bids": [{"price": "0.4700", "size": "50.000000"}, {"price": "0.4800", "size": "30.000000"}],
            "asks": [{"price": "0.5300", "size": "60.000000"}, {"price": "0.5200", "size": "25.000000"}]})
    );
    assert_eq!(
        raw[3].1,
        json!({"event_type": "price_change", "market": cid(1), "timestamp": "2995", "price_changes": [
            {"asset_id": yes(1), "price": "0.4900", "size": "7.500000", "side": "BUY", "best_bid": "0.4800", "best_ask": "0.5200"},
            {"asset_id": yes(1), "price": "0.5200", "size": "0.000000", "side": "SELL", "best_bid": "0.4800", "best_ask": "0.5200"}]})
    );
    assert_eq!(raw[4].1["event_type"], "tick_size_change");
    assert_eq!(raw[4].1["new_tick_size"], "0.0010");
    // Through the adapter's own parser: the books pmxt saw.
    let books = replay(&records, &markets);
    assert_eq!(books.len(), 2);
    let (m1, b1) = &books[0];
    assert_eq!(m1, &cid(1));
    assert_eq!(
        levels(b1.yes.bids()),
        vec![
            (dec!(0.49), dec!(7.5)),
            (dec!(0.48), dec!(30)),
            (dec!(0.47), dec!(50))
        ]
    );
    assert_eq!(
        levels(b1.yes.asks()),
        vec![(dec!(0.51), dec!(1.25)), (dec!(0.53), dec!(60))]
    );
    assert_eq!(
        levels(b1.no.asks())[0],
        (dec!(0.51), dec!(7.5)),
        "NO is the YES book's complement"
    );
    assert_eq!(
        b1.as_of,
        DateTime::from_timestamp_millis(4_495).unwrap(),
        "Polymarket's own time"
    );
    assert_eq!(levels(books[1].1.yes.bids()), vec![(dec!(0.47), dec!(50))]);
}

#[test]
fn several_files_and_row_groups_merge_by_receive_time_in_any_order() {
    let dir = tempfile::tempdir().unwrap();
    let all = rows();
    let later: Vec<Row> = all
        .iter()
        .map(|r| Row {
            received: r.received + 3_600_000,
            timestamp: r.timestamp.map(|t| t + 3_600_000),
            ..r.clone()
        })
        .collect();
    let (a, b) = (dir.path().join("a.parquet"), dir.path().join("b.parquet"));
    common::write(&a, &all, 1);
    common::write(&b, &later, 1_048_576);
    let markets = [market(1), market(2)];
    let (_, one) = import(&[a.clone(), b.clone()], &markets);
    let (summary, other) = import(&[b, a], &markets);
    assert_eq!(one, other, "the order of the files does not matter");
    assert_eq!(summary.records, 12);
    let times: Vec<i64> = other
        .iter()
        .filter_map(|r| match r {
            Record::Raw { at, .. } => Some(at.timestamp_millis()),
            _ => None,
        })
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
}

#[test]
fn nothing_defined_imports_nothing_and_names_every_market() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("f.parquet");
    common::write(&file, &rows(), 100);
    let (summary, records) = import(&[file], &[]);
    assert!(records.is_empty());
    assert_eq!(
        summary.skipped.keys().cloned().collect::<Vec<_>>(),
        vec![cid(1), cid(2), cid(3)]
    );
}

fn import_err(file: &Path) -> PmxtError {
    let dir = tempfile::tempdir().unwrap();
    pmxt::import(
        &[file.to_owned()],
        &[market(1)],
        &dir.path().join("spill"),
        |_| Ok::<_, Infallible>(()),
    )
    .unwrap_err()
}

#[test]
fn bad_files_are_errors_naming_the_file_row_and_column_never_panics() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.parquet");
    common::write(&good, &rows(), 4);
    let bytes = std::fs::read(&good).unwrap();
    // Not Parquet at all; cut short (a partial download); missing.
    let junk = dir.path().join("junk.parquet");
    std::fs::write(&junk, b"not parquet").unwrap();
    let err = import_err(&junk).to_string();
    assert!(
        err.contains("junk.parquet") && err.contains("not a readable Parquet file"),
        "{err}"
    );
    for cut in [bytes.len() / 2, bytes.len() - 9, 100] {
        let short = dir.path().join(format!("short{cut}.parquet"));
        std::fs::write(&short, &bytes[..cut]).unwrap();
        let err = import_err(&short).to_string();
        assert!(err.contains(&format!("short{cut}.parquet")), "{err}");
    }
    let err = import_err(&dir.path().join("absent.parquet")).to_string();
    assert!(
        err.contains("absent.parquet") && err.contains("cannot open"),
        "{err}"
    );
    // Corrupt pages in the middle: an error (or, where the codec cannot tell, rows that are
    // checked like any other), never a panic.
    let mut errors = 0;
    for at in (200..bytes.len() - 200).step_by(97) {
        let mut flipped = bytes.clone();
        flipped[at] ^= 0x5a;
        let bad = dir.path().join("flipped.parquet");
        std::fs::write(&bad, &flipped).unwrap();
        let spill = dir.path().join("spill");
        if let Err(e) = pmxt::import(&[bad], &[market(1)], &spill, |_| Ok::<_, Infallible>(())) {
            assert!(e.to_string().contains("flipped.parquet"), "{e}");
            errors += 1;
        }
    }
    assert!(errors > 0);
    // A malformed cell: named by row and column.
    let mut rows = rows();
    rows[0].bids = Some("[[0.47]]".into());
    let bad = dir.path().join("badcell.parquet");
    common::write(&bad, &rows, 4);
    let err = import_err(&bad);
    assert!(
        matches!(&err, PmxtError::Row { row: 0, column, .. } if column == "bids"),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("badcell.parquet: row 0: column `bids`"),
        "{err}"
    );
    rows[0].bids = Some(BOOK_BIDS.into());
    rows[1].price = None;
    common::write(&bad, &rows, 4);
    let err = import_err(&bad).to_string();
    assert!(
        err.contains("row 1: column `price`: is null in a `price_change` row"),
        "{err}"
    );
}

#[test]
fn another_layout_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let v1 = dir.path().join("v1.parquet");
    common::write_schema(
        &v1,
        "message schema { OPTIONAL INT64 timestamp_received (TIMESTAMP(MILLIS,true)); \
         OPTIONAL INT64 timestamp_created_at (TIMESTAMP(MILLIS,true)); OPTIONAL BYTE_ARRAY market_id (STRING); \
         OPTIONAL BYTE_ARRAY update_type (STRING); OPTIONAL BYTE_ARRAY data (STRING); }",
    );
    let err = import_err(&v1).to_string();
    assert!(
        err.contains("v1.parquet") && err.contains("older v1 layout"),
        "{err}"
    );
    let other = dir.path().join("other.parquet");
    common::write_schema(
        &other,
        "message schema { OPTIONAL INT64 timestamp_received (TIMESTAMP(MILLIS,true)); }",
    );
    let err = import_err(&other).to_string();
    assert!(err.contains("column `timestamp` is missing"), "{err}");
}

// ---- the same rows written by pyarrow, as pmxt's files are ----

const PYARROW: &str = "pyarrow==26.0.1";

fn skip(reason: &str) {
    assert!(
        std::env::var("ARB_REQUIRE_PYTHON").as_deref() != Ok("1"),
        "ARB_REQUIRE_PYTHON=1 but {reason}"
    );
    println!("NOTICE: pyarrow check skipped: {reason}");
}

/// A venv with pyarrow, cached under the target directory.
fn pyarrow_python() -> Result<PathBuf, String> {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pyarrow-venv");
    let python = dir.join("bin").join("python");
    let ready = |p: &Path| {
        Command::new(p)
            .args(["-c", "import pyarrow"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if python.exists() && ready(&python) {
        return Ok(python);
    }
    let venv = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&dir)
        .status();
    if !venv.is_ok_and(|s| s.success()) {
        return Err("python3 -m venv failed".into());
    }
    let out = Command::new(dir.join("bin").join("pip"))
        .args(["install", "--quiet", "--disable-pip-version-check", PYARROW])
        .output()
        .map_err(|e| format!("pip not runnable: {e}"))?;
    if !out.status.success() || !ready(&python) {
        return Err(format!(
            "pip install {PYARROW} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(python)
}

const WRITER: &str = r#"
import json, sys
from decimal import Decimal
import pyarrow as pa, pyarrow.parquet as pq
d94, d186 = pa.decimal128(9, 4), pa.decimal128(18, 6)
ts = pa.timestamp("ms", tz="UTC")
schema = pa.schema([
    ("timestamp_received", ts), ("timestamp", ts), ("market", pa.binary(66)),
    ("event_type", pa.string()), ("asset_id", pa.string()), ("bids", pa.string()), ("asks", pa.string()),
    ("price", d94), ("size", d186), ("side", pa.string()), ("best_bid", d94), ("best_ask", d94),
    ("fee_rate_bps", pa.uint16()), ("transaction_hash", pa.string()),
    ("old_tick_size", d94), ("new_tick_size", d94),
])
rows = json.load(sys.stdin)
def cell(field, v):
    if v is None:
        return None
    if pa.types.is_decimal(field.type):
        return Decimal(v)
    if pa.types.is_fixed_size_binary(field.type):
        return v.encode()
    return v
cols = {f.name: pa.array([cell(f, r[f.name]) for r in rows], type=f.type) for f in schema}
table = pa.table(cols, schema=schema)
pq.write_table(table, sys.argv[1], compression="zstd", compression_level=9, row_group_size=1048576)
print(pq.ParquetFile(sys.argv[1]).schema)
"#;

fn as_json(r: &Row) -> Value {
    let d = |v: Option<i64>, scale: u32| v.map(|v| Decimal::new(v, scale).to_string());
    json!({
        "timestamp_received": r.received, "timestamp": r.timestamp, "market": r.market,
        "event_type": r.event_type, "asset_id": r.asset_id, "bids": r.bids, "asks": r.asks,
        "price": d(r.price.map(i64::from), 4), "size": d(r.size, 6), "side": r.side,
        "best_bid": d(r.best_bid.map(i64::from), 4), "best_ask": d(r.best_ask.map(i64::from), 4),
        "fee_rate_bps": r.fee_rate_bps, "transaction_hash": r.transaction_hash,
        "old_tick_size": d(r.old_tick_size.map(i64::from), 4), "new_tick_size": d(r.new_tick_size.map(i64::from), 4),
    })
}

#[test]
fn a_file_pyarrow_writes_in_pmxts_schema_imports_as_ours_does() {
    let python = match pyarrow_python() {
        Ok(p) => p,
        Err(reason) => return skip(&reason),
    };
    let dir = tempfile::tempdir().unwrap();
    let theirs = dir.path().join("pyarrow.parquet");
    let input: Vec<Value> = rows().iter().map(as_json).collect();
    let mut child = Command::new(python)
        .args(["-c", WRITER])
        .arg(&theirs)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    serde_json::to_writer(child.stdin.take().unwrap(), &input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "pyarrow failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let schema = String::from_utf8_lossy(&out.stdout);
    assert!(schema.contains("fixed_len_byte_array(66)"), "{schema}");
    let ours = dir.path().join("ours.parquet");
    common::write(&ours, &rows(), 4);
    let markets = [market(1), market(2)];
    let (s1, r1) = import(&[theirs], &markets);
    let (s2, r2) = import(&[ours], &markets);
    assert_eq!((s1, r1), (s2, r2));
}
