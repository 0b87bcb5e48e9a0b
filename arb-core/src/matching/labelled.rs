//! The project's own hand-labelled evaluation set (`arb-core/data/match-eval.txt`): Kalshi- and
//! Polymarket-style markets with their rules, each labelled pair with its relation and the
//! settlement warnings a careful reader requires, including look-alike traps of every kind
//! (dates, thresholds, stations, indices, times, scope, tie rules, bands vs tails, names).
//!
//! [`evaluate`] runs the matcher over both catalogues and measures what a person would notice:
//! whether the first suggestion for a market is its true partner, with the right polarity,
//! never a look-alike, and whether every required warning is shown.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use thiserror::Error;

use super::Matcher;
use crate::model::{Market, MarketKey, ModelError, Relation, WarningKind};

/// The evaluation set shipped with the crate.
pub const HANDLABELLED: &str = include_str!("../../data/match-eval.txt");

/// Venue id of the Kalshi-style markets (venue A).
pub const KALSHI: &str = "kalshi";
/// Venue id of the Polymarket-style markets (venue B).
pub const POLYMARKET: &str = "polymarket";

/// A line of the evaluation set that cannot be read.
#[derive(Debug, Error)]
pub enum LabelledError {
    /// A malformed line.
    #[error("line {line}: {message}")]
    Line {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A market could not be built.
    #[error("cannot build a market: {0}")]
    Model(#[from] ModelError),
}

/// One labelled pair.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Label {
    /// The Kalshi-style market's id.
    pub kalshi: String,
    /// The Polymarket-style market's id.
    pub polymarket: String,
    /// How they relate.
    pub relation: Relation,
    /// Settlement warnings that must be shown for this pair.
    pub warnings: Vec<WarningKind>,
}

/// The evaluation set: both catalogues and the labels.
#[derive(Clone, Debug)]
pub struct LabelledSet {
    /// Venue A's markets.
    pub kalshi: Vec<Market>,
    /// Venue B's markets.
    pub polymarket: Vec<Market>,
    /// The labelled pairs.
    pub labels: Vec<Label>,
    /// When the set is evaluated (dates without a year are read relative to it).
    pub now: DateTime<Utc>,
}

fn close_time(text: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M")
        .ok()
        .map(|t| Utc.from_utc_datetime(&t))
}

fn market_line(venue: &str, rest: &str, line: usize) -> Result<Market, LabelledError> {
    let bad = |message: String| LabelledError::Line { line, message };
    let fields: Vec<&str> = rest.split('|').map(str::trim).collect();
    let [id, close, title, subtitle, rules] = fields.as_slice() else {
        return Err(bad(format!("{} fields, expected 5", fields.len())));
    };
    let close = close_time(close).ok_or_else(|| bad(format!("bad close time `{close}`")))?;
    Ok(Market::builder(MarketKey::new(venue, *id), *title, close)
        .subtitle(*subtitle)
        .rules(*rules)
        .build()?)
}

fn label_line(rest: &str, line: usize) -> Result<Label, LabelledError> {
    let bad = |message: String| LabelledError::Line { line, message };
    let words: Vec<&str> = rest.split_whitespace().collect();
    let [kalshi, polymarket, relation, more @ ..] = words.as_slice() else {
        return Err(bad(
            "expected `= <kalshi id> <polymarket id> <relation> [warnings]`".into(),
        ));
    };
    let relation: Relation = relation.parse().map_err(bad)?;
    let warnings = match more {
        [] => Vec::new(),
        [kinds] => kinds
            .split(',')
            .map(|k| k.parse::<WarningKind>().map_err(bad))
            .collect::<Result<_, _>>()?,
        _ => return Err(bad("warnings are one comma-separated word".into())),
    };
    Ok(Label {
        kalshi: (*kalshi).to_owned(),
        polymarket: (*polymarket).to_owned(),
        relation,
        warnings,
    })
}

/// Reads an evaluation set in the format of [`HANDLABELLED`], evaluated at `now`.
pub fn parse(text: &str, now: DateTime<Utc>) -> Result<LabelledSet, LabelledError> {
    let mut set = LabelledSet {
        kalshi: Vec::new(),
        polymarket: Vec::new(),
        labels: Vec::new(),
        now,
    };
    for (n, raw) in text.lines().enumerate() {
        let line = n + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        match trimmed.split_at_checked(2) {
            Some(("K ", rest)) => set.kalshi.push(market_line(KALSHI, rest, line)?),
            Some(("P ", rest)) => set.polymarket.push(market_line(POLYMARKET, rest, line)?),
            Some(("= ", rest)) => set.labels.push(label_line(rest, line)?),
            _ => {
                return Err(LabelledError::Line {
                    line,
                    message: "expected a line starting with `K `, `P `, `= ` or `#`".into(),
                });
            }
        }
    }
    for l in &set.labels {
        if market(&set.kalshi, &l.kalshi).is_none()
            || market(&set.polymarket, &l.polymarket).is_none()
        {
            return Err(LabelledError::Line {
                line: 0,
                message: format!(
                    "label {} {} names an unknown market",
                    l.kalshi, l.polymarket
                ),
            });
        }
    }
    Ok(set)
}

/// The shipped set, evaluated as of 2026-11-20.
pub fn handlabelled() -> Result<LabelledSet, LabelledError> {
    let now = Utc
        .with_ymd_and_hms(2026, 11, 20, 0, 0, 0)
        .single()
        .ok_or_else(|| LabelledError::Line {
            line: 0,
            message: "evaluation time".into(),
        })?;
    parse(HANDLABELLED, now)
}

/// What the matcher achieved on a labelled set.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct LabelledReport {
    /// Labelled pairs (true pairs and traps).
    pub labels: usize,
    /// Venue A markets with a tradable (equivalent or inverse) partner.
    pub true_pairs: usize,
    /// Venue A markets whose first suggestion is offered as tradable.
    pub top1_offered: usize,
    /// … of which the pair is a labelled true pair.
    pub top1_correct: usize,
    /// Venue A markets with a partner whose first suggestion is it, offered as tradable.
    pub recall_hits: usize,
    /// … of which the suggested relation (equivalent vs inverse) is the labelled one.
    pub polarity_correct: usize,
    /// First suggestions that are look-alike traps (offered as tradable, or above a true partner).
    pub traps_first: Vec<(String, String)>,
    /// Traps that [`Matcher::relate`] reads as tradable.
    pub traps_tradable: Vec<(String, String)>,
    /// Labelled pairs whose reading lacks a required warning.
    pub missing_warnings: Vec<(String, String, WarningKind)>,
    /// Labelled pairs whose reading has exactly the labelled relation.
    pub relation_exact: usize,
}

fn ratio(n: usize, d: usize) -> f64 {
    if d == 0 { 0.0 } else { n as f64 / d as f64 }
}

impl LabelledReport {
    /// Correct first suggestions over first suggestions offered as tradable.
    #[must_use]
    pub fn precision_top1(&self) -> f64 {
        ratio(self.top1_correct, self.top1_offered)
    }

    /// Markets whose true partner is their first suggestion, over markets with a partner.
    #[must_use]
    pub fn recall_top1(&self) -> f64 {
        ratio(self.recall_hits, self.true_pairs)
    }

    /// Found pairs with the labelled polarity, over found pairs.
    #[must_use]
    pub fn polarity(&self) -> f64 {
        ratio(self.polarity_correct, self.recall_hits)
    }

    /// Labelled pairs whose reading is the labelled relation, over labelled pairs.
    #[must_use]
    pub fn relation_accuracy(&self) -> f64 {
        ratio(self.relation_exact, self.labels)
    }
}

/// Runs `matcher` over `set` (Kalshi as venue A) and scores it against the labels.
#[must_use]
pub fn evaluate(matcher: &Matcher, set: &LabelledSet) -> LabelledReport {
    let suggestions = matcher.suggest(&set.kalshi, &set.polymarket, set.now);
    let label = |k: &str, p: &str| {
        set.labels
            .iter()
            .find(|l| l.kalshi == k && l.polymarket == p)
    };
    let partners: HashMap<&str, &Label> = set
        .labels
        .iter()
        .filter(|l| l.relation.is_tradable())
        .map(|l| (l.kalshi.as_str(), l))
        .collect();
    let mut report = LabelledReport {
        labels: set.labels.len(),
        true_pairs: partners.len(),
        ..LabelledReport::default()
    };
    let mut seen = BTreeSet::new();
    for s in &suggestions {
        // Suggestions of one market are in order, so its first is its best.
        let k = s.a.market.as_str();
        if !seen.insert(k) {
            continue;
        }
        let top = s;
        let p = top.b.market.as_str();
        let offered = top.relation.is_tradable();
        let labelled = label(k, p);
        if offered {
            report.top1_offered += 1;
            if labelled.is_some_and(|l| l.relation.is_tradable()) {
                report.top1_correct += 1;
            }
        }
        if let Some(partner) = partners.get(k)
            && partner.polymarket == p
            && offered
        {
            report.recall_hits += 1;
            if top.relation == partner.relation {
                report.polarity_correct += 1;
            }
        }
        if let Some(l) = labelled
            && !l.relation.is_tradable()
            && (offered || partners.contains_key(k))
        {
            report.traps_first.push((k.to_owned(), p.to_owned()));
        }
    }
    for l in &set.labels {
        let (Some(a), Some(b)) = (
            market(&set.kalshi, &l.kalshi),
            market(&set.polymarket, &l.polymarket),
        ) else {
            continue;
        };
        let reading = matcher.relate(a, b, set.now);
        if reading.relation == l.relation {
            report.relation_exact += 1;
        }
        if !l.relation.is_tradable() && reading.relation.is_tradable() {
            report
                .traps_tradable
                .push((l.kalshi.clone(), l.polymarket.clone()));
        }
        for &kind in &l.warnings {
            if !reading.settlement.iter().any(|w| w.kind == kind) {
                report
                    .missing_warnings
                    .push((l.kalshi.clone(), l.polymarket.clone(), kind));
            }
        }
    }
    report
}

/// The market with id `id`.
fn market<'m>(list: &'m [Market], id: &str) -> Option<&'m Market> {
    list.iter().find(|m| m.key.market.as_str() == id)
}
