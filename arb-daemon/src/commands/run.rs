//! `arb-daemon run`: the long-running daemon.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use arb_core::clock::{Clock, SystemClock};
use arb_core::engine::EngineHandle;
use arb_core::notify::Notifier;

use arb_core::exchange::Exchange;

use super::instrument::Instrumented;
use super::{CommandError, build, open_store};
use crate::config::Config;
use crate::metrics::{HealthReport, Metrics, start};
use crate::shutdown;

/// When the daily PnL summary is posted (UTC).
const DAILY_SUMMARY_AT: chrono::NaiveTime = match chrono::NaiveTime::from_hms_opt(23, 55, 0) {
    Some(t) => t,
    None => chrono::NaiveTime::MIN,
};

/// How often `/health` is refreshed.
const HEALTH_REFRESH: Duration = Duration::from_secs(5);

/// Runs until SIGINT/SIGTERM: syncs catalogues, then watches approved pairs and trades per
/// `TRADING_MODE`. On a stop signal no new execution starts; in-flight ones finish hedging.
///
/// # Errors
/// Start-up failures (store, venues, metrics address) and engine failures (a store write that
/// fails halts trading and ends the run: fail closed).
pub async fn run(config: &Config, out: &mut (dyn Write + Send)) -> Result<(), CommandError> {
    let (trigger, signal) = shutdown::channel();
    let signal_task = shutdown::trigger_on_os_signal(trigger)?;
    let metrics = Arc::new(Metrics::new());
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let store = open_store(config).await?;
    let venues = build::trading_venues(config)
        .await?
        .into_iter()
        .map(|venue| Arc::new(Instrumented::new(venue, Arc::clone(&metrics))) as Arc<dyn Exchange>)
        .collect();
    let discord = build::discord(config, Arc::clone(&clock))?.map(Arc::new);
    let notifier = build::notifier(
        Arc::clone(&metrics),
        discord.as_ref().map(|d| d.notifier() as Arc<dyn Notifier>),
    );
    let engine = build::engine_with(config, store, venues, Arc::clone(&notifier))?;
    let handle = engine.handle();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    if let Some(discord) = &discord {
        let (discord, api, stop) = (
            Arc::clone(discord),
            Arc::new(handle.clone()),
            stop_rx.clone(),
        );
        tokio::spawn(async move {
            if let Err(e) = discord.serve(api, stop).await {
                tracing::error!(error = %e, "Discord bot stopped; alerts are still queued and logged");
            }
        });
        tokio::spawn(arb_discord::service::daily_summaries(
            Arc::new(handle.clone()),
            Arc::clone(&notifier),
            Arc::clone(&clock),
            DAILY_SUMMARY_AT,
            stop_rx.clone(),
        ));
    }

    let health = Arc::new(Mutex::new(HealthReport {
        healthy: true,
        details: serde_json::json!({ "mode": config.trading_mode.to_string(), "state": "starting" }),
    }));
    if let Some(addr) = config.metrics.addr {
        let report = Arc::clone(&health);
        let check = Arc::new(move || {
            report
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clone()
        });
        start(addr, Arc::clone(&metrics), check, signal.clone()).await?;
    }
    tokio::spawn(refresh_health(
        handle.clone(),
        Arc::clone(&health),
        Arc::clone(&metrics),
        config.metrics.stale_after,
        signal.clone(),
    ));

    writeln!(
        out,
        "arb-daemon running in {} mode; Ctrl-C stops it (in-flight executions finish hedging)",
        config.trading_mode
    )?;
    let report = handle.sync_markets().await?;
    for v in &report.venues {
        tracing::info!(venue = %v.venue, markets = v.stored, complete = v.is_complete(), "catalogue synced");
    }
    if let Some(problems) = report.problems() {
        tracing::warn!(
            %problems,
            retry_in = ?arb_core::engine::SYNC_RETRY.first,
            "catalogue sync incomplete; trading the pairs already approved and retrying with backoff"
        );
    }
    let forward = {
        let signal = signal.clone();
        tokio::spawn(async move {
            signal.triggered().await;
            let _ = stop_tx.send(true);
        })
    };
    let result = engine.run(stop_rx).await;
    forward.abort();
    signal_task.abort();
    writeln!(out, "arb-daemon stopped")?;
    Ok(result?)
}

/// Keeps `/health` current (every 5 s): healthy only when the daemon can do its job
/// ([`crate::metrics::health::assess`]); 503 with the error when the store cannot be read.
async fn refresh_health(
    handle: EngineHandle,
    health: Arc<Mutex<HealthReport>>,
    metrics: Arc<Metrics>,
    stale_after: Duration,
    signal: shutdown::ShutdownSignal,
) {
    let mut ticker = tokio::time::interval(HEALTH_REFRESH);
    loop {
        tokio::select! {
            () = signal.triggered() => return,
            _ = ticker.tick() => {}
        }
        let report = match handle.status().await {
            Ok(status) => {
                metrics.set_status(&status);
                crate::metrics::health::assess(&status, chrono::Utc::now(), stale_after)
            }
            Err(e) => HealthReport {
                healthy: false,
                details: serde_json::json!({ "error": e.to_string() }),
            },
        };
        *health
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = report;
    }
}
