//! # arb-store
//!
//! [`arb_core::store::Store`] over [sqlx]: PostgreSQL for production, SQLite as the embedded
//! default (a single file, nothing to install).
//!
//! [`connect`] picks the backend from the URL (`postgres://…`, `postgresql://…` or `sqlite://path`),
//! checks that the database was not migrated by a newer program ([`StoreError::SchemaTooNew`]),
//! then applies the embedded migrations (`migrations/postgres`, `migrations/sqlite`).
//!
//! Guarantees, shared with [`arb_core::store::MemoryStore`] (the reference semantics):
//! - money, prices and quantities keep full precision (`NUMERIC` on PostgreSQL, decimal text on SQLite);
//! - writes that belong together are one transaction (an execution and its orders; a pair, its
//!   `Approved` event and its suggestion; a pair status change and its event);
//! - a failed write is an error, never swallowed;
//! - reusing a client order id for a different order is a [`StoreError::Conflict`];
//! - non-executed opportunities are throttled per pair ([`OpportunityThrottle`]).
//!
//! Timestamps are stored in UTC; PostgreSQL keeps microseconds (finer digits are truncated),
//! SQLite keeps nanoseconds. Errors and `Debug` output never contain the database password.
//!
//! ```no_run
//! # async fn demo() -> Result<(), arb_core::store::StoreError> {
//! use std::sync::Arc;
//! use arb_core::store::Store;
//!
//! let store: Arc<dyn Store> = Arc::new(arb_store::connect("sqlite://arb.db").await?);
//! # Ok(()) }
//! ```
//!
//! [`StoreError::SchemaTooNew`]: arb_core::store::StoreError::SchemaTooNew
//! [`StoreError::Conflict`]: arb_core::store::StoreError::Conflict
//! [`OpportunityThrottle`]: arb_core::store::OpportunityThrottle

mod backend;
mod codec;
mod connect;
mod error;
mod sql_store;
mod url;

pub use connect::{BackendKind, OpenMode, connect, connect_with_throttle, open, open_with};
pub use sql_store::SqlStore;
pub use url::mask_password;
