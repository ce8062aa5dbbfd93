//! Event streams under abuse, faults and several processes: a cap per client address (429), a
//! stream lifetime after which the client resumes with nothing lost, a client whose socket does
//! not drain losing its slot, `Last-Event-ID` resumed on another API process from the vote log
//! (or a resync past the retention), and every stream ending on the final counts while the
//! listener's connection is killed under votes.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::realtime::{Sse, api_vote, http, kill_listener, serve, songs_of, sql, sql_vote, state};
use diesel_async::RunQueryDsl;
use serde_json::Value;
use theset_database::UserRole;
use theset_database::testing::{TestDatabase, fixtures};
use tokio::io::AsyncWriteExt;

async fn status_of(url: &str) -> (u16, Option<String>, Value) {
    let response = http().get(url).send().await.unwrap();
    let status = response.status().as_u16();
    let retry = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap_or(Value::Null);
    (status, retry, body)
}

#[actix_web::test]
async fn streams_per_client_address_are_capped_with_429() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, 1).await;
    let (base, _server) = serve(state(&db, |c| {
        c.realtime.max_streams_per_client = 2;
        // A closed connection is noticed at the next write.
        c.realtime.heartbeat = Duration::from_secs(1);
    }));
    let url = format!(
        "{base}/v1/setlist-songs/{}/events",
        sample.setlist_songs[0].id
    );
    let mut first = Sse::open(&url, None).await;
    let mut second = Sse::open(&url, None).await;
    first.next().await;
    second.next().await;
    let (status, retry, body) = status_of(&url).await;
    assert_eq!(status, 429, "{body}");
    assert!(retry.is_some());
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("per client address")
    );
    // A show's stream counts against the same share.
    let (status, ..) = status_of(&format!("{base}/v1/shows/{}/events", sample.show.id)).await;
    assert_eq!(status, 429);
    // Closing one frees its slot.
    drop(first);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let response = http().get(&url).send().await.unwrap();
        if response.status() == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "the slot was never freed");
    }
}

#[actix_web::test]
async fn a_stream_ends_after_its_lifetime_and_resumes_with_nothing_lost() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, 1).await;
    let song = sample.setlist_songs[0].id;
    let (base, _server) = serve(state(&db, |c| {
        c.realtime.max_stream_lifetime = Duration::from_secs(2)
    }));
    let url = format!("{base}/v1/setlist-songs/{song}/events");
    let mut sse = Sse::open(&url, None).await;
    let opened = Instant::now();
    assert_eq!(sse.next().await.name, "snapshot");
    let fan = fixtures::user(&mut conn, UserRole::User).await;
    sql_vote(&mut conn, &fan, song, "up").await;
    let seen = sse.next().await;
    assert_eq!(seen.data["upvotes"], 1);
    // The server closes the stream cleanly after its lifetime (a tenth less at most).
    assert!(sse.try_next(Duration::from_secs(10)).await.is_none());
    let lived = opened.elapsed();
    assert!(
        lived >= Duration::from_millis(1_700) && lived < Duration::from_secs(6),
        "{lived:?}"
    );
    // Votes while the client reconnects.
    for kind in ["up", "down"] {
        let fan = fixtures::user(&mut conn, UserRole::User).await;
        sql_vote(&mut conn, &fan, song, kind).await;
    }
    let mut resumed = Sse::open(&url, seen.id.as_deref()).await;
    let mut last = resumed.next().await;
    while last.data["downvotes"] != 1 {
        assert_eq!(last.name, "votes", "{last:?}");
        last = resumed.next().await;
    }
    assert_eq!(last.name, "votes");
    assert_eq!(
        (&last.data["upvotes"], &last.data["downvotes"]),
        (&Value::from(2), &Value::from(1))
    );
}

#[actix_web::test]
async fn a_stream_whose_socket_does_not_drain_loses_its_slot() {
    const SONGS: usize = 300;
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, SONGS).await;
    let (base, _server) = serve(state(&db, |c| {
        c.realtime.max_streams_per_client = 1;
        c.realtime.heartbeat = Duration::from_secs(1);
        c.realtime.write_timeout = Duration::from_secs(1);
        c.realtime.options.client_buffer = 4;
    }));
    let path = format!("/v1/shows/{}/events", sample.show.id);
    // A client with a tiny receive window that never reads.
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
    tokio::time::sleep(Duration::from_millis(300)).await;
    let url = format!("{base}{path}");
    assert_eq!(
        status_of(&url).await.0,
        429,
        "the stalled stream holds the only slot"
    );
    // Events of about 60 KB each (every song voted in one statement) fill its socket; then it
    // is not polled any more, and the sweeper frees the slot.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
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
        tokio::time::sleep(Duration::from_millis(30)).await;
        let response = http().get(&url).send().await.unwrap();
        if response.status() == 200 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the stalled stream kept its slot"
        );
    }
    drop(stalled);
}

/// The counts of every song a show stream has reported, by the highest version seen.
fn fold(counts: &mut HashMap<String, (i64, Value)>, event: &crate::realtime::SseEvent) {
    let songs: Vec<Value> = match event.name.as_str() {
        "votes" => songs_of(event),
        "snapshot" | "resync" => event.data["setlists"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|l| l["songs"].as_array().unwrap().clone())
            .collect(),
        _ => return,
    };
    for song in songs {
        let version = song["version"].as_i64().unwrap();
        let id = song["id"].as_str().unwrap().to_owned();
        if counts.get(&id).is_none_or(|(v, _)| *v < version) {
            counts.insert(id, (version, song["upvotes"].clone()));
        }
    }
}

#[actix_web::test]
async fn last_event_id_resumes_on_another_process_from_the_vote_log() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, 3).await;
    let (first, _a) = serve(state(&db, |_| {}));
    let (second, _b) = serve(state(&db, |_| {}));
    let path = format!("/v1/shows/{}/events", sample.show.id);
    // The second process follows the show already (its topic is not new).
    let mut watcher = Sse::open(&format!("{second}{path}"), None).await;
    watcher.next().await;

    let mut on_first = Sse::open(&format!("{first}{path}"), None).await;
    on_first.next().await;
    let fan = fixtures::user(&mut conn, UserRole::User).await;
    api_vote(&first, &fan, sample.setlist_songs[0].id).await;
    let seen = on_first.next().await;
    assert_eq!(songs_of(&seen)[0]["upvotes"], 1);
    watcher.next().await;
    drop(on_first);

    // Missed while away: a vote on the second and third songs.
    for song in [&sample.setlist_songs[1], &sample.setlist_songs[2]] {
        let fan = fixtures::user(&mut conn, UserRole::User).await;
        api_vote(&second, &fan, song.id).await;
    }
    // On the other process: exactly the songs changed since, at their counts; no snapshot.
    let mut resumed = Sse::open(&format!("{second}{path}"), seen.id.as_deref()).await;
    let mut missed = HashMap::new();
    let wanted = |m: &HashMap<String, (Value, Value)>| {
        sample.setlist_songs[1..]
            .iter()
            .all(|s| m.contains_key(&s.id.to_string()))
    };
    while !wanted(&missed) {
        let event = resumed.next().await;
        assert_eq!(event.name, "votes", "{event:?}");
        for song in songs_of(&event) {
            missed.insert(
                song["id"].as_str().unwrap().to_owned(),
                (song["upvotes"].clone(), song["version"].clone()),
            );
        }
    }
    for song in &sample.setlist_songs[1..] {
        assert_eq!(missed[&song.id.to_string()].0, 1);
    }
    // The horizon may be older than the client's last vote (a transaction was running when the
    // listener read): then that song comes again, at the version the client holds; never older.
    let before = &songs_of(&seen)[0];
    if let Some((upvotes, version)) = missed.get(before["id"].as_str().unwrap()) {
        assert_eq!((upvotes, version), (&before["upvotes"], &before["version"]));
    }
    // Later events are this process's own (the same counts again, at most).
    while let Some(event) = resumed.try_next(Duration::from_millis(300)).await {
        for song in songs_of(&event) {
            assert_eq!(song["upvotes"], 1, "{event:?}");
        }
    }

    // A structural change since the id: the state again.
    while watcher.try_next(Duration::from_millis(300)).await.is_some() {}
    sql(
        &mut conn,
        &format!(
            "UPDATE setlist_songs SET is_played = true WHERE id = '{}'",
            sample.setlist_songs[0].id
        ),
    )
    .await;
    let changed = watcher.next().await;
    assert_eq!(changed.name, "setlist");
    let (third, _c) = serve(state(&db, |_| {}));
    let mut after_change = Sse::open(&format!("{third}{path}"), seen.id.as_deref()).await;
    let event = after_change.next().await;
    assert_eq!(
        (event.name.as_str(), &event.data["reason"]),
        ("resync", &Value::from("expired"))
    );

    // Past the retention: a resync, never a silent gap.
    let (fourth, _d) = serve(state(&db, |c| {
        c.realtime.options.replay_window = Duration::from_millis(500)
    }));
    let latest = changed.id.clone();
    tokio::time::sleep(Duration::from_millis(800)).await;
    let mut late = Sse::open(&format!("{fourth}{path}"), latest.as_deref()).await;
    let event = late.next().await;
    assert_eq!(
        (event.name.as_str(), &event.data["reason"]),
        ("resync", &Value::from("expired"))
    );
}

#[actix_web::test]
async fn every_stream_ends_on_the_final_counts_when_the_listener_is_killed_under_votes() {
    const STREAMS: usize = 4;
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, 3).await;
    let (base, _server) = serve(state(&db, |_| {}));
    let url = format!("{base}/v1/shows/{}/events", sample.show.id);
    let mut streams = Vec::new();
    for _ in 0..STREAMS {
        let mut sse = Sse::open(&url, None).await;
        let mut counts = HashMap::new();
        fold(&mut counts, &sse.next().await);
        streams.push((sse, counts));
    }
    let voting = {
        let mut conn = db.conn().await;
        let songs: Vec<_> = sample.setlist_songs.iter().map(|s| s.id).collect();
        actix_web::rt::spawn(async move {
            for i in 0..60 {
                let fan = fixtures::user(&mut conn, UserRole::User).await;
                sql_vote(&mut conn, &fan, songs[i % songs.len()], "up").await;
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
    };
    // Kill the listener's connection twice while the votes arrive.
    for _ in 0..2 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        kill_listener(&mut conn).await;
    }
    voting.await.unwrap();
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        id: String,
        #[diesel(sql_type = diesel::sql_types::Integer)]
        upvotes: i32,
    }
    let rows: Vec<Row> = diesel::sql_query(format!(
        "SELECT id::text AS id, upvotes FROM setlist_songs WHERE setlist_id = '{}'",
        sample.setlist.id
    ))
    .load(&mut conn)
    .await
    .unwrap();
    let expected: HashMap<String, Value> = rows
        .into_iter()
        .map(|r| (r.id, Value::from(r.upvotes)))
        .collect();
    assert_eq!(
        expected.values().map(|v| v.as_i64().unwrap()).sum::<i64>(),
        60
    );
    for (sse, counts) in &mut streams {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let now: HashMap<String, Value> = counts
                .iter()
                .map(|(k, (_, v))| (k.clone(), v.clone()))
                .collect();
            if now == expected {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "stuck at {now:?}, expected {expected:?}"
            );
            if let Some(event) = sse.try_next(Duration::from_millis(500)).await {
                fold(counts, &event);
            }
        }
    }
}
