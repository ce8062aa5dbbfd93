#![doc = include_str!("../README.md")]

pub mod caller;
pub mod check;
pub mod enums;
pub mod error;
pub mod history;
pub mod ids;
pub mod live;
pub mod migrations;
pub mod models;
pub mod pagination;
pub mod pool;
pub mod progress;
pub mod replaceable;
pub mod replication;
#[rustfmt::skip]
pub mod schema;
pub mod scoring;
pub mod search;
pub mod seed;
pub mod sql;
#[cfg(feature = "testing")]
pub mod testing;
pub mod types;

pub use caller::{Claims, transaction_as};
pub use enums::{JobState, PredictionKind, SetlistType, ShowStatus, UserRole, VoteType};
pub use error::{Closed, Error, Result};
pub use pagination::{Cursor, Key, Page};
pub use pool::{DatabaseConfig, DbPool, PooledConnection};

/// Re-exported so dependants use the same diesel-async as this crate.
pub use diesel_async::AsyncPgConnection;
