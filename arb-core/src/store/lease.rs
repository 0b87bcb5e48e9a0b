//! Leases on the shared store: which process trades which pair, and the fencing token every
//! execution write carries.
//!
//! A lease is a row in the store with an owner, an expiry and a token that increases every time
//! the lease changes hands. A process trades a pair only while it holds the pair's lease (renewed
//! by heartbeat); every execution write carries the token ([`Fence`]) and the store refuses a write
//! whose token is no longer the pair's current one, so a paused or partitioned process that lost
//! its lease can neither record nor (the executor writes ahead of every order) place orders.

use std::fmt;
use std::hash::{BuildHasher, Hasher};

use chrono::{DateTime, Utc};

use crate::model::PairId;

/// What a lease covers.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub enum LeaseScope {
    /// Trading one pair.
    Pair(PairId),
    /// Membership of a trading process in a lease group (how daemons count each other to
    /// share the pairs).
    Member {
        /// The group (`LEASE_GROUP`).
        group: String,
        /// The member's owner id.
        owner: String,
    },
}

impl LeaseScope {
    /// The name stored in the lease row: `pair:17` or `member:<group>:<owner>`.
    #[must_use]
    pub fn name(&self) -> String {
        match self {
            Self::Pair(id) => format!("pair:{id}"),
            Self::Member { group, owner } => format!("member:{group}:{owner}"),
        }
    }

    /// The scope a stored name denotes (`None` for a name this program does not write).
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        if let Some(id) = name.strip_prefix("pair:") {
            return id.parse().ok().map(Self::Pair);
        }
        let (group, owner) = name.strip_prefix("member:")?.split_once(':')?;
        Some(Self::Member {
            group: group.to_owned(),
            owner: owner.to_owned(),
        })
    }

    /// The pair this lease lets its holder trade.
    #[must_use]
    pub const fn pair(&self) -> Option<PairId> {
        match self {
            Self::Pair(id) => Some(*id),
            Self::Member { .. } => None,
        }
    }
}

impl fmt::Display for LeaseScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Pair(id) => write!(f, "pair {id}"),
            Self::Member { group, owner } => write!(f, "membership of {owner} in group {group}"),
        }
    }
}

/// Who holds (or asks for) a lease: one process.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct LeaseOwner {
    /// Unique per process (`host/pid/nonce`): two runs of the same pid never share it.
    pub id: String,
    /// The machine's host name.
    pub host: String,
    /// The process id.
    pub pid: u32,
    /// The lease group (`LEASE_GROUP`) the process shares pairs with.
    pub group: String,
}

impl LeaseOwner {
    /// This process, in `group`: host name from `HOSTNAME` or `/etc/hostname`, its pid, and a
    /// random nonce drawn once per process, so that a restarted process with a reused pid is a
    /// different owner while every executor of one process is the same one.
    #[must_use]
    pub fn this_process(group: &str) -> Self {
        let host = std::env::var("HOSTNAME")
            .ok()
            .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "unknown-host".to_owned());
        let pid = std::process::id();
        static NONCE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let nonce = NONCE.get_or_init(|| {
            let random = std::collections::hash_map::RandomState::new()
                .build_hasher()
                .finish();
            format!("{random:016x}")
        });
        Self::new(&host, pid, nonce, group)
    }

    /// An owner with an explicit nonce (tests, and several engines in one process).
    #[must_use]
    pub fn new(host: &str, pid: u32, nonce: &str, group: &str) -> Self {
        let clean = |s: &str| s.replace([':', '/'], "_");
        Self {
            id: format!("{}/{pid}/{}", clean(host), clean(nonce)),
            host: host.to_owned(),
            pid,
            group: group.to_owned(),
        }
    }
}

/// A lease as stored: its scope, holder, fencing token and validity.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Lease {
    /// What it covers.
    pub scope: LeaseScope,
    /// Who holds it.
    pub owner: LeaseOwner,
    /// Increases every time the lease is (re)acquired; never reused for the same scope.
    pub token: u64,
    /// When the holder acquired it (renewals keep this).
    pub acquired_at: DateTime<Utc>,
    /// When it lapses unless renewed (the store's clock).
    pub expires_at: DateTime<Utc>,
}

impl Lease {
    /// The fence that execution writes of this pair lease carry (`None` for a membership).
    #[must_use]
    pub fn fence(&self) -> Option<Fence> {
        self.scope.pair().map(|pair| Fence {
            pair,
            token: self.token,
        })
    }

    /// `owner-id on host (pid N) since … until …`, for errors and listings.
    #[must_use]
    pub fn holder(&self) -> String {
        format!(
            "{} on {} (pid {}, group {}) since {}, until {} (token {})",
            self.owner.id,
            self.owner.host,
            self.owner.pid,
            self.owner.group,
            self.acquired_at.format("%Y-%m-%d %H:%M:%S UTC"),
            self.expires_at.format("%H:%M:%S%.3f UTC"),
            self.token
        )
    }
}

/// Proof that a write comes from the current holder of a pair's lease: the pair and the token.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Fence {
    /// The pair the lease covers.
    pub pair: PairId,
    /// The lease's token when it was acquired.
    pub token: u64,
}

impl fmt::Display for Fence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pair {} token {}", self.pair, self.token)
    }
}

/// A share of the account-wide exposure budget held by one execution being started, so that
/// daemons sharing a venue account count each other's trades in flight against the total
/// exposure limit before their reconciliations see the fills.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ExposureReservation {
    /// Unique per reservation.
    pub id: String,
    /// The process that holds it (a [`LeaseOwner::id`]).
    pub owner: String,
    /// Dollars reserved (the trade's cost and fees).
    pub amount: rust_decimal::Decimal,
    /// How long it counts (the store's clock): long enough for the execution to end and every
    /// daemon to reconcile its fills.
    pub ttl: std::time::Duration,
}
