//! Per-pair profit: locked in for hedged quantity, marked to market for the rest; the daily snapshot.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{Holding, Portfolio};
use crate::model::{DailyPnl, MarketKey, Outcome, Price, Qty, VerifiedPair};

/// What one pair holds and is worth.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct PairPnl {
    /// Contracts held on both sides (each pays exactly $1 whatever the result).
    pub hedged_qty: Qty,
    /// Profit those contracts lock in: $1 each minus their cost and fees.
    pub locked_in: Decimal,
    /// Contracts held on one side only: (market, outcome, quantity).
    pub unhedged: Vec<(MarketKey, Outcome, Qty)>,
    /// Mark-to-market PnL of the unhedged contracts (value at the mark minus cost and fees;
    /// a market without a mark is valued at zero, the worst case).
    pub unrealized: Decimal,
}

impl Portfolio {
    /// The pair's hedged and unhedged holdings. `mark` gives the price one could sell an outcome at
    /// (usually the best bid).
    pub fn pair_pnl(
        &self,
        pair: &VerifiedPair,
        mark: impl Fn(&MarketKey, Outcome) -> Option<Price>,
    ) -> PairPnl {
        let mut out = PairPnl::default();
        let empty = Holding::default();
        for outcome_a in [Outcome::Yes, Outcome::No] {
            let outcome_b = pair.polarity.map(outcome_a).opposite();
            let a = self
                .holdings
                .get(&(pair.a.clone(), outcome_a))
                .unwrap_or(&empty);
            let b = self
                .holdings
                .get(&(pair.b.clone(), outcome_b))
                .unwrap_or(&empty);
            let hedged = a.qty.min(b.qty);
            let (cost_a, fees_a) = a.share(hedged);
            let (cost_b, fees_b) = b.share(hedged);
            out.locked_in += hedged - cost_a - fees_a - cost_b - fees_b;
            out.hedged_qty += Qty::new(hedged).unwrap_or(Qty::ZERO);
            for (market, outcome, h) in [(&pair.a, outcome_a, a), (&pair.b, outcome_b, b)] {
                let excess = h.qty - hedged;
                if excess.is_zero() {
                    continue;
                }
                let (cost, fees) = h.share(excess);
                let value = mark(market, outcome).map_or(Decimal::ZERO, |p| excess * p.value());
                out.unrealized += value - cost - fees;
                out.unhedged.push((
                    market.clone(),
                    outcome,
                    Qty::new(excess).unwrap_or(Qty::ZERO),
                ));
            }
        }
        out
    }

    /// The day's snapshot: realised PnL and fees of that day, locked-in and unrealised PnL of
    /// `pairs` now, and the number of executions started that day (counted by the caller).
    pub fn daily_pnl(
        &self,
        date: NaiveDate,
        pairs: &[VerifiedPair],
        mark: impl Fn(&MarketKey, Outcome) -> Option<Price>,
        executions: u32,
    ) -> DailyPnl {
        let (locked_in, unrealized) =
            pairs
                .iter()
                .fold((Decimal::ZERO, Decimal::ZERO), |(locked, unreal), pair| {
                    let p = self.pair_pnl(pair, &mark);
                    (locked + p.locked_in, unreal + p.unrealized)
                });
        DailyPnl {
            date,
            realized: self.realized_on(date),
            locked_in,
            unrealized,
            fees: self.fees_on(date),
            executions,
        }
    }
}
