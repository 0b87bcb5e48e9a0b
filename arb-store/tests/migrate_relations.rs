//! Migration 0002 on a SQLite store made before suggestions carried relations: the old
//! suggestions keep their polarity's relation and no settlement warnings, and new ones store both.

use std::str::FromStr;

use arb_core::model::{Relation, SuggestionStatus};
use arb_core::store::Store;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

#[tokio::test]
async fn suggestions_stored_before_relations_keep_their_polaritys_relation() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let first = dir.path().join("migrations");
    std::fs::create_dir(&first).expect("migrations directory");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/migrations/sqlite/0001_initial.sql"
        ),
        first.join("0001_initial.sql"),
    )
    .expect("copy the first migration");
    let url = format!("sqlite://{}", dir.path().join("arb.db").display());
    let options = SqliteConnectOptions::from_str(&url)
        .expect("url")
        .create_if_missing(true);
    let pool = SqlitePoolOptions::new()
        .connect_with(options)
        .await
        .expect("open");
    Migrator::new(first.as_path())
        .await
        .expect("read the first migration")
        .run(&pool)
        .await
        .expect("the schema before relations");
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
