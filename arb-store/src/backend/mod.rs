//! The two sqlx backends. Their `Store` implementation is one source file
//! ([`store_impl.rs`](store_impl.rs)) compiled once per backend: each backend module supplies only
//! what differs (the sqlx database type, how a decimal is bound and read, how a write transaction
//! begins, its migrations and how to ask whether migrations ran before).

pub(crate) mod postgres;
pub(crate) mod sqlite;
