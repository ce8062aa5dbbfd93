//! `shows` and `show_artists`.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};

use postgis_diesel::types::Point;

use crate::enums::ShowStatus;
use crate::ids::{ArtistId, ShowArtistId, ShowId, VenueId};
use crate::models::{Artist, ArtistSummary, Setlist, SetlistWithSongs, Venue, VenueSummary};
use crate::pagination::{self, Cursor, Key, LiteralLimit, LiteralLimitDsl, Page};
use crate::schema::{artists, setlists, show_artists, shows, venues};
use crate::sql;

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
    /// Ticketmaster's status code (`onsale`, `offsale`, `canceled`, `postponed`,
    /// `rescheduled`): a postponed show stays `upcoming` on a date that may not hold.
    pub ticketmaster_status: Option<String>,
}

/// A new show. `starts_at` is not written: PostgreSQL derives it. Optional fields left `None`
/// take the column default.
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
    pub ticketmaster_status: Option<String>,
}

impl NewShow {
    /// A show needs its headliner, a name, a slug and a date; the rest is optional.
    pub fn new(headliner: ArtistId, name: String, slug: String, date: NaiveDate) -> Self {
        NewShow {
            headliner_artist_id: headliner,
            venue_id: None,
            name,
            slug,
            date,
            start_time: None,
            doors_time: None,
            status: None,
            description: None,
            ticket_url: None,
            min_price: None,
            max_price: None,
            currency: None,
            is_featured: None,
            is_verified: None,
            ticketmaster_id: None,
            setlistfm_id: None,
            ticketmaster_status: None,
        }
    }
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
    pub ticketmaster_status: Option<Option<String>>,
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

    /// The headlining artist (design card, "Schema Relations": `headlinerArtist`).
    pub async fn headliner(&self, conn: &mut AsyncPgConnection) -> QueryResult<Artist> {
        Artist::find(conn, self.headliner_artist_id).await
    }

    /// The venue, when known (design card, "Schema Relations": `venue`).
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

    /// The show's setlists, predicted before actual (design card, "Schema Relations": `setlists`).
    pub async fn setlists(&self, conn: &mut AsyncPgConnection) -> QueryResult<Vec<Setlist>> {
        Setlist::belonging_to(self)
            .select(Setlist::as_select())
            .order((setlists::type_, setlists::order_index, setlists::id))
            .load(conn)
            .await
    }

    /// The line-up in billing order, each entry with its artist (design card, "Schema Relations": `supportingArtists`).
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

/// A show page: the show with its headliner, venue, line-up and setlists (`Show::details`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShowDetails {
    pub show: Show,
    pub headliner: Artist,
    pub venue: Option<Venue>,
    /// The bill in order (`order_index`), each slot with its artist.
    pub lineup: Vec<LineupSlot>,
    /// Predicted setlists first, then actual ones, each with its songs in order.
    pub setlists: Vec<SetlistWithSongs>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineupSlot {
    pub slot: ShowArtist,
    pub artist: Artist,
}

/// A show as lists show it: with a summary of its headliner and venue.
#[derive(Debug, Clone, PartialEq, Serialize, Queryable, Selectable)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct ShowCard {
    #[diesel(embed)]
    pub show: Show,
    #[diesel(embed)]
    pub headliner: ArtistSummary,
    #[diesel(embed)]
    pub venue: Option<VenueSummary>,
}

/// A show near a point, with its venue's distance from it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NearbyShow {
    #[serde(flatten)]
    pub card: ShowCard,
    pub distance_m: f64,
}

/// Which shows of an artist or venue a list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShowTimeline {
    /// Status `upcoming`, soonest first.
    Upcoming,
    /// Status `completed`, most recent first.
    Completed,
}

/// The owner of a list of shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShowsOf {
    Headliner(ArtistId),
    Venue(VenueId),
}

/// How nearby shows are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NearbyOrder {
    #[default]
    Nearest,
    Soonest,
}

/// Upcoming shows within `radius_km` of a point, starting in `[from, to)`.
#[derive(Debug, Clone, PartialEq)]
pub struct NearbyShows {
    pub latitude: f64,
    pub longitude: f64,
    pub radius_km: f64,
    pub from: DateTime<Utc>,
    pub to: Option<DateTime<Utc>>,
    pub order: NearbyOrder,
    pub limit: i64,
}

type TrendingQuery = diesel::dsl::Select<
    diesel::dsl::Order<
        diesel::dsl::Filter<
            diesel::dsl::LeftJoin<
                diesel::dsl::InnerJoin<shows::table, artists::table>,
                venues::table,
            >,
            UpcomingOnly,
        >,
        (diesel::dsl::Desc<shows::trending_score>, shows::id),
    >,
    diesel::dsl::AsSelect<ShowCard, diesel::pg::Pg>,
>;

/// `shows.status = 'upcoming'` with the status written into the SQL. (Diesel's `sql()` literal
/// would do, but it marks the statement as not to be cached, so it is prepared on every call.)
#[derive(Debug, Clone, Copy, diesel::query_builder::QueryId, diesel::expression::ValidGrouping)]
pub struct UpcomingOnly;

impl Expression for UpcomingOnly {
    type SqlType = diesel::sql_types::Bool;
}

impl<QS> AppearsOnTable<QS> for UpcomingOnly where shows::status: AppearsOnTable<QS> {}

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for UpcomingOnly {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        shows::status.walk_ast(out.reborrow())?;
        out.push_sql(" = 'upcoming'");
        Ok(())
    }
}

fn card_cursor(card: &ShowCard) -> Cursor {
    Cursor::new(card.show.starts_at.to_rfc3339(), card.show.id.0)
}

impl Show {
    /// A show by id or slug.
    pub async fn find_by_key(conn: &mut AsyncPgConnection, key: &Key) -> QueryResult<Show> {
        match key {
            Key::Id(id) => Show::find(conn, ShowId(*id)).await,
            Key::Slug(slug) => {
                shows::table
                    .filter(shows::slug.eq(slug))
                    .select(Show::as_select())
                    .first(conn)
                    .await
            }
        }
    }

    /// The design card's `getShowWithDetails`: one statement, one round trip, whatever the size of
    /// the setlists. `NotFound` when no show has that id or slug.
    pub async fn details(conn: &mut AsyncPgConnection, key: &Key) -> QueryResult<ShowDetails> {
        let json = Self::details_json(conn, key).await?;
        serde_json::from_str(&json)
            .map_err(|e| diesel::result::Error::DeserializationError(Box::new(e)))
    }

    /// [`Show::details`] as PostgreSQL writes it: a JSON document with the fields of
    /// [`ShowDetails`] (timestamps with `+00:00` rather than `Z`), for callers that only pass it
    /// on, such as the API, which then neither parses nor re-serialises 20-30 KB per page.
    pub async fn details_json(conn: &mut AsyncPgConnection, key: &Key) -> QueryResult<String> {
        let json: Option<String> = diesel::select(sql::show_details(key.id(), key.slug()))
            .get_result(conn)
            .await?;
        json.ok_or(diesel::result::Error::NotFound)
    }

    /// The design card's `getTrendingShows`: upcoming shows by trending score, highest first.
    pub async fn trending(conn: &mut AsyncPgConnection, limit: i64) -> QueryResult<Vec<ShowCard>> {
        Self::trending_query(limit).load(conn).await
    }

    /// The statement behind [`Show::trending`] (the benchmark runs the same SQL through pgbench).
    /// The status and the limit are literals, not parameters: only then does the one prepared
    /// statement get a cached plan on the partial index `idx_shows_trending_upcoming` (see
    /// [`LiteralLimit`]) instead of being planned again on every call.
    pub fn trending_query(limit: i64) -> LiteralLimit<TrendingQuery> {
        shows::table
            .inner_join(artists::table)
            .left_join(venues::table)
            .filter(UpcomingOnly)
            .order((shows::trending_score.desc(), shows::id))
            .select(ShowCard::as_select())
            .literal_limit(pagination::clamp_limit(Some(limit)))
    }

    /// An artist's (as headliner) or a venue's shows, a page at a time.
    pub async fn list(
        conn: &mut AsyncPgConnection,
        of: ShowsOf,
        timeline: ShowTimeline,
        cursor: Option<&Cursor>,
        limit: i64,
    ) -> QueryResult<Page<ShowCard>> {
        let limit = pagination::clamp_limit(Some(limit));
        let mut query = shows::table
            .inner_join(artists::table)
            .left_join(venues::table)
            .select(ShowCard::as_select())
            .into_boxed();
        query = match of {
            ShowsOf::Headliner(artist) => query.filter(shows::headliner_artist_id.eq(artist)),
            ShowsOf::Venue(venue) => query.filter(shows::venue_id.eq(venue)),
        };
        let after = cursor
            .map(|c| c.instant().map(|at| (at, ShowId(c.id))))
            .transpose();
        let after = after.map_err(|e| diesel::result::Error::QueryBuilderError(Box::new(e)))?;
        query = match timeline {
            ShowTimeline::Upcoming => {
                let query = query
                    .filter(shows::status.eq(ShowStatus::Upcoming))
                    .order((shows::starts_at, shows::id));
                match after {
                    Some((at, id)) => query
                        .filter(shows::starts_at.ge(at))
                        .filter(shows::starts_at.gt(at).or(shows::id.gt(id))),
                    None => query,
                }
            }
            ShowTimeline::Completed => {
                let query = query
                    .filter(shows::status.eq(ShowStatus::Completed))
                    .order((shows::starts_at.desc(), shows::id.desc()));
                match after {
                    Some((at, id)) => query
                        .filter(shows::starts_at.le(at))
                        .filter(shows::starts_at.lt(at).or(shows::id.lt(id))),
                    None => query,
                }
            }
        };
        let rows = query.limit(limit + 1).load(conn).await?;
        Ok(Page::from_rows(rows, limit, card_cursor))
    }

    /// Upcoming shows near a point, nearest or soonest first: the venues in the radius come from
    /// their GiST index, their upcoming shows from a partial index ([`NearbyStatement`]).
    pub async fn nearby(
        conn: &mut AsyncPgConnection,
        search: &NearbyShows,
    ) -> QueryResult<Vec<NearbyShow>> {
        let statement = NearbyStatement {
            point: Point {
                x: search.longitude,
                y: search.latitude,
                srid: Some(4326),
            },
            radius_m: search.radius_km * 1000.0,
            from: search.from,
            to: search.to,
            order: search.order,
            limit: pagination::clamp_limit(Some(search.limit)),
            columns: (
                Show::as_select(),
                ArtistSummary::as_select(),
                VenueSummary::as_select(),
            ),
        };
        let rows: Vec<(Show, ArtistSummary, VenueSummary, f64)> = statement.load(conn).await?;
        Ok(rows
            .into_iter()
            .map(|(show, headliner, venue, distance_m)| NearbyShow {
                card: ShowCard {
                    show,
                    headliner,
                    venue: Some(venue),
                },
                distance_m,
            })
            .collect())
    }
}

/// The nearby-shows statement. Each venue's distance is computed once (not once per show), the
/// first `limit` shows are chosen from the index alone (`idx_shows_upcoming_by_venue`, in
/// the core schema migration), and only those are joined to their rows, headliner and venue: a quarter of the
/// time of the same query written as one join (which measured every show's distance and read
/// every candidate's row). The selected columns are diesel's, so rows load as the models.
struct NearbyStatement {
    point: Point,
    radius_m: f64,
    from: DateTime<Utc>,
    to: Option<DateTime<Utc>>,
    order: NearbyOrder,
    limit: i64,
    // diesel's select lists: kept here because `walk_ast` borrows them for the statement's life.
    columns: (
        diesel::dsl::AsSelect<Show, diesel::pg::Pg>,
        diesel::dsl::AsSelect<ArtistSummary, diesel::pg::Pg>,
        diesel::dsl::AsSelect<VenueSummary, diesel::pg::Pg>,
    ),
}

impl NearbyStatement {
    /// Sort keys of the chosen shows, named as `hits` outputs them (the same names in both queries).
    fn order(&self) -> &'static str {
        match self.order {
            NearbyOrder::Nearest => "distance, show_starts_at, show_id",
            NearbyOrder::Soonest => "show_starts_at, distance, show_id",
        }
    }
}

impl diesel::query_builder::QueryId for NearbyStatement {
    type QueryId = ();
    // Prepared once per connection for each SQL text (one per order).
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl diesel::query_builder::Query for NearbyStatement {
    type SqlType = (
        diesel::dsl::SqlTypeOf<diesel::dsl::AsSelect<Show, diesel::pg::Pg>>,
        diesel::dsl::SqlTypeOf<diesel::dsl::AsSelect<ArtistSummary, diesel::pg::Pg>>,
        diesel::dsl::SqlTypeOf<diesel::dsl::AsSelect<VenueSummary, diesel::pg::Pg>>,
        diesel::sql_types::Double,
    );
}

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for NearbyStatement {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        use diesel::sql_types::{Double, Nullable, Timestamptz};
        use postgis_diesel::sql_types::Geography;
        out.push_sql("WITH p AS (SELECT ");
        out.push_bind_param::<Geography, _>(&self.point)?;
        out.push_sql(" AS g), near AS MATERIALIZED (SELECT v.id, ST_Distance(v.location, p.g) AS distance FROM venues v, p WHERE ST_DWithin(v.location, p.g, ");
        out.push_bind_param::<Double, _>(&self.radius_m)?;
        out.push_sql(")), hits AS (SELECT s.id AS show_id, s.starts_at AS show_starts_at, near.distance FROM near JOIN shows s ON s.venue_id = near.id WHERE s.status = 'upcoming' AND s.starts_at >= ");
        out.push_bind_param::<Timestamptz, _>(&self.from)?;
        out.push_sql(" AND s.starts_at < coalesce(");
        out.push_bind_param::<Nullable<Timestamptz>, _>(&self.to)?;
        out.push_sql(", 'infinity') ORDER BY ");
        out.push_sql(self.order());
        out.push_sql(" LIMIT ");
        out.push_bind_param::<diesel::sql_types::BigInt, _>(&self.limit)?;
        out.push_sql(") SELECT ");
        self.columns.0.walk_ast(out.reborrow())?;
        out.push_sql(", ");
        self.columns.1.walk_ast(out.reborrow())?;
        out.push_sql(", ");
        self.columns.2.walk_ast(out.reborrow())?;
        out.push_sql(", hits.distance FROM hits JOIN shows ON shows.id = hits.show_id JOIN artists ON artists.id = shows.headliner_artist_id JOIN venues ON venues.id = shows.venue_id ORDER BY ");
        out.push_sql(self.order());
        Ok(())
    }
}

/// What one trending recompute changed ([`Show::recompute_trending`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TrendingChanges {
    pub shows: i32,
    pub artists: i32,
}

/// What one pass of [`Show::advance_statuses`] changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StatusChanges {
    /// Shows moved from `upcoming` to `ongoing`.
    pub started: i32,
    /// Shows moved to `completed` (from `ongoing`, or straight from `upcoming` when late).
    pub completed: i32,
    /// Predicted setlists locked because their show started.
    pub locked: i32,
}

impl Show {
    /// How long a show counts as `ongoing` after its start instant (the SQL default of
    /// `advance_show_statuses`). Shows whose start time is not announced stay ongoing until this
    /// long after the end of their local day.
    pub const ONGOING_FOR: chrono::TimeDelta = chrono::TimeDelta::hours(6);

    /// Recomputes every show's and artist's `trending_score` as of `as_of` (the database's
    /// clock when `None`): time-decayed recent votes and views, the formula in the crate README
    /// ("Trending"). Idempotent; concurrent runs serialise.
    pub async fn recompute_trending(
        conn: &mut AsyncPgConnection,
        as_of: Option<DateTime<Utc>>,
    ) -> QueryResult<TrendingChanges> {
        let (shows, artists) = diesel::select(sql::recompute_trending_scores(as_of))
            .get_result::<(i32, i32)>(conn)
            .await?;
        Ok(TrendingChanges { shows, artists })
    }

    /// Moves shows whose start instant has passed from `upcoming` to `ongoing` (locking their
    /// predicted setlists), and to `completed` [`Show::ONGOING_FOR`] later, as of `as_of` (the
    /// database's clock when `None`). Idempotent.
    pub async fn advance_statuses(
        conn: &mut AsyncPgConnection,
        as_of: Option<DateTime<Utc>>,
    ) -> QueryResult<StatusChanges> {
        let (started, completed, locked) = diesel::select(sql::advance_show_statuses(as_of))
            .get_result::<(i32, i32, i32)>(conn)
            .await?;
        Ok(StatusChanges {
            started,
            completed,
            locked,
        })
    }
}

// The provider imports' writes (crates/imports).

#[derive(QueryableByName)]
struct ShowWritten {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: ShowId,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    changed: bool,
}

/// A Ticketmaster event as the import writes it. `start_time` is `None` when the time is not
/// announced (the show then starts, and predictions lock, at local midnight).
#[derive(Debug, Clone)]
pub struct TicketmasterShow {
    pub ticketmaster_id: String,
    /// Ticketmaster's status code (`onsale`, `canceled`, `postponed`, ...), kept as it is.
    pub ticketmaster_status: String,
    pub headliner: ArtistId,
    pub venue: VenueId,
    pub name: String,
    pub slug: String,
    pub date: NaiveDate,
    pub start_time: Option<NaiveTime>,
    pub ticket_url: Option<String>,
    pub min_price: Option<i32>,
    pub max_price: Option<i32>,
    pub currency: Option<String>,
}

/// A show of the artist near a setlist's date, a candidate for the setlist (`Show::setlistfm_candidates`).
#[derive(Debug, Clone, QueryableByName)]
pub struct SetlistCandidate {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub id: ShowId,
    /// Days between the show's date and the setlist's.
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pub day_offset: i32,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub has_venue: bool,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub same_venue_id: bool,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub same_city: bool,
    /// The venue is within the given distance of the setlist's coordinates.
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub near: bool,
}

/// Where a setlist.fm setlist was played, as far as it says.
#[derive(Debug, Clone, Default)]
pub struct SetlistPlace {
    pub setlistfm_venue_id: Option<String>,
    pub city: Option<String>,
    /// (latitude, longitude)
    pub coordinates: Option<(f64, f64)>,
}

impl Show {
    /// Creates or updates the show with this Ticketmaster event id; answers its id and whether a
    /// row was written. Cancelled events cancel an upcoming show, an event back on sale re-opens
    /// a cancelled one; shows already ongoing or completed keep their status.
    pub async fn upsert_by_ticketmaster(
        conn: &mut AsyncPgConnection,
        show: &TicketmasterShow,
    ) -> QueryResult<(ShowId, bool)> {
        use diesel::sql_types::{Date, Integer, Nullable, Text, Time, Uuid};
        // raw SQL: the status rule sits in the conflict clause, and the id comes back either way.
        let row: ShowWritten = diesel::sql_query(
            "WITH up AS (
               INSERT INTO shows AS s (headliner_artist_id, venue_id, name, slug, date, start_time,
                                       status, ticket_url, min_price, max_price, currency,
                                       ticketmaster_id, ticketmaster_status)
               VALUES ($1, $2, $3, $4, $5, $6,
                       CASE WHEN $7 = 'canceled' THEN 'cancelled' ELSE 'upcoming' END::show_status,
                       $8, $9, $10, coalesce($11, 'USD'), $12, $7)
               ON CONFLICT (ticketmaster_id) DO UPDATE SET
                 headliner_artist_id = EXCLUDED.headliner_artist_id, venue_id = EXCLUDED.venue_id,
                 name = EXCLUDED.name, date = EXCLUDED.date, start_time = EXCLUDED.start_time,
                 ticket_url = EXCLUDED.ticket_url, min_price = EXCLUDED.min_price,
                 max_price = EXCLUDED.max_price, currency = EXCLUDED.currency,
                 ticketmaster_status = EXCLUDED.ticketmaster_status,
                 status = CASE
                   WHEN EXCLUDED.status = 'cancelled' AND s.status = 'upcoming' THEN 'cancelled'
                   WHEN EXCLUDED.status = 'upcoming' AND s.status = 'cancelled' THEN 'upcoming'
                   ELSE s.status END::show_status
               WHERE (s.headliner_artist_id, s.venue_id, s.name, s.date, s.start_time, s.ticket_url,
                      s.min_price, s.max_price, s.currency, s.ticketmaster_status)
                 IS DISTINCT FROM (EXCLUDED.headliner_artist_id, EXCLUDED.venue_id, EXCLUDED.name,
                      EXCLUDED.date, EXCLUDED.start_time, EXCLUDED.ticket_url, EXCLUDED.min_price,
                      EXCLUDED.max_price, EXCLUDED.currency, EXCLUDED.ticketmaster_status)
                 OR (EXCLUDED.status = 'cancelled' AND s.status = 'upcoming')
                 OR (EXCLUDED.status = 'upcoming' AND s.status = 'cancelled')
               RETURNING id)
             SELECT id, true AS changed FROM up
             UNION ALL SELECT id, false AS changed FROM shows WHERE ticketmaster_id = $12
             LIMIT 1",
        )
        .bind::<Uuid, _>(show.headliner)
        .bind::<Uuid, _>(show.venue)
        .bind::<Text, _>(&show.name)
        .bind::<Text, _>(&show.slug)
        .bind::<Date, _>(show.date)
        .bind::<Nullable<Time>, _>(show.start_time)
        .bind::<Text, _>(&show.ticketmaster_status)
        .bind::<Nullable<Text>, _>(&show.ticket_url)
        .bind::<Nullable<Integer>, _>(show.min_price)
        .bind::<Nullable<Integer>, _>(show.max_price)
        .bind::<Nullable<Text>, _>(&show.currency)
        .bind::<Text, _>(&show.ticketmaster_id)
        .get_result(conn)
        .await?;
        Ok((row.id, row.changed))
    }

    /// A show made from a setlist.fm setlist we had no show for, with its headliner as its
    /// whole line-up.
    pub async fn create_from_setlistfm(
        conn: &mut AsyncPgConnection,
        new: &NewShow,
    ) -> QueryResult<ShowId> {
        let id = diesel::insert_into(shows::table)
            .values(new)
            .returning(shows::id)
            .get_result(conn)
            .await?;
        diesel::insert_into(show_artists::table)
            .values(&NewShowArtist {
                show_id: id,
                artist_id: new.headliner_artist_id,
                order_index: 0,
                set_length: None,
                is_headliner: true,
            })
            .execute(conn)
            .await?;
        Ok(id)
    }

    /// The show that holds this setlist.fm setlist id.
    pub async fn find_by_setlistfm_id(
        conn: &mut AsyncPgConnection,
        setlistfm_id: &str,
    ) -> QueryResult<Option<ShowId>> {
        shows::table
            .filter(shows::setlistfm_id.eq(setlistfm_id))
            .select(shows::id)
            .first(conn)
            .await
            .optional()
    }

    /// Gives the show this setlist.fm id, when it has none and no other show holds it.
    pub async fn link_setlistfm(
        conn: &mut AsyncPgConnection,
        show: ShowId,
        setlistfm_id: &str,
    ) -> QueryResult<usize> {
        use diesel::sql_types::{Text, Uuid};
        // raw SQL: the update reads its own table (no other show may hold the id).
        diesel::sql_query(
            "UPDATE shows SET setlistfm_id = $2
             WHERE id = $1 AND setlistfm_id IS NULL
               AND NOT EXISTS (SELECT 1 FROM shows WHERE setlistfm_id = $2)",
        )
        .bind::<Uuid, _>(show)
        .bind::<Text, _>(setlistfm_id)
        .execute(conn)
        .await
    }

    /// The artist's shows (headlined or on the bill) within a day of `date` that hold no other
    /// setlist.fm setlist than `setlistfm_id`, oldest first, with what they share with `place`;
    /// `near` means within `near_meters` of its coordinates.
    pub async fn setlistfm_candidates(
        conn: &mut AsyncPgConnection,
        artist: ArtistId,
        date: NaiveDate,
        setlistfm_id: &str,
        place: &SetlistPlace,
        near_meters: f64,
    ) -> QueryResult<Vec<SetlistCandidate>> {
        use diesel::sql_types::{Date, Float8, Nullable, Text, Uuid};
        let (lat, long) = place.coordinates.unzip();
        // raw SQL: a read of three tables with per-row evidence flags, clearer as one statement.
        diesel::sql_query(
            "SELECT s.id, abs(s.date - $2)::integer AS day_offset, v.id IS NOT NULL AS has_venue,
                    coalesce(v.setlistfm_id = $4, false) AS same_venue_id,
                    coalesce(search_key(v.city) = search_key($5), false) AS same_city,
                    coalesce(ST_DWithin(v.location,
                               ST_SetSRID(ST_MakePoint($7, $6), 4326)::geography, $8), false) AS near
             FROM shows s
             LEFT JOIN venues v ON v.id = s.venue_id
             WHERE s.date BETWEEN $2 - 1 AND $2 + 1
               AND (s.headliner_artist_id = $1
                    OR EXISTS (SELECT 1 FROM show_artists sa WHERE sa.show_id = s.id AND sa.artist_id = $1))
               AND NOT EXISTS (
                 SELECT 1 FROM setlists sl
                 WHERE sl.show_id = s.id AND sl.artist_id = $1 AND sl.type = 'actual'
                   AND sl.imported_from = 'setlist.fm' AND sl.external_id <> $3)
             ORDER BY s.created_at, s.id",
        )
        .bind::<Uuid, _>(artist)
        .bind::<Date, _>(date)
        .bind::<Text, _>(setlistfm_id)
        .bind::<Nullable<Text>, _>(&place.setlistfm_venue_id)
        .bind::<Nullable<Text>, _>(&place.city)
        .bind::<Nullable<Float8>, _>(lat)
        .bind::<Nullable<Float8>, _>(long)
        .bind::<Float8, _>(near_meters)
        .load(conn)
        .await
    }
}

impl ShowArtist {
    /// Makes the show's line-up exactly `lineup` (first: the headliner), in order, touching
    /// only rows that change. Duplicates after the first are ignored.
    pub async fn replace_lineup(
        conn: &mut AsyncPgConnection,
        show: ShowId,
        lineup: &[ArtistId],
    ) -> QueryResult<()> {
        use diesel::sql_types::{Array, Uuid};
        let mut ids: Vec<ArtistId> = Vec::with_capacity(lineup.len());
        for artist in lineup {
            if !ids.contains(artist) {
                ids.push(*artist);
            }
        }
        // Positions may swap: check their uniqueness at commit.
        diesel::sql_query("SET CONSTRAINTS show_artists_show_order_key DEFERRED")
            .execute(conn)
            .await?;
        diesel::delete(
            show_artists::table
                .filter(show_artists::show_id.eq(show))
                .filter(show_artists::artist_id.ne_all(&ids)),
        )
        .execute(conn)
        .await?;
        // raw SQL: positions come from the array's order (WITH ORDINALITY), written only when they differ.
        diesel::sql_query(
            "INSERT INTO show_artists AS sa (show_id, artist_id, order_index, is_headliner)
             SELECT $1, artist, (n - 1)::integer, n = 1
             FROM unnest($2::uuid[]) WITH ORDINALITY AS t (artist, n)
             ON CONFLICT (show_id, artist_id) DO UPDATE SET
               order_index = EXCLUDED.order_index, is_headliner = EXCLUDED.is_headliner
             WHERE (sa.order_index, sa.is_headliner)
               IS DISTINCT FROM (EXCLUDED.order_index, EXCLUDED.is_headliner)",
        )
        .bind::<Uuid, _>(show)
        .bind::<Array<Uuid>, _>(&ids)
        .execute(conn)
        .await?;
        Ok(())
    }
}
