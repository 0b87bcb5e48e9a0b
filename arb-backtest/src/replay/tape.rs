//! The tape: a recording read in order, its raw messages decoded by the venues' own parsers,
//! and the books as they stand at the current (virtual) time.
//!
//! The tape is advanced to a time by whoever needs it first: the pump (delivering records to
//! the engine's book streams at their receive times) or a simulated venue filling an order.
//! Either way every record received at or before that time is applied, in recorded order, so
//! an order sees exactly the books recorded up to its arrival, whatever task ran first.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Utc};
use thiserror::Error;
use tokio::sync::mpsc;

use arb_core::exchange::BookEvent;
use arb_core::model::{BinaryBook, Market, MarketId, MarketKey, VenueId, VerifiedPair};
use arb_core::record::{BookDecoder, DecodeError, DecoderFactory, RECORD_VERSION, Record};

/// A reader's failure, whatever reader it is (the file reader's error names file and offset).
pub type SourceError = Box<dyn std::error::Error + Send + Sync>;

/// A recording as a stream of records, oldest first.
pub type RecordSource = Box<dyn Iterator<Item = Result<Record, SourceError>> + Send>;

/// Any reader of records (such as the recording file reader) as a [`RecordSource`].
pub fn record_source<I, E>(records: I) -> RecordSource
where
    I: IntoIterator<Item = Result<Record, E>>,
    I::IntoIter: Send + 'static,
    E: std::error::Error + Send + Sync + 'static,
{
    Box::new(
        records
            .into_iter()
            .map(|r| r.map_err(|e| Box::new(e) as SourceError)),
    )
}

/// The decoders a replay may use, one per raw format family (native, Kalshi, Polymarket…).
pub type DecoderFactories = Arc<Vec<Box<dyn DecoderFactory>>>;

/// Why a recording could not be replayed. `entry` counts the recording's records from 1.
#[derive(Debug, Error)]
pub enum ReplayError {
    /// The reader failed.
    #[error("recording entry {entry}: {source}")]
    Read {
        /// The entry that could not be read.
        entry: u64,
        /// The reader's error.
        #[source]
        source: SourceError,
    },
    /// A raw message could not be decoded by its venue's parser.
    #[error("recording entry {entry} ({venue} `{format}` received at {at}): {source}")]
    Decode {
        /// The entry.
        entry: u64,
        /// The venue that sent it.
        venue: VenueId,
        /// Its format tag.
        format: String,
        /// When it was received.
        at: DateTime<Utc>,
        /// The parser's complaint.
        #[source]
        source: DecodeError,
    },
    /// No registered decoder reads a raw message's format.
    #[error(
        "recording entry {entry} ({venue} received at {at}): no decoder reads format `{format}`"
    )]
    NoDecoder {
        /// The entry.
        entry: u64,
        /// The venue that sent it.
        venue: VenueId,
        /// Its format tag.
        format: String,
        /// When it was received.
        at: DateTime<Utc>,
    },
    /// A file written by a newer version of this program.
    #[error(
        "recording entry {entry}: record version {version} is newer than this program reads ({RECORD_VERSION})"
    )]
    Version {
        /// The entry.
        entry: u64,
        /// The version found.
        version: u32,
    },
    /// Nothing to replay.
    #[error("the recording holds no records")]
    Empty,
}

/// A market or pair definition met on the tape, for the driver to store.
#[derive(Clone, Debug)]
pub enum Definition {
    /// A market's definition (new or changed).
    Market(Box<Market>),
    /// A pair the recording was made for.
    Pair(Box<VerifiedPair>),
}

/// A raw message being decoded.
#[derive(Clone, Copy)]
struct RawRef<'a> {
    at: DateTime<Utc>,
    venue: &'a VenueId,
    format: &'a str,
    market: Option<&'a MarketId>,
    payload: &'a str,
}

/// A book stream opened by the engine.
struct Subscriber {
    venue: VenueId,
    markets: BTreeSet<MarketId>,
    tx: mpsc::UnboundedSender<BookEvent>,
}

struct TapeState {
    source: RecordSource,
    /// The next record, read ahead to know when it is due.
    next: Option<Record>,
    /// Records read so far.
    entries: u64,
    markets: BTreeMap<MarketKey, Market>,
    /// The current books; `None` while invalidated.
    books: BTreeMap<MarketKey, Option<Arc<BinaryBook>>>,
    decoders: BTreeMap<(VenueId, usize), Box<dyn BookDecoder>>,
    subscribers: Vec<Subscriber>,
    /// Definitions met and not yet taken by the driver.
    definitions: Vec<Definition>,
    /// Book events decoded.
    updates: u64,
    /// The first failure: the tape stops there.
    failure: Option<ReplayError>,
}

/// A recording being replayed (see the module documentation).
pub struct Tape {
    state: Mutex<TapeState>,
    factories: DecoderFactories,
    start: DateTime<Utc>,
}

impl std::fmt::Debug for Tape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tape")
            .field("start", &self.start)
            .finish_non_exhaustive()
    }
}

impl Tape {
    /// Opens a recording: reads its first record, whose time is the replay's start.
    ///
    /// # Errors
    /// The first record cannot be read, or there is none.
    pub fn open(
        mut source: RecordSource,
        factories: DecoderFactories,
    ) -> Result<Self, ReplayError> {
        let first = match source.next() {
            None => return Err(ReplayError::Empty),
            Some(Err(source)) => return Err(ReplayError::Read { entry: 1, source }),
            Some(Ok(record)) => record,
        };
        let start = first.at();
        Ok(Self {
            state: Mutex::new(TapeState {
                source,
                next: Some(first),
                entries: 0,
                markets: BTreeMap::new(),
                books: BTreeMap::new(),
                decoders: BTreeMap::new(),
                subscribers: Vec::new(),
                definitions: Vec::new(),
                updates: 0,
                failure: None,
            }),
            factories,
            start,
        })
    }

    fn state(&self) -> MutexGuard<'_, TapeState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// When the recording starts (its first record's time).
    #[must_use]
    pub const fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// When the next record is due; `None` at the end of the recording or after a failure.
    #[must_use]
    pub fn next_at(&self) -> Option<DateTime<Utc>> {
        let state = self.state();
        if state.failure.is_some() {
            return None;
        }
        state.next.as_ref().map(Record::at)
    }

    /// Applies the definitions the recording opens with (header, markets, pairs: everything
    /// before its first raw message, whatever their times), so a backtest knows its pairs and
    /// markets before the first book arrives.
    pub fn read_head(&self) {
        let until = |r: &Record| !matches!(r, Record::Raw { .. });
        self.apply_while(until);
    }

    /// Applies every record received at or before `now`, in order: definitions are kept,
    /// raw messages decoded and their book events sent to the streams that watch them. A
    /// failure stops the tape (see [`Tape::take_failure`]).
    pub fn advance_to(&self, now: DateTime<Utc>) {
        self.apply_while(|r| r.at() <= now);
    }

    /// Applies records in order while `due` says the next one is.
    fn apply_while(&self, due: impl Fn(&Record) -> bool) {
        let mut state = self.state();
        while state.failure.is_none() && state.next.as_ref().is_some_and(&due) {
            let Some(record) = state.next.take() else {
                break;
            };
            state.entries += 1;
            if let Err(e) = self.apply(&mut state, record) {
                state.failure = Some(e);
                break;
            }
            let entry = state.entries + 1;
            state.next = match state.source.next() {
                None => None,
                Some(Ok(record)) => Some(record),
                Some(Err(source)) => {
                    state.failure = Some(ReplayError::Read { entry, source });
                    None
                }
            };
        }
    }

    fn apply(&self, state: &mut TapeState, record: Record) -> Result<(), ReplayError> {
        match record {
            Record::Header { version, .. } if version > RECORD_VERSION => {
                Err(ReplayError::Version {
                    entry: state.entries,
                    version,
                })
            }
            Record::Header { .. } => Ok(()),
            Record::Market { market, .. } => {
                if state.markets.get(&market.key) != Some(&*market) {
                    state.markets.insert(market.key.clone(), (*market).clone());
                    state.definitions.push(Definition::Market(market));
                }
                Ok(())
            }
            Record::Pair { pair, .. } => {
                state.definitions.push(Definition::Pair(pair));
                Ok(())
            }
            Record::Raw {
                at,
                venue,
                format,
                market,
                payload,
            } => {
                let raw = RawRef {
                    at,
                    venue: &venue,
                    format: &format,
                    market: market.as_ref(),
                    payload: &payload,
                };
                let events = self.decode(state, &raw)?;
                for event in events {
                    deliver(state, &venue, event);
                }
                Ok(())
            }
        }
    }

    /// The book events of one raw message, through the decoder of its venue and format.
    fn decode(
        &self,
        state: &mut TapeState,
        raw: &RawRef<'_>,
    ) -> Result<Vec<BookEvent>, ReplayError> {
        let RawRef {
            at,
            venue,
            format,
            market,
            payload,
        } = *raw;
        let entry = state.entries;
        let Some(index) = self.factories.iter().position(|f| f.reads(format)) else {
            return Err(ReplayError::NoDecoder {
                entry,
                venue: venue.clone(),
                format: format.to_owned(),
                at,
            });
        };
        let key = (venue.clone(), index);
        if !state.decoders.contains_key(&key) {
            let markets: Vec<Market> = state
                .markets
                .values()
                .filter(|m| &m.key.venue == venue)
                .cloned()
                .collect();
            let decoder = self.factories[index].decoder(venue, &markets);
            state.decoders.insert(key.clone(), decoder);
        }
        let Some(decoder) = state.decoders.get_mut(&key) else {
            return Ok(Vec::new());
        };
        decoder
            .decode(at, format, market, payload)
            .map_err(|source| ReplayError::Decode {
                entry,
                venue: venue.clone(),
                format: format.to_owned(),
                at,
                source,
            })
    }

    /// The definitions met since the last call, in recorded order.
    pub fn take_definitions(&self) -> Vec<Definition> {
        std::mem::take(&mut self.state().definitions)
    }

    /// The failure that stopped the tape, if any (taken: asked once).
    pub fn take_failure(&self) -> Option<ReplayError> {
        self.state().failure.take()
    }

    /// Book events decoded so far.
    #[must_use]
    pub fn updates(&self) -> u64 {
        self.state().updates
    }

    /// A market's latest definition.
    #[must_use]
    pub fn market(&self, key: &MarketKey) -> Option<Market> {
        self.state().markets.get(key).cloned()
    }

    /// Every market defined for `venue`, by id.
    #[must_use]
    pub fn markets_of(&self, venue: &VenueId) -> Vec<Market> {
        self.state()
            .markets
            .values()
            .filter(|m| &m.key.venue == venue)
            .cloned()
            .collect()
    }

    /// A market's book as recorded up to now: `None` when none was received yet, `Some(None)`
    /// while the venue has invalidated it.
    #[must_use]
    pub fn book(&self, key: &MarketKey) -> Option<Option<Arc<BinaryBook>>> {
        self.state().books.get(key).cloned()
    }

    /// Opens a book stream of `venue` for `markets`: the books already recorded come first (as
    /// a venue's subscription snapshot does), then every change as it is replayed.
    pub fn subscribe(
        &self,
        venue: &VenueId,
        markets: &[MarketId],
    ) -> mpsc::UnboundedReceiver<BookEvent> {
        let (tx, rx) = mpsc::unbounded_channel();
        let mut state = self.state();
        for market in markets {
            let key = MarketKey {
                venue: venue.clone(),
                market: market.clone(),
            };
            if let Some(Some(book)) = state.books.get(&key) {
                let event = BookEvent::Book {
                    market: market.clone(),
                    book: Arc::clone(book),
                };
                // A receiver dropped already: nothing to deliver to.
                let _ = tx.send(event);
            }
        }
        state.subscribers.push(Subscriber {
            venue: venue.clone(),
            markets: markets.iter().cloned().collect(),
            tx,
        });
        rx
    }
}

/// Applies a book event to the tape's books and sends it to the streams watching it (streams
/// the engine closed are forgotten).
fn deliver(state: &mut TapeState, venue: &VenueId, event: BookEvent) {
    state.updates += 1;
    match &event {
        BookEvent::Book { market, book } => {
            let key = MarketKey {
                venue: venue.clone(),
                market: market.clone(),
            };
            state.books.insert(key, Some(Arc::clone(book)));
        }
        BookEvent::Invalidated { market, .. } => {
            for (key, book) in &mut state.books {
                if &key.venue == venue && market.as_ref().is_none_or(|m| m == &key.market) {
                    *book = None;
                }
            }
        }
    }
    state.subscribers.retain(|s| {
        let watches = &s.venue == venue
            && match &event {
                BookEvent::Book { market, .. } => s.markets.contains(market),
                BookEvent::Invalidated { market, .. } => {
                    market.as_ref().is_none_or(|m| s.markets.contains(m))
                }
            };
        !watches || s.tx.send(event.clone()).is_ok()
    });
}
