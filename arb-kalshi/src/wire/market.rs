//! Markets, events and series.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;

use super::FlexDecimal;

/// One band of `price_ranges`: prices in `[start, end]` tick by `step` (dollar strings).
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
pub struct PriceRange {
    /// Lowest price of the band.
    pub start: Decimal,
    /// Highest price of the band.
    pub end: Decimal,
    /// Tick.
    pub step: Decimal,
}

/// A market as `GET /markets` and `GET /markets/{ticker}` return it (the fields we use).
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
pub struct WireMarket {
    /// Market ticker.
    pub ticker: String,
    /// Parent event.
    pub event_ticker: String,
    /// `binary` or `scalar`.
    #[serde(default)]
    pub market_type: Option<String>,
    /// Deprecated market-level title (used only when the event is unknown).
    #[serde(default)]
    pub title: Option<String>,
    /// What YES means.
    pub yes_sub_title: String,
    /// What NO means.
    #[serde(default)]
    pub no_sub_title: Option<String>,
    /// When trading stops.
    pub close_time: DateTime<Utc>,
    /// Lifecycle status.
    pub status: String,
    /// `yes`, `no`, `scalar` or `""`.
    #[serde(default)]
    pub result: Option<String>,
    /// Main resolution rules.
    #[serde(default)]
    pub rules_primary: String,
    /// Additional rules.
    #[serde(default)]
    pub rules_secondary: String,
    /// Tick bands (the source of truth for valid order prices).
    pub price_ranges: Vec<PriceRange>,
    /// Name of the tick structure (informational only).
    #[serde(default)]
    pub price_level_structure: Option<String>,
    /// Fees are waived until then.
    #[serde(default)]
    pub fee_waiver_expiration_time: Option<DateTime<Utc>>,
    /// Exchange shard.
    #[serde(default)]
    pub exchange_index: Option<i64>,
}

/// `GET /markets`.
#[derive(Clone, Debug, Deserialize)]
pub struct MarketsResponse {
    /// One page of markets.
    pub markets: Vec<WireMarket>,
    /// Next page; empty, null or absent at the end.
    #[serde(default)]
    pub cursor: Option<String>,
}

/// `GET /markets/{ticker}`.
#[derive(Clone, Debug, Deserialize)]
pub struct MarketResponse {
    /// The market.
    pub market: WireMarket,
}

/// A settlement source of an event or series.
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
pub struct SettlementSource {
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
    /// Its URL.
    #[serde(default)]
    pub url: Option<String>,
}

/// An event (`EventData`).
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
pub struct EventData {
    /// Event ticker.
    pub event_ticker: String,
    /// Parent series.
    pub series_ticker: String,
    /// The question.
    pub title: String,
    /// Event subtitle.
    #[serde(default)]
    pub sub_title: Option<String>,
    /// Per-event fee type override.
    #[serde(default)]
    pub fee_type_override: Option<String>,
    /// Per-event fee multiplier override.
    #[serde(default)]
    pub fee_multiplier_override: Option<FlexDecimal>,
    /// Where the result comes from.
    #[serde(default)]
    pub settlement_sources: Vec<SettlementSource>,
}

/// `GET /events`.
#[derive(Clone, Debug, Deserialize)]
pub struct EventsResponse {
    /// One page of events.
    pub events: Vec<EventData>,
    /// Next page.
    #[serde(default)]
    pub cursor: Option<String>,
}

/// `GET /events/{event_ticker}`.
#[derive(Clone, Debug, Deserialize)]
pub struct EventResponse {
    /// The event.
    pub event: EventData,
}

/// A series (fee type and multiplier live here).
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
pub struct SeriesData {
    /// Series ticker.
    pub ticker: String,
    /// `quadratic`, `quadratic_with_maker_fees`, `quadratic_with_combo_maker_fees` or `flat`.
    pub fee_type: String,
    /// Multiplier of the base fee coefficient.
    pub fee_multiplier: FlexDecimal,
    /// Where results come from.
    #[serde(default)]
    pub settlement_sources: Vec<SettlementSource>,
}

/// `GET /series/{ticker}`.
#[derive(Clone, Debug, Deserialize)]
pub struct SeriesResponse {
    /// The series.
    pub series: SeriesData,
}

/// `GET /series`.
#[derive(Clone, Debug, Deserialize)]
pub struct SeriesListResponse {
    /// All series.
    pub series: Vec<SeriesData>,
    /// Next page, if the venue paginates.
    #[serde(default)]
    pub cursor: Option<String>,
}
