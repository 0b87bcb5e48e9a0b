//! The database URL, printed with its password masked.

use std::fmt;

use crate::secret::REDACTED;

/// The default database: a SQLite file in the working directory, created on first use.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://arbitrage.db";

/// Which database engine a URL names.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DatabaseKind {
    /// `sqlite:` URLs (a file, or `sqlite::memory:`).
    Sqlite,
    /// `postgres://` or `postgresql://` URLs.
    Postgres,
}

/// A database URL (`DATABASE_URL`). `Debug` and `Display` mask the password
/// (`postgres://arb:<redacted>@db/arb`); [`DatabaseUrl::expose`] gives the full URL to the store.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    url: String,
    kind: DatabaseKind,
}

impl DatabaseUrl {
    /// Parses a `sqlite:` or `postgres(ql)://` URL; `None` for anything else.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let lower = text.to_ascii_lowercase();
        let kind = if lower.starts_with("sqlite:") && text.len() > "sqlite:".len() {
            DatabaseKind::Sqlite
        } else if (lower.starts_with("postgres://") || lower.starts_with("postgresql://"))
            && !text.ends_with("://")
        {
            DatabaseKind::Postgres
        } else {
            return None;
        };
        if text.chars().any(char::is_whitespace) {
            return None;
        }
        Some(Self {
            url: text.to_string(),
            kind,
        })
    }

    /// The database engine.
    #[must_use]
    pub const fn kind(&self) -> DatabaseKind {
        self.kind
    }

    /// The same PostgreSQL URL with `password` as its password, percent-encoded so that any
    /// character (`@`, `/`, `:`, `%`, spaces…) is kept as written (`DATABASE_PASSWORD`).
    ///
    /// # Errors
    /// Why it cannot be added: the URL is not a PostgreSQL URL, or already holds a password.
    pub fn with_password(&self, password: &str) -> Result<Self, &'static str> {
        if self.kind != DatabaseKind::Postgres {
            return Err("a password is only used with a postgres:// DATABASE_URL");
        }
        let Some((scheme, rest)) = self.url.split_once("://") else {
            return Err("a password is only used with a postgres:// DATABASE_URL");
        };
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(authority_end);
        let (user, host) = authority.rsplit_once('@').unwrap_or(("", authority));
        if user.contains(':') {
            return Err("DATABASE_URL already holds a password: set it in one place only");
        }
        if user.is_empty() {
            return Err(
                "DATABASE_URL names no user (postgres://USER@host/db) to give the password to",
            );
        }
        Ok(Self {
            url: format!(
                "{scheme}://{user}:{}@{host}{tail}",
                percent_encode(password)
            ),
            kind: self.kind,
        })
    }

    /// The full URL, password included: pass it to the store, never print it.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.url
    }
}

impl Default for DatabaseUrl {
    fn default() -> Self {
        Self {
            url: DEFAULT_DATABASE_URL.to_string(),
            kind: DatabaseKind::Sqlite,
        }
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&mask_password(&self.url))
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({})", mask_password(&self.url))
    }
}

/// `text` with every byte but the URL-unreserved ones (`A–Z a–z 0–9 - . _ ~`) percent-encoded.
fn percent_encode(text: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The URL with the password of `scheme://user:password@host…` and any `password=` query
/// parameter replaced by `<redacted>`; other text as is.
#[must_use]
pub fn mask_password(url: &str) -> String {
    arb_store::mask_password(url, REDACTED)
}
