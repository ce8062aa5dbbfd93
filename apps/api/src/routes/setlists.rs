//! Editing setlists: fans add songs to unlocked predicted setlists, creators (and moderators)
//! remove them, moderators lock, unlock and mark songs played. RLS and the SQL functions
//! (`add_setlist_song`, `remove_setlist_song`) hold the rules; handlers only name the outcome.

use actix_web::{HttpResponse, delete, patch, post, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use theset_database::ids::{SetlistId, SetlistSongId, SongId};
use theset_database::models::{Setlist, SetlistSong, SetlistSongUpdate, SetlistUpdate};
use theset_database::{Error as DbError, SetlistType};

use crate::auth::Caller;
use crate::db;
use crate::error::{ApiError, ApiResult, Code};
use crate::extract::{Json, double_option, path_id};
use crate::rate_limit::{self, Limit};
use crate::state::AppState;

const MAX_NOTES_CHARS: usize = 500;

fn check_notes(notes: Option<&str>) -> ApiResult<()> {
    match notes {
        Some(n) if n.chars().count() > MAX_NOTES_CHARS => Err(ApiError::unprocessable(format!(
            "notes: must be at most {MAX_NOTES_CHARS} characters"
        ))),
        _ => Ok(()),
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddSongBody {
    #[schema(value_type = uuid::Uuid)]
    pub song_id: SongId,
    #[schema(max_length = 500)]
    pub notes: Option<String>,
}

/// Adds a song of the artist's catalog to a predicted setlist, at the end.
#[utoipa::path(
    operation_id = "setlists_add_song",
    tag = "setlists",
    params(("id" = uuid::Uuid, Path, description = "Setlist id")),
    request_body = AddSongBody,
    security(("bearer" = [])),
    responses((status = 201, description = "The new setlist entry", body = SetlistSong), (status = 400, description = "A malformed parameter or body, named in `detail`", body = crate::error::Problem, content_type = "application/problem+json"), (status = 401, description = "No valid access token", body = crate::error::Problem, content_type = "application/problem+json"), (status = 403, description = "Not permitted", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "No such resource", body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "The setlist cannot take this edit (`code`: `duplicate_song`, `setlist_locked`)", body = crate::error::Problem, content_type = "application/problem+json"), (status = 413, description = "Body over 64 KiB", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "Invalid value", body = crate::error::Problem, content_type = "application/problem+json"), (status = 429, description = "Too many requests; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[post("/v1/setlists/{id}/songs")]
pub async fn add_song(
    state: web::Data<AppState>,
    Caller(claims): Caller,
    id: web::Path<String>,
    Json(body): Json<AddSongBody>,
) -> ApiResult<HttpResponse> {
    rate_limit::per_user(&state, &claims, Limit::Edits).await?;
    let setlist: SetlistId = path_id("id", &id)?;
    check_notes(body.notes.as_deref())?;
    let entry = db::as_user(&state, &claims, move |conn, _| {
        Box::pin(async move {
            Setlist::add_song(conn, setlist, body.song_id, body.notes.as_deref())
                .await
                .map_err(|e| match DbError::from(e) {
                    DbError::NotFound => ApiError::not_found("no such setlist"),
                    DbError::ForeignKeyViolation { .. } => {
                        ApiError::unprocessable("song_id: not a song of this artist's catalog")
                    }
                    DbError::UniqueViolation { .. } => {
                        ApiError::new(Code::DuplicateSong, "the song is already in the setlist")
                    }
                    other => other.into(),
                })
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(entry))
}

/// Removes an entry and closes the gap: the setlist's creator while it is unlocked, or staff.
#[utoipa::path(
    operation_id = "setlists_remove_song",
    tag = "setlists",
    params(("id" = uuid::Uuid, Path, description = "Setlist id"), ("setlist_song_id" = uuid::Uuid, Path, description = "Setlist song id")),
    security(("bearer" = [])),
    responses((status = 204, description = "Removed"), (status = 400, description = "A malformed parameter or body, named in `detail`", body = crate::error::Problem, content_type = "application/problem+json"), (status = 401, description = "No valid access token", body = crate::error::Problem, content_type = "application/problem+json"), (status = 403, description = "Not permitted", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "No such resource", body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "The setlist cannot take this edit (`code`: `duplicate_song`, `setlist_locked`)", body = crate::error::Problem, content_type = "application/problem+json"), (status = 429, description = "Too many requests; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[delete("/v1/setlists/{id}/songs/{setlist_song_id}")]
pub async fn remove_song(
    state: web::Data<AppState>,
    Caller(claims): Caller,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    rate_limit::per_user(&state, &claims, Limit::Edits).await?;
    let (raw_setlist, raw_entry) = path.into_inner();
    let setlist: SetlistId = path_id("id", &raw_setlist)?;
    let entry: SetlistSongId = path_id("setlist_song_id", &raw_entry)?;
    db::as_user(&state, &claims, move |conn, _| {
        Box::pin(async move {
            match Setlist::remove_song(conn, setlist, entry)
                .await
                .map_err(DbError::from)
            {
                Ok(()) => Ok(()),
                // RLS hides what the caller may not remove, so "nothing removed" needs telling
                // apart: no such entry (404), a closed setlist (409), someone else's (403).
                Err(DbError::NotFound) => {
                    let list = Setlist::find(conn, setlist)
                        .await
                        .map_err(|e| ApiError::from_db_subject(e.into(), "setlist"))?;
                    let found = SetlistSong::find(conn, entry)
                        .await
                        .map_err(|e| ApiError::from_db_subject(e.into(), "setlist song"))?;
                    if found.setlist_id != list.id {
                        Err(ApiError::not_found("no such song in this setlist"))
                    } else if list.is_locked || list.type_ == SetlistType::Actual {
                        Err(ApiError::new(
                            Code::SetlistLocked,
                            "the setlist cannot be edited: it is locked or actual",
                        ))
                    } else {
                        Err(ApiError::forbidden(
                            "only the setlist's creator or a moderator may remove songs",
                        ))
                    }
                }
                Err(other) => Err(other.into()),
            }
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn set_locked(
    state: &AppState,
    claims: &theset_database::Claims,
    raw_id: &str,
    locked: bool,
) -> ApiResult<HttpResponse> {
    let setlist: SetlistId = path_id("id", raw_id)?;
    let updated = db::as_staff(state, claims, move |conn, _| {
        Box::pin(async move {
            let changes = SetlistUpdate {
                is_locked: Some(locked),
                ..Default::default()
            };
            Setlist::update(conn, setlist, &changes)
                .await
                .map_err(|e| ApiError::from_db_subject(e.into(), "setlist"))
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(updated))
}

/// Locks a setlist: no more votes or edits by fans (moderators).
#[utoipa::path(
    operation_id = "setlists_lock",
    tag = "moderation",
    params(("id" = uuid::Uuid, Path, description = "Setlist id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The locked setlist", body = Setlist), (status = 400, description = "A malformed parameter or body, named in `detail`", body = crate::error::Problem, content_type = "application/problem+json"), (status = 401, description = "No valid access token", body = crate::error::Problem, content_type = "application/problem+json"), (status = 403, description = "Not permitted", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "No such resource", body = crate::error::Problem, content_type = "application/problem+json"), (status = 429, description = "Too many requests; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[post("/v1/setlists/{id}/lock")]
pub async fn lock(
    state: web::Data<AppState>,
    Caller(claims): Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    rate_limit::per_user(&state, &claims, Limit::Edits).await?;
    set_locked(&state, &claims, &id, true).await
}

#[utoipa::path(
    operation_id = "setlists_unlock",
    tag = "moderation",
    params(("id" = uuid::Uuid, Path, description = "Setlist id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The unlocked setlist", body = Setlist), (status = 400, description = "A malformed parameter or body, named in `detail`", body = crate::error::Problem, content_type = "application/problem+json"), (status = 401, description = "No valid access token", body = crate::error::Problem, content_type = "application/problem+json"), (status = 403, description = "Not permitted", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "No such resource", body = crate::error::Problem, content_type = "application/problem+json"), (status = 429, description = "Too many requests; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[post("/v1/setlists/{id}/unlock")]
pub async fn unlock(
    state: web::Data<AppState>,
    Caller(claims): Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    rate_limit::per_user(&state, &claims, Limit::Edits).await?;
    set_locked(&state, &claims, &id, false).await
}

/// Live marking during a show. Absent fields stay; `null` clears.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetlistSongPatch {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<bool>)]
    pub is_played: Option<Option<bool>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub play_time: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub notes: Option<Option<String>>,
    /// Live corrections of an actual setlist: the song played (the artist's catalog), its
    /// encore, tape, cover and guest marks.
    #[schema(value_type = Option<uuid::Uuid>)]
    pub song_id: Option<SongId>,
    #[serde(default, deserialize_with = "crate::extract::optional_whole_number")]
    #[schema(minimum = 0, maximum = 5)]
    pub encore: Option<i32>,
    pub is_tape: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub cover_artist_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub guest_artist_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub info: Option<Option<String>>,
}

#[utoipa::path(
    operation_id = "setlists_update_song",
    tag = "moderation",
    params(("id" = uuid::Uuid, Path, description = "Setlist song id")),
    request_body = SetlistSongPatch,
    security(("bearer" = [])),
    responses((status = 200, description = "The updated setlist entry", body = SetlistSong), (status = 400, description = "A malformed parameter or body, named in `detail`", body = crate::error::Problem, content_type = "application/problem+json"), (status = 401, description = "No valid access token", body = crate::error::Problem, content_type = "application/problem+json"), (status = 403, description = "Not permitted", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "No such resource", body = crate::error::Problem, content_type = "application/problem+json"), (status = 413, description = "Body over 64 KiB", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "Invalid value", body = crate::error::Problem, content_type = "application/problem+json"), (status = 429, description = "Too many requests; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[patch("/v1/setlist-songs/{id}")]
pub async fn update_song(
    state: web::Data<AppState>,
    Caller(claims): Caller,
    id: web::Path<String>,
    Json(patch): Json<SetlistSongPatch>,
) -> ApiResult<HttpResponse> {
    rate_limit::per_user(&state, &claims, Limit::Edits).await?;
    let entry: SetlistSongId = path_id("id", &id)?;
    check_notes(patch.notes.as_ref().and_then(|n| n.as_deref()))?;
    for (field, value) in [
        ("cover_artist_name", &patch.cover_artist_name),
        ("guest_artist_name", &patch.guest_artist_name),
        ("info", &patch.info),
    ] {
        check_notes(value.as_ref().and_then(|n| n.as_deref())).map_err(|_| {
            ApiError::unprocessable(format!("{field}: at most {MAX_NOTES_CHARS} characters"))
        })?;
    }
    if patch.encore.is_some_and(|e| !(0..=5).contains(&e)) {
        return Err(ApiError::unprocessable("encore: must be 0..=5"));
    }
    let changes = SetlistSongUpdate {
        position: None,
        notes: patch.notes,
        is_played: patch.is_played,
        play_time: patch.play_time,
        song_id: patch.song_id,
        encore: patch.encore,
        is_tape: patch.is_tape,
        cover_artist_name: patch.cover_artist_name,
        guest_artist_name: patch.guest_artist_name,
        info: patch.info,
    };
    if changes.is_empty() {
        return Err(ApiError::unprocessable(
            "nothing to change: send at least one field",
        ));
    }
    let updated = db::as_staff(&state, &claims, move |conn, _| {
        Box::pin(async move {
            SetlistSong::update(conn, entry, &changes)
                .await
                .map_err(|e| match DbError::from(e) {
                    DbError::ForeignKeyViolation { constraint }
                        if constraint == "setlist_songs_song_in_catalog" =>
                    {
                        ApiError::unprocessable(
                            "song_id: not a song of the setlist artist's catalog",
                        )
                    }
                    other => ApiError::from_db_subject(other, "setlist song"),
                })
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(updated))
}
