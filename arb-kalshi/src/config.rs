//! Where the adapter connects and how it behaves: hosts, credentials, timeouts, retries, rate tier.

use std::time::Duration;

use crate::auth::Credentials;
use crate::ratelimit::RateTier;

/// Production REST base URL (recommended host since 2026).
pub const PRODUCTION_REST_URL: &str = "https://external-api.kalshi.com/trade-api/v2";
/// Production WebSocket URL.
pub const PRODUCTION_WS_URL: &str = "wss://external-api-ws.kalshi.com/trade-api/ws/v2";
/// Demo REST base URL.
pub const DEMO_REST_URL: &str = "https://external-api.demo.kalshi.co/trade-api/v2";
/// Demo WebSocket URL.
pub const DEMO_WS_URL: &str = "wss://external-api-ws.demo.kalshi.co/trade-api/ws/v2";

/// Which Kalshi environment to talk to. Keys are per environment.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum Environment {
    /// Real money.
    #[default]
    Production,
    /// Kalshi's demo exchange (play money, separate keys).
    Demo,
}

impl Environment {
    /// The REST base URL of this environment.
    #[must_use]
    pub const fn rest_url(self) -> &'static str {
        match self {
            Self::Production => PRODUCTION_REST_URL,
            Self::Demo => DEMO_REST_URL,
        }
    }

    /// The WebSocket URL of this environment.
    #[must_use]
    pub const fn ws_url(self) -> &'static str {
        match self {
            Self::Production => PRODUCTION_WS_URL,
            Self::Demo => DEMO_WS_URL,
        }
    }
}

/// What the adapter asks the venue to do when one of our orders would trade against another of ours.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum SelfTradePrevention {
    /// Cancel the incoming (taker) order at the cross; fills before it stand.
    #[default]
    TakerAtCross,
    /// Cancel the resting (maker) order and keep matching.
    Maker,
}

impl SelfTradePrevention {
    /// The wire value.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::TakerAtCross => "taker_at_cross",
            Self::Maker => "maker",
        }
    }
}

/// Retry policy for reads (order writes are never retried).
pub use arb_core::backoff::RetryPolicy;

/// Reconnect policy of the WebSocket book stream.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ReconnectPolicy {
    /// First wait after a disconnect; doubles each failure, with jitter.
    pub base_delay: Duration,
    /// Longest wait.
    pub max_delay: Duration,
    /// How long to wait for the snapshots requested after a sequence gap before reconnecting.
    pub resync_timeout: Duration,
}

impl Default for ReconnectPolicy {
    fn default() -> Self {
        Self {
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
            resync_timeout: Duration::from_secs(10),
        }
    }
}

/// Full configuration of a [`crate::KalshiExchange`].
#[derive(Clone, Debug)]
pub struct KalshiConfig {
    /// REST base URL including `/trade-api/v2` (its path is part of every signed message).
    pub rest_url: String,
    /// WebSocket URL including `/trade-api/ws/v2`.
    pub ws_url: String,
    /// API key; `None` allows public market data only.
    pub credentials: Option<Credentials>,
    /// Rate-limit tier, sizing the client-side token buckets.
    pub rate_tier: RateTier,
    /// Timeout of one HTTP request.
    pub request_timeout: Duration,
    /// Retries of reads on 429, 5xx and network errors.
    pub retry: RetryPolicy,
    /// WebSocket reconnect behaviour.
    pub reconnect: ReconnectPolicy,
    /// Sent on every order.
    pub self_trade_prevention: SelfTradePrevention,
    /// The `use_yes_price` flag sent with every order-book subscription (always sent explicitly).
    pub ws_use_yes_price: bool,
}

impl KalshiConfig {
    /// Defaults for an environment, without credentials.
    #[must_use]
    pub fn for_environment(environment: Environment) -> Self {
        Self {
            rest_url: environment.rest_url().to_owned(),
            ws_url: environment.ws_url().to_owned(),
            credentials: None,
            rate_tier: RateTier::Basic,
            request_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            reconnect: ReconnectPolicy::default(),
            self_trade_prevention: SelfTradePrevention::default(),
            ws_use_yes_price: true,
        }
    }

    /// Production defaults.
    #[must_use]
    pub fn production() -> Self {
        Self::for_environment(Environment::Production)
    }

    /// Demo defaults.
    #[must_use]
    pub fn demo() -> Self {
        Self::for_environment(Environment::Demo)
    }

    /// Points the adapter at other hosts (tests, proxies).
    #[must_use]
    pub fn with_hosts(mut self, rest_url: impl Into<String>, ws_url: impl Into<String>) -> Self {
        self.rest_url = rest_url.into().trim_end_matches('/').to_owned();
        self.ws_url = ws_url.into();
        self
    }

    /// Adds credentials.
    #[must_use]
    pub fn with_credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }
}

impl Default for KalshiConfig {
    fn default() -> Self {
        Self::production()
    }
}
