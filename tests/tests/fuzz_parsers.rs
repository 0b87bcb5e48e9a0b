//! Structured mutation of the venues' real sample payloads (`tests/fixtures/fuzz/`, copied from
//! `shared/reference/*-samples`) through every parser a venue answer reaches, and through the
//! detector fed the books they parse; and of Discord's interaction and reaction payloads (shaped
//! as Discord documents them) through serenity's parsing, the bot's command and reaction layer,
//! the engine and the rendered reply: no input may panic.
//!
//! Each input is a sample with one to four mutations: a leaf replaced by a hostile value (a
//! decimal at `Decimal::MAX`, negative, huge or tiny exponents, non-numbers, empty or long
//! strings, the largest integers), a key deleted, an array element repeated many times, an array
//! emptied, or a value swapped for another type. `cargo test` runs a short seeded pass
//! ([`QUICK_INPUTS`] per parser). `ARB_FUZZ_SECONDS=600 cargo test --release -p arb-tests --test
//! fuzz_parsers -- --nocapture` runs each parser for that long with a time-based seed, prints the
//! count of inputs and panics, and writes every input that panicked to
//! `target/fuzz-crashes/<parser>-<n>.json`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Once};
use std::time::{Duration, Instant};

use arb_core::detect::{DetectLimits, PairView, best_opportunity};
use arb_core::fees::FeeModel;
use arb_core::model::{Legs, Polarity, VerifiedPair};
use arb_core::record::BookDecoder;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::Value;

/// Inputs per parser in the quick pass that `cargo test` runs.
const QUICK_INPUTS: u64 = 1_500;

/// splitmix64: every input is reproducible from the seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n.max(1)).unwrap_or(1)).unwrap_or(0)
    }
}

/// Values that have broken parsers: the edges of `Decimal`, of integers and of JSON.
fn hostile(rng: &mut Rng) -> Value {
    const STRINGS: &[&str] = &[
        "79228162514264337593543950335",
        "-79228162514264337593543950335",
        "7922816251426433759354395033.5",
        "0.0000000000000000000000000001",
        "1e30",
        "-1e-30",
        "1e400",
        "-0.01",
        "-1",
        "0",
        "",
        "NaN",
        "inf",
        ".",
        "0x10",
        "18446744073709551615",
        "99999999999999999999999999999999999",
        "🙂",
        "2026-13-45T99:99:99Z",
        " 0.5",
    ];
    match rng.below(6) {
        0 => Value::from(u64::MAX),
        1 => Value::from(i64::MIN),
        2 => serde_json::json!(1.797_693_134_862_315_7e308),
        3 => Value::from(-60),
        4 => Value::String("9".repeat(rng.below(200) + 1)),
        _ => Value::String(STRINGS[rng.below(STRINGS.len())].to_owned()),
    }
}

/// Every path to a node of `v`.
fn paths(v: &Value, prefix: &mut Vec<PathStep>, out: &mut Vec<Vec<PathStep>>) {
    out.push(prefix.clone());
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                prefix.push(PathStep::Key(k.clone()));
                paths(child, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                prefix.push(PathStep::Index(i));
                paths(child, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

#[derive(Clone, Debug)]
enum PathStep {
    Key(String),
    Index(usize),
}

fn at<'a>(v: &'a mut Value, path: &[PathStep]) -> Option<&'a mut Value> {
    path.iter().try_fold(v, |node, step| match step {
        PathStep::Key(k) => node.get_mut(k),
        PathStep::Index(i) => node.get_mut(*i),
    })
}

/// One structural mutation at a random node.
fn mutate(v: &mut Value, rng: &mut Rng) {
    let mut all = Vec::new();
    paths(v, &mut Vec::new(), &mut all);
    let path = all[rng.below(all.len())].clone();
    let Some(node) = at(v, &path) else { return };
    match (rng.below(5), node) {
        (0, Value::Object(m)) if !m.is_empty() => {
            let key = m
                .keys()
                .nth(rng.below(m.len()))
                .cloned()
                .unwrap_or_default();
            m.remove(&key);
        }
        (1, Value::Array(a)) if !a.is_empty() => {
            let item = a[rng.below(a.len())].clone();
            let times = rng.below(60) + 1;
            a.extend(std::iter::repeat_n(item, times));
        }
        (2, Value::Array(a)) => a.clear(),
        (3, n @ (Value::String(_) | Value::Number(_))) => {
            let swapped = match &*n {
                Value::String(s) => s
                    .parse::<f64>()
                    .map_or(Value::Null, |f| serde_json::json!(f)),
                other => Value::String(other.to_string()),
            };
            *n = swapped;
        }
        (_, n) => *n = hostile(rng),
    }
}

/// A sample with one to four mutations.
fn mutant(sample: &Value, rng: &mut Rng) -> Value {
    let mut v = sample.clone();
    for _ in 0..=rng.below(4) {
        mutate(&mut v, rng);
    }
    v
}

fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/fuzz")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture")).expect("fixture JSON")
}

/// The last panic's message (the hook keeps it instead of printing it).
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

thread_local! {
    /// Whether this thread is feeding a parser (its panics are caught and counted).
    static FUZZING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Panics of a parser under test are recorded, not printed; any other panic (a failed
/// assertion) is reported as usual.
fn quiet_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if FUZZING.with(std::cell::Cell::get) {
                *LAST_PANIC
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(info.to_string());
            } else {
                default(info);
            }
        }));
    });
}

/// Feeds mutants of `sample` to `parse` (the quick pass, or `ARB_FUZZ_SECONDS` long); returns
/// (inputs, panics) and writes each panicking input under `target/fuzz-crashes/`.
fn fuzz(name: &str, sample: &Value, parse: impl Fn(&str)) -> (u64, Vec<String>) {
    quiet_panics();
    let long = std::env::var("ARB_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok());
    let seed = long.map_or(0x5EED, |_| {
        u64::try_from(Utc::now().timestamp_nanos_opt().unwrap_or(0)).unwrap_or(0)
    });
    let deadline = long.map(|s| Instant::now() + Duration::from_secs(s));
    let mut rng = Rng(seed
        ^ name
            .bytes()
            .fold(0_u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))));
    let crashes_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("../fuzz-crashes");
    let (mut inputs, mut panics) = (0_u64, Vec::new());
    loop {
        let done = match deadline {
            Some(d) => Instant::now() >= d,
            None => inputs >= QUICK_INPUTS,
        };
        if done {
            break;
        }
        let text = mutant(sample, &mut rng).to_string();
        inputs += 1;
        FUZZING.with(|f| f.set(true));
        let outcome = catch_unwind(AssertUnwindSafe(|| parse(&text)));
        FUZZING.with(|f| f.set(false));
        if outcome.is_err() {
            let message = LAST_PANIC.lock().unwrap().take().unwrap_or_default();
            let _ = std::fs::create_dir_all(&crashes_dir);
            let file = crashes_dir.join(format!("{name}-{}.json", panics.len()));
            let _ = std::fs::write(&file, &text);
            panics.push(format!("{message} (input: {})", file.display()));
        }
    }
    println!("fuzz {name}: {inputs} inputs, {} panics", panics.len());
    (inputs, panics)
}

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_796_000_000, 0).unwrap_or_default()
}

fn assert_no_panics(name: &str, sample: &Value, parse: impl Fn(&str)) {
    let (inputs, panics) = fuzz(name, sample, parse);
    assert!(inputs > 0);
    assert!(
        panics.is_empty(),
        "{name}: {} of {inputs} inputs panicked:\n{}",
        panics.len(),
        panics.join("\n")
    );
}

/// A Kalshi event and series shaped like the venue's, for the market mapping.
fn kalshi_event_and_series() -> Value {
    serde_json::json!({
        "event": {"event_ticker": "KXGOLDH-26AUG2711", "series_ticker": "KXGOLDH", "title": "Gold",
                  "sub_title": "", "collateral_return_type": "", "mutually_exclusive": false,
                  "settlement_sources": [{"name": "LBMA", "url": "https://www.lbma.org.uk"}],
                  "fee_type_override": null, "fee_multiplier_override": null},
        "series": {"ticker": "KXGOLDH", "frequency": "daily", "title": "Gold", "category": "Financials",
                   "fee_type": "quadratic_with_maker_fees", "fee_multiplier": 1, "settlement_sources": []}
    })
}

#[test]
fn kalshi_market_event_and_series_never_panic() {
    let mut sample = fixture("../rest-get-market.real-2026-05.json");
    let extra = kalshi_event_and_series();
    sample["event"] = extra["event"].clone();
    sample["series"] = extra["series"].clone();
    assert_no_panics("kalshi-market", &sample, |text| {
        let Ok(v) = serde_json::from_str::<Value>(text) else {
            return;
        };
        let m = serde_json::from_value::<arb_kalshi::wire::WireMarket>(v["market"].clone());
        let e = serde_json::from_value::<arb_kalshi::wire::EventData>(v["event"].clone());
        let s = serde_json::from_value::<arb_kalshi::wire::SeriesData>(v["series"].clone());
        if let (Ok(m), Ok(e), Ok(s)) = (m, e, s) {
            let _ = arb_kalshi::convert::market(&m, &e, &s);
        }
    });
}

#[test]
fn kalshi_order_book_and_the_detector_never_panic() {
    let sample = fixture("rest-get-orderbook.docs.json");
    let poly_book = polymarket_book(&fixture("clob_book.json")).expect("sample book");
    assert_no_panics("kalshi-orderbook", &sample, |text| {
        let Ok(r) = serde_json::from_str::<arb_kalshi::wire::OrderbookResponse>(text) else {
            return;
        };
        if let Ok(book) = arb_kalshi::convert::book(&r.orderbook_fp, now(), "fuzz") {
            detect_on(&book, &poly_book);
        }
    });
}

#[test]
fn kalshi_websocket_frames_never_panic() {
    // Through the recording decoder: the live feed's frame handling (sequence checks, books,
    // resynchronisation) without the connection.
    let frames = fixture("ws-orderbook.real-demo-2026-08-27.json");
    assert_no_panics("kalshi-ws", &frames, |text| {
        let Ok(Value::Array(frames)) = serde_json::from_str::<Value>(text) else {
            return;
        };
        let mut decoder = arb_kalshi::KalshiDecoder::new(false);
        for frame in &frames {
            let _ = decoder.decode(
                now(),
                arb_kalshi::record::WS_FORMAT,
                None,
                &frame.to_string(),
            );
        }
    });
}

#[test]
fn recorded_rest_books_never_panic() {
    let kalshi = fixture("rest-get-orderbook.docs.json");
    let market = arb_core::model::MarketId::new("T");
    assert_no_panics("kalshi-rest-recorded", &kalshi, |text| {
        let mut decoder = arb_kalshi::KalshiDecoder::new(true);
        let format = arb_kalshi::record::REST_ORDERBOOK_FORMAT;
        let _ = decoder.decode(now(), format, Some(&market), text);
        let _ = decoder.decode(now(), format, None, text);
    });
    let info = polymarket_market(&common::gamma_market(), &common::clob_market_info())
        .expect("the samples map");
    let mut book = fixture("ws_book.json");
    book["asset_id"] = Value::String(info.ext.yes_token_id.clone());
    assert_no_panics("polymarket-rest-recorded", &book, |text| {
        let mut decoder =
            arb_polymarket::PolymarketDecoder::new(std::slice::from_ref(&info.market));
        let format = arb_polymarket::record::REST_BOOK_FORMAT;
        let _ = decoder.decode(now(), format, None, text);
        let _ = decoder.decode(now(), format, None, &format!("[{text}]"));
    });
}

/// A Kalshi order, fill, position and V2 create answer shaped like the venue's.
fn kalshi_portfolio() -> Value {
    serde_json::json!({
        "order": {
            "order_id": "3b23c1c7", "client_order_id": "8c35ecb3", "ticker": "HIGHNY-24JAN01-T60",
            "outcome_side": "no", "book_side": "ask", "status": "executed",
            "yes_price_dollars": "0.5600", "no_price_dollars": "0.4400",
            "fill_count_fp": "4.00", "remaining_count_fp": "0.00", "initial_count_fp": "10.00",
            "taker_fill_cost_dollars": "1.7600", "maker_fill_cost_dollars": "0.0000",
            "taker_fees_dollars": "0.0700", "maker_fees_dollars": "0.0000",
            "created_time": "2026-05-13T01:51:41.778164Z"
        },
        "fill": {
            "fill_id": "f-1", "order_id": "o-9", "ticker": "HIGHNY-24JAN01-T60",
            "outcome_side": "yes", "book_side": "bid", "count_fp": "2.50",
            "yes_price_dollars": "0.3600", "no_price_dollars": "0.6400", "is_taker": true,
            "fee_cost": "0.0403", "created_time": "2026-05-13T02:00:00.5Z", "ts": 1778637600
        },
        "position": {
            "ticker": "A", "position_fp": "-12.50", "market_exposure_dollars": "5.0000",
            "realized_pnl_dollars": "1.2500", "fees_paid_dollars": "0.3100",
            "last_updated_ts": "2026-05-13T02:00:00Z"
        },
        "created": {
            "order_id": "o-1", "client_order_id": "c-1", "fill_count": "5.00",
            "remaining_count": "0.00", "average_fill_price": "0.4300",
            "average_fee_paid": "0.0174", "ts_ms": 1715793600456_i64
        },
        "balance": { "balance": 1234, "balance_dollars": "12.3400", "portfolio_value": 500 }
    })
}

#[test]
fn kalshi_orders_fills_and_positions_never_panic() {
    let request = arb_core::model::OrderRequest {
        client_order_id: arb_core::model::ClientOrderId::new("c-1"),
        market: arb_core::model::MarketKey::new("kalshi", "HIGHNY-24JAN01-T60"),
        outcome: arb_core::model::Outcome::No,
        side: arb_core::model::Side::Buy,
        limit_price: arb_core::model::Price::new(Decimal::new(56, 2)).expect("price"),
        qty: arb_core::model::Qty::new(Decimal::new(55, 1)).expect("qty"),
        time_in_force: arb_core::model::TimeInForce::Ioc,
    };
    assert_no_panics("kalshi-portfolio", &kalshi_portfolio(), |text| {
        let Ok(v) = serde_json::from_str::<Value>(text) else {
            return;
        };
        use arb_kalshi::wire::{
            BalanceResponse, CreateOrderV2Response, MarketPosition, WireFill, WireOrder,
        };
        if let Ok(o) = serde_json::from_value::<WireOrder>(v["order"].clone()) {
            let _ = arb_kalshi::convert::order(&o, None, now());
            let _ = arb_kalshi::convert::order(&o, Some(&request), now());
        }
        if let Ok(f) = serde_json::from_value::<WireFill>(v["fill"].clone()) {
            let _ = arb_kalshi::convert::fill(&f, None);
        }
        if let Ok(p) = serde_json::from_value::<MarketPosition>(v["position"].clone()) {
            let _ = arb_kalshi::convert::position(&p, now());
        }
        if let Ok(c) = serde_json::from_value::<CreateOrderV2Response>(v["created"].clone()) {
            let _ = arb_kalshi::convert::order_from_create(&request, &c, now());
        }
        if let Ok(b) = serde_json::from_value::<BalanceResponse>(v["balance"].clone()) {
            let _ = arb_kalshi::convert::balance(&b, now());
        }
    });
}

fn polymarket_market(gamma: &Value, clob: &Value) -> Option<arb_polymarket::MarketInfo> {
    let g = serde_json::from_value::<arb_polymarket::wire::GammaMarket>(gamma.clone()).ok()?;
    let c = serde_json::from_value::<arb_polymarket::wire::ClobMarketInfo>(clob.clone()).ok()?;
    arb_polymarket::markets::build_market(&g, &c).ok()
}

fn polymarket_book(v: &Value) -> Option<arb_core::model::BinaryBook> {
    let w = serde_json::from_value::<arb_polymarket::wire::WireBook>(v.clone()).ok()?;
    arb_polymarket::books::binary_from_yes(&w, now()).ok()
}

#[test]
fn polymarket_gamma_and_clob_markets_never_panic() {
    let sample =
        serde_json::json!({"gamma": common::gamma_market(), "clob": common::clob_market_info()});
    assert!(
        polymarket_market(&sample["gamma"], &sample["clob"]).is_some(),
        "the samples map"
    );
    assert_no_panics("polymarket-market", &sample, |text| {
        let Ok(v) = serde_json::from_str::<Value>(text) else {
            return;
        };
        let _ = polymarket_market(&v["gamma"], &v["clob"]);
    });
}

#[test]
fn polymarket_books_and_the_detector_never_panic() {
    let sample = fixture("clob_book.json");
    let kalshi = serde_json::from_value::<arb_kalshi::wire::OrderbookResponse>(fixture(
        "rest-get-orderbook.docs.json",
    ))
    .expect("sample");
    let kalshi_book =
        arb_kalshi::convert::book(&kalshi.orderbook_fp, now(), "sample").expect("book");
    assert_no_panics("polymarket-book", &sample, |text| {
        let Ok(v) = serde_json::from_str::<Value>(text) else {
            return;
        };
        if let Some(book) = polymarket_book(&v) {
            detect_on(&kalshi_book, &book);
        }
    });
}

#[test]
fn polymarket_market_channel_frames_never_panic() {
    let info = Arc::new(
        polymarket_market(&common::gamma_market(), &common::clob_market_info())
            .expect("the samples map"),
    );
    let token = info.ext.yes_token_id.clone();
    let mut book = fixture("ws_book.json");
    book["asset_id"] = Value::String(token.clone());
    let mut change = fixture("ws_price_change.json");
    change["price_changes"][0]["asset_id"] = Value::String(token);
    let frames = Value::Array(vec![book, change]);
    assert_no_panics("polymarket-ws", &frames, |text| {
        let mut decoder =
            arb_polymarket::PolymarketDecoder::new(std::slice::from_ref(&info.market));
        let format = arb_polymarket::record::WS_FORMAT;
        let _ = decoder.decode(now(), format, None, text);
        let _ = decoder.decode(now(), format, None, text);
    });
}

#[test]
fn polymarket_data_api_positions_never_panic() {
    let info = polymarket_market(&common::gamma_market(), &common::clob_market_info())
        .expect("the samples map");
    let mut sample = fixture("data_api_positions_v1.json");
    sample[0]["asset"] = Value::String(info.ext.yes_token_id.clone());
    sample[1]["asset"] = Value::String(info.ext.no_token_id.clone());
    let parsed: Vec<arb_polymarket::wire::DataPosition> =
        serde_json::from_value(sample.clone()).expect("the sample parses");
    assert!(
        arb_polymarket::positions::position(&parsed[0], &info, now()).is_ok(),
        "the sample maps"
    );
    assert_no_panics("polymarket-positions", &sample, |text| {
        let Ok(items) = serde_json::from_str::<Vec<arb_polymarket::wire::DataPosition>>(text)
        else {
            return;
        };
        for p in &items {
            let _ = arb_polymarket::positions::position(p, &info, now());
        }
    });
}

#[test]
fn discord_slash_commands_never_panic() {
    let sample = fixture("discord_interaction.json");
    let parse = |text: &str| -> Option<serenity::all::CommandInteraction> {
        match serde_json::from_str::<serenity::all::Interaction>(text).ok()? {
            serenity::all::Interaction::Command(c) => Some(c),
            _ => None,
        }
    };
    assert!(parse(&sample.to_string()).is_some(), "the sample parses");
    assert_no_panics("discord-command", &sample, |text| {
        let Some(interaction) = parse(text) else {
            return;
        };
        let actor = arb_discord::bot::command_actor(&interaction, discord::HOME);
        let input = arb_discord::bot::invocation(&interaction);
        let (actor, input) = (&actor, &input);
        let outcome = discord::with_engine(|engine, policy| async move {
            arb_discord::command::handle(&engine, &policy, actor, input).await
        });
        let rendered = arb_discord::render::interaction_message(&outcome.reply);
        let _ = serde_json::to_string(&rendered);
    });
}

#[test]
fn discord_reactions_never_panic() {
    let sample = fixture("discord_reaction.json");
    let parse = |v: &Value| {
        let reaction = serde_json::from_value::<serenity::all::Reaction>(v["reaction"].clone());
        let message = serde_json::from_value::<serenity::all::Message>(v["message"].clone());
        reaction.ok().zip(message.ok())
    };
    let (reaction, message) = parse(&sample).expect("the sample parses");
    assert!(
        arb_discord::bot::reaction_request(&reaction, discord::ME, discord::HOME).is_some()
            && arb_discord::bot::suggestion_on(&message, discord::ME).is_some(),
        "the sample is a trader's approval of a suggestion"
    );
    assert_no_panics("discord-reaction", &sample, |text| {
        let Some((reaction, message)) = serde_json::from_str::<Value>(text)
            .ok()
            .and_then(|v| parse(&v))
        else {
            return;
        };
        let Some((actor, verdict)) =
            arb_discord::bot::reaction_request(&reaction, discord::ME, discord::HOME)
        else {
            return;
        };
        let Some(id) = arb_discord::bot::suggestion_on(&message, discord::ME) else {
            return;
        };
        let (reply, policy) = discord::with_engine(|engine, policy| async move {
            let reply = arb_discord::command::react(&engine, &policy, &actor, id, verdict).await;
            (reply, policy)
        });
        let _ = serde_json::to_string(&arb_discord::render::message(&reply, &policy));
    });
}

/// The engine a Discord command reaches: two simulated venues with one market each (the
/// sample's Kalshi ticker and Polymarket condition id, worded alike so the matcher suggests
/// them), over a `MemoryStore`; one per fuzzing thread.
mod discord {
    use std::sync::Arc;

    use arb_core::clock::{Clock, SequentialIds, SystemClock};
    use arb_core::engine::{Engine, EngineConfig, EngineHandle, EngineParts, TradingMode};
    use arb_core::exchange::Exchange;
    use arb_core::fees::FeeSchedule;
    use arb_core::model::MarketKey;
    use arb_core::notify::NullNotifier;
    use arb_core::sim::{SimConfig, SimExchange, binary_market};
    use arb_core::store::MemoryStore;
    use arb_discord::Policy;
    use serenity::all::{ChannelId, UserId};

    /// The bot's channel and user in the samples.
    pub const HOME: ChannelId = ChannelId::new(1_000_000_000_000_000_001);
    pub const ME: UserId = UserId::new(1_200_000_000_000_000_001);
    const TRADER: u64 = 111_111_111_111_111_111;
    const TRADER_ROLE: u64 = 777;

    struct Rig {
        runtime: tokio::runtime::Runtime,
        engine: EngineHandle,
        policy: Policy,
    }

    fn venue(name: &str, market: &str, clock: &Arc<dyn Clock>) -> Arc<dyn Exchange> {
        let sim = SimExchange::new(
            SimConfig::new(name, rust_decimal::Decimal::from(1000)),
            Arc::clone(clock),
            Arc::new(SequentialIds::default()),
        );
        let close = chrono::Utc::now() + chrono::Duration::days(30);
        let title = "Will the Fed hold rates in December 2025?";
        sim.add_market(
            binary_market(
                MarketKey::new(name, market),
                title,
                FeeSchedule::FREE,
                close,
            )
            .expect("market"),
        )
        .expect("add market");
        Arc::new(sim)
    }

    fn rig() -> Rig {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let engine = Engine::new(EngineParts {
            venues: vec![
                venue("kalshi", "KXFEDDECISION-25DEC-H0", &clock),
                venue(
                    "polymarket",
                    "0x1111111111111111111111111111111111111111111111111111111111111111",
                    &clock,
                ),
            ],
            store: Arc::new(MemoryStore::new()),
            notifier: Arc::new(NullNotifier),
            clock,
            ids: Arc::new(SequentialIds::default()),
            config: EngineConfig::new(TradingMode::Monitor),
        })
        .expect("engine")
        .handle();
        runtime.block_on(async {
            engine.sync_markets().await.expect("sync");
            engine.find_matches(None).await.expect("suggestions");
        });
        Rig {
            runtime,
            engine,
            policy: Policy::new([TRADER], [TRADER_ROLE], true),
        }
    }

    thread_local! {
        static RIG: Rig = rig();
    }

    /// Runs `f` against this thread's engine and policy.
    pub fn with_engine<F, Fut, T>(f: F) -> T
    where
        F: FnOnce(EngineHandle, Policy) -> Fut,
        Fut: std::future::Future<Output = T>,
    {
        RIG.with(|rig| {
            rig.runtime
                .block_on(f(rig.engine.clone(), rig.policy.clone()))
        })
    }
}

/// The detector on two parsed books, with the sample markets' fees and grids: every answer is
/// fine, no panic is.
fn detect_on(book_a: &arb_core::model::BinaryBook, book_b: &arb_core::model::BinaryBook) {
    use std::sync::LazyLock;
    static MARKETS: LazyLock<(
        arb_core::model::Market,
        arb_core::model::Market,
        VerifiedPair,
    )> = LazyLock::new(|| {
        let mut v = fixture("../rest-get-market.real-2026-05.json");
        let extra = kalshi_event_and_series();
        let m = serde_json::from_value::<arb_kalshi::wire::WireMarket>(v["market"].take())
            .expect("market");
        let e = serde_json::from_value(extra["event"].clone()).expect("event");
        let s = serde_json::from_value(extra["series"].clone()).expect("series");
        let a = arb_kalshi::convert::market(&m, &e, &s).expect("kalshi market");
        let b = polymarket_market(&common::gamma_market(), &common::clob_market_info())
            .expect("polymarket market")
            .market;
        let pair = VerifiedPair {
            id: arb_core::model::PairId(1),
            a: a.key.clone(),
            b: b.key.clone(),
            polarity: Polarity::Same,
            status: arb_core::model::PairStatus::Active,
            rules_hash_a: a.rules_hash(),
            rules_hash_b: b.rules_hash(),
            approved_by: "fuzz".into(),
            approved_at: now(),
        };
        (a, b, pair)
    });
    let (a, b, pair) = &*MARKETS;
    let limits = DetectLimits {
        min_profit_fraction: Decimal::ZERO,
        min_profit_usd: Decimal::ZERO,
        max_trade_usd: Decimal::from(1_000_000),
        remaining_exposure_a_usd: Decimal::from(1_000_000),
        remaining_exposure_b_usd: Decimal::from(1_000_000),
        balance_a_usd: Decimal::from(1_000_000),
        balance_b_usd: Decimal::from(1_000_000),
        max_book_age: chrono::Duration::days(365_000),
    };
    let view = PairView {
        pair,
        markets: Legs::new(a, b),
        books: Legs::new(book_a, book_b),
        fees: Legs::<&dyn FeeModel>::new(&a.fees, &b.fees),
    };
    let _ = best_opportunity(&view, &limits, book_a.as_of);
}
