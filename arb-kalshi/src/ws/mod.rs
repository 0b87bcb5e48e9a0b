//! The `orderbook_delta` WebSocket stream: authenticated handshake, explicit `use_yes_price`,
//! snapshots and deltas applied in order, per-subscription sequence-gap detection that
//! invalidates the books and re-requests snapshots, and reconnection with jittered backoff.

pub mod feed;
pub mod frame;
pub mod state;

use arb_core::backoff::{Backoff, Reconnector};
use arb_core::exchange::{BookEvent, BookStream, ExchangeError};
use arb_core::model::MarketId;
use arb_core::record::SharedTap;
use chrono::Utc;
use futures::{SinkExt, StreamExt};
use serde_json::json;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use crate::auth::Credentials;
use crate::config::{KalshiConfig, ReconnectPolicy};
use crate::rest::install_crypto_provider;
use feed::Feed;

/// What the stream task needs.
#[derive(Clone, Debug)]
struct Settings {
    url: String,
    credentials: Credentials,
    use_yes_price: bool,
    reconnect: ReconnectPolicy,
    raw_tap: Option<SharedTap>,
}

/// The recorded format of a WebSocket frame: each text frame exactly as received.
pub const WS_FORMAT: &str = "kalshi.ws";

/// Starts a book stream for `markets` (the WebSocket always needs credentials, even for books).
/// Every text frame is handed to `raw_tap`, if any, before it is parsed.
pub fn subscribe_books(
    config: &KalshiConfig,
    markets: &[MarketId],
    raw_tap: Option<SharedTap>,
) -> Result<BookStream, ExchangeError> {
    let credentials = config.credentials.clone().ok_or_else(|| {
        ExchangeError::Unsupported("the Kalshi WebSocket needs API credentials".into())
    })?;
    if markets.is_empty() {
        return Ok(Box::pin(futures::stream::empty()));
    }
    install_crypto_provider();
    let settings = Settings {
        url: config.ws_url.clone(),
        credentials,
        use_yes_price: config.ws_use_yes_price,
        reconnect: config.reconnect,
        raw_tap,
    };
    let tickers: Vec<String> = markets.iter().map(|m| m.as_str().to_owned()).collect();
    let (tx, mut rx) = mpsc::channel(1024);
    tokio::spawn(run(settings, tickers, tx));
    Ok(Box::pin(futures::stream::poll_fn(move |cx| {
        rx.poll_recv(cx)
    })))
}

/// Why a connection ended.
enum End {
    /// The consumer dropped the stream: stop.
    ReceiverGone,
    /// The connection failed or was abandoned: reconnect.
    Disconnected(String),
}

async fn run(settings: Settings, tickers: Vec<String>, tx: mpsc::Sender<BookEvent>) {
    let backoff = Backoff::new(settings.reconnect.base_delay, settings.reconnect.max_delay);
    let mut link = Reconnector::new("kalshi websocket", backoff);
    loop {
        match session(&settings, &tickers, &tx, &mut link).await {
            End::ReceiverGone => return,
            End::Disconnected(reason) => {
                if !link.book_stream_lost(reason, &tx, rand::random()).await {
                    return;
                }
            }
        }
    }
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(settings: &Settings) -> Result<Socket, String> {
    let mut request = settings
        .url
        .as_str()
        .into_client_request()
        .map_err(|e| format!("bad WebSocket URL: {e}"))?;
    let path = request.uri().path().to_owned();
    let headers = settings
        .credentials
        .headers_now("GET", &path)
        .map_err(|e| e.to_string())?;
    for (name, value) in headers.pairs() {
        let value = HeaderValue::from_str(value).map_err(|e| format!("header {name}: {e}"))?;
        request.headers_mut().insert(name, value);
    }
    let (socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .map_err(|e| format!("connect failed: {e}"))?;
    Ok(socket)
}

/// One connection's state.
struct Session<'a> {
    settings: &'a Settings,
    tickers: &'a [String],
    tx: &'a mpsc::Sender<BookEvent>,
    feed: Feed,
    sid: Option<u64>,
    next_id: u64,
    resync_deadline: Option<Instant>,
}

/// What handling a frame asks the loop to do.
enum Next {
    Continue,
    Send(String),
    End(End),
}

async fn session(
    settings: &Settings,
    tickers: &[String],
    tx: &mpsc::Sender<BookEvent>,
    link: &mut Reconnector,
) -> End {
    let mut socket = tokio::select! {
        r = connect(settings) => match r {
            Ok(s) => s,
            Err(e) => return End::Disconnected(e),
        },
        () = tx.closed() => return End::ReceiverGone,
    };
    let mut s = Session {
        settings,
        tickers,
        tx,
        feed: Feed::new(settings.use_yes_price),
        sid: None,
        next_id: 1,
        resync_deadline: None,
    };
    let subscribe = s.command(
        "subscribe",
        json!({
            "channels": ["orderbook_delta"],
            "market_tickers": tickers,
            "use_yes_price": settings.use_yes_price,
        }),
    );
    if let Err(e) = socket.send(Message::text(subscribe)).await {
        return End::Disconnected(format!("subscribe failed: {e}"));
    }
    loop {
        let deadline = s.resync_deadline;
        let next = tokio::select! {
            message = socket.next() => match message {
                Some(Ok(Message::Text(text))) => {
                    if let Some(tap) = &settings.raw_tap {
                        tap.received(&crate::convert::venue(), WS_FORMAT, None, text.as_str());
                    }
                    s.handle(text.as_str(), link).await
                }
                Some(Ok(Message::Close(frame))) => Next::End(End::Disconnected(format!("closed by server: {frame:?}"))),
                Some(Ok(_)) => Next::Continue,
                Some(Err(e)) => Next::End(End::Disconnected(format!("read failed: {e}"))),
                None => Next::End(End::Disconnected("connection ended".into())),
            },
            () = sleep_until(deadline) => Next::End(End::Disconnected("snapshots after a sequence gap did not arrive".into())),
            () = tx.closed() => Next::End(End::ReceiverGone),
        };
        match next {
            Next::Continue => {}
            Next::Send(command) => {
                if let Err(e) = socket.send(Message::text(command)).await {
                    return End::Disconnected(format!("send failed: {e}"));
                }
            }
            Next::End(end) => {
                // Best effort: the connection is being abandoned anyway.
                let _ = socket.close(None).await;
                return end;
            }
        }
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

impl Session<'_> {
    fn command(&mut self, cmd: &str, params: serde_json::Value) -> String {
        let id = self.next_id;
        self.next_id += 1;
        json!({"id": id, "cmd": cmd, "params": params}).to_string()
    }

    /// Applies one frame: emits its events, then asks for snapshots after a gap or a bad
    /// frame, or ends the connection after a terminal server error.
    async fn handle(&mut self, text: &str, link: &mut Reconnector) -> Next {
        let applied = self.feed.apply(text, Utc::now());
        if let Some(sid) = applied.subscribed {
            self.sid = Some(sid);
        }
        for event in applied.events {
            if self.tx.send(event).await.is_err() {
                return Next::End(End::ReceiverGone);
            }
        }
        if let Some(reason) = applied.terminal {
            return Next::End(End::Disconnected(reason));
        }
        let next = match applied.resync {
            Some(reason) => self.resync(&reason),
            None => Next::Continue,
        };
        if applied.snapshot {
            link.delivering();
            if self.feed.all_live() {
                self.resync_deadline = None;
            }
        }
        next
    }

    /// Asks for fresh snapshots of every market (the feed has invalidated their books).
    fn resync(&mut self, reason: &str) -> Next {
        tracing::warn!(%reason, "Kalshi book stream resynchronising");
        let Some(sid) = self.sid else {
            return Next::End(End::Disconnected(format!(
                "{reason} before the subscription was confirmed"
            )));
        };
        self.resync_deadline = Some(Instant::now() + self.settings.reconnect.resync_timeout);
        let command = self.command(
            "update_subscription",
            json!({
                "sids": [sid],
                "market_tickers": self.tickers,
                "action": "get_snapshot",
            }),
        );
        Next::Send(command)
    }
}
