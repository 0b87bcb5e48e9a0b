//! The engine's command surface as the bot sees it.
//!
//! [`EngineApi`] has exactly the signatures of [`EngineHandle`], so the bot's logic is generic
//! over it (tests may substitute a probe, e.g. one that fails on purpose).

use arb_core::engine::EngineHandle;
pub use arb_core::engine::{EngineError, EngineStatus, PnlSummary, PositionsReport, VenueStatus};
use arb_core::model::{
    MarketKey, MatchSuggestion, OpportunityRecord, PairId, PairStatus, Polarity, SuggestionId,
    VerifiedPair,
};
use async_trait::async_trait;

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

#[async_trait]
impl EngineApi for EngineHandle {
    async fn find_matches(
        &self,
        min_score: Option<f64>,
    ) -> Result<Vec<MatchSuggestion>, EngineError> {
        Self::find_matches(self, min_score).await
    }

    async fn suggestions(&self, limit: usize) -> Result<Vec<MatchSuggestion>, EngineError> {
        Self::suggestions(self, limit).await
    }

    async fn approve_suggestion(
        &self,
        id: SuggestionId,
        actor: &str,
    ) -> Result<VerifiedPair, EngineError> {
        Self::approve_suggestion(self, id, actor).await
    }

    async fn dismiss_suggestion(&self, id: SuggestionId, actor: &str) -> Result<(), EngineError> {
        Self::dismiss_suggestion(self, id, actor).await
    }

    async fn approve_pair(
        &self,
        a: &MarketKey,
        b: &MarketKey,
        polarity: Polarity,
        actor: &str,
    ) -> Result<VerifiedPair, EngineError> {
        Self::approve_pair(self, a, b, polarity, actor).await
    }

    async fn list_pairs(
        &self,
        status: Option<PairStatus>,
    ) -> Result<Vec<VerifiedPair>, EngineError> {
        Self::list_pairs(self, status).await
    }

    async fn pause_pair(
        &self,
        id: PairId,
        actor: &str,
        reason: &str,
    ) -> Result<VerifiedPair, EngineError> {
        Self::pause_pair(self, id, actor, reason).await
    }

    async fn resume_pair(&self, id: PairId, actor: &str) -> Result<VerifiedPair, EngineError> {
        Self::resume_pair(self, id, actor).await
    }

    async fn positions(&self) -> Result<PositionsReport, EngineError> {
        Self::positions(self).await
    }

    async fn opportunities(&self, limit: usize) -> Result<Vec<OpportunityRecord>, EngineError> {
        Self::opportunities(self, limit).await
    }

    async fn halt(&self, actor: &str, reason: &str) -> Result<(), EngineError> {
        Self::halt(self, actor, reason).await
    }

    async fn resume(&self, actor: &str) -> Result<(), EngineError> {
        Self::resume(self, actor).await
    }

    async fn status(&self) -> Result<EngineStatus, EngineError> {
        Self::status(self).await
    }
}
