//! The web console's settings: its address, its named sign-in tokens and open read access.

use std::collections::BTreeSet;
use std::net::SocketAddr;

use super::ConfigError;
use super::reader::Reader;
use super::settings::{ConsoleConfig, ConsoleRole, ConsoleToken};
use crate::secret::Secret;

/// The default `CONSOLE_ADDR`: loopback only, port 8080.
pub const DEFAULT_CONSOLE_ADDR: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 8080);

/// The shortest sign-in token accepted: guessing one must be hopeless.
pub const MIN_TOKEN_LEN: usize = 16;

/// What a token list looks like, for error messages.
const TOKEN_LIST: &str = "comma-separated `name=token` entries: names of letters, digits, `-`, \
                          `_` or `.` (at most 32), tokens of at least 16 characters without \
                          spaces or commas";

/// Reads `CONSOLE_ADDR`, `CONSOLE_TOKENS`, `CONSOLE_READONLY_TOKENS` and `CONSOLE_READONLY_OPEN`.
pub(super) fn read(r: &mut Reader<'_>) -> Result<ConsoleConfig, ConfigError> {
    let addr = super::listener(r, "CONSOLE_ADDR", "127.0.0.1:8080")?;
    let mut tokens = tokens_of(r, "CONSOLE_TOKENS", ConsoleRole::Trader)?;
    tokens.extend(tokens_of(
        r,
        "CONSOLE_READONLY_TOKENS",
        ConsoleRole::Viewer,
    )?);
    ensure_distinct(&tokens)?;
    Ok(ConsoleConfig {
        addr: addr.unwrap_or(Some(DEFAULT_CONSOLE_ADDR)),
        tokens,
        readonly_open: r.boolean("CONSOLE_READONLY_OPEN", false)?,
    })
}

fn tokens_of(
    r: &mut Reader<'_>,
    var: &'static str,
    role: ConsoleRole,
) -> Result<Vec<ConsoleToken>, ConfigError> {
    Ok(r.parsed(var, TOKEN_LIST, |text| parse_tokens(text, role))?
        .unwrap_or_default())
}

/// `alice=…,bob=…` as tokens, or `None` when any entry is malformed.
fn parse_tokens(text: &str, role: ConsoleRole) -> Option<Vec<ConsoleToken>> {
    text.split(',')
        .map(|entry| {
            let (name, token) = entry.trim().split_once('=')?;
            let name_ok = (1..=32).contains(&name.len())
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
            let token_ok = token.chars().count() >= MIN_TOKEN_LEN
                && !token.chars().any(|c| c.is_whitespace() || c == ',');
            (name_ok && token_ok).then(|| ConsoleToken {
                name: name.to_owned(),
                role,
                token: Secret::new(token),
            })
        })
        .collect()
}

/// Each name and each token may appear once over both lists: a name is one person in the audit
/// trail, and a token must identify one user.
fn ensure_distinct(tokens: &[ConsoleToken]) -> Result<(), ConfigError> {
    let mut names = BTreeSet::new();
    let mut secrets = BTreeSet::new();
    for t in tokens {
        if !names.insert(t.name.as_str()) {
            return Err(ConfigError::Inconsistent(format!(
                "console user `{}` is named twice in CONSOLE_TOKENS / CONSOLE_READONLY_TOKENS",
                t.name
            )));
        }
        if !secrets.insert(t.token.expose()) {
            return Err(ConfigError::Inconsistent(format!(
                "console user `{}` shares a token with another user: give each its own",
                t.name
            )));
        }
    }
    Ok(())
}

impl ConsoleConfig {
    /// `CONSOLE_ADDR` as written.
    #[must_use]
    pub fn addr_text(&self) -> String {
        self.addr
            .map_or_else(|| "off".to_owned(), |a| a.to_string())
    }

    /// Whether any token of `role` is configured.
    #[must_use]
    pub fn has(&self, role: ConsoleRole) -> bool {
        self.tokens.iter().any(|t| t.role == role)
    }
}

impl Default for ConsoleConfig {
    fn default() -> Self {
        Self {
            addr: Some(DEFAULT_CONSOLE_ADDR),
            tokens: Vec::new(),
            readonly_open: false,
        }
    }
}
