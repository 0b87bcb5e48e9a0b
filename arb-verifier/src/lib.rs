//! # arb-verifier
//!
//! The optional semantic verifier of match suggestions: [`OpenAiJudge`] asks a language model,
//! over an OpenAI-compatible Chat Completions API (`POST {endpoint}/chat/completions`, JSON
//! response format, bearer key), how two markets' settlements relate and how their rules differ.
//! It implements [`arb_core::matching::verify::Verifier`]; wrap it in
//! [`arb_core::matching::verify::CachedVerifier`] so each pair is asked once, and hand it to the
//! engine ([`arb_core::engine::Engine::set_verifier`]).
//!
//! A verdict can only demote or annotate a suggestion, never approve or promote it, so a wrong
//! or manipulated answer (a rules text is data the model reads) costs at worst a missed pair.
//! Every failure is a typed [`VerifyError`](arb_core::matching::verify::VerifyError): HTTP 401/403,
//! other statuses, timeouts, unreachable endpoints, refusals and answers that are not a verdict.
//! The API key ([`ApiKey`]) never appears in `Debug` output or in errors, even when the server
//! echoes it back.

mod answer;
mod judge;
mod key;
mod prompt;

pub use judge::{JudgeSettings, OpenAiJudge};
pub use key::ApiKey;
