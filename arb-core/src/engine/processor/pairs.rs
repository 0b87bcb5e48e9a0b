//! Which pairs are watched and traded: pair refreshes, leases, recoveries and the kill switch.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::{Processor, WatchedPair};
use crate::detect::PairDetector;
use crate::engine::events::{Command, Job, LoadedPair, RecoveryEnd};
use crate::model::{MarketId, MarketKey, PairId, VenueId, VerifiedPair};
use crate::notify::{Notification, Severity};

impl Processor {
    /// Re-reads the active pairs now, or once the running read ends.
    pub(super) fn request_pairs(&mut self, out: &mut Vec<Command>) {
        if self.jobs.contains(&Job::Pairs) {
            self.pairs_again = true;
            return;
        }
        let known = self.pairs.keys().copied().collect();
        self.start_job(Job::Pairs, Command::RefreshPairs { known }, out);
    }

    /// The active pairs were read: keeps the known ones (and their detectors), adds the loaded
    /// ones, drops the rest; resubscribes the feeds when the watched markets changed.
    pub(super) fn on_pairs_refreshed(
        &mut self,
        active: Vec<VerifiedPair>,
        loaded: Vec<LoadedPair>,
        out: &mut Vec<Command>,
    ) {
        self.jobs.remove(&Job::Pairs);
        let before = self.watched_markets();
        let mut loaded: BTreeMap<PairId, LoadedPair> =
            loaded.into_iter().map(|l| (l.pair.id, l)).collect();
        let mut pairs = BTreeMap::new();
        for pair in active {
            let id = pair.id;
            if let Some(existing) = self.pairs.remove(&id) {
                pairs.insert(id, WatchedPair { pair, ..existing });
            } else if let Some(new) = loaded.remove(&id) {
                let watched = WatchedPair {
                    pair,
                    markets: new.markets.map(|_, m| Arc::new(m)),
                    fees: new.fees,
                    detector: PairDetector::default(),
                };
                pairs.insert(id, watched);
            } else {
                tracing::warn!(pair = %id, "pair's markets or venues are missing; not watching it");
            }
        }
        self.pairs = pairs;
        if self.watched_markets() != before && !self.config.poll_only {
            let feeds = self
                .venues
                .iter()
                .map(|v| (v.clone(), self.markets_of(v)))
                .filter(|(_, markets)| !markets.is_empty())
                .collect();
            out.push(Command::WatchMarkets(feeds));
        }
        if std::mem::take(&mut self.pairs_again) {
            self.request_pairs(out);
        }
    }

    pub(super) fn watched_markets(&self) -> BTreeSet<MarketKey> {
        self.pairs
            .values()
            .flat_map(|w| [w.pair.a.clone(), w.pair.b.clone()])
            .collect()
    }

    pub(super) fn markets_of(&self, venue: &VenueId) -> Vec<MarketId> {
        self.watched_markets()
            .into_iter()
            .filter(|k| &k.venue == venue)
            .map(|k| k.market)
            .collect()
    }

    /// A lease round, unless one runs or the engine stops. Busy pairs are never given up.
    pub(super) fn start_leases(&mut self, out: &mut Vec<Command>) {
        if self.stopping {
            return;
        }
        let busy = self.busy.iter().copied().collect();
        self.start_job(Job::Leases, Command::RebalanceLeases { busy }, out);
    }

    /// A lease round ended: lost pairs are alerted, newly leased ones recovered (busy until
    /// then), the pairs re-read when they changed, and deferred evaluations run.
    pub(super) fn on_leases(
        &mut self,
        acquired: &[PairId],
        released: &[PairId],
        lost: &[PairId],
        at: DateTime<Utc>,
        out: &mut Vec<Command>,
    ) {
        self.jobs.remove(&Job::Leases);
        for pair in lost {
            tracing::error!(%pair, "pair lease lost: stopped trading the pair");
            out.push(Command::Notify(Box::new(Notification::Alert {
                severity: Severity::Warning,
                message: format!(
                    "Lost the lease on pair {pair} (renewals failed): stopped trading it; \
                     another daemon may take it over."
                ),
            })));
        }
        for pair in released {
            tracing::info!(%pair, "pair lease released to another daemon's share");
        }
        for &pair in acquired {
            self.busy.insert(pair);
            self.recoveries += 1;
            out.push(Command::Recover(pair));
        }
        if !(acquired.is_empty() && released.is_empty() && lost.is_empty()) {
            self.request_pairs(out);
        }
        self.evaluate_deferred(at, out);
    }

    /// A newly leased pair's recovery ended: the pair may be traded, unless the recovery failed
    /// (alerted; the pair is then kept out of trading).
    pub(super) fn on_recovered(&mut self, pair: PairId, end: RecoveryEnd, out: &mut Vec<Command>) {
        self.recoveries = self.recoveries.saturating_sub(1);
        match end {
            RecoveryEnd::Recovered(records) => {
                self.busy.remove(&pair);
                for record in records {
                    tracing::info!(%pair, id = %record.id, state = ?record.state, "recovered execution");
                }
            }
            RecoveryEnd::Failed(e) => {
                // Fail closed: the pair stays busy (never traded, its lease kept so no other
                // daemon trades it either) until a person looks and the daemon restarts.
                tracing::error!(%pair, error = %e, "recovery of a leased pair failed; not trading it");
                out.push(Command::Notify(Box::new(Notification::Alert {
                    severity: Severity::Critical,
                    message: format!(
                        "Recovering pair {pair}'s open executions failed: {e}. The pair is not \
                         traded until the daemon restarts."
                    ),
                })));
            }
            RecoveryEnd::Panicked(cause) => out.push(Command::HaltAfterPanic {
                task: "recovery".to_owned(),
                cause,
                next: "recovery runs again at next start".to_owned(),
            }),
        }
    }

    /// Applies the persisted kill switch (which another process, such as `arb-daemon halt`, may
    /// have set or lifted) and alerts the change, as a halt through this engine's handle does.
    pub(super) fn on_kill_switch(&mut self, reason: Option<String>, out: &mut Vec<Command>) {
        self.jobs.remove(&Job::KillSwitch);
        match reason {
            Some(reason) if !self.risk.is_halted() => {
                self.risk.halt(&reason);
                out.push(Command::Notify(Box::new(Notification::Alert {
                    severity: Severity::Critical,
                    message: format!("Trading halted: {reason}"),
                })));
            }
            None if self.risk.is_halted() => {
                self.risk.resume();
                out.push(Command::Notify(Box::new(Notification::Alert {
                    severity: Severity::Warning,
                    message: "Trading resumed: the kill switch was lifted in the store".to_owned(),
                })));
            }
            _ => {}
        }
    }
}
