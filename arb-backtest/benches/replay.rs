//! Replay throughput: a 10-pair recording (Kalshi `orderbook_delta` frames and Polymarket
//! `price_change` frames over 10-level books, in each venue's own wire format) read through the
//! adapters' decoders and each update's pair through its kept `PairDetector`, on one core.
//!
//! Figures in book updates per second (criterion's `thrpt`):
//! - `replay/decode`: the decoders alone, from records in memory;
//! - `replay/decode+detect`: the same and the detector;
//! - `replay/zstd+json+decode+detect`: from the recording's file encoding (one JSON record per
//!   line in a zstd stream) held in memory, streamed line by line.
//!
//! `cargo bench -p arb-backtest --bench replay`
#![allow(missing_docs, clippy::unwrap_used, clippy::cast_possible_truncation)]

use std::collections::HashMap;
use std::hint::black_box;
use std::io::{BufRead, BufReader, Write};

use arb_core::detect::{DetectLimits, PairDetector, PairView};
use arb_core::exchange::BookEvent;
use arb_core::fees::{FeeModel, FeeRule, FeeSchedule};
use arb_core::model::{
    BinaryBook, Legs, Market, MarketExt, MarketId, MarketKey, MarketStatus, PairId, PairStatus,
    Polarity, PriceGrid, Qty, VenueId, VerifiedPair,
};
use arb_core::record::{BookDecoder, DecoderFactory, Record};
use arb_kalshi::KalshiDecoders;
use arb_polymarket::{OutcomeMapping, PolymarketDecoders, PolymarketMarketExt};
use chrono::{DateTime, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rust_decimal_macros::dec;
use serde_json::json;

const PAIRS: usize = 10;
/// Book updates in the recording (after the snapshots).
const UPDATES: usize = 200_000;
const START_MS: i64 = 1_800_000_000_000;

fn market(venue: &str, id: &str, fees: FeeSchedule, ext: MarketExt) -> Market {
    Market {
        key: MarketKey::new(venue, id),
        title: "Will it happen?".into(),
        subtitle: String::new(),
        rules: String::new(),
        resolution_source: None,
        close_time: DateTime::<Utc>::MAX_UTC,
        status: MarketStatus::Open,
        price_grid: PriceGrid::uniform(dec!(0.01)).unwrap(),
        size_step: Qty::new(dec!(0.01)).unwrap(),
        min_order_qty: Qty::new(dec!(1)).unwrap(),
        fees,
        ext,
    }
}

/// Pair `i`: Kalshi ticker `KX-i`, Polymarket condition `0x…i` with YES token `1000i`.
fn pairs() -> (Vec<Market>, Vec<Market>, Vec<VerifiedPair>) {
    let now = DateTime::from_timestamp_millis(START_MS).unwrap();
    let mut kalshi = Vec::new();
    let mut poly = Vec::new();
    let mut pairs = Vec::new();
    for i in 0..PAIRS {
        let k = market(
            "kalshi",
            &format!("KX-{i}"),
            FeeSchedule::taker_only(FeeRule::quadratic(
                dec!(0.07),
                dec!(0.0001),
                Some(dec!(0.01)),
            )),
            MarketExt::default(),
        );
        let cid = format!("0x{:064x}", i + 1);
        let mut ext = MarketExt::default();
        ext.insert(&PolymarketMarketExt {
            condition_id: cid.clone(),
            yes_token_id: format!("{}", 1000 + i),
            no_token_id: format!("{}", 2000 + i),
            yes_label: "Yes".into(),
            no_label: "No".into(),
            mapping: OutcomeMapping::YesNoLabels,
            neg_risk: false,
            gamma_id: None,
            slug: None,
        })
        .unwrap();
        let p = market(
            "polymarket",
            &cid,
            FeeSchedule::taker_only(FeeRule::quadratic(dec!(0.03), dec!(0.00001), None)),
            ext,
        );
        pairs.push(VerifiedPair {
            id: PairId(i as i64 + 1),
            a: k.key.clone(),
            b: p.key.clone(),
            polarity: Polarity::Same,
            status: PairStatus::Active,
            rules_hash_a: String::new(),
            rules_hash_b: String::new(),
            approved_by: "bench".into(),
            approved_at: now,
        });
        kalshi.push(k);
        poly.push(p);
    }
    (kalshi, poly, pairs)
}

fn raw(ms: i64, venue: &str, format: &str, payload: String) -> Record {
    Record::Raw {
        at: DateTime::from_timestamp_millis(ms).unwrap(),
        venue: VenueId::new(venue),
        format: format.into(),
        market: None,
        payload,
    }
}

/// splitmix64, for a fixed, realistic-looking stream.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n
    }
}

/// Snapshots of every book (10 levels a side), then `UPDATES` deltas alternating venues and
/// pairs, one millisecond apart, each moving one of the top 10 levels.
fn recording() -> Vec<Record> {
    let mut out = Vec::new();
    let mut seq = 0u64;
    let level = |c: u64, q: u64| json!([format!("0.{c:02}00"), format!("{q}.00")]);
    for i in 0..PAIRS {
        seq += 1;
        let yes: Vec<_> = (35..45).map(|c| level(c, 100 + c)).collect();
        let no: Vec<_> = (45..55).map(|c| level(c, 90 + c)).collect();
        let frame = json!({"type": "orderbook_snapshot", "sid": 1, "seq": seq, "msg": {
            "market_ticker": format!("KX-{i}"), "yes_dollars_fp": yes, "no_dollars_fp": no, "ts_ms": START_MS}});
        out.push(raw(START_MS, "kalshi", "kalshi.ws", frame.to_string()));
        let side = |from: u64| -> Vec<_> {
            (from..from + 10)
                .map(|c| json!({"price": format!("0.{c:02}"), "size": format!("{}", 80 + c)}))
                .collect()
        };
        let frame = json!({"event_type": "book", "asset_id": format!("{}", 1000 + i),
            "market": format!("0x{:064x}", i + 1), "bids": side(38), "asks": side(52),
            "timestamp": START_MS.to_string()});
        out.push(raw(
            START_MS,
            "polymarket",
            "polymarket.ws",
            frame.to_string(),
        ));
    }
    let mut rng = Rng(7);
    for n in 0..UPDATES {
        let ms = START_MS + 1 + n as i64;
        let i = rng.below(PAIRS as u64);
        if n % 2 == 0 {
            seq += 1;
            let side = if rng.below(2) == 0 { "yes" } else { "no" };
            let delta = rng.below(40) as i64 - 20;
            let frame = json!({"type": "orderbook_delta", "sid": 1, "seq": seq, "msg": {
                "market_ticker": format!("KX-{i}"), "market_id": "ef793c45-beed-4096-8a3a-1c70af894be7",
                "price_dollars": format!("0.{:02}00", 35 + rng.below(10)), "delta_fp": format!("{delta}.00"),
                "side": side, "ts": "2027-01-15T08:00:00.000000Z", "ts_ms": ms}});
            out.push(raw(ms, "kalshi", "kalshi.ws", frame.to_string()));
        } else {
            // Bids up to 0.49 against Kalshi's 0.45 ask: now and then a dislocation.
            let (side, from) = if rng.below(2) == 0 {
                ("BUY", 40)
            } else {
                ("SELL", 52)
            };
            let size = if rng.below(4) == 0 {
                0
            } else {
                10 + rng.below(300)
            };
            let frame = json!({"event_type": "price_change", "market": format!("0x{:064x}", i + 1),
                "timestamp": ms.to_string(), "price_changes": [{"asset_id": format!("{}", 1000 + i),
                "price": format!("0.{}", from + rng.below(10)), "size": size.to_string(),
                "side": side, "hash": "0x5f8a2c", "best_bid": "0.47", "best_ask": "0.52"}]});
            out.push(raw(ms, "polymarket", "polymarket.ws", frame.to_string()));
        }
    }
    out
}

/// What a replay keeps: decoders per venue, each market's book, each pair's detector.
struct Replay {
    kalshi: Box<dyn BookDecoder>,
    poly: Box<dyn BookDecoder>,
    markets: Vec<Market>,
    pairs: Vec<VerifiedPair>,
    /// Market id → (pair index, leg 0 = A / 1 = B).
    legs: HashMap<MarketId, (usize, usize)>,
    books: Vec<[Option<std::sync::Arc<BinaryBook>>; 2]>,
    detectors: Vec<PairDetector>,
    limits: DetectLimits,
    /// Whether each update runs the detector (off: the decoders alone, to split the figure).
    run_detector: bool,
    found: u64,
}

impl Replay {
    fn new(detect: bool) -> Self {
        let (kalshi, poly, pairs) = pairs();
        let mut legs = HashMap::new();
        for (i, p) in pairs.iter().enumerate() {
            legs.insert(p.a.market.clone(), (i, 0));
            legs.insert(p.b.market.clone(), (i, 1));
        }
        let venue = VenueId::new("x");
        Self {
            kalshi: KalshiDecoders::new(true).decoder(&venue, &kalshi),
            poly: PolymarketDecoders.decoder(&venue, &poly),
            markets: kalshi.into_iter().chain(poly).collect(),
            detectors: (0..pairs.len()).map(|_| PairDetector::default()).collect(),
            books: vec![[None, None]; pairs.len()],
            pairs,
            legs,
            limits: DetectLimits {
                min_profit_fraction: dec!(0.005),
                min_profit_usd: dec!(0.10),
                max_trade_usd: dec!(2000),
                remaining_exposure_a_usd: dec!(5000),
                remaining_exposure_b_usd: dec!(5000),
                balance_a_usd: dec!(10000),
                balance_b_usd: dec!(10000),
                max_book_age: chrono::Duration::seconds(5),
            },
            run_detector: detect,
            found: 0,
        }
    }

    fn record(&mut self, record: &Record) {
        let Record::Raw {
            at,
            venue,
            format,
            market,
            payload,
        } = record
        else {
            return;
        };
        let decoder = if venue.as_str() == "kalshi" {
            &mut self.kalshi
        } else {
            &mut self.poly
        };
        for event in decoder
            .decode(*at, format, market.as_ref(), payload)
            .unwrap()
        {
            let BookEvent::Book { market, book } = event else {
                continue;
            };
            let Some(&(pair, leg)) = self.legs.get(&market) else {
                continue;
            };
            self.books[pair][leg] = Some(book);
            if self.run_detector {
                self.detect(pair, *at);
            }
        }
    }

    fn detect(&mut self, i: usize, now: DateTime<Utc>) {
        let [Some(a), Some(b)] = &self.books[i] else {
            return;
        };
        let (ma, mb) = (&self.markets[i], &self.markets[PAIRS + i]);
        let view = PairView {
            pair: &self.pairs[i],
            markets: Legs::new(ma, mb),
            books: Legs::new(&**a, &**b),
            fees: Legs::<&dyn FeeModel>::new(&ma.fees, &mb.fees),
        };
        if self.detectors[i]
            .best_opportunity(&view, &self.limits, now)
            .is_ok()
        {
            self.found += 1;
        }
    }
}

/// The recording as its files hold it: JSON lines in one zstd stream.
fn compressed(records: &[Record]) -> Vec<u8> {
    let mut enc = zstd::stream::write::Encoder::new(Vec::new(), 3).unwrap();
    for r in records {
        serde_json::to_writer(&mut enc, r).unwrap();
        enc.write_all(b"\n").unwrap();
    }
    enc.finish().unwrap()
}

fn bench(c: &mut Criterion) {
    let records = recording();
    let bytes = compressed(&records);
    let updates = (records.len()) as u64;
    // Sanity: every update is a book the detector sees, and some are opportunities.
    let mut check = Replay::new(true);
    records.iter().for_each(|r| check.record(r));
    assert!(check.found > 0, "the recording has no dislocation");
    let mut group = c.benchmark_group("replay");
    group.throughput(Throughput::Elements(updates));
    group.sample_size(10);
    group.bench_function("decode", |b| {
        b.iter(|| {
            let mut replay = Replay::new(false);
            records.iter().for_each(|r| replay.record(black_box(r)));
            replay.books.len()
        })
    });
    group.bench_function("decode+detect", |b| {
        b.iter(|| {
            let mut replay = Replay::new(true);
            records.iter().for_each(|r| replay.record(black_box(r)));
            replay.found
        })
    });
    group.bench_function("zstd+json+decode+detect", |b| {
        b.iter(|| {
            let mut replay = Replay::new(true);
            let reader = BufReader::new(zstd::stream::read::Decoder::new(&bytes[..]).unwrap());
            for line in reader.lines() {
                let record: Record = serde_json::from_str(&line.unwrap()).unwrap();
                replay.record(black_box(&record));
            }
            replay.found
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
