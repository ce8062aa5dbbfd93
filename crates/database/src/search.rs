//! One search over artists, songs and venues: accent- and case-insensitive, typo-tolerant per
//! word (pg_trgm similarity against a dictionary of indexed words), each kind ranked by a
//! word-level similarity and served by the word index (tables: migration 000800; its triggers and
//! `search_all`: `replaceable/90_search.sql`).

use diesel::prelude::*;
use diesel::sql_types::{Float4, Integer, Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;

use crate::ids::{ArtistId, SongId, VenueId};
use crate::pagination;

/// Longest query searched; longer input is cut (trigram cost grows with length).
pub const MAX_QUERY_CHARS: usize = 100;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArtistHit {
    pub id: ArtistId,
    pub name: String,
    pub slug: String,
    pub image_url: Option<String>,
    pub score: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SongHit {
    pub id: SongId,
    pub title: String,
    pub artist_id: ArtistId,
    pub artist_name: String,
    pub artist_slug: String,
    pub score: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VenueHit {
    pub id: VenueId,
    pub name: String,
    pub slug: String,
    pub city: String,
    pub country: String,
    pub score: f32,
}

/// Up to `limit` hits of each kind, best first.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchResults {
    pub artists: Vec<ArtistHit>,
    pub songs: Vec<SongHit>,
    pub venues: Vec<VenueHit>,
}

/// One row of the combined statement; `kind` says which fields are set.
#[derive(QueryableByName)]
struct Hit {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: uuid::Uuid,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Nullable<Text>)]
    slug: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    image_url: Option<String>,
    #[diesel(sql_type = Nullable<diesel::sql_types::Uuid>)]
    artist_id: Option<uuid::Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    artist_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    city: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    country: Option<String>,
    #[diesel(sql_type = Float4)]
    score: f32,
}

/// All three kinds in one round trip; `search_all` (`replaceable/90_search.sql`) does the
/// ranking. It follows `WITH p AS (SELECT <query> AS q, <limit> AS lim)` (see `SearchStatement`),
/// so each parameter is bound once. Public for the benchmarks' pgbench ceiling
/// (`examples/ceiling_sql`).
pub const SEARCH_BODY: &str = "\
, h AS MATERIALIZED (SELECT h.* FROM p, search_all(p.q, p.lim) h) \
(SELECT 'a' AS kind, a.id, a.name, a.slug, a.image_url, NULL::uuid AS artist_id, \
        NULL::text AS artist_name, NULL::text AS city, NULL::text AS country, h.score \
   FROM h JOIN artists a ON a.id = h.entity_id WHERE h.kind = 'a') \
UNION ALL \
(SELECT 's', s.id, s.title, a.slug, NULL, a.id, a.name, NULL, NULL, h.score \
   FROM h JOIN songs s ON s.id = h.entity_id JOIN artists a ON a.id = s.artist_id \
  WHERE h.kind = 's') \
UNION ALL \
(SELECT 'v', v.id, v.name, v.slug, NULL, NULL, NULL, v.city, v.country, h.score \
   FROM h JOIN venues v ON v.id = h.entity_id WHERE h.kind = 'v') \
ORDER BY kind, score DESC, id";

/// The search statement with its two parameters. Unlike diesel's `sql_query`, which marks its
/// statement as not to be cached (and so is parsed and planned on every call), it is prepared
/// once per connection.
#[derive(Debug)]
struct SearchStatement<'a> {
    query: &'a str,
    limit: i32,
}

impl diesel::query_builder::QueryId for SearchStatement<'_> {
    type QueryId = ();
    // Cached by its SQL text, which never changes.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl diesel::query_builder::Query for SearchStatement<'_> {
    type SqlType = diesel::sql_types::Untyped;
}

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for SearchStatement<'_> {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        out.push_sql("WITH p AS (SELECT ");
        out.push_bind_param::<Text, _>(&self.query)?;
        out.push_sql(" AS q, ");
        out.push_bind_param::<Integer, _>(&self.limit)?;
        out.push_sql(" AS lim) ");
        out.push_sql(SEARCH_BODY);
        Ok(())
    }
}

/// Searches artists, songs and venues. An empty (or blank) query finds nothing.
///
/// Matching is per word: each word of the query matches the indexed words of names that are
/// trigram-similar to it (typos, accents and case do not matter), and a name scores
/// `matched / (query words + name words - matched)`, 1.0 for an exact match.
pub async fn search(
    conn: &mut AsyncPgConnection,
    query: &str,
    limit: i64,
) -> QueryResult<SearchResults> {
    let query: String = query.trim().chars().take(MAX_QUERY_CHARS).collect();
    let mut results = SearchResults::default();
    if query.is_empty() {
        return Ok(results);
    }
    let limit = i32::try_from(pagination::clamp_limit(Some(limit))).unwrap_or(i32::MAX);
    let hits: Vec<Hit> = SearchStatement {
        query: &query,
        limit,
    }
    .load(conn)
    .await?;
    for hit in hits {
        match (hit.kind.as_str(), hit.slug, hit.artist_id, hit.artist_name) {
            ("a", Some(slug), ..) => results.artists.push(ArtistHit {
                id: ArtistId::from(hit.id),
                name: hit.name,
                slug,
                image_url: hit.image_url,
                score: hit.score,
            }),
            ("s", Some(artist_slug), Some(artist_id), Some(artist_name)) => {
                results.songs.push(SongHit {
                    id: SongId::from(hit.id),
                    title: hit.name,
                    artist_id: ArtistId::from(artist_id),
                    artist_name,
                    artist_slug,
                    score: hit.score,
                });
            }
            ("v", Some(slug), ..) => results.venues.push(VenueHit {
                id: VenueId::from(hit.id),
                name: hit.name,
                slug,
                city: hit.city.unwrap_or_default(),
                country: hit.country.unwrap_or_default(),
                score: hit.score,
            }),
            _ => {}
        }
    }
    Ok(results)
}

/// Recounts how many names of each kind hold each indexed word. A several-word search
/// intersects its rarest words first by these counts: stale counts make it slower, never
/// different. Run by the worker's full statistics refresh (`refresh_artist_stats`) and by every
/// index rebuild. Returns the words whose counts changed.
pub async fn count_words(conn: &mut AsyncPgConnection) -> QueryResult<i32> {
    diesel::select(crate::sql::search_words_count())
        .get_result(conn)
        .await
}
