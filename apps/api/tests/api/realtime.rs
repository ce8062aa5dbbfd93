//! Server-sent events over a real listening socket with a real HTTP client: a vote made with plain
//! SQL reaches the client after its snapshot, other shows never leak in, Last-Event-ID replays,
//! two API processes both deliver, a client that stops reading stalls nobody, the listener
//! recovers from pg_terminate_backend, heartbeats, and the error replies.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::time::Duration;

use crate::common::*;
use actix_web::HttpServer;
use actix_web::dev::ServerHandle;
use actix_web::web::Bytes;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use serde_json::Value;
use theset_api::AppState;
use theset_api::config::Config;
use theset_database::UserRole;
use theset_database::models::User;
use theset_database::testing::{TestDatabase, fixtures};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Serves the app on a free loopback port; returns its base URL.
pub(crate) fn serve(state: AppState) -> (String, ServerHandle) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = HttpServer::new(move || theset_api::app(state.clone()))
        .workers(2)
        .disable_signals()
        .shutdown_timeout(1)
        .listen(listener)
        .unwrap()
        .run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    (base, handle)
}

pub(crate) fn state(db: &TestDatabase, adjust: impl FnOnce(&mut Config)) -> AppState {
    let mut config = config(db);
    config.realtime.options.poll_interval = Duration::from_millis(10);
    config.realtime.options.coalesce_window = Duration::from_millis(20);
    adjust(&mut config);
    AppState::new(&config).unwrap()
}

pub(crate) fn http() -> reqwest::Client {
    // reqwest carries no crypto provider of its own (workspace Cargo.toml): ring, installed once.
    let _ = rustls::crypto::ring::default_provider().install_default();
    // Per read, not per request: an event stream lives as long as a test needs it (a loaded CI
    // machine took over a minute for the slow-reader test), but no read waits forever.
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .read_timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

#[derive(Debug, Clone)]
pub(crate) struct SseEvent {
    pub(crate) id: Option<String>,
    pub(crate) name: String,
    pub(crate) data: Value,
}

/// A minimal `text/event-stream` reader: frames end with a blank line; `id:`, `event:`,
/// `data:`, `retry:` fields and `:` comments.
pub(crate) struct Sse {
    body: BoxStream<'static, reqwest::Result<Bytes>>,
    buf: Vec<u8>,
    pub headers: reqwest::header::HeaderMap,
    comments: usize,
    retry: Option<u64>,
    /// Bytes of frames read so far.
    bytes: usize,
}

impl Sse {
    pub(crate) async fn open(url: &str, last_event_id: Option<&str>) -> Sse {
        let mut request = http().get(url).header("accept", "text/event-stream");
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200, "{url}: {:?}", response.status());
        let headers = response.headers().clone();
        Sse {
            body: response.bytes_stream().boxed(),
            buf: Vec::new(),
            headers,
            comments: 0,
            retry: None,
            bytes: 0,
        }
    }

    /// The next frame's text (without the blank line), waiting at most `limit`.
    pub(crate) async fn frame(&mut self, limit: Duration) -> Option<String> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            if let Some(end) = self.buf.windows(2).position(|w| w == b"\n\n") {
                let frame = String::from_utf8(self.buf[..end].to_vec()).unwrap();
                self.buf.drain(..end + 2);
                return Some(frame);
            }
            match tokio::time::timeout_at(deadline, self.body.next()).await {
                Ok(Some(chunk)) => self.buf.extend_from_slice(&chunk.unwrap()),
                Ok(None) | Err(_) => return None,
            }
        }
    }

    /// The next event (comments and `retry:` frames are counted and skipped).
    pub(crate) async fn next(&mut self) -> SseEvent {
        self.try_next(Duration::from_secs(10))
            .await
            .expect("no event within 10 s")
    }

    /// The next event within `limit`, if any.
    pub(crate) async fn try_next(&mut self, limit: Duration) -> Option<SseEvent> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let frame = self.frame(deadline - tokio::time::Instant::now()).await?;
            self.bytes += frame.len() + 2;
            let (mut id, mut name, mut data) = (None, None, None);
            for line in frame.lines() {
                if line.starts_with(':') {
                    self.comments += 1;
                } else if let Some(v) = line.strip_prefix("retry: ") {
                    self.retry = v.parse().ok();
                } else if let Some(v) = line.strip_prefix("id: ") {
                    id = Some(v.to_owned());
                } else if let Some(v) = line.strip_prefix("event: ") {
                    name = Some(v.to_owned());
                } else if let Some(v) = line.strip_prefix("data: ") {
                    data = Some(serde_json::from_str(v).unwrap());
                } else {
                    panic!("unexpected line {line:?}");
                }
            }
            if let (Some(name), Some(data)) = (name, data) {
                return Some(SseEvent { id, name, data });
            }
        }
    }
}

pub(crate) async fn sql(conn: &mut AsyncPgConnection, statement: &str) {
    diesel::sql_query(statement).execute(conn).await.unwrap();
}

/// Kills the realtime listener's database connection (it reconnects on its own).
pub(crate) async fn kill_listener(conn: &mut AsyncPgConnection) {
    sql(
        conn,
        &format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE application_name = '{}' AND datname = current_database()",
            theset_realtime::APPLICATION_NAME
        ),
    )
    .await;
}

pub(crate) async fn sql_vote(
    conn: &mut AsyncPgConnection,
    user: &User,
    song: impl std::fmt::Display,
    kind: &str,
) {
    sql(
        conn,
        &format!(
            "INSERT INTO votes (user_id, setlist_song_id, vote_type) VALUES ('{}', '{song}', '{kind}') \
             ON CONFLICT (user_id, setlist_song_id) DO UPDATE SET vote_type = EXCLUDED.vote_type",
            user.id
        ),
    )
    .await;
}

pub(crate) async fn api_vote(base: &str, user: &User, song: impl std::fmt::Display) -> Value {
    let response = http()
        .put(format!("{base}/v1/setlist-songs/{song}/vote"))
        .header("authorization", format!("Bearer {}", token_for(user)))
        .header("content-type", "application/json")
        .body(r#"{"vote_type":"up"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
}

pub(crate) fn songs_of(event: &SseEvent) -> Vec<Value> {
    assert_eq!(event.name, "votes", "{event:?}");
    event.data["songs"].as_array().unwrap().clone()
}

#[actix_web::test]
async fn a_plain_sql_vote_reaches_an_sse_client_after_its_snapshot() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, 3).await;
    let fan = fixtures::user(&mut conn, UserRole::User).await;
    let (base, _server) = serve(state(&db, |_| {}));

    // By slug: the snapshot first, with the show and its setlist.
    let mut sse = Sse::open(
        &format!("{base}/v1/shows/{}/events", sample.show.slug),
        None,
    )
    .await;
    assert_eq!(sse.headers["content-type"], "text/event-stream");
    assert_eq!(sse.headers["cache-control"], "no-cache");
    let snapshot = sse.next().await;
    assert_eq!(sse.retry, Some(2000));
    assert_eq!(snapshot.name, "snapshot");
    assert!(snapshot.id.is_some());
    assert_eq!(snapshot.data["show"]["slug"], sample.show.slug.as_str());
    assert_eq!(
        snapshot.data["setlists"][0]["songs"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let song = sample.setlist_songs[2].id;
    let mut by_song = Sse::open(&format!("{base}/v1/setlist-songs/{song}/events"), None).await;
    let first = by_song.next().await;
    assert_eq!(
        (first.name.as_str(), &first.data["upvotes"]),
        ("snapshot", &Value::from(0))
    );

    // A vote as psql would cast it.
    sql_vote(&mut conn, &fan, song, "down").await;
    let event = sse.next().await;
    let songs = songs_of(&event);
    assert_eq!(songs.len(), 1);
    assert_eq!(songs[0]["id"], song.to_string());
    assert_eq!(
        (
            &songs[0]["upvotes"],
            &songs[0]["downvotes"],
            &songs[0]["net_votes"]
        ),
        (&Value::from(0), &Value::from(1), &Value::from(-1))
    );
    assert!(songs[0]["version"].as_i64().unwrap() > 0);
    let event = by_song.next().await;
    assert_eq!(event.name, "votes");
    assert_eq!(event.data["downvotes"], 1);
    assert_ne!(event.id, first.id);
}

#[actix_web::test]
async fn events_of_other_shows_never_arrive() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let watched = fixtures::show(&mut conn, 2).await;
    let other = fixtures::show(&mut conn, 2).await;
    let fan = fixtures::user(&mut conn, UserRole::User).await;
    let (base, _server) = serve(state(&db, |_| {}));
    let mut sse = Sse::open(&format!("{base}/v1/shows/{}/events", watched.show.id), None).await;
    assert_eq!(sse.next().await.name, "snapshot");

    for song in &other.setlist_songs {
        api_vote(&base, &fan, song.id).await;
    }
    sql(
        &mut conn,
        &format!(
            "UPDATE setlist_songs SET is_played = true WHERE setlist_id = '{}'",
            other.setlist.id
        ),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mine = watched.setlist_songs[1].id;
    api_vote(&base, &fan, mine).await;
    let event = sse.next().await;
    let songs = songs_of(&event);
    assert_eq!(songs.len(), 1);
    assert_eq!(songs[0]["id"], mine.to_string());
}

#[actix_web::test]
async fn last_event_id_replays_missed_events_or_resyncs() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, 1).await;
    let song = sample.setlist_songs[0].id;
    let (base, _server) = serve(state(&db, |_| {}));
    let url = format!("{base}/v1/setlist-songs/{song}/events");

    let mut sse = Sse::open(&url, None).await;
    // Another client stays, to tell when each change has gone out.
    let mut watcher = Sse::open(&url, None).await;
    sse.next().await;
    watcher.next().await;
    let fan = fixtures::user(&mut conn, UserRole::User).await;
    sql_vote(&mut conn, &fan, song, "up").await;
    let seen = sse.next().await;
    watcher.next().await;
    drop(sse);

    // Missed while away: two changes, each its own event.
    for kind in ["up", "down"] {
        let fan = fixtures::user(&mut conn, UserRole::User).await;
        sql_vote(&mut conn, &fan, song, kind).await;
        watcher.next().await;
    }

    // The browser's reconnection: Last-Event-ID names the last event it saw.
    let mut resumed = Sse::open(&url, seen.id.as_deref()).await;
    let missed = [resumed.next().await, resumed.next().await];
    assert!(missed.iter().all(|e| e.name == "votes"), "{missed:?}");
    assert_eq!(
        (&missed[1].data["upvotes"], &missed[1].data["downvotes"]),
        (&Value::from(2), &Value::from(1))
    );
    assert!(
        resumed.try_next(Duration::from_millis(300)).await.is_none(),
        "nothing else was missed"
    );
    // The query parameter does the same for clients that cannot set headers.
    let mut by_query = Sse::open(
        &format!("{url}?last_event_id={}", missed[0].id.as_deref().unwrap()),
        None,
    )
    .await;
    assert_eq!(by_query.next().await.id, missed[1].id);

    // An id this server no longer holds (or never issued): the state again.
    let mut stale = Sse::open(&url, Some("00000000-1")).await;
    let event = stale.next().await;
    assert_eq!(event.name, "resync");
    assert_eq!(event.data["reason"], "expired");
    assert_eq!(event.data["upvotes"], 2);
}

#[actix_web::test]
async fn two_api_processes_both_deliver_writes_made_through_either() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, 2).await;
    let (first, _a) = serve(state(&db, |_| {}));
    let (second, _b) = serve(state(&db, |_| {}));
    let path = format!("/v1/shows/{}/events", sample.show.id);
    let mut on_first = Sse::open(&format!("{first}{path}"), None).await;
    let mut on_second = Sse::open(&format!("{second}{path}"), None).await;
    on_first.next().await;
    on_second.next().await;

    for (through, song) in [
        (&first, sample.setlist_songs[0].id),
        (&second, sample.setlist_songs[1].id),
    ] {
        let fan = fixtures::user(&mut conn, UserRole::User).await;
        let reply = api_vote(through, &fan, song).await;
        for sse in [&mut on_first, &mut on_second] {
            let songs = songs_of(&sse.next().await);
            assert_eq!(songs[0]["id"], song.to_string());
            assert_eq!(songs[0]["upvotes"], reply["upvotes"]);
        }
    }
}

#[actix_web::test]
async fn a_client_that_stops_reading_does_not_stall_the_others() {
    const SONGS: usize = 300;
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, SONGS).await;
    let (base, _server) = serve(state(&db, |c| c.realtime.options.client_buffer = 4));
    let path = format!("/v1/shows/{}/events", sample.show.id);

    // A client with a tiny receive window that stops reading after the request.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut stalled = socket
        .connect(base.trim_start_matches("http://").parse().unwrap())
        .await
        .unwrap();
    stalled
        .write_all(
            format!("GET {path} HTTP/1.1\r\nHost: test\r\nAccept: text/event-stream\r\n\r\n")
                .as_bytes(),
        )
        .await
        .unwrap();
    let mut reader = Sse::open(&format!("{base}{path}"), None).await;
    reader.next().await;
    // The reader keeps reading, counting bytes, until every song holds the final count (known
    // once the votes stop).
    let received = Arc::new(AtomicUsize::new(0));
    let target = Arc::new(AtomicI64::new(i64::MAX));
    let reading = {
        let (received, target) = (received.clone(), target.clone());
        actix_web::rt::spawn(async move {
            let mut last = Vec::new();
            loop {
                if let Some(event) = reader.try_next(Duration::from_millis(200)).await {
                    last = songs_of(&event);
                    received.store(reader.bytes, Ordering::SeqCst);
                }
                let goal = AtomicI64::load(&target, Ordering::SeqCst);
                if last.len() == SONGS && last.iter().all(|s| s["upvotes"] == goal) {
                    return reader.bytes;
                }
            }
        })
    };
    // Rounds that each vote on every song in one statement (events of about 60 KB), until the
    // reader has received more than the stalled client's socket buffers (4 MB at most here) and
    // its bounded buffer could hold.
    let mut rounds = 0;
    while AtomicUsize::load(&received, Ordering::SeqCst) < 6_000_000 {
        let fan = fixtures::user(&mut conn, UserRole::User).await;
        sql(
            &mut conn,
            &format!(
                "INSERT INTO votes (user_id, setlist_song_id, vote_type) \
                 SELECT '{}', id, 'up' FROM setlist_songs WHERE setlist_id = '{}'",
                fan.id, sample.setlist.id
            ),
        )
        .await;
        rounds += 1;
        assert!(rounds < 2_000, "the reader is not receiving");
    }
    target.store(rounds, Ordering::SeqCst);
    let sent = tokio::time::timeout(Duration::from_secs(60), reading)
        .await
        .expect("the reading client was held up")
        .unwrap();

    // Reading at last, it gets the current state instead of an unbounded backlog.
    let mut text = Vec::new();
    let mut chunk = [0_u8; 65536];
    while !String::from_utf8_lossy(&text).contains("\"reason\":\"lagged\"") {
        match tokio::time::timeout(Duration::from_secs(10), stalled.read(&mut chunk)).await {
            Ok(Ok(n)) if n > 0 => text.extend_from_slice(&chunk[..n]),
            other => panic!("no resync reached the stalled client: {other:?}"),
        }
    }
    assert!(String::from_utf8_lossy(&text).contains("event: resync\ndata: {\"reason\":\"lagged\""));
    assert!(
        text.len() < sent,
        "the stalled client got less than everything"
    );
}

#[actix_web::test]
async fn the_listener_recovers_after_pg_terminate_backend() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, 2).await;
    let fan = fixtures::user(&mut conn, UserRole::User).await;
    let (base, _server) = serve(state(&db, |_| {}));
    let mut sse = Sse::open(&format!("{base}/v1/shows/{}/events", sample.show.id), None).await;
    sse.next().await;

    kill_listener(&mut conn).await;
    let event = sse.next().await;
    assert_eq!(event.name, "resync");
    assert_eq!(event.data["reason"], "reconnected");
    sql_vote(&mut conn, &fan, sample.setlist_songs[0].id, "up").await;
    let songs = songs_of(&sse.next().await);
    assert_eq!(songs[0]["upvotes"], 1);
}

#[actix_web::test]
async fn idle_streams_get_heartbeat_comments() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, 1).await;
    let (base, _server) = serve(state(&db, |c| {
        c.realtime.heartbeat = Duration::from_secs(1)
    }));
    let mut sse = Sse::open(
        &format!(
            "{base}/v1/setlist-songs/{}/events",
            sample.setlist_songs[0].id
        ),
        None,
    )
    .await;
    sse.next().await;
    // A comment for every period in which nothing was sent: none in the first (the snapshot went
    // out), then one a second.
    assert!(sse.try_next(Duration::from_millis(3500)).await.is_none());
    assert!(sse.comments >= 2, "heartbeats: {}", sse.comments);
}

#[actix_web::test]
async fn bad_requests_are_problems_and_realtime_can_be_switched_off() {
    let db = TestDatabase::new().await;
    let (base, _server) = serve(state(&db, |_| {}));
    let get = |path: String| {
        let base = base.clone();
        async move {
            let response = http().get(format!("{base}{path}")).send().await.unwrap();
            let status = response.status().as_u16();
            let body: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
            (status, body)
        }
    };
    let (status, body) = get("/v1/shows/no-such-show/events".into()).await;
    assert_eq!(
        (status, body["detail"].as_str()),
        (404, Some("no such show"))
    );
    let (status, body) = get(format!("/v1/setlist-songs/{}/events", uuid::Uuid::new_v4())).await;
    assert_eq!(
        (status, body["detail"].as_str()),
        (404, Some("no such setlist song"))
    );
    let (status, body) = get("/v1/setlist-songs/42/events".into()).await;
    assert_eq!(status, 400);
    assert!(body["detail"].as_str().unwrap().starts_with("id:"));
    let (status, body) = get(format!(
        "/v1/setlist-songs/{}/events?bogus=1",
        uuid::Uuid::new_v4()
    ))
    .await;
    assert_eq!(status, 400);
    assert!(body["detail"].as_str().unwrap().contains("bogus"), "{body}");

    let (off, _off_server) = serve(state(&db, |c| c.realtime.enabled = false));
    let response = http()
        .get(format!("{off}/v1/shows/anything/events"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));
}

/// Checks an event's data against the schema the document names for it (`x-theset-events` of
/// the stream's operation), resolving references within the document.
fn assert_documented(stream_path: &str, event: &SseEvent) {
    let document: Value = serde_json::from_str(theset_api::openapi::document()).unwrap();
    let schema_ref = document["paths"][stream_path]["get"]["x-theset-events"][&event.name].clone();
    assert!(
        schema_ref.is_object(),
        "{stream_path}: event {} is not documented",
        event.name
    );
    // The document as the root, so that `#/components/schemas/...` references resolve.
    let mut root = document;
    let map = root.as_object_mut().unwrap();
    map.insert("$ref".to_owned(), schema_ref["$ref"].clone());
    let validator = jsonschema::draft202012::new(&root).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&event.data)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{stream_path} {}: {errors:?}\n{}",
        event.name,
        event.data
    );
}

/// `played` and `scored` are checked by their own tests' shapes (apps/api/tests/api/predictions.rs);
/// every other event of both streams is produced here.
#[actix_web::test]
async fn every_event_matches_the_schema_the_document_names_for_it() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, 2).await;
    let fan = fixtures::user(&mut conn, UserRole::User).await;
    let (base, _server) = serve(state(&db, |_| {}));
    let shows = "/v1/shows/{key}/events";
    let songs = "/v1/setlist-songs/{id}/events";
    let song = sample.setlist_songs[0].id;
    let mut show_stream = Sse::open(
        &format!("{base}/v1/shows/{}/events", sample.show.slug),
        None,
    )
    .await;
    let mut song_stream = Sse::open(&format!("{base}/v1/setlist-songs/{song}/events"), None).await;
    let mut seen = std::collections::BTreeSet::new();
    let mut check = |path: &str, event: SseEvent| {
        assert_documented(path, &event);
        seen.insert(format!("{path} {}", event.name));
    };
    check(shows, show_stream.next().await);
    check(songs, song_stream.next().await);

    sql_vote(&mut conn, &fan, song, "up").await;
    check(shows, show_stream.next().await);
    check(songs, song_stream.next().await);

    // A setlist change, a header change, a setlist removed; then the song and the show gone.
    sql(
        &mut conn,
        &format!(
            "UPDATE setlist_songs SET notes = 'opener' WHERE id = '{}'",
            sample.setlist_songs[1].id
        ),
    )
    .await;
    check(shows, show_stream.next().await);
    sql(
        &mut conn,
        &format!(
            "UPDATE shows SET name = 'Renamed Show' WHERE id = '{}'",
            sample.show.id
        ),
    )
    .await;
    check(shows, show_stream.next().await);
    sql(
        &mut conn,
        &format!("DELETE FROM setlist_songs WHERE id = '{song}'"),
    )
    .await;
    check(songs, song_stream.next().await);
    check(shows, show_stream.next().await);
    sql(
        &mut conn,
        &format!("DELETE FROM setlists WHERE id = '{}'", sample.setlist.id),
    )
    .await;
    check(shows, show_stream.next().await);
    sql(
        &mut conn,
        &format!("DELETE FROM shows WHERE id = '{}'", sample.show.id),
    )
    .await;
    check(shows, show_stream.next().await);

    // Stale ids: the resync of each stream.
    let other = fixtures::show(&mut conn, 1).await;
    let mut resumed = Sse::open(
        &format!("{base}/v1/shows/{}/events", other.show.slug),
        Some("00000000-1"),
    )
    .await;
    check(shows, resumed.next().await);
    let mut resumed = Sse::open(
        &format!(
            "{base}/v1/setlist-songs/{}/events",
            other.setlist_songs[0].id
        ),
        Some("00000000-1"),
    )
    .await;
    check(songs, resumed.next().await);

    for event in [
        "snapshot",
        "votes",
        "setlist",
        "show",
        "setlist_removed",
        "removed",
        "resync",
    ] {
        assert!(
            seen.contains(&format!("{shows} {event}")),
            "{event}: {seen:?}"
        );
    }
    for event in ["snapshot", "votes", "removed", "resync"] {
        assert!(
            seen.contains(&format!("{songs} {event}")),
            "{event}: {seen:?}"
        );
    }
}
