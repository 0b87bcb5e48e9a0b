//! Reading a recording back: the files of a directory in order, streamed line by line.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use arb_core::record::{RECORD_VERSION, Record};
use serde::Deserialize;
use thiserror::Error;

use super::files::{EXTENSION, FileSlot};

/// Why a recording could not be read. Every error names the directory or file, and errors
/// inside a file give the byte offset in the decompressed stream and the line number.
#[derive(Debug, Error)]
pub enum ReadError {
    /// The directory could not be listed.
    #[error("cannot read recording directory {dir}: {source}")]
    Dir {
        /// The directory.
        dir: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The directory holds no recording file (`*.rec.zst`).
    #[error("no recording files (*{EXTENSION}) in {dir}")]
    Empty {
        /// The directory.
        dir: PathBuf,
    },
    /// A `*.rec.zst` file whose name is not `YYYY-MM-DDTHH[.N].rec.zst`, so its place in the
    /// recording is unknown.
    #[error("{file}: not a recording file name (expected YYYY-MM-DDTHH[.N]{EXTENSION})")]
    FileName {
        /// The file.
        file: PathBuf,
    },
    /// A file could not be opened or read.
    #[error("{file}: cannot read: {source}")]
    Io {
        /// The file.
        file: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The compressed data is corrupt (not a crash's cut: data follows the damage).
    #[error("{file}: corrupt compressed data at decompressed offset {offset} (line {line}): {source}")]
    Corrupt {
        /// The file.
        file: PathBuf,
        /// The decompressed offset where decompression failed.
        offset: u64,
        /// The line being read.
        line: u64,
        /// The decompressor's complaint.
        source: io::Error,
    },
    /// A line is not a valid record.
    #[error("{file}: bad record at decompressed offset {offset} (line {line}): {source}")]
    Record {
        /// The file.
        file: PathBuf,
        /// The decompressed offset of the line's start.
        offset: u64,
        /// The line.
        line: u64,
        /// The parser's complaint, naming the column.
        source: serde_json::Error,
    },
    /// The file does not start with a header.
    #[error("{file}: the first line (decompressed offset 0) is not a header record")]
    MissingHeader {
        /// The file.
        file: PathBuf,
    },
    /// The file was written by a newer version of the record layout.
    #[error(
        "{file}: the header (decompressed offset 0) has record layout version {version}, newer than this build reads ({supported})"
    )]
    NewerVersion {
        /// The file.
        file: PathBuf,
        /// Its version.
        version: u32,
        /// The newest version this build reads.
        supported: u32,
    },
}

/// Where a file ended in the middle of a record (the writer stopped, e.g. a crash): the records
/// before it were read; the partial one was skipped.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Truncation {
    /// The file.
    pub file: PathBuf,
    /// The decompressed offset of the partial record's start.
    pub offset: u64,
    /// The partial record's line number.
    pub line: u64,
}

/// Streams the records of a recording directory, file by file in time order, line by line
/// (memory stays flat whatever the recording's length).
///
/// A file that ends inside a record (a crash while writing) is not an error: the reader stops
/// that file there, logs a warning, remembers it in [`RecordingReader::truncations`] and goes on
/// with the next file. Anything else wrong is an error naming the file and offset, after which
/// the reader yields nothing more.
#[derive(Debug)]
pub struct RecordingReader {
    files: std::vec::IntoIter<PathBuf>,
    current: Option<FileReader>,
    truncations: Vec<Truncation>,
    failed: bool,
}

impl RecordingReader {
    /// Opens the recording in `dir`: lists its `*.rec.zst` files in order (hour, then sequence).
    pub fn open(dir: impl AsRef<Path>) -> Result<Self, ReadError> {
        let dir = dir.as_ref();
        let dir_error = |source| ReadError::Dir {
            dir: dir.to_path_buf(),
            source,
        };
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(dir_error)? {
            let path = entry.map_err(dir_error)?.path();
            let is_recording = path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(EXTENSION));
            if !is_recording {
                continue;
            }
            let slot = FileSlot::parse(&path).ok_or_else(|| ReadError::FileName {
                file: path.clone(),
            })?;
            files.push((slot, path));
        }
        if files.is_empty() {
            return Err(ReadError::Empty {
                dir: dir.to_path_buf(),
            });
        }
        files.sort();
        Ok(Self {
            files: files
                .into_iter()
                .map(|(_, path)| path)
                .collect::<Vec<_>>()
                .into_iter(),
            current: None,
            truncations: Vec::new(),
            failed: false,
        })
    }

    /// The files that ended inside a record, so far.
    #[must_use]
    pub fn truncations(&self) -> &[Truncation] {
        &self.truncations
    }
}

impl Iterator for RecordingReader {
    type Item = Result<Record, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.failed {
            let file = match &mut self.current {
                Some(file) => file,
                None => {
                    let path = self.files.next()?;
                    match FileReader::open(path) {
                        Ok(file) => self.current.insert(file),
                        Err(e) => {
                            self.failed = true;
                            return Some(Err(e));
                        }
                    }
                }
            };
            match file.step() {
                Ok(Step::Record(record)) => return Some(Ok(record)),
                Ok(Step::End) => self.current = None,
                Ok(Step::Truncated(cut)) => {
                    tracing::warn!(
                        file = %cut.file.display(),
                        offset = cut.offset,
                        line = cut.line,
                        "recording file ends inside a record (the recorder stopped while \
                         writing); its records up to there are read"
                    );
                    self.truncations.push(cut);
                    self.current = None;
                }
                Err(e) => {
                    self.failed = true;
                    self.current = None;
                    return Some(Err(e));
                }
            }
        }
        None
    }
}

/// What reading one more line of a file gave.
enum Step {
    Record(Record),
    End,
    Truncated(Truncation),
}

/// A compressed file's reader that notes when the file has been read to its end, so a
/// decompression failure there (a cut) is told apart from one with data after it (corruption).
struct EofWatch {
    file: File,
    at_end: Arc<AtomicBool>,
}

impl Read for EofWatch {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.file.read(buf)?;
        if n == 0 && !buf.is_empty() {
            self.at_end.store(true, Ordering::Relaxed);
        }
        Ok(n)
    }
}

/// One file being read.
struct FileReader {
    path: PathBuf,
    lines: BufReader<zstd::stream::read::Decoder<'static, BufReader<EofWatch>>>,
    at_end: Arc<AtomicBool>,
    offset: u64,
    line: u64,
    buf: Vec<u8>,
}

impl std::fmt::Debug for FileReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileReader")
            .field("path", &self.path)
            .field("offset", &self.offset)
            .field("line", &self.line)
            .finish_non_exhaustive()
    }
}

/// Just enough of a header to check its version before reading anything else of the file.
#[derive(Deserialize)]
struct VersionProbe {
    #[serde(rename = "type")]
    kind: String,
    version: Option<u32>,
}

impl FileReader {
    fn open(path: PathBuf) -> Result<Self, ReadError> {
        let io_error = |source| ReadError::Io {
            file: path.clone(),
            source,
        };
        let file = File::open(&path).map_err(io_error)?;
        let at_end = Arc::new(AtomicBool::new(false));
        let watched = BufReader::new(EofWatch {
            file,
            at_end: Arc::clone(&at_end),
        });
        let decoder = zstd::stream::read::Decoder::with_buffer(watched).map_err(io_error)?;
        Ok(Self {
            path,
            lines: BufReader::new(decoder),
            at_end,
            offset: 0,
            line: 0,
            buf: Vec::with_capacity(4096),
        })
    }

    /// Reads the next line.
    fn step(&mut self) -> Result<Step, ReadError> {
        self.buf.clear();
        let read = self.lines.read_until(b'\n', &mut self.buf);
        let line = self.line + 1;
        match read {
            Ok(0) if self.line == 0 => Ok(Step::Truncated(self.cut(line))),
            Ok(0) => Ok(Step::End),
            Ok(_) if self.buf.last() != Some(&b'\n') => Ok(Step::Truncated(self.cut(line))),
            Ok(n) => {
                let record = self.parse(line)?;
                self.line = line;
                self.offset += n as u64;
                Ok(Step::Record(record))
            }
            Err(_) if self.at_end.load(Ordering::Relaxed) => Ok(Step::Truncated(self.cut(line))),
            Err(source) => Err(ReadError::Corrupt {
                file: self.path.clone(),
                offset: self.offset + self.buf.len() as u64,
                line,
                source,
            }),
        }
    }

    /// Parses the line in the buffer; the first must be a header of a version this build reads.
    fn parse(&self, line: u64) -> Result<Record, ReadError> {
        let bad = |source| ReadError::Record {
            file: self.path.clone(),
            offset: self.offset,
            line,
            source,
        };
        if line == 1 {
            let probe: VersionProbe = serde_json::from_slice(&self.buf).map_err(bad)?;
            if probe.kind != "header" {
                return Err(ReadError::MissingHeader {
                    file: self.path.clone(),
                });
            }
            if let Some(version) = probe.version.filter(|v| *v > RECORD_VERSION) {
                return Err(ReadError::NewerVersion {
                    file: self.path.clone(),
                    version,
                    supported: RECORD_VERSION,
                });
            }
        }
        serde_json::from_slice(&self.buf).map_err(bad)
    }

    fn cut(&self, line: u64) -> Truncation {
        Truncation {
            file: self.path.clone(),
            offset: self.offset,
            line,
        }
    }
}
