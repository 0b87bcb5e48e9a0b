//! Supervision of tasks: a task that panics is never silent. Its panic is logged with its cause
//! and counted per task; then, decided per task, the task is started again after a backoff
//! ([`Supervisor::restarting`]: book feeds, an embedder's bot) or trading is halted (the runner
//! calls [`EngineHandle::halt`](super::EngineHandle::halt) after an execution or a reconciliation
//! panicked). Both raise a critical alert. The counts are in
//! [`EngineStatus::tasks`](super::EngineStatus::tasks).
//!
//! Self-contained on purpose: it knows tasks by name only, so any loop can use it.

use std::any::Any;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::backoff::Backoff;
use crate::notify::{Notification, Notifier, Severity};

/// How a panicking book feed is restarted: after 1 s, doubling to 60 s while it keeps panicking.
pub const FEED_RESTART: Backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(60));

/// Panics and restarts of one task since start.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskCounts {
    /// Times it panicked.
    pub panics: u64,
    /// Times it was started again after a panic.
    pub restarts: u64,
}

/// Counts task panics and restarts, logs and alerts them. Shared as an `Arc`.
pub struct Supervisor {
    notifier: Arc<dyn Notifier>,
    counts: Mutex<BTreeMap<String, TaskCounts>>,
}

impl std::fmt::Debug for Supervisor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Supervisor")
            .field("counts", &self.counts())
            .finish_non_exhaustive()
    }
}

impl Supervisor {
    /// A supervisor alerting through `notifier`.
    #[must_use]
    pub fn new(notifier: Arc<dyn Notifier>) -> Self {
        Self {
            notifier,
            counts: Mutex::new(BTreeMap::new()),
        }
    }

    /// Panics and restarts per task name.
    #[must_use]
    pub fn counts(&self) -> BTreeMap<String, TaskCounts> {
        self.counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Records that `task` panicked with `cause`: logged at ERROR and counted. Returns the
    /// sentence to alert with (the caller adds what happens next).
    pub fn panicked(&self, task: &str, cause: &str) -> String {
        tracing::error!(task, cause, "task panicked");
        self.count(task, |c| c.panics = c.panics.saturating_add(1));
        format!("task `{task}` panicked: {cause}")
    }

    /// Sends a critical alert (a notifier failure is logged, never raised).
    pub fn alert(&self, message: String) {
        let alert = Notification::Alert {
            severity: Severity::Critical,
            message,
        };
        if let Err(e) = self.notifier.notify(alert) {
            tracing::warn!(error = %e, "notifier refused a task alert");
        }
    }

    fn count(&self, task: &str, change: impl FnOnce(&mut TaskCounts)) {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        change(counts.entry(task.to_owned()).or_default());
    }

    /// Runs `start()` as a task named `task`, and again after each panic: logged, counted,
    /// alerted, and started again after `backoff` (doubling while it keeps panicking, from the
    /// start again after a run that lasted longer than `backoff.max`). Returns when a run ends
    /// without panicking (or is cancelled). Dropping the returned future aborts the running task.
    pub async fn restarting<F, Fut>(self: Arc<Self>, task: String, backoff: Backoff, mut start: F)
    where
        F: FnMut() -> Fut + Send,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let mut attempt = 0_u32;
        loop {
            let started = tokio::time::Instant::now();
            let mut run = AbortOnDrop(tokio::spawn(start()));
            let Err(payload) = run.await_join().await else {
                return;
            };
            if started.elapsed() > backoff.max {
                attempt = 0;
            }
            let delay = backoff.delay(attempt);
            attempt = attempt.saturating_add(1);
            let what = self.panicked(&task, &panic_cause(payload.as_ref()));
            self.alert(format!("{what}; restarting it in {delay:?}"));
            tokio::time::sleep(delay).await;
            self.count(&task, |c| c.restarts = c.restarts.saturating_add(1));
            tracing::info!(task, "task restarted after a panic");
        }
    }
}

/// A task handle that aborts the task when dropped (so aborting a supervisor aborts its task).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl AbortOnDrop {
    /// Waits for the task: `Ok` when it ended or was cancelled, `Err(payload)` when it panicked.
    async fn await_join(&mut self) -> Result<(), Box<dyn Any + Send>> {
        match (&mut self.0).await {
            Ok(()) => Ok(()),
            Err(e) if e.is_panic() => Err(e.into_panic()),
            Err(_) => Ok(()),
        }
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The message a panic carried (`panic!("…")` gives a `&str` or a `String`).
#[must_use]
pub fn panic_cause(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;
    use crate::notify::RecordingNotifier;

    #[tokio::test(start_paused = true)]
    async fn a_panicking_task_is_counted_alerted_and_restarted_until_it_ends() {
        let notifier = Arc::new(RecordingNotifier::default());
        let supervisor = Arc::new(Supervisor::new(Arc::clone(&notifier) as Arc<dyn Notifier>));
        let runs = Arc::new(AtomicU32::new(0));
        let counter = Arc::clone(&runs);
        let backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(60));
        Arc::clone(&supervisor)
            .restarting("feed:x".into(), backoff, move || {
                let counter = Arc::clone(&counter);
                async move {
                    if counter.fetch_add(1, Ordering::SeqCst) < 2 {
                        panic!("boom");
                    }
                }
            })
            .await;
        assert_eq!(
            runs.load(Ordering::SeqCst),
            3,
            "two panics, then a clean end"
        );
        assert_eq!(
            supervisor.counts()["feed:x"],
            TaskCounts {
                panics: 2,
                restarts: 2
            }
        );
        let alerts: Vec<String> = notifier
            .received()
            .into_iter()
            .filter_map(|n| match n {
                Notification::Alert {
                    severity: Severity::Critical,
                    message,
                } => Some(message),
                _ => None,
            })
            .collect();
        assert_eq!(
            alerts,
            [
                "task `feed:x` panicked: boom; restarting it in 1s",
                "task `feed:x` panicked: boom; restarting it in 2s"
            ]
        );
    }
}
