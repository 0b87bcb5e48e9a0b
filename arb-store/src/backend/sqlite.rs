//! SQLite: decimals are exact decimal text (SQLite has no decimal type), nested values JSON text,
//! timestamps RFC 3339 text in UTC. WAL journal, foreign keys on, a busy timeout so concurrent
//! writers wait for each other instead of failing.

use std::time::Duration;

use arb_core::Decimal;
use arb_core::store::StoreError;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

type Db = sqlx::Sqlite;
type DbRow = sqlx::sqlite::SqliteRow;
type DbConn = sqlx::SqliteConnection;
/// How a decimal is bound: as its exact text.
type DecimalParam = String;

static MIGRATOR: Migrator = sqlx::migrate!("migrations/sqlite");

/// Whether the migrations table exists.
const MIGRATIONS_TABLE_EXISTS: &str = "SELECT EXISTS (SELECT 1 FROM sqlite_master \
     WHERE type = 'table' AND name = '_sqlx_migrations')";

/// The database clock in milliseconds since the Unix epoch (lease times).
const NOW_MS: &str = "CAST(unixepoch('subsec') * 1000 AS INTEGER)";

/// No row locks in SQLite: a write transaction (`BEGIN IMMEDIATE`) already excludes every other
/// writer, so a lease cannot change hands between a fenced write's check and its commit.
const FOR_SHARE: &str = "";

/// Exposure reservations need no extra lock: `BEGIN IMMEDIATE` already serialises writers.
const SERIALIZE_BUDGET: &str = "SELECT 1";

/// One trading process per SQLite file: any live lease of another process refuses a new one.
const ONE_TRADER_PER_DATABASE: bool = true;

/// Connections to a database file (readers run in parallel under WAL; writers take turns).
const MAX_CONNECTIONS: u32 = 4;

/// How long a writer waits for another to finish before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

fn decimal_param(value: Decimal) -> DecimalParam {
    value.to_string()
}

fn get_decimal(row: &DbRow, column: &str) -> Result<Decimal, StoreError> {
    let text: String = get(row, column)?;
    crate::codec::parse_decimal(column, &text)
}

fn get_opt_decimal(row: &DbRow, column: &str) -> Result<Option<Decimal>, StoreError> {
    let text: Option<String> = get(row, column)?;
    text.map(|t| crate::codec::parse_decimal(column, &t))
        .transpose()
}

/// `BEGIN IMMEDIATE`: takes the write lock up front, so two transactions that read before they
/// write wait for each other (busy timeout) instead of one failing on lock upgrade.
async fn begin_write(pool: &sqlx::Pool<Db>) -> Result<sqlx::Transaction<'static, Db>, StoreError> {
    pool.begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(crate::error::from_sqlx)
}

include!("store_impl.rs");

/// Opens the database: creating the file if missing in [`OpenMode::Create`], read-only (the
/// journal mode left as the file has it) in [`OpenMode::ReadOnly`].
pub(crate) async fn open(
    options: SqliteConnectOptions,
    in_memory: bool,
    mode: crate::OpenMode,
    throttle: OpportunityThrottle,
) -> Result<Backend, sqlx::Error> {
    let options = options
        .create_if_missing(mode == crate::OpenMode::Create)
        .read_only(mode == crate::OpenMode::ReadOnly)
        .foreign_keys(true)
        .busy_timeout(BUSY_TIMEOUT);
    let options = if mode == crate::OpenMode::ReadOnly {
        options
    } else {
        options
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
    };
    // Every connection to `sqlite::memory:` would otherwise be its own empty database.
    // It also lives only as long as a connection to it: keep exactly one, forever.
    let pool = if in_memory {
        SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
    } else {
        SqlitePoolOptions::new().max_connections(MAX_CONNECTIONS)
    }
    .connect_with(options)
    .await?;
    Ok(Backend::new(pool, throttle))
}
