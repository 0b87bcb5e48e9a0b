//! Embedding the engine in another bot.
//!
//! A host application — here a stand-in for "some other trading or chat bot" — builds an
//! [`Engine`] from parts it chooses, runs it as a background task, commands it through an
//! [`EngineHandle`], and hears about what it does through its own channel:
//!
//! - **venues**: any [`Exchange`]s (two [`SimExchange`]s here; Kalshi and Polymarket adapters,
//!   or your own as in the `custom_venue` example, in production);
//! - **store**: any [`Store`] ([`MemoryStore`] here; SQLite or PostgreSQL from `arb-store` for
//!   crash safety);
//! - **notifier**: [`BotNotifier`], which turns the engine's [`Notification`]s into the host's
//!   own [`BotEvent`]s on a bounded channel. `notify` must never block trading, so a full
//!   channel is reported as an error instead of waited on;
//! - **clock** and **ids**: the system clock, and sequential ids (use
//!   [`arb_core::clock::UniqueIds`] in production: client order ids must never repeat);
//! - **config**: [`EngineConfig`], with short intervals so the example finishes quickly.
//!
//! [`run`] approves a pair, starts the engine, makes the books dislocate, waits for the host
//! channel to report the execution, reads positions and status through the handle, and shuts
//! the engine down cleanly.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use arb_core::Decimal;
use arb_core::clock::{Clock, SequentialIds, SystemClock};
use arb_core::engine::{
    Engine, EngineConfig, EngineHandle, EngineParts, EngineStatus, TradingMode,
};
use arb_core::exchange::Exchange;
use arb_core::model::{
    ExecutionId, ExecutionState, MarketKey, Outcome, PairId, Polarity, Position, VerifiedPair,
};
use arb_core::notify::{Notification, Notifier, NotifyError, Severity};
use arb_core::sim::{SimConfig, SimExchange, binary_market, levels};
use arb_core::store::{MemoryStore, Store};
use arb_kalshi::KalshiFees;
use rust_decimal_macros::dec;
use tokio::sync::{mpsc, watch};

use crate::{Result, ensure, usd};

/// What the host bot cares about, in its own terms.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum BotEvent {
    /// The engine found a trade worth making.
    Opportunity {
        /// The pair.
        pair: PairId,
        /// Contracts per leg.
        qty: Decimal,
        /// Guaranteed profit, dollars.
        profit: Decimal,
    },
    /// An execution moved on.
    Execution {
        /// Its id.
        id: ExecutionId,
        /// The pair.
        pair: PairId,
        /// Where it stands.
        state: ExecutionState,
    },
    /// Something a person should read.
    Alert {
        /// Whether it is urgent.
        urgent: bool,
        /// The message.
        message: String,
    },
    /// Anything else (match suggestions, position summaries), as a one-line description.
    Info(String),
}

impl From<Notification> for BotEvent {
    fn from(notification: Notification) -> Self {
        match notification {
            Notification::Opportunity { opportunity } => Self::Opportunity {
                pair: opportunity.pair_id,
                qty: opportunity.qty.value(),
                profit: opportunity.profit,
            },
            Notification::ExecutionUpdate { execution } => Self::Execution {
                id: execution.id,
                pair: execution.pair_id,
                state: execution.state,
            },
            Notification::Alert { severity, message } => Self::Alert {
                urgent: severity == Severity::Critical,
                message,
            },
            Notification::MatchSuggestions { suggestions } => {
                Self::Info(format!("{} new match suggestions", suggestions.len()))
            }
            Notification::PositionSummary {
                positions,
                locked_in,
                ..
            } => Self::Info(format!(
                "{} positions, {} locked in",
                positions.len(),
                usd(locked_in)
            )),
        }
    }
}

/// A [`Notifier`] that forwards into the host bot's channel.
#[derive(Debug)]
pub struct BotNotifier {
    events: mpsc::Sender<BotEvent>,
}

impl BotNotifier {
    /// A notifier sending to `events`.
    #[must_use]
    pub const fn new(events: mpsc::Sender<BotEvent>) -> Self {
        Self { events }
    }
}

impl Notifier for BotNotifier {
    fn notify(&self, notification: Notification) -> std::result::Result<(), NotifyError> {
        // `try_send`, never `send().await`: the engine must not wait for the bot to keep up.
        self.events
            .try_send(notification.into())
            .map_err(|e| NotifyError(format!("host bot channel: {e}")))
    }
}

/// What the example observed, for its tests.
#[derive(Clone, Debug)]
pub struct EmbedSummary {
    /// The approved pair.
    pub pair: VerifiedPair,
    /// Everything the host bot received, in order.
    pub events: Vec<BotEvent>,
    /// How the execution ended.
    pub execution_state: ExecutionState,
    /// Positions as the handle reported them.
    pub positions: Vec<Position>,
    /// Status as the handle reported it while the engine ran.
    pub status: EngineStatus,
}

/// The question both venues list.
const QUESTION: &str = "Will it rain in Paris on Dec 31, 2026?";
/// How long the host waits for the engine before giving up.
const PATIENCE: Duration = Duration::from_secs(20);

/// Runs the example, writing its account to `out`.
pub async fn run(out: &mut dyn Write) -> Result<EmbedSummary> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);

    // --- The parts. -----------------------------------------------------------------------
    let (a, b) = (sim_venue("sim-a", &clock)?, sim_venue("sim-b", &clock)?);
    let store = Arc::new(MemoryStore::new());
    let (events_tx, mut events) = mpsc::channel(256);
    let mut config = EngineConfig::new(TradingMode::Live); // live on simulated venues: no risk
    config.price_fetch_interval = Duration::from_millis(200);
    config.control_poll_interval = Duration::from_millis(100);
    config.reconcile_interval = Duration::from_millis(200);
    config.execution.order_timeout = Duration::from_secs(2);
    config.execution.poll_interval = Duration::from_millis(20);
    let engine = Arc::new(Engine::new(EngineParts {
        venues: vec![
            Arc::new(a.clone()) as Arc<dyn Exchange>,
            Arc::new(b.clone()),
        ],
        store: store.clone() as Arc<dyn Store>,
        notifier: Arc::new(BotNotifier::new(events_tx)),
        clock: clock.clone(),
        ids: Arc::new(SequentialIds::default()),
        config,
    })?);
    let handle: EngineHandle = engine.handle();

    // --- Commands through the handle: catalogue, then a person's approval. -----------------
    for synced in handle.sync_markets().await?.venues {
        writeln!(
            out,
            "synced {} market(s) from {}",
            synced.stored, synced.venue
        )?;
    }
    let pair = handle
        .approve_pair(
            &MarketKey::new("sim-a", "RAIN-A"),
            &MarketKey::new("sim-b", "rain-b"),
            Polarity::Same,
            "host-bot",
        )
        .await?;
    writeln!(
        out,
        "approved pair {}: {} = {} ({})",
        pair.id, pair.a, pair.b, pair.polarity
    )?;

    // --- The engine runs in the background until told to stop. ------------------------------
    let (shutdown, shutdown_rx) = watch::channel(false);
    let task = tokio::spawn({
        let engine = Arc::clone(&engine);
        async move { engine.run(shutdown_rx).await }
    });
    writeln!(out, "engine running in the background")?;

    // --- The market moves: a seller offers YES at $0.40 on A, while B still offers NO at
    // $0.51 (its YES bid). One book changes, so the engine sees exactly one new state. --------
    a.set_book(
        &"RAIN-A".into(),
        &levels(&[(dec!(0.38), dec!(20))])?,
        &levels(&[(dec!(0.40), dec!(20))])?,
    )?;
    writeln!(
        out,
        "sim-a's book moves: YES $0.40 on sim-a + NO $0.51 on sim-b = $0.91 for a $1 payout\n"
    )?;

    // --- The host bot's own event loop: print what arrives until the execution ends. --------
    let mut received = Vec::new();
    let execution_state = loop {
        let event = tokio::time::timeout(PATIENCE, events.recv())
            .await
            .map_err(|_| "no execution reported in time")?
            .ok_or("the engine dropped the notifier")?;
        writeln!(out, "[bot] {}", describe(&event))?;
        received.push(event.clone());
        if let BotEvent::Execution { state, .. } = event
            && state.is_terminal()
        {
            break state;
        }
    };

    // --- Queries through the handle while the engine runs. ----------------------------------
    // Positions are reconciled from the venues into the store every `reconcile_interval`.
    let positions = wait_for_positions(&handle).await?;
    writeln!(out, "\nhandle.positions():")?;
    for p in &positions {
        writeln!(
            out,
            "  {:<14} {:<3} x{:<4} avg ${:.2}  fees {}",
            p.market.to_string(),
            p.outcome.to_string(),
            p.qty.to_string(),
            p.avg_price.ok_or("held positions have a price")?,
            usd(p.fees_paid)
        )?;
    }
    let status = handle.status().await?;
    writeln!(
        out,
        "handle.status(): mode {}, {} active pair(s), halted: {}, venues: {}",
        status.mode,
        status.active_pairs,
        status.halted.as_deref().unwrap_or("no"),
        status
            .venues
            .iter()
            .map(|v| format!(
                "{} {}",
                v.venue,
                if v.connected { "connected" } else { "down" }
            ))
            .collect::<Vec<_>>()
            .join(", ")
    )?;

    // --- Clean shutdown: no new executions, in-flight ones finish, `run` returns. -----------
    shutdown.send(true)?;
    task.await??;
    writeln!(out, "engine stopped cleanly")?;

    // The venues agree with what the bot was told: equal, complementary holdings.
    let yes_a = a.position(&"RAIN-A".into(), Outcome::Yes).map(|p| p.qty);
    let no_b = b.position(&"rain-b".into(), Outcome::No).map(|p| p.qty);
    ensure(
        execution_state == ExecutionState::Hedged && yes_a.is_some() && yes_a == no_b,
        || format!("expected a hedged execution, got {execution_state:?}: {yes_a:?} vs {no_b:?}"),
    )?;

    Ok(EmbedSummary {
        pair,
        events: received,
        execution_state,
        positions,
        status,
    })
}

/// One simulated venue with the question listed and a quiet, fair book (no opportunity).
fn sim_venue(name: &str, clock: &Arc<dyn Clock>) -> Result<SimExchange> {
    let venue = SimExchange::new(
        SimConfig::new(name, dec!(1000)),
        Arc::clone(clock),
        Arc::new(SequentialIds::default()),
    );
    let id = if name == "sim-a" { "RAIN-A" } else { "rain-b" };
    venue.add_market(binary_market(
        MarketKey::new(name, id),
        QUESTION,
        KalshiFees::quadratic(Decimal::ONE).schedule(),
        clock.now() + chrono::Duration::days(30),
    )?)?;
    venue.set_book(
        &id.into(),
        &levels(&[(dec!(0.49), dec!(50))])?,
        &levels(&[(dec!(0.51), dec!(50))])?,
    )?;
    Ok(venue)
}

/// Polls the handle until the reconciled positions appear.
async fn wait_for_positions(handle: &EngineHandle) -> Result<Vec<Position>> {
    let poll = async {
        loop {
            let report = handle.positions().await?;
            if !report.positions.is_empty() {
                return Ok::<_, crate::Error>(report.positions);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    tokio::time::timeout(PATIENCE, poll)
        .await
        .map_err(|_| "positions were not reconciled in time")?
}

/// How the host bot shows an event.
fn describe(event: &BotEvent) -> String {
    match event {
        BotEvent::Opportunity { pair, qty, profit } => {
            format!(
                "opportunity on pair {pair}: {qty} contracts, {} guaranteed",
                usd(*profit)
            )
        }
        BotEvent::Execution { id, pair, state } => {
            format!("execution {id} on pair {pair}: {state:?}")
        }
        BotEvent::Alert { urgent, message } => {
            format!("{}{message}", if *urgent { "URGENT: " } else { "" })
        }
        BotEvent::Info(text) => text.clone(),
    }
}
