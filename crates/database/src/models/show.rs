//! `shows` and `show_artists`.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};

use crate::enums::ShowStatus;
use crate::ids::{ArtistId, ShowArtistId, ShowId, VenueId};
use crate::models::{Artist, Setlist, Venue};
use crate::schema::{artists, setlists, show_artists, shows, venues};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, Associations, Serialize)]
#[diesel(
    table_name = shows,
    belongs_to(Artist, foreign_key = headliner_artist_id),
    belongs_to(Venue),
    check_for_backend(diesel::pg::Pg)
)]
pub struct Show {
    pub id: ShowId,
    pub headliner_artist_id: ArtistId,
    pub venue_id: Option<VenueId>,
    pub name: String,
    pub slug: String,
    /// The venue-local date.
    pub date: NaiveDate,
    /// The venue-local start time; `None` while it is not announced.
    pub start_time: Option<NaiveTime>,
    pub doors_time: Option<NaiveTime>,
    /// The instant the show starts and predictions lock, resolved by PostgreSQL from `date`,
    /// `start_time` and the venue's timezone (local midnight while the time is not announced).
    pub starts_at: DateTime<Utc>,
    pub status: ShowStatus,
    pub description: Option<String>,
    pub ticket_url: Option<String>,
    pub min_price: Option<i32>,
    pub max_price: Option<i32>,
    pub currency: String,
    pub view_count: i32,
    pub attendee_count: i32,
    pub setlist_count: i32,
    pub vote_count: i32,
    pub trending_score: f64,
    pub is_featured: bool,
    pub is_verified: bool,
    pub ticketmaster_id: Option<String>,
    pub setlistfm_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new show. `starts_at` is not written: PostgreSQL derives it.
#[derive(Debug, Clone, Insertable, Deserialize)]
#[diesel(table_name = shows)]
pub struct NewShow {
    pub headliner_artist_id: ArtistId,
    pub venue_id: Option<VenueId>,
    pub name: String,
    pub slug: String,
    pub date: NaiveDate,
    pub start_time: Option<NaiveTime>,
    pub doors_time: Option<NaiveTime>,
    pub status: Option<ShowStatus>,
    pub description: Option<String>,
    pub ticket_url: Option<String>,
    pub min_price: Option<i32>,
    pub max_price: Option<i32>,
    pub currency: Option<String>,
    pub is_featured: Option<bool>,
    pub is_verified: Option<bool>,
    pub ticketmaster_id: Option<String>,
    pub setlistfm_id: Option<String>,
}

/// Changes to a show: `None` leaves a column as it is, `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default, AsChangeset, Deserialize)]
#[diesel(table_name = shows)]
pub struct ShowUpdate {
    pub venue_id: Option<Option<VenueId>>,
    pub name: Option<String>,
    pub date: Option<NaiveDate>,
    pub start_time: Option<Option<NaiveTime>>,
    pub doors_time: Option<Option<NaiveTime>>,
    pub status: Option<ShowStatus>,
    pub description: Option<Option<String>>,
    pub ticket_url: Option<Option<String>>,
    pub min_price: Option<Option<i32>>,
    pub max_price: Option<Option<i32>>,
    pub currency: Option<String>,
    pub trending_score: Option<f64>,
    pub is_featured: Option<bool>,
    pub is_verified: Option<bool>,
    pub ticketmaster_id: Option<Option<String>>,
    pub setlistfm_id: Option<Option<String>>,
}

impl Show {
    pub async fn create(conn: &mut AsyncPgConnection, new: &NewShow) -> QueryResult<Show> {
        diesel::insert_into(shows::table)
            .values(new)
            .returning(Show::as_returning())
            .get_result(conn)
            .await
    }

    pub async fn find(conn: &mut AsyncPgConnection, id: ShowId) -> QueryResult<Show> {
        shows::table
            .find(id)
            .select(Show::as_select())
            .first(conn)
            .await
    }

    pub async fn update(
        conn: &mut AsyncPgConnection,
        id: ShowId,
        changes: &ShowUpdate,
    ) -> QueryResult<Show> {
        diesel::update(shows::table.find(id))
            .set(changes)
            .returning(Show::as_returning())
            .get_result(conn)
            .await
    }

    /// The headlining artist (relations.ts: `headlinerArtist`).
    pub async fn headliner(&self, conn: &mut AsyncPgConnection) -> QueryResult<Artist> {
        Artist::find(conn, self.headliner_artist_id).await
    }

    /// The venue, when known (relations.ts: `venue`).
    pub async fn venue(&self, conn: &mut AsyncPgConnection) -> QueryResult<Option<Venue>> {
        match self.venue_id {
            Some(id) => venues::table
                .find(id)
                .select(Venue::as_select())
                .first(conn)
                .await
                .optional(),
            None => Ok(None),
        }
    }

    /// The show's setlists, predicted before actual (relations.ts: `setlists`).
    pub async fn setlists(&self, conn: &mut AsyncPgConnection) -> QueryResult<Vec<Setlist>> {
        Setlist::belonging_to(self)
            .select(Setlist::as_select())
            .order((setlists::type_, setlists::order_index, setlists::id))
            .load(conn)
            .await
    }

    /// The line-up in billing order, each entry with its artist (relations.ts: `supportingArtists`).
    pub async fn supporting_artists(
        &self,
        conn: &mut AsyncPgConnection,
    ) -> QueryResult<Vec<(ShowArtist, Artist)>> {
        ShowArtist::belonging_to(self)
            .inner_join(artists::table)
            .select((ShowArtist::as_select(), Artist::as_select()))
            .order((show_artists::order_index, show_artists::id))
            .load(conn)
            .await
    }
}

/// An artist on a show's bill; `order_index` 0 is the headliner.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, Associations, Serialize)]
#[diesel(table_name = show_artists, belongs_to(Show), belongs_to(Artist), check_for_backend(diesel::pg::Pg))]
pub struct ShowArtist {
    pub id: ShowArtistId,
    pub show_id: ShowId,
    pub artist_id: ArtistId,
    pub order_index: i32,
    pub set_length: Option<i32>,
    pub is_headliner: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Insertable, Deserialize)]
#[diesel(table_name = show_artists)]
pub struct NewShowArtist {
    pub show_id: ShowId,
    pub artist_id: ArtistId,
    pub order_index: i32,
    pub set_length: Option<i32>,
    pub is_headliner: bool,
}

impl ShowArtist {
    pub async fn create(
        conn: &mut AsyncPgConnection,
        new: &NewShowArtist,
    ) -> QueryResult<ShowArtist> {
        diesel::insert_into(show_artists::table)
            .values(new)
            .returning(ShowArtist::as_returning())
            .get_result(conn)
            .await
    }
}
