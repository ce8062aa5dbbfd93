//! Which job kinds a worker runs, and how: each registered [`Job`] type gives a handler that
//! parses the stored payload and runs it with the worker's context.

use std::collections::BTreeMap;
use std::time::Duration;

use futures_util::future::BoxFuture;

use crate::error::{Error, Result};
use crate::job::{Job, give_up};
use crate::queue::NewJob;

type RunFn<C> =
    dyn Fn(C, serde_json::Value) -> BoxFuture<'static, anyhow::Result<()>> + Send + Sync;
type NewJobFn = dyn Fn(serde_json::Value) -> Result<NewJob> + Send + Sync;

pub(crate) struct Handler<C> {
    pub(crate) run: Box<RunFn<C>>,
    queue: &'static str,
    pub(crate) timeout: Duration,
    new_job: Box<NewJobFn>,
}

/// The job kinds one worker runs, with context type `C`. A runner takes only jobs of kinds it
/// has registered, so workers of different versions can share a queue.
pub struct Registry<C> {
    handlers: BTreeMap<&'static str, Handler<C>>,
}

impl<C> std::fmt::Debug for Registry<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("kinds", &self.handlers.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl<C> Default for Registry<C> {
    fn default() -> Self {
        Self {
            handlers: BTreeMap::new(),
        }
    }
}

impl<C: Clone + Send + Sync + 'static> Registry<C> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a job type.
    ///
    /// # Panics
    /// When two types share a kind, or a kind is not a valid `jobs.kind`: programming errors,
    /// caught by the first test that builds the registry.
    pub fn register<J: Job<Context = C>>(mut self) -> Self {
        assert!(
            !self.handlers.contains_key(J::KIND),
            "two job types share the kind {:?}",
            J::KIND
        );
        assert!(
            NewJob::new(J::KIND, serde_json::Value::Null)
                .queue(J::QUEUE)
                .max_attempts(J::MAX_ATTEMPTS)
                .kind_is_valid(),
            "job kind {:?} (or its QUEUE or MAX_ATTEMPTS) is not valid",
            J::KIND
        );
        let run: Box<RunFn<C>> = Box::new(|ctx: C, payload: serde_json::Value| {
            Box::pin(async move {
                // A payload that does not parse will not parse on the next attempt either.
                let job: J = serde_json::from_value(payload).map_err(|e| {
                    give_up(anyhow::Error::new(e).context(format!("payload of a {} job", J::KIND)))
                })?;
                job.run(ctx).await
            })
        });
        let new_job: Box<NewJobFn> = Box::new(|payload: serde_json::Value| {
            let job: J = serde_json::from_value(payload).map_err(|source| Error::Payload {
                kind: J::KIND.to_owned(),
                source,
            })?;
            NewJob::for_job(&job)
        });
        self.handlers.insert(
            J::KIND,
            Handler {
                run,
                queue: J::QUEUE,
                timeout: J::TIMEOUT,
                new_job,
            },
        );
        self
    }

    /// The registered kinds, sorted.
    pub fn kinds(&self) -> Vec<&'static str> {
        self.handlers.keys().copied().collect()
    }

    /// The queues of the registered kinds (`Job::QUEUE`), sorted, each once.
    pub fn queues(&self) -> Vec<&'static str> {
        let queues: std::collections::BTreeSet<&'static str> =
            self.handlers.values().map(|h| h.queue).collect();
        queues.into_iter().collect()
    }

    /// The queue of a registered kind.
    pub fn queue_of(&self, kind: &str) -> Option<&'static str> {
        self.handlers.get(kind).map(|h| h.queue)
    }

    pub fn contains(&self, kind: &str) -> bool {
        self.handlers.contains_key(kind)
    }

    /// A job of `kind` from a JSON payload (say, typed at the CLI), checked by parsing it as
    /// that kind's type, with the kind's priority, attempt limit and deduplication key.
    pub fn new_job(&self, kind: &str, payload: serde_json::Value) -> Result<NewJob> {
        let handler = self.handlers.get(kind).ok_or_else(|| Error::UnknownKind {
            kind: kind.to_owned(),
            known: self.kinds().join(", "),
        })?;
        (handler.new_job)(payload)
    }

    pub(crate) fn handler(&self, kind: &str) -> Option<&Handler<C>> {
        self.handlers.get(kind)
    }
}
