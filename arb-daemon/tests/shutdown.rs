//! The shutdown signal, including a real SIGTERM delivered to this test process.

use arb_daemon::shutdown::{self, StopSignal};

#[tokio::test]
async fn trigger_reaches_every_clone() {
    let (trigger, signal) = shutdown::channel();
    let other = signal.clone();
    let late = trigger.signal();
    assert!(!signal.is_triggered());
    let waiter = tokio::spawn(async move { other.triggered().await });
    trigger.trigger();
    waiter.await.unwrap();
    assert!(signal.is_triggered());
    assert!(late.is_triggered());
    // Already triggered: resolves at once.
    signal.triggered().await;
}

#[tokio::test]
async fn dropping_the_trigger_counts_as_shutdown() {
    let (trigger, signal) = shutdown::channel();
    drop(trigger);
    assert!(signal.is_triggered());
    signal.triggered().await;
}

#[cfg(unix)]
#[tokio::test]
async fn sigterm_pulls_the_trigger() {
    let (trigger, signal) = shutdown::channel();
    let task = shutdown::trigger_on_os_signal(trigger).unwrap();
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("kill -TERM {}", std::process::id()))
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(task.await.unwrap(), StopSignal::Terminate);
    assert!(signal.is_triggered());
}
