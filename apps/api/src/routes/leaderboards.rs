//! Scores and leaderboards: a show's board (fans by score, with the bot and the crowd as
//! baselines), an artist's and a period's (fans by rating: the shrunk average of
//! `theset_database::scoring::rating`), each with the signed-in caller's own row even outside
//! the page. Keyset paging: a cursor belongs to one board, and another board refuses it (400).

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use theset_database::ids::{ShowId, UserId};
use theset_database::models::{Artist, BoardRow, PredictionScore, Scope, Show, Standing};
use theset_database::{Cursor, Key, PredictionKind};

use crate::auth::MaybeCaller;
use crate::db;
use crate::error::{ApiError, ApiResult};
use crate::extract::{self, Query};
use crate::replica::PublicReads;
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BoardParams {
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PeriodParams {
    /// `all` (default), a year (`2026`) or a month (`2026-12`), by show date.
    pub period: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// A page of a leaderboard.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Board {
    pub items: Vec<BoardRow>,
    pub next_cursor: Option<String>,
    /// The signed-in caller's own row, wherever they rank; null when anonymous or unranked.
    pub me: Option<BoardRow>,
}

/// A show's leaderboard with the baselines the fans are measured against.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ShowBoard {
    #[schema(value_type = uuid::Uuid)]
    pub show_id: ShowId,
    #[serde(flatten)]
    pub board: Board,
    /// The bot's score (the artist's average setlist from history); null without history.
    pub bot: Option<PredictionScore>,
    /// The crowd setlist's score (its most voted songs); null when it was not scored.
    pub crowd: Option<PredictionScore>,
}

fn page(
    mut rows: Vec<BoardRow>,
    limit: i64,
    cursor: impl Fn(&BoardRow) -> Cursor,
    me: Option<BoardRow>,
) -> Board {
    let limit = usize::try_from(limit).unwrap_or(0);
    let next_cursor = (rows.len() > limit).then(|| {
        rows.truncate(limit);
        rows.last().map(|r| cursor(r).encode())
    });
    Board {
        items: rows,
        next_cursor: next_cursor.flatten(),
        me,
    }
}

fn wrong_board() -> ApiError {
    ApiError::invalid_field("cursor", "a cursor of another list")
}

/// A board cursor's key: the board's name, then its sort values, `|`-separated.
fn cursor_parts<'c>(cursor: &'c Cursor, board: &str, parts: usize) -> ApiResult<Vec<&'c str>> {
    let mut fields = cursor.key.split('|');
    if fields.next() != Some(board) {
        return Err(wrong_board());
    }
    let rest: Vec<&str> = fields.collect();
    if rest.len() == parts {
        Ok(rest)
    } else {
        Err(wrong_board())
    }
}

fn number(text: &str) -> ApiResult<f64> {
    text.parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
        .ok_or_else(wrong_board)
}

/// A show's leaderboard: fans by score, then rarity points (equal ones share a rank), then the
/// earlier prediction.
#[utoipa::path(
    operation_id = "leaderboards_show",
    tag = "leaderboards",
    params(("key" = String, Path, description = "Show slug or UUID"), BoardParams),
    responses((status = 200, description = "A page of the show's board, the caller's row, the baselines", body = ShowBoard), (status = 400, description = "A malformed parameter, or a cursor of another list", body = crate::error::Problem, content_type = "application/problem+json"), (status = 401, description = "A token was sent and is not valid", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "No such resource", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[get("/v1/shows/{key}/leaderboard")]
pub async fn show(
    state: web::Data<AppState>,
    MaybeCaller(claims): MaybeCaller,
    key: web::Path<String>,
    Query(params): Query<BoardParams>,
) -> ApiResult<HttpResponse> {
    let limit = extract::limit(params.limit)?;
    let cursor = extract::cursor(params.cursor.as_deref())?;
    let key = key.into_inner();
    let reply = db::as_reader(&state, claims.as_ref(), move |conn, me| {
        Box::pin(async move {
            let show = Show::find_by_key(conn, &Key::parse(&key))
                .await
                .map_err(|e| ApiError::from_db_subject(e.into(), "show"))?;
            let board = format!("show:{}", show.id);
            let after = match &cursor {
                Some(c) => {
                    let p = cursor_parts(c, &board, 2)?;
                    let rank: i64 = p[0].parse().map_err(|_| wrong_board())?;
                    let at = DateTime::parse_from_rfc3339(p[1])
                        .map_err(|_| wrong_board())?
                        .to_utc();
                    Some((rank, at, UserId(c.id)))
                }
                None => None,
            };
            let rows = PredictionScore::show_board(conn, show.id, after, limit + 1).await?;
            let mine = match me {
                Some(user) => PredictionScore::show_rank(conn, show.id, user).await?,
                None => None,
            };
            let scores = PredictionScore::of_show(conn, show.id).await?;
            let baseline = |kind: PredictionKind| {
                scores
                    .iter()
                    .find(|s| s.kind == kind && s.artist_id == show.headliner_artist_id)
                    .cloned()
            };
            let (bot, crowd) = (
                baseline(PredictionKind::Bot),
                baseline(PredictionKind::Crowd),
            );
            let board = page(
                rows,
                limit,
                |r| {
                    let at: DateTime<Utc> = r.predicted_at.unwrap_or_default();
                    Cursor::new(
                        format!("{board}|{}|{}", r.rank, at.to_rfc3339()),
                        r.user_id.0,
                    )
                },
                mine,
            );
            Ok(ShowBoard {
                show_id: show.id,
                board,
                bot,
                crowd,
            })
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(reply))
}

async fn standings(
    state: &AppState,
    claims: Option<&theset_database::Claims>,
    scope: Scope,
    cursor: Option<Cursor>,
    limit: i64,
) -> ApiResult<Board> {
    db::as_reader(state, claims, move |conn, me| {
        Box::pin(async move {
            let board = scope.key();
            let after = match &cursor {
                Some(c) => {
                    let p = cursor_parts(c, &board, 2)?;
                    let n: i64 = p[1].parse().map_err(|_| wrong_board())?;
                    Some((number(p[0])?, n, UserId(c.id)))
                }
                None => None,
            };
            let rows = Standing::board(conn, &scope, after, limit + 1).await?;
            let mine = match me {
                Some(user) => Standing::rank(conn, &scope, user).await?,
                None => None,
            };
            Ok(page(
                rows,
                limit,
                |r| {
                    Cursor::new(
                        format!("{board}|{}|{}", r.value, r.predictions),
                        r.user_id.0,
                    )
                },
                mine,
            ))
        })
    })
    .await
}

/// An artist's leaderboard: fans by rating over their final scores of the artist's shows.
#[utoipa::path(
    operation_id = "leaderboards_artist",
    tag = "leaderboards",
    params(("key" = String, Path, description = "Artist slug or UUID"), BoardParams),
    responses((status = 200, description = "A page of the artist's board and the caller's row", body = Board), (status = 400, description = "A malformed parameter, or a cursor of another list", body = crate::error::Problem, content_type = "application/problem+json"), (status = 401, description = "A token was sent and is not valid", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "No such resource", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[get("/v1/artists/{key}/leaderboard")]
pub async fn artist(
    state: web::Data<AppState>,
    reads: PublicReads,
    MaybeCaller(claims): MaybeCaller,
    key: web::Path<String>,
    Query(params): Query<BoardParams>,
) -> ApiResult<HttpResponse> {
    let limit = extract::limit(params.limit)?;
    let cursor = extract::cursor(params.cursor.as_deref())?;
    let artist = {
        let mut conn = reads.conn(&state).await?;
        Artist::find_by_key(&mut conn, &Key::parse(&key))
            .await
            .map_err(|e| ApiError::from_db_subject(e.into(), "artist"))?
    };
    let board = standings(
        &state,
        claims.as_ref(),
        Scope::Artist(artist.id),
        cursor,
        limit,
    )
    .await?;
    Ok(HttpResponse::Ok().json(board))
}

/// The overall leaderboard of a period: fans by rating over their final scores of the
/// period's shows.
#[utoipa::path(
    operation_id = "leaderboards_period",
    tag = "leaderboards",
    params(PeriodParams),
    responses((status = 200, description = "A page of the period's board and the caller's row", body = Board), (status = 400, description = "A malformed parameter, or a cursor of another list", body = crate::error::Problem, content_type = "application/problem+json"), (status = 401, description = "A token was sent and is not valid", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[get("/v1/leaderboard")]
pub async fn period(
    state: web::Data<AppState>,
    MaybeCaller(claims): MaybeCaller,
    Query(params): Query<PeriodParams>,
) -> ApiResult<HttpResponse> {
    let limit = extract::limit(params.limit)?;
    let cursor = extract::cursor(params.cursor.as_deref())?;
    let text = params.period.as_deref().unwrap_or("all");
    let scope = Scope::parse_period(text).ok_or_else(|| {
        ApiError::invalid_field("period", format!("{text:?} is not all, YYYY or YYYY-MM"))
    })?;
    let board = standings(&state, claims.as_ref(), scope, cursor, limit).await?;
    Ok(HttpResponse::Ok().json(board))
}
