//! A [`Market`] from only what matching reads (venue ids, title, subtitle, rules, close time),
//! with the trading fields defaulted: for tools and tests that match catalogues without
//! trading them.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::{Market, MarketExt, MarketKey, MarketStatus, ModelError, PriceGrid, Qty};
use crate::fees::FeeSchedule;

/// Builds a [`Market`]: see [`Market::builder`].
#[derive(Clone, Debug)]
#[must_use]
pub struct MarketBuilder {
    key: MarketKey,
    title: String,
    close_time: DateTime<Utc>,
    subtitle: String,
    rules: String,
    resolution_source: Option<String>,
    status: MarketStatus,
}

impl Market {
    /// A builder needing only what matching uses. Defaults: no subtitle, empty rules, no
    /// resolution source, open, a one-cent price grid, 0.01-contract size step, a one-contract
    /// minimum, no fees, no venue data.
    pub fn builder(
        key: MarketKey,
        title: impl Into<String>,
        close_time: DateTime<Utc>,
    ) -> MarketBuilder {
        MarketBuilder {
            key,
            title: title.into(),
            close_time,
            subtitle: String::new(),
            rules: String::new(),
            resolution_source: None,
            status: MarketStatus::Open,
        }
    }
}

impl MarketBuilder {
    /// What YES means (Kalshi `yes_sub_title`, a Polymarket outcome label).
    pub fn subtitle(mut self, subtitle: impl Into<String>) -> Self {
        self.subtitle = subtitle.into();
        self
    }

    /// The resolution rules.
    pub fn rules(mut self, rules: impl Into<String>) -> Self {
        self.rules = rules.into();
        self
    }

    /// Who or what decides the result.
    pub fn resolution_source(mut self, source: impl Into<String>) -> Self {
        self.resolution_source = Some(source.into());
        self
    }

    /// The lifecycle state (default open).
    pub const fn status(mut self, status: MarketStatus) -> Self {
        self.status = status;
        self
    }

    /// The market.
    pub fn build(self) -> Result<Market, ModelError> {
        let cent = Decimal::new(1, 2);
        Ok(Market {
            key: self.key,
            title: self.title,
            subtitle: self.subtitle,
            rules: self.rules,
            resolution_source: self.resolution_source,
            close_time: self.close_time,
            status: self.status,
            price_grid: PriceGrid::uniform(cent)?,
            size_step: Qty::new(cent)?,
            min_order_qty: Qty::new(Decimal::ONE)?,
            fees: FeeSchedule::FREE,
            ext: MarketExt::default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_matching_fields_are_needed() {
        let close = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let m = Market::builder(MarketKey::new("kalshi", "KX-1"), "Will it rain?", close)
            .subtitle("Rain")
            .rules("If it rains, then the market resolves to Yes.")
            .build()
            .unwrap();
        assert_eq!(m.title, "Will it rain?");
        assert_eq!(m.subtitle, "Rain");
        assert_eq!(m.close_time, close);
        assert_eq!(m.status, MarketStatus::Open);
        assert_eq!(m.fees, FeeSchedule::FREE);
        assert!(
            m.validate_order(
                crate::model::Price::new(Decimal::new(45, 2)).unwrap(),
                Qty::new(Decimal::ONE).unwrap()
            )
            .is_ok()
        );
    }
}
