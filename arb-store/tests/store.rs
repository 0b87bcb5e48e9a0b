//! Tests of arb-store: the `Store` conformance suite on `MemoryStore`, SQLite and PostgreSQL, then
//! what only a database has (reopening, migrations, schema versions, URLs, secrets).
//!
//! PostgreSQL runs use `DATABASE_URL` (e.g. `postgres://postgres@127.0.0.1:5432/test`), one fresh
//! schema per test; without it they are reported as ignored (`SKIPPED: …`, decided by `build.rs`),
//! or fail if `ARB_REQUIRE_POSTGRES=1`.

mod support;

use support::backends::{Kind, TestDb, postgres_url, run};
use support::suite;

/// One test per (backend, case): `memory::markets_round_trip`, `sqlite::…`, `postgres::…`.
macro_rules! conformance {
    (backends: [$($(#[$attr:meta])* $backend:ident => $kind:expr),* $(,)?], cases: $cases:tt) => {
        $( conformance!(@backend [$(#[$attr])*] $backend, $kind, $cases); )*
    };
    (@backend $attrs:tt $backend:ident, $kind:expr, [$($case:ident),* $(,)?]) => {
        mod $backend {
            use super::*;
            $( conformance!(@case $attrs $case, $kind); )*
        }
    };
    (@case [$(#[$attr:meta])*] $case:ident, $kind:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        $(#[$attr])*
        async fn $case() {
            run($kind, suite::$case).await;
        }
    };
}

conformance! {
    backends: [
        memory => Kind::Memory,
        sqlite => Kind::Sqlite,
        #[cfg_attr(postgres_unavailable, ignore = "SKIPPED: DATABASE_URL is not set (ARB_REQUIRE_POSTGRES=1 makes this a failure)")]
        postgres => Kind::Postgres,
    ],
    cases: [
        markets_round_trip,
        suggestions_replace_open_ones_and_sort_by_score,
        pairs_are_approved_paused_and_audited_atomically,
        opportunities_are_throttled_but_executions_always_kept,
        executions_and_orders_round_trip,
        client_order_ids_are_unique,
        failed_execution_update_leaves_no_partial_state,
        concurrent_writers_lose_nothing,
        fills_are_deduplicated,
        positions_prices_and_pnl_round_trip,
        pairs_are_reapproved_with_new_rules_hashes,
        settings_are_set_replaced_and_cleared,
        verdicts_are_cached_replaced_and_keyed_by_all_three_hashes,
        leases_are_exclusive_renewed_and_released,
        expired_leases_are_taken_over,
        stale_fences_are_refused,
        racing_processes_get_one_lease,
        exposure_reservations_share_one_limit,
        concurrent_reservations_never_exceed_the_limit,
    ]
}

/// Tests of what only the SQL backends have, each run on SQLite and PostgreSQL.
mod sql {
    use arb_core::model::{ClientOrderId, ExecutionId, ExecutionState, PairId};
    use arb_core::store::{Store, StoreError};
    use arb_store::BackendKind;

    use super::support::fixtures::*;
    use super::*;

    /// Writes one of (nearly) everything.
    async fn fill_with_data(store: &dyn Store) {
        store
            .upsert_markets(&[kalshi_market("FED-MAR"), poly_market("fed-march")])
            .await
            .expect("markets");
        store
            .insert_pair(&new_pair("FED-MAR", "fed-march", None))
            .await
            .expect("pair");
        let fence = fence(store, PairId(1)).await;
        store
            .save_execution(
                fence,
                &execution("x-1", PairId(1), ExecutionState::SecondLegSent),
                &[partially_filled(&order("c-1", Some("x-1")))],
            )
            .await
            .expect("execution");
        store
            .insert_fills(&[fill("f-1", kalshi("FED-MAR"), 1)])
            .await
            .expect("fills");
        store
            .upsert_daily_pnl(&pnl(1, rust_decimal_macros::dec!(12345678.000001)))
            .await
            .expect("pnl");
    }

    async fn assert_data_kept(store: &dyn Store) {
        assert_eq!(
            store.markets(None).await.expect("markets"),
            vec![kalshi_market("FED-MAR"), poly_market("fed-march")]
        );
        assert_eq!(store.pairs(None).await.expect("pairs").len(), 1);
        assert_eq!(
            store.open_executions().await.expect("executions"),
            vec![execution("x-1", PairId(1), ExecutionState::SecondLegSent)]
        );
        assert_eq!(
            store
                .order(&ClientOrderId::new("c-1"))
                .await
                .expect("order"),
            Some(partially_filled(&order("c-1", Some("x-1"))))
        );
        assert_eq!(
            store.fills(None).await.expect("fills"),
            vec![fill("f-1", kalshi("FED-MAR"), 1)]
        );
        assert_eq!(
            store.daily_pnl(day(1), day(1)).await.expect("pnl")[0]
                .realized
                .to_string(),
            "12345678.000001"
        );
    }

    #[tokio::test]
    async fn sqlite_reopened_after_drop_keeps_everything() {
        let db = TestDb::sqlite();
        let store = db.connect().await;
        assert_eq!(store.kind(), BackendKind::Sqlite);
        fill_with_data(&store).await;
        drop(store);
        let reopened = db.connect().await;
        assert_data_kept(&reopened).await;
        // The execution keeps moving after the restart.
        let mut done = execution("x-1", PairId(1), ExecutionState::Hedged);
        done.updated_at = at(99);
        let fence = fence(&reopened, PairId(1)).await;
        reopened
            .save_execution(fence, &done, &[])
            .await
            .expect("update");
        assert!(reopened.open_executions().await.expect("open").is_empty());
        assert_eq!(
            reopened
                .execution(&ExecutionId::new("x-1"))
                .await
                .expect("read"),
            Some(done)
        );
    }

    /// The versions of the embedded migrations, oldest first (the same for both backends).
    fn embedded_migrations() -> Vec<i64> {
        let versions = |backend: &str| {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("migrations")
                .join(backend);
            let mut versions: Vec<i64> = std::fs::read_dir(&dir)
                .expect("migrations folder")
                .map(|entry| {
                    let name = entry.expect("entry").file_name();
                    let name = name.to_string_lossy();
                    let (version, _) = name.split_once('_').expect("NNNN_name.sql");
                    version.parse().expect("numeric version")
                })
                .collect();
            versions.sort_unstable();
            versions
        };
        let sqlite = versions("sqlite");
        assert_eq!(sqlite, versions("postgres"), "both backends migrate alike");
        sqlite
    }

    async fn migrations_applied_twice_are_a_no_op(kind: Kind) {
        let Some(db) = TestDb::new(kind).await else {
            return;
        };
        let store = db.connect().await;
        fill_with_data(&store).await;
        store.migrate().await.expect("migrate again");
        store.close().await;
        let again = db.connect().await;
        again.migrate().await.expect("and again");
        assert_data_kept(&again).await;
        assert_eq!(
            db.count("SELECT COUNT(*) FROM _sqlx_migrations").await,
            i64::try_from(embedded_migrations().len()).expect("a few migrations"),
            "each migration applied once"
        );
        again.close().await;
        db.cleanup().await;
    }

    async fn newer_schema_is_refused(kind: Kind) {
        let Some(db) = TestDb::new(kind).await else {
            return;
        };
        db.connect().await.close().await;
        db.execute(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             SELECT 20990101000000, 'from a newer program', TRUE, checksum, 0 \
             FROM _sqlx_migrations WHERE version = 1",
        )
        .await;
        let err = arb_store::connect(&db.url).await.expect_err("newer schema");
        assert!(
            matches!(
                err,
                StoreError::SchemaTooNew {
                    database: 20_990_101_000_000,
                    supported,
                } if Some(&supported) == embedded_migrations().last()
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("upgrade the program"), "{err}");
        db.cleanup().await;
    }

    /// Two processes on one SQLite file: the second is refused any lease, told who trades there
    /// (host, pid, since); once the first stops (releases or lapses), the second may trade.
    #[tokio::test]
    async fn sqlite_allows_one_trading_process_per_file() {
        use arb_core::store::LeaseScope;
        let db = TestDb::sqlite();
        let (first, second) = (db.connect().await, db.connect().await);
        let ttl = std::time::Duration::from_secs(60);
        let member = LeaseScope::Member {
            group: "default".to_owned(),
            owner: test_owner("first").id,
        };
        let held = first
            .acquire_lease(&member, &test_owner("first"), ttl)
            .await
            .expect("first trader");
        let err = second
            .acquire_lease(&LeaseScope::Pair(PairId(1)), &test_owner("second"), ttl)
            .await
            .expect_err("a second trader on the same file");
        let text = err.to_string();
        assert!(matches!(err, StoreError::TraderRunning(_)), "{err:?}");
        assert!(text.contains("already has a trading process"), "{text}");
        assert_names_holder(&text, &held);
        first.release_lease(&held).await.expect("release");
        second
            .acquire_lease(&LeaseScope::Pair(PairId(1)), &test_owner("second"), ttl)
            .await
            .expect("the first trader stopped");
    }

    #[tokio::test]
    async fn sqlite_migrations_applied_twice_are_a_no_op() {
        migrations_applied_twice_are_a_no_op(Kind::Sqlite).await;
    }

    #[tokio::test]
    #[cfg_attr(
        postgres_unavailable,
        ignore = "SKIPPED: DATABASE_URL is not set (ARB_REQUIRE_POSTGRES=1 makes this a failure)"
    )]
    async fn postgres_migrations_applied_twice_are_a_no_op() {
        migrations_applied_twice_are_a_no_op(Kind::Postgres).await;
    }

    #[tokio::test]
    async fn sqlite_newer_schema_is_refused() {
        newer_schema_is_refused(Kind::Sqlite).await;
    }

    #[tokio::test]
    #[cfg_attr(
        postgres_unavailable,
        ignore = "SKIPPED: DATABASE_URL is not set (ARB_REQUIRE_POSTGRES=1 makes this a failure)"
    )]
    async fn postgres_newer_schema_is_refused() {
        newer_schema_is_refused(Kind::Postgres).await;
    }

    #[tokio::test]
    async fn unsupported_url_scheme_is_a_config_error_without_secrets() {
        let err = arb_store::connect("mysql://root:hunter2@db.example/arb")
            .await
            .expect_err("unsupported");
        assert!(matches!(err, StoreError::Config(_)), "{err:?}");
        let text = err.to_string();
        assert!(text.contains("`mysql`"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
        let err = arb_store::connect("arb.db").await.expect_err("no scheme");
        assert!(matches!(err, StoreError::Config(_)), "{err:?}");
    }

    #[tokio::test]
    async fn unreachable_sqlite_path_is_a_backend_error() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, b"not a directory").expect("write");
        let url = format!("sqlite://{}", blocker.join("arb.db").display());
        let err = arb_store::connect(&url).await.expect_err("cannot open");
        assert!(matches!(err, StoreError::Backend(_)), "{err:?}");
    }

    #[tokio::test]
    #[cfg_attr(
        postgres_unavailable,
        ignore = "SKIPPED: DATABASE_URL is not set (ARB_REQUIRE_POSTGRES=1 makes this a failure)"
    )]
    async fn postgres_errors_and_debug_never_show_the_password() {
        let Some(base) = postgres_url() else {
            return;
        };
        // Same server, a password added (ignored under trust authentication) and a missing database.
        let with_password = base.replacen("://postgres@", "://postgres:hunter2secret@", 1);
        assert!(
            with_password.contains("hunter2secret"),
            "DATABASE_URL user must be postgres"
        );
        let (server, _) = with_password
            .rsplit_once('/')
            .expect("DATABASE_URL names a database");
        let missing = format!("{server}/arb_store_no_such_database");
        let err = arb_store::connect(&missing).await.expect_err("no database");
        assert!(matches!(err, StoreError::Backend(_)), "{err:?}");
        assert!(
            err.to_string()
                .contains("/arb_store_no_such_database (user postgres): database missing"),
            "{err}"
        );
        assert!(
            !format!("{err} {err:?}").contains("hunter2secret"),
            "{err:?}"
        );

        let Some(db) = TestDb::postgres().await else {
            return;
        };
        let url = db
            .url
            .replacen("://postgres@", "://postgres:hunter2secret@", 1);
        let store = arb_store::connect(&url).await.expect("connect");
        assert_eq!(store.kind(), BackendKind::Postgres);
        let debug = format!("{store:?}");
        assert!(!debug.contains("hunter2secret"), "{debug}");
        assert!(debug.contains("Postgres"), "{debug}");
        store.close().await;
        db.cleanup().await;
    }

    #[tokio::test]
    async fn a_missing_sqlite_file_is_refused_unless_created() {
        let db = TestDb::sqlite();
        let path = db.url.trim_start_matches("sqlite://").to_owned();
        for mode in [arb_store::OpenMode::Existing, arb_store::OpenMode::ReadOnly] {
            let err = arb_store::open(&db.url, mode).await.expect_err("missing");
            assert_eq!(
                err.to_string(),
                format!("not found: SQLite file {path} does not exist")
            );
        }
        assert!(!std::path::Path::new(&path).exists(), "nothing was created");
        arb_store::open(&db.url, arb_store::OpenMode::Create)
            .await
            .expect("created")
            .close()
            .await;
        arb_store::open(&db.url, arb_store::OpenMode::Existing)
            .await
            .expect("now it exists")
            .close()
            .await;
    }

    #[tokio::test]
    async fn a_store_opened_read_only_reads_and_refuses_writes_naming_the_file() {
        let db = TestDb::sqlite();
        let store = db.connect().await;
        fill_with_data(&store).await;
        store.close().await;
        let read_only = arb_store::open(&db.url, arb_store::OpenMode::ReadOnly)
            .await
            .expect("open read-only");
        assert_data_kept(&read_only).await;
        let err = read_only
            .put_setting("x", Some("y"))
            .await
            .expect_err("read-only");
        let text = err.to_string();
        let path = db.url.trim_start_matches("sqlite://");
        assert!(text.contains(&format!("SQLite file {path}: ")), "{text}");
        assert!(text.contains("readonly"), "{text}");
    }

    #[tokio::test]
    async fn read_only_refuses_a_database_not_migrated_yet() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let file = dir.path().join("empty.db");
        std::fs::write(&file, b"").expect("an empty file is an empty SQLite database");
        let url = format!("sqlite://{}", file.display());
        let err = arb_store::open(&url, arb_store::OpenMode::ReadOnly)
            .await
            .expect_err("not migrated");
        assert!(matches!(err, StoreError::Config(_)), "{err:?}");
        assert!(err.to_string().contains("schema is at version 0"), "{err}");
    }

    #[tokio::test]
    async fn a_refused_postgres_connection_names_the_server_without_the_password() {
        // Nothing listens on port 1; the password `test` is also the database's name.
        let err = arb_store::connect("postgres://postgres:test@127.0.0.1:1/test")
            .await
            .expect_err("refused");
        let text = err.to_string();
        assert!(
            text.contains("PostgreSQL at 127.0.0.1:1/test (user postgres): connection refused"),
            "{text}"
        );
        assert!(!text.contains(":test@"), "{text}");
    }
}
