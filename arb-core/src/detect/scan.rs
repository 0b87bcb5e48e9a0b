//! The search's state and its exact scan of one candidate segment's grid points.

use super::leg::{Leg, LegAt};
use super::search::{
    Best, Bounds, Candidate, FRACTION_PRUNE_SCALE, PAYOUT_PER_ATOM, Segment, payout,
};
use super::walk::WalkInt;
use crate::fixed::{FineMoney, Money, QtyFx, ceil_div, floor_div_rem, product};
use crate::model::{LegId, Legs};

/// A segment whose bound lets at most this many grid points beat the bar is priced point by
/// point instead of walked: pricing a point costs about two walker steps, and setting up both
/// walkers about ten points (callgrind), so below this pricing is cheaper.
const SHORT_WALK: i128 = 8;
/// One unit of money: the least a better profit beats the best by.
const ONE_UNIT: Money = Money::from_count(1);

/// A feasible quantity known to make more than `profit`, unpriced.
#[derive(Clone, Copy, Debug)]
struct Floor {
    profit: FineMoney,
    qty: QtyFx,
}

/// What the search knows so far: the bar a better quantity must reach, the floor, the best.
pub(super) struct Scan<'b> {
    bounds: &'b Bounds,
    /// Smallest profit worth taking.
    bar: Money,
    /// How much more than its linear bound each leg's rounding can make its debit.
    slack: Legs<FineMoney>,
    /// The best floor found, if any.
    floor: Option<Floor>,
    best: Option<Best>,
}

impl<'b> Scan<'b> {
    /// A scan that must beat `incumbent`, if any, and the minimum profit.
    pub(super) fn new(bounds: &'b Bounds, incumbent: Option<Best>, slack: Legs<FineMoney>) -> Self {
        Self {
            bounds,
            bar: incumbent.map_or(bounds.min_profit, |i| {
                bounds.min_profit.max(i.profit + ONE_UNIT)
            }),
            slack,
            floor: None,
            best: None,
        }
    }

    /// The limits.
    pub(super) const fn bounds(&self) -> &'b Bounds {
        self.bounds
    }

    /// The smallest profit worth taking now.
    pub(super) const fn bar(&self) -> Money {
        self.bar
    }

    /// The best quantity found.
    pub(super) const fn best(&self) -> Option<Best> {
        self.best
    }

    /// Whether `s` is below the floor or the bar.
    pub(super) fn below_floor_or_bar(&self, s: FineMoney) -> bool {
        self.floor.is_some_and(|f| s < f.profit) || s < self.bar.fine()
    }

    /// What the bound `S` of a deeper quantity must reach to matter: the bar, or the floor when
    /// that is higher and its quantity surely meets the profit fraction.
    pub(super) fn cut(&self) -> FineMoney {
        let bar = self.bar.fine();
        match self.floor {
            Some(f)
                if f.profit > bar
                    && self
                        .bounds
                        .fraction
                        .is_none_or(|fraction| fraction.surely_holds(f.profit, f.qty)) =>
            {
                f.profit
            }
            _ => bar,
        }
    }

    /// `top` is feasible and its exact profit exceeds `S(top)` less the rounding slack: a floor
    /// for the best, known without pricing anything.
    pub(super) fn raise_floor(&mut self, segment: &Segment, top: QtyFx) {
        let profit = segment.s_at(top) - self.slack[LegId::A] - self.slack[LegId::B];
        if self.floor.is_none_or(|f| profit > f.profit) {
            self.floor = Some(Floor { profit, qty: top });
        }
    }

    /// The segment's largest grid point within the limits, if any, and whether the limits cut
    /// the segment short (then no deeper quantity is within them either).
    pub(super) fn top_within_limits(
        &self,
        a: &Leg<'_>,
        b: &Leg<'_>,
        segment: &Segment,
    ) -> (Option<QtyFx>, bool) {
        let (lo, hi) = (segment.lo, segment.hi);
        if lo > hi {
            return (None, false);
        }
        // The debits' upper bounds usually show `hi` within the limits without pricing it.
        let upper_a = segment.linear_at(LegId::A, hi) + self.slack[LegId::A];
        let upper_b = segment.linear_at(LegId::B, hi) + self.slack[LegId::B];
        if self.surely_within_limits(upper_a, upper_b)
            || self.debits_within_limits(&a.at, &b.at, hi)
        {
            return (Some(hi), false);
        }
        (self.largest_within_limits(&a.at, &b.at, lo, hi), true)
    }

    /// Whether debits below `upper_a` and `upper_b` (a linear debit plus the rounding slack) are
    /// surely within the limits, without pricing them.
    fn surely_within_limits(&self, upper_a: FineMoney, upper_b: FineMoney) -> bool {
        let caps = &self.bounds.caps;
        upper_a <= caps.a_fine
            && upper_b <= caps.b_fine
            && upper_a.saturating_add(upper_b) <= caps.total_fine
    }

    /// Whether both legs' debits at `q` are within the limits.
    fn debits_within_limits(&self, a: &LegAt<'_>, b: &LegAt<'_>, q: QtyFx) -> bool {
        let (da, db) = (a.debit(q), b.debit(q));
        let caps = &self.bounds.caps;
        da <= caps.a && db <= caps.b && da.saturating_add(db) <= caps.total
    }

    /// The largest grid point in `[lo, hi]` within the limits, knowing `hi` is not.
    fn largest_within_limits(
        &self,
        a: &LegAt<'_>,
        b: &LegAt<'_>,
        lo: QtyFx,
        hi: QtyFx,
    ) -> Option<QtyFx> {
        let g = self.bounds.grid;
        if !self.debits_within_limits(a, b, lo) {
            return None;
        }
        let (mut ok, mut bad) = (lo, hi);
        while bad - ok > g {
            let mid = ok + g * ((bad - ok).count() / g.count() / 2);
            if self.debits_within_limits(a, b, mid) {
                ok = mid;
            } else {
                bad = mid;
            }
        }
        Some(ok)
    }

    /// Takes quantity `q` with `profit` as the best if it beats the bar and meets the profit
    /// fraction.
    fn consider(&mut self, q: QtyFx, profit: Money) {
        if profit >= self.bar && self.meets_fraction(q, profit) {
            self.best = Some(Best { qty: q, profit });
            self.bar = profit + ONE_UNIT;
        }
    }

    /// Whether `profit` at quantity `q` meets the minimum profit fraction, if any.
    fn meets_fraction(&self, q: QtyFx, profit: Money) -> bool {
        self.bounds
            .fraction
            .is_none_or(|f| f.holds(profit, payout(q) - profit))
    }

    /// Evaluates the grid points of the candidate's `[lo, hi]` that can beat the best so far.
    ///
    /// `bound` is `S` at the end the scan starts from (`hi` when `S` rises, else `lo`): `S` is
    /// linear, so it is largest there (the scan stops where `S` drops below the bar, which bounds
    /// it at the other end), and every other value of `S` follows exactly from it and the slope.
    pub(super) fn segment(&mut self, candidate: &Candidate<'_>) {
        let (a, b) = (&candidate.a, &candidate.b);
        let (slope, bound) = (candidate.slope, candidate.bound);
        let g = self.bounds.grid;
        let rising = slope > FineMoney::ZERO;
        // `S` never rises along the walk: it goes down where `S` rises, else up.
        let s_step = FineMoney::from_count(-slope.count().abs() * g.count());
        if bound + s_step * SHORT_WALK < self.bar.fine() {
            // At most `SHORT_WALK` points can beat the bar: pricing each (the profit fraction
            // included) costs less than setting up the walkers.
            let (lo, hi) = (candidate.lo, candidate.hi);
            let (mut q, step) = if rising { (hi, -g) } else { (lo, g) };
            let mut s = bound;
            while s >= self.bar.fine() && lo <= q && q <= hi {
                self.consider(q, payout(q) - a.debit(q) - b.debit(q));
                q += step;
                s += s_step;
            }
            return;
        }
        let top = if rising { candidate.hi } else { candidate.lo };
        let s_at = |q: QtyFx| bound + slope * (q - top).count();
        let Some((lo, hi)) = self.fraction_range(candidate, s_at) else {
            return;
        };
        let walk = Walk {
            lo,
            hi,
            s_start: s_at(if rising { hi } else { lo }),
            s_step,
        };
        let walked = if rising {
            self.walk::<i64, true>(a, b, &walk)
                .or_else(|| self.walk::<i128, true>(a, b, &walk))
        } else {
            self.walk::<i64, false>(a, b, &walk)
                .or_else(|| self.walk::<i128, false>(a, b, &walk))
        };
        debug_assert!(walked.is_some(), "an i128 walk always fits");
    }

    /// The candidate's grid points where the profit fraction can hold, by a linear necessary
    /// condition: `q ≥ (1 + f)·debit` and `debit ≥ q − S` give `R(q) = (1 + f)·S − f·q ≥ 0`.
    fn fraction_range(
        &self,
        candidate: &Candidate<'_>,
        s_at: impl Fn(QtyFx) -> FineMoney,
    ) -> Option<(QtyFx, QtyFx)> {
        let (lo, hi) = (candidate.lo, candidate.hi);
        let Some(f) = self.bounds.fraction.filter(|f| f.prune > 0) else {
            return Some((lo, hi));
        };
        // `R` in fine money × 10⁻⁴.
        let k = FRACTION_PRUNE_SCALE + f.prune;
        let r = |q: QtyFx| k * s_at(q).count() - f.prune * q.count() * PAYOUT_PER_ATOM.count();
        match (r(lo) >= 0, r(hi) >= 0) {
            (true, true) => Some((lo, hi)),
            (false, false) => None,
            _ => {
                let r_slope = k * candidate.slope.count() - f.prune * PAYOUT_PER_ATOM.count();
                clip(lo, hi, self.bounds.grid, r(lo), r_slope)
            }
        }
    }

    /// Evaluates the grid points of `[lo, hi]` from `hi` down (when `DOWN`, else from `lo` up)
    /// while `S`, `s_start` at the first point and moving by `s_step` ≤ 0 per point, can beat the
    /// bar; `None`, having evaluated nothing, when the walk's values do not fit in `T`.
    ///
    /// The profit is tracked as its change since the first point, in `T` (money units): each
    /// step adds the payout step and subtracts both legs' debit steps, and only a point whose
    /// change reaches the bar is priced in full.
    fn walk<T: WalkInt, const DOWN: bool>(
        &mut self,
        a: &LegAt<'_>,
        b: &LegAt<'_>,
        walk: &Walk,
    ) -> Option<()> {
        let g = self.bounds.grid;
        let first = if DOWN { walk.hi } else { walk.lo };
        let (da, mut wa) = a.walker::<T, DOWN>(first, g)?;
        let (db, mut wb) = b.walker::<T, DOWN>(first, g)?;
        let steps = (walk.hi - walk.lo).div_rem_floor(g).0;
        let pay = payout(g).count();
        // Every profit change of the walk is within ±reach, which must fit.
        let reach = product(
            pay + wa.largest_step.into() + wb.largest_step.into(),
            steps + 1,
        )?;
        T::try_from(reach.checked_add(1)?).ok()?;
        // Counted in 64 bits: fewer registers for the loop.
        let steps = u64::try_from(steps).ok()?;
        let pay = T::try_from(if DOWN { -pay } else { pay }).ok()?;
        let profit_at_first = payout(first) - da - db;
        // The change a point needs to reach the bar, clamped to what the walk can reach (so it
        // fits `T`).
        let need = (self.bar.count())
            .saturating_sub(profit_at_first.count())
            .clamp(-reach - 1, reach + 1);
        let mut need = T::try_from(need).ok()?;
        let mut change = T::ZERO;
        // `S` less the bar: the walk goes on while it is not negative.
        let mut room = walk.s_start - self.bar.fine();
        // Going down, a better point has a smaller quantity and a larger profit: once one meets
        // the profit fraction, every later one does (`profit × (1 + f) ≥ f × q`).
        let mut fraction_met = self.bounds.fraction.is_none();
        let quantity = |taken: u64| {
            let moved = g * i128::from(taken);
            if DOWN {
                walk.hi - moved
            } else {
                walk.lo + moved
            }
        };
        let mut taken = 0u64;
        while room >= FineMoney::ZERO {
            if change >= need {
                let profit = profit_at_first + Money::from_count(change.into());
                if (DOWN && fraction_met) || self.meets_fraction(quantity(taken), profit) {
                    fraction_met = true;
                    // The bar is now one above this point: the change the next one needs.
                    room = room - (profit + ONE_UNIT - self.bar).fine();
                    self.bar = profit + ONE_UNIT;
                    self.best = Some(Best {
                        qty: quantity(taken),
                        profit,
                    });
                    need = change + T::ONE;
                }
            }
            if taken == steps {
                break;
            }
            taken += 1;
            change = change + pay - wa.step() - wb.step();
            room += walk.s_step;
        }
        Some(())
    }
}

/// The grid range one walk covers, and `S` along it.
struct Walk {
    lo: QtyFx,
    hi: QtyFx,
    /// `S` at the first point walked.
    s_start: FineMoney,
    /// `S`'s change per point (≤ 0).
    s_step: FineMoney,
}

/// The grid points of `[lo, hi]` where `v_lo + slope·(q − lo) ≥ 0`, as a range.
fn clip(lo: QtyFx, hi: QtyFx, g: QtyFx, v_lo: i128, slope: i128) -> Option<(QtyFx, QtyFx)> {
    let (lo, hi) = match slope.signum() {
        0 => (v_lo >= 0).then_some((lo, hi))?,
        1 => {
            let first = lo.count() + ceil_div(-v_lo, slope);
            (lo.max(g * ceil_div(first, g.count())), hi)
        }
        _ => {
            let last = lo.count() + floor_div_rem(v_lo, -slope).0;
            (lo, hi.min(g * floor_div_rem(last, g.count()).0))
        }
    };
    (lo <= hi).then_some((lo, hi))
}
