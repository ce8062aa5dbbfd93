//! The artist directory, an artist's page, shows and catalog. Public; the lists carry an `ETag`
//! and answer `If-None-Match` with 304.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use theset_database::Key;
use theset_database::models::{Artist, Show, ShowTimeline, ShowsOf, Song};

use crate::cache::Body;
use crate::error::{ApiError, ApiResult};
use crate::extract::{self, Query};
use crate::replica::PublicReads;
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

#[utoipa::path(
    operation_id = "artists_list",
    tag = "artists",
    params(PageParams, ("If-None-Match" = Option<String>, Header, description = "An `ETag` of an earlier answer: 304 while it is current")),
    responses((status = 200, description = "A page of artists by name", body = theset_database::Page<Artist>, headers(("ETag" = String, description = "Strong tag of the content"))), (status = 304, description = "Not modified: the tag of `If-None-Match` is current", headers(("ETag" = String, description = "Strong tag of the content"))), (status = 400, description = "A malformed parameter or body, named in `detail`", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[get("/v1/artists")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    reads: PublicReads,
    Query(params): Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = extract::limit(params.limit)?;
    let cursor = extract::cursor(params.cursor.as_deref())?;
    let mut conn = reads.conn(&state).await?;
    let page = Artist::list(&mut conn, cursor.as_ref(), limit).await?;
    Ok(Body::json(&page)?.respond(&req))
}

/// An artist by slug or id, with statistics.
#[utoipa::path(
    operation_id = "artists_find",
    tag = "artists",
    params(("key" = String, Path, description = "Slug or UUID")),
    responses((status = 200, description = "The artist with its statistics", body = theset_database::models::ArtistWithStats), (status = 404, description = "No such resource", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[get("/v1/artists/{key}")]
pub async fn find(
    state: web::Data<AppState>,
    reads: PublicReads,
    key: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let mut conn = reads.conn(&state).await?;
    let artist = Artist::find_with_stats(&mut conn, &Key::parse(&key))
        .await
        .map_err(|e| ApiError::from_db_subject(e.into(), "artist"))?;
    Ok(HttpResponse::Ok().json(artist))
}

#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ShowStatusParam {
    #[default]
    Upcoming,
    Completed,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ShowsParams {
    #[serde(default)]
    #[param(inline)]
    pub status: ShowStatusParam,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// The artist's upcoming (soonest first) or completed (latest first) headline shows.
#[utoipa::path(
    operation_id = "artists_shows",
    tag = "artists",
    params(("key" = String, Path, description = "Slug or UUID"), ShowsParams, ("If-None-Match" = Option<String>, Header, description = "An `ETag` of an earlier answer: 304 while it is current")),
    responses((status = 200, description = "A page of the artist's shows", body = theset_database::Page<theset_database::models::ShowCard>, headers(("ETag" = String, description = "Strong tag of the content"))), (status = 304, description = "Not modified: the tag of `If-None-Match` is current", headers(("ETag" = String, description = "Strong tag of the content"))), (status = 400, description = "A malformed parameter or body, named in `detail`", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "No such resource", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[get("/v1/artists/{key}/shows")]
pub async fn shows(
    req: HttpRequest,
    state: web::Data<AppState>,
    reads: PublicReads,
    key: web::Path<String>,
    Query(params): Query<ShowsParams>,
) -> ApiResult<HttpResponse> {
    let limit = extract::limit(params.limit)?;
    let cursor = extract::cursor(params.cursor.as_deref())?;
    if let Some(cursor) = &cursor {
        // Show lists are ordered by start instant: any other cursor is not one of theirs.
        cursor
            .instant()
            .map_err(|_| ApiError::invalid_field("cursor", "not a cursor of this list"))?;
    }
    let timeline = match params.status {
        ShowStatusParam::Upcoming => ShowTimeline::Upcoming,
        ShowStatusParam::Completed => ShowTimeline::Completed,
    };
    let mut conn = reads.conn(&state).await?;
    let artist = Artist::find_by_key(&mut conn, &Key::parse(&key))
        .await
        .map_err(|e| ApiError::from_db_subject(e.into(), "artist"))?;
    let page = Show::list(
        &mut conn,
        ShowsOf::Headliner(artist.id),
        timeline,
        cursor.as_ref(),
        limit,
    )
    .await?;
    Ok(Body::json(&page)?.respond(&req))
}

/// The artist's catalog by title.
#[utoipa::path(
    operation_id = "artists_songs",
    tag = "artists",
    params(("key" = String, Path, description = "Slug or UUID"), PageParams, ("If-None-Match" = Option<String>, Header, description = "An `ETag` of an earlier answer: 304 while it is current")),
    responses((status = 200, description = "A page of the artist's catalog", body = theset_database::Page<Song>, headers(("ETag" = String, description = "Strong tag of the content"))), (status = 304, description = "Not modified: the tag of `If-None-Match` is current", headers(("ETag" = String, description = "Strong tag of the content"))), (status = 400, description = "A malformed parameter or body, named in `detail`", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "No such resource", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[get("/v1/artists/{key}/songs")]
pub async fn songs(
    req: HttpRequest,
    state: web::Data<AppState>,
    reads: PublicReads,
    key: web::Path<String>,
    Query(params): Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = extract::limit(params.limit)?;
    let cursor = extract::cursor(params.cursor.as_deref())?;
    let mut conn = reads.conn(&state).await?;
    let artist = Artist::find_by_key(&mut conn, &Key::parse(&key))
        .await
        .map_err(|e| ApiError::from_db_subject(e.into(), "artist"))?;
    let page = Song::catalog(&mut conn, artist.id, cursor.as_ref(), limit).await?;
    Ok(Body::json(&page)?.respond(&req))
}
