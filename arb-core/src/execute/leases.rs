//! The pair leases one process holds, as its executor uses them: the fence every execution write
//! carries, and whether a pair may still be traded at all.
//!
//! A lease is trusted locally only until `ttl` after the moment its acquisition or last renewal
//! was *sent* (the store's expiry is later than that), so a process whose heartbeat stalls stops
//! sending orders before another process can take the pair over.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use crate::model::PairId;
use crate::store::{Fence, Lease, LeaseOwner, LeaseScope, Store, StoreError};

/// A held lease and until when this process trusts it.
#[derive(Clone, Debug)]
struct Held {
    lease: Lease,
    valid_until: Instant,
}

/// The pair leases of one process (shared by its engine and executor).
#[derive(Debug)]
pub struct PairLeases {
    owner: LeaseOwner,
    ttl: Duration,
    /// Whether the executor takes (and renews) a pair's lease itself when it needs one: for an
    /// executor used on its own. An engine manages its leases and sets this off.
    on_demand: bool,
    held: Mutex<HashMap<PairId, Held>>,
}

impl PairLeases {
    /// Leases taken by the executor itself when it first writes for a pair, renewed when they near
    /// their end: for an executor used without an engine.
    #[must_use]
    pub fn on_demand(owner: LeaseOwner, ttl: Duration) -> Self {
        Self::new(owner, ttl, true)
    }

    /// Leases acquired, renewed and released by an engine; the executor only uses them.
    #[must_use]
    pub fn managed(owner: LeaseOwner, ttl: Duration) -> Self {
        Self::new(owner, ttl, false)
    }

    fn new(owner: LeaseOwner, ttl: Duration, on_demand: bool) -> Self {
        Self {
            owner,
            ttl,
            on_demand,
            held: Mutex::new(HashMap::new()),
        }
    }

    /// Who holds these leases.
    #[must_use]
    pub const fn owner(&self) -> &LeaseOwner {
        &self.owner
    }

    /// How long a lease lasts without renewal.
    #[must_use]
    pub const fn ttl(&self) -> Duration {
        self.ttl
    }

    fn held(&self) -> std::sync::MutexGuard<'_, HashMap<PairId, Held>> {
        self.held
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether this process holds `pair`'s lease and still trusts it.
    #[must_use]
    pub fn holds(&self, pair: PairId) -> bool {
        self.valid(pair).is_some()
    }

    fn valid(&self, pair: PairId) -> Option<Lease> {
        let now = Instant::now();
        self.held()
            .get(&pair)
            .filter(|h| h.valid_until > now)
            .map(|h| h.lease.clone())
    }

    /// The leases held and still trusted, by pair.
    #[must_use]
    pub fn current(&self) -> Vec<Lease> {
        let now = Instant::now();
        let mut out: Vec<Lease> = self
            .held()
            .values()
            .filter(|h| h.valid_until > now)
            .map(|h| h.lease.clone())
            .collect();
        out.sort_by_key(|l| l.scope.pair());
        out
    }

    /// The fence for a write of `pair`: its held lease. On demand, the lease is taken (or renewed
    /// past half its life) first.
    ///
    /// # Errors
    /// [`StoreError::NotLeased`] when the lease is not held (or no longer trusted) and is not
    /// taken on demand; the store's error when taking it fails (e.g. [`StoreError::LeaseHeld`]).
    pub async fn fence(&self, store: &dyn Store, pair: PairId) -> Result<Fence, StoreError> {
        if self.on_demand {
            let renew_after = Instant::now() + self.ttl / 2;
            let fresh = self.held().get(&pair).map(|h| h.valid_until > renew_after);
            match fresh {
                Some(true) => {}
                Some(false) => {
                    if self.renew(store, pair).await.is_err() {
                        self.acquire(store, pair).await?;
                    }
                }
                None => {
                    self.acquire(store, pair).await?;
                }
            }
        }
        self.valid(pair)
            .and_then(|l| l.fence())
            .ok_or_else(|| StoreError::NotLeased(LeaseScope::Pair(pair).to_string()))
    }

    /// Takes `pair`'s lease in the store (when free, expired or already ours) and trusts it.
    ///
    /// # Errors
    /// As [`Store::acquire_lease`].
    pub async fn acquire(&self, store: &dyn Store, pair: PairId) -> Result<Lease, StoreError> {
        let sent = Instant::now();
        let lease = store
            .acquire_lease(&LeaseScope::Pair(pair), &self.owner, self.ttl)
            .await?;
        self.held().insert(
            pair,
            Held {
                lease: lease.clone(),
                valid_until: sent + self.ttl,
            },
        );
        Ok(lease)
    }

    /// Renews `pair`'s lease; on failure the lease is forgotten (the pair must not be traded).
    ///
    /// # Errors
    /// [`StoreError::NotLeased`] when it is not held, [`StoreError::LeaseLost`] when another
    /// process took it; the store's
    /// error otherwise (the lease is then trusted until its local end, no longer).
    pub async fn renew(&self, store: &dyn Store, pair: PairId) -> Result<Lease, StoreError> {
        let Some(held) = self.held().get(&pair).cloned() else {
            return Err(StoreError::NotLeased(LeaseScope::Pair(pair).to_string()));
        };
        let sent = Instant::now();
        match store.renew_lease(&held.lease, self.ttl).await {
            Ok(lease) => {
                let mut map = self.held();
                // Unless it was released or replaced meanwhile.
                if map.get(&pair).is_some_and(|h| h.lease.token == lease.token) {
                    map.insert(
                        pair,
                        Held {
                            lease: lease.clone(),
                            valid_until: sent + self.ttl,
                        },
                    );
                }
                Ok(lease)
            }
            Err(e) => {
                if e.is_lease_lost() || held.valid_until <= Instant::now() {
                    self.forget(pair, held.lease.token);
                }
                Err(e)
            }
        }
    }

    /// Gives `pair`'s lease up in the store and stops trusting it.
    ///
    /// # Errors
    /// The store's error (the lease is forgotten locally regardless, and lapses at its expiry).
    pub async fn release(&self, store: &dyn Store, pair: PairId) -> Result<(), StoreError> {
        let held = self.held().remove(&pair);
        match held {
            Some(h) => store.release_lease(&h.lease).await,
            None => Ok(()),
        }
    }

    /// The pairs whose leases are held but no longer trusted (their renewals failed until their
    /// local end): forgotten, and returned so the caller can stop trading them.
    pub fn drop_lapsed(&self) -> Vec<PairId> {
        let now = Instant::now();
        let mut map = self.held();
        let lapsed: Vec<PairId> = map
            .iter()
            .filter(|(_, h)| h.valid_until <= now)
            .map(|(p, _)| *p)
            .collect();
        for pair in &lapsed {
            map.remove(pair);
        }
        lapsed
    }

    /// The pairs whose leases are held (trusted or not yet dropped).
    #[must_use]
    pub fn pairs(&self) -> Vec<PairId> {
        let mut pairs: Vec<PairId> = self.held().keys().copied().collect();
        pairs.sort();
        pairs
    }

    fn forget(&self, pair: PairId, token: u64) {
        let mut map = self.held();
        if map.get(&pair).is_some_and(|h| h.lease.token == token) {
            map.remove(&pair);
        }
    }
}
