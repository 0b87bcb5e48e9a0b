//! `EngineHandle`: the engine's command surface for the CLI, Discord and embedders.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

use super::catalogue::{CatalogueStatus, SyncReport, VenueSync};
use super::supervise::{Supervisor, TaskCounts};
use super::{EngineConfig, EngineError, EngineParts, TradingMode};
use crate::clock::{Clock, IdSource};
use crate::exchange::Exchange;
use crate::execute::PairLeases;
use crate::matching::verify::SuggestionVerifier;
use crate::matching::{Matcher, PairReading};
use crate::model::{
    DailyPnl, Market, MarketKey, MatchSuggestion, NewPair, OpportunityRecord, PairAction,
    PairEvent, PairId, PairStatus, Polarity, Position, SuggestionId, SuggestionStatus, VenueId,
    VerifiedPair,
};
use crate::notify::{Notification, Notifier, Severity};
use crate::risk::RiskManager;
use crate::store::Store;

mod reads;

/// Store key of the persisted kill switch (its value is the reason).
pub(super) const HALT_SETTING: &str = "kill_switch";

/// Live facts about one venue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VenueStatus {
    /// The venue.
    pub venue: VenueId,
    /// Whether its book feed is delivering.
    pub connected: bool,
    /// Whether its books are being polled over REST because its stream is not delivering.
    pub polling: bool,
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
    /// How recent catalogue syncs went.
    pub catalogue: CatalogueStatus,
    /// Panics and restarts per supervised task (only tasks that panicked are listed).
    pub tasks: BTreeMap<String, TaskCounts>,
    /// Pairs whose lease this engine holds, so trades (always empty in monitor mode).
    #[serde(default)]
    pub leased_pairs: Vec<PairId>,
}

/// Positions with a PnL summary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PositionsReport {
    /// Positions as last recorded (reconciled against the venues while the engine runs).
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

/// State shared by the engine's tasks and every handle.
pub(crate) struct Shared {
    pub venues: Vec<Arc<dyn Exchange>>,
    pub store: Arc<dyn Store>,
    pub notifier: Arc<dyn Notifier>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdSource>,
    pub config: EngineConfig,
    pub risk: Arc<RiskManager>,
    /// Woken when pairs change, so the runner re-reads them at once.
    pub pairs_changed: Notify,
    /// Venue connectivity as seen by the runner.
    pub venue_status: Mutex<Vec<VenueStatus>>,
    /// How recent catalogue syncs went.
    pub catalogue: Mutex<CatalogueStatus>,
    /// Task panics: counted, alerted, restarted or halting trading.
    pub tasks: Arc<Supervisor>,
    /// The optional semantic verifier of new suggestions.
    pub verifier: OnceLock<SuggestionVerifier>,
    /// The pair leases this engine holds (none in monitor mode).
    pub leases: Arc<PairLeases>,
}

impl Shared {
    pub(super) fn new(parts: EngineParts, risk: Arc<RiskManager>, leases: Arc<PairLeases>) -> Self {
        let venue_status = parts
            .venues
            .iter()
            .map(|v| VenueStatus {
                venue: v.venue(),
                connected: false,
                polling: false,
                last_book_at: None,
            })
            .collect();
        let tasks = Arc::new(Supervisor::new(Arc::clone(&parts.notifier)));
        Self {
            tasks,
            venues: parts.venues,
            store: parts.store,
            notifier: parts.notifier,
            clock: parts.clock,
            ids: parts.ids,
            config: parts.config,
            risk,
            pairs_changed: Notify::new(),
            venue_status: Mutex::new(venue_status),
            catalogue: Mutex::new(CatalogueStatus::default()),
            verifier: OnceLock::new(),
            leases,
        }
    }

    pub(super) fn venue(&self, venue: &VenueId) -> Option<&Arc<dyn Exchange>> {
        self.venues.iter().find(|v| &v.venue() == venue)
    }

    /// Sends a notification; a notifier failure is logged, never allowed to stop trading.
    pub(super) fn notify(&self, notification: Notification) {
        if let Err(e) = self.notifier.notify(notification) {
            tracing::warn!(error = %e, "notifier refused a notification");
        }
    }

    pub(super) fn set_venue_polling(&self, venue: &VenueId, polling: bool) {
        let mut status = self
            .venue_status
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(s) = status.iter_mut().find(|s| &s.venue == venue) {
            s.polling = polling;
        }
    }

    pub(super) fn set_venue_status(
        &self,
        venue: &VenueId,
        connected: bool,
        at: Option<DateTime<Utc>>,
    ) {
        let mut status = self
            .venue_status
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(s) = status.iter_mut().find(|s| &s.venue == venue) {
            s.connected = connected;
            if at.is_some() {
                s.last_book_at = at;
            }
        }
    }
}

/// The engine's command surface. Cheap to clone; every method is safe to call concurrently.
#[derive(Clone)]
pub struct EngineHandle {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for EngineHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineHandle").finish_non_exhaustive()
    }
}

impl EngineHandle {
    pub(super) const fn from_shared(shared: Arc<Shared>) -> Self {
        Self { shared }
    }

    /// The venues pairs are made between: (A, B).
    fn venue_pair(&self) -> Result<(VenueId, VenueId), EngineError> {
        match self.shared.venues.as_slice() {
            [a, b, ..] => Ok((a.venue(), b.venue())),
            _ => Err(EngineError::Invalid(
                "two venues are needed to match markets".to_owned(),
            )),
        }
    }

    /// Runs the matcher over the stored catalogues of venues A and B and stores and announces
    /// the suggestions scoring at least `min_score` (the configured default if `None`), best first,
    /// leaving out markets already paired. With a verifier set ([`super::Engine::set_verifier`]),
    /// the best suggestions of each market are judged first: a verdict can lower a score and add
    /// warnings, never raise or approve; a verifier failure changes nothing.
    pub async fn find_matches(
        &self,
        min_score: Option<f64>,
    ) -> Result<Vec<MatchSuggestion>, EngineError> {
        if let Some(score) = min_score
            && !(0.0..=100.0).contains(&score)
        {
            return Err(EngineError::Invalid(format!(
                "similarity must be between 0 and 100, got {score}"
            )));
        }
        let (venue_a, venue_b) = self.venue_pair()?;
        let store = &self.shared.store;
        let a = store.markets(Some(&venue_a)).await?;
        let b = store.markets(Some(&venue_b)).await?;
        let paired: HashSet<MarketKey> = store
            .pairs(None)
            .await?
            .into_iter()
            .flat_map(|p| [p.a, p.b])
            .collect();
        let a: Vec<_> = a.into_iter().filter(|m| !paired.contains(&m.key)).collect();
        let b: Vec<_> = b.into_iter().filter(|m| !paired.contains(&m.key)).collect();
        let mut config = self.shared.config.matching.clone();
        if let Some(score) = min_score {
            config.min_score = score;
        }
        let mut suggestions = Matcher::new(config).suggest(&a, &b, self.shared.clock.now());
        if let Some(verifier) = self.shared.verifier.get() {
            let markets: Vec<&Market> = a.iter().chain(&b).collect();
            let report = verifier.verify_all(&mut suggestions, &markets).await;
            tracing::info!(
                judged = report.judged,
                demoted = report.demoted,
                failed = report.failed,
                skipped = report.skipped,
                "suggestions verified"
            );
        }
        let ids = store.insert_suggestions(&suggestions).await?;
        for (s, id) in suggestions.iter_mut().zip(ids) {
            s.id = Some(id);
        }
        if !suggestions.is_empty() {
            self.shared.notify(Notification::MatchSuggestions {
                suggestions: suggestions.clone(),
            });
        }
        Ok(suggestions)
    }

    /// Open suggestions, best first.
    pub async fn suggestions(&self, limit: usize) -> Result<Vec<MatchSuggestion>, EngineError> {
        Ok(self
            .shared
            .store
            .suggestions(Some(SuggestionStatus::Open), limit)
            .await?)
    }

    /// Approves a suggestion with its suggested polarity.
    pub async fn approve_suggestion(
        &self,
        id: SuggestionId,
        actor: &str,
    ) -> Result<VerifiedPair, EngineError> {
        let suggestion = self
            .shared
            .store
            .suggestion(id)
            .await?
            .ok_or(EngineError::UnknownSuggestion(id))?;
        if suggestion.status != SuggestionStatus::Open {
            return Err(EngineError::Invalid(format!(
                "suggestion {id} is already {:?}",
                suggestion.status
            )));
        }
        let Some(polarity) = suggestion.relation.polarity() else {
            return Err(EngineError::NotTradable {
                what: format!("suggestion {id}"),
                relation: suggestion.relation,
                warnings: suggestion
                    .settlement
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
            });
        };
        self.create_pair(&suggestion.a, &suggestion.b, polarity, actor, Some(id))
            .await
    }

    /// Dismisses a suggestion.
    pub async fn dismiss_suggestion(
        &self,
        id: SuggestionId,
        actor: &str,
    ) -> Result<(), EngineError> {
        let store = &self.shared.store;
        if store.suggestion(id).await?.is_none() {
            return Err(EngineError::UnknownSuggestion(id));
        }
        store
            .set_suggestion_status(id, SuggestionStatus::Dismissed)
            .await?;
        tracing::info!(suggestion = %id, actor, "suggestion dismissed");
        Ok(())
    }

    /// How two stored markets relate as the matcher reads their titles and rules: shown before a
    /// person approves them.
    pub async fn read_pair(
        &self,
        a: &MarketKey,
        b: &MarketKey,
    ) -> Result<PairReading, EngineError> {
        let (_, _, reading) = self.load_and_read(a, b).await?;
        Ok(reading)
    }

    /// Both stored markets and how the matcher reads them as a pair.
    async fn load_and_read(
        &self,
        a: &MarketKey,
        b: &MarketKey,
    ) -> Result<(Market, Market, PairReading), EngineError> {
        let store = &self.shared.store;
        let market_a = store
            .market(a)
            .await?
            .ok_or_else(|| EngineError::UnknownMarket(a.to_string()))?;
        let market_b = store
            .market(b)
            .await?
            .ok_or_else(|| EngineError::UnknownMarket(b.to_string()))?;
        let reading = Matcher::new(self.shared.config.matching.clone()).relate(
            &market_a,
            &market_b,
            self.shared.clock.now(),
        );
        Ok((market_a, market_b, reading))
    }

    /// Approves two markets as the same event. `a` must be on venue A and `b` on venue B, and both
    /// must be in the stored catalogue. Refused with [`EngineError::NotTradable`] when their rules
    /// read as anything but equivalent or inverse.
    pub async fn approve_pair(
        &self,
        a: &MarketKey,
        b: &MarketKey,
        polarity: Polarity,
        actor: &str,
    ) -> Result<VerifiedPair, EngineError> {
        self.create_pair(a, b, polarity, actor, None).await
    }

    async fn create_pair(
        &self,
        a: &MarketKey,
        b: &MarketKey,
        polarity: Polarity,
        actor: &str,
        suggestion: Option<SuggestionId>,
    ) -> Result<VerifiedPair, EngineError> {
        let store = &self.shared.store;
        if a.venue == b.venue {
            return Err(EngineError::Invalid(format!(
                "both markets are on {}: a pair spans two venues",
                a.venue
            )));
        }
        let (market_a, market_b, reading) = self.load_and_read(a, b).await?;
        if !reading.relation.is_tradable() {
            return Err(EngineError::NotTradable {
                what: format!("{a} and {b}"),
                relation: reading.relation,
                warnings: reading.settlement.iter().map(ToString::to_string).collect(),
            });
        }
        let pair = store
            .insert_pair(&NewPair {
                a: a.clone(),
                b: b.clone(),
                polarity,
                rules_hash_a: market_a.rules_hash(),
                rules_hash_b: market_b.rules_hash(),
                approved_by: actor.to_owned(),
                approved_at: self.shared.clock.now(),
                suggestion,
                reading: Some(describe_reading(&reading)),
            })
            .await?;
        tracing::info!(pair = %pair.id, %a, %b, %polarity, actor, "pair approved");
        self.shared.pairs_changed.notify_one();
        Ok(pair)
    }

    /// Pairs, optionally of one status.
    pub async fn list_pairs(
        &self,
        status: Option<PairStatus>,
    ) -> Result<Vec<VerifiedPair>, EngineError> {
        Ok(self.shared.store.pairs(status).await?)
    }

    /// Every live lease in the store (pair holders and lease-group members), by name: who trades
    /// what. Reading it takes no lease.
    pub async fn leases(&self) -> Result<Vec<crate::store::Lease>, EngineError> {
        Ok(self.shared.store.leases().await?)
    }

    /// The pair leases this engine holds and still trusts (none in monitor mode).
    #[must_use]
    pub fn held_leases(&self) -> Vec<crate::store::Lease> {
        self.shared.leases.current()
    }

    /// Stops trading a pair.
    pub async fn pause_pair(
        &self,
        id: PairId,
        actor: &str,
        reason: &str,
    ) -> Result<VerifiedPair, EngineError> {
        let pair = self.existing_pair(id).await?;
        if pair.status != PairStatus::Active {
            return Err(EngineError::Invalid(format!("pair {id} is not active")));
        }
        let pair = self
            .shared
            .store
            .set_pair_status(
                id,
                PairStatus::Paused,
                &self.event(id, PairAction::Paused, actor, reason),
            )
            .await?;
        self.shared.pairs_changed.notify_one();
        Ok(pair)
    }

    /// Resumes a paused pair. A pair whose rules changed is re-approved against the current rules
    /// (the person resuming it confirms they reviewed them).
    pub async fn resume_pair(&self, id: PairId, actor: &str) -> Result<VerifiedPair, EngineError> {
        let pair = self.existing_pair(id).await?;
        let store = &self.shared.store;
        let resumed = match pair.status {
            PairStatus::Active => {
                return Err(EngineError::Invalid(format!("pair {id} is already active")));
            }
            PairStatus::Paused => {
                store
                    .set_pair_status(
                        id,
                        PairStatus::Active,
                        &self.event(id, PairAction::Resumed, actor, "resumed"),
                    )
                    .await?
            }
            PairStatus::NeedsReapproval => {
                let a = store
                    .market(&pair.a)
                    .await?
                    .ok_or_else(|| EngineError::UnknownMarket(pair.a.to_string()))?;
                let b = store
                    .market(&pair.b)
                    .await?
                    .ok_or_else(|| EngineError::UnknownMarket(pair.b.to_string()))?;
                let event = self.event(
                    id,
                    PairAction::Approved,
                    actor,
                    "re-approved after a rules change",
                );
                store
                    .reapprove_pair(id, &a.rules_hash(), &b.rules_hash(), &event)
                    .await?
            }
        };
        self.shared.pairs_changed.notify_one();
        Ok(resumed)
    }

    async fn existing_pair(&self, id: PairId) -> Result<VerifiedPair, EngineError> {
        self.shared
            .store
            .pair(id)
            .await?
            .ok_or(EngineError::UnknownPair(id))
    }

    fn event(&self, pair_id: PairId, action: PairAction, actor: &str, reason: &str) -> PairEvent {
        PairEvent {
            pair_id,
            action,
            actor: actor.to_owned(),
            reason: reason.to_owned(),
            at: self.shared.clock.now(),
        }
    }

    /// Positions and PnL.
    pub async fn positions(&self) -> Result<PositionsReport, EngineError> {
        let store = &self.shared.store;
        let positions = store.positions().await?;
        let today_date = self.shared.clock.now().date_naive();
        let today = store
            .daily_pnl(today_date, today_date)
            .await?
            .into_iter()
            .next();
        let pnl = PnlSummary {
            realized: positions.iter().map(|p| p.realized_pnl).sum(),
            fees: positions.iter().map(|p| p.fees_paid).sum(),
            cost_basis: positions.iter().map(Position::cost_basis).sum(),
            today,
        };
        Ok(PositionsReport { positions, pnl })
    }

    /// A market of the stored catalogue (`None` before a sync has stored it).
    pub async fn market(&self, key: &MarketKey) -> Result<Option<Market>, EngineError> {
        Ok(self.shared.store.market(key).await?)
    }

    /// Recent opportunities, newest first.
    pub async fn opportunities(&self, limit: usize) -> Result<Vec<OpportunityRecord>, EngineError> {
        Ok(self.shared.store.opportunities(None, limit).await?)
    }

    /// Kill switch: no new executions (in-flight ones finish hedging). Persisted, so it holds
    /// across restarts and reaches a daemon running in another process.
    pub async fn halt(&self, actor: &str, reason: &str) -> Result<(), EngineError> {
        let reason = format!("{reason} (by {actor})");
        self.shared
            .store
            .put_setting(HALT_SETTING, Some(&reason))
            .await?;
        self.shared.risk.halt(reason.clone());
        self.shared.notify(Notification::Alert {
            severity: Severity::Critical,
            message: format!("Trading halted: {reason}"),
        });
        Ok(())
    }

    /// Lifts the kill switch.
    pub async fn resume(&self, actor: &str) -> Result<(), EngineError> {
        self.shared.store.put_setting(HALT_SETTING, None).await?;
        self.shared.risk.resume();
        self.shared.notify(Notification::Alert {
            severity: Severity::Warning,
            message: format!("Trading resumed by {actor}"),
        });
        Ok(())
    }

    /// What the engine is doing.
    pub async fn status(&self) -> Result<EngineStatus, EngineError> {
        let store = &self.shared.store;
        let pairs = store.pairs(None).await?;
        let active_pairs = pairs
            .iter()
            .filter(|p| p.status == PairStatus::Active)
            .count();
        let halted = store.setting(HALT_SETTING).await?;
        let today_date = self.shared.clock.now().date_naive();
        let venues = self
            .shared
            .venue_status
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        Ok(EngineStatus {
            leased_pairs: self
                .shared
                .leases
                .current()
                .iter()
                .filter_map(|l| l.scope.pair())
                .collect(),
            mode: self.shared.config.mode,
            halted,
            venues,
            active_pairs,
            inactive_pairs: pairs.len() - active_pairs,
            last_opportunity: store.opportunities(None, 1).await?.into_iter().next(),
            today: store
                .daily_pnl(today_date, today_date)
                .await?
                .into_iter()
                .next(),
            catalogue: self
                .shared
                .catalogue
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clone(),
            tasks: self.shared.tasks.counts(),
        })
    }

    /// The engine's task supervisor: an embedder can run its own tasks under it
    /// ([`Supervisor::restarting`]) so their panics are counted in [`EngineStatus::tasks`].
    #[must_use]
    pub fn tasks(&self) -> Arc<Supervisor> {
        Arc::clone(&self.shared.tasks)
    }

    /// Fetches every venue's open markets into the store and reports, venue by venue, how many
    /// were stored and what could not be read. A venue that fails (wholly or in part) does not
    /// stop the others; only a store failure is an error. The outcome is kept in
    /// [`EngineStatus::catalogue`]. An active pair whose rules text changed on either venue is
    /// set to `NeedsReapproval`, with an alert: a person must review the new rules and resume it.
    pub async fn sync_markets(&self) -> Result<SyncReport, EngineError> {
        let mut report = SyncReport::default();
        for venue in &self.shared.venues {
            let id = venue.venue();
            let entry = match venue.list_markets().await {
                Ok(listing) => {
                    self.shared.store.upsert_markets(&listing.markets).await?;
                    for gap in &listing.gaps {
                        tracing::warn!(venue = %id, gap = %gap, "part of the catalogue could not be read");
                    }
                    VenueSync {
                        venue: id,
                        stored: listing.markets.len(),
                        gaps: listing.gaps,
                        failure: None,
                    }
                }
                Err(e) => {
                    tracing::warn!(venue = %id, error = %e, "catalogue could not be listed");
                    VenueSync {
                        venue: id,
                        stored: 0,
                        gaps: Vec::new(),
                        failure: Some(e),
                    }
                }
            };
            report.venues.push(entry);
        }
        self.shared
            .catalogue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .record(&report, self.shared.clock.now());
        self.pause_pairs_with_changed_rules().await?;
        Ok(report)
    }

    async fn pause_pairs_with_changed_rules(&self) -> Result<(), EngineError> {
        let store = &self.shared.store;
        for pair in store.pairs(Some(PairStatus::Active)).await? {
            let (Some(a), Some(b)) = (store.market(&pair.a).await?, store.market(&pair.b).await?)
            else {
                continue;
            };
            if !crate::matching::rules_changed(&pair, &a, &b) {
                continue;
            }
            let reason = "a venue changed the market's rules text since approval: review and resume to re-approve";
            store
                .set_pair_status(
                    pair.id,
                    PairStatus::NeedsReapproval,
                    &self.event(pair.id, PairAction::RulesChanged, "engine", reason),
                )
                .await?;
            self.shared.notify(Notification::Alert {
                severity: Severity::Warning,
                message: format!(
                    "Pair {} ({} / {}) paused: {reason}",
                    pair.id, pair.a, pair.b
                ),
            });
            self.shared.pairs_changed.notify_one();
        }
        Ok(())
    }

    /// Mints a fresh id (exposed so embedders share the engine's id source).
    #[must_use]
    pub fn next_id(&self, prefix: &str) -> String {
        self.shared.ids.next_id(prefix)
    }
}

/// `equivalent (score 92.1); settlement differences: source — A: … | B: …; …`: how a pair's
/// rules read, for its audit trail.
fn describe_reading(reading: &PairReading) -> String {
    let mut text = format!("{} (score {:.1})", reading.relation, reading.score);
    if !reading.settlement.is_empty() {
        let differences: Vec<String> = reading.settlement.iter().map(ToString::to_string).collect();
        text.push_str("; settlement differences: ");
        text.push_str(&differences.join("; "));
    }
    text
}
