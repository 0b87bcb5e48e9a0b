//! Reading recorded Kalshi messages back into book events, with the live parsers: WebSocket
//! frames through the same [`Feed`] (books, deltas, sequence checks) the live stream uses, and
//! REST order-book answers through the same conversion as [`crate::KalshiExchange`]'s reads.

use std::sync::Arc;

use arb_core::exchange::BookEvent;
use arb_core::model::{Market, MarketId, VenueId};
use arb_core::record::{BookDecoder, DecodeError, DecoderFactory};
use chrono::{DateTime, Utc};

use crate::convert;
use crate::wire::{BatchOrderbooksResponse, OrderbookFp, OrderbookResponse};
use crate::ws::feed::Feed;

/// The format tag of a WebSocket text frame of the `orderbook_delta` channel, as received.
pub const WS_FORMAT: &str = "kalshi.ws";
/// The format tag of a REST order-book answer body: `GET /markets/{ticker}/orderbook` (the
/// record names the market: its ticker) or the batch `GET /markets/orderbooks` (it does not).
pub const REST_ORDERBOOK_FORMAT: &str = "kalshi.rest.orderbook";

/// Makes [`KalshiDecoder`]s.
#[derive(Clone, Copy, Debug)]
pub struct KalshiDecoders {
    use_yes_price: bool,
}

impl KalshiDecoders {
    /// Decoders for frames received on a subscription made with `use_yes_price` (the
    /// adapter's `ws_use_yes_price` setting, `true` by default): it says how `no` levels read.
    #[must_use]
    pub const fn new(use_yes_price: bool) -> Self {
        Self { use_yes_price }
    }
}

impl DecoderFactory for KalshiDecoders {
    fn reads(&self, format: &str) -> bool {
        format == WS_FORMAT || format == REST_ORDERBOOK_FORMAT
    }

    fn decoder(&self, _venue: &VenueId, _markets: &[Market]) -> Box<dyn BookDecoder> {
        Box::new(KalshiDecoder::new(self.use_yes_price))
    }
}

/// Reads one recording's Kalshi messages in the order received.
///
/// A frame the live stream could not trust (undecodable, a bad field) is a
/// [`DecodeError::Malformed`]; as live, it invalidates every book until fresh snapshots, and
/// those invalidations are returned first by the next call. A sequence gap invalidates the
/// books too (the recording then holds the snapshots the live stream asked for).
#[derive(Debug)]
pub struct KalshiDecoder {
    use_yes_price: bool,
    feed: Feed,
    pending: Vec<BookEvent>,
}

impl KalshiDecoder {
    /// No books yet.
    #[must_use]
    pub fn new(use_yes_price: bool) -> Self {
        Self {
            use_yes_price,
            feed: Feed::new(use_yes_price),
            pending: Vec::new(),
        }
    }

    fn ws(&mut self, at: DateTime<Utc>, payload: &str) -> Result<Vec<BookEvent>, DecodeError> {
        let applied = self.feed.apply(payload, at);
        let mut events = std::mem::take(&mut self.pending);
        events.extend(applied.events);
        if let Some(reason) = applied.malformed {
            self.pending = events;
            return Err(malformed(WS_FORMAT, reason));
        }
        if let Some(reason) = applied.terminal {
            // Live, the connection is re-made: new books, new sequence numbers.
            self.feed = Feed::new(self.use_yes_price);
            events.push(BookEvent::Invalidated {
                market: None,
                reason,
            });
        }
        Ok(events)
    }

    /// A single market's answer (the record names the market) or the batch answer (each
    /// entry names its ticker).
    fn rest(
        &mut self,
        at: DateTime<Utc>,
        market: Option<&MarketId>,
        payload: &str,
    ) -> Result<Vec<BookEvent>, DecodeError> {
        let books: Vec<(MarketId, OrderbookFp)> = match market {
            Some(market) => {
                let answer: OrderbookResponse = serde_json::from_str(payload)
                    .map_err(|e| malformed(REST_ORDERBOOK_FORMAT, e.to_string()))?;
                vec![(market.clone(), answer.orderbook_fp)]
            }
            None => {
                let answer: BatchOrderbooksResponse = serde_json::from_str(payload)
                    .map_err(|e| malformed(REST_ORDERBOOK_FORMAT, e.to_string()))?;
                answer
                    .orderbooks
                    .into_iter()
                    .map(|b| (MarketId::new(b.ticker), b.orderbook_fp))
                    .collect()
            }
        };
        let mut events = Vec::with_capacity(books.len());
        for (market, fp) in books {
            let book = convert::book(&fp, at, &format!("order book {market}"))
                .map_err(|e| malformed(REST_ORDERBOOK_FORMAT, e.to_string()))?;
            events.push(BookEvent::Book {
                market,
                book: Arc::new(book),
            });
        }
        let mut out = std::mem::take(&mut self.pending);
        out.extend(events);
        Ok(out)
    }
}

fn malformed(format: &str, reason: String) -> DecodeError {
    DecodeError::Malformed {
        format: format.to_owned(),
        reason,
    }
}

impl BookDecoder for KalshiDecoder {
    fn decode(
        &mut self,
        at: DateTime<Utc>,
        format: &str,
        market: Option<&MarketId>,
        payload: &str,
    ) -> Result<Vec<BookEvent>, DecodeError> {
        match format {
            WS_FORMAT => self.ws(at, payload),
            REST_ORDERBOOK_FORMAT => self.rest(at, market, payload),
            other => Err(DecodeError::UnknownFormat(other.to_owned())),
        }
    }
}
