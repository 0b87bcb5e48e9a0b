//! Defaults, layer precedence (environment > .env > TOML > defaults), file formats and secret
//! redaction in `Debug` and in the `config check` rendering.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use arb_core::model::ExecutionMode;
use arb_daemon::config::{
    Config, ConfigError, ConfigSources, DatabaseKind, KalshiKey, LogFormat, LogLevel, Origin,
    SignatureType, TradingMode, VARIABLES,
};
use rust_decimal_macros::dec;

const PEM_ESCAPED: &str =
    "-----BEGIN PRIVATE KEY-----\\nMC4CAQAwBQYDK2VwBCIEIA==\\n-----END PRIVATE KEY-----";
const POLY_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const FUNDER: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

fn load(env: &[(&str, &str)]) -> Config {
    Config::load(&ConfigSources::new().with_env(env.iter().copied())).expect("valid configuration")
}

/// Every secret set to a recognisable value.
fn all_secrets() -> Vec<(&'static str, &'static str)> {
    vec![
        ("DISCORD_BOT_TOKEN", "discord-token-SECRET1"),
        ("DISCORD_CHANNEL_ID", "123456789"),
        ("KALSHI_API_KEY", "kalshi-key-id"),
        ("KALSHI_API_SECRET", PEM_ESCAPED),
        ("POLYMARKET_PRIVATE_KEY", POLY_KEY),
        ("POLYMARKET_API_KEY", "poly-api-key-SECRET2"),
        ("POLYMARKET_API_SECRET", "poly-api-secret-SECRET3"),
        ("POLYMARKET_API_PASSPHRASE", "poly-passphrase-SECRET4"),
        (
            "DATABASE_URL",
            "postgres://arb:db-password-SECRET5@db:5432/arb?sslmode=disable",
        ),
        ("VERIFIER_URL", "https://llm.example/v1"),
        ("VERIFIER_MODEL", "judge-model"),
        ("VERIFIER_API_KEY", "sk-verifier-SECRET6"),
        (
            "CONSOLE_TOKENS",
            "alice=console-token-SECRET7,carol=console-token-SECRET8",
        ),
        ("CONSOLE_READONLY_TOKENS", "bob=console-token-SECRET9"),
    ]
}

/// Text that must never appear in any output.
const SECRET_MARKERS: &[&str] = &[
    "SECRET1",
    "SECRET2",
    "SECRET3",
    "SECRET4",
    "SECRET5",
    "SECRET6",
    "SECRET7",
    "SECRET8",
    "SECRET9",
    "MC4CAQAwBQYDK2VwBCIEIA",
    "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
];

#[test]
fn defaults_are_safe_and_documented() {
    let c = load(&[]);
    assert_eq!(c.trading_mode, TradingMode::Monitor);
    assert_eq!(c.database_url.expose(), "sqlite://arbitrage.db");
    assert_eq!(c.database_url.kind(), DatabaseKind::Sqlite);
    assert_eq!(c.strategy.min_arbitrage_threshold, dec!(0.01));
    assert_eq!(c.strategy.min_profit_usd, dec!(0.10));
    assert_eq!(c.strategy.price_fetch_interval, Duration::from_secs(5));
    assert_eq!(c.risk.max_trade_size, dec!(1000));
    assert_eq!(c.risk.max_position_per_market, dec!(5000));
    assert_eq!(c.risk.max_total_exposure, dec!(25000));
    assert_eq!(c.risk.daily_loss_limit, dec!(500));
    assert_eq!(c.risk.pair_cooldown, Duration::from_secs(60));
    assert_eq!(c.risk.max_consecutive_errors, 5);
    assert_eq!(c.risk.min_balance_reserve, dec!(0));
    assert_eq!(c.execution.mode, ExecutionMode::Sequential);
    assert_eq!(c.execution.slippage_tolerance, dec!(0.02));
    assert_eq!(c.execution.order_timeout, Duration::from_secs(30));
    assert_eq!(c.execution.max_hedge_attempts, 3);
    assert_eq!(c.logging.level, LogLevel::Info);
    assert_eq!(c.logging.directive(), "info");
    assert_eq!(c.logging.format, LogFormat::Text);
    assert_eq!(c.logging.dir, Path::new("logs"));
    assert_eq!(c.logging.max_files, 14);
    assert_eq!(
        c.metrics.addr,
        Some("127.0.0.1:9464".parse::<SocketAddr>().unwrap())
    );
    // The console listens on loopback, but is not served until someone can sign in.
    assert_eq!(
        c.console.addr,
        Some("127.0.0.1:8080".parse::<SocketAddr>().unwrap())
    );
    assert!(c.console.tokens.is_empty() && !c.console.readonly_open);
    assert!(!c.console.serves());
    assert_eq!(
        c.kalshi.api_url,
        "https://external-api.kalshi.com/trade-api/v2"
    );
    assert_eq!(
        c.kalshi.ws_url,
        "wss://external-api-ws.kalshi.com/trade-api/ws/v2"
    );
    assert_eq!(c.polymarket.clob_url, "https://clob.polymarket.com");
    assert_eq!(c.polymarket.gamma_url, "https://gamma-api.polymarket.com");
    assert_eq!(c.polymarket.data_url, "https://data-api.polymarket.com");
    assert_eq!(
        c.polymarket.ws_url,
        "wss://ws-subscriptions-clob.polymarket.com/ws"
    );
    assert_eq!(c.polymarket.signature_type, SignatureType::Eoa);
    assert!(c.discord.bot_token.is_none());
    assert!(!c.discord.readonly_open);
    assert_eq!(c.origin("MAX_TRADE_SIZE"), Some(Origin::Default));
}

#[test]
fn kalshi_demo_switches_default_hosts_but_not_overrides() {
    let c = load(&[
        ("KALSHI_ENV", "demo"),
        ("KALSHI_WS_URL", "ws://127.0.0.1:9001/ws/"),
    ]);
    assert_eq!(
        c.kalshi.api_url,
        "https://external-api.demo.kalshi.co/trade-api/v2"
    );
    assert_eq!(c.kalshi.ws_url, "ws://127.0.0.1:9001/ws");
}

#[test]
fn values_are_parsed_case_insensitively_and_trimmed() {
    let c = load(&[
        ("TRADING_MODE", " PAPER "),
        ("LOG_LEVEL", "WARNING"),
        ("LOG_FORMAT", "Json"),
        ("EXECUTION_MODE", "concurrent"),
        ("POLYMARKET_SIGNATURE_TYPE", "2"),
        ("POLYMARKET_FUNDER", FUNDER),
        ("DISCORD_ALLOWED_USER_IDS", "11, 22,33"),
        ("DISCORD_READONLY_OPEN", "yes"),
        ("METRICS_ADDR", "off"),
        ("RUST_LOG", "info,arb_core=debug"),
        ("PAIR_COOLDOWN_SECONDS", "0"),
    ]);
    assert_eq!(c.trading_mode, TradingMode::Paper);
    assert_eq!(c.logging.level, LogLevel::Warn);
    assert_eq!(c.logging.format, LogFormat::Json);
    assert_eq!(c.logging.directive(), "info,arb_core=debug");
    assert_eq!(c.execution.mode, ExecutionMode::Concurrent);
    assert_eq!(c.polymarket.signature_type, SignatureType::PolyGnosisSafe);
    assert_eq!(c.polymarket.signature_type.code(), 2);
    assert_eq!(c.polymarket.funder.as_deref(), Some(FUNDER));
    assert_eq!(c.discord.allowed_user_ids, vec![11, 22, 33]);
    assert!(c.discord.readonly_open);
    assert_eq!(c.metrics.addr, None);
    assert_eq!(c.risk.pair_cooldown, Duration::ZERO);
}

#[test]
fn escaped_pem_newlines_become_real_newlines() {
    let c = load(&[("KALSHI_API_SECRET", PEM_ESCAPED)]);
    let Some(KalshiKey::Pem(pem)) = &c.kalshi.private_key else {
        panic!("expected a PEM key");
    };
    assert_eq!(
        pem.expose(),
        "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----"
    );
}

#[test]
fn kalshi_key_path_is_accepted_when_the_file_exists() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kalshi.pem");
    std::fs::write(&path, "pem").unwrap();
    let c = load(&[("KALSHI_PRIVATE_KEY_PATH", path.to_str().unwrap())]);
    assert!(matches!(&c.kalshi.private_key, Some(KalshiKey::Path(p)) if *p == path));
}

#[test]
fn precedence_is_env_then_dotenv_then_toml_then_default() {
    let dir = tempfile::tempdir().unwrap();
    let dotenv = dir.path().join(".env");
    std::fs::write(
        &dotenv,
        "# comment\nMAX_TRADE_SIZE=200\nMAX_POSITION_PER_MARKET=2000\nLOG_DIR=dot-logs\n\
         UNRELATED_TOOL_SETTING=x\n",
    )
    .unwrap();
    let toml = dir.path().join("arb.toml");
    std::fs::write(
        &toml,
        "max_trade_size = 300\nmax_position_per_market = \"3000\"\nMAX_TOTAL_EXPOSURE = 30000\n\
         min_arbitrage_threshold = 0.015\n",
    )
    .unwrap();
    let sources = ConfigSources::new()
        .with_env([("MAX_TRADE_SIZE", "100"), ("LOG_DIR", "")])
        .with_dotenv_file(&dotenv)
        .unwrap()
        .with_toml_file(&toml)
        .unwrap();
    let c = Config::load(&sources).unwrap();

    assert_eq!(c.risk.max_trade_size, dec!(100));
    assert_eq!(c.origin("MAX_TRADE_SIZE"), Some(Origin::Env));
    assert_eq!(c.risk.max_position_per_market, dec!(2000));
    assert_eq!(c.origin("MAX_POSITION_PER_MARKET"), Some(Origin::DotEnv));
    assert_eq!(c.risk.max_total_exposure, dec!(30000));
    assert_eq!(c.origin("MAX_TOTAL_EXPOSURE"), Some(Origin::Toml));
    assert_eq!(c.strategy.min_arbitrage_threshold, dec!(0.015));
    assert_eq!(c.risk.daily_loss_limit, dec!(500));
    assert_eq!(c.origin("DAILY_LOSS_LIMIT"), Some(Origin::Default));
    // An empty environment value counts as unset and falls through to `.env`.
    assert_eq!(c.logging.dir, Path::new("dot-logs"));
    assert_eq!(c.origin("LOG_DIR"), Some(Origin::DotEnv));
}

#[test]
fn errors_say_which_layer_the_bad_value_came_from() {
    let sources = ConfigSources::new()
        .with_toml_str("slippage_tolerance = 0.9", Path::new("arb.toml"))
        .unwrap();
    assert_eq!(
        Config::load(&sources).unwrap_err().to_string(),
        "SLIPPAGE_TOLERANCE (from config file): value `0.9` is out of range: \
         expected a decimal in [0, 0.5]"
    );
}

#[test]
fn toml_arrays_and_booleans() {
    let sources = ConfigSources::new()
        .with_toml_str(
            "discord_allowed_role_ids = [7, 8]\ndiscord_readonly_open = true\n",
            Path::new("arb.toml"),
        )
        .unwrap();
    let c = Config::load(&sources).unwrap();
    assert_eq!(c.discord.allowed_role_ids, vec![7, 8]);
    assert!(c.discord.readonly_open);
}

#[test]
fn toml_unknown_key_is_an_error() {
    let err = ConfigSources::new()
        .with_toml_str("max_trade_sise = 10", Path::new("arb.toml"))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "arb.toml: unknown key `max_trade_sise` (keys are the variable names, e.g. `max_trade_size`)"
    );
}

#[test]
fn toml_tables_are_rejected() {
    let err = ConfigSources::new()
        .with_toml_str("[risk]\nmax_trade_size = 10", Path::new("arb.toml"))
        .unwrap_err();
    assert_eq!(
        err,
        ConfigError::UnknownKey {
            path: "arb.toml".into(),
            key: "risk".into()
        }
    );
    let err = ConfigSources::new()
        .with_toml_str("log_dir = { path = \"x\" }", Path::new("arb.toml"))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "arb.toml: `log_dir`: expected a string, number, boolean or array of them"
    );
}

#[test]
fn malformed_toml_gives_the_line_and_never_quotes_it() {
    let err = ConfigSources::new()
        .with_toml_str(
            "log_dir = \"x\"\npolymarket_private_key = 0xdeadSECRET\n",
            Path::new("arb.toml"),
        )
        .unwrap_err();
    let message = err.to_string();
    assert!(message.starts_with("arb.toml: line 2: "), "{message}");
    assert!(!message.contains("SECRET"), "{message}");
}

#[test]
fn missing_toml_file_is_an_error() {
    let err = ConfigSources::new()
        .with_toml_file(Path::new("/nonexistent/arb.toml"))
        .unwrap_err();
    assert!(
        matches!(&err, ConfigError::File { path, message }
            if path == Path::new("/nonexistent/arb.toml") && message.starts_with("cannot read: ")),
        "{err}"
    );
}

#[test]
fn malformed_dotenv_never_quotes_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let dotenv = dir.path().join(".env");
    std::fs::write(&dotenv, "KALSHI_API_SECRET='unterminated SECRET\n").unwrap();
    let err = ConfigSources::new().with_dotenv_file(&dotenv).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("malformed line"), "{message}");
    assert!(!message.contains("SECRET"), "{message}");
}

#[test]
fn debug_never_shows_secrets() {
    let c = load(&all_secrets());
    let debug = format!("{c:?}");
    for marker in SECRET_MARKERS {
        assert!(!debug.contains(marker), "{marker} leaked in Debug: {debug}");
    }
    assert!(debug.contains("<redacted>"));
    assert!(debug.contains("kalshi-key-id"));
}

#[test]
fn render_lists_every_variable_once_with_secrets_as_set() {
    let c = load(&all_secrets());
    let rendered = c.render();
    for marker in SECRET_MARKERS {
        assert!(!rendered.contains(marker), "{marker} leaked: {rendered}");
    }
    let names: Vec<&str> = rendered
        .lines()
        .map(|line| line.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(names, VARIABLES);
    let line = |var: &str| {
        rendered
            .lines()
            .find(|line| line.split_whitespace().next() == Some(var))
            .unwrap()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(
        line("DISCORD_BOT_TOKEN"),
        "DISCORD_BOT_TOKEN = set (environment)"
    );
    assert_eq!(
        line("KALSHI_API_SECRET"),
        "KALSHI_API_SECRET = set (environment)"
    );
    assert_eq!(
        line("POLYMARKET_API_PASSPHRASE"),
        "POLYMARKET_API_PASSPHRASE = set (environment)"
    );
    assert_eq!(
        line("KALSHI_PRIVATE_KEY_PATH"),
        "KALSHI_PRIVATE_KEY_PATH = unset (default)"
    );
    assert_eq!(
        line("DATABASE_URL"),
        "DATABASE_URL = postgres://arb:<redacted>@db:5432/arb?sslmode=disable (environment)"
    );
    assert_eq!(
        line("KALSHI_API_KEY"),
        "KALSHI_API_KEY = kalshi-key-id (environment)"
    );
    assert_eq!(line("MAX_TRADE_SIZE"), "MAX_TRADE_SIZE = 1000 (default)");
    assert_eq!(
        line("VERIFIER_API_KEY"),
        "VERIFIER_API_KEY = set (environment)"
    );
    assert_eq!(
        line("VERIFIER_URL"),
        "VERIFIER_URL = https://llm.example/v1 (environment)"
    );
}

#[test]
fn the_verifier_is_off_by_default_and_on_with_an_endpoint_and_model() {
    let c = load(&[]);
    assert_eq!(c.verifier.endpoint(), None);
    assert_eq!(c.verifier.top_n, 3);
    assert_eq!(c.verifier.timeout, Duration::from_secs(30));
    assert!(c.verifier.api_key.is_none());

    let c = load(&[
        ("VERIFIER_URL", "http://127.0.0.1:8080/v1/"),
        ("VERIFIER_MODEL", "local-judge"),
        ("VERIFIER_TOP_N", "5"),
        ("VERIFIER_TIMEOUT_SECONDS", "12"),
    ]);
    assert_eq!(
        c.verifier.endpoint(),
        Some(("http://127.0.0.1:8080/v1", "local-judge"))
    );
    assert_eq!(
        (c.verifier.top_n, c.verifier.timeout),
        (5, Duration::from_secs(12))
    );
}

#[test]
fn the_verifier_key_is_read_from_its_file_trimmed_and_never_shown() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("verifier.key");
    std::fs::write(&path, "  sk-from-file-SECRET7\n").unwrap();
    let c = load(&[
        ("VERIFIER_URL", "https://llm.example/v1"),
        ("VERIFIER_MODEL", "judge-model"),
        ("VERIFIER_API_KEY_FILE", path.to_str().unwrap()),
    ]);
    let key = c.verifier.api_key.as_ref().unwrap();
    assert_eq!(key.secret().expose(), "sk-from-file-SECRET7");
    let shown = format!("{c:?}\n{}", c.render());
    assert!(!shown.contains("SECRET7"), "{shown}");
    assert!(
        shown
            .lines()
            .any(|line| line.starts_with("VERIFIER_API_KEY_FILE ")
                && line.contains(&format!("= {}  (environment)", path.display()))),
        "{shown}"
    );
}

#[test]
fn database_url_masks_password_in_display_and_query() {
    let c = load(&[(
        "DATABASE_URL",
        "postgresql://u:p4ss@host/db?password=p4ss&sslmode=require",
    )]);
    assert_eq!(c.database_url.kind(), DatabaseKind::Postgres);
    assert_eq!(
        c.database_url.to_string(),
        "postgresql://u:<redacted>@host/db?password=<redacted>&sslmode=require"
    );
    assert!(!format!("{:?}", c.database_url).contains("p4ss"));
    assert_eq!(
        c.database_url.expose(),
        "postgresql://u:p4ss@host/db?password=p4ss&sslmode=require"
    );
}

#[test]
fn every_variable_is_documented_in_the_readme_and_env_example() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("../README.md")).unwrap();
    let env_example = std::fs::read_to_string(root.join("../.env.example")).unwrap();
    for var in VARIABLES {
        assert!(
            readme
                .lines()
                .any(|line| line.starts_with(&format!("| `{var}` "))),
            "{var} not in README.md"
        );
        assert!(
            env_example.lines().any(|line| line
                .trim_start_matches("# ")
                .starts_with(&format!("{var}="))),
            "{var} not in .env.example"
        );
    }
}

#[test]
fn env_example_loads_as_a_valid_dotenv() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sources = ConfigSources::new()
        .with_dotenv_file(&root.join("../.env.example"))
        .unwrap();
    let c = Config::load(&sources).unwrap();
    assert_eq!(c.trading_mode, TradingMode::Monitor);
}

#[test]
fn secret_debug_and_display_are_redacted() {
    let secret = arb_daemon::Secret::new("hunter2");
    assert_eq!(format!("{secret:?}"), "<redacted>");
    assert_eq!(secret.to_string(), "<redacted>");
    assert_eq!(secret.expose(), "hunter2");
}

#[test]
fn database_password_is_percent_encoded_into_the_url() {
    let config = load(&[
        ("DATABASE_URL", "postgres://arb@postgres:5432/arbitrage"),
        ("DATABASE_PASSWORD", "p@ss/w:rd %x?#"),
    ]);
    assert_eq!(
        config.database_url.expose(),
        "postgres://arb:p%40ss%2Fw%3Ard%20%25x%3F%23@postgres:5432/arbitrage"
    );
    assert_eq!(
        config.database_url.to_string(),
        "postgres://arb:<redacted>@postgres:5432/arbitrage"
    );
    let rendered = config.render();
    assert!(
        !rendered.contains("p%40ss") && !rendered.contains("p@ss"),
        "{rendered}"
    );
    let line = rendered
        .lines()
        .find(|l| l.starts_with("DATABASE_PASSWORD"))
        .expect("DATABASE_PASSWORD is listed");
    assert!(line.contains("set"), "{line}");

    for (url, problem) in [
        (
            "sqlite://arb.db",
            "only used with a postgres:// DATABASE_URL",
        ),
        ("postgres://arb:other@db/arb", "already holds a password"),
        ("postgres://db/arb", "names no user"),
    ] {
        let err = Config::load(
            &ConfigSources::new()
                .with_env([("DATABASE_URL", url), ("DATABASE_PASSWORD", "secret-VALUE")]),
        )
        .expect_err("refused");
        let text = err.to_string();
        assert!(text.contains(problem), "{url}: {text}");
        assert!(!text.contains("secret-VALUE"), "{text}");
    }
}

#[test]
fn record_dir_is_off_by_default_and_shown_by_config_check() {
    let c = load(&[]);
    assert_eq!(c.record_dir, None);
    assert!(c.render().contains("RECORD_DIR"), "{}", c.render());
    let c = load(&[("RECORD_DIR", "recordings/live")]);
    assert_eq!(c.record_dir.as_deref(), Some(Path::new("recordings/live")));
    assert!(
        c.render().lines().any(|l| l.starts_with("RECORD_DIR")
            && l.contains("= recordings/live")
            && l.contains("(environment)")),
        "{}",
        c.render()
    );
}
