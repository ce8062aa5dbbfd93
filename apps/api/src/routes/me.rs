//! The signed-in user: their account and profile. Everything here runs as the caller, so RLS
//! lets them see and change only their own rows.

use actix_web::{HttpResponse, delete, get, patch, put, web};
use serde::{Deserialize, Serialize};
use theset_database::models::{AccountExport, NewUserProfile, User, UserProfile, UserUpdate};
use theset_database::types::TextList;

use crate::auth::Caller;
use crate::db;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, double_option};
use crate::rate_limit::{self, Limit};
use crate::state::AppState;

const MAX_NAME_CHARS: usize = 100;
const MAX_URL_CHARS: usize = 2048;
const MAX_TEXT_CHARS: usize = 2000;
const MAX_GENRES: usize = 50;

fn check_len(field: &str, value: Option<&str>, max: usize) -> Result<(), ApiError> {
    match value {
        Some(v) if v.chars().count() > max => Err(ApiError::unprocessable(format!(
            "{field}: must be at most {max} characters"
        ))),
        _ => Ok(()),
    }
}

fn check_url(field: &str, value: Option<&str>) -> Result<(), ApiError> {
    check_len(field, value, MAX_URL_CHARS)?;
    let Some(value) = value else {
        return Ok(());
    };
    // A link other people's browsers follow: an absolute http(s) URL with a host, as written.
    match url::Url::parse(value) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Ok(()),
        _ => Err(ApiError::unprocessable(format!(
            "{field}: must be an absolute http(s) URL"
        ))),
    }
}

/// `GET /v1/me`: the account and, once written, the profile.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MeReply {
    pub user: User,
    pub profile: Option<UserProfile>,
}

/// The caller's account and profile (the account is created on the first signed-in request).
#[utoipa::path(
    operation_id = "me_get",
    tag = "me",
    security(("bearer" = [])),
    responses((status = 200, description = "The caller's account and profile", body = MeReply), (status = 401, description = "No valid access token", body = crate::error::Problem, content_type = "application/problem+json"), (status = 403, description = "Not permitted", body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "The token's email belongs to another account (`code`: `email_in_use`)", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[get("/v1/me")]
pub async fn get(state: web::Data<AppState>, Caller(claims): Caller) -> ApiResult<HttpResponse> {
    let (user, profile) = db::as_user(&state, &claims, |conn, user| {
        Box::pin(async move {
            let profile = user.profile(conn).await?;
            Ok((user, profile))
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(MeReply { user, profile }))
}

/// What a user may change about their account. Absent fields stay; `null` clears.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MePatch {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub display_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, format = "iri", max_length = 2048, pattern = "^https?://")]
    pub avatar_url: Option<Option<String>>,
    /// A JSON object, replacing the previous preferences.
    #[schema(value_type = Option<Object>)]
    pub preferences: Option<serde_json::Value>,
}

#[utoipa::path(
    operation_id = "me_update",
    tag = "me",
    request_body = MePatch,
    security(("bearer" = [])),
    responses((status = 200, description = "The updated account", body = User), (status = 400, description = "A malformed parameter or body, named in `detail`", body = crate::error::Problem, content_type = "application/problem+json"), (status = 401, description = "No valid access token", body = crate::error::Problem, content_type = "application/problem+json"), (status = 413, description = "Body over 64 KiB", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "Invalid value", body = crate::error::Problem, content_type = "application/problem+json"), (status = 429, description = "Too many requests; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[patch("/v1/me")]
pub async fn update(
    state: web::Data<AppState>,
    Caller(claims): Caller,
    Json(patch): Json<MePatch>,
) -> ApiResult<HttpResponse> {
    rate_limit::per_user(&state, &claims, Limit::Profile).await?;
    check_len(
        "display_name",
        patch.display_name.as_ref().and_then(|v| v.as_deref()),
        MAX_NAME_CHARS,
    )?;
    check_url(
        "avatar_url",
        patch.avatar_url.as_ref().and_then(|v| v.as_deref()),
    )?;
    if patch.preferences.as_ref().is_some_and(|p| !p.is_object()) {
        return Err(ApiError::unprocessable(
            "preferences: must be a JSON object",
        ));
    }
    if patch.display_name.is_none() && patch.avatar_url.is_none() && patch.preferences.is_none() {
        return Err(ApiError::unprocessable(
            "nothing to change: send display_name, avatar_url or preferences",
        ));
    }
    let changes = UserUpdate {
        display_name: patch.display_name,
        avatar_url: patch.avatar_url,
        preferences: patch.preferences,
        last_login_at: None,
    };
    let user = db::as_user(&state, &claims, move |conn, user| {
        Box::pin(async move { Ok(User::update(conn, user.id, &changes).await?) })
    })
    .await?;
    Ok(HttpResponse::Ok().json(user))
}

/// The whole profile; absent fields take their defaults (PUT replaces).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileBody {
    #[schema(max_length = 2000)]
    pub bio: Option<String>,
    #[schema(max_length = 100)]
    pub location: Option<String>,
    #[schema(format = "iri", max_length = 2048, pattern = "^https?://")]
    pub website: Option<String>,
    /// At most 50, each at most 100 characters.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub favorite_genres: Vec<String>,
    #[serde(default, deserialize_with = "crate::extract::whole_number")]
    #[schema(minimum = 0)]
    pub concert_count: i32,
    #[serde(default)]
    pub is_public: bool,
}

#[utoipa::path(
    operation_id = "me_put_profile",
    tag = "me",
    request_body = ProfileBody,
    security(("bearer" = [])),
    responses((status = 200, description = "The profile as stored", body = UserProfile), (status = 400, description = "A malformed parameter or body, named in `detail`", body = crate::error::Problem, content_type = "application/problem+json"), (status = 401, description = "No valid access token", body = crate::error::Problem, content_type = "application/problem+json"), (status = 413, description = "Body over 64 KiB", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "Invalid value", body = crate::error::Problem, content_type = "application/problem+json"), (status = 429, description = "Too many requests; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[put("/v1/me/profile")]
pub async fn put_profile(
    state: web::Data<AppState>,
    Caller(claims): Caller,
    Json(body): Json<ProfileBody>,
) -> ApiResult<HttpResponse> {
    rate_limit::per_user(&state, &claims, Limit::Profile).await?;
    check_len("bio", body.bio.as_deref(), MAX_TEXT_CHARS)?;
    check_len("location", body.location.as_deref(), MAX_NAME_CHARS)?;
    check_url("website", body.website.as_deref())?;
    if body.favorite_genres.len() > MAX_GENRES {
        return Err(ApiError::unprocessable(format!(
            "favorite_genres: at most {MAX_GENRES}"
        )));
    }
    for genre in &body.favorite_genres {
        check_len("favorite_genres", Some(genre), MAX_NAME_CHARS)?;
    }
    if body.concert_count < 0 {
        return Err(ApiError::unprocessable(
            "concert_count: must not be negative",
        ));
    }
    let profile = db::as_user(&state, &claims, move |conn, user| {
        Box::pin(async move {
            let profile = NewUserProfile {
                user_id: user.id,
                bio: body.bio,
                location: body.location,
                website: body.website,
                favorite_genres: TextList(body.favorite_genres),
                concert_count: body.concert_count,
                is_public: body.is_public,
            };
            Ok(UserProfile::upsert(conn, &profile).await?)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(profile))
}

/// Everything TheSet holds about the caller as one JSON document: account, profile, votes, own
/// predictions with their songs, crowd setlists they started, scores and standings. The Spotify
/// refresh token is a credential and is left out (`spotify_connected` says whether one is held).
#[utoipa::path(
    operation_id = "me_export",
    tag = "me",
    security(("bearer" = [])),
    responses((status = 200, description = "The caller's data, as a download", body = AccountExport), (status = 401, description = "No valid access token", body = crate::error::Problem, content_type = "application/problem+json"), (status = 403, description = "The account has been deleted", body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "The token's email belongs to another account (`code`: `email_in_use`)", body = crate::error::Problem, content_type = "application/problem+json"), (status = 429, description = "Too many requests; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[get("/v1/me/export")]
pub async fn export(state: web::Data<AppState>, Caller(claims): Caller) -> ApiResult<HttpResponse> {
    rate_limit::per_user(&state, &claims, Limit::Profile).await?;
    let export = db::as_user(&state, &claims, |conn, user| {
        Box::pin(async move { Ok(user.export(conn).await?) })
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            "attachment; filename=\"theset-export.json\"",
        ))
        .json(export))
}

/// Deletes the caller's account: their votes are retracted (counters and totals stay exact),
/// their own predictions with their scores and standings, and their profile are removed, crowd
/// setlists they started lose their creator; a tombstone keeps the id, so this account's tokens
/// are refused from now on (403). The Supabase Auth user is the front end's to delete.
#[utoipa::path(
    operation_id = "me_delete",
    tag = "me",
    security(("bearer" = [])),
    responses((status = 204, description = "The account is deleted"), (status = 401, description = "No valid access token", body = crate::error::Problem, content_type = "application/problem+json"), (status = 403, description = "The account has been deleted already", body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "The token's email belongs to another account (`code`: `email_in_use`)", body = crate::error::Problem, content_type = "application/problem+json"), (status = 429, description = "Too many requests; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[delete("/v1/me")]
pub async fn delete_account(
    state: web::Data<AppState>,
    Caller(claims): Caller,
) -> ApiResult<HttpResponse> {
    rate_limit::per_user(&state, &claims, Limit::Profile).await?;
    db::as_user(&state, &claims, |conn, _user| {
        Box::pin(async move { Ok(User::delete_own_account(conn).await?) })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
