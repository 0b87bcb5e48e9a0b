//! Testing a strategy against [`SimExchange`]: a seeded market simulation, the real detector and
//! the real executor, and a results table.
//!
//! Two simulated venues list two equivalent questions — one pair worded the same way
//! (`Polarity::Same`), one worded as opposites ("make the playoffs" vs "miss the playoffs",
//! `Polarity::Inverse`). A [`SimMarketMaker`] moves both venues' books from one random walk of
//! each event's probability and now and then dislocates one venue. On every step the loop:
//!
//! 1. reads both books and asks [`best_opportunity`] for the most profitable fee-exact trade
//!    within the account's limits;
//! 2. lets the [`Strategy`] judge it;
//! 3. has the [`Executor`] trade it exactly as the daemon would (first leg, hedge, unwind),
//!    persisting every step to a [`MemoryStore`].
//!
//! At the end every market settles and the example checks that the cash made equals the
//! profit the detector promised for every hedged execution — to the cent and beyond.
//! Everything is deterministic: the same seed prints the same table.

mod strategy;

pub use strategy::{MinEdge, Strategy, Verdict};

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;

use arb_core::Decimal;
use arb_core::clock::{Clock, ManualClock, SequentialIds};
use arb_core::detect::{DetectLimits, PairView, best_opportunity};
use arb_core::exchange::Exchange;
use arb_core::execute::{ExecutionConfig, Executor};
use arb_core::model::{
    ExecutionState, Legs, Market, MarketId, MarketKey, NewPair, Outcome, PairId, Polarity, Price,
    Qty, VerifiedPair,
};
use arb_core::notify::NullNotifier;
use arb_core::sim::{
    PairedMarkets, RandomWalk, SimConfig, SimExchange, SimMarketMaker, binary_market,
};
use arb_core::store::{MemoryStore, Store};
use arb_kalshi::KalshiFees;
use arb_polymarket::PolymarketFees;
use chrono::Duration;
use rust_decimal_macros::dec;

use crate::{Result, ensure, start_time, usd};

/// Cash each simulated venue starts with.
const STARTING_CASH: Decimal = dec!(5000);
/// Most the strategy may spend on one market over the whole run (cost and fees).
const MAX_EXPOSURE_PER_MARKET: Decimal = dec!(400);

/// How to run the simulation.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SimSettings {
    /// Seed of the random walk: the same seed gives the same run.
    pub seed: u64,
    /// Steps to simulate.
    pub steps: u32,
}

/// One execution the strategy started.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TradeRow {
    /// The step it happened on.
    pub step: u32,
    /// The pair.
    pub pair: PairId,
    /// Outcome bought on venue A.
    pub outcome_a: Outcome,
    /// Outcome bought on venue B.
    pub outcome_b: Outcome,
    /// Contracts per leg.
    pub qty: Decimal,
    /// Cost and fees of both legs, as planned.
    pub cost: Decimal,
    /// Profit the detector promised.
    pub profit: Decimal,
    /// How the execution ended.
    pub state: ExecutionState,
}

/// The results of one run.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SimResults {
    /// Steps simulated.
    pub steps: u32,
    /// Pair-steps on which one venue was dislocated.
    pub dislocated: u32,
    /// Opportunities the detector reported (profitable after fees, within limits).
    pub opportunities: u32,
    /// Opportunities the strategy let pass, by reason.
    pub skipped: BTreeMap<String, u32>,
    /// Executions, in order.
    pub trades: Vec<TradeRow>,
    /// Fills on both venues.
    pub fills: usize,
    /// Contracts bought on both venues.
    pub contracts: Decimal,
    /// Fees paid on both venues.
    pub fees: Decimal,
    /// Profit promised by the detector for the hedged executions.
    pub locked_in: Decimal,
    /// Cash change on venue A after settlement.
    pub pnl_a: Decimal,
    /// Cash change on venue B after settlement.
    pub pnl_b: Decimal,
}

impl SimResults {
    /// Cash made on both venues after settlement.
    #[must_use]
    pub fn pnl(&self) -> Decimal {
        self.pnl_a + self.pnl_b
    }
}

/// A pair as the simulation sets it up: the question on each venue and how they relate.
struct PairSetup {
    id: &'static str,
    title_a: &'static str,
    title_b: &'static str,
    polarity: Polarity,
}

const PAIRS: [PairSetup; 2] = [
    PairSetup {
        id: "FED",
        title_a: "Will the Fed cut rates in March?",
        title_b: "Will the Fed cut rates in March?",
        polarity: Polarity::Same,
    },
    PairSetup {
        id: "LAKERS",
        title_a: "Will the Lakers make the playoffs?",
        title_b: "Will the Lakers miss the playoffs?",
        polarity: Polarity::Inverse,
    },
];

/// Everything one pair needs on every step.
struct Watched {
    pair: VerifiedPair,
    markets: [Market; 2],
}

/// Runs the simulation with `strategy`, writing its account to `out`.
pub async fn run(
    settings: SimSettings,
    strategy: &dyn Strategy,
    out: &mut dyn Write,
) -> Result<SimResults> {
    let start = start_time()?;
    let clock = Arc::new(ManualClock::new(start));
    let ids = Arc::new(SequentialIds::default());
    let venue = |name: &str| {
        SimExchange::new(
            SimConfig::new(name, STARTING_CASH),
            clock.clone(),
            ids.clone(),
        )
    };
    // Venue A charges Kalshi's fees, venue B Polymarket's.
    let (a, b) = (venue("sim-a"), venue("sim-b"));
    let fees_a = KalshiFees::quadratic(Decimal::ONE).schedule();
    let fees_b = PolymarketFees {
        rate: dec!(0.03),
        exponent: Decimal::ONE,
        taker_only: true,
    }
    .schedule();

    // The store holds markets and approved pairs, as it would in the daemon.
    let store = Arc::new(MemoryStore::new());
    let mut watched = Vec::new();
    let mut paired = Vec::new();
    for setup in &PAIRS {
        let close = start + Duration::days(30);
        let ma = binary_market(
            MarketKey::new("sim-a", setup.id),
            setup.title_a,
            fees_a.clone(),
            close,
        )?;
        let mb = binary_market(
            MarketKey::new("sim-b", setup.id.to_lowercase()),
            setup.title_b,
            fees_b.clone(),
            close,
        )?;
        a.add_market(ma.clone())?;
        b.add_market(mb.clone())?;
        store.upsert_markets(&[ma.clone(), mb.clone()]).await?;
        let pair = store
            .insert_pair(&NewPair {
                a: ma.key.clone(),
                b: mb.key.clone(),
                polarity: setup.polarity,
                rules_hash_a: ma.rules_hash(),
                rules_hash_b: mb.rules_hash(),
                approved_by: "strategy-sim".into(),
                approved_at: start,
                suggestion: None,
                reading: None,
            })
            .await?;
        paired.push(PairedMarkets {
            a: ma.key.market.clone(),
            b: mb.key.market.clone(),
            polarity: setup.polarity,
        });
        watched.push(Watched {
            pair,
            markets: [ma, mb],
        });
    }

    // Dislocations of 7 ticks, 12% of the time, lasting 2 steps: enough to beat the fees,
    // not always by the strategy's margin.
    let walk = RandomWalk {
        dislocation_chance: 0.12,
        dislocation_ticks: 6,
        dislocation_steps: 2,
        level_qty: Qty::new(dec!(100))?,
        start: Price::new(dec!(0.30))?,
        ..RandomWalk::new(settings.seed)
    };
    let mut maker = SimMarketMaker::new(a.clone(), b.clone(), paired, walk)?;
    let venues: [Arc<dyn Exchange>; 2] = [Arc::new(a.clone()), Arc::new(b.clone())];
    let executor = Executor::new(
        venues.to_vec(),
        store.clone(),
        Arc::new(NullNotifier),
        clock.clone(),
        ids.clone(),
        ExecutionConfig::default(),
    );

    writeln!(
        out,
        "Strategy: {}\nSeed {}, {} steps, {} pairs, ${} per venue, at most ${} per market\n",
        strategy.describe(),
        settings.seed,
        settings.steps,
        watched.len(),
        STARTING_CASH,
        MAX_EXPOSURE_PER_MARKET
    )?;
    writeln!(
        out,
        "{:>5}  {:<10} {:>8} {:>8} {:>5} {:>9} {:>8}  state",
        "step", "pair", "buy on A", "buy on B", "qty", "cost", "profit"
    )?;
    writeln!(out, "{}", "-".repeat(70))?;

    let mut results = SimResults {
        steps: settings.steps,
        dislocated: 0,
        opportunities: 0,
        skipped: BTreeMap::new(),
        trades: Vec::new(),
        fills: 0,
        contracts: Decimal::ZERO,
        fees: Decimal::ZERO,
        locked_in: Decimal::ZERO,
        pnl_a: Decimal::ZERO,
        pnl_b: Decimal::ZERO,
    };
    let mut last_fair = vec![Price::ZERO; watched.len()];
    for step in 1..=settings.steps {
        clock.advance(Duration::seconds(1));
        for (i, moved) in maker.step()?.into_iter().enumerate() {
            results.dislocated += u32::from(moved.dislocated);
            last_fair[i] = moved.fair;
        }
        for w in &watched {
            let [ma, mb] = &w.markets;
            let (book_a, book_b) = (
                a.order_book(&ma.key.market).await?,
                b.order_book(&mb.key.market).await?,
            );
            let (fee_a, fee_b) = (a.fee_model(ma), b.fee_model(mb));
            let limits = DetectLimits {
                min_profit_fraction: Decimal::ZERO,
                min_profit_usd: dec!(0.01),
                max_trade_usd: dec!(50),
                remaining_exposure_a_usd: MAX_EXPOSURE_PER_MARKET
                    - exposure(&a, &ma.key.market).await?,
                remaining_exposure_b_usd: MAX_EXPOSURE_PER_MARKET
                    - exposure(&b, &mb.key.market).await?,
                balance_a_usd: a.balance().await?.available,
                balance_b_usd: b.balance().await?.available,
                max_book_age: Duration::seconds(5),
            };
            let view = PairView {
                pair: &w.pair,
                markets: Legs::new(ma, mb),
                books: Legs::new(&book_a, &book_b),
                fees: Legs::new(fee_a.as_ref(), fee_b.as_ref()),
            };
            // No opportunity is the usual case; `NoOpportunity` says why (for logs).
            let Ok(opportunity) = best_opportunity(&view, &limits, clock.now()) else {
                continue;
            };
            results.opportunities += 1;
            if let Verdict::Skip(reason) = strategy.judge(&opportunity) {
                *results.skipped.entry(reason).or_default() += 1;
                continue;
            }
            let record = executor.execute(&w.pair, [ma, mb], &opportunity).await?;
            let row = TradeRow {
                step,
                pair: w.pair.id,
                outcome_a: opportunity.leg_a.outcome,
                outcome_b: opportunity.leg_b.outcome,
                qty: opportunity.qty.value(),
                cost: opportunity.total_cost,
                profit: opportunity.profit,
                state: record.state,
            };
            writeln!(
                out,
                "{:>5}  {:<10} {:>8} {:>8} {:>5} {:>9} {:>8}  {:?}",
                row.step,
                format!("{} {}", row.pair, w.pair.a.market.as_str()),
                row.outcome_a.to_string(),
                row.outcome_b.to_string(),
                row.qty,
                usd(row.cost),
                usd(row.profit),
                row.state
            )?;
            // A hedged execution filled both legs; anything else would make the promised
            // profit meaningless, and this simulation's books never move mid-execution.
            ensure(record.state == ExecutionState::Hedged, || {
                format!(
                    "execution {} ended {:?}: {:?}",
                    record.id, record.state, record.note
                )
            })?;
            results.locked_in += opportunity.profit;
            results.trades.push(row);
        }
    }

    // Fills and fees, as the venues report them.
    for venue in [&a, &b] {
        let fills = venue.fills_since(start).await?;
        results.fills += fills.len();
        results.contracts += fills.iter().map(|f| f.qty.value()).sum::<Decimal>();
        results.fees += fills.iter().map(|f| f.fee).sum::<Decimal>();
    }

    // Settle every market on the event's final probability: above one half, it happened.
    for (w, fair) in watched.iter().zip(&last_fair) {
        let happened = if fair.value() >= dec!(0.5) {
            Outcome::Yes
        } else {
            Outcome::No
        };
        a.settle(&w.markets[0].key.market, happened)?;
        b.settle(&w.markets[1].key.market, w.pair.polarity.map(happened))?;
    }
    results.pnl_a = a.balance().await?.total - STARTING_CASH;
    results.pnl_b = b.balance().await?.total - STARTING_CASH;
    ensure(
        a.positions().await?.is_empty() && b.positions().await?.is_empty(),
        || "positions remain after settlement".into(),
    )?;
    ensure(results.pnl() == results.locked_in, || {
        format!(
            "settled PnL {} differs from the locked-in profit {}",
            results.pnl(),
            results.locked_in
        )
    })?;

    print_summary(out, &results)?;
    Ok(results)
}

/// Dollars spent so far on `market` (cost of the contracts held plus their fees).
async fn exposure(venue: &SimExchange, market: &MarketId) -> Result<Decimal> {
    Ok(venue
        .positions()
        .await?
        .iter()
        .filter(|p| &p.market.market == market)
        .map(|p| p.cost_basis() + p.fees_paid)
        .sum())
}

fn print_summary(out: &mut dyn Write, r: &SimResults) -> Result<()> {
    let hedged = r
        .trades
        .iter()
        .filter(|t| t.state == ExecutionState::Hedged)
        .count();
    let rows: Vec<(String, String)> = [
        ("steps".to_owned(), r.steps.to_string()),
        ("pair-steps dislocated".to_owned(), r.dislocated.to_string()),
        ("opportunities seen".to_owned(), r.opportunities.to_string()),
    ]
    .into_iter()
    .chain(
        r.skipped
            .iter()
            .map(|(reason, n)| (format!("  skipped: {reason}"), n.to_string())),
    )
    .chain([
        (
            "executions (hedged)".to_owned(),
            format!("{} ({hedged})", r.trades.len()),
        ),
        ("fills".to_owned(), r.fills.to_string()),
        ("contracts bought".to_owned(), r.contracts.to_string()),
        ("fees paid".to_owned(), usd(r.fees)),
        ("profit locked in".to_owned(), usd(r.locked_in)),
        ("PnL after settlement: sim-a".to_owned(), usd(r.pnl_a)),
        ("                      sim-b".to_owned(), usd(r.pnl_b)),
        ("                      total".to_owned(), usd(r.pnl())),
    ])
    .collect();
    writeln!(out, "\nResults")?;
    writeln!(out, "{}", "-".repeat(44))?;
    for (label, value) in rows {
        writeln!(out, "{label:<32} {value:>11}")?;
    }
    Ok(())
}
