//! Turning sqlx errors into [`StoreError`]s that never reveal connection secrets.

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

/// Replaces the password of `url`, if any, wherever it appears in `message`.
pub(crate) fn redact(message: &str, url: &str) -> String {
    match password_of(url) {
        Some(password) if !password.is_empty() => message.replace(password, "***"),
        _ => message.to_owned(),
    }
}

/// The password part of `scheme://user:password@host…`, as written.
fn password_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?']).next()?;
    let (userinfo, _) = authority.rsplit_once('@')?;
    Some(userinfo.split_once(':')?.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_is_redacted_wherever_it_appears() {
        let url = "postgres://trader:s3cr%2Ft@db.example:5432/arb?sslmode=require";
        assert_eq!(
            redact("cannot connect with s3cr%2Ft to db.example", url),
            "cannot connect with *** to db.example"
        );
        assert_eq!(redact("no secret here", url), "no secret here");
        assert_eq!(redact("plain", "postgres://db/arb"), "plain");
        assert_eq!(redact("user only", "postgres://trader@db/arb"), "user only");
    }
}
