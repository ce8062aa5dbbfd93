//! Venues: one by slug or id, and venues near a point. Public; the list carries an `ETag` and
//! answers `If-None-Match` with 304.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use theset_database::Key;
use theset_database::models::Venue;

use crate::cache::Body;
use crate::error::{ApiError, ApiResult};
use crate::extract::{self, Query};
use crate::replica::PublicReads;
use crate::state::AppState;

/// Largest search radius, in km: wider searches would scan most venues.
pub const MAX_RADIUS_KM: f64 = 500.0;
pub const DEFAULT_RADIUS_KM: f64 = 50.0;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct NearbyParams {
    pub lat: f64,
    pub lng: f64,
    pub radius_km: Option<f64>,
    pub limit: Option<i64>,
}

/// Checks a point and radius, naming the parameter at fault.
pub fn point_and_radius(lat: f64, lng: f64, radius_km: Option<f64>) -> Result<f64, ApiError> {
    if !(-90.0..=90.0).contains(&lat) {
        return Err(ApiError::invalid_field("lat", "must be within -90..=90"));
    }
    if !(-180.0..=180.0).contains(&lng) {
        return Err(ApiError::invalid_field("lng", "must be within -180..=180"));
    }
    let radius = radius_km.unwrap_or(DEFAULT_RADIUS_KM);
    if !(radius > 0.0 && radius <= MAX_RADIUS_KM) {
        return Err(ApiError::invalid_field(
            "radius_km",
            format!("must be within 0 (exclusive) and {MAX_RADIUS_KM}"),
        ));
    }
    Ok(radius)
}

/// Venues within `radius_km` of a point, nearest first.
#[utoipa::path(
    operation_id = "venues_nearby",
    tag = "venues",
    params(NearbyParams, ("If-None-Match" = Option<String>, Header, description = "An `ETag` of an earlier answer: 304 while it is current")),
    responses((status = 200, description = "Venues nearest first, with distance_m", body = Vec<theset_database::models::NearbyVenue>, headers(("ETag" = String, description = "Strong tag of the content"))), (status = 304, description = "Not modified: the tag of `If-None-Match` is current", headers(("ETag" = String, description = "Strong tag of the content"))), (status = 400, description = "A malformed parameter or body, named in `detail`", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[get("/v1/venues/nearby")]
pub async fn nearby(
    req: HttpRequest,
    state: web::Data<AppState>,
    reads: PublicReads,
    Query(params): Query<NearbyParams>,
) -> ApiResult<HttpResponse> {
    let radius = point_and_radius(params.lat, params.lng, params.radius_km)?;
    let limit = extract::limit(params.limit)?;
    let mut conn = reads.conn(&state).await?;
    let venues = Venue::nearby(&mut conn, params.lat, params.lng, radius, limit).await?;
    Ok(Body::json(&venues)?.respond(&req))
}

#[utoipa::path(
    operation_id = "venues_find",
    tag = "venues",
    params(("key" = String, Path, description = "Slug or UUID")),
    responses((status = 200, description = "The venue", body = Venue), (status = 404, description = "No such resource", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[get("/v1/venues/{key}")]
pub async fn find(
    state: web::Data<AppState>,
    reads: PublicReads,
    key: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let mut conn = reads.conn(&state).await?;
    let venue = Venue::find_by_key(&mut conn, &Key::parse(&key))
        .await
        .map_err(|e| ApiError::from_db_subject(e.into(), "venue"))?;
    Ok(HttpResponse::Ok().json(venue))
}
