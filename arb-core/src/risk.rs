//! Risk limits, cooldowns, consecutive-error counts and the kill switch.
//!
//! [`RiskManager::check`] is asked before every execution; a refusal carries a reason that is
//! stored with the opportunity and shown to people. The kill switch ([`RiskManager::halt`]) stops
//! new executions; executions already in flight still finish hedging (the executor only consults
//! it before sending a first leg).

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use thiserror::Error;

use crate::model::{MarketKey, Opportunity, PairId, VenueId};

/// The limits, in dollars unless named otherwise.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct RiskLimits {
    /// Most one execution may cost (both legs, fees included).
    pub max_trade_usd: Decimal,
    /// Most that may be held in one market (cost basis plus the new leg).
    pub max_exposure_per_market_usd: Decimal,
    /// Most that may be held across all markets.
    pub max_total_exposure_usd: Decimal,
    /// Time after an execution of a pair before the pair may trade again.
    pub pair_cooldown: chrono::Duration,
    /// No new executions once today's (UTC) realised loss reaches this.
    pub max_daily_loss_usd: Decimal,
    /// No new executions touching a venue after this many consecutive failed calls to it.
    pub max_consecutive_errors: u32,
    /// Cash each venue must keep after paying for its leg.
    pub min_balance_reserve_usd: Decimal,
}

impl RiskLimits {
    /// Checks that every limit is usable; the error names the bad one.
    pub fn validate(&self) -> Result<(), RiskConfigError> {
        let non_negative = [
            ("max_trade_usd", self.max_trade_usd),
            (
                "max_exposure_per_market_usd",
                self.max_exposure_per_market_usd,
            ),
            ("max_total_exposure_usd", self.max_total_exposure_usd),
            ("max_daily_loss_usd", self.max_daily_loss_usd),
            ("min_balance_reserve_usd", self.min_balance_reserve_usd),
        ];
        if let Some((name, _)) = non_negative.iter().find(|(_, v)| *v < Decimal::ZERO) {
            return Err(RiskConfigError((*name).to_owned()));
        }
        if self.pair_cooldown < chrono::Duration::zero() {
            return Err(RiskConfigError("pair_cooldown".to_owned()));
        }
        if self.max_consecutive_errors == 0 {
            return Err(RiskConfigError("max_consecutive_errors".to_owned()));
        }
        Ok(())
    }
}

/// A limit that cannot be used (negative amount, zero error budget).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "invalid risk limit `{0}`: amounts and durations must not be negative, error counts must be positive"
)]
pub struct RiskConfigError(pub String);

/// What the account looks like when an opportunity is checked.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct RiskState {
    /// Dollars held per market (cost basis of open positions).
    pub exposure_usd: HashMap<MarketKey, Decimal>,
    /// Cash available per venue.
    pub available_usd: HashMap<VenueId, Decimal>,
    /// Now.
    pub now: DateTime<Utc>,
}

impl RiskState {
    /// Dollars held across all markets.
    #[must_use]
    pub fn total_exposure_usd(&self) -> Decimal {
        self.exposure_usd.values().copied().sum()
    }
}

/// Why an opportunity was refused.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum RefusalReason {
    /// The kill switch is on.
    Halted {
        /// Why it was switched on.
        reason: String,
    },
    /// The trade costs more than the per-trade limit.
    TradeTooLarge {
        /// Its cost.
        cost_usd: Decimal,
        /// The limit.
        max_usd: Decimal,
    },
    /// A market would hold more than its limit.
    MarketExposure {
        /// The market.
        market: MarketKey,
        /// Exposure after the trade.
        after_usd: Decimal,
        /// The limit.
        max_usd: Decimal,
    },
    /// All markets together would hold more than the limit.
    TotalExposure {
        /// Exposure after the trade.
        after_usd: Decimal,
        /// The limit.
        max_usd: Decimal,
    },
    /// The pair traded too recently.
    Cooldown {
        /// The pair.
        pair: PairId,
        /// When it may trade again.
        until: DateTime<Utc>,
    },
    /// Today's realised loss reached the limit.
    DailyLoss {
        /// Today's realised loss (positive).
        loss_usd: Decimal,
        /// The limit.
        max_usd: Decimal,
    },
    /// A venue failed too many calls in a row.
    VenueErrors {
        /// The venue.
        venue: VenueId,
        /// Consecutive failures.
        count: u32,
    },
    /// Paying for a leg would take a venue's cash below the reserve.
    BalanceReserve {
        /// The venue.
        venue: VenueId,
        /// Cash available.
        available_usd: Decimal,
        /// The leg's cost.
        needed_usd: Decimal,
        /// The reserve to keep.
        reserve_usd: Decimal,
    },
    /// A venue's cash is not known, so the reserve cannot be checked (fail closed).
    UnknownBalance {
        /// The venue.
        venue: VenueId,
    },
}

impl std::fmt::Display for RefusalReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Halted { reason } => write!(f, "trading is halted: {reason}"),
            Self::TradeTooLarge { cost_usd, max_usd } => {
                write!(
                    f,
                    "trade costs ${cost_usd}, above the ${max_usd} per-trade limit",
                    cost_usd = usd(*cost_usd),
                    max_usd = usd(*max_usd)
                )
            }
            Self::MarketExposure {
                market,
                after_usd,
                max_usd,
            } => write!(
                f,
                "exposure on {market} would reach ${after_usd}, above the ${max_usd} per-market limit",
                after_usd = usd(*after_usd),
                max_usd = usd(*max_usd)
            ),
            Self::TotalExposure { after_usd, max_usd } => write!(
                f,
                "total exposure would reach ${after_usd}, above the ${max_usd} limit",
                after_usd = usd(*after_usd),
                max_usd = usd(*max_usd)
            ),
            Self::Cooldown { pair, until } => {
                write!(f, "pair {pair} is cooling down until {until}")
            }
            Self::DailyLoss { loss_usd, max_usd } => write!(
                f,
                "today's realised loss ${loss_usd} reached the ${max_usd} daily limit",
                loss_usd = usd(*loss_usd),
                max_usd = usd(*max_usd)
            ),
            Self::VenueErrors { venue, count } => write!(
                f,
                "venue {venue} failed {count} calls in a row; waiting for a successful call"
            ),
            Self::BalanceReserve {
                venue,
                available_usd,
                needed_usd,
                reserve_usd,
            } => write!(
                f,
                "{venue} has ${available_usd}; paying ${needed_usd} would leave less than the ${reserve_usd} reserve",
                available_usd = usd(*available_usd),
                needed_usd = usd(*needed_usd),
                reserve_usd = usd(*reserve_usd)
            ),
            Self::UnknownBalance { venue } => {
                write!(f, "balance on {venue} is unknown; refusing to trade blind")
            }
        }
    }
}

/// Dollars for people: at least two decimals, more only when they matter.
fn usd(amount: Decimal) -> String {
    let n = amount.normalize();
    if n.scale() < 2 {
        format!("{n:.2}")
    } else {
        n.to_string()
    }
}

/// A refused opportunity. `Display` gives the reason shown to people and stored with the
/// opportunity (`OpportunityDecision::Refused`).
#[derive(Clone, PartialEq, Eq, Debug, Error)]
#[error("{reason}")]
pub struct Refusal {
    /// Why.
    pub reason: RefusalReason,
}

/// What an execution ended with, for cooldowns and the daily loss limit.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ExecutionOutcome {
    /// The pair.
    pub pair_id: PairId,
    /// When it ended.
    pub finished_at: DateTime<Utc>,
    /// Its realised PnL (negative after an unwind), dollars.
    pub realized_pnl: Decimal,
}

#[derive(Debug, Default)]
struct Inner {
    halted: Option<String>,
    last_execution: HashMap<PairId, DateTime<Utc>>,
    realized_by_day: HashMap<NaiveDate, Decimal>,
    venue_errors: HashMap<VenueId, u32>,
}

/// Applies the limits. Thread-safe: share it behind an `Arc`.
#[derive(Debug)]
pub struct RiskManager {
    limits: RiskLimits,
    inner: Mutex<Inner>,
}

impl RiskManager {
    /// A manager enforcing `limits`.
    pub fn new(limits: RiskLimits) -> Result<Self, RiskConfigError> {
        limits.validate()?;
        Ok(Self {
            limits,
            inner: Mutex::default(),
        })
    }

    /// The limits in force.
    #[must_use]
    pub const fn limits(&self) -> &RiskLimits {
        &self.limits
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether `opportunity` may be executed now; the first limit it breaks otherwise.
    pub fn check(&self, opportunity: &Opportunity, state: &RiskState) -> Result<(), Refusal> {
        let refuse = |reason| Err(Refusal { reason });
        let limits = &self.limits;
        let inner = self.inner();
        if let Some(reason) = &inner.halted {
            return refuse(RefusalReason::Halted {
                reason: reason.clone(),
            });
        }
        if opportunity.total_cost > limits.max_trade_usd {
            return refuse(RefusalReason::TradeTooLarge {
                cost_usd: opportunity.total_cost,
                max_usd: limits.max_trade_usd,
            });
        }
        for leg in opportunity.legs() {
            let held = state
                .exposure_usd
                .get(&leg.market)
                .copied()
                .unwrap_or_default();
            let after = held + leg.total_cost();
            if after > limits.max_exposure_per_market_usd {
                return refuse(RefusalReason::MarketExposure {
                    market: leg.market.clone(),
                    after_usd: after,
                    max_usd: limits.max_exposure_per_market_usd,
                });
            }
        }
        let total_after = state.total_exposure_usd() + opportunity.total_cost;
        if total_after > limits.max_total_exposure_usd {
            return refuse(RefusalReason::TotalExposure {
                after_usd: total_after,
                max_usd: limits.max_total_exposure_usd,
            });
        }
        if let Some(last) = inner.last_execution.get(&opportunity.pair_id) {
            let until = *last + limits.pair_cooldown;
            if state.now < until {
                return refuse(RefusalReason::Cooldown {
                    pair: opportunity.pair_id,
                    until,
                });
            }
        }
        let realized = inner
            .realized_by_day
            .get(&state.now.date_naive())
            .copied()
            .unwrap_or_default();
        if -realized >= limits.max_daily_loss_usd && realized < Decimal::ZERO {
            return refuse(RefusalReason::DailyLoss {
                loss_usd: -realized,
                max_usd: limits.max_daily_loss_usd,
            });
        }
        for leg in opportunity.legs() {
            let venue = &leg.market.venue;
            let count = inner.venue_errors.get(venue).copied().unwrap_or_default();
            if count >= limits.max_consecutive_errors {
                return refuse(RefusalReason::VenueErrors {
                    venue: venue.clone(),
                    count,
                });
            }
            let Some(available) = state.available_usd.get(venue).copied() else {
                return refuse(RefusalReason::UnknownBalance {
                    venue: venue.clone(),
                });
            };
            // An overflowing difference (a balance near Decimal's limit) is refused too.
            let left = available.checked_sub(leg.total_cost());
            if left.is_none_or(|left| left < limits.min_balance_reserve_usd) {
                return refuse(RefusalReason::BalanceReserve {
                    venue: venue.clone(),
                    available_usd: available,
                    needed_usd: leg.total_cost(),
                    reserve_usd: limits.min_balance_reserve_usd,
                });
            }
        }
        Ok(())
    }

    /// Records a finished execution: starts the pair's cooldown and adds its realised PnL to its day.
    pub fn record_outcome(&self, outcome: &ExecutionOutcome) {
        let mut inner = self.inner();
        inner
            .last_execution
            .insert(outcome.pair_id, outcome.finished_at);
        *inner
            .realized_by_day
            .entry(outcome.finished_at.date_naive())
            .or_default() += outcome.realized_pnl;
    }

    /// Realised PnL recorded for a day.
    #[must_use]
    pub fn realized_on(&self, day: NaiveDate) -> Decimal {
        self.inner()
            .realized_by_day
            .get(&day)
            .copied()
            .unwrap_or_default()
    }

    /// Counts a failed call to a venue.
    pub fn record_venue_error(&self, venue: &VenueId) {
        *self.inner().venue_errors.entry(venue.clone()).or_default() += 1;
    }

    /// A successful call resets the venue's consecutive-error count.
    pub fn record_venue_success(&self, venue: &VenueId) {
        self.inner().venue_errors.remove(venue);
    }

    /// Consecutive failed calls to a venue.
    #[must_use]
    pub fn venue_errors(&self, venue: &VenueId) -> u32 {
        self.inner()
            .venue_errors
            .get(venue)
            .copied()
            .unwrap_or_default()
    }

    /// Switches the kill switch on: no new executions until [`RiskManager::resume`].
    pub fn halt(&self, reason: impl Into<String>) {
        self.inner().halted = Some(reason.into());
    }

    /// Switches the kill switch off.
    pub fn resume(&self) {
        self.inner().halted = None;
    }

    /// Whether the kill switch is on.
    #[must_use]
    pub fn is_halted(&self) -> bool {
        self.inner().halted.is_some()
    }

    /// Why the kill switch is on, if it is.
    #[must_use]
    pub fn halt_reason(&self) -> Option<String> {
        self.inner().halted.clone()
    }
}
