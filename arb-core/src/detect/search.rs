//! The exact profit-maximising quantity for one direction, by branch and bound over the segments
//! where both legs stay on one book level each.
//!
//! Within a segment the profit is `P(q) = q − D_a(q) − D_b(q)`, each debit a rounded-up linear
//! function of `q`. Dropping the rounding of the current fill gives a linear upper bound `S(q) ≥
//! P(q)` (`S` is exact on everything else), so:
//!
//! * a segment can only hold a better quantity where `S(q) ≥ best + 1 unit`, an interval at one
//!   end of the segment (`S` is linear); it is clipped further by the limits (the debits only
//!   grow with `q`, so every limit is a largest quantity, found by bisection) and by a necessary
//!   condition for the minimum profit fraction (also linear);
//! * inside that interval every point of the size grid is evaluated exactly (see `scan.rs`),
//!   starting at the end where `S` is largest and stopping as soon as `S` drops below the best
//!   profit found — the rounding makes `P` saw-toothed, so no cleverer rule is exact, but the
//!   interval is short: its length is the rounding (≤ $0.01 per leg) divided by the segment's
//!   marginal edge;
//! * once both legs' next prices sum to ≥ $1 and `S` at the segment end is below the best — or
//!   below a floor known without pricing: the rounding adds less than one fill quantum and one
//!   cash quantum per leg, so `P(q) > S(q) − slack` at any feasible `q` — no deeper quantity can
//!   win (asks only get dearer), and the walk stops before loading those levels.

use smallvec::SmallVec;

use super::leg::{Leg, LegAt, LegError};
use super::scan::Scan;
use crate::fixed::{FineMoney, Money, PriceFx, QtyFx, product};
use crate::model::{LegId, Legs};

/// $1 per contract: the payout of one contract.
pub(super) const ONE_DOLLAR: PriceFx = PriceFx::from_count(100_000_000);
/// $1 of payout per atom, as fine money.
pub(super) const PAYOUT_PER_ATOM: FineMoney = Money::from_count(ONE_DOLLAR.count()).fine();

/// The payout of `q` contracts.
#[inline]
pub(super) fn payout(q: QtyFx) -> Money {
    ONE_DOLLAR * q
}

/// A minimum profit as a fraction of cost.
#[derive(Clone, Copy, Debug)]
pub(super) struct Fraction {
    /// Exact fraction `num / den`.
    num: i128,
    /// Denominator of the exact fraction.
    den: i128,
    /// The fraction rounded down to 10⁻⁴ (at most 10), for pruning only.
    pub(super) prune: i128,
}

/// Scale of the pruning copy of the profit fraction.
pub(super) const FRACTION_PRUNE_SCALE: i128 = 10_000;
/// Largest pruning fraction (1000%), which keeps the pruning products inside `i128`.
const FRACTION_PRUNE_MAX: i128 = 100_000;

impl Fraction {
    /// From the exact fraction `num / den` and its copy rounded down to 10⁻⁴.
    pub(super) fn new(num: i128, den: i128, prune_1e4: i128) -> Self {
        Self {
            num,
            den,
            prune: prune_1e4.clamp(0, FRACTION_PRUNE_MAX),
        }
    }

    /// Whether `profit ≥ fraction × debit`. `false` when unsure (a product overflows).
    pub(super) fn holds(self, profit: Money, debit: Money) -> bool {
        match (
            product(profit.count(), self.den),
            product(self.num, debit.count()),
        ) {
            (Some(lhs), Some(rhs)) => lhs >= rhs,
            _ => false,
        }
    }

    /// Whether the fraction holds for every profit above `floor` at quantity `q`: `profit ≥ f ×
    /// (q − profit)` is `profit × (den + num) ≥ num × q`. `false` when unsure (a product
    /// overflows).
    pub(super) fn surely_holds(self, floor: FineMoney, q: QtyFx) -> bool {
        let lhs = self
            .den
            .checked_add(self.num)
            .and_then(|k| floor.count().checked_mul(k));
        let rhs = product(self.num, q.count()).and_then(|x| x.checked_mul(PAYOUT_PER_ATOM.count()));
        matches!((lhs, rhs), (Some(l), Some(r)) if l >= r)
    }
}

/// What a quantity must satisfy.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Bounds {
    /// Both legs' size step.
    pub(super) grid: QtyFx,
    /// Smallest quantity (a multiple of `grid`).
    pub(super) min_qty: QtyFx,
    /// Largest debits.
    pub(super) caps: Caps,
    /// Smallest acceptable profit (at least one unit).
    pub(super) min_profit: Money,
    /// Smallest acceptable profit fraction, if any.
    pub(super) fraction: Option<Fraction>,
}

/// The largest debits allowed, and the same as fine money (saturated) for comparing the debits'
/// upper bounds without pricing them.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Caps {
    pub(super) a: Money,
    pub(super) b: Money,
    pub(super) total: Money,
    pub(super) a_fine: FineMoney,
    pub(super) b_fine: FineMoney,
    pub(super) total_fine: FineMoney,
}

impl Caps {
    /// No limit at all.
    pub(super) const UNLIMITED: Self = Self {
        a: Money::MAX,
        b: Money::MAX,
        total: Money::MAX,
        a_fine: FineMoney::MAX,
        b_fine: FineMoney::MAX,
        total_fine: FineMoney::MAX,
    };

    /// Leg A's, leg B's and both legs' largest debits.
    pub(super) fn new(a: Money, b: Money, total: Money) -> Self {
        Self {
            a,
            b,
            total,
            a_fine: a.saturating_fine(),
            b_fine: b.saturating_fine(),
            total_fine: total.saturating_fine(),
        }
    }
}

/// A quantity and its exact profit.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) struct Best {
    /// Contracts per leg.
    pub(super) qty: QtyFx,
    /// Profit.
    pub(super) profit: Money,
}

/// A segment kept for the exact scan: both legs positioned on it, its grid range within the
/// limits, and the largest value of `S` on that range.
pub(super) struct Candidate<'a> {
    pub(super) a: LegAt<'a>,
    pub(super) b: LegAt<'a>,
    pub(super) lo: QtyFx,
    pub(super) hi: QtyFx,
    /// `S` per atom on the segment.
    pub(super) slope: FineMoney,
    pub(super) bound: FineMoney,
}

/// The quantities `(start, end]` where both legs stay on their current levels, its grid points
/// `[lo, hi]` from the smallest order on, and the linear bound `S` there.
pub(super) struct Segment {
    pub(super) end: QtyFx,
    pub(super) lo: QtyFx,
    pub(super) hi: QtyFx,
    /// Each leg's linear debit at `end`, and its slope per atom.
    pub(super) linear: Legs<(FineMoney, FineMoney)>,
    /// `S` per atom.
    pub(super) slope: FineMoney,
    /// `S` at `end`.
    pub(super) s_end: FineMoney,
}

impl Segment {
    /// The segment both legs are positioned on. `S` is exactly linear inside it: every value
    /// follows from the one at its end, and so do both legs' linear debits.
    fn new(a: &Leg<'_>, b: &Leg<'_>, bounds: &Bounds) -> Self {
        let g = bounds.grid;
        let end = a.end.min(b.end);
        let first = a.at.start.max(b.at.start);
        let (slope_a, slope_b) = (a.linear_slope(), b.linear_slope());
        let (linear_a, linear_b) = (a.linear_debit(end), b.linear_debit(end));
        Self {
            end,
            lo: (g * (first.div_rem_floor(g).0 + 1)).max(bounds.min_qty),
            hi: g * end.div_rem_floor(g).0,
            linear: Legs::new((linear_a, slope_a), (linear_b, slope_b)),
            slope: PAYOUT_PER_ATOM - slope_a - slope_b,
            s_end: PAYOUT_PER_ATOM * end.count() - linear_a - linear_b,
        }
    }

    /// `S` at `q`.
    #[inline]
    pub(super) fn s_at(&self, q: QtyFx) -> FineMoney {
        self.s_end + self.slope * (q - self.end).count()
    }

    /// A leg's linear debit at `q`.
    #[inline]
    pub(super) fn linear_at(&self, leg: LegId, q: QtyFx) -> FineMoney {
        let (at_end, slope) = self.linear[leg];
        at_end - slope * (self.end - q).count()
    }
}

/// Books rarely give more than a few candidate segments: kept on the stack, no allocation.
type Candidates<'a> = SmallVec<[Candidate<'a>; 8]>;

/// The best quantity of this direction that beats `incumbent`, if any.
///
/// Two passes: the first ([`survey`]) walks the segments once without pricing any quantity
/// exactly — only the linear bound `S`, upper bounds of the debits against the limits, and a
/// floor for the best (`S` at a feasible quantity less the rounding slack), which tells when
/// deeper segments cannot matter — and keeps the segments whose bound can beat the bar; the
/// second scans the kept segments best bound first and stops at the first one that cannot beat
/// the best found. The deepest profitable segment usually wins by more than any rounding, so most
/// segments are never scanned.
pub(super) fn search(
    a: Leg<'_>,
    b: Leg<'_>,
    bounds: &Bounds,
    incumbent: Option<Best>,
) -> Result<Option<Best>, (LegId, LegError)> {
    let slack = Legs::new(
        a.rounding_slack().saturating_fine(),
        b.rounding_slack().saturating_fine(),
    );
    let mut scan = Scan::new(bounds, incumbent, slack);
    let mut candidates = Candidates::new();
    survey(&mut scan, a, b, &mut candidates)?;
    // Best bound first (among equal bounds, the deeper segment first), until one cannot beat the
    // best found: usually after one or two, so picking the best left beats sorting them all.
    let mut scanned: SmallVec<[bool; 8]> = smallvec::smallvec![false; candidates.len()];
    while let Some(i) = (0..candidates.len())
        .filter(|&i| scanned.get(i) == Some(&false))
        .max_by_key(|&i| candidates[i].bound)
    {
        let candidate = &candidates[i];
        if candidate.bound < scan.bar().fine() {
            break;
        }
        scanned[i] = true;
        scan.segment(candidate);
    }
    Ok(scan.best())
}

/// The first pass: adds the segments worth scanning exactly to `candidates`, in book order.
fn survey<'a>(
    scan: &mut Scan<'_>,
    mut a: Leg<'a>,
    mut b: Leg<'a>,
    candidates: &mut Candidates<'a>,
) -> Result<(), (LegId, LegError)> {
    loop {
        let segment = Segment::new(&a, &b, scan.bounds());
        let (top, capped) = scan.top_within_limits(&a, &b, &segment);
        if let Some(top) = top {
            scan.raise_floor(&segment, top);
            let start = if segment.slope > FineMoney::ZERO {
                top
            } else {
                segment.lo
            };
            let bound = segment.s_at(start);
            if bound >= scan.bar().fine() {
                candidates.push(Candidate {
                    a: a.at,
                    b: b.at,
                    lo: segment.lo,
                    hi: top,
                    slope: segment.slope,
                    bound,
                });
            }
        }
        if capped || deeper_cannot_win(scan, &a, &b, &segment) {
            break;
        }
        let (a_done, b_done) = (segment.end == a.end, segment.end == b.end);
        if a_done && !a.advance().map_err(|e| (LegId::A, e))? {
            break;
        }
        if b_done && !b.advance().map_err(|e| (LegId::B, e))? {
            break;
        }
    }
    Ok(())
}

/// Whether no quantity past `segment` can beat what the scan already has: past here `S` only
/// falls once the next prices cost $1 together (asks only get dearer), so the walk may stop
/// without loading those levels if `S` is already below the cut.
fn deeper_cannot_win(scan: &Scan<'_>, a: &Leg<'_>, b: &Leg<'_>, segment: &Segment) -> bool {
    if !scan.below_floor_or_bar(segment.s_end) {
        return false;
    }
    let next_price = |leg: &Leg<'_>| {
        if segment.end == leg.end {
            leg.next_price()
        } else {
            Some(leg.at.price)
        }
    };
    matches!(
        (next_price(a), next_price(b)),
        (Some(pa), Some(pb)) if pa + pb >= ONE_DOLLAR
    ) && segment.s_end < scan.cut()
}
