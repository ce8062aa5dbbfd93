//! Load generator for `scripts/bench-realtime` (run by it; prints `RESULT` lines it parses).
//!
//! `subscribe` mode: opens N event streams on one show (`GET /v1/shows/{id}/events`, plain
//! HTTP/1.1 over loopback, one TCP connection each, spread over a few single-threaded runtimes),
//! waits for every snapshot, then casts votes through the API at a fixed rate (each vote by a new
//! user, so each changes the counts and each song's version grows by exactly one per vote), and
//! measures, at every subscriber, the delay from sending each vote to receiving counts at or past
//! its version. At the end it compares each subscriber's counts with the show page's.
//!
//! `throughput` mode: C clients vote as fast as the API answers (each vote flips the direction of
//! one of the client's own users' votes, so every vote changes counts), for S seconds, optionally
//! with N streams open on the show (which must then all end on the final counts).
//!
//! realtime_load subscribe --base URL --show ID --subscribers N --rate R --seconds S
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
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
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
    show: String,
    subscribers: usize,
    rate: f64,
    seconds: f64,
    clients: usize,
    threads: usize,
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
        show: get("--show").expect("--show"),
        subscribers: get("--subscribers").map_or(0, |v| v.parse().unwrap()),
        rate: get("--rate").map_or(200.0, |v| v.parse().unwrap()),
        seconds: get("--seconds").map_or(20.0, |v| v.parse().unwrap()),
        clients: get("--clients").map_or(32, |v| v.parse().unwrap()),
        threads: get("--threads").map_or(2, |v| v.parse().unwrap()),
    }
}

fn token(secret: &str) -> String {
    let id = uuid::Uuid::new_v4();
    let now = chrono::Utc::now().timestamp();
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &json!({"sub": id, "email": format!("{id}@load.theset.test"), "aud": "authenticated",
                "role": "authenticated", "iat": now, "exp": now + 7200}),
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

/// The show's predicted songs and their counts, from the show page (read from the database).
async fn show_songs(http: &reqwest::Client, base: &str, show: &str) -> Vec<(String, i64, i64)> {
    let page: Value = serde_json::from_slice(
        &http
            .get(format!("{base}/v1/shows/{show}"))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap(),
    )
    .unwrap();
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
/// Two series: from sending each vote (an upper bound of commit to receipt) and from its reply
/// (a lower bound: the commit came before the reply; 0 when the counts arrived first).
#[derive(Clone)]
struct Histogram {
    buckets: Vec<u64>,
    max: u64,
    count: u64,
    reply: Vec<u64>,
}

impl Histogram {
    const BUCKET_US: u64 = 100;
    const BUCKETS: usize = 100_001;

    fn new() -> Self {
        Self {
            buckets: vec![0; Self::BUCKETS],
            max: 0,
            count: 0,
            reply: vec![0; Self::BUCKETS],
        }
    }

    fn record(&mut self, us: u64) {
        let i = ((us / Self::BUCKET_US) as usize).min(Self::BUCKETS - 1);
        self.buckets[i] += 1;
        self.max = self.max.max(us);
        self.count += 1;
    }

    fn record_reply(&mut self, us: u64) {
        self.reply[((us / Self::BUCKET_US) as usize).min(Self::BUCKETS - 1)] += 1;
    }

    fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.buckets.iter_mut().zip(&other.buckets) {
            *a += b;
        }
        for (a, b) in self.reply.iter_mut().zip(&other.reply) {
            *a += b;
        }
        self.max = self.max.max(other.max);
        self.count += other.count;
    }

    fn percentile_ms(&self, p: f64) -> f64 {
        Self::percentile(&self.buckets, self.count, p).unwrap_or(self.max as f64 / 1000.0)
    }

    fn reply_percentile_ms(&self, p: f64) -> f64 {
        Self::percentile(&self.reply, self.count, p).unwrap_or(f64::NAN)
    }

    fn percentile(buckets: &[u64], count: u64, p: f64) -> Option<f64> {
        let target = ((count as f64) * p).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, n) in buckets.iter().enumerate() {
            seen += n;
            if seen >= target {
                return Some(((i as u64 + 1) * Self::BUCKET_US) as f64 / 1000.0);
            }
        }
        None
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

/// One subscriber's view: counts and version per song, and whether its stream ended early.
struct View {
    held: Vec<(i64, i64, i64)>,
    ended: bool,
}

impl View {
    fn apply(
        &mut self,
        song: &SongData<'_>,
        plan: &Plan,
        hist: Option<&mut Histogram>,
        now_us: u64,
    ) {
        let Some(&i) = plan.index.get(song.setlist_song_id) else {
            return;
        };
        let held = self.held[i];
        if song.version <= held.2 {
            return;
        }
        if let Some(hist) = hist {
            // Version base + k + 1 is the song's k-th vote of the run.
            let sent_at = &plan.sent_at[i];
            let first = (held.2 - plan.base_version[i]).max(0) as usize;
            let last = ((song.version - plan.base_version[i]).max(0) as usize).min(sent_at.len());
            for (sent, replied) in sent_at
                .iter()
                .zip(&plan.replied_at[i])
                .take(last)
                .skip(first)
            {
                let sent = sent.load(Ordering::Acquire);
                if sent > 0 {
                    hist.record(now_us.saturating_sub(sent));
                    // Not replied yet: the counts arrived before the reply, so 0.
                    let replied = replied.load(Ordering::Acquire);
                    hist.record_reply(if replied == 0 {
                        0
                    } else {
                        now_us.saturating_sub(replied)
                    });
                }
            }
        }
        self.held[i] = (song.upvotes, song.downvotes, song.version);
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

/// The first `a` followed by `b` (the load generator's hot loop: a byte search, not windows).
fn find_pair(bytes: &[u8], a: u8, b: u8) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = bytes[from..].iter().position(|&x| x == a) {
        let at = from + i;
        match bytes.get(at + 1) {
            Some(&next) if next == b => return Some(at),
            Some(_) => from = at + 1,
            None => return None,
        }
    }
    None
}

/// Reads one SSE connection's chunked body into `view` until the stream ends or the fleet stops
/// waiting for it (no timer per read: that would cost one per frame).
async fn subscriber(
    addr: String,
    path: String,
    plan: Arc<Plan>,
    hist: Rc<RefCell<Histogram>>,
    ready: Arc<AtomicUsize>,
    connects: Arc<Semaphore>,
    view: Rc<RefCell<View>>,
) {
    read_stream(addr, path, plan, hist, ready, connects, &view).await;
    view.borrow_mut().ended = true;
}

async fn read_stream(
    addr: String,
    path: String,
    plan: Arc<Plan>,
    hist: Rc<RefCell<Histogram>>,
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
    let mut raw: Vec<u8> = Vec::with_capacity(8192);
    let mut body: Vec<u8> = Vec::new();
    let mut headers_done = false;
    let mut snapshot_seen = false;
    let mut permit = Some(permit);
    let mut chunk = vec![0_u8; 16384];
    loop {
        let n = match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return Some(()),
            Ok(n) => n,
        };
        let mut view = view.borrow_mut();
        let now_us = plan.start.elapsed().as_micros() as u64;
        raw.extend_from_slice(&chunk[..n]);
        if !headers_done {
            let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
                continue;
            };
            assert!(
                raw.starts_with(b"HTTP/1.1 200"),
                "{}",
                String::from_utf8_lossy(&raw[..end])
            );
            raw.drain(..end + 4);
            headers_done = true;
        }
        // Chunked transfer coding: "<hex size>\r\n<data>\r\n".
        while let Some(line) = find_pair(&raw, b'\r', b'\n') {
            let size = usize::from_str_radix(std::str::from_utf8(&raw[..line]).unwrap().trim(), 16)
                .unwrap();
            if raw.len() < line + 2 + size + 2 {
                break;
            }
            body.extend_from_slice(&raw[line + 2..line + 2 + size]);
            raw.drain(..line + 2 + size + 2);
            if size == 0 {
                return Some(());
            }
        }
        while let Some(end) = find_pair(&body, b'\n', b'\n') {
            {
                let frame = &body[..end];
                let mut name: &[u8] = b"";
                let mut data: &[u8] = b"";
                for line in frame.split(|b| *b == b'\n') {
                    if let Some(v) = line.strip_prefix(b"event: ") {
                        name = v;
                    } else if let Some(v) = line.strip_prefix(b"data: ") {
                        data = v;
                    }
                }
                match name {
                    b"snapshot" | b"resync" => {
                        let snapshot: SnapshotData<'_> = serde_json::from_slice(data).unwrap();
                        for song in snapshot.setlists.iter().flat_map(|s| &s.songs) {
                            // A resync carries versions already counted or skipped: no latency.
                            view.apply(song, &plan, None, now_us);
                        }
                        if !snapshot_seen {
                            snapshot_seen = true;
                            ready.fetch_add(1, Ordering::AcqRel);
                            permit.take();
                        }
                    }
                    b"votes" => {
                        let mut hist = hist.borrow_mut();
                        for song in scan_votes(data) {
                            view.apply(&song, &plan, Some(&mut hist), now_us);
                        }
                    }
                    _ => {}
                }
            }
            body.drain(..end + 2);
        }
    }
}

type Views = Vec<Rc<RefCell<View>>>;
/// Per stream: its counts (up, down, version) per song at the end, and whether it ended early.
type Ends = Vec<(Vec<(i64, i64, i64)>, bool)>;

/// The subscribers, spread over single-threaded runtimes (each with its own histogram).
struct Fleet {
    threads: Vec<std::thread::JoinHandle<(Histogram, Ends)>>,
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
                    let hist = Rc::new(RefCell::new(Histogram::new()));
                    let mut views: Views = Vec::new();
                    for _ in 0..count {
                        let view = Rc::new(RefCell::new(View {
                            held: vec![(0, 0, -1); plan.base_version.len()],
                            ended: false,
                        }));
                        views.push(view.clone());
                        tokio::task::spawn_local(subscriber(
                            addr.clone(),
                            path.clone(),
                            plan.clone(),
                            hist.clone(),
                            ready.clone(),
                            connects.clone(),
                            view,
                        ));
                    }
                    while !stop.load(Ordering::Relaxed) {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    let hist = hist.borrow().clone();
                    let views = views
                        .iter()
                        .map(|v| {
                            let v = v.borrow();
                            (v.held.clone(), v.ended)
                        })
                        .collect();
                    (hist, views)
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
    fn finish(self, finals: &[(String, i64, i64)]) -> (Histogram, usize, usize) {
        self.stop.store(true, Ordering::Relaxed);
        let mut hist = Histogram::new();
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
    let base_version = {
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
    let vote_ms = Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut voters = Vec::new();
    for (i, (song, _, _)) in songs.iter().enumerate() {
        let (http, plan, sent, vote_ms, secret, base) = (
            http.clone(),
            plan.clone(),
            sent.clone(),
            vote_ms.clone(),
            secret.clone(),
            args.base.clone(),
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
                let token = token(&secret);
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
    let (hist, holding, streams) = fleet.finish(&finals);
    let mut vote_ms = vote_ms.lock().unwrap().clone();
    vote_ms.sort_by(f64::total_cmp);
    let pct = |v: &[f64], p: f64| v[((v.len() as f64 * p).ceil() as usize).clamp(1, v.len()) - 1];
    println!(
        "RESULT subscribers={} streams_open={streams} votes={sent} vote_rate={:.0} deliveries={} p50_ms={:.1} p99_ms={:.1} max_ms={:.1} reply_p50_ms={:.1} reply_p99_ms={:.1} final_ok={holding} final_pct={:.2} vote_p50_ms={:.1} vote_p99_ms={:.1} connect_s={connect_s:.1} settle_s={:.1}",
        args.subscribers,
        sent as f64 / vote_s,
        hist.count,
        hist.percentile_ms(0.50),
        hist.percentile_ms(0.99),
        hist.max as f64 / 1000.0,
        hist.reply_percentile_ms(0.50),
        hist.reply_percentile_ms(0.99),
        100.0 * holding as f64 / args.subscribers as f64,
        pct(&vote_ms, 0.5),
        pct(&vote_ms, 0.99),
        settle.elapsed().as_secs_f64(),
    );
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
        let tokens: Vec<String> = (0..4).map(|_| token(&secret)).collect();
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
