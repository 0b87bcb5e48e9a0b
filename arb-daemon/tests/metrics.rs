//! The Prometheus rendering, and `/health` + `/metrics` over real HTTP on 127.0.0.1.

use std::sync::Arc;
use std::time::{Duration, Instant};

use arb_daemon::metrics::{HealthCheck, HealthReport, Metrics, start};
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
