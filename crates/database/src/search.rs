//! One search over artists, songs and venues: accent- and case-insensitive, typo-tolerant
//! (pg_trgm similarity of `search_key`s), each kind ranked by similarity and served by its
//! trigram index.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;

use crate::ids::{ArtistId, SongId, VenueId};
use crate::pagination;
use crate::schema::{artists, songs, venues};
use crate::sql::{search_key, similarity, trgm_similar};

/// Longest query searched; longer input is cut (trigram cost grows with length).
pub const MAX_QUERY_CHARS: usize = 100;

#[derive(Debug, Clone, PartialEq, Serialize, Queryable)]
pub struct ArtistHit {
    pub id: ArtistId,
    pub name: String,
    pub slug: String,
    pub image_url: Option<String>,
    pub score: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Queryable)]
pub struct SongHit {
    pub id: SongId,
    pub title: String,
    pub artist_id: ArtistId,
    pub artist_name: String,
    pub artist_slug: String,
    pub score: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Queryable)]
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
pub struct SearchResults {
    pub artists: Vec<ArtistHit>,
    pub songs: Vec<SongHit>,
    pub venues: Vec<VenueHit>,
}

/// Searches artists, songs and venues. An empty (or blank) query finds nothing.
pub async fn search(
    conn: &mut AsyncPgConnection,
    query: &str,
    limit: i64,
) -> QueryResult<SearchResults> {
    let query: String = query.trim().chars().take(MAX_QUERY_CHARS).collect();
    if query.is_empty() {
        return Ok(SearchResults::default());
    }
    let limit = pagination::clamp_limit(Some(limit));

    let artist_score = similarity(search_key(artists::name), search_key(query.clone()));
    let artists = artists::table
        .filter(trgm_similar(
            search_key(artists::name),
            search_key(query.clone()),
        ))
        .select((
            artists::id,
            artists::name,
            artists::slug,
            artists::image_url,
            artist_score.clone(),
        ))
        .order((artist_score.desc(), artists::id))
        .limit(limit)
        .load(conn)
        .await?;

    let song_score = similarity(search_key(songs::title), search_key(query.clone()));
    let songs = songs::table
        .inner_join(artists::table)
        .filter(trgm_similar(
            search_key(songs::title),
            search_key(query.clone()),
        ))
        .select((
            songs::id,
            songs::title,
            songs::artist_id,
            artists::name,
            artists::slug,
            song_score.clone(),
        ))
        .order((song_score.desc(), songs::id))
        .limit(limit)
        .load(conn)
        .await?;

    let venue_score = similarity(search_key(venues::name), search_key(query.clone()));
    let venues = venues::table
        .filter(trgm_similar(search_key(venues::name), search_key(query)))
        .select((
            venues::id,
            venues::name,
            venues::slug,
            venues::city,
            venues::country,
            venue_score.clone(),
        ))
        .order((venue_score.desc(), venues::id))
        .limit(limit)
        .load(conn)
        .await?;

    Ok(SearchResults {
        artists,
        songs,
        venues,
    })
}
