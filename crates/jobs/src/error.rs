//! The queue's errors. Job handlers themselves use `anyhow`; these are the queue's own failures
//! (enqueue, list, retry), for the worker, the API and the CLI to report.

use theset_database::JobState;

use crate::queue::JobId;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("job {0} not found")]
    NotFound(JobId),
    /// Only failed jobs are retried by hand; queued and running ones are on their way.
    #[error("job {id} is {state}: only failed jobs can be retried")]
    NotRetryable { id: JobId, state: JobState },
    /// Retrying would put a second job with this key in the queue.
    #[error("another job with key {key:?} is already queued or running")]
    DuplicatePending { key: String },
    #[error("unknown job kind {kind:?} (known kinds: {known})")]
    UnknownKind { kind: String, known: String },
    /// The payload does not describe a job of this kind.
    #[error("payload of a {kind} job: {source}")]
    Payload {
        kind: String,
        #[source]
        source: serde_json::Error,
    },
    /// A kind, key or limit out of bounds.
    #[error("invalid job: {0}")]
    Invalid(String),
    #[error(transparent)]
    Database(#[from] theset_database::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<diesel::result::Error> for Error {
    fn from(error: diesel::result::Error) -> Self {
        Error::Database(error.into())
    }
}

impl From<theset_database::pool::PoolError> for Error {
    fn from(error: theset_database::pool::PoolError) -> Self {
        Error::Database(error.into())
    }
}
