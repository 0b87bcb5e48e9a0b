//! Matcher settings.

use chrono::Duration;
use thiserror::Error;

/// How the matcher searches and when it suggests.
#[derive(Clone, PartialEq, Debug)]
pub struct MatchConfig {
    /// Suggestions scoring below this (0–100) are dropped. Default 50: on the labelled data in
    /// `shared/data/matched-pairs` this keeps top-1 precision high while most true pairs still
    /// appear (see `cargo run --release --example match_eval`).
    pub min_score: f64,
    /// At most this many suggestions per market of venue A (default 5).
    pub max_per_market: usize,
    /// Markets whose close times differ by more than this are never paired (default 30 days).
    pub close_window: Duration,
    /// At most this many candidates per market of venue A are scored in full (default 40).
    pub max_candidates: usize,
    /// Words found in more than this share of venue B's markets are too common to look up
    /// candidates by (default 0.05); they still count in the score.
    pub common_token_share: f64,
}

impl Default for MatchConfig {
    fn default() -> Self {
        Self {
            min_score: 50.0,
            max_per_market: 5,
            close_window: Duration::days(30),
            max_candidates: 40,
            common_token_share: 0.05,
        }
    }
}

/// A [`MatchConfig`] value out of range.
#[derive(Clone, PartialEq, Debug, Error)]
pub enum MatchConfigError {
    /// `min_score` is not within 0–100.
    #[error("min_score must be within 0–100, got {0}")]
    MinScore(f64),
    /// `max_per_market` or `max_candidates` is zero.
    #[error("{0} must be at least 1")]
    Zero(&'static str),
    /// `close_window` is negative.
    #[error("close_window must not be negative, got {0}")]
    CloseWindow(Duration),
    /// `common_token_share` is not within (0, 1].
    #[error("common_token_share must be within (0, 1], got {0}")]
    CommonTokenShare(f64),
}

impl MatchConfig {
    /// Checks every field; call it on configuration that came from a person or a file.
    pub fn validate(&self) -> Result<(), MatchConfigError> {
        if !(0.0..=100.0).contains(&self.min_score) {
            return Err(MatchConfigError::MinScore(self.min_score));
        }
        if self.max_per_market == 0 {
            return Err(MatchConfigError::Zero("max_per_market"));
        }
        if self.max_candidates == 0 {
            return Err(MatchConfigError::Zero("max_candidates"));
        }
        if self.close_window < Duration::zero() {
            return Err(MatchConfigError::CloseWindow(self.close_window));
        }
        if !(self.common_token_share > 0.0 && self.common_token_share <= 1.0) {
            return Err(MatchConfigError::CommonTokenShare(self.common_token_share));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_names_the_bad_field() {
        assert_eq!(MatchConfig::default().validate(), Ok(()));
        let bad = MatchConfig {
            min_score: 120.0,
            ..MatchConfig::default()
        };
        assert_eq!(bad.validate(), Err(MatchConfigError::MinScore(120.0)));
        let bad = MatchConfig {
            max_per_market: 0,
            ..MatchConfig::default()
        };
        assert_eq!(
            bad.validate().map_err(|e| e.to_string()),
            Err("max_per_market must be at least 1".to_owned())
        );
        let bad = MatchConfig {
            close_window: Duration::days(-1),
            ..MatchConfig::default()
        };
        assert!(matches!(
            bad.validate(),
            Err(MatchConfigError::CloseWindow(_))
        ));
        let bad = MatchConfig {
            common_token_share: f64::NAN,
            ..MatchConfig::default()
        };
        assert!(matches!(
            bad.validate(),
            Err(MatchConfigError::CommonTokenShare(_))
        ));
    }
}
