//! Venue fee schedules and the exact fee of one order.
//!
//! A [`FeeModel`] answers "what does the venue charge for this one order, given the fills it
//! makes?" Rounding is per order, not per contract (Kalshi's fee accumulator makes a multi-fill
//! order converge to the fee of one fill), so the detector prices each leg as one order.

use chrono::{DateTime, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use rust_decimal_macros::dec;
use serde::{Deserialize, Serialize};

use crate::exact::{Exact, decimal_places_of};
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
/// The order's fee is the debit minus the fills' cost. See [`KalshiFees`] and [`PolymarketFees`]
/// for why each venue maps onto it as it does.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct FeeRule {
    /// Multiplies `(p × (1 − p))^exponent` to give the fee per contract.
    pub coefficient: Decimal,
    /// Exponent of `p × (1 − p)` (1 for Kalshi; the market's `e` for Polymarket).
    pub exponent: Decimal,
    /// Each fill's fee is rounded up to a multiple of this (zero: not rounded).
    pub fill_quantum: Decimal,
    /// The order's cash debit is rounded up to a multiple of this, if set.
    pub cash_quantum: Option<Decimal>,
}

impl FeeRule {
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
        self.exact_order_fee(fills)
            .unwrap_or_else(|| self.decimal_order_fee(fills))
    }

    /// [`FeeRule::order_fee`] in exact integer arithmetic, for exponent 1 (Kalshi and the usual
    /// Polymarket schedule) and power-of-ten quanta; `None` otherwise or when a value would
    /// outgrow `Decimal`. It computes exactly what the `Decimal` version does, several times
    /// faster (the detector re-checks every opportunity with it): every sum is kept as an integer
    /// count of one fixed power of ten, found from the fills' scales before adding anything.
    fn exact_order_fee(&self, fills: &[Level]) -> Option<Decimal> {
        if !is_plain_one(self.exponent) {
            return None;
        }
        let (c, c_scale) = (self.coefficient.mantissa(), self.coefficient.scale());
        let c = u64::try_from(c).ok()?;
        // `None`: fill fees are not rounded.
        let fill_places = match self.fill_quantum.is_zero() {
            true => None,
            false => Some(decimal_places_of(self.fill_quantum)?),
        };
        let cash_places = match self.cash_quantum {
            None => None,
            Some(quantum) => Some(decimal_places_of(quantum)?),
        };
        // The scales every sum is kept at: the largest a cost (price × qty) or a fee has.
        let (mut cost_scale, mut fee_scale) = (0, fill_places.unwrap_or(0));
        for fill in fills {
            let (sp, sq) = (fill.price.value().scale(), fill.qty.value().scale());
            cost_scale = cost_scale.max(sp + sq);
            if fill_places.is_none() {
                fee_scale = fee_scale.max(2 * sp + sq + c_scale);
            }
        }
        let mut trade_fees = 0u128;
        let mut cost = 0u128;
        for fill in fills {
            let (p, q) = (fill.price.value(), fill.qty.value());
            let (sp, sq) = (p.scale(), q.scale());
            let (p, q) = (
                u64::try_from(p.mantissa()).ok()?,
                u64::try_from(q.mantissa()).ok()?,
            );
            let notional = u128::from(q) * u128::from(p);
            // qty × c × p × (1 − p) at scale 2·sp + sq + c: the `Decimal` path multiplies the same
            // factors, whose partial products all divide this one, so this one fitting means
            // they all fit.
            let complement = pow10_u128(sp)?.checked_sub(u128::from(p))?;
            let fee = mul(mul(notional, u128::from(c))?, complement)?;
            let scale = 2 * sp + sq + c_scale;
            fits_decimal(fee, scale)?;
            let fee = match scale.checked_sub(fee_scale) {
                // More decimals than the fill quantum: rounded up to it.
                Some(extra) if extra > 0 => div_ceil(fee, pow10_u128(extra)?),
                _ => mul(fee, pow10_u128(fee_scale - scale)?)?,
            };
            trade_fees = trade_fees.checked_add(fee)?;
            if cash_places.is_some() {
                cost = cost.checked_add(mul(notional, pow10_u128(cost_scale - sp - sq)?)?)?;
            }
        }
        fits_decimal(trade_fees, fee_scale)?;
        let (fee, scale) = match cash_places {
            None => (trade_fees, fee_scale),
            Some(places) => {
                // The debit `cost + trade fees` rounded up to the cash quantum, less the cost.
                fits_decimal(cost, cost_scale)?;
                let scale = cost_scale.max(fee_scale);
                let cost = mul(cost, pow10_u128(scale - cost_scale)?)?;
                let debit = cost.checked_add(mul(trade_fees, pow10_u128(scale - fee_scale)?)?)?;
                fits_decimal(debit, scale)?;
                let debit = match scale.checked_sub(places) {
                    Some(extra) if extra > 0 => {
                        let quantum = pow10_u128(extra)?;
                        mul(div_ceil(debit, quantum), quantum)?
                    }
                    _ => debit,
                };
                (debit.checked_sub(cost)?, scale)
            }
        };
        Exact::new(i128::try_from(fee).ok()?, scale)?.to_normalized_decimal()
    }

    /// [`FeeRule::order_fee`] in `Decimal`: every schedule.
    fn decimal_order_fee(&self, fills: &[Level]) -> Decimal {
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

/// 10^n as a `u128`, if it fits.
fn pow10_u128(n: u32) -> Option<u128> {
    crate::exact::pow10(n).map(i128::unsigned_abs)
}

/// `a × b`, if it fits: one widening 64 × 64-bit multiplication when both fit in 64 bits (the
/// usual case), the overflow-checked 128-bit one otherwise.
fn mul(a: u128, b: u128) -> Option<u128> {
    match (u64::try_from(a), u64::try_from(b)) {
        (Ok(a), Ok(b)) => Some(u128::from(a) * u128::from(b)),
        _ => a.checked_mul(b),
    }
}

/// `⌈a / b⌉` for `b > 0`, in one 64-bit division when both fit.
fn div_ceil(a: u128, b: u128) -> u128 {
    match (u64::try_from(a), u64::try_from(b)) {
        (Ok(a), Ok(b)) => u128::from(a.div_ceil(b)),
        _ => a.div_ceil(b),
    }
}

/// `Some(())` when `Decimal` holds `mantissa × 10^-scale` exactly (mantissa below 2⁹⁶, scale at
/// most 28): then the `Decimal` arithmetic that produced the same value did not round.
fn fits_decimal(mantissa: u128, scale: u32) -> Option<()> {
    (mantissa < 1 << 96 && scale <= 28).then_some(())
}

/// `value` rounded up to a multiple of `quantum` (unchanged when `quantum` is zero).
fn round_up(value: Decimal, quantum: Decimal) -> Decimal {
    if quantum <= Decimal::ZERO {
        return value;
    }
    if quantum.mantissa() == 1 {
        // A power of ten (every venue quantum): the same value without a division.
        return value.round_dp_with_strategy(quantum.scale(), RoundingStrategy::ToPositiveInfinity);
    }
    (value / quantum).ceil() * quantum
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
        let rule = match self {
            Self::Free => FeeRule::FREE,
            Self::Kalshi(k) => k.rule(liquidity),
            Self::Polymarket(p) => p.rule(liquidity),
        };
        rule.order_fee(fills)
    }

    fn rule(&self, liquidity: Liquidity) -> Option<FeeRule> {
        Some(match self {
            Self::Free => FeeRule::FREE,
            Self::Kalshi(k) => k.rule(liquidity),
            Self::Polymarket(p) => p.rule(liquidity),
        })
    }
}

/// Kalshi: `fee = rate × C × P × (1 − P)` per fill, where `rate` is 0.07 × the series'
/// `fee_multiplier` for takers, and the maker rate is 0.25 × (or, on combo-maker series, 0.5 ×)
/// the taker rate on series that charge makers, else zero.
///
/// # Rounding (what we implement, and why)
///
/// Kalshi's fee-rounding rules (`docs.kalshi.com/getting_started/fee_rounding`, kalshi.md §5):
/// each fill's trade fee is rounded **up** to $0.0001; the balance change `−cost − trade fee` is
/// floored to the account's precision ($0.01 for non-direct members), the difference being a
/// "rounding fee"; and a per-order accumulator rebates whole cents of accumulated rounding, so an
/// order's total debit converges to that of one equivalent fill. We therefore charge one order
/// `ceil_to_cent(Σ cost + Σ ceil_to_0.0001(fill fee)) − Σ cost`: the rounding fee includes the
/// sub-cent part of the *cost* (sub-penny prices, fractional contracts), which a fee-only
/// rounding would miss. Direct members (precision $0.0001) pay at most this, so it never
/// under-states their cost.
///
/// Two things the venue does not tell us before the fact, and how they err: a book level may
/// fill against several resting orders (one $0.0001 round-up each) — we price a level as one
/// fill, off by at most $0.0001 per extra fill before the cent rounding absorbs it; and the
/// accumulator rebates only once the accumulated rounding *exceeds* $0.01, so in the rare case it
/// ends exactly at $0.01 the venue keeps one more cent than `ceil_to_cent`.
///
/// Worked example (the docs' "buy 3 contracts at $0.055 in three 1-lot fills", with the 0.07
/// formula): each fill's fee is 0.07 × 0.055 × 0.945 = 0.00363825 → $0.0037; cost $0.165;
/// debit ceil_to_cent(0.165 + 3 × 0.0037) = $0.18, so the fee is $0.015 — exactly what one
/// 3-lot fill costs (fee 0.01091475 → $0.0110, debit ceil_to_cent(0.176) = $0.18).
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
    /// Kalshi's trade-fee rounding: up to $0.0001 per fill.
    pub const FILL_QUANTUM: Decimal = dec!(0.0001);
    /// A non-direct member's balance precision: $0.01.
    pub const CASH_QUANTUM: Decimal = dec!(0.01);

    /// The standard schedule: taker 0.07 × `multiplier`, no maker fee.
    #[must_use]
    pub fn quadratic(multiplier: Decimal) -> Self {
        Self {
            taker_rate: dec!(0.07) * multiplier,
            maker_rate: Decimal::ZERO,
            waived_until: None,
        }
    }

    /// The rule one order with this liquidity is charged by.
    #[must_use]
    pub fn rule(&self, liquidity: Liquidity) -> FeeRule {
        FeeRule {
            coefficient: match liquidity {
                Liquidity::Taker => self.taker_rate,
                Liquidity::Maker => self.maker_rate,
            },
            exponent: Decimal::ONE,
            fill_quantum: Self::FILL_QUANTUM,
            cash_quantum: Some(Self::CASH_QUANTUM),
        }
    }
}

/// Polymarket CLOB V2: taker fee `shares × rate × (p × (1 − p))^exponent`; makers pay nothing
/// when `taker_only` (the only published case); zero when fees are disabled (`rate` 0).
///
/// # Rounding
///
/// Each fill's fee is rounded **up** to 5 decimals ($0.00001). The venue's own rounding is not
/// published (NautilusTrader floors to 5 decimals, polymarket.md §9); rounding up can only
/// over-state our cost by < $0.00001 per fill, never under-state it, so a reported profit is
/// always real. Collateral (pUSD) has 6 decimals and the SDKs truncate a BUY's amount in the
/// buyer's favour, so no cash rounding is charged.
///
/// Worked example (the production schedule `fd {r: 0.03, e: 1, to: true}` of
/// `polymarket-samples/clob_market_info.json`): 100 shares at $0.50 pay
/// 100 × 0.03 × 0.25 = $0.75; 7 shares at $0.333 pay 7 × 0.03 × 0.222111 = 0.04664331 → $0.04665.
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
    /// Our rounding of each fill's fee: up to $0.00001.
    pub const FILL_QUANTUM: Decimal = dec!(0.00001);

    /// The fee the venue charged for one fill, for the books: the formula floored to $0.00001,
    /// as the venue-faithful servers and NautilusTrader do (the venue's trades carry no fee
    /// amount, and their `fee_rate_bps` may read 0 while a fee was taken). Detection keeps
    /// rounding up ([`PolymarketFees::rule`]), so the profit it promises is never more than
    /// what is booked.
    #[must_use]
    pub fn charged(&self, fill: Level, liquidity: Liquidity) -> Decimal {
        let rule = self.rule(liquidity);
        (fill.qty.value() * rule.unit_fee(fill.price))
            .round_dp_with_strategy(5, RoundingStrategy::ToZero)
            .normalize()
    }

    /// The rule one order with this liquidity is charged by.
    #[must_use]
    pub fn rule(&self, liquidity: Liquidity) -> FeeRule {
        let free = liquidity == Liquidity::Maker && self.taker_only;
        FeeRule {
            coefficient: if free { Decimal::ZERO } else { self.rate },
            exponent: self.exponent,
            fill_quantum: Self::FILL_QUANTUM,
            cash_quantum: None,
        }
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
    use super::*;
    use crate::model::{Price, Qty};

    fn fill(p: Decimal, q: Decimal) -> Level {
        Level::new(Price::new(p).unwrap(), Qty::new(q).unwrap())
    }

    proptest::proptest! {
        /// The exact fast path computes what the `Decimal` version does, whenever it applies.
        #[test]
        fn exact_order_fee_matches_the_decimal_one(
            fills in proptest::collection::vec((1i64..10_000, 0u32..=4, 1i64..1_000_000, 0u32..=6), 1..8),
            coefficient in 0i64..2_000,
            coefficient_scale in 2u32..=5,
            fill_scale in 0u32..=6,
            cash in proptest::option::of(0u32..=4),
        ) {
            // Venue-sized inputs (4-decimal prices, under 100,000 contracts) always take the fast
            // path; extreme ones may fall back, but never disagree.
            let venue_sized = fills.iter().all(|&(_, ps, q, _)| ps == 0 && q < 100_000);
            let fills: Vec<Level> = fills
                .iter()
                .map(|&(p, ps, q, qs)| {
                    let price = (Decimal::new(p, 4) * Decimal::new(1, ps)).min(Decimal::ONE);
                    fill(price.round_dp(8), Decimal::new(q, qs))
                })
                .collect();
            let rule = FeeRule {
                coefficient: Decimal::new(coefficient, coefficient_scale),
                exponent: Decimal::ONE,
                fill_quantum: if fill_scale == 0 { Decimal::ZERO } else { Decimal::new(1, fill_scale) },
                cash_quantum: cash.map(|s| Decimal::new(1, s)),
            };
            let exact = rule.exact_order_fee(&fills);
            proptest::prop_assert!(exact.is_some() || !venue_sized);
            if let Some(exact) = exact {
                proptest::prop_assert_eq!(exact.to_string(), rule.decimal_order_fee(&fills).normalize().to_string());
            }
        }
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

    #[test]
    fn kalshi_docs_example_three_one_lot_fills_cost_one_three_lot_fill() {
        // Buy 3 at $0.055: fills of 1 pay 0.00363825 → $0.0037 each; debit ceil¢(0.165 + 0.0111)
        // = $0.18, fee $0.015. One fill of 3 pays 0.01091475 → $0.0110; ceil¢(0.176) = $0.18.
        let k = FeeSchedule::Kalshi(KalshiFees::quadratic(Decimal::ONE));
        let one = fill(dec!(0.055), dec!(1));
        assert_eq!(k.order_fee(&[one, one, one], Liquidity::Taker), dec!(0.015));
        assert_eq!(
            k.order_fee(&[fill(dec!(0.055), dec!(3))], Liquidity::Taker),
            dec!(0.015)
        );
    }

    #[test]
    fn kalshi_cash_rounding_covers_fractional_cost() {
        // 0.5 contracts at 0.45: cost 0.225, trade fee 0.0086625 → 0.0087, debit ceil¢(0.2337)
        // = $0.24: the fee charged is $0.015, not ceil¢(0.0087) = $0.01.
        let k = FeeSchedule::Kalshi(KalshiFees::quadratic(Decimal::ONE));
        assert_eq!(
            k.order_fee(&[fill(dec!(0.45), dec!(0.5))], Liquidity::Taker),
            dec!(0.015)
        );
        let rule = k.rule(Liquidity::Taker).unwrap();
        assert_eq!(rule.cash_quantum, Some(dec!(0.01)));
        assert_eq!(
            rule.unit_fee(Price::new(dec!(0.45)).unwrap()),
            dec!(0.017325)
        );
    }

    #[test]
    fn polymarket_rounds_each_fill_up_to_five_decimals() {
        // Production schedule r 0.03, e 1: 7 × 0.03 × 0.333 × 0.667 = 0.04664331 → 0.04665.
        let p = FeeSchedule::Polymarket(PolymarketFees {
            rate: dec!(0.03),
            exponent: Decimal::ONE,
            taker_only: true,
        });
        assert_eq!(
            p.order_fee(&[fill(dec!(0.333), dec!(7))], Liquidity::Taker),
            dec!(0.04665)
        );
        assert_eq!(p.rule(Liquidity::Maker).unwrap().coefficient, Decimal::ZERO);
    }

    #[test]
    fn polymarket_books_the_fee_floored_as_the_venue_charges_it() {
        let p = PolymarketFees {
            rate: dec!(0.03),
            exponent: Decimal::ONE,
            taker_only: true,
        };
        assert_eq!(
            p.charged(fill(dec!(0.333), dec!(7)), Liquidity::Taker),
            dec!(0.04664)
        );
        // The fed-arb fill on the venue-faithful server: 100 at 0.55 paid $0.7425.
        assert_eq!(
            p.charged(fill(dec!(0.55), dec!(100)), Liquidity::Taker),
            dec!(0.7425)
        );
        assert_eq!(
            p.charged(fill(dec!(0.55), dec!(100)), Liquidity::Maker),
            Decimal::ZERO
        );
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
