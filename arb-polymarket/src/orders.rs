//! Order answers of the CLOB mapped to arb-core order states. `delayed` is pending, never zero;
//! an unrecognised status is `Unknown`, never "nothing filled".

use arb_core::model::{OrderStatus, Qty, Side, TimeInForce};
use rust_decimal::Decimal;

use crate::signing::{OrderSide, OrderType};

/// The order type sent for a time in force.
#[must_use]
pub const fn order_type(tif: TimeInForce) -> OrderType {
    match tif {
        TimeInForce::Fok => OrderType::Fok,
        TimeInForce::Ioc => OrderType::Fak,
        TimeInForce::Gtc => OrderType::Gtc,
    }
}

/// The time in force of a wire `order_type` (`GTD` rests like `GTC`).
#[must_use]
pub fn time_in_force(order_type: &str) -> TimeInForce {
    match order_type.to_ascii_uppercase().as_str() {
        "FOK" => TimeInForce::Fok,
        "FAK" | "IOC" => TimeInForce::Ioc,
        _ => TimeInForce::Gtc,
    }
}

/// Our side → the signed side.
#[must_use]
pub const fn order_side(side: Side) -> OrderSide {
    match side {
        Side::Buy => OrderSide::Buy,
        Side::Sell => OrderSide::Sell,
    }
}

/// A wire side (`BUY`/`SELL`).
#[must_use]
pub fn parse_side(s: &str) -> Option<Side> {
    match s.to_ascii_uppercase().as_str() {
        "BUY" => Some(Side::Buy),
        "SELL" => Some(Side::Sell),
        _ => None,
    }
}

/// Status of a `POST /order` answer (lowercase `live|matched|delayed|unmatched`).
/// `matched` needs a follow-up look-up for the filled quantity, so it maps to `None` here.
#[must_use]
pub fn post_status(status: &str) -> Option<OrderStatus> {
    match status.to_ascii_lowercase().as_str() {
        "live" => Some(OrderStatus::Open),
        "delayed" => Some(OrderStatus::Pending),
        "unmatched" => Some(OrderStatus::Cancelled),
        "matched" => None,
        _ => Some(OrderStatus::Unknown),
    }
}

/// Status of an order from `GET /data/order/{id}` given its sizes and type.
#[must_use]
pub fn venue_status(status: &str, original: Qty, matched: Qty, tif: TimeInForce) -> OrderStatus {
    let s = status.to_ascii_uppercase();
    let s = s.strip_prefix("ORDER_STATUS_").unwrap_or(&s);
    let some = !matched.is_zero();
    let all = !original.is_zero() && matched >= original;
    match s {
        "LIVE" if some => OrderStatus::PartiallyFilled,
        "LIVE" => OrderStatus::Open,
        "MATCHED" if all => OrderStatus::Filled,
        // A fill-and-kill matched in part: the rest was killed.
        "MATCHED" if tif != TimeInForce::Gtc => OrderStatus::Cancelled,
        "MATCHED" if some => OrderStatus::PartiallyFilled,
        "MATCHED" => OrderStatus::Unknown,
        "DELAYED" => OrderStatus::Pending,
        "UNMATCHED" => OrderStatus::Cancelled,
        "INVALID" => OrderStatus::Rejected,
        _ if s.starts_with("CANCELED") || s.starts_with("CANCELLED") => OrderStatus::Cancelled,
        _ => OrderStatus::Unknown,
    }
}

/// Whether a rejection text means a fill-or-kill / fill-and-kill order found nothing (or not
/// enough) to match: the order was received and killed, nothing filled.
#[must_use]
pub fn is_kill_message(msg: &str) -> bool {
    let m = msg.to_ascii_lowercase();
    m.contains("fok orders are fully filled or killed")
        || m.contains("fak orders are partially filled or killed")
        || m.contains("couldn't be fully filled")
        || m.contains("no orders found to match")
}

/// Shares in a 6-decimal base-unit amount.
#[must_use]
pub fn from_units(units: u64) -> Decimal {
    Decimal::from(units) / Decimal::from(1_000_000u32)
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    fn q(d: Decimal) -> Qty {
        Qty::new(d).unwrap()
    }

    #[test]
    fn post_statuses() {
        assert_eq!(post_status("live"), Some(OrderStatus::Open));
        assert_eq!(post_status("delayed"), Some(OrderStatus::Pending));
        assert_eq!(post_status("unmatched"), Some(OrderStatus::Cancelled));
        assert_eq!(post_status("matched"), None);
        assert_eq!(post_status("weird"), Some(OrderStatus::Unknown));
    }

    #[test]
    fn venue_statuses() {
        let g = TimeInForce::Gtc;
        assert_eq!(
            venue_status("LIVE", q(dec!(10)), q(dec!(0)), g),
            OrderStatus::Open
        );
        assert_eq!(
            venue_status("LIVE", q(dec!(10)), q(dec!(3)), g),
            OrderStatus::PartiallyFilled
        );
        assert_eq!(
            venue_status("MATCHED", q(dec!(10)), q(dec!(10)), g),
            OrderStatus::Filled
        );
        assert_eq!(
            venue_status("ORDER_STATUS_MATCHED", q(dec!(10)), q(dec!(10)), g),
            OrderStatus::Filled
        );
        assert_eq!(
            venue_status("MATCHED", q(dec!(10)), q(dec!(4)), TimeInForce::Ioc),
            OrderStatus::Cancelled
        );
        assert_eq!(
            venue_status("MATCHED", q(dec!(10)), q(dec!(4)), g),
            OrderStatus::PartiallyFilled
        );
        assert_eq!(
            venue_status("DELAYED", q(dec!(10)), q(dec!(0)), g),
            OrderStatus::Pending
        );
        assert_eq!(
            venue_status("CANCELED_MARKET_RESOLVED", q(dec!(10)), q(dec!(2)), g),
            OrderStatus::Cancelled
        );
        assert_eq!(
            venue_status("INVALID", q(dec!(10)), q(dec!(0)), g),
            OrderStatus::Rejected
        );
        assert_eq!(
            venue_status("SOMETHING_NEW", q(dec!(10)), q(dec!(0)), g),
            OrderStatus::Unknown
        );
    }
}
