//! One search over artists, songs and venues: accent- and case-insensitive, typo-tolerant per
//! word (pg_trgm similarity against a dictionary of indexed words), each kind ranked by a
//! word-level similarity and served by the word index of migration 000800 (`search_hits`).

use diesel::prelude::*;
use diesel::sql_query;
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

// All three kinds in one round trip; `search_hits` (migration 000800) does the ranking.
const SEARCH: &str = "\
(SELECT 'a' AS kind, a.id, a.name, a.slug, a.image_url, NULL::uuid AS artist_id, \
        NULL::text AS artist_name, NULL::text AS city, NULL::text AS country, h.score \
   FROM search_hits($1, 'a', $2) h JOIN artists a ON a.id = h.entity_id) \
UNION ALL \
(SELECT 's', s.id, s.title, a.slug, NULL, a.id, a.name, NULL, NULL, h.score \
   FROM search_hits($1, 's', $2) h JOIN songs s ON s.id = h.entity_id \
   JOIN artists a ON a.id = s.artist_id) \
UNION ALL \
(SELECT 'v', v.id, v.name, v.slug, NULL, NULL, NULL, v.city, v.country, h.score \
   FROM search_hits($1, 'v', $2) h JOIN venues v ON v.id = h.entity_id) \
ORDER BY kind, score DESC, id";

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
    let hits: Vec<Hit> = sql_query(SEARCH)
        .bind::<Text, _>(&query)
        .bind::<Integer, _>(limit)
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
