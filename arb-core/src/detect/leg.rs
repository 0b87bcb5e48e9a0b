//! One leg's book walked level by level in fixed point: the exact cash debit of buying any
//! quantity that ends inside the current level, without allocating.

use rust_decimal::Decimal;

use super::fixed::{
    MAX_ATOMS, MONEY_SCALE, PRICE_SCALE, QTY_SCALE, Round, UNIT_SCALE, UNIT_X_QTY_PER_MONEY,
    UNIT_X_QTY_PER_MONEY_ZEROS, ceil_div, floor_div_rem, pow10, strip_tens, to_fixed,
};
use crate::exact::{self, product};
use crate::fees::FeeRule;
use crate::model::{Level, Price};

/// Why a leg cannot be priced in fixed point.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum LegError {
    /// A level's price has more than 8 decimals.
    PricePrecision,
    /// A fee quantum is not a multiple of 10⁻¹⁴ dollars.
    FeeQuantum,
    /// The fee coefficient is too large to price.
    FeeCoefficient,
}

/// The exponent of `p × (1 − p)`, classified once per rule.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Exponent {
    /// 1 (Kalshi, most Polymarket schedules): exact in integers.
    One,
    /// 2: exact in integers.
    Two,
    /// Anything else: priced by the `Decimal` rule and rounded up.
    Other,
}

/// The fee rule in fixed point.
#[derive(Clone, Copy, Debug)]
pub(super) struct FixedRule {
    rule: FeeRule,
    /// The coefficient's mantissa and decimal scale (0 when free).
    coefficient: (i128, u32),
    exponent: Exponent,
    /// The fill quantum in 10⁻²⁶ dollars (unit fee × atoms) is `fill_div_mantissa × 10^fill_div_zeros`.
    fill_div_mantissa: i128,
    fill_div_zeros: u32,
    /// Fill quantum in money units.
    fill_quantum: i128,
    /// Cash quantum in money units (1: none).
    cash_quantum: i128,
    /// The fill quantum as whole cash quanta and a remainder (`fill = whole·cash + rem`).
    fill_in_cash: (i128, i128),
}

/// Fees per contract already priced under one rule, by price: a small direct-mapped table kept
/// with the rule, so each price of a book is priced once while it stays (most book updates move
/// one level).
#[derive(Debug, Default)]
pub(super) struct FeeMemo {
    slots: [Option<(i128, u32, UnitFee)>; 16],
}

impl FeeMemo {
    /// [`FixedRule::unit_fee`] of `rule` at the price `m × 10^-s`, from the table when it has it.
    fn unit_fee(
        &mut self,
        rule: &FixedRule,
        price: Price,
        m: i128,
        s: u32,
    ) -> Result<UnitFee, LegError> {
        // A multiplicative hash of the price (a price's mantissa, at most 10⁸, fits 64 bits; the
        // slot is only a hint, the entry keeps the whole key): its top four bits pick a slot.
        let low = u64::try_from(m).unwrap_or_default();
        let hash = (low ^ u64::from(s)).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 60;
        let Some(slot) = usize::try_from(hash)
            .ok()
            .and_then(|i| self.slots.get_mut(i))
        else {
            return rule.unit_fee(price, m, s);
        };
        if let Some((kept_m, kept_s, fee)) = *slot
            && (kept_m, kept_s) == (m, s)
        {
            return Ok(fee);
        }
        let fee = rule.unit_fee(price, m, s)?;
        *slot = Some((m, s, fee));
        Ok(fee)
    }
}

/// One level's fee per contract: `per_contract` in 10⁻²⁰ dollars for the linear bounds, and the
/// same fee per atom in fill quanta as the reduced fraction `num / den`, so that a fill of `x`
/// atoms costs `⌈num·x / den⌉` quanta with operands small enough for 64-bit division in practice.
#[derive(Clone, Copy, Debug)]
struct UnitFee {
    per_contract: i128,
    num: i128,
    den: i128,
}

impl FixedRule {
    /// [`FeeRule::FREE`] in fixed point (what [`FixedRule::new`] makes of it).
    pub(super) const FREE: Self = Self {
        rule: FeeRule::FREE,
        coefficient: (0, 0),
        exponent: Exponent::One,
        fill_div_mantissa: 1,
        fill_div_zeros: UNIT_X_QTY_PER_MONEY_ZEROS,
        fill_quantum: 1,
        cash_quantum: 1,
        fill_in_cash: (1, 0),
    };

    /// The rule in fixed point; fails when a quantum is finer than the money unit.
    pub(super) fn new(rule: FeeRule) -> Result<Self, LegError> {
        let fill_quantum = if rule.fill_quantum.is_zero() {
            1
        } else {
            to_fixed(rule.fill_quantum, MONEY_SCALE, Round::Exact)
                .filter(|q| *q > 0)
                .ok_or(LegError::FeeQuantum)?
        };
        let cash_quantum = match rule.cash_quantum {
            None => 1,
            Some(q) => to_fixed(q, MONEY_SCALE, Round::Exact)
                .filter(|q| *q > 0)
                .ok_or(LegError::FeeQuantum)?,
        };
        // fill_quantum (money units, 10⁻¹⁴) × 10¹² = mantissa × 10^zeros in 10⁻²⁶ dollars.
        let (fill_div_mantissa, zeros) = strip_tens(fill_quantum, u32::MAX);
        let fill_div_zeros = zeros + UNIT_X_QTY_PER_MONEY_ZEROS;
        // Every fraction's denominator divides this one, so all of them fit.
        product(fill_div_mantissa, pow10(fill_div_zeros)).ok_or(LegError::FeeQuantum)?;
        let (c, c_zeros) = strip_tens(rule.coefficient.mantissa(), rule.coefficient.scale());
        // Whole exponents usually come with scale 0: compared on the mantissa before `Decimal`.
        let exponent = match (rule.exponent.mantissa(), rule.exponent.scale()) {
            (1, 0) => Exponent::One,
            (2, 0) => Exponent::Two,
            _ if rule.exponent == Decimal::ONE => Exponent::One,
            _ if rule.exponent == Decimal::TWO => Exponent::Two,
            _ => Exponent::Other,
        };
        Ok(Self {
            rule,
            coefficient: (c, rule.coefficient.scale() - c_zeros),
            exponent,
            fill_div_mantissa,
            fill_div_zeros,
            fill_quantum,
            cash_quantum,
            fill_in_cash: floor_div_rem(fill_quantum, cash_quantum),
        })
    }

    /// The fee per contract at `price` (`m × 10^-s`, `s ≤ 8`), exact when the exponent is 1 or 2
    /// and the fee has at most 20 decimals, else rounded up to 10⁻²⁰ dollars.
    fn unit_fee(&self, price: Price, m: i128, s: u32) -> Result<UnitFee, LegError> {
        let (c, c_scale) = self.coefficient;
        if c == 0 {
            return Ok(UnitFee {
                per_contract: 0,
                num: 0,
                den: 1,
            });
        }
        let pp = m * (pow10(s) - m); // p × (1 − p) at scale 2s, ≤ 0.25 × 10^16
        let (base, base_scale) = match self.exponent {
            Exponent::One => (pp, 2 * s),
            Exponent::Two => (pp * pp, 4 * s),
            Exponent::Other => {
                let unit = to_fixed(self.rule.unit_fee(price), UNIT_SCALE, Round::Up)
                    .ok_or(LegError::FeeCoefficient)?;
                return Ok(self.rounded_unit_fee(unit));
            }
        };
        let unit = product(base, c).ok_or(LegError::FeeCoefficient)?;
        let scale = base_scale + c_scale;
        let Some(up) = UNIT_SCALE.checked_sub(scale) else {
            // More than 20 decimals: rounded up to 10⁻²⁰.
            let divisor = exact::pow10(scale - UNIT_SCALE).ok_or(LegError::FeeCoefficient)?;
            return Ok(self.rounded_unit_fee(ceil_div(unit, divisor)));
        };
        // unit × 10^up is the fee in 10⁻²⁰; cancel the powers of ten it shares with the quantum.
        let cancel = up.min(self.fill_div_zeros);
        let per_contract = product(unit, pow10(up)).ok_or(LegError::FeeCoefficient)?;
        Ok(UnitFee {
            per_contract,
            // At most `per_contract`, which fits.
            num: unit * pow10(up - cancel),
            den: self.fill_div_mantissa * pow10(self.fill_div_zeros - cancel),
        })
    }

    /// The unit fee of a fee per contract already in whole 10⁻²⁰ dollars (`unit`).
    fn rounded_unit_fee(&self, unit: i128) -> UnitFee {
        UnitFee {
            per_contract: unit,
            num: unit,
            den: self.fill_div_mantissa * pow10(self.fill_div_zeros),
        }
    }

    /// `x` rounded up to the cash quantum.
    #[inline]
    fn cash(&self, x: i128) -> i128 {
        if self.cash_quantum == 1 {
            x
        } else {
            ceil_div(x, self.cash_quantum) * self.cash_quantum
        }
    }
}

/// A cursor over one leg's ask levels. The current level covers cumulative quantities
/// `(start, end]`; buying `q` in that range costs `cash(base + price × (q − start) + fee)`.
#[derive(Debug)]
pub(super) struct Leg<'a> {
    levels: &'a [Level],
    memo: &'a mut FeeMemo,
    /// Index of the current level.
    index: usize,
    /// Cumulative atoms at the end of the current level.
    pub(super) end: i128,
    /// The current level's fee per contract in 10⁻²⁰ dollars, for the linear bounds.
    per_contract: i128,
    /// The leg positioned on the current level.
    pub(super) at: LegAt<'a>,
}

/// A leg positioned on one level: all the exact debit of a quantity ending in that level needs.
/// Small and `Copy`, so the search keeps one per candidate segment cheaply.
#[derive(Clone, Copy, Debug)]
pub(super) struct LegAt<'a> {
    rule: &'a FixedRule,
    /// Cumulative atoms before the level.
    pub(super) start: i128,
    /// Cost plus trade fees of all earlier levels, money units.
    base: i128,
    /// The level's price, price units.
    pub(super) price: i128,
    /// The level's fill fee per atom, `num / den` fill quanta (see [`UnitFee`]).
    num: i128,
    den: i128,
}

impl<'a> Leg<'a> {
    /// A cursor on the first level; `Ok(None)` when there are no levels.
    pub(super) fn new(
        levels: &'a [Level],
        rule: &'a FixedRule,
        memo: &'a mut FeeMemo,
    ) -> Result<Option<Self>, LegError> {
        let mut leg = Self {
            levels,
            memo,
            index: 0,
            end: 0,
            per_contract: 0,
            at: LegAt {
                rule,
                start: 0,
                base: 0,
                price: 0,
                num: 0,
                den: 1,
            },
        };
        Ok(leg.load()?.then_some(leg))
    }

    /// Loads the level at `index` (which starts at `end`); `false` when there is none.
    fn load(&mut self) -> Result<bool, LegError> {
        let Some(level) = self.levels.get(self.index) else {
            return Ok(false);
        };
        if self.end >= MAX_ATOMS {
            return Ok(false);
        }
        let p = level.price.value();
        let (m, s) = (p.mantissa(), p.scale());
        // Prices are normalized: more decimals than 8 is never a whole number of price units.
        let widen = PRICE_SCALE.checked_sub(s).ok_or(LegError::PricePrecision)?;
        // Depth beyond 10⁻⁶ contracts is ignored (never over-states what can be bought).
        let atoms = to_fixed(level.qty.value(), QTY_SCALE, Round::Down).unwrap_or(MAX_ATOMS);
        let fee = self.memo.unit_fee(self.at.rule, level.price, m, s)?;
        self.at.start = self.end;
        self.end = (self.end + atoms).min(MAX_ATOMS);
        self.at.price = m * pow10(widen);
        self.per_contract = fee.per_contract;
        self.at.num = fee.num;
        self.at.den = fee.den;
        Ok(true)
    }

    /// The price of the level after the current one, price units, without loading it; `None`
    /// when there is none or it cannot be priced (loading it tells which).
    #[inline]
    pub(super) fn next_price(&self) -> Option<i128> {
        let p = self.levels.get(self.index + 1)?.price.value();
        Some(p.mantissa() * pow10(PRICE_SCALE.checked_sub(p.scale())?))
    }

    /// Moves to the next level; `false` when the book is exhausted.
    pub(super) fn advance(&mut self) -> Result<bool, LegError> {
        let at = &mut self.at;
        let atoms = self.end - at.start;
        at.base += at.price * atoms + at.fill_fee(atoms);
        self.index += 1;
        self.load()
    }

    /// The exact cash debit of buying `q` atoms (`start < q ≤ end`), money units.
    #[inline]
    pub(super) fn debit(&self, q: i128) -> i128 {
        self.at.debit(q)
    }

    /// A lower bound of the debit, linear in `q` inside the level, in 10⁻²⁶ dollars:
    /// `base + price × x + unit fee × x` without any rounding of the current fill.
    #[inline]
    pub(super) fn linear_debit(&self, q: i128) -> i128 {
        let at = &self.at;
        let x = q - at.start;
        (at.base + at.price * x) * UNIT_X_QTY_PER_MONEY + self.per_contract * x
    }

    /// More than the rounding can add to the linear debit: one fill quantum and one cash
    /// quantum, money units (`debit < linear_debit / 10¹² + rounding_slack`).
    #[inline]
    pub(super) fn rounding_slack(&self) -> i128 {
        self.at.rule.fill_quantum + self.at.rule.cash_quantum
    }

    /// Slope of [`Leg::linear_debit`] per atom.
    #[inline]
    pub(super) fn linear_slope(&self) -> i128 {
        self.at.price * UNIT_X_QTY_PER_MONEY + self.per_contract
    }
}

impl LegAt<'_> {
    /// Trade fee in money units of a fill of `atoms` at this level.
    #[inline]
    fn fill_fee(&self, atoms: i128) -> i128 {
        ceil_div(self.num * atoms, self.den) * self.rule.fill_quantum
    }

    /// Cost plus trade fees of buying `q` atoms (`start < q`, within the level), money units,
    /// before the cash rounding.
    #[inline]
    fn gross(&self, q: i128) -> i128 {
        let x = q - self.start;
        self.base + self.price * x + self.fill_fee(x)
    }

    /// The exact cash debit of buying `q` atoms (`start < q`, within the level), money units.
    #[inline]
    pub(super) fn debit(&self, q: i128) -> i128 {
        self.rule.cash(self.gross(q))
    }

    /// The exact debit at `q` (within the level) and a walker from there on grid step `g`,
    /// moving down when `DOWN`, else up; `None` when its remainders or steps do not fit in `T`.
    #[inline]
    pub(super) fn walker<T: WalkInt, const DOWN: bool>(
        &self,
        q: i128,
        g: i128,
    ) -> Option<(i128, Walker<T, DOWN>)> {
        let rule = self.rule;
        let (num, den) = (self.num, self.den);
        let x = q - self.start;
        // num·x = fills·den − fill_rem, 0 ≤ fill_rem < den.
        let fills = ceil_div(num * x, den);
        let fill_rem = fills * den - num * x;
        let gross = self.base + self.price * x + fills * rule.fill_quantum;
        let cash = rule.cash(gross);
        let cash_rem = cash - gross;
        let (fill_q, fill_r) = floor_div_rem(num * g, den);
        // The gross step without and with a fill carry (one more fill quantum), each split into
        // whole cash quanta and a remainder.
        let d = self.price * g + fill_q * rule.fill_quantum;
        let c = rule.cash_quantum;
        let (no_carry, carry) = if c == 1 {
            ((d, 0), (d + rule.fill_quantum, 0))
        } else {
            let (whole, rem) = floor_div_rem(d, c);
            // `fill quantum = quanta·C + rest`: the carried split needs no second division.
            let (quanta, rest) = rule.fill_in_cash;
            let wrap = i128::from(rem + rest >= c);
            (
                (whole * c, rem),
                ((whole + quanta + wrap) * c, rem + rest - wrap * c),
            )
        };
        let narrow = |v: i128| T::try_from(v).ok();
        // Remainders stay below twice their divisor, and one step is at most `carry.0 + C`.
        narrow(den.checked_add(den)?)?;
        narrow(rule.cash_quantum.checked_add(rule.cash_quantum)?)?;
        let largest_step = carry.0.checked_add(rule.cash_quantum)?;
        let walker = Walker {
            fill_rem: narrow(fill_rem)?,
            fill_div: narrow(den)?,
            fill_step: narrow(fill_r)?,
            cash_rem: narrow(cash_rem)?,
            cash_quantum: narrow(rule.cash_quantum)?,
            debit_step: [narrow(no_carry.0)?, narrow(carry.0)?],
            cash_step: [narrow(no_carry.1)?, narrow(carry.1)?],
            largest_step: narrow(largest_step)?,
        };
        Some((cash, walker))
    }
}

/// An integer a [`Walker`] runs in: `i64` when every remainder and step of a walk fits (the
/// common case, about twice as fast), else `i128`.
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
    /// `num·g mod den` of the level's [`UnitFee`].
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

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;
    use crate::fees::{FeeModel, FeeSchedule, KalshiFees, PolymarketFees};
    use crate::model::{Liquidity, Qty};

    fn level(price: Decimal, qty: Decimal) -> Level {
        Level::new(Price::new(price).unwrap(), Qty::new(qty).unwrap())
    }

    #[test]
    fn the_free_constant_is_what_new_makes_of_the_free_rule() {
        assert_eq!(
            format!("{:?}", FixedRule::new(FeeRule::FREE).unwrap()),
            format!("{:?}", FixedRule::FREE)
        );
    }

    /// Absurd fee rules are refused with an error, never a panic or a wrapped integer.
    #[test]
    fn extreme_fee_rules_are_errors_not_panics() {
        let huge_quantum = FeeRule {
            fill_quantum: dec!(100000000000000000000),
            ..FeeRule::FREE
        };
        assert_eq!(
            FixedRule::new(huge_quantum).map(|_| ()),
            Err(LegError::FeeQuantum)
        );
        let fine_coefficient = FeeRule {
            coefficient: Decimal::new(7, 28),
            exponent: Decimal::TWO,
            fill_quantum: dec!(0.0001),
            cash_quantum: None,
        };
        let rule = FixedRule::new(fine_coefficient).unwrap();
        let levels = [level(dec!(0.12345678), dec!(5))];
        let mut memo = FeeMemo::default();
        let leg = Leg::new(&levels, &rule, &mut memo);
        assert!(matches!(leg, Ok(Some(_)) | Err(LegError::FeeCoefficient)));
    }

    /// Walks `[first, last]` down and up on grid `g`, checking the debit at every point against
    /// [`Leg::debit`]; returns how many points it checked, `None` when the walk does not fit `T`.
    fn walk<T: WalkInt>(leg: &Leg<'_>, first: i128, last: i128, g: i128) -> Option<usize> {
        let (mut down_debit, mut down) = leg.at.walker::<T, true>(last, g)?;
        let (mut up_debit, mut up) = leg.at.walker::<T, false>(first, g)?;
        let (mut q_down, mut q_up) = (last, first);
        let mut checked = 0;
        while q_down >= first {
            assert_eq!(down_debit, leg.debit(q_down), "down at {q_down}");
            assert_eq!(up_debit, leg.debit(q_up), "up at {q_up}");
            checked += 1;
            q_down -= g;
            q_up += g;
            if q_down >= first {
                down_debit += down.step().into();
                up_debit += up.step().into();
            }
        }
        Some(checked)
    }

    /// Walking every grid point of every level, down and up, gives the same debit as pricing
    /// each point from scratch, for fee rules with and without cash rounding.
    #[test]
    fn walker_matches_the_debit_at_every_grid_point() {
        let schedules = [
            FeeSchedule::Kalshi(KalshiFees::quadratic(dec!(1))),
            FeeSchedule::Kalshi(KalshiFees::quadratic(dec!(1.5))),
            FeeSchedule::Polymarket(PolymarketFees {
                rate: dec!(0.03),
                exponent: dec!(1),
                taker_only: true,
            }),
            FeeSchedule::Polymarket(PolymarketFees {
                rate: dec!(0.25),
                exponent: dec!(2),
                taker_only: true,
            }),
            FeeSchedule::Free,
        ];
        let levels = [
            level(dec!(0.055), dec!(3.37)),
            level(dec!(0.46), dec!(2.5)),
            level(dec!(0.4713), dec!(1.999999)),
            level(dec!(0.99), dec!(0.7)),
        ];
        let (mut checked, mut narrow) = (0, 0);
        for schedule in &schedules {
            let rule = FixedRule::new(schedule.rule(Liquidity::Taker).unwrap()).unwrap();
            for g in [10_000, 30_000, 70_000] {
                let mut memo = FeeMemo::default();
                let mut leg = Leg::new(&levels, &rule, &mut memo).unwrap().unwrap();
                loop {
                    let first = (leg.at.start / g + 1) * g;
                    let last = leg.end / g * g;
                    if first <= last {
                        narrow += walk::<i64>(&leg, first, last, g).unwrap_or(0);
                        checked += walk::<i128>(&leg, first, last, g).unwrap();
                    }
                    if !leg.advance().unwrap() {
                        break;
                    }
                }
            }
        }
        assert!(checked > 1_000, "only {checked} points checked");
        // Every schedule with exponent 1 fits the fast 64-bit walk.
        assert!(narrow > 600, "only {narrow} points checked in 64 bits");
    }
}
