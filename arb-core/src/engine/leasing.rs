//! How a trading engine leases its pairs: joins its lease group, renews its leases by heartbeat,
//! takes its even share of the pairs to trade (rebalancing as daemons join and leave) and gives
//! them up at shutdown.

use std::collections::{BTreeSet, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::task::JoinHandle;

use super::{EngineError, LeaseConfig};
use crate::execute::PairLeases;
use crate::model::PairId;
use crate::store::{Lease, LeaseScope, Store, StoreError};

/// What one rebalancing round changed.
#[derive(Debug, Default)]
pub(super) struct Rebalance {
    /// Pairs newly leased: recover their open executions before trading them.
    pub acquired: Vec<PairId>,
    /// Pairs given up (to another daemon's share, or no longer wanted).
    pub released: Vec<PairId>,
    /// Pairs whose lease was lost (renewals failed until it lapsed): no longer traded.
    pub lost: Vec<PairId>,
}

/// A trading engine's leases: its group membership, the heartbeat, and its pairs.
pub(super) struct Leasing {
    store: Arc<dyn Store>,
    leases: Arc<PairLeases>,
    config: LeaseConfig,
    membership: Mutex<Option<Lease>>,
    heartbeat: Mutex<Option<JoinHandle<()>>>,
}

impl Leasing {
    pub(super) fn new(store: Arc<dyn Store>, leases: Arc<PairLeases>, config: LeaseConfig) -> Self {
        Self {
            store,
            leases,
            config,
            membership: Mutex::new(None),
            heartbeat: Mutex::new(None),
        }
    }

    /// Joins the lease group and starts the heartbeat. On SQLite this fails with
    /// [`StoreError::TraderRunning`] when another process already trades on the file.
    pub(super) async fn join(&self) -> Result<(), EngineError> {
        let owner = self.leases.owner().clone();
        if self.config.owner.is_none() {
            self.release_dead(&owner).await?;
        }
        let scope = LeaseScope::Member {
            group: self.config.group.clone(),
            owner: owner.id.clone(),
        };
        let membership = self
            .store
            .acquire_lease(&scope, &owner, self.config.ttl)
            .await?;
        tracing::info!(owner = %owner.id, group = %self.config.group, "joined the lease group");
        let beat = tokio::spawn(heartbeat(
            Arc::clone(&self.store),
            Arc::clone(&self.leases),
            membership.clone(),
            self.config.clone(),
        ));
        if let Some(old) = lock(&self.heartbeat).replace(beat) {
            old.abort();
        }
        *lock(&self.membership) = Some(membership);
        Ok(())
    }

    /// Gives up the leases of earlier processes of this host that no longer run (a daemon
    /// restarted after a crash, on SQLite or PostgreSQL, need not wait for them to expire). A
    /// process counts as gone when its pid is this process's own (reused) or, on Linux, has no
    /// `/proc` entry; elsewhere its leases lapse on their own.
    async fn release_dead(&self, me: &crate::store::LeaseOwner) -> Result<(), EngineError> {
        for lease in self.store.leases().await? {
            let other = &lease.owner;
            let gone = other.pid == me.pid || !process_running(other.pid);
            if other.host == me.host && other.host != "unknown-host" && other.id != me.id && gone {
                tracing::warn!(owner = %other.id, scope = %lease.scope, "releasing a lease of a process of this host that no longer runs");
                self.store.release_lease(&lease).await?;
            }
        }
        Ok(())
    }

    /// One round: forgets lapsed leases, then takes or gives up pairs so this process holds its
    /// even share of `wanted` (divided among the group's live members, capped by
    /// `max_pairs`). Pairs in `busy` are never given up.
    pub(super) async fn rebalance(
        &self,
        wanted: &BTreeSet<PairId>,
        busy: &HashSet<PairId>,
    ) -> Result<Rebalance, EngineError> {
        let mut round = Rebalance {
            lost: self.leases.drop_lapsed(),
            ..Rebalance::default()
        };
        let live = self.store.leases().await?;
        let me = &self.leases.owner().id;
        let members = live
            .iter()
            .filter(|l| matches!(&l.scope, LeaseScope::Member { group, .. } if *group == self.config.group))
            .count()
            .max(1);
        let others: HashSet<PairId> = live
            .iter()
            .filter(|l| &l.owner.id != me)
            .filter_map(|l| l.scope.pair())
            .collect();
        let share = self.share(wanted.len(), members);
        let mine: BTreeSet<PairId> = self.leases.pairs().into_iter().collect();
        // Give up what is no longer wanted, then what exceeds the share (newest pairs first).
        let unwanted = mine.iter().filter(|p| !wanted.contains(p));
        let excess = mine.iter().filter(|p| wanted.contains(p)).rev();
        let mut keep = mine.len();
        for &pair in unwanted.chain(excess) {
            if keep <= share && wanted.contains(&pair) {
                break;
            }
            if busy.contains(&pair) {
                continue;
            }
            if let Err(e) = self.leases.release(self.store.as_ref(), pair).await {
                tracing::warn!(%pair, error = %e, "could not release a lease; it lapses on its own");
            }
            round.released.push(pair);
            keep -= 1;
        }
        for &pair in wanted
            .iter()
            .filter(|p| !mine.contains(p) && !others.contains(p))
        {
            if keep >= share {
                break;
            }
            match self.leases.acquire(self.store.as_ref(), pair).await {
                Ok(lease) => {
                    tracing::info!(%pair, token = lease.token, "pair leased");
                    round.acquired.push(pair);
                    keep += 1;
                }
                // Taken by another process meanwhile.
                Err(StoreError::LeaseHeld(_) | StoreError::TraderRunning(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(round)
    }

    /// This process's share of `wanted` pairs among `members` processes, within the cap.
    fn share(&self, wanted: usize, members: usize) -> usize {
        let even = wanted.div_ceil(members);
        self.config.max_pairs.map_or(even, |cap| even.min(cap))
    }

    /// Stops the heartbeat and gives every lease up (at shutdown, after in-flight executions
    /// finished), so other processes take the pairs over at once instead of after expiry.
    pub(super) async fn leave(&self) {
        if let Some(heartbeat) = lock(&self.heartbeat).take() {
            heartbeat.abort();
        }
        for pair in self.leases.pairs() {
            if let Err(e) = self.leases.release(self.store.as_ref(), pair).await {
                tracing::warn!(%pair, error = %e, "could not release a lease; it lapses on its own");
            }
        }
        let membership = lock(&self.membership).take();
        if let Some(membership) = membership
            && let Err(e) = self.store.release_lease(&membership).await
        {
            tracing::warn!(error = %e, "could not leave the lease group; membership lapses on its own");
        }
    }
}

impl Drop for Leasing {
    fn drop(&mut self) {
        if let Some(heartbeat) = lock(&self.heartbeat).take() {
            heartbeat.abort();
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Whether a process with this pid runs on this machine (Linux: its `/proc` entry; elsewhere
/// assumed running, so its leases are left to expire).
fn process_running(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        std::path::Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}

/// Renews the membership and every pair lease every `renew_every`, off the engine's loop so a
/// slow venue call cannot let leases lapse. A lease another process took is forgotten at once
/// (its pair stops trading); a store failure leaves it trusted until its local end only.
async fn heartbeat(
    store: Arc<dyn Store>,
    leases: Arc<PairLeases>,
    mut membership: Lease,
    config: LeaseConfig,
) {
    let mut tick = tokio::time::interval(config.renew_every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        tick.tick().await;
        match store.renew_lease(&membership, config.ttl).await {
            Ok(renewed) => membership = renewed,
            Err(e) if e.is_lease_lost() => {
                match store
                    .acquire_lease(&membership.scope, &membership.owner, config.ttl)
                    .await
                {
                    Ok(again) => membership = again,
                    Err(e) => tracing::warn!(error = %e, "could not rejoin the lease group"),
                }
            }
            Err(e) => tracing::warn!(error = %e, "could not renew the lease group membership"),
        }
        for pair in leases.pairs() {
            if let Err(e) = leases.renew(store.as_ref(), pair).await {
                tracing::error!(%pair, error = %e, "pair lease not renewed");
            }
        }
    }
}
