//! Realtime: live setlist and vote updates from every writer (API, worker, CLI, psql), as typed
//! async streams. The Rust counterpart of the design card's "Real-time Features":
//! [`Realtime::subscribe_to_setlist_updates`] (everything about a show's setlists) and
//! [`Realtime::subscribe_to_vote_updates`] (one setlist song's counts).
//!
//! How it works (see the crate README):
//! - PostgreSQL records changes for every writer (migrations/2026-11-24-000500_realtime): the
//!   vote trigger bumps the song's `vote_version` and appends to the unlogged
//!   `realtime_vote_log` (no NOTIFY on the vote path); structural changes NOTIFY
//!   `theset_realtime` with the show's id.
//! - One listener per process ([`Realtime::start`]) holds its own connection outside the pool,
//!   LISTENs, and while anything is followed reads the vote log every `poll_interval` from a
//!   transaction-id horizon that misses no commit. It runs on its own thread and reconnects with
//!   backoff; after a reconnection every subscriber gets a `resync` with the current state.
//! - Topics fan the events out in-process. Events carry full state (counts with a version that
//!   only grows), each stream starts with a snapshot, vote changes are coalesced per topic over
//!   `coalesce_window` (the newest counts always go out), a subscriber that falls more than
//!   `client_buffer` updates behind gets a `resync` instead of the backlog, and recent updates are
//!   kept for `Last-Event-ID` replay.
//!
//! - A [`ShowWatcher`] (the API's show page cache) is told which shows changed, by whichever writer, and
//!   whether the listener sees every change at all ([`Realtime::watch_shows`]).
//!
//! Streams reveal only what the listener's role may read: the API's listener connects as
//! `theset_api`, with no caller, so Row Level Security shows it the public catalog (shows,
//! setlists, setlist songs and songs are public; votes are not, and only counts are sent).

mod events;
mod hub;
mod listener;

use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use tokio::sync::watch;

pub use events::{
    Event, EventId, Leader, Played, PlayedEntry, ResyncReason, ScoreSummary, Scored,
    SetlistChanges, SetlistRemoved, SetlistState, SetlistUpdate, ShowEvent, ShowHeader,
    ShowRemoved, ShowState, ShowVotes, SongCounts, SongEntry, SongEvent, SongRemoved, SongVotes,
    Update,
};
#[cfg(feature = "openapi")]
pub use events::{ShowResync, SongResync};
pub use hub::Subscription;
pub use listener::APPLICATION_NAME;

use hub::{Hub, ShowKind, SongKind};
use listener::Watch;
use theset_database::DatabaseConfig;
use theset_database::error::Result;
use theset_database::ids::{SetlistSongId, ShowId};

/// A show's stream: [`ShowEvent`]s.
pub type SetlistUpdates = Subscription<ShowEvent>;
/// A setlist song's stream: [`SongEvent`]s.
pub type VoteUpdates = Subscription<SongEvent>;

/// Told by the listener which shows changed, for a cache of what PostgreSQL says about them (the
/// API's show pages), and when the names a search answers with changed (its search results). Set with [`Realtime::watch_shows`]. The listener calls it on its own thread,
/// so each call must be short, and holds it weakly (it never keeps the watcher alive).
///
/// The contract: between [`ShowWatcher::watching`] with a generation and the next
/// [`ShowWatcher::blind`] (or a new generation), every change committed by any writer to a show,
/// its setlists, songs, line-up, venue or headliner is reported to [`ShowWatcher::changed`]
/// after its commit, and every change to the rows of artists, songs and venues that a search
/// answers with (`search:`) to [`ShowWatcher::search_changed`]; `as_of` says how far the reports
/// have come.
pub trait ShowWatcher: Send + Sync {
    /// Whether changes must reach the watcher now (it holds entries, or is about to): the
    /// listener then connects and reads the vote log every `poll_interval`, even with no stream
    /// open.
    fn wants_changes(&self) -> bool;
    /// Every change committed before `as_of` has been reported, and every later one will be,
    /// under `generation`. A new generation follows a time when changes may have gone unreported
    /// (a reconnection, a listener that stopped watching): whatever was held from before is void.
    fn watching(&self, generation: u64, as_of: Instant);
    /// From now on changes may go unreported (the connection dropped, the listener stopped
    /// watching or is shutting down), until `watching` with a new generation.
    fn blind(&self);
    /// These shows changed (committed), as `change` says.
    fn changed(&self, shows: &[ShowId], change: ShowChange);
    /// An artist, song or venue was added, removed, or changed in what a search shows of it
    /// (committed).
    fn search_changed(&self);
}

/// What changed about a show, for a [`ShowWatcher`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShowChange {
    /// Counts of songs on its setlists (read from the vote log).
    Votes,
    /// Anything else: a structural change (`show:<id>`, what streams carry) or another change to
    /// its page (`page:<id>`: the show's own row, its setlists' totals, its headliner, line-up,
    /// venue or songs), both notified by the schema's triggers.
    Rows,
}

/// Tuning of the listener and the fan-out.
#[derive(Debug, Clone)]
pub struct RealtimeOptions {
    /// How often the vote log is read while anything is followed.
    pub poll_interval: Duration,
    /// Vote changes of one topic go out at most once per window (at most 100 ms).
    pub coalesce_window: Duration,
    /// Updates a subscriber may fall behind before it gets a `resync` instead.
    pub client_buffer: usize,
    /// Updates kept per topic for `Last-Event-ID` replay.
    pub history: usize,
    /// How long a topic nobody follows is kept (with its history, for reconnecting clients).
    pub keep_idle: Duration,
    /// Limit on waiting for a topic's first state (the listener may be reconnecting).
    pub load_timeout: Duration,
    /// Limit on each of the listener's queries.
    pub query_timeout: Duration,
    /// Most subscribers at once in this process.
    pub max_subscribers: usize,
    /// Most topics (shows and songs, followed or idle) held at once: at the bound the longest
    /// idle topic makes room, and with none idle a new topic fails with `Error::Unavailable`.
    pub max_topics: usize,
    /// Most idle topics kept (with their history) for `keep_idle`; the longest idle go first.
    pub max_idle_topics: usize,
    /// How long an event id can be resumed on any process, from the vote log (at most half of
    /// `log_retention`, so the rows are still there); older ids get a `resync` (`expired`).
    pub replay_window: Duration,
    /// Most ids in one of the listener's state reads (a reconnection with many topics reads
    /// them in batches, each under `query_timeout`).
    pub batch: usize,
    /// Reconnection backoff: first and longest wait.
    pub reconnect_min: Duration,
    pub reconnect_max: Duration,
    /// How long vote log rows are kept (the worker prunes them:
    /// `theset_database::live::VOTE_LOG_RETENTION`); a listener that read nothing for half of it
    /// starts over from the full state.
    pub log_retention: Duration,
}

impl Default for RealtimeOptions {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_millis(25),
            coalesce_window: Duration::from_millis(100),
            client_buffer: 64,
            history: 512,
            keep_idle: Duration::from_secs(60),
            load_timeout: Duration::from_secs(5),
            query_timeout: Duration::from_secs(10),
            max_subscribers: 20_000,
            max_topics: 20_000,
            max_idle_topics: 1_000,
            replay_window: theset_database::live::VOTE_LOG_RETENTION / 2,
            batch: 500,
            reconnect_min: Duration::from_millis(100),
            reconnect_max: Duration::from_secs(5),
            log_retention: theset_database::live::VOTE_LOG_RETENTION,
        }
    }
}

/// The realtime service of one process. Cheap to clone; the listener stops (and every stream
/// ends) when the last clone is dropped or [`Realtime::close`] is called.
#[derive(Debug, Clone)]
pub struct Realtime {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    hub: Arc<Hub>,
    watch: Arc<Watch>,
    shutdown: watch::Sender<bool>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.shutdown.send_replace(true);
    }
}

impl Realtime {
    /// Starts the listener on its own thread. It connects (with `config`, which should name the
    /// API's role so that RLS applies) when the first stream is opened.
    pub fn start(config: DatabaseConfig, options: RealtimeOptions) -> std::io::Result<Self> {
        let hub = Arc::new(Hub::new(options));
        let watch = Arc::new(Watch::default());
        let (shutdown, stop) = watch::channel(false);
        let (listener_hub, listener_watch) = (hub.clone(), watch.clone());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        std::thread::Builder::new()
            .name("theset-realtime".into())
            .spawn(move || {
                runtime.block_on(listener::run(listener_hub, listener_watch, config, stop));
            })?;
        Ok(Self {
            inner: Arc::new(Inner {
                hub,
                watch,
                shutdown,
            }),
        })
    }

    /// Reports every show's changes to `watcher` from now on (see [`ShowWatcher`]). One watcher
    /// per process: `false` (and nothing changes) when one is set already.
    pub fn watch_shows(&self, watcher: Weak<dyn ShowWatcher>) -> bool {
        let set = self.inner.watch.set(watcher);
        self.wake_listener();
        set
    }

    /// Wakes the listener to look again at what is wanted: a [`ShowWatcher`] that starts wanting
    /// changes calls it, so an idle listener connects.
    pub fn wake_listener(&self) {
        self.inner.hub.wake.notify_one();
    }

    /// The show's setlists, live (design card: `subscribeToSetlistUpdates`): a snapshot, then
    /// every change. `Error::NotFound` when there is no such show, `Error::Unavailable` when the
    /// listener cannot reach the database in time or too many streams are open.
    pub async fn subscribe_to_setlist_updates(&self, show: ShowId) -> Result<SetlistUpdates> {
        self.inner.hub.subscribe::<ShowKind>(show, None).await
    }

    /// As [`Self::subscribe_to_setlist_updates`], resuming after `last_event_id` (a client's
    /// `Last-Event-ID`): the updates since then from this process's history when it issued the
    /// id; else, within `replay_window` and when the show's structure is unchanged, one `votes`
    /// event with the counts changed since the id's horizon, read from the vote log (ids are
    /// meaningful on every process); else a `resync`.
    pub async fn resume_setlist_updates(
        &self,
        show: ShowId,
        last_event_id: &str,
    ) -> Result<SetlistUpdates> {
        let id = last_event_id.parse().ok();
        self.inner.hub.subscribe::<ShowKind>(show, Some(id)).await
    }

    /// One setlist song's counts, live (design card: `subscribeToVoteUpdates`): a snapshot,
    /// then every change. Errors as for [`Self::subscribe_to_setlist_updates`].
    pub async fn subscribe_to_vote_updates(&self, song: SetlistSongId) -> Result<VoteUpdates> {
        self.inner.hub.subscribe::<SongKind>(song, None).await
    }

    /// As [`Self::subscribe_to_vote_updates`], resuming after `last_event_id`.
    pub async fn resume_vote_updates(
        &self,
        song: SetlistSongId,
        last_event_id: &str,
    ) -> Result<VoteUpdates> {
        let id = last_event_id.parse().ok();
        self.inner.hub.subscribe::<SongKind>(song, Some(id)).await
    }

    /// Streams open in this process.
    pub fn subscribers(&self) -> usize {
        self.inner.hub.subscribers()
    }

    /// Topics held in this process (shows and songs, followed or idle).
    pub fn topics(&self) -> usize {
        self.inner.hub.topic_count()
    }

    /// Stops the listener and ends every stream (for a graceful shutdown); later subscriptions
    /// fail with `Error::Unavailable`.
    pub fn close(&self) {
        self.inner.shutdown.send_replace(true);
        self.inner.hub.close_all();
    }
}
