//! The Prometheus rendering, and `/health` + `/metrics` over real HTTP on 127.0.0.1.

use std::sync::Arc;
use std::time::{Duration, Instant};

use arb_daemon::metrics::{HealthCheck, HealthReport, Metrics, StoreProbe, start};
use arb_daemon::shutdown;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[test]
fn renders_counters_gauges_and_histograms() {
    let metrics = Metrics::new();
    let now = Instant::now();
    metrics.book_updated("kalshi", now - Duration::from_millis(2500));
    metrics.book_updated("polymarket", now - Duration::from_millis(300));
    // An older update does not make the book look older.
    metrics.book_updated("polymarket", now - Duration::from_secs(9));
    metrics.opportunity_detected();
    metrics.opportunity_detected();
    metrics.execution_finished("hedged");
    metrics.execution_finished("hedged");
    metrics.execution_finished("unwound");
    metrics.observe_tick_to_order(Duration::from_micros(80));
    metrics.observe_tick_to_order(Duration::from_millis(3));
    metrics.observe_tick_to_order(Duration::from_secs(60));
    metrics.observe_order_round_trip("kalshi", Duration::from_millis(40));

    let text = metrics.render(now);
    let has = |line: &str| text.lines().any(|l| l == line);
    for line in [
        "# TYPE arb_book_age_seconds gauge",
        "arb_book_age_seconds{venue=\"kalshi\"} 2.5",
        "arb_book_age_seconds{venue=\"polymarket\"} 0.3",
        "# TYPE arb_opportunities_detected_total counter",
        "arb_opportunities_detected_total 2",
        "# TYPE arb_executions_total counter",
        "arb_executions_total{outcome=\"hedged\"} 2",
        "arb_executions_total{outcome=\"unwound\"} 1",
        "# TYPE arb_tick_to_order_seconds histogram",
        "arb_tick_to_order_seconds_bucket{le=\"0.00005\"} 0",
        "arb_tick_to_order_seconds_bucket{le=\"0.0001\"} 1",
        "arb_tick_to_order_seconds_bucket{le=\"0.0025\"} 1",
        "arb_tick_to_order_seconds_bucket{le=\"0.005\"} 2",
        "arb_tick_to_order_seconds_bucket{le=\"30\"} 2",
        "arb_tick_to_order_seconds_bucket{le=\"+Inf\"} 3",
        "arb_tick_to_order_seconds_sum 60.00308",
        "arb_tick_to_order_seconds_count 3",
        "# TYPE arb_order_round_trip_seconds histogram",
        "arb_order_round_trip_seconds_bucket{venue=\"kalshi\",le=\"0.025\"} 0",
        "arb_order_round_trip_seconds_bucket{venue=\"kalshi\",le=\"0.05\"} 1",
        "arb_order_round_trip_seconds_sum{venue=\"kalshi\"} 0.04",
        "arb_order_round_trip_seconds_count{venue=\"kalshi\"} 1",
    ] {
        assert!(has(line), "missing `{line}` in:\n{text}");
    }
}

#[test]
fn label_values_are_escaped() {
    let metrics = Metrics::new();
    metrics.execution_finished("a\"b\\c\nd");
    assert!(
        metrics
            .render(Instant::now())
            .contains("arb_executions_total{outcome=\"a\\\"b\\\\c\\nd\"} 1")
    );
}

/// Sends one HTTP/1.1 GET and returns the whole response.
async fn get(addr: std::net::SocketAddr, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream
        .write_all(
            format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .await
        .expect("send request");
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .await
        .expect("read response");
    response
}

fn body(response: &str) -> &str {
    response.split_once("\r\n\r\n").expect("headers end").1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_metrics_over_http() {
    let metrics = Arc::new(Metrics::new());
    metrics.opportunity_detected();
    let healthy = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let flag = Arc::clone(&healthy);
    let health: HealthCheck = Arc::new(move || HealthReport {
        healthy: flag.load(std::sync::atomic::Ordering::SeqCst),
        details: serde_json::json!({ "engine": "running", "active_pairs": 3 }),
    });
    let (trigger, signal) = shutdown::channel();
    let (addr, server) = start(
        "127.0.0.1:0".parse().unwrap(),
        Arc::clone(&metrics),
        health,
        signal,
    )
    .await
    .unwrap();
    assert!(addr.ip().is_loopback() && addr.port() != 0);

    let response = get(addr, "/health").await;
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(
        response
            .to_ascii_lowercase()
            .contains("content-type: application/json\r\n")
    );
    let json: serde_json::Value = serde_json::from_str(body(&response)).unwrap();
    assert_eq!(
        json,
        serde_json::json!({ "status": "ok", "details": { "engine": "running", "active_pairs": 3 } })
    );

    healthy.store(false, std::sync::atomic::Ordering::SeqCst);
    let response = get(addr, "/health").await;
    assert!(
        response.starts_with("HTTP/1.1 503 Service Unavailable\r\n"),
        "{response}"
    );
    let json: serde_json::Value = serde_json::from_str(body(&response)).unwrap();
    assert_eq!(json["status"], "unhealthy");

    let response = get(addr, "/metrics").await;
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(
        response
            .to_ascii_lowercase()
            .contains("content-type: text/plain; version=0.0.4; charset=utf-8\r\n")
    );
    assert!(
        body(&response)
            .lines()
            .any(|l| l == "arb_opportunities_detected_total 1")
    );

    assert!(
        get(addr, "/nope")
            .await
            .starts_with("HTTP/1.1 404 Not Found\r\n")
    );

    trigger.trigger();
    server.await.unwrap().unwrap();
    assert!(TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn start_reports_an_address_in_use() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let (_trigger, signal) = shutdown::channel();
    let health: HealthCheck = Arc::new(|| HealthReport {
        healthy: true,
        details: serde_json::Value::Null,
    });
    let err = start(
        taken.local_addr().unwrap(),
        Arc::new(Metrics::new()),
        health,
        signal,
    )
    .await
    .err()
    .unwrap();
    assert_eq!(err.kind(), std::io::ErrorKind::AddrInUse);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_health_command_reads_the_status_code() {
    let healthy = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let flag = Arc::clone(&healthy);
    let health: HealthCheck = Arc::new(move || HealthReport {
        healthy: flag.load(std::sync::atomic::Ordering::SeqCst),
        details: serde_json::json!({ "reasons": [] }),
    });
    let (trigger, signal) = shutdown::channel();
    let (addr, server) = start(
        "0.0.0.0:0".parse().unwrap(),
        Arc::new(Metrics::new()),
        health,
        signal,
    )
    .await
    .unwrap();
    let local = arb_daemon::commands::health::local(addr);
    assert!(local.ip().is_loopback());
    let (code, body) = arb_daemon::commands::health::probe(local).await.unwrap();
    assert_eq!(code, 200);
    assert!(body.contains("\"status\":\"ok\""), "{body}");
    healthy.store(false, std::sync::atomic::Ordering::SeqCst);
    let (code, _) = arb_daemon::commands::health::probe(local).await.unwrap();
    assert_eq!(code, 503);
    trigger.trigger();
    server.await.unwrap().unwrap();
}

#[tokio::test]
async fn the_store_probe_reports_a_store_that_cannot_be_written() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("arb.db").display());
    arb_store::connect(&url).await.unwrap().close().await;
    let writable: Arc<dyn arb_core::store::Store> =
        Arc::new(arb_store::connect(&url).await.unwrap());
    let mut probe = StoreProbe::new(Arc::clone(&writable), Duration::from_secs(30));
    assert_eq!(probe.write_error(chrono::Utc::now()).await, None);
    assert!(
        writable
            .setting(arb_daemon::metrics::health::HEARTBEAT_SETTING)
            .await
            .unwrap()
            .is_some(),
        "the heartbeat is written"
    );
    let read_only = arb_store::open(&url, arb_store::OpenMode::ReadOnly)
        .await
        .unwrap();
    let mut probe = StoreProbe::new(Arc::new(read_only), Duration::from_secs(30));
    let error = probe
        .write_error(chrono::Utc::now())
        .await
        .expect("a read-only store cannot be written");
    assert!(error.contains("SQLite file"), "{error}");
    assert!(error.contains("arb.db"), "{error}");
}

#[test]
fn task_panics_book_ages_and_venue_calls_are_exported() {
    let metrics = Metrics::new();
    let now = Instant::now();
    metrics.market_book_updated("kalshi", "KXFED-25DEC", now - Duration::from_millis(1500));
    metrics.venue_call(
        "kalshi",
        None,
        chrono::DateTime::from_timestamp(1_796_000_000, 0).unwrap(),
    );
    metrics.venue_call("kalshi", Some("network error: refused"), chrono::Utc::now());
    let mut tasks = std::collections::BTreeMap::new();
    tasks.insert(
        "feed:kalshi".to_owned(),
        arb_core::engine::TaskCounts {
            panics: 2,
            restarts: 1,
        },
    );
    metrics.set_status(&arb_core::engine::EngineStatus {
        leased_pairs: vec![arb_core::model::PairId(3), arb_core::model::PairId(8)],
        mode: arb_core::engine::TradingMode::Live,
        halted: None,
        venues: vec![
            arb_core::engine::VenueStatus {
                venue: arb_core::model::VenueId::new("kalshi"),
                connected: true,
                polling: false,
                last_book_at: None,
            },
            arb_core::engine::VenueStatus {
                venue: arb_core::model::VenueId::new("polymarket"),
                connected: false,
                polling: true,
                last_book_at: None,
            },
        ],
        active_pairs: 0,
        inactive_pairs: 0,
        last_opportunity: None,
        today: None,
        catalogue: arb_core::engine::CatalogueStatus {
            last_success: chrono::DateTime::from_timestamp(1_796_000_100, 0),
            last_attempt: chrono::DateTime::from_timestamp(1_796_000_400, 0),
            consecutive_failures: 2,
            failures_total: 5,
            last_problem: Some("polymarket: gamma page 3 failed".into()),
        },
        tasks,
    });
    let text = metrics.render(now);
    for line in [
        "arb_market_book_age_seconds{venue=\"kalshi\",market=\"KXFED-25DEC\"} 1.5",
        "arb_book_age_seconds{venue=\"kalshi\"} 1.5",
        "arb_venue_last_success_timestamp_seconds{venue=\"kalshi\"} 1796000000",
        "arb_venue_call_failures_total{venue=\"kalshi\"} 1",
        "# TYPE arb_task_panics_total counter",
        "arb_task_panics_total{task=\"feed:kalshi\"} 2",
        "arb_task_restarts_total{task=\"feed:kalshi\"} 1",
        "arb_leases_held 2",
        "arb_pair_lease_held{pair=\"3\"} 1",
        "arb_pair_lease_held{pair=\"8\"} 1",
        "arb_venue_connected{venue=\"kalshi\"} 1",
        "arb_venue_connected{venue=\"polymarket\"} 0",
        "arb_venue_polling{venue=\"polymarket\"} 1",
        "arb_catalogue_last_success_timestamp_seconds 1796000100",
        "arb_catalogue_consecutive_failures 2",
        "arb_catalogue_sync_failures_total 5",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing `{line}` in:\n{text}"
        );
    }
}
