//! Realtime streams against a real PostgreSQL: writes made with plain SQL (as psql would) reach
//! subscribers, streams stay within their show, coalescing ends on the final counts, held changes
//! go out when their window closes, the listener recovers from pg_terminate_backend,
//! Last-Event-ID replays, laggards get a resync, structural changes arrive as setlist events.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Integer};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use futures_util::StreamExt;
use theset_database::enums::UserRole;
use theset_database::ids::{SetlistSongId, ShowId, UserId};
use theset_database::testing::{TestDatabase, fixtures};
use theset_realtime::{
    Event, Realtime, RealtimeOptions, ResyncReason, ShowEvent, SongEvent, SongVotes, Subscription,
    Update,
};

fn options() -> RealtimeOptions {
    RealtimeOptions {
        poll_interval: Duration::from_millis(10),
        coalesce_window: Duration::from_millis(30),
        ..RealtimeOptions::default()
    }
}

fn start(db: &TestDatabase, options: RealtimeOptions) -> Realtime {
    Realtime::start(db.config_as("theset_api"), options).unwrap()
}

async fn next<E: Event>(sub: &mut Subscription<E>) -> Arc<Update<E>> {
    tokio::time::timeout(Duration::from_secs(10), sub.next())
        .await
        .expect("no event within 10 s")
        .expect("the stream ended")
}

/// A vote as psql would write it: a plain INSERT ... ON CONFLICT as the owner.
async fn vote(conn: &mut AsyncPgConnection, user: UserId, song: SetlistSongId, kind: &str) {
    diesel::sql_query(format!(
        "INSERT INTO votes (user_id, setlist_song_id, vote_type) VALUES ('{user}', '{song}', '{kind}') \
         ON CONFLICT (user_id, setlist_song_id) DO UPDATE SET vote_type = EXCLUDED.vote_type"
    ))
    .execute(conn)
    .await
    .unwrap();
}

async fn sql(conn: &mut AsyncPgConnection, statement: &str) {
    diesel::sql_query(statement).execute(conn).await.unwrap();
}

/// Several statements in one go, as psql sends a script.
async fn script(conn: &mut AsyncPgConnection, statements: &str) {
    use diesel_async::SimpleAsyncConnection;
    conn.batch_execute(statements).await.unwrap();
}

#[derive(QueryableByName, Debug, PartialEq, Eq, Clone, Copy)]
struct Counts {
    #[diesel(sql_type = Integer)]
    upvotes: i32,
    #[diesel(sql_type = Integer)]
    downvotes: i32,
    #[diesel(sql_type = BigInt)]
    vote_version: i64,
}

async fn counts(conn: &mut AsyncPgConnection, song: SetlistSongId) -> Counts {
    diesel::sql_query(format!(
        "SELECT upvotes, downvotes, vote_version FROM setlist_songs WHERE id = '{song}'"
    ))
    .get_result(conn)
    .await
    .unwrap()
}

fn votes_of(update: &Update<ShowEvent>) -> Vec<SongVotes> {
    match &update.event {
        ShowEvent::Votes(songs) => songs.to_vec(),
        _ => Vec::new(),
    }
}

/// Reads until an update satisfies `done`, returning everything read.
async fn until<E: Event>(
    sub: &mut Subscription<E>,
    mut done: impl FnMut(&Update<E>) -> bool,
) -> Vec<Arc<Update<E>>> {
    let mut seen = Vec::new();
    loop {
        let update = next(sub).await;
        let stop = done(&update);
        seen.push(update);
        if stop {
            return seen;
        }
    }
}

#[tokio::test]
async fn a_plain_sql_vote_reaches_show_and_song_streams_after_a_snapshot() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, 3).await;
    let fan = fixtures::user(&mut conn, UserRole::User).await;
    let song = sample.setlist_songs[1].id;
    let realtime = start(&db, options());

    let mut show_stream = realtime
        .subscribe_to_setlist_updates(sample.show.id)
        .await
        .unwrap();
    let mut song_stream = realtime.subscribe_to_vote_updates(song).await.unwrap();
    let ShowEvent::Snapshot(state) = &next(&mut show_stream).await.event else {
        panic!("the show stream must begin with a snapshot");
    };
    assert_eq!(state.show.id, sample.show.id);
    assert_eq!(state.setlists.len(), 1);
    assert_eq!(state.setlists[0].songs.len(), 3);
    assert_eq!(state.setlists[0].songs[1].id, song);
    let snapshot_version = state.setlists[0].songs[1].version;
    let SongEvent::Snapshot(held) = next(&mut song_stream).await.event else {
        panic!("the song stream must begin with a snapshot");
    };
    assert_eq!((held.upvotes, held.downvotes), (0, 0));

    vote(&mut conn, fan.id, song, "up").await;

    let update = next(&mut show_stream).await;
    let votes = votes_of(&update);
    assert_eq!(votes.len(), 1, "{update:?}");
    assert_eq!(votes[0].setlist_song_id, song);
    assert_eq!(
        (votes[0].upvotes, votes[0].downvotes, votes[0].net_votes),
        (1, 0, 1)
    );
    assert!(votes[0].version > snapshot_version);
    let SongEvent::Votes(now) = next(&mut song_stream).await.event else {
        panic!("expected votes");
    };
    assert_eq!((now.upvotes, now.downvotes, now.net_votes), (1, 0, 1));
    assert_eq!(now.version, counts(&mut conn, song).await.vote_version);

    // Changing direction: full counts again, newer version.
    vote(&mut conn, fan.id, song, "down").await;
    let SongEvent::Votes(changed) = next(&mut song_stream).await.event else {
        panic!("expected votes");
    };
    assert_eq!(
        (changed.upvotes, changed.downvotes, changed.net_votes),
        (0, 1, -1)
    );
    assert!(changed.version > now.version);
    let frame = String::from_utf8(next(&mut show_stream).await.sse().to_vec()).unwrap();
    assert!(frame.contains("event: votes\n"), "{frame}");
    assert!(frame.contains("\"downvotes\":1"), "{frame}");
}

#[tokio::test]
async fn events_of_other_shows_never_arrive() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let watched = fixtures::show(&mut conn, 2).await;
    let other = fixtures::show(&mut conn, 2).await;
    let fan = fixtures::user(&mut conn, UserRole::User).await;
    let realtime = start(&db, options());
    let mut stream = realtime
        .subscribe_to_setlist_updates(watched.show.id)
        .await
        .unwrap();
    next(&mut stream).await;

    // Busy elsewhere: votes, a lock, a status change on the other show.
    for song in &other.setlist_songs {
        vote(&mut conn, fan.id, song.id, "up").await;
    }
    sql(
        &mut conn,
        &format!(
            "UPDATE setlists SET is_locked = true WHERE id = '{}'",
            other.setlist.id
        ),
    )
    .await;
    sql(
        &mut conn,
        &format!(
            "UPDATE shows SET status = 'cancelled' WHERE id = '{}'",
            other.show.id
        ),
    )
    .await;
    // Then one vote here: it must be the first thing this stream sees.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mine = watched.setlist_songs[0].id;
    vote(&mut conn, fan.id, mine, "up").await;
    let update = next(&mut stream).await;
    assert_eq!(
        votes_of(&update)
            .iter()
            .map(|v| v.setlist_song_id)
            .collect::<Vec<_>>(),
        [mine],
        "{update:?}"
    );
    let frame = String::from_utf8(update.sse().to_vec()).unwrap();
    for foreign in [other.show.id.to_string(), other.setlist.id.to_string()] {
        assert!(!frame.contains(&foreign));
    }
}

#[tokio::test]
async fn coalesced_bursts_always_end_on_the_final_counts() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, 3).await;
    let mut fans = Vec::new();
    for _ in 0..12 {
        fans.push(fixtures::user(&mut conn, UserRole::User).await);
    }
    let songs: Vec<SetlistSongId> = sample.setlist_songs.iter().map(|s| s.id).collect();
    let realtime = start(&db, options());
    let mut stream = realtime
        .subscribe_to_setlist_updates(sample.show.id)
        .await
        .unwrap();
    let ShowEvent::Snapshot(state) = &next(&mut stream).await.event else {
        panic!("snapshot first");
    };
    let mut held: std::collections::HashMap<SetlistSongId, (i32, i32, i64)> = state.setlists[0]
        .songs
        .iter()
        .map(|s| (s.id, (s.upvotes, s.downvotes, s.version)))
        .collect();

    // Six writers, each casting, changing and retracting votes as fast as they can.
    let mut writers = Vec::new();
    for (w, chunk) in fans.chunks(2).enumerate() {
        let db_conn = db.config().connect().await.unwrap();
        let users: Vec<UserId> = chunk.iter().map(|u| u.id).collect();
        let songs = songs.clone();
        writers.push(tokio::spawn(async move {
            let mut conn = db_conn;
            for round in 0..40_usize {
                let user = users[round % users.len()];
                let song = songs[(round + w) % songs.len()];
                if round % 5 == 4 {
                    sql(
                        &mut conn,
                        &format!("DELETE FROM votes WHERE user_id = '{user}' AND setlist_song_id = '{song}'"),
                    )
                    .await;
                } else {
                    vote(&mut conn, user, song, if round % 3 == 0 { "down" } else { "up" }).await;
                }
            }
        }));
    }
    for writer in writers {
        writer.await.unwrap();
    }
    let mut finals = std::collections::HashMap::new();
    for &song in &songs {
        let c = counts(&mut conn, song).await;
        finals.insert(song, (c.upvotes, c.downvotes, c.vote_version));
    }
    // Read until the stream holds exactly the database's counts.
    while held != finals {
        let update = next(&mut stream).await;
        let votes = votes_of(&update);
        let mut names: Vec<_> = votes.iter().map(|v| v.setlist_song_id).collect();
        names.sort();
        names.dedup();
        assert_eq!(
            names.len(),
            votes.len(),
            "a song twice in one event: {votes:?}"
        );
        for v in votes {
            let before = held[&v.setlist_song_id];
            assert!(
                v.version > before.2,
                "versions only grow: {v:?} after {before:?}"
            );
            assert_eq!(v.net_votes, v.upvotes - v.downvotes);
            held.insert(v.setlist_song_id, (v.upvotes, v.downvotes, v.version));
        }
    }
    assert_eq!(held, finals);
}

/// A change read while its topic's window is open goes out when the window closes, not at the
/// first log read after it: events stay at most one window apart. (Reads every 2 s and a 2.5 s
/// window: at the next read the second event would come 4 s after the first.)
#[tokio::test]
async fn a_held_change_goes_out_when_its_window_closes() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, 2).await;
    let fans = [
        fixtures::user(&mut conn, UserRole::User).await,
        fixtures::user(&mut conn, UserRole::User).await,
    ];
    let song = sample.setlist_songs[0].id;
    let window = Duration::from_millis(2_500);
    let realtime = start(
        &db,
        RealtimeOptions {
            poll_interval: Duration::from_secs(2),
            coalesce_window: window,
            ..RealtimeOptions::default()
        },
    );
    let mut stream = realtime
        .subscribe_to_setlist_updates(sample.show.id)
        .await
        .unwrap();
    next(&mut stream).await;

    vote(&mut conn, fans[0].id, song, "up").await;
    let first = until(&mut stream, |u| !votes_of(u).is_empty()).await;
    let first_at = std::time::Instant::now();
    assert_eq!(votes_of(first.last().unwrap())[0].upvotes, 1);
    // Committed at once, read at the next tick while the window is still open: held.
    vote(&mut conn, fans[1].id, song, "up").await;
    let second = until(&mut stream, |u| !votes_of(u).is_empty()).await;
    let apart = first_at.elapsed();
    assert_eq!(votes_of(second.last().unwrap())[0].upvotes, 2);
    assert!(
        apart >= window - Duration::from_millis(200),
        "coalesced: not before the window closes ({apart:?})"
    );
    assert!(
        apart < window + Duration::from_millis(900),
        "sent when the window closed, not at the next read ({apart:?})"
    );
}

#[tokio::test]
async fn the_listener_reconnects_after_pg_terminate_backend_and_resyncs() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, 2).await;
    let fan = fixtures::user(&mut conn, UserRole::User).await;
    let realtime = start(&db, options());
    let mut stream = realtime
        .subscribe_to_setlist_updates(sample.show.id)
        .await
        .unwrap();
    let snapshot = next(&mut stream).await;

    #[derive(QueryableByName)]
    struct Terminated {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let terminated: Terminated = diesel::sql_query(format!(
        "SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity \
         WHERE application_name = '{}' AND datname = current_database()",
        theset_realtime::APPLICATION_NAME
    ))
    .get_result(&mut conn)
    .await
    .unwrap();
    assert_eq!(terminated.n, 1, "one listener connection per process");
    // A vote while the listener is away: the resync carries it.
    let song = sample.setlist_songs[0].id;
    vote(&mut conn, fan.id, song, "up").await;

    let update = next(&mut stream).await;
    let ShowEvent::Resync { reason, state } = &update.event else {
        panic!("expected a resync, got {update:?}");
    };
    assert_eq!(*reason, ResyncReason::Reconnected);
    assert_eq!(state.setlists[0].songs[0].upvotes, 1);
    assert_ne!(
        update.id.to_string().split('-').next(),
        snapshot.id.to_string().split('-').next(),
        "a new listener generation"
    );
    // And it keeps delivering.
    vote(&mut conn, fan.id, sample.setlist_songs[1].id, "down").await;
    let votes = votes_of(&*next(&mut stream).await);
    assert_eq!(votes.len(), 1);
    assert_eq!(votes[0].downvotes, 1);
}

#[tokio::test]
async fn last_event_id_replays_what_was_missed_or_resyncs() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, 1).await;
    let fans = [
        fixtures::user(&mut conn, UserRole::User).await,
        fixtures::user(&mut conn, UserRole::User).await,
        fixtures::user(&mut conn, UserRole::User).await,
    ];
    let song = sample.setlist_songs[0].id;
    let realtime = start(&db, options());
    let mut stream = realtime.subscribe_to_vote_updates(song).await.unwrap();
    // Another subscriber stays, to tell when each change has gone out.
    let mut watcher = realtime.subscribe_to_vote_updates(song).await.unwrap();
    next(&mut stream).await;
    next(&mut watcher).await;
    vote(&mut conn, fans[0].id, song, "up").await;
    let first = next(&mut stream).await;
    next(&mut watcher).await;
    drop(stream);

    // Missed while away: two changes, each its own update.
    vote(&mut conn, fans[1].id, song, "up").await;
    next(&mut watcher).await;
    vote(&mut conn, fans[2].id, song, "down").await;
    next(&mut watcher).await;
    let finals = counts(&mut conn, song).await;

    let mut resumed = realtime
        .resume_vote_updates(song, &first.id.to_string())
        .await
        .unwrap();
    let replayed = until(&mut resumed, |u| match u.event {
        SongEvent::Votes(v) => v.version == finals.vote_version,
        _ => false,
    })
    .await;
    assert_eq!(replayed.len(), 2, "the two missed updates: {replayed:?}");
    assert!(
        replayed
            .iter()
            .all(|u| matches!(u.event, SongEvent::Votes(_))
                && u.id.epoch() == first.id.epoch()
                && u.id.seq() > first.id.seq()),
        "only the missed events, no snapshot: {replayed:?}"
    );
    let SongEvent::Votes(last) = replayed.last().unwrap().event else {
        unreachable!()
    };
    assert_eq!(
        (last.upvotes, last.downvotes),
        (finals.upvotes, finals.downvotes)
    );

    // An id this process never issued (another process, or long gone): the state again.
    for unknown in ["0badc0de-1", "not an id"] {
        let mut stream = realtime.resume_vote_updates(song, unknown).await.unwrap();
        match next(&mut stream).await.event.clone() {
            SongEvent::Resync {
                reason: ResyncReason::Expired,
                votes,
            } => assert_eq!(votes.version, finals.vote_version),
            other => panic!("expected a resync, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_subscriber_that_stops_reading_gets_a_resync_and_never_holds_up_others() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, 1).await;
    let song = sample.setlist_songs[0].id;
    let realtime = start(
        &db,
        RealtimeOptions {
            client_buffer: 2,
            ..options()
        },
    );
    let mut stalled = realtime.subscribe_to_vote_updates(song).await.unwrap();
    let mut reader = realtime.subscribe_to_vote_updates(song).await.unwrap();
    next(&mut reader).await;

    // Ten separate changes; the stalled subscriber reads none of them.
    for _ in 0..10 {
        let fan = fixtures::user(&mut conn, UserRole::User).await;
        vote(&mut conn, fan.id, song, "up").await;
        let SongEvent::Votes(v) = next(&mut reader).await.event else {
            panic!("expected votes");
        };
        assert_eq!(v.version, counts(&mut conn, song).await.vote_version);
    }
    // Its opening snapshot, then the current state instead of the backlog.
    assert!(matches!(
        next(&mut stalled).await.event,
        SongEvent::Snapshot(_)
    ));
    match next(&mut stalled).await.event.clone() {
        SongEvent::Resync {
            reason: ResyncReason::Lagged,
            votes,
        } => assert_eq!(votes.upvotes, 10),
        other => panic!("expected a resync, got {other:?}"),
    }
}

#[tokio::test]
async fn setlist_edits_locks_played_marks_and_status_arrive_as_events() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, 3).await;
    let realtime = start(&db, options());
    let mut stream = realtime
        .subscribe_to_setlist_updates(sample.show.id)
        .await
        .unwrap();
    next(&mut stream).await;
    let setlist = sample.setlist.id;

    // A song added with the SQL function the API uses.
    let extra = theset_database::models::Song::create(
        &mut conn,
        &theset_database::models::NewSong::new(
            sample.artist.id,
            "Encore Song".into(),
            sample.artist.name.clone(),
        ),
    )
    .await
    .unwrap();
    sql(
        &mut conn,
        &format!(
            "SELECT * FROM add_setlist_song('{setlist}', '{}')",
            extra.id
        ),
    )
    .await;
    let ShowEvent::Setlist(update) = next(&mut stream).await.event.clone() else {
        panic!("expected a setlist event");
    };
    assert_eq!(update.setlist.songs.len(), 4);
    assert_eq!(update.changes.added.len(), 1);
    assert_eq!(update.setlist.songs[3].title, "Encore Song");

    // Removing the first song closes the gap: removed, not reordered.
    let first = sample.setlist_songs[0].id;
    sql(
        &mut conn,
        &format!("SELECT * FROM remove_setlist_song('{setlist}', '{first}')"),
    )
    .await;
    let ShowEvent::Setlist(update) = next(&mut stream).await.event.clone() else {
        panic!("expected a setlist event");
    };
    assert_eq!(update.changes.removed, [first]);
    assert!(!update.changes.reordered);
    assert_eq!(
        update
            .setlist
            .songs
            .iter()
            .map(|s| s.position)
            .collect::<Vec<_>>(),
        [1, 2, 3]
    );

    // Locked, a song marked played, the show under way: each says what changed.
    sql(
        &mut conn,
        &format!("UPDATE setlists SET is_locked = true WHERE id = '{setlist}'"),
    )
    .await;
    let ShowEvent::Setlist(update) = next(&mut stream).await.event.clone() else {
        panic!("expected a setlist event");
    };
    assert_eq!(update.changes.locked, Some(true));
    let played = sample.setlist_songs[1].id;
    sql(
        &mut conn,
        &format!("UPDATE setlist_songs SET is_played = true WHERE id = '{played}'"),
    )
    .await;
    let ShowEvent::Setlist(update) = next(&mut stream).await.event.clone() else {
        panic!("expected a setlist event");
    };
    assert_eq!(update.changes.played, [played]);
    sql(
        &mut conn,
        &format!(
            "UPDATE shows SET status = 'ongoing' WHERE id = '{}'",
            sample.show.id
        ),
    )
    .await;
    let ShowEvent::Show(header) = next(&mut stream).await.event.clone() else {
        panic!("expected a show event");
    };
    assert_eq!(header.status, theset_database::ShowStatus::Ongoing);

    // Deleting the setlist, then the show, ends the stream.
    sql(
        &mut conn,
        &format!("DELETE FROM setlists WHERE id = '{setlist}'"),
    )
    .await;
    assert!(matches!(
        next(&mut stream).await.event,
        ShowEvent::SetlistRemoved { setlist_id, .. } if setlist_id == setlist
    ));
    sql(
        &mut conn,
        &format!("DELETE FROM shows WHERE id = '{}'", sample.show.id),
    )
    .await;
    assert!(matches!(
        next(&mut stream).await.event,
        ShowEvent::Removed { .. }
    ));
    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn a_removed_song_ends_its_stream_and_unknown_ids_are_not_found() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, 2).await;
    let song = sample.setlist_songs[1].id;
    let realtime = start(&db, options());
    let mut stream = realtime.subscribe_to_vote_updates(song).await.unwrap();
    next(&mut stream).await;
    sql(
        &mut conn,
        &format!("DELETE FROM setlist_songs WHERE id = '{song}'"),
    )
    .await;
    assert!(matches!(
        next(&mut stream).await.event,
        SongEvent::Removed { setlist_song_id } if setlist_song_id == song
    ));
    assert!(stream.next().await.is_none());

    assert!(matches!(
        realtime
            .subscribe_to_setlist_updates(ShowId::new_random())
            .await,
        Err(theset_database::Error::NotFound)
    ));
    assert!(matches!(
        realtime.subscribe_to_vote_updates(song).await,
        Err(theset_database::Error::NotFound)
    ));
    // Closing ends every stream and refuses new ones.
    let mut open = realtime
        .subscribe_to_setlist_updates(sample.show.id)
        .await
        .unwrap();
    next(&mut open).await;
    realtime.close();
    assert!(
        tokio::time::timeout(Duration::from_secs(5), open.next())
            .await
            .unwrap()
            .is_none()
    );
    assert!(matches!(
        realtime.subscribe_to_setlist_updates(sample.show.id).await,
        Err(theset_database::Error::Unavailable(_))
    ));
}

#[derive(QueryableByName, Debug)]
struct Entry {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: uuid::Uuid,
}

#[tokio::test]
async fn a_song_recorded_live_is_played_and_scoring_the_show_is_scored() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, 3).await;
    let show = sample.show.id;
    let artist = sample.artist.id;
    let [first, second, third] = [0, 1, 2].map(|i| sample.songs[i].id);
    // A fan with a public profile predicts songs 1, 2 and 3 (in that order) before the show.
    let fan = fixtures::user(&mut conn, UserRole::User).await;
    let prediction = uuid::Uuid::new_v4();
    script(
        &mut conn,
        &format!(
            "UPDATE users SET display_name = 'Ada' WHERE id = '{fan}';
             INSERT INTO user_profiles (user_id, is_public) VALUES ('{fan}', true);
             INSERT INTO setlists (id, show_id, artist_id, type, owner_id)
               VALUES ('{prediction}', '{show}', '{artist}', 'predicted', '{fan}');
             INSERT INTO setlist_songs (setlist_id, song_id, position)
               VALUES ('{prediction}', '{first}', 1), ('{prediction}', '{second}', 2),
                      ('{prediction}', '{third}', 3);",
            fan = fan.id
        ),
    )
    .await;
    // The show starts; a moderator opens its live record.
    let moderator = fixtures::user(&mut conn, UserRole::Moderator).await;
    let actual = uuid::Uuid::new_v4();
    script(
        &mut conn,
        &format!(
            "UPDATE shows SET status = 'ongoing' WHERE id = '{show}';
             INSERT INTO setlists (id, show_id, artist_id, type, imported_from)
               VALUES ('{actual}', '{show}', '{artist}', 'actual', 'manual');"
        ),
    )
    .await;

    let realtime = start(&db, options());
    let mut stream = realtime.subscribe_to_setlist_updates(show).await.unwrap();
    let ShowEvent::Snapshot(state) = &next(&mut stream).await.event else {
        panic!("the show stream must begin with a snapshot");
    };
    // The fan's own prediction is not streamed; nothing is scored yet.
    assert_eq!(state.setlists.len(), 2, "{state:?}");
    assert_eq!(state.scores, theset_realtime::ScoreSummary::default());

    // The moderator records the opener through the API's role, as the API would.
    let mut api = db.conn_as("theset_api").await;
    let claims = serde_json::json!({"sub": moderator.id, "role": "authenticated"}).to_string();
    let appended: Vec<Entry> = diesel::sql_query(format!(
        "WITH claims AS (SELECT set_config('request.jwt.claims', '{claims}', true))
         SELECT s.id FROM claims, append_played_song('{actual}', '{first}', 0, false, NULL, NULL, NULL) s"
    ))
    .load(&mut api)
    .await
    .unwrap();
    assert_eq!(appended.len(), 1);
    let entry = SetlistSongId(appended[0].id);

    let seen = until(&mut stream, |u| matches!(u.event, ShowEvent::Played(_))).await;
    assert!(
        matches!(&seen[0].event, ShowEvent::Setlist(u) if u.changes.added == [entry]),
        "the setlist's new state comes first: {seen:?}"
    );
    let ShowEvent::Played(played) = &seen.last().unwrap().event else {
        unreachable!()
    };
    assert_eq!(played.setlist_id.0, actual);
    assert_eq!(played.songs.len(), 1);
    assert_eq!(
        (
            played.songs[0].id,
            played.songs[0].song_id,
            played.songs[0].position,
            played.songs[0].encore,
            played.songs[0].is_tape
        ),
        (entry, first, 1, 0, false)
    );
    assert_eq!(played.songs[0].title, sample.songs[0].title);
    assert_eq!(played.scores.fans, 0, "not scored yet");
    let frame = String::from_utf8(seen.last().unwrap().sse().to_vec()).unwrap();
    assert!(frame.contains("event: played\n"), "{frame}");

    // Scoring the show (as the worker's schedule does) sends the new summary.
    {
        use diesel_async::AsyncConnection;
        conn.transaction(async |conn| theset_database::scoring::score_show(conn, show).await)
            .await
            .unwrap();
    }
    let update = next(&mut stream).await;
    let ShowEvent::Scored(scored) = &update.event else {
        panic!("expected scored, got {update:?}");
    };
    assert_eq!(scored.show_id, show);
    let scores = &scored.scores;
    assert!(!scores.is_final, "a live record scores provisionally");
    assert!(scores.scored_at.is_some());
    assert_eq!(scores.fans, 1);
    assert_eq!(scores.bot, None, "no history: no bot");
    assert!(scores.crowd.is_some(), "the crowd setlist is scored too");
    assert_eq!(scores.leaders.len(), 1);
    assert_eq!(scores.leaders[0].user_id, fan.id);
    assert_eq!(scores.leaders[0].display_name.as_deref(), Some("Ada"));
    assert!(scores.leaders[0].score > 0.0, "the opener was predicted");
    let frame = String::from_utf8(update.sse().to_vec()).unwrap();
    assert!(frame.contains("event: scored\n"), "{frame}");

    // A fan who turns their profile private loses their name on the stream at once, and in
    // later snapshots.
    sql(
        &mut conn,
        &format!(
            "UPDATE user_profiles SET is_public = false WHERE user_id = '{}'",
            fan.id
        ),
    )
    .await;
    let ShowEvent::Scored(hidden) = &next(&mut stream).await.event else {
        panic!("expected scored");
    };
    assert_eq!(hidden.scores.leaders[0].display_name, None);
    assert_eq!(hidden.scores.leaders[0].score, scores.leaders[0].score);
    let mut later = realtime.subscribe_to_setlist_updates(show).await.unwrap();
    let ShowEvent::Snapshot(state) = &next(&mut later).await.event else {
        panic!("expected a snapshot");
    };
    assert_eq!(state.scores.leaders[0].display_name, None);
    assert_eq!(state.scores.fans, 1);
    let song = &state
        .setlists
        .iter()
        .find(|l| l.id.0 == actual)
        .unwrap()
        .songs[0];
    assert_eq!((song.encore, song.is_tape), (0, false));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topics_are_bounded_in_number_and_idle_ones_are_forgotten_first() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, 6).await;
    let realtime = start(
        &db,
        RealtimeOptions {
            max_topics: 4,
            max_idle_topics: 1,
            ..options()
        },
    );
    let songs: Vec<SetlistSongId> = sample.setlist_songs.iter().map(|s| s.id).collect();
    // Followed, then left: idle topics beyond one are forgotten (within a second or so).
    for &song in &songs[..3] {
        let mut sub = realtime.subscribe_to_vote_updates(song).await.unwrap();
        next(&mut sub).await;
    }
    let kept = realtime.subscribe_to_vote_updates(songs[3]).await.unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while realtime.topics() > 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "{} topics",
            realtime.topics()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // At the bound the idle topic makes room; with none idle, a new topic is refused.
    let _show = realtime
        .subscribe_to_setlist_updates(sample.show.id)
        .await
        .unwrap();
    let mut followed = vec![kept];
    for &song in &songs[4..6] {
        followed.push(realtime.subscribe_to_vote_updates(song).await.unwrap());
    }
    assert_eq!(realtime.topics(), 4);
    let refused = realtime.subscribe_to_vote_updates(songs[0]).await;
    assert!(
        matches!(refused, Err(theset_database::error::Error::Unavailable(_))),
        "{refused:?}"
    );
    drop(followed.pop());
    let sub = realtime.subscribe_to_vote_updates(songs[0]).await;
    assert!(sub.is_ok(), "an idle topic makes room");
    assert!(realtime.topics() <= 4);
}

#[tokio::test]
async fn each_update_is_encoded_once_for_every_stream_of_its_topic() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, 2).await;
    let song = sample.setlist_songs[0].id;
    let realtime = start(&db, options());
    let mut streams = Vec::new();
    for _ in 0..3 {
        let mut stream = realtime
            .subscribe_to_setlist_updates(sample.show.id)
            .await
            .unwrap();
        next(&mut stream).await;
        streams.push(stream);
    }
    let fan = fixtures::user(&mut conn, UserRole::User).await;
    vote(&mut conn, fan.id, song, "up").await;
    let mut updates = Vec::new();
    for stream in &mut streams {
        updates.push(next(stream).await);
    }
    assert_eq!(votes_of(&updates[0])[0].upvotes, 1);
    // One update, one frame: the same bytes (one allocation) for every stream.
    let frame = updates[0].sse();
    for update in &updates[1..] {
        assert_eq!(update.id, updates[0].id);
        assert_eq!(update.sse().as_ptr(), frame.as_ptr());
    }
}
