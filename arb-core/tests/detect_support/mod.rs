//! Builders shared by the detector's tests.
#![allow(dead_code, clippy::unwrap_used)]

use arb_core::Decimal;
use arb_core::detect::{DetectLimits, Direction, PairView, evaluate};
use arb_core::fees::{FeeModel, FeeRule, FeeSchedule};
use arb_core::model::{
    BinaryBook, Legs, Level, Market, MarketExt, MarketKey, MarketStatus, Opportunity, OrderBook,
    PairId, PairStatus, Polarity, Price, PriceGrid, Qty, VerifiedPair,
};
use chrono::{DateTime, Utc};
use rust_decimal_macros::dec;

pub fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap()
}

pub fn lv(p: Decimal, q: Decimal) -> Level {
    Level::new(Price::new(p).unwrap(), Qty::new(q).unwrap())
}

/// Kalshi's schedule: `0.07 × multiplier × p × (1 − p)` per contract for takers, each fill
/// rounded up to $0.0001 and the order's debit to the cent.
pub fn kalshi_like(multiplier: Decimal) -> FeeSchedule {
    FeeSchedule::taker_only(FeeRule::quadratic(
        dec!(0.07) * multiplier,
        dec!(0.0001),
        Some(dec!(0.01)),
    ))
}

pub fn kalshi() -> FeeSchedule {
    kalshi_like(Decimal::ONE)
}

/// Polymarket's schedule: `rate × (p × (1 − p))^exponent` per contract for takers, each fill
/// rounded up to $0.00001.
pub fn polymarket(rate: Decimal, exponent: Decimal) -> FeeSchedule {
    FeeSchedule::taker_only(FeeRule {
        coefficient: rate,
        exponent,
        fill_quantum: dec!(0.00001),
        cash_quantum: None,
    })
}

pub fn market(
    venue: &str,
    tick: Decimal,
    step: Decimal,
    min: Decimal,
    fees: FeeSchedule,
) -> Market {
    Market {
        key: MarketKey::new(venue, format!("{venue}-M")),
        title: "Will it happen?".into(),
        subtitle: String::new(),
        rules: "Resolves YES if it happens.".into(),
        resolution_source: None,
        close_time: t0() + chrono::Duration::days(30),
        status: MarketStatus::Open,
        price_grid: PriceGrid::uniform(tick).unwrap(),
        size_step: Qty::new(step).unwrap(),
        min_order_qty: Qty::new(min).unwrap(),
        fees,
        ext: MarketExt::default(),
    }
}

pub fn pair(polarity: Polarity) -> VerifiedPair {
    VerifiedPair {
        id: PairId(7),
        a: MarketKey::new("kalshi", "kalshi-M"),
        b: MarketKey::new("polymarket", "polymarket-M"),
        polarity,
        status: PairStatus::Active,
        rules_hash_a: String::new(),
        rules_hash_b: String::new(),
        approved_by: "test".into(),
        approved_at: t0(),
    }
}

/// A book with only asks on each outcome.
pub fn asks(yes: Vec<Level>, no: Vec<Level>) -> BinaryBook {
    BinaryBook::new(OrderBook::new([], yes), OrderBook::new([], no), t0())
}

pub fn unlimited() -> DetectLimits {
    DetectLimits {
        min_profit_fraction: Decimal::ZERO,
        min_profit_usd: Decimal::ZERO,
        max_trade_usd: dec!(1000000),
        remaining_exposure_a_usd: dec!(1000000),
        remaining_exposure_b_usd: dec!(1000000),
        balance_a_usd: dec!(1000000),
        balance_b_usd: dec!(1000000),
        max_book_age: chrono::Duration::seconds(5),
    }
}

/// Owns everything a `PairView` borrows.
pub struct Fixture {
    pub pair: VerifiedPair,
    pub market_a: Market,
    pub market_b: Market,
    pub book_a: BinaryBook,
    pub book_b: BinaryBook,
}

impl Fixture {
    pub fn view(&self) -> PairView<'_> {
        PairView {
            pair: &self.pair,
            markets: Legs::new(&self.market_a, &self.market_b),
            books: Legs::new(&self.book_a, &self.book_b),
            fees: Legs::<&dyn FeeModel>::new(&self.market_a.fees, &self.market_b.fees),
        }
    }
}

/// Whether an opportunity respects the limits, checked independently of the detector.
pub fn acceptable(o: &Opportunity, f: &Fixture, limits: &DetectLimits) -> bool {
    let step_ok =
        |m: &Market| (o.qty.value() % m.size_step.value()).is_zero() && o.qty >= m.min_order_qty;
    step_ok(&f.market_a)
        && step_ok(&f.market_b)
        && o.profit > Decimal::ZERO
        && o.profit >= limits.min_profit_usd
        && o.profit >= limits.min_profit_fraction * o.total_cost
        && o.total_cost <= limits.max_trade_usd
        && o.leg_a.cost + o.leg_a.fee <= limits.remaining_exposure_a_usd.min(limits.balance_a_usd)
        && o.leg_b.cost + o.leg_b.fee <= limits.remaining_exposure_b_usd.min(limits.balance_b_usd)
}

/// Brute force: every quantity on the size grid, both directions; the best acceptable profit.
pub fn oracle(f: &Fixture, limits: &DetectLimits) -> Option<Opportunity> {
    let grid = lcm(f.market_a.size_step.value(), f.market_b.size_step.value());
    let view = f.view();
    let mut best: Option<Opportunity> = None;
    for direction in Direction::BOTH {
        let mut k = Decimal::ONE;
        loop {
            let qty = Qty::new(grid * k).unwrap();
            let Some(o) = evaluate(&view, direction, qty, t0()) else {
                break;
            };
            if acceptable(&o, f, limits) && best.as_ref().is_none_or(|b| o.profit > b.profit) {
                best = Some(o);
            }
            k += Decimal::ONE;
        }
    }
    best
}

fn lcm(a: Decimal, b: Decimal) -> Decimal {
    let mut m = a;
    while !(m % b).is_zero() {
        m += a;
    }
    m
}
