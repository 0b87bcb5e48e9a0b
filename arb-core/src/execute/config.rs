//! How the executor trades: mode, first-leg rule, slippage, timeouts, retries and the unwind floor.

use std::time::Duration;

use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::ExecuteError;
use crate::model::{ExecutionMode, TimeInForce, VenueId};

/// Which leg of a sequential execution is sent first (the riskier one: if it fails, nothing is lost).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub enum FirstLegRule {
    /// The leg with less depth at its limit price (read from both venues just before sending;
    /// ties and unreadable books go to market A).
    #[default]
    LessDepth,
    /// Always the leg on this venue (e.g. the venue whose fills are historically slower).
    Venue(VenueId),
    /// Always the leg on the pair's market A.
    MarketA,
}

/// Execution settings. [`ExecutionConfig::validate`] checks them before any order is sent.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ExecutionConfig {
    /// Sequential (riskier leg first, then the hedge) or concurrent (both IOC, then balance).
    pub mode: ExecutionMode,
    /// How far above a leg's planned limit a hedge may pay, as a fraction of that limit
    /// (0.02: a 0.50 limit may be hedged up to 0.51).
    pub slippage_tolerance: Decimal,
    /// How long one order may stay unresolved before it is cancelled and reconciled; also how
    /// long hedge retries may go on (`ORDER_TIMEOUT_SECONDS`, 30 s by default).
    pub order_timeout: Duration,
    /// Hedge retries after the first hedge order (and unwind orders) at most.
    pub max_hedge_attempts: u32,
    /// Pause between polls of a pending order, and between reads of a thin book.
    pub poll_interval: Duration,
    /// Unwinding never sells below this price; without bids at or above it the excess is held
    /// (the execution ends `Unhedged`).
    pub unwind_floor_price: Decimal,
    /// Which leg goes first in sequential mode.
    pub first_leg_rule: FirstLegRule,
    /// Time in force of the first leg(s): `Ioc` (partial fills accepted) or `Fok`.
    pub first_leg_time_in_force: TimeInForce,
}

impl Default for ExecutionConfig {
    fn default() -> Self {
        Self {
            mode: ExecutionMode::Sequential,
            slippage_tolerance: dec!(0.02),
            order_timeout: Duration::from_secs(30),
            max_hedge_attempts: 3,
            poll_interval: Duration::from_millis(250),
            unwind_floor_price: dec!(0.05),
            first_leg_rule: FirstLegRule::LessDepth,
            first_leg_time_in_force: TimeInForce::Ioc,
        }
    }
}

impl ExecutionConfig {
    /// Checks every setting; the error names the bad one.
    pub fn validate(&self) -> Result<(), ExecuteError> {
        let bad = |what: &str| Err(ExecuteError::Config(what.to_owned()));
        if self.slippage_tolerance < Decimal::ZERO || self.slippage_tolerance >= Decimal::ONE {
            return bad("slippage_tolerance must be in [0, 1)");
        }
        if self.order_timeout.is_zero() {
            return bad("order_timeout must be greater than zero");
        }
        if self.poll_interval.is_zero() || self.poll_interval > self.order_timeout {
            return bad("poll_interval must be greater than zero and at most order_timeout");
        }
        if self.unwind_floor_price < Decimal::ZERO || self.unwind_floor_price > Decimal::ONE {
            return bad("unwind_floor_price must be in [0, 1]");
        }
        if self.first_leg_time_in_force == TimeInForce::Gtc {
            return bad(
                "first_leg_time_in_force must be Ioc or Fok (a resting first leg is leg risk)",
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_valid_and_bad_settings_are_named() {
        assert!(ExecutionConfig::default().validate().is_ok());
        let cases = [
            (
                ExecutionConfig {
                    slippage_tolerance: dec!(1),
                    ..ExecutionConfig::default()
                },
                "slippage_tolerance",
            ),
            (
                ExecutionConfig {
                    order_timeout: Duration::ZERO,
                    ..ExecutionConfig::default()
                },
                "order_timeout",
            ),
            (
                ExecutionConfig {
                    poll_interval: Duration::from_secs(60),
                    ..ExecutionConfig::default()
                },
                "poll_interval",
            ),
            (
                ExecutionConfig {
                    unwind_floor_price: dec!(-0.1),
                    ..ExecutionConfig::default()
                },
                "unwind_floor_price",
            ),
            (
                ExecutionConfig {
                    first_leg_time_in_force: TimeInForce::Gtc,
                    ..ExecutionConfig::default()
                },
                "first_leg_time_in_force",
            ),
        ];
        for (config, field) in cases {
            let err = config.validate().unwrap_err().to_string();
            assert!(err.contains(field), "{err}");
        }
    }
}
