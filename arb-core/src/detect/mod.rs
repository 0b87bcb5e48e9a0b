//! Depth- and fee-aware arbitrage detection on one verified pair.
//!
//! [`best_opportunity`] looks at both directions — buy YES on A and its hedge on B, or NO on A
//! and its hedge on B, the hedge mapped through the pair's [`Polarity`]
//! — walks both books' depth, and returns the quantity that **maximises the guaranteed profit**
//! `qty × $1 − costs − fees` within the limits and thresholds, with every fee computed as the
//! venue charges one order (rounding included). Because rounding makes profit saw-toothed in the
//! quantity, it is not "fill while the next level pays": the search (see `search.rs`) is exact
//! over the size grid, and the property tests prove it against a brute force.
//!
//! The search runs in fixed-point integers, on the stack for usual books; the winner is then
//! recomputed independently, in exact decimal arithmetic, by [`evaluate`] from the consumed
//! levels and the fee models, and is reported only if that recomputation passes every limit and
//! threshold.

mod evaluate;
mod kept;
mod leg;
mod scan;
mod search;
mod walk;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

pub use evaluate::evaluate;
pub use kept::PairDetector;

use self::leg::{FeeMemo, FixedRule, Leg, LegError, MAX_QTY};
use self::search::{Best, Bounds, Caps, Fraction, ONE_DOLLAR, payout, search};
use crate::fees::FeeModel;
use crate::fixed::{Money, PriceFx, QtyFx, Round, ceil_div, gcd, to_count};
use crate::model::{
    BinaryBook, LegId, Legs, Level, Market, MarketKey, MarketStatus, Opportunity, Outcome, PairId,
    PairStatus, Polarity, Price, Qty, VenueId, VerifiedPair,
};

/// Limits and thresholds an opportunity must respect. Money in dollars.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct DetectLimits {
    /// Smallest profit as a fraction of total cost (0.01 = 1%).
    pub min_profit_fraction: Decimal,
    /// Smallest profit in dollars.
    pub min_profit_usd: Decimal,
    /// Largest total cost of both legs, fees included.
    pub max_trade_usd: Decimal,
    /// How much more may be spent on market A (cost plus fees).
    pub remaining_exposure_a_usd: Decimal,
    /// How much more may be spent on market B (cost plus fees).
    pub remaining_exposure_b_usd: Decimal,
    /// Cash available on venue A.
    pub balance_a_usd: Decimal,
    /// Cash available on venue B.
    pub balance_b_usd: Decimal,
    /// Books older than this are not traded on.
    pub max_book_age: chrono::Duration,
}

/// Everything the detector looks at for one pair.
#[derive(Clone, Copy, Debug)]
pub struct PairView<'a> {
    /// The verified pair.
    pub pair: &'a VerifiedPair,
    /// The pair's markets, on venue A and on venue B.
    pub markets: Legs<&'a Market>,
    /// Their current books.
    pub books: Legs<&'a BinaryBook>,
    /// Their fee models (usually each market's `fees.effective_at(now)`).
    pub fees: Legs<&'a dyn FeeModel>,
}

/// Which outcome is bought on market A; the outcome bought on B is its hedge.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Direction {
    /// Buy YES on A and the outcome of B that pays when A's YES does not.
    YesOnA,
    /// Buy NO on A and the outcome of B that pays when A's NO does not.
    NoOnA,
}

impl Direction {
    /// Both directions.
    pub const BOTH: [Self; 2] = [Self::YesOnA, Self::NoOnA];

    /// The outcome bought on A.
    #[must_use]
    pub const fn outcome_a(self) -> Outcome {
        match self {
            Self::YesOnA => Outcome::Yes,
            Self::NoOnA => Outcome::No,
        }
    }

    /// The outcome bought on B: the opposite of what A's outcome is equivalent to on B
    /// (`Same`: YES on A is hedged by NO on B; `Inverse`: by YES on B).
    #[must_use]
    pub const fn outcome_b(self, polarity: Polarity) -> Outcome {
        polarity.map(self.outcome_a()).opposite()
    }
}

/// Why there is no opportunity on a pair right now; meant for logs.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum NoOpportunity {
    /// The pair is paused or needs re-approval.
    #[error("pair {pair} is {status:?}, not active")]
    PairNotActive {
        /// The pair.
        pair: PairId,
        /// Its status.
        status: PairStatus,
    },
    /// A market is closed, paused, settled or not open yet.
    #[error("market {market} is not accepting orders ({status:?})")]
    MarketNotTradable {
        /// The market.
        market: MarketKey,
        /// Its status.
        status: MarketStatus,
    },
    /// A book is older than the limit.
    #[error("the {venue} book is stale ({age} old)")]
    StaleBook {
        /// The venue.
        venue: VenueId,
        /// How old the book is.
        age: chrono::Duration,
    },
    /// A book's best bid reaches its best ask: it is broken or stale.
    #[error("the {venue} book is crossed")]
    CrossedBook {
        /// The venue.
        venue: VenueId,
    },
    /// Neither direction can be priced: a side it needs has no asks.
    #[error("no {outcome} asks on {venue}")]
    EmptySide {
        /// The venue.
        venue: VenueId,
        /// The outcome with no asks.
        outcome: Outcome,
    },
    /// A market's sizes, prices or fee model cannot be priced exactly.
    #[error("cannot price {venue}: {reason}")]
    Unsupported {
        /// The venue.
        venue: VenueId,
        /// What is wrong.
        reason: &'static str,
    },
    /// No quantity makes money after fees.
    #[error("no quantity is profitable after fees")]
    NoEdge,
    /// The best quantity within the limits makes money, but less than the thresholds ask.
    #[error(
        "best profit ${profit} ({profit_fraction} of cost) on {qty} contracts is below the threshold"
    )]
    BelowThreshold {
        /// Its profit in dollars.
        profit: Decimal,
        /// Its profit as a fraction of cost.
        profit_fraction: Decimal,
        /// Its quantity.
        qty: Qty,
    },
    /// There is an edge, but the limits (trade size, exposure, balances) do not allow even the
    /// smallest order.
    #[error("limits allow less than the smallest order ({min_qty} contracts)")]
    LimitsTooSmall {
        /// The smallest order both venues accept.
        min_qty: Qty,
    },
    /// The independent recomputation of the best quantity failed a limit or threshold (a bug
    /// in the fast search or an inconsistent fee model; never traded).
    #[error("recomputed opportunity rejected: {reason}")]
    Unverified {
        /// What failed.
        reason: String,
    },
}

/// The most profitable opportunity on the pair within `limits`, or why there is none.
///
/// A one-off: an engine that watches the pair keeps a [`PairDetector`] instead, which gives the
/// same answers without converting the fee rules and limits again on every book update.
pub fn best_opportunity(
    view: &PairView<'_>,
    limits: &DetectLimits,
    now: DateTime<Utc>,
) -> Result<Opportunity, NoOpportunity> {
    PairDetector::default().best_opportunity(view, limits, now)
}

/// One leg's fee rule in fixed point and the fees per contract it has priced.
struct LegFees<'a> {
    rule: &'a FixedRule,
    memo: &'a mut FeeMemo,
}

/// [`best_opportunity`] once the inputs are checked and the fee rules and limits converted.
fn detect(
    view: &PairView<'_>,
    now: DateTime<Utc>,
    mut fees: Legs<LegFees<'_>>,
    bounds: &Bounds,
    limits: &DetectLimits,
) -> Result<Opportunity, NoOpportunity> {
    if Direction::BOTH.iter().all(|d| sides(view, *d).is_none()) {
        return Err(empty_side(view));
    }
    let Some((direction, best)) = best_direction(view, &mut fees, bounds)? else {
        return Err(why_none(view, now, &mut fees, bounds)?);
    };
    let opportunity = evaluate(view, direction, to_qty(best.qty)?, now).ok_or_else(|| {
        NoOpportunity::Unverified {
            reason: "the books cannot fill the chosen quantity".into(),
        }
    })?;
    match evaluate::violation(view, &opportunity, limits) {
        None => Ok(opportunity),
        Some(reason) => Err(NoOpportunity::Unverified { reason }),
    }
}

/// Why no quantity qualifies: searching again without the thresholds, then without the limits.
fn why_none(
    view: &PairView<'_>,
    now: DateTime<Utc>,
    fees: &mut Legs<LegFees<'_>>,
    bounds: &Bounds,
) -> Result<NoOpportunity, NoOpportunity> {
    let relaxed = Bounds {
        min_profit: Money::from_count(1),
        fraction: None,
        ..*bounds
    };
    if let Some((direction, best)) = best_direction(view, fees, &relaxed)? {
        let qty = to_qty(best.qty)?;
        return Ok(match evaluate(view, direction, qty, now) {
            Some(o) => NoOpportunity::BelowThreshold {
                profit: o.profit,
                profit_fraction: o.profit_fraction,
                qty,
            },
            None => NoOpportunity::NoEdge,
        });
    }
    let unlimited = Bounds {
        caps: Caps::UNLIMITED,
        ..relaxed
    };
    Ok(match best_direction(view, fees, &unlimited)? {
        Some(_) => NoOpportunity::LimitsTooSmall {
            min_qty: to_qty(bounds.min_qty)?,
        },
        None => NoOpportunity::NoEdge,
    })
}

/// The best quantity within `bounds` over both directions, and its direction. Each call prices
/// the legs again: cheaper than keeping both directions' cursors around.
fn best_direction(
    view: &PairView<'_>,
    fees: &mut Legs<LegFees<'_>>,
    bounds: &Bounds,
) -> Result<Option<(Direction, Best)>, NoOpportunity> {
    let venues = view.markets.map(|_, market| &market.key.venue);
    let mut found: Option<(Direction, Best)> = None;
    for direction in Direction::BOTH {
        let Some(levels) = sides(view, direction) else {
            continue;
        };
        // Asks only get dearer: if the best ones already cost $1 together, no quantity profits.
        if costs_a_dollar(levels[LegId::A][0].price, levels[LegId::B][0].price) {
            continue;
        }
        let [fees_a, fees_b] = fees.each_mut().into_array();
        let a = open_leg(levels[LegId::A], fees_a, venues[LegId::A])?;
        let b = open_leg(levels[LegId::B], fees_b, venues[LegId::B])?;
        let (Some(a), Some(b)) = (a, b) else {
            continue;
        };
        let better = search(a, b, bounds, found.map(|(_, best)| best))
            .map_err(|(leg, e)| leg_error(venues[leg], e))?;
        if let Some(best) = better {
            found = Some((direction, best));
        }
    }
    Ok(found)
}

/// A cursor on one leg's asks, priced by its fees; `Ok(None)` when there are none.
fn open_leg<'x>(
    levels: &'x [Level],
    fees: &'x mut LegFees<'_>,
    venue: &VenueId,
) -> Result<Option<Leg<'x>>, NoOpportunity> {
    Leg::new(levels, fees.rule, fees.memo).map_err(|e| leg_error(venue, e))
}

/// The ask levels a direction buys on A and on B, when neither side is empty.
fn sides<'a>(view: &PairView<'a>, direction: Direction) -> Option<Legs<&'a [Level]>> {
    let levels_a = view.books[LegId::A].buy_levels(direction.outcome_a());
    let levels_b = view.books[LegId::B].buy_levels(direction.outcome_b(view.pair.polarity));
    (!levels_a.is_empty() && !levels_b.is_empty()).then_some(Legs::new(levels_a, levels_b))
}

/// Whether two prices add up to $1 or more (in fixed point when both convert, as every venue
/// price does).
fn costs_a_dollar(a: Price, b: Price) -> bool {
    let fixed = |p: Price| PriceFx::from_decimal(p.value(), Round::Exact);
    match (fixed(a), fixed(b)) {
        (Some(a), Some(b)) => a + b >= ONE_DOLLAR,
        _ => a.value() + b.value() >= Decimal::ONE,
    }
}

/// Pair and market status, book age and crossing.
fn check_inputs(
    view: &PairView<'_>,
    limits: &DetectLimits,
    now: DateTime<Utc>,
) -> Result<(), NoOpportunity> {
    if view.pair.status != PairStatus::Active {
        return Err(NoOpportunity::PairNotActive {
            pair: view.pair.id,
            status: view.pair.status,
        });
    }
    for market in view.markets.into_array() {
        if !market.status.is_tradable() {
            return Err(NoOpportunity::MarketNotTradable {
                market: market.key.clone(),
                status: market.status,
            });
        }
    }
    // `age > max` is `as_of < now − max`: one date subtraction for both books. When `now − max`
    // is out of range, every book is too old (negative max) or none is.
    let oldest_fresh = now.checked_sub_signed(limits.max_book_age);
    let stale = |as_of: DateTime<Utc>| match oldest_fresh {
        Some(oldest) => as_of < oldest,
        None => limits.max_book_age < chrono::Duration::zero(),
    };
    for (market, book) in view
        .markets
        .into_array()
        .into_iter()
        .zip(view.books.into_array())
    {
        if stale(book.as_of) {
            return Err(NoOpportunity::StaleBook {
                venue: market.key.venue.clone(),
                age: now - book.as_of,
            });
        }
        if book.is_crossed() {
            return Err(NoOpportunity::CrossedBook {
                venue: market.key.venue.clone(),
            });
        }
    }
    Ok(())
}

/// The limits and thresholds in fixed point.
fn bounds(view: &PairView<'_>, limits: &DetectLimits) -> Result<Bounds, NoOpportunity> {
    let step = |market: &Market| {
        QtyFx::from_decimal(market.size_step.value(), Round::Exact)
            .filter(|s| *s > QtyFx::ZERO)
            .ok_or_else(|| {
                unsupported(
                    &market.key.venue,
                    "size step is not a positive multiple of 10^-6",
                )
            })
    };
    let (step_a, step_b) = (step(view.markets[LegId::A])?, step(view.markets[LegId::B])?);
    let grid = step_a * (step_b.count() / gcd(step_a.count(), step_b.count()));
    let min_of = |market: &Market| {
        QtyFx::from_decimal(market.min_order_qty.value(), Round::Up).unwrap_or(QtyFx::MAX)
    };
    let min_qty = min_of(view.markets[LegId::A])
        .max(min_of(view.markets[LegId::B]))
        .max(grid);
    let min_qty = grid
        .checked_times(ceil_div(min_qty.count(), grid.count()))
        .unwrap_or(QtyFx::MAX);
    let cap = |usd: Decimal| Money::from_decimal(usd, Round::Down).unwrap_or(Money::MAX);
    let fraction = (limits.min_profit_fraction > Decimal::ZERO).then(|| {
        const SCALE: u32 = 10;
        let at = |scale, round| to_count(limits.min_profit_fraction, scale, round);
        Fraction::new(
            at(SCALE, Round::Up).unwrap_or(i128::MAX),
            10_000_000_000,
            at(4, Round::Down).unwrap_or(i128::MAX),
        )
    });
    // Above the most any quantity can make, every minimum is alike: clamped there, it keeps the
    // search's products inside `i128`.
    let max_profit = payout(MAX_QTY);
    Ok(Bounds {
        grid,
        min_qty,
        // Rounding down commutes with `min`: two integer conversions are cheaper than a
        // `Decimal` comparison.
        caps: Caps::new(
            cap(limits.remaining_exposure_a_usd).min(cap(limits.balance_a_usd)),
            cap(limits.remaining_exposure_b_usd).min(cap(limits.balance_b_usd)),
            cap(limits.max_trade_usd),
        ),
        min_profit: Money::from_decimal(limits.min_profit_usd, Round::Up)
            .unwrap_or(Money::MAX)
            .clamp(Money::from_count(1), max_profit + Money::from_count(1)),
        fraction,
    })
}

/// The first side a direction needs that has no asks.
fn empty_side(view: &PairView<'_>) -> NoOpportunity {
    for direction in Direction::BOTH {
        let outcomes = Legs::new(
            direction.outcome_a(),
            direction.outcome_b(view.pair.polarity),
        );
        for leg in LegId::BOTH {
            if view.books[leg].buy_levels(outcomes[leg]).is_empty() {
                return NoOpportunity::EmptySide {
                    venue: view.markets[leg].key.venue.clone(),
                    outcome: outcomes[leg],
                };
            }
        }
    }
    NoOpportunity::NoEdge
}

/// A fixed-point quantity as a [`Qty`].
fn to_qty(qty: QtyFx) -> Result<Qty, NoOpportunity> {
    qty.to_decimal()
        .and_then(|qty| Qty::new(qty).ok())
        .ok_or_else(|| NoOpportunity::Unverified {
            reason: format!("{qty:?} contracts is not a valid quantity"),
        })
}

fn unsupported(venue: &VenueId, reason: &'static str) -> NoOpportunity {
    NoOpportunity::Unsupported {
        venue: venue.clone(),
        reason,
    }
}

fn leg_error(venue: &VenueId, error: LegError) -> NoOpportunity {
    unsupported(
        venue,
        match error {
            LegError::PricePrecision => "a book price has more than 8 decimals",
            LegError::FeeQuantum => "a fee rounding quantum is finer than 10^-14",
            LegError::FeeCoefficient => "the fee coefficient is too large",
        },
    )
}
