//! Adapter configuration: hosts, chain, credentials and timings.

use std::time::Duration;

use arb_core::backoff::RetryPolicy;

use crate::signing::{ApiCreds, Wallet};

/// Production CLOB REST host.
pub const CLOB_URL: &str = "https://clob.polymarket.com";
/// Production Gamma (metadata) host.
pub const GAMMA_URL: &str = "https://gamma-api.polymarket.com";
/// Production Data API host.
pub const DATA_URL: &str = "https://data-api.polymarket.com";
/// Production WebSocket market channel.
pub const WS_MARKET_URL: &str = "wss://ws-subscriptions-clob.polymarket.com/ws/market";
/// Production WebSocket user channel.
pub const WS_USER_URL: &str = "wss://ws-subscriptions-clob.polymarket.com/ws/user";

/// The largest page Gamma's keyset listing serves (`limit` must be 1..=100).
pub const GAMMA_MAX_PAGE: u32 = 100;

/// What is needed to trade: the key (with its funder and signature type) and, optionally, API
/// credentials (created or derived with an L1 signature on first use when absent).
#[derive(Clone, Debug)]
pub struct TradingCredentials {
    /// The signing wallet.
    pub wallet: Wallet,
    /// L2 API credentials, if already known.
    pub api_creds: Option<ApiCreds>,
}

/// Everything the adapter needs to know. `Debug` shows no secret.
#[derive(Clone, Debug)]
pub struct PolymarketConfig {
    /// CLOB REST base URL.
    pub clob_url: String,
    /// Gamma base URL.
    pub gamma_url: String,
    /// Data API base URL.
    pub data_url: String,
    /// WebSocket market channel URL.
    pub ws_market_url: String,
    /// WebSocket user channel URL.
    pub ws_user_url: String,
    /// EVM chain id (137 = Polygon).
    pub chain_id: u64,
    /// Trading credentials; `None` = read-only.
    pub credentials: Option<TradingCredentials>,
    /// Timeout of one HTTP request.
    pub request_timeout: Duration,
    /// How reads are retried on transient failures (orders are never retried).
    pub read_retry: RetryPolicy,
    /// Markets per Gamma keyset page (the venue allows at most [`GAMMA_MAX_PAGE`]; larger values
    /// are clamped).
    pub gamma_page_size: u32,
    /// Concurrent `/clob-markets` look-ups while listing.
    pub market_info_concurrency: usize,
    /// Interval between `PING`s on the WebSocket.
    pub ws_ping_interval: Duration,
    /// Reconnect when nothing was received for this long.
    pub ws_stale_after: Duration,
    /// First delay before reconnecting (doubles up to `ws_reconnect_max`).
    pub ws_reconnect_delay: Duration,
    /// Longest delay between reconnection attempts.
    pub ws_reconnect_max: Duration,
}

impl Default for PolymarketConfig {
    fn default() -> Self {
        Self {
            clob_url: CLOB_URL.into(),
            gamma_url: GAMMA_URL.into(),
            data_url: DATA_URL.into(),
            ws_market_url: WS_MARKET_URL.into(),
            ws_user_url: WS_USER_URL.into(),
            chain_id: crate::signing::POLYGON,
            credentials: None,
            request_timeout: Duration::from_secs(10),
            read_retry: RetryPolicy::default(),
            gamma_page_size: GAMMA_MAX_PAGE,
            market_info_concurrency: 8,
            ws_ping_interval: Duration::from_secs(10),
            ws_stale_after: Duration::from_secs(30),
            ws_reconnect_delay: Duration::from_millis(500),
            ws_reconnect_max: Duration::from_secs(60),
        }
    }
}

impl PolymarketConfig {
    /// The production hosts with every host pointed at one base URL (mock servers in tests).
    #[must_use]
    pub fn with_base_url(base: &str) -> Self {
        let base = base.trim_end_matches('/');
        let ws = base.replacen("http", "ws", 1);
        Self {
            clob_url: base.into(),
            gamma_url: base.into(),
            data_url: base.into(),
            ws_market_url: format!("{ws}/ws/market"),
            ws_user_url: format!("{ws}/ws/user"),
            ..Self::default()
        }
    }
}
