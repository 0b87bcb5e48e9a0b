//! Numbers and thresholds in market text: "$100k" = "100,000" = 100000, "above 4.5%",
//! "at least 6", "5 or fewer", "120-139".

use std::fmt;

use super::text::{Lex, Unit};

/// Which side of a threshold resolves YES.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Direction {
    /// YES above the threshold ("above", "at least", "or more", "6+").
    Above,
    /// YES below the threshold ("below", "at most", "or fewer").
    Below,
}

/// A number found in a market's text, with its comparator when it has one.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct Threshold {
    /// The value, scaled ("$1.5m" → 1 500 000).
    pub value: f64,
    /// Its unit.
    pub unit: Unit,
    /// The comparator, if any.
    pub direction: Option<Direction>,
    /// Whether the value itself counts ("at least", "or fewer") rather than only beyond it.
    pub inclusive: bool,
}

impl Threshold {
    /// Where YES and NO meet. For small whole counts "at least 6" and "more than 5" cut at 5.5,
    /// so "at least 6" and "5 or fewer" share a cut (one is the other's complement); other
    /// quantities cut at their value.
    #[must_use]
    pub fn cut(&self) -> f64 {
        match (self.is_discrete(), self.direction, self.inclusive) {
            (true, Some(Direction::Above), true) | (true, Some(Direction::Below), false) => {
                self.value - 0.5
            }
            (true, Some(Direction::Above), false) | (true, Some(Direction::Below), true) => {
                self.value + 0.5
            }
            _ => self.value,
        }
    }

    /// Whether this counts whole things (a small whole number without a unit, or whole degrees
    /// as weather reports give them), so "at least 6" equals "more than 5".
    #[must_use]
    pub fn is_discrete(&self) -> bool {
        matches!(self.unit, Unit::Count | Unit::Degree)
            && self.value.fract() == 0.0
            && self.value.abs() < 10_000.0
    }

    /// Whether both name the same cut in compatible units (a bare number is compatible with any unit).
    #[must_use]
    pub fn same_cut(&self, other: &Self) -> bool {
        let units =
            self.unit == other.unit || self.unit == Unit::Count || other.unit == Unit::Count;
        units && (self.cut() - other.cut()).abs() <= 1e-9 * self.cut().abs().max(1.0)
    }
}

/// The value alone, compactly: `100k`, `$2.5`, `4.5%`, `1.5m`.
pub(crate) fn format_value(value: f64, unit: Unit) -> String {
    let compact = |v: f64| {
        let trim = |s: String| {
            if s.contains('.') {
                s.trim_end_matches('0').trim_end_matches('.').to_owned()
            } else {
                s
            }
        };
        let abs = v.abs();
        if abs >= 1e9 && (v / 1e9 * 100.0).fract() == 0.0 {
            format!("{}b", trim(format!("{:.3}", v / 1e9)))
        } else if abs >= 1e6 && (v / 1e6 * 100.0).fract() == 0.0 {
            format!("{}m", trim(format!("{:.3}", v / 1e6)))
        } else if abs >= 1e3 && (v / 1e3 * 100.0).fract() == 0.0 {
            format!("{}k", trim(format!("{:.3}", v / 1e3)))
        } else {
            trim(format!("{v:.4}"))
        }
    };
    match unit {
        Unit::Count => compact(value),
        Unit::Dollar => format!("${}", compact(value)),
        Unit::Percent => format!("{}%", compact(value)),
        Unit::Degree => format!("{}°", compact(value)),
    }
}

impl fmt::Display for Threshold {
    /// The threshold as a phrase: `at least 6`, `5 or fewer`, `above 4.5%`, `$100k`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = format_value(self.value, self.unit);
        match (self.direction, self.inclusive) {
            (None, _) => f.write_str(&v),
            (Some(Direction::Above), true) => write!(f, "at least {v}"),
            (Some(Direction::Above), false) => write!(f, "above {v}"),
            (Some(Direction::Below), true) => write!(f, "{v} or fewer"),
            (Some(Direction::Below), false) => write!(f, "below {v}"),
        }
    }
}

/// The comparator written before a number, and how many words it spans.
fn comparator_before(toks: &[Lex], i: usize, used: &[bool]) -> Option<(Direction, bool, usize)> {
    let w = |back: usize| {
        i.checked_sub(back)
            .filter(|&j| !used[j])
            .and_then(|j| toks[j].word())
    };
    use Direction::{Above, Below};
    if let Some(Lex::Cmp { above, inclusive }) = i.checked_sub(1).map(|j| &toks[j]) {
        return Some((if *above { Above } else { Below }, *inclusive, 1));
    }
    match (w(3), w(2), w(1)) {
        (Some("at"), Some("or"), Some("above" | "higher" | "more")) => Some((Above, true, 3)),
        (Some("at"), Some("or"), Some("below" | "lower" | "less")) => Some((Below, true, 3)),
        (Some("no"), Some("more" | "greater" | "higher"), Some("than")) => Some((Below, true, 3)),
        (Some("no"), Some("less" | "fewer" | "lower"), Some("than")) => Some((Above, true, 3)),
        (_, Some("at"), Some("least")) => Some((Above, true, 2)),
        (_, Some("at"), Some("most")) => Some((Below, true, 2)),
        (_, Some("more" | "greater" | "higher"), Some("than")) => Some((Above, false, 2)),
        (_, Some("less" | "fewer" | "lower"), Some("than")) => Some((Below, false, 2)),
        (_, _, Some("above" | "over" | "exceed" | "exceeds" | "exceeding" | "beyond")) => {
            Some((Above, false, 1))
        }
        (_, _, Some("reach" | "reaches" | "hit" | "hits" | "least")) => Some((Above, true, 1)),
        (_, _, Some("below" | "under" | "beneath")) => Some((Below, false, 1)),
        _ => None,
    }
}

/// The comparator written after a number ("or more", "+"), and how many tokens it spans.
fn comparator_after(toks: &[Lex], i: usize) -> Option<(Direction, bool, usize)> {
    match (toks.get(i + 1), toks.get(i + 2).and_then(Lex::word)) {
        (Some(Lex::Plus), _) => Some((Direction::Above, true, 1)),
        (Some(or), Some(w)) if or.word() == Some("or") => match w {
            "more" | "higher" | "above" | "greater" | "over" => Some((Direction::Above, true, 2)),
            "fewer" | "less" | "lower" | "below" | "under" => Some((Direction::Below, true, 2)),
            _ => None,
        },
        _ => None,
    }
}

/// Scale and unit words written after a number ("1.5 million", "45 percent").
fn scale_after(toks: &[Lex], i: usize) -> Option<(f64, Option<Unit>)> {
    match toks.get(i + 1).and_then(Lex::word)? {
        "thousand" => Some((1e3, None)),
        "million" => Some((1e6, None)),
        "billion" => Some((1e9, None)),
        "trillion" => Some((1e12, None)),
        "percent" | "pct" => Some((1.0, Some(Unit::Percent))),
        "dollars" | "usd" => Some((1.0, Some(Unit::Dollar))),
        "degrees" | "degree" => Some((1.0, Some(Unit::Degree))),
        _ => None,
    }
}

/// Finds the numbers in `toks` not already used by dates, marking the tokens they use.
pub(crate) fn extract(toks: &[Lex], used: &mut [bool]) -> Vec<Threshold> {
    let mut found: Vec<Threshold> = Vec::new();
    for i in 0..toks.len() {
        if used[i] {
            continue;
        }
        let Lex::Num { value, unit, .. } = toks[i] else {
            continue;
        };
        let mut t = Threshold {
            value,
            unit,
            direction: None,
            inclusive: false,
        };
        used[i] = true;
        let mut next = i;
        while let Some((scale, new_unit)) = scale_after(toks, next) {
            t.value *= scale;
            if let Some(u) = new_unit {
                t.unit = u;
            }
            next += 1;
            used[next] = true;
        }
        // The second number of a range ("120-139", "between 120 and 139") takes the first's unit.
        let after_dash =
            i >= 2 && matches!(toks[i - 1], Lex::Dash) && matches!(toks[i - 2], Lex::Num { .. });
        let after_and = i >= 2
            && toks[i - 1].word() == Some("and")
            && used[i - 2]
            && matches!(toks[i - 2], Lex::Num { .. });
        if after_dash || after_and {
            if let Some(prev) = found.last().filter(|_| t.unit == Unit::Count) {
                t.unit = prev.unit;
            }
        } else if let Some((dir, inclusive, len)) = comparator_before(toks, i, used) {
            t.direction = Some(dir);
            t.inclusive = inclusive;
            for u in &mut used[i - len..i] {
                *u = true;
            }
        } else if let Some((dir, inclusive, len)) = comparator_after(toks, next) {
            t.direction = Some(dir);
            t.inclusive = inclusive;
            for u in &mut used[next + 1..=next + len] {
                *u = true;
            }
        }
        found.push(t);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::super::text::lex;
    use super::*;

    fn thresholds(text: &str) -> Vec<String> {
        let toks = lex(text);
        let mut used = vec![false; toks.len()];
        extract(&toks, &mut used)
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn same_amount_in_every_spelling() {
        for text in [
            "above $100k",
            "above $100,000",
            "above 100 thousand dollars",
            "over $0.1m",
        ] {
            assert_eq!(thresholds(text), vec!["above $100k"], "{text}");
        }
    }

    #[test]
    fn comparators() {
        assert_eq!(thresholds("at least 6 bills"), vec!["at least 6"]);
        assert_eq!(thresholds("5 or fewer bills"), vec!["5 or fewer"]);
        assert_eq!(thresholds("6+ bills"), vec!["at least 6"]);
        assert_eq!(thresholds("more than 5 bills"), vec!["above 5"]);
        assert_eq!(thresholds("below 4.5%"), vec!["below 4.5%"]);
        assert_eq!(thresholds("no more than 3"), vec!["3 or fewer"]);
        assert_eq!(thresholds("hit 48%"), vec!["at least 48%"]);
        assert_eq!(thresholds("between 120 and 139 posts"), vec!["120", "139"]);
        assert_eq!(thresholds("120-139 posts"), vec!["120", "139"]);
        assert_eq!(thresholds("UFC 327"), vec!["327"]);
        assert_eq!(thresholds("≥ 3.2%"), vec!["at least 3.2%"]);
        assert_eq!(thresholds("> $4"), vec!["above $4"]);
        assert_eq!(thresholds("51° or above"), vec!["at least 51°"]);
        assert_eq!(thresholds("at or above 90 degrees"), vec!["at least 90°"]);
        let one = |text: &str| {
            let toks = lex(text);
            let mut used = vec![false; toks.len()];
            extract(&toks, &mut used)[0]
        };
        assert!(
            one("above 50°").same_cut(&one("51°F or higher")),
            "whole degrees: above 50 is 51 or higher"
        );
    }

    #[test]
    fn complementary_counts_share_a_cut() {
        let toks = lex("at least 6 or 5 or fewer or more than 5 or 4.5% or above 4.5%");
        let mut used = vec![false; toks.len()];
        let t = extract(&toks, &mut used);
        assert!(t[0].same_cut(&t[1]));
        assert!(t[0].same_cut(&t[2]));
        assert!(!t[3].same_cut(&t[0]));
        assert!(t[3].same_cut(&t[4]));
    }

    #[test]
    fn compact_values() {
        assert_eq!(format_value(105_000.0, Unit::Count), "105k");
        assert_eq!(format_value(1_500_000.0, Unit::Dollar), "$1.5m");
        assert_eq!(format_value(2.5, Unit::Dollar), "$2.5");
        assert_eq!(format_value(4.25, Unit::Percent), "4.25%");
        assert_eq!(format_value(327.0, Unit::Count), "327");
        assert_eq!(format_value(7296.0, Unit::Count), "7296");
    }
}
