//! The daemon's configuration.
//!
//! Values come from four layers; the first that sets a variable wins:
//!
//! 1. the process environment,
//! 2. a `.env` file in the working directory (it never overrides the real environment),
//! 3. a TOML file given by `--config <path>` or `ARB_CONFIG` (keys are the variable names in
//!    any case, e.g. `max_trade_size = "250"`),
//! 4. the built-in defaults.
//!
//! An empty value counts as unset. Every value is validated at start-up: an invalid one fails
//! with a [`ConfigError`] naming the variable, where the value came from, the value (unless it is
//! a secret) and the accepted range. Secrets are held as [`Secret`]s and are shown by
//! [`Config::render`] only as `set` / `unset`. The repository's README lists every variable.

mod console;
mod database;
mod error;
mod reader;
mod render;
mod settings;
mod sources;
mod vars;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use arb_core::model::ExecutionMode;
use rust_decimal::Decimal;

pub use self::console::{DEFAULT_CONSOLE_ADDR, MIN_TOKEN_LEN};
pub use self::database::{DEFAULT_DATABASE_URL, DatabaseKind, DatabaseUrl, mask_password};
pub use self::error::ConfigError;
use self::reader::{Bound, DecimalRange, Reader, malformed};
use self::settings::TRADING_MODE_OPTIONS;
pub use self::settings::{
    ConsoleConfig, ConsoleRole, ConsoleToken, DiscordConfig, ExecutionConfig, KalshiConfig,
    KalshiEnv, KalshiKey, LeaseSettings, LogFormat, LogLevel, LoggingConfig, MetricsConfig,
    PolymarketApiCreds, PolymarketConfig, RiskConfig, SignatureType, StrategyConfig, TradingMode,
    VerifierConfig, VerifierKey,
};
pub use self::sources::{ConfigSources, Origin};
pub use self::vars::{SECRET_VARIABLES, VARIABLES, is_secret};
use crate::secret::Secret;

/// The default `METRICS_ADDR`: loopback only, port 9464.
pub const DEFAULT_METRICS_ADDR: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 9464);

/// The whole configuration of the daemon.
#[derive(Clone, Debug)]
pub struct Config {
    /// `TRADING_MODE`: `live`, `paper` or `monitor` (default `monitor`).
    pub trading_mode: TradingMode,
    /// `DATABASE_URL` (default [`DEFAULT_DATABASE_URL`]), with `DATABASE_PASSWORD` added to it
    /// (percent-encoded) when that is set.
    pub database_url: DatabaseUrl,
    /// Discord bot.
    pub discord: DiscordConfig,
    /// Kalshi.
    pub kalshi: KalshiConfig,
    /// Polymarket.
    pub polymarket: PolymarketConfig,
    /// Detection thresholds and polling.
    pub strategy: StrategyConfig,
    /// Risk limits.
    pub risk: RiskConfig,
    /// Execution behaviour.
    pub execution: ExecutionConfig,
    /// Pair leases (several daemons on one store).
    pub leases: LeaseSettings,
    /// Logging.
    pub logging: LoggingConfig,
    /// `/health` and `/metrics`.
    pub metrics: MetricsConfig,
    /// The optional semantic verifier of match suggestions.
    pub verifier: VerifierConfig,
    /// The web console.
    pub console: ConsoleConfig,
    /// `RECORD_DIR`: when set, `run` records its venues' raw book messages and the watched
    /// markets' definitions there as it trades (unset by default: no recording).
    pub record_dir: Option<PathBuf>,
    origins: BTreeMap<&'static str, Origin>,
}

impl Config {
    /// Reads and validates every variable from `sources`.
    ///
    /// This does not require venue credentials even in `live` mode, so commands that only use
    /// the store work without them; call [`Config::ensure_live_ready`] before trading.
    ///
    /// # Errors
    /// The first invalid value, conflicting pair or inconsistent combination found.
    pub fn load(sources: &ConfigSources) -> Result<Self, ConfigError> {
        let mut r = Reader::new(sources);
        let trading_mode =
            r.choice("TRADING_MODE", TradingMode::default(), TRADING_MODE_OPTIONS)?;
        let database_url = r
            .parsed(
                "DATABASE_URL",
                "a sqlite: or postgres:// URL",
                DatabaseUrl::parse,
            )?
            .unwrap_or_default();
        let database_url = match r.secret("DATABASE_PASSWORD") {
            Some(password) => database_url
                .with_password(password.expose())
                .map_err(|reason| {
                    ConfigError::Inconsistent(format!("DATABASE_PASSWORD: {reason}"))
                })?,
            None => database_url,
        };
        let discord = read_discord(&mut r)?;
        let kalshi = read_kalshi(&mut r)?;
        let polymarket = read_polymarket(&mut r)?;
        let strategy = read_strategy(&mut r)?;
        let risk = read_risk(&mut r)?;
        let execution = read_execution(&mut r)?;
        let leases = read_leases(&mut r)?;
        let logging = read_logging(&mut r)?;
        let metrics = read_metrics(&mut r)?;
        let verifier = read_verifier(&mut r)?;
        let console = console::read(&mut r)?;
        let record_dir = r.string("RECORD_DIR").map(PathBuf::from);
        Ok(Self {
            trading_mode,
            database_url,
            discord,
            kalshi,
            polymarket,
            strategy,
            risk,
            execution,
            leases,
            logging,
            metrics,
            verifier,
            console,
            record_dir,
            origins: r.into_origins(),
        })
    }

    /// Checks that `live` mode has what it needs to trade: a Kalshi key id and private key, and
    /// a Polymarket private key (its API credentials are derived if absent). Other modes need
    /// nothing.
    ///
    /// # Errors
    /// [`ConfigError::MissingLiveCredentials`] listing every missing variable.
    pub fn ensure_live_ready(&self) -> Result<(), ConfigError> {
        if self.trading_mode != TradingMode::Live {
            return Ok(());
        }
        let mut missing = Vec::new();
        if self.kalshi.api_key_id.is_none() {
            missing.push("KALSHI_API_KEY".to_string());
        }
        if self.kalshi.private_key.is_none() {
            missing.push("KALSHI_API_SECRET or KALSHI_PRIVATE_KEY_PATH".to_string());
        }
        if self.polymarket.private_key.is_none() {
            missing.push("POLYMARKET_PRIVATE_KEY".to_string());
        }
        if missing.is_empty() {
            Ok(())
        } else {
            Err(ConfigError::MissingLiveCredentials { missing })
        }
    }

    /// Where `var`'s value came from (`None` for an unknown name).
    #[must_use]
    pub fn origin(&self, var: &str) -> Option<Origin> {
        self.origins.get(var).copied()
    }
}

fn read_discord(r: &mut Reader<'_>) -> Result<DiscordConfig, ConfigError> {
    let discord = DiscordConfig {
        bot_token: r.secret("DISCORD_BOT_TOKEN"),
        channel_id: r.id("DISCORD_CHANNEL_ID")?,
        allowed_user_ids: r.id_list("DISCORD_ALLOWED_USER_IDS")?,
        allowed_role_ids: r.id_list("DISCORD_ALLOWED_ROLE_IDS")?,
        readonly_open: r.boolean("DISCORD_READONLY_OPEN", false)?,
    };
    if discord.bot_token.is_some() && discord.channel_id.is_none() {
        return Err(ConfigError::Missing {
            var: "DISCORD_CHANNEL_ID",
            reason: "DISCORD_BOT_TOKEN is set, and alerts need a channel".into(),
        });
    }
    Ok(discord)
}

fn read_kalshi(r: &mut Reader<'_>) -> Result<KalshiConfig, ConfigError> {
    let env = r.choice("KALSHI_ENV", KalshiEnv::default(), KalshiEnv::OPTIONS)?;
    let api_key_id = r.string("KALSHI_API_KEY");
    let pem = r.parsed(
        "KALSHI_API_SECRET",
        "a PEM private key (-----BEGIN ... PRIVATE KEY-----)",
        parse_pem,
    )?;
    let path = r
        .raw("KALSHI_PRIVATE_KEY_PATH")
        .map(|(text, origin)| {
            let path = PathBuf::from(text);
            if path.is_file() {
                Ok(path)
            } else {
                Err(malformed(
                    "KALSHI_PRIVATE_KEY_PATH",
                    origin,
                    text,
                    "the path of an existing PEM file".into(),
                ))
            }
        })
        .transpose()?;
    let private_key = match (pem, path) {
        (Some(_), Some(_)) => {
            return Err(ConfigError::Conflict {
                first: "KALSHI_API_SECRET",
                second: "KALSHI_PRIVATE_KEY_PATH",
            });
        }
        (Some(pem), None) => Some(KalshiKey::Pem(pem)),
        (None, Some(path)) => Some(KalshiKey::Path(path)),
        (None, None) => None,
    };
    Ok(KalshiConfig {
        env,
        api_key_id,
        private_key,
        api_url: r.url("KALSHI_API_URL", env.default_api_url(), HTTP)?,
        ws_url: r.url("KALSHI_WS_URL", env.default_ws_url(), WS)?,
    })
}

fn read_polymarket(r: &mut Reader<'_>) -> Result<PolymarketConfig, ConfigError> {
    let private_key = r.parsed(
        "POLYMARKET_PRIVATE_KEY",
        "64 hex digits, optionally prefixed by 0x",
        |text| is_hex(text.strip_prefix("0x").unwrap_or(text), 64).then(|| Secret::new(text)),
    )?;
    let key = r.secret("POLYMARKET_API_KEY");
    let secret = r.secret("POLYMARKET_API_SECRET");
    let passphrase = r.secret("POLYMARKET_API_PASSPHRASE");
    let api_creds = match (key, secret, passphrase) {
        (Some(key), Some(secret), Some(passphrase)) => Some(PolymarketApiCreds {
            key,
            secret,
            passphrase,
        }),
        (None, None, None) => None,
        (key, secret, _) => {
            let var = if key.is_none() {
                "POLYMARKET_API_KEY"
            } else if secret.is_none() {
                "POLYMARKET_API_SECRET"
            } else {
                "POLYMARKET_API_PASSPHRASE"
            };
            return Err(ConfigError::Missing {
                var,
                reason: "POLYMARKET_API_KEY, _SECRET and _PASSPHRASE go together \
                         (set all three, or none to derive them)"
                    .into(),
            });
        }
    };
    let funder = r.parsed(
        "POLYMARKET_FUNDER",
        "an address: 0x followed by 40 hex digits",
        |text| {
            text.strip_prefix("0x")
                .is_some_and(|hex| is_hex(hex, 40))
                .then(|| text.to_string())
        },
    )?;
    let signature_type = r.choice(
        "POLYMARKET_SIGNATURE_TYPE",
        SignatureType::default(),
        SignatureType::OPTIONS,
    )?;
    if signature_type.needs_funder() && funder.is_none() {
        return Err(ConfigError::Missing {
            var: "POLYMARKET_FUNDER",
            reason: "a proxy, safe or deposit-wallet POLYMARKET_SIGNATURE_TYPE trades from the \
                     funder address"
                .into(),
        });
    }
    Ok(PolymarketConfig {
        private_key,
        api_creds,
        funder,
        signature_type,
        clob_url: r.url("POLYMARKET_CLOB_URL", "https://clob.polymarket.com", HTTP)?,
        gamma_url: r.url(
            "POLYMARKET_GAMMA_URL",
            "https://gamma-api.polymarket.com",
            HTTP,
        )?,
        data_url: r.url(
            "POLYMARKET_DATA_URL",
            "https://data-api.polymarket.com",
            HTTP,
        )?,
        ws_url: r.url(
            "POLYMARKET_WS_URL",
            "wss://ws-subscriptions-clob.polymarket.com/ws",
            WS,
        )?,
    })
}

fn read_strategy(r: &mut Reader<'_>) -> Result<StrategyConfig, ConfigError> {
    Ok(StrategyConfig {
        min_arbitrage_threshold: r.decimal(
            "MIN_ARBITRAGE_THRESHOLD",
            Decimal::new(1, 2),
            DecimalRange {
                min: Bound::Inclusive(Decimal::ZERO),
                max: Bound::Exclusive(Decimal::ONE),
            },
        )?,
        min_profit_usd: r.decimal(
            "MIN_PROFIT_USD",
            Decimal::new(10, 2),
            DecimalRange::NON_NEGATIVE,
        )?,
        price_fetch_interval: seconds(r.integer("PRICE_FETCH_INTERVAL", 5, 1, 3600)?),
    })
}

fn read_risk(r: &mut Reader<'_>) -> Result<RiskConfig, ConfigError> {
    let risk = RiskConfig {
        max_trade_size: r.decimal(
            "MAX_TRADE_SIZE",
            Decimal::from(1000),
            DecimalRange::POSITIVE,
        )?,
        max_position_per_market: r.decimal(
            "MAX_POSITION_PER_MARKET",
            Decimal::from(5000),
            DecimalRange::POSITIVE,
        )?,
        max_total_exposure: r.decimal(
            "MAX_TOTAL_EXPOSURE",
            Decimal::from(25000),
            DecimalRange::POSITIVE,
        )?,
        daily_loss_limit: r.decimal(
            "DAILY_LOSS_LIMIT",
            Decimal::from(500),
            DecimalRange::POSITIVE,
        )?,
        pair_cooldown: seconds(r.integer("PAIR_COOLDOWN_SECONDS", 60, 0, 86_400)?),
        max_consecutive_errors: r.integer("MAX_CONSECUTIVE_ERRORS", 5, 1, 1000)?,
        min_balance_reserve: r.decimal(
            "MIN_BALANCE_RESERVE",
            Decimal::ZERO,
            DecimalRange::NON_NEGATIVE,
        )?,
    };
    if risk.max_trade_size > risk.max_position_per_market {
        return Err(ConfigError::Inconsistent(format!(
            "MAX_TRADE_SIZE ({}) exceeds MAX_POSITION_PER_MARKET ({})",
            risk.max_trade_size, risk.max_position_per_market
        )));
    }
    if risk.max_position_per_market > risk.max_total_exposure {
        return Err(ConfigError::Inconsistent(format!(
            "MAX_POSITION_PER_MARKET ({}) exceeds MAX_TOTAL_EXPOSURE ({})",
            risk.max_position_per_market, risk.max_total_exposure
        )));
    }
    Ok(risk)
}

fn read_execution(r: &mut Reader<'_>) -> Result<ExecutionConfig, ConfigError> {
    Ok(ExecutionConfig {
        mode: r.choice("EXECUTION_MODE", ExecutionMode::default(), EXECUTION_MODES)?,
        slippage_tolerance: r.decimal(
            "SLIPPAGE_TOLERANCE",
            Decimal::new(2, 2),
            DecimalRange {
                min: Bound::Inclusive(Decimal::ZERO),
                max: Bound::Inclusive(Decimal::new(5, 1)),
            },
        )?,
        order_timeout: seconds(r.integer("ORDER_TIMEOUT_SECONDS", 30, 1, 600)?),
        max_hedge_attempts: r.integer("MAX_HEDGE_ATTEMPTS", 3, 1, 20)?,
    })
}

fn read_leases(r: &mut Reader<'_>) -> Result<LeaseSettings, ConfigError> {
    let ttl = seconds(r.integer("LEASE_TTL", 15, 2, 600)?);
    let renew = seconds(r.integer("LEASE_RENEW", 5, 1, 300)?);
    if renew.saturating_mul(2) > ttl {
        return Err(ConfigError::Inconsistent(format!(
            "LEASE_RENEW ({} s) must be at most half of LEASE_TTL ({} s), so that a lease is \
             renewed at least twice before it expires",
            renew.as_secs(),
            ttl.as_secs()
        )));
    }
    let group = r
        .parsed("LEASE_GROUP", "letters, digits, `-`, `_` or `.`", |text| {
            text.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                .then(|| text.to_owned())
        })?
        .unwrap_or_else(|| "default".to_owned());
    let max_pairs = r.integer("MAX_PAIRS_PER_DAEMON", 0_usize, 0, 1_000_000)?;
    Ok(LeaseSettings {
        ttl,
        renew,
        group,
        max_pairs: (max_pairs > 0).then_some(max_pairs),
    })
}

fn read_logging(r: &mut Reader<'_>) -> Result<LoggingConfig, ConfigError> {
    let defaults = LoggingConfig::default();
    Ok(LoggingConfig {
        level: r.choice("LOG_LEVEL", defaults.level, LogLevel::OPTIONS)?,
        filter: r.parsed(
            "RUST_LOG",
            "a tracing filter such as `info,arb_core=debug`",
            |text| {
                tracing_subscriber::EnvFilter::builder()
                    .parse(text)
                    .ok()
                    .map(|_| text.to_string())
            },
        )?,
        format: r.choice("LOG_FORMAT", defaults.format, LogFormat::OPTIONS)?,
        dir: r.string("LOG_DIR").map_or(defaults.dir, PathBuf::from),
        max_files: r.integer("LOG_MAX_FILES", defaults.max_files, 1, 3650)?,
    })
}

/// A listener address, `host:port` or `off` (`Some(None)`), or `None` when unset; `example` is
/// shown in the error.
fn listener(
    r: &mut Reader<'_>,
    var: &'static str,
    example: &str,
) -> Result<Option<Option<SocketAddr>>, ConfigError> {
    r.parsed(
        var,
        &format!("host:port (an IP address and port, e.g. {example}) or `off`"),
        |text| {
            if text.eq_ignore_ascii_case("off") {
                Some(None)
            } else {
                text.parse::<SocketAddr>().ok().map(Some)
            }
        },
    )
}

fn read_metrics(r: &mut Reader<'_>) -> Result<MetricsConfig, ConfigError> {
    let addr = listener(r, "METRICS_ADDR", "0.0.0.0:9464")?;
    Ok(MetricsConfig {
        addr: addr.unwrap_or(Some(DEFAULT_METRICS_ADDR)),
        stale_after: seconds(r.integer("HEALTH_STALE_AFTER", 60, 1, 86_400)?),
    })
}

fn read_verifier(r: &mut Reader<'_>) -> Result<VerifierConfig, ConfigError> {
    let url = r.optional_url("VERIFIER_URL", HTTP)?;
    let model = r.string("VERIFIER_MODEL");
    let api_key = read_verifier_key(r)?;
    if url.is_some() && model.is_none() {
        return Err(ConfigError::Missing {
            var: "VERIFIER_MODEL",
            reason: "VERIFIER_URL is set, and the verifier needs a model to ask".into(),
        });
    }
    if url.is_none() && (model.is_some() || api_key.is_some()) {
        return Err(ConfigError::Missing {
            var: "VERIFIER_URL",
            reason: "a verifier model or key is set, but the verifier stays off without an \
                     endpoint"
                .into(),
        });
    }
    Ok(VerifierConfig {
        url,
        model,
        api_key,
        top_n: r.integer("VERIFIER_TOP_N", 3, 1, 20)?,
        timeout: seconds(r.integer("VERIFIER_TIMEOUT_SECONDS", 30, 1, 300)?),
    })
}

/// The verifier's key: `VERIFIER_API_KEY`, or the trimmed contents of the file
/// `VERIFIER_API_KEY_FILE` names (read now, so a missing or empty file fails at start-up).
fn read_verifier_key(r: &mut Reader<'_>) -> Result<Option<VerifierKey>, ConfigError> {
    let inline = r.secret("VERIFIER_API_KEY");
    let file = r
        .raw("VERIFIER_API_KEY_FILE")
        .map(|(text, origin)| {
            let path = PathBuf::from(text);
            std::fs::read_to_string(&path)
                .ok()
                .map(|key| key.trim().to_string())
                .filter(|key| !key.is_empty())
                .map(|key| VerifierKey::File {
                    path,
                    key: Secret::new(key),
                })
                .ok_or_else(|| {
                    malformed(
                        "VERIFIER_API_KEY_FILE",
                        origin,
                        text,
                        "the path of a readable, non-empty file holding the API key".into(),
                    )
                })
        })
        .transpose()?;
    match (inline, file) {
        (Some(_), Some(_)) => Err(ConfigError::Conflict {
            first: "VERIFIER_API_KEY",
            second: "VERIFIER_API_KEY_FILE",
        }),
        (Some(key), None) => Ok(Some(VerifierKey::Inline(key))),
        (None, file) => Ok(file),
    }
}

/// The spellings of `EXECUTION_MODE`.
const EXECUTION_MODES: &[(&str, ExecutionMode)] = &[
    ("sequential", ExecutionMode::Sequential),
    ("concurrent", ExecutionMode::Concurrent),
];

/// URL schemes of REST endpoints.
const HTTP: &[&str] = &["https", "http"];
/// URL schemes of WebSocket endpoints.
const WS: &[&str] = &["wss", "ws"];

fn seconds(value: u64) -> Duration {
    Duration::from_secs(value)
}

fn is_hex(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A PEM key, with literal `\n` escapes turned into newlines when the text has no real ones.
fn parse_pem(text: &str) -> Option<Secret> {
    let pem = if text.contains('\n') {
        text.to_string()
    } else {
        text.replace("\\n", "\n")
    };
    (pem.contains("-----BEGIN ") && pem.contains("PRIVATE KEY-----")).then(|| Secret::new(pem))
}
