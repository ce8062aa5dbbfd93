#![doc = include_str!("../README.md")]

mod error;
mod job;
mod listener;
mod queue;
mod registry;
mod runner;

pub use error::{Error, Result};
pub use job::{DEFAULT_QUEUE, GiveUp, Job, RetryAfter, give_up, retry_after};
pub use queue::{
    CHANNEL, Enqueued, JobId, JobRecord, KindCount, NewJob, counts, enqueue, get, list, prune,
    retry,
};
pub use registry::Registry;
pub use runner::{Redact, Runner, RunnerConfig, RunnerHandle, ShutdownReport, default_worker_id};
pub use theset_database::JobState;
/// Re-exported: a runner's stop signal.
pub use tokio_util::sync::CancellationToken;
