//! Wire payloads of Gamma, the CLOB and the Data API, exactly as sent (see the reference samples).
//! Numbers that are sometimes JSON numbers and sometimes strings are read into `Decimal` by
//! [`num`], never through `f64`.

use std::collections::HashMap;

use rust_decimal::Decimal;
use serde::Deserialize;

/// Lenient decimal readers: a JSON number or a decimal string.
pub mod num {
    use std::str::FromStr;

    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, de::Error};

    /// Parses a decimal written as `0.5`, `.5`, `"0.5"` or `1e-5`.
    pub fn parse(s: &str) -> Option<Decimal> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        Decimal::from_str(s)
            .or_else(|_| Decimal::from_scientific(s))
            .ok()
    }

    fn from_value(v: &serde_json::Value) -> Result<Option<Decimal>, String> {
        match v {
            serde_json::Value::Null => Ok(None),
            serde_json::Value::Number(n) => parse(&n.to_string())
                .map(Some)
                .ok_or_else(|| format!("bad number {n}")),
            serde_json::Value::String(s) if s.trim().is_empty() => Ok(None),
            serde_json::Value::String(s) => parse(s)
                .map(Some)
                .ok_or_else(|| format!("bad decimal string {s:?}")),
            other => Err(format!("expected a number, got {other}")),
        }
    }

    /// A required decimal.
    pub fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        from_value(&v)
            .map_err(D::Error::custom)?
            .ok_or_else(|| D::Error::custom("missing decimal"))
    }

    /// An optional decimal (`null`, `""` or absent → `None`).
    pub fn opt_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        from_value(&v).map_err(D::Error::custom)
    }
}

/// A Gamma market (`/markets`, `/markets/keyset`).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GammaMarket {
    /// Gamma's numeric id.
    #[serde(default)]
    pub id: String,
    /// The question.
    #[serde(default)]
    pub question: String,
    /// The CTF condition id (`0x…`).
    #[serde(default)]
    pub condition_id: String,
    /// URL slug.
    #[serde(default)]
    pub slug: String,
    /// Resolution rules.
    #[serde(default)]
    pub description: String,
    /// Resolution source, often empty.
    #[serde(default)]
    pub resolution_source: Option<String>,
    /// ISO-8601 end time.
    #[serde(default)]
    pub end_date: Option<String>,
    /// End date only (`YYYY-MM-DD`).
    #[serde(default)]
    pub end_date_iso: Option<String>,
    /// Listed and live.
    #[serde(default)]
    pub active: bool,
    /// Trading over.
    #[serde(default)]
    pub closed: bool,
    /// Archived.
    #[serde(default)]
    pub archived: bool,
    /// The CLOB accepts orders.
    #[serde(default)]
    pub accepting_orders: bool,
    /// The market has a CLOB order book.
    #[serde(default)]
    pub enable_order_book: bool,
    /// Neg-risk market (trades on the neg-risk exchange).
    #[serde(default)]
    pub neg_risk: bool,
    /// Tick size.
    #[serde(default, deserialize_with = "num::opt_decimal")]
    pub order_price_min_tick_size: Option<Decimal>,
    /// Minimum order size in shares.
    #[serde(default, deserialize_with = "num::opt_decimal")]
    pub order_min_size: Option<Decimal>,
    /// JSON-encoded array of outcome labels.
    #[serde(default)]
    pub outcomes: Option<String>,
    /// JSON-encoded array of outcome prices.
    #[serde(default)]
    pub outcome_prices: Option<String>,
    /// JSON-encoded array of token ids, in the order of `outcomes`.
    #[serde(default)]
    pub clob_token_ids: Option<String>,
}

/// `GET /markets/keyset` page.
#[derive(Clone, Debug, Deserialize)]
pub struct GammaKeysetPage {
    /// Markets of this page.
    #[serde(default)]
    pub markets: Vec<GammaMarket>,
    /// Cursor of the next page, `None` at the end.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// One token of `/clob-markets/{condition_id}`.
#[derive(Clone, Debug, Deserialize)]
pub struct ClobToken {
    /// Token id.
    pub t: String,
    /// Outcome label.
    pub o: String,
}

/// Fee schedule of `/clob-markets/{condition_id}`.
#[derive(Clone, Debug, Deserialize)]
pub struct ClobFees {
    /// Rate.
    #[serde(deserialize_with = "num::decimal")]
    pub r: Decimal,
    /// Exponent.
    #[serde(deserialize_with = "num::decimal")]
    pub e: Decimal,
    /// Taker only.
    #[serde(default)]
    pub to: bool,
}

/// `GET /clob-markets/{condition_id}`: the V2 compact market info.
#[derive(Clone, Debug, Deserialize)]
pub struct ClobMarketInfo {
    /// Condition id.
    pub c: String,
    /// Tokens with outcome labels.
    pub t: Vec<ClobToken>,
    /// Minimum tick size.
    #[serde(deserialize_with = "num::decimal")]
    pub mts: Decimal,
    /// Minimum order size.
    #[serde(deserialize_with = "num::decimal")]
    pub mos: Decimal,
    /// Neg risk (omitted when false).
    #[serde(default)]
    pub nr: bool,
    /// Fee schedule, when fees are enabled.
    #[serde(default)]
    pub fd: Option<ClobFees>,
}

/// A price level on the wire.
#[derive(Clone, Debug, Deserialize)]
pub struct WireLevel {
    /// Price (decimal string, may be ".48").
    pub price: String,
    /// Size (decimal string).
    pub size: String,
}

/// `GET /book` / `POST /books` element, and the WS `book` event.
#[derive(Clone, Debug, Deserialize)]
pub struct WireBook {
    /// Condition id.
    #[serde(default)]
    pub market: String,
    /// Token id.
    pub asset_id: String,
    /// Milliseconds since the epoch, as a string.
    #[serde(default)]
    pub timestamp: Option<String>,
    /// Bids, any order.
    #[serde(default)]
    pub bids: Vec<WireLevel>,
    /// Asks, any order.
    #[serde(default)]
    pub asks: Vec<WireLevel>,
    /// Tick size, when sent.
    #[serde(default, deserialize_with = "num::opt_decimal")]
    pub tick_size: Option<Decimal>,
}

/// `POST /order` answer.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostOrderResponse {
    /// Whether the order was accepted.
    #[serde(default)]
    pub success: bool,
    /// Error text, empty on success.
    #[serde(default, alias = "error_msg")]
    pub error_msg: String,
    /// The order hash.
    #[serde(default, rename = "orderID")]
    pub order_id: String,
    /// `live`, `matched`, `delayed` or `unmatched`.
    #[serde(default)]
    pub status: String,
}

/// `GET /data/order/{id}`.
#[derive(Clone, Debug, Deserialize)]
pub struct WireOrder {
    /// Order hash.
    pub id: String,
    /// LIVE, MATCHED, CANCELED, DELAYED, UNMATCHED, INVALID…
    #[serde(default)]
    pub status: String,
    /// Condition id.
    #[serde(default)]
    pub market: String,
    /// Token id.
    #[serde(default)]
    pub asset_id: String,
    /// BUY or SELL.
    #[serde(default)]
    pub side: String,
    /// Shares ordered.
    #[serde(default, deserialize_with = "num::opt_decimal")]
    pub original_size: Option<Decimal>,
    /// Shares matched.
    #[serde(default, deserialize_with = "num::opt_decimal")]
    pub size_matched: Option<Decimal>,
    /// Limit price.
    #[serde(default, deserialize_with = "num::opt_decimal")]
    pub price: Option<Decimal>,
    /// GTC, GTD, FOK, FAK.
    #[serde(default)]
    pub order_type: String,
}

/// `DELETE /order` answer.
#[derive(Clone, Debug, Deserialize)]
pub struct CancelResponse {
    /// Cancelled order ids.
    #[serde(default)]
    pub canceled: Vec<String>,
    /// Order id → reason it was not cancelled.
    #[serde(default)]
    pub not_canceled: HashMap<String, String>,
}

/// A maker order inside a trade.
#[derive(Clone, Debug, Deserialize)]
pub struct WireMakerOrder {
    /// Order hash.
    pub order_id: String,
    /// Maker (funder) address.
    #[serde(default)]
    pub maker_address: String,
    /// Shares matched against this maker order.
    #[serde(deserialize_with = "num::decimal")]
    pub matched_amount: Decimal,
    /// Maker order price.
    #[serde(deserialize_with = "num::decimal")]
    pub price: Decimal,
    /// Token id of the maker order.
    pub asset_id: String,
    /// Maker order side.
    pub side: String,
}

/// `GET /data/trades` element.
#[derive(Clone, Debug, Deserialize)]
pub struct WireTrade {
    /// Trade id.
    pub id: String,
    /// Taker order hash.
    #[serde(default)]
    pub taker_order_id: String,
    /// Condition id.
    pub market: String,
    /// Taker token id.
    pub asset_id: String,
    /// Taker side.
    pub side: String,
    /// Taker shares.
    #[serde(deserialize_with = "num::decimal")]
    pub size: Decimal,
    /// Taker price.
    #[serde(deserialize_with = "num::decimal")]
    pub price: Decimal,
    /// MATCHED, MINED, CONFIRMED, RETRYING, FAILED.
    #[serde(default)]
    pub status: String,
    /// Unix seconds, as a string.
    #[serde(default)]
    pub match_time: String,
    /// TAKER or MAKER: which side of the trade we were.
    #[serde(default)]
    pub trader_side: String,
    /// Maker orders matched.
    #[serde(default)]
    pub maker_orders: Vec<WireMakerOrder>,
}

/// A cursor-paged CLOB answer (`{data, next_cursor}`).
#[derive(Clone, Debug, Deserialize)]
pub struct Paged<T> {
    /// Items.
    #[serde(default = "Vec::new")]
    pub data: Vec<T>,
    /// Next cursor; `LTE=` (or absent) at the end.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// `GET /balance-allowance`.
#[derive(Clone, Debug, Deserialize)]
pub struct BalanceAllowance {
    /// Balance in 6-decimal base units.
    #[serde(deserialize_with = "num::decimal")]
    pub balance: Decimal,
}

/// Data API `GET /positions` element.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataPosition {
    /// Token id.
    pub asset: String,
    /// Condition id.
    pub condition_id: String,
    /// Shares held.
    #[serde(deserialize_with = "num::decimal")]
    pub size: Decimal,
    /// Average price paid.
    #[serde(default, deserialize_with = "num::opt_decimal")]
    pub avg_price: Option<Decimal>,
    /// Realised PnL in dollars.
    #[serde(default, deserialize_with = "num::opt_decimal")]
    pub realized_pnl: Option<Decimal>,
}

/// API credentials as returned by `/auth/api-key` and `/auth/derive-api-key`.
#[derive(Clone, Deserialize)]
pub struct WireApiCreds {
    /// API key.
    #[serde(rename = "apiKey")]
    pub api_key: String,
    /// Secret.
    pub secret: String,
    /// Passphrase.
    pub passphrase: String,
}

impl std::fmt::Debug for WireApiCreds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WireApiCreds")
            .field("api_key", &self.api_key)
            .finish_non_exhaustive()
    }
}
