//! What a person needs to decide: settlement-relevant fields side by side and plain warnings.

use chrono::Duration;

use super::compare::{DateCheck, NumberCheck};
use super::features::MarketFeatures;
use super::numbers::{Threshold, format_value};
use super::polarity::PolarityCall;
use super::score::Assessment;
use crate::model::{FieldDiff, Market, Polarity};

fn diff(field: &str, a: String, b: String) -> FieldDiff {
    FieldDiff {
        field: field.to_owned(),
        a,
        b,
    }
}

fn list_thresholds(ts: &[Threshold]) -> String {
    if ts.is_empty() {
        "(none)".to_owned()
    } else {
        ts.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn list_values(ts: &[Threshold]) -> String {
    ts.iter()
        .map(|t| format_value(t.value, t.unit))
        .collect::<Vec<_>>()
        .join(", ")
}

fn deadline_text(f: &MarketFeatures) -> String {
    let mut dates: Vec<String> = f.dates.iter().map(|d| d.date.to_string()).collect();
    dates.dedup();
    if dates.is_empty() {
        "(none)".to_owned()
    } else {
        dates.join(", ")
    }
}

/// Side-by-side close time, rules, resolution source, and the dates and thresholds extracted.
pub(crate) fn diffs(
    a: &Market,
    b: &Market,
    fa: &MarketFeatures,
    fb: &MarketFeatures,
) -> Vec<FieldDiff> {
    let source = |m: &Market| {
        m.resolution_source
            .clone()
            .unwrap_or_else(|| "(none)".to_owned())
    };
    vec![
        diff(
            "close_time",
            a.close_time.to_rfc3339(),
            b.close_time.to_rfc3339(),
        ),
        diff("rules", a.rules.clone(), b.rules.clone()),
        diff("resolution_source", source(a), source(b)),
        diff("dates", deadline_text(fa), deadline_text(fb)),
        diff(
            "thresholds",
            list_thresholds(&fa.thresholds),
            list_thresholds(&fb.thresholds),
        ),
    ]
}

/// "3 days", "1 day", "5 hours".
fn span_text(gap: Duration) -> Option<String> {
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    if gap.num_days() >= 1 {
        Some(plural(gap.num_days(), "day"))
    } else if gap.num_hours() >= 1 {
        Some(plural(gap.num_hours(), "hour"))
    } else {
        None
    }
}

/// Every warning for a pair, most serious first.
pub(crate) fn warnings(
    (a, fa): (&Market, &MarketFeatures),
    (b, fb): (&Market, &MarketFeatures),
    assessment: &Assessment,
    polarity: &PolarityCall,
) -> Vec<String> {
    let mut out = Vec::new();
    match assessment.dates {
        DateCheck::Differ { a, b, deadline } => {
            let what = if deadline { "deadlines" } else { "dates" };
            out.push(format!("different {what}: {a} vs {b}"));
        }
        DateCheck::OneSilent { a, b } => {
            if let Some((who, date)) = a.map(|d| ("A", d)).or(b.map(|d| ("B", d))) {
                out.push(format!(
                    "only market {who} states a date ({date}): check the other's rules"
                ));
            }
        }
        DateCheck::BothSilent | DateCheck::Same => {}
    }
    match &assessment.numbers {
        NumberCheck::Differ { a, b } => {
            let what = if a.iter().chain(b).any(|t| t.direction.is_some()) {
                "thresholds"
            } else {
                "numbers"
            };
            out.push(format!(
                "different {what}: {} vs {}",
                list_values(a),
                list_values(b)
            ));
        }
        NumberCheck::OneSilent { a, b } => {
            let (who, ts) = if a.is_empty() { ("B", b) } else { ("A", a) };
            out.push(format!(
                "only market {who} states a number ({}): check the other's rules",
                list_values(ts)
            ));
        }
        NumberCheck::BothSilent | NumberCheck::Same { .. } | NumberCheck::Subset { .. } => {}
    }
    if assessment.entities.conflict() {
        out.push(format!(
            "different names: {} vs {}",
            assessment.entities.only_a.join(" "),
            assessment.entities.only_b.join(" ")
        ));
    }
    if assessment.actions.conflict {
        out.push(format!(
            "different actions: {} vs {}",
            fa.actions.join(" "),
            fb.actions.join(" ")
        ));
    }
    for (x, y) in assessment.numbers.pairs() {
        if x.direction.is_some()
            && y.direction.is_some()
            && x.inclusive != y.inclusive
            && !x.is_discrete()
        {
            out.push(format!("threshold boundary differs: {x} vs {y}"));
        }
    }
    if let Some(span) = span_text(assessment.close_gap) {
        out.push(format!("close times differ by {span}"));
    }
    match (&a.resolution_source, &b.resolution_source) {
        (Some(x), Some(y)) if !x.trim().eq_ignore_ascii_case(y.trim()) => {
            out.push(format!("resolution sources differ: {x} vs {y}"));
        }
        (Some(_), None) => out.push("only market A names a resolution source".to_owned()),
        (None, Some(_)) => out.push("only market B names a resolution source".to_owned()),
        _ => {}
    }
    for (m, who) in [(a, "A"), (b, "B")] {
        if m.rules.trim().is_empty() {
            out.push(format!("market {who} has no rules text"));
        }
    }
    if polarity.polarity == Polarity::Inverse {
        out.push(format!(
            "suggested polarity is inverse (A YES = B NO): {}",
            polarity.reasons.join("; ")
        ));
    } else if !polarity.reasons.is_empty() {
        out.push(format!(
            "polarity signals cancel out, suggested same: {}",
            polarity.reasons.join("; ")
        ));
    }
    out
}
