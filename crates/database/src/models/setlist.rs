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
    /// The fan whose own prediction this is; `None` for the show's crowd setlist and for actual
    /// setlists.
    pub owner_id: Option<UserId>,
}

/// A new setlist (a predicted one unless `type_` says otherwise).
#[derive(Debug, Clone, Insertable, Deserialize)]
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
    pub owner_id: Option<UserId>,
}

impl NewSetlist {
    /// A setlist belongs to a show and an artist, and is predicted or actual.
    pub fn new(show: ShowId, artist: ArtistId, type_: SetlistType) -> Self {
        NewSetlist {
            show_id: show,
            artist_id: artist,
            type_,
            name: None,
            order_index: None,
            is_locked: None,
            imported_from: None,
            external_id: None,
            source_version_id: None,
            source_url: None,
            imported_at: None,
            created_by: None,
            owner_id: None,
        }
    }

    /// A fan's own prediction of a show's setlist for the show's headliner.
    pub fn prediction(show: ShowId, artist: ArtistId, fan: UserId) -> Self {
        NewSetlist {
            name: Some("My prediction".to_owned()),
            created_by: Some(fan),
            owner_id: Some(fan),
            ..Self::new(show, artist, SetlistType::Predicted)
        }
    }
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

#[derive(Debug, Clone, Insertable, Deserialize)]
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

impl NewSetlistSong {
    /// An entry is a catalog song at a position of a setlist.
    pub fn new(setlist: SetlistId, song: SongId, position: i32) -> Self {
        NewSetlistSong {
            setlist_id: setlist,
            song_id: song,
            position,
            notes: None,
            is_played: None,
            play_time: None,
            set_name: None,
            encore: None,
            is_tape: None,
            cover_artist_name: None,
            cover_artist_mbid: None,
            guest_artist_name: None,
            guest_artist_mbid: None,
            info: None,
        }
    }
}

/// Live marking and notes: `None` leaves a column as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default, AsChangeset, Deserialize)]
#[diesel(table_name = setlist_songs)]
pub struct SetlistSongUpdate {
    pub position: Option<i32>,
    pub notes: Option<Option<String>>,
    pub is_played: Option<Option<bool>>,
    pub play_time: Option<Option<DateTime<Utc>>>,
    pub song_id: Option<SongId>,
    pub encore: Option<i32>,
    pub is_tape: Option<bool>,
    pub cover_artist_name: Option<Option<String>>,
    pub guest_artist_name: Option<Option<String>>,
    pub info: Option<Option<String>>,
}

impl SetlistSongUpdate {
    /// Changes nothing.
    pub fn is_empty(&self) -> bool {
        let SetlistSongUpdate {
            position,
            notes,
            is_played,
            play_time,
            song_id,
            encore,
            is_tape,
            cover_artist_name,
            guest_artist_name,
            info,
        } = self;
        position.is_none()
            && notes.is_none()
            && is_played.is_none()
            && play_time.is_none()
            && song_id.is_none()
            && encore.is_none()
            && is_tape.is_none()
            && cover_artist_name.is_none()
            && guest_artist_name.is_none()
            && info.is_none()
    }
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

// The provider imports' writes (crates/imports), and the predicted setlist every show gets.

/// An imported setlist as stored: which show holds it and which source version it is.
#[derive(Debug, Clone, Queryable)]
pub struct ImportedSetlist {
    pub id: SetlistId,
    pub show_id: ShowId,
    pub source_version_id: Option<String>,
}

/// An actual setlist from a source (setlist.fm): its key there, version and attribution link.
#[derive(Debug, Clone)]
pub struct ActualSetlistSource {
    pub imported_from: String,
    pub external_id: String,
    pub version_id: Option<String>,
    pub url: Option<String>,
}

#[derive(QueryableByName)]
struct SetlistIdRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: SetlistId,
}

impl Setlist {
    /// Gives the show a predicted setlist for `artist` when it has none, seeded with the songs
    /// most played in the artist's 20 latest actual setlists (as many songs as those setlists
    /// average), most played first, then most recently played, then by title; empty when there
    /// is no history yet (fans fill it). Answers the new setlist, `None` when there was one.
    pub async fn ensure_predicted(
        conn: &mut AsyncPgConnection,
        show: ShowId,
        artist: ArtistId,
    ) -> QueryResult<Option<SetlistId>> {
        use diesel::sql_types::Uuid;
        // raw SQL: insert-unless-exists in one statement (no unique key to conflict on).
        let created: Option<SetlistIdRow> = diesel::sql_query(
            "INSERT INTO setlists (show_id, artist_id, type, name)
             SELECT $1, $2, 'predicted', 'Main Set'
             WHERE NOT EXISTS (
               SELECT 1 FROM setlists
               WHERE show_id = $1 AND artist_id = $2 AND type = 'predicted' AND owner_id IS NULL)
               -- A show already closed gets no crowd setlist (the database would refuse it).
               AND (SELECT predictions_closed_reason(false, status, ticketmaster_status, starts_at)
                    FROM shows WHERE id = $1) IS NULL
             RETURNING id",
        )
        .bind::<Uuid, _>(show)
        .bind::<Uuid, _>(artist)
        .get_result(conn)
        .await
        .optional()?;
        let Some(created) = created else {
            return Ok(None);
        };
        // raw SQL: the history ranking is a chain of aggregates feeding one INSERT ... SELECT.
        diesel::sql_query(
            "WITH recent AS (
               SELECT sl.id, sh.date
               FROM setlists sl JOIN shows sh ON sh.id = sl.show_id
               WHERE sl.artist_id = $2 AND sl.type = 'actual'
                 AND EXISTS (SELECT 1 FROM setlist_songs ss WHERE ss.setlist_id = sl.id AND NOT ss.is_tape)
               ORDER BY sh.date DESC, sl.id
               LIMIT 20),
             history AS (
               SELECT r.id AS setlist_id, ss.song_id, r.date
               FROM recent r JOIN setlist_songs ss ON ss.setlist_id = r.id
               WHERE NOT ss.is_tape),
             usual_length AS (
               SELECT coalesce(round(avg(n)), 0)::integer AS n
               FROM (SELECT count(DISTINCT song_id) AS n FROM history GROUP BY setlist_id) per_show),
             ranked AS (
               SELECT h.song_id, count(DISTINCT h.setlist_id) AS plays, max(h.date) AS last_played,
                      so.title_key
               FROM history h JOIN songs so ON so.id = h.song_id
               GROUP BY h.song_id, so.title_key
               ORDER BY plays DESC, last_played DESC, so.title_key
               LIMIT (SELECT n FROM usual_length))
             INSERT INTO setlist_songs (setlist_id, song_id, position)
             SELECT $1, song_id,
                    row_number() OVER (ORDER BY plays DESC, last_played DESC, title_key)::integer
             FROM ranked",
        )
        .bind::<Uuid, _>(created.id)
        .bind::<Uuid, _>(artist)
        .execute(conn)
        .await?;
        Ok(Some(created.id))
    }

    /// The setlist imported from `source` under `external_id`, if any.
    pub async fn find_imported(
        conn: &mut AsyncPgConnection,
        source: &str,
        external_id: &str,
    ) -> QueryResult<Option<ImportedSetlist>> {
        setlists::table
            .filter(setlists::imported_from.eq(source))
            .filter(setlists::external_id.eq(external_id))
            .select((setlists::id, setlists::show_id, setlists::source_version_id))
            .first(conn)
            .await
            .optional()
    }

    /// Writes the actual setlist of `artist` at `show` from its source: a new one, or the stored
    /// one (`existing`) emptied of its songs and given the new version. Answers its id; the
    /// songs follow with `SetlistSong::insert_all`.
    pub async fn replace_actual(
        conn: &mut AsyncPgConnection,
        show: ShowId,
        artist: ArtistId,
        source: &ActualSetlistSource,
        existing: Option<SetlistId>,
    ) -> QueryResult<SetlistId> {
        // The live record a moderator kept during the show is the same setlist: the import
        // takes it over (its songs replaced, the source's attribution and version kept), so
        // the scores that pointed at it become final instead of being orphaned.
        let existing = match existing {
            Some(id) => Some(id),
            None => Setlist::live_actual(conn, show, artist).await?,
        };
        if let Some(id) = existing {
            diesel::delete(setlist_songs::table.filter(setlist_songs::setlist_id.eq(id)))
                .execute(conn)
                .await?;
            diesel::update(setlists::table.find(id))
                .set((
                    setlists::imported_from.eq(&source.imported_from),
                    setlists::external_id.eq(&source.external_id),
                    setlists::source_version_id.eq(&source.version_id),
                    setlists::source_url.eq(&source.url),
                    setlists::imported_at.eq(diesel::dsl::now),
                ))
                .execute(conn)
                .await?;
            return Ok(id);
        }
        diesel::insert_into(setlists::table)
            .values((
                setlists::show_id.eq(show),
                setlists::artist_id.eq(artist),
                setlists::type_.eq(SetlistType::Actual),
                setlists::name.eq("Actual Setlist"),
                setlists::imported_from.eq(&source.imported_from),
                setlists::external_id.eq(&source.external_id),
                setlists::source_version_id.eq(&source.version_id),
                setlists::source_url.eq(&source.url),
                setlists::imported_at.eq(diesel::dsl::now),
            ))
            .returning(setlists::id)
            .get_result(conn)
            .await
    }
}

impl SetlistSong {
    /// Inserts many entries in one statement; answers how many.
    pub async fn insert_all(
        conn: &mut AsyncPgConnection,
        entries: &[NewSetlistSong],
    ) -> QueryResult<usize> {
        if entries.is_empty() {
            return Ok(0);
        }
        diesel::insert_into(setlist_songs::table)
            .values(entries)
            .execute(conn)
            .await
    }
}

// Fans' own predictions and live show mode.

/// Where a prediction's entries go: every entry once, in order, and where the encore starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetlistOrder {
    pub entries: Vec<SetlistSongId>,
    /// 1-based position of the first encore song; `None`: no encore.
    pub encore_from: Option<i32>,
}

/// A song as a moderator records it while it is played.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlayedEntry {
    /// 0 for the main set, 1 for the first encore...
    pub encore: i32,
    pub is_tape: bool,
    pub cover_artist_name: Option<String>,
    pub guest_artist_name: Option<String>,
    pub info: Option<String>,
}

impl Setlist {
    /// Creates the caller's own prediction of a show (for its headliner). Errors:
    /// `UniqueViolation` `setlists_one_prediction_per_fan` (they have one), `SetlistClosed`
    /// (the show is closed), `Forbidden` (RLS: not signed in as `fan`).
    pub async fn create_prediction(
        conn: &mut AsyncPgConnection,
        show: &Show,
        fan: UserId,
    ) -> QueryResult<Setlist> {
        Setlist::create(
            conn,
            &NewSetlist::prediction(show.id, show.headliner_artist_id, fan),
        )
        .await
    }

    /// The fan's own prediction of a show, if they made one.
    pub async fn prediction_of(
        conn: &mut AsyncPgConnection,
        show: ShowId,
        fan: UserId,
    ) -> QueryResult<Option<Setlist>> {
        setlists::table
            .filter(setlists::show_id.eq(show))
            .filter(setlists::owner_id.eq(fan))
            .select(Setlist::as_select())
            .first(conn)
            .await
            .optional()
    }

    /// Fans' predictions of a show that the caller may see (RLS: their own, or everyone's once
    /// the show has started), oldest first, after `after` (keyset on creation time, then id).
    pub async fn predictions_of_show(
        conn: &mut AsyncPgConnection,
        show: ShowId,
        after: Option<(DateTime<Utc>, SetlistId)>,
        limit: i64,
    ) -> QueryResult<Vec<Setlist>> {
        let mut query = setlists::table
            .filter(setlists::show_id.eq(show))
            .filter(setlists::owner_id.is_not_null())
            .select(Setlist::as_select())
            .order((setlists::created_at, setlists::id))
            .limit(limit)
            .into_boxed();
        if let Some((at, id)) = after {
            query = query.filter(
                setlists::created_at
                    .gt(at)
                    .or(setlists::created_at.eq(at).and(setlists::id.gt(id))),
            );
        }
        query.load(conn).await
    }

    /// Puts the setlist's entries in the given order and marks the encore (`reorder_setlist`).
    /// Errors: `CheckViolation` `reorder_entries_distinct` / `reorder_entries_complete`,
    /// `SetlistClosed`; no rows when RLS hides the entries from the caller.
    pub async fn reorder(
        conn: &mut AsyncPgConnection,
        setlist: SetlistId,
        order: &SetlistOrder,
    ) -> QueryResult<Vec<SetlistSong>> {
        use diesel::sql_types::{Array, Integer, Nullable, Uuid};
        let ids: Vec<uuid::Uuid> = order.entries.iter().map(|e| e.0).collect();
        let mut rows: Vec<SetlistSong> =
            diesel::sql_query("SELECT * FROM reorder_setlist($1, $2, $3)")
                .bind::<Uuid, _>(setlist.0)
                .bind::<Array<Uuid>, _>(ids)
                .bind::<Nullable<Integer>, _>(order.encore_from)
                .load(conn)
                .await?;
        rows.sort_by_key(|r| r.position);
        Ok(rows)
    }

    /// The actual setlist a moderator records live for `artist` at `show` (not imported), if any.
    pub async fn live_actual(
        conn: &mut AsyncPgConnection,
        show: ShowId,
        artist: ArtistId,
    ) -> QueryResult<Option<SetlistId>> {
        setlists::table
            .filter(setlists::show_id.eq(show))
            .filter(setlists::artist_id.eq(artist))
            .filter(setlists::type_.eq(SetlistType::Actual))
            .filter(setlists::imported_from.eq("manual"))
            .filter(setlists::external_id.is_null())
            .select(setlists::id)
            .first(conn)
            .await
            .optional()
    }

    /// The show's actual setlist for `artist` to record songs on: the imported one when it has
    /// arrived, else the live record, created on first use (`imported_from = 'manual'`).
    pub async fn ensure_actual(
        conn: &mut AsyncPgConnection,
        show: ShowId,
        artist: ArtistId,
        recorder: UserId,
    ) -> QueryResult<SetlistId> {
        let existing = setlists::table
            .filter(setlists::show_id.eq(show))
            .filter(setlists::artist_id.eq(artist))
            .filter(setlists::type_.eq(SetlistType::Actual))
            .order((
                setlists::imported_at.desc().nulls_last(),
                setlists::created_at.desc(),
            ))
            .select(setlists::id)
            .first(conn)
            .await
            .optional()?;
        if let Some(id) = existing {
            return Ok(id);
        }
        let new = NewSetlist {
            name: Some("Actual Setlist".to_owned()),
            imported_from: Some("manual".to_owned()),
            created_by: Some(recorder),
            ..NewSetlist::new(show, artist, SetlistType::Actual)
        };
        Ok(Setlist::create(conn, &new).await?.id)
    }

    /// Appends a played song to an actual setlist (`append_played_song`): at the next position,
    /// marked played now.
    pub async fn append_played(
        conn: &mut AsyncPgConnection,
        setlist: SetlistId,
        song: SongId,
        played: &PlayedEntry,
    ) -> QueryResult<SetlistSong> {
        use diesel::sql_types::{Bool, Integer, Nullable, Text, Uuid};
        diesel::sql_query("SELECT * FROM append_played_song($1, $2, $3, $4, $5, $6, $7)")
            .bind::<Uuid, _>(setlist.0)
            .bind::<Uuid, _>(song.0)
            .bind::<Integer, _>(played.encore)
            .bind::<Bool, _>(played.is_tape)
            .bind::<Nullable<Text>, _>(&played.cover_artist_name)
            .bind::<Nullable<Text>, _>(&played.guest_artist_name)
            .bind::<Nullable<Text>, _>(&played.info)
            .get_result(conn)
            .await
    }
}

impl Setlist {
    /// The setlists with their songs in order, each with its catalog entry, in one query for
    /// all of them.
    pub async fn with_songs(
        conn: &mut AsyncPgConnection,
        lists: Vec<Setlist>,
    ) -> QueryResult<Vec<SetlistWithSongs>> {
        let entries: Vec<(SetlistSong, Song)> = SetlistSong::belonging_to(&lists)
            .inner_join(songs::table)
            .select((SetlistSong::as_select(), Song::as_select()))
            .order((setlist_songs::setlist_id, setlist_songs::position))
            .load(conn)
            .await?;
        let grouped = entries.grouped_by(&lists);
        Ok(lists
            .into_iter()
            .zip(grouped)
            .map(|(setlist, songs)| SetlistWithSongs {
                setlist,
                songs: songs
                    .into_iter()
                    .map(|(entry, song)| SetlistEntry { entry, song })
                    .collect(),
            })
            .collect())
    }

    /// Deletes a setlist; `NotFound` when there is none the caller may delete (RLS).
    pub async fn delete(conn: &mut AsyncPgConnection, id: SetlistId) -> QueryResult<()> {
        let removed = diesel::delete(setlists::table.find(id))
            .execute(conn)
            .await?;
        if removed == 0 {
            Err(diesel::result::Error::NotFound)
        } else {
            Ok(())
        }
    }
}
