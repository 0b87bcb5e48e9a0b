//! Order amounts: price and size → the signed `makerAmount` / `takerAmount` (6-decimal fixed
//! point for both pUSD and outcome shares), exactly as the official clients' rounding table says.

use rust_decimal::{Decimal, RoundingStrategy};

use crate::error::PolymarketError;

/// One of the tick sizes the CLOB allows.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum TickSize {
    /// 0.1
    Tenth,
    /// 0.01
    Hundredth,
    /// 0.005
    HalfHundredth,
    /// 0.0025
    QuarterHundredth,
    /// 0.001
    Thousandth,
    /// 0.0001
    TenThousandth,
}

/// Decimal places used when rounding for one tick size (`ROUNDING_CONFIG` of the clients).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct RoundConfig {
    /// Decimals of the price.
    pub price: u32,
    /// Decimals of the size (shares, or pUSD for a market buy).
    pub size: u32,
    /// Decimals of the computed amount.
    pub amount: u32,
}

impl TickSize {
    /// Every tick size, smallest decimals first.
    pub const ALL: [Self; 6] = [
        Self::Tenth,
        Self::Hundredth,
        Self::HalfHundredth,
        Self::QuarterHundredth,
        Self::Thousandth,
        Self::TenThousandth,
    ];

    /// The tick size of a decimal, if the CLOB allows it.
    pub fn from_decimal(tick: Decimal) -> Result<Self, PolymarketError> {
        let tick_n = tick.normalize();
        Self::ALL
            .into_iter()
            .find(|t| t.as_decimal() == tick_n)
            .ok_or(PolymarketError::UnsupportedTick(tick))
    }

    /// The tick as a decimal.
    #[must_use]
    pub const fn as_decimal(self) -> Decimal {
        match self {
            Self::Tenth => Decimal::from_parts(1, 0, 0, false, 1),
            Self::Hundredth => Decimal::from_parts(1, 0, 0, false, 2),
            Self::HalfHundredth => Decimal::from_parts(5, 0, 0, false, 3),
            Self::QuarterHundredth => Decimal::from_parts(25, 0, 0, false, 4),
            Self::Thousandth => Decimal::from_parts(1, 0, 0, false, 3),
            Self::TenThousandth => Decimal::from_parts(1, 0, 0, false, 4),
        }
    }

    /// The rounding decimals for this tick (price, size, amount).
    #[must_use]
    pub const fn round_config(self) -> RoundConfig {
        let (price, amount) = match self {
            Self::Tenth => (1, 3),
            Self::Hundredth => (2, 4),
            Self::HalfHundredth | Self::Thousandth => (3, 5),
            Self::QuarterHundredth | Self::TenThousandth => (4, 6),
        };
        RoundConfig {
            price,
            size: 2,
            amount,
        }
    }

    /// Checks that `price` lies on this tick's grid within `[tick, 1 − tick]`.
    pub fn check_price(self, price: Decimal) -> Result<(), PolymarketError> {
        let tick = self.as_decimal();
        if price < tick || price > Decimal::ONE - tick || !(price % tick).is_zero() {
            return Err(PolymarketError::PriceOffGrid { price, tick });
        }
        Ok(())
    }
}

/// Buy or sell, as signed (`BUY` = 0, `SELL` = 1).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum OrderSide {
    /// Pay pUSD, receive shares.
    Buy,
    /// Pay shares, receive pUSD.
    Sell,
}

impl OrderSide {
    /// The wire name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Buy => "BUY",
            Self::Sell => "SELL",
        }
    }

    /// The signed `uint8`.
    #[must_use]
    pub const fn as_u8(self) -> u8 {
        match self {
            Self::Buy => 0,
            Self::Sell => 1,
        }
    }
}

/// Signed amounts in 6-decimal base units.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Amounts {
    /// What the maker gives (pUSD for a buy, shares for a sell), base units.
    pub maker: u64,
    /// What the maker receives, base units.
    pub taker: u64,
}

fn truncate(value: Decimal, dp: u32) -> Decimal {
    value.round_dp_with_strategy(dp, RoundingStrategy::ToZero)
}

/// Decimal → 6-decimal base units. `value` has at most 6 decimals by construction.
fn to_units(value: Decimal) -> Result<u64, PolymarketError> {
    let scaled =
        (value * Decimal::from(1_000_000u32)).round_dp_with_strategy(0, RoundingStrategy::ToZero);
    u64::try_from(scaled).map_err(|_| PolymarketError::AmountOverflow(value))
}

/// Amounts of a limit order of `size` shares at `price` (GTC/GTD, or FOK/FAK sells):
/// shares = size truncated to 2 decimals; pUSD = shares × price truncated to the tick's amount decimals.
pub fn limit_amounts(
    side: OrderSide,
    price: Decimal,
    size: Decimal,
    tick: TickSize,
) -> Result<Amounts, PolymarketError> {
    tick.check_price(price)?;
    let rc = tick.round_config();
    let shares = truncate(size, rc.size);
    if shares <= Decimal::ZERO {
        return Err(PolymarketError::NonPositiveSize(size));
    }
    let usd = truncate(shares * price, rc.amount);
    let (maker, taker) = match side {
        OrderSide::Buy => (usd, shares),
        OrderSide::Sell => (shares, usd),
    };
    Ok(Amounts {
        maker: to_units(maker)?,
        taker: to_units(taker)?,
    })
}

/// Amounts of a market order (FOK/FAK): for a buy, `amount` is pUSD to spend (truncated to
/// 2 decimals) and shares = pUSD / price truncated to the amount decimals; for a sell, `amount` is
/// shares and the math is the limit sell's. The price is truncated to the tick's price decimals.
pub fn market_amounts(
    side: OrderSide,
    price: Decimal,
    amount: Decimal,
    tick: TickSize,
) -> Result<Amounts, PolymarketError> {
    let rc = tick.round_config();
    let price = truncate(price, rc.price);
    tick.check_price(price)?;
    let base = truncate(amount, rc.size);
    if base <= Decimal::ZERO {
        return Err(PolymarketError::NonPositiveSize(amount));
    }
    let (maker, taker) = match side {
        OrderSide::Buy => (base, truncate(base / price, rc.amount)),
        OrderSide::Sell => (base, truncate(base * price, rc.amount)),
    };
    Ok(Amounts {
        maker: to_units(maker)?,
        taker: to_units(taker)?,
    })
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    fn lim(side: OrderSide, size: Decimal, price: Decimal, tick: Decimal) -> (u64, u64) {
        let a = limit_amounts(side, price, size, TickSize::from_decimal(tick).unwrap()).unwrap();
        (a.maker, a.taker)
    }

    fn mkt(side: OrderSide, amount: Decimal, price: Decimal, tick: Decimal) -> (u64, u64) {
        let a = market_amounts(side, price, amount, TickSize::from_decimal(tick).unwrap()).unwrap();
        (a.maker, a.taker)
    }

    use OrderSide::{Buy, Sell};

    /// Every `limit_amounts` row of polymarket-vectors/vectors_v1v2.out.json.
    #[test]
    fn limit_amount_vectors() {
        assert_eq!(
            lim(Buy, dec!(100), dec!(0.52), dec!(0.01)),
            (52_000_000, 100_000_000)
        );
        assert_eq!(
            lim(Sell, dec!(100), dec!(0.52), dec!(0.01)),
            (100_000_000, 52_000_000)
        );
        assert_eq!(
            lim(Buy, dec!(10.5), dec!(0.337), dec!(0.001)),
            (3_538_500, 10_500_000)
        );
        assert_eq!(
            lim(Sell, dec!(10.5), dec!(0.337), dec!(0.001)),
            (10_500_000, 3_538_500)
        );
        assert_eq!(
            lim(Buy, dec!(33.333), dec!(0.1), dec!(0.1)),
            (3_333_000, 33_330_000)
        );
        assert_eq!(
            lim(Buy, dec!(7.77), dec!(0.1234), dec!(0.0001)),
            (958_818, 7_770_000)
        );
        assert_eq!(
            lim(Sell, dec!(12.3456), dec!(0.9999), dec!(0.0001)),
            (12_340_000, 12_338_766)
        );
        assert_eq!(
            lim(Buy, dec!(5), dec!(0.005), dec!(0.005)),
            (25_000, 5_000_000)
        );
    }

    /// Every `market_amounts_v2` row of the vectors.
    #[test]
    fn market_amount_vectors() {
        assert_eq!(
            mkt(Buy, dec!(25), dec!(0.52), dec!(0.01)),
            (25_000_000, 48_076_900)
        );
        assert_eq!(
            mkt(Sell, dec!(40), dec!(0.48), dec!(0.01)),
            (40_000_000, 19_200_000)
        );
        assert_eq!(
            mkt(Buy, dec!(10), dec!(0.333), dec!(0.001)),
            (10_000_000, 30_030_030)
        );
    }

    /// The rounding table for every tick size: (price, size, amount) decimals, and one case per
    /// tick whose product needs exactly the amount decimals (and one more, which is truncated).
    #[test]
    fn rounding_table_for_every_tick() {
        let table = [
            (dec!(0.1), (1, 2, 3)),
            (dec!(0.01), (2, 2, 4)),
            (dec!(0.005), (3, 2, 5)),
            (dec!(0.0025), (4, 2, 6)),
            (dec!(0.001), (3, 2, 5)),
            (dec!(0.0001), (4, 2, 6)),
        ];
        for (tick, (p, s, a)) in table {
            let rc = TickSize::from_decimal(tick).unwrap().round_config();
            assert_eq!((rc.price, rc.size, rc.amount), (p, s, a), "tick {tick}");
        }
        // 0.1: 0.33 × 0.3 = 0.099 (3 dp).
        assert_eq!(
            lim(Buy, dec!(0.33), dec!(0.3), dec!(0.1)),
            (99_000, 330_000)
        );
        // 0.01: 1.23 × 0.07 = 0.0861.
        assert_eq!(
            lim(Buy, dec!(1.23), dec!(0.07), dec!(0.01)),
            (86_100, 1_230_000)
        );
        // 0.005: 1.23 × 0.015 = 0.01845 (5 dp).
        assert_eq!(
            lim(Buy, dec!(1.23), dec!(0.015), dec!(0.005)),
            (18_450, 1_230_000)
        );
        // 0.0025: 1.23 × 0.0175 = 0.021525 (6 dp).
        assert_eq!(
            lim(Sell, dec!(1.23), dec!(0.0175), dec!(0.0025)),
            (1_230_000, 21_525)
        );
        // 0.001: 1.11 × 0.999 = 1.10889 (5 dp).
        assert_eq!(
            lim(Buy, dec!(1.11), dec!(0.999), dec!(0.001)),
            (1_108_890, 1_110_000)
        );
        // 0.0001: 1.11 × 0.0001 = 0.000111.
        assert_eq!(
            lim(Buy, dec!(1.11), dec!(0.0001), dec!(0.0001)),
            (111, 1_110_000)
        );
        // Market buys truncate the share count to the amount decimals.
        assert_eq!(
            mkt(Buy, dec!(1), dec!(0.3), dec!(0.1)),
            (1_000_000, 3_333_000)
        );
        assert_eq!(
            mkt(Buy, dec!(1), dec!(0.03), dec!(0.01)),
            (1_000_000, 33_333_300)
        );
        assert_eq!(
            mkt(Buy, dec!(1), dec!(0.015), dec!(0.005)),
            (1_000_000, 66_666_660)
        );
        assert_eq!(
            mkt(Buy, dec!(1), dec!(0.0175), dec!(0.0025)),
            (1_000_000, 57_142_857)
        );
        assert_eq!(
            mkt(Buy, dec!(1), dec!(0.007), dec!(0.001)),
            (1_000_000, 142_857_140)
        );
        assert_eq!(
            mkt(Buy, dec!(1), dec!(0.0007), dec!(0.0001)),
            (1_000_000, 1_428_571_428)
        );
        // Sizes beyond 2 decimals are truncated, never rounded up.
        assert_eq!(
            lim(Buy, dec!(2.999), dec!(0.5), dec!(0.01)),
            (1_495_000, 2_990_000)
        );
    }

    #[test]
    fn prices_off_the_grid_or_outside_the_band_are_refused() {
        let t = TickSize::Hundredth;
        for bad in [dec!(0), dec!(1), dec!(0.005), dec!(0.995), dec!(0.525)] {
            assert!(
                matches!(
                    limit_amounts(Buy, bad, dec!(10), t),
                    Err(PolymarketError::PriceOffGrid { .. })
                ),
                "{bad}"
            );
        }
        assert!(limit_amounts(Buy, dec!(0.01), dec!(10), t).is_ok());
        assert!(limit_amounts(Buy, dec!(0.99), dec!(10), t).is_ok());
        assert!(matches!(
            TickSize::from_decimal(dec!(0.02)),
            Err(PolymarketError::UnsupportedTick(_))
        ));
        assert!(matches!(
            limit_amounts(Buy, dec!(0.5), dec!(0.001), t),
            Err(PolymarketError::NonPositiveSize(_))
        ));
    }
}
