//! The domain: markets, books, orders, fills, positions and pairs. Money is `rust_decimal::Decimal`
//! in dollars; prices are probabilities in [0, 1]. Venue units never appear here.

mod account;
mod book;
mod error;
mod execution;
mod ids;
mod leg;
mod market;
mod market_builder;
mod opportunity;
mod order;
mod pair;
mod price;
mod verdict;

pub use account::{Balance, Position};
pub use book::{BinaryBook, BookSide, Level, OrderBook};
pub use error::ModelError;
pub use execution::{
    DailyPnl, ExecutionMode, ExecutionRecord, ExecutionState, OrderRecord, OrderRole, PriceSnapshot,
};
pub use ids::{
    ClientOrderId, ExecutionId, FillId, MarketId, MarketKey, OpportunityId, PairId, SuggestionId,
    VenueId, VenueOrderId,
};
pub use leg::{LegId, Legs};
pub use market::{Market, MarketExt, MarketExtension, MarketStatus, sha256_hex};
pub use market_builder::MarketBuilder;
pub use opportunity::{Opportunity, OpportunityDecision, OpportunityLeg, OpportunityRecord};
pub use order::{Fill, Liquidity, Order, OrderRequest, OrderStatus, Outcome, Side, TimeInForce};
pub use pair::{
    FieldDiff, MatchSuggestion, NewPair, PairAction, PairEvent, PairStatus, Polarity, Relation,
    ScorePart, SettlementWarning, SuggestionStatus, VerifiedPair, WarningKind,
};
pub use price::{Price, PriceBand, PriceGrid, Qty, Rounding, round_to_step};
pub use verdict::{Verdict, VerdictKey};
