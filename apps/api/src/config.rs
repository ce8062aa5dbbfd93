//! The API's settings, read once at start-up from the environment (and `.env`, loaded by
//! `main`). A missing or malformed setting stops start-up with an error naming it; every
//! variable is documented in the repository's `.env.example`.

use std::net::SocketAddr;
use std::time::Duration;

use theset_database::DatabaseConfig;
use theset_realtime::RealtimeOptions;

/// Fewest bytes accepted in the JWT secret: HS256 with a short secret can be brute-forced, and
/// Supabase's project secrets are longer than this.
pub const MIN_JWT_SECRET_LEN: usize = 32;

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

/// How many votes one user may cast (or retract) per window; 0 turns the limit off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VoteRateLimit {
    pub votes: u32,
    pub window: Duration,
}

/// Live updates over server-sent events (`REALTIME_*`).
#[derive(Debug, Clone)]
pub struct RealtimeConfig {
    /// `REALTIME_ENABLED` (default true): false starts no listener and answers the event routes
    /// with 503.
    pub enabled: bool,
    /// `REALTIME_COALESCE_MS`, `REALTIME_CLIENT_BUFFER`, `REALTIME_MAX_SUBSCRIBERS`.
    pub options: RealtimeOptions,
    /// `REALTIME_HEARTBEAT_SECS` (default 15): a comment on idle streams this often, so proxies
    /// keep them open.
    pub heartbeat: Duration,
}

impl Default for RealtimeConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            options: RealtimeOptions::default(),
            heartbeat: Duration::from_secs(15),
        }
    }
}

#[derive(Clone)]
pub struct Config {
    pub bind: SocketAddr,
    /// `DATABASE_URL` (the `theset_api` role) and the `DATABASE_*` pool settings.
    pub database: DatabaseConfig,
    /// `SUPABASE_JWT_SECRET`: the HS256 key Supabase Auth signs access tokens with.
    pub jwt_secret: String,
    /// Front-end origins allowed by CORS (`scheme://host[:port]`).
    pub cors_origins: Vec<String>,
    pub vote_rate_limit: VoteRateLimit,
    pub realtime: RealtimeConfig,
}

// The secret never reaches logs.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("bind", &self.bind)
            .field("database", &self.database.database())
            .field("database_user", &self.database.user())
            .field("jwt_secret", &"<redacted>")
            .field("cors_origins", &self.cors_origins)
            .field("vote_rate_limit", &self.vote_rate_limit)
            .field("realtime", &self.realtime)
            .finish()
    }
}

impl Config {
    pub const DEFAULT_BIND: &'static str = "127.0.0.1:8080";
    pub const DEFAULT_VOTES_PER_MINUTE: u32 = 60;

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
        let jwt_secret = var("SUPABASE_JWT_SECRET")
            .ok_or_else(|| ConfigError::new("SUPABASE_JWT_SECRET", "is not set"))?;
        if jwt_secret.len() < MIN_JWT_SECRET_LEN {
            return Err(ConfigError::new(
                "SUPABASE_JWT_SECRET",
                format!("must be at least {MIN_JWT_SECRET_LEN} bytes"),
            ));
        }
        let dev_mode = var("THESET_DEV_MODE").is_some_and(|v| {
            matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes")
        });
        if is_public_secret(&jwt_secret) && !dev_mode {
            return Err(ConfigError::new(
                "SUPABASE_JWT_SECRET",
                "is a public development secret (anyone can sign tokens with it): set your \
                 project's, or THESET_DEV_MODE=1 for local development only",
            ));
        }
        let cors_origins = match var("CORS_ALLOWED_ORIGINS") {
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|o| !o.is_empty())
                .map(parse_origin)
                .collect::<Result<_, _>>()?,
            None => Vec::new(),
        };
        let votes = match var("VOTE_RATE_LIMIT_PER_MINUTE") {
            Some(raw) => raw.trim().parse().map_err(|_| {
                ConfigError::new(
                    "VOTE_RATE_LIMIT_PER_MINUTE",
                    format!("expected a whole number, got {raw:?}"),
                )
            })?,
            None => Self::DEFAULT_VOTES_PER_MINUTE,
        };
        Ok(Self {
            bind,
            database,
            jwt_secret,
            cors_origins,
            vote_rate_limit: VoteRateLimit {
                votes,
                window: Duration::from_secs(60),
            },
            realtime: realtime(&var)?,
        })
    }
}

fn realtime(var: &impl Fn(&str) -> Option<String>) -> Result<RealtimeConfig, ConfigError> {
    let number =
        |name: &str, range: std::ops::RangeInclusive<u64>| -> Result<Option<u64>, ConfigError> {
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
        };
    let mut config = RealtimeConfig::default();
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
        assert_eq!(config.vote_rate_limit.votes, 60);
        assert!(config.realtime.enabled);
        assert_eq!(config.realtime.heartbeat, Duration::from_secs(15));
        assert!(!format!("{config:?}").contains(SECRET));
    }

    #[test]
    fn each_bad_setting_is_named() {
        let name = |vars: &[(&str, &str)]| config(vars).unwrap_err().name;
        assert_eq!(name(&[]), "SUPABASE_JWT_SECRET");
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
