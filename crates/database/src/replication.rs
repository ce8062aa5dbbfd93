//! Where a streaming standby stands against its primary, in WAL positions (bytes since 0/0).
//! The API reads public pages from a standby while it is close enough behind
//! (apps/api/src/replica.rs); these are the two readings it compares.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

#[derive(QueryableByName)]
struct Position {
    #[diesel(sql_type = Nullable<BigInt>)]
    lsn: Option<i64>,
}

/// The end of the primary's WAL: every transaction committed before this call is at or below
/// it. On a standby, `None`.
pub async fn primary_position(conn: &mut AsyncPgConnection) -> QueryResult<Option<i64>> {
    // The insert position, not pg_current_wal_lsn() (what is written out so far): with
    // synchronous_commit off, a commit returns before its record is written, so the write
    // position can lie below a transaction already acknowledged. It raises on a standby; the
    // CASE keeps the answer a value.
    diesel::sql_query(
        "SELECT CASE WHEN pg_is_in_recovery() THEN NULL \
         ELSE (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::int8 END AS lsn",
    )
    .get_result::<Position>(conn)
    .await
    .map(|p| p.lsn)
}

/// What a standby has replayed, so what its readers see. `None` on a server that is not a
/// standby (a primary, or a standby since promoted): nothing says it follows ours.
pub async fn replayed_position(conn: &mut AsyncPgConnection) -> QueryResult<Option<i64>> {
    diesel::sql_query(
        "SELECT CASE WHEN pg_is_in_recovery() \
         THEN (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::int8 END AS lsn",
    )
    .get_result::<Position>(conn)
    .await
    .map(|p| p.lsn)
}
