//! The typed settings, grouped by concern.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use arb_core::model::ExecutionMode;
use rust_decimal::Decimal;

use crate::secret::Secret;

/// What the daemon does with opportunities (`TRADING_MODE`): the engine's own mode. Default:
/// `monitor`, the mode that can never spend money, so an unconfigured or half-configured daemon is
/// harmless.
pub use arb_core::engine::TradingMode;

/// The accepted spellings of `TRADING_MODE`.
pub(crate) const TRADING_MODE_OPTIONS: &[(&str, TradingMode)] = &[
    ("live", TradingMode::Live),
    ("paper", TradingMode::Paper),
    ("monitor", TradingMode::Monitor),
];

/// Which Kalshi environment the credentials and default hosts belong to (`KALSHI_ENV`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum KalshiEnv {
    /// Production (default).
    #[default]
    Prod,
    /// The demo environment (separate keys, play money).
    Demo,
}

impl KalshiEnv {
    /// The accepted spellings.
    pub(crate) const OPTIONS: &[(&str, Self)] = &[
        ("prod", Self::Prod),
        ("production", Self::Prod),
        ("demo", Self::Demo),
    ];

    /// The default REST base URL of this environment.
    #[must_use]
    pub const fn default_api_url(self) -> &'static str {
        match self {
            Self::Prod => "https://external-api.kalshi.com/trade-api/v2",
            Self::Demo => "https://external-api.demo.kalshi.co/trade-api/v2",
        }
    }

    /// The default WebSocket URL of this environment.
    #[must_use]
    pub const fn default_ws_url(self) -> &'static str {
        match self {
            Self::Prod => "wss://external-api-ws.kalshi.com/trade-api/ws/v2",
            Self::Demo => "wss://external-api-ws.demo.kalshi.co/trade-api/ws/v2",
        }
    }
}

/// How Polymarket orders are signed (`POLYMARKET_SIGNATURE_TYPE`), the CLOB's `signatureType`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum SignatureType {
    /// 0: the private key's own address holds the funds (default).
    #[default]
    Eoa,
    /// 1: a Polymarket proxy wallet (email / Magic login); needs `POLYMARKET_FUNDER`.
    PolyProxy,
    /// 2: a Gnosis Safe proxy (browser-wallet login); needs `POLYMARKET_FUNDER`.
    PolyGnosisSafe,
    /// 3: a deposit wallet (EIP-1271); needs `POLYMARKET_FUNDER`.
    Poly1271,
}

impl SignatureType {
    /// The accepted spellings.
    pub(crate) const OPTIONS: &[(&str, Self)] = &[
        ("0", Self::Eoa),
        ("eoa", Self::Eoa),
        ("1", Self::PolyProxy),
        ("poly_proxy", Self::PolyProxy),
        ("2", Self::PolyGnosisSafe),
        ("poly_gnosis_safe", Self::PolyGnosisSafe),
        ("3", Self::Poly1271),
        ("poly_1271", Self::Poly1271),
    ];

    /// The numeric code sent in orders.
    #[must_use]
    pub const fn code(self) -> u8 {
        match self {
            Self::Eoa => 0,
            Self::PolyProxy => 1,
            Self::PolyGnosisSafe => 2,
            Self::Poly1271 => 3,
        }
    }

    /// Whether orders are made by a separate funder address.
    #[must_use]
    pub const fn needs_funder(self) -> bool {
        !matches!(self, Self::Eoa)
    }
}

/// The lowest level logged (`LOG_LEVEL`, default `info`; `RUST_LOG` overrides it).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum LogLevel {
    /// Everything.
    Trace,
    /// Diagnostics.
    Debug,
    /// Normal operation (default).
    #[default]
    Info,
    /// Problems that were handled.
    Warn,
    /// Failures only.
    Error,
}

impl LogLevel {
    /// The accepted spellings (case-insensitive; `warning` as in the original design).
    pub(crate) const OPTIONS: &[(&str, Self)] = &[
        ("trace", Self::Trace),
        ("debug", Self::Debug),
        ("info", Self::Info),
        ("warn", Self::Warn),
        ("warning", Self::Warn),
        ("error", Self::Error),
    ];

    /// The level as a tracing filter directive.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Trace => "trace",
            Self::Debug => "debug",
            Self::Info => "info",
            Self::Warn => "warn",
            Self::Error => "error",
        }
    }
}

/// How log lines are written (`LOG_FORMAT`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum LogFormat {
    /// Human-readable lines (default).
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

impl LogFormat {
    /// The accepted spellings.
    pub(crate) const OPTIONS: &[(&str, Self)] = &[("text", Self::Text), ("json", Self::Json)];
}

/// Discord bot settings. The bot runs only when a token is set.
#[derive(Clone, Debug, Default)]
pub struct DiscordConfig {
    /// `DISCORD_BOT_TOKEN` (secret).
    pub bot_token: Option<Secret>,
    /// `DISCORD_CHANNEL_ID`: where alerts go; required with a token.
    pub channel_id: Option<u64>,
    /// `DISCORD_ALLOWED_USER_IDS`: users allowed to run commands (comma-separated ids).
    pub allowed_user_ids: Vec<u64>,
    /// `DISCORD_ALLOWED_ROLE_IDS`: roles allowed to run commands (comma-separated ids).
    pub allowed_role_ids: Vec<u64>,
    /// `DISCORD_READONLY_OPEN`: whether anyone may run read-only commands (default false).
    pub readonly_open: bool,
}

/// Where the Kalshi private key comes from.
#[derive(Clone, Debug)]
pub enum KalshiKey {
    /// `KALSHI_API_SECRET`: the PEM text itself (secret; `\n` escapes are accepted).
    Pem(Secret),
    /// `KALSHI_PRIVATE_KEY_PATH`: a PEM file (must exist).
    Path(PathBuf),
}

/// Kalshi settings.
#[derive(Clone, Debug)]
pub struct KalshiConfig {
    /// `KALSHI_ENV`: `prod` (default) or `demo`; selects the default hosts.
    pub env: KalshiEnv,
    /// `KALSHI_API_KEY`: the API key id (not secret by itself).
    pub api_key_id: Option<String>,
    /// `KALSHI_API_SECRET` or `KALSHI_PRIVATE_KEY_PATH`: the RSA or Ed25519 private key.
    pub private_key: Option<KalshiKey>,
    /// `KALSHI_API_URL`: REST base URL (default: the environment's `external-api` host).
    pub api_url: String,
    /// `KALSHI_WS_URL`: WebSocket URL (default: the environment's `external-api-ws` host).
    pub ws_url: String,
}

/// Polymarket CLOB API (L2) credentials; derived from the private key when absent.
#[derive(Clone, Debug)]
pub struct PolymarketApiCreds {
    /// `POLYMARKET_API_KEY` (treated as secret).
    pub key: Secret,
    /// `POLYMARKET_API_SECRET` (secret).
    pub secret: Secret,
    /// `POLYMARKET_API_PASSPHRASE` (secret).
    pub passphrase: Secret,
}

/// Polymarket settings.
#[derive(Clone, Debug)]
pub struct PolymarketConfig {
    /// `POLYMARKET_PRIVATE_KEY`: the signer's 32-byte hex key (secret).
    pub private_key: Option<Secret>,
    /// `POLYMARKET_API_KEY` / `_SECRET` / `_PASSPHRASE`: all three or none.
    pub api_creds: Option<PolymarketApiCreds>,
    /// `POLYMARKET_FUNDER`: the address holding the funds (`0x` + 40 hex); required unless EOA.
    pub funder: Option<String>,
    /// `POLYMARKET_SIGNATURE_TYPE`: default `eoa` (0).
    pub signature_type: SignatureType,
    /// `POLYMARKET_CLOB_URL` (default `https://clob.polymarket.com`).
    pub clob_url: String,
    /// `POLYMARKET_GAMMA_URL` (default `https://gamma-api.polymarket.com`).
    pub gamma_url: String,
    /// `POLYMARKET_DATA_URL` (default `https://data-api.polymarket.com`).
    pub data_url: String,
    /// `POLYMARKET_WS_URL`: the WebSocket base; the adapter appends `/market` or `/user`
    /// (default `wss://ws-subscriptions-clob.polymarket.com/ws`).
    pub ws_url: String,
}

/// What counts as an opportunity and how often prices are polled.
#[derive(Clone, Debug)]
pub struct StrategyConfig {
    /// `MIN_ARBITRAGE_THRESHOLD`: minimum profit as a fraction of cost, in [0, 1) (default 0.01).
    pub min_arbitrage_threshold: Decimal,
    /// `MIN_PROFIT_USD`: minimum guaranteed profit in dollars, >= 0 (default 0.10).
    pub min_profit_usd: Decimal,
    /// `PRICE_FETCH_INTERVAL`: REST polling interval, 1..=3600 s (default 5).
    pub price_fetch_interval: Duration,
}

/// Risk limits. Dollar amounts are notional cost.
#[derive(Clone, Debug)]
pub struct RiskConfig {
    /// `MAX_TRADE_SIZE`: dollars per opportunity, > 0 (default 1000).
    pub max_trade_size: Decimal,
    /// `MAX_POSITION_PER_MARKET`: open dollars per market, > 0, >= `MAX_TRADE_SIZE` (default 5000).
    pub max_position_per_market: Decimal,
    /// `MAX_TOTAL_EXPOSURE`: open dollars overall, > 0, >= `MAX_POSITION_PER_MARKET` (default 25000).
    pub max_total_exposure: Decimal,
    /// `DAILY_LOSS_LIMIT`: realised loss in a UTC day that halts trading, > 0 (default 500).
    pub daily_loss_limit: Decimal,
    /// `PAIR_COOLDOWN_SECONDS`: pause between executions on one pair, 0..=86400 s (default 60).
    pub pair_cooldown: Duration,
    /// `MAX_CONSECUTIVE_ERRORS`: errors in a row that halt trading, 1..=1000 (default 5).
    pub max_consecutive_errors: u32,
    /// `MIN_BALANCE_RESERVE`: dollars always left untouched on each venue, >= 0 (default 0).
    pub min_balance_reserve: Decimal,
}

/// How executions run.
#[derive(Clone, Debug)]
pub struct ExecutionConfig {
    /// `EXECUTION_MODE`: `sequential` (default) or `concurrent`.
    pub mode: ExecutionMode,
    /// `SLIPPAGE_TOLERANCE`: accepted price deterioration, fraction in [0, 0.5] (default 0.02).
    pub slippage_tolerance: Decimal,
    /// `ORDER_TIMEOUT_SECONDS`: how long an order may rest, 1..=600 s (default 30).
    pub order_timeout: Duration,
    /// `MAX_HEDGE_ATTEMPTS`: hedge retries before unwinding, 1..=20 (default 3).
    pub max_hedge_attempts: u32,
}

/// Pair leases: which daemon trades which pair when several share one store.
#[derive(Clone, Debug)]
pub struct LeaseSettings {
    /// `LEASE_TTL`: seconds a lease lasts without renewal, 2..=600 (default 15): after a daemon
    /// dies, another takes its pairs over this long after its last renewal.
    pub ttl: Duration,
    /// `LEASE_RENEW`: seconds between renewals, 1..=300, at most half of `LEASE_TTL` (default 5).
    pub renew: Duration,
    /// `LEASE_GROUP`: the daemons sharing the store's pairs evenly (letters, digits, `-`, `_`,
    /// `.`; default `default`).
    pub group: String,
    /// `MAX_PAIRS_PER_DAEMON`: at most this many pairs traded by this daemon (default 0: no cap
    /// beyond the even share).
    pub max_pairs: Option<usize>,
}

/// Logging settings.
#[derive(Clone, Debug)]
pub struct LoggingConfig {
    /// `LOG_LEVEL` (default `info`).
    pub level: LogLevel,
    /// `RUST_LOG`: a full tracing filter that, when set, replaces `LOG_LEVEL`.
    pub filter: Option<String>,
    /// `LOG_FORMAT`: `text` (default) or `json`.
    pub format: LogFormat,
    /// `LOG_DIR`: where `arbitrage.log` is written and rotated daily (default `logs`).
    pub dir: PathBuf,
    /// `LOG_MAX_FILES`: rotated files kept, 1..=3650 (default 14).
    pub max_files: usize,
}

impl LoggingConfig {
    /// The filter directive in force: `RUST_LOG` if set, else `LOG_LEVEL`.
    #[must_use]
    pub fn directive(&self) -> &str {
        self.filter.as_deref().unwrap_or(self.level.as_str())
    }
}

impl Default for LoggingConfig {
    fn default() -> Self {
        Self {
            level: LogLevel::default(),
            filter: None,
            format: LogFormat::default(),
            dir: PathBuf::from("logs"),
            max_files: 14,
        }
    }
}

/// The `/health` and `/metrics` listener (`METRICS_ADDR`, default `127.0.0.1:9464`; `off`
/// disables it).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct MetricsConfig {
    /// The address to listen on, or `None` when disabled.
    pub addr: Option<SocketAddr>,
    /// `HEALTH_STALE_AFTER`: `/health` answers 503 when a venue of a watched pair has delivered
    /// no book for longer than this (default 60 s).
    pub stale_after: std::time::Duration,
}

impl fmt::Display for MetricsConfig {
    /// The listener, as `METRICS_ADDR` is written.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.addr {
            Some(addr) => write!(f, "{addr}"),
            None => f.write_str("off"),
        }
    }
}

/// The optional semantic verifier of match suggestions: an LLM judge over an OpenAI-compatible
/// Chat Completions API. Off (the default) while `VERIFIER_URL` is unset.
#[derive(Clone, Debug)]
pub struct VerifierConfig {
    /// `VERIFIER_URL`: the API's base URL (`…/chat/completions` is appended); `None`: off.
    pub url: Option<String>,
    /// `VERIFIER_MODEL`: the model to ask (required with `VERIFIER_URL`).
    pub model: Option<String>,
    /// The API key, from `VERIFIER_API_KEY` or the file `VERIFIER_API_KEY_FILE` names.
    pub api_key: Option<VerifierKey>,
    /// `VERIFIER_TOP_N`: the best this many suggestions of each Kalshi market are judged
    /// (default 3).
    pub top_n: usize,
    /// `VERIFIER_TIMEOUT_SECONDS`: how long one answer may take (default 30 s).
    pub timeout: Duration,
}

impl VerifierConfig {
    /// The endpoint and model, when the verifier is on.
    #[must_use]
    pub fn endpoint(&self) -> Option<(&str, &str)> {
        self.url.as_deref().zip(self.model.as_deref())
    }
}

/// Where the verifier's API key came from.
#[derive(Clone, Debug)]
pub enum VerifierKey {
    /// `VERIFIER_API_KEY`.
    Inline(Secret),
    /// The contents of the file `VERIFIER_API_KEY_FILE` names (read at start-up, trimmed).
    File {
        /// The file.
        path: PathBuf,
        /// The key it holds.
        key: Secret,
    },
}

impl VerifierKey {
    /// The key.
    #[must_use]
    pub const fn secret(&self) -> &Secret {
        match self {
            Self::Inline(key) | Self::File { key, .. } => key,
        }
    }
}

/// What a console user may do.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ConsoleRole {
    /// May read everything and change pairs, suggestions and the kill switch.
    Trader,
    /// May read everything and change nothing.
    Viewer,
}

/// One named sign-in token of the web console (`name=token` in `CONSOLE_TOKENS` or
/// `CONSOLE_READONLY_TOKENS`). The name is recorded in the audit trail as `web:<name>`.
#[derive(Clone, Debug)]
pub struct ConsoleToken {
    /// Who signs in with it (letters, digits, `-`, `_`, `.`).
    pub name: String,
    /// What they may do.
    pub role: ConsoleRole,
    /// The token itself (secret).
    pub token: Secret,
}

/// The web console (`CONSOLE_ADDR`, `CONSOLE_TOKENS`, `CONSOLE_READONLY_TOKENS`,
/// `CONSOLE_READONLY_OPEN`).
#[derive(Clone, Debug)]
pub struct ConsoleConfig {
    /// `CONSOLE_ADDR`: where it listens (default `127.0.0.1:8080`), or `None` when `off`.
    pub addr: Option<SocketAddr>,
    /// Every sign-in token, traders' and read-only viewers'.
    pub tokens: Vec<ConsoleToken>,
    /// `CONSOLE_READONLY_OPEN`: whether anyone reaching the console may read it without signing
    /// in (default false). Changes always need a trader's token.
    pub readonly_open: bool,
}

impl ConsoleConfig {
    /// Whether the console is served: it has an address and someone can use it (a token, or
    /// open read-only access).
    #[must_use]
    pub fn serves(&self) -> bool {
        self.addr.is_some() && (!self.tokens.is_empty() || self.readonly_open)
    }
}
