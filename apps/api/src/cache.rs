//! Hot reads from memory: the show page (`GET /v1/shows/{key}`), the trending list and search
//! results (`GET /v1/search`), held per process and dropped exactly when the realtime listener
//! reports a change, by any writer (API, worker, CLI, psql); and entity tags (`ETag`, `If-None-Match`) for every public read that
//! answers with a [`Body`]. Decisions: apps/api/README.md, "Cache".
//!
//! How it stays exact ([`theset_realtime::ShowWatcher`]):
//! - the listener reports every show that changed: vote counts from the vote log, everything
//!   else from the schema's notifications (`show:<id>`, `page:<id>`); the page is dropped, and
//!   the trending list with it unless only counts changed (no show card carries them);
//! - search results depend on artists, songs and venues alone: any statement that may change what
//!   a search shows of them notifies `search:`, and every search result held is dropped;
//! - it serves only while the listener vouches for it: connected, in the generation the entries
//!   were read in, and with its last read of the vote log begun at most `fresh_for` (the
//!   coalescing window) ago. Otherwise requests go to the database as if there were no cache;
//! - a new generation (a reconnection: notifications may have been missed) empties it;
//! - a read from the database is kept only if no change to its show was reported since it began
//!   (and the generation is the same), so a page read before a commit can never outlive the
//!   report of that commit.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::hash::{DefaultHasher, Hasher};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, Instant};

use actix_web::http::header::{self, EntityTag, Header, HeaderValue, IfNoneMatch};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use theset_database::Key;
use theset_database::ids::ShowId;
use theset_realtime::{Realtime, ShowChange, ShowWatcher};

use crate::error::{ApiError, ApiResult};

/// `SHOW_CACHE_MAX_ENTRIES` default: a few thousand hot shows (pages are 5-30 KB).
pub const DEFAULT_MAX_ENTRIES: usize = 4_096;

/// `SEARCH_CACHE_MAX_ENTRIES` default: a few thousand popular searches (results are 1-5 KB).
pub const DEFAULT_MAX_SEARCHES: usize = 4_096;

/// Reported changes remembered for reads under way (a read that began before the oldest kept
/// is not kept: it cannot be checked).
const RECENT_CHANGES: usize = 16_384;

/// How long the listener keeps watching after a miss though nothing is held yet (it would
/// otherwise stop between a first read and the ones that could be kept).
const WANTED_AFTER_MISS: Duration = Duration::from_secs(60);

/// A response body with its strong entity tag: its length and a 64-bit hash of its bytes, so equal
/// content has an equal tag in every process of one build, cached or not.
#[derive(Debug)]
pub struct Body {
    bytes: Bytes,
    etag: EntityTag,
    header: HeaderValue,
}

impl Body {
    pub fn new(bytes: impl Into<Bytes>) -> Self {
        let bytes = bytes.into();
        let mut hash = DefaultHasher::new();
        hash.write(&bytes);
        let etag = EntityTag::new_strong(format!("{:x}-{:016x}", bytes.len(), hash.finish()));
        // Hex digits and a dash: always a valid header value.
        let header = HeaderValue::from_str(&etag.to_string())
            .unwrap_or_else(|_| HeaderValue::from_static("\"0\""));
        Self {
            bytes,
            etag,
            header,
        }
    }

    /// `value` as JSON.
    pub fn json<T: Serialize>(value: &T) -> ApiResult<Self> {
        match serde_json::to_vec(value) {
            Ok(bytes) => Ok(Self::new(bytes)),
            Err(e) => {
                tracing::error!(error = %e, "a response did not serialise");
                Err(ApiError::internal())
            }
        }
    }

    pub fn etag(&self) -> &EntityTag {
        &self.etag
    }

    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// 200 with the JSON body and its `ETag`, or 304 with only the tag when `If-None-Match` names
    /// it (or is `*`). Comparison is weak, as RFC 9110 asks for `If-None-Match`.
    pub fn respond(&self, req: &HttpRequest) -> HttpResponse {
        let current = match IfNoneMatch::parse(req) {
            Ok(IfNoneMatch::Any) => true,
            Ok(IfNoneMatch::Items(tags)) => tags.iter().any(|tag| tag.weak_eq(&self.etag)),
            // Malformed: as if absent.
            Err(_) => false,
        };
        if current {
            HttpResponse::NotModified()
                .insert_header((header::ETAG, self.header.clone()))
                .finish()
        } else {
            HttpResponse::Ok()
                .content_type("application/json")
                .insert_header((header::ETAG, self.header.clone()))
                .body(self.bytes.clone())
        }
    }
}

/// What `/metrics` reports of the cache.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Show pages held, and their bound (`SHOW_CACHE_MAX_ENTRIES`; 0: the cache is off).
    pub pages: usize,
    pub max_pages: usize,
    /// Trending lists held (one per `limit` asked for).
    pub trending: usize,
    /// Search results held (one per query and `limit`), and their bound
    /// (`SEARCH_CACHE_MAX_ENTRIES`; 0: off).
    pub searches: usize,
    pub max_searches: usize,
    /// Bytes of the bodies held.
    pub bytes: usize,
    /// Reads answered from memory; from the database; from the database because the listener
    /// could not vouch for what is held (not connected, behind, or the cache is off).
    pub hits: u64,
    pub misses: u64,
    pub bypasses: u64,
    /// Entries dropped because what they show changed.
    pub invalidations: u64,
    /// The listener's generation the entries belong to (0: it is not watching).
    pub generation: u64,
}

/// The show pages, trending lists and search results of this process (see the module's
/// documentation).
pub struct ShowCache {
    state: Mutex<State>,
    max_pages: usize,
    max_searches: usize,
    /// Serve only while the listener's last vote log read began at most this long ago.
    fresh_for: Duration,
    realtime: Option<Realtime>,
    /// Entries held, for the listener (which asks without taking the lock).
    held: AtomicUsize,
    /// Until when (ms after `started`) the listener should watch though nothing is held.
    wanted_until: AtomicU64,
    started: Instant,
    hits: AtomicU64,
    misses: AtomicU64,
    bypasses: AtomicU64,
    invalidations: AtomicU64,
}

impl std::fmt::Debug for ShowCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShowCache")
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

/// Where a read stood when it began: it is kept only if nothing it depends on changed since.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Ticket {
    generation: u64,
    seq: u64,
    trending_seq: u64,
    search_seq: u64,
}

enum Lookup {
    Hit(Arc<Body>),
    /// Read from the database; keep what is read under the ticket, if any.
    Miss(Option<Ticket>),
}

impl ShowCache {
    /// A cache of at most `max_pages` show pages (0: off, and trending with them) and
    /// `max_searches` search results (0: off), kept exact by `realtime` (`None`: off, as nothing
    /// would report changes), serving while the listener's reports are at most `fresh_for` old.
    pub fn new(
        max_pages: usize,
        max_searches: usize,
        fresh_for: Duration,
        realtime: Option<Realtime>,
    ) -> Arc<Self> {
        let realtime = realtime.filter(|_| max_pages > 0 || max_searches > 0);
        let on = realtime.is_some();
        let cache = Arc::new(Self {
            state: Mutex::new(State::default()),
            max_pages: if on { max_pages } else { 0 },
            max_searches: if on { max_searches } else { 0 },
            fresh_for,
            realtime,
            held: AtomicUsize::new(0),
            wanted_until: AtomicU64::new(0),
            started: Instant::now(),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            bypasses: AtomicU64::new(0),
            invalidations: AtomicU64::new(0),
        });
        if let Some(realtime) = &cache.realtime {
            let weak: Weak<Self> = Arc::downgrade(&cache);
            let watcher: Weak<dyn ShowWatcher> = weak;
            if realtime.watch_shows(watcher) {
                tracing::info!(max_pages, max_searches, ?fresh_for, "show cache on");
            } else {
                tracing::warn!("show page cache off: the realtime listener has a watcher already");
            }
        }
        cache
    }

    /// The show page of `key`: from memory when held and vouched for, else what `load` reads
    /// (kept when it may be).
    ///
    /// `load` is told whether what it reads will be kept: then it must read the primary, whose
    /// commits the listener's reports follow (a standby's page could be older than a report).
    pub async fn show_page<F: Future<Output = ApiResult<String>>>(
        &self,
        key: &Key,
        load: impl FnOnce(bool) -> F,
    ) -> ApiResult<Arc<Body>> {
        let ticket = match self.lookup(self.max_pages > 0, |state| state.page(key)) {
            Lookup::Hit(body) => return Ok(body),
            Lookup::Miss(ticket) => ticket,
        };
        let json = load(ticket.is_some()).await?;
        // Who the page is of, read from its head (a few hundred bytes, not the whole document).
        let identity = page_identity(&json);
        let body = Arc::new(Body::new(json));
        if let (Some(ticket), Some((show, slug))) = (ticket, identity) {
            self.keep(ticket, |state, max| {
                if !state.changed_since(ticket.seq, show) {
                    state.keep_page(show, slug, body.clone(), max);
                }
            });
        }
        Ok(body)
    }

    /// The trending list of `limit` shows: from memory when held and vouched for, else what
    /// `load` reads (kept when it may be).
    /// (`load` as for [`Self::show_page`].)
    pub async fn trending<F: Future<Output = ApiResult<Body>>>(
        &self,
        limit: i64,
        load: impl FnOnce(bool) -> F,
    ) -> ApiResult<Arc<Body>> {
        let find = |state: &mut State| state.trending.get(&limit).cloned();
        self.read_through(self.max_pages > 0, find, load, |state, ticket, body| {
            if state.trending_seq == ticket.trending_seq {
                state.bytes += body.len();
                if let Some(old) = state.trending.insert(limit, body) {
                    state.bytes -= old.len();
                }
            }
        })
        .await
    }

    /// The results of searching `query` (as the database reads it: trimmed, at most its first
    /// `search::MAX_QUERY_CHARS` characters) for `limit` hits of each kind: from memory when held
    /// and vouched for, else what `load` reads (kept when it may be).
    /// (`load` as for [`Self::show_page`].)
    pub async fn search<F: Future<Output = ApiResult<Body>>>(
        &self,
        query: String,
        limit: i64,
        load: impl FnOnce(bool) -> F,
    ) -> ApiResult<Arc<Body>> {
        let key = (query, limit);
        let max = self.max_searches;
        let find = |state: &mut State| state.searches.get(&key).cloned();
        self.read_through(max > 0, find, load, |state, ticket, body| {
            if state.search_seq == ticket.search_seq {
                state.keep_search(key.clone(), body, max);
            }
        })
        .await
    }

    /// What `find` holds when `on` and vouched for, else what `load` reads, handed to `put`
    /// with the ticket of the read (to keep it if nothing it shows changed since).
    async fn read_through<F: Future<Output = ApiResult<Body>>>(
        &self,
        on: bool,
        find: impl FnOnce(&mut State) -> Option<Arc<Body>>,
        load: impl FnOnce(bool) -> F,
        put: impl FnOnce(&mut State, Ticket, Arc<Body>),
    ) -> ApiResult<Arc<Body>> {
        let ticket = match self.lookup(on, find) {
            Lookup::Hit(body) => return Ok(body),
            Lookup::Miss(ticket) => ticket,
        };
        let body = Arc::new(load(ticket.is_some()).await?);
        if let Some(ticket) = ticket {
            self.keep(ticket, |state, _| put(state, ticket, body.clone()));
        }
        Ok(body)
    }

    pub fn stats(&self) -> CacheStats {
        let state = self.lock();
        CacheStats {
            pages: state.pages.len(),
            max_pages: self.max_pages,
            trending: state.trending.len(),
            searches: state.searches.len(),
            max_searches: self.max_searches,
            bytes: state.bytes,
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            bypasses: self.bypasses.load(Ordering::Relaxed),
            invalidations: self.invalidations.load(Ordering::Relaxed),
            generation: state.generation,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn lookup(&self, on: bool, find: impl FnOnce(&mut State) -> Option<Arc<Body>>) -> Lookup {
        if !on {
            self.bypasses.fetch_add(1, Ordering::Relaxed);
            return Lookup::Miss(None);
        }
        let mut state = self.lock();
        let ticket = (state.generation != 0).then_some(Ticket {
            generation: state.generation,
            seq: state.seq,
            trending_seq: state.trending_seq,
            search_seq: state.search_seq,
        });
        let vouched =
            ticket.is_some() && state.as_of.is_some_and(|at| at.elapsed() <= self.fresh_for);
        if vouched && let Some(body) = find(&mut state) {
            drop(state);
            self.hits.fetch_add(1, Ordering::Relaxed);
            return Lookup::Hit(body);
        }
        drop(state);
        self.want();
        let counter = if vouched {
            &self.misses
        } else {
            &self.bypasses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        Lookup::Miss(ticket)
    }

    /// Keeps the listener watching for a while, and wakes it if it had stopped.
    fn want(&self) {
        let now = self.millis();
        let until = now.saturating_add(duration_ms(WANTED_AFTER_MISS));
        if self.wanted_until.swap(until, Ordering::Relaxed) <= now
            && let Some(realtime) = &self.realtime
        {
            realtime.wake_listener();
        }
    }

    fn keep(&self, ticket: Ticket, put: impl FnOnce(&mut State, usize)) {
        let mut state = self.lock();
        if state.generation == ticket.generation {
            put(&mut state, self.max_pages);
            self.held.store(state.held(), Ordering::Relaxed);
        }
    }

    fn millis(&self) -> u64 {
        duration_ms(self.started.elapsed())
    }
}

fn duration_ms(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

impl ShowWatcher for ShowCache {
    fn wants_changes(&self) -> bool {
        self.held.load(Ordering::Relaxed) > 0
            || self.millis() < self.wanted_until.load(Ordering::Relaxed)
    }

    fn watching(&self, generation: u64, as_of: Instant) {
        let mut state = self.lock();
        if state.generation != generation {
            let dropped = state.held();
            state.clear();
            if dropped > 0 {
                tracing::info!(
                    generation,
                    dropped,
                    "show cache: the realtime listener started over, every entry dropped"
                );
            }
            state.generation = generation;
            state.as_of = Some(as_of);
        } else {
            state.as_of = Some(state.as_of.map_or(as_of, |held| held.max(as_of)));
        }
        self.held.store(state.held(), Ordering::Relaxed);
    }

    fn blind(&self) {
        let mut state = self.lock();
        let dropped = state.held();
        state.clear();
        state.generation = 0;
        state.as_of = None;
        self.held.store(0, Ordering::Relaxed);
        drop(state);
        if dropped > 0 {
            tracing::info!(
                dropped,
                "show cache: the realtime listener is not watching, every entry dropped"
            );
        }
    }

    fn changed(&self, shows: &[ShowId], change: ShowChange) {
        let mut state = self.lock();
        let dropped = state.changed(shows, change);
        self.held.store(state.held(), Ordering::Relaxed);
        drop(state);
        self.invalidations.fetch_add(
            u64::try_from(dropped).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    fn search_changed(&self) {
        let mut state = self.lock();
        let dropped = state.search_changed();
        self.held.store(state.held(), Ordering::Relaxed);
        drop(state);
        self.invalidations.fetch_add(
            u64::try_from(dropped).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }
}

/// The `id` and `slug` of a `show_details` document's show (its first field, a few hundred bytes
/// of the document): parsed alone, the rest is not read.
fn page_identity(json: &str) -> Option<(ShowId, String)> {
    #[derive(serde::Deserialize)]
    struct Head {
        id: ShowId,
        slug: String,
    }
    let show = json
        .trim_start()
        .strip_prefix('{')?
        .trim_start()
        .strip_prefix("\"show\"")?
        .trim_start()
        .strip_prefix(':')?;
    let head: Head = serde_json::Deserializer::from_str(show)
        .into_iter()
        .next()?
        .ok()?;
    Some((head.id, head.slug))
}

#[derive(Default)]
struct State {
    /// The listener's generation the entries belong to (0: not watching, nothing is served).
    generation: u64,
    /// Every change committed before this has been reported.
    as_of: Option<Instant>,
    /// Reports so far, and the latest shows reported (with the report's number), for reads under
    /// way; reports up to `forgotten` are no longer all there.
    seq: u64,
    recent: VecDeque<(u64, ShowId)>,
    forgotten: u64,
    /// Reports of changes other than votes: the trending lists' version.
    trending_seq: u64,
    pages: Clock<ShowId, Page>,
    /// The slug of each page held, to find pages asked for by slug.
    slugs: HashMap<String, ShowId>,
    trending: HashMap<i64, Arc<Body>>,
    /// Reports of changes to what searches show: the search results' version.
    search_seq: u64,
    searches: Clock<(String, i64), Arc<Body>>,
    bytes: usize,
}

impl State {
    fn held(&self) -> usize {
        self.pages.len() + self.trending.len() + self.searches.len()
    }

    /// Keeps a search result (in place of one held under the same key), evicting by CLOCK when
    /// `max` are held.
    fn keep_search(&mut self, key: (String, i64), body: Arc<Body>, max: usize) {
        if let Some(old) = self.searches.remove(&key) {
            self.bytes -= old.len();
        }
        self.bytes += body.len();
        if let Some((_, evicted)) = self.searches.insert(key, body, max) {
            self.bytes -= evicted.len();
        }
    }

    /// Drops every search result held; returns how many went.
    fn search_changed(&mut self) -> usize {
        self.search_seq += 1;
        let mut dropped = 0;
        for body in self.searches.drain() {
            self.bytes -= body.len();
            dropped += 1;
        }
        dropped
    }

    fn page(&mut self, key: &Key) -> Option<Arc<Body>> {
        let show = match key {
            Key::Id(id) => ShowId(*id),
            Key::Slug(slug) => *self.slugs.get(slug)?,
        };
        self.pages.get(&show).map(|page| page.body.clone())
    }

    /// Whether a change to `show` was reported after report `seq` (or may have been).
    fn changed_since(&self, seq: u64, show: ShowId) -> bool {
        if seq < self.forgotten {
            return true;
        }
        (self.recent.iter().rev())
            .take_while(|(at, _)| *at > seq)
            .any(|(_, changed)| *changed == show)
    }

    fn keep_page(&mut self, show: ShowId, slug: String, body: Arc<Body>, max: usize) {
        self.drop_page(show);
        // Another show's page held under this slug (slugs moved between shows): it goes too.
        if let Some(other) = self.slugs.get(&slug).copied() {
            self.drop_page(other);
        }
        self.bytes += body.len();
        let evicted = self.pages.insert(
            show,
            Page {
                show,
                slug: slug.clone(),
                body,
            },
            max,
        );
        self.slugs.insert(slug, show);
        if let Some((_, evicted)) = evicted {
            self.forget(&evicted);
        }
    }

    fn drop_page(&mut self, show: ShowId) -> bool {
        match self.pages.remove(&show) {
            Some(page) => {
                self.forget(&page);
                true
            }
            None => false,
        }
    }

    fn forget(&mut self, page: &Page) {
        self.bytes -= page.body.len();
        if self.slugs.get(&page.slug) == Some(&page.show) {
            self.slugs.remove(&page.slug);
        }
    }

    /// Drops the changed shows' pages (and the trending lists unless only votes changed);
    /// returns how many entries went.
    fn changed(&mut self, shows: &[ShowId], change: ShowChange) -> usize {
        self.seq += 1;
        let mut dropped = 0;
        for &show in shows {
            dropped += usize::from(self.drop_page(show));
            self.recent.push_back((self.seq, show));
        }
        while self.recent.len() > RECENT_CHANGES {
            if let Some((seq, _)) = self.recent.pop_front() {
                self.forgotten = seq;
            }
        }
        if change == ShowChange::Rows {
            self.trending_seq += 1;
            dropped += self.trending.len();
            for (_, body) in self.trending.drain() {
                self.bytes -= body.len();
            }
        }
        dropped
    }

    fn clear(&mut self) {
        self.pages = Clock::default();
        self.slugs.clear();
        self.trending.clear();
        self.searches = Clock::default();
        self.bytes = 0;
        // Reads under way carry the old generation: they will not be kept.
        self.recent.clear();
        self.forgotten = self.seq;
    }
}

struct Page {
    show: ShowId,
    slug: String,
    body: Arc<Body>,
}

struct Slot<K, V> {
    key: K,
    value: V,
    /// Read since the hand last passed (CLOCK: a second chance before eviction).
    used: bool,
}

/// At most `max` entries, evicted by CLOCK (an approximation of least recently used in O(1) per
/// operation, with no list to reorder on every hit).
struct Clock<K, V> {
    slots: Vec<Option<Slot<K, V>>>,
    index: HashMap<K, usize>,
    free: Vec<usize>,
    hand: usize,
}

impl<K, V> Default for Clock<K, V> {
    fn default() -> Self {
        Self {
            slots: Vec::new(),
            index: HashMap::new(),
            free: Vec::new(),
            hand: 0,
        }
    }
}

impl<K: Eq + std::hash::Hash + Clone, V> Clock<K, V> {
    fn len(&self) -> usize {
        self.index.len()
    }

    fn get(&mut self, key: &K) -> Option<&V> {
        let slot = self.slots.get_mut(*self.index.get(key)?)?.as_mut()?;
        slot.used = true;
        Some(&slot.value)
    }

    fn remove(&mut self, key: &K) -> Option<V> {
        let at = self.index.remove(key)?;
        let slot = self.slots.get_mut(at)?.take()?;
        self.free.push(at);
        Some(slot.value)
    }

    /// Every entry, each once, emptying the clock.
    fn drain(&mut self) -> impl Iterator<Item = V> + '_ {
        self.index.clear();
        self.free.clear();
        self.hand = 0;
        self.slots.drain(..).flatten().map(|slot| slot.value)
    }

    /// Inserts an entry whose key is not held; returns the entry evicted to make room, if any.
    fn insert(&mut self, key: K, value: V, max: usize) -> Option<(K, V)> {
        let slot = Slot {
            key: key.clone(),
            value,
            used: false,
        };
        if let Some(at) = self.free.pop() {
            self.slots[at] = Some(slot);
            self.index.insert(key, at);
            return None;
        }
        if self.slots.len() < max.max(1) {
            self.index.insert(key, self.slots.len());
            self.slots.push(Some(slot));
            return None;
        }
        // Full and no slot free: every slot holds an entry.
        loop {
            let at = self.hand;
            self.hand = (self.hand + 1) % self.slots.len();
            match &mut self.slots[at] {
                Some(held) if held.used => held.used = false,
                held => {
                    let evicted = held.replace(slot).map(|s| (s.key, s.value));
                    if let Some((evicted, _)) = &evicted {
                        self.index.remove(evicted);
                    }
                    self.index.insert(key, at);
                    return evicted;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use actix_web::test::TestRequest;

    fn body(text: &str) -> Arc<Body> {
        Arc::new(Body::new(text.to_owned()))
    }

    fn page(show: ShowId, slug: &str) -> Page {
        Page {
            show,
            slug: slug.to_owned(),
            body: body(slug),
        }
    }

    #[test]
    fn equal_content_has_an_equal_strong_tag_and_other_content_another() {
        let a = Body::new("{\"a\":1}");
        assert_eq!(a.etag(), Body::new("{\"a\":1}").etag());
        assert_ne!(a.etag(), Body::new("{\"a\":2}").etag());
        assert!(!a.etag().weak);
    }

    #[test]
    fn if_none_match_answers_304_for_the_current_tag_weak_or_strong_or_any() {
        let body = Body::new("{}");
        let tag = body.etag().to_string();
        for (sent, status) in [
            (tag.clone(), 304),
            (format!("W/{tag}"), 304),
            (format!("\"other\", {tag}"), 304),
            ("*".to_owned(), 304),
            ("\"other\"".to_owned(), 200),
            ("not a tag".to_owned(), 200),
        ] {
            let req = TestRequest::default()
                .insert_header((header::IF_NONE_MATCH, sent.as_str()))
                .to_http_request();
            let response = body.respond(&req);
            assert_eq!(response.status().as_u16(), status, "{sent}");
            assert_eq!(response.headers().get(header::ETAG).unwrap(), tag.as_str());
        }
        let response = body.respond(&TestRequest::default().to_http_request());
        assert_eq!(response.status().as_u16(), 200);
    }

    #[test]
    fn clock_keeps_at_most_max_and_gives_read_pages_a_second_chance() {
        let ids: Vec<ShowId> = (0..4).map(|_| ShowId::new_random()).collect();
        let mut clock = Clock::default();
        for (i, id) in ids.iter().take(3).enumerate() {
            assert!(clock.insert(*id, page(*id, &i.to_string()), 3).is_none());
        }
        // The first was read: the second goes.
        assert!(clock.get(&ids[0]).is_some());
        let (evicted, _) = clock.insert(ids[3], page(ids[3], "3"), 3).unwrap();
        assert_eq!(evicted, ids[1]);
        assert_eq!(clock.len(), 3);
        assert!(clock.get(&ids[0]).is_some() && clock.get(&ids[1]).is_none());
        // A removed page's slot is reused before anything is evicted.
        assert!(clock.remove(&ids[2]).is_some());
        assert!(clock.insert(ids[1], page(ids[1], "1"), 3).is_none());
        assert_eq!(clock.len(), 3);
        assert_eq!(clock.drain().count(), 3);
        assert_eq!(clock.len(), 0);
    }

    #[test]
    fn a_read_that_began_before_a_reported_change_is_not_kept() {
        let (show, other) = (ShowId::new_random(), ShowId::new_random());
        let mut state = State {
            generation: 1,
            ..State::default()
        };
        let before = state.seq;
        state.changed(&[other], ShowChange::Votes);
        assert!(!state.changed_since(before, show));
        state.changed(&[show], ShowChange::Votes);
        assert!(state.changed_since(before, show));
        assert!(!state.changed_since(state.seq, show));
        // Past what is remembered, every read is suspect.
        for _ in 0..=RECENT_CHANGES {
            state.changed(&[other], ShowChange::Votes);
        }
        let late = state.seq - 2;
        assert!(state.changed_since(before, ShowId::new_random()));
        assert!(!state.changed_since(late, show));
    }

    #[test]
    fn pages_are_found_by_id_and_slug_and_dropped_with_their_slug() {
        let show = ShowId::new_random();
        let mut state = State::default();
        state.keep_page(show, "a-show".into(), body("page"), 10);
        assert!(state.page(&Key::Id(show.0)).is_some());
        assert!(state.page(&Key::Slug("a-show".into())).is_some());
        assert_eq!(state.bytes, 4);
        // Renamed: the new page replaces the old under the new slug only.
        state.keep_page(show, "renamed".into(), body("page 2"), 10);
        assert!(state.page(&Key::Slug("a-show".into())).is_none());
        assert_eq!(state.bytes, 6);
        // Another show now holds the slug: the page held under it goes.
        let other = ShowId::new_random();
        state.keep_page(other, "renamed".into(), body("other"), 10);
        assert!(state.page(&Key::Id(show.0)).is_none());
        assert_eq!(state.page(&Key::Slug("renamed".into())).unwrap().len(), 5);
        state.trending.insert(20, body("[]"));
        state.bytes += 2;
        assert_eq!(state.changed(&[other], ShowChange::Votes), 1);
        assert_eq!(
            state.trending.len(),
            1,
            "votes leave the trending list alone"
        );
        assert_eq!(state.changed(&[], ShowChange::Rows), 1);
        assert_eq!((state.held(), state.bytes), (0, 0));
    }

    #[test]
    fn search_results_are_bounded_and_all_dropped_when_the_catalog_changes() {
        let mut state = State::default();
        let key = |q: &str| (q.to_owned(), 10);
        state.keep_search(key("a"), body("a"), 2);
        state.keep_search(key("b"), body("b"), 2);
        // "a" is read, so "b" goes for "c".
        assert!(state.searches.get(&key("a")).is_some());
        state.keep_search(key("c"), body("c"), 2);
        assert_eq!((state.searches.len(), state.bytes), (2, 2));
        assert!(state.searches.get(&key("b")).is_none());
        // The same query again replaces its entry, evicting nothing.
        state.keep_search(key("c"), body("longer"), 2);
        assert_eq!((state.searches.len(), state.bytes), (2, 7));
        assert_eq!(state.searches.get(&key("c")).unwrap().len(), 6);
        assert!(state.searches.get(&key("a")).is_some());
        let before = state.search_seq;
        state.trending.insert(20, body("[]"));
        state.bytes += 2;
        assert_eq!(state.search_changed(), 2);
        assert_eq!(
            (state.held(), state.bytes),
            (1, 2),
            "only search results go"
        );
        assert!(state.search_seq > before);
    }

    #[test]
    fn the_page_head_names_its_show() {
        let id = ShowId::new_random();
        let json = format!(
            "{{\"show\" : {{\"id\":\"{id}\",\"name\":\"A: b\",\"slug\":\"a-b\",\"x\":[1]}}, \"setlists\" : [garbage"
        );
        assert_eq!(page_identity(&json), Some((id, "a-b".to_owned())));
        assert_eq!(page_identity("{\"venue\" : {}}"), None);
    }
}
