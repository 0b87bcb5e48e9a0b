//! Fixed-point integers for the detector's hot path: exact for every price, size and fee the
//! venues publish, and an order of magnitude faster than `Decimal`.
//!
//! Units: prices in 10⁻⁸ dollars, quantities in 10⁻⁶ contracts ("atoms"), money in 10⁻¹⁴
//! dollars (price × quantity), fees per contract in 10⁻²⁰ dollars.

use rust_decimal::Decimal;

/// Decimals of a fixed-point price.
pub(super) const PRICE_SCALE: u32 = 8;
/// Decimals of a fixed-point quantity.
pub(super) const QTY_SCALE: u32 = 6;
/// Decimals of fixed-point money (price × quantity).
pub(super) const MONEY_SCALE: u32 = PRICE_SCALE + QTY_SCALE;
/// Decimals of a fixed-point fee per contract.
pub(super) const UNIT_SCALE: u32 = 20;
/// $1 per contract as price units (the payout of one contract).
pub(super) const ONE_PRICE: i128 = 100_000_000;
/// Converts `unit fee × atoms` (10⁻²⁶) to money (10⁻¹⁴).
pub(super) const UNIT_X_QTY_PER_MONEY: i128 = 1_000_000_000_000;
/// `UNIT_X_QTY_PER_MONEY` is 10 to this power.
pub(super) const UNIT_X_QTY_PER_MONEY_ZEROS: u32 = 12;
/// The most contracts a leg is sized to (10⁶): keeps every product far inside `i128`.
pub(super) const MAX_ATOMS: i128 = 1_000_000_000_000;
/// More than any quantity can make (the payout of `MAX_ATOMS`), money units.
pub(super) const MAX_PROFIT: i128 = MAX_ATOMS * ONE_PRICE;

/// 10^n for n ≤ 38.
pub(super) const fn pow10(n: u32) -> i128 {
    crate::exact::POW10[n as usize]
}

/// Direction to round a value that has more decimals than the fixed-point scale.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Round {
    /// Towards −∞.
    Down,
    /// Towards +∞.
    Up,
    /// Refuse (`None`) unless exact.
    Exact,
}

/// `d` as an integer count of 10^-scale, rounded as asked; `None` on overflow or inexactness.
#[inline]
pub(super) fn to_fixed(d: Decimal, scale: u32, round: Round) -> Option<i128> {
    let mantissa = d.mantissa();
    let from = d.scale();
    if from <= scale {
        let widen = scale - from;
        // A mantissa is below 2⁹⁶, so a factor up to 10⁹ < 2³¹ cannot overflow.
        return if widen <= 9 {
            Some(mantissa * pow10(widen))
        } else {
            mantissa.checked_mul(pow10(widen))
        };
    }
    let div = pow10(from - scale);
    match round {
        Round::Down => Some(floor_div_rem(mantissa, div).0),
        Round::Up => Some(ceil_div(mantissa, div)),
        Round::Exact => (mantissa % div == 0).then(|| mantissa / div),
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
pub(super) fn ceil_div(n: i128, d: i128) -> i128 {
    let (q, r) = trunc_div_rem(n, d);
    // The remainder has the sign of `n`: a positive one means the quotient was rounded down.
    if r > 0 { q + 1 } else { q }
}

/// `(⌊n / d⌋, n − d·⌊n / d⌋)` for `d > 0`, with one division.
#[inline]
pub(super) fn floor_div_rem(n: i128, d: i128) -> (i128, i128) {
    let (q, r) = trunc_div_rem(n, d);
    if r < 0 { (q - 1, r + d) } else { (q, r) }
}

/// `v` as `(m, k)` with `v = m × 10^k`, stripping at most `limit` decimal zeros; only values
/// that fit in 64 bits are stripped (others come back as `(v, 0)`, which is still exact).
pub(super) fn strip_tens(v: i128, limit: u32) -> (i128, u32) {
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
pub(super) fn gcd(mut a: i128, mut b: i128) -> i128 {
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
        assert_eq!(
            to_fixed(dec!(0.45), PRICE_SCALE, Round::Exact),
            Some(45_000_000)
        );
        assert_eq!(to_fixed(dec!(0.123456789), 8, Round::Up), Some(12_345_679));
        assert_eq!(
            to_fixed(dec!(0.123456789), 8, Round::Down),
            Some(12_345_678)
        );
        assert_eq!(to_fixed(dec!(0.123456789), 8, Round::Exact), None);
        assert_eq!(to_fixed(dec!(-0.5), 0, Round::Down), Some(-1));
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
