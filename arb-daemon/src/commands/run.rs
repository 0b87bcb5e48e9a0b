//! `arb-daemon run`: the long-running daemon.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use arb_core::clock::{Clock, SystemClock};
use arb_core::engine::EngineHandle;
use arb_core::notify::Notifier;
use arb_core::record::SharedTap;

use arb_core::exchange::Exchange;

use super::instrument::Instrumented;
use super::{CommandError, build, open_store, record};
use crate::config::Config;
use crate::console::{self, Console};
use crate::metrics::{HealthCheck, HealthReport, Metrics, Probes, StoreProbe, health, start};
use crate::shutdown;

/// When the daily PnL summary is posted (UTC).
const DAILY_SUMMARY_AT: chrono::NaiveTime = match chrono::NaiveTime::from_hms_opt(23, 55, 0) {
    Some(t) => t,
    None => chrono::NaiveTime::MIN,
};

/// How the Discord bot and the daily summary are restarted after a panic: after 5 s, doubling to
/// 5 minutes while they keep panicking.
const DISCORD_RESTART: arb_core::backoff::Backoff =
    arb_core::backoff::Backoff::new(Duration::from_secs(5), Duration::from_secs(300));

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
    let store = open_store(config, arb_store::OpenMode::Create).await?;
    let probe = StoreProbe::new(Arc::clone(&store), health::STORE_PROBE_EVERY);
    let tap = config
        .record_dir
        .as_deref()
        .map(record::open_tap)
        .transpose()?;
    let raw_tap = tap.as_ref().map(|t| Arc::clone(t) as SharedTap);
    let venues = build::trading_venues(config, raw_tap.as_ref())
        .await?
        .into_iter()
        .map(|venue| Arc::new(Instrumented::new(venue, Arc::clone(&metrics))) as Arc<dyn Exchange>)
        .collect();
    let discord = build::discord(config, Arc::clone(&clock))?.map(Arc::new);
    let notifier = build::notifier(
        Arc::clone(&metrics),
        discord.as_ref().map(|d| d.notifier() as Arc<dyn Notifier>),
    );
    let engine = build::engine_with(config, Arc::clone(&store), venues, Arc::clone(&notifier))?;
    let handle = engine.handle();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let tasks = handle.tasks();
    if let Some(discord) = &discord {
        let (discord, api, stop) = (
            Arc::clone(discord),
            Arc::new(handle.clone()),
            stop_rx.clone(),
        );
        tokio::spawn(tasks.clone().restarting(
            "discord_bot".into(),
            DISCORD_RESTART,
            move || {
                let (discord, api, stop) = (Arc::clone(&discord), Arc::clone(&api), stop.clone());
                async move {
                    if let Err(e) = discord.serve(api, stop).await {
                        tracing::error!(error = %e, "Discord bot stopped; alerts are still queued and logged");
                    }
                }
            },
        ));
        let (api, notifier, clock, stop) = (
            Arc::new(handle.clone()),
            Arc::clone(&notifier),
            Arc::clone(&clock),
            stop_rx.clone(),
        );
        tokio::spawn(tasks.clone().restarting(
            "daily_summary".into(),
            DISCORD_RESTART,
            move || {
                arb_discord::service::daily_summaries(
                    Arc::clone(&api),
                    Arc::clone(&notifier),
                    Arc::clone(&clock),
                    DAILY_SUMMARY_AT,
                    stop.clone(),
                )
            },
        ));
    }

    let health = Arc::new(Mutex::new(HealthReport {
        healthy: true,
        details: serde_json::json!({ "mode": config.trading_mode.to_string(), "state": "starting" }),
    }));
    let check: HealthCheck = {
        let report = Arc::clone(&health);
        Arc::new(move || {
            report
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clone()
        })
    };
    if let Some(addr) = config.metrics.addr {
        start(
            addr,
            Arc::clone(&metrics),
            Arc::clone(&check),
            signal.clone(),
        )
        .await?;
    }
    tokio::spawn(refresh_health(
        handle.clone(),
        probe,
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
    let web = Console::new(&config.console, handle.clone(), signal.clone())
        .with_health(check, config.metrics.stale_after);
    if let Some((bound, _)) = console::start(&config.console, web).await? {
        writeln!(out, "web console at http://{bound}/")?;
    }
    if config.trading_mode.executes() {
        // Who trades what on this store before this daemon takes its share.
        super::print::leases(out, &handle.leases().await?)?;
    }
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
    if let (Some(tap), Some(dir)) = (&tap, &config.record_dir) {
        let every = build::engine_config(config).catalogue_sync_interval;
        record::record_definitions(store, Arc::clone(tap), every, signal.clone()).await?;
        writeln!(out, "recording raw book messages into {}", dir.display())?;
    }
    let forward = {
        let signal = signal.clone();
        tokio::spawn(async move {
            signal.triggered().await;
            let _ = stop_tx.send(true);
        })
    };
    let engine = Arc::new(engine);
    let runner = tokio::spawn(async move { engine.run(stop_rx).await });
    let result = runner.await;
    forward.abort();
    signal_task.abort();
    if let Some(tap) = tap {
        let stats = record::finish(tap).await;
        writeln!(
            out,
            "recorded {} records ({} could not be written)",
            stats.written, stats.failed
        )?;
    }
    writeln!(out, "arb-daemon stopped")?;
    match result {
        Ok(result) => Ok(result?),
        Err(e) => {
            let cause = if e.is_panic() {
                arb_core::engine::panic_cause(e.into_panic().as_ref())
            } else {
                e.to_string()
            };
            let what = tasks.panicked("engine", &cause);
            tasks.alert(format!(
                "{what}; the daemon stops (unfinished executions are recovered at the next start)"
            ));
            Err(CommandError::Panicked(what))
        }
    }
}

/// Keeps `/health` current (every 5 s): healthy only when the daemon can do its job
/// ([`crate::metrics::health::assess`], with the store's write probe and the venues' calls);
/// 503 with the error when the store cannot be read.
async fn refresh_health(
    handle: EngineHandle,
    mut probe: StoreProbe,
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
        let now = chrono::Utc::now();
        let probes = Probes {
            store_write_error: probe.write_error(now).await,
            venue_calls: metrics.venue_calls(),
        };
        let report = match handle.status().await {
            Ok(status) => {
                metrics.set_status(&status);
                health::assess(&status, &probes, now, stale_after)
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
