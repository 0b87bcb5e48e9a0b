//! The HTTP layer: signing, rate limiting, error mapping, and retries for reads only.

use std::time::Duration;

use arb_core::exchange::ExchangeError;
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::auth::Credentials;
use crate::config::{KalshiConfig, RetryPolicy};
use crate::ratelimit::RateLimiter;
use crate::wire::ErrorBody;

/// Whether a request needs the authentication headers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Access {
    /// Public market data: no headers.
    Public,
    /// Portfolio and trading: signed.
    Signed,
}

/// A configured Kalshi REST client.
#[derive(Debug)]
pub struct RestClient {
    http: reqwest::Client,
    base_url: String,
    base_path: String,
    credentials: Option<Credentials>,
    limiter: RateLimiter,
    retry: RetryPolicy,
    timeout: Duration,
}

/// Installs the ring rustls provider unless one is installed already (both reqwest and
/// tokio-tungstenite use the process-wide default).
pub fn install_crypto_provider() {
    // An Err only means a provider is already installed, which is what we want.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl RestClient {
    /// A client for `config`.
    pub fn new(config: &KalshiConfig) -> Result<Self, ExchangeError> {
        install_crypto_provider();
        let url = reqwest::Url::parse(&config.rest_url).map_err(|e| {
            ExchangeError::InvalidRequest(format!("REST URL `{}`: {e}", config.rest_url))
        })?;
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .build()
            .map_err(|e| ExchangeError::Network(format!("cannot build HTTP client: {e}")))?;
        Ok(Self {
            http,
            base_url: config.rest_url.trim_end_matches('/').to_owned(),
            base_path: url.path().trim_end_matches('/').to_owned(),
            credentials: config.credentials.clone(),
            limiter: RateLimiter::new(config.rate_tier),
            retry: config.retry,
            timeout: config.request_timeout,
        })
    }

    /// Whether credentials are configured.
    pub fn has_credentials(&self) -> bool {
        self.credentials.is_some()
    }

    /// A read, retried with jittered exponential backoff on 429, 5xx, timeouts and network errors.
    pub async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
        access: Access,
        cost: u32,
        what: &str,
    ) -> Result<T, ExchangeError> {
        let body = self.get_body(path, query, access, cost, what).await?;
        decode(&body, what)
    }

    /// A read's body as received, retried as [`RestClient::get`] is (for recording the answer
    /// before it is parsed).
    pub async fn get_body(
        &self,
        path: &str,
        query: &[(&str, String)],
        access: Access,
        cost: u32,
        what: &str,
    ) -> Result<Vec<u8>, ExchangeError> {
        let mut attempt = 0;
        loop {
            self.limiter.read.acquire(cost).await;
            match self
                .send(Method::GET, path, query, None::<&()>, access, what)
                .await
            {
                Ok(body) => return Ok(body),
                Err(e) if e.is_retryable() && attempt < self.retry.max_retries => {
                    let delay = self.backoff(attempt);
                    tracing::warn!(what, attempt, ?delay, error = %e, "kalshi read failed, retrying");
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// A write (order create or cancel): sent exactly once, never retried. After a timeout or
    /// network error the order may exist: reconcile by client order id.
    pub async fn write<T: DeserializeOwned, B: Serialize>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&B>,
        cost: u32,
        what: &str,
    ) -> Result<T, ExchangeError> {
        self.limiter.write.acquire(cost).await;
        let body = self
            .send(method, path, query, body, Access::Signed, what)
            .await?;
        decode(&body, what)
    }

    fn backoff(&self, attempt: u32) -> Duration {
        self.retry.backoff().jittered(attempt, rand::random())
    }

    async fn send<B: Serialize>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&B>,
        access: Access,
        what: &str,
    ) -> Result<Vec<u8>, ExchangeError> {
        let url = format!("{}{path}", self.base_url);
        let mut request = self.http.request(method.clone(), &url);
        if !query.is_empty() {
            request = request.query(query);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        if access == Access::Signed {
            let credentials = self.credentials.as_ref().ok_or_else(|| {
                ExchangeError::Unsupported(format!("{what} needs Kalshi API credentials"))
            })?;
            let headers = credentials
                .headers_now(method.as_str(), &format!("{}{path}", self.base_path))
                .map_err(|e| ExchangeError::Auth(e.to_string()))?;
            for (name, value) in headers.pairs() {
                request = request.header(name, value);
            }
        }
        let response = request.send().await.map_err(|e| self.transport_error(&e))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| self.transport_error(&e))?;
        if !status.is_success() {
            return Err(status_error(status, &body, what));
        }
        if let Some(error) = ErrorBody::parse_wrapped(&body) {
            return Err(body_error(status, error, what));
        }
        Ok(body.to_vec())
    }

    fn transport_error(&self, e: &reqwest::Error) -> ExchangeError {
        if e.is_timeout() {
            ExchangeError::Timeout(self.timeout)
        } else {
            ExchangeError::Network(e.to_string())
        }
    }
}

/// Decodes a successful body, naming the payload and the missing or bad field on failure.
pub fn decode<T: DeserializeOwned>(body: &[u8], what: &str) -> Result<T, ExchangeError> {
    serde_json::from_slice(body).map_err(|e| ExchangeError::Decode {
        what: what.to_owned(),
        message: e.to_string(),
    })
}

/// Maps a non-2xx answer to a typed error.
pub fn status_error(status: StatusCode, body: &[u8], what: &str) -> ExchangeError {
    let error = ErrorBody::parse(body).unwrap_or_else(|| ErrorBody {
        code: String::new(),
        message: String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned(),
        details: None,
    });
    body_error(status, error, what)
}

/// Maps a venue error (from any status, including 2xx) to a typed error: by HTTP status for
/// throttling, auth and outages, then by Kalshi's `code`.
pub fn body_error(status: StatusCode, error: ErrorBody, what: &str) -> ExchangeError {
    let text = match &error.details {
        Some(details) if !details.is_empty() => format!("{}: {details}", error.message),
        _ => error.message.clone(),
    };
    let described = format!("{what}: {text}");
    if status == StatusCode::TOO_MANY_REQUESTS || error.message == "too many requests" {
        return ExchangeError::RateLimited { retry_after: None };
    }
    if status.is_server_error() || error.code == "service_unavailable" {
        return ExchangeError::Unavailable(described);
    }
    if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
        return ExchangeError::Auth(described);
    }
    match error.code.as_str() {
        "available_balance_too_low" | "insufficient_balance" => {
            ExchangeError::InsufficientBalance(described)
        }
        "not_found" | "market_not_found" | "order_not_found" => ExchangeError::NotFound(described),
        _ if status == StatusCode::NOT_FOUND => ExchangeError::NotFound(described),
        "" => ExchangeError::Rejected {
            code: format!("http_{}", status.as_u16()),
            message: text,
        },
        code => ExchangeError::Rejected {
            code: code.to_owned(),
            message: text,
        },
    }
}
