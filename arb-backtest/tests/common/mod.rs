//! A pmxt v2 file written with the parquet crate in the exact physical layout of pmxt's
//! published schema, and Polymarket markets to import it for.
#![allow(dead_code, clippy::unwrap_used)]

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arb_core::model::{Market, MarketKey};
use arb_polymarket::{OutcomeMapping, PolymarketMarketExt};
use chrono::DateTime;
use parquet::basic::{Compression, ZstdLevel};
use parquet::data_type::{
    ByteArray, ByteArrayType, FixedLenByteArray, FixedLenByteArrayType, Int32Type, Int64Type,
};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;

/// pmxt's v2 schema (16 columns). Decimals as Parquet DECIMAL with pmxt's precisions and
/// scales, stored as INT32 / INT64 (pyarrow's FIXED_LEN_BYTE_ARRAY form is checked separately).
pub const SCHEMA: &str = "
message schema {
  OPTIONAL INT64 timestamp_received (TIMESTAMP(MILLIS,true));
  OPTIONAL INT64 timestamp (TIMESTAMP(MILLIS,true));
  OPTIONAL FIXED_LEN_BYTE_ARRAY (66) market;
  OPTIONAL BYTE_ARRAY event_type (STRING);
  OPTIONAL BYTE_ARRAY asset_id (STRING);
  OPTIONAL BYTE_ARRAY bids (STRING);
  OPTIONAL BYTE_ARRAY asks (STRING);
  OPTIONAL INT32 price (DECIMAL(9,4));
  OPTIONAL INT64 size (DECIMAL(18,6));
  OPTIONAL BYTE_ARRAY side (STRING);
  OPTIONAL INT32 best_bid (DECIMAL(9,4));
  OPTIONAL INT32 best_ask (DECIMAL(9,4));
  OPTIONAL INT32 fee_rate_bps (INTEGER(16,false));
  OPTIONAL BYTE_ARRAY transaction_hash (STRING);
  OPTIONAL INT32 old_tick_size (DECIMAL(9,4));
  OPTIONAL INT32 new_tick_size (DECIMAL(9,4));
}";

/// One row; decimals as their unscaled integers (price × 10⁴, size × 10⁶).
#[derive(Clone, Debug, Default)]
pub struct Row {
    pub received: i64,
    pub timestamp: Option<i64>,
    pub market: String,
    pub event_type: &'static str,
    pub asset_id: String,
    pub bids: Option<String>,
    pub asks: Option<String>,
    pub price: Option<i32>,
    pub size: Option<i64>,
    pub side: Option<&'static str>,
    pub best_bid: Option<i32>,
    pub best_ask: Option<i32>,
    pub fee_rate_bps: Option<i32>,
    pub transaction_hash: Option<&'static str>,
    pub old_tick_size: Option<i32>,
    pub new_tick_size: Option<i32>,
}

impl Row {
    pub fn book(received: i64, market: &str, asset: &str, bids: &str, asks: &str) -> Self {
        Self {
            received,
            timestamp: Some(received - 5),
            market: market.into(),
            event_type: "book",
            asset_id: asset.into(),
            bids: Some(bids.into()),
            asks: Some(asks.into()),
            ..Self::default()
        }
    }

    pub fn change(
        received: i64,
        market: &str,
        asset: &str,
        side: &'static str,
        price: i32,
        size: i64,
    ) -> Self {
        Self {
            received,
            timestamp: Some(received - 5),
            market: market.into(),
            event_type: "price_change",
            asset_id: asset.into(),
            price: Some(price),
            size: Some(size),
            side: Some(side),
            best_bid: Some(4_800),
            best_ask: Some(5_200),
            ..Self::default()
        }
    }

    pub fn trade(received: i64, market: &str, asset: &str) -> Self {
        Self {
            received,
            timestamp: Some(received - 5),
            market: market.into(),
            event_type: "last_trade_price",
            asset_id: asset.into(),
            price: Some(5_000),
            size: Some(10_000_000),
            side: Some("BUY"),
            fee_rate_bps: Some(0),
            transaction_hash: Some("0xabc"),
            ..Self::default()
        }
    }

    pub fn tick(received: i64, market: &str, asset: &str, old: i32, new: i32) -> Self {
        Self {
            received,
            timestamp: Some(received - 5),
            market: market.into(),
            event_type: "tick_size_change",
            asset_id: asset.into(),
            old_tick_size: Some(old),
            new_tick_size: Some(new),
            ..Self::default()
        }
    }
}

fn defs<T>(v: &[Option<T>]) -> Vec<i16> {
    v.iter().map(|x| i16::from(x.is_some())).collect()
}

fn present<T: Clone>(v: &[Option<T>]) -> Vec<T> {
    v.iter().flatten().cloned().collect()
}

fn strings(rows: &[Row], f: impl Fn(&Row) -> Option<String>) -> Vec<Option<ByteArray>> {
    rows.iter()
        .map(|r| f(r).map(|s| ByteArray::from(s.into_bytes())))
        .collect()
}

/// Writes `rows` (ZSTD level 9 pages, as pmxt's files), `rows_per_group` rows per row group.
pub fn write(path: &Path, rows: &[Row], rows_per_group: usize) {
    let schema = Arc::new(parse_message_type(SCHEMA).unwrap());
    let props = Arc::new(
        WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::try_new(9).unwrap()))
            .build(),
    );
    let mut writer = SerializedFileWriter::new(File::create(path).unwrap(), schema, props).unwrap();
    for group in rows.chunks(rows_per_group) {
        let mut rg = writer.next_row_group().unwrap();
        let mut index = 0;
        while let Some(mut col) = rg.next_column().unwrap() {
            write_column(&mut col, index, group);
            col.close().unwrap();
            index += 1;
        }
        rg.close().unwrap();
    }
    writer.close().unwrap();
}

fn write_column(
    col: &mut parquet::file::writer::SerializedColumnWriter<'_>,
    index: usize,
    rows: &[Row],
) {
    let int64 = |col: &mut parquet::file::writer::SerializedColumnWriter<'_>,
                 v: Vec<Option<i64>>| {
        col.typed::<Int64Type>()
            .write_batch(&present(&v), Some(&defs(&v)), None)
            .unwrap();
    };
    let int32 = |col: &mut parquet::file::writer::SerializedColumnWriter<'_>,
                 v: Vec<Option<i32>>| {
        col.typed::<Int32Type>()
            .write_batch(&present(&v), Some(&defs(&v)), None)
            .unwrap();
    };
    let text = |col: &mut parquet::file::writer::SerializedColumnWriter<'_>,
                v: Vec<Option<ByteArray>>| {
        col.typed::<ByteArrayType>()
            .write_batch(&present(&v), Some(&defs(&v)), None)
            .unwrap();
    };
    match index {
        0 => int64(col, rows.iter().map(|r| Some(r.received)).collect()),
        1 => int64(col, rows.iter().map(|r| r.timestamp).collect()),
        2 => {
            let v: Vec<Option<FixedLenByteArray>> = rows
                .iter()
                .map(|r| Some(FixedLenByteArray::from(r.market.clone().into_bytes())))
                .collect();
            col.typed::<FixedLenByteArrayType>()
                .write_batch(&present(&v), Some(&defs(&v)), None)
                .unwrap();
        }
        3 => text(col, strings(rows, |r| Some(r.event_type.to_owned()))),
        4 => text(col, strings(rows, |r| Some(r.asset_id.clone()))),
        5 => text(col, strings(rows, |r| r.bids.clone())),
        6 => text(col, strings(rows, |r| r.asks.clone())),
        7 => int32(col, rows.iter().map(|r| r.price).collect()),
        8 => int64(col, rows.iter().map(|r| r.size).collect()),
        9 => text(col, strings(rows, |r| r.side.map(str::to_owned))),
        10 => int32(col, rows.iter().map(|r| r.best_bid).collect()),
        11 => int32(col, rows.iter().map(|r| r.best_ask).collect()),
        12 => int32(col, rows.iter().map(|r| r.fee_rate_bps).collect()),
        13 => text(
            col,
            strings(rows, |r| r.transaction_hash.map(str::to_owned)),
        ),
        14 => int32(col, rows.iter().map(|r| r.old_tick_size).collect()),
        15 => int32(col, rows.iter().map(|r| r.new_tick_size).collect()),
        other => panic!("no column {other}"),
    }
}

/// A condition id as pmxt stores it: `0x` + 64 hex digits (66 ASCII bytes).
pub fn cid(n: u8) -> String {
    format!("0x{}", format!("{n:02x}").repeat(32))
}

/// A Polymarket market for condition id `cid(n)` with YES token `yes(n)`, NO token `no(n)`.
pub fn market(n: u8) -> Market {
    let key = MarketKey::new(arb_polymarket::VENUE, cid(n));
    let mut m = Market::builder(key, format!("Market {n}"), DateTime::UNIX_EPOCH)
        .build()
        .unwrap();
    m.ext
        .insert(&PolymarketMarketExt {
            condition_id: cid(n),
            yes_token_id: yes(n),
            no_token_id: no(n),
            yes_label: "Yes".into(),
            no_label: "No".into(),
            mapping: OutcomeMapping::YesNoLabels,
            neg_risk: false,
            gamma_id: None,
            slug: None,
        })
        .unwrap();
    m
}

pub fn yes(n: u8) -> String {
    format!("{}1", u32::from(n) * 1000)
}

pub fn no(n: u8) -> String {
    format!("{}2", u32::from(n) * 1000)
}

/// Writes an empty file with another schema (to check it is refused by name).
pub fn write_schema(path: &Path, schema: &str) {
    let schema = Arc::new(parse_message_type(schema).unwrap());
    let writer = SerializedFileWriter::new(
        File::create(path).unwrap(),
        schema,
        Arc::new(WriterProperties::builder().build()),
    )
    .unwrap();
    writer.close().unwrap();
}
