//! The API's settings, read once at start-up from the environment (and `.env`, loaded by
//! `main`). A missing or malformed setting stops start-up with an error naming it; every
//! variable is documented in the repository's `.env.example`.

use std::net::SocketAddr;
use std::time::Duration;

use theset_database::DatabaseConfig;

use crate::client::TrustedProxies;
use crate::rate_limit::RateLimits;
use theset_realtime::RealtimeOptions;

/// Fewest bytes accepted in the JWT secret: HS256 with a short secret can be brute-forced, and
/// Supabase's project secrets are longer than this.
pub const MIN_JWT_SECRET_LEN: usize = 32;

/// `JWT_MAX_LIFETIME_SECS` default: a day. Supabase issues tokens for an hour by default (less with
/// signing keys) and for a week at most; a token meant to live longer than a day is refused unless
/// the project's expiry was raised and this with it.
pub const DEFAULT_JWT_MAX_LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// `JWKS_MIN_FETCH_INTERVAL_SECS` default: however many tokens name an unknown `kid`, the JWKS is
/// fetched at most once per this long.
pub const DEFAULT_JWKS_MIN_FETCH_INTERVAL: Duration = Duration::from_secs(5);
/// Bounds on how long a fetched JWKS is kept, whatever its `Cache-Control: max-age` says: at least
/// a minute (so `max-age=0` or `no-store` does not make every request a fetch), at most ten
/// minutes (so a key the project revoked stops verifying soon even if the answer said a day).
pub const JWKS_MIN_TTL: Duration = Duration::from_secs(60);
pub const JWKS_MAX_TTL: Duration = Duration::from_secs(600);

/// Secrets published in this repository (`.env.example`, `scripts/dev`, the benchmarks): anyone
/// can sign tokens with them, so the API refuses them unless `THESET_DEV_MODE` is set.
const PUBLIC_SECRETS: &[&str] = &[
    "dev-only-secret-change-me-0123456789abcdef",
    "bench-only-secret-0123456789abcdef0123456789",
];

fn is_public_secret(secret: &str) -> bool {
    PUBLIC_SECRETS.contains(&secret) || secret.contains("change-me")
}

/// A setting that is missing or malformed, named.
#[derive(Debug, thiserror::Error)]
#[error("{name}: {message}")]
pub struct ConfigError {
    pub name: String,
    pub message: String,
}

impl ConfigError {
    pub fn new(name: &str, message: impl std::fmt::Display) -> Self {
        Self {
            name: name.to_owned(),
            message: message.to_string(),
        }
    }
}

/// Access tokens: Supabase signing keys (ES256/RS256, from the project's JWKS), the legacy HS256
/// secret, or both during a migration; at least one (`Config::from_lookup` checks).
#[derive(Clone)]
pub struct AuthConfig {
    /// `SUPABASE_JWT_SECRET`: the legacy HS256 secret; `None`: HS256 tokens are refused.
    pub jwt_secret: Option<String>,
    /// `SUPABASE_JWKS_URL`, or `<SUPABASE_URL>/auth/v1/.well-known/jwks.json`; `None`: ES256 and
    /// RS256 tokens are refused.
    pub jwks_url: Option<String>,
    /// `SUPABASE_JWT_ISSUER`, or `<SUPABASE_URL>/auth/v1`: `iss` must be this. `None` (only a
    /// legacy secret, no URL) checks no `iss`: only the project holds that secret.
    pub issuer: Option<String>,
    /// `JWT_MAX_LIFETIME_SECS`: tokens whose `exp - iat` is longer are refused.
    pub max_lifetime: Duration,
    /// `JWKS_MIN_FETCH_INTERVAL_SECS`: at most one JWKS fetch per this long.
    pub jwks_min_fetch_interval: Duration,
    /// A fetched JWKS is kept for its `max-age`, bounded by these (not settings: see the consts).
    pub jwks_min_ttl: Duration,
    pub jwks_max_ttl: Duration,
}

impl Default for AuthConfig {
    /// Nothing configured (every token refused) and the default bounds.
    fn default() -> Self {
        Self {
            jwt_secret: None,
            jwks_url: None,
            issuer: None,
            max_lifetime: DEFAULT_JWT_MAX_LIFETIME,
            jwks_min_fetch_interval: DEFAULT_JWKS_MIN_FETCH_INTERVAL,
            jwks_min_ttl: JWKS_MIN_TTL,
            jwks_max_ttl: JWKS_MAX_TTL,
        }
    }
}

// The secret never reaches logs.
impl std::fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthConfig")
            .field(
                "jwt_secret",
                &self.jwt_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("jwks_url", &self.jwks_url)
            .field("issuer", &self.issuer)
            .field("max_lifetime", &self.max_lifetime)
            .field("jwks_min_fetch_interval", &self.jwks_min_fetch_interval)
            .finish_non_exhaustive()
    }
}

/// The issuer tokens must name, from `SUPABASE_JWT_ISSUER` or `SUPABASE_URL` (also what
/// `examples/dev_token.rs` puts in `iss`).
pub fn issuer(var: impl Fn(&str) -> Option<String>) -> Option<String> {
    let var = |name: &str| {
        var(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    var("SUPABASE_JWT_ISSUER")
        .or_else(|| var("SUPABASE_URL").map(|url| format!("{}/auth/v1", url.trim_end_matches('/'))))
}

fn auth(var: &impl Fn(&str) -> Option<String>, dev_mode: bool) -> Result<AuthConfig, ConfigError> {
    let jwt_secret = var("SUPABASE_JWT_SECRET");
    if let Some(secret) = &jwt_secret {
        if secret.len() < MIN_JWT_SECRET_LEN {
            return Err(ConfigError::new(
                "SUPABASE_JWT_SECRET",
                format!("must be at least {MIN_JWT_SECRET_LEN} bytes"),
            ));
        }
        if is_public_secret(secret) && !dev_mode {
            return Err(ConfigError::new(
                "SUPABASE_JWT_SECRET",
                "is a public development secret (anyone can sign tokens with it): set your \
                 project's, or THESET_DEV_MODE=1 for local development only",
            ));
        }
    }
    let project = match var("SUPABASE_URL") {
        Some(url) => Some(checked_url(
            "SUPABASE_URL",
            url.trim().trim_end_matches('/'),
            dev_mode,
        )?),
        None => None,
    };
    let jwks_url = match var("SUPABASE_JWKS_URL") {
        Some(url) => Some(checked_url("SUPABASE_JWKS_URL", url.trim(), dev_mode)?),
        None => project
            .as_ref()
            .map(|url| format!("{url}/auth/v1/.well-known/jwks.json")),
    };
    let issuer = issuer(var);
    if jwt_secret.is_none() && jwks_url.is_none() {
        return Err(ConfigError::new(
            "SUPABASE_URL",
            "is not set, nor SUPABASE_JWKS_URL or SUPABASE_JWT_SECRET: set the project's URL \
             (signing keys) or its legacy JWT secret",
        ));
    }
    // Keys fetched from a URL are checked against an issuer always.
    if jwks_url.is_some() && issuer.is_none() {
        return Err(ConfigError::new(
            "SUPABASE_JWT_ISSUER",
            "is required with SUPABASE_JWKS_URL when SUPABASE_URL is not set",
        ));
    }
    let secs = |name: &str, range: std::ops::RangeInclusive<u64>, default: Duration| {
        number(var, name, range).map(|n| n.map_or(default, Duration::from_secs))
    };
    Ok(AuthConfig {
        jwt_secret,
        jwks_url,
        issuer,
        // Supabase's longest expiry is a week.
        max_lifetime: secs(
            "JWT_MAX_LIFETIME_SECS",
            60..=7 * 24 * 3600,
            DEFAULT_JWT_MAX_LIFETIME,
        )?,
        jwks_min_fetch_interval: secs(
            "JWKS_MIN_FETCH_INTERVAL_SECS",
            1..=300,
            DEFAULT_JWKS_MIN_FETCH_INTERVAL,
        )?,
        ..AuthConfig::default()
    })
}

/// A URL keys are fetched from: https, or plain http to this machine (the Supabase CLI's local
/// stack) or in development mode. Over plain http anyone on the path could swap the keys.
fn checked_url(name: &str, url: &str, dev_mode: bool) -> Result<String, ConfigError> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| ConfigError::new(name, format!("{url:?} is not a URL: {e}")))?;
    let loopback = parsed.host_str().is_some_and(|host| {
        host == "localhost"
            || host
                .trim_matches(['[', ']'])
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    });
    match parsed.scheme() {
        "https" => Ok(url.to_owned()),
        "http" if loopback || dev_mode => Ok(url.to_owned()),
        _ => Err(ConfigError::new(
            name,
            format!(
                "{url:?} must be https (plain http only to localhost, or with THESET_DEV_MODE)"
            ),
        )),
    }
}

/// Live updates over server-sent events (`REALTIME_*`).
#[derive(Debug, Clone)]
pub struct RealtimeConfig {
    /// `REALTIME_ENABLED` (default true): false starts no listener and answers the event routes
    /// with 503.
    pub enabled: bool,
    /// `REALTIME_COALESCE_MS`, `REALTIME_CLIENT_BUFFER`, `REALTIME_MAX_SUBSCRIBERS`,
    /// `REALTIME_MAX_TOPICS`, `REALTIME_MAX_IDLE_TOPICS`.
    pub options: RealtimeOptions,
    /// `REALTIME_MAX_STREAMS_PER_CLIENT` (default 50): streams one client address may hold open
    /// in this process; more get 429.
    pub max_streams_per_client: usize,
    /// `REALTIME_MAX_STREAM_SECS` (default 1800): a stream is closed cleanly after about this
    /// long (a tenth less at random), so clients reconnect with `Last-Event-ID` (and spread over
    /// processes behind a load balancer).
    pub max_stream_lifetime: Duration,
    /// `REALTIME_WRITE_TIMEOUT_SECS` (default 30): a stream whose socket has not drained for this
    /// long past a heartbeat period is dropped, and its slot freed.
    pub write_timeout: Duration,
    /// `REALTIME_HEARTBEAT_SECS` (default 15): a comment on idle streams this often, so proxies
    /// keep them open.
    pub heartbeat: Duration,
    /// `REALTIME_DATABASE_URL`: where the listener connects (the same role as `DATABASE_URL`).
    /// It needs a session (LISTEN): on Supabase the direct connection or the session pooler,
    /// when `DATABASE_URL` is the transaction pooler. Unset: `DATABASE_URL`.
    pub database: Option<DatabaseConfig>,
    /// `SHOW_CACHE_MAX_ENTRIES` (default `cache::DEFAULT_MAX_ENTRIES`): show pages held in
    /// memory (`crate::cache`); 0 turns the cache off. Here because the listener keeps it exact:
    /// with realtime off there is no cache either.
    pub show_cache_max_entries: usize,
    /// `SEARCH_CACHE_MAX_ENTRIES` (default `cache::DEFAULT_MAX_SEARCHES`): search results held
    /// in memory, kept exact by the same listener; 0 turns them off.
    pub search_cache_max_entries: usize,
}

impl Default for RealtimeConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            options: RealtimeOptions::default(),
            max_streams_per_client: 50,
            max_stream_lifetime: Duration::from_secs(1_800),
            write_timeout: Duration::from_secs(30),
            heartbeat: Duration::from_secs(15),
            database: None,
            show_cache_max_entries: crate::cache::DEFAULT_MAX_ENTRIES,
            search_cache_max_entries: crate::cache::DEFAULT_MAX_SEARCHES,
        }
    }
}

#[derive(Clone)]
pub struct Config {
    pub bind: SocketAddr,
    /// `DATABASE_URL` (the `theset_api` role) and the `DATABASE_*` pool settings.
    pub database: DatabaseConfig,
    /// How access tokens are verified (`SUPABASE_*`, `JWT_*`, `JWKS_*`).
    pub auth: AuthConfig,
    /// Front-end origins allowed by CORS (`scheme://host[:port]`).
    pub cors_origins: Vec<String>,
    /// `*_RATE_LIMIT_PER_MINUTE`: budgets shared by every process (`crate::rate_limit`).
    pub rate_limits: RateLimits,
    /// `TRUSTED_PROXIES`: proxies whose `X-Forwarded-For` names the client (default: none, the
    /// peer is the client).
    pub trusted_proxies: TrustedProxies,
    pub realtime: RealtimeConfig,
    pub metrics: MetricsConfig,
    /// `DATABASE_READ_URL` and its bounds: public reads on a streaming standby (`crate::replica`).
    pub replica: Option<crate::replica::ReplicaConfig>,
}

// The secret never reaches logs.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("bind", &self.bind)
            .field("database", &self.database.database())
            .field("database_user", &self.database.user())
            .field("auth", &self.auth)
            .field("cors_origins", &self.cors_origins)
            .field("rate_limits", &self.rate_limits)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("metrics", &self.metrics)
            .field("realtime", &self.realtime)
            .field(
                "replica",
                &self
                    .replica
                    .as_ref()
                    .map(|r| (r.database.target(), r.max_lag)),
            )
            .finish()
    }
}

impl Config {
    pub const DEFAULT_BIND: &'static str = "127.0.0.1:8080";

    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok(), DatabaseConfig::from_env)
    }

    /// The same as `from_env`, over any source of variables (tests pass a map).
    pub fn from_lookup(
        var: impl Fn(&str) -> Option<String>,
        database: impl FnOnce() -> Result<DatabaseConfig, theset_database::pool::ConfigError>,
    ) -> Result<Self, ConfigError> {
        let var = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let bind = var("API_BIND").unwrap_or_else(|| Self::DEFAULT_BIND.to_owned());
        let bind = bind.trim().parse().map_err(|_| {
            ConfigError::new("API_BIND", format!("expected host:port, got {bind:?}"))
        })?;
        let database = database().map_err(|e| ConfigError::new(&e.setting, e.reason))?;
        let dev_mode = var("THESET_DEV_MODE").is_some_and(|v| {
            matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes")
        });
        let auth = auth(&var, dev_mode)?;
        let cors_origins = match var("CORS_ALLOWED_ORIGINS") {
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|o| !o.is_empty())
                .map(parse_origin)
                .collect::<Result<_, _>>()?,
            None => Vec::new(),
        };
        let mut rate_limits = RateLimits::default();
        for (name, budget) in [
            ("VOTE_RATE_LIMIT_PER_MINUTE", &mut rate_limits.votes),
            ("EDIT_RATE_LIMIT_PER_MINUTE", &mut rate_limits.edits),
            ("PROFILE_RATE_LIMIT_PER_MINUTE", &mut rate_limits.profile),
            ("SEARCH_RATE_LIMIT_PER_MINUTE", &mut rate_limits.search),
            (
                "STREAM_OPEN_RATE_LIMIT_PER_MINUTE",
                &mut rate_limits.stream_opens,
            ),
        ] {
            if let Some(raw) = var(name) {
                *budget = raw.trim().parse().map_err(|_| {
                    ConfigError::new(name, format!("expected a whole number, got {raw:?}"))
                })?;
            }
        }
        let realtime = realtime(&var, &database)?;
        let replica = replica(&var, &database)?;
        let trusted_proxies = match var("TRUSTED_PROXIES") {
            Some(list) => {
                TrustedProxies::parse(&list).map_err(|e| ConfigError::new("TRUSTED_PROXIES", e))?
            }
            None => TrustedProxies::default(),
        };
        Ok(Self {
            bind,
            database,
            auth,
            cors_origins,
            rate_limits,
            trusted_proxies,
            realtime,
            metrics: MetricsConfig::from_lookup(var)?,
            replica,
        })
    }
}

/// A whole-number setting within `range`, if set.
fn number(
    var: &impl Fn(&str) -> Option<String>,
    name: &str,
    range: std::ops::RangeInclusive<u64>,
) -> Result<Option<u64>, ConfigError> {
    let Some(raw) = var(name) else {
        return Ok(None);
    };
    match raw.trim().parse::<u64>() {
        Ok(n) if range.contains(&n) => Ok(Some(n)),
        _ => Err(ConfigError::new(
            name,
            format!(
                "expected a whole number from {} to {}, got {raw:?}",
                range.start(),
                range.end()
            ),
        )),
    }
}

/// Another URL (setting `name`) for the API's own role, with `DATABASE_URL`'s timeouts; `why`
/// says why the role must be the same.
fn same_role(
    name: &str,
    url: &str,
    main: &DatabaseConfig,
    why: &str,
) -> Result<DatabaseConfig, ConfigError> {
    let mut config =
        DatabaseConfig::from_url(url.trim()).map_err(|e| ConfigError::new(name, e.reason))?;
    config.connect_timeout = main.connect_timeout;
    config.statement_timeout = main.statement_timeout;
    if config.user() != main.user() {
        return Err(ConfigError::new(
            name,
            format!("must name the same role as DATABASE_URL ({why})"),
        ));
    }
    Ok(config)
}

/// `DATABASE_READ_URL` (unset: every read on the primary), `DATABASE_READ_MAX_LAG_MS` and
/// `DATABASE_READ_LAG_CHECK_MS`.
fn replica(
    var: &impl Fn(&str) -> Option<String>,
    main: &DatabaseConfig,
) -> Result<Option<crate::replica::ReplicaConfig>, ConfigError> {
    let Some(url) = var("DATABASE_READ_URL") else {
        return Ok(None);
    };
    let mut database = same_role(
        "DATABASE_READ_URL",
        &url,
        main,
        "row level security decides what either reads",
    )?;
    database.pool_size = main.pool_size;
    database.pool_wait_timeout = main.pool_wait_timeout;
    let max_lag = number(var, "DATABASE_READ_MAX_LAG_MS", 1..=600_000)?.unwrap_or(1_000);
    let check_every = number(var, "DATABASE_READ_LAG_CHECK_MS", 10..=60_000)?.unwrap_or(200);
    Ok(Some(crate::replica::ReplicaConfig {
        database: database.with_application_name("theset-api-reads"),
        max_lag: Duration::from_millis(max_lag),
        check_every: Duration::from_millis(check_every),
    }))
}

fn realtime(
    var: &impl Fn(&str) -> Option<String>,
    main: &DatabaseConfig,
) -> Result<RealtimeConfig, ConfigError> {
    let number = |name: &str, range| number(var, name, range);
    let mut config = RealtimeConfig::default();
    if let Some(url) = var("REALTIME_DATABASE_URL") {
        config.database = Some(same_role(
            "REALTIME_DATABASE_URL",
            &url,
            main,
            "the listener reads as the API does",
        )?);
    }
    if let Some(raw) = var("REALTIME_ENABLED") {
        config.enabled = match raw.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => true,
            "false" | "0" | "no" | "off" => false,
            _ => {
                return Err(ConfigError::new(
                    "REALTIME_ENABLED",
                    format!("expected true or false, got {raw:?}"),
                ));
            }
        };
    }
    // The bound: a burst is coalesced over at most 100 ms.
    if let Some(ms) = number("REALTIME_COALESCE_MS", 1..=100)? {
        config.options.coalesce_window = Duration::from_millis(ms);
    }
    if let Some(n) = number("REALTIME_CLIENT_BUFFER", 1..=65_536)? {
        config.options.client_buffer = usize::try_from(n).unwrap_or(usize::MAX);
    }
    if let Some(n) = number("REALTIME_MAX_SUBSCRIBERS", 1..=1_000_000)? {
        config.options.max_subscribers = usize::try_from(n).unwrap_or(usize::MAX);
    }
    if let Some(secs) = number("REALTIME_HEARTBEAT_SECS", 1..=3_600)? {
        config.heartbeat = Duration::from_secs(secs);
    }
    if let Some(n) = number("REALTIME_MAX_TOPICS", 1..=10_000_000)? {
        config.options.max_topics = usize::try_from(n).unwrap_or(usize::MAX);
    }
    if let Some(n) = number("REALTIME_MAX_IDLE_TOPICS", 0..=10_000_000)? {
        config.options.max_idle_topics = usize::try_from(n).unwrap_or(usize::MAX);
    }
    if let Some(n) = number("REALTIME_MAX_STREAMS_PER_CLIENT", 1..=1_000_000)? {
        config.max_streams_per_client = usize::try_from(n).unwrap_or(usize::MAX);
    }
    if let Some(secs) = number("REALTIME_MAX_STREAM_SECS", 10..=86_400)? {
        config.max_stream_lifetime = Duration::from_secs(secs);
    }
    if let Some(secs) = number("REALTIME_WRITE_TIMEOUT_SECS", 1..=3_600)? {
        config.write_timeout = Duration::from_secs(secs);
    }
    if let Some(n) = number("SHOW_CACHE_MAX_ENTRIES", 0..=1_000_000)? {
        config.show_cache_max_entries = usize::try_from(n).unwrap_or(usize::MAX);
    }
    if let Some(n) = number("SEARCH_CACHE_MAX_ENTRIES", 0..=1_000_000)? {
        config.search_cache_max_entries = usize::try_from(n).unwrap_or(usize::MAX);
    }
    Ok(config)
}

/// An origin as browsers send it: `http(s)://host[:port]`, no path, no trailing slash.
fn parse_origin(raw: &str) -> Result<String, ConfigError> {
    let bad = || {
        ConfigError::new(
            "CORS_ALLOWED_ORIGINS",
            format!("{raw:?} is not an origin like https://theset.example"),
        )
    };
    let rest = raw
        .strip_prefix("https://")
        .or_else(|| raw.strip_prefix("http://"))
        .ok_or_else(bad)?;
    if rest.is_empty() || rest.contains(['/', '?', '#', ' ', '@']) {
        return Err(bad());
    }
    Ok(raw.to_owned())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(
            |name| vars.get(name).cloned(),
            || DatabaseConfig::from_url("postgres://theset_api@127.0.0.1:54322/theset"),
        )
    }

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn public_development_secrets_need_dev_mode() {
        let public = "dev-only-secret-change-me-0123456789abcdef";
        let refused = config(&[("SUPABASE_JWT_SECRET", public)]).unwrap_err();
        assert_eq!(refused.name, "SUPABASE_JWT_SECRET");
        assert!(refused.message.contains("public development secret"));
        assert!(config(&[("SUPABASE_JWT_SECRET", public), ("THESET_DEV_MODE", "1")]).is_ok());
        assert!(config(&[("SUPABASE_JWT_SECRET", public), ("THESET_DEV_MODE", "0")]).is_err());
    }

    #[test]
    fn defaults() {
        let config = config(&[("SUPABASE_JWT_SECRET", SECRET)]).unwrap();
        assert_eq!(config.bind.to_string(), "127.0.0.1:8080");
        assert!(config.cors_origins.is_empty());
        assert_eq!(config.rate_limits, RateLimits::default());
        assert!(config.realtime.enabled);
        assert_eq!(config.realtime.heartbeat, Duration::from_secs(15));
        assert_eq!(
            config.realtime.show_cache_max_entries,
            crate::cache::DEFAULT_MAX_ENTRIES
        );
        assert_eq!(
            config.realtime.search_cache_max_entries,
            crate::cache::DEFAULT_MAX_SEARCHES
        );
        assert!(!format!("{config:?}").contains(SECRET));
    }

    #[test]
    fn each_bad_setting_is_named() {
        let name = |vars: &[(&str, &str)]| config(vars).unwrap_err().name;
        assert_eq!(name(&[]), "SUPABASE_URL");
        assert_eq!(
            name(&[("SUPABASE_JWT_SECRET", "short")]),
            "SUPABASE_JWT_SECRET"
        );
        assert_eq!(
            name(&[("SUPABASE_JWT_SECRET", SECRET), ("API_BIND", "nowhere")]),
            "API_BIND"
        );
        assert_eq!(
            name(&[
                ("SUPABASE_JWT_SECRET", SECRET),
                ("CORS_ALLOWED_ORIGINS", "https://a.example/path")
            ]),
            "CORS_ALLOWED_ORIGINS"
        );
        assert_eq!(
            name(&[
                ("SUPABASE_JWT_SECRET", SECRET),
                ("VOTE_RATE_LIMIT_PER_MINUTE", "-1")
            ]),
            "VOTE_RATE_LIMIT_PER_MINUTE"
        );
        for (setting, value) in [
            ("REALTIME_ENABLED", "maybe"),
            ("REALTIME_COALESCE_MS", "250"),
            ("REALTIME_COALESCE_MS", "0"),
            ("REALTIME_CLIENT_BUFFER", "none"),
            ("REALTIME_HEARTBEAT_SECS", "0"),
            ("SHOW_CACHE_MAX_ENTRIES", "many"),
            ("SEARCH_CACHE_MAX_ENTRIES", "-1"),
        ] {
            assert_eq!(
                name(&[("SUPABASE_JWT_SECRET", SECRET), (setting, value)]),
                setting
            );
        }
        let off = config(&[
            ("SUPABASE_JWT_SECRET", SECRET),
            ("REALTIME_ENABLED", "off"),
            ("REALTIME_COALESCE_MS", "50"),
        ])
        .unwrap();
        assert!(!off.realtime.enabled);
        assert_eq!(
            off.realtime.options.coalesce_window,
            Duration::from_millis(50)
        );
        let database = Config::from_lookup(
            |name| (name == "SUPABASE_JWT_SECRET").then(|| SECRET.to_owned()),
            || DatabaseConfig::from_url("postgres://x@h/db?sslmode=bogus"),
        );
        assert_eq!(database.unwrap_err().name, "DATABASE_URL");
    }

    #[test]
    fn signing_keys_from_the_project_url() {
        let project = config(&[("SUPABASE_URL", "https://abc.supabase.co/")]).unwrap();
        assert_eq!(project.auth.jwt_secret, None);
        assert_eq!(
            project.auth.jwks_url.as_deref(),
            Some("https://abc.supabase.co/auth/v1/.well-known/jwks.json")
        );
        assert_eq!(
            project.auth.issuer.as_deref(),
            Some("https://abc.supabase.co/auth/v1")
        );
        assert_eq!(project.auth.max_lifetime, DEFAULT_JWT_MAX_LIFETIME);
        assert_eq!(project.auth.jwks_min_fetch_interval, Duration::from_secs(5));

        let both = config(&[
            ("SUPABASE_URL", "https://abc.supabase.co"),
            ("SUPABASE_JWKS_URL", "https://keys.example/jwks.json"),
            ("SUPABASE_JWT_ISSUER", "https://auth.example/auth/v1"),
            ("SUPABASE_JWT_SECRET", SECRET),
            ("JWT_MAX_LIFETIME_SECS", "3600"),
            ("JWKS_MIN_FETCH_INTERVAL_SECS", "30"),
        ])
        .unwrap();
        assert_eq!(
            both.auth.jwks_url.as_deref(),
            Some("https://keys.example/jwks.json")
        );
        assert_eq!(
            both.auth.issuer.as_deref(),
            Some("https://auth.example/auth/v1")
        );
        assert_eq!(both.auth.jwt_secret.as_deref(), Some(SECRET));
        assert_eq!(both.auth.max_lifetime, Duration::from_secs(3600));
        assert_eq!(both.auth.jwks_min_fetch_interval, Duration::from_secs(30));
        assert!(!format!("{both:?}").contains(SECRET));

        // A legacy secret alone checks no issuer unless one is named.
        let legacy = config(&[("SUPABASE_JWT_SECRET", SECRET)]).unwrap();
        assert_eq!((legacy.auth.jwks_url, legacy.auth.issuer), (None, None));
    }

    #[test]
    fn each_bad_auth_setting_is_named() {
        let name = |vars: &[(&str, &str)]| config(vars).unwrap_err().name;
        let url = ("SUPABASE_URL", "https://abc.supabase.co");
        for (setting, value) in [
            ("SUPABASE_URL", "abc.supabase.co"),
            // Keys over plain http could be swapped on the way.
            ("SUPABASE_URL", "http://abc.supabase.co"),
            ("SUPABASE_JWKS_URL", "ftp://abc.supabase.co/jwks.json"),
            ("JWT_MAX_LIFETIME_SECS", "0"),
            ("JWT_MAX_LIFETIME_SECS", "604801"),
            ("JWKS_MIN_FETCH_INTERVAL_SECS", "0"),
            ("JWKS_MIN_FETCH_INTERVAL_SECS", "soon"),
        ] {
            let mut vars = vec![(setting, value)];
            if setting != "SUPABASE_URL" {
                vars.push(url);
            }
            assert_eq!(name(&vars), setting, "{setting}={value}");
        }
        assert_eq!(
            name(&[("SUPABASE_JWKS_URL", "https://keys.example/jwks.json")]),
            "SUPABASE_JWT_ISSUER"
        );
        // Plain http to this machine (the Supabase CLI's stack), or in development mode.
        for (vars, ok) in [
            (vec![("SUPABASE_URL", "http://127.0.0.1:54321")], true),
            (vec![("SUPABASE_URL", "http://localhost:54321")], true),
            (vec![("SUPABASE_URL", "http://[::1]:54321")], true),
            (vec![("SUPABASE_URL", "http://kong:8000")], false),
            (
                vec![
                    ("SUPABASE_URL", "http://kong:8000"),
                    ("THESET_DEV_MODE", "1"),
                ],
                true,
            ),
        ] {
            assert_eq!(config(&vars).is_ok(), ok, "{vars:?}");
        }
    }

    #[test]
    fn the_example_settings_are_valid_and_documented() {
        let example = include_str!("../../../.env.example");
        let vars: HashMap<String, String> = example
            .lines()
            .filter(|line| !line.starts_with('#'))
            .filter_map(|line| line.split_once('='))
            .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
            .collect();
        let config = Config::from_lookup(
            |name| vars.get(name).cloned(),
            || DatabaseConfig::from_url(&vars["DATABASE_URL"]),
        )
        .unwrap();
        assert!(config.auth.jwt_secret.is_some());
        // Every auth setting, set or commented out, is in the README's "Access tokens".
        let readme = include_str!("../README.md");
        let named: Vec<&str> = example
            .lines()
            .map(|line| line.trim_start_matches(['#', ' ']))
            .filter_map(|line| line.split_once('=').map(|(k, _)| k))
            .filter(|k| {
                ["SUPABASE_", "JWT_", "JWKS_"]
                    .iter()
                    .any(|p| k.starts_with(p))
            })
            .collect();
        assert_eq!(named.len(), 6, "{named:?}");
        for name in named {
            assert!(readme.contains(&format!("| `{name}` |")), "{name}");
        }
    }

    #[test]
    fn the_listener_may_connect_elsewhere_as_the_same_role() {
        let direct = "postgres://theset_api@db.example:5432/theset";
        let both = config(&[
            ("SUPABASE_JWT_SECRET", SECRET),
            ("REALTIME_DATABASE_URL", direct),
        ])
        .unwrap();
        let listener = both.realtime.database.expect("a listener URL");
        assert_eq!(listener.user(), Some("theset_api"));
        assert_eq!(listener.connect_timeout, both.database.connect_timeout);
        let other = config(&[
            ("SUPABASE_JWT_SECRET", SECRET),
            (
                "REALTIME_DATABASE_URL",
                "postgres://postgres@db.example:5432/theset",
            ),
        ]);
        assert_eq!(other.unwrap_err().name, "REALTIME_DATABASE_URL");
        assert!(
            config(&[("SUPABASE_JWT_SECRET", SECRET)])
                .unwrap()
                .realtime
                .database
                .is_none()
        );
    }

    #[test]
    fn public_reads_may_go_to_a_standby_as_the_same_role() {
        let standby = "postgres://theset_api@replica.example:5432/theset";
        let read = config(&[
            ("SUPABASE_JWT_SECRET", SECRET),
            ("DATABASE_READ_URL", standby),
            ("DATABASE_READ_MAX_LAG_MS", "250"),
        ])
        .unwrap();
        let replica = read.replica.expect("a read replica");
        assert_eq!(replica.database.user(), Some("theset_api"));
        assert_eq!(replica.database.pool_size, read.database.pool_size);
        assert_eq!(replica.max_lag, Duration::from_millis(250));
        assert_eq!(replica.check_every, Duration::from_millis(200));
        for bad in [
            (
                "DATABASE_READ_URL",
                "postgres://postgres@replica.example/theset",
            ),
            ("DATABASE_READ_MAX_LAG_MS", "0"),
            ("DATABASE_READ_LAG_CHECK_MS", "soon"),
        ] {
            let mut vars = vec![
                ("SUPABASE_JWT_SECRET", SECRET),
                ("DATABASE_READ_URL", standby),
            ];
            vars.retain(|(name, _)| *name != bad.0);
            vars.push(bad);
            assert_eq!(config(&vars).unwrap_err().name, bad.0, "{bad:?}");
        }
        assert!(
            config(&[("SUPABASE_JWT_SECRET", SECRET)])
                .unwrap()
                .replica
                .is_none()
        );
    }

    #[test]
    fn origins_are_listed() {
        let config = config(&[
            ("SUPABASE_JWT_SECRET", SECRET),
            (
                "CORS_ALLOWED_ORIGINS",
                "https://theset.example, http://localhost:3000",
            ),
        ])
        .unwrap();
        assert_eq!(
            config.cors_origins,
            ["https://theset.example", "http://localhost:3000"]
        );
    }
}

/// Where `/metrics` is served (`METRICS_BIND`, `METRICS_TOKEN`; see `crate::metrics` for the
/// rules).
#[derive(Clone, Default)]
pub struct MetricsConfig {
    /// `METRICS_BIND`: a listener of its own serving only `/metrics` (default: none).
    pub bind: Option<SocketAddr>,
    /// `METRICS_TOKEN`: `Authorization: Bearer <token>` required for `/metrics`, wherever it is
    /// served; with it, the API's own bind serves `/metrics` too (default: none).
    pub token: Option<String>,
}

// The token never reaches logs.
impl std::fmt::Debug for MetricsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetricsConfig")
            .field("bind", &self.bind)
            .field("token", &self.token.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

impl MetricsConfig {
    /// Fewest bytes accepted in `METRICS_TOKEN`.
    pub const MIN_TOKEN_LEN: usize = 16;

    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let bind = match var("METRICS_BIND") {
            Some(raw) => Some(raw.trim().parse().map_err(|_| {
                ConfigError::new("METRICS_BIND", format!("expected host:port, got {raw:?}"))
            })?),
            None => None,
        };
        let token = match var("METRICS_TOKEN") {
            Some(token) if token.trim().len() < Self::MIN_TOKEN_LEN => {
                return Err(ConfigError::new(
                    "METRICS_TOKEN",
                    format!("must have at least {} characters", Self::MIN_TOKEN_LEN),
                ));
            }
            Some(token) => Some(token.trim().to_owned()),
            None => None,
        };
        Ok(Self { bind, token })
    }
}

#[cfg(test)]
mod metrics_config_tests {
    #![allow(clippy::unwrap_used)]
    use super::MetricsConfig;

    #[test]
    fn metrics_settings_are_off_unless_given_and_checked() {
        let none = MetricsConfig::from_lookup(|_| None).unwrap();
        assert!(none.bind.is_none() && none.token.is_none());
        let both = MetricsConfig::from_lookup(|name| match name {
            "METRICS_BIND" => Some("127.0.0.1:9090".to_owned()),
            "METRICS_TOKEN" => Some("0123456789abcdef".to_owned()),
            _ => None,
        })
        .unwrap();
        assert_eq!(both.bind.unwrap().port(), 9090);
        assert!(!format!("{both:?}").contains("0123456789abcdef"));
        let short = MetricsConfig::from_lookup(|name| {
            (name == "METRICS_TOKEN").then(|| "short".to_owned())
        });
        assert_eq!(short.unwrap_err().name, "METRICS_TOKEN");
        let bad =
            MetricsConfig::from_lookup(|name| (name == "METRICS_BIND").then(|| "nine".to_owned()));
        assert_eq!(bad.unwrap_err().name, "METRICS_BIND");
    }
}
