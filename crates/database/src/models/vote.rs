//! `votes`: the vote rules, in one place.
//!
//! The rules are enforced by PostgreSQL so that every writer (API, worker, CLI, psql) obeys them;
//! this module is how Rust code uses them:
//! - one vote per user per setlist song (`votes_user_setlist_song_key`); casting again changes it,
//!   retracting deletes it;
//! - votes are taken only on unlocked predicted setlists of shows that have not started
//!   (`votes_check_open` trigger; refused with [`crate::Error::VotingClosed`]);
//! - `setlist_songs.upvotes/downvotes` change in the voting transaction by one atomic
//!   `counter + delta` per vote, so they equal the aggregates over `votes` at every commit, and
//!   `net_votes` is generated from them;
//! - `setlists.total_votes` and `shows.vote_count` are folded in by [`Vote::refresh_totals`]
//!   instead, so that a show's voters never queue on one `shows` row (see the crate README).
//! - RLS: a caller writes only votes whose `user_id` is their own.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;

use crate::Claims;
use crate::enums::SetlistType;
use crate::enums::VoteType;
use crate::ids::{SetlistSongId, ShowId, UserId, VoteId};
use crate::models::{SetlistSong, User};
use crate::schema::{setlist_songs, setlists, votes};
use crate::sql;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, Associations, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = votes, belongs_to(User), belongs_to(SetlistSong), check_for_backend(diesel::pg::Pg))]
pub struct Vote {
    pub id: VoteId,
    pub user_id: UserId,
    pub setlist_song_id: SetlistSongId,
    pub vote_type: VoteType,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A setlist song's counts right after a vote changed them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoteCounts {
    pub upvotes: i32,
    pub downvotes: i32,
    pub net_votes: i32,
}

impl From<(i32, i32, i32)> for VoteCounts {
    fn from((upvotes, downvotes, net_votes): (i32, i32, i32)) -> Self {
        Self {
            upvotes,
            downvotes,
            net_votes,
        }
    }
}

impl Vote {
    /// Casts `voter`'s vote on a setlist song, or changes its direction; casting the same vote
    /// twice is a no-op. One statement. Errors: the song does not exist (foreign key), voting is
    /// closed, or RLS refuses a `voter` who is not the caller.
    pub async fn cast(
        conn: &mut AsyncPgConnection,
        voter: UserId,
        song: SetlistSongId,
        kind: VoteType,
    ) -> QueryResult<VoteCounts> {
        diesel::select(sql::cast_vote(voter.0, song.0, kind))
            .get_result::<(i32, i32, i32)>(conn)
            .await
            .map(VoteCounts::from)
    }

    /// Retracts `voter`'s vote on a setlist song (a no-op when there is none). `NotFound` when the
    /// song does not exist.
    pub async fn retract(
        conn: &mut AsyncPgConnection,
        voter: UserId,
        song: SetlistSongId,
    ) -> QueryResult<VoteCounts> {
        diesel::select(sql::retract_vote(voter.0, song.0))
            .get_result::<(i32, i32, i32)>(conn)
            .await
            .map(VoteCounts::from)
    }

    /// [`Vote::cast`] for `caller`, in one statement and one round trip: their claims set for
    /// it alone (RLS in force, as in [`crate::transaction_as`]), their account checked.
    /// `Ok(None)` when the caller has no live `users` row yet (a first request, a deleted
    /// account): the caller of this creates or refuses it and casts with [`Vote::cast`].
    pub async fn cast_as(
        conn: &mut AsyncPgConnection,
        caller: &Claims,
        song: SetlistSongId,
        kind: VoteType,
    ) -> QueryResult<Option<VoteCounts>> {
        known_caller(
            diesel::select(sql::cast_vote_as(caller.setting()?, song.0, kind))
                .get_result::<(i32, i32, i32)>(conn)
                .await,
        )
    }

    /// [`Vote::retract`] for `caller` in one statement, as [`Vote::cast_as`].
    pub async fn retract_as(
        conn: &mut AsyncPgConnection,
        caller: &Claims,
        song: SetlistSongId,
    ) -> QueryResult<Option<VoteCounts>> {
        known_caller(
            diesel::select(sql::retract_vote_as(caller.setting()?, song.0))
                .get_result::<(i32, i32, i32)>(conn)
                .await,
        )
    }

    /// `voter`'s vote on a song, if any.
    pub async fn find(
        conn: &mut AsyncPgConnection,
        voter: UserId,
        song: SetlistSongId,
    ) -> QueryResult<Option<Vote>> {
        votes::table
            .filter(
                votes::user_id
                    .eq(voter)
                    .and(votes::setlist_song_id.eq(song)),
            )
            .select(Vote::as_select())
            .first(conn)
            .await
            .optional()
    }

    /// Folds votes cast since the last fold into `setlists.total_votes` and `shows.vote_count`.
    /// Returns how many setlist and show rows changed. Cheap when nothing is pending; meant to run
    /// every few seconds (the worker schedules it) and before reading exact totals.
    pub async fn refresh_totals(conn: &mut AsyncPgConnection) -> QueryResult<i32> {
        diesel::select(sql::refresh_vote_totals())
            .get_result(conn)
            .await
    }

    /// `voter`'s votes on the songs of a show's predicted setlists, in setlist order.
    pub async fn on_show(
        conn: &mut AsyncPgConnection,
        voter: UserId,
        show: ShowId,
    ) -> QueryResult<Vec<Vote>> {
        votes::table
            .inner_join(setlist_songs::table.inner_join(setlists::table))
            .filter(votes::user_id.eq(voter))
            .filter(setlists::show_id.eq(show))
            .filter(setlists::type_.eq(SetlistType::Predicted))
            .order((setlists::order_index, setlists::id, setlist_songs::position))
            .select(Vote::as_select())
            .load(conn)
            .await
    }
}

/// The counts of a vote cast for a caller by claims; `None` when `caller_is_known` (50_votes.sql)
/// found no live account for them.
fn known_caller(cast: QueryResult<(i32, i32, i32)>) -> QueryResult<Option<VoteCounts>> {
    match cast {
        Ok(counts) => Ok(Some(counts.into())),
        Err(diesel::result::Error::DatabaseError(_, info))
            if info.constraint_name() == Some("votes_caller_unknown") =>
        {
            Ok(None)
        }
        Err(other) => Err(other),
    }
}
