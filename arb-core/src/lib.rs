//! # arb-core
//!
//! The domain and logic of a cross-venue prediction-market arbitrage engine: it watches two venues
//! for the same real-world event and, once a person has confirmed two markets are the same, buys
//! YES on one and NO on the other whenever both together cost less than $1 after fees.
//!
//! The core does no I/O of its own. Venues implement [`exchange::Exchange`], persistence
//! implements [`store::Store`], and alerts go through [`notify::Notifier`]. Money is
//! [`rust_decimal::Decimal`] dollars; prices are probabilities in [0, 1] ([`model::Price`]).
//!
//! With the default `sim` feature, [`sim::SimExchange`] is a complete in-memory venue for tests,
//! demos and strategy experiments.

pub mod backoff;
pub mod clock;
pub mod detect;
pub mod engine;
pub mod exchange;
pub mod execute;
pub mod fees;
mod fixed;
pub mod matching;
pub mod model;
pub mod notify;
pub mod portfolio;
pub mod record;
pub mod risk;
#[cfg(feature = "sim")]
pub mod sim;
pub mod store;

pub use rust_decimal::Decimal;
