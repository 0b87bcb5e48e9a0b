//! Markets prepared for matching: features plus interned token ids, and the shared vocabulary
//! with inverse document frequencies.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::features::MarketFeatures;
use super::rules::RulesFacts;
use super::text::{self, Lex};
use crate::model::Market;

/// The vocabulary of both catalogues with document frequencies.
#[derive(Default)]
pub(crate) struct Catalogue {
    ids: HashMap<String, u32>,
    df: Vec<u32>,
    idf: Vec<f64>,
}

/// One market ready for matching.
pub(crate) struct Prepared<'m> {
    pub(crate) market: &'m Market,
    pub(crate) features: MarketFeatures,
    /// What its rules text says about settlement.
    pub(crate) rules: RulesFacts,
    /// The canonical words of its rules text (sorted, distinct): names and actions the title
    /// abbreviates ("Kansas City Chiefs" for "Kansas City") are found here.
    pub(crate) rule_words: Vec<String>,
    /// Distinct token ids, sorted.
    pub(crate) ids: Vec<u32>,
    /// Sum of the IDF of `ids`.
    pub(crate) weight: f64,
    /// Content tokens joined by spaces, for string similarity.
    pub(crate) text: String,
}

impl Catalogue {
    fn intern(&mut self, word: &str) -> u32 {
        if let Some(&id) = self.ids.get(word) {
            return id;
        }
        let id = u32::try_from(self.df.len()).unwrap_or(u32::MAX);
        self.ids.insert(word.to_owned(), id);
        self.df.push(0);
        id
    }

    /// Prepares both catalogues over one shared vocabulary.
    pub(crate) fn build<'m>(
        a: &[&'m Market],
        b: &[&'m Market],
        today: NaiveDate,
    ) -> (Self, Vec<Prepared<'m>>, Vec<Prepared<'m>>) {
        let mut cat = Self::default();
        let mut prepare = |m: &'m Market| {
            let features = MarketFeatures::of(m, today);
            let mut ids: Vec<u32> = features.tokens.iter().map(|t| cat.intern(t)).collect();
            ids.sort_unstable();
            ids.dedup();
            for &id in &ids {
                cat.df[id as usize] += 1;
            }
            let text = features.tokens.join(" ");
            let rules = RulesFacts::of(&m.rules, m.resolution_source.as_deref(), &m.title);
            let mut rule_words: Vec<String> = text::lex(&m.rules)
                .iter()
                .filter_map(Lex::word)
                .filter(|w| !text::is_stopword(w))
                .map(text::canonical)
                .collect();
            rule_words.sort_unstable();
            rule_words.dedup();
            Prepared {
                market: m,
                features,
                rules,
                rule_words,
                ids,
                weight: 0.0,
                text,
            }
        };
        let mut pa: Vec<Prepared<'m>> = a.iter().map(|m| prepare(m)).collect();
        let mut pb: Vec<Prepared<'m>> = b.iter().map(|m| prepare(m)).collect();
        let n = (a.len() + b.len()) as f64;
        cat.idf = cat
            .df
            .iter()
            .map(|&df| (1.0 + n / f64::from(df.max(1))).ln())
            .collect();
        for p in pa.iter_mut().chain(pb.iter_mut()) {
            p.weight = p.ids.iter().map(|&id| cat.idf(id)).sum();
        }
        (cat, pa, pb)
    }

    /// The inverse document frequency of a token.
    pub(crate) fn idf(&self, id: u32) -> f64 {
        self.idf.get(id as usize).copied().unwrap_or(0.0)
    }

    /// Whether `p`'s title contains `word` (canonical form).
    pub(crate) fn contains(&self, p: &Prepared<'_>, word: &str) -> bool {
        self.ids
            .get(word)
            .is_some_and(|id| p.ids.binary_search(id).is_ok())
    }

    /// The id of a word, if any market uses it.
    pub(crate) fn id(&self, word: &str) -> Option<u32> {
        self.ids.get(word).copied()
    }

    /// Whether `p`'s title or rules contain `word` (canonical form).
    pub(crate) fn mentions(&self, p: &Prepared<'_>, word: &str) -> bool {
        self.contains(p, word)
            || p.rule_words
                .binary_search_by(|w| w.as_str().cmp(word))
                .is_ok()
    }

    /// How many tokens the vocabulary has.
    pub(crate) fn len(&self) -> usize {
        self.df.len()
    }
}
