//! Recording venue data as received, and reading it back.
//!
//! A recording is a sequence of [`Record`]s: market definitions and pairs at start and whenever
//! they change, and every raw book message exactly as a venue sent it (a WebSocket frame, a REST
//! order-book answer) with the time it was received. Adapters hand what they receive to a
//! [`RawTap`]; replay hands it back to the same adapter's parser through a [`BookDecoder`], so a
//! backtest runs the venue's own parsing, not a re-serialised copy.
//!
//! The core names no venue: a raw message's `format` is a tag the adapter chooses (e.g.
//! `kalshi.ws`), and [`NATIVE_BOOK_FORMAT`] is the one format the core itself writes and reads,
//! for venues without a wire format of their own (the simulated venues).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::exchange::BookEvent;
use crate::model::{BinaryBook, Market, MarketId, VenueId, VerifiedPair};

/// The version of the record layout; a reader refuses a newer one.
pub const RECORD_VERSION: u32 = 1;

/// The format tag of a [`NativeBook`] payload: a book as this crate serialises it.
pub const NATIVE_BOOK_FORMAT: &str = "native.book";

/// One entry of a recording.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Record {
    /// The first entry of every file.
    Header {
        /// The record layout's version ([`RECORD_VERSION`]).
        version: u32,
        /// When the file was started.
        started_at: DateTime<Utc>,
    },
    /// A market's definition (rules, price grid, size step, fee schedule) as known at `at`.
    Market {
        /// When it was read.
        at: DateTime<Utc>,
        /// The market.
        market: Box<Market>,
    },
    /// A pair the recording was made for (approved pairs; a backtest trades these).
    Pair {
        /// When it was read.
        at: DateTime<Utc>,
        /// The pair.
        pair: Box<VerifiedPair>,
    },
    /// A raw book message exactly as received.
    Raw {
        /// When it was received.
        at: DateTime<Utc>,
        /// The venue that sent it.
        venue: VenueId,
        /// The adapter's tag for how to read `payload` (e.g. `kalshi.ws`, [`NATIVE_BOOK_FORMAT`]).
        format: String,
        /// The market, when the payload does not name it (a REST answer for one market).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        market: Option<MarketId>,
        /// The message, byte for byte as the venue sent it.
        payload: String,
    },
}

impl Record {
    /// When the entry was made.
    #[must_use]
    pub const fn at(&self) -> DateTime<Utc> {
        match self {
            Self::Header { started_at, .. } => *started_at,
            Self::Market { at, .. } | Self::Pair { at, .. } | Self::Raw { at, .. } => *at,
        }
    }
}

/// Receives raw book messages as an adapter gets them, for recording. Implementations must be
/// cheap and must not block: the adapter calls it on its receive path.
pub trait RawTap: Send + Sync + std::fmt::Debug {
    /// `payload` arrived from `venue` in `format`; `market` names the market when the payload
    /// does not.
    fn received(&self, venue: &VenueId, format: &str, market: Option<&MarketId>, payload: &str);
}

/// A shared tap.
pub type SharedTap = Arc<dyn RawTap>;

/// Why a recorded raw message could not be read back.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The decoder does not read this format.
    #[error("unknown raw format {0:?}")]
    UnknownFormat(String),
    /// The payload is not what the format says.
    #[error("malformed {format} payload: {reason}")]
    Malformed {
        /// The format.
        format: String,
        /// What was wrong, naming the field.
        reason: String,
    },
    /// The payload names a market the recording did not define.
    #[error("{format} payload for unknown market {market}")]
    UnknownMarket {
        /// The format.
        format: String,
        /// The market as the payload names it.
        market: String,
    },
}

/// Turns one venue's recorded raw messages back into book events, with the same parsing the
/// live adapter uses. It keeps whatever state the venue's protocol needs (sequence numbers,
/// books that deltas apply to).
pub trait BookDecoder: Send {
    /// Reads one raw message received at `at`; returns the book events it gives (none for a
    /// message that carries no book, such as a subscription acknowledgement).
    fn decode(
        &mut self,
        at: DateTime<Utc>,
        format: &str,
        market: Option<&MarketId>,
        payload: &str,
    ) -> Result<Vec<BookEvent>, DecodeError>;
}

/// Makes the [`BookDecoder`] for a venue's recorded messages, given the markets the recording
/// defines for it (decoders map venue instruments, such as token ids, to markets).
pub trait DecoderFactory: Send + Sync {
    /// Whether this factory reads `format`.
    fn reads(&self, format: &str) -> bool;
    /// A decoder for `venue`'s messages over `markets`.
    fn decoder(&self, venue: &VenueId, markets: &[Market]) -> Box<dyn BookDecoder>;
}

/// The payload of a [`NATIVE_BOOK_FORMAT`] message: a market's whole book.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct NativeBook {
    /// The market.
    pub market: MarketId,
    /// Its book.
    pub book: BinaryBook,
}

/// Reads [`NATIVE_BOOK_FORMAT`] messages (any venue).
#[derive(Clone, Copy, Debug, Default)]
pub struct NativeDecoder;

impl BookDecoder for NativeDecoder {
    fn decode(
        &mut self,
        _at: DateTime<Utc>,
        format: &str,
        _market: Option<&MarketId>,
        payload: &str,
    ) -> Result<Vec<BookEvent>, DecodeError> {
        if format != NATIVE_BOOK_FORMAT {
            return Err(DecodeError::UnknownFormat(format.to_owned()));
        }
        let native: NativeBook =
            serde_json::from_str(payload).map_err(|e| DecodeError::Malformed {
                format: format.to_owned(),
                reason: e.to_string(),
            })?;
        Ok(vec![BookEvent::Book {
            market: native.market,
            book: Arc::new(native.book),
        }])
    }
}

impl DecoderFactory for NativeDecoder {
    fn reads(&self, format: &str) -> bool {
        format == NATIVE_BOOK_FORMAT
    }

    fn decoder(&self, _venue: &VenueId, _markets: &[Market]) -> Box<dyn BookDecoder> {
        Box::new(Self)
    }
}

/// Serialises a book as a [`NATIVE_BOOK_FORMAT`] payload.
pub fn native_payload(market: &MarketId, book: &BinaryBook) -> Result<String, serde_json::Error> {
    serde_json::to_string(&NativeBookRef { market, book })
}

/// [`NativeBook`] by reference, to serialise without cloning.
#[derive(Serialize)]
struct NativeBookRef<'a> {
    market: &'a MarketId,
    book: &'a BinaryBook,
}

/// One message a [`MemoryTap`] received.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TappedMessage {
    /// The venue that sent it.
    pub venue: VenueId,
    /// Its format tag.
    pub format: String,
    /// The market, when the adapter named it.
    pub market: Option<MarketId>,
    /// The message as received.
    pub payload: String,
}

/// A [`RawTap`] that keeps what it receives in memory, in order: for tests of adapters' taps
/// and for tools that inspect raw messages without writing them.
#[derive(Debug, Default)]
pub struct MemoryTap(std::sync::Mutex<Vec<TappedMessage>>);

impl MemoryTap {
    /// Everything received so far, emptying the tap.
    pub fn take(&self) -> Vec<TappedMessage> {
        std::mem::take(
            &mut *self
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }
}

impl RawTap for MemoryTap {
    fn received(&self, venue: &VenueId, format: &str, market: Option<&MarketId>, payload: &str) {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(TappedMessage {
                venue: venue.clone(),
                format: format.to_owned(),
                market: market.cloned(),
                payload: payload.to_owned(),
            });
    }
}
