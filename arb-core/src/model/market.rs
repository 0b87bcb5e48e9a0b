//! Markets: one binary question on one venue, with everything needed to trade and to judge equivalence.

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{MarketKey, ModelError, Outcome, Price, PriceGrid, Qty, Rounding};
use crate::fees::FeeSchedule;

/// SHA-256 (lower-case hex) of `text`: the hash [`Market::rules_hash`] stores with a pair and
/// the semantic verifier caches its verdicts under.
#[must_use]
pub fn sha256_hex(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where a market is in its life.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state", content = "result")]
pub enum MarketStatus {
    /// Listed but not open yet.
    Upcoming,
    /// Accepting orders.
    Open,
    /// Temporarily not accepting orders.
    Paused,
    /// Past its close, result not final.
    Closed,
    /// Result final: contracts of this outcome pay $1.
    Settled(Outcome),
    /// Voided / cancelled without a YES or NO result (settles at a venue-defined price).
    Voided,
}

impl MarketStatus {
    /// Whether orders can be placed.
    #[must_use]
    pub const fn is_tradable(self) -> bool {
        matches!(self, Self::Open)
    }
}

/// Venue-specific data that travels with a market (Polymarket token ids, Kalshi event ticker…),
/// stored as JSON and read back through a typed [`MarketExtension`].
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MarketExt(serde_json::Map<String, serde_json::Value>);

/// A typed piece of venue data kept in [`MarketExt`] under a fixed key.
pub trait MarketExtension: Serialize + DeserializeOwned {
    /// The key it is stored under (e.g. `"polymarket"`).
    const KEY: &'static str;
}

impl MarketExt {
    /// Stores `value` under its key, replacing any previous one.
    pub fn insert<T: MarketExtension>(&mut self, value: &T) -> Result<(), ModelError> {
        let json = serde_json::to_value(value).map_err(|e| ModelError::Extension {
            key: T::KEY,
            message: e.to_string(),
        })?;
        self.0.insert(T::KEY.to_owned(), json);
        Ok(())
    }

    /// Reads the value stored under `T`'s key, if any.
    pub fn get<T: MarketExtension>(&self) -> Result<Option<T>, ModelError> {
        self.0
            .get(T::KEY)
            .map(|v| {
                serde_json::from_value(v.clone()).map_err(|e| ModelError::Extension {
                    key: T::KEY,
                    message: e.to_string(),
                })
            })
            .transpose()
    }
}

/// One binary market on one venue.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Market {
    /// Venue and id.
    pub key: MarketKey,
    /// The question (Kalshi event title; Polymarket question).
    pub title: String,
    /// What YES means when the title alone does not say (Kalshi `yes_sub_title`, a Polymarket outcome label).
    pub subtitle: String,
    /// The full resolution rules.
    pub rules: String,
    /// Who or what decides the result, when the venue says.
    pub resolution_source: Option<String>,
    /// When trading stops.
    pub close_time: DateTime<Utc>,
    /// Lifecycle state.
    pub status: MarketStatus,
    /// Valid order prices.
    pub price_grid: PriceGrid,
    /// Order quantities must be multiples of this (Kalshi 0.01 contracts, Polymarket 0.01 shares).
    pub size_step: Qty,
    /// Smallest order the venue accepts, in contracts.
    pub min_order_qty: Qty,
    /// The venue's fee schedule for this market.
    pub fees: FeeSchedule,
    /// Venue-specific data.
    pub ext: MarketExt,
}

impl Market {
    /// SHA-256 (hex) of the rules text, stored with an approved pair so a rules change is noticed.
    #[must_use]
    pub fn rules_hash(&self) -> String {
        sha256_hex(&self.rules)
    }

    /// Checks an order price and quantity against the grid, size step and minimum.
    pub fn validate_order(&self, price: Price, qty: Qty) -> Result<(), ModelError> {
        if !self.price_grid.contains(price) {
            return Err(ModelError::OffGrid {
                price: price.value(),
            });
        }
        self.validate_qty(qty)
    }

    /// Checks an order quantity against the size step and minimum (for a price that is on the
    /// grid by construction, such as one [`Market::snap_price`] returned).
    pub fn validate_qty(&self, qty: Qty) -> Result<(), ModelError> {
        let (step, min) = (self.size_step.value(), self.min_order_qty.value());
        if !super::price::is_multiple(qty.value(), step) {
            return Err(ModelError::OffSizeStep {
                qty: qty.value(),
                step,
            });
        }
        if qty.value() < min {
            return Err(ModelError::BelowMinimum {
                qty: qty.value(),
                min,
            });
        }
        Ok(())
    }

    /// The grid price nearest to `price` in the given direction.
    #[must_use]
    pub fn snap_price(&self, price: Price, rounding: Rounding) -> Option<Price> {
        self.price_grid.snap(price, rounding)
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct Tokens {
        yes: String,
        no: String,
    }

    impl MarketExtension for Tokens {
        const KEY: &'static str = "tokens";
    }

    fn sample() -> Market {
        Market {
            key: MarketKey::new("sim", "M1"),
            title: "Will it rain?".into(),
            subtitle: "Yes".into(),
            rules: "Resolves YES if it rains.".into(),
            resolution_source: None,
            close_time: DateTime::UNIX_EPOCH,
            status: MarketStatus::Open,
            price_grid: PriceGrid::uniform(dec!(0.01)).unwrap(),
            size_step: Qty::new(dec!(0.01)).unwrap(),
            min_order_qty: Qty::new(dec!(1)).unwrap(),
            fees: FeeSchedule::FREE,
            ext: MarketExt::default(),
        }
    }

    #[test]
    fn extensions_round_trip_typed() {
        let mut m = sample();
        assert_eq!(m.ext.get::<Tokens>().unwrap(), None);
        let t = Tokens {
            yes: "1".into(),
            no: "2".into(),
        };
        m.ext.insert(&t).unwrap();
        let json = serde_json::to_string(&m).unwrap();
        let back: Market = serde_json::from_str(&json).unwrap();
        assert_eq!(back.ext.get::<Tokens>().unwrap(), Some(t));
    }

    #[test]
    fn order_validation_names_the_problem() {
        let m = sample();
        let p = |d| Price::new(d).unwrap();
        let q = |d| Qty::new(d).unwrap();
        assert!(m.validate_order(p(dec!(0.45)), q(dec!(2.5))).is_ok());
        assert!(matches!(
            m.validate_order(p(dec!(0.455)), q(dec!(2))),
            Err(ModelError::OffGrid { .. })
        ));
        assert!(matches!(
            m.validate_order(p(dec!(0.45)), q(dec!(2.555))),
            Err(ModelError::OffSizeStep { .. })
        ));
        assert!(matches!(
            m.validate_order(p(dec!(0.45)), q(dec!(0.5))),
            Err(ModelError::BelowMinimum { .. })
        ));
    }

    #[test]
    fn rules_hash_changes_with_rules() {
        let mut m = sample();
        let h = m.rules_hash();
        assert_eq!(h.len(), 64);
        m.rules.push('!');
        assert_ne!(h, m.rules_hash());
    }
}
