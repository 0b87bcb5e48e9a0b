//! Kalshi adapter: implements arb-core's [`Exchange`](arb_core::exchange::Exchange) over Kalshi's
//! Trade API v2 as it behaves since 2026 — V2 order endpoints on a single YES book, fixed-point
//! prices and counts, per-market price grids, RSA-PSS or Ed25519 request signing, and the
//! `orderbook_delta` WebSocket with sequence-gap resynchronisation.
//!
//! Start with [`KalshiConfig`] (production by default, [`KalshiConfig::demo`], or any hosts
//! through [`KalshiConfig::with_hosts`]), add [`Credentials`] for trading, and build a
//! [`KalshiExchange`].
//!
//! Decisions worth knowing:
//! - **Fees**: taker rate = 0.07 × the series' `fee_multiplier` (event overrides win); maker rate =
//!   0.25 × taker on `quadratic_with_maker_fees`, 0.5 × on `quadratic_with_combo_maker_fees`, 0 on
//!   `quadratic`; `fee_waiver_expiration_time` becomes `waived_until`. `flat` and unknown fee types
//!   are refused (`Unsupported`) and such markets are left out of `list_markets`: we would rather
//!   not trade than price fees wrong.
//! - **Grid**: `price_ranges` bands, with the untradable $0 and $1 endpoints cut off. Order prices
//!   must lie on the grid (checked on the YES price actually sent); anything else is refused
//!   locally with `InvalidRequest`, never rounded silently.
//! - **Orders**: V2 only. Buy NO at q is sent as `ask` at 1 − q; the create answer's
//!   `average_fill_price` is read on the YES scale. Order POSTs and cancels are sent once; reads
//!   retry 429/5xx/timeouts with jittered backoff. Orders sent by this process map back onto our
//!   own request (outcome, side, price) when read.
//! - **Books**: every frame with `sid` + `seq` (acks included) is sequence-checked; a gap,
//!   duplicate or reset invalidates the books (`BookEvent::Invalidated`) and asks for fresh
//!   snapshots (`update_subscription` / `get_snapshot`); deltas are dropped until they arrive, and
//!   if they do not arrive in time the connection is re-made.

pub mod auth;
mod catalogue;
pub mod config;
pub mod convert;
pub mod exchange;
pub mod fees;
pub mod ratelimit;
pub mod record;
pub mod rest;
pub mod wire;
pub mod ws;

pub use auth::{AuthError, Credentials, KeyKind};
pub use config::{Environment, KalshiConfig, ReconnectPolicy, RetryPolicy, SelfTradePrevention};
pub use convert::KalshiMarketExt;
pub use exchange::KalshiExchange;
pub use fees::KalshiFees;
pub use ratelimit::RateTier;
pub use record::{KalshiDecoder, KalshiDecoders};
