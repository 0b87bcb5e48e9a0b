//! Records of every type, with decimals that lose digits if stored as floats
//! (prices like 0.123456, money like 12345678.000001) and microsecond timestamps.

use arb_core::Decimal;
use arb_core::fees::{FeeRule, FeeSchedule};
use arb_core::model::{
    ClientOrderId, DailyPnl, ExecutionId, ExecutionMode, ExecutionRecord, ExecutionState,
    FieldDiff, Fill, Level, Liquidity, Market, MarketExt, MarketExtension, MarketKey, MarketStatus,
    MatchSuggestion, NewPair, Opportunity, OpportunityDecision, OpportunityLeg, OpportunityRecord,
    Order, OrderRecord, OrderRequest, OrderRole, OrderStatus, Outcome, PairId, Polarity, Position,
    Price, PriceBand, PriceGrid, PriceSnapshot, Qty, Relation, ScorePart, SettlementWarning, Side,
    SuggestionStatus, TimeInForce, WarningKind,
};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal_macros::dec;
use serde::{Deserialize, Serialize};

/// A moment, `seconds` after a fixed base, with microseconds (what PostgreSQL keeps).
pub fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_700_000_000 + seconds, 123_456_000).expect("valid timestamp")
}

pub fn price(value: Decimal) -> Price {
    Price::new(value).expect("valid price")
}

pub fn qty(value: Decimal) -> Qty {
    Qty::new(value).expect("valid quantity")
}

pub fn kalshi(market: &str) -> MarketKey {
    MarketKey::new("kalshi", market)
}

pub fn poly(market: &str) -> MarketKey {
    MarketKey::new("polymarket", market)
}

/// Venue data carried in `MarketExt`.
#[derive(Serialize, Deserialize, PartialEq, Eq, Debug)]
pub struct Tokens {
    pub yes: String,
    pub no: String,
}

impl MarketExtension for Tokens {
    const KEY: &'static str = "tokens";
}

/// A Kalshi market on the tapered grid with a fee waiver, settled NO.
pub fn kalshi_market(id: &str) -> Market {
    Market {
        key: kalshi(id),
        title: "Will the Fed cut rates in March?".into(),
        subtitle: "Cut of 25bp or more".into(),
        rules: "Resolves YES if the FOMC lowers the target range.".into(),
        resolution_source: Some("federalreserve.gov".into()),
        close_time: at(86_400),
        status: MarketStatus::Settled(Outcome::No),
        price_grid: PriceGrid::from_bands(vec![
            PriceBand {
                start: dec!(0.001),
                end: dec!(0.1),
                step: dec!(0.001),
            },
            PriceBand {
                start: dec!(0.1),
                end: dec!(0.9),
                step: dec!(0.01),
            },
            PriceBand {
                start: dec!(0.9),
                end: dec!(0.999),
                step: dec!(0.001),
            },
        ])
        .expect("valid grid"),
        size_step: qty(dec!(0.01)),
        min_order_qty: qty(dec!(1)),
        fees: FeeSchedule {
            taker: FeeRule::quadratic(dec!(0.0700000001), dec!(0.0001), Some(dec!(0.01))),
            maker: FeeRule::quadratic(dec!(0.0175), dec!(0.0001), Some(dec!(0.01))),
            waived_until: Some(at(3_600)),
        },
        ext: MarketExt::default(),
    }
}

/// A Polymarket market with token ids in its extension.
pub fn poly_market(id: &str) -> Market {
    let mut ext = MarketExt::default();
    ext.insert(&Tokens {
        yes: "71321045679252212594626385532706912750332728571942532289631379312455583992563".into(),
        no: "52114319501245915516055106046884209969926127482827954674443846427813813222426".into(),
    })
    .expect("serialisable");
    Market {
        key: poly(id),
        title: "Fed rate cut in March?".into(),
        subtitle: "Yes".into(),
        rules: "This market resolves to Yes if the Fed cuts.".into(),
        resolution_source: None,
        close_time: at(90_000),
        status: MarketStatus::Open,
        price_grid: PriceGrid::uniform(dec!(0.001)).expect("valid grid"),
        size_step: qty(dec!(0.000001)),
        min_order_qty: qty(dec!(5)),
        fees: FeeSchedule::taker_only(FeeRule {
            coefficient: dec!(0.0312345),
            exponent: dec!(1.5),
            fill_quantum: dec!(0.00001),
            cash_quantum: None,
        }),
        ext,
    }
}

pub fn suggestion(a: &str, b: &str, score: f64) -> MatchSuggestion {
    MatchSuggestion {
        id: None,
        a: kalshi(a),
        b: poly(b),
        score,
        parts: vec![
            ScorePart {
                name: "title".into(),
                score: 91.25,
                weight: 0.6,
            },
            ScorePart {
                name: "dates".into(),
                score: 100.0,
                weight: 0.4,
            },
        ],
        polarity: Polarity::Inverse,
        diffs: vec![FieldDiff {
            field: "close_time".into(),
            a: "2024-03-20".into(),
            b: "2024-03-21".into(),
        }],
        warnings: vec!["close times differ by 1 day".into()],
        relation: Relation::Inverse,
        settlement: vec![SettlementWarning {
            kind: WarningKind::Tie,
            a: "a tie resolves No".into(),
            b: "a tie resolves 50-50".into(),
        }],
        status: SuggestionStatus::Open,
        created_at: at(10),
    }
}

pub fn new_pair(a: &str, b: &str, suggestion: Option<arb_core::model::SuggestionId>) -> NewPair {
    NewPair {
        a: kalshi(a),
        b: poly(b),
        polarity: Polarity::Inverse,
        rules_hash_a: "a".repeat(64),
        rules_hash_b: "b".repeat(64),
        approved_by: "alice#1234".into(),
        approved_at: at(20),
        suggestion,
        reading: None,
    }
}

fn leg(market: MarketKey, outcome: Outcome, limit: Decimal) -> OpportunityLeg {
    OpportunityLeg {
        market,
        outcome,
        qty: qty(dec!(150.5)),
        limit_price: price(limit),
        cost: dec!(62.123456),
        fee: dec!(0.0174),
        levels: vec![
            Level::new(price(dec!(0.123456)), qty(dec!(100))),
            Level::new(price(limit), qty(dec!(50.5))),
        ],
    }
}

/// An opportunity on `pair` found `seconds` after the base time, with this profit.
pub fn opportunity(pair: PairId, seconds: i64, profit: Decimal) -> Opportunity {
    Opportunity {
        pair_id: pair,
        leg_a: leg(kalshi("FED-MAR"), Outcome::Yes, dec!(0.41)),
        leg_b: leg(poly("fed-march"), Outcome::No, dec!(0.523)),
        qty: qty(dec!(150.5)),
        total_cost: dec!(124.281712),
        profit,
        profit_fraction: dec!(0.2109578917270411826354771245),
        detected_at: at(seconds),
    }
}

pub fn opportunity_record(
    pair: PairId,
    seconds: i64,
    profit: Decimal,
    decision: OpportunityDecision,
) -> OpportunityRecord {
    OpportunityRecord {
        id: None,
        opportunity: opportunity(pair, seconds, profit),
        decision,
    }
}

pub fn execution(id: &str, pair: PairId, state: ExecutionState) -> ExecutionRecord {
    ExecutionRecord {
        id: ExecutionId::new(id),
        pair_id: pair,
        opportunity_id: None,
        plan: opportunity(pair, 30, dec!(26.218288)),
        first_leg: kalshi("FED-MAR"),
        mode: ExecutionMode::Sequential,
        state,
        hedge_attempts: 2,
        note: Some("first leg filled 150.5".into()),
        created_at: at(30),
        updated_at: at(31),
    }
}

/// A first-leg buy of YES on Kalshi at 0.123456 for 12345678.000001 contracts.
pub fn order(client_order_id: &str, execution: Option<&str>) -> OrderRecord {
    OrderRecord {
        execution_id: execution.map(ExecutionId::new),
        role: OrderRole::FirstLeg,
        order: Order {
            request: OrderRequest {
                client_order_id: ClientOrderId::new(client_order_id),
                market: kalshi("FED-MAR"),
                outcome: Outcome::Yes,
                side: Side::Buy,
                limit_price: price(dec!(0.123456)),
                qty: qty(dec!(12345678.000001)),
                time_in_force: TimeInForce::Ioc,
            },
            venue_order_id: None,
            status: OrderStatus::Pending,
            filled_qty: Qty::ZERO,
            avg_fill_price: None,
            fees_paid: Decimal::ZERO,
            reason: None,
            updated_at: at(40),
        },
    }
}

/// `record` after the venue reported a partial fill.
pub fn partially_filled(record: &OrderRecord) -> OrderRecord {
    let mut next = record.clone();
    next.order.venue_order_id = Some("venue-42".into());
    next.order.status = OrderStatus::PartiallyFilled;
    next.order.filled_qty = qty(dec!(1234.000001));
    next.order.avg_fill_price = Some(price(dec!(0.120001)));
    next.order.fees_paid = dec!(12345678.000001);
    next.order.reason = Some("IOC remainder pending".into());
    next.order.updated_at = at(41);
    next
}

pub fn fill(fill_id: &str, market: MarketKey, seconds: i64) -> Fill {
    Fill {
        fill_id: fill_id.into(),
        market,
        outcome: Outcome::No,
        side: Side::Buy,
        price: price(dec!(0.876544)),
        qty: qty(dec!(12.000001)),
        fee: dec!(0.00001),
        liquidity: Liquidity::Taker,
        venue_order_id: "venue-42".into(),
        client_order_id: Some("c-1".into()),
        ts: at(seconds),
    }
}

pub fn position(market: MarketKey, outcome: Outcome, held: Decimal) -> Position {
    Position {
        market,
        outcome,
        qty: qty(held),
        avg_price: Some(price(dec!(0.123456))),
        fees_paid: dec!(0.0174),
        realized_pnl: dec!(-12345678.000001),
        updated_at: at(50),
    }
}

pub fn snapshot(market: MarketKey) -> PriceSnapshot {
    PriceSnapshot {
        market,
        yes_bid: Some(price(dec!(0.123456))),
        yes_ask: Some(price(dec!(0.123457))),
        no_bid: Some(price(dec!(0.876543))),
        no_ask: None,
        as_of: at(60),
    }
}

pub fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 3, d).expect("valid date")
}

pub fn pnl(d: u32, realized: Decimal) -> DailyPnl {
    DailyPnl {
        date: day(d),
        realized,
        locked_in: dec!(12345678.000001),
        unrealized: dec!(-0.000001),
        fees: dec!(0.0174),
        executions: d,
    }
}

/// The owner of the leases the suite writes under.
pub fn test_owner(name: &str) -> arb_core::store::LeaseOwner {
    arb_core::store::LeaseOwner::new("test-host", 4242, name, "test")
}

/// Takes `pair`'s lease for the suite's writer and returns its fence.
pub async fn fence(store: &dyn arb_core::store::Store, pair: PairId) -> arb_core::store::Fence {
    store
        .acquire_lease(
            &arb_core::store::LeaseScope::Pair(pair),
            &test_owner("writer"),
            std::time::Duration::from_secs(60),
        )
        .await
        .expect("lease")
        .fence()
        .expect("a pair lease has a fence")
}

/// Asserts that an error's text names the holder of `held`: host, pid and since when.
pub fn assert_names_holder(text: &str, held: &arb_core::store::Lease) {
    assert!(
        text.contains("test-host") && text.contains("pid 4242"),
        "{text}"
    );
    assert!(
        text.contains(&held.acquired_at.format("%Y-%m-%d %H:%M:%S").to_string()),
        "{text}"
    );
}
