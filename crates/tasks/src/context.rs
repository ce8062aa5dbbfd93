//! What every job handler receives.

use std::sync::Arc;
use std::time::Duration;

use theset_database::{DbPool, PooledConnection};
use theset_providers::{Provider, Providers, SetlistFm, Spotify, Ticketmaster};

/// The settings jobs read (the worker fills them from its environment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobSettings {
    /// Done jobs are kept this long (for `theset jobs list`, and so a period's key keeps
    /// blocking duplicates), then pruned.
    pub keep_done: Duration,
    /// Failed jobs are kept this long for inspection and retry, then pruned.
    pub keep_failed: Duration,
    /// The setlist.fm import of recent shows looks at shows completed this many days back.
    pub setlistfm_recent_days: u32,
}

impl JobSettings {
    pub const DEFAULT_KEEP_DONE: Duration = Duration::from_secs(24 * 3600);
    pub const DEFAULT_KEEP_FAILED: Duration = Duration::from_secs(30 * 24 * 3600);
    pub const DEFAULT_SETLISTFM_RECENT_DAYS: u32 = 3;
}

impl Default for JobSettings {
    fn default() -> Self {
        Self {
            keep_done: Self::DEFAULT_KEEP_DONE,
            keep_failed: Self::DEFAULT_KEEP_FAILED,
            setlistfm_recent_days: Self::DEFAULT_SETLISTFM_RECENT_DAYS,
        }
    }
}

/// The worker's shared resources, cloned into each job: the connection pool (as
/// `theset_service`), the settings, and the provider clients (built once per process: each
/// holds its provider's rate limiter, so every job shares the one budget).
#[derive(Clone)]
pub struct JobContext {
    pub pool: DbPool,
    pub settings: Arc<JobSettings>,
    pub providers: Arc<Providers>,
}

impl std::fmt::Debug for JobContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobContext")
            .field("pool", &self.pool.status())
            .field("settings", &self.settings)
            .field("setlistfm", &self.providers.setlistfm.is_some())
            .field("ticketmaster", &self.providers.ticketmaster.is_some())
            .field("spotify", &self.providers.spotify.is_some())
            .finish()
    }
}

/// A job needs a provider that this worker has no key for.
#[derive(Debug, thiserror::Error)]
#[error("{provider} is not configured on this worker (set {settings})")]
pub struct ProviderDisabled {
    pub provider: Provider,
    pub settings: &'static str,
}

impl JobContext {
    /// A context without provider clients (maintenance jobs only).
    pub fn new(pool: DbPool, settings: JobSettings) -> Self {
        Self {
            pool,
            settings: Arc::new(settings),
            providers: Arc::new(Providers::default()),
        }
    }

    /// A pooled connection (the pool's wait timeout applies).
    pub async fn conn(&self) -> anyhow::Result<PooledConnection> {
        Ok(self.pool.get().await?)
    }

    pub fn setlistfm(&self) -> Result<&SetlistFm, ProviderDisabled> {
        self.providers.setlistfm.as_ref().ok_or(ProviderDisabled {
            provider: Provider::SetlistFm,
            settings: "SETLISTFM_API_KEY",
        })
    }

    pub fn ticketmaster(&self) -> Result<&Ticketmaster, ProviderDisabled> {
        self.providers
            .ticketmaster
            .as_ref()
            .ok_or(ProviderDisabled {
                provider: Provider::Ticketmaster,
                settings: "TICKETMASTER_API_KEY",
            })
    }

    pub fn spotify(&self) -> Result<&Spotify, ProviderDisabled> {
        self.providers.spotify.as_ref().ok_or(ProviderDisabled {
            provider: Provider::Spotify,
            settings: "SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET",
        })
    }
}
