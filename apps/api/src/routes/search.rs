//! One search over artists, songs and venues. Public; results come from the show cache
//! (`crate::cache`) when it holds them, with an `ETag` (`If-None-Match` answers 304).

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;

use crate::cache::Body;
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
    params(SearchParams, ("If-None-Match" = Option<String>, Header, description = "An `ETag` of an earlier answer: 304 while it is current")),
    responses((status = 200, description = "Artists, songs and venues, each ranked", body = theset_database::search::SearchResults, headers(("ETag" = String, description = "Strong tag of the content"))), (status = 304, description = "Not modified: the tag of `If-None-Match` is current", headers(("ETag" = String, description = "Strong tag of the content"))), (status = 400, description = "A malformed parameter or body, named in `detail`", body = crate::error::Problem, content_type = "application/problem+json"), (status = 429, description = "Too many requests; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
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
        return Ok(Body::json(&theset_database::search::SearchResults::default())?.respond(&req));
    }
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::invalid_field(
            "q",
            format!("must be at most {MAX_QUERY_CHARS} characters"),
        ));
    }
    let limit = extract::limit(params.limit)?;
    rate_limit::per_client(&state, &req, Limit::Search).await?;
    // Held under what the database searches for: equal keys, equal results.
    let searched: String = q
        .chars()
        .take(theset_database::search::MAX_QUERY_CHARS)
        .collect();
    let state_ref = &state;
    let read = |kept| async move {
        let mut conn = reads.or_primary(kept).conn(state_ref).await?;
        Body::json(&theset_database::search::search(&mut conn, q, limit).await?)
    };
    Ok(state
        .cache
        .search(searched, limit, read)
        .await?
        .respond(&req))
}
