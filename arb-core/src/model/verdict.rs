//! What a semantic verifier (an LLM judge) said about two markets, and what it is cached under.

use serde::{Deserialize, Serialize};

use super::Relation;

/// A verifier's reading of how two markets' settlements relate: advice that can demote or
/// annotate a suggestion, never approve or promote it
/// ([`crate::matching::verify::apply_verdict`]).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Verdict {
    /// How market A relates to market B, as the verifier reads both rules texts.
    pub relation: Relation,
    /// Each settlement difference it found, one sentence each ("A settles on the Dec 31
    /// close, B at any time in 2026").
    pub differences: Vec<String>,
    /// The model (or other judge) that gave the verdict.
    pub model: String,
}

/// What a [`Verdict`] is cached under: both rules texts' hashes (as [`super::Market::rules_hash`]
/// computes them, so a changed rules text is judged again) and a hash of everything else the
/// judge saw (titles, outcome labels, resolution sources) and of its model. The second hash
/// matters: the markets of one Polymarket event share one rules text, so "Will Alice win?" and
/// "Will Bob win?" must not share a verdict.
#[derive(Clone, PartialEq, Eq, Hash, Debug, PartialOrd, Ord, Serialize, Deserialize)]
pub struct VerdictKey {
    /// SHA-256 (hex) of market A's rules text.
    pub rules_hash_a: String,
    /// SHA-256 (hex) of market B's rules text.
    pub rules_hash_b: String,
    /// SHA-256 (hex) of the model and both markets' other texts.
    pub context_hash: String,
}
