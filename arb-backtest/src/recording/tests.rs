use std::path::{Path, PathBuf};
use std::sync::Arc;

use arb_core::clock::ManualClock;
use arb_core::model::{Market, MarketKey, PairId, PairStatus, Polarity, VerifiedPair};
use arb_core::record::{RECORD_VERSION, RawTap, Record};
use chrono::{DateTime, Duration, TimeZone, Utc};

use super::*;

fn t(h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 9, h, m, s)
        .single()
        .unwrap_or_else(|| panic!("bad time {h}:{m}:{s}"))
}

fn market(title: &str) -> Market {
    Market::builder(MarketKey::new("kalshi", "KXRAIN-1"), title, t(23, 0, 0))
        .build()
        .unwrap_or_else(|e| panic!("market: {e}"))
}

fn pair() -> VerifiedPair {
    VerifiedPair {
        id: PairId(7),
        a: MarketKey::new("kalshi", "KXRAIN-1"),
        b: MarketKey::new("polymarket", "0xrain"),
        polarity: Polarity::Same,
        status: PairStatus::Active,
        rules_hash_a: "a".into(),
        rules_hash_b: "b".into(),
        approved_by: "test".into(),
        approved_at: t(0, 0, 0),
    }
}

fn raw(at: DateTime<Utc>, n: usize) -> Record {
    Record::Raw {
        at,
        venue: "kalshi".into(),
        format: "kalshi.ws".into(),
        market: None,
        payload: format!(
            r#"{{"type":"orderbook_delta","sid":1,"seq":{n},"msg":{{"market_ticker":"KXRAIN-1","price":{},"delta":{},"side":"yes"}}}}"#,
            n % 97,
            (n * 7) % 13
        ),
    }
}

fn write_all(dir: &Path, records: &[Record]) {
    let mut writer = RecordingWriter::create(dir).unwrap_or_else(|e| panic!("create: {e}"));
    for r in records {
        writer.write(r).unwrap_or_else(|e| panic!("write: {e}"));
    }
    writer.finish().unwrap_or_else(|e| panic!("finish: {e}"));
}

fn read_all(dir: &Path) -> (Vec<Record>, Vec<Truncation>) {
    let mut reader = RecordingReader::open(dir).unwrap_or_else(|e| panic!("open: {e}"));
    let records = reader
        .by_ref()
        .collect::<Result<Vec<_>, _>>()
        .unwrap_or_else(|e| panic!("read: {e}"));
    (records, reader.truncations().to_vec())
}

fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .map(|e| {
            e.unwrap_or_else(|e| panic!("{e}"))
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"))
}

#[test]
fn records_read_back_as_written_after_a_header_and_unchanged_definitions_once() {
    let dir = tempdir();
    let m = market("Rain?");
    let renamed = market("Rain in NYC?");
    let def = |at, market: &Market| Record::Market {
        at,
        market: Box::new(market.clone()),
    };
    let input = vec![
        def(t(10, 0, 0), &m),
        Record::Pair {
            at: t(10, 0, 0),
            pair: Box::new(pair()),
        },
        raw(t(10, 0, 1), 1),
        def(t(10, 0, 2), &m),
        raw(t(10, 0, 3), 2),
        def(t(10, 0, 4), &renamed),
    ];
    write_all(dir.path(), &input);
    let (records, cuts) = read_all(dir.path());
    let header = Record::Header {
        version: RECORD_VERSION,
        started_at: t(10, 0, 0),
    };
    let mut expected = vec![header];
    expected.extend(input.iter().enumerate().filter(|(i, _)| *i != 3).map(|(_, r)| r.clone()));
    assert_eq!(records, expected);
    assert!(cuts.is_empty());
    assert_eq!(files(dir.path()), ["2026-03-09T10.rec.zst"]);
}

#[test]
fn a_new_hour_starts_a_new_file_with_every_definition_and_a_restart_never_overwrites() {
    let dir = tempdir();
    let m = market("Rain?");
    let input = vec![
        Record::Market {
            at: t(10, 59, 0),
            market: Box::new(m.clone()),
        },
        Record::Pair {
            at: t(10, 59, 0),
            pair: Box::new(pair()),
        },
        raw(t(10, 59, 59), 1),
        raw(t(11, 0, 0), 2),
        // Stamped a moment before the rotation, received after it: stays in the 11:00 file.
        raw(t(10, 59, 59), 3),
    ];
    write_all(dir.path(), &input);
    let first_file = dir.path().join("2026-03-09T10.rec.zst");
    let before = std::fs::read(&first_file).unwrap_or_else(|e| panic!("{e}"));
    // A restart within the 11:00 hour.
    write_all(dir.path(), &[raw(t(11, 30, 0), 4)]);
    assert_eq!(
        files(dir.path()),
        [
            "2026-03-09T10.rec.zst",
            "2026-03-09T11.1.rec.zst",
            "2026-03-09T11.rec.zst"
        ]
    );
    assert_eq!(std::fs::read(&first_file).unwrap_or_else(|e| panic!("{e}")), before);

    let (records, _) = read_all(dir.path());
    let header = |at| Record::Header {
        version: RECORD_VERSION,
        started_at: at,
    };
    let expected = vec![
        header(t(10, 59, 0)),
        input[0].clone(),
        input[1].clone(),
        input[2].clone(),
        header(t(11, 0, 0)),
        Record::Market {
            at: t(11, 0, 0),
            market: Box::new(m),
        },
        Record::Pair {
            at: t(11, 0, 0),
            pair: Box::new(pair()),
        },
        input[3].clone(),
        input[4].clone(),
        // The restarted writer knew no definition yet.
        header(t(11, 30, 0)),
        raw(t(11, 30, 0), 4),
    ];
    assert_eq!(records, expected);
}

/// Writes `n` records without finishing the file (as a crash leaves it) and returns the file and
/// its size after each record.
fn crashed_recording(dir: &Path, n: usize) -> (PathBuf, Vec<u64>, Vec<Record>) {
    let mut writer = RecordingWriter::create(dir).unwrap_or_else(|e| panic!("create: {e}"));
    let records: Vec<Record> = (0..n)
        .map(|i| raw(t(10, 0, 0) + Duration::milliseconds(i as i64), i))
        .collect();
    let mut sizes = Vec::new();
    for r in &records {
        writer.write(r).unwrap_or_else(|e| panic!("write: {e}"));
        let file = writer.current_file().unwrap_or_else(|| panic!("no file"));
        sizes.push(std::fs::metadata(file).unwrap_or_else(|e| panic!("{e}")).len());
    }
    let file = writer.current_file().map(Path::to_path_buf);
    // Forget the writer: no end of stream is written, as in a crash.
    std::mem::forget(writer);
    (file.unwrap_or_else(|| panic!("no file")), sizes, records)
}

#[test]
fn a_file_cut_anywhere_reads_back_every_whole_record_and_reports_the_cut() {
    let dir = tempdir();
    let (file, sizes, records) = crashed_recording(dir.path(), 60);
    let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(bytes.len() as u64, sizes[sizes.len() - 1]);
    let cut_dir = tempdir();
    let cut_file = cut_dir.path().join("2026-03-09T10.rec.zst");
    // Every offset in the first records, then a spread over the rest.
    let offsets = (0..200).chain((200..bytes.len()).step_by(13)).chain([bytes.len()]);
    for cut in offsets {
        std::fs::write(&cut_file, &bytes[..cut]).unwrap_or_else(|e| panic!("{e}"));
        let (read, cuts) = read_all(cut_dir.path());
        let whole = sizes.iter().filter(|s| **s <= cut as u64).count();
        let raws: Vec<Record> = read
            .into_iter()
            .filter(|r| matches!(r, Record::Raw { .. }))
            .collect();
        assert_eq!(raws, records[..whole], "cut at {cut}");
        assert_eq!(cuts.len(), 1, "cut at {cut}: {cuts:?}");
        assert_eq!(cuts[0].file, cut_file);
    }
}

#[test]
fn a_damaged_byte_is_an_error_naming_the_file_and_offset_never_a_panic() {
    let dir = tempdir();
    let records: Vec<Record> = (0..60)
        .map(|i| raw(t(10, 0, 0) + Duration::milliseconds(i), i as usize))
        .collect();
    write_all(dir.path(), &records);
    let file = dir.path().join("2026-03-09T10.rec.zst");
    let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{e}"));
    let mut errors = 0;
    let mut taken_for_cuts = 0;
    let positions = 16..bytes.len() - 16;
    for at in positions.clone() {
        let mut damaged = bytes.clone();
        damaged[at] ^= 0x5a;
        std::fs::write(&file, &damaged).unwrap_or_else(|e| panic!("{e}"));
        let mut reader = RecordingReader::open(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        let error = reader.by_ref().find_map(Result::err);
        match error {
            Some(e) => {
                let message = e.to_string();
                assert!(message.contains("2026-03-09T10.rec.zst"), "{message}");
                assert!(message.contains("offset"), "{message}");
                errors += 1;
            }
            // A damaged block size reads like a file cut short: still never silent.
            None => {
                assert_eq!(reader.truncations().len(), 1, "byte {at} damaged unnoticed");
                taken_for_cuts += 1;
            }
        }
    }
    assert!(
        errors > taken_for_cuts * 10,
        "{errors} errors, {taken_for_cuts} taken for cuts"
    );
}

#[test]
fn a_newer_layout_is_refused_naming_the_file() {
    let dir = tempdir();
    let line = format!(
        "{{\"type\":\"header\",\"version\":{},\"started_at\":\"2026-03-09T10:00:00Z\",\"new\":1}}\n",
        RECORD_VERSION + 1
    );
    let compressed =
        zstd::encode_all(line.as_bytes(), 3).unwrap_or_else(|e| panic!("compress: {e}"));
    std::fs::write(dir.path().join("2026-03-09T10.rec.zst"), compressed)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut reader = RecordingReader::open(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let first = reader.next();
    assert!(
        matches!(
            &first,
            Some(Err(ReadError::NewerVersion { file, version, .. }))
                if file.ends_with("2026-03-09T10.rec.zst") && *version == RECORD_VERSION + 1
        ),
        "{first:?}"
    );
    assert!(reader.next().is_none(), "nothing is read after an error");
}

#[test]
fn a_missing_or_empty_directory_is_an_error_naming_it() {
    let dir = tempdir();
    let missing = dir.path().join("nope");
    let e = RecordingReader::open(&missing).err();
    assert!(
        matches!(&e, Some(ReadError::Dir { dir, .. }) if *dir == missing),
        "{e:?}"
    );
    std::fs::write(dir.path().join("notes.txt"), "x").unwrap_or_else(|e| panic!("{e}"));
    let e = RecordingReader::open(dir.path()).err();
    assert!(
        matches!(&e, Some(ReadError::Empty { dir: d }) if d == dir.path()),
        "{e:?}"
    );
    std::fs::write(dir.path().join("yesterday.rec.zst"), "x").unwrap_or_else(|e| panic!("{e}"));
    let e = RecordingReader::open(dir.path()).err();
    assert!(matches!(&e, Some(ReadError::FileName { .. })), "{e:?}");
}

#[test]
fn the_tap_stamps_receive_times_and_writes_in_the_background() {
    let dir = tempdir();
    let clock = Arc::new(ManualClock::new(t(10, 0, 0)));
    let tap = RecordingTap::create(dir.path(), clock.clone()).unwrap_or_else(|e| panic!("{e}"));
    tap.market(&market("Rain?"));
    clock.advance(Duration::seconds(1));
    let venue = "polymarket".into();
    let market_id = "0xrain".into();
    tap.received(&venue, "polymarket.rest.book", Some(&market_id), r#"{"bids":[]}"#);
    let stats = tap.finish();
    assert_eq!(stats, TapStats { written: 2, failed: 0 });
    let (records, _) = read_all(dir.path());
    assert_eq!(records.len(), 3, "{records:?}");
    assert_eq!(
        records[2],
        Record::Raw {
            at: t(10, 0, 1),
            venue,
            format: "polymarket.rest.book".into(),
            market: Some(market_id),
            payload: r#"{"bids":[]}"#.into(),
        }
    );
}
