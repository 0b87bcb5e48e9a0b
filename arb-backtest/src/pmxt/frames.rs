//! pmxt rows → the market-channel frames Polymarket sent, in the shape the Polymarket adapter's
//! parser reads (`book` with `{price, size}` levels; `price_change` with a `price_changes`
//! array; `tick_size_change`).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::rows::PmxtRow;

/// One event of a row, kept between the pass over the files and the merge by receive time.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Entry {
    /// pmxt's receive time, milliseconds.
    pub at: i64,
    /// Polymarket's time, milliseconds (the receive time when the row has none).
    pub ts: i64,
    /// The condition id.
    pub market: String,
    /// The event.
    pub event: Event,
}

/// The book content of a row.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// A whole book of one token.
    Book {
        /// Token.
        asset_id: String,
        /// Bids as `{price, size}` objects.
        bids: Value,
        /// Asks as `{price, size}` objects.
        asks: Value,
    },
    /// One level's new size.
    Change {
        /// Token.
        asset_id: String,
        /// Level price.
        price: Decimal,
        /// New size at the level.
        size: Decimal,
        /// `BUY` or `SELL`.
        side: String,
        /// Best bid after the change.
        best_bid: Option<Decimal>,
        /// Best ask after the change.
        best_ask: Option<Decimal>,
    },
    /// A new tick size.
    Tick {
        /// Token.
        asset_id: String,
        /// The new tick.
        new_tick_size: Decimal,
    },
}

/// The entry of a row: `None` for events without book content (`last_trade_price`, and any
/// event type pmxt may add). `Err((column, reason))` when a column the event needs is null or
/// malformed.
pub fn entry(row: &PmxtRow) -> Result<Option<Entry>, (String, String)> {
    let need = |column: &str, v: Option<Decimal>| {
        v.ok_or_else(|| {
            (
                column.to_owned(),
                format!("is null in a `{}` row", row.event_type),
            )
        })
    };
    let asset_id = row.asset_id.clone();
    let event = match row.event_type.as_str() {
        "book" => Event::Book {
            asset_id,
            bids: levels("bids", row.bids.as_deref())?,
            asks: levels("asks", row.asks.as_deref())?,
        },
        "price_change" => Event::Change {
            asset_id,
            price: need("price", row.price)?,
            size: need("size", row.size)?,
            side: row.side.clone().ok_or_else(|| {
                (
                    "side".to_owned(),
                    "is null in a `price_change` row".to_owned(),
                )
            })?,
            best_bid: row.best_bid,
            best_ask: row.best_ask,
        },
        "tick_size_change" => Event::Tick {
            asset_id,
            new_tick_size: need("new_tick_size", row.new_tick_size)?,
        },
        _ => return Ok(None),
    };
    Ok(Some(Entry {
        at: row.received_ms,
        ts: row.venue_ms.unwrap_or(row.received_ms),
        market: row.market.clone(),
        event,
    }))
}

/// pmxt's `[["price","size"],…]` → Polymarket's `[{"price": …, "size": …},…]`.
fn levels(column: &str, text: Option<&str>) -> Result<Value, (String, String)> {
    let Some(text) = text else {
        return Ok(Value::Array(Vec::new()));
    };
    let pairs: Vec<(String, String)> = serde_json::from_str(text).map_err(|e| {
        (
            column.to_owned(),
            format!("not a JSON list of [price, size] strings: {e}"),
        )
    })?;
    Ok(Value::Array(
        pairs
            .into_iter()
            .map(|(price, size)| json!({ "price": price, "size": size }))
            .collect(),
    ))
}

/// Whether `next` continues the `price_change` frame `first` started (same market, same
/// receive and venue times): Polymarket sends one frame for several level changes, which pmxt
/// stores as one row each.
#[must_use]
pub fn same_frame(first: &Entry, next: &Entry) -> bool {
    matches!(
        (&first.event, &next.event),
        (Event::Change { .. }, Event::Change { .. })
    ) && first.at == next.at
        && first.ts == next.ts
        && first.market == next.market
}

/// The frame of `entries` (one entry, or several `price_change` entries of one frame).
#[must_use]
pub fn frame(entries: &[Entry]) -> Option<String> {
    let first = entries.first()?;
    let timestamp = first.ts.to_string();
    let value = match &first.event {
        Event::Book {
            asset_id,
            bids,
            asks,
        } => json!({
            "event_type": "book", "asset_id": asset_id, "market": first.market,
            "bids": bids, "asks": asks, "timestamp": timestamp,
        }),
        Event::Tick {
            asset_id,
            new_tick_size,
        } => json!({
            "event_type": "tick_size_change", "asset_id": asset_id, "market": first.market,
            "new_tick_size": new_tick_size.to_string(), "timestamp": timestamp,
        }),
        Event::Change { .. } => json!({
            "event_type": "price_change", "market": first.market, "timestamp": timestamp,
            "price_changes": entries.iter().filter_map(change).collect::<Vec<_>>(),
        }),
    };
    Some(value.to_string())
}

fn change(entry: &Entry) -> Option<Value> {
    let Event::Change {
        asset_id,
        price,
        size,
        side,
        best_bid,
        best_ask,
    } = &entry.event
    else {
        return None;
    };
    let mut v = json!({
        "asset_id": asset_id, "price": price.to_string(), "size": size.to_string(), "side": side,
    });
    if let (Some(obj), Some(b)) = (v.as_object_mut(), best_bid) {
        obj.insert("best_bid".into(), Value::String(b.to_string()));
    }
    if let (Some(obj), Some(a)) = (v.as_object_mut(), best_ask) {
        obj.insert("best_ask".into(), Value::String(a.to_string()));
    }
    Some(v)
}
