//! Exact fixed-point amounts with their unit in the type: the integer arithmetic of the
//! detector's hot path, and the 64-bit checks of the price grid and size step.
//!
//! An [`Amount<U>`] is a whole count of `10^-U::SCALE` of `U`'s unit (dollars, dollars per
//! contract, contracts). Amounts of one unit add and compare; multiplying a price by a quantity
//! gives [`Money`], a fee per contract by a quantity [`FineMoney`], and nothing else mixes, so a
//! count can no longer be read at the wrong scale. Conversions from `Decimal` say how they round
//! and fail (`None`) rather than lose a digit.
//!
//! Scales: prices 10⁻⁸ dollars, quantities 10⁻⁶ contracts ("atoms"), money 10⁻¹⁴ dollars
//! (price × quantity), fees per contract 10⁻²⁰ dollars, fine money 10⁻²⁶ dollars (fee per
//! contract × quantity).

use std::cmp::Ordering;
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Add, AddAssign, Mul, Neg, Sub};

use rust_decimal::Decimal;

/// What an [`Amount`] counts, and in what fraction of it.
pub(crate) trait Unit: Copy {
    /// Decimals of one count: an amount of `n` is `n × 10^-SCALE` of the unit.
    const SCALE: u32;
}

macro_rules! unit {
    ($(#[$doc:meta])* $name:ident, $scale:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
        pub(crate) struct $name;

        impl Unit for $name {
            const SCALE: u32 = $scale;
        }
    };
}

unit!(
    /// Dollars per contract, in 10⁻⁸.
    PerContract,
    8
);
unit!(
    /// Contracts, in 10⁻⁶ ("atoms").
    Contracts,
    6
);
unit!(
    /// Dollars, in 10⁻¹⁴ (a price times a quantity).
    Dollars,
    14
);
unit!(
    /// Dollars per contract, in 10⁻²⁰ (a fee per contract).
    FeePerContract,
    20
);
unit!(
    /// Dollars, in 10⁻²⁶ (a fee per contract times a quantity).
    FineDollars,
    26
);

/// A price.
pub(crate) type PriceFx = Amount<PerContract>;
/// A quantity.
pub(crate) type QtyFx = Amount<Contracts>;
/// Money.
pub(crate) type Money = Amount<Dollars>;
/// A fee per contract.
pub(crate) type UnitFeeFx = Amount<FeePerContract>;
/// Money at the scale of a fee per contract times a quantity.
pub(crate) type FineMoney = Amount<FineDollars>;

/// A whole count of `10^-U::SCALE` of `U`'s unit.
pub(crate) struct Amount<U> {
    count: i128,
    unit: PhantomData<U>,
}

impl<U> Clone for Amount<U> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<U> Copy for Amount<U> {}
impl<U> PartialEq for Amount<U> {
    fn eq(&self, other: &Self) -> bool {
        self.count == other.count
    }
}
impl<U> Eq for Amount<U> {}
impl<U> PartialOrd for Amount<U> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<U> Ord for Amount<U> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.count.cmp(&other.count)
    }
}
impl<U> Default for Amount<U> {
    fn default() -> Self {
        Self::ZERO
    }
}
impl<U: Unit> fmt::Debug for Amount<U> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}e-{}", self.count, U::SCALE)
    }
}

impl<U> Amount<U> {
    /// Zero.
    pub(crate) const ZERO: Self = Self::from_count(0);
    /// The largest amount: "no limit".
    pub(crate) const MAX: Self = Self::from_count(i128::MAX);

    /// `count × 10^-SCALE` of the unit.
    #[inline]
    pub(crate) const fn from_count(count: i128) -> Self {
        Self {
            count,
            unit: PhantomData,
        }
    }

    /// The whole count of `10^-SCALE`.
    #[inline]
    pub(crate) const fn count(self) -> i128 {
        self.count
    }

    /// `self × n`, if it fits.
    #[inline]
    pub(crate) fn checked_times(self, n: i128) -> Option<Self> {
        product(self.count, n).map(Self::from_count)
    }

    /// `self + other`, saturated at the bounds.
    #[inline]
    pub(crate) fn saturating_add(self, other: Self) -> Self {
        Self::from_count(self.count.saturating_add(other.count))
    }

    /// How many whole `step`s fit in `self`, rounded down, and what is left (`step` > 0).
    #[inline]
    pub(crate) fn div_rem_floor(self, step: Self) -> (i128, Self) {
        let (q, r) = floor_div_rem(self.count, step.count);
        (q, Self::from_count(r))
    }
}

impl<U: Unit> Amount<U> {
    /// `d` in this unit, rounded as asked; `None` when it does not fit or, with
    /// [`Round::Exact`], has more decimals than the scale.
    #[inline]
    pub(crate) fn from_decimal(d: Decimal, round: Round) -> Option<Self> {
        to_count(d, U::SCALE, round).map(Self::from_count)
    }

    /// The same amount as a `Decimal`, if it fits one.
    pub(crate) fn to_decimal(self) -> Option<Decimal> {
        Decimal::try_from_i128_with_scale(self.count, U::SCALE).ok()
    }
}

impl<U> Add for Amount<U> {
    type Output = Self;
    #[inline]
    fn add(self, other: Self) -> Self {
        Self::from_count(self.count + other.count)
    }
}

impl<U> AddAssign for Amount<U> {
    #[inline]
    fn add_assign(&mut self, other: Self) {
        self.count += other.count;
    }
}

impl<U> Sub for Amount<U> {
    type Output = Self;
    #[inline]
    fn sub(self, other: Self) -> Self {
        Self::from_count(self.count - other.count)
    }
}

impl<U> Neg for Amount<U> {
    type Output = Self;
    #[inline]
    fn neg(self) -> Self {
        Self::from_count(-self.count)
    }
}

/// `amount × n` (a count of steps, points or the like).
impl<U> Mul<i128> for Amount<U> {
    type Output = Self;
    #[inline]
    fn mul(self, n: i128) -> Self {
        Self::from_count(self.count * n)
    }
}

/// A price times a quantity is money: 10⁻⁸ × 10⁻⁶ = 10⁻¹⁴ dollars.
impl Mul<QtyFx> for PriceFx {
    type Output = Money;
    #[inline]
    fn mul(self, qty: QtyFx) -> Money {
        Money::from_count(self.count * qty.count)
    }
}

/// A fee per contract times a quantity is fine money: 10⁻²⁰ × 10⁻⁶ = 10⁻²⁶ dollars.
impl Mul<QtyFx> for UnitFeeFx {
    type Output = FineMoney;
    #[inline]
    fn mul(self, qty: QtyFx) -> FineMoney {
        FineMoney::from_count(self.count * qty.count)
    }
}

impl Money {
    /// The same money at the fine scale (× 10¹²), for money the caller knows to be below
    /// 10²⁶ dollars (every debit and profit of at most the detector's largest quantity): one
    /// multiplication, no overflow check.
    #[inline]
    pub(crate) const fn fine(self) -> FineMoney {
        FineMoney::from_count(self.count * FINE_PER_MONEY)
    }

    /// The same money at the fine scale (× 10¹²), saturated at the bounds: for limits and
    /// quanta, which may be anything.
    #[inline]
    pub(crate) const fn saturating_fine(self) -> FineMoney {
        FineMoney::from_count(self.count.saturating_mul(FINE_PER_MONEY))
    }
}

/// 10¹²: fine money per unit of money.
pub(crate) const FINE_PER_MONEY: i128 = 1_000_000_000_000;

/// Direction to round a value that has more decimals than the scale.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Round {
    /// Towards −∞.
    Down,
    /// Towards +∞.
    Up,
    /// Refuse (`None`) unless exact.
    Exact,
}

/// `d` as an integer count of 10^-scale, rounded as asked; `None` on overflow or inexactness.
#[inline]
pub(crate) fn to_count(d: Decimal, scale: u32, round: Round) -> Option<i128> {
    let mantissa = d.mantissa();
    let from = d.scale();
    if from <= scale {
        return product(mantissa, pow10(scale - from)?);
    }
    let div = pow10(from - scale)?;
    match round {
        Round::Down => Some(floor_div_rem(mantissa, div).0),
        Round::Up => Some(ceil_div(mantissa, div)),
        Round::Exact => (mantissa % div == 0).then(|| mantissa / div),
    }
}

/// `d` as a 64-bit count of 10⁻⁸ (a price's scale), if it has at most 8 decimals and fits:
/// every venue price, size and dollar amount. The price grid and size step checks run on it.
#[inline]
pub(crate) fn units(d: Decimal) -> Option<i64> {
    let widen = PerContract::SCALE.checked_sub(d.scale())?;
    i64::try_from(product(d.mantissa(), pow10(widen)?)?).ok()
}

/// 10^0 ..= 10^38, the powers of ten that fit in `i128`.
const POW10: [i128; 39] = {
    let mut table = [1i128; 39];
    let mut i = 1;
    while i < table.len() {
        table[i] = table[i - 1] * 10;
        i += 1;
    }
    table
};

/// 10^n, if it fits in `i128`.
#[inline]
pub(crate) fn pow10(n: u32) -> Option<i128> {
    POW10.get(usize::try_from(n).ok()?).copied()
}

/// `a × b`, if it fits: one widening 64 × 64-bit multiplication when both fit in `i64` (the
/// product then fits in 127 bits), the overflow-checked 128-bit one otherwise.
#[inline]
pub(crate) fn product(a: i128, b: i128) -> Option<i128> {
    match (i64::try_from(a), i64::try_from(b)) {
        (Ok(a), Ok(b)) => Some(i128::from(a) * i128::from(b)),
        _ => a.checked_mul(b),
    }
}

/// `(n / d, n % d)` rounded towards zero, for `d > 0`: one 64-bit division when both fit (the
/// common case), else one 128-bit division and a multiplication.
#[inline]
fn trunc_div_rem(n: i128, d: i128) -> (i128, i128) {
    match (u64::try_from(n), u64::try_from(d)) {
        (Ok(n), Ok(d)) => (i128::from(n / d), i128::from(n % d)),
        _ => {
            let q = n / d;
            (q, n - q * d)
        }
    }
}

/// `n / d` rounded towards +∞, for `d > 0`.
#[inline]
pub(crate) fn ceil_div(n: i128, d: i128) -> i128 {
    let (q, r) = trunc_div_rem(n, d);
    // The remainder has the sign of `n`: a positive one means the quotient was rounded down.
    if r > 0 { q + 1 } else { q }
}

/// `(⌊n / d⌋, n − d·⌊n / d⌋)` for `d > 0`, with one division.
#[inline]
pub(crate) fn floor_div_rem(n: i128, d: i128) -> (i128, i128) {
    let (q, r) = trunc_div_rem(n, d);
    if r < 0 { (q - 1, r + d) } else { (q, r) }
}

/// `v` as `(m, k)` with `v = m × 10^k`, stripping at most `limit` decimal zeros; only values
/// that fit in 64 bits are stripped (others come back as `(v, 0)`, which is still exact).
pub(crate) fn strip_tens(v: i128, limit: u32) -> (i128, u32) {
    let Ok(mut m) = u64::try_from(v) else {
        return (v, 0);
    };
    // Most values have no zero to strip: one division tells.
    if m == 0 || m % 10 != 0 {
        return (i128::from(m), 0);
    }
    // Eight, four, two zeros at a time, then one: a few divisions for any count.
    let mut zeros = 0;
    for (k, power) in [(8, 100_000_000), (4, 10_000), (2, 100), (1, 10)] {
        while zeros + k <= limit && m % power == 0 {
            m /= power;
            zeros += k;
        }
    }
    (i128::from(m), zeros)
}

/// Greatest common divisor of two positive integers.
pub(crate) fn gcd(mut a: i128, mut b: i128) -> i128 {
    while b != 0 {
        let r = a % b;
        a = b;
        b = r;
    }
    a
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    #[test]
    fn conversion_rounds_as_asked_and_refuses_inexact() {
        let price = |d, round| PriceFx::from_decimal(d, round).map(PriceFx::count);
        assert_eq!(price(dec!(0.45), Round::Exact), Some(45_000_000));
        assert_eq!(price(dec!(0.123456789), Round::Up), Some(12_345_679));
        assert_eq!(price(dec!(0.123456789), Round::Down), Some(12_345_678));
        assert_eq!(price(dec!(0.123456789), Round::Exact), None);
        assert_eq!(to_count(dec!(-0.5), 0, Round::Down), Some(-1));
        assert_eq!(to_count(Decimal::MAX, 28, Round::Exact), None);
        assert_eq!(ceil_div(7, 2), 4);
        assert_eq!(ceil_div(-7, 2), -3);
        assert_eq!(ceil_div(6, 2), 3);
        assert_eq!(ceil_div(-6, 2), -3);
        assert_eq!(ceil_div(1 << 80, 3), (1 << 80) / 3 + 1);
        assert_eq!(floor_div_rem(7, 2), (3, 1));
        assert_eq!(floor_div_rem(-7, 2), (-4, 1));
        assert_eq!(floor_div_rem(-6, 3), (-2, 0));
        assert_eq!(floor_div_rem(-(1 << 80), 3), (-(1 << 80) / 3 - 1, 2));
        assert_eq!(gcd(12, 18), 6);
    }

    #[test]
    fn units_multiply_into_money_and_back_to_decimal() {
        let price = PriceFx::from_decimal(dec!(0.455), Round::Exact).unwrap();
        let qty = QtyFx::from_decimal(dec!(120.5), Round::Exact).unwrap();
        assert_eq!((price * qty).to_decimal().unwrap(), dec!(54.8275));
        let fee = UnitFeeFx::from_decimal(dec!(0.017325), Round::Exact).unwrap();
        assert_eq!((fee * qty).to_decimal().unwrap(), dec!(2.0876625));
        assert_eq!(
            (price * qty).fine().count(),
            (price * qty).count() * 1_000_000_000_000
        );
        assert_eq!(Money::MAX.saturating_fine(), FineMoney::MAX);
        assert_eq!(qty.checked_times(i128::MAX), None);
        assert_eq!(units(dec!(0.45)), Some(45_000_000));
        assert_eq!(units(dec!(0.000000001)), None);
    }

    #[test]
    fn strip_tens_strips_every_zero_up_to_the_limit() {
        assert_eq!(strip_tens(1_000_000_000_000, u32::MAX), (1, 12));
        assert_eq!(strip_tens(10_000_000_000_000_000_000, u32::MAX), (1, 19));
        assert_eq!(strip_tens(120_000_000_000, 9), (120, 9));
        assert_eq!(strip_tens(4_500_000, u32::MAX), (45, 5));
        assert_eq!(strip_tens(12_300, 1), (1_230, 1));
        assert_eq!(strip_tens(7, 3), (7, 0));
        assert_eq!(strip_tens(0, 5), (0, 0));
        assert_eq!(strip_tens(-100, 5), (-100, 0));
    }
}
