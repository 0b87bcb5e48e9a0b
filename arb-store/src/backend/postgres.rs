//! PostgreSQL: decimals are `NUMERIC`, nested values `JSONB`, timestamps `TIMESTAMPTZ`.

use arb_core::Decimal;
use arb_core::store::StoreError;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

type Db = sqlx::Postgres;
type DbRow = sqlx::postgres::PgRow;
type DbConn = sqlx::PgConnection;
/// How a decimal is bound: natively, as `NUMERIC`.
type DecimalParam = Decimal;

static MIGRATOR: Migrator = sqlx::migrate!("migrations/postgres");

/// Whether the migrations table exists in the current schema (`search_path`).
const MIGRATIONS_TABLE_EXISTS: &str = "SELECT to_regclass('_sqlx_migrations') IS NOT NULL";

/// The database clock in milliseconds since the Unix epoch (lease times).
const NOW_MS: &str = "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT";

/// Locks the lease row read by a fenced write until the write commits, so the lease cannot
/// change hands between the check and the commit.
const FOR_SHARE: &str = " FOR SHARE";

/// Serialises exposure reservations across connections (a transaction-scoped advisory lock;
/// the key is arbitrary but fixed).
const SERIALIZE_BUDGET: &str = "SELECT pg_advisory_xact_lock(2100021021)";

/// Several processes may trade on one PostgreSQL database (each pair leased to one of them).
const ONE_TRADER_PER_DATABASE: bool = false;

/// Connections in the pool.
const MAX_CONNECTIONS: u32 = 8;

fn decimal_param(value: Decimal) -> DecimalParam {
    value
}

fn get_decimal(row: &DbRow, column: &str) -> Result<Decimal, StoreError> {
    get(row, column)
}

fn get_opt_decimal(row: &DbRow, column: &str) -> Result<Option<Decimal>, StoreError> {
    get(row, column)
}

/// A read-committed transaction: every multi-row write re-checks its conditions in its statements.
async fn begin_write(pool: &sqlx::Pool<Db>) -> Result<sqlx::Transaction<'static, Db>, StoreError> {
    pool.begin().await.map_err(crate::error::from_sqlx)
}

include!("store_impl.rs");

/// Connects, checks the schema version and migrates.
pub(crate) async fn open(
    options: PgConnectOptions,
    throttle: OpportunityThrottle,
) -> Result<Backend, sqlx::Error> {
    // One direct connection first: the pool retries a refused connection until it times out,
    // which would hide the cause ("connection refused") behind "timed out".
    sqlx::Connection::close(
        <sqlx::PgConnection as sqlx::Connection>::connect_with(&options).await?,
    )
    .await?;
    let pool = PgPoolOptions::new()
        .max_connections(MAX_CONNECTIONS)
        .acquire_timeout(std::time::Duration::from_secs(10))
        .connect_with(options)
        .await?;
    Ok(Backend::new(pool, throttle))
}
