//! Pure price and size arithmetic of the executor: hedge limits, unwind limits, depth, sizes.

use rust_decimal::Decimal;

use crate::model::{Level, Market, Price, Qty, Rounding};

/// The highest price a hedge may pay: the planned limit raised by the slippage tolerance,
/// snapped down onto the market's grid (so the tolerance is never exceeded), never below the plan.
#[must_use]
pub fn hedge_limit(market: &Market, planned: Price, slippage_tolerance: Decimal) -> Price {
    let raised = (planned.value() * (Decimal::ONE + slippage_tolerance)).min(Decimal::ONE);
    Price::new(raised)
        .ok()
        .and_then(|p| market.snap_price(p, Rounding::Down))
        .map_or(planned, |p| p.max(planned))
}

/// The lowest price an unwind may sell at: the floor snapped up onto the grid, or `None` when the
/// grid has no price at or above it.
#[must_use]
pub fn unwind_limit(market: &Market, floor: Decimal) -> Option<Price> {
    let floor = Price::new(floor).ok()?;
    if market.price_grid.contains(floor) {
        return Some(floor);
    }
    market.snap_price(floor, Rounding::Up)
}

/// Quantity available to buy at or below `limit` (levels cheapest first).
#[must_use]
pub fn depth_to_buy(levels: &[Level], limit: Price) -> Qty {
    levels
        .iter()
        .take_while(|l| l.price <= limit)
        .fold(Qty::ZERO, |acc, l| acc + l.qty)
}

/// Quantity available to sell at or above `limit` (levels richest first).
#[must_use]
pub fn depth_to_sell(levels: &[Level], limit: Price) -> Qty {
    levels
        .iter()
        .take_while(|l| l.price >= limit)
        .fold(Qty::ZERO, |acc, l| acc + l.qty)
}

/// `qty` floored to the market's size step, or `None` when that is below the market's minimum
/// order (such a remainder cannot be traded at all).
#[must_use]
pub fn tradable_qty(market: &Market, qty: Qty) -> Option<Qty> {
    let floored = qty.floor_to_step(market.size_step.value()).ok()?;
    (!floored.is_zero() && floored >= market.min_order_qty).then_some(floored)
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;
    use rust_decimal_macros::dec;

    use super::*;
    use crate::fees::FeeSchedule;
    use crate::model::{MarketExt, MarketKey, MarketStatus, PriceGrid};

    fn market(tick: Decimal) -> Market {
        Market {
            key: MarketKey::new("sim", "M"),
            title: "t".into(),
            subtitle: String::new(),
            rules: String::new(),
            resolution_source: None,
            close_time: DateTime::UNIX_EPOCH,
            status: MarketStatus::Open,
            price_grid: PriceGrid::uniform(tick).unwrap(),
            size_step: Qty::new(dec!(1)).unwrap(),
            min_order_qty: Qty::new(dec!(1)).unwrap(),
            fees: FeeSchedule::FREE,
            ext: MarketExt::default(),
        }
    }

    fn p(d: Decimal) -> Price {
        Price::new(d).unwrap()
    }

    fn lv(price: Decimal, qty: Decimal) -> Level {
        Level::new(p(price), Qty::new(qty).unwrap())
    }

    #[test]
    fn hedge_limit_adds_tolerance_and_snaps_down() {
        let m = market(dec!(0.01));
        // 0.55 × 1.02 = 0.561 → 0.56 on a cent grid.
        assert_eq!(hedge_limit(&m, p(dec!(0.55)), dec!(0.02)), p(dec!(0.56)));
        // 0.40 × 1.02 = 0.408 → 0.40: tolerance smaller than a tick never rounds up.
        assert_eq!(hedge_limit(&m, p(dec!(0.40)), dec!(0.02)), p(dec!(0.40)));
        // Capped by the grid's top (0.99).
        assert_eq!(hedge_limit(&m, p(dec!(0.98)), dec!(0.5)), p(dec!(0.99)));
        let fine = market(dec!(0.001));
        assert_eq!(
            hedge_limit(&fine, p(dec!(0.40)), dec!(0.02)),
            p(dec!(0.408))
        );
    }

    #[test]
    fn unwind_limit_never_goes_below_the_floor() {
        let m = market(dec!(0.01));
        assert_eq!(unwind_limit(&m, dec!(0.05)), Some(p(dec!(0.05))));
        assert_eq!(unwind_limit(&m, dec!(0.055)), Some(p(dec!(0.06))));
        assert_eq!(unwind_limit(&m, dec!(0)), Some(p(dec!(0.01))));
        assert_eq!(unwind_limit(&m, dec!(0.995)), None);
    }

    #[test]
    fn depth_counts_only_levels_within_the_limit() {
        let asks = [
            lv(dec!(0.40), dec!(5)),
            lv(dec!(0.41), dec!(7)),
            lv(dec!(0.45), dec!(100)),
        ];
        assert_eq!(depth_to_buy(&asks, p(dec!(0.41))).value(), dec!(12));
        assert_eq!(depth_to_buy(&asks, p(dec!(0.39))), Qty::ZERO);
        let bids = [lv(dec!(0.30), dec!(4)), lv(dec!(0.10), dec!(9))];
        assert_eq!(depth_to_sell(&bids, p(dec!(0.2))).value(), dec!(4));
        assert_eq!(depth_to_sell(&bids, p(dec!(0.05))).value(), dec!(13));
    }

    #[test]
    fn tradable_qty_respects_step_and_minimum() {
        let m = market(dec!(0.01));
        assert_eq!(
            tradable_qty(&m, Qty::new(dec!(7.6)).unwrap()),
            Some(Qty::new(dec!(7)).unwrap())
        );
        assert_eq!(tradable_qty(&m, Qty::new(dec!(0.6)).unwrap()), None);
    }
}
