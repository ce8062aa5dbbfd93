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
#[derive(Debug, Clone, Default, Insertable, Deserialize)]
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
