//! Fans: the caller's prediction history, and public profiles. A fan whose profile is not
//! public has no profile page (404) and appears on leaderboards without name and avatar.

use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use serde::Serialize;
use theset_database::ids::{SetlistId, UserId};
use theset_database::models::{PredictionRecord, PublicFan, Scope, Standing};
use theset_database::{Cursor, Page};

use crate::auth::{Caller, MaybeCaller};
use crate::db;
use crate::error::{ApiError, ApiResult};
use crate::extract::{self, Query, path_id};
use crate::replica::PublicReads;
use crate::routes::artists::PageParams;
use crate::state::AppState;

fn history_cursor(cursor: Option<&Cursor>) -> ApiResult<Option<(NaiveDate, SetlistId)>> {
    cursor
        .map(|c| {
            c.key
                .strip_prefix("history:")
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .map(|d| (d, SetlistId(c.id)))
                .ok_or_else(|| ApiError::invalid_field("cursor", "a cursor of another list"))
        })
        .transpose()
}

fn history_page(rows: Vec<PredictionRecord>, limit: i64) -> Page<PredictionRecord> {
    Page::from_rows(rows, limit, |last| {
        Cursor::new(format!("history:{}", last.show_date), last.setlist_id.0)
    })
}

/// The caller's predictions, newest show first, with scores and whether they beat the bot and
/// the crowd.
#[utoipa::path(
    operation_id = "me_predictions",
    tag = "me",
    params(PageParams),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of the caller's predictions", body = Page<PredictionRecord>), (status = 400, description = "A malformed parameter, or a cursor of another list", body = crate::error::Problem, content_type = "application/problem+json"), (status = 401, description = "No valid access token", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[get("/v1/me/predictions")]
pub async fn my_predictions(
    state: web::Data<AppState>,
    Caller(claims): Caller,
    Query(params): Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = extract::limit(params.limit)?;
    let after = history_cursor(extract::cursor(params.cursor.as_deref())?.as_ref())?;
    let page = db::as_user(&state, &claims, move |conn, user| {
        Box::pin(async move {
            let rows = PredictionRecord::history_of(conn, user.id, after, limit + 1).await?;
            Ok(history_page(rows, limit))
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// A fan's public profile with their overall standing.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FanProfile {
    pub fan: PublicFan,
    /// Scored predictions, average score and rating over all time; null before any is final.
    pub predictions: Option<i32>,
    pub average_score: Option<f64>,
    pub rating: Option<f64>,
    pub beat_bot: Option<i32>,
    pub beat_crowd: Option<i32>,
}

async fn public_fan(
    conn: &mut theset_database::AsyncPgConnection,
    fan: UserId,
) -> ApiResult<PublicFan> {
    PublicFan::find(conn, fan)
        .await?
        .ok_or_else(|| ApiError::not_found("no such fan, or their profile is private"))
}

/// A fan's public profile (404 when it is private).
#[utoipa::path(
    operation_id = "fans_profile",
    tag = "fans",
    params(("id" = uuid::Uuid, Path, description = "User id")),
    responses((status = 200, description = "The fan's public profile", body = FanProfile), (status = 400, description = "A malformed parameter or body, named in `detail`", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "No such fan, or a private profile", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[get("/v1/fans/{id}")]
pub async fn profile(
    state: web::Data<AppState>,
    reads: PublicReads,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let fan: UserId = path_id("id", &id)?;
    let mut conn = reads.conn(&state).await?;
    let public = public_fan(&mut conn, fan).await?;
    let standing = Standing::find(&mut conn, &Scope::All, fan).await?;
    Ok(HttpResponse::Ok().json(FanProfile {
        fan: public,
        predictions: standing.as_ref().map(|s| s.predictions),
        average_score: standing
            .as_ref()
            .map(|s| s.total_score / f64::from(s.predictions.max(1))),
        rating: standing.as_ref().map(|s| s.rating),
        beat_bot: standing.as_ref().map(|s| s.beat_bot),
        beat_crowd: standing.as_ref().map(|s| s.beat_crowd),
    }))
}

/// A public fan's predictions of shows that have started (404 when the profile is private).
#[utoipa::path(
    operation_id = "fans_predictions",
    tag = "fans",
    params(("id" = uuid::Uuid, Path, description = "User id"), PageParams),
    responses((status = 200, description = "A page of the fan's predictions", body = Page<PredictionRecord>), (status = 400, description = "A malformed parameter, or a cursor of another list", body = crate::error::Problem, content_type = "application/problem+json"), (status = 401, description = "A token was sent and is not valid", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "No such fan, or a private profile", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[get("/v1/fans/{id}/predictions")]
pub async fn predictions(
    state: web::Data<AppState>,
    MaybeCaller(claims): MaybeCaller,
    id: web::Path<String>,
    Query(params): Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let fan: UserId = path_id("id", &id)?;
    let limit = extract::limit(params.limit)?;
    let after = history_cursor(extract::cursor(params.cursor.as_deref())?.as_ref())?;
    let page = db::as_reader(&state, claims.as_ref(), move |conn, me| {
        Box::pin(async move {
            if me != Some(fan) {
                public_fan(conn, fan).await?;
            }
            let rows = PredictionRecord::history_of(conn, fan, after, limit + 1).await?;
            Ok(history_page(rows, limit))
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}
