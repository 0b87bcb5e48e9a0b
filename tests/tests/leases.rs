//! Three trading engines on one PostgreSQL store (each with its own connections, all on the same
//! simulated venue accounts), as three daemons would run: a dislocation is executed exactly once;
//! an engine killed mid-execution is replaced by another, which finishes the execution after the
//! lease expired without sending anything twice; a process whose lease was taken over cannot
//! record or place an order (its stale token is refused).
//!
//! Needs `DATABASE_URL` (e.g. `postgres://postgres@127.0.0.1:5432/test`); each test works in a
//! schema of its own, dropped afterwards. Without it the tests are reported as ignored
//! (`SKIPPED: …`), unless `ARB_REQUIRE_POSTGRES=1`.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use arb_core::clock::{Clock, SequentialIds, SystemClock};
use arb_core::engine::{Engine, EngineConfig, EngineHandle, EngineParts, LeaseConfig, TradingMode};
use arb_core::exchange::Exchange;
use arb_core::execute::{ExecuteError, Executor, PairLeases};
use arb_core::model::{
    ExecutionRecord, ExecutionState, Level, MarketKey, Opportunity, OpportunityLeg, OrderRole,
    Outcome, PairId, Polarity, Price, Qty, VerifiedPair,
};
use arb_core::notify::RecordingNotifier;
use arb_core::sim::{Fault, SimConfig, SimExchange, binary_market, levels};
use arb_core::store::{Lease, LeaseOwner, LeaseScope, Store, StoreError};
use arb_kalshi::KalshiFees;
use arb_store::SqlStore;
use chrono::{Duration as ChronoDuration, Utc};
use rust_decimal::Decimal;
use sqlx::Connection;

/// A PostgreSQL schema of one test.
struct Schema {
    base: String,
    name: String,
    url: String,
}

impl Schema {
    async fn create() -> Self {
        let base = std::env::var("DATABASE_URL").expect(
            "DATABASE_URL must point at PostgreSQL, e.g. postgres://postgres@127.0.0.1:5432/test",
        );
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            "leases_{}_{}_{}",
            std::process::id(),
            Utc::now().timestamp_subsec_nanos(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let schema = Self {
            url: format!(
                "{base}{}options=-c%20search_path%3D{name}",
                if base.contains('?') { '&' } else { '?' }
            ),
            base,
            name,
        };
        schema
            .admin(&format!("CREATE SCHEMA {}", schema.name))
            .await;
        schema
    }

    async fn admin(&self, sql: &str) {
        let mut conn = sqlx::PgConnection::connect(&self.base).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
    }

    /// A store on this schema with its own connections (as another process would have).
    async fn connect(&self) -> Arc<SqlStore> {
        Arc::new(arb_store::connect(&self.url).await.unwrap())
    }

    async fn drop_all(self) {
        self.admin(&format!("DROP SCHEMA {} CASCADE", self.name))
            .await;
    }
}

/// Two simulated venue accounts shared by every engine (clones share state), with one market
/// each and deep, quiet books.
#[derive(Clone)]
struct Venues {
    a: SimExchange,
    b: SimExchange,
    /// Markets per venue.
    n: usize,
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

impl Venues {
    fn new() -> Self {
        Self::with_markets(1)
    }

    /// Markets A1…An on venue A and B1…Bn on venue B.
    fn with_markets(n: usize) -> Self {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let venue = |name: &str| {
            SimExchange::new(
                SimConfig::new(name, d("10000")),
                Arc::clone(&clock),
                Arc::new(SequentialIds::starting_after(0)),
            )
        };
        let (a, b) = (venue("va"), venue("vb"));
        let close = Utc::now() + ChronoDuration::days(30);
        let fees = KalshiFees::quadratic(Decimal::ONE).schedule();
        for i in 1..=n {
            for (v, key) in [
                (&a, MarketKey::new("va", format!("A{i}"))),
                (&b, MarketKey::new("vb", format!("B{i}"))),
            ] {
                let title = format!("Will it rain in Paris on Dec {i}, 2026?");
                let market = binary_market(key, title, fees.clone(), close);
                v.add_market(market.unwrap()).unwrap();
            }
        }
        let venues = Self { a, b, n };
        venues.books(d("0.49"), d("0.51"), d("0.49"), d("0.51"));
        venues
    }

    /// The same books on every market of each venue.
    fn books(&self, a_bid: Decimal, a_ask: Decimal, b_bid: Decimal, b_ask: Decimal) {
        let depth = d("1000");
        for i in 1..=self.n {
            let (ma, mb) = (format!("A{i}"), format!("B{i}"));
            for (v, m, bid, ask) in [(&self.a, ma, a_bid, a_ask), (&self.b, mb, b_bid, b_ask)] {
                v.set_book(
                    &m.as_str().into(),
                    &levels(&[(bid, depth)]).unwrap(),
                    &levels(&[(ask, depth)]).unwrap(),
                )
                .unwrap();
            }
        }
    }

    /// YES on A at 0.40 and NO on B at 0.45, 1,000 deep: every engine allowed to trade it would
    /// (each is limited to $20 a trade, so the book is never exhausted by one).
    fn dislocate(&self) {
        self.books(d("0.38"), d("0.40"), d("0.55"), d("0.57"));
    }

    fn list(&self) -> Vec<Arc<dyn Exchange>> {
        vec![Arc::new(self.a.clone()), Arc::new(self.b.clone())]
    }

    /// Contracts held of `outcome` on `market` of `venue`.
    fn held(venue: &SimExchange, market: &str, outcome: Outcome) -> Decimal {
        venue
            .position(&market.into(), outcome)
            .map_or(Decimal::ZERO, |p| p.qty.value())
    }
}

const TTL: Duration = Duration::from_millis(2000);

fn owner(n: u64) -> LeaseOwner {
    LeaseOwner::new(
        "test-host",
        7000 + u32::try_from(n).unwrap(),
        &format!("engine-{n}"),
        "leases-test",
    )
}

fn config(n: u64, order_timeout: Duration) -> EngineConfig {
    let mut config = EngineConfig::new(TradingMode::Live);
    config.control_poll_interval = Duration::from_millis(50);
    config.reconcile_interval = Duration::from_millis(300);
    config.price_fetch_interval = Duration::from_millis(100);
    config.execution.order_timeout = order_timeout;
    config.execution.poll_interval = Duration::from_millis(20);
    config.risk.max_trade_usd = d("20");
    config.leases = LeaseConfig {
        ttl: TTL,
        renew_every: Duration::from_millis(400),
        group: "leases-test".to_owned(),
        max_pairs: None,
        owner: Some(owner(n)),
    };
    config
}

/// One engine, as one daemon: its own store connections, its own id space.
struct Node {
    owner: LeaseOwner,
    store: Arc<SqlStore>,
    handle: EngineHandle,
    stop: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

async fn start(schema: &Schema, venues: &Venues, n: u64, order_timeout: Duration) -> Node {
    start_with(schema, venues, n, config(n, order_timeout)).await
}

/// Engines 1, 2 and 3, started one after the other.
async fn start_three(schema: &Schema, venues: &Venues, order_timeout: Duration) -> Vec<Node> {
    let mut nodes = Vec::new();
    for n in 1..=3 {
        nodes.push(start(schema, venues, n, order_timeout).await);
    }
    nodes
}

async fn start_with(schema: &Schema, venues: &Venues, n: u64, config: EngineConfig) -> Node {
    let store = schema.connect().await;
    let engine = Engine::new(EngineParts {
        venues: venues.list(),
        store: Arc::clone(&store) as Arc<dyn Store>,
        notifier: Arc::new(RecordingNotifier::default()),
        clock: Arc::new(SystemClock),
        ids: Arc::new(SequentialIds::starting_after(n * 1_000_000)),
        config,
    })
    .unwrap();
    let handle = engine.handle();
    let (stop, rx) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(async move { engine.run(rx).await.unwrap() });
    Node {
        owner: owner(n),
        store,
        handle,
        stop,
        task,
    }
}

/// Syncs the catalogue and approves the pair A1/B1 (through a handle on its own connection).
async fn approve(schema: &Schema, venues: &Venues) -> VerifiedPair {
    approve_pairs(schema, venues, 1).await.remove(0)
}

/// Syncs the catalogue and approves the pairs A1/B1 … An/Bn.
async fn approve_pairs(schema: &Schema, venues: &Venues, n: usize) -> Vec<VerifiedPair> {
    let engine = Engine::new(EngineParts {
        venues: venues.list(),
        store: schema.connect().await as Arc<dyn Store>,
        notifier: Arc::new(RecordingNotifier::default()),
        clock: Arc::new(SystemClock),
        ids: Arc::new(SequentialIds::starting_after(0)),
        config: EngineConfig::new(TradingMode::Monitor),
    })
    .unwrap();
    let handle = engine.handle();
    handle.sync_markets().await.unwrap();
    let mut pairs = Vec::new();
    for i in 1..=n {
        let a = MarketKey::new("va", format!("A{i}"));
        let b = MarketKey::new("vb", format!("B{i}"));
        pairs.push(
            handle
                .approve_pair(&a, &b, Polarity::Same, "tester")
                .await
                .unwrap(),
        );
    }
    pairs
}

/// How many pairs each engine (by owner id) holds the lease of.
async fn holdings(store: &dyn Store) -> Result<BTreeMap<String, usize>, StoreError> {
    let mut held = BTreeMap::new();
    for lease in store.leases().await? {
        if lease.scope.pair().is_some() {
            *held.entry(lease.owner.id).or_insert(0) += 1;
        }
    }
    Ok(held)
}

/// Polls `read` every 50 ms until `done` holds, at most `limit`; returns the last value.
async fn eventually<T, F, Fut>(limit: Duration, mut read: F, done: impl Fn(&T) -> bool) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, StoreError>>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let value = read().await.unwrap();
        if done(&value) || tokio::time::Instant::now() >= deadline {
            return value;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The live lease of `pair`, waiting up to 10 s for one.
async fn holder(store: &dyn Store, pair: PairId) -> Lease {
    let leases = eventually(
        Duration::from_secs(10),
        || store.leases(),
        |l| l.iter().any(|l| l.scope == LeaseScope::Pair(pair)),
    )
    .await;
    leases
        .into_iter()
        .find(|l| l.scope == LeaseScope::Pair(pair))
        .expect("an engine leased the pair")
}

async fn stop_all(nodes: Vec<Node>) {
    for node in &nodes {
        let _ = node.stop.send(true);
    }
    for node in nodes {
        if !node.task.is_finished() {
            node.task.await.unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[cfg_attr(
    postgres_unavailable,
    ignore = "SKIPPED: DATABASE_URL is not set (ARB_REQUIRE_POSTGRES=1 makes this a failure)"
)]
async fn three_engines_execute_a_dislocation_exactly_once() {
    let schema = Schema::create().await;
    let venues = Venues::new();
    let pair = approve(&schema, &venues).await;
    let nodes = start_three(&schema, &venues, Duration::from_secs(2)).await;
    let lease = holder(nodes[0].store.as_ref(), pair.id).await;
    // All three are members of the group; exactly one holds the pair.
    let members = |live: &Vec<Lease>| {
        live.iter()
            .filter(|l| matches!(l.scope, LeaseScope::Member { .. }))
            .count()
    };
    let store = Arc::clone(&nodes[0].store);
    let live = eventually(
        Duration::from_secs(5),
        || store.leases(),
        |l| members(l) == 3,
    )
    .await;
    assert_eq!(members(&live), 3, "{live:#?}");
    let pairs: Vec<(&LeaseOwner, u64)> = live
        .iter()
        .filter(|l| l.scope.pair().is_some())
        .map(|l| (&l.owner, l.token))
        .collect();
    assert_eq!(pairs, vec![(&lease.owner, lease.token)], "one holder");
    venues.dislocate();
    let done = eventually(
        Duration::from_secs(10),
        || store.executions(10),
        |e| e.iter().any(|e| e.state.is_terminal()),
    )
    .await;
    // Leave time for any other engine to (wrongly) trade the same dislocation.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let executions = store.executions(10).await.unwrap();
    let statuses = [
        nodes[0].handle.status().await.unwrap(),
        nodes[1].handle.status().await.unwrap(),
    ];
    stop_all(nodes).await;

    assert_eq!(
        executions.len(),
        1,
        "executed exactly once: {executions:#?}"
    );
    let execution = &executions[0];
    assert_eq!(execution.state, ExecutionState::Hedged, "{done:#?}");
    // Ids are minted per engine (n × 1,000,000 + …): the holder of the lease executed it.
    let minted_by = lease.owner.id.clone();
    let qty = execution.plan.qty.value();
    assert!(qty > Decimal::ZERO);
    assert_eq!(
        Venues::held(&venues.a, "A1", Outcome::Yes),
        qty,
        "one first leg, by {minted_by}"
    );
    assert_eq!(Venues::held(&venues.b, "B1", Outcome::No), qty, "one hedge");
    assert!(statuses.iter().all(|s| s.halted.is_none()));
    // Stopped engines gave their leases up at once.
    let after = schema.connect().await.leases().await.unwrap();
    assert!(after.is_empty(), "{after:#?}");
    schema.drop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[cfg_attr(
    postgres_unavailable,
    ignore = "SKIPPED: DATABASE_URL is not set (ARB_REQUIRE_POSTGRES=1 makes this a failure)"
)]
async fn an_engine_killed_mid_execution_is_replaced_and_nothing_is_sent_twice() {
    let schema = Schema::create().await;
    let venues = Venues::new();
    let pair = approve(&schema, &venues).await;
    // Long order timeouts: the holder keeps waiting on its hedge until it is killed.
    let mut nodes = start_three(&schema, &venues, Duration::from_secs(60)).await;
    let first = holder(nodes[0].store.as_ref(), pair.id).await;
    // The hedge on B is accepted but stays pending (the venue executes it later).
    venues.b.inject(Fault::Delayed { polls: 1_000_000 });
    venues.dislocate();
    let store = Arc::clone(&nodes[0].store);
    let hedging = eventually(
        Duration::from_secs(10),
        || store.executions(10),
        |e| e.iter().any(|e| e.state == ExecutionState::SecondLegSent),
    )
    .await;
    let execution = hedging
        .iter()
        .find(|e| e.state == ExecutionState::SecondLegSent)
        .expect("the holder sent its hedge")
        .clone();
    let orders = store.execution_orders(&execution.id).await.unwrap();
    assert!(
        orders.iter().any(|o| o.role == OrderRole::SecondLeg),
        "{orders:#?}"
    );
    // The dislocation closes (A's book moves to B's prices), so whoever takes the pair over has
    // nothing new to trade: every contract bought below comes from this one execution.
    venues
        .a
        .set_book(
            &"A1".into(),
            &levels(&[(d("0.55"), d("1000"))]).unwrap(),
            &levels(&[(d("0.57"), d("1000"))]).unwrap(),
        )
        .unwrap();

    // Kill the holder mid-execution (its task is aborted: no clean shutdown, no release).
    let killed_at = tokio::time::Instant::now();
    let index = nodes.iter().position(|n| n.owner == first.owner).unwrap();
    let killed = nodes.remove(index);
    killed.task.abort();
    assert!(killed.task.await.unwrap_err().is_cancelled());
    // Meanwhile the venue executes the pending hedge.
    venues.b.release_delayed();

    let finished: ExecutionRecord = eventually(
        Duration::from_secs(15),
        || store.execution(&execution.id),
        |e| e.as_ref().is_some_and(|e| e.state.is_terminal()),
    )
    .await
    .unwrap();
    let took = killed_at.elapsed();
    let second = holder(store.as_ref(), pair.id).await;
    stop_all(nodes).await;
    let executions = store.executions(10).await.unwrap();

    assert_eq!(finished.state, ExecutionState::Hedged, "{finished:#?}");
    assert_ne!(
        second.owner, first.owner,
        "another engine took the pair over"
    );
    assert!(
        second.token > first.token,
        "{} after {}",
        second.token,
        first.token
    );
    // Not before the killed engine's lease could have expired (its last renewal was at most
    // one renewal period before the kill).
    assert!(
        took >= TTL - Duration::from_millis(400),
        "taken over after {took:?}"
    );
    assert_eq!(executions.len(), 1, "no new execution: {executions:#?}");
    let qty = finished.plan.qty.value();
    assert_eq!(
        Venues::held(&venues.a, "A1", Outcome::Yes),
        qty,
        "one first leg"
    );
    assert_eq!(
        Venues::held(&venues.b, "B1", Outcome::No),
        qty,
        "one hedge, not two"
    );
    let orders = store.execution_orders(&execution.id).await.unwrap();
    assert_eq!(orders.len(), 2, "no order was sent again: {orders:#?}");
    schema.drop_all().await;
}

/// An opportunity on `pair` at A YES 0.40 and B NO 0.45 for 10 contracts.
fn opportunity(pair: &VerifiedPair) -> Opportunity {
    let qty = Qty::new(d("10")).unwrap();
    let leg = |market: &MarketKey, outcome, price: &str| OpportunityLeg {
        market: market.clone(),
        outcome,
        qty,
        limit_price: Price::new(d(price)).unwrap(),
        cost: d("10") * d(price),
        fee: Decimal::ZERO,
        levels: vec![Level::new(Price::new(d(price)).unwrap(), qty)],
    };
    Opportunity {
        pair_id: pair.id,
        leg_a: leg(&pair.a, Outcome::Yes, "0.40"),
        leg_b: leg(&pair.b, Outcome::No, "0.45"),
        qty,
        total_cost: d("8.5"),
        profit: d("1.5"),
        profit_fraction: d("0.1764705882"),
        detected_at: Utc::now(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[cfg_attr(
    postgres_unavailable,
    ignore = "SKIPPED: DATABASE_URL is not set (ARB_REQUIRE_POSTGRES=1 makes this a failure)"
)]
async fn a_process_whose_lease_was_taken_over_cannot_record_or_place_orders() {
    let schema = Schema::create().await;
    let venues = Venues::new();
    venues.dislocate();
    let pair = approve(&schema, &venues).await;
    let markets = {
        let store = schema.connect().await;
        [
            store.market(&pair.a).await.unwrap().unwrap(),
            store.market(&pair.b).await.unwrap().unwrap(),
        ]
    };
    // Process X leases the pair; it trusts its lease for a minute.
    let store_x = schema.connect().await;
    let leases_x = Arc::new(PairLeases::managed(owner(1), Duration::from_secs(60)));
    let executor_x = Executor::new(
        venues.list(),
        Arc::clone(&store_x) as Arc<dyn Store>,
        Arc::new(RecordingNotifier::default()),
        Arc::new(SystemClock),
        Arc::new(SequentialIds::starting_after(1_000_000)),
        config(1, Duration::from_secs(2)).execution,
    )
    .with_leases(Arc::clone(&leases_x));
    let old = leases_x.acquire(store_x.as_ref(), pair.id).await.unwrap();
    // X is paused (or cut off) past its lease's end in the store: there it expires…
    schema
        .admin(&format!(
            "UPDATE {}.leases SET expires_ms = 0 WHERE name = 'pair:{}'",
            schema.name, pair.id
        ))
        .await;
    // …and process Y takes the pair over.
    let store_y = schema.connect().await;
    let new = store_y
        .acquire_lease(
            &LeaseScope::Pair(pair.id),
            &owner(2),
            Duration::from_secs(60),
        )
        .await
        .unwrap();
    assert!(new.token > old.token);

    // X wakes up still trusting its lease and acts on an opportunity: its first write (the
    // plan, written before any order) is refused, so no order is sent.
    assert!(leases_x.holds(pair.id), "X does not know it lost the lease");
    let err = executor_x
        .execute(&pair, [&markets[0], &markets[1]], &opportunity(&pair))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ExecuteError::Store(StoreError::StaleFence { .. })),
        "{err:?}"
    );
    assert!(err.to_string().contains("refused"), "{err}");
    assert!(
        store_y.executions(10).await.unwrap().is_empty(),
        "nothing recorded"
    );
    assert!(
        venues.a.positions().await.unwrap().is_empty(),
        "nothing sent to A"
    );
    assert!(
        venues.b.positions().await.unwrap().is_empty(),
        "nothing sent to B"
    );

    // Y, the current holder, records under its token.
    let fence = new.fence().unwrap();
    let record = ExecutionRecord {
        id: arb_core::model::ExecutionId::new("exec-y"),
        pair_id: pair.id,
        opportunity_id: None,
        plan: opportunity(&pair),
        first_leg: pair.a.clone(),
        mode: arb_core::model::ExecutionMode::Sequential,
        state: ExecutionState::Planned,
        hedge_attempts: 0,
        note: None,
        created_at: Utc::now(),
        updated_at: Utc::now(),
    };
    store_y.save_execution(fence, &record, &[]).await.unwrap();
    // A write of X's under its old token is refused and changes nothing.
    let mut overwrite = record.clone();
    overwrite.state = ExecutionState::Aborted;
    let err = store_x
        .save_execution(old.fence().unwrap(), &overwrite, &[])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::StaleFence { .. }), "{err:?}");
    assert_eq!(
        store_y.execution(&record.id).await.unwrap().unwrap().state,
        ExecutionState::Planned
    );
    schema.drop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[cfg_attr(
    postgres_unavailable,
    ignore = "SKIPPED: DATABASE_URL is not set (ARB_REQUIRE_POSTGRES=1 makes this a failure)"
)]
async fn daemons_share_the_pairs_and_rebalance_when_one_joins_or_leaves() {
    let schema = Schema::create().await;
    let venues = Venues::with_markets(4);
    approve_pairs(&schema, &venues, 4).await;
    let observer = schema.connect().await;
    let store = observer.as_ref();
    let (one, two) = (owner(1).id, owner(2).id);
    // Alone, engine 1 takes what its cap allows: 3 of the 4 pairs.
    let mut capped = config(1, Duration::from_secs(2));
    capped.leases.max_pairs = Some(3);
    let first = start_with(&schema, &venues, 1, capped).await;
    let alone = eventually(
        Duration::from_secs(10),
        || holdings(store),
        |h| h.get(&one) == Some(&3),
    )
    .await;
    assert_eq!(alone, BTreeMap::from([(one.clone(), 3)]));

    // Engine 2 joins: engine 1 gives a pair up, and they hold 2 each.
    let second = start(&schema, &venues, 2, Duration::from_secs(2)).await;
    let even = BTreeMap::from([(one.clone(), 2), (two.clone(), 2)]);
    let shared = eventually(Duration::from_secs(10), || holdings(store), |h| *h == even).await;
    assert_eq!(shared, even);
    // Each watches the books of its own pairs only.
    let status = first.handle.status().await.unwrap();
    assert_eq!(status.leased_pairs.len(), 2, "{status:?}");

    // Engine 2 dies: after its leases expire engine 1 takes back up to its cap.
    second.task.abort();
    let died = tokio::time::Instant::now();
    let back = eventually(
        Duration::from_secs(10),
        || holdings(store),
        |h| h.get(&two).is_none() && h.get(&one) == Some(&3),
    )
    .await;
    assert_eq!(back, BTreeMap::from([(one.clone(), 3)]));
    assert!(
        died.elapsed() >= TTL - Duration::from_millis(400),
        "after {:?}",
        died.elapsed()
    );
    stop_all(vec![first]).await;
    assert!(observer.leases().await.unwrap().is_empty());
    schema.drop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[cfg_attr(
    postgres_unavailable,
    ignore = "SKIPPED: DATABASE_URL is not set (ARB_REQUIRE_POSTGRES=1 makes this a failure)"
)]
async fn the_total_exposure_limit_holds_across_daemons() {
    let schema = Schema::create().await;
    let venues = Venues::with_markets(2);
    let pairs = approve_pairs(&schema, &venues, 2).await;
    // $20 a trade, $30 in total: one trade fits, two do not — whichever daemon makes them.
    let limited = |n| {
        let mut c = config(n, Duration::from_secs(2));
        c.risk.max_exposure_per_market_usd = d("30");
        c.risk.max_total_exposure_usd = d("30");
        // No reconciliation during the test: neither daemon sees the other's fills, so only the
        // store's reservations can keep the second trade out.
        c.reconcile_interval = Duration::from_secs(600);
        c
    };
    let nodes = vec![
        start_with(&schema, &venues, 1, limited(1)).await,
        start_with(&schema, &venues, 2, limited(2)).await,
    ];
    let observer = schema.connect().await;
    let store = observer.as_ref();
    let even = BTreeMap::from([(owner(1).id, 1), (owner(2).id, 1)]);
    let shared = eventually(Duration::from_secs(10), || holdings(store), |h| *h == even).await;
    assert_eq!(shared, even, "each daemon trades one pair");
    venues.dislocate();
    let refused = |o: &Vec<arb_core::model::OpportunityRecord>| {
        o.iter().any(|o| {
            matches!(&o.decision, arb_core::model::OpportunityDecision::Refused(r) if r.contains("across daemons"))
        })
    };
    let opportunities = eventually(
        Duration::from_secs(10),
        || store.opportunities(None, 50),
        refused,
    )
    .await;
    let executions = eventually(
        Duration::from_secs(10),
        || store.executions(10),
        |e| e.iter().all(|e| e.state.is_terminal()) && !e.is_empty(),
    )
    .await;
    stop_all(nodes).await;

    assert!(refused(&opportunities), "{opportunities:#?}");
    assert_eq!(
        executions.len(),
        1,
        "one trade within the limit: {executions:#?}"
    );
    assert!(pairs.iter().any(|p| p.id == executions[0].pair_id));
    let spent = executions[0].plan.total_cost;
    assert!(spent <= d("30") && spent > d("15"), "{spent}");
    schema.drop_all().await;
}
