//! The WebSocket market channel as a [`BookStream`]: `book` snapshots, `price_change` deltas
//! (frames may be arrays of events), `tick_size_change`, a `PING`/`PONG` heartbeat, and on any
//! failure an `Invalidated` event, a reconnect with backoff, a resubscribe and fresh snapshots.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use arb_core::backoff::{Backoff, Reconnector};
use arb_core::exchange::{BookEvent, BookStream};
use arb_core::model::{MarketId, VenueId};
use arb_core::record::SharedTap;
use chrono::{DateTime, Utc};
use futures::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::value::RawValue;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

use crate::books::{LiveBook, parse_ms};
use crate::client::Client;
use crate::markets::{MarketInfo, VENUE};
use crate::signing::TickSize;
use crate::wire::{WireBook, num};

/// One entry of a `price_change` event (its strings borrowed from the frame when unescaped).
#[derive(Clone, Debug, Deserialize)]
pub struct WirePriceChange<'a> {
    /// Token id.
    #[serde(borrow)]
    pub asset_id: Cow<'a, str>,
    /// Level price.
    #[serde(borrow)]
    pub price: Cow<'a, str>,
    /// New total size at the level (`"0"` removes it).
    #[serde(borrow)]
    pub size: Cow<'a, str>,
    /// `BUY` (bids) or `SELL` (asks).
    #[serde(borrow)]
    pub side: Cow<'a, str>,
}

/// A `price_change` event.
#[derive(Clone, Debug, Deserialize)]
pub struct WirePriceChangeEvent<'a> {
    /// Milliseconds.
    #[serde(default, borrow)]
    pub timestamp: Option<Cow<'a, str>>,
    /// Changes, possibly for several assets.
    #[serde(default, borrow)]
    pub price_changes: Vec<WirePriceChange<'a>>,
}

/// A `tick_size_change` event.
#[derive(Clone, Debug, Deserialize)]
pub struct WireTickSizeChange {
    /// Token id.
    pub asset_id: String,
    /// The new tick.
    pub new_tick_size: String,
}

/// Book state of one connection: the subscribed YES tokens and their live books.
#[derive(Debug)]
pub struct FeedState {
    subs: HashMap<String, MarketId>,
    books: HashMap<String, LiveBook>,
}

/// What a frame changed.
#[derive(Debug, Default, PartialEq)]
pub struct FrameEffects {
    /// Book events to emit, in order.
    pub events: Vec<BookEvent>,
    /// Tick size changes (token, new tick).
    pub ticks: Vec<(String, TickSize)>,
}

/// A frame that cannot be trusted (malformed JSON or a bad field): the connection is reset.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed market-channel frame: {0}")]
pub struct FrameError(pub String);

impl FeedState {
    /// State for these markets (their YES tokens), with no book yet.
    #[must_use]
    pub fn new(markets: &[Arc<MarketInfo>]) -> Self {
        Self::for_tokens(
            markets
                .iter()
                .map(|m| (m.ext.yes_token_id.clone(), m.market.key.market.clone())),
        )
    }

    /// State for markets given as (YES token id, market), with no book yet.
    pub fn for_tokens(yes_tokens: impl IntoIterator<Item = (String, MarketId)>) -> Self {
        Self {
            subs: yes_tokens.into_iter().collect(),
            books: HashMap::new(),
        }
    }

    /// The subscription frame.
    #[must_use]
    pub fn subscribe_frame(&self) -> String {
        let mut ids: Vec<&String> = self.subs.keys().collect();
        ids.sort();
        serde_json::json!({ "assets_ids": ids, "type": "market", "initial_dump": true }).to_string()
    }

    /// Forgets every book (after a disconnect: deltas need a fresh snapshot first).
    pub fn reset(&mut self) {
        self.books.clear();
    }

    fn book_event(&self, token: &str) -> Option<BookEvent> {
        let market = self.subs.get(token)?.clone();
        let book = self.books.get(token)?;
        Some(BookEvent::Book {
            market,
            book: Arc::new(book.binary()),
        })
    }

    /// Applies one text frame (one event or an array of events) received at `now` (the book
    /// time when an event carries no timestamp).
    pub fn apply_frame(
        &mut self,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<FrameEffects, FrameError> {
        // Each event is kept as its text and parsed once into its kind's type: no JSON tree is
        // built (this is the hot path of the live feed and of replays).
        let events: Vec<&RawValue> = if text.trim_start().starts_with('[') {
            serde_json::from_str(text)
        } else {
            serde_json::from_str::<&RawValue>(text).map(|event| vec![event])
        }
        .map_err(|e| FrameError(e.to_string()))?;
        let mut fx = FrameEffects::default();
        for event in events {
            self.apply_event(event.get(), now, &mut fx)?;
        }
        Ok(fx)
    }

    fn apply_event(
        &mut self,
        event: &str,
        now: DateTime<Utc>,
        fx: &mut FrameEffects,
    ) -> Result<(), FrameError> {
        // An event that is not an object, or whose `event_type` is not a string, is not one we
        // read (as any unknown kind).
        let kind = serde_json::from_str::<EventKind<'_>>(event)
            .ok()
            .and_then(|k| k.event_type)
            .unwrap_or_default();
        match kind.as_ref() {
            "book" => {
                let wire: WireBook =
                    serde_json::from_str(event).map_err(|e| FrameError(format!("book: {e}")))?;
                if self.subs.contains_key(&wire.asset_id) {
                    let live = LiveBook::from_snapshot(&wire, now)
                        .map_err(|e| FrameError(e.to_string()))?;
                    self.books.insert(wire.asset_id.clone(), live);
                    fx.events.extend(self.book_event(&wire.asset_id));
                }
            }
            "price_change" => {
                let pc: WirePriceChangeEvent = serde_json::from_str(event)
                    .map_err(|e| FrameError(format!("price_change: {e}")))?;
                let at = parse_ms(pc.timestamp.as_deref(), now);
                let mut touched: Vec<&str> = Vec::new();
                for ch in &pc.price_changes {
                    // Deltas before this connection's snapshot are dropped: the snapshot has them.
                    if let Some(book) = self.books.get_mut(ch.asset_id.as_ref()) {
                        book.apply_change(&ch.side, &ch.price, &ch.size, at)
                            .map_err(|e| FrameError(e.to_string()))?;
                        if !touched.contains(&ch.asset_id.as_ref()) {
                            touched.push(ch.asset_id.as_ref());
                        }
                    }
                }
                for token in touched {
                    fx.events.extend(self.book_event(token));
                }
            }
            "tick_size_change" => {
                let tc: WireTickSizeChange = serde_json::from_str(event)
                    .map_err(|e| FrameError(format!("tick_size_change: {e}")))?;
                let tick = num::parse(&tc.new_tick_size)
                    .and_then(|d| TickSize::from_decimal(d).ok())
                    .ok_or_else(|| FrameError(format!("tick size {:?}", tc.new_tick_size)))?;
                fx.ticks.push((tc.asset_id, tick));
            }
            _ => {}
        }
        Ok(())
    }
}

/// The kind of a market-channel event (the rest of it is skipped unread).
#[derive(Deserialize)]
struct EventKind<'a> {
    #[serde(borrow, default)]
    event_type: Option<Cow<'a, str>>,
}

/// The recorded format of a market-channel frame: each text frame exactly as received.
pub const WS_FORMAT: &str = "polymarket.ws";

/// Starts the feed for `markets` and returns its stream. The task ends when the stream is dropped.
/// Every text frame but the heartbeat's `PONG` is handed to `raw_tap`, if any, before parsing.
pub fn subscribe(
    client: Arc<Client>,
    markets: &[Arc<MarketInfo>],
    raw_tap: Option<SharedTap>,
) -> BookStream {
    let (tx, rx) = mpsc::channel(1024);
    let state = FeedState::new(markets);
    tokio::spawn(run(client, state, tx, raw_tap));
    Box::pin(futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|e| (e, rx))
    }))
}

enum End {
    /// The consumer dropped the stream.
    Gone,
    /// The connection failed, for this reason.
    Lost(String),
}

async fn run(
    client: Arc<Client>,
    mut state: FeedState,
    tx: mpsc::Sender<BookEvent>,
    raw_tap: Option<SharedTap>,
) {
    let backoff = Backoff::new(client.cfg.ws_reconnect_delay, client.cfg.ws_reconnect_max);
    let mut link = Reconnector::new("polymarket market channel", backoff);
    loop {
        state.reset();
        let session = session(&client, &mut state, &tx, &mut link, raw_tap.as_ref());
        let End::Lost(reason) = session.await else {
            return;
        };
        if !link.book_stream_lost(reason, &tx, rand::random()).await {
            return;
        }
    }
}

async fn session(
    client: &Client,
    state: &mut FeedState,
    tx: &mpsc::Sender<BookEvent>,
    link: &mut Reconnector,
    raw_tap: Option<&SharedTap>,
) -> End {
    let connect = tokio::time::timeout(
        client.cfg.request_timeout,
        tokio_tungstenite::connect_async(client.cfg.ws_market_url.as_str()),
    );
    let ws = match connect.await {
        Ok(Ok((ws, _))) => ws,
        Ok(Err(e)) => return End::Lost(format!("connect: {e}")),
        Err(_) => return End::Lost("connect timed out".into()),
    };
    let (mut write, mut read) = ws.split();
    if let Err(e) = write.send(Message::text(state.subscribe_frame())).await {
        return End::Lost(format!("subscribe: {e}"));
    }
    let cfg = &client.cfg;
    let mut ping =
        tokio::time::interval_at(Instant::now() + cfg.ws_ping_interval, cfg.ws_ping_interval);
    let mut last_rx = Instant::now();
    loop {
        tokio::select! {
            msg = read.next() => {
                let text = match msg {
                    None => return End::Lost("closed by server".into()),
                    Some(Err(e)) => return End::Lost(format!("read: {e}")),
                    Some(Ok(Message::Text(t))) => t,
                    Some(Ok(Message::Close(_))) => return End::Lost("close frame".into()),
                    Some(Ok(_)) => { last_rx = Instant::now(); continue; }
                };
                last_rx = Instant::now();
                let text = text.as_str();
                if text.trim() == "PONG" {
                    continue;
                }
                if let Some(tap) = raw_tap {
                    tap.received(&VenueId::new(VENUE), WS_FORMAT, None, text);
                }
                let fx = match state.apply_frame(text, Utc::now()) {
                    Ok(fx) => fx,
                    Err(e) => return End::Lost(e.to_string()),
                };
                for (token, tick) in fx.ticks {
                    client.set_tick(&token, tick);
                }
                for event in fx.events {
                    link.delivering();
                    if tx.send(event).await.is_err() {
                        return End::Gone;
                    }
                }
            }
            _ = ping.tick() => {
                if last_rx.elapsed() > cfg.ws_stale_after {
                    return End::Lost("no data within the heartbeat window".into());
                }
                if let Err(e) = write.send(Message::text("PING")).await {
                    return End::Lost(format!("ping: {e}"));
                }
            }
            () = tx.closed() => return End::Gone,
        }
    }
}
