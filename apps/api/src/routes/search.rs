//! One search over artists, songs and venues. Public.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;

use crate::error::{ApiError, ApiResult};
use crate::extract::{self, Query};
use crate::rate_limit::{self, Limit};
use crate::replica::PublicReads;
use crate::state::AppState;

/// Longest `q` accepted; the database searches at most its first 100 characters anyway.
pub const MAX_QUERY_CHARS: usize = 200;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    pub q: String,
    pub limit: Option<i64>,
}

/// Up to `limit` hits of each kind, best first.
#[utoipa::path(
    operation_id = "search_search",
    tag = "search",
    params(SearchParams),
    responses((status = 200, description = "Artists, songs and venues, each ranked", body = theset_database::search::SearchResults), (status = 400, description = "A malformed parameter or body, named in `detail`", body = crate::error::Problem, content_type = "application/problem+json"), (status = 429, description = "Too many requests; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[get("/v1/search")]
pub async fn search(
    state: web::Data<AppState>,
    reads: PublicReads,
    req: HttpRequest,
    Query(params): Query<SearchParams>,
) -> ApiResult<HttpResponse> {
    // Blank finds nothing, as a search box cleared by its user expects: answered here, without
    // a connection or a token of the search budget.
    let q = params.q.trim();
    if q.is_empty() {
        return Ok(HttpResponse::Ok().json(theset_database::search::SearchResults::default()));
    }
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::invalid_field(
            "q",
            format!("must be at most {MAX_QUERY_CHARS} characters"),
        ));
    }
    let limit = extract::limit(params.limit)?;
    rate_limit::per_client(&state, &req, Limit::Search).await?;
    let mut conn = reads.conn(&state).await?;
    let results = theset_database::search::search(&mut conn, q, limit).await?;
    Ok(HttpResponse::Ok().json(results))
}
