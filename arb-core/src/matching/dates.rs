//! Dates in market text, normalised to the last day that still counts: "before Jan 1, 2027",
//! "by December 31, 2026", "in 2026", "end of 2026", "12/31/2026" and "this year" (in 2026) all
//! become 2026-12-31.

use chrono::{Datelike, Days, NaiveDate};

use super::text::Lex;

/// One date found in a market's text.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct DateMention {
    /// The normalised date (for a deadline, the last day on which the event still counts).
    pub date: NaiveDate,
    /// Whether the text makes it a deadline ("before", "by", "in", "end of"…) rather than a mention.
    pub deadline: bool,
    /// A scheduled event dated only by its month ("the December 2026 meeting", "Fed decision in
    /// December"): any day of that month names the same event.
    pub whole_month: bool,
    /// A season ("2026-27", "the 2026 season"): `date` is the end of its last year, and a
    /// neighbouring year can name the same season.
    pub season: bool,
    /// A window that opens after today ("in March 2026" read in February): only events from
    /// this day on count, unlike a deadline ("before April 2026") that counts from now.
    pub starts: Option<NaiveDate>,
}

/// How precisely a date was written.
#[derive(Clone, Copy)]
enum Span {
    Day(NaiveDate),
    Month(i32, u32),
    Year(i32),
}

/// The word before a date and what it makes of it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Relation {
    /// "before X": the last day counting is the day before X starts.
    Before,
    /// "by/in/during/end of X": X's last day counts.
    Through,
    /// "after/from/since X": X's first day.
    From,
    /// "on X": the day of an event, not a deadline.
    On,
    /// "in/during X": X's last day counts, and only from X's first day.
    In,
    /// No preposition.
    Bare,
}

const MONTHS: &[(&str, u32)] = &[
    ("apr", 4),
    ("april", 4),
    ("aug", 8),
    ("august", 8),
    ("dec", 12),
    ("december", 12),
    ("feb", 2),
    ("february", 2),
    ("jan", 1),
    ("january", 1),
    ("jul", 7),
    ("july", 7),
    ("jun", 6),
    ("june", 6),
    ("mar", 3),
    ("march", 3),
    ("may", 5),
    ("nov", 11),
    ("november", 11),
    ("oct", 10),
    ("october", 10),
    ("sep", 9),
    ("sept", 9),
    ("september", 9),
];

/// The month a word names, if any.
pub(crate) fn month_number(word: &str) -> Option<u32> {
    MONTHS
        .binary_search_by(|(name, _)| (*name).cmp(word))
        .ok()
        .map(|i| MONTHS[i].1)
}

fn last_day_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    let (y, m) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)?.pred_opt()
}

fn as_year(tok: &Lex) -> Option<i32> {
    match tok {
        Lex::Num {
            value,
            integer: true,
            ordinal: false,
            grouped: false,
            unit: super::text::Unit::Count,
        } if (1990.0..=2100.0).contains(value) => {
            // In range, so the conversion is exact.
            #[allow(clippy::cast_possible_truncation)]
            Some(*value as i32)
        }
        _ => None,
    }
}

fn as_day(tok: &Lex) -> Option<u32> {
    match tok {
        Lex::Num {
            value,
            integer: true,
            unit: super::text::Unit::Count,
            ..
        } if (1.0..=31.0).contains(value) =>
        {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Some(*value as u32)
        }
        _ => None,
    }
}

/// The relation the words before index `start` give the date starting there, and how many
/// words it spans.
fn relation_before(toks: &[Lex], start: usize) -> (Relation, usize) {
    let w = |back: usize| start.checked_sub(back).and_then(|i| toks[i].word());
    match (w(2), w(1)) {
        (Some("end"), Some("of")) | (Some("later"), Some("than")) => (Relation::Through, 2),
        (Some("prior"), Some("to")) => (Relation::Before, 2),
        (_, Some("before" | "until" | "till")) => (Relation::Before, 1),
        (_, Some("on")) => (Relation::On, 1),
        (_, Some("in" | "during")) => (Relation::In, 1),
        (_, Some("by" | "through" | "thru" | "within" | "of" | "to")) => (Relation::Through, 1),
        (_, Some("after" | "from" | "since" | "starting")) => (Relation::From, 1),
        _ => (Relation::Bare, 0),
    }
}

/// Resolves a written date to the date that counts.
fn resolve(span: Span, relation: Relation) -> Option<NaiveDate> {
    match (span, relation) {
        (Span::Day(d), Relation::Before) => d.pred_opt(),
        (Span::Day(d), _) => Some(d),
        (Span::Month(y, m), Relation::Before) => NaiveDate::from_ymd_opt(y, m, 1)?.pred_opt(),
        (Span::Month(y, m), Relation::From) => NaiveDate::from_ymd_opt(y, m, 1),
        (Span::Month(y, m), _) => last_day_of_month(y, m),
        (Span::Year(y), Relation::Before) => NaiveDate::from_ymd_opt(y - 1, 12, 31),
        (Span::Year(y), Relation::From) => NaiveDate::from_ymd_opt(y, 1, 1),
        (Span::Year(y), _) => NaiveDate::from_ymd_opt(y, 12, 31),
    }
}

/// A day without a year: the next such day, allowing a week of slack into the past.
fn infer_day(month: u32, day: u32, today: NaiveDate) -> Option<NaiveDate> {
    let this_year = NaiveDate::from_ymd_opt(today.year(), month, day)?;
    let cutoff = today.checked_sub_days(Days::new(7))?;
    if this_year < cutoff {
        NaiveDate::from_ymd_opt(today.year() + 1, month, day)
    } else {
        Some(this_year)
    }
}

/// A month without a year: this year's, or next year's once it has ended.
fn infer_month(month: u32, today: NaiveDate) -> (i32, u32) {
    match last_day_of_month(today.year(), month) {
        Some(end) if end < today => (today.year() + 1, month),
        _ => (today.year(), month),
    }
}

/// Recognises a date starting at `i`: its span and how many tokens it covers.
fn date_at(toks: &[Lex], i: usize, today: NaiveDate) -> Option<(Span, usize)> {
    match &toks[i] {
        Lex::SlashDate { month, day, year } => {
            let date = match year {
                Some(y) => NaiveDate::from_ymd_opt(*y, *month, *day)?,
                None => infer_day(*month, *day, today)?,
            };
            Some((Span::Day(date), 1))
        }
        Lex::Word { text, .. } if text == "this" => match toks.get(i + 1).and_then(Lex::word) {
            // "this year" is "by the end of this year".
            Some("year") => Some((Span::Month(today.year(), 12), 2)),
            Some("month") => Some((Span::Month(today.year(), today.month()), 2)),
            _ => None,
        },
        Lex::Word { text, .. } => {
            let month = month_number(text)?;
            let day = toks.get(i + 1).and_then(as_day);
            let year_after_day = toks.get(i + 2).and_then(as_year);
            let year_direct = toks.get(i + 1).and_then(as_year);
            match (day, year_after_day, year_direct) {
                (Some(d), Some(y), _) => {
                    Some((Span::Day(NaiveDate::from_ymd_opt(y, month, d)?), 3))
                }
                (Some(d), None, _) => Some((Span::Day(infer_day(month, d, today)?), 2)),
                (None, _, Some(y)) => Some((Span::Month(y, month), 2)),
                (None, _, None) => {
                    // "may"/"march" are also verbs: only a month after a date preposition.
                    if matches!(text.as_str(), "may" | "march" | "mar")
                        && relation_before(toks, i).0 == Relation::Bare
                    {
                        return None;
                    }
                    let (y, m) = infer_month(month, today);
                    Some((Span::Month(y, m), 1))
                }
            }
        }
        num => as_year(num).map(|y| (Span::Year(y), 1)),
    }
}

/// Words that make a month-dated text a scheduled event rather than a window.
const EVENT_WORDS: &[&str] = &["decision", "meeting", "meetings"];

/// "2026-27" (a season written as its two years): the second year and the tokens used.
fn season_at(toks: &[Lex], i: usize) -> Option<(i32, usize)> {
    let first = as_year(&toks[i])?;
    let second = match (toks.get(i + 1), toks.get(i + 2)) {
        (
            Some(Lex::Dash),
            Some(Lex::Num {
                value,
                integer: true,
                ..
            }),
        ) => *value,
        _ => return None,
    };
    let next = first.checked_add(1)?;
    let matches =
        (second - f64::from(next % 100)).abs() < 0.5 || (second - f64::from(next)).abs() < 0.5;
    matches.then_some((next, 3))
}

/// Finds the dates in `toks`, marking the tokens they use (and their prepositions) in `used`.
pub(crate) fn extract(toks: &[Lex], used: &mut [bool], today: NaiveDate) -> Vec<DateMention> {
    let event = toks
        .iter()
        .any(|t| t.word().is_some_and(|w| EVENT_WORDS.contains(&w)));
    let mut found = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if used[i] {
            i += 1;
            continue;
        }
        if let Some((year, len)) = season_at(toks, i) {
            if let Some(date) = NaiveDate::from_ymd_opt(year, 12, 31) {
                found.push(DateMention {
                    date,
                    deadline: false,
                    whole_month: false,
                    season: true,
                    starts: None,
                });
            }
            for u in &mut used[i..i + len] {
                *u = true;
            }
            i += len;
            continue;
        }
        let Some((span, len)) = date_at(toks, i, today) else {
            i += 1;
            continue;
        };
        let (relation, rel_len) = relation_before(toks, i);
        let whole_month = event && matches!(span, Span::Month(..));
        let season = matches!(span, Span::Year(_))
            && toks.get(i + len).and_then(Lex::word) == Some("season");
        let resolved = if whole_month {
            resolve(span, Relation::Through)
        } else {
            resolve(span, relation)
        };
        if let Some(date) = resolved {
            // A bare year ("the 2020 election") is a mention, not a deadline; so is the month of
            // a scheduled event.
            let deadline = !whole_month
                && !season
                && relation != Relation::On
                && !matches!((span, relation), (Span::Year(_), Relation::Bare));
            let first_day = match span {
                Span::Month(y, m) => NaiveDate::from_ymd_opt(y, m, 1),
                Span::Year(y) => NaiveDate::from_ymd_opt(y, 1, 1),
                Span::Day(_) => None,
            };
            let starts = first_day
                .filter(|d| relation == Relation::In && deadline && !whole_month && *d > today);
            found.push(DateMention {
                date,
                deadline,
                whole_month,
                season,
                starts,
            });
            for u in &mut used[i - rel_len..i + len] {
                *u = true;
            }
        }
        i += len;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::super::text::lex;
    use super::*;

    fn dates(text: &str) -> Vec<(String, bool)> {
        let toks = lex(text);
        let mut used = vec![false; toks.len()];
        let today = NaiveDate::from_ymd_opt(2026, 3, 22).unwrap();
        extract(&toks, &mut used, today)
            .into_iter()
            .map(|d| (d.date.to_string(), d.deadline))
            .collect()
    }

    #[test]
    fn month_table_is_sorted() {
        assert!(MONTHS.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn end_of_2026_in_every_spelling() {
        let want = vec![("2026-12-31".to_owned(), true)];
        for text in [
            "Will it happen before Jan 1, 2027?",
            "Will it happen by December 31, 2026?",
            "Will it happen in 2026?",
            "Will it happen before 2027?",
            "by end of 2026",
            "by 12/31/2026",
            "by Dec 31",
            "Will it become law this year?",
        ] {
            assert_eq!(dates(text), want, "{text}");
        }
    }

    #[test]
    fn months_and_days_without_a_year() {
        assert_eq!(
            dates("before May 1, 2026"),
            vec![("2026-04-30".to_owned(), true)]
        );
        assert_eq!(dates("by April 30"), vec![("2026-04-30".to_owned(), true)]);
        assert_eq!(dates("in March"), vec![("2026-03-31".to_owned(), true)]);
        assert_eq!(dates("before April"), vec![("2026-03-31".to_owned(), true)]);
        // January has passed: the next January.
        assert_eq!(
            dates("by January 31"),
            vec![("2027-01-31".to_owned(), true)]
        );
        assert_eq!(
            dates("after Jun 2026"),
            vec![("2026-06-01".to_owned(), true)]
        );
    }

    #[test]
    fn meeting_months_and_seasons() {
        let toks = lex("Fed decreases rates after the December 2026 meeting?");
        let mut used = vec![false; toks.len()];
        let today = NaiveDate::from_ymd_opt(2026, 3, 22).unwrap();
        let found = extract(&toks, &mut used, today);
        assert_eq!(found.len(), 1);
        assert!(found[0].whole_month && !found[0].deadline);
        assert_eq!(found[0].date.to_string(), "2026-12-31");
        let toks = lex("Who wins the 2026-27 Champions League?");
        let mut used = vec![false; toks.len()];
        let found = extract(&toks, &mut used, today);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].season);
        assert_eq!(found[0].date.to_string(), "2027-12-31");
        assert!(
            used.iter().filter(|u| **u).count() == 3,
            "the season's tokens are used"
        );
    }

    #[test]
    fn bare_years_are_mentions_and_verbs_are_not_months() {
        assert_eq!(
            dates("the 2020 election"),
            vec![("2020-12-31".to_owned(), false)]
        );
        assert_eq!(
            dates("Will the crowd march on the capital? It may rain"),
            vec![]
        );
    }
}
