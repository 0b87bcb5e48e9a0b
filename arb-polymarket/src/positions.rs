//! Positions from the Data API (`GET /positions`): one element per token held.

use arb_core::exchange::ExchangeError;
use arb_core::model::{Outcome, Position, Price, Qty};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::books::MAX_LEVEL_SIZE;
use crate::markets::MarketInfo;
use crate::wire::DataPosition;

fn decode_err(what: &str, message: String) -> ExchangeError {
    ExchangeError::Decode {
        what: what.to_owned(),
        message,
    }
}

/// The position a Data API element describes, in the market `info` its token belongs to.
///
/// # Errors
/// [`ExchangeError::Decode`] naming the field: a token that is neither of the market's outcomes,
/// a negative size, or one beyond 10¹² shares. An average price outside [0, 1] is dropped (it is
/// informational); the realised PnL is taken as reported.
pub fn position(
    p: &DataPosition,
    info: &MarketInfo,
    now: DateTime<Utc>,
) -> Result<Position, ExchangeError> {
    let outcome: Outcome = info
        .ext
        .outcome_of(&p.asset)
        .ok_or_else(|| decode_err("position asset", p.asset.clone()))?;
    if p.size > MAX_LEVEL_SIZE {
        return Err(decode_err(
            "position size",
            format!("{} shares is out of range", p.size),
        ));
    }
    Ok(Position {
        market: info.market.key.clone(),
        outcome,
        qty: Qty::new(p.size).map_err(|e| decode_err("position size", e.to_string()))?,
        avg_price: p.avg_price.and_then(|a| Price::new(a).ok()),
        fees_paid: Decimal::ZERO,
        realized_pnl: p.realized_pnl.unwrap_or_default(),
        updated_at: now,
    })
}
