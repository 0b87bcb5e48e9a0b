//! Lexing of market text: words (with capitalisation kept for named entities), numbers with
//! units, slash dates and the few symbols that carry meaning (`-` in ranges, `+` in "6+").

/// The unit a number was written with.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Unit {
    /// A bare count or amount ("6 bills", "UFC 327").
    Count,
    /// Dollars ("$100k").
    Dollar,
    /// Percent ("4.5%").
    Percent,
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
            match c {
                '-' => out.push(Lex::Dash),
                '+' => out.push(Lex::Plus),
                _ => {}
            }
            i += 1;
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

/// Reads digits with thousands separators and a decimal part starting at `start`.
fn read_digits(chars: &[char], start: usize) -> (String, usize) {
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
    (digits, j)
}

/// Reads a number (or a slash date) starting at `start`.
fn lex_number(chars: &[char], start: usize, out: &mut Vec<Lex>) -> usize {
    let mut j = start;
    let dollar = chars[j] == '$';
    if dollar {
        j += 1;
    }
    let (digits, mut j) = read_digits(chars, j);
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
    // Attached suffix letters: k, m, b, bn, st/nd/rd/th.
    let mut end = j;
    while end < chars.len() && chars[end].is_ascii_alphabetic() {
        end += 1;
    }
    let suffix: String = chars[j..end]
        .iter()
        .collect::<String>()
        .to_ascii_lowercase();
    match suffix.as_str() {
        "k" => value *= 1e3,
        "m" | "mn" => value *= 1e6,
        "b" | "bn" => value *= 1e9,
        "t" | "tn" => value *= 1e12,
        "st" | "nd" | "rd" | "th" => ordinal = true,
        _ => end = j,
    }
    j = end;
    if chars.get(j) == Some(&'%') {
        unit = Unit::Percent;
        j += 1;
    }
    out.push(Lex::Num {
        value,
        unit,
        integer: !digits.contains('.') && suffix.is_empty(),
        ordinal,
    });
    j
}

/// Words that carry no identity: question words, auxiliaries, prepositions, articles,
/// comparator and date words (those are captured as features instead).
const STOPWORDS: &[&str] = &[
    "a", "about", "above", "after", "again", "all", "also", "an", "and", "any", "are", "as", "at",
    "be", "been", "before", "below", "between", "both", "but", "by", "can", "could", "did", "do",
    "does", "during", "each", "end", "ever", "fewer", "for", "from", "get", "greater", "had",
    "has", "have", "he", "her", "higher", "his", "how", "if", "in", "into", "is", "it", "its",
    "least", "less", "lower", "many", "more", "most", "much", "new", "next", "no", "not", "of",
    "on", "one", "or", "other", "over", "prior", "s", "she", "since", "so", "than", "that", "the",
    "their", "them", "then", "there", "these", "they", "this", "through", "to", "under", "until",
    "up", "was", "were", "what", "when", "where", "which", "who", "whom", "why", "will", "with",
    "within", "would", "year", "years", "yes",
];

/// Whether `word` (lower-case) is a stopword.
pub(crate) fn is_stopword(word: &str) -> bool {
    STOPWORDS.binary_search(&word).is_ok()
}

/// Words that mean the same thing on the two venues, mapped to one spelling.
const SYNONYMS: &[(&str, &str)] = &[
    ("acquire", "acquire"),
    ("annex", "acquire"),
    ("buy", "acquire"),
    ("depart", "leave"),
    ("exit", "leave"),
    ("left", "leave"),
    ("out", "leave"),
    ("purchase", "acquire"),
    ("usa", "us"),
];

/// A light stemmer (plural and third-person `s`) followed by the synonym table.
pub(crate) fn canonical(word: &str) -> String {
    let stem = if word.len() > 4 && word.ends_with("ies") {
        format!("{}y", &word[..word.len() - 3])
    } else if word.len() > 4
        && (word.ends_with("sses")
            || word.ends_with("xes")
            || word.ends_with("ches")
            || word.ends_with("shes"))
    {
        word[..word.len() - 2].to_owned()
    } else if word.len() > 3
        && word.ends_with('s')
        && !word.ends_with("ss")
        && !word.ends_with("us")
        && !word.ends_with("is")
    {
        word[..word.len() - 1].to_owned()
    } else {
        word.to_owned()
    };
    match SYNONYMS.binary_search_by(|(from, _)| (*from).cmp(stem.as_str())) {
        Ok(i) => SYNONYMS[i].1.to_owned(),
        Err(_) => stem,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_lists_are_sorted_for_binary_search() {
        assert!(STOPWORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(SYNONYMS.windows(2).all(|w| w[0].0 < w[1].0));
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
        assert_eq!(canonical("visits"), "visit");
        assert_eq!(canonical("bills"), "bill");
        assert_eq!(canonical("countries"), "country");
        assert_eq!(canonical("congress"), "congress");
        assert_eq!(canonical("annex"), "acquire");
        assert_eq!(canonical("out"), "leave");
        assert_eq!(canonical("leaves"), "leave");
    }
}
