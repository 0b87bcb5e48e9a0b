//! Writing a recording: hourly zstd files of JSON lines, flushed after every record.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use arb_core::model::{Market, MarketKey, PairId, VerifiedPair};
use arb_core::record::{RECORD_VERSION, Record};
use chrono::{DateTime, Utc};
use thiserror::Error;

use super::files::{FileSlot, hour_of};

/// The zstd level: fast enough to keep up with every book message, still compresses JSON ~10×.
const ZSTD_LEVEL: i32 = 3;

/// Why a record could not be written.
#[derive(Debug, Error)]
pub enum WriteError {
    /// The recording directory could not be created.
    #[error("cannot create recording directory {dir}: {source}")]
    CreateDir {
        /// The directory.
        dir: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// A recording file could not be created, written or finished.
    #[error("cannot write recording file {file}: {source}")]
    File {
        /// The file.
        file: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// A record could not be serialised.
    #[error("cannot serialise a record for {file}: {source}")]
    Serialise {
        /// The file it was for.
        file: PathBuf,
        /// The cause.
        source: serde_json::Error,
    },
    /// The thread that writes for a [`super::RecordingTap`] could not be started.
    #[error("cannot start the recording thread: {0}")]
    Thread(io::Error),
    /// Headers are written by the writer itself, at the start of every file.
    #[error("a header is written by the recording writer itself, not passed to it")]
    HeaderGiven,
}

/// The file being written.
struct OpenFile {
    slot: FileSlot,
    path: PathBuf,
    encoder: zstd::stream::write::Encoder<'static, File>,
}

/// Writes records into `DIR/YYYY-MM-DDTHH[.N].rec.zst`, one file per UTC hour of the records'
/// receive times.
///
/// Each file is one zstd stream of JSON lines: a `header`, every market definition and pair
/// known so far (so each file stands alone), then records as written. After every record the
/// compressor is flushed to the file, so a crash loses at most the record being written. A
/// market or pair is written again only when its definition changed.
pub struct RecordingWriter {
    dir: PathBuf,
    current: Option<OpenFile>,
    markets: HashMap<MarketKey, Market>,
    pairs: HashMap<PairId, VerifiedPair>,
    line: Vec<u8>,
}

impl std::fmt::Debug for RecordingWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordingWriter")
            .field("dir", &self.dir)
            .field("file", &self.current.as_ref().map(|c| &c.path))
            .finish_non_exhaustive()
    }
}

impl RecordingWriter {
    /// A writer into `dir`, created if missing. No file is opened before the first record.
    pub fn create(dir: impl AsRef<Path>) -> Result<Self, WriteError> {
        let dir = dir.as_ref().to_path_buf();
        std::fs::create_dir_all(&dir).map_err(|source| WriteError::CreateDir {
            dir: dir.clone(),
            source,
        })?;
        Ok(Self {
            dir,
            current: None,
            markets: HashMap::new(),
            pairs: HashMap::new(),
            line: Vec::with_capacity(4096),
        })
    }

    /// The directory written to.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file being written, if one is open.
    #[must_use]
    pub fn current_file(&self) -> Option<&Path> {
        self.current.as_ref().map(|c| c.path.as_path())
    }

    /// Writes one record, starting a new file when its receive hour is later than the current
    /// file's. A market or pair whose definition did not change since it was last written is
    /// skipped. After an error the current file is abandoned (it stays readable up to its last
    /// whole record) and the next record starts a new file.
    pub fn write(&mut self, record: &Record) -> Result<(), WriteError> {
        let changed = match record {
            Record::Header { .. } => return Err(WriteError::HeaderGiven),
            Record::Market { market, .. } => self.remember_market(market),
            Record::Pair { pair, .. } => self.remember_pair(pair),
            Record::Raw { .. } => true,
        };
        if !changed {
            return Ok(());
        }
        let result = self.write_changed(record);
        if result.is_err() {
            // Leave the broken stream as it is: its whole records stay readable.
            self.current = None;
        }
        result
    }

    /// Ends the current file's zstd stream (with its checksum). The next record starts a new file.
    pub fn finish(&mut self) -> Result<(), WriteError> {
        match self.current.take() {
            Some(open) => open
                .encoder
                .finish()
                .and_then(|file| file.sync_all())
                .map_err(|source| WriteError::File {
                    file: open.path,
                    source,
                }),
            None => Ok(()),
        }
    }

    /// Whether `market` differs from the definition last written; remembers it.
    fn remember_market(&mut self, market: &Market) -> bool {
        if self.markets.get(&market.key) == Some(market) {
            return false;
        }
        self.markets.insert(market.key.clone(), market.clone());
        true
    }

    /// Whether `pair` differs from the one last written; remembers it.
    fn remember_pair(&mut self, pair: &VerifiedPair) -> bool {
        if self.pairs.get(&pair.id) == Some(pair) {
            return false;
        }
        self.pairs.insert(pair.id, pair.clone());
        true
    }

    /// Writes a record that is not a repeat, starting the file it belongs in if needed.
    fn write_changed(&mut self, record: &Record) -> Result<(), WriteError> {
        let at = record.at();
        if self
            .current
            .as_ref()
            .is_none_or(|c| hour_of(at) > c.slot.hour)
        {
            self.finish()?;
            let open = start_file(&self.dir, at, &self.markets, &self.pairs, &mut self.line)?;
            self.current = Some(open);
            if !matches!(record, Record::Raw { .. }) {
                // A definition is among those the new file starts with.
                return Ok(());
            }
        }
        if let Some(open) = self.current.as_mut() {
            append(open, &mut self.line, record)?;
        }
        Ok(())
    }
}

/// Opens the next file for `at`'s hour and writes its header and every known definition
/// (stamped `at`, the file's start), sorted so the same input makes the same file.
fn start_file(
    dir: &Path,
    at: DateTime<Utc>,
    markets: &HashMap<MarketKey, Market>,
    pairs: &HashMap<PairId, VerifiedPair>,
    line: &mut Vec<u8>,
) -> Result<OpenFile, WriteError> {
    let (slot, path, file) = create_file(dir, at)?;
    let encoder = zstd::stream::write::Encoder::new(file, ZSTD_LEVEL)
        .and_then(|mut e| e.include_checksum(true).map(|()| e))
        .map_err(|source| WriteError::File {
            file: path.clone(),
            source,
        })?;
    let mut open = OpenFile {
        slot,
        path,
        encoder,
    };
    let header = Record::Header {
        version: RECORD_VERSION,
        started_at: at,
    };
    append(&mut open, line, &header)?;
    let mut markets: Vec<&Market> = markets.values().collect();
    markets.sort_by(|a, b| a.key.cmp(&b.key));
    for market in markets {
        let record = Record::Market {
            at,
            market: Box::new(market.clone()),
        };
        append(&mut open, line, &record)?;
    }
    let mut pairs: Vec<&VerifiedPair> = pairs.values().collect();
    pairs.sort_by_key(|p| p.id);
    for pair in pairs {
        let record = Record::Pair {
            at,
            pair: Box::new(pair.clone()),
        };
        append(&mut open, line, &record)?;
    }
    Ok(open)
}

/// Creates the first free file of `at`'s hour in `dir`, never opening an existing one.
fn create_file(dir: &Path, at: DateTime<Utc>) -> Result<(FileSlot, PathBuf, File), WriteError> {
    let mut sequence = 0u32;
    loop {
        let slot = FileSlot::of(at, sequence);
        let path = dir.join(slot.file_name());
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(file) => return Ok((slot, path, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                sequence = sequence.checked_add(1).ok_or_else(|| WriteError::File {
                    file: path.clone(),
                    source: io::Error::other("no free file name left in this hour"),
                })?;
            }
            Err(source) => return Err(WriteError::File { file: path, source }),
        }
    }
}

/// Writes `record` as one line to `open` and flushes it through to the file, using `line` as the
/// buffer.
fn append(open: &mut OpenFile, line: &mut Vec<u8>, record: &Record) -> Result<(), WriteError> {
    line.clear();
    serde_json::to_writer(&mut *line, record).map_err(|source| WriteError::Serialise {
        file: open.path.clone(),
        source,
    })?;
    line.push(b'\n');
    open.encoder
        .write_all(line)
        .and_then(|()| open.encoder.flush())
        .map_err(|source| WriteError::File {
            file: open.path.clone(),
            source,
        })
}

impl Drop for RecordingWriter {
    fn drop(&mut self) {
        if let Err(e) = self.finish() {
            tracing::warn!(error = %e, "recording file not finished cleanly");
        }
    }
}
