//! The house's commission as a [`FeeModel`]: a flat charge per ticket, whatever the price.
//!
//! A venue adapter either describes its fees as an [`arb_core::fees::FeeSchedule`] (one
//! [`FeeRule`] per liquidity, stored with the market) or implements [`FeeModel`] itself and
//! returns it from [`arb_core::exchange::Exchange::fee_model`], as this one does. Two things
//! matter:
//!
//! - [`FeeModel::order_fee`] must charge exactly what the venue will charge for one order, or
//!   the detector will call trades profitable that are not;
//! - [`FeeModel::rule`] must describe the same fee as a [`FeeRule`] — the detector prices
//!   thousands of quantities with it and refuses venues that return `None`. A flat per-contract
//!   charge fits the rule's form `qty × coefficient × (p × (1 − p))^exponent` with exponent 0.

use arb_core::Decimal;
use arb_core::fees::{FeeModel, FeeRule};
use arb_core::model::{Level, Liquidity};

/// A flat commission per contract, charged to makers and takers alike, in dollars.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct FlatCommission {
    /// Dollars per contract.
    pub per_contract: Decimal,
}

impl FeeModel for FlatCommission {
    fn order_fee(&self, fills: &[Level], _liquidity: Liquidity) -> Decimal {
        // Written in the venue's terms (contracts × commission) rather than through the rule,
        // so the example's consistency check between the two means something.
        fills
            .iter()
            .map(|fill| fill.qty.value() * self.per_contract)
            .sum()
    }

    fn rule(&self, _liquidity: Liquidity) -> Option<FeeRule> {
        Some(FeeRule {
            coefficient: self.per_contract,
            // (p × (1 − p))⁰ = 1: the same fee at every price.
            exponent: Decimal::ZERO,
            // The house charges whole micro-dollars and our sizes are whole tickets, so no
            // rounding is ever needed.
            fill_quantum: Decimal::ZERO,
            cash_quantum: None,
        })
    }
}
