//! The engine's command surface as the bot sees it.
//!
//! [`EngineApi`] has exactly the signatures of `arb_core::engine::EngineHandle`, so the bot's
//! logic is generic over it and tested without Discord. The report types below mirror the
//! engine's until it is merged into this branch.

use arb_core::model::{
    DailyPnl, MarketKey, MatchSuggestion, OpportunityRecord, PairId, PairStatus, Polarity,
    Position, SuggestionId, VenueId, VerifiedPair,
};
use arb_core::store::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// What the engine does with opportunities.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TradingMode {
    /// Detect, record and notify; never trade.
    #[default]
    Monitor,
    /// Trade against simulated fills on live books.
    Paper,
    /// Trade with real money.
    Live,
}

impl std::fmt::Display for TradingMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Monitor => "monitor",
            Self::Paper => "paper",
            Self::Live => "live",
        })
    }
}

/// Live facts about one venue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VenueStatus {
    /// The venue.
    pub venue: VenueId,
    /// Whether its book feed is delivering.
    pub connected: bool,
    /// When its last book arrived.
    pub last_book_at: Option<DateTime<Utc>>,
}

/// What `/status` shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EngineStatus {
    /// Monitor, paper or live.
    pub mode: TradingMode,
    /// The kill switch's reason, when halted.
    pub halted: Option<String>,
    /// Each configured venue.
    pub venues: Vec<VenueStatus>,
    /// Pairs being traded.
    pub active_pairs: usize,
    /// Pairs paused or awaiting re-approval.
    pub inactive_pairs: usize,
    /// The latest recorded opportunity.
    pub last_opportunity: Option<OpportunityRecord>,
    /// Today's PnL so far.
    pub today: Option<DailyPnl>,
}

/// Positions with a PnL summary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PositionsReport {
    /// Positions as last recorded.
    pub positions: Vec<Position>,
    /// PnL.
    pub pnl: PnlSummary,
}

/// Dollars made and at stake.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PnlSummary {
    /// Realised PnL over all positions (sales and settlements), fees included.
    pub realized: Decimal,
    /// Fees paid over all positions.
    pub fees: Decimal,
    /// Dollars paid for contracts still held.
    pub cost_basis: Decimal,
    /// Today's PnL row, if any.
    pub today: Option<DailyPnl>,
}

/// An engine failure.
#[derive(Debug, Error)]
pub enum EngineError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No such pair.
    #[error("no pair with id {0}")]
    UnknownPair(PairId),
    /// No such suggestion.
    #[error("no suggestion with id {0}")]
    UnknownSuggestion(SuggestionId),
    /// A market that is not in the catalogue.
    #[error("unknown market `{0}`: run `markets sync` first or check the id")]
    UnknownMarket(String),
    /// A venue that is not configured.
    #[error("venue `{0}` is not configured")]
    UnknownVenue(String),
    /// A request that makes no sense (bad argument, wrong state).
    #[error("{0}")]
    Invalid(String),
}

/// The engine commands the bot uses (the signatures of `EngineHandle`).
#[async_trait]
pub trait EngineApi: Send + Sync {
    /// Runs the matcher and stores and announces suggestions scoring at least `min_score`.
    async fn find_matches(
        &self,
        min_score: Option<f64>,
    ) -> Result<Vec<MatchSuggestion>, EngineError>;
    /// Open suggestions, best first.
    async fn suggestions(&self, limit: usize) -> Result<Vec<MatchSuggestion>, EngineError>;
    /// Approves a suggestion with its suggested polarity.
    async fn approve_suggestion(
        &self,
        id: SuggestionId,
        actor: &str,
    ) -> Result<VerifiedPair, EngineError>;
    /// Dismisses a suggestion.
    async fn dismiss_suggestion(&self, id: SuggestionId, actor: &str) -> Result<(), EngineError>;
    /// Approves two markets as the same event.
    async fn approve_pair(
        &self,
        a: &MarketKey,
        b: &MarketKey,
        polarity: Polarity,
        actor: &str,
    ) -> Result<VerifiedPair, EngineError>;
    /// Pairs, optionally of one status.
    async fn list_pairs(
        &self,
        status: Option<PairStatus>,
    ) -> Result<Vec<VerifiedPair>, EngineError>;
    /// Stops trading a pair.
    async fn pause_pair(
        &self,
        id: PairId,
        actor: &str,
        reason: &str,
    ) -> Result<VerifiedPair, EngineError>;
    /// Resumes a paused pair (re-approving it if its rules changed).
    async fn resume_pair(&self, id: PairId, actor: &str) -> Result<VerifiedPair, EngineError>;
    /// Positions and PnL.
    async fn positions(&self) -> Result<PositionsReport, EngineError>;
    /// Recent opportunities, newest first.
    async fn opportunities(&self, limit: usize) -> Result<Vec<OpportunityRecord>, EngineError>;
    /// Kill switch: no new executions.
    async fn halt(&self, actor: &str, reason: &str) -> Result<(), EngineError>;
    /// Lifts the kill switch.
    async fn resume(&self, actor: &str) -> Result<(), EngineError>;
    /// What the engine is doing.
    async fn status(&self) -> Result<EngineStatus, EngineError>;
}
