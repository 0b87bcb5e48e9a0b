//! Configuration errors: each names the variable, where its value came from, the value (unless it
//! is a secret) and what would have been accepted.

use std::path::PathBuf;

use super::Origin;

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    /// A value could not be parsed as the variable's type.
    #[error("{var} (from {origin}): invalid value `{value}`: expected {expected}")]
    Malformed {
        /// The variable.
        var: &'static str,
        /// Where the value came from.
        origin: Origin,
        /// The value as given, or `<redacted>` for a secret.
        value: String,
        /// What is accepted.
        expected: String,
    },
    /// A value parsed but lies outside the accepted range.
    #[error("{var} (from {origin}): value `{value}` is out of range: expected {range}")]
    OutOfRange {
        /// The variable.
        var: &'static str,
        /// Where the value came from.
        origin: Origin,
        /// The value as given.
        value: String,
        /// The accepted range.
        range: String,
    },
    /// A variable that must be set (given the others) is not.
    #[error("{var} is required: {reason}")]
    Missing {
        /// The variable.
        var: &'static str,
        /// Why it is required.
        reason: String,
    },
    /// `TRADING_MODE=live` without the venue credentials it needs.
    #[error("TRADING_MODE=live needs venue credentials; missing: {}", .missing.join(", "))]
    MissingLiveCredentials {
        /// Every missing variable (alternatives written as `A or B`).
        missing: Vec<String>,
    },
    /// Two variables that exclude each other are both set.
    #[error("{first} and {second} are both set: set only one")]
    Conflict {
        /// One variable.
        first: &'static str,
        /// The other.
        second: &'static str,
    },
    /// Values that are each valid but contradict each other.
    #[error("inconsistent settings: {0}")]
    Inconsistent(String),
    /// A TOML file has a key that is not a known variable.
    #[error("{path}: unknown key `{key}` (keys are the variable names, e.g. `max_trade_size`)")]
    UnknownKey {
        /// The TOML file.
        path: PathBuf,
        /// The unknown key.
        key: String,
    },
    /// A configuration file could not be read or parsed. The message never quotes file content.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// An environment variable holds bytes that are not UTF-8.
    #[error("{var}: the environment value is not valid UTF-8")]
    NotUnicode {
        /// The variable.
        var: &'static str,
    },
}
