//! How two markets settle relative to each other: every difference in their titles and rules
//! becomes a named [`SettlementWarning`], and the differences decide the [`Relation`].
//!
//! A difference either leaves the pair tradable with a warning (a boundary written "above" vs
//! "or above", a tie clause only one side states, close times apart) or makes it untradable:
//! the earlier of two deadlines, the higher of two "above" thresholds, a closing price vs "at
//! any time" or a band vs a tail settle YES only when the other does (subset/superset); another
//! index, station, time or tie rule leaves states where one settles YES and the other NO
//! (overlapping); other names, dates or thresholds are different events.

use super::compare::{self, DateCheck, NumberCheck};
use super::dates::DateMention;
use super::features::MarketFeatures;
use super::numbers::{Direction, Threshold};
use super::polarity::PolarityCall;
use super::prepared::Prepared;
use super::rules::{self, Scope};
use super::score::Assessment;
use crate::model::{Polarity, Relation, SettlementWarning, WarningKind};

/// What the differences make of a pair, from least to most serious.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Finding {
    /// A settles YES only if B does.
    Subset,
    /// B settles YES only if A does.
    Superset,
    /// Each can settle YES without the other.
    Overlap,
    /// Different events.
    Different,
}

/// The settlement reading of a pair.
#[derive(Clone, PartialEq, Debug)]
pub(crate) struct Settlement {
    pub(crate) relation: Relation,
    pub(crate) warnings: Vec<SettlementWarning>,
    /// Multiplies the score: untradable pairs rank below tradable ones.
    pub(crate) mult: f64,
}

#[derive(Default)]
struct Reader {
    warnings: Vec<SettlementWarning>,
    finding: Option<Finding>,
}

impl Reader {
    fn warn(&mut self, kind: WarningKind, a: impl Into<String>, b: impl Into<String>) {
        let w = SettlementWarning {
            kind,
            a: a.into(),
            b: b.into(),
        };
        if !self.warnings.contains(&w) {
            self.warnings.push(w);
        }
    }

    fn find(&mut self, f: Finding) {
        self.finding = Some(match (self.finding, f) {
            (None, f) => f,
            (Some(Finding::Subset), Finding::Superset)
            | (Some(Finding::Superset), Finding::Subset) => Finding::Overlap,
            (Some(old), f) => old.max(f),
        });
    }
}

const SILENT: &str = "(not stated)";

fn list(ts: &[Threshold]) -> String {
    if ts.is_empty() {
        SILENT.to_owned()
    } else {
        ts.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A range written as two numbers without comparators ("between 120 and 125", "120-125").
fn band(ts: &[Threshold]) -> Option<(f64, f64)> {
    let plain: Vec<&Threshold> = ts.iter().filter(|t| t.direction.is_none()).collect();
    match plain.as_slice() {
        [lo, hi, ..] if lo.value < hi.value => Some((lo.value, hi.value)),
        _ => None,
    }
}

fn tail(ts: &[Threshold]) -> Option<&Threshold> {
    ts.iter().find(|t| t.direction.is_some())
}

/// How the band `[lo, hi]` (both ends included) relates to the tail `t`: inside it (subset),
/// outside it (different) or across its edge (overlapping).
fn band_in_tail((lo, hi): (f64, f64), t: &Threshold) -> Finding {
    let cut = t.cut();
    // Whether a value on the cut itself is in the tail (only for continuous quantities).
    let edge_in = t.inclusive && !t.is_discrete();
    let on_cut = |x: f64| (x - cut).abs() <= 1e-9 * cut.abs().max(1.0);
    // Strictly beyond the cut on the `above` side, or on it when the edge counts that way.
    let past = |x: f64, above: bool, edge: bool| {
        if on_cut(x) { edge } else { (x > cut) == above }
    };
    let (inside, outside) = match t.direction {
        Some(Direction::Above) => (past(lo, true, edge_in), past(hi, false, !edge_in)),
        Some(Direction::Below) => (past(hi, false, edge_in), past(lo, true, !edge_in)),
        None => (false, true),
    };
    if inside {
        Finding::Subset
    } else if outside {
        Finding::Different
    } else {
        Finding::Overlap
    }
}

/// Two tails in the same direction: which one is inside the other.
fn nested_tails(x: &Threshold, y: &Threshold) -> Option<Finding> {
    let comparable = x.unit == y.unit;
    match (x.direction, y.direction) {
        (Some(Direction::Above), Some(Direction::Above)) if comparable => {
            Some(if x.cut() > y.cut() {
                Finding::Subset
            } else {
                Finding::Superset
            })
        }
        (Some(Direction::Below), Some(Direction::Below)) if comparable => {
            Some(if x.cut() < y.cut() {
                Finding::Subset
            } else {
                Finding::Superset
            })
        }
        _ => None,
    }
}

fn numbers(r: &mut Reader, check: &NumberCheck, ta: &[Threshold], tb: &[Threshold]) {
    match check {
        NumberCheck::Differ { a, b } => {
            if let (Some(x), Some(y)) = (tail(a), tail(b))
                && let Some(f) = nested_tails(x, y)
            {
                r.warn(WarningKind::Threshold, list(ta), list(tb));
                r.find(f);
            } else if let Some(f) = band_vs_tail(r, ta, tb) {
                r.find(f);
            } else {
                r.warn(WarningKind::Threshold, list(ta), list(tb));
                r.find(Finding::Different);
            }
        }
        NumberCheck::Subset { .. } => {
            if let Some(f) = band_vs_tail(r, ta, tb) {
                r.find(f);
            }
        }
        NumberCheck::OneSilent { .. } => {
            // A count, amount or cut on one side only: another question ("pardon 100–499
            // people" vs "pardon Do Kwon").
            r.warn(WarningKind::Threshold, list(ta), list(tb));
            r.find(Finding::Different);
        }
        NumberCheck::BothSilent | NumberCheck::Same { .. } => {}
    }
    for (x, y) in check.pairs() {
        if x.direction.is_some()
            && y.direction.is_some()
            && x.inclusive != y.inclusive
            && !x.is_discrete()
        {
            r.warn(WarningKind::Comparator, x.to_string(), y.to_string());
        }
    }
}

/// A band on one side and a tail on the other: the band is inside the tail or they differ.
fn band_vs_tail(r: &mut Reader, ta: &[Threshold], tb: &[Threshold]) -> Option<Finding> {
    let finding = match (band(ta), band(tb), tail(ta), tail(tb)) {
        (Some(bd), None, _, Some(t)) => band_in_tail(bd, t),
        (None, Some(bd), Some(t), _) => match band_in_tail(bd, t) {
            Finding::Subset => Finding::Superset,
            other => other,
        },
        _ => return None,
    };
    r.warn(WarningKind::BandVsTail, list(ta), list(tb));
    Some(finding)
}

/// Same last day, but one counts only from a later first day ("in March" vs "before April").
fn windows(r: &mut Reader, a: &MarketFeatures, b: &MarketFeatures) {
    let (Some(x), Some(y)) = (compare::key_date(a), compare::key_date(b)) else {
        return;
    };
    // A scheduled event's month names the event, not a window.
    if x.date != y.date || x.starts == y.starts || x.whole_month || y.whole_month {
        return;
    }
    let show = |d: &DateMention| match d.starts {
        Some(s) => format!("from {s} to {}", d.date),
        None => format!("until {}", d.date),
    };
    r.warn(WarningKind::Date, show(&x), show(&y));
    let later_a = match (x.starts, y.starts) {
        (Some(sa), Some(sb)) => sa > sb,
        (Some(_), None) => true,
        _ => false,
    };
    r.find(if later_a {
        Finding::Subset
    } else {
        Finding::Superset
    });
}

fn dates(r: &mut Reader, check: &DateCheck) {
    if let DateCheck::Differ {
        a,
        b,
        both_deadlines,
        ..
    } = *check
    {
        r.warn(WarningKind::Date, a.to_string(), b.to_string());
        r.find(match (both_deadlines, a < b) {
            (true, true) => Finding::Subset,
            (true, false) => Finding::Superset,
            (false, _) => Finding::Different,
        });
    }
}

fn rules_facts(r: &mut Reader, x: &Prepared<'_>, y: &Prepared<'_>) {
    let (fa, fb) = (&x.rules, &y.rules);
    // A word both titles use is the subject ("Bitcoin"), not a source.
    let title_word = |w: &str| {
        x.features.tokens.iter().any(|t| t == w) && y.features.tokens.iter().any(|t| t == w)
    };
    for (kind, la, lb) in [
        (WarningKind::Source, &fa.sources, &fb.sources),
        (WarningKind::Location, &fa.locations, &fb.locations),
    ] {
        if !la.is_empty() && !lb.is_empty() && rules::disjoint(la, lb, &title_word) {
            r.warn(kind, rules::names_text(la), rules::names_text(lb));
            r.find(Finding::Overlap);
        }
    }
    if let (Some(ta), Some(tb)) = (&fa.time, &fb.time) {
        if let (Some(za), Some(zb)) = (ta.zone, tb.zone)
            && za != zb
        {
            r.warn(WarningKind::TimeZone, ta.text.clone(), tb.text.clone());
            r.find(Finding::Overlap);
        } else if ta.minutes != tb.minutes {
            r.warn(WarningKind::Time, ta.text.clone(), tb.text.clone());
            r.find(Finding::Overlap);
        }
    }
    match (&fa.tie, &fb.tie) {
        (Some(a), Some(b)) if a.outcome != b.outcome => {
            r.warn(WarningKind::Tie, a.text.clone(), b.text.clone());
            r.find(Finding::Overlap);
        }
        (Some(a), None) => r.warn(WarningKind::Tie, a.text.clone(), SILENT),
        (None, Some(b)) => r.warn(WarningKind::Tie, SILENT, b.text.clone()),
        _ => {}
    }
    if let (Some(a), Some(b)) = (&fa.void, &fb.void)
        && a.outcome != b.outcome
    {
        r.warn(WarningKind::Void, a.text.clone(), b.text.clone());
    }
    if let (Some(sa), Some(sb)) = (fa.scope, fb.scope)
        && sa != sb
    {
        r.warn(WarningKind::Scope, sa.text(), sb.text());
        r.find(if sa == Scope::AtMoment {
            Finding::Subset
        } else {
            Finding::Superset
        });
    }
}

/// Reads the settlement of `x` (venue A) against `y` (venue B).
pub(crate) fn read(
    x: &Prepared<'_>,
    y: &Prepared<'_>,
    assessment: &Assessment,
    polarity: &PolarityCall,
) -> Settlement {
    let mut r = Reader::default();
    dates(&mut r, &assessment.dates);
    if assessment.dates == DateCheck::Same {
        windows(&mut r, &x.features, &y.features);
    }
    let (ea, eb) = (&x.features.editions, &y.features.editions);
    if !ea.is_empty() && !eb.is_empty() && ea != eb {
        let show = |e: &[u32]| {
            e.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        r.warn(
            WarningKind::Date,
            format!("edition {}", show(ea)),
            format!("edition {}", show(eb)),
        );
        r.find(Finding::Different);
    }
    numbers(
        &mut r,
        &assessment.numbers,
        &x.features.thresholds,
        &y.features.thresholds,
    );
    if assessment.entities.conflict() {
        r.warn(
            WarningKind::Names,
            assessment.entities.only_a.join(" "),
            assessment.entities.only_b.join(" "),
        );
        r.find(Finding::Different);
    }
    if assessment.actions.conflict {
        r.warn(
            WarningKind::Action,
            x.features.actions.join(" "),
            y.features.actions.join(" "),
        );
        r.find(Finding::Different);
    }
    rules_facts(&mut r, x, y);
    if assessment.close_gap.num_hours() >= 48 {
        r.warn(
            WarningKind::CloseTime,
            x.market.close_time.to_rfc3339(),
            y.market.close_time.to_rfc3339(),
        );
    }
    for (m, who) in [(x.market, "A"), (y.market, "B")] {
        if m.rules.trim().is_empty() {
            let (a, b) = if who == "A" {
                ("(empty)", "")
            } else {
                ("", "(empty)")
            };
            r.warn(WarningKind::MissingRules, a, b);
        }
    }
    let (relation, mult) = match r.finding {
        None if polarity.polarity == Polarity::Inverse => (Relation::Inverse, 1.0),
        None => (Relation::Equivalent, 1.0),
        Some(Finding::Subset) => (Relation::Subset, 0.7),
        Some(Finding::Superset) => (Relation::Superset, 0.7),
        Some(Finding::Overlap) => (Relation::Overlapping, 0.75),
        Some(Finding::Different) => (Relation::Different, 0.6),
    };
    Settlement {
        relation,
        warnings: r.warnings,
        mult,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::Unit;

    fn t(value: f64, unit: Unit, direction: Option<Direction>, inclusive: bool) -> Threshold {
        Threshold {
            value,
            unit,
            direction,
            inclusive,
        }
    }

    #[test]
    fn bands_inside_across_and_outside_tails() {
        let above_3 = t(3.0, Unit::Percent, Some(Direction::Above), false);
        assert_eq!(band_in_tail((3.1, 3.2), &above_3), Finding::Subset);
        assert_eq!(
            band_in_tail((3.0, 3.1), &above_3),
            Finding::Overlap,
            "3.0 itself is not above 3.0"
        );
        assert_eq!(band_in_tail((2.5, 2.9), &above_3), Finding::Different);
        let at_least_51 = t(51.0, Unit::Degree, Some(Direction::Above), true);
        assert_eq!(band_in_tail((50.0, 51.0), &at_least_51), Finding::Overlap);
        assert_eq!(band_in_tail((52.0, 53.0), &at_least_51), Finding::Subset);
    }

    #[test]
    fn the_stricter_tail_is_the_subset() {
        let above = |v| t(v, Unit::Dollar, Some(Direction::Above), false);
        let below = |v| t(v, Unit::Dollar, Some(Direction::Below), false);
        assert_eq!(
            nested_tails(&above(125.0), &above(120.0)),
            Some(Finding::Subset)
        );
        assert_eq!(
            nested_tails(&above(120.0), &above(125.0)),
            Some(Finding::Superset)
        );
        assert_eq!(
            nested_tails(&below(70.0), &below(80.0)),
            Some(Finding::Subset)
        );
        assert_eq!(nested_tails(&above(70.0), &below(80.0)), None);
    }

    #[test]
    fn subset_and_superset_together_overlap() {
        let mut r = Reader::default();
        r.find(Finding::Subset);
        r.find(Finding::Superset);
        assert_eq!(r.finding, Some(Finding::Overlap));
        r.find(Finding::Different);
        assert_eq!(r.finding, Some(Finding::Different));
    }
}
