//! Pairs of equivalent markets on two venues, the suggestions that lead to them, and their audit trail.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{MarketKey, Outcome, PairId, SuggestionId};

/// How the two markets of a pair relate.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Polarity {
    /// A.YES ≡ B.YES.
    Same,
    /// A.YES ≡ B.NO (complementary framings such as "at least 6" vs "5 or fewer").
    Inverse,
}

impl Polarity {
    /// The outcome on B that is equivalent to `outcome_on_a`.
    #[must_use]
    pub const fn map(self, outcome_on_a: Outcome) -> Outcome {
        match self {
            Self::Same => outcome_on_a,
            Self::Inverse => outcome_on_a.opposite(),
        }
    }
}

impl std::str::FromStr for Polarity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "same" => Ok(Self::Same),
            "inverse" => Ok(Self::Inverse),
            other => Err(format!(
                "unknown polarity `{other}` (expected `same` or `inverse`)"
            )),
        }
    }
}

impl std::fmt::Display for Polarity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Same => "same",
            Self::Inverse => "inverse",
        })
    }
}

/// How two markets' settlements relate, as a matcher or a verifier reads their rules.
///
/// Only [`Relation::Equivalent`] and [`Relation::Inverse`] can become a traded pair: buying
/// YES on one and NO on the other pays exactly $1 only when one market settles YES exactly when
/// the other settles YES (or exactly when it settles NO). A subset pair ("BTC above 100k on Dec
/// 31" vs "BTC above 100k at any time in 2026") leaves a state where both legs lose.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// A settles YES exactly when B settles YES.
    Equivalent,
    /// A settles YES exactly when B settles NO (complements).
    Inverse,
    /// Whenever A settles YES, B does too, not conversely.
    Subset,
    /// Whenever B settles YES, A does too, not conversely.
    Superset,
    /// They can both settle YES, and each can settle YES without the other.
    Overlapping,
    /// Unrelated events.
    Different,
}

impl Relation {
    /// The polarity of a tradable relation; `None` for relations that must not be traded.
    #[must_use]
    pub const fn polarity(self) -> Option<Polarity> {
        match self {
            Self::Equivalent => Some(Polarity::Same),
            Self::Inverse => Some(Polarity::Inverse),
            Self::Subset | Self::Superset | Self::Overlapping | Self::Different => None,
        }
    }

    /// Whether a pair with this relation may be approved for trading.
    #[must_use]
    pub const fn is_tradable(self) -> bool {
        self.polarity().is_some()
    }

    /// Every relation, in the order above.
    pub const ALL: [Self; 6] = [
        Self::Equivalent,
        Self::Inverse,
        Self::Subset,
        Self::Superset,
        Self::Overlapping,
        Self::Different,
    ];

    /// The name used in settings, the store and messages.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Equivalent => "equivalent",
            Self::Inverse => "inverse",
            Self::Subset => "subset",
            Self::Superset => "superset",
            Self::Overlapping => "overlapping",
            Self::Different => "different",
        }
    }
}

impl From<Polarity> for Relation {
    fn from(polarity: Polarity) -> Self {
        match polarity {
            Polarity::Same => Self::Equivalent,
            Polarity::Inverse => Self::Inverse,
        }
    }
}

impl std::str::FromStr for Relation {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == wanted)
            .ok_or_else(|| {
                format!(
                    "unknown relation `{wanted}` (expected one of equivalent, inverse, subset, \
                     superset, overlapping, different)"
                )
            })
    }
}

impl std::fmt::Display for Relation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a pair may be traded.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PairStatus {
    /// Approved and traded.
    Active,
    /// Stopped by a person or by the executor (after an unhedged or unwound execution); a person resumes it.
    Paused,
    /// A venue changed its rules text since approval: a person must approve again.
    NeedsReapproval,
}

/// A pair of markets a person confirmed as the same event. Only these are ever traded.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct VerifiedPair {
    /// The store's id.
    pub id: PairId,
    /// The market on venue A.
    pub a: MarketKey,
    /// The market on venue B.
    pub b: MarketKey,
    /// How B's outcomes map to A's.
    pub polarity: Polarity,
    /// Trading status.
    pub status: PairStatus,
    /// SHA-256 of A's rules text at approval.
    pub rules_hash_a: String,
    /// SHA-256 of B's rules text at approval.
    pub rules_hash_b: String,
    /// Who approved it.
    pub approved_by: String,
    /// When it was approved.
    pub approved_at: DateTime<Utc>,
}

/// A pair about to be stored (the store assigns the id).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct NewPair {
    /// The market on venue A.
    pub a: MarketKey,
    /// The market on venue B.
    pub b: MarketKey,
    /// How B's outcomes map to A's.
    pub polarity: Polarity,
    /// SHA-256 of A's rules text.
    pub rules_hash_a: String,
    /// SHA-256 of B's rules text.
    pub rules_hash_b: String,
    /// Who approved it.
    pub approved_by: String,
    /// When.
    pub approved_at: DateTime<Utc>,
    /// The suggestion it came from, if any.
    pub suggestion: Option<SuggestionId>,
    /// How the rules read when it was approved (relation and every settlement difference with
    /// both sides' text), kept in the pair's audit trail; `None` when nothing was read.
    pub reading: Option<String>,
}

impl NewPair {
    /// The reason its `Approved` audit event records: the polarity, and how the rules read.
    #[must_use]
    pub fn approval_reason(&self) -> String {
        match &self.reading {
            Some(reading) => format!(
                "approved with polarity {}; rules read as {reading}",
                self.polarity
            ),
            None => format!("approved with polarity {}", self.polarity),
        }
    }
}

/// Something that happened to a pair.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PairAction {
    /// A person approved it.
    Approved,
    /// Trading stopped (by a person or automatically).
    Paused,
    /// Trading resumed by a person.
    Resumed,
    /// A venue's rules text changed; re-approval needed.
    RulesChanged,
}

/// Audit record: who did what to a pair, when and why.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PairEvent {
    /// The pair.
    pub pair_id: PairId,
    /// What happened.
    pub action: PairAction,
    /// Who (a Discord user, `cli`, `engine`).
    pub actor: String,
    /// Why.
    pub reason: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// One component of a match score, shown to the person deciding.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct ScorePart {
    /// What was compared (`title`, `tokens`, `dates`, `numbers`, `entities`…).
    pub name: String,
    /// Its score, 0–100.
    pub score: f64,
    /// Its weight in the total.
    pub weight: f64,
}

/// A side-by-side view of one settlement-relevant field of the two markets.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct FieldDiff {
    /// The field (`close_time`, `rules`, `resolution_source`…).
    pub field: String,
    /// Market A's value.
    pub a: String,
    /// Market B's value.
    pub b: String,
}

/// The kind of a settlement difference between two markets' rules.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// Different resolution source, price index or exchange ("CF Benchmarks BRTI" vs "Binance").
    Source,
    /// Different place or weather station ("Central Park" vs "LaGuardia").
    Location,
    /// Different time of day of settlement ("5:00 PM" vs "12:00 PM").
    Time,
    /// Different time zones ("ET" vs "UTC").
    TimeZone,
    /// Different dates or deadlines.
    Date,
    /// Different threshold values ("above $120k" vs "above $125k").
    Threshold,
    /// Same value, different comparator ("above 50" vs "50 or above").
    Comparator,
    /// A range on one side, an open-ended threshold on the other.
    BandVsTail,
    /// Different tie, draw or 50-50 clauses.
    Tie,
    /// Different void, cancellation or postponement clauses.
    Void,
    /// "At any time before" on one side, "on the date" on the other.
    Scope,
    /// Different people, teams, places or things named.
    Names,
    /// Different things that must happen ("arrested" vs "resigns").
    Action,
    /// Close times far apart.
    CloseTime,
    /// A rules text is missing, so nothing could be compared.
    MissingRules,
}

impl WarningKind {
    /// The name used in the store, messages and the evaluation set.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Source => "source",
            Self::Location => "location",
            Self::Time => "time",
            Self::TimeZone => "time_zone",
            Self::Date => "date",
            Self::Threshold => "threshold",
            Self::Comparator => "comparator",
            Self::BandVsTail => "band_vs_tail",
            Self::Tie => "tie",
            Self::Void => "void",
            Self::Scope => "scope",
            Self::Names => "names",
            Self::Action => "action",
            Self::CloseTime => "close_time",
            Self::MissingRules => "missing_rules",
        }
    }

    /// Every kind, in the order above.
    pub const ALL: [Self; 15] = [
        Self::Source,
        Self::Location,
        Self::Time,
        Self::TimeZone,
        Self::Date,
        Self::Threshold,
        Self::Comparator,
        Self::BandVsTail,
        Self::Tie,
        Self::Void,
        Self::Scope,
        Self::Names,
        Self::Action,
        Self::CloseTime,
        Self::MissingRules,
    ];
}

impl std::str::FromStr for WarningKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == wanted)
            .ok_or_else(|| format!("unknown warning kind `{wanted}`"))
    }
}

impl std::fmt::Display for WarningKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One named difference in how two markets settle, with what each side says.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct SettlementWarning {
    /// What differs.
    pub kind: WarningKind,
    /// What market A's text says (`(not stated)` when silent).
    pub a: String,
    /// What market B's text says.
    pub b: String,
}

impl std::fmt::Display for SettlementWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} differs — A: {} | B: {}", self.kind, self.a, self.b)
    }
}

/// Where a suggestion stands.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuggestionStatus {
    /// Waiting for a person.
    Open,
    /// Approved (a pair exists).
    Approved,
    /// Dismissed by a person.
    Dismissed,
}

/// A candidate pair proposed by the matcher for a person to approve or dismiss.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct MatchSuggestion {
    /// The store's id (`None` before it is stored).
    pub id: Option<SuggestionId>,
    /// The market on venue A.
    pub a: MarketKey,
    /// The market on venue B.
    pub b: MarketKey,
    /// Similarity, 0–100.
    pub score: f64,
    /// How the score was made.
    pub parts: Vec<ScorePart>,
    /// Suggested polarity: shown to the user, never assumed.
    pub polarity: Polarity,
    /// Settlement-relevant differences, side by side.
    pub diffs: Vec<FieldDiff>,
    /// Human-readable warnings ("close times differ by 3 days"), the settlement warnings first.
    pub warnings: Vec<String>,
    /// How the two markets' settlements relate as the matcher reads titles and rules; only
    /// [`Relation::Equivalent`] and [`Relation::Inverse`] can be approved.
    pub relation: Relation,
    /// Every difference found between the two rules texts, named, with both sides' text.
    pub settlement: Vec<SettlementWarning>,
    /// Status.
    pub status: SuggestionStatus,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polarity_maps_outcomes() {
        assert_eq!(Polarity::Same.map(Outcome::Yes), Outcome::Yes);
        assert_eq!(Polarity::Inverse.map(Outcome::Yes), Outcome::No);
        assert_eq!(Polarity::Inverse.map(Outcome::No), Outcome::Yes);
        assert_eq!("Inverse".parse::<Polarity>().unwrap(), Polarity::Inverse);
        assert!("opposite".parse::<Polarity>().is_err());
    }

    #[test]
    fn only_equivalent_and_inverse_are_tradable() {
        for relation in Relation::ALL {
            assert_eq!(relation.as_str().parse::<Relation>().unwrap(), relation);
            assert_eq!(
                relation.is_tradable(),
                matches!(relation, Relation::Equivalent | Relation::Inverse)
            );
        }
        assert_eq!(
            Relation::from(Polarity::Inverse).polarity(),
            Some(Polarity::Inverse)
        );
        assert_eq!(Relation::Subset.polarity(), None);
        assert!("same-ish".parse::<Relation>().is_err());
    }
}
