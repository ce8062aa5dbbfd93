//! The in-process fan-out: one topic per followed show or song, each with its current state, a
//! bounded history for `Last-Event-ID` replay, and a broadcast channel whose ring is the bounded
//! per-subscriber buffer. The listener writes; subscribers read.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::hash::Hash;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::Instant;

use futures_util::stream::BoxStream;
use futures_util::{Stream, StreamExt};
use tokio::sync::{Notify, broadcast, oneshot, watch};

use crate::RealtimeOptions;
use crate::events::{
    Event, EventId, ResyncReason, ShowEvent, ShowState, SongEvent, SongVotes, Update, unix_ms,
};
use theset_database::error::{Error, Result};
use theset_database::ids::{SetlistSongId, ShowId};

/// A kind of stream: what it is keyed by, the state it holds, the events it sends.
pub(crate) trait Kind: Sized + Send + Sync + 'static {
    type Key: Copy + Eq + Hash + Send + Sync + fmt::Debug + fmt::Display;
    type State: Clone + Send + Sync + fmt::Debug;
    type Event: Event;
    fn topics(hub: &Hub) -> &Mutex<HashMap<Self::Key, Arc<Topic<Self>>>>;
    fn snapshot(state: &Self::State) -> Self::Event;
    fn resync(state: &Self::State, reason: ResyncReason) -> Self::Event;
    /// A hash of the state without its counts ([`EventId`]'s structure).
    fn structure(state: &Self::State) -> u64;
    /// What a resume on another process asks the vote log for: (shows, songs).
    fn filter(key: Self::Key) -> (Vec<ShowId>, Vec<SetlistSongId>);
    /// The event carrying counts read from the vote log for a resume (`None`: nothing changed).
    fn replayed(votes: Vec<SongVotes>) -> Option<Self::Event>;
}

#[derive(Debug)]
pub(crate) struct ShowKind;

impl Kind for ShowKind {
    type Key = ShowId;
    type State = Arc<ShowState>;
    type Event = ShowEvent;
    fn topics(hub: &Hub) -> &Mutex<HashMap<ShowId, Arc<Topic<Self>>>> {
        &hub.shows
    }
    fn snapshot(state: &Self::State) -> ShowEvent {
        ShowEvent::Snapshot(state.clone())
    }
    fn resync(state: &Self::State, reason: ResyncReason) -> ShowEvent {
        ShowEvent::Resync {
            reason,
            state: state.clone(),
        }
    }
    fn structure(state: &Self::State) -> u64 {
        state.structure()
    }
    fn filter(key: ShowId) -> (Vec<ShowId>, Vec<SetlistSongId>) {
        (vec![key], Vec::new())
    }
    fn replayed(mut votes: Vec<SongVotes>) -> Option<ShowEvent> {
        votes.sort_by_key(|v| v.setlist_song_id);
        (!votes.is_empty()).then(|| ShowEvent::Votes(votes.into()))
    }
}

#[derive(Debug)]
pub(crate) struct SongKind;

impl Kind for SongKind {
    type Key = SetlistSongId;
    type State = SongVotes;
    type Event = SongEvent;
    fn topics(hub: &Hub) -> &Mutex<HashMap<SetlistSongId, Arc<Topic<Self>>>> {
        &hub.songs
    }
    fn snapshot(state: &SongVotes) -> SongEvent {
        SongEvent::Snapshot(*state)
    }
    fn resync(state: &SongVotes, reason: ResyncReason) -> SongEvent {
        SongEvent::Resync {
            reason,
            votes: *state,
        }
    }
    fn structure(_: &SongVotes) -> u64 {
        0
    }
    fn filter(key: SetlistSongId) -> (Vec<ShowId>, Vec<SetlistSongId>) {
        (Vec::new(), vec![key])
    }
    fn replayed(votes: Vec<SongVotes>) -> Option<SongEvent> {
        votes
            .into_iter()
            .max_by_key(|v| v.version)
            .map(SongEvent::Votes)
    }
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Whether a topic's first state has been read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Load {
    Pending,
    Ready,
    /// No such show or song (or RLS hides it).
    Missing,
}

type Shared<E> = Arc<Update<E>>;

pub(crate) struct Topic<K: Kind> {
    pub(crate) key: K::Key,
    inner: Mutex<TopicInner<K>>,
    load: watch::Sender<Load>,
    /// Subscribers between finding the topic and subscribing to it: the topic is not evicted
    /// under them.
    waiting: AtomicUsize,
}

impl<K: Kind> fmt::Debug for Topic<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Topic")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

pub(crate) struct TopicInner<K: Kind> {
    pub(crate) state: Option<K::State>,
    /// `None` once the topic is closed: receivers then see the channel end.
    sender: Option<broadcast::Sender<Shared<K::Event>>>,
    history: VecDeque<Shared<K::Event>>,
    /// A `Last-Event-ID` at or after this sequence number can be replayed from `history`.
    resumable_from: u64,
    /// The sequence number of the latest update (or of the load): snapshots carry it as their id.
    last_seq: u64,
    epoch: u32,
    snapshot: Option<Shared<K::Event>>,
    lag_resync: Option<Shared<K::Event>>,
    /// When the last coalesced vote event went out.
    pub(crate) last_emit: Option<Instant>,
    idle_since: Option<Instant>,
    /// Vote changes read from the log at or after this horizon are held for the coalescing
    /// window: ids issued meanwhile carry it instead of the listener's newest horizon.
    pub(crate) held_since: Option<i64>,
    /// [`Kind::structure`] of `state`.
    structure: u64,
}

impl<K: Kind> TopicInner<K> {
    /// Replaces the held state (cached snapshots go with the old one).
    pub(crate) fn set_state(&mut self, state: K::State) {
        self.structure = K::structure(&state);
        self.state = Some(state);
        self.snapshot = None;
        self.lag_resync = None;
    }
}

impl<K: Kind> Topic<K> {
    fn new(key: K::Key, buffer: usize) -> Self {
        let (sender, _) = broadcast::channel(buffer.max(1));
        Self {
            key,
            inner: Mutex::new(TopicInner {
                state: None,
                sender: Some(sender),
                history: VecDeque::new(),
                resumable_from: 0,
                last_seq: 0,
                epoch: 0,
                snapshot: None,
                lag_resync: None,
                last_emit: None,
                idle_since: None,
                held_since: None,
                structure: 0,
            }),
            load: watch::Sender::new(Load::Pending),
            waiting: AtomicUsize::new(0),
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, TopicInner<K>> {
        lock(&self.inner)
    }

    pub(crate) fn is_pending(&self) -> bool {
        *self.load.borrow() == Load::Pending
    }

    /// The current state, once loaded.
    pub(crate) fn state(&self) -> Option<K::State> {
        self.lock().state.clone()
    }
}

/// Shared by the `Realtime` handles, their subscriptions and the listener.
pub(crate) struct Hub {
    pub(crate) options: RealtimeOptions,
    shows: Mutex<HashMap<ShowId, Arc<Topic<ShowKind>>>>,
    songs: Mutex<HashMap<SetlistSongId, Arc<Topic<SongKind>>>>,
    seq: AtomicU64,
    epoch: AtomicU32,
    /// Tells the listener that a topic waits for its first state.
    pub(crate) wake: Notify,
    subscribers: AtomicUsize,
    pub(crate) closed: AtomicBool,
    /// Topics of both kinds.
    topic_count: AtomicUsize,
    /// A topic was created since the listener last looked for topics to load.
    pub(crate) created: AtomicBool,
    /// The listener's newest vote log horizon.
    pub(crate) horizon: AtomicI64,
    /// When the database server started (Unix ms; 0 unknown): the vote log is unlogged, so ids
    /// from before a restart cannot be resumed from it.
    pub(crate) server_started: AtomicU64,
    /// Resumes from the vote log, for the listener to answer.
    pub(crate) resumes: Mutex<Vec<ResumeRequest>>,
}

/// A resume of a stream issued elsewhere: the counts changed since `since`, read by the listener.
pub(crate) struct ResumeRequest {
    pub(crate) shows: Vec<ShowId>,
    pub(crate) songs: Vec<SetlistSongId>,
    pub(crate) since: i64,
    /// The horizon of the read and the changes; `None` when the read failed.
    pub(crate) reply: oneshot::Sender<Option<(i64, Vec<SongVotes>)>>,
}

impl fmt::Debug for Hub {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hub")
            .field("subscribers", &self.subscribers.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl Hub {
    pub(crate) fn new(options: RealtimeOptions) -> Self {
        Self {
            options,
            shows: Mutex::default(),
            songs: Mutex::default(),
            seq: AtomicU64::new(0),
            epoch: AtomicU32::new(random_epoch()),
            wake: Notify::new(),
            subscribers: AtomicUsize::new(0),
            closed: AtomicBool::new(false),
            topic_count: AtomicUsize::new(0),
            created: AtomicBool::new(false),
            horizon: AtomicI64::new(0),
            server_started: AtomicU64::new(0),
            resumes: Mutex::default(),
        }
    }

    /// Topics held (followed or idle), shows and songs.
    pub(crate) fn topic_count(&self) -> usize {
        self.topic_count.load(Ordering::Relaxed)
    }

    /// An id for the topic's latest update, issued now.
    fn id_of<K: Kind>(&self, inner: &TopicInner<K>, seq: u64) -> EventId {
        EventId {
            epoch: inner.epoch,
            seq,
            horizon: inner
                .held_since
                .unwrap_or_else(|| self.horizon.load(Ordering::SeqCst)),
            at: unix_ms(),
            structure: inner.structure,
        }
    }

    pub(crate) fn subscribers(&self) -> usize {
        self.subscribers.load(Ordering::Relaxed)
    }

    /// A new listener generation: ids of earlier generations can no longer be resumed.
    pub(crate) fn new_epoch(&self) {
        self.epoch.store(random_epoch(), Ordering::Relaxed);
    }

    pub(crate) fn topics<K: Kind>(&self) -> Vec<Arc<Topic<K>>> {
        lock(K::topics(self)).values().cloned().collect()
    }

    pub(crate) fn topic<K: Kind>(&self, key: K::Key) -> Option<Arc<Topic<K>>> {
        lock(K::topics(self)).get(&key).cloned()
    }

    pub(crate) fn is_empty(&self) -> bool {
        lock(&self.shows).is_empty() && lock(&self.songs).is_empty()
    }

    fn next_seq(&self) -> u64 {
        self.seq.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Sends `event` to the topic's subscribers and keeps it for replay. Call with the topic's lock
    /// held (`inner`), so subscribing and publishing never interleave.
    pub(crate) fn publish<K: Kind>(&self, inner: &mut TopicInner<K>, event: K::Event) {
        let seq = self.next_seq();
        let update = Arc::new(Update::new(self.id_of(inner, seq), event));
        inner.last_seq = seq;
        inner.snapshot = None;
        inner.lag_resync = None;
        inner.history.push_back(update.clone());
        while inner.history.len() > self.options.history {
            if let Some(old) = inner.history.pop_front() {
                inner.resumable_from = old.id.seq;
            }
        }
        if let Some(sender) = &inner.sender {
            // No receiver is not an error: the update stays in the history.
            let _ = sender.send(update);
        }
    }

    /// Installs a freshly read state. A topic that had one before gets a `resync` (`reason`) and
    /// starts a new history in the current epoch; a new topic becomes ready.
    pub(crate) fn install<K: Kind>(&self, topic: &Topic<K>, state: K::State, reason: ResyncReason) {
        let mut inner = topic.lock();
        let epoch = self.epoch.load(Ordering::Relaxed);
        inner.epoch = epoch;
        inner.structure = K::structure(&state);
        if inner.state.is_some() {
            let event = K::resync(&state, reason);
            inner.state = Some(state);
            self.publish(&mut *inner, event);
        } else {
            inner.state = Some(state);
            inner.last_seq = self.next_seq();
        }
        inner.history.clear();
        inner.resumable_from = inner.last_seq;
        inner.snapshot = None;
        drop(inner);
        topic.load.send_replace(Load::Ready);
    }

    /// Sends the final event (if any) and ends every subscriber's stream of this topic.
    pub(crate) fn close<K: Kind>(&self, topic: &Arc<Topic<K>>, last: Option<K::Event>) {
        let mut map = lock(K::topics(self));
        if map.get(&topic.key).is_some_and(|t| Arc::ptr_eq(t, topic)) {
            map.remove(&topic.key);
            self.topic_count.fetch_sub(1, Ordering::Relaxed);
        }
        drop(map);
        let mut inner = topic.lock();
        if let Some(event) = last {
            self.publish(&mut *inner, event);
        }
        inner.sender = None;
        drop(inner);
        topic.load.send_replace(Load::Missing);
    }

    /// Ends every stream (the process is stopping, or the handle was dropped).
    pub(crate) fn close_all(&self) {
        self.closed.store(true, Ordering::Relaxed);
        for topic in self.topics::<ShowKind>() {
            self.close(&topic, None);
        }
        for topic in self.topics::<SongKind>() {
            self.close(&topic, None);
        }
    }

    /// Forgets topics nobody has followed for `keep_idle` (their history goes with them), and
    /// the longest idle ones beyond `max_idle_topics`.
    pub(crate) fn evict_idle<K: Kind>(&self, now: Instant) {
        let mut map = lock(K::topics(self));
        let before = map.len();
        let mut idle = Vec::new();
        map.retain(|key, topic| {
            let mut inner = topic.lock();
            let receivers = inner.sender.as_ref().map_or(0, |s| s.receiver_count());
            if receivers > 0 || topic.waiting.load(Ordering::Acquire) > 0 {
                inner.idle_since = None;
                return true;
            }
            let since = *inner.idle_since.get_or_insert(now);
            let keep = now.duration_since(since) < self.options.keep_idle;
            if keep {
                idle.push((since, *key));
            }
            keep
        });
        if idle.len() > self.options.max_idle_topics {
            idle.sort_by_key(|(since, _)| *since);
            for (_, key) in &idle[..idle.len() - self.options.max_idle_topics] {
                map.remove(key);
            }
        }
        self.topic_count
            .fetch_sub(before - map.len(), Ordering::Relaxed);
    }

    fn find_or_create<K: Kind>(&self, key: K::Key) -> Result<(Arc<Topic<K>>, bool)> {
        let mut map = lock(K::topics(self));
        if !map.contains_key(&key) && self.topic_count() >= self.options.max_topics {
            // At the bound: make room by forgetting this kind's longest idle topic, if any.
            let oldest = map
                .iter()
                .filter_map(|(key, topic)| {
                    let inner = topic.lock();
                    let receivers = inner.sender.as_ref().map_or(0, |s| s.receiver_count());
                    (receivers == 0 && topic.waiting.load(Ordering::Acquire) == 0)
                        .then(|| (inner.idle_since, *key))
                })
                .min_by_key(|(since, _)| since.unwrap_or(Instant::now()));
            match oldest {
                Some((_, old)) => {
                    map.remove(&old);
                    self.topic_count.fetch_sub(1, Ordering::Relaxed);
                }
                None => {
                    return Err(Error::Unavailable(
                        "too many realtime topics on this server".into(),
                    ));
                }
            }
        }
        let mut created = false;
        let topic = map
            .entry(key)
            .or_insert_with(|| {
                created = true;
                Arc::new(Topic::new(key, self.options.client_buffer))
            })
            .clone();
        if created {
            self.topic_count.fetch_add(1, Ordering::Relaxed);
            self.created.store(true, Ordering::SeqCst);
        }
        // Under the map's lock, so eviction (which takes it too) sees the waiter.
        topic.waiting.fetch_add(1, Ordering::AcqRel);
        Ok((topic, created))
    }

    /// Whether an id issued by another process (or an earlier listener generation) can be
    /// resumed from the vote log: the same structure, issued within `replay_window`, after the
    /// database server started.
    fn replayable<K: Kind>(&self, inner: &TopicInner<K>, id: &EventId) -> bool {
        let started = self.server_started.load(Ordering::SeqCst);
        let window = u64::try_from(self.options.replay_window.as_millis()).unwrap_or(u64::MAX);
        id.structure == inner.structure
            && started > 0
            && id.at > started
            && id.at.saturating_add(window) >= unix_ms()
    }

    /// Asks the listener for the counts of `key` changed since `since`.
    async fn read_since<K: Kind>(&self, key: K::Key, since: i64) -> Option<(i64, Vec<SongVotes>)> {
        let (shows, songs) = K::filter(key);
        let (reply, answer) = oneshot::channel();
        lock(&self.resumes).push(ResumeRequest {
            shows,
            songs,
            since,
            reply,
        });
        self.wake.notify_one();
        tokio::time::timeout(self.options.load_timeout, answer)
            .await
            .ok()?
            .ok()?
    }

    /// A stream of `key`'s updates: a snapshot first, or the updates after `resume` when they
    /// are still held (a `resync` when they are not).
    pub(crate) async fn subscribe<K: Kind>(
        self: &Arc<Self>,
        key: K::Key,
        resume: Option<Option<EventId>>,
    ) -> Result<Subscription<K::Event>> {
        if self.closed.load(Ordering::Relaxed) {
            return Err(Error::Unavailable("realtime is stopped".into()));
        }
        if self.subscribers.fetch_add(1, Ordering::AcqRel) >= self.options.max_subscribers {
            self.subscribers.fetch_sub(1, Ordering::AcqRel);
            return Err(Error::Unavailable(
                "too many realtime subscribers on this server".into(),
            ));
        }
        let guard = Guard(self.clone());
        let (topic, created) = self.find_or_create::<K>(key)?;
        let waiting = Waiting(&topic.waiting);
        if created {
            self.wake.notify_one();
        }
        let mut load = topic.load.subscribe();
        let loaded = tokio::time::timeout(
            self.options.load_timeout,
            load.wait_for(|l| *l != Load::Pending),
        )
        .await;
        match loaded {
            Ok(Ok(state)) if *state == Load::Ready => {}
            Ok(_) => return Err(Error::NotFound),
            Err(_) => {
                return Err(Error::Unavailable(
                    "the realtime listener has not reached the database".into(),
                ));
            }
        }
        let (rx, mut opening, from_log) = {
            let mut inner = topic.lock();
            let Some(rx) = inner.sender.as_ref().map(broadcast::Sender::subscribe) else {
                return Err(Error::NotFound);
            };
            let Some(state) = inner.state.clone() else {
                return Err(Error::NotFound);
            };
            // From the vote log: counts changed since this horizon (an id issued elsewhere).
            let mut from_log = None;
            let opening: VecDeque<Shared<K::Event>> = match resume {
                None => {
                    let stale = inner
                        .snapshot
                        .as_ref()
                        .is_none_or(|s| s.id.at.saturating_add(1_000) < unix_ms());
                    if stale {
                        let id = self.id_of(&inner, inner.last_seq);
                        inner.snapshot = Some(Arc::new(Update::new(id, K::snapshot(&state))));
                    }
                    inner.snapshot.iter().cloned().collect()
                }
                Some(Some(id))
                    if id.epoch == inner.epoch
                        && id.seq >= inner.resumable_from
                        && id.seq <= inner.last_seq =>
                {
                    inner
                        .history
                        .iter()
                        .filter(|u| u.id.seq > id.seq)
                        .cloned()
                        .collect()
                }
                Some(Some(id)) if self.replayable(&inner, &id) => {
                    from_log = Some((id.horizon, inner.last_seq));
                    VecDeque::new()
                }
                Some(_) => VecDeque::from([Arc::new(Update::new(
                    self.id_of(&inner, inner.last_seq),
                    K::resync(&state, ResyncReason::Expired),
                ))]),
            };
            inner.idle_since = None;
            (rx, opening, from_log)
        };
        drop(waiting);
        if let Some((since, seq)) = from_log {
            // Subscribed first: whatever the read misses arrives on `rx`.
            let read = self.read_since::<K>(key, since).await;
            let inner = topic.lock();
            let mut id = self.id_of(&inner, seq);
            let event = match read {
                Some((horizon, votes)) => {
                    id.horizon = horizon;
                    K::replayed(votes)
                }
                None => inner
                    .state
                    .as_ref()
                    .map(|state| K::resync(state, ResyncReason::Expired)),
            };
            opening.extend(event.map(|event| Arc::new(Update::new(id, event))));
        }
        let reader = Reader {
            hub: self.clone(),
            topic,
            rx,
            opening,
            ended: false,
        };
        Ok(Subscription {
            stream: futures_util::stream::unfold(reader, Reader::next).boxed(),
            _guard: guard,
        })
    }
}

fn random_epoch() -> u32 {
    // Random, so two processes (or two generations of one) never share ids.
    let bytes = uuid::Uuid::new_v4().into_bytes();
    u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
}

struct Guard(Arc<Hub>);

impl Drop for Guard {
    fn drop(&mut self) {
        self.0.subscribers.fetch_sub(1, Ordering::AcqRel);
    }
}

struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

struct Reader<K: Kind> {
    hub: Arc<Hub>,
    topic: Arc<Topic<K>>,
    rx: broadcast::Receiver<Shared<K::Event>>,
    opening: VecDeque<Shared<K::Event>>,
    ended: bool,
}

impl<K: Kind> Reader<K> {
    async fn next(mut self) -> Option<(Shared<K::Event>, Self)> {
        if self.ended {
            return None;
        }
        let update = match self.opening.pop_front() {
            Some(update) => update,
            None => match self.rx.recv().await {
                Ok(update) => update,
                // Fell behind by more than its buffer: the current state instead of the backlog,
                // and a fresh receiver from here on (both under the topic's lock, so no update
                // falls between them).
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    let mut inner = self.topic.lock();
                    let sender = inner.sender.as_ref()?;
                    self.rx = sender.subscribe();
                    let state = inner.state.clone()?;
                    if inner.lag_resync.is_none() {
                        let id = self.hub.id_of(&inner, inner.last_seq);
                        inner.lag_resync = Some(Arc::new(Update::new(
                            id,
                            K::resync(&state, ResyncReason::Lagged),
                        )));
                    }
                    inner.lag_resync.clone()?
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            },
        };
        self.ended = update.event.is_final();
        Some((update, self))
    }
}

/// A live stream of one show's or one song's updates. Dropping it unsubscribes.
pub struct Subscription<E> {
    stream: BoxStream<'static, Shared<E>>,
    _guard: Guard,
}

impl<E> fmt::Debug for Subscription<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscription").finish_non_exhaustive()
    }
}

impl<E> Stream for Subscription<E> {
    type Item = Arc<Update<E>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.stream.poll_next_unpin(cx)
    }
}
