//! Provider errors, classified so a job knows whether to try again later or give up.

use std::time::Duration;

use crate::Provider;

/// What kind of failure, without the details: what a job's retry policy looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// HTTP 429 after the bounded retries: try later (after `retry_after` when given).
    RateLimited,
    /// 5xx, timeouts, connection failures: try later.
    Unavailable,
    /// HTTP 401 (or a refused token request): the key is wrong; retrying cannot help.
    BadKey,
    /// HTTP 403: this key may not use this endpoint (Spotify's restricted endpoints).
    Forbidden,
    /// HTTP 404 for a single resource (an unknown id).
    NotFound,
    /// Any other 4xx: our request was wrong.
    BadRequest,
    /// The body was not the JSON we expect.
    Decode,
    /// A response body over its size cap (`HttpSettings::max_body_bytes`), or a listing that
    /// still said "more" at its paging bound (`HttpSettings::max_pages`): retrying cannot help.
    TooLarge,
}

/// A provider call's failure. Its text (`Display`, `Debug`) never carries a key, a client
/// secret or a token: reqwest's errors lose their URL before they become text, and every
/// message passes through the client's redaction (`crate::redact`).
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("{provider}: rate limited (retry after {retry_after:?})")]
    RateLimited {
        provider: Provider,
        retry_after: Option<Duration>,
    },
    #[error("{provider}: unavailable: {message}")]
    Unavailable { provider: Provider, message: String },
    #[error("{provider}: the API key or client credentials were refused: {message}")]
    BadKey { provider: Provider, message: String },
    #[error("{provider}: forbidden: {message}")]
    Forbidden { provider: Provider, message: String },
    #[error("{provider}: not found: {what}")]
    NotFound { provider: Provider, what: String },
    #[error("{provider}: bad request ({status}): {message}")]
    BadRequest {
        provider: Provider,
        status: u16,
        message: String,
    },
    #[error("{provider}: unexpected payload from {what}: {message}")]
    Decode {
        provider: Provider,
        what: String,
        message: String,
    },
    /// The body was longer than `limit` bytes: reading stopped there (nothing larger is held).
    #[error("{provider}: the response body of {what} is larger than the cap of {limit} bytes")]
    BodyTooLarge {
        provider: Provider,
        what: String,
        limit: usize,
    },
    /// The provider still said there was more after `pages` requests of one listing: paging
    /// stopped there, and the listing is an error rather than silently cut short.
    #[error(
        "{provider}: {what} still had more after {pages} pages, the paging bound: stopped there"
    )]
    TooManyPages {
        provider: Provider,
        what: String,
        pages: u32,
    },
}

impl ProviderError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::RateLimited { .. } => ErrorKind::RateLimited,
            Self::Unavailable { .. } => ErrorKind::Unavailable,
            Self::BadKey { .. } => ErrorKind::BadKey,
            Self::Forbidden { .. } => ErrorKind::Forbidden,
            Self::NotFound { .. } => ErrorKind::NotFound,
            Self::BadRequest { .. } => ErrorKind::BadRequest,
            Self::Decode { .. } => ErrorKind::Decode,
            Self::BodyTooLarge { .. } | Self::TooManyPages { .. } => ErrorKind::TooLarge,
        }
    }

    /// True when the same call may succeed later (rate limited, provider unavailable); false when
    /// retrying cannot help (bad key, forbidden, not found, bad request, unexpected payload, too
    /// large).
    pub fn is_retryable(&self) -> bool {
        matches!(self.kind(), ErrorKind::RateLimited | ErrorKind::Unavailable)
    }

    /// How long the provider asked us to wait, when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    pub fn provider(&self) -> Provider {
        match self {
            Self::RateLimited { provider, .. }
            | Self::Unavailable { provider, .. }
            | Self::BadKey { provider, .. }
            | Self::Forbidden { provider, .. }
            | Self::NotFound { provider, .. }
            | Self::BadRequest { provider, .. }
            | Self::Decode { provider, .. }
            | Self::BodyTooLarge { provider, .. }
            | Self::TooManyPages { provider, .. } => *provider,
        }
    }
}

pub type Result<T, E = ProviderError> = std::result::Result<T, E>;
