//! Merging rows by receive time with bounded memory.
//!
//! pmxt sorts each file by (market, asset_id, timestamp_received), so a file is a sequence of
//! runs, each already in time order. The first pass writes the wanted rows to a spill file,
//! noting where each run starts and ends (a new run whenever the token changes or time goes
//! back, so any input order merges correctly). The second pass merges the runs with a heap,
//! reading each run through its own small buffer from the one spill file: memory holds one
//! buffer per run ([`CHUNK`] bytes, more only for a single longer line), never the rows.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::PmxtError;
use super::frames::{Entry, Event};

/// Bytes read from the spill file at a time for one run.
pub const CHUNK: usize = 8 * 1024;

/// The most runs a merge takes (memory ≈ runs × [`CHUNK`], 128 MiB at most): more means the
/// input is far from pmxt's documented order.
pub const MAX_RUNS: usize = 16 * 1024;

/// A run's byte range in the spill file.
#[derive(Clone, Copy, Debug)]
struct Run {
    start: u64,
    end: u64,
}

/// The first pass's output: wanted entries, one JSON line each, in runs.
pub struct Spill {
    guard: SpillFile,
    out: BufWriter<File>,
    runs: Vec<Run>,
    written: u64,
    /// The last entry's (token, receive time), to see where a run ends.
    last: Option<(String, i64)>,
}

fn spill_error(path: &Path, source: std::io::Error) -> PmxtError {
    PmxtError::Spill {
        path: path.to_owned(),
        source,
    }
}

fn token(entry: &Entry) -> &str {
    match &entry.event {
        Event::Book { asset_id, .. }
        | Event::Change { asset_id, .. }
        | Event::Tick { asset_id, .. } => asset_id,
    }
}

impl Spill {
    /// Creates the spill file at `path` (it must not exist; it is removed when dropped).
    pub fn create(path: &Path) -> Result<Self, PmxtError> {
        let file = File::options()
            .read(true)
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(|e| spill_error(path, e))?;
        Ok(Self {
            guard: SpillFile(path.to_owned()),
            out: BufWriter::new(file),
            runs: Vec::new(),
            written: 0,
            last: None,
        })
    }

    /// Appends an entry; `file` names the input for the error when there are too many runs.
    pub fn push(&mut self, entry: &Entry, file: &Path) -> Result<(), PmxtError> {
        let continues = self
            .last
            .as_ref()
            .is_some_and(|(t, at)| t == token(entry) && *at <= entry.at);
        if !continues {
            if self.runs.len() == MAX_RUNS {
                return Err(PmxtError::TooManyRuns {
                    file: file.to_owned(),
                    max: MAX_RUNS,
                });
            }
            self.runs.push(Run {
                start: self.written,
                end: self.written,
            });
            self.last = Some((token(entry).to_owned(), entry.at));
        } else if let Some(last) = self.last.as_mut() {
            last.1 = entry.at;
        }
        let path = &self.guard.0;
        let mut line = serde_json::to_vec(entry).map_err(|e| spill_error(path, e.into()))?;
        line.push(b'\n');
        self.out
            .write_all(&line)
            .map_err(|e| spill_error(path, e))?;
        self.written += line.len() as u64;
        if let Some(run) = self.runs.last_mut() {
            run.end = self.written;
        }
        Ok(())
    }

    /// Ends the first pass: the entries of every run merged by receive time.
    pub fn merge(self) -> Result<Merge, PmxtError> {
        let Self {
            guard, out, runs, ..
        } = self;
        let file = out
            .into_inner()
            .map_err(|e| spill_error(&guard.0, e.into_error()))?;
        let mut merge = Merge {
            guard,
            file,
            runs: runs.into_iter().map(RunReader::new).collect(),
            heap: BinaryHeap::new(),
            heads: Vec::new(),
        };
        merge.heads = (0..merge.runs.len()).map(|_| None).collect();
        for i in 0..merge.runs.len() {
            merge.advance(i)?;
        }
        Ok(merge)
    }
}

/// Removes the spill file when the import ends, whether it succeeded or not.
struct SpillFile(PathBuf);

impl Drop for SpillFile {
    fn drop(&mut self) {
        // Best effort: a left-over spill file is only a wasted temporary file.
        let _ = std::fs::remove_file(&self.0);
    }
}

/// One run's unread bytes and a buffer of them.
struct RunReader {
    next: u64,
    end: u64,
    buf: Vec<u8>,
    start: usize,
}

impl RunReader {
    fn new(run: Run) -> Self {
        Self {
            next: run.start,
            end: run.end,
            buf: Vec::new(),
            start: 0,
        }
    }

    /// The run's next line, reading more of the spill file when needed.
    fn line(&mut self, file: &mut File) -> std::io::Result<Option<Vec<u8>>> {
        loop {
            if let Some(i) = self.buf[self.start..].iter().position(|&b| b == b'\n') {
                let line = self.buf[self.start..self.start + i].to_vec();
                self.start += i + 1;
                return Ok(Some(line));
            }
            if self.next >= self.end {
                return Ok(None);
            }
            self.buf.drain(..self.start);
            self.start = 0;
            let want = usize::try_from(self.end - self.next).map_or(CHUNK, |n| n.min(CHUNK));
            let have = self.buf.len();
            self.buf.resize(have + want, 0);
            file.seek(SeekFrom::Start(self.next))?;
            file.read_exact(&mut self.buf[have..])?;
            self.next += want as u64;
        }
    }
}

/// The second pass: entries in receive-time order (ties in input order).
pub struct Merge {
    guard: SpillFile,
    file: File,
    runs: Vec<RunReader>,
    heap: BinaryHeap<Reverse<(i64, usize)>>,
    heads: Vec<Option<Entry>>,
}

impl Merge {
    fn advance(&mut self, run: usize) -> Result<(), PmxtError> {
        let path = &self.guard.0;
        let line = self.runs[run]
            .line(&mut self.file)
            .map_err(|e| spill_error(path, e))?;
        if let Some(line) = line {
            let entry: Entry =
                serde_json::from_slice(&line).map_err(|e| spill_error(path, e.into()))?;
            self.heap.push(Reverse((entry.at, run)));
            self.heads[run] = Some(entry);
        }
        Ok(())
    }
}

impl Iterator for Merge {
    type Item = Result<Entry, PmxtError>;

    fn next(&mut self) -> Option<Self::Item> {
        let Reverse((_, run)) = self.heap.pop()?;
        let entry = self.heads[run].take()?;
        Some(self.advance(run).map(|()| entry))
    }
}
