//! Jobs per second through the queue (run by `scripts/bench-jobs`): N no-op jobs are inserted,
//! then runners (two by default, each with its own pool and LISTEN connection, as two worker
//! processes would have) take, run and finish them; the clock runs from the runners' start to
//! the last job done. Also measured: enqueueing one job per statement from one connection.
//!
//! Arguments: `--jobs N` (20000), `--rounds R` (3), `--workers W` (2), `--concurrency C` (8 per
//! worker).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss
)]

use std::time::{Duration, Instant};

use diesel::sql_types::{Bool, Int4};
use diesel::{QueryableByName, sql_query};
use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
use serde::{Deserialize, Serialize};
use theset_database::testing::TestDatabase;
use theset_jobs::{Job, NewJob, Registry, Runner, RunnerConfig};

#[derive(Serialize, Deserialize)]
struct Noop {}

impl Job for Noop {
    const KIND: &'static str = "bench.noop";
    type Context = ();

    async fn run(self, _ctx: ()) -> anyhow::Result<()> {
        Ok(())
    }
}

struct Args {
    jobs: usize,
    rounds: usize,
    workers: usize,
    concurrency: usize,
}

fn args() -> Args {
    let mut args = Args {
        jobs: 20_000,
        rounds: 3,
        workers: 2,
        concurrency: 8,
    };
    let raw: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i < raw.len() {
        let value = raw.get(i + 1).and_then(|v| v.parse::<usize>().ok());
        match (raw[i].as_str(), value) {
            ("--jobs", Some(v)) => args.jobs = v,
            ("--rounds", Some(v)) => args.rounds = v,
            ("--workers", Some(v)) => args.workers = v,
            ("--concurrency", Some(v)) => args.concurrency = v,
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    args
}

#[derive(QueryableByName)]
struct Pending {
    #[diesel(sql_type = Bool)]
    pending: bool,
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

async fn round(db: &TestDatabase, args: &Args) -> f64 {
    let mut conn = db.conn().await;
    conn.batch_execute("TRUNCATE jobs").await.unwrap();
    sql_query(
        "INSERT INTO jobs (kind, payload) SELECT 'bench.noop', '{}' FROM generate_series(1, $1)",
    )
    .bind::<Int4, _>(i32::try_from(args.jobs).unwrap())
    .execute(&mut conn)
    .await
    .unwrap();
    conn.batch_execute("VACUUM ANALYZE jobs").await.unwrap();

    let runners: Vec<Runner<()>> = (0..args.workers)
        .map(|w| {
            let pool = db.pool_as("theset_service", args.concurrency + 3);
            Runner::new(pool, Registry::new().register::<Noop>(), ())
                .config(RunnerConfig {
                    worker_id: format!("bench-{w}"),
                    concurrency: args.concurrency,
                    poll_interval: Duration::from_millis(500),
                    ..RunnerConfig::default()
                })
                .listen(db.config_as("theset_service"))
        })
        .collect();
    let started = Instant::now();
    let handles: Vec<_> = runners.into_iter().map(Runner::spawn).collect();
    loop {
        let pending: Pending = sql_query(
            "SELECT EXISTS (SELECT 1 FROM jobs WHERE state IN ('queued', 'running')) AS pending",
        )
        .get_result(&mut conn)
        .await
        .unwrap();
        if !pending.pending {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let elapsed = started.elapsed();
    for handle in handles {
        handle.shutdown().await.unwrap();
    }
    args.jobs as f64 / elapsed.as_secs_f64()
}

async fn enqueue_rate(db: &TestDatabase, jobs: usize) -> f64 {
    let mut conn = db.conn_as("theset_service").await;
    let job = NewJob::for_job(&Noop {}).unwrap();
    let started = Instant::now();
    for _ in 0..jobs {
        job.enqueue(&mut conn).await.unwrap();
    }
    jobs as f64 / started.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    let args = args();
    let db = TestDatabase::new().await;
    println!(
        "== {} no-op jobs, {} worker(s) x {} concurrent, {} rounds",
        args.jobs, args.workers, args.concurrency, args.rounds
    );
    let mut rates = Vec::new();
    for i in 1..=args.rounds {
        let rate = round(&db, &args).await;
        println!("round {i}: {rate:.0} jobs/s");
        rates.push(rate);
    }
    let enqueue = enqueue_rate(&db, 5_000).await;
    println!("enqueue, one statement per job from one connection: {enqueue:.0} jobs/s");
    println!(
        "RESULT jobs_per_s={:.0} workers={} concurrency={} jobs={} enqueue_per_s={enqueue:.0}",
        median(&mut rates),
        args.workers,
        args.concurrency,
        args.jobs
    );
}
