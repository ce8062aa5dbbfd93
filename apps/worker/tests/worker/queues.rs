//! Named queues and shared provider budgets: maintenance runs while the imports queue is
//! saturated; two workers (two pools, two budgets over one database) together keep within a
//! provider's per-second rate and never pass its daily quota.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use theset_database::JobState;
use theset_database::schema::jobs;
use theset_database::testing::TestDatabase;
use theset_jobs::{JobId, RunnerConfig};
use theset_providers::config::Budget;
use theset_providers::{ErrorKind, Providers, SetlistFmConfig, TicketmasterConfig};
use theset_worker::{Intervals, JobContext, JobSettings, PgBudget, QueueSettings, WorkerConfig};
use tokio_util::sync::CancellationToken;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate, matchers::method};

fn config(db: &TestDatabase, queues: Vec<QueueSettings>) -> WorkerConfig {
    WorkerConfig {
        database: db.config_as("theset_service"),
        runner: RunnerConfig {
            worker_id: "queues".to_owned(),
            concurrency: 1,
            poll_interval: Duration::from_millis(100),
            visibility_timeout: Duration::from_secs(30),
            shutdown_grace: Duration::from_millis(100),
            backoff_base: Duration::from_millis(100),
            backoff_max: Duration::from_secs(1),
        },
        queues,
        schedules: false,
        intervals: Intervals::default(),
        jobs: JobSettings::default(),
    }
}

async fn enqueue(db: &TestDatabase, kind: &str, payload: serde_json::Value) -> JobId {
    theset_worker::registry()
        .new_job(kind, payload)
        .unwrap()
        .enqueue(&mut db.conn_as("theset_service").await)
        .await
        .unwrap()
        .id()
        .unwrap()
}

async fn state(db: &TestDatabase, id: JobId) -> JobState {
    jobs::table
        .find(id)
        .select(jobs::state)
        .first(&mut db.conn().await)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn maintenance_runs_while_the_imports_queue_is_saturated() {
    let db = TestDatabase::new().await;
    // Ticketmaster answers after a minute: every import holds its slot meanwhile.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).set_delay(Duration::from_secs(60)))
        .mount(&server)
        .await;
    let mut tm = TicketmasterConfig::new("tm-key", &server.uri());
    tm.http.requests_per_second = 100.0;
    let pool = db.pool_as("theset_service", 12);
    let context = JobContext {
        pool: pool.clone(),
        settings: Arc::new(JobSettings::default()),
        providers: Arc::new(
            theset_tasks::budget::providers_with(
                &(Arc::new(PgBudget::new(pool.clone())) as Arc<dyn Budget>),
                None,
                Some(tm),
                None,
            )
            .unwrap(),
        ),
    };
    let config = config(
        &db,
        vec![
            QueueSettings {
                name: "maintenance",
                concurrency: 1,
            },
            QueueSettings {
                name: "imports",
                concurrency: 2,
            },
        ],
    );
    let mut imports = Vec::new();
    for i in 0..4 {
        imports.push(
            enqueue(
                &db,
                "ticketmaster_sync_artist",
                serde_json::json!({"attraction_id": format!("K8vZ917{i}")}),
            )
            .await,
        );
    }
    let stop = CancellationToken::new();
    let runners: Vec<_> = theset_worker::runners(&config, &context)
        .into_iter()
        .map(|runner| tokio::spawn(runner.run(stop.clone())))
        .collect();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mut running = 0;
        for id in &imports {
            running += usize::from(state(&db, *id).await == JobState::Running);
        }
        if running == 2 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the imports never filled their slots"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Every imports slot is held, two imports wait; maintenance jobs still run at once.
    let started = Instant::now();
    let statuses = enqueue(&db, "advance_show_statuses", serde_json::json!({})).await;
    let trending = enqueue(&db, "recompute_trending", serde_json::json!({})).await;
    for id in [statuses, trending] {
        while state(&db, id).await != JobState::Done {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "maintenance job {id} waited behind the imports"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let mut waiting = 0;
    for id in &imports {
        waiting += usize::from(state(&db, *id).await == JobState::Queued);
    }
    assert_eq!(waiting, 2, "the imports queue stayed saturated");

    stop.cancel();
    for runner in runners {
        runner.await.unwrap();
    }
}

/// Records when each request arrived.
#[derive(Clone, Default)]
struct Arrivals(Arc<Mutex<Vec<Instant>>>);

impl Respond for Arrivals {
    fn respond(&self, _request: &Request) -> ResponseTemplate {
        self.0.lock().unwrap().push(Instant::now());
        ResponseTemplate::new(404)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_share_one_rate_and_one_daily_quota() {
    const RATE: usize = 10;
    const QUOTA: u32 = 25;
    let db = TestDatabase::new().await;
    let server = MockServer::start().await;
    let arrivals = Arrivals::default();
    Mock::given(method("GET"))
        .respond_with(arrivals.clone())
        .mount(&server)
        .await;
    // Two workers: each its own pool, budget and client, sharing only the database.
    let clients: Vec<Arc<Providers>> = (0..2)
        .map(|_| {
            let mut sfm = SetlistFmConfig::new("sfm-key", &server.uri());
            sfm.http.requests_per_second = 10.0;
            sfm.http.daily_quota = Some(QUOTA);
            let budget: Arc<dyn Budget> = Arc::new(PgBudget::new(db.pool_as("theset_service", 4)));
            Arc::new(theset_tasks::budget::providers_with(&budget, Some(sfm), None, None).unwrap())
        })
        .collect();
    // Four callers per worker, each calling until the quota refuses it.
    let mut callers = Vec::new();
    for providers in &clients {
        for caller in 0..4 {
            let providers = providers.clone();
            callers.push(tokio::spawn(async move {
                let client = providers.setlistfm.as_ref().unwrap();
                let mut sent = 0;
                loop {
                    match client.setlist(&format!("s{caller}-{sent}")).await {
                        // 404: an unknown setlist, as the mock answers everything.
                        Err(e) if e.kind() == ErrorKind::NotFound => sent += 1,
                        Err(e) => return (sent, e),
                        Ok(_) => panic!("the mock answers 404"),
                    }
                    assert!(sent < 100, "the quota never refused");
                }
            }));
        }
    }
    let mut total = 0;
    for caller in callers {
        let (sent, error) = caller.await.unwrap();
        total += sent;
        assert_eq!(error.kind(), ErrorKind::RateLimited, "{error}");
        let retry = error.retry_after().unwrap();
        // Retried after the next UTC midnight: within a day, and more than a moment away
        // unless the test runs at midnight.
        assert!(retry <= Duration::from_secs(24 * 3600 + 60), "{retry:?}");
    }
    let times = arrivals.0.lock().unwrap().clone();
    assert_eq!(
        times.len(),
        QUOTA as usize,
        "the daily quota is never passed"
    );
    assert_eq!(total, QUOTA as usize);
    // Within the per-second budget: any RATE + 1 consecutive requests span about a second. A
    // request reaches the mock late when its sender wakes late (a loaded machine), never early,
    // so a late first one shortens a window: 800 ms allows for that and still fails a budget
    // each process kept for itself (two workers: half a second).
    let rate = RATE;
    for window in times.windows(rate + 1) {
        let span = window[rate] - window[0];
        assert!(
            span >= Duration::from_millis(800),
            "{} requests within {span:?}",
            rate + 1
        );
    }
}
