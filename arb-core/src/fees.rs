//! Venue fee schedules and the exact fee of one order.
//!
//! A [`FeeModel`] answers "what does the venue charge for this one order, given the fills it
//! makes?" Rounding is per order, not per contract (Kalshi's fee accumulator makes a multi-fill
//! order converge to the fee of one fill), so the detector prices each leg as one order.

use chrono::{DateTime, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use rust_decimal_macros::dec;
use serde::{Deserialize, Serialize};

use crate::model::{Level, Liquidity};

/// The fee a venue charges for one order.
pub trait FeeModel: Send + Sync + std::fmt::Debug {
    /// Fee in dollars for one order that produced `fills` (each a price and quantity) with the
    /// given liquidity. Always ≥ 0.
    fn order_fee(&self, fills: &[Level], liquidity: Liquidity) -> Decimal;

    /// Fee in dollars for one order filled in a single fill.
    fn fill_fee(&self, fill: Level, liquidity: Liquidity) -> Decimal {
        self.order_fee(&[fill], liquidity)
    }
}

/// A market's fee schedule as its venue publishes it. Serialisable, so it is stored with the market.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum FeeSchedule {
    /// No fees (tests, fee-waived markets).
    #[default]
    Free,
    /// Kalshi's quadratic schedule.
    Kalshi(KalshiFees),
    /// Polymarket CLOB V2's operator-set schedule.
    Polymarket(PolymarketFees),
}

impl FeeSchedule {
    /// The schedule in force at `now` (a Kalshi fee waiver that has not expired makes it free).
    #[must_use]
    pub fn effective_at(&self, now: DateTime<Utc>) -> Self {
        match self {
            Self::Kalshi(k) if k.waived_until.is_some_and(|until| now < until) => Self::Free,
            other => other.clone(),
        }
    }
}

impl FeeModel for FeeSchedule {
    fn order_fee(&self, fills: &[Level], liquidity: Liquidity) -> Decimal {
        match self {
            Self::Free => Decimal::ZERO,
            Self::Kalshi(k) => k.order_fee(fills, liquidity),
            Self::Polymarket(p) => p.order_fee(fills, liquidity),
        }
    }
}

/// Kalshi: `fee = rate × C × P × (1 − P)` per fill, where `rate` is 0.07 × the series'
/// `fee_multiplier` for takers, and the maker rate is 0.25 × (or, on combo-maker series, 0.5 ×)
/// the taker rate on series that charge makers, else zero.
///
/// Rounding (Kalshi's fee-rounding rules, `getting_started/fee_rounding`): each fill's trade fee
/// is rounded **up** to $0.0001; the account's cash moves in whole cents, and the per-order fee
/// accumulator refunds whole cents of rounding, so the order as a whole is charged its summed
/// fill fees rounded **up** to the cent. This is what we charge here.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct KalshiFees {
    /// Taker coefficient (0.07 × series multiplier).
    pub taker_rate: Decimal,
    /// Maker coefficient (0 when the series charges no maker fee).
    pub maker_rate: Decimal,
    /// Fees are waived until this time, if set.
    pub waived_until: Option<DateTime<Utc>>,
}

impl KalshiFees {
    /// The standard schedule: taker 0.07 × `multiplier`, no maker fee.
    #[must_use]
    pub fn quadratic(multiplier: Decimal) -> Self {
        Self {
            taker_rate: dec!(0.07) * multiplier,
            maker_rate: Decimal::ZERO,
            waived_until: None,
        }
    }

    fn order_fee(&self, fills: &[Level], liquidity: Liquidity) -> Decimal {
        let rate = match liquidity {
            Liquidity::Taker => self.taker_rate,
            Liquidity::Maker => self.maker_rate,
        };
        if rate.is_zero() {
            return Decimal::ZERO;
        }
        let per_fill: Decimal = fills
            .iter()
            .map(|f| {
                let p = f.price.value();
                (rate * f.qty.value() * p * (Decimal::ONE - p))
                    .round_dp_with_strategy(4, RoundingStrategy::ToPositiveInfinity)
            })
            .sum();
        per_fill.round_dp_with_strategy(2, RoundingStrategy::ToPositiveInfinity)
    }
}

/// Polymarket CLOB V2: taker fee `shares × rate × (p × (1 − p))^exponent`; makers pay nothing
/// when `taker_only` (the only published case); zero when fees are disabled (`rate` 0).
///
/// Rounding: each fill's fee is rounded **up** to 5 decimals ($0.00001). The venue's own rounding
/// is not published (NautilusTrader floors to 5 decimals); rounding up can only over-state our
/// cost by < $0.00001 per fill, never under-state it, so a reported profit is always real.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PolymarketFees {
    /// `r` of the market's fee schedule.
    pub rate: Decimal,
    /// `e` of the market's fee schedule.
    pub exponent: Decimal,
    /// Whether only takers pay.
    pub taker_only: bool,
}

impl PolymarketFees {
    fn order_fee(&self, fills: &[Level], liquidity: Liquidity) -> Decimal {
        if self.rate.is_zero() || (liquidity == Liquidity::Maker && self.taker_only) {
            return Decimal::ZERO;
        }
        fills
            .iter()
            .map(|f| {
                let p = f.price.value();
                let base = p * (Decimal::ONE - p);
                (f.qty.value() * self.rate * power(base, self.exponent))
                    .round_dp_with_strategy(5, RoundingStrategy::ToPositiveInfinity)
            })
            .sum()
    }
}

/// `base^exponent` for a base in [0, 0.25]: exact for whole exponents, `powd` otherwise.
fn power(base: Decimal, exponent: Decimal) -> Decimal {
    use rust_decimal::MathematicalOps;
    use rust_decimal::prelude::ToPrimitive;
    match exponent
        .fract()
        .is_zero()
        .then(|| exponent.to_i64())
        .flatten()
    {
        Some(whole) => base.powi(whole),
        None => base.powd(exponent),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Price, Qty};

    fn fill(p: Decimal, q: Decimal) -> Level {
        Level::new(Price::new(p).unwrap(), Qty::new(q).unwrap())
    }

    #[test]
    fn free_is_free() {
        assert_eq!(
            FeeSchedule::Free.order_fee(&[fill(dec!(0.5), dec!(100))], Liquidity::Taker),
            Decimal::ZERO
        );
    }

    #[test]
    fn kalshi_rounds_up_per_order_to_the_cent() {
        // 0.07 × 100 × 0.5 × 0.5 = 1.75 exactly.
        let k = FeeSchedule::Kalshi(KalshiFees::quadratic(Decimal::ONE));
        assert_eq!(
            k.order_fee(&[fill(dec!(0.5), dec!(100))], Liquidity::Taker),
            dec!(1.75)
        );
        // 0.07 × 1 × 0.45 × 0.55 = 0.017325 → 0.0174 per fill → $0.02 for the order.
        assert_eq!(
            k.order_fee(&[fill(dec!(0.45), dec!(1))], Liquidity::Taker),
            dec!(0.02)
        );
        // Two fills: 0.0174 + 0.0174 = 0.0348 → $0.04, not 2 × $0.02.
        assert_eq!(
            k.order_fee(
                &[fill(dec!(0.45), dec!(1)), fill(dec!(0.45), dec!(1))],
                Liquidity::Taker
            ),
            dec!(0.04)
        );
        assert_eq!(
            k.order_fee(&[fill(dec!(0.45), dec!(1))], Liquidity::Maker),
            Decimal::ZERO
        );
    }

    #[test]
    fn kalshi_waiver_makes_it_free_until_expiry() {
        let until = DateTime::<Utc>::from_timestamp(1_000, 0).unwrap();
        let k = FeeSchedule::Kalshi(KalshiFees {
            waived_until: Some(until),
            ..KalshiFees::quadratic(Decimal::ONE)
        });
        let before = DateTime::<Utc>::from_timestamp(999, 0).unwrap();
        assert_eq!(k.effective_at(before), FeeSchedule::Free);
        assert_eq!(k.effective_at(until), k);
    }

    #[test]
    fn polymarket_power_law_taker_only() {
        let p = FeeSchedule::Polymarket(PolymarketFees {
            rate: dec!(0.03),
            exponent: Decimal::ONE,
            taker_only: true,
        });
        // 100 × 0.03 × 0.5 × 0.5 = 0.75
        assert_eq!(
            p.order_fee(&[fill(dec!(0.5), dec!(100))], Liquidity::Taker),
            dec!(0.75)
        );
        assert_eq!(
            p.order_fee(&[fill(dec!(0.5), dec!(100))], Liquidity::Maker),
            Decimal::ZERO
        );
        let squared = FeeSchedule::Polymarket(PolymarketFees {
            rate: dec!(0.25),
            exponent: dec!(2),
            taker_only: true,
        });
        // 10 × 0.25 × 0.0625 = 0.15625
        assert_eq!(
            squared.order_fee(&[fill(dec!(0.5), dec!(10))], Liquidity::Taker),
            dec!(0.15625)
        );
    }
}
