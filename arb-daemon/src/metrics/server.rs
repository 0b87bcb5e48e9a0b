//! The HTTP server for `/health` and `/metrics`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::Metrics;
use crate::shutdown::ShutdownSignal;

/// The Prometheus text format's content type.
const METRICS_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// What `/health` reports: whether the daemon is healthy, and a JSON status (engine state,
/// halted, book ages…) supplied by the caller.
#[derive(Clone, Debug, PartialEq)]
pub struct HealthReport {
    /// `true` answers 200 `{"status":"ok",…}`; `false` answers 503 `{"status":"unhealthy",…}`.
    pub healthy: bool,
    /// Included as `"details"`.
    pub details: serde_json::Value,
}

/// Produces the health report on each `/health` request.
pub type HealthCheck = Arc<dyn Fn() -> HealthReport + Send + Sync>;

/// The router: `GET /health` and `GET /metrics`.
pub fn router(metrics: Arc<Metrics>, health: HealthCheck) -> Router {
    Router::new()
        .route(
            "/health",
            get(move || {
                let health = Arc::clone(&health);
                async move { health_response(&health()) }
            }),
        )
        .route(
            "/metrics",
            get(move || {
                let metrics = Arc::clone(&metrics);
                async move {
                    (
                        [(header::CONTENT_TYPE, METRICS_CONTENT_TYPE)],
                        metrics.render(Instant::now()),
                    )
                }
            }),
        )
}

/// Serves [`router`] on `listener` until `shutdown` is signalled, then finishes in-flight
/// requests and returns.
///
/// # Errors
/// The listener failed.
pub async fn serve(
    listener: TcpListener,
    metrics: Arc<Metrics>,
    health: HealthCheck,
    shutdown: ShutdownSignal,
) -> std::io::Result<()> {
    axum::serve(listener, router(metrics, health))
        .with_graceful_shutdown(async move { shutdown.triggered().await })
        .await
}

/// Binds `addr` (e.g. `METRICS_ADDR`; port 0 picks a free port) and serves on a spawned task.
/// Returns the bound address and the task, which ends after `shutdown`.
///
/// # Errors
/// The address cannot be bound (in use, not local, no permission).
pub async fn start(
    addr: SocketAddr,
    metrics: Arc<Metrics>,
    health: HealthCheck,
    shutdown: ShutdownSignal,
) -> std::io::Result<(SocketAddr, JoinHandle<std::io::Result<()>>)> {
    let listener = TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    tracing::info!(%bound, "serving /health and /metrics");
    Ok((
        bound,
        tokio::spawn(serve(listener, metrics, health, shutdown)),
    ))
}

fn health_response(report: &HealthReport) -> impl IntoResponse + use<> {
    let (status, word) = if report.healthy {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "unhealthy")
    };
    let body = serde_json::json!({ "status": word, "details": report.details });
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
}
