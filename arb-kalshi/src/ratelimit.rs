//! Client-side token buckets mirroring Kalshi's read and write budgets, so we slow down before the
//! venue answers 429.

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// Kalshi's usage tiers (`GET /account/limits` tells yours).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum RateTier {
    /// 200 read / 100 write tokens per second.
    #[default]
    Basic,
    /// 300 / 300.
    Advanced,
    /// 600 / 600.
    Expert,
    /// 1000 / 1000.
    Premier,
    /// 2000 / 2000.
    Paragon,
    /// 4000 / 4000.
    Prime,
    /// 10000 / 8000.
    Prestige,
    /// Explicit budgets.
    Custom {
        /// Read bucket.
        read: BucketSpec,
        /// Write bucket.
        write: BucketSpec,
    },
}

/// One bucket: refill rate and capacity, in tokens.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct BucketSpec {
    /// Tokens added per second.
    pub refill_per_sec: u32,
    /// Most tokens the bucket holds (the largest burst).
    pub capacity: u32,
}

impl RateTier {
    /// The read bucket. Basic and Advanced hold 2 s of budget, higher tiers 1 s.
    #[must_use]
    pub const fn read(self) -> BucketSpec {
        let (rate, seconds) = match self {
            Self::Basic => (200, 2),
            Self::Advanced => (300, 2),
            Self::Expert => (600, 1),
            Self::Premier => (1000, 1),
            Self::Paragon => (2000, 1),
            Self::Prime => (4000, 1),
            Self::Prestige => (10000, 1),
            Self::Custom { read, .. } => return read,
        };
        BucketSpec {
            refill_per_sec: rate,
            capacity: rate * seconds,
        }
    }

    /// The write bucket. Basic holds 1 s of budget, higher tiers 2 s.
    #[must_use]
    pub const fn write(self) -> BucketSpec {
        let (rate, seconds) = match self {
            Self::Basic => (100, 1),
            Self::Advanced => (300, 2),
            Self::Expert => (600, 2),
            Self::Premier => (1000, 2),
            Self::Paragon => (2000, 2),
            Self::Prime => (4000, 2),
            Self::Prestige => (8000, 2),
            Self::Custom { write, .. } => return write,
        };
        BucketSpec {
            refill_per_sec: rate,
            capacity: rate * seconds,
        }
    }
}

/// Token costs of the endpoints we call (Kalshi's defaults; `GET /account/endpoint_costs`).
pub mod cost {
    /// Any read without a special cost.
    pub const READ: u32 = 10;
    /// `GET /portfolio/orders/{id}`.
    pub const GET_ORDER: u32 = 2;
    /// V2 create.
    pub const CREATE_ORDER: u32 = 10;
    /// V2 cancel.
    pub const CANCEL_ORDER: u32 = 2;
}

#[derive(Debug)]
struct State {
    tokens: f64,
    last: Instant,
}

/// A continuously refilling token bucket. `acquire` waits until enough tokens are there.
#[derive(Debug)]
pub struct TokenBucket {
    spec: BucketSpec,
    state: Mutex<State>,
}

impl TokenBucket {
    /// A full bucket.
    #[must_use]
    pub fn new(spec: BucketSpec) -> Self {
        Self {
            spec,
            state: Mutex::new(State {
                tokens: f64::from(spec.capacity),
                last: Instant::now(),
            }),
        }
    }

    /// Takes `cost` tokens, waiting for the refill if needed. A cost above the capacity is
    /// clamped to it, so it waits for a full bucket rather than forever.
    pub async fn acquire(&self, cost: u32) {
        let rate = f64::from(self.spec.refill_per_sec.max(1));
        let capacity = f64::from(self.spec.capacity.max(1));
        let cost = f64::from(cost).min(capacity);
        let mut state = self.state.lock().await;
        let now = Instant::now();
        let elapsed = now.duration_since(state.last).as_secs_f64();
        state.tokens = (state.tokens + elapsed * rate).min(capacity);
        state.last = now;
        if state.tokens < cost {
            let wait = Duration::from_secs_f64((cost - state.tokens) / rate);
            // Holding the lock while waiting keeps callers first-come, first-served.
            tokio::time::sleep(wait).await;
            state.tokens = cost;
            state.last = Instant::now();
        }
        state.tokens -= cost;
    }
}

/// The read and write buckets of one account.
#[derive(Debug)]
pub struct RateLimiter {
    /// Reads.
    pub read: TokenBucket,
    /// Order writes.
    pub write: TokenBucket,
}

impl RateLimiter {
    /// Buckets for a tier.
    #[must_use]
    pub fn new(tier: RateTier) -> Self {
        Self {
            read: TokenBucket::new(tier.read()),
            write: TokenBucket::new(tier.write()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_match_the_published_budgets() {
        assert_eq!(
            RateTier::Basic.read(),
            BucketSpec {
                refill_per_sec: 200,
                capacity: 400
            }
        );
        assert_eq!(
            RateTier::Basic.write(),
            BucketSpec {
                refill_per_sec: 100,
                capacity: 100
            }
        );
        assert_eq!(RateTier::Prestige.write().refill_per_sec, 8000);
        assert_eq!(RateTier::Expert.read().capacity, 600);
    }

    #[tokio::test(start_paused = true)]
    async fn bucket_waits_for_refill_once_empty() {
        let bucket = TokenBucket::new(BucketSpec {
            refill_per_sec: 10,
            capacity: 20,
        });
        let start = Instant::now();
        bucket.acquire(10).await;
        bucket.acquire(10).await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        bucket.acquire(10).await;
        assert_eq!(start.elapsed(), Duration::from_secs(1));
        bucket.acquire(5).await;
        assert_eq!(start.elapsed(), Duration::from_millis(1500));
    }
}
