//! Prices (probabilities in [0, 1]), quantities (contracts, fractional allowed) and price grids.

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::ModelError;
use crate::fixed::units;

/// A price in dollars per contract paying $1, i.e. a probability in [0, 1].
///
/// Always valid: construction checks the bounds. Venue units (cents, 6-decimal token amounts)
/// never reach this type; adapters convert at the edge.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(try_from = "Decimal", into = "Decimal")]
pub struct Price(Decimal);

impl Price {
    /// Zero.
    pub const ZERO: Self = Self(Decimal::ZERO);
    /// One dollar, the payout of a winning contract.
    pub const ONE: Self = Self(Decimal::ONE);

    /// A price, if `value` lies in [0, 1].
    pub fn new(value: Decimal) -> Result<Self, ModelError> {
        if value < Decimal::ZERO || value > Decimal::ONE {
            return Err(ModelError::PriceOutOfRange(value));
        }
        Ok(Self(value.normalize()))
    }

    /// The price as a decimal.
    #[must_use]
    pub const fn value(self) -> Decimal {
        self.0
    }

    /// `1 − p`: the price of the opposite outcome (a NO bid at p is a YES ask at 1 − p).
    #[must_use]
    pub fn complement(self) -> Self {
        Self(Decimal::ONE - self.0)
    }

    /// Rounds to a multiple of `tick` in the given direction, staying inside [0, 1].
    pub fn round_to_tick(self, tick: Decimal, rounding: Rounding) -> Result<Self, ModelError> {
        Self::new(round_to_step(self.0, tick, rounding)?)
    }

    /// Whether the price is an exact multiple of `tick`.
    #[must_use]
    pub fn is_multiple_of(self, tick: Decimal) -> bool {
        tick > Decimal::ZERO && is_multiple(self.0, tick)
    }
}

/// Whether `value` is an exact multiple of `step` (≠ 0). In 64-bit integers for every price and
/// size a venue publishes (`fixed::units`); `Decimal`'s remainder otherwise. Grid and size checks
/// run on every detected opportunity, so this avoids the general division.
#[must_use]
pub(crate) fn is_multiple(value: Decimal, step: Decimal) -> bool {
    if step.is_zero() {
        return false;
    }
    match (units(value), units(step)) {
        // Wrapping: `i64::MIN % -1` is 0, not an overflow.
        (Some(v), Some(step)) => v.wrapping_rem(step) == 0,
        _ => (value % step).is_zero(),
    }
}

impl TryFrom<Decimal> for Price {
    type Error = ModelError;
    fn try_from(value: Decimal) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<Price> for Decimal {
    fn from(value: Price) -> Self {
        value.0
    }
}

impl FromStr for Price {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let value =
            Decimal::from_str(s.trim()).map_err(|_| ModelError::PriceOutOfRange(Decimal::MAX))?;
        Self::new(value)
    }
}

impl fmt::Display for Price {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for Price {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "${}", self.0)
    }
}

/// A number of contracts (or shares). Fractional quantities are allowed; never negative.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(try_from = "Decimal", into = "Decimal")]
pub struct Qty(Decimal);

impl Qty {
    /// No contracts.
    pub const ZERO: Self = Self(Decimal::ZERO);

    /// A quantity, if `value` is not negative.
    pub fn new(value: Decimal) -> Result<Self, ModelError> {
        if value < Decimal::ZERO {
            return Err(ModelError::NegativeQty(value));
        }
        Ok(Self(value.normalize()))
    }

    /// The quantity as a decimal.
    #[must_use]
    pub const fn value(self) -> Decimal {
        self.0
    }

    /// Whether this is zero.
    #[must_use]
    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    /// `self − other`, floored at zero.
    #[must_use]
    pub fn saturating_sub(self, other: Self) -> Self {
        Self((self.0 - other.0).max(Decimal::ZERO))
    }

    /// `|self − other|`.
    #[must_use]
    pub fn abs_diff(self, other: Self) -> Self {
        Self((self.0 - other.0).abs())
    }

    /// Rounds down to a multiple of `step` (never rounds up: a venue cannot fill more than asked).
    pub fn floor_to_step(self, step: Decimal) -> Result<Self, ModelError> {
        Self::new(round_to_step(self.0, step, Rounding::Down)?)
    }

    /// Notional value in dollars of this quantity at `price`.
    #[must_use]
    pub fn notional(self, price: Price) -> Decimal {
        self.0 * price.value()
    }
}

impl std::ops::Add for Qty {
    type Output = Self;
    fn add(self, rhs: Self) -> Self {
        Self(self.0 + rhs.0)
    }
}

impl std::ops::AddAssign for Qty {
    fn add_assign(&mut self, rhs: Self) {
        self.0 += rhs.0;
    }
}

impl TryFrom<Decimal> for Qty {
    type Error = ModelError;
    fn try_from(value: Decimal) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<Qty> for Decimal {
    fn from(value: Qty) -> Self {
        value.0
    }
}

impl fmt::Display for Qty {
    /// Without trailing zeros (`230`, not `230.00`), whatever arithmetic produced it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.normalize(), f)
    }
}

impl fmt::Debug for Qty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}x", self.0)
    }
}

/// Direction for rounding to a grid.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Rounding {
    /// Towards zero / the lower grid point.
    Down,
    /// Towards the higher grid point.
    Up,
    /// To the nearest grid point, halves away from zero.
    Nearest,
}

/// Rounds `value` to a multiple of `step`.
pub fn round_to_step(
    value: Decimal,
    step: Decimal,
    rounding: Rounding,
) -> Result<Decimal, ModelError> {
    if step <= Decimal::ZERO {
        return Err(ModelError::NonPositiveStep(step));
    }
    let units = value / step;
    let whole = match rounding {
        Rounding::Down => units.floor(),
        Rounding::Up => units.ceil(),
        Rounding::Nearest => {
            units.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        }
    };
    Ok((whole * step).normalize())
}

/// One band of a price grid: prices in `[start, end]` move in steps of `step`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PriceBand {
    /// Lowest price of the band.
    pub start: Decimal,
    /// Highest price of the band.
    pub end: Decimal,
    /// Tick inside the band.
    pub step: Decimal,
}

/// Whether `p` lies on `band`, in `Decimal`: for grids or prices with more than 8 decimals,
/// which [`PriceGrid::contains`] cannot check in integer units.
fn band_contains(band: &PriceBand, p: Decimal) -> bool {
    p >= band.start && p <= band.end && is_multiple(p - band.start, band.step)
}

/// The prices a market accepts: one or more bands (Kalshi's `price_ranges`, a Polymarket tick size).
///
/// Orders must be placed on the grid; the detector snaps limit prices onto it. Deserialising
/// checks the bands as [`PriceGrid::from_bands`] does.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(try_from = "GridBands", into = "GridBands")]
pub struct PriceGrid {
    bands: Vec<PriceBand>,
    /// The bands in counts of 10⁻⁸ dollars (`fixed::units`), when every bound has at most 8
    /// decimals (every venue grid): [`PriceGrid::contains`] checks a price in a few integer
    /// operations.
    units: Option<Vec<UnitBand>>,
}

/// A [`PriceBand`] in counts of 10⁻⁸ dollars.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct UnitBand {
    start: i64,
    end: i64,
    step: i64,
}

/// A price grid as stored: its bands.
#[derive(Serialize, Deserialize)]
struct GridBands {
    bands: Vec<PriceBand>,
}

impl TryFrom<GridBands> for PriceGrid {
    type Error = ModelError;
    fn try_from(grid: GridBands) -> Result<Self, Self::Error> {
        Self::from_bands(grid.bands)
    }
}

impl From<PriceGrid> for GridBands {
    fn from(grid: PriceGrid) -> Self {
        Self { bands: grid.bands }
    }
}

impl PriceGrid {
    /// A single tick everywhere in `[tick, 1 − tick]` (Polymarket's rule: prices strictly inside (0, 1)).
    pub fn uniform(tick: Decimal) -> Result<Self, ModelError> {
        if tick <= Decimal::ZERO || tick >= Decimal::ONE {
            return Err(ModelError::NonPositiveStep(tick));
        }
        Self::from_bands(vec![PriceBand {
            start: tick,
            end: Decimal::ONE - tick,
            step: tick,
        }])
    }

    /// A grid from bands, which must lie in [0, 1], each with a positive step, sorted and not overlapping
    /// (touching ends are allowed, as in Kalshi's `price_ranges`).
    pub fn from_bands(mut bands: Vec<PriceBand>) -> Result<Self, ModelError> {
        if bands.is_empty() {
            return Err(ModelError::InvalidGrid("no bands".into()));
        }
        bands.sort_by_key(|b| b.start);
        for band in &bands {
            if band.step <= Decimal::ZERO {
                return Err(ModelError::NonPositiveStep(band.step));
            }
            if band.start < Decimal::ZERO || band.end > Decimal::ONE || band.start > band.end {
                return Err(ModelError::InvalidGrid(format!(
                    "band [{}, {}] is not inside [0, 1]",
                    band.start, band.end
                )));
            }
        }
        for pair in bands.windows(2) {
            if pair[1].start < pair[0].end {
                return Err(ModelError::InvalidGrid(format!(
                    "bands [{}, {}] and [{}, {}] overlap",
                    pair[0].start, pair[0].end, pair[1].start, pair[1].end
                )));
            }
        }
        let units = bands
            .iter()
            .map(|band| {
                Some(UnitBand {
                    start: units(band.start)?,
                    end: units(band.end)?,
                    step: units(band.step)?,
                })
            })
            .collect();
        Ok(Self { bands, units })
    }

    /// The bands, sorted by price.
    #[must_use]
    pub fn bands(&self) -> &[PriceBand] {
        &self.bands
    }

    /// Lowest valid price.
    #[must_use]
    pub fn min_price(&self) -> Decimal {
        self.bands[0].start
    }

    /// Highest valid price.
    #[must_use]
    pub fn max_price(&self) -> Decimal {
        self.bands[self.bands.len() - 1].end
    }

    /// Whether `price` is a valid order price on this grid.
    #[must_use]
    pub fn contains(&self, price: Price) -> bool {
        let p = price.value();
        if let (Some(units), Some(u)) = (&self.units, units(p)) {
            return units
                .iter()
                .any(|b| b.start <= u && u <= b.end && (u - b.start) % b.step == 0);
        }
        self.bands.iter().any(|b| band_contains(b, p))
    }

    /// The nearest valid grid price in the given direction, or `None` when there is none
    /// (e.g. rounding up above the highest valid price).
    #[must_use]
    pub fn snap(&self, price: Price, rounding: Rounding) -> Option<Price> {
        if self.contains(price) {
            return Some(price);
        }
        let p = price.value();
        let mut below: Option<Decimal> = None;
        let mut above: Option<Decimal> = None;
        for band in &self.bands {
            if p < band.start {
                above = Some(above.map_or(band.start, |a| a.min(band.start)));
                continue;
            }
            if p > band.end {
                below = Some(below.map_or(band.end, |b| b.max(band.end)));
                continue;
            }
            let offset = p - band.start;
            let down = band.start + (offset / band.step).floor() * band.step;
            let up = (band.start + (offset / band.step).ceil() * band.step).min(band.end);
            below = Some(below.map_or(down, |b| b.max(down)));
            above = Some(above.map_or(up, |a| a.min(up)));
        }
        let chosen = match rounding {
            Rounding::Down => below,
            Rounding::Up => above,
            Rounding::Nearest => match (below, above) {
                (Some(b), Some(a)) => Some(if p - b < a - p { b } else { a }),
                (b, a) => b.or(a),
            },
        }?;
        Price::new(chosen).ok()
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    #[test]
    fn is_multiple_agrees_with_the_decimal_remainder() {
        let values = [
            dec!(0.45),
            dec!(0.4500),
            dec!(0.455),
            dec!(0.0001),
            dec!(-0.02),
            dec!(12345678901234567890.12),
            dec!(0),
        ];
        let steps = [dec!(0.01), dec!(0.005), dec!(0.0001), dec!(0.03), dec!(1)];
        for v in values {
            for step in steps {
                assert_eq!(
                    is_multiple(v, step),
                    (v % step).is_zero(),
                    "{v} multiple of {step}"
                );
            }
        }
        assert!(!is_multiple(dec!(0.5), Decimal::ZERO));
    }

    #[test]
    fn price_rejects_values_outside_unit_interval() {
        assert!(Price::new(dec!(-0.01)).is_err());
        assert!(Price::new(dec!(1.0001)).is_err());
        assert_eq!(Price::new(dec!(1)).unwrap(), Price::ONE);
        assert_eq!(Price::new(dec!(0)).unwrap(), Price::ZERO);
        assert!("abc".parse::<Price>().is_err());
        assert_eq!("0.4500".parse::<Price>().unwrap().value(), dec!(0.45));
    }

    #[test]
    fn price_deserialisation_validates() {
        assert!(serde_json::from_str::<Price>("\"1.5\"").is_err());
        assert_eq!(
            serde_json::from_str::<Price>("\"0.25\"").unwrap().value(),
            dec!(0.25)
        );
    }

    #[test]
    fn complement_is_one_minus_price() {
        assert_eq!(
            Price::new(dec!(0.37)).unwrap().complement().value(),
            dec!(0.63)
        );
    }

    #[test]
    fn tick_rounding_goes_the_requested_way() {
        let p = Price::new(dec!(0.4567)).unwrap();
        assert_eq!(
            p.round_to_tick(dec!(0.01), Rounding::Down).unwrap().value(),
            dec!(0.45)
        );
        assert_eq!(
            p.round_to_tick(dec!(0.01), Rounding::Up).unwrap().value(),
            dec!(0.46)
        );
        assert_eq!(
            p.round_to_tick(dec!(0.005), Rounding::Nearest)
                .unwrap()
                .value(),
            dec!(0.455)
        );
        assert!(p.round_to_tick(Decimal::ZERO, Rounding::Down).is_err());
        assert!(Price::new(dec!(0.455)).unwrap().is_multiple_of(dec!(0.005)));
        assert!(!Price::new(dec!(0.456)).unwrap().is_multiple_of(dec!(0.005)));
    }

    #[test]
    fn qty_is_never_negative_and_floors_to_step() {
        assert!(Qty::new(dec!(-1)).is_err());
        let q = Qty::new(dec!(10.567)).unwrap();
        assert_eq!(q.floor_to_step(dec!(0.01)).unwrap().value(), dec!(10.56));
        assert_eq!(q.saturating_sub(Qty::new(dec!(20)).unwrap()), Qty::ZERO);
        assert_eq!(q.notional(Price::new(dec!(0.5)).unwrap()), dec!(5.2835));
    }

    fn tapered() -> PriceGrid {
        // Kalshi `tapered_deci_cent`: 0.001 below 0.10 and above 0.90, 0.01 between.
        PriceGrid::from_bands(vec![
            PriceBand {
                start: dec!(0.001),
                end: dec!(0.1),
                step: dec!(0.001),
            },
            PriceBand {
                start: dec!(0.1),
                end: dec!(0.9),
                step: dec!(0.01),
            },
            PriceBand {
                start: dec!(0.9),
                end: dec!(0.999),
                step: dec!(0.001),
            },
        ])
        .unwrap()
    }

    #[test]
    fn grid_contains_only_band_ticks() {
        let grid = tapered();
        let p = |d| Price::new(d).unwrap();
        assert!(grid.contains(p(dec!(0.055))));
        assert!(grid.contains(p(dec!(0.45))));
        assert!(!grid.contains(p(dec!(0.455))));
        assert!(grid.contains(p(dec!(0.905))));
        assert!(!grid.contains(p(dec!(0))));
        assert!(!grid.contains(p(dec!(1))));
    }

    /// The integer check agrees with the `Decimal` one on every price of 4 decimals and on finer
    /// ones, for a tapered, a uniform and a sub-penny grid; a stored grid round-trips and is
    /// checked when read.
    #[test]
    fn the_integer_grid_check_matches_the_decimal_one() {
        let grids = [
            tapered(),
            PriceGrid::uniform(dec!(0.01)).unwrap(),
            PriceGrid::uniform(dec!(0.0001)).unwrap(),
        ];
        let prices = (0..=10_000).map(|i| Decimal::new(i, 4)).chain([
            dec!(0.123456789),
            dec!(0.450000001),
            dec!(0.45000000),
        ]);
        for grid in &grids {
            assert!(grid.units.is_some());
            for price in prices.clone() {
                let price = Price::new(price).unwrap();
                let by_decimal = grid.bands.iter().any(|b| band_contains(b, price.value()));
                assert_eq!(grid.contains(price), by_decimal, "{price}");
            }
            let json = serde_json::to_string(grid).unwrap();
            assert_eq!(&serde_json::from_str::<PriceGrid>(&json).unwrap(), grid);
        }
        let empty = r#"{"bands":[]}"#;
        assert!(serde_json::from_str::<PriceGrid>(empty).is_err());
    }

    #[test]
    fn grid_snaps_in_each_direction() {
        let grid = tapered();
        let p = |d| Price::new(d).unwrap();
        assert_eq!(
            grid.snap(p(dec!(0.455)), Rounding::Down),
            Some(p(dec!(0.45)))
        );
        assert_eq!(grid.snap(p(dec!(0.455)), Rounding::Up), Some(p(dec!(0.46))));
        assert_eq!(
            grid.snap(p(dec!(0.0555)), Rounding::Up),
            Some(p(dec!(0.056)))
        );
        assert_eq!(grid.snap(p(dec!(0.9995)), Rounding::Up), None);
        assert_eq!(
            grid.snap(p(dec!(0.9995)), Rounding::Down),
            Some(p(dec!(0.999)))
        );
        assert_eq!(grid.snap(p(dec!(0.0001)), Rounding::Down), None);
        assert_eq!(
            grid.snap(p(dec!(0.0001)), Rounding::Nearest),
            Some(p(dec!(0.001)))
        );
    }

    #[test]
    fn uniform_grid_excludes_zero_and_one() {
        let grid = PriceGrid::uniform(dec!(0.01)).unwrap();
        assert_eq!(grid.min_price(), dec!(0.01));
        assert_eq!(grid.max_price(), dec!(0.99));
        assert!(PriceGrid::uniform(dec!(0)).is_err());
        assert!(
            PriceGrid::from_bands(vec![
                PriceBand {
                    start: dec!(0.1),
                    end: dec!(0.6),
                    step: dec!(0.01)
                },
                PriceBand {
                    start: dec!(0.5),
                    end: dec!(0.9),
                    step: dec!(0.01)
                },
            ])
            .is_err()
        );
    }
}
