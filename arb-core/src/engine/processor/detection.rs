//! Books in, opportunities and executions out.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::{Processor, WatchedPair};
use crate::detect::{DetectLimits, NoOpportunity, PairView};
use crate::engine::events::{Command, ExecutionOrder, Job, Persist};
use crate::exchange::BookEvent;
use crate::model::{
    BinaryBook, Legs, MarketId, MarketKey, Opportunity, OpportunityDecision, OpportunityRecord,
    PairId, PriceSnapshot, VenueId,
};
use crate::risk::RiskState;

impl Processor {
    /// A book event from a venue's stream: also tells whether the stream delivers.
    pub(super) fn on_streamed(
        &mut self,
        venue: &VenueId,
        event: BookEvent,
        at: DateTime<Utc>,
        out: &mut Vec<Command>,
    ) {
        match &event {
            BookEvent::Book { .. } => {
                if self.fallback.streamed(venue, at) {
                    tracing::info!(%venue, "book stream delivering again; REST polling stopped");
                    out.push(Command::VenuePolling {
                        venue: venue.clone(),
                        polling: false,
                    });
                }
            }
            BookEvent::Invalidated { market: None, .. } => self.fallback.lost(venue),
            BookEvent::Invalidated { .. } => {}
        }
        self.on_book_event(venue, event, at, out);
    }

    /// A REST poll of `venue` ended.
    pub(super) fn on_polled(
        &mut self,
        venue: VenueId,
        result: Result<Vec<(MarketId, Arc<BinaryBook>)>, String>,
        at: DateTime<Utc>,
        out: &mut Vec<Command>,
    ) {
        self.jobs.remove(&Job::Poll(venue.clone()));
        match result {
            Ok(books) => {
                for (market, book) in books {
                    self.on_book_event(&venue, BookEvent::Book { market, book }, at, out);
                }
            }
            Err(e) => {
                tracing::warn!(%venue, error = %e, "book poll failed");
                out.push(Command::VenueConnected {
                    venue,
                    connected: false,
                    at: None,
                });
            }
        }
    }

    fn on_book_event(
        &mut self,
        venue: &VenueId,
        event: BookEvent,
        at: DateTime<Utc>,
        out: &mut Vec<Command>,
    ) {
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
            }
            BookEvent::Invalidated {
                market: None,
                reason,
            } => {
                tracing::warn!(%venue, %reason, "all books of venue invalidated");
                self.books.invalidate_venue(venue);
                out.push(Command::VenueConnected {
                    venue: venue.clone(),
                    connected: false,
                    at: None,
                });
            }
            BookEvent::Book { market, book } => {
                let key = MarketKey {
                    venue: venue.clone(),
                    market,
                };
                out.push(Command::VenueConnected {
                    venue: venue.clone(),
                    connected: true,
                    at: Some(at),
                });
                self.books.update(key.clone(), book, at);
                let affected: Vec<PairId> = self
                    .pairs
                    .values()
                    .filter(|w| w.pair.a == key || w.pair.b == key)
                    .map(|w| w.pair.id)
                    .collect();
                for pair in affected {
                    self.evaluate(pair, at, out);
                }
            }
        }
    }

    /// The books of venues whose stream is not delivering (or of every venue when `poll_only`)
    /// are polled over REST. The switch to polling and back is logged once each and shown in
    /// the venue's status.
    pub(super) fn poll(&mut self, at: DateTime<Utc>, out: &mut Vec<Command>) {
        let interval = self.config.price_fetch_interval;
        let stale_after = chrono::Duration::from_std(interval).unwrap_or(chrono::Duration::MAX);
        for venue in self.venues.clone() {
            let markets = self.markets_of(&venue);
            if markets.is_empty() {
                continue;
            }
            if !self.config.poll_only {
                let (poll, starts) = self.fallback.needs_poll(&venue, at, stale_after);
                if starts {
                    tracing::warn!(%venue, every = ?interval, "book stream not delivering; polling books over REST until it does");
                    out.push(Command::VenuePolling {
                        venue: venue.clone(),
                        polling: true,
                    });
                }
                if !poll {
                    continue;
                }
            }
            let command = Command::PollBooks {
                venue: venue.clone(),
                markets,
            };
            self.start_job(Job::Poll(venue), command, out);
        }
    }

    /// The best prices of every watched book, to persist (batched off the hot path).
    pub(super) fn persist_prices(&self, out: &mut Vec<Command>) {
        let snapshots: Vec<PriceSnapshot> = self
            .watched_markets()
            .iter()
            .filter_map(|key| self.books.get(key).map(|book| snapshot(key, book)))
            .collect();
        if !snapshots.is_empty() {
            out.push(Command::Persist(Persist::Prices(snapshots)));
        }
    }

    /// Runs the detector on a pair and acts on what it finds.
    pub(super) fn evaluate(&mut self, pair_id: PairId, at: DateTime<Utc>, out: &mut Vec<Command>) {
        if self.stopping {
            return;
        }
        if self.busy.contains(&pair_id) {
            self.missed.insert(pair_id);
            return;
        }
        if self.jobs.contains(&Job::Leases) {
            // The running lease round may give the pair up: evaluate it once the round ended.
            self.deferred.insert(pair_id);
            return;
        }
        let Some(watched) = self.pairs.get(&pair_id) else {
            return;
        };
        let limits = self.limits(watched);
        let Some(watched) = self.pairs.get_mut(&pair_id) else {
            return;
        };
        let (Some(book_a), Some(book_b)) = (
            self.books.get(&watched.pair.a),
            self.books.get(&watched.pair.b),
        ) else {
            return;
        };
        let WatchedPair {
            pair,
            markets,
            fees,
            detector,
        } = watched;
        let view = PairView {
            pair,
            markets: markets.each_ref().map(|_, m| m.as_ref()),
            books: Legs::new(book_a, book_b),
            fees: fees.each_ref().map(|_, f| f.as_ref()),
        };
        match detector.best_opportunity(&view, &limits, at) {
            Ok(opportunity) => self.act_on(pair_id, opportunity, at, out),
            Err(reason @ NoOpportunity::StaleBook { .. }) => {
                // Usually a venue clock or feed problem: worth seeing without trace logging.
                tracing::debug!(pair = %pair_id, %reason, "no opportunity");
            }
            Err(reason) => tracing::trace!(pair = %pair_id, %reason, "no opportunity"),
        }
    }

    /// Evaluates the pairs that waited for a lease round.
    pub(super) fn evaluate_deferred(&mut self, at: DateTime<Utc>, out: &mut Vec<Command>) {
        for pair in std::mem::take(&mut self.deferred) {
            self.evaluate(pair, at, out);
        }
    }

    fn limits(&self, watched: &WatchedPair) -> DetectLimits {
        let config = &self.config;
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
            // A balance so negative that the subtraction overflows leaves nothing to spend.
            balance
                .checked_sub(config.risk.min_balance_reserve_usd)
                .unwrap_or(Decimal::ZERO)
                .max(Decimal::ZERO)
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

    /// Monitor mode records the opportunity; trading modes check risk, then execute it (the
    /// execution task reserves the account-wide budget first) or record the refusal.
    fn act_on(
        &mut self,
        pair_id: PairId,
        opportunity: Opportunity,
        at: DateTime<Utc>,
        out: &mut Vec<Command>,
    ) {
        if !self.config.mode.executes() {
            out.push(record(opportunity, OpportunityDecision::Observed, true));
            return;
        }
        let state = self.risk_state(at);
        if let Err(refusal) = self.risk.check(&opportunity, &state) {
            let decision = OpportunityDecision::Refused(refusal.to_string());
            out.push(record(opportunity, decision, true));
            return;
        }
        if self.executions >= self.config.max_concurrent_executions.max(1) {
            tracing::debug!(pair = %pair_id, "execution slots full; skipping opportunity");
            return;
        }
        let Some(watched) = self.pairs.get(&pair_id) else {
            return;
        };
        let books = match (
            self.books.get(&watched.pair.a),
            self.books.get(&watched.pair.b),
        ) {
            (Some(a), Some(b)) => Some(Legs::new(Arc::clone(a), Arc::clone(b))),
            _ => None,
        };
        self.busy.insert(pair_id);
        self.executions += 1;
        out.push(Command::Execute(Box::new(ExecutionOrder {
            pair: watched.pair.clone(),
            markets: watched.markets.clone(),
            opportunity,
            books,
            exposure_usd: state.total_exposure_usd(),
        })));
    }

    fn risk_state(&self, at: DateTime<Utc>) -> RiskState {
        RiskState {
            exposure_usd: self.portfolio.exposure_by_market(),
            available_usd: self.balances.clone(),
            now: at,
        }
    }
}

/// Records an opportunity with its decision (notified when `announce`).
pub(super) fn record(
    opportunity: Opportunity,
    decision: OpportunityDecision,
    announce: bool,
) -> Command {
    Command::Persist(Persist::Opportunity {
        record: Box::new(OpportunityRecord {
            id: None,
            opportunity,
            decision,
        }),
        announce,
    })
}

fn snapshot(key: &MarketKey, book: &BinaryBook) -> PriceSnapshot {
    PriceSnapshot {
        market: key.clone(),
        yes_bid: book.yes.best_bid().map(|l| l.price),
        yes_ask: book.yes.best_ask().map(|l| l.price),
        no_bid: book.no.best_bid().map(|l| l.price),
        no_ask: book.no.best_ask().map(|l| l.price),
        as_of: book.as_of,
    }
}
