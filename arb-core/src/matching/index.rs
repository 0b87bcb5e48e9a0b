//! Candidate generation: an inverted index from informative tokens to venue B's markets. A market
//! of venue A is only scored against the markets sharing its rarest words (IDF-weighted) and
//! closing within the close window: never all pairs.

use chrono::Duration;

use super::prepared::{Catalogue, Prepared};

/// Token id → indices of venue B's markets containing it.
pub(crate) struct Index {
    postings: Vec<Vec<u32>>,
    /// Postings longer than this are too common to search by.
    cap: usize,
}

/// Reusable buffers for one search thread.
pub(crate) struct Scratch {
    acc: Vec<f64>,
    touched: Vec<u32>,
}

impl Index {
    pub(crate) fn build(b: &[Prepared<'_>], cat: &Catalogue, common_token_share: f64) -> Self {
        let mut postings = vec![Vec::new(); cat.len()];
        for (i, p) in b.iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            for &id in &p.ids {
                postings[id as usize].push(i);
            }
        }
        // Small catalogues keep every token that is not in most markets.
        let share_cap = (common_token_share * b.len() as f64).ceil();
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let cap = (share_cap as usize).max(20);
        Self { postings, cap }
    }

    pub(crate) fn scratch(&self, b_len: usize) -> Scratch {
        Scratch {
            acc: vec![0.0; b_len],
            touched: Vec::new(),
        }
    }

    /// Up to `limit` indices of venue B's markets sharing the most informative words with `a` and
    /// closing within `window` of it, best first.
    pub(crate) fn candidates(
        &self,
        a: &Prepared<'_>,
        b: &[Prepared<'_>],
        cat: &Catalogue,
        window: Duration,
        limit: usize,
        scratch: &mut Scratch,
    ) -> Vec<u32> {
        let posting = |id: u32| {
            self.postings
                .get(id as usize)
                .map_or(&[][..], Vec::as_slice)
        };
        let mut query: Vec<u32> = a
            .ids
            .iter()
            .copied()
            .filter(|&id| !posting(id).is_empty() && posting(id).len() <= self.cap)
            .collect();
        // Names the title abbreviates are often spelled out in the rules ("Los Angeles Lakers"):
        // rules words found in venue B's titles count half.
        let from_rules: Vec<u32> = a
            .rule_words
            .iter()
            .filter_map(|w| cat.id(w))
            .filter(|id| a.ids.binary_search(id).is_err())
            .filter(|&id| !posting(id).is_empty() && posting(id).len() <= self.cap)
            .collect();
        if query.is_empty() {
            // Only common words: fall back to the three rarest.
            query = a
                .ids
                .iter()
                .copied()
                .filter(|&id| !posting(id).is_empty())
                .collect();
            query.sort_by_key(|&id| posting(id).len());
            query.truncate(3);
        }
        let weighted = query
            .into_iter()
            .map(|id| (id, 1.0))
            .chain(from_rules.into_iter().map(|id| (id, 0.5)));
        for (id, share) in weighted {
            let w = share * cat.idf(id);
            for &j in posting(id) {
                let slot = &mut scratch.acc[j as usize];
                if *slot <= 0.0 {
                    scratch.touched.push(j);
                }
                *slot += w;
            }
        }
        let close = a.market.close_time;
        let mut found: Vec<(f64, u32)> = scratch
            .touched
            .drain(..)
            .map(|j| (std::mem::take(&mut scratch.acc[j as usize]), j))
            .filter(|&(_, j)| (b[j as usize].market.close_time - close).abs() <= window)
            .collect();
        let by_weight = |x: &(f64, u32), y: &(f64, u32)| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1));
        if found.len() > limit {
            found.select_nth_unstable_by(limit - 1, by_weight);
            found.truncate(limit);
        }
        found.sort_unstable_by(by_weight);
        found.into_iter().map(|(_, j)| j).collect()
    }
}
