//! Runs a parsed [`Command`] against the loaded [`Config`].
//!
//! `config check` is complete here. The other commands drive `arb_core::engine`, which the lead
//! wires in; until then they return [`CommandError::Unsupported`] naming the command.

use std::io::Write;

use crate::cli::{Command, ConfigCommand};
use crate::config::{Config, ConfigError};

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The configuration is invalid for this command.
    #[error("configuration error: {0}")]
    Config(#[from] ConfigError),
    /// The command is not wired to the engine in this build.
    #[error("`{0}` is not available in this build")]
    Unsupported(&'static str),
    /// Writing the output failed.
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
}

impl CommandError {
    /// The process exit code: 2 for bad configuration (like clap's usage errors), 1 otherwise.
    #[must_use]
    pub const fn exit_code(&self) -> u8 {
        match self {
            Self::Config(_) => 2,
            Self::Unsupported(_) | Self::Output(_) => 1,
        }
    }
}

/// Runs `command`, writing its human output to `out`.
///
/// # Errors
/// See [`CommandError`].
pub async fn dispatch(
    command: &Command,
    config: &Config,
    out: &mut (dyn Write + Send),
) -> Result<(), CommandError> {
    if command.trades() {
        config.ensure_live_ready()?;
    }
    match command {
        Command::Config(ConfigCommand::Check) => config_check(config, out),
        // Wired to `arb_core::engine` by the lead.
        other => Err(CommandError::Unsupported(other.name())),
    }
}

/// `config check`: validates what `run` would need and prints every setting, secrets as
/// set/unset.
///
/// # Errors
/// [`CommandError::Config`] if `live` mode lacks credentials; [`CommandError::Output`].
pub fn config_check(config: &Config, out: &mut (dyn Write + Send)) -> Result<(), CommandError> {
    config.ensure_live_ready()?;
    out.write_all(config.render().as_bytes())?;
    writeln!(out, "configuration OK")?;
    Ok(())
}
