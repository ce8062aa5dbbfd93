//! Casting and retracting votes on predicted setlist songs. The voter is always the verified
//! caller: no body field can name another user (bodies deny unknown fields), and RLS refuses a
//! vote row whose `user_id` is not the caller's. The vote rules themselves live in PostgreSQL
//! (`theset_database::models::Vote`). A vote is one statement, one round trip
//! (`db::in_one_statement`).

use actix_web::{HttpResponse, delete, put, web};
use serde::{Deserialize, Serialize};
use theset_database::VoteType;
use theset_database::ids::SetlistSongId;
use theset_database::models::{Vote, VoteCounts};

use crate::auth::Caller;
use crate::db;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, path_id};
use crate::rate_limit::{self, Limit};
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoteBody {
    #[schema(example = "up")]
    pub vote_type: VoteType,
}

/// A setlist song's counts right after the caller's vote changed them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VoteReply {
    #[schema(value_type = uuid::Uuid)]
    pub setlist_song_id: SetlistSongId,
    /// The caller's vote now, or null once retracted.
    pub vote_type: Option<VoteType>,
    pub upvotes: i32,
    pub downvotes: i32,
    pub net_votes: i32,
}

impl VoteReply {
    fn new(song: SetlistSongId, vote_type: Option<VoteType>, counts: VoteCounts) -> Self {
        Self {
            setlist_song_id: song,
            vote_type,
            upvotes: counts.upvotes,
            downvotes: counts.downvotes,
            net_votes: counts.net_votes,
        }
    }
}

/// Casts or changes the caller's vote (idempotent); answers the song's new counts.
#[utoipa::path(
    operation_id = "votes_cast",
    tag = "votes",
    params(("id" = uuid::Uuid, Path, description = "Setlist song id")),
    request_body = VoteBody,
    security(("bearer" = [])),
    responses((status = 200, description = "The song's new counts", body = VoteReply), (status = 400, description = "A malformed parameter or body, named in `detail`", body = crate::error::Problem, content_type = "application/problem+json"), (status = 401, description = "No valid access token", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "No such resource", body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "Voting closed (`code`: `voting_closed`, `show_started`)", body = crate::error::Problem, content_type = "application/problem+json"), (status = 429, description = "Too many votes; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[put("/v1/setlist-songs/{id}/vote")]
pub async fn cast(
    state: web::Data<AppState>,
    Caller(claims): Caller,
    id: web::Path<String>,
    Json(body): Json<VoteBody>,
) -> ApiResult<HttpResponse> {
    let song: SetlistSongId = path_id("id", &id)?;
    rate_limit::per_user(&state, &claims, Limit::Votes).await?;
    let kind = body.vote_type;
    let counts = db::in_one_statement(
        &state,
        &claims,
        move |conn, caller| {
            Box::pin(async move {
                Vote::cast_as(conn, caller, song, kind)
                    .await
                    .map_err(song_error)
            })
        },
        move |conn, user| {
            Box::pin(async move {
                Vote::cast(conn, user.id, song, kind)
                    .await
                    .map_err(song_error)
            })
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(VoteReply::new(song, Some(body.vote_type), counts)))
}

/// Retracts the caller's vote (a no-op when there is none); answers the song's new counts.
#[utoipa::path(
    operation_id = "votes_retract",
    tag = "votes",
    params(("id" = uuid::Uuid, Path, description = "Setlist song id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The song's new counts", body = VoteReply), (status = 400, description = "A malformed parameter or body, named in `detail`", body = crate::error::Problem, content_type = "application/problem+json"), (status = 401, description = "No valid access token", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "No such resource", body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "Voting closed (`code`: `voting_closed`, `show_started`)", body = crate::error::Problem, content_type = "application/problem+json"), (status = 429, description = "Too many votes; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[delete("/v1/setlist-songs/{id}/vote")]
pub async fn retract(
    state: web::Data<AppState>,
    Caller(claims): Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let song: SetlistSongId = path_id("id", &id)?;
    rate_limit::per_user(&state, &claims, Limit::Votes).await?;
    let counts = db::in_one_statement(
        &state,
        &claims,
        move |conn, caller| {
            Box::pin(async move {
                Vote::retract_as(conn, caller, song)
                    .await
                    .map_err(song_error)
            })
        },
        move |conn, user| {
            Box::pin(async move { Vote::retract(conn, user.id, song).await.map_err(song_error) })
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(VoteReply::new(song, None, counts)))
}

fn song_error(error: diesel::result::Error) -> ApiError {
    ApiError::from_db_subject(error.into(), "setlist song")
}
