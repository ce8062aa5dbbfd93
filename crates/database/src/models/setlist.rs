//! `setlists` and `setlist_songs`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};

use crate::enums::SetlistType;
use crate::ids::{ArtistId, SetlistId, SetlistSongId, ShowId, SongId, UserId};
use crate::models::{Artist, Show, Song, User};
use crate::schema::{setlist_songs, setlists, songs, users};

/// A show's setlist: fans' prediction, or what was actually played (imported from setlist.fm).
#[derive(
    Debug,
    Clone,
    PartialEq,
    Queryable,
    Selectable,
    Identifiable,
    Associations,
    Serialize,
    Deserialize,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(
    table_name = setlists,
    belongs_to(Show),
    belongs_to(Artist),
    belongs_to(User, foreign_key = created_by),
    check_for_backend(diesel::pg::Pg)
)]
pub struct Setlist {
    pub id: SetlistId,
    pub show_id: ShowId,
    pub artist_id: ArtistId,
    #[serde(rename = "type")]
    pub type_: SetlistType,
    pub name: String,
    pub order_index: i32,
    pub is_locked: bool,
    /// Votes on this setlist's songs; folded in by `refresh_vote_totals` (see the crate README).
    pub total_votes: i32,
    pub accuracy_score: i32,
    pub imported_from: Option<String>,
    pub external_id: Option<String>,
    /// The source's version id (setlist.fm `versionId`): a new one means the source was corrected.
    pub source_version_id: Option<String>,
    /// Attribution link to the source page, to be shown wherever this setlist is.
    pub source_url: Option<String>,
    pub imported_at: Option<DateTime<Utc>>,
    pub created_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new setlist (a predicted one unless `type_` says otherwise).
#[derive(Debug, Clone, Default, Insertable, Deserialize)]
#[diesel(table_name = setlists)]
pub struct NewSetlist {
    pub show_id: ShowId,
    pub artist_id: ArtistId,
    #[diesel(column_name = type_)]
    pub type_: SetlistType,
    pub name: Option<String>,
    pub order_index: Option<i32>,
    pub is_locked: Option<bool>,
    pub imported_from: Option<String>,
    pub external_id: Option<String>,
    pub source_version_id: Option<String>,
    pub source_url: Option<String>,
    pub imported_at: Option<DateTime<Utc>>,
    pub created_by: Option<UserId>,
}

/// Changes to a setlist: `None` leaves a column as it is, `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default, AsChangeset, Deserialize)]
#[diesel(table_name = setlists)]
pub struct SetlistUpdate {
    pub name: Option<String>,
    pub order_index: Option<i32>,
    pub is_locked: Option<bool>,
    pub accuracy_score: Option<i32>,
    pub source_version_id: Option<Option<String>>,
    pub source_url: Option<Option<String>>,
    pub imported_at: Option<Option<DateTime<Utc>>>,
}

impl Setlist {
    pub async fn create(conn: &mut AsyncPgConnection, new: &NewSetlist) -> QueryResult<Setlist> {
        diesel::insert_into(setlists::table)
            .values(new)
            .returning(Setlist::as_returning())
            .get_result(conn)
            .await
    }

    pub async fn find(conn: &mut AsyncPgConnection, id: SetlistId) -> QueryResult<Setlist> {
        setlists::table
            .find(id)
            .select(Setlist::as_select())
            .first(conn)
            .await
    }

    pub async fn update(
        conn: &mut AsyncPgConnection,
        id: SetlistId,
        changes: &SetlistUpdate,
    ) -> QueryResult<Setlist> {
        diesel::update(setlists::table.find(id))
            .set(changes)
            .returning(Setlist::as_returning())
            .get_result(conn)
            .await
    }

    /// The show (design card, "Schema Relations": `show`).
    pub async fn show(&self, conn: &mut AsyncPgConnection) -> QueryResult<Show> {
        Show::find(conn, self.show_id).await
    }

    /// The artist (design card, "Schema Relations": `artist`).
    pub async fn artist(&self, conn: &mut AsyncPgConnection) -> QueryResult<Artist> {
        Artist::find(conn, self.artist_id).await
    }

    /// Who created it, for fan-made setlists (design card, "Schema Relations": `creator`).
    pub async fn creator(&self, conn: &mut AsyncPgConnection) -> QueryResult<Option<User>> {
        match self.created_by {
            Some(id) => users::table
                .find(id)
                .select(User::as_select())
                .first(conn)
                .await
                .optional(),
            None => Ok(None),
        }
    }

    /// Its songs in order, each with its catalog entry (design card, "Schema Relations": `songs`).
    pub async fn songs(
        &self,
        conn: &mut AsyncPgConnection,
    ) -> QueryResult<Vec<(SetlistSong, Song)>> {
        SetlistSong::belonging_to(self)
            .inner_join(songs::table)
            .select((SetlistSong::as_select(), Song::as_select()))
            .order(setlist_songs::position)
            .load(conn)
            .await
    }
}

/// A song at a position of a setlist, with its live vote counts.
#[derive(
    Debug,
    Clone,
    PartialEq,
    Queryable,
    QueryableByName,
    Selectable,
    Identifiable,
    Associations,
    Serialize,
    Deserialize,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = setlist_songs, belongs_to(Setlist), belongs_to(Song), check_for_backend(diesel::pg::Pg))]
pub struct SetlistSong {
    pub id: SetlistSongId,
    pub setlist_id: SetlistId,
    pub song_id: SongId,
    /// 1-based.
    pub position: i32,
    pub notes: Option<String>,
    pub is_played: Option<bool>,
    pub play_time: Option<DateTime<Utc>>,
    /// setlist.fm's set name ("Acoustic set"), when the set had one.
    pub set_name: Option<String>,
    /// 0 for the main set, 1 for the first encore, 2 for the second...
    pub encore: i32,
    /// Played from tape, not performed: shown, never counted as played.
    pub is_tape: bool,
    pub cover_artist_name: Option<String>,
    pub cover_artist_mbid: Option<String>,
    pub guest_artist_name: Option<String>,
    pub guest_artist_mbid: Option<String>,
    pub info: Option<String>,
    pub upvotes: i32,
    pub downvotes: i32,
    pub net_votes: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Grows by one with every change of the counts (the vote trigger sets it): of two states of
    /// one song, the higher version is the newer. Realtime vote events carry it.
    pub vote_version: i64,
}

#[derive(Debug, Clone, Default, Insertable, Deserialize)]
#[diesel(table_name = setlist_songs)]
pub struct NewSetlistSong {
    pub setlist_id: SetlistId,
    pub song_id: SongId,
    pub position: i32,
    pub notes: Option<String>,
    pub is_played: Option<bool>,
    pub play_time: Option<DateTime<Utc>>,
    pub set_name: Option<String>,
    pub encore: Option<i32>,
    pub is_tape: Option<bool>,
    pub cover_artist_name: Option<String>,
    pub cover_artist_mbid: Option<String>,
    pub guest_artist_name: Option<String>,
    pub guest_artist_mbid: Option<String>,
    pub info: Option<String>,
}

/// Live marking and notes: `None` leaves a column as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default, AsChangeset, Deserialize)]
#[diesel(table_name = setlist_songs)]
pub struct SetlistSongUpdate {
    pub position: Option<i32>,
    pub notes: Option<Option<String>>,
    pub is_played: Option<Option<bool>>,
    pub play_time: Option<Option<DateTime<Utc>>>,
}

impl SetlistSong {
    pub async fn create(
        conn: &mut AsyncPgConnection,
        new: &NewSetlistSong,
    ) -> QueryResult<SetlistSong> {
        diesel::insert_into(setlist_songs::table)
            .values(new)
            .returning(SetlistSong::as_returning())
            .get_result(conn)
            .await
    }

    pub async fn find(conn: &mut AsyncPgConnection, id: SetlistSongId) -> QueryResult<SetlistSong> {
        setlist_songs::table
            .find(id)
            .select(SetlistSong::as_select())
            .first(conn)
            .await
    }

    pub async fn update(
        conn: &mut AsyncPgConnection,
        id: SetlistSongId,
        changes: &SetlistSongUpdate,
    ) -> QueryResult<SetlistSong> {
        diesel::update(setlist_songs::table.find(id))
            .set(changes)
            .returning(SetlistSong::as_returning())
            .get_result(conn)
            .await
    }
}

/// A setlist with its songs in order, each with its catalog entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetlistWithSongs {
    pub setlist: Setlist,
    pub songs: Vec<SetlistEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetlistEntry {
    pub entry: SetlistSong,
    pub song: Song,
}

impl Setlist {
    /// Adds a song from the artist's catalog to a predicted setlist at the next position. Errors:
    /// `SetlistClosed` (actual or locked), `UniqueViolation` `setlist_songs_song_once` (already
    /// there), `ForeignKeyViolation` `setlist_songs_song_in_catalog` (not the artist's song),
    /// `Forbidden` (RLS). `NotFound` when there is no such setlist.
    pub async fn add_song(
        conn: &mut AsyncPgConnection,
        setlist: SetlistId,
        song: SongId,
        notes: Option<&str>,
    ) -> QueryResult<SetlistSong> {
        diesel::sql_query("SELECT * FROM add_setlist_song($1, $2, $3)")
            .bind::<diesel::sql_types::Uuid, _>(setlist.0)
            .bind::<diesel::sql_types::Uuid, _>(song.0)
            .bind::<diesel::sql_types::Nullable<diesel::sql_types::Text>, _>(notes)
            .get_result(conn)
            .await
    }

    /// Removes an entry and closes the gap it leaves. `NotFound` when the setlist has no such
    /// entry, or RLS does not let the caller remove it.
    pub async fn remove_song(
        conn: &mut AsyncPgConnection,
        setlist: SetlistId,
        entry: SetlistSongId,
    ) -> QueryResult<()> {
        #[derive(QueryableByName)]
        struct Removed {
            #[diesel(sql_type = diesel::sql_types::Uuid)]
            #[allow(dead_code)]
            remove_setlist_song: uuid::Uuid,
        }
        diesel::sql_query("SELECT remove_setlist_song FROM remove_setlist_song($1, $2)")
            .bind::<diesel::sql_types::Uuid, _>(setlist.0)
            .bind::<diesel::sql_types::Uuid, _>(entry.0)
            .get_result::<Removed>(conn)
            .await
            .map(|_| ())
    }
}
