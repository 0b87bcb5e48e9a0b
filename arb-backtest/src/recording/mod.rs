//! Recordings on disk: hourly zstd files of JSON lines, one [`arb_core::record::Record`] a line.
//!
//! - [`RecordingWriter`] writes them (rotating hourly, flushing after every record so a crash
//!   loses at most the record being written, never overwriting a file).
//! - [`RecordingReader`] streams a directory's files back in order, tolerating a file cut inside
//!   a record (reported in [`RecordingReader::truncations`]) and naming file and offset of
//!   anything else wrong.
//! - [`RecordingTap`] is the [`arb_core::record::RawTap`] adapters record through, writing on a
//!   background thread; [`TappedExchange`] records the books of a venue without a wire format.

mod files;
mod reader;
mod tap;
mod tapped;
#[cfg(test)]
mod tests;
mod writer;

pub use files::{EXTENSION, FileSlot};
pub use reader::{ReadError, RecordingReader, Truncation};
pub use tap::{RecordingTap, TapStats};
pub use tapped::TappedExchange;
pub use writer::{RecordingWriter, WriteError};
