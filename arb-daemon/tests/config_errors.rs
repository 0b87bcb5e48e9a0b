//! One test per configuration error: malformed, out of range, bad choice, bad URL, missing,
//! conflicting and inconsistent values. Each checks the exact error a user would read.

use arb_daemon::config::{Config, ConfigError, ConfigSources, Origin};

fn load(env: &[(&str, &str)]) -> Result<Config, ConfigError> {
    Config::load(&ConfigSources::new().with_env(env.iter().copied()))
}

fn load_err(env: &[(&str, &str)]) -> ConfigError {
    match load(env) {
        Ok(_) => panic!("expected an error for {env:?}"),
        Err(e) => e,
    }
}

fn malformed(var: &'static str, value: &str, expected: &str) -> ConfigError {
    ConfigError::Malformed {
        var,
        origin: Origin::Env,
        value: value.into(),
        expected: expected.into(),
    }
}

fn out_of_range(var: &'static str, value: &str, range: &str) -> ConfigError {
    ConfigError::OutOfRange {
        var,
        origin: Origin::Env,
        value: value.into(),
        range: range.into(),
    }
}

/// One `#[test]` per out-of-range value: `name: VAR = "value" => "accepted range"`.
macro_rules! out_of_range_tests {
    ($($name:ident: $var:literal = $value:literal => $range:literal;)*) => {$(
        #[test]
        fn $name() {
            assert_eq!(load_err(&[($var, $value)]), out_of_range($var, $value, $range));
        }
    )*};
}

out_of_range_tests! {
    threshold_of_one: "MIN_ARBITRAGE_THRESHOLD" = "1" => "a decimal in [0, 1)";
    negative_threshold: "MIN_ARBITRAGE_THRESHOLD" = "-0.01" => "a decimal in [0, 1)";
    negative_min_profit: "MIN_PROFIT_USD" = "-1" => "a decimal >= 0";
    zero_max_trade_size: "MAX_TRADE_SIZE" = "0" => "a decimal > 0";
    zero_max_position: "MAX_POSITION_PER_MARKET" = "0" => "a decimal > 0";
    negative_total_exposure: "MAX_TOTAL_EXPOSURE" = "-5" => "a decimal > 0";
    zero_daily_loss_limit: "DAILY_LOSS_LIMIT" = "0" => "a decimal > 0";
    negative_balance_reserve: "MIN_BALANCE_RESERVE" = "-0.01" => "a decimal >= 0";
    slippage_above_half: "SLIPPAGE_TOLERANCE" = "0.51" => "a decimal in [0, 0.5]";
    negative_slippage: "SLIPPAGE_TOLERANCE" = "-0.01" => "a decimal in [0, 0.5]";
    zero_order_timeout: "ORDER_TIMEOUT_SECONDS" = "0" => "an integer in 1..=600";
    lease_ttl_of_one_second: "LEASE_TTL" = "1" => "an integer in 2..=600";
    zero_lease_renewal: "LEASE_RENEW" = "0" => "an integer in 1..=300";
    order_timeout_above_600: "ORDER_TIMEOUT_SECONDS" = "601" => "an integer in 1..=600";
    negative_order_timeout: "ORDER_TIMEOUT_SECONDS" = "-5" => "an integer in 1..=600";
    zero_fetch_interval: "PRICE_FETCH_INTERVAL" = "0" => "an integer in 1..=3600";
    fetch_interval_above_an_hour: "PRICE_FETCH_INTERVAL" = "3601" => "an integer in 1..=3600";
    cooldown_above_a_day: "PAIR_COOLDOWN_SECONDS" = "86401" => "an integer in 0..=86400";
    zero_consecutive_errors: "MAX_CONSECUTIVE_ERRORS" = "0" => "an integer in 1..=1000";
    zero_hedge_attempts: "MAX_HEDGE_ATTEMPTS" = "0" => "an integer in 1..=20";
    hedge_attempts_above_20: "MAX_HEDGE_ATTEMPTS" = "21" => "an integer in 1..=20";
    zero_log_files: "LOG_MAX_FILES" = "0" => "an integer in 1..=3650";
}

#[test]
fn malformed_decimal_names_variable_value_and_range() {
    let err = load_err(&[("MAX_TRADE_SIZE", "1,000")]);
    assert_eq!(err, malformed("MAX_TRADE_SIZE", "1,000", "a decimal > 0"));
    assert_eq!(
        err.to_string(),
        "MAX_TRADE_SIZE (from environment): invalid value `1,000`: expected a decimal > 0"
    );
}

#[test]
fn percentage_is_not_a_fraction() {
    assert_eq!(
        load_err(&[("SLIPPAGE_TOLERANCE", "2%")]),
        malformed("SLIPPAGE_TOLERANCE", "2%", "a decimal in [0, 0.5]")
    );
}

#[test]
fn malformed_integer() {
    assert_eq!(
        load_err(&[("ORDER_TIMEOUT_SECONDS", "30s")]),
        malformed("ORDER_TIMEOUT_SECONDS", "30s", "an integer in 1..=600")
    );
}

#[test]
fn out_of_range_message_is_readable() {
    assert_eq!(
        load_err(&[("SLIPPAGE_TOLERANCE", "0.6")]).to_string(),
        "SLIPPAGE_TOLERANCE (from environment): value `0.6` is out of range: \
         expected a decimal in [0, 0.5]"
    );
}

#[test]
fn bad_trading_mode() {
    assert_eq!(
        load_err(&[("TRADING_MODE", "yolo")]),
        malformed("TRADING_MODE", "yolo", "one of live, paper, monitor")
    );
}

#[test]
fn bad_execution_mode() {
    assert_eq!(
        load_err(&[("EXECUTION_MODE", "parallel")]),
        malformed(
            "EXECUTION_MODE",
            "parallel",
            "one of sequential, concurrent"
        )
    );
}

#[test]
fn bad_log_level() {
    assert_eq!(
        load_err(&[("LOG_LEVEL", "verbose")]),
        malformed(
            "LOG_LEVEL",
            "verbose",
            "one of trace, debug, info, warn, warning, error"
        )
    );
}

#[test]
fn bad_log_format() {
    assert_eq!(
        load_err(&[("LOG_FORMAT", "xml")]),
        malformed("LOG_FORMAT", "xml", "one of text, json")
    );
}

#[test]
fn bad_kalshi_env() {
    assert_eq!(
        load_err(&[("KALSHI_ENV", "staging")]),
        malformed("KALSHI_ENV", "staging", "one of prod, production, demo")
    );
}

#[test]
fn bad_signature_type() {
    assert_eq!(
        load_err(&[("POLYMARKET_SIGNATURE_TYPE", "4")]),
        malformed(
            "POLYMARKET_SIGNATURE_TYPE",
            "4",
            "one of 0, eoa, 1, poly_proxy, 2, poly_gnosis_safe, 3, poly_1271"
        )
    );
}

#[test]
fn bad_boolean() {
    assert_eq!(
        load_err(&[("DISCORD_READONLY_OPEN", "maybe")]),
        malformed(
            "DISCORD_READONLY_OPEN",
            "maybe",
            "one of true, false, 1, 0, yes, no, on, off"
        )
    );
}

#[test]
fn rest_url_with_wrong_scheme() {
    assert_eq!(
        load_err(&[("KALSHI_API_URL", "ftp://example.com")]),
        malformed(
            "KALSHI_API_URL",
            "ftp://example.com",
            "a URL starting with https:// or http:// and a host"
        )
    );
}

#[test]
fn websocket_url_must_be_ws() {
    assert_eq!(
        load_err(&[("POLYMARKET_WS_URL", "https://ws.example.com")]),
        malformed(
            "POLYMARKET_WS_URL",
            "https://ws.example.com",
            "a URL starting with wss:// or ws:// and a host"
        )
    );
}

#[test]
fn url_without_host() {
    assert_eq!(
        load_err(&[("POLYMARKET_CLOB_URL", "https://")]),
        malformed(
            "POLYMARKET_CLOB_URL",
            "https://",
            "a URL starting with https:// or http:// and a host"
        )
    );
}

#[test]
fn url_without_scheme() {
    assert_eq!(
        load_err(&[("POLYMARKET_GAMMA_URL", "gamma-api.polymarket.com")]),
        malformed(
            "POLYMARKET_GAMMA_URL",
            "gamma-api.polymarket.com",
            "a URL starting with https:// or http:// and a host"
        )
    );
}

#[test]
fn unsupported_database_url() {
    assert_eq!(
        load_err(&[("DATABASE_URL", "mysql://db/arb")]),
        malformed(
            "DATABASE_URL",
            "mysql://db/arb",
            "a sqlite: or postgres:// URL"
        )
    );
}

#[test]
fn database_url_error_masks_the_password() {
    let err = load_err(&[("DATABASE_URL", "mysql://arb:hunter2@db/arb")]);
    assert_eq!(
        err,
        malformed(
            "DATABASE_URL",
            "mysql://arb:<redacted>@db/arb",
            "a sqlite: or postgres:// URL"
        )
    );
    assert!(!err.to_string().contains("hunter2"));
}

#[test]
fn bad_metrics_addr() {
    assert_eq!(
        load_err(&[("METRICS_ADDR", "localhost:9464")]),
        malformed(
            "METRICS_ADDR",
            "localhost:9464",
            "host:port (an IP address and port, e.g. 0.0.0.0:9464) or `off`"
        )
    );
}

#[test]
fn bad_rust_log_filter() {
    assert_eq!(
        load_err(&[("RUST_LOG", "arb_core=loud")]),
        malformed(
            "RUST_LOG",
            "arb_core=loud",
            "a tracing filter such as `info,arb_core=debug`"
        )
    );
}

#[test]
fn bad_discord_channel_id() {
    assert_eq!(
        load_err(&[("DISCORD_CHANNEL_ID", "general")]),
        malformed("DISCORD_CHANNEL_ID", "general", "a numeric id")
    );
}

#[test]
fn bad_discord_id_list() {
    assert_eq!(
        load_err(&[("DISCORD_ALLOWED_USER_IDS", "123,alice")]),
        malformed(
            "DISCORD_ALLOWED_USER_IDS",
            "123,alice",
            "a comma-separated list of numeric ids"
        )
    );
}

#[test]
fn discord_token_without_channel() {
    assert_eq!(
        load_err(&[("DISCORD_BOT_TOKEN", "token-value")]),
        ConfigError::Missing {
            var: "DISCORD_CHANNEL_ID",
            reason: "DISCORD_BOT_TOKEN is set, and alerts need a channel".into(),
        }
    );
}

#[test]
fn malformed_polymarket_private_key_is_redacted() {
    let err = load_err(&[("POLYMARKET_PRIVATE_KEY", "0xnot-a-key-but-secret")]);
    assert_eq!(
        err,
        malformed(
            "POLYMARKET_PRIVATE_KEY",
            "<redacted>",
            "64 hex digits, optionally prefixed by 0x"
        )
    );
    assert!(!err.to_string().contains("not-a-key-but-secret"));
}

#[test]
fn malformed_kalshi_pem_is_redacted() {
    let err = load_err(&[("KALSHI_API_SECRET", "secret-but-not-pem")]);
    assert_eq!(
        err,
        malformed(
            "KALSHI_API_SECRET",
            "<redacted>",
            "a PEM private key (-----BEGIN ... PRIVATE KEY-----)"
        )
    );
    assert!(!err.to_string().contains("secret-but-not-pem"));
}

#[test]
fn missing_kalshi_key_file() {
    assert_eq!(
        load_err(&[("KALSHI_PRIVATE_KEY_PATH", "/nonexistent/kalshi.pem")]),
        malformed(
            "KALSHI_PRIVATE_KEY_PATH",
            "/nonexistent/kalshi.pem",
            "the path of an existing PEM file"
        )
    );
}

#[test]
fn kalshi_pem_and_path_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kalshi.pem");
    std::fs::write(&path, PEM).unwrap();
    assert_eq!(
        load_err(&[
            ("KALSHI_API_SECRET", PEM),
            ("KALSHI_PRIVATE_KEY_PATH", path.to_str().unwrap()),
        ]),
        ConfigError::Conflict {
            first: "KALSHI_API_SECRET",
            second: "KALSHI_PRIVATE_KEY_PATH",
        }
    );
}

#[test]
fn partial_polymarket_api_credentials() {
    assert_eq!(
        load_err(&[("POLYMARKET_API_KEY", "k"), ("POLYMARKET_API_SECRET", "s")]),
        ConfigError::Missing {
            var: "POLYMARKET_API_PASSPHRASE",
            reason: "POLYMARKET_API_KEY, _SECRET and _PASSPHRASE go together \
                     (set all three, or none to derive them)"
                .into(),
        }
    );
}

#[test]
fn proxy_signature_without_funder() {
    assert_eq!(
        load_err(&[("POLYMARKET_SIGNATURE_TYPE", "poly_gnosis_safe")]),
        ConfigError::Missing {
            var: "POLYMARKET_FUNDER",
            reason: "a proxy, safe or deposit-wallet POLYMARKET_SIGNATURE_TYPE trades from the \
                     funder address"
                .into(),
        }
    );
}

#[test]
fn malformed_funder_address() {
    assert_eq!(
        load_err(&[("POLYMARKET_FUNDER", "0x1234")]),
        malformed(
            "POLYMARKET_FUNDER",
            "0x1234",
            "an address: 0x followed by 40 hex digits"
        )
    );
}

#[test]
fn trade_size_above_position_limit() {
    assert_eq!(
        load_err(&[("MAX_TRADE_SIZE", "6000")]),
        ConfigError::Inconsistent(
            "MAX_TRADE_SIZE (6000) exceeds MAX_POSITION_PER_MARKET (5000)".into()
        )
    );
}

#[test]
fn position_limit_above_total_exposure() {
    assert_eq!(
        load_err(&[("MAX_TOTAL_EXPOSURE", "4000")]),
        ConfigError::Inconsistent(
            "MAX_POSITION_PER_MARKET (5000) exceeds MAX_TOTAL_EXPOSURE (4000)".into()
        )
    );
}

#[test]
fn lease_renewal_above_half_the_time_to_live() {
    assert_eq!(
        load_err(&[("LEASE_TTL", "10"), ("LEASE_RENEW", "6")]),
        ConfigError::Inconsistent(
            "LEASE_RENEW (6 s) must be at most half of LEASE_TTL (10 s), so that a lease is \
             renewed at least twice before it expires"
                .into()
        )
    );
}

#[test]
fn lease_group_with_a_colon() {
    assert_eq!(
        load_err(&[("LEASE_GROUP", "eu:west")]),
        malformed("LEASE_GROUP", "eu:west", "letters, digits, `-`, `_` or `.`")
    );
}

#[test]
fn lease_settings_reach_the_engine() {
    let config = load(&[
        ("LEASE_TTL", "30"),
        ("LEASE_RENEW", "10"),
        ("LEASE_GROUP", "eu-west.1"),
        ("MAX_PAIRS_PER_DAEMON", "25"),
    ])
    .unwrap();
    let engine = arb_daemon::commands::engine_config(&config);
    assert_eq!(engine.leases.ttl, std::time::Duration::from_secs(30));
    assert_eq!(
        engine.leases.renew_every,
        std::time::Duration::from_secs(10)
    );
    assert_eq!(engine.leases.group, "eu-west.1");
    assert_eq!(engine.leases.max_pairs, Some(25));
    let defaults = arb_daemon::commands::engine_config(&load(&[]).unwrap());
    assert_eq!(defaults.leases.max_pairs, None, "0 (the default) is no cap");
    assert_eq!(defaults.leases.group, "default");
}

#[test]
fn live_mode_without_any_credentials_names_all_missing() {
    let config = load(&[("TRADING_MODE", "live")]).unwrap();
    let err = config.ensure_live_ready().unwrap_err();
    assert_eq!(
        err.to_string(),
        "TRADING_MODE=live needs venue credentials; missing: KALSHI_API_KEY, \
         KALSHI_API_SECRET or KALSHI_PRIVATE_KEY_PATH, POLYMARKET_PRIVATE_KEY"
    );
}

#[test]
fn live_mode_with_only_kalshi_names_polymarket_key() {
    let config = load(&[
        ("TRADING_MODE", "live"),
        ("KALSHI_API_KEY", "key-id"),
        ("KALSHI_API_SECRET", PEM),
    ])
    .unwrap();
    assert_eq!(
        config.ensure_live_ready(),
        Err(ConfigError::MissingLiveCredentials {
            missing: vec!["POLYMARKET_PRIVATE_KEY".into()]
        })
    );
}

#[test]
fn live_mode_with_all_credentials_is_ready() {
    let config = load(&[
        ("TRADING_MODE", "live"),
        ("KALSHI_API_KEY", "key-id"),
        ("KALSHI_API_SECRET", PEM),
        ("POLYMARKET_PRIVATE_KEY", POLY_KEY),
    ])
    .unwrap();
    assert_eq!(config.ensure_live_ready(), Ok(()));
}

#[test]
fn paper_and_monitor_modes_need_no_credentials() {
    for mode in ["paper", "monitor"] {
        let config = load(&[("TRADING_MODE", mode)]).unwrap();
        assert_eq!(config.ensure_live_ready(), Ok(()), "{mode}");
    }
}

const PEM: &str =
    "-----BEGIN PRIVATE KEY-----\\nMC4CAQAwBQYDK2VwBCIEIA==\\n-----END PRIVATE KEY-----";
const POLY_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

#[test]
fn verifier_settings_that_do_not_go_together() {
    assert_eq!(
        load_err(&[("VERIFIER_URL", "https://llm.example/v1")]),
        ConfigError::Missing {
            var: "VERIFIER_MODEL",
            reason: "VERIFIER_URL is set, and the verifier needs a model to ask".into(),
        }
    );
    assert_eq!(
        load_err(&[("VERIFIER_API_KEY", "sk-SECRET")]),
        ConfigError::Missing {
            var: "VERIFIER_URL",
            reason: "a verifier model or key is set, but the verifier stays off without an \
                     endpoint"
                .into(),
        }
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key");
    std::fs::write(&path, "sk-file").unwrap();
    assert_eq!(
        load_err(&[
            ("VERIFIER_URL", "https://llm.example/v1"),
            ("VERIFIER_MODEL", "m"),
            ("VERIFIER_API_KEY", "sk-SECRET"),
            ("VERIFIER_API_KEY_FILE", path.to_str().unwrap()),
        ]),
        ConfigError::Conflict {
            first: "VERIFIER_API_KEY",
            second: "VERIFIER_API_KEY_FILE",
        }
    );
}

#[test]
fn verifier_values_out_of_shape() {
    let missing = "/nonexistent/verifier.key";
    assert_eq!(
        load_err(&[
            ("VERIFIER_URL", "https://llm.example/v1"),
            ("VERIFIER_MODEL", "m"),
            ("VERIFIER_API_KEY_FILE", missing),
        ]),
        malformed(
            "VERIFIER_API_KEY_FILE",
            missing,
            "the path of a readable, non-empty file holding the API key"
        )
    );
    assert_eq!(
        load_err(&[("VERIFIER_URL", "llm.example/v1"), ("VERIFIER_MODEL", "m")]),
        malformed(
            "VERIFIER_URL",
            "llm.example/v1",
            "a URL starting with https:// or http:// and a host"
        )
    );
    assert_eq!(
        load_err(&[("VERIFIER_TOP_N", "0")]),
        out_of_range("VERIFIER_TOP_N", "0", "an integer in 1..=20")
    );
    assert_eq!(
        load_err(&[("VERIFIER_TIMEOUT_SECONDS", "301")]),
        out_of_range("VERIFIER_TIMEOUT_SECONDS", "301", "an integer in 1..=300")
    );
}

#[test]
fn console_tokens_must_be_named_long_and_distinct_and_are_never_shown() {
    let expected = "comma-separated `name=token` entries: names of letters, digits, `-`, `_` or \
                    `.` (at most 32), tokens of at least 16 characters without spaces or commas";
    for bad in [
        "alice",
        "alice=short-SECRET",
        "al ice=long-enough-token-SECRET",
        "=long-enough-token-SECRET",
        "alice=long-enough-token-SECRET,",
    ] {
        assert_eq!(
            load_err(&[("CONSOLE_TOKENS", bad)]),
            malformed("CONSOLE_TOKENS", "<redacted>", expected),
            "{bad}"
        );
    }
    let same_name = load_err(&[
        ("CONSOLE_TOKENS", "alice=long-enough-token-SECRET1"),
        ("CONSOLE_READONLY_TOKENS", "alice=long-enough-token-SECRET2"),
    ]);
    assert_eq!(
        same_name.to_string(),
        "inconsistent settings: console user `alice` is named twice in CONSOLE_TOKENS / CONSOLE_READONLY_TOKENS"
    );
    let same_token = load_err(&[
        ("CONSOLE_TOKENS", "alice=long-enough-token-SECRET1"),
        ("CONSOLE_READONLY_TOKENS", "bob=long-enough-token-SECRET1"),
    ]);
    assert!(!same_token.to_string().contains("SECRET"), "{same_token}");
    assert!(
        same_token.to_string().contains("shares a token"),
        "{same_token}"
    );
}

#[test]
fn console_addr_is_an_address_or_off() {
    assert_eq!(
        load_err(&[("CONSOLE_ADDR", "localhost")]),
        malformed(
            "CONSOLE_ADDR",
            "localhost",
            "host:port (an IP address and port, e.g. 127.0.0.1:8080) or `off`"
        )
    );
    let off = load(&[
        ("CONSOLE_ADDR", "off"),
        ("CONSOLE_TOKENS", "a=0123456789abcdef"),
    ])
    .unwrap();
    assert_eq!(off.console.addr, None);
    assert!(!off.console.serves());
}
