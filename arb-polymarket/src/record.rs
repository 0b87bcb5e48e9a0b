//! Reading recorded Polymarket messages back into book events, with the live parsers:
//! market-channel frames through the same [`FeedState`] the live stream uses (YES token book,
//! NO as its complement), and `GET /book` answers through the same conversion as the adapter's
//! book reads.

use std::sync::Arc;

use arb_core::exchange::BookEvent;
use arb_core::model::{Market, MarketId, VenueId};
use arb_core::record::{BookDecoder, DecodeError, DecoderFactory};
use chrono::{DateTime, Utc};

use crate::books::binary_from_yes;
use crate::markets::PolymarketMarketExt;
use crate::wire::WireBook;
use crate::ws::FeedState;

/// The format tag of a market-channel WebSocket text frame (one event or an array), as received.
pub const WS_FORMAT: &str = "polymarket.ws";
/// The format tag of a `GET /book` answer body (one token's book; an array of them, as
/// `POST /books` answers, is read too).
pub const REST_BOOK_FORMAT: &str = "polymarket.rest.book";

/// Makes [`PolymarketDecoder`]s.
#[derive(Clone, Copy, Debug, Default)]
pub struct PolymarketDecoders;

impl DecoderFactory for PolymarketDecoders {
    fn reads(&self, format: &str) -> bool {
        format == WS_FORMAT || format == REST_BOOK_FORMAT
    }

    fn decoder(&self, _venue: &VenueId, markets: &[Market]) -> Box<dyn BookDecoder> {
        Box::new(PolymarketDecoder::new(markets))
    }
}

/// The YES token of each market that carries Polymarket data; markets without it are left out
/// (with a warning): their messages cannot be told apart.
fn yes_tokens(markets: &[Market]) -> Vec<(String, MarketId)> {
    markets
        .iter()
        .filter_map(|m| match m.ext.get::<PolymarketMarketExt>() {
            Ok(Some(ext)) => Some((ext.yes_token_id, m.key.market.clone())),
            Ok(None) => None,
            Err(e) => {
                tracing::warn!(market = %m.key.market, error = %e, "market without readable Polymarket data is not replayed");
                None
            }
        })
        .collect()
}

/// Reads one recording's Polymarket messages in the order received. Messages about tokens that
/// are not a defined market's YES token give no events (as live, where only those are
/// subscribed). A frame the live stream would drop its connection for is a
/// [`DecodeError::Malformed`]; as live, every book is then forgotten until fresh `book`
/// snapshots, and the next call returns that invalidation first. Tick size changes give no book
/// event: the recording's market definitions carry the grid.
#[derive(Debug)]
pub struct PolymarketDecoder {
    state: FeedState,
    yes_tokens: Vec<(String, MarketId)>,
    pending: Vec<BookEvent>,
}

impl PolymarketDecoder {
    /// No books yet, for these markets.
    #[must_use]
    pub fn new(markets: &[Market]) -> Self {
        let yes_tokens = yes_tokens(markets);
        Self {
            state: FeedState::for_tokens(yes_tokens.iter().cloned()),
            yes_tokens,
            pending: Vec::new(),
        }
    }

    fn ws(&mut self, at: DateTime<Utc>, payload: &str) -> Result<Vec<BookEvent>, DecodeError> {
        if payload.trim() == "PONG" {
            return Ok(std::mem::take(&mut self.pending));
        }
        match self.state.apply_frame(payload, at) {
            Ok(fx) => {
                let mut events = std::mem::take(&mut self.pending);
                events.extend(fx.events);
                Ok(events)
            }
            Err(e) => {
                self.state.reset();
                self.pending.push(BookEvent::Invalidated {
                    market: None,
                    reason: e.to_string(),
                });
                Err(malformed(WS_FORMAT, e.0))
            }
        }
    }

    fn rest(&mut self, at: DateTime<Utc>, payload: &str) -> Result<Vec<BookEvent>, DecodeError> {
        let value: serde_json::Value = serde_json::from_str(payload)
            .map_err(|e| malformed(REST_BOOK_FORMAT, e.to_string()))?;
        let wires: Vec<WireBook> = match value {
            serde_json::Value::Array(_) => serde_json::from_value(value),
            other => serde_json::from_value(other).map(|one| vec![one]),
        }
        .map_err(|e| malformed(REST_BOOK_FORMAT, e.to_string()))?;
        let mut events = Vec::new();
        for wire in &wires {
            let Some((_, market)) = self.yes_tokens.iter().find(|(t, _)| *t == wire.asset_id)
            else {
                continue;
            };
            let book = binary_from_yes(wire, at)
                .map_err(|e| malformed(REST_BOOK_FORMAT, e.to_string()))?;
            events.push(BookEvent::Book {
                market: market.clone(),
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

impl BookDecoder for PolymarketDecoder {
    fn decode(
        &mut self,
        at: DateTime<Utc>,
        format: &str,
        _market: Option<&MarketId>,
        payload: &str,
    ) -> Result<Vec<BookEvent>, DecodeError> {
        match format {
            WS_FORMAT => self.ws(at, payload),
            REST_BOOK_FORMAT => self.rest(at, payload),
            other => Err(DecodeError::UnknownFormat(other.to_owned())),
        }
    }
}
