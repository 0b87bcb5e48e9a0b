//! WebSocket frames, parsed without copying where possible (hot path of every book delta).

use std::borrow::Cow;

use serde::Deserialize;

/// Any frame the server sends; fields absent from a frame type are `None`.
#[derive(Debug, Deserialize)]
pub struct Frame<'a> {
    /// `orderbook_snapshot`, `orderbook_delta`, `subscribed`, `ok`, `error`, `ticker`…
    #[serde(rename = "type", borrow)]
    pub kind: Cow<'a, str>,
    /// Subscription id.
    #[serde(default)]
    pub sid: Option<u64>,
    /// Per-subscription sequence number.
    #[serde(default)]
    pub seq: Option<u64>,
    /// Payload.
    #[serde(default, borrow)]
    pub msg: Option<Msg<'a>>,
}

/// A `[price, count]` pair of fixed-point strings.
pub type RawLevel<'a> = (Cow<'a, str>, Cow<'a, str>);

/// The payload fields the book stream reads.
#[derive(Debug, Default, Deserialize)]
pub struct Msg<'a> {
    /// Market of a snapshot or delta.
    #[serde(default, borrow)]
    pub market_ticker: Option<Cow<'a, str>>,
    /// Delta price.
    #[serde(default, borrow)]
    pub price_dollars: Option<Cow<'a, str>>,
    /// Signed delta of resting contracts.
    #[serde(default, borrow)]
    pub delta_fp: Option<Cow<'a, str>>,
    /// `yes` or `no`.
    #[serde(default, borrow)]
    pub side: Option<Cow<'a, str>>,
    /// Snapshot YES bids.
    #[serde(default, borrow)]
    pub yes_dollars_fp: Option<Vec<RawLevel<'a>>>,
    /// Snapshot NO bids.
    #[serde(default, borrow)]
    pub no_dollars_fp: Option<Vec<RawLevel<'a>>>,
    /// Venue time in milliseconds.
    #[serde(default)]
    pub ts_ms: Option<i64>,
    /// `subscribed`: the new subscription id.
    #[serde(default)]
    pub sid: Option<u64>,
    /// `error`: the error code.
    #[serde(default)]
    pub code: Option<i64>,
    /// `error`: the error text.
    #[serde(default, borrow)]
    pub msg: Option<Cow<'a, str>>,
}

/// Parses one text frame.
pub fn parse(text: &str) -> Result<Frame<'_>, serde_json::Error> {
    serde_json::from_str(text)
}
