//! Kalshi adapter: implements arb-core's [`Exchange`](arb_core::exchange::Exchange) over Kalshi's
//! Trade API v2 as it behaves since 2026 — V2 order endpoints on a single YES book, fixed-point
//! prices and counts, per-market price grids, RSA-PSS or Ed25519 request signing, and the
//! `orderbook_delta` WebSocket with sequence-gap resynchronisation.
//!
//! Start with [`KalshiConfig`] (production by default, [`KalshiConfig::demo`], or any hosts
//! through [`KalshiConfig::with_hosts`]), add [`Credentials`] for trading, and build a
//! [`KalshiExchange`].

pub mod auth;
pub mod config;
pub mod convert;
pub mod exchange;
pub mod ratelimit;
pub mod rest;
pub mod wire;
pub mod ws;

pub use auth::{AuthError, Credentials, KeyKind};
pub use config::{Environment, KalshiConfig, ReconnectPolicy, RetryPolicy, SelfTradePrevention};
pub use convert::KalshiMarketExt;
pub use exchange::KalshiExchange;
pub use ratelimit::RateTier;
