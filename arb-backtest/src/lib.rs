//! Record, replay and backtest.
//!
//! - **Recording**: every raw book message a venue sends, exactly as received, with its receive
//!   time, plus the market definitions and pairs, in hourly zstd-compressed files.
//! - **Replay / backtest**: a recording fed through the venues' own parsers into the engine, which
//!   trades against simulated venues that fill each order against the recorded book as it stood
//!   when the order would have arrived.
//! - **Import**: [`pmxt`] turns pmxt's hourly Parquet archive of Polymarket's order-book stream
//!   into a recording.

pub mod pmxt;
