//! Load generator for `scripts/bench-realtime` (run by it; prints `RESULT` lines it parses).
//!
//! `subscribe` mode: opens N event streams on one show (`GET /v1/shows/{id}/events`, plain
//! HTTP/1.1 over loopback, one TCP connection each, spread over a few single-threaded runtimes),
//! waits for every snapshot, then casts votes through the API at a fixed rate (each vote by a new
//! user, so each changes the counts and each song's version grows by exactly one per vote). Every
//! stream logs which events it received when; at the end each (stream, vote) pair is measured
//! from the vote's commit (PostgreSQL's commit timestamp of the vote's row), and for reference
//! from sending the vote and from its reply, and each stream's counts are compared with the show
//! page's. With N = 0 it only casts the votes (the realtime-off baseline of the same load).
//!
//! `throughput` mode: C clients vote as fast as the API answers (each vote flips the direction of
//! one of the client's own users' votes, so every vote changes counts), for S seconds, optionally
//! with N streams open on the show (which must then all end on the final counts).
//!
//! realtime_load subscribe --base URL --show ID --subscribers N --rate R --seconds S --database-url URL
//!   [--votes-base URL] (votes to another API process than the streams')
//! realtime_load throughput --base URL --show ID --clients C --seconds S [--subscribers N]
//! (SUPABASE_JWT_SECRET signs the voters' tokens.)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    clippy::cast_sign_loss,
    clippy::needless_pass_by_value
)]

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;

struct Args {
    mode: String,
    base: String,
    /// Where votes go (`--votes-base`; default `--base`): another API process than the streams'.
    votes_base: String,
    show: String,
    subscribers: usize,
    rate: f64,
    seconds: f64,
    clients: usize,
    threads: usize,
    database_url: Option<String>,
}

fn args() -> Args {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let get = |name: &str| {
        raw.iter()
            .position(|a| a == name)
            .and_then(|i| raw.get(i + 1))
            .cloned()
    };
    Args {
        mode: raw.first().cloned().unwrap_or_default(),
        base: get("--base").expect("--base"),
        votes_base: get("--votes-base")
            .or_else(|| get("--base"))
            .expect("--base"),
        show: get("--show").expect("--show"),
        subscribers: get("--subscribers").map_or(0, |v| v.parse().unwrap()),
        rate: get("--rate").map_or(200.0, |v| v.parse().unwrap()),
        seconds: get("--seconds").map_or(20.0, |v| v.parse().unwrap()),
        clients: get("--clients").map_or(32, |v| v.parse().unwrap()),
        threads: get("--threads").map_or(2, |v| v.parse().unwrap()),
        database_url: get("--database-url"),
    }
}

fn token(secret: &str, id: uuid::Uuid) -> String {
    let now = chrono::Utc::now().timestamp();
    let mut claims = json!({"sub": id, "email": format!("{id}@load.theset.test"),
        "aud": "authenticated", "role": "authenticated", "iat": now, "exp": now + 7200});
    // The API checks `iss` when SUPABASE_URL or SUPABASE_JWT_ISSUER names one.
    if let Some(issuer) = theset_api::config::issuer(|name| std::env::var(name).ok()) {
        claims["iss"] = json!(issuer);
    }
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

/// The show's predicted songs and their counts, from the show page (read from the database).
async fn show_songs(http: &reqwest::Client, base: &str, show: &str) -> Vec<(String, i64, i64)> {
    // A just-started API may answer 503 until its pool is connected: ask again for a while.
    let mut tries = 0;
    let page: Value = loop {
        let reply = http
            .get(format!("{base}/v1/shows/{show}"))
            .send()
            .await
            .unwrap();
        let status = reply.status();
        let body = reply.bytes().await.unwrap();
        let page: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        if page["setlists"].is_array() {
            break page;
        }
        tries += 1;
        assert!(
            tries < 100,
            "the show page of {show}: {status} {}",
            String::from_utf8_lossy(&body)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let mut songs = Vec::new();
    for setlist in page["setlists"].as_array().unwrap() {
        if setlist["setlist"]["type"] != "predicted" {
            continue;
        }
        for song in setlist["songs"].as_array().unwrap() {
            let entry = &song["entry"];
            songs.push((
                entry["id"].as_str().unwrap().to_owned(),
                entry["upvotes"].as_i64().unwrap(),
                entry["downvotes"].as_i64().unwrap(),
            ));
        }
    }
    songs
}

/// Latencies in microseconds: 100 µs buckets up to 10 s, then one overflow bucket; exact max.
#[derive(Clone)]
struct Histogram {
    buckets: Vec<u64>,
    max: u64,
    count: u64,
}

impl Histogram {
    const BUCKET_US: u64 = 100;
    const BUCKETS: usize = 100_001;

    fn new() -> Self {
        Self {
            buckets: vec![0; Self::BUCKETS],
            max: 0,
            count: 0,
        }
    }

    fn record(&mut self, us: u64) {
        let i = ((us / Self::BUCKET_US) as usize).min(Self::BUCKETS - 1);
        self.buckets[i] += 1;
        self.max = self.max.max(us);
        self.count += 1;
    }

    fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.buckets.iter_mut().zip(&other.buckets) {
            *a += b;
        }
        self.max = self.max.max(other.max);
        self.count += other.count;
    }

    fn percentile_ms(&self, p: f64) -> f64 {
        let target = ((self.count as f64) * p).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, n) in self.buckets.iter().enumerate() {
            seen += n;
            if seen >= target {
                return ((i as u64 + 1) * Self::BUCKET_US).min(self.max) as f64 / 1000.0;
            }
        }
        self.max as f64 / 1000.0
    }

    fn max_ms(&self) -> f64 {
        self.max as f64 / 1000.0
    }
}

/// For every (subscriber, vote): the delay until the subscriber held the vote's counts, from the
/// vote's commit (PostgreSQL's commit timestamp), and for reference from sending the vote and
/// from its reply (0 when the counts arrived first).
#[derive(Clone)]
struct Latencies {
    commit: Histogram,
    sent: Histogram,
    reply: Histogram,
}

impl Latencies {
    fn new() -> Self {
        Self {
            commit: Histogram::new(),
            sent: Histogram::new(),
            reply: Histogram::new(),
        }
    }

    fn merge(&mut self, other: &Latencies) {
        self.commit.merge(&other.commit);
        self.sent.merge(&other.sent);
        self.reply.merge(&other.reply);
    }
}

/// What every subscriber shares: song ids, and when the vote giving each song each version was
/// sent (µs since `start`, 0 until sent).
struct Plan {
    start: Instant,
    index: HashMap<String, usize>,
    base_version: Vec<i64>,
    sent_at: Vec<Vec<AtomicU64>>,
    /// When each vote's reply came (µs since `start`, 0 until then).
    replied_at: Vec<Vec<AtomicU64>>,
    /// When each vote committed (µs since `start`), read from the database once voting is over.
    committed_at: OnceLock<Vec<Vec<u64>>>,
}

#[derive(Deserialize)]
struct VotesData<'a> {
    #[serde(borrow)]
    songs: Vec<SongData<'a>>,
}

#[derive(Deserialize)]
struct SongData<'a> {
    #[serde(borrow, alias = "id")]
    setlist_song_id: &'a str,
    upvotes: i64,
    downvotes: i64,
    version: i64,
}

#[derive(Deserialize)]
struct SnapshotData<'a> {
    #[serde(borrow)]
    setlists: Vec<SetlistData<'a>>,
}

#[derive(Deserialize)]
struct SetlistData<'a> {
    #[serde(borrow)]
    songs: Vec<SongData<'a>>,
}

/// One subscriber's view: counts and version per song, every event it received (an index in its
/// thread's `Events`, and when), and whether its stream ended early.
struct View {
    held: Vec<(i64, i64, i64)>,
    received: Vec<(u32, u64)>,
    ended: bool,
}

/// A song's counts from an event, by its index in the plan.
#[derive(Clone, Copy)]
struct Counts {
    index: usize,
    upvotes: i64,
    downvotes: i64,
    version: i64,
}

impl Counts {
    fn of(song: &SongData<'_>, plan: &Plan) -> Option<Self> {
        Some(Self {
            index: *plan.index.get(song.setlist_song_id)?,
            upvotes: song.upvotes,
            downvotes: song.downvotes,
            version: song.version,
        })
    }
}

/// The events a thread's streams received, each scanned once (every stream of a thread gets the
/// same frames), by event name and id. `timed`: a `votes` event; a snapshot or resync carries
/// counts already counted or skipped, so no latency.
#[derive(Default)]
struct Events {
    index: HashMap<Vec<u8>, u32>,
    events: Vec<(bool, Vec<Counts>)>,
}

impl Events {
    fn intern(&mut self, key: &[u8], timed: bool, scan: impl FnOnce() -> Vec<Counts>) -> u32 {
        if let Some(&i) = self.index.get(key) {
            return i;
        }
        let i = self.events.len() as u32;
        self.events.push((timed, scan()));
        self.index.insert(key.to_vec(), i);
        i
    }
}

thread_local! {
    static EVENTS: RefCell<Events> = RefCell::default();
}

impl View {
    fn receive(&mut self, event: u32, now_us: u64) {
        self.received.push((event, now_us));
        EVENTS.with_borrow(|events| {
            for song in &events.events[event as usize].1 {
                let held = &mut self.held[song.index];
                if song.version > held.2 {
                    *held = (song.upvotes, song.downvotes, song.version);
                }
            }
        });
    }

    /// Records, for every vote this view received, its delays (once the commit times are known).
    fn measure(&self, plan: &Plan, events: &Events, latencies: &mut Latencies) {
        let Some(committed_at) = plan.committed_at.get() else {
            return;
        };
        let mut held = vec![-1_i64; plan.base_version.len()];
        for &(event, now_us) in &self.received {
            let (timed, counts) = &events.events[event as usize];
            for song in counts {
                let i = song.index;
                if song.version <= held[i] {
                    continue;
                }
                if *timed {
                    // Version base + k + 1 is the song's k-th vote of the run.
                    let first = (held[i] - plan.base_version[i]).max(0) as usize;
                    let last = ((song.version - plan.base_version[i]).max(0) as usize)
                        .min(plan.sent_at[i].len());
                    let votes = plan.sent_at[i]
                        .iter()
                        .zip(&plan.replied_at[i])
                        .zip(&committed_at[i])
                        .take(last)
                        .skip(first);
                    for ((sent, replied), committed) in votes {
                        let sent = sent.load(Ordering::Acquire);
                        if sent == 0 {
                            continue;
                        }
                        latencies.sent.record(now_us.saturating_sub(sent));
                        let replied = replied.load(Ordering::Acquire);
                        latencies.reply.record(if replied == 0 {
                            0
                        } else {
                            now_us.saturating_sub(replied)
                        });
                        latencies.commit.record(now_us.saturating_sub(*committed));
                    }
                }
                held[i] = song.version;
            }
        }
    }
}

/// The songs of a show stream's `votes` data, `{"songs":[{"id":"…","upvotes":1,"downvotes":2,
/// "net_votes":-1,"version":7},…]}`, scanned rather than parsed: with 10,000 streams on the same
/// two cores as the API, the load generator's own CPU time must stay small. Checked against
/// serde_json in debug builds.
fn scan_votes(data: &[u8]) -> Vec<SongData<'_>> {
    fn number(data: &[u8], key: &[u8], from: usize) -> Option<(i64, usize)> {
        let at = from + find(&data[from..], key)? + key.len();
        let end = at
            + data[at..]
                .iter()
                .position(|b| !(b.is_ascii_digit() || *b == b'-'))?;
        Some((std::str::from_utf8(&data[at..end]).ok()?.parse().ok()?, end))
    }
    fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
        let mut from = 0;
        while let Some(i) = haystack[from..].iter().position(|&b| b == needle[0]) {
            let at = from + i;
            if haystack[at..].starts_with(needle) {
                return Some(at);
            }
            from = at + 1;
        }
        None
    }
    let mut songs = Vec::new();
    let mut at = 0;
    while let Some(i) = find(&data[at..], b"{\"id\":\"") {
        let id_start = at + i + 7;
        let id = std::str::from_utf8(&data[id_start..id_start + 36]).unwrap_or_default();
        let (upvotes, next) = number(data, b"\"upvotes\":", id_start).unwrap();
        let (downvotes, next) = number(data, b"\"downvotes\":", next).unwrap();
        let (version, next) = number(data, b"\"version\":", next).unwrap();
        songs.push(SongData {
            setlist_song_id: id,
            upvotes,
            downvotes,
            version,
        });
        at = next;
    }
    if cfg!(debug_assertions) {
        let parsed: VotesData<'_> = serde_json::from_slice(data).unwrap();
        assert_eq!(parsed.songs.len(), songs.len());
    }
    songs
}

/// Reads one SSE connection's chunked body into `view` until the stream ends or the fleet stops
/// waiting for it (no timer per read: that would cost one per frame).
async fn subscriber(
    addr: String,
    path: String,
    plan: Arc<Plan>,
    ready: Arc<AtomicUsize>,
    connects: Arc<Semaphore>,
    view: Rc<RefCell<View>>,
) {
    read_stream(addr, path, plan, ready, connects, &view).await;
    view.borrow_mut().ended = true;
}

async fn read_stream(
    addr: String,
    path: String,
    plan: Arc<Plan>,
    ready: Arc<AtomicUsize>,
    connects: Arc<Semaphore>,
    view: &RefCell<View>,
) -> Option<()> {
    let permit = connects.acquire().await.ok()?;
    let mut stream = loop {
        match TcpStream::connect(&addr).await {
            Ok(s) => break s,
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    };
    stream
        .write_all(
            format!("GET {path} HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n")
                .as_bytes(),
        )
        .await
        .ok()?;
    let mut raw: Vec<u8> = Vec::with_capacity(16384);
    let mut body: Vec<u8> = Vec::with_capacity(16384);
    let mut headers_done = false;
    let mut snapshot_seen = false;
    let mut permit = Some(permit);
    let line_end = memchr::memmem::Finder::new(b"\r\n");
    let frame_end = memchr::memmem::Finder::new(b"\n\n");
    loop {
        match stream.read_buf(&mut raw).await {
            Ok(0) | Err(_) => return Some(()),
            Ok(_) => {}
        }
        let mut view = view.borrow_mut();
        let now_us = plan.start.elapsed().as_micros() as u64;
        let mut at = 0;
        if !headers_done {
            let Some(end) = memchr::memmem::find(&raw, b"\r\n\r\n") else {
                continue;
            };
            assert!(
                raw.starts_with(b"HTTP/1.1 200"),
                "{}",
                String::from_utf8_lossy(&raw[..end])
            );
            at = end + 4;
            headers_done = true;
        }
        // Chunked transfer coding: "<hex size>\r\n<data>\r\n".
        while let Some(line) = line_end.find(&raw[at..]) {
            let size =
                usize::from_str_radix(std::str::from_utf8(&raw[at..at + line]).unwrap().trim(), 16)
                    .unwrap();
            let data = at + line + 2;
            if raw.len() < data + size + 2 {
                break;
            }
            if size == 0 {
                return Some(());
            }
            body.extend_from_slice(&raw[data..data + size]);
            at = data + size + 2;
        }
        raw.drain(..at);
        let mut at = 0;
        while let Some(end) = frame_end.find(&body[at..]) {
            let frame = &body[at..at + end];
            at += end + 2;
            // The API writes `id:`, `event:`, then one `data:` line: only the first two lines are
            // searched (the data is kilobytes long).
            let (mut id, mut name, mut data): (&[u8], &[u8], &[u8]) = (b"", b"", b"");
            let mut rest = frame;
            while !rest.is_empty() {
                let (line, next) = match memchr::memchr(b'\n', rest) {
                    Some(end) if !rest.starts_with(b"data: ") => (&rest[..end], &rest[end + 1..]),
                    _ => (rest, &b""[..]),
                };
                if let Some(v) = line.strip_prefix(b"id: ") {
                    id = v;
                } else if let Some(v) = line.strip_prefix(b"event: ") {
                    name = v;
                } else if let Some(v) = line.strip_prefix(b"data: ") {
                    data = v;
                }
                rest = next;
            }
            let mut key = name.to_vec();
            key.extend_from_slice(id);
            match name {
                b"snapshot" | b"resync" => {
                    let event = EVENTS.with_borrow_mut(|events| {
                        events.intern(&key, false, || {
                            let snapshot: SnapshotData<'_> = serde_json::from_slice(data).unwrap();
                            snapshot
                                .setlists
                                .iter()
                                .flat_map(|s| &s.songs)
                                .filter_map(|s| Counts::of(s, &plan))
                                .collect()
                        })
                    });
                    view.receive(event, now_us);
                    if !snapshot_seen {
                        snapshot_seen = true;
                        ready.fetch_add(1, Ordering::AcqRel);
                        permit.take();
                    }
                }
                b"votes" => {
                    let event = EVENTS.with_borrow_mut(|events| {
                        events.intern(&key, true, || {
                            scan_votes(data)
                                .iter()
                                .filter_map(|s| Counts::of(s, &plan))
                                .collect()
                        })
                    });
                    view.receive(event, now_us);
                }
                _ => {}
            }
        }
        body.drain(..at);
    }
}

type Views = Vec<Rc<RefCell<View>>>;
/// Per stream: its counts (up, down, version) per song at the end, and whether it ended early.
type Ends = Vec<(Vec<(i64, i64, i64)>, bool)>;

/// The subscribers, spread over single-threaded runtimes (each measuring its own streams).
struct Fleet {
    threads: Vec<std::thread::JoinHandle<(Latencies, Ends)>>,
    stop: Arc<AtomicBool>,
    connect_s: f64,
}

impl Fleet {
    /// Opens `args.subscribers` streams and waits until each has its snapshot.
    async fn spawn(args: &Args, plan: Arc<Plan>, addr: &str, path: &str) -> Fleet {
        let ready = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let connects = Arc::new(Semaphore::new(256));
        let connect_started = Instant::now();
        let mut threads = Vec::new();
        for t in 0..args.threads {
            let count =
                args.subscribers / args.threads + usize::from(t < args.subscribers % args.threads);
            let (plan, ready, stop, connects) =
                (plan.clone(), ready.clone(), stop.clone(), connects.clone());
            let (addr, path) = (addr.to_owned(), path.to_owned());
            threads.push(std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                let local = tokio::task::LocalSet::new();
                local.block_on(&runtime, async move {
                    let mut views: Views = Vec::new();
                    for _ in 0..count {
                        let view = Rc::new(RefCell::new(View {
                            held: vec![(0, 0, -1); plan.base_version.len()],
                            received: Vec::with_capacity(512),
                            ended: false,
                        }));
                        views.push(view.clone());
                        tokio::task::spawn_local(subscriber(
                            addr.clone(),
                            path.clone(),
                            plan.clone(),
                            ready.clone(),
                            connects.clone(),
                            view,
                        ));
                    }
                    while !stop.load(Ordering::Relaxed) {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    let mut latencies = Latencies::new();
                    let views = EVENTS.with_borrow(|events| {
                        views
                            .iter()
                            .map(|v| {
                                let v = v.borrow();
                                v.measure(&plan, events, &mut latencies);
                                (v.held.clone(), v.ended)
                            })
                            .collect()
                    });
                    (latencies, views)
                })
            }));
        }
        while ready.load(Ordering::Acquire) < args.subscribers {
            assert!(
                connect_started.elapsed() < Duration::from_secs(300),
                "only {} of {} subscribers got their snapshot",
                ready.load(Ordering::Acquire),
                args.subscribers
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Fleet {
            threads,
            stop,
            connect_s: connect_started.elapsed().as_secs_f64(),
        }
    }

    /// Closes the streams; returns the latencies, how many streams hold `finals`, and how many
    /// were still open.
    fn finish(self, finals: &[(String, i64, i64)]) -> (Latencies, usize, usize) {
        self.stop.store(true, Ordering::Relaxed);
        let mut hist = Latencies::new();
        let mut holding = 0;
        let mut streams = 0;
        for thread in self.threads {
            let (h, views) = thread.join().unwrap();
            hist.merge(&h);
            for (view, ended) in views {
                if !ended {
                    streams += 1;
                }
                if view
                    .iter()
                    .zip(finals)
                    .all(|(held, (_, up, down))| (held.0, held.1) == (*up, *down))
                {
                    holding += 1;
                }
            }
        }
        (hist, holding, streams)
    }
}

async fn subscribe_mode(args: Args) {
    let secret = std::env::var("SUPABASE_JWT_SECRET").expect("SUPABASE_JWT_SECRET");
    // reqwest carries no crypto provider of its own (workspace Cargo.toml): ring, installed once.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(256)
        .build()
        .unwrap();
    let songs = show_songs(&http, &args.base, &args.show).await;
    assert!(!songs.is_empty(), "the show has no predicted songs");
    let votes_total = (args.rate * args.seconds).round() as usize;
    let per_song = votes_total.div_ceil(songs.len()) + 1;
    // Versions before the run: the show page does not carry them, so take them from a snapshot.
    let addr = args.base.trim_start_matches("http://").to_owned();
    let path = format!("/v1/shows/{}/events", args.show);
    // Without streams (realtime off: the votes alone), nothing to measure against.
    let base_version = if args.subscribers == 0 {
        vec![0; songs.len()]
    } else {
        let mut probe = TcpStream::connect(&addr).await.unwrap();
        probe
            .write_all(format!("GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let mut text = Vec::new();
        let mut chunk = [0_u8; 65536];
        let data = loop {
            let n = probe.read(&mut chunk).await.unwrap();
            text.extend_from_slice(&chunk[..n]);
            let s = String::from_utf8_lossy(&text).to_string();
            if let Some(start) = s.find("event: snapshot\ndata: ") {
                let rest = &s[start + 22..];
                if let Some(end) = rest.find("\n\n") {
                    break rest[..end].to_owned();
                }
            }
        };
        let snapshot: SnapshotData<'_> = serde_json::from_str(&data).unwrap();
        let versions: HashMap<&str, i64> = snapshot
            .setlists
            .iter()
            .flat_map(|s| &s.songs)
            .map(|s| (s.setlist_song_id, s.version))
            .collect();
        songs
            .iter()
            .map(|(id, _, _)| versions[id.as_str()])
            .collect::<Vec<i64>>()
    };
    let start_unix_us = unix_us();
    let plan = Arc::new(Plan {
        start: Instant::now(),
        index: songs
            .iter()
            .enumerate()
            .map(|(i, (id, _, _))| (id.clone(), i))
            .collect(),
        base_version,
        sent_at: (0..songs.len())
            .map(|_| (0..per_song).map(|_| AtomicU64::new(0)).collect())
            .collect(),
        replied_at: (0..songs.len())
            .map(|_| (0..per_song).map(|_| AtomicU64::new(0)).collect())
            .collect(),
        committed_at: OnceLock::new(),
    });

    let fleet = Fleet::spawn(&args, plan.clone(), &addr, &path).await;
    let connect_s = fleet.connect_s;
    println!(
        "subscribed: {} streams in {connect_s:.1} s",
        args.subscribers
    );

    // Votes at the rate, round robin over the songs, each by a new user; one song's votes go one
    // at a time, so song i's k-th vote of the run gives it version base + k.
    let interval = Duration::from_secs_f64(1.0 / args.rate);
    let vote_started = Instant::now();
    let sent = Arc::new(AtomicUsize::new(0));
    let vote_ms = Arc::new(Mutex::new(Vec::new()));
    let mut voters = Vec::new();
    let voters_all = Arc::new(Mutex::new(Vec::new()));
    for (i, (song, _, _)) in songs.iter().enumerate() {
        let (http, plan, sent, vote_ms, secret, base, voters_of) = (
            http.clone(),
            plan.clone(),
            sent.clone(),
            vote_ms.clone(),
            secret.clone(),
            args.votes_base.clone(),
            voters_all.clone(),
        );
        let song = song.clone();
        let period = interval * songs.len() as u32;
        let offset = interval * i as u32;
        let total = votes_total;
        let songs_n = songs.len();
        voters.push(tokio::spawn(async move {
            let mut next = tokio::time::Instant::now() + offset;
            for k in 0.. {
                if k * songs_n + i >= total {
                    break;
                }
                tokio::time::sleep_until(next).await;
                next += period;
                let voter = uuid::Uuid::new_v4();
                let token = token(&secret, voter);
                voters_of.lock().unwrap().push((i, k, voter));
                plan.sent_at[i][k]
                    .store(plan.start.elapsed().as_micros() as u64, Ordering::Release);
                let t = Instant::now();
                let response = http
                    .put(format!("{base}/v1/setlist-songs/{song}/vote"))
                    .header("authorization", format!("Bearer {token}"))
                    .header("content-type", "application/json")
                    .body(r#"{"vote_type":"up"}"#)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 200, "{:?}", response.text().await);
                plan.replied_at[i][k]
                    .store(plan.start.elapsed().as_micros() as u64, Ordering::Release);
                vote_ms
                    .lock()
                    .unwrap()
                    .push(t.elapsed().as_secs_f64() * 1000.0);
                sent.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for voter in voters {
        voter.await.unwrap();
    }
    let vote_s = vote_started.elapsed().as_secs_f64();
    let sent = sent.load(Ordering::Relaxed);
    // Let the last window go out, then compare every subscriber with the database.
    let finals = show_songs(&http, &args.base, &args.show).await;
    let settle = Instant::now();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let voters = voters_all.lock().unwrap().clone();
    let committed = commit_times(&args, &voters, start_unix_us, per_song, songs.len());
    plan.committed_at.set(committed).unwrap();
    let (hist, holding, streams) = fleet.finish(&finals);
    let mut vote_ms = vote_ms.lock().unwrap().clone();
    vote_ms.sort_by(f64::total_cmp);
    let pct = |v: &[f64], p: f64| v[((v.len() as f64 * p).ceil() as usize).clamp(1, v.len()) - 1];
    println!(
        "RESULT subscribers={} streams_open={streams} votes={sent} vote_rate={:.0} deliveries={} p50_ms={:.1} p99_ms={:.1} max_ms={:.1} sent_p50_ms={:.1} sent_p99_ms={:.1} reply_p50_ms={:.1} reply_p99_ms={:.1} final_ok={holding} final_pct={:.2} vote_p50_ms={:.1} vote_p99_ms={:.1} connect_s={connect_s:.1} settle_s={:.1}",
        args.subscribers,
        sent as f64 / vote_s,
        hist.commit.count,
        hist.commit.percentile_ms(0.50),
        hist.commit.percentile_ms(0.99),
        hist.commit.max_ms(),
        hist.sent.percentile_ms(0.50),
        hist.sent.percentile_ms(0.99),
        hist.reply.percentile_ms(0.50),
        hist.reply.percentile_ms(0.99),
        100.0 * holding as f64 / args.subscribers as f64,
        pct(&vote_ms, 0.5),
        pct(&vote_ms, 0.99),
        settle.elapsed().as_secs_f64(),
    );
}

fn unix_us() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros() as u64
}

/// When each vote committed, in µs since the plan's start (`start_unix_us` on the wall clock):
/// PostgreSQL's commit timestamp of each vote's row (the server runs with
/// `track_commit_timestamp`), read with psql as the database's owner.
fn commit_times(
    args: &Args,
    voters: &[(usize, usize, uuid::Uuid)],
    start_unix_us: u64,
    per_song: usize,
    songs: usize,
) -> Vec<Vec<u64>> {
    let url = args.database_url.as_deref().expect("--database-url");
    let ids: Vec<String> = voters.iter().map(|(_, _, id)| format!("'{id}'")).collect();
    let sql = format!(
        "SELECT user_id, (extract(epoch FROM pg_xact_commit_timestamp(xmin)) * 1000000)::bigint \
         FROM votes WHERE user_id IN ({})",
        ids.join(",")
    );
    let mut psql = std::process::Command::new("psql")
        .args(["-X", "-At", "-v", "ON_ERROR_STOP=1", "-F", " ", url])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("psql");
    std::io::Write::write_all(&mut psql.stdin.take().unwrap(), sql.as_bytes()).unwrap();
    let out = psql.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "reading commit timestamps failed (is track_commit_timestamp on?)"
    );
    let at: HashMap<String, u64> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|line| {
            let (id, us) = line.split_once(' ')?;
            Some((id.to_owned(), us.parse::<u64>().ok()?))
        })
        .collect();
    let mut committed = vec![vec![0_u64; per_song]; songs];
    for (i, k, id) in voters {
        let us = at
            .get(&id.to_string())
            .unwrap_or_else(|| panic!("no commit timestamp for voter {id}"));
        committed[*i][*k] = us.saturating_sub(start_unix_us);
    }
    committed
}

async fn throughput_mode(args: Args) {
    let secret = std::env::var("SUPABASE_JWT_SECRET").expect("SUPABASE_JWT_SECRET");
    // reqwest carries no crypto provider of its own (workspace Cargo.toml): ring, installed once.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(args.clients * 2)
        .build()
        .unwrap();
    let songs: Vec<String> = show_songs(&http, &args.base, &args.show)
        .await
        .into_iter()
        .map(|s| s.0)
        .collect();
    // Optionally with streams open on the show being voted on (no latencies recorded).
    let fleet = if args.subscribers > 0 {
        let plan = Arc::new(Plan {
            start: Instant::now(),
            index: songs
                .iter()
                .enumerate()
                .map(|(i, id)| (id.clone(), i))
                .collect(),
            base_version: vec![0; songs.len()],
            sent_at: songs.iter().map(|_| Vec::new()).collect(),
            replied_at: songs.iter().map(|_| Vec::new()).collect(),
            committed_at: OnceLock::new(),
        });
        let addr = args.base.trim_start_matches("http://").to_owned();
        let path = format!("/v1/shows/{}/events", args.show);
        Some(Fleet::spawn(&args, plan, &addr, &path).await)
    } else {
        None
    };
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for client in 0..args.clients {
        let (http, songs, stop, done, base) = (
            http.clone(),
            songs.clone(),
            stop.clone(),
            done.clone(),
            args.base.clone(),
        );
        let tokens: Vec<String> = (0..4)
            .map(|_| token(&secret, uuid::Uuid::new_v4()))
            .collect();
        tasks.push(tokio::spawn(async move {
            // Each (user, song) pair flips direction on every vote: every vote changes counts.
            let mut up = vec![false; tokens.len() * songs.len()];
            let mut n = client;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let pair = n % up.len();
                up[pair] = !up[pair];
                let response = http
                    .put(format!(
                        "{base}/v1/setlist-songs/{}/vote",
                        songs[pair % songs.len()]
                    ))
                    .header(
                        "authorization",
                        format!("Bearer {}", tokens[pair / songs.len()]),
                    )
                    .header("content-type", "application/json")
                    .body(if up[pair] {
                        r#"{"vote_type":"up"}"#
                    } else {
                        r#"{"vote_type":"down"}"#
                    })
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 200);
                response.bytes().await.unwrap();
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    // Warm up (users created on first sight, plans prepared), then count.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before = done.load(Ordering::Relaxed);
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs_f64(args.seconds)).await;
    let votes = done.load(Ordering::Relaxed) - before;
    let elapsed = started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.unwrap();
    }
    let (open, holding) = match fleet {
        Some(fleet) => {
            tokio::time::sleep(Duration::from_secs(3)).await;
            let finals = show_songs(&http, &args.base, &args.show).await;
            let (_, holding, open) = fleet.finish(&finals);
            (open, holding)
        }
        None => (0, 0),
    };
    println!(
        "RESULT votes_per_s={:.0} clients={} subscribers={} streams_open={open} final_ok={holding}",
        votes as f64 / elapsed,
        args.clients,
        args.subscribers
    );
}

fn main() {
    let args = args();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    match args.mode.as_str() {
        "subscribe" => runtime.block_on(subscribe_mode(args)),
        "throughput" => runtime.block_on(throughput_mode(args)),
        other => panic!("unknown mode {other:?}: subscribe or throughput"),
    }
}
