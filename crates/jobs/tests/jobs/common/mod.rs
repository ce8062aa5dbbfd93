//! Test jobs that record each execution in a table, so tests can count runs per job.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Int4, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use serde::{Deserialize, Serialize};
use theset_database::DbPool;
use theset_database::testing::TestDatabase;
use theset_jobs::{Job, JobId, JobRecord, JobState, Registry, RunnerConfig};

/// What every test job gets: the pool and the name of the runner it runs in.
#[derive(Clone)]
pub struct Ctx {
    pub pool: DbPool,
    pub runner: String,
}

/// A fresh database with the `executions` table the test jobs write to.
pub async fn database() -> TestDatabase {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    conn.batch_execute(
        "CREATE TABLE executions ( \
           id bigint GENERATED ALWAYS AS IDENTITY, tag text NOT NULL, runner text NOT NULL, \
           started_at timestamptz NOT NULL DEFAULT clock_timestamp(), finished_at timestamptz); \
         GRANT SELECT, INSERT, UPDATE ON executions TO theset_service;",
    )
    .await
    .unwrap();
    db
}

/// Records the start of an execution; returns its id and how many executions of `tag` began
/// before it.
async fn start(ctx: &Ctx, tag: &str) -> anyhow::Result<(i64, i64)> {
    #[derive(QueryableByName)]
    struct Started {
        #[diesel(sql_type = BigInt)]
        id: i64,
        #[diesel(sql_type = BigInt)]
        before: i64,
    }
    let mut conn = ctx.pool.get().await?;
    let row: Started = diesel::sql_query(
        "INSERT INTO executions (tag, runner) VALUES ($1, $2) \
         RETURNING id, (SELECT count(*) FROM executions WHERE tag = $1) AS before",
    )
    .bind::<Text, _>(tag)
    .bind::<Text, _>(&ctx.runner)
    .get_result(&mut conn)
    .await?;
    Ok((row.id, row.before))
}

async fn finish(ctx: &Ctx, execution: i64) -> anyhow::Result<()> {
    let mut conn = ctx.pool.get().await?;
    diesel::sql_query("UPDATE executions SET finished_at = clock_timestamp() WHERE id = $1")
        .bind::<BigInt, _>(execution)
        .execute(&mut conn)
        .await?;
    Ok(())
}

/// Records one execution, optionally sleeping in between start and finish.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    pub tag: String,
    #[serde(default)]
    pub sleep_ms: u64,
}

impl Job for Record {
    const KIND: &'static str = "test.record";
    type Context = Ctx;

    fn dedup_key(&self) -> Option<String> {
        Some(format!("record:{}", self.tag))
    }

    async fn run(self, ctx: Ctx) -> anyhow::Result<()> {
        let (execution, _) = start(&ctx, &self.tag).await?;
        tokio::time::sleep(Duration::from_millis(self.sleep_ms)).await;
        finish(&ctx, execution).await
    }
}

/// Always fails, after recording the attempt.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AlwaysFails {
    pub tag: String,
}

impl Job for AlwaysFails {
    const KIND: &'static str = "test.always-fails";
    const MAX_ATTEMPTS: i32 = 3;
    type Context = Ctx;

    async fn run(self, ctx: Ctx) -> anyhow::Result<()> {
        start(&ctx, &self.tag).await?;
        anyhow::bail!("boom number {}", 1 + 1)
    }
}

/// Fails permanently at once.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GivesUp {
    pub tag: String,
}

impl Job for GivesUp {
    const KIND: &'static str = "test.gives-up";
    const MAX_ATTEMPTS: i32 = 5;
    type Context = Ctx;

    async fn run(self, ctx: Ctx) -> anyhow::Result<()> {
        start(&ctx, &self.tag).await?;
        Err(theset_jobs::give_up(anyhow::anyhow!("the key is wrong")))
    }
}

/// Panics, after recording the attempt.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Panics {
    pub tag: String,
}

impl Job for Panics {
    const KIND: &'static str = "test.panics";
    const MAX_ATTEMPTS: i32 = 2;
    type Context = Ctx;

    async fn run(self, ctx: Ctx) -> anyhow::Result<()> {
        start(&ctx, &self.tag).await?;
        if !self.tag.is_empty() {
            panic!("deliberate panic in {}", self.tag);
        }
        Ok(())
    }
}

/// Sleeps `first_ms` on its first execution only, then finishes quickly.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SlowFirst {
    pub tag: String,
    pub first_ms: u64,
}

impl Job for SlowFirst {
    const KIND: &'static str = "test.slow-first";
    const MAX_ATTEMPTS: i32 = 3;
    type Context = Ctx;

    async fn run(self, ctx: Ctx) -> anyhow::Result<()> {
        let (execution, before) = start(&ctx, &self.tag).await?;
        if before == 0 {
            tokio::time::sleep(Duration::from_millis(self.first_ms)).await;
        }
        finish(&ctx, execution).await
    }
}

/// Takes longer than its timeout.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Hangs {
    pub tag: String,
}

impl Job for Hangs {
    const KIND: &'static str = "test.hangs";
    const MAX_ATTEMPTS: i32 = 1;
    const TIMEOUT: Duration = Duration::from_millis(300);
    type Context = Ctx;

    async fn run(self, ctx: Ctx) -> anyhow::Result<()> {
        start(&ctx, &self.tag).await?;
        tokio::time::sleep(Duration::from_secs(3600)).await;
        Ok(())
    }
}

pub fn registry() -> Registry<Ctx> {
    Registry::new()
        .register::<Record>()
        .register::<AlwaysFails>()
        .register::<GivesUp>()
        .register::<Panics>()
        .register::<SlowFirst>()
        .register::<Hangs>()
}

/// Fast settings for tests.
pub fn fast(worker: &str) -> RunnerConfig {
    RunnerConfig {
        worker_id: worker.to_owned(),
        concurrency: 4,
        poll_interval: Duration::from_millis(100),
        visibility_timeout: Duration::from_secs(1),
        shutdown_grace: Duration::from_secs(5),
        backoff_base: Duration::from_millis(200),
        backoff_max: Duration::from_secs(5),
    }
}

/// An execution as recorded.
#[derive(Debug, Clone, QueryableByName)]
pub struct Execution {
    #[diesel(sql_type = Text)]
    pub tag: String,
    #[diesel(sql_type = Text)]
    pub runner: String,
    #[diesel(sql_type = Timestamptz)]
    pub started_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub finished_at: Option<DateTime<Utc>>,
}

pub async fn executions(conn: &mut AsyncPgConnection, tag: &str) -> Vec<Execution> {
    diesel::sql_query(
        "SELECT tag, runner, started_at, finished_at FROM executions WHERE tag = $1 ORDER BY id",
    )
    .bind::<Text, _>(tag)
    .load(conn)
    .await
    .unwrap()
}

pub async fn all_executions(conn: &mut AsyncPgConnection) -> Vec<Execution> {
    diesel::sql_query("SELECT tag, runner, started_at, finished_at FROM executions ORDER BY id")
        .load(conn)
        .await
        .unwrap()
}

/// Polls until `check` holds (or panics after `limit`, describing what it waited for).
pub async fn wait_for<F, Fut>(what: &str, limit: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if check().await {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for: {what}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

pub async fn job(db: &TestDatabase, id: JobId) -> JobRecord {
    let mut conn = db.conn().await;
    theset_jobs::get(&mut conn, id).await.unwrap()
}

pub async fn state_counts(db: &TestDatabase) -> Vec<(JobState, i64)> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = theset_database::schema::sql_types::JobState)]
        state: JobState,
        #[diesel(sql_type = BigInt)]
        jobs: i64,
    }
    let mut conn = db.conn().await;
    let rows: Vec<Row> =
        diesel::sql_query("SELECT state, count(*) AS jobs FROM jobs GROUP BY state ORDER BY state")
            .load(&mut conn)
            .await
            .unwrap();
    rows.into_iter().map(|r| (r.state, r.jobs)).collect()
}

pub async fn count_in(db: &TestDatabase, state: JobState) -> i64 {
    state_counts(db)
        .await
        .into_iter()
        .find(|(s, _)| *s == state)
        .map_or(0, |(_, n)| n)
}

/// Enqueues `n` Record jobs in one statement (tags `prefix-1` ... `prefix-n`).
pub async fn enqueue_many(conn: &mut AsyncPgConnection, prefix: &str, n: i32, sleep_ms: i32) {
    diesel::sql_query(
        "INSERT INTO jobs (kind, payload) \
         SELECT 'test.record', jsonb_build_object('tag', $1 || '-' || i, 'sleep_ms', $3) \
         FROM generate_series(1, $2) AS i",
    )
    .bind::<Text, _>(prefix)
    .bind::<Int4, _>(n)
    .bind::<Int4, _>(sleep_ms)
    .execute(conn)
    .await
    .unwrap();
}
