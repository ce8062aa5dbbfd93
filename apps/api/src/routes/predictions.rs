//! Fans' own predictions: one per fan and show, hidden from other fans until the show starts.
//! Songs are added and removed with the setlist routes (`/v1/setlists/{id}/songs`); the order
//! and the expected encore are set here. PostgreSQL holds the rules (RLS: only the owner
//! changes a prediction; `15_predictions.sql`: nothing changes once the show is closed).

use actix_web::{HttpResponse, delete, get, post, put, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use theset_database::ids::{SetlistId, SetlistSongId};
use theset_database::models::{Setlist, SetlistOrder, SetlistWithSongs, Show};
use theset_database::{Cursor, Error as DbError, Key, Page};

use crate::auth::{Caller, MaybeCaller};
use crate::db;
use crate::error::{ApiError, ApiResult, Code};
use crate::extract::{self, Json, Query, path_id};
use crate::rate_limit::{self, Limit};
use crate::routes::artists::PageParams;
use crate::state::AppState;

/// Most entries a prediction may be ordered with (a setlist is rarely a tenth of that).
const MAX_ENTRIES: usize = 200;

async fn show_by_key(conn: &mut theset_database::AsyncPgConnection, key: &str) -> ApiResult<Show> {
    Show::find_by_key(conn, &Key::parse(key))
        .await
        .map_err(|e| ApiError::from_db_subject(e.into(), "show"))
}

/// Creates the caller's own prediction of a show (for its headliner), empty: add songs with
/// `POST /v1/setlists/{id}/songs`.
#[utoipa::path(
    operation_id = "predictions_create",
    tag = "predictions",
    params(("key" = String, Path, description = "Show slug or UUID")),
    security(("bearer" = [])),
    responses((status = 201, description = "The new prediction", body = Setlist), (status = 401, description = "No valid access token", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "No such resource", body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "A prediction of this show exists (`prediction_exists`), or predictions are closed (`show_started`, `show_cancelled`, `show_postponed`)", body = crate::error::Problem, content_type = "application/problem+json"), (status = 429, description = "Too many requests; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[post("/v1/shows/{key}/predictions")]
pub async fn create(
    state: web::Data<AppState>,
    Caller(claims): Caller,
    key: web::Path<String>,
) -> ApiResult<HttpResponse> {
    rate_limit::per_user(&state, &claims, Limit::Edits).await?;
    let key = key.into_inner();
    let created = db::as_user(&state, &claims, move |conn, user| {
        Box::pin(async move {
            let show = show_by_key(conn, &key).await?;
            Setlist::create_prediction(conn, &show, user.id)
                .await
                .map_err(|e| match DbError::from(e) {
                    DbError::UniqueViolation { .. } => ApiError::new(
                        Code::PredictionExists,
                        "you already have a prediction of this show",
                    ),
                    other => other.into(),
                })
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(created))
}

/// The caller's own prediction of a show, with its songs.
#[utoipa::path(
    operation_id = "predictions_mine",
    tag = "predictions",
    params(("key" = String, Path, description = "Show slug or UUID")),
    security(("bearer" = [])),
    responses((status = 200, description = "The caller's prediction", body = SetlistWithSongs), (status = 401, description = "No valid access token", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "No such show, or no prediction of it", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[get("/v1/shows/{key}/predictions/mine")]
pub async fn mine(
    state: web::Data<AppState>,
    Caller(claims): Caller,
    key: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let key = key.into_inner();
    let found = db::as_user(&state, &claims, move |conn, user| {
        Box::pin(async move {
            let show = show_by_key(conn, &key).await?;
            let Some(own) = Setlist::prediction_of(conn, show.id, user.id).await? else {
                return Err(ApiError::not_found("you have no prediction of this show"));
            };
            let mut lists = Setlist::with_songs(conn, vec![own]).await?;
            lists.pop().ok_or_else(ApiError::internal)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(found))
}

/// Fans' predictions of a show, oldest first: everyone's once the show has started; before
/// that only the caller's own (no copying).
#[utoipa::path(
    operation_id = "predictions_of_show",
    tag = "predictions",
    params(("key" = String, Path, description = "Show slug or UUID"), PageParams),
    responses((status = 200, description = "A page of predictions with their songs", body = Page<SetlistWithSongs>), (status = 400, description = "A malformed parameter or body, named in `detail`", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "No such resource", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[get("/v1/shows/{key}/predictions")]
pub async fn of_show(
    state: web::Data<AppState>,
    MaybeCaller(claims): MaybeCaller,
    key: web::Path<String>,
    Query(params): Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = extract::limit(params.limit)?;
    let key = key.into_inner();
    let after = match extract::cursor(params.cursor.as_deref())? {
        Some(cursor) => Some(predictions_cursor(&cursor)?),
        None => None,
    };
    let page = db::as_reader(&state, claims.as_ref(), move |conn, _| {
        Box::pin(async move {
            let show = show_by_key(conn, &key).await?;
            let lists = Setlist::predictions_of_show(conn, show.id, after, limit + 1).await?;
            let lists = Setlist::with_songs(conn, lists).await?;
            Ok(Page::from_rows(lists, limit, |last| {
                Cursor::new(
                    format!("predictions:{}", last.setlist.created_at.to_rfc3339()),
                    last.setlist.id.0,
                )
            }))
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

fn predictions_cursor(cursor: &Cursor) -> ApiResult<(DateTime<Utc>, SetlistId)> {
    cursor
        .key
        .strip_prefix("predictions:")
        .and_then(|at| DateTime::parse_from_rfc3339(at).ok())
        .map(|at| (at.to_utc(), SetlistId(cursor.id)))
        .ok_or_else(|| ApiError::invalid_field("cursor", "a cursor of another list"))
}

/// Deletes a setlist: a fan's own prediction while the show is open; moderators any
/// prediction, at any time.
#[utoipa::path(
    operation_id = "setlists_delete",
    tag = "predictions",
    params(("id" = uuid::Uuid, Path, description = "Setlist id")),
    security(("bearer" = [])),
    responses((status = 204, description = "Deleted"), (status = 400, description = "A malformed parameter or body, named in `detail`", body = crate::error::Problem, content_type = "application/problem+json"), (status = 401, description = "No valid access token", body = crate::error::Problem, content_type = "application/problem+json"), (status = 403, description = "Not permitted", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "No such resource", body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "Predictions are closed (`show_started`, `show_cancelled`, `show_postponed`, `setlist_locked`)", body = crate::error::Problem, content_type = "application/problem+json"), (status = 429, description = "Too many requests; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[delete("/v1/setlists/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    Caller(claims): Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    rate_limit::per_user(&state, &claims, Limit::Edits).await?;
    let setlist: SetlistId = path_id("id", &id)?;
    db::as_user(&state, &claims, move |conn, _| {
        Box::pin(async move {
            match Setlist::delete(conn, setlist).await.map_err(DbError::from) {
                Ok(()) => Ok(()),
                // RLS hides what the caller may not delete: tell "none" from "not yours".
                Err(DbError::NotFound) => match Setlist::find(conn, setlist).await {
                    Ok(_) => Err(ApiError::forbidden(
                        "only the prediction's owner or a moderator may delete it",
                    )),
                    Err(e) => Err(ApiError::from_db_subject(e.into(), "setlist")),
                },
                Err(other) => Err(other.into()),
            }
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The new order of a setlist: every entry once, and where the encore starts.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderBody {
    /// Every entry (setlist song id) of the setlist, once each, in the new order.
    #[schema(value_type = Vec<uuid::Uuid>, max_items = 200)]
    pub entries: Vec<SetlistSongId>,
    /// 1-based position of the first song expected in the encore; absent or null: no encore.
    #[serde(default, deserialize_with = "crate::extract::optional_whole_number")]
    #[schema(minimum = 1, maximum = 200)]
    pub encore_from: Option<i32>,
}

/// Reorders a prediction and marks the expected encore (its owner while open; moderators).
#[utoipa::path(
    operation_id = "setlists_order",
    tag = "predictions",
    params(("id" = uuid::Uuid, Path, description = "Setlist id")),
    request_body = OrderBody,
    security(("bearer" = [])),
    responses((status = 200, description = "The setlist's entries in their new order", body = Vec<theset_database::models::SetlistSong>), (status = 400, description = "A malformed parameter or body, named in `detail`", body = crate::error::Problem, content_type = "application/problem+json"), (status = 401, description = "No valid access token", body = crate::error::Problem, content_type = "application/problem+json"), (status = 403, description = "Not permitted", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "No such resource", body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "Predictions are closed (`show_started`, `show_cancelled`, `show_postponed`, `setlist_locked`)", body = crate::error::Problem, content_type = "application/problem+json"), (status = 413, description = "Body over 64 KiB", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "An entry named twice, missing, or not of this setlist; `encore_from` out of range", body = crate::error::Problem, content_type = "application/problem+json"), (status = 429, description = "Too many requests; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[put("/v1/setlists/{id}/order")]
pub async fn order(
    state: web::Data<AppState>,
    Caller(claims): Caller,
    id: web::Path<String>,
    Json(body): Json<OrderBody>,
) -> ApiResult<HttpResponse> {
    rate_limit::per_user(&state, &claims, Limit::Edits).await?;
    let setlist: SetlistId = path_id("id", &id)?;
    if body.entries.len() > MAX_ENTRIES {
        return Err(ApiError::unprocessable(format!(
            "entries: at most {MAX_ENTRIES}"
        )));
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(twice) = body.entries.iter().find(|e| !seen.insert(**e)) {
        return Err(ApiError::unprocessable(format!(
            "entries: {twice} is named twice"
        )));
    }
    let count = i32::try_from(body.entries.len()).unwrap_or(i32::MAX);
    if body
        .encore_from
        .is_some_and(|from| from < 1 || from > count)
    {
        return Err(ApiError::unprocessable(format!(
            "encore_from: must be a position 1..={count}"
        )));
    }
    let order = SetlistOrder {
        entries: body.entries,
        encore_from: body.encore_from,
    };
    let rows = db::as_user(&state, &claims, move |conn, _| {
        Box::pin(async move {
            let list = Setlist::find(conn, setlist)
                .await
                .map_err(|e| ApiError::from_db_subject(e.into(), "setlist"))?;
            let rows = Setlist::reorder(conn, setlist, &order).await.map_err(|e| {
                match DbError::from(e) {
                    DbError::CheckViolation { constraint }
                        if constraint.starts_with("reorder_") =>
                    {
                        ApiError::unprocessable(
                            "entries: must name every entry of the setlist once, and only those",
                        )
                    }
                    other => other.into(),
                }
            })?;
            // RLS let the caller see the entries but not change them.
            if rows.is_empty() && !order.entries.is_empty() {
                return Err(if list.is_locked {
                    ApiError::new(Code::SetlistLocked, "the setlist is locked")
                } else {
                    ApiError::forbidden("only the prediction's owner or a moderator may reorder it")
                });
            }
            Ok(rows)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(rows))
}
