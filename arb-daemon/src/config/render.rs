//! The `config check` rendering: every setting with its value and origin, secrets as set/unset.

use std::fmt::Write as _;

use super::settings::{
    ConsoleRole, KalshiEnv, KalshiKey, LogFormat, SignatureType, TRADING_MODE_OPTIONS, VerifierKey,
};
use super::{Config, EXECUTION_MODES, Origin};

/// What a set secret prints as.
const SET: &str = "set";
/// What an unset optional value prints as.
const UNSET: &str = "unset";

impl Config {
    /// Every variable (in [`super::VARIABLES`] order) with the value in force. Secrets appear
    /// only as `set` / `unset`; the database password is masked.
    #[must_use]
    pub fn settings(&self) -> Vec<(&'static str, String)> {
        let secret = |set: bool| if set { SET } else { UNSET }.to_string();
        let optional = |value: Option<String>| value.unwrap_or_else(|| UNSET.to_string());
        let ids = |ids: &[u64]| {
            if ids.is_empty() {
                "none".to_string()
            } else {
                ids.iter().map(u64::to_string).collect::<Vec<_>>().join(",")
            }
        };
        let d = &self.discord;
        let k = &self.kalshi;
        let p = &self.polymarket;
        let creds = p.api_creds.is_some();
        vec![
            (
                "TRADING_MODE",
                option_name(TRADING_MODE_OPTIONS, self.trading_mode),
            ),
            ("DATABASE_URL", self.database_url.to_string()),
            (
                "DATABASE_PASSWORD",
                secret(self.origin("DATABASE_PASSWORD").is_some()),
            ),
            ("DISCORD_BOT_TOKEN", secret(d.bot_token.is_some())),
            (
                "DISCORD_CHANNEL_ID",
                optional(d.channel_id.map(|id| id.to_string())),
            ),
            ("DISCORD_ALLOWED_USER_IDS", ids(&d.allowed_user_ids)),
            ("DISCORD_ALLOWED_ROLE_IDS", ids(&d.allowed_role_ids)),
            ("DISCORD_READONLY_OPEN", d.readonly_open.to_string()),
            ("KALSHI_ENV", option_name(KalshiEnv::OPTIONS, k.env)),
            ("KALSHI_API_KEY", optional(k.api_key_id.clone())),
            (
                "KALSHI_API_SECRET",
                secret(matches!(k.private_key, Some(KalshiKey::Pem(_)))),
            ),
            (
                "KALSHI_PRIVATE_KEY_PATH",
                optional(match &k.private_key {
                    Some(KalshiKey::Path(path)) => Some(path.display().to_string()),
                    _ => None,
                }),
            ),
            ("KALSHI_API_URL", k.api_url.clone()),
            ("KALSHI_WS_URL", k.ws_url.clone()),
            ("POLYMARKET_PRIVATE_KEY", secret(p.private_key.is_some())),
            ("POLYMARKET_API_KEY", secret(creds)),
            ("POLYMARKET_API_SECRET", secret(creds)),
            ("POLYMARKET_API_PASSPHRASE", secret(creds)),
            ("POLYMARKET_FUNDER", optional(p.funder.clone())),
            (
                "POLYMARKET_SIGNATURE_TYPE",
                format!(
                    "{} ({})",
                    p.signature_type.code(),
                    option_name(SignatureType::OPTIONS, p.signature_type)
                ),
            ),
            ("POLYMARKET_CLOB_URL", p.clob_url.clone()),
            ("POLYMARKET_GAMMA_URL", p.gamma_url.clone()),
            ("POLYMARKET_DATA_URL", p.data_url.clone()),
            ("POLYMARKET_WS_URL", p.ws_url.clone()),
            (
                "MIN_ARBITRAGE_THRESHOLD",
                self.strategy.min_arbitrage_threshold.to_string(),
            ),
            ("MIN_PROFIT_USD", self.strategy.min_profit_usd.to_string()),
            (
                "PRICE_FETCH_INTERVAL",
                self.strategy.price_fetch_interval.as_secs().to_string(),
            ),
            ("MAX_TRADE_SIZE", self.risk.max_trade_size.to_string()),
            (
                "MAX_POSITION_PER_MARKET",
                self.risk.max_position_per_market.to_string(),
            ),
            (
                "MAX_TOTAL_EXPOSURE",
                self.risk.max_total_exposure.to_string(),
            ),
            ("DAILY_LOSS_LIMIT", self.risk.daily_loss_limit.to_string()),
            (
                "PAIR_COOLDOWN_SECONDS",
                self.risk.pair_cooldown.as_secs().to_string(),
            ),
            (
                "MAX_CONSECUTIVE_ERRORS",
                self.risk.max_consecutive_errors.to_string(),
            ),
            (
                "MIN_BALANCE_RESERVE",
                self.risk.min_balance_reserve.to_string(),
            ),
            (
                "EXECUTION_MODE",
                option_name(EXECUTION_MODES, self.execution.mode),
            ),
            (
                "SLIPPAGE_TOLERANCE",
                self.execution.slippage_tolerance.to_string(),
            ),
            (
                "ORDER_TIMEOUT_SECONDS",
                self.execution.order_timeout.as_secs().to_string(),
            ),
            (
                "MAX_HEDGE_ATTEMPTS",
                self.execution.max_hedge_attempts.to_string(),
            ),
            ("LEASE_TTL", self.leases.ttl.as_secs().to_string()),
            ("LEASE_RENEW", self.leases.renew.as_secs().to_string()),
            ("LEASE_GROUP", self.leases.group.clone()),
            (
                "MAX_PAIRS_PER_DAEMON",
                self.leases.max_pairs.map_or(0, |m| m).to_string(),
            ),
            ("LOG_LEVEL", self.logging.level.as_str().to_string()),
            ("RUST_LOG", optional(self.logging.filter.clone())),
            (
                "LOG_FORMAT",
                option_name(LogFormat::OPTIONS, self.logging.format),
            ),
            ("LOG_DIR", self.logging.dir.display().to_string()),
            ("LOG_MAX_FILES", self.logging.max_files.to_string()),
            (
                "RECORD_DIR",
                optional(self.record_dir.as_ref().map(|d| d.display().to_string())),
            ),
            ("METRICS_ADDR", self.metrics.to_string()),
            (
                "HEALTH_STALE_AFTER",
                self.metrics.stale_after.as_secs().to_string(),
            ),
            ("CONSOLE_ADDR", self.console.addr_text()),
            (
                "CONSOLE_TOKENS",
                secret(self.console.has(ConsoleRole::Trader)),
            ),
            (
                "CONSOLE_READONLY_TOKENS",
                secret(self.console.has(ConsoleRole::Viewer)),
            ),
            (
                "CONSOLE_READONLY_OPEN",
                self.console.readonly_open.to_string(),
            ),
            ("VERIFIER_URL", optional(self.verifier.url.clone())),
            ("VERIFIER_MODEL", optional(self.verifier.model.clone())),
            (
                "VERIFIER_API_KEY",
                secret(matches!(
                    self.verifier.api_key,
                    Some(VerifierKey::Inline(_))
                )),
            ),
            (
                "VERIFIER_API_KEY_FILE",
                optional(match &self.verifier.api_key {
                    Some(VerifierKey::File { path, .. }) => Some(path.display().to_string()),
                    _ => None,
                }),
            ),
            ("VERIFIER_TOP_N", self.verifier.top_n.to_string()),
            (
                "VERIFIER_TIMEOUT_SECONDS",
                self.verifier.timeout.as_secs().to_string(),
            ),
        ]
    }

    /// The `config check` text: one `NAME = value  (origin)` line per variable.
    #[must_use]
    pub fn render(&self) -> String {
        let settings = self.settings();
        let width = settings.iter().map(|(var, _)| var.len()).max().unwrap_or(0);
        let mut out = String::new();
        for (var, value) in settings {
            let origin = self.origin(var).unwrap_or(Origin::Default);
            // Writing to a String cannot fail.
            let _ = writeln!(out, "{var:<width$} = {value}  ({origin})");
        }
        out
    }
}

/// The first non-numeric spelling of `value` among `options`.
fn option_name<T: PartialEq + Copy>(options: &[(&'static str, T)], value: T) -> String {
    options
        .iter()
        .find(|(name, option)| *option == value && name.parse::<u8>().is_err())
        .map_or("?", |(name, _)| *name)
        .to_string()
}
