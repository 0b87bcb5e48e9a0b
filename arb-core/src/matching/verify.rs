//! The optional semantic verifier: a second opinion on the matcher's best candidates, read from
//! both markets' titles and rules texts (an LLM judge: the `arb-verifier` crate).
//!
//! It can only make a suggestion more cautious. [`apply_verdict`] may lower a suggestion's score,
//! turn a tradable relation into a non-tradable one and add warnings (`verifier (model): …`); it
//! never raises a score, never makes a relation tradable and never approves anything. A verifier
//! that fails (refuses, answers nonsense, times out) changes nothing: the suggestion keeps the
//! matcher's reading. Verdicts are cached in the store ([`CachedVerifier`]) under both rules
//! texts' hashes, so an unchanged pair of markets is judged once.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use futures::StreamExt;
use thiserror::Error;

use crate::clock::Clock;
use crate::model::{Market, MarketKey, MatchSuggestion, Relation, Verdict, VerdictKey, sha256_hex};
use crate::store::{Store, StoreError};

/// What a verifier reads of one market.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct MarketText {
    /// The question.
    pub title: String,
    /// What YES means when the title alone does not say (an outcome label).
    pub subtitle: String,
    /// The full resolution rules.
    pub rules: String,
    /// Who or what decides the result, when the venue says.
    pub resolution_source: Option<String>,
}

impl From<&Market> for MarketText {
    fn from(market: &Market) -> Self {
        Self {
            title: market.title.clone(),
            subtitle: market.subtitle.clone(),
            rules: market.rules.clone(),
            resolution_source: market.resolution_source.clone(),
        }
    }
}

/// Why a verifier gave no verdict. Its text never contains the verifier's API key.
#[derive(Clone, Debug, Error)]
pub enum VerifyError {
    /// The verifier refused the credentials (HTTP 401 or 403).
    #[error("the verifier refused the credentials (HTTP {0}): check VERIFIER_API_KEY")]
    Unauthorized(u16),
    /// Any other HTTP error status.
    #[error("the verifier answered HTTP {status}: {message}")]
    Status {
        /// The HTTP status.
        status: u16,
        /// The error message the verifier gave, shortened.
        message: String,
    },
    /// No answer in time.
    #[error("the verifier did not answer within {0:?}")]
    Timeout(Duration),
    /// The verifier could not be reached.
    #[error("cannot reach the verifier: {0}")]
    Network(String),
    /// The answer was not a verdict (not JSON, an unknown relation, missing fields).
    #[error("the verifier's answer is not a verdict: {0}")]
    Malformed(String),
    /// The model declined to judge.
    #[error("the verifier declined to judge: {0}")]
    Refused(String),
    /// Settings that cannot work (a bad endpoint URL).
    #[error("verifier configuration: {0}")]
    Config(String),
    /// The verdict cache failed.
    #[error("verdict cache: {0}")]
    Store(#[from] StoreError),
}

impl VerifyError {
    /// Whether every further request of the same run would fail the same way (refused
    /// credentials, unusable settings), so the run stops asking.
    #[must_use]
    pub const fn ends_the_run(&self) -> bool {
        matches!(self, Self::Unauthorized(_) | Self::Config(_))
    }
}

/// A judge of how two markets' settlements relate. Object-safe: hold it as `Arc<dyn Verifier>`.
#[async_trait]
pub trait Verifier: Send + Sync {
    /// The model (or other judge) whose verdicts this gives; part of the cache key.
    fn model(&self) -> &str;

    /// How market `a` relates to market `b`, with the settlement differences found.
    async fn verify(&self, a: &MarketText, b: &MarketText) -> Result<Verdict, VerifyError>;
}

/// The key `model`'s verdict on (`a`, `b`) is cached under: both rules hashes, and a hash of the
/// model and the markets' other texts (see [`VerdictKey`]).
#[must_use]
pub fn verdict_key(model: &str, a: &MarketText, b: &MarketText) -> VerdictKey {
    // A JSON array: unambiguous however the texts are split.
    let context = serde_json::json!([
        model,
        a.title,
        a.subtitle,
        a.resolution_source,
        b.title,
        b.subtitle,
        b.resolution_source,
    ]);
    VerdictKey {
        rules_hash_a: sha256_hex(&a.rules),
        rules_hash_b: sha256_hex(&b.rules),
        context_hash: sha256_hex(&context.to_string()),
    }
}

/// A [`Verifier`] that asks `inner` only about pairs it has no stored verdict for, and stores
/// every verdict `inner` gives (failures are not stored: they are asked again next time).
pub struct CachedVerifier {
    inner: Arc<dyn Verifier>,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
}

impl CachedVerifier {
    /// Caches `inner`'s verdicts in `store`, stamped with `clock`'s time.
    #[must_use]
    pub fn new(inner: Arc<dyn Verifier>, store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Self {
            inner,
            store,
            clock,
        }
    }
}

impl std::fmt::Debug for CachedVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachedVerifier")
            .field("model", &self.inner.model())
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl Verifier for CachedVerifier {
    fn model(&self) -> &str {
        self.inner.model()
    }

    async fn verify(&self, a: &MarketText, b: &MarketText) -> Result<Verdict, VerifyError> {
        let key = verdict_key(self.inner.model(), a, b);
        if let Some(verdict) = self.store.verdict(&key).await? {
            return Ok(verdict);
        }
        let verdict = self.inner.verify(a, b).await?;
        self.store
            .put_verdict(&key, &verdict, self.clock.now())
            .await?;
        Ok(verdict)
    }
}

/// A demoted suggestion's score is multiplied by this.
pub const DEMOTED_SCORE_FACTOR: f64 = 0.5;

/// What a suggestion keeps after a verdict: its relation and score, and the warnings it gains.
#[derive(Clone, PartialEq, Debug)]
pub struct Review {
    /// The relation it carries from now on.
    pub relation: Relation,
    /// Its score (never above the one before).
    pub score: f64,
    /// Warnings to add, each `verifier (model): …`.
    pub warnings: Vec<String>,
}

/// Applies `verdict` to a suggestion the matcher read as `local` with `score`. Only demotes or
/// annotates:
///
/// - the same relation: unchanged, the verdict's differences added as warnings;
/// - a tradable `local`, a non-tradable verdict: the verdict's relation, the score lowered
///   ([`DEMOTED_SCORE_FACTOR`]), a warning saying why;
/// - `equivalent` against `inverse`: the matcher's relation kept, the score lowered, a warning
///   to check the polarity;
/// - a non-tradable `local`: kept whatever the verdict (never promoted), with a warning.
#[must_use]
pub fn review(local: Relation, score: f64, verdict: &Verdict) -> Review {
    let said = |text: String| format!("verifier ({}): {text}", verdict.model);
    let judged = verdict.relation;
    let mut warnings = Vec::new();
    let (relation, score) = if judged == local {
        (local, score)
    } else if !local.is_tradable() {
        warnings.push(said(format!(
            "judged {judged}, the matcher read {local}: the matcher's reading stands"
        )));
        (local, score)
    } else if !judged.is_tradable() {
        warnings.push(said(format!(
            "judged {judged} ({}), not {local}: not tradable",
            meaning(judged)
        )));
        (judged, demote(score))
    } else {
        warnings.push(said(format!(
            "judged {judged} ({}), the matcher read {local}: check the polarity before approving",
            meaning(judged)
        )));
        (local, demote(score))
    };
    warnings.extend(verdict.differences.iter().map(|d| said(d.clone())));
    Review {
        relation,
        score,
        warnings,
    }
}

/// [`review`] applied to `suggestion` in place (relation, score and warnings); returns whether
/// the verdict demoted it to a non-tradable relation.
pub fn apply_verdict(suggestion: &mut MatchSuggestion, verdict: &Verdict) -> bool {
    let local = suggestion.relation;
    let review = review(local, suggestion.score, verdict);
    suggestion.relation = review.relation;
    suggestion.score = review.score;
    suggestion.warnings.extend(review.warnings);
    review.relation != local
}

fn demote(score: f64) -> f64 {
    score.min(score * DEMOTED_SCORE_FACTOR)
}

/// What a relation means, for warnings.
const fn meaning(relation: Relation) -> &'static str {
    match relation {
        Relation::Equivalent => "A settles YES exactly when B does",
        Relation::Inverse => "A settles YES exactly when B settles NO",
        Relation::Subset => "whenever A settles YES B does too, not conversely",
        Relation::Superset => "whenever B settles YES A does too, not conversely",
        Relation::Overlapping => "both can settle YES, and each without the other",
        Relation::Different => "unrelated events",
    }
}

/// Which suggestions are sent to the verifier, and how many requests run at once.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct VerifyConfig {
    /// The best this many suggestions of each market of venue A are judged (default 3).
    pub top_n: usize,
    /// Requests in flight at once (default 4).
    pub concurrency: usize,
}

impl Default for VerifyConfig {
    fn default() -> Self {
        Self {
            top_n: 3,
            concurrency: 4,
        }
    }
}

/// What one [`SuggestionVerifier::verify_all`] run did.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct VerifyReport {
    /// Suggestions that got a verdict (from the cache or the verifier).
    pub judged: usize,
    /// Of those, suggestions demoted to a non-tradable relation.
    pub demoted: usize,
    /// Suggestions that got no verdict (the error is logged); they keep the matcher's reading.
    pub failed: usize,
    /// Suggestions not sent: below the top N of their market, markets not at hand, or after an
    /// error that ends the run.
    pub skipped: usize,
}

/// Sends the matcher's best suggestions to a [`Verifier`] and applies the verdicts.
pub struct SuggestionVerifier {
    verifier: Arc<dyn Verifier>,
    config: VerifyConfig,
}

impl std::fmt::Debug for SuggestionVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SuggestionVerifier")
            .field("model", &self.verifier.model())
            .field("config", &self.config)
            .finish()
    }
}

/// One request: the suggestion's index and both markets' texts.
type Job = (usize, MarketText, MarketText);

impl SuggestionVerifier {
    /// Verifies with `verifier` (usually a [`CachedVerifier`]); zero counts in `config` are
    /// raised to 1.
    #[must_use]
    pub fn new(verifier: Arc<dyn Verifier>, config: VerifyConfig) -> Self {
        Self {
            verifier,
            config: VerifyConfig {
                top_n: config.top_n.max(1),
                concurrency: config.concurrency.max(1),
            },
        }
    }

    /// Judges the best `top_n` suggestions of each market of A (markets looked up in `markets`),
    /// applies each verdict ([`apply_verdict`]) and re-sorts `suggestions` best first. Never
    /// fails: a suggestion without a verdict keeps the matcher's reading.
    pub async fn verify_all(
        &self,
        suggestions: &mut [MatchSuggestion],
        markets: &[&Market],
    ) -> VerifyReport {
        let (jobs, mut report) = self.jobs(suggestions, markets);
        let stop = AtomicBool::new(false);
        let answers: Vec<(usize, Option<Result<Verdict, VerifyError>>)> =
            futures::stream::iter(jobs)
                .map(|(i, a, b)| {
                    let stop = &stop;
                    async move {
                        if stop.load(Ordering::Relaxed) {
                            return (i, None);
                        }
                        let answer = self.verifier.verify(&a, &b).await;
                        if answer.as_ref().is_err_and(VerifyError::ends_the_run) {
                            stop.store(true, Ordering::Relaxed);
                        }
                        (i, Some(answer))
                    }
                })
                .buffer_unordered(self.config.concurrency)
                .collect()
                .await;
        for (i, answer) in answers {
            let Some(s) = suggestions.get_mut(i) else {
                continue;
            };
            match answer {
                None => report.skipped += 1,
                Some(Ok(verdict)) => {
                    report.judged += 1;
                    if apply_verdict(s, &verdict) {
                        report.demoted += 1;
                    }
                }
                Some(Err(e)) => {
                    report.failed += 1;
                    tracing::warn!(a = %s.a, b = %s.b, error = %e,
                        "the verifier gave no verdict; the matcher's reading stands");
                }
            }
        }
        suggestions.sort_by(super::best_first);
        report
    }

    /// The requests to send: the best `top_n` suggestions per market of A whose markets are
    /// known; the rest counted as skipped.
    fn jobs(
        &self,
        suggestions: &[MatchSuggestion],
        markets: &[&Market],
    ) -> (Vec<Job>, VerifyReport) {
        let by_key: HashMap<&MarketKey, &Market> = markets.iter().map(|m| (&m.key, *m)).collect();
        let mut order: Vec<usize> = (0..suggestions.len()).collect();
        order.sort_by(|&i, &j| super::best_first(&suggestions[i], &suggestions[j]));
        let mut sent: HashMap<&MarketKey, usize> = HashMap::new();
        let mut report = VerifyReport::default();
        let mut jobs = Vec::new();
        for i in order {
            let s = &suggestions[i];
            let count = sent.entry(&s.a).or_default();
            match (by_key.get(&s.a), by_key.get(&s.b)) {
                (Some(a), Some(b)) if *count < self.config.top_n => {
                    *count += 1;
                    jobs.push((i, MarketText::from(*a), MarketText::from(*b)));
                }
                _ => report.skipped += 1,
            }
        }
        (jobs, report)
    }
}

#[cfg(test)]
mod tests;
