//! Song statistics from an artist's history (`song_stats`, refreshed by the statistics job) and
//! the artist's average setlist: the most likely next setlist, which is also the bot's
//! prediction (`theset_database::history`). Public.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use theset_database::Key;
use theset_database::history::{History, SongStatsRow};
use theset_database::ids::SongId;
use theset_database::models::{Artist, Song};

use crate::error::{ApiError, ApiResult};
use crate::extract::{self, Query, path_id};
use crate::replica::PublicReads;
use crate::routes::artists::PageParams;
use crate::state::AppState;

async fn artist_by_key(
    conn: &mut theset_database::AsyncPgConnection,
    key: &str,
) -> ApiResult<Artist> {
    Artist::find_by_key(conn, &Key::parse(key))
        .await
        .map_err(|e| ApiError::from_db_subject(e.into(), "artist"))
}

/// The artist's songs with statistics, most played first.
#[utoipa::path(
    operation_id = "stats_artist_songs",
    tag = "stats",
    params(("key" = String, Path, description = "Artist slug or UUID"), PageParams),
    responses((status = 200, description = "Per-song statistics", body = Vec<SongStatsRow>), (status = 400, description = "A malformed parameter or body, named in `detail`", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "No such resource", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[get("/v1/artists/{key}/song-stats")]
pub async fn artist_songs(
    state: web::Data<AppState>,
    reads: PublicReads,
    key: web::Path<String>,
    Query(params): Query<PageParams>,
) -> ApiResult<HttpResponse> {
    if params.cursor.is_some() {
        return Err(ApiError::invalid_field(
            "cursor",
            "this list has one page: use limit",
        ));
    }
    let limit = extract::limit(params.limit)?;
    let mut conn = reads.conn(&state).await?;
    let artist = artist_by_key(&mut conn, &key).await?;
    let rows = SongStatsRow::of_artist(&mut conn, artist.id, limit).await?;
    Ok(HttpResponse::Ok().json(rows))
}

/// A song of the average setlist.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AverageSong {
    #[schema(value_type = uuid::Uuid)]
    pub song_id: SongId,
    pub title: String,
    /// Played in an encore more often than not.
    pub encore: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AverageSetlist {
    /// How many of the artist's latest shows it is built from (at most 20).
    pub shows: usize,
    pub songs: Vec<AverageSong>,
}

/// The artist's average setlist: the most likely next setlist (the bot's prediction).
#[utoipa::path(
    operation_id = "stats_average_setlist",
    tag = "stats",
    params(("key" = String, Path, description = "Artist slug or UUID")),
    responses((status = 200, description = "The average setlist, empty without history", body = AverageSetlist), (status = 404, description = "No such resource", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[get("/v1/artists/{key}/average-setlist")]
pub async fn average_setlist(
    state: web::Data<AppState>,
    reads: PublicReads,
    key: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let mut conn = reads.conn(&state).await?;
    let artist = artist_by_key(&mut conn, &key).await?;
    let history = History::load(&mut conn, artist.id, None, None).await?;
    let predicted = history.average_setlist();
    let ids: Vec<SongId> = predicted.iter().map(|p| p.song_id).collect();
    let titles = Song::titles(&mut conn, &ids).await?;
    let songs = predicted
        .iter()
        .map(|p| AverageSong {
            song_id: p.song_id,
            title: titles.get(&p.song_id).cloned().unwrap_or_default(),
            encore: p.encore,
        })
        .collect();
    Ok(HttpResponse::Ok().json(AverageSetlist {
        shows: history
            .shows
            .len()
            .min(theset_database::history::BOT_WINDOW),
        songs,
    }))
}

/// One song's statistics (404 when it was never played).
#[utoipa::path(
    operation_id = "stats_song",
    tag = "stats",
    params(("id" = uuid::Uuid, Path, description = "Song id")),
    responses((status = 200, description = "The song's statistics", body = SongStatsRow), (status = 400, description = "A malformed parameter or body, named in `detail`", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "No such song, or never played", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[get("/v1/songs/{id}/stats")]
pub async fn song(
    state: web::Data<AppState>,
    reads: PublicReads,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let song: SongId = path_id("id", &id)?;
    let mut conn = reads.conn(&state).await?;
    let row = SongStatsRow::of_song(&mut conn, song)
        .await?
        .ok_or_else(|| ApiError::not_found("no statistics: no such song, or never played"))?;
    Ok(HttpResponse::Ok().json(row))
}
