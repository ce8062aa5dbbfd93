//! The runner: takes due jobs (up to its concurrency), runs each in a task of its own, records
//! the outcome, and keeps the leases of running jobs alive.
//!
//! - **Taking**: `FOR UPDATE SKIP LOCKED`, so any number of runners (in any number of processes)
//!   share one queue and no job is taken twice. A runner wakes on a NOTIFY (a job became queued)
//!   or, failing that, every poll interval, and whenever one of its jobs finishes.
//! - **Leases**: a taken job is `running` with `locked_at`/`locked_by`. A heartbeat renews the
//!   leases of the runner's jobs every third of the visibility timeout. A lease not renewed for
//!   the visibility timeout (the worker was killed, or hung) is expired by any runner, and the
//!   job is queued again. A runner that cannot renew a lease in time stops that job itself, so a
//!   job never runs in two places at once; a runner that finds a lease taken back stops it too.
//! - **Failures**: an error, a panic (caught around the job's future, so only that job fails) or
//!   the kind's timeout fail the attempt; the job is retried after an exponential backoff with
//!   jitter until its attempts run out, then kept as `failed` with its last error.
//! - **Shutdown**: stop taking, let running jobs finish within the grace period, then stop the
//!   rest and give them back to the queue without counting the interrupted attempt.

use std::any::Any;
use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use futures_util::FutureExt;
use theset_database::{DatabaseConfig, DbPool, JobState};
use tokio::sync::Notify;
use tokio::task::{AbortHandle, JoinError, JoinHandle, JoinSet};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::job::{Disposition, disposition, give_up};
use crate::listener;
use crate::queue::{self, JobId, JobRecord, NextAttempt};
use crate::registry::Registry;

/// How a runner behaves. `Default` gives production values; every field is public so that
/// settings (and tests) can change any of them.
#[derive(Debug, Clone)]
pub struct RunnerConfig {
    /// Names this runner in `jobs.locked_by`; unique per runner.
    pub worker_id: String,
    /// Jobs run at once.
    pub concurrency: usize,
    /// Longest wait for work without a notification; also how often expired leases are looked for.
    pub poll_interval: Duration,
    /// A running job whose lease is not renewed for this long is taken back (its worker is
    /// presumed dead). Leases are renewed every third of it.
    pub visibility_timeout: Duration,
    /// On shutdown, how long running jobs may take to finish before they are stopped and released.
    pub shutdown_grace: Duration,
    /// The first retry waits about this long (between half and all of it)...
    pub backoff_base: Duration,
    /// ...each next one twice as long, up to this.
    pub backoff_max: Duration,
}

impl Default for RunnerConfig {
    fn default() -> Self {
        Self {
            worker_id: default_worker_id(),
            concurrency: 4,
            poll_interval: Duration::from_secs(2),
            visibility_timeout: Duration::from_secs(60),
            shutdown_grace: Duration::from_secs(30),
            backoff_base: Duration::from_secs(10),
            backoff_max: Duration::from_secs(3600),
        }
    }
}

impl RunnerConfig {
    /// How often leases are renewed: a third of the visibility timeout.
    pub fn heartbeat_interval(&self) -> Duration {
        (self.visibility_timeout / 3).max(Duration::from_millis(10))
    }
}

/// `host:pid:random`, unique per runner.
pub fn default_worker_id() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "worker".to_owned());
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("{host}:{}:{}", std::process::id(), &random[..6])
}

/// What a graceful shutdown did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShutdownReport {
    /// Jobs that finished during the grace period.
    pub finished: usize,
    /// Jobs stopped at the end of the grace period and given back to the queue.
    pub released: Vec<JobId>,
}

struct Lease {
    abort: AbortHandle,
    /// When the latest successful renewal (or the take) was sent: the lease holds until
    /// `renewed + visibility_timeout` at the earliest.
    renewed: Instant,
    /// The job has returned and its outcome is being recorded.
    finishing: bool,
}

struct Shared<C> {
    pool: DbPool,
    registry: Registry<C>,
    context: C,
    config: RunnerConfig,
    redact: Redact,
    leases: Mutex<HashMap<JobId, Lease>>,
}

impl<C> Shared<C> {
    fn leases(&self) -> MutexGuard<'_, HashMap<JobId, Lease>> {
        self.leases.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Runs the jobs of a [`Registry`] from the queue. Build it, then [`Runner::spawn`] it (or
/// [`Runner::run`] it until a token is cancelled).
pub struct Runner<C> {
    pool: DbPool,
    registry: Registry<C>,
    context: C,
    config: RunnerConfig,
    listen: Option<DatabaseConfig>,
    redact: Redact,
    /// `None`: every queue of the registry's kinds.
    queues: Option<Vec<String>>,
}

/// Cleans a failed attempt's error text before it is logged or stored as `last_error` (which
/// the CLI prints): the worker passes `theset_providers::redact::redact`, so no key reaches either.
pub type Redact = fn(&str) -> String;

impl<C> std::fmt::Debug for Runner<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runner")
            .field("registry", &self.registry)
            .field("config", &self.config)
            .field("listen", &self.listen.is_some())
            .field("queues", &self.queues)
            .finish()
    }
}

impl<C: Clone + Send + Sync + 'static> Runner<C> {
    /// A runner over `pool` (which also serves the queue's own statements: size it at least
    /// `concurrency + 2`), running the kinds of `registry`, each with a clone of `context`.
    pub fn new(pool: DbPool, registry: Registry<C>, context: C) -> Self {
        Self {
            pool,
            registry,
            context,
            config: RunnerConfig::default(),
            listen: None,
            redact: str::to_owned,
            queues: None,
        }
    }

    /// Takes only the jobs of these queues (default: every queue its registry's kinds name).
    /// A worker runs one runner per queue, each with its own concurrency, so a queue whose jobs
    /// run for minutes (imports) never holds up another's (maintenance, scores).
    pub fn queues<I, Q>(mut self, queues: I) -> Self
    where
        I: IntoIterator<Item = Q>,
        Q: Into<String>,
    {
        self.queues = Some(queues.into_iter().map(Into::into).collect());
        self
    }

    /// Passes every error's text through `redact` before it is logged or stored.
    pub fn redact_with(mut self, redact: Redact) -> Self {
        self.redact = redact;
        self
    }

    pub fn config(mut self, config: RunnerConfig) -> Self {
        self.config = config;
        self
    }

    /// Wake on NOTIFY, through a connection of its own opened with these settings. Without it
    /// the runner only polls.
    pub fn listen(mut self, database: DatabaseConfig) -> Self {
        self.listen = Some(database);
        self
    }

    /// Starts the runner on the tokio runtime.
    pub fn spawn(self) -> RunnerHandle {
        let stop = CancellationToken::new();
        let worker_id = self.config.worker_id.clone();
        let task = tokio::spawn(self.run(stop.clone()));
        RunnerHandle {
            worker_id,
            stop,
            task,
        }
    }

    /// Runs until `stop` is cancelled, then shuts down gracefully.
    pub async fn run(self, stop: CancellationToken) -> ShutdownReport {
        let Runner {
            pool,
            registry,
            context,
            config,
            listen,
            redact,
            queues,
        } = self;
        let kinds: Vec<String> = registry.kinds().into_iter().map(str::to_owned).collect();
        let queues: Vec<String> =
            queues.unwrap_or_else(|| registry.queues().into_iter().map(str::to_owned).collect());
        let shared = Arc::new(Shared {
            pool,
            registry,
            context,
            config,
            redact,
            leases: Mutex::new(HashMap::new()),
        });
        let config = &shared.config;
        let concurrency = config.concurrency.max(1);
        tracing::info!(worker = %config.worker_id, concurrency, queues = ?queues, kinds = ?kinds, "job runner started");

        let wake = Arc::new(Notify::new());
        let background_stop = CancellationToken::new();
        let mut background = JoinSet::new();
        if let Some(database) = listen {
            background.spawn(listener::listen(
                database,
                wake.clone(),
                background_stop.clone(),
            ));
        }
        background.spawn(heartbeat(shared.clone(), background_stop.clone()));

        let mut running: JoinSet<()> = JoinSet::new();
        let mut next_reap = Instant::now();
        loop {
            if stop.is_cancelled() {
                break;
            }
            // Jobs that finished meanwhile free their slots first, so one take fills them all.
            while let Some(joined) = running.try_join_next() {
                log_join(joined);
            }
            if Instant::now() >= next_reap {
                next_reap = Instant::now() + config.poll_interval;
                reap(&shared).await;
            }
            let free = concurrency.saturating_sub(running.len());
            if free > 0 {
                take_and_start(&shared, &queues, &kinds, free, &mut running).await;
            }
            let full = running.len() >= concurrency;
            tokio::select! {
                biased;
                () = stop.cancelled() => break,
                Some(joined) = running.join_next(), if !running.is_empty() => log_join(joined),
                () = wake.notified(), if !full => {}
                () = tokio::time::sleep(config.poll_interval) => {}
            }
        }

        let report = shut_down(&shared, &mut running).await;
        background_stop.cancel();
        background.shutdown().await;
        tracing::info!(
            worker = %config.worker_id,
            finished = report.finished,
            released = report.released.len(),
            "job runner stopped"
        );
        report
    }
}

/// A running runner.
#[derive(Debug)]
pub struct RunnerHandle {
    worker_id: String,
    stop: CancellationToken,
    task: JoinHandle<ShutdownReport>,
}

impl RunnerHandle {
    pub fn worker_id(&self) -> &str {
        &self.worker_id
    }

    /// Cancelling it starts a graceful shutdown (as [`RunnerHandle::shutdown`] does).
    pub fn stop_token(&self) -> CancellationToken {
        self.stop.clone()
    }

    /// Stops taking jobs, lets running ones finish within the grace period, releases the rest.
    pub async fn shutdown(self) -> Result<ShutdownReport, JoinError> {
        self.stop.cancel();
        self.task.await
    }

    /// Waits for the runner to stop (after its stop token was cancelled).
    pub async fn join(self) -> Result<ShutdownReport, JoinError> {
        self.task.await
    }

    /// Stops everything at once, recording nothing, as if the process were killed: running
    /// jobs keep their lease until it expires and are then taken again.
    pub fn abort(self) {
        self.task.abort();
    }
}

async fn take_and_start<C: Clone + Send + Sync + 'static>(
    shared: &Arc<Shared<C>>,
    queues: &[String],
    kinds: &[String],
    free: usize,
    running: &mut JoinSet<()>,
) {
    let sent = Instant::now();
    let taken = async {
        let mut conn = shared.pool.get().await?;
        let limit = i64::try_from(free).unwrap_or(i64::MAX);
        Ok::<_, crate::Error>(
            queue::take(&mut conn, &shared.config.worker_id, queues, kinds, limit).await?,
        )
    }
    .await;
    match taken {
        Ok(jobs) => {
            let mut leases = shared.leases();
            for job in jobs {
                let id = job.id;
                // Spawned under the lock, so the task cannot finish before its lease is known.
                let abort = running.spawn(execute(shared.clone(), job));
                leases.insert(
                    id,
                    Lease {
                        abort,
                        renewed: sent,
                        finishing: false,
                    },
                );
            }
        }
        Err(e) => tracing::warn!(error = %e, "cannot take jobs"),
    }
}

async fn execute<C: Clone + Send + Sync + 'static>(shared: Arc<Shared<C>>, job: JobRecord) {
    let span = tracing::info_span!("job", id = %job.id, kind = %job.kind, attempt = job.attempts);
    async move {
        let started = Instant::now();
        let result = match shared.registry.handler(&job.kind) {
            None => Err(give_up(anyhow::anyhow!(
                "this worker has no handler for {:?}",
                job.kind
            ))),
            Some(handler) => {
                let future = (handler.run)(shared.context.clone(), job.payload.clone());
                match tokio::time::timeout(handler.timeout, AssertUnwindSafe(future).catch_unwind())
                    .await
                {
                    Err(_) => Err(anyhow::anyhow!("timed out after {:?}", handler.timeout)),
                    Ok(Err(panic)) => Err(anyhow::anyhow!("panicked: {}", panic_message(&*panic))),
                    Ok(Ok(result)) => result,
                }
            }
        };
        if let Some(lease) = shared.leases().get_mut(&job.id) {
            lease.finishing = true;
        }
        record(&shared, &job, result, started.elapsed()).await;
        shared.leases().remove(&job.id);
    }
    .instrument(span)
    .await;
}

fn panic_message(panic: &(dyn Any + Send)) -> String {
    if let Some(text) = panic.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = panic.downcast_ref::<String>() {
        text.clone()
    } else {
        "(a panic without a message)".to_owned()
    }
}

/// Writes the outcome, retrying briefly when the database is unreachable (if it stays so, the
/// lease expires and the job runs again: jobs are idempotent).
async fn record<C>(
    shared: &Shared<C>,
    job: &JobRecord,
    result: anyhow::Result<()>,
    elapsed: Duration,
) {
    let worker = &shared.config.worker_id;
    // Logged and stored (`last_error`, which the CLI prints): never with a key in it.
    let error = result
        .as_ref()
        .err()
        .map(|e| (shared.redact)(&format!("{e:#}")));
    let next = match &result {
        Ok(()) => NextAttempt::Never,
        Err(e) => match disposition(e) {
            Disposition::GiveUp => NextAttempt::Never,
            Disposition::After(after) => NextAttempt::After(after),
            Disposition::Backoff => NextAttempt::Backoff {
                base: shared.config.backoff_base,
                max: shared.config.backoff_max,
            },
        },
    };
    for delay in [100, 500, 2000, 0] {
        let written = async {
            let mut conn = shared.pool.get().await?;
            Ok::<_, crate::Error>(match &error {
                None => queue::complete(&mut conn, worker, job.id)
                    .await?
                    .then_some(None),
                Some(error) => queue::fail(&mut conn, worker, job.id, error, next)
                    .await?
                    .map(Some),
            })
        }
        .await;
        match written {
            Ok(Some(None)) => {
                tracing::debug!(?elapsed, "job done");
                return;
            }
            Ok(Some(Some((JobState::Failed, _)))) => {
                tracing::error!(
                    ?elapsed,
                    error = error.as_deref(),
                    attempts = job.attempts,
                    "job failed for good"
                );
                return;
            }
            Ok(Some(Some((_, run_at)))) => {
                tracing::warn!(?elapsed, error = error.as_deref(), %run_at, "job failed; it will be retried");
                return;
            }
            Ok(None) => {
                tracing::warn!(
                    "the job's lease was taken back while it ran; its outcome is dropped"
                );
                return;
            }
            Err(e) if delay > 0 => {
                tracing::warn!(error = %e, "cannot record the job's outcome; retrying");
                tokio::time::sleep(Duration::from_millis(delay)).await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot record the job's outcome; it will run again once its lease expires");
            }
        }
    }
}

/// Renews the leases of this runner's jobs; stops jobs whose lease was taken back, or would
/// expire before the next renewal because renewals keep failing.
async fn heartbeat<C>(shared: Arc<Shared<C>>, stop: CancellationToken) {
    let interval = shared.config.heartbeat_interval();
    let timeout = shared.config.visibility_timeout;
    let worker = &shared.config.worker_id;
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(interval) => {}
        }
        let ids: Vec<JobId> = shared.leases().keys().copied().collect();
        if ids.is_empty() {
            continue;
        }
        let sent = Instant::now();
        let renewed = async {
            let mut conn = shared.pool.get().await?;
            Ok::<_, crate::Error>(queue::renew(&mut conn, worker, &ids).await?)
        }
        .await;
        let now = Instant::now();
        let mut leases = shared.leases();
        match renewed {
            Ok(held) => {
                let held: HashSet<JobId> = held.into_iter().collect();
                for id in &ids {
                    let Some(lease) = leases.get_mut(id) else {
                        continue;
                    };
                    if held.contains(id) {
                        lease.renewed = sent;
                    } else if !lease.finishing {
                        tracing::warn!(job = %id, "lost the lease on a running job; stopping it");
                        lease.abort.abort();
                        leases.remove(id);
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot renew job leases"),
        }
        leases.retain(|id, lease| {
            let expiring = !lease.finishing && lease.renewed + timeout <= now + interval;
            if expiring {
                tracing::error!(job = %id, "cannot renew the lease before it expires; stopping the job");
                lease.abort.abort();
            }
            !expiring
        });
    }
}

async fn reap<C>(shared: &Shared<C>) {
    let reaped = async {
        let mut conn = shared.pool.get().await?;
        Ok::<_, crate::Error>(queue::reap(&mut conn, shared.config.visibility_timeout).await?)
    }
    .await;
    match reaped {
        Ok(reaped) => {
            for (id, state) in reaped {
                tracing::warn!(job = %id, %state, "took back a job whose worker stopped renewing its lease");
            }
        }
        Err(e) => tracing::warn!(error = %e, "cannot look for expired leases"),
    }
}

fn log_join(joined: Result<(), JoinError>) {
    match joined {
        Ok(()) => {}
        Err(e) if e.is_cancelled() => tracing::debug!("a job task was stopped"),
        Err(e) => tracing::error!(error = %e, "a job task failed outside its job"),
    }
}

async fn shut_down<C>(shared: &Shared<C>, running: &mut JoinSet<()>) -> ShutdownReport {
    let config = &shared.config;
    if !running.is_empty() {
        tracing::info!(
            running = running.len(),
            grace = ?config.shutdown_grace,
            "shutting down: waiting for running jobs"
        );
    }
    let mut finished = 0;
    let deadline = tokio::time::sleep(config.shutdown_grace);
    tokio::pin!(deadline);
    while !running.is_empty() {
        tokio::select! {
            Some(joined) = running.join_next() => {
                finished += 1;
                log_join(joined);
            }
            () = &mut deadline => break,
        }
    }
    let mut released = Vec::new();
    if !running.is_empty() {
        running.abort_all();
        while running.join_next().await.is_some() {}
        let ids: Vec<JobId> = shared.leases().drain().map(|(id, _)| id).collect();
        let given_back = async {
            let mut conn = shared.pool.get().await?;
            Ok::<_, crate::Error>(queue::release(&mut conn, &config.worker_id, &ids).await?)
        }
        .await;
        match given_back {
            Ok(count) => {
                tracing::info!(count, "released unfinished jobs to the queue");
                released = ids;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot release unfinished jobs; they will be taken again once their leases expire")
            }
        }
    }
    ShutdownReport { finished, released }
}
