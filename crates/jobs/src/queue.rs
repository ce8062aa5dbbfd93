//! The `jobs` table: enqueueing with deduplication, inspection, manual retry and pruning (public),
//! and the statements a runner uses to take, renew, finish and release jobs (crate-private).
//!
//! Every function takes a connection, so enqueueing can share a transaction with the write that
//! makes the job necessary (the job exists exactly when that write commits).

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{
    Array, BigInt, Bool, Double, Int2, Int4, Jsonb, Nullable, Text, Timestamptz,
};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use diesel_derive_newtype::DieselNewType;
use serde::{Deserialize, Serialize};
use theset_database::JobState;
use theset_database::schema::jobs;

use crate::error::{Error, Result};
use crate::job::Job;

/// The PostgreSQL channel a trigger notifies whenever a job becomes queued.
pub const CHANNEL: &str = "theset_jobs";

/// Longest stored error text; longer ones are cut (the start says what went wrong).
const MAX_ERROR_LEN: usize = 4000;

/// `jobs.id`
#[derive(
    DieselNewType, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct JobId(pub i64);

impl std::fmt::Display for JobId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::str::FromStr for JobId {
    type Err = std::num::ParseIntError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim().parse().map(JobId)
    }
}

/// A row of `jobs`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, QueryableByName, Serialize)]
#[diesel(table_name = jobs, check_for_backend(diesel::pg::Pg))]
pub struct JobRecord {
    pub id: JobId,
    pub kind: String,
    pub payload: serde_json::Value,
    pub priority: i16,
    pub state: JobState,
    /// Not taken before this instant.
    pub run_at: DateTime<Utc>,
    /// Attempts started, the running one included.
    pub attempts: i32,
    pub max_attempts: i32,
    /// The error of the latest failed attempt.
    pub last_error: Option<String>,
    pub dedup_key: Option<String>,
    /// When the running job's lease was last renewed.
    pub locked_at: Option<DateTime<Utc>>,
    /// The worker holding the lease.
    pub locked_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// The queue it waits in (its kind's `Job::QUEUE` unless enqueued into another).
    pub queue: String,
}

/// A job to enqueue: a kind and a JSON payload, with the queue settings. Built from a typed
/// [`Job`] by [`NewJob::for_job`] (or [`crate::Registry::new_job`] from a kind name and JSON).
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    kind: String,
    queue: String,
    payload: serde_json::Value,
    priority: i16,
    run_at: Option<DateTime<Utc>>,
    max_attempts: i32,
    dedup_key: Option<String>,
    once: bool,
}

/// What [`NewJob::enqueue`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enqueued {
    /// A new job.
    New(JobId),
    /// A job with the same key was there already (its id, when it is still kept).
    Duplicate(Option<JobId>),
}

impl Enqueued {
    pub fn is_new(self) -> bool {
        matches!(self, Self::New(_))
    }

    /// The new job, or the one that made this a duplicate.
    pub fn id(self) -> Option<JobId> {
        match self {
            Self::New(id) => Some(id),
            Self::Duplicate(id) => id,
        }
    }
}

impl NewJob {
    pub const DEFAULT_MAX_ATTEMPTS: i32 = 5;

    /// A job of `kind` with this payload, in the default queue, priority 0, due now, 5
    /// attempts, no key.
    pub fn new(kind: impl Into<String>, payload: serde_json::Value) -> Self {
        Self {
            kind: kind.into(),
            queue: crate::job::DEFAULT_QUEUE.to_owned(),
            payload,
            priority: 0,
            run_at: None,
            max_attempts: Self::DEFAULT_MAX_ATTEMPTS,
            dedup_key: None,
            once: false,
        }
    }

    /// A typed job with its kind's queue, priority, attempt limit and deduplication key.
    pub fn for_job<J: Job>(job: &J) -> Result<Self> {
        let payload = serde_json::to_value(job).map_err(|source| Error::Payload {
            kind: J::KIND.to_owned(),
            source,
        })?;
        let mut new = Self::new(J::KIND, payload)
            .queue(J::QUEUE)
            .priority(J::PRIORITY)
            .max_attempts(J::MAX_ATTEMPTS);
        new.dedup_key = job.dedup_key();
        Ok(new)
    }

    /// Into this queue (default: the kind's `Job::QUEUE`, or `default`).
    pub fn queue(mut self, queue: impl Into<String>) -> Self {
        self.queue = queue.into();
        self
    }

    pub fn priority(mut self, priority: i16) -> Self {
        self.priority = priority;
        self
    }

    /// Not before this instant (default: now).
    pub fn run_at(mut self, at: DateTime<Utc>) -> Self {
        self.run_at = Some(at);
        self
    }

    pub fn max_attempts(mut self, attempts: i32) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// While a job with this key is queued or running, enqueueing another is a no-op.
    pub fn dedup_key(mut self, key: impl Into<String>) -> Self {
        self.dedup_key = Some(key.into());
        self
    }

    /// The key blocks duplicates for as long as any job with it is kept, finished ones
    /// included (until pruned): for keys naming a period, so that a periodic job runs once per
    /// period however many schedulers ask for it.
    pub fn once(mut self) -> Self {
        self.once = true;
        self
    }

    pub fn kind(&self) -> &str {
        &self.kind
    }

    pub fn queue_name(&self) -> &str {
        &self.queue
    }

    pub fn payload(&self) -> &serde_json::Value {
        &self.payload
    }

    pub fn key(&self) -> Option<&str> {
        self.dedup_key.as_deref()
    }

    fn kind_ok(&self) -> bool {
        self.kind.len() <= 64
            && self.kind.starts_with(|c: char| c.is_ascii_lowercase())
            && self.kind.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-')
            })
    }

    /// The kind, queue and attempt limit are ones `jobs` accepts.
    pub(crate) fn kind_is_valid(&self) -> bool {
        self.kind_ok() && queue_name_ok(&self.queue) && (1..=1000).contains(&self.max_attempts)
    }

    fn validate(&self) -> Result<()> {
        if !self.kind_ok() {
            return Err(Error::Invalid(format!(
                "kind {:?}: lower-case letters, digits, '_', '.', '-', at most 64, starting with a letter",
                self.kind
            )));
        }
        if !queue_name_ok(&self.queue) {
            return Err(Error::Invalid(format!(
                "queue {:?}: lower-case letters, digits, '_', '-', at most 32, starting with a letter",
                self.queue
            )));
        }
        if !(1..=1000).contains(&self.max_attempts) {
            return Err(Error::Invalid(format!(
                "max_attempts {} is not within 1..=1000",
                self.max_attempts
            )));
        }
        if let Some(key) = &self.dedup_key
            && (key.is_empty() || key.len() > 200)
        {
            return Err(Error::Invalid(format!(
                "dedup key {key:?} must have 1 to 200 bytes"
            )));
        }
        Ok(())
    }

    /// The insert, skipped when the key is pending (or, for "once" keys, kept at all).
    async fn insert(&self, conn: &mut AsyncPgConnection) -> QueryResult<Option<Inserted>> {
        diesel::sql_query(
            "INSERT INTO jobs (kind, payload, priority, run_at, max_attempts, dedup_key, queue) \
             SELECT $1, $2, $3, coalesce($4, now()), $5, $6, $8 \
             WHERE $6 IS NULL OR NOT $7 OR NOT EXISTS (SELECT 1 FROM jobs WHERE dedup_key = $6) \
             ON CONFLICT (dedup_key) WHERE dedup_key IS NOT NULL AND state IN ('queued', 'running') \
             DO NOTHING \
             RETURNING id",
        )
        .bind::<Text, _>(&self.kind)
        .bind::<Jsonb, _>(&self.payload)
        .bind::<Int2, _>(self.priority)
        .bind::<Nullable<Timestamptz>, _>(self.run_at)
        .bind::<Int4, _>(self.max_attempts)
        .bind::<Nullable<Text>, _>(self.dedup_key.as_deref())
        .bind::<Bool, _>(self.once)
        .bind::<Text, _>(&self.queue)
        .get_result(conn)
        .await
        .optional()
    }

    /// Inserts the job unless its key is taken (see [`NewJob::dedup_key`], [`NewJob::once`]).
    /// Safe under any concurrency: the unique index decides between racers for pending jobs, and
    /// an advisory lock on the key for "once" keys.
    pub async fn enqueue(&self, conn: &mut AsyncPgConnection) -> Result<Enqueued> {
        self.validate()?;
        let inserted = match (&self.dedup_key, self.once) {
            // The index only covers pending jobs: a racer whose snapshot predates another's
            // insert, and whose insert comes after that job already finished, would find neither
            // the row nor a conflict. Under the key's lock, the check's snapshot is taken after
            // any earlier holder committed.
            (Some(key), true) => {
                conn.transaction(async |conn| {
                    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 7))")
                        .bind::<Text, _>(key)
                        .execute(conn)
                        .await?;
                    self.insert(conn).await
                })
                .await?
            }
            _ => self.insert(conn).await?,
        };
        if let Some(row) = inserted {
            return Ok(Enqueued::New(JobId(row.id)));
        }
        let Some(key) = &self.dedup_key else {
            // Without a key nothing can conflict: the insert always returns a row.
            return Err(Error::Invalid("the job was not inserted".to_owned()));
        };
        // The pending job if there is one, else the latest finished one.
        let existing = jobs::table
            .filter(jobs::dedup_key.eq(key))
            .order((
                jobs::state
                    .eq_any([JobState::Queued, JobState::Running])
                    .desc(),
                jobs::id.desc(),
            ))
            .select(jobs::id)
            .first::<JobId>(conn)
            .await
            .optional()?;
        Ok(Enqueued::Duplicate(existing))
    }
}

/// A name `jobs.queue` accepts: `^[a-z][a-z0-9_-]{0,31}$`.
pub(crate) fn queue_name_ok(queue: &str) -> bool {
    queue.len() <= 32
        && queue.starts_with(|c: char| c.is_ascii_lowercase())
        && queue
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-'))
}

#[derive(QueryableByName)]
struct Inserted {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// Enqueues a typed job (see [`NewJob::enqueue`]).
pub async fn enqueue<J: Job>(conn: &mut AsyncPgConnection, job: &J) -> Result<Enqueued> {
    NewJob::for_job(job)?.enqueue(conn).await
}

/// One job.
pub async fn get(conn: &mut AsyncPgConnection, id: JobId) -> Result<JobRecord> {
    jobs::table
        .find(id)
        .select(JobRecord::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or(Error::NotFound(id))
}

/// Jobs in `state` (all states when `None`), newest first, at most `limit` (clamped to 1..=1000).
pub async fn list(
    conn: &mut AsyncPgConnection,
    state: Option<JobState>,
    limit: i64,
) -> Result<Vec<JobRecord>> {
    let mut query = jobs::table
        .select(JobRecord::as_select())
        .order(jobs::id.desc())
        .limit(limit.clamp(1, 1000))
        .into_boxed();
    if let Some(state) = state {
        query = query.filter(jobs::state.eq(state));
    }
    Ok(query.load(conn).await?)
}

/// How many jobs of a kind are in a state.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Serialize)]
pub struct KindCount {
    pub kind: String,
    pub state: JobState,
    pub jobs: i64,
}

/// Jobs per kind and state, by kind then state.
pub async fn counts(conn: &mut AsyncPgConnection) -> Result<Vec<KindCount>> {
    Ok(jobs::table
        .group_by((jobs::kind, jobs::state))
        .select((jobs::kind, jobs::state, diesel::dsl::count_star()))
        .order((jobs::kind, jobs::state))
        .load(conn)
        .await?)
}

/// Puts a failed job back in the queue, due now, with its attempts reset (its last error is
/// kept until the next attempt). Only failed jobs can be retried.
pub async fn retry(conn: &mut AsyncPgConnection, id: JobId) -> Result<JobRecord> {
    let retried = diesel::update(
        jobs::table
            .find(id)
            .filter(jobs::state.eq(JobState::Failed)),
    )
    .set((
        jobs::state.eq(JobState::Queued),
        jobs::attempts.eq(0),
        jobs::run_at.eq(diesel::dsl::now),
        jobs::finished_at.eq(None::<DateTime<Utc>>),
    ))
    .returning(JobRecord::as_returning())
    .get_result(conn)
    .await
    .optional();
    match retried {
        Ok(Some(job)) => Ok(job),
        Ok(None) => {
            let job = get(conn, id).await?;
            Err(Error::NotRetryable {
                id,
                state: job.state,
            })
        }
        Err(e) => match theset_database::Error::from(e) {
            theset_database::Error::UniqueViolation { .. } => {
                let job = get(conn, id).await?;
                Err(Error::DuplicatePending {
                    key: job.dedup_key.unwrap_or_default(),
                })
            }
            other => Err(other.into()),
        },
    }
}

/// Deletes jobs done before `done_before` and jobs failed before `failed_before`; returns how
/// many. Queued and running jobs are never pruned.
pub async fn prune(
    conn: &mut AsyncPgConnection,
    done_before: DateTime<Utc>,
    failed_before: DateTime<Utc>,
) -> Result<usize> {
    Ok(diesel::delete(
        jobs::table.filter(
            (jobs::state
                .eq(JobState::Done)
                .and(jobs::finished_at.lt(done_before)))
            .or(jobs::state
                .eq(JobState::Failed)
                .and(jobs::finished_at.lt(failed_before))),
        ),
    )
    .execute(conn)
    .await?)
}

// ---------------------------------------------------------------------------------------------
// The runner's statements.
// ---------------------------------------------------------------------------------------------

/// Takes up to `limit` due jobs of these queues and kinds for `worker`: each becomes `running`
/// under a fresh lease, with its attempt counted. Rows locked by another taker are skipped, so
/// concurrent workers never take the same job. Highest priority, then earliest due, first
/// (`idx_jobs_ready`, by queue).
pub(crate) async fn take(
    conn: &mut AsyncPgConnection,
    worker: &str,
    queues: &[String],
    kinds: &[String],
    limit: i64,
) -> QueryResult<Vec<JobRecord>> {
    let mut taken: Vec<JobRecord> = diesel::sql_query(
        "WITH picked AS ( \
           SELECT id FROM jobs \
           WHERE state = 'queued' AND queue = ANY ($4) AND run_at <= now() AND kind = ANY ($1) \
           ORDER BY priority DESC, run_at, id \
           LIMIT $2 \
           FOR UPDATE SKIP LOCKED \
         ) \
         UPDATE jobs j \
         SET state = 'running', attempts = j.attempts + 1, locked_at = now(), locked_by = $3 \
         FROM picked WHERE j.id = picked.id \
         RETURNING j.*",
    )
    .bind::<Array<Text>, _>(kinds)
    .bind::<BigInt, _>(limit)
    .bind::<Text, _>(worker)
    .bind::<Array<Text>, _>(queues)
    .load(conn)
    .await?;
    taken.sort_by(|a, b| {
        b.priority
            .cmp(&a.priority)
            .then(a.run_at.cmp(&b.run_at))
            .then(a.id.cmp(&b.id))
    });
    Ok(taken)
}

/// Renews `worker`'s leases on these jobs; returns the ids still held (a job missing from the
/// answer was taken back after its lease expired, or finished).
pub(crate) async fn renew(
    conn: &mut AsyncPgConnection,
    worker: &str,
    ids: &[JobId],
) -> QueryResult<Vec<JobId>> {
    diesel::update(
        jobs::table
            .filter(jobs::id.eq_any(ids))
            .filter(jobs::state.eq(JobState::Running))
            .filter(jobs::locked_by.eq(worker)),
    )
    .set(jobs::locked_at.eq(diesel::dsl::now))
    .returning(jobs::id)
    .get_results(conn)
    .await
}

/// Marks a job done; false when `worker` no longer held it.
pub(crate) async fn complete(
    conn: &mut AsyncPgConnection,
    worker: &str,
    id: JobId,
) -> QueryResult<bool> {
    let updated = diesel::update(
        jobs::table
            .find(id)
            .filter(jobs::state.eq(JobState::Running))
            .filter(jobs::locked_by.eq(worker)),
    )
    .set((
        jobs::state.eq(JobState::Done),
        jobs::locked_at.eq(None::<DateTime<Utc>>),
        jobs::locked_by.eq(None::<String>),
        jobs::finished_at.eq(diesel::dsl::now),
    ))
    .execute(conn)
    .await?;
    Ok(updated == 1)
}

/// When the next attempt of a failed one may start.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum NextAttempt {
    /// `min(max, base * 2^(attempts - 1))`, times a random factor in [0.5, 1) (jitter, so
    /// that jobs failing together do not retry together).
    Backoff {
        base: Duration,
        max: Duration,
    },
    After(Duration),
    /// No further attempt.
    Never,
}

/// The longest delay a job asking for one (`RetryAfter`) waits.
pub const MAX_RETRY_DELAY: Duration = Duration::from_secs(24 * 60 * 60);

/// Records a failed attempt: back to `queued` for a later attempt, or `failed` once out of
/// attempts (or when told to give up). Returns the new state and due time; `None` when
/// `worker` no longer held the job.
pub(crate) async fn fail(
    conn: &mut AsyncPgConnection,
    worker: &str,
    id: JobId,
    error: &str,
    next: NextAttempt,
) -> QueryResult<Option<(JobState, DateTime<Utc>)>> {
    #[derive(QueryableByName)]
    struct Outcome {
        #[diesel(sql_type = theset_database::schema::sql_types::JobState)]
        state: JobState,
        #[diesel(sql_type = Timestamptz)]
        run_at: DateTime<Utc>,
    }
    let (give_up, base, max, after) = match next {
        NextAttempt::Backoff { base, max } => (false, base, max, None),
        // Whoever asked for the delay, a job is never parked longer than a day (nor does a
        // huge value overflow PostgreSQL's interval).
        NextAttempt::After(after) => (
            false,
            Duration::ZERO,
            Duration::ZERO,
            Some(after.min(MAX_RETRY_DELAY)),
        ),
        NextAttempt::Never => (true, Duration::ZERO, Duration::ZERO, None),
    };
    let outcome: Option<Outcome> = diesel::sql_query(
        "UPDATE jobs SET \
           state = CASE WHEN $4 OR attempts >= max_attempts THEN 'failed' ELSE 'queued' END::job_state, \
           finished_at = CASE WHEN $4 OR attempts >= max_attempts THEN now() END, \
           run_at = CASE \
             WHEN $4 OR attempts >= max_attempts THEN run_at \
             WHEN $7 IS NOT NULL THEN now() + make_interval(secs => $7) \
             ELSE now() + make_interval(secs => least($6, $5 * power(2, attempts - 1)) * (0.5 + random() / 2)) \
           END, \
           last_error = $3, locked_at = NULL, locked_by = NULL \
         WHERE id = $1 AND state = 'running' AND locked_by = $2 \
         RETURNING state, run_at",
    )
    .bind::<BigInt, _>(id.0)
    .bind::<Text, _>(worker)
    .bind::<Text, _>(truncate(error))
    .bind::<Bool, _>(give_up)
    .bind::<Double, _>(base.as_secs_f64())
    .bind::<Double, _>(max.as_secs_f64())
    .bind::<Nullable<Double>, _>(after.map(|d| d.as_secs_f64()))
    .get_result(conn)
    .await
    .optional()?;
    Ok(outcome.map(|o| (o.state, o.run_at)))
}

/// Running jobs whose lease was not renewed for `timeout` (their worker died or hung): back to
/// `queued`, due now, or `failed` when that was their last attempt. Returns their ids.
pub(crate) async fn reap(
    conn: &mut AsyncPgConnection,
    timeout: Duration,
) -> QueryResult<Vec<(JobId, JobState)>> {
    #[derive(QueryableByName)]
    struct Reaped {
        #[diesel(sql_type = BigInt)]
        id: i64,
        #[diesel(sql_type = theset_database::schema::sql_types::JobState)]
        state: JobState,
    }
    let reaped: Vec<Reaped> = diesel::sql_query(
        "UPDATE jobs SET \
           state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END::job_state, \
           finished_at = CASE WHEN attempts >= max_attempts THEN now() END, \
           run_at = now(), \
           last_error = format('worker %s stopped renewing its lease at %s', locked_by, locked_at), \
           locked_at = NULL, locked_by = NULL \
         WHERE state = 'running' AND locked_at < now() - make_interval(secs => $1) \
         RETURNING id, state",
    )
    .bind::<Double, _>(timeout.as_secs_f64())
    .load(conn)
    .await?;
    Ok(reaped.into_iter().map(|r| (JobId(r.id), r.state)).collect())
}

/// Gives jobs back to the queue, due now, without counting the interrupted attempt (graceful
/// shutdown). Returns how many were still held by `worker`.
pub(crate) async fn release(
    conn: &mut AsyncPgConnection,
    worker: &str,
    ids: &[JobId],
) -> QueryResult<usize> {
    diesel::sql_query(
        "UPDATE jobs SET state = 'queued', attempts = greatest(attempts - 1, 0), run_at = now(), \
           locked_at = NULL, locked_by = NULL \
         WHERE id = ANY ($1) AND state = 'running' AND locked_by = $2",
    )
    .bind::<Array<BigInt>, _>(ids.iter().map(|id| id.0).collect::<Vec<_>>())
    .bind::<Text, _>(worker)
    .execute(conn)
    .await
}

fn truncate(error: &str) -> &str {
    if error.len() <= MAX_ERROR_LEN {
        return error;
    }
    let mut end = MAX_ERROR_LEN;
    while !error.is_char_boundary(end) {
        end -= 1;
    }
    &error[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_keeps_whole_characters() {
        let long = "é".repeat(MAX_ERROR_LEN);
        let cut = truncate(&long);
        assert!(cut.len() <= MAX_ERROR_LEN);
        assert!(cut.chars().all(|c| c == 'é'));
        assert_eq!(truncate("short"), "short");
    }

    #[test]
    fn kinds_and_limits_are_checked_before_the_database() {
        let bad = |job: NewJob| matches!(job.validate(), Err(Error::Invalid(_)));
        assert!(bad(NewJob::new("Upper", serde_json::json!({}))));
        assert!(bad(NewJob::new("", serde_json::json!({}))));
        assert!(bad(NewJob::new("a".repeat(65), serde_json::json!({}))));
        assert!(bad(NewJob::new("ok", serde_json::json!({})).max_attempts(0)));
        assert!(bad(NewJob::new("ok", serde_json::json!({})).dedup_key("")));
        assert!(bad(
            NewJob::new("ok", serde_json::json!({})).queue("Imports")
        ));
        assert!(bad(
            NewJob::new("ok", serde_json::json!({})).queue("a".repeat(33))
        ));
        assert!(bad(NewJob::new("ok", serde_json::json!({})).queue("")));
        assert!(
            NewJob::new("import.setlists-v2", serde_json::json!({}))
                .validate()
                .is_ok()
        );
    }
}
