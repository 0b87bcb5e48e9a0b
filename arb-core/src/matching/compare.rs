//! Field-by-field comparison of two markets' features. The scorer turns these into numbers, the
//! explainer into warnings, so both always agree.

use chrono::{Datelike, NaiveDate};

use super::dates::DateMention;
use super::features::MarketFeatures;
use super::numbers::{Direction, Threshold};

/// How the dates of two markets relate.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum DateCheck {
    /// Neither text states a date.
    BothSilent,
    /// Only one does.
    OneSilent {
        a: Option<NaiveDate>,
        b: Option<NaiveDate>,
    },
    /// Both state the same (latest) date.
    Same,
    /// Their dates differ.
    Differ {
        a: NaiveDate,
        b: NaiveDate,
        /// Either is a deadline.
        deadline: bool,
        /// Both are deadlines ("by Nov 30" vs "by Dec 31"): the earlier settles YES only if the
        /// later does.
        both_deadlines: bool,
    },
}

/// The date that decides: the latest deadline, else the latest date mentioned.
pub(crate) fn key_date(f: &MarketFeatures) -> Option<DateMention> {
    let latest = |deadline: bool| {
        f.dates
            .iter()
            .filter(|d| !deadline || d.deadline)
            .max_by_key(|d| d.date)
            .copied()
    };
    latest(true).or_else(|| latest(false))
}

/// Whether two dates name the same moment: equal, a day within a scheduled event's month, or
/// neighbouring years of a season ("2026-27" vs "2027").
fn same_date(x: &DateMention, y: &DateMention) -> bool {
    let same_month = x.date.year() == y.date.year() && x.date.month() == y.date.month();
    x.date == y.date
        || ((x.whole_month || y.whole_month) && same_month)
        || ((x.season || y.season) && (x.date.year() - y.date.year()).abs() <= 1)
}

pub(crate) fn dates(a: &MarketFeatures, b: &MarketFeatures) -> DateCheck {
    match (key_date(a), key_date(b)) {
        (None, None) => DateCheck::BothSilent,
        (Some(x), None) => DateCheck::OneSilent {
            a: Some(x.date),
            b: None,
        },
        (None, Some(y)) => DateCheck::OneSilent {
            a: None,
            b: Some(y.date),
        },
        (Some(x), Some(y)) if same_date(&x, &y) => DateCheck::Same,
        (Some(x), Some(y)) => DateCheck::Differ {
            a: x.date,
            b: y.date,
            deadline: x.deadline || y.deadline,
            both_deadlines: x.deadline && y.deadline,
        },
    }
}

/// How the numbers of two markets relate.
#[derive(Clone, PartialEq, Debug)]
pub(crate) enum NumberCheck {
    /// Neither text has a number.
    BothSilent,
    /// Only one does.
    OneSilent {
        a: Vec<Threshold>,
        b: Vec<Threshold>,
    },
    /// Every number has a counterpart with the same cut (comparators may be complementary).
    Same { pairs: Vec<(Threshold, Threshold)> },
    /// One side's numbers all appear on the other, which has more.
    Subset { pairs: Vec<(Threshold, Threshold)> },
    /// Each side has a number the other lacks.
    Differ {
        a: Vec<Threshold>,
        b: Vec<Threshold>,
    },
}

pub(crate) fn numbers(a: &MarketFeatures, b: &MarketFeatures) -> NumberCheck {
    let (ta, tb) = (&a.thresholds, &b.thresholds);
    match (ta.is_empty(), tb.is_empty()) {
        (true, true) => return NumberCheck::BothSilent,
        (false, true) | (true, false) => {
            return NumberCheck::OneSilent {
                a: ta.clone(),
                b: tb.clone(),
            };
        }
        (false, false) => {}
    }
    let pairs: Vec<(Threshold, Threshold)> = ta
        .iter()
        .filter_map(|x| tb.iter().find(|y| x.same_cut(y)).map(|y| (*x, *y)))
        .collect();
    let only_a: Vec<Threshold> = ta
        .iter()
        .filter(|x| !tb.iter().any(|y| x.same_cut(y)))
        .copied()
        .collect();
    let only_b: Vec<Threshold> = tb
        .iter()
        .filter(|y| !ta.iter().any(|x| x.same_cut(y)))
        .copied()
        .collect();
    match (only_a.is_empty(), only_b.is_empty()) {
        (true, true) => NumberCheck::Same { pairs },
        (false, false) => NumberCheck::Differ {
            a: only_a,
            b: only_b,
        },
        _ => NumberCheck::Subset { pairs },
    }
}

impl NumberCheck {
    /// The matched thresholds.
    pub(crate) fn pairs(&self) -> &[(Threshold, Threshold)] {
        match self {
            Self::Same { pairs } | Self::Subset { pairs } => pairs,
            _ => &[],
        }
    }

    /// Matched thresholds whose comparators point opposite ways ("at least 6" vs "5 or fewer").
    pub(crate) fn complements(&self) -> Vec<(Threshold, Threshold)> {
        self.pairs()
            .iter()
            .filter(|(x, y)| {
                matches!(
                    (x.direction, y.direction),
                    (Some(Direction::Above), Some(Direction::Below))
                        | (Some(Direction::Below), Some(Direction::Above))
                )
            })
            .copied()
            .collect()
    }
}

/// How the named entities of two markets relate.
#[derive(Clone, PartialEq, Debug)]
pub(crate) struct EntityCheck {
    /// The larger of the two shares of a market's entities found in the other market, 0–1
    /// (`None` when neither names any).
    pub(crate) coverage: Option<f64>,
    /// A's entities absent from B.
    pub(crate) only_a: Vec<String>,
    /// B's entities absent from A.
    pub(crate) only_b: Vec<String>,
}

impl EntityCheck {
    /// Each market names something the other does not ("Ukraine" vs "Russia").
    pub(crate) fn conflict(&self) -> bool {
        !self.only_a.is_empty() && !self.only_b.is_empty()
    }
}

/// `f`'s entities that `other` does not mention (as a word, or as an acronym of its initials).
fn missing_entities(
    f: &MarketFeatures,
    other: &MarketFeatures,
    other_has: &dyn Fn(&str) -> bool,
) -> Vec<String> {
    f.entities
        .iter()
        .filter(|e| {
            let acronym_of_other = f.acronyms.iter().any(|a| a == *e)
                && other.initials.iter().any(|i| i.contains(e.as_str()));
            !(other_has(e) || acronym_of_other)
        })
        .cloned()
        .collect()
}

pub(crate) fn entities(
    a: &MarketFeatures,
    b: &MarketFeatures,
    a_has: &dyn Fn(&str) -> bool,
    b_has: &dyn Fn(&str) -> bool,
) -> EntityCheck {
    let only_a = missing_entities(a, b, b_has);
    let only_b = missing_entities(b, a, a_has);
    let share = |n: usize, missing: usize| (n > 0).then(|| (n - missing) as f64 / n as f64);
    let coverage = match (
        share(a.entities.len(), only_a.len()),
        share(b.entities.len(), only_b.len()),
    ) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    };
    EntityCheck {
        coverage,
        only_a,
        only_b,
    }
}

/// Whether two markets ask for the same thing to happen: each market's action words
/// ([`MarketFeatures::actions`]) looked up among the other's words.
#[derive(Clone, PartialEq, Debug)]
pub(crate) struct ActionCheck {
    /// Both state an action and neither's is found in the other ("arrested" vs "leader out").
    pub(crate) conflict: bool,
}

pub(crate) fn actions(
    a: &MarketFeatures,
    b: &MarketFeatures,
    a_has: &dyn Fn(&str) -> bool,
    b_has: &dyn Fn(&str) -> bool,
) -> ActionCheck {
    let found = |f: &MarketFeatures, other_has: &dyn Fn(&str) -> bool| {
        f.actions.iter().any(|w| other_has(w))
    };
    let conflict =
        !a.actions.is_empty() && !b.actions.is_empty() && !found(a, b_has) && !found(b, a_has);
    ActionCheck { conflict }
}
