//! What a market's rules text says about how it settles: the resolution source or price index,
//! the place or weather station, the time of day and time zone, tie and void clauses, the scope
//! ("at any time before" vs "on the date") and, for two-way races, both sides.
//!
//! Everything is read with general patterns (trigger phrases followed by a run of capitalised
//! words, clock times followed by a zone, sentences about ties or postponements), not with lists
//! of particular markets.

use super::text::{self, Lex};

/// A named thing in the rules (a source, an index, a station), as written and as compared.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct Named {
    /// As written ("CF Benchmarks Bitcoin Real-Time Index").
    pub(crate) text: String,
    /// Canonical words, without the generic ones ("index", "station"…).
    pub(crate) words: Vec<String>,
    /// Initials of the capitalised words ("cbbrti"), matched against acronyms.
    pub(crate) initials: String,
}

/// A clock time of settlement and its zone.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct ClockTime {
    /// Minutes after midnight.
    pub(crate) minutes: u32,
    /// The zone family ("eastern", "utc"…), when written.
    pub(crate) zone: Option<&'static str>,
    /// As written ("5:00 PM EST").
    pub(crate) text: String,
}

/// A tie or void clause: what it resolves to and the sentence.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct Clause {
    /// The outcome: `50-50`, `Yes`, `No`, `void` or `unspecified`.
    pub(crate) outcome: &'static str,
    /// The sentence, shortened.
    pub(crate) text: String,
}

/// Whether a price or measurement counts at one moment or at any time in a window.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Scope {
    /// "At any time before", "reach", "hit", intraday highs.
    AnyTime,
    /// A closing or settlement value at a stated moment.
    AtMoment,
}

impl Scope {
    pub(crate) const fn text(self) -> &'static str {
        match self {
            Self::AnyTime => "at any time in the window",
            Self::AtMoment => "at one moment (close or stated time)",
        }
    }
}

/// The settlement facts of one market.
#[derive(Clone, PartialEq, Debug, Default)]
pub(crate) struct RulesFacts {
    /// Resolution sources, indices, exchanges.
    pub(crate) sources: Vec<Named>,
    /// Places and stations where something is measured.
    pub(crate) locations: Vec<Named>,
    /// The first clock time of settlement.
    pub(crate) time: Option<ClockTime>,
    /// What a tie or draw resolves to.
    pub(crate) tie: Option<Clause>,
    /// What a postponement, cancellation or void resolves to.
    pub(crate) void: Option<Clause>,
    /// Moment vs any time.
    pub(crate) scope: Option<Scope>,
    /// The two sides of a two-way race named in the rules ("between X and Y").
    pub(crate) sides: Option<(Vec<String>, Vec<String>)>,
}

const SOURCE_TRIGGERS: &[&[&str]] = &[
    &["according", "to"],
    &["reported", "by"],
    &["published", "by"],
    &["released", "by"],
    &["source", "is"],
    &["source", "will", "be"],
    &["resolves", "on"],
    &["resolve", "on"],
    &["based", "on"],
    &["data", "from"],
    &["determined", "by"],
    &["per"],
    &["using"],
];
const LOCATION_TRIGGERS: &[&[&str]] = &[
    &["recorded", "at"],
    &["recorded", "in"],
    &["measured", "at"],
    &["measured", "in"],
    &["observed", "at"],
    &["observed", "in"],
    &["station"],
];
/// Words that say what kind of thing a name is, not which one.
const GENERIC: &[&str] = &[
    "airport",
    "average",
    "candle",
    "climatological",
    "close",
    "daily",
    "data",
    "exchange",
    "final",
    "index",
    "international",
    "minute",
    "official",
    "price",
    "rate",
    "report",
    "statement",
    "station",
    "website",
];
const JOINERS: &[&str] = &["and", "de", "for", "of", "the"];
const SKIPPABLE: &[&str] = &["a", "an", "its", "official", "the"];
const TIE_WORDS: &[&str] = &["deadlock", "draw", "drawn", "tie", "tied", "ties"];
const VOID_STEMS: &[&str] = &[
    "abandon",
    "cancel",
    "delay",
    "postpon",
    "reschedul",
    "suspend",
    "void",
];
const ANY_TIME: &[&str] = &[
    "any time",
    "any point",
    "anytime",
    "intraday",
    "at any moment",
    "ever trade",
];
const CONTEST_WORDS: &[&str] = &[
    "bout",
    "candidates",
    "contest",
    "election",
    "fight",
    "final",
    "game",
    "match",
    "race",
    "runoff",
];

/// Splits rules text into sentences (on `.`, `;`, `!`, `?` followed by a space, and line breaks).
fn sentences(rules: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = rules.as_bytes();
    for (i, &c) in bytes.iter().enumerate() {
        let end = match c {
            b'\n' => true,
            b'.' | b';' | b'!' | b'?' => bytes.get(i + 1).is_none_or(|n| n.is_ascii_whitespace()),
            _ => false,
        };
        if end {
            if let Some(s) = rules
                .get(start..=i)
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                out.push(s);
            }
            start = i + 1;
        }
    }
    if let Some(s) = rules.get(start..).map(str::trim).filter(|s| !s.is_empty()) {
        out.push(s);
    }
    out
}

fn is_capitalised(t: &Lex) -> bool {
    matches!(
        t,
        Lex::Word {
            capitalised: true,
            ..
        }
    )
}

/// The run of capitalised words (joined by "of", "the", "and", dashes) starting at `i`, as
/// (first, end) token indices; months are not names.
fn capital_run(toks: &[Lex], mut i: usize) -> Option<(usize, usize)> {
    // A capitalised function word opening a sentence ("If the …") is not part of a name.
    while toks
        .get(i)
        .and_then(Lex::word)
        .is_some_and(|w| text::is_stopword(w) || SKIPPABLE.contains(&w))
    {
        i += 1;
    }
    let start = i;
    let mut end = i;
    while let Some(t) = toks.get(end) {
        let name = is_capitalised(t)
            && t.word()
                .is_some_and(|w| super::dates::month_number(w).is_none());
        let joiner = t.word().is_some_and(|w| JOINERS.contains(&w)) || matches!(t, Lex::Dash);
        if name || (joiner && end > start && toks.get(end + 1).is_some_and(is_capitalised)) {
            end += 1;
        } else {
            break;
        }
    }
    (end > start).then_some((start, end))
}

fn named(toks: &[Lex]) -> Named {
    let raw: Vec<&str> = toks.iter().filter_map(Lex::word).collect();
    let initials = toks
        .iter()
        .filter(|t| is_capitalised(t))
        .filter_map(|t| t.word()?.chars().next())
        .collect();
    let words = raw
        .iter()
        .filter(|w| !JOINERS.contains(w) && !GENERIC.contains(w))
        .map(|w| text::canonical(w))
        .collect();
    Named {
        text: raw.join(" "),
        words,
        initials,
    }
}

/// Names following any of `triggers` in `toks`.
fn after_triggers(toks: &[Lex], triggers: &[&[&str]], out: &mut Vec<Named>) {
    for i in 0..toks.len() {
        for trigger in triggers {
            let hit = trigger
                .iter()
                .enumerate()
                .all(|(k, w)| toks.get(i + k).and_then(Lex::word) == Some(*w));
            if !hit {
                continue;
            }
            if let Some((s, e)) = capital_run(toks, i + trigger.len()) {
                let n = named(&toks[s..e]);
                if !n.words.is_empty() && !out.contains(&n) {
                    out.push(n);
                }
            }
        }
    }
}

/// Words after a name that make it a source ("RealClearPolitics polling average").
const SOURCE_NOUNS: &[&str] = &[
    "auction", "average", "data", "feed", "fixing", "index", "list", "polling", "stream",
];

/// Names ending in an index word anywhere ("… Real-Time Index", "… Stock Exchange"), or followed
/// by a source noun ("RealClearPolitics polling average").
fn indices(toks: &[Lex], out: &mut Vec<Named>) {
    let mut i = 0;
    while i < toks.len() {
        match capital_run(toks, i) {
            Some((s, e)) if s >= i => {
                let last = (s..e).rev().find(|&k| {
                    toks[k].word().is_some_and(|w| {
                        matches!(w, "index" | "exchange" | "benchmarks" | "benchmark")
                    })
                });
                let before_noun = toks
                    .get(e)
                    .and_then(Lex::word)
                    .is_some_and(|w| SOURCE_NOUNS.contains(&w));
                if let Some(last) = last.or_else(|| before_noun.then_some(e - 1)) {
                    let n = named(&toks[s..=last]);
                    if !n.words.is_empty() && !out.contains(&n) {
                        out.push(n);
                    }
                }
                i = e;
            }
            _ => i += 1,
        }
    }
}

const ZONES: &[(&str, &str)] = &[
    ("cdt", "central"),
    ("cst", "central"),
    ("ct", "central"),
    ("eastern", "eastern"),
    ("edt", "eastern"),
    ("est", "eastern"),
    ("et", "eastern"),
    ("gmt", "utc"),
    ("mdt", "mountain"),
    ("mst", "mountain"),
    ("mt", "mountain"),
    ("pacific", "pacific"),
    ("pdt", "pacific"),
    ("pst", "pacific"),
    ("pt", "pacific"),
    ("utc", "utc"),
];

fn zone(word: &str) -> Option<&'static str> {
    ZONES.iter().find(|(w, _)| *w == word).map(|(_, z)| *z)
}

fn small_int(t: &Lex, max: f64) -> Option<u32> {
    match t {
        Lex::Num {
            value,
            integer: true,
            unit: text::Unit::Count,
            ordinal: false,
            grouped: false,
        } if (0.0..=max).contains(value) =>
        {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Some(*value as u32)
        }
        _ => None,
    }
}

/// A clock time starting at `i` ("5:00 PM EST", "12 pm ET", "17:00 UTC", "noon ET"): the time
/// and how many tokens it spans.
pub(crate) fn clock_at(toks: &[Lex], i: usize) -> Option<(ClockTime, usize)> {
    let (minutes, mut len) = match toks.get(i)? {
        Lex::Word { text, .. } if text == "noon" => (12 * 60, 1),
        Lex::Word { text, .. } if text == "midnight" => (0, 1),
        t => {
            let hour = small_int(t, 23.0)?;
            let (minute, used) = match toks.get(i + 1).and_then(|t| small_int(t, 59.0)) {
                Some(m) => (m, 2),
                None => (0, 1),
            };
            let meridiem = toks.get(i + used).and_then(Lex::word);
            match meridiem {
                Some("am" | "pm") if hour <= 12 => {
                    let pm = meridiem == Some("pm");
                    let h = match (hour, pm) {
                        (12, false) => 0,
                        (12, true) => 12,
                        (h, true) => h + 12,
                        (h, false) => h,
                    };
                    (h * 60 + minute, used + 1)
                }
                // 24-hour times need minutes and a zone ("17:00 UTC").
                _ if used == 2 && meridiem.and_then(zone).is_some() => (hour * 60 + minute, used),
                _ => return None,
            }
        }
    };
    let mut zone_found = None;
    for k in 0..3 {
        match toks.get(i + len + k).and_then(Lex::word) {
            Some(w) if zone(w).is_some() => {
                zone_found = zone(w);
                len += k + 1;
                break;
            }
            Some("in" | "the" | "time") => {}
            _ => break,
        }
    }
    let h = minutes / 60;
    let (h12, ampm) = match h {
        0 => (12, "AM"),
        1..=11 => (h, "AM"),
        12 => (12, "PM"),
        _ => (h - 12, "PM"),
    };
    let text = format!(
        "{h12}:{:02} {ampm}{}",
        minutes % 60,
        zone_found.map_or(String::new(), |z| format!(" ({z})"))
    );
    Some((
        ClockTime {
            minutes,
            zone: zone_found,
            text,
        },
        len,
    ))
}

/// Finds the first clock time in `toks`, marking its tokens used (so "5pm" is not read as the
/// number 5).
pub(crate) fn mark_times(toks: &[Lex], used: &mut [bool]) -> Option<ClockTime> {
    let mut first = None;
    for i in 0..toks.len() {
        if used[i] {
            continue;
        }
        if let Some((time, len)) = clock_at(toks, i) {
            for u in used.iter_mut().skip(i).take(len) {
                *u = true;
            }
            first.get_or_insert(time);
        }
    }
    first
}

/// What a tie or void sentence resolves to.
fn outcome(sentence: &str) -> &'static str {
    let s = sentence.to_lowercase().replace(['"', '“', '”', '\''], "");
    if s.contains("50-50") || s.contains("50/50") || s.contains("fifty") || s.contains("0.50") {
        "50-50"
    } else if s.contains("resolve to no")
        || s.contains("resolves to no")
        || s.contains("resolve no")
        || s.contains("resolves no")
        || s.contains("settle to no")
        || s.contains("settles no")
    {
        "No"
    } else if s.contains("resolve to yes")
        || s.contains("resolves to yes")
        || s.contains("resolves yes")
        || s.contains("resolve yes")
        || s.contains("settles yes")
    {
        "Yes"
    } else if s.contains("refund")
        || s.contains("void")
        || s.contains("cancelled")
        || s.contains("canceled")
    {
        "void"
    } else if s.contains("remain open") || s.contains("extended") || s.contains("will wait") {
        "extended"
    } else {
        "unspecified"
    }
}

fn shorten(sentence: &str) -> String {
    const MAX: usize = 140;
    if sentence.chars().count() <= MAX {
        sentence.to_owned()
    } else {
        let cut: String = sentence.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

/// The two sides of a race named in a sentence: "between X and Y", "X vs Y".
fn two_sides(toks: &[Lex]) -> Option<(Vec<String>, Vec<String>)> {
    let contest = toks
        .iter()
        .any(|t| t.word().is_some_and(|w| CONTEST_WORDS.contains(&w)));
    if !contest {
        return None;
    }
    let side = |s: usize, e: usize| -> Vec<String> {
        toks[s..e]
            .iter()
            .filter_map(Lex::word)
            .filter(|w| !JOINERS.contains(w))
            .map(text::canonical)
            .collect()
    };
    for i in 0..toks.len() {
        let start = match toks[i].word() {
            Some("between") => i + 1,
            Some("are") if i > 0 && toks[i - 1].word() == Some("candidates") => i + 1,
            _ => continue,
        };
        let Some((s1, e1)) = capital_run_no_and(toks, start) else {
            continue;
        };
        if toks.get(e1).and_then(Lex::word) != Some("and") {
            continue;
        }
        if let Some((s2, e2)) = capital_run_no_and(toks, e1 + 1) {
            return Some((side(s1, e1), side(s2, e2)));
        }
    }
    None
}

/// A run of capitalised words not joined by "and" (which separates the two sides).
fn capital_run_no_and(toks: &[Lex], i: usize) -> Option<(usize, usize)> {
    let (s, e) = capital_run(toks, i)?;
    let cut = (s..e).find(|&k| toks[k].word() == Some("and")).unwrap_or(e);
    (cut > s).then_some((s, cut))
}

impl RulesFacts {
    /// Reads `rules` (and the resolution source and title, which may state the time or scope).
    pub(crate) fn of(rules: &str, resolution_source: Option<&str>, title: &str) -> Self {
        let mut facts = Self::default();
        let mut sources = Vec::new();
        let mut locations = Vec::new();
        for sentence in sentences(rules) {
            // Names end at a comma ("Central Park, New York").
            for clause in sentence.split(", ") {
                let toks = text::lex(clause);
                after_triggers(&toks, SOURCE_TRIGGERS, &mut sources);
                indices(&toks, &mut sources);
                after_triggers(&toks, LOCATION_TRIGGERS, &mut locations);
            }
            let toks = text::lex(sentence);
            if facts.time.is_none() {
                let mut used = vec![false; toks.len()];
                facts.time = mark_times(&toks, &mut used);
            }
            let words: Vec<&str> = toks.iter().filter_map(Lex::word).collect();
            if facts.tie.is_none() && words.iter().any(|w| TIE_WORDS.contains(w)) {
                facts.tie = Some(Clause {
                    outcome: outcome(sentence),
                    text: shorten(sentence),
                });
            }
            if facts.void.is_none()
                && words
                    .iter()
                    .any(|w| VOID_STEMS.iter().any(|s| w.starts_with(s)))
            {
                facts.void = Some(Clause {
                    outcome: outcome(sentence),
                    text: shorten(sentence),
                });
            }
            if facts.sides.is_none() {
                facts.sides = two_sides(&toks);
            }
        }
        if let Some(source) = resolution_source.filter(|s| !s.trim().is_empty()) {
            let toks = text::lex(source);
            if let Some((s, e)) = capital_run(&toks, 0) {
                let n = named(&toks[s..e]);
                if !n.words.is_empty() && !sources.contains(&n) {
                    sources.push(n);
                }
            }
        }
        if facts.time.is_none() {
            let toks = text::lex(title);
            let mut used = vec![false; toks.len()];
            facts.time = mark_times(&toks, &mut used);
        }
        facts.sources = sources;
        facts.locations = locations;
        facts.scope = scope(rules, title, facts.time.is_some());
        facts
    }
}

/// Moment vs any time, from the rules and title.
fn scope(rules: &str, title: &str, has_time: bool) -> Option<Scope> {
    let all = format!("{title} {rules}").to_lowercase();
    let title_lex = text::lex(title);
    let touch = title_lex.iter().filter_map(Lex::word).any(|w| {
        matches!(
            w,
            "hit" | "hits" | "reach" | "reaches" | "touch" | "touches" | "dip" | "dips"
        )
    });
    if touch || ANY_TIME.iter().any(|p| all.contains(p)) {
        Some(Scope::AnyTime)
    } else if has_time
        || [
            "closing price",
            "close price",
            "settlement price",
            "at close",
            "at the close",
            "closing value",
        ]
        .iter()
        .any(|p| all.contains(p))
    {
        Some(Scope::AtMoment)
    } else {
        None
    }
}

/// Whether two names can be the same thing: the same first word ("CF Benchmarks …"), one's
/// words within the other's, or an acronym of the other's initials ("NWS"). Words of the
/// markets' own titles are left out first (a source name often repeats the subject: "Bitcoin"
/// in "Bitcoin Real-Time Index"); a name with nothing left could be anything.
fn may_be_same(x: &Named, y: &Named, ignore: &dyn Fn(&str) -> bool) -> bool {
    let meaningful =
        |n: &Named| -> Vec<String> { n.words.iter().filter(|w| !ignore(w)).cloned().collect() };
    let (wx, wy) = (meaningful(x), meaningful(y));
    let within = |p: &[String], q: &[String]| p.iter().all(|w| q.contains(w));
    let acronym = |p: &[String], initials: &str| {
        p.iter().any(|w| {
            w.len() >= 2
                && initials.len() >= 2
                && (w == initials || initials.starts_with(w.as_str()))
        })
    };
    wx.is_empty()
        || wy.is_empty()
        || wx.first() == wy.first()
        || within(&wx, &wy)
        || within(&wy, &wx)
        || acronym(&wx, &y.initials)
        || acronym(&wy, &x.initials)
}

/// Whether no name of `a` can be a name of `b` (see [`may_be_same`]).
pub(crate) fn disjoint(a: &[Named], b: &[Named], ignore: &dyn Fn(&str) -> bool) -> bool {
    !a.iter()
        .any(|x| b.iter().any(|y| may_be_same(x, y, ignore)))
}

/// The names, joined for display.
pub(crate) fn names_text(list: &[Named]) -> String {
    if list.is_empty() {
        "(not stated)".to_owned()
    } else {
        list.iter()
            .map(|n| n.text.clone())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_times_and_scope() {
        let k = RulesFacts::of(
            "If the CF Benchmarks Bitcoin Real-Time Index (BRTI) is above 120000 at 5:00 PM EST on December 31, 2026, then the market resolves to Yes.",
            None,
            "Will Bitcoin be above $120,000 on Dec 31, 2026 at 5pm EST?",
        );
        assert_eq!(k.sources[0].text, "cf benchmarks bitcoin real time index");
        let t = k.time.as_ref().unwrap();
        assert_eq!((t.minutes, t.zone), (17 * 60, Some("eastern")));
        assert_eq!(k.scope, Some(Scope::AtMoment));
        let p = RulesFacts::of(
            "This market will resolve to \"Yes\" if the Binance BTC/USDT 1-minute candle close at 12:00 PM ET on December 31, 2026 is above $125,000, according to Binance.",
            None,
            "Will Bitcoin be above $125,000 on December 31, 2026?",
        );
        assert_eq!(p.time.as_ref().unwrap().minutes, 12 * 60);
        let title_word = |w: &str| w == "bitcoin";
        assert!(disjoint(&k.sources, &p.sources, &title_word));
        let same = RulesFacts::of(
            "Resolves per the CF Benchmarks Bitcoin Real-Time Index.",
            None,
            "",
        );
        assert!(!disjoint(&k.sources, &same.sources, &title_word));
    }

    #[test]
    fn stations_ties_and_two_way_races() {
        let k = RulesFacts::of(
            "The highest temperature recorded in Central Park, New York as reported by the National Weather Service.",
            None,
            "",
        );
        let p = RulesFacts::of(
            "Resolves according to the NWS high temperature recorded at the LaGuardia Airport Station.",
            None,
            "",
        );
        assert!(disjoint(&k.locations, &p.locations, &|_| false));
        assert!(
            !disjoint(&k.sources, &p.sources, &|_| false),
            "NWS = National Weather Service"
        );
        let tie = RulesFacts::of(
            "If the game ends in a tie, the market resolves 50-50.",
            None,
            "",
        );
        assert_eq!(tie.tie.unwrap().outcome, "50-50");
        let race = RulesFacts::of(
            "The runoff is between Alice Moreau and Ben Okafor.",
            None,
            "",
        );
        assert_eq!(
            race.sides,
            Some((
                vec!["alic".into(), "moreau".into()],
                vec!["ben".into(), "okafor".into()]
            ))
        );
    }
}
