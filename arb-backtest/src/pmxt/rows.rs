//! Reading pmxt's Parquet files row by row into [`PmxtRow`]s, columns found by name.

use std::fs::File;
use std::path::{Path, PathBuf};

use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::{Field, Row};
use rust_decimal::Decimal;

use super::PmxtError;

/// The columns of pmxt's v2 layout this import reads (the others, such as `fee_rate_bps` and
/// `transaction_hash`, are not needed for books).
const REQUIRED: [&str; 13] = [
    "timestamp_received",
    "timestamp",
    "market",
    "event_type",
    "asset_id",
    "bids",
    "asks",
    "price",
    "size",
    "side",
    "best_bid",
    "best_ask",
    "new_tick_size",
];

/// Columns of the older v1 layout, recognised only to refuse it clearly.
const V1_MARKER: [&str; 3] = ["market_id", "update_type", "data"];

/// One row of a v2 file: an event of Polymarket's market channel as pmxt received it.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct PmxtRow {
    /// When pmxt received it, milliseconds since the epoch.
    pub received_ms: i64,
    /// Polymarket's own time for it, milliseconds, when present.
    pub venue_ms: Option<i64>,
    /// The condition id, `0x` + 64 hex digits.
    pub market: String,
    /// `book`, `price_change`, `last_trade_price` or `tick_size_change`.
    pub event_type: String,
    /// The token id (decimal digits).
    pub asset_id: String,
    /// `book`: bids as pmxt stores them (`[["price","size"],…]`).
    pub bids: Option<String>,
    /// `book`: asks, as `bids`.
    pub asks: Option<String>,
    /// `price_change`: the level's price.
    pub price: Option<Decimal>,
    /// `price_change`: the level's new total size.
    pub size: Option<Decimal>,
    /// `price_change`: `BUY` or `SELL`.
    pub side: Option<String>,
    /// `price_change`: best bid after the change.
    pub best_bid: Option<Decimal>,
    /// `price_change`: best ask after the change.
    pub best_ask: Option<Decimal>,
    /// `tick_size_change`: the new tick.
    pub new_tick_size: Option<Decimal>,
}

/// The rows of one file, in file order, streamed (a row group's pages at a time).
pub struct FileRows {
    path: PathBuf,
    rows: parquet::record::reader::RowIter<'static>,
    index: u64,
    /// A read failed: the reader's state is not trusted any further.
    failed: bool,
}

/// Runs a call into the parquet crate, which on some corrupt pages asserts instead of returning
/// an error: such a panic becomes the error text (the file is then read no further).
fn guarded<T>(call: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(call)).map_err(|panic| {
        let text = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        format!("corrupt data (the Parquet reader failed: {text})")
    })
}

impl FileRows {
    /// Opens `path` and checks it has the v2 layout's columns.
    pub fn open(path: &Path) -> Result<Self, PmxtError> {
        let file = File::open(path).map_err(|source| PmxtError::Open {
            file: path.to_owned(),
            source,
        })?;
        let parquet = |reason: String| PmxtError::Parquet {
            file: path.to_owned(),
            reason,
        };
        let reader = guarded(|| SerializedFileReader::new(file))
            .map_err(parquet)?
            .map_err(|e| parquet(e.to_string()))?;
        check_schema(path, &reader)?;
        Ok(Self {
            path: path.to_owned(),
            rows: reader.into_iter(),
            index: 0,
            failed: false,
        })
    }
}

fn check_schema(path: &Path, reader: &SerializedFileReader<File>) -> Result<(), PmxtError> {
    let schema = reader.metadata().file_metadata().schema_descr();
    let names: Vec<&str> = schema.columns().iter().map(|c| c.name()).collect();
    if V1_MARKER.iter().all(|n| names.contains(n)) && !names.contains(&"event_type") {
        return Err(PmxtError::Schema {
            file: path.to_owned(),
            problem: "this is pmxt's older v1 layout (`market_id`, `update_type`, `data`), \
                      which is not supported: use the v2 files"
                .into(),
        });
    }
    match REQUIRED.iter().find(|n| !names.contains(n)) {
        Some(missing) => Err(PmxtError::Schema {
            file: path.to_owned(),
            problem: format!("column `{missing}` is missing"),
        }),
        None => Ok(()),
    }
}

impl Iterator for FileRows {
    type Item = Result<(u64, PmxtRow), PmxtError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let index = self.index;
        self.index += 1;
        let row = match guarded(|| self.rows.next()) {
            Ok(row) => row?,
            Err(reason) => Err(parquet::errors::ParquetError::General(reason)),
        };
        self.failed = row.is_err();
        Some(
            row.map_err(|e| PmxtError::Parquet {
                file: self.path.clone(),
                reason: format!("row {index}: {e}"),
            })
            .and_then(|row| {
                convert(&row).map_err(|(column, reason)| PmxtError::Row {
                    file: self.path.clone(),
                    row: index,
                    column,
                    reason,
                })
            })
            .map(|r| (index, r)),
        )
    }
}

/// A bad cell: (column, what was wrong).
type CellError = (String, String);

fn convert(row: &Row) -> Result<PmxtRow, CellError> {
    let mut out = PmxtRow::default();
    let mut received = None;
    for (name, field) in row.get_column_iter() {
        let bad = |reason: String| (name.clone(), reason);
        match name.as_str() {
            "timestamp_received" => received = millis(field).map_err(bad)?,
            "timestamp" => out.venue_ms = millis(field).map_err(bad)?,
            "market" => out.market = text(field).map_err(bad)?.unwrap_or_default(),
            "event_type" => out.event_type = text(field).map_err(bad)?.unwrap_or_default(),
            "asset_id" => out.asset_id = text(field).map_err(bad)?.unwrap_or_default(),
            "bids" => out.bids = text(field).map_err(bad)?,
            "asks" => out.asks = text(field).map_err(bad)?,
            "price" => out.price = decimal(field).map_err(bad)?,
            "size" => out.size = decimal(field).map_err(bad)?,
            "side" => out.side = text(field).map_err(bad)?,
            "best_bid" => out.best_bid = decimal(field).map_err(bad)?,
            "best_ask" => out.best_ask = decimal(field).map_err(bad)?,
            "new_tick_size" => out.new_tick_size = decimal(field).map_err(bad)?,
            _ => {}
        }
    }
    out.received_ms = received.ok_or_else(|| ("timestamp_received".into(), "is null".into()))?;
    Ok(out)
}

fn millis(field: &Field) -> Result<Option<i64>, String> {
    match field {
        Field::Null => Ok(None),
        Field::TimestampMillis(ms) | Field::Long(ms) => Ok(Some(*ms)),
        Field::TimestampMicros(us) => Ok(Some(us.div_euclid(1000))),
        other => Err(format!("expected a millisecond timestamp, found {other}")),
    }
}

fn text(field: &Field) -> Result<Option<String>, String> {
    match field {
        Field::Null => Ok(None),
        Field::Str(s) => Ok(Some(s.clone())),
        Field::Bytes(b) => std::str::from_utf8(b.data())
            .map(|s| Some(s.to_owned()))
            .map_err(|e| format!("not UTF-8: {e}")),
        other => Err(format!("expected text, found {other}")),
    }
}

/// A Parquet DECIMAL (big-endian two's complement unscaled value) as an exact decimal.
fn decimal(field: &Field) -> Result<Option<Decimal>, String> {
    let d = match field {
        Field::Null => return Ok(None),
        Field::Decimal(d) => d,
        other => return Err(format!("expected a decimal, found {other}")),
    };
    let bytes = d.data();
    if bytes.is_empty() || bytes.len() > 16 {
        return Err(format!("{} bytes is not a decimal value", bytes.len()));
    }
    let fill = if bytes[0] & 0x80 == 0 { 0u8 } else { 0xFF };
    let mut wide = [fill; 16];
    wide[16 - bytes.len()..].copy_from_slice(bytes);
    let unscaled = i128::from_be_bytes(wide);
    let scale = u32::try_from(d.scale()).map_err(|_| format!("negative scale {}", d.scale()))?;
    Decimal::try_from_i128_with_scale(unscaled, scale)
        .map(Some)
        .map_err(|e| format!("decimal out of range: {e}"))
}
