//! The book stream's protocol without the connection: one text frame in, the book events it
//! gives out. The live stream ([`super::subscribe_books`]) and the replay of a recording
//! ([`crate::record`]) both read frames through this, so a backtest parses exactly as trading does.

use std::sync::Arc;

use arb_core::exchange::BookEvent;
use arb_core::model::MarketId;
use chrono::{DateTime, Utc};

use super::frame::{self, Msg};
use super::state::{Books, NoPriceScale, SeqCheck, SeqTracker};

/// WS error codes after which the subscription is dead and must be re-made.
const TERMINAL_ERRORS: [i64; 4] = [9, 10, 17, 25];

/// Books and sequence numbers of one connection.
#[derive(Debug)]
pub struct Feed {
    books: Books,
    seqs: SeqTracker,
}

/// What one frame did.
#[derive(Debug, Default)]
pub struct Applied {
    /// Book events, in order (books, and invalidations after a gap or a bad frame).
    pub events: Vec<BookEvent>,
    /// Every book was invalidated and fresh snapshots are needed, for this reason.
    pub resync: Option<String>,
    /// The frame, or a field of it, could not be read (also a `resync`): what was wrong.
    pub malformed: Option<String>,
    /// The subscription was confirmed with this id.
    pub subscribed: Option<u64>,
    /// A snapshot was applied.
    pub snapshot: bool,
    /// A server error after which the subscription is dead: the connection must be re-made.
    pub terminal: Option<String>,
}

impl Feed {
    /// No books yet; `no` levels on the YES scale when `use_yes_price` was asked for.
    #[must_use]
    pub fn new(use_yes_price: bool) -> Self {
        Self {
            books: Books::new(NoPriceScale {
                yes_scale: use_yes_price,
            }),
            seqs: SeqTracker::default(),
        }
    }

    /// Whether every market seen has a trustworthy book.
    #[must_use]
    pub fn all_live(&self) -> bool {
        self.books.all_live()
    }

    /// Applies one text frame received at `now` (the book time when the frame has no `ts_ms`).
    pub fn apply(&mut self, text: &str, now: DateTime<Utc>) -> Applied {
        let mut out = Applied::default();
        let frame = match frame::parse(text) {
            Ok(f) => f,
            Err(e) => {
                self.malformed(&mut out, format!("undecodable frame: {e}"));
                return out;
            }
        };
        if let (Some(sid), Some(seq)) = (frame.sid, frame.seq)
            && let SeqCheck::Gap { expected, got } = self.seqs.check(sid, seq)
        {
            let reason = format!("sequence gap on sid {sid}: expected {expected}, got {got}");
            self.resync(&mut out, reason);
        }
        let msg = frame.msg.unwrap_or_default();
        let as_of = msg
            .ts_ms
            .and_then(DateTime::from_timestamp_millis)
            .unwrap_or(now);
        match frame.kind.as_ref() {
            "subscribed" => out.subscribed = msg.sid.or(frame.sid),
            "orderbook_snapshot" => self.snapshot(&msg, as_of, &mut out),
            "orderbook_delta" => self.delta(&msg, as_of, &mut out),
            "error" => self.error(&msg, &mut out),
            _ => {}
        }
        out
    }

    /// Invalidates every book (an event each, in ticker order) and asks for snapshots.
    fn resync(&mut self, out: &mut Applied, reason: String) {
        let mut stale = self.books.invalidate_all();
        stale.sort();
        out.events
            .extend(stale.into_iter().map(|ticker| BookEvent::Invalidated {
                market: Some(MarketId::new(ticker)),
                reason: reason.clone(),
            }));
        out.resync = Some(reason);
    }

    fn malformed(&mut self, out: &mut Applied, reason: String) {
        out.malformed = Some(reason.clone());
        self.resync(out, reason);
    }

    fn snapshot(&mut self, msg: &Msg<'_>, as_of: DateTime<Utc>, out: &mut Applied) {
        let Some(ticker) = msg.market_ticker.as_deref() else {
            return self.malformed(out, "snapshot without `market_ticker`".into());
        };
        let yes = msg.yes_dollars_fp.as_deref().unwrap_or_default();
        let no = msg.no_dollars_fp.as_deref().unwrap_or_default();
        match self.books.snapshot(ticker, yes, no, as_of) {
            Ok(book) => {
                out.events.push(BookEvent::Book {
                    market: MarketId::new(ticker),
                    book: Arc::new(book.clone()),
                });
                out.snapshot = true;
            }
            Err(e) => self.malformed(out, format!("bad snapshot for {ticker}: {}", e.0)),
        }
    }

    fn delta(&mut self, msg: &Msg<'_>, as_of: DateTime<Utc>, out: &mut Applied) {
        let (Some(ticker), Some(side), Some(p), Some(d)) = (
            msg.market_ticker.as_deref(),
            msg.side.as_deref(),
            msg.price_dollars.as_deref(),
            msg.delta_fp.as_deref(),
        ) else {
            return self.malformed(
                out,
                "delta missing `market_ticker`, `side`, `price_dollars` or `delta_fp`".into(),
            );
        };
        match self.books.delta(ticker, side, p, d, as_of) {
            Ok(Some(book)) => out.events.push(BookEvent::Book {
                market: MarketId::new(ticker),
                book: Arc::new(book.clone()),
            }),
            Ok(None) => {}
            Err(e) => self.malformed(out, format!("bad delta for {ticker}: {}", e.0)),
        }
    }

    fn error(&mut self, msg: &Msg<'_>, out: &mut Applied) {
        let code = msg.code.unwrap_or_default();
        let text = msg.msg.as_deref().unwrap_or_default();
        let reason = format!("server error {code}: {text}");
        if TERMINAL_ERRORS.contains(&code) {
            out.terminal = Some(reason);
            return;
        }
        tracing::warn!(code, %text, "Kalshi WebSocket command error");
        if let Some(ticker) = msg.market_ticker.as_deref() {
            self.books.invalidate(ticker);
            out.events.push(BookEvent::Invalidated {
                market: Some(MarketId::new(ticker)),
                reason,
            });
        }
    }
}
