//! A secret value (token, private key, API secret) that never prints itself.

use std::fmt;

/// What a secret prints as, in `Debug`, `Display`, errors and `config check`.
pub const REDACTED: &str = "<redacted>";

/// A secret string: a bot token, a private key, an API secret or passphrase.
///
/// `Debug` and `Display` print [`REDACTED`]; the only way to the text is [`Secret::expose`], which
/// the code that signs or authenticates calls at the last moment. It is not `Serialize`, so it
/// cannot reach the database or a JSON log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    #[must_use]
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret text. Call only where the secret is used (signing, authenticating).
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}
