//! A market turned into comparable features: content tokens, named entities, dates, thresholds
//! and what YES is about (for polarity).

use chrono::NaiveDate;

use super::dates::{self, DateMention};
use super::numbers::{self, Threshold};
use super::rules;
use super::text::{self, Lex};
use crate::model::Market;

/// Everything the matcher compares about one market.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct MarketFeatures {
    /// Content words in text order: lower-case, accent-folded, stemmed, synonyms merged, without
    /// stopwords, dates and numbers.
    pub tokens: Vec<String>,
    /// Named entities: words written with a capital (sorted, distinct, canonical form).
    pub entities: Vec<String>,
    /// Words written in capitals ("DHS", "DRC"), lower-cased: matched against the other market's
    /// initials.
    pub acronyms: Vec<String>,
    /// Initials of each run of capitalised words ("Democratic Republic of the Congo" → `drc`).
    pub initials: Vec<String>,
    /// Dates, normalised (see [`DateMention`]).
    pub dates: Vec<DateMention>,
    /// Numbers and thresholds, in text order.
    pub thresholds: Vec<Threshold>,
    /// Who or what YES is about in a contest ("Will X win" or the outcome label), as tokens.
    pub subject: Vec<String>,
    /// The two sides of a contest ("X vs Y", "X beat Y"), as tokens, when the text names them.
    pub sides: Option<(Vec<String>, Vec<String>)>,
    /// Content words not written as names ("visit", "arrest", "leave"): what must happen
    /// (sorted, distinct).
    pub actions: Vec<String>,
    /// YES is the negative outcome (a "No" outcome label, "Will X lose", "Will X not …").
    pub negated: bool,
    /// Editions of numbered events written as Roman numerals ("Super Bowl LXI" → 61).
    pub editions: Vec<u32>,
}

const CONTEST_VERBS: &[&str] = &["beat", "beats", "defeat", "defeats", "win", "wins"];
const LOSE_VERBS: &[&str] = &["lose", "loses"];
const SIDE_SEPARATORS: &[&str] = &["v", "versus", "vs"];
const INITIAL_JOINERS: &[&str] = &["and", "for", "of", "the"];

impl MarketFeatures {
    /// The features of `market`, resolving dates without a year relative to `today`.
    ///
    /// The text is the title plus the subtitle (Kalshi's `yes_sub_title`, Polymarket's outcome
    /// label); a bare "Yes"/"No" outcome label only sets [`MarketFeatures::negated`].
    #[must_use]
    pub fn of(market: &Market, today: NaiveDate) -> Self {
        let subtitle = market.subtitle.trim();
        let label = subtitle
            .trim_end_matches(['.', '?', '!'])
            .to_ascii_lowercase();
        let (text, negated_label, subject_text) = match label.as_str() {
            "" | "yes" => (market.title.clone(), false, None),
            "no" => (market.title.clone(), true, None),
            _ if subtitle.eq_ignore_ascii_case(market.title.trim()) => {
                (market.title.clone(), false, None)
            }
            _ => (
                format!("{} | {subtitle}", market.title),
                false,
                Some(subtitle),
            ),
        };
        let mut features = Self::of_text(&text, today);
        if let Some(s) = subject_text {
            let subject = content_words(&text::lex(s));
            if !subject.is_empty() {
                features.subject = subject;
            }
        }
        features.negated ^= negated_label;
        features
    }

    /// The features of free text (a title), resolving dates without a year relative to `today`.
    #[must_use]
    pub fn of_text(text: &str, today: NaiveDate) -> Self {
        let toks = text::lex(text);
        let mut used = vec![false; toks.len()];
        // Clock times ("5pm EST") are settlement details, not thresholds.
        rules::mark_times(&toks, &mut used);
        let dates = dates::extract(&toks, &mut used, today);
        let thresholds = numbers::extract(&toks, &mut used);
        let hold_at = no_change(&toks, &mut used);
        let mut tokens = Vec::new();
        let mut entities = Vec::new();
        let mut acronyms = Vec::new();
        let mut actions = Vec::new();
        let mut not = false;
        for (i, (tok, _)) in toks
            .iter()
            .zip(&used)
            .enumerate()
            .filter(|(_, (_, u))| !**u)
        {
            let Lex::Word {
                text,
                capitalised,
                all_caps,
            } = tok
            else {
                continue;
            };
            if hold_at.contains(&i) {
                tokens.push("hold".to_owned());
                actions.push("hold".to_owned());
                continue;
            }
            not |= text == "not";
            if text::is_stopword(text) || (text.chars().count() < 2 && !all_caps) {
                continue;
            }
            let word = text::canonical(text);
            if *capitalised && dates::month_number(text).is_none() {
                entities.push(word.clone());
                if *all_caps && (2..=6).contains(&text.len()) {
                    acronyms.push(text.clone());
                }
            } else {
                actions.push(word.clone());
            }
            tokens.push(word);
        }
        entities.sort_unstable();
        entities.dedup();
        acronyms.sort_unstable();
        acronyms.dedup();
        actions.sort_unstable();
        actions.dedup();
        let (subject, loses) = contest_subject(&toks);
        Self {
            tokens,
            entities,
            acronyms,
            initials: initials(&toks, &used),
            dates,
            thresholds,
            subject,
            sides: contest_sides(&toks),
            actions,
            negated: loses ^ not,
            editions: editions(&toks),
        }
    }

    /// The latest deadline the text states, if any.
    #[must_use]
    pub fn deadline(&self) -> Option<NaiveDate> {
        self.dates
            .iter()
            .filter(|d| d.deadline)
            .map(|d| d.date)
            .max()
    }
}

/// Where "no change" is written (an outcome, not a negation): the indices of its "no", the
/// "change" marked used.
fn no_change(toks: &[Lex], used: &mut [bool]) -> Vec<usize> {
    let mut at = Vec::new();
    for i in 1..toks.len() {
        if toks[i - 1].word() == Some("no")
            && toks[i].word().is_some_and(|w| w.starts_with("change"))
        {
            at.push(i - 1);
            used[i] = true;
        }
    }
    at
}

/// The Roman-numeral editions in some tokens.
fn editions(toks: &[Lex]) -> Vec<u32> {
    toks.iter()
        .filter_map(|t| match t {
            Lex::Edition(n) => Some(*n),
            _ => None,
        })
        .collect()
}

/// The canonical content words of some tokens.
fn content_words(toks: &[Lex]) -> Vec<String> {
    toks.iter()
        .filter_map(Lex::word)
        .filter(|w| !text::is_stopword(w))
        .map(text::canonical)
        .collect()
}

/// Initials of runs of capitalised words, joined over "of", "the", "and", "for".
fn initials(toks: &[Lex], used: &[bool]) -> Vec<String> {
    let mut runs = Vec::new();
    let mut current = String::new();
    for (tok, u) in toks.iter().zip(used) {
        match tok {
            Lex::Word {
                text,
                capitalised: true,
                ..
            } if !*u => {
                if let Some(c) = text.chars().next() {
                    current.push(c);
                }
            }
            Lex::Word { text, .. }
                if !current.is_empty() && INITIAL_JOINERS.contains(&text.as_str()) => {}
            _ => {
                if current.chars().count() >= 2 {
                    runs.push(std::mem::take(&mut current));
                }
                current.clear();
            }
        }
    }
    if current.chars().count() >= 2 {
        runs.push(current);
    }
    runs
}

/// "Will X win/beat/lose …": X's tokens, and whether the verb is "lose".
fn contest_subject(toks: &[Lex]) -> (Vec<String>, bool) {
    let Some(verb) = toks.iter().position(|t| {
        t.word()
            .is_some_and(|w| CONTEST_VERBS.contains(&w) || LOSE_VERBS.contains(&w))
    }) else {
        return (Vec::new(), false);
    };
    let start = toks[..verb]
        .iter()
        .rposition(|t| t.word() == Some("will"))
        .map_or(0, |i| i + 1);
    let loses = toks[verb].word().is_some_and(|w| LOSE_VERBS.contains(&w));
    (content_words(&toks[start..verb]), loses)
}

/// "X vs Y" or "X beat Y": the two sides, up to three content words each.
fn contest_sides(toks: &[Lex]) -> Option<(Vec<String>, Vec<String>)> {
    let sep = toks.iter().position(|t| {
        t.word().is_some_and(|w| {
            SIDE_SEPARATORS.contains(&w) || matches!(w, "beat" | "beats" | "defeat" | "defeats")
        })
    })?;
    let side = |range: &mut dyn Iterator<Item = &Lex>| -> Vec<String> {
        range
            .map_while(|t| {
                t.word()
                    .filter(|w| !text::is_stopword(w) && !CONTEST_VERBS.contains(w))
            })
            .take(3)
            .map(text::canonical)
            .collect()
    };
    let mut left = side(&mut toks[..sep].iter().rev());
    left.reverse();
    let right = side(&mut toks[sep + 1..].iter());
    (!left.is_empty() && !right.is_empty()).then_some((left, right))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 22).unwrap()
    }

    #[test]
    fn tokens_and_entities() {
        let f = MarketFeatures::of_text(
            "Will Donald Trump visit Saudi Arabia before Jan 1, 2027?",
            today(),
        );
        assert_eq!(
            f.tokens,
            vec!["donald", "trump", "visit", "saudi", "arabia"]
        );
        assert_eq!(f.entities, vec!["arabia", "donald", "saudi", "trump"]);
        assert_eq!(f.deadline(), NaiveDate::from_ymd_opt(2026, 12, 31));
    }

    #[test]
    fn acronyms_and_initials() {
        let f = MarketFeatures::of_text("Tshisekedi out as President of the DRC?", today());
        assert_eq!(f.acronyms, vec!["drc"]);
        let g =
            MarketFeatures::of_text("President of the Democratic Republic of the Congo", today());
        assert_eq!(g.initials, vec!["pdrc"]);
    }

    #[test]
    fn no_change_is_hold_and_numerals_are_editions() {
        let f = MarketFeatures::of_text("Fed decision: no change in rates?", today());
        assert!(f.tokens.contains(&"hold".to_owned()), "{:?}", f.tokens);
        assert!(!f.negated, "\"no change\" is an outcome, not a negation");
        let g = MarketFeatures::of_text("Will Kansas City win Super Bowl LXI?", today());
        assert_eq!(g.editions, vec![61]);
        assert!(g.thresholds.is_empty(), "an edition is not a threshold");
    }

    #[test]
    fn contests() {
        let f = MarketFeatures::of_text("Lakers vs Celtics: will the Lakers win?", today());
        assert_eq!(f.sides, Some((vec!["laker".into()], vec!["celtic".into()])));
        assert_eq!(f.subject, vec!["laker"]);
        assert!(!f.negated);
        let g = MarketFeatures::of_text("Will Smith lose the runoff?", today());
        assert_eq!(g.subject, vec!["smith"]);
        assert!(g.negated);
    }
}
