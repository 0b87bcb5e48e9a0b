//! Venue fee schedules and the exact fee of one order.
//!
//! A [`FeeModel`] answers "what does the venue charge for this one order, given the fills it
//! makes?" Rounding is per order, not per contract (Kalshi's fee accumulator makes a multi-fill
//! order converge to the fee of one fill), so the detector prices each leg as one order.

use chrono::{DateTime, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::model::{Level, Liquidity, Price};

/// The fee a venue charges for one order.
pub trait FeeModel: Send + Sync + std::fmt::Debug {
    /// Fee in dollars for one order that produced `fills` (each a price and quantity) with the
    /// given liquidity. Always ≥ 0.
    fn order_fee(&self, fills: &[Level], liquidity: Liquidity) -> Decimal;

    /// Fee in dollars for one order filled in a single fill.
    fn fill_fee(&self, fill: Level, liquidity: Liquidity) -> Decimal {
        self.order_fee(&[fill], liquidity)
    }

    /// The [`FeeRule`] that [`FeeModel::order_fee`] follows for this liquidity, when it has that
    /// form. The detector needs it to price many quantities quickly and exactly; a model that
    /// returns `None` (the default) cannot be used for detection.
    fn rule(&self, liquidity: Liquidity) -> Option<FeeRule> {
        let _ = liquidity;
        None
    }
}

/// The common shape of every venue fee we know, evaluated for one order:
///
/// 1. each fill of `qty` contracts at price `p` costs a trade fee of
///    `qty × coefficient × (p × (1 − p))^exponent`, rounded **up** to a multiple of
///    `fill_quantum` (no rounding when it is zero);
/// 2. when `cash_quantum` is set, the account's cash moves in multiples of it: the order's whole
///    debit `Σ price × qty + Σ trade fees` is rounded **up** to a multiple of `cash_quantum`, and
///    the difference is charged as a fee too.
///
/// The order's fee is the debit minus the fills' cost. Venue adapters map their venue's schedule
/// onto it (their docs say why each maps as it does); a venue whose fee has another shape
/// implements [`FeeModel`] itself.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct FeeRule {
    /// Multiplies `(p × (1 − p))^exponent` to give the fee per contract.
    pub coefficient: Decimal,
    /// Exponent of `p × (1 − p)` (1 for the usual quadratic schedules).
    pub exponent: Decimal,
    /// Each fill's fee is rounded up to a multiple of this (zero: not rounded).
    pub fill_quantum: Decimal,
    /// The order's cash debit is rounded up to a multiple of this, if set.
    pub cash_quantum: Option<Decimal>,
}

impl FeeRule {
    /// `coefficient × p × (1 − p)` per contract, each fill rounded up to `fill_quantum` (zero:
    /// not rounded) and, when `cash_quantum` is set, the order's debit up to a multiple of it:
    /// the quadratic shape most venues' schedules take.
    #[must_use]
    pub const fn quadratic(
        coefficient: Decimal,
        fill_quantum: Decimal,
        cash_quantum: Option<Decimal>,
    ) -> Self {
        Self {
            coefficient,
            exponent: Decimal::ONE,
            fill_quantum,
            cash_quantum,
        }
    }

    /// A rule that charges nothing.
    pub const FREE: Self = Self {
        coefficient: Decimal::ZERO,
        exponent: Decimal::ONE,
        fill_quantum: Decimal::ZERO,
        cash_quantum: None,
    };

    /// The unrounded fee per contract of a fill at `price`.
    #[must_use]
    pub fn unit_fee(&self, price: Price) -> Decimal {
        if self.coefficient.is_zero() {
            return Decimal::ZERO;
        }
        let p = price.value();
        self.coefficient * power(p * (Decimal::ONE - p), self.exponent)
    }

    /// The trade fee of one fill, rounded up to the fill quantum.
    #[must_use]
    pub fn fill_fee(&self, fill: Level) -> Decimal {
        self.rounded_fill_fee(fill).normalize()
    }

    /// [`FeeRule::fill_fee`] without normalising the scale.
    fn rounded_fill_fee(&self, fill: Level) -> Decimal {
        round_up(
            fill.qty.value() * self.unit_fee(fill.price),
            self.fill_quantum,
        )
    }

    /// The fee of one order made of `fills`: trade fees plus the cash rounding, if any.
    #[must_use]
    pub fn order_fee(&self, fills: &[Level]) -> Decimal {
        let mut trade_fees = Decimal::ZERO;
        let mut cost = Decimal::ZERO;
        for fill in fills {
            trade_fees += self.rounded_fill_fee(*fill);
            if self.cash_quantum.is_some() {
                cost += fill.qty.notional(fill.price);
            }
        }
        match self.cash_quantum {
            None => trade_fees,
            Some(quantum) => round_up(cost + trade_fees, quantum) - cost,
        }
        .normalize()
    }
}

/// `value` rounded up to a multiple of `quantum` (unchanged when `quantum` is zero).
fn round_up(value: Decimal, quantum: Decimal) -> Decimal {
    if quantum.is_zero() || quantum.is_sign_negative() {
        return value;
    }
    if quantum.mantissa() == 1 {
        // A power of ten (every venue quantum): its decimals, rounded up in one integer division.
        return round_dp_up(value, quantum.scale());
    }
    (value / quantum).ceil() * quantum
}

/// `value` rounded up to `places` decimals (what `round_dp_with_strategy(places, ToPositiveInfinity)`
/// gives, in one integer division rather than one per decimal dropped).
pub(crate) fn round_dp_up(value: Decimal, places: u32) -> Decimal {
    if value.scale() <= places {
        return value;
    }
    crate::fixed::to_count(value, places, crate::fixed::Round::Up)
        .and_then(|count| Decimal::try_from_i128_with_scale(count, places).ok())
        .unwrap_or_else(|| {
            value.round_dp_with_strategy(places, RoundingStrategy::ToPositiveInfinity)
        })
}

/// A market's fee schedule: the rule each liquidity pays by, and an optional waiver. Plain data
/// a venue adapter fills in from what its venue publishes (the adapter knows the venue's
/// formula and rounding; the core only evaluates [`FeeRule`]s). Serialisable, so it is stored
/// with the market.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct FeeSchedule {
    /// What a taker order pays.
    pub taker: FeeRule,
    /// What a maker order pays.
    pub maker: FeeRule,
    /// Fees are waived until this time, if set.
    #[serde(default)]
    pub waived_until: Option<DateTime<Utc>>,
}

impl FeeSchedule {
    /// No fees (tests, fee-waived markets).
    pub const FREE: Self = Self {
        taker: FeeRule::FREE,
        maker: FeeRule::FREE,
        waived_until: None,
    };

    /// Takers pay by `taker`, makers nothing; no waiver.
    #[must_use]
    pub const fn taker_only(taker: FeeRule) -> Self {
        Self {
            taker,
            maker: FeeRule::FREE,
            waived_until: None,
        }
    }

    /// The schedule in force at `now`: free while a waiver has not expired.
    #[must_use]
    pub fn effective_at(&self, now: DateTime<Utc>) -> Self {
        match self.waived_until {
            Some(until) if now < until => Self::FREE,
            _ => self.clone(),
        }
    }

    /// The rule an order with this liquidity pays by.
    #[must_use]
    pub const fn rule_for(&self, liquidity: Liquidity) -> &FeeRule {
        match liquidity {
            Liquidity::Taker => &self.taker,
            Liquidity::Maker => &self.maker,
        }
    }
}

impl Default for FeeSchedule {
    fn default() -> Self {
        Self::FREE
    }
}

impl FeeModel for FeeSchedule {
    fn order_fee(&self, fills: &[Level], liquidity: Liquidity) -> Decimal {
        self.rule_for(liquidity).order_fee(fills)
    }

    fn rule(&self, liquidity: Liquidity) -> Option<FeeRule> {
        Some(*self.rule_for(liquidity))
    }
}

/// Whether `d` is 1 written without decimals (how every schedule writes it): a bit test, not a
/// `Decimal` comparison. `1.0` is not, and simply takes the general path.
fn is_plain_one(d: Decimal) -> bool {
    d.scale() == 0 && d.mantissa() == 1
}

/// `base^exponent` for a base in [0, 0.25]: exact for whole exponents, `powd` otherwise.
fn power(base: Decimal, exponent: Decimal) -> Decimal {
    use rust_decimal::MathematicalOps;
    use rust_decimal::prelude::ToPrimitive;
    if is_plain_one(exponent) && !base.is_zero() {
        // What `powi(1)` returns, without its dispatch.
        return base;
    }
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
    use rust_decimal_macros::dec;

    use super::*;
    use crate::model::{Price, Qty};

    fn fill(p: Decimal, q: Decimal) -> Level {
        Level::new(Price::new(p).unwrap(), Qty::new(q).unwrap())
    }

    /// `coefficient × p × (1 − p)` per contract, each fill rounded up to $0.0001, the order's
    /// debit to the cent (the shape of a cent-settled quadratic schedule).
    fn cent_settled(coefficient: Decimal) -> FeeSchedule {
        FeeSchedule {
            taker: FeeRule {
                coefficient,
                exponent: Decimal::ONE,
                fill_quantum: dec!(0.0001),
                cash_quantum: Some(dec!(0.01)),
            },
            ..FeeSchedule::FREE
        }
    }

    /// `rate × (p × (1 − p))^exponent` per contract for takers, each fill rounded up to $0.00001.
    fn fill_rounded(rate: Decimal, exponent: Decimal) -> FeeSchedule {
        FeeSchedule {
            taker: FeeRule {
                coefficient: rate,
                exponent,
                fill_quantum: dec!(0.00001),
                cash_quantum: None,
            },
            ..FeeSchedule::FREE
        }
    }

    #[test]
    fn free_is_free() {
        assert_eq!(
            FeeSchedule::FREE.order_fee(&[fill(dec!(0.5), dec!(100))], Liquidity::Taker),
            Decimal::ZERO
        );
    }

    #[test]
    fn cash_rounding_is_per_order_to_the_cent() {
        // 0.07 × 100 × 0.5 × 0.5 = 1.75 exactly.
        let k = cent_settled(dec!(0.07));
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
    fn a_waiver_makes_it_free_until_expiry() {
        let until = DateTime::<Utc>::from_timestamp(1_000, 0).unwrap();
        let k = FeeSchedule {
            waived_until: Some(until),
            ..cent_settled(dec!(0.07))
        };
        let before = DateTime::<Utc>::from_timestamp(999, 0).unwrap();
        assert_eq!(k.effective_at(before), FeeSchedule::FREE);
        assert_eq!(k.effective_at(until), k);
    }

    #[test]
    fn three_one_lot_fills_cost_one_three_lot_fill() {
        // Buy 3 at $0.055: fills of 1 pay 0.00363825 → $0.0037 each; debit ceil¢(0.165 + 0.0111)
        // = $0.18, fee $0.015. One fill of 3 pays 0.01091475 → $0.0110; ceil¢(0.176) = $0.18.
        let k = cent_settled(dec!(0.07));
        let one = fill(dec!(0.055), dec!(1));
        assert_eq!(k.order_fee(&[one, one, one], Liquidity::Taker), dec!(0.015));
        assert_eq!(
            k.order_fee(&[fill(dec!(0.055), dec!(3))], Liquidity::Taker),
            dec!(0.015)
        );
    }

    #[test]
    fn cash_rounding_covers_fractional_cost() {
        // 0.5 contracts at 0.45: cost 0.225, trade fee 0.0086625 → 0.0087, debit ceil¢(0.2337)
        // = $0.24: the fee charged is $0.015, not ceil¢(0.0087) = $0.01.
        let k = cent_settled(dec!(0.07));
        assert_eq!(
            k.order_fee(&[fill(dec!(0.45), dec!(0.5))], Liquidity::Taker),
            dec!(0.015)
        );
        let rule = k.rule(Liquidity::Taker).unwrap();
        assert_eq!(
            rule.unit_fee(Price::new(dec!(0.45)).unwrap()),
            dec!(0.017325)
        );
    }

    #[test]
    fn fill_rounding_and_exponents() {
        // 100 × 0.03 × 0.5 × 0.5 = 0.75; 7 × 0.03 × 0.333 × 0.667 = 0.04664331 → 0.04665.
        let p = fill_rounded(dec!(0.03), Decimal::ONE);
        assert_eq!(
            p.order_fee(&[fill(dec!(0.5), dec!(100))], Liquidity::Taker),
            dec!(0.75)
        );
        assert_eq!(
            p.order_fee(&[fill(dec!(0.333), dec!(7))], Liquidity::Taker),
            dec!(0.04665)
        );
        assert_eq!(
            p.order_fee(&[fill(dec!(0.5), dec!(100))], Liquidity::Maker),
            Decimal::ZERO
        );
        // 10 × 0.25 × 0.0625 = 0.15625
        let squared = fill_rounded(dec!(0.25), dec!(2));
        assert_eq!(
            squared.order_fee(&[fill(dec!(0.5), dec!(10))], Liquidity::Taker),
            dec!(0.15625)
        );
    }

    /// A schedule is stored as JSON with the market: it reads back as it was written.
    #[test]
    fn a_schedule_round_trips_through_json() {
        let k = FeeSchedule {
            maker: FeeRule {
                coefficient: dec!(0.0175),
                ..cent_settled(dec!(0.07)).taker
            },
            waived_until: DateTime::<Utc>::from_timestamp(1_000, 0),
            ..cent_settled(dec!(0.07))
        };
        for schedule in [k, fill_rounded(dec!(0.03), dec!(2)), FeeSchedule::FREE] {
            let json = serde_json::to_string(&schedule).unwrap();
            assert_eq!(
                serde_json::from_str::<FeeSchedule>(&json).unwrap(),
                schedule
            );
        }
    }

    #[test]
    fn round_up_to_a_power_of_ten_matches_the_division() {
        let by_division = |v: Decimal, q: Decimal| ((v / q).ceil() * q).normalize();
        let values = [
            dec!(0.01091475),
            dec!(0.176),
            dec!(0.17),
            dec!(-0.0049),
            dec!(0),
            dec!(12.3456789012345678),
            dec!(0.00001),
            dec!(1.75),
        ];
        for quantum in [dec!(0.01), dec!(0.0001), dec!(0.00001), dec!(1)] {
            for v in values {
                let fast = round_up(v, quantum);
                let slow = by_division(v, quantum);
                assert_eq!(fast, slow, "{v} to {quantum}");
                // Callers normalise; then the two read the same too.
                assert_eq!(
                    fast.normalize().to_string(),
                    slow.to_string(),
                    "{v} to {quantum}"
                );
            }
        }
        assert_eq!(round_up(dec!(0.17), dec!(0.05)), dec!(0.2));
        let p = dec!(0.2475);
        assert_eq!(
            power(p, Decimal::ONE).to_string(),
            rust_decimal::MathematicalOps::powi(&p, 1).to_string()
        );
    }
}
