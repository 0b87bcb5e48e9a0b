//! Books driven by a seeded random walk, with occasional cross-venue dislocations, so a strategy
//! test or a demo has something to trade.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::SimExchange;
use crate::exchange::ExchangeError;
use crate::model::{Level, MarketId, Polarity, Price, Qty};

/// How the random books move. All distances are in ticks of `tick`.
///
/// Each step the event's fair probability moves by a whole number of ticks drawn uniformly from
/// `−volatility_ticks..=volatility_ticks`; each venue quotes `depth_levels` bids and asks around
/// it, the best `half_spread_ticks` away. With probability `dislocation_chance` per step (for a
/// pair not already dislocated), one venue's view of the event is shifted by
/// `dislocation_ticks` for `dislocation_steps` steps: when the shift is larger than twice the
/// half spread, buying YES on one venue and its complement on the other costs less than $1.
/// Prices are kept where every level stays strictly inside (0, 1), which can shrink a
/// dislocation near the edges.
#[derive(Clone, PartialEq, Debug)]
pub struct RandomWalk {
    /// Seed: the same seed gives the same books.
    pub seed: u64,
    /// Fair probability at the start.
    pub start: Price,
    /// Price step of the generated books; must divide 1 and lie on the markets' grids.
    pub tick: Decimal,
    /// Largest move of the fair value per step.
    pub volatility_ticks: u32,
    /// Distance from the fair value to the best bid and to the best ask (at least 1).
    pub half_spread_ticks: u32,
    /// Levels quoted on each side (at least 1).
    pub depth_levels: u32,
    /// Contracts at each level.
    pub level_qty: Qty,
    /// Probability per step that a pair starts a dislocation, in [0, 1].
    pub dislocation_chance: f64,
    /// Size of a dislocation.
    pub dislocation_ticks: u32,
    /// How many steps a dislocation lasts.
    pub dislocation_steps: u32,
}

impl RandomWalk {
    /// A walk from 0.50 on a $0.01 grid: moves of up to 1 tick, best quotes 1 tick from fair,
    /// 3 levels of 100 contracts, a 10% chance per step of a 4-tick dislocation lasting 3 steps.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        Self {
            seed,
            start: Price::new(Decimal::new(5, 1)).unwrap_or(Price::ZERO),
            tick: Decimal::new(1, 2),
            volatility_ticks: 1,
            half_spread_ticks: 1,
            depth_levels: 3,
            level_qty: Qty::new(Decimal::ONE_HUNDRED).unwrap_or(Qty::ZERO),
            dislocation_chance: 0.1,
            dislocation_ticks: 4,
            dislocation_steps: 3,
        }
    }

    /// Ticks in $1, and the range the fair value (in ticks) may take.
    fn ticks(&self) -> Result<(i64, i64, i64), ExchangeError> {
        let invalid = |why: &str| ExchangeError::InvalidRequest(format!("random walk: {why}"));
        if self.tick <= Decimal::ZERO || !(Decimal::ONE % self.tick).is_zero() {
            return Err(invalid("tick must be positive and divide 1"));
        }
        let total = (Decimal::ONE / self.tick)
            .to_i64()
            .ok_or_else(|| invalid("tick too small"))?;
        if self.half_spread_ticks == 0 || self.depth_levels == 0 {
            return Err(invalid("half spread and depth must be at least 1"));
        }
        if !(0.0..=1.0).contains(&self.dislocation_chance) {
            return Err(invalid("dislocation chance must be in [0, 1]"));
        }
        let margin = i64::from(self.half_spread_ticks) + i64::from(self.depth_levels);
        let (low, high) = (margin, total - margin);
        if low > high {
            return Err(invalid("spread and depth do not fit in (0, 1)"));
        }
        Ok((total, low, high))
    }
}

/// Two equivalent markets, one on each venue.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PairedMarkets {
    /// The market on venue A.
    pub a: MarketId,
    /// The market on venue B.
    pub b: MarketId,
    /// Whether A's YES is B's YES (`Same`) or B's NO (`Inverse`).
    pub polarity: Polarity,
}

/// What one step did to one pair.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PairStep {
    /// The common fair probability of the event.
    pub fair: Price,
    /// The probability of the event quoted on venue A (the middle of A's YES book).
    pub event_a: Price,
    /// The probability of the event quoted on venue B (the middle of B's YES book, or one
    /// minus it for an inverse pair).
    pub event_b: Price,
    /// Whether one venue is dislocated from the fair value this step.
    pub dislocated: bool,
}

/// A running dislocation: offsets (in ticks) of each venue's view of the event.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Dislocation {
    offset_a: i64,
    offset_b: i64,
    steps_left: u32,
}

#[derive(Clone, Debug)]
struct PairState {
    pair: PairedMarkets,
    fair: i64,
    dislocation: Option<Dislocation>,
}

/// Moves the books of paired markets on two [`SimExchange`]s from one common random walk of the
/// event's fair value, occasionally dislocating one venue. Deterministic for a given seed.
#[derive(Debug)]
pub struct SimMarketMaker {
    a: SimExchange,
    b: SimExchange,
    walk: RandomWalk,
    rng: StdRng,
    pairs: Vec<PairState>,
    total_ticks: i64,
    fair_range: (i64, i64),
}

impl SimMarketMaker {
    /// A driver for `pairs` (markets of `a` and `b`), checking the walk's settings.
    pub fn new(
        a: SimExchange,
        b: SimExchange,
        pairs: Vec<PairedMarkets>,
        walk: RandomWalk,
    ) -> Result<Self, ExchangeError> {
        let (total_ticks, low, high) = walk.ticks()?;
        let start = (walk.start.value() / walk.tick)
            .round()
            .to_i64()
            .unwrap_or(low)
            .clamp(low, high);
        Ok(Self {
            a,
            b,
            rng: StdRng::seed_from_u64(walk.seed),
            pairs: pairs
                .into_iter()
                .map(|pair| PairState {
                    pair,
                    fair: start,
                    dislocation: None,
                })
                .collect(),
            walk,
            total_ticks,
            fair_range: (low, high),
        })
    }

    /// Moves every pair one step and sets the new books on both venues (our resting orders that
    /// the new books cross trade). Returns what each pair now quotes, in the order given.
    pub fn step(&mut self) -> Result<Vec<PairStep>, ExchangeError> {
        let vol = i64::from(self.walk.volatility_ticks);
        let (low, high) = self.fair_range;
        let mut steps = Vec::with_capacity(self.pairs.len());
        for i in 0..self.pairs.len() {
            let moved = self.rng.random_range(-vol..=vol);
            let dislocation = self.next_dislocation(self.pairs[i].dislocation);
            let state = &mut self.pairs[i];
            state.fair = (state.fair + moved).clamp(low, high);
            state.dislocation = dislocation;
            let (offset_a, offset_b) = dislocation.map_or((0, 0), |d| (d.offset_a, d.offset_b));
            let event_a = (state.fair + offset_a).clamp(low, high);
            let event_b = (state.fair + offset_b).clamp(low, high);
            let yes_b = match state.pair.polarity {
                Polarity::Same => event_b,
                Polarity::Inverse => self.total_ticks - event_b,
            };
            let (fair, pair) = (state.fair, state.pair.clone());
            let (bids, asks) = self.quotes(event_a)?;
            self.a.set_book(&pair.a, &bids, &asks)?;
            let (bids, asks) = self.quotes(yes_b)?;
            self.b.set_book(&pair.b, &bids, &asks)?;
            steps.push(PairStep {
                fair: self.price(fair)?,
                event_a: self.price(event_a)?,
                event_b: self.price(event_b)?,
                dislocated: dislocation.is_some(),
            });
        }
        Ok(steps)
    }

    /// The dislocation for this step: the running one counts down, or a new one may start.
    fn next_dislocation(&mut self, current: Option<Dislocation>) -> Option<Dislocation> {
        match current {
            Some(d) if d.steps_left > 1 => Some(Dislocation {
                steps_left: d.steps_left - 1,
                ..d
            }),
            Some(_) => None,
            None if self.walk.dislocation_steps > 0
                && self.rng.random_bool(self.walk.dislocation_chance) =>
            {
                let size = i64::from(self.walk.dislocation_ticks);
                let shift = if self.rng.random_bool(0.5) {
                    size
                } else {
                    -size
                };
                let (offset_a, offset_b) = if self.rng.random_bool(0.5) {
                    (shift, 0)
                } else {
                    (0, shift)
                };
                Some(Dislocation {
                    offset_a,
                    offset_b,
                    steps_left: self.walk.dislocation_steps,
                })
            }
            None => None,
        }
    }

    /// YES bids and asks around `center` ticks.
    fn quotes(&self, center: i64) -> Result<(Vec<Level>, Vec<Level>), ExchangeError> {
        let half = i64::from(self.walk.half_spread_ticks);
        let mut bids = Vec::new();
        let mut asks = Vec::new();
        for depth in 0..i64::from(self.walk.depth_levels) {
            bids.push(Level::new(
                self.price(center - half - depth)?,
                self.walk.level_qty,
            ));
            asks.push(Level::new(
                self.price(center + half + depth)?,
                self.walk.level_qty,
            ));
        }
        Ok((bids, asks))
    }

    fn price(&self, ticks: i64) -> Result<Price, ExchangeError> {
        Ok(Price::new(Decimal::from(ticks) * self.walk.tick)?)
    }
}
