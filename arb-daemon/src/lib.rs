//! # arb-daemon
//!
//! The reference daemon around `arb_core`'s engine: configuration ([`config`]), the command line
//! ([`cli`]), logging ([`logging`]), Prometheus metrics and health ([`metrics`]), graceful
//! shutdown ([`shutdown`]) and the dispatch of commands ([`commands`]).

pub mod cli;
pub mod commands;
pub mod config;
pub mod console;
pub mod demo;
pub mod logging;
pub mod metrics;
pub mod secret;
pub mod shutdown;

pub use secret::Secret;
