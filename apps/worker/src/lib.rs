#![doc = include_str!("../README.md")]

pub mod config;
pub mod schedules;

use std::sync::Arc;

use theset_jobs::{Runner, RunnerConfig, ShutdownReport};
use tokio_util::sync::CancellationToken;

pub use config::{ConfigError, Intervals, QUICK_CONCURRENCY, WorkerConfig};
pub use schedules::{Enabled, Schedule, Scheduler, schedules};
pub use theset_tasks::{JobContext, JobSettings, quick_registry, registry};

/// Runs the worker until `stop` is cancelled: the job runner (listening for new jobs on a
/// connection of its own), the quick runner beside it (only the quick kinds, on
/// [`QUICK_CONCURRENCY`] slots of its own, so long imports never delay vote totals and live
/// scores) and, unless turned off, the scheduler. Returns once running jobs have finished or been
/// released (within `WORKER_SHUTDOWN_GRACE_SECS`).
pub async fn run(config: WorkerConfig, stop: CancellationToken) -> anyhow::Result<ShutdownReport> {
    if config.database.user() != Some("theset_service") {
        tracing::warn!(
            user = config.database.user(),
            "the worker should connect as theset_service (WORKER_DATABASE_URL)"
        );
    }
    let pool = config.database.build_pool()?;
    // One client per provider for the whole process (each holds its rate limiter); a missing
    // key disables its provider with a warning.
    let providers = Arc::new(theset_providers::Providers::from_env()?);
    let enabled = Enabled::of(&providers);
    let context = JobContext {
        pool: pool.clone(),
        settings: Arc::new(config.jobs.clone()),
        providers,
    };
    let quick = Runner::new(pool.clone(), quick_registry(), context.clone())
        .config(quick_runner(&config.runner))
        .listen(config.database.clone())
        .redact_with(theset_providers::redact::redact);
    let quick = tokio::spawn(quick.run(stop.clone()));
    let runner = Runner::new(pool.clone(), registry(), context)
        .config(config.runner.clone())
        .listen(config.database.clone())
        .redact_with(theset_providers::redact::redact);
    let runner = tokio::spawn(runner.run(stop.clone()));
    let scheduler = config.schedules.then(|| {
        tokio::spawn(Scheduler::new(pool, schedules(&config.intervals, enabled)).run(stop.clone()))
    });
    let mut report = runner.await?;
    let quick = quick.await?;
    report.finished += quick.finished;
    report.released.extend(quick.released);
    if let Some(scheduler) = scheduler {
        scheduler.await?;
    }
    Ok(report)
}

/// The quick runner's settings: the main runner's, on its own slots and under its own name
/// (`jobs.locked_by` names one runner).
pub fn quick_runner(main: &RunnerConfig) -> RunnerConfig {
    RunnerConfig {
        worker_id: format!("{}:quick", main.worker_id),
        concurrency: QUICK_CONCURRENCY,
        ..main.clone()
    }
}
