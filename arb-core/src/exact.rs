//! Exact decimal arithmetic on 128-bit mantissas, several times faster than `Decimal`: per-order
//! fee sums and the detector's re-check of an opportunity. Every operation is checked and exact;
//! `None` means "too large or too precise for this path", and the caller either falls back to
//! `Decimal` or, where no venue value can get there, declines the input.

use std::cmp::Ordering;

use rust_decimal::Decimal;

/// `Decimal`'s largest scale.
const MAX_SCALE: u32 = 28;
/// One past `Decimal`'s largest mantissa (2⁹⁶): results stay below it, so every value this path
/// produces is one `Decimal` would have computed exactly too.
const MANTISSA_LIMIT: u128 = 1 << 96;

/// The exact value `mantissa × 10^-scale`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Exact {
    mantissa: i128,
    scale: u32,
}

impl Exact {
    /// Zero.
    pub(crate) const ZERO: Self = Self {
        mantissa: 0,
        scale: 0,
    };

    /// `Some(self)` when `Decimal` can hold the mantissa.
    #[inline]
    fn checked(self) -> Option<Self> {
        (self.mantissa.unsigned_abs() < MANTISSA_LIMIT).then_some(self)
    }

    /// The value `mantissa × 10^-scale`, if `Decimal` can hold the mantissa.
    #[inline]
    pub(crate) fn new(mantissa: i128, scale: u32) -> Option<Self> {
        Self { mantissa, scale }.checked()
    }

    /// The same value as `d`.
    #[inline]
    pub(crate) fn of(d: Decimal) -> Self {
        Self {
            mantissa: d.mantissa(),
            scale: d.scale(),
        }
    }

    /// The mantissa at the larger scale `scale`, if it fits in `i128`.
    #[inline]
    pub(crate) fn mantissa_at(self, scale: u32) -> Option<i128> {
        match scale.checked_sub(self.scale)? {
            0 => Some(self.mantissa),
            widen => product(self.mantissa, pow10(widen)?),
        }
    }

    /// `self + other`.
    #[inline]
    pub(crate) fn add(self, other: Self) -> Option<Self> {
        if self.scale == other.scale {
            // The usual case (sums of like values): both mantissas are below 2⁹⁶, so is their
            // sum below 2⁹⁷, well inside `i128`.
            return Self {
                mantissa: self.mantissa + other.mantissa,
                scale: self.scale,
            }
            .checked();
        }
        let scale = self.scale.max(other.scale);
        Self {
            mantissa: self
                .mantissa_at(scale)?
                .checked_add(other.mantissa_at(scale)?)?,
            scale,
        }
        .checked()
    }

    /// `self − other`.
    #[inline]
    pub(crate) fn sub(self, other: Self) -> Option<Self> {
        self.add(Self {
            mantissa: other.mantissa.checked_neg()?,
            scale: other.scale,
        })
    }

    /// `self × other`.
    #[inline]
    pub(crate) fn mul(self, other: Self) -> Option<Self> {
        let scale = self.scale + other.scale;
        (scale <= MAX_SCALE).then_some(())?;
        Self {
            mantissa: product(self.mantissa, other.mantissa)?,
            scale,
        }
        .checked()
    }

    /// The mantissa.
    #[inline]
    pub(crate) const fn mantissa(self) -> i128 {
        self.mantissa
    }

    /// The scale (decimals).
    #[inline]
    pub(crate) const fn scale(self) -> u32 {
        self.scale
    }

    /// Whether the value is below zero.
    #[inline]
    pub(crate) const fn is_negative(self) -> bool {
        self.mantissa < 0
    }

    /// The exact order of two values; `None` when their mantissas do not align in 128 bits.
    #[inline]
    pub(crate) fn try_cmp(self, other: Self) -> Option<Ordering> {
        let scale = self.scale.max(other.scale);
        Some(self.mantissa_at(scale)?.cmp(&other.mantissa_at(scale)?))
    }

    /// The value as a `Decimal` without trailing zeros (what `Decimal::normalize` gives), if it
    /// fits: the zeros are stripped in 64-bit integers, one division for a value that has none.
    pub(crate) fn to_normalized_decimal(self) -> Option<Decimal> {
        let Ok(mut m) = u64::try_from(self.mantissa.unsigned_abs()) else {
            return Some(self.to_decimal()?.normalize());
        };
        let mut scale = self.scale;
        if m % 2 == 1 {
            // Odd: no decimal zero to strip, and no division to find out.
            return Self {
                mantissa: self.mantissa,
                scale,
            }
            .to_decimal();
        }
        // Four, two, then one zero at a time: a few divisions however many there are (zero
        // itself loses every decimal, as `normalize` makes it).
        for (zeros, power) in [(4, 10_000), (2, 100), (1, 10)] {
            while scale >= zeros && m % power == 0 {
                m /= power;
                scale -= zeros;
            }
        }
        let m = i128::from(m);
        let mantissa = if self.mantissa < 0 { -m } else { m };
        Self { mantissa, scale }.to_decimal()
    }

    /// The value as a `Decimal`, if it fits one.
    #[inline]
    pub(crate) fn to_decimal(self) -> Option<Decimal> {
        Decimal::try_from_i128_with_scale(self.mantissa, self.scale).ok()
    }
}

/// `a` compared with `b`: in integers when their mantissas align in 128 bits (every price, size
/// and dollar amount in practice, several times faster), by `Decimal` otherwise.
#[inline]
pub(crate) fn cmp(a: Decimal, b: Decimal) -> Ordering {
    Exact::of(a)
        .try_cmp(Exact::of(b))
        .unwrap_or_else(|| a.cmp(&b))
}

/// `k` when `quantum` is `10^-k` (a power of ten: every venue quantum), else `None`.
pub(crate) fn decimal_places_of(quantum: Decimal) -> Option<u32> {
    (quantum.mantissa() == 1).then(|| quantum.scale())
}

/// Decimals of [`units`].
pub(crate) const UNITS_SCALE: u32 = 8;

/// `d` as a 64-bit count of 10⁻⁸, if it has at most 8 decimals and fits (every venue price,
/// size and dollar amount): the integer fast paths of the grid, size and fill checks.
#[inline]
pub(crate) fn units(d: Decimal) -> Option<i64> {
    const POW10: [i64; 9] = [
        1,
        10,
        100,
        1_000,
        10_000,
        100_000,
        1_000_000,
        10_000_000,
        100_000_000,
    ];
    let widen = POW10.get(usize::try_from(UNITS_SCALE.checked_sub(d.scale())?).ok()?)?;
    i64::try_from(d.mantissa()).ok()?.checked_mul(*widen)
}

/// 10^0 ..= 10^38, the powers of ten that fit in `i128`.
pub(crate) const POW10: [i128; 39] = {
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

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    #[test]
    fn arithmetic_is_exact_and_matches_decimal() {
        let values = [
            dec!(0.44),
            dec!(0.0175),
            dec!(-3.5),
            dec!(120),
            dec!(0.00001),
            dec!(0),
        ];
        for a in values {
            for b in values {
                let (x, y) = (Exact::of(a), Exact::of(b));
                assert_eq!(x.add(y).and_then(Exact::to_decimal), Some(a + b));
                assert_eq!(x.sub(y).and_then(Exact::to_decimal), Some(a - b));
                assert_eq!(x.mul(y).and_then(Exact::to_decimal), Some(a * b));
            }
        }
    }

    /// The integer comparison and normalisation give exactly what `Decimal`'s do, including
    /// values whose mantissas cannot be aligned in 128 bits.
    #[test]
    fn comparison_and_normalisation_match_decimal() {
        let values = [
            dec!(0.44),
            dec!(0.4400),
            dec!(120),
            dec!(120.000),
            dec!(-3.50),
            dec!(0),
            dec!(0.000),
            dec!(0.0000000000000000000000000001),
            dec!(18446744073709551616.5),
            Decimal::MAX,
            Decimal::MIN,
        ];
        for a in values {
            for b in values {
                assert_eq!(cmp(a, b), a.cmp(&b), "{a} vs {b}");
            }
            let normalized = Exact::of(a).to_normalized_decimal().unwrap();
            let expected = a.normalize();
            assert_eq!(
                (normalized.mantissa(), normalized.scale()),
                (expected.mantissa(), expected.scale()),
                "{a}"
            );
        }
    }

    #[test]
    fn overflow_is_refused_not_wrapped() {
        let big = Exact::of(Decimal::MAX);
        assert_eq!(big.mul(big), None);
        assert_eq!(big.add(big), None);
        assert_eq!(big.sub(Exact::of(Decimal::MIN)), None);
        assert_eq!(big.add(Exact::of(Decimal::MIN)), Some(Exact::ZERO));
        let fine = Exact {
            mantissa: 1,
            scale: 20,
        };
        assert_eq!(fine.mul(fine), None);
    }
}
