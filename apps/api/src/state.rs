//! What every handler shares: the pool, the token verifier, the vote limiter, the show cache.

use std::sync::Arc;
use std::time::Duration;

use theset_database::{DatabaseConfig, DbPool, PooledConnection};
use theset_realtime::Realtime;

use crate::auth::JwtVerifier;
use crate::cache::ShowCache;
use crate::config::{Config, ConfigError};
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::rate_limit::Limiter;
use crate::replica::Replica;

#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    /// Where signed-in work runs and the pool's connections live (`db::runtime`).
    pub db: tokio::runtime::Handle,
    /// The settings the pool was built from (the readiness check opens its own connection).
    pub database: DatabaseConfig,
    pub jwt: Arc<JwtVerifier>,
    /// The shared rate limits and the batches of them this process holds.
    pub limiter: Arc<Limiter>,
    /// Whose `X-Forwarded-For` names the client (`crate::client::client_ip`).
    pub trusted_proxies: Arc<crate::client::TrustedProxies>,
    /// Front-end origins CORS lets in.
    pub cors_origins: Arc<Vec<String>>,
    pub metrics: Arc<Metrics>,
    /// The process's realtime listener and fan-out; `None` when switched off.
    pub realtime: Option<Realtime>,
    /// Show pages and trending lists in memory, kept exact by the realtime listener (off with it).
    pub cache: Arc<ShowCache>,
    /// Idle event streams get a heartbeat comment this often.
    pub sse_heartbeat: Duration,
    /// Open event streams: per client address, lifetimes, write timeouts.
    pub streams: Arc<crate::routes::events::Streams>,
    /// The streaming standby public reads go to while it keeps up (`DATABASE_READ_URL`).
    pub replica: Option<Arc<Replica>>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("pool", &self.pool.status())
            .field("cors_origins", &self.cors_origins)
            .field(
                "realtime",
                &self.realtime.as_ref().map(Realtime::subscribers),
            )
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// Builds the state from the configuration; no connection is opened yet.
    pub fn new(config: &Config) -> Result<Self, ConfigError> {
        let db = crate::db::runtime()
            .map_err(|e| ConfigError::new("DATABASE_URL", e))?
            .clone();
        let pool = config
            .database
            .build_pool_on(db.clone())
            .map_err(|e| ConfigError::new(&e.setting, e.reason))?;
        // One listener per process, on its own connection (as theset_api: RLS applies), opened
        // when the first event stream is.
        let realtime = if config.realtime.enabled {
            Some(
                Realtime::start(
                    (config.realtime.database.as_ref())
                        .unwrap_or(&config.database)
                        .clone(),
                    config.realtime.options.clone(),
                )
                .map_err(|e| ConfigError::new("REALTIME_ENABLED", e))?,
            )
        } else {
            None
        };
        let streams = crate::routes::events::Streams::new(&config.realtime, &db);
        let replica = match &config.replica {
            Some(replica) => Some(
                Replica::start(replica, pool.clone(), &db)
                    .map_err(|e| ConfigError::new("DATABASE_READ_URL", e.reason))?,
            ),
            None => None,
        };
        // Served only while the listener's reports are no older than its coalescing window: no
        // page is staler than a live stream would be.
        let cache = ShowCache::new(
            config.realtime.show_cache_max_entries,
            config.realtime.search_cache_max_entries,
            config.realtime.options.coalesce_window,
            realtime.clone(),
        );
        Ok(Self {
            pool,
            db,
            database: config.database.clone(),
            jwt: Arc::new(
                JwtVerifier::new(&config.auth)
                    .map_err(|e| ConfigError::new("SUPABASE_JWKS_URL", e))?,
            ),
            limiter: Arc::new(Limiter::new(config.rate_limits)),
            trusted_proxies: Arc::new(config.trusted_proxies.clone()),
            cors_origins: Arc::new(config.cors_origins.clone()),
            // Who may read /metrics: off the API's bind unless METRICS_TOKEN is set.
            metrics: Arc::new(Metrics::new(config.metrics.token.clone())),
            realtime,
            cache,
            sse_heartbeat: config.realtime.heartbeat,
            streams,
            replica,
        })
    }

    /// The realtime service, or 503 when it is switched off.
    pub fn realtime(&self) -> Result<&Realtime, ApiError> {
        self.realtime
            .as_ref()
            .ok_or_else(|| ApiError::unavailable("live updates are switched off on this server"))
    }

    /// Notes a signed-in caller's write: their public reads go to the primary until the standby
    /// has it.
    pub fn wrote(&self, user: theset_database::ids::UserId) {
        if let Some(replica) = &self.replica {
            replica.wrote(user);
        }
    }

    /// A pooled connection, or 503 once the pool's bounded wait is over (never a hang).
    pub async fn conn(&self) -> Result<PooledConnection, ApiError> {
        Ok(self.pool.get().await?)
    }
}
