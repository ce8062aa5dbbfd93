//! Live updates as server-sent events (`text/event-stream`): a show's setlists and votes, and one
//! setlist song's votes. Public: the streams carry only what anyone may read (the listener reads
//! as `theset_api` with no caller, so RLS shows it the public catalog and counts, never votes).
//!
//! Each stream opens with `retry:` and a `snapshot` event (or, with `Last-Event-ID`, the events
//! missed since that id, or a `resync` when they are no longer held), then sends every change
//! with an `id:`. Idle streams get a heartbeat comment. The events are those of
//! `theset_realtime` (see apps/api/README.md, "Live updates").

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
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

use crate::config::RealtimeConfig;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Query, path_id};
use crate::rate_limit::{self, Limit};
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
/// Each event is an `event:` name and a JSON `data:` of a schema of this document (also listed,
/// machine-readable, under `x-theset-events`): `snapshot` (`ShowState`) first; `votes`
/// (`ShowVotes`: the changed songs' counts, `id` the setlist song's), coalesced over at most
/// 100 ms, each song's `version` only growing; `setlist` (`SetlistUpdate`: the setlist's full new
/// state and what changed); `setlist_removed` (`SetlistRemoved`); `show` (`ShowHeader`);
/// `played` (`Played`) when songs are recorded on the actual setlist (live, or imported), with
/// the current (provisional) score summary; `scored` (`Scored`) when the show's scores change;
/// `resync` (`ShowResync`) when the client fell behind, the server's database listener
/// reconnected, or the `Last-Event-ID` is no longer held; `removed` (`ShowRemoved`) when the
/// show is deleted (the stream then ends).
#[utoipa::path(
    operation_id = "shows_events",
    tag = "realtime",
    params(
        ("key" = String, Path, description = "Slug or UUID"),
        ("Last-Event-ID" = Option<String>, Header, description = "Resume after this event id"),
        EventsParams,
    ),
    responses((status = 200, description = "A text/event-stream of the show's changes", body = String, content_type = "text/event-stream"), (status = 404, description = "No such resource", body = crate::error::Problem, content_type = "application/problem+json"), (status = 429, description = "Too many streams or stream opens from this address; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable, live updates switched off, or too many streams; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[get("/v1/shows/{key}/events")]
pub async fn show_events(
    state: web::Data<AppState>,
    req: HttpRequest,
    key: web::Path<String>,
    Query(params): Query<EventsParams>,
) -> ApiResult<HttpResponse> {
    let realtime = state.realtime()?;
    rate_limit::per_client(&state, &req, Limit::StreamOpens).await?;
    let slot = state
        .streams
        .open(client_ip(&req, &state.trusted_proxies))?;
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
    Ok(sse(&state.streams, stream, slot, state.sse_heartbeat))
}

/// One setlist song's vote counts, live.
///
/// Events (schemas of this document, also under `x-theset-events`): `snapshot` (`SongVotes`)
/// first; `votes` (`SongVotes`, coalesced over at most 100 ms); `resync` (`SongResync`);
/// `removed` (`SongRemoved`) when the song leaves its setlist (the stream then ends).
#[utoipa::path(
    operation_id = "votes_events",
    tag = "realtime",
    params(
        ("id" = uuid::Uuid, Path, description = "Setlist song id"),
        ("Last-Event-ID" = Option<String>, Header, description = "Resume after this event id"),
        EventsParams,
    ),
    responses((status = 200, description = "A text/event-stream of the song's counts", body = String, content_type = "text/event-stream"), (status = 400, description = "A malformed parameter or body, named in `detail`", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "No such resource", body = crate::error::Problem, content_type = "application/problem+json"), (status = 429, description = "Too many streams or stream opens from this address; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"), (status = 503, description = "Database unavailable, live updates switched off, or too many streams; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
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
    rate_limit::per_client(&state, &req, Limit::StreamOpens).await?;
    let slot = state
        .streams
        .open(client_ip(&req, &state.trusted_proxies))?;
    let stream = match last_event_id(&req, params) {
        Some(id) => realtime.resume_vote_updates(song, &id).await,
        None => realtime.subscribe_to_vote_updates(song).await,
    }
    .map_err(|e| ApiError::from_db_subject(e, "setlist song"))?;
    Ok(sse(&state.streams, stream, slot, state.sse_heartbeat))
}

fn client_ip(req: &HttpRequest, trusted: &crate::client::TrustedProxies) -> Option<IpAddr> {
    crate::client::client_ip(req, trusted)
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The event streams of this process: how many each client address holds (at most
/// `REALTIME_MAX_STREAMS_PER_CLIENT`), their lifetime, and a sweeper that drops streams whose
/// sockets stopped draining (`REALTIME_WRITE_TIMEOUT_SECS` past a heartbeat period).
pub struct Streams {
    per_client: usize,
    lifetime: Duration,
    /// A stream's body not polled for this long is stuck: a draining one is polled at least
    /// once per heartbeat period.
    stuck_after: Duration,
    /// Open streams by client address (`None`: no peer address, in-process tests).
    clients: Mutex<HashMap<Option<IpAddr>, usize>>,
    slots: Mutex<Vec<Weak<dyn Sweep>>>,
    started: Instant,
}

impl std::fmt::Debug for Streams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Streams")
            .field("clients", &lock(&self.clients).len())
            .finish_non_exhaustive()
    }
}

impl Streams {
    /// The registry, with its sweeper running on `runtime` until the registry is dropped.
    pub fn new(config: &RealtimeConfig, runtime: &tokio::runtime::Handle) -> Arc<Self> {
        let streams = Arc::new(Self {
            per_client: config.max_streams_per_client,
            lifetime: config.max_stream_lifetime,
            stuck_after: config.heartbeat + config.write_timeout,
            clients: Mutex::default(),
            slots: Mutex::default(),
            started: Instant::now(),
        });
        let every =
            (config.write_timeout / 4).clamp(Duration::from_millis(100), Duration::from_secs(1));
        let weak = Arc::downgrade(&streams);
        runtime.spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let Some(streams) = weak.upgrade() else {
                    return;
                };
                streams.sweep();
            }
        });
        streams
    }

    /// A slot for one more stream of `client`, or 429 when it holds its share.
    fn open(self: &Arc<Self>, client: Option<IpAddr>) -> Result<ClientSlot, ApiError> {
        let mut clients = lock(&self.clients);
        let open = clients.entry(client).or_default();
        if *open >= self.per_client {
            return Err(ApiError::too_many_requests(
                format!(
                    "at most {} event streams per client address are open at once",
                    self.per_client
                ),
                RETRY_MS / 1_000 * 5,
            ));
        }
        *open += 1;
        Ok(ClientSlot {
            streams: self.clone(),
            client,
        })
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Drops the subscriptions (and frees the slots) of streams whose bodies were not polled
    /// for `stuck_after`: their sockets do not drain.
    fn sweep(&self) {
        let now = self.now_ms();
        let stuck = u64::try_from(self.stuck_after.as_millis()).unwrap_or(u64::MAX);
        lock(&self.slots).retain(|slot| match slot.upgrade() {
            Some(slot) => {
                if now.saturating_sub(slot.last_poll()) > stuck {
                    tracing::info!("dropping an event stream whose socket does not drain");
                    slot.release();
                    false
                } else {
                    true
                }
            }
            None => false,
        });
    }
}

/// One stream of one client address, counted until dropped.
struct ClientSlot {
    streams: Arc<Streams>,
    client: Option<IpAddr>,
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        let mut clients = lock(&self.streams.clients);
        if let Some(open) = clients.get_mut(&self.client) {
            *open = open.saturating_sub(1);
            if *open == 0 {
                clients.remove(&self.client);
            }
        }
    }
}

trait Sweep: Send + Sync {
    fn last_poll(&self) -> u64;
    fn release(&self);
}

/// A stream's subscription and client slot, which the sweeper can take away from the body.
struct Slot<E> {
    held: Mutex<Option<(Subscription<E>, ClientSlot)>>,
    /// When the body was last polled (ms since `Streams::started`).
    polled: AtomicU64,
}

impl<E: Send + Sync + 'static> Sweep for Slot<E> {
    fn last_poll(&self) -> u64 {
        self.polled.load(Ordering::Relaxed)
    }

    fn release(&self) {
        let held = lock(&self.held).take();
        drop(held);
    }
}

fn sse<E: Event + Send + Sync + 'static>(
    streams: &Arc<Streams>,
    events: Subscription<E>,
    client: ClientSlot,
    heartbeat: Duration,
) -> HttpResponse {
    let slot = Arc::new(Slot {
        held: Mutex::new(Some((events, client))),
        polled: AtomicU64::new(streams.now_ms()),
    });
    let weak: Weak<dyn Sweep> = Arc::downgrade(&slot) as Weak<dyn Sweep>;
    lock(&streams.slots).push(weak);
    // Up to a tenth earlier at random, so streams opened together do not all reconnect together.
    let jitter = streams
        .lifetime
        .mul_f64(f64::from(uuid::Uuid::new_v4().as_bytes()[0]) / 2550.0);
    HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        // Tells nginx-style proxies not to buffer the stream.
        .insert_header(("x-accel-buffering", "no"))
        .streaming(SseBody {
            preamble: Some(Bytes::from(format!("retry: {RETRY_MS}\n\n"))),
            streams: streams.clone(),
            slot,
            period: heartbeat,
            heartbeat: Box::pin(tokio::time::sleep(heartbeat)),
            end: Box::pin(tokio::time::sleep(streams.lifetime - jitter)),
            sent: false,
        })
}

/// The events as frames, with a heartbeat comment for every period in which nothing was sent.
/// actix polls it only while the connection's write buffer has room, so a client that stops
/// reading holds back only its own subscription (which then resyncs), and the sweeper of
/// [`Streams`] takes the subscription away once it has not been polled for a heartbeat period
/// and the write timeout. It ends cleanly after the stream's lifetime.
struct SseBody<E> {
    preamble: Option<Bytes>,
    streams: Arc<Streams>,
    slot: Arc<Slot<E>>,
    period: Duration,
    heartbeat: Pin<Box<Sleep>>,
    end: Pin<Box<Sleep>>,
    /// Something went out since the heartbeat timer was last armed. (Re-arming the timer on every
    /// event would cost a timer update per event per stream.)
    sent: bool,
}

impl<E: Event + Send + Sync + 'static> Stream for SseBody<E> {
    type Item = Result<Bytes, Infallible>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let now = self.streams.now_ms();
        self.slot.polled.store(now, Ordering::Relaxed);
        if let Some(preamble) = self.preamble.take() {
            return Poll::Ready(Some(Ok(preamble)));
        }
        if self.end.as_mut().poll(cx).is_ready() {
            // The lifetime is over: the client reconnects with the last id it saw.
            self.slot.release();
            return Poll::Ready(None);
        }
        let slot = self.slot.clone();
        {
            let mut held = lock(&slot.held);
            let Some((events, _)) = held.as_mut() else {
                // Swept: the socket did not drain.
                return Poll::Ready(None);
            };
            match events.poll_next_unpin(cx) {
                Poll::Ready(Some(update)) => {
                    drop(held);
                    self.sent = true;
                    return Poll::Ready(Some(Ok(update.sse())));
                }
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => {}
            }
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
