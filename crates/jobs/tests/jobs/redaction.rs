//! `jobs.last_error` never stores a key: a handler's error quoting a provider's URL (with
//! Ticketmaster's `apikey` in its query string) or a token is redacted before it is stored.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use theset_jobs::{Job, JobState, Registry, Runner};

use crate::common::*;

const KEY: &str = "tm-SECRET-7f3a9c41";

/// Fails as an import used to when its provider was unreachable: reqwest's error text names
/// the request's URL, key included.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct LeakyImport {
    retryable: bool,
}

impl Job for LeakyImport {
    const KIND: &'static str = "test.leaky-import";
    const MAX_ATTEMPTS: i32 = 2;
    type Context = Ctx;

    async fn run(self, _ctx: Ctx) -> anyhow::Result<()> {
        let error = anyhow::anyhow!(
            "Ticketmaster: unavailable: events: connection failed: error sending request for url \
             (https://app.ticketmaster.com/discovery/v2/events.json?apikey={KEY}&size=200&page=0); \
             retried with Authorization: Bearer {KEY}"
        )
        .context("importing attraction K8vZ9171ob7");
        if self.retryable {
            Err(error)
        } else {
            Err(theset_jobs::give_up(error))
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_jobs_last_error_names_no_key() {
    let db = database().await;
    let config = fast("redactor");
    let pool = db.pool_as("theset_service", config.concurrency + 2);
    let ctx = Ctx {
        pool: pool.clone(),
        runner: config.worker_id.clone(),
    };
    let registry: Registry<Ctx> = Registry::new().register::<LeakyImport>();
    // As the worker runs it.
    let runner = Runner::new(pool, registry, ctx)
        .config(config)
        .redact_with(theset_providers::redact::redact)
        .spawn();

    let mut ids = Vec::new();
    for retryable in [false, true] {
        let mut conn = db.conn_as("theset_service").await;
        let id = theset_jobs::enqueue(&mut conn, &LeakyImport { retryable })
            .await
            .unwrap()
            .id()
            .unwrap();
        ids.push(id);
    }
    let db = &db;
    for id in ids {
        wait_for(
            &format!("job {id} to fail"),
            Duration::from_secs(20),
            move || async move { job(db, id).await.state == JobState::Failed },
        )
        .await;
        let error = job(db, id).await.last_error.unwrap();
        assert!(!error.contains(KEY), "the key was stored: {error}");
        // The rest of the message is kept: what failed, and where.
        assert!(
            error.starts_with("importing attraction K8vZ9171ob7: Ticketmaster: unavailable"),
            "{error}"
        );
        assert!(
            error.contains("events.json?apikey=[redacted]&size=200&page=0"),
            "{error}"
        );
        assert!(error.contains("Authorization: [redacted]"), "{error}");
    }
    runner.shutdown().await.unwrap();
}

/// Asks for a retry in about 30 million years (a provider's `Retry-After` gone wrong).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct FarFuture {}

impl Job for FarFuture {
    const KIND: &'static str = "test.far-future";
    const MAX_ATTEMPTS: i32 = 3;
    type Context = Ctx;

    async fn run(self, _ctx: Ctx) -> anyhow::Result<()> {
        Err(theset_jobs::retry_after(
            Duration::from_secs(1 << 50),
            anyhow::anyhow!("429 Too Many Requests"),
        ))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_retry_delay_parks_a_job_for_a_day_at_most() {
    let db = database().await;
    let config = fast("patient");
    let pool = db.pool_as("theset_service", config.concurrency + 2);
    let ctx = Ctx {
        pool: pool.clone(),
        runner: config.worker_id.clone(),
    };
    let registry: Registry<Ctx> = Registry::new().register::<FarFuture>();
    let runner = Runner::new(pool, registry, ctx).config(config).spawn();
    let mut conn = db.conn_as("theset_service").await;
    let id = theset_jobs::enqueue(&mut conn, &FarFuture {})
        .await
        .unwrap()
        .id()
        .unwrap();
    let db = &db;
    wait_for(
        "the attempt to be recorded",
        Duration::from_secs(20),
        move || async move { job(db, id).await.attempts == 1 },
    )
    .await;
    let record = job(db, id).await;
    assert_eq!(record.state, JobState::Queued, "{record:?}");
    let wait = record.run_at - chrono::Utc::now();
    assert!(
        wait > chrono::Duration::hours(23) && wait <= chrono::Duration::hours(24),
        "parked for {wait}"
    );
    runner.shutdown().await.unwrap();
}
