//! The engine's main loop: book feeds in, opportunities and executions out.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures::{FutureExt, StreamExt};
use rust_decimal::Decimal;
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::JoinSet;

use super::fallback::Fallback;
use super::handle::{HALT_SETTING, Shared};
use super::leasing::Leasing;
use super::{BookCache, EngineError};
use crate::detect::{DetectLimits, PairDetector, PairView};
use crate::exchange::{BookEvent, Exchange};
use crate::execute::{ExecutionContext, Executor};
use crate::fees::FeeModel;
use crate::model::{
    ExecutionRecord, ExecutionState, Market, MarketId, MarketKey, Opportunity, OpportunityDecision,
    OpportunityRecord, PairId, PairStatus, PriceSnapshot, VenueId, VerifiedPair,
};
use crate::notify::{Notification, Severity};
use crate::portfolio::{Portfolio, drift_alert};
use crate::risk::{ExecutionOutcome, RiskState};
use crate::store::{ExposureReservation, StoreError};

/// How an execution ended, with the opportunity it acted on.
type ExecutionResult = Result<(ExecutionRecord, Opportunity), crate::execute::ExecuteError>;

/// How the recovery of a newly leased pair's open executions ended.
type RecoveryResult = Result<Vec<ExecutionRecord>, crate::execute::ExecuteError>;

/// A book event tagged with its venue.
type FeedItem = (VenueId, BookEvent);

/// One approved pair with everything needed to evaluate it.
struct WatchedPair {
    pair: VerifiedPair,
    markets: [Market; 2],
    fees: [Arc<dyn FeeModel>; 2],
    /// Kept between book updates: the fee rules and limits are converted once.
    detector: PairDetector,
}

pub(super) struct Runner {
    shared: Arc<Shared>,
    executor: Arc<Executor>,
    books: BookCache,
    pairs: HashMap<PairId, WatchedPair>,
    /// Pairs with an execution in flight (one at a time per pair).
    busy: HashSet<PairId>,
    balances: HashMap<VenueId, Decimal>,
    /// Positions and PnL built from our fills.
    portfolio: Portfolio,
    /// Fills are fetched from the venues from this time on.
    fills_since: chrono::DateTime<chrono::Utc>,
    feeds: JoinSet<()>,
    /// Which venues' streams deliver, which are polled instead.
    fallback: Fallback,
    executions: JoinSet<(PairId, ExecutionResult)>,
    /// Recoveries of pairs just leased (the pair is busy until its recovery ends).
    recoveries: JoinSet<(PairId, RecoveryResult)>,
    permits: Arc<Semaphore>,
    /// Pair leases, when trading (monitor mode takes none).
    leasing: Option<Leasing>,
}

impl Runner {
    pub(super) fn new(shared: Arc<Shared>, executor: Arc<Executor>) -> Self {
        let permits = Arc::new(Semaphore::new(
            shared.config.max_concurrent_executions.max(1),
        ));
        let portfolio = Portfolio::new(shared.config.drift_tolerance);
        let fills_since = shared.clock.now() - chrono::Duration::days(1);
        let leasing = shared.config.mode.executes().then(|| {
            Leasing::new(
                Arc::clone(&shared.store),
                Arc::clone(&shared.leases),
                shared.config.leases.clone(),
            )
        });
        Self {
            shared,
            executor,
            books: BookCache::default(),
            pairs: HashMap::new(),
            busy: HashSet::new(),
            balances: HashMap::new(),
            portfolio,
            fills_since,
            feeds: JoinSet::new(),
            fallback: Fallback::default(),
            executions: JoinSet::new(),
            recoveries: JoinSet::new(),
            permits,
            leasing,
        }
    }

    pub(super) async fn run(
        mut self,
        mut shutdown: watch::Receiver<bool>,
    ) -> Result<(), EngineError> {
        let (feed_tx, mut feed_rx) = mpsc::channel::<FeedItem>(4096);
        self.start_up(&feed_tx).await?;

        let config = &self.shared.config;
        let mut lease_tick = tokio::time::interval(config.leases.renew_every);
        lease_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        lease_tick.tick().await;
        let mut poll = tokio::time::interval(config.price_fetch_interval);
        let mut control = tokio::time::interval(config.control_poll_interval);
        let mut reconcile = tokio::time::interval(config.reconcile_interval);
        let mut catalogue_due = self.next_catalogue_sync();
        poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        control.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        reconcile.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);

        loop {
            tokio::select! {
                changed = shutdown.changed() => {
                    if changed.is_err() || *shutdown.borrow() {
                        break;
                    }
                }
                Some((venue, event)) = feed_rx.recv() => {
                    self.on_streamed(&venue, &event);
                    self.on_book_event(&venue, event).await?;
                }
                Some(done) = self.executions.join_next(), if !self.executions.is_empty() => {
                    self.on_execution_done(done).await;
                }
                Some(done) = self.recoveries.join_next(), if !self.recoveries.is_empty() => {
                    self.on_recovered(done).await;
                }
                _ = lease_tick.tick(), if self.leasing.is_some() => {
                    self.rebalance_leases(&feed_tx).await?;
                }
                _ = poll.tick() => {
                    for (venue, event) in self.poll_books().await {
                        self.on_book_event(&venue, event).await?;
                    }
                }
                _ = control.tick() => {
                    self.persist_prices().await?;
                    self.sync_kill_switch().await?;
                    self.refresh_pairs(&feed_tx).await?;
                }
                () = self.shared.pairs_changed.notified() => self.refresh_pairs(&feed_tx).await?,
                // Not while a taken-over pair is being recovered: positions move under it.
                _ = reconcile.tick(), if self.recoveries.is_empty() => {
                    self.reconcile_supervised().await?;
                }
                () = tokio::time::sleep_until(catalogue_due) => {
                    self.resync_catalogues_supervised().await?;
                    catalogue_due = self.next_catalogue_sync();
                }
            }
        }
        tracing::info!(
            in_flight = self.executions.len(),
            "shutting down: finishing in-flight executions"
        );
        self.feeds.abort_all();
        while let Some(done) = self.executions.join_next().await {
            self.on_execution_done(done).await;
        }
        while let Some(done) = self.recoveries.join_next().await {
            self.on_recovered(done).await;
        }
        if let Some(leasing) = &mut self.leasing {
            leasing.leave().await;
        }
        Ok(())
    }

    /// Start-up: the kill switch and portfolio from the store, the lease group joined, this
    /// daemon's share of the pairs leased and recovered (as at any restart), then watched.
    async fn start_up(&mut self, feed_tx: &mpsc::Sender<FeedItem>) -> Result<(), EngineError> {
        self.sync_kill_switch().await?;
        self.load_portfolio().await?;
        if let Some(leasing) = &mut self.leasing {
            leasing.join().await?;
        }
        self.rebalance_leases(feed_tx).await?;
        // As at any restart: the pairs leased at start are recovered before anything else runs.
        while let Some(done) = self.recoveries.join_next().await {
            self.on_recovered(done).await;
        }
        self.refresh_pairs(feed_tx).await?;
        self.refresh_balances().await;
        Ok(())
    }

    /// The pairs a trading engine wants leased: the active ones, and any with an execution left
    /// open (to recover it, even on a paused pair).
    async fn wanted_pairs(&self) -> Result<BTreeSet<PairId>, EngineError> {
        let store = &self.shared.store;
        let mut wanted: BTreeSet<PairId> = store
            .pairs(Some(PairStatus::Active))
            .await?
            .into_iter()
            .map(|p| p.id)
            .collect();
        wanted.extend(store.open_executions().await?.iter().map(|e| e.pair_id));
        Ok(wanted)
    }

    /// Takes or gives up pair leases (see [`Leasing::rebalance`]); a newly leased pair is first
    /// recovered, as at a restart, and only then traded.
    async fn rebalance_leases(
        &mut self,
        feed_tx: &mpsc::Sender<FeedItem>,
    ) -> Result<(), EngineError> {
        if self.leasing.is_none() {
            return Ok(());
        }
        let wanted = self.wanted_pairs().await?;
        let Some(leasing) = &self.leasing else {
            return Ok(());
        };
        let round = leasing.rebalance(&wanted, &self.busy).await?;
        for pair in &round.lost {
            tracing::error!(%pair, "pair lease lost: stopped trading the pair");
            self.shared.notify(Notification::Alert {
                severity: Severity::Warning,
                message: format!(
                    "Lost the lease on pair {pair} (renewals failed): stopped trading it; \
                     another daemon may take it over."
                ),
            });
        }
        for pair in &round.released {
            tracing::info!(%pair, "pair lease released to another daemon's share");
        }
        for &pair in &round.acquired {
            self.busy.insert(pair);
            let executor = Arc::clone(&self.executor);
            self.recoveries
                .spawn(async move { (pair, executor.recover_pair(pair).await) });
        }
        if round.changed() {
            self.refresh_pairs(feed_tx).await?;
        }
        Ok(())
    }

    /// A newly leased pair's recovery ended: the pair may be traded, unless the recovery failed
    /// (alerted; the pair is then kept out of trading).
    async fn on_recovered(
        &mut self,
        done: Result<(PairId, RecoveryResult), tokio::task::JoinError>,
    ) {
        match done {
            Ok((pair, Ok(records))) => {
                self.busy.remove(&pair);
                for record in records {
                    tracing::info!(%pair, id = %record.id, state = ?record.state, "recovered execution");
                }
            }
            Ok((pair, Err(e))) => {
                // Fail closed: the pair stays busy (never traded, its lease kept so no other
                // daemon trades it either) until a person looks and the daemon restarts.
                tracing::error!(%pair, error = %e, "recovery of a leased pair failed; not trading it");
                self.shared.notify(Notification::Alert {
                    severity: Severity::Critical,
                    message: format!(
                        "Recovering pair {pair}'s open executions failed: {e}. The pair is not \
                         traded until the daemon restarts."
                    ),
                });
            }
            Err(e) if e.is_panic() => {
                let cause = super::panic_cause(e.into_panic().as_ref());
                self.halt_after_panic("recovery", &cause, "recovery runs again at next start")
                    .await;
            }
            Err(e) => tracing::error!(error = %e, "recovery task failed"),
        }
    }

    /// Writes the best prices of every cached book to the price cache (batched off the hot path).
    async fn persist_prices(&self) -> Result<(), EngineError> {
        let snapshots: Vec<PriceSnapshot> = self
            .watched_markets()
            .iter()
            .filter_map(|key| self.books.get(key).map(|book| snapshot(key, book)))
            .collect();
        if !snapshots.is_empty() {
            self.shared.store.put_prices(&snapshots).await?;
        }
        Ok(())
    }

    /// Applies the persisted kill switch (which another process, such as `arb-daemon halt`, may
    /// have set or lifted) and alerts the change, as a halt through this engine's handle does.
    async fn sync_kill_switch(&self) -> Result<(), EngineError> {
        match self.shared.store.setting(HALT_SETTING).await? {
            Some(reason) if !self.shared.risk.is_halted() => {
                self.shared.risk.halt(&reason);
                self.shared.notify(Notification::Alert {
                    severity: Severity::Critical,
                    message: format!("Trading halted: {reason}"),
                });
            }
            None if self.shared.risk.is_halted() => {
                self.shared.risk.resume();
                self.shared.notify(Notification::Alert {
                    severity: Severity::Warning,
                    message: "Trading resumed: the kill switch was lifted in the store".to_owned(),
                });
            }
            _ => {}
        }
        Ok(())
    }

    /// Re-reads active pairs; restarts book feeds when the set of watched markets changed.
    async fn refresh_pairs(&mut self, feed_tx: &mpsc::Sender<FeedItem>) -> Result<(), EngineError> {
        let store = Arc::clone(&self.shared.store);
        let mut active = store.pairs(Some(PairStatus::Active)).await?;
        if self.leasing.is_some() {
            // A trading engine watches only the pairs it holds the lease of.
            let leased: HashSet<PairId> = self.shared.leases.pairs().into_iter().collect();
            active.retain(|p| leased.contains(&p.id));
        }
        let before: HashSet<MarketKey> = self.watched_markets();
        let mut pairs = HashMap::new();
        for pair in active {
            if let Some(existing) = self.pairs.remove(&pair.id) {
                pairs.insert(pair.id, WatchedPair { pair, ..existing });
                continue;
            }
            match self.load_pair(&pair).await? {
                Some(watched) => {
                    pairs.insert(pair.id, watched);
                }
                None => {
                    tracing::warn!(pair = %pair.id, "pair's markets or venues are missing; not watching it");
                }
            }
        }
        self.pairs = pairs;
        if self.watched_markets() != before {
            self.restart_feeds(feed_tx);
        }
        Ok(())
    }

    async fn load_pair(&self, pair: &VerifiedPair) -> Result<Option<WatchedPair>, EngineError> {
        let store = &self.shared.store;
        let (Some(a), Some(b)) = (store.market(&pair.a).await?, store.market(&pair.b).await?)
        else {
            return Ok(None);
        };
        let (Some(venue_a), Some(venue_b)) = (
            self.shared.venue(&a.key.venue),
            self.shared.venue(&b.key.venue),
        ) else {
            return Ok(None);
        };
        let fees = [venue_a.fee_model(&a), venue_b.fee_model(&b)];
        Ok(Some(WatchedPair {
            pair: pair.clone(),
            markets: [a, b],
            fees,
            detector: PairDetector::default(),
        }))
    }

    fn watched_markets(&self) -> HashSet<MarketKey> {
        self.pairs
            .values()
            .flat_map(|w| [w.pair.a.clone(), w.pair.b.clone()])
            .collect()
    }

    fn markets_of(&self, venue: &VenueId) -> Vec<MarketId> {
        let mut ids: Vec<MarketId> = self
            .watched_markets()
            .into_iter()
            .filter(|k| &k.venue == venue)
            .map(|k| k.market)
            .collect();
        ids.sort();
        ids
    }

    /// (Re)subscribes every venue to the markets it must watch.
    fn restart_feeds(&mut self, feed_tx: &mpsc::Sender<FeedItem>) {
        self.feeds.abort_all();
        if self.shared.config.poll_only {
            return;
        }
        for venue in &self.shared.venues {
            let markets = self.markets_of(&venue.venue());
            if markets.is_empty() {
                continue;
            }
            let name = format!("feed:{}", venue.venue());
            let venue = Arc::clone(venue);
            let shared = Arc::clone(&self.shared);
            let tx = feed_tx.clone();
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

    /// The books of venues whose stream is not delivering (or of every venue when `poll_only`),
    /// over REST. They are handled directly, never queued behind the streams: the runner is the
    /// only reader of that queue, so waiting on it here could deadlock. The switch to polling and
    /// back is logged once each and shown in the venue's status.
    async fn poll_books(&mut self) -> Vec<FeedItem> {
        let mut polled = Vec::new();
        let now = self.shared.clock.now();
        let interval = self.shared.config.price_fetch_interval;
        let stale_after = chrono::Duration::from_std(interval).unwrap_or(chrono::Duration::MAX);
        for venue in self.shared.venues.clone() {
            let id = venue.venue();
            let markets = self.markets_of(&id);
            if markets.is_empty() {
                continue;
            }
            if !self.shared.config.poll_only {
                let (poll, starts) = self.fallback.needs_poll(&id, now, stale_after);
                if starts {
                    tracing::warn!(venue = %id, every = ?interval, "book stream not delivering; polling books over REST until it does");
                    self.shared.set_venue_polling(&id, true);
                }
                if !poll {
                    continue;
                }
            }
            match venue.order_books(&markets).await {
                Ok(books) => polled.extend(books.into_iter().map(|(market, book)| {
                    let event = BookEvent::Book {
                        market,
                        book: Arc::new(book),
                    };
                    (id.clone(), event)
                })),
                Err(e) => {
                    tracing::warn!(venue = %id, error = %e, "book poll failed");
                    self.shared.set_venue_status(&id, false, None);
                }
            }
        }
        polled
    }

    /// Follows the health of a venue's stream from what it delivers.
    fn on_streamed(&mut self, venue: &VenueId, event: &BookEvent) {
        match event {
            BookEvent::Book { .. } => {
                if self.fallback.streamed(venue, self.shared.clock.now()) {
                    tracing::info!(%venue, "book stream delivering again; REST polling stopped");
                    self.shared.set_venue_polling(venue, false);
                }
            }
            BookEvent::Invalidated { market: None, .. } => self.fallback.lost(venue),
            BookEvent::Invalidated { .. } => {}
        }
    }

    async fn on_book_event(
        &mut self,
        venue: &VenueId,
        event: BookEvent,
    ) -> Result<(), EngineError> {
        let now = self.shared.clock.now();
        match event {
            BookEvent::Invalidated {
                market: Some(market),
                reason,
            } => {
                tracing::info!(%venue, %market, %reason, "book invalidated");
                self.books.invalidate(&MarketKey {
                    venue: venue.clone(),
                    market,
                });
                Ok(())
            }
            BookEvent::Invalidated {
                market: None,
                reason,
            } => {
                tracing::warn!(%venue, %reason, "all books of venue invalidated");
                self.books.invalidate_venue(venue);
                self.shared.set_venue_status(venue, false, None);
                Ok(())
            }
            BookEvent::Book { market, book } => {
                let key = MarketKey {
                    venue: venue.clone(),
                    market,
                };
                self.shared.set_venue_status(venue, true, Some(now));
                self.books.update(key.clone(), book, now);
                let affected: Vec<PairId> = self
                    .pairs
                    .values()
                    .filter(|w| w.pair.a == key || w.pair.b == key)
                    .map(|w| w.pair.id)
                    .collect();
                for pair in affected {
                    self.evaluate(pair).await?;
                }
                Ok(())
            }
        }
    }

    /// Runs the detector on a pair and acts on what it finds.
    async fn evaluate(&mut self, pair_id: PairId) -> Result<(), EngineError> {
        if self.busy.contains(&pair_id) {
            return Ok(());
        }
        if self.leasing.is_some() && !self.shared.leases.holds(pair_id) {
            // Lost (or not yet renewed in time): another daemon may trade it now.
            return Ok(());
        }
        let Some(watched) = self.pairs.get(&pair_id) else {
            return Ok(());
        };
        let now = self.shared.clock.now();
        let limits = self.limits(watched);
        let Some(watched) = self.pairs.get_mut(&pair_id) else {
            return Ok(());
        };
        let (Some(book_a), Some(book_b)) = (
            self.books.get(&watched.pair.a),
            self.books.get(&watched.pair.b),
        ) else {
            return Ok(());
        };
        let WatchedPair {
            pair,
            markets,
            fees,
            detector,
        } = watched;
        let view = PairView {
            pair,
            market_a: &markets[0],
            market_b: &markets[1],
            book_a,
            book_b,
            fees_a: fees[0].as_ref(),
            fees_b: fees[1].as_ref(),
        };
        let opportunity = match detector.best_opportunity(&view, &limits, now) {
            Ok(o) => o,
            Err(reason @ crate::detect::NoOpportunity::StaleBook { .. }) => {
                // Usually a venue clock or feed problem: worth seeing without trace logging.
                tracing::debug!(pair = %pair_id, %reason, "no opportunity");
                return Ok(());
            }
            Err(reason) => {
                tracing::trace!(pair = %pair_id, %reason, "no opportunity");
                return Ok(());
            }
        };
        self.act_on(pair_id, opportunity).await
    }

    fn limits(&self, watched: &WatchedPair) -> DetectLimits {
        let config = &self.shared.config;
        let exposures = self.portfolio.exposure_by_market();
        let exposure =
            |key: &MarketKey| -> Decimal { exposures.get(key).copied().unwrap_or(Decimal::ZERO) };
        // Monitor mode has no account to spend from (venues are read without credentials): size
        // opportunities by the trade limit alone. Trading modes spend only what the venue reports.
        let spendable = |venue: &VenueId| -> Decimal {
            if !config.mode.executes() {
                return config.risk.max_trade_usd;
            }
            let balance = self.balances.get(venue).copied().unwrap_or(Decimal::ZERO);
            (balance - config.risk.min_balance_reserve_usd).max(Decimal::ZERO)
        };
        let cap = config.risk.max_exposure_per_market_usd;
        DetectLimits {
            min_profit_fraction: config.min_profit_fraction,
            min_profit_usd: config.min_profit_usd,
            max_trade_usd: config.risk.max_trade_usd,
            remaining_exposure_a_usd: (cap - exposure(&watched.pair.a)).max(Decimal::ZERO),
            remaining_exposure_b_usd: (cap - exposure(&watched.pair.b)).max(Decimal::ZERO),
            balance_a_usd: spendable(&watched.pair.a.venue),
            balance_b_usd: spendable(&watched.pair.b.venue),
            max_book_age: config.max_book_age,
        }
    }

    async fn act_on(
        &mut self,
        pair_id: PairId,
        opportunity: Opportunity,
    ) -> Result<(), EngineError> {
        let store = Arc::clone(&self.shared.store);
        let mode = self.shared.config.mode;
        let decision = if mode.executes() {
            let state = self.risk_state();
            match self.shared.risk.check(&opportunity, &state) {
                Ok(()) => self
                    .reserve_exposure(&opportunity, &state)
                    .await?
                    .map(OpportunityDecision::Refused),
                Err(refusal) => Some(OpportunityDecision::Refused(refusal.to_string())),
            }
        } else {
            Some(OpportunityDecision::Observed)
        };
        let Some(decision) = decision else {
            return self.start_execution(pair_id, opportunity).await;
        };
        let record = OpportunityRecord {
            id: None,
            opportunity: opportunity.clone(),
            decision,
        };
        if store.record_opportunity(&record).await?.is_some() {
            self.shared
                .notify(Notification::Opportunity { opportunity });
        }
        Ok(())
    }

    /// Reserves the trade's cost in the store's account-wide budget, so daemons sharing the venue
    /// accounts count each other's executions in flight against the total exposure limit; the
    /// refusal's reason when that would exceed it.
    async fn reserve_exposure(
        &self,
        opportunity: &Opportunity,
        state: &RiskState,
    ) -> Result<Option<String>, EngineError> {
        let config = &self.shared.config;
        // Until the execution ended (every order may take its timeout) and every daemon
        // reconciled its fills.
        let rounds = config.execution.max_hedge_attempts.saturating_add(3);
        let ttl = config
            .execution
            .order_timeout
            .saturating_mul(rounds)
            .saturating_add(config.reconcile_interval.saturating_mul(2));
        let reservation = ExposureReservation {
            id: self.shared.ids.next_id("budget"),
            owner: self.shared.leases.owner().id.clone(),
            amount: opportunity.total_cost,
            ttl,
        };
        let limit = config.risk.max_total_exposure_usd;
        match self
            .shared
            .store
            .reserve_exposure(&reservation, state.total_exposure_usd(), limit)
            .await
        {
            Ok(()) => Ok(None),
            Err(e @ StoreError::ExposureLimit { .. }) => Ok(Some(e.to_string())),
            Err(e) => Err(e.into()),
        }
    }

    fn risk_state(&self) -> RiskState {
        RiskState {
            exposure_usd: self.portfolio.exposure_by_market(),
            available_usd: self.balances.clone(),
            now: self.shared.clock.now(),
        }
    }

    async fn start_execution(
        &mut self,
        pair_id: PairId,
        opportunity: Opportunity,
    ) -> Result<(), EngineError> {
        let Some(watched) = self.pairs.get(&pair_id) else {
            return Ok(());
        };
        let Ok(permit) = Arc::clone(&self.permits).try_acquire_owned() else {
            tracing::debug!(pair = %pair_id, "execution slots full; skipping opportunity");
            return Ok(());
        };
        self.shared.notify(Notification::Opportunity {
            opportunity: opportunity.clone(),
        });
        self.busy.insert(pair_id);
        let executor = Arc::clone(&self.executor);
        let pair = watched.pair.clone();
        let markets = watched.markets.clone();
        let books = match (self.books.get(&pair.a), self.books.get(&pair.b)) {
            (Some(a), Some(b)) => Some([Arc::clone(a), Arc::clone(b)]),
            _ => None,
        };
        self.executions.spawn(async move {
            let context = ExecutionContext {
                opportunity_id: None,
                books: books
                    .as_ref()
                    .map(|[a, b]| crate::model::Legs::new(a.as_ref(), b.as_ref())),
            };
            let result = executor
                .execute_with(&pair, [&markets[0], &markets[1]], &opportunity, context)
                .await
                .map(|record| (record, opportunity));
            drop(permit);
            (pair.id, result)
        });
        Ok(())
    }

    async fn on_execution_done(
        &mut self,
        done: Result<(PairId, ExecutionResult), tokio::task::JoinError>,
    ) {
        let (pair_id, result) = match done {
            Ok(v) => v,
            Err(e) if e.is_panic() => {
                let cause = super::panic_cause(e.into_panic().as_ref());
                self.halt_after_panic("execution", &cause, "recovery runs at next start")
                    .await;
                return;
            }
            Err(e) => {
                tracing::error!(error = %e, "execution task failed");
                self.shared.notify(Notification::Alert {
                    severity: Severity::Critical,
                    message: format!(
                        "An execution task stopped unexpectedly: {e}. Recovery runs at next start."
                    ),
                });
                return;
            }
        };
        self.busy.remove(&pair_id);
        let realized_before = self.portfolio.realized_total();
        if let Err(e) = self.reconcile_supervised().await {
            tracing::error!(error = %e, "reconciliation after an execution failed");
        }
        let now = self.shared.clock.now();
        match result {
            Ok((record, opportunity)) => {
                let stored = OpportunityRecord {
                    id: None,
                    opportunity,
                    decision: OpportunityDecision::Executed(record.id.clone()),
                };
                if let Err(e) = self.shared.store.record_opportunity(&stored).await {
                    tracing::error!(error = %e, "could not record an executed opportunity");
                }
                self.shared.risk.record_outcome(&ExecutionOutcome {
                    pair_id,
                    finished_at: now,
                    realized_pnl: self.portfolio.realized_total() - realized_before,
                });
                if matches!(
                    record.state,
                    ExecutionState::Unhedged | ExecutionState::Unwound
                ) {
                    self.shared.pairs_changed.notify_one();
                }
            }
            Err(e) => {
                tracing::error!(pair = %pair_id, error = %e, "execution failed");
                self.shared.notify(Notification::Alert {
                    severity: Severity::Critical,
                    message: format!("Execution on pair {pair_id} failed: {e}"),
                });
            }
        }
    }

    async fn refresh_balances(&mut self) {
        if !self.shared.config.mode.executes() {
            return;
        }
        for venue in &self.shared.venues {
            match venue.balance().await {
                Ok(b) => {
                    self.balances.insert(venue.venue(), b.available);
                }
                Err(e) => {
                    tracing::warn!(venue = %venue.venue(), error = %e, "balance fetch failed")
                }
            }
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

    /// Re-syncs the catalogues (rules changes pause their pairs). A venue that cannot be listed,
    /// wholly or in part, is logged and retried with backoff; a store failure stops the engine
    /// (fail closed).
    async fn resync_catalogues(&mut self) -> Result<(), EngineError> {
        let report = super::EngineHandle::from_shared(Arc::clone(&self.shared))
            .sync_markets()
            .await?;
        match report.problems() {
            None => {
                for v in &report.venues {
                    tracing::info!(venue = %v.venue, markets = v.stored, "catalogue re-synced");
                }
            }
            Some(problems) => {
                tracing::warn!(%problems, "catalogue re-sync incomplete; retrying with backoff");
            }
        }
        Ok(())
    }

    /// Halts trading (the persisted kill switch, so a person must lift it) after `task` panicked:
    /// what it was doing may be half done. Logged, counted and alerted.
    async fn halt_after_panic(&self, task: &str, cause: &str, next: &str) {
        let what = self.shared.tasks.panicked(task, cause);
        let reason = format!("{what}; {next}");
        let handle = super::EngineHandle::from_shared(Arc::clone(&self.shared));
        if let Err(e) = handle.halt("engine", &reason).await {
            tracing::error!(error = %e, "could not persist the kill switch after a panic");
            self.shared.risk.halt(reason.clone());
            self.shared.tasks.alert(format!("Trading halted: {reason}"));
        }
    }

    /// [`Self::reconcile`]; a panic in it halts trading (positions may be half updated).
    async fn reconcile_supervised(&mut self) -> Result<(), EngineError> {
        match AssertUnwindSafe(self.reconcile()).catch_unwind().await {
            Ok(result) => result,
            Err(payload) => {
                let cause = super::panic_cause(payload.as_ref());
                self.halt_after_panic("reconcile", &cause, "check positions against the venues")
                    .await;
                Ok(())
            }
        }
    }

    /// [`Self::resync_catalogues`]; a panic in it counts as an incomplete sync (retried with
    /// backoff) and is alerted.
    async fn resync_catalogues_supervised(&mut self) -> Result<(), EngineError> {
        match AssertUnwindSafe(self.resync_catalogues())
            .catch_unwind()
            .await
        {
            Ok(result) => result,
            Err(payload) => {
                let cause = super::panic_cause(payload.as_ref());
                let what = self.shared.tasks.panicked("catalogue_sync", &cause);
                self.shared
                    .catalogue
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .record_failure(Some(what.clone()), self.shared.clock.now());
                self.shared
                    .tasks
                    .alert(format!("{what}; retrying with backoff"));
                Ok(())
            }
        }
    }

    /// Rebuilds positions and PnL from the stored fills (start-up).
    async fn load_portfolio(&mut self) -> Result<(), EngineError> {
        let fills = self.shared.store.fills(None).await?;
        if let Some(latest) = fills.iter().map(|f| f.ts).max() {
            self.fills_since = latest;
        }
        for e in self.portfolio.apply_fills(&fills) {
            tracing::error!(error = %e, "stored fill does not fit the portfolio");
        }
        Ok(())
    }

    /// Pulls new fills into the store and the portfolio, settles resolved markets, compares our
    /// positions with each venue's (alerting on drift), stores positions and today's PnL, and
    /// refreshes balances.
    async fn reconcile(&mut self) -> Result<(), EngineError> {
        if !self.shared.config.mode.executes() {
            // Monitor mode trades nothing and reads venues without an account.
            return Ok(());
        }
        let store = Arc::clone(&self.shared.store);
        let now = self.shared.clock.now();
        let since = self.fills_since;
        let mut all_fetched = true;
        for venue in self.shared.venues.clone() {
            let id = venue.venue();
            match venue.fills_since(since).await {
                Ok(fills) => {
                    store.insert_fills(&fills).await?;
                    for e in self.portfolio.apply_fills(&fills) {
                        tracing::error!(venue = %id, error = %e, "fill does not fit the portfolio");
                    }
                }
                Err(e) => {
                    all_fetched = false;
                    tracing::warn!(venue = %id, error = %e, "fills fetch failed");
                    continue;
                }
            }
            self.settle_resolved(&venue, now).await;
            match venue.positions().await {
                Ok(positions) => {
                    let drifts = if venue.nets_positions() {
                        self.portfolio.reconcile_netted(&id, &positions)
                    } else {
                        self.portfolio.reconcile(&id, &positions)
                    };
                    if let Some(alert) = drift_alert(&id, &drifts) {
                        self.shared.notify(alert);
                    }
                }
                Err(e) => tracing::warn!(venue = %id, error = %e, "positions fetch failed"),
            }
        }
        if all_fetched {
            // Overlap by a minute: fills are deduplicated, late-reported ones are not missed.
            self.fills_since = now - chrono::Duration::minutes(1);
        }
        store.upsert_positions(&self.portfolio.positions()).await?;
        let today = now.date_naive();
        let executions_today = store
            .executions(100_000)
            .await?
            .iter()
            .filter(|e| e.created_at.date_naive() == today)
            .count();
        let pairs = store.pairs(None).await?;
        let books = &self.books;
        let mark = |key: &MarketKey, outcome| {
            books
                .get(key)
                .and_then(|b| b.sell_levels(outcome).first().map(|l| l.price))
        };
        let daily = self.portfolio.daily_pnl(
            today,
            &pairs,
            mark,
            u32::try_from(executions_today).unwrap_or(u32::MAX),
        );
        store.upsert_daily_pnl(&daily).await?;
        self.refresh_balances().await;
        Ok(())
    }

    /// Settles, in the portfolio, every market of `venue` we hold that the venue reports resolved.
    async fn settle_resolved(
        &mut self,
        venue: &Arc<dyn Exchange>,
        now: chrono::DateTime<chrono::Utc>,
    ) {
        let id = venue.venue();
        let held: HashSet<MarketKey> = self
            .portfolio
            .positions()
            .into_iter()
            .filter(|p| p.market.venue == id && !p.qty.is_zero())
            .map(|p| p.market)
            .collect();
        for key in held {
            match venue.market(&key.market).await {
                Ok(market) => {
                    if let crate::model::MarketStatus::Settled(winner) = market.status {
                        let pnl = self.portfolio.settle(&key, winner, now);
                        tracing::info!(market = %key, %winner, %pnl, "market settled");
                    }
                }
                Err(e) => tracing::warn!(market = %key, error = %e, "market status fetch failed"),
            }
        }
    }
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

fn snapshot(key: &MarketKey, book: &crate::model::BinaryBook) -> PriceSnapshot {
    PriceSnapshot {
        market: key.clone(),
        yes_bid: book.yes.best_bid().map(|l| l.price),
        yes_ask: book.yes.best_ask().map(|l| l.price),
        no_bid: book.no.best_bid().map(|l| l.price),
        no_ask: book.no.best_ask().map(|l| l.price),
        as_of: book.as_of,
    }
}
