//! Execution KPIs on simulated venues.
//!
//! Runs 1,000 opportunities through the executor (default settings: sequential, thinner leg
//! first, 2% slippage tolerance, 5 s order timeout, 3 hedge retries) on two `SimExchange`s
//! (50 ms per call, Kalshi fees on A, Polymarket fees on B), with books driven by a seeded random
//! walk that moves every `book_step_ms` (default 250) of simulated time, also between the legs, partial fills and 2% injected faults (rejections, timeouts with and without
//! execution, delayed fills, outages). Time is tokio's paused clock, so the run takes seconds but
//! reports the simulated latency. At the end every market settles and the PnL rebuilt from the
//! venues' fills is reconciled against their cash and positions: it must match exactly.
//!
//! ```text
//! cargo run --release --example execution_kpis [seed (7)] [book_step_ms (250)]
//! ```

use std::error::Error;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use arb_core::clock::{Clock, IdSource, SequentialIds};
use arb_core::detect::{DetectLimits, PairView, best_opportunity};
use arb_core::exchange::{BookEvent, Exchange};
use arb_core::execute::{ExecuteError, ExecutionConfig, ExecutionContext, Executor};
use arb_core::fees::FeeModel;
use arb_core::model::{
    BinaryBook, ExecutionState, Legs, MarketKey, NewPair, Outcome, PairAction, PairEvent,
    PairStatus, Polarity, Qty, Side,
};
use arb_core::notify::NullNotifier;
use arb_core::portfolio::Portfolio;
use arb_core::sim::{
    Fault, PairedMarkets, RandomWalk, SimConfig, SimExchange, SimMarketMaker, binary_market,
};
use arb_core::store::{MemoryStore, Store};
use arb_kalshi::KalshiFees;
use arb_polymarket::PolymarketFees;
use chrono::{DateTime, Utc};
use futures::{FutureExt, StreamExt};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

const OPPORTUNITIES: usize = 1_000;
const LATENCY: Duration = Duration::from_millis(50);
const FAULT_EVERY: usize = 50;
const START_CASH: Decimal = dec!(1_000_000);

/// A clock that follows tokio's paused time.
#[derive(Debug)]
struct TokioClock {
    start: DateTime<Utc>,
    origin: tokio::time::Instant,
}

impl Clock for TokioClock {
    fn now(&self) -> DateTime<Utc> {
        let elapsed = tokio::time::Instant::now() - self.origin;
        self.start + chrono::Duration::from_std(elapsed).unwrap_or_default()
    }
}

/// SplitMix64: a tiny deterministic generator for quantities and faults.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn inject_fault(rng: &mut Rng, venue: &SimExchange) -> &'static str {
    let (fault, name) = match rng.below(5) {
        0 => (
            Fault::RejectNextOrder {
                code: "busy".into(),
                message: "try again".into(),
            },
            "reject",
        ),
        1 => (
            Fault::Timeout {
                after: Duration::from_secs(1),
                executed: true,
            },
            "timeout (executed)",
        ),
        2 => (
            Fault::Timeout {
                after: Duration::from_secs(1),
                executed: false,
            },
            "timeout (lost)",
        ),
        3 => (
            Fault::Delayed {
                polls: u32::try_from(1 + rng.below(4)).unwrap_or(1),
            },
            "delayed",
        ),
        _ => (
            Fault::Unavailable {
                calls: u32::try_from(1 + rng.below(3)).unwrap_or(1),
            },
            "unavailable",
        ),
    };
    venue.inject(fault);
    name
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (sorted.len() * p).div_ceil(100).clamp(1, sorted.len());
    sorted[rank - 1]
}

#[tokio::main(flavor = "current_thread", start_paused = true)]
async fn main() -> Result<(), Box<dyn Error>> {
    let arg = |n: usize, default: u64| -> Result<u64, Box<dyn Error>> {
        Ok(std::env::args()
            .nth(n)
            .map(|s| s.parse::<u64>())
            .transpose()
            .map_err(|e| format!("usage: execution_kpis [seed] [book_step_ms]: {e}"))?
            .unwrap_or(default))
    };
    let seed = arg(1, 7)?;
    let book_step = Duration::from_millis(arg(2, 250)?.max(1));
    let clock = Arc::new(TokioClock {
        start: DateTime::from_timestamp(1_780_000_000, 0).ok_or("bad start time")?,
        origin: tokio::time::Instant::now(),
    });
    let venue = |name: &str| {
        let ids: Arc<dyn IdSource> = Arc::new(SequentialIds::default());
        SimExchange::new(
            SimConfig::new(name, START_CASH).with_latency(LATENCY),
            clock.clone(),
            ids,
        )
    };
    let (sim_a, sim_b) = (venue("sim-a"), venue("sim-b"));
    let close = clock.now() + chrono::Duration::days(30);
    let markets = [
        binary_market(
            MarketKey::new("sim-a", "RAIN"),
            "Will it rain?",
            KalshiFees::quadratic(Decimal::ONE).schedule(),
            close,
        )?,
        binary_market(
            MarketKey::new("sim-b", "0xrain"),
            "Will it rain?",
            PolymarketFees {
                rate: dec!(0.03),
                exponent: Decimal::ONE,
                taker_only: true,
            }
            .schedule(),
            close,
        )?,
    ];
    sim_a.add_market(markets[0].clone())?;
    sim_b.add_market(markets[1].clone())?;
    let store = Arc::new(MemoryStore::new());
    store.upsert_markets(&markets).await?;
    let pair = store
        .insert_pair(&NewPair {
            a: markets[0].key.clone(),
            b: markets[1].key.clone(),
            polarity: Polarity::Same,
            rules_hash_a: markets[0].rules_hash(),
            rules_hash_b: markets[1].rules_hash(),
            approved_by: "kpi".into(),
            approved_at: clock.now(),
            suggestion: None,
            reading: None,
        })
        .await?;

    // Books move every `book_step` of simulated time, whatever the executor is doing.
    let walk = RandomWalk {
        dislocation_chance: 0.3,
        dislocation_ticks: 6,
        dislocation_steps: 5,
        ..RandomWalk::new(seed)
    };
    let maker = Arc::new(Mutex::new(SimMarketMaker::new(
        sim_a.clone(),
        sim_b.clone(),
        vec![PairedMarkets {
            a: markets[0].key.market.clone(),
            b: markets[1].key.market.clone(),
            polarity: Polarity::Same,
        }],
        walk,
    )?));
    maker.lock().map_err(|_| "maker lock")?.step()?;
    let mover = {
        let maker = maker.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(book_step).await;
                if let Ok(mut m) = maker.lock() {
                    // A failed step keeps the previous books; the run goes on.
                    let _ = m.step();
                }
            }
        })
    };

    let venues: Vec<Arc<dyn Exchange>> = vec![Arc::new(sim_a.clone()), Arc::new(sim_b.clone())];
    let config = ExecutionConfig::default();
    let tolerance = config.slippage_tolerance;
    let executor = Executor::new(
        venues.clone(),
        store.clone(),
        Arc::new(NullNotifier),
        clock.clone(),
        Arc::new(SequentialIds::default()),
        config,
    );

    let stream_a = sim_a
        .subscribe_books(&[markets[0].key.market.clone()])
        .await?;
    let stream_b = sim_b
        .subscribe_books(&[markets[1].key.market.clone()])
        .await?;
    let mut events = futures::stream::select(stream_a.map(|e| (0, e)), stream_b.map(|e| (1, e)));
    let mut books: [Option<Arc<BinaryBook>>; 2] = [None, None];
    let mut rng = Rng(seed);
    let mut times = Vec::with_capacity(OPPORTUNITIES);
    let mut states = Vec::with_capacity(OPPORTUNITIES);
    let mut within_slippage = 0_usize;
    let (mut faults, mut unresolved, mut planned_profit) = (0_usize, 0_usize, Decimal::ZERO);
    while times.len() < OPPORTUNITIES {
        // The latest books from the venues' streams, as the engine's book cache sees them.
        while let Some(Some((leg, event))) = events.next().now_or_never() {
            apply(&mut books, leg, event);
        }
        let (Some(book_a), Some(book_b)) = (books[0].clone(), books[1].clone()) else {
            if let Some((leg, event)) = events.next().await {
                apply(&mut books, leg, event);
            }
            continue;
        };
        // The real detector, with a trade size that varies from $5 to $80.
        let now = clock.now();
        let (fees_a, fees_b) = (
            markets[0].fees.effective_at(now),
            markets[1].fees.effective_at(now),
        );
        let view = PairView {
            pair: &pair,
            markets: Legs::new(&markets[0], &markets[1]),
            books: Legs::new(&book_a, &book_b),
            fees: Legs::<&dyn FeeModel>::new(&fees_a, &fees_b),
        };
        let limits = DetectLimits {
            min_profit_fraction: Decimal::ZERO,
            min_profit_usd: dec!(0.01),
            max_trade_usd: Decimal::from(5 + rng.below(76)),
            remaining_exposure_a_usd: START_CASH,
            remaining_exposure_b_usd: START_CASH,
            balance_a_usd: START_CASH,
            balance_b_usd: START_CASH,
            max_book_age: chrono::Duration::seconds(10),
        };
        let Ok(opportunity) = best_opportunity(&view, &limits, now) else {
            // Nothing to do until a book changes.
            if let Some((leg, event)) = events.next().await {
                apply(&mut books, leg, event);
            }
            continue;
        };
        // Exactly one opportunity in FAULT_EVERY gets a fault, on a random venue.
        if times.len() % FAULT_EVERY == FAULT_EVERY - 1 {
            let target = if rng.below(2) == 0 { &sim_a } else { &sim_b };
            inject_fault(&mut rng, target);
            faults += 1;
        }
        planned_profit += opportunity.profit;
        let started = tokio::time::Instant::now();
        let context = ExecutionContext {
            opportunity_id: None,
            books: Some([book_a.as_ref(), book_b.as_ref()].into()),
        };
        let result = executor
            .execute_with(&pair, [&markets[0], &markets[1]], &opportunity, context)
            .await;
        times.push(started.elapsed());
        let record = match result {
            Ok(record) => record,
            Err(ExecuteError::Unresolved { .. }) => {
                unresolved += 1;
                // What a restart does: reconcile and finish it.
                executor
                    .recover()
                    .await?
                    .pop()
                    .ok_or("recovery returned nothing")?
            }
            Err(e) => return Err(e.into()),
        };
        if record.state == ExecutionState::Hedged || record.state == ExecutionState::Aborted {
            let orders = store.execution_orders(&record.id).await?;
            let ok = orders.iter().all(|o| {
                let plan = if o.order.request.market == opportunity.leg_a.market {
                    &opportunity.leg_a
                } else {
                    &opportunity.leg_b
                };
                o.order.avg_fill_price.is_none_or(|p| {
                    p.value() <= plan.limit_price.value() * (Decimal::ONE + tolerance)
                })
            });
            within_slippage += usize::from(ok);
        }
        states.push(record.state);
        // A person looks at every paused pair and resumes it (the KPI run keeps trading).
        if store.pair(pair.id).await?.map(|p| p.status) == Some(PairStatus::Paused) {
            store
                .set_pair_status(
                    pair.id,
                    PairStatus::Active,
                    &PairEvent {
                        pair_id: pair.id,
                        action: PairAction::Resumed,
                        actor: "kpi-operator".into(),
                        reason: "reviewed".into(),
                        at: clock.now(),
                    },
                )
                .await?;
        }
    }
    mover.abort();
    // Let any delayed order left on a venue execute, so the ledgers are final.
    sim_a.release_delayed();
    sim_b.release_delayed();

    // Reconcile: a portfolio rebuilt from the venues' fills against their positions and cash,
    // and against what the executor stored.
    let mut portfolio = Portfolio::new(Qty::ZERO);
    for venue in &venues {
        for fill in venue.fills_since(DateTime::UNIX_EPOCH).await? {
            portfolio.apply_fill(&fill)?;
        }
    }
    let mut drifts = Vec::new();
    for venue in &venues {
        drifts.extend(portfolio.reconcile(&venue.venue(), &venue.positions().await?));
    }
    let mut stored = std::collections::BTreeMap::<(MarketKey, Outcome), Decimal>::new();
    for record in store.executions(usize::MAX).await? {
        for o in store.execution_orders(&record.id).await? {
            let sign = if o.order.request.side == Side::Buy {
                Decimal::ONE
            } else {
                -Decimal::ONE
            };
            *stored
                .entry((o.order.request.market.clone(), o.order.request.outcome))
                .or_default() += sign * o.order.filled_qty.value();
        }
    }
    let store_mismatches = stored
        .iter()
        .filter(|((m, o), q)| portfolio.qty(m, *o) != **q)
        .count();
    let locked_in = portfolio.pair_pnl(&pair, |_, _| None).locked_in;
    let unhedged_qty: Decimal = portfolio
        .pair_pnl(&pair, |_, _| None)
        .unhedged
        .iter()
        .map(|(_, _, q)| q.value())
        .sum();

    // Settle (YES wins on both: same polarity) and compare cash exactly.
    let settled_at = clock.now();
    sim_a.settle(&markets[0].key.market, Outcome::Yes)?;
    sim_b.settle(&markets[1].key.market, Outcome::Yes)?;
    portfolio.settle(&markets[0].key, Outcome::Yes, settled_at);
    portfolio.settle(&markets[1].key, Outcome::Yes, settled_at);
    let mut venue_pnl = Decimal::ZERO;
    let mut cash_match = true;
    for venue in &venues {
        let change = venue.balance().await?.total - START_CASH;
        venue_pnl += change;
        cash_match &= change == portfolio.cash_flow(&venue.venue());
    }
    let portfolio_pnl: Decimal = venues.iter().map(|v| portfolio.cash_flow(&v.venue())).sum();

    let n = states.len();
    let count = |s: ExecutionState| states.iter().filter(|x| **x == s).count();
    let share = |k: usize| 100.0 * k as f64 / n as f64;
    let mut sorted = times.clone();
    sorted.sort();
    let mean = times.iter().sum::<Duration>() / u32::try_from(n).unwrap_or(u32::MAX);
    println!(
        "execution KPIs — seed {seed}, {n} opportunities, {LATENCY:?} per venue call, books step every {book_step:?}"
    );
    println!(
        "  injected faults:                {faults} ({:.1}%)",
        share(faults)
    );
    println!(
        "  states:                         hedged {}, aborted {}, unwound {}, unhedged {} (unresolved then recovered: {unresolved})",
        count(ExecutionState::Hedged),
        count(ExecutionState::Aborted),
        count(ExecutionState::Unwound),
        count(ExecutionState::Unhedged)
    );
    println!(
        "  completed within slippage:      {:.1}% (goal ≥ 95%; hedged, or aborted flat, every fill within limit + {}%)",
        share(within_slippage),
        (tolerance * dec!(100)).normalize()
    );
    let traded = n - count(ExecutionState::Aborted);
    println!(
        "  hedged, of those that traded:   {:.1}%",
        100.0 * count(ExecutionState::Hedged) as f64 / traded.max(1) as f64
    );
    println!(
        "  ended unhedged:                 {:.1}% (goal ≤ 5%)",
        share(count(ExecutionState::Unhedged))
    );
    println!(
        "  execution time (simulated):     mean {:.0} ms (goal < 1 s), p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        mean.as_secs_f64() * 1e3,
        percentile(&sorted, 50).as_secs_f64() * 1e3,
        percentile(&sorted, 99).as_secs_f64() * 1e3,
        sorted.last().copied().unwrap_or_default().as_secs_f64() * 1e3
    );
    println!("  planned profit:                 ${planned_profit}");
    println!(
        "  locked in before settlement:    ${}",
        locked_in.round_dp(6)
    );
    println!("  unhedged contracts held:        {unhedged_qty}");
    println!("  PnL after settlement (venues):  ${venue_pnl}");
    println!("  PnL after settlement (ours):    ${portfolio_pnl}");
    println!(
        "  reconciliation:                 {} position drift(s), {} stored-order mismatch(es), cash {}",
        drifts.len(),
        store_mismatches,
        if cash_match {
            "matches exactly"
        } else {
            "MISMATCH"
        }
    );
    if !drifts.is_empty() || store_mismatches > 0 || !cash_match || venue_pnl != portfolio_pnl {
        return Err("reconciliation failed".into());
    }
    Ok(())
}

/// Applies a book event to the cache: a new book replaces the old, an invalidation drops it.
fn apply(books: &mut [Option<Arc<BinaryBook>>; 2], leg: usize, event: BookEvent) {
    books[leg] = match event {
        BookEvent::Book { book, .. } => Some(book),
        BookEvent::Invalidated { .. } => None,
    };
}
