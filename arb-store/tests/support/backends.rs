//! The backends every conformance case runs against: `MemoryStore` (the reference semantics),
//! SQLite in a temporary file, and PostgreSQL in a fresh schema per test (so tests run in
//! parallel). PostgreSQL comes from `DATABASE_URL`; without it the PostgreSQL runs are skipped
//! with a notice, unless `ARB_REQUIRE_POSTGRES=1`, which makes them fail.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use arb_core::store::{MemoryStore, Store};
use arb_store::SqlStore;
use sqlx::Connection;
use tempfile::TempDir;

/// Which store a test runs against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Memory,
    Sqlite,
    Postgres,
}

/// A database for one test: its URL, and what to clean up afterwards.
pub struct TestDb {
    pub url: String,
    _dir: Option<TempDir>,
    pg_schema: Option<(String, String)>,
}

impl TestDb {
    /// A fresh, empty SQLite file location (the file itself is created by `connect`).
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}", dir.path().join("arb.db").display());
        Self {
            url,
            _dir: Some(dir),
            pg_schema: None,
        }
    }

    /// A fresh PostgreSQL schema, or `None` when PostgreSQL is not configured (and not required).
    pub async fn postgres() -> Option<Self> {
        let base = postgres_url()?;
        let schema = unique_schema();
        let mut conn = sqlx::PgConnection::connect(&base)
            .await
            .expect("connect to DATABASE_URL");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(&mut conn)
            .await
            .expect("create test schema");
        conn.close().await.expect("close");
        let separator = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{separator}options=-c%20search_path%3D{schema}");
        Some(Self {
            url,
            _dir: None,
            pg_schema: Some((base, schema)),
        })
    }

    /// A fresh database of this SQL kind (`None`: skipped).
    pub async fn new(kind: Kind) -> Option<Self> {
        match kind {
            Kind::Sqlite => Some(Self::sqlite()),
            Kind::Postgres => Self::postgres().await,
            Kind::Memory => panic!("MemoryStore has no database"),
        }
    }

    /// Opens the store on this database.
    pub async fn connect(&self) -> SqlStore {
        arb_store::connect(&self.url).await.expect("connect")
    }

    /// Runs raw SQL on this database, outside the store.
    pub async fn execute(&self, sql: &str) {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        if self.pg_schema.is_some() {
            let mut conn = sqlx::PgConnection::connect(&self.url)
                .await
                .expect("connect");
            sqlx::query(sql).execute(&mut conn).await.expect("execute");
            conn.close().await.expect("close");
        } else {
            let mut conn = sqlx::SqliteConnection::connect(&self.url)
                .await
                .expect("connect");
            sqlx::query(sql).execute(&mut conn).await.expect("execute");
            conn.close().await.expect("close");
        }
    }

    /// Runs a query returning one integer on this database, outside the store.
    pub async fn count(&self, sql: &str) -> i64 {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        if self.pg_schema.is_some() {
            let mut conn = sqlx::PgConnection::connect(&self.url)
                .await
                .expect("connect");
            sqlx::query_scalar(sql)
                .fetch_one(&mut conn)
                .await
                .expect("query")
        } else {
            let mut conn = sqlx::SqliteConnection::connect(&self.url)
                .await
                .expect("connect");
            sqlx::query_scalar(sql)
                .fetch_one(&mut conn)
                .await
                .expect("query")
        }
    }

    /// Drops the PostgreSQL schema (SQLite's directory goes with `self`).
    pub async fn cleanup(self) {
        if let Some((base, schema)) = &self.pg_schema {
            let mut conn = sqlx::PgConnection::connect(base).await.expect("connect");
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                .execute(&mut conn)
                .await
                .expect("drop test schema");
            conn.close().await.expect("close");
        }
    }
}

/// `DATABASE_URL`, or `None` after a notice when it is unset (a failure if PostgreSQL is required).
pub fn postgres_url() -> Option<String> {
    match std::env::var("DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("ARB_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                "ARB_REQUIRE_POSTGRES=1 but DATABASE_URL is not set: the PostgreSQL tests cannot run"
            );
            eprintln!("notice: DATABASE_URL is not set; skipping the PostgreSQL run of this test");
            None
        }
    }
}

fn unique_schema() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "t_{}_{}_{}",
        std::process::id(),
        nanos,
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Runs one conformance case against a fresh store of `kind`, then cleans up.
pub async fn run<F, Fut>(kind: Kind, case: F)
where
    F: FnOnce(Arc<dyn Store>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    if kind == Kind::Memory {
        case(Arc::new(MemoryStore::new())).await;
        return;
    }
    let Some(db) = TestDb::new(kind).await else {
        return;
    };
    let store = Arc::new(db.connect().await);
    case(store.clone()).await;
    store.close().await;
    db.cleanup().await;
}
