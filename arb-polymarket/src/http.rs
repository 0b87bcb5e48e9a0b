//! HTTP plumbing: one request, its status and `{"error": …}` bodies mapped to [`ExchangeError`].

use std::time::Duration;

use arb_core::exchange::ExchangeError;
use reqwest::{Method, Response, StatusCode};
use serde::de::DeserializeOwned;

/// Maps a transport failure. A timeout keeps the configured duration.
pub fn transport_error(e: &reqwest::Error, timeout: Duration) -> ExchangeError {
    if e.is_timeout() {
        ExchangeError::Timeout(timeout)
    } else {
        // reqwest errors carry the URL, never headers or bodies: no secret can leak here.
        ExchangeError::Network(e.to_string())
    }
}

/// The `error` (or `errorMsg` / `error_msg`) text of a CLOB error body, else the raw body.
#[must_use]
pub fn error_message(body: &str) -> String {
    let parsed: Option<serde_json::Value> = serde_json::from_str(body).ok();
    let field = parsed.as_ref().and_then(|v| {
        ["error", "errorMsg", "error_msg", "message", "code"]
            .iter()
            .find_map(|k| v.get(*k).and_then(serde_json::Value::as_str))
            .map(str::to_owned)
    });
    let text = field.unwrap_or_else(|| body.trim().to_owned());
    text.chars().take(500).collect()
}

/// Whether a rejection message means "not enough funds".
#[must_use]
pub fn is_balance_message(msg: &str) -> bool {
    let m = msg.to_ascii_lowercase();
    m.contains("not enough balance") || m.contains("allowance") || m.contains("insufficient")
}

fn retry_after(headers: &reqwest::header::HeaderMap, body: &str) -> Option<Duration> {
    let from_header = headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let from_body = || {
        serde_json::from_str::<serde_json::Value>(body)
            .ok()
            .and_then(|v| {
                v.get("retry_after_seconds")
                    .and_then(serde_json::Value::as_u64)
            })
    };
    from_header.or_else(from_body).map(Duration::from_secs)
}

/// Maps a non-success answer to a typed error: 401/403 auth, 404 not found, 425 (engine
/// restarting) and 5xx unavailable, 429 rate limited, other 4xx rejected (or insufficient
/// balance).
#[must_use]
pub fn status_error(
    status: StatusCode,
    headers: &reqwest::header::HeaderMap,
    body: &str,
) -> ExchangeError {
    let msg = error_message(body);
    match status.as_u16() {
        401 | 403 => ExchangeError::Auth(format!("HTTP {status}: {msg}")),
        404 => ExchangeError::NotFound(msg),
        425 => ExchangeError::Unavailable(format!("matching engine restarting (425): {msg}")),
        429 => ExchangeError::RateLimited {
            retry_after: retry_after(headers, body),
        },
        500..=599 => ExchangeError::Unavailable(format!("HTTP {status}: {msg}")),
        _ if is_balance_message(&msg) => ExchangeError::InsufficientBalance(msg),
        _ => ExchangeError::Rejected {
            code: status.as_u16().to_string(),
            message: msg,
        },
    }
}

/// Reads a response: its body on success, a typed error otherwise. A 200 whose body is an
/// `{"error": …}` object is an error too.
pub async fn read_body(resp: Response, timeout: Duration) -> Result<String, ExchangeError> {
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp
        .text()
        .await
        .map_err(|e| transport_error(&e, timeout))?;
    if !status.is_success() {
        return Err(status_error(status, &headers, &body));
    }
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(&body)
        && let Some(serde_json::Value::String(err)) = map.get("error")
    {
        return Err(if is_balance_message(err) {
            ExchangeError::InsufficientBalance(err.clone())
        } else {
            ExchangeError::Rejected {
                code: "error".into(),
                message: err.chars().take(500).collect(),
            }
        });
    }
    Ok(body)
}

/// Decodes a JSON body, naming the payload on failure.
pub fn decode<T: DeserializeOwned>(what: &str, body: &str) -> Result<T, ExchangeError> {
    serde_json::from_str(body).map_err(|e| ExchangeError::Decode {
        what: what.to_owned(),
        message: e.to_string(),
    })
}

/// A request description: method, path (no query), query pairs and an optional exact body.
#[derive(Clone, Debug)]
pub struct Call<'a> {
    /// HTTP method.
    pub method: Method,
    /// Path, starting with `/`, without query string (this is what L2 signs).
    pub path: &'a str,
    /// Query parameters.
    pub query: Vec<(&'a str, String)>,
    /// Exact JSON body bytes.
    pub body: Option<String>,
    /// Whether repeating the call is harmless (reads): such calls are retried with backoff on
    /// transient failures. Order placement never is.
    pub idempotent: bool,
}

impl<'a> Call<'a> {
    /// A GET of `path` (a read: retried on transient failures).
    #[must_use]
    pub const fn get(path: &'a str) -> Self {
        Self {
            method: Method::GET,
            path,
            query: Vec::new(),
            body: None,
            idempotent: true,
        }
    }

    /// Adds a query parameter.
    #[must_use]
    pub fn query(mut self, key: &'a str, value: impl Into<String>) -> Self {
        self.query.push((key, value.into()));
        self
    }

    /// A request with a JSON body (not retried unless marked [`Call::read`]).
    #[must_use]
    pub const fn with_body(method: Method, path: &'a str, body: String) -> Self {
        Self {
            method,
            path,
            query: Vec::new(),
            body: Some(body),
            idempotent: false,
        }
    }

    /// Marks a call with a body as a read (e.g. `POST /books`): retried on transient failures.
    #[must_use]
    pub const fn read(mut self) -> Self {
        self.idempotent = true;
        self
    }
}
