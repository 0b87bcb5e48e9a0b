//! A pair's detector kept between its book updates.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::leg::{FeeMemo, FixedRule, LegError};
use super::search::Bounds;
use super::{
    DetectLimits, LegFees, NoOpportunity, PairView, bounds, check_inputs, detect, leg_error,
    unsupported,
};
use crate::fees::FeeRule;
use crate::model::{LegId, Legs, Liquidity, Market, Opportunity};

/// The detector of one pair, kept between its book updates (the engine keeps one per pair).
///
/// What does not move with the books is converted once and reused for as long as its inputs
/// keep the same representation (every `Decimal`'s mantissa, scale and sign): each leg's taker
/// fee rule in fixed point, with the fee per contract at the prices it has met, and the limits
/// in fixed point. A change of either is never missed; it only costs converting again. The answers are exactly [`super::best_opportunity`]'s, which
/// is this with nothing kept.
#[derive(Debug)]
pub struct PairDetector {
    legs: Legs<KeptFees>,
    /// The limits in fixed point and the bits they were converted from.
    bounds: (BoundsKey, Bounds),
}

impl Default for PairDetector {
    fn default() -> Self {
        Self {
            legs: Legs::default(),
            bounds: (NOTHING_KEPT, Bounds::default()),
        }
    }
}

/// A key no `Decimal` gives (`bits` leaves the top bits zero): nothing kept yet.
const NOTHING_KEPT: BoundsKey = [u128::MAX; 11];

/// The bits of every input of the fixed-point limits: both markets' size step and minimum
/// order, and the money limits.
type BoundsKey = [u128; 11];

/// The bits of a fee rule (a missing cash quantum as all ones, which no `Decimal` gives, and
/// all ones throughout for nothing kept).
type RuleKey = [u128; 4];

/// One leg's fee rule as last converted, the bits it was converted from, and the fees per
/// contract priced under it.
#[derive(Debug)]
struct KeptFees {
    key: RuleKey,
    rule: FixedRule,
    memo: FeeMemo,
}

impl Default for KeptFees {
    fn default() -> Self {
        Self {
            key: [u128::MAX; 4],
            rule: FixedRule::FREE,
            memo: FeeMemo::default(),
        }
    }
}

impl PairDetector {
    /// The most profitable opportunity on the pair within `limits`, or why there is none: see
    /// [`super::best_opportunity`].
    pub fn best_opportunity(
        &mut self,
        view: &PairView<'_>,
        limits: &DetectLimits,
        now: DateTime<Utc>,
    ) -> Result<Opportunity, NoOpportunity> {
        check_inputs(view, limits, now)?;
        // Read where the fee models wrote them: moving them would copy through memory.
        let rule_a = view.fees[LegId::A].rule(Liquidity::Taker);
        let rule_a = taker_rule(rule_a.as_ref(), view.markets[LegId::A])?;
        let rule_b = view.fees[LegId::B].rule(Liquidity::Taker);
        let rule_b = taker_rule(rule_b.as_ref(), view.markets[LegId::B])?;
        let key = bounds_key(view, limits);
        if !same(&self.bounds.0, &key) {
            // Forgotten first, so that a failed conversion leaves nothing stale behind.
            self.bounds.0 = NOTHING_KEPT;
            self.bounds = (key, bounds(view, limits)?);
        }
        let bounds = &self.bounds.1;
        let [a, b] = self.legs.each_mut().into_array();
        let fees_a = a
            .refresh(rule_a)
            .map_err(|e| leg_error(&view.markets[LegId::A].key.venue, e))?;
        let fees_b = b
            .refresh(rule_b)
            .map_err(|e| leg_error(&view.markets[LegId::B].key.venue, e))?;
        detect(view, now, Legs::new(fees_a, fees_b), bounds, limits)
    }
}

impl KeptFees {
    /// The leg's fees under `rule`, converted again (and the memo emptied) if it changed.
    fn refresh(&mut self, rule: &FeeRule) -> Result<LegFees<'_>, LegError> {
        let key = rule_key(rule);
        if !same(&self.key, &key) {
            // Forgotten first, so that a failed conversion leaves nothing stale behind.
            *self = Self::default();
            self.rule = FixedRule::new(*rule)?;
            self.key = key;
        }
        Ok(LegFees {
            rule: &self.rule,
            memo: &mut self.memo,
        })
    }
}

/// The rule a market's taker orders pay by (its fee model's answer), or why there is none.
fn taker_rule<'r>(
    rule: Option<&'r FeeRule>,
    market: &Market,
) -> Result<&'r FeeRule, NoOpportunity> {
    rule.ok_or_else(|| unsupported(&market.key.venue, "fee model has no FeeRule"))
}

/// Whether two keys are equal: every word compared, branch-free (they almost always are).
fn same<const N: usize>(a: &[u128; N], b: &[u128; N]) -> bool {
    a.iter().zip(b).fold(0, |differ, (x, y)| differ | (x ^ y)) == 0
}

/// A `Decimal`'s representation as one word — its 96-bit magnitude, scale and sign, so equal
/// words mean the same mantissa, scale and sign — built in registers (reading `serialize`'s
/// bytes back as one word would stall on store forwarding).
fn bits(d: &Decimal) -> u128 {
    d.mantissa().unsigned_abs()
        | u128::from(d.scale()) << 96
        | u128::from(d.is_sign_negative()) << 104
}

fn rule_key(rule: &FeeRule) -> RuleKey {
    [
        bits(&rule.coefficient),
        bits(&rule.exponent),
        bits(&rule.fill_quantum),
        rule.cash_quantum.map_or(u128::MAX, |q| bits(&q)),
    ]
}

fn bounds_key(view: &PairView<'_>, limits: &DetectLimits) -> BoundsKey {
    [
        bits(&view.markets[LegId::A].size_step.value()),
        bits(&view.markets[LegId::B].size_step.value()),
        bits(&view.markets[LegId::A].min_order_qty.value()),
        bits(&view.markets[LegId::B].min_order_qty.value()),
        bits(&limits.min_profit_fraction),
        bits(&limits.min_profit_usd),
        bits(&limits.max_trade_usd),
        bits(&limits.remaining_exposure_a_usd),
        bits(&limits.remaining_exposure_b_usd),
        bits(&limits.balance_a_usd),
        bits(&limits.balance_b_usd),
    ]
}
