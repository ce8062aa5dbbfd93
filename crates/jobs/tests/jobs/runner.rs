//! The runner against a real database: retries with backoff, panics, timeouts, several runners
//! on one queue, a runner killed mid-job, lost leases, graceful shutdown, NOTIFY wake-ups.

use std::collections::HashMap;
use std::time::Duration;

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use theset_database::schema::jobs;
use theset_database::testing::TestDatabase;
use theset_jobs::{JobId, JobState, Runner, RunnerConfig, RunnerHandle};

use crate::common::*;

fn start_runner(db: &TestDatabase, config: RunnerConfig, listen: bool) -> RunnerHandle {
    let pool = db.pool_as("theset_service", config.concurrency + 2);
    let ctx = Ctx {
        pool: pool.clone(),
        runner: config.worker_id.clone(),
    };
    let mut runner = Runner::new(pool, registry(), ctx).config(config);
    if listen {
        runner = runner.listen(db.config_as("theset_service"));
    }
    runner.spawn()
}

async fn enqueue<J: theset_jobs::Job>(db: &TestDatabase, job: &J) -> JobId {
    let mut conn = db.conn_as("theset_service").await;
    theset_jobs::enqueue(&mut conn, job)
        .await
        .unwrap()
        .id()
        .unwrap()
}

async fn wait_started(db: &TestDatabase, tag: &'static str) {
    wait_for(
        &format!("an execution of {tag} to start"),
        Duration::from_secs(10),
        move || async move {
            let mut conn = db.conn().await;
            !executions(&mut conn, tag).await.is_empty()
        },
    )
    .await;
}

async fn wait_state(db: &TestDatabase, id: JobId, state: JobState, limit: Duration) {
    wait_for(
        &format!("job {id} to be {state}"),
        limit,
        move || async move { job(db, id).await.state == state },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_job_retries_with_backoff_then_stays_failed_with_its_error() {
    let db = database().await;
    let runner = start_runner(&db, fast("retrier"), true);
    let id = enqueue(
        &db,
        &AlwaysFails {
            tag: "flaky".to_owned(),
        },
    )
    .await;
    wait_state(&db, id, JobState::Failed, Duration::from_secs(20)).await;

    let failed = job(&db, id).await;
    assert_eq!(failed.attempts, 3, "MAX_ATTEMPTS of AlwaysFails");
    assert_eq!(failed.last_error.as_deref(), Some("boom number 2"));
    assert!(failed.finished_at.is_some());
    assert_eq!((failed.locked_at, failed.locked_by), (None, None));

    let mut conn = db.conn().await;
    let runs = executions(&mut conn, "flaky").await;
    assert_eq!(runs.len(), 3, "one execution per attempt, then no more");
    // Backoff with jitter: the n-th retry waits between half and all of base * 2^(n-1).
    let gap = |i: usize| (runs[i + 1].started_at - runs[i].started_at).num_milliseconds();
    assert!(gap(0) >= 100, "first retry after {} ms", gap(0));
    assert!(gap(1) >= 200, "second retry after {} ms", gap(1));
    // Nothing else happens to it.
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(executions(&mut conn, "flaky").await.len(), 3);
    runner.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_that_gives_up_fails_at_once() {
    let db = database().await;
    let runner = start_runner(&db, fast("quitter"), true);
    let id = enqueue(
        &db,
        &GivesUp {
            tag: "bad-key".to_owned(),
        },
    )
    .await;
    wait_state(&db, id, JobState::Failed, Duration::from_secs(10)).await;
    let failed = job(&db, id).await;
    assert_eq!(failed.attempts, 1, "no retry after giving up");
    assert_eq!(failed.last_error.as_deref(), Some("the key is wrong"));
    let mut conn = db.conn().await;
    assert_eq!(executions(&mut conn, "bad-key").await.len(), 1);
    runner.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_job_fails_only_itself() {
    let db = database().await;
    let mut conn = db.conn().await;
    let runner = start_runner(&db, fast("survivor"), true);
    let panicking = enqueue(
        &db,
        &Panics {
            tag: "kaboom".to_owned(),
        },
    )
    .await;
    enqueue_many(&mut conn, "beside", 20, 0).await;
    wait_state(&db, panicking, JobState::Failed, Duration::from_secs(15)).await;
    let dbr = &db;
    wait_for(
        "the other jobs to finish",
        Duration::from_secs(15),
        move || async move { count_in(dbr, JobState::Done).await == 20 },
    )
    .await;

    let failed = job(&db, panicking).await;
    assert_eq!(failed.attempts, 2);
    assert_eq!(
        failed.last_error.as_deref(),
        Some("panicked: deliberate panic in kaboom")
    );
    // The runner is still alive and working.
    let after = enqueue(
        &db,
        &Record {
            tag: "after".to_owned(),
            sleep_ms: 0,
        },
    )
    .await;
    wait_state(&db, after, JobState::Done, Duration::from_secs(10)).await;
    runner.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_past_its_timeout_fails() {
    let db = database().await;
    let runner = start_runner(&db, fast("clock"), true);
    let id = enqueue(
        &db,
        &Hangs {
            tag: "forever".to_owned(),
        },
    )
    .await;
    wait_state(&db, id, JobState::Failed, Duration::from_secs(10)).await;
    assert_eq!(
        job(&db, id).await.last_error.as_deref(),
        Some("timed out after 300ms")
    );
    runner.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_runners_share_a_queue_without_running_a_job_twice() {
    let db = database().await;
    let mut conn = db.conn().await;
    const JOBS: i32 = 400;
    enqueue_many(&mut conn, "shared", JOBS, 5).await;
    // Separate pools and listeners, as two worker processes would have.
    let a = start_runner(&db, fast("runner-a"), true);
    let b = start_runner(&db, fast("runner-b"), true);
    let dbr = &db;
    wait_for(
        "every job to be done",
        Duration::from_secs(60),
        move || async move { count_in(dbr, JobState::Done).await == i64::from(JOBS) },
    )
    .await;
    a.shutdown().await.unwrap();
    b.shutdown().await.unwrap();

    let runs = all_executions(&mut conn).await;
    let mut per_tag: HashMap<&str, usize> = HashMap::new();
    let mut per_runner: HashMap<&str, usize> = HashMap::new();
    for run in &runs {
        *per_tag.entry(run.tag.as_str()).or_default() += 1;
        *per_runner.entry(run.runner.as_str()).or_default() += 1;
    }
    assert_eq!(per_tag.len(), usize::try_from(JOBS).unwrap());
    let twice: Vec<_> = per_tag.iter().filter(|(_, n)| **n != 1).collect();
    assert!(twice.is_empty(), "jobs run more than once: {twice:?}");
    assert!(runs.iter().all(|r| r.finished_at.is_some()));
    assert!(
        per_runner.get("runner-a").copied().unwrap_or(0) > 0
            && per_runner.get("runner-b").copied().unwrap_or(0) > 0,
        "both runners took jobs: {per_runner:?}"
    );
    let attempts: Vec<i32> = jobs::table
        .select(jobs::attempts)
        .load(&mut conn)
        .await
        .unwrap();
    assert!(
        attempts.iter().all(|a| *a == 1),
        "each job took one attempt"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_of_a_killed_runner_is_taken_again_after_the_visibility_timeout() {
    let db = database().await;
    let doomed = start_runner(&db, fast("doomed"), true);
    let id = enqueue(
        &db,
        &SlowFirst {
            tag: "orphan".to_owned(),
            first_ms: 60_000,
        },
    )
    .await;
    let mut conn = db.conn().await;
    wait_started(&db, "orphan").await;
    // Killed: nothing recorded, the lease left as it was.
    doomed.abort();
    let orphaned = job(&db, id).await;
    assert_eq!(orphaned.state, JobState::Running);
    assert_eq!(orphaned.locked_by.as_deref(), Some("doomed"));

    let rescuer = start_runner(&db, fast("rescuer"), true);
    wait_state(&db, id, JobState::Done, Duration::from_secs(20)).await;
    rescuer.shutdown().await.unwrap();

    let done = job(&db, id).await;
    assert_eq!(done.attempts, 2);
    assert!(
        done.last_error
            .as_deref()
            .is_some_and(|e| e.starts_with("worker doomed stopped renewing its lease")),
        "{:?}",
        done.last_error
    );
    let runs = executions(&mut conn, "orphan").await;
    assert_eq!(runs.len(), 2);
    assert_eq!(
        (runs[0].runner.as_str(), runs[0].finished_at.is_none()),
        ("doomed", true)
    );
    assert_eq!(
        (runs[1].runner.as_str(), runs[1].finished_at.is_some()),
        ("rescuer", true)
    );
    // From the dead runner's last lease renewal (the database's clock, as the take compares),
    // not from its handler's start, which comes a moment after its lease.
    let lease = orphaned.locked_at.expect("a running job has a lease");
    let waited = (runs[1].started_at - lease).num_milliseconds();
    assert!(
        waited >= 1000,
        "taken again only after the visibility timeout ({waited} ms)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_runners_last_attempt_stays_failed() {
    let db = database().await;
    let doomed = start_runner(&db, fast("doomed"), true);
    let mut conn = db.conn_as("theset_service").await;
    let id = theset_jobs::NewJob::for_job(&SlowFirst {
        tag: "last-chance".to_owned(),
        first_ms: 60_000,
    })
    .unwrap()
    .max_attempts(1)
    .enqueue(&mut conn)
    .await
    .unwrap()
    .id()
    .unwrap();
    wait_started(&db, "last-chance").await;
    doomed.abort();
    let rescuer = start_runner(&db, fast("rescuer"), true);
    wait_state(&db, id, JobState::Failed, Duration::from_secs(20)).await;
    rescuer.shutdown().await.unwrap();
    let failed = job(&db, id).await;
    assert_eq!(failed.attempts, 1);
    assert!(
        failed
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("stopped renewing its lease"))
    );
    let mut owner = db.conn().await;
    assert_eq!(executions(&mut owner, "last-chance").await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_job_keeps_its_lease_and_runs_once() {
    let db = database().await;
    // Three visibility timeouts long: only the heartbeat keeps other runners off it.
    let a = start_runner(&db, fast("keeper-a"), true);
    let b = start_runner(&db, fast("keeper-b"), true);
    let id = enqueue(
        &db,
        &Record {
            tag: "long".to_owned(),
            sleep_ms: 3000,
        },
    )
    .await;
    wait_state(&db, id, JobState::Done, Duration::from_secs(20)).await;
    a.shutdown().await.unwrap();
    b.shutdown().await.unwrap();
    let mut conn = db.conn().await;
    assert_eq!(executions(&mut conn, "long").await.len(), 1);
    assert_eq!(job(&db, id).await.attempts, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_runner_stops_a_job_whose_lease_was_taken_back() {
    let db = database().await;
    let runner = start_runner(&db, fast("loser"), true);
    let id = enqueue(
        &db,
        &Record {
            tag: "stolen".to_owned(),
            sleep_ms: 3000,
        },
    )
    .await;
    wait_started(&db, "stolen").await;
    // Another worker now holds it (as after an expiry the loser did not notice), and keeps
    // its lease fresh.
    let mut conn = db.conn().await;
    diesel::sql_query(
        "UPDATE jobs SET locked_by = 'thief', locked_at = now() + interval '1 hour' WHERE id = $1",
    )
    .bind::<diesel::sql_types::BigInt, _>(id.0)
    .execute(&mut conn)
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(3500)).await;
    let runs = executions(&mut conn, "stolen").await;
    assert_eq!(runs.len(), 1);
    assert!(
        runs[0].finished_at.is_none(),
        "the loser stopped the job at its next heartbeat"
    );
    let held = job(&db, id).await;
    assert_eq!(
        (held.state, held.locked_by.as_deref()),
        (JobState::Running, Some("thief"))
    );
    runner.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_running_jobs_finish_within_the_grace_period() {
    let db = database().await;
    let runner = start_runner(&db, fast("graceful"), true);
    let id = enqueue(
        &db,
        &Record {
            tag: "finishing".to_owned(),
            sleep_ms: 700,
        },
    )
    .await;
    wait_state(&db, id, JobState::Running, Duration::from_secs(10)).await;
    let report = runner.shutdown().await.unwrap();
    assert_eq!(report.finished, 1);
    assert!(report.released.is_empty());
    assert_eq!(job(&db, id).await.state, JobState::Done);

    // Stopped: nothing is taken any more.
    let later = enqueue(
        &db,
        &Record {
            tag: "untaken".to_owned(),
            sleep_ms: 0,
        },
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(job(&db, later).await.state, JobState::Queued);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_releases_jobs_that_outlast_the_grace_period() {
    let db = database().await;
    let config = RunnerConfig {
        shutdown_grace: Duration::from_millis(300),
        ..fast("impatient")
    };
    let runner = start_runner(&db, config, true);
    let id = enqueue(
        &db,
        &Record {
            tag: "too-long".to_owned(),
            sleep_ms: 30_000,
        },
    )
    .await;
    wait_state(&db, id, JobState::Running, Duration::from_secs(10)).await;
    let report = tokio::time::timeout(Duration::from_secs(10), runner.shutdown())
        .await
        .expect("shutdown ends after the grace period")
        .unwrap();
    assert_eq!(report.finished, 0);
    assert_eq!(report.released, vec![id]);
    let released = job(&db, id).await;
    assert_eq!(released.state, JobState::Queued);
    assert_eq!(
        released.attempts, 0,
        "the interrupted attempt is not counted"
    );
    assert_eq!(released.locked_by, None);

    // Another runner picks it up at once (no visibility timeout to wait for).
    let next = start_runner(
        &db,
        RunnerConfig {
            visibility_timeout: Duration::from_secs(3600),
            ..fast("next")
        },
        true,
    );
    wait_state(&db, id, JobState::Running, Duration::from_secs(10)).await;
    assert_eq!(job(&db, id).await.locked_by.as_deref(), Some("next"));
    next.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notify_wakes_an_idle_runner_long_before_its_poll() {
    let db = database().await;
    let config = RunnerConfig {
        poll_interval: Duration::from_secs(120),
        ..fast("listener")
    };
    let runner = start_runner(&db, config, true);
    // Let it start, find nothing, and settle into waiting.
    tokio::time::sleep(Duration::from_millis(700)).await;
    let id = enqueue(
        &db,
        &Record {
            tag: "wake".to_owned(),
            sleep_ms: 0,
        },
    )
    .await;
    wait_state(&db, id, JobState::Done, Duration::from_secs(20)).await;
    runner.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_notify_a_runner_still_polls() {
    let db = database().await;
    let runner = start_runner(&db, fast("poller"), false);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let id = enqueue(
        &db,
        &Record {
            tag: "polled".to_owned(),
            sleep_ms: 0,
        },
    )
    .await;
    wait_state(&db, id, JobState::Done, Duration::from_secs(10)).await;
    runner.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_of_kinds_a_runner_lacks_are_left_alone() {
    let db = database().await;
    let mut conn = db.conn_as("theset_service").await;
    let foreign = theset_jobs::NewJob::new("other.kind", serde_json::json!({}))
        .enqueue(&mut conn)
        .await
        .unwrap()
        .id()
        .unwrap();
    let runner = start_runner(&db, fast("picky"), true);
    let mine = enqueue(
        &db,
        &Record {
            tag: "mine".to_owned(),
            sleep_ms: 0,
        },
    )
    .await;
    wait_state(&db, mine, JobState::Done, Duration::from_secs(10)).await;
    let untouched = job(&db, foreign).await;
    assert_eq!((untouched.state, untouched.attempts), (JobState::Queued, 0));
    runner.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn higher_priority_runs_first() {
    let db = database().await;
    let mut conn = db.conn_as("theset_service").await;
    for (tag, priority) in [("low", 0), ("high", 10), ("middle", 5)] {
        theset_jobs::NewJob::for_job(&Record {
            tag: tag.to_owned(),
            sleep_ms: 0,
        })
        .unwrap()
        .priority(priority)
        .enqueue(&mut conn)
        .await
        .unwrap();
    }
    let runner = start_runner(
        &db,
        RunnerConfig {
            concurrency: 1,
            ..fast("serial")
        },
        true,
    );
    let dbr = &db;
    wait_for(
        "all three done",
        Duration::from_secs(10),
        move || async move { count_in(dbr, JobState::Done).await == 3 },
    )
    .await;
    runner.shutdown().await.unwrap();
    let mut owner = db.conn().await;
    let order: Vec<String> = all_executions(&mut owner)
        .await
        .into_iter()
        .map(|e| e.tag)
        .collect();
    assert_eq!(order, ["high", "middle", "low"]);
}

/// A runner takes only its queues' jobs: one of `default` runs, one of `elsewhere` (same kind)
/// stays queued until a runner of that queue starts, and the queue is stored with the job.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_runner_takes_only_the_jobs_of_its_queues() {
    let db = database().await;
    let home = enqueue(
        &db,
        &Record {
            tag: "home".into(),
            sleep_ms: 0,
        },
    )
    .await;
    let mut conn = db.conn_as("theset_service").await;
    let away = theset_jobs::NewJob::for_job(&Record {
        tag: "away".into(),
        sleep_ms: 0,
    })
    .unwrap()
    .queue("elsewhere")
    .enqueue(&mut conn)
    .await
    .unwrap()
    .id()
    .unwrap();
    assert_eq!(job(&db, home).await.queue, theset_jobs::DEFAULT_QUEUE);
    assert_eq!(job(&db, away).await.queue, "elsewhere");

    let config = fast("default-only");
    let pool = db.pool_as("theset_service", config.concurrency + 2);
    let ctx = Ctx {
        pool: pool.clone(),
        runner: config.worker_id.clone(),
    };
    let runner = Runner::new(pool, registry(), ctx)
        .queues([theset_jobs::DEFAULT_QUEUE])
        .config(config)
        .spawn();
    wait_state(&db, home, JobState::Done, Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(job(&db, away).await.state, JobState::Queued);
    runner.shutdown().await.unwrap();

    let config = fast("elsewhere");
    let pool = db.pool_as("theset_service", config.concurrency + 2);
    let ctx = Ctx {
        pool: pool.clone(),
        runner: config.worker_id.clone(),
    };
    let runner = Runner::new(pool, registry(), ctx)
        .queues(["elsewhere"])
        .config(config)
        .spawn();
    wait_state(&db, away, JobState::Done, Duration::from_secs(10)).await;
    runner.shutdown().await.unwrap();
}
