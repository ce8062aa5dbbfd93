//! The in-process fan-out: one topic per followed show or song, each with its current state, a
//! bounded history for `Last-Event-ID` replay, and a broadcast channel whose ring is the bounded
//! per-subscriber buffer. The listener writes; subscribers read.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::hash::Hash;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::Instant;

use futures_util::stream::BoxStream;
use futures_util::{Stream, StreamExt};
use tokio::sync::{Notify, broadcast, watch};

use crate::RealtimeOptions;
use crate::events::{
    Event, EventId, ResyncReason, ShowEvent, ShowState, SongEvent, SongVotes, Update,
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
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
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
}

impl<K: Kind> TopicInner<K> {
    /// Replaces the held state (cached snapshots go with the old one).
    pub(crate) fn set_state(&mut self, state: K::State) {
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
    pub(crate) closed: std::sync::atomic::AtomicBool,
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
            closed: std::sync::atomic::AtomicBool::new(false),
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
        let update = Arc::new(Update::new(
            EventId {
                epoch: inner.epoch,
                seq,
            },
            event,
        ));
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

    /// Forgets topics nobody has followed for `keep_idle` (their history goes with them).
    pub(crate) fn evict_idle<K: Kind>(&self, now: Instant) {
        let mut map = lock(K::topics(self));
        map.retain(|_, topic| {
            let mut inner = topic.lock();
            let receivers = inner.sender.as_ref().map_or(0, |s| s.receiver_count());
            if receivers > 0 || topic.waiting.load(Ordering::Acquire) > 0 {
                inner.idle_since = None;
                return true;
            }
            let since = *inner.idle_since.get_or_insert(now);
            now.duration_since(since) < self.options.keep_idle
        });
    }

    fn find_or_create<K: Kind>(&self, key: K::Key) -> (Arc<Topic<K>>, bool) {
        let mut map = lock(K::topics(self));
        let mut created = false;
        let topic = map
            .entry(key)
            .or_insert_with(|| {
                created = true;
                Arc::new(Topic::new(key, self.options.client_buffer))
            })
            .clone();
        // Under the map's lock, so eviction (which takes it too) sees the waiter.
        topic.waiting.fetch_add(1, Ordering::AcqRel);
        (topic, created)
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
        let (topic, created) = self.find_or_create::<K>(key);
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
        let mut inner = topic.lock();
        let Some(rx) = inner.sender.as_ref().map(broadcast::Sender::subscribe) else {
            return Err(Error::NotFound);
        };
        let Some(state) = inner.state.clone() else {
            return Err(Error::NotFound);
        };
        let opening: VecDeque<Shared<K::Event>> = match resume {
            None => {
                let (epoch, seq) = (inner.epoch, inner.last_seq);
                VecDeque::from([inner
                    .snapshot
                    .get_or_insert_with(|| {
                        Arc::new(Update::new(EventId { epoch, seq }, K::snapshot(&state)))
                    })
                    .clone()])
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
            Some(_) => VecDeque::from([Arc::new(Update::new(
                EventId {
                    epoch: inner.epoch,
                    seq: inner.last_seq,
                },
                K::resync(&state, ResyncReason::Expired),
            ))]),
        };
        inner.idle_since = None;
        drop(inner);
        drop(waiting);
        let reader = Reader {
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
                    let (epoch, seq) = (inner.epoch, inner.last_seq);
                    let state = inner.state.clone()?;
                    inner
                        .lag_resync
                        .get_or_insert_with(|| {
                            Arc::new(Update::new(
                                EventId { epoch, seq },
                                K::resync(&state, ResyncReason::Lagged),
                            ))
                        })
                        .clone()
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
