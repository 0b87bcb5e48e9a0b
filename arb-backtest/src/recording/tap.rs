//! [`RecordingTap`]: a [`RawTap`] that records on a background thread.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Arc;

use arb_core::clock::Clock;
use arb_core::model::{Market, MarketId, VenueId, VerifiedPair};
use arb_core::record::{RawTap, Record};

use super::writer::{RecordingWriter, WriteError};

/// What the writer thread is asked to do.
enum Command {
    Write(Record),
    /// Flush and end the current file, then answer.
    Finish(Sender<()>),
}

/// Counts of what a tap recorded.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct TapStats {
    /// Records recorded (an unchanged definition counts, though it is not written again).
    pub written: u64,
    /// Records that could not be written (each logged).
    pub failed: u64,
}

/// Counters shared with the writer thread.
#[derive(Debug, Default)]
struct Counters {
    written: AtomicU64,
    failed: AtomicU64,
}

/// Records what adapters receive: [`RawTap::received`] stamps the receive time from the clock
/// and hands the message to a background thread that owns a [`RecordingWriter`], so the
/// adapter's receive path never waits for compression or the disk (the queue is unbounded).
///
/// Write errors are logged and counted ([`RecordingTap::stats`]), never raised to the adapter.
/// [`RecordingTap::finish`] (or dropping the tap) writes what is queued and ends the
/// current file cleanly.
#[derive(Debug)]
pub struct RecordingTap {
    clock: Arc<dyn Clock>,
    commands: Sender<Command>,
    counters: Arc<Counters>,
}

impl RecordingTap {
    /// A tap writing into `dir` (created if missing), stamping receive times from `clock`.
    pub fn create(dir: impl AsRef<Path>, clock: Arc<dyn Clock>) -> Result<Self, WriteError> {
        let writer = RecordingWriter::create(dir)?;
        let (commands, receiver) = mpsc::channel();
        let counters = Arc::new(Counters::default());
        let thread_counters = Arc::clone(&counters);
        // The thread ends when the tap (the queue's only sender) is dropped.
        std::thread::Builder::new()
            .name("recording".to_owned())
            .spawn(move || write_loop(writer, &receiver, &thread_counters))
            .map_err(WriteError::Thread)?;
        Ok(Self {
            clock,
            commands,
            counters,
        })
    }

    /// Records a market's definition (written only if it changed since last written).
    pub fn market(&self, market: &Market) {
        self.send(Record::Market {
            at: self.clock.now(),
            market: Box::new(market.clone()),
        });
    }

    /// Records a pair (written only if it changed since last written).
    pub fn pair(&self, pair: &VerifiedPair) {
        self.send(Record::Pair {
            at: self.clock.now(),
            pair: Box::new(pair.clone()),
        });
    }

    /// What was written and what failed, so far.
    #[must_use]
    pub fn stats(&self) -> TapStats {
        TapStats {
            written: self.counters.written.load(Ordering::Relaxed),
            failed: self.counters.failed.load(Ordering::Relaxed),
        }
    }

    /// Writes everything queued so far and ends the current file cleanly; returns the counts.
    /// Blocks until done: call it from a blocking context when shutting down. A record received
    /// later starts a new file (`….N.rec.zst`).
    pub fn finish(&self) -> TapStats {
        let (done, wait) = mpsc::channel();
        if self.commands.send(Command::Finish(done)).is_ok() {
            // The thread answers once everything before was written; an error means it is gone.
            let _ = wait.recv();
        }
        self.stats()
    }

    fn send(&self, record: Record) {
        if self.commands.send(Command::Write(record)).is_err() {
            self.counters.failed.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl RawTap for RecordingTap {
    fn received(&self, venue: &VenueId, format: &str, market: Option<&MarketId>, payload: &str) {
        self.send(Record::Raw {
            at: self.clock.now(),
            venue: venue.clone(),
            format: format.to_owned(),
            market: market.cloned(),
            payload: payload.to_owned(),
        });
    }
}

impl Drop for RecordingTap {
    fn drop(&mut self) {
        self.finish();
    }
}

/// The writer thread: writes records until the queue closes, finishing files on request.
fn write_loop(mut writer: RecordingWriter, commands: &Receiver<Command>, counters: &Counters) {
    while let Ok(command) = commands.recv() {
        match command {
            Command::Write(record) => match writer.write(&record) {
                Ok(()) => {
                    counters.written.fetch_add(1, Ordering::Relaxed);
                }
                Err(e) => {
                    counters.failed.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(error = %e, "could not record a message");
                }
            },
            Command::Finish(done) => {
                if let Err(e) = writer.finish() {
                    counters.failed.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(error = %e, "could not finish a recording file");
                }
                let _ = done.send(());
            }
        }
    }
}
