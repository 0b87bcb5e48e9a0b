//! The strategy under test: which of the detector's opportunities to trade.
//!
//! The detector already guarantees an opportunity is profitable after every fee, within the
//! limits it was given. A strategy adds the trader's own judgement on top — here a minimum edge
//! and a minimum size — and is the piece this example lets you vary and measure.

use arb_core::Decimal;
use arb_core::model::{Opportunity, Qty};

/// What a strategy decides about one opportunity.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Verdict {
    /// Execute it.
    Trade,
    /// Let it pass, for this reason (also the key the results are counted under).
    Skip(String),
}

/// A trading strategy: a filter over detected opportunities.
pub trait Strategy {
    /// A short description for the results table.
    fn describe(&self) -> String;

    /// Whether to trade `opportunity`.
    fn judge(&self, opportunity: &Opportunity) -> Verdict;
}

/// Trade only opportunities with at least `min_profit_fraction` profit on cost and at least
/// `min_qty` contracts: small or thin edges are where fills and fees surprise.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct MinEdge {
    /// Smallest profit as a fraction of cost (0.02 = 2%).
    pub min_profit_fraction: Decimal,
    /// Smallest size, in contracts.
    pub min_qty: Qty,
}

impl Strategy for MinEdge {
    fn describe(&self) -> String {
        format!(
            "trade when profit >= {}% of cost and size >= {} contracts",
            (self.min_profit_fraction * Decimal::ONE_HUNDRED).normalize(),
            self.min_qty
        )
    }

    fn judge(&self, opportunity: &Opportunity) -> Verdict {
        if opportunity.profit_fraction < self.min_profit_fraction {
            Verdict::Skip(format!(
                "profit below {}%",
                (self.min_profit_fraction * Decimal::ONE_HUNDRED).normalize()
            ))
        } else if opportunity.qty < self.min_qty {
            Verdict::Skip(format!("size below {}", self.min_qty))
        } else {
            Verdict::Trade
        }
    }
}
