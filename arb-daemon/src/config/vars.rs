//! The names of every configuration variable, and which of them hold secrets.

/// Every variable the daemon reads, in the order `config check` prints them. A TOML file may use
/// these names in lower or upper case; any other key in it is an error.
pub const VARIABLES: &[&str] = &[
    "TRADING_MODE",
    "DATABASE_URL",
    "DATABASE_PASSWORD",
    "DISCORD_BOT_TOKEN",
    "DISCORD_CHANNEL_ID",
    "DISCORD_ALLOWED_USER_IDS",
    "DISCORD_ALLOWED_ROLE_IDS",
    "DISCORD_READONLY_OPEN",
    "KALSHI_ENV",
    "KALSHI_API_KEY",
    "KALSHI_API_SECRET",
    "KALSHI_PRIVATE_KEY_PATH",
    "KALSHI_API_URL",
    "KALSHI_WS_URL",
    "POLYMARKET_PRIVATE_KEY",
    "POLYMARKET_API_KEY",
    "POLYMARKET_API_SECRET",
    "POLYMARKET_API_PASSPHRASE",
    "POLYMARKET_FUNDER",
    "POLYMARKET_SIGNATURE_TYPE",
    "POLYMARKET_CLOB_URL",
    "POLYMARKET_GAMMA_URL",
    "POLYMARKET_DATA_URL",
    "POLYMARKET_WS_URL",
    "MIN_ARBITRAGE_THRESHOLD",
    "MIN_PROFIT_USD",
    "PRICE_FETCH_INTERVAL",
    "MAX_TRADE_SIZE",
    "MAX_POSITION_PER_MARKET",
    "MAX_TOTAL_EXPOSURE",
    "DAILY_LOSS_LIMIT",
    "PAIR_COOLDOWN_SECONDS",
    "MAX_CONSECUTIVE_ERRORS",
    "MIN_BALANCE_RESERVE",
    "EXECUTION_MODE",
    "SLIPPAGE_TOLERANCE",
    "ORDER_TIMEOUT_SECONDS",
    "MAX_HEDGE_ATTEMPTS",
    "LEASE_TTL",
    "LEASE_RENEW",
    "LEASE_GROUP",
    "MAX_PAIRS_PER_DAEMON",
    "LOG_LEVEL",
    "RUST_LOG",
    "LOG_FORMAT",
    "LOG_DIR",
    "LOG_MAX_FILES",
    "RECORD_DIR",
    "METRICS_ADDR",
    "HEALTH_STALE_AFTER",
    "CONSOLE_ADDR",
    "CONSOLE_TOKENS",
    "CONSOLE_READONLY_TOKENS",
    "CONSOLE_READONLY_OPEN",
    "VERIFIER_URL",
    "VERIFIER_MODEL",
    "VERIFIER_API_KEY",
    "VERIFIER_API_KEY_FILE",
    "VERIFIER_TOP_N",
    "VERIFIER_TIMEOUT_SECONDS",
];

/// The variables whose values are secrets: never printed, not in errors, not in `config check`
/// (which shows only whether each is set).
pub const SECRET_VARIABLES: &[&str] = &[
    "DATABASE_PASSWORD",
    "DISCORD_BOT_TOKEN",
    "KALSHI_API_SECRET",
    "POLYMARKET_PRIVATE_KEY",
    "POLYMARKET_API_KEY",
    "POLYMARKET_API_SECRET",
    "POLYMARKET_API_PASSPHRASE",
    "VERIFIER_API_KEY",
    "CONSOLE_TOKENS",
    "CONSOLE_READONLY_TOKENS",
];

/// Whether `name` holds a secret.
#[must_use]
pub fn is_secret(name: &str) -> bool {
    SECRET_VARIABLES.contains(&name)
}

/// The canonical (upper-case) name of a known variable, from any capitalisation.
#[must_use]
pub fn canonical(name: &str) -> Option<&'static str> {
    VARIABLES
        .iter()
        .copied()
        .find(|known| known.eq_ignore_ascii_case(name))
}
