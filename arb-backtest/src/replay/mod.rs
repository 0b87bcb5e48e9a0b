//! Replaying a recording as venues: the [`Tape`] (records in order, decoded by the venues' own
//! parsers), [`ReplayVenue`] (one venue's recorded market data at the current virtual time),
//! [`Delayed`] (network latency to a simulated venue) and [`VirtualClock`] (recorded time).

mod clock;
mod latency;
mod tape;
mod venue;

pub use clock::VirtualClock;
pub use latency::{Delayed, Latency};
pub use tape::{
    DecoderFactories, Definition, RecordSource, ReplayError, SourceError, Tape, record_source,
};
pub use venue::ReplayVenue;
