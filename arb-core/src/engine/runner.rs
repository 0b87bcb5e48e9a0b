//! The engine's event loop: the I/O shell around the [`Processor`]. Book feeds, timers and
//! finished tasks become [`Event`]s; the processor's [`Command`]s are carried out by tasks
//! (venue and store I/O), by the store writer (persistence, in order) or here at once when they
//! need no I/O (notifications, venue status, feed subscriptions). The loop itself never awaits
//! I/O, so a book event never queues behind a reconciliation, a catalogue sync or a store write.

use std::collections::VecDeque;
use std::sync::Arc;

use futures::StreamExt;
use tokio::sync::{mpsc, watch};
use tokio::task::{JoinError, JoinHandle, JoinSet};

use super::EngineError;
use super::events::{Command, Event, EventKind, Persist, Tick};
use super::handle::Shared;
use super::leasing::Leasing;
use super::processor::Processor;
use super::tasks::{Io, Report, persister};
use crate::exchange::{BookEvent, Exchange};
use crate::execute::Executor;
use crate::model::{MarketId, VenueId};

/// A book event tagged with its venue.
type FeedItem = (VenueId, BookEvent);

/// Where a command is carried out.
enum Route {
    /// Here, at once (no I/O).
    Now,
    /// The store writer.
    Write,
    /// A task awaited at shutdown (executions, recoveries, reconciliation, halts).
    Essential,
    /// A task aborted at shutdown (reads, polls, lease rounds, catalogue syncs).
    Background,
}

pub(super) struct Runner {
    shared: Arc<Shared>,
    io: Io,
    processor: Processor,
    feeds: JoinSet<()>,
    feed_tx: mpsc::Sender<FeedItem>,
    essential: JoinSet<Report>,
    background: JoinSet<Report>,
    writes: Option<mpsc::UnboundedSender<Persist>>,
    catalogue_due: Option<tokio::time::Instant>,
}

impl Runner {
    pub(super) fn new(
        shared: Arc<Shared>,
        executor: Arc<Executor>,
        feed_tx: mpsc::Sender<FeedItem>,
    ) -> Self {
        let leasing = shared.config.mode.executes().then(|| {
            Arc::new(Leasing::new(
                Arc::clone(&shared.store),
                Arc::clone(&shared.leases),
                shared.config.leases.clone(),
            ))
        });
        let venues = shared.venues.iter().map(|v| v.venue()).collect();
        let processor = Processor::new(shared.config.clone(), venues, Arc::clone(&shared.risk));
        Self {
            io: Io {
                shared: Arc::clone(&shared),
                executor,
                leasing,
            },
            shared,
            processor,
            feeds: JoinSet::new(),
            feed_tx,
            essential: JoinSet::new(),
            background: JoinSet::new(),
            writes: None,
            catalogue_due: None,
        }
    }

    /// Starts up (as at any restart: the pairs leased at start are recovered before anything
    /// else runs), then handles events until `shutdown`; then lets in-flight executions finish,
    /// waits for the queued store writes and gives the leases up.
    pub(super) async fn run(
        mut self,
        mut shutdown: watch::Receiver<bool>,
        mut feed_rx: mpsc::Receiver<FeedItem>,
    ) -> Result<(), EngineError> {
        let (writes, writes_rx) = mpsc::unbounded_channel();
        self.writes = Some(writes);
        let mut writer = tokio::spawn(persister(Arc::clone(&self.shared), writes_rx));
        self.drive_inline(EventKind::Started).await?;
        self.catalogue_due = Some(self.next_catalogue_sync());
        let stopped = self
            .event_loop(&mut shutdown, &mut feed_rx, &mut writer)
            .await;
        let drained = self.shut_down().await;
        // The writer ends once every write queued before this is done.
        self.writes = None;
        let (failure, written) = match stopped {
            Stop::Shutdown => (None, writer_result(writer.await)),
            Stop::Failed(e) => (Some(e), writer_result(writer.await)),
            Stop::WriterEnded(result) => (None, result),
        };
        if let Some(leasing) = &self.io.leasing {
            leasing.leave().await;
        }
        if let Some(e) = failure {
            return Err(e);
        }
        drained.and(written)
    }

    async fn event_loop(
        &mut self,
        shutdown: &mut watch::Receiver<bool>,
        feed_rx: &mut mpsc::Receiver<FeedItem>,
        writer: &mut JoinHandle<Result<(), EngineError>>,
    ) -> Stop {
        let config = &self.shared.config;
        let mut lease_tick = interval(config.leases.renew_every);
        lease_tick.tick().await;
        let mut poll = interval(config.price_fetch_interval);
        let mut control = interval(config.control_poll_interval);
        let mut reconcile = interval(config.reconcile_interval);
        // One timer, moved when the sync is rescheduled: a timer made afresh at every turn would
        // be registered with the runtime's timer wheel and removed again for every event.
        let mut catalogue = std::pin::pin!(tokio::time::sleep_until(tokio::time::Instant::now()));
        let mut armed = None;
        loop {
            if let Some(due) = self.catalogue_due
                && armed != Some(due)
            {
                catalogue.as_mut().reset(due);
                armed = Some(due);
            }
            // In this order, not at random: the same events give the same decisions (a
            // backtest replays a recording identically). Books come last, so finished tasks
            // and timers, which are few, are never held up by a busy feed.
            let kind = tokio::select! {
                biased;
                changed = shutdown.changed() => {
                    if changed.is_err() || *shutdown.borrow() {
                        return Stop::Shutdown;
                    }
                    continue;
                }
                Some(done) = self.essential.join_next(), if !self.essential.is_empty() => {
                    match self.on_report(done) {
                        Ok(()) => continue,
                        Err(e) => return Stop::Failed(e),
                    }
                }
                Some(done) = self.background.join_next(), if !self.background.is_empty() => {
                    match self.on_report(done) {
                        Ok(()) => continue,
                        Err(e) => return Stop::Failed(e),
                    }
                }
                done = &mut *writer => return Stop::WriterEnded(writer_result(done)),
                _ = lease_tick.tick() => EventKind::Tick(Tick::Leases),
                _ = poll.tick() => EventKind::Tick(Tick::Poll),
                _ = control.tick() => EventKind::Tick(Tick::Control),
                () = self.shared.pairs_changed.notified() => EventKind::PairsChanged,
                _ = reconcile.tick() => EventKind::Tick(Tick::Reconcile),
                () = catalogue.as_mut(), if self.catalogue_due.is_some() => {
                    self.catalogue_due = None;
                    armed = None;
                    EventKind::Tick(Tick::Catalogue)
                }
                Some((venue, event)) = feed_rx.recv() => EventKind::Streamed { venue, event },
            };
            self.handle(kind);
        }
    }

    /// Stops the feeds and background reads; lets executions, recoveries and the
    /// reconciliations they wait for finish. The first failure meanwhile is returned.
    async fn shut_down(&mut self) -> Result<(), EngineError> {
        tracing::info!(
            in_flight = self.essential.len(),
            "shutting down: finishing in-flight executions"
        );
        self.feeds.abort_all();
        self.handle(EventKind::ShutdownRequested);
        let mut result = Ok(());
        loop {
            self.background.abort_all();
            while self.background.join_next().await.is_some() {}
            let Some(done) = self.essential.join_next().await else {
                break;
            };
            if let Err(e) = self.on_report(done) {
                tracing::error!(error = %e, "failure while finishing in-flight work");
                result = result.and(Err(e));
            }
        }
        result
    }

    /// Start-up: carries out the processor's commands one after the other, each one's
    /// consequences before the next command.
    async fn drive_inline(&mut self, first: EventKind) -> Result<(), EngineError> {
        let mut queue: VecDeque<Command> = self.decide(first).into();
        while let Some(command) = queue.pop_front() {
            if matches!(route(&command), Route::Now | Route::Write) {
                self.dispatch(command);
                continue;
            }
            let mut next = Vec::new();
            for kind in self.io.clone().perform(command).await? {
                next.extend(self.decide(kind));
            }
            for command in next.into_iter().rev() {
                queue.push_front(command);
            }
        }
        Ok(())
    }

    /// The processor's commands for `kind`, stamped with the engine clock's time now.
    fn decide(&mut self, kind: EventKind) -> Vec<Command> {
        let at = self.shared.clock.now();
        self.processor.on_event(Event { at, kind })
    }

    fn handle(&mut self, kind: EventKind) {
        for command in self.decide(kind) {
            self.dispatch(command);
        }
    }

    /// A task ended: its events go to the processor; its failure stops the engine.
    fn on_report(&mut self, done: Result<Report, JoinError>) -> Result<(), EngineError> {
        match done {
            Ok(report) => {
                for kind in report? {
                    self.handle(kind);
                }
                Ok(())
            }
            // Aborted at shutdown.
            Err(e) if e.is_cancelled() => Ok(()),
            Err(e) => Err(EngineError::TaskFailed(e.to_string())),
        }
    }

    fn dispatch(&mut self, command: Command) {
        match route(&command) {
            Route::Essential => {
                self.essential.spawn(self.io.clone().perform(command));
                return;
            }
            Route::Background => {
                self.background.spawn(self.io.clone().perform(command));
                return;
            }
            Route::Now | Route::Write => {}
        }
        let shared = &self.shared;
        match command {
            Command::Notify(notification) => shared.notify(*notification),
            Command::VenueConnected {
                venue,
                connected,
                at,
            } => shared.set_venue_status(&venue, connected, at),
            Command::VenuePolling { venue, polling } => shared.set_venue_polling(&venue, polling),
            Command::WatchMarkets(feeds) => self.restart_feeds(feeds),
            Command::Persist(write) => {
                let sent = self.writes.as_ref().map(|w| w.send(write));
                if !matches!(sent, Some(Ok(()))) {
                    tracing::error!("the store writer has stopped; a write was dropped");
                }
            }
            Command::ScheduleCatalogueSync => self.catalogue_due = Some(self.next_catalogue_sync()),
            Command::ReportPanic { job, cause } => {
                let what = shared.tasks.panicked(&job.to_string(), &cause);
                shared
                    .tasks
                    .alert(format!("{what}; it runs again at its next turn"));
            }
            _ => {}
        }
    }

    /// (Re)subscribes every venue to the markets it must watch.
    fn restart_feeds(&mut self, feeds: Vec<(VenueId, Vec<MarketId>)>) {
        self.feeds.abort_all();
        for (id, markets) in feeds {
            let Some(venue) = self.shared.venue(&id).cloned() else {
                continue;
            };
            let name = format!("feed:{id}");
            let shared = Arc::clone(&self.shared);
            let tx = self.feed_tx.clone();
            let start = move || {
                feed(
                    Arc::clone(&venue),
                    markets.clone(),
                    Arc::clone(&shared),
                    tx.clone(),
                )
            };
            let supervisor = Arc::clone(&self.shared.tasks);
            self.feeds
                .spawn(supervisor.restarting(name, super::FEED_RESTART, start));
        }
    }

    /// When the next catalogue sync is due: an interval after a complete one, sooner (with
    /// backoff) after an incomplete one.
    fn next_catalogue_sync(&self) -> tokio::time::Instant {
        let status = self
            .shared
            .catalogue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        let config = &self.shared.config;
        tokio::time::Instant::now()
            + status.next_after(config.catalogue_sync_interval, config.catalogue_retry)
    }
}

/// Why the event loop stopped.
enum Stop {
    /// Shutdown was asked for.
    Shutdown,
    /// A task failed (a store failure: fail closed).
    Failed(EngineError),
    /// The store writer stopped (with its failure).
    WriterEnded(Result<(), EngineError>),
}

fn route(command: &Command) -> Route {
    match command {
        Command::Notify(_)
        | Command::VenueConnected { .. }
        | Command::VenuePolling { .. }
        | Command::WatchMarkets(_)
        | Command::ScheduleCatalogueSync
        | Command::ReportPanic { .. } => Route::Now,
        Command::Persist(_) => Route::Write,
        Command::Execute(_)
        | Command::Recover(_)
        | Command::Reconcile(_)
        | Command::HaltAfterPanic { .. } => Route::Essential,
        Command::PollBooks { .. }
        | Command::ReadKillSwitch
        | Command::LoadFills
        | Command::JoinLeaseGroup
        | Command::RebalanceLeases { .. }
        | Command::RefreshPairs { .. }
        | Command::FetchBalances
        | Command::SyncCatalogues => Route::Background,
    }
}

/// A timer whose missed ticks are delayed, not bunched.
fn interval(period: std::time::Duration) -> tokio::time::Interval {
    let mut timer = tokio::time::interval(period);
    timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    timer
}

fn writer_result(done: Result<Result<(), EngineError>, JoinError>) -> Result<(), EngineError> {
    done.map_err(|e| EngineError::TaskFailed(format!("the store writer stopped: {e}")))?
}

/// Forwards one venue's book stream into the engine; on failure marks the venue disconnected and
/// lets REST polling take over until the next pair refresh resubscribes.
async fn feed(
    venue: Arc<dyn Exchange>,
    markets: Vec<MarketId>,
    shared: Arc<Shared>,
    tx: mpsc::Sender<FeedItem>,
) {
    let id = venue.venue();
    let mut stream = match venue.subscribe_books(&markets).await {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(venue = %id, error = %e, "book stream unavailable; polling instead");
            shared.set_venue_status(&id, false, None);
            return;
        }
    };
    while let Some(event) = stream.next().await {
        if tx.send((id.clone(), event)).await.is_err() {
            return;
        }
    }
    tracing::warn!(venue = %id, "book stream ended; polling instead");
    shared.set_venue_status(&id, false, None);
}
