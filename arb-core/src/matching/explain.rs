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

/// The warnings not already named as settlement differences (see `settle`): a date or number
/// only one side states, close times apart, resolution source fields, the polarity call.
pub(crate) fn warnings(
    (a, _): (&Market, &MarketFeatures),
    (b, _): (&Market, &MarketFeatures),
    assessment: &Assessment,
    polarity: &PolarityCall,
) -> Vec<String> {
    let mut out = Vec::new();
    if let DateCheck::OneSilent { a, b } = assessment.dates
        && let Some((who, date)) = a.map(|d| ("A", d)).or(b.map(|d| ("B", d)))
    {
        out.push(format!(
            "only market {who} states a date ({date}): check the other's rules"
        ));
    }
    if let NumberCheck::OneSilent { a, b } = &assessment.numbers {
        let (who, ts) = if a.is_empty() { ("B", b) } else { ("A", a) };
        out.push(format!(
            "only market {who} states a number ({}): check the other's rules",
            list_values(ts)
        ));
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
