//! Lexing of market text: words (with capitalisation kept for named entities), numbers with
//! units, slash dates and the few symbols that carry meaning (`-` in ranges, `+` in "6+"), and
//! the canonical form words are compared in (stemmed, synonyms merged).

use std::collections::HashMap;
use std::sync::OnceLock;

/// The unit a number was written with.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Unit {
    /// A bare count or amount ("6 bills", "UFC 327").
    Count,
    /// Dollars ("$100k").
    Dollar,
    /// Percent ("4.5%").
    Percent,
    /// Degrees of temperature ("50°", "50 degrees"), counted in whole degrees.
    Degree,
}

/// One lexical token.
#[derive(Clone, PartialEq, Debug)]
pub(crate) enum Lex {
    /// A word, lower-cased and accent-folded, with whether it was capitalised and all-capitals.
    Word {
        text: String,
        capitalised: bool,
        all_caps: bool,
    },
    /// A number, already scaled ("$1.5m" → 1 500 000), with its unit.
    Num {
        value: f64,
        unit: Unit,
        integer: bool,
        ordinal: bool,
        /// Written with thousands separators ("2,000"): an amount, never a year.
        grouped: bool,
    },
    /// `m/d` or `m/d/y`.
    SlashDate {
        month: u32,
        day: u32,
        year: Option<i32>,
    },
    /// A hyphen or dash (ranges such as "120-139").
    Dash,
    /// A plus sign ("6+").
    Plus,
    /// A comparison sign: `>`/`≥` (above) or `<`/`≤` (below), and whether it includes the value.
    Cmp { above: bool, inclusive: bool },
    /// A Roman numeral written in capitals ("LXI"): the edition of a numbered event.
    Edition(u32),
}

impl Lex {
    /// The word's text, if this is a word.
    pub(crate) fn word(&self) -> Option<&str> {
        match self {
            Self::Word { text, .. } => Some(text),
            _ => None,
        }
    }
}

/// Folds accents and typographic punctuation so both venues' spellings compare equal.
fn fold(c: char) -> char {
    match c {
        'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => 'a',
        'Á' | 'À' | 'Â' | 'Ä' | 'Ã' | 'Å' => 'A',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'É' | 'È' | 'Ê' | 'Ë' => 'E',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'Í' | 'Ì' | 'Î' | 'Ï' => 'I',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' => 'o',
        'Ó' | 'Ò' | 'Ô' | 'Ö' | 'Õ' | 'Ø' => 'O',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'Ú' | 'Ù' | 'Û' | 'Ü' => 'U',
        'ñ' => 'n',
        'Ñ' => 'N',
        'ç' => 'c',
        'Ç' => 'C',
        '’' | '‘' | '`' | '´' => '\'',
        '–' | '—' | '−' => '-',
        other => other,
    }
}

/// Splits `input` into tokens.
pub(crate) fn lex(input: &str) -> Vec<Lex> {
    let chars: Vec<char> = input.chars().map(fold).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_alphabetic() {
            i = lex_word(&chars, i, &mut out);
        } else if c.is_ascii_digit()
            || (c == '$' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
            || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            i = lex_number(&chars, i, &mut out);
        } else {
            let inclusive = chars.get(i + 1) == Some(&'=');
            match c {
                '-' => out.push(Lex::Dash),
                '+' => out.push(Lex::Plus),
                '>' | '<' => out.push(Lex::Cmp {
                    above: c == '>',
                    inclusive,
                }),
                '≥' | '≤' => out.push(Lex::Cmp {
                    above: c == '≥',
                    inclusive: true,
                }),
                '°' => {
                    if let Some(Lex::Num { unit, .. }) = out.last_mut() {
                        *unit = Unit::Degree;
                    }
                }
                _ => {}
            }
            i += if inclusive && matches!(c, '>' | '<') {
                2
            } else {
                1
            };
        }
    }
    out
}

/// Reads a word starting at `start`; dotted acronyms ("U.S.") become one word.
fn lex_word(chars: &[char], start: usize, out: &mut Vec<Lex>) -> usize {
    // Dotted acronym: single letters each followed by '.'.
    let mut j = start;
    let mut acronym = String::new();
    while j + 1 < chars.len()
        && chars[j].is_alphabetic()
        && chars[j + 1] == '.'
        && !chars.get(j + 2).is_some_and(|c| {
            c.is_alphabetic() && chars.get(j + 3).is_some_and(|d| d.is_alphabetic())
        })
        && (j == start || !chars[j - 1].is_alphabetic())
    {
        acronym.push(chars[j]);
        j += 2;
    }
    if acronym.chars().count() >= 2 {
        out.push(Lex::Word {
            text: acronym.to_lowercase(),
            capitalised: true,
            all_caps: acronym.chars().all(char::is_uppercase),
        });
        return j;
    }
    let mut end = start;
    while end < chars.len() && chars[end].is_alphanumeric() && !chars[end].is_ascii_digit() {
        end += 1;
    }
    let word: String = chars[start..end].iter().collect();
    let capitalised = chars[start].is_uppercase();
    let all_caps = word.chars().count() >= 2 && word.chars().all(char::is_uppercase);
    if all_caps && let Some(n) = roman(&word) {
        out.push(Lex::Edition(n));
        return end;
    }
    out.push(Lex::Word {
        text: word.to_lowercase(),
        capitalised,
        all_caps,
    });
    // Skip a possessive or contraction tail ("Trump's", "won't" keeps "won").
    if end + 1 < chars.len() && chars[end] == '\'' && chars[end + 1].is_alphabetic() {
        end += 1;
        while end < chars.len() && chars[end].is_alphabetic() {
            end += 1;
        }
    }
    end
}

/// The value of a Roman numeral of at least two letters in canonical form ("LXI" = 61), so that
/// words such as "DC" or "MIC" are not read as numbers.
fn roman(word: &str) -> Option<u32> {
    let digit = |c: char| match c {
        'I' => Some(1),
        'V' => Some(5),
        'X' => Some(10),
        'L' => Some(50),
        'C' => Some(100),
        'D' => Some(500),
        'M' => Some(1000),
        _ => None,
    };
    let values: Vec<u32> = word.chars().map(digit).collect::<Option<_>>()?;
    if values.len() < 2 {
        return None;
    }
    let mut total = 0u32;
    for (i, &v) in values.iter().enumerate() {
        if values.get(i + 1).is_some_and(|&next| next > v) {
            total = total.checked_sub(v)?;
        } else {
            total = total.checked_add(v)?;
        }
    }
    (to_roman(total) == word && total < 200).then_some(total)
}

/// The canonical Roman numeral of `n` (1–3999).
fn to_roman(mut n: u32) -> String {
    const TABLE: &[(u32, &str)] = &[
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for &(value, letters) in TABLE {
        while n >= value {
            out.push_str(letters);
            n -= value;
        }
    }
    out
}

/// Reads digits with thousands separators and a decimal part starting at `start`.
fn read_digits(chars: &[char], start: usize) -> (String, usize) {
    let (digits, end, _) = read_grouped_digits(chars, start);
    (digits, end)
}

/// [`read_digits`], also telling whether a thousands separator was read.
fn read_grouped_digits(chars: &[char], start: usize) -> (String, usize, bool) {
    let mut grouped = false;
    let mut digits = String::new();
    let mut j = start;
    while j < chars.len() {
        let c = chars[j];
        if c.is_ascii_digit() {
            digits.push(c);
            j += 1;
        } else if c == ','
            && !digits.is_empty()
            && !digits.contains('.')
            && (1..=3).all(|k| chars.get(j + k).is_some_and(char::is_ascii_digit))
            && !chars.get(j + 4).is_some_and(char::is_ascii_digit)
        {
            grouped = true;
            j += 1;
        } else if c == '.'
            && !digits.contains('.')
            && chars.get(j + 1).is_some_and(char::is_ascii_digit)
        {
            digits.push('.');
            j += 1;
        } else {
            break;
        }
    }
    (digits, j, grouped)
}

/// Reads a number (or a slash date) starting at `start`.
fn lex_number(chars: &[char], start: usize, out: &mut Vec<Lex>) -> usize {
    let mut j = start;
    let dollar = chars[j] == '$';
    if dollar {
        j += 1;
    }
    let (digits, mut j, grouped) = read_grouped_digits(chars, j);
    // m/d or m/d/y.
    if !dollar && chars.get(j) == Some(&'/') && chars.get(j + 1).is_some_and(char::is_ascii_digit) {
        let (day, after_day) = read_digits(chars, j + 1);
        let (year, end) = if chars.get(after_day) == Some(&'/')
            && chars.get(after_day + 1).is_some_and(char::is_ascii_digit)
        {
            let (y, e) = read_digits(chars, after_day + 1);
            (
                y.parse::<i32>()
                    .ok()
                    .map(|y| if y < 100 { 2000 + y } else { y }),
                e,
            )
        } else {
            (None, after_day)
        };
        if let (Ok(month), Ok(day)) = (digits.parse::<u32>(), day.parse::<u32>()) {
            out.push(Lex::SlashDate { month, day, year });
        }
        return end;
    }
    let Ok(mut value) = digits.parse::<f64>() else {
        return j.max(start + 1);
    };
    let mut unit = if dollar { Unit::Dollar } else { Unit::Count };
    let mut ordinal = false;
    let mut scaled = false;
    // Attached suffix letters: k, m, b, bn, st/nd/rd/th.
    let mut end = j;
    while end < chars.len() && chars[end].is_ascii_alphabetic() {
        end += 1;
    }
    let suffix: String = chars[j..end]
        .iter()
        .collect::<String>()
        .to_ascii_lowercase();
    let scale = match suffix.as_str() {
        "k" => Some(1e3),
        "m" | "mn" => Some(1e6),
        "b" | "bn" => Some(1e9),
        "t" | "tn" => Some(1e12),
        "st" | "nd" | "rd" | "th" => {
            ordinal = true;
            None
        }
        _ => {
            end = j;
            None
        }
    };
    if let Some(scale) = scale {
        value *= scale;
        scaled = true;
    }
    j = end;
    if chars.get(j) == Some(&'%') {
        unit = Unit::Percent;
        j += 1;
    } else if chars.get(j) == Some(&'°') {
        unit = Unit::Degree;
        j += 1;
        // "50°F": the scale letter belongs to the number.
        if chars.get(j).is_some_and(|c| matches!(c, 'F' | 'C'))
            && !chars.get(j + 1).is_some_and(|c| c.is_alphabetic())
        {
            j += 1;
        }
    }
    out.push(Lex::Num {
        value,
        unit,
        integer: !digits.contains('.') && !scaled,
        ordinal,
        grouped,
    });
    j
}

/// Words that carry no identity: question words, auxiliaries, prepositions, articles,
/// comparator and date words (those are captured as features instead).
const STOPWORDS: &[&str] = &[
    "a", "about", "above", "after", "again", "all", "also", "an", "and", "any", "are", "as", "at",
    "be", "been", "before", "below", "between", "both", "but", "by", "can", "could", "did", "do",
    "does", "during", "each", "end", "ever", "fewer", "for", "from", "get", "greater", "had",
    "has", "have", "he", "her", "his", "how", "if", "in", "into", "is", "it", "its", "least",
    "less", "many", "more", "most", "much", "new", "next", "no", "not", "of", "on", "one", "or",
    "other", "over", "prior", "s", "she", "since", "so", "than", "that", "the", "their", "them",
    "then", "there", "these", "they", "this", "through", "to", "under", "until", "up", "versus",
    "vs", "was", "were", "what", "when", "where", "which", "who", "whom", "why", "will", "with",
    "within", "would", "year", "years", "yes",
];

/// Whether `word` (lower-case) is a stopword.
pub(crate) fn is_stopword(word: &str) -> bool {
    STOPWORDS.binary_search(&word).is_ok()
}

/// Groups of words that mean the same thing in market titles, each mapped to its first word:
/// the venues' common verbs (rate moves, releases, departures, acquisitions), outcomes ("hold" =
/// "unchanged" = "pause") and the usual variants of party names (adjective, plural,
/// abbreviation). Inflections need no entry: words are stemmed before the lookup.
const SYNONYM_GROUPS: &[&[&str]] = &[
    &[
        "cut", "lower", "reduce", "decrease", "slash", "trim", "ease",
    ],
    &["hike", "raise", "increase"],
    &["hold", "unchanged", "pause", "maintain", "keep", "steady"],
    &["release", "drop", "debut", "premiere", "unveil", "launch"],
    &[
        "leave",
        "depart",
        "exit",
        "left",
        "out",
        "resign",
        "resignation",
        "oust",
        "ousted",
    ],
    &["acquire", "annex", "buy", "purchase", "acquisition"],
    &["us", "usa", "america", "american"],
    &["democrat", "democratic", "dem"],
    &["republican", "gop"],
    &["conservative", "tory", "tories"],
    &["labour", "labor"],
    &["elect", "election", "elected"],
    &["nominee", "nominate", "nomination", "nominated"],
    &["temperature", "temp"],
    &["visit", "enter", "travel"],
    &["remain", "still", "stay"],
    &["bitcoin", "btc"],
    &["ethereum", "eth"],
    &["fed", "fomc"],
    &["inflation", "cpi"],
    &["unemployment", "jobless"],
    &["win", "winner", "champion", "championship"],
];

/// The synonym table keyed by stem.
fn synonyms() -> &'static HashMap<String, &'static str> {
    static TABLE: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = HashMap::new();
        for group in SYNONYM_GROUPS {
            let head = group[0];
            for word in *group {
                table.insert(stem(word), head);
            }
        }
        table
    })
}

/// Whether `c` is a consonant that a stemmer undoubles ("cutting" → "cut").
fn doubled_consonant(word: &str) -> bool {
    let b = word.as_bytes();
    b.len() >= 3
        && b[b.len() - 1] == b[b.len() - 2]
        && !matches!(
            b[b.len() - 1],
            b'a' | b'e' | b'i' | b'o' | b'u' | b'l' | b's' | b'z'
        )
}

/// A light suffix-stripping stemmer: plurals and third-person `s`, `-ies`/`-ied`, `-ing`, `-ed`
/// (undoubling "cutting"), then a final `e`, so "release", "released", "releases" and
/// "releasing" share one stem. It only has to be consistent, not to produce real words.
pub(crate) fn stem(word: &str) -> String {
    let n = word.len();
    if n <= 3 || !word.is_ascii() {
        return word.to_owned();
    }
    let mut w = if n > 4 && (word.ends_with("ies") || word.ends_with("ied")) {
        format!("{}y", &word[..n - 3])
    } else if n > 4
        && (word.ends_with("sses")
            || word.ends_with("xes")
            || word.ends_with("ches")
            || word.ends_with("shes"))
    {
        word[..n - 2].to_owned()
    } else if n > 5 && word.ends_with("ing") {
        word[..n - 3].to_owned()
    } else if n > 4 && word.ends_with("ed") && !word.ends_with("eed") {
        word[..n - 2].to_owned()
    } else if word.ends_with('s')
        && !word.ends_with("ss")
        && !word.ends_with("us")
        && !word.ends_with("is")
    {
        word[..n - 1].to_owned()
    } else {
        word.to_owned()
    };
    if doubled_consonant(&w) && w.len() != n {
        w.pop();
    }
    if w.len() > 3 && w.ends_with('e') {
        w.pop();
    }
    w
}

/// The stem of `word` with synonyms merged: the form both venues' words are compared in.
pub(crate) fn canonical(word: &str) -> String {
    if let Some(head) = synonyms().get(word) {
        return (*head).to_owned();
    }
    let stemmed = stem(word);
    match synonyms().get(&stemmed) {
        Some(head) => (*head).to_owned(),
        None => stemmed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_lists_are_sorted_for_binary_search() {
        assert!(STOPWORDS.windows(2).all(|w| w[0] < w[1]));
        let mut group_of = HashMap::new();
        for (i, group) in SYNONYM_GROUPS.iter().enumerate() {
            for word in *group {
                let previous = group_of.insert(stem(word), i);
                assert!(previous.is_none_or(|p| p == i), "{word} is in two groups");
            }
        }
    }

    #[test]
    fn numbers_with_units_and_separators() {
        let nums: Vec<(f64, Unit)> = lex("$100k, 100,000 and 4.5% or $2.50 and 1,5 $1.5bn")
            .into_iter()
            .filter_map(|t| match t {
                Lex::Num { value, unit, .. } => Some((value, unit)),
                _ => None,
            })
            .collect();
        assert_eq!(
            nums,
            vec![
                (100_000.0, Unit::Dollar),
                (100_000.0, Unit::Count),
                (4.5, Unit::Percent),
                (2.5, Unit::Dollar),
                (1.0, Unit::Count),
                (5.0, Unit::Count),
                (1.5e9, Unit::Dollar),
            ]
        );
    }

    #[test]
    fn words_fold_accents_and_keep_capitals() {
        let toks = lex("María's U.S. visit—NATO");
        assert_eq!(
            toks,
            vec![
                Lex::Word {
                    text: "maria".into(),
                    capitalised: true,
                    all_caps: false
                },
                Lex::Word {
                    text: "us".into(),
                    capitalised: true,
                    all_caps: true
                },
                Lex::Word {
                    text: "visit".into(),
                    capitalised: false,
                    all_caps: false
                },
                Lex::Dash,
                Lex::Word {
                    text: "nato".into(),
                    capitalised: true,
                    all_caps: true
                },
            ]
        );
    }

    #[test]
    fn slash_dates() {
        assert_eq!(
            lex("12/31/2026 and 3/1/27 and 4/30"),
            vec![
                Lex::SlashDate {
                    month: 12,
                    day: 31,
                    year: Some(2026)
                },
                Lex::Word {
                    text: "and".into(),
                    capitalised: false,
                    all_caps: false
                },
                Lex::SlashDate {
                    month: 3,
                    day: 1,
                    year: Some(2027)
                },
                Lex::Word {
                    text: "and".into(),
                    capitalised: false,
                    all_caps: false
                },
                Lex::SlashDate {
                    month: 4,
                    day: 30,
                    year: None
                },
            ]
        );
    }

    #[test]
    fn canonical_forms() {
        assert_eq!(canonical("visits"), canonical("visit"));
        assert_eq!(canonical("bills"), canonical("bill"));
        assert_eq!(canonical("countries"), "country");
        assert_eq!(canonical("congress"), "congress");
        assert_eq!(canonical("annex"), "acquire");
        assert_eq!(canonical("out"), "leave");
        assert_eq!(canonical("leaves"), "leave");
        for w in [
            "cuts",
            "cutting",
            "lowers",
            "lowered",
            "reduce",
            "reduces",
            "decreasing",
        ] {
            assert_eq!(canonical(w), "cut", "{w}");
        }
        for w in ["unchanged", "holds", "pauses", "paused", "maintains"] {
            assert_eq!(canonical(w), "hold", "{w}");
        }
        for w in [
            "released",
            "releases",
            "releasing",
            "drops",
            "debuts",
            "launched",
        ] {
            assert_eq!(canonical(w), "release", "{w}");
        }
        for w in ["Democrats", "democratic", "Dems"] {
            assert_eq!(canonical(&w.to_lowercase()), "democrat", "{w}");
        }
        assert_eq!(canonical("tories"), "conservative");
    }
}
