//! Recording (issue #22): books recorded from `SimExchange` through `TappedExchange`, from the
//! venue-faithful fake venues with `arb-daemon record`, and from the demo with `--record`, read
//! back as a user's backtest would read them.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

mod venues;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use arb_backtest::recording::{RecordingReader, RecordingTap, TappedExchange};
use arb_core::clock::{ManualClock, SequentialIds};
use arb_core::exchange::{BookEvent, Exchange};
use arb_core::fees::FeeSchedule;
use arb_core::model::{MarketId, MarketKey};
use arb_core::record::{BookDecoder, NATIVE_BOOK_FORMAT, NativeDecoder, Record, SharedTap};
use arb_core::sim::{SimConfig, SimExchange, binary_market, levels};
use arb_daemon::cli::{Cli, Command, DemoArgs};
use arb_daemon::commands::dispatch;
use arb_daemon::config::{Config, ConfigSources};
use chrono::{DateTime, TimeZone, Utc};
use futures::StreamExt;
use rust_decimal_macros::dec;
use serde_json::Value;
use venues::{Daemon, FED_KALSHI, FED_POLY, Fakes, KalshiKey, MAYOR_KALSHI, MAYOR_POLY, PolyWallet};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 4, 9, 0, 0).unwrap()
}

/// Every record of the recording in `dir`, failing on any error; also the truncations.
fn read(dir: &Path) -> Vec<Record> {
    let mut reader = RecordingReader::open(dir).unwrap();
    let records: Vec<Record> = reader.by_ref().collect::<Result<_, _>>().unwrap();
    assert!(reader.truncations().is_empty(), "{:?}", reader.truncations());
    records
}

#[tokio::test]
async fn sim_books_read_back_as_the_venue_returned_and_streamed_them() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(t0()));
    let sim = SimExchange::new(
        SimConfig::new("sim-a", dec!(1000)),
        clock.clone(),
        Arc::new(SequentialIds::default()),
    );
    let market = binary_market(
        MarketKey::new("sim-a", "RAIN"),
        "Will it rain?",
        FeeSchedule::FREE,
        t0() + chrono::Duration::days(30),
    )
    .unwrap();
    let id = market.key.market.clone();
    sim.add_market(market.clone()).unwrap();
    let book = |bid, ask| {
        sim.set_book(
            &id,
            &levels(&[(bid, dec!(10))]).unwrap(),
            &levels(&[(ask, dec!(5))]).unwrap(),
        )
        .unwrap();
    };
    book(dec!(0.40), dec!(0.42));

    let tap = Arc::new(RecordingTap::create(dir.path(), clock.clone()).unwrap());
    tap.market(&market);
    let venue = TappedExchange::new(sim.clone(), Arc::clone(&tap) as SharedTap);
    let mut seen = vec![venue.order_book(&id).await.unwrap()];
    let mut stream = venue.subscribe_books(std::slice::from_ref(&id)).await.unwrap();
    for (bid, ask) in [(dec!(0.41), dec!(0.43)), (dec!(0.38), dec!(0.44))] {
        clock.advance(chrono::Duration::seconds(1));
        book(bid, ask);
        let event = tokio::time::timeout(Duration::from_secs(5), stream.next())
            .await
            .unwrap()
            .unwrap();
        let BookEvent::Book { book, .. } = event else {
            panic!("not a book: {event:?}");
        };
        if seen.last() != Some(&*book) {
            seen.push((*book).clone());
        }
    }
    drop(stream);
    let stats = tap.finish();
    assert_eq!(stats.failed, 0);

    let records = read(dir.path());
    assert!(matches!(records[0], Record::Header { .. }));
    assert_eq!(
        records[1],
        Record::Market {
            at: t0(),
            market: Box::new(market)
        }
    );
    let mut decoded = Vec::new();
    for record in &records[2..] {
        let Record::Raw {
            venue,
            format,
            market,
            payload,
            at,
        } = record
        else {
            panic!("not a raw book: {record:?}");
        };
        assert_eq!(venue.as_str(), "sim-a");
        assert_eq!(format, NATIVE_BOOK_FORMAT);
        assert_eq!(market.as_ref(), Some(&id));
        let events = NativeDecoder
            .decode(*at, format, market.as_ref(), payload)
            .unwrap();
        for event in events {
            let BookEvent::Book { book, .. } = event else {
                panic!("{event:?}");
            };
            if decoded.last() != Some(&*book) {
                decoded.push((*book).clone());
            }
        }
    }
    assert_eq!(decoded, seen, "the recorded books are the books the venue gave");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_records_its_run_for_a_backtest() {
    let dir = tempfile::tempdir().unwrap();
    let recording = dir.path().join("rec");
    let config = Config::load(&ConfigSources::new()).unwrap();
    let cli = Cli {
        config: None,
        create_store: false,
        command: Command::Demo(DemoArgs {
            seconds: 3,
            database: Some(dir.path().join("demo.db")),
            seed: 7,
            force: false,
            console: false,
            record: Some(recording.clone()),
        }),
    };
    let mut out = Vec::new();
    dispatch(&cli, &config, &mut out).await.unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains(&format!("into {}", recording.display())),
        "{text}"
    );

    let records = read(&recording);
    let pairs: Vec<_> = records
        .iter()
        .filter_map(|r| match r {
            Record::Pair { pair, .. } => Some(pair),
            _ => None,
        })
        .collect();
    assert!(!pairs.is_empty(), "no pair recorded");
    let defined: Vec<&MarketKey> = records
        .iter()
        .filter_map(|r| match r {
            Record::Market { market, .. } => Some(&market.key),
            _ => None,
        })
        .collect();
    for pair in &pairs {
        assert!(defined.contains(&&pair.a) && defined.contains(&&pair.b), "{pair:?}");
    }
    let mut books_per_venue = std::collections::BTreeMap::<String, usize>::new();
    for r in &records {
        if let Record::Raw {
            at,
            venue,
            format,
            market,
            payload,
        } = r
        {
            let events = NativeDecoder
                .decode(*at, format, market.as_ref(), payload)
                .unwrap();
            assert_eq!(events.len(), 1);
            *books_per_venue.entry(venue.to_string()).or_default() += 1;
        }
    }
    assert_eq!(
        books_per_venue.keys().collect::<Vec<_>>(),
        ["sim-kalshi", "sim-polymarket"],
        "{books_per_venue:?}"
    );
    assert!(books_per_venue.values().all(|n| *n >= 3), "{books_per_venue:?}");
}

/// The raw records of `venue` in `format`, as (market, payload parsed as JSON).
fn raws(records: &[Record], venue: &str, format: &str) -> Vec<(Option<MarketId>, Value)> {
    records
        .iter()
        .filter_map(|r| match r {
            Record::Raw {
                venue: v,
                format: f,
                market,
                payload,
                ..
            } if v.as_str() == venue && f == format => Some((
                market.clone(),
                serde_json::from_str(payload)
                    .unwrap_or_else(|e| panic!("{format} payload is not JSON ({e}): {payload}")),
            )),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    e2e_unavailable,
    ignore = "SKIPPED: ../shared/fakevenues or python3 is absent (ARB_REQUIRE_E2E=1 makes this a failure)"
)]
async fn record_writes_the_venues_own_answers_and_the_definitions() {
    let Some(fakes_dir) = venues::fakevenues_dir() else {
        venues::skip("../shared/fakevenues is absent");
        return;
    };
    if !venues::python_available() {
        venues::skip("python3 is absent");
        return;
    }
    venues::daemon_binary();
    let fakes = Fakes::start(&fakes_dir);
    fakes.reset(&fakes.scenario()).await;
    let daemon = Daemon::new(&fakes, "monitor", KalshiKey::Rsa, PolyWallet::Eoa);
    daemon.sync_and_approve();
    let out = daemon.dir.path().join("recording");
    let out_arg = out.display().to_string();
    let running = daemon.start_with(&["record", "--out", &out_arg]);
    tokio::time::sleep(Duration::from_secs(5)).await;
    let log = running.stop();
    assert!(log.contains("recording 4 markets and 2 pairs"), "{log}");

    let records = read(&out);
    let markets: Vec<String> = records
        .iter()
        .filter_map(|r| match r {
            Record::Market { market, .. } => Some(market.key.market.to_string()),
            _ => None,
        })
        .collect();
    for id in [FED_KALSHI, FED_POLY, MAYOR_KALSHI, MAYOR_POLY] {
        assert!(markets.iter().any(|m| m == id), "{id} not defined: {markets:?}");
    }
    let pairs = records
        .iter()
        .filter(|r| matches!(r, Record::Pair { .. }))
        .count();
    assert_eq!(pairs, 2);

    // No WebSocket is served: books are polled, and recorded as the venues answered.
    let kalshi = raws(&records, "kalshi", "kalshi.rest.orderbook");
    assert!(kalshi.len() >= 2, "{} Kalshi answers:\n{log}", kalshi.len());
    let tickers: Vec<&str> = kalshi
        .iter()
        .flat_map(|(_, body)| body["orderbooks"].as_array().into_iter().flatten())
        .filter_map(|entry| entry["ticker"].as_str())
        .collect();
    assert!(
        tickers.contains(&FED_KALSHI) && tickers.contains(&MAYOR_KALSHI),
        "{tickers:?}"
    );
    assert!(
        kalshi
            .iter()
            .all(|(_, body)| body["orderbooks"][0]["orderbook_fp"].is_object()),
        "Kalshi's own orderbook shape: {kalshi:?}"
    );
    let poly = raws(&records, "polymarket", "polymarket.rest.book");
    assert!(poly.len() >= 2, "{} Polymarket answers:\n{log}", poly.len());
    assert!(
        poly.iter().all(|(_, body)| body
            .as_array()
            .is_some_and(|books| books.iter().all(|b| b["asset_id"].is_string()
                && b["bids"].is_array()
                && b["asks"].is_array()))),
        "Polymarket's own /books shape: {poly:?}"
    );
}
