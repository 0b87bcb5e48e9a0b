//! Logging: console (stderr) plus `LOG_DIR/arbitrage.<date>.log`, rotated daily, written by a
//! background thread; text or JSON; level from `LOG_LEVEL`, or the filter in `RUST_LOG`.

use std::io::IsTerminal;
use std::path::PathBuf;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::{EnvFilter, Layer, Registry};

use crate::config::{LogFormat, LoggingConfig};

/// The log file name's prefix and suffix: files are `arbitrage.YYYY-MM-DD.log`.
pub const LOG_FILE_PREFIX: &str = "arbitrage";
/// See [`LOG_FILE_PREFIX`].
pub const LOG_FILE_SUFFIX: &str = "log";

/// Why logging could not start.
#[derive(Debug, thiserror::Error)]
pub enum LoggingError {
    /// The log directory or file could not be created.
    #[error("cannot open the log file in {dir}: {message}")]
    File {
        /// `LOG_DIR`.
        dir: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The filter (`RUST_LOG` / `LOG_LEVEL`) is invalid.
    #[error("invalid log filter `{directive}`: {message}")]
    Filter {
        /// The directive.
        directive: String,
        /// What went wrong.
        message: String,
    },
    /// A global subscriber was already installed.
    #[error("logging is already initialised")]
    AlreadyInitialised,
}

/// Keeps the file writer's background thread alive; dropping it flushes the remaining lines.
/// Hold it until the process exits.
#[must_use = "dropping the guard stops file logging"]
pub struct LogGuard {
    _worker: WorkerGuard,
}

/// A subscriber writing to the console and the rotating file, and its guard.
///
/// `console` chooses whether the console layer is present (tests turn it off).
///
/// # Errors
/// [`LoggingError::File`] or [`LoggingError::Filter`].
pub fn subscriber(
    config: &LoggingConfig,
    console: bool,
) -> Result<(impl tracing::Subscriber + Send + Sync + 'static, LogGuard), LoggingError> {
    let directive = config.directive();
    let filter = EnvFilter::builder()
        .parse(directive)
        .map_err(|e| LoggingError::Filter {
            directive: directive.to_string(),
            message: e.to_string(),
        })?;
    // The appender prunes old files at start; on a first run the directory must exist first, or
    // it reports "Error reading the log directory".
    std::fs::create_dir_all(&config.dir).map_err(|e| LoggingError::File {
        dir: config.dir.clone(),
        message: e.to_string(),
    })?;
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(LOG_FILE_PREFIX)
        .filename_suffix(LOG_FILE_SUFFIX)
        .max_log_files(config.max_files)
        .build(&config.dir)
        .map_err(|e| LoggingError::File {
            dir: config.dir.clone(),
            message: e.to_string(),
        })?;
    let (file_writer, worker) = tracing_appender::non_blocking(appender);

    let file_layer = match config.format {
        LogFormat::Text => tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(file_writer)
            .boxed(),
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .with_writer(file_writer)
            .boxed(),
    };
    let console_layer = console.then(|| match config.format {
        LogFormat::Text => tracing_subscriber::fmt::layer()
            .with_ansi(std::io::stderr().is_terminal())
            .with_writer(std::io::stderr)
            .boxed(),
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .with_writer(std::io::stderr)
            .boxed(),
    });
    let subscriber = Registry::default()
        .with(filter)
        .with(file_layer)
        .with(console_layer);
    Ok((subscriber, LogGuard { _worker: worker }))
}

/// Installs [`subscriber`] (with the console) as the process-wide default.
///
/// # Errors
/// As [`subscriber`], or [`LoggingError::AlreadyInitialised`].
pub fn init(config: &LoggingConfig) -> Result<LogGuard, LoggingError> {
    let (subscriber, guard) = subscriber(config, true)?;
    tracing::subscriber::set_global_default(subscriber)
        .map_err(|_| LoggingError::AlreadyInitialised)?;
    Ok(guard)
}
