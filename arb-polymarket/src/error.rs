//! Local errors of the adapter (raised before anything is sent) and their mapping to
//! [`ExchangeError`].

use arb_core::exchange::ExchangeError;
use rust_decimal::Decimal;
use thiserror::Error;

/// A problem found locally: bad configuration, an order that cannot be signed, a bad key.
/// Never contains a private key or an API secret.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PolymarketError {
    /// A tick size the CLOB does not allow.
    #[error("tick size {0} is not one of 0.1, 0.01, 0.005, 0.0025, 0.001, 0.0001")]
    UnsupportedTick(Decimal),
    /// A price off the tick grid or outside `[tick, 1 − tick]`.
    #[error("price {price} is not on the tick grid {tick} within [tick, 1 - tick]")]
    PriceOffGrid {
        /// The offending price.
        price: Decimal,
        /// The market's tick size.
        tick: Decimal,
    },
    /// A size that truncates to zero shares (or pUSD).
    #[error("size {0} rounds down to zero")]
    NonPositiveSize(Decimal),
    /// A size below the market's minimum order size.
    #[error("size {size} is below the market's minimum order size {min}")]
    BelowMinimumSize {
        /// The offending size.
        size: Decimal,
        /// The market's minimum.
        min: Decimal,
    },
    /// A size that is not a whole number of hundredths of a share.
    #[error("size {0} has more than 2 decimals")]
    SizeOffStep(Decimal),
    /// An amount too large for the signed fixed-point field.
    #[error("amount {0} does not fit the order's fixed-point amount")]
    AmountOverflow(Decimal),
    /// A malformed token id (must be a decimal uint256).
    #[error("invalid token id {0:?}")]
    InvalidTokenId(String),
    /// A salt above 2^53 − 1 (the CLOB parses it as a JSON number).
    #[error("salt {0} exceeds 2^53 - 1")]
    SaltTooLarge(u64),
    /// Only GTD orders may carry an expiration.
    #[error("only GTD orders may have a non-zero expiration")]
    ExpirationNotAllowed,
    /// A private key that is not 32 hex bytes (the key itself is never shown).
    #[error("invalid private key (expected 32 bytes of hex)")]
    InvalidPrivateKey,
    /// An address that is not 20 hex bytes.
    #[error("invalid address {0:?}")]
    InvalidAddress(String),
    /// An API secret that is not URL-safe base64 (the secret itself is never shown).
    #[error("invalid API secret (expected URL-safe base64)")]
    InvalidApiSecret,
    /// Signing failed.
    #[error("signing failed: {0}")]
    Signing(String),
    /// An invalid configuration value.
    #[error("invalid configuration: {0}")]
    Config(String),
}

impl From<PolymarketError> for ExchangeError {
    fn from(e: PolymarketError) -> Self {
        match e {
            PolymarketError::InvalidPrivateKey
            | PolymarketError::InvalidApiSecret
            | PolymarketError::Signing(_) => Self::Auth(e.to_string()),
            _ => Self::InvalidRequest(e.to_string()),
        }
    }
}
