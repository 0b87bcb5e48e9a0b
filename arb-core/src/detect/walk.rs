//! A leg's exact debit walked one grid step at a time with additions only: the inner loop of
//! the search's exact scan.

/// An integer a [`Walker`] runs in: `i64` when every remainder and step of a walk fits (the
/// common case, about twice as fast), else `i128`. Either holds counts of money units
/// ([`crate::fixed::Money`]).
pub(super) trait WalkInt:
    Copy
    + Ord
    + std::ops::Add<Output = Self>
    + std::ops::Sub<Output = Self>
    + TryFrom<i128>
    + Into<i128>
{
    /// Zero.
    const ZERO: Self;
    /// One.
    const ONE: Self;
}

impl WalkInt for i64 {
    const ZERO: Self = 0;
    const ONE: Self = 1;
}

impl WalkInt for i128 {
    const ZERO: Self = 0;
    const ONE: Self = 1;
}

/// The exact debit of one leg at a grid point that moves one grid step at a time inside the
/// level (down when `DOWN`, else up), kept up to date with additions only.
///
/// With `x` the quantity bought at the current level, the fill fee is `⌈unit·x / D⌉` quanta and
/// the debit `⌈G / C⌉·C` for the gross `G = base + price·x + fill fee`. Both roundings are kept as
/// remainders `r = ⌈n / d⌉·d − n ∈ [0, d)`: when `n` moves by `k·d + s` (`0 ≤ s < d`), the
/// rounded value moves by `k` or `k + 1` quanta, the latter exactly when the remainder wraps
/// (`r + s ≥ d` going down, `r < s` going up). A step of `g` atoms moves `unit·x` by a fixed
/// amount, so the fill fee moves by `a` or `a + 1` quanta and the gross by one of two fixed
/// amounts, each split once into whole cash quanta and a remainder.
#[derive(Clone, Copy, Debug)]
pub(super) struct Walker<T, const DOWN: bool> {
    fill_rem: T,
    fill_div: T,
    /// `num·g mod den` of the level's fee fraction.
    fill_step: T,
    cash_rem: T,
    cash_quantum: T,
    /// Whole cash quanta (money units) of the gross step without and with a fill carry.
    debit_step: [T; 2],
    /// The gross step's remainder modulo the cash quantum, without and with a fill carry.
    cash_step: [T; 2],
    /// The largest debit change of one step.
    pub(super) largest_step: T,
}

impl<T: WalkInt, const DOWN: bool> Walker<T, DOWN> {
    /// A walker from the fill rounding's `[remainder, divisor, step remainder]`, the cash
    /// rounding's `[remainder, quantum]` and the gross step's `(whole cash quanta, remainder)`
    /// without and with a fill carry, all in money units; `None` when they do not fit in `T`.
    pub(super) fn new(fill: [i128; 3], cash: [i128; 2], steps: [(i128, i128); 2]) -> Option<Self> {
        let narrow = |v: i128| T::try_from(v).ok();
        let [fill_rem, fill_div, fill_step] = fill;
        let [cash_rem, cash_quantum] = cash;
        let [no_carry, carry] = steps;
        // Remainders stay below twice their divisor, and one step is at most `carry.0 + C`.
        narrow(fill_div.checked_add(fill_div)?)?;
        narrow(cash_quantum.checked_add(cash_quantum)?)?;
        Some(Self {
            fill_rem: narrow(fill_rem)?,
            fill_div: narrow(fill_div)?,
            fill_step: narrow(fill_step)?,
            cash_rem: narrow(cash_rem)?,
            cash_quantum: narrow(cash_quantum)?,
            debit_step: [narrow(no_carry.0)?, narrow(carry.0)?],
            cash_step: [narrow(no_carry.1)?, narrow(carry.1)?],
            largest_step: narrow(carry.0.checked_add(cash_quantum)?)?,
        })
    }

    /// Moves one grid step; returns the change of the debit (negative going down). The caller
    /// keeps the quantity inside the level. Branch-free: the carries follow no pattern.
    #[inline]
    pub(super) fn step(&mut self) -> T {
        let zero = T::ZERO;
        if DOWN {
            let fill = self.fill_rem + self.fill_step;
            let carry = fill >= self.fill_div;
            self.fill_rem = fill - if carry { self.fill_div } else { zero };
            let c = usize::from(carry);
            let cash = self.cash_rem + self.cash_step[c];
            let cash_carry = cash >= self.cash_quantum;
            let wrap = if cash_carry { self.cash_quantum } else { zero };
            self.cash_rem = cash - wrap;
            zero - (self.debit_step[c] + wrap)
        } else {
            let carry = self.fill_rem < self.fill_step;
            self.fill_rem =
                self.fill_rem + if carry { self.fill_div } else { zero } - self.fill_step;
            let c = usize::from(carry);
            let cash_carry = self.cash_rem < self.cash_step[c];
            let wrap = if cash_carry { self.cash_quantum } else { zero };
            self.cash_rem = self.cash_rem + wrap - self.cash_step[c];
            self.debit_step[c] + wrap
        }
    }
}
