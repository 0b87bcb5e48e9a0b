//! Errors raised when a domain value would break an invariant.

use rust_decimal::Decimal;
use thiserror::Error;

use super::OrderStatus;

/// A value that cannot be a valid domain object. Never retryable: the input itself is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ModelError {
    /// A price outside [0, 1].
    #[error("price {0} is outside [0, 1]")]
    PriceOutOfRange(Decimal),
    /// A negative quantity.
    #[error("quantity {0} is negative")]
    NegativeQty(Decimal),
    /// A tick or size step that is not strictly positive.
    #[error("step {0} must be greater than zero")]
    NonPositiveStep(Decimal),
    /// A price grid whose bands are empty, overlapping or out of [0, 1].
    #[error("invalid price grid: {0}")]
    InvalidGrid(String),
    /// A price that does not lie on the market's tick grid.
    #[error("price {price} is not on the market's tick grid")]
    OffGrid {
        /// The offending price.
        price: Decimal,
    },
    /// A quantity that is not a multiple of the market's size step.
    #[error("quantity {qty} is not a multiple of the size step {step}")]
    OffSizeStep {
        /// The offending quantity.
        qty: Decimal,
        /// The market's size step.
        step: Decimal,
    },
    /// A quantity below the market's minimum order size.
    #[error("quantity {qty} is below the minimum order size {min}")]
    BelowMinimum {
        /// The offending quantity.
        qty: Decimal,
        /// The market's minimum.
        min: Decimal,
    },
    /// An order status change that cannot happen (e.g. leaving a terminal state).
    #[error("order cannot go from {from:?} to {to:?}")]
    InvalidTransition {
        /// The current status.
        from: OrderStatus,
        /// The requested status.
        to: OrderStatus,
    },
    /// A fill quantity that goes down, or a sale filled beyond the order's quantity.
    #[error("filled quantity {filled} is invalid for an order of {qty} (previously {previous})")]
    InvalidFilledQty {
        /// The new filled quantity.
        filled: Decimal,
        /// The previous filled quantity.
        previous: Decimal,
        /// The order quantity.
        qty: Decimal,
    },
    /// An extension value that could not be (de)serialised.
    #[error("market extension `{key}`: {message}")]
    Extension {
        /// The extension's key.
        key: &'static str,
        /// What went wrong.
        message: String,
    },
}
