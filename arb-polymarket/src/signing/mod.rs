//! Everything that needs the private key or the API secret: order amounts, the EIP-712 V2 order,
//! L1 and L2 authentication.

pub mod amounts;
pub mod auth;
pub mod order;
pub mod wallet;

pub use amounts::{Amounts, OrderSide, RoundConfig, TickSize, limit_amounts, market_amounts};
pub use auth::{ApiCreds, l1_headers, l1_signature};
pub use order::{
    EXCHANGE_V2, ExchangeDomain, MAX_SALT, NEG_RISK_EXCHANGE_V2, OrderParams, OrderType, POLYGON,
    SignatureType, SignedOrder, sign_order,
};
pub use wallet::{Wallet, parse_address};

#[cfg(test)]
mod vector_tests;
