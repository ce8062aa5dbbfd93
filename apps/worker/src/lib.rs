#![doc = include_str!("../README.md")]

pub mod config;
pub mod schedules;

use std::sync::Arc;

use theset_jobs::{Runner, RunnerConfig, ShutdownReport};
use theset_providers::config::Budget;
use tokio_util::sync::CancellationToken;

pub use config::{ConfigError, Intervals, QueueSettings, WorkerConfig, queue_setting};
pub use schedules::{Enabled, Schedule, Scheduler, schedules};
pub use theset_tasks::{JobContext, JobSettings, PgBudget, queues, registry};

/// Runs the worker until `stop` is cancelled: one job runner per configured queue (each taking
/// only its queue's jobs on its own `WORKER_QUEUE_<NAME>_CONCURRENCY` slots and listening for
/// new jobs on a connection of its own, so long imports never delay maintenance, vote totals or
/// live scores) and, unless turned off, the scheduler. The provider clients ask the budget in
/// PostgreSQL ([`PgBudget`]) before every request, so rate limits and daily quotas hold for
/// all workers together. Returns once running jobs have finished or been released (within
/// `WORKER_SHUTDOWN_GRACE_SECS`).
pub async fn run(config: WorkerConfig, stop: CancellationToken) -> anyhow::Result<ShutdownReport> {
    if config.database.user() != Some("theset_service") {
        tracing::warn!(
            user = config.database.user(),
            "the worker should connect as theset_service (WORKER_DATABASE_URL)"
        );
    }
    let pool = config.database.build_pool()?;
    // One client per provider for the whole process; a missing key disables its provider with
    // a warning. Their rate limits and quotas are shared with every other worker.
    let budget: Arc<dyn Budget> = Arc::new(PgBudget::new(pool.clone()));
    let providers = Arc::new(theset_tasks::budget::providers_from_env(&budget)?);
    let enabled = Enabled::of(&providers);
    let context = JobContext {
        pool: pool.clone(),
        settings: Arc::new(config.jobs.clone()),
        providers,
    };
    let runners: Vec<_> = runners(&config, &context)
        .into_iter()
        .map(|runner| tokio::spawn(runner.run(stop.clone())))
        .collect();
    let scheduler = config.schedules.then(|| {
        tokio::spawn(Scheduler::new(pool, schedules(&config.intervals, enabled)).run(stop.clone()))
    });
    let mut report = ShutdownReport::default();
    for runner in runners {
        let done = runner.await?;
        report.finished += done.finished;
        report.released.extend(done.released);
    }
    if let Some(scheduler) = scheduler {
        scheduler.await?;
    }
    Ok(report)
}

/// The worker's runners, one per queue with slots, over `context`'s pool.
pub fn runners(config: &WorkerConfig, context: &JobContext) -> Vec<Runner<JobContext>> {
    config
        .queues
        .iter()
        .filter(|q| q.concurrency > 0)
        .map(|queue| {
            Runner::new(context.pool.clone(), registry(), context.clone())
                .queues([queue.name])
                .config(queue_runner(&config.runner, queue))
                .listen(config.database.clone())
                .redact_with(theset_providers::redact::redact)
        })
        .collect()
}

/// One queue's runner settings: the shared ones, on the queue's own slots and under a name of
/// its own (`<WORKER_ID>:<queue>`: `jobs.locked_by` names one runner).
pub fn queue_runner(shared: &RunnerConfig, queue: &QueueSettings) -> RunnerConfig {
    RunnerConfig {
        worker_id: format!("{}:{}", shared.worker_id, queue.name),
        concurrency: queue.concurrency,
        ..shared.clone()
    }
}
