//! `demo --console`: the web console over the demo's engine, with a one-time trader token when
//! none is configured.

use std::io::Write;
use std::net::SocketAddr;

use arb_core::engine::EngineHandle;
use tokio::task::JoinHandle;

use crate::commands::CommandError;
use crate::config::{ConsoleConfig, ConsoleRole, ConsoleToken};
use crate::console::{self, Console};
use crate::shutdown::ShutdownSignal;

/// The console's serving task.
pub(super) type Served = (SocketAddr, JoinHandle<std::io::Result<()>>);

/// Serves the console for the demo at `CONSOLE_ADDR` until `signal`. Without configured tokens a
/// random trader token is made for this run and printed (to the terminal, never to the log).
pub(super) async fn start(
    config: &ConsoleConfig,
    handle: &EngineHandle,
    signal: ShutdownSignal,
    out: &mut (dyn Write + Send),
) -> Result<Served, CommandError> {
    let Some(addr) = config.addr else {
        return Err(CommandError::Demo(
            "--console: CONSOLE_ADDR is off; set it to an address such as 127.0.0.1:8080".into(),
        ));
    };
    let mut config = config.clone();
    let generated = if config.tokens.is_empty() {
        let token = console::one_time_token().map_err(|e| CommandError::Demo(e.to_string()))?;
        config.tokens.push(ConsoleToken {
            name: "demo".into(),
            role: ConsoleRole::Trader,
            token: token.clone(),
        });
        Some(token)
    } else {
        None
    };
    let served = console::serve(addr, Console::new(&config, handle.clone(), signal)).await?;
    writeln!(out, "   web console: http://{}/", served.0)?;
    match generated {
        Some(token) => writeln!(
            out,
            "   sign in with this one-time trader token (made for this run only): {}",
            token.expose()
        )?,
        None => writeln!(
            out,
            "   sign in with a token of CONSOLE_TOKENS or CONSOLE_READONLY_TOKENS"
        )?,
    }
    Ok(served)
}

/// Keeps serving after the demo finished, until Ctrl-C.
pub(super) async fn serve_until_interrupted(
    (bound, task): Served,
    stop: crate::shutdown::ShutdownTrigger,
    out: &mut (dyn Write + Send),
) -> Result<(), CommandError> {
    writeln!(
        out,
        "\nThe web console keeps serving this demo's data at http://{bound}/ — Ctrl-C stops it."
    )?;
    out.flush()?;
    tokio::signal::ctrl_c().await?;
    stop.trigger();
    match task.await {
        Ok(result) => Ok(result?),
        Err(e) => Err(CommandError::Demo(format!("console task failed: {e}"))),
    }
}
