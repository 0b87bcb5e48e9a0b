//! Backtests of recordings built here in the native format, as `TappedExchange` writes them for
//! simulated venues: a dislocation is executed against the recorded books at arrival time, with
//! the markets' exact fees; the same recording and settings give byte-identical report files;
//! a corrupt record is an error naming where it is.

use std::sync::Arc;
use std::time::Duration;

use arb_backtest::backtest::{self, BacktestError, BacktestSettings, RunResult};
use arb_backtest::replay::{DecoderFactories, Latency, RecordSource, ReplayError, SourceError};
use arb_backtest::report::{Report, ReportOptions, ReportSettings};
use arb_backtest::suite;
use arb_core::engine::{EngineConfig, TradingMode};
use arb_core::fees::{FeeRule, FeeSchedule};
use arb_core::model::{
    BinaryBook, Level, Market, MarketKey, OrderBook, PairId, PairStatus, Polarity, Price, Qty,
    VerifiedPair,
};
use arb_core::record::{NATIVE_BOOK_FORMAT, NativeDecoder, RECORD_VERSION, Record, native_payload};
use arb_core::sim::binary_market;
use chrono::{DateTime, TimeDelta, Utc};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp(1_789_999_200, 0).unwrap_or_default()
}

fn ms(n: i64) -> DateTime<Utc> {
    t0() + TimeDelta::milliseconds(n)
}

fn key(venue: &str, market: &str) -> MarketKey {
    MarketKey::new(venue, market)
}

/// Kalshi-like fees on A (7% of p(1−p), rounded up to the cent), 5% unrounded on B.
fn fees_a() -> FeeSchedule {
    FeeSchedule::taker_only(FeeRule::quadratic(dec!(0.07), dec!(0.01), None))
}

fn fees_b() -> FeeSchedule {
    FeeSchedule::taker_only(FeeRule::quadratic(dec!(0.05), Decimal::ZERO, None))
}

fn market(key: MarketKey, fees: FeeSchedule) -> Result<Market, Box<dyn std::error::Error>> {
    Ok(binary_market(
        key,
        "Will it rain in Paris on 1 Oct?",
        fees,
        t0() + TimeDelta::days(30),
    )?)
}

fn level(price: Decimal, qty: u32) -> Result<Level, Box<dyn std::error::Error>> {
    Ok(Level::new(
        Price::new(price)?,
        Qty::new(Decimal::from(qty))?,
    ))
}

/// A native book record: YES bids and asks `(price, qty)`.
fn book(
    at: DateTime<Utc>,
    key: &MarketKey,
    bids: &[(Decimal, u32)],
    asks: &[(Decimal, u32)],
) -> Result<Record, Box<dyn std::error::Error>> {
    let levels = |side: &[(Decimal, u32)]| -> Result<Vec<Level>, Box<dyn std::error::Error>> {
        side.iter().map(|&(p, q)| level(p, q)).collect()
    };
    let yes = OrderBook::new(levels(bids)?, levels(asks)?);
    let book = BinaryBook::from_yes_book(yes, at);
    Ok(Record::Raw {
        at,
        venue: key.venue.clone(),
        format: NATIVE_BOOK_FORMAT.to_owned(),
        market: Some(key.market.clone()),
        payload: native_payload(&key.market, &book)?,
    })
}

/// The definitions every recording starts with: sim-a:RAIN and sim-b:rain-paris, one pair.
fn head() -> Result<Vec<Record>, Box<dyn std::error::Error>> {
    let a = market(key("sim-a", "RAIN"), fees_a())?;
    let b = market(key("sim-b", "rain-paris"), fees_b())?;
    let pair = VerifiedPair {
        id: PairId(7),
        a: a.key.clone(),
        b: b.key.clone(),
        polarity: Polarity::Same,
        status: PairStatus::Active,
        rules_hash_a: a.rules_hash(),
        rules_hash_b: b.rules_hash(),
        approved_by: "tester".to_owned(),
        approved_at: t0() - TimeDelta::days(1),
    };
    Ok(vec![
        Record::Header {
            version: RECORD_VERSION,
            started_at: t0(),
        },
        Record::Market {
            at: t0(),
            market: Box::new(a),
        },
        Record::Market {
            at: t0(),
            market: Box::new(b),
        },
        Record::Pair {
            at: t0(),
            pair: Box::new(pair),
        },
    ])
}

/// Quiet books, then at 1 s a dislocation: YES asked at 0.40 on A (100 contracts) while B bids
/// 0.55 for YES (500 contracts), i.e. NO costs 0.45 there. `then` follows at 1.02 s; the
/// recording ends with a quiet record at 5 s.
fn recording(then: &[Record]) -> Result<Vec<Record>, Box<dyn std::error::Error>> {
    let (a, b) = (key("sim-a", "RAIN"), key("sim-b", "rain-paris"));
    let mut records = head()?;
    records.push(book(ms(0), &a, &[(dec!(0.48), 100)], &[(dec!(0.52), 100)])?);
    records.push(book(ms(0), &b, &[(dec!(0.48), 500)], &[(dec!(0.52), 500)])?);
    records.push(book(
        ms(1000),
        &a,
        &[(dec!(0.38), 100)],
        &[(dec!(0.40), 100)],
    )?);
    records.push(book(
        ms(1000),
        &b,
        &[(dec!(0.55), 500)],
        &[(dec!(0.57), 500)],
    )?);
    records.extend_from_slice(then);
    records.push(book(
        ms(5000),
        &b,
        &[(dec!(0.55), 500)],
        &[(dec!(0.57), 500)],
    )?);
    Ok(records)
}

fn source(records: Vec<Record>) -> RecordSource {
    Box::new(records.into_iter().map(Ok::<Record, SourceError>))
}

fn factories() -> DecoderFactories {
    Arc::new(vec![Box::new(NativeDecoder)])
}

fn settings(latency_ms: u64) -> BacktestSettings {
    let mut settings = BacktestSettings::new(EngineConfig::new(TradingMode::Paper));
    settings.latency = Latency {
        base: Duration::from_millis(latency_ms),
        jitter: Duration::ZERO,
    };
    settings
}

fn run(records: Vec<Record>, latency_ms: u64) -> Result<RunResult, BacktestError> {
    backtest::run(source(records), factories(), &settings(latency_ms))
}

/// (price, qty, fee) of the fills on `venue`.
fn fills_on(run: &RunResult, venue: &str) -> Vec<(Decimal, Decimal, Decimal)> {
    run.fills
        .iter()
        .filter(|f| f.market.venue.as_str() == venue)
        .map(|f| (f.price.value(), f.qty.value(), f.fee))
        .collect()
}

#[test]
fn a_dislocation_is_executed_at_the_recorded_books_with_exact_fees() -> TestResult {
    let result = run(recording(&[])?, 0)?;
    // YES on A at 0.40 and NO on B at 1 − 0.55: 100 contracts each, the whole of A's level.
    assert_eq!(
        fills_on(&result, "sim-a"),
        vec![(dec!(0.40), dec!(100), dec!(1.68))]
    );
    assert_eq!(
        fills_on(&result, "sim-b"),
        vec![(dec!(0.45), dec!(100), dec!(1.2375))]
    );
    // The fees are the schedules' own, order by order.
    let fee_a = fees_a().taker.order_fee(&[level(dec!(0.40), 100)?]);
    let fee_b = fees_b().taker.order_fee(&[level(dec!(0.45), 100)?]);
    assert_eq!((fee_a, fee_b), (dec!(1.68), dec!(1.2375)));

    let report = Report::build(
        &result,
        ReportSettings::of(&settings(0), &result, ReportOptions::default()),
        Vec::new(),
        ReportOptions::default(),
    );
    let t = &report.totals;
    assert_eq!(t.executed, 1);
    assert_eq!(t.fills, 2);
    assert_eq!(t.fees, dec!(2.9175));
    // $1 per hedged contract minus 0.40 + 0.45 and the fees.
    assert_eq!(t.locked_in, dec!(12.0825));
    assert_eq!(t.pnl, dec!(12.0825));
    assert_eq!(t.unhedged, 0);
    assert_eq!(report.pairs.len(), 1);
    let pair = &report.pairs[0];
    assert_eq!(
        (pair.a.as_str(), pair.b.as_str()),
        ("sim-a:RAIN", "sim-b:rain-paris")
    );
    assert_eq!(pair.hedged_qty, dec!(100));
    assert_eq!(report.hours.len(), 1);
    assert_eq!(report.hours[0].hour, t0());
    assert_eq!(report.pnl_curve.last().map(|p| p.pnl), Some(dec!(12.0825)));
    // Detected at 1 s, when the books crossed.
    assert!(
        result
            .opportunities
            .iter()
            .all(|o| o.opportunity.detected_at >= ms(1000))
    );
    Ok(())
}

#[test]
fn an_order_fills_at_the_book_as_it_stood_when_it_arrived() -> TestResult {
    let a = key("sim-a", "RAIN");
    // 20 ms after detection, A's ask improves to 0.39.
    let better = [book(
        ms(1020),
        &a,
        &[(dec!(0.38), 100)],
        &[(dec!(0.39), 100)],
    )?];
    // Sent at once, the order fills at 0.40 before the change...
    let at_once = run(recording(&better)?, 0)?;
    assert_eq!(
        fills_on(&at_once, "sim-a"),
        vec![(dec!(0.40), dec!(100), dec!(1.68))]
    );
    // ...but after 50 ms on the way it meets the improved book.
    let late = run(recording(&better)?, 50)?;
    assert_eq!(
        fills_on(&late, "sim-a"),
        vec![(dec!(0.39), dec!(100), dec!(1.67))]
    );

    // The ask moving away beyond the slippage tolerance while the order travels: nothing fills
    // on A, so the engine never buys B.
    let worse = [book(
        ms(1020),
        &a,
        &[(dec!(0.38), 100)],
        &[(dec!(0.60), 100)],
    )?];
    let missed = run(recording(&worse)?, 50)?;
    assert!(fills_on(&missed, "sim-a").is_empty(), "{:?}", missed.fills);
    assert!(fills_on(&missed, "sim-b").is_empty(), "{:?}", missed.fills);
    assert_eq!(missed.executions.len(), 1);
    Ok(())
}

#[test]
fn the_same_recording_and_settings_give_byte_identical_reports() -> TestResult {
    let a = key("sim-a", "RAIN");
    let extra = [
        book(ms(1020), &a, &[(dec!(0.38), 100)], &[(dec!(0.39), 100)])?,
        book(ms(1500), &a, &[(dec!(0.38), 100)], &[(dec!(0.40), 300)])?,
        book(ms(3000), &a, &[(dec!(0.38), 100)], &[(dec!(0.41), 50)])?,
    ];
    let records = recording(&extra)?;
    let mut settings = settings(20);
    settings.latency.jitter = Duration::from_millis(15);
    settings.seed = 42;
    let dirs = [tempfile::tempdir()?, tempfile::tempdir()?];
    for dir in &dirs {
        let records = records.clone();
        let open = move || -> Result<RecordSource, SourceError> { Ok(source(records.clone())) };
        let report = suite::backtest_report(
            &open,
            &factories(),
            &settings,
            &[dec!(10), dec!(50), dec!(100), dec!(500)],
            ReportOptions::default(),
        )?;
        assert_eq!(report.capacity.len(), 4);
        // A $10 limit buys fewer contracts than a $100 one.
        assert!(
            report.capacity[0].pnl < report.capacity[2].pnl,
            "{:?}",
            report.capacity
        );
        suite::write_report(dir.path(), &report)?;
        if std::env::var_os("SHOW_REPORT").is_some() {
            println!("{}", report.to_text());
        }
    }
    for name in suite::REPORT_FILES {
        let first = std::fs::read(dirs[0].path().join(name))?;
        let second = std::fs::read(dirs[1].path().join(name))?;
        assert!(!first.is_empty(), "{name} is empty");
        assert!(first == second, "{name} differs between two identical runs");
    }
    let text = std::fs::read_to_string(dirs[0].path().join("report.txt"))?;
    assert!(text.contains("sim-a:RAIN / sim-b:rain-paris"), "{text}");
    let svg = std::fs::read_to_string(dirs[0].path().join("report.svg"))?;
    assert!(
        svg.starts_with("<svg") && svg.contains("<polyline"),
        "{svg}"
    );
    Ok(())
}

#[test]
fn a_corrupt_record_in_the_middle_is_an_error_naming_it() -> TestResult {
    let mut records = recording(&[])?;
    // Entry 7 (counting from 1): a book whose payload is cut short.
    records.insert(
        6,
        Record::Raw {
            at: ms(500),
            venue: "sim-a".into(),
            format: NATIVE_BOOK_FORMAT.to_owned(),
            market: None,
            payload: "{\"market\":\"RAIN\",\"book\":{\"yes\"".to_owned(),
        },
    );
    let err = run(records, 0)
        .err()
        .ok_or("a corrupt record must fail the backtest")?;
    assert!(
        matches!(
            &err,
            BacktestError::Replay(ReplayError::Decode { entry: 7, format, .. }) if format == NATIVE_BOOK_FORMAT
        ),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains("entry 7") && message.contains("sim-a"),
        "{message}"
    );

    // An unknown format is refused by name too.
    let mut records = recording(&[])?;
    records.insert(
        5,
        Record::Raw {
            at: ms(0),
            venue: "sim-b".into(),
            format: "carrier.pigeon".to_owned(),
            market: None,
            payload: "coo".to_owned(),
        },
    );
    let message = run(records, 0)
        .err()
        .ok_or("an unknown format must fail")?
        .to_string();
    assert!(
        message.contains("carrier.pigeon") && message.contains("entry 6"),
        "{message}"
    );

    // A reader error (a damaged file) stops the backtest with the reader's own words.
    let mut records: Vec<Result<Record, SourceError>> =
        recording(&[])?.into_iter().map(Ok).collect();
    records.insert(
        6,
        Err("2026-12-03T17.rec.zst: zstd data corrupt at byte 4411".into()),
    );
    let err = backtest::run(Box::new(records.into_iter()), factories(), &settings(0))
        .err()
        .ok_or("a reader error must fail")?;
    assert!(
        err.to_string().contains("entry 7") && err.to_string().contains("byte 4411"),
        "{err}"
    );
    Ok(())
}

#[test]
fn a_recording_without_pairs_is_refused_clearly() -> TestResult {
    let records: Vec<Record> = head()?
        .into_iter()
        .filter(|r| !matches!(r, Record::Pair { .. }))
        .collect();
    let err = run(records, 0).err().ok_or("no pairs: nothing to trade")?;
    assert!(err.to_string().contains("no active pair"), "{err}");
    let err = run(Vec::new(), 0).err().ok_or("empty")?;
    assert!(err.to_string().contains("no records"), "{err}");
    Ok(())
}

/// Books that cross and uncross every few hundred milliseconds, several messages in the same
/// millisecond, executions ending while more books arrive: still one result.
#[test]
fn a_busy_recording_replays_identically() -> TestResult {
    let (a, b) = (key("sim-a", "RAIN"), key("sim-b", "rain-paris"));
    let mut records = head()?;
    for step in 0..400_i64 {
        let at = ms(step * 37 / 3);
        let ask = if step % 7 < 3 { dec!(0.40) } else { dec!(0.52) };
        let depth = 50 + u32::try_from(step % 13).unwrap_or(0) * 10;
        records.push(book(at, &a, &[(dec!(0.38), depth)], &[(ask, depth)])?);
        records.push(book(at, &b, &[(dec!(0.55), 500)], &[(dec!(0.57), 500)])?);
    }
    let mut settings = settings(0);
    settings.engine.risk.pair_cooldown = TimeDelta::milliseconds(100);
    let runs: Vec<String> = (0..4)
        .map(|_| -> Result<String, Box<dyn std::error::Error>> {
            let run = backtest::run(source(records.clone()), factories(), &settings)?;
            let report = Report::build(
                &run,
                ReportSettings::of(&settings, &run, ReportOptions::default()),
                Vec::new(),
                ReportOptions::default(),
            );
            assert!(report.totals.executed > 3, "{}", report.to_text());
            Ok(report.to_json()?)
        })
        .collect::<Result<_, _>>()?;
    assert!(runs.iter().all(|r| r == &runs[0]), "runs differ");
    Ok(())
}
