//! Polymarket adapter: implements arb-core's [`Exchange`](arb_core::exchange::Exchange) over
//! Gamma, the CLOB V2 (REST and WebSocket) and the Data API.
//!
//! * [`signing`]: EIP-712 V2 orders (standard and neg-risk exchanges), the amount rounding table,
//!   L1 `ClobAuth` and L2 HMAC authentication — byte-identical to the official clients.
//! * [`PolymarketExchange`]: markets (YES/NO mapped by outcome label), books (YES token book +
//!   complement, never double counted), orders, fills, positions and balance.
//! * [`ws`]: the market channel as a book stream with heartbeat and reconnect.
//!
//! Secrets (private key, API secret, passphrase) never appear in `Debug`, logs or errors.

pub mod books;
mod catalogue;
pub mod client;
pub mod config;
pub mod error;
pub mod exchange;
pub mod fees;
pub mod http;
pub mod markets;
pub mod orders;
pub mod positions;
pub mod record;
pub mod signing;
pub mod wire;
pub mod ws;

pub use config::{PolymarketConfig, TradingCredentials};
pub use error::PolymarketError;
pub use exchange::PolymarketExchange;
pub use fees::PolymarketFees;
pub use markets::{MarketInfo, OutcomeMapping, PolymarketMarketExt, VENUE};
pub use record::{PolymarketDecoder, PolymarketDecoders};
