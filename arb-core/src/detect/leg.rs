//! One leg's book walked level by level in fixed point: the exact cash debit of buying any
//! quantity that ends inside the current level, without allocating.

use super::walk::{WalkInt, Walker};
use crate::fees::FeeRule;
use crate::fixed::{
    FineMoney, Money, PriceFx, QtyFx, Round, UnitFeeFx, ceil_div, floor_div_rem, pow10, product,
    strip_tens,
};
use crate::model::{Level, Price};

/// The most contracts a leg is sized to (10⁶): keeps every product far inside `i128`.
pub(super) const MAX_QTY: QtyFx = QtyFx::from_count(1_000_000_000_000);
/// One atom (10⁻⁶ contracts), the quantum of every quantity.
pub(super) const ONE_ATOM: QtyFx = QtyFx::from_count(1);
/// The largest fee per contract priced ($10,000): beyond it the products could leave `i128`.
const MAX_UNIT_FEE: UnitFeeFx = UnitFeeFx::from_count(1_000_000_000_000_000_000_000_000);

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

/// The fee rule in fixed point: its roundings as money. The fee per contract itself comes from
/// [`FeeRule::unit_fee`], the one formula every fee is computed by.
#[derive(Clone, Copy, Debug)]
pub(super) struct FixedRule {
    rule: FeeRule,
    /// The fill quantum in 10⁻²⁶ dollars (unit fee × atoms) is `fill_div_mantissa × 10^fill_div_zeros`.
    fill_div_mantissa: i128,
    fill_div_zeros: u32,
    /// Each fill's fee is rounded up to a multiple of this (one count: not rounded).
    pub(super) fill_quantum: Money,
    /// The order's debit is rounded up to a multiple of this (one count: not rounded).
    pub(super) cash_quantum: Money,
    /// The fill quantum as whole cash quanta and a remainder (`fill = whole·cash + rem`).
    pub(super) fill_in_cash: (i128, Money),
}

/// Fees per contract already priced under one rule, by price: a direct-mapped table kept with
/// the rule, so each price of a book is priced once while it stays (most book updates move one
/// level). Sized for both outcomes' asks of a deep book with few collisions: a miss prices the
/// fee in `Decimal`.
#[derive(Debug)]
pub(super) struct FeeMemo {
    slots: [Option<(PriceFx, UnitFee)>; MEMO_SLOTS],
}

/// Slots of a [`FeeMemo`].
const MEMO_SLOTS: usize = 64;
/// Slots looked in for one price.
const MEMO_PROBES: usize = 4;

impl Default for FeeMemo {
    fn default() -> Self {
        Self {
            slots: [None; MEMO_SLOTS],
        }
    }
}

impl FeeMemo {
    /// [`FixedRule::unit_fee`] of `rule` at `price` (`fixed`, in fixed point), from the table
    /// when it has it.
    fn unit_fee(
        &mut self,
        rule: &FixedRule,
        price: Price,
        fixed: PriceFx,
    ) -> Result<UnitFee, LegError> {
        // A multiplicative hash of the price (at most 10⁸, it fits 64 bits; the slot is only a
        // hint, the entry keeps the whole key): its top six bits pick the first slot to look in,
        // and the next few are looked in too before the first is overwritten.
        let low = u64::try_from(fixed.count()).unwrap_or_default();
        let first = usize::try_from(low.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58).unwrap_or(0);
        let mut free = None;
        for probe in 0..MEMO_PROBES {
            let index = (first + probe) % MEMO_SLOTS;
            match self.slots.get(index) {
                Some(Some((kept, fee))) if *kept == fixed => return Ok(*fee),
                Some(None) => {
                    free = Some(index);
                    break;
                }
                _ => {}
            }
        }
        let fee = rule.unit_fee(price)?;
        if let Some(slot) = self.slots.get_mut(free.unwrap_or(first)) {
            *slot = Some((fixed, fee));
        }
        Ok(fee)
    }
}

/// One level's fee per contract: `per_contract` for the linear bounds, and the same fee per
/// atom in fill quanta as the fraction `num / den`, so that a fill of `x` atoms costs
/// `⌈num·x / den⌉` quanta with operands small enough for 64-bit division in practice.
#[derive(Clone, Copy, Debug)]
pub(super) struct UnitFee {
    per_contract: UnitFeeFx,
    num: i128,
    den: i128,
}

impl FixedRule {
    /// [`FeeRule::FREE`] in fixed point (what [`FixedRule::new`] makes of it).
    pub(super) const FREE: Self = Self {
        rule: FeeRule::FREE,
        fill_div_mantissa: 1,
        fill_div_zeros: 12,
        fill_quantum: Money::from_count(1),
        cash_quantum: Money::from_count(1),
        fill_in_cash: (1, Money::ZERO),
    };

    /// The rule in fixed point; fails when a quantum is finer than the money unit.
    pub(super) fn new(rule: FeeRule) -> Result<Self, LegError> {
        let quantum = |q: Option<rust_decimal::Decimal>| match q.filter(|q| !q.is_zero()) {
            None => Ok(Money::from_count(1)),
            Some(q) => Money::from_decimal(q, Round::Exact)
                .filter(|q| *q > Money::ZERO)
                .ok_or(LegError::FeeQuantum),
        };
        let fill_quantum = quantum(Some(rule.fill_quantum))?;
        let cash_quantum = quantum(rule.cash_quantum)?;
        // The fill quantum in 10⁻²⁶ dollars is mantissa × 10^zeros.
        let (fill_div_mantissa, zeros) = strip_tens(fill_quantum.count(), u32::MAX);
        let fill_div_zeros = zeros + 12;
        // Every fraction's denominator divides this one, so all of them fit.
        pow10(fill_div_zeros)
            .and_then(|p| product(fill_div_mantissa, p))
            .ok_or(LegError::FeeQuantum)?;
        let (whole, rem) = fill_quantum.div_rem_floor(cash_quantum);
        Ok(Self {
            rule,
            fill_div_mantissa,
            fill_div_zeros,
            fill_quantum,
            cash_quantum,
            fill_in_cash: (whole, rem),
        })
    }

    /// The fee per contract at `price` by the rule's formula, rounded up to 10⁻²⁰ dollars (exact
    /// for every venue schedule), with its fill-quanta fraction.
    fn unit_fee(&self, price: Price) -> Result<UnitFee, LegError> {
        let per_contract = UnitFeeFx::from_decimal(self.rule.unit_fee(price), Round::Up)
            .filter(|fee| *fee <= MAX_UNIT_FEE)
            .ok_or(LegError::FeeCoefficient)?;
        // Cancel the powers of ten the fee shares with the quantum: smaller operands.
        let (num, cancel) = strip_tens(per_contract.count(), self.fill_div_zeros);
        let den = pow10(self.fill_div_zeros - cancel).ok_or(LegError::FeeQuantum)?;
        Ok(UnitFee {
            per_contract,
            num,
            den: self.fill_div_mantissa * den,
        })
    }

    /// `x` rounded up to the cash quantum.
    #[inline]
    pub(super) fn cash(&self, x: Money) -> Money {
        let c = self.cash_quantum.count();
        if c == 1 {
            x
        } else {
            Money::from_count(ceil_div(x.count(), c) * c)
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
    /// Cumulative quantity at the end of the current level.
    pub(super) end: QtyFx,
    /// The current level's fee per contract, for the linear bounds.
    per_contract: UnitFeeFx,
    /// The leg positioned on the current level.
    pub(super) at: LegAt<'a>,
}

/// A leg positioned on one level: all the exact debit of a quantity ending in that level needs.
/// Small and `Copy`, so the search keeps one per candidate segment cheaply.
#[derive(Clone, Copy, Debug)]
pub(super) struct LegAt<'a> {
    pub(super) rule: &'a FixedRule,
    /// Cumulative quantity before the level.
    pub(super) start: QtyFx,
    /// Cost plus trade fees of all earlier levels.
    pub(super) base: Money,
    /// The level's price.
    pub(super) price: PriceFx,
    /// The level's fill fee per atom, `num / den` fill quanta (see [`UnitFee`]).
    pub(super) num: i128,
    pub(super) den: i128,
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
            end: QtyFx::ZERO,
            per_contract: UnitFeeFx::ZERO,
            at: LegAt {
                rule,
                start: QtyFx::ZERO,
                base: Money::ZERO,
                price: PriceFx::ZERO,
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
        if self.end >= MAX_QTY {
            return Ok(false);
        }
        // Prices are normalized: more decimals than 8 is never a whole number of price units.
        let price = PriceFx::from_decimal(level.price.value(), Round::Exact)
            .ok_or(LegError::PricePrecision)?;
        // Depth beyond 10⁻⁶ contracts is ignored (never over-states what can be bought).
        let depth = QtyFx::from_decimal(level.qty.value(), Round::Down).unwrap_or(MAX_QTY);
        let fee = self.memo.unit_fee(self.at.rule, level.price, price)?;
        self.at.start = self.end;
        self.end = (self.end + depth).min(MAX_QTY);
        self.at.price = price;
        self.per_contract = fee.per_contract;
        self.at.num = fee.num;
        self.at.den = fee.den;
        Ok(true)
    }

    /// The price of the level after the current one, without loading it; `None` when there is
    /// none or it cannot be priced (loading it tells which).
    #[inline]
    pub(super) fn next_price(&self) -> Option<PriceFx> {
        let p = self.levels.get(self.index + 1)?.price.value();
        PriceFx::from_decimal(p, Round::Exact)
    }

    /// Moves to the next level; `false` when the book is exhausted.
    pub(super) fn advance(&mut self) -> Result<bool, LegError> {
        let at = &mut self.at;
        let depth = self.end - at.start;
        at.base += at.price * depth + at.fill_fee(depth);
        self.index += 1;
        self.load()
    }

    /// A lower bound of the debit, linear in `q` inside the level, as fine money:
    /// `base + price × x + unit fee × x` without any rounding of the current fill.
    #[inline]
    pub(super) fn linear_debit(&self, q: QtyFx) -> FineMoney {
        let at = &self.at;
        let x = q - at.start;
        (at.base + at.price * x).fine() + self.per_contract * x
    }

    /// More than the rounding can add to the linear debit: one fill quantum and one cash
    /// quantum (`debit < linear_debit + rounding_slack`).
    #[inline]
    pub(super) fn rounding_slack(&self) -> Money {
        self.at.rule.fill_quantum + self.at.rule.cash_quantum
    }

    /// Slope of [`Leg::linear_debit`] per atom.
    #[inline]
    pub(super) fn linear_slope(&self) -> FineMoney {
        (self.at.price * ONE_ATOM).fine() + self.per_contract * ONE_ATOM
    }
}

impl LegAt<'_> {
    /// Trade fee of a fill of `qty` at this level.
    #[inline]
    fn fill_fee(&self, qty: QtyFx) -> Money {
        self.rule.fill_quantum * ceil_div(self.num * qty.count(), self.den)
    }

    /// Cost plus trade fees of buying `q` (`start < q`, within the level), before the cash
    /// rounding.
    #[inline]
    fn gross(&self, q: QtyFx) -> Money {
        let x = q - self.start;
        self.base + self.price * x + self.fill_fee(x)
    }

    /// The exact cash debit of buying `q` (`start < q`, within the level).
    #[inline]
    pub(super) fn debit(&self, q: QtyFx) -> Money {
        self.rule.cash(self.gross(q))
    }

    /// The exact debit at `q` (within the level) and a walker from there on grid step `g`,
    /// moving down when `DOWN`, else up; `None` when its remainders or steps do not fit in `T`.
    #[inline]
    pub(super) fn walker<T: WalkInt, const DOWN: bool>(
        &self,
        q: QtyFx,
        g: QtyFx,
    ) -> Option<(Money, Walker<T, DOWN>)> {
        let rule = self.rule;
        let (num, den) = (self.num, self.den);
        let (fill, c) = (rule.fill_quantum.count(), rule.cash_quantum.count());
        let x = q - self.start;
        // num·x = fills·den − fill_rem, 0 ≤ fill_rem < den.
        let fills = ceil_div(num * x.count(), den);
        let fill_rem = fills * den - num * x.count();
        let gross = self.base + self.price * x + rule.fill_quantum * fills;
        let cash = rule.cash(gross);
        let (fill_q, fill_r) = floor_div_rem(num * g.count(), den);
        // The gross step without and with a fill carry (one more fill quantum), each split into
        // whole cash quanta and a remainder.
        let d = (self.price * g).count() + fill_q * fill;
        let (no_carry, carry) = if c == 1 {
            ((d, 0), (d + fill, 0))
        } else {
            let (whole, rem) = floor_div_rem(d, c);
            // `fill quantum = quanta·C + rest`: the carried split needs no second division.
            let (quanta, rest) = (rule.fill_in_cash.0, rule.fill_in_cash.1.count());
            let wrap = i128::from(rem + rest >= c);
            (
                (whole * c, rem),
                ((whole + quanta + wrap) * c, rem + rest - wrap * c),
            )
        };
        let walker = Walker::new(
            [fill_rem, den, fill_r],
            [(cash - gross).count(), c],
            [no_carry, carry],
        )?;
        Some((cash, walker))
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use rust_decimal_macros::dec;

    use super::*;
    use crate::fees::{FeeModel, FeeSchedule};
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
        let huge_coefficient = FeeRule::quadratic(dec!(1000000000), dec!(0.0001), None);
        let rule = FixedRule::new(huge_coefficient).unwrap();
        let mut memo = FeeMemo::default();
        let leg = Leg::new(&levels, &rule, &mut memo);
        assert_eq!(leg.map(|_| ()).unwrap_err(), LegError::FeeCoefficient);
    }

    /// Walks `[first, last]` down and up on grid `g`, checking the debit at every point against
    /// [`LegAt::debit`]; returns how many points it checked, `None` when the walk does not fit `T`.
    fn walk<T: WalkInt>(leg: &Leg<'_>, first: QtyFx, last: QtyFx, g: QtyFx) -> Option<usize> {
        let (mut down_debit, mut down) = leg.at.walker::<T, true>(last, g)?;
        let (mut up_debit, mut up) = leg.at.walker::<T, false>(first, g)?;
        let (mut q_down, mut q_up) = (last, first);
        let mut checked = 0;
        while q_down >= first {
            assert_eq!(down_debit, leg.at.debit(q_down), "down at {q_down:?}");
            assert_eq!(up_debit, leg.at.debit(q_up), "up at {q_up:?}");
            checked += 1;
            q_down = q_down - g;
            q_up += g;
            if q_down >= first {
                down_debit += Money::from_count(down.step().into());
                up_debit += Money::from_count(up.step().into());
            }
        }
        Some(checked)
    }

    /// Walking every grid point of every level, down and up, gives the same debit as pricing
    /// each point from scratch, for fee rules with and without cash rounding.
    #[test]
    fn walker_matches_the_debit_at_every_grid_point() {
        let schedules = [
            FeeSchedule::taker_only(FeeRule::quadratic(
                dec!(0.07),
                dec!(0.0001),
                Some(dec!(0.01)),
            )),
            FeeSchedule::taker_only(FeeRule::quadratic(
                dec!(0.105),
                dec!(0.0001),
                Some(dec!(0.01)),
            )),
            FeeSchedule::taker_only(FeeRule::quadratic(dec!(0.03), dec!(0.00001), None)),
            FeeSchedule::taker_only(FeeRule {
                exponent: dec!(2),
                ..FeeRule::quadratic(dec!(0.25), dec!(0.00001), None)
            }),
            FeeSchedule::FREE,
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
            for g in [10_000, 30_000, 70_000].map(QtyFx::from_count) {
                let mut memo = FeeMemo::default();
                let mut leg = Leg::new(&levels, &rule, &mut memo).unwrap().unwrap();
                loop {
                    let first = g * (leg.at.start.div_rem_floor(g).0 + 1);
                    let last = g * leg.end.div_rem_floor(g).0;
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
