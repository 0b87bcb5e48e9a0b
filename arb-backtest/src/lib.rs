//! Record, replay and backtest.
//!
//! - **Recording**: every raw book message a venue sends, exactly as received, with its receive
//!   time, plus the market definitions and pairs, in hourly zstd-compressed files.
//! - **Replay / backtest**: a recording fed through the venues' own parsers into the engine, which
//!   trades against simulated venues that fill each order against the recorded book as it stood
//!   when the order would have arrived ([`replay`], [`backtest`]).
//! - **Report**: what the strategy would have detected, done and earned ([`report`], [`chart`]).
//! - **Import**: [`pmxt`] turns pmxt's hourly Parquet archive of Polymarket's order-book stream
//!   into a recording.

pub mod backtest;
pub mod chart;
pub mod pmxt;
pub mod recording;
pub mod replay;
pub mod report;
pub mod suite;
