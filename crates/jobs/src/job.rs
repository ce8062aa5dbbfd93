//! What a job is: a serde payload with a kind, a priority, a retry limit, an optional
//! deduplication key, and the async code that runs it.

use std::future::Future;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// The queue of a kind that names none.
pub const DEFAULT_QUEUE: &str = "default";

/// A kind of background job. The value is the payload (stored as `jsonb`); [`Job::run`] does
/// the work with a shared context (a pool, settings, clients) of the registry's choosing.
///
/// ```
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Serialize, Deserialize)]
/// struct Greet {
///     name: String,
/// }
///
/// impl theset_jobs::Job for Greet {
///     const KIND: &'static str = "greet";
///     const MAX_ATTEMPTS: i32 = 3;
///     type Context = ();
///
///     fn dedup_key(&self) -> Option<String> {
///         Some(format!("greet:{}", self.name))
///     }
///
///     async fn run(self, _ctx: ()) -> anyhow::Result<()> {
///         tracing::info!("hello, {}", self.name);
///         Ok(())
///     }
/// }
/// ```
pub trait Job: Serialize + DeserializeOwned + Send + 'static {
    /// The name stored in `jobs.kind` (`^[a-z][a-z0-9_.-]{0,63}$`), unique within a registry.
    const KIND: &'static str;
    /// The queue the kind's jobs go to (`jobs.queue`, `^[a-z][a-z0-9_-]{0,31}$`): a runner takes
    /// only the jobs of its queues, so each queue has slots of its own (the worker runs one
    /// runner per queue).
    const QUEUE: &'static str = DEFAULT_QUEUE;
    /// Higher runs first among due jobs (of one queue).
    const PRIORITY: i16 = 0;
    /// Attempts before the job stays `failed` (at least 1).
    const MAX_ATTEMPTS: i32 = 5;
    /// Longest one attempt may run; past it the attempt fails (and is retried).
    const TIMEOUT: Duration = Duration::from_secs(600);

    /// What every run receives (cloned per job).
    type Context: Clone + Send + Sync + 'static;

    /// While a job with this key is queued or running, enqueueing another is a no-op.
    fn dedup_key(&self) -> Option<String> {
        None
    }

    /// Does the work. An error (or a panic, or the timeout) fails this attempt: the job is
    /// retried with backoff until [`Job::MAX_ATTEMPTS`], unless the error is [`give_up`].
    fn run(self, ctx: Self::Context) -> impl Future<Output = anyhow::Result<()>> + Send;
}

/// An error after which retrying cannot help (a bad key, a missing resource, a payload that
/// does not parse): the job fails at once, whatever attempts remain.
#[derive(Debug)]
pub struct GiveUp(anyhow::Error);

impl std::fmt::Display for GiveUp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#}", self.0)
    }
}

impl std::error::Error for GiveUp {}

/// Marks `error` as permanent (see [`GiveUp`]); `?` and `.context()` keep the mark.
pub fn give_up(error: impl Into<anyhow::Error>) -> anyhow::Error {
    anyhow::Error::new(GiveUp(error.into()))
}

/// An error that says when to try again (a rate limit's `Retry-After`): the next attempt is
/// scheduled after `after` instead of the exponential backoff. It still counts as an attempt.
#[derive(Debug)]
pub struct RetryAfter {
    pub after: Duration,
    error: anyhow::Error,
}

impl std::fmt::Display for RetryAfter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#} (retry after {:?})", self.error, self.after)
    }
}

impl std::error::Error for RetryAfter {}

/// Marks `error` as retryable no sooner than `after` (see [`RetryAfter`]).
pub fn retry_after(after: Duration, error: impl Into<anyhow::Error>) -> anyhow::Error {
    anyhow::Error::new(RetryAfter {
        after,
        error: error.into(),
    })
}

/// How a failed attempt is to be followed up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Disposition {
    /// Retry after the exponential backoff (or fail when out of attempts).
    Backoff,
    /// Retry after this long (or fail when out of attempts).
    After(Duration),
    /// Fail now.
    GiveUp,
}

pub(crate) fn disposition(error: &anyhow::Error) -> Disposition {
    for cause in error.chain() {
        if cause.is::<GiveUp>() {
            return Disposition::GiveUp;
        }
        if let Some(retry) = cause.downcast_ref::<RetryAfter>() {
            return Disposition::After(retry.after);
        }
    }
    Disposition::Backoff
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_survive_context() {
        let permanent = give_up(anyhow::anyhow!("bad key")).context("importing");
        assert_eq!(disposition(&permanent), Disposition::GiveUp);
        assert_eq!(format!("{permanent:#}"), "importing: bad key");
        let later = retry_after(Duration::from_secs(7), anyhow::anyhow!("429"));
        assert_eq!(
            disposition(&later),
            Disposition::After(Duration::from_secs(7))
        );
        let plain = anyhow::anyhow!("flaky").context("step");
        assert_eq!(disposition(&plain), Disposition::Backoff);
    }
}
