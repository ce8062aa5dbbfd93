//! Shows: trending, nearby, one show's page, the caller's votes on it, and its status
//! (moderators). The page and trending come from the show cache (`crate::cache`) when it holds
//! them; public reads carry an `ETag` and answer `If-None-Match` with 304.

use actix_web::{HttpRequest, HttpResponse, get, patch, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use theset_database::models::{NearbyOrder, NearbyShows, Show, ShowUpdate, Vote};
use theset_database::{Key, ShowStatus};

use crate::auth::Caller;
use crate::cache::Body;
use crate::db;
use crate::error::{ApiError, ApiResult};
use crate::extract::{self, Json, Query};
use crate::replica::PublicReads;
use crate::routes::venues::point_and_radius;
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TrendingParams {
    pub limit: Option<i64>,
}

/// Upcoming shows by trending score, highest first.
#[utoipa::path(
    operation_id = "shows_trending",
    tag = "shows",
    params(TrendingParams, ("If-None-Match" = Option<String>, Header, description = "An `ETag` of an earlier answer: 304 while it is current")),
    responses((status = 200, description = "Upcoming shows by trending score", body = Vec<theset_database::models::ShowCard>, headers(("ETag" = String, description = "Strong tag of the content"))), (status = 304, description = "Not modified: the tag of `If-None-Match` is current", headers(("ETag" = String, description = "Strong tag of the content"))), (status = 400, description = "A malformed parameter or body, named in `detail`", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[get("/v1/shows/trending")]
pub async fn trending(
    req: HttpRequest,
    state: web::Data<AppState>,
    reads: PublicReads,
    Query(params): Query<TrendingParams>,
) -> ApiResult<HttpResponse> {
    let limit = extract::limit(params.limit)?;
    let state_ref = &state;
    let read = move |kept| async move {
        let mut conn = reads.or_primary(kept).conn(state_ref).await?;
        Body::json(&Show::trending(&mut conn, limit).await?)
    };
    Ok(state.cache.trending(limit, read).await?.respond(&req))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct NearbyParams {
    pub lat: f64,
    pub lng: f64,
    pub radius_km: Option<f64>,
    /// Start of the window (RFC 3339); now when absent.
    pub from: Option<DateTime<Utc>>,
    /// End of the window, exclusive; open when absent.
    pub to: Option<DateTime<Utc>>,
    /// `nearest` (default) or `soonest`.
    #[serde(default)]
    #[param(inline)]
    pub order: NearbyOrder,
    pub limit: Option<i64>,
}

/// Upcoming shows within `radius_km` of a point, starting in `[from, to)`.
#[utoipa::path(
    operation_id = "shows_nearby",
    tag = "shows",
    params(NearbyParams, ("If-None-Match" = Option<String>, Header, description = "An `ETag` of an earlier answer: 304 while it is current")),
    responses((status = 200, description = "Upcoming shows near the point, with distance_m", body = Vec<theset_database::models::NearbyShow>, headers(("ETag" = String, description = "Strong tag of the content"))), (status = 304, description = "Not modified: the tag of `If-None-Match` is current", headers(("ETag" = String, description = "Strong tag of the content"))), (status = 400, description = "A malformed parameter or body, named in `detail`", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[get("/v1/shows/nearby")]
pub async fn nearby(
    req: HttpRequest,
    state: web::Data<AppState>,
    reads: PublicReads,
    Query(params): Query<NearbyParams>,
) -> ApiResult<HttpResponse> {
    let radius_km = point_and_radius(params.lat, params.lng, params.radius_km)?;
    let limit = extract::limit(params.limit)?;
    let from = params.from.unwrap_or_else(Utc::now);
    // An empty window (`to` not after `from`) has no shows in it.
    let shows = if params.to.is_some_and(|to| to <= from) {
        Vec::new()
    } else {
        let mut conn = reads.conn(&state).await?;
        Show::nearby(
            &mut conn,
            &NearbyShows {
                latitude: params.lat,
                longitude: params.lng,
                radius_km,
                from,
                to: params.to,
                order: params.order,
                limit,
            },
        )
        .await?
    };
    Ok(Body::json(&shows)?.respond(&req))
}

/// The whole show page: show, headliner, venue, line-up, setlists with songs (one statement).
#[utoipa::path(
    operation_id = "shows_details",
    tag = "shows",
    params(("key" = String, Path, description = "Slug or UUID"), ("If-None-Match" = Option<String>, Header, description = "An `ETag` of an earlier answer: 304 while it is current")),
    responses((status = 200, description = "The show with headliner, venue, line-up and setlists", body = theset_database::models::ShowDetails, headers(("ETag" = String, description = "Strong tag of the content"))), (status = 304, description = "Not modified: the tag of `If-None-Match` is current", headers(("ETag" = String, description = "Strong tag of the content"))), (status = 404, description = "No such resource", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[get("/v1/shows/{key}")]
pub async fn details(
    req: HttpRequest,
    state: web::Data<AppState>,
    reads: PublicReads,
    key: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let key = Key::parse(&key);
    // The document as PostgreSQL built it: parsing it into `ShowDetails` only to print it again
    // would be most of this route's own work (a test checks it reads back as `ShowDetails`).
    // Read with no caller: the page is the public one, the same for everyone, so one cached copy
    // serves every reader (tests/api/cache.rs checks RLS still hides what it hides).
    let (state_ref, key_ref) = (&state, &key);
    let read = move |kept| async move {
        let mut conn = reads.or_primary(kept).conn(state_ref).await?;
        Show::details_json(&mut conn, key_ref)
            .await
            .map_err(|e| ApiError::from_db_subject(e.into(), "show"))
    };
    Ok(state.cache.show_page(&key, read).await?.respond(&req))
}

/// The caller's votes on the songs of this show's predicted setlists.
#[utoipa::path(
    operation_id = "shows_my_votes",
    tag = "votes",
    params(("key" = String, Path, description = "Slug or UUID")),
    security(("bearer" = [])),
    responses((status = 200, description = "The caller's votes on the show's predicted setlists", body = Vec<Vote>), (status = 401, description = "No valid access token", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "No such resource", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[get("/v1/shows/{key}/my-votes")]
pub async fn my_votes(
    state: web::Data<AppState>,
    Caller(claims): Caller,
    key: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let key = Key::parse(&key);
    let votes = db::as_user(&state, &claims, move |conn, user| {
        Box::pin(async move {
            let show = Show::find_by_key(conn, &key)
                .await
                .map_err(|e| ApiError::from_db_subject(e.into(), "show"))?;
            Ok(Vote::on_show(conn, user.id, show.id).await?)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(votes))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShowPatch {
    #[schema(example = "ongoing")]
    pub status: ShowStatus,
}

/// Moderators set a show's status (`upcoming`, `ongoing`, `completed`, `cancelled`).
#[utoipa::path(
    operation_id = "shows_update",
    tag = "moderation",
    params(("key" = String, Path, description = "Slug or UUID")),
    request_body = ShowPatch,
    security(("bearer" = [])),
    responses((status = 200, description = "The updated show", body = Show), (status = 400, description = "A malformed parameter or body, named in `detail`", body = crate::error::Problem, content_type = "application/problem+json"), (status = 401, description = "No valid access token", body = crate::error::Problem, content_type = "application/problem+json"), (status = 403, description = "Not permitted", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "No such resource", body = crate::error::Problem, content_type = "application/problem+json"), (status = 413, description = "Body over 64 KiB", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[patch("/v1/shows/{key}")]
pub async fn update(
    state: web::Data<AppState>,
    Caller(claims): Caller,
    key: web::Path<String>,
    Json(patch): Json<ShowPatch>,
) -> ApiResult<HttpResponse> {
    let key = Key::parse(&key);
    let show = db::as_staff(&state, &claims, move |conn, _| {
        Box::pin(async move {
            let show = Show::find_by_key(conn, &key)
                .await
                .map_err(|e| ApiError::from_db_subject(e.into(), "show"))?;
            let changes = ShowUpdate {
                status: Some(patch.status),
                ..Default::default()
            };
            Ok(Show::update(conn, show.id, &changes).await?)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(show))
}
