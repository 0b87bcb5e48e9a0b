//! Store adapter: implements arb-core's Store over sqlx, PostgreSQL in production and SQLite as the embedded default.
