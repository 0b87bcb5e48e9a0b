//! Shared test support: fixtures with exact decimals, the three backends under test, and the
//! conformance suite run against each.

pub mod backends;
pub mod fixtures;
pub mod suite;
