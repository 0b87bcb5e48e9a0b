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
//! * inside that interval every point of the size grid is evaluated exactly, starting at the end
//!   where `S` is largest and stopping as soon as `S` drops below the best profit found — the
//!   rounding makes `P` saw-toothed, so no cleverer rule is exact, but the interval is short: its
//!   length is the rounding (≤ $0.01 per leg) divided by the segment's marginal edge. The scan
//!   walks the grid with a `Walker` per leg, which keeps both roundings as remainders and
//!   updates each debit with additions only (no division per point), equal to `Leg::debit`;
//! * once both legs' next prices sum to ≥ $1 and `S` at the segment end is below the best — or
//!   below a floor known without pricing: the rounding adds less than one fill quantum and one
//!   cash quantum per leg, so `P(q) > S(q) − slack` at any feasible `q` — no deeper quantity can
//!   win (asks only get dearer), and the walk stops before loading those levels.

use smallvec::SmallVec;

use super::fixed::{ONE_PRICE, UNIT_X_QTY_PER_MONEY, floor_div_rem};
use super::leg::{Leg, LegAt, LegError, WalkInt};
use crate::exact::product;

/// $1 of payout per atom in 10⁻²⁶ dollars.
const PAYOUT_PER_ATOM_26: i128 = ONE_PRICE * UNIT_X_QTY_PER_MONEY;
/// A segment whose bound lets at most this many grid points beat the bar is priced point by
/// point instead of walked: pricing a point costs about two walker steps, and setting up both
/// walkers about ten points (callgrind), so below this pricing is cheaper.
const SHORT_WALK: i128 = 8;
/// Scale of the pruning copy of the profit fraction.
const FRACTION_PRUNE_SCALE: i128 = 10_000;
/// Largest pruning fraction (1000%), which keeps the pruning products inside `i128`.
const FRACTION_PRUNE_MAX: i128 = 100_000;

/// A minimum profit as a fraction of cost.
#[derive(Clone, Copy, Debug)]
pub(super) struct Fraction {
    /// Exact fraction `num / den`.
    pub(super) num: i128,
    /// Denominator of the exact fraction.
    pub(super) den: i128,
    /// The fraction rounded down to 10⁻⁴ (at most 10), for pruning only.
    pub(super) prune: i128,
}

impl Fraction {
    /// From the exact fraction `num / den` and its copy rounded down to 10⁻⁴.
    pub(super) fn new(num: i128, den: i128, prune_1e4: i128) -> Self {
        Self {
            num,
            den,
            prune: prune_1e4.clamp(0, FRACTION_PRUNE_MAX),
        }
    }

    fn holds(self, profit: i128, debit: i128) -> bool {
        match (product(profit, self.den), product(self.num, debit)) {
            (Some(lhs), Some(rhs)) => lhs >= rhs,
            _ => false,
        }
    }

    /// Whether the fraction holds for every profit above `floor26` (10⁻²⁶ dollars) at quantity
    /// `q`: `profit ≥ f × (q − profit)` is `profit × (den + num) ≥ num × q`. `false` when unsure
    /// (a product overflows).
    fn surely_holds(self, floor26: i128, q: i128) -> bool {
        let lhs = self
            .den
            .checked_add(self.num)
            .and_then(|k| floor26.checked_mul(k));
        let rhs = product(self.num, q).and_then(|x| x.checked_mul(PAYOUT_PER_ATOM_26));
        matches!((lhs, rhs), (Some(l), Some(r)) if l >= r)
    }
}

/// What a quantity must satisfy, in fixed point.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Bounds {
    /// Both legs' size step (atoms).
    pub(super) grid: i128,
    /// Smallest quantity (atoms, a multiple of `grid`).
    pub(super) min_qty: i128,
    /// Largest debits.
    pub(super) caps: Caps,
    /// Smallest acceptable profit (money units, ≥ 1).
    pub(super) min_profit: i128,
    /// Smallest acceptable profit fraction, if any.
    pub(super) fraction: Option<Fraction>,
}

/// The largest debits allowed (money units), and the same in 10⁻²⁶ dollars (saturated) for
/// comparing the debits' upper bounds without pricing them.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Caps {
    a: i128,
    b: i128,
    total: i128,
    a26: i128,
    b26: i128,
    total26: i128,
}

impl Caps {
    /// No limit at all.
    pub(super) const UNLIMITED: Self = Self {
        a: i128::MAX,
        b: i128::MAX,
        total: i128::MAX,
        a26: i128::MAX,
        b26: i128::MAX,
        total26: i128::MAX,
    };

    /// Leg A's, leg B's and both legs' largest debits, money units.
    pub(super) fn new(a: i128, b: i128, total: i128) -> Self {
        let fine = |cap: i128| cap.saturating_mul(UNIT_X_QTY_PER_MONEY);
        Self {
            a,
            b,
            total,
            a26: fine(a),
            b26: fine(b),
            total26: fine(total),
        }
    }
}

/// Which leg a pricing error came from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Venue {
    /// The pair's market A.
    A,
    /// The pair's market B.
    B,
}

/// A quantity and its exact profit.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) struct Best {
    /// Atoms per leg.
    pub(super) qty: i128,
    /// Profit in money units.
    pub(super) profit: i128,
}

/// A segment kept for the exact scan: both legs positioned on it, its grid range within the
/// limits, and the largest value of `S` on that range.
struct Candidate<'a> {
    a: LegAt<'a>,
    b: LegAt<'a>,
    lo: i128,
    hi: i128,
    /// `S` per atom on the segment.
    slope: i128,
    bound: i128,
}

/// The best quantity of this direction that beats `incumbent`, if any.
///
/// Two passes: the first walks the segments once without pricing any quantity exactly — only
/// the linear bound `S`, upper bounds of the debits against the limits, and a floor for the best
/// (`S` at a feasible quantity less the rounding slack), which tells when deeper segments cannot
/// matter — and keeps the segments whose bound can beat the bar; the second scans the kept
/// segments best bound first and stops at the first one that cannot beat the best found. The
/// deepest profitable segment usually wins by more than any rounding, so most segments are never
/// scanned.
pub(super) fn search<'a>(
    mut a: Leg<'a>,
    mut b: Leg<'a>,
    bounds: &Bounds,
    incumbent: Option<Best>,
) -> Result<Option<Best>, (Venue, LegError)> {
    let mut scan = Scan {
        bounds,
        bar: incumbent.map_or(bounds.min_profit, |i| bounds.min_profit.max(i.profit + 1)),
        floor: None,
        best: None,
    };
    let g = bounds.grid;
    // The rounding makes each debit less than this above its linear bound (10⁻²⁶ dollars).
    let slack_a26 = a.rounding_slack() * UNIT_X_QTY_PER_MONEY;
    let slack_b26 = b.rounding_slack() * UNIT_X_QTY_PER_MONEY;
    let slack26 = slack_a26 + slack_b26;
    // Books rarely give more than a few candidate segments: kept on the stack, no allocation.
    let mut candidates: SmallVec<[Candidate<'a>; 8]> = SmallVec::new();
    loop {
        let q0 = a.at.start.max(b.at.start);
        let q1 = a.end.min(b.end);
        let lo = (floor_div_rem(q0, g).0 * g + g).max(bounds.min_qty);
        let hi = floor_div_rem(q1, g).0 * g;
        // `S` is exactly linear inside the segment: every value follows from the one at its end,
        // and so do both legs' linear debits.
        let (slope_a, slope_b) = (a.linear_slope(), b.linear_slope());
        let (linear_a, linear_b) = (a.linear_debit(q1), b.linear_debit(q1));
        let slope = PAYOUT_PER_ATOM_26 - slope_a - slope_b;
        let s_end = q1 * PAYOUT_PER_ATOM_26 - linear_a - linear_b;
        let mut capped = false;
        if lo <= hi {
            // The debits' upper bounds usually show `hi` within the limits without pricing it.
            let back = q1 - hi;
            let top = if scan.surely_within_limits(
                linear_a - slope_a * back + slack_a26,
                linear_b - slope_b * back + slack_b26,
            ) || scan.debits_within_limits(&a, &b, hi).is_some()
            {
                Some(hi)
            } else {
                capped = true;
                scan.largest_within_limits(&a, &b, lo, hi)
            };
            if let Some(top) = top {
                let start = if slope > 0 { top } else { lo };
                let bound = s_end + slope * (start - q1);
                // `top` is feasible and its exact profit exceeds `S(top)` less the rounding
                // slack: a floor for the best, known without pricing anything.
                let floor26 = s_end + slope * (top - q1) - slack26;
                if scan.floor.is_none_or(|(f, _)| floor26 > f) {
                    scan.floor = Some((floor26, top));
                }
                if bound >= scan.bar * UNIT_X_QTY_PER_MONEY {
                    candidates.push(Candidate {
                        a: a.at,
                        b: b.at,
                        lo,
                        hi: top,
                        slope,
                        bound,
                    });
                }
            }
        }
        if capped {
            break;
        }
        let a_done = q1 == a.end;
        let b_done = q1 == b.end;
        if scan.floor.is_some_and(|(floor26, _)| s_end < floor26)
            || s_end < scan.bar * UNIT_X_QTY_PER_MONEY
        {
            // Past here `S` only falls once the next prices cost $1 together (asks only get
            // dearer): stop without loading those levels if `S` is already below the cut.
            let next_a = if a_done {
                a.next_price()
            } else {
                Some(a.at.price)
            };
            let next_b = if b_done {
                b.next_price()
            } else {
                Some(b.at.price)
            };
            if let (Some(pa), Some(pb)) = (next_a, next_b)
                && pa + pb >= ONE_PRICE
                && s_end < scan.cut()
            {
                break;
            }
        }
        if a_done && !a.advance().map_err(|e| (Venue::A, e))? {
            break;
        }
        if b_done && !b.advance().map_err(|e| (Venue::B, e))? {
            break;
        }
    }
    // Best bound first, without moving the candidates around; a scanned one is marked spent.
    const SPENT: i128 = i128::MIN;
    while let Some(i) = (0..candidates.len()).max_by_key(|&i| candidates[i].bound) {
        let c = &candidates[i];
        if c.bound == SPENT || c.bound < scan.bar * UNIT_X_QTY_PER_MONEY {
            break;
        }
        scan.segment(c);
        candidates[i].bound = SPENT;
    }
    Ok(scan.best)
}

struct Scan<'b> {
    bounds: &'b Bounds,
    /// Smallest profit worth taking (money units).
    bar: i128,
    /// A feasible quantity known to make more than a profit (10⁻²⁶ dollars), unpriced: the
    /// best such profit and its quantity.
    floor: Option<(i128, i128)>,
    best: Option<Best>,
}

impl Scan<'_> {
    /// What the bound `S` of a deeper quantity must reach to matter (10⁻²⁶ dollars): the bar,
    /// or the floor when that is higher and its quantity surely meets the profit fraction.
    fn cut(&self) -> i128 {
        let bar = self.bar * UNIT_X_QTY_PER_MONEY;
        match self.floor {
            Some((floor26, q))
                if floor26 > bar
                    && self
                        .bounds
                        .fraction
                        .is_none_or(|f| f.surely_holds(floor26, q)) =>
            {
                floor26
            }
            _ => bar,
        }
    }

    /// Whether debits below `upper_a` and `upper_b` (10⁻²⁶ dollars: a linear debit plus the
    /// rounding slack) are surely within the limits, without pricing them.
    fn surely_within_limits(&self, upper_a: i128, upper_b: i128) -> bool {
        let caps = &self.bounds.caps;
        upper_a <= caps.a26 && upper_b <= caps.b26 && upper_a + upper_b <= caps.total26
    }

    /// Both legs' debits at `q`, if they are within the limits.
    fn debits_within_limits(&self, a: &Leg<'_>, b: &Leg<'_>, q: i128) -> Option<(i128, i128)> {
        let da = a.debit(q);
        let db = b.debit(q);
        let caps = &self.bounds.caps;
        (da <= caps.a && db <= caps.b && da + db <= caps.total).then_some((da, db))
    }

    /// The largest grid point in `[lo, hi]` within the limits, knowing `hi` is not.
    fn largest_within_limits(&self, a: &Leg<'_>, b: &Leg<'_>, lo: i128, hi: i128) -> Option<i128> {
        let g = self.bounds.grid;
        self.debits_within_limits(a, b, lo)?;
        let (mut ok, mut bad) = (lo, hi);
        while bad - ok > g {
            let mid = ok + (bad - ok) / g / 2 * g;
            match self.debits_within_limits(a, b, mid) {
                Some(_) => ok = mid,
                None => bad = mid,
            }
        }
        Some(ok)
    }

    /// Takes quantity `q` with `profit` as the best if it beats the bar and meets the profit
    /// fraction.
    fn consider(&mut self, q: i128, profit: i128) {
        if profit >= self.bar && self.meets_fraction(q, profit) {
            self.best = Some(Best { qty: q, profit });
            self.bar = profit + 1;
        }
    }

    /// Whether `profit` at quantity `q` meets the minimum profit fraction, if any.
    fn meets_fraction(&self, q: i128, profit: i128) -> bool {
        self.bounds
            .fraction
            .is_none_or(|f| f.holds(profit, q * ONE_PRICE - profit))
    }

    /// Evaluates the grid points of the candidate's `[lo, hi]` that can beat the best so far.
    ///
    /// `bound` is `S` at the end the scan starts from (`hi` when `S` rises, else `lo`): `S` is
    /// linear, so it is largest there (the scan stops where `S` drops below the bar, which bounds
    /// it at the other end), and every other value of `S` follows exactly from it and the slope.
    fn segment(&mut self, candidate: &Candidate<'_>) {
        let (a, b) = (&candidate.a, &candidate.b);
        let (mut lo, mut hi) = (candidate.lo, candidate.hi);
        let (slope, bound) = (candidate.slope, candidate.bound);
        let g = self.bounds.grid;
        // `S` never rises along the walk: it goes down where `S` rises, else up.
        let s_step = -slope.abs() * g;
        if bound + SHORT_WALK * s_step < self.bar * UNIT_X_QTY_PER_MONEY {
            // At most `SHORT_WALK` points can beat the bar: pricing each (the profit fraction
            // included) costs less than setting up the walkers.
            let (first, step) = if slope > 0 { (hi, -g) } else { (lo, g) };
            let (mut q, mut s) = (first, bound);
            while s >= self.bar * UNIT_X_QTY_PER_MONEY && (lo..=hi).contains(&q) {
                self.consider(q, q * ONE_PRICE - a.debit(q) - b.debit(q));
                q += step;
                s += s_step;
            }
            return;
        }
        let top = if slope > 0 { hi } else { lo };
        let s_at = |q: i128| bound + slope * (q - top);
        if let Some(f) = self.bounds.fraction.filter(|f| f.prune > 0) {
            // q ≥ (1 + f)·debit and debit ≥ q − S  ⇒  R(q) = (1 + f)·S − f·q ≥ 0, linear in q.
            let k = FRACTION_PRUNE_SCALE + f.prune;
            let r = |q: i128| k * s_at(q) - f.prune * q * PAYOUT_PER_ATOM_26;
            let (r_lo, r_hi) = (r(lo), r(hi));
            match (r_lo >= 0, r_hi >= 0) {
                (true, true) => {}
                (false, false) => return,
                _ => {
                    let r_slope = k * slope - f.prune * PAYOUT_PER_ATOM_26;
                    match clip(lo, hi, g, r_lo, r_slope) {
                        Some(range) => (lo, hi) = range,
                        None => return,
                    }
                }
            }
        }
        let s_start = s_at(if slope > 0 { hi } else { lo });
        let walked = if slope > 0 {
            self.walk::<i64, true>(a, b, lo, hi, s_start, s_step)
                .or_else(|| self.walk::<i128, true>(a, b, lo, hi, s_start, s_step))
        } else {
            self.walk::<i64, false>(a, b, lo, hi, s_start, s_step)
                .or_else(|| self.walk::<i128, false>(a, b, lo, hi, s_start, s_step))
        };
        debug_assert!(walked.is_some(), "an i128 walk always fits");
    }

    /// Evaluates the grid points of `[lo, hi]` from `hi` down (when `DOWN`, else from `lo` up)
    /// while `S`, `s_start` at the first point and moving by `s_step` ≤ 0 per point, can beat the
    /// bar; `None`, having evaluated nothing, when the walk's values do not fit in `T`.
    ///
    /// The profit is tracked as its change since the first point, in `T`: each step adds the
    /// payout step and subtracts both legs' debit steps, and only a point whose change reaches
    /// the bar is priced in full.
    fn walk<T: WalkInt, const DOWN: bool>(
        &mut self,
        a: &LegAt<'_>,
        b: &LegAt<'_>,
        lo: i128,
        hi: i128,
        s_start: i128,
        s_step: i128,
    ) -> Option<()> {
        let g = self.bounds.grid;
        let first = if DOWN { hi } else { lo };
        let (da, mut wa) = a.walker::<T, DOWN>(first, g)?;
        let (db, mut wb) = b.walker::<T, DOWN>(first, g)?;
        let steps = floor_div_rem(hi - lo, g).0;
        let pay = g * ONE_PRICE;
        // Every profit change of the walk is within ±reach, which must fit.
        let reach = product(
            pay + wa.largest_step.into() + wb.largest_step.into(),
            steps + 1,
        )?;
        // Counted in 64 bits: fewer registers for the loop.
        let steps = u64::try_from(steps).ok()?;
        let out_of_reach = T::try_from(reach.checked_add(1)?).ok()?;
        let pay = T::try_from(if DOWN { -pay } else { pay }).ok()?;
        let profit_at_first = first * ONE_PRICE - da - db;
        // The change a point needs to reach the bar, clamped to what the walk can reach (so it
        // fits `T`).
        let need_for = |bar: i128| {
            let need = bar
                .saturating_sub(profit_at_first)
                .clamp(-reach - 1, reach + 1);
            T::try_from(need).unwrap_or(out_of_reach)
        };
        let mut need = need_for(self.bar);
        let mut change = T::ZERO;
        // `S` less the bar, in 10⁻²⁶ dollars: the walk goes on while it is not negative.
        let mut room = s_start - self.bar * UNIT_X_QTY_PER_MONEY;
        // Going down, a better point has a smaller quantity and a larger profit: once one meets
        // the profit fraction, every later one does (`profit × (1 + f) ≥ f × q`).
        let mut fraction_met = self.bounds.fraction.is_none();
        let quantity = |taken: u64| {
            if DOWN {
                hi - i128::from(taken) * g
            } else {
                lo + i128::from(taken) * g
            }
        };
        // The walk's best point (its step and profit), written back once at the end.
        let mut best: Option<(u64, i128)> = None;
        let mut bar = self.bar;
        let mut taken = 0u64;
        while room >= 0 {
            if change >= need {
                let profit = profit_at_first + change.into();
                if (DOWN && fraction_met) || self.meets_fraction(quantity(taken), profit) {
                    fraction_met = true;
                    // The bar is now one above this point: the change the next one needs.
                    room -= (profit + 1 - bar) * UNIT_X_QTY_PER_MONEY;
                    bar = profit + 1;
                    best = Some((taken, profit));
                    need = change + T::ONE;
                }
            }
            if taken == steps {
                break;
            }
            taken += 1;
            change = change + pay - wa.step() - wb.step();
            room += s_step;
        }
        if let Some((taken, profit)) = best {
            self.best = Some(Best {
                qty: quantity(taken),
                profit,
            });
            self.bar = bar;
        }
        Some(())
    }
}

/// The grid points of `[lo, hi]` where `v_lo + slope·(q − lo) ≥ 0`, as a range.
fn clip(lo: i128, hi: i128, g: i128, v_lo: i128, slope: i128) -> Option<(i128, i128)> {
    let (lo, hi) = match slope.signum() {
        0 => (v_lo >= 0).then_some((lo, hi))?,
        1 => {
            let first = lo + super::fixed::ceil_div(-v_lo, slope);
            (lo.max(super::fixed::ceil_div(first, g) * g), hi)
        }
        _ => {
            let last = lo + floor_div_rem(v_lo, -slope).0;
            (lo, hi.min(floor_div_rem(last, g).0 * g))
        }
    };
    (lo <= hi).then_some((lo, hi))
}
