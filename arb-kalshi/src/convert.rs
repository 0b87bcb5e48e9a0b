//! Kalshi wire shapes → arb-core types (and back for order requests). Venue units stop here.

use arb_core::exchange::ExchangeError;
use arb_core::model::{
    Balance, BinaryBook, ClientOrderId, Fill, FillId, Level, Liquidity, Market, MarketExt,
    MarketExtension, MarketKey, MarketStatus, Order, OrderRequest, OrderStatus, Outcome, Position,
    Price, PriceBand, PriceGrid, Qty, Side, TimeInForce, VenueId, VenueOrderId,
};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::config::SelfTradePrevention;
use crate::fees::KalshiFees;
use crate::wire::{
    BalanceResponse, CreateOrderV2Request, CreateOrderV2Response, EventData, MarketPosition,
    OrderbookFp, PriceRange, SeriesData, WireFill, WireMarket, WireOrder,
};

/// The venue id of this adapter.
pub const VENUE: &str = "kalshi";

/// Kalshi's base taker fee coefficient; a series' `fee_multiplier` scales it.
pub const BASE_FEE_RATE: Decimal = Decimal::from_parts(7, 0, 0, false, 2);
/// Contracts trade in 0.01 steps on every market since April 2026.
pub const SIZE_STEP: Decimal = Decimal::from_parts(1, 0, 0, false, 2);

/// The venue id.
#[must_use]
pub fn venue() -> VenueId {
    VenueId::new(VENUE)
}

/// Kalshi identifiers and fee inputs kept with each [`Market`] (`market.ext.get::<KalshiMarketExt>()`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct KalshiMarketExt {
    /// The market's event.
    pub event_ticker: String,
    /// The event's series.
    pub series_ticker: String,
    /// The fee type in force (event override, else the series').
    pub fee_type: String,
    /// The fee multiplier in force.
    pub fee_multiplier: Decimal,
    /// The tick structure's name, informational.
    pub price_level_structure: Option<String>,
    /// Exchange shard, when given.
    pub exchange_index: Option<i64>,
}

impl MarketExtension for KalshiMarketExt {
    const KEY: &'static str = "kalshi";
}

/// `a + b` of two values read from the venue, or an error naming the fields when the sum does
/// not fit a `Decimal`.
fn sum(what: &str, fields: &str, a: Decimal, b: Decimal) -> Result<Decimal, ExchangeError> {
    a.checked_add(b).ok_or_else(|| {
        decode_error(
            what,
            format!("fields `{fields}`: {a} + {b} is out of range"),
        )
    })
}

fn decode_error(what: &str, message: impl Into<String>) -> ExchangeError {
    ExchangeError::Decode {
        what: what.to_owned(),
        message: message.into(),
    }
}

fn price(what: &str, field: &str, value: Decimal) -> Result<Price, ExchangeError> {
    Price::new(value).map_err(|e| decode_error(what, format!("field `{field}`: {e}")))
}

/// The most contracts any count from Kalshi may hold: far beyond a real market's volume, far
/// below where sums of counts could outgrow a `Decimal`.
const MAX_COUNT: Decimal = Decimal::from_parts(0xD4A5_1000, 0xE8, 0, false, 0); // 10^12

fn qty(what: &str, field: &str, value: Decimal) -> Result<Qty, ExchangeError> {
    if value.abs() > MAX_COUNT {
        return Err(decode_error(
            what,
            format!("field `{field}`: {value} contracts is out of range (at most {MAX_COUNT})"),
        ));
    }
    Qty::new(value).map_err(|e| decode_error(what, format!("field `{field}`: {e}")))
}

/// The tradable grid from `price_ranges`. Kalshi bands run from $0 to $1, but no order can be
/// placed at exactly 0 or 1, so those endpoints are cut off (by one step of their band).
pub fn price_grid(ranges: &[PriceRange]) -> Result<PriceGrid, String> {
    let unit = |d: Decimal| (Decimal::ZERO..=Decimal::ONE).contains(&d);
    if let Some(r) = ranges.iter().find(|r| {
        !unit(r.start) || !unit(r.end) || r.step <= Decimal::ZERO || r.step > Decimal::ONE
    }) {
        return Err(format!(
            "field `price_ranges`: band {}–{} step {} is out of range (prices in [0, 1], step in (0, 1])",
            r.start, r.end, r.step
        ));
    }
    let bands = ranges
        .iter()
        .map(|r| {
            let start = if r.start.is_zero() {
                r.start + r.step
            } else {
                r.start
            };
            let end = if r.end == Decimal::ONE {
                r.end - r.step
            } else {
                r.end
            };
            PriceBand {
                start: start.normalize(),
                end: end.normalize(),
                step: r.step.normalize(),
            }
        })
        .collect();
    PriceGrid::from_bands(bands).map_err(|e| format!("field `price_ranges`: {e}"))
}

/// Kalshi status (+ result) → lifecycle state. `determined`/`disputed`/`amended` stay `Closed`
/// until the result is final (`finalized`).
pub fn market_status(status: &str, result: Option<&str>) -> Result<MarketStatus, String> {
    Ok(match status {
        "initialized" | "unopened" => MarketStatus::Upcoming,
        "active" | "open" => MarketStatus::Open,
        "inactive" | "paused" => MarketStatus::Paused,
        "closed" | "determined" | "disputed" | "amended" => MarketStatus::Closed,
        "finalized" | "settled" => match result {
            Some("yes") => MarketStatus::Settled(Outcome::Yes),
            Some("no") => MarketStatus::Settled(Outcome::No),
            _ => MarketStatus::Voided,
        },
        other => return Err(format!("field `status`: unknown market status `{other}`")),
    })
}

/// The fee schedule of a market.
///
/// Kalshi's taker fee is `roundup(0.07 × fee_multiplier × C × P × (1 − P))`, so the taker rate is
/// `0.07 × fee_multiplier` (multiplier 1 is the standard 0.07). Makers pay 0.25 × that on
/// `quadratic_with_maker_fees` series, 0.5 × on `quadratic_with_combo_maker_fees`, nothing on
/// `quadratic`. `flat` (a per-contract table we could not confirm) and unknown types are refused
/// rather than priced wrong.
pub fn fee_schedule(
    fee_type: &str,
    fee_multiplier: Decimal,
    waived_until: Option<DateTime<Utc>>,
) -> Result<KalshiFees, ExchangeError> {
    // A multiplier of 14 already makes the fee the whole price at P = 0.5: anything beyond 100
    // is not a fee schedule (and would overflow the detector's fixed point).
    if fee_multiplier < Decimal::ZERO || fee_multiplier > Decimal::ONE_HUNDRED {
        return Err(decode_error(
            "series",
            format!("field `fee_multiplier`: {fee_multiplier} is out of range [0, 100]"),
        ));
    }
    let taker_rate = BASE_FEE_RATE * fee_multiplier;
    let maker_share = match fee_type {
        "quadratic" => Decimal::ZERO,
        "quadratic_with_maker_fees" => Decimal::new(25, 2),
        "quadratic_with_combo_maker_fees" => Decimal::new(5, 1),
        other => {
            return Err(ExchangeError::Unsupported(format!(
                "Kalshi fee type `{other}` cannot be priced"
            )));
        }
    };
    Ok(KalshiFees {
        taker_rate: taker_rate.normalize(),
        maker_rate: (taker_rate * maker_share).normalize(),
        waived_until,
    })
}

/// A Kalshi market with its event and series → [`Market`].
pub fn market(
    m: &WireMarket,
    event: &EventData,
    series: &SeriesData,
) -> Result<Market, ExchangeError> {
    let what = format!("market {}", m.ticker);
    let fee_type = event
        .fee_type_override
        .clone()
        .unwrap_or_else(|| series.fee_type.clone());
    let fee_multiplier = event
        .fee_multiplier_override
        .map_or(series.fee_multiplier.0, |o| o.0);
    let fees = fee_schedule(&fee_type, fee_multiplier, m.fee_waiver_expiration_time)?;
    let rules = if m.rules_secondary.trim().is_empty() {
        m.rules_primary.clone()
    } else {
        format!("{}\n\n{}", m.rules_primary, m.rules_secondary)
    };
    let sources: Vec<&str> = event
        .settlement_sources
        .iter()
        .chain(&series.settlement_sources)
        .filter_map(|s| s.name.as_deref())
        .collect();
    let mut ext = MarketExt::default();
    ext.insert(&KalshiMarketExt {
        event_ticker: m.event_ticker.clone(),
        series_ticker: event.series_ticker.clone(),
        fee_type,
        fee_multiplier: fee_multiplier.normalize(),
        price_level_structure: m.price_level_structure.clone(),
        exchange_index: m.exchange_index,
    })?;
    Ok(Market {
        key: MarketKey::new(VENUE, m.ticker.as_str()),
        title: event.title.clone(),
        subtitle: m.yes_sub_title.clone(),
        rules,
        resolution_source: (!sources.is_empty()).then(|| sources.join(", ")),
        close_time: m.close_time,
        status: market_status(&m.status, m.result.as_deref())
            .map_err(|e| decode_error(&what, e))?,
        price_grid: price_grid(&m.price_ranges).map_err(|e| decode_error(&what, e))?,
        size_step: qty(&what, "size_step", SIZE_STEP)?,
        min_order_qty: qty(&what, "min_order_qty", SIZE_STEP)?,
        fees: fees.schedule(),
        ext,
    })
}

fn levels(
    what: &str,
    field: &str,
    raw: Option<&Vec<(Decimal, Decimal)>>,
) -> Result<Vec<Level>, ExchangeError> {
    raw.map_or(&[][..], Vec::as_slice)
        .iter()
        .map(|&(p, q)| Ok(Level::new(price(what, field, p)?, qty(what, field, q)?)))
        .collect()
}

/// A REST `orderbook_fp` (YES bids and NO bids, NO prices in NO terms) → complete binary book.
pub fn book(
    fp: &OrderbookFp,
    as_of: DateTime<Utc>,
    what: &str,
) -> Result<BinaryBook, ExchangeError> {
    let yes = levels(what, "yes_dollars", fp.yes_dollars.as_ref())?;
    let no = levels(what, "no_dollars", fp.no_dollars.as_ref())?;
    Ok(BinaryBook::from_bids(yes, no, as_of))
}

/// The V2 `(side, YES price)` of an intent: buy YES = bid p, sell YES = ask p,
/// buy NO at q = ask at 1 − q, sell NO at q = bid at 1 − q.
#[must_use]
pub fn v2_side_price(outcome: Outcome, side: Side, limit: Price) -> (&'static str, Price) {
    match (outcome, side) {
        (Outcome::Yes, Side::Buy) => ("bid", limit),
        (Outcome::Yes, Side::Sell) => ("ask", limit),
        (Outcome::No, Side::Buy) => ("ask", limit.complement()),
        (Outcome::No, Side::Sell) => ("bid", limit.complement()),
    }
}

const fn time_in_force(tif: TimeInForce) -> &'static str {
    match tif {
        TimeInForce::Fok => "fill_or_kill",
        TimeInForce::Ioc => "immediate_or_cancel",
        TimeInForce::Gtc => "good_till_canceled",
    }
}

/// A fixed-point string with at least `min_scale` decimals (`0.56` → `"0.5600"` for 4).
fn fixed(value: Decimal, min_scale: u32) -> String {
    let mut v = value.normalize();
    if v.scale() < min_scale {
        v.rescale(min_scale);
    }
    v.to_string()
}

/// Builds the V2 create body, refusing (locally) a price off the market's grid or out of range
/// and a quantity off the 0.01 step or below the minimum.
pub fn create_order(
    request: &OrderRequest,
    grid: &PriceGrid,
    stp: SelfTradePrevention,
) -> Result<CreateOrderV2Request, ExchangeError> {
    if request.market.venue.as_str() != VENUE {
        return Err(ExchangeError::InvalidRequest(format!(
            "market {} is not a Kalshi market",
            request.market
        )));
    }
    let (side, yes_price) = v2_side_price(request.outcome, request.side, request.limit_price);
    if !grid.contains(yes_price) {
        return Err(ExchangeError::InvalidRequest(format!(
            "limit price {} ({} at YES price {}) is not on the grid of {} (valid {}..{})",
            request.limit_price,
            request.outcome,
            yes_price,
            request.market.market,
            grid.min_price(),
            grid.max_price()
        )));
    }
    let count = request.qty.value();
    if count < SIZE_STEP || !(count % SIZE_STEP).is_zero() {
        return Err(ExchangeError::InvalidRequest(format!(
            "quantity {count} must be a positive multiple of {SIZE_STEP}"
        )));
    }
    Ok(CreateOrderV2Request {
        ticker: request.market.market.as_str().to_owned(),
        client_order_id: request.client_order_id.as_str().to_owned(),
        side,
        count: fixed(count, 2),
        price: fixed(yes_price.value(), 4),
        time_in_force: time_in_force(request.time_in_force),
        self_trade_prevention_type: stp.as_str(),
    })
}

/// Status from filled and remaining counts (the V2 create answer has no status).
///
/// An IOC or FOK answer is final whatever `remaining_count` says: the venue cancels the unfilled
/// part before it answers. Research says it then reports `remaining_count` 0, one third-party
/// model reports the unfilled count instead; both read as cancelled here.
fn status_from_counts(
    tif: TimeInForce,
    ordered: Decimal,
    filled: Decimal,
    remaining: Decimal,
) -> OrderStatus {
    let immediate = matches!(tif, TimeInForce::Ioc | TimeInForce::Fok);
    if filled > ordered || filled < Decimal::ZERO || remaining < Decimal::ZERO {
        OrderStatus::Unknown
    } else if filled == ordered {
        OrderStatus::Filled
    } else if remaining.is_zero() || immediate {
        OrderStatus::Cancelled
    } else if filled.is_zero() {
        OrderStatus::Open
    } else {
        OrderStatus::PartiallyFilled
    }
}

/// The V2 create answer → [`Order`]. `average_fill_price` is on the YES scale (the scale of the
/// order's `price`), so it is complemented for a NO order.
pub fn order_from_create(
    request: &OrderRequest,
    r: &CreateOrderV2Response,
    now: DateTime<Utc>,
) -> Result<Order, ExchangeError> {
    let what = "order create response";
    let filled = qty(what, "fill_count", r.fill_count)?;
    let avg_fill_price = match r.average_fill_price {
        Some(p) if !filled.is_zero() => {
            let yes = price(what, "average_fill_price", p)?;
            Some(match request.outcome {
                Outcome::Yes => yes,
                Outcome::No => yes.complement(),
            })
        }
        _ => None,
    };
    let status = status_from_counts(
        request.time_in_force,
        request.qty.value(),
        r.fill_count,
        r.remaining_count,
    );
    Ok(Order {
        request: request.clone(),
        venue_order_id: Some(VenueOrderId::new(&r.order_id)),
        status,
        filled_qty: if status == OrderStatus::Unknown {
            Qty::ZERO
        } else {
            filled
        },
        avg_fill_price,
        fees_paid: r
            .average_fee_paid
            .unwrap_or_default()
            .checked_mul(r.fill_count)
            .ok_or_else(|| {
                decode_error(
                    what,
                    "fields `average_fee_paid` × `fill_count` are out of range",
                )
            })?,
        reason: (status == OrderStatus::Unknown).then(|| {
            format!(
                "venue reports {} filled and {} remaining of {}",
                r.fill_count, r.remaining_count, request.qty
            )
        }),
        updated_at: r
            .ts_ms
            .and_then(DateTime::from_timestamp_millis)
            .unwrap_or(now),
    })
}

fn outcome_of(
    what: &str,
    outcome_side: Option<&str>,
    legacy_side: Option<&str>,
) -> Result<Outcome, ExchangeError> {
    match outcome_side.or(legacy_side) {
        Some("yes") => Ok(Outcome::Yes),
        Some("no") => Ok(Outcome::No),
        Some(other) => Err(decode_error(
            what,
            format!("field `outcome_side`: unknown value `{other}`"),
        )),
        None => Err(decode_error(what, "missing field `outcome_side`")),
    }
}

/// Buy or sell: the legacy `action` when present, else from the YES-book side
/// (for YES: bid = buy; for NO: ask = buy, since buying NO is asking on the YES book).
fn side_of(
    what: &str,
    outcome: Outcome,
    action: Option<&str>,
    book_side: Option<&str>,
) -> Result<Side, ExchangeError> {
    match (action, book_side, outcome) {
        (Some("buy"), _, _) => Ok(Side::Buy),
        (Some("sell"), _, _) => Ok(Side::Sell),
        (_, Some("bid"), Outcome::Yes) | (_, Some("ask"), Outcome::No) => Ok(Side::Buy),
        (_, Some("ask"), Outcome::Yes) | (_, Some("bid"), Outcome::No) => Ok(Side::Sell),
        (_, Some(other), _) => Err(decode_error(
            what,
            format!("field `book_side`: unknown value `{other}`"),
        )),
        (_, None, _) => Err(decode_error(what, "missing field `book_side`")),
    }
}

/// The same trade seen from `target`: buying NO at q is selling YES at 1 − q (Kalshi nets).
fn seen_as(target: Outcome, outcome: Outcome, side: Side, p: Price) -> (Side, Price) {
    if target == outcome {
        (side, p)
    } else {
        let flipped = match side {
            Side::Buy => Side::Sell,
            Side::Sell => Side::Buy,
        };
        (flipped, p.complement())
    }
}

/// An order read (`GET /portfolio/orders…`) → [`Order`]. When we sent the order (`known`), the
/// request is ours and prices are expressed on its outcome; otherwise it is rebuilt from the
/// venue's fields (time in force is not reported and reads as GTC).
pub fn order(
    w: &WireOrder,
    known: Option<&OrderRequest>,
    now: DateTime<Utc>,
) -> Result<Order, ExchangeError> {
    let what = format!("order {}", w.order_id);
    let outcome = outcome_of(&what, w.outcome_side.as_deref(), w.side.as_deref())?;
    let side = side_of(&what, outcome, w.action.as_deref(), w.book_side.as_deref())?;
    let limit = match (outcome, w.yes_price_dollars, w.no_price_dollars) {
        (Outcome::No, _, Some(no)) => price(&what, "no_price_dollars", no)?,
        (_, Some(yes), _) => {
            let yes = price(&what, "yes_price_dollars", yes)?;
            if outcome == Outcome::Yes {
                yes
            } else {
                yes.complement()
            }
        }
        _ => return Err(decode_error(&what, "missing field `yes_price_dollars`")),
    };
    let filled = qty(&what, "fill_count_fp", w.fill_count_fp)?;
    let remaining = w.remaining_count_fp.unwrap_or_default();
    let ordered = qty(
        &what,
        "initial_count_fp",
        match w.initial_count_fp {
            Some(n) => n,
            None => sum(
                &what,
                "fill_count_fp + remaining_count_fp",
                w.fill_count_fp,
                remaining,
            )?,
        },
    )?;
    let request = match known {
        Some(r) => r.clone(),
        None => OrderRequest {
            client_order_id: ClientOrderId::new(w.client_order_id.as_deref().unwrap_or_default()),
            market: MarketKey::new(VENUE, w.ticker.as_str()),
            outcome,
            side,
            limit_price: limit,
            qty: ordered,
            time_in_force: TimeInForce::Gtc,
        },
    };
    let cost = sum(
        &what,
        "taker_fill_cost_dollars + maker_fill_cost_dollars",
        w.taker_fill_cost_dollars.unwrap_or_default(),
        w.maker_fill_cost_dollars.unwrap_or_default(),
    )?;
    let avg_fill_price = cost
        .checked_div(filled.value())
        .and_then(|avg| Price::new(avg).ok())
        .map(|p| seen_as(request.outcome, outcome, side, p).1);
    let fees_paid = sum(
        &what,
        "taker_fees_dollars + maker_fees_dollars",
        w.taker_fees_dollars.unwrap_or_default(),
        w.maker_fees_dollars.unwrap_or_default(),
    )?;
    let status = match w.status.as_str() {
        "resting" if filled.is_zero() => OrderStatus::Open,
        "resting" => OrderStatus::PartiallyFilled,
        "canceled" | "cancelled" => OrderStatus::Cancelled,
        "executed" => OrderStatus::Filled,
        _ => OrderStatus::Unknown,
    };
    Ok(Order {
        request,
        venue_order_id: Some(VenueOrderId::new(&w.order_id)),
        status,
        filled_qty: filled,
        avg_fill_price,
        fees_paid,
        reason: w.last_update_reason.clone().or_else(|| {
            (status == OrderStatus::Unknown).then(|| format!("unknown order status `{}`", w.status))
        }),
        updated_at: w.last_update_time.or(w.created_time).unwrap_or(now),
    })
}

/// A REST fill → [`Fill`]. When the fill's order is one we sent (`known`), it is expressed on our
/// request's outcome, with our client order id.
pub fn fill(f: &WireFill, known: Option<&OrderRequest>) -> Result<Fill, ExchangeError> {
    let id = f
        .fill_id
        .as_deref()
        .or(f.trade_id.as_deref())
        .ok_or_else(|| decode_error("fill", "missing field `fill_id`"))?;
    let what = format!("fill {id}");
    let ticker = f
        .ticker
        .as_deref()
        .or(f.market_ticker.as_deref())
        .ok_or_else(|| decode_error(&what, "missing field `ticker`"))?;
    let outcome = outcome_of(&what, f.outcome_side.as_deref(), f.side.as_deref())?;
    let side = side_of(&what, outcome, f.action.as_deref(), f.book_side.as_deref())?;
    let yes = price(&what, "yes_price_dollars", f.yes_price_dollars)?;
    let p = match (outcome, f.no_price_dollars) {
        (Outcome::Yes, _) => yes,
        (Outcome::No, Some(no)) => price(&what, "no_price_dollars", no)?,
        (Outcome::No, None) => yes.complement(),
    };
    let target = known.map_or(outcome, |r| r.outcome);
    let (side, p) = seen_as(target, outcome, side, p);
    let ts = f
        .created_time
        .or_else(|| f.ts.and_then(|s| DateTime::from_timestamp(s, 0)))
        .ok_or_else(|| decode_error(&what, "missing field `created_time`"))?;
    Ok(Fill {
        fill_id: FillId::new(id),
        market: MarketKey::new(VENUE, ticker),
        outcome: target,
        side,
        price: p,
        qty: qty(&what, "count_fp", f.count_fp)?,
        fee: f.fee_cost.unwrap_or_default(),
        liquidity: if f.is_taker {
            Liquidity::Taker
        } else {
            Liquidity::Maker
        },
        venue_order_id: VenueOrderId::new(&f.order_id),
        client_order_id: known.map(|r| r.client_order_id.clone()),
        ts,
    })
}

/// A market position → [`Position`] (`None` when flat). Positive `position_fp` is YES, negative NO.
pub fn position(p: &MarketPosition, now: DateTime<Utc>) -> Result<Option<Position>, ExchangeError> {
    if p.position_fp.is_zero() {
        return Ok(None);
    }
    let what = format!("position {}", p.ticker);
    let outcome = if p.position_fp > Decimal::ZERO {
        Outcome::Yes
    } else {
        Outcome::No
    };
    let held = qty(&what, "position_fp", p.position_fp.abs())?;
    let avg_price = p
        .market_exposure_dollars
        .and_then(|exposure| exposure.checked_div(held.value()))
        .and_then(|avg| Price::new(avg).ok());
    Ok(Some(Position {
        market: MarketKey::new(VENUE, p.ticker.as_str()),
        outcome,
        qty: held,
        avg_price,
        fees_paid: p.fees_paid_dollars.unwrap_or_default(),
        realized_pnl: p.realized_pnl_dollars.unwrap_or_default(),
        updated_at: p.last_updated_ts.unwrap_or(now),
    }))
}

/// The most a balance may read, in dollars: beyond any real account, far below where sums of
/// balances and costs could outgrow a `Decimal`.
const MAX_BALANCE_USD: Decimal = Decimal::from_parts(0xA4C6_8000, 0x38D7E, 0, false, 0); // 10^15

/// Balance: `balance_dollars` when sent (exact), else integer cents / 100, within ±10¹⁵
/// dollars. Kalshi reports no separately reserved amount, so `total` equals `available`.
pub fn balance(b: &BalanceResponse, now: DateTime<Utc>) -> Result<Balance, ExchangeError> {
    let available = b
        .balance_dollars
        .unwrap_or_else(|| Decimal::new(b.balance, 2));
    if available.abs() > MAX_BALANCE_USD {
        return Err(decode_error(
            "balance",
            format!(
                "field `balance_dollars`: {available} is out of range (at most {MAX_BALANCE_USD})"
            ),
        ));
    }
    Ok(Balance {
        venue: venue(),
        available,
        total: available,
        updated_at: now,
    })
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    /// Both conventions of an IOC's `remaining_count` after its remainder was cancelled.
    #[test]
    fn an_immediate_order_answer_is_final_whichever_remaining_count_convention() {
        for tif in [TimeInForce::Ioc, TimeInForce::Fok] {
            for remaining in [dec!(0), dec!(6)] {
                assert_eq!(
                    status_from_counts(tif, dec!(10), dec!(4), remaining),
                    OrderStatus::Cancelled,
                    "{tif:?} remaining {remaining}"
                );
            }
            assert_eq!(
                status_from_counts(tif, dec!(10), dec!(0), dec!(10)),
                OrderStatus::Cancelled
            );
            assert_eq!(
                status_from_counts(tif, dec!(10), dec!(10), dec!(0)),
                OrderStatus::Filled
            );
        }
        assert_eq!(
            status_from_counts(TimeInForce::Gtc, dec!(10), dec!(4), dec!(6)),
            OrderStatus::PartiallyFilled
        );
        assert_eq!(
            status_from_counts(TimeInForce::Gtc, dec!(10), dec!(0), dec!(10)),
            OrderStatus::Open
        );
    }
}

#[cfg(test)]
mod hostile {
    use rust_decimal::Decimal;
    use rust_decimal_macros::dec;

    use super::*;
    use crate::wire::PriceRange;

    /// Found by the fuzz harness: a create answer's per-contract fee near `Decimal::MAX`
    /// overflowed when multiplied by the count.
    #[test]
    fn a_create_answer_whose_fee_overflows_is_a_decode_error() {
        let request = OrderRequest {
            client_order_id: ClientOrderId::new("c-1"),
            market: MarketKey::new(VENUE, "T"),
            outcome: Outcome::Yes,
            side: Side::Buy,
            limit_price: Price::new(dec!(0.5)).unwrap_or_else(|_| unreachable!()),
            qty: Qty::new(dec!(5)).unwrap_or_default(),
            time_in_force: TimeInForce::Ioc,
        };
        let answer = CreateOrderV2Response {
            order_id: "o-1".into(),
            client_order_id: None,
            fill_count: dec!(5),
            remaining_count: dec!(0),
            average_fill_price: Some(dec!(0.43)),
            average_fee_paid: Some(Decimal::MAX),
            ts_ms: None,
        };
        let err = order_from_create(&request, &answer, DateTime::UNIX_EPOCH).unwrap_err();
        assert!(err.to_string().contains("average_fee_paid"), "{err}");
    }

    /// Order costs at `Decimal::MAX` on both liquidities overflowed their sum.
    #[test]
    fn fill_costs_at_the_maximum_are_a_decode_error() {
        let w: WireOrder = serde_json::from_value(serde_json::json!({
            "order_id": "o-1", "ticker": "T", "outcome_side": "yes", "book_side": "bid",
            "status": "executed", "yes_price_dollars": "0.5", "fill_count_fp": "5",
            "initial_count_fp": "5",
            "taker_fill_cost_dollars": Decimal::MAX.to_string(),
            "maker_fill_cost_dollars": Decimal::MAX.to_string(),
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        let err = order(&w, None, DateTime::UNIX_EPOCH).unwrap_err();
        assert!(err.to_string().contains("maker_fill_cost_dollars"), "{err}");
    }

    /// A position's exposure at `Decimal::MAX` gives no average price, not a panic.
    #[test]
    fn a_market_exposure_at_the_maximum_leaves_the_average_price_unknown() {
        let p = MarketPosition {
            ticker: "T".into(),
            position_fp: dec!(10),
            market_exposure_dollars: Some(Decimal::MAX),
            realized_pnl_dollars: None,
            fees_paid_dollars: None,
            last_updated_ts: None,
        };
        let held = position(&p, DateTime::UNIX_EPOCH)
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("a position of 10 is not flat"));
        assert_eq!(held.avg_price, None);
        assert_eq!(held.qty.value(), dec!(10));
    }

    /// A balance near `Decimal::MIN` overflowed the engine's reserve subtraction.
    #[test]
    fn a_balance_beyond_any_account_is_a_decode_error() {
        for dollars in [Decimal::MIN, Decimal::MAX, dec!(-1000000000000001)] {
            let b = BalanceResponse {
                balance: 0,
                balance_dollars: Some(dollars),
                portfolio_value: None,
                updated_ts: None,
            };
            let err = balance(&b, DateTime::UNIX_EPOCH).unwrap_err().to_string();
            assert!(err.contains("balance_dollars"), "{dollars}: {err}");
        }
        let b = BalanceResponse {
            balance: 1234,
            balance_dollars: None,
            portfolio_value: None,
            updated_ts: None,
        };
        assert_eq!(
            balance(&b, DateTime::UNIX_EPOCH).ok().map(|b| b.available),
            Some(dec!(12.34))
        );
    }

    #[test]
    fn a_fee_multiplier_beyond_any_schedule_is_refused() {
        for m in [dec!(-1), dec!(101), Decimal::MAX] {
            let err = fee_schedule("quadratic", m, None).unwrap_err().to_string();
            assert!(err.contains("fee_multiplier"), "{m}: {err}");
        }
        assert!(fee_schedule("quadratic", dec!(100), None).is_ok());
    }

    #[test]
    fn counts_beyond_any_market_are_refused() {
        assert_eq!(MAX_COUNT, dec!(1000000000000));
        assert!(qty("order", "fill_count_fp", Decimal::MAX).is_err());
        assert!(qty("order", "fill_count_fp", dec!(1000000000000)).is_ok());
    }

    #[test]
    fn a_negative_or_huge_price_step_is_an_error_not_a_panic() {
        for (start, end, step) in [
            (dec!(0), dec!(1), dec!(-0.01)),
            (dec!(0), dec!(1), Decimal::MAX),
            (dec!(0), dec!(1), Decimal::MIN),
            (Decimal::MIN, Decimal::MAX, dec!(0.01)),
        ] {
            let r = price_grid(&[PriceRange { start, end, step }]);
            assert!(r.is_err(), "{start} {end} {step}: {r:?}");
        }
    }
}
