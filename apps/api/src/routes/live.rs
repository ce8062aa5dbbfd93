//! Live show mode: moderators record the actual setlist while it is played, song by song. Each
//! song reaches fans on the show's event stream (`played`), and the show is queued for
//! scoring by PostgreSQL itself (`scores_pending`), which the worker's scoring schedule takes.
//! Mistakes are corrected with `PATCH /v1/setlist-songs/{id}` and
//! `DELETE /v1/setlists/{id}/songs/{entry}`; locking the actual setlist makes the scores final,
//! and so does the setlist.fm import, which takes the live record over.

use actix_web::{HttpResponse, post, web};
use serde::Deserialize;
use theset_database::ids::{ArtistId, SongId};
use theset_database::models::{Artist, PlayedEntry, Setlist, Show, Song};
use theset_database::{Error as DbError, Key};

use crate::auth::Caller;
use crate::db;
use crate::error::{ApiError, ApiResult};
use crate::extract::Json;
use crate::rate_limit::{self, Limit};
use crate::state::AppState;

const MAX_TITLE_CHARS: usize = 200;
const MAX_NAME_CHARS: usize = 200;

/// A song as it is played. Name the song by `song_id` (the artist's catalog) or by `title`
/// (matched to the catalog, added to it when new).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlayedBody {
    #[schema(value_type = Option<uuid::Uuid>)]
    pub song_id: Option<SongId>,
    /// Not blank; at most 200 characters.
    #[schema(max_length = 200, pattern = "[^\\s]")]
    pub title: Option<String>,
    /// The performing artist: the headliner when absent (a support act must be on the bill).
    #[schema(value_type = Option<uuid::Uuid>)]
    pub artist_id: Option<ArtistId>,
    /// 0 main set (default), 1 first encore, ...
    #[serde(default, deserialize_with = "crate::extract::whole_number")]
    #[schema(minimum = 0, maximum = 5)]
    pub encore: i32,
    /// Played from tape (never scored).
    #[serde(default)]
    pub is_tape: bool,
    #[schema(max_length = 200)]
    pub cover_artist_name: Option<String>,
    #[schema(max_length = 200)]
    pub guest_artist_name: Option<String>,
    #[schema(max_length = 200)]
    pub info: Option<String>,
}

fn check(body: &PlayedBody) -> ApiResult<()> {
    match (&body.song_id, body.title.as_deref().map(str::trim)) {
        (Some(_), Some(_)) => {
            return Err(ApiError::unprocessable("send song_id or title, not both"));
        }
        (None, None) => return Err(ApiError::unprocessable("send song_id or title")),
        (None, Some("")) => return Err(ApiError::unprocessable("title: must not be empty")),
        (None, Some(t)) if t.chars().count() > MAX_TITLE_CHARS => {
            return Err(ApiError::unprocessable(format!(
                "title: at most {MAX_TITLE_CHARS} characters"
            )));
        }
        _ => {}
    }
    if !(0..=5).contains(&body.encore) {
        return Err(ApiError::unprocessable("encore: must be 0..=5"));
    }
    for (field, value) in [
        ("cover_artist_name", &body.cover_artist_name),
        ("guest_artist_name", &body.guest_artist_name),
        ("info", &body.info),
    ] {
        if value
            .as_ref()
            .is_some_and(|v| v.chars().count() > MAX_NAME_CHARS)
        {
            return Err(ApiError::unprocessable(format!(
                "{field}: at most {MAX_NAME_CHARS} characters"
            )));
        }
    }
    Ok(())
}

/// Appends a played song to the show's actual setlist for the artist (created on first use),
/// at the next position, marked played now (moderators).
#[utoipa::path(
    operation_id = "live_played",
    tag = "moderation",
    params(("key" = String, Path, description = "Show slug or UUID")),
    request_body = PlayedBody,
    security(("bearer" = [])),
    responses((status = 201, description = "The new entry of the actual setlist", body = theset_database::models::SetlistSong), (status = 400, description = "A malformed parameter or body, named in `detail`", body = crate::error::Problem, content_type = "application/problem+json"), (status = 401, description = "No valid access token", body = crate::error::Problem, content_type = "application/problem+json"), (status = 403, description = "Not permitted", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "No such resource", body = crate::error::Problem, content_type = "application/problem+json"), (status = 413, description = "Body over 64 KiB", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "Invalid value: a song of another artist, an artist not on the bill", body = crate::error::Problem, content_type = "application/problem+json"), (status = 429, description = "Too many requests; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[post("/v1/shows/{key}/live/songs")]
pub async fn played(
    state: web::Data<AppState>,
    Caller(claims): Caller,
    key: web::Path<String>,
    Json(body): Json<PlayedBody>,
) -> ApiResult<HttpResponse> {
    rate_limit::per_user(&state, &claims, Limit::Edits).await?;
    check(&body)?;
    let key = key.into_inner();
    let entry = db::as_staff(&state, &claims, move |conn, user| {
        Box::pin(async move {
            let show = Show::find_by_key(conn, &Key::parse(&key))
                .await
                .map_err(|e| ApiError::from_db_subject(e.into(), "show"))?;
            let artist_id = body.artist_id.unwrap_or(show.headliner_artist_id);
            if artist_id != show.headliner_artist_id
                && !show
                    .supporting_artists(conn)
                    .await?
                    .iter()
                    .any(|(slot, _)| slot.artist_id == artist_id)
            {
                return Err(ApiError::unprocessable(
                    "artist_id: not an artist on this show's bill",
                ));
            }
            let song = match (body.song_id, body.title.as_deref()) {
                (Some(song), _) => song,
                (None, Some(title)) => {
                    let artist = Artist::find(conn, artist_id).await?;
                    let title = title.trim().to_owned();
                    Song::resolve_titles(
                        conn,
                        artist.id,
                        &artist.name,
                        std::slice::from_ref(&title),
                    )
                    .await?
                    .into_iter()
                    .next()
                    .map(|r| r.song)
                    .ok_or_else(|| ApiError::unavailable("the catalog changed meanwhile: retry"))?
                }
                (None, None) => return Err(ApiError::unprocessable("send song_id or title")),
            };
            let setlist = Setlist::ensure_actual(conn, show.id, artist_id, user.id).await?;
            let played = PlayedEntry {
                encore: body.encore,
                is_tape: body.is_tape,
                cover_artist_name: body.cover_artist_name,
                guest_artist_name: body.guest_artist_name,
                info: body.info,
            };
            Setlist::append_played(conn, setlist, song, &played)
                .await
                .map_err(|e| match DbError::from(e) {
                    DbError::ForeignKeyViolation { .. } => ApiError::unprocessable(
                        "song_id: not a song of the performing artist's catalog",
                    ),
                    other => other.into(),
                })
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(entry))
}
