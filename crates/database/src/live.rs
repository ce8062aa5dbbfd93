//! What the realtime listener (crate `theset-realtime`) reads from PostgreSQL: the vote log
//! and the show and song states, through the SQL functions of the realtime schema
//! (`realtime_vote_changes`, `realtime_show_states`, `realtime_song_states`), and the pruning of
//! the vote log that the worker runs (`realtime_prune_vote_log`). The triggers that fill the log are part of the schema, so every
//! writer (API, worker, CLI, psql) is seen.

use std::time::Duration;

use diesel::QueryableByName;
use diesel::data_types::PgInterval;
use diesel::sql_types::{Array, BigInt, Integer, Interval, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::error::Result;
use crate::ids::{SetlistId, SetlistSongId, ShowId};

/// The channel the structural triggers notify (with `show:<id>`).
pub const CHANNEL: &str = "theset_realtime";

/// Subscribes the connection to [`CHANNEL`].
pub async fn listen(conn: &mut AsyncPgConnection) -> Result<()> {
    diesel::sql_query(format!("LISTEN {CHANNEL}"))
        .execute(conn)
        .await?;
    Ok(())
}

/// A setlist song's counts at one version: what the vote log yields and what realtime vote
/// events carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SongVotes {
    pub setlist_song_id: SetlistSongId,
    pub setlist_id: SetlistId,
    pub show_id: ShowId,
    pub upvotes: i32,
    pub downvotes: i32,
    pub net_votes: i32,
    /// Only grows (`setlist_songs.vote_version`): ignore a state older than one already held.
    pub version: i64,
}

/// Vote changes committed after a horizon, and the horizon to read from next time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoteChanges {
    pub horizon: i64,
    pub songs: Vec<SongVotes>,
}

#[derive(QueryableByName)]
struct ChangeRow {
    #[diesel(sql_type = BigInt)]
    horizon: i64,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    setlist_song_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    setlist_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    show_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Integer>)]
    upvotes: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    downvotes: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    net_votes: Option<i32>,
    #[diesel(sql_type = Nullable<BigInt>)]
    vote_version: Option<i64>,
}

impl ChangeRow {
    /// `None` for the row that only carries the horizon.
    fn counts(&self) -> Option<SongVotes> {
        Some(SongVotes {
            setlist_song_id: SetlistSongId(self.setlist_song_id?),
            setlist_id: SetlistId(self.setlist_id?),
            show_id: ShowId(self.show_id?),
            upvotes: self.upvotes?,
            downvotes: self.downvotes?,
            net_votes: self.net_votes?,
            version: self.vote_version?,
        })
    }
}

#[derive(QueryableByName)]
struct SongStateRow {
    #[diesel(sql_type = SqlUuid)]
    setlist_song_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    setlist_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    show_id: Uuid,
    #[diesel(sql_type = Integer)]
    upvotes: i32,
    #[diesel(sql_type = Integer)]
    downvotes: i32,
    #[diesel(sql_type = Integer)]
    net_votes: i32,
    #[diesel(sql_type = BigInt)]
    vote_version: i64,
}

#[derive(QueryableByName)]
struct ShowStateRow {
    #[diesel(sql_type = SqlUuid)]
    show_id: Uuid,
    #[diesel(sql_type = Text)]
    state: String,
}

#[derive(QueryableByName)]
struct Pruned {
    #[diesel(sql_type = BigInt)]
    removed: i64,
}

/// The vote changes after `since` (a horizon read before) to the given shows and songs; with
/// `since = None`, no changes and the current horizon (where a new reader starts).
pub async fn vote_changes(
    conn: &mut AsyncPgConnection,
    since: Option<i64>,
    shows: &[ShowId],
    songs: &[SetlistSongId],
) -> Result<VoteChanges> {
    let shows: Vec<Uuid> = shows.iter().map(|s| s.0).collect();
    let songs: Vec<Uuid> = songs.iter().map(|s| s.0).collect();
    let rows: Vec<ChangeRow> = diesel::sql_query("SELECT * FROM realtime_vote_changes($1, $2, $3)")
        .bind::<Nullable<BigInt>, _>(since)
        .bind::<Array<SqlUuid>, _>(shows)
        .bind::<Array<SqlUuid>, _>(songs)
        .load(conn)
        .await?;
    // Every row carries the horizon; a read with no changes returns one row with only that.
    let horizon = rows
        .as_slice()
        .first()
        .map_or(since.unwrap_or_default(), |r| r.horizon);
    Ok(VoteChanges {
        horizon,
        songs: rows.iter().filter_map(ChangeRow::counts).collect(),
    })
}

/// The vote changes after `since` to every song (what a listener reads each tick and filters in
/// memory: the statement's size does not grow with the number of shows and songs followed).
pub async fn all_vote_changes(conn: &mut AsyncPgConnection, since: i64) -> Result<VoteChanges> {
    let rows: Vec<ChangeRow> =
        diesel::sql_query("SELECT * FROM realtime_vote_changes($1, NULL, NULL)")
            .bind::<BigInt, _>(since)
            .load(conn)
            .await?;
    let horizon = rows.as_slice().first().map_or(since, |r| r.horizon);
    Ok(VoteChanges {
        horizon,
        songs: rows.iter().filter_map(ChangeRow::counts).collect(),
    })
}

#[derive(QueryableByName)]
struct Started {
    #[diesel(sql_type = BigInt)]
    started: i64,
}

/// When the database server started, in Unix milliseconds: the vote log is unlogged (empty after
/// a crash), so a position in it from before then cannot be resumed.
pub async fn server_started_at(conn: &mut AsyncPgConnection) -> Result<i64> {
    let row: Started = diesel::sql_query(
        "SELECT (extract(epoch FROM pg_postmaster_start_time()) * 1000)::bigint AS started",
    )
    .get_result(conn)
    .await?;
    Ok(row.started)
}

/// Each show's state as one JSON document (its header and setlists with their songs and
/// counts), by id; shows that do not exist (or that the role may not read) are left out.
pub async fn show_states(
    conn: &mut AsyncPgConnection,
    shows: &[ShowId],
) -> Result<Vec<(ShowId, String)>> {
    let ids: Vec<Uuid> = shows.iter().map(|s| s.0).collect();
    let rows: Vec<ShowStateRow> =
        diesel::sql_query("SELECT show_id, state FROM realtime_show_states($1)")
            .bind::<Array<SqlUuid>, _>(ids)
            .load(conn)
            .await?;
    Ok(rows
        .into_iter()
        .map(|r| (ShowId(r.show_id), r.state))
        .collect())
}

/// The current counts of the given setlist songs; missing songs are left out.
pub async fn song_states(
    conn: &mut AsyncPgConnection,
    songs: &[SetlistSongId],
) -> Result<Vec<SongVotes>> {
    let ids: Vec<Uuid> = songs.iter().map(|s| s.0).collect();
    let rows: Vec<SongStateRow> = diesel::sql_query("SELECT * FROM realtime_song_states($1)")
        .bind::<Array<SqlUuid>, _>(ids)
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| SongVotes {
            setlist_song_id: SetlistSongId(r.setlist_song_id),
            setlist_id: SetlistId(r.setlist_id),
            show_id: ShowId(r.show_id),
            upvotes: r.upvotes,
            downvotes: r.downvotes,
            net_votes: r.net_votes,
            version: r.vote_version,
        })
        .collect())
}

/// How long vote log rows are kept; listeners that fall further behind start over.
pub const VOTE_LOG_RETENTION: Duration = Duration::from_secs(60);

/// Removes vote log rows logged more than `keep` ago (the service role's, on the worker's
/// vote-total schedule); returns how many went.
pub async fn prune_vote_log(conn: &mut AsyncPgConnection, keep: Duration) -> Result<i64> {
    let pruned: Pruned = diesel::sql_query("SELECT realtime_prune_vote_log($1) AS removed")
        .bind::<Interval, _>(PgInterval::from_microseconds(
            i64::try_from(keep.as_micros()).unwrap_or(i64::MAX),
        ))
        .get_result(conn)
        .await?;
    Ok(pruned.removed)
}
