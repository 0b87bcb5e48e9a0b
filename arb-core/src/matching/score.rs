//! The 0–100 score: a weighted sum of similarities, multiplied down hard by contradictions
//! (different deadlines, different thresholds, different names).
//!
//! In [`ScorePart`]s, parts with a weight are summed (weights add up to 1); parts named
//! `penalty: …` have weight 0 and multiply the sum by `score / 100`.

use chrono::Duration;

use super::compare::{self, ActionCheck, DateCheck, EntityCheck, NumberCheck};
use super::polarity;
use super::prepared::{Catalogue, Prepared};
use crate::model::ScorePart;

const W_TITLE: f64 = 0.15;
const W_TOKENS: f64 = 0.40;
const W_ENTITIES: f64 = 0.15;
const W_DATES: f64 = 0.15;
const W_NUMBERS: f64 = 0.10;
const W_CLOSE: f64 = 0.05;

/// The score of a pair and the comparisons behind it.
#[derive(Clone, PartialEq, Debug)]
pub(crate) struct Assessment {
    pub(crate) score: f64,
    pub(crate) parts: Vec<ScorePart>,
    pub(crate) dates: DateCheck,
    pub(crate) numbers: NumberCheck,
    pub(crate) entities: EntityCheck,
    pub(crate) actions: ActionCheck,
    pub(crate) close_gap: Duration,
}

fn part(name: &str, score: f64, weight: f64) -> ScorePart {
    ScorePart {
        name: name.to_owned(),
        score,
        weight,
    }
}

/// IDF-weighted overlap of the two token sets, 0–100 (mean of Dice and overlap coefficient).
fn token_overlap(a: &Prepared<'_>, b: &Prepared<'_>, cat: &Catalogue) -> f64 {
    let (mut i, mut j, mut shared) = (0, 0, 0.0);
    while i < a.ids.len() && j < b.ids.len() {
        match a.ids[i].cmp(&b.ids[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += cat.idf(a.ids[i]);
                i += 1;
                j += 1;
            }
        }
    }
    // A title word the other market only has in its rules ("Lakers" for "Los Angeles L")
    // counts half.
    for (x, y) in [(a, b), (b, a)] {
        for (word, id) in x
            .features
            .tokens
            .iter()
            .filter_map(|w| cat.id(w).map(|id| (w, id)))
        {
            if y.ids.binary_search(&id).is_err() && cat.mentions(y, word) {
                shared += 0.25 * cat.idf(id);
            }
        }
    }
    if a.weight <= 0.0 || b.weight <= 0.0 {
        return 0.0;
    }
    let dice = (2.0 * shared / (a.weight + b.weight)).min(1.0);
    let overlap = (shared / a.weight.min(b.weight)).min(1.0);
    100.0 * (dice + overlap) / 2.0
}

/// Scores `a` against `b`, or `None` when even a perfect title match could not reach `min_score`
/// (the string comparison is skipped then).
pub(crate) fn assess(
    a: &Prepared<'_>,
    b: &Prepared<'_>,
    cat: &Catalogue,
    close_window: Duration,
    min_score: f64,
) -> Option<Assessment> {
    let dates = compare::dates(&a.features, &b.features);
    let numbers = compare::numbers(&a.features, &b.features);
    let mut entities = compare::entities(&a.features, &b.features, &|w| cat.mentions(a, w), &|w| {
        cat.mentions(b, w)
    });
    if let Some(sides) = polarity::two_way_sides(a, b) {
        // Opposite candidates of a two-way race are complements, not different names.
        let on_a_side = |w: &String| sides.0.contains(w) || sides.1.contains(w);
        entities.only_a.retain(|w| !on_a_side(w));
        entities.only_b.retain(|w| !on_a_side(w));
    }
    let actions = compare::actions(&a.features, &b.features, &|w| cat.mentions(a, w), &|w| {
        cat.mentions(b, w)
    });
    let close_gap = (a.market.close_time - b.market.close_time).abs();

    let tokens = token_overlap(a, b, cat);
    let entity_score = entities.coverage.map_or(70.0, |c| 100.0 * c);
    let (date_score, date_mult) = match dates {
        DateCheck::BothSilent => (70.0, 1.0),
        DateCheck::OneSilent { .. } => (50.0, 0.9),
        DateCheck::Same => (100.0, 1.0),
        DateCheck::Differ { a, b, .. } if (a - b).num_days().abs() <= 1 => (30.0, 0.7),
        DateCheck::Differ { .. } => (0.0, 0.35),
    };
    let (number_score, number_mult) = match numbers {
        NumberCheck::BothSilent => (70.0, 1.0),
        NumberCheck::OneSilent { .. } => (50.0, 0.85),
        NumberCheck::Same { .. } => (100.0, 1.0),
        NumberCheck::Subset { .. } => (75.0, 1.0),
        NumberCheck::Differ { .. } => (0.0, 0.4),
    };
    let entity_mult = if entities.conflict() { 0.6 } else { 1.0 };
    let action_mult = if actions.conflict { 0.6 } else { 1.0 };
    let window_secs = close_window.num_seconds().max(1) as f64;
    let close_score = 100.0 * (1.0 - close_gap.num_seconds() as f64 / window_secs).clamp(0.0, 1.0);

    let without_title = W_TOKENS * tokens
        + W_ENTITIES * entity_score
        + W_DATES * date_score
        + W_NUMBERS * number_score
        + W_CLOSE * close_score;
    let mult = date_mult * number_mult * entity_mult * action_mult;
    if (without_title + W_TITLE * 100.0) * mult < min_score {
        return None;
    }
    let title = 100.0 * strsim::jaro_winkler(&a.text, &b.text);
    let score = ((without_title + W_TITLE * title) * mult).clamp(0.0, 100.0);

    let mut parts = vec![
        part("title", title, W_TITLE),
        part("tokens", tokens, W_TOKENS),
        part("entities", entity_score, W_ENTITIES),
        part("dates", date_score, W_DATES),
        part("numbers", number_score, W_NUMBERS),
        part("close_time", close_score, W_CLOSE),
    ];
    for (name, m) in [
        ("penalty: dates differ", date_mult),
        ("penalty: numbers differ", number_mult),
        ("penalty: names differ", entity_mult),
        ("penalty: actions differ", action_mult),
    ] {
        if m < 1.0 {
            parts.push(part(name, 100.0 * m, 0.0));
        }
    }
    Some(Assessment {
        score,
        parts,
        dates,
        numbers,
        entities,
        actions,
        close_gap,
    })
}
