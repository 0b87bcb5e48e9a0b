//! Which of B's outcomes matches A's YES: the same (YES↔YES) or the opposite (YES↔NO).
//! Only a suggestion with its reasons: a person confirms it.

use super::compare::NumberCheck;
use super::features::MarketFeatures;
use crate::model::Polarity;

/// A suggested polarity and why.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct PolarityCall {
    pub(crate) polarity: Polarity,
    /// Each reason flips YES↔NO once.
    pub(crate) reasons: Vec<String>,
}

/// Which side of a two-way contest `subject` is on, if exactly one.
fn side_of(subject: &[String], sides: &(Vec<String>, Vec<String>)) -> Option<usize> {
    let on = |side: &Vec<String>| subject.iter().any(|w| side.contains(w));
    match (on(&sides.0), on(&sides.1)) {
        (true, false) => Some(0),
        (false, true) => Some(1),
        _ => None,
    }
}

pub(crate) fn suggest(
    a: &MarketFeatures,
    b: &MarketFeatures,
    numbers: &NumberCheck,
) -> PolarityCall {
    let mut reasons = Vec::new();
    for (x, y) in numbers.complements() {
        reasons.push(format!("complementary thresholds: {x} vs {y}"));
    }
    if let Some(sides) = a.sides.as_ref().or(b.sides.as_ref())
        && let (Some(sa), Some(sb)) = (side_of(&a.subject, sides), side_of(&b.subject, sides))
        && sa != sb
    {
        reasons.push(format!(
            "opposite sides of a two-way contest: {} vs {}",
            a.subject.join(" "),
            b.subject.join(" ")
        ));
    }
    if a.negated != b.negated {
        let which = if a.negated { "A" } else { "B" };
        reasons.push(format!(
            "market {which}'s YES is the negative outcome (\"No\" / \"lose\")"
        ));
    }
    let polarity = if reasons.len() % 2 == 1 {
        Polarity::Inverse
    } else {
        Polarity::Same
    };
    PolarityCall { polarity, reasons }
}
