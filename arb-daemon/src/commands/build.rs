//! Builds the engine's parts from the configuration: store, venues, notifier, settings.

use std::sync::Arc;
use std::time::Duration;

use arb_core::clock::{Clock, SystemClock, UniqueIds};
use arb_core::engine::{Engine, EngineConfig, LeaseConfig, TradingMode};
use arb_core::exchange::Exchange;
use arb_core::matching::verify::{CachedVerifier, SuggestionVerifier, VerifyConfig};
use arb_core::notify::{LogNotifier, Notification, Notifier, NotifyError};
use arb_core::record::SharedTap;
use arb_core::risk::RiskLimits;
use arb_core::sim::PaperExchange;
use arb_core::store::{Store, StoreError};
use arb_store::OpenMode;
use rust_decimal::Decimal;

use super::CommandError;
use crate::config::Config;
use crate::metrics::Metrics;

/// Paper cash per venue in `paper` mode.
pub const PAPER_STARTING_CASH: Decimal = Decimal::from_parts(10_000, 0, 0, false, 0);

/// Opens the store at `DATABASE_URL` in `mode` (creating and migrating it, migrating an existing
/// one, or reading it only).
///
/// # Errors
/// [`CommandError::StoreMissing`] for a SQLite file that does not exist when `mode` does not
/// create it; [`CommandError::Store`] when the database cannot be opened (naming it and what
/// failed), or its schema is not one this program can use.
pub async fn open_store(config: &Config, mode: OpenMode) -> Result<Arc<dyn Store>, CommandError> {
    match arb_store::open(config.database_url.expose(), mode).await {
        Ok(store) => Ok(Arc::new(store)),
        Err(StoreError::NotFound(what)) => Err(CommandError::StoreMissing(what)),
        Err(e) => Err(e.into()),
    }
}

/// The engine settings the configuration describes.
#[must_use]
pub fn engine_config(config: &Config) -> EngineConfig {
    let mut engine = EngineConfig::new(config.trading_mode);
    engine.min_profit_fraction = config.strategy.min_arbitrage_threshold;
    engine.min_profit_usd = config.strategy.min_profit_usd;
    engine.price_fetch_interval = config.strategy.price_fetch_interval;
    let risk = &config.risk;
    engine.risk = RiskLimits {
        max_trade_usd: risk.max_trade_size,
        max_exposure_per_market_usd: risk.max_position_per_market,
        max_total_exposure_usd: risk.max_total_exposure,
        pair_cooldown: chrono::Duration::from_std(risk.pair_cooldown)
            .unwrap_or(chrono::Duration::MAX),
        max_daily_loss_usd: risk.daily_loss_limit,
        max_consecutive_errors: risk.max_consecutive_errors,
        min_balance_reserve_usd: risk.min_balance_reserve,
    };
    let execution = &config.execution;
    engine.execution.mode = execution.mode;
    engine.execution.slippage_tolerance = execution.slippage_tolerance;
    engine.execution.order_timeout = execution.order_timeout;
    engine.execution.max_hedge_attempts = execution.max_hedge_attempts;
    engine.leases = LeaseConfig {
        ttl: config.leases.ttl,
        renew_every: config.leases.renew,
        group: config.leases.group.clone(),
        max_pairs: config.leases.max_pairs,
        owner: None,
    };
    engine
}

/// Settings of the demo: the defaults with short cooldowns and fast control loops, so a 20-second
/// run shows several executions.
#[must_use]
pub fn demo_engine_config() -> EngineConfig {
    let mut engine = EngineConfig::new(TradingMode::Live);
    engine.risk.pair_cooldown = chrono::Duration::seconds(2);
    engine.risk.max_trade_usd = Decimal::from(100);
    engine.execution.order_timeout = Duration::from_secs(3);
    engine.execution.poll_interval = Duration::from_millis(50);
    engine.control_poll_interval = Duration::from_millis(500);
    engine.reconcile_interval = Duration::from_secs(2);
    engine.price_fetch_interval = Duration::from_secs(1);
    engine
}

/// An engine over `store` and `venues`, logging notifications.
///
/// # Errors
/// Unusable settings.
pub fn engine(
    config: &Config,
    store: Arc<dyn Store>,
    venues: Vec<Arc<dyn Exchange>>,
) -> Result<Engine, CommandError> {
    engine_with(config, store, venues, Arc::new(LogNotifier))
}

/// An engine over `store` and `venues` with the given notifier.
///
/// # Errors
/// Unusable settings.
pub fn engine_with(
    config: &Config,
    store: Arc<dyn Store>,
    venues: Vec<Arc<dyn Exchange>>,
    notifier: Arc<dyn Notifier>,
) -> Result<Engine, CommandError> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let verifier = verifier(config, Arc::clone(&store), Arc::clone(&clock))?;
    let engine = Engine::new(arb_core::engine::EngineParts {
        venues,
        store,
        notifier,
        clock,
        ids: Arc::new(UniqueIds::new()),
        config: engine_config(config),
    })?;
    if let Some(verifier) = verifier {
        engine.set_verifier(verifier)?;
    }
    Ok(engine)
}

/// The semantic verifier the configuration describes (`None` while `VERIFIER_URL` is unset):
/// the LLM judge, its verdicts cached in `store`.
///
/// # Errors
/// [`CommandError::Verifier`] when the judge cannot be built from the settings.
pub fn verifier(
    config: &Config,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
) -> Result<Option<SuggestionVerifier>, CommandError> {
    let v = &config.verifier;
    let Some((endpoint, model)) = v.endpoint() else {
        return Ok(None);
    };
    let judge = arb_verifier::OpenAiJudge::new(arb_verifier::JudgeSettings {
        endpoint: endpoint.to_owned(),
        model: model.to_owned(),
        api_key: v
            .api_key
            .as_ref()
            .map(|key| arb_verifier::ApiKey::new(key.secret().expose())),
        timeout: v.timeout,
    })?;
    let cached = CachedVerifier::new(Arc::new(judge), store, clock);
    Ok(Some(SuggestionVerifier::new(
        Arc::new(cached),
        VerifyConfig {
            top_n: v.top_n,
            ..VerifyConfig::default()
        },
    )))
}

/// Kalshi (venue A) and Polymarket (venue B) without trading credentials: public market data only.
///
/// # Errors
/// A venue client cannot be built (bad host URL).
pub fn data_venues(config: &Config) -> Result<Vec<Arc<dyn Exchange>>, CommandError> {
    Ok(vec![
        Arc::new(venues::kalshi(config, false)?),
        Arc::new(venues::polymarket(config, false)?),
    ])
}

/// The venues `run` trades on: with credentials in `live` mode; wrapped in [`PaperExchange`]
/// (live data, simulated fills, paper cash) in `paper` mode; public data only in `monitor` mode.
/// With a `tap` (`RECORD_DIR`), the adapters hand it every raw book message they receive.
///
/// # Errors
/// Missing or unusable credentials, or a bad host URL.
pub async fn trading_venues(
    config: &Config,
    tap: Option<&SharedTap>,
) -> Result<Vec<Arc<dyn Exchange>>, CommandError> {
    let trading = config.trading_mode == TradingMode::Live;
    let mut kalshi = venues::kalshi(config, trading)?;
    let mut polymarket = venues::polymarket(config, trading)?;
    if let Some(tap) = tap {
        kalshi = kalshi.with_raw_tap(Arc::clone(tap));
        polymarket = polymarket.with_raw_tap(Arc::clone(tap));
    }
    let adapters: Vec<Arc<dyn Exchange>> = vec![Arc::new(kalshi), Arc::new(polymarket)];
    Ok(match config.trading_mode {
        TradingMode::Paper => adapters
            .into_iter()
            .map(|live| {
                Arc::new(PaperExchange::new(
                    live,
                    PAPER_STARTING_CASH,
                    Arc::new(SystemClock),
                    Arc::new(UniqueIds::new()),
                )) as Arc<dyn Exchange>
            })
            .collect(),
        TradingMode::Live | TradingMode::Monitor => adapters,
    })
}

/// The venues `record` reads, handing every raw book message to `tap`: public market data,
/// with Kalshi's key when one is configured (its WebSocket needs it; without it Kalshi's books
/// are polled over REST).
///
/// # Errors
/// Unusable credentials, or a bad host URL.
pub fn recording_venues(
    config: &Config,
    tap: &SharedTap,
) -> Result<Vec<Arc<dyn Exchange>>, CommandError> {
    let k = &config.kalshi;
    let signed = k.api_key_id.is_some() && k.private_key.is_some();
    Ok(vec![
        Arc::new(venues::kalshi(config, signed)?.with_raw_tap(Arc::clone(tap))),
        Arc::new(venues::polymarket(config, false)?.with_raw_tap(Arc::clone(tap))),
    ])
}

/// The Discord side (notifier and bot) when `DISCORD_BOT_TOKEN` is set.
///
/// # Errors
/// Discord's HTTP client cannot be built.
pub fn discord(
    config: &Config,
    clock: Arc<dyn Clock>,
) -> Result<Option<arb_discord::Discord>, CommandError> {
    let d = &config.discord;
    let (Some(token), Some(channel)) = (&d.bot_token, d.channel_id) else {
        return Ok(None);
    };
    let settings = arb_discord::DiscordSettings::new(
        arb_discord::BotToken::new(token.expose()),
        channel,
        arb_discord::Policy::new(
            d.allowed_user_ids.iter().copied(),
            d.allowed_role_ids.iter().copied(),
            d.readonly_open,
        ),
    );
    arb_discord::Discord::start(&settings, clock)
        .map(Some)
        .map_err(|e| {
            CommandError::Exchange(arb_core::exchange::ExchangeError::Network(format!(
                "Discord: {e}"
            )))
        })
}

/// Where notifications go: the log always, Discord when configured, and the metrics counters.
#[must_use]
pub fn notifier(metrics: Arc<Metrics>, discord: Option<Arc<dyn Notifier>>) -> Arc<dyn Notifier> {
    let mut sinks: Vec<Arc<dyn Notifier>> = vec![Arc::new(LogNotifier)];
    sinks.extend(discord);
    Arc::new(MetricsNotifier { metrics, sinks })
}

/// Counts opportunities and finished executions for `/metrics`, then hands the notification to
/// every sink (a refusing sink does not stop the others).
struct MetricsNotifier {
    metrics: Arc<Metrics>,
    sinks: Vec<Arc<dyn Notifier>>,
}

impl Notifier for MetricsNotifier {
    fn notify(&self, notification: Notification) -> Result<(), NotifyError> {
        match &notification {
            Notification::Opportunity { .. } => self.metrics.opportunity_detected(),
            Notification::ExecutionUpdate { execution } if execution.state.is_terminal() => {
                self.metrics
                    .execution_finished(&format!("{:?}", execution.state).to_lowercase());
            }
            _ => {}
        }
        let mut refused = None;
        for sink in &self.sinks {
            if let Err(e) = sink.notify(notification.clone()) {
                refused = Some(e);
            }
        }
        refused.map_or(Ok(()), Err)
    }
}

mod venues {
    //! The two real venues, built from the configuration.
    use arb_core::exchange::ExchangeError;
    use arb_polymarket::signing::{ApiCreds, SignatureType, Wallet, parse_address};

    use super::{CommandError, Config};
    use crate::config::{KalshiEnv, KalshiKey, SignatureType as ConfiguredSignature};

    fn invalid(what: &str, e: impl std::fmt::Display) -> CommandError {
        CommandError::Exchange(ExchangeError::InvalidRequest(format!("{what}: {e}")))
    }

    /// The Kalshi adapter; with `trading`, signing with the configured key.
    pub fn kalshi(
        config: &Config,
        trading: bool,
    ) -> Result<arb_kalshi::KalshiExchange, CommandError> {
        let k = &config.kalshi;
        let environment = match k.env {
            KalshiEnv::Prod => arb_kalshi::Environment::Production,
            KalshiEnv::Demo => arb_kalshi::Environment::Demo,
        };
        let mut venue = arb_kalshi::KalshiConfig::for_environment(environment)
            .with_hosts(&k.api_url, &k.ws_url);
        if trading {
            let (Some(key_id), Some(key)) = (&k.api_key_id, &k.private_key) else {
                return Err(invalid(
                    "Kalshi",
                    "KALSHI_API_KEY and a private key are required to trade",
                ));
            };
            let credentials = match key {
                KalshiKey::Pem(pem) => {
                    arb_kalshi::Credentials::from_pem(key_id.clone(), pem.expose())
                }
                KalshiKey::Path(path) => {
                    arb_kalshi::Credentials::from_pem_file(key_id.clone(), path)
                }
            }
            .map_err(|e| invalid("Kalshi private key", e))?;
            venue = venue.with_credentials(credentials);
        }
        Ok(arb_kalshi::KalshiExchange::new(venue)?)
    }

    /// The Polymarket adapter; with `trading`, signing with the configured key (API credentials
    /// are derived on first use when not configured).
    pub fn polymarket(
        config: &Config,
        trading: bool,
    ) -> Result<arb_polymarket::PolymarketExchange, CommandError> {
        let p = &config.polymarket;
        let mut venue = arb_polymarket::PolymarketConfig {
            clob_url: p.clob_url.clone(),
            gamma_url: p.gamma_url.clone(),
            data_url: p.data_url.clone(),
            ws_market_url: format!("{}/market", p.ws_url.trim_end_matches('/')),
            ws_user_url: format!("{}/user", p.ws_url.trim_end_matches('/')),
            ..arb_polymarket::PolymarketConfig::default()
        };
        if trading {
            let Some(key) = &p.private_key else {
                return Err(invalid(
                    "Polymarket",
                    "POLYMARKET_PRIVATE_KEY is required to trade",
                ));
            };
            let signature_type = match p.signature_type {
                ConfiguredSignature::Eoa => SignatureType::Eoa,
                ConfiguredSignature::PolyProxy => SignatureType::PolyProxy,
                ConfiguredSignature::PolyGnosisSafe => SignatureType::PolyGnosisSafe,
                ConfiguredSignature::Poly1271 => {
                    return Err(invalid(
                        "POLYMARKET_SIGNATURE_TYPE",
                        "deposit wallets (3, POLY_1271) are not supported yet; use 0, 1 or 2",
                    ));
                }
            };
            let funder = p
                .funder
                .as_deref()
                .map(parse_address)
                .transpose()
                .map_err(|e| invalid("POLYMARKET_FUNDER", e))?;
            let wallet = Wallet::from_hex(key.expose(), funder, signature_type)
                .map_err(|e| invalid("POLYMARKET_PRIVATE_KEY", e))?;
            let api_creds = p
                .api_creds
                .as_ref()
                .map(|c| ApiCreds::new(c.key.expose(), c.secret.expose(), c.passphrase.expose()))
                .transpose()
                .map_err(|e| invalid("POLYMARKET_API_*", e))?;
            venue.credentials = Some(arb_polymarket::TradingCredentials { wallet, api_creds });
        }
        arb_polymarket::PolymarketExchange::new(venue).map_err(|e| CommandError::Exchange(e.into()))
    }
}
