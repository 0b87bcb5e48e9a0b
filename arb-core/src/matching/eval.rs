//! Offline evaluation of the matcher on labelled candidate pairs (the `llm_all_predictions.csv`
//! layout of `shared/data/matched-pairs/schumachero-PolyKalshi`): precision and recall of the
//! top-1 suggestion and recall@5.
//!
//! The data is read from disk at run time and never shipped: [`data_dir`] finds it next to the
//! repository or through `ARB_MATCH_DATA`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeZone, Utc};
use rust_decimal::Decimal;
use thiserror::Error;

use super::Matcher;
use crate::fees::FeeSchedule;
use crate::model::{
    Market, MarketExt, MarketKey, MarketStatus, ModelError, Polarity, PriceGrid, Qty,
};

/// The file of labelled candidate pairs inside the data directory.
pub const LABELS_FILE: &str = "schumachero-PolyKalshi/llm_all_predictions.csv";

/// Venue id used for the Kalshi side (venue A).
pub const KALSHI: &str = "kalshi";
/// Venue id used for the Polymarket side (venue B).
pub const POLYMARKET: &str = "polymarket";

/// Why labelled data could not be loaded.
#[derive(Debug, Error)]
pub enum EvalError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A required column is missing from the header.
    #[error("{path}: missing column `{column}`")]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The column.
        column: &'static str,
    },
    /// A row is malformed.
    #[error("{path}, record {record}: {message}")]
    Row {
        /// The file.
        path: PathBuf,
        /// 1-based record number after the header.
        record: usize,
        /// What is wrong.
        message: String,
    },
    /// A market could not be built.
    #[error("cannot build a market: {0}")]
    Model(#[from] ModelError),
}

/// The labelled data as markets of two venues plus ground truth.
#[derive(Clone, Debug)]
pub struct LabelledData {
    /// Venue A (Kalshi) markets, one per distinct ticker.
    pub kalshi: Vec<Market>,
    /// Venue B (Polymarket) markets, one per distinct id.
    pub polymarket: Vec<Market>,
    /// Labelled pairs (Kalshi ticker, Polymarket id) → equivalent? ("Unparsed" rows are left out;
    /// a pair labelled both ways counts as equivalent).
    pub labels: HashMap<(String, String), bool>,
    /// When the labels were made (the earliest `processed_at_utc`): dates without a year are
    /// read relative to it.
    pub now: DateTime<Utc>,
}

/// What the matcher achieved on labelled data.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct EvalReport {
    /// Kalshi markets with at least one equivalent Polymarket market.
    pub with_match: usize,
    /// Kalshi markets that got a top-1 suggestion.
    pub top1_suggested: usize,
    /// Top-1 suggestions labelled equivalent.
    pub top1_correct: usize,
    /// Top-1 suggestions labelled not equivalent.
    pub top1_labelled_wrong: usize,
    /// Top-1 suggestions of pairs without a label (counted as wrong in `precision_top1`).
    pub top1_unlabelled: usize,
    /// Kalshi markets with a match whose top-1 suggestion is one.
    pub recall_top1_hits: usize,
    /// Kalshi markets with a match that appears among their (up to) 5 suggestions.
    pub recall_at5_hits: usize,
    /// Correct top-1 suggestions whose suggested polarity is `Same` (every labelled pair in this
    /// data is YES↔YES: its tracked pairs hold YES on one venue and NO on the other).
    pub polarity_same: usize,
    /// Kalshi markets whose best suggestion offered as tradable (equivalent or inverse) exists.
    pub tradable_top1_suggested: usize,
    /// … labelled equivalent.
    pub tradable_top1_correct: usize,
}

fn ratio(n: usize, d: usize) -> f64 {
    if d == 0 { 0.0 } else { n as f64 / d as f64 }
}

impl EvalReport {
    /// Correct top-1 suggestions over all top-1 suggestions (unlabelled pairs count as wrong).
    #[must_use]
    pub fn precision_top1(&self) -> f64 {
        ratio(self.top1_correct, self.top1_suggested)
    }

    /// Correct top-1 suggestions over top-1 suggestions of labelled pairs.
    #[must_use]
    pub fn precision_top1_labelled(&self) -> f64 {
        ratio(
            self.top1_correct,
            self.top1_correct + self.top1_labelled_wrong,
        )
    }

    /// Markets with a match whose top-1 suggestion is correct, over markets with a match.
    #[must_use]
    pub fn recall_top1(&self) -> f64 {
        ratio(self.recall_top1_hits, self.with_match)
    }

    /// Correct best tradable suggestions over best tradable suggestions (unlabelled count as
    /// wrong): the precision of what is offered for approval.
    #[must_use]
    pub fn precision_tradable_top1(&self) -> f64 {
        ratio(self.tradable_top1_correct, self.tradable_top1_suggested)
    }

    /// Markets with a match whose best tradable suggestion is one, over markets with a match.
    #[must_use]
    pub fn recall_tradable_top1(&self) -> f64 {
        ratio(self.tradable_top1_correct, self.with_match)
    }

    /// Markets with a match found among their top 5 suggestions, over markets with a match.
    #[must_use]
    pub fn recall_at5(&self) -> f64 {
        ratio(self.recall_at5_hits, self.with_match)
    }
}

/// The matched-pairs data directory: `ARB_MATCH_DATA` when given, else the first
/// `shared/data/matched-pairs` beside `repo_root` or one of its ancestors (`<repo>/../shared/…`).
#[must_use]
pub fn data_dir(repo_root: &Path, env_override: Option<PathBuf>) -> Option<PathBuf> {
    if let Some(dir) = env_override {
        return dir.is_dir().then_some(dir);
    }
    repo_root
        .ancestors()
        .skip(1)
        .map(|p| p.join("shared/data/matched-pairs"))
        .find(|p| p.join(LABELS_FILE).is_file())
}

/// Splits CSV text into records (RFC 4180: quoted fields, doubled quotes, line breaks in quotes).
fn parse_csv(text: &str) -> Result<Vec<Vec<String>>, (usize, String)> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    if quoted {
        return Err((records.len(), "unterminated quoted field".to_owned()));
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    Ok(records)
}

/// A market built from a CSV row: the data has titles only, so rules are empty, the status is
/// open and every close time is the same (the close window is not exercised by this data).
fn market(venue: &str, id: &str, title: &str, close: DateTime<Utc>) -> Result<Market, ModelError> {
    Ok(Market {
        key: MarketKey::new(venue, id),
        title: title.to_owned(),
        subtitle: String::new(),
        rules: String::new(),
        resolution_source: None,
        close_time: close,
        status: MarketStatus::Open,
        price_grid: PriceGrid::uniform(Decimal::new(1, 2))?,
        size_step: Qty::new(Decimal::new(1, 2))?,
        min_order_qty: Qty::new(Decimal::ONE)?,
        fees: FeeSchedule::FREE,
        ext: MarketExt::default(),
    })
}

/// Loads the labelled pairs from `dir` (see [`LABELS_FILE`]).
pub fn load(dir: &Path) -> Result<LabelledData, EvalError> {
    let path = dir.join(LABELS_FILE);
    let text = std::fs::read_to_string(&path).map_err(|source| EvalError::Io {
        path: path.clone(),
        source,
    })?;
    let records = parse_csv(&text).map_err(|(record, message)| EvalError::Row {
        path: path.clone(),
        record,
        message,
    })?;
    let mut rows = records.into_iter();
    let header = rows.next().unwrap_or_default();
    let col = |column: &'static str| {
        header
            .iter()
            .position(|h| h.trim() == column)
            .ok_or_else(|| EvalError::MissingColumn {
                path: path.clone(),
                column,
            })
    };
    let (label, k_id, k_title, p_id, p_title, at) = (
        col("prediction_label")?,
        col("kalshi_market_ticker")?,
        col("kalshi_market")?,
        col("polymarket_market_ticker")?,
        col("polymarket_market")?,
        col("processed_at_utc")?,
    );
    let width = [label, k_id, k_title, p_id, p_title, at]
        .into_iter()
        .max()
        .unwrap_or(0);
    let mut kalshi = BTreeMap::new();
    let mut polymarket = BTreeMap::new();
    let mut labels: HashMap<(String, String), bool> = HashMap::new();
    let mut now: Option<DateTime<Utc>> = None;
    for (n, row) in rows.enumerate() {
        if row.len() == 1 && row[0].trim().is_empty() {
            continue;
        }
        let bad = |message: String| EvalError::Row {
            path: path.clone(),
            record: n + 1,
            message,
        };
        if row.len() <= width {
            return Err(bad(format!(
                "{} fields, expected at least {}",
                row.len(),
                width + 1
            )));
        }
        let when = DateTime::parse_from_rfc3339(row[at].trim())
            .map_err(|e| bad(format!("processed_at_utc `{}`: {e}", row[at])))?
            .with_timezone(&Utc);
        now = Some(now.map_or(when, |t| t.min(when)));
        let key = (row[k_id].trim().to_owned(), row[p_id].trim().to_owned());
        kalshi
            .entry(key.0.clone())
            .or_insert_with(|| row[k_title].clone());
        polymarket
            .entry(key.1.clone())
            .or_insert_with(|| row[p_title].clone());
        let equivalent = match row[label].trim() {
            "Equivalent" => true,
            "Not Equivalent" => false,
            _ => continue,
        };
        *labels.entry(key).or_insert(false) |= equivalent;
    }
    let now = now.ok_or_else(|| EvalError::Row {
        path: path.clone(),
        record: 0,
        message: "no rows".to_owned(),
    })?;
    let close = Utc
        .with_ymd_and_hms(2030, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or(now);
    let build = |venue: &str, m: BTreeMap<String, String>| {
        m.iter()
            .map(|(id, title)| market(venue, id, title, close))
            .collect::<Result<Vec<_>, _>>()
    };
    Ok(LabelledData {
        kalshi: build(KALSHI, kalshi)?,
        polymarket: build(POLYMARKET, polymarket)?,
        labels,
        now,
    })
}

/// Runs `matcher` over the labelled data (Kalshi as venue A, Polymarket as venue B) and scores
/// its suggestions against the labels.
#[must_use]
pub fn evaluate(matcher: &Matcher, data: &LabelledData) -> EvalReport {
    let suggestions = matcher.suggest(&data.kalshi, &data.polymarket, data.now);
    let mut per_market: HashMap<&str, Vec<(&str, Polarity)>> = HashMap::new();
    let mut best_tradable: HashMap<&str, &str> = HashMap::new();
    for s in &suggestions {
        // `suggest` returns best first, so each list is ordered too.
        per_market
            .entry(s.a.market.as_str())
            .or_default()
            .push((s.b.market.as_str(), s.polarity));
        if s.relation.is_tradable() {
            best_tradable
                .entry(s.a.market.as_str())
                .or_insert(s.b.market.as_str());
        }
    }
    let positives: HashSet<&str> = data
        .labels
        .iter()
        .filter(|(_, eq)| **eq)
        .map(|((k, _), _)| k.as_str())
        .collect();
    let is_match = |k: &str, p: &str| data.labels.get(&(k.to_owned(), p.to_owned())).copied();
    let mut report = EvalReport {
        with_match: positives.len(),
        top1_suggested: 0,
        top1_correct: 0,
        top1_labelled_wrong: 0,
        top1_unlabelled: 0,
        recall_top1_hits: 0,
        recall_at5_hits: 0,
        polarity_same: 0,
        tradable_top1_suggested: best_tradable.len(),
        tradable_top1_correct: best_tradable
            .iter()
            .filter(|(k, p)| is_match(k, p) == Some(true))
            .count(),
    };
    for (k, list) in &per_market {
        let Some(&(top, polarity)) = list.first() else {
            continue;
        };
        report.top1_suggested += 1;
        match is_match(k, top) {
            Some(true) => {
                report.top1_correct += 1;
                if polarity == Polarity::Same {
                    report.polarity_same += 1;
                }
            }
            Some(false) => report.top1_labelled_wrong += 1,
            None => report.top1_unlabelled += 1,
        }
        if positives.contains(k) {
            if is_match(k, top) == Some(true) {
                report.recall_top1_hits += 1;
            }
            if list
                .iter()
                .take(5)
                .any(|(p, _)| is_match(k, p) == Some(true))
            {
                report.recall_at5_hits += 1;
            }
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_line_breaks() {
        let rows = parse_csv("a,b,c\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n1,,3").unwrap();
        assert_eq!(
            rows,
            vec![
                vec!["a", "b", "c"],
                vec!["x, y", "say \"hi\"", "two\nlines"],
                vec!["1", "", "3"],
            ]
        );
        assert!(parse_csv("a,\"open").is_err());
    }

    #[test]
    fn missing_columns_and_files_are_typed_errors() {
        let dir = std::env::temp_dir().join(format!("arb-match-eval-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("schumachero-PolyKalshi")).unwrap();
        std::fs::write(
            dir.join(LABELS_FILE),
            "row,prediction_label\n0,Equivalent\n",
        )
        .unwrap();
        let err = load(&dir).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{}: missing column `kalshi_market_ticker`",
                dir.join(LABELS_FILE).display()
            )
        );
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(matches!(load(&dir), Err(EvalError::Io { .. })));
    }
}
