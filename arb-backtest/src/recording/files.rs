//! Recording file names: `YYYY-MM-DDTHH.rec.zst` for the first file of a UTC hour, then
//! `YYYY-MM-DDTHH.N.rec.zst` (N = 1, 2, …) for files started later in the same hour (a restart),
//! so no file is ever overwritten or appended to.

use std::path::Path;

use chrono::{DateTime, NaiveDateTime, Timelike, Utc};

/// The extension every recording file ends with.
pub const EXTENSION: &str = ".rec.zst";

/// Where a file sits in a recording: its UTC hour, then its sequence within the hour.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub struct FileSlot {
    /// The start of the UTC hour its records were received in.
    pub hour: DateTime<Utc>,
    /// 0 for the hour's first file, then 1, 2, … for files started later in the hour.
    pub sequence: u32,
}

impl FileSlot {
    /// The slot of the hour `at` falls in, with `sequence`.
    #[must_use]
    pub fn of(at: DateTime<Utc>, sequence: u32) -> Self {
        Self {
            hour: hour_of(at),
            sequence,
        }
    }

    /// The file name of this slot.
    #[must_use]
    pub fn file_name(&self) -> String {
        let hour = self.hour.format("%Y-%m-%dT%H");
        if self.sequence == 0 {
            format!("{hour}{EXTENSION}")
        } else {
            format!("{hour}.{}{EXTENSION}", self.sequence)
        }
    }

    /// Reads a file name written by [`FileSlot::file_name`]; `None` for any other name.
    #[must_use]
    pub fn parse(path: &Path) -> Option<Self> {
        let name = path.file_name()?.to_str()?.strip_suffix(EXTENSION)?;
        let (hour, sequence) = match name.split_once('.') {
            Some((hour, seq)) if !seq.is_empty() && seq.bytes().all(|b| b.is_ascii_digit()) => {
                (hour, seq.parse::<u32>().ok().filter(|n| *n > 0)?)
            }
            Some(_) => return None,
            None => (name, 0),
        };
        let naive = NaiveDateTime::parse_from_str(&format!("{hour}:00"), "%Y-%m-%dT%H:%M").ok()?;
        let slot = Self {
            hour: naive.and_utc(),
            sequence,
        };
        (slot.file_name() == path.file_name()?.to_str()?).then_some(slot)
    }
}

/// The start of the UTC hour `at` falls in.
#[must_use]
pub fn hour_of(at: DateTime<Utc>) -> DateTime<Utc> {
    at.with_nanosecond(0)
        .and_then(|t| t.with_second(0))
        .and_then(|t| t.with_minute(0))
        .unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use chrono::TimeZone;

    use super::*;

    #[test]
    fn names_round_trip_and_sort_by_hour_then_sequence() {
        let at = Utc.with_ymd_and_hms(2026, 3, 9, 7, 41, 5).single().unwrap();
        let first = FileSlot::of(at, 0);
        let restart = FileSlot::of(at, 2);
        assert_eq!(first.file_name(), "2026-03-09T07.rec.zst");
        assert_eq!(restart.file_name(), "2026-03-09T07.2.rec.zst");
        for slot in [first, restart] {
            assert_eq!(FileSlot::parse(&PathBuf::from(slot.file_name())), Some(slot));
        }
        let next_hour = FileSlot::of(at + chrono::Duration::hours(1), 0);
        assert!(first < restart && restart < next_hour);
    }

    #[test]
    fn other_names_are_not_recording_files() {
        for name in [
            "notes.txt",
            "2026-03-09T07.rec",
            "2026-03-09T07.0.rec.zst",
            "2026-03-09T07.x.rec.zst",
            "2026-03-09T7.rec.zst",
            "2026-13-09T07.rec.zst",
        ] {
            assert_eq!(FileSlot::parse(&PathBuf::from(name)), None, "{name}");
        }
    }
}
