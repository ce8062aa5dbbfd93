//! Import errors: a provider failed, the database failed, or the input names nothing usable.
//! `is_retryable` tells a job whether to try again later.

use std::time::Duration;

use theset_providers::{ErrorKind, ProviderError};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Provider(#[from] ProviderError),
    #[error("database: {0}")]
    Database(#[from] theset_database::Error),
    /// The artist (or show) to import for is not in the database.
    #[error("not found: {0}")]
    NotFound(String),
    /// The request cannot be served as asked (an artist without a MusicBrainz id, ...).
    #[error("cannot import: {0}")]
    Invalid(String),
}

impl From<diesel::result::Error> for ImportError {
    fn from(error: diesel::result::Error) -> Self {
        Self::Database(error.into())
    }
}

impl From<theset_database::pool::PoolError> for ImportError {
    fn from(error: theset_database::pool::PoolError) -> Self {
        Self::Database(error.into())
    }
}

impl ImportError {
    /// True when running the same import again later may succeed: the provider was rate limited
    /// or unavailable, the database was unreachable, or a concurrent import wrote the same row
    /// first (imports are idempotent, so a re-run converges).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Provider(e) => e.is_retryable(),
            Self::Database(theset_database::Error::Unavailable(_))
            | Self::Database(theset_database::Error::UniqueViolation { .. }) => true,
            Self::Database(theset_database::Error::Query(e)) => matches!(
                e,
                diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::SerializationFailure,
                    _
                )
            ),
            _ => false,
        }
    }

    /// How long the provider asked to wait before the next try, when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Provider(e) => e.retry_after(),
            _ => None,
        }
    }

    /// The provider error's kind, when a provider failed.
    pub fn provider_kind(&self) -> Option<ErrorKind> {
        match self {
            Self::Provider(e) => Some(e.kind()),
            _ => None,
        }
    }
}

pub type Result<T, E = ImportError> = std::result::Result<T, E>;
