//! The one database listener of a process: its own connection (outside any pool), `LISTEN
//! theset_realtime` for structural changes, and a short tick reading the vote log while anyone
//! follows a show or song, or a [`ShowWatcher`] wants changes. It runs on its own thread,
//! reconnects with backoff, and resyncs every topic after a reconnection (and starts the watcher
//! over: a new generation).

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, Weak};
use std::time::{Duration, Instant};

use diesel_async::AsyncPgConnection;
use futures_util::{FutureExt, StreamExt};
use tokio::sync::watch;
use uuid::Uuid;

use crate::events::{ResyncReason, ShowEvent, ShowState, SongEvent, SongVotes};
use crate::hub::{Hub, ShowKind, SongKind, Topic};
use crate::{ShowChange, ShowWatcher};
use theset_database::DatabaseConfig;
use theset_database::ids::{SetlistSongId, ShowId};
use theset_database::live;

/// The listener's `application_name`, to find its backend in `pg_stat_activity`.
pub const APPLICATION_NAME: &str = "theset-realtime";

type Failure = String;

/// `query`, failing after `limit` (a dead connection must not stall the listener).
async fn timed<T, E: std::fmt::Display>(
    limit: Duration,
    what: &str,
    query: impl Future<Output = Result<T, E>>,
) -> Result<T, Failure> {
    match tokio::time::timeout(limit, query).await {
        Ok(result) => result.map_err(|e| failed(what, e)),
        Err(_) => Err(failed(what, "timed out")),
    }
}

fn failed(what: &str, error: impl std::fmt::Display) -> Failure {
    format!("{what}: {error}")
}

/// The process's [`ShowWatcher`], if any, and the generations the listener gives it.
#[derive(Default)]
pub(crate) struct Watch {
    watcher: OnceLock<Weak<dyn ShowWatcher>>,
    generation: AtomicU64,
}

impl std::fmt::Debug for Watch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watch")
            .field("generation", &self.generation.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl Watch {
    /// `false` when a watcher is set already.
    pub(crate) fn set(&self, watcher: Weak<dyn ShowWatcher>) -> bool {
        self.watcher.set(watcher).is_ok()
    }

    fn get(&self) -> Option<Arc<dyn ShowWatcher>> {
        self.watcher.get().and_then(Weak::upgrade)
    }

    fn wanted(&self) -> bool {
        self.get().is_some_and(|w| w.wants_changes())
    }

    fn blind(&self) {
        if let Some(watcher) = self.get() {
            watcher.blind();
        }
    }

    /// A generation no earlier watching had (they only grow, across sessions).
    fn next_generation(&self) -> u64 {
        self.generation.fetch_add(1, Ordering::Relaxed) + 1
    }
}

/// Runs the listener until `shutdown` changes (or its sender goes), then ends every stream.
pub(crate) async fn run(
    hub: Arc<Hub>,
    watch: Arc<Watch>,
    config: DatabaseConfig,
    mut shutdown: watch::Receiver<bool>,
) {
    let config = config.with_application_name(APPLICATION_NAME);
    let mut backoff = hub.options.reconnect_min;
    let stop = |hub: &Hub, watch: &Watch| {
        watch.blind();
        hub.close_all();
    };
    loop {
        // Nothing to follow: no connection needed yet.
        while hub.is_empty() && !watch.wanted() {
            tokio::select! {
                () = hub.wake.notified() => {}
                _ = shutdown.changed() => return stop(&hub, &watch),
            }
        }
        let session = Session::open(&hub, &watch, &config).await;
        match session {
            Ok(mut session) => {
                backoff = hub.options.reconnect_min;
                tracing::info!("realtime listener connected");
                let ended = session.run(&mut shutdown).await;
                // Whatever happens next, changes from now until a new generation go unseen.
                watch.blind();
                match ended {
                    Ok(()) => return stop(&hub, &watch),
                    Err(e) => tracing::warn!(error = %e, "realtime listener lost its connection"),
                }
            }
            Err(e) => {
                watch.blind();
                tracing::warn!(error = %e, ?backoff, "realtime listener cannot connect");
            }
        }
        // Jitter, so the listeners of many processes do not reconnect in step.
        let jitter = Duration::from_millis(u64::from(Uuid::new_v4().as_bytes()[0]));
        tokio::select! {
            () = tokio::time::sleep(backoff + jitter.min(backoff / 2)) => {}
            _ = shutdown.changed() => return stop(&hub, &watch),
        }
        backoff = (backoff * 2).min(hub.options.reconnect_max);
    }
}

enum Wake {
    Notified(String),
    Topics,
    Tick,
    Stop,
}

/// One connection's worth of listening.
struct Session<'h> {
    hub: &'h Arc<Hub>,
    watch: &'h Watch,
    conn: AsyncPgConnection,
    /// Read the vote log from here next time (`None`: nothing followed since the last read).
    horizon: Option<i64>,
    /// The watcher's generation while a horizon is held (every change is then reported).
    generation: Option<u64>,
    last_poll: Instant,
    /// When idle topics were last looked at (once a second, not every tick).
    last_evict: Instant,
    /// Vote changes read but not yet sent, waiting for their topic's coalescing window.
    show_votes: HashMap<ShowId, HashMap<SetlistSongId, SongVotes>>,
    song_votes: HashMap<SetlistSongId, SongVotes>,
}

impl<'h> Session<'h> {
    async fn open(
        hub: &'h Arc<Hub>,
        watch: &'h Watch,
        config: &DatabaseConfig,
    ) -> Result<Session<'h>, Failure> {
        let conn = config
            .connect()
            .await
            .map_err(|e| failed("connecting", e))?;
        let mut session = Session {
            hub,
            watch,
            conn,
            horizon: None,
            generation: None,
            last_poll: Instant::now(),
            last_evict: Instant::now(),
            show_votes: HashMap::new(),
            song_votes: HashMap::new(),
        };
        timed(
            hub.options.query_timeout,
            "LISTEN",
            live::listen(&mut session.conn),
        )
        .await?;
        let started = timed(
            hub.options.query_timeout,
            "reading the server's start",
            live::server_started_at(&mut session.conn),
        )
        .await?;
        hub.server_started
            .store(u64::try_from(started).unwrap_or_default(), Ordering::SeqCst);
        // Ids of the previous connection cannot be resumed from memory: changes may have been
        // missed since (the vote log still resumes them).
        hub.new_epoch();
        // The horizon before the states: whatever those states miss is read from the log next.
        session.ensure_horizon().await?;
        let shows: Vec<ShowId> = hub.topics::<ShowKind>().iter().map(|t| t.key).collect();
        let songs: Vec<SetlistSongId> = hub.topics::<SongKind>().iter().map(|t| t.key).collect();
        session
            .reload_shows(&shows, ResyncReason::Reconnected)
            .await?;
        session
            .reload_songs(&songs, ResyncReason::Reconnected)
            .await?;
        Ok(session)
    }

    async fn run(&mut self, shutdown: &mut watch::Receiver<bool>) -> Result<(), Failure> {
        let interval = self.hub.options.poll_interval;
        let mut next_tick = Instant::now() + interval;
        loop {
            let following = !self.hub.is_empty() || self.watch.wanted();
            let wake = {
                let mut notes = std::pin::pin!(self.conn.notifications_stream());
                let tick = tokio::time::sleep_until(next_tick.into());
                tokio::select! {
                    biased;
                    _ = shutdown.changed() => Wake::Stop,
                    note = notes.next() => match note {
                        Some(Ok(note)) => Wake::Notified(note.payload),
                        Some(Err(e)) => return Err(failed("notifications", e)),
                        None => return Err("the connection closed".to_owned()),
                    },
                    () = self.hub.wake.notified() => Wake::Topics,
                    () = tick, if following => Wake::Tick,
                }
            };
            let mut notes = Notes::default();
            // When the vote log read of this tick began, if it read.
            let mut read_at = None;
            match wake {
                Wake::Stop => return Ok(()),
                Wake::Notified(payload) => {
                    notes.sort(&payload);
                    self.take_notes(&mut notes);
                }
                Wake::Topics => {}
                Wake::Tick => {
                    next_tick = Instant::now() + interval;
                    let started = Instant::now();
                    if self.poll_votes().await? {
                        read_at = Some(started);
                    }
                    // Notifications of commits before the read came before its reply: they go
                    // to the watcher with it, so `read_at` holds for both kinds of change.
                    self.take_notes(&mut notes);
                    let (unknown, next_due) = self.flush_votes();
                    notes.dirty.extend(unknown);
                    // Held changes go out when their window closes, not at the first tick after.
                    if let Some(due) = next_due {
                        next_tick = next_tick.min(due);
                    }
                    let now = Instant::now();
                    if now.duration_since(self.last_evict) >= Duration::from_secs(1) {
                        self.last_evict = now;
                        self.hub.evict_idle::<ShowKind>(now);
                        self.hub.evict_idle::<SongKind>(now);
                    }
                    if self.hub.is_empty() && !self.watch.wanted() {
                        // Nothing followed: the next topic (or the watcher) starts from a fresh
                        // horizon, and a new generation.
                        self.horizon = None;
                        self.generation = None;
                        self.watch.blind();
                    }
                }
            }
            if let Some(generation) = self.generation
                && let Some(watcher) = self.watch.get()
            {
                let changed: Vec<ShowId> = notes.dirty.union(&notes.pages).copied().collect();
                if !changed.is_empty() {
                    watcher.changed(&changed, ShowChange::Rows);
                }
                if notes.search {
                    watcher.search_changed();
                }
                if let Some(at) = read_at {
                    watcher.watching(generation, at);
                }
            }
            // A watcher that started wanting changes (it woke the listener) gets a generation now.
            if self.watch.wanted() {
                self.ensure_horizon().await?;
            }
            if self.hub.created.swap(false, Ordering::SeqCst) {
                self.load_pending().await?;
            }
            self.answer_resumes().await?;
            if !notes.dirty.is_empty() {
                let shows: Vec<ShowId> = notes.dirty.into_iter().collect();
                self.reload_structure(&shows).await?;
            }
        }
    }

    async fn read_horizon(&mut self) -> Result<i64, Failure> {
        let changes = timed(
            self.hub.options.query_timeout,
            "reading the horizon",
            live::vote_changes(&mut self.conn, None, &[], &[]),
        )
        .await?;
        Ok(changes.horizon)
    }

    /// Reads a horizon when none is held: from it on, every vote is read from the log (and,
    /// LISTENing already, every other change is notified), so the watcher gets a new generation.
    async fn ensure_horizon(&mut self) -> Result<(), Failure> {
        if self.horizon.is_some() {
            return Ok(());
        }
        let as_of = Instant::now();
        let horizon = self.read_horizon().await?;
        self.horizon = Some(horizon);
        self.hub.horizon.store(horizon, Ordering::SeqCst);
        self.last_poll = Instant::now();
        let generation = self.watch.next_generation();
        self.generation = Some(generation);
        if let Some(watcher) = self.watch.get() {
            watcher.watching(generation, as_of);
        }
        Ok(())
    }

    /// Every notification already received, sorted into `notes`.
    fn take_notes(&mut self, notes: &mut Notes) {
        let mut received = std::pin::pin!(self.conn.notifications_stream());
        while let Some(Some(Ok(note))) = received.next().now_or_never() {
            notes.sort(&note.payload);
        }
    }

    /// First states for topics that wait for one.
    async fn load_pending(&mut self) -> Result<(), Failure> {
        let shows: Vec<ShowId> = (self.hub.topics::<ShowKind>().iter())
            .filter(|t| t.is_pending())
            .map(|t| t.key)
            .collect();
        let songs: Vec<SetlistSongId> = (self.hub.topics::<SongKind>().iter())
            .filter(|t| t.is_pending())
            .map(|t| t.key)
            .collect();
        if shows.is_empty() && songs.is_empty() {
            return Ok(());
        }
        self.ensure_horizon().await?;
        self.reload_shows(&shows, ResyncReason::Reconnected).await?;
        self.reload_songs(&songs, ResyncReason::Reconnected).await
    }

    /// Resumes of ids issued elsewhere: the counts changed since each one's horizon.
    async fn answer_resumes(&mut self) -> Result<(), Failure> {
        let requests = std::mem::take(&mut *crate::hub::lock(&self.hub.resumes));
        for request in requests {
            let read = timed(
                self.hub.options.query_timeout,
                "reading vote changes for a resume",
                live::vote_changes(
                    &mut self.conn,
                    Some(request.since),
                    &request.shows,
                    &request.songs,
                ),
            )
            .await;
            match read {
                Ok(changes) => {
                    // The subscriber may have given up waiting.
                    let _ = request.reply.send(Some((changes.horizon, changes.songs)));
                }
                Err(e) => {
                    let _ = request.reply.send(None);
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    async fn show_states(
        &mut self,
        shows: &[ShowId],
    ) -> Result<HashMap<ShowId, ShowState>, Failure> {
        let rows = timed(
            self.hub.options.query_timeout,
            "reading show states",
            live::show_states(&mut self.conn, shows),
        )
        .await?;
        let mut states = HashMap::new();
        for (show, state) in rows {
            let state: ShowState =
                serde_json::from_str(&state).map_err(|e| failed("decoding a show state", e))?;
            states.insert(show, state);
        }
        Ok(states)
    }

    async fn song_states(
        &mut self,
        songs: &[SetlistSongId],
    ) -> Result<HashMap<SetlistSongId, SongVotes>, Failure> {
        let rows = timed(
            self.hub.options.query_timeout,
            "reading song states",
            live::song_states(&mut self.conn, songs),
        )
        .await?;
        Ok(rows
            .into_iter()
            .map(|counts| (counts.setlist_song_id, counts))
            .collect())
    }

    /// Reads the shows' states and installs them: first states, or a `resync` with `reason`.
    async fn reload_shows(
        &mut self,
        shows: &[ShowId],
        reason: ResyncReason,
    ) -> Result<(), Failure> {
        for batch in shows.chunks(self.hub.options.batch.max(1)) {
            self.reload_show_batch(batch, reason).await?;
        }
        Ok(())
    }

    async fn reload_show_batch(
        &mut self,
        shows: &[ShowId],
        reason: ResyncReason,
    ) -> Result<(), Failure> {
        let mut states = self.show_states(shows).await?;
        for &id in shows {
            let Some(topic) = self.hub.topic::<ShowKind>(id) else {
                continue;
            };
            match states.remove(&id) {
                Some(state) => self.hub.install(&topic, Arc::new(state), reason),
                None => self.hub.close(&topic, None),
            }
        }
        Ok(())
    }

    async fn reload_songs(
        &mut self,
        songs: &[SetlistSongId],
        reason: ResyncReason,
    ) -> Result<(), Failure> {
        for batch in songs.chunks(self.hub.options.batch.max(1)) {
            self.reload_song_batch(batch, reason).await?;
        }
        Ok(())
    }

    async fn reload_song_batch(
        &mut self,
        songs: &[SetlistSongId],
        reason: ResyncReason,
    ) -> Result<(), Failure> {
        let mut states = self.song_states(songs).await?;
        for &id in songs {
            let Some(topic) = self.hub.topic::<SongKind>(id) else {
                continue;
            };
            match states.remove(&id) {
                Some(votes) => self.hub.install(&topic, votes, reason),
                None => self.hub.close(&topic, None),
            }
        }
        Ok(())
    }

    /// Reads the counts that changed since the horizon, for followed shows and songs, and tells
    /// the watcher which shows they were on. `false` when no horizon is held (nothing read).
    async fn poll_votes(&mut self) -> Result<bool, Failure> {
        let Some(since) = self.horizon else {
            return Ok(false);
        };
        let gap = self.last_poll.elapsed();
        if gap > self.hub.options.log_retention / 2 {
            // Log rows may have been pruned under a listener this late: start over.
            return Err(format!("no vote log read for {gap:?}"));
        }
        // Every song changed since the horizon (as many as were voted on, however many topics
        // are followed), kept when followed.
        let changes = timed(
            self.hub.options.query_timeout,
            "reading vote changes",
            live::all_vote_changes(&mut self.conn, since),
        )
        .await?;
        self.last_poll = Instant::now();
        self.horizon = Some(changes.horizon);
        if self.generation.is_some()
            && let Some(watcher) = self.watch.get()
        {
            let shows: HashSet<ShowId> = changes.songs.iter().map(|v| v.show_id).collect();
            if !shows.is_empty() {
                watcher.changed(&shows.into_iter().collect::<Vec<_>>(), ShowChange::Votes);
            }
        }
        for votes in changes.songs {
            let newer = |held: &SongVotes| held.version < votes.version;
            if let Some(topic) = self.hub.topic::<ShowKind>(votes.show_id)
                && !topic.is_pending()
            {
                topic.lock().held_since.get_or_insert(since);
                let by_song = self.show_votes.entry(votes.show_id).or_default();
                if by_song.get(&votes.setlist_song_id).is_none_or(newer) {
                    by_song.insert(votes.setlist_song_id, votes);
                }
            }
            if let Some(topic) = self.hub.topic::<SongKind>(votes.setlist_song_id)
                && !topic.is_pending()
            {
                topic.lock().held_since.get_or_insert(since);
                if self
                    .song_votes
                    .get(&votes.setlist_song_id)
                    .is_none_or(newer)
                {
                    self.song_votes.insert(votes.setlist_song_id, votes);
                }
            }
        }
        // After the held marks: an id issued from here on names this horizon only for topics
        // holding nothing older.
        self.hub.horizon.store(changes.horizon, Ordering::SeqCst);
        Ok(true)
    }

    /// Sends held vote changes of every topic whose coalescing window has passed: each song at most
    /// once per window, at the newest version read. Returns shows whose held state lacks a song
    /// that votes named (to be read again), and when the earliest window still open closes.
    fn flush_votes(&mut self) -> (Vec<ShowId>, Option<Instant>) {
        let now = Instant::now();
        let window = self.hub.options.coalesce_window;
        let next_due = std::cell::Cell::new(None::<Instant>);
        let due = |last: Option<Instant>| match last {
            Some(t) if now.duration_since(t) < window => {
                let at = t + window;
                next_due.set(Some(next_due.get().map_or(at, |d: Instant| d.min(at))));
                false
            }
            _ => true,
        };
        let mut unknown = Vec::new();
        self.show_votes.retain(|&show, songs| {
            let Some(topic) = self.hub.topic::<ShowKind>(show) else {
                return false;
            };
            let mut inner = topic.lock();
            if !due(inner.last_emit) {
                return true;
            }
            // Everything held goes out (or is older than what was sent) now.
            inner.held_since = None;
            let Some(state) = inner.state.as_mut() else {
                return false;
            };
            let mut sent = Vec::new();
            let mut missing = false;
            {
                let state = Arc::make_mut(state);
                for votes in songs.values() {
                    let entry = state
                        .setlists
                        .iter_mut()
                        .find(|l| l.id == votes.setlist_id)
                        .and_then(|l| l.songs.iter_mut().find(|s| s.id == votes.setlist_song_id));
                    match entry {
                        Some(entry) if entry.version < votes.version => {
                            entry.upvotes = votes.upvotes;
                            entry.downvotes = votes.downvotes;
                            entry.net_votes = votes.net_votes;
                            entry.version = votes.version;
                            sent.push(*votes);
                        }
                        Some(_) => {}
                        None => missing = true,
                    }
                }
            }
            if missing {
                // A song this state does not know yet: its notification is on the way, but
                // reload anyway rather than rely on it.
                unknown.push(show);
            }
            if !sent.is_empty() {
                sent.sort_by_key(|v| v.setlist_song_id);
                self.hub.publish(&mut *inner, ShowEvent::Votes(sent.into()));
                inner.last_emit = Some(now);
            }
            false
        });
        self.song_votes.retain(|&song, votes| {
            let Some(topic) = self.hub.topic::<SongKind>(song) else {
                return false;
            };
            let mut inner = topic.lock();
            if !due(inner.last_emit) {
                return true;
            }
            inner.held_since = None;
            let Some(state) = inner.state.as_mut() else {
                return false;
            };
            if state.version < votes.version {
                *state = *votes;
                self.hub.publish(&mut *inner, SongEvent::Votes(*votes));
                inner.last_emit = Some(now);
            }
            false
        });
        (unknown, next_due.get())
    }

    /// Shows whose structure changed (or may have): read them again and send what changed.
    async fn reload_structure(&mut self, shows: &[ShowId]) -> Result<(), Failure> {
        let followed: Vec<ShowId> = shows
            .iter()
            .copied()
            .filter(|s| {
                self.hub
                    .topic::<ShowKind>(*s)
                    .is_some_and(|t| !t.is_pending())
            })
            .collect();
        if !followed.is_empty() {
            let mut states = self.show_states(&followed).await?;
            for id in followed {
                let Some(topic) = self.hub.topic::<ShowKind>(id) else {
                    continue;
                };
                match states.remove(&id) {
                    Some(state) => self.apply_show(&topic, state),
                    None => self
                        .hub
                        .close(&topic, Some(ShowEvent::Removed { show_id: id })),
                }
            }
        }
        let wanted: HashSet<ShowId> = shows.iter().copied().collect();
        let songs: Vec<SetlistSongId> = (self.hub.topics::<SongKind>().into_iter())
            .filter(|t| t.state().is_some_and(|v| wanted.contains(&v.show_id)))
            .map(|t| t.key)
            .collect();
        if !songs.is_empty() {
            let mut states = self.song_states(&songs).await?;
            for id in songs {
                let Some(topic) = self.hub.topic::<SongKind>(id) else {
                    continue;
                };
                match states.remove(&id) {
                    Some(votes) => {
                        let mut inner = topic.lock();
                        if inner.state.is_some_and(|held| held.version < votes.version) {
                            inner.set_state(votes);
                            self.hub.publish(&mut *inner, SongEvent::Votes(votes));
                        }
                    }
                    None => self.hub.close(
                        &topic,
                        Some(SongEvent::Removed {
                            setlist_song_id: id,
                        }),
                    ),
                }
            }
        }
        Ok(())
    }

    /// Sends the differences between a show's held state and its new one
    /// ([`ShowState::events_since`]), then holds the new.
    fn apply_show(&self, topic: &Topic<ShowKind>, new: ShowState) {
        let mut inner = topic.lock();
        let Some(old) = inner.state.clone() else {
            return;
        };
        let events = new.events_since(&old);
        // Counts in the new state may be older than counts already sent: keep the newer.
        let mut new = new;
        for setlist in &mut new.setlists {
            for song in &mut setlist.songs {
                if let Some(held) = old
                    .setlists
                    .iter()
                    .flat_map(|l| &l.songs)
                    .find(|s| s.id == song.id && s.version > song.version)
                {
                    song.upvotes = held.upvotes;
                    song.downvotes = held.downvotes;
                    song.net_votes = held.net_votes;
                    song.version = held.version;
                }
            }
        }
        inner.set_state(Arc::new(new));
        for event in events {
            self.hub.publish(&mut *inner, event);
        }
    }
}

/// What the notifications received at one wake said.
#[derive(Debug, Default)]
struct Notes {
    /// `show:<id>`: structural changes (streams read these shows again, and the watcher hears).
    dirty: HashSet<ShowId>,
    /// `page:<id>`: other changes to a show's page, for the watcher alone.
    pages: HashSet<ShowId>,
    /// `search:`: a name search answers with (an artist, song or venue) changed, for the
    /// watcher alone.
    search: bool,
}

impl Notes {
    /// Sorts one notification in; anything else is ignored.
    fn sort(&mut self, payload: &str) {
        let (into, id) = match payload.split_once(':') {
            Some(("show", id)) => (&mut self.dirty, id),
            Some(("page", id)) => (&mut self.pages, id),
            Some(("search", _)) => {
                self.search = true;
                return;
            }
            _ => return,
        };
        into.extend(id.parse::<ShowId>().ok());
    }
}
