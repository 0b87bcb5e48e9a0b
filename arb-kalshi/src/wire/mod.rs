//! Kalshi's JSON shapes, as they are on the wire. Unknown fields are ignored; fixed-point strings
//! (`*_dollars`, `*_fp`) become [`rust_decimal::Decimal`] of whatever width the venue sends.

mod book;
mod error;
mod fixed;
mod market;
mod order;
mod portfolio;

pub use book::{BatchOrderbooksResponse, MarketOrderbook, OrderbookFp, OrderbookResponse};
pub use error::{ErrorBody, ErrorProbe};
pub use fixed::{FlexDecimal, parse_fixed};
pub use market::{
    EventData, EventResponse, EventsResponse, MarketResponse, MarketsResponse, PriceRange,
    SeriesData, SeriesListResponse, SeriesResponse, WireMarket,
};
pub use order::{
    CancelOrderV2Response, CreateOrderV2Request, CreateOrderV2Response, OrderResponse,
    OrdersResponse, WireOrder,
};
pub use portfolio::{BalanceResponse, FillsResponse, MarketPosition, PositionsResponse, WireFill};
