//! Live scoring through the worker alone: a song a moderator records while the show is played
//! gets the show scored by the `scores` schedule (nothing else scores it), again after every
//! song, and long jobs holding every slot of the main runner do not delay it.

use std::time::Duration;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use theset_database::JobState;
use theset_database::enums::{PredictionKind, UserRole};
use theset_database::ids::{SetlistId, ShowId, SongId, UserId};
use theset_database::schema::{jobs, prediction_scores};
use theset_database::testing::{TestDatabase, fixtures};
use theset_jobs::RunnerConfig;
use theset_worker::{Intervals, JobSettings, WorkerConfig};
use tokio_util::sync::CancellationToken;

fn config(db: &TestDatabase, concurrency: usize) -> WorkerConfig {
    WorkerConfig {
        database: db.config_as("theset_service"),
        runner: RunnerConfig {
            worker_id: "scorer".to_owned(),
            concurrency,
            poll_interval: Duration::from_millis(100),
            visibility_timeout: Duration::from_secs(10),
            shutdown_grace: Duration::from_secs(5),
            backoff_base: Duration::from_millis(100),
            backoff_max: Duration::from_secs(1),
        },
        queues: theset_worker::config::default_queues(concurrency),
        schedules: true,
        // Only the scoring schedule, at its default interval.
        intervals: Intervals {
            vote_totals: None,
            scores: Intervals::default().scores,
            show_status: None,
            trending: None,
            artist_stats: None,
            prune_jobs: None,
            ticketmaster_sync: None,
            setlistfm_recent: None,
            setlistfm_corrections: None,
        },
        jobs: JobSettings::default(),
    }
}

/// A show under way with a fan's prediction (songs 1, 2, 3 in that order) and an empty live
/// record, and the moderator recording it.
struct Live {
    show: ShowId,
    actual: SetlistId,
    songs: Vec<SongId>,
    fan: UserId,
    moderator: UserId,
}

async fn live_show(db: &TestDatabase) -> Live {
    let mut owner = db.conn().await;
    let sample = fixtures::show(&mut owner, 3).await;
    let fan = fixtures::user(&mut owner, UserRole::User).await;
    let moderator = fixtures::user(&mut owner, UserRole::Moderator).await;
    let (show, artist) = (sample.show.id, sample.artist.id);
    let songs: Vec<SongId> = sample.songs.iter().map(|s| s.id).collect();
    let prediction = uuid::Uuid::new_v4();
    let actual = uuid::Uuid::new_v4();
    owner
        .batch_execute(&format!(
            "INSERT INTO setlists (id, show_id, artist_id, type, owner_id)
               VALUES ('{prediction}', '{show}', '{artist}', 'predicted', '{fan}');
             INSERT INTO setlist_songs (setlist_id, song_id, position)
               VALUES ('{prediction}', '{s1}', 1), ('{prediction}', '{s2}', 2),
                      ('{prediction}', '{s3}', 3);
             UPDATE shows SET status = 'ongoing' WHERE id = '{show}';
             INSERT INTO setlists (id, show_id, artist_id, type, imported_from)
               VALUES ('{actual}', '{show}', '{artist}', 'actual', 'manual');
             DELETE FROM scores_pending;",
            fan = fan.id,
            s1 = songs[0],
            s2 = songs[1],
            s3 = songs[2],
        ))
        .await
        .unwrap();
    Live {
        show,
        actual: SetlistId(actual),
        songs,
        fan: fan.id,
        moderator: moderator.id,
    }
}

/// The moderator appends a played song through the API's role, as the live-recording route does.
async fn record(db: &TestDatabase, live: &Live, song: SongId) {
    let mut api = db.conn_as("theset_api").await;
    let claims = serde_json::json!({"sub": live.moderator, "role": "authenticated"});
    api.batch_execute(&format!(
        "BEGIN;
         SELECT set_config('request.jwt.claims', '{claims}', true);
         SELECT * FROM append_played_song('{}', '{song}', 0, false, NULL, NULL, NULL);
         COMMIT;",
        live.actual
    ))
    .await
    .unwrap();
}

/// The fan's score row: (hits, played songs, final).
async fn fan_score(conn: &mut AsyncPgConnection, live: &Live) -> Option<(i32, i32, bool)> {
    prediction_scores::table
        .filter(prediction_scores::show_id.eq(live.show))
        .filter(prediction_scores::kind.eq(PredictionKind::Fan))
        .filter(prediction_scores::user_id.eq(live.fan))
        .select((
            prediction_scores::hits,
            prediction_scores::played_songs,
            prediction_scores::is_final,
        ))
        .first(conn)
        .await
        .optional()
        .unwrap()
}

async fn wait_for_score(db: &TestDatabase, live: &Live, want: (i32, i32, bool), limit: Duration) {
    let mut conn = db.conn().await;
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let now = fan_score(&mut conn, live).await;
        if now == Some(want) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the fan's score is {now:?}, not {want:?}, after {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn pending(conn: &mut AsyncPgConnection) -> i64 {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query("SELECT count(*) AS n FROM scores_pending")
        .get_result::<Count>(conn)
        .await
        .unwrap()
        .n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_song_recorded_live_gets_the_show_scored_by_the_schedule() {
    let db = TestDatabase::new().await;
    let live = live_show(&db).await;
    let stop = CancellationToken::new();
    let worker = tokio::spawn(theset_worker::run(config(&db, 2), stop.clone()));

    // The opener, predicted first: one hit of one song played, provisional.
    record(&db, &live, live.songs[0]).await;
    wait_for_score(&db, &live, (1, 1, false), Duration::from_secs(10)).await;
    // A song nobody predicted at that place, then the third predicted one.
    record(&db, &live, live.songs[2]).await;
    wait_for_score(&db, &live, (2, 2, false), Duration::from_secs(10)).await;
    // The moderator locks the record: the scores become final.
    db.conn()
        .await
        .batch_execute(&format!(
            "UPDATE setlists SET is_locked = true WHERE id = '{}'",
            live.actual
        ))
        .await
        .unwrap();
    wait_for_score(&db, &live, (2, 2, true), Duration::from_secs(10)).await;

    stop.cancel();
    let report = worker.await.unwrap().unwrap();
    assert!(report.released.is_empty());
    let mut conn = db.conn().await;
    assert_eq!(pending(&mut conn).await, 0, "the queue was emptied");
    let runs: Vec<(JobState, Option<String>)> = jobs::table
        .filter(jobs::kind.eq("score_pending_shows"))
        .select((jobs::state, jobs::dedup_key))
        .load(&mut conn)
        .await
        .unwrap();
    assert!(
        runs.iter().all(|(state, key)| *state != JobState::Failed
            && key.as_deref().is_some_and(|k| k.starts_with("scores:"))),
        "{runs:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_jobs_in_every_slot_do_not_delay_live_scores() {
    let db = TestDatabase::new().await;
    let live = live_show(&db).await;
    // A long job holds the main runner's only slot: trending waits on its advisory lock, held
    // here (as a long import holds its slot for minutes). Nothing else takes that lock.
    let mut blocker = db.conn().await;
    blocker
        .batch_execute(
            "BEGIN; SELECT pg_advisory_xact_lock(hashtext('theset.recompute_trending_scores'));",
        )
        .await
        .unwrap();
    let long = theset_worker::registry()
        .new_job("recompute_trending", serde_json::json!({}))
        .unwrap()
        .enqueue(&mut db.conn_as("theset_service").await)
        .await
        .unwrap();
    let stop = CancellationToken::new();
    let worker = tokio::spawn(theset_worker::run(config(&db, 1), stop.clone()));
    let mut conn = db.conn().await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let state: JobState = jobs::table
            .find(long.id().unwrap())
            .select(jobs::state)
            .first(&mut conn)
            .await
            .unwrap();
        if state == JobState::Running {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "trending never started"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    record(&db, &live, live.songs[0]).await;
    wait_for_score(&db, &live, (1, 1, false), Duration::from_secs(10)).await;
    let state: JobState = jobs::table
        .find(long.id().unwrap())
        .select(jobs::state)
        .first(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        state,
        JobState::Running,
        "scored while the slot was still held"
    );

    blocker.batch_execute("COMMIT;").await.unwrap();
    stop.cancel();
    let report = worker.await.unwrap().unwrap();
    assert!(report.released.is_empty());
}

#[tokio::test]
async fn a_show_that_cannot_be_scored_stays_queued_and_holds_up_no_other() {
    let db = TestDatabase::new().await;
    let live = live_show(&db).await;
    record(&db, &live, live.songs[0]).await;
    // A queued show that no longer exists: scoring it fails (no such show).
    let ghost = uuid::Uuid::new_v4();
    db.conn()
        .await
        .batch_execute(&format!(
            "INSERT INTO scores_pending (show_id) VALUES ('{ghost}'), ('{ghost}')"
        ))
        .await
        .unwrap();
    let mut service = db.conn_as("theset_service").await;
    let run = theset_tasks::ScorePendingShows::run_once(&mut service)
        .await
        .unwrap();
    assert_eq!(run.scored, 1);
    assert_eq!(run.failed, [ShowId(ghost)]);
    let mut conn = db.conn().await;
    assert_eq!(fan_score(&mut conn, &live).await, Some((1, 1, false)));
    assert_eq!(
        pending(&mut conn).await,
        2,
        "the failed show's rows stay queued"
    );
    // The next run tries it again, and only it.
    let again = theset_tasks::ScorePendingShows::run_once(&mut service)
        .await
        .unwrap();
    assert_eq!((again.scored, again.failed.len()), (0, 1));
}
