//! The `arb-daemon` binary: parse the command line, load the configuration, start logging and
//! dispatch. Exit codes: 0 success, 1 command failure, 2 bad command line or configuration.

use std::path::Path;
use std::process::ExitCode;

use arb_daemon::cli::{Cli, Command, ConfigCommand};
use arb_daemon::commands::{self, CommandError};
use arb_daemon::config::{Config, ConfigSources};
use arb_daemon::logging;
use clap::Parser;

/// The `.env` file read from the working directory.
const DOTENV_FILE: &str = ".env";

fn main() -> ExitCode {
    // clap prints usage errors and exits with code 2 itself.
    let cli = Cli::parse();
    let config = match ConfigSources::from_process(cli.config.as_deref(), Path::new(DOTENV_FILE))
        .and_then(|sources| Config::load(&sources))
    {
        Ok(config) => config,
        Err(e) => return fail(&CommandError::Config(e)),
    };
    // `config check` and `health` only read: they must not create log files.
    let _log_guard = if matches!(
        cli.command,
        Command::Config(ConfigCommand::Check) | Command::Health
    ) {
        None
    } else {
        match logging::init(&config.logging) {
            Ok(guard) => Some(guard),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout();
    match runtime.block_on(commands::dispatch(&cli, &config, &mut stdout)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

/// Prints `error` and returns its exit code.
fn fail(error: &CommandError) -> ExitCode {
    eprintln!("error: {error}");
    ExitCode::from(error.exit_code())
}
