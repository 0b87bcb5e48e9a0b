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

/// The URL with the password of `scheme://user:password@host…` and any `password=` query
/// parameter replaced by `<redacted>`; other text as is.
#[must_use]
pub fn mask_password(url: &str) -> String {
    let url = mask_password_parameter(url);
    let Some((scheme, rest)) = url.split_once("://") else {
        return url;
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let Some((credentials, host)) = authority.rsplit_once('@') else {
        return url.clone();
    };
    match credentials.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:{REDACTED}@{host}{tail}"),
        None => url,
    }
}

/// The text with the value of every `password=` parameter replaced by `<redacted>`.
fn mask_password_parameter(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_string();
    };
    let query: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}={REDACTED}"),
            _ => pair.to_string(),
        })
        .collect();
    format!("{base}?{}", query.join("&"))
}
