//! Test fixtures: an in-memory engine with the semantics of `EngineHandle`, actors and policies.

#![allow(dead_code, clippy::unwrap_used)]

use std::sync::Mutex;

use arb_core::model::{
    DailyPnl, FieldDiff, MarketKey, MatchSuggestion, OpportunityRecord, Outcome, PairId,
    PairStatus, Polarity, Position, Price, Qty, ScorePart, SuggestionId, SuggestionStatus, VenueId,
    VerifiedPair,
};
use arb_discord::api::{
    EngineApi, EngineError, EngineStatus, PnlSummary, PositionsReport, TradingMode, VenueStatus,
};
use arb_discord::{Actor, Policy};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rust_decimal_macros::dec;

pub const TRADER: u64 = 111_111_111_111_111_111;
pub const ROLE_TRADER: u64 = 777;
pub const STRANGER: u64 = 222_222_222_222_222_222;
pub const KALSHI_TICKER: &str = "KXFEDDECISION-25DEC-H0";
pub const POLY_ID: &str = "0x1111111111111111111111111111111111111111111111111111111111111111";
pub const KALSHI_TICKER_2: &str = "KXCPI-25DEC-T3.0";
pub const POLY_ID_2: &str = "0x2222222222222222222222222222222222222222222222222222222222222222";

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap()
}

pub fn kalshi(id: &str) -> MarketKey {
    MarketKey::new("kalshi", id)
}

pub fn poly(id: &str) -> MarketKey {
    MarketKey::new("polymarket", id)
}

pub fn trader() -> Actor {
    Actor {
        user_id: TRADER,
        roles: vec![],
        in_home_channel: true,
    }
}

pub fn stranger() -> Actor {
    Actor {
        user_id: STRANGER,
        roles: vec![5],
        in_home_channel: true,
    }
}

pub fn policy(readonly_open: bool) -> Policy {
    Policy::new([TRADER], [ROLE_TRADER], readonly_open)
}

pub fn suggestion(id: i64, a: &str, b: &str, score: f64, warnings: &[&str]) -> MatchSuggestion {
    MatchSuggestion {
        id: Some(SuggestionId(id)),
        a: kalshi(a),
        b: poly(b),
        score,
        parts: vec![ScorePart {
            name: "title".into(),
            score,
            weight: 1.0,
        }],
        polarity: if warnings.is_empty() {
            Polarity::Same
        } else {
            Polarity::Inverse
        },
        diffs: warnings
            .iter()
            .map(|_| FieldDiff {
                field: "close_time".into(),
                a: "2025-12-10".into(),
                b: "2025-12-13".into(),
            })
            .collect(),
        warnings: warnings.iter().map(|w| (*w).to_owned()).collect(),
        status: SuggestionStatus::Open,
        created_at: now(),
    }
}

/// Who did what, as the engine would record it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
    pub action: String,
    pub actor: String,
    pub at: DateTime<Utc>,
}

#[derive(Default)]
struct State {
    markets: Vec<MarketKey>,
    suggestions: Vec<MatchSuggestion>,
    pairs: Vec<VerifiedPair>,
    halted: Option<String>,
    positions: Vec<Position>,
    log: Vec<Recorded>,
    calls: usize,
}

/// An engine over in-memory state with `EngineHandle`'s rules.
#[derive(Default)]
pub struct FakeEngine {
    state: Mutex<State>,
}

impl FakeEngine {
    /// Two Kalshi and two Polymarket markets in the catalogue, two open suggestions.
    pub fn seeded() -> Self {
        let engine = Self::default();
        {
            let mut s = engine.state.lock().unwrap();
            s.markets = vec![
                kalshi(KALSHI_TICKER),
                kalshi(KALSHI_TICKER_2),
                poly(POLY_ID),
                poly(POLY_ID_2),
            ];
            s.suggestions = vec![
                suggestion(1, KALSHI_TICKER, POLY_ID, 91.5, &[]),
                suggestion(
                    2,
                    KALSHI_TICKER_2,
                    POLY_ID_2,
                    72.25,
                    &["close times differ by 3 days"],
                ),
            ];
            s.positions = vec![Position {
                market: kalshi(KALSHI_TICKER),
                outcome: Outcome::Yes,
                qty: Qty::new(dec!(10)).unwrap(),
                avg_price: Some(Price::new(dec!(0.45)).unwrap()),
                fees_paid: dec!(0.12),
                realized_pnl: dec!(1.5),
                updated_at: now(),
            }];
        }
        engine
    }

    pub fn pairs(&self) -> Vec<VerifiedPair> {
        self.state.lock().unwrap().pairs.clone()
    }

    pub fn halted(&self) -> Option<String> {
        self.state.lock().unwrap().halted.clone()
    }

    pub fn log(&self) -> Vec<Recorded> {
        self.state.lock().unwrap().log.clone()
    }

    pub fn calls(&self) -> usize {
        self.state.lock().unwrap().calls
    }

    pub fn suggestion_status(&self, id: i64) -> Option<SuggestionStatus> {
        self.state
            .lock()
            .unwrap()
            .suggestions
            .iter()
            .find(|s| s.id == Some(SuggestionId(id)))
            .map(|s| s.status)
    }

    fn record(s: &mut State, action: &str, actor: &str) {
        s.log.push(Recorded {
            action: action.to_owned(),
            actor: actor.to_owned(),
            at: now(),
        });
    }

    fn create_pair(
        s: &mut State,
        a: &MarketKey,
        b: &MarketKey,
        polarity: Polarity,
        actor: &str,
    ) -> Result<VerifiedPair, EngineError> {
        if a.venue == b.venue {
            return Err(EngineError::Invalid(format!(
                "both markets are on {}: a pair spans two venues",
                a.venue
            )));
        }
        for key in [a, b] {
            if !s.markets.contains(key) {
                return Err(EngineError::UnknownMarket(key.to_string()));
            }
        }
        let pair = VerifiedPair {
            id: PairId(s.pairs.len() as i64 + 1),
            a: a.clone(),
            b: b.clone(),
            polarity,
            status: PairStatus::Active,
            rules_hash_a: "ha".into(),
            rules_hash_b: "hb".into(),
            approved_by: actor.to_owned(),
            approved_at: now(),
        };
        s.pairs.push(pair.clone());
        Self::record(s, &format!("approved pair {}", pair.id), actor);
        Ok(pair)
    }

    fn pair_mut(s: &mut State, id: PairId) -> Result<&mut VerifiedPair, EngineError> {
        s.pairs
            .iter_mut()
            .find(|p| p.id == id)
            .ok_or(EngineError::UnknownPair(id))
    }
}

#[async_trait]
impl EngineApi for FakeEngine {
    async fn find_matches(
        &self,
        min_score: Option<f64>,
    ) -> Result<Vec<MatchSuggestion>, EngineError> {
        let mut s = self.state.lock().unwrap();
        s.calls += 1;
        if let Some(score) = min_score
            && !(0.0..=100.0).contains(&score)
        {
            return Err(EngineError::Invalid(format!(
                "similarity must be between 0 and 100, got {score}"
            )));
        }
        let min = min_score.unwrap_or(70.0);
        Ok(s.suggestions
            .iter()
            .filter(|x| x.status == SuggestionStatus::Open && x.score >= min)
            .cloned()
            .collect())
    }

    async fn suggestions(&self, limit: usize) -> Result<Vec<MatchSuggestion>, EngineError> {
        let s = self.state.lock().unwrap();
        Ok(s.suggestions.iter().take(limit).cloned().collect())
    }

    async fn approve_suggestion(
        &self,
        id: SuggestionId,
        actor: &str,
    ) -> Result<VerifiedPair, EngineError> {
        let mut s = self.state.lock().unwrap();
        s.calls += 1;
        let found = s
            .suggestions
            .iter()
            .find(|x| x.id == Some(id))
            .cloned()
            .ok_or(EngineError::UnknownSuggestion(id))?;
        if found.status != SuggestionStatus::Open {
            return Err(EngineError::Invalid(format!(
                "suggestion {id} is already {:?}",
                found.status
            )));
        }
        let pair = Self::create_pair(&mut s, &found.a, &found.b, found.polarity, actor)?;
        if let Some(x) = s.suggestions.iter_mut().find(|x| x.id == Some(id)) {
            x.status = SuggestionStatus::Approved;
        }
        Ok(pair)
    }

    async fn dismiss_suggestion(&self, id: SuggestionId, actor: &str) -> Result<(), EngineError> {
        let mut s = self.state.lock().unwrap();
        s.calls += 1;
        let found = s
            .suggestions
            .iter_mut()
            .find(|x| x.id == Some(id))
            .ok_or(EngineError::UnknownSuggestion(id))?;
        found.status = SuggestionStatus::Dismissed;
        Self::record(&mut s, &format!("dismissed suggestion {id}"), actor);
        Ok(())
    }

    async fn approve_pair(
        &self,
        a: &MarketKey,
        b: &MarketKey,
        polarity: Polarity,
        actor: &str,
    ) -> Result<VerifiedPair, EngineError> {
        let mut s = self.state.lock().unwrap();
        s.calls += 1;
        Self::create_pair(&mut s, a, b, polarity, actor)
    }

    async fn list_pairs(
        &self,
        status: Option<PairStatus>,
    ) -> Result<Vec<VerifiedPair>, EngineError> {
        let mut s = self.state.lock().unwrap();
        s.calls += 1;
        Ok(s.pairs
            .iter()
            .filter(|p| status.is_none_or(|st| p.status == st))
            .cloned()
            .collect())
    }

    async fn pause_pair(
        &self,
        id: PairId,
        actor: &str,
        _reason: &str,
    ) -> Result<VerifiedPair, EngineError> {
        let mut s = self.state.lock().unwrap();
        s.calls += 1;
        let pair = Self::pair_mut(&mut s, id)?;
        if pair.status != PairStatus::Active {
            return Err(EngineError::Invalid(format!("pair {id} is not active")));
        }
        pair.status = PairStatus::Paused;
        let pair = pair.clone();
        Self::record(&mut s, &format!("paused pair {id}"), actor);
        Ok(pair)
    }

    async fn resume_pair(&self, id: PairId, actor: &str) -> Result<VerifiedPair, EngineError> {
        let mut s = self.state.lock().unwrap();
        s.calls += 1;
        let pair = Self::pair_mut(&mut s, id)?;
        if pair.status == PairStatus::Active {
            return Err(EngineError::Invalid(format!("pair {id} is already active")));
        }
        pair.status = PairStatus::Active;
        let pair = pair.clone();
        Self::record(&mut s, &format!("resumed pair {id}"), actor);
        Ok(pair)
    }

    async fn positions(&self) -> Result<PositionsReport, EngineError> {
        let mut s = self.state.lock().unwrap();
        s.calls += 1;
        let positions = s.positions.clone();
        Ok(PositionsReport {
            pnl: PnlSummary {
                realized: positions.iter().map(|p| p.realized_pnl).sum(),
                fees: positions.iter().map(|p| p.fees_paid).sum(),
                cost_basis: positions.iter().map(Position::cost_basis).sum(),
                today: Some(today()),
            },
            positions,
        })
    }

    async fn opportunities(&self, _limit: usize) -> Result<Vec<OpportunityRecord>, EngineError> {
        Ok(Vec::new())
    }

    async fn halt(&self, actor: &str, reason: &str) -> Result<(), EngineError> {
        let mut s = self.state.lock().unwrap();
        s.calls += 1;
        s.halted = Some(format!("{reason} (by {actor})"));
        Self::record(&mut s, "halt", actor);
        Ok(())
    }

    async fn resume(&self, actor: &str) -> Result<(), EngineError> {
        let mut s = self.state.lock().unwrap();
        s.calls += 1;
        s.halted = None;
        Self::record(&mut s, "resume", actor);
        Ok(())
    }

    async fn status(&self) -> Result<EngineStatus, EngineError> {
        let mut s = self.state.lock().unwrap();
        s.calls += 1;
        let active = s
            .pairs
            .iter()
            .filter(|p| p.status == PairStatus::Active)
            .count();
        Ok(EngineStatus {
            mode: TradingMode::Paper,
            halted: s.halted.clone(),
            venues: vec![
                VenueStatus {
                    venue: VenueId::new("kalshi"),
                    connected: true,
                    last_book_at: Some(now()),
                },
                VenueStatus {
                    venue: VenueId::new("polymarket"),
                    connected: false,
                    last_book_at: None,
                },
            ],
            active_pairs: active,
            inactive_pairs: s.pairs.len() - active,
            last_opportunity: None,
            today: Some(today()),
        })
    }
}

pub fn today() -> DailyPnl {
    DailyPnl {
        date: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        realized: dec!(2.5),
        locked_in: dec!(4.75),
        unrealized: dec!(-0.3),
        fees: dec!(0.4),
        executions: 3,
    }
}
