//! Positions and PnL, built from fills: average cost and fees per venue/market/outcome, realised
//! PnL from sales and settlement, locked-in profit of hedged pairs, mark-to-market of unhedged
//! quantity, a daily snapshot, and reconciliation against each venue's reported positions.
//!
//! Paper and real trading share it: a market's result settles whatever fills were applied.

mod pnl;
mod reconcile;

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use thiserror::Error;

pub use pnl::PairPnl;
pub use reconcile::{Drift, drift_alert};

use crate::model::{Fill, FillId, MarketKey, Outcome, Position, Price, Qty, Side, VenueId};

/// A fill that contradicts the positions held.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PortfolioError {
    /// A sale of more contracts than are held.
    #[error("fill {fill} sells {sold} {outcome} on {market} but only {held} are held")]
    Oversold {
        /// The fill.
        fill: FillId,
        /// The market.
        market: MarketKey,
        /// The outcome.
        outcome: Outcome,
        /// Contracts held before the fill.
        held: Decimal,
        /// Contracts sold.
        sold: Decimal,
    },
    /// A fill whose quantity or fee is beyond any real trade (from a venue that did not bound
    /// it); refused so that sums of fills can never overflow.
    #[error("fill {fill} on {market} is out of range: {field} {value} (at most {MAX_FILL_VALUE})")]
    OutOfRange {
        /// The fill.
        fill: FillId,
        /// The market.
        market: MarketKey,
        /// The field: `qty` or `fee`.
        field: &'static str,
        /// Its value.
        value: Decimal,
    },
}

/// The largest quantity (contracts) or fee (dollars) one fill may carry: far beyond any real
/// trade, far below where summing fills could outgrow a `Decimal`.
pub const MAX_FILL_VALUE: Decimal = Decimal::from_parts(0xA4C6_8000, 0x38D7E, 0, false, 0); // 10^15

/// Contracts of one outcome held on one market, with their cost.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
struct Holding {
    qty: Decimal,
    /// Dollars paid for the contracts still held, fees excluded.
    cost: Decimal,
    /// Fees paid for the contracts still held.
    fees: Decimal,
    /// What those fees are worth in contracts at the prices bought (`Σ fee / price`): how many
    /// fewer contracts a venue that takes a buy's fee in shares delivers.
    fee_contracts: Decimal,
    /// Realised PnL of this position so far.
    realized: Decimal,
    updated_at: Option<DateTime<Utc>>,
}

impl Holding {
    /// Cost and fees attributable to `qty` of the contracts held (proportional).
    fn share(&self, qty: Decimal) -> (Decimal, Decimal) {
        if self.qty.is_zero() {
            return (Decimal::ZERO, Decimal::ZERO);
        }
        (self.cost * qty / self.qty, self.fees * qty / self.qty)
    }
}

/// All positions of an account across venues, and its PnL.
#[derive(Clone, Debug, Default)]
pub struct Portfolio {
    holdings: BTreeMap<(MarketKey, Outcome), Holding>,
    seen: HashSet<(VenueId, FillId)>,
    realized_by_day: BTreeMap<NaiveDate, Decimal>,
    fees_by_day: BTreeMap<NaiveDate, Decimal>,
    cash_by_venue: HashMap<VenueId, Decimal>,
    drift_tolerance: Decimal,
}

impl Portfolio {
    /// An empty portfolio; reconciliation reports differences larger than `drift_tolerance` contracts.
    #[must_use]
    pub fn new(drift_tolerance: Qty) -> Self {
        Self {
            drift_tolerance: drift_tolerance.value(),
            ..Self::default()
        }
    }

    /// Applies a fill (buys add to the position at their price; sales realise PnL against the
    /// average cost). A fill already applied (same venue and fill id) is ignored: returns `false`.
    pub fn apply_fill(&mut self, fill: &Fill) -> Result<bool, PortfolioError> {
        let key = (fill.market.venue.clone(), fill.fill_id.clone());
        if self.seen.contains(&key) {
            return Ok(false);
        }
        for (field, value) in [("qty", fill.qty.value()), ("fee", fill.fee)] {
            if value.abs() > MAX_FILL_VALUE {
                return Err(PortfolioError::OutOfRange {
                    fill: fill.fill_id.clone(),
                    market: fill.market.clone(),
                    field,
                    value,
                });
            }
        }
        let day = fill.ts.date_naive();
        let notional = fill.qty.notional(fill.price);
        let holding = self
            .holdings
            .entry((fill.market.clone(), fill.outcome))
            .or_default();
        let cash = match fill.side {
            Side::Buy => {
                holding.qty += fill.qty.value();
                holding.cost += notional;
                holding.fees += fill.fee;
                holding.fee_contracts += fill
                    .fee
                    .checked_div(fill.price.value())
                    .unwrap_or(Decimal::ZERO);
                -notional - fill.fee
            }
            Side::Sell => {
                let sold = fill.qty.value();
                if sold > holding.qty {
                    return Err(PortfolioError::Oversold {
                        fill: fill.fill_id.clone(),
                        market: fill.market.clone(),
                        outcome: fill.outcome,
                        held: holding.qty,
                        sold,
                    });
                }
                let (cost, fees) = holding.share(sold);
                let pnl = notional - fill.fee - cost - fees;
                holding.qty -= sold;
                holding.cost -= cost;
                holding.fee_contracts -= holding.fee_contracts * sold / holding.qty.max(sold);
                holding.fees -= fees;
                holding.realized += pnl;
                *self.realized_by_day.entry(day).or_default() += pnl;
                notional - fill.fee
            }
        };
        holding.updated_at = Some(fill.ts);
        *self.fees_by_day.entry(day).or_default() += fill.fee;
        *self
            .cash_by_venue
            .entry(fill.market.venue.clone())
            .or_default() += cash;
        self.seen.insert(key);
        Ok(true)
    }

    /// Applies fills in the order they happened: by time and, within one instant (venues report
    /// some times to the second), buys before sales, since a sale can only follow the purchase it
    /// sells. Returns the fills that did not fit (already-applied ones are skipped silently).
    pub fn apply_fills(&mut self, fills: &[Fill]) -> Vec<PortfolioError> {
        let mut ordered: Vec<&Fill> = fills.iter().collect();
        ordered.sort_by_key(|f| (f.ts, f.side == Side::Sell));
        ordered
            .into_iter()
            .filter_map(|f| self.apply_fill(f).err())
            .collect()
    }

    /// Settles a market that resolved to `winner`: each winning contract pays $1, losing ones
    /// nothing; the PnL is realised on `at`'s day and the positions closed. Returns the PnL.
    pub fn settle(&mut self, market: &MarketKey, winner: Outcome, at: DateTime<Utc>) -> Decimal {
        let mut total = Decimal::ZERO;
        for outcome in [Outcome::Yes, Outcome::No] {
            let Some(holding) = self.holdings.get_mut(&(market.clone(), outcome)) else {
                continue;
            };
            let payout = if outcome == winner {
                holding.qty
            } else {
                Decimal::ZERO
            };
            let pnl = payout - holding.cost - holding.fees;
            holding.realized += pnl;
            holding.qty = Decimal::ZERO;
            holding.cost = Decimal::ZERO;
            holding.fees = Decimal::ZERO;
            holding.fee_contracts = Decimal::ZERO;
            holding.updated_at = Some(at);
            *self.cash_by_venue.entry(market.venue.clone()).or_default() += payout;
            total += pnl;
        }
        *self.realized_by_day.entry(at.date_naive()).or_default() += total;
        total
    }

    /// Open positions (non-zero quantity), as the model's [`Position`].
    #[must_use]
    pub fn positions(&self) -> Vec<Position> {
        self.holdings
            .iter()
            .filter(|(_, h)| !h.qty.is_zero())
            .map(|((market, outcome), h)| to_position(market, *outcome, h))
            .collect()
    }

    /// Contracts held of one outcome of one market.
    #[must_use]
    pub fn qty(&self, market: &MarketKey, outcome: Outcome) -> Decimal {
        self.holdings
            .get(&(market.clone(), outcome))
            .map_or(Decimal::ZERO, |h| h.qty)
    }

    /// What the fees of the contracts held of one outcome are worth in contracts.
    fn fee_contracts(&self, market: &MarketKey, outcome: Outcome) -> Decimal {
        self.holdings
            .get(&(market.clone(), outcome))
            .map_or(Decimal::ZERO, |h| h.fee_contracts)
    }

    /// Dollars held per market (cost basis plus fees of open positions), for risk checks.
    #[must_use]
    pub fn exposure_by_market(&self) -> HashMap<MarketKey, Decimal> {
        let mut out: HashMap<MarketKey, Decimal> = HashMap::new();
        for ((market, _), h) in &self.holdings {
            if !h.qty.is_zero() {
                *out.entry(market.clone()).or_default() += h.cost + h.fees;
            }
        }
        out
    }

    /// Net cash that the applied fills and settlements moved on a venue (negative: spent).
    /// It must equal the venue's balance change exactly.
    #[must_use]
    pub fn cash_flow(&self, venue: &VenueId) -> Decimal {
        self.cash_by_venue.get(venue).copied().unwrap_or_default()
    }

    /// Realised PnL (sales and settlements, fees included) on a day.
    #[must_use]
    pub fn realized_on(&self, day: NaiveDate) -> Decimal {
        self.realized_by_day.get(&day).copied().unwrap_or_default()
    }

    /// Fees paid on a day.
    #[must_use]
    pub fn fees_on(&self, day: NaiveDate) -> Decimal {
        self.fees_by_day.get(&day).copied().unwrap_or_default()
    }

    /// Realised PnL over all days.
    #[must_use]
    pub fn realized_total(&self) -> Decimal {
        self.realized_by_day.values().copied().sum()
    }
}

fn to_position(market: &MarketKey, outcome: Outcome, h: &Holding) -> Position {
    let avg = (!h.qty.is_zero())
        .then(|| Price::new(h.cost / h.qty).ok())
        .flatten();
    Position {
        market: market.clone(),
        outcome,
        qty: Qty::new(h.qty).unwrap_or(Qty::ZERO),
        avg_price: avg,
        fees_paid: h.fees,
        realized_pnl: h.realized,
        updated_at: h.updated_at.unwrap_or(DateTime::UNIX_EPOCH),
    }
}
