//! Which of B's outcomes matches A's YES: the same (YES↔YES) or the opposite (YES↔NO).
//! Only a suggestion with its reasons: a person confirms it.

use super::compare::NumberCheck;
use super::prepared::Prepared;
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

/// The two sides of a two-way contest both markets are about, with their subjects on opposite
/// sides: from either title ("X vs Y") or either rules text ("the runoff is between X and Y").
pub(crate) fn two_way_sides<'p>(
    x: &'p Prepared<'_>,
    y: &'p Prepared<'_>,
) -> Option<&'p (Vec<String>, Vec<String>)> {
    let (a, b) = (&x.features, &y.features);
    [&a.sides, &b.sides, &x.rules.sides, &y.rules.sides]
        .into_iter()
        .flatten()
        .find(|sides| {
            matches!(
                (side_of(&a.subject, sides), side_of(&b.subject, sides)),
                (Some(sa), Some(sb)) if sa != sb
            )
        })
}

pub(crate) fn suggest(x: &Prepared<'_>, y: &Prepared<'_>, numbers: &NumberCheck) -> PolarityCall {
    let (a, b) = (&x.features, &y.features);
    let mut reasons = Vec::new();
    // However many spellings of one threshold a market has, complementary ones flip once.
    if let Some((p, q)) = numbers.complements().first() {
        reasons.push(format!("complementary thresholds: {p} vs {q}"));
    }
    if two_way_sides(x, y).is_some() {
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
