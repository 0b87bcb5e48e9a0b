//! Event matching: suggests pairs of markets on two venues that may be the same event, for a
//! person to approve.
//!
//! Titles lie: most title-matched pairs settle differently (deadlines, thresholds, places,
//! indices) and complementary framings flip YES and NO. So the matcher
//!
//! 1. **normalises** each market ([`MarketFeatures`]): title + subtitle (Kalshi `yes_sub_title`,
//!    Polymarket outcome label), lower-cased and accent-folded, stopwords dropped, words stemmed;
//!    numbers with units ("$100k" = "100,000"), thresholds with comparators ("at least 6",
//!    "5 or fewer", "above 4.5%"), dates as the last day that counts ("before Jan 1, 2027" =
//!    "by Dec 31, 2026" = "in 2026" = "12/31/2026"), named entities (capitalised words);
//! 2. **generates candidates** through an inverted index over informative words (IDF-weighted,
//!    very common words skipped) and the close-time window, never comparing all pairs;
//! 3. **scores** each candidate 0–100: Jaro–Winkler on the normalised titles, IDF-weighted
//!    token overlap, entity, date, number and close-time agreement; different dates, thresholds
//!    or names multiply the score down hard;
//! 4. **suggests a polarity** (complementary thresholds, opposite sides of a two-way contest,
//!    a "No" outcome label) with reasons, and lists settlement-relevant fields side by side
//!    with warnings ("close times differ by 3 days", "different thresholds: 100k vs 105k");
//! 5. optionally asks a semantic verifier ([`verify`], an LLM judge) about the best candidates:
//!    its verdict can demote or annotate a suggestion, never approve or promote it.
//!
//! Approved pairs keep both rules hashes; [`rules_changed`] tells when either changed.

mod compare;
mod config;
mod dates;
pub mod eval;
mod explain;
mod features;
mod index;
pub mod labelled;
mod numbers;
mod polarity;
mod prepared;
mod rules;
mod score;
mod settle;
mod text;
pub mod verify;

use std::collections::HashMap;

use chrono::{DateTime, Utc};

pub use config::{MatchConfig, MatchConfigError};
pub use dates::DateMention;
pub use features::MarketFeatures;
pub use numbers::{Direction, Threshold};
pub use text::Unit;

use crate::model::{
    Market, MarketKey, MarketStatus, MatchSuggestion, Polarity, Relation, SettlementWarning,
    SuggestionStatus, VerifiedPair,
};
use index::Index;
use prepared::{Catalogue, Prepared};

/// Suggests equivalent markets across two venues' catalogues.
#[derive(Clone, Debug)]
pub struct Matcher {
    config: MatchConfig,
}

impl PairReading {
    fn unrelated() -> Self {
        Self {
            relation: Relation::Different,
            polarity: Polarity::Same,
            score: 0.0,
            settlement: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

impl Matcher {
    /// A matcher with `config`. Out-of-range values are brought into range (`min_score` clamped
    /// to 0–100, zero counts raised to 1, a negative window made zero, an invalid common-word
    /// share reset to the default); use [`MatchConfig::validate`] first to reject them instead.
    #[must_use]
    pub fn new(config: MatchConfig) -> Self {
        let default = MatchConfig::default();
        let min_score = if config.min_score.is_nan() {
            default.min_score
        } else {
            config.min_score.clamp(0.0, 100.0)
        };
        let common_token_share =
            if config.common_token_share > 0.0 && config.common_token_share <= 1.0 {
                config.common_token_share
            } else {
                default.common_token_share
            };
        Self {
            config: MatchConfig {
                min_score,
                max_per_market: config.max_per_market.max(1),
                close_window: config.close_window.max(chrono::Duration::zero()),
                max_candidates: config.max_candidates.max(1),
                common_token_share,
            },
        }
    }

    /// The configuration in use.
    #[must_use]
    pub const fn config(&self) -> &MatchConfig {
        &self.config
    }

    /// The full suggestion for `x` against `y`, or `None` below `min_score`.
    fn suggestion(
        &self,
        x: &Prepared<'_>,
        y: &Prepared<'_>,
        cat: &Catalogue,
        now: DateTime<Utc>,
    ) -> Option<MatchSuggestion> {
        let min = self.config.min_score;
        let mut assessment = score::assess(x, y, cat, self.config.close_window, min)?;
        let call = polarity::suggest(x, y, &assessment.numbers);
        let settlement = settle::read(x, y, &assessment, &call);
        if settlement.mult < 1.0 {
            assessment.score *= settlement.mult;
            assessment.parts.push(crate::model::ScorePart {
                name: format!("penalty: settles as {}", settlement.relation),
                score: 100.0 * settlement.mult,
                weight: 0.0,
            });
        }
        if assessment.score < min {
            return None;
        }
        let mut warnings: Vec<String> = settlement
            .warnings
            .iter()
            .map(ToString::to_string)
            .collect();
        warnings.extend(explain::warnings(
            (x.market, &x.features),
            (y.market, &y.features),
            &assessment,
            &call,
        ));
        Some(MatchSuggestion {
            id: None,
            a: x.market.key.clone(),
            b: y.market.key.clone(),
            score: assessment.score,
            diffs: explain::diffs(x.market, y.market, &x.features, &y.features),
            warnings,
            relation: settlement.relation,
            settlement: settlement.warnings,
            parts: assessment.parts,
            polarity: call.polarity,
            status: SuggestionStatus::Open,
            created_at: now,
        })
    }

    /// How `a` (venue A) and `b` (venue B) relate, read from their titles and rules at `now`,
    /// whatever their score: what a person sees before approving them.
    #[must_use]
    pub fn relate(&self, a: &Market, b: &Market, now: DateTime<Utc>) -> PairReading {
        let (cat, pa, pb) = Catalogue::build(&[a], &[b], now.date_naive());
        let everything = Self::new(MatchConfig {
            min_score: 0.0,
            ..self.config.clone()
        });
        match (pa.first(), pb.first()) {
            (Some(x), Some(y)) => {
                everything
                    .suggestion(x, y, &cat, now)
                    .map_or_else(PairReading::unrelated, |s| PairReading {
                        relation: s.relation,
                        polarity: s.polarity,
                        score: s.score,
                        settlement: s.settlement,
                        warnings: s.warnings,
                    })
            }
            _ => PairReading::unrelated(),
        }
    }

    /// [`Matcher::suggest`], grouped per market of venue A.
    #[must_use]
    pub fn suggest_grouped(
        &self,
        a: &[Market],
        b: &[Market],
        now: DateTime<Utc>,
    ) -> Vec<MarketSuggestions> {
        group_by_market(self.suggest(a, b, now))
    }

    /// Suggestions for markets of venue A (`a`) against venue B (`b`), best first: at most
    /// `max_per_market` per market of A, each scoring at least `min_score`. Markets that are
    /// closed, settled, voided or past their close time at `now` are left out; dates written
    /// without a year are read relative to `now`.
    #[must_use]
    pub fn suggest(&self, a: &[Market], b: &[Market], now: DateTime<Utc>) -> Vec<MatchSuggestion> {
        let live = |m: &&Market| {
            matches!(
                m.status,
                MarketStatus::Open | MarketStatus::Upcoming | MarketStatus::Paused
            ) && m.close_time > now
        };
        let a: Vec<&Market> = a.iter().filter(live).collect();
        let b: Vec<&Market> = b.iter().filter(live).collect();
        let (cat, pa, pb) = Catalogue::build(&a, &b, now.date_naive());
        let index = Index::build(&pb, &cat, self.config.common_token_share);
        let mut scratch = index.scratch(pb.len());
        let mut out = Vec::new();
        for x in &pa {
            let candidates = index.candidates(
                x,
                &pb,
                &cat,
                self.config.close_window,
                self.config.max_candidates,
                &mut scratch,
            );
            let mut scored: Vec<MatchSuggestion> = candidates
                .into_iter()
                .filter_map(|j| self.suggestion(x, &pb[j as usize], &cat, now))
                .collect();
            scored.sort_by(|p, q| q.score.total_cmp(&p.score).then_with(|| p.b.cmp(&q.b)));
            scored.truncate(self.config.max_per_market);
            out.extend(scored);
        }
        out.sort_by(best_first);
        out
    }
}

/// Orders suggestions best first: higher score, then by A's key, then by B's.
pub(crate) fn best_first(p: &MatchSuggestion, q: &MatchSuggestion) -> std::cmp::Ordering {
    q.score
        .total_cmp(&p.score)
        .then_with(|| p.a.cmp(&q.a))
        .then_with(|| p.b.cmp(&q.b))
}

/// How two markets relate, read from their titles and rules (see [`Matcher::relate`]).
#[derive(Clone, PartialEq, Debug)]
pub struct PairReading {
    /// The relation; only equivalent and inverse are tradable.
    pub relation: Relation,
    /// The polarity the texts suggest.
    pub polarity: Polarity,
    /// Similarity, 0–100.
    pub score: f64,
    /// Every named settlement difference.
    pub settlement: Vec<SettlementWarning>,
    /// All warnings as text, settlement differences first.
    pub warnings: Vec<String>,
}

/// The suggestions for one market of venue A, best first.
#[derive(Clone, PartialEq, Debug)]
pub struct MarketSuggestions {
    /// The market of venue A.
    pub market: MarketKey,
    /// Its candidates on venue B, best first.
    pub suggestions: Vec<MatchSuggestion>,
}

/// Groups suggestions per market of venue A, keeping each group's order; groups come in the
/// order of their best suggestion.
#[must_use]
pub fn group_by_market(suggestions: Vec<MatchSuggestion>) -> Vec<MarketSuggestions> {
    let mut groups: Vec<MarketSuggestions> = Vec::new();
    let mut group_of: HashMap<MarketKey, usize> = HashMap::new();
    for s in suggestions {
        if let Some(&i) = group_of.get(&s.a) {
            groups[i].suggestions.push(s);
        } else {
            group_of.insert(s.a.clone(), groups.len());
            groups.push(MarketSuggestions {
                market: s.a.clone(),
                suggestions: vec![s],
            });
        }
    }
    groups
}

/// Whether either market's rules text changed since `pair` was approved (its stored hashes
/// differ from [`Market::rules_hash`]), so the pair must be paused for re-approval. A market
/// that is not the pair's own counts as changed.
#[must_use]
pub fn rules_changed(pair: &VerifiedPair, a: &Market, b: &Market) -> bool {
    a.key != pair.a
        || b.key != pair.b
        || a.rules_hash() != pair.rules_hash_a
        || b.rules_hash() != pair.rules_hash_b
}
