//! Kalshi's fee schedule, as the [`FeeSchedule`] data the core evaluates.

use arb_core::Decimal;
use arb_core::fees::{FeeRule, FeeSchedule};
use arb_core::model::Liquidity;
use chrono::{DateTime, Utc};

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
#[derive(Clone, PartialEq, Eq, Debug)]
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
    pub const FILL_QUANTUM: Decimal = Decimal::from_parts(1, 0, 0, false, 4);
    /// A non-direct member's balance precision: $0.01.
    pub const CASH_QUANTUM: Decimal = Decimal::from_parts(1, 0, 0, false, 2);

    /// The standard schedule: taker 0.07 × `multiplier`, no maker fee.
    #[must_use]
    pub fn quadratic(multiplier: Decimal) -> Self {
        Self {
            taker_rate: crate::convert::BASE_FEE_RATE * multiplier,
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

    /// The schedule as the market's [`FeeSchedule`].
    #[must_use]
    pub fn schedule(&self) -> FeeSchedule {
        FeeSchedule {
            taker: self.rule(Liquidity::Taker),
            maker: self.rule(Liquidity::Maker),
            waived_until: self.waived_until,
        }
    }
}

impl From<KalshiFees> for FeeSchedule {
    fn from(fees: KalshiFees) -> Self {
        fees.schedule()
    }
}

#[cfg(test)]
mod tests {
    use arb_core::fees::FeeModel;
    use arb_core::model::{Level, Price, Qty};
    use rust_decimal_macros::dec;

    use super::*;

    fn fill(p: Decimal, q: Decimal) -> Level {
        Level::new(Price::new(p).unwrap(), Qty::new(q).unwrap())
    }

    #[test]
    fn kalshi_rounds_up_per_order_to_the_cent() {
        let k = KalshiFees::quadratic(Decimal::ONE).schedule();
        // 0.07 × 1 × 0.45 × 0.55 = 0.017325 → 0.0174 per fill → $0.02 for the order.
        assert_eq!(
            k.order_fee(&[fill(dec!(0.45), dec!(1))], Liquidity::Taker),
            dec!(0.02)
        );
        // The docs' example: three 1-lot fills at $0.055 pay what one 3-lot fill does, $0.015.
        let one = fill(dec!(0.055), dec!(1));
        assert_eq!(k.order_fee(&[one, one, one], Liquidity::Taker), dec!(0.015));
        assert_eq!(
            k.order_fee(&[fill(dec!(0.45), dec!(1))], Liquidity::Maker),
            Decimal::ZERO
        );
    }

    #[test]
    fn maker_fees_and_waivers_carry_into_the_schedule() {
        let until = DateTime::<Utc>::from_timestamp(1_000, 0).unwrap();
        let k = KalshiFees {
            taker_rate: dec!(0.07),
            maker_rate: dec!(0.0175),
            waived_until: Some(until),
        };
        let schedule = FeeSchedule::from(k);
        // 0.0175 × 100 × 0.5 × 0.5 = 0.4375 → $0.44.
        assert_eq!(
            schedule.order_fee(&[fill(dec!(0.5), dec!(100))], Liquidity::Maker),
            dec!(0.44)
        );
        let before = DateTime::<Utc>::from_timestamp(999, 0).unwrap();
        assert_eq!(schedule.effective_at(before), FeeSchedule::FREE);
        assert_eq!(schedule.effective_at(until), schedule);
    }
}
