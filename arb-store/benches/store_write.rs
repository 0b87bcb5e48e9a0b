//! The engine's hot write: recording an order's state change (`upsert_order` of an order already
//! stored), on SQLite (a temporary file, WAL, synchronous=FULL) and PostgreSQL (`DATABASE_URL`,
//! a fresh schema; skipped with a notice when unset).
//!
//! Run: `cargo bench -p arb-store --bench store_write`
//! (with `DATABASE_URL=postgres://postgres@127.0.0.1:5432/test` for the PostgreSQL figure).

use std::sync::atomic::{AtomicI64, Ordering};

use arb_core::Decimal;
use arb_core::model::{
    ClientOrderId, ExecutionId, MarketKey, Order, OrderRecord, OrderRequest, OrderRole,
    OrderStatus, Outcome, Price, Qty, Side, TimeInForce,
};
use arb_core::store::Store;
use arb_store::SqlStore;
use chrono::DateTime;
use criterion::{Criterion, criterion_group, criterion_main};
use sqlx::Connection;
use tokio::runtime::Runtime;

fn order() -> OrderRecord {
    let request = OrderRequest {
        client_order_id: ClientOrderId::new("bench-order"),
        market: MarketKey::new("kalshi", "FED-MAR"),
        outcome: Outcome::Yes,
        side: Side::Buy,
        limit_price: Price::new(Decimal::new(123_456, 6)).expect("valid price"),
        qty: Qty::new(Decimal::new(1_000_000, 2)).expect("valid quantity"),
        time_in_force: TimeInForce::Gtc,
    };
    OrderRecord {
        execution_id: Some(ExecutionId::new("bench-execution")),
        role: OrderRole::FirstLeg,
        order: Order::pending(request, DateTime::UNIX_EPOCH),
    }
}

/// Benchmarks successive state changes of one stored order (each a fenced write: the pair's
/// lease token is checked in the same transaction).
fn bench_order_updates(c: &mut Criterion, rt: &Runtime, name: &str, store: &SqlStore) {
    let base = order();
    let owner = arb_core::store::LeaseOwner::new("bench", 1, "bench", "bench");
    let lease = rt
        .block_on(store.acquire_lease(
            &arb_core::store::LeaseScope::Pair(arb_core::model::PairId(1)),
            &owner,
            std::time::Duration::from_secs(3600),
        ))
        .expect("lease");
    let fence = lease.fence().expect("a pair lease has a fence");
    rt.block_on(store.upsert_order(fence, &base))
        .expect("first write");
    let step = AtomicI64::new(0);
    c.bench_function(name, |b| {
        b.to_async(rt).iter(|| {
            // Each iteration is a real change: a new filled quantity and observation time.
            let n = step.fetch_add(1, Ordering::Relaxed);
            let mut update = base.clone();
            update.order.status = OrderStatus::PartiallyFilled;
            update.order.filled_qty = Qty::new(Decimal::new(n % 1_000_000, 2)).expect("valid");
            update.order.venue_order_id = Some("venue-1".into());
            update.order.updated_at =
                DateTime::from_timestamp(1_700_000_000 + n, 0).expect("valid timestamp");
            async move { store.upsert_order(fence, &update).await.expect("write") }
        });
    });
}

fn sqlite(c: &mut Criterion) {
    let rt = Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let store = rt.block_on(arb_store::connect(&url)).expect("connect");
    bench_order_updates(c, &rt, "upsert_order_update/sqlite", &store);
    rt.block_on(store.close());
}

fn postgres(c: &mut Criterion) {
    let Some(base) = std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty()) else {
        eprintln!("notice: DATABASE_URL is not set; skipping the PostgreSQL benchmark");
        return;
    };
    let rt = Runtime::new().expect("runtime");
    let schema = format!("bench_{}", std::process::id());
    let admin = |sql: String| {
        rt.block_on(async {
            let mut conn = sqlx::PgConnection::connect(&base).await.expect("connect");
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut conn)
                .await
                .expect("execute");
            conn.close().await.expect("close");
        });
    };
    admin(format!("CREATE SCHEMA {schema}"));
    let separator = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{separator}options=-c%20search_path%3D{schema}");
    let store = rt.block_on(arb_store::connect(&url)).expect("connect");
    bench_order_updates(c, &rt, "upsert_order_update/postgres", &store);
    rt.block_on(store.close());
    admin(format!("DROP SCHEMA {schema} CASCADE"));
}

criterion_group!(benches, sqlite, postgres);
criterion_main!(benches);
