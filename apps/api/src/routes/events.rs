//! Live updates as server-sent events (`text/event-stream`): a show's setlists and votes, and one
//! setlist song's votes. Public: the streams carry only what anyone may read (the listener reads
//! as `theset_api` with no caller, so RLS shows it the public catalog and counts, never votes).
//!
//! Each stream opens with `retry:` and a `snapshot` event (or, with `Last-Event-ID`, the events
//! missed since that id, or a `resync` when they are no longer held), then sends every change
//! with an `id:`. Idle streams get a heartbeat comment. The events are those of
//! `theset_realtime` (see apps/api/README.md, "Live updates").

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, get, web};
use futures_util::{Stream, StreamExt};
use serde::Deserialize;
use theset_database::Key;
use theset_database::ids::SetlistSongId;
use theset_database::models::Show;
use theset_realtime::{Event, Subscription};
use tokio::time::{Instant, Sleep};

use crate::error::{ApiError, ApiResult};
use crate::extract::{Query, path_id};
use crate::state::AppState;

/// Milliseconds a browser's `EventSource` waits before reconnecting (it then sends
/// `Last-Event-ID`).
const RETRY_MS: u64 = 2_000;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EventsParams {
    /// Resume after this event id, as the `Last-Event-ID` header does (the header wins); for
    /// clients that cannot set headers.
    pub last_event_id: Option<String>,
}

fn last_event_id(req: &HttpRequest, params: EventsParams) -> Option<String> {
    req.headers()
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or(params.last_event_id)
        .filter(|id| !id.trim().is_empty())
}

/// A show's setlists, live: songs added, removed, reordered or marked played, vote counts, lock
/// and unlock, show status.
///
/// Events (`event:` name, then the JSON `data:`): `snapshot` `{show, setlists}` first; `votes`
/// `{songs: [{id, upvotes, downvotes, net_votes, version}]}` (`id`: the setlist song's),
/// coalesced over at most 100 ms, each song's `version` only growing; `setlist` `{show_id,
/// setlist, changes}` with the setlist's full new state; `setlist_removed`; `show` (the header);
/// `played` `{show_id, setlist_id, songs: [{id, song_id, title, position, encore, is_tape}],
/// scores}` when songs are recorded on the actual setlist (live, or imported), with the current
/// (provisional) score summary; `scored` `{show_id, scores}` when the show's scores change
/// (`scores`: `{is_final, scored_at, fans, bot, crowd, leaders}`, also in the snapshot);
/// `resync` `{reason, show, setlists, scores}` when the client fell behind, the server's
/// database listener reconnected, or the `Last-Event-ID` is no longer held; `removed` when the
/// show is deleted (the stream then ends).
#[utoipa::path(
    operation_id = "shows_events",
    tag = "realtime",
    params(
        ("key" = String, Path, description = "Slug or UUID"),
        ("Last-Event-ID" = Option<String>, Header, description = "Resume after this event id"),
        EventsParams,
    ),
    responses((status = 200, description = "A text/event-stream of the show's changes", body = String, content_type = "text/event-stream"), (status = 404, description = "No such resource", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable, live updates switched off, or too many streams; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[get("/v1/shows/{key}/events")]
pub async fn show_events(
    state: web::Data<AppState>,
    req: HttpRequest,
    key: web::Path<String>,
    Query(params): Query<EventsParams>,
) -> ApiResult<HttpResponse> {
    let realtime = state.realtime()?;
    let show = {
        let mut conn = state.conn().await?;
        Show::find_by_key(&mut conn, &Key::parse(&key))
            .await
            .map_err(|e| ApiError::from_db_subject(e.into(), "show"))?
    };
    let stream = match last_event_id(&req, params) {
        Some(id) => realtime.resume_setlist_updates(show.id, &id).await,
        None => realtime.subscribe_to_setlist_updates(show.id).await,
    }
    .map_err(|e| ApiError::from_db_subject(e, "show"))?;
    Ok(sse(stream, state.sse_heartbeat))
}

/// One setlist song's vote counts, live.
///
/// Events: `snapshot` `{setlist_song_id, setlist_id, show_id, upvotes, downvotes, net_votes,
/// version}` first; `votes` (same fields, coalesced over at most 100 ms); `resync` (same fields
/// and `reason`); `removed` when the song leaves its setlist (the stream then ends).
#[utoipa::path(
    operation_id = "votes_events",
    tag = "realtime",
    params(
        ("id" = uuid::Uuid, Path, description = "Setlist song id"),
        ("Last-Event-ID" = Option<String>, Header, description = "Resume after this event id"),
        EventsParams,
    ),
    responses((status = 200, description = "A text/event-stream of the song's counts", body = String, content_type = "text/event-stream"), (status = 400, description = "A malformed parameter or body, named in `detail`", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "No such resource", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable, live updates switched off, or too many streams; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[get("/v1/setlist-songs/{id}/events")]
pub async fn song_events(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    Query(params): Query<EventsParams>,
) -> ApiResult<HttpResponse> {
    let song: SetlistSongId = path_id("id", &id)?;
    let realtime = state.realtime()?;
    let stream = match last_event_id(&req, params) {
        Some(id) => realtime.resume_vote_updates(song, &id).await,
        None => realtime.subscribe_to_vote_updates(song).await,
    }
    .map_err(|e| ApiError::from_db_subject(e, "setlist song"))?;
    Ok(sse(stream, state.sse_heartbeat))
}

fn sse<E: Event>(events: Subscription<E>, heartbeat: Duration) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        // Tells nginx-style proxies not to buffer the stream.
        .insert_header(("x-accel-buffering", "no"))
        .streaming(SseBody {
            preamble: Some(Bytes::from(format!("retry: {RETRY_MS}\n\n"))),
            events,
            period: heartbeat,
            heartbeat: Box::pin(tokio::time::sleep(heartbeat)),
            sent: false,
        })
}

/// The events as frames, with a heartbeat comment for every period in which nothing was sent.
/// actix polls it only while the connection's write buffer has room, so a client that stops
/// reading holds back only its own subscription (which then resyncs).
struct SseBody<E> {
    preamble: Option<Bytes>,
    events: Subscription<E>,
    period: Duration,
    heartbeat: Pin<Box<Sleep>>,
    /// Something went out since the heartbeat timer was last armed. (Re-arming the timer on every
    /// event would cost a timer update per event per stream.)
    sent: bool,
}

impl<E: Event> Stream for SseBody<E> {
    type Item = Result<Bytes, Infallible>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Some(preamble) = self.preamble.take() {
            return Poll::Ready(Some(Ok(preamble)));
        }
        match self.events.poll_next_unpin(cx) {
            Poll::Ready(Some(update)) => {
                self.sent = true;
                return Poll::Ready(Some(Ok(update.sse())));
            }
            Poll::Ready(None) => return Poll::Ready(None),
            Poll::Pending => {}
        }
        while self.heartbeat.as_mut().poll(cx).is_ready() {
            let next = Instant::now() + self.period;
            self.heartbeat.as_mut().reset(next);
            if !std::mem::take(&mut self.sent) {
                return Poll::Ready(Some(Ok(Bytes::from_static(b": heartbeat\n\n"))));
            }
        }
        Poll::Pending
    }
}
