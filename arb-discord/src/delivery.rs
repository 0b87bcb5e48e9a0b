//! Outgoing messages: a bounded queue that never blocks the caller, and one background worker
//! that delivers them in order over Discord's HTTP API, honouring rate limits and retrying with
//! backoff while Discord is unreachable.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use arb_core::notify::NotifyError;
use async_trait::async_trait;
use serenity::all::{ChannelId, CreateMessage, Http, LightMethod, MessageId, Request, Route};
use serenity::http::HttpBuilder;
use thiserror::Error;
use tokio::sync::{Mutex, mpsc};
use tokio::time::Instant;

use crate::config::BotToken;

/// How long a request to Discord may take before it counts as a failure.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The wait assumed when a 429 carries no usable `retry_after`.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(1);

/// One message to post in the bot's channel, with the reactions the bot adds to it.
#[derive(Clone, Debug)]
pub struct Outgoing {
    /// The message.
    pub message: CreateMessage,
    /// Unicode emoji to react with, in order, once it is posted.
    pub reactions: Vec<String>,
}

/// Why a request to Discord failed.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum SendError {
    /// Discord answered 429: wait this long, then retry.
    #[error("rate limited by Discord; retrying after {0:?}")]
    RateLimited(Duration),
    /// Discord could not be reached or failed (connection error, timeout, 5xx): retry later.
    #[error("Discord is unreachable: {0}")]
    Unavailable(String),
    /// Discord refused the request (4xx other than 429): retrying would not help.
    #[error("Discord rejected the request (HTTP {status}): {body}")]
    Rejected {
        /// The HTTP status.
        status: u16,
        /// Discord's explanation.
        body: String,
    },
}

/// Posts messages and reactions to the bot's channel.
#[async_trait]
pub trait Transport: Send + Sync + 'static {
    /// Posts a message; returns its id.
    async fn post(&self, message: &CreateMessage) -> Result<MessageId, SendError>;
    /// Adds the bot's reaction `emoji` to a message.
    async fn react(&self, message: MessageId, emoji: &str) -> Result<(), SendError>;
}

/// How failed deliveries are retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The first wait after a failure.
    pub initial_backoff: Duration,
    /// The longest wait between attempts (the wait doubles up to this).
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(60),
        }
    }
}

/// Counters of the delivery worker.
#[derive(Debug, Default)]
struct Counters {
    delivered: AtomicU64,
    rejected: AtomicU64,
    failed_attempts: AtomicU64,
    rate_limited: AtomicU64,
}

/// A snapshot of the delivery worker's counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeliveryStats {
    /// Messages posted.
    pub delivered: u64,
    /// Messages or reactions Discord refused (logged and skipped).
    pub rejected: u64,
    /// Attempts that failed because Discord was unreachable (each was retried).
    pub failed_attempts: u64,
    /// 429 answers honoured.
    pub rate_limited: u64,
    /// Messages waiting in the queue.
    pub queued: u64,
}

/// The sending end of the queue. Cheap to clone; [`Outbox::send`] never waits.
#[derive(Clone, Debug)]
pub struct Outbox {
    tx: mpsc::Sender<Outgoing>,
    counters: Arc<Counters>,
}

impl Outbox {
    /// Queues a message. Fails only when the queue is full or the worker has stopped.
    pub fn send(&self, outgoing: Outgoing) -> Result<(), NotifyError> {
        self.tx.try_send(outgoing).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => {
                NotifyError("the Discord queue is full; message not queued".to_owned())
            }
            mpsc::error::TrySendError::Closed(_) => {
                NotifyError("the Discord delivery worker has stopped".to_owned())
            }
        })
    }

    /// The worker's counters.
    #[must_use]
    pub fn stats(&self) -> DeliveryStats {
        let c = &self.counters;
        DeliveryStats {
            delivered: c.delivered.load(Ordering::Relaxed),
            rejected: c.rejected.load(Ordering::Relaxed),
            failed_attempts: c.failed_attempts.load(Ordering::Relaxed),
            rate_limited: c.rate_limited.load(Ordering::Relaxed),
            queued: (self.tx.max_capacity() - self.tx.capacity()) as u64,
        }
    }
}

/// Starts the delivery worker on the current tokio runtime. It runs until every [`Outbox`]
/// clone is dropped and the queue is drained.
pub fn spawn(
    transport: impl Transport,
    capacity: usize,
    retry: RetryPolicy,
) -> (Outbox, tokio::task::JoinHandle<()>) {
    let (tx, rx) = mpsc::channel(capacity.max(1));
    let counters = Arc::new(Counters::default());
    let worker = Worker {
        transport,
        retry,
        counters: Arc::clone(&counters),
    };
    let handle = tokio::spawn(worker.run(rx));
    (Outbox { tx, counters }, handle)
}

struct Worker<T> {
    transport: T,
    retry: RetryPolicy,
    counters: Arc<Counters>,
}

impl<T: Transport> Worker<T> {
    async fn run(self, mut rx: mpsc::Receiver<Outgoing>) {
        while let Some(outgoing) = rx.recv().await {
            self.deliver(&outgoing).await;
        }
    }

    async fn deliver(&self, outgoing: &Outgoing) {
        let Some(id) = self
            .attempt("post message", || self.transport.post(&outgoing.message))
            .await
        else {
            return;
        };
        self.counters.delivered.fetch_add(1, Ordering::Relaxed);
        for emoji in &outgoing.reactions {
            // A refused reaction is logged and skipped; the message itself is delivered.
            let _ = self
                .attempt("add reaction", || self.transport.react(id, emoji))
                .await;
        }
    }

    /// Runs `op` until it succeeds or Discord rejects it: waiting `retry_after` on 429, and
    /// backing off exponentially while Discord is unreachable. Never gives up on an outage.
    async fn attempt<R, F, Fut>(&self, what: &str, mut op: F) -> Option<R>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<R, SendError>>,
    {
        let mut backoff = self.retry.initial_backoff;
        loop {
            match op().await {
                Ok(r) => return Some(r),
                Err(SendError::RateLimited(wait)) => {
                    self.counters.rate_limited.fetch_add(1, Ordering::Relaxed);
                    tracing::debug!(?wait, what, "Discord rate limit; waiting");
                    tokio::time::sleep(wait).await;
                }
                Err(SendError::Unavailable(reason)) => {
                    self.counters
                        .failed_attempts
                        .fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(%reason, ?backoff, what, "Discord unreachable; will retry");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(self.retry.max_backoff);
                }
                Err(e @ SendError::Rejected { .. }) => {
                    self.counters.rejected.fetch_add(1, Ordering::Relaxed);
                    tracing::error!(error = %e, what, "Discord refused a message; skipping it");
                    return None;
                }
            }
        }
    }
}

/// Which of Discord's rate-limit buckets a request falls in.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Bucket {
    Messages,
    Reactions,
}

/// Discord's HTTP API through serenity: its [`Http`] (for interactions) and the same HTTP client,
/// token and base URL for queued channel messages.
#[derive(Debug, Clone)]
pub struct DiscordHttp {
    token: BotToken,
    api_base: Option<String>,
    http: Arc<Http>,
    client: serenity_reqwest::Client,
}

impl DiscordHttp {
    /// A client for `token`. `api_base` replaces `https://discord.com` (a rate-limiting proxy,
    /// or a mock server in tests); serenity's own rate limiter is then disabled, the proxy being
    /// in charge of it.
    pub fn new(token: &BotToken, api_base: Option<&str>) -> Result<Self, SendError> {
        let client = serenity_reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|e| SendError::Unavailable(format!("cannot build an HTTP client: {e}")))?;
        let http = Arc::new(build_http(token, api_base, &client));
        Ok(Self {
            token: token.clone(),
            api_base: api_base.map(str::to_owned),
            http,
            client,
        })
    }

    /// A fresh serenity [`Http`] with the same token, base URL and client (the gateway client
    /// takes its own).
    #[must_use]
    pub fn gateway_http(&self) -> Http {
        build_http(&self.token, self.api_base.as_deref(), &self.client)
    }

    /// serenity's HTTP client.
    #[must_use]
    pub fn http(&self) -> Arc<Http> {
        Arc::clone(&self.http)
    }

    /// A [`Transport`] posting to `channel`.
    #[must_use]
    pub fn transport(&self, channel: ChannelId) -> HttpTransport {
        HttpTransport {
            discord: self.clone(),
            channel,
            resume_at: Mutex::new(HashMap::new()),
        }
    }
}

fn build_http(token: &BotToken, api_base: Option<&str>, client: &serenity_reqwest::Client) -> Http {
    let mut builder = HttpBuilder::new(token.expose()).client(client.clone());
    if let Some(base) = api_base {
        builder = builder.proxy(base).ratelimiter_disabled(true);
    }
    builder.build()
}

/// Posts to one channel over HTTP, waiting out exhausted rate-limit buckets before sending.
#[derive(Debug)]
pub struct HttpTransport {
    discord: DiscordHttp,
    channel: ChannelId,
    resume_at: Mutex<HashMap<Bucket, Instant>>,
}

impl HttpTransport {
    async fn send(&self, bucket: Bucket, request: Request<'_>) -> Result<Vec<u8>, SendError> {
        let resume_at = self.resume_at.lock().await.get(&bucket).copied();
        if let Some(at) = resume_at {
            tokio::time::sleep_until(at).await;
        }
        let http = &self.discord.http;
        let builder = request
            .build(&self.discord.client, http.token(), http.proxy.as_deref())
            .map_err(|e| SendError::Rejected {
                status: 0,
                body: format!("could not build the request: {e}"),
            })?;
        let response = builder
            .send()
            .await
            .map_err(|e| SendError::Unavailable(e.without_url().to_string()))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        if header(&headers, "x-ratelimit-remaining") == Some(0.0)
            && let Some(wait) = header(&headers, "x-ratelimit-reset-after").and_then(seconds)
        {
            self.resume_at
                .lock()
                .await
                .insert(bucket, Instant::now() + wait);
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| SendError::Unavailable(e.without_url().to_string()))?;
        classify(status, &headers, &body)?;
        Ok(body.to_vec())
    }
}

fn header(headers: &serenity_reqwest::header::HeaderMap, name: &str) -> Option<f64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

fn seconds(value: f64) -> Option<Duration> {
    Duration::try_from_secs_f64(value).ok()
}

/// Sorts a response into success, rate limit (with Discord's `retry_after`), outage or refusal.
fn classify(
    status: u16,
    headers: &serenity_reqwest::header::HeaderMap,
    body: &[u8],
) -> Result<(), SendError> {
    match status {
        200..=299 => Ok(()),
        429 => {
            let from_body = serde_json::from_slice::<serde_json::Value>(body)
                .ok()
                .and_then(|v| v.get("retry_after").and_then(serde_json::Value::as_f64));
            let wait = from_body
                .or_else(|| header(headers, "retry-after"))
                .and_then(seconds)
                .unwrap_or(DEFAULT_RETRY_AFTER);
            Err(SendError::RateLimited(wait))
        }
        408 | 500..=599 => Err(SendError::Unavailable(format!("HTTP {status}"))),
        _ => Err(SendError::Rejected {
            status,
            body: String::from_utf8_lossy(body).chars().take(500).collect(),
        }),
    }
}

#[async_trait]
impl Transport for HttpTransport {
    async fn post(&self, message: &CreateMessage) -> Result<MessageId, SendError> {
        let payload = serde_json::to_vec(message).map_err(|e| SendError::Rejected {
            status: 0,
            body: format!("could not encode the message: {e}"),
        })?;
        let request = Request::new(
            Route::ChannelMessages {
                channel_id: self.channel,
            },
            LightMethod::Post,
        )
        .body(Some(payload));
        let body = self.send(Bucket::Messages, request).await?;
        #[derive(serde::Deserialize)]
        struct Posted {
            id: MessageId,
        }
        serde_json::from_slice::<Posted>(&body)
            .map(|p| p.id)
            .map_err(|e| SendError::Rejected {
                status: 200,
                body: format!("unexpected answer to a posted message: {e}"),
            })
    }

    async fn react(&self, message: MessageId, emoji: &str) -> Result<(), SendError> {
        let reaction = serenity::all::ReactionType::Unicode(emoji.to_owned()).as_data();
        let request = Request::new(
            Route::ChannelMessageReactionMe {
                channel_id: self.channel,
                message_id: message,
                reaction: &reaction,
            },
            LightMethod::Put,
        );
        self.send(Bucket::Reactions, request).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> serenity_reqwest::header::HeaderMap {
        let mut map = serenity_reqwest::header::HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, serenity_reqwest::header::HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn rate_limits_use_the_body_then_the_header_then_a_default() {
        let body =
            br#"{"message":"You are being rate limited.","retry_after":0.25,"global":false}"#;
        assert_eq!(
            classify(429, &headers(&[("retry-after", "7")]), body),
            Err(SendError::RateLimited(Duration::from_millis(250)))
        );
        assert_eq!(
            classify(429, &headers(&[("retry-after", "7")]), b"not json"),
            Err(SendError::RateLimited(Duration::from_secs(7)))
        );
        assert_eq!(
            classify(429, &headers(&[]), br#"{"retry_after":-3}"#),
            Err(SendError::RateLimited(DEFAULT_RETRY_AFTER))
        );
    }

    #[test]
    fn outages_are_retried_and_refusals_are_not() {
        assert_eq!(classify(204, &headers(&[]), b""), Ok(()));
        assert_eq!(
            classify(502, &headers(&[]), b"bad gateway"),
            Err(SendError::Unavailable("HTTP 502".to_owned()))
        );
        assert_eq!(
            classify(
                403,
                &headers(&[]),
                br#"{"message":"Missing Permissions","code":50013}"#
            ),
            Err(SendError::Rejected {
                status: 403,
                body: r#"{"message":"Missing Permissions","code":50013}"#.to_owned()
            })
        );
    }
}
