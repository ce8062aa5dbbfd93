//! `artists` and `artist_stats`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};

use crate::ids::{ArtistId, ArtistStatsId};
use crate::models::{Setlist, Show};
use crate::pagination::{self, Cursor, Key, Page};
use crate::schema::{artist_stats, artists, setlists, shows};
use crate::types::TextList;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = artists, check_for_backend(diesel::pg::Pg))]
pub struct Artist {
    pub id: ArtistId,
    pub spotify_id: Option<String>,
    pub name: String,
    pub slug: String,
    pub image_url: Option<String>,
    pub small_image_url: Option<String>,
    pub genres: TextList,
    pub popularity: i32,
    pub followers: i32,
    pub monthly_listeners: Option<i32>,
    pub verified: bool,
    pub bio: Option<String>,
    pub external_urls: serde_json::Value,
    pub last_synced_at: Option<DateTime<Utc>>,
    pub trending_score: f64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// MusicBrainz id: the key setlist.fm searches by (from Ticketmaster's external links).
    pub mbid: Option<String>,
    /// Ticketmaster attraction id: the key of the upcoming-shows sync.
    pub ticketmaster_id: Option<String>,
    /// When the last complete Ticketmaster import of this artist finished.
    pub ticketmaster_synced_at: Option<DateTime<Utc>>,
    /// When the last complete setlist.fm import of this artist started (the next correction
    /// poll asks for setlists edited since then).
    pub setlistfm_synced_at: Option<DateTime<Utc>>,
}

/// A new artist. Optional fields left `None` take the column default.
#[derive(Debug, Clone, Insertable, Deserialize)]
#[diesel(table_name = artists)]
pub struct NewArtist {
    pub name: String,
    pub slug: String,
    pub spotify_id: Option<String>,
    pub image_url: Option<String>,
    pub small_image_url: Option<String>,
    pub genres: Option<TextList>,
    pub popularity: Option<i32>,
    pub followers: Option<i32>,
    pub monthly_listeners: Option<i32>,
    pub verified: Option<bool>,
    pub bio: Option<String>,
    pub external_urls: Option<serde_json::Value>,
    pub last_synced_at: Option<DateTime<Utc>>,
    pub mbid: Option<String>,
    pub ticketmaster_id: Option<String>,
}

impl NewArtist {
    /// An artist needs a name and a slug; the rest is optional.
    pub fn new(name: String, slug: String) -> Self {
        NewArtist {
            name,
            slug,
            spotify_id: None,
            image_url: None,
            small_image_url: None,
            genres: None,
            popularity: None,
            followers: None,
            monthly_listeners: None,
            verified: None,
            bio: None,
            external_urls: None,
            last_synced_at: None,
            mbid: None,
            ticketmaster_id: None,
        }
    }
}

/// Changes to an artist: `None` leaves a column as it is, `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default, AsChangeset, Deserialize)]
#[diesel(table_name = artists)]
pub struct ArtistUpdate {
    pub name: Option<String>,
    pub spotify_id: Option<Option<String>>,
    pub image_url: Option<Option<String>>,
    pub small_image_url: Option<Option<String>>,
    pub genres: Option<TextList>,
    pub popularity: Option<i32>,
    pub followers: Option<i32>,
    pub monthly_listeners: Option<Option<i32>>,
    pub verified: Option<bool>,
    pub bio: Option<Option<String>>,
    pub external_urls: Option<serde_json::Value>,
    pub last_synced_at: Option<Option<DateTime<Utc>>>,
    pub trending_score: Option<f64>,
    pub mbid: Option<Option<String>>,
    pub ticketmaster_id: Option<Option<String>>,
    pub ticketmaster_synced_at: Option<Option<DateTime<Utc>>>,
    pub setlistfm_synced_at: Option<Option<DateTime<Utc>>>,
}

impl Artist {
    pub async fn create(conn: &mut AsyncPgConnection, new: &NewArtist) -> QueryResult<Artist> {
        diesel::insert_into(artists::table)
            .values(new)
            .returning(Artist::as_returning())
            .get_result(conn)
            .await
    }

    pub async fn find(conn: &mut AsyncPgConnection, id: ArtistId) -> QueryResult<Artist> {
        artists::table
            .find(id)
            .select(Artist::as_select())
            .first(conn)
            .await
    }

    pub async fn update(
        conn: &mut AsyncPgConnection,
        id: ArtistId,
        changes: &ArtistUpdate,
    ) -> QueryResult<Artist> {
        diesel::update(artists::table.find(id))
            .set(changes)
            .returning(Artist::as_returning())
            .get_result(conn)
            .await
    }

    /// Shows this artist headlines, soonest first (design card, "Schema Relations": `shows`).
    pub async fn shows(&self, conn: &mut AsyncPgConnection) -> QueryResult<Vec<Show>> {
        Show::belonging_to(self)
            .select(Show::as_select())
            .order((shows::starts_at, shows::id))
            .load(conn)
            .await
    }

    /// Setlists of this artist (design card, "Schema Relations": `setlists`).
    pub async fn setlists(&self, conn: &mut AsyncPgConnection) -> QueryResult<Vec<Setlist>> {
        Setlist::belonging_to(self)
            .select(Setlist::as_select())
            .order((setlists::created_at, setlists::id))
            .load(conn)
            .await
    }

    /// The artist's statistics row, once computed (design card, "Schema Relations": `stats`).
    pub async fn stats(&self, conn: &mut AsyncPgConnection) -> QueryResult<Option<ArtistStats>> {
        ArtistStats::belonging_to(self)
            .select(ArtistStats::as_select())
            .first(conn)
            .await
            .optional()
    }
}

/// Figures computed from an artist's history (one row per artist).
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
#[diesel(table_name = artist_stats, belongs_to(Artist), check_for_backend(diesel::pg::Pg))]
pub struct ArtistStats {
    pub id: ArtistStatsId,
    pub artist_id: ArtistId,
    pub total_shows: i32,
    pub total_setlists: i32,
    pub avg_setlist_length: Option<f64>,
    pub most_played_song: Option<String>,
    pub last_show_date: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = artist_stats, treat_none_as_null = true)]
pub struct NewArtistStats {
    pub artist_id: ArtistId,
    pub total_shows: i32,
    pub total_setlists: i32,
    pub avg_setlist_length: Option<f64>,
    pub most_played_song: Option<String>,
    pub last_show_date: Option<DateTime<Utc>>,
}

impl ArtistStats {
    /// Recomputes the statistics of `artists` (every artist when `None`) from shows and actual
    /// setlists as of `as_of` (the database's clock when `None`); the rules are in the crate
    /// README ("Artist statistics"). Every named artist gets a row. Idempotent; returns how many
    /// rows were written (unchanged rows are not rewritten).
    pub async fn refresh(
        conn: &mut AsyncPgConnection,
        artists: Option<&[ArtistId]>,
        as_of: Option<DateTime<Utc>>,
    ) -> QueryResult<i32> {
        // Song statistics first: most_played_song is read from them.
        let targets: Vec<ArtistId> = match artists {
            Some(ids) => ids.to_vec(),
            None => artists::table.select(artists::id).load(conn).await?,
        };
        for artist in &targets {
            crate::history::refresh_song_stats(conn, *artist, as_of).await?;
        }
        let ids = artists.map(|ids| ids.iter().map(|id| id.0).collect::<Vec<_>>());
        diesel::select(crate::sql::refresh_artist_stats(ids, as_of))
            .get_result(conn)
            .await
    }

    /// Writes an artist's statistics, replacing the previous figures.
    pub async fn upsert(
        conn: &mut AsyncPgConnection,
        stats: &NewArtistStats,
    ) -> QueryResult<ArtistStats> {
        diesel::insert_into(artist_stats::table)
            .values(stats)
            .on_conflict(artist_stats::artist_id)
            .do_update()
            .set(stats)
            .returning(ArtistStats::as_returning())
            .get_result(conn)
            .await
    }
}

/// An artist with its statistics, once computed.
#[derive(Debug, Clone, PartialEq, Serialize, Queryable, Selectable)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct ArtistWithStats {
    #[diesel(embed)]
    pub artist: Artist,
    #[diesel(embed)]
    pub stats: Option<ArtistStats>,
}

impl Artist {
    /// An artist by id or slug.
    pub async fn find_by_key(conn: &mut AsyncPgConnection, key: &Key) -> QueryResult<Artist> {
        match key {
            Key::Id(id) => Artist::find(conn, ArtistId(*id)).await,
            Key::Slug(slug) => {
                artists::table
                    .filter(artists::slug.eq(slug))
                    .select(Artist::as_select())
                    .first(conn)
                    .await
            }
        }
    }

    /// An artist by id or slug, with its statistics.
    pub async fn find_with_stats(
        conn: &mut AsyncPgConnection,
        key: &Key,
    ) -> QueryResult<ArtistWithStats> {
        let query = artists::table
            .left_join(artist_stats::table)
            .select(ArtistWithStats::as_select())
            .into_boxed();
        let query = match key {
            Key::Id(id) => query.filter(artists::id.eq(ArtistId(*id))),
            Key::Slug(slug) => query.filter(artists::slug.eq(slug.clone())),
        };
        query.first(conn).await
    }

    /// The artist directory by name, a page at a time.
    pub async fn list(
        conn: &mut AsyncPgConnection,
        cursor: Option<&Cursor>,
        limit: i64,
    ) -> QueryResult<Page<Artist>> {
        let limit = pagination::clamp_limit(Some(limit));
        let mut query = artists::table
            .select(Artist::as_select())
            .order((artists::name, artists::id))
            .into_boxed();
        if let Some(after) = cursor {
            query = query.filter(artists::name.ge(after.key.clone())).filter(
                artists::name
                    .gt(after.key.clone())
                    .or(artists::id.gt(ArtistId(after.id))),
            );
        }
        let rows = query.limit(limit + 1).load(conn).await?;
        Ok(Page::from_rows(rows, limit, |a| {
            Cursor::new(a.name.clone(), a.id.0)
        }))
    }
}

/// What lists show of an artist (show cards, line-ups in lists).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = artists, check_for_backend(diesel::pg::Pg))]
pub struct ArtistSummary {
    pub id: ArtistId,
    pub name: String,
    pub slug: String,
    pub image_url: Option<String>,
    pub small_image_url: Option<String>,
    pub verified: bool,
}

// The provider imports' writes (crates/imports). Ids are filled in, never overwritten; an id
// another artist holds already stays with that artist.

#[derive(QueryableByName)]
struct ArtistIdRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: ArtistId,
}

/// What Spotify says about an artist; `None` (or no genres) leaves a column as it is.
#[derive(Debug, Clone, Default)]
pub struct SpotifyEnrichment {
    pub image_url: Option<String>,
    pub small_image_url: Option<String>,
    pub genres: Vec<String>,
    pub popularity: Option<i32>,
    pub followers: Option<i32>,
    pub spotify_url: Option<String>,
}

impl Artist {
    /// The artist with this MusicBrainz id, created with `name` and `slug` when there is none.
    pub async fn upsert_by_mbid(
        conn: &mut AsyncPgConnection,
        mbid: &str,
        name: &str,
        slug: &str,
    ) -> QueryResult<Artist> {
        diesel::insert_into(artists::table)
            .values((
                artists::name.eq(name),
                artists::slug.eq(slug),
                artists::mbid.eq(mbid),
            ))
            .on_conflict(artists::mbid)
            .do_nothing()
            .execute(conn)
            .await?;
        artists::table
            .filter(artists::mbid.eq(mbid))
            .select(Artist::as_select())
            .first(conn)
            .await
    }

    /// The artist a Ticketmaster attraction is: the one with its Ticketmaster id, else one with
    /// its MusicBrainz id that has no Ticketmaster id yet.
    pub async fn find_for_ticketmaster(
        conn: &mut AsyncPgConnection,
        ticketmaster_id: &str,
        mbid: Option<&str>,
    ) -> QueryResult<Option<ArtistId>> {
        use diesel::sql_types::{Nullable, Text};
        // raw SQL: one round trip for both keys, in order (a UNION ALL with a LIMIT per branch).
        let row: Option<ArtistIdRow> = diesel::sql_query(
            "SELECT id FROM artists WHERE ticketmaster_id = $1
             UNION ALL
             (SELECT id FROM artists WHERE mbid = $2 AND ticketmaster_id IS NULL LIMIT 1)
             LIMIT 1",
        )
        .bind::<Text, _>(ticketmaster_id)
        .bind::<Nullable<Text>, _>(mbid)
        .get_result(conn)
        .await
        .optional()?;
        Ok(row.map(|r| r.id))
    }

    /// A new artist for a Ticketmaster attraction.
    pub async fn create_for_ticketmaster(
        conn: &mut AsyncPgConnection,
        ticketmaster_id: &str,
        name: &str,
        slug: &str,
    ) -> QueryResult<ArtistId> {
        diesel::insert_into(artists::table)
            .values((
                artists::name.eq(name),
                artists::slug.eq(slug),
                artists::ticketmaster_id.eq(ticketmaster_id),
            ))
            .returning(artists::id)
            .get_result(conn)
            .await
    }

    /// Fills the provider ids the artist lacks, unless another artist holds them already.
    pub async fn fill_provider_ids(
        conn: &mut AsyncPgConnection,
        id: ArtistId,
        ticketmaster_id: &str,
        mbid: Option<&str>,
        spotify_id: Option<&str>,
    ) -> QueryResult<usize> {
        use diesel::sql_types::{Nullable, Text, Uuid};
        // raw SQL: each id is set only when no other row holds it, in one statement.
        diesel::sql_query(
            "UPDATE artists a SET
               ticketmaster_id = coalesce(a.ticketmaster_id, $2),
               mbid = coalesce(a.mbid, CASE WHEN NOT EXISTS (SELECT 1 FROM artists WHERE mbid = $3) THEN $3 END),
               spotify_id = coalesce(a.spotify_id, CASE WHEN NOT EXISTS (SELECT 1 FROM artists WHERE spotify_id = $4) THEN $4 END)
             WHERE a.id = $1
               AND (a.ticketmaster_id IS NULL
                    OR (a.mbid IS NULL AND $3 IS NOT NULL AND NOT EXISTS (SELECT 1 FROM artists WHERE mbid = $3))
                    OR (a.spotify_id IS NULL AND $4 IS NOT NULL AND NOT EXISTS (SELECT 1 FROM artists WHERE spotify_id = $4)))",
        )
        .bind::<Uuid, _>(id)
        .bind::<Text, _>(ticketmaster_id)
        .bind::<Nullable<Text>, _>(mbid)
        .bind::<Nullable<Text>, _>(spotify_id)
        .execute(conn)
        .await
    }

    /// Records a complete Ticketmaster import of the artist (now).
    pub async fn mark_ticketmaster_synced(
        conn: &mut AsyncPgConnection,
        id: ArtistId,
    ) -> QueryResult<usize> {
        diesel::update(artists::table.find(id))
            .set(artists::ticketmaster_synced_at.eq(diesel::dsl::now))
            .execute(conn)
            .await
    }

    /// Records a complete setlist.fm import of the artist that started at `started` (the next
    /// correction poll asks for setlists edited since then).
    pub async fn mark_setlistfm_synced(
        conn: &mut AsyncPgConnection,
        id: ArtistId,
        started: DateTime<Utc>,
    ) -> QueryResult<usize> {
        diesel::update(artists::table.find(id))
            .set(artists::setlistfm_synced_at.eq(started))
            .execute(conn)
            .await
    }

    /// Applies what Spotify gives (nothing is cleared) and records the sync; true when a row
    /// was written.
    pub async fn enrich_from_spotify(
        conn: &mut AsyncPgConnection,
        id: ArtistId,
        data: &SpotifyEnrichment,
    ) -> QueryResult<bool> {
        use diesel::sql_types::{Array, Integer, Nullable, Text, Uuid};
        // raw SQL: keeps each column unless Spotify sent a value, and merges into external_urls.
        let changed = diesel::sql_query(
            "UPDATE artists a SET
               image_url = coalesce($2, a.image_url),
               small_image_url = coalesce($3, a.small_image_url),
               genres = CASE WHEN cardinality($4::text[]) > 0 THEN $4::text[] ELSE a.genres END,
               popularity = coalesce($5, a.popularity),
               followers = coalesce($6, a.followers),
               external_urls = CASE WHEN $7::text IS NULL THEN a.external_urls
                                    ELSE a.external_urls || jsonb_build_object('spotify', $7::text) END,
               last_synced_at = now()
             WHERE a.id = $1",
        )
        .bind::<Uuid, _>(id)
        .bind::<Nullable<Text>, _>(&data.image_url)
        .bind::<Nullable<Text>, _>(&data.small_image_url)
        .bind::<Array<Text>, _>(&data.genres)
        .bind::<Nullable<Integer>, _>(data.popularity)
        .bind::<Nullable<Integer>, _>(data.followers)
        .bind::<Nullable<Text>, _>(&data.spotify_url)
        .execute(conn)
        .await?;
        Ok(changed > 0)
    }
}
