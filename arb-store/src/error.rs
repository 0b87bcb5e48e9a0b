//! Turning sqlx errors into [`StoreError`]s that never reveal connection secrets, and naming
//! what failed when a database cannot be opened.

use arb_core::store::StoreError;

/// Maps a sqlx error from a query into the store's error type.
pub(crate) fn from_sqlx(error: sqlx::Error) -> StoreError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict(db.message().to_owned())
        }
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
            StoreError::NotFound(db.message().to_owned())
        }
        sqlx::Error::ColumnDecode { index, source } => StoreError::Corrupt {
            what: format!("column {index}"),
            message: source.to_string(),
        },
        sqlx::Error::ColumnNotFound(column) => StoreError::Corrupt {
            what: format!("column {column}"),
            message: "missing".to_owned(),
        },
        _ => StoreError::Backend(error.to_string()),
    }
}

/// Maps a migration failure.
pub(crate) fn from_migrate(error: sqlx::migrate::MigrateError) -> StoreError {
    match error {
        sqlx::migrate::MigrateError::Execute(e) => from_sqlx(e),
        other => StoreError::Backend(format!("migration failed: {other}")),
    }
}

/// What failed when opening a database, in words (connection refused, authentication failed,
/// database missing, cannot open the file…) followed by the driver's message.
pub(crate) fn open_failure(error: &sqlx::Error) -> String {
    match error {
        sqlx::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            format!("connection refused ({io})")
        }
        sqlx::Error::Io(io) => format!("cannot connect ({io})"),
        sqlx::Error::Tls(e) => format!("TLS failed ({e})"),
        sqlx::Error::PoolTimedOut => "timed out connecting".to_owned(),
        sqlx::Error::Database(db) => {
            let message = db.message();
            match db.code().as_deref() {
                Some("28P01" | "28000") => format!("authentication failed ({message})"),
                Some("3D000") => format!("database missing ({message})"),
                Some(code) => match code.parse::<i32>().map(|c| c & 0xff) {
                    Ok(14) => format!("cannot open the file ({message})"),
                    Ok(8) => format!("read-only ({message})"),
                    Ok(26) => format!("not a SQLite database ({message})"),
                    _ => message.to_owned(),
                },
                None => message.to_owned(),
            }
        }
        other => other.to_string(),
    }
}
