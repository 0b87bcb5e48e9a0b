//! Choosing and opening a backend from a `DATABASE_URL`.

use std::str::FromStr;

use arb_core::store::{OpportunityThrottle, StoreError};
use sqlx::postgres::PgConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;

use crate::backend::{postgres, sqlite};
use crate::error::open_failure;
use crate::sql_store::SqlStore;
use crate::url::mask_url_in;

/// Which database a [`SqlStore`] runs on.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BackendKind {
    /// PostgreSQL (`postgres://…` or `postgresql://…`): for production.
    Postgres,
    /// SQLite (`sqlite://path`, created if missing): the embedded default.
    Sqlite,
}

impl BackendKind {
    /// The backend a database URL selects, from its scheme.
    ///
    /// # Errors
    /// [`StoreError::Config`] naming the scheme when it is neither PostgreSQL nor SQLite
    /// (the rest of the URL, which may hold a password, is never repeated).
    pub fn of_url(database_url: &str) -> Result<Self, StoreError> {
        let scheme = database_url
            .split_once(':')
            .map(|(scheme, _)| scheme)
            .filter(|s| {
                !s.is_empty()
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            })
            .ok_or_else(|| {
                StoreError::Config(
                    "the database URL has no scheme: expected postgres://…, postgresql://… \
                     or sqlite://path"
                        .to_owned(),
                )
            })?;
        match scheme.to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" => Ok(Self::Postgres),
            "sqlite" => Ok(Self::Sqlite),
            _ => Err(StoreError::Config(format!(
                "unsupported database URL scheme `{scheme}`: expected postgres://…, \
                 postgresql://… or sqlite://path"
            ))),
        }
    }
}

/// How a store is opened.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum OpenMode {
    /// Create the database if it is missing (a SQLite file; a PostgreSQL database must exist),
    /// then migrate it: for the commands that create a store (`run`, the demo).
    #[default]
    Create,
    /// The database must exist; it is migrated.
    Existing,
    /// The database must exist with this program's schema; nothing is written (SQLite opens the
    /// file read-only, PostgreSQL sessions are read-only), so a read-only file can be read.
    ReadOnly,
}

/// Opens the database at `database_url` with the default opportunity throttle, creating it if
/// missing, refuses a schema newer than this program, and applies pending migrations.
///
/// `postgres://user:password@host/db` (or `postgresql://`) selects PostgreSQL; `sqlite://path`
/// selects SQLite (`sqlite::memory:` for a throwaway database).
///
/// # Errors
/// As [`open_with`].
pub async fn connect(database_url: &str) -> Result<SqlStore, StoreError> {
    open_with(
        database_url,
        OpenMode::Create,
        OpportunityThrottle::default(),
    )
    .await
}

/// [`connect`] with a custom opportunity throttle.
///
/// # Errors
/// As [`open_with`].
pub async fn connect_with_throttle(
    database_url: &str,
    throttle: OpportunityThrottle,
) -> Result<SqlStore, StoreError> {
    open_with(database_url, OpenMode::Create, throttle).await
}

/// Opens the database at `database_url` in `mode` with the default opportunity throttle.
///
/// # Errors
/// As [`open_with`].
pub async fn open(database_url: &str, mode: OpenMode) -> Result<SqlStore, StoreError> {
    open_with(database_url, mode, OpportunityThrottle::default()).await
}

/// Opens the database at `database_url` in `mode`.
///
/// # Errors
/// [`StoreError::Config`] for an unsupported or malformed URL; [`StoreError::NotFound`] for a
/// SQLite file that does not exist when `mode` does not create it; [`StoreError::SchemaTooNew`]
/// when the database was migrated by a newer program; [`StoreError::Backend`] when the database
/// cannot be reached, opened or migrated, naming the file or `host:port` and what failed
/// (connection refused, authentication failed, database missing, cannot open the file…).
/// Messages show the URL only with its password masked.
pub async fn open_with(
    database_url: &str,
    mode: OpenMode,
    throttle: OpportunityThrottle,
) -> Result<SqlStore, StoreError> {
    let hide = |e: StoreError| mask_error(e, database_url);
    let store = match BackendKind::of_url(database_url)? {
        BackendKind::Postgres => {
            let mut options = PgConnectOptions::from_str(database_url)
                .map_err(|e| StoreError::Config(format!("invalid PostgreSQL URL: {e}")))
                .map_err(hide)?;
            if mode == OpenMode::ReadOnly {
                options = options.options([("default_transaction_read_only", "on")]);
            }
            let target = postgres_target(&options);
            let backend = postgres::open(options, throttle)
                .await
                .map_err(|e| hide(opening(&target, &e)))?;
            SqlStore::postgres(backend, target)
        }
        BackendKind::Sqlite => {
            let options = SqliteConnectOptions::from_str(database_url)
                .map_err(|e| StoreError::Config(format!("invalid SQLite URL: {e}")))
                .map_err(hide)?;
            let memory = is_sqlite_memory(database_url);
            let target = if memory {
                "SQLite in memory".to_owned()
            } else {
                format!("SQLite file {}", options.get_filename().display())
            };
            if mode != OpenMode::Create && !memory && !options.get_filename().exists() {
                return Err(StoreError::NotFound(format!("{target} does not exist")));
            }
            let backend = sqlite::open(options, memory, mode, throttle)
                .await
                .map_err(|e| hide(opening(&target, &e)))?;
            SqlStore::sqlite(backend, target)
        }
    };
    match mode {
        OpenMode::ReadOnly => store.check_schema().await,
        OpenMode::Create | OpenMode::Existing => store.migrate().await,
    }
    .map_err(hide)?;
    Ok(store)
}

/// `PostgreSQL at host:port/database (user …)`: where the URL points, without its password.
fn postgres_target(options: &PgConnectOptions) -> String {
    format!(
        "PostgreSQL at {}:{}/{} (user {})",
        options.get_host(),
        options.get_port(),
        options.get_database().unwrap_or(options.get_username()),
        options.get_username()
    )
}

/// The error of a database that could not be opened: where, and what failed.
fn opening(target: &str, error: &sqlx::Error) -> StoreError {
    StoreError::Backend(format!("{target}: {}", open_failure(error)))
}

/// Whether a SQLite URL names an in-memory database.
fn is_sqlite_memory(url: &str) -> bool {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    path.trim_start_matches("sqlite:").trim_start_matches("//") == ":memory:"
        || query.split('&').any(|p| p == "mode=memory")
}

/// The same error with the URL, wherever a message repeats it, shown with its password masked.
fn mask_error(error: StoreError, url: &str) -> StoreError {
    let mask = |m: &str| mask_url_in(m, url);
    match error {
        StoreError::Backend(m) => StoreError::Backend(mask(&m)),
        StoreError::Conflict(m) => StoreError::Conflict(mask(&m)),
        StoreError::NotFound(m) => StoreError::NotFound(mask(&m)),
        StoreError::Config(m) => StoreError::Config(mask(&m)),
        StoreError::Corrupt { what, message } => StoreError::Corrupt {
            what: mask(&what),
            message: mask(&message),
        },
        other @ (StoreError::SchemaTooNew { .. }
        | StoreError::LeaseHeld(_)
        | StoreError::TraderRunning(_)
        | StoreError::LeaseLost { .. }
        | StoreError::NotLeased(_)
        | StoreError::ExposureLimit { .. }
        | StoreError::StaleFence { .. }) => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_selects_the_backend() {
        assert_eq!(
            BackendKind::of_url("postgres://u:p@h/db").unwrap(),
            BackendKind::Postgres
        );
        assert_eq!(
            BackendKind::of_url("postgresql://h/db").unwrap(),
            BackendKind::Postgres
        );
        assert_eq!(
            BackendKind::of_url("sqlite://arb.db").unwrap(),
            BackendKind::Sqlite
        );
        assert_eq!(
            BackendKind::of_url("sqlite::memory:").unwrap(),
            BackendKind::Sqlite
        );
    }

    #[test]
    fn unsupported_scheme_is_named_without_the_rest_of_the_url() {
        let err = BackendKind::of_url("mysql://root:hunter2@db/arb").unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, StoreError::Config(_)));
        assert!(text.contains("`mysql`"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
        let err = BackendKind::of_url("just a path").unwrap_err();
        assert!(err.to_string().contains("no scheme"), "{err}");
    }

    #[test]
    fn memory_urls_are_recognised() {
        assert!(is_sqlite_memory("sqlite::memory:"));
        assert!(is_sqlite_memory("sqlite://:memory:"));
        assert!(is_sqlite_memory("sqlite://x.db?mode=memory"));
        assert!(!is_sqlite_memory("sqlite://arb.db"));
    }
}
