//! Polymarket's fee schedule, as the [`FeeSchedule`] data the core evaluates, and the fee the
//! venue books for a fill.

use arb_core::Decimal;
use arb_core::fees::{FeeRule, FeeSchedule};
use arb_core::model::{Level, Liquidity};
use rust_decimal::RoundingStrategy;

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
#[derive(Clone, PartialEq, Eq, Debug)]
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
    pub const FILL_QUANTUM: Decimal = Decimal::from_parts(1, 0, 0, false, 5);

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

    /// The schedule as the market's [`FeeSchedule`].
    #[must_use]
    pub fn schedule(&self) -> FeeSchedule {
        FeeSchedule {
            taker: self.rule(Liquidity::Taker),
            maker: self.rule(Liquidity::Maker),
            waived_until: None,
        }
    }
}

impl From<PolymarketFees> for FeeSchedule {
    fn from(fees: PolymarketFees) -> Self {
        fees.schedule()
    }
}

/// The fee the venue charged for one fill under `schedule`, for the books: the formula floored
/// to $0.00001, as the venue-faithful servers and NautilusTrader do (the venue's trades carry no
/// fee amount, and their `fee_rate_bps` may read 0 while a fee was taken). Detection keeps
/// rounding up ([`PolymarketFees::rule`]), so the profit it promises is never more than what is
/// booked.
#[must_use]
pub fn charged(schedule: &FeeSchedule, fill: Level, liquidity: Liquidity) -> Decimal {
    (fill.qty.value() * schedule.rule_for(liquidity).unit_fee(fill.price))
        .round_dp_with_strategy(5, RoundingStrategy::ToZero)
        .normalize()
}

#[cfg(test)]
mod tests {
    use arb_core::fees::FeeModel;
    use arb_core::model::{Price, Qty};
    use rust_decimal_macros::dec;

    use super::*;

    fn fill(p: Decimal, q: Decimal) -> Level {
        Level::new(Price::new(p).unwrap(), Qty::new(q).unwrap())
    }

    fn production() -> FeeSchedule {
        PolymarketFees {
            rate: dec!(0.03),
            exponent: Decimal::ONE,
            taker_only: true,
        }
        .schedule()
    }

    #[test]
    fn polymarket_rounds_each_fill_up_to_five_decimals() {
        // Production schedule r 0.03, e 1: 7 × 0.03 × 0.333 × 0.667 = 0.04664331 → 0.04665.
        let p = production();
        assert_eq!(
            p.order_fee(&[fill(dec!(0.333), dec!(7))], Liquidity::Taker),
            dec!(0.04665)
        );
        assert_eq!(p.rule(Liquidity::Maker).unwrap().coefficient, Decimal::ZERO);
    }

    #[test]
    fn polymarket_books_the_fee_floored_as_the_venue_charges_it() {
        let p = production();
        assert_eq!(
            charged(&p, fill(dec!(0.333), dec!(7)), Liquidity::Taker),
            dec!(0.04664)
        );
        // The fed-arb fill on the venue-faithful server: 100 at 0.55 paid $0.7425.
        assert_eq!(
            charged(&p, fill(dec!(0.55), dec!(100)), Liquidity::Taker),
            dec!(0.7425)
        );
        assert_eq!(
            charged(&p, fill(dec!(0.55), dec!(100)), Liquidity::Maker),
            Decimal::ZERO
        );
        assert_eq!(
            charged(
                &FeeSchedule::FREE,
                fill(dec!(0.55), dec!(100)),
                Liquidity::Taker
            ),
            Decimal::ZERO
        );
    }

    #[test]
    fn makers_pay_unless_taker_only() {
        let both = PolymarketFees {
            rate: dec!(0.25),
            exponent: dec!(2),
            taker_only: false,
        }
        .schedule();
        // 10 × 0.25 × 0.0625 = 0.15625, for makers too.
        assert_eq!(
            both.order_fee(&[fill(dec!(0.5), dec!(10))], Liquidity::Maker),
            dec!(0.15625)
        );
    }
}
