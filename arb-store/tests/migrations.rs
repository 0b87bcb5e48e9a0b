//! Migrations on SQLite stores made by earlier versions: what was stored before a migration
//! reads back as it meant.
//!
//! - 0002: suggestions stored before they carried relations keep their polarity's relation and
//!   no settlement warnings, and new ones store both.
//! - 0005: fee schedules stored while they named their venue read back as the venue-neutral rules
//!   their venue's schedule charged by, so every market prices exactly as before.

use std::str::FromStr;

use arb_core::Decimal;
use arb_core::fees::{FeeRule, FeeSchedule};
use arb_core::model::{MarketExt, MarketKey, PriceGrid, Relation, SuggestionStatus};
use arb_core::store::Store;
use chrono::{DateTime, Utc};
use rust_decimal_macros::dec;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

/// Opens a SQLite database in `dir` migrated only by the embedded migrations named, and returns
/// it with its URL (for `arb_store::connect` to migrate the rest of the way).
async fn store_migrated_by(dir: &std::path::Path, names: &[&str]) -> (sqlx::SqlitePool, String) {
    let first = dir.join("migrations");
    std::fs::create_dir(&first).expect("migrations directory");
    for name in names {
        let from = format!("{}/migrations/sqlite/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::copy(from, first.join(name)).expect("copy a migration");
    }
    let url = format!("sqlite://{}", dir.join("arb.db").display());
    let options = SqliteConnectOptions::from_str(&url)
        .expect("url")
        .create_if_missing(true);
    let pool = SqlitePoolOptions::new()
        .connect_with(options)
        .await
        .expect("open");
    Migrator::new(first.as_path())
        .await
        .expect("read the migrations")
        .run(&pool)
        .await
        .expect("the earlier schema");
    (pool, url)
}

#[tokio::test]
async fn suggestions_stored_before_relations_keep_their_polaritys_relation() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (pool, url) = store_migrated_by(dir.path(), &["0001_initial.sql"]).await;
    for (market, polarity) in [("OLD-INV", "inverse"), ("OLD-SAME", "same")] {
        sqlx::query(
            "INSERT INTO match_suggestions (a_venue, a_market, b_venue, b_market, score, parts, \
             polarity, diffs, warnings, status, created_at) \
             VALUES ('kalshi', $1, 'polymarket', $1, 90.0, '[]', $2, '[]', '[]', 'open', $3)",
        )
        .bind(market)
        .bind(polarity)
        .bind(chrono::DateTime::from_timestamp(1_800_000_000, 0).expect("time"))
        .execute(&pool)
        .await
        .expect("an old suggestion");
    }
    pool.close().await;

    let store = arb_store::connect(&url).await.expect("migrated to 0002");
    let old = store
        .suggestions(Some(SuggestionStatus::Open), 10)
        .await
        .expect("read");
    let relation = |m: &str| {
        old.iter()
            .find(|s| s.a.market.as_str() == m)
            .map(|s| (s.relation, s.settlement.len()))
    };
    assert_eq!(relation("OLD-INV"), Some((Relation::Inverse, 0)));
    assert_eq!(relation("OLD-SAME"), Some((Relation::Equivalent, 0)));
}

fn rule(coefficient: Decimal, exponent: Decimal, fill: Decimal, cash: Option<Decimal>) -> FeeRule {
    FeeRule {
        coefficient,
        exponent,
        fill_quantum: fill,
        cash_quantum: cash,
    }
}

#[tokio::test]
async fn fee_schedules_stored_with_their_venue_read_back_as_the_same_rules() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let before_fee_rules = [
        "0001_initial.sql",
        "0002_suggestion_relation.sql",
        "0003_verifier_verdicts.sql",
        "0004_leases.sql",
    ];
    let (pool, url) = store_migrated_by(dir.path(), &before_fee_rules).await;
    let stored = [
        (
            "K-1",
            r#"{"kind":"kalshi","taker_rate":"0.0700000001","maker_rate":"0.0175","waived_until":"2026-06-01T00:00:00Z"}"#,
        ),
        (
            "K-2",
            r#"{"kind":"kalshi","taker_rate":"0.035","maker_rate":"0","waived_until":null}"#,
        ),
        (
            "P-1",
            r#"{"kind":"polymarket","rate":"0.0312345","exponent":"1.5","taker_only":true}"#,
        ),
        (
            "P-2",
            r#"{"kind":"polymarket","rate":"0.03","exponent":"1","taker_only":false}"#,
        ),
        ("F-1", r#"{"kind":"free"}"#),
    ];
    let grid = serde_json::to_string(&PriceGrid::uniform(dec!(0.01)).expect("grid")).expect("json");
    let ext = serde_json::to_string(&MarketExt::default()).expect("json");
    for (market, fees) in stored {
        sqlx::query(
            "INSERT INTO events (venue, market_id, title, subtitle, rules, resolution_source, \
             close_time, status, status_result, price_grid, size_step, min_order_qty, fees, ext) \
             VALUES ('old', $1, 'Old market', '', '', NULL, $2, 'open', NULL, $3, '0.01', '1', \
             $4, $5)",
        )
        .bind(market)
        .bind(DateTime::<Utc>::from_timestamp(1_900_000_000, 0).expect("time"))
        .bind(&grid)
        .bind(fees)
        .bind(&ext)
        .execute(&pool)
        .await
        .expect("a market stored with its venue's schedule");
    }
    pool.close().await;

    let store = arb_store::connect(&url).await.expect("migrated to 0005");
    let fees = |market: &'static str| {
        let store = &store;
        async move {
            store
                .market(&MarketKey::new("old", market))
                .await
                .expect("read")
                .expect("stored")
                .fees
        }
    };
    let cent = |c: Decimal| rule(c, Decimal::ONE, dec!(0.0001), Some(dec!(0.01)));
    assert_eq!(
        fees("K-1").await,
        FeeSchedule {
            taker: cent(dec!(0.0700000001)),
            maker: cent(dec!(0.0175)),
            waived_until: DateTime::from_timestamp(1_780_272_000, 0),
        }
    );
    assert_eq!(
        fees("K-2").await,
        FeeSchedule {
            taker: cent(dec!(0.035)),
            maker: cent(Decimal::ZERO),
            waived_until: None,
        }
    );
    let fifth = |c: Decimal, e: Decimal| rule(c, e, dec!(0.00001), None);
    assert_eq!(
        fees("P-1").await,
        FeeSchedule {
            taker: fifth(dec!(0.0312345), dec!(1.5)),
            maker: fifth(Decimal::ZERO, dec!(1.5)),
            waived_until: None,
        }
    );
    assert_eq!(
        fees("P-2").await,
        FeeSchedule {
            taker: fifth(dec!(0.03), Decimal::ONE),
            maker: fifth(dec!(0.03), Decimal::ONE),
            waived_until: None,
        }
    );
    assert_eq!(fees("F-1").await, FeeSchedule::FREE);
}
