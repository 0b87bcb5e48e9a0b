//! Choosing and opening a backend from a `DATABASE_URL`.

use std::str::FromStr;

use arb_core::store::{OpportunityThrottle, StoreError};
use sqlx::postgres::PgConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;

use crate::backend::{postgres, sqlite};
use crate::error::{from_sqlx, redact};
use crate::sql_store::SqlStore;

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

/// Opens the database at `database_url` with the default opportunity throttle, refuses a schema
/// newer than this program, and applies pending migrations.
///
/// `postgres://user:password@host/db` (or `postgresql://`) selects PostgreSQL; `sqlite://path`
/// selects SQLite, creating the file if missing (`sqlite::memory:` for a throwaway database).
///
/// # Errors
/// [`StoreError::Config`] for an unsupported or malformed URL, [`StoreError::SchemaTooNew`] when
/// the database was migrated by a newer program, [`StoreError::Backend`] when the database cannot
/// be reached or migrated. Messages never contain the URL's password.
pub async fn connect(database_url: &str) -> Result<SqlStore, StoreError> {
    connect_with_throttle(database_url, OpportunityThrottle::default()).await
}

/// [`connect`] with a custom opportunity throttle.
///
/// # Errors
/// As [`connect`].
pub async fn connect_with_throttle(
    database_url: &str,
    throttle: OpportunityThrottle,
) -> Result<SqlStore, StoreError> {
    let hide = |e: StoreError| redact_error(e, database_url);
    let store = match BackendKind::of_url(database_url)? {
        BackendKind::Postgres => {
            let options = PgConnectOptions::from_str(database_url)
                .map_err(|e| StoreError::Config(format!("invalid PostgreSQL URL: {e}")))
                .map_err(hide)?;
            let backend = postgres::open(options, throttle)
                .await
                .map_err(|e| hide(from_sqlx(e)))?;
            SqlStore::postgres(backend)
        }
        BackendKind::Sqlite => {
            let options = SqliteConnectOptions::from_str(database_url)
                .map_err(|e| StoreError::Config(format!("invalid SQLite URL: {e}")))
                .map_err(hide)?;
            let backend = sqlite::open(options, is_sqlite_memory(database_url), throttle)
                .await
                .map_err(|e| hide(from_sqlx(e)))?;
            SqlStore::sqlite(backend)
        }
    };
    store.migrate().await.map_err(hide)?;
    Ok(store)
}

/// Whether a SQLite URL names an in-memory database.
fn is_sqlite_memory(url: &str) -> bool {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    path.trim_start_matches("sqlite:").trim_start_matches("//") == ":memory:"
        || query.split('&').any(|p| p == "mode=memory")
}

/// The same error with the URL's password, if any, masked.
fn redact_error(error: StoreError, url: &str) -> StoreError {
    match error {
        StoreError::Backend(m) => StoreError::Backend(redact(&m, url)),
        StoreError::Conflict(m) => StoreError::Conflict(redact(&m, url)),
        StoreError::NotFound(m) => StoreError::NotFound(redact(&m, url)),
        StoreError::Config(m) => StoreError::Config(redact(&m, url)),
        StoreError::Corrupt { what, message } => StoreError::Corrupt {
            what: redact(&what, url),
            message: redact(&message, url),
        },
        other @ StoreError::SchemaTooNew { .. } => other,
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
