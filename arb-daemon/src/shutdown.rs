//! Graceful shutdown: a trigger the OS signals (SIGINT, SIGTERM) pull, and a cloneable signal the
//! engine and servers watch to stop starting new work.

use tokio::sync::watch;

/// Pulls the shutdown signal. Dropping every trigger also counts as shutdown, so a crashed
/// supervisor never leaves workers running forever.
#[derive(Debug)]
pub struct ShutdownTrigger {
    tx: watch::Sender<bool>,
}

/// Observes shutdown. Cheap to clone; every clone sees the same trigger.
#[derive(Clone, Debug)]
pub struct ShutdownSignal {
    rx: watch::Receiver<bool>,
}

/// A new trigger and the signal it controls.
#[must_use]
pub fn channel() -> (ShutdownTrigger, ShutdownSignal) {
    let (tx, rx) = watch::channel(false);
    (ShutdownTrigger { tx }, ShutdownSignal { rx })
}

impl ShutdownTrigger {
    /// Signals shutdown to every observer (idempotent).
    pub fn trigger(&self) {
        self.tx.send_replace(true);
    }

    /// Another signal observing this trigger.
    #[must_use]
    pub fn signal(&self) -> ShutdownSignal {
        ShutdownSignal {
            rx: self.tx.subscribe(),
        }
    }
}

impl ShutdownSignal {
    /// Whether shutdown has been signalled (or every trigger dropped).
    #[must_use]
    pub fn is_triggered(&self) -> bool {
        *self.rx.borrow() || self.rx.has_changed().is_err()
    }

    /// Resolves once shutdown is signalled; at once if it already was.
    pub async fn triggered(&self) {
        let mut rx = self.rx.clone();
        // An error means every trigger was dropped: treat it as shutdown too.
        let _ = rx.wait_for(|triggered| *triggered).await;
    }
}

/// Which OS signal asked the process to stop.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum StopSignal {
    /// Ctrl-C / SIGINT.
    Interrupt,
    /// SIGTERM (`docker stop`, systemd).
    Terminate,
}

/// Installs SIGINT and SIGTERM handlers now (SIGINT only on non-Unix systems) and returns a
/// future resolving on the first of them. From this call on, those signals no longer kill the
/// process.
///
/// # Errors
/// The signal handlers could not be installed.
#[cfg(unix)]
pub fn os_signal() -> std::io::Result<impl Future<Output = StopSignal> + Send + 'static> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => StopSignal::Interrupt,
            _ = terminate.recv() => StopSignal::Terminate,
        }
    })
}

/// See the Unix version.
///
/// # Errors
/// Never on this platform; an error waiting for Ctrl-C counts as the signal.
#[cfg(not(unix))]
pub fn os_signal() -> std::io::Result<impl Future<Output = StopSignal> + Send + 'static> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
        StopSignal::Interrupt
    })
}

/// Installs the signal handlers now and spawns a task that pulls `trigger` on the first SIGINT
/// or SIGTERM, logging which. The task's result is that signal.
///
/// # Errors
/// The signal handlers could not be installed.
pub fn trigger_on_os_signal(
    trigger: ShutdownTrigger,
) -> std::io::Result<tokio::task::JoinHandle<StopSignal>> {
    let signal = os_signal()?;
    Ok(tokio::spawn(async move {
        let received = signal.await;
        tracing::info!(signal = ?received, "shutdown requested: no new executions");
        trigger.trigger();
        received
    }))
}
