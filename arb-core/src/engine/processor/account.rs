//! The account: fills, positions, balances, reconciliation rounds and execution outcomes.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::detection::record;
use super::{AwaitedOutcome, Processor};
use crate::engine::events::{
    Command, ExecutionEnd, Job, Persist, ReconcileOrder, Reconciliation, VenueReconcile,
};
use crate::model::{ExecutionState, Fill, MarketKey, OpportunityDecision, PairId, VenueId};
use crate::notify::{Notification, Severity};
use crate::portfolio::drift_alert;
use crate::risk::ExecutionOutcome;

impl Processor {
    /// Rebuilds positions and PnL from the stored fills (start-up).
    pub(super) fn on_fills_loaded(&mut self, fills: &[Fill]) {
        self.jobs.remove(&Job::Fills);
        if let Some(latest) = fills.iter().map(|f| f.ts).max() {
            self.fills_since = latest;
        }
        for e in self.portfolio.apply_fills(fills) {
            tracing::error!(error = %e, "stored fill does not fit the portfolio");
        }
    }

    /// Fetches the balances (trading modes only: monitor mode reads venues without an account).
    pub(super) fn request_balances(&mut self, out: &mut Vec<Command>) {
        if self.config.mode.executes() {
            self.start_job(Job::Balances, Command::FetchBalances, out);
        }
    }

    pub(super) fn on_balances(&mut self, balances: Vec<(VenueId, Decimal)>) {
        self.jobs.remove(&Job::Balances);
        self.balances.extend(balances);
    }

    /// A reconciliation round now, or once the running one ends (trading modes only: monitor
    /// mode trades nothing and reads venues without an account).
    pub(super) fn request_reconcile(&mut self, at: DateTime<Utc>, out: &mut Vec<Command>) {
        if !self.config.mode.executes() {
            return;
        }
        if self.jobs.contains(&Job::Reconcile) {
            self.rounds.again = true;
            return;
        }
        self.rounds.started += 1;
        let held = self
            .portfolio
            .positions()
            .into_iter()
            .map(|p| p.market)
            .collect::<BTreeSet<MarketKey>>()
            .into_iter()
            .collect();
        let order = ReconcileOrder {
            round: self.rounds.started,
            since: self.fills_since,
            now: at,
            held,
        };
        self.start_job(Job::Reconcile, Command::Reconcile(order), out);
    }

    /// Applies a round: new fills, settlements, drift against each venue's positions (alerted),
    /// then stores positions and the day's PnL, takes the balances and records the outcomes of
    /// executions that waited for this round.
    pub(super) fn on_reconciled(
        &mut self,
        found: Reconciliation,
        at: DateTime<Utc>,
        out: &mut Vec<Command>,
    ) {
        self.jobs.remove(&Job::Reconcile);
        let all_fetched = found.venues.iter().all(|v| v.fills.is_some());
        for venue in &found.venues {
            self.apply_venue(venue, found.now, out);
        }
        if all_fetched {
            // Overlap by a minute: fills are deduplicated, late-reported ones are not missed.
            self.fills_since = found.now - chrono::Duration::minutes(1);
        }
        let books = &self.books;
        let mark = |key: &MarketKey, outcome| {
            books
                .get(key)
                .and_then(|b| b.sell_levels(outcome).first().map(|l| l.price))
        };
        let today = found.now.date_naive();
        let daily = self
            .portfolio
            .daily_pnl(today, &found.pairs, mark, found.executions_today);
        out.push(Command::Persist(Persist::Portfolio {
            positions: self.portfolio.positions(),
            daily: Box::new(daily),
        }));
        self.balances.extend(found.balances);
        self.round_ended(found.round, at, out);
    }

    fn apply_venue(&mut self, found: &VenueReconcile, now: DateTime<Utc>, out: &mut Vec<Command>) {
        let id = &found.venue;
        let Some(fills) = &found.fills else {
            return;
        };
        for e in self.portfolio.apply_fills(fills) {
            tracing::error!(venue = %id, error = %e, "fill does not fit the portfolio");
        }
        let held: BTreeSet<MarketKey> = self
            .portfolio
            .positions()
            .into_iter()
            .filter(|p| &p.market.venue == id)
            .map(|p| p.market)
            .collect();
        for (key, winner) in found.settled.iter().filter(|(k, _)| held.contains(k)) {
            let pnl = self.portfolio.settle(key, *winner, now);
            tracing::info!(market = %key, %winner, %pnl, "market settled");
        }
        if let Some(positions) = &found.positions {
            let drifts = if found.nets_positions {
                self.portfolio.reconcile_netted(id, positions)
            } else {
                self.portfolio.reconcile(id, positions)
            };
            if let Some(alert) = drift_alert(id, &drifts) {
                out.push(Command::Notify(Box::new(alert)));
            }
        }
    }

    /// A round panicked: trading halts (positions may be half updated); the executions that
    /// waited for it are recorded with what is known.
    pub(super) fn on_reconcile_panicked(
        &mut self,
        round: u64,
        cause: String,
        at: DateTime<Utc>,
        out: &mut Vec<Command>,
    ) {
        self.jobs.remove(&Job::Reconcile);
        out.push(Command::HaltAfterPanic {
            task: "reconcile".to_owned(),
            cause,
            next: "check positions against the venues".to_owned(),
        });
        self.round_ended(round, at, out);
    }

    /// Records the outcomes that waited for `round` (their pairs may trade again) and starts
    /// the round asked for meanwhile.
    fn round_ended(&mut self, round: u64, at: DateTime<Utc>, out: &mut Vec<Command>) {
        let realized = self.portfolio.realized_total();
        let (done, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.rounds.awaited)
            .into_iter()
            .partition(|o| o.round <= round);
        self.rounds.awaited = waiting;
        for outcome in done {
            self.risk.record_outcome(&ExecutionOutcome {
                pair_id: outcome.pair,
                finished_at: outcome.finished_at,
                realized_pnl: realized - outcome.realized_before,
            });
            self.busy.remove(&outcome.pair);
            if self.missed.remove(&outcome.pair) {
                self.evaluate(outcome.pair, at, out);
            }
        }
        if std::mem::take(&mut self.rounds.again) && !self.stopping_done() {
            self.request_reconcile(at, out);
        }
    }

    /// Whether nothing more needs reconciling at shutdown.
    fn stopping_done(&self) -> bool {
        self.stopping && self.rounds.awaited.is_empty()
    }

    /// An execution ended: it is recorded, its pair freed once its fills are reconciled (or at
    /// once when it did nothing), and failures alerted.
    pub(super) fn on_execution_end(
        &mut self,
        pair: PairId,
        end: ExecutionEnd,
        at: DateTime<Utc>,
        out: &mut Vec<Command>,
    ) {
        self.executions = self.executions.saturating_sub(1);
        // Books seen while it ran were skipped, as always; only those seen while its fills are
        // reconciled are evaluated once it is free.
        self.missed.remove(&pair);
        match end {
            ExecutionEnd::Finished {
                record: execution,
                opportunity,
            } => {
                let decision = OpportunityDecision::Executed(execution.id.clone());
                out.push(record(*opportunity, decision, false));
                self.await_outcome(pair, at, out);
                if matches!(
                    execution.state,
                    ExecutionState::Unhedged | ExecutionState::Unwound
                ) {
                    self.request_pairs(out);
                }
            }
            ExecutionEnd::Failed(e) => {
                self.busy.remove(&pair);
                self.request_reconcile(at, out);
                tracing::error!(%pair, error = %e, "execution failed");
                out.push(Command::Notify(Box::new(Notification::Alert {
                    severity: Severity::Critical,
                    message: format!("Execution on pair {pair} failed: {e}"),
                })));
            }
            ExecutionEnd::Refused {
                opportunity,
                reason,
            } => {
                self.busy.remove(&pair);
                out.push(record(
                    *opportunity,
                    OpportunityDecision::Refused(reason),
                    true,
                ));
            }
            ExecutionEnd::NotLeased => {
                // Lost (or not yet renewed in time): another daemon may trade it now.
                self.busy.remove(&pair);
            }
            // The pair stays busy: what the execution did is unknown until recovery.
            ExecutionEnd::Panicked(cause) => out.push(Command::HaltAfterPanic {
                task: "execution".to_owned(),
                cause,
                next: "recovery runs at next start".to_owned(),
            }),
        }
    }

    /// Keeps `pair` busy until a round that started after now picked up its fills.
    fn await_outcome(&mut self, pair: PairId, at: DateTime<Utc>, out: &mut Vec<Command>) {
        self.rounds.awaited.push(AwaitedOutcome {
            pair,
            finished_at: at,
            realized_before: self.portfolio.realized_total(),
            round: self.rounds.started + 1,
        });
        self.request_reconcile(at, out);
    }
}
