//! Enqueueing, deduplication, inspection, retry and pruning, against a real database.

use chrono::{Duration as Days, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use theset_database::schema::jobs;
use theset_jobs::{Enqueued, Error, JobState, NewJob};

use crate::common::{Record, database, registry};

fn record(tag: &str) -> Record {
    Record {
        tag: tag.to_owned(),
        sleep_ms: 0,
    }
}

/// Marks a job finished by hand, as a runner would.
async fn finish(
    conn: &mut diesel_async::AsyncPgConnection,
    id: theset_jobs::JobId,
    state: JobState,
) {
    diesel::update(jobs::table.find(id))
        .set((
            jobs::state.eq(state),
            jobs::finished_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await
        .unwrap();
}

#[tokio::test]
async fn enqueue_stores_the_typed_job_and_dedups_pending_keys() {
    let db = database().await;
    let mut conn = db.conn_as("theset_service").await;

    let first = theset_jobs::enqueue(&mut conn, &record("a")).await.unwrap();
    let Enqueued::New(id) = first else {
        panic!("expected a new job, got {first:?}")
    };
    let stored = theset_jobs::get(&mut conn, id).await.unwrap();
    assert_eq!(stored.kind, "test.record");
    assert_eq!(
        stored.payload,
        serde_json::json!({"tag": "a", "sleep_ms": 0})
    );
    assert_eq!(stored.dedup_key.as_deref(), Some("record:a"));
    assert_eq!(stored.state, JobState::Queued);
    assert_eq!((stored.attempts, stored.max_attempts), (0, 5));
    assert!(stored.run_at <= Utc::now() + Days::seconds(1));

    // Same key while queued: no new job, and the answer names the pending one.
    let again = theset_jobs::enqueue(&mut conn, &record("a")).await.unwrap();
    assert_eq!(again, Enqueued::Duplicate(Some(id)));
    assert!(!again.is_new());
    // Another key is another job.
    assert!(
        theset_jobs::enqueue(&mut conn, &record("b"))
            .await
            .unwrap()
            .is_new()
    );

    // Once the job is done the key is free again...
    finish(&mut conn, id, JobState::Done).await;
    let after_done = theset_jobs::enqueue(&mut conn, &record("a")).await.unwrap();
    assert!(after_done.is_new());
    assert_ne!(after_done.id(), Some(id));
    // ...unless enqueued "once": then any kept job with the key blocks it.
    let once = NewJob::for_job(&record("a"))
        .unwrap()
        .dedup_key("period:1")
        .once();
    let Enqueued::New(period) = once.enqueue(&mut conn).await.unwrap() else {
        panic!("the first of a period is new")
    };
    finish(&mut conn, period, JobState::Done).await;
    assert_eq!(
        once.enqueue(&mut conn).await.unwrap(),
        Enqueued::Duplicate(Some(period))
    );

    // Jobs without a key never conflict.
    let plain = NewJob::new("test.record", serde_json::json!({"tag": "x"}));
    assert!(plain.enqueue(&mut conn).await.unwrap().is_new());
    assert!(plain.enqueue(&mut conn).await.unwrap().is_new());
}

#[tokio::test]
async fn racing_enqueues_of_one_key_make_one_job() {
    let db = database().await;
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let config = db.config_as("theset_service");
        tasks.push(tokio::spawn(async move {
            let mut conn = config.connect().await.unwrap();
            theset_jobs::enqueue(&mut conn, &record("contended"))
                .await
                .unwrap()
        }));
    }
    let mut new = 0;
    for task in tasks {
        if task.await.unwrap().is_new() {
            new += 1;
        }
    }
    assert_eq!(new, 1);
    let mut conn = db.conn().await;
    let stored: i64 = jobs::table
        .filter(jobs::dedup_key.eq("record:contended"))
        .count()
        .get_result(&mut conn)
        .await
        .unwrap();
    assert_eq!(stored, 1);
}

#[tokio::test]
async fn enqueue_options_and_bad_input() {
    let db = database().await;
    let mut conn = db.conn_as("theset_service").await;
    let later = Utc::now() + Days::hours(1);
    let id = NewJob::new("test.record", serde_json::json!({"tag": "later"}))
        .priority(7)
        .run_at(later)
        .max_attempts(2)
        .enqueue(&mut conn)
        .await
        .unwrap()
        .id()
        .unwrap();
    let stored = theset_jobs::get(&mut conn, id).await.unwrap();
    assert_eq!(stored.priority, 7);
    assert_eq!(stored.max_attempts, 2);
    assert!((stored.run_at - later).num_milliseconds().abs() < 1);

    let bad_kind = NewJob::new("Not A Kind", serde_json::json!({}))
        .enqueue(&mut conn)
        .await;
    assert!(matches!(bad_kind, Err(Error::Invalid(_))), "{bad_kind:?}");
    assert!(matches!(
        theset_jobs::get(&mut conn, theset_jobs::JobId(999_999)).await,
        Err(Error::NotFound(_))
    ));

    // By name and JSON, as the CLI enqueues: checked against the kind's type.
    let registry = registry();
    let built = registry
        .new_job("test.record", serde_json::json!({"tag": "cli"}))
        .unwrap();
    assert_eq!(built.key(), Some("record:cli"));
    assert!(built.enqueue(&mut conn).await.unwrap().is_new());
    assert!(matches!(
        registry.new_job("test.record", serde_json::json!({"tog": 1})),
        Err(Error::Payload { .. })
    ));
    let unknown = registry.new_job("nope", serde_json::json!({}));
    let Err(Error::UnknownKind { known, .. }) = unknown else {
        panic!("expected an unknown kind, got {unknown:?}")
    };
    assert!(known.contains("test.record"));
}

#[tokio::test]
async fn the_api_role_cannot_touch_the_queue() {
    let db = database().await;
    let mut api = db.conn_as("theset_api").await;
    let refused = theset_jobs::enqueue(&mut api, &record("api")).await;
    assert!(
        matches!(
            refused,
            Err(Error::Database(theset_database::Error::Forbidden(_)))
        ),
        "{refused:?}"
    );
    assert!(theset_jobs::list(&mut api, None, 10).await.is_err());
}

#[tokio::test]
async fn list_counts_retry_and_prune() {
    let db = database().await;
    let mut conn = db.conn_as("theset_service").await;
    let ids: Vec<_> = {
        let mut ids = Vec::new();
        for tag in ["one", "two", "three"] {
            ids.push(
                theset_jobs::enqueue(&mut conn, &record(tag))
                    .await
                    .unwrap()
                    .id()
                    .unwrap(),
            );
        }
        ids
    };
    finish(&mut conn, ids[0], JobState::Done).await;
    finish(&mut conn, ids[1], JobState::Failed).await;

    let listed = theset_jobs::list(&mut conn, None, 10).await.unwrap();
    assert_eq!(
        listed.iter().map(|j| j.id).collect::<Vec<_>>(),
        vec![ids[2], ids[1], ids[0]],
        "newest first"
    );
    let failed = theset_jobs::list(&mut conn, Some(JobState::Failed), 10)
        .await
        .unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].id, ids[1]);
    let counts = theset_jobs::counts(&mut conn).await.unwrap();
    let states: Vec<(JobState, i64)> = counts.iter().map(|c| (c.state, c.jobs)).collect();
    assert_eq!(
        states,
        vec![
            (JobState::Queued, 1),
            (JobState::Done, 1),
            (JobState::Failed, 1)
        ]
    );

    // Retrying: only failed jobs, and not beside a pending job with the same key.
    assert!(matches!(
        theset_jobs::retry(&mut conn, ids[2]).await,
        Err(Error::NotRetryable {
            state: JobState::Queued,
            ..
        })
    ));
    assert!(matches!(
        theset_jobs::retry(&mut conn, theset_jobs::JobId(424_242)).await,
        Err(Error::NotFound(_))
    ));
    let blocker = theset_jobs::enqueue(&mut conn, &record("two"))
        .await
        .unwrap();
    assert!(blocker.is_new());
    assert!(matches!(
        theset_jobs::retry(&mut conn, ids[1]).await,
        Err(Error::DuplicatePending { .. })
    ));
    finish(&mut conn, blocker.id().unwrap(), JobState::Done).await;
    let retried = theset_jobs::retry(&mut conn, ids[1]).await.unwrap();
    assert_eq!(retried.state, JobState::Queued);
    assert_eq!(retried.attempts, 0);
    assert_eq!(retried.finished_at, None);

    // Pruning: finished jobs older than the cut-offs go; pending ones stay.
    let pruned = theset_jobs::prune(
        &mut conn,
        Utc::now() + Days::seconds(5),
        Utc::now() - Days::days(1),
    )
    .await
    .unwrap();
    assert_eq!(pruned, 2, "the two done jobs");
    let left = theset_jobs::list(&mut conn, None, 10).await.unwrap();
    assert!(left.iter().all(|j| j.state == JobState::Queued));
    assert_eq!(left.len(), 2);
}

/// A scheduler whose enqueue starts while another's job of the same period is being enqueued
/// and finished must not add a second job once that one is done.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_once_key_is_not_enqueued_again_by_a_racer_after_its_job_finished() {
    use diesel_async::AsyncConnection;
    let db = database().await;
    let once = NewJob::for_job(&record("race"))
        .unwrap()
        .dedup_key("period:race")
        .once();
    let mut first = db.config_as("theset_service").connect().await.unwrap();
    let config = db.config_as("theset_service");
    let (id, racer) = first
        .transaction(async |conn| {
            let Enqueued::New(id) = once.enqueue(conn).await.unwrap() else {
                panic!("the first of a period is new")
            };
            finish(conn, id, JobState::Done).await;
            let racer = tokio::spawn({
                let once = once.clone();
                async move {
                    let mut conn = config.connect().await.unwrap();
                    once.enqueue(&mut conn).await.unwrap()
                }
            });
            // The racer waits for this transaction to end, however long it takes.
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            assert!(!racer.is_finished(), "the racer did not wait for the key");
            Ok::<_, diesel::result::Error>((id, racer))
        })
        .await
        .unwrap();
    assert_eq!(racer.await.unwrap(), Enqueued::Duplicate(Some(id)));
}
