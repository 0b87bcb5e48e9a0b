//! The web console: status, suggestions side by side, pairs, opportunities, executions and PnL in
//! a browser, served by the daemon next to `/health` and `/metrics`.
//!
//! Server-rendered HTML with one small script (live updates over server-sent events) and charts
//! drawn as SVG on the server: no build step, no external resource. Sign-in is by a configured
//! token; the session lives in an HttpOnly, SameSite=Strict cookie, every change carries the
//! session's CSRF token, read-only users can change nothing, and every change is made through
//! [`EngineHandle`] with the actor `web:<name>`, like Discord's `discord:<id>`.

mod actions;
mod auth;
mod chart;
mod html;
mod live;
mod pages;
mod routes;
mod signin;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arb_core::engine::EngineHandle;
use axum::http::HeaderMap;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use self::auth::AuthError;
pub use self::auth::{SESSION_COOKIE, SESSION_LIFETIME};
use self::auth::{Sessions, Visitor};
pub use self::pages::Page;
use crate::config::ConsoleConfig;
use crate::metrics::HealthCheck;
use crate::shutdown::ShutdownSignal;

/// How often a page's live region is re-rendered to look for changes, by default.
pub const DEFAULT_REFRESH: Duration = Duration::from_secs(1);

/// The console's state, shared by every request.
pub struct Console {
    handle: EngineHandle,
    sessions: Sessions,
    readonly_open: bool,
    health: Option<HealthCheck>,
    stale_after: Duration,
    refresh: Duration,
    shutdown: ShutdownSignal,
}

impl std::fmt::Debug for Console {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Console")
            .field("sessions", &self.sessions)
            .field("readonly_open", &self.readonly_open)
            .field("refresh", &self.refresh)
            .finish_non_exhaustive()
    }
}

impl Console {
    /// A console over `handle` for the users of `config`, stopping its live updates on `shutdown`.
    /// Health is assessed from the engine's status alone unless [`Self::with_health`] is given.
    #[must_use]
    pub fn new(config: &ConsoleConfig, handle: EngineHandle, shutdown: ShutdownSignal) -> Self {
        Self {
            handle,
            sessions: Sessions::new(config.tokens.clone()),
            readonly_open: config.readonly_open,
            health: None,
            stale_after: Duration::from_secs(60),
            refresh: DEFAULT_REFRESH,
            shutdown,
        }
    }

    /// Shows the daemon's own `/health` report (store probe and venue calls included) on the
    /// status page; `stale_after` is `HEALTH_STALE_AFTER`.
    #[must_use]
    pub fn with_health(mut self, check: HealthCheck, stale_after: Duration) -> Self {
        self.health = Some(check);
        self.stale_after = stale_after;
        self
    }

    /// How often live regions are re-rendered to look for changes (default 1 s).
    #[must_use]
    pub const fn with_refresh(mut self, every: Duration) -> Self {
        self.refresh = every;
        self
    }

    /// Who makes a request: a live session's user, else an anonymous reader when
    /// `CONSOLE_READONLY_OPEN` allows one, else nobody (`None`: sign in first).
    fn visitor(&self, headers: &HeaderMap) -> Option<Visitor> {
        match self.sessions.find(headers, Instant::now()) {
            Some(session) => Some(Visitor::Signed(session)),
            None if self.readonly_open => Some(Visitor::Anonymous),
            None => None,
        }
    }
}

/// Serves `console` on `addr` (port 0 picks a free port) on a spawned task that ends after the
/// console's shutdown signal. Warns when the address is not loopback, since the console speaks
/// plain HTTP: tokens and cookies would cross the network in clear without a TLS proxy.
///
/// # Errors
/// The address cannot be bound.
pub async fn serve(
    addr: SocketAddr,
    console: Console,
) -> std::io::Result<(SocketAddr, JoinHandle<std::io::Result<()>>)> {
    let listener = TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    match exposure_warning(bound) {
        None => tracing::info!(%bound, "web console serving on loopback"),
        Some(warning) => tracing::warn!(%bound, "{warning}"),
    }
    let shutdown = console.shutdown.clone();
    let app = routes::router(Arc::new(console));
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move { shutdown.triggered().await })
            .await
    });
    Ok((bound, task))
}

/// What to warn about when the console listens on `bound`: nothing on loopback; elsewhere, that
/// it speaks plain HTTP.
#[must_use]
pub fn exposure_warning(bound: SocketAddr) -> Option<&'static str> {
    (!bound.ip().is_loopback()).then_some(
        "web console bound to a non-loopback address without TLS: sign-in tokens and session \
         cookies travel in clear; put a TLS-terminating proxy in front or bind 127.0.0.1",
    )
}

/// Starts the console `config` describes, or says why it is not served (`CONSOLE_ADDR=off`, or
/// no token and no open read access: nobody could use it) and returns `None`.
///
/// # Errors
/// The address cannot be bound.
pub async fn start(
    config: &ConsoleConfig,
    console: Console,
) -> std::io::Result<Option<(SocketAddr, JoinHandle<std::io::Result<()>>)>> {
    let Some(addr) = config.addr else {
        tracing::info!("web console off (CONSOLE_ADDR=off)");
        return Ok(None);
    };
    if !config.serves() {
        tracing::info!(
            "web console not served: set CONSOLE_TOKENS (or CONSOLE_READONLY_TOKENS / CONSOLE_READONLY_OPEN) to use it"
        );
        return Ok(None);
    }
    serve(addr, console).await.map(Some)
}

/// A fresh random sign-in token (64 hex digits), for a run that has none configured (the demo).
///
/// # Errors
/// The operating system's random source failed.
pub fn one_time_token() -> Result<crate::Secret, AuthError> {
    auth::random_hex().map(crate::Secret::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_non_loopback_address_is_warned_about() {
        for quiet in ["127.0.0.1:8080", "[::1]:8080"] {
            assert_eq!(exposure_warning(quiet.parse().unwrap()), None, "{quiet}");
        }
        for exposed in ["0.0.0.0:8080", "192.168.1.20:8080", "[::]:8080"] {
            let warning = exposure_warning(exposed.parse().unwrap());
            assert!(
                warning.is_some_and(|w| w.contains("without TLS")),
                "{exposed}"
            );
        }
    }
}
