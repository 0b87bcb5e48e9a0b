//! The demo's two simulated venues, their catalogues, and the books that move under the engine.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use arb_core::clock::{Clock, SequentialIds};
use arb_core::model::{Market, MarketKey, Polarity, Qty, VerifiedPair};
use arb_core::sim::{
    PairedMarkets, RandomWalk, SimConfig, SimExchange, SimMarketMaker, binary_market, levels,
};
use arb_core::store::Store;
use arb_kalshi::KalshiFees;
use arb_polymarket::PolymarketFees;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::catalogue::{self, ListingA, ListingB};
use crate::commands::CommandError;

/// Venue A of the demo (Kalshi-like fees and wording).
pub const VENUE_A: &str = "sim-kalshi";
/// Venue B of the demo (Polymarket-like fees and wording).
pub const VENUE_B: &str = "sim-polymarket";
/// Cash each venue starts with.
const STARTING_CASH: Decimal = dec!(10000);
/// Every venue call takes this long, so books can move while an order is in flight.
const LATENCY: Duration = Duration::from_millis(60);
/// How often the books move.
const STEP: Duration = Duration::from_millis(250);
/// How long the scripted partial fill waits for the engine to start executing it.
const SCENARIO_WAIT: Duration = Duration::from_secs(2);

/// Cash both venues start with together.
#[must_use]
pub fn starting_cash_total() -> Decimal {
    STARTING_CASH * Decimal::TWO
}

/// The two simulated venues.
#[derive(Clone, Debug)]
pub struct DemoVenues {
    /// Venue A.
    pub a: SimExchange,
    /// Venue B.
    pub b: SimExchange,
    seed: u64,
}

fn market_a(l: &ListingA) -> Result<Market, CommandError> {
    let mut m = binary_market(
        MarketKey::new(VENUE_A, l.id),
        l.title,
        KalshiFees::quadratic(Decimal::ONE).schedule(),
        l.close,
    )?;
    l.subtitle.clone_into(&mut m.subtitle);
    l.rules.clone_into(&mut m.rules);
    Ok(m)
}

fn market_b(l: &ListingB) -> Result<Market, CommandError> {
    let mut m = binary_market(
        MarketKey::new(VENUE_B, l.id),
        l.question,
        PolymarketFees {
            rate: dec!(0.03),
            exponent: Decimal::ONE,
            taker_only: true,
        }
        .schedule(),
        l.close,
    )?;
    l.outcome.clone_into(&mut m.subtitle);
    l.rules.clone_into(&mut m.rules);
    Ok(m)
}

impl DemoVenues {
    /// Both venues with their catalogues listed and quiet books.
    ///
    /// # Errors
    /// A catalogue entry that is not a valid market.
    pub fn new(clock: Arc<dyn Clock>, seed: u64) -> Result<Self, CommandError> {
        let venue = |name: &str| {
            SimExchange::new(
                SimConfig::new(name, STARTING_CASH).with_latency(LATENCY),
                Arc::clone(&clock),
                Arc::new(SequentialIds::default()),
            )
        };
        let (a, b) = (venue(VENUE_A), venue(VENUE_B));
        let (only_a, only_b) = catalogue::unrelated();
        for event in catalogue::events() {
            a.add_market(market_a(&event.a)?)?;
            b.add_market(market_b(&event.b)?)?;
        }
        for l in &only_a {
            a.add_market(market_a(l)?)?;
        }
        for l in &only_b {
            b.add_market(market_b(l)?)?;
        }
        Ok(Self { a, b, seed })
    }

    /// Moves the approved pairs' books for `duration`, printing progress each second; halfway
    /// through, scripts a dislocation on the first pair whose depth then thins while the first
    /// leg is in flight, so that leg fills only partly and the hedge follows the filled quantity.
    ///
    /// # Errors
    /// A venue or store failure, or output failure.
    pub async fn drive(
        &self,
        pairs: &[VerifiedPair],
        duration: Duration,
        store: &dyn Store,
        out: &mut (dyn Write + Send),
    ) -> Result<(), CommandError> {
        // The first pair is kept for the scripted partial-fill scenario; the others move with
        // their own random walks.
        let mut makers = Vec::new();
        for (i, pair) in pairs.iter().enumerate().skip(1) {
            let fair = catalogue::events()
                .into_iter()
                .find(|e| e.a.id == pair.a.market.as_str())
                .map_or(dec!(0.5), |e| e.fair);
            let mut walk = RandomWalk::new(self.seed + i as u64);
            walk.start = arb_core::model::Price::new(fair)?;
            walk.dislocation_chance = 0.04;
            walk.dislocation_ticks = 5;
            walk.level_qty = Qty::new(dec!(150))?;
            makers.push(SimMarketMaker::new(
                self.a.clone(),
                self.b.clone(),
                vec![PairedMarkets {
                    a: pair.a.market.clone(),
                    b: pair.b.market.clone(),
                    polarity: pair.polarity,
                }],
                walk,
            )?);
        }
        let steps = (duration.as_millis() / STEP.as_millis()).max(1);
        let scripted_at = steps / 3;
        let steps_per_second = (1000 / STEP.as_millis()).max(1);
        let mut ticker = tokio::time::interval(STEP);
        for step in 0..steps {
            ticker.tick().await;
            for maker in &mut makers {
                maker.step()?;
            }
            if step == scripted_at
                && let Some(pair) = pairs.first()
            {
                self.partial_fill_scenario(pair, store).await?;
            }
            if step % steps_per_second == 0 {
                let opportunities = store.opportunities(None, 10_000).await?.len();
                let executions = store.executions(10_000).await?;
                writeln!(
                    out,
                    "   t={:>3}s  opportunities recorded: {:>4}  executions: {:>3}",
                    step / steps_per_second,
                    opportunities,
                    executions.len()
                )?;
            }
        }
        Ok(())
    }

    /// A 15-cent dislocation on `pair` (whose books were empty) with 100 contracts at the edge of
    /// both venues, thinned to 40 contracts as soon as the engine has stored its first-leg intent
    /// — while that first order is still travelling (every call takes 60 ms): the first leg fills
    /// 40 and the hedge follows the 40. Waiting for the stored intent rather than a fixed delay
    /// keeps the scenario the same on a loaded machine.
    async fn partial_fill_scenario(
        &self,
        pair: &VerifiedPair,
        store: &dyn Store,
    ) -> Result<(), CommandError> {
        let a_book = |qty| -> Result<_, CommandError> {
            Ok((
                levels(&[(dec!(0.38), dec!(100))])?,
                levels(&[(dec!(0.40), qty)])?,
            ))
        };
        let b_book = |qty| -> Result<_, CommandError> {
            Ok(match pair.polarity {
                // B's NO at 0.45 is the hedge: YES bids at 0.55.
                Polarity::Same => (
                    levels(&[(dec!(0.55), qty)])?,
                    levels(&[(dec!(0.57), dec!(100))])?,
                ),
                // B's YES at 0.45 is the hedge.
                Polarity::Inverse => (
                    levels(&[(dec!(0.43), dec!(100))])?,
                    levels(&[(dec!(0.45), qty)])?,
                ),
            })
        };
        let (bids, asks) = b_book(dec!(100))?;
        self.b.set_book(&pair.b.market, &bids, &asks)?;
        let (bids, asks) = a_book(dec!(100))?;
        self.a.set_book(&pair.a.market, &bids, &asks)?;
        wait_for_execution(store, pair).await?;
        let (bids, asks) = a_book(dec!(40))?;
        self.a.set_book(&pair.a.market, &bids, &asks)?;
        let (bids, asks) = b_book(dec!(40))?;
        self.b.set_book(&pair.b.market, &bids, &asks)?;
        Ok(())
    }
}

/// Waits (up to [`SCENARIO_WAIT`]) until the store holds an execution of `pair`: the engine
/// writes it before sending the first leg, so the order is then in flight.
async fn wait_for_execution(store: &dyn Store, pair: &VerifiedPair) -> Result<(), CommandError> {
    let deadline = tokio::time::Instant::now() + SCENARIO_WAIT;
    while tokio::time::Instant::now() < deadline {
        let executions = store.executions(10_000).await?;
        if executions.iter().any(|e| e.pair_id == pair.id) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    Ok(())
}
