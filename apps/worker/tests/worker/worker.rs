//! The worker as a whole, against a real database: schedules shared by two workers, the
//! maintenance jobs end to end, and the binary's start-up and SIGTERM shutdown.

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::time::Duration;

use chrono::{NaiveTime, Timelike, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use theset_database::JobState;
use theset_database::enums::{SetlistType, ShowStatus, UserRole, VoteType};
use theset_database::models::{NewSetlist, NewShow, Setlist, Show, Vote};
use theset_database::schema::{jobs, setlists, shows};
use theset_database::testing::{TestDatabase, fixtures};
use theset_jobs::{Enqueued, Runner, RunnerConfig};
use theset_tasks::{FoldVoteTotals, RecomputeTrending};
use theset_worker::{Intervals, JobContext, JobSettings, Schedule, Scheduler, WorkerConfig};
use tokio_util::sync::CancellationToken;

fn fast_runner(worker: &str) -> RunnerConfig {
    RunnerConfig {
        worker_id: worker.to_owned(),
        concurrency: 2,
        poll_interval: Duration::from_millis(100),
        visibility_timeout: Duration::from_secs(2),
        shutdown_grace: Duration::from_secs(5),
        backoff_base: Duration::from_millis(100),
        backoff_max: Duration::from_secs(1),
    }
}

fn worker_config(db: &TestDatabase, worker: &str, every: Duration) -> WorkerConfig {
    WorkerConfig {
        database: db.config_as("theset_service"),
        runner: fast_runner(worker),
        queues: theset_worker::config::default_queues(4),
        schedules: true,
        intervals: Intervals {
            vote_totals: Some(every),
            show_status: Some(every),
            trending: Some(every),
            artist_stats: Some(every),
            prune_jobs: Some(every),
            ..Intervals::default()
        },
        jobs: JobSettings::default(),
    }
}

async fn wait_for<F, Fut>(what: &str, limit: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + limit;
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for: {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_period_is_enqueued_once_whoever_asks_and_whenever() {
    let db = TestDatabase::new().await;
    let schedule = Schedule::new::<RecomputeTrending>("trending", Duration::from_secs(300));
    let now = Utc::now();
    let mut a = db.conn_as("theset_service").await;
    let mut b = db.conn_as("theset_service").await;

    let first = schedule.enqueue(&mut a, now).await.unwrap();
    let Some(Enqueued::New(id)) = first else {
        panic!("the first asker enqueues: {first:?}")
    };
    let key: Option<String> = jobs::table
        .find(id)
        .select(jobs::dedup_key)
        .first(&mut a)
        .await
        .unwrap();
    assert_eq!(key, Some(schedule.key(schedule.period(now))));
    // Another worker, same period: nothing new (the job is waiting).
    assert!(
        !schedule
            .enqueue(&mut b, now)
            .await
            .unwrap()
            .is_some_and(Enqueued::is_new)
    );
    // The job ran; asking again in the same period still adds nothing.
    diesel::update(jobs::table.find(id))
        .set((
            jobs::state.eq(JobState::Done),
            jobs::finished_at.eq(diesel::dsl::now),
        ))
        .execute(&mut a)
        .await
        .unwrap();
    assert_eq!(
        schedule.enqueue(&mut b, now).await.unwrap(),
        Some(Enqueued::Duplicate(Some(id)))
    );
    // The next period is another job.
    let next = schedule
        .enqueue(&mut b, now + chrono::Duration::seconds(300))
        .await
        .unwrap();
    assert!(next.is_some_and(Enqueued::is_new));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_run_each_period_of_a_schedule_once() {
    let db = TestDatabase::new().await;
    let stop = CancellationToken::new();
    let mut tasks = Vec::new();
    for worker in ["w1", "w2"] {
        let config = worker_config(&db, worker, Duration::from_secs(1));
        let pool = db.pool_as("theset_service", 6);
        let context = JobContext::new(pool.clone(), config.jobs.clone());
        let runner = Runner::new(pool.clone(), theset_worker::registry(), context)
            .config(config.runner.clone())
            .listen(config.database.clone());
        tasks.push(tokio::spawn({
            let stop = stop.clone();
            async move {
                runner.run(stop).await;
            }
        }));
        let scheduler = Scheduler::new(
            pool,
            vec![Schedule::new::<FoldVoteTotals>(
                "vote-totals",
                Duration::from_secs(1),
            )],
        );
        tasks.push(tokio::spawn(scheduler.run(stop.clone())));
    }
    tokio::time::sleep(Duration::from_millis(4200)).await;
    stop.cancel();
    for task in tasks {
        task.await.unwrap();
    }

    let mut conn = db.conn().await;
    let rows: Vec<(Option<String>, JobState)> = jobs::table
        .filter(jobs::kind.eq("fold_vote_totals"))
        .select((jobs::dedup_key, jobs::state))
        .load(&mut conn)
        .await
        .unwrap();
    let mut per_key: HashMap<String, usize> = HashMap::new();
    for (key, _) in &rows {
        *per_key.entry(key.clone().unwrap()).or_default() += 1;
    }
    // About one per second over four seconds (fewer if a period found the previous job still
    // waiting on a loaded machine; never two for one period).
    assert!(
        (3..=6).contains(&per_key.len()),
        "about one job per second over four seconds: {per_key:?}"
    );
    assert!(
        per_key.values().all(|n| *n == 1),
        "a period doubled: {per_key:?}"
    );
    assert!(
        per_key.keys().all(|k| k.starts_with("vote-totals:")),
        "{per_key:?}"
    );
    assert!(
        rows.iter().filter(|(_, s)| *s == JobState::Done).count() >= 3,
        "the runners ran them: {rows:?}"
    );
}

/// A show that started an hour ago (still `upcoming`, its prediction open), an upcoming show with
/// a fresh vote, and an artist without statistics.
struct World {
    started: Show,
    started_prediction: Setlist,
    upcoming: fixtures::SampleShow,
}

async fn world(db: &TestDatabase) -> World {
    let mut owner = db.conn().await;
    let upcoming = fixtures::show(&mut owner, 2).await;
    let fan = fixtures::user(&mut owner, UserRole::User).await;
    Vote::cast(
        &mut owner,
        fan.id,
        upcoming.setlist_songs[0].id,
        VoteType::Up,
    )
    .await
    .unwrap();
    // The vote log: that vote's row is made old enough to prune; a second vote's stays. So do
    // two of the API's rate-limit windows.
    diesel::sql_query("UPDATE realtime_vote_log SET logged_at = now() - interval '1 hour'")
        .execute(&mut owner)
        .await
        .unwrap();
    diesel::sql_query(
        "INSERT INTO rate_limits VALUES ('votes', 'ended', now() - interval '1 hour', 3, 1), \
                                        ('votes', 'current', now(), 1, 1)",
    )
    .execute(&mut owner)
    .await
    .unwrap();
    Vote::cast(
        &mut owner,
        fan.id,
        upcoming.setlist_songs[1].id,
        VoteType::Down,
    )
    .await
    .unwrap();
    let venue = fixtures::venue(&mut owner, "UTC Hall", 51.5, 0.0, "UTC").await;
    let start = Utc::now() - chrono::Duration::hours(1);
    // Predicted while open (a week ahead), then the show's date moves to an hour ago: no
    // prediction can be created after the start.
    let created = Show::create(
        &mut owner,
        &NewShow {
            venue_id: Some(venue.id),
            start_time: NaiveTime::from_hms_opt(start.hour(), start.minute(), 0),
            ..NewShow::new(
                upcoming.artist.id,
                "Started".to_owned(),
                format!(
                    "started-{}",
                    &uuid::Uuid::new_v4().simple().to_string()[..12]
                ),
                start.date_naive() + chrono::Days::new(7),
            )
        },
    )
    .await
    .unwrap();
    let started_prediction = Setlist::create(
        &mut owner,
        &NewSetlist::new(created.id, upcoming.artist.id, SetlistType::Predicted),
    )
    .await
    .unwrap();
    let started: Show = diesel::update(shows::table.find(created.id))
        .set(shows::date.eq(start.date_naive()))
        .returning(Show::as_returning())
        .get_result(&mut owner)
        .await
        .unwrap();
    World {
        started,
        started_prediction,
        upcoming,
    }
}

async fn maintained(db: &TestDatabase, world: &World) -> bool {
    let mut conn = db.conn().await;
    let status: ShowStatus = shows::table
        .find(world.started.id)
        .select(shows::status)
        .first(&mut conn)
        .await
        .unwrap();
    let locked: bool = setlists::table
        .find(world.started_prediction.id)
        .select(setlists::is_locked)
        .first(&mut conn)
        .await
        .unwrap();
    let (score, votes): (f64, i32) = shows::table
        .find(world.upcoming.show.id)
        .select((shows::trending_score, shows::vote_count))
        .first(&mut conn)
        .await
        .unwrap();
    let stats = world.upcoming.artist.stats(&mut conn).await.unwrap();
    #[derive(diesel::QueryableByName)]
    struct Log {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        old: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        fresh: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        windows: i64,
        // The search word counts (the full statistics refresh recounts them).
        #[diesel(sql_type = diesel::sql_types::Integer)]
        sample_artists: i32,
    }
    let log: Log = diesel::sql_query(
        "SELECT count(*) FILTER (WHERE logged_at < now() - interval '1 minute') AS old, \
                count(*) FILTER (WHERE logged_at >= now() - interval '1 minute') AS fresh, \
                (SELECT count(*) FROM rate_limits) AS windows, \
                (SELECT artist_names FROM search_words WHERE word = 'sample') AS sample_artists \
         FROM realtime_vote_log",
    )
    .get_result(&mut conn)
    .await
    .unwrap();
    status == ShowStatus::Ongoing
        && log.old == 0
        && log.fresh == 1
        && log.windows == 1
        && log.sample_artists == 1
        && locked
        && score > 0.9
        && votes == 2
        && stats.is_some_and(|s| {
            s.total_shows == 1 && s.last_show_date == Some(world.started.starts_at)
        })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_keeps_derived_data_current() {
    let db = TestDatabase::new().await;
    let world = world(&db).await;
    let stop = CancellationToken::new();
    let worker = tokio::spawn(theset_worker::run(
        worker_config(&db, "maintainer", Duration::from_secs(1)),
        stop.clone(),
    ));
    let (dbr, wr) = (&db, &world);
    wait_for(
        "statuses, locks, trending, vote totals, stats and the vote log's pruning",
        Duration::from_secs(30),
        move || maintained(dbr, wr),
    )
    .await;
    stop.cancel();
    let report = worker.await.unwrap().unwrap();
    assert!(report.released.is_empty());
    let mut conn = db.conn().await;
    let failed: i64 = jobs::table
        .filter(jobs::state.eq(JobState::Failed))
        .count()
        .get_result(&mut conn)
        .await
        .unwrap();
    assert_eq!(failed, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_runs_schedules_and_stops_cleanly_on_sigterm() {
    let db = TestDatabase::new().await;
    let world = world(&db).await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_theset-worker"))
        .current_dir(std::env::temp_dir())
        .env_remove("DATABASE_URL")
        .env("WORKER_DATABASE_URL", db.url_as("theset_service"))
        .env("WORKER_ID", "binary")
        .env("WORKER_POLL_INTERVAL_MS", "100")
        .env("WORKER_VOTE_TOTALS_EVERY_SECS", "1")
        .env("WORKER_SHOW_STATUS_EVERY_SECS", "1")
        .env("WORKER_TRENDING_EVERY_SECS", "1")
        .env("WORKER_ARTIST_STATS_EVERY_SECS", "1")
        .env("WORKER_PRUNE_JOBS_EVERY_SECS", "0")
        .env("WORKER_SHUTDOWN_GRACE_SECS", "5")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (dbr, wr) = (&db, &world);
    wait_for(
        "the binary's schedules to run",
        Duration::from_secs(30),
        move || maintained(dbr, wr),
    )
    .await;

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the worker did not stop after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let output = child.wait_with_output().unwrap();
    let logs = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(status.success(), "exit {status}: {logs}");
    assert!(logs.contains("SIGTERM: shutting down"), "{logs}");
    assert!(logs.contains("job runner stopped"), "{logs}");
    let mut conn = db.conn().await;
    let running: i64 = jobs::table
        .filter(jobs::state.eq(JobState::Running))
        .count()
        .get_result(&mut conn)
        .await
        .unwrap();
    assert_eq!(running, 0, "nothing left holding a lease");
}

#[tokio::test]
async fn a_bad_setting_stops_the_binary_with_its_name() {
    let output = Command::new(env!("CARGO_BIN_EXE_theset-worker"))
        .current_dir(std::env::temp_dir())
        .env(
            "WORKER_DATABASE_URL",
            "postgres://theset_service@127.0.0.1:1/none",
        )
        .env("WORKER_CONCURRENCY", "zero")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("WORKER_CONCURRENCY"), "{stderr}");
}
